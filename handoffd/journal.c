/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* journal.c — see ho_journal.h. */
#include "ho_journal.h"
#include "atomicfile.h"
#include "rdfile.h"
#include "buf.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#define JR_KIND_CREATE	1
#define JR_KIND_DELETE	2
#define JR_CREATE_FIXED	(1 + 1 + 2 + 2 + 4 + 12 + 16)
#define JR_DELETE_LEN	(1 + 1 + 2 + 4)
#define JR_MAX_FILE	(512u << 20)
#define JR_MAX_QUEUE	(1u << 20)
/* Appends never follow a link and never block on what replaced the file. */
#define JR_APPEND	(O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)

struct jr_file {
	char *path;
	int fd;
	uint32_t nat64, local;
	uint32_t records;	/* records in the file */
	uint8_t *q;		/* queued, not yet written */
	size_t qlen, qcap;
	uint32_t qrecords;
	bool unsynced;
	bool lost;		/* records were dropped: compact from the table */
};

static void
jr_header(uint8_t h[JR_HDR_LEN], uint32_t nat64, uint32_t local)
{
	memset(h, 0, JR_HDR_LEN);
	memcpy(h, JR_MAGIC, 8);
	be32_store(h + 8, JR_VERSION);
	be32_store(h + 12, nat64);
	be32_store(h + 16, local);
	be32_store(h + 28, (uint32_t)crc32(0, h, 28));
}

static bool
jr_header_ok(const uint8_t *h, size_t len, uint32_t *nat64, uint32_t *local)
{
	size_t i;

	if (len < JR_HDR_LEN || memcmp(h, JR_MAGIC, 8) != 0 || be32_load(h + 8) != JR_VERSION ||
	    be32_load(h + 28) != (uint32_t)crc32(0, h, 28))
		return false;
	for (i = 20; i < 28; i++)
		if (h[i] != 0)
			return false;
	*nat64 = be32_load(h + 12);
	*local = be32_load(h + 16);
	return true;
}

int
jr_peek(const char *path, uint32_t *nat64, uint32_t *local)
{
	uint8_t h[JR_HDR_LEN];
	char err[16];
	ssize_t n;
	int fd = rf_open(path, RF_NOFOLLOW, err, sizeof(err));

	if (fd == -1)
		return -1;
	n = read(fd, h, sizeof(h));
	close(fd);
	return n == JR_HDR_LEN && jr_header_ok(h, JR_HDR_LEN, nat64, local) ? 0 : -1;
}

/* While writes fail (disk full), the queue must not grow without bound:
 * past JR_MAX_QUEUE it is dropped and the file marked for a rewrite from
 * the table, which is complete in memory. */
static void
jr_cap_queue(struct jr_file *jf)
{
	if (jf->qlen <= JR_MAX_QUEUE)
		return;
	jf->qlen = 0;
	jf->qrecords = 0;
	jf->lost = true;
}

static void
jr_queue(struct jr_file *jf, const uint8_t *rec, size_t len)
{
	if (jf->qlen + len > jf->qcap) {
		size_t n = jf->qcap ? jf->qcap * 2 : 4096;

		while (n < jf->qlen + len)
			n *= 2;
		jf->q = xreallocarray(jf->q, n, 1);
		jf->qcap = n;
	}
	memcpy(jf->q + jf->qlen, rec, len);
	jf->qlen += len;
	jf->qrecords++;
}

/* Encode a create record into out (at least JR_CREATE_FIXED + 510 + 4). */
static size_t
jr_encode_create(uint8_t *out, const struct ct_view *v)
{
	size_t n;

	out[0] = JR_KIND_CREATE;
	out[1] = (uint8_t)(v->auth_len / 2);
	be16_store(out + 2, v->port);
	be16_store(out + 4, v->client_port);
	be32_store(out + 6, v->last_used);
	memcpy(out + 10, v->prefix, 12);
	memcpy(out + 22, v->client, 16);
	if (v->auth_len)
		memcpy(out + JR_CREATE_FIXED, v->auth, v->auth_len);
	n = JR_CREATE_FIXED + v->auth_len;
	be32_store(out + n, (uint32_t)crc32(0, out, (uInt)n));
	return n + 4;
}

