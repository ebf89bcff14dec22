/* log.h — diagnostics for every nat64kit daemon (OpenBSD log.c style).
 *
 * Foreground: stderr. Daemon under systemd or with --syslog: syslog(3).
 * log_warn() appends strerror(errno); log_warnx() does not.
 * fatal()/fatalx() log and exit(1). Library code (lib/) never logs: it
 * fills a caller's error buffer and the caller decides.
 * The handoff audit stream (Created/Deleted) is NOT this log; see
 * handoffd/audit.c.
 */
#ifndef NK_LOG_H
#define NK_LOG_H

#include <stdarg.h>

enum log_dest { LOG_TO_STDERR, LOG_TO_SYSLOG };

void log_init(const char *progname, enum log_dest dest, int verbose);
void log_setverbose(int verbose);
int  log_getverbose(void);

void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void fatalx(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
