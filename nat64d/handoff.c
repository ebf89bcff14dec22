/* handoff.c — the control channel of NAT64 handoff in nat64d; see
 * nd_handoff.h, docs/PROTOCOL.md §9 and draft §8.
 *
 * Per server (IPv4 address) nat64d knows one of three states:
 *   unknown    never a valid control packet: the NAT64 makes its own
 *              entries, translates, and tells the server about each one
 *              (identifier + token + authenticator + entry, rate-limited),
 *              so a capture on the IPv4 side shows the real client and a
 *              server that starts speaking the protocol validates us;
 *   supported  a valid control packet arrived (right token or
 *              authenticator): new connections go over the control
 *              channel and the server picks the port;
 *   down       ICMP port unreachable from it for a control packet with our
 *              token: back to own entries, cached entries kept; probed
 *              with back-off until it answers, then every entry still
 *              cached or in use with it is sent in the §7 format.
 *
 * How "supported" is learnt: the server's §9 validation packet (UDP from
 * its handoff port to our port 9) matches nothing, so it is returned over
 * the control channel (the bounce); right behind it nat64d sends a probe —
 * [token, an IPv4 UDP packet server:9 -> us:9] — which a server answers by
 * returning it with our token (§6 pattern 1, §10 "no matching entry"):
 * that answer is the first valid control packet. Then the §7 resend
 * delivers the entries whose announcement the validation consumed.
 */
#include "nd_handoff.h"

#include <errno.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "buf.h"
#include "cksum.h"
#include "ippkt.h"
#include "log.h"
#include "nd_gso.h"
#include "nd_gw.h"
#include "nd_hold.h"
#include "xalloc.h"

#define HO_FWD_MAX	1400	/* larger packets: a header-only stub is forwarded */
#define HO_PEND		4096	/* outstanding questions to servers */
#define HO_PEND_PROBE	8
#define HO_HOLD_PKTS	4096
#define HO_HOLD_BYTES	(16u * 1024 * 1024)
#define HO_HOLD_PER_KEY	64	/* one flow cannot fill the queue for everyone */
#define HO_OUT		(HO_FWD_MAX + 512)
#define HO_RESEND_MAX	65536	/* entries waiting to be resent (§7), all servers */
#define HO_RESEND_BURST	16	/* §7 packets sent at once on a transition */
#define HO_RESEND_TICK	128	/* ... and per 100 ms afterwards */
#define HO_NOSYN_RATE	200.0	/* non-SYN TCP forwarded for unconfirmed servers, /s */
#define HO_SILENT_QUESTIONS 3	/* unanswered questions that make a server down */

struct ho_pend {
	uint64_t key;
	uint64_t until_ms;		/* the question is open (packets are held) */
	uint64_t stub_until_ms;		/* a header-only copy may still come back */
	uint32_t held;			/* packets held under this question */
};

#define HO_STUB_MEMORY_MS	60000

/* An entry waiting to be sent in the §7 format. */
struct ho_rs {
	uint32_t server, pool4;
	uint16_t port4, port6;
	uint8_t pfx;
	uint8_t client[16];
};

struct nd_ho {
	struct nd_hokeys keys;
	struct nd_hocache cache;
	struct nd_hosrv srv[ND_HO_MAX_SERVERS];
	int head[ND_HO_MAX_SERVERS];
	int n_srv;
	struct nd_hold *hold;
	struct ho_pend pend[HO_PEND];
	uint8_t hkey[16];
	struct nd_ho_counters c;
	char state_path[300];
	bool dirty;
	uint64_t save_ms;
	bool reinject;			/* a returned or released packet is going through */
	double nosyn_bucket;
	uint64_t nosyn_ms;
	struct ho_rs *rs;		/* ring of HO_RESEND_MAX */
	uint32_t rs_head, rs_n;
	double abucket;			/* all announcements, all servers */
	uint64_t abucket_ms;
	uint8_t payload[HO_OUT];
	uint8_t out[HO_OUT + 64];
	uint8_t stub[256];
};

/* ------------------------------------------------------------ servers */

static int
srv_bucket(uint32_t a)
{
	return (int)((a * 2654435761u) >> 22) & (ND_HO_MAX_SERVERS - 1);
}

static struct nd_hosrv *
srv_find(struct nd_ho *ho, uint32_t a)
{
	int i;

	for (i = ho->head[srv_bucket(a)]; i >= 0; i = ho->srv[i].next)
		if (ho->srv[i].addr == a)
			return &ho->srv[i];
	return NULL;
}

static void
srv_unlink(struct nd_ho *ho, int idx)
{
	int *pp = &ho->head[srv_bucket(ho->srv[idx].addr)];

	while (*pp >= 0) {
		if (*pp == idx) {
			*pp = ho->srv[idx].next;
			break;
		}
		pp = &ho->srv[*pp].next;
	}
	ho->srv[idx].used = false;
	ho->n_srv--;
}

