/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* audit.c — see ho_audit.h. */
#include "ho_audit.h"
#include "rdfile.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Lines wait here until audit_flush() writes them; a failed write keeps
 * them for the next try. Past AUDIT_SOFT new entries pause (audit_room());
 * the rest of the buffer takes the lines that need no room check
 * (Initialized, and the Deleted lines of entries already being replaced). */
#define AUDIT_SOFT	(1u << 20)
#define AUDIT_HARD	(4u << 20)
#define AUDIT_RESERVE	1024	/* the lines of one entry change, with room to spare */

static int audit_fd = -1;
static int audit_local;
static int audit_json;
static char *audit_path;
static uint64_t audit_errs, audit_lost;
static char audit_buf[AUDIT_HARD];
static size_t audit_len;

/* A line torn by a crash mid-write (kill -9 while the disk was full: the
 * kernel took part of a write) is cut off: it is a fragment of a line
 * whose entry was never answered, and it must not swallow the next line.
 * Lines are under 200 octets, so the last newline is in the last 4 KiB;
 * if it is not, the fragment is ended with one instead. */
static void
audit_cut_torn_line(int fd, const char *path)
{
	char tail[4096];
	struct stat st;
	off_t from;
	ssize_t n;
	int rfd;

	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) || st.st_size == 0 ||
	    (rfd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1)
		return;		/* fd is write-only: the tail is read through rfd */
	from = st.st_size > (off_t)sizeof(tail) ? st.st_size - (off_t)sizeof(tail) : 0;
	n = pread(rfd, tail, (size_t)(st.st_size - from), from);
	close(rfd);
	if (n != st.st_size - from || tail[n - 1] == '\n')
		return;
	while (n > 0 && tail[n - 1] != '\n')
		n--;
	if ((n > 0 || from == 0) && ftruncate(fd, from + n) == 0)
		return;
	if (audit_len < AUDIT_HARD) {
		memmove(audit_buf + 1, audit_buf, audit_len);
		audit_buf[0] = '\n';
		audit_len++;
	}
}

/* Open log_dir's audit file (or standard output). The current stream
 * stays in use until the new one is open: a failed reopen (SIGHUP with a
 * missing directory) keeps writing where we were, never nowhere. */
int
audit_open(const char *log_dir, int localtime, char *err, size_t errlen)
{
	char *path = NULL;
	int fd = STDOUT_FILENO;

	if (log_dir) {
		path = xmalloc(strlen(log_dir) + sizeof(AUDIT_FILE) + 2);
		sprintf(path, "%s/%s", log_dir, AUDIT_FILE);
		/* Never through a link, never a FIFO that would block the
		 * open: a regular file or an error. */
		fd = rf_open(path, RF_APPEND | RF_NOFOLLOW, err, errlen);
		if (fd == -1) {
			free(path);
			return -1;
		}
	}
	audit_flush();
	if (fd != STDOUT_FILENO)
		audit_cut_torn_line(fd, path);
	if (audit_fd > STDERR_FILENO)
		close(audit_fd);
	audit_fd = fd;
	audit_local = localtime;
	free(audit_path);
	audit_path = path;
	return 0;
}

int
audit_flush(void)
{
	size_t off = 0;
	int rc = 0;

	while (off < audit_len && audit_fd != -1) {
		ssize_t w = write(audit_fd, audit_buf + off, audit_len - off);

		if (w == -1 && errno == EINTR)
			continue;
		if (w <= 0) {
			if (w == 0)
				errno = EIO;
			audit_errs++;
			rc = -1;
			break;
		}
		off += (size_t)w;
	}
	/* A write cut short mid-line (a full disk) is taken back to the last
	 * whole line, so the file always ends with one: the rest of that line
	 * is written with the next flush, wherever the file is by then. */
	if (rc == -1 && off > 0 && audit_buf[off - 1] != '\n') {
		int e = errno;
		struct stat st;
		size_t keep = off;

		while (keep > 0 && audit_buf[keep - 1] != '\n')
			keep--;
		if (fstat(audit_fd, &st) == 0 && S_ISREG(st.st_mode) &&
		    st.st_size >= (off_t)(off - keep) &&
		    ftruncate(audit_fd, st.st_size - (off_t)(off - keep)) == 0)
			off = keep;
		errno = e;
	}
	/* What was not written stays, in order, for the next flush. */
	if (off > 0) {
		int e = errno;

		memmove(audit_buf, audit_buf + off, audit_len - off);
		audit_len -= off;
		errno = e;
	}
	return rc;
}

