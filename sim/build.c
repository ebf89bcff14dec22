/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* build.c — the control packets a NAT64 sends to the handoff server
 * (§5, §7, §9), all through lib/handoff_wire.h encoders and lib/ippkt.h
 * builders, plus the malformed ones the server must drop.
 */
#include "sim.h"
#include "buf.h"
#include "ippkt.h"

#include <string.h>

#define SIM_PAYLOAD "handoff-sim"

static size_t
sim_finish(const struct buf_wr *w)
{
	return w->err ? 0 : w->off;
}

size_t
sim_build_v6(uint8_t *out, size_t cap, const struct sim_ident *id, const struct sim_req6 *r)
{
	uint8_t ip[256], dst[16], auth[SIM_MAC_LEN];
	struct buf_wr w;
	size_t n;

	sim_embed(r->prefix, r->server, dst);
	if (r->tcp)
		n = ippkt_tcp6(ip, sizeof(ip), r->client, dst, r->cport, r->sport, r->seq, 0,
		    0x02 /* SYN */, NULL, 0);
	else
		n = ippkt_udp6(ip, sizeof(ip), r->client, dst, r->cport, r->sport,
		    (const uint8_t *)SIM_PAYLOAD, sizeof(SIM_PAYLOAD) - 1);
	if (n == 0)
		return 0;
	sim_auth(id, r->server, r->client, auth);
	buf_wr_init(&w, out, cap);
	hw_put_blob(&w, HW_T_TOKEN, id->token, SIM_MAC_LEN);
	if (id->has_rot)
		hw_put_blob(&w, HW_T_TOKEN_ROT, id->rot, SIM_MAC_LEN);
	hw_put_blob(&w, HW_T_AUTH, auth, SIM_MAC_LEN);
	if (r->hint != 0)
		hw_put_hint(&w, r->hint);
	hw_put_ip(&w, ip, n);
	return sim_finish(&w);
}

size_t
sim_build_echo(uint8_t *out, size_t cap, const struct sim_ident *id, const uint8_t prefix[12],
    uint32_t server, const uint8_t client[16], uint16_t echo_id, uint16_t echo_seq)
{
	uint8_t ip[256], dst[16], auth[SIM_MAC_LEN];
	struct buf_wr w;
	size_t n;

	sim_embed(prefix, server, dst);
	n = ippkt_icmp6_echo(ip, sizeof(ip), client, dst, 128, echo_id, echo_seq,
	    (const uint8_t *)SIM_PAYLOAD, sizeof(SIM_PAYLOAD) - 1);
	if (n == 0)
		return 0;
	sim_auth(id, server, client, auth);
	buf_wr_init(&w, out, cap);
	hw_put_blob(&w, HW_T_TOKEN, id->token, SIM_MAC_LEN);
	hw_put_blob(&w, HW_T_AUTH, auth, SIM_MAC_LEN);
	hw_put_ip(&w, ip, n);
	return sim_finish(&w);
}

size_t
sim_build_v4(uint8_t *out, size_t cap, const struct sim_ident *id, uint32_t server,
    uint32_t nat64, uint16_t sport, uint16_t port, bool tcp)
{
	uint8_t ip[256], s4[4], d4[4];
	struct buf_wr w;
	size_t n;

	be32_store(s4, server);
	be32_store(d4, nat64);
	if (tcp)
		n = ippkt_tcp4(ip, sizeof(ip), s4, d4, sport, port, 1, 0, 0x02, NULL, 0);
	else
		n = ippkt_udp4(ip, sizeof(ip), s4, d4, sport, port, (const uint8_t *)SIM_PAYLOAD,
		    sizeof(SIM_PAYLOAD) - 1);
	if (n == 0)
		return 0;
	buf_wr_init(&w, out, cap);
	hw_put_blob(&w, HW_T_TOKEN, id->token, SIM_MAC_LEN);
	hw_put_ip(&w, ip, n);
	return sim_finish(&w);
}

size_t
sim_build_entry(uint8_t *out, size_t cap, const struct sim_ident *id, uint32_t server,
    const struct hw_entry *e)
{
	uint8_t auth[SIM_MAC_LEN];
	struct buf_wr w;

	sim_auth(id, server, e->client, auth);
	buf_wr_init(&w, out, cap);
	hw_put_ident(&w);
	hw_put_blob(&w, HW_T_TOKEN, id->token, SIM_MAC_LEN);
	hw_put_blob(&w, HW_T_AUTH, auth, SIM_MAC_LEN);
	hw_put_entry(&w, e);
	return sim_finish(&w);
}

