/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* in4.c — IPv4 -> IPv6 (RFC 7915 §4, RFC 6146 §3.5): the steps of a
 * packet from the IPv4 side, run in order by nd_in4(); see in6.c for
 * the conventions. */
#include "nd_path.h"

#include <endian.h>
#include <string.h>

#include "addr.h"
#include "buf.h"
#include "cksum.h"
#include "nd_gso.h"
#include "nd_handoff.h"
#include "nd_hold.h"
#include "nd_state.h"

/* An unexpired LSRR/SSRR option (pointer not past the last address). */
static bool
in4_source_routed(const uint8_t *p, size_t ihl)
{
	size_t i = ND_IP4_HLEN;

	while (i < ihl) {
		uint8_t t = p[i], l;

		if (t == 0)
			break;
		if (t == 1) {
			i++;
			continue;
		}
		if (i + 1 >= ihl || (l = p[i + 1]) < 2 || i + l > ihl)
			break;
		if ((t == 131 || t == 137) && l >= 3 && p[i + 2] <= l)
			return true;
		i += l;
	}
	return false;
}

/* Parse (header checksum verified); destination in the pool, source
 * translatable, no live source route; offload metadata sane. */
static enum nd_step
in4_parse(struct nd_gw *gw, struct nd_pkt *p)
{
	struct nd_p4 *in = &p->in4;

	gw->c.rx4++;
	if (nd_parse4(p->p, p->len, false, in) != ND_P_OK)
		return nd_drop(p, &gw->c.drop_malformed4);
	p->len = in->len;
	if (!nd_state_is_pool4(&gw->st, in->dst))
		return nd_drop(p, &gw->c.drop_not_pool);
	if (!nd_path_v4_ok(in->src) && !(nd_path_v4_errsrc_ok(in->src) &&
	    in->proto == ND_PROTO_ICMP && nd_p4_first(in) && in->len > in->ihl &&
	    nd_icmp4_is_error(p->p[in->ihl])))
		return nd_drop(p, &gw->c.drop_bad_addr);
	if (in->ihl > ND_IP4_HLEN && in4_source_routed(p->p, in->ihl)) {
		/* RFC 7915 §4.1: unexpired source route -> 3/5, dropped. */
		nd_icmp_err4(gw, 3, 5, 0, p->p, p->len, p->now);
		return nd_drop(p, &gw->c.drop_source_route);
	}
	if (!nd_gso_check(p->vh, p->len, in->ihl, in->proto, false))
		return nd_drop(p, &gw->c.drop_gso);
	if (nd_gso_is_gso(p->vh))
		gw->c.gso_rx++;
	p->l4 = p->p + in->ihl;
	p->l4len = p->len - in->ihl;
	return ND_GO;
}

/* ICMP errors to icmp.c, control packets to handoff; TTL, protocol. */
static enum nd_step
in4_classify(struct nd_gw *gw, struct nd_pkt *p)
{
	const struct nd_p4 *in = &p->in4;

	if (in->proto == ND_PROTO_ICMP && nd_p4_first(in) && p->l4len >= 1 &&
	    nd_icmp4_is_error(p->l4[0])) {
		if (nd_p4_isfrag(in))
			return nd_drop(p, &gw->c.drop_frag_icmp);
		nd_icmp_xlat4to6(gw, p);
		return ND_DONE;
	}
	if (gw->ho && nd_ho_is_control(gw, in, p->l4, p->l4len)) {
		nd_ho_control_in(gw, p);
		return ND_DONE;
	}
	if (in->ttl <= 1) {
		nd_icmp_err4(gw, 11, 0, 0, p->p, p->len, p->now);
		return nd_drop(p, &gw->c.gen_time_exceeded4);
	}
	if (in->proto != ND_PROTO_TCP && in->proto != ND_PROTO_UDP && in->proto != ND_PROTO_ICMP)
		return nd_drop(p, &gw->c.drop_proto);
	p->proto = in->proto == ND_PROTO_ICMP ? ND_PROTO_ICMP6 : in->proto;
	return ND_GO;
}

