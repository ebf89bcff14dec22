/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* Review tests for nat64-handoffd (channel.c, journal.c, conntable.c,
 * server.c): properties an adversarial review checked and found to hold.
 * - eviction never picks or reuses 3544, the handoff port or the control
 *   packet's source port, even when adopted entries there are the oldest,
 *   and prefers a non-live port inside the scan window;
 * - an adoption that conflicts on both the port and the client gives
 *   Deleted, Deleted, Created, and a replay of the journal as kill -9
 *   leaves it (no chan_reg_destroy) yields exactly the in-memory table;
 * - a bounce carrying a MAC made for another control port or token is
 *   refused and creates nothing (no channel, no file, no audit line);
 * - crafted journal records after a valid header never break the table:
 *   the LRU walk visits exactly ct_count() entries, all with ports >= 1024.
 * The live-TCP seam is a fake bitmap. No sockets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <cmocka.h>
#include <sodium.h>
#include <zlib.h>

#include "atomicfile.h"
#include "audit.h"
#include "channel.h"
#include "handoff_wire.h"
#include "ippkt.h"
#include "journal.h"
#include "server.h"
#include "validate.h"

#define RV_SRV		0xc0000201u	/* 192.0.2.1 */
#define RV_NAT		0xc0000207u	/* 192.0.2.7 */
#define RV_HPORT	6464
#define RV_CPORT	40000

static const uint8_t rv_prefix[12] = { 0x00, 0x64, 0xff, 0x9b };
static uint8_t rv_live[LIVE_BITMAP_BYTES];

static int
rv_fake_live(void *arg, uint32_t local, uint32_t nat64, uint8_t bitmap[LIVE_BITMAP_BYTES])
{
	(void)arg;
	(void)local;
	(void)nat64;
	memcpy(bitmap, rv_live, LIVE_BITMAP_BYTES);
	return 0;
}

struct rv_fx {
	char dir[64];
	struct chan_reg *reg;
	struct clk_now now;
};

static int
rv_setup(void **state)
{
	struct rv_fx *f = calloc(1, sizeof(*f));
	char err[256];

	if (f == NULL)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/nk-review-XXXXXX");
	if (mkdtemp(f->dir) == NULL || audit_open(f->dir, 0, err, sizeof(err)) == -1)
		return -1;
	f->now = clk_fake(1000, 1552903588);
	memset(rv_live, 0, sizeof(rv_live));
	f->reg = chan_reg_create(f->dir, 16, 8, rv_fake_live, NULL, err, sizeof(err));
	if (f->reg == NULL)
		return -1;
	*state = f;
	return 0;
}

