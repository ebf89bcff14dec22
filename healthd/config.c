/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* config.c — nat64-healthd's option table; see hd_config.h. */
#include "hd_config.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "daemon.h"
#include "hd_prefixfile.h"

static int
parse_probe(void *elem, const char *v, char *err, size_t errlen)
{
	return hd_target_parse(v, elem, err, errlen);
}

static const char *
fmt_probe(const void *elem, char *buf, size_t len)
{
	return hd_target_fmt(elem, buf, len);
}

#define F(field)	CONF_FIELD(struct hd_opts, field)
#define RUN(field)	CONF_FIELD(struct hd_run, field)
static const struct conf_opt hd_opts_table[] = {
	{ "probe", 'p', CONF_LIST, CONF_LIST_FIELD(struct hd_opts, core.targets, core.ntargets),
	  .parse = parse_probe, .fmt = fmt_probe, .arg = "SPEC",
	  .help = "tcp:IPV4:PORT | dns:IPV4[:PORT[:NAME]] | icmp:IPV4 (repeatable; on the "
	  "command line replaces the file's; default dns:8.8.8.8 dns:1.1.1.1 dns:9.9.9.9, each "
	  "through every prefix)" },
	/* a selected NAT64's death leaves the answers within 5 s: the next
	 * round (<= 2.2 s), fall 2 rounds of <= 1 s back to back, COMMAND
	 * (docs/HEALTHD.md, "Failover time") */
	{ "interval", 'i', CONF_DURATION, F(core.interval_ms), .min = 10, .max = 3600000,
	  .def = "2s", .arg = "DUR", .help = "probe round per prefix every DUR" },
	{ "fast-interval", 0, CONF_DURATION, F(core.fast_interval_ms), .max = 3600000,
	  .def = "500ms", .arg = "DUR",
	  .help = "a prefix failing or recovering is probed every DUR, the others once more (0: off)" },
	{ "timeout", 't', CONF_DURATION, F(core.timeout_ms), .min = 10, .max = 600000,
	  .def = "1s", .arg = "DUR", .help = "per-probe timeout" },
	{ "attempts", 0, CONF_UINT, F(core.attempts), .min = 1, .max = HD_ATTEMPTS_MAX,
	  .def = "2", .arg = "N", .help = "tries per probe, spread over the timeout; the first answer wins" },
	{ "jitter", 0, CONF_UINT, F(core.jitter_pct), .max = 50, .def = "10", .arg = "PCT",
	  .help = "interval jitter, +-PCT%" },
	{ "rise", 'r', CONF_UINT, F(core.health.rise), .min = 1, .max = 1000, .def = "3",
	  .arg = "N", .help = "good rounds to come up" },
	{ "fall", 'F', CONF_UINT, F(core.health.fall), .min = 1, .max = 1000, .def = "2",
	  .arg = "N", .help = "bad rounds to go down" },
	{ "quorum", 0, CONF_UINT, F(core.health.quorum), .max = HD_TARGETS_MAX, .def = "1",
	  .arg = "N", .help = "probes that must pass for a good round; 0: all of them" },
	{ "window", 0, CONF_UINT, F(core.health.window), .min = 1, .max = HD_WINDOW_MAX,
	  .def = "20", .arg = "N", .help = "probes in the success-ratio window" },
	{ "min-ratio", 0, CONF_UINT, F(core.health.min_ratio_pct), .max = 100, .def = "50",
	  .arg = "PCT", .help = "down if the full window is below PCT%" },
	{ "hold-down", 0, CONF_DURATION, F(core.health.hold_ms), .max = 86400000, .def = "10s",
	  .arg = "DUR", .help = "stay down at least DUR after a fall" },
	{ "hold-max", 0, CONF_DURATION, F(core.health.hold_max_ms), .max = 86400000,
	  .def = "5m", .arg = "DUR", .help = "the hold-down doubles on each flap, up to DUR" },
	{ "min", 'm', CONF_UINT, F(core.sel.min), .min = 1, .max = HD_PF_MAX, .def = "2",
	  .arg = "N", .help = "selected prefixes, at least" },
	{ "max", 'M', CONF_UINT, F(core.sel.max), .min = 1, .max = HD_PF_MAX, .def = "3",
	  .arg = "N", .help = "selected prefixes, at most" },
	{ "rtt-margin", 0, CONF_DURATION, F(core.sel.margin_us), .unit_us = 1, .max = 60000,
	  .def = "20ms", .arg = "DUR",
	  .help = "a later prefix beats file order only if faster by more than DUR" },
	{ "startup", 0, CONF_DURATION, F(core.startup_ms), CONF_SEEN(struct hd_opts, startup_set),
	  .max = 3600000, .arg = "DUR",
	  .help = "first apply at the latest after DUR (default rise x interval + timeout)" },
	{ "apply-timeout", 0, CONF_DURATION, F(apply.timeout_ms), .min = 100, .max = 3600000,
	  .def = "30s", .arg = "DUR", .help = "COMMAND time limit" },
	{ "backoff", 0, CONF_DURATION, F(apply.backoff_ms), .min = 10, .max = 3600000,
	  .def = "1s", .arg = "DUR", .help = "first retry after a failed COMMAND" },
	{ "backoff-max", 0, CONF_DURATION, F(apply.backoff_max_ms), .min = 10, .max = 86400000,
	  .def = "60s", .arg = "DUR", .help = "later retries double the wait, up to DUR" },
	{ "state-file", 's', CONF_PATH, F(state_path), .arg = "PATH",
	  .help = "status file (default " HD_STATUS_RUN " if that directory exists, else "
	  HD_STATUS_BIND ")" },
	{ "prom-file", 0, CONF_PATH, F(prom_path), .flags = CONF_OMIT_EMPTY, .arg = "PATH",
	  .help = "Prometheus textfile (default: none)" },
	{ "selection-file", 0, CONF_PATH, F(sel_path), .flags = CONF_NONE,
	  .def = HD_DEFAULT_SELECTION, .arg = "PATH",
	  .help = "selection and health kept across restarts (none: no file)" },
	{ "verify", 0, CONF_STRING, F(verify), .flags = CONF_NONE, .def = "::1", .arg = "ADDR",
	  .help = "resolver asked for ipv4only.arpa AAAA every interval to check what it serves "
	  "([ADDR]:PORT, IPV4[:PORT], or none)" },
	{ "notify", 0, CONF_STRING, F(notify), .flags = CONF_OMIT_EMPTY, .arg = "CMD",
	  .help = "run CMD EVENT PREFIX... on every health or selection change (bounded like "
	  "COMMAND)" },
	{ "config", 'f', CONF_CONFIG, .arg = "FILE",
	  .help = "settings as 'name value' lines (names as above); the command line wins "
	  "(default " HD_SYSCONF " if it exists)" },
	{ "user", 'u', CONF_USER, F(user), .flags = CONF_OMIT_EMPTY, .arg = "USER",
	  .help = "run as USER (e.g. bind)" },
	{ "check", 'n', CONF_BOOL, RUN(check), .flags = CONF_CLI,
	  .help = "check the prefix file and options as a start would, print, exit" },
	{ "status", 0, CONF_BOOL, RUN(status), .flags = CONF_CLI,
	  .help = "print the running daemon's status file and exit" },
	{ "json", 0, CONF_BOOL, RUN(json), .flags = CONF_CLI,
	  .help = "with --status: as one JSON object" },
	{ "syslog", 0, CONF_BOOL, RUN(syslog), .flags = CONF_CLI, .help = "diagnostics to syslog" },
	{ "verbose", 'v', CONF_UINT, RUN(verbose), .max = 3, .flags = CONF_CLI | CONF_COUNT,
	  .help = "more diagnostics" },
	CONF_END
};

