/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* test_nd_state.c — RFC 6146 state under a fake clock: session ageing
 * with the §4 default timeouts, the TCP state machine of §3.5.2, BIB
 * entries living as long as their sessions, bounded tables, the
 * server-owned cache entries the handoff extension will use, static
 * entries (bib-static) and how a reload changes them. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "clock.h"
#include "nd_config.h"
#include "nd_maplog.h"
#include "nd_state.h"

static const uint32_t pool[2] = { 0xc6336401, 0xc6336402 };	/* 198.51.100.1-2 */
static const uint8_t v6a[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2 };
static const uint8_t v6b[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3 };

static void
init(struct nd_state *st, uint32_t max)
{
	struct nd_state_params p;

	memset(&p, 0, sizeof(p));
	p.pool4 = pool;
	p.n_pool4 = 2;
	p.port_min = 1024;
	p.port_max = 65535;
	p.timeout_ms[ND_TC_UDP] = 5 * 60 * 1000;
	p.timeout_ms[ND_TC_ICMP] = 60 * 1000;
	p.timeout_ms[ND_TC_TCP_EST] = (2 * 60 + 4) * 60 * 1000;
	p.timeout_ms[ND_TC_TCP_TRANS] = 4 * 60 * 1000;
	p.timeout_ms[ND_TC_TCP_SYN] = 6 * 1000;
	p.max_bib = max;
	p.max_sessions = max;
	nd_state_init(st, &p);
}

static struct clk_now
at(uint64_t s)
{
	return clk_fake(1000 + s * 1000, 1700000000 + (time_t)s);
}

static void
test_udp_ageing(void **state)
{
	struct nd_state st;
	struct clk_now now = at(0);
	struct nd_bib *b;
	struct nd_session *s;

	(void)state;
	init(&st, 100);
	b = nd_bib_create(&st, 17, v6a, 5000, &now);
	assert_non_null(b);
	s = nd_session_create(&st, b, 0xc0000202, 53, false, &now);
	assert_non_null(s);
	now = at(299);
	assert_int_equal(nd_state_expire(&st, &now, NULL), 0);
	nd_session_touch(&st, s, &now);		/* traffic at 299 s */
	now = at(598);
	assert_int_equal(nd_state_expire(&st, &now, NULL), 0);
	now = at(600);
	assert_int_equal(nd_state_expire(&st, &now, NULL), 1);
	assert_int_equal(st.n_sess, 0);
	assert_int_equal(st.n_bib, 0);		/* the BIB entry went with it */
	assert_null(nd_bib_find6(&st, 17, v6a, 5000));
	nd_state_free(&st);
}

static void
test_icmp_ageing_and_next_deadline(void **state)
{
	struct nd_state st;
	struct clk_now now = at(0);
	struct nd_bib *b;
	uint64_t next;

	(void)state;
	init(&st, 100);
	b = nd_bib_create(&st, 1, v6a, 77, &now);
	nd_session_create(&st, b, 0xc0000202, 0, false, &now);
	nd_state_expire(&st, &now, &next);
	assert_int_equal(next, now.mono_ms + 60000);
	now = at(59);
	assert_int_equal(nd_state_expire(&st, &now, NULL), 0);
	now = at(60);
	assert_int_equal(nd_state_expire(&st, &now, NULL), 1);
	nd_state_expire(&st, &now, &next);
	assert_int_equal(next, UINT64_MAX);
	nd_state_free(&st);
}

static void
test_tcp_state_machine(void **state)
{
	struct nd_state st;
	struct clk_now now = at(0);
	struct nd_bib *b;
	struct nd_session *s;

	(void)state;
	init(&st, 100);
	b = nd_bib_create(&st, 6, v6a, 40000, &now);
	s = nd_session_create(&st, b, 0xc0000202, 80, false, &now);
	nd_session_tcp(&st, s, true, ND_TCPF_SYN, &now);
	assert_int_equal(s->tcp_state, ND_TCP_V6_INIT);
	nd_session_tcp(&st, s, false, ND_TCPF_SYN, &now);
	assert_int_equal(s->tcp_state, ND_TCP_ESTABLISHED);
	/* established: 2 h 4 min */
	now = at(2 * 3600 + 3 * 60);
	assert_int_equal(nd_state_expire(&st, &now, NULL), 0);
	nd_session_tcp(&st, s, true, 0, &now);
	now = at(2 * (2 * 3600 + 3 * 60));
	assert_int_equal(nd_state_expire(&st, &now, NULL), 0);
	nd_session_tcp(&st, s, false, ND_TCPF_FIN, &now);
	assert_int_equal(s->tcp_state, ND_TCP_V4_FIN_RCV);
	nd_session_tcp(&st, s, true, ND_TCPF_FIN, &now);
	assert_int_equal(s->tcp_state, ND_TCP_V4_FIN_V6_FIN_RCV);
	/* both FINs: transitory, 4 min */
	now = at(2 * (2 * 3600 + 3 * 60) + 239);
	assert_int_equal(nd_state_expire(&st, &now, NULL), 0);
	now = at(2 * (2 * 3600 + 3 * 60) + 240);
	assert_int_equal(nd_state_expire(&st, &now, NULL), 1);
	assert_int_equal(st.n_bib, 0);
	nd_state_free(&st);
}

