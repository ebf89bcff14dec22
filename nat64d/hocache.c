/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* hocache.c — the NAT64's cache of server-owned entries; see nd_handoff.h.
 *
 * Two hash tables (by server + NAT64 address + mapped port for the IPv4
 * side, by server + client endpoint for the IPv6 side; lib/htab) and
 * one LRU list. The cache is only a cache: dropping an
 * entry costs one round trip to the server, which holds the real table.
 */
#include "nd_handoff.h"

#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

void
nd_hoc_init(struct nd_hocache *c, uint32_t max, uint64_t timeout_ms)
{
	uint32_t size = 16;

	memset(c, 0, sizeof(*c));
	while (size < max && size < (1u << 22))
		size <<= 1;
	htab_init(&c->h4, size);
	htab_init(&c->h6, size);
	c->lru.lnext = c->lru.lprev = &c->lru;
	nd_hoc_set_limits(c, max, timeout_ms);
}

void
nd_hoc_set_limits(struct nd_hocache *c, uint32_t max, uint64_t timeout_ms)
{
	c->max = max ? max : 1;
	c->timeout_ms = timeout_ms;
}

void
nd_hoc_free(struct nd_hocache *c)
{
	struct nd_hoent *e, *n;

	if (!c->h4.b)
		return;
	int i;

	for (e = c->lru.lnext; e != &c->lru; e = n) {
		n = e->lnext;
		free(e);
	}
	htab_free(&c->h4);
	htab_free(&c->h6);
	for (i = 0; i < c->n_pool; i++)
		free(c->portref[i]);
	c->n_pool = 0;
}

static uint16_t *
hoc_refs(const struct nd_hocache *c, uint32_t pool4)
{
	int i;

	for (i = 0; i < c->n_pool; i++)
		if (c->pool[i] == pool4)
			return c->portref[i];
	return NULL;
}

static void
hoc_ref(struct nd_hocache *c, uint32_t pool4, uint16_t port4, int d)
{
	uint16_t *r = hoc_refs(c, pool4);

	if (!r) {
		if (c->n_pool == ND_HOC_POOLS)
			return;
		r = c->portref[c->n_pool] = xcalloc(65536, sizeof(uint16_t));
		c->pool[c->n_pool++] = pool4;
	}
	if (d > 0 && r[port4] < UINT16_MAX)
		r[port4]++;
	else if (d < 0 && r[port4] > 0)
		r[port4]--;
}

const struct nd_hoent *
nd_hoc_next(const struct nd_hocache *c, const struct nd_hoent *e)
{
	e = e ? e->lnext : c->lru.lnext;
	return e == &c->lru ? NULL : e;
}

bool
nd_hoc_port_used(const struct nd_hocache *c, uint32_t pool4, uint16_t port4)
{
	const uint16_t *r = hoc_refs(c, pool4);

	return r && r[port4] > 0;
}

static uint64_t
hoc_h4(const struct nd_hocache *c, uint32_t server, uint32_t pool4, uint16_t port4)
{
	uint8_t k[10];

	memcpy(k, &server, 4);
	memcpy(k + 4, &pool4, 4);
	memcpy(k + 8, &port4, 2);
	return htab_hash(&c->h4, k, sizeof(k));
}

static uint64_t
hoc_h6(const struct nd_hocache *c, uint32_t server, const uint8_t client[16], uint16_t port6)
{
	uint8_t k[22];

	memcpy(k, &server, 4);
	memcpy(k + 4, client, 16);
	memcpy(k + 20, &port6, 2);
	return htab_hash(&c->h6, k, sizeof(k));
}

struct nd_hoent *
nd_hoc_find4(const struct nd_hocache *c, uint32_t server, uint32_t pool4, uint16_t port4)
{
	uint64_t h = hoc_h4(c, server, pool4, port4);
	struct htab_node *n;

	for (n = htab_first(&c->h4, h); n; n = htab_next(n, h)) {
		struct nd_hoent *e = htab_entry(n, struct nd_hoent, n4);

		if (e->port4 == port4 && e->server == server && e->pool4 == pool4)
			return e;
	}
	return NULL;
}

