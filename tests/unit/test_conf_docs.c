/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* test_conf_docs.c — every program's option table against its man pages
 * and its --help: an option or config key in the table and missing from
 * the page, or on the page (or in --help) and not in the table, fails.
 *
 * Man pages are read from man/ (the tests run from the top of the tree).
 * Options are recognised as "Fl -name" / "Fl x" (mdoc) and "--name" /
 * "-x" (man(7)); config keys as ".It Ic key" / ".It Cm key". A help text
 * may not end in ',' (it reads as half of the next option's), and a size
 * or duration that defaults to 0 says what 0 means. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "atomicfile.h"
#include "conf.h"
#include "ho_config.h"
#include "hd_config.h"
#include "nc.h"
#include "nd_config.h"
#include "sim.h"
#include "ud_config.h"

/* The page as text, with roff's "\-" and "\&" undone. */
static char *
doc_read(const char *path)
{
	unsigned char *raw;
	size_t len, i, n = 0;
	char *t;

	if (afile_slurp(path, 1 << 20, &raw, &len) == -1)
		fail_msg("%s: cannot read (run from the top of the tree)", path);
	t = malloc(len + 1);
	for (i = 0; i < len; i++) {
		if (raw[i] == '\\' && i + 1 < len && (raw[i + 1] == '-' || raw[i + 1] == '&')) {
			if (raw[i + 1] == '-')
				t[n++] = '-';
			i++;
			continue;
		}
		t[n++] = (char)raw[i];
	}
	t[n] = '\0';
	free(raw);
	return t;
}

static bool
is_word(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
}

/* Does text hold prefix + word as a whole word? */
static bool
has_word(const char *text, const char *prefix, const char *word)
{
	size_t pl = strlen(prefix), wl = strlen(word);
	const char *p;

	for (p = strstr(text, prefix); p; p = strstr(p + 1, prefix)) {
		if (p > text && is_word(p[-1]) && prefix[0] != ' ' && prefix[0] != '\n')
			continue;
		if (strncmp(p + pl, word, wl) == 0 && !is_word(p[pl + wl]))
			return true;
	}
	return false;
}

static const struct conf_opt *
find_long(const struct conf_table *t, const char *name, size_t len)
{
	const struct conf_opt *o;

	for (o = t->opts; o->name; o++)
		if (o->type != CONF_HEADING && !(o->flags & CONF_NOCLI) &&
		    strlen(o->name) == len && strncmp(o->name, name, len) == 0)
			return o;
	return NULL;
}

static const struct conf_opt *
find_key(const struct conf_table *t, const char *name, size_t len)
{
	const struct conf_opt *o;

	for (o = t->opts; o->name; o++)
		if (!(o->flags & CONF_CLI) && o->type != CONF_HEADING && o->type != CONF_CONFIG &&
		    o->type != CONF_HELP && o->type != CONF_VERSION &&
		    strlen(o->name) == len && strncmp(o->name, name, len) == 0)
			return o;
	return NULL;
}

static bool
has_config_file(const struct conf_table *t)
{
	const struct conf_opt *o;

	for (o = t->opts; o->name; o++)
		if (o->type == CONF_CONFIG)
			return true;
	return false;
}

/* Is short option c documented: "Fl c", "Fl xcy" (mdoc) or "-c" (man)? */
static bool
has_short(const char *text, char c)
{
	const char *p;

	for (p = strstr(text, "Fl "); p; p = strstr(p + 1, "Fl ")) {
		const char *w;

		for (w = p + 3; (*w >= 'a' && *w <= 'z') || (*w >= 'A' && *w <= 'Z'); w++)
			if (*w == c)
				return true;
	}
	for (p = strchr(text, '-'); p; p = strchr(p + 1, '-'))
		if (p[1] == c && (p == text || !is_word(p[-1])) && !is_word(p[2]))
			return true;
	return false;
}

/* Every long option "--x" / "Fl -x" in text is one of the table's. */
static int
check_mentions(const struct conf_table *t, const char *what, const char *text)
{
	const char *p;
	int bad = 0;

	for (p = strstr(text, "-"); p; p = strstr(p + 1, "-")) {
		const char *name;
		size_t len = 0;

		if (p[1] == '-' && (p == text || !is_word(p[-1])))
			name = p + 2;
		else if (p >= text + 3 && strncmp(p - 3, "Fl -", 4) == 0 && p[1] != '-')
			name = p + 1;
		else
			continue;
		while (is_word(name[len]))
			len++;
		if (len == 0 || (len == 1 && name[0] == '-'))
			continue;
		if (find_long(t, name, len) == NULL) {
			print_message("%s: --%.*s is not an option of %s\n", what, (int)len, name, t->prog);
			bad++;
		}
		p = name + len - 1;
	}
	return bad;
}

/* ".It Ic key" / ".It Cm key" (and ", Cm key" on such a line) in a
 * section 5 page or a CONFIGURATION FILE section are keys. */
static int
check_key_mentions(const struct conf_table *t, const char *what, const char *text)
{
	const char *line;
	int bad = 0;

	bool all = strlen(what) > 2 && strcmp(what + strlen(what) - 2, ".5") == 0, in = all;

	for (line = text; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		const char *end = strchr(line, '\n'), *p;

		if (strncmp(line, ".Sh ", 4) == 0)
			in = all || strncmp(line, ".Sh CONFIGURATION FILE", 22) == 0;
		if (!in || (strncmp(line, ".It Ic ", 7) != 0 && strncmp(line, ".It Cm ", 7) != 0))
			continue;
		for (p = line + 4; p && (!end || p < end); p = strstr(p + 1, "Cm ")) {
			const char *name = p + 3;
			size_t len = 0;

			while (is_word(name[len]))
				len++;
			if (len && find_key(t, name, len) == NULL) {
				print_message("%s: '%.*s' is not a setting of %s\n", what, (int)len, name,
				    t->prog);
				bad++;
			}
		}
	}
	return bad;
}

/* pages[0] documents the options; keys are looked for in every page.
 * keys_are_options: the page says every key is also an option (nat64d),
 * so a documented key documents its long option; key_list: the pages
 * list the config file's keys (else they are the long options). */
static void
check_program(const struct conf_table *t, const char *const *pages, bool key_list,
    bool keys_are_options)
{
	char help[16384], *text[4];
	const struct conf_opt *o;
	int bad = 0, np, i;
	FILE *f;

	for (np = 0; pages[np]; np++)
		text[np] = doc_read(pages[np]);
	f = fmemopen(help, sizeof(help), "w");
	conf_usage(t, f);
	fclose(f);
	for (o = t->opts; o->name; o++) {
		bool key = find_key(t, o->name, strlen(o->name)) == o && has_config_file(t);
		bool doc = false, kdoc;

		if (o->type == CONF_HEADING)
			continue;
		/* an option: "--name" in the first page; a key: ".It Ic name" in any */
		if (!(o->flags & CONF_NOCLI))
			doc = has_word(text[0], "--", o->name) || has_word(text[0], "Fl -", o->name);
		if (!doc && key && (keys_are_options || (o->flags & CONF_NOCLI)))
			for (i = 0; i < np && !doc; i++)
				doc = has_word(text[i], ".It Ic ", o->name) ||
				    has_word(text[i], ".It Cm ", o->name) || has_word(text[i], ", Cm ", o->name);
		/* and a key of a config file is in its list of keys */
		for (i = 0, kdoc = !key || !key_list; i < np && !kdoc; i++)
			kdoc = has_word(text[i], ".It Ic ", o->name) || has_word(text[i], ".It Cm ", o->name) ||
			    has_word(text[i], ", Cm ", o->name);
		if (!kdoc) {
			print_message("%s: setting '%s' is not in the list of settings\n", pages[np - 1],
			    o->name);
			bad++;
		}
		if (!doc) {
			print_message("%s: %s '%s' is missing\n", pages[0], key ? "setting" : "option",
			    o->name);
			bad++;
		}
		if (o->shortopt && !(o->flags & CONF_NOCLI) && !has_short(text[0], (char)o->shortopt)) {
			print_message("%s: -%c (--%s) is missing\n", pages[0], o->shortopt, o->name);
			bad++;
		}
		if (!(o->flags & CONF_NOCLI) && !has_word(help, "--", o->name)) {
			print_message("--help: --%s is missing\n", o->name);
			bad++;
		}
		/* a help text is a phrase of its own, not half of the next one's */
		if (o->help && o->help[0] && strchr(",;: ", o->help[strlen(o->help) - 1])) {
			print_message("--help: the text of --%s ends in '%c'\n", o->name,
			    o->help[strlen(o->help) - 1]);
			bad++;
		}
		/* a size or duration whose default is 0 says what 0 means */
		if ((o->type == CONF_SIZE || o->type == CONF_DURATION) && o->def &&
		    strcmp(o->def, "0") == 0 && (!o->help || !strstr(o->help, "0:"))) {
			print_message("--help: --%s defaults to 0 without saying what 0 means\n",
			    o->name);
			bad++;
		}
	}
	for (i = 0; i < np; i++) {
		bad += check_mentions(t, pages[i], text[i]);
		if (has_config_file(t))
			bad += check_key_mentions(t, pages[i], text[i]);
		free(text[i]);
	}
	bad += check_mentions(t, "--help", help);
	if (bad)
		fail_msg("%s: %d differences between the option table and its documentation", t->prog, bad);
}

static void
test_handoffd(void **state)
{
	static const char *const pages[] = { "man/nat64-handoffd.8", NULL };

	(void)state;
	check_program(&hcfg_table, pages, true, false);
}

static void
test_nat64d(void **state)
{
	static const char *const pages[] = { "man/nat64d.8", "man/nat64d.conf.5", NULL };

	(void)state;
	check_program(&nd_config_table, pages, true, true);
}

static void
test_nat64ctl(void **state)
{
	static const char *const pages[] = { "man/nat64ctl.8", NULL };

	(void)state;
	check_program(&nc_table, pages, false, false);
}

static void
test_healthd(void **state)
{
	static const char *const pages[] = { "man/nat64-healthd.8", NULL };

	(void)state;
	check_program(&hd_config_table, pages, false, false);
}

static void
test_update_dns64(void **state)
{
	static const char *const pages[] = { "man/update-dns64.8", NULL };

	(void)state;
	check_program(&ud_config_table, pages, false, false);
}

static void
test_handoff_sim(void **state)
{
	static const char *const pages[] = { "man/handoff-sim.1", NULL };

	(void)state;
	check_program(&sim_opts_table, pages, false, false);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_handoffd),
		cmocka_unit_test(test_nat64d),
		cmocka_unit_test(test_nat64ctl),
		cmocka_unit_test(test_healthd),
		cmocka_unit_test(test_update_dns64),
		cmocka_unit_test(test_handoff_sim),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