static int
rv_teardown(void **state)
{
	struct rv_fx *f = *state;
	char cmd[128];

	if (f->reg)
		chan_reg_destroy(f->reg, &f->now);
	audit_close();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

static void
rv_client(uint8_t out[16], uint32_t n)
{
	memset(out, 0, 16);
	out[0] = 0x20; out[1] = 0x01; out[2] = 0x0d; out[3] = 0xb8;
	out[14] = (uint8_t)(n >> 8);
	out[15] = (uint8_t)n;
}

static char *
rv_audit(struct rv_fx *f)
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
rv_tick(struct rv_fx *f)
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
	struct rv_fx *f = *state;
	struct chan *ch = chan_get_or_create(f->reg, RV_SRV, RV_NAT, &f->now);
	const uint16_t avoid[2] = { RV_HPORT, RV_CPORT };
	uint8_t c[16];
	uint16_t first_plain = 0, p;
	bool created;
	uint32_t i;

	assert_non_null(ch);
	rv_client(c, 1);
	assert_true(chan_adopt(f->reg, ch, HW_TEREDO_PORT, rv_prefix, c, 1, NULL, 0, &f->now));
	rv_tick(f);
	rv_client(c, 2);
	assert_true(chan_adopt(f->reg, ch, RV_HPORT, rv_prefix, c, 1, NULL, 0, &f->now));
	rv_tick(f);
	rv_client(c, 3);
	assert_true(chan_adopt(f->reg, ch, RV_CPORT, rv_prefix, c, 1, NULL, 0, &f->now));
	for (i = 4; ct_count(ch->t) < ct_capacity(ch->t); i++) {
		rv_tick(f);
		rv_client(c, i);
		p = chan_map_client(f->reg, ch, rv_prefix, c, 1, NULL, 0, 0, avoid, 2, &f->now,
		    &created);
		assert_true(created);
		assert_true(p >= 1024 && p != HW_TEREDO_PORT && p != RV_HPORT && p != RV_CPORT);
		if (first_plain == 0)
			first_plain = p;
	}
	/* The oldest allocatable entry has a live TCP connection. */
	rv_live[first_plain >> 3] |= (uint8_t)(1u << (first_plain & 7));
	f->now.mono_ms += 5000;		/* the cached bitmap expires */
	rv_tick(f);
	rv_client(c, 1000);
	p = chan_map_client(f->reg, ch, rv_prefix, c, 1, NULL, 0, 0, avoid, 2, &f->now, &created);
	assert_true(created);
	assert_int_not_equal(p, 0);
	assert_int_not_equal(p, first_plain);
	assert_true(p != HW_TEREDO_PORT && p != RV_HPORT && p != RV_CPORT);
	assert_true(ct_port_used(ch->t, HW_TEREDO_PORT));
	assert_true(ct_port_used(ch->t, RV_HPORT));
	assert_true(ct_port_used(ch->t, RV_CPORT));
	assert_true(ct_port_used(ch->t, first_plain));
	assert_int_equal(ch->evicted, 1);
	assert_int_equal(ch->evicted_live, 0);
	assert_int_equal(ct_count(ch->t), ct_capacity(ch->t));
}

/* Count entries along the LRU list, checking each. */
static uint32_t
rv_lru_walk(const struct ct_table *t)
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
	struct rv_fx *f = *state;
	struct chan *ch = chan_get_or_create(f->reg, RV_SRV, RV_NAT, &f->now);
	struct chan_reg *reg2;
	struct chan *ch2;
	struct ct_view v, v2;
	uint8_t x[16], y[16];
	char err[256], *log, *d1, *d2, *cr;
	uint16_t p;

	assert_non_null(ch);
	rv_client(x, 1);
	rv_client(y, 2);
	assert_true(chan_adopt(f->reg, ch, 2000, rv_prefix, x, 10, NULL, 0, &f->now));
	assert_true(chan_adopt(f->reg, ch, 3000, rv_prefix, y, 20, NULL, 0, &f->now));
	rv_tick(f);
	/* x claims y's port. */
	assert_true(chan_adopt(f->reg, ch, 3000, rv_prefix, x, 10, (const uint8_t *)"au", 2,
	    &f->now));
	assert_int_equal(ct_count(ch->t), 1);
	assert_int_equal(ct_find_client(ch->t, rv_prefix, x, 10), 3000);
	assert_int_equal(ct_find_client(ch->t, rv_prefix, y, 20), 0);
	assert_false(ct_port_used(ch->t, 2000));
	chan_flush(f->reg);
	log = rv_audit(f);
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
	ch2 = chan_find(reg2, RV_SRV, RV_NAT, &f->now);
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
	assert_int_equal(rv_lru_walk(ch2->t), ct_count(ch2->t));
	chan_reg_destroy(reg2, &f->now);
}

/* A bounce whose MAC was made for another control port (or token) of
 * the same NAT64 address does not validate, and nothing is created. */
