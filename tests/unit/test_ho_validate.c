/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* Unit tests for handoffd/validate.c: the §9 MAC and its key rotation,
 * the token store (add, rotate, bound; one NAT64 validating many control
 * ports pushes out only its own tokens), the token file (round trip, and
 * every kind of damage refused), and the §9 attenuation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <sodium.h>

#include "ho_validate.h"

#define A_SRV	0xc0000201u	/* 192.0.2.1 */
#define A_NAT	0xc0000207u	/* 192.0.2.7 */

static void
test_mac_and_rotation(void **state)
{
	struct val_state *vs = val_create(16);
	struct clk_now t0 = clk_fake(1000, 1700000000), t;
	uint8_t mac[VAL_MAC_LEN], mac2[VAL_MAC_LEN];
	const uint8_t tok[16] = "token-of-nat64-a";

	(void)state;
	val_mac(vs, &t0, tok, 16, A_NAT, 40000, mac);
	assert_true(val_mac_ok(vs, tok, 16, A_NAT, 40000, mac, 16));
	/* bound to token, address and port */
	assert_false(val_mac_ok(vs, tok, 15, A_NAT, 40000, mac, 16));
	assert_false(val_mac_ok(vs, tok, 16, A_NAT + 1, 40000, mac, 16));
	assert_false(val_mac_ok(vs, tok, 16, A_NAT, 40001, mac, 16));
	assert_false(val_mac_ok(vs, tok, 16, A_NAT, 40000, mac, 15));
	/* no rotation before 30 s */
	t = clk_fake(1000 + VAL_ROTATE_MS - 1, 1700000029);
	assert_false(val_rotate_due(vs, &t));
	/* rotation at 30 s: the old MAC still verifies (previous key) */
	t = clk_fake(1000 + VAL_ROTATE_MS, 1700000030);
	assert_true(val_rotate_due(vs, &t));
	assert_true(val_mac_ok(vs, tok, 16, A_NAT, 40000, mac, 16));
	/* an unused key is not rotated again */
	t = clk_fake(1000 + 10 * VAL_ROTATE_MS, 1700000300);
	assert_false(val_rotate_due(vs, &t));
	/* after a second use and rotation the first MAC is dead */
	val_mac(vs, &t, tok, 16, A_NAT, 40000, mac2);
	assert_memory_not_equal(mac, mac2, 16);
	t = clk_fake(1000 + 11 * VAL_ROTATE_MS, 1700000330);
	assert_true(val_rotate_due(vs, &t));
	assert_false(val_mac_ok(vs, tok, 16, A_NAT, 40000, mac, 16));
	assert_true(val_mac_ok(vs, tok, 16, A_NAT, 40000, mac2, 16));
	val_destroy(vs);
}

static void
test_tokens(void **state)
{
	struct val_state *vs = val_create(3);
	struct clk_now now = clk_fake(0, 1700000000);

	(void)state;
	assert_false(val_token_known(vs, A_SRV, A_NAT, 40000, (const uint8_t *)"T1", 2, &now));
	val_token_add(vs, A_SRV, A_NAT, 40000, (const uint8_t *)"T1", 2, &now);
	assert_true(val_token_known(vs, A_SRV, A_NAT, 40000, (const uint8_t *)"T1", 2, &now));
	/* other port, other server address, other token: unknown */
	assert_false(val_token_known(vs, A_SRV, A_NAT, 40001, (const uint8_t *)"T1", 2, &now));
	assert_false(val_token_known(vs, A_SRV + 1, A_NAT, 40000, (const uint8_t *)"T1", 2, &now));
	assert_false(val_token_known(vs, A_SRV, A_NAT, 40000, (const uint8_t *)"T2", 2, &now));
	/* rotation needs the old token */
	assert_false(val_token_rotate(vs, A_SRV, A_NAT, 40000, (const uint8_t *)"T3", 2,
	    (const uint8_t *)"XX", 2, &now));
	assert_true(val_token_rotate(vs, A_SRV, A_NAT, 40000, (const uint8_t *)"T3", 2,
	    (const uint8_t *)"T1", 2, &now));
	assert_true(val_token_known(vs, A_SRV, A_NAT, 40000, (const uint8_t *)"T3", 2, &now));
	assert_true(val_token_known(vs, A_SRV, A_NAT, 40000, (const uint8_t *)"T1", 2, &now));
	/* an empty token is a token like any other (0..510 accepted) */
	val_token_add(vs, A_SRV, A_NAT, 40002, NULL, 0, &now);
	assert_true(val_token_known(vs, A_SRV, A_NAT, 40002, NULL, 0, &now));
	/* the store is bounded: the least recently seen goes */
	now = clk_fake(0, 1700000100);
	val_token_add(vs, A_SRV, A_NAT, 40003, (const uint8_t *)"T4", 2, &now);
	assert_int_equal(val_token_count(vs), 3);
	now = clk_fake(0, 1700000200);
	val_token_add(vs, A_SRV, A_NAT, 40004, (const uint8_t *)"T5", 2, &now);
	assert_int_equal(val_token_count(vs), 3);
	val_destroy(vs);
}

