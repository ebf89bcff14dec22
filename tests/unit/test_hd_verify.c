/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* Unit tests for healthd/verify.c: the served-set check's judgement of
 * ipv4only.arpa AAAA answers (RFC 8880) against the selection: a match, a
 * drift and its re-apply, the give-up after HD_VERIFY_TRIES, a failing
 * COMMAND's backoff cut only once, no verdict while COMMAND runs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "addr.h"
#include "hd_verify.h"

static size_t
expect(const char *const *pfx, size_t n, uint8_t (*out)[16])
{
	uint8_t p[8][16];
	int len[8];
	size_t i;

	for (i = 0; i < n; i++)
		assert_int_equal(addr_parse_prefix6(pfx[i], 96, p[i], &len[i]), 0);
	return hd_verify_expect((const uint8_t (*)[16])p, len, n, out, 16);
}

static void
test_expect(void **state)
{
	static const char *const p[] = { "2001:db8:64:1::/96", "2001:db8:100::/40" };
	uint8_t e[16][16];
	char b[ADDR_STRLEN];

	(void)state;
	assert_int_equal(expect(p, 2, e), 4);
	assert_string_equal(addr_fmt6(e[0], b, sizeof(b)), "2001:db8:64:1::c000:aa");
	assert_string_equal(addr_fmt6(e[1], b, sizeof(b)), "2001:db8:64:1::c000:ab");
	/* /40: RFC 6052 skips bits 64..71 */
	assert_int_equal(addr_rfc6052_extract(e[2], 40), 0xc00000aa);
	assert_int_equal(addr_rfc6052_extract(e[3], 40), 0xc00000ab);
}

static void
test_judge(void **state)
{
	static const char *const sel[] = { "2001:db8:64:2::/96", "2001:db8:64:3::/96" };
	static const char *const old[] = { "2001:db8:64:1::/96", "2001:db8:64:2::/96" };
	uint8_t want[16][16], got[16][16], rev[16][16];
	struct hd_verify v;
	struct clk_now t = clk_fake(1000, 0);
	size_t nw = expect(sel, 2, want), ng = expect(old, 2, got), i;

	(void)state;
	hd_verify_init(&v);
	assert_int_equal(v.matches, -1);
	/* no answer: no verdict, unknown */
	assert_int_equal(hd_verify_judge(&v, false, 0, NULL, 0, (const uint8_t (*)[16])want, nw,
	    HD_VA_OK, &t), HD_V_WAIT);
	/* the same set in another order: a match */
	for (i = 0; i < nw; i++)
		memcpy(rev[i], want[nw - 1 - i], 16);
	assert_int_equal(hd_verify_judge(&v, true, 0, (const uint8_t (*)[16])rev, nw,
	    (const uint8_t (*)[16])want, nw, HD_VA_OK, &t), HD_V_MATCH);
	assert_int_equal(v.matches, 1);
	/* the old set (BIND restarted from an older file): drift, re-apply */
	assert_int_equal(hd_verify_judge(&v, true, 0, (const uint8_t (*)[16])got, ng,
	    (const uint8_t (*)[16])want, nw, HD_VA_OK, &t), HD_V_DRIFT);
	assert_int_equal(v.matches, 0);
	assert_non_null(strstr(v.detail, "missing 2001:db8:64:3::c000:aa"));
	assert_non_null(strstr(v.detail, "unexpected 2001:db8:64:1::c000:aa"));
	/* while COMMAND runs: no verdict */
	assert_int_equal(hd_verify_judge(&v, true, 0, (const uint8_t (*)[16])got, ng,
	    (const uint8_t (*)[16])want, nw, HD_VA_BUSY, &t), HD_V_WAIT);
	/* fixed */
	assert_int_equal(hd_verify_judge(&v, true, 0, (const uint8_t (*)[16])want, nw,
	    (const uint8_t (*)[16])want, nw, HD_VA_OK, &t), HD_V_MATCH);
	assert_int_equal(v.unfixed, 0);
	/* SERVFAIL is a drift too (no DNS64 at all) */
	assert_int_equal(hd_verify_judge(&v, true, 2, NULL, 0, (const uint8_t (*)[16])want, nw,
	    HD_VA_OK, &t), HD_V_DRIFT);
	assert_non_null(strstr(v.detail, "rcode 2"));
}

static void
test_give_up_and_backoff(void **state)
{
	static const char *const sel[] = { "2001:db8:64:2::/96" };
	uint8_t want[4][16];
	struct hd_verify v;
	struct clk_now t = clk_fake(1000, 0);
	size_t nw = expect(sel, 1, want);
	int i;

	(void)state;
	hd_verify_init(&v);
	/* the querier is excluded: an empty answer, however often COMMAND
	 * succeeds; HD_VERIFY_TRIES re-applies, then said once, then quiet */
	for (i = 0; i < HD_VERIFY_TRIES; i++)
		assert_int_equal(hd_verify_judge(&v, true, 0, NULL, 0, (const uint8_t (*)[16])want,
		    nw, HD_VA_OK, &t), HD_V_DRIFT);
	assert_int_equal(hd_verify_judge(&v, true, 0, NULL, 0, (const uint8_t (*)[16])want, nw,
	    HD_VA_OK, &t), HD_V_GIVEUP);
	assert_true(v.gave_up);
	assert_int_equal(v.matches, -1);
	assert_int_equal(hd_verify_judge(&v, true, 0, NULL, 0, (const uint8_t (*)[16])want, nw,
	    HD_VA_OK, &t), HD_V_WAIT);
	assert_int_equal(v.reapplies, HD_VERIFY_TRIES);
	/* SIGHUP: again */
	hd_verify_reset(&v);
	assert_int_equal(hd_verify_judge(&v, true, 0, NULL, 0, (const uint8_t (*)[16])want, nw,
	    HD_VA_OK, &t), HD_V_DRIFT);
	/* COMMAND failing: the backoff is cut once, then left alone, and that
	 * never counts towards giving up */
	hd_verify_reset(&v);
	assert_int_equal(hd_verify_judge(&v, true, 0, NULL, 0, (const uint8_t (*)[16])want, nw,
	    HD_VA_FAILING, &t), HD_V_DRIFT);
	for (i = 0; i < 10; i++)
		assert_int_equal(hd_verify_judge(&v, true, 0, NULL, 0,
		    (const uint8_t (*)[16])want, nw, HD_VA_FAILING, &t), HD_V_WAIT);
	assert_false(v.gave_up);
	/* it succeeded in between: a new failure streak may be cut again */
	assert_int_equal(hd_verify_judge(&v, true, 0, NULL, 0, (const uint8_t (*)[16])want, nw,
	    HD_VA_BUSY, &t), HD_V_WAIT);
	assert_int_equal(hd_verify_judge(&v, true, 0, NULL, 0, (const uint8_t (*)[16])want, nw,
	    HD_VA_FAILING, &t), HD_V_DRIFT);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_expect),
		cmocka_unit_test(test_judge),
		cmocka_unit_test(test_give_up_and_backoff),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
