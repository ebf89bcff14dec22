/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* frag.c — fragment tracking; see nd_frag.h. */
#include "nd_frag.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

void
nd_frag_init(struct nd_frags *f)
{
	memset(f, 0, sizeof(*f));
	if (sodium_init() < 0)
		abort();
	randombytes_buf(f->hkey, sizeof(f->hkey));
}

static struct nd_frag_slot *
nd_frag_slot(struct nd_frags *f, const uint8_t *key, size_t klen)
{
	uint8_t h[crypto_shorthash_BYTES];
	uint32_t i;

	crypto_shorthash(h, key, klen, f->hkey);
	memcpy(&i, h, sizeof(i));
	return &f->slot[i % ND_FRAG_SLOTS];
}

void
nd_frag_put(struct nd_frags *f, const uint8_t *key, size_t klen, const uint8_t *val,
    size_t vlen, const struct clk_now *now)
{
	struct nd_frag_slot *s;

	if (klen > ND_FRAG_KEYMAX || vlen > ND_FRAG_VALMAX)
		return;
	s = nd_frag_slot(f, key, klen);
	memcpy(s->key, key, klen);
	s->klen = (uint8_t)klen;
	memcpy(s->val, val, vlen);
	s->expires_ms = now->mono_ms + ND_FRAG_TTL_MS;
	f->stored++;
}

bool
nd_frag_get(struct nd_frags *f, const uint8_t *key, size_t klen, uint8_t *val,
    size_t vlen, const struct clk_now *now)
{
	struct nd_frag_slot *s;

	if (klen > ND_FRAG_KEYMAX || vlen > ND_FRAG_VALMAX)
		return false;
	s = nd_frag_slot(f, key, klen);
	if (s->klen != klen || memcmp(s->key, key, klen) || s->expires_ms <= now->mono_ms) {
		f->missed++;
		return false;
	}
	memcpy(val, s->val, vlen);
	f->found++;
	return true;
}
