/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* ho_audit.h — the handoff audit log: one line per event, exactly the
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
 * At SIGHUP audit_open() opens the path again (logrotate moved the file);
 * it swaps only on success. This stream is separate from diagnostics.
 *
 * With audit-format json (audit_set_json) each event is instead one JSON
 * object on a line, with the facts the text lines leave out:
 *
 *   {"time":"2019-03-18T10:06:28.491727+00:00","event":"created","nat64":"192.0.2.7",
 *    "nat64_port":3719,"client":"2001:db8::17","client_port":53186,
 *    "prefix":"64:ff9b::/96","server":"192.0.2.2","how":"mapped"}
 *
 * "time" is RFC 3339 with the zone offset (UTC, or local time with
 * localtime); "event" is initialized, created or deleted; "server" is the
 * local address of the channel; "how" (created) is mapped (the server
 * chose the port) or adopted (the NAT64 reported the entry); "reason"
 * (deleted) is evicted (least recently used, to make room), replaced (the
 * port went to an adopted entry of another client) or moved (the client's
 * entry was adopted on another port) or forgotten (its channel, dormant
 * the longest, made room for a new one) or banned (its client was banned).
 * Initialized has only time, event, nat64 and server.
 *
 * Bans have two line types of their own (the three above are unchanged):
 *
 *   2026-12-01 20:00:00.123456 Banned 2001:db8::5/128 until 2026-12-01T21:00:00Z reason web abuse
 *   2026-12-01 21:00:00.481516 Unbanned 2001:db8::5/128 expired
 *
 * "until" is the end in UTC (RFC 3339) or "never"; " reason TEXT" is
 * present when a reason was given (printable ASCII without " or \, to the
 * end of the line); Unbanned ends with "expired" or "lifted" (unban). In
 * JSON: {"time":..,"event":"banned","prefix":"2001:db8::5/128",
 * "until":"2026-12-01T21:00:00Z","reason":"web abuse"} and
 * {"time":..,"event":"unbanned","prefix":"2001:db8::5/128","reason":"expired"}.
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
/* Write what is buffered: 0, or -1 with errno (the rest stays buffered). */
int  audit_flush(void);
/* Room for the lines of one more entry change? */
bool audit_room(void);
/* Octets buffered, not yet written. */
size_t audit_pending(void);
/* 0: the original text lines (default); 1: JSON objects. */
void audit_set_json(int json);
void audit_close(void);

/* Write an IPv6 address as inet_ntop(3) would, at p; returns the end.
 * p needs 46 octets. */
char *audit_put_v6(char *p, const uint8_t a[16]);
enum audit_how { AUDIT_MAPPED, AUDIT_ADOPTED };
enum audit_reason { AUDIT_EVICTED, AUDIT_REPLACED, AUDIT_MOVED, AUDIT_FORGOTTEN, AUDIT_BANNED };
/* "evicted", "replaced", "moved", "forgotten", "banned": the reason field's text. */
const char *audit_reason_name(enum audit_reason why);

void audit_initialized(const struct clk_now *now, uint32_t local, uint32_t nat64);
/* local: the channel's server address; prefix: the client's /96 (12 octets). */
void audit_created(const struct clk_now *now, uint32_t local, uint32_t nat64, uint16_t port,
    const uint8_t prefix[12], const uint8_t client[16], uint16_t client_port, enum audit_how how);
void audit_deleted(const struct clk_now *now, uint32_t local, uint32_t nat64, uint16_t port,
    const uint8_t prefix[12], const uint8_t client[16], uint16_t client_port,
    enum audit_reason why);
/* A ban of pfx/len (until_s 0: until lifted), and its end. */
void audit_banned(const struct clk_now *now, const uint8_t pfx[16], unsigned len, int64_t until_s,
    const char *reason);
void audit_unbanned(const struct clk_now *now, const uint8_t pfx[16], unsigned len, bool expired);
/* Failed writes since start (counted, never fatal; the lines are kept). */
uint64_t audit_errors(void);
/* Octets of audit lines that could not be kept (a full buffer, or no
 * file at exit): 0 unless writes failed for a long time. */
uint64_t audit_lost_octets(void);

#endif
