/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* gw.c — the stateful packet path; see nd_gw.h.
 *
 * IPv6 -> IPv4 (gw_in6):  parse, destination inside a prefix, hop limit,
 *   ICMPv6 errors to icmp.c, BIB/session lookup or creation (RFC 6146
 *   §3.5.1-3.5.3), classification (the handoff hook), header translation
 *   (RFC 7915 §5), hairpinning when the destination is one of our pool
 *   addresses, write.
 * IPv4 -> IPv6 (gw_in4):  parse, destination in the pool, TTL, ICMP
 *   errors to icmp.c, BIB lookup (endpoint-independent filtering), MTU
 *   (Fragmentation Needed or IPv6 fragments), translation (RFC 7915 §4).
 */
#include "nd_gw.h"

#include <endian.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "buf.h"
#include "cksum.h"
#include "nd_gso.h"
#include "nd_handoff.h"
#include "nd_hold.h"
#include "xalloc.h"

static void
gw_params(const struct nd_config *cfg, struct nd_state_params *p)
{
	memset(p, 0, sizeof(*p));
	p->pool4 = cfg->pool4;
	p->n_pool4 = cfg->n_pool4;
	p->port_min = cfg->port_min;
	p->port_max = cfg->port_max;
	p->timeout_ms[ND_TC_UDP] = cfg->to_udp_ms;
	p->timeout_ms[ND_TC_ICMP] = cfg->to_icmp_ms;
	p->timeout_ms[ND_TC_TCP_EST] = cfg->to_tcp_est_ms;
	p->timeout_ms[ND_TC_TCP_TRANS] = cfg->to_tcp_trans_ms;
	p->timeout_ms[ND_TC_TCP_SYN] = cfg->to_tcp_syn_ms;
	p->max_bib = cfg->max_bib;
	p->max_sessions = cfg->max_sessions;
	p->reserved_port = cfg->handoff ? cfg->ho_ctl_port : 0;
}

struct nd_gw *
nd_gw_new(const struct nd_config *cfg, struct nd_dev *dev)
{
	struct nd_gw *gw = xcalloc(1, sizeof(*gw));
	struct nd_state_params p;

	gw->cfg = *cfg;
	gw->dev = dev;
	gw_params(cfg, &p);
	nd_state_init(&gw->st, &p);
	nd_frag_init(&gw->frags);
	nd_batch_init(gw);
	/* RFC 6146 §3.4: out-of-order fragments, with bounded resources. */
	gw->fhold = nd_hold_new(ND_FRAG_HOLD_PKTS, ND_FRAG_HOLD_BYTES, ND_FRAG_TTL_MS);
	nd_config_own6(cfg, gw->own6);
	gw->own4 = nd_config_own4(cfg);
	gw->ipid = (uint16_t)randombytes_random();
	return gw;
}

void
nd_gw_reconfig(struct nd_gw *gw, const struct nd_config *cfg)
{
	struct nd_state_params p;

	gw_params(cfg, &p);
	nd_state_set_params(&gw->st, &p);
	/* What the tables were built from stays; the rest follows the file. */
	gw->cfg.mtu6 = cfg->mtu6;
	gw->cfg.mtu4 = cfg->mtu4;
	gw->cfg.to_udp_ms = cfg->to_udp_ms;
	gw->cfg.to_icmp_ms = cfg->to_icmp_ms;
	gw->cfg.to_tcp_est_ms = cfg->to_tcp_est_ms;
	gw->cfg.to_tcp_trans_ms = cfg->to_tcp_trans_ms;
	gw->cfg.to_tcp_syn_ms = cfg->to_tcp_syn_ms;
	gw->cfg.max_bib = cfg->max_bib;
	gw->cfg.max_sessions = cfg->max_sessions;
	gw->cfg.icmp_rate = cfg->icmp_rate;
	gw->cfg.verbose = cfg->verbose;
	gw->cfg.batch = cfg->batch;
	if (gw->ho) {
		gw->cfg.ho_cache_ms = cfg->ho_cache_ms;
		gw->cfg.ho_cache_max = cfg->ho_cache_max;
		gw->cfg.ho_announce_rate = cfg->ho_announce_rate;
		gw->cfg.ho_probe_ms = cfg->ho_probe_ms;
		gw->cfg.ho_token_life_ms = cfg->ho_token_life_ms;
		gw->cfg.ho_auth_life_ms = cfg->ho_auth_life_ms;
		nd_ho_reconfig(gw);
	}
}

