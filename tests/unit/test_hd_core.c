/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* Whole-daemon scenarios for healthd/core.c + apply.c with a fake clock, a
 * fake prober (per-prefix up/down, loss, RTT) and a fake COMMAND runner:
 * start, failover, recovery, hours of 10 % loss without flapping, COMMAND
 * failing (BIND stopped) and recovering, prefix file reloads. Hours of
 * probing run in milliseconds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "addr.h"
#include "hd_apply.h"
#include "hd_core.h"

#define NPFX_MAX	128
#define NPEND_MAX	1024

/* ------------------------------------------------------------ fake prober */
struct fpend {
	uint64_t id, due;
	bool ok;
	uint32_t rtt_us;
};

struct fprober {
	struct hd_prober base;
	struct fpend pend[NPEND_MAX];
	size_t n;
	/* per prefix, indexed by the 3rd 16-bit group of the prefix */
	bool down[NPFX_MAX];
	unsigned loss_pct[NPFX_MAX];
	uint32_t rtt_us[NPFX_MAX];
	uint64_t rng, started, cancelled;
};

static uint64_t
frand(struct fprober *f)
{
	f->rng ^= f->rng << 13;
	f->rng ^= f->rng >> 7;
	f->rng ^= f->rng << 17;
	return f->rng;
}

static int
fp_start(struct hd_prober *p, const struct hd_probe_req *req, const struct clk_now *now,
    char *err, size_t errlen)
{
	struct fprober *f = (struct fprober *)p;
	unsigned ix = (unsigned)(req->dst[4] << 8 | req->dst[5]) % NPFX_MAX;
	struct fpend *e;
	bool ok;

	(void)err;
	(void)errlen;
	assert_true(f->n < NPEND_MAX);
	/* the synthesized address carries the target's IPv4 (RFC 6052 /96) */
	assert_int_equal(addr_rfc6052_extract(req->dst, 96), req->target->v4);
	ok = !f->down[ix] && frand(f) % 100 >= f->loss_pct[ix];
	e = &f->pend[f->n++];
	e->id = req->id;
	e->ok = ok;
	e->rtt_us = f->rtt_us[ix] ? f->rtt_us[ix] : 2000;
	e->due = now->mono_ms + (ok ? e->rtt_us / 1000 + 1 : req->timeout_ms);
	f->started++;
	return 0;
}

static void
fp_cancel(struct hd_prober *p, uint64_t id)
{
	struct fprober *f = (struct fprober *)p;
	size_t i;

	for (i = 0; i < f->n; i++)
		if (f->pend[i].id == id) {
			f->pend[i] = f->pend[--f->n];
			f->cancelled++;
			return;
		}
}

/* ------------------------------------------------------------ fake runner */
struct frunner {
	struct hd_runner base;
	struct hd_apply *ap;
	bool running, fail;
	uint64_t done_at;
	char applied[512];	/* what "BIND" serves: last successful set */
	char last[512];
	unsigned runs, empties;
	uint64_t changed_at;	/* mono_ms of the last change BIND saw */
};

static int
fr_spawn(struct hd_runner *r, char *const argv[], char *const envp[], uint64_t timeout_ms,
    const struct clk_now *now, char *err, size_t errlen)
{
	struct frunner *f = (struct frunner *)r;
	size_t i, off = 0;

	assert_null(envp);
	(void)timeout_ms;
	(void)err;
	(void)errlen;
	assert_false(f->running);
	assert_string_equal(argv[0], "update-dns64");
	assert_string_equal(argv[1], "-o");
	f->last[0] = '\0';
	for (i = 3; argv[i]; i++)
		off += (size_t)snprintf(f->last + off, sizeof(f->last) - off, "%s%s",
		    off ? " " : "", argv[i]);
	if (i == 3)
		f->empties++;
	f->running = true;
	f->runs++;
	f->done_at = now->mono_ms + 50;
	return 0;
}

