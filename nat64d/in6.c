/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* in6.c — IPv6 -> IPv4 (RFC 7915 §5, RFC 6146 §3.5): the steps of a
 * packet from the IPv6 side, run in order by nd_in6(). Each step either
 * lets the packet go on (ND_GO) or finishes it (ND_DONE: sent, handed
 * over, or dropped through nd_drop with its counter). */
#include "nd_path.h"

#include <endian.h>
#include <string.h>

#include "buf.h"
#include "cksum.h"
#include "nd_gso.h"
#include "nd_handoff.h"
#include "nd_state.h"

/* A well-formed packet we cannot translate is discarded with an error
 * back. RFC 7915 §5.4: "If the IPv6 packet is discarded, then the
 * translator SHOULD send back an ICMPv6 error message to the original
 * sender of the packet, unless the discarded packet is itself an ICMPv6
 * message." The error is Destination Unreachable, code 1 (communication
 * administratively prohibited), which §5.4 names unless the RFC says
 * otherwise. nd_icmp_err6 never answers an ICMPv6 error, and rate-limits
 * (icmp-error-rate, 0 turns them off as §5.4 lets an administrator). */
static void
in6_discard_err(struct nd_gw *gw, struct nd_pkt *p)
{
	const struct nd_p6 *in = &p->in6;
	uint32_t v4;

	/* Only about a packet meant for translation (destination in a prefix). */
	if (in->proto == ND_PROTO_ICMP6 || p->len < ND_IP6_HLEN ||
	    nd_path_prefix_of(gw, p->p + 24, &v4) < 0 || !nd_path_v6src_ok(p->p + 8))
		return;
	nd_icmp_err6(gw, 1, 1, 0, p->p, p->len < in->declared ? p->len : in->declared, p->now);
}

/* Parse the header chain; a live routing header gets a Parameter Problem. */
static enum nd_step
in6_parse(struct nd_gw *gw, struct nd_pkt *p)
{
	struct nd_p6 *in = &p->in6;
	enum nd_perr pe;

	gw->c.rx6++;
	if ((pe = nd_parse6(p->p, p->len, false, in)) == ND_P_OK) {
		p->len = in->len;
		return ND_GO;
	}
	if (pe == ND_P_EXTHDR && in->errptr) {
		/* RFC 7915 §5.1: Segments Left != 0, Parameter Problem. */
		nd_icmp_err6(gw, 4, 0, in->errptr, p->p, p->len < in->declared ? p->len : in->declared,
		    p->now);
		return nd_drop(p, &gw->c.drop_exthdr);
	}
	if (pe == ND_P_EXTHDR || pe == ND_P_NESTED_FRAG) {
		in6_discard_err(gw, p);
		return nd_drop(p, &gw->c.drop_exthdr);
	}
	return nd_drop(p, &gw->c.drop_malformed6);
}

/* Destination inside a prefix with a translatable IPv4, a legal source;
 * offload metadata sane. */
static enum nd_step
in6_addresses(struct nd_gw *gw, struct nd_pkt *p)
{
	if ((p->pfx = nd_path_prefix_of(gw, p->p + 24, &p->dst4)) < 0)
		return nd_drop(p, &gw->c.drop_not_prefix);
	if (!nd_path_v4_ok(p->dst4) || !nd_path_v6src_ok(p->p + 8))
		return nd_drop(p, &gw->c.drop_bad_addr);
	if (!nd_gso_check(p->vh, p->len, p->in6.l4off, p->in6.proto, true))
		return nd_drop(p, &gw->c.drop_gso);
	if (nd_gso_is_gso(p->vh))
		gw->c.gso_rx++;
	p->l4 = p->p + p->in6.l4off;
	p->l4len = p->len - p->in6.l4off;
	return ND_GO;
}

