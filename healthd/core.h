/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* core.h — the daemon's logic without the OS: the prefix table, probe
 * scheduling with jitter, health, selection and the apply trigger.
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

#include "apply.h"
#include "clock.h"
#include "health.h"
#include "prefixfile.h"
#include "probe.h"
#include "select.h"

struct hd_core_cfg {
	struct hd_health_cfg health;
	struct hd_sel_cfg sel;
	uint64_t interval_ms, timeout_ms;
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
	uint64_t round_start_ms;
	char last_why[96];		/* last probe failure */
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
uint64_t hd_core_selection_changes(const struct hd_core *c);
/* Grows with every health transition and selection change. */
uint64_t hd_core_events(const struct hd_core *c);

#endif
