/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* ho_ban.h — bans by real IPv6 client, and the ports of banned clients held
 * back from reuse (docs/PROTOCOL.md "Bans").
 *
 * A ban is an IPv6 prefix /32../128 with an optional end (wall-clock
 * seconds) and a reason. The server answers a banned client's packets
 * with an ICMPv6 administratively prohibited (server.c) and deletes its
 * entries (channel.c); each freed port is *quarantined*: it is handed to
 * no client until the NAT64 can no longer hold a cached copy of the
 * banned entry, i.e. for the quarantine time after the ban, extended
 * while this host still has a live TCP connection on that port (a NAT64
 * that still carries the connection keeps refreshing its copy).
 *
 * Bans and quarantined ports are kept in one text file, STATE/bans,
 * rewritten atomically (lib/atomicfile) on every change, before the
 * change is acted on: a ban is answered "ok" only once on disk, and a
 * port is quarantined on disk before the Deleted record of its entry can
 * reach the journal. Time is passed in (now_s, wall-clock seconds); this
 * module never reads a clock and never logs.
 */
#ifndef NK_BAN_H
#define NK_BAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ho_livecheck.h"

#define BAN_FILE		"bans"
#define BAN_MIN_LEN		32		/* the widest prefix that may be banned */
#define BAN_REASON_MAX		100		/* octets of printable ASCII, no " or \ */
#define BAN_QUAR_MAX		(1u << 18)	/* quarantined ports, all channels */
#define BAN_DEFAULT_MAX		"1024"
#define BAN_DEFAULT_QUARANTINE	"7440s"	/* RFC 6146 §4: TCP_EST, the least idle time of an established TCP session */

struct ban {
	uint8_t pfx[16];	/* host bits zero */
	uint8_t len;		/* 32..128 */
	int64_t since_s;
	int64_t until_s;	/* 0: until lifted */
	char reason[BAN_REASON_MAX + 1];
};

enum ban_err {
	BAN_OK = 0,
	BAN_E_LEN,		/* prefix shorter than /32 or longer than /128 */
	BAN_E_FULL,		/* max-bans reached */
	BAN_E_REASON,		/* too long, or a character outside printable ASCII, " or \ */
	BAN_E_PAST,		/* the end is not in the future */
};

struct ban_table;

/* path: the file (STATE/bans). quarantine_s: how long a freed port waits. */
struct ban_table *ban_create(const char *path, uint32_t max_bans, uint32_t quarantine_s);
void ban_destroy(struct ban_table *bt);
void ban_set_limits(struct ban_table *bt, uint32_t max_bans, uint32_t quarantine_s);

/* The ban covering client at now_s (an expired one covers nothing), or NULL. */
const struct ban *ban_match(const struct ban_table *bt, const uint8_t client[16], int64_t now_s);
/* Ban pfx/len (host bits are cleared). An existing ban of exactly that
 * prefix is replaced (new end and reason). *replaced tells. */
enum ban_err ban_add(struct ban_table *bt, const uint8_t pfx[16], int len, int64_t until_s,
    const char *reason, int64_t now_s, bool *replaced);
/* The ban of exactly pfx/len (host bits ignored), or NULL. */
struct ban *ban_lookup(struct ban_table *bt, const uint8_t pfx[16], int len);
/* Lift the ban of exactly pfx/len; false if there is none. */
bool ban_remove(struct ban_table *bt, const uint8_t pfx[16], int len);
/* Put back a ban just removed (its lifting could not be saved), whatever
 * max-bans now is. */
void ban_restore(struct ban_table *bt, const struct ban *b);
uint32_t ban_count(const struct ban_table *bt);
const struct ban *ban_get(const struct ban_table *bt, uint32_t i);
/* Bans that have ended by now_s are removed and copied to out[] (at most
 * max; the rest at the next call). Returns how many. */
uint32_t ban_expire(struct ban_table *bt, int64_t now_s, struct ban *out, uint32_t max);
const char *ban_strerror(enum ban_err e);
/* "P/LEN" as inet_ntop writes P (buf: at least 50 octets). */
char *ban_fmt_prefix(const struct ban *b, char *buf, size_t len);

/* Hold port of channel (local, nat64) back until now_s + quarantine (or
 * later, if it is held already). false if BAN_QUAR_MAX ports are held. */
bool ban_quarantine(struct ban_table *bt, uint32_t local, uint32_t nat64, uint16_t port,
    int64_t now_s);
bool ban_quarantined(const struct ban_table *bt, uint32_t local, uint32_t nat64, uint16_t port);
uint32_t ban_quarantine_count(const struct ban_table *bt);
/* Ports whose time is up at now_s are released, except those on which
 * live (if not NULL) reports a TCP connection: they wait another
 * quarantine time. Returns how many were released. */
uint32_t ban_release(struct ban_table *bt, int64_t now_s, live_query_fn *live, void *live_arg);

/* Before ban_release, with both clocks: a quarantine lasts its time on
 * the monotonic clock, as the NAT64's cache does, so when the wall clock
 * jumps forward (wall minus monotonic grows by more than a second) every
 * quarantined port's end moves forward as much. A backward jump only
 * makes the quarantine longer. Jumps while the server is down are not
 * seen. */
void ban_clock(struct ban_table *bt, int64_t wall_s, uint64_t mono_ms);

/* Something changed since the last ban_save()/ban_load(). */
bool ban_dirty(const struct ban_table *bt);
int  ban_save(struct ban_table *bt, char *err, size_t errlen);
/* Replace the contents with the file's. -1 with errno ENOENT (absent: an
 * empty table), EINVAL (damaged: the table holds every well-formed line
 * before the end line, none if the header is not ours; the caller sets
 * the file aside and saves what was kept) or another (unreadable, an
 * empty table), and err. */
int  ban_load(struct ban_table *bt, char *err, size_t errlen);
/* Parse a file's contents (ban_load's work, without the file; the fuzz
 * target and tests use it). 0, or -1 with err (damaged: see ban_load). */
int  ban_parse(struct ban_table *bt, const char *text, size_t len, char *err, size_t errlen);

#endif
