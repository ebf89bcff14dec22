/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* server.c — see ho_server.h. */
#include "ho_server.h"
#include "addr.h"
#include "buf.h"
#include "ippkt.h"
#include "log.h"

#include <string.h>

static const char *const srv_names[SRV_C__COUNT] = {
#define SRV_NAME(n) #n,
	SRV_COUNTERS(SRV_NAME)
#undef SRV_NAME
};

const char *
srv_counter_name(enum srv_counter c)
{
	return (unsigned)c < SRV_C__COUNT ? srv_names[c] : "?";
}

const char *
srv_wire_error_name(enum hw_err e)
{
	static const char *const names[HW_E__COUNT] = {
		[HW_OK] = "ok", [HW_E_EMPTY] = "empty", [HW_E_TRUNC] = "truncated",
		[HW_E_FORMAT] = "unknown_format", [HW_E_DUP] = "duplicate_type",
		[HW_E_IP_HEADER] = "ip_header",
		[HW_E_BADLEN] = "bad_length", [HW_E_IDENT] = "bad_identifier",
		[HW_E_MULTI] = "bad_multi", [HW_E_TOO_MANY] = "too_many_entries",
		[HW_E_NO_TOKEN] = "no_token", [HW_E_NO_PAYLOAD] = "no_payload",
		[HW_E_ENTRY_NEEDS] = "entry_incomplete",
		[HW_E_IPV6_NEEDS_AUTH] = "ipv6_without_auth",
		[HW_E_SERVER_PATTERN] = "bad_pattern",
	};

	return (unsigned)e < HW_E__COUNT && names[e] ? names[e] : "other";
}

static void
srv_tx_init(struct srv_tx *tx, uint32_t local, uint32_t dst, uint16_t dport)
{
	tx->local = local;
	tx->dst = dst;
	tx->dport = dport;
	tx->len = 0;
	tx->unconfirmed = false;
}

/* Finish a reply written with w; 1 if it fit, else counted and 0. */
static int
srv_tx_done(struct srv_ctx *s, struct srv_tx *tx, struct buf_wr *w)
{
	if (w->err) {
		s->c[SRV_C_drop_too_big]++;
		return 0;
	}
	tx->len = w->off;
	s->c[SRV_C_tx_packets]++;
	return 1;
}

/* Is this embedded IPv4 packet the bounce of our validation packet, with
 * a MAC we made for (token, src, sport)? */
static bool
srv_is_bounce(struct srv_ctx *s, uint32_t local, uint32_t src, uint16_t sport,
    const struct hw_packet *pkt, const struct ippkt4 *ip)
{
	struct hw_packet inner;
	struct ippkt6 ip6;

	if (ip->proto != IPPKT_PROTO_UDP || ip->is_fragment || ip->l4_len < 8 ||
	    be32_load(ip->src) != local || be32_load(ip->dst) != src ||
	    ip->sport != s->port || ip->dport != HW_DISCARD_PORT)
		return false;
	if (hw_parse(ip->l4 + 8, ip->l4_len - 8, &inner) != HW_OK || inner.ip_version != 6)
		return false;
	if (!ippkt_parse6(inner.ip.p, inner.ip.len, &ip6) || ip6.nh != IPPKT_PROTO_NONE6)
		return false;
	return val_mac_ok(s->vs, pkt->token.p, pkt->token.len, src, sport, ip6.l4, ip6.l4_len);
}