/* The largest IPv6 packet a translation may be before it is cut into
 * fragments (DF clear) or refused with Fragmentation Needed (DF set).
 * RFC 7915 §4.1 fragments a DF-clear packet to "lowest-ipv6-mtu", which
 * "defaults to 1280 bytes": the IPv6 path is not known. A configured
 * mtu6 is the administrator's value for it; DF set uses mtu6 always. */
static size_t
in4_limit(const struct nd_gw *gw, const struct nd_p4 *in)
{
	if (in->df || gw->cfg.have_mtu6 || gw->cfg.mtu6 < 1280)
		return gw->cfg.mtu6;
	return 1280;
}

/* Path MTU (RFC 7915 §4): DF set and too big -> Fragmentation Needed; a
 * partial checksum this path cannot carry is completed. */
static enum nd_step
in4_mtu(struct nd_gw *gw, struct nd_pkt *p)
{
	const struct nd_p4 *in = &p->in4;
	struct virtio_net_hdr *vh = p->vh;
	size_t seg;

	seg = nd_gso_seglen(vh, p->len, in->ihl + (in->proto == ND_PROTO_TCP && p->l4len >= 20 ?
	    (size_t)(p->l4[12] >> 4) * 4 : 8));
	if (seg - in->ihl + ND_IP6_HLEN + (nd_p4_isfrag(in) ? ND_FRAG6_HLEN : 0) > gw->cfg.mtu6 &&
	    in->df) {
		nd_icmp_err4(gw, 3, 4, gw->cfg.mtu6 - ND_IP6_HLEN + ND_IP4_HLEN, p->p, p->len, p->now);
		return nd_drop(p, &gw->c.gen_frag_needed4);
	}
	p->partial = nd_gso_partial(vh);
	if (p->partial && !nd_gso_is_gso(vh) && (in->proto == ND_PROTO_ICMP ||
	    p->l4len + ND_IP6_HLEN > in4_limit(gw, in) || le16toh(vh->csum_start) != in->ihl ||
	    le16toh(vh->csum_offset) != (in->proto == ND_PROTO_TCP ? 16 : 6)))
		return nd_path_resolve(gw, p);
	return ND_GO;
}

/* A later fragment follows its first (or waits for it). */
static enum nd_step
in4_follow(struct nd_gw *gw, struct nd_pkt *p)
{
	uint8_t fv[32];

	nd_path_fkey4(p);
	if (!nd_frag_get(&gw->frags, p->fk, p->fklen, fv, sizeof(fv), p->now)) {
		nd_path_fhold(gw, p);
		return ND_DONE;
	}
	memcpy(p->src6, fv, 16);
	memcpy(p->dst6, fv + 16, 16);
	return ND_GO;
}

/* The ports (or echo identifier) of a first fragment or whole packet. */
static enum nd_step
in4_ports(struct nd_gw *gw, struct nd_pkt *p)
{
	const uint8_t *l4 = p->l4;

	switch (p->in4.proto) {
	case ND_PROTO_TCP:
		if (p->l4len < 20)
			return nd_drop(p, &gw->c.drop_malformed4);
		break;
	case ND_PROTO_UDP:
		if (p->l4len < 8)
			return nd_drop(p, &gw->c.drop_malformed4);
		if (be16_load(l4 + 6) == 0 && !p->partial && nd_p4_isfrag(&p->in4)) {
			/* RFC 7915 §4.5: no checksum can be computed for a
			 * fragment without reassembly, so it is discarded; and
			 * §4.4: "If the IPv4 packet is discarded, then the
			 * translator SHOULD be able to send back an ICMPv4 error
			 * message to the original sender of the packet, unless
			 * the discarded packet is itself an ICMPv4 error
			 * message." Its type and code: Destination Unreachable,
			 * 13 (communication administratively prohibited), the
			 * one §4.4 names unless the RFC says otherwise. Only the
			 * first fragment holds the zero checksum. */
			nd_icmp_err4(gw, 3, 13, 0, p->p, p->len, p->now);
			return nd_drop(p, &gw->c.drop_udp0_frag);
		}
		/* RFC 7915 §4.5: "the translator SHOULD provide a
		 * configuration function" choosing between dropping such
		 * datagrams and computing their checksum: zero-udp-checksum. */
		if (be16_load(l4 + 6) == 0 && !p->partial && gw->cfg.zero_udp_checksum == ND_UDP0_DROP)
			return nd_drop(p, &gw->c.drop_udp0_v4);
		break;
	default:	/* ICMP */
		if (p->l4len < 8)
			return nd_drop(p, &gw->c.drop_malformed4);
		if (nd_p4_isfrag(&p->in4))
			return nd_drop(p, &gw->c.drop_frag_icmp);
		if (l4[0] != 0 && l4[0] != 8)
			return nd_drop(p, &gw->c.drop_icmp_type);
		p->dport = be16_load(l4 + 4);
		p->sport = 0;
		return ND_GO;
	}
	p->sport = be16_load(l4);
	p->dport = be16_load(l4 + 2);
	return ND_GO;
}

