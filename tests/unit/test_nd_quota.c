/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* test_nd_quota.c — nat64d's per-client quotas (quota.c) under a fake
 * clock: BIB, session and rate limits per client, subnet and site, the
 * bounded record table (idle expiry, recycling, refusal when full), the
 * summary lines (one per record per period, capped), and through the
 * gateway: a SYN flood from one client creates at most its quota, each
 * refusal answered by ICMPv6 Address Unreachable within icmp-error-rate,
 * and the mapping log sees only entries that were really created. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "nd_quota.h"
#include "nd_maplog.h"
#include "nd_testutil.h"

static struct clk_now
at(uint64_t ms)
{
	return clk_fake(ms, 1763884800 + (time_t)(ms / 1000));
}

static void
limits(struct nd_quota_limits *l, uint32_t records)
{
	memset(l, 0, sizeof(*l));
	l->len[0] = 128;
	l->len[1] = 64;
	l->len[2] = 56;
	l->max_records = records;
}

static void
a6(const char *s, uint8_t out[16])
{
	assert_int_equal(inet_pton(AF_INET6, s, out), 1);
}

/* Admit and charge one new entry with one session, as bib.c and session.c do. */
static struct nd_qrec *
open1(struct nd_quota *q, const char *who, const struct clk_now *now, int *why)
{
	uint8_t v6[16];
	struct nd_qrec *r;

	a6(who, v6);
	if (!nd_quota_admit(q, v6, true, now, why))
		return NULL;
	r = nd_quota_client(q, v6, now);
	assert_non_null(r);
	nd_quota_bib(q, r, 1, now);
	nd_quota_sess(r, 1, false);
	return r;
}

static void
close1(struct nd_quota *q, struct nd_qrec *r, const struct clk_now *now)
{
	nd_quota_sess(r, -1, false);
	nd_quota_bib(q, r, -1, now);
}

static void
test_bib_and_session_limits(void **state)
{
	struct nd_quota q;
	struct nd_quota_limits l;
	struct clk_now now = at(1000);
	struct nd_qrec *r[5];
	uint8_t v6[16];
	int why = -1, i;

	(void)state;
	limits(&l, 64);
	l.bib[ND_QL_CLIENT] = 4;
	l.sess[ND_QL_CLIENT] = 6;
	nd_quota_init(&q, &l);
	for (i = 0; i < 4; i++)
		assert_non_null(r[i] = open1(&q, "2001:db8:1::5", &now, &why));
	assert_null(open1(&q, "2001:db8:1::5", &now, &why));
	assert_int_equal(why, ND_QR_BIB);
	assert_int_equal(q.c.refused[ND_QR_BIB][ND_QL_CLIENT], 1);
	/* another client is not affected */
	assert_non_null(open1(&q, "2001:db8:1::6", &now, &why));
	/* sessions on an existing entry: up to sessions-per-client */
	a6("2001:db8:1::5", v6);
	for (i = 0; i < 2; i++) {
		assert_true(nd_quota_admit(&q, v6, false, &now, &why));
		nd_quota_sess(r[0], 1, false);
	}
	assert_false(nd_quota_admit(&q, v6, false, &now, &why));
	assert_int_equal(why, ND_QR_SESS);
	/* sessions IPv4 peers open: a limit of the same size of their own */
	for (i = 0; i < 6; i++) {
		assert_true(nd_quota_admit_in4(&q, r[0], &now));
		nd_quota_sess(r[0], 1, true);
	}
	assert_false(nd_quota_admit_in4(&q, r[0], &now));
	assert_int_equal(q.c.refused[ND_QR_SESS][ND_QL_CLIENT], 1);
	assert_int_equal(q.c.refused[ND_QR_PEER][ND_QL_CLIENT], 1);
	assert_int_equal(r[0]->n_sess, 6 + 6);
	/* released: admitted again */
	for (i = 0; i < 6; i++)
		nd_quota_sess(r[0], -1, true);
	assert_true(nd_quota_admit_in4(&q, r[0], &now));
	nd_quota_sess(r[0], -1, false);
	nd_quota_sess(r[0], -1, false);
	close1(&q, r[3], &now);
	assert_non_null(open1(&q, "2001:db8:1::5", &now, &why));
	/* 0 disables a limit */
	l.bib[ND_QL_CLIENT] = l.sess[ND_QL_CLIENT] = 0;
	nd_quota_set_limits(&q, &l);
	for (i = 0; i < 100; i++)
		assert_non_null(open1(&q, "2001:db8:1::5", &now, &why));
	assert_int_equal(r[0]->n_bib, 104);
	nd_quota_free(&q);
}

