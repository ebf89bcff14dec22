/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* bib.c — the Binding Information Base: hash tables both ways, paired
 * pool-address choice and RFC 6056 random port allocation. */
#include "nd_state.h"

#define ND_PROTO_ICMP_ID	1	/* BIB entries of ICMP queries (identifiers) */

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "log.h"
#include "nd_config.h"
#include "nd_hocache.h"
#include "nd_quota.h"
#include "xalloc.h"

static uint32_t
nd_pow2_at_least(uint32_t n)
{
	uint32_t v = 1;

	while (v < n && v < (1u << 24))
		v <<= 1;
	return v;
}

uint64_t
nd_state_hash64(const struct nd_state *st, const void *p, size_t n)
{
	uint8_t out[crypto_shorthash_BYTES];
	uint64_t h;

	crypto_shorthash(out, p, n, st->hkey);
	memcpy(&h, out, sizeof(h));
	return h;
}

uint32_t
nd_state_hash(const struct nd_state *st, const void *p, size_t n)
{
	return (uint32_t)nd_state_hash64(st, p, n);
}

void
nd_state_init(struct nd_state *st, const struct nd_state_params *p)
{
	int i;

	memset(st, 0, sizeof(*st));
	if (sodium_init() < 0)
		abort();
	randombytes_buf(st->hkey, sizeof(st->hkey));
	nd_state_set_params(st, p);
	st->p.n_pool4 = p->n_pool4 > 64 ? 64 : p->n_pool4;
	memcpy(st->pool4, p->pool4, (size_t)st->p.n_pool4 * sizeof(uint32_t));
	st->p.pool4 = st->pool4;
	st->bmask = nd_pow2_at_least(p->max_bib) - 1;
	st->smask = nd_pow2_at_least(p->max_sessions) - 1;
	st->h6 = xcalloc((size_t)st->bmask + 1, sizeof(*st->h6));
	st->h4 = xcalloc((size_t)st->bmask + 1, sizeof(*st->h4));
	st->hs = xcalloc((size_t)st->smask + 1, sizeof(*st->hs));
	for (i = 0; i < ND_TC_N; i++)
		st->lists[i].lnext = st->lists[i].lprev = &st->lists[i];
}

void
nd_state_set_params(struct nd_state *st, const struct nd_state_params *p)
{
	const uint32_t *pool = st->p.pool4;
	int n = st->p.n_pool4;

	st->p = *p;
	if (pool) {		/* the pool is fixed for the life of the table */
		st->p.pool4 = pool;
		st->p.n_pool4 = n;
	}
}

void
nd_state_reserve(struct nd_state *st, const struct nd_hocache *reserved, bool joint_ports)
{
	st->reserved = reserved;
	st->joint_ports = joint_ports;
}

void
nd_state_free(struct nd_state *st)
{
	uint32_t i;

	for (i = 0; i <= st->bmask; i++) {
		while (st->h6 && st->h6[i]) {
			struct nd_bib *b = st->h6[i];

			nd_bib_delete(st, b, NULL);
		}
	}
	free(st->h6);
	free(st->h4);
	free(st->hs);
	st->h6 = st->h4 = NULL;
	st->hs = NULL;
}

bool
nd_state_is_pool4(const struct nd_state *st, uint32_t a)
{
	int i;

	for (i = 0; i < st->p.n_pool4; i++)
		if (st->pool4[i] == a)
			return true;
	return false;
}

static uint32_t
nd_h6(const struct nd_state *st, uint8_t proto, const uint8_t v6[16], uint16_t port)
{
	uint8_t k[19];

	k[0] = proto;
	memcpy(k + 1, v6, 16);
	memcpy(k + 17, &port, 2);
	return nd_state_hash(st, k, sizeof(k)) & st->bmask;
}

