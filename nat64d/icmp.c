/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* icmp.c — ICMP errors: the gateway's own (Time Exceeded, Fragmentation
 * Needed, Address Unreachable), rate-limited, and the translation of
 * ICMP errors between the two sides including the packet they quote
 * (RFC 7915 §4.2-4.3, §5.2-5.3; RFC 6146 §3.5 for the inner mapping).
 */
#include "nd_path.h"

#include <sodium.h>
#include <string.h>

#include "addr.h"
#include "buf.h"
#include "cksum.h"
#include "nd_handoff.h"
#include "tbucket.h"

#define ND_ICMP6_MAX	1280	/* RFC 4443 §2.4 (c): fit the minimum MTU */
#define ND_ICMP4_MAX	576	/* RFC 1812 §4.3.2.3 */

/* icmp-error-rate per second, as a burst of as many (0: none). */
static bool
icmp_allow(struct nd_gw *gw, const struct clk_now *now)
{
	double rate = gw->cfg.icmp_rate;

	if (gw->cfg.icmp_rate == 0)
		return false;
	if (!tb_take(&gw->icmp_tb, rate, rate, now->mono_ms)) {
		gw->c.icmp_rate_limited++;
		return false;
	}
	return true;
}

/* A refusal over a quota gets a tenth of icmp-error-rate (at least one a
 * second) before the rate of all errors, so that one client's flood
 * cannot take the errors the others need (Packet Too Big above all). */
bool
nd_icmp_quota_allow(struct nd_gw *gw, const struct clk_now *now)
{
	double rate = gw->cfg.icmp_rate / 10.0;

	if (gw->cfg.icmp_rate == 0)
		return false;
	if (rate < 1.0)
		rate = 1.0;
	if (!tb_take(&gw->icmp_quota_tb, rate, rate, now->mono_ms)) {
		gw->c.icmp_rate_limited++;
		return false;
	}
	return true;
}

/* Never answer an ICMP error with one (RFC 4443 §2.4 (e), RFC 1122). */
static bool
icmp_quotable6(const uint8_t *orig, size_t len)
{
	struct nd_p6 p;

	switch (nd_parse6((uint8_t *)orig, len, true, &p)) {
	case ND_P_OK:
		break;
	case ND_P_EXTHDR:		/* e.g. a live routing header: not an error */
		return true;
	default:
		return false;
	}
	if (p.proto == ND_PROTO_ICMP6 && p.l4off < p.len && nd_icmp6_is_error(orig[p.l4off]))
		return false;
	return true;
}

void
nd_icmp_err6(struct nd_gw *gw, uint8_t type, uint8_t code, uint32_t param,
    const uint8_t *orig, size_t orig_len, const struct clk_now *now)
{
	uint8_t *o = gw->scratch;
	size_t q = orig_len, plen;

	if (orig_len < ND_IP6_HLEN || !icmp_quotable6(orig, orig_len))
		return;
	if (!icmp_allow(gw, now))
		return;
	if (q > ND_ICMP6_MAX - ND_IP6_HLEN - 8)
		q = ND_ICMP6_MAX - ND_IP6_HLEN - 8;
	plen = 8 + q;
	nd_build6(o, 0, 0, (uint16_t)plen, ND_PROTO_ICMP6, 64, gw->own6, orig + 8);
	o[40] = type;
	o[41] = code;
	be16_store(o + 42, 0);
	be32_store(o + 44, param);
	memcpy(o + 48, orig, q);
	be16_store(o + 42, cksum_finish(cksum_add(cksum_pseudo6(o + 8, o + 24, ND_PROTO_ICMP6,
	    (uint32_t)plen), o + 40, plen)));
	nd_out_send(gw, NULL, o, ND_IP6_HLEN + plen, NULL, 0, true);
}

/* An ICMPv4 error header, checksum zero: Fragmentation Needed carries
 * the MTU in its low 16 bits (RFC 1191), the others param as it is. */