/* §9: send the validation packet to port 9 of the NAT64. */
static int
srv_send_validation(struct srv_ctx *s, uint32_t local, uint32_t src, uint16_t sport,
    const struct hw_packet *pkt, const struct clk_now *now, struct srv_tx *tx)
{
	uint8_t mac[VAL_MAC_LEN], ip6[40 + VAL_MAC_LEN], client[16] = { 0 }, any[16] = { 0 };
	struct ippkt6 in6;
	struct buf_wr w;
	size_t n;

	if (pkt->ip_version == 6 && ippkt_parse6(pkt->ip.p, pkt->ip.len, &in6))
		memcpy(client, in6.src, 16);
	else if (pkt->n_entries > 0)
		memcpy(client, pkt->entries[0].client, 16);
	val_mac(s->vs, now, pkt->token.p, pkt->token.len, src, sport, mac);
	n = ippkt_ip6(ip6, sizeof(ip6), client, any, IPPKT_PROTO_NONE6, mac, sizeof(mac));
	srv_tx_init(tx, local, src, HW_DISCARD_PORT);
	buf_wr_init(&w, tx->buf, SRV_TX_MAX);
	if (hw_has(pkt, HW_T_AUTH))
		hw_put_blob(&w, HW_T_AUTH, pkt->auth.p, pkt->auth.len);
	else
		hw_put_blob(&w, HW_T_AUTH, NULL, 0);
	hw_put_ip(&w, ip6, n);
	if (!srv_tx_done(s, tx, &w))
		return 0;
	s->c[SRV_C_validation_sent]++;
	return 1;
}

/* The answer to a bounce that validated: [token][IPv4 UDP handoff port
 * -> NAT64 port 9, empty] (pattern 1), so a NAT64 that waits for an
 * answer after bouncing gets one and resends what it held. It has the
 * shape of a bounce: a NAT64 that returns it again gets it consumed as
 * bounce_repeat, so it cannot loop. */
static int
srv_send_validated(struct srv_ctx *s, uint32_t local, uint32_t src, uint16_t sport,
    const struct hw_packet *pkt, struct srv_tx *tx)
{
	uint8_t l4[4], n4[4], ip4[28];
	struct buf_wr w;
	size_t n;

	be32_store(l4, local);
	be32_store(n4, src);
	n = ippkt_udp4(ip4, sizeof(ip4), l4, n4, s->port, HW_DISCARD_PORT, NULL, 0);
	srv_tx_init(tx, local, src, sport);
	buf_wr_init(&w, tx->buf, SRV_TX_MAX);
	hw_put_blob(&w, HW_T_TOKEN, pkt->token.p, pkt->token.len);
	hw_put_ip(&w, ip4, n);
	return srv_tx_done(s, tx, &w);
}

static void
srv_put_entry(struct buf_wr *w, const struct ct_view *v)
{
	struct hw_entry e;

	e.mapped_port = v->port;
	memcpy(e.prefix, v->prefix, 12);
	memcpy(e.client, v->client, 16);
	e.client_port = v->client_port;
	hw_put_entry(w, &e);
}

/* Entries reported by the NAT64 (single or §7): adopt each. Returns true
 * if one of them is not written yet (the answer must wait for it). */
static bool
srv_adopt_entries(struct srv_ctx *s, struct chan *ch, uint16_t sport, const struct hw_packet *pkt,
    const struct clk_now *now)
{
	bool unconfirmed = false;
	unsigned g, i;

	for (g = 0; g < pkt->n_groups; g++) {
		const struct hw_group *gr = &pkt->groups[g];

		for (i = gr->first; i < (unsigned)gr->first + gr->count && i < pkt->n_entries; i++) {
			const struct hw_entry *e = &pkt->entries[i];

			/* The NAT64 chose these ports (RFC 6146 lets it keep
			 * ports below 1024), so they are adopted, except where
			 * an entry would break what the server keeps: port 0;
			 * 9, where the server sends validation packets (§9);
			 * 3544 (Teredo, §10); its handoff port and the
			 * channel's control port, where answers go. */
			if (s->bans && ban_match(s->bans, e->client, now->wall.tv_sec)) {
				/* Not adopted; but the NAT64 still holds a copy
				 * of it (it announces what it caches, e.g. after
				 * a restart of this server), so its port waits a
				 * whole quarantine time from now (ho_ban.h). */
				if (e->mapped_port)
					(void)ban_quarantine(s->bans, ch->local, ch->nat64,
					    e->mapped_port, now->wall.tv_sec);
				s->c[SRV_C_drop_banned_entry]++;
				continue;
			}
			if (e->mapped_port == 0 || e->mapped_port == HW_DISCARD_PORT ||
			    e->mapped_port == HW_TEREDO_PORT || e->mapped_port == s->port ||
			    e->mapped_port == sport) {
				s->c[SRV_C_drop_entry]++;
				continue;
			}
			if (chan_adopt(s->reg, ch, e->mapped_port, e->prefix, e->client,
			    e->client_port, gr->auth.p, gr->auth.len, now)) {
				s->c[SRV_C_entries_adopted]++;
				unconfirmed |= chan_unconfirmed(ch, e->mapped_port);
			} else if (chan_creation_paused(s->reg))
				s->c[SRV_C_drop_storage_paused]++;
			else
				s->c[SRV_C_drop_entry]++;
		}
	}
	return unconfirmed;
}

