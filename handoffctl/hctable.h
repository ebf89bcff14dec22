/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* hctable.h — nat64-handoffctl's output: a table of named, typed columns
 * printed as aligned text for people or as JSON for scripts. Every
 * command's output goes through here. */
#ifndef NK_HCTABLE_H
#define NK_HCTABLE_H

#include <stdbool.h>
#include <stdio.h>

struct rtab;

/* cols: "name:T name:T ..." with T s (text) or n (number). */
struct rtab *rt_create(const char *cols);
void rt_destroy(struct rtab *t);
int  rt_ncols(const struct rtab *t);
/* Append a row of rt_ncols() values ("" = none); copies them. */
void rt_add(struct rtab *t, const char *const *vals);
size_t rt_rows(const struct rtab *t);
/* The value in row r, column c ("" if none). */
const char *rt_cell(const struct rtab *t, size_t r, int c);
void rt_note(struct rtab *t, const char *note);
/* Aligned columns under a header; "-" for no value; notes after. */
void rt_print_text(const struct rtab *t, FILE *f);
/* A JSON array of objects (as_object: a two-column name/value table as
 * one object); notes go to note_f. */
void rt_print_json(const struct rtab *t, bool as_object, FILE *f, FILE *note_f);

/* JSON string with escapes. */
void rt_json_str(FILE *f, const char *s);

#endif
