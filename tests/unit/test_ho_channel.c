/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* Unit tests for handoffd/channel.c admission: max-channels and the
 * memory limit count active channels only; channels idle for the idle
 * time are unloaded by chan_maintenance (dormant: the table on disk,
 * not counting), so a new NAT64 is admitted, and a returning one gets
 * its table back from the journal. Real journal and audit modules on a
 * temporary directory; the clock is fake. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "atomicfile.h"
#include "audit.h"
#include "channel.h"

#define CH_SRV		0xc0000201u	/* 192.0.2.1 */
#define CH_NAT(n)	(0xc6336400u + (n))	/* 198.51.100.n */

static const uint8_t ch_prefix[12] = { 0x00, 0x64, 0xff, 0x9b };
static const uint16_t ch_avoid[2] = { 6464, 40000 };

struct ch_fx {
	char dir[64];
	struct chan_reg *reg;
	struct clk_now now;
};

static int
ch_setup(void **state)
{
	struct ch_fx *f = calloc(1, sizeof(*f));
	char err[256];

	if (f == NULL)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/nk-chan-XXXXXX");
	if (mkdtemp(f->dir) == NULL || audit_open(f->dir, 0, err, sizeof(err)) == -1)
		return -1;
	f->now = clk_fake(1000, 1552903588);
	f->reg = chan_reg_create(f->dir, 64, 2, NULL, NULL, err, sizeof(err));
	if (f->reg == NULL)
		return -1;
	chan_set_expiry(f->reg, 10000, 0);
	*state = f;
	return 0;
}