/* A banned client's packet (docs/PROTOCOL.md "Bans"): no entry, and an
 * ICMPv6 Destination Unreachable, code 1 (communication with destination
 * administratively prohibited), after translation, for the NAT64 to
 * deliver — [auth, IPv6] (pattern 2), as an echo reply travels. It comes
 * from the address the client tried (prefix + this server) and quotes as
 * much of the packet as fits in 1280 octets (RFC 4443 §2.4 (c), §3.1). */
static int
srv_banned(struct srv_ctx *s, const struct hw_packet *pkt, const struct ippkt6 *ip,
    struct srv_tx *tx, struct buf_wr *w)
{
	uint8_t *out;
	size_t n;

	hw_put_blob(w, HW_T_AUTH, pkt->auth.p, pkt->auth.len);
	out = tx->buf + w->off;
	n = ippkt_icmp6_error(out, SRV_TX_MAX - w->off, ip->dst, ip->src, 1, 1, pkt->ip.p,
	    pkt->ip.len);
	if (n == 0 || w->err) {
		s->c[SRV_C_drop_too_big]++;
		return 0;
	}
	w->off += n;
	s->c[SRV_C_banned_prohibited]++;
	return srv_tx_done(s, tx, w);
}

/* An IPv6 packet over the control channel (§10). */
static int
srv_ipv6(struct srv_ctx *s, struct chan *ch, uint32_t src, uint16_t sport,
    const struct hw_packet *pkt, const struct clk_now *now, struct srv_tx *tx)
{
	struct ippkt6 ip;
	struct ct_view v;
	struct buf_wr w;
	uint16_t avoid[2] = { s->port, sport }, port;
	bool created;

	if (!ippkt_parse6(pkt->ip.p, pkt->ip.len, &ip)) {
		s->c[SRV_C_drop_bad_ip]++;
		return 0;
	}
	/* The destination must be a /96 prefix + this server's address. */
	if (be32_load(ip.dst + 12) != ch->local) {
		s->c[SRV_C_drop_wrong_destination]++;
		return 0;
	}
	srv_tx_init(tx, ch->local, src, sport);
	buf_wr_init(&w, tx->buf, SRV_TX_MAX);
	if (s->bans && ban_match(s->bans, ip.src, now->wall.tv_sec)) {
		/* Answered: TCP, UDP and ICMPv6 informational messages. An
		 * ICMPv6 error is never answered with one (RFC 4443 §2.4
		 * (e.1)), nor is a packet whose first next header is not one
		 * of those (an extension header may hide an error); errors
		 * are rate-limited (§2.4 (f)). No entry either way. */
		if (ip.nh != IPPKT_PROTO_TCP && ip.nh != IPPKT_PROTO_UDP &&
		    (ip.nh != IPPKT_PROTO_ICMP6 || ip.l4_len < 1 || ip.l4[0] < 128)) {
			s->c[SRV_C_drop_unsupported_ipv6]++;
			return 0;
		}
		if (!tb_take(&s->ban_tb, SRV_BAN_ICMP_RATE, SRV_BAN_ICMP_RATE, now->mono_ms)) {
			s->c[SRV_C_banned_rate_limited]++;
			return 0;
		}
		return srv_banned(s, pkt, &ip, tx, &w);
	}
	if (ip.nh == IPPKT_PROTO_ICMP6) {
		uint8_t *out;
		size_t n;

		if (ip.l4_len < 8 || ip.l4[0] != 128 || ip.l4[1] != 0) {
			s->c[SRV_C_drop_unsupported_ipv6]++;
			return 0;
		}
		hw_put_blob(&w, HW_T_AUTH, pkt->auth.p, pkt->auth.len);
		/* Build the echo reply in place after the auth message. */
		out = tx->buf + w.off;
		n = ippkt_icmp6_echo(out, SRV_TX_MAX - w.off, ip.dst, ip.src, 129,
		    be16_load(ip.l4 + 4), be16_load(ip.l4 + 6), ip.l4 + 8, ip.l4_len - 8);
		if (n == 0 || w.err) {
			s->c[SRV_C_drop_too_big]++;
			return 0;
		}
		w.off += n;
		s->c[SRV_C_echo_replies]++;
		return srv_tx_done(s, tx, &w);
	}
	if ((ip.nh != IPPKT_PROTO_TCP && ip.nh != IPPKT_PROTO_UDP) || ip.l4_len < 4) {
		s->c[SRV_C_drop_unsupported_ipv6]++;
		return 0;
	}
	port = chan_map_client(s->reg, ch, ip.dst, ip.src, ip.sport, pkt->auth.p, pkt->auth.len,
	    hw_has(pkt, HW_T_HINT) ? pkt->hint : 0, avoid, 2, now, &created);
	if (port == 0 || !ct_get(ch->t, port, &v)) {
		s->c[port == 0 && chan_creation_paused(s->reg) ? SRV_C_drop_storage_paused :
		    SRV_C_drop_no_port]++;
		return 0;
	}
	s->c[created ? SRV_C_entries_created : SRV_C_entries_found]++;
	if (log_getverbose() >= 2) {
		char a[ADDR_STRLEN], c6[ADDR_STRLEN];

		log_debug2("channel %s: entry port %u for [%s]:%u %s",
		    addr_fmt4(ch->nat64, a, sizeof(a)), port, addr_fmt6(ip.src, c6, sizeof(c6)),
		    ip.sport, created ? "created" : "refreshed");
	}
	tx->unconfirmed = chan_unconfirmed(ch, port);
	hw_put_blob(&w, HW_T_AUTH, v.auth, v.auth_len);
	srv_put_entry(&w, &v);
	hw_put_ip(&w, pkt->ip.p, pkt->ip.len);
	return srv_tx_done(s, tx, &w);
}

