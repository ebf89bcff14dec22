/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* health.c — see hd_health.h. */
#include "hd_health.h"

#include <string.h>

void
hd_health_init(struct hd_health *h, const struct clk_now *now)
{
	memset(h, 0, sizeof(*h));
	h->state = HD_DOWN;
	h->since_ms = now->mono_ms;
}

void
hd_health_probe(struct hd_health *h, const struct hd_health_cfg *cfg, bool ok, uint32_t rtt_us)
{
	unsigned w = cfg->window;

	if (w == 0 || w > HD_WINDOW_MAX)
		w = HD_WINDOW_MAX;
	if (h->w_pos >= w)
		h->w_pos = 0;
	h->w_ok[h->w_pos] = ok;
	h->w_rtt_us[h->w_pos] = ok ? rtt_us : 0;
	h->w_pos = (h->w_pos + 1) % w;
	if (h->w_fill < w)
		h->w_fill++;
	h->since_rise++;
	if (ok)
		h->probes_ok++;
	else
		h->probes_fail++;
}

unsigned
hd_health_ratio_pm(const struct hd_health *h)
{
	unsigned i, ok = 0;

	if (h->w_fill == 0)
		return 0;
	for (i = 0; i < h->w_fill; i++)
		ok += h->w_ok[i];
	return ok * 1000 / h->w_fill;
}

uint32_t
hd_health_rtt_us(const struct hd_health *h)
{
	uint32_t v[HD_WINDOW_MAX], x;
	unsigned i, j, n = 0;

	for (i = 0; i < h->w_fill; i++)
		if (h->w_ok[i])
			v[n++] = h->w_rtt_us[i];
	if (n == 0)
		return 0;
	for (i = 1; i < n; i++) {	/* insertion sort: n <= 64 */
		x = v[i];
		for (j = i; j > 0 && v[j - 1] > x; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
	/* the median: one slow answer (a retry, a queue) moves nothing */
	return n % 2 ? v[n / 2] : (uint32_t)(((uint64_t)v[n / 2 - 1] + v[n / 2]) / 2);
}

uint32_t
hd_health_rtt_settled_us(const struct hd_health *h, const struct hd_health_cfg *cfg)
{
	unsigned w = cfg->window ? cfg->window : HD_WINDOW_MAX, i, n = 0;

	for (i = 0; i < h->w_fill; i++)
		n += h->w_ok[i];
	return n * 2 >= w ? hd_health_rtt_us(h) : 0;
}

bool
hd_health_held(const struct hd_health *h, const struct clk_now *now)
{
	return now->mono_ms < h->hold_until_ms;
}

static void
hd_health_set(struct hd_health *h, enum hd_state s, const struct clk_now *now)
{
	h->state = s;
	h->since_ms = now->mono_ms;
	h->transitions++;
}

bool
hd_health_round(struct hd_health *h, const struct hd_health_cfg *cfg, unsigned nok,
    unsigned nprobes, const struct clk_now *now)
{
	unsigned need = cfg->quorum == 0 || cfg->quorum > nprobes ? nprobes : cfg->quorum;
	bool ok = nprobes > 0 && nok >= need;
	unsigned w = cfg->window ? cfg->window : HD_WINDOW_MAX;

	h->rounds++;
	if (ok) {
		h->ok_run++;
		h->fail_run = 0;
	} else {
		h->fail_run++;
		h->ok_run = 0;
	}
	if (h->state == HD_UP) {
		/* the ratio rule judges a full window of probes made since
		 * the rise, or the failures from before would take it down
		 * again at once */
		bool ratio_bad = cfg->min_ratio_pct && h->since_rise >= w && h->w_fill >= w &&
		    hd_health_ratio_pm(h) < cfg->min_ratio_pct * 10;

		if (h->fail_run >= cfg->fall || ratio_bad) {
			/* flapping: fell again soon after rising → double */
			if (h->hold_cur_ms && now->mono_ms - h->since_ms < cfg->hold_max_ms) {
				h->hold_cur_ms *= 2;
				if (h->hold_cur_ms > cfg->hold_max_ms)
					h->hold_cur_ms = cfg->hold_max_ms;
			} else
				h->hold_cur_ms = cfg->hold_ms;
			h->hold_until_ms = now->mono_ms + h->hold_cur_ms;
			h->ok_run = 0;
			hd_health_set(h, HD_DOWN, now);
			return true;
		}
		return false;
	}
	if (h->ok_run >= cfg->rise && !hd_health_held(h, now)) {
		h->since_rise = 0;
		h->fail_run = 0;
		h->proven = true;
		hd_health_set(h, HD_UP, now);
		return true;
	}
	return false;
}

const char *
hd_state_name(enum hd_state s)
{
	return s == HD_UP ? "up" : "down";
}
