/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* ctl_wire.c — see ctl_wire.h. */
#include "ctl_wire.h"
#include "addr.h"
#include "xalloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int
ctl_word(const char *w, size_t n, char dst[CTL_WORD_MAX], char *err, size_t errlen)
{
	if (n >= CTL_WORD_MAX) {
		snprintf(err, errlen, "word of %zu octets (at most %d)", n, CTL_WORD_MAX - 1);
		return -1;
	}
	memcpy(dst, w, n);
	dst[n] = '\0';
	return 0;
}

int
ctl_parse_request(const char *line, size_t len, struct ctl_req *r, char *err, size_t errlen)
{
	size_t i = 0, start, n;
	int words = 0;

	memset(r, 0, sizeof(*r));
	if (len >= CTL_LINE_MAX) {
		snprintf(err, errlen, "command longer than %d octets", CTL_LINE_MAX - 1);
		return -1;
	}
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)line[i];

		if (c == '\r' && i + 1 == len)
			break;		/* tolerate CRLF */
		if ((c < 0x20 && c != '\t') || c > 0x7e) {
			snprintf(err, errlen, "octet 0x%02x at %zu: commands are printable ASCII", c, i);
			return -1;
		}
	}
	len = i;
	i = 0;
	for (;;) {
		const char *eq;

		while (i < len && (line[i] == ' ' || line[i] == '\t'))
			i++;
		if (i == len)
			break;
		start = i;
		while (i < len && line[i] != ' ' && line[i] != '\t')
			i++;
		n = i - start;
		if (words == 0) {
			if (ctl_word(line + start, n, r->cmd, err, errlen) == -1)
				return -1;
		} else if (words > CTL_MAX_ARGS) {
			snprintf(err, errlen, "more than %d arguments", CTL_MAX_ARGS);
			return -1;
		} else if ((eq = memchr(line + start, '=', n)) != NULL) {
			size_t kn = (size_t)(eq - (line + start));

			if (kn == 0) {
				snprintf(err, errlen, "option without a name");
				return -1;
			}
			if (r->nopt >= CTL_MAX_ARGS ||
			    ctl_word(line + start, kn, r->key[r->nopt], err, errlen) == -1 ||
			    ctl_word(eq + 1, n - kn - 1, r->val[r->nopt], err, errlen) == -1)
				return -1;
			if (ctl_opt(r, r->key[r->nopt]) != r->val[r->nopt]) {
				snprintf(err, errlen, "option '%s' given twice", r->key[r->nopt]);
				return -1;
			}
			r->nopt++;
		} else {
			if (ctl_word(line + start, n, r->pos[r->npos], err, errlen) == -1)
				return -1;
			r->npos++;
		}
		words++;
	}
	if (words == 0) {
		snprintf(err, errlen, "empty command");
		return -1;
	}
	return 0;
}

int
ctl_parse_v4port(const char *s, uint32_t *addr, uint16_t *port)
{
	char tmp[CTL_WORD_MAX], *colon, *end;
	unsigned long p;

	if (strlen(s) >= sizeof(tmp))
		return -1;
	memcpy(tmp, s, strlen(s) + 1);
	if ((colon = strrchr(tmp, ':')) == NULL)
		return -1;
	*colon = '\0';
	if (addr_parse4(tmp, addr) == -1 || colon[1] < '0' || colon[1] > '9')
		return -1;
	p = strtoul(colon + 1, &end, 10);
	if (*end != '\0' || p == 0 || p > 65535)
		return -1;
	*port = (uint16_t)p;
	return 0;
}

const char *
ctl_opt(const struct ctl_req *r, const char *key)
{
	int i;

	for (i = 0; i <= r->nopt && i < CTL_MAX_ARGS; i++)
		if (r->key[i][0] && strcmp(r->key[i], key) == 0)
			return r->val[i];
	return NULL;
}

void
ctl_out_init(struct ctl_out *o, size_t max)
{
	memset(o, 0, sizeof(*o));
	o->max = max;
}

