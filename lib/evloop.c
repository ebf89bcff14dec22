/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* evloop.c — see evloop.h. */
#include "evloop.h"
#include "xalloc.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#define EV_MAX_EVENTS	64
#define EV_NSIG		65

struct ev_fdslot {
	ev_fd_cb *cb;
	void *arg;
};

struct ev_timer {
	struct ev_timer *next;
	uint64_t due_ms;
	ev_timer_cb *cb;
	void *arg;
	bool dead;
};

struct ev_loop {
	int epfd;
	struct ev_fdslot *fds;
	int nfds;
	struct ev_timer *timers;	/* sorted by due_ms */
	int sigfd;
	sigset_t sigmask;
	ev_signal_cb *sigcb[EV_NSIG];
	void *sigarg[EV_NSIG];
};

struct ev_loop *
ev_create(void)
{
	struct ev_loop *loop = xcalloc(1, sizeof(*loop));

	loop->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (loop->epfd == -1) {
		free(loop);
		return NULL;
	}
	loop->sigfd = -1;
	sigemptyset(&loop->sigmask);
	return loop;
}

void
ev_destroy(struct ev_loop *loop)
{
	struct ev_timer *t, *n;

	if (loop == NULL)
		return;
	for (t = loop->timers; t; t = n) {
		n = t->next;
		free(t);
	}
	if (loop->sigfd != -1)
		close(loop->sigfd);
	close(loop->epfd);
	free(loop->fds);
	free(loop);
}

static void
ev_grow(struct ev_loop *loop, int fd)
{
	int n;

	if (fd < loop->nfds)
		return;
	n = loop->nfds ? loop->nfds : 16;
	while (n <= fd)
		n *= 2;
	loop->fds = xreallocarray(loop->fds, (size_t)n, sizeof(*loop->fds));
	memset(loop->fds + loop->nfds, 0, (size_t)(n - loop->nfds) * sizeof(*loop->fds));
	loop->nfds = n;
}

int
ev_fd_add(struct ev_loop *loop, int fd, uint32_t events, ev_fd_cb *cb, void *arg)
{
	struct epoll_event ev = { .events = events, .data.fd = fd };

	if (fd < 0)
		return -1;
	if (epoll_ctl(loop->epfd, EPOLL_CTL_ADD, fd, &ev) == -1)
		return -1;
	ev_grow(loop, fd);
	loop->fds[fd].cb = cb;
	loop->fds[fd].arg = arg;
	return 0;
}

int
ev_fd_mod(struct ev_loop *loop, int fd, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.fd = fd };

	return epoll_ctl(loop->epfd, EPOLL_CTL_MOD, fd, &ev);
}

void
ev_fd_del(struct ev_loop *loop, int fd)
{
	if (fd < 0 || fd >= loop->nfds || loop->fds[fd].cb == NULL)
		return;
	epoll_ctl(loop->epfd, EPOLL_CTL_DEL, fd, NULL);
	loop->fds[fd].cb = NULL;
	loop->fds[fd].arg = NULL;
}

static void
ev_timer_insert(struct ev_loop *loop, struct ev_timer *t)
{
	struct ev_timer **pp = &loop->timers;

	while (*pp && (*pp)->due_ms <= t->due_ms)
		pp = &(*pp)->next;
	t->next = *pp;
	*pp = t;
}

struct ev_timer *
ev_timer_add(struct ev_loop *loop, const struct clk_now *now, uint64_t delay_ms,
    ev_timer_cb *cb, void *arg)
{
	struct ev_timer *t = xcalloc(1, sizeof(*t));

	t->due_ms = now->mono_ms + delay_ms;
	t->cb = cb;
	t->arg = arg;
	ev_timer_insert(loop, t);
	return t;
}

void
ev_timer_del(struct ev_loop *loop, struct ev_timer *t)
{
	(void)loop;
	if (t)
		t->dead = true;	/* reaped by ev_run_timers() */
}

static void
ev_signal_read(int fd, uint32_t events, void *arg, const struct clk_now *now)
{
	struct ev_loop *loop = arg;
	struct signalfd_siginfo si;

	(void)events;
	while (read(fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo < EV_NSIG && loop->sigcb[si.ssi_signo])
			loop->sigcb[si.ssi_signo]((int)si.ssi_signo,
			    loop->sigarg[si.ssi_signo], now);
	}
}

int
ev_signal_add(struct ev_loop *loop, int signo, ev_signal_cb *cb, void *arg)
{
	int fd;

	if (signo <= 0 || signo >= EV_NSIG)
		return -1;
	sigaddset(&loop->sigmask, signo);
	if (sigprocmask(SIG_BLOCK, &loop->sigmask, NULL) == -1)
		return -1;
	fd = signalfd(loop->sigfd, &loop->sigmask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (fd == -1)
		return -1;
	if (loop->sigfd == -1) {
		loop->sigfd = fd;
		if (ev_fd_add(loop, fd, EPOLLIN, ev_signal_read, loop) == -1)
			return -1;
	}
	loop->sigcb[signo] = cb;
	loop->sigarg[signo] = arg;
	return 0;
}

static int
ev_run_timers(struct ev_loop *loop, const struct clk_now *now)
{
	struct ev_timer *due = NULL, **tail = &due, *t;
	int ran = 0;

	/* Detach everything due (and everything dead) first, so callbacks
	 * may add or delete timers freely. */
	while ((t = loop->timers) && (t->dead || t->due_ms <= now->mono_ms)) {
		loop->timers = t->next;
		t->next = NULL;
		*tail = t;
		tail = &t->next;
	}
	while ((t = due)) {
		int64_t again = -1;

		due = t->next;
		if (!t->dead) {
			again = t->cb(t->arg, now);
			ran++;
		}
		if (again >= 0 && !t->dead) {
			t->due_ms = now->mono_ms + (uint64_t)again;
			ev_timer_insert(loop, t);
		} else
			free(t);
	}
	return ran;
}

int
ev_run_once(struct ev_loop *loop, struct clk_now *now, int max_wait_ms)
{
	struct epoll_event evs[EV_MAX_EVENTS];
	int timeout = max_wait_ms, n, i, ran = 0;
	struct ev_timer *t;

	clk_read(now);
	for (t = loop->timers; t && t->dead; t = t->next)
		;
	if (t) {
		uint64_t wait = t->due_ms > now->mono_ms ? t->due_ms - now->mono_ms : 0;
		if (wait > INT32_MAX)
			wait = INT32_MAX;
		if (timeout < 0 || (int)wait < timeout)
			timeout = (int)wait;
	}
	n = epoll_wait(loop->epfd, evs, EV_MAX_EVENTS, timeout);
	if (n == -1 && errno != EINTR)
		return -1;
	clk_read(now);
	for (i = 0; i < n; i++) {
		int fd = evs[i].data.fd;

		if (fd < loop->nfds && loop->fds[fd].cb) {
			loop->fds[fd].cb(fd, evs[i].events, loop->fds[fd].arg, now);
			ran++;
		}
	}
	return ran + ev_run_timers(loop, now);
}
