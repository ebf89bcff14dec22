/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* nat64ctl — ask a running nat64d over its control socket (nd_control.h):
 * its BIB, its sessions, its handoff servers, its counters, and who holds
 * a pool address and port now.
 *
 * main() reads options, nat64d's configuration (for the socket's path),
 * checks the command against the table below, sends one request and
 * prints the answer as it arrives (nc.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "ctl_client.h"
#include "ctl_wire.h"
#include "nc.h"
#include "nd_config.h"

enum { O_PROTO = 1, O_ADDR = 2, O_PORT = 4, O_LIMIT = 8 };

static const struct nc_cmd {
	const char *name;
	int nargs;
	unsigned opts;
	bool empty_is_notfound;		/* no row: exit 1 (with a filter, for listings) */
} nc_cmds[] = {
	{ "bib", 0, O_PROTO | O_ADDR | O_PORT | O_LIMIT, false },
	{ "sessions", 0, O_PROTO | O_ADDR | O_PORT | O_LIMIT, false },
	{ "servers", 0, 0, false },
	{ "stats", 0, 0, false },
	{ "lookup", 1, O_PROTO, true },
};

/* A word that can go on the wire as it is. */
static bool
nc_word_ok(const char *w)
{
	return w[0] && strlen(w) < CTL_WORD_MAX && strpbrk(w, " \t\r\n=") == NULL;
}

static int
nc_add_opt(char *req, size_t len, const char *key, const char *val)
{
	if (val[0] == '\0')
		return 0;
	if (!nc_word_ok(val)) {
		fprintf(stderr, "nat64ctl: bad --%s '%s'\n", key, val);
		return -1;
	}
	snprintf(req + strlen(req), len - strlen(req), " %s=%s", key, val);
	return 0;
}

/* The socket's path: -c, else nat64d's configuration's, else the default. */
static int
nc_socket_path(const struct conf_cmdline *cl, const struct nc_cli *cli, char *path, size_t len)
{
	static struct nd_config cfg;
	const char *config = cl->config_given ? cl->config : NULL;
	char err[1200];

	if (cli->socket[0]) {
		snprintf(path, len, "%s", cli->socket);
		return 0;
	}
	if (config == NULL) {
		if (access(NC_DEFAULT_CONFIG, R_OK) == 0)
			config = NC_DEFAULT_CONFIG;
		else if (errno != ENOENT)
			fprintf(stderr, "nat64ctl: %s: %s; using the default socket %s\n",
			    NC_DEFAULT_CONFIG, strerror(errno), ND_CONTROL_SOCKET);
	}
	conf_defaults(&nd_config_table, &cfg);
	if (config && conf_parse_file(&nd_config_table, config, &cfg, err, sizeof(err)) == -1) {
		fprintf(stderr, "nat64ctl: %s\n", err);
		return -1;
	}
	if (cfg.control_socket[0] == '\0') {
		fprintf(stderr, "nat64ctl: %s says control-socket none (give -c PATH)\n", config);
		return -1;
	}
	snprintf(path, len, "%s", cfg.control_socket);
	return 0;
}

int
main(int argc, char **argv)
{
	static struct nc_cli cli;
	struct conf_cmdline cl;
	const struct nc_cmd *cmd = NULL;
	char err[1200], path[108], req[CTL_LINE_MAX], more[CTL_WORD_MAX], msg[CTL_LINE_MAX * 2];
	struct nc_stream *out;
	enum ctlc_result r;
	unsigned long rows;
	bool filtered;
	size_t i;
	FILE *f;
	int rc;

	if ((rc = conf_cmdline(&nc_table, &cli, &cl, argc, argv, stdout, err, sizeof(err))) != 0) {
		if (rc == 1)
			return NC_OK;
		fprintf(stderr, "nat64ctl: %s (see --help)\n", err);
		return NC_USAGE;
	}
	if (cl.first_arg >= argc) {
		conf_usage(&nc_table, stderr);
		return NC_USAGE;
	}
	for (i = 0; i < sizeof(nc_cmds) / sizeof(nc_cmds[0]); i++)
		if (strcmp(nc_cmds[i].name, argv[cl.first_arg]) == 0)
			cmd = &nc_cmds[i];
	if (cmd == NULL) {
		fprintf(stderr, "nat64ctl: unknown command '%s' (see --help)\n", argv[cl.first_arg]);
		return NC_USAGE;
	}
	if (argc - cl.first_arg - 1 != cmd->nargs) {
		fprintf(stderr, "nat64ctl: %s takes %d argument%s\n", cmd->name, cmd->nargs,
		    cmd->nargs == 1 ? "" : "s");
		return NC_USAGE;
	}
	if ((cli.proto[0] && !(cmd->opts & O_PROTO)) || (cli.addr[0] && !(cmd->opts & O_ADDR)) ||
	    (cli.port[0] && !(cmd->opts & O_PORT)) || (cli.limit[0] && !(cmd->opts & O_LIMIT))) {
		fprintf(stderr, "nat64ctl: %s does not take --%s\n", cmd->name,
		    cli.proto[0] && !(cmd->opts & O_PROTO) ? "proto" :
		    cli.addr[0] && !(cmd->opts & O_ADDR) ? "addr" :
		    cli.port[0] && !(cmd->opts & O_PORT) ? "port" : "limit");
		return NC_USAGE;
	}
	snprintf(req, sizeof(req), "%s", cmd->name);
	for (i = 0; i < (size_t)cmd->nargs; i++) {
		const char *a = argv[cl.first_arg + 1 + i];

		if (!nc_word_ok(a)) {
			fprintf(stderr, "nat64ctl: bad argument '%s'\n", a);
			return NC_USAGE;
		}
		snprintf(req + strlen(req), sizeof(req) - strlen(req), " %s", a);
	}
	if (nc_add_opt(req, sizeof(req), "proto", cli.proto) == -1 ||
	    nc_add_opt(req, sizeof(req), "addr", cli.addr) == -1 ||
	    nc_add_opt(req, sizeof(req), "port", cli.port) == -1 ||
	    nc_add_opt(req, sizeof(req), "limit", cli.limit) == -1)
		return NC_USAGE;
	filtered = cli.proto[0] || cli.addr[0] || cli.port[0];

	if (nc_socket_path(&cl, &cli, path, sizeof(path)) == -1)
		return NC_CONFIG;
	if ((f = ctlc_connect(path, 15)) == NULL) {
		int e = errno;

		fprintf(stderr, "nat64ctl: %s: %s%s\n", path, strerror(e),
		    e == EACCES ? " (access is by the socket's mode and group: see control-group "
		    "in nat64d.conf(5))" :
		    e == ENOENT || e == ECONNREFUSED ? " (is nat64d running with this control-socket?)" :
		    "");
		return NC_NOSOCKET;
	}
	out = nc_stream_new(cli.json, strcmp(cmd->name, "stats") == 0, stdout, stderr);
	r = ctlc_request(f, req, nc_stream_sink(out), more, sizeof(more), msg, sizeof(msg));
	fclose(f);
	if (r != CTLC_OK) {
		nc_stream_finish(out);
		nc_stream_free(out);
		fprintf(stderr, "nat64ctl: %s%s\n", r == CTLC_REFUSED ? "nat64d: " : "", msg);
		return strncmp(msg, "busy", 4) == 0 ? NC_NOSOCKET : NC_REFUSED;
	}
	rows = nc_stream_finish(out);
	nc_stream_free(out);
	if (rows == 0 && (cmd->empty_is_notfound || filtered)) {
		if (!cli.json)
			fprintf(stderr, "nat64ctl: %s\n", cmd->empty_is_notfound ? "nobody holds it" :
			    "no match");
		return NC_NOTFOUND;
	}
	return NC_OK;
}