void
jr_add_create(struct jr_file *jf, const struct ct_view *v)
{
	uint8_t rec[JR_CREATE_FIXED + CT_MAX_AUTH + 4];

	jr_queue(jf, rec, jr_encode_create(rec, v));
}

void
jr_add_delete(struct jr_file *jf, uint16_t port)
{
	uint8_t rec[JR_DELETE_LEN];

	rec[0] = JR_KIND_DELETE;
	rec[1] = 0;
	be16_store(rec + 2, port);
	be32_store(rec + 4, (uint32_t)crc32(0, rec, 4));
	jr_queue(jf, rec, sizeof(rec));
}

int
jr_flush(struct jr_file *jf, char *err, size_t errlen)
{
	size_t off = 0;

	if (jf->lost) {
		/* Appending now would leave a gap: only the rewrite from the
		 * table (jr_compact) makes the file whole again. */
		snprintf(err, errlen, "%s: records lost to failed writes, waiting for a rewrite",
		    jf->path);
		errno = EIO;
		return -1;
	}
	if (jf->qlen == 0)
		return 0;
	if (jf->fd == -1 && (jf->fd = open(jf->path, JR_APPEND)) == -1) {
		snprintf(err, errlen, "%s: reopen failed: %s", jf->path, strerror(errno));
		jr_cap_queue(jf);
		return -1;
	}
	while (off < jf->qlen) {
		ssize_t w = write(jf->fd, jf->q + off, jf->qlen - off);

		if (w == -1 && errno == EINTR)
			continue;
		if (w <= 0) {
			snprintf(err, errlen, "%s: write failed: %s", jf->path,
			    w == -1 ? strerror(errno) : "short write");
			/* Keep the queue: the next flush retries it. Drop
			 * what was written so it is not duplicated. */
			memmove(jf->q, jf->q + off, jf->qlen - off);
			jf->qlen -= off;
			jr_cap_queue(jf);
			return -1;
		}
		off += (size_t)w;
	}
	jf->records += jf->qrecords;
	jf->qrecords = 0;
	jf->qlen = 0;
	jf->unsynced = true;
	return 0;
}

bool
jr_needs_compact(const struct jr_file *jf)
{
	return jf->lost;
}

int
jr_sync(struct jr_file *jf)
{
	if (!jf->unsynced)
		return 0;
	jf->unsynced = false;
	return fdatasync(jf->fd);
}

uint32_t
jr_garbage(const struct jr_file *jf, const struct ct_table *t)
{
	return jf->records > ct_count(t) ? jf->records - ct_count(t) : 0;
}

/* Make room for one entry when replaying into a smaller table. */
static void
jr_evict_one(struct ct_table *t)
{
	ct_remove(t, ct_lru_oldest(t));
}

/* Length of the well-formed record at r (kind, fields and CRC-32), or 0. */
static size_t
jr_record_len(const uint8_t *r, size_t left)
{
	size_t rl;

	if (left >= JR_DELETE_LEN && r[0] == JR_KIND_DELETE)
		return r[1] == 0 && be32_load(r + 4) == (uint32_t)crc32(0, r, 4) ? JR_DELETE_LEN : 0;
	if (left < JR_CREATE_FIXED + 4 || r[0] != JR_KIND_CREATE)
		return 0;
	rl = JR_CREATE_FIXED + (size_t)r[1] * 2;
	if (left < rl + 4 || be16_load(r + 2) < CT_MIN_PORT ||
	    be32_load(r + rl) != (uint32_t)crc32(0, r, (uInt)rl))
		return 0;
	return rl + 4;
}

/* Where to resume after damage, scanning from `from`: the next offset
 * where a well-formed record starts (kind, fields and CRC-32 all right),
 * else the end of the file. Random octets pass that test at about one
 * offset in 2^39; a record that is really there is never skipped. */
static size_t
jr_resync(const uint8_t *buf, size_t len, size_t from)
{
	size_t off;

	for (off = from; off < len; off++)
		if (jr_record_len(buf + off, len - off) > 0)
			return off;
	return len;
}

