/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* log.c — see log.h. */
#include "log.h"
#include "tbucket.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

static const char *log_prog = "nat64kit";
static enum log_dest log_dst = LOG_TO_STDERR;
static int log_verbose;
static int log_journal;		/* stderr is the journal: "<N>" prefixes */
/* The debug rate limits: time from log_tick(), one bucket per level. */
static uint64_t log_now_ms, log_summary_ms;
static struct tbucket log_tb[2];
static bool log_tb_ready;
static uint64_t log_dropped, log_dropped_reported;

int
log_journal_stream_is(const char *value, int fd)
{
	unsigned long long dev, ino;
	struct stat st;
	char tail;

	if (value == NULL || sscanf(value, "%llu:%llu%c", &dev, &ino, &tail) != 2)
		return 0;
	if (fstat(fd, &st) != 0)
		return 0;
	return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

void
log_init(const char *progname, enum log_dest dest, int verbose)
{
	log_prog = progname;
	log_dst = dest;
	log_verbose = verbose;
	log_journal = log_journal_stream_is(getenv("JOURNAL_STREAM"), STDERR_FILENO);
	if (dest == LOG_TO_SYSLOG)
		openlog(progname, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

/* A debug line of level (1 or 2) may go out now; counts it if not. */
static bool
log_debug_allowed(int level)
{
	static const double rate[2] = { LOG_DEBUG_RATE, LOG_DEBUG2_RATE };
	static const double burst[2] = { LOG_DEBUG_BURST, LOG_DEBUG2_BURST };

	if (!log_tb_ready) {
		tb_init(&log_tb[0], 1e18, log_now_ms);
		tb_init(&log_tb[1], 1e18, log_now_ms);
		log_summary_ms = log_now_ms;
		log_tb_ready = true;
	}
	if (tb_take(&log_tb[level - 1], rate[level - 1], burst[level - 1], log_now_ms))
		return true;
	log_dropped++;
	return false;
}

uint64_t
log_suppressed(void)
{
	return log_dropped;
}

void
log_tick(const struct clk_now *now)
{
	log_now_ms = now->mono_ms;
	if (log_dropped == log_dropped_reported) {
		log_summary_ms = now->mono_ms;	/* the next count starts now */
		return;
	}
	if (now->mono_ms - log_summary_ms < 1000)
		return;
	log_info("%llu debug lines suppressed in the last %llu ms (rate limit %d/s at -v, "
	    "%d/s at -vv)", (unsigned long long)(log_dropped - log_dropped_reported),
	    (unsigned long long)(now->mono_ms - log_summary_ms), LOG_DEBUG_RATE, LOG_DEBUG2_RATE);
	log_dropped_reported = log_dropped;
	log_summary_ms = now->mono_ms;
}

void
log_setverbose(int verbose)
{
	log_verbose = verbose;
}

int
log_getverbose(void)
{
	return log_verbose;
}

static void
log_vwrite(int pri, const char *fmt, va_list ap, const char *suffix)
{
	char msg[8192];		/* whole: a validator's output, a path and more */

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (log_dst == LOG_TO_SYSLOG) {
		if (suffix)
			syslog(pri, "%s: %s", msg, suffix);
		else
			syslog(pri, "%s", msg);
		return;
	}
	if (log_journal) {
		/* The journal adds the program name itself. */
		if (suffix)
			fprintf(stderr, "<%d>%s: %s\n", pri, msg, suffix);
		else
			fprintf(stderr, "<%d>%s\n", pri, msg);
		return;
	}
	if (suffix)
		fprintf(stderr, "%s: %s: %s\n", log_prog, msg, suffix);
	else
		fprintf(stderr, "%s: %s\n", log_prog, msg);
}

void
log_err(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(LOG_ERR, fmt, ap, strerror(saved));
	va_end(ap);
	errno = saved;
}

void
log_errx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(LOG_ERR, fmt, ap, NULL);
	va_end(ap);
}

void
log_warn(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(LOG_WARNING, fmt, ap, strerror(saved));
	va_end(ap);
	errno = saved;
}

void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(LOG_WARNING, fmt, ap, NULL);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(LOG_INFO, fmt, ap, NULL);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	if (log_verbose < 1 || !log_debug_allowed(1))
		return;
	va_start(ap, fmt);
	log_vwrite(LOG_DEBUG, fmt, ap, NULL);
	va_end(ap);
}

void
log_debug2(const char *fmt, ...)
{
	va_list ap;

	if (log_verbose < 2 || !log_debug_allowed(2))
		return;
	va_start(ap, fmt);
	log_vwrite(LOG_DEBUG, fmt, ap, NULL);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(LOG_ERR, fmt, ap, strerror(saved));
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(LOG_ERR, fmt, ap, NULL);
	va_end(ap);
	exit(1);
}
