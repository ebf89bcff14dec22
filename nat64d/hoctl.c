/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* hoctl.c — handoff, server -> NAT64: control packets in (every pattern
 * of draft §6: entries, packets after translation, returned packets,
 * probe answers) and ICMP errors about our control packets; see
 * nd_ho_int.h. */
#include "nd_ho_int.h"

#include <string.h>

#include "addr.h"
#include "cksum.h"
#include "ippkt.h"
#include "log.h"
#include "nd_gso.h"
#include "nd_hold.h"
#include "nd_state.h"

/* A valid control packet came from this server. */
static struct nd_hosrv *
confirm_server(struct nd_gw *gw, uint32_t a, const struct clk_now *now)
{
	struct nd_ho *ho = gw->ho;
	struct nd_hosrv *s = ho_srv_add(ho, a, now);
	uint8_t was = s->flags;

	s->rx++;
	s->last_ms = now->mono_ms;
	s->unanswered = 0;
	s->flags = (uint8_t)((s->flags | ND_HS_SUPPORT) & ~ND_HS_DOWN);
	if ((was & (ND_HS_SUPPORT | ND_HS_DOWN)) != ND_HS_SUPPORT) {
		char sa[ADDR_STRLEN];

		ho->c.server_up++;
		log_debug("handoff server %s up%s", addr_fmt4(a, sa, sizeof(sa)),
		    (was & ND_HS_DOWN) ? " again" : " (speaks handoff)");
		ho->dirty = true;
		/* A server newly known to speak the protocol is written at once
		 * (a restart right after must still know it); flapping ones wait
		 * for the once-a-second timer. */
		if (!(was & ND_HS_SUPPORT) && ho->state_path[0])
			ho_save(gw, now);
		ho_resend(gw, s, now);
	}
	return s;
}

/* A packet a server returned goes through the gateway again. */
static void
ho_reinject(struct nd_gw *gw, struct nd_pkt *p, const uint8_t *ip, size_t len)
{
	if (nd_path_again(gw, ip, len, NULL, p->from | ND_FROM_HANDOFF, p->now) == -1) {
		nd_drop(p, &gw->ho->c.drop_returned_loop);
		return;
	}
	gw->ho->c.reinjected++;
}

static int
ho_prefix96(const struct nd_gw *gw, const uint8_t p12[12])
{
	int i;

	for (i = 0; i < gw->cfg.n_prefix; i++)
		if (gw->cfg.prefix[i].len == 96 && !memcmp(gw->cfg.prefix[i].addr, p12, 12))
			return i;
	return -1;
}

/* Is a an address of a /96 prefix of ours + the server? */
static bool
ho_is_server6(const struct nd_gw *gw, const uint8_t a[16], uint32_t server)
{
	return ho_prefix96(gw, a) >= 0 && be32_load(a + 12) == server;
}

/* A control packet from a server, as the steps below found it. */
struct ho_ctl {
	struct hw_packet hp;
	uint32_t server, pool4;
	uint8_t *ip;			/* the IP packet it carries (hp.ip), writable */
};

/* Pattern 3, the entry: authentic, and within §10's port rules (and not
 * our control port). Returns the prefix index, or -1 (dropped). */
static int
entry_accept(struct nd_gw *gw, struct nd_pkt *p, const struct ho_ctl *c)
{
	struct nd_ho *ho = gw->ho;
	const struct hw_entry *en = &c->hp.entries[0];
	int pfx;

	if (!nd_hokeys_auth_ok(&ho->keys, c->server, en->client, c->hp.auth.p, c->hp.auth.len)) {
		nd_drop(p, &ho->c.drop_bad_auth);
		return -1;
	}
	/* Authentic: the server is alive, whatever we make of the entry. */
	confirm_server(gw, c->server, p->now);
	if ((pfx = ho_prefix96(gw, en->prefix)) < 0 || en->mapped_port < 1024 ||
	    en->mapped_port == HW_TEREDO_PORT || en->mapped_port == gw->cfg.ho_port ||
	    en->mapped_port == gw->cfg.ho_ctl_port) {
		nd_drop(p, &ho->c.drop_bad_entry);
		return -1;
	}
	return pfx;
}

/* The server is authoritative for its ports: an own mapping of another
 * client on this port stops being used with this server (its sessions
 * with it go), or the server's traffic for the port would have two
 * destinations. */
