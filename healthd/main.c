/* nat64-healthd — keeps BIND's DNS64 on the 2–3 healthiest NAT64 prefixes.
 *
 *	nat64-healthd [options] PREFIXFILE -- COMMAND [ARGS]
 *
 * main() reads top to bottom: options (command line over config file), the
 * prefix file, privilege drop, then the modules in order — event loop,
 * prober, runner, apply, core — and the visible loop. Shutdown runs them
 * in reverse. See nat64-healthd(8) and docs/HEALTHD.md.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "apply.h"
#include "hd_config.h"
#include "core.h"
#include "daemon.h"
#include "evloop.h"
#include "log.h"
#include "prefixfile.h"
#include "probe.h"
#include "probe_os.h"
#include "runner.h"
#include "status.h"
#include "xalloc.h"

struct healthd {
	struct hd_opts o;
	const char *pfpath;
	struct ev_loop *loop;
	struct hd_prober *prober;
	struct hd_runner *runner;
	struct hd_apply *apply;
	struct hd_core *core;
	struct ev_timer *core_timer;
	uint64_t core_due_ms;
	uint64_t status_gen;	/* events + apply outcomes last written */
	struct stat pf_st;
	bool quit;
};

/* ---------------------------------------------------------------- glue */

static void
hd_write_status(struct healthd *d, const struct clk_now *now)
{
	static char last[512];	/* say each distinct failure once */
	char err[512];

	if (hd_status_write(d->core, d->apply, d->o.state_path, d->o.prom_path[0] ? d->o.prom_path : NULL, now, err,
	    sizeof(err)) == -1) {
		if (strcmp(err, last) != 0)
			log_warnx("status: %s", err);
		snprintf(last, sizeof(last), "%s", err);
	} else if (last[0]) {
		log_info("status: written again");
		last[0] = '\0';
	}
}

/* Generation of what the status file shows: changes now, not at the next
 * periodic write, so operators and tests never read a stale selection. */
static uint64_t
hd_status_gen(const struct healthd *d)
{
	struct hd_apply_stats st;

	hd_apply_stats(d->apply, &st);
	return hd_core_events(d->core) + st.runs + st.successes + st.failures;
}

static int64_t
hd_core_timer(void *arg, const struct clk_now *now)
{
	struct healthd *d = arg;
	uint64_t next = hd_core_tick(d->core, now), gen = hd_status_gen(d);

	if (gen != d->status_gen) {
		d->status_gen = gen;
		hd_write_status(d, now);
	}
	/* This timer never ends (hd_kick relies on it): with every prefix
	 * in a round the core has no deadline of its own. */
	if (next > now->mono_ms + 60000)
		next = now->mono_ms + 60000;
	d->core_due_ms = next;
	return (int64_t)(next - now->mono_ms);
}

/* Something happened outside the core timer (a probe or COMMAND report):
 * make the core look at it in this same loop turn. */
static void
hd_kick(void *arg, const struct clk_now *now)
{
	struct healthd *d = arg;

	if (d->core_due_ms <= now->mono_ms)
		return;
	ev_timer_del(d->loop, d->core_timer);
	d->core_timer = ev_timer_add(d->loop, now, 0, hd_core_timer, d);
	d->core_due_ms = now->mono_ms;
}

static void
hd_probe_report(void *arg, uint64_t id, bool ok, uint32_t rtt_us, const char *why,
    const struct clk_now *now)
{
	struct healthd *d = arg;

	hd_core_probe_done(d->core, id, ok, rtt_us, why, now);
	hd_kick(d, now);
}

static void
hd_reload(struct healthd *d, const char *why, const struct clk_now *now)
{
	struct hd_pflist l;
	char err[512];

	if (hd_pf_load(d->pfpath, &l, err, sizeof(err)) == -1) {
		log_warnx("%s: keeping the previous prefixes: %s", why, err);
		return;
	}
	log_info("%s: %zu prefixes from %s", why, l.n, d->pfpath);
	hd_core_set_prefixes(d->core, &l, now);
	hd_pf_free(&l);
	hd_kick(d, now);
}

static int
hd_stat_changed(struct healthd *d)
{
	struct stat st;

	if (stat(d->pfpath, &st) == -1)
		return 0;	/* gone for now (an editor's rename): wait */
	if (st.st_ino == d->pf_st.st_ino && st.st_dev == d->pf_st.st_dev &&
	    st.st_size == d->pf_st.st_size && st.st_mtim.tv_sec == d->pf_st.st_mtim.tv_sec &&
	    st.st_mtim.tv_nsec == d->pf_st.st_mtim.tv_nsec)
		return 0;
	d->pf_st = st;
	return 1;
}

static int64_t
hd_housekeeping(void *arg, const struct clk_now *now)
{
	struct healthd *d = arg;

	if (hd_stat_changed(d))
		hd_reload(d, "prefix file changed", now);
	hd_write_status(d, now);
	return 1000;
}

static void
hd_signal(int signo, void *arg, const struct clk_now *now)
{
	struct healthd *d = arg;

	switch (signo) {
	case SIGHUP:
		hd_stat_changed(d);
		hd_reload(d, "SIGHUP", now);
		break;
	case SIGUSR1:
		hd_write_status(d, now);
		break;
	default:
		log_info("signal %d: exiting", signo);
		d->quit = true;
	}
}