static char tmpdir[64];

static int
setup_dir(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/nk-val-XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int
teardown_dir(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd);
}

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void
test_file_round_trip(void **state)
{
	struct val_state *a = val_create(16), *b = val_create(16);
	struct clk_now now = clk_fake(5, 1700000000);
	uint8_t tok[510], mac[VAL_MAC_LEN];
	char path[128], err[256];

	(void)state;
	memset(tok, 0x5a, sizeof(tok));
	snprintf(path, sizeof(path), "%s/tokens", tmpdir);
	val_token_add(a, A_SRV, A_NAT, 40000, tok, sizeof(tok), &now);
	val_token_add(a, A_SRV, A_NAT, 40000, (const uint8_t *)"new!", 4, &now);
	val_token_add(a, A_SRV, A_NAT + 1, 1, NULL, 0, &now);
	val_mac(a, &now, tok, 16, A_NAT, 40000, mac);
	assert_true(val_dirty(a));
	assert_int_equal(val_save(a, path, err, sizeof(err)), 0);
	assert_false(val_dirty(a));
	assert_int_equal(val_load(b, path, err, sizeof(err)), 0);
	assert_int_equal(val_token_count(b), 2);
	assert_true(val_token_known(b, A_SRV, A_NAT, 40000, tok, sizeof(tok), &now));
	assert_true(val_token_known(b, A_SRV, A_NAT, 40000, (const uint8_t *)"new!", 4, &now));
	assert_true(val_token_known(b, A_SRV, A_NAT + 1, 1, NULL, 0, &now));
	/* keys survive: a MAC made before the restart verifies after it */
	assert_true(val_mac_ok(b, tok, 16, A_NAT, 40000, mac, 16));
	val_destroy(a);
	val_destroy(b);
}

static void
test_file_damage(void **state)
{
	static const char *const bad[] = {
		"",
		"nat64-handoffd-tokens 2\nend\n",
		"something-else 1\nend\n",
		"nat64-handoffd-tokens 1\n",	/* no end line: truncated */
		"nat64-handoffd-tokens 1\nkey 00 11\nend\n",
		"nat64-handoffd-tokens 1\ntoken 192.0.2.1 192.0.2.7 0 5 aa -\nend\n",
		"nat64-handoffd-tokens 1\ntoken 192.0.2.1 192.0.2.7 70000 5 aa -\nend\n",
		"nat64-handoffd-tokens 1\ntoken 192.0.2.1 192.0.2.999 1 5 aa -\nend\n",
		"nat64-handoffd-tokens 1\ntoken 192.0.2.1 192.0.2.7 1 5 abc -\nend\n",
		"nat64-handoffd-tokens 1\ntoken 192.0.2.1 192.0.2.7 1 5 zz -\nend\n",
		"nat64-handoffd-tokens 1\ntoken 192.0.2.1 192.0.2.7 1 x aa -\nend\n",
		"nat64-handoffd-tokens 1\ntoken 192.0.2.1 192.0.2.7 1 5 aa\nend\n",
		"nat64-handoffd-tokens 1\ntoken 192.0.2.1 192.0.2.7 1 5 aa - extra\nend\n",
		"nat64-handoffd-tokens 1\nend\ntoken 192.0.2.1 192.0.2.7 1 5 aa -\n",
		"nat64-handoffd-tokens 1\nbogus\nend\n",
	};
	char path[128], err[256];
	size_t i;

	(void)state;
	snprintf(path, sizeof(path), "%s/bad", tmpdir);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct val_state *vs = val_create(4);

		write_file(path, bad[i]);
		err[0] = '\0';
		assert_int_equal(val_load(vs, path, err, sizeof(err)), -1);
		assert_true(strlen(err) > 0);
		val_destroy(vs);
	}
	/* a token longer than 510 octets */
	{
		struct val_state *vs = val_create(4);
		FILE *f = fopen(path, "w");
		int k;

		fputs("nat64-handoffd-tokens 1\ntoken 192.0.2.1 192.0.2.7 1 5 ", f);
		for (k = 0; k < 511; k++)
			fputs("ab", f);
		fputs(" -\nend\n", f);
		fclose(f);
		assert_int_equal(val_load(vs, path, err, sizeof(err)), -1);
		val_destroy(vs);
	}
}

/* §9 attenuation (val_attenuate): the counter starts at 2; at 0 a packet
 * is dropped and the counter set to 1 or 2 at random, else it is
 * decremented and the packet answered. */
static void
test_attenuation_sequence(void **state)
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

/* Per cycle 1.5 packets are answered on average and 1 dropped: 60 %
 * answered, 40 % dropped (docs/PROTOCOL.md; the draft's §12 says the
 * reverse). */
#define ATTEN_N 200000

