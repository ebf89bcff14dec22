/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* test_hw_ippkt.c — lib/ippkt.c: every builder against a packet written
 * out by hand, checksums computed by hand (RFC 1071 sums shown below), and
 * the readers' rejections. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cksum.h"
#include "ippkt.h"

static const uint8_t A1[4] = { 192, 0, 2, 1 };		/* server */
static const uint8_t A7[4] = { 192, 0, 2, 7 };		/* NAT64 */
static const uint8_t C6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x17 };	/* 2001:db8::17 */
static const uint8_t S6[16] = { 0x00, 0x64, 0xff, 0x9b, [12] = 192, 0, 2, 1 };	/* 64:ff9b::192.0.2.1 */

/* IPv4/UDP 192.0.2.1:6464 -> 192.0.2.7:9, empty.
 * Header sum 4500+001c+4011+c000+0201+c000+0207 = 0x20935 -> 0x0937 -> ~ f6c8.
 * UDP: pseudo c000+0201+c000+0207+0011+0008 = 0x18421, + 1940+0009+0008
 * = 0x19d72 -> 0x9d73 -> ~ 628c. */
static const uint8_t UDP4[] = {
	0x45, 0x00, 0x00, 0x1c, 0x00, 0x00, 0x00, 0x00,
	0x40, 0x11, 0xf6, 0xc8, 0xc0, 0x00, 0x02, 0x01,
	0xc0, 0x00, 0x02, 0x07,
	0x19, 0x40, 0x00, 0x09, 0x00, 0x08, 0x62, 0x8c,
};

/* IPv6/UDP [2001:db8::17]:53186 -> [64:ff9b::c000:201]:53, "hi".
 * Pseudo: src 2001+0db8+0017 = 2dd0, dst 0064+ff9b+c000+0201 = 0x1c200,
 * + len 000a + 0011 = 0x1efeb; UDP cfc2+0035+000a = d001; data 6869;
 * total 0x32855 -> 0x2858 -> ~ d7a7. */
static const uint8_t UDP6[] = {
	0x60, 0x00, 0x00, 0x00, 0x00, 0x0a, 0x11, 0x40,
	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x17,
	0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0, 0xc0, 0x00, 0x02, 0x01,
	0xcf, 0xc2, 0x00, 0x35, 0x00, 0x0a, 0xd7, 0xa7, 0x68, 0x69,
};

/* ICMPv6 echo request id 0x1234 seq 1 "ab", same addresses.
 * Pseudo 0x1efd0 + 000a + 003a = 0x1f014; ICMP 8000+1234+0001+6162 = f397;
 * total 0x2e3ab -> 0xe3ad -> ~ 1c52. */
static const uint8_t ECHO6[] = {
	0x60, 0x00, 0x00, 0x00, 0x00, 0x0a, 0x3a, 0x40,
	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x17,
	0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0, 0xc0, 0x00, 0x02, 0x01,
	0x80, 0x00, 0x1c, 0x52, 0x12, 0x34, 0x00, 0x01, 0x61, 0x62,
};

/* IPv4/TCP SYN 192.0.2.7:3719 -> 192.0.2.1:80, seq 0x01020304, win 65535.
 * Header: 4500+0028+4006+c000+0207+c000+0201 = 0x20936 -> ~ f6c7.
 * TCP: 0e87+0050+0102+0304+5002+ffff = 0x162de; pseudo 0x18408+0006+0014
 * = 0x18422; total 0x2e700 -> 0xe702 -> ~ 18fd. */
static const uint8_t SYN4[] = {
	0x45, 0x00, 0x00, 0x28, 0x00, 0x00, 0x00, 0x00,
	0x40, 0x06, 0xf6, 0xc7, 0xc0, 0x00, 0x02, 0x07,
	0xc0, 0x00, 0x02, 0x01,
	0x0e, 0x87, 0x00, 0x50, 0x01, 0x02, 0x03, 0x04,
	0x00, 0x00, 0x00, 0x00, 0x50, 0x02, 0xff, 0xff,
	0x18, 0xfd, 0x00, 0x00,
};

/* ICMPv4 3/2 from 192.0.2.7 to 192.0.2.1 quoting UDP4 (total 56).
 * Header 4500+0038+4001+c000+0207+c000+0201 = 0x20941 -> ~ f6bc.
 * ICMP: 0302 + quoted (header sums to ffff, UDP 1940+0009+0008+628c = 7bdd)
 * = 0x7edf -> ~ 8120. */