/* ------------------------------------------------------------ simulation */
struct sim {
	struct fprober fp;
	struct frunner fr;
	struct hd_apply *ap;
	struct hd_core *core;
	uint64_t t, next;
	struct hd_pflist l;
};

static struct hd_core_cfg
base_cfg(void)
{
	struct hd_core_cfg c;
	char err[128];

	memset(&c, 0, sizeof(c));
	c.health = (struct hd_health_cfg){ .rise = 3, .fall = 3, .quorum = 1, .window = 20,
	    .min_ratio_pct = 50, .hold_ms = 5000, .hold_max_ms = 300000 };
	c.sel = (struct hd_sel_cfg){ .min = 2, .max = 3, .margin_us = 20000 };
	c.interval_ms = 1000;
	c.timeout_ms = 500;
	c.jitter_pct = 10;
	c.startup_ms = 3 * 1000 + 500;
	c.seed = 42;
	assert_int_equal(hd_target_parse("tcp:192.0.2.2:80", &c.targets[0], err, sizeof(err)), 0);
	assert_int_equal(hd_target_parse("dns:192.0.2.53", &c.targets[1], err, sizeof(err)), 0);
	c.ntargets = 2;
	return c;
}

static void
sim_prefixes(struct sim *s, size_t n)
{
	char *text = malloc(n * 40 + 1), err[256];
	size_t off = 0, i;

	for (i = 0; i < n; i++)
		off += (size_t)sprintf(text + off, "2001:db8:%zx::/96\n", i);
	hd_pf_free(&s->l);
	assert_int_equal(hd_pf_parse("sim", text, off, &s->l, err, sizeof(err)), 0);
	free(text);
}

static void
sim_init(struct sim *s, const struct hd_core_cfg *cfg, size_t n)
{
	static char *cmd[] = { "update-dns64", "-o", "/x" };
	struct hd_apply_cfg acfg = { .timeout_ms = 5000, .backoff_ms = 1000,
	    .backoff_max_ms = 16000 };
	struct clk_now now;

	memset(s, 0, sizeof(*s));
	s->fp.base.start = fp_start;
	s->fp.base.cancel = fp_cancel;
	s->fp.base.done = hd_core_probe_done;
	s->fp.rng = 0x1234567;
	s->fr.base.spawn = fr_spawn;
	s->t = 1000000;
	now = clk_fake(s->t, 1700000000);
	s->ap = hd_apply_create(&acfg, cmd, 3, &s->fr.base);
	s->fr.ap = s->ap;
	s->core = hd_core_create(cfg, &s->fp.base, s->ap, &now);
	s->fp.base.done_arg = s->core;
	sim_prefixes(s, n);
	hd_core_set_prefixes(s->core, &s->l, &now);
	s->next = hd_core_tick(s->core, &now);
}

static void
sim_free(struct sim *s)
{
	hd_core_destroy(s->core);
	hd_apply_destroy(s->ap);
	hd_pf_free(&s->l);
}

/* Advance to `until` (ms), delivering probe results and runner reports in
 * time order, ticking the core after each, like main.c's loop does. */
static void
sim_run(struct sim *s, uint64_t until)
{
	for (;;) {
		uint64_t t = s->next;
		struct clk_now now;
		size_t i, best = SIZE_MAX;

		for (i = 0; i < s->fp.n; i++)
			if (s->fp.pend[i].due < t) {
				t = s->fp.pend[i].due;
				best = i;
			}
		if (s->fr.running && s->fr.done_at < t) {
			t = s->fr.done_at;
			best = SIZE_MAX - 1;
		}
		if (t > until) {
			s->t = until;
			return;
		}
		assert_true(t >= s->t);
		s->t = t;
		now = clk_fake(t, 1700000000 + (time_t)(t / 1000));
		if (best == SIZE_MAX - 1) {
			s->fr.running = false;
			if (s->fr.fail)
				hd_apply_done(s->ap, false, "rndc: connection refused", &now);
			else {
				if (strcmp(s->fr.applied, s->fr.last) != 0)
					s->fr.changed_at = t;
				strcpy(s->fr.applied, s->fr.last);
				hd_apply_done(s->ap, true, NULL, &now);
			}
		} else if (best != SIZE_MAX) {
			struct fpend e = s->fp.pend[best];

			s->fp.pend[best] = s->fp.pend[--s->fp.n];
			hd_core_probe_done(s->core, e.id, e.ok, e.rtt_us, e.ok ? NULL : "timeout",
			    &now);
		}
		s->next = hd_core_tick(s->core, &now);
		assert_true(s->next > t);
	}
}

