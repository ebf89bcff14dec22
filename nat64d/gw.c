/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* gw.c — the gateway: its lifecycle, timers and status, and the driver
 * of the packet path (nd_gw_input); see nd_gw.h and nd_path.h.
 */
#include "nd_path.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "addr.h"
#include "nd_handoff.h"
#include "nd_hold.h"
#include "xalloc.h"

/* The again queue: at most what one packet can send back in (a hairpin,
 * its released fragments, a handoff answer and what it releases). */
#define ND_AGAIN_PKTS	8192
#define ND_AGAIN_BYTES	(32u * 1024 * 1024)

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

static void
gw_quota_limits(const struct nd_config *cfg, struct nd_quota_limits *l)
{
	memset(l, 0, sizeof(*l));
	memcpy(l->bib, cfg->q_bib, sizeof(l->bib));
	memcpy(l->sess, cfg->q_sess, sizeof(l->sess));
	memcpy(l->rate, cfg->q_rate, sizeof(l->rate));
	l->len[ND_QL_CLIENT] = 128;
	l->len[ND_QL_SUBNET] = cfg->q_subnet_len;
	l->len[ND_QL_SITE] = cfg->q_site_len;
	/* Three records at most per BIB entry in use (nd_quota.h): never the bound. */
	l->max_records = cfg->q_records ? cfg->q_records : 3 * (uint32_t)cfg->max_bib;
}

struct nd_gw *
nd_gw_new(const struct nd_config *cfg, struct nd_dev *dev)
{
	struct nd_gw *gw = xcalloc(1, sizeof(*gw));
	struct nd_state_params p;
	struct nd_quota_limits ql;

	gw->cfg = *cfg;
	gw->dev = dev;
	gw_params(cfg, &p);
	nd_state_init(&gw->st, &p);
	gw_quota_limits(cfg, &ql);
	nd_quota_init(&gw->quota, &ql);
	gw->st.quota = &gw->quota;
	nd_frag_init(&gw->frags);
	nd_out_init(gw);
	/* RFC 6146 §3.4: out-of-order fragments, with bounded resources. */
	gw->fhold = nd_hold_new(ND_FRAG_HOLD_PKTS, ND_FRAG_HOLD_BYTES, ND_FRAG_TTL_MS);
	gw->synhold = nd_hold_new(cfg->held_syn_max, (size_t)cfg->held_syn_max * ND_SYN_KEEP,
	    cfg->to_tcp_syn_ms);
	nd_state_set_static(&gw->st, cfg->bib_static, cfg->n_static, NULL);
	gw->again = nd_hold_new(ND_AGAIN_PKTS, ND_AGAIN_BYTES, 0);
	gw->again_new = nd_hold_new(ND_AGAIN_PKTS, ND_AGAIN_BYTES, 0);
	nd_config_own6(cfg, gw->own6);
	gw->own4 = nd_config_own4(cfg);
	gw->ipid = (uint16_t)randombytes_random();
	tb_init(&gw->icmp_tb, 1e12, 0);	/* full at first use */
	gw->coalesce = dev->vnet && cfg->udp_coalesce;
	tb_init(&gw->icmp_quota_tb, 1e12, 0);
	return gw;
}

