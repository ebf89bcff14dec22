/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* hoclass.c — handoff §8: what happens to a packet subject to NAT, on
 * either side (a server's cached entry, the NAT64's own entry, or over
 * the control channel), and the announcements of own entries; see
 * nd_ho_int.h. */
#include "nd_ho_int.h"

#include <string.h>

#include "nd_gso.h"
#include "nd_state.h"

/* §8: an echo request (not TCP/UDP) goes over the control channel to a
 * server that speaks the protocol; anything else the standard way. */
static enum nd_ho_verdict
class_echo6(struct nd_gw *gw, struct nd_pkt *p, uint32_t pool4)
{
	struct nd_ho *ho = gw->ho;
	struct nd_hosrv *s = ho_srv_find(ho, p->dst4);
	struct buf_wr w;

	if (p->l4[0] != 128 || !ho_srv_confirmed(s) || p->len > HO_FWD_MAX)
		return ND_HO_PASS;
	if (p->from & ND_FROM_HANDOFF) {
		nd_drop(p, &ho->c.drop_returned_loop);
		return ND_HO_TAKEN;
	}
	buf_wr_init(&w, ho->payload, sizeof(ho->payload));
	ho_put_token(ho, &w, p->dst4);
	ho_put_auth(ho, &w, p->dst4, p->p + 8);
	hw_put_ip(&w, p->p, p->len);
	ho->c.fwd_echo6++;
	ho_send(gw, s, pool4, &w, p->now);
	return ND_HO_TAKEN;
}

enum nd_ho_verdict
nd_ho_in6(struct nd_gw *gw, struct nd_pkt *p, struct nd_hoent **e)
{
	struct nd_ho *ho = gw->ho;
	const uint8_t *client = p->p + 8;
	uint32_t dst4 = p->dst4, pool4;
	const struct clk_now *now = p->now;
	struct nd_hosrv *s;
	struct nd_bib *b;

	if (nd_state_is_pool4(&gw->st, dst4) || gw->cfg.prefix[p->pfx].len != 96)
		return ND_HO_PASS;	/* hairpin, or a prefix an entry cannot carry */
	pool4 = nd_state_pool_for(&gw->st, client);
	if (p->proto == ND_PROTO_ICMP)
		return class_echo6(gw, p, pool4);
	if ((*e = nd_hoc_find6(&ho->cache, dst4, client, p->sport)) != NULL) {
		nd_hoc_touch(&ho->cache, *e, now);
		ho->c.cache_hit6++;
		return ND_HO_CACHED;
	}
	b = nd_bib_find6(&gw->st, p->proto, client, p->sport);
	if (b && nd_bib_used_with(b, dst4))
		return ND_HO_PASS;
	if (p->from & ND_FROM_HANDOFF) {
		nd_drop(p, &ho->c.drop_returned_loop);
		return ND_HO_TAKEN;
	}
	s = ho_srv_find(ho, dst4);
	if (ho_srv_confirmed(s)) {
		ho_forward(gw, s, pool4, ho_key6(ho, dst4, client, p->sport), p, true);
		return ND_HO_TAKEN;
	}
	if (p->proto == ND_PROTO_TCP && !(p->l4[13] & 0x02)) {
		/* A segment of a connection nobody here knows (nat64d restarted,
		 * or its cache and state expired): a standard NAT64 drops it;
		 * asking the server can only help. Rate-limited. */
		if (!tb_take(&ho->nosyn, HO_NOSYN_RATE, HO_NOSYN_RATE, now->mono_ms)) {
			nd_drop(p, &ho->c.fwd_limited);
			return ND_HO_TAKEN;
		}
		s = ho_srv_add(ho, dst4, now);
		ho_forward(gw, s, pool4, ho_key6(ho, dst4, client, p->sport), p, true);
		return ND_HO_TAKEN;
	}
	return ND_HO_PASS;
}

void
nd_ho_announce(struct nd_gw *gw, const struct nd_bib *b, int pfx, uint32_t server,
    const struct clk_now *now)
{
	struct nd_ho *ho = gw->ho;
	struct nd_hosrv *s;
	struct hw_entry e;
	struct buf_wr w;

	if (b->proto == ND_PROTO_ICMP || pfx < 0 || pfx >= gw->cfg.n_prefix ||
	    gw->cfg.prefix[pfx].len != 96 || nd_state_is_pool4(&gw->st, server))
		return;
	s = ho_srv_add(ho, server, now);
	if (!ho_srv_take(gw, s, now) ||
	    !tb_take(&ho->announce, 10.0 * gw->cfg.ho_announce_rate, 10.0 * gw->cfg.ho_announce_rate,
	    now->mono_ms)) {
		ho->c.announce_limited++;
		return;
	}
	buf_wr_init(&w, ho->payload, sizeof(ho->payload));
	ho_put_token(ho, &w, server);
	hw_put_ident(&w);
	ho_put_auth(ho, &w, server, b->v6);
	e.mapped_port = b->port4;
	memcpy(e.prefix, gw->cfg.prefix[pfx].addr, 12);
	memcpy(e.client, b->v6, 16);
	e.client_port = b->port6;
	hw_put_entry(&w, &e);
	ho->c.announced++;
	s->announced++;
	ho_send(gw, s, b->v4, &w, now);
}

