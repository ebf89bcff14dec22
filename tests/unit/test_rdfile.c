/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* lib/rdfile.c: what sits at a path a program reads. A FIFO, a directory,
 * a device, a link where none is allowed: refused at once (never blocked
 * on) with "PATH: not a regular file (...)" and EINVAL; absent stays
 * ENOENT; the set-aside name; shared system directories however spelt. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "rdfile.h"

static char dir[64], path[128];

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/nk-rdfile-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/f", dir);
	return 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void
expect_refused(int flags, const char *kind)
{
	char err[256], want[200];
	unsigned char *buf;
	size_t len;

	assert_int_equal(rf_slurp(path, flags, 100, &buf, &len, err, sizeof(err)), -1);
	assert_int_equal(errno, EINVAL);
	snprintf(want, sizeof(want), "%s: not a regular file (%s)", path, kind);
	assert_string_equal(err, want);
}

static void
test_odd_types_refused(void **state)
{
	char err[256];
	unsigned char *buf;
	size_t len;

	(void)state;
	assert_int_equal(mkfifo(path, 0600), 0);	/* no writer: would block without O_NONBLOCK */
	expect_refused(0, "a FIFO");
	unlink(path);
	assert_int_equal(mkdir(path, 0700), 0);
	expect_refused(0, "a directory");
	rmdir(path);
	assert_int_equal(symlink("/dev/zero", path), 0);
	expect_refused(0, "a character device");
	expect_refused(RF_NOFOLLOW, "a symbolic link");
	unlink(path);
	assert_int_equal(symlink("f", path), 0);	/* a loop */
	assert_int_equal(rf_slurp(path, 0, 100, &buf, &len, err, sizeof(err)), -1);
	assert_int_equal(errno, ELOOP);
	expect_refused(RF_NOFOLLOW, "a symbolic link");
	unlink(path);
	assert_int_equal(rf_slurp(path, 0, 100, &buf, &len, err, sizeof(err)), -1);
	assert_int_equal(errno, ENOENT);
}

static void
test_regular_file_and_limits(void **state)
{
	char err[256];
	unsigned char *buf;
	size_t len;
	FILE *f;
	int fd;

	(void)state;
	f = fopen(path, "w");
	fputs("hello\n", f);
	fclose(f);
	assert_int_equal(rf_slurp(path, RF_NOFOLLOW, 100, &buf, &len, err, sizeof(err)), 0);
	assert_int_equal(len, 6);
	assert_string_equal((char *)buf, "hello\n");
	free(buf);
	assert_int_equal(rf_slurp(path, 0, 5, &buf, &len, err, sizeof(err)), -1);
	assert_int_equal(errno, EFBIG);
	assert_non_null(strstr(err, "larger than 5 octets"));
	fd = rf_open(dir, RF_DIR, err, sizeof(err));
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(rf_open(path, RF_DIR, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not a directory"));
	unlink(path);
}

static void
test_set_aside_any_type(void **state)
{
	char aside[256], err[256];
	struct stat st;

	(void)state;
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(rf_set_aside(path, 1700000000, aside, sizeof(aside), err, sizeof(err)), 0);
	assert_non_null(strstr(aside, "/f.corrupt-1700000000"));
	assert_int_equal(lstat(aside, &st), 0);
	assert_true(S_ISFIFO(st.st_mode));
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(rf_set_aside(path, 1, aside, sizeof(aside), err, sizeof(err)), -1);
	assert_non_null(strstr(err, "cannot be set aside"));
}

static void
test_shared_dirs(void **state)
{
	static const char *const shared[] = {
		"/", "//", "/./", "/var/..", "/usr/", "/var//log", "/var/log/.", "/etc", "/home",
		"/var/lib", "/tmp", "/var/lib/../log",
	};
	static const char *const own[] = {
		"/var/lib/nat64-handoffd", "/var/log/nat64-handoffd", "/home/nat64ho/logs",
		"/srv/nat64/state",
	};
	char err[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(shared) / sizeof(shared[0]); i++)
		assert_true(rf_shared_dir(shared[i], err, sizeof(err)));
	assert_non_null(strstr(err, "a directory other programs share"));
	for (i = 0; i < sizeof(own) / sizeof(own[0]); i++)
		assert_false(rf_shared_dir(own[i], err, sizeof(err)));
	assert_false(rf_shared_dir(dir, err, sizeof(err)));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_odd_types_refused),
		cmocka_unit_test(test_regular_file_and_limits),
		cmocka_unit_test(test_set_aside_any_type),
		cmocka_unit_test(test_shared_dirs),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
