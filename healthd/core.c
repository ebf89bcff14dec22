/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* core.c — see hd_core.h. */
#include "hd_core.h"
#include "addr.h"
#include "log.h"
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct hd_core {
	struct hd_core_cfg cfg;
	struct hd_prober *prober;
	struct hd_apply *apply;
	struct hd_pstate *v;
	size_t n;
	uint64_t next_uid;
	uint64_t rng;
	uint64_t start_ms;
	bool started;		/* first selection made */
	bool dirty;		/* health changed: reconsider selection */
	bool degraded;		/* the last selection had fewer than min healthy */
	uint64_t sel_changes;
	uint64_t events;		/* health transitions + selection changes */
	uint64_t trans_since_ms;	/* some prefix changing since (0: none) */
	struct hd_strv want;		/* the last set given to apply, in order */
	struct hd_event ring[HD_EV_RING];
	size_t ev_head, ev_n;
	uint64_t ev_dropped;
};

static void
hd_core_want_text(const struct hd_core *c, char *buf, size_t len)
{
	size_t i, off = 0;

	buf[0] = '\0';
	for (i = 0; i < c->want.n && off < len; i++) {
		int w = snprintf(buf + off, len - off, "%s%s", i ? " " : "", c->want.v[i]);

		off += w > 0 ? (size_t)w : 0;
	}
}

static void
hd_core_event(struct hd_core *c, enum hd_ev_kind kind, const struct hd_pstate *ps,
    const struct clk_now *now)
{
	struct hd_event *e;

	if (c->ev_n == HD_EV_RING) {	/* full: the oldest goes */
		c->ev_head = (c->ev_head + 1) % HD_EV_RING;
		c->ev_n--;
		c->ev_dropped++;
	}
	e = &c->ring[(c->ev_head + c->ev_n++) % HD_EV_RING];
	memset(e, 0, sizeof(*e));
	e->kind = kind;
	e->wall = now->wall;
	if (ps) {
		snprintf(e->prefix, sizeof(e->prefix), "%s", ps->text);
		if (kind == HD_EV_DOWN)
			snprintf(e->why, sizeof(e->why), "%s", ps->last_why);
	}
	hd_core_want_text(c, e->set, sizeof(e->set));
}

size_t
hd_core_take_events(struct hd_core *c, struct hd_event *out, size_t max)
{
	size_t k = 0;

	while (k < max && c->ev_n > 0) {
		out[k++] = c->ring[c->ev_head];
		c->ev_head = (c->ev_head + 1) % HD_EV_RING;
		c->ev_n--;
	}
	return k;
}

/* xorshift64*: deterministic jitter for tests, seeded from the clock in
 * the daemon. */
static uint64_t
hd_rand(struct hd_core *c)
{
	c->rng ^= c->rng >> 12;
	c->rng ^= c->rng << 25;
	c->rng ^= c->rng >> 27;
	return c->rng * 2685821657736338717ULL;
}

/* How long a selection change may wait for other changes to settle. */
static uint64_t
hd_core_settle_ms(const struct hd_core_cfg *cfg)
{
	uint64_t f = cfg->fast_interval_ms ? cfg->fast_interval_ms : cfg->interval_ms;

	if (f < cfg->timeout_ms)
		f = cfg->timeout_ms;
	return (cfg->health.rise + cfg->health.fall) * f + cfg->timeout_ms;
}

/* Up but failing, or down (hold-down or not) but answering. */
static bool
hd_changing(const struct hd_pstate *ps)
{
	return ps->h.state == HD_UP ? ps->h.fail_run > 0 : ps->h.ok_run > 0;
}

/* Some prefix is changing and the settle bound has not passed. */
static bool
hd_core_unsettled(const struct hd_core *c, const struct clk_now *now)
{
	return c->trans_since_ms && now->mono_ms < c->trans_since_ms + hd_core_settle_ms(&c->cfg);
}

static uint64_t
hd_jittered(struct hd_core *c)
{
	uint64_t iv = c->cfg.interval_ms, span = iv * c->cfg.jitter_pct / 100;

	if (span == 0)
		return iv;
	return iv - span + hd_rand(c) % (2 * span + 1);
}

