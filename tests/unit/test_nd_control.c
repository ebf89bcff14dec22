/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* test_nd_control.c — nat64d's control commands (nat64d/control.c through
 * nd_ctl_dispatch, lib/ctl_cmd.c's table and lib/ctl_wire.c's parser) on
 * a gateway over the fake device: every malformed, oversized or unknown
 * request gets one "error" line and is counted; bib and sessions stream
 * in bounded steps, show every entry once with its fields, filter and
 * stop at a limit; a walk survives entries deleted between its steps;
 * lookup names the client of a pool address and port; stats and servers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ctl_cmd.h"
#include "ctl_server.h"
#include "ctl_wire.h"
#include "nd_control.h"
#include "nd_state.h"
#include "nd_testutil.h"

struct fx {
	struct t_gw t;
	struct nd_ctl *c;
	struct ctl_out o;
	size_t max_step;		/* the largest step's output */
	int steps;
};

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	t_gw_open(&f->t, false, NULL);
	f->c = nd_ctl_create_detached(f->t.gw);
	ctl_out_init(&f->o, 1u << 24);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	ctl_out_free(&f->o);
	nd_ctl_close(f->c);
	t_gw_close(&f->t);
	free(f);
	return 0;
}

/* The whole answer to req, stepping as the socket would (each step into
 * an emptied buffer of the socket's size: the client has read the last
 * one); NUL-terminated. */
static const char *
ask(struct fx *f, const char *req)
{
	struct ctl_cursor cur;
	struct ctl_out step;

	ctl_out_free(&f->o);
	ctl_out_init(&f->o, 1u << 24);
	f->max_step = 0;
	f->steps = 0;
	nd_ctl_dispatch(f->c, req, strlen(req), &f->o, &cur, &f->t.now);
	while (cur.more) {
		ctl_out_init(&step, ND_CTL_OUT_MAX);
		if (cur.more(f->c, &cur, &step, &f->t.now))
			cur.more = NULL;
		assert_false(step.err);
		if (step.len > f->max_step)
			f->max_step = step.len;
		ctl_put_raw(&f->o, step.p, step.len);
		ctl_out_free(&step);
		f->steps++;
		assert_true(f->steps < 100000);
	}
	assert_false(f->o.err);
	ctl_put_raw(&f->o, "", 1);
	return f->o.p;
}

static unsigned
count(const char *s, const char *needle)
{
	unsigned n = 0;

	for (; (s = strstr(s, needle)) != NULL; s++)
		n++;
	return n;
}

static void
v6(uint8_t out[16], int host)
{
	t_a6("2001:db8:1::", out);
	out[14] = (uint8_t)(host >> 8);
	out[15] = (uint8_t)host;
}

/* n clients, each with one UDP entry (port 40000+i) and one session to
 * 192.0.2.2:53; client 0 also has a TCP one to 192.0.2.2:80. */
static void
fill(struct fx *f, int n)
{
	struct nd_state *st = &f->t.gw->st;
	uint8_t a[16];
	int i;

	for (i = 0; i < n; i++) {
		struct nd_bib *b;

		v6(a, i + 1);
		b = nd_bib_create(st, 17, a, (uint16_t)(40000 + i), &f->t.now);
		assert_non_null(b);
		assert_non_null(nd_session_create(st, b, 0xc0000202, 53, false, &f->t.now));
	}
	v6(a, 1);
	assert_non_null(nd_session_create(st, nd_bib_create(st, 6, a, 33000, &f->t.now), 0xc0000202,
	    80, false, &f->t.now));
}

