/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* buf.h — bounds-checked readers and writers for wire data.
 *
 * Every parser of untrusted bytes goes through these. Errors are sticky:
 * after the first short read or overflowing write, every later call fails
 * too and ->err stays set, so a parser may read a whole header and check
 * once. Multi-byte integers are network byte order.
 */
#ifndef NK_BUF_H
#define NK_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct buf_rd {
	const uint8_t *p;
	size_t len;
	size_t off;
	bool err;
};

struct buf_wr {
	uint8_t *p;
	size_t cap;
	size_t off;
	bool err;
};

static inline void
buf_rd_init(struct buf_rd *r, const void *p, size_t len)
{
	r->p = p;
	r->len = len;
	r->off = 0;
	r->err = false;
}

static inline size_t
buf_left(const struct buf_rd *r)
{
	return r->err ? 0 : r->len - r->off;
}

/* Pointer to the next n bytes and advance, or NULL (and err) if short. */
const uint8_t *buf_get_n(struct buf_rd *r, size_t n);
bool buf_get_u8(struct buf_rd *r, uint8_t *v);
bool buf_get_u16(struct buf_rd *r, uint16_t *v);
bool buf_get_u32(struct buf_rd *r, uint32_t *v);
/* Peek at the byte at offset off from the cursor without advancing. */
bool buf_peek_u8(const struct buf_rd *r, size_t off, uint8_t *v);

static inline void
buf_wr_init(struct buf_wr *w, void *p, size_t cap)
{
	w->p = p;
	w->cap = cap;
	w->off = 0;
	w->err = false;
}

/* Reserve n bytes and return a pointer to them, or NULL (and err). */
uint8_t *buf_put_n(struct buf_wr *w, size_t n);
bool buf_put_u8(struct buf_wr *w, uint8_t v);
bool buf_put_u16(struct buf_wr *w, uint16_t v);
bool buf_put_bytes(struct buf_wr *w, const void *src, size_t n);

/* Plain big-endian loads/stores for already-bounds-checked memory. */
static inline uint16_t
be16_load(const uint8_t *p)
{
	return (uint16_t)((uint16_t)p[0] << 8 | p[1]);
}

static inline uint32_t
be32_load(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void
be16_store(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void
be32_store(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

#endif
