/* test_nd_config.c — nat64d.conf: defaults, values, file:line errors. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "nd_config.h"

static int
parse(const char *text, struct nd_config *c, char *err, size_t errlen)
{
	nd_config_defaults(c);
	if (nd_config_parse_text("nat64d.conf", text, strlen(text), c, err, errlen) == -1)
		return -1;
	return nd_config_check(c, err, errlen);
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
	assert_string_equal(err, "no 'prefix' configured");
	assert_int_equal(parse("prefix 64:ff9b::\n", &c, err, sizeof(err)), -1);
	assert_string_equal(err, "no 'pool4' configured");
	assert_int_equal(parse("prefix 64:ff9b::\npool4 198.51.100.1\nipv4-addr 198.51.100.1\n",
	    &c, err, sizeof(err)), -1);
	assert_int_equal(parse("pool4 198.51.100.1\npool4 198.51.100.1\n", &c, err, sizeof(err)), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults_rfc6146),
		cmocka_unit_test(test_good_file),
		cmocka_unit_test(test_errors_with_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
