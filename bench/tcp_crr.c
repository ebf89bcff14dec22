/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* tcp-crr — TCP connect/request/response load generator and latency probe
 * for bench/nat64d_handoff.sh (new connections through a NAT64).
 *
 *   tcp-crr server [-l ADDR] [-p PORT] [-b BYTES]
 *       epoll server: accepts, reads a request of BYTES octets, answers
 *       BYTES octets, closes when the client closes or resets.
 *   tcp-crr rate -c ADDR [-p PORT] [-B SRC[,SRC...]] [-n CONC] [-t SECS] [-b BYTES] [-T MS]
 *       CONC connections in flight for SECS seconds; each: non-blocking
 *       connect, send BYTES, read BYTES back (BYTES 0: nothing), close
 *       with SO_LINGER 0 (RST: no TIME_WAIT anywhere, so source ports are
 *       reusable and the server's tuples are never blocked). -B binds
 *       the source: addresses round robin over the list (at most 64),
 *       and for each address the ports 1024, 1025, ... 65535 in turn, so
 *       no (address, port) repeats before 64512 connections per address
 *       (the kernel's own choice, with its random increments, repeats a
 *       port after a few thousand connections; a NAT64 cache keyed by
 *       client port would then hit). A port still in use is skipped.
 *       A connection not done within MS (default 3000) is counted as a
 *       timeout and replaced.
 *       Prints: RATE conns=N secs=S rate=R refused=.. reset=.. timeouts=.. errors=..
 *               plus connect-time median/p90 of the completed connections.
 *   tcp-crr lat -c ADDR [-p PORT] [-B SRC] [-n COUNT] [-b BYTES] [-i MS]
 *       COUNT sequential connections, -i MS apart: the time connect()
 *       takes (SYN -> SYN-ACK seen by the client) and the whole exchange.
 *       Prints: LAT n=.. ok=.. conn_med_us=.. conn_p90_us=.. ...
 *   tcp-crr udp -c ADDR [-p PORT] [-n COUNT] [-i MS]
 *       RTT of COUNT sequential 32-octet datagrams to a UDP echo server
 *       (bench/udp-echo). Prints: UDPRTT n=.. ok=.. med_us=.. p90_us=..
 *
 * ADDR may be IPv4 or IPv6. Only the standard library; no libnk.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONC	4096
#define MAX_BYTES	1024
#define MAX_SAMPLES	(1u << 21)
#define MAX_SRC		64

static volatile sig_atomic_t quit;

static void
on_signal(int signo)
{
	(void)signo;
	quit = 1;
}

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void
die(const char *what)
{
	perror(what);
	exit(2);
}

static int
parse_addr(const char *s, int port, struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, s, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		*len = sizeof(*s4);
		return 0;
	}
	if (inet_pton(AF_INET6, s, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		*len = sizeof(*s6);
		return 0;
	}
	fprintf(stderr, "tcp-crr: '%s' is not an IPv4 or IPv6 address\n", s);
	exit(2);
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Percentile of sorted v[0..n): nearest rank. */
static uint32_t
pct(const uint32_t *v, size_t n, double p)
{
	size_t i;

	if (n == 0)
		return 0;
	i = (size_t)(p / 100.0 * (double)n + 0.999999);
	if (i < 1)
		i = 1;
	if (i > n)
		i = n;
	return v[i - 1];
}

static double
mean(const uint32_t *v, size_t n)
{
	double s = 0;
	size_t i;

	for (i = 0; i < n; i++)
		s += v[i];
	return n ? s / (double)n : 0;
}

/* ------------------------------------------------------------ server */

struct srv_conn {
	int got;
};

static int
run_server(const char *addr, int port, int bytes)
{
	static struct srv_conn conns[65536];
	static char buf[MAX_BYTES];
	struct sockaddr_storage ss;
	struct epoll_event ev, evs[256];
	socklen_t sl;
	int lfd, ep, one = 1, i, n;

	parse_addr(addr, port, &ss, &sl);
	memset(buf, 'r', sizeof(buf));
	if ((lfd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK, 0)) == -1)
		die("socket");
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(lfd, (struct sockaddr *)&ss, sl) == -1)
		die("bind");
	if (listen(lfd, 4096) == -1)
		die("listen");
	if ((ep = epoll_create1(0)) == -1)
		die("epoll_create1");
	ev.events = EPOLLIN;
	ev.data.fd = lfd;
	epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
	printf("READY\n");
	fflush(stdout);
	while (!quit) {
		n = epoll_wait(ep, evs, 256, 500);
		for (i = 0; i < n; i++) {
			int fd = evs[i].data.fd;

			if (fd == lfd) {
				int c;

				while ((c = accept4(lfd, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
					if (c >= (int)(sizeof(conns) / sizeof(conns[0]))) {
						close(c);
						continue;
					}
					setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
					conns[c].got = 0;
					ev.events = EPOLLIN | EPOLLRDHUP;
					ev.data.fd = c;
					epoll_ctl(ep, EPOLL_CTL_ADD, c, &ev);
				}
				continue;
			}
			for (;;) {
				ssize_t r = read(fd, buf, sizeof(buf));

				if (r > 0) {
					conns[fd].got += (int)r;
					if (bytes > 0 && conns[fd].got >= bytes) {
						conns[fd].got -= bytes;
						if (write(fd, buf, (size_t)bytes) < 0)
							break;
					}
					continue;
				}
				if (r == -1 && errno == EAGAIN)
					break;
				close(fd);	/* EOF or reset: epoll forgets it */
				break;
			}
		}
	}
	return 0;
}

/* ------------------------------------------------------------ rate */

enum { C_FREE, C_CONNECTING, C_SENT };

struct cli_conn {
	int fd, state, got;
	uint64_t t0, tconn;
};

struct rate_ctx {
	struct sockaddr_storage dst, src[MAX_SRC];
	socklen_t dlen, slen[MAX_SRC];
	int n_src, next_src;
	uint16_t next_port[MAX_SRC];
	uint64_t wraps;
	int ep, bytes;
	uint64_t done, refused, reset, timeouts, errors;
	uint32_t *conn_us;
	size_t n_us;
};

/* Next source (address round robin, then its next port); ports in use
 * are skipped. */
static int
bind_src(struct rate_ctx *x, int fd)
{
	int k = x->next_src++ % x->n_src, tries;

	for (tries = 0; tries < 64; tries++) {
		struct sockaddr_storage ss = x->src[k];
		uint16_t port = x->next_port[k];

		x->next_port[k] = port == 65535 ? 1024 : (uint16_t)(port + 1);
		if (port == 65535)
			x->wraps++;
		if (ss.ss_family == AF_INET6)
			((struct sockaddr_in6 *)&ss)->sin6_port = htons(port);
		else
			((struct sockaddr_in *)&ss)->sin_port = htons(port);
		if (bind(fd, (struct sockaddr *)&ss, x->slen[k]) == 0)
			return 0;
		if (errno != EADDRINUSE)
			return -1;
	}
	return -1;
}

static int
open_conn(struct rate_ctx *x, struct cli_conn *c)
{
	static const struct linger lg = { 1, 0 };
	struct epoll_event ev;
	int one = 1, fd;

	fd = socket(x->dst.ss_family, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (fd == -1) {
		x->errors++;
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (x->n_src > 0 && bind_src(x, fd) == -1) {
		x->errors++;
		close(fd);
		return -1;
	}
	c->t0 = now_ns();
	if (connect(fd, (struct sockaddr *)&x->dst, x->dlen) == -1 && errno != EINPROGRESS) {
		x->errors++;
		close(fd);
		return -1;
	}
	c->fd = fd;
	c->state = C_CONNECTING;
	c->got = 0;
	ev.events = EPOLLOUT;
	ev.data.ptr = c;
	epoll_ctl(x->ep, EPOLL_CTL_ADD, fd, &ev);
	return 0;
}

static void
close_conn(struct cli_conn *c)
{
	close(c->fd);	/* SO_LINGER 0: RST */
	c->fd = -1;
	c->state = C_FREE;
}

static void
conn_event(struct rate_ctx *x, struct cli_conn *c, uint32_t events)
{
	static char buf[MAX_BYTES];
	struct epoll_event ev;

	if (c->state == C_CONNECTING) {
		int err = 0;
		socklen_t el = sizeof(err);

		getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &el);
		if (err || (events & (EPOLLERR | EPOLLHUP))) {
			if (err == ECONNREFUSED)
				x->refused++;
			else if (err == ECONNRESET)
				x->reset++;
			else
				x->errors++;
			close_conn(c);
			return;
		}
		c->tconn = now_ns();
		if (x->bytes == 0)
			goto done;
		memset(buf, 'q', (size_t)x->bytes);
		if (write(c->fd, buf, (size_t)x->bytes) != x->bytes) {
			x->errors++;
			close_conn(c);
			return;
		}
		c->state = C_SENT;
		ev.events = EPOLLIN | EPOLLRDHUP;
		ev.data.ptr = c;
		epoll_ctl(x->ep, EPOLL_CTL_MOD, c->fd, &ev);
		return;
	}
	for (;;) {
		ssize_t r = read(c->fd, buf, sizeof(buf));

		if (r > 0) {
			c->got += (int)r;
			if (c->got >= x->bytes)
				goto done;
			continue;
		}
		if (r == -1 && errno == EAGAIN)
			return;
		if (r == -1 && errno == ECONNRESET)
			x->reset++;
		else
			x->errors++;
		close_conn(c);
		return;
	}
done:
	x->done++;
	if (x->n_us < MAX_SAMPLES)
		x->conn_us[x->n_us++] = (uint32_t)((c->tconn - c->t0) / 1000);
	close_conn(c);
}

static int
run_rate(struct rate_ctx *x, int conc, double secs, int tmo_ms)
{
	static struct cli_conn cs[MAX_CONC];
	struct epoll_event evs[256];
	uint64_t start, end, stop, last_scan, t;
	int i, n;

	if ((x->ep = epoll_create1(0)) == -1)
		die("epoll_create1");
	x->conn_us = calloc(MAX_SAMPLES, sizeof(*x->conn_us));
	if (!x->conn_us)
		die("calloc");
	for (i = 0; i < conc; i++)
		cs[i].fd = -1;
	start = now_ns();
	stop = start + (uint64_t)(secs * 1e9);
	last_scan = start;
	for (i = 0; i < conc; i++)
		open_conn(x, &cs[i]);
	while (!quit) {
		t = now_ns();
		if (t >= stop)
			break;
		n = epoll_wait(x->ep, evs, 256, 50);
		for (i = 0; i < n; i++)
			conn_event(x, evs[i].data.ptr, evs[i].events);
		t = now_ns();
		if (t - last_scan > 50000000u) {
			last_scan = t;
			for (i = 0; i < conc; i++)
				if (cs[i].state != C_FREE && t - cs[i].t0 > (uint64_t)tmo_ms * 1000000u) {
					x->timeouts++;
					close_conn(&cs[i]);
				}
		}
		if (t < stop)
			for (i = 0; i < conc; i++)
				if (cs[i].state == C_FREE)
					open_conn(x, &cs[i]);
	}
	end = now_ns();
	for (i = 0; i < conc; i++)
		if (cs[i].state != C_FREE)
			close_conn(&cs[i]);
	qsort(x->conn_us, x->n_us, sizeof(*x->conn_us), cmp_u32);
	printf("RATE conns=%llu secs=%.3f rate=%.0f refused=%llu reset=%llu timeouts=%llu errors=%llu "
	    "port_wraps=%llu conn_med_us=%u conn_p90_us=%u conn_p99_us=%u\n",
	    (unsigned long long)x->done, (double)(end - start) / 1e9,
	    (double)x->done * 1e9 / (double)(end - start), (unsigned long long)x->refused,
	    (unsigned long long)x->reset, (unsigned long long)x->timeouts,
	    (unsigned long long)x->errors, (unsigned long long)x->wraps, pct(x->conn_us, x->n_us, 50),
	    pct(x->conn_us, x->n_us, 90), pct(x->conn_us, x->n_us, 99));
	return 0;
}

/* ------------------------------------------------------------ lat */

static int
wait_fd(int fd, short what, int ms)
{
	struct pollfd p = { .fd = fd, .events = what };

	return poll(&p, 1, ms) == 1 ? p.revents : 0;
}

static int
run_lat(struct rate_ctx *x, int count, int bytes, int gap_ms, int tmo_ms)
{
	static const struct linger lg = { 1, 0 };
	static char buf[MAX_BYTES];
	uint32_t *cu = calloc((size_t)count, sizeof(*cu)), *tu = calloc((size_t)count, sizeof(*tu));
	size_t ok = 0;
	int i, fails = 0, one = 1;

	if (!cu || !tu)
		die("calloc");
	memset(buf, 'q', sizeof(buf));
	for (i = 0; i < count && !quit; i++) {
		uint64_t t0, t1, t2;
		int fd = socket(x->dst.ss_family, SOCK_STREAM | SOCK_NONBLOCK, 0), err = 0, got = 0;
		socklen_t el = sizeof(err);

		if (fd == -1)
			die("socket");
		setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		if (x->n_src > 0 && bind_src(x, fd) == -1)
			die("bind");
		t0 = now_ns();
		if (connect(fd, (struct sockaddr *)&x->dst, x->dlen) == -1 && errno != EINPROGRESS)
			goto fail;
		if (!(wait_fd(fd, POLLOUT, tmo_ms) & POLLOUT))
			goto fail;
		getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el);
		if (err)
			goto fail;
		t1 = now_ns();
		if (bytes > 0) {
			if (write(fd, buf, (size_t)bytes) != bytes)
				goto fail;
			while (got < bytes) {
				ssize_t r;

				if (!(wait_fd(fd, POLLIN, tmo_ms) & POLLIN))
					goto fail;
				r = read(fd, buf, sizeof(buf));
				if (r <= 0 && !(r == -1 && errno == EAGAIN))
					goto fail;
				if (r > 0)
					got += (int)r;
			}
		}
		t2 = now_ns();
		cu[ok] = (uint32_t)((t1 - t0) / 1000);
		tu[ok] = (uint32_t)((t2 - t0) / 1000);
		ok++;
		close(fd);
		goto next;
fail:
		fails++;
		close(fd);
next:
		if (gap_ms > 0)
			poll(NULL, 0, gap_ms);
	}
	qsort(cu, ok, sizeof(*cu), cmp_u32);
	qsort(tu, ok, sizeof(*tu), cmp_u32);
	printf("LAT n=%d ok=%zu fail=%d conn_min_us=%u conn_med_us=%u conn_p90_us=%u conn_p99_us=%u "
	    "conn_mean_us=%.0f xchg_med_us=%u xchg_p90_us=%u\n", i, ok, fails, pct(cu, ok, 0),
	    pct(cu, ok, 50), pct(cu, ok, 90), pct(cu, ok, 99), mean(cu, ok), pct(tu, ok, 50),
	    pct(tu, ok, 90));
	free(cu);
	free(tu);
	return 0;
}

/* ------------------------------------------------------------ udp */

static int
run_udp(struct rate_ctx *x, int count, int gap_ms, int tmo_ms)
{
	uint32_t *v = calloc((size_t)count, sizeof(*v));
	char buf[64], rb[64];
	size_t ok = 0;
	int fd, i;

	if (!v)
		die("calloc");
	if ((fd = socket(x->dst.ss_family, SOCK_DGRAM, 0)) == -1)
		die("socket");
	if (connect(fd, (struct sockaddr *)&x->dst, x->dlen) == -1)
		die("connect");
	for (i = 0; i < count && !quit; i++) {
		uint64_t t0;

		memset(buf, 0, sizeof(buf));
		snprintf(buf, sizeof(buf), "tcp-crr %d", i);
		t0 = now_ns();
		if (send(fd, buf, 32, 0) != 32)
			continue;
		for (;;) {
			if (!(wait_fd(fd, POLLIN, tmo_ms) & POLLIN))
				break;
			if (recv(fd, rb, sizeof(rb), 0) == 32 && !memcmp(rb, buf, 32)) {
				v[ok++] = (uint32_t)((now_ns() - t0) / 1000);
				break;
			}
		}
		if (gap_ms > 0)
			poll(NULL, 0, gap_ms);
	}
	qsort(v, ok, sizeof(*v), cmp_u32);
	printf("UDPRTT n=%d ok=%zu min_us=%u med_us=%u p90_us=%u mean_us=%.0f\n", i, ok, pct(v, ok, 0),
	    pct(v, ok, 50), pct(v, ok, 90), mean(v, ok));
	free(v);
	close(fd);
	return 0;
}

static void
usage(void)
{
	fprintf(stderr,
	    "usage: tcp-crr server [-l ADDR] [-p PORT] [-b BYTES]\n"
	    "       tcp-crr rate -c ADDR [-p PORT] [-B SRC[,SRC...]] [-n CONC] [-t SECS] [-b BYTES] [-T MS]\n"
	    "       tcp-crr lat -c ADDR [-p PORT] [-B SRC] [-n COUNT] [-b BYTES] [-i MS] [-T MS]\n"
	    "       tcp-crr udp -c ADDR [-p PORT] [-n COUNT] [-i MS] [-T MS]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	struct rate_ctx x;
	struct sigaction sa;
	const char *mode, *addr = NULL, *laddr = "::", *src = NULL;
	int port = 8080, n = -1, bytes = 16, gap = 0, tmo = 3000, ch;
	double secs = 5;

	if (argc < 2)
		usage();
	mode = argv[1];
	optind = 2;
	while ((ch = getopt(argc, argv, "l:p:c:B:n:t:b:i:T:")) != -1) {
		switch (ch) {
		case 'l': laddr = optarg; break;
		case 'p': port = atoi(optarg); break;
		case 'c': addr = optarg; break;
		case 'B': src = optarg; break;
		case 'n': n = atoi(optarg); break;
		case 't': secs = atof(optarg); break;
		case 'b': bytes = atoi(optarg); break;
		case 'i': gap = atoi(optarg); break;
		case 'T': tmo = atoi(optarg); break;
		default: usage();
		}
	}
	if (port <= 0 || port > 65535 || bytes < 0 || bytes > MAX_BYTES || secs <= 0 || tmo <= 0)
		usage();
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (!strcmp(mode, "server"))
		return run_server(laddr, port, bytes);
	if (!addr)
		usage();
	memset(&x, 0, sizeof(x));
	x.bytes = bytes;
	parse_addr(addr, port, &x.dst, &x.dlen);
	if (src) {
		char *list = strdup(src), *save = NULL, *a;

		if (!list)
			die("strdup");
		for (a = strtok_r(list, ",", &save); a; a = strtok_r(NULL, ",", &save)) {
			if (x.n_src == MAX_SRC)
				usage();
			parse_addr(a, 0, &x.src[x.n_src], &x.slen[x.n_src]);
			x.next_port[x.n_src] = 1024;
			x.n_src++;
		}
		free(list);
	}
	if (!strcmp(mode, "rate")) {
		if (n < 0)
			n = 64;
		if (n < 1 || n > MAX_CONC)
			usage();
		return run_rate(&x, n, secs, tmo);
	}
	if (!strcmp(mode, "lat"))
		return run_lat(&x, n < 0 ? 200 : n, bytes, gap, tmo);
	if (!strcmp(mode, "udp"))
		return run_udp(&x, n < 0 ? 200 : n, gap, tmo);
	usage();
	return 2;
}
