/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* hd_probe_os.h — the real prober: non-blocking sockets in the event loop.
 * TCP connect, one DNS query over UDP, ICMPv6 echo through a ping socket
 * (net.ipv4.ping_group_range) or, failing that, a raw socket when the
 * process has CAP_NET_RAW; if neither is allowed, icmp probes fail with
 * that reason (said once in the log). */
#ifndef HD_PROBE_OS_H
#define HD_PROBE_OS_H

#include "evloop.h"
#include "hd_probe.h"

struct hd_prober *hd_pos_create(struct ev_loop *loop, hd_probe_done_fn *done, void *done_arg);
void hd_pos_destroy(struct hd_prober *p);

#endif