static int
ch_teardown(void **state)
{
	struct ch_fx *f = *state;
	char cmd[128];

	chan_reg_destroy(f->reg, &f->now);
	audit_close();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

static uint16_t
ch_map(struct ch_fx *f, struct chan *ch, uint32_t client)
{
	uint8_t c[16] = { 0x20, 0x01, 0x0d, 0xb8 };
	bool created;

	c[14] = (uint8_t)(client >> 8);
	c[15] = (uint8_t)client;
	return chan_map_client(f->reg, ch, ch_prefix, c, 443, NULL, 0, 0, ch_avoid, 2, &f->now,
	    &created);
}

static void
ch_advance(struct ch_fx *f, uint64_t ms)
{
	f->now.mono_ms += ms;
	f->now.wall.tv_sec += (time_t)(ms / 1000);
}

static void
test_idle_channels_make_room(void **state)
{
	struct ch_fx *f = *state;
	struct chan *a, *b;
	struct ct_view v;
	uint64_t refused, refused_mem, idle, forgotten;
	uint16_t pa, pb;

	a = chan_get_or_create(f->reg, CH_SRV, CH_NAT(1), &f->now);
	b = chan_get_or_create(f->reg, CH_SRV, CH_NAT(2), &f->now);
	assert_non_null(a);
	assert_non_null(b);
	pa = ch_map(f, a, 1);
	pb = ch_map(f, b, 2);
	assert_int_not_equal(pa, 0);
	assert_int_not_equal(pb, 0);
	/* max-channels 2: a third NAT64 is refused, before and after */
	assert_false(chan_would_accept(f->reg, CH_SRV, CH_NAT(3), &f->now));
	assert_null(chan_get_or_create(f->reg, CH_SRV, CH_NAT(3), &f->now));
	assert_true(chan_would_accept(f->reg, CH_SRV, CH_NAT(1), &f->now));
	chan_stats(f->reg, &refused, &refused_mem, &idle, &forgotten);
	assert_int_equal(refused, 2);
	assert_int_equal(refused_mem, 0);
	/* b keeps being used; a goes quiet past the idle time */
	ch_advance(f, 6000);
	assert_non_null(chan_find(f->reg, CH_SRV, CH_NAT(2), &f->now));
	ch_advance(f, 5000);
	chan_maintenance(f->reg, &f->now);
	assert_int_equal(chan_active(f->reg), 1);
	assert_int_equal(chan_loaded(f->reg), 1);
	assert_null(a->t);
	assert_non_null(b->t);
	/* now there is room for the newcomer */
	assert_true(chan_would_accept(f->reg, CH_SRV, CH_NAT(3), &f->now));
	assert_non_null(chan_get_or_create(f->reg, CH_SRV, CH_NAT(3), &f->now));
	assert_int_equal(chan_active(f->reg), 2);
	/* a returns while the limit is full: refused, its table stays on disk */
	assert_null(chan_find(f->reg, CH_SRV, CH_NAT(1), &f->now));
	assert_int_equal(chan_count(f->reg), 3);
	/* b goes idle too; a returns and gets its entry back from disk */
	ch_advance(f, 10000);
	assert_non_null(chan_find(f->reg, CH_SRV, CH_NAT(3), &f->now));
	chan_maintenance(f->reg, &f->now);
	assert_null(b->t);
	a = chan_find(f->reg, CH_SRV, CH_NAT(1), &f->now);
	assert_non_null(a);
	assert_non_null(a->t);
	assert_true(ct_get(a->t, pa, &v));
	assert_int_equal(v.client[15], 1);
	assert_int_equal(v.client_port, 443);
	chan_stats(f->reg, &refused, &refused_mem, &idle, &forgotten);
	assert_int_equal(idle, 2);
	assert_int_equal(refused, 3);
}

/* The memory limit counts every active table at its full size: new
 * channels are refused first, existing ones can always fill. */
static void
test_memory_limit_refuses_new(void **state)
{
	struct ch_fx *f = *state;
	struct chan *a;
	uint64_t refused, refused_mem, idle, forgotten;
	uint32_t i;

	chan_set_limits(f->reg, 64, 100);
	chan_set_expiry(f->reg, 10000, ct_memory_max(64) * 2 + 1000);
	a = chan_get_or_create(f->reg, CH_SRV, CH_NAT(1), &f->now);
	assert_non_null(a);
	assert_non_null(chan_get_or_create(f->reg, CH_SRV, CH_NAT(2), &f->now));
	assert_null(chan_get_or_create(f->reg, CH_SRV, CH_NAT(3), &f->now));
	assert_false(chan_would_accept(f->reg, CH_SRV, CH_NAT(4), &f->now));
	chan_stats(f->reg, &refused, &refused_mem, &idle, &forgotten);
	assert_int_equal(refused, 2);
	assert_int_equal(refused_mem, 2);
	/* the admitted ones fill up and evict as usual */
	for (i = 0; i < 100; i++)
		assert_int_not_equal(ch_map(f, a, i), 0);
	assert_int_equal(ct_count(a->t), 64);
	assert_true(ct_memory(a->t) <= ct_memory_max(64));
}

/* Persisted channels start dormant: a restart with more journals than
 * max-channels serves the ones that come back, up to the limit. */
static void
test_persisted_start_dormant(void **state)
{
	struct ch_fx *f = *state;
	char err[256];
	uint32_t i;

	chan_set_limits(f->reg, 64, 4);
	for (i = 1; i <= 4; i++) {
		struct chan *c = chan_get_or_create(f->reg, CH_SRV, CH_NAT(i), &f->now);

		assert_non_null(c);
		assert_int_not_equal(ch_map(f, c, i), 0);
	}
	chan_reg_destroy(f->reg, &f->now);
	f->reg = chan_reg_create(f->dir, 64, 2, NULL, NULL, err, sizeof(err));
	assert_non_null(f->reg);
	assert_int_equal(chan_count(f->reg), 4);
	assert_int_equal(chan_active(f->reg), 0);
	assert_non_null(chan_find(f->reg, CH_SRV, CH_NAT(4), &f->now));
	assert_non_null(chan_find(f->reg, CH_SRV, CH_NAT(3), &f->now));
	assert_null(chan_find(f->reg, CH_SRV, CH_NAT(2), &f->now));
	assert_int_equal(chan_active(f->reg), 2);
}

/* At most 4 x max-channels channels are known: a new one beyond makes
 * the server forget the one dormant the longest — a Deleted line for
 * each of its entries, its journal removed — never an active one. */
static void
test_forget_longest_dormant(void **state)
{
	struct ch_fx *f = *state;
	uint64_t refused, refused_mem, idle, forgotten;
	char path[128], *log;
	unsigned char *text;
	size_t len;
	uint32_t i;

	for (i = 1; i <= 8; i++) {
		struct chan *c = chan_get_or_create(f->reg, CH_SRV, CH_NAT(i), &f->now);

		assert_non_null(c);
		assert_int_not_equal(ch_map(f, c, i), 0);
		ch_advance(f, 11000);
		chan_maintenance(f->reg, &f->now);	/* each goes dormant in turn */
	}
	assert_int_equal(chan_count(f->reg), 8);
	assert_int_equal(chan_active(f->reg), 0);
	assert_non_null(chan_get_or_create(f->reg, CH_SRV, CH_NAT(9), &f->now));
	assert_int_equal(chan_count(f->reg), 8);
	chan_stats(f->reg, &refused, &refused_mem, &idle, &forgotten);
	assert_int_equal(forgotten, 1);
	/* 198.51.100.1 went first: its journal is gone, its entry logged */
	snprintf(path, sizeof(path), "%s/channels/198.51.100.1-192.0.2.1.tbl", f->dir);
	assert_int_not_equal(access(path, F_OK), 0);
	snprintf(path, sizeof(path), "%s/channels/198.51.100.2-192.0.2.1.tbl", f->dir);
	assert_int_equal(access(path, F_OK), 0);
	audit_flush();
	snprintf(path, sizeof(path), "%s/%s", f->dir, AUDIT_FILE);
	assert_int_equal(afile_slurp(path, 1 << 20, &text, &len), 0);
	log = (char *)text;
	assert_non_null(strstr(log, "Deleted 198.51.100.1:"));
	assert_null(strstr(log, "Deleted 198.51.100.2:"));
	free(log);
	/* it comes back as a new channel, with an empty table */
	ch_advance(f, 11000);
	chan_maintenance(f->reg, &f->now);
	assert_non_null(chan_get_or_create(f->reg, CH_SRV, CH_NAT(1), &f->now));
	chan_stats(f->reg, &refused, &refused_mem, &idle, &forgotten);
	assert_int_equal(forgotten, 2);
}

/* An authenticator refresh (adoption or IPv6 packet) survives kill -9:
 * a second registry on the same directory, the first never destroyed
 * (no compaction at exit), has the new one. */
static void
test_auth_refresh_persisted(void **state)
{
	struct ch_fx *f = *state;
	uint8_t c[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	struct chan_reg *r2;
	struct chan *ch;
	struct ct_view v;
	char err[512];

	ch = chan_get_or_create(f->reg, CH_SRV, CH_NAT(1), &f->now);
	assert_non_null(ch);
	assert_true(chan_adopt(f->reg, ch, 5000, ch_prefix, c, 40000,
	    (const uint8_t *)"OLD-AUTH-OLD-AUT", 16, &f->now));
	chan_flush(f->reg);
	ch_advance(f, 10000);
	assert_true(chan_adopt(f->reg, ch, 5000, ch_prefix, c, 40000,
	    (const uint8_t *)"NEW-AUTH-NEW-AUT", 16, &f->now));
	chan_flush(f->reg);
	r2 = chan_reg_create(f->dir, 64, 2, NULL, NULL, err, sizeof(err));
	assert_non_null(r2);
	ch = chan_find(r2, CH_SRV, CH_NAT(1), &f->now);
	assert_non_null(ch);
	assert_true(ct_get(ch->t, 5000, &v));
	assert_int_equal(v.auth_len, 16);
	assert_memory_equal(v.auth, "NEW-AUTH-NEW-AUT", 16);
	chan_reg_destroy(r2, &f->now);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_idle_channels_make_room, ch_setup, ch_teardown),
		cmocka_unit_test_setup_teardown(test_memory_limit_refuses_new, ch_setup, ch_teardown),
		cmocka_unit_test_setup_teardown(test_persisted_start_dormant, ch_setup, ch_teardown),
		cmocka_unit_test_setup_teardown(test_forget_longest_dormant, ch_setup, ch_teardown),
		cmocka_unit_test_setup_teardown(test_auth_refresh_persisted, ch_setup, ch_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
