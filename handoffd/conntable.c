/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* conntable.c — see ho_conntable.h. */
#include "ho_conntable.h"
#include "handoff_wire.h"
#include "xalloc.h"

#include <assert.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define CT_SLOTS	65536
#define CT_HBITS	16
#define CT_HBUCKETS	(1u << CT_HBITS)
#define CT_AUTH_INLINE	16
#define CT_CACHE	8192		/* client-cache slots, two-way */
#define CT_CELL_REFS	63		/* entries sharing one cell at most */
#define CT_EXT_BUDGET	(2u << 20)	/* octets of authenticators of other lengths than 16, per table */
#define CT_UNCONF_WORDS	(CT_SLOTS / 64)	/* the unconfirmed bitmap, by port (8 KiB) */

_Static_assert(CT_MAX_CAPACITY + 2 <= 65536, "cell indexes fit 16 bits");

/* One mapped port (10 octets, indexed by port). */
struct ct_slot {
	uint16_t client_port;
	uint16_t lru_prev;	/* older neighbour's port, 0 = none */
	uint16_t lru_next;	/* newer neighbour's port, 0 = none */
	uint16_t hnext;		/* next port in the client-hash bucket */
	uint16_t cell;		/* its client cell, 0 = port free */
};

/* One (NAT64 prefix, client address, authenticator), shared by up to 63
 * entries of that client that carry the same authenticator (34 octets,
 * 2-octet aligned). A 16-octet authenticator (what NAT64s send) is kept
 * in a[]; any other length in a block of its own (2-octet length, then
 * the octets) in t->ext[], whose index is copied in and out of a[] with
 * memcpy. A free cell keeps the free-list link in client[0..1]. */
struct ct_cell {
	uint8_t client[16];
	uint8_t a[CT_AUTH_INLINE];	/* the authenticator, or its t->ext[] index */
	uint16_t meta;			/* prefix index | kind << 8 | refs << 10 */
};

enum { CT_A_NONE, CT_A_INLINE, CT_A_EXT };

#define CELL_PREFIX(c)	((c)->meta & 0xff)
#define CELL_KIND(c)	(((c)->meta >> 8) & 3)
#define CELL_REFS(c)	((c)->meta >> 10)	/* 0: free */
#define CELL_META(prefix, kind, refs) ((uint16_t)((prefix) | (kind) << 8 | (refs) << 10))

_Static_assert(sizeof(struct ct_slot) == 10, "slot layout");
_Static_assert(sizeof(struct ct_cell) == 34, "cell layout");
_Static_assert(CT_CELL_REFS == 0xffff >> 10, "refs fill the top 6 bits");
_Static_assert(sizeof(uint32_t) <= CT_AUTH_INLINE, "an index fits the inline area");

struct ct_table {
	uint32_t capacity;
	uint32_t count;
	uint32_t stamp;			/* latest now_s passed in */
	uint16_t lru_old, lru_new;
	uint8_t key[crypto_shorthash_KEYBYTES];
	struct ct_slot *slots;		/* CT_SLOTS, calloc'd */
	uint16_t *hhead;		/* CT_HBUCKETS */
	uint32_t *cache;		/* CT_CACHE: tag << 16 | cell index */
	struct ct_cell *cells;		/* [0] unused */
	uint32_t ncells, cells_cap;
	uint16_t cfree;			/* free-list head */
	uint8_t nprefixes;
	uint8_t prefixes[CT_MAX_PREFIXES][12];
	size_t ext_bytes;
	uint8_t **ext;			/* out-of-line authenticators, by index */
	uint32_t *ext_free;		/* free indexes (a stack) */
	uint32_t ext_used, ext_cap, n_ext_free;
	uint64_t *unconf;		/* CT_UNCONF_WORDS: bit per port, entry not yet confirmed */
	uint16_t rm_port;		/* ct_prefetch_remove's port (0: none) */
	uint32_t rm_hash;		/* and its client-hash bucket */
};