void
nd_gw_free(struct nd_gw *gw)
{
	if (!gw)
		return;
	nd_state_free(&gw->st);
	nd_batch_free(gw);
	nd_hold_free(gw->fhold);
	nd_ho_free(gw->ho);
	free(gw);
}

int64_t
nd_gw_expire(struct nd_gw *gw, const struct clk_now *now)
{
	uint64_t next;
	int64_t ms;

	nd_state_expire(&gw->st, now, &next);
	gw->c.frag_expired += nd_hold_expire(gw->fhold, now, NULL, NULL);
	if (next == UINT64_MAX || next > now->mono_ms + 1000)
		ms = 1000;
	else
		ms = (int64_t)(next - now->mono_ms);
	if (gw->ho) {
		int64_t h = nd_ho_tick(gw, now);

		if (h < ms)
			ms = h;
	}
	return ms;
}

int
nd_gw_prefix_of(const struct nd_gw *gw, const uint8_t a[16], uint32_t *v4)
{
	int i;

	for (i = 0; i < gw->cfg.n_prefix; i++) {
		const struct nd_prefix *p = &gw->cfg.prefix[i];

		if (memcmp(a, p->addr, (size_t)p->len / 8) == 0) {
			if (p->len != 96 && a[8] != 0)
				continue;	/* RFC 6052 u octet */
			*v4 = addr_rfc6052_extract(a, p->len);
			return i;
		}
	}
	return -1;
}

bool
nd_gw_v4_ok(uint32_t a)
{
	/* Not 0/8, 127/8, multicast, reserved or broadcast (RFC 6052 §3.1, RFC 7915). */
	return (a >> 24) != 0 && (a >> 24) != 127 && a < 0xe0000000u;
}

int
nd_gw_send_now(struct nd_gw *gw, struct virtio_net_hdr *vh, const uint8_t *hdr, size_t hl,
    const uint8_t *body, size_t bl, bool v6)
{
	if (nd_dev_send(gw->dev, vh, hdr, hl, body, bl) == -1) {
		gw->c.drop_tx++;
		return -1;
	}
	if (v6)
		gw->c.tx6++;
	else
		gw->c.tx4++;
	return 0;
}

void
nd_gw_send(struct nd_gw *gw, struct virtio_net_hdr *vh, const uint8_t *hdr, size_t hl,
    const uint8_t *body, size_t bl, bool v6)
{
	nd_batch_flush(gw);
	nd_gw_send_now(gw, vh, hdr, hl, body, bl, v6);
}

void
nd_gw_flush(struct nd_gw *gw)
{
	nd_batch_flush(gw);
}

/* A plain (not offloaded) translated UDP datagram may join a train. */
static bool
gw_can_batch(const struct nd_gw *gw, const struct virtio_net_hdr *vh, uint8_t proto, bool frag)
{
	return gw->coalesce && proto == ND_PROTO_UDP && !frag && !nd_gso_is_gso(vh) &&
	    (!nd_gso_partial(vh) || vh->csum_offset == 6);
}

static uint8_t
gw_tcp_flags(const uint8_t *tcp)
{
	uint8_t f = tcp[13], o = 0;

	if (f & 0x01)
		o |= ND_TCPF_FIN;
	if (f & 0x02)
		o |= ND_TCPF_SYN;
	if (f & 0x04)
		o |= ND_TCPF_RST;
	return o;
}

static void gw_in4(struct nd_gw *gw, uint8_t *pkt, size_t len, struct virtio_net_hdr *vh,
    const struct clk_now *now);


/* Key/value of the fragment table. */
static size_t
gw_fkey6(const struct nd_p6 *in, uint8_t *k)
{
	k[0] = 6;
	k[1] = in->proto;
	memcpy(k + 2, in->p + 8, 32);
	be32_store(k + 34, in->fragid);
	return 38;
}

static size_t
gw_fkey4(const struct nd_p4 *in, uint8_t *k)
{
	k[0] = 4;
	k[1] = in->proto;
	be32_store(k + 2, in->src);
	be32_store(k + 6, in->dst);
	be16_store(k + 10, in->id);
	return 12;
}

/* Fragments that arrive before their first fragment wait (bounded, 2 s)
 * in a hold queue keyed by their fragment key, and are fed in again once
 * the first fragment went through. */
static uint64_t
gw_fhkey(const struct nd_gw *gw, const uint8_t *fk, size_t klen)
{
	uint8_t h[crypto_shorthash_BYTES];
	uint64_t k;

	crypto_shorthash(h, fk, klen, gw->st.hkey);
	memcpy(&k, h, sizeof(k));
	return k;
}

