/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* nd_control.h — nat64d's control socket, for nat64ctl(8): a local Unix
 * socket (lib/ctl_server.h: access by the file's mode and group, bounded
 * non-blocking clients) answering the commands of control.c's table:
 *
 *	bib [proto= addr= port= limit=]		the BIB entries
 *	sessions [proto= addr= port= limit=]	the sessions
 *	servers					the handoff servers and their state
 *	stats					the counters of the status file
 *	lookup ADDR:PORT [proto=]		who holds that pool address and port
 *	help
 *
 * bib and sessions stream: each step walks at most ND_CTL_STEP_BUCKETS
 * hash buckets and stops once CTLS_OUT_LOW octets wait for the client,
 * resuming at the next bucket when the client has read them. No entry is
 * shown twice; one created or deleted during the walk may or may not be.
 * The tables are only read. Times are in seconds: age since an entry was
 * made, expires until its last session (or a handoff entry) times out.
 */
#ifndef ND_CONTROL_H
#define ND_CONTROL_H

#include <stddef.h>

#include "clock.h"
#include "ctl_cmd.h"
#include "ctl_server.h"
#include "evloop.h"
#include "nd_config.h"

#define ND_CTL_OUT_MAX		(256u * 1024)	/* output buffer, per client */
#define ND_CTL_STEP_BUCKETS	4096

struct nd_gw;
struct nd_ctl;

/* The socket of cfg (control-socket, -group, -mode, owned by user);
 * before privileges are dropped. NULL with err. */
struct nd_ctl *nd_ctl_open(const struct nd_config *cfg, char *err, size_t errlen);
int nd_ctl_attach(struct nd_ctl *c, struct ev_loop *loop, struct nd_gw *gw,
    const struct clk_now *now);
void nd_ctl_close(struct nd_ctl *c);

/* Without a socket (tests, the fuzz target): one request into o; while
 * cur->more is set, call cur->more(c, cur, o, now) for the next step. */
struct nd_ctl *nd_ctl_create_detached(struct nd_gw *gw);
void nd_ctl_dispatch(struct nd_ctl *c, const char *line, size_t len, struct ctl_out *o,
    struct ctl_cursor *cur, const struct clk_now *now);
const struct ctls_counters *nd_ctl_counters(const struct nd_ctl *c);

#endif