static struct nd_hosrv *
srv_add(struct nd_ho *ho, uint32_t a, const struct clk_now *now)
{
	struct nd_hosrv *s = srv_find(ho, a);
	int i, idx = -1, victim = -1;

	if (s)
		return s;
	for (i = 0; i < ND_HO_MAX_SERVERS; i++)
		if (!ho->srv[i].used) {
			idx = i;
			break;
		}
	if (idx < 0) {
		/* Full: forget the least recently seen server, unconfirmed first. */
		for (i = 0; i < ND_HO_MAX_SERVERS; i++) {
			const struct nd_hosrv *c = &ho->srv[i];

			if (victim < 0 ||
			    ((c->flags & ND_HS_SUPPORT) == 0 && (ho->srv[victim].flags & ND_HS_SUPPORT)) ||
			    ((c->flags & ND_HS_SUPPORT) == (ho->srv[victim].flags & ND_HS_SUPPORT) &&
			    c->last_ms < ho->srv[victim].last_ms))
				victim = i;
		}
		if (ho->srv[victim].flags & ND_HS_SUPPORT)
			ho->dirty = true;
		srv_unlink(ho, victim);
		idx = victim;
	}
	s = &ho->srv[idx];
	memset(s, 0, sizeof(*s));
	s->addr = a;
	s->used = true;
	s->last_ms = now->mono_ms;
	s->bucket = 1e12;	/* starts full (clamped to the rate at first use) */
	s->bucket_ms = now->mono_ms;
	s->next = ho->head[srv_bucket(a)];
	ho->head[srv_bucket(a)] = idx;
	ho->n_srv++;
	return s;
}

static bool
srv_confirmed(const struct nd_hosrv *s)
{
	return s && (s->flags & (ND_HS_SUPPORT | ND_HS_DOWN)) == ND_HS_SUPPORT;
}

/* Token bucket for traffic towards a server that has not (or no longer)
 * shown support: announcements, bounces, forwards. */
static bool
srv_take(struct nd_gw *gw, struct nd_hosrv *s, const struct clk_now *now)
{
	double rate = gw->cfg.ho_announce_rate;

	if (rate <= 0)
		return false;
	s->bucket += rate * (double)(now->mono_ms - s->bucket_ms) / 1000.0;
	s->bucket_ms = now->mono_ms;
	if (s->bucket > rate)
		s->bucket = rate;
	if (s->bucket < 1.0)
		return false;
	s->bucket -= 1.0;
	return true;
}

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

static uint64_t
ho_key6(const struct nd_ho *ho, uint32_t server, const uint8_t client[16], uint16_t port6)
{
	return ho_key(ho, '6', server, client, 16, port6);
}

static uint64_t
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
static bool
pend_take(struct nd_ho *ho, uint64_t key, const struct clk_now *now)
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
static void
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

static void
ho_put_auth(struct nd_ho *ho, struct buf_wr *w, uint32_t server, const uint8_t client[16])
{
	uint8_t a[ND_HO_MACLEN];

	nd_ho_auth(ho->keys.auth[0], server, client, a);
	hw_put_blob(w, HW_T_AUTH, a, sizeof(a));
}

static void
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
	nd_gw_send(gw, NULL, ho->out, n, NULL, 0, false);
	ho->c.ctl_tx++;
	s->tx++;
	s->last_ms = now->mono_ms;
}

/* [token, IPv4 UDP server:9 -> pool:9, empty]: a server answers it by
 * returning it with our token. */
static void
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

/* Forward a TCP/UDP packet over the control channel (or hold it while an
 * earlier one of the same flow is being asked about). */
static void
ho_forward(struct nd_gw *gw, struct nd_hosrv *s, uint32_t pool4, uint64_t key, uint8_t *pkt,
    size_t len, struct virtio_net_hdr *vh, bool v6, size_t l4off, uint8_t proto,
    const struct clk_now *now)
{
	struct nd_ho *ho = gw->ho;
	struct buf_wr w;
	bool big;
	struct ho_pend *p;
	const uint8_t *ip = pkt;
	size_t iplen = len;

	if ((p = pend_find(ho, key, now)) != NULL) {
		if (p->held >= HO_HOLD_PER_KEY || nd_hold_put(ho->hold, key, pkt, len, vh, now) == -1)
			ho->c.drop_hold_full++;
		else {
			p->held++;
			ho->c.held++;
		}
		return;
	}
	if (!srv_confirmed(s) && !srv_take(gw, s, now)) {
		ho->c.fwd_limited++;
		return;
	}
	big = nd_gso_is_gso(vh) || len > HO_FWD_MAX;
	if (!big && nd_gso_partial(vh) && !nd_gso_resolve(vh, pkt, len)) {
		ho->c.drop_bad_packet++;
		return;
	}
	if (big) {
		if ((iplen = ho_make_stub(ho, pkt, len, v6, l4off, proto)) == 0) {
			ho->c.drop_bad_packet++;
			return;
		}
		/* The stub must be recognised when it comes back: no record, no stub. */
		if ((p = pend_add(ho, key, true, now->mono_ms + gw->cfg.ho_hold_ms, now)) == NULL)
			return;
		if (nd_hold_put(ho->hold, key, pkt, len, vh, now) == -1) {
			ho->c.drop_hold_full++;
			return;
		}
		p->held++;
		ho->c.held++;
		ip = ho->stub;
		ho->c.fwd_stub++;
	} else
		pend_add(ho, key, false, now->mono_ms + gw->cfg.ho_hold_ms, now);
	/* A server that stops answering is noticed (nd_ho_tick marks it down). */
	if (s->unanswered++ == 0)
		s->asked_ms = now->mono_ms;
	buf_wr_init(&w, ho->payload, sizeof(ho->payload));
	ho_put_token(ho, &w, s->addr);
	if (v6)
		ho_put_auth(ho, &w, s->addr, pkt + 8);
	hw_put_ip(&w, ip, iplen);
	if (v6)
		ho->c.fwd6++;
	else
		ho->c.fwd4++;
	s->fwd++;
	ho_send(gw, s, pool4, &w, now);
}