const struct conf_table hd_config_table = {
	.prog = "nat64-healthd",
	.usage = "[options] PREFIXFILE -- COMMAND [ARGS]",
	.about =
"Probes every NAT64 prefix in PREFIXFILE end to end and runs\n"
"COMMAND [ARGS] SELECTED-PREFIX... (e.g. update-dns64) at start and whenever\n"
"the set of selected prefixes changes.\n",
	.epilog =
"Signals: HUP re-reads PREFIXFILE (also done when it changes); USR1 writes\n"
"the status file now; TERM/INT exit. See nat64-healthd(8).\n",
	.config = HD_SYSCONF,
	.config_optional = true,
	.cfg_size = sizeof(struct hd_opts),
	.max_args = -1,
	.stop_at_operand = true,
	.opts = hd_opts_table,
};

int
hd_config_operands(struct hd_run *run, int argc, char **argv, int first, char *err,
    size_t errlen)
{
	if (first >= argc) {
		snprintf(err, errlen, "no PREFIXFILE");
		return -1;
	}
	run->pfpath = argv[first++];
	if (first < argc && strcmp(argv[first], "--") == 0)
		first++;
	run->cmd = argv + first;
	run->ncmd = argc - first;
	if (run->ncmd <= 0) {
		snprintf(err, errlen, "no COMMAND after --");
		return -1;
	}
	return 0;
}

