/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* Unit tests for handoffd/validate.c: the §9 MAC and its key rotation,
 * the token store (add, rotate, bound), and the
 * token file (round trip, and every kind of damage refused). */
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

#include "validate.h"

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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mac_and_rotation),
		cmocka_unit_test(test_tokens),
		cmocka_unit_test(test_file_round_trip),
		cmocka_unit_test(test_file_damage),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
