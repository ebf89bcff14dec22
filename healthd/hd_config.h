/* hd_config.h — nat64-healthd's settings: one option table (lib/conf.h)
 * for the config file (-f), the command line (same names; it wins), --help
 * and -n. See nat64-healthd(8).
 */
#ifndef HD_CONFIG_H
#define HD_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "apply.h"
#include "conf.h"
#include "core.h"

#define HD_DEFAULT_STATE	"/run/nat64-healthd/status"

struct hd_opts {
	struct hd_core_cfg core;
	struct hd_apply_cfg apply;
	bool startup_set;
	char state_path[1024], prom_path[1024], user[64];	/* "" = none */
};

/* Command-line-only switches, and the operands PREFIXFILE -- COMMAND [ARGS]. */
struct hd_run {
	bool check, status, syslog;
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
/* Rules between settings (a probe, --max not below --min), and the
 * derived default of startup. 0, or -1 with a message. */
int hd_config_check(struct hd_opts *o, char *err, size_t errlen);

#endif
