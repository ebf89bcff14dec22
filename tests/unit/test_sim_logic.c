/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* Unit tests for handoff-sim's logic without sockets: identities and
 * client addressing, every request it builds passing the wire module's
 * §5/§7 checks, every malformed packet failing them, the answer checks
 * (§6 patterns, §10 port rules, validation packet, echo reply), the
 * record file, expectations and the command line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <sodium.h>

#include "buf.h"
#include "handoff_wire.h"
#include "ippkt.h"
#include "sim.h"

static const uint8_t pfx[12] = { 0x00, 0x64, 0xff, 0x9b };
#define SERVER	0xc0000201u	/* 192.0.2.1 */
#define NAT64	0xc0000207u	/* 192.0.2.7 */

static void
test_ident(void **state)
{
	struct sim_ident a, b, c;
	uint8_t cl[16], m1[16], m2[16];
	unsigned kind;
	uint16_t natlo;
	uint32_t idx;

	(void)state;
	sim_ident_init(&a, 1, NAT64, SERVER);
	sim_ident_init(&b, 1, NAT64, SERVER);
	sim_ident_init(&c, 2, NAT64, SERVER);
	assert_memory_equal(a.token, b.token, 16);	/* same seed: same token */
	assert_memory_not_equal(a.token, c.token, 16);
	sim_client_addr(SIM_KIND_ADOPT, NAT64, 0x01020304, cl);
	assert_true(sim_client_decode(cl, &kind, &natlo, &idx));
	assert_int_equal(kind, SIM_KIND_ADOPT);
	assert_int_equal(natlo, 0x0207);
	assert_int_equal(idx, 0x01020304);
	assert_int_equal(cl[0], 0x20);
	assert_int_equal(cl[3], 0xb8);
	sim_auth(&a, SERVER, cl, m1);
	cl[15] ^= 1;
	sim_auth(&a, SERVER, cl, m2);
	assert_memory_not_equal(m1, m2, 16);
	cl[0] = 0x30;
	assert_false(sim_client_decode(cl, &kind, &natlo, &idx));
}

static void
parse_to_server(const uint8_t *p, size_t len, struct hw_packet *pkt)
{
	assert_int_equal(hw_parse(p, len, pkt), HW_OK);
	assert_int_equal(hw_check_to_server(pkt), HW_OK);
}

static void
test_build_requests(void **state)
{
	static uint8_t buf[SIM_PKT_MAX];
	struct sim_ident id;
	struct sim_req6 r;
	struct hw_packet pkt;
	struct hw_entry e[40];
	struct ippkt6 ip6;
	struct ippkt4 ip4;
	size_t len, used, i;

	(void)state;
	sim_ident_init(&id, 7, NAT64, SERVER);
	memset(&r, 0, sizeof(r));
	r.prefix = pfx;
	r.server = SERVER;
	sim_client_addr(0, NAT64, 5, r.client);
	r.cport = 20001;
	r.sport = 80;
	r.tcp = true;
	r.hint = 4000;
	len = sim_build_v6(buf, sizeof(buf), &id, &r);
	parse_to_server(buf, len, &pkt);
	assert_int_equal(pkt.ip_version, 6);
	assert_int_equal(pkt.hint, 4000);
	assert_memory_equal(pkt.token.p, id.token, 16);
	assert_true(ippkt_parse6(pkt.ip.p, pkt.ip.len, &ip6));
	assert_int_equal(ip6.nh, IPPKT_PROTO_TCP);
	assert_int_equal(ip6.sport, 20001);
	assert_int_equal(ip6.dst[15], 0x01);	/* 64:ff9b::192.0.2.1 */
	assert_int_equal(ip6.dst[12], 0xc0);

	len = sim_build_v4(buf, sizeof(buf), &id, SERVER, NAT64, 53, 41000, false);
	parse_to_server(buf, len, &pkt);
	assert_int_equal(pkt.ip_version, 4);
	assert_true(ippkt_parse4(pkt.ip.p, pkt.ip.len, &ip4));
	assert_int_equal(ip4.dport, 41000);
	assert_int_equal(ip4.proto, IPPKT_PROTO_UDP);

	len = sim_build_echo(buf, sizeof(buf), &id, pfx, SERVER, r.client, 9, 10);
	parse_to_server(buf, len, &pkt);
	assert_true(ippkt_parse6(pkt.ip.p, pkt.ip.len, &ip6));
	assert_int_equal(ip6.nh, IPPKT_PROTO_ICMP6);
	assert_int_equal(ip6.l4[0], 128);

	for (i = 0; i < 40; i++) {
		memset(&e[i], 0, sizeof(e[i]));
		e[i].mapped_port = (uint16_t)(30000 + i);
		memcpy(e[i].prefix, pfx, 12);
		sim_client_addr(SIM_KIND_ADOPT, NAT64, (uint32_t)(i / 3), e[i].client);
		e[i].client_port = (uint16_t)(20000 + i % 3);
	}
	len = sim_build_entry(buf, sizeof(buf), &id, SERVER, &e[0]);
	parse_to_server(buf, len, &pkt);
	assert_int_equal(pkt.n_entries, 1);
	assert_false(pkt.multi);

	len = sim_build_multi(buf, sizeof(buf), &id, SERVER, e, 40, &used);
	assert_true(len > 0 && len <= HW_MULTI_MAX_PAYLOAD);
	assert_true(used > 3 && used < 40);
	parse_to_server(buf, len, &pkt);
	assert_true(pkt.multi);
	assert_int_equal(pkt.n_entries, used);
	assert_int_equal(pkt.n_groups, (used + 2) / 3);
	assert_int_equal(pkt.entries[used - 1].mapped_port, 30000 + used - 1);
}

