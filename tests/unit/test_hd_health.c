/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* Unit tests for healthd/health.c (rise/fall, hold-down doubling, window
 * ratio) and healthd/select.c (stickiness, file order, RTT margin, fill,
 * never empty). Pure logic, fake clock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "hd_health.h"
#include "hd_select.h"

static const struct hd_health_cfg HC = {
	.rise = 3, .fall = 3, .quorum = 1, .window = 10, .min_ratio_pct = 50,
	.hold_ms = 10000, .hold_max_ms = 80000,
};

/* one round of n probes, k of them ok, at time t (ms) */
static const struct hd_health_cfg *cur = &HC;

static bool
round_at(struct hd_health *h, uint64_t t, unsigned k, unsigned n)
{
	struct clk_now now = clk_fake(t, 0);
	unsigned i;

	for (i = 0; i < n; i++)
		hd_health_probe(h, cur, i < k, 1000 + i);
	return hd_health_round(h, cur, k, n, &now);
}

static void
test_rise_fall(void **state)
{
	struct hd_health_cfg noratio = HC;
	struct hd_health h;
	struct clk_now t0 = clk_fake(0, 0);

	(void)state;
	noratio.min_ratio_pct = 0;	/* this test is about the runs */
	cur = &noratio;
	hd_health_init(&h, &t0);
	assert_int_equal(h.state, HD_DOWN);	/* down until proven */
	assert_false(round_at(&h, 1000, 2, 2));
	assert_false(round_at(&h, 2000, 1, 2));	/* quorum 1: still good */
	assert_true(round_at(&h, 3000, 2, 2));
	assert_int_equal(h.state, HD_UP);
	assert_true(h.proven);
	/* two bad rounds then a good one: no fall */
	assert_false(round_at(&h, 4000, 0, 2));
	assert_false(round_at(&h, 5000, 0, 2));
	assert_false(round_at(&h, 6000, 2, 2));
	assert_false(round_at(&h, 7000, 0, 2));
	assert_false(round_at(&h, 8000, 0, 2));
	assert_true(round_at(&h, 9000, 0, 2));
	assert_int_equal(h.state, HD_DOWN);
	assert_int_equal(h.hold_cur_ms, 10000);
	assert_int_equal(h.transitions, 2);
	cur = &HC;
}

static void
test_hold_down_and_flap(void **state)
{
	struct hd_health h;
	struct clk_now t0 = clk_fake(0, 0);
	uint64_t t = 0;
	int i;

	(void)state;
	hd_health_init(&h, &t0);
	for (i = 0; i < 3; i++)
		round_at(&h, t += 1000, 1, 1);
	assert_int_equal(h.state, HD_UP);
	for (i = 0; i < 3; i++)
		round_at(&h, t += 1000, 0, 1);
	assert_int_equal(h.state, HD_DOWN);	/* t = 6000, held until 16000 */
	for (i = 0; i < 9; i++)
		round_at(&h, t += 1000, 1, 1);
	assert_int_equal(h.state, HD_DOWN);	/* t = 15000: still held */
	round_at(&h, t += 1000, 1, 1);
	assert_int_equal(h.state, HD_UP);	/* t = 16000 */
	/* falls again soon: hold-down doubles, up to hold_max */
	for (i = 0; i < 3; i++)
		round_at(&h, t += 1000, 0, 1);
	assert_int_equal(h.state, HD_DOWN);
	assert_int_equal(h.hold_cur_ms, 20000);
	while (h.state == HD_DOWN)
		round_at(&h, t += 1000, 1, 1);
	for (i = 0; i < 3; i++)
		round_at(&h, t += 1000, 0, 1);
	assert_int_equal(h.hold_cur_ms, 40000);
	while (h.state == HD_DOWN)
		round_at(&h, t += 1000, 1, 1);
	for (i = 0; i < 3; i++)
		round_at(&h, t += 1000, 0, 1);
	assert_int_equal(h.hold_cur_ms, 80000);
	while (h.state == HD_DOWN)
		round_at(&h, t += 1000, 1, 1);
	for (i = 0; i < 3; i++)
		round_at(&h, t += 1000, 0, 1);
	assert_int_equal(h.hold_cur_ms, 80000);	/* capped */
	/* stays up longer than hold_max: back to the base hold-down */
	while (h.state == HD_DOWN)
		round_at(&h, t += 1000, 1, 1);
	t += 100000;
	round_at(&h, t, 1, 1);
	for (i = 0; i < 3; i++)
		round_at(&h, t += 1000, 0, 1);
	assert_int_equal(h.hold_cur_ms, 10000);
}

static void
test_ratio_rule(void **state)
{
	struct hd_health h;
	struct clk_now t0 = clk_fake(0, 0);
	uint64_t t = 0;
	int i;

	(void)state;
	hd_health_init(&h, &t0);
	for (i = 0; i < 3; i++)
		round_at(&h, t += 1000, 1, 1);
	assert_int_equal(h.state, HD_UP);
	assert_int_equal(h.since_rise, 0);	/* the ratio rule restarts at the rise */
	/* ok, bad, bad, ok, ...: never 3 bad rounds in a row, but once the
	 * window (10 probes) is full at 40 % the prefix goes down */
	for (i = 0; i < 9; i++) {
		round_at(&h, t += 1000, i % 3 == 0 ? 1 : 0, 1);
		assert_int_equal(h.state, HD_UP);
	}
	round_at(&h, t += 1000, 1, 1);
	assert_int_equal(hd_health_ratio_pm(&h), 400);
	assert_int_equal(h.state, HD_DOWN);
	assert_int_equal(hd_health_rtt_us(&h), 1000);
}

