/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* test_hc_auditlog.c — nat64-handoffctl's time index of audit logs
 * (handoffctl/auditlog.c) and its access-log reader (weblog.c): times
 * in every accepted form, lifetimes across evictions, restarts, a lost
 * Deleted line, entries older than the log, adopted entries, several
 * channels on one NAT64 address (text and JSON), rotated and gzipped
 * files in order, and nginx's and Apache's documented line starts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <time.h>
#include <zlib.h>
#include <cmocka.h>

#include "hc_auditlog.h"
#include "hc_weblog.h"

#define NAT	0xc6336401u	/* 198.51.100.1 */
#define T0	1552903588000000LL	/* 2019-03-18 10:06:28 UTC */

static void
test_times(void **state)
{
	int64_t t;
	bool z;
	char buf[64];

	(void)state;
	assert_int_equal(al_parse_time("2019-03-18T10:06:28Z", false, &t, &z), 0);
	assert_true(z);
	assert_int_equal(t, T0);
	assert_int_equal(al_parse_time("2019-03-18 11:06:28.5+01:00", false, &t, &z), 0);
	assert_int_equal(t, T0 + 500000);
	assert_int_equal(al_parse_time("2019-03-18 10:06:28.000001", false, &t, &z), 0);
	assert_false(z);
	assert_int_equal(t, T0 + 1);
	assert_int_equal(al_parse_time("@1552903588.25", false, &t, &z), 0);
	assert_int_equal(t, T0 + 250000);
	assert_int_equal(al_parse_time("2019-13-18T10:06:28Z", false, &t, &z), -1);
	assert_int_equal(al_parse_time("2019-03-18T10:06:28+1:00", false, &t, &z), -1);
	assert_int_equal(al_parse_time("yesterday", false, &t, &z), -1);
	assert_int_equal(al_parse_time("@", false, &t, &z), -1);
	assert_int_equal(al_time_resolution("@1552903588.250"), 1000);
	assert_int_equal(al_time_resolution("@1552903588"), 1000000);
	assert_int_equal(al_time_resolution("2019-03-18T10:06:28.123456789Z"), 1);
	assert_int_equal(al_time_resolution("2019-03-18T10:06:28.5+01:00"), 100000);
	assert_string_equal(al_fmt_time(T0 + 7, false, buf, sizeof(buf)), "2019-03-18T10:06:28.000007Z");
	/* local time: the process's zone, with its offset */
	setenv("TZ", "Asia/Tokyo", 1);
	tzset();
	assert_int_equal(al_parse_time("2019-03-18 19:06:28", true, &t, &z), 0);
	assert_int_equal(t, T0);
	assert_string_equal(al_fmt_time(T0, true, buf, sizeof(buf)), "2019-03-18T19:06:28.000000+09:00");
	unsetenv("TZ");
	tzset();
}

