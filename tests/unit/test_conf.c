/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* test_conf.c — lib/conf.c: every type's values, bounds and errors, the
 * file:line messages, the command line, -n output that reads back in,
 * --help, and which keys a reload keeps. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "conf.h"

struct t_cfg {
	uint16_t port;
	bool flag, probe;
	int level;
	uint64_t interval_ms;
	uint32_t margin_us;
	uint64_t bytes;
	uint32_t v4;
	bool have_v4;
	uint8_t v6[16];
	struct conf_prefix6 pfx;
	char path[16], name[8], user[16], sock[16], group[16];
	int colour;
	char list[3][4];	/* "item" values: 1..3 lower-case letters */
	size_t nlist;
};

struct t_run {
	bool check;
	int verbose;
};

/* An item is a short lower-case word. */
static int
parse_item(void *elem, const char *v, char *err, size_t errlen)
{
	size_t n = strspn(v, "abcdefghijklmnopqrstuvwxyz");

	if (n == 0 || n > 3 || v[n] != '\0') {
		snprintf(err, errlen, "'%s' is not a short word", v);
		return -1;
	}
	memcpy(elem, v, n + 1);
	return 0;
}

static const char *
item_text(const void *elem, char *buf, size_t len)
{
	snprintf(buf, len, "%s", (const char *)elem);
	return buf;
}

static int
no_13(void *cfg, const char *v, char *err, size_t errlen)
{
	(void)v;
	if (((struct t_cfg *)cfg)->port == 13) {
		snprintf(err, errlen, "13 is unlucky");
		return -1;
	}
	return 0;
}

static const struct conf_enum colours[] = { { "red", 1 }, { "blue", 2 }, { "azure", 2 }, { NULL, 0 } };

#define F(f) CONF_FIELD(struct t_cfg, f)
static const struct conf_opt t_opts[] = {
	{ "config", 'f', CONF_CONFIG, .arg = "FILE", .help = "read FILE" },
	{ "port", 'p', CONF_UINT, F(port), .min = 1, .max = 65535, .def = "6464", .check = no_13,
	  .arg = "PORT", .help = "the port" },
	{ "flag", 0, CONF_BOOL, F(flag), .flags = CONF_RELOAD, .help = "a flag" },
	{ "no-probe", 0, CONF_BOOL, F(probe), .flags = CONF_NEGATE | CONF_RELOAD, .def = "no",
	  .help = "skip probing" },
	{ "level", 'l', CONF_UINT, F(level), .max = 3, .flags = CONF_COUNT | CONF_RELOAD,
	  .help = "more" },
	{ "interval", 'i', CONF_DURATION, F(interval_ms), .min = 10, .max = 3600000, .def = "5s",
	  .flags = CONF_RELOAD, .arg = "DUR",
	  .help = "a long help text that has to be wrapped because it does not fit on one line" },
	{ "margin", 0, CONF_DURATION, F(margin_us), .unit_us = 1, .max = 60000, .def = "20ms",
	  .flags = CONF_RELOAD },
	{ "bytes", 0, CONF_SIZE, F(bytes), .min = 1024, .max = 1ull << 30, .def = "64k",
	  .flags = CONF_RELOAD },
	{ "v4", 0, CONF_ADDR4, F(v4), CONF_SEEN(struct t_cfg, have_v4) },
	{ "v6", 0, CONF_ADDR6, F(v6), .flags = CONF_RELOAD },
	{ "pfx", 0, CONF_PREFIX6, F(pfx), .min = 32, .max = 96, .def = "64:ff9b::",
	  .flags = CONF_RELOAD },
	{ "path", 0, CONF_PATH, F(path), .flags = CONF_EMPTY | CONF_RELOAD },
	{ "name", 0, CONF_STRING, F(name), .flags = CONF_OMIT_EMPTY | CONF_RELOAD },
	{ "user", 'u', CONF_USER, F(user), .flags = CONF_OMIT_EMPTY },
	{ "sock", 0, CONF_PATH, F(sock), .flags = CONF_NONE | CONF_RELOAD },
	{ "group", 0, CONF_GROUP, F(group), .flags = CONF_EMPTY | CONF_RELOAD },
	{ "colour", 0, CONF_ENUM, F(colour), .enums = colours, .def = "red", .flags = CONF_RELOAD },
	{ "item", 0, CONF_LIST, CONF_LIST_FIELD(struct t_cfg, list, nlist), .parse = parse_item,
	  .fmt = item_text, .flags = CONF_RELOAD },
	{ "Run:", 0, CONF_HEADING, .help = "Run:" },
	{ "check", 'n', CONF_BOOL, CONF_FIELD(struct t_run, check), .flags = CONF_CLI, .help = "check" },
	{ "verbose", 'v', CONF_UINT, CONF_FIELD(struct t_run, verbose), .max = 2,
	  .flags = CONF_CLI | CONF_COUNT, .help = "chatty" },
	CONF_END
};

