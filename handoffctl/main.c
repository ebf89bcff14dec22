/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* nat64-handoffctl — ask a running nat64-handoffd about its tables (over
 * its control socket) and its audit logs about the past: who held a
 * NAT64 address and port at a time (whois), and which real client made
 * each request of a web server's access log (annotate).
 *
 * main() reads options, the server's configuration (for the socket path,
 * the audit log directory and its time zone, the state directory), then
 * runs one command from the table below.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <unistd.h>

#include "addr.h"
#include "hc_auditlog.h"
#include "conf.h"
#include "ho_config.h"
#include "ctl_client.h"
#include "ctl_wire.h"
#include "rtab.h"
#include "hc_weblog.h"

/* Exit codes (nat64-handoffctl(8), EXIT STATUS). */
enum {
	HC_OK = 0,		/* done; found */
	HC_NOTFOUND = 1,	/* no such entry (now, or at that time) */
	HC_USAGE = 2,		/* bad command line */
	HC_NOSERVER = 3,	/* control socket missing or access refused */
	HC_REFUSED = 4,		/* the server answered with an error, or garbage */
	HC_AMBIGUOUS = 5,	/* whois: the logs cannot tell which entry */
	HC_FILES = 6,		/* configuration or audit logs unreadable */
};

#define HC_DEFAULT_CONFIG "/etc/nat64kit/nat64-handoffd.conf"

struct hc {
	struct hcfg cfg;
	const char *socket, *log_dir, *state_dir;
	const char *server, *at, *limit, *dur, *reason;
	bool json;
};

/* The command line (lib/conf.h): options anywhere, then COMMAND ARGS. */
struct hc_cli {
	char socket[108], log_dir[1024], state_dir[1024];
	char server[64], at[64], limit[16], dur[32], reason[128];
	bool json;
};

#define C(field) CONF_FIELD(struct hc_cli, field), .flags = CONF_CLI
static const struct conf_opt hc_opts[] = {
	{ "config", 'f', CONF_CONFIG, .arg = "FILE",
	  .help = "the server's configuration (default " HC_DEFAULT_CONFIG " if it exists)" },
	{ "control-socket", 'c', CONF_PATH, C(socket), .arg = "PATH",
	  .help = "the control socket (default: the configuration's, else " HCFG_CONTROL_SOCKET ")" },
	{ "log-dir", 'L', CONF_PATH, C(log_dir), .arg = "DIR",
	  .help = "the audit logs (default: the configuration's log-dir)" },
	{ "state-dir", 's', CONF_PATH, C(state_dir), .arg = "DIR",
	  .help = "the server's state (default: the configuration's)" },
	{ "json", 'j', CONF_BOOL, C(json), .help = "JSON instead of aligned text" },
	{ "server", 0, CONF_STRING, C(server), .arg = "ADDR",
	  .help = "only this server address (a channel's local address)" },
	{ "at", 0, CONF_STRING, C(at), .arg = "TIME",
	  .help = "whois: 2026-12-01T15:54:00Z, ...+01:00, @SECONDS; without a zone, the audit "
	  "log's zone (UTC unless localtime)" },
	{ "limit", 0, CONF_STRING, C(limit), .arg = "N",
	  .help = "lookup-client: at most N entries; show: entries per page (default 1000)" },
	{ "for", 0, CONF_STRING, C(dur), .arg = "DURATION",
	  .help = "ban: for DURATION (30s, 10m, 1h, 7d ...; default: until unban)" },
	{ "reason", 0, CONF_STRING, C(reason), .arg = "TEXT",
	  .help = "ban: why, for the audit log (printable ASCII without \" or \\, 100 at most)" },
	CONF_END
};

static const struct conf_table hc_table = {
	.prog = "nat64-handoffctl",
	.usage = "[options] COMMAND [ARGS]",
	.about =
"Commands (the running server, over its control socket):\n"
"  lookup NAT64:PORT [--server ADDR]   the entry of that NAT64 address and port now\n"
"  lookup-client IPV6[/LEN] [--limit N] every entry of that client or prefix\n"
"  channels                            every control channel\n"
"  stats                               the server's counters\n"
"  show NAT64 [--server ADDR] [--limit N]  one NAT64 address's table, by port\n"
"  ban IPV6[/LEN] [--for DURATION] [--reason TEXT]  refuse that client or\n"
"                                      prefix (/32../128); its ports go to no\n"
"                                      one while the NAT64 may hold a copy\n"
"  unban IPV6[/LEN]                    lift that ban\n"
"  bans                                every ban in force\n"
"Commands (the audit logs):\n"
"  whois NAT64:PORT --at TIME [--server ADDR]   who held it at that time\n"
"  annotate [--server ADDR]            access-log lines on stdin, each with its\n"
"                                      real client appended (real_client=...;\n"
"                                      --json: one object per line)\n",
	.epilog =
"Exit status: 0 done, 1 no such entry, 2 usage, 3 no access to the control\n"
"socket, 4 the server refused, 5 ambiguous, 6 files unreadable.\n"
"See nat64-handoffctl(8).\n",
	.max_args = -1,
	.opts = hc_opts,
};