static void
test_lines(void **state)
{
	struct al_event e;
	const char *l;

	(void)state;
	l = "2019-03-18 10:06:28.491727 Created 198.51.100.1:3719 [2001:db8::17]:53186";
	assert_int_equal(al_parse_line(l, strlen(l), false, &e), 1);
	assert_int_equal(e.type, AL_CREATED);
	assert_int_equal(e.nat64, NAT);
	assert_int_equal(e.port, 3719);
	assert_int_equal(e.client_port, 53186);
	assert_int_equal(e.t_us, T0 + 491727);
	l = "2019-03-18 10:06:28.491727 Initialized 198.51.100.1";
	assert_int_equal(al_parse_line(l, strlen(l), false, &e), 0);
	l = "2019-03-18 10:06:28.491727 Created 198.51.100.1:3719 [2001:db8::17]:65536";
	assert_int_equal(al_parse_line(l, strlen(l), false, &e), -1);
	l = "2019-03-18 10:06:28.491727 Created 198.51.100.1:3719 [2001:db8::g]:1";
	assert_int_equal(al_parse_line(l, strlen(l), false, &e), -1);
	l = "2019-03-18 10:06:28 Created 198.51.100.1:3719 [2001:db8::17]:1";
	assert_int_equal(al_parse_line(l, strlen(l), false, &e), -1);
	l = "{\"time\":\"2019-03-18T10:06:28.000000Z\",\"event\":\"created\",\"nat64\":\"198.51.100.1\","
	    "\"nat64_port\":3719,\"client\":\"2001:db8::17\",\"client_port\":1,\"future\":\"x\"}";
	assert_int_equal(al_parse_line(l, strlen(l), false, &e), 1);
	assert_false(e.has_server);
	l = "{\"time\":\"2019-03-18T10:06:28.000000\",\"event\":\"created\"}";	/* no zone */
	assert_int_equal(al_parse_line(l, strlen(l), false, &e), -1);
	l = "{\"time\":\"2019-03-18T10:06:28Z\",\"event\":\"created\",\"nat64\":\"198.51.100.1\"}";
	assert_int_equal(al_parse_line(l, strlen(l), false, &e), -1);	/* no port */
	l = "{\"time\":\"2019-03-18T10:06:28Z\",\"event\":\"cre\\\"ated\"}";
	assert_int_equal(al_parse_line(l, strlen(l), false, &e), -1);
}

/* A log in a temporary file, read into an index. */
static char dir[64];

