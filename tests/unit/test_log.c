/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* test_log.c — lib/log.c: sd-daemon(3) priority prefixes when stderr is
 * the journal (JOURNAL_STREAM names it), plain lines otherwise, and the
 * verbose levels and their rate limits. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "log.h"

/* Point stderr at a fresh temporary file; returns the saved stderr. */
static int
stderr_to_file(FILE **f)
{
	int saved = dup(STDERR_FILENO);

	fflush(stderr);
	*f = tmpfile();
	assert_non_null(*f);
	assert_int_equal(dup2(fileno(*f), STDERR_FILENO), STDERR_FILENO);
	return saved;
}

static void
stderr_restore(int saved, FILE *f, char *out, size_t cap)
{
	size_t n;

	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	rewind(f);
	n = fread(out, 1, cap - 1, f);
	out[n] = '\0';
	fclose(f);
}

static void
set_journal_stream(int fd)
{
	struct stat st;
	char v[64];

	assert_int_equal(fstat(fd, &st), 0);
	snprintf(v, sizeof(v), "%llu:%llu", (unsigned long long)st.st_dev,
	    (unsigned long long)st.st_ino);
	setenv("JOURNAL_STREAM", v, 1);
}

static void
test_journal_prefixes(void **state)
{
	char out[1024];
	FILE *f;
	int saved;

	(void)state;
	saved = stderr_to_file(&f);
	set_journal_stream(STDERR_FILENO);
	log_init("nk-test", LOG_TO_STDERR, 2);
	log_errx("cannot open %s", "x.conf");
	log_warnx("warned");
	log_info("started");
	log_debug("level one");
	log_debug2("level two");
	stderr_restore(saved, f, out, sizeof(out));
	unsetenv("JOURNAL_STREAM");
	assert_string_equal(out, "<3>cannot open x.conf\n<4>warned\n<6>started\n"
	    "<7>level one\n<7>level two\n");
}

static void
test_plain_when_not_journal(void **state)
{
	char out[1024];
	FILE *f;
	int saved;

	(void)state;
	/* A JOURNAL_STREAM inherited from a parent whose stderr was the
	 * journal, while ours is a file: no prefixes. */
	setenv("JOURNAL_STREAM", "1:2", 1);
	saved = stderr_to_file(&f);
	log_init("nk-test", LOG_TO_STDERR, 1);
	log_errx("bad");
	log_info("fine");
	log_debug("one");
	log_debug2("two");
	stderr_restore(saved, f, out, sizeof(out));
	unsetenv("JOURNAL_STREAM");
	assert_string_equal(out, "nk-test: bad\nnk-test: fine\nnk-test: one\n");
}

static void
test_journal_stream_parse(void **state)
{
	(void)state;
	assert_int_equal(log_journal_stream_is(NULL, STDERR_FILENO), 0);
	assert_int_equal(log_journal_stream_is("", STDERR_FILENO), 0);
	assert_int_equal(log_journal_stream_is("12", STDERR_FILENO), 0);
	assert_int_equal(log_journal_stream_is("12:34x", STDERR_FILENO), 0);
	assert_int_equal(log_journal_stream_is("12:34", -1), 0);
}

/* Count the lines of out that start with prefix. */
static int
count_lines(const char *out, const char *prefix)
{
	const char *p = out;
	int n = 0;

	while (*p) {
		if (strncmp(p, prefix, strlen(prefix)) == 0)
			n++;
		p = strchr(p, '\n');
		if (p == NULL)
			break;
		p++;
	}
	return n;
}

/* A flood of level-2 lines: the burst, then the rate; the rest counted and
 * reported once a second by log_tick(); level 1 has its own bucket. */
static void
test_debug_rate_limit(void **state)
{
	static char out[256 * 1024];
	struct clk_now now = clk_fake(1000000, 0);
	FILE *f;
	int saved, i;

	(void)state;
	saved = stderr_to_file(&f);
	set_journal_stream(STDERR_FILENO);
	log_init("nk-test", LOG_TO_STDERR, 2);
	log_tick(&now);
	for (i = 0; i < 10 * LOG_DEBUG2_BURST; i++)
		log_debug2("entry %d", i);
	log_debug("level one still goes out");
	now.mono_ms += 1000;			/* one second later */
	log_tick(&now);
	for (i = 0; i < 10 * LOG_DEBUG2_BURST; i++)
		log_debug2("entry %d", i);
	now.mono_ms += 500;			/* too soon for another summary */
	log_tick(&now);
	now.mono_ms += 600;
	log_tick(&now);
	stderr_restore(saved, f, out, sizeof(out));
	unsetenv("JOURNAL_STREAM");
	/* burst + one second's worth */
	assert_int_equal(count_lines(out, "<7>entry "), LOG_DEBUG2_BURST + LOG_DEBUG2_RATE);
	assert_int_equal(count_lines(out, "<7>level one still goes out"), 1);
	assert_int_equal(count_lines(out, "<6>"), 2);
	assert_non_null(strstr(out, "<6>1800 debug lines suppressed in the last 1000 ms"));
	assert_non_null(strstr(out, "<6>1950 debug lines suppressed in the last 1100 ms"));
	assert_int_equal(log_suppressed(), 1800 + 1950);
}

/* A flood of level-1 lines (at -v and at -vv): the level-1 burst, then
 * nothing until the bucket refills; level 2 keeps its own bucket. */
static void
test_debug_rate_limit_level1(void **state)
{
	static char out[256 * 1024];
	struct clk_now now = clk_fake(50000000, 0);	/* long after: buckets full */
	uint64_t before = log_suppressed();
	FILE *f;
	int saved, i;

	(void)state;
	saved = stderr_to_file(&f);
	set_journal_stream(STDERR_FILENO);
	log_init("nk-test", LOG_TO_STDERR, 1);
	log_tick(&now);
	for (i = 0; i < 10 * LOG_DEBUG_BURST; i++)
		log_debug("server %d", i);
	log_debug2("not at -v");
	now.mono_ms += 60000;			/* a minute: full again */
	log_tick(&now);
	log_setverbose(2);
	for (i = 0; i < 10 * LOG_DEBUG_BURST; i++)
		log_debug("event %d", i);
	log_debug2("level two still goes out");
	stderr_restore(saved, f, out, sizeof(out));
	unsetenv("JOURNAL_STREAM");
	assert_int_equal(count_lines(out, "<7>server "), LOG_DEBUG_BURST);
	assert_int_equal(count_lines(out, "<7>event "), LOG_DEBUG_BURST);
	assert_int_equal(count_lines(out, "<7>not at -v"), 0);
	assert_int_equal(count_lines(out, "<7>level two still goes out"), 1);
	assert_int_equal(log_suppressed() - before, 2 * 9 * LOG_DEBUG_BURST);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_journal_prefixes),
		cmocka_unit_test(test_plain_when_not_journal),
		cmocka_unit_test(test_journal_stream_parse),
		cmocka_unit_test(test_debug_rate_limit),
		cmocka_unit_test(test_debug_rate_limit_level1),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