static void
test_tcp_rst_and_revive(void **state)
{
	struct nd_state st;
	struct clk_now now = at(0);
	struct nd_bib *b;
	struct nd_session *s;

	(void)state;
	init(&st, 100);
	b = nd_bib_create(&st, 6, v6a, 40000, &now);
	s = nd_session_create(&st, b, 0xc0000202, 80, false, &now);
	nd_session_tcp(&st, s, true, ND_TCPF_SYN, &now);
	nd_session_tcp(&st, s, false, ND_TCPF_SYN, &now);
	nd_session_tcp(&st, s, false, ND_TCPF_RST, &now);
	assert_int_equal(s->tcp_state, ND_TCP_TRANS);
	now = at(100);
	nd_session_tcp(&st, s, true, 0, &now);	/* not a RST: back to established */
	assert_int_equal(s->tcp_state, ND_TCP_ESTABLISHED);
	now = at(1000);
	assert_int_equal(nd_state_expire(&st, &now, NULL), 0);
	nd_state_free(&st);
}

static void
test_tcp_v4_syn_timeout(void **state)
{
	struct nd_state st;
	struct clk_now now = at(0);
	struct nd_bib *b;
	struct nd_session *s;

	(void)state;
	init(&st, 100);
	b = nd_bib_create(&st, 6, v6a, 40000, &now);
	nd_session_create(&st, b, 0xc0000202, 80, false, &now);	/* keeps b alive */
	s = nd_session_create(&st, b, 0xcb007109, 4444, false, &now);
	nd_session_tcp(&st, s, false, ND_TCPF_SYN, &now);
	assert_int_equal(s->tcp_state, ND_TCP_V4_INIT);
	now = at(6);
	assert_int_equal(nd_state_expire(&st, &now, NULL), 1);	/* RFC 6146: 6 s */
	assert_int_equal(st.n_sess, 1);
	assert_int_equal(st.n_bib, 1);
	nd_state_free(&st);
}

static void
test_paired_and_bounded(void **state)
{
	struct nd_state st;
	struct clk_now now = at(0);
	struct nd_bib *b1, *b2, *b;
	int i;

	(void)state;
	init(&st, 16);
	b1 = nd_bib_create(&st, 17, v6a, 1, &now);
	b2 = nd_bib_create(&st, 6, v6a, 2, &now);
	assert_int_equal(b1->v4, b2->v4);		/* paired pooling */
	assert_true(b1->port4 >= 1024);
	assert_ptr_equal(nd_bib_find4(&st, 17, b1->v4, b1->port4), b1);
	assert_null(nd_bib_find4(&st, 6, b1->v4, b1->port4) == b1 ? b1 : NULL);
	for (i = 0; i < 14; i++)
		assert_non_null(nd_bib_create(&st, 17, v6b, (uint16_t)(100 + i), &now));
	assert_null(nd_bib_create(&st, 17, v6b, 999, &now));
	assert_int_equal(st.c.bib_full, 1);
	b = nd_bib_find6(&st, 17, v6b, 100);
	assert_non_null(b);
	for (i = 0; i < 16; i++)
		nd_session_create(&st, b, (uint32_t)(0xc0000200 + i), 53, false, &now);
	assert_null(nd_session_create(&st, b, 0xc0000299, 53, false, &now));
	assert_int_equal(st.c.sess_full, 1);
	nd_state_free(&st);
}

