/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* ho_config.h — nat64-handoffd settings, one table (lib/conf.h): built-in
 * defaults, then the config file (-f), then command-line options, which
 * are the same settings under the same names. SIGHUP builds a new config
 * the same way and swaps it in only if it parses; keys not marked
 * reloadable keep their running values.
 */
#ifndef NK_HANDOFFD_CONFIG_H
#define NK_HANDOFFD_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf.h"

#define HCFG_DEFAULT_STATE_DIR	"/var/lib/nat64-handoffd"
#define HCFG_CONTROL_SOCKET	"/run/nat64-handoffd/control"	/* the usual path */

struct hcfg {
	uint16_t port;
	uint32_t listen;		/* host order; 0 = all local addresses */
	char state_dir[1024];
	char log_dir[1024];		/* "" = audit lines to standard output */
	uint32_t table_size;
	uint32_t max_channels;
	uint64_t channel_idle_ms;	/* unload channels idle this long */
	uint64_t memory_limit;		/* octets for all active tables; 0 = none */
	char user[64];			/* "" = keep the starting user */
	bool localtime;
	int verbose;
	uint64_t status_interval_ms;
	char metrics_file[1024];	/* Prometheus textfile; "" = none */
	char control_socket[108];	/* "" = no control socket */
	char control_group[64];		/* "" = the group the server runs as */
	unsigned control_mode;		/* permission bits of the socket file */
	int audit_json;			/* audit-format json */
	uint32_t max_bans;		/* bans in force at most */
	uint64_t ban_quarantine_ms;	/* a banned client's port waits this long */
};

/* Command-line-only switches. */
struct hcfg_run {
	bool check, status, syslog;
};

extern const struct conf_table hcfg_table;

/* Rules between settings and what a start needs (the user and the control
 * group exist); run by a start, -n and every reload. 0, or -1 with the
 * message in err and the key it is about in *key (for conf_where()). */
int hcfg_check(const struct hcfg *c, const char **key, char *err, size_t errlen);

#endif
