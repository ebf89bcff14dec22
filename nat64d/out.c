/* out.c — the bottom of the packet path: every packet nat64d writes goes
 * out here, counted (tx4/tx6, drop_tx). Calls nothing above it.
 *
 * UDP trains.
 * Under load nat64d reads bursts of small datagrams of one flow (a DNS
 * resolver, a game, QUIC, iperf3 -u). Writing each one to TUN makes the
 * kernel forward each one. When the device takes a virtio_net_hdr, the
 * consecutive translated datagrams of one flow (same addresses, ports,
 * TOS/TTL, equal sizes but the last) are written as ONE UDP super-packet
 * (VIRTIO_NET_HDR_GSO_UDP_L4, gso_size = the datagram payload) that the
 * kernel forwards once and splits at the far end (udp_rcv_segment) or at
 * the egress device: the same datagrams, one trip through the stack.
 *
 * Only datagrams whose checksum verifies are coalesced (the kernel
 * recomputes the segments' checksums, so a corrupted datagram must not be
 * laundered); anything else flushes the train and goes out alone, in order.
 */
#include "nd_path.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cksum.h"
#include "nd_gso.h"
#include "xalloc.h"

#define ND_TRAIN_MAXSEG		64
#define ND_TRAIN_MAXPAY		(65535 - ND_IP6_HLEN - 8)

struct nd_train {
	bool v6;
	size_t hl;
	uint8_t hdr[ND_IP6_HLEN];
	uint8_t udph[8];
	size_t seg;		/* payload octets of the first datagram */
	size_t plen;		/* payload octets in the train */
	int n;
	bool partial1;		/* the first datagram's checksum is partial */
	bool closed;		/* a shorter datagram ended it */
	uint8_t pay[ND_TRAIN_MAXPAY];
};

void
nd_out_init(struct nd_gw *gw)
{
	gw->train = xcalloc(1, sizeof(*gw->train));
}

void
nd_out_free(struct nd_gw *gw)
{
	free(gw->train);
	gw->train = NULL;
}

/* One write to the device; the caller counts. */
static int
out_write(struct nd_gw *gw, struct virtio_net_hdr *vh, const uint8_t *hdr, size_t hl,
    const uint8_t *body, size_t bl)
{
	return nd_dev_send(gw->dev, vh, hdr, hl, body, bl);
}

/* One write, counted. */
static void
out_emit(struct nd_gw *gw, struct virtio_net_hdr *vh, const uint8_t *hdr, size_t hl,
    const uint8_t *body, size_t bl, bool v6)
{
	if (out_write(gw, vh, hdr, hl, body, bl) == -1)
		gw->c.drop_tx++;
	else if (v6)
		gw->c.tx6++;
	else
		gw->c.tx4++;
}

static bool
batch_same_flow(const struct nd_train *t, const uint8_t *hdr, size_t hl, const uint8_t *udp, bool v6)
{
	if (t->v6 != v6 || t->hl != hl || memcmp(t->udph, udp, 4) != 0)
		return false;
	if (v6)	/* version/class/flow, next header, hop limit, addresses */
		return !memcmp(t->hdr, hdr, 4) && !memcmp(t->hdr + 6, hdr + 6, 34);
	/* TOS, DF, TTL, protocol, addresses */
	return t->hdr[1] == hdr[1] && (t->hdr[6] & 0x40) == (hdr[6] & 0x40) &&
	    t->hdr[8] == hdr[8] && t->hdr[9] == hdr[9] && !memcmp(t->hdr + 12, hdr + 12, 8);
}

/* The IP and UDP lengths of headers h for a UDP length of ulen. */
static void
train_lengths(const struct nd_train *t, uint8_t *h, uint32_t ulen)
{
	if (t->v6)
		be16_store(h + 4, (uint16_t)ulen);
	else {
		be16_store(h + 2, (uint16_t)(ND_IP4_HLEN + ulen));
		be16_store(h + 10, 0);
		be16_store(h + 10, cksum_finish(cksum_add(0, h, ND_IP4_HLEN)));
	}
	be16_store(h + t->hl + 4, (uint16_t)ulen);
}

static void
batch_split(struct nd_gw *gw, struct nd_train *t, uint8_t *h)
{
	size_t off = 0;

	while (off < t->plen) {
		size_t n = t->plen - off < t->seg ? t->plen - off : t->seg;
		uint32_t ulen = (uint32_t)(8 + n), s;

		train_lengths(t, h, ulen);
		be16_store(h + t->hl + 6, 0);
		s = t->v6 ? cksum_pseudo6(h + 8, h + 24, ND_PROTO_UDP, ulen) :
		    cksum_pseudo4(h + 12, h + 16, ND_PROTO_UDP, ulen);
		s = cksum_add(cksum_add(s, h + t->hl, 8), t->pay + off, n);
		be16_store(h + t->hl + 6, cksum_finish(s) ? cksum_finish(s) : 0xffff);
		out_emit(gw, NULL, h, t->hl + 8, t->pay + off, n, t->v6);
		off += n;
	}
}

