/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* nc.h — nat64ctl, the control program of nat64d: its command line
 * (opts.c) and its output, streamed in blocks (stream.c). */
#ifndef NC_H
#define NC_H

#include <stdbool.h>
#include <stdio.h>

#include "conf.h"
#include "ctl_client.h"

/* Exit codes (nat64ctl(8), EXIT STATUS). */
enum {
	NC_OK = 0,		/* done; found */
	NC_NOTFOUND = 1,	/* lookup: nobody holds it; a filter matched nothing */
	NC_USAGE = 2,		/* bad command line */
	NC_NOSOCKET = 3,	/* control socket missing, access refused, nat64d not answering */
	NC_REFUSED = 4,		/* nat64d answered with an error, or garbage */
	NC_CONFIG = 5,		/* nat64d's configuration unreadable */
};

#define NC_DEFAULT_CONFIG	"/etc/nat64d.conf"
#define NC_BLOCK_ROWS		1000	/* rows held and aligned together */

/* The command line (lib/conf.h): options anywhere, then COMMAND ARGS. */
struct nc_cli {
	char socket[108];
	char proto[16], addr[64], port[16], limit[16];
	bool json;
};

extern const struct conf_table nc_table;

/* An answer printed as it arrives: aligned text (blocks of NC_BLOCK_ROWS
 * rows, aligned within each block) or one JSON array (a two-column
 * name/value table as one object, if as_object). */
struct nc_stream;
struct nc_stream *nc_stream_new(bool json, bool as_object, FILE *out, FILE *notes);
/* The sink to give ctlc_request(). */
const struct ctlc_sink *nc_stream_sink(struct nc_stream *s);
/* Print what is held, close the JSON; returns the rows printed. */
unsigned long nc_stream_finish(struct nc_stream *s);
void nc_stream_free(struct nc_stream *s);

#endif