void
nd_gw_reconfig(struct nd_gw *gw, const struct nd_config *cfg, const struct clk_now *now)
{
	struct nd_state_params p;
	struct nd_quota_limits ql;

	gw_params(cfg, &p);
	nd_state_set_params(&gw->st, &p);
	gw_quota_limits(cfg, &ql);
	nd_quota_set_limits(&gw->quota, &ql);
	memcpy(gw->cfg.q_bib, cfg->q_bib, sizeof(cfg->q_bib));
	memcpy(gw->cfg.q_sess, cfg->q_sess, sizeof(cfg->q_sess));
	memcpy(gw->cfg.q_rate, cfg->q_rate, sizeof(cfg->q_rate));
	nd_state_set_static(&gw->st, cfg->bib_static, cfg->n_static, now);
	memcpy(gw->cfg.bib_static, cfg->bib_static, sizeof(cfg->bib_static));
	gw->cfg.n_static = cfg->n_static;
	gw->cfg.filtering = cfg->filtering;
	gw->cfg.unsolicited_syn = cfg->unsolicited_syn;
	gw->cfg.held_syn_max = cfg->held_syn_max;
	memcpy(gw->cfg.errsrc, cfg->errsrc, sizeof(cfg->errsrc));
	gw->cfg.n_errsrc = cfg->n_errsrc;
	nd_hold_set_limits(gw->synhold, cfg->held_syn_max, (size_t)cfg->held_syn_max * ND_SYN_KEEP,
	    cfg->to_tcp_syn_ms);
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
	gw->cfg.status_interval_ms = cfg->status_interval_ms;
	if (gw->ho) {
		gw->cfg.ho_cache_ms = cfg->ho_cache_ms;
		gw->cfg.ho_cache_max = cfg->ho_cache_max;
		gw->cfg.ho_announce_rate = cfg->ho_announce_rate;
		gw->cfg.ho_icmp_rate = cfg->ho_icmp_rate;
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
	nd_quota_free(&gw->quota);
	nd_out_free(gw);
	nd_hold_free(gw->fhold);
	nd_hold_free(gw->synhold);
	nd_hold_free(gw->again);
	nd_hold_free(gw->again_new);
	nd_ho_free(gw->ho);
	free(gw);
}

/* RFC 6146 §3.5.2.2, when no IPv6 SYN came for a held IPv4 SYN in
 * time: "If the lifetime expires, an ICMP Port Unreachable error (Type 3,
 * Code 3) containing the IPv4 SYN packet stored is sent back to the
 * source of the v4 SYN". From ipv4-addr, as nat64d's other ICMPv4 errors. */
static void
gw_syn_expire(struct nd_gw *gw, const struct clk_now *now)
{
	uint8_t syn[ND_SYN_KEEP];
	size_t len;
	int r;

	while ((r = nd_hold_pop_expired(gw->synhold, now, syn, sizeof(syn), &len)) != 0) {
		gw->c.syn_held_expired++;
		if (r == 1) {
			gw->c.gen_port_unreach4++;
			nd_icmp_err4(gw, 3, 3, 0, syn, len, now);
		}
	}
}

int64_t
nd_gw_expire(struct nd_gw *gw, const struct clk_now *now)
{
	char line[512];
	uint64_t next;
	int64_t ms;

	nd_state_expire(&gw->st, now, &next);
	nd_quota_expire(&gw->quota, now);
	while (nd_quota_report(&gw->quota, now, line, sizeof(line)) > 0)
		log_warnx("%s", line);
	gw->c.frag_expired += nd_hold_expire(gw->fhold, now, NULL, NULL);
	gw_syn_expire(gw, now);
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

void
nd_gw_flush(struct nd_gw *gw)
{
	nd_out_flush(gw);
}

/* One packet through its direction's steps. */
static inline void
gw_run(struct nd_gw *gw, uint8_t *pkt, size_t len, struct virtio_net_hdr *vh, unsigned from,
    const struct clk_now *now)
{
	struct nd_pkt p;

	/* The rest is filled by the steps before it is read. */
	p.p = pkt;
	p.len = len;
	p.vh = vh;
	p.from = from;
	p.now = now;
	p.gw = gw;
	p.s = NULL;
	p.announce = false;
	switch (len < 1 ? 0 : pkt[0] >> 4) {
	case 6:
		nd_in6(gw, &p);
		break;
	case 4:
		nd_in4(gw, &p);
		break;
	default:
		nd_drop(&p, &gw->c.drop_malformed6);
		break;
	}
	/* What it sent back in goes first, in order (depth first). */
	nd_hold_prepend(gw->again, gw->again_new);
}

/* The driver: the packet, then everything it sent back in (hairpinned,
 * released fragments, handoff returns and releases) from the again queue. */
void
nd_gw_input(struct nd_gw *gw, uint8_t *pkt, size_t len, struct virtio_net_hdr *vh,
    const struct clk_now *now)
{
	struct virtio_net_hdr avh;
	uint64_t from;
	size_t alen;
	int r;

	if (len < 1)
		return;
	gw_run(gw, pkt, len, vh, 0, now);
	while ((r = nd_hold_pop(gw->again, &from, gw->againbuf, sizeof(gw->againbuf), &alen,
	    &avh)) != 0) {
		if (r == -1)
			gw->c.drop_too_big++;
		else
			gw_run(gw, gw->againbuf, alen, (from & ND_FROM_NOVH) ? NULL : &avh,
			    (unsigned)from & ~ND_FROM_NOVH, now);
	}
}

/* One line per static entry: "static tcp [2001:db8::80]:80 198.51.100.1:8080 sessions 2". */
static size_t
gw_status_static(const struct nd_gw *gw, char *buf, size_t len)
{
	char a6[ADDR_STRLEN], a4[ADDR_STRLEN];
	size_t n = 0;
	int i, r;

	for (i = 0; i < gw->cfg.n_static; i++) {
		const struct nd_static *e = &gw->cfg.bib_static[i];
		const struct nd_bib *b = nd_bib_find6(&gw->st, e->proto, e->v6, e->port6);

		r = snprintf(buf + n, n < len ? len - n : 0, "static %s [%s]:%u %s:%u sessions %u\n",
		    nd_static_proto_name(e->proto), addr_fmt6(e->v6, a6, sizeof(a6)), e->port6,
		    addr_fmt4(e->v4, a4, sizeof(a4)), e->port4, b ? b->n_sessions : 0);
		if (r > 0)
			n += (size_t)r;
	}
	return n;
}

size_t
nd_gw_status(const struct nd_gw *gw, char *buf, size_t len)
{
	size_t n = 0;
	int r;

#define ND_P(...) do { r = snprintf(buf + n, n < len ? len - n : 0, __VA_ARGS__); \
	if (r > 0) n += (size_t)r; } while (0)
	ND_P("bib_entries %u\nsessions %u\n", gw->st.n_bib, gw->st.n_sess);
	ND_P("bib_static %u\nheld_syns %zu\n", gw->st.n_static, nd_hold_count(gw->synhold));
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
	ND_P("bib_static_added %llu\nbib_static_removed %llu\nbib_static_replaced %llu\n",
	    (unsigned long long)gw->st.c.static_added, (unsigned long long)gw->st.c.static_removed,
	    (unsigned long long)gw->st.c.static_replaced);
	n += gw_status_static(gw, buf + (n < len ? n : len), n < len ? len - n : 0);
#undef ND_P
	n += nd_quota_status(&gw->quota, buf + (n < len ? n : len), n < len ? len - n : 0);
	if (gw->ho)
		n += nd_ho_status(gw, buf + (n < len ? n : len), n < len ? len - n : 0);
	return n;
}