static void
entry_displace(struct nd_gw *gw, const struct ho_ctl *c, const struct clk_now *now)
{
	const struct hw_entry *en = &c->hp.entries[0];
	int pr;

	for (pr = 0; pr < 2; pr++) {
		struct nd_bib *b = nd_bib_find4(&gw->st, pr ? ND_PROTO_UDP : ND_PROTO_TCP,
		    c->pool4, en->mapped_port);

		if (!b || (b->port6 == en->client_port && !memcmp(b->v6, en->client, 16)))
			continue;
		/* (b goes with its last session) */
		gw->ho->c.own_sessions_displaced += nd_bib_forget_peer(&gw->st, b, c->server, now);
	}
}

/* An ICMPv4 error the server returned with the entry: one we forwarded
 * because it matched nothing (§8, §10). It must quote a TCP/UDP packet
 * from the pool address and the entry's port to the server, so it can
 * only reach the entry's client. */
static bool
entry_icmp4(const struct ho_ctl *c, uint8_t *ip, size_t len)
{
	struct nd_p4 o, in;

	if (nd_parse4(ip, len, false, &o) != ND_P_OK || o.proto != ND_PROTO_ICMP || !nd_p4_first(&o) ||
	    o.len < o.ihl + 8 + ND_IP4_HLEN || !nd_icmp4_is_error(ip[o.ihl]) ||
	    nd_parse4(ip + o.ihl + 8, o.len - o.ihl - 8, true, &in) != ND_P_OK)
		return false;
	return (in.proto == ND_PROTO_TCP || in.proto == ND_PROTO_UDP) && nd_p4_first(&in) &&
	    in.len >= in.ihl + 4 && in.src == c->pool4 && in.dst == c->server &&
	    be16_load(in.p + in.ihl) == c->hp.entries[0].mapped_port;
}

/* The packet an entry came with: one of ours the server returns (back
 * in: only TCP/UDP, anything else could loop or be an ICMP error aimed
 * at a third party; not if we sent only its header), an ICMPv4 error we
 * forwarded (back in, to be translated with the entry), or one after
 * translation (out). */
static void
entry_packet(struct nd_gw *gw, struct nd_pkt *p, const struct ho_ctl *c, bool stub6, bool stub4)
{
	struct nd_ho *ho = gw->ho;
	const struct hw_entry *en = &c->hp.entries[0];
	const struct hw_packet *hp = &c->hp;
	uint8_t *ip = c->ip;

	if (hp->ip_version == 6 && hp->ip.len >= ND_IP6_HLEN) {
		if (!memcmp(ip + 8, en->client, 16) && ho_is_server6(gw, ip + 24, c->server)) {
			if (stub6)
				ho->c.stub_answers++;
			else if (ip[6] == ND_PROTO_TCP || ip[6] == ND_PROTO_UDP)
				ho_reinject(gw, p, ip, hp->ip.len);
			else
				nd_drop(p, &ho->c.drop_bad_packet);
		} else if (!memcmp(ip + 24, en->client, 16) && ho_is_server6(gw, ip + 8, c->server)) {
			ho->c.delivered6++;
			nd_out_send(gw, NULL, ip, hp->ip.len, NULL, 0, true);
		} else
			nd_drop(p, &ho->c.drop_bad_packet);
	} else if (hp->ip_version == 4 && hp->ip.len >= ND_IP4_HLEN) {
		uint32_t s4 = be32_load(ip + 12), d4 = be32_load(ip + 16);

		if (d4 == c->pool4 && ip[9] == ND_PROTO_ICMP && entry_icmp4(c, ip, hp->ip.len)) {
			ho->c.icmp_answers++;
			ho_reinject(gw, p, ip, hp->ip.len);
		} else if (s4 == c->server && d4 == c->pool4) {
			if (stub4)
				ho->c.stub_answers++;
			else if (ip[9] == ND_PROTO_TCP || ip[9] == ND_PROTO_UDP)
				ho_reinject(gw, p, ip, hp->ip.len);
			else
				nd_drop(p, &ho->c.drop_bad_packet);
		} else if (s4 == c->pool4 && d4 == c->server) {
			ho->c.delivered4++;
			nd_out_send(gw, NULL, ip, hp->ip.len, NULL, 0, false);
		} else
			nd_drop(p, &ho->c.drop_bad_packet);
	}
}

/* Pattern 3: authenticator + entry (+ an IP packet). The entry is
 * cached, its questions closed, the packet it came with handled, and
 * what waited for it goes through, oldest first. */
