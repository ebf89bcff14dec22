/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* xlat.c — RFC 7915 header translation primitives; see nd_xlat.h. */
#include "nd_xlat.h"

#include <string.h>

#include "buf.h"
#include "cksum.h"

enum nd_perr
nd_parse6(uint8_t *p, size_t len, bool inner, struct nd_p6 *o)
{
	size_t off = ND_IP6_HLEN;
	uint8_t nh;
	int n;

	memset(o, 0, sizeof(*o));
	if (len < ND_IP6_HLEN)
		return ND_P_SHORT;
	if ((p[0] >> 4) != 6)
		return ND_P_VERSION;
	o->p = p;
	o->declared = ND_IP6_HLEN + be16_load(p + 4);
	if (o->declared > len) {
		if (!inner)
			return ND_P_SHORT;
		o->len = len;
	} else
		o->len = o->declared;
	if (o->declared == ND_IP6_HLEN && be16_load(p + 4) == 0 && p[6] == 0)
		return ND_P_EXTHDR;	/* jumbogram */
	nh = p[6];
	/* RFC 7915 §5.1: hop-by-hop, destination options and routing headers
	 * with Segments Left 0 are skipped; a fragment header is translated. */
	for (n = 0; n < 8; n++) {
		if (nh == 0 || nh == 60 || nh == 43) {
			/* RFC 7915 §5.1.1 (the rule in our words): a
			 * Destination Options or Routing header after the
			 * Fragment header belongs to the fragmentable part, and
			 * in a fragmented datagram it cannot be skipped piece by
			 * piece: the packet is not translated. */
			if (o->frag && nh != 0)
				return ND_P_EXTHDR;
			if (off + 8 > o->len)
				return ND_P_SHORT;
			if (nh == 43 && p[off + 3] != 0) {
				o->errptr = (uint32_t)(off + 3);
				return ND_P_EXTHDR;
			}
			if (nh == 0 && off != ND_IP6_HLEN)
				return ND_P_EXTHDR;
			nh = p[off];
			off += 8 + (size_t)p[off + 1] * 8;
			if (off > o->len)
				return ND_P_SHORT;
		} else if (nh == ND_PROTO_FRAG6) {
			uint16_t fo;

			if (o->frag)
				return ND_P_NESTED_FRAG;
			if (off + 8 > o->len)
				return ND_P_SHORT;
			o->frag = true;
			fo = be16_load(p + off + 2);
			o->fragoff = fo & 0xfff8;
			o->mf = fo & 1;
			o->fragid = be32_load(p + off + 4);
			nh = p[off];
			off += 8;
		} else
			break;
	}
	if (n == 8 || nh == 0 || nh == 60 || nh == 43 || nh == ND_PROTO_FRAG6 || nh == 51 || nh == 50)
		return ND_P_EXTHDR;
	o->proto = nh;
	o->l4off = off;
	return ND_P_OK;
}

enum nd_perr
nd_parse4(uint8_t *p, size_t len, bool inner, struct nd_p4 *o)
{
	uint16_t fo;

	memset(o, 0, sizeof(*o));
	if (len < ND_IP4_HLEN)
		return ND_P_SHORT;
	if ((p[0] >> 4) != 4)
		return ND_P_VERSION;
	o->p = p;
	o->ihl = (size_t)(p[0] & 0xf) * 4;
	o->declared = be16_load(p + 2);
	if (o->ihl < ND_IP4_HLEN || o->declared < o->ihl || o->ihl > len)
		return ND_P_SHORT;
	if (o->declared > len) {
		if (!inner)
			return ND_P_SHORT;
		o->len = len;
	} else
		o->len = o->declared;
	if (!inner && cksum_finish(cksum_add(0, p, o->ihl)) != 0)
		return ND_P_CSUM;
	o->tos = p[1];
	o->id = be16_load(p + 4);
	fo = be16_load(p + 6);
	o->df = (fo & 0x4000) != 0;
	o->mf = (fo & 0x2000) != 0;
	o->fragoff = (uint16_t)((fo & 0x1fff) * 8);
	o->ttl = p[8];
	o->proto = p[9];
	o->src = be32_load(p + 12);
	o->dst = be32_load(p + 16);
	return ND_P_OK;
}

void
nd_build4(uint8_t *o, uint8_t tos, uint16_t total, uint16_t id, bool df, bool mf,
    uint16_t fragoff, uint8_t ttl, uint8_t proto, uint32_t src, uint32_t dst)
{
	o[0] = 0x45;
	o[1] = tos;
	be16_store(o + 2, total);
	be16_store(o + 4, id);
	be16_store(o + 6, (uint16_t)((df ? 0x4000 : 0) | (mf ? 0x2000 : 0) | (fragoff >> 3)));
	o[8] = ttl;
	o[9] = proto;
	o[10] = o[11] = 0;
	be32_store(o + 12, src);
	be32_store(o + 16, dst);
	be16_store(o + 10, cksum_finish(cksum_add(0, o, ND_IP4_HLEN)));
}

