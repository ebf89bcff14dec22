/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* opts.c — nat64ctl's command line; see nc.h and nat64ctl(8). */
#include "nc.h"
#include "nd_config.h"

#define C(field) CONF_FIELD(struct nc_cli, field), .flags = CONF_CLI
static const struct conf_opt nc_opts[] = {
	{ "config", 'f', CONF_CONFIG, .arg = "FILE",
	  .help = "nat64d's configuration, for its control-socket (default " NC_DEFAULT_CONFIG
	  " if it exists)" },
	{ "control-socket", 'c', CONF_PATH, C(socket), .arg = "PATH",
	  .help = "the control socket (default: the configuration's, else " ND_CONTROL_SOCKET ")" },
	{ "json", 'j', CONF_BOOL, C(json), .help = "JSON instead of aligned text" },
	{ "proto", 0, CONF_STRING, C(proto), .arg = "tcp|udp|icmp",
	  .help = "bib, sessions, lookup: only this protocol" },
	{ "addr", 0, CONF_STRING, C(addr), .arg = "ADDR",
	  .help = "bib, sessions: only this IPv6 client, pool4 address (or sessions: IPv4 peer)" },
	{ "port", 0, CONF_STRING, C(port), .arg = "N",
	  .help = "bib, sessions: only this port or ICMP identifier, on either side" },
	{ "limit", 0, CONF_STRING, C(limit), .arg = "N",
	  .help = "bib, sessions: at most N rows (default: every one)" },
	CONF_END
};

const struct conf_table nc_table = {
	.prog = "nat64ctl",
	.usage = "[options] COMMAND [ARGS]",
	.about =
"Ask a running nat64d over its control socket.\n"
"Commands:\n"
"  bib [--proto P] [--addr A] [--port N] [--limit N]       the BIB entries\n"
"  sessions [--proto P] [--addr A] [--port N] [--limit N]  the sessions\n"
"  servers                      the handoff servers and their state\n"
"  stats                        the counters\n"
"  lookup POOL4:PORT [--proto P]  which IPv6 client holds that address and port\n",
	.epilog =
"Exit status: 0 done, 1 not found (lookup, or a filter matched nothing),\n"
"2 usage, 3 no access to the control socket, 4 nat64d refused the request,\n"
"5 configuration unreadable. See nat64ctl(8).\n",
	.max_args = -1,
	.opts = nc_opts,
};