/* -n: every setting, which reads back in with -f; the prefixes and the
 * command, which are not settings, as comments. */
static void
hd_print_check(const struct hd_opts *o, const struct hd_pflist *l, char **cmd, int ncmd)
{
	char b[128];
	size_t i;
	int k;

	for (i = 0; i < l->n; i++)
		printf("# prefix %s\n", hd_pf_fmt(&l->v[i], b, sizeof(b)));
	conf_print(&hd_config_table, o, stdout);
	printf("# command");
	for (k = 0; k < ncmd; k++)
		printf(" %s", cmd[k]);
	printf(" PREFIX...\n");
}

int
main(int argc, char **argv)
{
	struct healthd d;
	struct hd_run run = { 0 };
	struct conf_cmdline cl;
	struct hd_pflist l;
	struct clk_now now;
	char err[512];
	int rc;

	memset(&d, 0, sizeof(d));
	if ((rc = conf_cmdline(&hd_config_table, &run, &cl, argc, argv, stdout, err, sizeof(err))) != 0) {
		if (rc == 1)
			return 0;
		fprintf(stderr, "nat64-healthd: %s\n", err);
		conf_usage(&hd_config_table, stderr);
		return 2;
	}
	if (conf_build(&hd_config_table, &d.o, &cl, err, sizeof(err)) == -1) {
		fprintf(stderr, "nat64-healthd: %s\n", err);
		return 1;
	}
	if (run.status) {
		if (hd_status_print(d.o.state_path, err, sizeof(err)) == -1) {
			fprintf(stderr, "nat64-healthd: %s\n", err);
			return 1;
		}
		return 0;
	}
	/* -n checks all a start checks */
	if (hd_config_operands(&run, argc, argv, cl.first_arg, err, sizeof(err)) == -1) {
		fprintf(stderr, "nat64-healthd: %s\n", err);
		conf_usage(&hd_config_table, stderr);
		return 2;
	}
	d.pfpath = run.pfpath;
	if (hd_config_check(&d.o, err, sizeof(err)) == -1) {
		fprintf(stderr, "nat64-healthd: %s\n", err);
		return 2;
	}
	if (d.o.user[0] && daemon_user_check(d.o.user, err, sizeof(err)) == -1) {
		fprintf(stderr, "nat64-healthd: %s\n", err);
		return 1;
	}
	if (hd_pf_load(d.pfpath, &l, err, sizeof(err)) == -1) {
		fprintf(stderr, "nat64-healthd: %s\n", err);
		return 1;
	}
	if (run.check) {
		hd_print_check(&d.o, &l, run.cmd, run.ncmd);
		hd_pf_free(&l);
		return 0;
	}
	stat(d.pfpath, &d.pf_st);

	log_init("nat64-healthd", run.syslog ? LOG_TO_SYSLOG : LOG_TO_STDERR, run.verbose);
	if (d.o.user[0] && daemon_drop_privileges(d.o.user, err, sizeof(err)) == -1)
		fatalx("%s", err);
	if (getrandom(&d.o.core.seed, sizeof(d.o.core.seed), 0) != sizeof(d.o.core.seed))
		d.o.core.seed = (uint64_t)getpid();

	/* modules, in order */
	if ((d.loop = ev_create()) == NULL)
		fatal("event loop");
	clk_read(&now);
	d.prober = hd_pos_create(d.loop, hd_probe_report, &d);
	d.runner = hd_runner_create(d.loop);
	d.apply = hd_apply_create(&d.o.apply, run.cmd, (size_t)run.ncmd, d.runner);
	hd_runner_bind(d.runner, d.apply, hd_kick, &d);
	d.core = hd_core_create(&d.o.core, d.prober, d.apply, &now);
	hd_core_set_prefixes(d.core, &l, &now);
	log_info("watching %zu prefixes with %zu probes every %llu ms; selecting %zu..%zu",
	    l.n, d.o.core.ntargets, (unsigned long long)d.o.core.interval_ms, d.o.core.sel.min,
	    d.o.core.sel.max);
	hd_pf_free(&l);
	d.core_timer = ev_timer_add(d.loop, &now, 0, hd_core_timer, &d);
	d.core_due_ms = now.mono_ms;
	ev_timer_add(d.loop, &now, 1000, hd_housekeeping, &d);
	if (ev_signal_add(d.loop, SIGHUP, hd_signal, &d) == -1 ||
	    ev_signal_add(d.loop, SIGUSR1, hd_signal, &d) == -1 ||
	    ev_signal_add(d.loop, SIGTERM, hd_signal, &d) == -1 ||
	    ev_signal_add(d.loop, SIGINT, hd_signal, &d) == -1)
		fatal("signals");
	signal(SIGPIPE, SIG_IGN);
	daemon_notify("READY=1");

	while (!d.quit)
		ev_run_once(d.loop, &now, -1);

	daemon_notify("STOPPING=1");
	hd_write_status(&d, &now);
	/* reverse order */
	hd_core_destroy(d.core);
	hd_apply_destroy(d.apply);
	hd_runner_destroy(d.runner);
	hd_pos_destroy(d.prober);
	ev_destroy(d.loop);
	return 0;
}
