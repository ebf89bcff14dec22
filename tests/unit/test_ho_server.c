/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* Unit tests for handoffd/server.c with the real channel registry,
 * journal and validation modules on a temporary state directory: the
 * test plays the NAT64 with the shared wire module (lib/handoff_wire.c)
 * and packet builders (lib/ippkt.c). No sockets; the live-TCP seam is a
 * fake bitmap the test controls. */
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>
#include <sodium.h>

#include "atomicfile.h"
#include "ho_audit.h"
#include "ho_channel.h"
#include "cksum.h"
#include "handoff_wire.h"
#include "ippkt.h"
#include "ho_server.h"
#include "ho_validate.h"

#define SRV	0xc0000201u	/* 192.0.2.1 */
#define NAT	0xc0000207u	/* 192.0.2.7 */
#define NATPORT	40000
#define HPORT	6464

static const uint8_t srv4[4] = { 192, 0, 2, 1 };
static const uint8_t nat4[4] = { 192, 0, 2, 7 };
static const uint8_t prefix[12] = { 0x00, 0x64, 0xff, 0x9b };
static const uint8_t token[16] = "nat64-token-0001";
static const uint8_t auth[16] = "authenticator-01";

static uint8_t live_map[LIVE_BITMAP_BYTES];
static int live_calls;

static int
fake_live(void *arg, uint32_t local, uint32_t nat64, uint8_t bitmap[LIVE_BITMAP_BYTES])
{
	(void)arg;
	(void)local;
	(void)nat64;
	live_calls++;
	memcpy(bitmap, live_map, LIVE_BITMAP_BYTES);
	return 0;
}

struct fixture {
	char dir[64];
	struct srv_ctx s;
	uint8_t txbuf[SRV_TX_MAX];
	struct srv_tx tx;
	struct clk_now now;
	uint32_t table_size;
};

static void
fx_open(struct fixture *f)
{
	char err[512];

	f->s.reg = chan_reg_create(f->dir, f->table_size, 8, fake_live, NULL, err, sizeof(err));
	assert_non_null(f->s.reg);
	f->s.vs = val_create(32);
	f->s.port = HPORT;
	f->tx.buf = f->txbuf;
}

static void
fx_close(struct fixture *f)
{
	chan_reg_destroy(f->s.reg, &f->now);
	val_destroy(f->s.vs);
	memset(f->s.c, 0, sizeof(f->s.c));
}

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char err[256], logdir[80];

	snprintf(f->dir, sizeof(f->dir), "/tmp/nk-srv-XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(logdir, sizeof(logdir), "%s", f->dir);
	if (audit_open(logdir, 0, err, sizeof(err)) == -1)
		return -1;
	f->now = clk_fake(1000, 1552903588);	/* 2019-03-18 10:06:28 UTC */
	f->table_size = 64;
	memset(live_map, 0, sizeof(live_map));
	fx_open(f);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];

	fx_close(f);
	audit_close();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

/* The audit log so far. */
static char *
audit_text(struct fixture *f)
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
client6(uint8_t out[16], uint32_t n)
{
	memset(out, 0, 16);
	out[0] = 0x20; out[1] = 0x01; out[2] = 0x0d; out[3] = 0xb8;
	out[14] = (uint8_t)(n >> 8);
	out[15] = (uint8_t)n;
}

static void
server6(uint8_t out[16])
{
	memcpy(out, prefix, 12);
	memcpy(out + 12, srv4, 4);
}

/* NAT64 -> server: [token][auth][IPv6 TCP SYN from client:cport to the server:80]. */
static int
send_syn6(struct fixture *f, uint32_t client, uint16_t cport)
{
	uint8_t pkt[128], ctl[256], c6[16], s6[16];
	struct buf_wr w;
	size_t n;

	client6(c6, client);
	server6(s6);
	n = ippkt_tcp6(pkt, sizeof(pkt), c6, s6, cport, 80, 1, 0, 0x02, NULL, 0);
	assert_true(n > 0);
	buf_wr_init(&w, ctl, sizeof(ctl));
	hw_put_blob(&w, HW_T_TOKEN, token, sizeof(token));
	hw_put_blob(&w, HW_T_AUTH, auth, sizeof(auth));
	hw_put_ip(&w, pkt, n);
	assert_false(w.err);
	return srv_handle(&f->s, SRV, NAT, NATPORT, ctl, w.off, &f->now, &f->tx);
}

/* Play the NAT64's bounce of the validation packet in f->tx. */
static int
bounce(struct fixture *f, bool corrupt)
{
	uint8_t ip4[1500], ctl[1600];
	struct buf_wr w;
	size_t n;

	assert_int_equal(f->tx.dport, HW_DISCARD_PORT);
	assert_int_equal(f->tx.dst, NAT);
	if (corrupt)
		f->tx.buf[f->tx.len - 1] ^= 1;
	n = ippkt_udp4(ip4, sizeof(ip4), srv4, nat4, HPORT, HW_DISCARD_PORT, f->tx.buf, f->tx.len);
	assert_true(n > 0);
	buf_wr_init(&w, ctl, sizeof(ctl));
	hw_put_blob(&w, HW_T_TOKEN, token, sizeof(token));
	hw_put_ip(&w, ip4, n);
	return srv_handle(&f->s, SRV, NAT, NATPORT, ctl, w.off, &f->now, &f->tx);
}

static void
validate(struct fixture *f)
{
	val_set_attenuation(f->s.vs, 2);
	assert_int_equal(send_syn6(f, 1, 1111), 1);
	assert_int_equal(bounce(f, false), 1);
	assert_int_equal(f->s.c[SRV_C_validated], 1);
}

