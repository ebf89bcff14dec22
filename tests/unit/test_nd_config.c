/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* test_nd_config.c — nat64d.conf: defaults, values, file:line errors. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "nd_config.h"

static int
parse(const char *text, struct nd_config *c, char *err, size_t errlen)
{
	nd_config_defaults(c);
	if (nd_config_parse_text("nat64d.conf", text, strlen(text), c, err, errlen) == -1)
		return -1;
	return nd_config_check(c, NULL, err, errlen);
}

static void
test_defaults_rfc6146(void **state)
{
	struct nd_config c;

	(void)state;
	nd_config_defaults(&c);
	assert_int_equal(c.to_udp_ms, 300000);
	assert_int_equal(c.to_tcp_est_ms, 7440000);
	assert_int_equal(c.to_tcp_trans_ms, 240000);
	assert_int_equal(c.to_tcp_syn_ms, 6000);
	assert_int_equal(c.to_icmp_ms, 60000);
	assert_true(c.offload);
}

static void
test_good_file(void **state)
{
	struct nd_config c;
	char err[256], out[4096];

	(void)state;
	assert_int_equal(parse("# example\ntun-device nat64x\nprefix 64:ff9b::/96\n"
	    "prefix 2001:db8:100::/40\npool4 198.51.100.0/30\npool4 203.0.113.7\n"
	    "port-range 10000-20000\nudp-timeout 2m\nmtu6 1280\noffload no\n", &c, err, sizeof(err)), 0);
	assert_string_equal(c.tun_name, "nat64x");
	assert_int_equal(c.n_prefix, 2);
	assert_int_equal(c.prefix[1].len, 40);
	assert_int_equal(c.n_pool4, 5);
	assert_int_equal(c.pool4[4], 0xcb007107);
	assert_int_equal(c.port_min, 10000);
	assert_int_equal(c.to_udp_ms, 120000);
	assert_false(c.offload);
	{
		FILE *f = fmemopen(out, sizeof(out), "w");

		conf_print(&nd_config_table, &c, f);
		fclose(f);
	}
	assert_non_null(strstr(out, "prefix 2001:db8:100::/40\n"));
	assert_non_null(strstr(out, "# default: ipv6-addr 64:ff9b::c000:8\n"));
}

static void
test_errors_with_line(void **state)
{
	struct nd_config c;
	char err[256];

	(void)state;
	assert_int_equal(parse("prefix 64:ff9b::/96\npool4 198.51.100.1\nbogus 1\n", &c, err, sizeof(err)), -1);
	assert_string_equal(err, "nat64d.conf:3: unknown setting 'bogus'");
	assert_int_equal(parse("\n\nprefix 64:ff9b::/97\n", &c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "nat64d.conf:3: prefix: "));
	assert_int_equal(parse("prefix 2001:db8:100:0:ff00::/96\n", &c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "bits 64 to 71"));
	assert_int_equal(parse("pool4 198.51.100.300\n", &c, err, sizeof(err)), -1);
	assert_int_equal(parse("pool4 198.51.100.0/20\n", &c, err, sizeof(err)), -1);
	assert_int_equal(parse("port-range 2000-2010\n", &c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "at least 64"));
	assert_int_equal(parse("mtu6 1000\n", &c, err, sizeof(err)), -1);
	assert_int_equal(parse("udp-timeout soon\n", &c, err, sizeof(err)), -1);
	assert_int_equal(parse("tun-device averyveryverylongname\n", &c, err, sizeof(err)), -1);
	assert_int_equal(parse("pool4 198.51.100.1\n", &c, err, sizeof(err)), -1);
	assert_string_equal(err, "none configured (at least one is required)");
	assert_int_equal(parse("prefix 64:ff9b::\n", &c, err, sizeof(err)), -1);
	assert_string_equal(err, "none configured (at least one is required)");
	assert_int_equal(parse("prefix 64:ff9b::\npool4 198.51.100.1\nipv4-addr 198.51.100.1\n",
	    &c, err, sizeof(err)), -1);
	assert_int_equal(parse("pool4 198.51.100.1\npool4 198.51.100.1\n", &c, err, sizeof(err)), -1);
}

/* What a start needs, checked by -n too: with handoff, a state-dir that
 * is a regular file (or missing) is refused, and nothing is created. */
static void
test_check_start_state_dir(void **state)
{
	char dir[] = "/tmp/nk-ndcfg-XXXXXX", file[300], missing[300], text[700], err[600];
	struct nd_config c;
	const char *key = NULL;
	struct stat st;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(file, sizeof(file), "%s/file", dir);
	snprintf(missing, sizeof(missing), "%s/missing", dir);
	f = fopen(file, "w");
	assert_non_null(f);
	fclose(f);
	snprintf(text, sizeof(text), "prefix 64:ff9b::\npool4 198.51.100.1\nhandoff yes\n"
	    "state-dir %s\n", file);
	assert_int_equal(parse(text, &c, err, sizeof(err)), 0);
	assert_int_equal(nd_config_check_start(&c, &key, err, sizeof(err)), -1);
	assert_string_equal(key, "state-dir");
	assert_non_null(strstr(err, "not a directory"));
	snprintf(text, sizeof(text), "prefix 64:ff9b::\npool4 198.51.100.1\nhandoff yes\n"
	    "state-dir %s\n", missing);
	assert_int_equal(parse(text, &c, err, sizeof(err)), 0);
	assert_int_equal(nd_config_check_start(&c, &key, err, sizeof(err)), -1);
	assert_int_equal(stat(missing, &st), -1);	/* not created */
	snprintf(text, sizeof(text), "prefix 64:ff9b::\npool4 198.51.100.1\nhandoff yes\n"
	    "state-dir %s\n", dir);
	assert_int_equal(parse(text, &c, err, sizeof(err)), 0);
	assert_int_equal(nd_config_check_start(&c, &key, err, sizeof(err)), 0);
	/* without handoff the state directory is not used: as a start */
	snprintf(text, sizeof(text), "prefix 64:ff9b::\npool4 198.51.100.1\nstate-dir %s\n", file);
	assert_int_equal(parse(text, &c, err, sizeof(err)), 0);
	assert_int_equal(nd_config_check_start(&c, &key, err, sizeof(err)), 0);
	unlink(file);
	rmdir(dir);
}

/* -v replaces the file's verbose, at start and at every reload. */
static void
test_run_verbose(void **state)
{
	struct nd_config c;
	struct nd_run run = { .verbose = 2 };
	char err[256];

	(void)state;
	assert_int_equal(parse("prefix 64:ff9b::\npool4 198.51.100.1\nverbose 0\n", &c, err,
	    sizeof(err)), 0);
	nd_config_run(&c, &run);
	assert_int_equal(c.verbose, 2);
	assert_int_equal(parse("prefix 64:ff9b::\npool4 198.51.100.1\nverbose 3\n", &c, err,
	    sizeof(err)), 0);
	nd_config_run(&c, &run);
	assert_int_equal(c.verbose, 2);
	run.verbose = 0;	/* no -v: the file's */
	assert_int_equal(parse("prefix 64:ff9b::\npool4 198.51.100.1\nverbose 3\n", &c, err,
	    sizeof(err)), 0);
	nd_config_run(&c, &run);
	assert_int_equal(c.verbose, 3);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults_rfc6146),
		cmocka_unit_test(test_good_file),
		cmocka_unit_test(test_errors_with_line),
		cmocka_unit_test(test_check_start_state_dir),
		cmocka_unit_test(test_run_verbose),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