/* ------------------------------------------------------------ §8, IPv4 side */

bool
nd_ho_is_control(const struct nd_gw *gw, const struct nd_p4 *in, const uint8_t *l4,
    size_t l4len)
{
	return in->proto == ND_PROTO_UDP && nd_p4_first(in) && l4len >= 8 &&
	    be16_load(l4) == gw->cfg.ho_port && be16_load(l4 + 2) == gw->cfg.ho_ctl_port;
}

enum nd_ho_verdict
nd_ho_in4(struct nd_gw *gw, struct nd_pkt *p, struct nd_hoent **e)
{
	struct nd_ho *ho = gw->ho;
	const struct nd_p4 *in = &p->in4;
	uint8_t *pkt = p->p;
	size_t len = p->len;
	struct virtio_net_hdr *vh = p->vh;
	uint16_t sport = p->sport, dport = p->dport;
	const struct clk_now *now = p->now;
	struct nd_hosrv *s;
	struct nd_bib *b;

	if (in->proto != ND_PROTO_TCP && in->proto != ND_PROTO_UDP)
		return ND_HO_PASS;
	if ((*e = nd_hoc_find4(&ho->cache, in->src, in->dst, dport)) != NULL) {
		nd_hoc_touch(&ho->cache, *e, now);
		ho->c.cache_hit4++;
		return ND_HO_CACHED;
	}
	b = nd_bib_find4(&gw->st, in->proto, in->dst, dport);
	if (b && nd_bib_used_with(b, in->src))
		return ND_HO_PASS;
	if (p->from & ND_FROM_HANDOFF) {
		nd_drop(p, &ho->c.drop_returned_loop);
		return ND_HO_TAKEN;
	}
	/* Only servers we have talked to can hold entries for us: anything
	 * else is plain NAT64 traffic (and no reflector for spoofed packets). */
	if ((s = ho_srv_find(ho, in->src)) == NULL)
		return ND_HO_PASS;
	if (b && !(s->flags & ND_HS_SUPPORT))
		return ND_HO_PASS;	/* §8 leaves the choice: translate */
	if (in->proto == ND_PROTO_UDP && sport == gw->cfg.ho_port && dport == HW_DISCARD_PORT) {
		/* §9: a validation packet. Return it whole, then probe. */
		struct buf_wr w;

		if (!ho_srv_take(gw, s, now)) {
			nd_drop(p, &ho->c.fwd_limited);
			return ND_HO_TAKEN;
		}
		if (len > HO_FWD_MAX || nd_gso_is_gso(vh)) {
			nd_drop(p, &ho->c.drop_bad_packet);
			return ND_HO_TAKEN;
		}
		buf_wr_init(&w, ho->payload, sizeof(ho->payload));
		ho_put_token(ho, &w, s->addr);
		hw_put_ip(&w, pkt, len);
		ho->c.bounced++;
		ho_send(gw, s, in->dst, &w, now);
		if (!ho_srv_confirmed(s))
			ho_probe(gw, s, in->dst, now);
		return ND_HO_TAKEN;
	}
	ho_forward(gw, s, in->dst, ho_key4(ho, in->src, in->dst, dport), p, false);
	return ND_HO_TAKEN;
}

/* ------------------------------------------------------------ §8, ICMPv4 errors */

/* §8, an ICMP error whose embedded packet matches no entry: "Otherwise
 * forward the packet over the control connection". To the embedded
 * packet's destination (the draft says its source, which is our own
 * address: docs/PROTOCOL.md §8.4), only when that server speaks the
 * protocol (it alone can hold an entry for us), only about TCP/UDP (what
 * entries carry), never again for an error a server returned. Only what
 * the server can answer (§10: the entry of the quoted source port, to
 * the channel's NAT64 address): not an error about a fragment, nor one
 * sent to another pool address than the quoted packet left from; such
 * a forward would open a question nobody answers, and the port's own
 * packets would wait behind it. An error for a supported server that
 * does not go to it is dropped here: the server is authoritative for
 * its ports, so an own mapping on the port that was never used with it
 * (the caller found no other) belongs to another client. */
bool
nd_ho_icmp4(struct nd_gw *gw, struct nd_pkt *p, const struct nd_p4 *inner, uint16_t port4)
{
	struct nd_ho *ho = gw->ho;
	struct nd_hosrv *s;

	if (inner->proto != ND_PROTO_TCP && inner->proto != ND_PROTO_UDP)
		return false;
	if (p->from & ND_FROM_HANDOFF) {
		nd_drop(p, &ho->c.drop_returned_loop);
		return true;
	}
	s = ho_srv_find(ho, inner->dst);
	if (!ho_srv_confirmed(s))
		return false;
	if (gw->cfg.ho_icmp_rate == 0 || nd_p4_isfrag(inner) || p->in4.dst != inner->src) {
		nd_drop(p, &gw->c.drop_icmp_err_nomatch);
		return true;
	}
	ho_forward_icmp(gw, s, inner->src, ho_key4(ho, inner->dst, inner->src, port4), p);
	return true;
}