static void
gw_frag_hold(struct nd_gw *gw, const uint8_t *fk, size_t klen, const uint8_t *pkt, size_t len,
    const struct virtio_net_hdr *vh, const struct clk_now *now)
{
	if (gw->refeeding ||
	    nd_hold_put(gw->fhold, gw_fhkey(gw, fk, klen), pkt, len, vh, now) == -1) {
		gw->c.drop_frag_unknown++;
		return;
	}
	gw->c.frag_held++;
}

static void
gw_refeed(void *arg, uint64_t key, uint8_t *pkt, size_t len, struct virtio_net_hdr *vh,
    const struct clk_now *now)
{
	struct nd_gw *gw = arg;
	bool was = gw->refeeding;

	(void)key;
	gw->refeeding = true;	/* a fragment is held once, never twice */
	gw->c.frag_released++;
	nd_gw_input(gw, pkt, len, vh, now);
	gw->refeeding = was;
}

static void
gw_frag_release(struct nd_gw *gw, const uint8_t *fk, size_t klen, const struct clk_now *now)
{
	if (nd_hold_count(gw->fhold))
		nd_hold_release(gw->fhold, gw_fhkey(gw, fk, klen), gw_refeed, gw, now);
}

/* ------------------------------------------------------------ IPv6 -> IPv4 */