static void
test_attenuation_fraction(void **state)
{
	struct val_state *vs = val_create(16);
	long answered = 0, runs1 = 0, runs2 = 0, run = 0;
	double frac;
	int i;

	(void)state;
	assert_non_null(vs);
	for (i = 0; i < ATTEN_N; i++) {
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
	frac = (double)answered / ATTEN_N;
	print_message("attenuation: %ld of %d unvalidated packets answered (%.2f %%), "
	    "%.2f %% dropped; runs of 1: %ld, runs of 2: %ld\n", answered, ATTEN_N,
	    100 * frac, 100 * (1 - frac), runs1, runs2);
	/* 0.6 expected; the standard deviation at ATTEN_N = 200000 is ~0.0006 */
	assert_true(frac > 0.59 && frac < 0.61);
	/* both refill values occur, about equally */
	assert_true(runs1 > 0 && runs2 > 0);
	assert_true((double)runs1 / (double)(runs1 + runs2) > 0.45);
	assert_true((double)runs1 / (double)(runs1 + runs2) < 0.55);
	val_destroy(vs);
}

/* A host validating many control ports pushes out only its own oldest. */
static void
test_token_quota_per_nat64(void **state)
{
	struct val_state *vs = val_create(8);
	struct clk_now now = clk_fake(0, 1700000000);
	int i;

	(void)state;
	val_token_add(vs, A_SRV, A_NAT, 40000, (const uint8_t *)"GOOD", 4, &now);
	for (i = 0; i < 100; i++) {
		now.wall.tv_sec++;
		val_token_add(vs, A_SRV, 0xcb007101u, (uint16_t)(1024 + i), (const uint8_t *)"EVIL", 4, &now);
	}
	assert_true(val_token_known(vs, A_SRV, A_NAT, 40000, (const uint8_t *)"GOOD", 4, &now));
	assert_int_equal(val_token_count(vs), 8);
	/* the attacker's newest ports are the ones kept */
	assert_true(val_token_known(vs, A_SRV, 0xcb007101u, 1024 + 99, (const uint8_t *)"EVIL", 4, &now));
	assert_false(val_token_known(vs, A_SRV, 0xcb007101u, 1024, (const uint8_t *)"EVIL", 4, &now));
	val_destroy(vs);
}

/* A NAT64 with a socket per worker keeps every control port while the
 * store has room (no fixed per-NAT64 limit); when it is full, the
 * biggest holder gives way, whoever adds. */
static void
test_token_ports_bounded_by_store(void **state)
{
	struct val_state *vs = val_create(24);
	struct clk_now now = clk_fake(0, 1700000000);
	const uint32_t nat2 = 0xcb007102u, nat3 = 0xcb007103u;
	int i;

	(void)state;
	for (i = 0; i < 16; i++) {
		now.wall.tv_sec++;
		val_token_add(vs, A_SRV, A_NAT, (uint16_t)(40000 + i), (const uint8_t *)"WORK", 4, &now);
	}
	assert_int_equal(val_token_count(vs), 16);
	/* two more NAT64s fill the store: 16 + 4 + 4 = 24 */
	for (i = 0; i < 4; i++) {
		now.wall.tv_sec++;
		val_token_add(vs, A_SRV, nat2, (uint16_t)(1000 + i), (const uint8_t *)"TWO!", 4, &now);
		val_token_add(vs, A_SRV, nat3, (uint16_t)(1000 + i), (const uint8_t *)"TRI!", 4, &now);
	}
	assert_int_equal(val_token_count(vs), 24);
	/* a fifth port of nat2: the 16-port NAT64 gives its oldest */
	now.wall.tv_sec++;
	val_token_add(vs, A_SRV, nat2, 1004, (const uint8_t *)"TWO!", 4, &now);
	assert_int_equal(val_token_count(vs), 24);
	assert_false(val_token_known(vs, A_SRV, A_NAT, 40000, (const uint8_t *)"WORK", 4, &now));
	assert_true(val_token_known(vs, A_SRV, A_NAT, 40001, (const uint8_t *)"WORK", 4, &now));
	for (i = 0; i < 5; i++)
		assert_true(val_token_known(vs, A_SRV, nat2, (uint16_t)(1000 + i),
		    (const uint8_t *)"TWO!", 4, &now));
	for (i = 0; i < 4; i++)
		assert_true(val_token_known(vs, A_SRV, nat3, (uint16_t)(1000 + i),
		    (const uint8_t *)"TRI!", 4, &now));
	val_destroy(vs);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mac_and_rotation),
		cmocka_unit_test(test_tokens),
		cmocka_unit_test(test_file_round_trip),
		cmocka_unit_test(test_file_damage),
		cmocka_unit_test(test_attenuation_sequence),
		cmocka_unit_test(test_attenuation_fraction),
		cmocka_unit_test(test_token_quota_per_nat64),
		cmocka_unit_test(test_token_ports_bounded_by_store),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
