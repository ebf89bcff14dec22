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
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "apply.h"
#include "conf.h"
#include "core.h"
#include "daemon.h"
#include "evloop.h"
#include "log.h"
#include "notify.h"
#include "persist.h"
#include "prefixfile.h"
#include "probe.h"
#include "probe_os.h"
#include "runner.h"
#include "status.h"
#include "verify.h"
#include "verify_os.h"
#include "xalloc.h"

#define HEALTHD_VERSION		NK_VERSION
#define HD_SYSCONF		"/etc/nat64kit/nat64-healthd.conf"
#define HD_RUNDIR		"/run/nat64-healthd"
#define HD_STATUS_RUN		HD_RUNDIR "/status"
#define HD_STATUS_BIND		"/var/lib/bind/nat64-healthd.status"
#define HD_DEFAULT_VERIFY	"::1"
#define HD_DEFAULT_SELECTION	"/var/lib/bind/nat64-healthd.state"

/* Probe targets when neither the command line nor a config file names
 * one: anycast resolvers of three operators, asked a real DNS query ("."
 * type A) through each prefix; one answer of three makes a good round. */
static const char *const hd_default_probes[] = {
	"dns:8.8.8.8", "dns:1.1.1.1", "dns:9.9.9.9",
};

struct hd_opts {
	struct hd_core_cfg core;
	struct hd_apply_cfg apply;
	bool startup_set;
	char *state_path, *prom_path, *user, *verify, *sel_path, *notify;
	int use_syslog, check, status, json, verbose;
};

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

/* ---------------------------------------------------------------- options
 * One table serves the config file (lib/conf.h) and the long options. */

static int
set_probe(void *cfg, const char *v, char *err, size_t errlen)
{
	struct hd_opts *o = cfg;

	if (o->core.ntargets == HD_TARGETS_MAX) {
		snprintf(err, errlen, "at most %d probes", HD_TARGETS_MAX);
		return -1;
	}
	return hd_target_parse(v, &o->core.targets[o->core.ntargets++], err, errlen);
}

#define HD_SET_DUR(fn, field, lo, hi) \
static int fn(void *cfg, const char *v, char *err, size_t errlen) \
{ return conf_duration_ms(v, lo, hi, &((struct hd_opts *)cfg)->field, err, errlen); }
#define HD_SET_UINT(fn, field, lo, hi) \
static int fn(void *cfg, const char *v, char *err, size_t errlen) \
{ uint64_t x; if (conf_uint(v, lo, hi, &x, err, errlen) == -1) return -1; \
  ((struct hd_opts *)cfg)->field = x; return 0; }

HD_SET_DUR(set_interval, core.interval_ms, 10, 3600000)
HD_SET_DUR(set_timeout, core.timeout_ms, 10, 600000)
HD_SET_DUR(set_fast_interval, core.fast_interval_ms, 0, 3600000)
HD_SET_DUR(set_hold, core.health.hold_ms, 0, 86400000)
HD_SET_DUR(set_hold_max, core.health.hold_max_ms, 0, 86400000)
HD_SET_DUR(set_apply_timeout, apply.timeout_ms, 100, 3600000)
HD_SET_DUR(set_backoff, apply.backoff_ms, 10, 3600000)
HD_SET_DUR(set_backoff_max, apply.backoff_max_ms, 10, 86400000)
HD_SET_UINT(set_jitter, core.jitter_pct, 0, 50)
HD_SET_UINT(set_attempts, core.attempts, 1, HD_ATTEMPTS_MAX)
HD_SET_UINT(set_rise, core.health.rise, 1, 1000)
HD_SET_UINT(set_fall, core.health.fall, 1, 1000)
HD_SET_UINT(set_quorum, core.health.quorum, 0, HD_TARGETS_MAX)
HD_SET_UINT(set_window, core.health.window, 1, HD_WINDOW_MAX)
HD_SET_UINT(set_min_ratio, core.health.min_ratio_pct, 0, 100)
HD_SET_UINT(set_min, core.sel.min, 1, HD_PF_MAX)
HD_SET_UINT(set_max, core.sel.max, 1, HD_PF_MAX)

