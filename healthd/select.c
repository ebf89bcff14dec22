/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* select.c — see hd_select.h. */
#include "hd_select.h"

#include <string.h>

/* Best unused healthy prefix: file order, unless a later one is faster by
 * more than the margin (both RTTs known). */
static size_t
hd_best_healthy(const struct hd_sel_in *in, size_t n, const bool *out, uint32_t margin)
{
	size_t i, best = n;

	for (i = 0; i < n; i++) {
		if (!in[i].healthy || out[i])
			continue;
		if (best == n)
			best = i;
		else if (in[i].rtt_us && in[best].rtt_us &&
		    (uint64_t)in[i].rtt_us + margin < in[best].rtt_us)
			best = i;
	}
	return best;
}

/* Best unused unhealthy prefix, for filling up to min. */
static size_t
hd_best_rest(const struct hd_sel_in *in, size_t n, const bool *out)
{
	size_t i, best = n;

	for (i = 0; i < n; i++) {
		if (out[i])
			continue;
		if (best == n) {
			best = i;
			continue;
		}
		if (in[i].selected != in[best].selected) {
			if (in[i].selected)
				best = i;
			continue;
		}
		if (in[i].ok_run != in[best].ok_run) {
			if (in[i].ok_run > in[best].ok_run)
				best = i;
			continue;
		}
		if (in[i].ratio_pm > in[best].ratio_pm)
			best = i;
	}
	return best;
}

bool
hd_select(const struct hd_sel_in *in, size_t n, const struct hd_sel_cfg *cfg, bool *out)
{
	size_t i, nsel = 0, nhealthy = 0, nselhealthy = 0, cnt = 0, b;
	size_t min = cfg->min ? cfg->min : 1, max = cfg->max < min ? min : cfg->max;
	bool need = false, changed = false;

	for (i = 0; i < n; i++) {
		nsel += in[i].selected;
		nhealthy += in[i].healthy;
		nselhealthy += in[i].selected && in[i].healthy;
	}
	if (nsel > max || (nsel < min && nsel < n))
		need = true;
	/* room for a healthy prefix that is not used yet */
	if (nsel < max && nhealthy > nselhealthy)
		need = true;
	/* a broken member goes if it can be replaced, or dropped without
	 * going below min */
	if (nsel > nselhealthy && (nhealthy > nselhealthy || nsel > min))
		need = true;
	/* too few healthy: keep the set rather than swap dead for dead or
	 * shrink it; only a healthy prefix not in it yet changes it */
	if (nhealthy < min && nsel > 0 && nsel <= max)
		need = nhealthy > nselhealthy || (nsel < min && nsel < n);
	if (!need) {
		for (i = 0; i < n; i++)
			out[i] = in[i].selected;
		return false;
	}

	memset(out, 0, n * sizeof(*out));
	/* 1. healthy members stay */
	for (i = 0; i < n && cnt < max; i++)
		if (in[i].selected && in[i].healthy) {
			out[i] = true;
			cnt++;
		}
	/* 2. new healthy ones up to max */
	while (cnt < max && (b = hd_best_healthy(in, n, out, cfg->margin_us)) < n) {
		out[b] = true;
		cnt++;
	}
	/* 3. too few healthy: the current members stay, up to max */
	if (nhealthy < min)
		for (i = 0; i < n && cnt < max; i++)
			if (in[i].selected && !out[i]) {
				out[i] = true;
				cnt++;
			}
	/* 4. fill up to min with the best of the rest */
	while (cnt < min && (b = hd_best_rest(in, n, out)) < n) {
		out[b] = true;
		cnt++;
	}
	for (i = 0; i < n; i++)
		if (out[i] != in[i].selected)
			changed = true;
	return changed;
}