/* ICMPv6 errors go to icmp.c; then the checks every query packet passes. */
static enum nd_step
in6_classify(struct nd_gw *gw, struct nd_pkt *p)
{
	const struct nd_p6 *in = &p->in6;
	uint32_t src4_unused;

	if (in->proto == ND_PROTO_ICMP6 && nd_p6_first(in) && p->l4len >= 1 &&
	    nd_icmp6_is_error(p->l4[0])) {
		/* Only a really fragmented error: one in an atomic fragment is
		 * whole (nd_p6_isfrag, RFC 6946 §4). */
		if (nd_p6_isfrag(in))
			return nd_drop(p, &gw->c.drop_frag_icmp);
		nd_icmp_xlat6to4(gw, p);
		return ND_DONE;
	}
	/* A source inside our own prefix would come back to us. */
	if (nd_path_prefix_of(gw, p->p + 8, &src4_unused) >= 0)
		return nd_drop(p, &gw->c.drop_bad_addr);
	if (p->p[7] <= 1) {
		nd_icmp_err6(gw, 3, 0, 0, p->p, p->len, p->now);
		return nd_drop(p, &gw->c.gen_time_exceeded6);
	}
	if (in->proto != ND_PROTO_TCP && in->proto != ND_PROTO_UDP && in->proto != ND_PROTO_ICMP6) {
		/* A stateful NAT64 translates TCP, UDP and ICMP only (RFC 6146 §1). */
		in6_discard_err(gw, p);
		return nd_drop(p, &gw->c.drop_proto);
	}
	p->proto = in->proto == ND_PROTO_ICMP6 ? ND_PROTO_ICMP : in->proto;
	return ND_GO;
}

/* Too big for the IPv4 side: RFC 7915 (§1.4, §5.1), "Note that the translator
 * MUST behave as a router, i.e., the translator MUST send a Packet Too Big
 * error message or fragment the packet when the packet size exceeds the
 * MTU of the next-hop interface." An IPv6 router does not fragment (RFC
 * 8200 §5): Packet Too Big with the IPv6 size that fits, mtu4 + 20 (+ 8
 * with a Fragment header). A super-packet is judged by its segments; a
 * hairpinned packet never reaches the IPv4 side. */
static enum nd_step
in6_mtu(struct nd_gw *gw, struct nd_pkt *p)
{
	const struct nd_p6 *in = &p->in6;
	size_t l4h = in->proto == ND_PROTO_TCP && nd_p6_first(in) && p->l4len >= 20 ?
	    (size_t)(p->l4[12] >> 4) * 4 : 8;
	size_t seg = nd_gso_seglen(p->vh, p->len, in->l4off + l4h);
	size_t d = ND_IP6_HLEN - ND_IP4_HLEN + (in->frag ? ND_FRAG6_HLEN : 0);

	if (seg - in->l4off + ND_IP4_HLEN <= gw->cfg.mtu4 || nd_state_is_pool4(&gw->st, p->dst4))
		return ND_GO;
	nd_icmp_err6(gw, 2, 0, (uint32_t)(gw->cfg.mtu4 + d), p->p, p->len, p->now);
	return nd_drop(p, &gw->c.gen_too_big6);
}

/* A partial checksum this path cannot carry is completed here. */
static enum nd_step
in6_offload(struct nd_gw *gw, struct nd_pkt *p)
{
	const struct nd_p6 *in = &p->in6;
	struct virtio_net_hdr *vh = p->vh;

	p->partial = nd_gso_partial(vh);
	if (p->partial && !nd_gso_is_gso(vh) && (le16toh(vh->csum_start) != in->l4off ||
	    le16toh(vh->csum_offset) != (in->proto == ND_PROTO_TCP ? 16 : 6) ||
	    (in->proto != ND_PROTO_TCP && in->proto != ND_PROTO_UDP)))
		return nd_path_resolve(gw, p);
	return ND_GO;
}

/* A later fragment follows its first (or waits for it). */
static enum nd_step
in6_follow(struct nd_gw *gw, struct nd_pkt *p)
{
	uint8_t fv[8];

	nd_path_fkey6(p);
	if (!nd_frag_get(&gw->frags, p->fk, p->fklen, fv, sizeof(fv), p->now)) {
		nd_path_fhold(gw, p);
		return ND_DONE;
	}
	p->src4 = be32_load(fv);
	p->dst4 = be32_load(fv + 4);
	return ND_GO;
}

/* The ports (or echo identifier) of a first fragment or whole packet. */
static enum nd_step
in6_ports(struct nd_gw *gw, struct nd_pkt *p)
{
	const uint8_t *l4 = p->l4;

	switch (p->in6.proto) {
	case ND_PROTO_TCP:
		if (p->l4len < 20)
			return nd_drop(p, &gw->c.drop_malformed6);
		break;
	case ND_PROTO_UDP:
		if (p->l4len < 8)
			return nd_drop(p, &gw->c.drop_malformed6);
		if (be16_load(l4 + 6) == 0 && !p->partial)
			return nd_drop(p, &gw->c.drop_udp0_v6);	/* RFC 8200: mandatory in IPv6 */
		break;
	default:	/* ICMPv6 */
		if (p->l4len < 8)
			return nd_drop(p, &gw->c.drop_malformed6);
		/* A fragmented ICMPv6 message cannot be checked nor mapped in
		 * pieces (RFC 6146 §3.4); an atomic fragment is whole. */
		if (nd_p6_isfrag(&p->in6))
			return nd_drop(p, &gw->c.drop_frag_icmp);
		if (l4[0] != 128 && l4[0] != 129)
			return nd_drop(p, &gw->c.drop_icmp_type);
		p->sport = be16_load(l4 + 4);	/* the identifier */
		p->dport = 0;
		return ND_GO;
	}
	p->sport = be16_load(l4);
	p->dport = be16_load(l4 + 2);
	return ND_GO;
}