/* Parse a server->NAT64 answer and return its entry. */
static struct hw_entry
answer_entry(struct fixture *f)
{
	struct hw_packet p;

	assert_int_equal(f->tx.dst, NAT);
	assert_int_equal(f->tx.dport, NATPORT);
	assert_int_equal(f->tx.local, SRV);
	assert_int_equal(hw_parse(f->tx.buf, f->tx.len, &p), HW_OK);
	assert_int_equal(hw_check_to_nat64(&p), HW_OK);
	assert_int_equal(p.n_entries, 1);
	assert_true(hw_has(&p, HW_T_AUTH));
	assert_int_equal(p.auth.len, sizeof(auth));
	assert_memory_equal(p.auth.p, auth, sizeof(auth));
	return p.entries[0];
}

static void
test_validation_then_entries(void **state)
{
	struct fixture *f = *state;
	struct hw_packet p;
	struct hw_entry e, e2;
	uint8_t c6[16];
	char *log;

	val_set_attenuation(f->s.vs, 2);
	/* Unknown token: the answer is the validation packet to port 9. */
	assert_int_equal(send_syn6(f, 1, 1111), 1);
	assert_int_equal(f->tx.dport, HW_DISCARD_PORT);
	assert_int_equal(hw_parse(f->tx.buf, f->tx.len, &p), HW_OK);
	assert_true(hw_has(&p, HW_T_AUTH));
	assert_int_equal(p.ip_version, 6);
	assert_int_equal(p.ip.p[6], IPPKT_PROTO_NONE6);
	assert_int_equal(p.ip.len, 40 + VAL_MAC_LEN);
	/* nothing stored, nothing logged yet */
	assert_int_equal(chan_count(f->s.reg), 0);
	log = audit_text(f);
	assert_string_equal(log, "");
	free(log);
	/* A forged bounce (wrong MAC) validates nothing. */
	assert_int_equal(bounce(f, true), 1);	/* just another validation packet */
	assert_int_equal(f->s.c[SRV_C_bad_bounce], 1);
	assert_int_equal(chan_count(f->s.reg), 0);
	/* The real bounce validates and is consumed. (Attenuation has
	 * used its two packets: start it afresh for this step.) */
	assert_int_equal(send_syn6(f, 1, 1111), 0);
	assert_int_equal(f->s.c[SRV_C_drop_attenuated], 1);
	val_set_attenuation(f->s.vs, 2);
	assert_int_equal(send_syn6(f, 1, 1111), 1);
	assert_int_equal(bounce(f, false), 1);
	assert_int_equal(chan_count(f->s.reg), 1);
	/* The bounce is answered: [token][IPv4 UDP 6464 -> NAT64:9, empty],
	 * back to the control port. */
	assert_int_equal(f->tx.dport, NATPORT);
	assert_int_equal(hw_parse(f->tx.buf, f->tx.len, &p), HW_OK);
	assert_int_equal(hw_check_to_nat64(&p), HW_OK);
	assert_true(hw_has(&p, HW_T_TOKEN));
	assert_memory_equal(p.token.p, token, sizeof(token));
	{
		struct ippkt4 ip;
		uint8_t ctl[128];
		struct buf_wr w;

		assert_true(ippkt_parse4(p.ip.p, p.ip.len, &ip));
		assert_int_equal(ip.proto, IPPKT_PROTO_UDP);
		assert_int_equal(ip.sport, HPORT);
		assert_int_equal(ip.dport, HW_DISCARD_PORT);
		assert_int_equal(ip.l4_len, 8);
		/* returned again by a NAT64 that forwards what it cannot
		 * match: consumed, no answer, no loop */
		buf_wr_init(&w, ctl, sizeof(ctl));
		hw_put_blob(&w, HW_T_TOKEN, token, sizeof(token));
		hw_put_ip(&w, p.ip.p, p.ip.len);
		assert_int_equal(srv_handle(&f->s, SRV, NAT, NATPORT, ctl, w.off, &f->now, &f->tx), 0);
		assert_int_equal(f->s.c[SRV_C_bounce_repeat], 1);
	}
	log = audit_text(f);
	assert_string_equal(log, "2019-03-18 10:06:28.000000 Initialized 192.0.2.7\n");
	free(log);
	/* Now the SYN gets [auth][entry][the IPv6 packet]. */
	assert_int_equal(send_syn6(f, 1, 1111), 1);
	e = answer_entry(f);
	client6(c6, 1);
	assert_memory_equal(e.client, c6, 16);
	assert_int_equal(e.client_port, 1111);
	assert_memory_equal(e.prefix, prefix, 12);
	assert_true(e.mapped_port >= 1024);
	assert_int_not_equal(e.mapped_port, 3544);
	assert_int_not_equal(e.mapped_port, HPORT);
	assert_int_not_equal(e.mapped_port, NATPORT);
	/* Same client again: same port, no new audit line. */
	assert_int_equal(send_syn6(f, 1, 1111), 1);
	e2 = answer_entry(f);
	assert_int_equal(e2.mapped_port, e.mapped_port);
	assert_int_equal(f->s.c[SRV_C_entries_created], 1);
	assert_int_equal(f->s.c[SRV_C_entries_found], 1);
	log = audit_text(f);
	{
		char want[160];

		snprintf(want, sizeof(want), "2019-03-18 10:06:28.000000 Created 192.0.2.7:%u "
		    "[2001:db8::1]:1111\n", e.mapped_port);
		assert_non_null(strstr(log, want));
	}
	free(log);
}

