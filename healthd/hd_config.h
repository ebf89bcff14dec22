/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* hd_config.h — nat64-healthd's settings: one option table (lib/conf.h)
 * for the config file (-f), the command line (same names; it wins), --help
 * and -n. See nat64-healthd(8).
 */
#ifndef HD_CONFIG_H
#define HD_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "hd_apply.h"
#include "conf.h"
#include "hd_core.h"

#define HD_SYSCONF		"/etc/nat64kit/nat64-healthd.conf"
#define HD_RUNDIR		"/run/nat64-healthd"
#define HD_STATUS_RUN		HD_RUNDIR "/status"
#define HD_STATUS_BIND		"/var/lib/bind/nat64-healthd.status"
#define HD_DEFAULT_SELECTION	"/var/lib/bind/nat64-healthd.state"

struct hd_opts {
	struct hd_core_cfg core;
	struct hd_apply_cfg apply;
	bool startup_set;
	char state_path[1024], prom_path[1024], user[64];	/* "" = none */
	char sel_path[1024];	/* the selection file; "" = none */
	char verify[128];	/* the resolver to check; "" = none */
	char notify[1024];	/* --notify CMD; "" = none */
};

/* Command-line-only switches, and the operands PREFIXFILE -- COMMAND [ARGS]. */
struct hd_run {
	bool check, status, json, syslog;
	int verbose;
	const char *pfpath;
	char **cmd;
	int ncmd;
};

extern const struct conf_table hd_config_table;

/* The operands from argv[first] on (where the options stopped): a
 * PREFIXFILE, an optional "--", then COMMAND [ARGS]. 0, or -1 with a message. */
int hd_config_operands(struct hd_run *run, int argc, char **argv, int first, char *err,
    size_t errlen);
/* Rules between settings (--max not below --min), and the derived
 * defaults: the built-in probe targets when none is given, the status
 * file (the runtime directory if it exists, else /var/lib/bind, which
 * user bind can write), startup. 0, or -1 with a message and the key it
 * is about in *key (for conf_where(); of min and max, the one cl, if not
 * NULL, says was given last). */
int hd_config_check(struct hd_opts *o, const struct conf_cmdline *cl, const char **key,
    char *err, size_t errlen);
/* The default status file, if none was given (also for --status). */
void hd_config_state_path(struct hd_opts *o);

#endif