static const struct conf_table t_table = {
	.prog = "t-prog", .usage = "[options]", .epilog = "The end.\n",
	.cfg_size = sizeof(struct t_cfg), .max_args = 0, .opts = t_opts,
};

/* Parse text; 0, or -1 with the message in err. */
static int
parse(const char *text, struct t_cfg *c, char *err, size_t errlen)
{
	conf_defaults(&t_table, c);
	return conf_parse_text(&t_table, "t.conf", text, strlen(text), c, err, errlen);
}

static void
expect_err(const char *text, const char *want)
{
	struct t_cfg c;
	char err[512];

	if (parse(text, &c, err, sizeof(err)) != -1)
		fail_msg("'%s' parsed", text);
	if (strcmp(err, want) != 0)
		fail_msg("'%s': got '%s', want '%s'", text, err, want);
}

static void
test_defaults(void **state)
{
	struct t_cfg c;

	(void)state;
	conf_defaults(&t_table, &c);
	assert_int_equal(c.port, 6464);
	assert_true(c.probe);		/* no-probe no */
	assert_int_equal(c.interval_ms, 5000);
	assert_int_equal(c.margin_us, 20000);
	assert_int_equal(c.bytes, 65536);
	assert_int_equal(c.pfx.len, 96);
	assert_int_equal(c.colour, 1);
	assert_false(c.have_v4);
}

static void
test_values(void **state)
{
	struct t_cfg c;
	char err[256];

	(void)state;
	assert_int_equal(parse("port 1\nflag\nno-probe yes\nlevel 3\ninterval 2m\nmargin 5ms\n"
	    "bytes 2M\nv4 192.0.2.1\nv6 2001:db8::1\npfx 2001:db8:100::/40\npath /var/x//\n"
	    "name a b c\nuser nobody\ncolour azure\nitem a\nitem bc\n", &c, err, sizeof(err)), 0);
	assert_int_equal(c.port, 1);
	assert_true(c.flag);		/* no value: yes */
	assert_false(c.probe);
	assert_int_equal(c.level, 3);
	assert_int_equal(c.interval_ms, 120000);
	assert_int_equal(c.margin_us, 5000);
	assert_int_equal(c.bytes, 2 * 1024 * 1024);
	assert_int_equal(c.v4, 0xc0000201);
	assert_true(c.have_v4);
	assert_int_equal(c.v6[15], 1);
	assert_int_equal(c.pfx.len, 40);
	assert_string_equal(c.path, "/var/x");
	assert_string_equal(c.name, "a b c");
	assert_int_equal(c.colour, 2);
	assert_int_equal(c.nlist, 2);
	assert_string_equal(c.list[1], "bc");
	/* bounds are inclusive */
	assert_int_equal(parse("port 65535\ninterval 10ms\nbytes 1k\n"
	    "pfx 2001:db8::/32\npath\n", &c, err, sizeof(err)), 0);
	assert_string_equal(c.path, "");
	assert_int_equal(parse("interval 1h\nbytes 1G\n", &c, err, sizeof(err)), 0);
	/* "none" is the empty value of a CONF_NONE entry */
	assert_int_equal(parse("sock none\ngroup staff\n", &c, err, sizeof(err)), 0);
	assert_string_equal(c.sock, "");
	assert_string_equal(c.group, "staff");
}

