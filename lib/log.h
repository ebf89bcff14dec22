/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* log.h — diagnostics for every nat64kit daemon (OpenBSD log.c style).
 *
 * Foreground: stderr. With --syslog: syslog(3) at each line's priority.
 * When stderr is the systemd journal (JOURNAL_STREAM names stderr's device
 * and inode, systemd.exec(5)), every line starts with its sd-daemon(3)
 * priority prefix ("<3>" error, "<4>" warning, "<6>" info, "<7>" debug)
 * so the journal records the right priority.
 * log_err()/log_warn() append strerror(errno); the *x() forms do not.
 * fatal()/fatalx() log at LOG_ERR (a start that fails is an error of this
 * program, not of the system) and exit(1). log_debug() needs
 * verbose >= 1, log_debug2() verbose >= 2. Debug lines are rate-limited
 * (lib/tbucket.h), each level by its own bucket: level 1 at
 * LOG_DEBUG_RATE lines a second (burst LOG_DEBUG_BURST), level 2 at
 * LOG_DEBUG2_RATE (burst LOG_DEBUG2_BURST), so a flood cannot fill a disk;
 * what is left out is counted, and log_tick() — called by the main loop
 * once per wake-up with its time — logs "N debug lines suppressed" once a
 * second at most. Library code (lib/) never logs: it
 * fills a caller's error buffer and the caller decides.
 * The handoff audit stream (Created/Deleted) is NOT this log; see
 * handoffd/audit.c.
 */
#ifndef NK_LOG_H
#define NK_LOG_H

#include <stdarg.h>
#include <stdint.h>

#include "clock.h"

#define LOG_DEBUG_RATE		100
#define LOG_DEBUG_BURST		500
#define LOG_DEBUG2_RATE		50
#define LOG_DEBUG2_BURST	200

enum log_dest { LOG_TO_STDERR, LOG_TO_SYSLOG };

void log_init(const char *progname, enum log_dest dest, int verbose);
void log_setverbose(int verbose);
int  log_getverbose(void);

void log_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_errx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug2(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void fatalx(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* The time for the debug rate limits; logs the suppressed count (at info)
 * when lines were left out and a second has passed since the last count. */
void log_tick(const struct clk_now *now);
/* Debug lines left out by the rate limits so far. */
uint64_t log_suppressed(void);

/* Whether a JOURNAL_STREAM value ("DEV:INO") names the open descriptor fd;
 * exposed for tests. */
int log_journal_stream_is(const char *value, int fd);

#endif
