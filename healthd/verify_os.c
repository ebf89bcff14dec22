/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* verify_os.c — see hd_verify_os.h. */
#include "hd_verify_os.h"
#include "addr.h"
#include "hd_dnsmsg.h"
#include "hd_verify.h"
#include "xalloc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

struct hd_vos {
	struct ev_loop *loop;
	struct sockaddr_in6 sa;
	uint64_t timeout_ms;
	hd_vos_done_fn *done;
	void *arg;
	int fd;
	struct ev_timer *timer;
	uint8_t query[64];
	size_t qlen;
};

int
hd_vos_parse(const char *spec, struct sockaddr_in6 *sa, char *err, size_t errlen)
{
	char host[64];
	const char *port = NULL, *colon = strchr(spec, ':');
	uint32_t v4;
	long pn = 53;
	char *end;

	memset(sa, 0, sizeof(*sa));
	sa->sin6_family = AF_INET6;
	if (spec[0] == '[') {
		const char *rb = strchr(spec, ']');

		if (rb == NULL || (size_t)(rb - spec - 1) >= sizeof(host) ||
		    (rb[1] != '\0' && rb[1] != ':'))
			goto bad;
		snprintf(host, sizeof(host), "%.*s", (int)(rb - spec - 1), spec + 1);
		port = rb[1] == ':' ? rb + 2 : NULL;
	} else if (colon && strchr(colon + 1, ':') == NULL) {	/* IPV4:PORT */
		if ((size_t)(colon - spec) >= sizeof(host))
			goto bad;
		snprintf(host, sizeof(host), "%.*s", (int)(colon - spec), spec);
		port = colon + 1;
	} else {
		if (strlen(spec) >= sizeof(host))
			goto bad;
		snprintf(host, sizeof(host), "%s", spec);
	}
	if (port) {
		if (*port < '0' || *port > '9')
			goto bad;
		pn = strtol(port, &end, 10);
		if (*end != '\0' || pn < 1 || pn > 65535)
			goto bad;
	}
	if (addr_parse6(host, sa->sin6_addr.s6_addr) == -1) {
		if (addr_parse4(host, &v4) == -1)
			goto bad;
		/* an IPv4 resolver through the dual-stack socket */
		sa->sin6_addr.s6_addr[10] = sa->sin6_addr.s6_addr[11] = 0xff;
		sa->sin6_addr.s6_addr[12] = (uint8_t)(v4 >> 24);
		sa->sin6_addr.s6_addr[13] = (uint8_t)(v4 >> 16);
		sa->sin6_addr.s6_addr[14] = (uint8_t)(v4 >> 8);
		sa->sin6_addr.s6_addr[15] = (uint8_t)v4;
	}
	sa->sin6_port = htons((uint16_t)pn);
	return 0;
bad:
	snprintf(err, errlen, "bad resolver address '%s' (want ::1, [::1]:PORT, 127.0.0.1[:PORT] "
	    "or none)", spec);
	return -1;
}

char *
hd_vos_fmt(const struct sockaddr_in6 *sa, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	if (IN6_IS_ADDR_V4MAPPED(&sa->sin6_addr))
		snprintf(buf, len, "%s:%u", inet_ntop(AF_INET, sa->sin6_addr.s6_addr + 12, a,
		    sizeof(a)), ntohs(sa->sin6_port));
	else
		snprintf(buf, len, "[%s]:%u", inet_ntop(AF_INET6, &sa->sin6_addr, a, sizeof(a)),
		    ntohs(sa->sin6_port));
	return buf;
}

static void
hd_vos_close(struct hd_vos *v)
{
	if (v->fd != -1) {
		ev_fd_del(v->loop, v->fd);
		close(v->fd);
		v->fd = -1;
	}
	if (v->timer) {
		ev_timer_del(v->loop, v->timer);
		v->timer = NULL;
	}
}

static void
hd_vos_event(int fd, uint32_t events, void *arg, const struct clk_now *now)
{
	struct hd_vos *v = arg;
	uint8_t buf[4096], aaaa[HD_VERIFY_MAXADDR][16];
	size_t n;
	ssize_t len;
	int rcode;

	(void)events;
	for (;;) {
		len = recv(fd, buf, sizeof(buf), 0);
		if (len == -1) {
			if (errno == EAGAIN || errno == EINTR)
				return;
			hd_vos_close(v);	/* e.g. ECONNREFUSED: nothing listens */
			v->done(v->arg, false, 0, NULL, 0, strerror(errno), now);
			return;
		}
		rcode = hd_dns_aaaa(buf, (size_t)len, v->query, v->qlen, aaaa, HD_VERIFY_MAXADDR, &n);
		if (rcode >= 0) {
			hd_vos_close(v);
			v->done(v->arg, true, rcode, (const uint8_t (*)[16])aaaa, n, NULL, now);
			return;
		}
	}
}

static int64_t
hd_vos_timeout(void *arg, const struct clk_now *now)
{
	struct hd_vos *v = arg;

	v->timer = NULL;
	hd_vos_close(v);
	v->done(v->arg, false, 0, NULL, 0, "no answer", now);
	return -1;
}

int
hd_vos_query(struct hd_vos *v, const struct clk_now *now)
{
	uint16_t id;
	int l;

	if (v->fd != -1)
		return -1;
	if (getrandom(&id, sizeof(id), GRND_NONBLOCK) != sizeof(id))
		id = (uint16_t)now->mono_us;
	l = hd_dns_build(v->query, sizeof(v->query), id, "ipv4only.arpa", HD_DNS_QTYPE_AAAA);
	if (l < 0)
		return -1;
	v->qlen = (size_t)l;
	v->fd = socket(AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (v->fd == -1)
		return -1;
	if (connect(v->fd, (struct sockaddr *)&v->sa, sizeof(v->sa)) == -1 ||
	    send(v->fd, v->query, v->qlen, 0) == -1 ||
	    ev_fd_add(v->loop, v->fd, EPOLLIN, hd_vos_event, v) == -1) {
		close(v->fd);
		v->fd = -1;
		return -1;
	}
	v->timer = ev_timer_add(v->loop, now, v->timeout_ms, hd_vos_timeout, v);
	return 0;
}

struct hd_vos *
hd_vos_create(struct ev_loop *loop, const struct sockaddr_in6 *sa, uint64_t timeout_ms,
    hd_vos_done_fn *done, void *arg)
{
	struct hd_vos *v = xcalloc(1, sizeof(*v));

	v->loop = loop;
	v->sa = *sa;
	v->timeout_ms = timeout_ms ? timeout_ms : 1000;
	v->done = done;
	v->arg = arg;
	v->fd = -1;
	return v;
}

void
hd_vos_destroy(struct hd_vos *v)
{
	if (v == NULL)
		return;
	hd_vos_close(v);
	free(v);
}
