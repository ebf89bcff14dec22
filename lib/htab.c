/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* htab.c — see htab.h. */
#include "htab.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

void
htab_init(struct htab *t, size_t buckets)
{
	size_t n = 1;

	while (n < buckets)
		n <<= 1;
	t->b = xcalloc(n, sizeof(*t->b));
	t->mask = n - 1;
	t->count = 0;
	randombytes_buf(t->key, sizeof(t->key));
}

void
htab_free(struct htab *t)
{
	free(t->b);
	t->b = NULL;
	t->count = 0;
}

uint64_t
htab_hash(const struct htab *t, const void *key, size_t len)
{
	uint8_t out[crypto_shorthash_BYTES];
	uint64_t h;

	crypto_shorthash(out, key, len, t->key);
	memcpy(&h, out, sizeof(h));
	return h;
}

void
htab_insert(struct htab *t, struct htab_node *n, uint64_t hash)
{
	struct htab_node **b = &t->b[hash & t->mask];

	n->hash = hash;
	n->next = *b;
	*b = n;
	t->count++;
}

void
htab_remove(struct htab *t, struct htab_node *n)
{
	struct htab_node **pp;

	for (pp = &t->b[n->hash & t->mask]; *pp; pp = &(*pp)->next)
		if (*pp == n) {
			*pp = n->next;
			n->next = NULL;
			t->count--;
			return;
		}
}

struct htab_node *
htab_first(const struct htab *t, uint64_t hash)
{
	struct htab_node *n = t->b[hash & t->mask];

	while (n && n->hash != hash)
		n = n->next;
	return n;
}

struct htab_node *
htab_next(const struct htab_node *n, uint64_t hash)
{
	struct htab_node *m = n->next;

	while (m && m->hash != hash)
		m = m->next;
	return m;
}

struct htab_node *
htab_each(const struct htab *t, size_t *cursor, struct htab_node **next)
{
	struct htab_node *n = *next;

	while (n == NULL) {
		if (*cursor > t->mask)
			return NULL;
		n = t->b[(*cursor)++];
	}
	*next = n->next;
	return n;
}

struct htab_node *
htab_after(const struct htab *t, const struct htab_node *n)
{
	size_t i = 0;

	if (n) {
		if (n->next)
			return n->next;
		i = (n->hash & t->mask) + 1;
	}
	for (; i <= t->mask; i++)
		if (t->b[i])
			return t->b[i];
	return NULL;
}