static int
set_margin(void *cfg, const char *v, char *err, size_t errlen)
{
	uint64_t ms;

	if (conf_duration_ms(v, 0, 60000, &ms, err, errlen) == -1)
		return -1;
	((struct hd_opts *)cfg)->core.sel.margin_us = (uint32_t)(ms * 1000);
	return 0;
}

static int
set_startup(void *cfg, const char *v, char *err, size_t errlen)
{
	struct hd_opts *o = cfg;

	o->startup_set = true;
	return conf_duration_ms(v, 0, 3600000, &o->core.startup_ms, err, errlen);
}

#define HD_SET_STR(fn, field) \
static int fn(void *cfg, const char *v, char *err, size_t errlen) \
{ (void)err; (void)errlen; free(((struct hd_opts *)cfg)->field); \
  ((struct hd_opts *)cfg)->field = xstrdup(v); return 0; }
HD_SET_STR(set_state, state_path)
HD_SET_STR(set_prom, prom_path)
HD_SET_STR(set_user, user)
HD_SET_STR(set_verify, verify)
HD_SET_STR(set_sel_path, sel_path)
HD_SET_STR(set_notify, notify)

static const struct conf_key hd_keys[] = {
	{ "probe", set_probe },
	{ "interval", set_interval },
	{ "fast-interval", set_fast_interval },
	{ "timeout", set_timeout },
	{ "attempts", set_attempts },
	{ "jitter", set_jitter },
	{ "rise", set_rise },
	{ "fall", set_fall },
	{ "quorum", set_quorum },
	{ "window", set_window },
	{ "min-ratio", set_min_ratio },
	{ "hold-down", set_hold },
	{ "hold-max", set_hold_max },
	{ "min", set_min },
	{ "max", set_max },
	{ "rtt-margin", set_margin },
	{ "startup", set_startup },
	{ "apply-timeout", set_apply_timeout },
	{ "backoff", set_backoff },
	{ "backoff-max", set_backoff_max },
	{ "state-file", set_state },
	{ "prom-file", set_prom },
	{ "user", set_user },
	{ "verify", set_verify },
	{ "selection-file", set_sel_path },
	{ "notify", set_notify },
	{ NULL, NULL }
};