static void
test_garbage_is_rejected(void **state)
{
	static uint8_t buf[65536];
	struct sim_ident id;
	struct hw_packet pkt;
	uint8_t cl[16];
	int g;

	(void)state;
	sim_ident_init(&id, 1, NAT64, SERVER);
	sim_client_addr(0, NAT64, 0, cl);
	for (g = 0; g < SIM_G__COUNT; g++) {
		size_t len = sim_build_garbage(buf, sizeof(buf), (enum sim_garbage)g, &id, pfx,
		    SERVER, NAT64, cl);
		enum hw_err e;

		if (g != SIM_G_EMPTY)
			assert_true(len > 0);
		e = hw_parse(buf, len, &pkt);
		if (e == HW_OK)
			e = hw_check_to_server(&pkt);
		if (g < SIM_G_WIRE_COUNT && e == HW_OK)
			fail_msg("garbage %s passes the wire checks", sim_garbage_name((enum sim_garbage)g));
		if (g >= SIM_G_WIRE_COUNT && e != HW_OK)
			fail_msg("rule-breaking %s is not well-framed", sim_garbage_name((enum sim_garbage)g));
	}
	assert_true(sim_build_garbage(buf, sizeof(buf), SIM_G_HUGE, &id, pfx, SERVER, NAT64, cl) > 50000);
}

/* Build a server answer [auth][entry][ip] by hand and check it. */
static void
test_check_answers(void **state)
{
	static uint8_t buf[SIM_PKT_MAX], req[SIM_PKT_MAX];
	struct sim_ident id;
	struct sim_req6 r;
	struct hw_packet pkt, rq;
	struct hw_entry e;
	struct buf_wr w;
	uint8_t auth[16];
	const char *why;
	size_t len;

	(void)state;
	sim_ident_init(&id, 1, NAT64, SERVER);
	memset(&r, 0, sizeof(r));
	r.prefix = pfx;
	r.server = SERVER;
	sim_client_addr(0, NAT64, 1, r.client);
	r.cport = 20000;
	r.sport = 53;
	len = sim_build_v6(req, sizeof(req), &id, &r);
	assert_int_equal(hw_parse(req, len, &rq), HW_OK);

	memset(&e, 0, sizeof(e));
	e.mapped_port = 4242;
	memcpy(e.prefix, pfx, 12);
	memcpy(e.client, r.client, 16);
	e.client_port = 20000;
	sim_auth(&id, SERVER, r.client, auth);
	buf_wr_init(&w, buf, sizeof(buf));
	hw_put_blob(&w, HW_T_AUTH, auth, 16);
	hw_put_entry(&w, &e);
	hw_put_ip(&w, rq.ip.p, rq.ip.len);
	assert_false(w.err);
	assert_int_equal(sim_classify(buf, w.off, &pkt, &why), SIM_A_ENTRY);
	assert_null(sim_check_entry(&pkt.entries[0], pfx, 6464, 33333));
	assert_null(sim_check_blob(&pkt.auth, auth, 16, "auth"));
	assert_null(sim_check_v6_echoed(&pkt, r.client, 20000));
	assert_non_null(sim_check_v6_echoed(&pkt, r.client, 20001));

	e.mapped_port = 3544;
	assert_non_null(sim_check_entry(&e, pfx, 6464, 33333));
	e.mapped_port = 6464;
	assert_non_null(sim_check_entry(&e, pfx, 6464, 33333));
	e.mapped_port = 33333;
	assert_non_null(sim_check_entry(&e, pfx, 6464, 33333));
	e.mapped_port = 1023;
	assert_non_null(sim_check_entry(&e, pfx, 6464, 33333));
	e.mapped_port = 1024;
	assert_null(sim_check_entry(&e, pfx, 6464, 33333));
	e.prefix[0] = 1;
	assert_non_null(sim_check_entry(&e, pfx, 6464, 33333));

	/* A token-only packet is no §6 answer. */
	buf_wr_init(&w, buf, sizeof(buf));
	hw_put_blob(&w, HW_T_TOKEN, id.token, 16);
	assert_int_equal(sim_classify(buf, w.off, &pkt, &why), SIM_A_BAD);
	assert_non_null(why);
}