/* A cache hint only: never changes what the code computes. */
#if defined(__GNUC__)
#define CT_PREFETCH(p)	__builtin_prefetch(p)
#else
#define CT_PREFETCH(p)	((void)(p))
#endif

struct ct_table *
ct_create(uint32_t capacity, const uint8_t hash_key[16])
{
	struct ct_table *t;

	if (capacity < 1 || capacity > CT_MAX_CAPACITY)
		return NULL;
	t = xcalloc(1, sizeof(*t));
	t->capacity = capacity;
	memcpy(t->key, hash_key, sizeof(t->key));
	t->slots = xcalloc(CT_SLOTS, sizeof(*t->slots));
	t->hhead = xcalloc(CT_HBUCKETS, sizeof(*t->hhead));
	t->cache = xcalloc(CT_CACHE, sizeof(*t->cache));
	t->unconf = xcalloc(CT_UNCONF_WORDS, sizeof(*t->unconf));
	/* Cells never outnumber entries (+1 while an authenticator is
	 * replaced); calloc maps the pool lazily, so pages are touched only
	 * as cells are used, and cells never move. */
	t->cells_cap = capacity + 2;
	t->cells = xcalloc(t->cells_cap, sizeof(*t->cells));
	t->ncells = 1;
	return t;
}

/* An out-of-line authenticator: its block (2-octet length, then the
 * octets) is held in t->ext[]; the cell keeps the index (a pointer in
 * the cell would be unaligned). */
static uint8_t *
ct_cell_ext(const struct ct_table *t, const struct ct_cell *c)
{
	uint32_t i;

	memcpy(&i, c->a, sizeof(i));
	return t->ext[i];
}

static uint32_t
ct_ext_add(struct ct_table *t, uint8_t *block)
{
	uint32_t i;

	if (t->n_ext_free)
		i = t->ext_free[--t->n_ext_free];
	else {
		if (t->ext_used == t->ext_cap) {
			t->ext_cap = t->ext_cap ? t->ext_cap * 2 : 64;
			t->ext = xreallocarray(t->ext, t->ext_cap, sizeof(*t->ext));
			t->ext_free = xreallocarray(t->ext_free, t->ext_cap, sizeof(*t->ext_free));
		}
		i = t->ext_used++;
	}
	t->ext[i] = block;
	return i;
}

static void
ct_ext_del(struct ct_table *t, const struct ct_cell *c)
{
	uint32_t i;

	memcpy(&i, c->a, sizeof(i));
	free(t->ext[i]);
	t->ext[i] = NULL;
	t->ext_free[t->n_ext_free++] = i;
}

static size_t
ct_cell_auth_len(const struct ct_table *t, const struct ct_cell *c)
{
	switch (CELL_KIND(c)) {
	case CT_A_INLINE:
		return CT_AUTH_INLINE;
	case CT_A_EXT: {
		const uint8_t *p = ct_cell_ext(t, c);

		return (size_t)p[0] << 8 | p[1];
	}
	}
	return 0;
}

static const uint8_t *
ct_cell_auth(const struct ct_table *t, const struct ct_cell *c)
{
	switch (CELL_KIND(c)) {
	case CT_A_INLINE:
		return c->a;
	case CT_A_EXT:
		return ct_cell_ext(t, c) + 2;
	}
	return NULL;
}

void
ct_destroy(struct ct_table *t)
{
	uint32_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->ext_used; i++)
		free(t->ext[i]);
	free(t->ext);
	free(t->ext_free);
	free(t->cells);
	free(t->cache);
	free(t->unconf);
	free(t->hhead);
	free(t->slots);
	free(t);
}

uint32_t
ct_count(const struct ct_table *t)
{
	return t->count;
}

uint32_t
ct_capacity(const struct ct_table *t)
{
	return t->capacity;
}

size_t
ct_memory(const struct ct_table *t)
{
	return sizeof(*t) + CT_SLOTS * sizeof(*t->slots) + CT_HBUCKETS * sizeof(*t->hhead) +
	    CT_CACHE * sizeof(*t->cache) + CT_UNCONF_WORDS * sizeof(*t->unconf) +
	    t->ncells * sizeof(*t->cells) + t->ext_bytes +
	    t->ext_cap * (sizeof(*t->ext) + sizeof(*t->ext_free));
}

