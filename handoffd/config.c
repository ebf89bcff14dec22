/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* config.c — nat64-handoffd's option table; see ho_config.h and nat64-handoffd(8). */
#include "ho_config.h"
#include "ho_audit.h"
#include "ho_ban.h"
#include "ho_conntable.h"
#include "daemon.h"
#include "handoff_wire.h"

#include <grp.h>
#include <stdio.h>
#include <string.h>

/* The port the NAT64s reach: never Teredo's. */
static int
hcfg_port(void *cfg, const char *v, char *err, size_t errlen)
{
	(void)v;
	if (((struct hcfg *)cfg)->port == HW_TEREDO_PORT) {
		snprintf(err, errlen, "3544 is reserved for Teredo");
		return -1;
	}
	return 0;
}

/* The control socket's permission bits (conf_ctl_mode). */
static int
hcfg_control_mode(void *cfg, const char *v, char *err, size_t errlen)
{
	return conf_ctl_mode(v, &((struct hcfg *)cfg)->control_mode, err, errlen);
}

static void
hcfg_print_control_mode(const struct conf_opt *o, const void *cfg, FILE *f)
{
	fprintf(f, "%s %04o\n", o->name, ((const struct hcfg *)cfg)->control_mode);
}

static const struct conf_enum hcfg_audit_formats[] = {
	{ "text", 0 }, { "json", 1 }, { NULL, 0 },
};

