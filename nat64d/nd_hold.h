/* nd_hold.h — packets held while a handoff server is asked (issue 4,
 * draft §8: "a way to hold a packet while asking a server").
 *
 * Bounded by packet count and bytes; every packet carries the caller's
 * 64-bit key (e.g. a hash of server IPv4 + client IPv6 + port) and a
 * deadline. nd_hold_release() hands back, oldest first, every packet held
 * under a key once the answer came; nd_hold_expire() drops what waited
 * too long (the caller may then translate it the standard way or send an
 * ICMP error). FIFO order = deadline order, so expiry is O(expired).
 * Not yet used by the packet path: the standard NAT64 never holds.
 */
#ifndef ND_HOLD_H
#define ND_HOLD_H

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
unsigned nd_hold_expire(struct nd_hold *h, const struct clk_now *now, nd_hold_cb *cb, void *arg);
size_t nd_hold_count(const struct nd_hold *h);
const struct nd_hold_counters *nd_hold_counters(const struct nd_hold *h);

#endif
