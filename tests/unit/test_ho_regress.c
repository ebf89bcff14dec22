/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* Regression tests from the adversarial review of nat64-handoffd: each
 * failed before its fix. EMFILE must not set a good journal aside; an
 * authenticator refresh survives kill -9; a failed audit reopen keeps
 * the old stream; a bad record mid-journal keeps a copy of what is cut;
 * one NAT64 validating many control ports cannot push out another's
 * token. (Dual-stack live ports: test_ho_livecheck.) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <dirent.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <cmocka.h>
#include <sodium.h>

#include "audit.h"
#include "channel.h"
#include "journal.h"
#include "livecheck.h"
#include "validate.h"

#define B_SRV 0xc0000201u	/* 192.0.2.1 */
#define B_NAT 0xc0000207u	/* 192.0.2.7 */

static const uint8_t b_prefix[12] = { 0x00, 0x64, 0xff, 0x9b };

static void
b_client(uint8_t out[16], uint32_t n)
{
	memset(out, 0, 16);
	out[0] = 0x20; out[1] = 0x01; out[2] = 0x0d; out[3] = 0xb8;
	out[15] = (uint8_t)n;
}

static char made[8][64];
static int nmade;

static void
b_tmpdir(char *dir, size_t len)
{
	snprintf(dir, len, "/tmp/nk-regress-XXXXXX");
	assert_non_null(mkdtemp(dir));
	if (nmade < 8)
		snprintf(made[nmade++], sizeof(made[0]), "%s", dir);
}

static int
cleanup(void **state)
{
	char cmd[600];
	int i;

	(void)state;
	for (i = 0; i < nmade; i++) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", made[i]);
		if (system(cmd) != 0)
			return -1;
	}
	return 0;
}

/* Write a journal with n entries on ports 2000.. and close it. */
static void
b_make_journal(const char *path, int n)
{
	uint8_t key[16] = { 0 }, c[16];
	struct ct_table *t = ct_create(100, key);
	struct jr_load_result res;
	struct jr_file *jf;
	struct ct_view v;
	char err[512];
	int i;

	jf = jr_open(path, B_NAT, B_SRV, t, &res, 0, err, sizeof(err));
	assert_non_null(jf);
	for (i = 0; i < n; i++) {
		b_client(c, (uint32_t)i);
		assert_int_equal(ct_insert(t, (uint16_t)(2000 + i), b_prefix, c, 5000, NULL, 0, 1), CT_OK);
		assert_true(ct_get(t, (uint16_t)(2000 + i), &v));
		jr_add_create(jf, &v);
	}
	assert_int_equal(jr_flush(jf, err, sizeof(err)), 0);
	jr_close(jf);
	ct_destroy(t);
}

/* Finding 1: a transient open() failure (EMFILE) must not set a good
 * journal aside: the file must still be there under its .tbl name. */
static void
test_emfile_keeps_journal(void **state)
{
	char dir[64], path[128], err[512];
	uint8_t key[16] = { 0 };
	struct jr_load_result res;
	struct rlimit old, rl;
	struct ct_table *t;
	struct jr_file *jf;
	int fd, first = -1;

	(void)state;
	b_tmpdir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/192.0.2.7-192.0.2.1.tbl", dir);
	b_make_journal(path, 10);
	t = ct_create(100, key);
	getrlimit(RLIMIT_NOFILE, &old);
	rl = old;
	rl.rlim_cur = 64;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &rl), 0);
	while ((fd = open("/dev/null", O_RDONLY)) != -1)
		if (first == -1)
			first = fd;
	jf = jr_open(path, B_NAT, B_SRV, t, &res, 0, err, sizeof(err));
	for (fd = first; fd >= 0 && fd < 64; fd++)
		close(fd);
	setrlimit(RLIMIT_NOFILE, &old);
	jr_close(jf);
	ct_destroy(t);
	assert_int_equal(access(path, F_OK), 0);	/* fails: renamed to .corrupt-<time> */
}

