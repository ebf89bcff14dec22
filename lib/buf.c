/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* buf.c — see buf.h. */
#include "buf.h"

#include <string.h>

const uint8_t *
buf_get_n(struct buf_rd *r, size_t n)
{
	const uint8_t *p;

	if (r->err || n > r->len - r->off) {
		r->err = true;
		return NULL;
	}
	p = r->p + r->off;
	r->off += n;
	return p;
}

bool
buf_get_u8(struct buf_rd *r, uint8_t *v)
{
	const uint8_t *p = buf_get_n(r, 1);

	if (p == NULL)
		return false;
	*v = p[0];
	return true;
}

bool
buf_get_u16(struct buf_rd *r, uint16_t *v)
{
	const uint8_t *p = buf_get_n(r, 2);

	if (p == NULL)
		return false;
	*v = be16_load(p);
	return true;
}

bool
buf_get_u32(struct buf_rd *r, uint32_t *v)
{
	const uint8_t *p = buf_get_n(r, 4);

	if (p == NULL)
		return false;
	*v = be32_load(p);
	return true;
}

bool
buf_peek_u8(const struct buf_rd *r, size_t off, uint8_t *v)
{
	if (r->err || off >= r->len - r->off)
		return false;
	*v = r->p[r->off + off];
	return true;
}

uint8_t *
buf_put_n(struct buf_wr *w, size_t n)
{
	uint8_t *p;

	if (w->err || n > w->cap - w->off) {
		w->err = true;
		return NULL;
	}
	p = w->p + w->off;
	w->off += n;
	return p;
}

bool
buf_put_u8(struct buf_wr *w, uint8_t v)
{
	uint8_t *p = buf_put_n(w, 1);

	if (p == NULL)
		return false;
	p[0] = v;
	return true;
}

bool
buf_put_u16(struct buf_wr *w, uint16_t v)
{
	uint8_t *p = buf_put_n(w, 2);

	if (p == NULL)
		return false;
	be16_store(p, v);
	return true;
}

bool
buf_put_bytes(struct buf_wr *w, const void *src, size_t n)
{
	uint8_t *p = buf_put_n(w, n);

	if (p == NULL)
		return false;
	if (n)
		memcpy(p, src, n);
	return true;
}
