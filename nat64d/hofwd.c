/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* hofwd.c — handoff, NAT64 -> server: the questions open to servers
 * (packets held behind them), control packets out (token first), probes,
 * and forwarding of packets over the control channel (whole, or a
 * header-only stub); see nd_ho_int.h. */
#include "nd_ho_int.h"

#include <sodium.h>
#include <string.h>

#include "cksum.h"
#include "ippkt.h"
#include "nd_gso.h"
#include "nd_hold.h"

/* ------------------------------------------------------------ pending questions */

static uint64_t
ho_key(const struct nd_ho *ho, char kind, uint32_t server, const uint8_t *a, size_t alen,
    uint16_t port)
{
	uint8_t k[1 + 4 + 16 + 2], h[crypto_shorthash_BYTES];
	uint64_t v;

	k[0] = (uint8_t)kind;
	memcpy(k + 1, &server, 4);
	memcpy(k + 5, a, alen);
	memcpy(k + 5 + alen, &port, 2);
	crypto_shorthash(h, k, 7 + alen, ho->hkey);
	memcpy(&v, h, sizeof(v));
	return v;
}

uint64_t
ho_key6(const struct nd_ho *ho, uint32_t server, const uint8_t client[16], uint16_t port6)
{
	return ho_key(ho, '6', server, client, 16, port6);
}

uint64_t
ho_key4(const struct nd_ho *ho, uint32_t server, uint32_t pool4, uint16_t port4)
{
	uint8_t a[4];

	memcpy(a, &pool4, 4);
	return ho_key(ho, '4', server, a, 4, port4);
}

static struct ho_pend *
pend_find(struct nd_ho *ho, uint64_t key, const struct clk_now *now)
{
	int i;

	for (i = 0; i < HO_PEND_PROBE; i++) {
		struct ho_pend *p = &ho->pend[(key + (uint64_t)i) & (HO_PEND - 1)];

		if (p->key == key && p->until_ms > now->mono_ms)
			return p;
	}
	return NULL;
}

/* A slot is free once its question is closed and no stub of it can still
 * come back. */
static struct ho_pend *
pend_add(struct nd_ho *ho, uint64_t key, bool stub, uint64_t until, const struct clk_now *now)
{
	int i;

	for (i = 0; i < HO_PEND_PROBE; i++) {
		struct ho_pend *p = &ho->pend[(key + (uint64_t)i) & (HO_PEND - 1)];

		if (p->key == key || (p->until_ms <= now->mono_ms && p->stub_until_ms <= now->mono_ms)) {
			p->key = key;
			p->until_ms = until;
			p->stub_until_ms = stub ? now->mono_ms + HO_STUB_MEMORY_MS : 0;
			p->held = 0;
			return p;
		}
	}
	ho->c.drop_pend_full++;
	return NULL;
}

/* Close the question; was a header-only copy sent (so the packet the
 * server returns is not the real one)? Remembered past the hold time. */
bool
ho_pend_take(struct nd_ho *ho, uint64_t key, const struct clk_now *now)
{
	int i;

	for (i = 0; i < HO_PEND_PROBE; i++) {
		struct ho_pend *p = &ho->pend[(key + (uint64_t)i) & (HO_PEND - 1)];

		if (p->key == key && (p->until_ms > now->mono_ms || p->stub_until_ms > now->mono_ms)) {
			bool stub = p->stub_until_ms > now->mono_ms;

			p->until_ms = 0;
			p->stub_until_ms = 0;
			return stub;
		}
	}
	return false;
}

/* ------------------------------------------------------------ sending */

/* Token first, always: an ICMP error quoting the packet then carries it. */
void
ho_put_token(struct nd_ho *ho, struct buf_wr *w, uint32_t server)
{
	uint8_t t[ND_HO_MACLEN];

	nd_ho_token(ho->keys.tok, server, t);
	hw_put_blob(w, HW_T_TOKEN, t, sizeof(t));
	if (ho->keys.have_prev) {
		nd_ho_token(ho->keys.tok_prev, server, t);
		hw_put_blob(w, HW_T_TOKEN_ROT, t, sizeof(t));
	}
}

void
ho_put_auth(struct nd_ho *ho, struct buf_wr *w, uint32_t server, const uint8_t client[16])
{
	uint8_t a[ND_HO_MACLEN];

	nd_ho_auth(ho->keys.auth[0], server, client, a);
	hw_put_blob(w, HW_T_AUTH, a, sizeof(a));
}