/* Handoff §8 (whole packets): a server's cached entry, or taken over. */
static enum nd_step
in4_handoff(struct nd_gw *gw, struct nd_pkt *p, bool *cached)
{
	struct nd_hoent *he = NULL;

	*cached = false;
	if (!gw->ho || nd_p4_isfrag(&p->in4))
		return ND_GO;
	switch (nd_ho_in4(gw, p, &he)) {
	case ND_HO_TAKEN:
		return ND_DONE;
	case ND_HO_CACHED:
		p->pfx = he->pfx < gw->cfg.n_prefix ? he->pfx : 0;
		memcpy(p->dst6, he->client, 16);
		p->port = he->port6;
		*cached = true;
		return ND_GO;
	case ND_HO_PASS:
		break;
	}
	return ND_GO;
}

/* An IPv4 SYN that nothing lets in: no BIB entry holds its destination,
 * or address-dependent filtering keeps its source out. RFC 6146 §3.5.2.2
 * keeps it (a simultaneous open, RFC 5382 REQ-4: "A NAT MUST NOT respond
 * to an unsolicited inbound SYN packet for at least 6 seconds after the
 * packet is received"), unless "the security policy requires silently
 * dropping externally initiated TCP connections" (unsolicited-syn drop).
 * It waits tcp-incoming-syn-timeout (6 s, TCP_INCOMING_SYN) in
 * gw->synhold, once per pair of transport addresses, bounded in count
 * and octets; an IPv6 SYN for it forgets it (nd_path_syn_forget), and
 * when the time is up gw.c answers "an ICMP Port Unreachable error (Type
 * 3, Code 3) containing the IPv4 SYN packet stored". */
static enum nd_step
in4_unsolicited_syn(struct nd_gw *gw, struct nd_pkt *p)
{
	const struct nd_p4 *in = &p->in4;
	uint64_t key;

	if (gw->cfg.unsolicited_syn == ND_USYN_DROP)
		return nd_drop(p, &gw->c.drop_unsolicited_syn);
	key = nd_path_syn_key(gw, in->dst, p->dport, in->src, p->sport);
	if (nd_hold_has(gw->synhold, key))
		return nd_drop(p, &gw->c.syn_held_again);
	if (nd_hold_put(gw->synhold, key, p->p, p->len < ND_SYN_KEEP ? p->len : ND_SYN_KEEP,
	    NULL, p->now) == -1)
		return nd_drop(p, &gw->c.syn_held_full);
	gw->c.syn_held++;
	return ND_DONE;
}

/* RFC 6146 §3.5.1-3.5.3: the BIB entry and the session. Filtering is
 * endpoint-independent by default (any IPv4 peer reaches an entry);
 * with `filtering address-dependent` only peers whose address the entry
 * has a session with (RFC 6146 §3.5.1.2). The choice is RFC 4787 REQ-8's:
 * "If application transparency is most important, it is RECOMMENDED
 * that a NAT have an "Endpoint-Independent Filtering" behavior. If a
 * more stringent filtering behavior is most important, it is RECOMMENDED
 * that a NAT have an "Address-Dependent Filtering" behavior." A static
 * entry is there to be reached from IPv4: it is never filtered. For TCP
 * only a SYN opens a session from the IPv4 side (§3.5.2.2). */
