/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* hd_runner.h — the real hd_runner: fork+exec a command in its own process
 * group, collect its output (last 1 KiB), wait through a pidfd in the
 * event loop, TERM the group at the timeout and KILL it 2 s later (also at
 * shutdown, hd_runner_destroy()), KILL what is left of a timed-out
 * command's group when it exits, and report the outcome to a callback. */
#ifndef HD_RUNNER_H
#define HD_RUNNER_H

#include "hd_apply.h"
#include "evloop.h"

typedef void hd_runner_done_fn(void *arg, bool ok, const char *why, const struct clk_now *now);

/* name: for the log ("command", "notify"). */
struct hd_runner *hd_runner_create(struct ev_loop *loop, const char *name);
/* Where each outcome goes (e.g. hd_apply_done() through a wrapper), and a
 * hook run after each report so main can re-arm its timer. */
void hd_runner_bind(struct hd_runner *r, hd_runner_done_fn *done, void *done_arg,
    void (*after)(void *arg, const struct clk_now *now), void *arg);
void hd_runner_destroy(struct hd_runner *r);

#endif
