/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* hosrv.c — handoff: the per-server table (unknown, supported, down), the
 * rate of traffic towards servers that have not shown support, and the
 * writes of the state file; see nd_ho_int.h. */
#include "nd_ho_int.h"
#include "addr.h"
#include "log.h"

#include <inttypes.h>
#include <string.h>

struct nd_hosrv *
ho_srv_find(struct nd_ho *ho, uint32_t a)
{
	uint64_t h = htab_hash(&ho->srvs, &a, sizeof(a));
	struct htab_node *n;

	for (n = htab_first(&ho->srvs, h); n; n = htab_next(n, h))
		if (htab_entry(n, struct nd_hosrv, hn)->addr == a)
			return htab_entry(n, struct nd_hosrv, hn);
	return NULL;
}

static void
ho_srv_unlink(struct nd_ho *ho, int idx)
{
	htab_remove(&ho->srvs, &ho->srv[idx].hn);
	ho->srv[idx].used = false;
	ho->n_srv--;
}

struct nd_hosrv *
ho_srv_add(struct nd_ho *ho, uint32_t a, const struct clk_now *now)
{
	struct nd_hosrv *s = ho_srv_find(ho, a);
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
		ho_srv_unlink(ho, victim);
		idx = victim;
	}
	s = &ho->srv[idx];
	memset(s, 0, sizeof(*s));
	s->addr = a;
	s->used = true;
	s->last_ms = now->mono_ms;
	tb_init(&s->bucket, 1e12, now->mono_ms);	/* full (clamped to the rate at first use) */
	tb_init(&s->icmp, 1e12, now->mono_ms);
	htab_insert(&ho->srvs, &s->hn, htab_hash(&ho->srvs, &a, sizeof(a)));
	ho->n_srv++;
	return s;
}

bool
ho_srv_confirmed(const struct nd_hosrv *s)
{
	return s && (s->flags & (ND_HS_SUPPORT | ND_HS_DOWN)) == ND_HS_SUPPORT;
}

bool
ho_srv_take(struct nd_gw *gw, struct nd_hosrv *s, const struct clk_now *now)
{
	double rate = gw->cfg.ho_announce_rate;

	return tb_take(&s->bucket, rate, rate, now->mono_ms);
}

void
ho_srv_mark_down(struct nd_gw *gw, struct nd_hosrv *s, const struct clk_now *now)
{
	char sa[ADDR_STRLEN];

	log_debug("handoff server %s down (port unreachable for a control packet); probing "
	    "every %llu ms at first", addr_fmt4(s->addr, sa, sizeof(sa)),
	    (unsigned long long)gw->cfg.ho_probe_ms);
	s->flags |= ND_HS_DOWN;
	s->downs++;
	s->unanswered = 0;
	s->probe_iv = gw->cfg.ho_probe_ms;
	s->probe_ms = now->mono_ms + s->probe_iv;
	gw->ho->c.server_down++;
}

void
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
			log_errx("handoff state not saved (%" PRIu64 " failure%s): %s", f,
			    f == 1 ? "" : "s", err);
	} else
		ho->c.state_saves++;
	ho->dirty = false;
	ho->save_ms = now->mono_ms + 1000;
}