static void
test_bad_requests(void **state)
{
	struct fx *f = *state;
	static const char *const bad[] = {
		"", "   ", "nosuch", "bib extra", "bib proto=sctp", "bib proto=tcp proto=udp",
		"bib addr=2001:db8::zz", "bib port=0", "bib port=65536", "bib port=12x",
		"bib limit=0", "bib limit=-1", "bib =1", "servers proto=tcp", "stats limit=1",
		"lookup", "lookup 198.51.100.1", "lookup 198.51.100.1:0", "lookup 198.51.100.1:70000",
		"lookup [2001:db8::1]:80", "lookup 198.51.100.1:80 addr=1.2.3.4",
		"sessions bogus=1", "bib\x01", "bib \xff", "a b c d e f g h i j",
	};
	char big[CTL_LINE_MAX + 10];
	uint64_t e0 = nd_ctl_counters(f->c)->errors;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *a = ask(f, bad[i]);

		if (strncmp(a, "error ", 6) != 0 || count(a, "\n") != 1)
			fail_msg("'%s' answered '%s'", bad[i], a);
	}
	memset(big, 'b', sizeof(big));
	ctl_out_free(&f->o);
	ctl_out_init(&f->o, 4096);
	nd_ctl_dispatch(f->c, big, sizeof(big), &f->o, &(struct ctl_cursor){ 0 }, &f->t.now);
	ctl_put_raw(&f->o, "", 1);
	assert_string_equal(f->o.p, "error command longer than 511 octets\n");
	assert_non_null(strstr(ask(f, "bib proto=sctp"), "error proto 'sctp': tcp, udp or icmp"));
	assert_non_null(strstr(ask(f, "nosuch"), "error unknown command 'nosuch' (try help)"));
	/* dispatch-level refusals are counted (the option values are the commands') */
	assert_true(nd_ctl_counters(f->c)->errors >= e0 + 10);
	/* a good request after all that */
	assert_non_null(strstr(ask(f, "help"), "row bib\t"));
}

static void
test_bib_and_sessions(void **state)
{
	struct fx *f = *state;
	const char *a;
	char row[200];

	fill(f, 40);
	a = ask(f, "bib");
	assert_int_equal(strncmp(a, "cols proto:s ipv6:s port6:n ipv4:s port4:n owner:s", 50), 0);
	assert_int_equal(count(a, "\nrow "), 41);
	assert_non_null(strstr(a, "end 41\n"));
	/* one row per entry: each client port once */
	assert_int_equal(count(a, "\t40007\t198.51.100.1\t"), 1);
	assert_int_equal(count(a, "row tcp\t2001:db8:1::1\t33000\t198.51.100.1\t"), 1);
	/* the walk visits every bucket (65536) in steps of ND_CTL_STEP_BUCKETS */
	assert_int_equal(f->steps, 65536 / ND_CTL_STEP_BUCKETS);
	assert_true(f->max_step < CTLS_OUT_LOW + 4096);

	a = ask(f, "sessions proto=tcp");
	assert_int_equal(count(a, "\nrow "), 1);
	snprintf(row, sizeof(row), "row tcp\t2001:db8:1::1\t33000\t198.51.100.1\t");
	assert_non_null(strstr(a, row));
	assert_non_null(strstr(a, "\t192.0.2.2\t80\t2001:db8:64::c000:202\tCLOSED\t"));
	a = ask(f, "sessions");
	assert_int_equal(count(a, "\nrow "), 41);
	assert_int_equal(count(ask(f, "sessions addr=2001:db8:1::1"), "\nrow "), 2);
	assert_int_equal(count(ask(f, "sessions addr=192.0.2.2 port=53"), "\nrow "), 40);
	assert_int_equal(count(ask(f, "sessions addr=2001:db8:64::c000:202 port=80"), "\nrow "), 1);
	assert_int_equal(count(ask(f, "bib proto=udp port=40003"), "\nrow "), 1);
	assert_int_equal(count(ask(f, "bib addr=198.51.100.1"), "\nrow "), 41);
	assert_int_equal(count(ask(f, "bib addr=198.51.100.9"), "\nrow "), 0);
	a = ask(f, "bib limit=5");
	assert_int_equal(count(a, "\nrow "), 5);
	assert_non_null(strstr(a, "note stopped at limit=5 rows\nend 5\n"));
	/* age and expiry: 30 s later, a UDP entry is 30 s old and its
	 * session has udp-timeout (5 min) - 30 s left */
	f->t.now.mono_ms += 30000;
	a = ask(f, "bib proto=udp port=40003");
	assert_non_null(strstr(a, "\tdynamic\t\t1\t30\t270\n"));
}

/* A table whose answer takes several steps bounded by the output (not by
 * the buckets): every entry exactly once, each step near CTLS_OUT_LOW (2000 entries,
 * 2048 buckets). */
