/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* Unit tests for healthd/persist.c: the selection file round trip, and
 * every kind of bad file refused with file:line (never trusted). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "hd_persist.h"

static void
test_round_trip(void **state)
{
	char dir[] = "/tmp/nk-hdpersist.XXXXXX", path[64], err[256];
	struct hd_saved s, l;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/sel", dir);
	/* absent: an empty state */
	assert_int_equal(hd_persist_load(path, &l, err, sizeof(err)), 0);
	assert_int_equal(l.want.n + l.applied.n + l.up.n, 0);
	memset(&s, 0, sizeof(s));
	hd_strv_add(&s.want, "2001:db8:64:3::/96");
	hd_strv_add(&s.want, "2001:db8:64:1::/96");
	hd_strv_add(&s.applied, "2001:db8:64:3::/96");
	hd_strv_add(&s.up, "2001:db8:64:1::/96");
	hd_strv_add(&s.up, "2001:db8:100::/40");
	assert_int_equal(hd_persist_save(path, &s, err, sizeof(err)), 0);
	assert_int_equal(hd_persist_load(path, &l, err, sizeof(err)), 0);
	assert_int_equal(l.want.n, 2);
	assert_string_equal(l.want.v[0], "2001:db8:64:3::/96");
	assert_string_equal(l.want.v[1], "2001:db8:64:1::/96");
	assert_int_equal(l.applied.n, 1);
	assert_int_equal(l.up.n, 2);
	assert_string_equal(l.up.v[1], "2001:db8:100::/40");
	hd_saved_free(&l);
	hd_saved_free(&s);
	unlink(path);
	rmdir(dir);
}

static void
test_rejects(void **state)
{
	static const struct { const char *text, *err; } bad[] = {
		{ "", "f: empty" },
		{ "# nat64-healthd status v1\n", "f:1: not a nat64-healthd selection file" },
		{ "# nat64-healthd selection v1\nwant 2001:db8:64:1::\n", "f:2: '2001:db8:64:1::' is not" },
		{ "# nat64-healthd selection v1\nwant 2001:db8:64:01::/96\n", "f:2: '2001:db8:64:01::/96'" },
		{ "# nat64-healthd selection v1\nup ff02::/96\n", "f:2: 'ff02::/96' is not a NAT64" },
		{ "# nat64-healthd selection v1\nup 2001:db8:64:1::/80\n", "f:2:" },
		{ "# nat64-healthd selection v1\nwant\nwant\n", "f:3: unexpected 'want'" },
		{ "# nat64-healthd selection v1\nselected 1\n", "f:2: unexpected 'selected'" },
		{ "# nat64-healthd selection v1\nwant 2001:db8::/96\0x\n", "NUL byte" },
	};
	struct hd_saved l;
	char err[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		size_t len = strlen(bad[i].text);

		if (strstr(bad[i].err, "NUL"))
			len += 3;
		err[0] = '\0';
		assert_int_equal(hd_persist_parse("f", bad[i].text, len, &l, err, sizeof(err)), -1);
		if (strstr(err, bad[i].err) == NULL)
			fail_msg("case %zu: wanted '%s', got '%s'", i, bad[i].err, err);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_rejects),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