/* ---- the control socket */

static FILE *hc_conn;

static int
hc_connect(struct hc *h, bool quiet)
{
	int e;

	if ((hc_conn = ctlc_connect(h->socket, 15)) != NULL)
		return 0;
	e = errno;
	if (!quiet)
		fprintf(stderr, "nat64-handoffctl: %s: %s%s\n", h->socket, strerror(e),
		    e == EACCES ? " (access is by the socket's mode and group: see control-group)" :
		    e == ENOENT || e == ECONNREFUSED ? " (is nat64-handoffd running with control-socket?)" : "");
	return -1;
}

static void
hc_sink_cols(void *arg, const char *cols)
{
	struct rtab **t = arg;

	if (*t == NULL)
		*t = rt_create(cols);
}

static void
hc_sink_row(void *arg, const char *const *vals, int n)
{
	struct rtab **t = arg;

	if (n == rt_ncols(*t))
		rt_add(*t, vals);
}

static void
hc_sink_note(void *arg, const char *text)
{
	struct rtab **t = arg;

	if (*t)
		rt_note(*t, text);
}

/* Send one request, read its answer into *t (created at "cols").
 * Returns HC_OK with *more set to the cursor (or ""), else an exit code. */
static int
hc_request(const char *req, struct rtab **t, char *more, size_t morelen)
{
	const struct ctlc_sink sink = { hc_sink_cols, hc_sink_row, hc_sink_note, t };
	char msg[CTL_LINE_MAX * 2];

	switch (ctlc_request(hc_conn, req, &sink, more, morelen, msg, sizeof(msg))) {
	case CTLC_OK:
		return *t ? HC_OK : HC_REFUSED;
	case CTLC_REFUSED:
		fprintf(stderr, "nat64-handoffctl: server: %s\n", msg);
		return HC_REFUSED;
	default:
		fprintf(stderr, "nat64-handoffctl: %s\n", msg);
		return HC_REFUSED;
	}
}

static int
hc_emit(struct hc *h, struct rtab *t, bool as_object)
{
	if (h->json)
		rt_print_json(t, as_object, stdout, stderr);
	else
		rt_print_text(t, stdout);
	return HC_OK;
}

static struct rtab *hc_with_created(struct hc *h, struct rtab *t);

/* A reason as one word of the control protocol: blanks, '%' and '='
 * as %XX. -1 if it holds what no ban may (the server says the same). */
static int
hc_escape(const char *in, char *out, size_t outlen)
{
	size_t n = 0;

	if (strlen(in) > 100)
		return -1;
	for (; *in; in++) {
		unsigned char c = (unsigned char)*in;

		if (c < 0x20 || c > 0x7e || c == '"' || c == '\\')
			return -1;
		if (n + 4 > outlen)
			return -1;
		if (c == ' ' || c == '%' || c == '=')
			n += (size_t)snprintf(out + n, outlen - n, "%%%02X", c);
		else
			out[n++] = (char)c;
	}
	out[n] = '\0';
	return 0;
}

/* A socket command: the words, its options as key=value, every page. */
static int
cmd_socket(struct hc *h, const char *name, char **args, int nargs)
{
	char req[CTL_LINE_MAX], more[CTL_WORD_MAX], page[CTL_LINE_MAX];
	struct rtab *t = NULL;
	int i, rc;

	snprintf(req, sizeof(req), "%s", name);
	for (i = 0; i < nargs; i++)
		snprintf(req + strlen(req), sizeof(req) - strlen(req), " %s", args[i]);
	if (h->server)
		snprintf(req + strlen(req), sizeof(req) - strlen(req), " server=%s", h->server);
	if (h->limit)
		snprintf(req + strlen(req), sizeof(req) - strlen(req), " limit=%s", h->limit);
	if (h->dur)
		snprintf(req + strlen(req), sizeof(req) - strlen(req), " for=%s", h->dur);
	if (h->reason) {
		char enc[CTL_WORD_MAX];

		if (hc_escape(h->reason, enc, sizeof(enc)) == -1) {
			fprintf(stderr, "nat64-handoffctl: --reason: at most 100 characters of printable "
			    "ASCII, without \" or \\\n");
			return HC_USAGE;
		}
		snprintf(req + strlen(req), sizeof(req) - strlen(req), " reason=%s", enc);
	}
	if (hc_connect(h, false) == -1)
		return HC_NOSERVER;
	rc = hc_request(req, &t, more, sizeof(more));
	while (rc == HC_OK && more[0]) {	/* show: the next page */
		snprintf(page, sizeof(page), "%s after=%s", req, more);
		rc = hc_request(page, &t, more, sizeof(more));
	}
	fclose(hc_conn);
	if (rc != HC_OK) {
		rt_destroy(t);
		return rc;
	}
	if (strcmp(name, "lookup") == 0)
		t = hc_with_created(h, t);
	hc_emit(h, t, strcmp(name, "stats") == 0);
	if (strncmp(name, "lookup", 6) == 0 && rt_rows(t) == 0) {
		if (!h->json)
			fprintf(stderr, "nat64-handoffctl: no entry\n");
		rc = HC_NOTFOUND;
	}
	if (strcmp(name, "unban") == 0 && rt_rows(t) == 0) {
		fprintf(stderr, "nat64-handoffctl: no such ban\n");
		rc = HC_NOTFOUND;
	}
	rt_destroy(t);
	return rc;
}