struct hd_core *
hd_core_create(const struct hd_core_cfg *cfg, struct hd_prober *prober, struct hd_apply *apply,
    const struct clk_now *now)
{
	struct hd_core *c = xcalloc(1, sizeof(*c));

	c->cfg = *cfg;
	if (c->cfg.interval_ms == 0)
		c->cfg.interval_ms = 1000;
	if (c->cfg.timeout_ms == 0)
		c->cfg.timeout_ms = c->cfg.interval_ms;
	if (c->cfg.jitter_pct > 50)
		c->cfg.jitter_pct = 50;
	c->prober = prober;
	c->apply = apply;
	c->rng = cfg->seed ? cfg->seed : 0x9e3779b97f4a7c15ULL;
	c->start_ms = now->mono_ms;
	c->next_uid = 1;
	return c;
}

static void
hd_core_cancel(struct hd_core *c, struct hd_pstate *ps)
{
	size_t t;

	for (t = 0; t < c->cfg.ntargets; t++)
		if (ps->inflight[t]) {
			c->prober->cancel(c->prober, ps->uid << 8 | t);
			ps->inflight[t] = false;
		}
	ps->in_round = false;
}

void
hd_core_destroy(struct hd_core *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->n; i++)
		hd_core_cancel(c, &c->v[i]);
	hd_strv_free(&c->want);
	free(c->v);
	free(c);
}

void
hd_core_set_prefixes(struct hd_core *c, const struct hd_pflist *l, const struct clk_now *now)
{
	struct hd_pstate *nv = xcalloc(l->n ? l->n : 1, sizeof(*nv));
	bool *kept = xcalloc(c->n ? c->n : 1, sizeof(*kept));
	size_t i, j;

	for (i = 0; i < l->n; i++) {
		struct hd_pstate *ps = &nv[i];

		for (j = 0; j < c->n; j++)
			if (!kept[j] && hd_pf_equal(&c->v[j].p, &l->v[i]))
				break;
		if (j < c->n) {
			*ps = c->v[j];
			kept[j] = true;
		} else {
			ps->uid = c->next_uid++;
			hd_health_init(&ps->h, now);
			/* spread the first rounds over one interval */
			ps->next_ms = now->mono_ms + hd_rand(c) % c->cfg.interval_ms;
		}
		ps->p = l->v[i];
		hd_pf_fmt(&ps->p, ps->text, sizeof(ps->text));
	}
	for (j = 0; j < c->n; j++)
		if (!kept[j]) {
			if (c->v[j].selected)
				log_info("prefix %s removed from the prefix file", c->v[j].text);
			hd_core_cancel(c, &c->v[j]);
		}
	free(kept);
	free(c->v);
	c->v = nv;
	c->n = l->n;
	c->dirty = true;
}

static struct hd_pstate *
hd_core_find(struct hd_core *c, uint64_t uid)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (c->v[i].uid == uid)
			return &c->v[i];
	return NULL;
}

/* ps just ended a round (was: changing before it). A prefix that starts
 * changing has every prefix re-checked at the fast interval from now, so
 * prefixes that change together are seen together; the settle window
 * opens at the first change and closes when nothing changes any more. */
static void
hd_core_track_changes(struct hd_core *c, const struct hd_pstate *ps, bool was,
    const struct clk_now *now)
{
	size_t i;
	bool any = false;

	if (c->cfg.fast_interval_ms == 0)
		return;
	if (!was && hd_changing(ps)) {
		/* a round still running starts its next one when it ends; until
		 * a round started after now has ended, its state is not known */
		for (i = 0; i < c->n; i++) {
			if (&c->v[i] == ps)
				continue;
			if (c->v[i].next_ms > now->mono_ms + c->cfg.fast_interval_ms)
				c->v[i].next_ms = now->mono_ms + c->cfg.fast_interval_ms;
			c->v[i].recheck = true;
		}
	}
	for (i = 0; i < c->n && !any; i++)
		any = hd_changing(&c->v[i]) || c->v[i].recheck;
	if (!any) {
		c->trans_since_ms = 0;
		return;
	}
	if (c->trans_since_ms == 0)
		c->trans_since_ms = now->mono_ms;
}