void
nd_out_flush(struct nd_gw *gw)
{
	struct nd_train *t = gw->train;
	struct virtio_net_hdr vh;
	uint8_t h[ND_IP6_HLEN + 8];
	uint32_t ulen;

	if (!t || t->n == 0)
		return;
	memcpy(h, t->hdr, t->hl);
	memcpy(h + t->hl, t->udph, 8);
	if (t->n == 1) {		/* alone: exactly as translated */
		t->n = 0;
		memset(&vh, 0, sizeof(vh));
		if (t->partial1) {
			vh.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
			vh.csum_start = (uint16_t)t->hl;
			vh.csum_offset = 6;
		}
		out_emit(gw, &vh, h, t->hl + 8, t->pay, t->plen, t->v6);
		return;
	}
	ulen = (uint32_t)(8 + t->plen);
	train_lengths(t, h, ulen);
	/* Partial checksum: the pseudo-header sum, folded, not inverted. */
	be16_store(h + t->hl + 6, (uint16_t)~cksum_finish(t->v6 ?
	    cksum_pseudo6(h + 8, h + 24, ND_PROTO_UDP, ulen) :
	    cksum_pseudo4(h + 12, h + 16, ND_PROTO_UDP, ulen)));
	memset(&vh, 0, sizeof(vh));
	vh.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	vh.gso_type = VIRTIO_NET_HDR_GSO_UDP_L4;
	vh.gso_size = (uint16_t)t->seg;
	vh.hdr_len = (uint16_t)(t->hl + 8);
	vh.csum_start = (uint16_t)t->hl;
	vh.csum_offset = 6;
	if (out_write(gw, &vh, h, t->hl + 8, t->pay, t->plen) == 0) {
		if (t->v6)
			gw->c.tx6++;
		else
			gw->c.tx4++;
		gw->c.udp_coalesced += (uint64_t)t->n;
		gw->c.udp_trains++;
		t->n = 0;
		return;
	}
	/* The kernel refused it (no UDP GSO on this TUN): stop coalescing and
	 * send the datagrams one by one, checksums recomputed. */
	gw->c.udp_coalesce_failed++;
	gw->coalesce = false;
	batch_split(gw, t, h);
	t->n = 0;
}

void
nd_out_send(struct nd_gw *gw, struct virtio_net_hdr *vh, const uint8_t *hdr, size_t hl,
    const uint8_t *body, size_t bl, bool v6)
{
	if (gw->train && gw->train->n)
		nd_out_flush(gw);
	out_emit(gw, vh, hdr, hl, body, bl, v6);
}

void
nd_out_udp(struct nd_gw *gw, struct virtio_net_hdr *vh, const uint8_t *hdr, size_t hl,
    const uint8_t *udp, size_t ul, bool v6)
{
	struct nd_train *t = gw->train;
	size_t pay = ul - 8;
	bool partial = nd_gso_partial(vh);
	uint32_t s;

	if (ul <= 8 || (!partial && be16_load(udp + 6) == 0)) {
		nd_out_send(gw, vh, hdr, hl, udp, ul, v6);
		return;
	}
	/* A partial checksum was never computed (a local sender on this
	 * host); a full one must verify before the kernel recomputes it. */
	if (!partial) {
		s = v6 ? cksum_pseudo6(hdr + 8, hdr + 24, ND_PROTO_UDP, (uint32_t)ul) :
		    cksum_pseudo4(hdr + 12, hdr + 16, ND_PROTO_UDP, (uint32_t)ul);
		if (cksum_finish(cksum_add(s, udp, ul)) != 0) {
			nd_out_send(gw, vh, hdr, hl, udp, ul, v6);	/* the receiver drops it */
			return;
		}
	}
	if (t->n > 0 && !t->closed && t->n < ND_TRAIN_MAXSEG && pay <= t->seg &&
	    t->plen + pay <= ND_TRAIN_MAXPAY && batch_same_flow(t, hdr, hl, udp, v6)) {
		memcpy(t->pay + t->plen, udp + 8, pay);
		t->plen += pay;
		t->n++;
		if (pay < t->seg)
			t->closed = true;
		return;
	}
	nd_out_flush(gw);
	t->v6 = v6;
	t->hl = hl;
	memcpy(t->hdr, hdr, hl);
	memcpy(t->udph, udp, 8);
	t->seg = pay;
	t->plen = pay;
	t->n = 1;
	t->partial1 = partial;
	t->closed = false;
	memcpy(t->pay, udp + 8, pay);
}