/* ---- the audit logs */

/* The server addresses of nat64's channels, from the STATE/channels/ file
 * names ("<nat64>-<server>.tbl"), else from the running server's
 * "channels". Returns the count, -1 if neither can be read. */
static int
hc_servers_of(struct hc *h, uint32_t nat64, uint32_t *out, int max)
{
	char dir[1100], a[ADDR_STRLEN], more[CTL_WORD_MAX];
	struct rtab *t = NULL;
	struct dirent *de;
	int n = 0;
	size_t r;
	DIR *dp;

	addr_fmt4(nat64, a, sizeof(a));
	snprintf(dir, sizeof(dir), "%s/channels", h->state_dir);
	if ((dp = opendir(dir)) == NULL) {
		if (hc_connect(h, true) == -1)
			return -1;
		if (hc_request("channels", &t, more, sizeof(more)) != HC_OK) {
			fclose(hc_conn);
			rt_destroy(t);
			return -1;
		}
		fclose(hc_conn);
		for (r = 0; r < rt_rows(t); r++) {
			uint32_t s;

			if (strcmp(rt_cell(t, r, 0), a) == 0 && addr_parse4(rt_cell(t, r, 1), &s) == 0 &&
			    n < max)
				out[n++] = s;
		}
		rt_destroy(t);
		return n;
	}
	while ((de = readdir(dp)) != NULL) {
		size_t al = strlen(a), nl = strlen(de->d_name);
		char srv[ADDR_STRLEN];
		uint32_t s;

		if (nl <= al + 5 || strncmp(de->d_name, a, al) != 0 || de->d_name[al] != '-' ||
		    strcmp(de->d_name + nl - 4, ".tbl") != 0 || nl - al - 5 >= sizeof(srv))
			continue;
		memcpy(srv, de->d_name + al + 1, nl - al - 5);
		srv[nl - al - 5] = '\0';
		if (addr_parse4(srv, &s) == 0 && n < max)
			out[n++] = s;
	}
	closedir(dp);
	return n;
}

/* The audit logs' index; only one NAT64 port's events if only_port. */
static struct al_index *
hc_load_logs(struct hc *h, uint32_t only_nat64, uint16_t only_port, int *rc)
{
	struct al_index *x;
	char err[4200];

	if (h->log_dir == NULL || h->log_dir[0] == '\0') {
		fprintf(stderr, "nat64-handoffctl: no audit log directory (the configuration has no "
		    "log-dir; give -L DIR)\n");
		*rc = HC_FILES;
		return NULL;
	}
	x = al_create(h->cfg.localtime);
	if (only_port)
		al_only(x, only_nat64, only_port);
	if (al_add_dir(x, h->log_dir, err, sizeof(err)) == -1) {
		fprintf(stderr, "nat64-handoffctl: %s\n", err);
		al_destroy(x);
		*rc = HC_FILES;
		return NULL;
	}
	if (al_bad_lines(x))
		fprintf(stderr, "nat64-handoffctl: %s: %llu of %llu lines are not audit lines (skipped)\n",
		    h->log_dir, (unsigned long long)al_bad_lines(x), (unsigned long long)al_lines(x));
	al_finish(x);
	return x;
}

/* lookup: the entries' creation times, which the server's table does
 * not keep, from the current audit log if it can be read ("" if not). */
