/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* probe_os.c — see hd_probe_os.h. */
#include "hd_probe_os.h"
#include "buf.h"
#include "hd_dnsmsg.h"
#include "log.h"
#include "xalloc.h"

#include <errno.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

enum hd_icmp_mode { HD_ICMP_UNKNOWN, HD_ICMP_DGRAM, HD_ICMP_RAW, HD_ICMP_NONE };

struct hd_pos;

/* One probe: up to `attempts` sockets, opened one per slot of
 * timeout/attempts; the first good answer on any of them wins. */
struct hd_pprobe {
	struct hd_pprobe *next;
	struct hd_pos *pos;
	uint64_t id;
	enum hd_probe_kind kind;
	struct sockaddr_in6 sa;
	uint64_t start_us, slot_ms;
	unsigned attempts, made;
	int fd[HD_ATTEMPTS_MAX];
	bool raw[HD_ATTEMPTS_MAX];
	uint64_t sent_us[HD_ATTEMPTS_MAX];	/* per attempt: RTT of the answered one */
	struct ev_timer *timer;
	uint8_t query[300];
	size_t qlen;
	uint16_t icmp_id, icmp_seq;
	char why[96];			/* last error seen */
};

struct hd_pos {
	struct hd_prober base;	/* first: the interface */
	struct ev_loop *loop;
	struct hd_pprobe *list;
	size_t n;
	enum hd_icmp_mode icmp;
	uint16_t ctr;
	size_t nfds, max_fds;	/* probe sockets open, and their bound */
	bool fds_warned;
};

/* Descriptors kept free for everything else (status files, COMMAND's
 * pipes, the event loop, the resolver check). */
#define HD_POS_FD_RESERVE	64

static void
hd_pos_close(struct hd_pprobe *pp, unsigned i)
{
	if (pp->fd[i] != -1) {
		ev_fd_del(pp->pos->loop, pp->fd[i]);
		close(pp->fd[i]);
		pp->fd[i] = -1;
		pp->pos->nfds--;
	}
}

static void
hd_pos_unlink(struct hd_pprobe *pp)
{
	struct hd_pos *pos = pp->pos;
	struct hd_pprobe **pl;
	unsigned i;

	for (pl = &pos->list; *pl; pl = &(*pl)->next)
		if (*pl == pp) {
			*pl = pp->next;
			break;
		}
	pos->n--;
	for (i = 0; i < pp->made; i++)
		hd_pos_close(pp, i);
	if (pp->timer)
		ev_timer_del(pos->loop, pp->timer);
	free(pp);
}

/* answered: the attempt that got the answer (ok only). */
static void
hd_pos_finish(struct hd_pprobe *pp, bool ok, unsigned answered, const char *why,
    const struct clk_now *now)
{
	struct hd_pos *pos = pp->pos;
	uint64_t id = pp->id;
	uint32_t rtt = 0;
	char w[96];

	if (ok)
		rtt = hd_probe_rtt_us(pp->sent_us, answered, now->mono_us);
	snprintf(w, sizeof(w), "%s", why ? why : "");
	hd_pos_unlink(pp);
	pos->base.done(pos->base.done_arg, id, ok, rtt, w[0] ? w : NULL, now);
}

static int hd_pos_attempt(struct hd_pprobe *pp, const struct clk_now *now);

static int64_t
hd_pos_timer(void *arg, const struct clk_now *now)
{
	struct hd_pprobe *pp = arg;

	if (pp->made < pp->attempts) {
		hd_pos_attempt(pp, now);	/* a failure is in pp->why */
		return (int64_t)pp->slot_ms;
	}
	pp->timer = NULL;	/* this timer ends with the probe */
	hd_pos_finish(pp, false, 0, pp->why[0] ? pp->why : "timeout", now);
	return -1;
}

/* An attempt failed for good (e.g. ICMP unreachable): wait for the next
 * one, or give up now if none is left and none is open. */