static void
test_subnet_and_site(void **state)
{
	struct nd_quota q;
	struct nd_quota_limits l;
	struct clk_now now = at(1000);
	char who[64];
	int why = -1, i;

	(void)state;
	limits(&l, 256);
	l.bib[ND_QL_CLIENT] = 10;
	l.bib[ND_QL_SUBNET] = 15;
	l.bib[ND_QL_SITE] = 20;
	nd_quota_init(&q, &l);
	/* rotating addresses in one /64: the subnet's limit holds */
	for (i = 0; i < 15; i++) {
		snprintf(who, sizeof(who), "2001:db8:1:1::%x", 100 + i);
		assert_non_null(open1(&q, who, &now, &why));
	}
	assert_null(open1(&q, "2001:db8:1:1::ffff", &now, &why));
	assert_int_equal(why, ND_QR_BIB);
	assert_int_equal(q.c.refused[ND_QR_BIB][ND_QL_SUBNET], 1);
	/* more rotating addresses, all refused: no record for any of them */
	for (i = 0; i < 100; i++) {
		snprintf(who, sizeof(who), "2001:db8:1:1::%x", 1000 + i);
		assert_null(open1(&q, who, &now, &why));
	}
	assert_int_equal(q.c.refused[ND_QR_BIB][ND_QL_SUBNET], 101);
	assert_int_equal(nd_quota_records(&q), 15 + 2);
	/* another /64 of the same /56: the site's limit holds */
	for (i = 0; i < 5; i++)
		assert_non_null(open1(&q, "2001:db8:1:2::1", &now, &why));
	assert_null(open1(&q, "2001:db8:1:3::1", &now, &why));
	assert_int_equal(q.c.refused[ND_QR_BIB][ND_QL_SITE], 1);
	/* another site */
	assert_non_null(open1(&q, "2001:db8:1:100::1", &now, &why));
	nd_quota_free(&q);
}

static void
test_rate(void **state)
{
	struct nd_quota q;
	struct nd_quota_limits l;
	struct clk_now now = at(5000);
	uint8_t v6[16];
	int why = -1, n = 0, i;

	(void)state;
	limits(&l, 64);
	l.rate[ND_QL_CLIENT] = 10;	/* bursts of 50 */
	l.rate[ND_QL_SITE] = 1000;
	nd_quota_init(&q, &l);
	a6("2001:db8::5", v6);
	for (i = 0; i < 200; i++)
		n += nd_quota_admit(&q, v6, true, &now, &why);
	assert_int_equal(n, 10 * ND_QUOTA_BURST_S);
	assert_int_equal(why, ND_QR_RATE);
	assert_int_equal(q.c.refused[ND_QR_RATE][ND_QL_CLIENT], 200 - n);
	now = at(6000);			/* one second: ten more */
	for (n = 0, i = 0; i < 200; i++)
		n += nd_quota_admit(&q, v6, true, &now, &why);
	assert_int_equal(n, 10);
	/* a refusal at a higher level takes no token below it */
	l.rate[ND_QL_SITE] = 1;
	nd_quota_set_limits(&q, &l);
	now = at(100000);
	a6("2001:db8::6", v6);
	for (n = 0, i = 0; i < 20; i++)
		n += nd_quota_admit(&q, v6, true, &now, &why);
	assert_int_equal(n, ND_QUOTA_BURST_S);
	assert_true(nd_quota_client(&q, v6, &now)->tb.tokens >= 50 - ND_QUOTA_BURST_S - 0.01);
	nd_quota_free(&q);
}