/* An ICMPv4 error towards the NAT64 over the channel (§8 forwards errors
 * whose quoted packet matches nothing it has cached; §10): the quoted
 * packet went from the NAT64 address and a mapped port to this server,
 * so the entry of that port is the answer, with the error, for the
 * NAT64 to translate it to the client (a Fragmentation Needed becomes
 * the client's Packet Too Big: path MTU discovery keeps working). The
 * error's source may be this host or a router on the path. */
static int
srv_icmp4_error(struct srv_ctx *s, struct chan *ch, uint32_t src, const struct hw_packet *pkt,
    const struct ippkt4 *ip, const struct clk_now *now, struct srv_tx *tx, struct buf_wr *w)
{
	struct ippkt4 q;
	struct ct_view v;
	uint8_t type = ip->l4_len >= 8 ? ip->l4[0] : 0;

	if (ip->is_fragment || ip->l4_len < 8 || (type != 3 && type != 11 && type != 12)) {
		s->c[SRV_C_drop_unsupported_ipv4]++;
		return 0;
	}
	if (!ippkt_parse4_quote(ip->l4 + 8, ip->l4_len - 8, &q) ||
	    (q.proto != IPPKT_PROTO_TCP && q.proto != IPPKT_PROTO_UDP) || q.l4_len < 4 ||
	    q.is_fragment || be32_load(q.src) != src || be32_load(q.dst) != ch->local) {
		s->c[SRV_C_drop_icmp_quote]++;
		return 0;
	}
	if (!chan_lookup_port(s->reg, ch, q.sport, now, &v)) {
		s->c[SRV_C_drop_icmp_no_entry]++;
		return 0;
	}
	s->c[SRV_C_icmp_errors_matched]++;
	tx->unconfirmed = chan_unconfirmed(ch, q.sport);
	hw_put_blob(w, HW_T_AUTH, v.auth, v.auth_len);
	srv_put_entry(w, &v);
	hw_put_ip(w, pkt->ip.p, pkt->ip.len);
	return srv_tx_done(s, tx, w);
}

