/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* test_promtext.c — lib/promtext.c: the exposition lines byte by byte,
 * label values escaped (backslash, double quote, newline) and never cut
 * in the middle. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "atomicfile.h"
#include "promtext.h"

static void
test_lines(void **state)
{
	char dir[] = "/tmp/nk-pt.XXXXXX", path[64], lab[64] = "", err[256];
	unsigned char *text;
	struct afile *af;
	size_t len;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/x.prom", dir);
	assert_non_null(af = afile_begin(path, 0644, err, sizeof(err)));
	pt_build_info(af, "nk_test");
	pt_one(af, "nk_test_rx_total", PT_COUNTER, "Packets received.", 18446744073709551615ull);
	pt_family(af, "nk_test_up", PT_GAUGE, "1 if up.");
	assert_true(pt_label(lab, sizeof(lab), "server", "192.0.2.1"));
	assert_true(pt_label(lab, sizeof(lab), "state", "a\"b\\c\nd"));
	pt_u64(af, "nk_test_up", lab, 1);
	pt_double(af, "nk_test_ratio", NULL, 0.25, 3);
	pt_int(af, "nk_test_matches", "", -1);
	assert_int_equal(afile_commit(af, err, sizeof(err)), 0);
	assert_int_equal(afile_slurp(path, 1 << 20, &text, &len), 0);
	assert_string_equal((char *)text,
	    "# HELP nk_test_build_info The running version.\n"
	    "# TYPE nk_test_build_info gauge\n"
	    "nk_test_build_info{version=\"" NK_VERSION "\"} 1\n"
	    "# HELP nk_test_rx_total Packets received.\n"
	    "# TYPE nk_test_rx_total counter\n"
	    "nk_test_rx_total 18446744073709551615\n"
	    "# HELP nk_test_up 1 if up.\n"
	    "# TYPE nk_test_up gauge\n"
	    "nk_test_up{server=\"192.0.2.1\",state=\"a\\\"b\\\\c\\nd\"} 1\n"
	    "nk_test_ratio 0.250\n"
	    "nk_test_matches -1\n");
	free(text);
	unlink(path);
	rmdir(dir);
}

/* A label that does not fit leaves the buffer as it was, for every size. */
static void
test_label_bounds(void **state)
{
	char buf[40];
	size_t len, want = strlen("a=\"1\",server=\"198.51.100.17\"") + 1;

	(void)state;
	for (len = 1; len <= sizeof(buf); len++) {
		memset(buf, 'x', sizeof(buf));
		buf[0] = '\0';
		if (len > strlen("a=\"1\"")) {
			assert_true(pt_label(buf, len, "a", "1"));
		} else {
			assert_false(pt_label(buf, len, "a", "1"));
			continue;
		}
		if (len >= want) {
			assert_true(pt_label(buf, len, "server", "198.51.100.17"));
			assert_string_equal(buf, "a=\"1\",server=\"198.51.100.17\"");
		} else {
			assert_false(pt_label(buf, len, "server", "198.51.100.17"));
			assert_string_equal(buf, "a=\"1\"");
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_label_bounds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
