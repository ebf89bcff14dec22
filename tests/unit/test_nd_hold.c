/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* test_nd_hold.c — the hold queue the handoff extension will park packets
 * in: per-key release in order, bounds, expiry under a fake clock. */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "nd_hold.h"

static char got[16];
static int ngot;

static void
collect(void *arg, uint64_t key, uint8_t *pkt, size_t len, struct virtio_net_hdr *vh,
    const struct clk_now *now)
{
	(void)arg;
	(void)key;
	(void)len;
	(void)vh;
	(void)now;
	got[ngot++] = (char)pkt[0];
}

static void
test_release_in_order_by_key(void **state)
{
	struct nd_hold *h = nd_hold_new(8, 1 << 16, 1000);
	struct clk_now now = clk_fake(5000, 0);

	(void)state;
	ngot = 0;
	assert_int_equal(nd_hold_put(h, 1, (const uint8_t *)"a", 1, NULL, &now), 0);
	assert_int_equal(nd_hold_put(h, 2, (const uint8_t *)"b", 1, NULL, &now), 0);
	assert_int_equal(nd_hold_put(h, 1, (const uint8_t *)"c", 1, NULL, &now), 0);
	assert_int_equal(nd_hold_release(h, 1, collect, NULL, &now), 2);
	assert_memory_equal(got, "ac", 2);
	assert_int_equal(nd_hold_count(h), 1);
	assert_int_equal(nd_hold_put(h, 3, (const uint8_t *)"d", 1, NULL, &now), 0);
	assert_int_equal(nd_hold_release(h, 3, collect, NULL, &now), 1);
	assert_int_equal(nd_hold_release(h, 2, collect, NULL, &now), 1);
	assert_memory_equal(got, "acdb", 4);
	assert_int_equal(nd_hold_count(h), 0);
	/* the tail is right after removing the last element */
	assert_int_equal(nd_hold_put(h, 4, (const uint8_t *)"e", 1, NULL, &now), 0);
	assert_int_equal(nd_hold_release(h, 4, collect, NULL, &now), 1);
	nd_hold_free(h);
}

static void
test_bounds_and_expiry(void **state)
{
	struct nd_hold *h = nd_hold_new(3, 100, 1000);
	struct clk_now now = clk_fake(5000, 0);
	uint8_t big[80] = { 'x' };

	(void)state;
	ngot = 0;
	assert_int_equal(nd_hold_put(h, 1, big, 80, NULL, &now), 0);
	assert_int_equal(nd_hold_put(h, 1, big, 30, NULL, &now), -1);	/* bytes */
	now = clk_fake(5500, 0);
	assert_int_equal(nd_hold_put(h, 2, (const uint8_t *)"y", 1, NULL, &now), 0);
	assert_int_equal(nd_hold_put(h, 3, (const uint8_t *)"z", 1, NULL, &now), 0);
	assert_int_equal(nd_hold_put(h, 4, (const uint8_t *)"w", 1, NULL, &now), -1);	/* count */
	assert_int_equal(nd_hold_counters(h)->full, 2);
	now = clk_fake(5999, 0);
	assert_int_equal(nd_hold_expire(h, &now, collect, NULL), 0);
	now = clk_fake(6000, 0);
	assert_int_equal(nd_hold_expire(h, &now, collect, NULL), 1);
	now = clk_fake(6500, 0);
	assert_int_equal(nd_hold_expire(h, &now, collect, NULL), 2);
	assert_memory_equal(got, "xyz", 3);
	assert_int_equal(nd_hold_counters(h)->expired, 3);
	nd_hold_free(h);
}

/* The again queue's operations: move by key (in order, re-keyed),
 * prepend a whole queue, pop oldest first. */