static void
test_bounce_bound_to_port_and_token(void **state)
{
	struct rv_fx *f = *state;
	static struct srv_ctx s;
	static uint8_t txbuf[SRV_TX_MAX];
	static const uint8_t srv4[4] = { 192, 0, 2, 1 }, nat4[4] = { 192, 0, 2, 7 };
	static const uint8_t tok_a[16] = "token-AAAAAAAAAA", tok_b[16] = "token-BBBBBBBBBB";
	uint8_t pkt[128], ctl[1700], ip4[1600], c6[16], s6[16];
	struct srv_tx tx = { .buf = txbuf };
	struct buf_wr w;
	size_t n, vlen;
	char path[160], *log;
	int round;

	memset(&s, 0, sizeof(s));
	s.reg = f->reg;
	s.vs = val_create(16);
	s.port = RV_HPORT;
	rv_client(c6, 9);
	memcpy(s6, rv_prefix, 12);
	memcpy(s6 + 12, srv4, 4);
	n = ippkt_tcp6(pkt, sizeof(pkt), c6, s6, 1234, 80, 1, 0, 0x02, NULL, 0);
	assert_true(n > 0);
	for (round = 0; round < 2; round++) {
		/* Trigger from port RV_CPORT with token A. */
		val_set_attenuation(s.vs, 2);
		buf_wr_init(&w, ctl, sizeof(ctl));
		hw_put_blob(&w, HW_T_TOKEN, tok_a, sizeof(tok_a));
		hw_put_blob(&w, HW_T_AUTH, (const uint8_t *)"au", 2);
		hw_put_ip(&w, pkt, n);
		assert_int_equal(srv_handle(&s, RV_SRV, RV_NAT, RV_CPORT, ctl, w.off, &f->now, &tx), 1);
		assert_int_equal(tx.dport, HW_DISCARD_PORT);
		vlen = ippkt_udp4(ip4, sizeof(ip4), srv4, nat4, RV_HPORT, HW_DISCARD_PORT, tx.buf,
		    tx.len);
		assert_true(vlen > 0);
		/* Replayed from another port (round 0) or with another token (round 1). */
		buf_wr_init(&w, ctl, sizeof(ctl));
		hw_put_blob(&w, HW_T_TOKEN, round ? tok_b : tok_a, 16);
		hw_put_ip(&w, ip4, vlen);
		val_set_attenuation(s.vs, 0);	/* no new validation packet either */
		assert_int_equal(srv_handle(&s, RV_SRV, RV_NAT, round ? RV_CPORT : RV_CPORT + 1,
		    ctl, w.off, &f->now, &tx), 0);
	}
	assert_int_equal(s.c[SRV_C_validated], 0);
	assert_int_equal(s.c[SRV_C_bad_bounce], 2);
	assert_int_equal(val_token_count(s.vs), 0);
	assert_int_equal(chan_count(f->reg), 0);
	snprintf(path, sizeof(path), "%s/channels/192.0.2.7-192.0.2.1.tbl", f->dir);
	assert_int_equal(access(path, F_OK), -1);
	log = rv_audit(f);
	assert_string_equal(log, "");
	free(log);
	val_destroy(s.vs);
}

/* Crafted records after a valid header: whatever is replayed, the table
 * stays consistent. Deterministic pseudo-random records, with valid CRCs
 * half of the time so the replay goes deep. */
static uint32_t rv_seed = 12345;

static uint32_t
rv_rand(void)
{
	rv_seed = rv_seed * 1103515245u + 12345u;
	return rv_seed >> 8;
}