static void
usage(FILE *f)
{
	fprintf(f,
"usage: nat64-healthd [options] PREFIXFILE -- COMMAND [ARGS]\n"
"\n"
"Probes every NAT64 prefix in PREFIXFILE end to end and runs\n"
"COMMAND [ARGS] SELECTED-PREFIX... (e.g. update-dns64) at start and whenever\n"
"the set of selected prefixes changes.\n"
"\n"
"  -p, --probe SPEC        tcp:IPV4:PORT | dns:IPV4[:PORT[:NAME]] | icmp:IPV4\n"
"                          (repeatable; default dns:8.8.8.8 dns:1.1.1.1\n"
"                          dns:9.9.9.9, each through every prefix)\n"
"  -i, --interval DUR      probe round per prefix every DUR (default 2s)\n"
"      --fast-interval DUR a prefix failing or recovering is probed every DUR,\n"
"                          the others once more (default 500ms; 0: off)\n"
"  -t, --timeout DUR       per-probe timeout (default 1s)\n"
"      --attempts N        tries per probe, spread over the timeout; the first\n"
"                          answer wins (default 2)\n"
"      --jitter PCT        interval jitter, +-PCT%% (default 10)\n"
"  -r, --rise N            good rounds to come up (default 3)\n"
"  -F, --fall N            bad rounds to go down (default 2)\n"
"      --quorum N          probes that must pass for a good round (default 1;\n"
"                          0: all of them)\n"
"      --window N          probes in the success-ratio window (default 20)\n"
"      --min-ratio PCT     down if the full window is below PCT%% (default 50)\n"
"      --hold-down DUR     stay down at least DUR after a fall (default 10s),\n"
"      --hold-max DUR      doubled on each flap up to DUR (default 5m)\n"
"  -m, --min N             selected prefixes, at least (default 2)\n"
"  -M, --max N             selected prefixes, at most (default 3)\n"
"      --rtt-margin DUR    a later prefix beats file order only if faster by\n"
"                          more than DUR (default 20ms)\n"
"      --startup DUR       first apply at the latest after DUR (default\n"
"                          rise x interval + timeout)\n"
"      --apply-timeout DUR COMMAND time limit (default 30s)\n"
"      --backoff DUR       first retry after a failed COMMAND (default 1s),\n"
"      --backoff-max DUR   doubling up to DUR (default 60s)\n"
"  -s, --state-file PATH   status file (default %s if that\n"
"                          directory exists, else %s)\n"
"      --prom-file PATH    Prometheus textfile (default: none)\n"
"      --selection-file PATH  selection and health kept across restarts\n"
"                          (default %s; none)\n"
"      --notify CMD        run CMD EVENT PREFIX... on every health or\n"
"                          selection change (bounded like COMMAND)\n"
"      --verify ADDR       resolver asked for ipv4only.arpa AAAA every\n"
"                          interval to check what it serves (default ::1;\n"
"                          [ADDR]:PORT, IPV4[:PORT], or none)\n"
"  -f, --config FILE       settings as 'name value' lines (names as above);\n"
"                          the command line wins (default %s\n"
"                          if it exists)\n"
"  -u, --user USER         run as USER (e.g. bind)\n"
"  -n, --check             check the prefix file and options, print, exit\n"
"      --status            print the running daemon's status file and exit\n"
"      --json              with --status: as one JSON object\n"
"      --syslog            diagnostics to syslog\n"
"  -v, --verbose           more diagnostics\n"
"  -h, --help, -V, --version\n"
"\n"
"Signals: HUP re-reads PREFIXFILE (also done when it changes); USR1 writes\n"
"the status file now; TERM/INT exit. See nat64-healthd(8).\n", HD_STATUS_RUN,
	    HD_STATUS_BIND, HD_DEFAULT_SELECTION, HD_SYSCONF);
}

static void
hd_defaults(struct hd_opts *o)
{
	memset(o, 0, sizeof(*o));
	/* a selected NAT64's death leaves the answers within 5 s: the next
	 * round (<= 2.2 s), fall 2 rounds of <= 1 s back to back, COMMAND
	 * (docs/HEALTHD.md, "Failover time") */
	o->core.interval_ms = 2000;
	o->core.fast_interval_ms = 500;
	o->core.timeout_ms = 1000;
	o->core.jitter_pct = 10;
	o->core.attempts = 2;
	o->core.health.rise = 3;
	o->core.health.fall = 2;
	o->core.health.quorum = 1;
	o->core.health.window = 20;
	o->core.health.min_ratio_pct = 50;
	o->core.health.hold_ms = 10000;
	o->core.health.hold_max_ms = 300000;
	o->core.sel.min = 2;
	o->core.sel.max = 3;
	o->core.sel.margin_us = 20000;
	o->apply.timeout_ms = 30000;
	o->apply.backoff_ms = 1000;
	o->apply.backoff_max_ms = 60000;
	o->state_path = NULL;	/* hd_default_status() after parsing */
	o->verify = xstrdup(HD_DEFAULT_VERIFY);
	o->sel_path = xstrdup(HD_DEFAULT_SELECTION);
}

/* The default status file: in the runtime directory when there is one
 * (the systemd unit's RuntimeDirectory), else next to BIND's files, which
 * user bind can write (`su -s /bin/sh - bind -c ...` starts). */
static const char *
hd_default_status(void)
{
	struct stat st;

	return stat(HD_RUNDIR, &st) == 0 && S_ISDIR(st.st_mode) ? HD_STATUS_RUN : HD_STATUS_BIND;
}

static void
hd_opts_free(struct hd_opts *o)
{
	free(o->state_path);
	free(o->prom_path);
	free(o->user);
	free(o->verify);
	free(o->sel_path);
	free(o->notify);
	o->state_path = o->prom_path = o->user = o->verify = o->sel_path = o->notify = NULL;
}