static void
test_inserted_entry(void **state)
{
	struct nd_state st;
	struct clk_now now = at(0);
	struct nd_bib *b;

	(void)state;
	init(&st, 100);
	/* An entry with a given IPv4 side sits in the same tables, found by
	 * both lookups, marked with its owner. */
	b = nd_bib_insert(&st, 6, v6a, 40000, pool[0], 31337, ND_OWN_LOCAL, &now);
	assert_non_null(b);
	assert_ptr_equal(nd_bib_find6(&st, 6, v6a, 40000), b);
	assert_ptr_equal(nd_bib_find4(&st, 6, pool[0], 31337), b);
	assert_int_equal(b->owner, ND_OWN_LOCAL);
	nd_bib_delete(&st, b, &now);
	assert_int_equal(st.n_bib, 0);
	nd_state_free(&st);
}

static char events[4][160];
static int nev;

static void
on_bib(void *arg, const struct nd_bib *b, bool created, const struct clk_now *now)
{
	(void)arg;
	if (nev < 4)
		nd_maplog_format(events[nev++], sizeof(events[0]), b, created, now);
}

static void
test_mapping_log_lines(void **state)
{
	struct nd_state st;
	struct clk_now now = clk_fake(1000, 1763884800);	/* 2025-11-23 08:00:00 UTC */
	struct nd_bib *b;
	char want[160];

	(void)state;
	init(&st, 100);
	st.on_bib = on_bib;
	nev = 0;
	b = nd_bib_create(&st, 6, v6a, 40000, &now);
	nd_session_create(&st, b, 0xc0000202, 80, false, &now);
	snprintf(want, sizeof(want), "2025-11-23 08:00:00.000000 Created tcp 198.51.100.%u:%u "
	    "[2001:db8:1::2]:40000\n", b->v4 & 0xff, b->port4);
	assert_string_equal(events[0], want);
	now = clk_fake(1000 + 240000, 1763884800 + 240);	/* transitory 4 min */
	assert_int_equal(nd_state_expire(&st, &now, NULL), 1);
	assert_int_equal(nev, 2);
	assert_non_null(strstr(events[1], "08:04:00.000000 Deleted tcp 198.51.100."));
	nd_state_free(&st);
}

static struct nd_static
stat_entry(uint8_t proto, const uint8_t v6[16], uint16_t port6, uint32_t v4, uint16_t port4)
{
	struct nd_static e;

	memset(&e, 0, sizeof(e));
	e.proto = proto;
	memcpy(e.v6, v6, 16);
	e.port6 = port6;
	e.v4 = v4;
	e.port4 = port4;
	return e;
}

/* Static entries: never expired, not refused by a full table, never
 * handed out as dynamic ports; at a reload removed ones with sessions
 * become local (kept while used, logged as created then), others go;
 * new ones replace a dynamic entry holding either side. */