static struct al_index *
index_of(const char *text)
{
	struct al_index *x = al_create(false);
	char path[128], err[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/nat64-handoff.log", dir);
	f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
	assert_int_equal(al_add_file(x, path, err, sizeof(err)), 0);
	al_finish(x);
	return x;
}

/* The client port whois would name at t (0: none, -1: several). */
static int
who(struct al_index *x, uint16_t port, const char *t, const uint32_t *server, bool overlap)
{
	struct al_answer a;
	int64_t us;
	bool z;

	assert_int_equal(al_parse_time(t, false, &us, &z), 0);
	al_query(x, NAT, port, us, us, server, overlap, &a);
	if (a.ncand == 0)
		return 0;
	if (a.ncand > 1)
		return -1;
	return a.cand[0].created ? a.cand[0].created->client_port : a.cand[0].deleted->client_port;
}

#define L(t, what, port, cport) "2019-03-18 " t " " what " 198.51.100.1:" #port " [2001:db8::1]:" #cport "\n"

static void
test_lifetimes(void **state)
{
	struct al_index *x;

	(void)state;
	x = index_of(
	    L("10:00:00.000000", "Deleted", 5000, 1)	/* created before the log */
	    L("10:00:00.000000", "Created", 5000, 2)	/* eviction: same stamp */
	    L("10:10:00.000000", "Deleted", 5000, 2)
	    L("10:10:00.000000", "Created", 5000, 3)
	    /* a restart lost the state: no Deleted for 3 */
	    L("11:00:00.000000", "Created", 5000, 4)
	    "garbage line\n"
	    L("10:30:00.000000", "Created", 6000, 7));
	assert_int_equal(al_count(x), 6);
	assert_int_equal(al_bad_lines(x), 1);
	assert_int_equal(who(x, 5000, "2019-03-18T09:00:00Z", NULL, false), 1);
	assert_int_equal(who(x, 5000, "2019-03-18T09:59:59.999999Z", NULL, false), 1);
	assert_int_equal(who(x, 5000, "2019-03-18T10:00:00Z", NULL, false), 2);
	assert_int_equal(who(x, 5000, "2019-03-18T10:09:59Z", NULL, false), 2);
	assert_int_equal(who(x, 5000, "2019-03-18T10:10:00Z", NULL, false), 3);
	assert_int_equal(who(x, 5000, "2019-03-18T10:59:59Z", NULL, false), 3);
	assert_int_equal(who(x, 5000, "2019-03-18T11:00:00Z", NULL, false), 4);
	assert_int_equal(who(x, 5000, "2030-01-01T00:00:00Z", NULL, false), 4);
	/* an adopted entry may predate its line by up to a minute, never
	 * past the previous event on the port */
	assert_int_equal(who(x, 6000, "2019-03-18T10:29:30Z", NULL, false), 7);
	assert_int_equal(who(x, 6000, "2019-03-18T10:28:59Z", NULL, false), 0);
	assert_int_equal(who(x, 5000, "2019-03-18T10:59:30Z", NULL, false), 3);
	assert_false(al_knows_nat64(x, NAT + 1));
	assert_true(al_knows_nat64(x, NAT));
	al_destroy(x);
}

static void
test_nearest(void **state)
{
	struct al_index *x;
	struct al_answer a;
	int64_t us;
	bool z;

	(void)state;
	x = index_of(L("10:00:00.000000", "Created", 5000, 2) L("10:10:00.000000", "Deleted", 5000, 2)
	    L("12:00:00.000000", "Created", 5000, 3));
	al_parse_time("2019-03-18T11:00:00Z", false, &us, &z);
	assert_int_equal(al_query(x, NAT, 5000, us, us, NULL, false, &a), 0);
	assert_non_null(a.before);
	assert_int_equal(a.before->type, AL_DELETED);
	assert_non_null(a.after);
	assert_int_equal(a.after->client_port, 3);
	al_destroy(x);
}

#define J(t, what, port, cport, srv, detail) "{\"time\":\"2019-03-18T" t "Z\",\"event\":\"" what \
	"\",\"nat64\":\"198.51.100.1\",\"nat64_port\":" #port ",\"client\":\"2001:db8::1\",\"client_port\":" \
	#cport ",\"prefix\":\"64:ff9b::/96\",\"server\":\"" srv "\"," detail "}\n"

static void
test_channels(void **state)
{
	struct al_index *x;
	uint32_t a2 = 0xc0000202u, a4 = 0xc0000204u;

	(void)state;
	/* text, two channels on one NAT64: both entries may coexist */
	x = index_of(L("10:00:00.000000", "Created", 5000, 1) L("10:05:00.000000", "Created", 5000, 2)
	    L("10:20:00.000000", "Deleted", 5000, 1));
	assert_int_equal(who(x, 5000, "2019-03-18T10:10:00Z", NULL, true), -1);
	assert_int_equal(who(x, 5000, "2019-03-18T10:30:00Z", NULL, true), 2);
	assert_int_equal(who(x, 5000, "2019-03-18T10:10:00Z", NULL, false), 2);	/* one channel */
	al_destroy(x);
	/* JSON: the server address tells the channels apart */
	x = index_of(J("10:00:00.000000", "created", 5000, 1, "192.0.2.2", "\"how\":\"mapped\"")
	    J("10:05:00.000000", "created", 5000, 2, "192.0.2.4", "\"how\":\"mapped\"")
	    J("10:20:00.000000", "deleted", 5000, 1, "192.0.2.2", "\"reason\":\"evicted\""));
	assert_int_equal(who(x, 5000, "2019-03-18T10:10:00Z", &a2, false), 1);
	assert_int_equal(who(x, 5000, "2019-03-18T10:10:00Z", &a4, false), 2);
	assert_int_equal(who(x, 5000, "2019-03-18T10:10:00Z", NULL, false), -1);
	assert_int_equal(who(x, 5000, "2019-03-18T10:04:30Z", &a4, false), 0);	/* mapped: no slack */
	al_destroy(x);
}

static void
gz_write(const char *path, const char *text)
{
	gzFile g = gzopen(path, "wb");

	gzputs(g, text);
	gzclose(g);
}

static void
test_rotated(void **state)
{
	struct al_index *x = al_create(false);
	char path[128], err[256];
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/nat64-handoff.log.2.gz", dir);
	gz_write(path, L("09:00:00.000000", "Created", 5000, 1));
	snprintf(path, sizeof(path), "%s/nat64-handoff.log.1", dir);
	f = fopen(path, "w");
	fputs(L("10:00:00.000000", "Deleted", 5000, 1) L("10:00:00.000000", "Created", 5000, 2), f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/nat64-handoff.log", dir);
	f = fopen(path, "w");
	fputs(L("11:00:00.000000", "Deleted", 5000, 2), f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/other.log", dir);
	f = fopen(path, "w");
	fputs("not read\n", f);
	fclose(f);
	assert_int_equal(al_add_dir(x, dir, err, sizeof(err)), 3);
	al_finish(x);
	assert_int_equal(al_bad_lines(x), 0);
	assert_int_equal(who(x, 5000, "2019-03-18T09:30:00Z", NULL, false), 1);
	assert_int_equal(who(x, 5000, "2019-03-18T10:30:00Z", NULL, false), 2);
	assert_int_equal(who(x, 5000, "2019-03-18T11:30:00Z", NULL, false), 0);
	al_destroy(x);
	/* one port's events only: the same answers from less memory */
	x = al_create(false);
	al_only(x, NAT, 5000);
	assert_int_equal(al_add_dir(x, dir, err, sizeof(err)), 3);
	al_finish(x);
	assert_int_equal(al_count(x), 4);
	assert_int_equal(who(x, 5000, "2019-03-18T10:30:00Z", NULL, false), 2);
	al_destroy(x);
	x = al_create(false);
	al_only(x, NAT, 5001);
	assert_int_equal(al_add_dir(x, dir, err, sizeof(err)), 3);
	al_finish(x);
	assert_int_equal(al_count(x), 0);
	al_destroy(x);
	x = al_create(false);
	assert_int_equal(al_add_dir(x, "/nonexistent", err, sizeof(err)), -1);
	al_destroy(x);
}

static void
test_weblog(void **state)
{
	struct wl_rec r;
	const char *l;

	(void)state;
	l = "198.51.100.1 5000 1552903588.123 \"GET / HTTP/1.1\" 200 5";
	assert_int_equal(wl_parse(l, strlen(l), &r), 0);
	assert_int_equal(r.addr, NAT);
	assert_int_equal(r.port, 5000);
	assert_int_equal(r.lo_us, T0 + 123000);
	assert_int_equal(r.hi_us, T0 + 123999);
	l = "198.51.100.1 5000 2019-03-18T11:06:28+01:00 \"GET / HTTP/1.1\" 200 5";
	assert_int_equal(wl_parse(l, strlen(l), &r), 0);
	assert_int_equal(r.lo_us, T0);
	assert_int_equal(r.hi_us, T0 + 999999);
	l = "198.51.100.1 5000 [18/Mar/2019:10:06:28 +0000] \"GET / HTTP/1.1\" 200 5";
	assert_int_equal(wl_parse(l, strlen(l), &r), 0);
	assert_int_equal(r.lo_us, T0);
	l = "198.51.100.1 5000 [18/Mar/2019:05:06:28 -0500] \"GET /\"";
	assert_int_equal(wl_parse(l, strlen(l), &r), 0);
	assert_int_equal(r.lo_us, T0);
	l = "2001:db8::1 5000 1552903588.123 \"GET /\"";
	assert_int_equal(wl_parse(l, strlen(l), &r), -1);
	l = "198.51.100.1 - - [18/Mar/2019:10:06:28 +0000] \"GET /\"";	/* combined */
	assert_int_equal(wl_parse(l, strlen(l), &r), -1);
	l = "198.51.100.1 5000 [18/Foo/2019:10:06:28 +0000]";
	assert_int_equal(wl_parse(l, strlen(l), &r), -1);
	l = "198.51.100.1 5000";
	assert_int_equal(wl_parse(l, strlen(l), &r), -1);
}

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/nk-al-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_times),
		cmocka_unit_test(test_lines),
		cmocka_unit_test_setup_teardown(test_lifetimes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nearest, setup, teardown),
		cmocka_unit_test_setup_teardown(test_channels, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rotated, setup, teardown),
		cmocka_unit_test(test_weblog),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