static void
icmp_head4(uint8_t *h, uint8_t type, uint8_t code, uint32_t param)
{
	h[0] = type;
	h[1] = code;
	be16_store(h + 2, 0);
	if (type == 3 && code == 4) {
		be16_store(h + 4, 0);
		be16_store(h + 6, (uint16_t)param);
	} else
		be32_store(h + 4, param);
}

void
nd_icmp_err4(struct nd_gw *gw, uint8_t type, uint8_t code, uint32_t param,
    const uint8_t *orig, size_t orig_len, const struct clk_now *now)
{
	uint8_t *o = gw->scratch;
	size_t q = orig_len, ihl;

	if (orig_len < ND_IP4_HLEN)
		return;
	ihl = (size_t)(orig[0] & 0xf) * 4;
	if (orig[9] == ND_PROTO_ICMP && orig_len > ihl && nd_icmp4_is_error(orig[ihl]))
		return;
	if (!icmp_allow(gw, now))
		return;
	if (q > ND_ICMP4_MAX - ND_IP4_HLEN - 8)
		q = ND_ICMP4_MAX - ND_IP4_HLEN - 8;
	nd_build4(o, 0xc0, (uint16_t)(ND_IP4_HLEN + 8 + q), gw->ipid++, false, false, 0, 64,
	    ND_PROTO_ICMP, gw->own4, be32_load(orig + 12));
	icmp_head4(o + 20, type, code, param);
	memcpy(o + 28, orig, q);
	be16_store(o + 22, cksum_finish(cksum_add(0, o + 20, 8 + q)));
	nd_out_send(gw, NULL, o, ND_IP4_HLEN + 8 + q, NULL, 0, false);
}

/* RFC 1191 plateau below a packet size, when a router sent MTU 0. */
static uint32_t
icmp_plateau(uint32_t size)
{
	static const uint32_t pl[] = { 65535, 32000, 17914, 8166, 4352, 2002, 1492, 1006, 508, 296, 68 };
	size_t i;

	for (i = 0; i < sizeof(pl) / sizeof(pl[0]); i++)
		if (pl[i] < size)
			return pl[i];
	return 68;
}

/* An ICMP error being translated: the outer message and the packet it
 * quotes (a packet we sent), as each step found them. */
struct icmp_x {
	const uint8_t *icmp;		/* the outer ICMP message */
	size_t ilen;
	uint8_t type, code;		/* translated */
	uint32_t param;
	union {
		struct nd_p4 in4;	/* the quoted packet */
		struct nd_p6 in6;
	};
	const uint8_t *l4;		/* its L4 header */
	size_t l4q;			/* L4 octets quoted */
	uint16_t port;			/* our side's port or identifier in it */
	uint8_t v6[16];			/* 4 -> 6: the client (the mapping's IPv6 side) */
	uint32_t v4;			/* 6 -> 4: the mapping's IPv4 side */
	uint16_t mport;			/* the mapping's port on the other side */
	int pfx;
	size_t olen;			/* octets of the original datagram field */
	const uint8_t *ext;		/* RFC 4884 extension structure, or NULL */
	size_t extlen;
};

/* RFC 4884: a length attribute (in units of unit octets, at least 128
 * octets, RFC 4884 §4.1) marks where the original datagram field ends and
 * an extension structure begins; without one, the whole rest is the
 * datagram. Only for a translated type that has the attribute too. */
static void
icmp_ext(struct icmp_x *x, size_t len_words, size_t unit, bool keeps)
{
	size_t l = len_words * unit;

	x->olen = x->ilen - 8;
	x->ext = NULL;
	x->extlen = 0;
	if (keeps && l >= 128 && 8 + l < x->ilen) {
		x->olen = l;
		x->ext = x->icmp + 8 + l;
		x->extlen = x->ilen - 8 - l;
	}
}

/* Where the translated original datagram field ends: zero-padded to a
 * multiple of unit and to 128 octets (RFC 4884 §4.1, §5), the extension
 * after it, if room is left under max; returns the ICMP payload length
 * and sets *words (0: no extension kept). */