static struct rtab *
hc_with_created(struct hc *h, struct rtab *t)
{
	struct rtab *out;
	struct al_index *x;
	char path[1200], err[1400];
	size_t r;

	if (rt_ncols(t) != 7 || h->log_dir == NULL || h->log_dir[0] == '\0')
		return t;
	snprintf(path, sizeof(path), "%s/nat64-handoff.log", h->log_dir);
	x = al_create(h->cfg.localtime);
	{	/* every row is the same NAT64 address and port */
		uint32_t nat64;

		if (rt_rows(t) && addr_parse4(rt_cell(t, 0, 0), &nat64) == 0)
			al_only(x, nat64, (uint16_t)atoi(rt_cell(t, 0, 1)));
	}
	if (al_add_file(x, path, err, sizeof(err)) == -1) {
		al_destroy(x);
		return t;
	}
	al_finish(x);
	out = rt_create("nat64:s port:n client:s client_port:n prefix:s server:s last_used:s created:s");
	for (r = 0; r < rt_rows(t); r++) {
		const char *v[8];
		char created[48] = "";
		uint32_t nat64, server;
		uint8_t client[16];
		struct al_answer a;
		int c, i;

		for (c = 0; c < 7; c++)
			v[c] = rt_cell(t, r, c);
		if (addr_parse4(v[0], &nat64) == 0 && addr_parse4(v[5], &server) == 0 &&
		    addr_parse6(v[2], client) == 0) {
			/* the entries still open at the end of the log */
			al_query(x, nat64, (uint16_t)atoi(v[1]), INT64_MAX - 1, INT64_MAX - 1, &server, true,
			    &a);
			for (i = 0; i < a.ncand; i++) {
				const struct al_event *e = a.cand[i].created;

				if (e && memcmp(e->client, client, 16) == 0 &&
				    e->client_port == (uint16_t)atoi(v[3]))
					al_fmt_time(e->t_us, h->cfg.localtime, created, sizeof(created));
			}
		}
		v[7] = created;
		rt_add(out, v);
	}
	al_destroy(x);
	rt_destroy(t);
	return out;
}

static const char *
hc_detail(uint8_t d)
{
	static const char *const names[] = { "", "mapped", "adopted", "evicted", "replaced", "moved",
	    "forgotten" };

	return d < sizeof(names) / sizeof(names[0]) ? names[d] : "";
}

/* Everything a table row says about one lifetime. */
/* held_from: the start whois counts from: the Created line, or up to
 * AL_ADOPT_SLACK_US earlier for an entry that may have been adopted. */
#define CAND_COLS "client:s client_port:n prefix:s server:s held_from:s created:s how:s " \
	"deleted:s reason:s"

static void
hc_cand_row(struct rtab *t, const struct al_cand *c, bool local, const uint32_t *only_server)
{
	const struct al_event *e = c->created ? c->created : c->deleted;
	char client[ADDR_STRLEN], cport[8], prefix[ADDR_STRLEN + 4] = "", server[ADDR_STRLEN] = "";
	char created[48] = "", deleted[48] = "", from[48] = "";
	const char *v[9] = { client, cport, prefix, server, from, created, hc_detail(c->how),
			     deleted, hc_detail(c->reason) };

	addr_fmt6(e->client, client, sizeof(client));
	snprintf(cport, sizeof(cport), "%u", e->client_port);
	if (e->has_prefix) {
		uint8_t p16[16] = { 0 };

		memcpy(p16, e->prefix, 12);
		addr_fmt6(p16, prefix, ADDR_STRLEN);
		strcat(prefix, "/96");
	}
	if (e->has_server)
		addr_fmt4(e->server, server, sizeof(server));
	else if (only_server)
		addr_fmt4(*only_server, server, sizeof(server));
	if (c->created) {
		al_fmt_time(c->created->t_us, local, created, sizeof(created));
		al_fmt_time(c->start_us, local, from, sizeof(from));
	}
	if (c->deleted)
		al_fmt_time(c->end_us, local, deleted, sizeof(deleted));
	else if (c->end_us != INT64_MAX)
		al_fmt_time(c->end_us, local, deleted, sizeof(deleted));
	rt_add(t, v);
}

static bool
hc_same_client(const struct al_answer *a)
{
	int i;

	for (i = 1; i < a->ncand; i++) {
		const struct al_event *x = a->cand[0].created ? a->cand[0].created : a->cand[0].deleted;
		const struct al_event *y = a->cand[i].created ? a->cand[i].created : a->cand[i].deleted;

		if (x->client_port != y->client_port || memcmp(x->client, y->client, 16) != 0)
			return false;
	}
	return a->ncand > 0;
}

/* Does any candidate lack a server address? */
static bool
hc_some_unserved(const struct al_answer *a)
{
	int i;

	for (i = 0; i < a->ncand; i++) {
		const struct al_event *e = a->cand[i].created ? a->cand[i].created : a->cand[i].deleted;

		if (!e->has_server)
			return true;
	}
	return false;
}

static void
hc_event_json(FILE *f, const struct al_event *e, bool local)
{
	char t[48], c[ADDR_STRLEN];

	if (e == NULL) {
		fputs("null", f);
		return;
	}
	fprintf(f, "{\"time\":\"%s\",\"event\":\"%s\",\"client\":\"%s\",\"client_port\":%u}",
	    al_fmt_time(e->t_us, local, t, sizeof(t)), e->type == AL_CREATED ? "created" : "deleted",
	    addr_fmt6(e->client, c, sizeof(c)), e->client_port);
}

