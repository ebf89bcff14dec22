/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* hold.c — bounded queues of held packets; see nd_hold.h. */
#include "nd_hold.h"

#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

struct nd_held {
	struct nd_held *next;
	uint64_t key;
	uint64_t deadline_ms;
	struct virtio_net_hdr vh;
	size_t len;
	uint8_t pkt[];
};

struct nd_hold {
	struct nd_held *head, **tail;
	size_t n, bytes, max_pkts, max_bytes;
	uint64_t ttl_ms;
	struct nd_hold_counters c;
};

struct nd_hold *
nd_hold_new(size_t max_pkts, size_t max_bytes, uint64_t ttl_ms)
{
	struct nd_hold *h = xcalloc(1, sizeof(*h));

	h->tail = &h->head;
	h->max_pkts = max_pkts;
	h->max_bytes = max_bytes;
	h->ttl_ms = ttl_ms;
	return h;
}

void
nd_hold_free(struct nd_hold *h)
{
	struct nd_held *p;

	if (!h)
		return;
	while ((p = h->head)) {
		h->head = p->next;
		free(p);
	}
	free(h);
}

int
nd_hold_put(struct nd_hold *h, uint64_t key, const uint8_t *pkt, size_t len,
    const struct virtio_net_hdr *vh, const struct clk_now *now)
{
	struct nd_held *p;

	if (h->n + 1 > h->max_pkts || h->bytes + len > h->max_bytes) {
		h->c.full++;
		return -1;
	}
	p = xmalloc(sizeof(*p) + len);
	p->next = NULL;
	p->key = key;
	p->deadline_ms = now->mono_ms + h->ttl_ms;
	if (vh)
		p->vh = *vh;
	else
		memset(&p->vh, 0, sizeof(p->vh));
	p->len = len;
	memcpy(p->pkt, pkt, len);
	*h->tail = p;
	h->tail = &p->next;
	h->n++;
	h->bytes += len;
	h->c.held++;
	return 0;
}

/* Unlink *pp (p), fix the tail, hand it to cb, free it. */
static void
hold_take(struct nd_hold *h, struct nd_held **pp, nd_hold_cb *cb, void *arg,
    const struct clk_now *now)
{
	struct nd_held *p = *pp;

	*pp = p->next;
	if (h->tail == &p->next)
		h->tail = pp;
	h->n--;
	h->bytes -= p->len;
	if (cb)
		cb(arg, p->key, p->pkt, p->len, &p->vh, now);
	free(p);
}

unsigned
nd_hold_move(struct nd_hold *h, uint64_t key, struct nd_hold *to, uint64_t newkey)
{
	struct nd_held **pp = &h->head, *p;
	unsigned n = 0;

	while (*pp) {
		if ((*pp)->key == key) {
			p = *pp;
			*pp = p->next;
			if (h->tail == &p->next)
				h->tail = pp;
			h->n--;
			h->bytes -= p->len;
			p->next = NULL;
			p->key = newkey;
			*to->tail = p;
			to->tail = &p->next;
			to->n++;
			to->bytes += p->len;
			n++;
		} else
			pp = &(*pp)->next;
	}
	h->c.released += n;
	return n;
}

/* The packets of key are detached first and handed out afterwards, so a
 * callback may put packets into this queue again. */
unsigned
nd_hold_release(struct nd_hold *h, uint64_t key, nd_hold_cb *cb, void *arg,
    const struct clk_now *now)
{
	struct nd_hold out = { .head = NULL };
	struct nd_held *p;
	unsigned n;

	out.tail = &out.head;
	n = nd_hold_move(h, key, &out, key);
	while ((p = out.head) != NULL) {
		out.head = p->next;
		if (cb)
			cb(arg, p->key, p->pkt, p->len, &p->vh, now);
		free(p);
	}
	return n;
}

void
nd_hold_prepend(struct nd_hold *to, struct nd_hold *from)
{
	if (!from->head)
		return;
	*from->tail = to->head;
	if (!to->head)
		to->tail = from->tail;
	to->head = from->head;
	to->n += from->n;
	to->bytes += from->bytes;
	from->head = NULL;
	from->tail = &from->head;
	from->n = 0;
	from->bytes = 0;
}

int
nd_hold_pop(struct nd_hold *h, uint64_t *key, uint8_t *buf, size_t cap, size_t *len,
    struct virtio_net_hdr *vh)
{
	struct nd_held *p = h->head;
	int r = 0;

	if (!p)
		return 0;
	h->head = p->next;
	if (!h->head)
		h->tail = &h->head;
	h->n--;
	h->bytes -= p->len;
	if (p->len <= cap) {
		*key = p->key;
		*len = p->len;
		*vh = p->vh;
		memcpy(buf, p->pkt, p->len);
		r = 1;
	} else
		r = -1;
	free(p);
	return r;
}

unsigned
nd_hold_expire(struct nd_hold *h, const struct clk_now *now, nd_hold_cb *cb, void *arg)
{
	unsigned n = 0;

	while (h->head && h->head->deadline_ms <= now->mono_ms) {
		hold_take(h, &h->head, cb, arg, now);
		n++;
	}
	h->c.expired += n;
	return n;
}

size_t
nd_hold_count(const struct nd_hold *h)
{
	return h->n;
}

int
nd_hold_pop_expired(struct nd_hold *h, const struct clk_now *now, uint8_t *buf, size_t cap,
    size_t *len)
{
	struct virtio_net_hdr vh;
	uint64_t key;

	if (!h->head || h->head->deadline_ms > now->mono_ms)
		return 0;
	h->c.expired++;
	return nd_hold_pop(h, &key, buf, cap, len, &vh);
}

bool
nd_hold_has(const struct nd_hold *h, uint64_t key)
{
	const struct nd_held *p;

	for (p = h->head; p; p = p->next)
		if (p->key == key)
			return true;
	return false;
}

void
nd_hold_set_limits(struct nd_hold *h, size_t max_pkts, size_t max_bytes, uint64_t ttl_ms)
{
	h->max_pkts = max_pkts;
	h->max_bytes = max_bytes;
	h->ttl_ms = ttl_ms;
}

const struct nd_hold_counters *
nd_hold_counters(const struct nd_hold *h)
{
	return &h->c;
}