void
nd_build6(uint8_t *o, uint8_t tclass, uint32_t flow, uint16_t plen, uint8_t nh,
    uint8_t hlim, const uint8_t src[16], const uint8_t dst[16])
{
	be32_store(o, 6u << 28 | (uint32_t)tclass << 20 | (flow & 0xfffff));
	be16_store(o + 4, plen);
	o[6] = nh;
	o[7] = hlim;
	memcpy(o + 8, src, 16);
	memcpy(o + 24, dst, 16);
}

void
nd_build_frag6(uint8_t *o, uint8_t nh, uint16_t fragoff, bool mf, uint32_t id)
{
	o[0] = nh;
	o[1] = 0;
	be16_store(o + 2, (uint16_t)((fragoff & 0xfff8) | (mf ? 1 : 0)));
	be32_store(o + 4, id);
}

static uint16_t
nd_fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

uint16_t
nd_ck_adjust(uint16_t ck, uint32_t oldsum, uint32_t newsum, bool partial)
{
	uint32_t s;

	if (partial) {
		s = (uint32_t)ck + (uint16_t)~nd_fold(oldsum) + nd_fold(newsum);
		return nd_fold(s);
	}
	s = (uint32_t)(uint16_t)~ck + (uint16_t)~nd_fold(oldsum) + nd_fold(newsum);
	return (uint16_t)~nd_fold(s);
}

uint32_t
nd_sum4(uint32_t a)
{
	return (a >> 16) + (a & 0xffff);
}

bool
nd_icmp6_is_error(uint8_t type)
{
	return type < 128;
}

bool
nd_icmp4_is_error(uint8_t type)
{
	return type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
}

bool
nd_icmp4to6_map(uint8_t type, uint8_t code, uint8_t *t6, uint8_t *c6)
{
	switch (type) {
	case 8: *t6 = 128; *c6 = 0; return true;
	case 0: *t6 = 129; *c6 = 0; return true;
	case 3:
		switch (code) {
		case 0: case 1: case 5: case 6: case 7: case 8: case 11: case 12:
			*t6 = 1; *c6 = 0; return true;
		case 2:	*t6 = 4; *c6 = 1; return true;	/* pointer to Next Header */
		case 3:	*t6 = 1; *c6 = 4; return true;
		case 4:	*t6 = 2; *c6 = 0; return true;	/* Packet Too Big */
		case 9: case 10: case 13: case 15:
			*t6 = 1; *c6 = 1; return true;
		default: return false;
		}
	case 11: *t6 = 3; *c6 = code; return code <= 1;
	case 12:
		if (code == 0 || code == 2) {
			*t6 = 4; *c6 = 0; return true;
		}
		return false;
	default: return false;	/* 4 source quench, 5 redirect, 13-18, ... */
	}
}

bool
nd_icmp6to4_map(uint8_t type, uint8_t code, uint8_t *t4, uint8_t *c4)
{
	switch (type) {
	case 128: *t4 = 8; *c4 = 0; return true;
	case 129: *t4 = 0; *c4 = 0; return true;
	case 1:
		*t4 = 3;
		switch (code) {
		case 0: case 2: case 3: *c4 = 1; return true;
		case 1: *c4 = 10; return true;
		case 4: *c4 = 3; return true;
		default: return false;
		}
	case 2: *t4 = 3; *c4 = 4; return true;
	case 3: *t4 = 11; *c4 = code; return code <= 1;
	case 4:
		if (code == 0) {
			*t4 = 12; *c4 = 0; return true;
		}
		if (code == 1) {
			*t4 = 3; *c4 = 2; return true;
		}
		return false;
	default: return false;
	}
}

int
nd_ptr4to6(uint8_t p)
{
	/* RFC 7915 §4.2, Figure 3. */
	static const int map[20] = { 0, 1, 4, 4, -1, -1, -1, -1, 7, 6, -1, -1,
	    8, 8, 8, 8, 24, 24, 24, 24 };

	return p < 20 ? map[p] : -1;
}

int
nd_ptr6to4(uint32_t p)
{
	/* RFC 7915 §5.2, Figure 6. */
	if (p == 0) return 0;
	if (p == 1) return 1;
	if (p == 4 || p == 5) return 2;
	if (p == 6) return 9;
	if (p == 7) return 8;
	if (p >= 8 && p < 24) return 12;
	if (p >= 24 && p < 40) return 16;
	return -1;
}