static const struct hd_pstate *
pfx(struct sim *s, size_t i)
{
	size_t n;
	const struct hd_pstate *v = hd_core_prefixes(s->core, &n);

	assert_true(i < n);
	return &v[i];
}

static void
test_start_and_failover(void **state)
{
	struct hd_core_cfg cfg = base_cfg();
	struct sim s;
	uint64_t kill_at, took;

	(void)state;
	sim_init(&s, &cfg, 4);
	/* all good: after the startup rounds, the first three in file order */
	sim_run(&s, s.t + 6000);
	assert_string_equal(s.fr.applied, "2001:db8::/96 2001:db8:1::/96 2001:db8:2::/96");
	assert_int_equal(s.fr.runs, 1);
	/* an hour of nothing happening: no more runs */
	sim_run(&s, s.t + 3600 * 1000);
	assert_int_equal(s.fr.runs, 1);
	/* kill the first NAT64 */
	kill_at = s.t;
	s.fp.down[0] = true;
	sim_run(&s, s.t + 10000);
	assert_string_equal(s.fr.applied, "2001:db8:1::/96 2001:db8:2::/96 2001:db8:3::/96");
	took = s.fr.changed_at - kill_at;
	/* fall x interval (+ jitter, + the round in flight and its timeout) */
	assert_true(took <= 3 * 1100 + 1100 + 500 + 50);
	assert_int_equal(pfx(&s, 0)->h.state, HD_DOWN);
	/* bring it back: up after hold-down and rise, set unchanged (sticky) */
	s.fp.down[0] = false;
	sim_run(&s, s.t + 12000);
	assert_int_equal(pfx(&s, 0)->h.state, HD_UP);
	assert_false(pfx(&s, 0)->selected);
	assert_int_equal(s.fr.runs, 2);
	/* now another fails: the recovered one is taken again */
	s.fp.down[2] = true;
	sim_run(&s, s.t + 10000);
	assert_string_equal(s.fr.applied, "2001:db8::/96 2001:db8:1::/96 2001:db8:3::/96");
	assert_int_equal(s.fr.empties, 0);
	sim_free(&s);
}

static void
test_loss_no_flap(void **state)
{
	struct hd_core_cfg cfg = base_cfg();
	struct sim s;
	unsigned runs;

	(void)state;
	sim_init(&s, &cfg, 4);
	sim_run(&s, s.t + 6000);
	runs = s.fr.runs;
	/* 10 % loss each way is ~19 % per exchange; the prober's second
	 * attempt within the timeout makes it ~3.6 % per probe (0.19^2).
	 * Two hours of it: */
	s.fp.loss_pct[1] = 4;
	sim_run(&s, s.t + 2 * 3600 * 1000);
	assert_int_equal(pfx(&s, 1)->h.transitions, 1);	/* the initial rise only */
	assert_int_equal(s.fr.runs, runs);
	assert_true(pfx(&s, 1)->h.probes_fail > 200);
	/* heavy loss (70 %) does bring it down, and it stays down */
	s.fp.loss_pct[1] = 70;
	sim_run(&s, s.t + 600 * 1000);
	assert_int_equal(pfx(&s, 1)->h.state, HD_DOWN);
	assert_false(pfx(&s, 1)->selected);
	/* it may come back between hold-downs, but the hold-down doubles
	 * (5, 10, 20, .. 300 s): at most ~7 falls in 10 minutes */
	assert_true(pfx(&s, 1)->h.transitions <= 1 + 2 * 8);
	sim_free(&s);
}

