/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* hd_strv.h — a NULL-terminated list of owned strings (prefix sets, command
 * lines), shared by apply, core, persist and notify. */
#ifndef HD_STRV_H
#define HD_STRV_H

#include <stdbool.h>
#include <stddef.h>

struct hd_strv {
	char **v;	/* v[n] == NULL (or v == NULL when empty) */
	size_t n;
};

void hd_strv_free(struct hd_strv *s);
/* Replace the contents with copies of v[0..n). */
void hd_strv_set(struct hd_strv *s, char *const v[], size_t n);
void hd_strv_add(struct hd_strv *s, const char *str);
/* Append the blank-separated words of text. */
void hd_strv_split(struct hd_strv *s, const char *text);
bool hd_strv_eq(const struct hd_strv *a, char *const v[], size_t n);

#endif
