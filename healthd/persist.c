/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* persist.c — see hd_persist.h. */
#include "hd_persist.h"
#include "addr.h"
#include "atomicfile.h"
#include "hd_prefixfile.h"
#include "xalloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HD_PERSIST_MAXFILE	(256 * 1024)

void
hd_saved_free(struct hd_saved *s)
{
	hd_strv_free(&s->want);
	hd_strv_free(&s->applied);
	hd_strv_free(&s->up);
}

/* A prefix exactly as hd_pf_fmt() writes it, acceptable to the prefix
 * file: anything else means the file was not written by us. */
static int
hd_persist_prefix_ok(const char *tok)
{
	struct hd_prefix p;
	char b[HD_PF_STRLEN];
	bool ula;

	memset(&p, 0, sizeof(p));
	if (strlen(tok) >= HD_PF_STRLEN || addr_parse_prefix6(tok, -1, p.a, &p.len) == -1 ||
	    p.len < 0 || addr_nat64_scope(p.a, p.len, &ula) != NULL ||
	    addr_rfc6052_check(p.a, p.len) != NULL)
		return 0;
	return strcmp(hd_pf_fmt(&p, b, sizeof(b)), tok) == 0;
}

int
hd_persist_parse(const char *name, const char *text, size_t len, struct hd_saved *out,
    char *err, size_t errlen)
{
	size_t pos = 0, m = strlen(HD_PERSIST_MAGIC);
	unsigned lineno = 0;
	bool seen_want = false, seen_applied = false;
	char *buf = NULL;

	memset(out, 0, sizeof(*out));
	if (memchr(text, '\0', len) != NULL) {
		snprintf(err, errlen, "%s: NUL byte: not a state file", name);
		return -1;
	}
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;
		char *line, *tok, *save = NULL, *kw;
		struct hd_strv *l;

		lineno++;
		free(buf);
		buf = line = xmalloc(n + 1);
		memcpy(line, text + pos, n);
		line[n] = '\0';
		pos += n + (nl ? 1 : 0);
		if (lineno == 1) {
			if (n != m || memcmp(line, HD_PERSIST_MAGIC, m) != 0) {
				snprintf(err, errlen, "%s:1: not a nat64-healthd selection file "
				    "(version 1)", name);
				goto fail;
			}
			continue;
		}
		if ((kw = strtok_r(line, " ", &save)) == NULL)
			continue;
		if (strcmp(kw, "want") == 0 && !seen_want) {
			l = &out->want;
			seen_want = true;
		} else if (strcmp(kw, "applied") == 0 && !seen_applied) {
			l = &out->applied;
			seen_applied = true;
		} else if (strcmp(kw, "up") == 0)
			l = &out->up;
		else {
			snprintf(err, errlen, "%s:%u: unexpected '%.32s'", name, lineno, kw);
			goto fail;
		}
		while ((tok = strtok_r(NULL, " ", &save)) != NULL) {
			if (!hd_persist_prefix_ok(tok)) {
				snprintf(err, errlen, "%s:%u: '%.60s' is not a NAT64 prefix", name,
				    lineno, tok);
				goto fail;
			}
			if (l->n >= HD_PF_MAX) {
				snprintf(err, errlen, "%s:%u: too many prefixes", name, lineno);
				goto fail;
			}
			hd_strv_add(l, tok);
		}
	}
	if (lineno == 0) {
		snprintf(err, errlen, "%s: empty", name);
		goto fail;
	}
	free(buf);
	return 0;
fail:
	free(buf);
	hd_saved_free(out);
	return -1;
}

int
hd_persist_load(const char *path, struct hd_saved *out, char *err, size_t errlen)
{
	unsigned char *text;
	size_t len;
	int rc;

	memset(out, 0, sizeof(*out));
	if (afile_slurp(path, HD_PERSIST_MAXFILE, &text, &len) == -1) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	rc = hd_persist_parse(path, (const char *)text, len, out, err, errlen);
	free(text);
	return rc;
}

static void
hd_persist_line(struct afile *af, const char *kw, const struct hd_strv *l)
{
	size_t i;

	afile_printf(af, "%s", kw);
	for (i = 0; i < l->n; i++)
		afile_printf(af, " %s", l->v[i]);
	afile_printf(af, "\n");
}

int
hd_persist_save(const char *path, const struct hd_saved *s, char *err, size_t errlen)
{
	struct afile *af;
	size_t i;

	if ((af = afile_begin(path, 0644, err, errlen)) == NULL)
		return -1;
	afile_printf(af, "%s\n", HD_PERSIST_MAGIC);
	hd_persist_line(af, "want", &s->want);
	hd_persist_line(af, "applied", &s->applied);
	for (i = 0; i < s->up.n; i++)
		afile_printf(af, "up %s\n", s->up.v[i]);
	return afile_commit(af, err, errlen);
}