/* ------------------------------------------------------------ the §7 resend */

struct ho_batch {
	struct buf_wr w;
	struct nd_hosrv *s;
	uint32_t pool4;
	int n;
};

static void
ho_batch_flush(struct nd_gw *gw, struct ho_batch *b, const struct clk_now *now)
{
	if (b->n > 0)
		ho_send(gw, b->s, b->pool4, &b->w, now);
	b->n = 0;
}

/* Add one entry to the §7 packet being built; returns the number of
 * packets sent to make room (0 or 1). */
static int
ho_batch_add(struct nd_gw *gw, struct ho_batch *b, struct nd_hosrv *s, const struct ho_rs *r,
    const struct clk_now *now)
{
	struct nd_ho *ho = gw->ho;
	struct hw_entry e;
	int sent = 0;

	if (b->n > 0 && (b->s != s || b->pool4 != r->pool4 ||
	    b->w.off + 2 + ND_HO_MACLEN + 2 + HW_ENTRY_DATA_LEN > HW_MULTI_MAX_PAYLOAD)) {
		ho_batch_flush(gw, b, now);
		sent = 1;
	}
	if (b->n == 0) {
		buf_wr_init(&b->w, ho->payload, sizeof(ho->payload));
		ho_put_token(ho, &b->w, s->addr);
		hw_put_ident(&b->w);
		b->s = s;
		b->pool4 = r->pool4;
	}
	e.mapped_port = r->port4;
	memcpy(e.prefix, gw->cfg.prefix[r->pfx].addr, 12);
	memcpy(e.client, r->client, 16);
	e.client_port = r->port6;
	ho_put_auth(ho, &b->w, s->addr, r->client);
	hw_put_entry(&b->w, &e);
	b->n++;
	ho->c.resent_entries++;
	return sent;
}

/* Send at most max_pkts §7 packets from the queue. */
static void
ho_rs_drain(struct nd_gw *gw, int max_pkts, const struct clk_now *now)
{
	struct nd_ho *ho = gw->ho;
	struct ho_batch b = { .n = 0 };
	int sent = 0;

	while (ho->rs_n > 0) {
		const struct ho_rs *r = &ho->rs[ho->rs_head];
		struct nd_hosrv *s = srv_find(ho, r->server);

		if (s && srv_confirmed(s)) {
			sent += ho_batch_add(gw, &b, s, r, now);
			if (sent >= max_pkts)
				break;		/* r stays queued: the packet holding it is not sent */
		}
		ho->rs_head = (ho->rs_head + 1) % HO_RESEND_MAX;
		ho->rs_n--;
	}
	if (sent < max_pkts)
		ho_batch_flush(gw, &b, now);
}

static void
ho_rs_push(struct nd_ho *ho, uint32_t server, uint32_t pool4, uint16_t port4, uint8_t pfx,
    const uint8_t client[16], uint16_t port6)
{
	struct ho_rs *r;

	if (ho->rs_n == HO_RESEND_MAX) {
		ho->c.drop_resend_full++;
		return;
	}
	r = &ho->rs[(ho->rs_head + ho->rs_n) % HO_RESEND_MAX];
	r->server = server;
	r->pool4 = pool4;
	r->port4 = port4;
	r->port6 = port6;
	r->pfx = pfx;
	memcpy(r->client, client, 16);
	ho->rs_n++;
	ho->c.resend_queued++;
}

/* Every entry still cached from this server, and every own entry used
 * with it, queued for the §7 format (one authenticator per entry); the
 * first packets leave now, the rest paced by nd_ho_tick. */
static void
ho_resend(struct nd_gw *gw, struct nd_hosrv *s, const struct clk_now *now)
{
	struct nd_ho *ho = gw->ho;
	const struct nd_hoent *e;
	uint32_t i;

	for (e = ho->cache.lru.lnext; e != &ho->cache.lru; e = e->lnext)
		if (e->server == s->addr)
			ho_rs_push(ho, s->addr, e->pool4, e->port4, e->pfx, e->client, e->port6);
	for (i = 0; i <= gw->st.bmask; i++) {
		const struct nd_bib *bb;

		for (bb = gw->st.h6[i]; bb; bb = bb->next6) {
			const struct nd_session *ss;

			if (bb->owner != ND_OWN_LOCAL || bb->proto == ND_PROTO_ICMP)
				continue;
			for (ss = bb->sessions; ss; ss = ss->bnext)
				if (ss->raddr == s->addr)
					break;
			if (!ss || ss->pfx >= gw->cfg.n_prefix || gw->cfg.prefix[ss->pfx].len != 96)
				continue;
			ho_rs_push(ho, s->addr, bb->v4, bb->port4, ss->pfx, bb->v6, bb->port6);
		}
	}
	ho_rs_drain(gw, HO_RESEND_BURST, now);
}

