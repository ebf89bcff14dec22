/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* conf.h — the option table every nat64kit program is described by.
 *
 * One typed entry per setting drives, from the same data: the config file
 * parser ("key value" lines, errors as "file:line: key: message"), the
 * command line (long options named like the keys), the --help text, the
 * normalised -n output (which reads back in), and reload (which keys a
 * SIGHUP may change).
 *
 * File format:
 *	# comment
 *	key value...
 * One setting per line; the value is the rest of the line with surrounding
 * blanks removed (it may contain spaces, never a control character). A
 * key that is not repeatable may be given once. A value of a config key
 * from the command line of a program that reads a config file may not
 * hold '#', a control character or a blank at either end, so that -n's
 * output always reads back to the same. A daemon builds a fresh struct
 * (defaults, then the file, then the command line) and swaps it in only on
 * success, so a bad reload never disturbs the running configuration.
 *
 * Adding a setting is one entry in the program's table plus its field:
 *	{ .name = "table-size", .shortopt = 't', .type = CONF_UINT,
 *	  CONF_FIELD(struct hcfg, table_size), .min = 16, .max = 64508,
 *	  .def = "64508", .arg = "N", .help = "entries per channel",
 *	  .flags = CONF_RELOAD },
 * Entries flagged CONF_CLI are command-line only and live in the
 * program's "run" struct instead of its config struct.
 */
#ifndef NK_CONF_H
#define NK_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum conf_type {
	CONF_BOOL,	/* yes/no (true/false, on/off, 1/0); a flag on the command line */
	CONF_UINT,	/* integer in min..max; unsigned field of 1, 2, 4 or 8 bytes */
	CONF_DURATION,	/* number + ms, s (default), m, h or d; min..max in ms */
	CONF_SIZE,	/* number + k, M or G (1024-based); min..max in bytes */
	CONF_ADDR4,	/* dotted IPv4 address into a uint32_t, host order */
	CONF_ADDR6,	/* IPv6 address into uint8_t[16] */
	CONF_PREFIX6,	/* IPv6 prefix into struct conf_prefix6; length min..max (default max) */
	CONF_PATH,	/* absolute path into char[size], trailing '/' removed */
	CONF_STRING,	/* text into char[size] */
	CONF_USER,	/* user name (letters, digits, _ - .) into char[size] */
	CONF_GROUP,	/* group name, the same characters, into char[size] */
	CONF_ENUM,	/* one of .enums into an int */
	CONF_LIST,	/* repeatable: each value parsed by .parse into the next element */
	CONF_CUSTOM,	/* .set parses (may touch several fields), .print writes -n lines */
	CONF_CONFIG,	/* command line: the config file to read (const char * field) */
	CONF_HELP,	/* command line: print --help, exit 0 */
	CONF_VERSION,	/* command line: print "PROG NK_VERSION", exit 0 */
	CONF_HEADING,	/* --help only: a heading line (.help) */
};

enum {
	CONF_RELOAD	= 1 << 0,	/* a SIGHUP may change it */
	CONF_CLI	= 1 << 1,	/* command line only; the field is in the run struct */
	CONF_NOCLI	= 1 << 2,	/* config file only */
	CONF_EMPTY	= 1 << 3,	/* PATH, STRING: "" is allowed (and clears) */
	CONF_COUNT	= 1 << 4,	/* UINT: on the command line a flag, counted (-vvv) */
	CONF_OMIT_EMPTY	= 1 << 5,	/* -n leaves it out while empty */
	CONF_NOPRINT	= 1 << 6,	/* -n leaves it out */
	CONF_NEGATE	= 1 << 7,	/* BOOL: the field holds the opposite ("no-probe") */
	CONF_NONE	= 1 << 8,	/* PATH, STRING: "none" is empty, printed as "none" */
	CONF_REPEAT	= 1 << 9,	/* CUSTOM: repeatable like a LIST (count in cnt_off) */
};

struct conf_prefix6 {
	uint8_t addr[16];
	int len;
};