static const uint8_t ICMP4_HDR[] = {
	0x45, 0x00, 0x00, 0x38, 0x00, 0x00, 0x00, 0x00,
	0x40, 0x01, 0xf6, 0xbc, 0xc0, 0x00, 0x02, 0x07,
	0xc0, 0x00, 0x02, 0x01,
	0x03, 0x02, 0x81, 0x20, 0x00, 0x00, 0x00, 0x00,
};

/* A packet verifies when its checksums sum to 0xffff / 0. */
static uint16_t
ip4_hdr_verify(const uint8_t *p)
{
	return cksum_finish(cksum_add(0, p, (size_t)(p[0] & 15) * 4));
}

static void
test_udp4(void **state)
{
	uint8_t b[100];

	(void)state;
	assert_int_equal(ippkt_udp4(b, sizeof(b), A1, A7, 6464, 9, NULL, 0), 28);
	assert_memory_equal(b, UDP4, 28);
	assert_int_equal(ip4_hdr_verify(b), 0);
	/* exactly the room needed, and one less */
	assert_int_equal(ippkt_udp4(b, 28, A1, A7, 6464, 9, NULL, 0), 28);
	assert_int_equal(ippkt_udp4(b, 27, A1, A7, 6464, 9, NULL, 0), 0);
	/* an IPv4 packet cannot exceed 65535 octets */
	assert_int_equal(ippkt_udp4(b, 100, A1, A7, 1, 2, b, 65536 - 28), 0);
}

static void
test_udp4_zero_checksum(void **state)
{
	/* UDP computes to 0 -> sent as ffff. With the pseudo-header and header
	 * summing to s, a 2-octet payload of ~s makes the total ffff. */
	uint8_t b[100], pl[2];
	uint32_t s;
	uint16_t c;

	(void)state;
	s = cksum_pseudo4(A1, A7, 17, 10);
	s = cksum_add(s, (const uint8_t[]){ 0x19, 0x40, 0x00, 0x09, 0x00, 0x0a }, 6);
	c = cksum_finish(s);	/* payload word that makes the sum ffff */
	pl[0] = (uint8_t)(c >> 8);
	pl[1] = (uint8_t)c;
	assert_int_equal(ippkt_udp4(b, sizeof(b), A1, A7, 6464, 9, pl, 2), 30);
	assert_int_equal(b[26], 0xff);
	assert_int_equal(b[27], 0xff);
}

static void
test_udp6(void **state)
{
	uint8_t b[100];

	(void)state;
	assert_int_equal(ippkt_udp6(b, sizeof(b), C6, S6, 53186, 53, (const uint8_t *)"hi", 2), 50);
	assert_memory_equal(b, UDP6, 50);
	assert_int_equal(ippkt_udp6(b, 49, C6, S6, 53186, 53, (const uint8_t *)"hi", 2), 0);
}

