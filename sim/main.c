/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* handoff-sim — plays one or many handoff-capable NAT64s against
 * nat64-handoffd over real UDP and checks every answer. See sim.h for the
 * modules and --help for the options.
 *
 * main() reads top to bottom: options, the event loop, the simulated
 * NAT64s (sockets bound, keys derived), the visible loop until every
 * phase is done or a bound is hit, then the summary and the verdict.
 */
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>

#include "evloop.h"
#include "log.h"
#include "sim.h"

static volatile int quit;
static struct sim *the_sim;

static void
on_signal(int signo, void *arg, const struct clk_now *now)
{
	(void)signo;
	(void)arg;
	sim_stop(the_sim, now);
}

int
main(int argc, char **argv)
{
	struct sim_opts o;
	struct ev_loop *loop;
	struct clk_now now;
	char err[512], line[1024];
	int rc, fails;

	log_init("handoff-sim", LOG_TO_STDERR, 0);
	sim_opts_defaults(&o);
	rc = sim_opts_parse(&o, argc, argv, stdout, err, sizeof(err));
	if (rc == 1)
		return 0;
	if (rc == -1) {
		fprintf(stderr, "handoff-sim: %s\n", err);
		return 2;
	}
	if (sodium_init() == -1) {
		fprintf(stderr, "handoff-sim: libsodium failed to initialise\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	if ((loop = ev_create()) == NULL) {
		fprintf(stderr, "handoff-sim: cannot create the event loop\n");
		return 2;
	}
	clk_read(&now);
	if ((the_sim = sim_create(&o, loop, &now, err, sizeof(err))) == NULL) {
		fprintf(stderr, "handoff-sim: %s\n", err);
		ev_destroy(loop);
		return 2;
	}
	ev_signal_add(loop, SIGINT, on_signal, NULL);
	ev_signal_add(loop, SIGTERM, on_signal, NULL);

	while (!quit) {
		ev_run_once(loop, &now, 100);
		quit = sim_done(the_sim);
	}

	sim_summary_line(sim_counters(the_sim), line, sizeof(line));
	printf("%s\n", line);
	fflush(stdout);
	fails = sim_expect_eval(sim_counters(the_sim), o.expect, o.n_expect, stderr);
	sim_destroy(the_sim);
	ev_destroy(loop);
	return fails == 0 ? 0 : 1;
}