static void
test_command_failing(void **state)
{
	struct hd_core_cfg cfg = base_cfg();
	struct hd_apply_stats st;
	struct sim s;

	(void)state;
	sim_init(&s, &cfg, 4);
	s.fr.fail = true;	/* BIND stopped */
	sim_run(&s, s.t + 60000);
	hd_apply_stats(s.ap, &st);
	assert_true(st.failures >= 4 && st.failures <= 8);	/* backoff 1,2,4,8,16,16.. s */
	assert_true(st.pending);
	assert_string_equal(st.last_error, "rndc: connection refused");
	assert_string_equal(s.fr.applied, "");
	/* BIND back: the newest set is applied at the next retry */
	s.fr.fail = false;
	s.fp.down[0] = true;
	sim_run(&s, s.t + 20000);
	assert_string_equal(s.fr.applied, "2001:db8:1::/96 2001:db8:2::/96 2001:db8:3::/96");
	hd_apply_stats(s.ap, &st);
	assert_false(st.pending);
	assert_int_equal(st.consecutive_failures, 0);
	assert_int_equal(s.fr.empties, 0);
	sim_free(&s);
}

static void
test_all_down_never_empty(void **state)
{
	struct hd_core_cfg cfg = base_cfg();
	struct sim s;
	size_t i;

	(void)state;
	sim_init(&s, &cfg, 3);
	for (i = 0; i < 3; i++)
		s.fp.down[i] = true;
	sim_run(&s, s.t + 10000);
	/* nothing proven: the first min in file order, applied once */
	assert_string_equal(s.fr.applied, "2001:db8::/96 2001:db8:1::/96");
	s.fp.down[2] = false;
	sim_run(&s, s.t + 10000);
	/* the healthy one joins, first: single-prefix resolvers take the
	 * first; too few are healthy, so no dead member is dropped */
	assert_string_equal(s.fr.applied, "2001:db8:2::/96 2001:db8::/96 2001:db8:1::/96");
	/* the first comes back while the third fails: with two healthy
	 * for a moment the dead member goes; then too few are healthy
	 * again and the set stays, the healthy one first */
	s.fp.down[2] = true;
	s.fp.down[0] = false;
	sim_run(&s, s.t + 20000);
	assert_string_equal(s.fr.applied, "2001:db8::/96 2001:db8:2::/96");
	assert_int_equal(s.fr.empties, 0);
	sim_free(&s);
}

static void
test_reload(void **state)
{
	struct hd_core_cfg cfg = base_cfg();
	struct hd_pflist l;
	struct clk_now now;
	struct sim s;
	char err[256];
	const char *text = "2001:db8:1::/96\n2001:db8:2::/96\n2001:db8:7::/96\n2001:db8:3::/96\n";

	(void)state;
	sim_init(&s, &cfg, 4);
	sim_run(&s, s.t + 6000);
	assert_string_equal(s.fr.applied, "2001:db8::/96 2001:db8:1::/96 2001:db8:2::/96");
	/* the first prefix leaves the file, a new one arrives */
	assert_int_equal(hd_pf_parse("new", text, strlen(text), &l, err, sizeof(err)), 0);
	now = clk_fake(s.t, 0);
	hd_core_set_prefixes(s.core, &l, &now);
	hd_pf_free(&l);
	s.next = hd_core_tick(s.core, &now);
	sim_run(&s, s.t + 1000);
	/* kept prefixes kept their health: 3 is up at once, 7 is unproven */
	assert_string_equal(s.fr.applied, "2001:db8:1::/96 2001:db8:2::/96 2001:db8:3::/96");
	assert_int_equal(pfx(&s, 2)->h.state, HD_DOWN);
	sim_run(&s, s.t + 10000);
	assert_int_equal(pfx(&s, 2)->h.state, HD_UP);
	sim_free(&s);
}