static void
hd_pos_attempt_failed(struct hd_pprobe *pp, unsigned i, const struct clk_now *now)
{
	unsigned k;

	hd_pos_close(pp, i);
	if (pp->made < pp->attempts)
		return;
	for (k = 0; k < pp->made; k++)
		if (pp->fd[k] != -1)
			return;
	hd_pos_finish(pp, false, 0, pp->why, now);
}

static void
hd_pos_event(int fd, uint32_t events, void *arg, const struct clk_now *now)
{
	struct hd_pprobe *pp = arg;
	uint8_t buf[1500];
	int soerr = 0;
	socklen_t sl = sizeof(soerr);
	unsigned i;
	ssize_t n;

	(void)events;
	for (i = 0; i < pp->made && pp->fd[i] != fd; i++)
		;
	if (i == pp->made)
		return;
	if (pp->kind == HD_PROBE_TCP) {
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) == -1)
			soerr = errno;
		/* connected, or a RST came back through the NAT64: the path
		 * works either way */
		if (soerr == 0 || soerr == ECONNREFUSED) {
			hd_pos_finish(pp, true, i, NULL, now);
			return;
		}
		snprintf(pp->why, sizeof(pp->why), "tcp: %s", strerror(soerr));
		hd_pos_attempt_failed(pp, i, now);
		return;
	}
	for (;;) {
		n = recv(fd, buf, sizeof(buf), 0);
		if (n == -1) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
				return;
			snprintf(pp->why, sizeof(pp->why), "%s: %s", hd_probe_kind_name(pp->kind),
			    strerror(errno));
			hd_pos_attempt_failed(pp, i, now);
			return;
		}
		if (pp->kind == HD_PROBE_DNS) {
			if (hd_dns_is_reply(buf, (size_t)n, pp->query, pp->qlen) == 0) {
				hd_pos_finish(pp, true, i, NULL, now);
				return;
			}
			continue;	/* not ours: keep waiting */
		}
		if (n >= 8 && buf[0] == ICMP6_ECHO_REPLY && be16_load(buf + 6) == pp->icmp_seq &&
		    (!pp->raw[i] || be16_load(buf + 4) == pp->icmp_id)) {
			hd_pos_finish(pp, true, i, NULL, now);
			return;
		}
		if (n >= 8 && buf[0] < 128 && !pp->raw[i]) {	/* an error for us */
			snprintf(pp->why, sizeof(pp->why), "icmp: error type %u code %u",
			    buf[0], buf[1]);
			hd_pos_attempt_failed(pp, i, now);
			return;
		}
	}
}

static int
hd_pos_icmp_socket(struct hd_pos *pos, bool *raw)
{
	int fd;

	if (pos->icmp == HD_ICMP_UNKNOWN || pos->icmp == HD_ICMP_DGRAM) {
		fd = socket(AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMPV6);
		if (fd != -1) {
			pos->icmp = HD_ICMP_DGRAM;
			*raw = false;
			return fd;
		}
		if (errno == EMFILE || errno == ENFILE)
			return -1;	/* out of descriptors, not a permission */
	}
	if (pos->icmp != HD_ICMP_NONE) {
		fd = socket(AF_INET6, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMPV6);
		if (fd != -1) {
			struct icmp6_filter f;

			ICMP6_FILTER_SETBLOCKALL(&f);
			ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &f);
			setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &f, sizeof(f));
			if (pos->icmp != HD_ICMP_RAW)
				log_info("icmp probes: ping sockets not permitted "
				    "(net.ipv4.ping_group_range), using a raw socket");
			pos->icmp = HD_ICMP_RAW;
			*raw = true;
			return fd;
		}
		if (errno == EMFILE || errno == ENFILE)
			return -1;
		log_errx("icmp probes fail: neither a ping socket "
		    "(net.ipv4.ping_group_range) nor a raw socket (CAP_NET_RAW) is permitted");
		pos->icmp = HD_ICMP_NONE;
	}
	errno = EPERM;
	return -1;
}