static void
test_move_prepend_pop(void **state)
{
	struct nd_hold *h = nd_hold_new(8, 1 << 16, 1000), *a = nd_hold_new(8, 1 << 16, 0);
	struct nd_hold *n = nd_hold_new(8, 1 << 16, 0);
	struct clk_now now = clk_fake(5000, 0);
	struct virtio_net_hdr vh;
	uint8_t buf[4];
	uint64_t key;
	size_t len;
	char out[8];
	int i = 0;

	(void)state;
	assert_int_equal(nd_hold_put(h, 1, (const uint8_t *)"a", 1, NULL, &now), 0);
	assert_int_equal(nd_hold_put(h, 2, (const uint8_t *)"b", 1, NULL, &now), 0);
	assert_int_equal(nd_hold_put(h, 1, (const uint8_t *)"c", 1, NULL, &now), 0);
	assert_int_equal(nd_hold_put(a, 7, (const uint8_t *)"x", 1, NULL, &now), 0);
	assert_int_equal(nd_hold_move(h, 1, n, 9), 2);
	assert_int_equal(nd_hold_count(h), 1);
	assert_int_equal(nd_hold_counters(h)->released, 2);
	nd_hold_prepend(a, n);
	assert_int_equal(nd_hold_count(n), 0);
	assert_int_equal(nd_hold_count(a), 3);
	while (nd_hold_pop(a, &key, buf, sizeof(buf), &len, &vh) == 1) {
		assert_int_equal(len, 1);
		assert_int_equal(key, buf[0] == 'x' ? 7 : 9);
		out[i++] = (char)buf[0];
	}
	assert_int_equal(i, 3);
	assert_memory_equal(out, "acx", 3);
	/* Empty again: the tail is right, a put and a pop still work. */
	assert_int_equal(nd_hold_put(a, 3, (const uint8_t *)"dd", 2, NULL, &now), 0);
	assert_int_equal(nd_hold_pop(a, &key, buf, 1, &len, &vh), -1);	/* too big */
	assert_int_equal(nd_hold_pop(a, &key, buf, sizeof(buf), &len, &vh), 0);
	nd_hold_prepend(a, n);		/* nothing to prepend */
	assert_int_equal(nd_hold_put(a, 4, (const uint8_t *)"e", 1, NULL, &now), 0);
	assert_int_equal(nd_hold_pop(a, &key, buf, sizeof(buf), &len, &vh), 1);
	assert_int_equal(buf[0], 'e');
	nd_hold_free(h);
	nd_hold_free(a);
	nd_hold_free(n);
}

/* The held-SYN queue's calls: has, pop_expired (no callback), new limits. */
static void
test_has_pop_expired_limits(void **state)
{
	struct nd_hold *h = nd_hold_new(2, 100, 6000);
	struct clk_now now = clk_fake(1000, 0);
	uint8_t buf[8];
	size_t len;

	(void)state;
	assert_int_equal(nd_hold_put(h, 7, (const uint8_t *)"syn1", 4, NULL, &now), 0);
	now.mono_ms += 1000;
	assert_int_equal(nd_hold_put(h, 8, (const uint8_t *)"syn2", 4, NULL, &now), 0);
	assert_true(nd_hold_has(h, 7));
	assert_false(nd_hold_has(h, 9));
	assert_int_equal(nd_hold_put(h, 9, (const uint8_t *)"syn3", 4, NULL, &now), -1);
	now.mono_ms += 4999;		/* 1 ms before the first deadline */
	assert_int_equal(nd_hold_pop_expired(h, &now, buf, sizeof(buf), &len), 0);
	now.mono_ms += 1;
	assert_int_equal(nd_hold_pop_expired(h, &now, buf, sizeof(buf), &len), 1);
	assert_int_equal(len, 4);
	assert_memory_equal(buf, "syn1", 4);
	assert_int_equal(nd_hold_pop_expired(h, &now, buf, sizeof(buf), &len), 0);
	assert_int_equal(nd_hold_counters(h)->expired, 1);
	nd_hold_set_limits(h, 1, 100, 10);
	assert_int_equal(nd_hold_put(h, 9, (const uint8_t *)"syn3", 4, NULL, &now), -1);
	assert_int_equal(nd_hold_counters(h)->full, 2);
	now.mono_ms += 1000;
	assert_int_equal(nd_hold_pop_expired(h, &now, buf, 2, &len), -1);	/* too big: dropped */
	assert_int_equal(nd_hold_count(h), 0);
	nd_hold_free(h);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_release_in_order_by_key),
		cmocka_unit_test(test_bounds_and_expiry),
		cmocka_unit_test(test_move_prepend_pop),
		cmocka_unit_test(test_has_pop_expired_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
