/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* hd_core.h — the daemon's logic without the OS: the prefix table, probe
 * scheduling with jitter, health, selection and the apply trigger.
 *
 * Rounds run every interval (with jitter). While some prefix is changing
 * (up but failing, or down but answering), every prefix is re-checked at
 * the fast interval, and a selection change waits until the changes
 * settle (at most (rise + fall) fast intervals and a timeout): prefixes that die or recover
 * together change the set once, not once each. The fast mode and the wait
 * end at that bound even if a flaky prefix keeps changing.
 *
 * main.c calls hd_core_tick() from one event-loop timer and re-arms that
 * timer for the deadline it returns; the prober reports through
 * hd_core_probe_done(). Tests drive the same functions with a fake clock,
 * a fake prober and a fake runner, so hours of probing run in
 * milliseconds (tests/unit/test_hd_core.c).
 */
#ifndef HD_CORE_H
#define HD_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hd_apply.h"
#include "clock.h"
#include "hd_health.h"
#include "hd_prefixfile.h"
#include "hd_probe.h"
#include "hd_select.h"
#include "hd_strv.h"

struct hd_core_cfg {
	struct hd_health_cfg health;
	struct hd_sel_cfg sel;
	uint64_t interval_ms, timeout_ms;
	uint64_t fast_interval_ms;	/* while a prefix changes (0: interval) */
	unsigned attempts;		/* per probe, within the timeout */
	unsigned jitter_pct;		/* ± this share of the interval */
	uint64_t startup_ms;		/* first apply at the latest after this */
	struct hd_target targets[HD_TARGETS_MAX];
	size_t ntargets;
	uint64_t seed;			/* jitter PRNG */
};

struct hd_pstate {
	struct hd_prefix p;
	char text[HD_PF_STRLEN];
	uint64_t uid;
	struct hd_health h;
	bool selected;
	uint64_t next_ms;		/* next round */
	bool in_round;
	unsigned pending, nok;
	bool inflight[HD_TARGETS_MAX];
	bool recheck;			/* pulled in: no round started since */
	bool round_fresh;		/* the round in flight started after it */
	uint64_t round_start_ms;
	char last_why[96];		/* last probe failure */
	uint64_t t_ok[HD_TARGETS_MAX], t_fail[HD_TARGETS_MAX];	/* per target */
};

/* What --notify hears about (hd_core_take_events()). */
enum hd_ev_kind { HD_EV_UP, HD_EV_DOWN, HD_EV_SELECTION };

#define HD_EV_RING	128
#define HD_EV_SETLEN	1024

struct hd_event {
	enum hd_ev_kind kind;
	char prefix[HD_PF_STRLEN];	/* up, down */
	char why[96];			/* down: the last probe failure */
	char set[HD_EV_SETLEN];		/* the selection after the event */
	struct timespec wall;
};

struct hd_core;

struct hd_core *hd_core_create(const struct hd_core_cfg *cfg, struct hd_prober *prober,
    struct hd_apply *apply, const struct clk_now *now);
void hd_core_destroy(struct hd_core *c);
/* Install a (new) prefix list; prefixes present before keep their health
 * and selection, new ones start down, removed ones are forgotten. */
void hd_core_set_prefixes(struct hd_core *c, const struct hd_pflist *l, const struct clk_now *now);
/* Runs due rounds, selection and apply; returns the next absolute mono_ms
 * deadline. */
uint64_t hd_core_tick(struct hd_core *c, const struct clk_now *now);
/* The prober's report (also usable as its done callback with arg = core). */
void hd_core_probe_done(void *core, uint64_t id, bool ok, uint32_t rtt_us, const char *why,
    const struct clk_now *now);

/* Read-only view for the status writer and tests. */
const struct hd_pstate *hd_core_prefixes(const struct hd_core *c, size_t *n);
const struct hd_core_cfg *hd_core_cfg(const struct hd_core *c);
bool hd_core_started(const struct hd_core *c);
/* Grows with every health transition and selection change. */
uint64_t hd_core_events(const struct hd_core *c);
/* Events since the last call, oldest first, at most max (the rest stay).
 * The ring holds HD_EV_RING; older ones are dropped and counted. */
size_t hd_core_take_events(struct hd_core *c, struct hd_event *out, size_t max);

/* Health and selection from before a restart (hd_persist.h): prefixes in up
 * are up, those in set (text, the order COMMAND got them) selected, without
 * waiting for rise; probes confirm or refute them. Prefixes no longer in
 * the prefix file are ignored. Returns how many were selected (0: the
 * daemon starts as usual, waiting for rise). */
size_t hd_core_restore(struct hd_core *c, char *const set[], size_t n, char *const up[],
    size_t nup, const struct clk_now *now);
/* The set COMMAND was last asked for (valid until the next tick). */
char *const *hd_core_wanted(const struct hd_core *c, size_t *n);

#endif