static void
test_static_entries(void **state)
{
	struct nd_state st;
	struct clk_now now = at(0);
	struct nd_static list[3];
	struct nd_bib *b, *d;
	struct nd_session *s;
	int i;

	(void)state;
	init(&st, 16);
	st.on_bib = on_bib;
	nev = 0;
	list[0] = stat_entry(6, v6b, 80, pool[0], 8080);
	list[1] = stat_entry(17, v6b, 53, pool[0], 5353);
	assert_int_equal(nd_state_set_static(&st, list, 2, &now), 2);
	assert_int_equal(st.n_static, 2);
	assert_int_equal(nev, 0);			/* configuration, not logged */
	b = nd_bib_find4(&st, 6, pool[0], 8080);
	assert_non_null(b);
	assert_int_equal(b->owner, ND_OWN_STATIC);
	/* A session comes and goes; the entry stays. */
	s = nd_session_create(&st, b, 0xc0000202, 6000, false, &now);
	assert_non_null(s);
	now = at(3600);
	nd_state_expire(&st, &now, NULL);
	assert_int_equal(b->n_sessions, 0);
	assert_ptr_equal(nd_bib_find6(&st, 6, v6b, 80), b);
	/* Fill the table: dynamic entries are refused, a static one is not. */
	for (i = 0; st.n_bib < 16; i++)
		assert_non_null(nd_bib_create(&st, 17, v6a, (uint16_t)(10000 + i), &now));
	assert_null(nd_bib_create(&st, 17, v6a, 20000, &now));
	list[2] = stat_entry(17, v6b, 123, pool[1], 123);
	assert_int_equal(nd_state_set_static(&st, list, 3, &now), 1);
	assert_int_equal(st.n_bib, 17);
	assert_int_equal(st.n_static, 3);
	assert_int_equal(nd_state_set_static(&st, list, 3, &now), 0);	/* unchanged */
	nd_state_free(&st);

	/* Reload: a removed entry with a session becomes local and goes with
	 * its last session; one without goes at once. */
	init(&st, 100);
	st.on_bib = on_bib;
	nev = 0;
	now = at(0);
	nd_state_set_static(&st, list, 2, &now);
	b = nd_bib_find4(&st, 6, pool[0], 8080);
	nd_session_create(&st, b, 0xc0000202, 6000, false, &now);
	assert_int_equal(nd_state_set_static(&st, list + 2, 1, &now), 1);
	assert_int_equal(st.n_static, 1);
	assert_null(nd_bib_find4(&st, 17, pool[0], 5353));
	assert_ptr_equal(nd_bib_find4(&st, 6, pool[0], 8080), b);
	assert_int_equal(b->owner, ND_OWN_LOCAL);
	assert_true(b->retired);
	assert_int_equal(nev, 1);
	assert_non_null(strstr(events[0], "Created tcp 198.51.100.1:8080 [2001:db8:1::3]:80"));
	now = at(300);		/* the TCP session (CLOSED: transitory, 4 min) expires */
	nd_state_expire(&st, &now, NULL);
	assert_null(nd_bib_find4(&st, 6, pool[0], 8080));
	assert_int_equal(nev, 2);
	assert_non_null(strstr(events[1], "Deleted tcp 198.51.100.1:8080"));
	/* A new static entry takes over a dynamic entry's IPv4 side. */
	d = nd_bib_insert(&st, 17, v6a, 4000, pool[0], 5353, ND_OWN_LOCAL, &now);
	assert_non_null(d);
	nd_session_create(&st, d, 0xc0000202, 53, false, &now);
	assert_int_equal(nd_state_set_static(&st, list + 1, 1, &now), 1);
	b = nd_bib_find4(&st, 17, pool[0], 5353);
	assert_non_null(b);
	assert_int_equal(b->owner, ND_OWN_STATIC);
	assert_memory_equal(b->v6, v6b, 16);
	assert_null(nd_bib_find6(&st, 17, v6a, 4000));
	assert_int_equal(st.c.static_replaced, 1);
	/* Removed with a session, then listed again: static once more, its
	 * session kept; as a local entry it is logged as deleted. */
	nev = 0;
	nd_session_create(&st, b, 0xc0000202, 54, false, &now);
	assert_int_equal(nd_state_set_static(&st, NULL, 0, &now), 0);
	assert_true(b->retired);
	assert_int_equal(nd_state_set_static(&st, list + 1, 1, &now), 1);
	assert_int_equal(b->owner, ND_OWN_STATIC);
	assert_false(b->retired);
	assert_int_equal(b->n_sessions, 1);
	assert_int_equal(nev, 2);
	assert_non_null(strstr(events[1], "Deleted udp 198.51.100.1:5353"));
	nd_state_free(&st);
}

/* The allocator never hands out a static entry's port. */
static void
test_static_port_not_allocated(void **state)
{
	struct nd_state st;
	struct nd_state_params p;
	struct clk_now now = at(0);
	struct nd_static list[64];
	struct nd_bib *b;
	int i;

	(void)state;
	memset(&p, 0, sizeof(p));
	p.pool4 = pool;
	p.n_pool4 = 1;
	p.port_min = 2000;
	p.port_max = 2063;
	p.max_bib = 256;
	p.max_sessions = 256;
	nd_state_init(&st, &p);
	for (i = 0; i < 63; i++)
		list[i] = stat_entry(17, v6b, (uint16_t)(100 + i), pool[0], (uint16_t)(2000 + i));
	nd_state_set_static(&st, list, 63, &now);
	b = nd_bib_create(&st, 17, v6a, 40000, &now);
	assert_non_null(b);
	assert_int_equal(b->port4, 2063);
	assert_null(nd_bib_create(&st, 17, v6a, 40001, &now));
	nd_state_free(&st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_udp_ageing),
		cmocka_unit_test(test_icmp_ageing_and_next_deadline),
		cmocka_unit_test(test_tcp_state_machine),
		cmocka_unit_test(test_tcp_rst_and_revive),
		cmocka_unit_test(test_tcp_v4_syn_timeout),
		cmocka_unit_test(test_paired_and_bounded),
		cmocka_unit_test(test_inserted_entry),
		cmocka_unit_test(test_mapping_log_lines),
		cmocka_unit_test(test_static_entries),
		cmocka_unit_test(test_static_port_not_allocated),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