static uint32_t
nd_h4(const struct nd_state *st, uint8_t proto, uint32_t v4, uint16_t port)
{
	uint8_t k[7];

	k[0] = proto;
	memcpy(k + 1, &v4, 4);
	memcpy(k + 5, &port, 2);
	return nd_state_hash(st, k, sizeof(k)) & st->bmask;
}

struct nd_bib *
nd_bib_find6(const struct nd_state *st, uint8_t proto, const uint8_t v6[16], uint16_t port6)
{
	struct nd_bib *b;

	for (b = st->h6[nd_h6(st, proto, v6, port6)]; b; b = b->next6)
		if (b->port6 == port6 && b->proto == proto && !memcmp(b->v6, v6, 16))
			return b;
	return NULL;
}

struct nd_bib *
nd_bib_find4(const struct nd_state *st, uint8_t proto, uint32_t v4, uint16_t port4)
{
	struct nd_bib *b;

	for (b = st->h4[nd_h4(st, proto, v4, port4)]; b; b = b->next4)
		if (b->port4 == port4 && b->v4 == v4 && b->proto == proto)
			return b;
	return NULL;
}

struct nd_bib *
nd_bib_insert(struct nd_state *st, uint8_t proto, const uint8_t v6[16], uint16_t port6,
    uint32_t v4, uint16_t port4, uint8_t owner, const struct clk_now *now)
{
	struct nd_bib *b;
	uint32_t h;

	/* A static entry is configuration: a table full of dynamic entries
	 * does not refuse it (nd_config_check_static keeps room for others). */
	if (st->n_bib >= st->p.max_bib && owner != ND_OWN_STATIC) {
		st->c.bib_full++;
		return NULL;
	}
	b = xcalloc(1, sizeof(*b));
	b->proto = proto;
	memcpy(b->v6, v6, 16);
	b->port6 = port6;
	b->v4 = v4;
	b->port4 = port4;
	b->owner = owner;
	b->created_ms = now ? now->mono_ms : 0;
	h = nd_h6(st, proto, v6, port6);
	b->next6 = st->h6[h];
	st->h6[h] = b;
	h = nd_h4(st, proto, v4, port4);
	b->next4 = st->h4[h];
	st->h4[h] = b;
	st->n_bib++;
	st->n_static += owner == ND_OWN_STATIC;
	st->c.bib_created++;
	if (st->quota && owner == ND_OWN_LOCAL && now &&
	    (b->q = nd_quota_client(st->quota, v6, now)) != NULL)
		nd_quota_bib(st->quota, b->q, 1, now);
	if (log_getverbose() >= 2) {
		char t[2 * ADDR_STRLEN + 16];

		log_debug2("bib %s created", nd_bib_fmt(b, t, sizeof(t)));
	}
	return b;
}

/* RFC 6056 §3.3.1 (Algorithm 1, simple random selection) over the
 * configured range, then a scan from a random point so a nearly full
 * range still finds the last free port. */
static bool
nd_port_free(const struct nd_state *st, uint8_t proto, uint32_t v4, uint16_t p,
    const uint8_t v6[16], uint16_t port6)
{
	const struct nd_bib *o;

	if (p == st->p.reserved_port || nd_bib_find4(st, proto, v4, p))
		return false;
	if (st->reserved && nd_hoc_port_used(st->reserved, v4, p))
		return false;
	if (st->joint_ports && proto != ND_PROTO_ICMP_ID &&
	    (o = nd_bib_find4(st, proto == 6 ? 17 : 6, v4, p)) != NULL &&
	    (o->port6 != port6 || memcmp(o->v6, v6, 16) != 0))
		return false;
	return true;
}

