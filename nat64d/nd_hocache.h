/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* nd_hocache.h — the cache of entries that NAT64 handoff servers
 * allocated (hocache.c); see nd_handoff.h. */
#ifndef ND_HOCACHE_H
#define ND_HOCACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "clock.h"
#include "htab.h"

struct nd_hoent {
	struct htab_node n4, n6;		/* in h4, h6 */
	struct nd_hoent *lprev, *lnext;		/* LRU list, oldest first */
	uint32_t server, pool4;			/* host order */
	uint16_t port4, port6;
	uint8_t client[16];
	uint8_t pfx;				/* index of the /96 prefix */
	uint64_t used_ms;
};

struct nd_hoent;
/* Called for every entry cached (created) or dropped (mapping log). */
typedef void nd_hoc_event_fn(void *arg, const struct nd_hoent *e, bool created,
    const struct clk_now *now);

#define ND_HOC_POOLS	64	/* = ND_MAX_POOL4 */

struct nd_hocache {
	struct htab h4, h6;
	struct nd_hoent lru;			/* sentinel */
	uint32_t n, max;
	uint64_t timeout_ms;
	uint64_t created, replaced, expired, evicted;
	/* How many cached entries (of any server) hold each port of each
	 * pool address: the gateway's own port allocation avoids them. */
	uint32_t pool[ND_HOC_POOLS];
	int n_pool;
	uint16_t *portref[ND_HOC_POOLS];
	nd_hoc_event_fn *on_event;
	void *on_event_arg;
};

void nd_hoc_init(struct nd_hocache *c, uint32_t max, uint64_t timeout_ms);
void nd_hoc_free(struct nd_hocache *c);
/* The size bound and idle timeout (also at reload). */
void nd_hoc_set_limits(struct nd_hocache *c, uint32_t max, uint64_t timeout_ms);
struct nd_hoent *nd_hoc_find4(const struct nd_hocache *c, uint32_t server, uint32_t pool4,
    uint16_t port4);
struct nd_hoent *nd_hoc_find6(const struct nd_hocache *c, uint32_t server,
    const uint8_t client[16], uint16_t port6);
/* Insert or refresh; an entry of the same server holding the same mapped
 * port or the same client endpoint is replaced (the server is
 * authoritative). Evicts the least recently used entry when full. */
struct nd_hoent *nd_hoc_put(struct nd_hocache *c, uint32_t server, uint32_t pool4,
    uint16_t port4, const uint8_t client[16], uint16_t port6, uint8_t pfx,
    const struct clk_now *now);
void nd_hoc_touch(struct nd_hocache *c, struct nd_hoent *e, const struct clk_now *now);
/* Does any cached entry hold this pool address and port? */
bool nd_hoc_port_used(const struct nd_hocache *c, uint32_t pool4, uint16_t port4);
/* Every entry, least recently used first: NULL starts, NULL ends. */
const struct nd_hoent *nd_hoc_next(const struct nd_hocache *c, const struct nd_hoent *e);
/* Drop entries idle for timeout_ms; *next_ms = next deadline or UINT64_MAX. */
unsigned nd_hoc_expire(struct nd_hocache *c, const struct clk_now *now, uint64_t *next_ms);

#endif
