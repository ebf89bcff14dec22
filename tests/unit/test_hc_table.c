/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* test_hc_table.c — the control programs' output (lib/rtab.c):
 * aligned text with "-" for no value and numbers to the right, JSON with
 * numbers bare, no value as null and strings escaped, a name/value table
 * as one object. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "rtab.h"

static char *
render(const struct rtab *t, int json, bool as_object)
{
	static char buf[4096];
	FILE *f;

	memset(buf, 0, sizeof(buf));
	f = fmemopen(buf, sizeof(buf) - 1, "w");

	if (json)
		rt_print_json(t, as_object, f, f);
	else
		rt_print_text(t, f);
	fclose(f);
	return buf;
}

static void
test_text_and_json(void **state)
{
	struct rtab *t = rt_create("client:s client_port:n note:s");
	const char *r1[] = { "2001:db8::1", "40001", "" };
	const char *r2[] = { "2001:db8::22", "7", "say \"hi\"\\\n" };

	(void)state;
	rt_add(t, r1);
	rt_add(t, r2);
	assert_int_equal(rt_rows(t), 2);
	assert_string_equal(rt_cell(t, 1, 0), "2001:db8::22");
	assert_string_equal(rt_cell(t, 5, 0), "");
	assert_string_equal(render(t, 0, false),
	    "client        client_port  note\n"
	    "2001:db8::1         40001  -\n"
	    "2001:db8::22            7  say \"hi\"\\\n\n");
	assert_string_equal(render(t, 1, false),
	    "[{\"client\":\"2001:db8::1\",\"client_port\":40001,\"note\":null},\n"
	    " {\"client\":\"2001:db8::22\",\"client_port\":7,\"note\":\"say \\\"hi\\\"\\\\\\u000a\"}]\n");
	rt_destroy(t);
}

static void
test_object_and_empty(void **state)
{
	struct rtab *t = rt_create("name:s value:n");
	const char *r1[] = { "channels", "2" };

	(void)state;
	assert_string_equal(render(t, 0, false), "");
	assert_string_equal(render(t, 1, false), "[]\n");
	rt_add(t, r1);
	rt_note(t, "a note");
	assert_string_equal(render(t, 1, true), "{\"channels\":2}\na note\n");
	rt_destroy(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_and_json),
		cmocka_unit_test(test_object_and_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
