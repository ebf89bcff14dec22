/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* test_conf_tables.c — every program's option table through lib/conf:
 * each golden input (tests/golden/PROG/N.conf and N.ok, tests/healthd/,
 * the shipped example) and each daemon's defaults parse, print with -n's
 * conf_print, parse again and print the same; a value that could not read
 * back in (a '#', a control character, a blank at an end) is refused on
 * the command line for every config key of every program that reads a
 * config file, naming the option (handoff-sim, which reads none, refuses
 * only control characters). Runs from the top of the tree. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glob.h>
#include <cmocka.h>

#include "conf.h"
#include "ho_config.h"
#include "hd_config.h"
#include "nd_config.h"
#include "sim.h"
#include "ud_config.h"

/* conf_print of cfg into a new string. */
static char *
print_cfg(const struct conf_table *t, const void *cfg)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	conf_print(t, cfg, f);
	fclose(f);
	return buf;
}

/* What the program's -n does between parsing and printing. */
static void
finish(const struct conf_table *t, void *cfg)
{
	const char *key;
	char err[512];

	if (t == &hd_config_table && hd_config_check(cfg, NULL, &key, err, sizeof(err)) == -1)
		fail_msg("nat64-healthd: %s: %s", key, err);
}

/* parse(text) -> print -> parse -> print: the two prints are equal. */
static void
roundtrip_text(const struct conf_table *t, const char *name, const char *text)
{
	void *a = malloc(t->cfg_size), *b = malloc(t->cfg_size);
	char err[1200], *p1, *p2;

	conf_defaults(t, a);
	if (conf_parse_text(t, name, text, strlen(text), a, err, sizeof(err)) == -1)
		fail_msg("%s: %s", name, err);
	finish(t, a);
	p1 = print_cfg(t, a);
	conf_defaults(t, b);
	if (conf_parse_text(t, "-n output", p1, strlen(p1), b, err, sizeof(err)) == -1)
		fail_msg("%s: -n output does not read back in: %s\n%s", name, err, p1);
	finish(t, b);
	p2 = print_cfg(t, b);
	if (strcmp(p1, p2) != 0)
		fail_msg("%s: -n output read back prints differently:\n%s---\n%s", name, p1, p2);
	free(p1);
	free(p2);
	free(a);
	free(b);
}

static int
roundtrip_glob(const struct conf_table *t, const char *pattern)
{
	glob_t g;
	size_t i;
	int n = 0;

	if (glob(pattern, 0, NULL, &g) != 0)
		return 0;
	for (i = 0; i < g.gl_pathc; i++) {
		FILE *f = fopen(g.gl_pathv[i], "r");
		char *text = calloc(1, 1 << 20);
		size_t len;

		assert_non_null(f);
		len = fread(text, 1, (1 << 20) - 1, f);
		text[len] = '\0';
		fclose(f);
		roundtrip_text(t, g.gl_pathv[i], text);
		free(text);
		n++;
	}
	globfree(&g);
	return n;
}

static void
test_roundtrip_golden(void **state)
{
	(void)state;
	assert_true(roundtrip_glob(&nd_config_table, "tests/golden/nat64d/[0-9]*.conf") >= 3);
	assert_true(roundtrip_glob(&hcfg_table, "tests/golden/handoffd/[0-9]*.conf") >= 2);
	assert_true(roundtrip_glob(&hd_config_table, "tests/healthd/*.conf") >= 1);
	assert_int_equal(roundtrip_glob(&nd_config_table, "etc/nat64d.conf.example"), 1);
	/* the outputs of -n are golden inputs too */
	assert_true(roundtrip_glob(&nd_config_table, "tests/golden/nat64d/[0-9]*.ok") >= 3);
	assert_true(roundtrip_glob(&hcfg_table, "tests/golden/handoffd/[0-9]*.ok") >= 2);
	assert_true(roundtrip_glob(&hd_config_table, "tests/healthd/*.ok") >= 1);
	/* the daemons' defaults (update-dns64 and handoff-sim read no file
	 * and print no configuration) */
	roundtrip_text(&nd_config_table, "defaults", "");
	roundtrip_text(&hcfg_table, "defaults", "");
	roundtrip_text(&hd_config_table, "defaults", "");
}

/* argv for one option and value; conf_cmdline must refuse it by name. */
static void
expect_refused(const struct conf_table *t, const struct conf_opt *o, const char *value)
{
	char opt[128], err[1200], out[64];
	char *argv[] = { "prog", opt, (char *)value, NULL };
	struct conf_cmdline *cl = calloc(1, sizeof(*cl));
	void *run = calloc(1, 4096);
	FILE *f = fmemopen(out, sizeof(out), "w");
	int rc;

	snprintf(opt, sizeof(opt), "--%s", o->name);
	rc = conf_cmdline(t, run, cl, 3, argv, f, err, sizeof(err));
	fclose(f);
	if (rc != -1)
		fail_msg("%s --%s '%s': accepted", t->prog, o->name, value);
	if (strncmp(err, opt, strlen(opt)) != 0 || err[strlen(opt)] != ':')
		fail_msg("%s --%s: the error does not name the option: %s", t->prog, o->name, err);
	free(cl);
	free(run);
}

/* The values that could not read back in from a config file are refused
 * by the programs that read one (has_file); control characters by all. */
static void
refuse_unprintable(const struct conf_table *t, bool has_file)
{
	const struct conf_opt *o;
	int n = 0;

	for (o = t->opts; o->name; o++) {
		if ((o->flags & (CONF_CLI | CONF_NOCLI)) || o->type == CONF_HEADING ||
		    o->type == CONF_CONFIG || o->type == CONF_HELP || o->type == CONF_VERSION ||
		    o->type == CONF_BOOL || (o->type == CONF_UINT && (o->flags & CONF_COUNT)))
			continue;
		if (has_file) {
			expect_refused(t, o, "/a#b");
			expect_refused(t, o, "/ab ");
		}
		expect_refused(t, o, "/a\nb");
		expect_refused(t, o, "/a\tb");
		n++;
	}
	assert_true(n > 0);
}

static void
test_refuse_unprintable(void **state)
{
	(void)state;
	refuse_unprintable(&nd_config_table, true);
	refuse_unprintable(&hcfg_table, true);
	refuse_unprintable(&hd_config_table, true);
	refuse_unprintable(&sim_opts_table, false);
}

/* handoff-sim reads no config file and prints none: a '#' or a blank at
 * an end of a value on its command line is the value itself. */
static void
test_sim_text_kept(void **state)
{
	char *argv[] = { "handoff-sim", "--record", "/tmp/run#1/rec ", "--verify", " /tmp/v", NULL };
	struct conf_cmdline cl;
	struct sim_opts *o = calloc(1, sizeof(*o));
	char err[1200], out[64];
	FILE *f = fmemopen(out, sizeof(out), "w");

	(void)state;
	if (conf_cmdline(&sim_opts_table, NULL, &cl, 5, argv, f, err, sizeof(err)) != 0)
		fail_msg("handoff-sim: %s", err);
	fclose(f);
	if (conf_build(&sim_opts_table, o, &cl, err, sizeof(err)) == -1)
		fail_msg("handoff-sim: %s", err);
	assert_string_equal(o->record_path, "/tmp/run#1/rec ");
	assert_string_equal(o->verify_path, " /tmp/v");
	free(o);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip_golden),
		cmocka_unit_test(test_refuse_unprintable),
		cmocka_unit_test(test_sim_text_kept),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