size_t
ct_memory_max(uint32_t capacity)
{
	return sizeof(struct ct_table) + CT_SLOTS * sizeof(struct ct_slot) +
	    CT_HBUCKETS * sizeof(uint16_t) + CT_CACHE * sizeof(uint32_t) +
	    CT_UNCONF_WORDS * sizeof(uint64_t) + ((size_t)capacity + 2) * sizeof(struct ct_cell);
}

/* --- hashing ------------------------------------------------------------ */

/* SipHash (keyed) of prefix index and client address: 64 bits, from which
 * both the client-hash bucket (mixed with the client port) and the
 * client-cache slot are taken. */

static uint64_t
ct_hash_client(const struct ct_table *t, uint8_t prefix, const uint8_t client[16])
{
	uint8_t in[17], out[crypto_shorthash_BYTES];
	uint64_t h = 0;
	int i;

	in[0] = prefix;
	memcpy(in + 1, client, 16);
	crypto_shorthash(out, in, sizeof(in), t->key);
	for (i = 0; i < 8; i++)
		h |= (uint64_t)out[i] << (8 * i);
	return h;
}

/* The bucket of (client, port): a bijective mix of the keyed hash with
 * the port, so the ports of one client spread like independent keys. */
static uint32_t
ct_bucket(uint64_t h, uint16_t cport)
{
	h ^= (uint64_t)cport * 0x9e3779b97f4a7c15u;
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdu;
	h ^= h >> 33;
	return (uint32_t)h & (CT_HBUCKETS - 1);
}

static uint32_t
ct_cache_slot(uint64_t h)
{
	return (uint32_t)(h >> 40) & (CT_CACHE - 2);	/* even: the pair is slot, slot + 1 */
}

/* 16 more bits of the client hash, kept with the cell index so that a
 * cache miss loads no cell. */
static uint32_t
ct_cache_tag(uint64_t h)
{
	return (uint32_t)(h >> 16) & 0xffff;
}

static uint16_t
ct_cache_cell(uint32_t e, uint32_t tag)
{
	return (e >> 16) == tag ? (uint16_t)e : 0;
}

static int
ct_key_prefix(const struct ct_table *t, struct ct_key *k)
{
	int i;

	if (k->pi >= 0)
		return k->pi;
	for (i = 0; i < t->nprefixes; i++)
		if (memcmp(t->prefixes[i], k->prefix, 12) == 0)
			return k->pi = i;
	return -1;
}

/* The key's client hash for prefix index pi, computed at most once. */
static uint64_t
ct_key_hash(const struct ct_table *t, struct ct_key *k, int pi)
{
	if (!k->hash_ok || k->hash_pi != pi) {
		k->hash = ct_hash_client(t, (uint8_t)pi, k->client);
		k->hash_pi = pi;
		k->hash_ok = true;
	}
	return k->hash;
}

void
ct_key_init(struct ct_key *k, const uint8_t prefix[12], const uint8_t client[16],
    uint16_t client_port, const uint8_t *auth, size_t auth_len)
{
	memset(k, 0, sizeof(*k));
	k->prefix = prefix;
	k->client = client;
	k->client_port = client_port;
	k->auth = auth;
	k->auth_len = auth_len;
	k->pi = -1;
}

/* --- lookup ------------------------------------------------------------- */

uint16_t
ct_find_key(const struct ct_table *t, struct ct_key *k)
{
	int pi = ct_key_prefix(t, k);
	uint16_t p;

	if (pi < 0)
		return 0;
	for (p = t->hhead[ct_bucket(ct_key_hash(t, k, pi), k->client_port)]; p;
	    p = t->slots[p].hnext) {
		const struct ct_slot *s = &t->slots[p];
		const struct ct_cell *c;

		if (s->client_port != k->client_port)
			continue;
		c = &t->cells[s->cell];
		if (CELL_PREFIX(c) == pi && memcmp(c->client, k->client, 16) == 0)
			return p;
	}
	return 0;
}