static void
hc_event_text(const char *label, const struct al_event *e, bool local)
{
	char t[48], c[ADDR_STRLEN];

	if (e == NULL) {
		printf("%-8s none in the logs\n", label);
		return;
	}
	printf("%-8s %s %s [%s]:%u\n", label, al_fmt_time(e->t_us, local, t, sizeof(t)),
	    e->type == AL_CREATED ? "Created" : "Deleted", addr_fmt6(e->client, c, sizeof(c)),
	    e->client_port);
}

static int
cmd_whois(struct hc *h, const char *name, char **args, int nargs)
{
	uint32_t nat64, server = 0, servers[16];
	struct al_answer a;
	struct al_index *x;
	struct rtab *t;
	uint16_t port;
	int64_t at;
	bool zoned, local = h->cfg.localtime, ambiguous;
	int nserv, rc = HC_OK, i;
	char when[48], nat[ADDR_STRLEN], why[600] = "";

	(void)name, (void)nargs;
	if (ctl_parse_v4port(args[0], &nat64, &port) == -1) {
		fprintf(stderr, "nat64-handoffctl: '%s' is not NAT64:PORT\n", args[0]);
		return HC_USAGE;
	}
	if (h->at == NULL || al_parse_time(h->at, local, &at, &zoned) == -1) {
		fprintf(stderr, "nat64-handoffctl: whois needs --at TIME (2026-12-01T15:54:00Z, "
		    "2026-12-01 15:54:00, @SECONDS)%s%s\n", h->at ? "; not a time: " : "",
		    h->at ? h->at : "");
		return HC_USAGE;
	}
	if (h->server && addr_parse4(h->server, &server) == -1) {
		fprintf(stderr, "nat64-handoffctl: --server '%s' is not an IPv4 address\n", h->server);
		return HC_USAGE;
	}
	if ((x = hc_load_logs(h, nat64, port, &rc)) == NULL)
		return rc;
	nserv = hc_servers_of(h, nat64, servers, 16);
	/* the instant is somewhere within the precision given */
	al_query(x, nat64, port, at, at + al_time_resolution(h->at) - 1, h->server ? &server : NULL,
	    nserv > 1, &a);
	addr_fmt4(nat64, nat, sizeof(nat));
	al_fmt_time(at, local, when, sizeof(when));

	/* Which server address? JSON lines say; text lines do not, and
	 * then only a NAT64 with one channel makes the answer certain. */
	ambiguous = false;
	if (a.ncand > 1 && !hc_same_client(&a)) {
		ambiguous = true;
		snprintf(why, sizeof(why), "%d entries held %s:%u at that time%s", a.ncand, nat, port,
		    hc_some_unserved(&a) ? " and the audit log (text format) does not record the "
		    "server address" : " on different server addresses; give --server");
	} else if (a.ncand >= 1 && hc_some_unserved(&a) && nserv > 1) {
		int off;

		ambiguous = !hc_same_client(&a) || a.ncand == 1;
		off = snprintf(why, sizeof(why), "the audit log (text format) does not record the server "
		    "address, and %s has channels with", nat);
		for (i = 0; i < nserv && off > 0 && (size_t)off < sizeof(why); i++) {
			char s[ADDR_STRLEN];

			off += snprintf(why + off, sizeof(why) - (size_t)off, " %s",
			    addr_fmt4(servers[i], s, sizeof(s)));
		}
		if (a.ncand > 1)	/* the same client on every candidate */
			ambiguous = false;
	}
	if (nserv == -1 && hc_some_unserved(&a) && why[0] == '\0')
		snprintf(why, sizeof(why), "the server addresses of %s are not known (%s/channels "
		    "unreadable, no control socket): with several, the entry may be another's", nat,
		    h->state_dir);

	t = rt_create(CAND_COLS);
	for (i = 0; i < a.ncand; i++)
		hc_cand_row(t, &a.cand[i], local,
		    (nserv == 1 && !h->server) ? &servers[0] : h->server ? &server : NULL);
	rc = a.ncand == 0 ? HC_NOTFOUND : ambiguous ? HC_AMBIGUOUS : HC_OK;
	if (h->json) {
		printf("{\"nat64\":\"%s\",\"port\":%u,\"at\":\"%s\",\"server\":", nat, port, when);
		if (h->server)
			rt_json_str(stdout, h->server);
		else
			fputs("null", stdout);
		printf(",\"result\":\"%s\",\"why\":", rc == HC_OK ? "found" :
		    rc == HC_NOTFOUND ? "none" : "ambiguous");
		if (ambiguous || why[0])
			rt_json_str(stdout, why);
		else
			fputs("null", stdout);
		fputs(",\"servers\":[", stdout);
		for (i = 0; i < nserv; i++) {
			char s[ADDR_STRLEN];

			printf("%s\"%s\"", i ? "," : "", addr_fmt4(servers[i], s, sizeof(s)));
		}
		fputs("],\"entries\":", stdout);
		rt_print_json(t, false, stdout, stderr);
		fputs(",\"before\":", stdout);
		hc_event_json(stdout, a.ncand == 0 ? a.before : NULL, local);
		fputs(",\"after\":", stdout);
		hc_event_json(stdout, a.ncand == 0 ? a.after : NULL, local);
		fputs("}\n", stdout);
	} else {
		printf("%s:%u at %s%s: ", nat, port, when, zoned ? "" : local ?
		    " (local time, as the audit log)" : " (UTC, as the audit log)");
		if (rc == HC_NOTFOUND) {
			printf("no entry at that time\n");
			hc_event_text("before", a.before, local);
			hc_event_text("after", a.after, local);
		} else {
			printf("%s\n", ambiguous ? "ambiguous" : a.ncand > 1 ? "one client" : "found");
			if (why[0])
				printf("note: %s\n", why);
			rt_print_text(t, stdout);
			for (i = 0; i < a.ncand; i++)
				if (a.cand[i].early && at < a.cand[i].created->t_us)
					printf("note: [%s]:%u was logged after that time: an entry the NAT64 made "
					    "itself and reported (adopted) within %llds\n",
					    addr_fmt6(a.cand[i].created->client, when, sizeof(when)),
					    a.cand[i].created->client_port, AL_ADOPT_SLACK_US / 1000000);
		}
		if (a.truncated)
			printf("note: more than %d entries; only the first are shown\n", AL_MAX_CAND);
	}
	rt_destroy(t);
	al_destroy(x);
	return rc;
}