static enum nd_step
in4_state(struct nd_gw *gw, struct nd_pkt *p)
{
	struct nd_state *st = &gw->st;
	const struct nd_p4 *in = &p->in4;
	bool syn = in->proto == ND_PROTO_TCP && (nd_path_tcp_flags(p->l4) & ND_TCPF_SYN);

	if (!(p->b = nd_bib_find4(st, in->proto, in->dst, p->dport)))
		return syn ? in4_unsolicited_syn(gw, p) : nd_drop(p, &gw->c.drop_no_bib);
	if (!(p->s = nd_session_find(st, p->b, in->src, p->sport))) {
		/* A static entry removed by a reload lets its sessions finish:
		 * to a new IPv4 peer it is no entry. */
		if (p->b->retired)
			return syn ? in4_unsolicited_syn(gw, p) : nd_drop(p, &gw->c.drop_no_bib);
		if ((in->proto == ND_PROTO_TCP && !syn) ||
		    (in->proto == ND_PROTO_ICMP && p->l4[0] != 8))
			return nd_drop(p, &gw->c.drop_no_session);
		if (gw->cfg.filtering == ND_FILT_ADF && p->b->owner != ND_OWN_STATIC &&
		    !nd_bib_used_with(p->b, in->src))
			return syn ? in4_unsolicited_syn(gw, p) : nd_drop(p, &gw->c.drop_filtered);
		/* A peer reaching a client's mapping counts against the
		 * client's session quotas, so it cannot fill the table. */
		if (p->b->q && !nd_quota_admit_in4(&gw->quota, p->b->q, p->now))
			return nd_drop(p, &gw->c.drop_quota);
		if (!(p->s = nd_session_create(st, p->b, in->src, p->sport, true, p->now)))
			return nd_drop(p, &gw->c.drop_state_full);
	}
	if (in->proto == ND_PROTO_TCP)
		nd_session_tcp(st, p->s, false, nd_path_tcp_flags(p->l4), p->now);
	else
		nd_session_touch(st, p->s, p->now);
	p->pfx = p->s->pfx < gw->cfg.n_prefix ? p->s->pfx : 0;
	memcpy(p->dst6, p->b->v6, 16);
	p->port = p->b->port6;
	return ND_GO;
}

/* The IPv6 source (RFC 6052), L4 ports and checksum (RFC 1624; a zero UDP
 * checksum is computed, RFC 7915 §4.5); remember a first fragment. */
static void
in4_rewrite(struct nd_gw *gw, struct nd_pkt *p)
{
	const struct nd_p4 *in = &p->in4;
	uint8_t *l4 = p->l4;

	addr_rfc6052_embed(gw->cfg.prefix[p->pfx].addr, gw->cfg.prefix[p->pfx].len, in->src, p->src6);
	if (in->proto == ND_PROTO_ICMP)
		nd_path_echo(l4, l4[0] == 8 ? 128 : 129, 0, p->port, 0,
		    cksum_pseudo6(p->src6, p->dst6, ND_PROTO_ICMP6, (uint32_t)p->l4len));
	else if (in->proto == ND_PROTO_UDP && be16_load(l4 + 6) == 0 && !p->partial) {
		uint16_t ck;

		be16_store(l4 + 2, p->port);
		ck = cksum_finish(cksum_add(cksum_pseudo6(p->src6, p->dst6, ND_PROTO_UDP,
		    (uint32_t)p->l4len), l4, p->l4len));
		be16_store(l4 + 6, ck ? ck : 0xffff);
	} else
		nd_path_ports(l4, p->l4len, in->proto, 2, p->port, nd_sum4(in->src) + nd_sum4(in->dst),
		    cksum_add(cksum_add(0, p->src6, 16), p->dst6, 16),
		    p->partial ? ND_RW_PARTIAL : ND_RW_NONZERO);
	if (in->mf) {
		uint8_t fv[32];

		memcpy(fv, p->src6, 16);
		memcpy(fv + 16, p->dst6, 16);
		nd_path_fkey4(p);
		nd_frag_put(&gw->frags, p->fk, p->fklen, fv, sizeof(fv), p->now);
	}
}

