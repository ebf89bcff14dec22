/* audit.h — the handoff audit log: one line per event, exactly the
 * original nat64handoff server's format:
 *
 *   2019-03-18 10:06:28.436754 Initialized 192.0.2.7
 *   2019-03-18 10:06:28.491727 Created 192.0.2.7:3719 [2001:db8::17]:53186
 *   2019-03-18 15:22:02.062254 Deleted 192.0.2.9:47102 [2001:db8::75]:33131
 *
 * Stamps are UTC unless --localtime. Written to LOG_DIR/nat64-handoff.log
 * (O_APPEND) or, without a log directory, to standard output. Lines are
 * gathered per receive batch and written with one write(2) by
 * audit_flush(), which the server calls before it answers, so every
 * answered entry's line is in the kernel before the answer leaves. A
 * failed write (ENOSPC, EIO) keeps the lines for the next flush: they are
 * never dropped while the buffer has room, and audit_room() turns false
 * well before it is full, which pauses new entries (channel.c). A write
 * cut short mid-line is taken back to the last whole line, and a line torn
 * by a crash is cut off when the file is opened: the log holds whole lines
 * only.
 * audit_reopen() after logrotate moved the file (SIGHUP). This stream is
 * separate from diagnostics.
 */
#ifndef NK_AUDIT_H
#define NK_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "clock.h"

#define AUDIT_FILE "nat64-handoff.log"

/* log_dir NULL: standard output. Returns 0 or -1 with err. */
int  audit_open(const char *log_dir, int localtime, char *err, size_t errlen);
int  audit_reopen(char *err, size_t errlen);
/* Write what is buffered: 0, or -1 with errno (the rest stays buffered). */
int  audit_flush(void);
/* Room for the lines of one more entry change? */
bool audit_room(void);
/* Octets buffered, not yet written. */
size_t audit_pending(void);
void audit_close(void);

/* Write an IPv6 address as inet_ntop(3) would, at p; returns the end.
 * p needs 46 octets. */
char *audit_put_v6(char *p, const uint8_t a[16]);
void audit_initialized(const struct clk_now *now, uint32_t nat64);
void audit_created(const struct clk_now *now, uint32_t nat64, uint16_t port,
    const uint8_t client[16], uint16_t client_port);
void audit_deleted(const struct clk_now *now, uint32_t nat64, uint16_t port,
    const uint8_t client[16], uint16_t client_port);
/* Failed writes since start (counted, never fatal; the lines are kept). */
uint64_t audit_errors(void);
/* Octets of audit lines that could not be kept (a full buffer, or no
 * file at exit): 0 unless writes failed for a long time. */
uint64_t audit_lost_octets(void);

#endif
