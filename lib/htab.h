/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* htab.h — one small chained hash table for the tables that are not hot
 * paths (channels, tokens, handoff servers and cached entries).
 *
 * Intrusive: the caller embeds a struct htab_node in its record and owns
 * the memory. Keys are hashed with SipHash-2-4 (libsodium's
 * crypto_shorthash) under a random per-table key, so a peer that picks
 * keys cannot aim many records at one bucket. The table stores each
 * node's 64-bit hash; a lookup walks one bucket and the caller compares
 * its own key, so a record may be keyed by any bytes:
 *
 *	uint64_t h = htab_hash(&t, &key, sizeof(key));
 *	for (n = htab_first(&t, h); n; n = htab_next(n, h))
 *		if (memcmp(&REC(n)->key, &key, sizeof(key)) == 0) ...
 *
 * The bucket count is a power of two fixed at init; the hot conntable and
 * BIB keep tables of their own, tuned and measured (see their headers).
 * Removing the current node inside htab_each()'s loop is safe.
 */
#ifndef NK_HTAB_H
#define NK_HTAB_H

#include <stddef.h>
#include <stdint.h>

struct htab_node {
	struct htab_node *next;
	uint64_t hash;
};

struct htab {
	struct htab_node **b;
	size_t mask;		/* buckets - 1 */
	size_t count;
	uint8_t key[16];
};

/* buckets is rounded up to a power of two (at least 1). Aborts on OOM. */
void htab_init(struct htab *t, size_t buckets);
void htab_free(struct htab *t);	/* the table only, not the records */

uint64_t htab_hash(const struct htab *t, const void *key, size_t len);
void htab_insert(struct htab *t, struct htab_node *n, uint64_t hash);
void htab_remove(struct htab *t, struct htab_node *n);

/* The nodes whose hash is `hash`, in no particular order. */
struct htab_node *htab_first(const struct htab *t, uint64_t hash);
struct htab_node *htab_next(const struct htab_node *n, uint64_t hash);

/* Every node once: start with *cursor = 0 and *next = NULL; returns the
 * next node or NULL at the end. The node returned (and only that one) may
 * be removed before the next call. */
struct htab_node *htab_each(const struct htab *t, size_t *cursor, struct htab_node **next);

/* Every node once, without a cursor: the node after n (NULL: the first);
 * NULL at the end. n must be in the table. */
struct htab_node *htab_after(const struct htab *t, const struct htab_node *n);

#define htab_entry(ptr, type, member) \
	((type *)(void *)((char *)(ptr) - offsetof(type, member)))

#endif
