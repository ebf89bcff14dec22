/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* nd_hold.h — bounded queues of held packets: fragments waiting for their
 * first fragment (path.c), packets waiting while a handoff server is
 * asked (draft §8), and the gateway's queue of packets to process again
 * (gw.c drains it: hairpinned, released and returned packets).
 *
 * Bounded by packet count and bytes; every packet carries the caller's
 * 64-bit key (e.g. a hash of server IPv4 + client IPv6 + port) and a
 * deadline. nd_hold_release() hands back, oldest first, every packet held
 * under a key once the answer came; nd_hold_expire() drops what waited
 * too long (the caller may then translate it the standard way or send an
 * ICMP error). FIFO order = deadline order, so expiry is O(expired).
 */
#ifndef ND_HOLD_H
#define ND_HOLD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/virtio_net.h>

#include "clock.h"

struct nd_hold;

struct nd_hold_counters {
	uint64_t held, released, expired, full;
};

typedef void nd_hold_cb(void *arg, uint64_t key, uint8_t *pkt, size_t len,
    struct virtio_net_hdr *vh, const struct clk_now *now);

struct nd_hold *nd_hold_new(size_t max_pkts, size_t max_bytes, uint64_t ttl_ms);
void nd_hold_free(struct nd_hold *h);
/* Copy a packet in; -1 when a bound would be exceeded (counted). */
int nd_hold_put(struct nd_hold *h, uint64_t key, const uint8_t *pkt, size_t len,
    const struct virtio_net_hdr *vh, const struct clk_now *now);
unsigned nd_hold_release(struct nd_hold *h, uint64_t key, nd_hold_cb *cb, void *arg,
    const struct clk_now *now);
/* Move every packet of key, oldest first, to the tail of `to` under newkey
 * (`to`'s bounds are not checked: h's bounded them). Returns how many. */
unsigned nd_hold_move(struct nd_hold *h, uint64_t key, struct nd_hold *to, uint64_t newkey);
/* Move all of `from`, in order, in front of `to`'s head. */
void nd_hold_prepend(struct nd_hold *to, struct nd_hold *from);
/* Take the oldest packet: 1 (copied into buf), 0 (empty), -1 (larger than
 * cap: dropped). */
int nd_hold_pop(struct nd_hold *h, uint64_t *key, uint8_t *buf, size_t cap, size_t *len,
    struct virtio_net_hdr *vh);
unsigned nd_hold_expire(struct nd_hold *h, const struct clk_now *now, nd_hold_cb *cb, void *arg);
/* Take the oldest packet if its time is up, as nd_hold_pop (counted as
 * expired): the caller answers it without a callback. */
int nd_hold_pop_expired(struct nd_hold *h, const struct clk_now *now, uint8_t *buf, size_t cap,
    size_t *len);
size_t nd_hold_count(const struct nd_hold *h);
/* Is a packet held under key? (O(held)) */
bool nd_hold_has(const struct nd_hold *h, uint64_t key);
/* New bounds and lifetime for what is put from now on (held packets keep
 * their deadlines; more than the new bounds stay until they leave). */
void nd_hold_set_limits(struct nd_hold *h, size_t max_pkts, size_t max_bytes, uint64_t ttl_ms);
const struct nd_hold_counters *nd_hold_counters(const struct nd_hold *h);

#endif
