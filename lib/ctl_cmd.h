/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* ctl_cmd.h — a control socket's table of commands (the server side of
 * lib/ctl_wire.h): one row per command with its arguments, options and
 * usage line; ctl_run() parses a request line, checks it against the
 * table and calls the command's function. nat64-handoffd
 * (handoffd/control.c) and nat64d (nat64d/control.c) each keep a table.
 *
 * A command whose answer may be large answers in steps: it puts the first
 * lines and sets cur->more; the socket (lib/ctl_server.h) calls more()
 * again each time its output buffer has room, until it returns true. The
 * cursor keeps the request line (parse it again in each step) and a
 * position, never a pointer into the program's tables, so the tables may
 * change between steps.
 */
#ifndef NK_CTL_CMD_H
#define NK_CTL_CMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "clock.h"
#include "ctl_wire.h"

struct ctl_cursor;

/* One step of a long answer: put lines into o; true when the answer is
 * complete (its "end N" put). */
typedef bool ctl_more_fn(void *arg, struct ctl_cursor *cur, struct ctl_out *o,
    const struct clk_now *now);

struct ctl_cursor {
	ctl_more_fn *more;		/* NULL: the answer is complete */
	char line[CTL_LINE_MAX];	/* the request */
	size_t len;
	uint64_t pos;			/* where the next step starts (the command's) */
	unsigned long rows;		/* rows so far */
};

typedef void ctl_cmd_fn(void *arg, const struct ctl_req *r, struct ctl_out *o,
    struct ctl_cursor *cur, const struct clk_now *now);

struct ctl_command {
	const char *name;
	int min_pos, max_pos;		/* positional arguments */
	const char *opts;		/* allowed option names, space separated */
	ctl_cmd_fn *fn;
	const char *usage;
};

/* Run one request line (without its '\n') against the table: an answer
 * into o. Returns 0 if a command ran, -1 if the request was refused
 * (unparsable, unknown command, wrong arguments or options: an "error"
 * answer, for the caller to count). cur->more is NULL unless the command
 * answers in steps. */
int ctl_run(const struct ctl_command *tab, size_t n, void *arg, const char *line, size_t len,
    struct ctl_out *o, struct ctl_cursor *cur, const struct clk_now *now);
/* The table as an answer (a "help" command). */
void ctl_help(const struct ctl_command *tab, size_t n, struct ctl_out *o);
/* Option key=N, 1..max, default def if absent; -1 with an error answer. */
int ctl_opt_uint(const struct ctl_req *r, const char *key, unsigned def, unsigned max,
    unsigned *v, struct ctl_out *o);

#endif