static void
test_table_bounded(void **state)
{
	struct nd_quota q;
	struct nd_quota_limits l;
	struct clk_now now = at(1000);
	struct nd_qrec *r[64];
	char who[64];
	int why = -1, i;

	(void)state;
	limits(&l, 64);
	l.bib[ND_QL_CLIENT] = 100;
	nd_quota_init(&q, &l);
	/* one client, one subnet, one site: three records */
	r[0] = open1(&q, "2001:db8::1", &now, &why);
	assert_int_equal(nd_quota_records(&q), 3);
	/* 61 more clients of the same /64 fill the table (64 records) */
	for (i = 1; i < 62; i++) {
		snprintf(who, sizeof(who), "2001:db8::%x", 1 + i);
		assert_non_null(r[i] = open1(&q, who, &now, &why));
	}
	assert_int_equal(nd_quota_records(&q), 64);
	/* every record holds entries: a new client is refused, counted */
	assert_null(open1(&q, "2001:db8::ffff", &now, &why));
	assert_int_equal(why, ND_QR_N);
	assert_int_equal(q.c.refused_table, 1);
	/* one released: its record is recycled for the newcomer */
	close1(&q, r[5], &now);
	assert_non_null(open1(&q, "2001:db8::ffff", &now, &why));
	assert_int_equal(q.c.recycled, 1);
	assert_int_equal(nd_quota_records(&q), 64);
	/* all released: freed ND_QUOTA_IDLE_MS later, never sooner */
	for (i = 0; i < 62; i++)
		if (i != 5)
			close1(&q, r[i], &now);
	nd_quota_expire(&q, &now);
	assert_int_equal(nd_quota_records(&q), 64);
	now = at(1000 + ND_QUOTA_IDLE_MS);
	nd_quota_expire(&q, &now);
	assert_int_equal(nd_quota_records(&q), 3);	/* the newcomer's */
	nd_quota_free(&q);
}

static void
test_summary_lines(void **state)
{
	struct nd_quota q;
	struct nd_quota_limits l;
	struct clk_now now = at(1000);
	char line[512], who[64];
	int why = -1, i;

	(void)state;
	limits(&l, 256);
	l.bib[ND_QL_CLIENT] = 2;
	nd_quota_init(&q, &l);
	for (i = 0; i < 1236; i++)
		open1(&q, "2001:db8::5", &now, &why);
	/* nothing before the period is over: never a line per packet */
	assert_int_equal(nd_quota_report(&q, &now, line, sizeof(line)), 0);
	now = at(1000 + ND_QUOTA_REPORT_MS);
	assert_true(nd_quota_report(&q, &now, line, sizeof(line)) > 0);
	assert_string_equal(line, "quota: client 2001:db8::5 refused 1234 new sessions in the "
	    "last 10 s (bib-per-client 2: 1234)");
	assert_int_equal(nd_quota_report(&q, &now, line, sizeof(line)), 0);
	/* quiet: nothing more */
	now = at(1000 + 3 * ND_QUOTA_REPORT_MS);
	assert_int_equal(nd_quota_report(&q, &now, line, sizeof(line)), 0);
	/* many clients: ND_QUOTA_REPORT_LINES lines, then one for the rest */
	for (i = 0; i < 20; i++) {
		snprintf(who, sizeof(who), "2001:db8:%x::1", 100 + i);
		open1(&q, who, &now, &why);
		open1(&q, who, &now, &why);
		open1(&q, who, &now, &why);
	}
	now = at(1000 + 4 * ND_QUOTA_REPORT_MS);
	for (i = 0; nd_quota_report(&q, &now, line, sizeof(line)) > 0; i++)
		assert_true(i < ND_QUOTA_REPORT_LINES + 1);
	assert_int_equal(i, ND_QUOTA_REPORT_LINES + 1);
	assert_string_equal(line, "quota: 12 more clients and prefixes refused 12 new sessions "
	    "in the last 10 s");
	nd_quota_free(&q);
}

/* Through the gateway: a SYN flood from one client. */
static char ml[64][160];
static int nml;

static void
on_bib(void *arg, const struct nd_bib *b, bool created, const struct clk_now *now)
{
	(void)arg;
	if (nml < 64)
		nd_maplog_format(ml[nml], sizeof(ml[0]), b, created, now);
	nml++;
}