static void
test_ip6_nonext(void **state)
{
	static const uint8_t mac[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
	static const uint8_t any[16] = { 0 };
	uint8_t b[100];
	struct ippkt6 ip;

	(void)state;
	assert_int_equal(ippkt_ip6(b, sizeof(b), C6, any, IPPKT_PROTO_NONE6, mac, 16), 56);
	/* 6 0 00000 | plen 0x0010 | nh 59 | hlim 64 */
	assert_int_equal(b[0], 0x60);
	assert_int_equal(b[4], 0x00);
	assert_int_equal(b[5], 0x10);
	assert_int_equal(b[6], 59);
	assert_int_equal(b[7], 64);
	assert_memory_equal(b + 8, C6, 16);
	assert_memory_equal(b + 24, any, 16);
	assert_memory_equal(b + 40, mac, 16);
	assert_true(ippkt_parse6(b, 56, &ip));
	assert_int_equal(ip.nh, 59);
	assert_int_equal(ip.l4_len, 16);
	assert_int_equal(ip.sport, 0);
	assert_int_equal(ippkt_ip6(b, 55, C6, any, 59, mac, 16), 0);
}

static void
test_icmp6_echo(void **state)
{
	uint8_t b[100];

	(void)state;
	assert_int_equal(ippkt_icmp6_echo(b, sizeof(b), C6, S6, 128, 0x1234, 1,
	    (const uint8_t *)"ab", 2), 50);
	assert_memory_equal(b, ECHO6, 50);
	/* reply: type 129, swapped addresses; verify by summing */
	assert_int_equal(ippkt_icmp6_echo(b, sizeof(b), S6, C6, 129, 0x1234, 1,
	    (const uint8_t *)"ab", 2), 50);
	assert_int_equal(b[40], 129);
	assert_int_equal(cksum_finish(cksum_add(cksum_pseudo6(S6, C6, 58, 10), b + 40, 10)), 0);
}

static void
test_tcp4(void **state)
{
	uint8_t b[100];

	(void)state;
	assert_int_equal(ippkt_tcp4(b, sizeof(b), A7, A1, 3719, 80, 0x01020304, 0, 0x02, NULL, 0), 40);
	assert_memory_equal(b, SYN4, 40);
	assert_int_equal(ippkt_tcp4(b, 39, A7, A1, 3719, 80, 0, 0, 0x02, NULL, 0), 0);
}

static void
test_tcp6(void **state)
{
	uint8_t b[100];
	struct ippkt6 ip;

	(void)state;
	assert_int_equal(ippkt_tcp6(b, sizeof(b), C6, S6, 53186, 80, 7, 9, 0x18,
	    (const uint8_t *)"GET", 3), 63);
	assert_true(ippkt_parse6(b, 63, &ip));
	assert_int_equal(ip.nh, IPPKT_PROTO_TCP);
	assert_int_equal(ip.l4_len, 23);
	assert_int_equal(ip.sport, 53186);
	assert_int_equal(ip.dport, 80);
	assert_int_equal(b[40 + 12], 0x50);	/* data offset 5 */
	assert_int_equal(b[40 + 13], 0x18);
	assert_int_equal(b[40 + 14], 0xff);
	assert_int_equal(b[40 + 7], 7);		/* seq */
	assert_int_equal(b[40 + 11], 9);	/* ack */
	/* odd length: the checksum pads with zero */
	assert_int_equal(cksum_finish(cksum_add(cksum_pseudo6(C6, S6, 6, 23), b + 40, 23)), 0);
}

static void
test_icmp4_error(void **state)
{
	uint8_t b[1200], big[1000];
	struct ippkt4 ip;
	size_t i;

	(void)state;
	assert_int_equal(ippkt_icmp4_error(b, sizeof(b), A7, A1, 3, 2, UDP4, sizeof(UDP4)), 56);
	assert_memory_equal(b, ICMP4_HDR, 28);
	assert_memory_equal(b + 28, UDP4, 28);
	/* too small a buffer */
	assert_int_equal(ippkt_icmp4_error(b, 55, A7, A1, 3, 2, UDP4, sizeof(UDP4)), 0);
	/* a big original: the ICMP packet stops at 576 octets */
	for (i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)i;
	assert_int_equal(ippkt_icmp4_error(b, sizeof(b), A7, A1, 3, 3, big, sizeof(big)), 576);
	assert_int_equal(b[2], 0x02);
	assert_int_equal(b[3], 0x40);
	assert_memory_equal(b + 28, big, 548);
	assert_int_equal(ip4_hdr_verify(b), 0);
	assert_int_equal(cksum_finish(cksum_add(0, b + 20, 556)), 0);
	assert_true(ippkt_parse4(b, 576, &ip));
	assert_int_equal(ip.proto, IPPKT_PROTO_ICMP);
	assert_int_equal(ip.sport, 0);	/* not TCP/UDP: no ports */
	/* 575-byte cap is too small for the 576 packet */
	assert_int_equal(ippkt_icmp4_error(b, 575, A7, A1, 3, 3, big, sizeof(big)), 0);
}

static void
test_parse4(void **state)
{
	uint8_t b[100];
	struct ippkt4 ip;

	(void)state;
	memcpy(b, UDP4, 28);
	assert_true(ippkt_parse4(b, 28, &ip));
	assert_ptr_equal(ip.hdr, b);
	assert_int_equal(ip.hdr_len, 20);
	assert_int_equal(ip.total_len, 28);
	assert_int_equal(ip.proto, 17);
	assert_memory_equal(ip.src, A1, 4);
	assert_memory_equal(ip.dst, A7, 4);
	assert_false(ip.is_fragment);
	assert_ptr_equal(ip.l4, b + 20);
	assert_int_equal(ip.l4_len, 8);
	assert_int_equal(ip.sport, 6464);
	assert_int_equal(ip.dport, 9);
	/* trailing bytes (link padding) are not part of the packet */
	assert_true(ippkt_parse4(b, 60, &ip));
	assert_int_equal(ip.total_len, 28);
	assert_int_equal(ip.l4_len, 8);

	assert_false(ippkt_parse4(b, 27, &ip));		/* shorter than total */
	assert_false(ippkt_parse4(b, 19, &ip));
	assert_false(ippkt_parse4(NULL, 28, &ip));
	b[0] = 0x65;					/* version 6 */
	assert_false(ippkt_parse4(b, 28, &ip));
	b[0] = 0x44;					/* IHL 4 */
	assert_false(ippkt_parse4(b, 28, &ip));
	b[0] = 0x48;					/* IHL 8 > total 28 */
	assert_false(ippkt_parse4(b, 28, &ip));
	b[0] = 0x46;					/* IHL 6: options */
	assert_true(ippkt_parse4(b, 28, &ip));
	assert_int_equal(ip.hdr_len, 24);
	assert_int_equal(ip.l4_len, 4);
	assert_int_equal(ip.sport, 0x0008);		/* ports read after the options */
	b[0] = 0x45;
	b[3] = 19;					/* total < 20 */
	assert_false(ippkt_parse4(b, 28, &ip));
	b[3] = 22;					/* 2 octets of UDP: no ports */
	assert_true(ippkt_parse4(b, 28, &ip));
	assert_int_equal(ip.sport, 0);
	b[3] = 28;
	/* fragments */
	b[6] = 0x20;					/* MF, offset 0: first fragment */
	assert_true(ippkt_parse4(b, 28, &ip));
	assert_true(ip.is_fragment);
	assert_int_equal(ip.sport, 6464);
	b[6] = 0x00;
	b[7] = 0x01;					/* offset 8: later fragment */
	assert_true(ippkt_parse4(b, 28, &ip));
	assert_true(ip.is_fragment);
	assert_int_equal(ip.sport, 0);
	b[6] = 0x40;
	b[7] = 0x00;					/* DF only: not a fragment */
	assert_true(ippkt_parse4(b, 28, &ip));
	assert_false(ip.is_fragment);
}

/* Short buffers exactly as long as given (ASan builds catch any read past). */
static void
test_parse_short_heap(void **state)
{
	struct ippkt4 ip4;
	struct ippkt6 ip6;
	uint8_t *b;
	size_t n;

	(void)state;
	for (n = 1; n < 40; n++) {
		b = malloc(n);
		assert_non_null(b);
		memset(b, 0, n);
		b[0] = 0x45;
		assert_false(ippkt_parse4(b, n, &ip4) && n < 20);
		b[0] = 0x60;
		assert_false(ippkt_parse6(b, n, &ip6));
		free(b);
	}
}

static void
test_parse6(void **state)
{
	uint8_t b[100];
	struct ippkt6 ip;

	(void)state;
	memcpy(b, UDP6, 50);
	assert_true(ippkt_parse6(b, 50, &ip));
	assert_int_equal(ip.total_len, 50);
	assert_int_equal(ip.nh, 17);
	assert_int_equal(ip.hop_limit, 64);
	assert_memory_equal(ip.src, C6, 16);
	assert_memory_equal(ip.dst, S6, 16);
	assert_ptr_equal(ip.l4, b + 40);
	assert_int_equal(ip.l4_len, 10);
	assert_int_equal(ip.sport, 53186);
	assert_int_equal(ip.dport, 53);
	assert_true(ippkt_parse6(b, 90, &ip));		/* trailing bytes ignored */
	assert_int_equal(ip.total_len, 50);

	assert_false(ippkt_parse6(b, 49, &ip));		/* payload length past the end */
	assert_false(ippkt_parse6(b, 39, &ip));
	assert_false(ippkt_parse6(NULL, 50, &ip));
	b[0] = 0x45;
	assert_false(ippkt_parse6(b, 50, &ip));
	b[0] = 0x60;
	b[6] = 58;					/* ICMPv6: no ports */
	assert_true(ippkt_parse6(b, 50, &ip));
	assert_int_equal(ip.sport, 0);
	assert_int_equal(ip.dport, 0);
	b[6] = 6;
	b[5] = 3;					/* TCP, 3 octets: no ports */
	assert_true(ippkt_parse6(b, 50, &ip));
	assert_int_equal(ip.sport, 0);
	b[5] = 0;					/* header only */
	assert_true(ippkt_parse6(b, 40, &ip));
	assert_int_equal(ip.l4_len, 0);
	assert_false(ippkt_parse6(b, 39, &ip));		/* ... but not all of it */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_udp4),
		cmocka_unit_test(test_udp4_zero_checksum),
		cmocka_unit_test(test_udp6),
		cmocka_unit_test(test_ip6_nonext),
		cmocka_unit_test(test_icmp6_echo),
		cmocka_unit_test(test_tcp4),
		cmocka_unit_test(test_tcp6),
		cmocka_unit_test(test_icmp4_error),
		cmocka_unit_test(test_parse4),
		cmocka_unit_test(test_parse6),
		cmocka_unit_test(test_parse_short_heap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
