/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* ho_control.h — nat64-handoffd's control socket (lib/ctl_server.h: a local
 * Unix stream socket, access by the file's mode and group, bounded
 * non-blocking connections). Requests and answers are the text lines of
 * lib/ctl_wire.h; the commands are a table in control.c (lookup,
 * lookup-client, channels, stats, show, help).
 *
 * One answer is at most CTL_OUT_MAX octets: large tables come in pages
 * (show ... after=CURSOR). Malformed and oversized requests are answered
 * with "error ..." and counted; the connection keeps working.
 */
#ifndef NK_CONTROL_H
#define NK_CONTROL_H

#include <stddef.h>
#include <stdint.h>

#include "clock.h"
#include "evloop.h"
#include "ho_server.h"

#include "ctl_server.h"

#define CTL_OUT_MAX	(1u << 20)
#define CTL_PAGE_DEFAULT 1000
#define CTL_PAGE_MAX	5000

struct ctl_server;

/* Create the socket at path (replacing a stale one; refusing if a server
 * answers there) with permission bits mode, owned by user (if not "")
 * and group (if not ""), creating its directory if missing. Called
 * before privileges are dropped. NULL with err on failure. */
struct ctl_server *hctl_open(const char *path, unsigned mode, const char *user,
    const char *group, char *err, size_t errlen);
/* Serve on loop: the registry and counters of srv. */
int hctl_attach(struct ctl_server *cs, struct ev_loop *loop, struct srv_ctx *srv,
    const struct clk_now *now);
/* Close every connection and remove the socket file. */
void hctl_close(struct ctl_server *cs);

/* Run one request line against srv into out (tests and the fuzz target
 * call it without a socket). */
struct ctl_out;
void hctl_dispatch(struct ctl_server *cs, struct srv_ctx *srv, const char *line, size_t len,
    struct ctl_out *out, const struct clk_now *now);
/* A server without a socket, for hctl_dispatch alone. */
struct ctl_server *hctl_create_detached(void);

#endif
