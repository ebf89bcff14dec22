/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* test_nd_hold.c — the hold queue the handoff extension will park packets
 * in: per-key release in order, bounds, expiry under a fake clock. */
#include <stdarg.h>
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_release_in_order_by_key),
		cmocka_unit_test(test_bounds_and_expiry),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