static void
test_bib_in_steps(void **state)
{
	struct fx *f = *state;
	struct nd_state *st;
	const char *a;
	uint8_t c[16];
	int i;

	teardown(state);
	f = calloc(1, sizeof(*f));
	*state = f;
	t_gw_open(&f->t, false, "pool4 198.51.100.64/27\nmax-bib 2048\nmax-sessions 2048\n");
	f->c = nd_ctl_create_detached(f->t.gw);
	ctl_out_init(&f->o, 1u << 24);
	st = &f->t.gw->st;
	for (i = 0; i < 2000; i++) {
		v6(c, i + 1);
		assert_non_null(nd_session_create(st, nd_bib_create(st, 17, c, 40000, &f->t.now),
		    0xc0000202, 53, false, &f->t.now));
	}
	a = ask(f, "bib");
	assert_int_equal(count(a, "\nrow "), 2000);
	assert_true(f->steps >= 3);
	assert_true(f->max_step < CTLS_OUT_LOW + 4096);
	for (i = 0; i < 2000; i += 7) {
		char needle[64];

		snprintf(needle, sizeof(needle), "row udp\t2001:db8:1::%x\t40000\t", i + 1);
		if (count(a, needle) != 1)
			fail_msg("client %d: %u rows", i + 1, count(a, needle));
	}
}

/* Entries deleted and created between the steps of a walk: no crash,
 * no entry twice, the survivors all shown. */
static void
test_walk_while_changing(void **state)
{
	struct fx *f = *state;
	struct nd_state *st = &f->t.gw->st;
	struct ctl_cursor cur;
	uint8_t a[16];
	int i, steps = 0;

	fill(f, 60);
	ctl_out_free(&f->o);
	ctl_out_init(&f->o, 1u << 24);
	nd_ctl_dispatch(f->c, "bib", 3, &f->o, &cur, &f->t.now);
	while (cur.more) {
		if (cur.more(f->c, &cur, &f->o, &f->t.now))
			cur.more = NULL;
		if (++steps == 3)
			for (i = 0; i < 60; i += 2) {	/* delete every other UDP entry */
				struct nd_bib *b;

				v6(a, i + 1);
				b = nd_bib_find6(st, 17, a, (uint16_t)(40000 + i));
				if (b)
					nd_bib_delete(st, b, &f->t.now);
			}
	}
	ctl_put_raw(&f->o, "", 1);
	for (i = 1; i < 60; i += 2) {
		char needle[64];

		snprintf(needle, sizeof(needle), "\t%d\t198.51.100.1\t", 40000 + i);
		assert_int_equal(count(f->o.p, needle), 1);
	}
}

static void
test_lookup(void **state)
{
	struct fx *f = *state;
	struct nd_state *st = &f->t.gw->st;
	const struct nd_bib *b;
	char req[64], *a;
	uint8_t c[16];

	fill(f, 3);
	v6(c, 2);
	b = nd_bib_find6(st, 17, c, 40001);
	assert_non_null(b);
	snprintf(req, sizeof(req), "lookup 198.51.100.1:%u", b->port4);
	a = (char *)ask(f, req);
	assert_non_null(strstr(a, "row udp\t2001:db8:1::2\t40001\t198.51.100.1\t"));
	assert_non_null(strstr(a, "end 1\n"));
	snprintf(req, sizeof(req), "lookup 198.51.100.1:%u proto=tcp", b->port4);
	if (nd_bib_find4(st, 6, b->v4, b->port4) == NULL)
		assert_non_null(strstr(ask(f, req), "end 0\n"));
	assert_non_null(strstr(ask(f, "lookup 198.51.100.1:1"), "end 0\n"));
	a = (char *)ask(f, "lookup 192.0.2.77:1000");
	assert_non_null(strstr(a, "note 192.0.2.77:1000 is not a pool4 address\nend 0\n"));
}

static void
test_stats_and_servers(void **state)
{
	struct fx *f = *state;
	const char *a;

	fill(f, 4);
	ask(f, "nosuch");
	a = ask(f, "stats");
	assert_int_equal(strncmp(a, "cols name:s value:n\n", 20), 0);
	assert_non_null(strstr(a, "row bib_entries\t5\n"));
	assert_non_null(strstr(a, "row sessions\t5\n"));
	assert_non_null(strstr(a, "row drop_malformed6\t0\n"));
	assert_non_null(strstr(a, "row control_errors\t1\n"));
	assert_non_null(strstr(a, "row control_commands\t2\n"));
	a = ask(f, "servers");
	assert_non_null(strstr(a, "note handoff is off (handoff no)\nend 0\n"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_bad_requests, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bib_and_sessions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bib_in_steps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_walk_while_changing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lookup, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stats_and_servers, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