static size_t
icmp_ext_place(const struct icmp_x *x, uint8_t *payload, size_t dl, size_t unit, size_t max,
    uint8_t *words)
{
	size_t pad = (dl + unit - 1) / unit * unit;

	*words = 0;
	if (!x->ext)
		return dl;
	if (pad < 128)
		pad = 128;
	if (pad + x->extlen > max)
		return dl;
	memset(payload + dl, 0, pad - dl);
	memcpy(payload + pad, x->ext, x->extlen);
	*words = (uint8_t)(pad / unit);
	return pad + x->extlen;
}

/* ------------------------------------------------------------ IPv4 -> IPv6 */

/* Long enough, TTL left, ICMP checksum right. */
static enum nd_step
x4_outer(struct nd_gw *gw, struct nd_pkt *p, struct icmp_x *x)
{
	const struct nd_p4 *o4 = &p->in4;

	x->icmp = o4->p + o4->ihl;
	x->ilen = o4->len - o4->ihl;
	if (x->ilen < 8 + ND_IP4_HLEN || o4->ttl <= 1)
		return nd_drop(p, &gw->c.drop_malformed4);
	if (cksum_finish(cksum_add(0, x->icmp, x->ilen)) != 0)
		return nd_drop(p, &gw->c.drop_malformed4);
	return ND_GO;
}

/* Draft §8: an error about one of our control packets goes to handoff. */
static enum nd_step
x4_control(struct nd_gw *gw, struct nd_pkt *p, struct icmp_x *x)
{
	struct nd_p4 ci;

	if (gw->ho && nd_parse4((uint8_t *)x->icmp + 8, x->ilen - 8, true, &ci) == ND_P_OK &&
	    nd_ho_icmp_control(gw, p->in4.src, x->icmp[0], x->icmp[1], &ci, p->now))
		return ND_DONE;
	return ND_GO;
}

/* Type and code (RFC 7915 §4.2); the quoted packet is one of ours. */
static enum nd_step
x4_inner(struct nd_gw *gw, struct nd_pkt *p, struct icmp_x *x)
{
	struct nd_p4 *in = &x->in4;

	if (!nd_icmp4to6_map(x->icmp[0], x->icmp[1], &x->type, &x->code))
		return nd_drop(p, &gw->c.drop_icmp_type);
	/* RFC 7915 §4.2: "If the received ICMPv4 packet contains an ICMPv4
	 * Extension [RFC4884], the translation of the ICMPv4 packet will cause
	 * the ICMPv6 packet to change length. When this occurs, the ICMPv6
	 * Extension length attribute MUST be adjusted accordingly". ICMPv4
	 * counts 32-bit words (octet 5), ICMPv6 64-bit words (octet 4) and has
	 * the attribute in Destination Unreachable and Time Exceeded only. */
	icmp_ext(x, x->icmp[5], 4, x->type == 1 || x->type == 3);
	if (nd_parse4((uint8_t *)x->icmp + 8, x->olen, true, in) != ND_P_OK ||
	    !nd_state_is_pool4(&gw->st, in->src))
		return nd_drop(p, &gw->c.drop_icmp_err_nomatch);
	x->l4q = in->len - in->ihl;
	if (!nd_p4_first(in) || x->l4q < 8 ||
	    (in->proto != ND_PROTO_TCP && in->proto != ND_PROTO_UDP && in->proto != ND_PROTO_ICMP))
		return nd_drop(p, &gw->c.drop_icmp_err_nomatch);
	x->l4 = in->p + in->ihl;
	x->port = in->proto == ND_PROTO_ICMP ? be16_load(x->l4 + 4) : be16_load(x->l4);
	return ND_GO;
}

/* The mapping the quoted packet left by: a BIB entry, or a server's
 * cached entry; its session gives the prefix. With handoff, as draft §8
 * orders it: a cached entry of the packet's destination; an own mapping
 * used with that destination; else the error goes to that server over
 * the control channel if it speaks handoff (an own mapping on the port
 * that was never used with it is another client's: dropped if it cannot
 * go); else the own mapping, as any NAT64 (RFC 6146 §3.5), or nothing. */