bool
audit_room(void)
{
	return audit_len + AUDIT_RESERVE <= AUDIT_SOFT;
}

size_t
audit_pending(void)
{
	return audit_len;
}

void
audit_set_json(int json)
{
	audit_json = json;
}

void
audit_close(void)
{
	if (audit_flush() == -1)
		audit_lost += audit_len;	/* octets, counted: nowhere left to keep them */
	audit_len = 0;
	if (audit_fd > STDERR_FILENO)
		close(audit_fd);
	audit_fd = -1;
}

/* Line building without printf: this runs twice per eviction on the
 * packet path. The "YYYY-MM-DD HH:MM:SS." part is formatted once per
 * wall-clock second. */
static time_t audit_stamp_sec = -1;
static int audit_stamp_local = -1;
static char audit_stamp[24];

static char *
audit_put_str(char *p, const char *s)
{
	while (*s)
		*p++ = *s++;
	return p;
}

static char *
audit_put_uint(char *p, unsigned v)
{
	char tmp[10];
	int n = 0;

	do
		tmp[n++] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	while (n)
		*p++ = tmp[--n];
	return p;
}

/* Start a line in buf (at least 200 octets): stamp and a space. */
static char *
audit_begin(char *buf, const struct clk_now *now)
{
	long us = now->wall.tv_nsec / 1000L;
	char *p = buf;
	int i;

	if (now->wall.tv_sec != audit_stamp_sec || audit_local != audit_stamp_local) {
		char full[40];

		clk_format_wall(now, audit_local, full, sizeof(full));
		memcpy(audit_stamp, full, 20);	/* "YYYY-MM-DD HH:MM:SS." */
		audit_stamp[20] = '\0';
		audit_stamp_sec = now->wall.tv_sec;
		audit_stamp_local = audit_local;
	}
	p = audit_put_str(p, audit_stamp);
	for (i = 5; i >= 0; i--) {
		p[i] = (char)('0' + us % 10);
		us /= 10;
	}
	p += 6;
	*p++ = ' ';
	return p;
}

static char *
audit_put_v4(char *p, uint32_t a)
{
	int i;

	for (i = 3; i >= 0; i--) {
		p = audit_put_uint(p, (a >> (8 * i)) & 0xff);
		if (i)
			*p++ = '.';
	}
	return p;
}

/* The client's address as inet_ntop(3) writes it (RFC 5952 with glibc's
 * embedded-IPv4 forms ::a.b.c.d and ::ffff:a.b.c.d), without printf:
 * inet_ntop's sprintf was 10 % of the server's time when every new entry
 * evicts one (two audit lines each; profile in docs/BENCHMARKS.md).
 * tests/unit/test_ho_audit.c compares it with inet_ntop. */
char *
audit_put_v6(char *p, const uint8_t a[16])
{
	static const char hex[] = "0123456789abcdef";
	unsigned w[8];
	int i, best = -1, blen = 0, cur = -1, clen = 0;

	for (i = 0; i < 8; i++) {
		w[i] = (unsigned)a[2 * i] << 8 | a[2 * i + 1];
		if (w[i] == 0) {
			if (cur < 0)
				cur = i, clen = 0;
			if (++clen > blen)
				best = cur, blen = clen;
		} else
			cur = -1;
	}
	if (blen < 2)
		best = -1;
	for (i = 0; i < 8; i++) {
		if (best >= 0 && i >= best && i < best + blen) {
			if (i == best)
				*p++ = ':';
			continue;
		}
		if (i)
			*p++ = ':';
		if (i == 6 && best == 0 && (blen == 6 || (blen == 5 && w[5] == 0xffff))) {
			return audit_put_v4(p, (uint32_t)a[12] << 24 | (uint32_t)a[13] << 16 |
			    (uint32_t)a[14] << 8 | a[15]);
		}
		if (w[i] >= 0x1000)
			*p++ = hex[w[i] >> 12];
		if (w[i] >= 0x100)
			*p++ = hex[w[i] >> 8 & 15];
		if (w[i] >= 0x10)
			*p++ = hex[w[i] >> 4 & 15];
		*p++ = hex[w[i] & 15];
	}
	if (best >= 0 && best + blen == 8)
		*p++ = ':';
	return p;
}