uint16_t
ct_find_client(const struct ct_table *t, const uint8_t prefix[12], const uint8_t client[16],
    uint16_t client_port)
{
	struct ct_key k;

	ct_key_init(&k, prefix, client, client_port, NULL, 0);
	return ct_find_key(t, &k);
}

bool
ct_port_used(const struct ct_table *t, uint16_t port)
{
	return port != 0 && t->slots[port].cell != 0;
}

/* The mark lives in a per-table bitmap indexed by port: the 10-octet
 * slot has no spare bit (every field spans its full 16 bits). A bit is
 * set only while its port is in use; ct_remove clears it. */
void
ct_set_unconfirmed(struct ct_table *t, uint16_t port, bool on)
{
	uint64_t bit = (uint64_t)1 << (port % 64);

	if (!ct_port_used(t, port))
		return;
	if (on)
		t->unconf[port / 64] |= bit;
	else
		t->unconf[port / 64] &= ~bit;
}

bool
ct_unconfirmed(const struct ct_table *t, uint16_t port)
{
	return ct_port_used(t, port) && (t->unconf[port / 64] >> (port % 64) & 1);
}

bool
ct_get(const struct ct_table *t, uint16_t port, struct ct_view *out)
{
	const struct ct_slot *s;
	const struct ct_cell *c;

	if (!ct_port_used(t, port))
		return false;
	s = &t->slots[port];
	c = &t->cells[s->cell];
	out->port = port;
	out->prefix = t->prefixes[CELL_PREFIX(c)];
	out->client = c->client;
	out->client_port = s->client_port;
	out->last_used = t->stamp;
	out->auth_len = (uint16_t)ct_cell_auth_len(t, c);
	out->auth = ct_cell_auth(t, c);
	return true;
}

/* --- LRU list ---------------------------------------------------------- */

static void
ct_lru_unlink(struct ct_table *t, uint16_t port)
{
	struct ct_slot *s = &t->slots[port];

	if (s->lru_prev)
		t->slots[s->lru_prev].lru_next = s->lru_next;
	else
		t->lru_old = s->lru_next;
	if (s->lru_next)
		t->slots[s->lru_next].lru_prev = s->lru_prev;
	else
		t->lru_new = s->lru_prev;
	s->lru_prev = s->lru_next = 0;
}

static void
ct_lru_push_new(struct ct_table *t, uint16_t port)
{
	struct ct_slot *s = &t->slots[port];

	s->lru_prev = t->lru_new;
	s->lru_next = 0;
	if (t->lru_new)
		t->slots[t->lru_new].lru_next = port;
	else
		t->lru_old = port;
	t->lru_new = port;
}

uint16_t
ct_lru_oldest(const struct ct_table *t)
{
	return t->lru_old;
}

uint16_t
ct_lru_newer(const struct ct_table *t, uint16_t port)
{
	return ct_port_used(t, port) ? t->slots[port].lru_next : 0;
}

void
ct_touch(struct ct_table *t, uint16_t port, uint32_t now_s)
{
	if (!ct_port_used(t, port))
		return;
	/* the caller reads the entry next: its cell loads while the LRU
	 * links are moved */
	CT_PREFETCH(&t->cells[t->slots[port].cell]);
	t->stamp = now_s;
	if (t->lru_new == port)
		return;
	ct_lru_unlink(t, port);
	ct_lru_push_new(t, port);
}

/* --- client cells ------------------------------------------------------- */

static bool
ct_cell_same_auth(const struct ct_table *t, const struct ct_cell *c, const uint8_t *auth,
    size_t len)
{
	return ct_cell_auth_len(t, c) == len && (len == 0 || memcmp(ct_cell_auth(t, c), auth, len) == 0);
}

/* Live, with room for one more entry, and holding the key's data? */
static bool
ct_cell_matches(const struct ct_table *t, const struct ct_cell *c, int pi, const struct ct_key *k)
{
	return CELL_REFS(c) != 0 && CELL_REFS(c) < CT_CELL_REFS && CELL_PREFIX(c) == pi &&
	    memcmp(c->client, k->client, 16) == 0 && ct_cell_same_auth(t, c, k->auth, k->auth_len);
}

