/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* ho_conntable.h — one control channel's connection tracking table.
 *
 * The authoritative table the server keeps for the connections between
 * one NAT64 address and one server address (draft §10). An entry maps a
 * NAT64-side port ("mapped port") to (NAT64 /96 prefix, client IPv6
 * address, client port) and remembers the client's authenticator, so
 * later answers can carry it. Entries are kept in least-recently-used
 * order; eviction policy (which LRU candidate to sacrifice) is the
 * caller's (channel.c), the table only offers the order.
 *
 * Memory (docs/BENCHMARKS.md has the byte count): a 65536-slot array
 * indexed by mapped port (10 octets a slot: client port, LRU links,
 * client-hash link, cell index; 640 KiB, pages touched only as ports are
 * used), a client hash of 65536 uint16 heads (about one entry a bucket in
 * a full table, as every chain step is a cache miss), and a pool of
 * client cells of 34 octets, one per (NAT64 prefix, client address,
 * authenticator) in use: up to 63 connections of a client share one
 * cell, found through a two-way cache of 8192 recent cells (cell index
 * and 16 more bits of the client hash, so a miss loads no cell; a cell
 * the cache lost is duplicated, which costs memory, never correctness).
 * Cells never outnumber entries. A bitmap of one bit per port (8 KiB)
 * holds the unconfirmed mark. No per-entry allocation; a 16-octet
 * authenticator (what NAT64s send) is kept in its cell, one of any other
 * length is allocated once, within a per-table budget of 2 MiB. The
 * table keeps no per-entry time: the LRU order is what eviction uses, and
 * ct_view.last_used is the time of the table's latest insert or touch.
 * The client hash is its own, not lib/htab: its links are 2-octet port
 * numbers inside the slot array (an htab node is 16 octets per entry, on
 * a table whose size is the per-channel memory figure), and its lookups
 * are the server's per-packet work (bench/handoffd_rate.sh).
 *
 * Time is passed in as wall-clock seconds (now_s): the table never reads
 * a clock. Network input never reaches an assert: every argument from a
 * packet is range-checked by the caller or rejected here with an error.
 */
#ifndef NK_CONNTABLE_H
#define NK_CONNTABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CT_MAX_CAPACITY		64508	/* per channel: the original server's table size */
#define CT_MIN_PORT		1024	/* the lowest port ct_pick_port chooses */
#define CT_MAX_PREFIXES		255	/* distinct /96 prefixes per channel */
#define CT_MAX_AUTH		510

struct ct_table;

enum ct_err {
	CT_OK = 0,
	CT_E_FULL,		/* count == capacity */
	CT_E_PORT_USED,		/* insert on a port that is in use */
	CT_E_PORT_RANGE,	/* port 0 */
	CT_E_PREFIXES,		/* too many distinct prefixes */
	CT_E_AUTH,		/* authenticator longer than 510 or odd */
	CT_E_AUTH_POOL,		/* authenticator budget spent */
	CT_E_CLIENT_EXISTS,	/* the client already has another port */
};

/* A read-only view of one entry; pointers valid until the table changes. */
struct ct_view {
	uint16_t port;
	const uint8_t *prefix;		/* 12 octets */
	const uint8_t *client;		/* 16 octets */
	uint16_t client_port;
	const uint8_t *auth;		/* auth_len octets (may be 0) */
	uint16_t auth_len;
	uint32_t last_used;		/* the table's latest insert or touch */
};

/* capacity 1..CT_MAX_CAPACITY; hash_key keys the client hash (SipHash). */
struct ct_table *ct_create(uint32_t capacity, const uint8_t hash_key[16]);
void ct_destroy(struct ct_table *t);

uint32_t ct_count(const struct ct_table *t);
uint32_t ct_capacity(const struct ct_table *t);
/* Bytes this table uses: its arrays, the cells touched so far (the pool
 * is mapped lazily) and out-of-line authenticators (status, benchmark). */
size_t ct_memory(const struct ct_table *t);
/* What a table of this capacity uses when full (16-octet authenticators;
 * others come on top, within their 2 MiB budget). */
