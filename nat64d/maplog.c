/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* maplog.c — the mapping log; see nd_maplog.h. */
#include "nd_maplog.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "nd_handoff.h"

static int ml_fd = -1;
static char ml_path[4096];
static uint64_t ml_errors;

/* The new file is opened before the old one is closed: a failed reopen
 * keeps writing where we were. */
int
nd_maplog_open(const char *path, char *err, size_t errlen)
{
	int fd;

	if (strlen(path) >= sizeof(ml_path)) {
		snprintf(err, errlen, "%.100s...: path too long", path);
		return -1;
	}
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NONBLOCK | O_NOCTTY, 0640);
	if (fd == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (ml_fd != -1)
		close(ml_fd);
	ml_fd = fd;
	if (path != ml_path)	/* reopen passes ml_path itself */
		memmove(ml_path, path, strlen(path) + 1);
	return 0;
}

int
nd_maplog_reopen(char *err, size_t errlen)
{
	if (ml_fd == -1)
		return 0;
	return nd_maplog_open(ml_path, err, errlen);
}

void
nd_maplog_close(void)
{
	if (ml_fd != -1)
		close(ml_fd);
	ml_fd = -1;
}

size_t
nd_maplog_format(char *buf, size_t len, const struct nd_bib *b, bool created,
    const struct clk_now *now)
{
	char ts[32], a4[ADDR_STRLEN], a6[ADDR_STRLEN];
	const char *proto = b->proto == 6 ? "tcp" : b->proto == 17 ? "udp" : "icmp";
	int n;

	clk_format_wall(now, 0, ts, sizeof(ts));
	n = snprintf(buf, len, "%s %s %s %s:%u [%s]:%u\n", ts, created ? "Created" : "Deleted",
	    proto, addr_fmt4(b->v4, a4, sizeof(a4)), b->port4, addr_fmt6(b->v6, a6, sizeof(a6)),
	    b->port6);
	return n < 0 ? 0 : (size_t)n >= len ? len - 1 : (size_t)n;
}

void
nd_maplog_event(void *arg, const struct nd_bib *b, bool created, const struct clk_now *now)
{
	char line[256];
	size_t n;

	(void)arg;
	if (ml_fd == -1)
		return;
	n = nd_maplog_format(line, sizeof(line), b, created, now);
	if (write(ml_fd, line, n) != (ssize_t)n)
		ml_errors++;
}

/* A server's entry: "handoff:<server>" where the protocol stands (one
 * entry covers TCP and UDP towards that server). */
static size_t
nd_maplog_format_hoent(char *buf, size_t len, const struct nd_hoent *e, bool created,
    const struct clk_now *now)
{
	char ts[32], a4[ADDR_STRLEN], s4[ADDR_STRLEN], a6[ADDR_STRLEN];
	int n;

	clk_format_wall(now, 0, ts, sizeof(ts));
	n = snprintf(buf, len, "%s %s handoff:%s %s:%u [%s]:%u\n", ts,
	    created ? "Created" : "Deleted", addr_fmt4(e->server, s4, sizeof(s4)),
	    addr_fmt4(e->pool4, a4, sizeof(a4)), e->port4, addr_fmt6(e->client, a6, sizeof(a6)),
	    e->port6);
	return n < 0 ? 0 : (size_t)n >= len ? len - 1 : (size_t)n;
}

void
nd_maplog_hoent(void *arg, const struct nd_hoent *e, bool created, const struct clk_now *now)
{
	char line[256];
	size_t n;

	(void)arg;
	if (ml_fd == -1)
		return;
	n = nd_maplog_format_hoent(line, sizeof(line), e, created, now);
	if (write(ml_fd, line, n) != (ssize_t)n)
		ml_errors++;
}

uint64_t
nd_maplog_errors(void)
{
	return ml_errors;
}