static int
nd_pick_port(const struct nd_state *st, uint8_t proto, uint32_t v4, uint16_t *out,
    const uint8_t v6[16], uint16_t port6)
{
	uint32_t range = (uint32_t)st->p.port_max - st->p.port_min + 1, i, start;

	/* The same endpoint's mapping in the other protocol, if free here. */
	if (st->joint_ports && proto != ND_PROTO_ICMP_ID) {
		const struct nd_bib *o = nd_bib_find6(st, proto == 6 ? 17 : 6, v6, port6);

		if (o && o->v4 == v4 && nd_port_free(st, proto, v4, o->port4, v6, port6)) {
			*out = o->port4;
			return 0;
		}
	}
	for (i = 0; i < 16; i++) {
		uint16_t p = (uint16_t)(st->p.port_min + randombytes_uniform(range));

		if (nd_port_free(st, proto, v4, p, v6, port6)) {
			*out = p;
			return 0;
		}
	}
	start = randombytes_uniform(range);
	for (i = 0; i < range; i++) {
		uint16_t p = (uint16_t)(st->p.port_min + (start + i) % range);

		if (nd_port_free(st, proto, v4, p, v6, port6)) {
			*out = p;
			return 0;
		}
	}
	return -1;
}

uint32_t
nd_state_pool_for(const struct nd_state *st, const uint8_t v6[16])
{
	uint8_t k[16];

	memcpy(k, v6, 16);
	return st->pool4[nd_state_hash(st, k, 16) % (uint32_t)st->p.n_pool4];
}

void
nd_bib_iter_init(struct nd_bib_iter *it)
{
	it->bucket = 0;
	it->next = NULL;
}

const struct nd_bib *
nd_bib_next(const struct nd_state *st, struct nd_bib_iter *it)
{
	const struct nd_bib *b;

	while (!it->next) {
		if (it->bucket > st->bmask)
			return NULL;
		it->next = st->h6[it->bucket++];
	}
	b = it->next;
	it->next = b->next6;
	return b;
}

uint32_t
nd_bib_buckets(const struct nd_state *st)
{
	return st->bmask + 1;
}

const struct nd_bib *
nd_bib_bucket(const struct nd_state *st, uint32_t i)
{
	return i <= st->bmask ? st->h6[i] : NULL;
}

struct nd_bib *
nd_bib_create(struct nd_state *st, uint8_t proto, const uint8_t v6[16], uint16_t port6,
    const struct clk_now *now)
{
	int i, first;
	uint16_t port;
	uint8_t k[16];

	if (st->n_bib >= st->p.max_bib) {
		st->c.bib_full++;
		return NULL;
	}
	/* RFC 6146 §3.5.1.1: "paired" pooling — one IPv6 host, one IPv4 address. */
	memcpy(k, v6, 16);
	first = (int)(nd_state_hash(st, k, 16) % (uint32_t)st->p.n_pool4);
	for (i = 0; i < st->p.n_pool4; i++) {
		uint32_t a = st->pool4[(first + i) % st->p.n_pool4];

		if (nd_pick_port(st, proto, a, &port, v6, port6) == 0)
			return nd_bib_insert(st, proto, v6, port6, a, port, ND_OWN_LOCAL, now);
	}
	st->c.ports_exhausted++;
	if (log_getverbose() >= 1) {
		char a[ADDR_STRLEN];

		log_debug("pool: no free %s port on any pool address for %s",
		    proto == 6 ? "tcp" : proto == 17 ? "udp" : "icmp id", addr_fmt6(v6, a, sizeof(a)));
	}
	return NULL;
}

static void
nd_unlink6(struct nd_state *st, struct nd_bib *b)
{
	struct nd_bib **pp = &st->h6[nd_h6(st, b->proto, b->v6, b->port6)];

	while (*pp && *pp != b)
		pp = &(*pp)->next6;
	if (*pp)
		*pp = b->next6;
}

static void
nd_unlink4(struct nd_state *st, struct nd_bib *b)
{
	struct nd_bib **pp = &st->h4[nd_h4(st, b->proto, b->v4, b->port4)];

	while (*pp && *pp != b)
		pp = &(*pp)->next4;
	if (*pp)
		*pp = b->next4;
}

