/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* evloop.h — the small event loop every nat64kit daemon runs.
 *
 * epoll for descriptors, an ordered list of one-shot-or-repeating timers,
 * signalfd for signals. The daemon's main() keeps the loop visible:
 *
 *	while (!quit)
 *		ev_run_once(loop, &now, -1);
 *
 * ev_run_once() sleeps until the next descriptor event or timer deadline,
 * reads the clock once (clk_read), then dispatches descriptor handlers and
 * due timers with that same `now`. Removing a descriptor or timer from
 * inside any callback is safe.
 */
#ifndef NK_EVLOOP_H
#define NK_EVLOOP_H

#include <stdint.h>
#include "clock.h"

struct ev_loop;
struct ev_timer;

/* Descriptor handler; events are EPOLLIN/EPOLLOUT/EPOLLERR/EPOLLHUP bits. */
typedef void ev_fd_cb(int fd, uint32_t events, void *arg, const struct clk_now *now);
/* Timer handler: returns the delay in ms until it runs again, or -1 to end. */
typedef int64_t ev_timer_cb(void *arg, const struct clk_now *now);
/* Signal handler (runs from the loop, not in signal context). */
typedef void ev_signal_cb(int signo, void *arg, const struct clk_now *now);

struct ev_loop *ev_create(void);
void ev_destroy(struct ev_loop *loop);

int  ev_fd_add(struct ev_loop *loop, int fd, uint32_t events, ev_fd_cb *cb, void *arg);
int  ev_fd_mod(struct ev_loop *loop, int fd, uint32_t events);
void ev_fd_del(struct ev_loop *loop, int fd);

struct ev_timer *ev_timer_add(struct ev_loop *loop, const struct clk_now *now,
    uint64_t delay_ms, ev_timer_cb *cb, void *arg);
void ev_timer_del(struct ev_loop *loop, struct ev_timer *t);

/* Blocks the signal for the process and delivers it through the loop. */
int  ev_signal_add(struct ev_loop *loop, int signo, ev_signal_cb *cb, void *arg);

/* One turn: wait (at most max_wait_ms if >= 0), read the clock into *now,
 * dispatch. Returns the number of callbacks run, or -1 on a wait error
 * other than EINTR. */
int  ev_run_once(struct ev_loop *loop, struct clk_now *now, int max_wait_ms);

#endif