/* Apply one well-formed record to t; false if the table refuses it. */
static bool
jr_apply(const uint8_t *r, struct ct_table *t, struct jr_recovery *rec)
{
	uint16_t port = be16_load(r + 2), cport, old;

	if (r[0] == JR_KIND_DELETE) {
		ct_remove(t, port);
		return true;
	}
	cport = be16_load(r + 4);
	ct_remove(t, port);
	old = ct_find_client(t, r + 10, r + 22, cport);
	if (old)
		ct_remove(t, old);
	if (ct_count(t) >= ct_capacity(t)) {
		jr_evict_one(t);
		rec->evicted++;
	}
	return ct_insert(t, port, r + 10, r + 22, cport, r + JR_CREATE_FIXED, (size_t)r[1] * 2,
	    be32_load(r + 6)) == CT_OK;
}

/* Spans are ordered and disjoint; damaged is always the sum of their
 * lengths (what is set aside). */
static void
jr_add_span(struct jr_recovery *rec, size_t off, size_t len)
{
	size_t grown;

	if (rec->nspans > 0 && (rec->nspans == JR_MAX_SPANS ||
	    rec->spans[rec->nspans - 1].off + rec->spans[rec->nspans - 1].len == off)) {
		/* adjacent, or no slot left: the last one grows over it (past
		 * JR_MAX_SPANS the good records between go with the damage) */
		grown = off + len - rec->spans[rec->nspans - 1].off;
		rec->damaged += grown - rec->spans[rec->nspans - 1].len;
		rec->spans[rec->nspans - 1].len = grown;
		return;
	}
	rec->damaged += len;
	rec->spans[rec->nspans].off = off;
	rec->spans[rec->nspans].len = len;
	rec->nspans++;
}

void
jr_recover(const uint8_t *buf, size_t len, uint32_t nat64, uint32_t local, struct ct_table *t,
    struct jr_recovery *rec)
{
	uint32_t fn, fl;
	size_t off = JR_HDR_LEN;

	memset(rec, 0, sizeof(*rec));
	if (!jr_header_ok(buf, len, &fn, &fl) || fn != nat64 || fl != local)
		return;
	rec->header_ok = true;
	rec->good_end = JR_HDR_LEN;
	while (off < len) {
		size_t rl = jr_record_len(buf + off, len - off), bad = off;

		if (rl > 0 && jr_apply(buf + off, t, rec)) {
			rec->records++;
			if (rec->nspans > 0)
				rec->resynced++;
			off += rl;
			rec->good_end = off;
			continue;
		}
		/* Damage (or a record the table refuses): resume at the next
		 * place where records line up again, or at the end. */
		off = jr_resync(buf, len, bad + (rl ? rl : 1));
		jr_add_span(rec, bad, off - bad);
	}
}

bool
jr_recovery_tail_only(const struct jr_recovery *rec, size_t len)
{
	return rec->nspans == 1 && rec->spans[0].off == rec->good_end &&
	    rec->spans[0].off + rec->spans[0].len == len;
}

/* fsync the directory holding path, so a new file survives power loss. */
static void
jr_sync_dir(const char *path)
{
	char dir[4096], *slash;
	int fd;

	snprintf(dir, sizeof(dir), "%s", path);
	if ((slash = strrchr(dir, '/')) == NULL)
		return;
	*slash = '\0';
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) != -1) {
		fsync(fd);
		close(fd);
	}
}

/* Damage found at load: the damaged octets are saved, in order, to
 * *.corrupt-<time>; a torn tail is cut off, damage before good records
 * makes the file be rewritten from the table (which holds every good
 * record). */