/* A live cell holding exactly the key's (prefix, client, authenticator),
 * found through the client cache, or 0. The cache is a hint: a client
 * whose cell it lost gets a second cell, which costs memory, never
 * correctness. */
static uint16_t
ct_cell_find(const struct ct_table *t, struct ct_key *k, int pi)
{
	uint64_t h = ct_key_hash(t, k, pi);
	uint32_t i = ct_cache_slot(h), tag = ct_cache_tag(h);
	uint16_t c;

	if ((c = ct_cache_cell(t->cache[i], tag)) != 0 && ct_cell_matches(t, &t->cells[c], pi, k))
		return c;
	if ((c = ct_cache_cell(t->cache[i + 1], tag)) != 0 && ct_cell_matches(t, &t->cells[c], pi, k))
		return c;
	return 0;
}

static void
ct_cell_unref(struct ct_table *t, uint16_t idx)
{
	struct ct_cell *c = &t->cells[idx];

	c->meta -= 1u << 10;
	if (CELL_REFS(c) > 0)
		return;
	if (CELL_KIND(c) == CT_A_EXT) {
		t->ext_bytes -= ct_cell_auth_len(t, c);
		ct_ext_del(t, c);
	}
	c->meta = 0;
	memcpy(c->client, &t->cfree, sizeof(t->cfree));
	t->cfree = idx;
}

/* Would a cell for the key (prefix index pi, -1 for a new prefix) fit? */
static bool
ct_cell_room(const struct ct_table *t, struct ct_key *k, int pi)
{
	if (k->auth_len == 0 || k->auth_len == CT_AUTH_INLINE)
		return true;
	if (pi >= 0 && ct_cell_find(t, k, pi))
		return true;	/* shared: costs nothing */
	return t->ext_bytes + k->auth_len <= CT_EXT_BUDGET;
}

/* The cell for the key with one more reference: shared if the cache
 * knows it, else a new one (remembered in the cache). 0 if the
 * authenticator budget is spent. */
static uint16_t
ct_cell_ref(struct ct_table *t, struct ct_key *k, int pi)
{
	struct ct_cell *c;
	uint32_t slot, ei;
	uint16_t idx = ct_cell_find(t, k, pi);

	if (idx) {
		t->cells[idx].meta += 1u << 10;
		return idx;
	}
	if (!ct_cell_room(t, k, pi))
		return 0;
	if (t->cfree) {
		idx = t->cfree;
		memcpy(&t->cfree, t->cells[idx].client, sizeof(t->cfree));
	} else {
		assert(t->ncells < t->cells_cap);
		idx = (uint16_t)t->ncells++;
	}
	c = &t->cells[idx];
	memcpy(c->client, k->client, 16);
	if (k->auth_len == CT_AUTH_INLINE) {
		memcpy(c->a, k->auth, CT_AUTH_INLINE);
		c->meta = CELL_META(pi, CT_A_INLINE, 1);
	} else if (k->auth_len) {
		uint8_t *p = xmalloc(2 + k->auth_len);

		p[0] = (uint8_t)(k->auth_len >> 8);
		p[1] = (uint8_t)k->auth_len;
		memcpy(p + 2, k->auth, k->auth_len);
		ei = ct_ext_add(t, p);
		memcpy(c->a, &ei, sizeof(ei));
		t->ext_bytes += k->auth_len;
		c->meta = CELL_META(pi, CT_A_EXT, 1);
	} else
		c->meta = CELL_META(pi, CT_A_NONE, 1);
	/* Most recent first in the cache pair: the previous first moves to
	 * the second way. */
	slot = ct_cache_slot(ct_key_hash(t, k, pi));
	t->cache[slot + 1] = t->cache[slot];
	t->cache[slot] = ct_cache_tag(ct_key_hash(t, k, pi)) << 16 | idx;
	return idx;
}

