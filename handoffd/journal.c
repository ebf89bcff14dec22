/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* journal.c — see journal.h. */
#include "journal.h"
#include "atomicfile.h"
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
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

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

bool
jr_pending(const struct jr_file *jf)
{
	return jf->qlen > 0;
}

int
jr_flush(struct jr_file *jf, char *err, size_t errlen)
{
	size_t off = 0;

	if (jf->qlen == 0)
		return 0;
	if (jf->fd == -1 && (jf->fd = open(jf->path, O_WRONLY | O_APPEND | O_CLOEXEC)) == -1) {
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

/* Replay records from buf into t. Returns the offset after the last
 * good record. */
static size_t
jr_replay(const uint8_t *buf, size_t len, struct ct_table *t, struct jr_load_result *res)
{
	size_t off = JR_HDR_LEN;

	while (off < len) {
		const uint8_t *r = buf + off;
		size_t left = len - off, rl;

		if (r[0] == JR_KIND_DELETE) {
			if (left < JR_DELETE_LEN || r[1] != 0 ||
			    be32_load(r + 4) != (uint32_t)crc32(0, r, 4))
				break;
			ct_remove(t, be16_load(r + 2));
			off += JR_DELETE_LEN;
		} else if (r[0] == JR_KIND_CREATE) {
			uint16_t port, cport, old;
			size_t alen;

			if (left < JR_CREATE_FIXED + 4)
				break;
			alen = (size_t)r[1] * 2;
			rl = JR_CREATE_FIXED + alen;
			if (left < rl + 4 || be32_load(r + rl) != (uint32_t)crc32(0, r, (uInt)rl))
				break;
			port = be16_load(r + 2);
			cport = be16_load(r + 4);
			if (port < CT_MIN_PORT)
				break;
			ct_remove(t, port);
			old = ct_find_client(t, r + 10, r + 22, cport);
			if (old)
				ct_remove(t, old);
			if (ct_count(t) >= ct_capacity(t)) {
				jr_evict_one(t);
				res->evicted++;
			}
			if (ct_insert(t, port, r + 10, r + 22, cport, r + JR_CREATE_FIXED, alen,
			    be32_load(r + 6)) != CT_OK)
				break;
			off += rl + 4;
		} else
			break;
		res->records++;
	}
	return off;
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

struct jr_file *
jr_open(const char *path, uint32_t nat64, uint32_t local, struct ct_table *t,
    struct jr_load_result *res, char *err, size_t errlen)
{
	struct jr_file *jf;
	unsigned char *buf = NULL;
	size_t len = 0, good;
	uint32_t fn, fl;
	uint8_t h[JR_HDR_LEN];

	memset(res, 0, sizeof(*res));
	if (afile_slurp(path, JR_MAX_FILE, &buf, &len) == 0) {
		if (!jr_header_ok(buf, len, &fn, &fl) || fn != nat64 || fl != local) {
			char aside[4096];

			snprintf(aside, sizeof(aside), "%s.corrupt-%lld", path, (long long)time(NULL));
			if (rename(path, aside) == -1) {
				snprintf(err, errlen, "%s: unusable and cannot be set aside: %s",
				    path, strerror(errno));
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
		/* Too large or not a regular file: content we cannot use. */
		char aside[4096];
		int e = errno;

		snprintf(aside, sizeof(aside), "%s.corrupt-%lld", path, (long long)time(NULL));
		if (rename(path, aside) == -1) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			return NULL;
		}
		res->set_aside = true;
		snprintf(res->msg, sizeof(res->msg), "unusable (%s); set aside as %s",
		    strerror(e), aside);
	} else if (errno != ENOENT) {
		/* EMFILE, ENOMEM, EIO, EACCES...: the file may be perfectly
		 * good. Leave it alone; the caller retries later. */
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}

	jf = xcalloc(1, sizeof(*jf));
	jf->fd = -1;
	jf->path = xstrdup(path);
	jf->nat64 = nat64;
	jf->local = local;
	if (buf) {
		good = jr_replay(buf, len, t, res);
		jf->records = res->records;
		jf->fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
		if (jf->fd == -1) {
			free(buf);
			goto fail;
		}
		if (good < len) {
			char aside[4096];

			/* Keep what is cut: a torn last record is the usual
			 * cause, but a flipped bit mid-file would otherwise
			 * take every later record with it. */
			snprintf(aside, sizeof(aside), "%s.corrupt-%lld", path, (long long)time(NULL));
			res->truncated = true;
			if (afile_replace(aside, buf + good, len - good, 0600, err, errlen) == -1) {
				free(buf);
				errno = EIO;
				goto fail;
			}
			snprintf(res->msg, sizeof(res->msg),
			    "torn or corrupt record at offset %zu of %zu; %u records kept, "
			    "the %zu octets after it saved as %s", good, len, res->records,
			    len - good, aside);
			if (ftruncate(jf->fd, (off_t)good) == -1) {
				free(buf);
				goto fail;
			}
		}
		free(buf);
		return jf;
	}
	jf->fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (jf->fd == -1)
		goto fail;
	jr_header(h, nat64, local);
	if (write(jf->fd, h, sizeof(h)) != (ssize_t)sizeof(h) || fsync(jf->fd) == -1)
		goto fail;
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
	unsigned char *buf;
	size_t len, good;
	uint32_t fn, fl;

	memset(res, 0, sizeof(*res));
	if (afile_slurp(path, JR_MAX_FILE, &buf, &len) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (!jr_header_ok(buf, len, &fn, &fl)) {
		snprintf(err, errlen, "%s: bad header (would be set aside at start)", path);
		free(buf);
		return -1;
	}
	good = jr_replay(buf, len, t, res);
	free(buf);
	if (good < len) {
		res->truncated = true;
		snprintf(err, errlen, "%s: bad record at offset %zu of %zu after %u good ones "
		    "(would be cut at start)", path, good, len, res->records);
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

int
jr_compact(struct jr_file *jf, const struct ct_table *t, char *err, size_t errlen)
{
	uint8_t h[JR_HDR_LEN], rec[JR_CREATE_FIXED + CT_MAX_AUTH + 4];
	uint8_t *buf;
	size_t cap = 1 << 16, len = 0;
	struct afile *af;
	struct ct_view v;
	uint16_t p;

	af = afile_begin(jf->path, 0600, err, errlen);
	if (af == NULL)
		return -1;
	buf = xmalloc(cap);
	jr_header(h, jf->nat64, jf->local);
	afile_write(af, h, sizeof(h));
	for (p = ct_lru_oldest(t); p; p = ct_lru_newer(t, p)) {
		size_t n;

		if (!ct_get(t, p, &v))
			break;
		n = jr_encode_create(rec, &v);
		if (len + n > cap) {
			afile_write(af, buf, len);
			len = 0;
		}
		memcpy(buf + len, rec, n);
		len += n;
	}
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
	jf->fd = open(jf->path, O_WRONLY | O_APPEND | O_CLOEXEC);
	jf->records = ct_count(t);
	jf->unsynced = false;
	jf->lost = false;
	if (jf->fd == -1) {
		snprintf(err, errlen, "%s: reopen after compaction: %s", jf->path, strerror(errno));
		return -1;
	}
	return 0;
}