/* RFC 6146 §3.5.1-3.5.3: find or make the BIB entry and session, within
 * the client's quotas. */
static enum nd_step
in6_state(struct nd_gw *gw, struct nd_pkt *p)
{
	struct nd_state *st = &gw->st;
	const uint8_t *src6 = p->p + 8;
	int why;

	p->b = nd_bib_find6(st, p->proto, src6, p->sport);
	if (p->b)
		p->s = nd_session_find(st, p->b, p->dst4, p->dport);
	if (!p->s) {
		uint8_t fl = p->proto == ND_PROTO_TCP ? nd_path_tcp_flags(p->l4) : 0;

		if (p->proto == ND_PROTO_TCP && !(fl & ND_TCPF_SYN))
			return nd_drop(p, &gw->c.drop_no_session);
		if (p->proto == ND_PROTO_ICMP && p->l4[0] != 128)
			return nd_drop(p, &gw->c.drop_no_session);
		if (!nd_quota_admit(&gw->quota, src6, !p->b, p->now, &why)) {
			/* Over a quota of its client, subnet or site (nd_quota.h):
			 * nothing is created. RFC 6146 §3.5.1.1: "If it is not
			 * possible to allocate an appropriate IPv4 transport
			 * address or create a BIB entry, then the packet is
			 * discarded. The NAT64 SHOULD send an ICMPv6 Destination
			 * Unreachable error message with Code 3 (Address
			 * Unreachable)." TCP (§3.5.2) and ICMP queries (§3.5.3)
			 * allocate as UDP does, and a session refused on an
			 * existing entry gets the same answer, within a tenth
			 * of icmp-error-rate (nd_icmp_quota_allow). */
			gw->c.drop_quota++;
			if (nd_icmp_quota_allow(gw, p->now))
				nd_icmp_err6(gw, 1, 3, 0, p->p, p->len, p->now);
			return nd_drop(p, &gw->c.gen_unreach6);
		}
		if (!p->b && !(p->b = nd_bib_create(st, p->proto, src6, p->sport, p->now))) {
			/* RFC 6146 §3.5.1.1: Destination Unreachable, Address Unreachable. */
			gw->c.drop_state_full++;
			nd_icmp_err6(gw, 1, 3, 0, p->p, p->len, p->now);
			return nd_drop(p, &gw->c.gen_unreach6);
		}
		/* Handoff §8: the first use of an own entry with a server is told to it. */
		p->announce = gw->ho && !p->in6.frag && !nd_bib_used_with(p->b, p->dst4);
		if (!(p->s = nd_session_create(st, p->b, p->dst4, p->dport, false, p->now))) {
			gw->c.drop_state_full++;
			if (p->b->n_sessions == 0 && p->b->owner == ND_OWN_LOCAL)
				nd_bib_delete(st, p->b, p->now);
			nd_icmp_err6(gw, 1, 3, 0, p->p, p->len, p->now);
			return nd_drop(p, &gw->c.gen_unreach6);
		}
		p->s->pfx = (uint8_t)p->pfx;
		if (p->proto == ND_PROTO_TCP)
			nd_path_syn_forget(gw, p->b, p->dst4, p->dport);
	}
	if (p->announce)
		nd_ho_announce(gw, p->b, p->pfx, p->dst4, p->now);
	if (p->proto == ND_PROTO_TCP)
		nd_session_tcp(st, p->s, true, nd_path_tcp_flags(p->l4), p->now);
	else
		nd_session_touch(st, p->s, p->now);
	p->src4 = p->b->v4;
	p->port = p->b->port4;
	return ND_GO;
}