/* ---- annotate */

struct hc_srvcount {
	uint32_t nat64;
	int n;
};

enum hc_verdict { HV_UNPARSED, HV_NOT_NAT64, HV_NONE, HV_FOUND, HV_AMBIGUOUS };

/* What the audit logs say about one access-log line. */
static enum hc_verdict
hc_judge(struct hc *h, const struct al_index *x, const char *s, size_t n, const uint32_t *server,
    struct al_answer *a)
{
	static struct hc_srvcount cache[64];
	static int ncache;
	struct wl_rec r;
	int nserv = 0, i;

	if (wl_parse(s, n, &r) == -1)
		return HV_UNPARSED;
	if (!al_knows_nat64(x, r.addr))
		return HV_NOT_NAT64;
	for (i = 0; i < ncache; i++)
		if (cache[i].nat64 == r.addr)
			break;
	if (i < ncache)
		nserv = cache[i].n;
	else {
		uint32_t srv[16];

		nserv = hc_servers_of(h, r.addr, srv, 16);
		if (nserv == -1 && ncache == 0)
			fprintf(stderr, "nat64-handoffctl: annotate: the server addresses of the NAT64s "
			    "are not known (%s/channels unreadable, no control socket): text lines are "
			    "taken to be of one address each\n", h->state_dir);
		if (ncache < 64) {
			cache[ncache].nat64 = r.addr;
			cache[ncache++].n = nserv;
		}
	}
	al_query(x, r.addr, r.port, r.lo_us, r.hi_us, server, nserv > 1, a);
	if (a->ncand == 0)
		return HV_NONE;
	/* as whois: one client, unless the log cannot say which channel */
	if (hc_same_client(a) && !(hc_some_unserved(a) && nserv > 1 && a->ncand == 1))
		return HV_FOUND;
	return HV_AMBIGUOUS;
}

static const char *const hc_verdict_name[] = { "unparsed", "not-nat64", "none", "found", "ambiguous" };

static void
hc_put_client(FILE *out, const struct al_cand *c, bool json)
{
	const struct al_event *e = c->created ? c->created : c->deleted;
	char a[ADDR_STRLEN];

	fprintf(out, json ? "\"[%s]:%u\"" : "[%s]:%u", addr_fmt6(e->client, a, sizeof(a)),
	    e->client_port);
}

/* JSON string contents (no quotes), for a line of any bytes. */
static void
hc_json_chars(FILE *out, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch == '"' || ch == '\\')
			fprintf(out, "\\%c", ch);
		else if (ch < 0x20 || ch == 0x7f)
			fprintf(out, "\\u%04x", ch);
		else
			fputc(ch, out);
	}
}