/* The IPv6 header (a Fragment header for fragments), out; as IPv6
 * fragments of at most mtu6 when DF is clear and it does not fit. */
static void
in4_emit(struct nd_gw *gw, struct nd_pkt *p)
{
	const struct nd_p4 *in = &p->in4;
	bool frag = nd_p4_isfrag(in);
	size_t hl = ND_IP6_HLEN + (frag ? ND_FRAG6_HLEN : 0), l4len = p->l4len;
	/* RFC 7915 §4.1: "An implementation of a translator SHOULD support an
	 * administratively configurable option to ignore the IPv4 TOS and
	 * always set the IPv6 traffic class (TC) to zero." (reset-tos) */
	uint8_t tc = gw->cfg.reset_tos ? 0 : in->tos, hlim = (uint8_t)(in->ttl - 1), nh = p->proto;

	if (hl + l4len <= in4_limit(gw, in) || nd_gso_is_gso(p->vh)) {
		if (hl + l4len - ND_IP6_HLEN > 65535) {
			nd_drop(p, &gw->c.drop_too_big);
			return;
		}
		nd_build6(gw->hdr, tc, 0, (uint16_t)(hl + l4len - ND_IP6_HLEN),
		    frag ? ND_PROTO_FRAG6 : nh, hlim, p->src6, p->dst6);
		if (frag) {
			nd_build_frag6(gw->hdr + ND_IP6_HLEN, nh, in->fragoff, in->mf, in->id);
			gw->c.frags_xlat++;
		}
		nd_gso_rewrite(p->vh, in->ihl, hl, false);
		if (gw->coalesce && nh == ND_PROTO_UDP && !frag && nd_path_batchable(p->vh))
			nd_out_udp(gw, p->vh, gw->hdr, hl, p->l4, l4len, true);
		else
			nd_out_send(gw, p->vh, gw->hdr, hl, p->l4, l4len, true);
		return;
	}
	/* DF clear and too big: IPv6 fragments (RFC 7915 §4). */
	{
		size_t chunk = (in4_limit(gw, in) - ND_IP6_HLEN - ND_FRAG6_HLEN) & ~(size_t)7, off = 0;

		while (off < l4len) {
			size_t n = l4len - off < chunk ? l4len - off : chunk;
			bool more = off + n < l4len || in->mf;

			nd_build6(gw->hdr, tc, 0, (uint16_t)(ND_FRAG6_HLEN + n), ND_PROTO_FRAG6, hlim,
			    p->src6, p->dst6);
			nd_build_frag6(gw->hdr + ND_IP6_HLEN, nh, (uint16_t)(in->fragoff + off), more,
			    in->id);
			nd_out_send(gw, NULL, gw->hdr, ND_IP6_HLEN + ND_FRAG6_HLEN, p->l4 + off, n, true);
			gw->c.frag_out6++;
			off += n;
		}
	}
}

void
nd_in4(struct nd_gw *gw, struct nd_pkt *p)
{
	bool cached;

	if (in4_parse(gw, p) || in4_classify(gw, p) || in4_mtu(gw, p))
		return;
	if (!nd_p4_first(&p->in4)) {
		if (in4_follow(gw, p) == ND_GO)
			in4_emit(gw, p);
		return;
	}
	if (in4_ports(gw, p) || in4_handoff(gw, p, &cached) || (!cached && in4_state(gw, p)))
		return;
	in4_rewrite(gw, p);
	in4_emit(gw, p);
	if (p->in4.mf)
		nd_path_frelease(gw, p);
}