struct conf_enum {
	const char *name;	/* the first name of a value is the one printed */
	int value;
};

struct conf_opt;
/* CUSTOM: parse value into cfg. 0, or -1 with a message in err. */
typedef int conf_set_fn(void *cfg, const char *value, char *err, size_t errlen);
/* CUSTOM: print the setting's -n lines ("key value\n") */
typedef void conf_print_fn(const struct conf_opt *o, const void *cfg, FILE *f);
/* LIST: parse one element / format one element */
typedef int conf_elem_parse_fn(void *elem, const char *value, char *err, size_t errlen);
typedef const char *conf_elem_fmt_fn(const void *elem, char *buf, size_t len);
/* Whether -n prints the entry (e.g. handoff keys only with "handoff yes"). */
typedef bool conf_show_fn(const void *cfg);

struct conf_opt {
	const char *name;	/* config key and --long option */
	int shortopt;		/* 'p', or 0 */
	enum conf_type type;
	unsigned flags;
	size_t off, size;	/* the field; LIST: the array through its count */
	uint64_t min, max;	/* UINT, DURATION (ms), SIZE (bytes), PREFIX6 (length) */
	unsigned unit_us;	/* DURATION: the field counts this many µs (0: ms) */
	const char *def;	/* default in config syntax; NULL: zero / empty */
	const char *arg;	/* --help metavariable ("PORT") */
	const char *help;	/* --help text */
	const struct conf_enum *enums;	/* ENUM, ends with { NULL } */
	conf_set_fn *set;		/* CUSTOM */
	conf_set_fn *check;		/* any type: a further rule, run on cfg after the parse */
	conf_print_fn *print;		/* CUSTOM (NULL: not printed); any type: overrides */
	conf_elem_parse_fn *parse;	/* LIST */
	conf_elem_fmt_fn *fmt;		/* LIST */
	size_t esize, cnt_off, cnt_size; /* LIST: element size, count field */
	conf_show_fn *show;
	size_t seen;		/* offset + 1 of a bool set when the key is given (0: none) */
};

/* A number macro as a default string: CONF_STR(HW_DEFAULT_PORT) is "6464". */
#define CONF_STR_(x)	#x
#define CONF_STR(x)	CONF_STR_(x)

/* Field helpers for table entries. */
#define CONF_FIELD(type, field) \
	.off = offsetof(type, field), .size = sizeof(((type *)0)->field)
#define CONF_SEEN(type, field)	.seen = offsetof(type, field) + 1
/* A repeatable setting: element array arr, element count cnt declared after it. */
#define CONF_LIST_FIELD(type, arr, cnt)						\
	.off = offsetof(type, arr),						\
	.size = offsetof(type, cnt) + sizeof(((type *)0)->cnt) - offsetof(type, arr), \
	.esize = sizeof(((type *)0)->arr[0]),					\
	.max = sizeof(((type *)0)->arr) / sizeof(((type *)0)->arr[0]),		\
	.cnt_off = offsetof(type, cnt), .cnt_size = sizeof(((type *)0)->cnt)

/* How every table ends: -h/--help, -V/--version and the terminator. */
#define CONF_END								\
	{ "help", 'h', CONF_HELP, .help = "this text" },			\
	{ "version", 'V', CONF_VERSION, .help = "print the version and exit" },	\
	{ .name = NULL }

struct conf_table {
	const char *prog;	/* "nat64-handoffd" */
	const char *usage;	/* after "usage: PROG " */
	const char *about;	/* paragraph after the usage line, or NULL */
	const char *epilog;	/* after the options (signals, see also), or NULL */
	const char *config;	/* config file read when none is given, or NULL */
	bool config_optional;	/* ... and only if it exists */
	size_t cfg_size;	/* the config struct */
	int max_args;		/* operands allowed after the options; -1: any */
	bool stop_at_operand;	/* options end at the first operand (COMMAND ARGS) */
	const struct conf_opt *opts;	/* ends with CONF_END */
};

