/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* test_hw_atten.c — measures the §9 attenuation of nat64-handoffd
 * (val_attenuate, handoffd/validate.c) for docs/PROTOCOL.md: counter
 * starts at 2; at 0 a packet is dropped and the counter set to 1 or 2 at
 * random, else it is decremented and the packet answered. Per cycle 1.5
 * packets are answered on average and 1 dropped: 60 % answered, 40 %
 * dropped (the draft's §12 says the reverse). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>
#include <sodium.h>

#include "validate.h"

#define N 200000

static void
test_atten_sequence(void **state)
{
	struct val_state *vs = val_create(16);
	int i, run = 0, first_drop = -1;

	(void)state;
	assert_non_null(vs);
	/* the first two packets after start are answered, the third dropped */
	assert_true(val_attenuate(vs));
	assert_true(val_attenuate(vs));
	assert_false(val_attenuate(vs));
	/* after a drop, 1 or 2 answered, never 0 or 3 */
	for (i = 0; i < 10000; i++) {
		if (val_attenuate(vs)) {
			run++;
			assert_true(run <= 2);
		} else {
			assert_true(run >= 1);
			if (first_drop < 0)
				first_drop = i;
			run = 0;
		}
	}
	assert_true(first_drop >= 1 && first_drop <= 2);
	val_destroy(vs);
}

static void
test_atten_fraction(void **state)
{
	struct val_state *vs = val_create(16);
	long answered = 0, runs1 = 0, runs2 = 0, run = 0;
	double frac;
	int i;

	(void)state;
	assert_non_null(vs);
	for (i = 0; i < N; i++) {
		if (val_attenuate(vs)) {
			answered++;
			run++;
		} else {
			if (run == 1)
				runs1++;
			else if (run == 2)
				runs2++;
			run = 0;
		}
	}
	frac = (double)answered / N;
	print_message("attenuation: %ld of %d unvalidated packets answered (%.2f %%), "
	    "%.2f %% dropped; runs of 1: %ld, runs of 2: %ld\n", answered, N,
	    100 * frac, 100 * (1 - frac), runs1, runs2);
	/* 0.6 expected; the standard deviation at N = 200000 is ~0.0006 */
	assert_true(frac > 0.59 && frac < 0.61);
	/* both refill values occur, about equally */
	assert_true(runs1 > 0 && runs2 > 0);
	assert_true((double)runs1 / (double)(runs1 + runs2) > 0.45);
	assert_true((double)runs1 / (double)(runs1 + runs2) < 0.55);
	val_destroy(vs);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_atten_sequence),
		cmocka_unit_test(test_atten_fraction),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