/* Leave from option parsing without leaking (sanitizer builds check). */
static void __attribute__((noreturn))
hd_exit(struct hd_opts *o, struct option *lo, int code)
{
	free(lo);
	hd_opts_free(o);
	exit(code);
}

/* Command line: the config file (-f) first, then every other option over
 * it, so the command line wins. Returns the index of PREFIXFILE. */
static int
hd_parse_args(struct hd_opts *o, int argc, char **argv)
{
	enum { O_STATUS = 256, O_SYSLOG, O_JSON, O_KEY };
	static const struct option base[] = {
		{ "config", required_argument, NULL, 'f' },
		{ "check", no_argument, NULL, 'n' },
		{ "status", no_argument, NULL, O_STATUS },
		{ "json", no_argument, NULL, O_JSON },
		{ "syslog", no_argument, NULL, O_SYSLOG },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
	};
	static const struct { char s; const char *name; } shorts[] = {
		{ 'p', "probe" }, { 'i', "interval" }, { 't', "timeout" }, { 'r', "rise" },
		{ 'F', "fall" }, { 'm', "min" }, { 'M', "max" }, { 's', "state-file" },
		{ 'u', "user" },
	};
	size_t nb = sizeof(base) / sizeof(base[0]), nk = 0, i;
	struct option *lo;
	char err[512];
	bool have_config = false;
	struct stat st;
	int c, k;

	while (hd_keys[nk].name)
		nk++;
	lo = xcalloc(nb + nk + 1, sizeof(*lo));
	memcpy(lo, base, sizeof(base));
	for (i = 0; i < nk; i++) {
		lo[nb + i].name = hd_keys[i].name;
		lo[nb + i].has_arg = required_argument;
		lo[nb + i].val = O_KEY + (int)i;
	}
	/* pass 1: the config file only */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+f:np:i:t:r:F:m:M:s:u:vhV", lo, NULL)) != -1)
		if (c == 'f') {
			have_config = true;
			if (conf_parse_file(optarg, hd_keys, o, err, sizeof(err)) == -1) {
				fprintf(stderr, "nat64-healthd: %s\n", err);
				hd_exit(o, lo, 1);
			}
		}
	/* no -f: the system file, if there is one (`su -` keeps nothing
	 * else: no environment, no arguments but the original's) */
	if (!have_config && stat(HD_SYSCONF, &st) == 0 &&
	    conf_parse_file(HD_SYSCONF, hd_keys, o, err, sizeof(err)) == -1) {
		fprintf(stderr, "nat64-healthd: %s\n", err);
		hd_exit(o, lo, 1);
	}
	/* pass 2: everything else */
	optind = 1;
	opterr = 1;
	while ((c = getopt_long(argc, argv, "+f:np:i:t:r:F:m:M:s:u:vhV", lo, NULL)) != -1) {
		const char *name = NULL;

		switch (c) {
		case 'f':
			continue;
		case 'n':
			o->check = 1;
			continue;
		case O_STATUS:
			o->status = 1;
			continue;
		case O_SYSLOG:
			o->use_syslog = 1;
			continue;
		case O_JSON:
			o->json = 1;
			continue;
		case 'v':
			o->verbose++;
			continue;
		case 'h':
			usage(stdout);
			hd_exit(o, lo, 0);
		case 'V':
			printf("nat64-healthd %s\n", HEALTHD_VERSION);
			hd_exit(o, lo, 0);
		case '?':
			usage(stderr);
			hd_exit(o, lo, 2);
		default:
			break;
		}
		if (c >= O_KEY)
			name = hd_keys[c - O_KEY].name;
		for (i = 0; name == NULL && i < sizeof(shorts) / sizeof(shorts[0]); i++)
			if (shorts[i].s == c)
				name = shorts[i].name;
		for (k = 0; name && hd_keys[k].name; k++)
			if (strcmp(hd_keys[k].name, name) == 0)
				break;
		if (name == NULL || hd_keys[k].name == NULL) {
			usage(stderr);
			hd_exit(o, lo, 2);
		}
		err[0] = '\0';
		if (hd_keys[k].set(o, optarg, err, sizeof(err)) == -1) {
			fprintf(stderr, "nat64-healthd: --%s: %s\n", name, err[0] ? err : "invalid");
			hd_exit(o, lo, 2);
		}
	}
	free(lo);
	if (o->state_path == NULL)
		o->state_path = xstrdup(hd_default_status());
	if (o->core.ntargets == 0)
		for (i = 0; i < sizeof(hd_default_probes) / sizeof(hd_default_probes[0]); i++)
			hd_target_parse(hd_default_probes[i], &o->core.targets[o->core.ntargets++],
			    err, sizeof(err));
	return optind;
}

