/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* ctl_client.h — the client side of a control socket (lib/ctl_wire.h):
 * connect to the daemon's Unix socket, send one request, hand each line
 * of its answer to a sink as it arrives (nothing is collected here, so a
 * long answer costs the client what its sink keeps). Used by
 * nat64-handoffctl and nat64ctl. */
#ifndef NK_CTL_CLIENT_H
#define NK_CTL_CLIENT_H

#include <stddef.h>
#include <stdio.h>

/* What an answer's lines go to; any callback may be NULL. A row has as
 * many values as the cols line has names (checked here). */
struct ctlc_sink {
	void (*cols)(void *arg, const char *cols);
	void (*row)(void *arg, const char *const *vals, int n);
	void (*note)(void *arg, const char *text);
	void *arg;
};

enum ctlc_result {
	CTLC_OK = 0,		/* "end N" or "more CURSOR" */
	CTLC_REFUSED,		/* "error MESSAGE": msg holds MESSAGE */
	CTLC_BROKEN,		/* a malformed line, or the connection ended early: msg says */
};

/* Connect (answers time out after timeout_s). NULL with errno set. */
FILE *ctlc_connect(const char *path, int timeout_s);
/* Send req (one line, without '\n') on f and read its answer into sink;
 * more gets the cursor of "more CURSOR" ("" after "end"). */
enum ctlc_result ctlc_request(FILE *f, const char *req, const struct ctlc_sink *sink,
    char *more, size_t morelen, char *msg, size_t msglen);

#endif