static void
test_check_echo_and_validation(void **state)
{
	static uint8_t buf[SIM_PKT_MAX], ip[256];
	uint8_t cl[16], src[16], zero[16] = { 0 }, mac[16], auth[16];
	struct sim_ident id;
	struct hw_packet pkt;
	struct buf_wr w;
	const char *why;
	size_t n;

	(void)state;
	sim_ident_init(&id, 1, NAT64, SERVER);
	sim_client_addr(0, NAT64, 0, cl);
	sim_embed(pfx, SERVER, src);
	n = ippkt_icmp6_echo(ip, sizeof(ip), src, cl, 129, 7, 8, (const uint8_t *)"handoff-sim", 11);
	sim_auth(&id, SERVER, cl, auth);
	buf_wr_init(&w, buf, sizeof(buf));
	hw_put_blob(&w, HW_T_AUTH, auth, 16);
	hw_put_ip(&w, ip, n);
	assert_int_equal(sim_classify(buf, w.off, &pkt, &why), SIM_A_V6);
	assert_null(sim_check_echo_reply(&pkt, pfx, SERVER, cl, 7, 8));
	assert_non_null(sim_check_echo_reply(&pkt, pfx, SERVER, cl, 7, 9));
	buf[w.off - 11 + 0] ^= 1;	/* data changed: checksum and data differ */
	assert_non_null(sim_check_echo_reply(&pkt, pfx, SERVER, cl, 7, 8));

	/* The validation packet of docs/protocol-decisions.txt. */
	memset(mac, 0x42, sizeof(mac));
	n = ippkt_ip6(ip, sizeof(ip), cl, zero, IPPKT_PROTO_NONE6, mac, 16);
	buf_wr_init(&w, buf, sizeof(buf));
	hw_put_blob(&w, HW_T_AUTH, auth, 16);
	hw_put_ip(&w, ip, n);
	assert_null(sim_check_validation(buf, w.off, auth, 16));
	assert_null(sim_check_validation(buf, w.off, NULL, 0));
	assert_non_null(sim_check_validation(buf, w.off, mac, 16));
	n = ippkt_ip6(ip, sizeof(ip), cl, zero, IPPKT_PROTO_UDP, mac, 16);
	buf_wr_init(&w, buf, sizeof(buf));
	hw_put_blob(&w, HW_T_AUTH, auth, 16);
	hw_put_ip(&w, ip, n);
	assert_non_null(sim_check_validation(buf, w.off, NULL, 0));

	/* The bounce carries it back inside IPv4/UDP to port 9. */
	{
		static uint8_t b[SIM_PKT_MAX];
		struct hw_packet bp;
		struct ippkt4 i4;
		size_t bl = sim_build_bounce(b, sizeof(b), &id, SERVER, 6464, NAT64, buf, w.off);

		assert_true(bl > 0);
		assert_int_equal(hw_parse(b, bl, &bp), HW_OK);
		assert_int_equal(hw_check_to_server(&bp), HW_OK);
		assert_true(ippkt_parse4(bp.ip.p, bp.ip.len, &i4));
		assert_int_equal(i4.sport, 6464);
		assert_int_equal(i4.dport, 9);
		assert_int_equal(i4.l4_len, 8 + w.off);
		assert_memory_equal(i4.l4 + 8, buf, w.off);
	}
}

static void
test_record_roundtrip(void **state)
{
	struct sim_record r, q;
	char line[200];

	(void)state;
	memset(&r, 0, sizeof(r));
	r.nat64 = NAT64;
	r.port = 41000;
	sim_client_addr(0, NAT64, 77, r.client);
	r.cport = 20003;
	sim_record_format(&r, line, sizeof(line));
	assert_string_equal(line, "192.0.2.7 41000 2001:db8:0:207::4d 20003\n");
	assert_int_equal(sim_record_parse(line, &q), 0);
	assert_int_equal(q.nat64, r.nat64);
	assert_int_equal(q.port, r.port);
	assert_int_equal(q.cport, r.cport);
	assert_memory_equal(q.client, r.client, 16);
	assert_int_equal(sim_record_parse("192.0.2.7 0 2001:db8::1 1\n", &q), -1);
	assert_int_equal(sim_record_parse("192.0.2.7 70000 2001:db8::1 1\n", &q), -1);
	assert_int_equal(sim_record_parse("x 1 2001:db8::1 1\n", &q), -1);
	assert_int_equal(sim_record_parse("192.0.2.7 1 2001:db8::1 1 extra\n", &q), -1);
}