/* L4: ports and checksum, incrementally (RFC 1624); remember a first fragment. */
static void
in6_rewrite(struct nd_gw *gw, struct nd_pkt *p)
{
	uint8_t fv[8];

	if (p->proto == ND_PROTO_ICMP)
		nd_path_echo(p->l4, p->l4[0] == 128 ? 8 : 0, 0, p->port,
		    cksum_pseudo6(p->p + 8, p->p + 24, ND_PROTO_ICMP6, (uint32_t)p->l4len), 0);
	else
		nd_path_ports(p->l4, p->l4len, p->proto, 0, p->port, cksum_add(0, p->p + 8, 32),
		    nd_sum4(p->src4) + nd_sum4(p->dst4), p->partial ? ND_RW_PARTIAL : ND_RW_NONZERO);
	if (p->in6.frag && p->in6.mf) {
		be32_store(fv, p->src4);
		be32_store(fv + 4, p->dst4);
		nd_path_fkey6(p);
		nd_frag_put(&gw->frags, p->fk, p->fklen, fv, sizeof(fv), p->now);
	}
}

/* The IPv4 header (RFC 7915 §5.1: DF unless small; fragments keep their
 * identity), then out, or back in when it is for one of our pool
 * addresses (hairpinning, RFC 6146 §3.8). */
static void
in6_emit(struct nd_gw *gw, struct nd_pkt *p)
{
	const struct nd_p6 *in = &p->in6;
	size_t total = ND_IP4_HLEN + p->l4len;
	bool df;
	uint16_t id;

	if (total > 65535) {
		nd_drop(p, &gw->c.drop_too_big);
		return;
	}
	if (in->frag) {
		df = false;
		id = (uint16_t)in->fragid;
		gw->c.frags_xlat++;
	} else {
		df = total > 1260 || nd_gso_is_gso(p->vh);
		id = df ? 0 : gw->ipid++;
	}
	/* RFC 7915 §5.1: the TOS is copied from the Traffic Class, and a
	 * translator should be able to ignore it and set a configured value
	 * instead (the rule in our words): reset-tos sets 0, as §4.1 does
	 * the other way. */
	nd_build4(gw->hdr, gw->cfg.reset_tos ? 0 : (uint8_t)(be32_load(p->p) >> 20), (uint16_t)total,
	    id, df, in->mf, in->fragoff, (uint8_t)(p->p[7] - 1), p->proto, p->src4, p->dst4);
	nd_gso_rewrite(p->vh, in->l4off, ND_IP4_HLEN, true);
	if (nd_state_is_pool4(&gw->st, p->dst4)) {
		if ((p->from & ND_FROM_HAIRPIN) || total > sizeof(gw->scratch2)) {
			nd_drop(p, &gw->c.drop_hairpin_loop);
			return;
		}
		memcpy(gw->scratch2, gw->hdr, ND_IP4_HLEN);
		memcpy(gw->scratch2 + ND_IP4_HLEN, p->l4, p->l4len);
		if (nd_path_again(gw, gw->scratch2, total, p->vh, p->from | ND_FROM_HAIRPIN,
		    p->now) == -1) {
			nd_drop(p, &gw->c.drop_hairpin_loop);
			return;
		}
		gw->c.hairpin++;
		return;
	}
	if (gw->coalesce && p->proto == ND_PROTO_UDP && !in->frag && nd_path_batchable(p->vh))
		nd_out_udp(gw, p->vh, gw->hdr, ND_IP4_HLEN, p->l4, p->l4len, false);
	else
		nd_out_send(gw, p->vh, gw->hdr, ND_IP4_HLEN, p->l4, p->l4len, false);
	if (in->frag && in->mf && in->fragoff == 0) {
		nd_path_fkey6(p);
		nd_path_frelease(gw, p);
	}
}

/* Handoff §8 (whole packets): a server's cached entry, or taken over. */
static enum nd_step
in6_handoff(struct nd_gw *gw, struct nd_pkt *p, bool *cached)
{
	struct nd_hoent *he = NULL;

	*cached = false;
	if (!gw->ho || p->in6.frag)
		return ND_GO;
	switch (nd_ho_in6(gw, p, &he)) {
	case ND_HO_TAKEN:
		return ND_DONE;
	case ND_HO_CACHED:
		p->src4 = he->pool4;
		p->port = he->port4;
		*cached = true;
		return ND_GO;
	case ND_HO_PASS:
		break;
	}
	return ND_GO;
}

void
nd_in6(struct nd_gw *gw, struct nd_pkt *p)
{
	bool cached;

	if (in6_parse(gw, p) || in6_addresses(gw, p) || in6_classify(gw, p) || in6_mtu(gw, p) ||
	    in6_offload(gw, p))
		return;
	if (!nd_p6_first(&p->in6)) {
		if (in6_follow(gw, p) == ND_GO)
			in6_emit(gw, p);
		return;
	}
	if (in6_ports(gw, p) || in6_handoff(gw, p, &cached) || (!cached && in6_state(gw, p)))
		return;
	in6_rewrite(gw, p);
	in6_emit(gw, p);
}
