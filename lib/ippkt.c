/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* ippkt.c — see ippkt.h. */
#include "ippkt.h"
#include "buf.h"
#include "cksum.h"

#include <string.h>

#define IPPKT_ICMP4_MAX		576	/* RFC 792/1812: an ICMP error stays <= 576 octets */
#define IPPKT_TTL		64

/* IPv4 header (20 octets, no options, ID 0, DF clear) with its checksum. */
static void
ippkt_hdr4(uint8_t *h, const uint8_t src[4], const uint8_t dst[4], uint8_t proto, size_t total)
{
	memset(h, 0, 20);
	h[0] = 0x45;
	be16_store(h + 2, (uint16_t)total);
	h[8] = IPPKT_TTL;
	h[9] = proto;
	memcpy(h + 12, src, 4);
	memcpy(h + 16, dst, 4);
	be16_store(h + 10, cksum_finish(cksum_add(0, h, 20)));
}

static void
ippkt_hdr6(uint8_t *h, const uint8_t src[16], const uint8_t dst[16], uint8_t nh, size_t plen)
{
	memset(h, 0, 40);
	h[0] = 0x60;
	be16_store(h + 4, (uint16_t)plen);
	h[6] = nh;
	h[7] = IPPKT_TTL;
	memcpy(h + 8, src, 16);
	memcpy(h + 24, dst, 16);
}

/* Transport checksum over pseudo-header sum ps and l4 (len octets), stored
 * at l4 + off. UDP's 0 is sent as 0xffff (RFC 768/8200). */
static void
ippkt_l4_cksum(uint32_t ps, uint8_t *l4, size_t len, size_t off, bool udp)
{
	uint16_t c;

	be16_store(l4 + off, 0);
	c = cksum_finish(cksum_add(ps, l4, len));
	if (udp && c == 0)
		c = 0xffff;
	be16_store(l4 + off, c);
}

/* Room for hlen + len octets with total <= max, or NULL. */
static uint8_t *
ippkt_room(uint8_t *out, size_t cap, size_t hlen, size_t len, size_t max)
{
	if (out == NULL || len > max || hlen > max - len || hlen + len > cap)
		return NULL;
	return out;
}

static void
ippkt_udp_hdr(uint8_t *u, uint16_t sport, uint16_t dport, size_t ulen)
{
	be16_store(u, sport);
	be16_store(u + 2, dport);
	be16_store(u + 4, (uint16_t)ulen);
	be16_store(u + 6, 0);
}

static void
ippkt_tcp_hdr(uint8_t *t, uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack,
    uint8_t flags)
{
	memset(t, 0, 20);
	be16_store(t, sport);
	be16_store(t + 2, dport);
	be32_store(t + 4, seq);
	be32_store(t + 8, ack);
	t[12] = 5 << 4;
	t[13] = flags;
	be16_store(t + 14, 65535);
}

size_t
ippkt_udp4(uint8_t *out, size_t cap, const uint8_t src[4], const uint8_t dst[4],
    uint16_t sport, uint16_t dport, const uint8_t *payload, size_t len)
{
	size_t total = 28 + len;

	if (ippkt_room(out, cap, 28, len, 65535) == NULL || (len && payload == NULL))
		return 0;
	ippkt_hdr4(out, src, dst, IPPKT_PROTO_UDP, total);
	ippkt_udp_hdr(out + 20, sport, dport, 8 + len);
	if (len)
		memmove(out + 28, payload, len);
	ippkt_l4_cksum(cksum_pseudo4(src, dst, IPPKT_PROTO_UDP, (uint32_t)(8 + len)),
	    out + 20, 8 + len, 6, true);
	return total;
}

size_t
ippkt_ip6(uint8_t *out, size_t cap, const uint8_t src[16], const uint8_t dst[16],
    uint8_t nh, const uint8_t *payload, size_t len)
{
	if (ippkt_room(out, cap, 40, len, 40 + 65535) == NULL || (len && payload == NULL))
		return 0;
	if (len)
		memmove(out + 40, payload, len);
	ippkt_hdr6(out, src, dst, nh, len);
	return 40 + len;
}