static void
test_expect(void **state)
{
	struct sim_counters k;
	struct sim_expect e[4];
	char err[200], line[1024];

	(void)state;
	memset(&k, 0, sizeof(k));
	assert_int_equal(sim_expect_parse("validations>=1", &e[0], err, sizeof(err)), 0);
	assert_int_equal(e[0].c, SIM_C_validations);
	assert_int_equal(e[0].cmp, SIM_GE);
	assert_int_equal(sim_expect_parse("entries=10", &e[1], err, sizeof(err)), 0);
	assert_int_equal(sim_expect_parse("nosuch=1", &e[2], err, sizeof(err)), -1);
	assert_int_equal(sim_expect_parse("entries", &e[2], err, sizeof(err)), -1);
	assert_int_equal(sim_expect_parse("entries=-1", &e[2], err, sizeof(err)), -1);
	assert_int_equal(sim_expect_eval(&k, e, 2, NULL), 2);
	k.c[SIM_C_validations] = 1;
	k.c[SIM_C_entries] = 10;
	assert_int_equal(sim_expect_eval(&k, e, 2, NULL), 0);
	k.c[SIM_C_bad] = 1;		/* bad=0 is implied */
	assert_int_equal(sim_expect_eval(&k, e, 2, NULL), 1);
	k.c[SIM_C_timeouts] = 3;	/* ... and timeouts=0, unless named */
	assert_int_equal(sim_expect_eval(&k, e, 2, NULL), 2);
	assert_int_equal(sim_expect_parse("timeouts<=5", &e[2], err, sizeof(err)), 0);
	assert_int_equal(sim_expect_eval(&k, e, 3, NULL), 1);
	sim_summary_line(&k, line, sizeof(line));
	assert_non_null(strstr(line, "SUMMARY sent=0 answers_ok=0 bad=1 validations=1 timeouts=3 entries=10"));
}

static void
test_opts(void **state)
{
	struct sim_opts o;
	char err[256];
	char *ok[] = { "handoff-sim", "-s", "192.0.2.1", "-a", "192.0.2.7", "-N", "3", "-c", "100",
	    "-k", "2", "--verify", "/tmp/x", "-e", "bad=0", "-T", "200ms", NULL };
	char *bad1[] = { "handoff-sim", "-N", "0", NULL };
	char *bad2[] = { "handoff-sim", "-s", "2001:db8::1", NULL };
	char *bad3[] = { "handoff-sim", "--expect", "what", NULL };
	char *bad4[] = { "handoff-sim", "stray", NULL };

	(void)state;
	sim_opts_defaults(&o);
	assert_int_equal(sim_opts_parse(&o, 17, ok, stdout, err, sizeof(err)), 0);
	assert_int_equal(o.server, SERVER);
	assert_int_equal(o.nat64_base, NAT64);
	assert_int_equal(o.n_nat64, 3);
	assert_int_equal(o.clients, 100);
	assert_int_equal(o.conns, 2);
	assert_int_equal(o.timeout_ms, 200);
	assert_false(o.do_new);		/* --verify: no new connections */
	assert_int_equal(o.n_expect, 1);
	sim_opts_defaults(&o);
	assert_int_equal(sim_opts_parse(&o, 3, bad1, stdout, err, sizeof(err)), -1);
	sim_opts_defaults(&o);
	assert_int_equal(sim_opts_parse(&o, 3, bad2, stdout, err, sizeof(err)), -1);
	sim_opts_defaults(&o);
	assert_int_equal(sim_opts_parse(&o, 3, bad3, stdout, err, sizeof(err)), -1);
	sim_opts_defaults(&o);
	assert_int_equal(sim_opts_parse(&o, 2, bad4, stdout, err, sizeof(err)), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ident),
		cmocka_unit_test(test_build_requests),
		cmocka_unit_test(test_garbage_is_rejected),
		cmocka_unit_test(test_check_answers),
		cmocka_unit_test(test_check_echo_and_validation),
		cmocka_unit_test(test_record_roundtrip),
		cmocka_unit_test(test_expect),
		cmocka_unit_test(test_opts),
	};

	if (sodium_init() == -1)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