void
ho_send(struct nd_gw *gw, struct nd_hosrv *s, uint32_t pool4, const struct buf_wr *w,
    const struct clk_now *now)
{
	struct nd_ho *ho = gw->ho;
	uint8_t src[4], dst[4];
	size_t n;

	if (w->err) {
		ho->c.drop_bad_packet++;
		return;
	}
	be32_store(src, pool4);
	be32_store(dst, s->addr);
	n = ippkt_udp4(ho->out, sizeof(ho->out), src, dst, gw->cfg.ho_ctl_port, gw->cfg.ho_port,
	    ho->payload, w->off);
	if (n == 0) {
		ho->c.drop_bad_packet++;
		return;
	}
	nd_out_send(gw, NULL, ho->out, n, NULL, 0, false);
	ho->c.ctl_tx++;
	s->tx++;
	s->last_ms = now->mono_ms;
}

/* [token, IPv4 UDP server:9 -> pool:9, empty]: a server answers it by
 * returning it with our token. */
void
ho_probe(struct nd_gw *gw, struct nd_hosrv *s, uint32_t pool4, const struct clk_now *now)
{
	struct nd_ho *ho = gw->ho;
	struct buf_wr w;
	uint8_t ip[64], src[4], dst[4];
	size_t n;

	buf_wr_init(&w, ho->payload, sizeof(ho->payload));
	ho_put_token(ho, &w, s->addr);
	be32_store(src, s->addr);
	be32_store(dst, pool4);
	n = ippkt_udp4(ip, sizeof(ip), src, dst, HW_DISCARD_PORT, HW_DISCARD_PORT, NULL, 0);
	hw_put_ip(&w, ip, n);
	ho->c.probes++;
	ho_send(gw, s, pool4, &w, now);
}

/* A header-only copy of a packet that is too big to forward whole. */
static size_t
ho_make_stub(struct nd_ho *ho, const uint8_t *pkt, size_t len, bool v6, size_t l4off,
    uint8_t proto)
{
	size_t l4h = 8, n;

	if (proto == ND_PROTO_TCP && l4off + 13 <= len)
		l4h = (size_t)(pkt[l4off + 12] >> 4) * 4;
	if (l4h < 8)
		l4h = 8;
	n = l4off + l4h;
	if (n > len || n > sizeof(ho->stub))
		return 0;
	memcpy(ho->stub, pkt, n);
	if (v6) {
		be16_store(ho->stub + 4, (uint16_t)(n - ND_IP6_HLEN));
	} else {
		be16_store(ho->stub + 2, (uint16_t)n);
		be16_store(ho->stub + 10, 0);
		be16_store(ho->stub + 10, cksum_finish(cksum_add(0, ho->stub, l4off)));
	}
	return n;
}

/* Held behind an open question of its flow (at most HO_HOLD_PER_KEY). */
static void
fwd_hold(struct nd_ho *ho, struct ho_pend *q, uint64_t key, struct nd_pkt *pk)
{
	if (q->held >= HO_HOLD_PER_KEY || nd_hold_put(ho->hold, key, pk->p, pk->len, pk->vh,
	    pk->now) == -1)
		nd_drop(pk, &ho->c.drop_hold_full);
	else {
		q->held++;
		ho->c.held++;
	}
}

/* Too big to forward whole: a header-only stub goes, the packet is held
 * (the stub must be recognised when it comes back: no record, no stub).
 * Returns the stub's length, or 0 (dropped). */
static size_t
fwd_stub(struct nd_gw *gw, uint64_t key, struct nd_pkt *pk, bool v6)
{
	struct nd_ho *ho = gw->ho;
	struct ho_pend *q;
	size_t n;

	if ((n = ho_make_stub(ho, pk->p, pk->len, v6, v6 ? pk->in6.l4off : pk->in4.ihl,
	    v6 ? pk->proto : pk->in4.proto)) == 0) {
		nd_drop(pk, &ho->c.drop_bad_packet);
		return 0;
	}
	if ((q = pend_add(ho, key, true, pk->now->mono_ms + gw->cfg.ho_hold_ms, pk->now)) == NULL)
		return 0;
	if (nd_hold_put(ho->hold, key, pk->p, pk->len, pk->vh, pk->now) == -1) {
		nd_drop(pk, &ho->c.drop_hold_full);
		return 0;
	}
	q->held++;
	ho->c.held++;
	ho->c.fwd_stub++;
	return n;
}

/* Forward a TCP/UDP packet over the control channel (or hold it while an
 * earlier one of the same flow is being asked about). */