static void
test_hundred_prefixes(void **state)
{
	struct hd_core_cfg cfg = base_cfg();
	struct sim s;
	size_t i, up = 0;

	(void)state;
	sim_init(&s, &cfg, 100);
	for (i = 0; i < 100; i += 2)
		s.fp.down[i] = true;
	sim_run(&s, s.t + 3600 * 1000);	/* one hour */
	for (i = 0; i < 100; i++)
		up += pfx(&s, i)->h.state == HD_UP;
	assert_int_equal(up, 50);
	assert_string_equal(s.fr.applied, "2001:db8:1::/96 2001:db8:3::/96 2001:db8:5::/96");
	/* jitter: about 2 probes per prefix per second, not lockstep */
	assert_true(s.fp.started > 100 * 2 * 3500 && s.fp.started < 100 * 2 * 3700);
	sim_free(&s);
}

/* The daemon's defaults (main.c hd_defaults), three DNS targets as the
 * built-in ones. */
static struct hd_core_cfg
defaults_cfg(void)
{
	struct hd_core_cfg c;
	char err[128];

	memset(&c, 0, sizeof(c));
	c.health = (struct hd_health_cfg){ .rise = 3, .fall = 2, .quorum = 1, .window = 20,
	    .min_ratio_pct = 50, .hold_ms = 10000, .hold_max_ms = 300000 };
	c.sel = (struct hd_sel_cfg){ .min = 2, .max = 3, .margin_us = 20000 };
	c.interval_ms = 2000;
	c.fast_interval_ms = 500;
	c.timeout_ms = 1000;
	c.attempts = 2;
	c.jitter_pct = 10;
	c.startup_ms = 3 * 2000 + 1000;
	c.seed = 7;
	assert_int_equal(hd_target_parse("dns:192.0.2.53", &c.targets[0], err, sizeof(err)), 0);
	assert_int_equal(hd_target_parse("dns:198.51.100.53", &c.targets[1], err, sizeof(err)), 0);
	assert_int_equal(hd_target_parse("dns:203.0.113.53", &c.targets[2], err, sizeof(err)), 0);
	c.ntargets = 3;
	return c;
}

/* At the default settings a selected NAT64's death leaves what "BIND"
 * serves within 5 s, whatever the phase of its probe rounds (50 deaths,
 * each in a fresh daemon with its own jitter seed, at spread times; the
 * fake COMMAND takes 50 ms). */
static void
test_failover_defaults(void **state)
{
	uint64_t worst = 0, sum = 0;
	int trial;

	(void)state;
	for (trial = 0; trial < 50; trial++) {
		struct hd_core_cfg cfg = defaults_cfg();
		unsigned victim = trial % 2 ? 1 : 2;	/* selected either way */
		uint64_t kill_at, took;
		struct sim s;

		cfg.seed = (uint64_t)trial + 1;
		sim_init(&s, &cfg, 4);
		sim_run(&s, s.t + 20000 + 97 * (uint64_t)trial);
		assert_string_equal(s.fr.applied, "2001:db8::/96 2001:db8:1::/96 2001:db8:2::/96");
		kill_at = s.t;
		s.fp.down[victim] = true;
		sim_run(&s, s.t + 8000);
		assert_string_equal(s.fr.applied, victim == 1 ? "2001:db8::/96 2001:db8:2::/96 "
		    "2001:db8:3::/96" : "2001:db8::/96 2001:db8:1::/96 2001:db8:3::/96");
		took = s.fr.changed_at - kill_at;
		if (took > worst)
			worst = took;
		sum += took;
		assert_int_equal(s.fr.empties, 0);
		sim_free(&s);
	}
	print_message("failover at defaults over 50 deaths: worst %llu ms, mean %llu ms\n",
	    (unsigned long long)worst, (unsigned long long)(sum / 50));
	assert_true(worst <= 5000);
}

static unsigned
all_down_up(struct sim *s, uint64_t recover_ms, unsigned *up_runs)
{
	unsigned runs = s->fr.runs, down, i;

	for (i = 0; i < 4; i++)
		s->fp.down[i] = true;
	sim_run(s, s->t + 30000);
	down = s->fr.runs - runs;
	runs = s->fr.runs;
	for (i = 0; i < 4; i++)
		s->fp.down[i] = false;
	sim_run(s, s->t + recover_ms);
	*up_runs = s->fr.runs - runs;
	return down;
}

