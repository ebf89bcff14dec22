/* conntable.c — see conntable.h. */
#include "conntable.h"
#include "handoff_wire.h"
#include "xalloc.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define CT_SLOTS	65536
#define CT_HBITS	16
#define CT_HBUCKETS	(1u << CT_HBITS)
#define CT_ABITS	16
#define CT_ABUCKETS	(1u << CT_ABITS)
#define CT_AUTH_INLINE	24
#define CT_AUTH_MAX_RECS 65535
#define CT_EXT_BUDGET	(2u << 20)	/* octets of authenticators over 24 per table */

#define CT_USED		1
#define CT_UNCONFIRMED	2

struct ct_slot {		/* 32 octets */
	uint8_t client[16];
	uint16_t client_port;
	uint16_t lru_prev;	/* older neighbour's port, 0 = none */
	uint16_t lru_next;	/* newer neighbour's port, 0 = none */
	uint16_t hnext;		/* next port in the client-hash bucket */
	uint16_t auth;		/* authenticator record index, 0 = none */
	uint8_t prefix;		/* index into prefixes[] */
	uint8_t used;		/* CT_USED, | CT_UNCONFIRMED */
	uint32_t last_used;
};

struct ct_auth {		/* 32 octets */
	uint16_t refs;		/* 0: on the free list */
	uint16_t len;
	uint16_t hnext;		/* bucket chain, or free-list link */
	uint16_t bucket;	/* its ahead[] bucket (no rehash on release) */
	union {
		uint8_t inl[CT_AUTH_INLINE];
		uint8_t *ext;
	} d;
};

struct ct_table {
	uint32_t capacity;
	uint32_t count;
	uint16_t lru_old, lru_new;
	uint8_t key[crypto_shorthash_KEYBYTES];
	struct ct_slot *slots;		/* CT_SLOTS, calloc'd */
	uint16_t *hhead;		/* CT_HBUCKETS */
	uint8_t nprefixes;
	uint8_t prefixes[CT_MAX_PREFIXES][12];
	struct ct_auth *auths;		/* [0] unused */
	uint32_t nauths, auths_cap;
	uint16_t afree;
	uint16_t *ahead;		/* CT_ABUCKETS */
	size_t ext_bytes;
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
	t->ahead = xcalloc(CT_ABUCKETS, sizeof(*t->ahead));
	t->nauths = 1;
	return t;
}

void
ct_destroy(struct ct_table *t)
{
	uint32_t i;

	if (t == NULL)
		return;
	for (i = 1; i < t->nauths; i++)
		if (t->auths[i].refs && t->auths[i].len > CT_AUTH_INLINE)
			free(t->auths[i].d.ext);
	free(t->auths);
	free(t->ahead);
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
	    CT_ABUCKETS * sizeof(*t->ahead) + t->auths_cap * sizeof(*t->auths) + t->ext_bytes;
}

static uint32_t
ct_hash_client(const struct ct_table *t, uint8_t prefix, const uint8_t client[16], uint16_t cport)
{
	uint8_t in[19], out[crypto_shorthash_BYTES];

	in[0] = prefix;
	memcpy(in + 1, client, 16);
	in[17] = (uint8_t)(cport >> 8);
	in[18] = (uint8_t)cport;
	crypto_shorthash(out, in, sizeof(in), t->key);
	return (uint32_t)(out[0] | out[1] << 8 | out[2] << 16) & (CT_HBUCKETS - 1);
}

static uint32_t
ct_hash_auth(const struct ct_table *t, const uint8_t *a, size_t len)
{
	uint8_t out[crypto_shorthash_BYTES];

	crypto_shorthash(out, a, len, t->key);
	return (uint32_t)(out[0] | out[1] << 8) & (CT_ABUCKETS - 1);
}

/* The hashes of a ct_key, computed at most once each (the prefix index
 * once the prefix is known to the table: prefixes are never removed). */
static uint32_t
ct_key_chash(const struct ct_table *t, struct ct_key *k, int pi)
{
	if (!k->chash_ok || k->chash_pi != pi) {
		k->chash = ct_hash_client(t, (uint8_t)pi, k->client, k->client_port);
		k->chash_pi = pi;
		k->chash_ok = true;
	}
	return k->chash;
}