static void ho_save(struct nd_gw *gw, const struct clk_now *now);

/* A valid control packet came from this server. */
static struct nd_hosrv *
srv_confirm(struct nd_gw *gw, uint32_t a, const struct clk_now *now)
{
	struct nd_ho *ho = gw->ho;
	struct nd_hosrv *s = srv_add(ho, a, now);
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

/* ------------------------------------------------------------ lifecycle */

static int64_t
ho_wall(const struct clk_now *now)
{
	return (int64_t)now->wall.tv_sec;
}

static bool
ho_port_busy(void *arg, uint32_t v4, uint16_t port)
{
	struct nd_ho *ho = arg;

	return nd_hoc_port_used(&ho->cache, v4, port);
}

struct nd_ho *
nd_ho_new(struct nd_gw *gw, const struct clk_now *now, char *err, size_t errlen)
{
	struct nd_ho *ho = xcalloc(1, sizeof(*ho));
	uint32_t servers[ND_HO_MAX_SERVERS];

	ho->rs = xcalloc(HO_RESEND_MAX, sizeof(*ho->rs));
	ho->abucket = 1e12;
	ho->abucket_ms = now->mono_ms;
	int i, n = 0, r;

	for (i = 0; i < ND_HO_MAX_SERVERS; i++)
		ho->head[i] = -1;
	randombytes_buf(ho->hkey, sizeof(ho->hkey));
	nd_hoc_init(&ho->cache, gw->cfg.ho_cache_max, gw->cfg.ho_cache_ms);
	ho->hold = nd_hold_new(HO_HOLD_PKTS, HO_HOLD_BYTES, gw->cfg.ho_hold_ms);
	ho->nosyn_ms = now->mono_ms;
	err[0] = '\0';
	if (gw->cfg.state_dir[0]) {
		snprintf(ho->state_path, sizeof(ho->state_path), "%s/handoff.state", gw->cfg.state_dir);
		r = nd_hostate_load(ho->state_path, ho_wall(now), &ho->keys, servers,
		    ND_HO_MAX_SERVERS, &n, err, errlen);
		if (r == -1) {
			nd_hoc_free(&ho->cache);
			nd_hold_free(ho->hold);
			free(ho->rs);
			free(ho);
			return NULL;
		}
		ho->dirty = true;	/* written at the first tick: proves the directory works */
	} else
		nd_hokeys_fresh(&ho->keys, ho_wall(now));
	gw->ho = ho;
	for (i = 0; i < n; i++)
		srv_add(ho, servers[i], now)->flags = ND_HS_SUPPORT;
	/* Own mappings keep off the ports servers handed out, and a client
	 * endpoint has one port for TCP and UDP (an entry has no protocol). */
	gw->st.port_busy = ho_port_busy;
	gw->st.port_busy_arg = ho;
	gw->st.joint_ports = true;
	return ho;
}

void
nd_ho_free(struct nd_ho *ho)
{
	if (!ho)
		return;
	nd_hoc_free(&ho->cache);
	nd_hold_free(ho->hold);
	sodium_memzero(&ho->keys, sizeof(ho->keys));
	free(ho->rs);
	free(ho);
}

void
nd_ho_reconfig(struct nd_gw *gw)
{
	gw->ho->cache.timeout_ms = gw->cfg.ho_cache_ms;
	gw->ho->cache.max = gw->cfg.ho_cache_max;
}

struct nd_hocache *
nd_ho_cache(struct nd_gw *gw)
{
	return &gw->ho->cache;
}

const struct nd_ho_counters *
nd_ho_counters(const struct nd_gw *gw)
{
	return &gw->ho->c;
}

const struct nd_hosrv *
nd_ho_server(const struct nd_gw *gw, uint32_t addr)
{
	return srv_find(gw->ho, addr);
}

/* ------------------------------------------------------------ §8, IPv6 side */

enum nd_ho_verdict
nd_ho_in6(struct nd_gw *gw, uint8_t *pkt, size_t len, struct virtio_net_hdr *vh,
    const struct nd_p6 *in, int pfx, uint32_t dst4, uint8_t proto4, uint16_t sport,
    const uint8_t *l4, struct nd_hoent **e, const struct clk_now *now)
{
	struct nd_ho *ho = gw->ho;
	struct nd_hosrv *s;
	struct nd_bib *b;
	uint32_t pool4;

	if (nd_state_is_pool4(&gw->st, dst4) || gw->cfg.prefix[pfx].len != 96)
		return ND_HO_PASS;	/* hairpin, or a prefix an entry cannot carry */
	pool4 = nd_state_pool_for(&gw->st, pkt + 8);
	if (proto4 == ND_PROTO_ICMP) {
		struct buf_wr w;

		/* §8: not TCP/UDP -> over the control channel, to a server that speaks it. */
		s = srv_find(ho, dst4);
		if (l4[0] != 128 || !srv_confirmed(s) || len > HO_FWD_MAX)
			return ND_HO_PASS;
		if (ho->reinject) {
			ho->c.drop_returned_loop++;
			return ND_HO_TAKEN;
		}
		buf_wr_init(&w, ho->payload, sizeof(ho->payload));
		ho_put_token(ho, &w, dst4);
		ho_put_auth(ho, &w, dst4, pkt + 8);
		hw_put_ip(&w, pkt, len);
		ho->c.fwd_echo6++;
		ho_send(gw, s, pool4, &w, now);
		return ND_HO_TAKEN;
	}
	if ((*e = nd_hoc_find6(&ho->cache, dst4, pkt + 8, sport)) != NULL) {
		nd_hoc_touch(&ho->cache, *e, now);
		ho->c.cache_hit6++;
		return ND_HO_CACHED;
	}
	b = nd_bib_find6(&gw->st, proto4, pkt + 8, sport);
	if (b && nd_bib_used_with(b, dst4))
		return ND_HO_PASS;
	if (ho->reinject) {
		ho->c.drop_returned_loop++;
		return ND_HO_TAKEN;
	}
	s = srv_find(ho, dst4);
	if (srv_confirmed(s)) {
		ho_forward(gw, s, pool4, ho_key6(ho, dst4, pkt + 8, sport), pkt, len, vh, true,
		    in->l4off, proto4, now);
		return ND_HO_TAKEN;
	}
	if (proto4 == ND_PROTO_TCP && !(l4[13] & 0x02)) {
		/* A segment of a connection nobody here knows (nat64d restarted,
		 * or its cache and state expired): a standard NAT64 drops it;
		 * asking the server can only help. Rate-limited. */
		double r = HO_NOSYN_RATE;

		ho->nosyn_bucket += r * (double)(now->mono_ms - ho->nosyn_ms) / 1000.0;
		ho->nosyn_ms = now->mono_ms;
		if (ho->nosyn_bucket > r)
			ho->nosyn_bucket = r;
		if (ho->nosyn_bucket < 1.0) {
			ho->c.fwd_limited++;
			return ND_HO_TAKEN;
		}
		ho->nosyn_bucket -= 1.0;
		s = srv_add(ho, dst4, now);
		ho_forward(gw, s, pool4, ho_key6(ho, dst4, pkt + 8, sport), pkt, len, vh, true,
		    in->l4off, proto4, now);
		return ND_HO_TAKEN;
	}
	return ND_HO_PASS;
}

/* All servers together: ten times one server's rate (a client scanning
 * many hosts must not make the pool addresses a UDP/6464 scanner). */
static bool
ho_global_take(struct nd_gw *gw, const struct clk_now *now)
{
	struct nd_ho *ho = gw->ho;
	double rate = 10.0 * gw->cfg.ho_announce_rate;

	ho->abucket += rate * (double)(now->mono_ms - ho->abucket_ms) / 1000.0;
	ho->abucket_ms = now->mono_ms;
	if (ho->abucket > rate)
		ho->abucket = rate;
	if (ho->abucket < 1.0)
		return false;
	ho->abucket -= 1.0;
	return true;
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
	s = srv_add(ho, server, now);
	if (!srv_take(gw, s, now) || !ho_global_take(gw, now)) {
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
nd_ho_in4(struct nd_gw *gw, uint8_t *pkt, size_t len, struct virtio_net_hdr *vh,
    const struct nd_p4 *in, uint16_t sport, uint16_t dport, const uint8_t *l4,
    struct nd_hoent **e, const struct clk_now *now)
{
	struct nd_ho *ho = gw->ho;
	struct nd_hosrv *s;
	struct nd_bib *b;

	(void)l4;
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
	if (ho->reinject) {
		ho->c.drop_returned_loop++;
		return ND_HO_TAKEN;
	}
	/* Only servers we have talked to can hold entries for us: anything
	 * else is plain NAT64 traffic (and no reflector for spoofed packets). */
	if ((s = srv_find(ho, in->src)) == NULL)
		return ND_HO_PASS;
	if (b && !(s->flags & ND_HS_SUPPORT))
		return ND_HO_PASS;	/* §8 leaves the choice: translate */
	if (in->proto == ND_PROTO_UDP && sport == gw->cfg.ho_port && dport == HW_DISCARD_PORT) {
		/* §9: a validation packet. Return it whole, then probe. */
		struct buf_wr w;

		if (!srv_take(gw, s, now)) {
			ho->c.fwd_limited++;
			return ND_HO_TAKEN;
		}
		if (len > HO_FWD_MAX || nd_gso_is_gso(vh)) {
			ho->c.drop_bad_packet++;
			return ND_HO_TAKEN;
		}
		buf_wr_init(&w, ho->payload, sizeof(ho->payload));
		ho_put_token(ho, &w, s->addr);
		hw_put_ip(&w, pkt, len);
		ho->c.bounced++;
		ho_send(gw, s, in->dst, &w, now);
		if (!srv_confirmed(s))
			ho_probe(gw, s, in->dst, now);
		return ND_HO_TAKEN;
	}
	ho_forward(gw, s, in->dst, ho_key4(ho, in->src, in->dst, dport), pkt, len, vh, false,
	    in->ihl, in->proto, now);
	return ND_HO_TAKEN;
}

/* ------------------------------------------------------------ server -> NAT64 */

static void
ho_refeed(void *arg, uint64_t key, uint8_t *pkt, size_t len, struct virtio_net_hdr *vh,
    const struct clk_now *now)
{
	struct nd_gw *gw = arg;
	bool was = gw->ho->reinject;

	(void)key;
	gw->ho->c.released++;
	gw->ho->reinject = true;
	nd_gw_input(gw, pkt, len, vh, now);
	gw->ho->reinject = was;
}

static void
ho_reinject(struct nd_gw *gw, uint8_t *pkt, size_t len, const struct clk_now *now)
{
	bool was = gw->ho->reinject;

	gw->ho->c.reinjected++;
	gw->ho->reinject = true;
	nd_gw_input(gw, pkt, len, NULL, now);
	gw->ho->reinject = was;
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
ho_ctl_entry(struct nd_gw *gw, uint8_t *base, const uint8_t *payload,
    const struct hw_packet *hp, uint32_t server, uint32_t pool4, const struct clk_now *now)
{
	struct nd_ho *ho = gw->ho;
	const struct hw_entry *en = &hp->entries[0];
	uint64_t k6, k4;
	bool stub6, stub4;
	int pfx;

	if (!nd_hokeys_auth_ok(&ho->keys, server, en->client, hp->auth.p, hp->auth.len)) {
		ho->c.drop_bad_auth++;
		return;
	}
	/* Authentic: the server is alive, whatever we make of the entry. */
	srv_confirm(gw, server, now);
	/* §10's port rules, and our control port. */
	if ((pfx = ho_prefix96(gw, en->prefix)) < 0 || en->mapped_port < 1024 ||
	    en->mapped_port == HW_TEREDO_PORT || en->mapped_port == gw->cfg.ho_port ||
	    en->mapped_port == gw->cfg.ho_ctl_port) {
		ho->c.drop_bad_entry++;
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
			struct nd_session *ss, *nx;

			if (!b || (b->port6 == en->client_port && !memcmp(b->v6, en->client, 16)))
				continue;
			for (ss = b->sessions; ss; ss = nx) {
				nx = ss->bnext;
				if (ss->raddr == server) {
					/* (b goes with its last session) */
					nd_session_delete(&gw->st, ss, now);
					ho->c.own_sessions_displaced++;
				}
			}
		}
	}
	nd_hoc_put(&ho->cache, server, pool4, en->mapped_port, en->client, en->client_port,
	    (uint8_t)pfx, now);
	ho->c.entries_cached++;
	k6 = ho_key6(ho, server, en->client, en->client_port);
	k4 = ho_key4(ho, server, pool4, en->mapped_port);
	stub6 = pend_take(ho, k6, now);
	stub4 = pend_take(ho, k4, now);
	if (hp->ip_version == 6 && hp->ip.len >= ND_IP6_HLEN) {
		uint8_t *ip = base + (hp->ip.p - payload);

		if (!memcmp(ip + 8, en->client, 16) && ho_is_server6(gw, ip + 24, server)) {
			/* Only TCP/UDP goes back in: anything else could loop or be
			 * an ICMP error aimed at a third party. */
			if (stub6)
				ho->c.stub_answers++;
			else if (ip[6] == ND_PROTO_TCP || ip[6] == ND_PROTO_UDP)
				ho_reinject(gw, ip, hp->ip.len, now);
			else
				ho->c.drop_bad_packet++;
		} else if (!memcmp(ip + 24, en->client, 16) && ho_is_server6(gw, ip + 8, server)) {
			ho->c.delivered6++;
			nd_gw_send(gw, NULL, ip, hp->ip.len, NULL, 0, true);
		} else
			ho->c.drop_bad_packet++;
	} else if (hp->ip_version == 4 && hp->ip.len >= ND_IP4_HLEN) {
		uint8_t *ip = base + (hp->ip.p - payload);
		uint32_t s4 = be32_load(ip + 12), d4 = be32_load(ip + 16);

		if (s4 == server && d4 == pool4) {
			if (stub4)
				ho->c.stub_answers++;
			else if (ip[9] == ND_PROTO_TCP || ip[9] == ND_PROTO_UDP)
				ho_reinject(gw, ip, hp->ip.len, now);
			else
				ho->c.drop_bad_packet++;
		} else if (s4 == pool4 && d4 == server) {
			ho->c.delivered4++;
			nd_gw_send(gw, NULL, ip, hp->ip.len, NULL, 0, false);
		} else
			ho->c.drop_bad_packet++;
	}
	/* What waited for this entry goes through now, oldest first. */
	if (nd_hold_count(ho->hold)) {
		nd_hold_release(ho->hold, k6, ho_refeed, gw, now);
		nd_hold_release(ho->hold, k4, ho_refeed, gw, now);
	}
}

void
nd_ho_control_in(struct nd_gw *gw, uint8_t *pkt, const struct nd_p4 *in,
    struct virtio_net_hdr *vh, const struct clk_now *now)
{
	struct nd_ho *ho = gw->ho;
	uint8_t *udp = pkt + in->ihl, *payload;
	size_t ulen = in->len - in->ihl, plen;
	struct hw_packet hp;
	uint32_t server = in->src, pool4 = in->dst;
	enum hw_err e;

	ho->c.ctl_rx++;
	if (ho->reinject) {		/* a control packet inside a control packet */
		ho->c.drop_returned_loop++;
		return;
	}
	if (nd_p4_isfrag(in)) {		/* never sent so by us or nat64-handoffd */
		ho->c.drop_ctl_fragment++;
		return;
	}
	if (be16_load(udp + 4) < 8 || be16_load(udp + 4) > ulen) {
		ho->c.drop_bad_packet++;
		return;
	}
	ulen = be16_load(udp + 4);
	if (nd_gso_is_gso(vh)) {
		ho->c.drop_bad_packet++;
		return;
	}
	/* A checksum left to offload (local veth) is computed, not verified. */
	if (nd_gso_partial(vh)) {
		if (!nd_gso_resolve(vh, pkt, in->len)) {
			ho->c.drop_ctl_csum++;
			return;
		}
	} else if (be16_load(udp + 6) != 0) {
		uint32_t sum = nd_sum4(in->src) + nd_sum4(in->dst) + ND_PROTO_UDP + (uint32_t)ulen;

		if (cksum_finish(cksum_add(sum, udp, ulen)) != 0) {
			ho->c.drop_ctl_csum++;
			return;
		}
	}
	payload = udp + 8;
	plen = ulen - 8;
	if ((e = hw_parse(payload, plen, &hp)) != HW_OK || (e = hw_check_to_nat64(&hp)) != HW_OK) {
		ho->c.drop_wire++;
		return;
	}
	if (hp.n_entries > 0) {
		ho_ctl_entry(gw, payload, payload, &hp, server, pool4, now);
		return;
	}
	if (hp.ip_version == 6 && hw_has(&hp, HW_T_AUTH)) {
		/* Pattern 2: an IPv6 packet after translation, for a client. */
		uint8_t *ip = payload + (hp.ip.p - payload);

		if (hp.ip.len < ND_IP6_HLEN || !ho_is_server6(gw, ip + 8, server)) {
			ho->c.drop_bad_packet++;
			return;
		}
		if (!nd_hokeys_auth_ok(&ho->keys, server, ip + 24, hp.auth.p, hp.auth.len)) {
			ho->c.drop_bad_auth++;
			return;
		}
		srv_confirm(gw, server, now);
		ho->c.delivered6++;
		nd_gw_send(gw, NULL, ip, hp.ip.len, NULL, 0, true);
		return;
	}
	if (hp.ip_version == 4 && hw_has(&hp, HW_T_TOKEN)) {
		/* Pattern 1: token + an IPv4 packet. */
		uint8_t *ip = payload + (hp.ip.p - payload);
		uint32_t s4, d4;

		if (!nd_hokeys_token_ok(&ho->keys, server, hp.token.p, hp.token.len)) {
			ho->c.drop_bad_token++;
			return;
		}
		if (hp.ip.len < ND_IP4_HLEN) {
			ho->c.drop_bad_packet++;
			return;
		}
		srv_confirm(gw, server, now);
		s4 = be32_load(ip + 12);
		d4 = be32_load(ip + 16);
		if (s4 == pool4 && d4 == server) {
			/* After translation (e.g. the server's ICMP error to itself). */
			ho->c.delivered4++;
			nd_gw_send(gw, NULL, ip, hp.ip.len, NULL, 0, false);
		} else if (s4 == server && d4 == pool4) {
			struct ippkt4 p;

			if (ippkt_parse4(ip, hp.ip.len, &p) && p.proto == ND_PROTO_UDP &&
			    p.l4_len >= 8 && p.sport == HW_DISCARD_PORT && p.dport == HW_DISCARD_PORT) {
				ho->c.probe_answers++;
				return;
			}
			/* Returned: the server has no entry for it either. */
			ho->c.returned++;
			if (ippkt_parse4(ip, hp.ip.len, &p) && p.l4_len >= 4 &&
			    (p.proto == ND_PROTO_TCP || p.proto == ND_PROTO_UDP)) {
				uint64_t k4 = ho_key4(ho, server, pool4, p.dport);

				pend_take(ho, k4, now);
				ho->c.drop_returned_held += nd_hold_release(ho->hold, k4, NULL, NULL, now);
			}
		} else
			ho->c.drop_bad_packet++;
		return;
	}
	ho->c.drop_wire++;
}

/* ------------------------------------------------------------ ICMP about control packets */

static void
ho_mark_down(struct nd_gw *gw, struct nd_hosrv *s, const struct clk_now *now)
{
	s->flags |= ND_HS_DOWN;
	s->downs++;
	s->unanswered = 0;
	s->probe_iv = gw->cfg.ho_probe_ms;
	s->probe_ms = now->mono_ms + s->probe_iv;
	gw->ho->c.server_down++;
}

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
	s = srv_find(ho, from);
	if (srv_confirmed(s))
		ho_mark_down(gw, s, now);
	return true;
}

/* ------------------------------------------------------------ timers, state, status */

static void
ho_save(struct nd_gw *gw, const struct clk_now *now)
{
	struct nd_ho *ho = gw->ho;
	uint32_t list[ND_HO_MAX_SERVERS];
	int i, n = 0;
	char err[256];

	for (i = 0; i < ND_HO_MAX_SERVERS; i++)
		if (ho->srv[i].used && (ho->srv[i].flags & ND_HS_SUPPORT))
			list[n++] = ho->srv[i].addr;
	if (nd_hostate_save(ho->state_path, &ho->keys, list, n, err, sizeof(err)) == -1) {
		uint64_t f = ++ho->c.drop_state_save;

		/* Logged, not only counted: at the 1st, 2nd, 4th, 8th... failure. */
		if ((f & (f - 1)) == 0)
			log_warnx("handoff state not saved (%" PRIu64 " failure%s): %s", f,
			    f == 1 ? "" : "s", err);
	} else
		ho->c.state_saves++;
	ho->dirty = false;
	ho->save_ms = now->mono_ms + 1000;
}

void
nd_ho_flush_state(struct nd_gw *gw, const struct clk_now *now)
{
	if (gw->ho && gw->ho->state_path[0] && gw->ho->dirty)
		ho_save(gw, now);
}

int64_t
nd_ho_tick(struct nd_gw *gw, const struct clk_now *now)
{
	struct nd_ho *ho = gw->ho;
	uint64_t next;
	int i;

	nd_hoc_expire(&ho->cache, now, &next);
	ho->c.hold_expired += nd_hold_expire(ho->hold, now, NULL, NULL);
	for (i = 0; i < ND_HO_MAX_SERVERS; i++) {
		struct nd_hosrv *s = &ho->srv[i];

		if (!s->used)
			continue;
		/* Questions unanswered for twice the hold time: the server is
		 * silent (firewalled, hung). Down, as for a port unreachable. */
		if (srv_confirmed(s) && s->unanswered >= HO_SILENT_QUESTIONS &&
		    now->mono_ms - s->asked_ms > 2 * gw->cfg.ho_hold_ms) {
			ho_mark_down(gw, s, now);
			ho->c.server_silent++;
		}
		if (!(s->flags & ND_HS_DOWN) || now->mono_ms < s->probe_ms)
			continue;
		ho_probe(gw, s, gw->cfg.pool4[0], now);
		if (s->probe_iv < gw->cfg.ho_probe_ms * 64)
			s->probe_iv *= 2;
		s->probe_ms = now->mono_ms + s->probe_iv;
	}
	if (nd_hokeys_rotate(&ho->keys, ho_wall(now), (int64_t)(gw->cfg.ho_token_life_ms / 1000),
	    (int64_t)(gw->cfg.ho_auth_life_ms / 1000)))
		ho->dirty = true;
	if (ho->dirty && ho->state_path[0] && now->mono_ms >= ho->save_ms)
		ho_save(gw, now);
	if (ho->rs_n > 0)
		ho_rs_drain(gw, HO_RESEND_TICK, now);
	if (ho->rs_n > 0 && (next == UINT64_MAX || next > now->mono_ms + 100))
		return 100;
	if (next == UINT64_MAX || next > now->mono_ms + 1000)
		return 1000;
	return (int64_t)(next - now->mono_ms);
}

size_t
nd_ho_status(const struct nd_gw *gw, char *buf, size_t len)
{
	const struct nd_ho *ho = gw->ho;
	uint32_t *cached = xcalloc(ND_HO_MAX_SERVERS, sizeof(*cached));
	const struct nd_hoent *e;
	size_t n = 0;
	int i, r;

#define HO_P(...) do { r = snprintf(buf + n, n < len ? len - n : 0, __VA_ARGS__); \
	if (r > 0) n += (size_t)r; } while (0)
#define HO_X(f) HO_P("handoff_%s %llu\n", #f, (unsigned long long)ho->c.f);
	ND_HO_COUNTERS(HO_X)
#undef HO_X
	HO_P("handoff_cache_entries %u\nhandoff_cache_expired %llu\nhandoff_cache_evicted %llu\n",
	    ho->cache.n, (unsigned long long)ho->cache.expired, (unsigned long long)ho->cache.evicted);
	HO_P("handoff_held_now %zu\nhandoff_servers %d\n", nd_hold_count(ho->hold), ho->n_srv);
	for (e = ho->cache.lru.lnext; e != &ho->cache.lru; e = e->lnext) {
		const struct nd_hosrv *s = srv_find((struct nd_ho *)ho, e->server);

		if (s)
			cached[s - ho->srv]++;
	}
	for (i = 0; i < ND_HO_MAX_SERVERS; i++) {
		const struct nd_hosrv *s = &ho->srv[i];
		char a[ADDR_STRLEN];

		if (!s->used)
			continue;
		HO_P("handoff_server %s %s cached=%u rx=%llu tx=%llu announced=%llu fwd=%llu downs=%llu\n",
		    addr_fmt4(s->addr, a, sizeof(a)),
		    (s->flags & ND_HS_DOWN) ? "down" : (s->flags & ND_HS_SUPPORT) ? "supported" : "unknown",
		    cached[i], (unsigned long long)s->rx, (unsigned long long)s->tx,
		    (unsigned long long)s->announced, (unsigned long long)s->fwd,
		    (unsigned long long)s->downs);
	}
#undef HO_P
	free(cached);
	return n;
}
