/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* ctl_wire.h — the wire format of nat64-handoffd's control socket, shared
 * by the server (handoffd/control.c) and nat64-handoffctl.
 *
 * A request is one line of printable ASCII ending in '\n', at most
 * CTL_LINE_MAX octets with the newline: a command word, then positional
 * arguments and key=value options, separated by spaces or tabs, at most
 * CTL_MAX_ARGS words after the command, each at most CTL_WORD_MAX octets.
 *
 * An answer is a sequence of lines:
 *
 *	error MESSAGE			the request failed (nothing else follows)
 *	cols NAME:T NAME:T ...		column names, T is s (text) or n (number)
 *	row V<TAB>V<TAB>...		one record ("" = no value)
 *	note TEXT			a remark for people (zero or more)
 *	end N				N rows, the answer is complete
 *	more CURSOR			N rows so far; ask again with after=CURSOR
 *
 * Values never hold tabs or newlines. The server writes answers with
 * ctl_put_*(); the client reads them line by line with ctl_answer_line().
 */
#ifndef NK_CTL_WIRE_H
#define NK_CTL_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CTL_LINE_MAX	512
#define CTL_MAX_ARGS	8
#define CTL_WORD_MAX	320	/* a ban reason of 100 octets, each as %XX */
#define CTL_MAX_COLS	64

struct ctl_req {
	char cmd[CTL_WORD_MAX];
	int npos;			/* positional arguments */
	char pos[CTL_MAX_ARGS][CTL_WORD_MAX];
	int nopt;			/* key=value options */
	char key[CTL_MAX_ARGS][CTL_WORD_MAX];
	char val[CTL_MAX_ARGS][CTL_WORD_MAX];
};

/* Parse one request line (without its '\n'). Returns 0, or -1 with a
 * message for the client in err. */
int ctl_parse_request(const char *line, size_t len, struct ctl_req *r, char *err, size_t errlen);
/* "A.B.C.D:PORT" (port 1..65535), the way commands name a NAT64 port.
 * 0 or -1. */
int ctl_parse_v4port(const char *s, uint32_t *addr, uint16_t *port);
/* The value of option key, or NULL. */
const char *ctl_opt(const struct ctl_req *r, const char *key);

/* A growing answer in memory (the server's output buffer). */
struct ctl_out {
	char *p;
	size_t len, cap, max;		/* max: hard cap; beyond it, err */
	bool err;
};

void ctl_out_init(struct ctl_out *o, size_t max);
void ctl_out_free(struct ctl_out *o);
void ctl_put_raw(struct ctl_out *o, const char *s, size_t n);
void ctl_put_error(struct ctl_out *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* "cols ..." from a space-separated list of NAME:T. */
void ctl_put_cols(struct ctl_out *o, const char *cols);
/* One row of n values. */
void ctl_put_row(struct ctl_out *o, const char *const *vals, int n);
void ctl_put_note(struct ctl_out *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void ctl_put_end(struct ctl_out *o, unsigned long rows);
void ctl_put_more(struct ctl_out *o, const char *cursor);

/* The client's view of one answer line. */
enum ctl_line { CTL_L_ERROR, CTL_L_COLS, CTL_L_ROW, CTL_L_NOTE, CTL_L_END, CTL_L_MORE, CTL_L_BAD };

/* Classify a line (without '\n'); *rest points after the keyword and its
 * space. For CTL_L_ROW and CTL_L_COLS, ctl_split() cuts rest in place. */
enum ctl_line ctl_answer_line(char *line, char **rest);
/* Split s in place at sep; up to max fields. Returns the count. */
int ctl_split(char *s, char sep, char **fields, int max);

#endif