/* Every NAT64 dies at once, then all come back at once: at most one
 * COMMAND run on the way down and one on the way up. Without hold-downs
 * (all recover together) the set ends in file order even when it was not
 * in file order before the outage. */
static void
test_all_down_all_up(void **state)
{
	struct hd_core_cfg cfg = defaults_cfg();
	struct sim s;
	unsigned down, up;

	(void)state;
	sim_init(&s, &cfg, 4);
	sim_run(&s, s.t + 20000);
	down = all_down_up(&s, 60000, &up);
	print_message("all down, then up (hold-down %llu ms): %u runs down, %u up\n",
	    (unsigned long long)cfg.health.hold_ms, down, up);
	assert_true(down <= 1 && up <= 1);
	assert_int_equal(pfx(&s, 0)->h.state, HD_UP);
	sim_free(&s);

	cfg.health.hold_ms = 0;
	sim_init(&s, &cfg, 4);
	sim_run(&s, s.t + 20000);
	s.fp.down[1] = true;	/* 1 dies and comes back: the set is 0 2 3 */
	sim_run(&s, s.t + 10000);
	s.fp.down[1] = false;
	sim_run(&s, s.t + 30000);
	assert_string_equal(s.fr.applied, "2001:db8::/96 2001:db8:2::/96 2001:db8:3::/96");
	down = all_down_up(&s, 30000, &up);
	print_message("from 0 2 3, all down, then up (no hold-down): %u runs down, %u up -> %s\n",
	    down, up, s.fr.applied);
	assert_true(down <= 1 && up <= 1);
	assert_string_equal(s.fr.applied, "2001:db8::/96 2001:db8:1::/96 2001:db8:2::/96");
	assert_int_equal(s.fr.empties, 0);
	sim_free(&s);
}

/* The RTT of a probe answered on its retry is the retry's, not the time
 * since the first attempt; one such sample does not move the median. */
static void
test_rtt_answered_attempt(void **state)
{
	uint64_t sent[HD_ATTEMPTS_MAX] = { 1000000, 1500000, 0, 0 };
	struct hd_health_cfg hc = { .rise = 3, .fall = 2, .window = 20 };
	struct hd_health h;
	struct clk_now t0 = clk_fake(0, 0);
	int i;

	(void)state;
	/* sent at 1.0 s and 1.5 s, the second answered at 1.5005 s */
	assert_int_equal(hd_probe_rtt_us(sent, 1, 1500500), 500);
	assert_int_equal(hd_probe_rtt_us(sent, 0, 1000700), 700);
	assert_int_equal(hd_probe_rtt_us(sent, 1, 1400000), 0);	/* before it was sent */
	assert_int_equal(hd_probe_rtt_us(sent, HD_ATTEMPTS_MAX, 1500500), 0);
	hd_health_init(&h, &t0);
	for (i = 0; i < 9; i++)
		hd_health_probe(&h, &hc, true, 500);
	hd_health_probe(&h, &hc, true, 1000500);	/* a slow one */
	assert_int_equal(hd_health_rtt_us(&h), 500);
	/* settled only with half a window of answers */
	assert_int_equal(hd_health_rtt_settled_us(&h, &hc), 500);
	hd_health_init(&h, &t0);
	for (i = 0; i < 9; i++)
		hd_health_probe(&h, &hc, true, 500);
	assert_int_equal(hd_health_rtt_settled_us(&h, &hc), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_start_and_failover),
		cmocka_unit_test(test_loss_no_flap),
		cmocka_unit_test(test_command_failing),
		cmocka_unit_test(test_all_down_never_empty),
		cmocka_unit_test(test_reload),
		cmocka_unit_test(test_hundred_prefixes),
		cmocka_unit_test(test_failover_defaults),
		cmocka_unit_test(test_all_down_all_up),
		cmocka_unit_test(test_rtt_answered_attempt),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
