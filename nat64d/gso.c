/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* gso.c — virtio_net_hdr rewriting for translated super-packets; see nd_gso.h. */
#include "nd_gso.h"

#include <endian.h>
#include <string.h>

#include "buf.h"
#include "cksum.h"

bool
nd_gso_check(const struct virtio_net_hdr *vh, size_t len, size_t l4off, uint8_t proto, bool v6)
{
	uint8_t t;

	if (!vh)
		return true;
	if (vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
		size_t start = le16toh(vh->csum_start), off = le16toh(vh->csum_offset);

		if (start + off + 2 > len)
			return false;
	}
	t = vh->gso_type & ~VIRTIO_NET_HDR_GSO_ECN;
	if (t == VIRTIO_NET_HDR_GSO_NONE)
		return true;
	if (le16toh(vh->gso_size) == 0)
		return false;
	if (t == VIRTIO_NET_HDR_GSO_UDP_L4)
		return proto == 17 && (vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) &&
		    le16toh(vh->csum_start) == l4off && le16toh(vh->csum_offset) == 6;
	if (proto != 6)
		return false;
	if (!(vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) || le16toh(vh->csum_start) != l4off ||
	    le16toh(vh->csum_offset) != 16)
		return false;
	return v6 ? t == VIRTIO_NET_HDR_GSO_TCPV6 : t == VIRTIO_NET_HDR_GSO_TCPV4;
}

void
nd_gso_rewrite(struct virtio_net_hdr *vh, size_t old_l4off, size_t new_l4off, bool to4)
{
	uint8_t t;

	if (!vh)
		return;
	if (vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM)
		vh->csum_start = htole16((uint16_t)(le16toh(vh->csum_start) - old_l4off + new_l4off));
	if (vh->hdr_len && le16toh(vh->hdr_len) >= old_l4off)
		vh->hdr_len = htole16((uint16_t)(le16toh(vh->hdr_len) - old_l4off + new_l4off));
	t = vh->gso_type & ~VIRTIO_NET_HDR_GSO_ECN;
	if (t == VIRTIO_NET_HDR_GSO_TCPV4 || t == VIRTIO_NET_HDR_GSO_TCPV6)
		vh->gso_type = (uint8_t)((vh->gso_type & VIRTIO_NET_HDR_GSO_ECN) |
		    (to4 ? VIRTIO_NET_HDR_GSO_TCPV4 : VIRTIO_NET_HDR_GSO_TCPV6));
}

bool
nd_gso_resolve(struct virtio_net_hdr *vh, uint8_t *pkt, size_t len)
{
	size_t start, off;

	if (!vh || !(vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM))
		return true;
	start = le16toh(vh->csum_start);
	off = le16toh(vh->csum_offset);
	if (start + off + 2 > len)
		return false;
	be16_store(pkt + start + off, cksum_finish(cksum_add(0, pkt + start, len - start)));
	vh->flags &= (uint8_t)~VIRTIO_NET_HDR_F_NEEDS_CSUM;
	vh->csum_start = vh->csum_offset = 0;
	return true;
}

size_t
nd_gso_seglen(const struct virtio_net_hdr *vh, size_t len, size_t hdrlen)
{
	if (!nd_gso_is_gso(vh))
		return len;
	return hdrlen + le16toh(vh->gso_size);
}
