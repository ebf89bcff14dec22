/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* nd_gso.h — offload metadata of TUN packets (struct virtio_net_hdr).
 *
 * With IFF_VNET_HDR and TUNSETOFFLOAD the kernel hands nat64d TCP
 * super-packets (up to 64 KB, gso_type TCPV4/TCPV6, gso_size = MSS) whose
 * TCP/UDP checksum is left partial (NEEDS_CSUM: the field holds the
 * pseudo-header sum, csum_start/csum_offset say where the rest goes).
 * Translation rewrites the header once per super-packet: the L3 header
 * length changes, so csum_start and hdr_len move; TCPV6 <-> TCPV4; the
 * partial sum is adjusted for the new addresses like a full checksum.
 * Writing it back to TUN lets the kernel segment and checksum it.
 * UDP super-packets (GSO_UDP_L4, from GRO forwarding on the ingress
 * interface, "USO") are handled the same way, one read per burst.
 */
#ifndef ND_GSO_H
#define ND_GSO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/if_tun.h>
#include <linux/virtio_net.h>

/* Linux >= 6.2; older userspace headers (Debian 12's) lack them. */
#ifndef VIRTIO_NET_HDR_GSO_UDP_L4
#define VIRTIO_NET_HDR_GSO_UDP_L4	5
#endif
#ifndef TUN_F_USO4
#define TUN_F_USO4	0x20
#define TUN_F_USO6	0x40
#endif

static inline bool
nd_gso_partial(const struct virtio_net_hdr *vh)
{
	return vh && (vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM);
}

static inline bool
nd_gso_is_gso(const struct virtio_net_hdr *vh)
{
	return vh && (vh->gso_type & ~VIRTIO_NET_HDR_GSO_ECN) != VIRTIO_NET_HDR_GSO_NONE;
}

/* Validate the header against the packet (l4off = start of the L4 header,
 * proto its protocol, v6 the IP version). false: malformed, drop. */
bool nd_gso_check(const struct virtio_net_hdr *vh, size_t len, size_t l4off, uint8_t proto, bool v6);
/* Rewrite for a translated packet whose L4 header now starts at
 * new_l4off (was old_l4off); to4: the packet became IPv4. */
void nd_gso_rewrite(struct virtio_net_hdr *vh, size_t old_l4off, size_t new_l4off, bool to4);
/* Complete a partial checksum in software and clear NEEDS_CSUM (when the
 * packet must be read whole: ICMP quoting, fragmenting, hairpinning). */
bool nd_gso_resolve(struct virtio_net_hdr *vh, uint8_t *pkt, size_t len);
/* MSS-sized segment length of a GSO packet (header + gso_size), or len. */
size_t nd_gso_seglen(const struct virtio_net_hdr *vh, size_t len, size_t hdrlen);

#endif