static enum nd_step
x4_mapping(struct nd_gw *gw, struct nd_pkt *p, struct icmp_x *x)
{
	const struct nd_p4 *in = &x->in4;
	const struct nd_bib *b = nd_bib_find4(&gw->st, in->proto, in->src, x->port);
	const struct nd_session *s;

	x->pfx = 0;
	if (gw->ho && in->proto != ND_PROTO_ICMP && (!b || !nd_bib_used_with(b, in->dst))) {
		const struct nd_hoent *he = nd_hoc_find4(nd_ho_cache(gw), in->dst, in->src, x->port);

		if (he) {
			/* About a packet translated with a server's cached entry. */
			memcpy(x->v6, he->client, 16);
			x->mport = he->port6;
			x->pfx = he->pfx < gw->cfg.n_prefix ? he->pfx : 0;
			gw->c.icmp_err_via_cache++;
			return ND_GO;
		}
		if (nd_ho_icmp4(gw, p, in, x->port))
			return ND_DONE;
	}
	if (!b)
		return nd_drop(p, &gw->c.drop_icmp_err_nomatch);
	if ((s = nd_session_find(&gw->st, b, in->dst,
	    in->proto == ND_PROTO_ICMP ? 0 : be16_load(x->l4 + 2))))
		x->pfx = s->pfx < gw->cfg.n_prefix ? s->pfx : 0;
	memcpy(x->v6, b->v6, 16);
	x->mport = b->port6;
	return ND_GO;
}

/* Addresses translatable (the outer source as nd_path_v4_errsrc_ok
 * says); the parameter: the MTU (Packet Too Big), pointer (Parameter
 * Problem), RFC 7915 §4.2. */
static enum nd_step
x4_param(struct nd_gw *gw, struct nd_pkt *p, struct icmp_x *x)
{
	if (!nd_path_v4_errsrc_ok(p->in4.src) || !nd_path_v4_ok(x->in4.dst))
		return nd_drop(p, &gw->c.drop_bad_addr);
	x->param = 0;
	if (x->type == 2) {
		uint32_t mtu = be16_load(x->icmp + 6);

		/* RFC 7915 §4.2: "The MTU field MUST be adjusted for the
		 * difference between the IPv4 and IPv6 header sizes, i.e.,
		 * minimum(advertised MTU+20, MTU_of_IPv6_nexthop,
		 * (MTU_of_IPv4_nexthop)+20)." A router's 0 is read as the RFC
		 * 1191 plateau below the quoted size; below 1280 the IPv6
		 * minimum (RFC 7915 §6). */
		if (mtu == 0)
			mtu = icmp_plateau((uint32_t)x->in4.declared);
		mtu += ND_IP6_HLEN - ND_IP4_HLEN;
		if (mtu > gw->cfg.mtu6)
			mtu = gw->cfg.mtu6;
		if (mtu > gw->cfg.mtu4 + (ND_IP6_HLEN - ND_IP4_HLEN))
			mtu = gw->cfg.mtu4 + (ND_IP6_HLEN - ND_IP4_HLEN);
		if (mtu < 1280)
			mtu = 1280;
		x->param = mtu;
	} else if (x->type == 4 && x->code == 0) {
		int p6 = nd_ptr4to6(x->icmp[4]);

		if (p6 < 0)
			return nd_drop(p, &gw->c.drop_icmp_type);
		x->param = (uint32_t)p6;
	} else if (x->type == 4 && x->code == 1)
		x->param = 6;	/* Next Header */
	return ND_GO;
}