static void
hd_core_round_end(struct hd_core *c, struct hd_pstate *ps, const struct clk_now *now)
{
	bool was = hd_changing(ps), changed;

	ps->in_round = false;
	if (ps->round_fresh)
		ps->recheck = false;
	changed = hd_health_round(&ps->h, &c->cfg.health, ps->nok, (unsigned)c->cfg.ntargets, now);
	if (ps->nok < c->cfg.ntargets || hd_changing(ps))
		log_debug("prefix %s: round with %u of %zu probes ok (%s, %u good, %u failed "
		    "rounds in a row)", ps->text, ps->nok, c->cfg.ntargets,
		    hd_state_name(ps->h.state), ps->h.ok_run, ps->h.fail_run);
	if (changed) {
		char r[16];

		c->events++;
		hd_core_event(c, ps->h.state == HD_UP ? HD_EV_UP : HD_EV_DOWN, ps, now);
		snprintf(r, sizeof(r), "%u.%u%%", hd_health_ratio_pm(&ps->h) / 10,
		    hd_health_ratio_pm(&ps->h) % 10);
		if (ps->h.state == HD_UP)
			log_info("prefix %s is up (%u good rounds)", ps->text,
			    c->cfg.health.rise);
		else
			log_info("prefix %s is down (%u failed rounds, window %s, last: %s; "
			    "hold-down %llu ms)", ps->text, ps->h.fail_run, r,
			    ps->last_why[0] ? ps->last_why : "-",
			    (unsigned long long)ps->h.hold_cur_ms);
	}
	c->dirty = true;
	hd_core_track_changes(c, ps, was, now);
	if (hd_changing(ps) && c->cfg.fast_interval_ms) {
		uint64_t at = ps->round_start_ms + c->cfg.fast_interval_ms;

		if (hd_health_held(&ps->h, now) && ps->h.hold_until_ms > at)
			at = ps->h.hold_until_ms;	/* it can rise then, not before */
		if (at < ps->next_ms)
			ps->next_ms = at;
	}
}

void
hd_core_probe_done(void *arg, uint64_t id, bool ok, uint32_t rtt_us, const char *why,
    const struct clk_now *now)
{
	struct hd_core *c = arg;
	struct hd_pstate *ps = hd_core_find(c, id >> 8);
	size_t t = id & 0xff;

	if (ps == NULL || t >= c->cfg.ntargets || !ps->inflight[t])
		return;		/* stale: prefix removed or probe cancelled */
	ps->inflight[t] = false;
	hd_health_probe(&ps->h, &c->cfg.health, ok, rtt_us);
	if (ok) {
		ps->nok++;
		ps->t_ok[t]++;
	} else {
		ps->t_fail[t]++;
		snprintf(ps->last_why, sizeof(ps->last_why), "%s", why ? why : "failed");
	}
	if (log_getverbose() >= 2) {
		char tt[HD_QNAME_MAX + 64];

		hd_target_fmt(&c->cfg.targets[t], tt, sizeof(tt));
		if (ok)
			log_debug2("prefix %s: %s probe of %s ok in %u us", ps->text,
			    hd_probe_kind_name(c->cfg.targets[t].kind), tt, rtt_us);
		else
			log_debug2("prefix %s: %s probe of %s failed: %s", ps->text,
			    hd_probe_kind_name(c->cfg.targets[t].kind), tt, ps->last_why);
	}
	if (--ps->pending == 0)
		hd_core_round_end(c, ps, now);
}

