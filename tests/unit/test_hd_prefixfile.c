/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* Unit tests for healthd/prefixfile.c and healthd/probe.c (target specs):
 * accepted forms, every kind of rejection with its file:line message. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "hd_prefixfile.h"
#include "hd_probe.h"

static int
parse(const char *text, struct hd_pflist *l, char *err, size_t errlen)
{
	return hd_pf_parse("pf", text, strlen(text), l, err, errlen);
}

static void
test_accepts(void **state)
{
	struct hd_pflist l;
	char err[256], b[64];

	(void)state;
	assert_int_equal(parse("# NAT64 prefixes\n64:ff9b::\n\n  2001:db8:64:1::/96  # site A\r\n"
	    "2001:db8:100::/40\n2001:db8:200::/40\n2001:db8:324:300::/56\n2001:db8:423::/48\n"
	    "2001:db8:522:344::/64", &l, err, sizeof(err)), 0);
	assert_int_equal(l.n, 7);
	assert_string_equal(hd_pf_fmt(&l.v[0], b, sizeof(b)), "64:ff9b::/96");
	assert_string_equal(hd_pf_fmt(&l.v[1], b, sizeof(b)), "2001:db8:64:1::/96");
	assert_int_equal(l.v[1].line, 4);
	assert_int_equal(l.v[2].len, 40);
	assert_int_equal(l.v[6].len, 64);
	hd_pf_free(&l);
}

static void
expect_error(const char *text, const char *msg)
{
	struct hd_pflist l = { NULL, 0 };
	char err[256] = "";

	assert_int_equal(parse(text, &l, err, sizeof(err)), -1);
	if (strstr(err, msg) == NULL)
		fail_msg("for %s: got '%s', wanted '%s'", text, err, msg);
	assert_null(l.v);
}

static void
test_rejects(void **state)
{
	char big[400];

	(void)state;
	expect_error("64:ff9b::\nnot-a-prefix\n", "pf:2: 'not-a-prefix' is not an IPv6 prefix");
	expect_error("2001:db8:64::/80\n", "pf:1: 2001:db8:64::/80: prefix length must be");
	expect_error("\n\n2001:db8:1:2:ff00::/96\n", "pf:3: 2001:db8:1:2:ff00::/96: bits 64 to 71");
	expect_error("2001:db8::1/96\n", "pf:1: 2001:db8::1/96: address has bits set beyond");
	expect_error("64:ff9b::\n# x\n64:ff9b::/96\n", "pf:3: 64:ff9b::/96 duplicates line 1");
	expect_error("64:ff9b:: 2001:db8::\n", "pf:1: one prefix per line");
	/* the Well-Known Prefix is a /96 only (RFC 6052 §2.1); 64:ff9b:1::/48
	 * may be divided (RFC 8215) */
	expect_error("64:ff9b::/64\n", "pf:1: 64:ff9b::/64: the Well-Known Prefix is 64:ff9b::/96 only "
	    "(RFC 6052 §2.1)");
	expect_error("64:ff9b::/48\n", "pf:1: 64:ff9b::/48: the Well-Known Prefix is 64:ff9b::/96 only");
	/* Teredo and 6to4 addresses embed IPv4 otherwise: never NAT64 prefixes */
	expect_error("2001::/32\n", "pf:1: 2001::/32: the Teredo prefix (2001::/32, RFC 4380), "
	    "not a NAT64 prefix");
	expect_error("2001:0:1::/96\n", "pf:1: 2001:0:1::/96: the Teredo prefix");
	expect_error("2002:c000:201::/48\n", "pf:1: 2002:c000:201::/48: a 6to4 address (2002::/16, "
	    "RFC 3056), not a NAT64 prefix");
	/* one prefix inside another */
	expect_error("2001:db8:100::/40\n2001:db8:100:1::/64\n", "pf:2: 2001:db8:100:1::/64 overlaps "
	    "2001:db8:100::/40 (line 1)");
	expect_error("2001:db8:64:1::/96\n# x\n2001:db8::/32\n", "pf:3: 2001:db8::/32 overlaps "
	    "2001:db8:64:1::/96 (line 1)");
	expect_error("# only comments\n\n", "pf: no prefixes");
	expect_error("", "pf: no prefixes");
	expect_error("192.0.2.0/24\n", "pf:1: '192.0.2.0/24' is not an IPv6 prefix");
	expect_error("64:ff9b::/\n", "is not an IPv6 prefix");
	expect_error("64:ff9b::/96x\n", "is not an IPv6 prefix");
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	expect_error(big, "pf:1: line longer than");
	{
		char nul[] = "64:ff9b::\n2001:db8::/32\0x\n";
		struct hd_pflist l;
		char err[256];

		assert_int_equal(hd_pf_parse("pf", nul, sizeof(nul) - 1, &l, err, sizeof(err)), -1);
		assert_non_null(strstr(err, "pf:2: NUL byte"));
	}
}

