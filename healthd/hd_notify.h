/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* hd_notify.h — --notify CMD: tell someone about every change.
 *
 * For each event (hd_core.h: a prefix up or down, a new selection; main.c
 * adds a served-set drift) runs
 *	CMD [ARGS] EVENT [PREFIX...]
 * with EVENT one of up, down, selection, drift, PREFIX the prefix (up,
 * down) or the set (selection: the new one; drift: the one the resolver
 * should serve), and in the environment
 * NAT64_HEALTHD_EVENT, NAT64_HEALTHD_PREFIX, NAT64_HEALTHD_SELECTION (the
 * set, blank-separated), NAT64_HEALTHD_REASON (down: the last probe
 * failure; drift: what differed) and NAT64_HEALTHD_TIME (UTC). One run at
 * a time, in order, each bounded like COMMAND (the runner's timeout and
 * process group); a queue of HD_NOTIFY_QUEUE waits behind it, older
 * events beyond that are dropped and counted. A failed run is logged,
 * never retried (alerting must not hold up the next event).
 */
#ifndef HD_NOTIFY_H
#define HD_NOTIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hd_apply.h"
#include "clock.h"
#include "hd_core.h"

#define HD_NOTIFY_QUEUE	256

struct hd_notify;

/* cmd: the command line, split on blanks (no quoting). */
struct hd_notify *hd_notify_create(const char *cmd, uint64_t timeout_ms, struct hd_runner *runner);
void hd_notify_destroy(struct hd_notify *n);
/* Queue an event; kind: "up", "down", "selection", "drift". */
void hd_notify_push(struct hd_notify *n, const char *kind, const struct hd_event *ev);
/* Start the next run if idle. */
void hd_notify_tick(struct hd_notify *n, const struct clk_now *now);
/* The runner's report. */
void hd_notify_done(struct hd_notify *n, bool ok, const char *why, const struct clk_now *now);

#endif