static void
hd_core_start_round(struct hd_core *c, struct hd_pstate *ps, const struct clk_now *now)
{
	size_t t;

	ps->in_round = true;
	ps->round_fresh = ps->recheck;	/* this round answers the recheck */
	ps->nok = 0;
	ps->pending = (unsigned)c->cfg.ntargets;
	ps->round_start_ms = now->mono_ms;
	ps->next_ms = now->mono_ms + (c->cfg.fast_interval_ms && hd_changing(ps) ?
	    c->cfg.fast_interval_ms : hd_jittered(c));
	for (t = 0; t < c->cfg.ntargets; t++)
		ps->inflight[t] = true;
	for (t = 0; t < c->cfg.ntargets && ps->in_round; t++) {
		struct hd_probe_req req;
		char err[96];

		memset(&req, 0, sizeof(req));
		req.id = ps->uid << 8 | t;
		req.target = &c->cfg.targets[t];
		req.timeout_ms = c->cfg.timeout_ms;
		req.attempts = c->cfg.attempts;
		addr_rfc6052_embed(ps->p.a, ps->p.len, req.target->v4, req.dst);
		err[0] = '\0';
		if (c->prober->start(c->prober, &req, now, err, sizeof(err)) == -1)
			hd_core_probe_done(c, req.id, false, 0, err[0] ? err : "cannot start", now);
	}
}

static bool
hd_core_ready(const struct hd_core *c, const struct clk_now *now)
{
	size_t i;

	if (now->mono_ms - c->start_ms >= c->cfg.startup_ms)
		return true;
	for (i = 0; i < c->n; i++)
		if (c->v[i].h.state != HD_UP && c->v[i].h.rounds < c->cfg.health.rise)
			return false;
	return true;
}

static struct hd_pstate *
hd_core_by_text(struct hd_core *c, const char *text)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (strcmp(c->v[i].text, text) == 0)
			return &c->v[i];
	return NULL;
}

/* With fewer than min healthy, health changes inside the same set only
 * reorder it: keep the order (no COMMAND run) unless a healthy prefix
 * can take the first place from a dead one (single-prefix resolvers use
 * the first). */
static bool
hd_core_keep_order(struct hd_core *c, char *const set[], size_t n)
{
	struct hd_pstate *first;
	size_t i, j, nh = 0;

	if (c->want.n != n || n == 0)
		return false;
	for (i = 0; i < c->n; i++)
		nh += c->v[i].h.state == HD_UP;
	if (nh >= c->cfg.sel.min)
		return false;
	for (i = 0; i < n; i++) {
		for (j = 0; j < n && strcmp(c->want.v[j], set[i]) != 0; j++)
			;
		if (j == n)
			return false;	/* other members */
	}
	first = hd_core_by_text(c, c->want.v[0]);
	return first == NULL || first->h.state == HD_UP ||
	    hd_core_by_text(c, set[0])->h.state != HD_UP;
}

static void
hd_core_select(struct hd_core *c, const struct clk_now *now)
{
	struct hd_sel_in *in;
	bool *out, fresh;
	char **set;
	size_t i, k = 0, nh = 0;

	if (c->n == 0)
		return;
	in = xcalloc(c->n, sizeof(*in));
	out = xcalloc(c->n, sizeof(*out));
	for (i = 0; i < c->n; i++)
		nh += c->v[i].h.state == HD_UP;
	/* enough healthy again after too few: a fresh pick (file order, RTT
	 * margin) in one change, not whatever the outage left */
	fresh = c->degraded && nh >= c->cfg.sel.min;
	c->degraded = nh < c->cfg.sel.min;
	for (i = 0; i < c->n; i++) {
		in[i].healthy = c->v[i].h.state == HD_UP;
		in[i].selected = c->v[i].selected && !fresh;
		in[i].rtt_us = hd_health_rtt_settled_us(&c->v[i].h, &c->cfg.health);
		in[i].ratio_pm = hd_health_ratio_pm(&c->v[i].h);
		in[i].ok_run = c->v[i].h.ok_run;
	}
	if (hd_select(in, c->n, &c->cfg.sel, out) || !c->started || fresh) {
		if (fresh)
			log_info("%zu of %zu prefixes healthy again: selecting afresh", nh, c->n);
		for (i = 0; i < c->n; i++) {
			if (out[i] != c->v[i].selected)
				log_info("prefix %s %s", c->v[i].text,
				    out[i] ? "selected" : "deselected");
			c->v[i].selected = out[i];
		}
		c->sel_changes++;
		c->events++;
		c->started = true;
	}
	/* COMMAND gets the healthy members first (file order), then the
	 * fillers: a single-prefix resolver (Unbound, PowerDNS) takes the
	 * first. Health changes inside an unchanged set reorder it; apply
	 * runs only if the list differs from the last one. */
	set = xcalloc(c->n, sizeof(*set));
	for (i = 0; i < c->n; i++)
		if (c->v[i].selected && c->v[i].h.state == HD_UP)
			set[k++] = c->v[i].text;
	for (i = 0; i < c->n; i++)
		if (c->v[i].selected && c->v[i].h.state != HD_UP)
			set[k++] = c->v[i].text;
	if (!hd_core_keep_order(c, set, k) && k > 0 && !hd_strv_eq(&c->want, set, k)) {
		hd_strv_set(&c->want, set, k);
		hd_core_event(c, HD_EV_SELECTION, NULL, now);
	}
	hd_apply_want(c->apply, c->want.v, c->want.n, now);
	free(set);
	free(in);
	free(out);
}