/* Probe targets when neither the command line nor a config file names
 * one: anycast resolvers of three operators, asked a real DNS query ("."
 * type A) through each prefix; one answer of three makes a good round. */
static const char *const hd_default_probes[] = {
	"dns:8.8.8.8", "dns:1.1.1.1", "dns:9.9.9.9",
};

void
hd_config_state_path(struct hd_opts *o)
{
	struct stat st;

	/* in the runtime directory when there is one (the systemd unit's
	 * RuntimeDirectory), else next to BIND's files, which user bind can
	 * write (`su -s /bin/sh - bind -c ...` starts) */
	if (o->state_path[0] == '\0')
		snprintf(o->state_path, sizeof(o->state_path), "%s", stat(HD_RUNDIR, &st) == 0 &&
		    S_ISDIR(st.st_mode) ? HD_STATUS_RUN : HD_STATUS_BIND);
}

int
hd_config_check(struct hd_opts *o, const struct conf_cmdline *cl, const char **key, char *err,
    size_t errlen)
{
	size_t i;

	for (i = 0; o->core.ntargets == 0 && i < sizeof(hd_default_probes) /
	    sizeof(hd_default_probes[0]); i++)
		if (hd_target_parse(hd_default_probes[i], &o->core.targets[i], err, errlen) == -1)
			return -1;
	if (o->core.ntargets == 0)
		o->core.ntargets = i;
	/* A probe twice would count twice and be one series twice in the
	 * Prometheus textfile. */
	for (i = 0; i < o->core.ntargets; i++)
		for (size_t j = 0; j < i; j++) {
			char a[HD_QNAME_MAX + 64], b[HD_QNAME_MAX + 64];

			if (strcmp(hd_target_fmt(&o->core.targets[i], a, sizeof(a)),
			    hd_target_fmt(&o->core.targets[j], b, sizeof(b))) == 0) {
				*key = "probe";
				snprintf(err, errlen, "%s given twice", a);
				return -1;
			}
		}
	hd_config_state_path(o);
	if (o->core.sel.max < o->core.sel.min) {
		*key = conf_blame(&hd_config_table, cl, "max", "min");
		if (strcmp(*key, "max") == 0)
			snprintf(err, errlen, "%zu is below min %zu", o->core.sel.max, o->core.sel.min);
		else
			snprintf(err, errlen, "%zu is above max %zu", o->core.sel.min, o->core.sel.max);
		return -1;
	}
	if (!o->startup_set)
		o->core.startup_ms = o->core.health.rise * o->core.interval_ms + o->core.timeout_ms;
	return 0;
}