static int
syn_flood(struct t_gw *t, const char *from, int n, int *unreach)
{
	uint8_t l4[64], pkt[256], out[2048];
	ssize_t m;
	size_t len;
	int i;

	*unreach = 0;
	for (i = 0; i < n; i++) {
		len = t_ip6(pkt, from, "2001:db8:64::c000:202", 6, 64, l4,
		    t_tcp(l4, (uint16_t)(10000 + i), 80, 0x02, 0), 16);
		t_in(t, pkt, len);
		while ((m = t_recv(t, out, sizeof(out))) > 0)
			if (out[0] >> 4 == 6 && out[6] == 58 && out[40] == 1 && out[41] == 3)
				(*unreach)++;
	}
	return (int)t->gw->st.n_bib;
}

static void
test_gateway_syn_flood(void **state)
{
	struct t_gw t;
	int unreach;

	(void)state;
	t_gw_open(&t, false, "bib-per-client 10\nicmp-error-rate 5\n");
	t.gw->st.on_bib = on_bib;
	nml = 0;
	assert_int_equal(syn_flood(&t, "2001:db8:1::2", 40, &unreach), 10);
	assert_int_equal(t.gw->c.drop_quota, 30);
	assert_int_equal(unreach, 1);	/* a tenth of icmp-error-rate 5, at least 1 */
	assert_int_equal(nml, 10);	/* ten Created lines, no pair per refusal */
	assert_non_null(strstr(ml[9], " Created tcp 198.51.100.1:"));
	/* another client still gets its entries */
	assert_int_equal(syn_flood(&t, "2001:db8:2::2", 3, &unreach), 13);
	assert_int_equal(nml, 13);
	t_gw_close(&t);
}

/* A full session table refuses after the BIB entry was allocated: the
 * entry goes, and the mapping log never saw it. */
static void
test_gateway_sessions_full_logs_nothing(void **state)
{
	struct t_gw t;
	int unreach;

	(void)state;
	t_gw_open(&t, false, "max-sessions 16\nbib-per-client 0\nsessions-per-client 0\n"
	    "session-rate-per-client 0\nsession-rate-per-subnet 0\nsession-rate-per-site 0\n");
	t.gw->st.on_bib = on_bib;
	nml = 0;
	assert_int_equal(syn_flood(&t, "2001:db8:1::2", 40, &unreach), 16);
	assert_int_equal(t.gw->st.c.sess_full, 24);
	assert_int_equal(t.gw->st.c.bib_created, 40);
	assert_int_equal(nml, 16);
	t_gw_close(&t);
}

/* Peers on the IPv4 side open sessions onto a client's UDP mapping (any
 * peer may: endpoint-independent filtering). They are held to
 * sessions-per-client of their own, so they cannot fill the table through
 * the mapping, nor take the client's own quota: the client still opens
 * new sessions. */
static void
test_gateway_peers_cannot_lock_out_client(void **state)
{
	uint8_t l4[64], pkt[256], v6[16];
	struct t_gw t;
	struct nd_bib *b;
	struct clk_now now;
	char peer[32], line[512];
	int i;

	(void)state;
	t_gw_open(&t, false, "sessions-per-client 8\n");
	t_a6("2001:db8:1::2", v6);
	t_in(&t, pkt, t_ip6(pkt, "2001:db8:1::2", "2001:db8:64::c000:202", 17, 64, l4,
	    t_udp(l4, 40000, 53, "q"), 6));
	assert_non_null(b = nd_bib_find6(&t.gw->st, 17, v6, 40000));
	for (i = 0; i < 20; i++) {
		snprintf(peer, sizeof(peer), "192.0.2.%d", 10 + i);
		t_in(&t, pkt, t_ip4(pkt, peer, "198.51.100.1", 17, 64, false, l4,
		    t_udp(l4, 1000, b->port4, "x"), 6));
	}
	/* the client's own session and 8 of the peers': the rest refused */
	assert_int_equal(b->n_sessions, 1 + 8);
	assert_int_equal(t.gw->c.drop_quota, 20 - 8);
	assert_int_equal(t.gw->quota.c.refused[ND_QR_PEER][ND_QL_CLIENT], 20 - 8);
	assert_int_equal(t.gw->quota.c.refused[ND_QR_SESS][ND_QL_CLIENT], 0);
	/* the client's own new sessions are still admitted, up to its quota */
	for (i = 0; i < 10; i++)
		t_in(&t, pkt, t_ip6(pkt, "2001:db8:1::2", "2001:db8:64::c000:202", 17, 64, l4,
		    t_udp(l4, (uint16_t)(40001 + i), 53, "q"), 6));
	assert_int_equal(t.gw->st.n_sess, 1 + 8 + 7);
	assert_int_equal(t.gw->c.drop_quota, 20 - 8 + 3);
	/* the summary tells the two apart */
	now = clk_fake(t.now.mono_ms + ND_QUOTA_REPORT_MS, 1700000010);
	assert_true(nd_quota_report(&t.gw->quota, &now, line, sizeof(line)) > 0);
	assert_string_equal(line, "quota: client 2001:db8:1::2 refused 15 new sessions in the last "
	    "10 s (sessions-per-client 8: 3, sessions-per-client 8 of IPv4 peers: 12)");
	t_gw_close(&t);
}