size_t
sim_build_multi(uint8_t *out, size_t cap, const struct sim_ident *id, uint32_t server,
    const struct hw_entry *e, size_t n, size_t *used)
{
	uint8_t auth[SIM_MAC_LEN];
	struct buf_wr w;
	size_t i, need;

	*used = 0;
	if (cap > HW_MULTI_MAX_PAYLOAD)
		cap = HW_MULTI_MAX_PAYLOAD;
	buf_wr_init(&w, out, cap);
	hw_put_ident(&w);
	hw_put_blob(&w, HW_T_TOKEN, id->token, SIM_MAC_LEN);
	for (i = 0; i < n && i < HW_MAX_ENTRIES; i++) {
		bool group = i == 0 || memcmp(e[i].client, e[i - 1].client, 16) != 0;

		need = 2 + HW_ENTRY_DATA_LEN + (group ? 2 + SIM_MAC_LEN : 0);
		if (w.err || w.off + need > cap)
			break;
		if (group) {
			sim_auth(id, server, e[i].client, auth);
			hw_put_blob(&w, HW_T_AUTH, auth, SIM_MAC_LEN);
		}
		hw_put_entry(&w, &e[i]);
	}
	if (w.err || i == 0)
		return 0;
	*used = i;
	return w.off;
}

size_t
sim_build_bounce(uint8_t *out, size_t cap, const struct sim_ident *id, uint32_t server,
    uint16_t sport, uint32_t nat64, const uint8_t *payload, size_t len)
{
	uint8_t ip[SIM_PKT_MAX], s4[4], d4[4];
	struct buf_wr w;
	size_t n;

	be32_store(s4, server);
	be32_store(d4, nat64);
	n = ippkt_udp4(ip, sizeof(ip), s4, d4, sport, HW_DISCARD_PORT, payload, len);
	if (n == 0)
		return 0;
	buf_wr_init(&w, out, cap);
	hw_put_blob(&w, HW_T_TOKEN, id->token, SIM_MAC_LEN);
	hw_put_ip(&w, ip, n);
	return sim_finish(&w);
}

static const char *const sim_garbage_names[SIM_G__COUNT] = {
	[SIM_G_EMPTY] = "empty",
	[SIM_G_TRUNC_MSG] = "truncated-message",
	[SIM_G_TRUNC_IP] = "truncated-ip",
	[SIM_G_OVERSIZED_LEN] = "oversized-length",
	[SIM_G_DUP_TOKEN] = "duplicate-token",
	[SIM_G_DUP_AUTH_NOENTRY] = "duplicate-auth",
	[SIM_G_FORMAT5] = "unknown-format-5",
	[SIM_G_FORMAT0] = "unknown-format-0",
	[SIM_G_BAD_IDENT] = "bad-identifier",
	[SIM_G_ENTRY_BADLEN] = "entry-bad-length",
	[SIM_G_MULTI_TOO_BIG] = "multi-over-1232",
	[SIM_G_NO_TOKEN] = "no-token",
	[SIM_G_V6_NO_AUTH] = "ipv6-without-auth",
	[SIM_G_HUGE] = "huge-datagram",
	[SIM_G_ENTRY_NO_IDENT] = "entry-without-identifier",
	[SIM_G_WRONG_DST] = "ipv6-to-another-server",
	[SIM_G_V6_OTHER_PROTO] = "ipv6-protocol-47",
	[SIM_G_ENTRY_DISCARD] = "entry-port-9",
	[SIM_G_ENTRY_TEREDO] = "entry-port-3544",
	[SIM_G_ENTRY_HANDOFF] = "entry-on-the-handoff-port",
};

const char *
sim_garbage_name(enum sim_garbage g)
{
	return (unsigned)g < SIM_G__COUNT ? sim_garbage_names[g] : "?";
}