static void
test_errors(void **state)
{
	(void)state;
	expect_err("\n# c\nbogus 1\n", "t.conf:3: unknown setting 'bogus'");
	expect_err("port 0\n", "t.conf:1: port: 0 is out of range 1..65535");
	expect_err("port 65536\n", "t.conf:1: port: 65536 is out of range 1..65535");
	expect_err("port -1\n", "t.conf:1: port: '-1' is not a number");
	expect_err("port 12x\n", "t.conf:1: port: '12x' is not a number");
	expect_err("port 13\n", "t.conf:1: port: 13 is unlucky");
	expect_err("flag maybe\n", "t.conf:1: flag: 'maybe' is not yes/no");
	expect_err("level 4\n", "t.conf:1: level: 4 is out of range 0..3");
	expect_err("interval 9ms\n", "t.conf:1: interval: '9ms' is out of range 10ms..3600000ms");
	expect_err("interval 2h\n", "t.conf:1: interval: '2h' is out of range 10ms..3600000ms");
	expect_err("interval 5 fortnights\n",
	    "t.conf:1: interval: '5 fortnights': unknown unit (use ms, s, m, h or d)");
	expect_err("interval soon\n", "t.conf:1: interval: 'soon' is not a duration");
	/* past what strtoull holds: out of range, not "not a number" */
	expect_err("interval 99999999999999999999\n",
	    "t.conf:1: interval: '99999999999999999999' is out of range (max 3600000ms)");
	expect_err("port 99999999999999999999\n",
	    "t.conf:1: port: '99999999999999999999' is out of range (max 65535)");
	expect_err("bytes 99999999999999999999k\n",
	    "t.conf:1: bytes: '99999999999999999999k' is out of range (max 1073741824 bytes)");
	/* a scalar key once; a list key as often as it likes */
	expect_err("port 1\n# x\nport 2\n", "t.conf:3: port: already set on line 1 (give it once)");
	expect_err("sock /run/x\nsock none\n", "t.conf:2: sock: already set on line 1 (give it once)");
	/* control characters in a value */
	expect_err("name a\tb\n", "t.conf:1: name: control character 0x09 in the value");
	expect_err("port 1\nname a\x01\n", "t.conf:2: name: control character 0x01 in the value");
	expect_err("bytes 1023\n", "t.conf:1: bytes: '1023' is out of range 1024..1073741824 bytes");
	expect_err("bytes 2G\n", "t.conf:1: bytes: '2G' is out of range 1024..1073741824 bytes");
	expect_err("bytes 4T\n", "t.conf:1: bytes: '4T': unknown unit (use k, M or G)");
	expect_err("v4 192.0.2.256\n", "t.conf:1: v4: '192.0.2.256' is not an IPv4 address");
	expect_err("v6 2001:db8::g\n", "t.conf:1: v6: '2001:db8::g' is not an IPv6 address");
	expect_err("pfx 2001:db8::/16\n", "t.conf:1: pfx: '2001:db8::/16': the prefix length must be 32..96");
	expect_err("pfx nonsense\n", "t.conf:1: pfx: 'nonsense' is not an IPv6 prefix");
	expect_err("path relative\n", "t.conf:1: path: 'relative' must be an absolute path shorter than 16");
	expect_err("path /a/very/long/path\n",
	    "t.conf:1: path: '/a/very/long/path' must be an absolute path shorter than 16");
	expect_err("path /var/x /\n", "t.conf:1: path: '/var/x /': a path may not end in a blank");
	expect_err("name\n", "t.conf:1: name: value empty or too long");
	expect_err("name 12345678\n", "t.conf:1: name: value empty or too long");
	expect_err("user bad;name\n", "t.conf:1: user: 'bad;name' is not a user name");
	expect_err("user\n", "t.conf:1: user: user name empty");
	expect_err("group a:b\n", "t.conf:1: group: 'a:b' is not a group name");
	expect_err("sock run\n", "t.conf:1: sock: 'run' must be an absolute path shorter than 16");
	expect_err("colour green\n", "t.conf:1: colour: 'green' is not one of red, blue, azure");
	expect_err("item a\nitem b\nitem c\nitem d\n", "t.conf:4: item: at most 3 allowed");
	expect_err("item abcd\n", "t.conf:1: item: 'abcd' is not a short word");
	expect_err("check yes\n", "t.conf:1: unknown setting 'check'");	/* command line only */
	{
		struct t_cfg c;
		char err[256];

		conf_defaults(&t_table, &c);
		assert_int_equal(conf_parse_text(&t_table, "t.conf", "port 1\0\n", 8, &c, err,
		    sizeof(err)), -1);
		assert_string_equal(err, "t.conf:1: NUL byte in line");
	}
}

