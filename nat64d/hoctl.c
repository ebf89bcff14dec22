/* hoctl.c — handoff, server -> NAT64: control packets in (every pattern
 * of draft §6: entries, packets after translation, returned packets,
 * probe answers) and ICMP errors about our control packets; see
 * nd_ho_int.h. */
#include "nd_ho_int.h"

#include <string.h>

#include "cksum.h"
#include "ippkt.h"
#include "nd_gso.h"
#include "nd_hold.h"
#include "nd_state.h"

/* A valid control packet came from this server. */
static struct nd_hosrv *
srv_confirm(struct nd_gw *gw, uint32_t a, const struct clk_now *now)
{
	struct nd_ho *ho = gw->ho;
	struct nd_hosrv *s = ho_srv_add(ho, a, now);
	uint8_t was = s->flags;

	s->rx++;
	s->last_ms = now->mono_ms;
	s->unanswered = 0;
	s->flags = (uint8_t)((s->flags | ND_HS_SUPPORT) & ~ND_HS_DOWN);
	if ((was & (ND_HS_SUPPORT | ND_HS_DOWN)) != ND_HS_SUPPORT) {
		ho->c.server_up++;
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

/* Pattern 3: authenticator + entry (+ an IP packet). */
static void
ho_ctl_entry(struct nd_gw *gw, struct nd_pkt *p, uint8_t *base, const uint8_t *payload,
    const struct hw_packet *hp, uint32_t server, uint32_t pool4)
{
	const struct clk_now *now = p->now;
	struct nd_ho *ho = gw->ho;
	const struct hw_entry *en = &hp->entries[0];
	uint64_t k6, k4;
	bool stub6, stub4;
	int pfx;

	if (!nd_hokeys_auth_ok(&ho->keys, server, en->client, hp->auth.p, hp->auth.len)) {
		nd_drop(p, &ho->c.drop_bad_auth);
		return;
	}
	/* Authentic: the server is alive, whatever we make of the entry. */
	srv_confirm(gw, server, now);
	/* §10's port rules, and our control port. */
	if ((pfx = ho_prefix96(gw, en->prefix)) < 0 || en->mapped_port < 1024 ||
	    en->mapped_port == HW_TEREDO_PORT || en->mapped_port == gw->cfg.ho_port ||
	    en->mapped_port == gw->cfg.ho_ctl_port) {
		nd_drop(p, &ho->c.drop_bad_entry);
		return;
	}
	/* The server is authoritative for its ports: an own mapping of another
	 * client on this port stops being used with this server (its
	 * sessions with it go), or the server's traffic for the port would
	 * have two destinations. */
	{
		int pr;

		for (pr = 0; pr < 2; pr++) {
			struct nd_bib *b = nd_bib_find4(&gw->st, pr ? ND_PROTO_UDP : ND_PROTO_TCP,
			    pool4, en->mapped_port);

			if (!b || (b->port6 == en->client_port && !memcmp(b->v6, en->client, 16)))
				continue;
			/* (b goes with its last session) */
			ho->c.own_sessions_displaced += nd_bib_forget_peer(&gw->st, b, server, now);
		}
	}
	nd_hoc_put(&ho->cache, server, pool4, en->mapped_port, en->client, en->client_port,
	    (uint8_t)pfx, now);
	ho->c.entries_cached++;
	k6 = ho_key6(ho, server, en->client, en->client_port);
	k4 = ho_key4(ho, server, pool4, en->mapped_port);
	stub6 = ho_pend_take(ho, k6, now);
	stub4 = ho_pend_take(ho, k4, now);
	if (hp->ip_version == 6 && hp->ip.len >= ND_IP6_HLEN) {
		uint8_t *ip = base + (hp->ip.p - payload);

		if (!memcmp(ip + 8, en->client, 16) && ho_is_server6(gw, ip + 24, server)) {
			/* Only TCP/UDP goes back in: anything else could loop or be
			 * an ICMP error aimed at a third party. */
			if (stub6)
				ho->c.stub_answers++;
			else if (ip[6] == ND_PROTO_TCP || ip[6] == ND_PROTO_UDP)
				ho_reinject(gw, p, ip, hp->ip.len);
			else
				nd_drop(p, &ho->c.drop_bad_packet);
		} else if (!memcmp(ip + 24, en->client, 16) && ho_is_server6(gw, ip + 8, server)) {
			ho->c.delivered6++;
			nd_out_send(gw, NULL, ip, hp->ip.len, NULL, 0, true);
		} else
			nd_drop(p, &ho->c.drop_bad_packet);
	} else if (hp->ip_version == 4 && hp->ip.len >= ND_IP4_HLEN) {
		uint8_t *ip = base + (hp->ip.p - payload);
		uint32_t s4 = be32_load(ip + 12), d4 = be32_load(ip + 16);

		if (s4 == server && d4 == pool4) {
			if (stub4)
				ho->c.stub_answers++;
			else if (ip[9] == ND_PROTO_TCP || ip[9] == ND_PROTO_UDP)
				ho_reinject(gw, p, ip, hp->ip.len);
			else
				nd_drop(p, &ho->c.drop_bad_packet);
		} else if (s4 == pool4 && d4 == server) {
			ho->c.delivered4++;
			nd_out_send(gw, NULL, ip, hp->ip.len, NULL, 0, false);
		} else
			nd_drop(p, &ho->c.drop_bad_packet);
	}
	/* What waited for this entry goes through now, oldest first. */
	if (nd_hold_count(ho->hold)) {
		ho->c.released += nd_hold_move(ho->hold, k6, gw->again_new, p->from | ND_FROM_HANDOFF);
		ho->c.released += nd_hold_move(ho->hold, k4, gw->again_new, p->from | ND_FROM_HANDOFF);
	}
}

void
nd_ho_control_in(struct nd_gw *gw, struct nd_pkt *p)
{
	struct nd_ho *ho = gw->ho;
	const struct nd_p4 *in = &p->in4;
	uint8_t *pkt = p->p;
	struct virtio_net_hdr *vh = p->vh;
	const struct clk_now *now = p->now;
	uint8_t *udp = pkt + in->ihl, *payload;
	size_t ulen = in->len - in->ihl, plen;
	struct hw_packet hp;
	uint32_t server = in->src, pool4 = in->dst;
	enum hw_err e;

	ho->c.ctl_rx++;
	if (p->from & ND_FROM_HANDOFF) {	/* a control packet inside a control packet */
		nd_drop(p, &ho->c.drop_returned_loop);
		return;
	}
	if (nd_p4_isfrag(in)) {		/* never sent so by us or nat64-handoffd */
		nd_drop(p, &ho->c.drop_ctl_fragment);
		return;
	}
	if (be16_load(udp + 4) < 8 || be16_load(udp + 4) > ulen) {
		nd_drop(p, &ho->c.drop_bad_packet);
		return;
	}
	ulen = be16_load(udp + 4);
	if (nd_gso_is_gso(vh)) {
		nd_drop(p, &ho->c.drop_bad_packet);
		return;
	}
	/* A checksum left to offload (local veth) is computed, not verified. */
	if (nd_gso_partial(vh)) {
		if (!nd_gso_resolve(vh, pkt, in->len)) {
			nd_drop(p, &ho->c.drop_ctl_csum);
			return;
		}
	} else if (be16_load(udp + 6) != 0) {
		uint32_t sum = nd_sum4(in->src) + nd_sum4(in->dst) + ND_PROTO_UDP + (uint32_t)ulen;

		if (cksum_finish(cksum_add(sum, udp, ulen)) != 0) {
			nd_drop(p, &ho->c.drop_ctl_csum);
			return;
		}
	}
	payload = udp + 8;
	plen = ulen - 8;
	if ((e = hw_parse(payload, plen, &hp)) != HW_OK || (e = hw_check_to_nat64(&hp)) != HW_OK) {
		nd_drop(p, &ho->c.drop_wire);
		return;
	}
	if (hp.n_entries > 0) {
		ho_ctl_entry(gw, p, payload, payload, &hp, server, pool4);
		return;
	}
	if (hp.ip_version == 6 && hw_has(&hp, HW_T_AUTH)) {
		/* Pattern 2: an IPv6 packet after translation, for a client. */
		uint8_t *ip = payload + (hp.ip.p - payload);

		if (hp.ip.len < ND_IP6_HLEN || !ho_is_server6(gw, ip + 8, server)) {
			nd_drop(p, &ho->c.drop_bad_packet);
			return;
		}
		if (!nd_hokeys_auth_ok(&ho->keys, server, ip + 24, hp.auth.p, hp.auth.len)) {
			nd_drop(p, &ho->c.drop_bad_auth);
			return;
		}
		srv_confirm(gw, server, now);
		ho->c.delivered6++;
		nd_out_send(gw, NULL, ip, hp.ip.len, NULL, 0, true);
		return;
	}
	if (hp.ip_version == 4 && hw_has(&hp, HW_T_TOKEN)) {
		/* Pattern 1: token + an IPv4 packet. */
		uint8_t *ip = payload + (hp.ip.p - payload);
		uint32_t s4, d4;

		if (!nd_hokeys_token_ok(&ho->keys, server, hp.token.p, hp.token.len)) {
			nd_drop(p, &ho->c.drop_bad_token);
			return;
		}
		if (hp.ip.len < ND_IP4_HLEN) {
			nd_drop(p, &ho->c.drop_bad_packet);
			return;
		}
		srv_confirm(gw, server, now);
		s4 = be32_load(ip + 12);
		d4 = be32_load(ip + 16);
		if (s4 == pool4 && d4 == server) {
			/* After translation (e.g. the server's ICMP error to itself). */
			ho->c.delivered4++;
			nd_out_send(gw, NULL, ip, hp.ip.len, NULL, 0, false);
		} else if (s4 == server && d4 == pool4) {
			struct ippkt4 rp;

			if (ippkt_parse4(ip, hp.ip.len, &rp) && rp.proto == ND_PROTO_UDP &&
			    rp.l4_len >= 8 && rp.sport == HW_DISCARD_PORT && rp.dport == HW_DISCARD_PORT) {
				ho->c.probe_answers++;
				return;
			}
			/* Returned: the server has no entry for it either. */
			ho->c.returned++;
			if (ippkt_parse4(ip, hp.ip.len, &rp) && rp.l4_len >= 4 &&
			    (rp.proto == ND_PROTO_TCP || rp.proto == ND_PROTO_UDP)) {
				uint64_t k4 = ho_key4(ho, server, pool4, rp.dport);

				ho_pend_take(ho, k4, now);
				ho->c.drop_returned_held += nd_hold_release(ho->hold, k4, NULL, NULL, now);
			}
		} else
			nd_drop(p, &ho->c.drop_bad_packet);
		return;
	}
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