static void
test_attenuated_unknown_tokens(void **state)
{
	struct fixture *f = *state;
	int i, sent = 0;

	val_set_attenuation(f->s.vs, 2);
	for (i = 0; i < 300; i++)
		sent += send_syn6(f, (uint32_t)i, 2000);
	assert_int_equal(sent, (int)f->s.c[SRV_C_validation_sent]);
	assert_int_equal(300 - sent, (int)f->s.c[SRV_C_drop_attenuated]);
	assert_in_range(sent, 150, 210);	/* ~60 % answered */
	assert_int_equal(chan_count(f->s.reg), 0);
}

static void
test_ipv4_lookup(void **state)
{
	struct fixture *f = *state;
	uint8_t pkt[128], ctl[256];
	struct hw_entry e, got;
	struct hw_packet p;
	struct buf_wr w;
	size_t n;

	validate(f);
	assert_int_equal(send_syn6(f, 5, 5555), 1);
	e = answer_entry(f);
	/* The server host's SYN-ACK to nat64:mapped port, missed in the cache. */
	n = ippkt_tcp4(pkt, sizeof(pkt), srv4, nat4, 80, e.mapped_port, 9, 2, 0x12, NULL, 0);
	buf_wr_init(&w, ctl, sizeof(ctl));
	hw_put_blob(&w, HW_T_TOKEN, token, sizeof(token));
	hw_put_ip(&w, pkt, n);
	assert_int_equal(srv_handle(&f->s, SRV, NAT, NATPORT, ctl, w.off, &f->now, &f->tx), 1);
	got = answer_entry(f);
	assert_int_equal(got.mapped_port, e.mapped_port);
	assert_int_equal(got.client_port, 5555);
	/* An unknown port: the packet comes back with the token. */
	n = ippkt_tcp4(pkt, sizeof(pkt), srv4, nat4, 80, (uint16_t)(e.mapped_port ^ 1), 9, 2, 0x12,
	    NULL, 0);
	buf_wr_init(&w, ctl, sizeof(ctl));
	hw_put_blob(&w, HW_T_TOKEN, token, sizeof(token));
	hw_put_ip(&w, pkt, n);
	assert_int_equal(srv_handle(&f->s, SRV, NAT, NATPORT, ctl, w.off, &f->now, &f->tx), 1);
	assert_int_equal(hw_parse(f->tx.buf, f->tx.len, &p), HW_OK);
	assert_int_equal(hw_check_to_nat64(&p), HW_OK);
	assert_int_equal(p.n_entries, 0);
	assert_true(hw_has(&p, HW_T_TOKEN));
	assert_int_equal(p.ip.len, n);
	assert_memory_equal(p.ip.p, pkt, n);
	/* Another protocol (GRE, 47): ICMP protocol unreachable back. */
	memcpy(pkt, (const uint8_t[]){ 0x45, 0, 0, 24, 0, 0, 0, 0, 64, 47, 0, 0,
	    192, 0, 2, 1, 192, 0, 2, 7, 0, 0, 0x08, 0 }, 24);
	buf_wr_init(&w, ctl, sizeof(ctl));
	hw_put_blob(&w, HW_T_TOKEN, token, sizeof(token));
	hw_put_ip(&w, pkt, 24);
	assert_int_equal(srv_handle(&f->s, SRV, NAT, NATPORT, ctl, w.off, &f->now, &f->tx), 1);
	assert_int_equal(hw_parse(f->tx.buf, f->tx.len, &p), HW_OK);
	assert_int_equal(p.ip_version, 4);
	{
		struct ippkt4 ip;

		assert_true(ippkt_parse4(p.ip.p, p.ip.len, &ip));
		assert_int_equal(ip.proto, IPPKT_PROTO_ICMP);
		assert_memory_equal(ip.src, nat4, 4);
		assert_memory_equal(ip.dst, srv4, 4);
		assert_int_equal(ip.l4[0], 3);
		assert_int_equal(ip.l4[1], 2);
		assert_int_equal(cksum_finish(cksum_add(0, ip.l4, ip.l4_len)), 0);
	}
}

static void
test_echo(void **state)
{
	struct fixture *f = *state;
	uint8_t pkt[128], ctl[256], c6[16], s6[16];
	struct hw_packet p;
	struct ippkt6 ip;
	struct buf_wr w;
	size_t n;

	validate(f);
	client6(c6, 9);
	server6(s6);
	n = ippkt_icmp6_echo(pkt, sizeof(pkt), c6, s6, 128, 0x1234, 7, (const uint8_t *)"ping", 4);
	buf_wr_init(&w, ctl, sizeof(ctl));
	hw_put_blob(&w, HW_T_TOKEN, token, sizeof(token));
	hw_put_blob(&w, HW_T_AUTH, auth, sizeof(auth));
	hw_put_ip(&w, pkt, n);
	assert_int_equal(srv_handle(&f->s, SRV, NAT, NATPORT, ctl, w.off, &f->now, &f->tx), 1);
	assert_int_equal(hw_parse(f->tx.buf, f->tx.len, &p), HW_OK);
	assert_int_equal(hw_check_to_nat64(&p), HW_OK);
	assert_true(ippkt_parse6(p.ip.p, p.ip.len, &ip));
	assert_int_equal(ip.nh, IPPKT_PROTO_ICMP6);
	assert_memory_equal(ip.src, s6, 16);
	assert_memory_equal(ip.dst, c6, 16);
	assert_int_equal(ip.l4[0], 129);
	assert_int_equal(ip.l4[5], 0x34);
	assert_int_equal(ip.l4[7], 7);
	assert_memory_equal(ip.l4 + 8, "ping", 4);
	assert_int_equal(cksum_finish(cksum_pseudo6(ip.src, ip.dst, IPPKT_PROTO_ICMP6,
	    (uint32_t)ip.l4_len) + cksum_add(0, ip.l4, ip.l4_len) - 0), 0);
	assert_int_equal(chan_count(f->s.reg), 1);
	assert_int_equal(f->s.c[SRV_C_entries_created], 0);
}

