/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* hd_health.h — health of one NAT64 prefix: rise/fall hysteresis, a window
 * of recent probe results (success ratio, median RTT) and a hold-down that
 * grows when a prefix flaps.
 *
 * A prefix starts DOWN ("unproven"). One probe round (every configured
 * target through that prefix) succeeds when at least `quorum` probes
 * succeed. `rise` successful rounds in a row bring it UP, but never before
 * its hold-down has expired. `fall` failed rounds in a row, or a full
 * window (counted from the rise) whose success ratio is below min_ratio,
 * bring it DOWN. Each fall
 * sets the hold-down: hold_ms the first time, doubled (up to hold_max_ms)
 * when it falls again less than hold_max_ms after rising.
 * Pure logic: time comes in as `now`, nothing here reads a clock.
 */
#ifndef HD_HEALTH_H
#define HD_HEALTH_H

#include <stdbool.h>
#include <stdint.h>

#include "clock.h"

#define HD_WINDOW_MAX	64

struct hd_health_cfg {
	unsigned rise, fall, quorum;	/* quorum 0: every probe must pass */
	unsigned window;		/* probes, 1..HD_WINDOW_MAX */
	unsigned min_ratio_pct;		/* 0 disables the ratio rule */
	uint64_t hold_ms, hold_max_ms;
};

enum hd_state { HD_DOWN, HD_UP };

struct hd_health {
	enum hd_state state;
	bool proven;			/* has been UP at least once */
	unsigned ok_run, fail_run;
	unsigned rounds, transitions;
	uint64_t since_ms;		/* last state change */
	uint64_t hold_until_ms;
	uint64_t hold_cur_ms;		/* hold-down applied at the last fall */
	/* ring of the last `window` probe results */
	bool w_ok[HD_WINDOW_MAX];
	uint32_t w_rtt_us[HD_WINDOW_MAX];
	unsigned w_pos, w_fill;
	unsigned since_rise;		/* probes since the last rise */
	uint64_t probes_ok, probes_fail;
};

void hd_health_init(struct hd_health *h, const struct clk_now *now);
/* Record one probe result (rtt_us only meaningful if ok). */
void hd_health_probe(struct hd_health *h, const struct hd_health_cfg *cfg, bool ok,
    uint32_t rtt_us);
/* A round of nprobes ended with nok successes. Returns true if the state
 * changed. */
bool hd_health_round(struct hd_health *h, const struct hd_health_cfg *cfg, unsigned nok,
    unsigned nprobes, const struct clk_now *now);
/* Success ratio over the window in per mille (0 when empty). */
unsigned hd_health_ratio_pm(const struct hd_health *h);
/* Median RTT of the successful probes in the window, µs (0 if none). */
uint32_t hd_health_rtt_us(const struct hd_health *h);
/* The same, but 0 (unknown) until the window holds at least half its
 * size in answered probes: a start or a recovery is never judged on the
 * first few (slow: neighbour discovery, connection setup) answers. */
uint32_t hd_health_rtt_settled_us(const struct hd_health *h, const struct hd_health_cfg *cfg);
bool hd_health_held(const struct hd_health *h, const struct clk_now *now);
const char *hd_state_name(enum hd_state s);

#endif