void
ctl_out_free(struct ctl_out *o)
{
	free(o->p);
	memset(o, 0, sizeof(*o));
}

void
ctl_put_raw(struct ctl_out *o, const char *s, size_t n)
{
	if (o->err || n == 0)
		return;
	if (o->len + n > o->max) {
		o->err = true;
		return;
	}
	if (o->len + n > o->cap) {
		size_t cap = o->cap ? o->cap : 4096;

		while (cap < o->len + n)
			cap *= 2;
		if (cap > o->max)
			cap = o->max;
		o->p = xreallocarray(o->p, cap, 1);
		o->cap = cap;
	}
	memcpy(o->p + o->len, s, n);
	o->len += n;
}

static void
ctl_put_fmt(struct ctl_out *o, const char *kw, const char *fmt, va_list ap)
{
	char text[CTL_LINE_MAX * 2];
	int n = vsnprintf(text, sizeof(text), fmt, ap);
	size_t i;

	if (n < 0)
		return;
	if ((size_t)n >= sizeof(text))
		n = (int)sizeof(text) - 1;
	for (i = 0; i < (size_t)n; i++)
		if (text[i] == '\n' || text[i] == '\t')
			text[i] = ' ';
	ctl_put_raw(o, kw, strlen(kw));
	ctl_put_raw(o, text, (size_t)n);
	ctl_put_raw(o, "\n", 1);
}

void
ctl_put_error(struct ctl_out *o, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ctl_put_fmt(o, "error ", fmt, ap);
	va_end(ap);
}

void
ctl_put_note(struct ctl_out *o, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ctl_put_fmt(o, "note ", fmt, ap);
	va_end(ap);
}

void
ctl_put_cols(struct ctl_out *o, const char *cols)
{
	ctl_put_raw(o, "cols ", 5);
	ctl_put_raw(o, cols, strlen(cols));
	ctl_put_raw(o, "\n", 1);
}

void
ctl_put_row(struct ctl_out *o, const char *const *vals, int n)
{
	int i;

	ctl_put_raw(o, "row ", 4);
	for (i = 0; i < n; i++) {
		if (i)
			ctl_put_raw(o, "\t", 1);
		ctl_put_raw(o, vals[i], strlen(vals[i]));
	}
	ctl_put_raw(o, "\n", 1);
}

void
ctl_put_end(struct ctl_out *o, unsigned long rows)
{
	char b[40];
	int n = snprintf(b, sizeof(b), "end %lu\n", rows);

	ctl_put_raw(o, b, (size_t)n);
}

void
ctl_put_more(struct ctl_out *o, const char *cursor)
{
	ctl_put_raw(o, "more ", 5);
	ctl_put_raw(o, cursor, strlen(cursor));
	ctl_put_raw(o, "\n", 1);
}

enum ctl_line
ctl_answer_line(char *line, char **rest)
{
	static const struct { const char *kw; enum ctl_line t; } kws[] = {
		{ "error", CTL_L_ERROR }, { "cols", CTL_L_COLS }, { "row", CTL_L_ROW },
		{ "note", CTL_L_NOTE }, { "end", CTL_L_END }, { "more", CTL_L_MORE },
	};
	size_t i, n;

	for (i = 0; i < sizeof(kws) / sizeof(kws[0]); i++) {
		n = strlen(kws[i].kw);
		if (strncmp(line, kws[i].kw, n) == 0 && (line[n] == ' ' || line[n] == '\0')) {
			*rest = line + n + (line[n] == ' ');
			return kws[i].t;
		}
	}
	*rest = line;
	return CTL_L_BAD;
}

int
ctl_split(char *s, char sep, char **fields, int max)
{
	int n = 0;

	if (max <= 0)
		return 0;
	fields[n++] = s;
	for (; *s; s++)
		if (*s == sep) {
			*s = '\0';
			if (n == max)
				return -1;
			fields[n++] = s + 1;
		}
	return n;
}
