/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* test_tbucket.c — lib/tbucket.c, the one rate limiter: a full bucket
 * allows a burst, then the rate; rate 0 allows nothing; rate and burst
 * follow the caller (a reload); time is the caller's; asking (tb_ready)
 * takes nothing, tb_spend takes what it found. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "tbucket.h"

static int
takes(struct tbucket *b, double rate, double burst, uint64_t now_ms, int tries)
{
	int n = 0;

	while (tries-- > 0)
		n += tb_take(b, rate, burst, now_ms);
	return n;
}

static void
test_burst_then_rate(void **state)
{
	struct tbucket b;

	(void)state;
	tb_init(&b, 1e12, 5000);
	assert_int_equal(takes(&b, 100, 100, 5000, 1000), 100);	/* clamped to the burst */
	assert_int_equal(takes(&b, 100, 100, 5009, 10), 0);	/* 0.9 token */
	assert_int_equal(takes(&b, 100, 100, 5010, 10), 1);
	assert_int_equal(takes(&b, 100, 100, 5510, 1000), 50);	/* half a second */
	assert_int_equal(takes(&b, 100, 100, 60000, 1000), 100);	/* idle: only the burst */
}

static void
test_empty_start_and_zero_rate(void **state)
{
	struct tbucket b;

	(void)state;
	tb_init(&b, 0, 1000);
	assert_int_equal(takes(&b, 200, 200, 1000, 10), 0);
	assert_int_equal(takes(&b, 200, 200, 1005, 10), 1);
	assert_int_equal(takes(&b, 0, 0, 9000, 10), 0);
	assert_int_equal(takes(&b, -1, 10, 9000, 10), 0);
	/* A smaller rate after a reload: the bucket is clamped to it. */
	tb_init(&b, 1e12, 1000);
	assert_int_equal(takes(&b, 1000, 1000, 1000, 1), 1);
	assert_int_equal(takes(&b, 10, 10, 1000, 100), 10);
}

/* Several buckets that must all allow an event: ask each, then spend. */
static void
test_ready_then_spend(void **state)
{
	struct tbucket b;
	int n = 0;

	(void)state;
	tb_init(&b, 1e12, 0);
	assert_true(tb_ready(&b, 10, 3, 0));
	assert_true(tb_ready(&b, 10, 3, 0));	/* asking takes nothing */
	while (tb_ready(&b, 10, 3, 0)) {
		tb_spend(&b);
		n++;
	}
	assert_int_equal(n, 3);
	assert_false(tb_ready(&b, 10, 3, 50));	/* half a token */
	assert_true(tb_ready(&b, 10, 3, 100));
	assert_false(tb_ready(&b, 0, 3, 100000));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_burst_then_rate),
		cmocka_unit_test(test_empty_start_and_zero_rate),
		cmocka_unit_test(test_ready_then_spend),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