static void
test_wrong_destination_and_garbage(void **state)
{
	struct fixture *f = *state;
	uint8_t pkt[128], ctl[256], c6[16], s6[16];
	struct buf_wr w;
	size_t n, i;
	uint32_t seed = 99;

	validate(f);
	client6(c6, 3);
	server6(s6);
	s6[15] = 99;	/* 192.0.2.99: not this server */
	n = ippkt_udp6(pkt, sizeof(pkt), c6, s6, 3333, 53, (const uint8_t *)"q", 1);
	buf_wr_init(&w, ctl, sizeof(ctl));
	hw_put_blob(&w, HW_T_TOKEN, token, sizeof(token));
	hw_put_blob(&w, HW_T_AUTH, auth, sizeof(auth));
	hw_put_ip(&w, pkt, n);
	assert_int_equal(srv_handle(&f->s, SRV, NAT, NATPORT, ctl, w.off, &f->now, &f->tx), 0);
	assert_int_equal(f->s.c[SRV_C_drop_wrong_destination], 1);
	/* random garbage and truncations of a good packet never crash */
	for (i = 0; i < 20000; i++) {
		uint8_t junk[300];
		size_t k, len = 1 + i % sizeof(junk);

		for (k = 0; k < len; k++) {
			seed = seed * 1103515245u + 12345u;
			junk[k] = (uint8_t)(seed >> 16);
		}
		if (i % 2)
			junk[0] = 0x34;		/* a token message header */
		srv_handle(&f->s, SRV, NAT, NATPORT, junk, len, &f->now, &f->tx);
	}
	for (i = 1; i < w.off; i++)
		srv_handle(&f->s, SRV, NAT, NATPORT, ctl, i, &f->now, &f->tx);
	/* a duplicate type and an unknown format are counted by name */
	{
		uint8_t dup[64], fmt[8] = { 0x50, 0, 0, 0 };
		struct buf_wr d;
		uint64_t before = f->s.wire_drop[HW_E_DUP];

		buf_wr_init(&d, dup, sizeof(dup));
		hw_put_blob(&d, HW_T_TOKEN, token, 4);
		hw_put_blob(&d, HW_T_TOKEN, token, 4);
		assert_int_equal(srv_handle(&f->s, SRV, NAT, NATPORT, dup, d.off, &f->now, &f->tx), 0);
		assert_int_equal(f->s.wire_drop[HW_E_DUP], before + 1);
		before = f->s.wire_drop[HW_E_FORMAT];
		assert_int_equal(srv_handle(&f->s, SRV, NAT, NATPORT, fmt, 4, &f->now, &f->tx), 0);
		assert_int_equal(f->s.wire_drop[HW_E_FORMAT], before + 1);
	}
	assert_int_equal(chan_count(f->s.reg), 1);
}

/* Full table: the LRU entry whose port has no live TCP connection is
 * deleted and its port reused at once. */
static void
test_eviction_spares_live(void **state)
{
	struct fixture *f = *state;
	struct hw_entry first, second, e;
	struct chan *ch;
	char *log, want[256];
	uint32_t i;

	validate(f);
	assert_int_equal(send_syn6(f, 100, 100), 1);
	first = answer_entry(f);
	f->now.wall.tv_sec++;
	assert_int_equal(send_syn6(f, 101, 101), 1);
	second = answer_entry(f);
	for (i = 2; i < f->table_size; i++) {
		f->now.wall.tv_sec++;
		assert_int_equal(send_syn6(f, 100 + i, (uint16_t)(100 + i)), 1);
	}
	ch = chan_find(f->s.reg, SRV, NAT, &f->now);
	assert_int_equal(ct_count(ch->t), f->table_size);
	/* the oldest has a live TCP connection on this host */
	live_map[first.mapped_port >> 3] |= (uint8_t)(1u << (first.mapped_port & 7));
	f->now.mono_ms += 5000;
	assert_int_equal(send_syn6(f, 999, 999), 1);
	e = answer_entry(f);
	assert_int_equal(e.mapped_port, second.mapped_port);
	assert_int_equal(ct_count(ch->t), f->table_size);
	assert_int_equal(ch->evicted, 1);
	assert_int_equal(ch->evicted_live, 0);
	log = audit_text(f);
	snprintf(want, sizeof(want), "Deleted 192.0.2.7:%u [2001:db8::65]:101\n", second.mapped_port);
	assert_non_null(strstr(log, want));
	snprintf(want, sizeof(want), "Deleted 192.0.2.7:%u [2001:db8::65]:101\n"
	    "2019-03-18 10:07:31.000000 Created 192.0.2.7:%u [2001:db8::3e7]:999\n",
	    second.mapped_port, second.mapped_port);
	assert_non_null(strstr(log, want));
	free(log);
	/* the live one is still there */
	assert_true(ct_port_used(ch->t, first.mapped_port));
	assert_true(live_calls > 0);
}