static void
test_too_many(void **state)
{
	size_t cap = (HD_PF_MAX + 2) * 40, off = 0, i;
	char *t = malloc(cap), err[256];
	struct hd_pflist l;

	(void)state;
	for (i = 0; i <= HD_PF_MAX; i++)
		off += (size_t)snprintf(t + off, cap - off, "2001:db8:%zx:%zx::/64\n", i / 65536 + 1,
		    i % 65536);
	assert_int_equal(parse(t, &l, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "more than 1024 prefixes"));
	free(t);
}

static void
test_load_missing(void **state)
{
	struct hd_pflist l;
	char err[256];

	(void)state;
	assert_int_equal(hd_pf_load("/nonexistent/prefixes", &l, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "/nonexistent/prefixes: No such file"));
}

static void
test_targets(void **state)
{
	struct hd_target t;
	char err[256], b[300];

	(void)state;
	assert_int_equal(hd_target_parse("tcp:192.0.2.2:80", &t, err, sizeof(err)), 0);
	assert_int_equal(t.kind, HD_PROBE_TCP);
	assert_int_equal(t.v4, 0xc0000202u);
	assert_int_equal(t.port, 80);
	assert_int_equal(hd_target_parse("dns:192.0.2.53", &t, err, sizeof(err)), 0);
	assert_string_equal(hd_target_fmt(&t, b, sizeof(b)), "dns:192.0.2.53:53:.");
	assert_int_equal(hd_target_parse("dns:192.0.2.53:5353:ipv4only.arpa", &t, err, sizeof(err)), 0);
	assert_string_equal(hd_target_fmt(&t, b, sizeof(b)), "dns:192.0.2.53:5353:ipv4only.arpa");
	assert_int_equal(hd_target_parse("dns:192.0.2.53::example.test", &t, err, sizeof(err)), 0);
	assert_int_equal(t.port, 53);
	assert_int_equal(hd_target_parse("icmp:198.51.100.1", &t, err, sizeof(err)), 0);
	assert_string_equal(hd_target_fmt(&t, b, sizeof(b)), "icmp:198.51.100.1");
	assert_int_equal(hd_target_parse("tcp:192.0.2.2", &t, err, sizeof(err)), -1);
	assert_int_equal(hd_target_parse("tcp:192.0.2.2:0", &t, err, sizeof(err)), -1);
	assert_int_equal(hd_target_parse("tcp:192.0.2.2:65536", &t, err, sizeof(err)), -1);
	assert_int_equal(hd_target_parse("tcp:2001:db8::1:80", &t, err, sizeof(err)), -1);
	assert_int_equal(hd_target_parse("udp:192.0.2.2:53", &t, err, sizeof(err)), -1);
	assert_int_equal(hd_target_parse("icmp:192.0.2.2:1", &t, err, sizeof(err)), -1);
	assert_int_equal(hd_target_parse("dns:192.0.2.53:53:a..b", &t, err, sizeof(err)), -1);
	assert_int_equal(hd_target_parse("dns:192.0.2.53:53:x:y", &t, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "bad probe 'dns:192.0.2.53:53:x:y'"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accepts),
		cmocka_unit_test(test_rejects),
		cmocka_unit_test(test_too_many),
		cmocka_unit_test(test_load_missing),
		cmocka_unit_test(test_targets),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
