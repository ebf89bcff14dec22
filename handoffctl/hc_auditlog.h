/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* hc_auditlog.h — nat64-handoffd's audit logs read back as a time index.
 *
 * The one reader of the audit formats (handoffd/ho_audit.h): the original
 * text lines and the JSON objects of audit-format json, from the current
 * file and the rotated ones (name.1, name.2.gz, name-20261201.gz ...;
 * gzip through zlib). Every Created/Deleted event goes into one array
 * sorted by (NAT64 address, port, time); a question "who held NAT64:PORT
 * during [lo, hi]" walks that key's events and rebuilds the entries'
 * lifetimes, right across evictions, adoptions and restarts (a restart
 * writes nothing: an entry simply lives on). whois and annotate both ask
 * through al_query().
 *
 * Text lines carry no zone and no server address: their stamps are read
 * in UTC or, with localtime, in this process's local zone (the server's
 * configuration says which), and their entries have no server. Memory:
 * 56 octets per event and a (NAT64, port) hash table of at most 32 more,
 * whatever the input the index is asked about.
 */
#ifndef NK_AUDITLOG_H
#define NK_AUDITLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AL_MAX_CAND	16
/* A NAT64 may map a connection itself and tell the server afterwards
 * (the first connection before validation, or while the server is
 * unreachable): the server adopts the entry and logs Created then. An
 * entry not known to be server-mapped is therefore taken to have existed
 * up to this long before its Created line, never before the previous
 * event on its port. */
#define AL_ADOPT_SLACK_US	(60 * 1000000LL)

enum al_type { AL_INITIALIZED = 1, AL_CREATED, AL_DELETED };
/* how (created) and reason (deleted), as in the JSON lines; 0: not said */
enum al_detail { AL_D_NONE, AL_D_MAPPED, AL_D_ADOPTED, AL_D_EVICTED, AL_D_REPLACED, AL_D_MOVED,
    AL_D_FORGOTTEN };

struct al_event {
	int64_t t_us;			/* microseconds since 1970, UTC */
	uint32_t nat64, server;		/* host order */
	uint16_t port, client_port;
	uint8_t type, detail;
	bool has_server, has_prefix;
	uint32_t seq;			/* order read, oldest file first */
	uint8_t client[16];
	uint8_t prefix[12];
};

/* Parse one line (without '\n'). localtime: text stamps are local time.
 * Returns 1 with *e filled, 0 for a line that is valid but no entry
 * event (Initialized, Banned, Unbanned), -1 if malformed. */
int al_parse_line(const char *s, size_t n, bool localtime, struct al_event *e);

/* Dotted-quad IPv4 of exactly n octets, fast (annotate parses one a
 * line). true with *a in host order. */
bool al_parse_v4(const char *s, size_t n, uint32_t *a);
/* "YYYY-MM-DD[T ]HH:MM:SS[.frac][Z|+HH:MM|-HH:MM]" or "@SECONDS[.frac]".
 * Without a zone the time is UTC, or local time if localtime. Returns
 * 0 (and whether a zone was given) or -1. */
int al_parse_time(const char *s, bool localtime, int64_t *t_us, bool *had_zone);
/* The resolution of such a time in microseconds, from the digits after
 * the seconds: 1000000 without any, 1000 for three, 1 for six or more. A
 * time from a log names an instant within [t, t + resolution). */
int64_t al_time_resolution(const char *s);
/* RFC 3339 with microseconds, UTC ("...Z") or local with offset. */
char *al_fmt_time(int64_t t_us, bool localtime, char *buf, size_t len);

struct al_index;

struct al_index *al_create(bool localtime);
/* Keep only the events of nat64:port (whois: memory for one port's
 * history, however long the logs). Call before adding files. */
void al_only(struct al_index *x, uint32_t nat64, uint16_t port);
void al_destroy(struct al_index *x);
/* Read a file (plain or gzip). -1 with err if it cannot be read;
 * malformed lines are counted, not fatal. */
int al_add_file(struct al_index *x, const char *path, char *err, size_t errlen);
/* Read LOG_DIR/nat64-handoff.log and its rotations, oldest first.
 * Returns the number of files read, or -1 with err (none readable). */
int al_add_dir(struct al_index *x, const char *dir, char *err, size_t errlen);
/* Sort; call once after adding, before asking. */
void al_finish(struct al_index *x);
size_t al_count(const struct al_index *x);
uint64_t al_bad_lines(const struct al_index *x);
uint64_t al_lines(const struct al_index *x);
/* Is nat64 an address any event names? */
bool al_knows_nat64(const struct al_index *x, uint32_t nat64);

/* One entry's lifetime: [start, end). */
struct al_cand {
	int64_t start_us;		/* INT64_MIN: before the oldest log */
	int64_t end_us;			/* INT64_MAX: still held at the log's end */
	uint8_t how, reason;		/* enum al_detail */
	bool early;			/* start_us is before its Created line */
	const struct al_event *created;	/* NULL if before the oldest log */
	const struct al_event *deleted;	/* NULL if still held */
};

struct al_answer {
	int ncand;
	bool truncated;			/* more than AL_MAX_CAND candidates */
	struct al_cand cand[AL_MAX_CAND];
	const struct al_event *before;	/* nearest event before lo, or NULL */
	const struct al_event *after;	/* nearest event after hi, or NULL */
};

/* Entries of nat64:port alive at some time in [lo_us, hi_us]. server:
 * only events of that server address (events without one, text lines,
 * are kept: they may be its). overlap: entries of several channels may
 * coexist on this port (the NAT64 has several server addresses), so a
 * text Created does not end another entry. Returns a->ncand. */
int al_query(const struct al_index *x, uint32_t nat64, uint16_t port, int64_t lo_us,
    int64_t hi_us, const uint32_t *server, bool overlap, struct al_answer *a);

#endif