enum ct_err
ct_set_auth(struct ct_table *t, uint16_t port, const uint8_t *auth, size_t len)
{
	struct ct_slot *s;
	struct ct_cell *c;
	struct ct_key k;
	uint8_t client[16];
	uint16_t idx;
	int pi;

	if (!ct_port_used(t, port))
		return CT_E_PORT_RANGE;
	if (len > CT_MAX_AUTH || len % 2)
		return CT_E_AUTH;
	s = &t->slots[port];
	c = &t->cells[s->cell];
	if (ct_cell_same_auth(t, c, auth, len))
		return CT_OK;
	memcpy(client, c->client, 16);	/* c may be reused once unreferenced */
	pi = CELL_PREFIX(c);
	ct_key_init(&k, t->prefixes[pi], client, s->client_port, auth, len);
	k.pi = pi;
	if ((idx = ct_cell_ref(t, &k, pi)) == 0)
		return CT_E_AUTH_POOL;
	ct_cell_unref(t, s->cell);
	s->cell = idx;
	return CT_OK;
}

/* --- insert / remove --------------------------------------------------- */

bool
ct_can_insert_key(const struct ct_table *t, struct ct_key *k)
{
	int pi;

	if (k->auth_len > CT_MAX_AUTH || k->auth_len % 2)
		return false;
	pi = ct_key_prefix(t, k);
	if (pi < 0 && t->nprefixes >= CT_MAX_PREFIXES)
		return false;
	return ct_cell_room(t, k, pi);
}

enum ct_err
ct_insert_key(struct ct_table *t, uint16_t port, struct ct_key *k, uint32_t now_s)
{
	struct ct_slot *s;
	uint32_t h;
	uint16_t ci;
	int pi;

	if (port == 0)
		return CT_E_PORT_RANGE;
	if (t->slots[port].cell)
		return CT_E_PORT_USED;
	if (t->count >= t->capacity)
		return CT_E_FULL;
	if (k->auth_len > CT_MAX_AUTH || k->auth_len % 2)
		return CT_E_AUTH;
	if (ct_find_key(t, k))
		return CT_E_CLIENT_EXISTS;
	pi = ct_key_prefix(t, k);
	if (pi < 0 && t->nprefixes >= CT_MAX_PREFIXES)
		return CT_E_PREFIXES;
	if (!ct_cell_room(t, k, pi))
		return CT_E_AUTH_POOL;
	if (pi < 0) {
		pi = t->nprefixes++;
		memcpy(t->prefixes[pi], k->prefix, 12);
		k->pi = pi;
	}
	if ((ci = ct_cell_ref(t, k, pi)) == 0)
		return CT_E_AUTH_POOL;
	s = &t->slots[port];
	s->client_port = k->client_port;
	s->cell = ci;
	h = ct_bucket(ct_key_hash(t, k, pi), k->client_port);
	s->hnext = t->hhead[h];
	t->hhead[h] = port;
	ct_lru_push_new(t, port);
	t->count++;
	t->stamp = now_s;
	return CT_OK;
}

enum ct_err
ct_insert(struct ct_table *t, uint16_t port, const uint8_t prefix[12], const uint8_t client[16],
    uint16_t client_port, const uint8_t *auth, size_t auth_len, uint32_t now_s)
{
	struct ct_key k;

	ct_key_init(&k, prefix, client, client_port, auth, auth_len);
	return ct_insert_key(t, port, &k, now_s);
}

static uint32_t
ct_slot_bucket(const struct ct_table *t, const struct ct_slot *s)
{
	const struct ct_cell *c = &t->cells[s->cell];

	return ct_bucket(ct_hash_client(t, (uint8_t)CELL_PREFIX(c), c->client), s->client_port);
}