static uint32_t
ct_key_ahash(const struct ct_table *t, struct ct_key *k)
{
	if (!k->ahash_ok) {
		k->ahash = ct_hash_auth(t, k->auth, k->auth_len);
		k->ahash_ok = true;
	}
	return k->ahash;
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

static const uint8_t *
ct_auth_bytes(const struct ct_auth *a)
{
	return a->len > CT_AUTH_INLINE ? a->d.ext : a->d.inl;
}

uint16_t
ct_find_key(const struct ct_table *t, struct ct_key *k)
{
	int pi = ct_key_prefix(t, k);
	uint16_t p;

	if (pi < 0)
		return 0;
	for (p = t->hhead[ct_key_chash(t, k, pi)]; p; p = t->slots[p].hnext) {
		const struct ct_slot *s = &t->slots[p];

		if (s->client_port == k->client_port && s->prefix == pi &&
		    memcmp(s->client, k->client, 16) == 0)
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
	return port != 0 && t->slots[port].used;
}

void
ct_set_unconfirmed(struct ct_table *t, uint16_t port, bool on)
{
	if (ct_port_used(t, port))
		t->slots[port].used = on ? CT_USED | CT_UNCONFIRMED : CT_USED;
}

bool
ct_unconfirmed(const struct ct_table *t, uint16_t port)
{
	return ct_port_used(t, port) && (t->slots[port].used & CT_UNCONFIRMED);
}

bool
ct_get(const struct ct_table *t, uint16_t port, struct ct_view *out)
{
	const struct ct_slot *s;

	if (!ct_port_used(t, port))
		return false;
	s = &t->slots[port];
	out->port = port;
	out->prefix = t->prefixes[s->prefix];
	out->client = s->client;
	out->client_port = s->client_port;
	out->last_used = s->last_used;
	if (s->auth) {
		out->auth = ct_auth_bytes(&t->auths[s->auth]);
		out->auth_len = t->auths[s->auth].len;
	} else {
		out->auth = NULL;
		out->auth_len = 0;
	}
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
	t->slots[port].last_used = now_s;
	if (t->lru_new == port)
		return;
	ct_lru_unlink(t, port);
	ct_lru_push_new(t, port);
}

/* --- authenticator pool ------------------------------------------------ */

static void
ct_auth_unref(struct ct_table *t, uint16_t idx)
{
	struct ct_auth *a;
	uint16_t *pp;

	if (idx == 0)
		return;
	a = &t->auths[idx];
	if (--a->refs > 0)
		return;
	for (pp = &t->ahead[a->bucket]; *pp; pp = &t->auths[*pp].hnext)
		if (*pp == idx) {
			*pp = a->hnext;
			break;
		}
	if (a->len > CT_AUTH_INLINE) {
		free(a->d.ext);
		t->ext_bytes -= a->len;
	}
	a->len = 0;
	a->hnext = t->afree;
	t->afree = idx;
}

/* The record holding the key's authenticator, or 0. */
static uint16_t
ct_auth_find(const struct ct_table *t, struct ct_key *k)
{
	uint16_t idx;

	for (idx = t->ahead[ct_key_ahash(t, k)]; idx; idx = t->auths[idx].hnext) {
		const struct ct_auth *a = &t->auths[idx];

		if (a->len == k->auth_len && memcmp(ct_auth_bytes(a), k->auth, k->auth_len) == 0)
			return idx;
	}
	return 0;
}

/* Find or add a record for the key's authenticator; returns its index
 * with one more reference, 0 for an empty authenticator, or -1 when the
 * pool is full. */
static int
ct_auth_ref(struct ct_table *t, struct ct_key *k)
{
	struct ct_auth *a;
	size_t len = k->auth_len;
	uint32_t h;
	uint16_t idx;

	if (len == 0)
		return 0;
	idx = ct_auth_find(t, k);
	if (idx) {
		t->auths[idx].refs++;
		return idx;
	}
	h = ct_key_ahash(t, k);
	if (len > CT_AUTH_INLINE && t->ext_bytes + len > CT_EXT_BUDGET)
		return -1;
	if (t->afree) {
		idx = t->afree;
		t->afree = t->auths[idx].hnext;
	} else {
		if (t->nauths >= CT_AUTH_MAX_RECS)
			return -1;
		if (t->nauths >= t->auths_cap) {
			uint32_t n = t->auths_cap ? t->auths_cap * 2 : 64;

			if (n > CT_AUTH_MAX_RECS + 1)
				n = CT_AUTH_MAX_RECS + 1;
			t->auths = xreallocarray(t->auths, n, sizeof(*t->auths));
			memset(t->auths + t->auths_cap, 0, (n - t->auths_cap) * sizeof(*t->auths));
			t->auths_cap = n;
		}
		idx = (uint16_t)t->nauths++;
	}
	a = &t->auths[idx];
	a->refs = 1;
	a->len = (uint16_t)len;
	if (len > CT_AUTH_INLINE) {
		a->d.ext = xmalloc(len);
		memcpy(a->d.ext, k->auth, len);
		t->ext_bytes += len;
	} else
		memcpy(a->d.inl, k->auth, len);
	a->bucket = (uint16_t)h;
	a->hnext = t->ahead[h];
	t->ahead[h] = idx;
	return idx;
}

enum ct_err
ct_set_auth(struct ct_table *t, uint16_t port, const uint8_t *auth, size_t len)
{
	struct ct_slot *s;
	struct ct_key k;
	int idx;

	if (!ct_port_used(t, port))
		return CT_E_PORT_RANGE;
	if (len > CT_MAX_AUTH)
		return CT_E_AUTH;
	s = &t->slots[port];
	if (s->auth && t->auths[s->auth].len == len &&
	    memcmp(ct_auth_bytes(&t->auths[s->auth]), auth, len) == 0)
		return CT_OK;
	ct_key_init(&k, NULL, NULL, 0, auth, len);
	idx = ct_auth_ref(t, &k);
	if (idx < 0)
		return CT_E_AUTH_POOL;
	ct_auth_unref(t, s->auth);
	s->auth = (uint16_t)idx;
	return CT_OK;
}

/* --- insert / remove --------------------------------------------------- */

bool
ct_can_insert_key(const struct ct_table *t, struct ct_key *k)
{
	if (k->auth_len > CT_MAX_AUTH)
		return false;
	if (ct_key_prefix(t, k) < 0 && t->nprefixes >= CT_MAX_PREFIXES)
		return false;
	if (k->auth_len == 0)
		return true;
	if (ct_auth_find(t, k))
		return true;	/* shared: costs nothing */
	if (k->auth_len > CT_AUTH_INLINE && t->ext_bytes + k->auth_len > CT_EXT_BUDGET)
		return false;
	return t->afree != 0 || t->nauths < CT_AUTH_MAX_RECS;
}

bool
ct_can_insert(const struct ct_table *t, const uint8_t prefix[12], const uint8_t *auth,
    size_t auth_len)
{
	struct ct_key k;

	ct_key_init(&k, prefix, NULL, 0, auth, auth_len);
	return ct_can_insert_key(t, &k);
}

enum ct_err
ct_insert_key(struct ct_table *t, uint16_t port, struct ct_key *k, uint32_t now_s)
{
	struct ct_slot *s;
	uint32_t h;
	int pi, ai;

	if (port < CT_MIN_PORT)
		return CT_E_PORT_RANGE;
	if (t->slots[port].used)
		return CT_E_PORT_USED;
	if (t->count >= t->capacity)
		return CT_E_FULL;
	if (k->auth_len > CT_MAX_AUTH)
		return CT_E_AUTH;
	if (ct_find_key(t, k))
		return CT_E_CLIENT_EXISTS;
	pi = ct_key_prefix(t, k);
	if (pi < 0) {
		if (t->nprefixes >= CT_MAX_PREFIXES)
			return CT_E_PREFIXES;
		pi = t->nprefixes++;
		memcpy(t->prefixes[pi], k->prefix, 12);
		k->pi = pi;
	}
	ai = ct_auth_ref(t, k);
	if (ai < 0)
		return CT_E_AUTH_POOL;
	s = &t->slots[port];
	memcpy(s->client, k->client, 16);
	s->client_port = k->client_port;
	s->prefix = (uint8_t)pi;
	s->auth = (uint16_t)ai;
	s->last_used = now_s;
	s->used = CT_USED;
	h = ct_key_chash(t, k, pi);
	s->hnext = t->hhead[h];
	t->hhead[h] = port;
	ct_lru_push_new(t, port);
	t->count++;
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
		h = ct_hash_client(t, s->prefix, s->client, s->client_port);
	for (pp = &t->hhead[h]; *pp; pp = &t->slots[*pp].hnext)
		if (*pp == port) {
			*pp = s->hnext;
			break;
		}
	ct_lru_unlink(t, port);
	ct_auth_unref(t, s->auth);
	memset(s, 0, sizeof(*s));
	t->count--;
}

/* --- cache hints ------------------------------------------------------ */

/* Every step of a chain walk is a likely cache miss (8 full tables are
 * far larger than the caches); these start the loads early so that they
 * overlap instead of following one another. */
void
ct_prefetch_key(const struct ct_table *t, struct ct_key *k, bool with_auth)
{
	int pi = ct_key_prefix(t, k);

	if (pi >= 0)
		CT_PREFETCH(&t->hhead[ct_key_chash(t, k, pi)]);
	if (with_auth && k->auth_len > 0)
		CT_PREFETCH(&t->ahead[ct_key_ahash(t, k)]);
}

void
ct_prefetch_remove(struct ct_table *t, uint16_t port)
{
	const struct ct_slot *s;

	if (!ct_port_used(t, port))
		return;
	s = &t->slots[port];
	if (t->rm_port != port) {
		t->rm_hash = ct_hash_client(t, s->prefix, s->client, s->client_port);
		t->rm_port = port;
	}
	CT_PREFETCH(&t->hhead[t->rm_hash]);
	if (s->auth) {
		CT_PREFETCH(&t->auths[s->auth]);
		CT_PREFETCH(&t->ahead[t->auths[s->auth].bucket]);
	}
}

void
ct_prefetch_new(struct ct_table *t, struct ct_key *k, uint16_t victim)
{
	uint16_t p, a;

	/* Level 1: the bucket heads of the four chains a new entry with an
	 * eviction walks (new client, new authenticator, the victim's
	 * client and authenticator). */
	ct_prefetch_key(t, k, true);
	ct_prefetch_remove(t, victim);
	/* Level 2: the first element of each chain (about one a bucket).
	 * Reading the heads waits for the loads above, all at once. */
	if (k->chash_ok && (p = t->hhead[k->chash]) != 0)
		CT_PREFETCH(&t->slots[p]);
	if (k->ahash_ok && (a = t->ahead[k->ahash]) != 0)
		CT_PREFETCH(&t->auths[a]);
	if (t->rm_port == victim && ct_port_used(t, victim)) {
		const struct ct_slot *s = &t->slots[victim];

		if ((p = t->hhead[t->rm_hash]) != 0 && p != victim)
			CT_PREFETCH(&t->slots[p]);
		if (s->auth && (a = t->ahead[t->auths[s->auth].bucket]) != 0 && a != s->auth)
			CT_PREFETCH(&t->auths[a]);
	}
}

/* --- port choice (§10) ------------------------------------------------- */

static bool
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
		if (!t->slots[p].used && ct_port_allowed(p, avoid, n))
			return p;
	}
	start = rnd(rnd_arg) % span;
	for (i = 0; i < span; i++) {
		p = (uint16_t)(CT_MIN_PORT + (start + i) % span);
		if (!t->slots[p].used && ct_port_allowed(p, avoid, n))
			return p;
	}
	return 0;
}

const char *
ct_strerror(enum ct_err e)
{
	switch (e) {
	case CT_OK: return "ok";
	case CT_E_FULL: return "table full";
	case CT_E_PORT_USED: return "port in use";
	case CT_E_PORT_RANGE: return "port out of range";
	case CT_E_PREFIXES: return "too many NAT64 prefixes";
	case CT_E_AUTH: return "authenticator too long";
	case CT_E_AUTH_POOL: return "authenticator pool exhausted";
	case CT_E_CLIENT_EXISTS: return "client already mapped";
	}
	return "unknown error";
}