/* The ICMPv6 error, quoting the packet as it left the IPv6 side. */
static void
x4_emit(struct nd_gw *gw, struct nd_pkt *p, struct icmp_x *x)
{
	const struct nd_p4 *o4 = &p->in4, *in = &x->in4;
	const struct nd_prefix *pf = &gw->cfg.prefix[x->pfx];
	/* RFC 7915 §4.3: "The translation of the inner IP header can be done
	 * by invoking the function that translated the outer IP headers", so
	 * a quoted IPv4 fragment gets a Fragment header as the fragment itself
	 * did (§4.1), its Identification the IPv4 one. */
	bool frag = nd_p4_isfrag(in);
	size_t fh = frag ? ND_FRAG6_HLEN : 0;
	uint8_t *o = gw->scratch, *ip = o + ND_IP6_HLEN + 8, *l4 = ip + ND_IP6_HLEN + fh;
	uint8_t isrc6[16], idst6[16], osrc6[16];
	uint8_t nh = in->proto == ND_PROTO_ICMP ? ND_PROTO_ICMP6 : in->proto, words;
	size_t q = x->l4q, plen;

	memcpy(isrc6, x->v6, 16);
	addr_rfc6052_embed(pf->addr, pf->len, in->dst, idst6);
	addr_rfc6052_embed(pf->addr, pf->len, o4->src, osrc6);
	if (q > ND_ICMP6_MAX - 2 * ND_IP6_HLEN - 8 - fh)
		q = ND_ICMP6_MAX - 2 * ND_IP6_HLEN - 8 - fh;
	plen = 8 + icmp_ext_place(x, ip, ND_IP6_HLEN + fh + q, 8, ND_ICMP6_MAX - ND_IP6_HLEN - 8,
	    &words);
	nd_build6(ip, in->tos, 0, (uint16_t)(in->declared - in->ihl + fh),
	    frag ? ND_PROTO_FRAG6 : nh, in->ttl, isrc6, idst6);
	if (frag)
		nd_build_frag6(ip + ND_IP6_HLEN, nh, in->fragoff, in->mf, in->id);
	memcpy(l4, x->l4, q);
	/* The quoted header as it was: our pool port back to the client's. */
	if (in->proto == ND_PROTO_ICMP)
		nd_path_echo(l4, l4[0] == 8 ? 128 : l4[0] == 0 ? 129 : l4[0], -1, x->mport, 0,
		    cksum_pseudo6(isrc6, idst6, ND_PROTO_ICMP6, (uint32_t)(in->declared - in->ihl)));
	else
		nd_path_ports(l4, q, in->proto, 0, x->mport, nd_sum4(in->src) + nd_sum4(in->dst),
		    cksum_add(cksum_add(0, isrc6, 16), idst6, 16), ND_RW_KEEPZERO);
	nd_build6(o, gw->cfg.reset_tos ? 0 : o4->tos, 0, (uint16_t)plen, ND_PROTO_ICMP6,
	    (uint8_t)(o4->ttl - 1), osrc6, x->v6);
	o[40] = x->type;
	o[41] = x->code;
	be16_store(o + 42, 0);
	be32_store(o + 44, x->param);
	if (words)
		o[44] = words;	/* RFC 4884 length, 64-bit words */
	be16_store(o + 42, cksum_finish(cksum_add(cksum_pseudo6(osrc6, x->v6, ND_PROTO_ICMP6,
	    (uint32_t)plen), o + 40, plen)));
	gw->c.icmp_err_xlat4to6++;
	nd_out_send(gw, NULL, o, ND_IP6_HLEN + plen, NULL, 0, true);
}

/* IPv4 error about a packet we sent out (inner: pool address -> peer). */
void
nd_icmp_xlat4to6(struct nd_gw *gw, struct nd_pkt *p)
{
	struct icmp_x x;

	if (x4_outer(gw, p, &x) || x4_control(gw, p, &x) || x4_inner(gw, p, &x) ||
	    x4_mapping(gw, p, &x) || x4_param(gw, p, &x))
		return;
	x4_emit(gw, p, &x);
}

/* ------------------------------------------------------------ IPv6 -> IPv4 */

/* Long enough, hop limit left, ICMPv6 checksum right; type and code
 * (RFC 7915 §5.2); sent to an address of a prefix. */