/* An IPv4 packet over the control channel: a packet this host sent to
 * the NAT64 that missed its cache (§10). */
static int
srv_ipv4(struct srv_ctx *s, struct chan *ch, uint32_t src, uint16_t sport,
    const struct hw_packet *pkt, const struct clk_now *now, struct srv_tx *tx)
{
	struct ippkt4 ip;
	struct ct_view v;
	struct buf_wr w;

	if (!ippkt_parse4(pkt->ip.p, pkt->ip.len, &ip)) {
		s->c[SRV_C_drop_bad_ip]++;
		return 0;
	}
	if (be32_load(ip.dst) != src) {
		s->c[SRV_C_drop_wrong_destination]++;
		return 0;
	}
	srv_tx_init(tx, ch->local, src, sport);
	buf_wr_init(&w, tx->buf, SRV_TX_MAX);
	if (ip.proto == IPPKT_PROTO_TCP || ip.proto == IPPKT_PROTO_UDP) {
		if (ip.is_fragment && ip.l4_len < 4) {
			s->c[SRV_C_drop_fragment]++;
			return 0;
		}
		if (ip.l4_len < 4) {
			s->c[SRV_C_drop_bad_ip]++;
			return 0;
		}
		if (chan_lookup_port(s->reg, ch, ip.dport, now, &v)) {
			s->c[SRV_C_lookup_hit]++;
			tx->unconfirmed = chan_unconfirmed(ch, ip.dport);
			hw_put_blob(&w, HW_T_AUTH, v.auth, v.auth_len);
			srv_put_entry(&w, &v);
		} else {
			s->c[SRV_C_lookup_miss]++;
			hw_put_blob(&w, HW_T_TOKEN, pkt->token.p, pkt->token.len);
		}
		hw_put_ip(&w, pkt->ip.p, pkt->ip.len);
		return srv_tx_done(s, tx, &w);
	}
	if (ip.proto == IPPKT_PROTO_ICMP)
		return srv_icmp4_error(s, ch, src, pkt, &ip, now, tx, &w);
	/* Other protocols: protocol unreachable from the NAT64's address. */
	{
		uint8_t nat64[4], *out;
		size_t n;

		be32_store(nat64, src);
		hw_put_blob(&w, HW_T_TOKEN, pkt->token.p, pkt->token.len);
		out = tx->buf + w.off;
		n = ippkt_icmp4_error(out, SRV_TX_MAX - w.off, nat64, ip.src, 3, 2, pkt->ip.p,
		    pkt->ip.len);
		if (n == 0 || w.err) {
			s->c[SRV_C_drop_too_big]++;
			return 0;
		}
		w.off += n;
		s->c[SRV_C_icmp_errors_sent]++;
		return srv_tx_done(s, tx, &w);
	}
}