size_t ct_memory_max(uint32_t capacity);

/* Mapped port of the client, or 0. */
uint16_t ct_find_client(const struct ct_table *t, const uint8_t prefix[12],
    const uint8_t client[16], uint16_t client_port);
bool ct_get(const struct ct_table *t, uint16_t port, struct ct_view *out);
bool ct_port_used(const struct ct_table *t, uint16_t port);
/* An entry whose journal record or audit line is not written yet
 * (channel.c answers it only once both are); cleared by ct_remove. */
void ct_set_unconfirmed(struct ct_table *t, uint16_t port, bool on);
bool ct_unconfirmed(const struct ct_table *t, uint16_t port);

/* Mark the entry on port used at now_s (moves it to the MRU end). */
void ct_touch(struct ct_table *t, uint16_t port, uint32_t now_s);
/* Replace the authenticator of the entry on port. */
enum ct_err ct_set_auth(struct ct_table *t, uint16_t port, const uint8_t *auth, size_t len);

/* Insert at the MRU end, on any port 1..65535 (a NAT64 may announce ports
 * below 1024; which ports are allowed is the caller's rule). The port
 * must be free, the client must have no
 * entry yet, and count < capacity. last_used = now_s. */
enum ct_err ct_insert(struct ct_table *t, uint16_t port, const uint8_t prefix[12],
    const uint8_t client[16], uint16_t client_port, const uint8_t *auth, size_t auth_len,
    uint32_t now_s);
void ct_remove(struct ct_table *t, uint16_t port);
/* The same operations on a prepared key: one client's (prefix, client,
 * port, authenticator), whose SipHash values and prefix index are
 * computed at most once however many calls it goes through (a new entry
 * is looked up, checked and inserted). The pointers must stay valid
 * while the key is used; a key belongs to one table. */
struct ct_key {
	const uint8_t *prefix, *client, *auth;
	size_t auth_len;
	uint16_t client_port;
	int pi;				/* prefix index, -1 until known */
	int hash_pi;
	bool hash_ok;
	uint64_t hash;			/* keyed hash of (prefix index, client) */
};

void ct_key_init(struct ct_key *k, const uint8_t prefix[12], const uint8_t client[16],
    uint16_t client_port, const uint8_t *auth, size_t auth_len);
uint16_t ct_find_key(const struct ct_table *t, struct ct_key *k);
/* Would the key's entry find room (prefix slot, and the 2 MiB budget for
 * authenticators of other lengths than 16 unless its cell is shared)? Ignores the
 * entry count: eviction makes room for that. */
bool ct_can_insert_key(const struct ct_table *t, struct ct_key *k);
enum ct_err ct_insert_key(struct ct_table *t, uint16_t port, struct ct_key *k, uint32_t now_s);

/* Cache hints, no effect on contents: start loading what looking the key
 * up (and, with_auth, finding its authenticator) will touch, and what
 * removing the entry on port will touch (its hash is kept for that). */
void ct_prefetch_key(const struct ct_table *t, struct ct_key *k, bool with_auth);
void ct_prefetch_remove(struct ct_table *t, uint16_t port);
/* Both, for a key about to be inserted in place of the entry on victim,
 * and one step further along each hash chain. */
void ct_prefetch_new(struct ct_table *t, struct ct_key *k, uint16_t victim);

/* LRU order: oldest entry's port (0 if empty), and the next newer one. */
uint16_t ct_lru_oldest(const struct ct_table *t);
uint16_t ct_lru_newer(const struct ct_table *t, uint16_t port);

/* A port the server may hand out itself (§10): 1024 or above (an entry
 * below is one a NAT64 announced), not 3544 (Teredo), not in avoid[]. */
bool ct_port_allowed(uint16_t port, const uint16_t *avoid, size_t n);

/* A random free port in 1024..65535 avoiding 3544 and the n ports in
 * avoid[]; 0 if none. rnd() returns uniform 32-bit values. */
uint16_t ct_pick_port(const struct ct_table *t, const uint16_t *avoid, size_t n,
    uint32_t (*rnd)(void *), void *rnd_arg);

#endif
