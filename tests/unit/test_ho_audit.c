/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* test_ho_audit.c — handoffd/audit.c. Client addresses are written
 * without printf (audit_put_v6); the text must be exactly what
 * inet_ntop(3) writes: every pattern of zero/non-zero words with several
 * word values (longest-run and tie rules of RFC 5952, ::a.b.c.d and
 * ::ffff:a.b.c.d), then random addresses rich in zero words. A failed
 * reopen at SIGHUP keeps the old stream or counts the loss. */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "ho_audit.h"

static int
check(const uint8_t a[16])
{
	char want[INET6_ADDRSTRLEN], got[64];

	inet_ntop(AF_INET6, a, want, sizeof(want));
	*audit_put_v6(got, a) = '\0';
	if (strcmp(want, got) != 0) {
		print_error("inet_ntop '%s', audit_put_v6 '%s'\n", want, got);
		return 1;
	}
	return 0;
}

static void
test_every_zero_pattern(void **state)
{
	static const unsigned vals[] = { 1, 0xffff, 0x10, 0x100, 0x1000, 0xabc, 0x2001, 0xfffe };
	uint8_t a[16];
	int m, v, v2, i, bad = 0;

	(void)state;
	for (m = 0; m < 256; m++)
		for (v = 0; v < 8; v++)
			for (v2 = 0; v2 < 8; v2++) {
				for (i = 0; i < 8; i++) {
					unsigned w = (m >> i & 1) ? ((i & 1) ? vals[v] : vals[v2]) : 0;

					a[2 * i] = (uint8_t)(w >> 8);
					a[2 * i + 1] = (uint8_t)w;
				}
				bad += check(a);
			}
	assert_int_equal(bad, 0);
}

static void
test_random_addresses(void **state)
{
	uint8_t a[16];
	long k;
	int i, bad = 0;
	unsigned seed = 12345;

	(void)state;
	for (k = 0; k < 300000; k++) {
		for (i = 0; i < 16; i++) {
			seed = seed * 1103515245u + 12345u;
			a[i] = (seed >> 16) % 3 ? 0 : (uint8_t)(seed >> 8);
		}
		bad += check(a);
	}
	assert_int_equal(bad, 0);
}

/* A failed reopen at SIGHUP (main.c's on_reload: the new path fails, the
 * running one is opened again) never loses lines silently: they reach
 * the old file or the loss is counted. */
static void
test_reopen_failure_not_silent(void **state)
{
	char dir[64], logs[96], moved[96], p[128], err[512], cmd[128];
	struct clk_now now = clk_fake(1000, 1552903588);
	uint8_t c[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	struct stat st;
	uint64_t errs0;

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/nk-audit-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(logs, sizeof(logs), "%s/logs", dir);
	snprintf(moved, sizeof(moved), "%s/logs.old", dir);
	assert_int_equal(mkdir(logs, 0700), 0);
	assert_int_equal(audit_open(logs, 0, err, sizeof(err)), 0);
	assert_int_equal(rename(logs, moved), 0);
	assert_int_equal(audit_open(logs, 0, err, sizeof(err)), -1);
	audit_open(logs, 0, err, sizeof(err));
	errs0 = audit_errors();
	audit_created(&now, 0, 0xc0000207u, 5000, c, c, 1, AUDIT_MAPPED);
	audit_flush();
	snprintf(p, sizeof(p), "%s/%s", moved, AUDIT_FILE);
	assert_true((stat(p, &st) == 0 && st.st_size > 0) || audit_errors() > errs0);
	audit_close();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_zero_pattern),
		cmocka_unit_test(test_random_addresses),
		cmocka_unit_test(test_reopen_failure_not_silent),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