void
ct_remove(struct ct_table *t, uint16_t port)
{
	struct ct_slot *s;
	uint16_t *pp;
	uint32_t h;

	if (!ct_port_used(t, port))
		return;
	s = &t->slots[port];
	if (t->rm_port == port) {
		h = t->rm_hash;		/* the slot is unchanged since */
		t->rm_port = 0;
	} else
		h = ct_slot_bucket(t, s);
	for (pp = &t->hhead[h]; *pp; pp = &t->slots[*pp].hnext)
		if (*pp == port) {
			*pp = s->hnext;
			break;
		}
	ct_lru_unlink(t, port);
	ct_cell_unref(t, s->cell);
	memset(s, 0, sizeof(*s));
	t->unconf[port / 64] &= ~((uint64_t)1 << (port % 64));
	t->count--;
}

/* --- cache hints ------------------------------------------------------ */

/* Every step of a lookup is a likely cache miss (8 full tables are far
 * larger than the caches); these start the loads early so that they
 * overlap instead of following one another. */
void
ct_prefetch_key(const struct ct_table *t, struct ct_key *k, bool with_auth)
{
	int pi = ct_key_prefix(t, k);
	uint64_t h;

	if (pi < 0)
		return;
	h = ct_key_hash(t, k, pi);
	CT_PREFETCH(&t->hhead[ct_bucket(h, k->client_port)]);
	if (with_auth)
		CT_PREFETCH(&t->cache[ct_cache_slot(h)]);
}

void
ct_prefetch_remove(struct ct_table *t, uint16_t port)
{
	const struct ct_slot *s;

	if (!ct_port_used(t, port))
		return;
	s = &t->slots[port];
	if (t->rm_port != port) {
		t->rm_hash = ct_slot_bucket(t, s);
		t->rm_port = port;
	}
	CT_PREFETCH(&t->hhead[t->rm_hash]);
}

void
ct_prefetch_new(struct ct_table *t, struct ct_key *k, uint16_t victim)
{
	uint16_t p;
	int pi;

	/* Level 1: the bucket heads the new entry and its victim walk, and
	 * the client-cache pair. */
	ct_prefetch_key(t, k, true);
	ct_prefetch_remove(t, victim);
	/* Level 2: the first element of the new key's chain and of the
	 * victim's (about one a bucket), and the cached cells. Reading the
	 * heads waits for the loads above, all at once. */
	pi = ct_key_prefix(t, k);
	if (pi >= 0 && k->hash_ok) {
		uint16_t c = ct_cache_cell(t->cache[ct_cache_slot(k->hash)], ct_cache_tag(k->hash));

		if ((p = t->hhead[ct_bucket(k->hash, k->client_port)]) != 0)
			CT_PREFETCH(&t->slots[p]);
		if (c)
			CT_PREFETCH(&t->cells[c]);
	}
	if (t->rm_port == victim && ct_port_used(t, victim) &&
	    (p = t->hhead[t->rm_hash]) != 0 && p != victim)
		CT_PREFETCH(&t->slots[p]);
}

/* --- port choice (§10) ------------------------------------------------- */

bool
ct_port_allowed(uint16_t port, const uint16_t *avoid, size_t n)
{
	size_t i;

	if (port < CT_MIN_PORT || port == HW_TEREDO_PORT)
		return false;
	for (i = 0; i < n; i++)
		if (avoid[i] == port)
			return false;
	return true;
}

uint16_t
ct_pick_port(const struct ct_table *t, const uint16_t *avoid, size_t n,
    uint32_t (*rnd)(void *), void *rnd_arg)
{
	const uint32_t span = 65536 - CT_MIN_PORT;
	uint32_t i, start;
	uint16_t p;

	/* Random probes find a free port at once while the table is not
	 * nearly full; then a scan from a random start guarantees an answer. */
	for (i = 0; i < 64; i++) {
		p = (uint16_t)(CT_MIN_PORT + rnd(rnd_arg) % span);
		if (!t->slots[p].cell && ct_port_allowed(p, avoid, n))
			return p;
	}
	start = rnd(rnd_arg) % span;
	for (i = 0; i < span; i++) {
		p = (uint16_t)(CT_MIN_PORT + (start + i) % span);
		if (!t->slots[p].cell && ct_port_allowed(p, avoid, n))
			return p;
	}
	return 0;
}
