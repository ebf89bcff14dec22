/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* prefixfile.c — see hd_prefixfile.h. */
#include "hd_prefixfile.h"
#include "addr.h"
#include "rdfile.h"
#include "xalloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HD_PF_MAXLINE	256

static int
hd_pf_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

int
hd_pf_equal(const struct hd_prefix *a, const struct hd_prefix *b)
{
	return a->len == b->len && memcmp(a->a, b->a, 16) == 0;
}

/* Does one prefix hold the other (their shorter length's bits agree)? */
static int
hd_pf_overlap(const struct hd_prefix *a, const struct hd_prefix *b)
{
	int m = a->len < b->len ? a->len : b->len, bit;

	for (bit = 0; bit < m; bit++)
		if ((a->a[bit / 8] ^ b->a[bit / 8]) & (0x80 >> (bit % 8)))
			return 0;
	return 1;
}

int
hd_pf_parse(const char *name, const char *text, size_t len, struct hd_pflist *out,
    char *err, size_t errlen)
{
	size_t pos = 0, cap = 0, i;
	unsigned lineno = 0;
	struct hd_pflist l = { NULL, 0 };

	while (pos < len) {
		char line[HD_PF_MAXLINE + 1], *k, *end, *rest;
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;
		struct hd_prefix p;
		const char *why;

		lineno++;
		if (n > HD_PF_MAXLINE) {
			snprintf(err, errlen, "%s:%u: line longer than %d characters", name, lineno,
			    HD_PF_MAXLINE);
			goto fail;
		}
		memcpy(line, text + pos, n);
		line[n] = '\0';
		pos += n + (nl ? 1 : 0);
		if (memchr(line, '\0', n) != NULL) {
			snprintf(err, errlen, "%s:%u: NUL byte in line", name, lineno);
			goto fail;
		}
		if ((k = strchr(line, '#')) != NULL)
			*k = '\0';
		for (k = line; hd_pf_blank(*k); k++)
			;
		end = k + strlen(k);
		while (end > k && hd_pf_blank(end[-1]))
			*--end = '\0';
		if (*k == '\0')
			continue;
		for (rest = k; *rest && !hd_pf_blank(*rest); rest++)
			;
		if (*rest) {
			*rest = '\0';
			snprintf(err, errlen, "%s:%u: one prefix per line, found more after '%s'",
			    name, lineno, k);
			goto fail;
		}
		memset(&p, 0, sizeof(p));
		if (addr_parse_prefix6(k, 96, p.a, &p.len) == -1) {
			snprintf(err, errlen, "%s:%u: '%s' is not an IPv6 prefix", name, lineno, k);
			goto fail;
		}
		if ((why = addr_nat64_scope(p.a, p.len, &p.ula)) != NULL ||
		    (why = addr_rfc6052_check(p.a, p.len)) != NULL) {
			snprintf(err, errlen, "%s:%u: %s: %s", name, lineno, k, why);
			goto fail;
		}
		p.line = lineno;
		for (i = 0; i < l.n; i++)
			if (hd_pf_equal(&l.v[i], &p)) {
				snprintf(err, errlen, "%s:%u: %s duplicates line %u", name, lineno, k,
				    l.v[i].line);
				goto fail;
			} else if (hd_pf_overlap(&l.v[i], &p)) {
				char b[HD_PF_STRLEN];

				snprintf(err, errlen, "%s:%u: %s overlaps %s (line %u): one NAT64's "
				    "addresses would be the other's", name, lineno, k,
				    hd_pf_fmt(&l.v[i], b, sizeof(b)), l.v[i].line);
				goto fail;
			}
		if (l.n == HD_PF_MAX) {
			snprintf(err, errlen, "%s:%u: more than %d prefixes", name, lineno, HD_PF_MAX);
			goto fail;
		}
		if (l.n == cap) {
			cap = cap ? cap * 2 : 8;
			l.v = xreallocarray(l.v, cap, sizeof(*l.v));
		}
		l.v[l.n++] = p;
	}
	if (l.n == 0) {
		snprintf(err, errlen, "%s: no prefixes", name);
		goto fail;
	}
	*out = l;
	return 0;
fail:
	free(l.v);
	return -1;
}

int
hd_pf_load(const char *path, struct hd_pflist *out, char *err, size_t errlen)
{
	unsigned char *text;
	size_t len;
	int rc;

	if (rf_slurp(path, 0, HD_PF_MAXFILE, &text, &len, err, errlen) == -1)
		return -1;
	rc = hd_pf_parse(path, (const char *)text, len, out, err, errlen);
	free(text);
	return rc;
}

void
hd_pf_free(struct hd_pflist *l)
{
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

char *
hd_pf_fmt(const struct hd_prefix *p, char *buf, size_t len)
{
	char a[ADDR_STRLEN];

	snprintf(buf, len, "%s/%d", addr_fmt6(p->a, a, sizeof(a)), p->len);
	return buf;
}