static int
jr_set_aside_damage(struct jr_file *jf, const uint8_t *buf, size_t len,
    const struct jr_recovery *rec, int64_t now_s, struct jr_load_result *res, char *err,
    size_t errlen)
{
	char aside[4096];
	uint8_t *cut = xmalloc(rec->damaged ? rec->damaged : 1);
	size_t n = 0, m;
	unsigned i;
	int rc;

	for (i = 0; i < rec->nspans; i++) {
		memcpy(cut + n, buf + rec->spans[i].off, rec->spans[i].len);
		n += rec->spans[i].len;
	}
	rf_aside_name(jf->path, now_s, aside, sizeof(aside));
	rc = afile_replace(aside, cut, n, 0600, err, errlen);
	free(cut);
	if (rc == -1)
		return -1;
	res->truncated = true;
	res->resynced = rec->resynced;
	m = (size_t)snprintf(res->msg, sizeof(res->msg),
	    "%u damaged span%s (%zu octets, saved as %s) at offset", rec->nspans,
	    rec->nspans == 1 ? "" : "s", rec->damaged, aside);
	for (i = 0; i < rec->nspans && i < 8 && m < sizeof(res->msg); i++)
		m += (size_t)snprintf(res->msg + m, sizeof(res->msg) - m, "%s %zu+%zu", i ? "," : "",
		    rec->spans[i].off, rec->spans[i].len);
	if (m < sizeof(res->msg))
		snprintf(res->msg + m, sizeof(res->msg) - m, "%s of %zu; %u records kept, %u of them "
		    "after the damage", i < rec->nspans ? ", ..." : "", len, rec->records,
		    rec->resynced);
	if (jr_recovery_tail_only(rec, len)) {
		if (ftruncate(jf->fd, (off_t)rec->good_end) == -1) {
			snprintf(err, errlen, "%s: truncate: %s", jf->path, strerror(errno));
			return -1;
		}
		return 0;
	}
	res->rewrite = true;	/* the caller rewrites it from the table */
	return 0;
}

struct jr_file *
jr_open(const char *path, uint32_t nat64, uint32_t local, struct ct_table *t,
    struct jr_load_result *res, int64_t now_s, char *err, size_t errlen)
{
	struct jr_recovery rec;
	struct jr_file *jf;
	unsigned char *buf = NULL;
	char aside[4200], why[4200];
	size_t len = 0;
	uint8_t h[JR_HDR_LEN];

	memset(res, 0, sizeof(*res));
	if (rf_slurp(path, RF_NOFOLLOW, JR_MAX_FILE, &buf, &len, why, sizeof(why)) == 0) {
		jr_recover(buf, len, nat64, local, t, &rec);
		if (!rec.header_ok) {
			if (rf_set_aside(path, now_s, aside, sizeof(aside), err, errlen) == -1) {
				free(buf);
				return NULL;
			}
			res->set_aside = true;
			snprintf(res->msg, sizeof(res->msg), "bad header; set aside as %s", aside);
			free(buf);
			buf = NULL;
			len = 0;
		}
	} else if (errno == EFBIG || errno == EINVAL) {
		/* Too large, or not a regular file (a directory, a FIFO, a
		 * link): whatever it is, content we cannot use. */
		if (rf_set_aside(path, now_s, aside, sizeof(aside), err, errlen) == -1)
			return NULL;
		res->set_aside = true;
		snprintf(res->msg, sizeof(res->msg), "%.2100s; set aside as %.2100s", why, aside);
	} else if (errno != ENOENT) {
		/* EMFILE, ENOMEM, EIO, EACCES...: the file may be perfectly
		 * good. Leave it alone; the caller retries later. */
		snprintf(err, errlen, "%s", why);
		return NULL;
	}

	jf = xcalloc(1, sizeof(*jf));
	jf->fd = -1;
	jf->path = xstrdup(path);
	jf->nat64 = nat64;
	jf->local = local;
	if (buf) {
		res->records = rec.records;
		res->evicted = rec.evicted;
		jf->records = rec.records;
		jf->fd = open(path, JR_APPEND);
		if (jf->fd == -1) {
			free(buf);
			goto fail;
		}
		if (rec.nspans > 0 &&
		    jr_set_aside_damage(jf, buf, len, &rec, now_s, res, err, errlen) == -1) {
			free(buf);
			jr_close(jf);
			return NULL;
		}
		free(buf);
		return jf;
	}
	jf->fd = open(path, JR_APPEND | O_CREAT | O_EXCL, 0600);
	if (jf->fd == -1)
		goto fail;
	jr_header(h, nat64, local);
	if (write(jf->fd, h, sizeof(h)) != (ssize_t)sizeof(h) || fsync(jf->fd) == -1) {
		int e = errno ? errno : EIO;

		/* A full disk: leave no headerless file to set aside at every
		 * retry. */
		unlink(path);
		errno = e;
		goto fail;
	}
	jr_sync_dir(path);
	return jf;
fail:
	snprintf(err, errlen, "%s: %s", path, strerror(errno));
	jr_close(jf);
	return NULL;
}

