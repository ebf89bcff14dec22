/* horesend.c — handoff: the §7 resend. When a server is (again) known
 * to speak the protocol, every entry still cached from it and every own
 * entry used with it is queued and sent in the §7 format, a burst at
 * once and the rest paced by nd_ho_tick; see nd_ho_int.h. */
#include "nd_ho_int.h"

#include <string.h>

#include "nd_state.h"

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
void
ho_rs_drain(struct nd_gw *gw, int max_pkts, const struct clk_now *now)
{
	struct nd_ho *ho = gw->ho;
	struct ho_batch b = { .n = 0 };
	int sent = 0;

	while (ho->rs_n > 0) {
		const struct ho_rs *r = &ho->rs[ho->rs_head];
		struct nd_hosrv *s = ho_srv_find(ho, r->server);

		if (s && ho_srv_confirmed(s)) {
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
void
ho_resend(struct nd_gw *gw, struct nd_hosrv *s, const struct clk_now *now)
{
	struct nd_ho *ho = gw->ho;
	const struct nd_hoent *e;
	const struct nd_bib *bb;
	struct nd_bib_iter it;

	for (e = nd_hoc_next(&ho->cache, NULL); e; e = nd_hoc_next(&ho->cache, e))
		if (e->server == s->addr)
			ho_rs_push(ho, s->addr, e->pool4, e->port4, e->pfx, e->client, e->port6);
	nd_bib_iter_init(&it);
	while ((bb = nd_bib_next(&gw->st, &it)) != NULL) {
		const struct nd_session *ss;

		if (bb->owner != ND_OWN_LOCAL || bb->proto == ND_PROTO_ICMP)
			continue;
		ss = nd_bib_session_with(bb, s->addr);
		if (!ss || ss->pfx >= gw->cfg.n_prefix || gw->cfg.prefix[ss->pfx].len != 96)
			continue;
		ho_rs_push(ho, s->addr, bb->v4, bb->port4, ss->pfx, bb->v6, bb->port6);
	}
	ho_rs_drain(gw, HO_RESEND_BURST, now);
}
