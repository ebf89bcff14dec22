/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* control.h — nat64-handoffd's control socket: a local Unix stream
 * socket (no network listener) whose access is the socket file's mode
 * and group, like unbound-control's local socket. Requests and answers
 * are the text lines of lib/ctl_wire.h; the commands are a table in
 * control.c (lookup, lookup-client, channels, stats, show, help).
 *
 * Every connection is non-blocking with bounded buffers: a request line
 * of at most CTL_LINE_MAX octets, one answer of at most CTL_OUT_MAX
 * octets (large tables come in pages), at most CTL_MAX_CONNS clients, and
 * a client that neither sends nor reads for CTL_IDLE_MS is dropped. A
 * slow or dead client therefore never blocks the server. Malformed and
 * oversized requests are answered with "error ..." and counted; the
 * connection keeps working.
 */
#ifndef NK_CONTROL_H
#define NK_CONTROL_H

#include <stddef.h>
#include <stdint.h>

#include "clock.h"
#include "evloop.h"
#include "server.h"

#define CTL_MAX_CONNS	32
#define CTL_OUT_MAX	(1u << 20)
#define CTL_IDLE_MS	10000
#define CTL_PAGE_DEFAULT 1000
#define CTL_PAGE_MAX	5000

struct ctl_server;

/* Counters, in "stats" as control_<name>. */
struct ctl_counters {
	uint64_t accepted, refused_busy, commands, errors, oversized, timeouts;
};

/* Create the socket at path (replacing a stale one; refusing if a server
 * answers there) with permission bits mode, owned by user (if not "")
 * and group (if not ""), creating its directory if missing. Called
 * before privileges are dropped. NULL with err on failure. */
struct ctl_server *ctl_open(const char *path, unsigned mode, const char *user,
    const char *group, char *err, size_t errlen);
/* Serve on loop: the registry and counters of srv. */
int ctl_attach(struct ctl_server *cs, struct ev_loop *loop, struct srv_ctx *srv,
    const struct clk_now *now);
/* Close every connection and remove the socket file. */
void ctl_close(struct ctl_server *cs);

/* Run one request line against srv into out (tests and the fuzz target
 * call it without a socket). */
struct ctl_out;
void ctl_dispatch(struct ctl_server *cs, struct srv_ctx *srv, const char *line, size_t len,
    struct ctl_out *out, const struct clk_now *now);
/* A server without a socket, for ctl_dispatch alone. */
struct ctl_server *ctl_create_detached(void);

#endif