#define CONF_MAX_SET	64
#define CONF_MAX_OPTS	128		/* entries in one table */
#define CONF_FROM_CLI	(~0u)		/* conf_cmdline.origin: given on the command line */

/* What the command line said: the config file and the settings it gives,
 * kept so that a reload can apply them again over the new file. */
struct conf_cmdline {
	const char *config;		/* -f, or the table's default */
	bool config_given;		/* by -f */
	int n;
	const struct conf_opt *opt[CONF_MAX_SET];
	const char *value[CONF_MAX_SET];
	char count[CONF_MAX_SET][24];	/* values made for counted flags */
	int first_arg;			/* argv index of the first operand */
	/* filled by conf_build: where each entry's value came from (by
	 * index in the table): 0 default, N line N of the file, CONF_FROM_CLI */
	bool config_read;		/* the config file was read */
	unsigned origin[CONF_MAX_OPTS];
};

/* Reset cfg to zero plus every default. */
void conf_defaults(const struct conf_table *t, void *cfg);
/* Parse a file / text into cfg. 0, or -1 with "name:line: key: message". */
int conf_parse_file(const struct conf_table *t, const char *path, void *cfg,
    char *err, size_t errlen);
int conf_parse_text(const struct conf_table *t, const char *name, const char *text,
    size_t len, void *cfg, char *err, size_t errlen);

/* The command line: command-line-only entries go into run; settings are
 * checked and remembered in cl. Returns 0, 1 when --help or --version was
 * printed to out (exit 0), or -1 with a message in err (exit 2). */
int conf_cmdline(const struct conf_table *t, void *run, struct conf_cmdline *cl,
    int argc, char **argv, FILE *out, char *err, size_t errlen);
/* Defaults, the config file (if any), then the command line's settings.
 * A scalar key given twice in the file is an error; a repeatable key
 * (LIST, CONF_REPEAT) given on the command line replaces the file's
 * elements. Records in cl where each value came from (conf_where). */
int conf_build(const struct conf_table *t, void *cfg, struct conf_cmdline *cl,
    char *err, size_t errlen);
/* For a message about key after conf_build: "FILE:LINE: key" (set in the
 * file), "--key" (on the command line), "FILE: key" (left at its default
 * while a file was read) or "key". Returns buf. */
const char *conf_where(const struct conf_table *t, const struct conf_cmdline *cl,
    const char *key, char *buf, size_t len);
/* Of the two keys of a rule between settings, the one to name in its
 * error: the one given last (the command line after the file, a later
 * line after an earlier one, either after a default); a on a tie or
 * without cl. */
const char *conf_blame(const struct conf_table *t, const struct conf_cmdline *cl,
    const char *a, const char *b);

/* -n: every setting as "key value" lines, in table order. */
void conf_print(const struct conf_table *t, const void *cfg, FILE *f);
/* The --help text. */
void conf_usage(const struct conf_table *t, FILE *f);

/* Reload: keys a SIGHUP may not change keep their running values in next;
 * their names, if any changed, are listed in msg ("" when none). */
void conf_reload(const struct conf_table *t, const void *running, void *next,
    char *msg, size_t msglen);

/* Value parsers (also for CUSTOM setters). 0, or -1 with a message. */
int conf_uint(const char *value, uint64_t min, uint64_t max, uint64_t *out,
    char *err, size_t errlen);
int conf_bool(const char *value, int *out, char *err, size_t errlen);
int conf_duration_ms(const char *value, uint64_t min_ms, uint64_t max_ms,
    uint64_t *out, char *err, size_t errlen);
int conf_size(const char *value, uint64_t min, uint64_t max, uint64_t *out,
    char *err, size_t errlen);
int conf_path(const char *value, char *dst, size_t dstlen, bool allow_empty,
    char *err, size_t errlen);
/* A control socket's permission bits (control-mode): octal, the owner rw,
 * no one else more than the group ("0600", "0660"). */
int conf_ctl_mode(const char *value, unsigned *mode, char *err, size_t errlen);

#endif