static enum nd_step
x6_outer(struct nd_gw *gw, struct nd_pkt *p, struct icmp_x *x, uint32_t *odst4)
{
	const struct nd_p6 *o6 = &p->in6;

	x->icmp = o6->p + o6->l4off;
	x->ilen = o6->len - o6->l4off;
	if (x->ilen < 8 + ND_IP6_HLEN || o6->p[7] <= 1)
		return nd_drop(p, &gw->c.drop_malformed6);
	if (cksum_finish(cksum_add(cksum_pseudo6(o6->p + 8, o6->p + 24, ND_PROTO_ICMP6,
	    (uint32_t)x->ilen), x->icmp, x->ilen)) != 0)
		return nd_drop(p, &gw->c.drop_malformed6);
	if (!nd_icmp6to4_map(x->icmp[0], x->icmp[1], &x->type, &x->code))
		return nd_drop(p, &gw->c.drop_icmp_type);
	if (nd_path_prefix_of(gw, o6->p + 24, odst4) < 0)
		return nd_drop(p, &gw->c.drop_not_prefix);
	return ND_GO;
}

/* The quoted packet came from a prefix address (one we translated). */
static enum nd_step
x6_inner(struct nd_gw *gw, struct nd_pkt *p, struct icmp_x *x, uint32_t *isrc4)
{
	struct nd_p6 *in = &x->in6;

	/* RFC 4884 extensions, §5.2 "ICMP Error Payload" the mirror of §4.2:
	 * the length attribute adjusted (ICMPv6 Destination Unreachable and
	 * Time Exceeded count 64-bit words, ICMPv4 32-bit words). */
	icmp_ext(x, x->icmp[0] == 1 || x->icmp[0] == 3 ? x->icmp[4] : 0, 8,
	    x->type == 3 || x->type == 11);
	if (nd_parse6((uint8_t *)x->icmp + 8, x->olen, true, in) != ND_P_OK ||
	    !nd_p6_first(in) || nd_path_prefix_of(gw, in->p + 8, isrc4) < 0)
		return nd_drop(p, &gw->c.drop_icmp_err_nomatch);
	if (in->l4off + 8 > in->len ||
	    (in->proto != ND_PROTO_TCP && in->proto != ND_PROTO_UDP && in->proto != ND_PROTO_ICMP6))
		return nd_drop(p, &gw->c.drop_icmp_err_nomatch);
	x->l4 = in->p + in->l4off;
	x->l4q = in->len - in->l4off;
	x->port = in->proto == ND_PROTO_ICMP6 ? be16_load(x->l4 + 4) : be16_load(x->l4 + 2);
	return ND_GO;
}

/* The mapping the quoted packet was translated with: a BIB entry, or a
 * server's cached entry. */
static enum nd_step
x6_mapping(struct nd_gw *gw, struct nd_pkt *p, struct icmp_x *x, uint32_t isrc4)
{
	const struct nd_p6 *in = &x->in6;
	uint8_t proto4 = in->proto == ND_PROTO_ICMP6 ? ND_PROTO_ICMP : in->proto;
	const struct nd_bib *b = nd_bib_find6(&gw->st, proto4, in->p + 24, x->port);

	if (!b) {
		const struct nd_hoent *he = gw->ho && proto4 != ND_PROTO_ICMP ?
		    nd_hoc_find6(nd_ho_cache(gw), isrc4, in->p + 24, x->port) : NULL;

		if (!he)
			return nd_drop(p, &gw->c.drop_icmp_err_nomatch);
		x->v4 = he->pool4;
		x->mport = he->port4;
		gw->c.icmp_err_via_cache++;
		return ND_GO;
	}
	x->v4 = b->v4;
	x->mport = b->port4;
	return ND_GO;
}

/* The parameter: the MTU (Fragmentation Needed), pointer (Parameter
 * Problem), RFC 7915 §5.2. */
