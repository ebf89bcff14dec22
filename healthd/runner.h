/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* runner.h — the real hd_runner: fork+exec COMMAND, collect its output
 * (last 1 KiB), wait through a pidfd in the event loop, SIGTERM at the
 * timeout and SIGKILL 2 s later, report to hd_apply_done(). */
#ifndef HD_RUNNER_H
#define HD_RUNNER_H

#include "apply.h"
#include "evloop.h"

struct hd_runner *hd_runner_create(struct ev_loop *loop);
/* The apply object to report to (set after hd_apply_create()), and a hook
 * run after each report so main can re-arm its timer. */
void hd_runner_bind(struct hd_runner *r, struct hd_apply *ap,
    void (*after)(void *arg, const struct clk_now *now), void *arg);
void hd_runner_destroy(struct hd_runner *r);

#endif
