/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* apply.c — see hd_apply.h. */
#include "hd_apply.h"
#include "log.h"
#include "hd_strv.h"
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct hd_apply {
	struct hd_apply_cfg cfg;
	struct hd_runner *runner;
	struct hd_strv cmd, want, running_set, applied;
	bool have_want, running, pending, ever_applied;
	uint64_t retry_at_ms;
	uint64_t runs, failures, successes;
	unsigned consec;
	char last_error[256];
	struct timespec last_ok_wall;
};

struct hd_apply *
hd_apply_create(const struct hd_apply_cfg *cfg, char *const cmd[], size_t ncmd,
    struct hd_runner *runner)
{
	struct hd_apply *ap = xcalloc(1, sizeof(*ap));

	ap->cfg = *cfg;
	if (ap->cfg.backoff_ms == 0)
		ap->cfg.backoff_ms = 1000;
	if (ap->cfg.backoff_max_ms < ap->cfg.backoff_ms)
		ap->cfg.backoff_max_ms = ap->cfg.backoff_ms;
	ap->runner = runner;
	hd_strv_set(&ap->cmd, cmd, ncmd);
	return ap;
}

void
hd_apply_destroy(struct hd_apply *ap)
{
	if (ap == NULL)
		return;
	hd_strv_free(&ap->cmd);
	hd_strv_free(&ap->want);
	hd_strv_free(&ap->running_set);
	hd_strv_free(&ap->applied);
	free(ap);
}

bool
hd_apply_want(struct hd_apply *ap, char *const set[], size_t n, const struct clk_now *now)
{
	(void)now;
	if (n == 0)
		return false;	/* never ask for an empty set */
	if (ap->have_want && hd_strv_eq(&ap->want, set, n))
		return false;
	hd_strv_set(&ap->want, set, n);
	ap->have_want = true;
	ap->pending = !(ap->ever_applied && hd_strv_eq(&ap->applied, set, n));
	/* a new set is worth trying at once, even during a backoff */
	if (ap->pending)
		ap->retry_at_ms = 0;
	return true;
}

bool
hd_apply_reapply(struct hd_apply *ap, const struct clk_now *now)
{
	(void)now;
	if (!ap->have_want || ap->running)
		return false;
	ap->pending = true;
	ap->retry_at_ms = 0;
	return true;
}

void
hd_apply_assume(struct hd_apply *ap, char *const set[], size_t n)
{
	if (n == 0)
		return;
	hd_strv_set(&ap->applied, set, n);
	ap->ever_applied = true;
	ap->pending = ap->have_want && !hd_strv_eq(&ap->applied, ap->want.v, ap->want.n);
}

uint64_t
hd_apply_tick(struct hd_apply *ap, const struct clk_now *now)
{
	char **argv, err[256];
	size_t i, k = 0;

	if (!ap->pending || ap->running)
		return UINT64_MAX;
	if (now->mono_ms < ap->retry_at_ms)
		return ap->retry_at_ms;
	argv = xcalloc(ap->cmd.n + ap->want.n + 1, sizeof(*argv));
	for (i = 0; i < ap->cmd.n; i++)
		argv[k++] = ap->cmd.v[i];
	for (i = 0; i < ap->want.n; i++)
		argv[k++] = ap->want.v[i];
	argv[k] = NULL;
	hd_strv_set(&ap->running_set, ap->want.v, ap->want.n);
	ap->runs++;
	ap->running = true;
	err[0] = '\0';
	if (ap->runner->spawn(ap->runner, argv, NULL, ap->cfg.timeout_ms, now, err, sizeof(err)) == -1) {
		free(argv);
		hd_apply_done(ap, false, err[0] ? err : "cannot start command", now);
		return ap->retry_at_ms;
	}
	free(argv);
	return UINT64_MAX;
}

void
hd_apply_done(struct hd_apply *ap, bool ok, const char *why, const struct clk_now *now)
{
	uint64_t delay;
	unsigned i;

	if (!ap->running)
		return;
	ap->running = false;
	if (ok) {
		ap->successes++;
		ap->consec = 0;
		ap->retry_at_ms = 0;
		hd_strv_set(&ap->applied, ap->running_set.v, ap->running_set.n);
		ap->ever_applied = true;
		ap->last_ok_wall = now->wall;
		ap->pending = !hd_strv_eq(&ap->applied, ap->want.v, ap->want.n);
		return;
	}
	ap->failures++;
	ap->consec++;
	snprintf(ap->last_error, sizeof(ap->last_error), "%s", why ? why : "failed");
	delay = ap->cfg.backoff_ms;
	for (i = 1; i < ap->consec && delay < ap->cfg.backoff_max_ms; i++)
		delay *= 2;
	if (delay > ap->cfg.backoff_max_ms)
		delay = ap->cfg.backoff_max_ms;
	ap->retry_at_ms = now->mono_ms + delay;
	ap->pending = true;
	log_errx("apply failed (%u in a row): %s; retrying in %llu ms", ap->consec,
	    ap->last_error, (unsigned long long)delay);
}

void
hd_apply_stats(const struct hd_apply *ap, struct hd_apply_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->runs = ap->runs;
	st->failures = ap->failures;
	st->successes = ap->successes;
	st->consecutive_failures = ap->consec;
	st->running = ap->running;
	st->pending = ap->pending;
	st->retry_at_ms = ap->retry_at_ms;
	snprintf(st->last_error, sizeof(st->last_error), "%s", ap->last_error);
	st->napplied = ap->applied.n;
	st->last_ok_wall = ap->last_ok_wall;
}

char *const *
hd_apply_applied(const struct hd_apply *ap, size_t *n)
{
	*n = ap->applied.n;
	return ap->applied.v;
}