static void
test_adopt_newest_wins(void **state)
{
	struct fixture *f = *state;
	uint8_t ctl[512];
	struct hw_entry e = { .mapped_port = 7000, .client_port = 700 };
	struct buf_wr w;
	struct chan *ch;
	struct ct_view v;
	char *log;

	validate(f);
	memcpy(e.prefix, prefix, 12);
	client6(e.client, 0x70);
	buf_wr_init(&w, ctl, sizeof(ctl));
	hw_put_ident(&w);
	hw_put_blob(&w, HW_T_TOKEN, token, sizeof(token));
	hw_put_blob(&w, HW_T_AUTH, auth, sizeof(auth));
	hw_put_entry(&w, &e);
	assert_int_equal(srv_handle(&f->s, SRV, NAT, NATPORT, ctl, w.off, &f->now, &f->tx), 0);
	ch = chan_find(f->s.reg, SRV, NAT, &f->now);
	assert_true(ct_get(ch->t, 7000, &v));
	assert_int_equal(v.client_port, 700);
	/* the same port for another client: newest wins */
	client6(e.client, 0x71);
	buf_wr_init(&w, ctl, sizeof(ctl));
	hw_put_ident(&w);
	hw_put_blob(&w, HW_T_TOKEN, token, sizeof(token));
	hw_put_blob(&w, HW_T_AUTH, auth, sizeof(auth));
	hw_put_entry(&w, &e);
	assert_int_equal(srv_handle(&f->s, SRV, NAT, NATPORT, ctl, w.off, &f->now, &f->tx), 0);
	assert_true(ct_get(ch->t, 7000, &v));
	assert_int_equal(v.client[15], 0x71);
	log = audit_text(f);
	assert_non_null(strstr(log, "Deleted 192.0.2.7:7000 [2001:db8::70]:700\n"
	    "2019-03-18 10:06:28.000000 Created 192.0.2.7:7000 [2001:db8::71]:700\n"));
	free(log);
	/* a §7 multi packet: two groups */
	{
		struct hw_entry m = e;
		int i;

		buf_wr_init(&w, ctl, sizeof(ctl));
		hw_put_ident(&w);
		hw_put_blob(&w, HW_T_TOKEN, token, sizeof(token));
		hw_put_blob(&w, HW_T_AUTH, (const uint8_t *)"group-one-auth!!", 16);
		for (i = 0; i < 3; i++) {
			m.mapped_port = (uint16_t)(8000 + i);
			m.client_port = (uint16_t)(800 + i);
			hw_put_entry(&w, &m);
		}
		hw_put_blob(&w, HW_T_AUTH, (const uint8_t *)"group-two-auth!!", 16);
		m.mapped_port = 8100;
		client6(m.client, 0x81);
		hw_put_entry(&w, &m);
		assert_false(w.err);
		assert_int_equal(srv_handle(&f->s, SRV, NAT, NATPORT, ctl, w.off, &f->now, &f->tx), 0);
		assert_true(ct_get(ch->t, 8002, &v));
		assert_memory_equal(v.auth, "group-one-auth!!", 16);
		assert_true(ct_get(ch->t, 8100, &v));
		assert_memory_equal(v.auth, "group-two-auth!!", 16);
	}
	/* 0, 9 (validation packets go there), 3544, our handoff port and
	 * the NAT64's own control port are refused */
	{
		const uint16_t bad[5] = { 0, HW_DISCARD_PORT, 3544, HPORT, NATPORT };
		int i;

		for (i = 0; i < 5; i++) {
			e.mapped_port = bad[i];
			client6(e.client, (uint32_t)(0x90 + i));
			buf_wr_init(&w, ctl, sizeof(ctl));
			hw_put_ident(&w);
			hw_put_blob(&w, HW_T_TOKEN, token, sizeof(token));
			hw_put_blob(&w, HW_T_AUTH, auth, sizeof(auth));
			hw_put_entry(&w, &e);
			srv_handle(&f->s, SRV, NAT, NATPORT, ctl, w.off, &f->now, &f->tx);
			assert_false(ct_port_used(ch->t, bad[i]));
		}
		assert_int_equal(f->s.c[SRV_C_drop_entry], 5);
	}
	/* a port below 1024 the NAT64 chose is adopted (RFC 6146 lets it
	 * keep one) and looked up like any other */
	e.mapped_port = 80;
	client6(e.client, 0x80);
	buf_wr_init(&w, ctl, sizeof(ctl));
	hw_put_ident(&w);
	hw_put_blob(&w, HW_T_TOKEN, token, sizeof(token));
	hw_put_blob(&w, HW_T_AUTH, auth, sizeof(auth));
	hw_put_entry(&w, &e);
	srv_handle(&f->s, SRV, NAT, NATPORT, ctl, w.off, &f->now, &f->tx);
	assert_int_equal(f->s.c[SRV_C_drop_entry], 5);
	assert_true(ct_get(ch->t, 80, &v));
	assert_int_equal(v.client[15], 0x80);
	log = audit_text(f);
	assert_non_null(strstr(log, "Created 192.0.2.7:80 [2001:db8::80]:700\n"));
	free(log);
}

/* An announced low port is evicted like any entry when the table is
 * full, but its port is never handed out: the new client gets a free
 * port from 1024 up. */
static void
test_low_port_evicted_not_reused(void **state)
{
	struct fixture *f = *state;
	uint8_t ctl[512];
	struct hw_entry e = { .mapped_port = 443, .client_port = 4430 }, got;
	struct buf_wr w;
	struct chan *ch;
	uint32_t i;

	validate(f);
	memcpy(e.prefix, prefix, 12);
	client6(e.client, 0x443);
	buf_wr_init(&w, ctl, sizeof(ctl));
	hw_put_ident(&w);
	hw_put_blob(&w, HW_T_TOKEN, token, sizeof(token));
	hw_put_blob(&w, HW_T_AUTH, auth, sizeof(auth));
	hw_put_entry(&w, &e);
	srv_handle(&f->s, SRV, NAT, NATPORT, ctl, w.off, &f->now, &f->tx);
	ch = chan_find(f->s.reg, SRV, NAT, &f->now);
	assert_true(ct_port_used(ch->t, 443));
	/* fill the table (64) behind it, then one more client */
	for (i = 0; ct_count(ch->t) < ct_capacity(ch->t); i++)
		assert_int_equal(send_syn6(f, 0x1000 + i, 2000), 1);
	assert_int_equal(send_syn6(f, 0x2000, 2000), 1);
	got = answer_entry(f);
	assert_false(ct_port_used(ch->t, 443));		/* the oldest went */
	assert_true(got.mapped_port >= 1024);
	assert_int_equal(ct_count(ch->t), ct_capacity(ch->t));
	assert_int_equal(ch->evicted, 1);
}