size_t
sim_build_garbage(uint8_t *out, size_t cap, enum sim_garbage g, const struct sim_ident *id,
    const uint8_t prefix[12], uint32_t server, uint32_t nat64, const uint8_t client[16])
{
	uint8_t ip[256], dst[16], auth[SIM_MAC_LEN], *p;
	struct hw_entry e;
	struct buf_wr w;
	size_t n, i;

	sim_embed(prefix, server, dst);
	sim_auth(id, server, client, auth);
	n = ippkt_udp6(ip, sizeof(ip), client, dst, SIM_CPORT_BASE, 53,
	    (const uint8_t *)SIM_PAYLOAD, sizeof(SIM_PAYLOAD) - 1);
	memset(&e, 0, sizeof(e));
	e.mapped_port = 40000;
	memcpy(e.prefix, prefix, 12);
	memcpy(e.client, client, 16);
	e.client_port = SIM_CPORT_BASE;
	buf_wr_init(&w, out, cap);
	if (n == 0)
		return 0;
	switch (g) {
	case SIM_G_EMPTY:
		return 0;	/* a zero-length datagram: the caller sends 0 octets */
	case SIM_G_TRUNC_MSG:
		hw_put_blob(&w, HW_T_TOKEN, id->token, SIM_MAC_LEN);
		hw_put_blob(&w, HW_T_AUTH, auth, SIM_MAC_LEN);
		w.off -= 10;	/* the authenticator's data cut short */
		break;
	case SIM_G_TRUNC_IP:
		hw_put_blob(&w, HW_T_TOKEN, id->token, SIM_MAC_LEN);
		hw_put_blob(&w, HW_T_AUTH, auth, SIM_MAC_LEN);
		buf_put_bytes(&w, ip, n - 8);	/* IPv6 header says more */
		break;
	case SIM_G_OVERSIZED_LEN:
		hw_put_blob(&w, HW_T_TOKEN, id->token, SIM_MAC_LEN);
		if ((p = buf_put_n(&w, 2 + SIM_MAC_LEN)) != NULL) {
			p[0] = 0x30 | HW_T_AUTH;
			p[1] = 255;	/* claims 510 octets */
			memcpy(p + 2, auth, SIM_MAC_LEN);
		}
		break;
	case SIM_G_DUP_TOKEN:
		hw_put_blob(&w, HW_T_TOKEN, id->token, SIM_MAC_LEN);
		hw_put_blob(&w, HW_T_TOKEN, id->token, SIM_MAC_LEN);
		hw_put_blob(&w, HW_T_AUTH, auth, SIM_MAC_LEN);
		hw_put_ip(&w, ip, n);
		break;
	case SIM_G_DUP_AUTH_NOENTRY:
		hw_put_blob(&w, HW_T_TOKEN, id->token, SIM_MAC_LEN);
		hw_put_blob(&w, HW_T_AUTH, auth, SIM_MAC_LEN);
		hw_put_blob(&w, HW_T_AUTH, auth, SIM_MAC_LEN);
		hw_put_ip(&w, ip, n);
		break;
	case SIM_G_FORMAT5:
		hw_put_blob(&w, HW_T_TOKEN, id->token, SIM_MAC_LEN);
		hw_put_blob(&w, HW_T_AUTH, auth, SIM_MAC_LEN);
		buf_put_u8(&w, 0x50);
		buf_put_u8(&w, 0);
		hw_put_ip(&w, ip, n);
		break;
	case SIM_G_FORMAT0:
		buf_put_u8(&w, 0x00);
		buf_put_u8(&w, 0x01);
		hw_put_blob(&w, HW_T_TOKEN, id->token, SIM_MAC_LEN);
		hw_put_blob(&w, HW_T_AUTH, auth, SIM_MAC_LEN);
		hw_put_ip(&w, ip, n);
		break;
	case SIM_G_BAD_IDENT:
		if ((p = buf_put_n(&w, 2 + HW_IDENT_LEN)) != NULL) {
			p[0] = 0x30 | HW_T_IDENT;
			p[1] = HW_IDENT_LEN / 2;
			memcpy(p + 2, HW_IDENT_TEXT, HW_IDENT_LEN);
			p[2 + 10] ^= 0x20;	/* change one letter's case */
		}
		hw_put_blob(&w, HW_T_TOKEN, id->token, SIM_MAC_LEN);
		hw_put_blob(&w, HW_T_AUTH, auth, SIM_MAC_LEN);
		hw_put_entry(&w, &e);
		break;
	case SIM_G_ENTRY_BADLEN:
		hw_put_ident(&w);
		hw_put_blob(&w, HW_T_TOKEN, id->token, SIM_MAC_LEN);
		hw_put_blob(&w, HW_T_AUTH, auth, SIM_MAC_LEN);
		if ((p = buf_put_n(&w, 2 + 30)) != NULL) {
			p[0] = 0x30 | HW_T_ENTRY;
			p[1] = 15;
			memset(p + 2, 0x11, 30);
		}
		break;
	case SIM_G_MULTI_TOO_BIG:
		hw_put_ident(&w);
		hw_put_blob(&w, HW_T_TOKEN, id->token, SIM_MAC_LEN);
		for (i = 0; i < 36 && !w.err; i++) {	/* 164 + 36 * 52 > 1232 */
			uint8_t c[16], a[SIM_MAC_LEN];

			sim_client_addr(SIM_KIND_ADOPT, nat64, 60000 + (uint32_t)i, c);
			sim_auth(id, server, c, a);
			memcpy(e.client, c, 16);
			e.mapped_port = (uint16_t)(50000 + i);
			hw_put_blob(&w, HW_T_AUTH, a, SIM_MAC_LEN);
			hw_put_entry(&w, &e);
		}
		break;
	case SIM_G_NO_TOKEN:
		hw_put_blob(&w, HW_T_AUTH, auth, SIM_MAC_LEN);
		hw_put_ip(&w, ip, n);
		break;
	case SIM_G_V6_NO_AUTH:
		hw_put_blob(&w, HW_T_TOKEN, id->token, SIM_MAC_LEN);
		hw_put_ip(&w, ip, n);
		break;
	case SIM_G_HUGE:
		/* 60000 octets: a token then no-ops only, so nothing to act on
		 * whatever the server's receive buffer is. */
		hw_put_blob(&w, HW_T_TOKEN, id->token, SIM_MAC_LEN);
		while (!w.err && w.off + 2 <= 60000 && w.off + 2 <= cap)
			hw_put_noop(&w);
		break;
	case SIM_G_ENTRY_NO_IDENT:
		hw_put_blob(&w, HW_T_TOKEN, id->token, SIM_MAC_LEN);
		hw_put_blob(&w, HW_T_AUTH, auth, SIM_MAC_LEN);
		hw_put_entry(&w, &e);
		break;
	case SIM_G_WRONG_DST:
		sim_embed(prefix, server ^ 0xff, dst);
		n = ippkt_udp6(ip, sizeof(ip), client, dst, SIM_CPORT_BASE, 53,
		    (const uint8_t *)SIM_PAYLOAD, sizeof(SIM_PAYLOAD) - 1);
		hw_put_blob(&w, HW_T_TOKEN, id->token, SIM_MAC_LEN);
		hw_put_blob(&w, HW_T_AUTH, auth, SIM_MAC_LEN);
		hw_put_ip(&w, ip, n);
		break;
	case SIM_G_V6_OTHER_PROTO:
		n = ippkt_ip6(ip, sizeof(ip), client, dst, 47, (const uint8_t *)SIM_PAYLOAD,
		    sizeof(SIM_PAYLOAD) - 1);
		hw_put_blob(&w, HW_T_TOKEN, id->token, SIM_MAC_LEN);
		hw_put_blob(&w, HW_T_AUTH, auth, SIM_MAC_LEN);
		hw_put_ip(&w, ip, n);
		break;
	case SIM_G_ENTRY_DISCARD:
	case SIM_G_ENTRY_TEREDO:
	case SIM_G_ENTRY_HANDOFF:
		e.mapped_port = g == SIM_G_ENTRY_DISCARD ? HW_DISCARD_PORT :
		    g == SIM_G_ENTRY_TEREDO ? HW_TEREDO_PORT : HW_DEFAULT_PORT;
		sim_client_addr(SIM_KIND_ADOPT, nat64, 59999, e.client);
		sim_auth(id, server, e.client, auth);
		hw_put_ident(&w);
		hw_put_blob(&w, HW_T_TOKEN, id->token, SIM_MAC_LEN);
		hw_put_blob(&w, HW_T_AUTH, auth, SIM_MAC_LEN);
		hw_put_entry(&w, &e);
		break;
	default:
		return 0;
	}
	return sim_finish(&w);
}
