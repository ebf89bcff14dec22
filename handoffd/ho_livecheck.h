/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* ho_livecheck.h — which NAT64-side ports have a live local TCP connection.
 *
 * Before evicting, the server prefers an entry whose mapped port has no
 * live TCP connection on this host (a TCP socket from the NAT64 address
 * and that port in any state but LISTEN, TIME-WAIT and CLOSE). The
 * kernel's socket diagnostics (NETLINK_SOCK_DIAG, inet_diag with a
 * bytecode filter on the remote address) answer that without privileges.
 * UDP has no connection state to ask about; UDP-only entries count as not
 * live. The seam is a function pointer so tests can supply a fake.
 */
#ifndef NK_LIVECHECK_H
#define NK_LIVECHECK_H

#include <stdint.h>

#define LIVE_BITMAP_BYTES 8192	/* one bit per port */

/* Fill bitmap (bit p set = port p live) for TCP connections between local
 * address `local` (0 = any) and remote address nat64. 0, or -1 if the
 * kernel could not be asked (then the caller evicts in plain LRU order). */
typedef int live_query_fn(void *arg, uint32_t local, uint32_t nat64,
    uint8_t bitmap[LIVE_BITMAP_BYTES]);

int live_query_kernel(void *arg, uint32_t local, uint32_t nat64, uint8_t bitmap[LIVE_BITMAP_BYTES]);

static inline int
live_bit(const uint8_t bitmap[LIVE_BITMAP_BYTES], uint16_t port)
{
	return (bitmap[port >> 3] >> (port & 7)) & 1;
}

#endif