/* quota-clients 0, the default: three records per BIB entry, so a BIB full
 * of one-entry clients, each in a site of its own, never meets the record
 * table's bound (a fixed 65536 would refuse the 21846th such client). */
static void
test_gateway_record_table_follows_max_bib(void **state)
{
	uint8_t l4[64], pkt[256];
	struct t_gw t;
	char who[64];
	int i;

	(void)state;
	t_gw_open(&t, false, "max-bib 16\n");
	assert_int_equal(t.gw->quota.l.max_records, 3 * 16);
	assert_int_equal(t.gw->quota.t.mask + 1, 16);	/* a bucket per 4 records */
	for (i = 0; i < 16; i++) {
		snprintf(who, sizeof(who), "2001:db8:%x::1", 0x100 + i);
		t_in(&t, pkt, t_ip6(pkt, who, "2001:db8:64::c000:202", 17, 64, l4,
		    t_udp(l4, 40000, 53, "q"), 6));
	}
	assert_int_equal(t.gw->st.n_bib, 16);
	assert_int_equal(nd_quota_records(&t.gw->quota), 3 * 16);
	assert_int_equal(t.gw->quota.c.refused_table, 0);
	t_gw_close(&t);
}

/* One client's flood over its quotas cannot take the ICMP errors others
 * need: its Address Unreachable answers get a tenth of icmp-error-rate,
 * and another client's Packet Too Big still goes out. */
static void
test_gateway_flood_leaves_icmp_for_others(void **state)
{
	uint8_t l4[1600], pkt[1700], out[2048];
	struct t_gw t;
	ssize_t m;
	size_t len;
	int unreach, ptb = 0;

	(void)state;
	t_gw_open(&t, false, "bib-per-client 10\nicmp-error-rate 20\nmtu4 1280\n");
	assert_int_equal(syn_flood(&t, "2001:db8:1::2", 100, &unreach), 10);
	assert_int_equal(t.gw->c.drop_quota, 90);
	assert_int_equal(unreach, 2);		/* 20 / 10 */
	memset(l4, 0, sizeof(l4));
	len = t_ip6(pkt, "2001:db8:2::2", "2001:db8:64::c000:202", 17, 64, l4,
	    t_udp(l4, 40000, 53, "") + 1400, 6);
	t_put16(pkt + 44, 8 + 1400);
	t_in(&t, pkt, len);
	while ((m = t_recv(&t, out, sizeof(out))) > 0)
		if (out[0] >> 4 == 6 && out[6] == 58 && out[40] == 2)
			ptb++;
	assert_int_equal(ptb, 1);
	t_gw_close(&t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bib_and_session_limits),
		cmocka_unit_test(test_subnet_and_site),
		cmocka_unit_test(test_rate),
		cmocka_unit_test(test_table_bounded),
		cmocka_unit_test(test_summary_lines),
		cmocka_unit_test(test_gateway_syn_flood),
		cmocka_unit_test(test_gateway_sessions_full_logs_nothing),
		cmocka_unit_test(test_gateway_peers_cannot_lock_out_client),
		cmocka_unit_test(test_gateway_record_table_follows_max_bib),
		cmocka_unit_test(test_gateway_flood_leaves_icmp_for_others),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