size_t
ippkt_udp6(uint8_t *out, size_t cap, const uint8_t src[16], const uint8_t dst[16],
    uint16_t sport, uint16_t dport, const uint8_t *payload, size_t len)
{
	if (ippkt_room(out, cap, 48, len, 40 + 65535) == NULL || (len && payload == NULL))
		return 0;
	if (len)
		memmove(out + 48, payload, len);
	ippkt_hdr6(out, src, dst, IPPKT_PROTO_UDP, 8 + len);
	ippkt_udp_hdr(out + 40, sport, dport, 8 + len);
	ippkt_l4_cksum(cksum_pseudo6(src, dst, IPPKT_PROTO_UDP, (uint32_t)(8 + len)),
	    out + 40, 8 + len, 6, true);
	return 48 + len;
}

size_t
ippkt_tcp6(uint8_t *out, size_t cap, const uint8_t src[16], const uint8_t dst[16],
    uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags,
    const uint8_t *payload, size_t len)
{
	if (ippkt_room(out, cap, 60, len, 40 + 65535) == NULL || (len && payload == NULL))
		return 0;
	if (len)
		memmove(out + 60, payload, len);
	ippkt_hdr6(out, src, dst, IPPKT_PROTO_TCP, 20 + len);
	ippkt_tcp_hdr(out + 40, sport, dport, seq, ack, flags);
	ippkt_l4_cksum(cksum_pseudo6(src, dst, IPPKT_PROTO_TCP, (uint32_t)(20 + len)),
	    out + 40, 20 + len, 16, false);
	return 60 + len;
}

size_t
ippkt_tcp4(uint8_t *out, size_t cap, const uint8_t src[4], const uint8_t dst[4],
    uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags,
    const uint8_t *payload, size_t len)
{
	if (ippkt_room(out, cap, 40, len, 65535) == NULL || (len && payload == NULL))
		return 0;
	if (len)
		memmove(out + 40, payload, len);
	ippkt_hdr4(out, src, dst, IPPKT_PROTO_TCP, 40 + len);
	ippkt_tcp_hdr(out + 20, sport, dport, seq, ack, flags);
	ippkt_l4_cksum(cksum_pseudo4(src, dst, IPPKT_PROTO_TCP, (uint32_t)(20 + len)),
	    out + 20, 20 + len, 16, false);
	return 40 + len;
}

size_t
ippkt_icmp6_echo(uint8_t *out, size_t cap, const uint8_t src[16], const uint8_t dst[16],
    uint8_t type, uint16_t id, uint16_t seq, const uint8_t *data, size_t len)
{
	uint8_t *m;

	if (ippkt_room(out, cap, 48, len, 40 + 65535) == NULL || (len && data == NULL))
		return 0;
	if (len)
		memmove(out + 48, data, len);
	ippkt_hdr6(out, src, dst, IPPKT_PROTO_ICMP6, 8 + len);
	m = out + 40;
	m[0] = type;
	m[1] = 0;
	be16_store(m + 4, id);
	be16_store(m + 6, seq);
	ippkt_l4_cksum(cksum_pseudo6(src, dst, IPPKT_PROTO_ICMP6, (uint32_t)(8 + len)),
	    m, 8 + len, 2, false);
	return 48 + len;
}

size_t
ippkt_icmp4_error(uint8_t *out, size_t cap, const uint8_t src[4], const uint8_t dst[4],
    uint8_t type, uint8_t code, const uint8_t *orig, size_t orig_len)
{
	size_t quote = orig_len, total;
	uint8_t *m;

	if (orig == NULL && orig_len > 0)
		return 0;
	if (quote > IPPKT_ICMP4_MAX - 28)
		quote = IPPKT_ICMP4_MAX - 28;
	total = 28 + quote;
	if (ippkt_room(out, cap, 28, quote, IPPKT_ICMP4_MAX) == NULL)
		return 0;
	if (quote)
		memmove(out + 28, orig, quote);
	ippkt_hdr4(out, src, dst, IPPKT_PROTO_ICMP, total);
	m = out + 20;
	m[0] = type;
	m[1] = code;
	be32_store(m + 4, 0);	/* unused (or pointer/MTU: not used by us) */
	be16_store(m + 2, 0);
	be16_store(m + 2, cksum_finish(cksum_add(0, m, 8 + quote)));
	return total;
}

