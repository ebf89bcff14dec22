/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* rtab.h — the control programs' output (nat64-handoffctl, nat64ctl): a
 * table of named, typed columns printed as aligned text for people or as
 * JSON for scripts. Every command's output goes through here. A long
 * table can be printed in blocks (rt_print_text_rows, rt_print_json_rows,
 * then rt_clear) so that the client holds one block at a time. */
#ifndef NK_RTAB_H
#define NK_RTAB_H

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

/* The rows only (text: with the header line if header), for a table
 * printed in blocks; JSON: the objects, after a comma unless first. */
void rt_print_text_rows(const struct rtab *t, bool header, FILE *f);
void rt_print_json_rows(const struct rtab *t, bool first, FILE *f);
/* Forget the rows (the columns and notes stay). */
void rt_clear(struct rtab *t);

/* JSON string with escapes. */
void rt_json_str(FILE *f, const char *s);

#endif
