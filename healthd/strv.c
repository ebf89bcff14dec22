/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* strv.c — see hd_strv.h. */
#include "hd_strv.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

void
hd_strv_free(struct hd_strv *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

void
hd_strv_set(struct hd_strv *s, char *const v[], size_t n)
{
	size_t i;

	hd_strv_free(s);
	s->v = xcalloc(n + 1, sizeof(*s->v));
	for (i = 0; i < n; i++)
		s->v[i] = xstrdup(v[i]);
	s->n = n;
}

void
hd_strv_add(struct hd_strv *s, const char *str)
{
	s->v = xreallocarray(s->v, s->n + 2, sizeof(*s->v));
	s->v[s->n++] = xstrdup(str);
	s->v[s->n] = NULL;
}

void
hd_strv_split(struct hd_strv *s, const char *text)
{
	char *dup = xstrdup(text), *tok, *save = NULL;

	for (tok = strtok_r(dup, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save))
		hd_strv_add(s, tok);
	free(dup);
}

bool
hd_strv_eq(const struct hd_strv *a, char *const v[], size_t n)
{
	size_t i;

	if (a->n != n)
		return false;
	for (i = 0; i < n; i++)
		if (strcmp(a->v[i], v[i]) != 0)
			return false;
	return true;
}