static void
test_crafted_journal_consistent(void **state)
{
	struct rv_fx *f = *state;
	uint8_t key[16] = { 1 }, rec[JR_HDR_LEN + 600];
	char path[160], err[512];
	struct jr_load_result res;
	struct ct_view v;
	uint32_t kept = 0, cut = 0;
	int iter, k;

	snprintf(path, sizeof(path), "%s/crafted.tbl", f->dir);
	for (iter = 0; iter < 200; iter++) {
		struct ct_table *t = ct_create(16, key);
		struct jr_file *jf;
		int fd, wild = iter % 2 == 0;	/* odd rounds: well-formed records only */

		unlink(path);
		jf = jr_open(path, RV_NAT, RV_SRV, t, &res, 0, err, sizeof(err));
		assert_non_null(jf);
		jr_close(jf);
		ct_destroy(t);
		fd = open(path, O_WRONLY | O_APPEND);
		assert_true(fd >= 0);
		for (k = 0; k < 60; k++) {
			size_t len;

			if (rv_rand() % 3 == 0) {
				rec[0] = (uint8_t)(wild && rv_rand() % 8 == 0 ? rv_rand() : 2);
				rec[1] = (uint8_t)(wild && rv_rand() % 8 == 0 ? rv_rand() : 0);
				be16_store(rec + 2, (uint16_t)(!wild || rv_rand() % 8 ? 1024 + rv_rand() % 40 :
				    rv_rand()));
				len = 4;
			} else {
				size_t alen = (rv_rand() % 4 == 0) ? (rv_rand() % 256) * 2 : 0;
				size_t i;

				rec[0] = 1;
				rec[1] = (uint8_t)(alen / 2);
				be16_store(rec + 2, (uint16_t)(!wild || rv_rand() % 8 ? 1024 + rv_rand() % 40 :
				    rv_rand()));
				be16_store(rec + 4, (uint16_t)(rv_rand() % 4));
				be32_store(rec + 6, rv_rand());
				memset(rec + 10, 0, 28);
				rec[21] = (uint8_t)(rv_rand() % 3);
				rec[37] = (uint8_t)(rv_rand() % 6);
				for (i = 0; i < alen; i++)
					rec[38 + i] = (uint8_t)(rv_rand() % 3);
				len = 38 + alen;
			}
			be32_store(rec + len, (uint32_t)crc32(0, rec, (uInt)len));
			if (wild && rv_rand() % 16 == 0)
				rec[rv_rand() % (len + 4)] ^= 0x40;
			assert_int_equal(write(fd, rec, len + 4), (ssize_t)(len + 4));
		}
		close(fd);
		t = ct_create(16, key);
		jf = jr_open(path, RV_NAT, RV_SRV, t, &res, 0, err, sizeof(err));
		assert_non_null(jf);
		assert_true(ct_count(t) <= ct_capacity(t));
		assert_int_equal(rv_lru_walk(t), ct_count(t));
		kept += ct_count(t);
		cut += res.truncated;
		if (!wild)
			assert_false(res.truncated);
		/* What was kept reloads to the same table after compaction. */
		assert_int_equal(jr_compact(jf, t, err, sizeof(err)), 0);
		jr_close(jf);
		{
			struct ct_table *t2 = ct_create(16, key);
			uint16_t p;

			jf = jr_open(path, RV_NAT, RV_SRV, t2, &res, 0, err, sizeof(err));
			assert_non_null(jf);
			assert_false(res.truncated);
			assert_int_equal(ct_count(t2), ct_count(t));
			for (p = ct_lru_oldest(t); p; p = ct_lru_newer(t, p)) {
				assert_true(ct_get(t2, p, &v));
			}
			/* LRU order survives compaction + reload. */
			{
				uint16_t a = ct_lru_oldest(t), b = ct_lru_oldest(t2);

				while (a && b) {
					assert_int_equal(a, b);
					a = ct_lru_newer(t, a);
					b = ct_lru_newer(t2, b);
				}
				assert_int_equal(a, b);
			}
			jr_close(jf);
			ct_destroy(t2);
		}
		ct_destroy(t);
	}
	/* The generator reaches both deep replays and cut tails. */
	assert_true(kept > 200);
	assert_int_equal(cut, 100);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_evict_avoids_forbidden_and_live, rv_setup,
		    rv_teardown),
		cmocka_unit_test_setup_teardown(test_adopt_conflict_consistent, rv_setup,
		    rv_teardown),
		cmocka_unit_test_setup_teardown(test_bounce_bound_to_port_and_token, rv_setup,
		    rv_teardown),
		cmocka_unit_test_setup_teardown(test_crafted_journal_consistent, rv_setup,
		    rv_teardown),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