/* Octets after the embedded packet (a NAT64 that copies Ethernet frames
 * pads a 40-octet IPv4 ACK with 6) are ignored and counted: the packet
 * is answered as without them. */
static void
test_trailing_octets_ignored(void **state)
{
	struct fixture *f = *state;
	uint8_t pkt[128], ctl[256];
	struct hw_entry e, got;
	struct buf_wr w;
	size_t n;

	validate(f);
	assert_int_equal(send_syn6(f, 6, 6666), 1);
	e = answer_entry(f);
	n = ippkt_tcp4(pkt, sizeof(pkt), srv4, nat4, 80, e.mapped_port, 9, 2, 0x10, NULL, 0);
	assert_int_equal(n, 40);
	buf_wr_init(&w, ctl, sizeof(ctl));
	hw_put_blob(&w, HW_T_TOKEN, token, sizeof(token));
	hw_put_ip(&w, pkt, n);
	memset(ctl + w.off, 0, 6);
	assert_int_equal(srv_handle(&f->s, SRV, NAT, NATPORT, ctl, w.off + 6, &f->now, &f->tx), 1);
	got = answer_entry(f);
	assert_int_equal(got.mapped_port, e.mapped_port);
	assert_int_equal(f->s.c[SRV_C_rx_trailing_ignored], 1);
	{
		struct hw_packet p;

		/* the answer carries the packet without the padding */
		assert_int_equal(hw_parse(f->tx.buf, f->tx.len, &p), HW_OK);
		assert_int_equal(p.ip.len, 40);
		assert_int_equal(p.trailing, 0);
	}
}

/* Build [token][ICMPv4 error from `from` to the NAT64 quoting a packet
 * nat64:mport -> server:80 of quote_len octets] and hand it over. */
static int
send_icmp4(struct fixture *f, const uint8_t from[4], uint8_t type, uint8_t code, uint16_t mport,
    size_t quote_len, const uint8_t qsrc[4])
{
	uint8_t orig[1500], icmp[1600], ctl[1700];
	struct buf_wr w;
	size_t n, m;

	n = ippkt_tcp4(orig, sizeof(orig), qsrc, srv4, mport, 80, 1, 2, 0x10, NULL, 0);
	assert_true(n > 0 && quote_len <= n);
	m = ippkt_icmp4_error(icmp, sizeof(icmp), from, nat4, type, code, orig, n);
	assert_true(m > 0);
	/* cut the quote to quote_len octets (lengths and checksums are not
	 * what this test is about: the server does not check them) */
	if (quote_len < n) {
		m = 20 + 8 + quote_len;
		icmp[2] = (uint8_t)(m >> 8);
		icmp[3] = (uint8_t)m;
	}
	buf_wr_init(&w, ctl, sizeof(ctl));
	hw_put_blob(&w, HW_T_TOKEN, token, sizeof(token));
	hw_put_ip(&w, icmp, m);
	assert_false(w.err);
	return srv_handle(&f->s, SRV, NAT, NATPORT, ctl, w.off, &f->now, &f->tx);
}

/* §10 for ICMPv4 errors forwarded over the channel: matched by the
 * quoted packet's source port, answered with [auth, entry, the error]
 * so the NAT64 translates it for the client (a Fragmentation Needed
 * from a router on the path keeps path MTU discovery working). */
static void
test_icmp4_error_matched(void **state)
{
	struct fixture *f = *state;
	const uint8_t router[4] = { 198, 51, 100, 254 };
	struct hw_entry e, got;
	struct hw_packet p;

	validate(f);
	assert_int_equal(send_syn6(f, 7, 7777), 1);
	e = answer_entry(f);
	/* Fragmentation Needed from a router, full quote and 8-octet quote */
	assert_int_equal(send_icmp4(f, router, 3, 4, e.mapped_port, 40, nat4), 1);
	got = answer_entry(f);
	assert_int_equal(got.mapped_port, e.mapped_port);
	assert_int_equal(got.client_port, 7777);
	assert_int_equal(hw_parse(f->tx.buf, f->tx.len, &p), HW_OK);
	assert_int_equal(p.ip_version, 4);
	assert_int_equal(p.ip.p[9], IPPKT_PROTO_ICMP);
	assert_int_equal(p.ip.p[20], 3);
	assert_int_equal(p.ip.p[21], 4);
	assert_int_equal(send_icmp4(f, srv4, 11, 0, e.mapped_port, 28, nat4), 1);
	got = answer_entry(f);
	assert_int_equal(got.mapped_port, e.mapped_port);
	assert_int_equal(f->s.c[SRV_C_icmp_errors_matched], 2);
	/* an unknown port: dropped, counted (returning it would help no one) */
	assert_int_equal(send_icmp4(f, router, 3, 4, (uint16_t)(e.mapped_port ^ 1), 40, nat4), 0);
	assert_int_equal(f->s.c[SRV_C_drop_icmp_no_entry], 1);
	/* a quote not from the NAT64, or cut inside its IP header: dropped */
	assert_int_equal(send_icmp4(f, router, 3, 4, e.mapped_port, 40, router), 0);
	assert_int_equal(send_icmp4(f, router, 3, 4, e.mapped_port, 19, nat4), 0);
	assert_int_equal(f->s.c[SRV_C_drop_icmp_quote], 2);
	/* not an error (echo request): unsupported, as before */
	{
		uint8_t icmp[28] = { 0x45, 0, 0, 28, 0, 0, 0, 0, 64, 1, 0, 0,
		    192, 0, 2, 1, 192, 0, 2, 7, 8, 0, 0, 0, 0, 1, 0, 1 };
		uint8_t ctl[128];
		struct buf_wr w;

		buf_wr_init(&w, ctl, sizeof(ctl));
		hw_put_blob(&w, HW_T_TOKEN, token, sizeof(token));
		hw_put_ip(&w, icmp, sizeof(icmp));
		assert_int_equal(srv_handle(&f->s, SRV, NAT, NATPORT, ctl, w.off, &f->now, &f->tx),
		    0);
		assert_int_equal(f->s.c[SRV_C_drop_unsupported_ipv4], 1);
	}
}

