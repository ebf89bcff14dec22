/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* nd_frag.h — fragment tracking: the first fragment of a datagram carries
 * the ports, the others only its (addresses, identification). When the
 * first fragment is translated its translated addresses are remembered
 * here for a short time (RFC 6146 FRAGMENT_MIN, 2 s) so later fragments
 * of the same datagram follow it. Fixed-size, direct-mapped, bounded; no
 * reassembly. A cache, not a lib/htab table: a new datagram takes over
 * its slot, nothing is allocated, nothing is ever full. A fragment arriving before its first fragment waits in a
 * bounded hold queue (path.c, hold.c) for up to 2 s; one whose slot was
 * taken over is held the same way and then dropped (counted).
 */
#ifndef ND_FRAG_H
#define ND_FRAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "clock.h"

#define ND_FRAG_SLOTS	1024
#define ND_FRAG_KEYMAX	40
#define ND_FRAG_VALMAX	32
#define ND_FRAG_TTL_MS	2000

struct nd_frag_slot {
	uint8_t key[ND_FRAG_KEYMAX];
	uint8_t val[ND_FRAG_VALMAX];
	uint8_t klen;
	uint64_t expires_ms;
};

struct nd_frags {
	struct nd_frag_slot slot[ND_FRAG_SLOTS];
	uint8_t hkey[16];
	uint64_t stored, found, missed;
};

void nd_frag_init(struct nd_frags *f);
void nd_frag_put(struct nd_frags *f, const uint8_t *key, size_t klen, const uint8_t *val,
    size_t vlen, const struct clk_now *now);
bool nd_frag_get(struct nd_frags *f, const uint8_t *key, size_t klen, uint8_t *val,
    size_t vlen, const struct clk_now *now);

#endif