static void
gw_in6(struct nd_gw *gw, uint8_t *pkt, size_t len, struct virtio_net_hdr *vh,
    const struct clk_now *now)
{
	struct nd_p6 in;
	enum nd_perr pe;
	uint32_t dst4, src4, sum_old, sum_new;
	uint16_t sport = 0, dport = 0, port4 = 0;
	struct nd_bib *b = NULL;
	struct nd_session *s = NULL;
	uint8_t *l4, proto4, fk[ND_FRAG_KEYMAX], fv[8];
	size_t l4len, total;
	int pfx;
	bool df, partial, announce = false;
	uint16_t id;

	gw->c.rx6++;
	if ((pe = nd_parse6(pkt, len, false, &in)) != ND_P_OK) {
		if (pe == ND_P_EXTHDR && in.errptr) {
			/* RFC 7915 §5.1: Segments Left != 0, Parameter Problem. */
			nd_icmp_err6(gw, 4, 0, in.errptr, pkt, len < in.declared ? len : in.declared, now);
			gw->c.drop_exthdr++;
		} else if (pe == ND_P_EXTHDR || pe == ND_P_NESTED_FRAG)
			gw->c.drop_exthdr++;
		else
			gw->c.drop_malformed6++;
		return;
	}
	len = in.len;
	if ((pfx = nd_gw_prefix_of(gw, pkt + 24, &dst4)) < 0) {
		gw->c.drop_not_prefix++;
		return;
	}
	if (!nd_gw_v4_ok(dst4)) {
		gw->c.drop_bad_addr++;
		return;
	}
	if (!nd_gso_check(vh, len, in.l4off, in.proto, true)) {
		gw->c.drop_gso++;
		return;
	}
	if (nd_gso_is_gso(vh))
		gw->c.gso_rx++;
	l4 = pkt + in.l4off;
	l4len = len - in.l4off;
	if (in.proto == ND_PROTO_ICMP6 && nd_p6_first(&in) && l4len >= 1 &&
	    nd_icmp6_is_error(l4[0])) {
		if (in.frag) {
			gw->c.drop_frag_icmp++;
			return;
		}
		nd_icmp_xlat6to4(gw, &in, now);
		return;
	}
	{
		uint32_t src4_unused;

		/* A source inside our own prefix would come back to us. */
		if (nd_gw_prefix_of(gw, pkt + 8, &src4_unused) >= 0) {
			gw->c.drop_bad_addr++;
			return;
		}
	}
	if (pkt[7] <= 1) {
		nd_icmp_err6(gw, 3, 0, 0, pkt, len, now);
		gw->c.gen_time_exceeded6++;
		return;
	}
	if (in.proto != ND_PROTO_TCP && in.proto != ND_PROTO_UDP && in.proto != ND_PROTO_ICMP6) {
		gw->c.drop_proto++;
		return;
	}
	partial = nd_gso_partial(vh);
	if (partial && !nd_gso_is_gso(vh) && (le16toh(vh->csum_start) != in.l4off ||
	    le16toh(vh->csum_offset) != (in.proto == ND_PROTO_TCP ? 16 : 6) ||
	    (in.proto != ND_PROTO_TCP && in.proto != ND_PROTO_UDP))) {
		if (!nd_gso_resolve(vh, pkt, len)) {
			gw->c.drop_gso++;
			return;
		}
		gw->c.csum_resolved++;
		partial = false;
	}

	if (!nd_p6_first(&in)) {
		/* A later fragment: follow the first one. */
		gw_fkey6(&in, fk);
		if (!nd_frag_get(&gw->frags, fk, 38, fv, 8, now)) {
			gw_frag_hold(gw, fk, 38, pkt, len, vh, now);
			return;
		}
		src4 = be32_load(fv);
		dst4 = be32_load(fv + 4);
		proto4 = in.proto == ND_PROTO_ICMP6 ? ND_PROTO_ICMP : in.proto;
		goto build;
	}

	switch (in.proto) {
	case ND_PROTO_TCP:
		if (l4len < 20) {
			gw->c.drop_malformed6++;
			return;
		}
		sport = be16_load(l4);
		dport = be16_load(l4 + 2);
		break;
	case ND_PROTO_UDP:
		if (l4len < 8) {
			gw->c.drop_malformed6++;
			return;
		}
		sport = be16_load(l4);
		dport = be16_load(l4 + 2);
		if (be16_load(l4 + 6) == 0 && !partial) {
			gw->c.drop_udp0_v6++;	/* RFC 8200: mandatory in IPv6 */
			return;
		}
		break;
	case ND_PROTO_ICMP6:
		if (l4len < 8) {
			gw->c.drop_malformed6++;
			return;
		}
		if (in.frag) {
			gw->c.drop_frag_icmp++;
			return;
		}
		if (l4[0] != 128 && l4[0] != 129) {
			gw->c.drop_icmp_type++;
			return;
		}
		sport = be16_load(l4 + 4);	/* the identifier */
		dport = 0;
		break;
	}
	proto4 = in.proto == ND_PROTO_ICMP6 ? ND_PROTO_ICMP : in.proto;

	if (gw->ho && !in.frag) {
		struct nd_hoent *he = NULL;

		switch (nd_ho_in6(gw, pkt, len, vh, &in, pfx, dst4, proto4, sport, l4, &he, now)) {
		case ND_HO_TAKEN:
			return;
		case ND_HO_CACHED:
			src4 = he->pool4;
			port4 = he->port4;
			goto xlat;
		case ND_HO_PASS:
			break;
		}
	}
	b = nd_bib_find6(&gw->st, proto4, pkt + 8, sport);
	if (b)
		s = nd_session_find(&gw->st, b, dst4, dport);
	if (!s) {
		uint8_t fl = proto4 == ND_PROTO_TCP ? gw_tcp_flags(l4) : 0;

		if (proto4 == ND_PROTO_TCP && !(fl & ND_TCPF_SYN)) {
			gw->c.drop_no_session++;
			return;
		}
		if (proto4 == ND_PROTO_ICMP && l4[0] != 128) {
			gw->c.drop_no_session++;
			return;
		}
		if (!b && !(b = nd_bib_create(&gw->st, proto4, pkt + 8, sport, now))) {
			gw->c.drop_state_full++;
			/* RFC 6146 §3.5.1.1: Destination Unreachable, Address Unreachable. */
			nd_icmp_err6(gw, 1, 3, 0, pkt, len, now);
			gw->c.gen_unreach6++;
			return;
		}
		/* Handoff §8: the first use of an own entry with a server is told to it. */
		announce = gw->ho && !in.frag && !nd_bib_used_with(b, dst4);
		if (!(s = nd_session_create(&gw->st, b, dst4, dport, now))) {
			gw->c.drop_state_full++;
			if (b->n_sessions == 0 && b->owner == ND_OWN_LOCAL)
				nd_bib_delete(&gw->st, b, now);
			nd_icmp_err6(gw, 1, 3, 0, pkt, len, now);
			gw->c.gen_unreach6++;
			return;
		}
		s->pfx = (uint8_t)pfx;
	}
	if (announce)
		nd_ho_announce(gw, b, pfx, dst4, now);
	if (proto4 == ND_PROTO_TCP)
		nd_session_tcp(&gw->st, s, true, gw_tcp_flags(l4), now);
	else
		nd_session_touch(&gw->st, s, now);
	src4 = b->v4;
	port4 = b->port4;
xlat:

	/* L4: ports and checksum, incrementally (RFC 1624). */
	switch (in.proto) {
	case ND_PROTO_TCP:
	case ND_PROTO_UDP: {
		size_t ckoff = in.proto == ND_PROTO_TCP ? 16 : 6;
		uint16_t ck = be16_load(l4 + ckoff);

		/* A partial checksum (offload) covers the pseudo-header only: the
		 * port is summed later, by whoever completes it. */
		sum_old = cksum_add(0, pkt + 8, 32);
		sum_new = nd_sum4(src4) + nd_sum4(dst4);
		if (!partial) {
			sum_old = cksum_add(sum_old, l4, 2);
			sum_new += port4;
		}
		be16_store(l4, port4);
		ck = nd_ck_adjust(ck, sum_old, sum_new, partial);
		if (in.proto == ND_PROTO_UDP && ck == 0 && !partial)
			ck = 0xffff;
		be16_store(l4 + ckoff, ck);
		break;
	}
	case ND_PROTO_ICMP6: {
		uint16_t ck = be16_load(l4 + 2);
		uint8_t t4 = l4[0] == 128 ? 8 : 0;

		sum_old = cksum_pseudo6(pkt + 8, pkt + 24, ND_PROTO_ICMP6, (uint32_t)l4len);
		sum_old = cksum_add(sum_old, l4, 2);
		sum_old = cksum_add(sum_old, l4 + 4, 2);
		l4[0] = t4;
		l4[1] = 0;
		be16_store(l4 + 4, port4);
		sum_new = cksum_add(cksum_add(0, l4, 2), l4 + 4, 2);
		be16_store(l4 + 2, nd_ck_adjust(ck, sum_old, sum_new, false));
		break;
	}
	}
	if (in.frag && in.mf) {
		be32_store(fv, src4);
		be32_store(fv + 4, dst4);
		gw_fkey6(&in, fk);
		nd_frag_put(&gw->frags, fk, 38, fv, 8, now);
	}

build:
	total = ND_IP4_HLEN + l4len;
	if (total > 65535) {
		gw->c.drop_too_big++;
		return;
	}
	/* RFC 7915 §5.1: DF unless small; fragments keep their identity. */
	if (in.frag) {
		df = false;
		id = (uint16_t)in.fragid;
		gw->c.frags_xlat++;
	} else {
		df = total > 1260 || nd_gso_is_gso(vh);
		id = df ? 0 : gw->ipid++;
	}
	nd_build4(gw->hdr, (uint8_t)(be32_load(pkt) >> 20), (uint16_t)total, id, df, in.mf,
	    in.fragoff, (uint8_t)(pkt[7] - 1), proto4, src4, dst4);
	nd_gso_rewrite(vh, in.l4off, ND_IP4_HLEN, true);

	if (nd_state_is_pool4(&gw->st, dst4)) {
		/* Hairpinning (RFC 6146 §3.8): go straight back in as IPv4. */
		if (gw->in_hairpin || total > sizeof(gw->scratch2)) {
			gw->c.drop_hairpin_loop++;
			return;
		}
		memcpy(gw->scratch2, gw->hdr, ND_IP4_HLEN);
		memcpy(gw->scratch2 + ND_IP4_HLEN, l4, l4len);
		gw->c.hairpin++;
		gw->in_hairpin = true;
		gw_in4(gw, gw->scratch2, total, vh, now);
		gw->in_hairpin = false;
		return;
	}
	if (gw_can_batch(gw, vh, proto4, in.frag))
		nd_batch_udp(gw, vh, gw->hdr, ND_IP4_HLEN, l4, l4len, false);
	else
		nd_gw_send(gw, vh, gw->hdr, ND_IP4_HLEN, l4, l4len, false);
	if (in.frag && in.mf && in.fragoff == 0) {
		gw_fkey6(&in, fk);
		gw_frag_release(gw, fk, 38, now);
	}
}

