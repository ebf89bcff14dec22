/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* notify.c — see hd_notify.h. */
#include "hd_notify.h"
#include "log.h"
#include "hd_strv.h"
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct hd_nitem {
	char kind[16];
	struct hd_event ev;
};

struct hd_notify {
	struct hd_runner *runner;
	uint64_t timeout_ms;
	struct hd_strv cmd;
	struct hd_nitem *q;		/* ring of HD_NOTIFY_QUEUE */
	size_t head, n;
	bool running;
	uint64_t runs, failures, dropped;
};

struct hd_notify *
hd_notify_create(const char *cmd, uint64_t timeout_ms, struct hd_runner *runner)
{
	struct hd_notify *n = xcalloc(1, sizeof(*n));

	n->runner = runner;
	n->timeout_ms = timeout_ms;
	hd_strv_split(&n->cmd, cmd);
	n->q = xcalloc(HD_NOTIFY_QUEUE, sizeof(*n->q));
	return n;
}

void
hd_notify_destroy(struct hd_notify *n)
{
	if (n == NULL)
		return;
	hd_strv_free(&n->cmd);
	free(n->q);
	free(n);
}

void
hd_notify_push(struct hd_notify *n, const char *kind, const struct hd_event *ev)
{
	struct hd_nitem *it;

	if (n->n == HD_NOTIFY_QUEUE) {
		n->head = (n->head + 1) % HD_NOTIFY_QUEUE;
		n->n--;
		n->dropped++;
		log_warnx("notify: queue full, dropped the oldest event (%llu so far)",
		    (unsigned long long)n->dropped);
	}
	it = &n->q[(n->head + n->n++) % HD_NOTIFY_QUEUE];
	snprintf(it->kind, sizeof(it->kind), "%s", kind);
	it->ev = *ev;
}

void
hd_notify_tick(struct hd_notify *n, const struct clk_now *now)
{
	char **argv, *env[6], e_ev[64], e_pf[80], e_set[HD_EV_SETLEN + 32], e_why[128];
	char e_time[64], ts[32], *setdup, *tok, *save = NULL, err[256];
	struct hd_nitem *it;
	struct tm tm;
	size_t k = 0, i;

	if (n->running || n->n == 0 || n->cmd.n == 0)
		return;
	it = &n->q[n->head];
	argv = xcalloc(n->cmd.n + 2 + HD_EV_SETLEN / 2, sizeof(*argv));
	for (i = 0; i < n->cmd.n; i++)
		argv[k++] = n->cmd.v[i];
	argv[k++] = it->kind;
	setdup = xstrdup(it->ev.set);
	if (it->ev.prefix[0])
		argv[k++] = it->ev.prefix;
	else	/* selection, drift: the set */
		for (tok = strtok_r(setdup, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
			argv[k++] = tok;
	argv[k] = NULL;
	gmtime_r(&it->ev.wall.tv_sec, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	snprintf(e_ev, sizeof(e_ev), "NAT64_HEALTHD_EVENT=%s", it->kind);
	snprintf(e_pf, sizeof(e_pf), "NAT64_HEALTHD_PREFIX=%s", it->ev.prefix);
	snprintf(e_set, sizeof(e_set), "NAT64_HEALTHD_SELECTION=%s", it->ev.set);
	snprintf(e_why, sizeof(e_why), "NAT64_HEALTHD_REASON=%s", it->ev.why);
	snprintf(e_time, sizeof(e_time), "NAT64_HEALTHD_TIME=%s", ts);
	env[0] = e_ev;
	env[1] = e_pf;
	env[2] = e_set;
	env[3] = e_why;
	env[4] = e_time;
	env[5] = NULL;
	n->head = (n->head + 1) % HD_NOTIFY_QUEUE;
	n->n--;
	n->runs++;
	n->running = true;
	err[0] = '\0';
	if (n->runner->spawn(n->runner, argv, env, n->timeout_ms, now, err, sizeof(err)) == -1) {
		n->running = false;
		n->failures++;
		log_errx("notify: %s", err[0] ? err : "cannot start");
	}
	free(setdup);
	free(argv);
}

void
hd_notify_done(struct hd_notify *n, bool ok, const char *why, const struct clk_now *now)
{
	(void)now;
	n->running = false;
	if (!ok) {
		n->failures++;
		log_warnx("notify: %s", why ? why : "failed");
	}
}