static void
audit_end(char *line, char *end)
{
	size_t n;

	*end++ = '\n';
	n = (size_t)(end - line);
	if (audit_fd == -1 || (audit_len + n > AUDIT_HARD && (audit_flush() == -1 ||
	    audit_len + n > AUDIT_HARD))) {
		audit_lost += n;	/* a line lost is counted, never silent */
		return;
	}
	memcpy(audit_buf + audit_len, line, n);
	audit_len += n;
}

/* JSON: "YYYY-MM-DDTHH:MM:SS.uuuuuu+HH:MM", the zone offset of the
 * stamp's own second (formatted once per second, like the text stamp). */
static time_t audit_jstamp_sec = -1;
static int audit_jstamp_local = -1;
static char audit_jdate[24], audit_jzone[40];

static char *
audit_begin_json(char *p, const struct clk_now *now, const char *event)
{
	long us = now->wall.tv_nsec / 1000L;
	int i;

	if (now->wall.tv_sec != audit_jstamp_sec || audit_local != audit_jstamp_local) {
		struct tm tm;
		long off;

		if (audit_local)
			localtime_r(&now->wall.tv_sec, &tm);
		else
			gmtime_r(&now->wall.tv_sec, &tm);
		strftime(audit_jdate, sizeof(audit_jdate), "%Y-%m-%dT%H:%M:%S", &tm);
		off = audit_local ? tm.tm_gmtoff / 60 : 0;
		snprintf(audit_jzone, sizeof(audit_jzone), "%c%02ld:%02ld", off < 0 ? '-' : '+',
		    labs(off) / 60, labs(off) % 60);
		audit_jstamp_sec = now->wall.tv_sec;
		audit_jstamp_local = audit_local;
	}
	p = audit_put_str(p, "{\"time\":\"");
	p = audit_put_str(p, audit_jdate);
	*p++ = '.';
	for (i = 5; i >= 0; i--) {
		p[i] = (char)('0' + us % 10);
		us /= 10;
	}
	p += 6;
	p = audit_put_str(p, audit_jzone);
	p = audit_put_str(p, "\",\"event\":\"");
	p = audit_put_str(p, event);
	return audit_put_str(p, "\"");
}

static char *
audit_put_jv4(char *p, const char *key, uint32_t a)
{
	p = audit_put_str(p, ",\"");
	p = audit_put_str(p, key);
	p = audit_put_str(p, "\":\"");
	p = audit_put_v4(p, a);
	*p++ = '"';
	return p;
}

static char *
audit_put_jnum(char *p, const char *key, unsigned v)
{
	p = audit_put_str(p, ",\"");
	p = audit_put_str(p, key);
	p = audit_put_str(p, "\":");
	return audit_put_uint(p, v);
}

static char *
audit_put_jstr(char *p, const char *key, const char *v)
{
	p = audit_put_str(p, ",\"");
	p = audit_put_str(p, key);
	p = audit_put_str(p, "\":\"");
	p = audit_put_str(p, v);
	*p++ = '"';
	return p;
}

void
audit_initialized(const struct clk_now *now, uint32_t local, uint32_t nat64)
{
	char line[300], *p;

	if (audit_json) {
		p = audit_begin_json(line, now, "initialized");
		p = audit_put_jv4(p, "nat64", nat64);
		p = audit_put_jv4(p, "server", local);
		*p++ = '}';
		audit_end(line, p);
		return;
	}
	p = audit_begin(line, now);
	p = audit_put_str(p, "Initialized ");
	p = audit_put_v4(p, nat64);
	audit_end(line, p);
}