/* ------------------------------------------------------------ IPv4 -> IPv6 */

/* Write the translated packet, as IPv6 fragments if it does not fit. */
static void
gw_out6(struct nd_gw *gw, const struct nd_p4 *in, struct virtio_net_hdr *vh,
    const uint8_t src6[16], const uint8_t dst6[16], uint8_t nh, const uint8_t *l4, size_t l4len)
{
	bool frag = nd_p4_isfrag(in);
	size_t hl = ND_IP6_HLEN + (frag ? ND_FRAG6_HLEN : 0);
	uint8_t tc = in->tos, hlim = (uint8_t)(in->ttl - 1);

	if (hl + l4len <= gw->cfg.mtu6 || nd_gso_is_gso(vh)) {
		if (hl + l4len - ND_IP6_HLEN > 65535) {
			gw->c.drop_too_big++;
			return;
		}
		nd_build6(gw->hdr, tc, 0, (uint16_t)(hl + l4len - ND_IP6_HLEN),
		    frag ? ND_PROTO_FRAG6 : nh, hlim, src6, dst6);
		if (frag) {
			nd_build_frag6(gw->hdr + ND_IP6_HLEN, nh, in->fragoff, in->mf, in->id);
			gw->c.frags_xlat++;
		}
		nd_gso_rewrite(vh, in->ihl, hl, false);
		if (gw_can_batch(gw, vh, nh, frag))
			nd_batch_udp(gw, vh, gw->hdr, hl, l4, l4len, true);
		else
			nd_gw_send(gw, vh, gw->hdr, hl, l4, l4len, true);
		return;
	}
	/* DF clear and too big: IPv6 fragments of at most mtu6 (RFC 7915 §4). */
	{
		size_t chunk = (gw->cfg.mtu6 - ND_IP6_HLEN - ND_FRAG6_HLEN) & ~(size_t)7, off = 0;
		uint32_t id = in->id;

		while (off < l4len) {
			size_t n = l4len - off < chunk ? l4len - off : chunk;
			bool more = off + n < l4len || in->mf;

			nd_build6(gw->hdr, tc, 0, (uint16_t)(ND_FRAG6_HLEN + n), ND_PROTO_FRAG6, hlim,
			    src6, dst6);
			nd_build_frag6(gw->hdr + ND_IP6_HLEN, nh, (uint16_t)(in->fragoff + off), more, id);
			nd_gw_send(gw, NULL, gw->hdr, ND_IP6_HLEN + ND_FRAG6_HLEN, l4 + off, n, true);
			gw->c.frag_out6++;
			off += n;
		}
	}
}

