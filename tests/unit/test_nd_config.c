/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* test_nd_config.c — nat64d.conf: defaults, values, file:line errors; a
 * reload of the policies and static BIB entries on a running gateway. */
#include <stdarg.h>
#include <stdbool.h>
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
#include "nd_testutil.h"

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

static void
reload(struct t_gw *t, const char *extra)
{
	struct nd_config *nc = malloc(sizeof(*nc));
	char text[1024], err[256];

	assert_non_null(nc);
	snprintf(text, sizeof(text), "prefix 2001:db8:64::/96\npool4 198.51.100.1\n"
	    "ipv4-addr 203.0.113.1\nport-range 2000-2063\n%s", extra);
	assert_int_equal(parse(text, nc, err, sizeof(err)), 0);
	nd_gw_reconfig(t->gw, nc, &t->now);
	free(nc);
}

static bool
status_has(const struct t_gw *t, const char *line)
{
	static char buf[65536];

	nd_gw_status(t->gw, buf, sizeof(buf));
	return strstr(buf, line) != NULL;
}

/* SIGHUP: policies follow the file; a removed static entry with a
 * session becomes local and retired (its peers go on, new ones are
 * refused), a changed one replaces it; the status lists them. */
static void
test_reload_static(void **state)
{
	struct t_gw t;
	uint8_t l4[64], pkt[128];
	size_t len;
	const struct nd_bib *b;
	uint32_t p4 = 0xc6336401;

	(void)state;
	t_gw_open(&t, false, "bib-static udp [2001:db8:1::80]:53 198.51.100.1:5353\n"
	    "bib-static tcp [2001:db8:1::80]:80 198.51.100.1:8080\n");
	assert_true(status_has(&t, "\nbib_static 2\n"));
	assert_true(status_has(&t, "\nstatic udp [2001:db8:1::80]:53 198.51.100.1:5353 sessions 0\n"));
	len = t_ip4(pkt, "192.0.2.2", "198.51.100.1", 17, 64, false, l4, t_udp(l4, 7000, 5353, "query"), 6);
	t_in(&t, pkt, len);
	assert_true(status_has(&t, "\nstatic udp [2001:db8:1::80]:53 198.51.100.1:5353 sessions 1\n"));
	reload(&t, "bib-static tcp [2001:db8:1::80]:80 198.51.100.1:8080\nfiltering address-dependent\n"
	    "unsolicited-syn drop\nheld-syn-max 7\n");
	assert_int_equal(t.gw->cfg.filtering, ND_FILT_ADF);
	assert_int_equal(t.gw->cfg.unsolicited_syn, ND_USYN_DROP);
	assert_int_equal(t.gw->cfg.held_syn_max, 7);
	assert_true(status_has(&t, "\nbib_static 1\n"));
	assert_false(status_has(&t, "static udp"));
	b = nd_bib_find4(&t.gw->st, 17, p4, 5353);
	assert_non_null(b);
	assert_int_equal(b->owner, ND_OWN_LOCAL);	/* its session goes on */
	assert_int_equal(b->n_sessions, 1);
	{
		uint8_t out[256];
		uint64_t nb;

		while (t_recv(&t, out, sizeof(out)) > 0)
			;
		len = t_ip4(pkt, "192.0.2.2", "198.51.100.1", 17, 64, false, l4,
		    t_udp(l4, 7000, 5353, "query"), 6);
		t_in(&t, pkt, len);			/* the same peer: through */
		assert_int_equal(t_recv(&t, out, sizeof(out)), 40 + 13);
		len = t_ip4(pkt, "203.0.113.9", "198.51.100.1", 17, 64, false, l4,
		    t_udp(l4, 7000, 5353, "query"), 6);
		nb = t.gw->c.drop_no_bib;
		t_in(&t, pkt, len);			/* a new peer: no entry for it */
		assert_int_equal(t_recv(&t, out, sizeof(out)), 0);
		assert_int_equal(t.gw->c.drop_no_bib, nb + 1);	/* not merely filtered */
		assert_int_equal(b->n_sessions, 1);
	}
	reload(&t, "bib-static tcp [2001:db8:1::80]:80 198.51.100.1:8080\n"
	    "bib-static udp [2001:db8:1::80]:53 198.51.100.1:5354\n");
	assert_null(nd_bib_find4(&t.gw->st, 17, p4, 5353));
	b = nd_bib_find4(&t.gw->st, 17, p4, 5354);
	assert_non_null(b);
	assert_int_equal(b->owner, ND_OWN_STATIC);
	assert_int_equal(t.gw->cfg.filtering, ND_FILT_EIF);
	assert_true(status_has(&t, "\nbib_static_replaced 1\n"));
	t_gw_close(&t);
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
		cmocka_unit_test(test_reload_static),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
