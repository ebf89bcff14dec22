/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* rtab.c — see rtab.h. */
#include "rtab.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

#define RT_MAX_COLS 64

struct rtab {
	int ncols;
	char *name[RT_MAX_COLS];
	bool num[RT_MAX_COLS];
	char **cells;			/* rows * ncols */
	size_t rows, cap;
	char **notes;
	size_t nnotes;
};

struct rtab *
rt_create(const char *cols)
{
	struct rtab *t = xcalloc(1, sizeof(*t));
	char *copy = xstrdup(cols), *tok, *save = NULL;

	for (tok = strtok_r(copy, " ", &save); tok && t->ncols < RT_MAX_COLS;
	    tok = strtok_r(NULL, " ", &save)) {
		char *colon = strrchr(tok, ':');

		t->num[t->ncols] = colon && strcmp(colon, ":n") == 0;
		if (colon)
			*colon = '\0';
		t->name[t->ncols++] = xstrdup(tok);
	}
	free(copy);
	return t;
}

void
rt_destroy(struct rtab *t)
{
	size_t i;
	int c;

	if (t == NULL)
		return;
	for (i = 0; i < t->rows * (size_t)t->ncols; i++)
		free(t->cells[i]);
	for (c = 0; c < t->ncols; c++)
		free(t->name[c]);
	for (i = 0; i < t->nnotes; i++)
		free(t->notes[i]);
	free(t->cells);
	free(t->notes);
	free(t);
}

int
rt_ncols(const struct rtab *t)
{
	return t->ncols;
}

size_t
rt_rows(const struct rtab *t)
{
	return t->rows;
}

const char *
rt_cell(const struct rtab *t, size_t r, int c)
{
	return r < t->rows && c >= 0 && c < t->ncols ? t->cells[r * (size_t)t->ncols + (size_t)c] : "";
}

void
rt_add(struct rtab *t, const char *const *vals)
{
	int c;

	if (t->rows == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 64;
		t->cells = xreallocarray(t->cells, t->cap * (size_t)(t->ncols ? t->ncols : 1),
		    sizeof(char *));
	}
	for (c = 0; c < t->ncols; c++)
		t->cells[t->rows * (size_t)t->ncols + (size_t)c] = xstrdup(vals[c] ? vals[c] : "");
	t->rows++;
}

void
rt_note(struct rtab *t, const char *note)
{
	t->notes = xreallocarray(t->notes, t->nnotes + 1, sizeof(char *));
	t->notes[t->nnotes++] = xstrdup(note);
}

void
rt_print_text_rows(const struct rtab *t, bool header, FILE *f)
{
	size_t w[RT_MAX_COLS], r, n;
	int c;

	if (t->ncols == 0 || t->rows == 0)
		return;
	for (c = 0; c < t->ncols; c++)
		w[c] = header ? strlen(t->name[c]) : 1;
	for (r = 0; r < t->rows; r++)
		for (c = 0; c < t->ncols; c++) {
			const char *v = t->cells[r * (size_t)t->ncols + (size_t)c];

			n = v[0] ? strlen(v) : 1;
			if (n > w[c])
				w[c] = n;
		}
	if (!header)	/* a later block: at least as wide as the header */
		for (c = 0; c < t->ncols; c++)
			if (strlen(t->name[c]) > w[c])
				w[c] = strlen(t->name[c]);
	if (header)
		for (c = 0; c < t->ncols; c++) {
			if (c + 1 < t->ncols)
				fprintf(f, t->num[c] ? "%*s  " : "%-*s  ", (int)w[c], t->name[c]);
			else
				fprintf(f, "%s\n", t->name[c]);
		}
	for (r = 0; r < t->rows; r++)
		for (c = 0; c < t->ncols; c++) {
			const char *v = t->cells[r * (size_t)t->ncols + (size_t)c];

			if (!v[0])
				v = "-";
			if (c + 1 == t->ncols)
				fprintf(f, "%s\n", v);
			else if (t->num[c])
				fprintf(f, "%*s  ", (int)w[c], v);
			else
				fprintf(f, "%-*s  ", (int)w[c], v);
		}
}

void
rt_print_text(const struct rtab *t, FILE *f)
{
	size_t r;

	rt_print_text_rows(t, true, f);
	for (r = 0; r < t->nnotes; r++)
		fprintf(f, "%s\n", t->notes[r]);
}

void
rt_clear(struct rtab *t)
{
	size_t i;

	for (i = 0; i < t->rows * (size_t)t->ncols; i++)
		free(t->cells[i]);
	t->rows = 0;
}

void
rt_json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch < 0x20)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

static void
rt_json_val(FILE *f, const char *v, bool num)
{
	if (!v[0])
		fputs("null", f);
	else if (num)
		fputs(v, f);
	else
		rt_json_str(f, v);
}

void
rt_print_json(const struct rtab *t, bool as_object, FILE *f, FILE *note_f)
{
	size_t r;

	if (as_object && t->ncols == 2) {
		fputc('{', f);
		for (r = 0; r < t->rows; r++) {
			if (r)
				fputc(',', f);
			rt_json_str(f, t->cells[r * 2]);
			fputc(':', f);
			rt_json_val(f, t->cells[r * 2 + 1], t->num[1]);
		}
		fputs("}\n", f);
	} else {
		fputc('[', f);
		rt_print_json_rows(t, true, f);
		fputs("]\n", f);
	}
	for (r = 0; r < t->nnotes; r++)
		fprintf(note_f, "%s\n", t->notes[r]);
}

void
rt_print_json_rows(const struct rtab *t, bool first, FILE *f)
{
	size_t r;
	int c;

	for (r = 0; r < t->rows; r++) {
		fputs(r || !first ? ",\n {" : "{", f);
		for (c = 0; c < t->ncols; c++) {
			if (c)
				fputc(',', f);
			rt_json_str(f, t->name[c]);
			fputc(':', f);
			rt_json_val(f, t->cells[r * (size_t)t->ncols + (size_t)c], t->num[c]);
		}
		fputc('}', f);
	}
}
