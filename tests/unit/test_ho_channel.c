/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* Unit tests for handoffd/channel.c. Admission: max-channels and the
 * memory limit count active channels only; channels idle for the idle
 * time are unloaded by chan_maintenance (dormant: the table on disk,
 * not counting), so a new NAT64 is admitted, and a returning one gets
 * its table back from the journal. Restarts: tables load lazily, the LRU
 * order and authenticator refreshes survive. Eviction: never the reserved
 * ports, never a port with a live TCP connection while another is in the
 * scan window (a fake bitmap, and a real loopback connection). Real
 * journal and audit modules on a temporary directory; the clock is fake. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "atomicfile.h"
#include "ho_audit.h"
#include "ho_channel.h"
#include "handoff_wire.h"
#include "ho_livecheck.h"

#define CH_SRV		0xc0000201u	/* 192.0.2.1 */
#define CH_NAT(n)	(0xc6336400u + (n))	/* 198.51.100.n */

static const uint8_t ch_prefix[12] = { 0x00, 0x64, 0xff, 0x9b };
static const uint16_t ch_avoid[2] = { 6464, 40000 };

struct ch_fx {
	char dir[64];
	struct chan_reg *reg;
	struct clk_now now;
};

/* A registry on a new temporary directory, the audit log in it. */
static int
ch_open(void **state, uint32_t table_size, uint32_t max_channels, live_query_fn *live)
{
	struct ch_fx *f = calloc(1, sizeof(*f));
	char err[256];

	if (f == NULL)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/nk-chan-XXXXXX");
	if (mkdtemp(f->dir) == NULL || audit_open(f->dir, 0, err, sizeof(err)) == -1)
		return -1;
	f->now = clk_fake(1000, 1552903588);
	f->reg = chan_reg_create(f->dir, table_size, max_channels, live, NULL, err, sizeof(err));
	if (f->reg == NULL)
		return -1;
	*state = f;
	return 0;
}