/* Finding 2: an authenticator refresh (adoption or IPv6 packet) must
 * survive kill -9. */
static void
test_auth_refresh_persisted(void **state)
{
	char dir[64], err[512];
	struct clk_now now = clk_fake(1000, 1552903588);
	struct chan_reg *r1, *r2;
	struct chan *ch;
	struct ct_view v;
	uint8_t c[16];

	(void)state;
	b_tmpdir(dir, sizeof(dir));
	assert_int_equal(audit_open(dir, 0, err, sizeof(err)), 0);
	r1 = chan_reg_create(dir, 100, 8, NULL, NULL, err, sizeof(err));
	ch = chan_get_or_create(r1, B_SRV, B_NAT, &now);
	b_client(c, 1);
	assert_true(chan_adopt(r1, ch, 5000, b_prefix, c, 40000, (const uint8_t *)"OLD-AUTH-OLD-AUT", 16, &now));
	chan_flush(r1);
	now.wall.tv_sec += 10;
	assert_true(chan_adopt(r1, ch, 5000, b_prefix, c, 40000, (const uint8_t *)"NEW-AUTH-NEW-AUT", 16, &now));
	chan_flush(r1);
	/* kill -9: r1 is never destroyed (no compaction at exit). */
	r2 = chan_reg_create(dir, 100, 8, NULL, NULL, err, sizeof(err));
	ch = chan_find(r2, B_SRV, B_NAT, &now);
	assert_non_null(ch);
	assert_true(ct_get(ch->t, 5000, &v));
	assert_int_equal(v.auth_len, 16);
	assert_memory_equal(v.auth, "NEW-AUTH-NEW-AUT", 16);	/* fails: OLD-AUTH */
	chan_reg_destroy(r2, &now);
	chan_reg_destroy(r1, &now);
	audit_close();
}

/* Finding 3: a failed audit reopen at SIGHUP (same code as main.c
 * on_reload) must not lose lines silently. */
static void
test_audit_reopen_failure_not_silent(void **state)
{
	char dir[64], logs[96], moved[96], err[512];
	struct clk_now now = clk_fake(1000, 1552903588);
	uint8_t c[16];
	uint64_t errs0;

	(void)state;
	b_tmpdir(dir, sizeof(dir));
	snprintf(logs, sizeof(logs), "%s/logs", dir);
	snprintf(moved, sizeof(moved), "%s/logs.old", dir);
	assert_int_equal(mkdir(logs, 0700), 0);
	assert_int_equal(audit_open(logs, 0, err, sizeof(err)), 0);
	assert_int_equal(rename(logs, moved), 0);
	/* main.c on_reload: new config fails, the running one is reopened. */
	assert_int_equal(audit_open(logs, 0, err, sizeof(err)), -1);
	audit_open(logs, 0, err, sizeof(err));
	errs0 = audit_errors();
	b_client(c, 1);
	audit_created(&now, 0, B_NAT, 5000, c, c, 1, AUDIT_MAPPED);
	audit_flush();
	/* Either the line reached the old file, or the loss is counted. */
	{
		char p[128];
		struct stat st;

		snprintf(p, sizeof(p), "%s/%s", moved, AUDIT_FILE);
		assert_true((stat(p, &st) == 0 && st.st_size > 0) || audit_errors() > errs0);
	}
	audit_close();
}

/* Finding 5: one bad record in the middle must not destroy the good
 * records after it without a copy. */