void
ho_forward(struct nd_gw *gw, struct nd_hosrv *s, uint32_t pool4, uint64_t key, struct nd_pkt *pk,
    bool v6)
{
	struct nd_ho *ho = gw->ho;
	const struct clk_now *now = pk->now;
	const uint8_t *ip = pk->p;
	size_t iplen = pk->len;
	struct ho_pend *q;
	struct buf_wr w;
	bool big;

	if ((q = pend_find(ho, key, now)) != NULL) {
		fwd_hold(ho, q, key, pk);
		return;
	}
	if (!ho_srv_confirmed(s) && !ho_srv_take(gw, s, now)) {
		nd_drop(pk, &ho->c.fwd_limited);
		return;
	}
	big = nd_gso_is_gso(pk->vh) || pk->len > HO_FWD_MAX;
	if (!big && nd_gso_partial(pk->vh) && !nd_gso_resolve(pk->vh, pk->p, pk->len)) {
		nd_drop(pk, &ho->c.drop_bad_packet);
		return;
	}
	if (big) {
		if ((iplen = fwd_stub(gw, key, pk, v6)) == 0)
			return;
		ip = ho->stub;
	} else
		pend_add(ho, key, false, now->mono_ms + gw->cfg.ho_hold_ms, now);
	/* A server that stops answering is noticed (nd_ho_tick marks it down). */
	if (s->unanswered++ == 0)
		s->asked_ms = now->mono_ms;
	buf_wr_init(&w, ho->payload, sizeof(ho->payload));
	ho_put_token(ho, &w, s->addr);
	if (v6)
		ho_put_auth(ho, &w, s->addr, pk->p + 8);
	hw_put_ip(&w, ip, iplen);
	if (v6)
		ho->c.fwd6++;
	else
		ho->c.fwd4++;
	s->fwd++;
	ho_send(gw, s, pool4, &w, now);
}

/* Cut an ICMPv4 error to HO_ICMP_FWD_MAX octets (a router of RFC 1812
 * §4.3.2.3 quotes no more; the server needs only the quoted headers):
 * total length, header checksum, the RFC 4884 length (an extension does
 * not survive the cut) and the ICMP checksum redone. */
static size_t
icmp_cut(uint8_t *ip, size_t len, size_t ihl)
{
	uint8_t *icmp = ip + ihl;

	if (len <= HO_ICMP_FWD_MAX)
		return len;
	len = HO_ICMP_FWD_MAX;
	be16_store(ip + 2, (uint16_t)len);
	be16_store(ip + 10, 0);
	be16_store(ip + 10, cksum_finish(cksum_add(0, ip, ihl)));
	if (icmp[0] == 3 || icmp[0] == 11 || icmp[0] == 12)
		icmp[5] = 0;
	be16_store(icmp + 2, 0);
	be16_store(icmp + 2, cksum_finish(cksum_add(0, icmp, len - ihl)));
	return len;
}

/* An ICMPv4 error about a packet of ours that matches no entry: [token,
 * the error] to the server the quoted packet went to (draft §8, §10). It
 * opens a question for the port, so what else arrives for it waits for
 * the answer too; no answer (the server has no entry either) is normal
 * and does not count towards marking the server silent. An error held
 * behind an open question pays the rate as a forward does (forged errors
 * for one port must not fill the hold queue every flow shares): the
 * server's own (forged errors about one server must not use up the
 * budget of the others), and ten times that for all servers together. */
void
ho_forward_icmp(struct nd_gw *gw, struct nd_hosrv *s, uint32_t pool4, uint64_t key,
    struct nd_pkt *pk)
{
	struct nd_ho *ho = gw->ho;
	const struct clk_now *now = pk->now;
	struct ho_pend *q;
	struct buf_wr w;
	double rate = gw->cfg.ho_icmp_rate;
	size_t len;

	if (!tb_take(&s->icmp, rate, rate, now->mono_ms) ||
	    !tb_take(&ho->icmp, 10.0 * rate, 10.0 * rate, now->mono_ms)) {
		nd_drop(pk, &ho->c.drop_icmp_limited);
		return;
	}
	if ((q = pend_find(ho, key, now)) != NULL) {
		fwd_hold(ho, q, key, pk);
		return;
	}
	pend_add(ho, key, false, now->mono_ms + gw->cfg.ho_hold_ms, now);
	len = icmp_cut(pk->p, pk->len, pk->in4.ihl);
	buf_wr_init(&w, ho->payload, sizeof(ho->payload));
	ho_put_token(ho, &w, s->addr);
	hw_put_ip(&w, pk->p, len);
	ho->c.fwd_icmp4++;
	s->fwd++;
	ho_send(gw, s, pool4, &w, now);
}