/* The end of a line's output, after the line itself. */
static void
hc_put_verdict(FILE *out, enum hc_verdict v, const struct al_answer *a, bool json)
{
	int i;

	if (json) {
		fprintf(out, "\",\"result\":\"%s\",\"real_client\":", hc_verdict_name[v]);
		if (v == HV_FOUND)
			hc_put_client(out, &a->cand[0], true);
		else
			fputs("null", out);
		if (v == HV_AMBIGUOUS) {
			fputs(",\"candidates\":[", out);
			for (i = 0; i < a->ncand; i++) {
				if (i)
					fputc(',', out);
				hc_put_client(out, &a->cand[i], true);
			}
			fputc(']', out);
		}
		fputs("}\n", out);
		return;
	}
	switch (v) {
	case HV_UNPARSED: fputs(" real_client=?\n", out); return;
	case HV_NOT_NAT64: fputs(" real_client=-\n", out); return;
	case HV_NONE: fputs(" real_client=none\n", out); return;
	case HV_FOUND:
		fputs(" real_client=", out);
		hc_put_client(out, &a->cand[0], false);
		fputc('\n', out);
		return;
	case HV_AMBIGUOUS:
		fputs(" real_client=ambiguous:", out);
		for (i = 0; i < a->ncand; i++) {
			if (i)
				fputc(',', out);
			hc_put_client(out, &a->cand[i], false);
		}
		fputc('\n', out);
		return;
	}
}

/* Part of a line: as is, or inside the JSON object's "line". */
static void
hc_put_part(FILE *out, const char *s, size_t n, bool first, bool json)
{
	if (json && first)
		fputs("{\"line\":\"", out);
	if (json)
		hc_json_chars(out, s, n);
	else
		fwrite(s, 1, n, out);
}

/* Access-log lines from stdin, each written with " real_client=..."
 * appended (--json: one object per line). Memory: the index and one
 * 64 KiB buffer; a longer line is passed through and marked "?". */
static int
cmd_annotate(struct hc *h, const char *name, char **args, int nargs)
{
	static char buf[1 << 16], obuf[1 << 16];
	unsigned long long lines = 0, st[5] = { 0 };	/* by enum hc_verdict */
	uint32_t server;
	struct al_index *x;
	struct al_answer a;
	size_t have = 0;
	bool overlong = false, eof = false;
	int rc = HC_OK;

	(void)name, (void)args, (void)nargs;
	if (h->server && addr_parse4(h->server, &server) == -1) {
		fprintf(stderr, "nat64-handoffctl: --server '%s' is not an IPv4 address\n", h->server);
		return HC_USAGE;
	}
	if ((x = hc_load_logs(h, 0, 0, &rc)) == NULL)
		return rc;
	setvbuf(stdout, obuf, _IOFBF, sizeof(obuf));
	while (!eof) {
		size_t r = fread(buf + have, 1, sizeof(buf) - have, stdin), off = 0;
		char *nl;

		have += r;
		eof = r == 0;
		/* complete lines; at the end of input, the last one too */
		while ((nl = memchr(buf + off, '\n', have - off)) != NULL || (eof && off < have)) {
			size_t n = nl ? (size_t)(nl - (buf + off)) : have - off;
			enum hc_verdict v = HV_UNPARSED;

			lines++;
			hc_put_part(stdout, buf + off, n, !overlong, h->json);
			if (!overlong)
				v = hc_judge(h, x, buf + off, n, h->server ? &server : NULL, &a);
			hc_put_verdict(stdout, v, &a, h->json);
			st[v]++;
			overlong = false;
			off += n + (nl != NULL);
		}
		memmove(buf, buf + off, have - off);
		have -= off;
		if (have == sizeof(buf)) {	/* no newline in 64 KiB */
			hc_put_part(stdout, buf, have, !overlong, h->json);
			have = 0;
			overlong = true;
		}
	}
	if (fflush(stdout) != 0 || ferror(stdin)) {
		fprintf(stderr, "nat64-handoffctl: annotate: %s\n", strerror(errno));
		rc = HC_FILES;
	}
	fprintf(stderr, "nat64-handoffctl: annotate: %llu lines: %llu with a real client, %llu "
	    "ambiguous, %llu without an entry, %llu not from a NAT64, %llu not in the documented "
	    "format\n", lines, st[HV_FOUND], st[HV_AMBIGUOUS], st[HV_NONE], st[HV_NOT_NAT64],
	    st[HV_UNPARSED]);
	al_destroy(x);
	return rc;
}

/* ---- the command table */

enum { O_SERVER = 1, O_AT = 2, O_LIMIT = 4, O_BAN = 8 };

typedef int hc_cmd_fn(struct hc *h, const char *name, char **args, int nargs);