size_t
ippkt_icmp6_error(uint8_t *out, size_t cap, const uint8_t src[16], const uint8_t dst[16],
    uint8_t type, uint8_t code, const uint8_t *orig, size_t orig_len)
{
	size_t quote = orig_len;
	uint8_t *m;

	if (orig == NULL && orig_len > 0)
		return 0;
	if (quote > IPPKT_ICMP6_MAX - 48)
		quote = IPPKT_ICMP6_MAX - 48;
	if (ippkt_room(out, cap, 48, quote, IPPKT_ICMP6_MAX) == NULL)
		return 0;
	if (quote)
		memmove(out + 48, orig, quote);
	ippkt_hdr6(out, src, dst, IPPKT_PROTO_ICMP6, 8 + quote);
	m = out + 40;
	m[0] = type;
	m[1] = code;
	be32_store(m + 4, 0);	/* unused (RFC 4443 §3.1) */
	ippkt_l4_cksum(cksum_pseudo6(src, dst, IPPKT_PROTO_ICMP6, (uint32_t)(8 + quote)),
	    m, 8 + quote, 2, false);
	return 48 + quote;
}

static void
ippkt_ports(const uint8_t *l4, size_t l4_len, uint8_t proto, uint16_t *sport, uint16_t *dport)
{
	*sport = *dport = 0;
	if ((proto == IPPKT_PROTO_TCP || proto == IPPKT_PROTO_UDP) && l4_len >= 4) {
		*sport = be16_load(l4);
		*dport = be16_load(l4 + 2);
	}
}

static bool
ippkt_read4(const uint8_t *p, size_t len, bool quoted, struct ippkt4 *out)
{
	size_t ihl, total;
	uint16_t frag;

	memset(out, 0, sizeof(*out));
	if (p == NULL || len < 20 || (p[0] >> 4) != 4)
		return false;
	ihl = (size_t)(p[0] & 0x0f) * 4;
	total = be16_load(p + 2);
	if (ihl < 20 || total < ihl || ihl > len || (!quoted && total > len))
		return false;
	if (total > len)	/* a quote: what the error kept of it */
		total = len;
	frag = be16_load(p + 6);
	out->hdr = p;
	out->hdr_len = ihl;
	out->total_len = total;
	out->proto = p[9];
	memcpy(out->src, p + 12, 4);
	memcpy(out->dst, p + 16, 4);
	out->is_fragment = (frag & 0x3fff) != 0;	/* MF or offset */
	out->l4 = p + ihl;
	out->l4_len = total - ihl;
	if ((frag & 0x1fff) == 0)
		ippkt_ports(out->l4, out->l4_len, out->proto, &out->sport, &out->dport);
	return true;
}

bool
ippkt_parse4(const uint8_t *p, size_t len, struct ippkt4 *out)
{
	return ippkt_read4(p, len, false, out);
}

bool
ippkt_parse4_quote(const uint8_t *p, size_t len, struct ippkt4 *out)
{
	return ippkt_read4(p, len, true, out);
}

bool
ippkt_parse6(const uint8_t *p, size_t len, struct ippkt6 *out)
{
	size_t plen;

	memset(out, 0, sizeof(*out));
	if (p == NULL || len < 40 || (p[0] >> 4) != 6)
		return false;
	plen = be16_load(p + 4);
	if (40 + plen > len)
		return false;
	out->hdr = p;
	out->total_len = 40 + plen;
	out->nh = p[6];
	out->hop_limit = p[7];
	memcpy(out->src, p + 8, 16);
	memcpy(out->dst, p + 24, 16);
	out->l4 = p + 40;
	out->l4_len = plen;
	ippkt_ports(out->l4, out->l4_len, out->nh, &out->sport, &out->dport);
	return true;
}