static void
ctl_entry(struct nd_gw *gw, struct nd_pkt *p, const struct ho_ctl *c)
{
	struct nd_ho *ho = gw->ho;
	const struct hw_entry *en = &c->hp.entries[0];
	uint64_t k6, k4;
	bool stub6, stub4;
	int pfx;

	if ((pfx = entry_accept(gw, p, c)) < 0)
		return;
	entry_displace(gw, c, p->now);
	nd_hoc_put(&ho->cache, c->server, c->pool4, en->mapped_port, en->client, en->client_port,
	    (uint8_t)pfx, p->now);
	ho->c.entries_cached++;
	k6 = ho_key6(ho, c->server, en->client, en->client_port);
	k4 = ho_key4(ho, c->server, c->pool4, en->mapped_port);
	stub6 = ho_pend_take(ho, k6, p->now);
	stub4 = ho_pend_take(ho, k4, p->now);
	entry_packet(gw, p, c, stub6, stub4);
	if (nd_hold_count(ho->hold)) {
		ho->c.released += nd_hold_move(ho->hold, k6, gw->again_new, p->from | ND_FROM_HANDOFF);
		ho->c.released += nd_hold_move(ho->hold, k4, gw->again_new, p->from | ND_FROM_HANDOFF);
	}
}

/* Pattern 2: authenticator + an IPv6 packet after translation, for a client. */
static void
ctl_after6(struct nd_gw *gw, struct nd_pkt *p, const struct ho_ctl *c)
{
	struct nd_ho *ho = gw->ho;

	if (c->hp.ip.len < ND_IP6_HLEN || !ho_is_server6(gw, c->ip + 8, c->server)) {
		nd_drop(p, &ho->c.drop_bad_packet);
		return;
	}
	if (!nd_hokeys_auth_ok(&ho->keys, c->server, c->ip + 24, c->hp.auth.p, c->hp.auth.len)) {
		nd_drop(p, &ho->c.drop_bad_auth);
		return;
	}
	confirm_server(gw, c->server, p->now);
	ho->c.delivered6++;
	nd_out_send(gw, NULL, c->ip, c->hp.ip.len, NULL, 0, true);
}

/* A packet of ours the server returned (it has no entry for it either):
 * the probe's answer; the answer to our bounce (a server that validated
 * us says so: UDP from its handoff port to our port 9, docs/PROTOCOL.md
 * §5); or a packet whose held followers are dropped. */
static void
ctl_returned4(struct nd_gw *gw, const struct ho_ctl *c, const struct clk_now *now)
{
	struct nd_ho *ho = gw->ho;
	struct ippkt4 rp;

	if (ippkt_parse4(c->ip, c->hp.ip.len, &rp) && rp.proto == ND_PROTO_UDP &&
	    rp.l4_len >= 8 && rp.dport == HW_DISCARD_PORT &&
	    (rp.sport == HW_DISCARD_PORT || rp.sport == gw->cfg.ho_port)) {
		if (rp.sport == HW_DISCARD_PORT)
			ho->c.probe_answers++;
		else
			ho->c.bounce_answers++;
		return;
	}
	ho->c.returned++;
	if (ippkt_parse4(c->ip, c->hp.ip.len, &rp) && rp.l4_len >= 4 &&
	    (rp.proto == ND_PROTO_TCP || rp.proto == ND_PROTO_UDP)) {
		uint64_t k4 = ho_key4(ho, c->server, c->pool4, rp.dport);

		ho_pend_take(ho, k4, now);
		ho->c.drop_returned_held += nd_hold_release(ho->hold, k4, NULL, NULL, now);
	}
}

/* Pattern 1: token + an IPv4 packet, after translation (out) or ours
 * returned. */
static void
ctl_token4(struct nd_gw *gw, struct nd_pkt *p, const struct ho_ctl *c)
{
	struct nd_ho *ho = gw->ho;
	uint32_t s4, d4;

	if (!nd_hokeys_token_ok(&ho->keys, c->server, c->hp.token.p, c->hp.token.len)) {
		nd_drop(p, &ho->c.drop_bad_token);
		return;
	}
	if (c->hp.ip.len < ND_IP4_HLEN) {
		nd_drop(p, &ho->c.drop_bad_packet);
		return;
	}
	confirm_server(gw, c->server, p->now);
	s4 = be32_load(c->ip + 12);
	d4 = be32_load(c->ip + 16);
	if (s4 == c->pool4 && d4 == c->server) {
		/* After translation (e.g. the server's ICMP error to itself). */
		ho->c.delivered4++;
		nd_out_send(gw, NULL, c->ip, c->hp.ip.len, NULL, 0, false);
	} else if (s4 == c->server && d4 == c->pool4)
		ctl_returned4(gw, c, p->now);
	else
		nd_drop(p, &ho->c.drop_bad_packet);
}