static void
test_long_line(void **state)
{
	char text[1100];

	(void)state;
	memset(text, 'x', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	expect_err(text, "t.conf:1: line longer than 1024 characters");
}

/* What -n prints reads back in and prints the same. */
static void
test_print_roundtrip(void **state)
{
	struct t_cfg a, b;
	char out1[2048], out2[2048], err[256];
	FILE *f;

	(void)state;
	assert_int_equal(parse("port 7\nno-probe yes\ninterval 90s\nmargin 1ms\nv4 192.0.2.9\n"
	    "pfx 2001:db8:100::/40\nitem x\nitem yz\ncolour blue\n", &a, err, sizeof(err)), 0);
	f = fmemopen(out1, sizeof(out1), "w");
	conf_print(&t_table, &a, f);
	fclose(f);
	assert_string_equal(out1, "port 7\nflag no\nno-probe yes\nlevel 0\ninterval 90000ms\n"
	    "margin 1ms\nbytes 65536\nv4 192.0.2.9\nv6 ::\npfx 2001:db8:100::/40\npath \n"
	    "sock none\ngroup \ncolour blue\nitem x\nitem yz\n");
	assert_int_equal(parse(out1, &b, err, sizeof(err)), 0);
	f = fmemopen(out2, sizeof(out2), "w");
	conf_print(&t_table, &b, f);
	fclose(f);
	assert_string_equal(out1, out2);
}

static int
cmdline(struct t_run *run, struct conf_cmdline *cl, char *buf, size_t len, char *err,
    size_t errlen, ...)
{
	char *argv[32];
	int argc = 0, rc;
	va_list ap;
	FILE *f = fmemopen(buf, len, "w");

	argv[argc++] = "t-prog";
	va_start(ap, errlen);
	while ((argv[argc] = va_arg(ap, char *)) != NULL)
		argc++;
	va_end(ap);
	memset(run, 0, sizeof(*run));
	rc = conf_cmdline(&t_table, run, cl, argc, argv, f, err, errlen);
	fclose(f);
	return rc;
}

static void
test_command_line(void **state)
{
	struct conf_cmdline cl;
	struct t_run run;
	struct t_cfg c;
	char out[4096], err[256];

	(void)state;
	assert_int_equal(cmdline(&run, &cl, out, sizeof(out), err, sizeof(err), "-p", "7",
	    "--interval", "1m", "--flag", "--no-probe=no", "-ll", "--level", "-nvvv", "--item", "d",
	    NULL), 0);
	assert_true(run.check);
	assert_int_equal(run.verbose, 2);	/* capped at max */
	assert_null(cl.config);
	assert_int_equal(conf_build(&t_table, &c, &cl, err, sizeof(err)), 0);
	assert_int_equal(c.port, 7);
	assert_int_equal(c.interval_ms, 60000);
	assert_true(c.flag);
	assert_true(c.probe);
	assert_int_equal(c.level, 3);
	assert_int_equal(c.nlist, 1);

	assert_int_equal(cmdline(&run, &cl, out, sizeof(out), err, sizeof(err), "--bogus", NULL), -1);
	assert_string_equal(err, "unknown option '--bogus'");
	assert_int_equal(cmdline(&run, &cl, out, sizeof(out), err, sizeof(err), "-x", NULL), -1);
	assert_string_equal(err, "unknown option '-x'");
	assert_int_equal(cmdline(&run, &cl, out, sizeof(out), err, sizeof(err), "--level=2", NULL), -1);
	assert_string_equal(err, "option '--level' takes no value");
	assert_int_equal(cmdline(&run, &cl, out, sizeof(out), err, sizeof(err), "--help=x", NULL), -1);
	assert_string_equal(err, "option '--help' takes no value");
	assert_int_equal(cmdline(&run, &cl, out, sizeof(out), err, sizeof(err), "-p", NULL), -1);
	assert_string_equal(err, "option '-p' needs a value");
	assert_int_equal(cmdline(&run, &cl, out, sizeof(out), err, sizeof(err), "--port", "13",
	    NULL), -1);
	assert_string_equal(err, "--port: 13 is unlucky");
	assert_int_equal(cmdline(&run, &cl, out, sizeof(out), err, sizeof(err), "--item", "a",
	    "--item", "b", "--item", "c", "--item", "d", NULL), -1);
	assert_string_equal(err, "--item: at most 3 allowed");
	/* values that would not read back in from -n's output */
	assert_int_equal(cmdline(&run, &cl, out, sizeof(out), err, sizeof(err), "--name", "a#b",
	    NULL), -1);
	assert_string_equal(err, "--name: 'a#b': '#' is not allowed in a value (it starts a comment)");
	assert_int_equal(cmdline(&run, &cl, out, sizeof(out), err, sizeof(err), "--name", "a\nb",
	    NULL), -1);
	assert_string_equal(err, "--name: control character 0x0a in the value");
	assert_int_equal(cmdline(&run, &cl, out, sizeof(out), err, sizeof(err), "--name", " ab",
	    NULL), -1);
	assert_string_equal(err, "--name: ' ab': a value may not begin or end with a blank");
	assert_int_equal(cmdline(&run, &cl, out, sizeof(out), err, sizeof(err), "--path", "/a#",
	    NULL), -1);
	assert_int_equal(cmdline(&run, &cl, out, sizeof(out), err, sizeof(err), "--item", "a\r",
	    NULL), -1);
	/* -p 1 -p 2: the last one wins (the command line's own rule) */
	assert_int_equal(cmdline(&run, &cl, out, sizeof(out), err, sizeof(err), "-p", "1", "-p",
	    "2", NULL), 0);
	assert_int_equal(conf_build(&t_table, &c, &cl, err, sizeof(err)), 0);
	assert_int_equal(c.port, 2);
	assert_int_equal(cmdline(&run, &cl, out, sizeof(out), err, sizeof(err), "stray", NULL), -1);
	assert_string_equal(err, "unexpected argument 'stray'");
	assert_int_equal(cmdline(&run, &cl, out, sizeof(out), err, sizeof(err), "-V", NULL), 1);
	assert_string_equal(out, "t-prog " NK_VERSION "\n");
}

/* A temporary file holding text; its name is written into path. */
static void
write_tmp(char *path, const char *text)
{
	int fd = mkstemp(path);
	FILE *f;

	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	fputs(text, f);
	fclose(f);
}

/* The command line wins over the file, and is applied again at a reload. */
static void
test_file_then_command_line(void **state)
{
	char path[] = "/tmp/nk-conf-XXXXXX", out[16], err[256];
	struct conf_cmdline cl;
	struct t_run run;
	struct t_cfg c;
	FILE *f;

	(void)state;
	write_tmp(path, "port 100\ninterval 3s\nitem a\n");
	assert_int_equal(cmdline(&run, &cl, out, sizeof(out), err, sizeof(err), "-f", path,
	    "-p", "200", "--item", "b", NULL), 0);
	assert_int_equal(conf_build(&t_table, &c, &cl, err, sizeof(err)), 0);
	assert_int_equal(c.port, 200);
	assert_int_equal(c.interval_ms, 3000);
	/* a list key on the command line replaces the file's elements */
	assert_int_equal(c.nlist, 1);
	assert_string_equal(c.list[0], "b");
	/* where each value came from */
	{
		char w[128], want[128];

		snprintf(want, sizeof(want), "%s:2: interval", path);
		assert_string_equal(conf_where(&t_table, &cl, "interval", w, sizeof(w)), want);
		assert_string_equal(conf_where(&t_table, &cl, "port", w, sizeof(w)), "--port");
		assert_string_equal(conf_where(&t_table, &cl, "item", w, sizeof(w)), "--item");
		snprintf(want, sizeof(want), "%s: bytes", path);
		assert_string_equal(conf_where(&t_table, &cl, "bytes", w, sizeof(w)), want);
		/* of two keys of a rule, the one given last */
		assert_string_equal(conf_blame(&t_table, &cl, "bytes", "interval"), "interval");
		assert_string_equal(conf_blame(&t_table, &cl, "interval", "bytes"), "interval");
		assert_string_equal(conf_blame(&t_table, &cl, "interval", "port"), "port");
		assert_string_equal(conf_blame(&t_table, &cl, "port", "interval"), "port");
		assert_string_equal(conf_blame(&t_table, &cl, "port", "item"), "port");
		assert_string_equal(conf_blame(&t_table, NULL, "bytes", "port"), "bytes");
	}
	/* without a list on the command line, the file's stays */
	assert_int_equal(cmdline(&run, &cl, out, sizeof(out), err, sizeof(err), "-f", path, NULL), 0);
	assert_int_equal(conf_build(&t_table, &c, &cl, err, sizeof(err)), 0);
	assert_int_equal(c.nlist, 1);
	assert_string_equal(c.list[0], "a");
	assert_int_equal(cmdline(&run, &cl, out, sizeof(out), err, sizeof(err), "-f", path,
	    "--item", "b", "--item", "c", NULL), 0);
	assert_int_equal(conf_build(&t_table, &c, &cl, err, sizeof(err)), 0);
	assert_int_equal(c.nlist, 2);
	assert_string_equal(c.list[0], "b");
	f = fopen(path, "w");
	fputs("port 100\nbogus\n", f);
	fclose(f);
	assert_int_equal(conf_build(&t_table, &c, &cl, err, sizeof(err)), -1);
	assert_non_null(strstr(err, ":2: unknown setting 'bogus'"));
	unlink(path);
	assert_int_equal(conf_build(&t_table, &c, &cl, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "No such file"));
}

/* An optional default config file is read if it exists; one named with
 * -f must exist. */
static void
test_optional_config(void **state)
{
	char path[] = "/tmp/nk-conf-XXXXXX", out[16], err[256];
	struct conf_table t = t_table;
	struct conf_cmdline cl;
	struct t_run run;
	struct t_cfg c;

	(void)state;
	write_tmp(path, "port 100\n");
	t.config = path;
	t.config_optional = true;
	memset(&run, 0, sizeof(run));
	assert_int_equal(conf_cmdline(&t, &run, &cl, 1, (char *[]){ "t-prog", NULL }, stdout, err,
	    sizeof(err)), 0);
	assert_int_equal(conf_build(&t, &c, &cl, err, sizeof(err)), 0);
	assert_int_equal(c.port, 100);
	unlink(path);
	assert_int_equal(conf_build(&t, &c, &cl, err, sizeof(err)), 0);	/* gone: defaults */
	assert_int_equal(c.port, 6464);
	assert_int_equal(cmdline(&run, &cl, out, sizeof(out), err, sizeof(err), "-f", path, NULL), 0);
	assert_int_equal(conf_build(&t, &c, &cl, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "No such file"));
}

static void
test_usage(void **state)
{
	char out[4096];
	FILE *f;

	(void)state;
	f = fmemopen(out, sizeof(out), "w");
	conf_usage(&t_table, f);
	fclose(f);
	assert_non_null(strstr(out, "usage: t-prog [options]\n"));
	assert_non_null(strstr(out, "\n  -p, --port PORT         the port (default 6464)\n"));
	assert_non_null(strstr(out, "\n      --flag              a flag\n"));
	assert_non_null(strstr(out, "\n  -i, --interval DUR      a long help text that has to be wrapped "
	    "because it\n                          does not fit on one line (default 5s)\n"));
	assert_non_null(strstr(out, "\nRun:\n  -n, --check"));
	assert_null(strstr(out, "--Run"));
	assert_non_null(strstr(out, "\nThe end.\n"));
}

static void
test_reload(void **state)
{
	struct t_cfg run, next;
	char err[256], msg[256];

	(void)state;
	assert_int_equal(parse("port 100\nv4 192.0.2.1\nuser nobody\n", &run, err, sizeof(err)), 0);
	assert_int_equal(parse("port 100\nv4 192.0.2.1\nuser nobody\ninterval 1s\n", &next, err,
	    sizeof(err)), 0);
	conf_reload(&t_table, &run, &next, msg, sizeof(msg));
	assert_string_equal(msg, "");
	assert_int_equal(next.interval_ms, 1000);
	/* port, v4 (with its seen flag) and user may not change: kept */
	assert_int_equal(parse("port 200\nuser root\ninterval 2s\n", &next, err, sizeof(err)), 0);
	conf_reload(&t_table, &run, &next, msg, sizeof(msg));
	assert_string_equal(msg, "port, v4, user");
	assert_int_equal(next.port, 100);
	assert_int_equal(next.v4, 0xc0000201);
	assert_true(next.have_v4);
	assert_string_equal(next.user, "nobody");
	assert_int_equal(next.interval_ms, 2000);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_long_line),
		cmocka_unit_test(test_print_roundtrip),
		cmocka_unit_test(test_command_line),
		cmocka_unit_test(test_file_then_command_line),
		cmocka_unit_test(test_optional_config),
		cmocka_unit_test(test_usage),
		cmocka_unit_test(test_reload),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