#define F(field) CONF_FIELD(struct hcfg, field)
#define R(field) CONF_FIELD(struct hcfg_run, field)
static const struct conf_opt hcfg_opts[] = {
	{ "config", 'f', CONF_CONFIG, .arg = "FILE",
	  .help = "read settings from FILE (same names as below)" },
	{ "port", 'p', CONF_UINT, F(port), .min = 1, .max = 65535, .check = hcfg_port,
	  .def = CONF_STR(HW_DEFAULT_PORT), .arg = "PORT", .help = "handoff server UDP port" },
	{ "listen", 'l', CONF_ADDR4, F(listen), .def = "0.0.0.0", .arg = "ADDR",
	  .help = "IPv4 address to bind; 0.0.0.0: all" },
	{ "state-dir", 's', CONF_PATH, F(state_dir), .def = HCFG_DEFAULT_STATE_DIR, .arg = "DIR",
	  .help = "persistent state" },
	{ "log-dir", 'L', CONF_PATH, F(log_dir), .flags = CONF_EMPTY | CONF_RELOAD, .arg = "DIR",
	  .help = "audit log DIR/" AUDIT_FILE " (default: standard output)" },
	{ "table-size", 't', CONF_UINT, F(table_size), .min = 16, .max = CT_MAX_CAPACITY,
	  .def = CONF_STR(CT_MAX_CAPACITY), .flags = CONF_RELOAD, .arg = "N",
	  .help = "entries per NAT64 control channel, 16.." CONF_STR(CT_MAX_CAPACITY) },
	{ "max-channels", 'm', CONF_UINT, F(max_channels), .min = 1, .max = 1000000, .def = "1024",
	  .flags = CONF_RELOAD, .arg = "N",
	  .help = "active control channels (NAT64, server address pairs)" },
	{ "channel-idle", 0, CONF_DURATION, F(channel_idle_ms), .min = 1000,
	  .max = 30ull * 86400 * 1000, .def = "1h", .flags = CONF_RELOAD, .arg = "DUR",
	  .help = "unload channels idle for DUR: they stop counting against max-channels" },
	{ "memory-limit", 0, CONF_SIZE, F(memory_limit), .max = 1ull << 44, .def = "0",
	  .flags = CONF_RELOAD, .arg = "SIZE",
	  .help = "refuse new channels beyond SIZE of tables, each at its full size (0: no limit "
	  "but max-channels)" },
	{ "user", 'u', CONF_USER, F(user), .flags = CONF_EMPTY, .arg = "USER",
	  .help = "drop privileges to USER after binding" },
	{ "localtime", 0, CONF_BOOL, F(localtime), .flags = CONF_RELOAD,
	  .help = "audit time stamps in local time (default UTC)" },
	{ "verbose", 'v', CONF_UINT, F(verbose), .max = 3, .flags = CONF_COUNT | CONF_RELOAD,
	  .help = "more diagnostics (repeat for more)" },
	{ "status-interval", 0, CONF_DURATION, F(status_interval_ms), .min = 100, .max = 3600000,
	  .def = "5s", .flags = CONF_RELOAD, .arg = "DUR", .help = "write the status file every DUR" },
	{ "metrics-file", 0, CONF_PATH, F(metrics_file),
	  .flags = CONF_EMPTY | CONF_OMIT_EMPTY | CONF_RELOAD, .arg = "FILE", .help = "also write the status as a Prometheus textfile to FILE" },
	{ "audit-format", 0, CONF_ENUM, F(audit_json), .enums = hcfg_audit_formats, .def = "text",
	  .flags = CONF_RELOAD, .arg = "text|json",
	  .help = "audit lines as the original server's text or as JSON objects" },
	{ "max-bans", 0, CONF_UINT, F(max_bans), .min = 1, .max = 65536, .def = BAN_DEFAULT_MAX,
	  .flags = CONF_RELOAD, .arg = "N",
	  .help = "bans in force at most (nat64-handoffctl ban); beyond, a ban is refused" },
	{ "ban-quarantine", 0, CONF_DURATION, F(ban_quarantine_ms), .min = 1000,
	  .max = 30ull * 86400 * 1000, .def = BAN_DEFAULT_QUARANTINE, .flags = CONF_RELOAD,
	  .arg = "DUR",
	  .help = "a banned client's ports go to no one for DUR (longer while still in use)" },
	{ "control-socket", 'c', CONF_PATH, F(control_socket), .flags = CONF_NONE, .arg = "PATH",
	  .help = "control socket for nat64-handoffctl (none: no socket; usually "
	  HCFG_CONTROL_SOCKET ")" },
	{ "control-group", 0, CONF_GROUP, F(control_group), .flags = CONF_EMPTY | CONF_NOCLI,
	  .arg = "GROUP",
	  .help = "the control socket's group: its members may use nat64-handoffctl" },
	{ "control-mode", 0, CONF_CUSTOM, F(control_mode), .flags = CONF_NOCLI, .set = hcfg_control_mode,
	  .print = hcfg_print_control_mode, .def = "0660", .arg = "MODE",
	  .help = "the control socket's permission bits, 0600 or 0660" },
	{ "syslog", 0, CONF_BOOL, R(syslog), .flags = CONF_CLI, .help = "diagnostics to syslog instead of standard error" },
	{ "check", 'n', CONF_BOOL, R(check), .flags = CONF_CLI,
	  .help = "check the configuration and state as a start would, print the configuration, exit" },
	{ "status", 0, CONF_BOOL, R(status), .flags = CONF_CLI, .help = "print the running server's status and exit" },
	CONF_END
};

const struct conf_table hcfg_table = {
	.prog = "nat64-handoffd",
	.usage = "[options]",
	.about =
"The NAT64 handoff server: keeps the authoritative connection table for\n"
"connections that reach this IPv4 host through handoff-capable NAT64s, and\n"
"logs every entry with the client's real IPv6 address.\n",
	.epilog =
"Signals: HUP reloads the config file and reopens the audit log; USR1 writes\n"
"the status file now; TERM and INT flush everything and exit.\n"
"See nat64-handoffd(8).\n",
	.cfg_size = sizeof(struct hcfg),
	.max_args = 0,
	.opts = hcfg_opts,
};

int
hcfg_check(const struct hcfg *c, const char **key, char *err, size_t errlen)
{
	if (c->user[0] && daemon_user_check(c->user, err, errlen) == -1) {
		*key = "user";
		return -1;
	}
	if (c->control_group[0] && getgrnam(c->control_group) == NULL) {
		*key = "control-group";
		snprintf(err, errlen, "unknown group '%s'", c->control_group);
		return -1;
	}
	if (c->control_group[0] && c->control_socket[0] == '\0') {
		*key = "control-group";
		snprintf(err, errlen, "needs a control-socket");
		return -1;
	}
	return 0;
}