static void
audit_entry(const struct clk_now *now, const char *what, uint32_t local, uint32_t nat64,
    uint16_t port, const uint8_t prefix[12], const uint8_t client[16], uint16_t client_port,
    const char *detail_key, const char *detail)
{
	char line[400], *p;

	if (audit_json) {
		uint8_t p16[16] = { 0 };

		p = audit_begin_json(line, now, what[0] == 'C' ? "created" : "deleted");
		p = audit_put_jv4(p, "nat64", nat64);
		p = audit_put_jnum(p, "nat64_port", port);
		p = audit_put_str(p, ",\"client\":\"");
		p = audit_put_v6(p, client);
		*p++ = '"';
		p = audit_put_jnum(p, "client_port", client_port);
		memcpy(p16, prefix, 12);
		p = audit_put_str(p, ",\"prefix\":\"");
		p = audit_put_v6(p, p16);
		p = audit_put_str(p, "/96\"");
		p = audit_put_jv4(p, "server", local);
		p = audit_put_jstr(p, detail_key, detail);
		*p++ = '}';
		audit_end(line, p);
		return;
	}
	p = audit_begin(line, now);
	p = audit_put_str(p, what);
	*p++ = ' ';
	p = audit_put_v4(p, nat64);
	*p++ = ':';
	p = audit_put_uint(p, port);
	p = audit_put_str(p, " [");
	p = audit_put_v6(p, client);
	p = audit_put_str(p, "]:");
	p = audit_put_uint(p, client_port);
	audit_end(line, p);
}

void
audit_created(const struct clk_now *now, uint32_t local, uint32_t nat64, uint16_t port,
    const uint8_t prefix[12], const uint8_t client[16], uint16_t client_port, enum audit_how how)
{
	audit_entry(now, "Created", local, nat64, port, prefix, client, client_port, "how",
	    how == AUDIT_ADOPTED ? "adopted" : "mapped");
}

const char *
audit_reason_name(enum audit_reason why)
{
	static const char *const reasons[] = { "evicted", "replaced", "moved", "forgotten",
	    "banned" };

	return reasons[why];
}

void
audit_deleted(const struct clk_now *now, uint32_t local, uint32_t nat64, uint16_t port,
    const uint8_t prefix[12], const uint8_t client[16], uint16_t client_port,
    enum audit_reason why)
{
	audit_entry(now, "Deleted", local, nat64, port, prefix, client, client_port, "reason",
	    audit_reason_name(why));
}

/* "2001:db8::/64" (the ban's prefix as inet_ntop writes it). */
static char *
audit_put_prefix(char *p, const uint8_t pfx[16], unsigned len)
{
	p = audit_put_v6(p, pfx);
	*p++ = '/';
	return audit_put_uint(p, len);
}

void
audit_banned(const struct clk_now *now, const uint8_t pfx[16], unsigned len, int64_t until_s,
    const char *reason)
{
	char line[400], until[32], *p;

	if (until_s) {
		time_t t = (time_t)until_s;
		struct tm tm;

		gmtime_r(&t, &tm);
		strftime(until, sizeof(until), "%Y-%m-%dT%H:%M:%SZ", &tm);
	} else
		strcpy(until, "never");
	if (audit_json) {
		p = audit_begin_json(line, now, "banned");
		p = audit_put_str(p, ",\"prefix\":\"");
		p = audit_put_prefix(p, pfx, len);
		*p++ = '"';
		p = audit_put_jstr(p, "until", until);
		p = audit_put_jstr(p, "reason", reason);	/* never " or a backslash (ban.c) */
		*p++ = '}';
		audit_end(line, p);
		return;
	}
	p = audit_begin(line, now);
	p = audit_put_str(p, "Banned ");
	p = audit_put_prefix(p, pfx, len);
	p = audit_put_str(p, " until ");
	p = audit_put_str(p, until);
	if (reason[0]) {
		p = audit_put_str(p, " reason ");
		p = audit_put_str(p, reason);
	}
	audit_end(line, p);
}

void
audit_unbanned(const struct clk_now *now, const uint8_t pfx[16], unsigned len, bool expired)
{
	char line[200], *p;

	if (audit_json) {
		p = audit_begin_json(line, now, "unbanned");
		p = audit_put_str(p, ",\"prefix\":\"");
		p = audit_put_prefix(p, pfx, len);
		*p++ = '"';
		p = audit_put_jstr(p, "reason", expired ? "expired" : "lifted");
		*p++ = '}';
		audit_end(line, p);
		return;
	}
	p = audit_begin(line, now);
	p = audit_put_str(p, "Unbanned ");
	p = audit_put_prefix(p, pfx, len);
	p = audit_put_str(p, expired ? " expired" : " lifted");
	audit_end(line, p);
}

uint64_t
audit_errors(void)
{
	return audit_errs;
}

uint64_t
audit_lost_octets(void)
{
	return audit_lost;
}