/* Open the next attempt's socket and send. 0, or -1 (reason in why). */
static int
hd_pos_attempt(struct hd_pprobe *pp, const struct clk_now *now)
{
	struct hd_pos *pos = pp->pos;
	unsigned i = pp->made++;
	uint32_t ev = EPOLLIN;
	bool raw = false;
	int fd;

	pp->fd[i] = -1;
	if (pos->nfds >= pos->max_fds) {
		snprintf(pp->why, sizeof(pp->why), "%s: too many probes in flight (%zu sockets, "
		    "bound %zu from RLIMIT_NOFILE)", hd_probe_kind_name(pp->kind), pos->nfds,
		    pos->max_fds);
		if (!pos->fds_warned)
			log_warnx("probes: %zu sockets open, the bound from the descriptor limit "
			    "(RLIMIT_NOFILE minus %d): further probes fail until some end; use fewer "
			    "prefixes, probes or --attempts, or raise LimitNOFILE", pos->nfds,
			    HD_POS_FD_RESERVE);
		pos->fds_warned = true;
		return -1;
	}
	switch (pp->kind) {
	case HD_PROBE_TCP:
		fd = socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		break;
	case HD_PROBE_DNS:
		fd = socket(AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		break;
	default:
		fd = hd_pos_icmp_socket(pos, &raw);
	}
	if (fd == -1) {
		if (errno == EMFILE || errno == ENFILE)
			snprintf(pp->why, sizeof(pp->why), "%s socket: out of descriptors (%s, %zu "
			    "probe sockets open)", hd_probe_kind_name(pp->kind), errno == EMFILE ?
			    "EMFILE: the process limit" : "ENFILE: the system limit", pos->nfds);
		else
			snprintf(pp->why, sizeof(pp->why), "%s socket: %s",
			    hd_probe_kind_name(pp->kind), errno == EPERM || errno == EACCES ?
			    "not permitted (ping_group_range, CAP_NET_RAW)" : strerror(errno));
		return -1;
	}
	pos->nfds++;
	if (pp->kind == HD_PROBE_TCP) {
		struct linger lg = { 1, 0 };	/* close with RST: no TIME_WAIT pile */

		setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		ev = EPOLLOUT;
	}
	if (connect(fd, (struct sockaddr *)&pp->sa, sizeof(pp->sa)) == -1 && errno != EINPROGRESS) {
		snprintf(pp->why, sizeof(pp->why), "%s connect: %s", hd_probe_kind_name(pp->kind),
		    strerror(errno));
		close(fd);
		pos->nfds--;
		return -1;
	}
	if (pp->kind == HD_PROBE_DNS && send(fd, pp->query, pp->qlen, 0) == -1) {
		snprintf(pp->why, sizeof(pp->why), "dns send: %s", strerror(errno));
		close(fd);
		pos->nfds--;
		return -1;
	}
	if (pp->kind == HD_PROBE_ICMP) {
		uint8_t pkt[16] = { ICMP6_ECHO_REQUEST, 0 };

		be16_store(pkt + 4, pp->icmp_id);
		be16_store(pkt + 6, pp->icmp_seq);
		memcpy(pkt + 8, "nat64-hd", 8);
		if (send(fd, pkt, sizeof(pkt), 0) == -1) {
			snprintf(pp->why, sizeof(pp->why), "icmp send: %s", strerror(errno));
			close(fd);
			return -1;
		}
	}
	if (ev_fd_add(pos->loop, fd, ev, hd_pos_event, pp) == -1) {
		snprintf(pp->why, sizeof(pp->why), "epoll: %s", strerror(errno));
		close(fd);
		pos->nfds--;
		return -1;
	}
	pp->fd[i] = fd;
	pp->raw[i] = raw;
	pp->sent_us[i] = now->mono_us;
	return 0;
}

static int
hd_pos_start(struct hd_prober *p, const struct hd_probe_req *req, const struct clk_now *now,
    char *err, size_t errlen)
{
	struct hd_pos *pos = (struct hd_pos *)p;
	struct hd_pprobe *pp = xcalloc(1, sizeof(*pp));
	unsigned i;

	pp->pos = pos;
	pp->id = req->id;
	pp->kind = req->target->kind;
	pp->sa.sin6_family = AF_INET6;
	memcpy(&pp->sa.sin6_addr, req->dst, 16);
	pp->sa.sin6_port = pp->kind == HD_PROBE_ICMP ? 0 : htons(req->target->port);
	pp->start_us = now->mono_us;
	pp->attempts = req->attempts < 1 ? 1 : req->attempts > HD_ATTEMPTS_MAX ? HD_ATTEMPTS_MAX :
	    req->attempts;
	pp->slot_ms = req->timeout_ms / pp->attempts;
	if (pp->slot_ms == 0)
		pp->slot_ms = 1;
	for (i = 0; i < HD_ATTEMPTS_MAX; i++)
		pp->fd[i] = -1;
	if (pp->kind == HD_PROBE_DNS) {
		uint16_t id;
		int l;

		if (getrandom(&id, sizeof(id), GRND_NONBLOCK) != sizeof(id))
			id = (uint16_t)(pos->ctr * 40503u + (uint16_t)now->mono_us);
		l = hd_dns_build(pp->query, sizeof(pp->query), id, req->target->qname,
		    HD_DNS_QTYPE_A);
		if (l < 0) {
			snprintf(err, errlen, "dns: query name too long");
			free(pp);
			return -1;
		}
		pp->qlen = (size_t)l;
	}
	pp->icmp_id = (uint16_t)(getpid() ^ 0x4e48);
	pp->icmp_seq = ++pos->ctr;
	pp->next = pos->list;
	pos->list = pp;
	pos->n++;
	if (hd_pos_attempt(pp, now) == -1 && pp->attempts == 1) {
		snprintf(err, errlen, "%s", pp->why);
		hd_pos_unlink(pp);
		return -1;
	}
	pp->timer = ev_timer_add(pos->loop, now, pp->slot_ms, hd_pos_timer, pp);
	return 0;
}

static void
hd_pos_cancel(struct hd_prober *p, uint64_t id)
{
	struct hd_pos *pos = (struct hd_pos *)p;
	struct hd_pprobe *pp;

	for (pp = pos->list; pp; pp = pp->next)
		if (pp->id == id) {
			hd_pos_unlink(pp);
			return;
		}
}

/* Raise the soft descriptor limit to the hard one, and bound the probe
 * sockets below it. */
static size_t
hd_pos_fd_bound(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return 1024 - HD_POS_FD_RESERVE;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max > 65536 ? 65536 : rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
		getrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > 65536)
		rl.rlim_cur = 65536;
	return rl.rlim_cur > 2 * HD_POS_FD_RESERVE ? (size_t)rl.rlim_cur - HD_POS_FD_RESERVE :
	    (size_t)rl.rlim_cur / 2;
}

struct hd_prober *
hd_pos_create(struct ev_loop *loop, hd_probe_done_fn *done, void *done_arg)
{
	struct hd_pos *pos = xcalloc(1, sizeof(*pos));

	pos->base.start = hd_pos_start;
	pos->base.cancel = hd_pos_cancel;
	pos->base.done = done;
	pos->base.done_arg = done_arg;
	pos->loop = loop;
	pos->max_fds = hd_pos_fd_bound();
	return &pos->base;
}

void
hd_pos_destroy(struct hd_prober *p)
{
	struct hd_pos *pos = (struct hd_pos *)p;

	if (pos == NULL)
		return;
	while (pos->list)
		hd_pos_unlink(pos->list);
	free(pos);
}