/* Entries and tokens survive a restart; a torn journal tail is cut. */
static void
test_persistence(void **state)
{
	struct fixture *f = *state;
	struct hw_entry e[10], again;
	char path[256], err[256];
	FILE *jf;
	int i;

	validate(f);
	for (i = 0; i < 10; i++) {
		assert_int_equal(send_syn6(f, (uint32_t)(200 + i), 2000), 1);
		e[i] = answer_entry(f);
	}
	chan_flush(f->s.reg);
	snprintf(path, sizeof(path), "%s/tokens", f->dir);
	assert_int_equal(val_save(f->s.vs, path, err, sizeof(err)), 0);
	/* "kill -9": drop the in-memory state without a clean shutdown's
	 * compaction; then tear the tail of the journal. */
	snprintf(path, sizeof(path), "%s/channels/192.0.2.7-192.0.2.1.tbl", f->dir);
	jf = fopen(path, "a");
	assert_non_null(jf);
	fwrite("\x01\x08\x1f", 1, 3, jf);
	fclose(jf);
	fx_close(f);
	fx_open(f);
	snprintf(path, sizeof(path), "%s/tokens", f->dir);
	assert_int_equal(val_load(f->s.vs, path, err, sizeof(err)), 0);
	assert_int_equal(chan_count(f->s.reg), 1);
	assert_int_equal(chan_loaded(f->s.reg), 0);	/* lazy */
	for (i = 0; i < 10; i++) {
		assert_int_equal(send_syn6(f, (uint32_t)(200 + i), 2000), 1);
		again = answer_entry(f);	/* no re-validation needed */
		assert_int_equal(again.mapped_port, e[i].mapped_port);
	}
	assert_int_equal(f->s.c[SRV_C_entries_created], 0);
	assert_int_equal(f->s.c[SRV_C_validation_sent], 0);
}


/* Put /dev/full behind the open descriptor of path (a write then fails
 * with ENOSPC, as on a full disk). */
static void
fd_to_dev_full(const char *path)
{
	char fdpath[64], target[PATH_MAX];
	int fd, devfull, found = 0;

	for (fd = 3; fd < 1024; fd++) {
		ssize_t n;

		snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", fd);
		n = readlink(fdpath, target, sizeof(target) - 1);
		if (n <= 0)
			continue;
		target[n] = '\0';
		if (strcmp(target, path) != 0)
			continue;
		devfull = open("/dev/full", O_WRONLY | O_CLOEXEC);
		assert_true(devfull >= 0);
		assert_int_equal(dup2(devfull, fd), fd);
		close(devfull);
		found = 1;
	}
	assert_true(found);
}

/* The persistence contract when writes fail (the audit log on /dev/full):
 * the entry whose line cannot be written is not answered, new entries
 * pause, confirmed entries are still answered, and when writes work again
 * the kept line reaches the log, the entry is confirmed and creation
 * resumes by itself. */
static void
test_storage_failure_pauses_creation(void **state)
{
	struct fixture *f = *state;
	struct chan_storage sto;
	const uint8_t router[4] = { 198, 51, 100, 254 };
	char full[128], link[200], err[256], *log;
	struct hw_entry e, u;

	validate(f);
	assert_int_equal(send_syn6(f, 2, 2222), 1);
	assert_true(f->tx.unconfirmed);
	assert_int_equal(srv_commit(&f->s, &f->tx, 1, &f->now), 1);
	e = answer_entry(f);

	/* The audit log is a regular file (never a link); the test then puts
	 * /dev/full behind its descriptor, so every write fails with ENOSPC. */
	snprintf(full, sizeof(full), "%s/full", f->dir);
	assert_int_equal(mkdir(full, 0700), 0);
	snprintf(link, sizeof(link), "%s/%s", full, AUDIT_FILE);
	assert_int_equal(audit_open(full, 0, err, sizeof(err)), 0);
	fd_to_dev_full(link);

	/* A new entry: its line cannot be written, its answer is held back. */
	assert_int_equal(send_syn6(f, 3, 3333), 1);
	assert_true(f->tx.unconfirmed);
	assert_int_equal(srv_commit(&f->s, &f->tx, 1, &f->now), 0);
	assert_int_equal(f->s.c[SRV_C_answers_withheld], 1);
	assert_true(chan_creation_paused(f->s.reg));
	/* Paused: no new entry at all. */
	assert_int_equal(send_syn6(f, 4, 4444), 0);
	assert_int_equal(f->s.c[SRV_C_drop_storage_paused], 1);
	/* A confirmed entry is still answered; the unconfirmed one is not. */
	assert_int_equal(send_syn6(f, 2, 2222), 1);
	assert_false(f->tx.unconfirmed);
	assert_int_equal(srv_commit(&f->s, &f->tx, 1, &f->now), 1);
	assert_int_equal(answer_entry(f).mapped_port, e.mapped_port);
	assert_int_equal(send_syn6(f, 3, 3333), 1);
	assert_true(f->tx.unconfirmed);
	u = answer_entry(f);		/* what would have gone out */
	assert_int_equal(srv_commit(&f->s, &f->tx, 1, &f->now), 0);
	/* An ICMP error quoting the unconfirmed entry is held back too; one
	 * quoting the confirmed entry is answered. */
	assert_int_equal(send_icmp4(f, router, 3, 4, u.mapped_port, 40, nat4), 1);
	assert_true(f->tx.unconfirmed);
	assert_int_equal(srv_commit(&f->s, &f->tx, 1, &f->now), 0);
	assert_int_equal(send_icmp4(f, router, 3, 4, e.mapped_port, 40, nat4), 1);
	assert_false(f->tx.unconfirmed);
	assert_int_equal(srv_commit(&f->s, &f->tx, 1, &f->now), 1);
	chan_storage(f->s.reg, &f->now, &sto);
	assert_true(sto.paused);
	assert_int_equal(sto.pauses, 1);
	assert_true(audit_pending() > 0);

	/* Writes work again: the next retry writes the kept line. */
	assert_int_equal(audit_open(f->dir, 0, err, sizeof(err)), 0);
	f->now.mono_ms += 200;
	assert_true(chan_commit(f->s.reg, &f->now));
	assert_false(chan_creation_paused(f->s.reg));
	assert_int_equal(audit_pending(), 0);
	assert_int_equal(audit_lost_octets(), 0);
	log = audit_text(f);
	assert_non_null(strstr(log, "]:3333\n"));
	assert_null(strstr(strstr(log, "]:3333\n") + 1, "]:3333\n"));	/* once */
	assert_null(strstr(log, "]:4444"));
	free(log);
	assert_int_equal(send_syn6(f, 3, 3333), 1);
	assert_false(f->tx.unconfirmed);
	assert_int_equal(send_syn6(f, 4, 4444), 1);	/* created again */
	assert_int_equal(srv_commit(&f->s, &f->tx, 1, &f->now), 1);
	chan_storage(f->s.reg, &f->now, &sto);
	assert_false(sto.paused);
	assert_true(sto.failures >= 1);
}