static int
ch_setup(void **state)
{
	if (ch_open(state, 64, 2, NULL) == -1)
		return -1;
	chan_set_expiry(((struct ch_fx *)*state)->reg, 10000, 0);
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

/* With the live-TCP seam (a fake bitmap): eviction never picks or reuses
 * 3544, the handoff port or the control packet's source port, even when
 * adopted entries there are the oldest, and prefers a non-live port
 * inside the scan window; an adoption that conflicts on both the port and
 * the client gives Deleted, Deleted, Created, and a replay of the journal
 * as kill -9 leaves it (no chan_reg_destroy) yields exactly the in-memory
 * table. */
#define LV_SRV		0xc0000201u	/* 192.0.2.1 */
#define LV_NAT		0xc0000207u	/* 192.0.2.7 */
#define LV_HPORT	6464
#define LV_CPORT	40000

static const uint8_t lv_prefix[12] = { 0x00, 0x64, 0xff, 0x9b };
static uint8_t lv_live[LIVE_BITMAP_BYTES];

static int
lv_fake_live(void *arg, uint32_t local, uint32_t nat64, uint8_t bitmap[LIVE_BITMAP_BYTES])
{
	(void)arg;
	(void)local;
	(void)nat64;
	memcpy(bitmap, lv_live, LIVE_BITMAP_BYTES);
	return 0;
}

static int
lv_setup(void **state)
{
	memset(lv_live, 0, sizeof(lv_live));
	return ch_open(state, 16, 8, lv_fake_live);
}

static void
lv_client(uint8_t out[16], uint32_t n)
{
	memset(out, 0, 16);
	out[0] = 0x20; out[1] = 0x01; out[2] = 0x0d; out[3] = 0xb8;
	out[14] = (uint8_t)(n >> 8);
	out[15] = (uint8_t)n;
}

static char *
lv_audit(struct ch_fx *f)
{
	unsigned char *text;
	size_t len;
	char path[128];

	audit_flush();
	snprintf(path, sizeof(path), "%s/%s", f->dir, AUDIT_FILE);
	if (afile_slurp(path, 1 << 24, &text, &len) == -1)
		return calloc(1, 1);
	return (char *)text;
}

static void
lv_tick(struct ch_fx *f)
{
	f->now.mono_ms += 1000;
	f->now.wall.tv_sec += 1;
}

/* Adopted entries on 3544, the handoff port and the control source port
 * are the oldest; the table is full. New clients must get neither those
 * ports nor a live one while a non-live one is inside the window. */
static void
test_evict_avoids_forbidden_and_live(void **state)
{
	struct ch_fx *f = *state;
	struct chan *ch = chan_get_or_create(f->reg, LV_SRV, LV_NAT, &f->now);
	const uint16_t avoid[2] = { LV_HPORT, LV_CPORT };
	uint8_t c[16];
	uint16_t first_plain = 0, p;
	bool created;
	uint32_t i;

	assert_non_null(ch);
	lv_client(c, 1);
	assert_true(chan_adopt(f->reg, ch, HW_TEREDO_PORT, lv_prefix, c, 1, NULL, 0, &f->now));
	lv_tick(f);
	lv_client(c, 2);
	assert_true(chan_adopt(f->reg, ch, LV_HPORT, lv_prefix, c, 1, NULL, 0, &f->now));
	lv_tick(f);
	lv_client(c, 3);
	assert_true(chan_adopt(f->reg, ch, LV_CPORT, lv_prefix, c, 1, NULL, 0, &f->now));
	for (i = 4; ct_count(ch->t) < ct_capacity(ch->t); i++) {
		lv_tick(f);
		lv_client(c, i);
		p = chan_map_client(f->reg, ch, lv_prefix, c, 1, NULL, 0, 0, avoid, 2, &f->now,
		    &created);
		assert_true(created);
		assert_true(p >= 1024 && p != HW_TEREDO_PORT && p != LV_HPORT && p != LV_CPORT);
		if (first_plain == 0)
			first_plain = p;
	}
	/* The oldest allocatable entry has a live TCP connection. */
	lv_live[first_plain >> 3] |= (uint8_t)(1u << (first_plain & 7));
	f->now.mono_ms += 5000;		/* the cached bitmap expires */
	lv_tick(f);
	lv_client(c, 1000);
	p = chan_map_client(f->reg, ch, lv_prefix, c, 1, NULL, 0, 0, avoid, 2, &f->now, &created);
	assert_true(created);
	assert_int_not_equal(p, 0);
	assert_int_not_equal(p, first_plain);
	assert_true(p != HW_TEREDO_PORT && p != LV_HPORT && p != LV_CPORT);
	assert_true(ct_port_used(ch->t, HW_TEREDO_PORT));
	assert_true(ct_port_used(ch->t, LV_HPORT));
	assert_true(ct_port_used(ch->t, LV_CPORT));
	assert_true(ct_port_used(ch->t, first_plain));
	assert_int_equal(ch->evicted, 1);
	assert_int_equal(ch->evicted_live, 0);
	assert_int_equal(ct_count(ch->t), ct_capacity(ch->t));
}

/* Count entries along the LRU list, checking each. */
static uint32_t
lv_lru_walk(const struct ct_table *t)
{
	struct ct_view v;
	uint32_t n = 0;
	uint16_t p;

	for (p = ct_lru_oldest(t); p; p = ct_lru_newer(t, p)) {
		assert_true(ct_get(t, p, &v));
		assert_true(p >= CT_MIN_PORT);
		assert_int_equal(ct_find_client(t, v.prefix, v.client, v.client_port), p);
		n++;
		assert_true(n <= ct_count(t));
	}
	return n;
}

/* Newest wins on both the port and the client; the journal as kill -9
 * leaves it replays to the same table. */
static void
test_adopt_conflict_consistent(void **state)
{
	struct ch_fx *f = *state;
	struct chan *ch = chan_get_or_create(f->reg, LV_SRV, LV_NAT, &f->now);
	struct chan_reg *reg2;
	struct chan *ch2;
	struct ct_view v, v2;
	uint8_t x[16], y[16];
	char err[256], *log, *d1, *d2, *cr;
	uint16_t p;

	assert_non_null(ch);
	lv_client(x, 1);
	lv_client(y, 2);
	assert_true(chan_adopt(f->reg, ch, 2000, lv_prefix, x, 10, NULL, 0, &f->now));
	assert_true(chan_adopt(f->reg, ch, 3000, lv_prefix, y, 20, NULL, 0, &f->now));
	lv_tick(f);
	/* x claims y's port. */
	assert_true(chan_adopt(f->reg, ch, 3000, lv_prefix, x, 10, (const uint8_t *)"au", 2,
	    &f->now));
	assert_int_equal(ct_count(ch->t), 1);
	assert_int_equal(ct_find_client(ch->t, lv_prefix, x, 10), 3000);
	assert_int_equal(ct_find_client(ch->t, lv_prefix, y, 20), 0);
	assert_false(ct_port_used(ch->t, 2000));
	chan_flush(f->reg);
	log = lv_audit(f);
	d1 = strstr(log, "Deleted 192.0.2.7:2000 [2001:db8::1]:10");
	d2 = strstr(log, "Deleted 192.0.2.7:3000 [2001:db8::2]:20");
	cr = strstr(log, "Created 192.0.2.7:3000 [2001:db8::1]:10");
	assert_non_null(d1);
	assert_non_null(d2);
	assert_non_null(cr);
	assert_true(d1 < cr && d2 < cr);
	free(log);

	/* kill -9: a second registry reads the journal as it is now. */
	reg2 = chan_reg_create(f->dir, 16, 8, NULL, NULL, err, sizeof(err));
	assert_non_null(reg2);
	ch2 = chan_find(reg2, LV_SRV, LV_NAT, &f->now);
	assert_non_null(ch2);
	assert_non_null(ch2->t);
	assert_int_equal(ct_count(ch2->t), ct_count(ch->t));
	for (p = ct_lru_oldest(ch->t); p; p = ct_lru_newer(ch->t, p)) {
		assert_true(ct_get(ch->t, p, &v));
		assert_true(ct_get(ch2->t, p, &v2));
		assert_memory_equal(v.client, v2.client, 16);
		assert_int_equal(v.client_port, v2.client_port);
		assert_int_equal(v.auth_len, v2.auth_len);
	}
	assert_int_equal(lv_lru_walk(ch2->t), ct_count(ch2->t));
	chan_reg_destroy(reg2, &f->now);
}

/* Lazy load: after a restart every channel is known but none is loaded;
 * a packet of one NAT64 loads that channel's table only, with its
 * entries. */
static void
test_lazy_load(void **state)
{
	struct ch_fx *f = *state;
	uint16_t port[4];
	struct chan *c;
	char err[256];
	uint32_t i;

	chan_set_limits(f->reg, 64, 4);
	for (i = 1; i <= 4; i++) {
		c = chan_get_or_create(f->reg, CH_SRV, CH_NAT(i), &f->now);
		assert_non_null(c);
		port[i - 1] = ch_map(f, c, i);
		assert_int_not_equal(port[i - 1], 0);
	}
	assert_int_equal(chan_loaded(f->reg), 4);
	chan_reg_destroy(f->reg, &f->now);
	f->reg = chan_reg_create(f->dir, 64, 4, NULL, NULL, err, sizeof(err));
	assert_non_null(f->reg);
	assert_int_equal(chan_count(f->reg), 4);
	assert_int_equal(chan_loaded(f->reg), 0);
	c = chan_find(f->reg, CH_SRV, CH_NAT(3), &f->now);
	assert_non_null(c);
	assert_non_null(c->t);
	assert_int_equal(chan_loaded(f->reg), 1);
	assert_int_equal(ct_count(c->t), 1);
	assert_true(ct_port_used(c->t, port[2]));
	for (c = chan_first(f->reg); c; c = chan_next(f->reg, c))
		assert_true(c->nat64 == CH_NAT(3) ? c->t != NULL : c->t == NULL);
}

/* The ports of ch's table from the least recently used on. */
static size_t
ch_lru(const struct chan *ch, uint16_t *out, size_t max)
{
	size_t n = 0;
	uint16_t p;

	for (p = ct_lru_oldest(ch->t); p && n < max; p = ct_lru_newer(ch->t, p))
		out[n++] = p;
	return n;
}

/* LRU order survives a restart: clients used again after their creation
 * are the newest in the table a second registry loads, after a clean stop
 * (compaction at exit) and after kill -9 once the periodic compaction ran. */
static void
test_lru_across_restart(void **state)
{
	struct ch_fx *f = *state;
	uint16_t before[16], after[16];
	struct chan_reg *r2;
	struct chan *c;
	size_t n, m;
	char err[256];
	int pass;
	uint32_t i;

	for (pass = 0; pass < 2; pass++) {
		uint32_t nat = CH_NAT(10 + pass);

		c = chan_get_or_create(f->reg, CH_SRV, nat, &f->now);
		assert_non_null(c);
		for (i = 1; i <= 10; i++) {
			ch_advance(f, 10);
			assert_int_not_equal(ch_map(f, c, i), 0);
		}
		ch_advance(f, 10);
		ch_map(f, c, 3);	/* used again: 3 then 1 become the newest */
		ch_advance(f, 10);
		ch_map(f, c, 1);
		n = ch_lru(c, before, 16);
		assert_int_equal(n, 10);
		{
			uint8_t cl[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };

			assert_int_equal(before[9], ct_find_client(c->t, ch_prefix, cl, 443));
			cl[15] = 3;
			assert_int_equal(before[8], ct_find_client(c->t, ch_prefix, cl, 443));
		}
		if (pass == 0) {
			chan_reg_destroy(f->reg, &f->now);	/* clean stop */
			f->reg = chan_reg_create(f->dir, 64, 2, NULL, NULL, err, sizeof(err));
			assert_non_null(f->reg);
			r2 = f->reg;
		} else {
			ch_advance(f, 301 * 1000);	/* past the compaction interval */
			chan_maintenance(f->reg, &f->now);
			chan_flush(f->reg);
			/* kill -9: f->reg is never destroyed before the second one reads */
			r2 = chan_reg_create(f->dir, 64, 2, NULL, NULL, err, sizeof(err));
			assert_non_null(r2);
		}
		c = chan_find(r2, CH_SRV, nat, &f->now);
		assert_non_null(c);
		m = ch_lru(c, after, 16);
		assert_int_equal(m, n);
		assert_memory_equal(after, before, n * sizeof(before[0]));
		if (r2 != f->reg)
			chan_reg_destroy(r2, &f->now);
	}
}

/* Eviction with a live socket (the kernel's socket diagnostics, loopback
 * only): the table is full and its oldest entry's port carries a real TCP
 * connection from the NAT64 address; a new client evicts the next oldest
 * entry instead. Skipped where the port is taken or sock_diag is missing. */
static void
test_evict_spares_live_socket(void **state)
{
	struct ch_fx *f = *state;
	const uint32_t lo = 0x7f000001u;	/* 127.0.0.1: both ends on this host */
	uint8_t bitmap[LIVE_BITMAP_BYTES], c[16] = { 0x20, 0x01, 0x0d, 0xb8 };
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t alen = sizeof(a);
	struct chan_reg *reg;
	struct chan *ch;
	uint16_t oldest, second, p;
	bool created;
	char err[256];
	int ls, cs, one = 1;
	uint32_t i;

	reg = chan_reg_create(f->dir, 16, 2, live_query_kernel, NULL, err, sizeof(err));
	assert_non_null(reg);
	ch = chan_get_or_create(reg, lo, lo, &f->now);
	assert_non_null(ch);
	for (i = 1; ct_count(ch->t) < ct_capacity(ch->t); i++) {
		c[15] = (uint8_t)i;
		ch_advance(f, 10);
		assert_int_not_equal(chan_map_client(reg, ch, ch_prefix, c, 443, NULL, 0, 0,
		    ch_avoid, 2, &f->now, &created), 0);
	}
	oldest = ct_lru_oldest(ch->t);
	second = ct_lru_newer(ch->t, oldest);
	/* A connection from 127.0.0.1:oldest to a listener on 127.0.0.1. */
	ls = socket(AF_INET, SOCK_STREAM, 0);
	cs = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(ls >= 0 && cs >= 0);
	a.sin_addr.s_addr = htonl(lo);
	assert_int_equal(bind(ls, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(ls, 1), 0);
	assert_int_equal(getsockname(ls, (struct sockaddr *)&a, &alen), 0);
	setsockopt(cs, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	{
		struct sockaddr_in b = { .sin_family = AF_INET, .sin_port = htons(oldest),
		    .sin_addr.s_addr = htonl(lo) };

		if (bind(cs, (struct sockaddr *)&b, sizeof(b)) == -1 ||
		    live_query_kernel(NULL, lo, lo, bitmap) == -1) {
			close(cs);
			close(ls);
			chan_reg_destroy(reg, &f->now);
			skip();
		}
	}
	assert_int_equal(connect(cs, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(live_query_kernel(NULL, lo, lo, bitmap), 0);
	assert_true(live_bit(bitmap, oldest));
	c[15] = 200;
	ch_advance(f, 10);
	p = chan_map_client(reg, ch, ch_prefix, c, 443, NULL, 0, 0, ch_avoid, 2, &f->now, &created);
	assert_true(created);
	assert_int_not_equal(p, 0);
	assert_true(ct_port_used(ch->t, oldest));	/* the live one stays */
	assert_int_equal(ch->evicted, 1);
	assert_int_equal(ch->evicted_live, 0);
	assert_true(p == second || !ct_port_used(ch->t, second));
	close(cs);
	close(ls);
	chan_reg_destroy(reg, &f->now);
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
		cmocka_unit_test_setup_teardown(test_lazy_load, ch_setup, ch_teardown),
		cmocka_unit_test_setup_teardown(test_lru_across_restart, ch_setup, ch_teardown),
		cmocka_unit_test_setup_teardown(test_evict_spares_live_socket, ch_setup, ch_teardown),
		cmocka_unit_test_setup_teardown(test_evict_avoids_forbidden_and_live, lv_setup,
		    ch_teardown),
		cmocka_unit_test_setup_teardown(test_adopt_conflict_consistent, lv_setup,
		    ch_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