uint64_t
hd_core_tick(struct hd_core *c, const struct clk_now *now)
{
	uint64_t next = UINT64_MAX, a;
	size_t i;

	for (i = 0; i < c->n; i++) {
		struct hd_pstate *ps = &c->v[i];

		if (!ps->in_round && now->mono_ms >= ps->next_ms)
			hd_core_start_round(c, ps, now);
		/* a round still running at its next slot starts at the
		 * first tick after it ends (the prober enforces the timeout
		 * and main.c ticks again after every report) */
		if (!ps->in_round && ps->next_ms < next)
			next = ps->next_ms;
	}
	if (c->dirty && c->started && hd_core_unsettled(c, now)) {
		/* wait for the other changes (see hd_core.h) */
		a = c->trans_since_ms + hd_core_settle_ms(&c->cfg);
		if (a < next)
			next = a;
	} else if (c->dirty || !c->started) {
		if (c->started || hd_core_ready(c, now)) {
			c->dirty = false;
			hd_core_select(c, now);
		} else if (c->start_ms + c->cfg.startup_ms < next)
			next = c->start_ms + c->cfg.startup_ms;
	}
	a = hd_apply_tick(c->apply, now);
	if (a < next)
		next = a;
	if (next <= now->mono_ms)
		next = now->mono_ms + 1;
	return next;
}

const struct hd_pstate *
hd_core_prefixes(const struct hd_core *c, size_t *n)
{
	*n = c->n;
	return c->v;
}

const struct hd_core_cfg *
hd_core_cfg(const struct hd_core *c)
{
	return &c->cfg;
}

static void
hd_core_restore_up(struct hd_pstate *ps, const struct clk_now *now)
{
	ps->h.state = HD_UP;
	ps->h.proven = true;
	ps->h.since_ms = now->mono_ms;
}

size_t
hd_core_restore(struct hd_core *c, char *const set[], size_t n, char *const up[], size_t nup,
    const struct clk_now *now)
{
	char **keep = xcalloc(n + 1, sizeof(*keep));
	struct hd_pstate *ps;
	size_t i, k = 0;

	for (i = 0; i < nup; i++)
		if ((ps = hd_core_by_text(c, up[i])) != NULL)
			hd_core_restore_up(ps, now);
	for (i = 0; i < n; i++) {
		if ((ps = hd_core_by_text(c, set[i])) == NULL || ps->selected)
			continue;
		ps->selected = true;
		keep[k++] = set[i];
	}
	if (k) {
		hd_strv_set(&c->want, keep, k);
		hd_core_event(c, HD_EV_SELECTION, NULL, now);
		hd_apply_want(c->apply, c->want.v, c->want.n, now);
		c->started = true;
		c->dirty = true;
		c->events++;
	}
	free(keep);
	return k;
}

char *const *
hd_core_wanted(const struct hd_core *c, size_t *n)
{
	*n = c->want.n;
	return c->want.v;
}

bool
hd_core_started(const struct hd_core *c)
{
	return c->started;
}

uint64_t
hd_core_events(const struct hd_core *c)
{
	return c->events;
}