/* ---------------------------------------------------------------- glue */

static void
hd_write_status(struct healthd *d, const struct clk_now *now)
{
	static char last[512];	/* say each distinct failure once */
	char err[512];

	if (hd_status_write(d->core, d->apply, d->vos ? &d->verify : NULL, d->o.state_path,
	    d->o.prom_path, now, err, sizeof(err)) == -1) {
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

/* The selection file (persist.h), after every change. */
static void
hd_save_selection(struct healthd *d)
{
	struct hd_saved sv;
	const struct hd_pstate *v;
	char *const *w;
	char err[512];
	size_t n, i;

	if (strcmp(d->o.sel_path, "none") == 0)
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
			log_warnx("selection file: %s (a restart will wait for rise)", err);
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

	if (strcmp(d->o.sel_path, "none") == 0)
		return;
	if (hd_persist_load(d->o.sel_path, &sv, err, sizeof(err)) == -1) {
		log_warnx("selection file ignored: %s", err);
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
		log_warnx("resolver %s: the served DNS64 set still differs after %d re-applies "
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
		log_warnx("%s: keeping the previous prefixes: %s", why, err);
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

static void
hd_print_check(const struct hd_opts *o, const struct hd_pflist *l, char **cmd, int ncmd)
{
	char b[128];
	size_t i;
	int k;

	for (i = 0; i < l->n; i++)
		printf("prefix %s\n", hd_pf_fmt(&l->v[i], b, sizeof(b)));
	for (i = 0; i < o->core.ntargets; i++)
		printf("probe %s\n", hd_target_fmt(&o->core.targets[i], b, sizeof(b)));
	printf("interval %llums\nfast-interval %llums\ntimeout %llums\nattempts %u\njitter %u\nrise %u\nfall %u\nquorum %u\n"
	    "window %u\nmin-ratio %u\nhold-down %llums\nhold-max %llums\nmin %zu\nmax %zu\n"
	    "rtt-margin %ums\nstartup %llums\napply-timeout %llums\nbackoff %llums\n"
	    "backoff-max %llums\nstate-file %s\n",
	    (unsigned long long)o->core.interval_ms, (unsigned long long)o->core.fast_interval_ms,
	    (unsigned long long)o->core.timeout_ms,
	    o->core.attempts, o->core.jitter_pct, o->core.health.rise, o->core.health.fall, o->core.health.quorum,
	    o->core.health.window, o->core.health.min_ratio_pct,
	    (unsigned long long)o->core.health.hold_ms, (unsigned long long)o->core.health.hold_max_ms,
	    o->core.sel.min, o->core.sel.max, o->core.sel.margin_us / 1000,
	    (unsigned long long)o->core.startup_ms, (unsigned long long)o->apply.timeout_ms,
	    (unsigned long long)o->apply.backoff_ms, (unsigned long long)o->apply.backoff_max_ms,
	    o->state_path);
	if (o->prom_path)
		printf("prom-file %s\n", o->prom_path);
	printf("verify %s\nselection-file %s\n", o->verify, o->sel_path);
	if (o->notify)
		printf("notify %s\n", o->notify);
	printf("command");
	for (k = 0; k < ncmd; k++)
		printf(" %s", cmd[k]);
	printf(" PREFIX...\n");
}

int
main(int argc, char **argv)
{
	struct healthd d;
	struct hd_pflist l;
	struct clk_now now;
	char err[512];
	int ai, ncmd;
	char **cmd;

	memset(&d, 0, sizeof(d));
	hd_defaults(&d.o);
	ai = hd_parse_args(&d.o, argc, argv);
	if (d.o.status) {
		if (hd_status_print(d.o.state_path, d.o.json, err, sizeof(err)) == -1) {
			fprintf(stderr, "nat64-healthd: %s\n", err);
			hd_opts_free(&d.o);
			return 1;
		}
		hd_opts_free(&d.o);
		return 0;
	}
	/* PREFIXFILE -- COMMAND [ARGS]; getopt stopped at the first operand */
	if (ai >= argc) {
		usage(stderr);
		hd_opts_free(&d.o);
		return 2;
	}
	d.pfpath = argv[ai++];
	if (ai < argc && strcmp(argv[ai], "--") == 0)
		ai++;
	cmd = argv + ai;
	ncmd = argc - ai;
	if (ncmd <= 0 && !d.o.check) {
		fprintf(stderr, "nat64-healthd: no COMMAND after --\n");
		usage(stderr);
		hd_opts_free(&d.o);
		return 2;
	}
	if (strcmp(d.o.verify, "none") != 0 &&
	    hd_vos_parse(d.o.verify, &d.verify_sa, err, sizeof(err)) == -1) {
		fprintf(stderr, "nat64-healthd: --verify: %s\n", err);
		hd_opts_free(&d.o);
		return 2;
	}
	if (d.o.core.sel.max < d.o.core.sel.min) {
		fprintf(stderr, "nat64-healthd: --max %zu is below --min %zu\n", d.o.core.sel.max,
		    d.o.core.sel.min);
		hd_opts_free(&d.o);
		return 2;
	}
	if (!d.o.startup_set)
		d.o.core.startup_ms = d.o.core.health.rise * d.o.core.interval_ms +
		    d.o.core.timeout_ms;
	if (hd_pf_load(d.pfpath, &l, err, sizeof(err)) == -1) {
		fprintf(stderr, "nat64-healthd: %s\n", err);
		hd_opts_free(&d.o);
		return 1;
	}
	if (d.o.check) {
		hd_print_check(&d.o, &l, cmd, ncmd);
		hd_pf_free(&l);
		hd_opts_free(&d.o);
		return 0;
	}
	stat(d.pfpath, &d.pf_st);

	log_init("nat64-healthd", d.o.use_syslog ? LOG_TO_SYSLOG : LOG_TO_STDERR, d.o.verbose);
	hd_warn_ula(&l);
	if (daemon_path_add_sbin() == -1)
		log_warn("PATH");
	if (d.o.user && daemon_drop_privileges(d.o.user, err, sizeof(err)) == -1)
		fatalx("%s", err);
	if (getrandom(&d.o.core.seed, sizeof(d.o.core.seed), 0) != sizeof(d.o.core.seed))
		d.o.core.seed = (uint64_t)getpid();

	/* modules, in order */
	if ((d.loop = ev_create()) == NULL)
		fatal("event loop");
	clk_read(&now);
	d.prober = hd_pos_create(d.loop, hd_probe_report, &d);
	d.runner = hd_runner_create(d.loop, "command");
	d.apply = hd_apply_create(&d.o.apply, cmd, (size_t)ncmd, d.runner);
	hd_runner_bind(d.runner, hd_apply_report, d.apply, hd_kick, &d);
	if (d.o.notify) {
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
	if (strcmp(d.o.verify, "none") != 0) {
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

	while (!d.quit)
		ev_run_once(d.loop, &now, -1);

	daemon_notify("STOPPING=1");
	hd_write_status(&d, &now);
	/* reverse order */
	hd_save_selection(&d);
	hd_vos_destroy(d.vos);
	hd_runner_destroy(d.nrunner);
	hd_notify_destroy(d.notify);
	hd_core_destroy(d.core);
	hd_apply_destroy(d.apply);
	hd_runner_destroy(d.runner);
	hd_pos_destroy(d.prober);
	ev_destroy(d.loop);
	hd_opts_free(&d.o);
	return 0;
}
