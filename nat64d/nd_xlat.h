/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* nd_xlat.h — RFC 7915 header translation primitives: bounds-checked
 * parsers of IPv6/IPv4 headers, header builders, checksum adjustment
 * (incremental, RFC 1624; also for the partial checksums of offloaded
 * packets) and the ICMP type/code/pointer maps. Stateless; the stateful
 * packet path is nd_path.h.
 */
#ifndef ND_XLAT_H
#define ND_XLAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ND_IP6_HLEN	40
#define ND_IP4_HLEN	20
#define ND_FRAG6_HLEN	8

#define ND_PROTO_ICMP	1
#define ND_PROTO_TCP	6
#define ND_PROTO_UDP	17
#define ND_PROTO_FRAG6	44
#define ND_PROTO_ICMP6	58

enum nd_perr {
	ND_P_OK = 0,
	ND_P_SHORT,		/* truncated or inconsistent lengths */
	ND_P_VERSION,
	ND_P_CSUM,		/* IPv4 header checksum */
	ND_P_EXTHDR,		/* extension header we do not translate */
	ND_P_NESTED_FRAG,
};

/* A parsed IPv6 packet. With `inner` (a packet quoted in an ICMP error)
 * the declared length may exceed the bytes present. */
struct nd_p6 {
	uint8_t *p;
	size_t len;		/* bytes of the packet present (<= declared) */
	size_t declared;	/* 40 + Payload Length */
	uint8_t proto;		/* upper-layer protocol */
	size_t l4off;		/* its offset */
	bool frag, mf;
	uint16_t fragoff;	/* bytes */
	uint32_t fragid;
	uint32_t errptr;	/* ND_P_EXTHDR for a live routing header: its Segments Left */
};

struct nd_p4 {
	uint8_t *p;
	size_t len;		/* bytes present (<= total length) */
	size_t declared;	/* Total Length */
	size_t ihl;		/* header bytes */
	uint8_t proto, ttl, tos;
	uint32_t src, dst;	/* host order */
	uint16_t id;
	bool df, mf;
	uint16_t fragoff;	/* bytes */
};

static inline bool
nd_p6_first(const struct nd_p6 *p)
{
	return !p->frag || p->fragoff == 0;
}

/* Really fragmented: a Fragment header with offset 0 and M 0 (an atomic
 * fragment) is not, RFC 6946 §4: "A host that receives an IPv6 packet
 * which includes a Fragment Header with the "Fragment Offset" equal to 0
 * and the "M" bit equal to 0 MUST process such packet in isolation from
 * any other packets/fragments". */
static inline bool
nd_p6_isfrag(const struct nd_p6 *p)
{
	return p->frag && (p->mf || p->fragoff);
}

static inline bool
nd_p4_first(const struct nd_p4 *p)
{
	return p->fragoff == 0;
}

static inline bool
nd_p4_isfrag(const struct nd_p4 *p)
{
	return p->mf || p->fragoff;
}

enum nd_perr nd_parse6(uint8_t *p, size_t len, bool inner, struct nd_p6 *o);
enum nd_perr nd_parse4(uint8_t *p, size_t len, bool inner, struct nd_p4 *o);

/* Write a 20-octet IPv4 header (checksum filled). */
void nd_build4(uint8_t *out, uint8_t tos, uint16_t total, uint16_t id, bool df, bool mf,
    uint16_t fragoff, uint8_t ttl, uint8_t proto, uint32_t src, uint32_t dst);
/* Write a 40-octet IPv6 header. */
void nd_build6(uint8_t *out, uint8_t tclass, uint32_t flow, uint16_t plen, uint8_t nh,
    uint8_t hlim, const uint8_t src[16], const uint8_t dst[16]);
/* Write an 8-octet Fragment header. */
void nd_build_frag6(uint8_t *out, uint8_t nh, uint16_t fragoff, bool mf, uint32_t id);

/* Checksum adjustment: the covered data changed from words summing to
 * oldsum to words summing to newsum (cksum_add sums). partial: the field
 * holds a non-inverted pseudo-header sum (virtio NEEDS_CSUM). */
uint16_t nd_ck_adjust(uint16_t ck, uint32_t oldsum, uint32_t newsum, bool partial);
uint32_t nd_sum4(uint32_t a);	/* cksum_add of a host-order IPv4 address */

/* ICMP maps (RFC 7915 §4.2, §5.2). Return false when the message is to be
 * dropped. *mtu_field / pointer fix-ups are the caller's. */
bool nd_icmp4to6_map(uint8_t type, uint8_t code, uint8_t *t6, uint8_t *c6);
bool nd_icmp6to4_map(uint8_t type, uint8_t code, uint8_t *t4, uint8_t *c4);
/* Parameter Problem pointer maps; -1 means drop. */
int nd_ptr4to6(uint8_t ptr4);
int nd_ptr6to4(uint32_t ptr6);
bool nd_icmp6_is_error(uint8_t type);
bool nd_icmp4_is_error(uint8_t type);

#endif