void
nd_bib_delete(struct nd_state *st, struct nd_bib *b, const struct clk_now *now)
{
	while (b->sessions)
		nd_session_delete(st, b->sessions, NULL);
	nd_unlink6(st, b);
	nd_unlink4(st, b);
	st->n_bib--;
	st->n_static -= b->owner == ND_OWN_STATIC;
	st->c.bib_deleted++;
	if (b->q)
		nd_quota_bib(st->quota, b->q, -1, now);
	if (log_getverbose() >= 2) {
		char t[2 * ADDR_STRLEN + 16];

		log_debug2("bib %s deleted", nd_bib_fmt(b, t, sizeof(t)));
	}
	if (st->on_bib && b->logged && now)
		st->on_bib(st->on_bib_arg, b, false, now);
	free(b);
}

char *
nd_bib_fmt(const struct nd_bib *b, char *buf, size_t len)
{
	char a6[ADDR_STRLEN], a4[ADDR_STRLEN];

	snprintf(buf, len, "%s [%s]:%u %s:%u", b->proto == 6 ? "tcp" : b->proto == 17 ? "udp" :
	    "icmp", addr_fmt6(b->v6, a6, sizeof(a6)), b->port6, addr_fmt4(b->v4, a4, sizeof(a4)),
	    b->port4);
	return buf;
}

static bool
nd_static_listed(const struct nd_bib *b, const struct nd_static *list, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (list[i].proto == b->proto && list[i].port6 == b->port6 &&
		    list[i].port4 == b->port4 && list[i].v4 == b->v4 && !memcmp(list[i].v6, b->v6, 16))
			return true;
	return false;
}

unsigned
nd_state_set_static(struct nd_state *st, const struct nd_static *list, int n,
    const struct clk_now *now)
{
	struct nd_bib *b;
	unsigned added = 0;
	int i;

	/* Entries no longer configured: deleted, or, while they have
	 * sessions, local from now on (gone with the last one). */
	for (i = 0; i <= (int)st->bmask; i++) {
		struct nd_bib *nx;

		for (b = st->h6[i]; b; b = nx) {
			nx = b->next6;
			if (b->owner != ND_OWN_STATIC || nd_static_listed(b, list, n))
				continue;
			st->c.static_removed++;
			if (b->n_sessions == 0) {
				nd_bib_delete(st, b, now);
				continue;
			}
			b->owner = ND_OWN_LOCAL;
			b->retired = true;
			st->n_static--;
			/* a local entry now, with sessions: in the mapping log */
			if (st->on_bib && now) {
				b->logged = true;
				st->on_bib(st->on_bib_arg, b, true, now);
			}
		}
	}
	for (i = 0; i < n; i++) {
		const struct nd_static *e = &list[i];
		struct nd_bib *o6 = nd_bib_find6(st, e->proto, e->v6, e->port6);
		struct nd_bib *o4 = nd_bib_find4(st, e->proto, e->v4, e->port4);

		if (o6 && o6 == o4 && o6->owner == ND_OWN_STATIC)
			continue;		/* unchanged */
		if (o6 && o6 == o4 && o6->owner == ND_OWN_LOCAL) {
			/* The same mapping, dynamic (or retired): it becomes
			 * static, its sessions go on; as a local entry it ends. */
			if (st->on_bib && o6->logged && now)
				st->on_bib(st->on_bib_arg, o6, false, now);
			o6->logged = false;
			o6->owner = ND_OWN_STATIC;
			o6->retired = false;
			st->n_static++;
			st->c.static_added++;
			added++;
			continue;
		}
		/* Either side held by another entry: the configuration wins. */
		if (o6) {
			nd_bib_delete(st, o6, now);
			st->c.static_replaced++;
		}
		if (o4 && o4 != o6) {
			nd_bib_delete(st, o4, now);
			st->c.static_replaced++;
		}
		if (nd_bib_insert(st, e->proto, e->v6, e->port6, e->v4, e->port4, ND_OWN_STATIC, now)) {
			st->c.static_added++;
			added++;
		}
	}
	return added;
}