static void
test_corrupt_middle_keeps_copy(void **state)
{
	char dir[64], path[128], err[512];
	uint8_t key[16] = { 0 }, b;
	struct jr_load_result res;
	struct ct_table *t;
	struct jr_file *jf;
	struct dirent *de;
	DIR *d;
	int fd, copies = 0;

	(void)state;
	b_tmpdir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/192.0.2.7-192.0.2.1.tbl", dir);
	b_make_journal(path, 50);
	fd = open(path, O_RDWR);
	assert_int_equal(pread(fd, &b, 1, JR_HDR_LEN + 30), 1);
	b ^= 1;
	assert_int_equal(pwrite(fd, &b, 1, JR_HDR_LEN + 30), 1);
	close(fd);
	t = ct_create(100, key);
	jf = jr_open(path, B_NAT, B_SRV, t, &res, 0, err, sizeof(err));
	assert_non_null(jf);
	jr_close(jf);
	ct_destroy(t);
	d = opendir(dir);
	while ((de = readdir(d)) != NULL)
		if (strstr(de->d_name, ".corrupt-"))
			copies++;
	closedir(d);
	assert_int_equal(copies, 1);	/* fails: 49 good records cut, no copy */
}

/* A host validating many control ports pushes out only its own oldest. */
static void
test_token_quota_per_nat64(void **state)
{
	struct val_state *vs = val_create(8);
	struct clk_now now = clk_fake(0, 1700000000);
	int i;

	(void)state;
	val_token_add(vs, B_SRV, B_NAT, 40000, (const uint8_t *)"GOOD", 4, &now);
	for (i = 0; i < 100; i++) {
		now.wall.tv_sec++;
		val_token_add(vs, B_SRV, 0xcb007101u, (uint16_t)(1024 + i), (const uint8_t *)"EVIL", 4, &now);
	}
	assert_true(val_token_known(vs, B_SRV, B_NAT, 40000, (const uint8_t *)"GOOD", 4, &now));
	assert_int_equal(val_token_count(vs), 8);
	/* the attacker's newest ports are the ones kept */
	assert_true(val_token_known(vs, B_SRV, 0xcb007101u, 1024 + 99, (const uint8_t *)"EVIL", 4, &now));
	assert_false(val_token_known(vs, B_SRV, 0xcb007101u, 1024, (const uint8_t *)"EVIL", 4, &now));
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
		val_token_add(vs, B_SRV, B_NAT, (uint16_t)(40000 + i), (const uint8_t *)"WORK", 4, &now);
	}
	assert_int_equal(val_token_count(vs), 16);
	/* two more NAT64s fill the store: 16 + 4 + 4 = 24 */
	for (i = 0; i < 4; i++) {
		now.wall.tv_sec++;
		val_token_add(vs, B_SRV, nat2, (uint16_t)(1000 + i), (const uint8_t *)"TWO!", 4, &now);
		val_token_add(vs, B_SRV, nat3, (uint16_t)(1000 + i), (const uint8_t *)"TRI!", 4, &now);
	}
	assert_int_equal(val_token_count(vs), 24);
	/* a fifth port of nat2: the 16-port NAT64 gives its oldest */
	now.wall.tv_sec++;
	val_token_add(vs, B_SRV, nat2, 1004, (const uint8_t *)"TWO!", 4, &now);
	assert_int_equal(val_token_count(vs), 24);
	assert_false(val_token_known(vs, B_SRV, B_NAT, 40000, (const uint8_t *)"WORK", 4, &now));
	assert_true(val_token_known(vs, B_SRV, B_NAT, 40001, (const uint8_t *)"WORK", 4, &now));
	for (i = 0; i < 5; i++)
		assert_true(val_token_known(vs, B_SRV, nat2, (uint16_t)(1000 + i),
		    (const uint8_t *)"TWO!", 4, &now));
	for (i = 0; i < 4; i++)
		assert_true(val_token_known(vs, B_SRV, nat3, (uint16_t)(1000 + i),
		    (const uint8_t *)"TRI!", 4, &now));
	val_destroy(vs);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_emfile_keeps_journal),
		cmocka_unit_test(test_auth_refresh_persisted),
		cmocka_unit_test(test_audit_reopen_failure_not_silent),
		cmocka_unit_test(test_token_quota_per_nat64),
		cmocka_unit_test(test_token_ports_bounded_by_store),
		cmocka_unit_test(test_corrupt_middle_keeps_copy),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, cleanup);
}