/* A bounce whose MAC was made for another control port (or token) of
 * the same NAT64 address does not validate, and nothing is created. */
static void
test_bounce_bound_to_port_and_token(void **state)
{
	struct fixture *f = *state;
	struct srv_ctx *s = &f->s;
	static const uint8_t tok_a[16] = "token-AAAAAAAAAA", tok_b[16] = "token-BBBBBBBBBB";
	uint8_t pkt[128], ctl[1700], ip4[1600], c6[16], s6[16];
	struct buf_wr w;
	size_t n, vlen;
	char path[160], *log;
	int round;

	client6(c6, 9);
	server6(s6);
	n = ippkt_tcp6(pkt, sizeof(pkt), c6, s6, 1234, 80, 1, 0, 0x02, NULL, 0);
	assert_true(n > 0);
	for (round = 0; round < 2; round++) {
		/* Trigger from port NATPORT with token A. */
		val_set_attenuation(s->vs, 2);
		buf_wr_init(&w, ctl, sizeof(ctl));
		hw_put_blob(&w, HW_T_TOKEN, tok_a, sizeof(tok_a));
		hw_put_blob(&w, HW_T_AUTH, (const uint8_t *)"au", 2);
		hw_put_ip(&w, pkt, n);
		assert_int_equal(srv_handle(s, SRV, NAT, NATPORT, ctl, w.off, &f->now, &f->tx), 1);
		assert_int_equal(f->tx.dport, HW_DISCARD_PORT);
		vlen = ippkt_udp4(ip4, sizeof(ip4), srv4, nat4, HPORT, HW_DISCARD_PORT, f->tx.buf,
		    f->tx.len);
		assert_true(vlen > 0);
		/* Replayed from another port (round 0) or with another token (round 1). */
		buf_wr_init(&w, ctl, sizeof(ctl));
		hw_put_blob(&w, HW_T_TOKEN, round ? tok_b : tok_a, 16);
		hw_put_ip(&w, ip4, vlen);
		val_set_attenuation(s->vs, 0);	/* no new validation packet either */
		assert_int_equal(srv_handle(s, SRV, NAT, round ? NATPORT : NATPORT + 1,
		    ctl, w.off, &f->now, &f->tx), 0);
	}
	assert_int_equal(s->c[SRV_C_validated], 0);
	assert_int_equal(s->c[SRV_C_bad_bounce], 2);
	assert_int_equal(val_token_count(s->vs), 0);
	assert_int_equal(chan_count(s->reg), 0);
	snprintf(path, sizeof(path), "%s/channels/192.0.2.7-192.0.2.1.tbl", f->dir);
	assert_int_equal(access(path, F_OK), -1);
	log = audit_text(f);
	assert_string_equal(log, "");
	free(log);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_validation_then_entries, setup, teardown),
		cmocka_unit_test_setup_teardown(test_attenuated_unknown_tokens, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ipv4_lookup, setup, teardown),
		cmocka_unit_test_setup_teardown(test_echo, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrong_destination_and_garbage, setup, teardown),
		cmocka_unit_test_setup_teardown(test_eviction_spares_live, setup, teardown),
		cmocka_unit_test_setup_teardown(test_adopt_newest_wins, setup, teardown),
		cmocka_unit_test_setup_teardown(test_low_port_evicted_not_reused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_trailing_octets_ignored, setup, teardown),
		cmocka_unit_test_setup_teardown(test_icmp4_error_matched, setup, teardown),
		cmocka_unit_test_setup_teardown(test_persistence, setup, teardown),
		cmocka_unit_test_setup_teardown(test_storage_failure_pauses_creation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bounce_bound_to_port_and_token, setup, teardown),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
