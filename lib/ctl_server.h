/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* ctl_server.h — a daemon's control socket: a local Unix stream socket
 * (no network listener) whose access is the socket file's mode and group,
 * like unbound-control's local socket. Requests and answers are the text
 * lines of lib/ctl_wire.h; what a request does is the daemon's serve
 * function (usually ctl_run() over its table, lib/ctl_cmd.h).
 *
 * Every connection is non-blocking with bounded buffers: a request line
 * of at most CTL_LINE_MAX octets (a longer one is answered "error command
 * longer than ..." and skipped), an output buffer of at most out_max
 * octets, at most CTLS_MAX_CONNS clients (more are answered "error busy"
 * and closed), and a client that neither sends nor reads for
 * CTLS_IDLE_MS is dropped. One answer is written before the next request
 * is read. A long answer (cur->more) is made in steps whenever less than
 * CTLS_OUT_LOW octets wait to be written, so neither a large table nor a
 * client that does not read holds more than out_max in memory or the
 * daemon's loop for longer than one step; a step that overflows the
 * buffer drops the client (counted as overflows). The packet path never
 * waits for a client.
 *
 * Nothing here logs: the counters say what happened.
 */
#ifndef NK_CTL_SERVER_H
#define NK_CTL_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "clock.h"
#include "ctl_cmd.h"
#include "evloop.h"

#define CTLS_MAX_CONNS	32
#define CTLS_IDLE_MS	10000
#define CTLS_OUT_LOW	(64u * 1024)

struct ctls;

/* What the socket saw; a daemon shows them as control_<name>. commands
 * and errors are the serve function's to count. */
struct ctls_counters {
	uint64_t accepted, refused_busy, commands, errors, oversized, timeouts, overflows;
};

/* Answer one request line into o; set cur->more for a long answer. */
typedef void ctls_serve_fn(void *arg, const char *line, size_t len, struct ctl_out *o,
    struct ctl_cursor *cur, const struct clk_now *now);

/* Create the socket at path (replacing a stale one; refusing if a server
 * answers there) with permission bits mode, owned by user (if not "" and
 * we are root) and group (if not ""), creating its directory if missing.
 * Called before privileges are dropped. NULL with err on failure. */
struct ctls *ctls_open(const char *path, unsigned mode, const char *user, const char *group,
    char *err, size_t errlen);
/* Serve on loop: fn(arg, ...) answers, c counts. out_max >= 2 * CTLS_OUT_LOW. */
int ctls_attach(struct ctls *s, struct ev_loop *loop, ctls_serve_fn *fn, void *arg,
    size_t out_max, struct ctls_counters *c, const struct clk_now *now);
/* Close every connection and remove the socket file. */
void ctls_close(struct ctls *s);
/* Connections open now. */
unsigned ctls_nconns(const struct ctls *s);

#endif