int
jr_verify(const char *path, struct ct_table *t, struct jr_load_result *res, char *err,
    size_t errlen)
{
	struct jr_recovery rec;
	unsigned char *buf;
	size_t len;
	uint32_t fn, fl;

	memset(res, 0, sizeof(*res));
	if (rf_slurp(path, RF_NOFOLLOW, JR_MAX_FILE, &buf, &len, err, errlen) == -1)
		return -1;
	if (!jr_header_ok(buf, len, &fn, &fl)) {
		snprintf(err, errlen, "%s: bad header (would be set aside at start)", path);
		free(buf);
		return -1;
	}
	jr_recover(buf, len, fn, fl, t, &rec);
	free(buf);
	res->records = rec.records;
	res->evicted = rec.evicted;
	res->resynced = rec.resynced;
	if (rec.nspans > 0) {
		res->truncated = true;
		snprintf(err, errlen, "%s: %u damaged span%s (%zu octets, the first at offset %zu "
		    "of %zu); %u good records, %u of them after the damage (at start the damage "
		    "would be set aside and every good record kept)", path, rec.nspans,
		    rec.nspans == 1 ? "" : "s", rec.damaged, rec.spans[0].off, len, rec.records,
		    rec.resynced);
		return -1;
	}
	return 0;
}

void
jr_close(struct jr_file *jf)
{
	if (jf == NULL)
		return;
	if (jf->fd != -1)
		close(jf->fd);
	free(jf->q);
	free(jf->path);
	free(jf);
}

uint8_t *
jr_image(const struct ct_table *t, uint32_t nat64, uint32_t local, size_t *lenp)
{
	size_t cap = JR_HDR_LEN + (size_t)ct_count(t) * (JR_CREATE_FIXED + 4) + 4096, len;
	uint8_t *buf = xmalloc(cap);
	struct ct_view v;
	uint16_t p;

	jr_header(buf, nat64, local);
	len = JR_HDR_LEN;
	for (p = ct_lru_oldest(t); p; p = ct_lru_newer(t, p)) {
		if (!ct_get(t, p, &v))
			break;
		if (len + JR_CREATE_FIXED + CT_MAX_AUTH + 4 > cap) {
			cap *= 2;
			buf = xreallocarray(buf, cap, 1);
		}
		len += jr_encode_create(buf + len, &v);
	}
	*lenp = len;
	return buf;
}

int
jr_compact(struct jr_file *jf, const struct ct_table *t, char *err, size_t errlen)
{
	struct afile *af;
	uint8_t *buf;
	size_t len;

	af = afile_begin(jf->path, 0600, err, errlen);
	if (af == NULL)
		return -1;
	buf = jr_image(t, jf->nat64, jf->local, &len);
	afile_write(af, buf, len);
	free(buf);
	if (afile_commit(af, err, errlen) == -1)
		return -1;
	/* Whatever was queued is in the table too: the rewrite covers it. */
	jf->qlen = 0;
	jf->qrecords = 0;
	/* The old descriptor points at the replaced inode: never write
	 * there again. If the reopen fails, jr_flush() retries it. */
	if (jf->fd != -1)
		close(jf->fd);
	jf->fd = open(jf->path, JR_APPEND);
	jf->records = ct_count(t);
	jf->unsynced = false;
	jf->lost = false;
	if (jf->fd == -1) {
		snprintf(err, errlen, "%s: reopen after compaction: %s", jf->path, strerror(errno));
		return -1;
	}
	return 0;
}