int
srv_handle(struct srv_ctx *s, uint32_t local, uint32_t src, uint16_t sport,
    const uint8_t *payload, size_t len, const struct clk_now *now, struct srv_tx *tx)
{
	struct hw_packet pkt;
	struct ippkt4 ip4;
	struct chan *ch;
	bool ip4ok, bounce_shaped, adopted_unconfirmed;
	enum hw_err e;
	int r = 0;

	s->c[SRV_C_rx_packets]++;
	if ((e = hw_parse(payload, len, &pkt)) != HW_OK ||
	    (e = hw_check_to_server(&pkt)) != HW_OK) {
		s->wire_drop[e]++;
		return 0;
	}
	if (pkt.trailing)	/* e.g. Ethernet padding copied with the packet */
		s->c[SRV_C_rx_trailing_ignored]++;
	ip4ok = pkt.ip_version == 4 && ippkt_parse4(pkt.ip.p, pkt.ip.len, &ip4);
	bounce_shaped = ip4ok && ip4.proto == IPPKT_PROTO_UDP && ip4.l4_len >= 8 &&
	    ip4.sport == s->port && ip4.dport == HW_DISCARD_PORT && be32_load(ip4.src) == local;
	if (!val_token_known(s->vs, local, src, sport, pkt.token.p, pkt.token.len, now)) {
		if (hw_has(&pkt, HW_T_TOKEN_ROT) &&
		    val_token_rotate(s->vs, local, src, sport, pkt.token.p, pkt.token.len,
		    pkt.token_rot.p, pkt.token_rot.len, now)) {
			s->c[SRV_C_token_rotated]++;
		} else if (bounce_shaped && srv_is_bounce(s, local, src, sport, &pkt, &ip4)) {
			if (chan_get_or_create(s->reg, local, src, now) == NULL) {
				s->c[SRV_C_drop_max_channels]++;
				return 0;
			}
			val_token_add(s->vs, local, src, sport, pkt.token.p, pkt.token.len, now);
			s->c[SRV_C_validated]++;
			if (log_getverbose() >= 1) {
				char a[ADDR_STRLEN], b[ADDR_STRLEN];

				log_debug("NAT64 %s:%u validated (server address %s)",
				    addr_fmt4(src, a, sizeof(a)), sport, addr_fmt4(local, b, sizeof(b)));
			}
			/* Consumed (returning it would loop), and answered. */
			return srv_send_validated(s, local, src, sport, &pkt, tx);
		} else {
			if (bounce_shaped)
				s->c[SRV_C_bad_bounce]++;
			if (!chan_would_accept(s->reg, local, src, now)) {
				s->c[SRV_C_drop_max_channels]++;
				return 0;
			}
			if (!val_attenuate(s->vs)) {
				s->c[SRV_C_drop_attenuated]++;
				return 0;
			}
			return srv_send_validation(s, local, src, sport, &pkt, now, tx);
		}
	} else if (bounce_shaped) {
		/* A second bounce for an already validated token (two packets
		 * raced the first validation): consumed, never returned, as
		 * returning it would make the NAT64 bounce it again. */
		s->c[SRV_C_bounce_repeat]++;
		return 0;
	}
	ch = chan_get_or_create(s->reg, local, src, now);
	if (ch == NULL) {
		s->c[SRV_C_drop_max_channels]++;
		return 0;
	}
	if (ch->t == NULL) {
		s->c[SRV_C_drop_state_unavailable]++;
		return 0;
	}
	adopted_unconfirmed = pkt.n_entries > 0 && srv_adopt_entries(s, ch, sport, &pkt, now);
	if (pkt.ip_version == 6)
		r = srv_ipv6(s, ch, src, sport, &pkt, now, tx);
	else if (pkt.ip_version == 4)
		r = srv_ipv4(s, ch, src, sport, &pkt, now, tx);
	if (r && adopted_unconfirmed)
		tx->unconfirmed = true;
	return r;
}

int
srv_commit(struct srv_ctx *s, struct srv_tx *tx, int ntx, const struct clk_now *now)
{
	int i, k;

	if (chan_commit(s->reg, now))
		return ntx;
	for (i = k = 0; i < ntx; i++) {
		if (tx[i].unconfirmed) {
			s->c[SRV_C_answers_withheld]++;
			continue;
		}
		tx[k++] = tx[i];
	}
	return k;
}