struct nd_hoent *
nd_hoc_find6(const struct nd_hocache *c, uint32_t server, const uint8_t client[16],
    uint16_t port6)
{
	uint64_t h = hoc_h6(c, server, client, port6);
	struct htab_node *n;

	for (n = htab_first(&c->h6, h); n; n = htab_next(n, h)) {
		struct nd_hoent *e = htab_entry(n, struct nd_hoent, n6);

		if (e->port6 == port6 && e->server == server && !memcmp(e->client, client, 16))
			return e;
	}
	return NULL;
}

static void
hoc_lru_unlink(struct nd_hoent *e)
{
	e->lprev->lnext = e->lnext;
	e->lnext->lprev = e->lprev;
}

static void
hoc_lru_tail(struct nd_hocache *c, struct nd_hoent *e)
{
	e->lprev = c->lru.lprev;
	e->lnext = &c->lru;
	c->lru.lprev->lnext = e;
	c->lru.lprev = e;
}

static void
nd_hoc_delete(struct nd_hocache *c, struct nd_hoent *e, const struct clk_now *now)
{
	if (c->on_event)
		c->on_event(c->on_event_arg, e, false, now);
	hoc_ref(c, e->pool4, e->port4, -1);
	htab_remove(&c->h4, &e->n4);
	htab_remove(&c->h6, &e->n6);
	hoc_lru_unlink(e);
	c->n--;
	free(e);
}

void
nd_hoc_touch(struct nd_hocache *c, struct nd_hoent *e, const struct clk_now *now)
{
	e->used_ms = now->mono_ms;
	hoc_lru_unlink(e);
	hoc_lru_tail(c, e);
}

struct nd_hoent *
nd_hoc_put(struct nd_hocache *c, uint32_t server, uint32_t pool4, uint16_t port4,
    const uint8_t client[16], uint16_t port6, uint8_t pfx, const struct clk_now *now)
{
	struct nd_hoent *a = nd_hoc_find4(c, server, pool4, port4);
	struct nd_hoent *b = nd_hoc_find6(c, server, client, port6), *e;

	if (a && a == b) {
		a->pfx = pfx;
		nd_hoc_touch(c, a, now);
		return a;
	}
	/* The server re-mapped the port or the client: the newest wins. */
	if (a) {
		nd_hoc_delete(c, a, now);
		c->replaced++;
	}
	if (b) {
		nd_hoc_delete(c, b, now);
		c->replaced++;
	}
	if (c->n >= c->max && c->lru.lnext != &c->lru) {
		nd_hoc_delete(c, c->lru.lnext, now);
		c->evicted++;
	}
	e = xcalloc(1, sizeof(*e));
	e->server = server;
	e->pool4 = pool4;
	e->port4 = port4;
	e->port6 = port6;
	memcpy(e->client, client, 16);
	e->pfx = pfx;
	e->used_ms = now->mono_ms;
	htab_insert(&c->h4, &e->n4, hoc_h4(c, server, pool4, port4));
	htab_insert(&c->h6, &e->n6, hoc_h6(c, server, client, port6));
	hoc_lru_tail(c, e);
	hoc_ref(c, pool4, port4, +1);
	c->n++;
	c->created++;
	if (c->on_event)
		c->on_event(c->on_event_arg, e, true, now);
	return e;
}

unsigned
nd_hoc_expire(struct nd_hocache *c, const struct clk_now *now, uint64_t *next_ms)
{
	unsigned n = 0;

	*next_ms = UINT64_MAX;
	while (c->lru.lnext != &c->lru) {
		struct nd_hoent *e = c->lru.lnext;

		if (e->used_ms + c->timeout_ms > now->mono_ms) {
			*next_ms = e->used_ms + c->timeout_ms;
			break;
		}
		nd_hoc_delete(c, e, now);
		c->expired++;
		n++;
	}
	return n;
}
