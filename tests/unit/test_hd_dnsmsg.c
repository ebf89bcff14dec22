/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* Unit tests for healthd/dnsmsg.c: the DNS probe's query and reply check,
 * and the served-set check's AAAA reader. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "hd_dnsmsg.h"

static void
test_dnsmsg(void **state)
{
	uint8_t q[300], r[300];
	int ql;

	(void)state;
	ql = hd_dns_build(q, sizeof(q), 0x1234, "Example.Test", HD_DNS_QTYPE_A);
	assert_int_equal(ql, 12 + 14 + 4);
	assert_memory_equal(q + 12, "\x07" "Example" "\x04" "Test" "\x00\x00\x01\x00\x01", 18);
	memcpy(r, q, (size_t)ql);
	r[2] |= 0x80;		/* QR */
	r[3] = 0x03;		/* NXDOMAIN: still proves the path */
	assert_int_equal(hd_dns_is_reply(r, (size_t)ql, q, (size_t)ql), 0);
	r[13] = 'e';		/* 0x20 case change in the echoed name */
	assert_int_equal(hd_dns_is_reply(r, (size_t)ql, q, (size_t)ql), 0);
	assert_int_equal(hd_dns_is_reply(r, (size_t)ql - 1, q, (size_t)ql), -1);	/* short */
	assert_int_equal(hd_dns_is_reply(r, 11, q, (size_t)ql), -1);
	r[1] ^= 1;		/* other id */
	assert_int_equal(hd_dns_is_reply(r, (size_t)ql, q, (size_t)ql), -1);
	r[1] ^= 1;
	r[2] &= 0x7f;		/* a query, not a reply */
	assert_int_equal(hd_dns_is_reply(r, (size_t)ql, q, (size_t)ql), -1);
	r[2] |= 0x80;
	r[13] = 'x';		/* other name */
	assert_int_equal(hd_dns_is_reply(r, (size_t)ql, q, (size_t)ql), -1);
	assert_int_equal(hd_dns_build(q, sizeof(q), 1, ".", 1), 17);
	assert_int_equal(hd_dns_build(q, 16, 1, ".", 1), -1);
	assert_int_equal(hd_dns_build(q, sizeof(q), 1, "a..b", 1), -1);
}

/* hd_dns_aaaa(): the served-set check's reader, on a reply built by hand
 * (compressed names, an A and two AAAA records) and truncated copies. */
static void
test_dns_aaaa(void **state)
{
	uint8_t q[64], r[256], out[4][16];
	size_t n, k;
	int ql, rl, i;
	static const uint8_t a1[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0x64, 0, 1, 0, 0, 0, 0, 0xc0, 0,
		0, 0xaa };

	(void)state;
	ql = hd_dns_build(q, sizeof(q), 0x1234, "ipv4only.arpa", HD_DNS_QTYPE_AAAA);
	assert_true(ql > 12);
	memcpy(r, q, (size_t)ql);
	r[2] = 0x81;	/* QR RD */
	r[3] = 0x80;	/* RA, NOERROR */
	r[7] = 3;	/* ANCOUNT */
	rl = ql;
	for (i = 0; i < 3; i++) {
		static const uint8_t hdr_aaaa[] = { 0xc0, 12, 0, 28, 0, 1, 0, 0, 0, 60, 0, 16 };
		static const uint8_t hdr_a[] = { 0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4 };

		if (i == 1) {
			memcpy(r + rl, hdr_a, sizeof(hdr_a));
			rl += (int)sizeof(hdr_a);
			memcpy(r + rl, "\xc0\x00\x00\xaa", 4);
			rl += 4;
			continue;
		}
		memcpy(r + rl, hdr_aaaa, sizeof(hdr_aaaa));
		rl += (int)sizeof(hdr_aaaa);
		memcpy(r + rl, a1, 16);
		r[rl + 15] = (uint8_t)(0xaa + i / 2);
		rl += 16;
	}
	assert_int_equal(hd_dns_aaaa(r, (size_t)rl, q, (size_t)ql, out, 4, &n), 0);
	assert_int_equal(n, 2);
	assert_memory_equal(out[0], a1, 16);
	assert_int_equal(out[1][15], 0xab);
	/* at most max */
	assert_int_equal(hd_dns_aaaa(r, (size_t)rl, q, (size_t)ql, out, 1, &n), 0);
	assert_int_equal(n, 1);
	/* every truncation is refused, never read past */
	for (k = (size_t)ql; k < (size_t)rl; k++)
		assert_int_equal(hd_dns_aaaa(r, k, q, (size_t)ql, out, 4, &n), -1);
	/* SERVFAIL: the rcode, no records */
	r[3] = 0x82;
	r[7] = 0;
	assert_int_equal(hd_dns_aaaa(r, (size_t)ql, q, (size_t)ql, out, 4, &n), 2);
	assert_int_equal(n, 0);
	/* another ID: not ours */
	r[1] ^= 1;
	assert_int_equal(hd_dns_aaaa(r, (size_t)ql, q, (size_t)ql, out, 4, &n), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dnsmsg),
		cmocka_unit_test(test_dns_aaaa),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