/* The UDP datagram: whole, not offloaded, its checksum right (a checksum
 * left to offload, local veth, is computed, not verified). Returns the
 * UDP length, or 0 (dropped). */
static size_t
ctl_udp(struct nd_gw *gw, struct nd_pkt *p)
{
	struct nd_ho *ho = gw->ho;
	const struct nd_p4 *in = &p->in4;
	uint8_t *udp = p->p + in->ihl;
	size_t ulen = in->len - in->ihl;

	if (p->from & ND_FROM_HANDOFF) {	/* a control packet inside a control packet */
		nd_drop(p, &ho->c.drop_returned_loop);
		return 0;
	}
	if (nd_p4_isfrag(in)) {		/* never sent so by us or nat64-handoffd */
		nd_drop(p, &ho->c.drop_ctl_fragment);
		return 0;
	}
	if (be16_load(udp + 4) < 8 || be16_load(udp + 4) > ulen || nd_gso_is_gso(p->vh)) {
		nd_drop(p, &ho->c.drop_bad_packet);
		return 0;
	}
	ulen = be16_load(udp + 4);
	if (nd_gso_partial(p->vh)) {
		if (!nd_gso_resolve(p->vh, p->p, in->len)) {
			nd_drop(p, &ho->c.drop_ctl_csum);
			return 0;
		}
	} else if (be16_load(udp + 6) != 0 &&
	    cksum_finish(cksum_add(nd_sum4(in->src) + nd_sum4(in->dst) + ND_PROTO_UDP +
	    (uint32_t)ulen, udp, ulen)) != 0) {
		nd_drop(p, &ho->c.drop_ctl_csum);
		return 0;
	}
	return ulen;
}

/* A control packet: the datagram checked, the payload parsed (draft §4),
 * then the pattern of §6 it is. */
void
nd_ho_control_in(struct nd_gw *gw, struct nd_pkt *p)
{
	struct nd_ho *ho = gw->ho;
	struct ho_ctl c;
	uint8_t *payload = p->p + p->in4.ihl + 8;
	size_t ulen;

	ho->c.ctl_rx++;
	if ((ulen = ctl_udp(gw, p)) == 0)
		return;
	if (hw_parse(payload, ulen - 8, &c.hp) != HW_OK || hw_check_to_nat64(&c.hp) != HW_OK) {
		nd_drop(p, &ho->c.drop_wire);
		return;
	}
	c.server = p->in4.src;
	c.pool4 = p->in4.dst;
	c.ip = c.hp.ip.p ? payload + (c.hp.ip.p - payload) : NULL;
	if (c.hp.n_entries > 0)
		ctl_entry(gw, p, &c);
	else if (c.hp.ip_version == 6 && hw_has(&c.hp, HW_T_AUTH))
		ctl_after6(gw, p, &c);
	else if (c.hp.ip_version == 4 && hw_has(&c.hp, HW_T_TOKEN))
		ctl_token4(gw, p, &c);
	else
		nd_drop(p, &ho->c.drop_wire);
}

/* ------------------------------------------------------------ ICMP about control packets */

bool
nd_ho_icmp_control(struct nd_gw *gw, uint32_t from, uint8_t type, uint8_t code,
    const struct nd_p4 *inner, const struct clk_now *now)
{
	struct nd_ho *ho = gw->ho;
	const uint8_t *l4 = inner->p + inner->ihl, *pl;
	size_t avail;
	struct nd_hosrv *s;

	if (inner->proto != ND_PROTO_UDP || !nd_p4_first(inner) || inner->len < inner->ihl + 8 ||
	    !nd_state_is_pool4(&gw->st, inner->src) || be16_load(l4) != gw->cfg.ho_ctl_port ||
	    be16_load(l4 + 2) != gw->cfg.ho_port)
		return false;
	ho->c.ctl_icmp++;
	if (type != 3 || code != 3 || from != inner->dst)
		return true;
	pl = l4 + 8;
	avail = inner->len - inner->ihl - 8;
	if (avail < 2 + ND_HO_MACLEN || (pl[0] >> 4) != 3 || (pl[0] & 15) != HW_T_TOKEN ||
	    pl[1] != ND_HO_MACLEN / 2 || !nd_hokeys_token_ok(&ho->keys, from, pl + 2, ND_HO_MACLEN))
		return true;
	s = ho_srv_find(ho, from);
	if (ho_srv_confirmed(s))
		ho_srv_mark_down(gw, s, now);
	return true;
}