/* An unexpired LSRR/SSRR option (pointer not past the last address). */
static bool
gw_source_routed(const uint8_t *p, size_t ihl)
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

static void
gw_in4(struct nd_gw *gw, uint8_t *pkt, size_t len, struct virtio_net_hdr *vh,
    const struct clk_now *now)
{
	struct nd_p4 in;
	uint8_t *l4, nh, src6[16], dst6[16], fk[ND_FRAG_KEYMAX], fv[32];
	size_t l4len, seg;
	uint16_t sport = 0, dport = 0, port6 = 0;
	struct nd_bib *b;
	struct nd_session *s;
	bool partial;
	uint32_t sum_old, sum_new;
	int pfx = 0;

	gw->c.rx4++;
	if (nd_parse4(pkt, len, false, &in) != ND_P_OK) {
		gw->c.drop_malformed4++;
		return;
	}
	len = in.len;
	if (!nd_state_is_pool4(&gw->st, in.dst)) {
		gw->c.drop_not_pool++;
		return;
	}
	if (!nd_gw_v4_ok(in.src)) {
		gw->c.drop_bad_addr++;
		return;
	}
	if (in.ihl > ND_IP4_HLEN && gw_source_routed(pkt, in.ihl)) {
		/* RFC 7915 §4.1: unexpired source route -> 3/5, dropped. */
		nd_icmp_err4(gw, 3, 5, 0, pkt, len, now);
		gw->c.drop_source_route++;
		return;
	}
	if (!nd_gso_check(vh, len, in.ihl, in.proto, false)) {
		gw->c.drop_gso++;
		return;
	}
	if (nd_gso_is_gso(vh))
		gw->c.gso_rx++;
	l4 = pkt + in.ihl;
	l4len = len - in.ihl;
	if (in.proto == ND_PROTO_ICMP && nd_p4_first(&in) && l4len >= 1 && nd_icmp4_is_error(l4[0])) {
		if (nd_p4_isfrag(&in)) {
			gw->c.drop_frag_icmp++;
			return;
		}
		nd_icmp_xlat4to6(gw, &in, now);
		return;
	}
	if (gw->ho && nd_ho_is_control(gw, &in, l4, l4len)) {
		nd_ho_control_in(gw, pkt, &in, vh, now);
		return;
	}
	if (in.ttl <= 1) {
		nd_icmp_err4(gw, 11, 0, 0, pkt, len, now);
		gw->c.gen_time_exceeded4++;
		return;
	}
	if (in.proto != ND_PROTO_TCP && in.proto != ND_PROTO_UDP && in.proto != ND_PROTO_ICMP) {
		gw->c.drop_proto++;
		return;
	}
	/* Path MTU (RFC 7915 §4): DF set and too big -> Fragmentation Needed. */
	seg = nd_gso_seglen(vh, len, in.ihl + (in.proto == ND_PROTO_TCP && l4len >= 20 ?
	    (size_t)(l4[12] >> 4) * 4 : 8));
	if (seg - in.ihl + ND_IP6_HLEN + (nd_p4_isfrag(&in) ? ND_FRAG6_HLEN : 0) > gw->cfg.mtu6) {
		if (in.df) {
			nd_icmp_err4(gw, 3, 4, gw->cfg.mtu6 - ND_IP6_HLEN + ND_IP4_HLEN, pkt, len, now);
			gw->c.gen_frag_needed4++;
			return;
		}
	}
	partial = nd_gso_partial(vh);
	if (partial && !nd_gso_is_gso(vh) && (in.proto == ND_PROTO_ICMP ||
	    l4len + ND_IP6_HLEN > gw->cfg.mtu6 || le16toh(vh->csum_start) != in.ihl ||
	    le16toh(vh->csum_offset) != (in.proto == ND_PROTO_TCP ? 16 : 6))) {
		if (!nd_gso_resolve(vh, pkt, len)) {
			gw->c.drop_gso++;
			return;
		}
		gw->c.csum_resolved++;
		partial = false;
	}
	nh = in.proto == ND_PROTO_ICMP ? ND_PROTO_ICMP6 : in.proto;

	if (!nd_p4_first(&in)) {
		gw_fkey4(&in, fk);
		if (!nd_frag_get(&gw->frags, fk, 12, fv, 32, now)) {
			gw_frag_hold(gw, fk, 12, pkt, len, vh, now);
			return;
		}
		gw_out6(gw, &in, vh, fv, fv + 16, nh, l4, l4len);
		return;
	}
	switch (in.proto) {
	case ND_PROTO_TCP:
		if (l4len < 20) {
			gw->c.drop_malformed4++;
			return;
		}
		sport = be16_load(l4);
		dport = be16_load(l4 + 2);
		break;
	case ND_PROTO_UDP:
		if (l4len < 8) {
			gw->c.drop_malformed4++;
			return;
		}
		sport = be16_load(l4);
		dport = be16_load(l4 + 2);
		if (be16_load(l4 + 6) == 0 && !partial && nd_p4_isfrag(&in)) {
			gw->c.drop_udp0_frag++;	/* RFC 7915 §4.5 */
			return;
		}
		break;
	case ND_PROTO_ICMP:
		if (l4len < 8) {
			gw->c.drop_malformed4++;
			return;
		}
		if (nd_p4_isfrag(&in)) {
			gw->c.drop_frag_icmp++;
			return;
		}
		if (l4[0] != 0 && l4[0] != 8) {
			gw->c.drop_icmp_type++;
			return;
		}
		dport = be16_load(l4 + 4);
		sport = 0;
		break;
	}
	if (gw->ho && !nd_p4_isfrag(&in)) {
		struct nd_hoent *he = NULL;

		switch (nd_ho_in4(gw, pkt, len, vh, &in, sport, dport, l4, &he, now)) {
		case ND_HO_TAKEN:
			return;
		case ND_HO_CACHED:
			pfx = he->pfx < gw->cfg.n_prefix ? he->pfx : 0;
			memcpy(dst6, he->client, 16);
			port6 = he->port6;
			goto xlat;
		case ND_HO_PASS:
			break;
		}
	}
	b = nd_bib_find4(&gw->st, in.proto, in.dst, dport);
	if (!b) {
		gw->c.drop_no_bib++;
		return;
	}
	s = nd_session_find(&gw->st, b, in.src, sport);
	if (!s) {
		/* Endpoint-independent filtering (RFC 6146 §3.5.2.2 for TCP:
		 * only a SYN opens a session from the IPv4 side). */
		if ((in.proto == ND_PROTO_TCP && !(gw_tcp_flags(l4) & ND_TCPF_SYN)) ||
		    (in.proto == ND_PROTO_ICMP && l4[0] != 8)) {
			gw->c.drop_no_session++;
			return;
		}
		if (!(s = nd_session_create(&gw->st, b, in.src, sport, now))) {
			gw->c.drop_state_full++;
			return;
		}
	}
	if (in.proto == ND_PROTO_TCP)
		nd_session_tcp(&gw->st, s, false, gw_tcp_flags(l4), now);
	else
		nd_session_touch(&gw->st, s, now);
	pfx = s->pfx < gw->cfg.n_prefix ? s->pfx : 0;
	memcpy(dst6, b->v6, 16);
	port6 = b->port6;
xlat:
	addr_rfc6052_embed(gw->cfg.prefix[pfx].addr, gw->cfg.prefix[pfx].len, in.src, src6);

	switch (in.proto) {
	case ND_PROTO_TCP:
	case ND_PROTO_UDP: {
		size_t ckoff = in.proto == ND_PROTO_TCP ? 16 : 6;
		uint16_t ck = be16_load(l4 + ckoff);

		if (in.proto == ND_PROTO_UDP && ck == 0 && !partial) {
			/* RFC 7915 §4.5: compute the checksum IPv4 left out. */
			be16_store(l4 + 2, port6);
			ck = cksum_finish(cksum_add(cksum_pseudo6(src6, dst6, ND_PROTO_UDP,
			    (uint32_t)l4len), l4, l4len));
			be16_store(l4 + 6, ck ? ck : 0xffff);
			break;
		}
		sum_old = nd_sum4(in.src) + nd_sum4(in.dst);
		sum_new = cksum_add(cksum_add(0, src6, 16), dst6, 16);
		if (!partial) {	/* see gw_in6 */
			sum_old = cksum_add(sum_old, l4 + 2, 2);
			sum_new += port6;
		}
		be16_store(l4 + 2, port6);
		ck = nd_ck_adjust(ck, sum_old, sum_new, partial);
		if (in.proto == ND_PROTO_UDP && ck == 0 && !partial)
			ck = 0xffff;
		be16_store(l4 + ckoff, ck);
		break;
	}
	case ND_PROTO_ICMP: {
		uint16_t ck = be16_load(l4 + 2);

		sum_old = cksum_add(cksum_add(0, l4, 2), l4 + 4, 2);
		l4[0] = l4[0] == 8 ? 128 : 129;
		l4[1] = 0;
		be16_store(l4 + 4, port6);
		sum_new = cksum_pseudo6(src6, dst6, ND_PROTO_ICMP6, (uint32_t)l4len);
		sum_new = cksum_add(cksum_add(sum_new, l4, 2), l4 + 4, 2);
		be16_store(l4 + 2, nd_ck_adjust(ck, sum_old, sum_new, false));
		break;
	}
	}
	if (in.mf) {
		memcpy(fv, src6, 16);
		memcpy(fv + 16, dst6, 16);
		gw_fkey4(&in, fk);
		nd_frag_put(&gw->frags, fk, 12, fv, 32, now);
	}
	gw_out6(gw, &in, vh, src6, dst6, nh, l4, l4len);
	if (in.mf)
		gw_frag_release(gw, fk, 12, now);
}