static enum nd_step
x6_param(struct nd_gw *gw, struct nd_pkt *p, struct icmp_x *x)
{
	x->param = 0;
	if (x->type == 3 && x->code == 4) {
		/* RFC 7915 §5.2: "The MTU field MUST be adjusted for the
		 * difference between the IPv4 and IPv6 header sizes, taking into
		 * account whether or not the packet in error includes a Fragment
		 * Header, i.e., minimum(advertised MTU-20, MTU_of_IPv4_nexthop,
		 * (MTU_of_IPv6_nexthop)-20)." An advertised MTU below 1280 is
		 * used as it is: the IPv4 path behind an IPv6 hop may be smaller.
		 * The field is 16 bits; below RFC 791's 68 ("Every internet
		 * module must be able to forward a datagram of 68 octets without
		 * further fragmentation") no MTU is meaningful, so 68. */
		uint32_t d = ND_IP6_HLEN - ND_IP4_HLEN, adv = be32_load(x->icmp + 4);
		uint32_t mtu = adv > 65535 + d ? 65535 : adv > d ? adv - d : 0;

		if (mtu > gw->cfg.mtu4)
			mtu = gw->cfg.mtu4;
		if (mtu > gw->cfg.mtu6 - d)
			mtu = gw->cfg.mtu6 - d;
		if (mtu < 68)
			mtu = 68;
		x->param = mtu;
	} else if (x->type == 12) {
		int p4 = nd_ptr6to4(be32_load(x->icmp + 4));

		if (p4 < 0)
			return nd_drop(p, &gw->c.drop_icmp_type);
		x->param = (uint32_t)p4 << 24;
	}
	return ND_GO;
}

/* The ICMPv4 error from osrc4, quoting the packet as it left the IPv4 side. */
static void
x6_emit(struct nd_gw *gw, struct nd_pkt *p, struct icmp_x *x, uint32_t osrc4, uint32_t isrc4)
{
	const struct nd_p6 *o6 = &p->in6, *in = &x->in6;
	uint8_t *o = gw->scratch, *ip = o + ND_IP4_HLEN + 8, *l4 = ip + ND_IP4_HLEN;
	uint8_t proto4 = in->proto == ND_PROTO_ICMP6 ? ND_PROTO_ICMP : in->proto, words;
	size_t q = x->l4q, tlen = in->declared - in->l4off + ND_IP4_HLEN, pl;

	if (q > ND_ICMP4_MAX - 2 * ND_IP4_HLEN - 8)
		q = ND_ICMP4_MAX - 2 * ND_IP4_HLEN - 8;
	/* The quoted header is translated as the packet itself was (RFC 7915
	 * §5.3), so its DF follows §5.1: "If the size of the translated IPv4
	 * packet is less than or equal to 1260 bytes, it is set to zero;
	 * otherwise, it is set to one." A quoted fragment keeps DF 0 (§5.1.1). */
	nd_build4(ip, (uint8_t)(be32_load(in->p) >> 20), (uint16_t)(tlen > 65535 ? 65535 : tlen),
	    in->frag ? (uint16_t)in->fragid : 0, !in->frag && tlen > 1260, in->mf, 0, in->p[7],
	    proto4, isrc4, x->v4);
	memcpy(l4, x->l4, q);
	/* The quoted header as it was: the client's port back to our pool port. */
	if (in->proto == ND_PROTO_ICMP6)
		nd_path_echo(l4, l4[0] == 128 ? 8 : l4[0] == 129 ? 0 : l4[0], -1, x->mport,
		    cksum_pseudo6(in->p + 8, in->p + 24, ND_PROTO_ICMP6,
		    (uint32_t)(in->declared - in->l4off)), 0);
	else
		nd_path_ports(l4, q, in->proto, 2, x->mport, cksum_add(cksum_add(0, in->p + 8, 16),
		    in->p + 24, 16), nd_sum4(isrc4) + nd_sum4(x->v4), 0);
	/* An error in an atomic fragment keeps its identity as any fragment
	 * does (RFC 7915 §5.1.1: "Identification: Copied from the low-order
	 * 16 bits in the Identification field in the Fragment Header"). */
	pl = icmp_ext_place(x, ip, ND_IP4_HLEN + q, 4, ND_ICMP4_MAX - ND_IP4_HLEN - 8, &words);
	nd_build4(o, gw->cfg.reset_tos ? 0 : (uint8_t)(be32_load(o6->p) >> 20),
	    (uint16_t)(ND_IP4_HLEN + 8 + pl),
	    o6->frag ? (uint16_t)o6->fragid : gw->ipid++, false, false, 0,
	    (uint8_t)(o6->p[7] - 1), ND_PROTO_ICMP, osrc4, isrc4);
	icmp_head4(o + 20, x->type, x->code, x->param);
	if (words)
		o[25] = words;	/* RFC 4884 length, 32-bit words */
	be16_store(o + 22, cksum_finish(cksum_add(0, o + 20, 8 + pl)));
	gw->c.icmp_err_xlat6to4++;
	/* RFC 6146 §3.8 hairpinning holds for ICMP errors too: an error about
	 * a hairpinned packet is addressed to one of our pool addresses and
	 * goes back in, to reach the IPv6 host that sent the packet. */
	if (nd_state_is_pool4(&gw->st, isrc4)) {
		if ((p->from & ND_FROM_HAIRPIN) ||
		    nd_path_again(gw, o, ND_IP4_HLEN + 8 + pl, NULL, p->from | ND_FROM_HAIRPIN, p->now) == -1) {
			nd_drop(p, &gw->c.drop_hairpin_loop);
			return;
		}
		gw->c.hairpin++;
		return;
	}
	nd_out_send(gw, NULL, o, ND_IP4_HLEN + 8 + pl, NULL, 0, false);
}

