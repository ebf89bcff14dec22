/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* ho_journal.h — persistence of one channel's table.
 *
 * File STATE/channels/<nat64>-<server>.tbl: a 32-octet header, then
 * records appended as the table changes:
 *   create: kind 1 | auth units (u8, octets/2) | port (u16) | client port
 *           (u16) | last used (u32, unix s) | prefix (12) | client (16) |
 *           authenticator | CRC-32 of the record (u32)
 *   delete: kind 2 | 0 | port (u16) | CRC-32 (u32)
 * All integers big-endian. Records reach the kernel (write(2)) before the
 * server answers the packet that caused them, so kill -9 loses nothing
 * that was answered; fdatasync runs every second and after compaction
 * (power loss may lose the last second). Compaction rewrites the file
 * atomically with one create record per live entry, oldest first, which
 * is also how LRU order survives a restart.
 *
 * Loading validates the header and every record. A bad header (or a file
 * too large or not regular): the file is renamed aside (*.corrupt-<time>)
 * and the channel starts empty. A damaged record (bad CRC, impossible
 * field, a record the table refuses) does not take the rest with it:
 * replay resumes at the next offset where a well-formed record (kind,
 * fields, CRC-32) starts, so every good record after the damage is
 * served. The damaged spans are saved, in
 * order, to *.corrupt-<time> and reported; damage only at the end (a
 * crash mid-append) is cut off, damage before good records makes the
 * caller rewrite the file from the table (res->rewrite). An error opening
 * or reading the file (EMFILE, EIO, ...) leaves it untouched and
 * jr_open() fails: the caller must not serve the channel from an empty
 * table, and retries later.
 *
 * The recovery itself (jr_recover) works on memory: jr_open() reads the
 * file, jr_recover() decides, jr_open() carries out what it decided, and
 * the fuzzer drives jr_recover() directly.
 */
#ifndef NK_JOURNAL_H
#define NK_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ho_conntable.h"

#define JR_MAGIC	"NK64HOJ1"
#define JR_VERSION	1
#define JR_HDR_LEN	32

struct jr_file;

struct jr_load_result {
	uint32_t records;	/* records replayed */
	uint32_t evicted;	/* entries dropped to fit a smaller capacity */
	uint32_t resynced;	/* of them, records after damage */
	bool truncated;		/* damage was found and set aside */
	bool rewrite;		/* damage before good records: rewrite from the table */
	bool set_aside;		/* the whole file was unusable and renamed */
	char msg[4400];		/* what happened, for the log */
};

#define JR_MAX_SPANS	64

/* What recovery found in one journal image (no I/O). */
struct jr_recovery {
	bool header_ok;		/* header good and naming (nat64, local) */
	size_t good_end;	/* end of the last record replayed */
	uint32_t records, evicted, resynced;
	size_t damaged;		/* octets in spans (their sum) */
	unsigned nspans;
	/* Ordered, disjoint. Past JR_MAX_SPANS the last grows over the rest
	 * of the damage, and over the good records between (they are still
	 * replayed; only the copy set aside holds them too). */
	struct { size_t off, len; } spans[JR_MAX_SPANS];
};

/* Replay the image buf (header included) into t (empty), resyncing after
 * damage. */
void jr_recover(const uint8_t *buf, size_t len, uint32_t nat64, uint32_t local,
    struct ct_table *t, struct jr_recovery *rec);
/* Is the only damage a tail (cut it, nothing to rewrite)? */
bool jr_recovery_tail_only(const struct jr_recovery *rec, size_t len);
/* The image jr_compact() writes for t, header included (xmalloc'ed). */
uint8_t *jr_image(const struct ct_table *t, uint32_t nat64, uint32_t local, size_t *len);

/* Open (creating if absent) and replay into t (empty, created by the
 * caller); now_s names what is set aside (*.corrupt-<now_s>). Returns
 * NULL if the file cannot be read or created (message in err); t's
 * contents are then meaningless. */
struct jr_file *jr_open(const char *path, uint32_t nat64, uint32_t local, struct ct_table *t,
    struct jr_load_result *res, int64_t now_s, char *err, size_t errlen);
void jr_close(struct jr_file *jf);

/* Queue records; jr_flush() writes everything queued in one write(2). */
void jr_add_create(struct jr_file *jf, const struct ct_view *v);
void jr_add_delete(struct jr_file *jf, uint16_t port);
int  jr_flush(struct jr_file *jf, char *err, size_t errlen);
int  jr_sync(struct jr_file *jf);
/* Records were lost to failing writes: rewrite the file from the table. */
bool jr_needs_compact(const struct jr_file *jf);
/* Records in the file beyond the live entries (compaction when large). */
uint32_t jr_garbage(const struct jr_file *jf, const struct ct_table *t);
/* Rewrite atomically from t in LRU order (oldest first). */
int  jr_compact(struct jr_file *jf, const struct ct_table *t, char *err, size_t errlen);

/* Check a journal without changing it: replay into t (empty). 0 if every
 * record is good, else -1 with what start-up would do in err. */
int  jr_verify(const char *path, struct ct_table *t, struct jr_load_result *res, char *err,
    size_t errlen);
/* Read only the header: 0 and the addresses, or -1. */
int  jr_peek(const char *path, uint32_t *nat64, uint32_t *local);

#endif