void
nd_gw_input(struct nd_gw *gw, uint8_t *pkt, size_t len, struct virtio_net_hdr *vh,
    const struct clk_now *now)
{
	if (len < 1)
		return;
	switch (pkt[0] >> 4) {
	case 6:
		gw_in6(gw, pkt, len, vh, now);
		break;
	case 4:
		gw_in4(gw, pkt, len, vh, now);
		break;
	default:
		gw->c.drop_malformed6++;
		break;
	}
}

size_t
nd_gw_status(const struct nd_gw *gw, char *buf, size_t len)
{
	size_t n = 0;
	int r;

#define ND_P(...) do { r = snprintf(buf + n, n < len ? len - n : 0, __VA_ARGS__); \
	if (r > 0) n += (size_t)r; } while (0)
	ND_P("bib_entries %u\nsessions %u\n", gw->st.n_bib, gw->st.n_sess);
	ND_P("bib_created %llu\nbib_deleted %llu\nsessions_created %llu\nsessions_expired %llu\n",
	    (unsigned long long)gw->st.c.bib_created, (unsigned long long)gw->st.c.bib_deleted,
	    (unsigned long long)gw->st.c.sess_created, (unsigned long long)gw->st.c.sess_expired);
	ND_P("bib_full %llu\nsessions_full %llu\nports_exhausted %llu\n",
	    (unsigned long long)gw->st.c.bib_full, (unsigned long long)gw->st.c.sess_full,
	    (unsigned long long)gw->st.c.ports_exhausted);
#define ND_X(f) ND_P("%s %llu\n", #f, (unsigned long long)gw->c.f);
	ND_COUNTERS(ND_X)
#undef ND_X
	ND_P("dev_rx %llu\ndev_tx %llu\ndev_rx_err %llu\ndev_tx_err %llu\n",
	    (unsigned long long)gw->dev->rx, (unsigned long long)gw->dev->tx,
	    (unsigned long long)gw->dev->rx_err, (unsigned long long)gw->dev->tx_err);
#undef ND_P
	if (gw->ho)
		n += nd_ho_status(gw, buf + (n < len ? n : len), n < len ? len - n : 0);
	return n;
}