static void
test_quorum_all(void **state)
{
	struct hd_health_cfg c = HC;
	struct hd_health h;
	struct clk_now t0 = clk_fake(0, 0), t;
	int i;

	(void)state;
	c.quorum = 0;	/* every probe */
	hd_health_init(&h, &t0);
	for (i = 1; i <= 5; i++) {
		t = clk_fake((uint64_t)i * 1000, 0);
		hd_health_round(&h, &c, 2, 3, &t);
	}
	assert_int_equal(h.state, HD_DOWN);
	assert_int_equal(h.ok_run, 0);
}

/* ------------------------------------------------------------ selection */

static const struct hd_sel_cfg SC = { .min = 2, .max = 3, .margin_us = 20000 };

static void
sel(struct hd_sel_in *in, size_t n, const char *want, bool changed)
{
	bool out[16];
	char got[17];
	size_t i;

	bool ch = hd_select(in, n, &SC, out);

	for (i = 0; i < n; i++)
		got[i] = out[i] ? 'X' : '.';
	got[n] = '\0';
	if (ch != changed || strcmp(got, want) != 0)
		fail_msg("wanted %s (changed %d), got %s (changed %d)", want, changed, got, ch);
	for (i = 0; i < n; i++)
		in[i].selected = out[i];
}

static void
test_select_rules(void **state)
{
	struct hd_sel_in in[5];
	size_t i;

	(void)state;
	memset(in, 0, sizeof(in));
	/* nothing healthy at start: never empty, the first min in file order */
	sel(in, 5, "XX...", true);
	for (i = 0; i < 5; i++) {
		in[i].healthy = true;
		in[i].rtt_us = 5000;
	}
	/* all healthy: grow to max in file order */
	sel(in, 5, "XXX..", true);
	sel(in, 5, "XXX..", false);	/* stable */
	/* A fails: replaced by the next healthy */
	in[0].healthy = false;
	sel(in, 5, ".XXX.", true);
	/* A returns: no change needed (sticky) */
	in[0].healthy = true;
	sel(in, 5, ".XXX.", false);
	/* two fail, only A left as a spare: B,C gone, A in */
	in[1].healthy = in[2].healthy = false;
	sel(in, 5, "X..XX", true);
	/* everything fails but E: too few healthy, the set stays as it is
	 * (no dead prefix swapped for another, no shrinking) */
	in[0].healthy = in[3].healthy = false;
	sel(in, 5, "X..XX", false);
	/* all down: keep the current set */
	in[4].healthy = false;
	sel(in, 5, "X..XX", false);
	/* B comes back: it joins (over min, up to max: nothing is dropped
	 * for it while too few are healthy) */
	in[1].healthy = true;
	sel(in, 5, "XX.X.", true);
}

static void
test_select_rtt_margin(void **state)
{
	struct hd_sel_in in[4];

	(void)state;
	memset(in, 0, sizeof(in));
	in[0] = (struct hd_sel_in){ .healthy = true, .rtt_us = 30000 };
	in[1] = (struct hd_sel_in){ .healthy = true, .rtt_us = 15000 };	/* within margin */
	in[2] = (struct hd_sel_in){ .healthy = true, .rtt_us = 5000 };	/* 25 ms faster */
	in[3] = (struct hd_sel_in){ .healthy = true, .rtt_us = 9000 };
	/* max 3 of 4: C and D beat A by more than 20 ms, B does not beat A,
	 * but B beats nothing else: order C, then A vs B vs D... */
	{
		struct hd_sel_cfg c = { .min = 1, .max = 1, .margin_us = 20000 };
		bool out[4];

		assert_true(hd_select(in, 4, &c, out));
		assert_true(out[2] && !out[0] && !out[1] && !out[3]);
		c.margin_us = 30000;	/* nobody beats A by 30 ms */
		assert_true(hd_select(in, 4, &c, out));
		assert_true(out[0] && !out[2]);
	}
}

static void
test_select_fill_prefers_rising(void **state)
{
	struct hd_sel_in in[4];

	(void)state;
	memset(in, 0, sizeof(in));
	in[0].healthy = true;
	in[0].selected = true;
	in[2].ok_run = 2;	/* on its way up */
	in[3].ratio_pm = 900;
	sel(in, 4, "X.X.", true);
	/* over max (e.g. after a reload shrank max): trimmed */
	{
		struct hd_sel_in v[4];
		bool out[4];

		memset(v, 0, sizeof(v));
		for (int i = 0; i < 4; i++)
			v[i].healthy = v[i].selected = true;
		assert_true(hd_select(v, 4, &SC, out));
		assert_true(out[0] && out[1] && out[2] && !out[3]);
	}
	/* a single prefix: selected even though min is 2 */
	{
		struct hd_sel_in v[1];
		bool out[1];

		memset(v, 0, sizeof(v));
		assert_true(hd_select(v, 1, &SC, out));
		assert_true(out[0]);
		v[0].selected = true;
		assert_false(hd_select(v, 1, &SC, out));
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rise_fall),
		cmocka_unit_test(test_hold_down_and_flap),
		cmocka_unit_test(test_ratio_rule),
		cmocka_unit_test(test_quorum_all),
		cmocka_unit_test(test_select_rules),
		cmocka_unit_test(test_select_rtt_margin),
		cmocka_unit_test(test_select_fill_prefers_rising),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