static const struct hc_cmd {
	const char *name;
	int nargs;
	unsigned opts;
	hc_cmd_fn *fn;
} hc_cmds[] = {
	{ "lookup", 1, O_SERVER, cmd_socket },
	{ "lookup-client", 1, O_LIMIT, cmd_socket },
	{ "channels", 0, 0, cmd_socket },
	{ "stats", 0, 0, cmd_socket },
	{ "show", 1, O_SERVER | O_LIMIT, cmd_socket },
	{ "ban", 1, O_BAN, cmd_socket },
	{ "unban", 1, 0, cmd_socket },
	{ "bans", 0, 0, cmd_socket },
	{ "whois", 1, O_SERVER | O_AT, cmd_whois },
	{ "annotate", 0, O_SERVER, cmd_annotate },
};

int
main(int argc, char **argv)
{
	static struct hc h;
	static struct hc_cli cli;
	struct conf_cmdline cl;
	const struct hc_cmd *cmd = NULL;
	const char *config;
	char err[1200];
	size_t i;
	int rc;

	if ((rc = conf_cmdline(&hc_table, &cli, &cl, argc, argv, stdout, err, sizeof(err))) != 0) {
		if (rc == 1)
			return HC_OK;
		fprintf(stderr, "nat64-handoffctl: %s (see --help)\n", err);
		return HC_USAGE;
	}
	h.json = cli.json;
	h.socket = cli.socket[0] ? cli.socket : NULL;
	h.log_dir = cli.log_dir[0] ? cli.log_dir : NULL;
	h.state_dir = cli.state_dir[0] ? cli.state_dir : NULL;
	h.server = cli.server[0] ? cli.server : NULL;
	h.at = cli.at[0] ? cli.at : NULL;
	h.limit = cli.limit[0] ? cli.limit : NULL;
	h.dur = cli.dur[0] ? cli.dur : NULL;
	h.reason = cli.reason[0] ? cli.reason : NULL;
	optind = cl.first_arg;
	if (optind == argc) {
		conf_usage(&hc_table, stderr);
		return HC_USAGE;
	}
	for (i = 0; i < sizeof(hc_cmds) / sizeof(hc_cmds[0]); i++)
		if (strcmp(hc_cmds[i].name, argv[optind]) == 0)
			cmd = &hc_cmds[i];
	if (cmd == NULL) {
		fprintf(stderr, "nat64-handoffctl: unknown command '%s' (see --help)\n", argv[optind]);
		return HC_USAGE;
	}
	if (argc - optind - 1 != cmd->nargs) {
		fprintf(stderr, "nat64-handoffctl: %s takes %d argument%s\n", cmd->name, cmd->nargs,
		    cmd->nargs == 1 ? "" : "s");
		return HC_USAGE;
	}
	if ((h.dur || h.reason) && !(cmd->opts & O_BAN)) {
		fprintf(stderr, "nat64-handoffctl: %s does not take %s\n", cmd->name,
		    h.dur ? "--for" : "--reason");
		return HC_USAGE;
	}
	if ((h.server && !(cmd->opts & O_SERVER)) || (h.at && !(cmd->opts & O_AT)) ||
	    (h.limit && !(cmd->opts & O_LIMIT))) {
		fprintf(stderr, "nat64-handoffctl: %s does not take %s\n", cmd->name,
		    h.server && !(cmd->opts & O_SERVER) ? "--server" : h.at && !(cmd->opts & O_AT) ?
		    "--at" : "--limit");
		return HC_USAGE;
	}
	for (i = 1; i < (size_t)(argc - optind); i++)	/* words go on the wire */
		if (strpbrk(argv[optind + i], " \t\n=") || strlen(argv[optind + i]) >= CTL_WORD_MAX) {
			fprintf(stderr, "nat64-handoffctl: bad argument '%s'\n", argv[optind + i]);
			return HC_USAGE;
		}

	/* The server's configuration: where its socket, logs and state are,
	 * and the audit log's time zone. */
	config = cl.config_given ? cl.config : NULL;
	if (config == NULL) {
		if (access(HC_DEFAULT_CONFIG, R_OK) == 0)
			config = HC_DEFAULT_CONFIG;
		else if (errno != ENOENT)
			fprintf(stderr, "nat64-handoffctl: %s: %s; using the built-in defaults\n",
			    HC_DEFAULT_CONFIG, strerror(errno));
	}
	conf_defaults(&hcfg_table, &h.cfg);
	if (config && conf_parse_file(&hcfg_table, config, &h.cfg, err, sizeof(err)) == -1) {
		fprintf(stderr, "nat64-handoffctl: %s\n", err);
		return HC_FILES;
	}
	if (h.socket == NULL)
		h.socket = h.cfg.control_socket[0] ? h.cfg.control_socket : HCFG_CONTROL_SOCKET;
	if (h.log_dir == NULL)
		h.log_dir = h.cfg.log_dir;
	if (h.state_dir == NULL)
		h.state_dir = h.cfg.state_dir;
	return cmd->fn(&h, cmd->name, argv + optind + 1, cmd->nargs);
}
