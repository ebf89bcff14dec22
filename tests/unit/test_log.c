/* test_log.c — lib/log.c: sd-daemon(3) priority prefixes when stderr is
 * the journal (JOURNAL_STREAM names it), plain lines otherwise, and the
 * verbose levels. */
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_journal_prefixes),
		cmocka_unit_test(test_plain_when_not_journal),
		cmocka_unit_test(test_journal_stream_parse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
