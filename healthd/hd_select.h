/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* hd_select.h — which prefixes BIND should synthesize from.
 *
 * Input: every prefix in file order with its health; the current
 * selection. Rules (docs/HEALTHD.md):
 *  - the set changes only when needed: a selected prefix is no longer
 *    healthy, the set is below min, or it is below max while a healthy
 *    prefix is unused; otherwise it is returned unchanged;
 *  - healthy selected prefixes stay selected (up to max);
 *  - new healthy prefixes are taken in file order, except that a later
 *    prefix wins when its RTT beats the earlier one's by more than margin;
 *  - if fewer than min are healthy, the current members stay (no dead
 *    prefix is swapped for another dead one, the set does not shrink) and
 *    healthy ones join; an empty or short set is filled with the best of
 *    the rest (selected ones first, then most recent successes, then
 *    ratio, then file order);
 *  - never empty while there is at least one prefix.
 * Pure function; no clock, no I/O.
 */
#ifndef HD_SELECT_H
#define HD_SELECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct hd_sel_in {
	bool healthy;
	bool selected;		/* currently selected */
	uint32_t rtt_us;	/* 0: unknown */
	unsigned ratio_pm;	/* success ratio in the window */
	unsigned ok_run;	/* consecutive successful rounds */
};

struct hd_sel_cfg {
	size_t min, max;
	uint32_t margin_us;
};

/* Fills out[0..n) with the new selection. Returns true if it differs
 * from the `selected` flags of the input. */
bool hd_select(const struct hd_sel_in *in, size_t n, const struct hd_sel_cfg *cfg, bool *out);

#endif
