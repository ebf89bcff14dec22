/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* hd_apply.h — runs COMMAND PREFIX... whenever the selection changes.
 *
 * One run at a time, with a timeout (enforced by the runner). A failure is
 * retried with exponential backoff (backoff_ms, doubling, up to
 * backoff_max_ms), always with the newest wanted set; the reason (exit
 * status and the command's last line of output) is kept for the log and
 * the status file. The runner is a seam: runner.c forks and execs, tests
 * use a fake that reports hd_apply_done() when they choose.
 */
#ifndef HD_APPLY_H
#define HD_APPLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <time.h>

#include "clock.h"

struct hd_runner {
	/* Start argv (NULL-terminated) with envp ("NAME=VALUE", NULL-
	 * terminated; NULL: none) added to the environment; 0, or -1 with a
	 * reason in err. The outcome arrives later through the runner's
	 * report (hd_apply_done() for COMMAND). */
	int (*spawn)(struct hd_runner *r, char *const argv[], char *const envp[],
	    uint64_t timeout_ms, const struct clk_now *now, char *err, size_t errlen);
};

struct hd_apply_cfg {
	uint64_t timeout_ms, backoff_ms, backoff_max_ms;
};

struct hd_apply;

/* cmd: COMMAND and its own arguments (copied). */
struct hd_apply *hd_apply_create(const struct hd_apply_cfg *cfg, char *const cmd[], size_t ncmd,
    struct hd_runner *runner);
void hd_apply_destroy(struct hd_apply *ap);
/* The set BIND should have (strings copied). Returns true if this is news. */
bool hd_apply_want(struct hd_apply *ap, char *const set[], size_t n, const struct clk_now *now);
/* Run COMMAND again with the wanted set now (the resolver serves something
 * else: see hd_verify.h), even if it was applied or a backoff is running.
 * Returns false if there is nothing to apply or a run is going on. */
bool hd_apply_reapply(struct hd_apply *ap, const struct clk_now *now);
/* The set was applied before this process started (state file, see
 * hd_persist.h): record it as applied without running COMMAND. */
void hd_apply_assume(struct hd_apply *ap, char *const set[], size_t n);
/* Starts a run if one is due; returns the next absolute mono_ms at which
 * it wants to be called (UINT64_MAX: nothing to do). */
uint64_t hd_apply_tick(struct hd_apply *ap, const struct clk_now *now);
/* The runner's report: ok, or a reason. */
void hd_apply_done(struct hd_apply *ap, bool ok, const char *why, const struct clk_now *now);

struct hd_apply_stats {
	uint64_t runs, failures, successes;
	unsigned consecutive_failures;
	bool running, pending;
	uint64_t retry_at_ms;
	char last_error[256];
	size_t napplied;	/* prefixes in the last applied set */
	struct timespec last_ok_wall;	/* end of the last successful run (0: none) */
};
void hd_apply_stats(const struct hd_apply *ap, struct hd_apply_stats *st);
/* The last successfully applied set (read-only, valid until next call). */
char *const *hd_apply_applied(const struct hd_apply *ap, size_t *n);

#endif
