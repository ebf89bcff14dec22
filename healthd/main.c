/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
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

#include "hd_apply.h"
#include "hd_config.h"
#include "hd_core.h"
#include "daemon.h"
#include "evloop.h"
#include "log.h"
#include "hd_notify.h"
#include "hd_persist.h"
#include "hd_prefixfile.h"
#include "hd_probe.h"
#include "hd_probe_os.h"
#include "hd_runner.h"
#include "hd_status.h"
#include "hd_verify.h"
#include "hd_verify_os.h"
#include "xalloc.h"

struct healthd {
	struct hd_opts o;
	const char *pfpath;
	struct ev_loop *loop;
	struct hd_prober *prober;
	struct hd_runner *runner;
	struct hd_apply *apply;
	struct hd_core *core;
	struct hd_vos *vos;		/* NULL: --verify none */
	struct hd_runner *nrunner;	/* --notify */
	struct hd_notify *notify;	/* NULL: none */
	char sel_err[512];		/* the last selection-file error, said once */
	struct hd_verify verify;
	struct sockaddr_in6 verify_sa;
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

	if (hd_status_write(d->core, d->apply, d->vos ? &d->verify : NULL,
	    d->o.state_path[0] ? d->o.state_path : NULL, d->o.prom_path[0] ? d->o.prom_path : NULL,
	    now, err, sizeof(err)) == -1) {
		if (strcmp(err, last) != 0)
			log_errx("status: %s", err);
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

/* The selection file (hd_persist.h), after every change. */
static void
hd_save_selection(struct healthd *d)
{
	struct hd_saved sv;
	const struct hd_pstate *v;
	char *const *w;
	char err[512];
	size_t n, i;

	if (d->o.sel_path[0] == '\0')
		return;
	memset(&sv, 0, sizeof(sv));
	w = hd_core_wanted(d->core, &n);
	for (i = 0; i < n; i++)
		hd_strv_add(&sv.want, w[i]);
	w = hd_apply_applied(d->apply, &n);
	for (i = 0; i < n; i++)
		hd_strv_add(&sv.applied, w[i]);
	v = hd_core_prefixes(d->core, &n);
	for (i = 0; i < n; i++)
		if (v[i].h.state == HD_UP)
			hd_strv_add(&sv.up, v[i].text);
	if (hd_persist_save(d->o.sel_path, &sv, err, sizeof(err)) == -1) {
		if (strcmp(err, d->sel_err) != 0)
			log_errx("selection file: %s (a restart will wait for rise)", err);
		snprintf(d->sel_err, sizeof(d->sel_err), "%s", err);
	} else if (d->sel_err[0]) {
		log_info("selection file: written again");
		d->sel_err[0] = '\0';
	}
	hd_saved_free(&sv);
}

/* The start from a saved selection: the same set, at once. */
static void
hd_restore_selection(struct healthd *d, const struct clk_now *now)
{
	struct hd_saved sv;
	char err[512];
	size_t k;

	if (d->o.sel_path[0] == '\0')
		return;
	if (hd_persist_load(d->o.sel_path, &sv, err, sizeof(err)) == -1) {
		log_errx("selection file ignored: %s", err);
		return;
	}
	k = hd_core_restore(d->core, sv.want.v, sv.want.n, sv.up.v, sv.up.n, now);
	if (k) {
		/* the resolver serves it already if the check says so: no
		 * COMMAND run; without a check, apply it again */
		if (d->vos)
			hd_apply_assume(d->apply, sv.applied.v, sv.applied.n);
		log_info("selection from %s: %zu prefixes, %s", d->o.sel_path, k, d->vos ?
		    "checking that the resolver serves them" : "applying them again");
	}
	hd_saved_free(&sv);
}

static const char *
hd_ev_name(enum hd_ev_kind k)
{
	return k == HD_EV_UP ? "up" : k == HD_EV_DOWN ? "down" : "selection";
}

static int64_t
hd_core_timer(void *arg, const struct clk_now *now)
{
	struct healthd *d = arg;
	uint64_t next = hd_core_tick(d->core, now), gen = hd_status_gen(d);
	struct hd_event ev[16];
	size_t n, i;

	while ((n = hd_core_take_events(d->core, ev, 16)) > 0)
		for (i = 0; d->notify && i < n; i++)
			hd_notify_push(d->notify, hd_ev_name(ev[i].kind), &ev[i]);
	if (d->notify)
		hd_notify_tick(d->notify, now);
	if (gen != d->status_gen) {
		d->status_gen = gen;
		hd_write_status(d, now);
		hd_save_selection(d);
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
hd_apply_report(void *arg, bool ok, const char *why, const struct clk_now *now)
{
	hd_apply_done(arg, ok, why, now);
}

static void
hd_notify_report(void *arg, bool ok, const char *why, const struct clk_now *now)
{
	hd_notify_done(arg, ok, why, now);
}

static void
hd_probe_report(void *arg, uint64_t id, bool ok, uint32_t rtt_us, const char *why,
    const struct clk_now *now)
{
	struct healthd *d = arg;

	hd_core_probe_done(d->core, id, ok, rtt_us, why, now);
	hd_kick(d, now);
}

/* ULA prefixes are allowed, but only clients that route them reach the
 * NAT64 (and they are not global): say so at every load. */
static void
hd_warn_ula(const struct hd_pflist *l)
{
	char b[HD_PF_STRLEN];
	size_t i;

	for (i = 0; i < l->n; i++)
		if (l->v[i].ula)
			log_warnx("prefix %s (line %u) is a unique local address (fc00::/7): only "
			    "clients with a route to it reach that NAT64", hd_pf_fmt(&l->v[i], b,
			    sizeof(b)), l->v[i].line);
}

/* ---------------------------------------------------------------- verify */

/* The resolver's answer to ipv4only.arpa AAAA against the selection. */
static void
hd_verify_done(void *arg, bool answered, int rcode, const uint8_t (*aaaa)[16], size_t n,
    const char *why, const struct clk_now *now)
{
	struct healthd *d = arg;
	uint8_t (*pfx)[16], (*want)[16];
	int *len;
	const struct hd_pstate *v;
	struct hd_apply_stats st;
	size_t np, i, k = 0, nwant;
	enum hd_vres r;
	int before = d->verify.matches;
	char rs[80];

	v = hd_core_prefixes(d->core, &np);
	pfx = xcalloc(np + 1, sizeof(*pfx));
	len = xcalloc(np + 1, sizeof(*len));
	want = xcalloc(2 * np + 2, sizeof(*want));
	for (i = 0; i < np; i++)
		if (v[i].selected) {
			memcpy(pfx[k], v[i].p.a, 16);
			len[k++] = v[i].p.len;
		}
	nwant = hd_verify_expect((const uint8_t (*)[16])pfx, len, k, want, 2 * np + 2);
	/* a single-prefix resolver (Unbound, PowerDNS) serves the first */
	if (answered && k > 1 && hd_verify_same(aaaa, n, (const uint8_t (*)[16])want, 2))
		nwant = 2;
	hd_apply_stats(d->apply, &st);
	r = hd_verify_judge(&d->verify, answered, rcode, aaaa, n, (const uint8_t (*)[16])want,
	    nwant, st.running || (st.pending && st.consecutive_failures == 0) ? HD_VA_BUSY :
	    st.consecutive_failures ? HD_VA_FAILING : HD_VA_OK, now);
	hd_vos_fmt(&d->verify_sa, rs, sizeof(rs));
	switch (r) {
	case HD_V_DRIFT:
		log_warnx("resolver %s serves another DNS64 set than the selection (%s): "
		    "re-applying", rs, d->verify.detail);
		if (d->notify) {
			struct hd_event ev;
			size_t nw;
			char *const *w = hd_core_wanted(d->core, &nw);

			memset(&ev, 0, sizeof(ev));
			ev.kind = HD_EV_SELECTION;
			ev.wall = now->wall;
			snprintf(ev.why, sizeof(ev.why), "%.95s", d->verify.detail);
			for (i = 0; i < nw; i++)
				snprintf(ev.set + strlen(ev.set), sizeof(ev.set) - strlen(ev.set),
				    "%s%s", i ? " " : "", w[i]);
			hd_notify_push(d->notify, "drift", &ev);
		}
		hd_apply_reapply(d->apply, now);
		hd_kick(d, now);
		break;
	case HD_V_GIVEUP:
		log_errx("resolver %s: the served DNS64 set still differs after %d re-applies "
		    "(%s); it cannot be compared (is %s excluded by the clients ACL, are there "
		    "dns64 statements outside the include, or does a global forwarder hide "
		    "ipv4only.arpa?): no longer checking (SIGHUP to try again)", rs,
		    HD_VERIFY_TRIES, d->verify.detail, rs);
		break;
	case HD_V_MATCH:
		if (before == 0)
			log_info("resolver %s serves the selection again (%llu ms after the drift "
			    "was seen)", rs, (unsigned long long)(now->mono_ms -
			    d->verify.drift_since_ms));
		break;
	default:
		if (!answered && before != -1)
			log_info("resolver %s: no answer to ipv4only.arpa AAAA (%s)", rs,
			    why ? why : "-");
	}
	if (d->verify.matches != before)
		hd_write_status(d, now);
	free(pfx);
	free(len);
	free(want);
}

static int64_t
hd_verify_timer(void *arg, const struct clk_now *now)
{
	struct healthd *d = arg;

	if (hd_core_started(d->core) && !d->verify.gave_up)
		hd_vos_query(d->vos, now);
	return (int64_t)d->o.core.interval_ms;
}

static void
hd_reload(struct healthd *d, const char *why, const struct clk_now *now)
{
	struct hd_pflist l;
	char err[512];

	if (hd_pf_load(d->pfpath, &l, err, sizeof(err)) == -1) {
		log_errx("%s: keeping the previous prefixes: %s", why, err);
		return;
	}
	log_info("%s: %zu prefixes from %s", why, l.n, d->pfpath);
	hd_warn_ula(&l);
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
		hd_verify_reset(&d->verify);
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
	char err[512], where[700];
	const char *key = NULL;
	int rc;

	memset(&d, 0, sizeof(d));
	/* stderr until the options name the destination: a start refused
	 * for its options or files is an error (<3> in the journal) */
	log_init("nat64-healthd", LOG_TO_STDERR, 0);
	if ((rc = conf_cmdline(&hd_config_table, &run, &cl, argc, argv, stdout, err, sizeof(err))) != 0) {
		if (rc == 1)
			return 0;
		log_errx("%s", err);
		conf_usage(&hd_config_table, stderr);
		return 2;
	}
	if (conf_build(&hd_config_table, &d.o, &cl, err, sizeof(err)) == -1) {
		log_errx("%s", err);
		return 1;
	}
	if (run.status) {
		hd_config_state_path(&d.o);
		if (hd_status_print(d.o.state_path, run.json, err, sizeof(err)) == -1) {
			log_errx("%s", err);
			return 1;
		}
		return 0;
	}
	/* -n checks all a start checks */
	if (hd_config_operands(&run, argc, argv, cl.first_arg, err, sizeof(err)) == -1) {
		log_errx("%s", err);
		conf_usage(&hd_config_table, stderr);
		return 2;
	}
	d.pfpath = run.pfpath;
	/* errors name the setting: file:line, or the option that gave it */
	if (hd_config_check(&d.o, &cl, &key, err, sizeof(err)) == -1) {
		log_errx("%s: %s",
		    conf_where(&hd_config_table, &cl, key, where, sizeof(where)), err);
		return 2;
	}
	if (d.o.verify[0] != '\0' &&
	    hd_vos_parse(d.o.verify, &d.verify_sa, err, sizeof(err)) == -1) {
		log_errx("%s: %s",
		    conf_where(&hd_config_table, &cl, "verify", where, sizeof(where)), err);
		return 2;
	}
	if (d.o.user[0] && daemon_user_check(d.o.user, err, sizeof(err)) == -1) {
		log_errx("%s: %s",
		    conf_where(&hd_config_table, &cl, "user", where, sizeof(where)), err);
		return 1;
	}
	if (hd_pf_load(d.pfpath, &l, err, sizeof(err)) == -1) {
		log_errx("%s", err);
		return 1;
	}
	if (run.check) {
		hd_print_check(&d.o, &l, run.cmd, run.ncmd);
		hd_pf_free(&l);
		return 0;
	}
	stat(d.pfpath, &d.pf_st);

	log_init("nat64-healthd", run.syslog ? LOG_TO_SYSLOG : LOG_TO_STDERR, run.verbose);
	hd_warn_ula(&l);
	if (daemon_path_add_sbin() == -1)
		log_warn("PATH");
	if (d.o.user[0] && daemon_drop_privileges(d.o.user, err, sizeof(err)) == -1)
		fatalx("%s", err);
	if (getrandom(&d.o.core.seed, sizeof(d.o.core.seed), 0) != sizeof(d.o.core.seed))
		d.o.core.seed = (uint64_t)getpid();

	/* modules, in order */
	if ((d.loop = ev_create()) == NULL)
		fatal("event loop");
	clk_read(&now);
	d.prober = hd_pos_create(d.loop, hd_probe_report, &d);
	d.runner = hd_runner_create(d.loop, "command");
	d.apply = hd_apply_create(&d.o.apply, run.cmd, (size_t)run.ncmd, d.runner);
	hd_runner_bind(d.runner, hd_apply_report, d.apply, hd_kick, &d);
	if (d.o.notify[0]) {
		d.nrunner = hd_runner_create(d.loop, "notify");
		d.notify = hd_notify_create(d.o.notify, d.o.apply.timeout_ms, d.nrunner);
		hd_runner_bind(d.nrunner, hd_notify_report, d.notify, hd_kick, &d);
	}
	d.core = hd_core_create(&d.o.core, d.prober, d.apply, &now);
	hd_core_set_prefixes(d.core, &l, &now);
	log_info("watching %zu prefixes with %zu probes every %llu ms; selecting %zu..%zu",
	    l.n, d.o.core.ntargets, (unsigned long long)d.o.core.interval_ms, d.o.core.sel.min,
	    d.o.core.sel.max);
	hd_pf_free(&l);
	hd_verify_init(&d.verify);
	if (d.o.verify[0] != '\0') {
		d.vos = hd_vos_create(d.loop, &d.verify_sa, d.o.core.timeout_ms, hd_verify_done, &d);
		ev_timer_add(d.loop, &now, d.o.core.interval_ms, hd_verify_timer, &d);
	}
	hd_restore_selection(&d, &now);
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

	while (!d.quit) {
		ev_run_once(d.loop, &now, -1);
		log_tick(&now);
	}

	daemon_notify("STOPPING=1");
	hd_write_status(&d, &now);
	hd_save_selection(&d);
	/* reverse order */
	hd_vos_destroy(d.vos);
	hd_runner_destroy(d.nrunner);
	hd_notify_destroy(d.notify);
	hd_core_destroy(d.core);
	hd_apply_destroy(d.apply);
	hd_runner_destroy(d.runner);
	hd_pos_destroy(d.prober);
	ev_destroy(d.loop);
	return 0;
}