/* The IPv4 source of an error whose IPv6 source cannot be translated:
 * the client's own errors leave from its BIB entry; a router's, with an
 * icmp-error-source pool, from one of its addresses (RFC 6791 §4: picked
 * at random, so errors of one traceroute run do not all show one
 * address), else from the BIB entry too. */
static uint32_t
x6_source(const struct nd_gw *gw, const struct nd_pkt *p, const struct icmp_x *x)
{
	if (gw->cfg.n_errsrc == 0 || memcmp(p->in6.p + 8, x->in6.p + 24, 16) == 0)
		return x->v4;
	return gw->cfg.errsrc[gw->cfg.n_errsrc == 1 ? 0 :
	    randombytes_uniform((uint32_t)gw->cfg.n_errsrc)];
}

/* IPv6 error about a packet we sent to the IPv6 side (inner: prefix+peer
 * -> client). */
void
nd_icmp_xlat6to4(struct nd_gw *gw, struct nd_pkt *p)
{
	struct icmp_x x;
	uint32_t odst4, isrc4, osrc4;

	if (x6_outer(gw, p, &x, &odst4) || x6_inner(gw, p, &x, &isrc4) ||
	    x6_mapping(gw, p, &x, isrc4))
		return;
	/* An error goes to the sender of the packet it quotes; one addressed
	 * elsewhere would make us send ICMPv4 to a third party. */
	if (isrc4 != odst4) {
		nd_drop(p, &gw->c.drop_icmp_err_nomatch);
		return;
	}
	/* The source: a stateful NAT64 translates the error with the
	 * session's tuple (RFC 6146 §3.6.1: when translating IPv6 -> IPv4
	 * the source transport address of the outgoing tuple is the IPv4
	 * side of the BIB entry, (T,t)), so an error from the client or from
	 * a router on its path leaves from the pool4 address the peer talks
	 * to, not from ipv4-addr, which the peer never saw. */
	if (nd_path_prefix_of(gw, p->in6.p + 8, &osrc4) < 0 || !nd_path_v4_ok(osrc4))
		osrc4 = x6_source(gw, p, &x);
	if (x6_param(gw, p, &x))
		return;
	x6_emit(gw, p, &x, osrc4, isrc4);
}
