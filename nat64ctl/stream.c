/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* stream.c — nat64ctl's output, printed as the answer arrives; see nc.h. */
#include "nc.h"
#include "rtab.h"
#include "xalloc.h"

#include <stdlib.h>

struct nc_stream {
	struct ctlc_sink sink;
	struct rtab *t;			/* the block held */
	bool json, as_object, started;
	unsigned long rows;
	FILE *out, *notes;
};

static void
nc_flush(struct nc_stream *s)
{
	if (s->t == NULL || rt_rows(s->t) == 0)
		return;
	if (s->json) {
		if (!s->started)
			fputc('[', s->out);
		rt_print_json_rows(s->t, !s->started, s->out);
	} else
		rt_print_text_rows(s->t, !s->started, s->out);
	s->started = true;
	rt_clear(s->t);
}

static void
nc_cols(void *arg, const char *cols)
{
	struct nc_stream *s = arg;

	if (s->t == NULL)
		s->t = rt_create(cols);
}

static void
nc_row(void *arg, const char *const *vals, int n)
{
	struct nc_stream *s = arg;

	if (s->t == NULL || n != rt_ncols(s->t))
		return;
	rt_add(s->t, vals);
	s->rows++;
	if (!s->as_object && rt_rows(s->t) >= NC_BLOCK_ROWS)
		nc_flush(s);
}

static void
nc_note(void *arg, const char *text)
{
	struct nc_stream *s = arg;

	if (!s->json)
		nc_flush(s);	/* after the rows it speaks of */
	fprintf(s->json ? s->notes : s->out, "%s\n", text);
}

struct nc_stream *
nc_stream_new(bool json, bool as_object, FILE *out, FILE *notes)
{
	struct nc_stream *s = xcalloc(1, sizeof(*s));

	s->sink = (struct ctlc_sink){ nc_cols, nc_row, nc_note, s };
	s->json = json;
	s->as_object = as_object;
	s->out = out;
	s->notes = notes;
	return s;
}

const struct ctlc_sink *
nc_stream_sink(struct nc_stream *s)
{
	return &s->sink;
}

unsigned long
nc_stream_finish(struct nc_stream *s)
{
	if (s->json && s->as_object && s->t)
		rt_print_json(s->t, true, s->out, s->notes);
	else {
		nc_flush(s);
		if (s->json)
			fputs(s->started ? "]\n" : "[]\n", s->out);
	}
	fflush(s->out);
	return s->rows;
}

void
nc_stream_free(struct nc_stream *s)
{
	if (s == NULL)
		return;
	rt_destroy(s->t);
	free(s);
}
