/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* metrics.c — see nd_metrics.h. */
#include "nd_metrics.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomicfile.h"
#include "promtext.h"
#include "xalloc.h"

#define ND_STR_(x)	#x
#define ND_STR(x)	ND_STR_(x)

/* The status keys that are levels, not counts; with their HELP. */
static const struct {
	const char *key, *help;
} nd_gauges[] = {
	{ "bib_entries", "Entries in the binding table (BIB)." },
	{ "sessions", "Entries in the session table." },
	{ "handoff_cache_entries", "Server entries in the handoff cache." },
	{ "handoff_held_now", "Packets waiting for a handoff server's answer." },
	{ "handoff_servers", "Handoff servers known." },
	{ "quota_records", "Per-client quota records in use (bounded by quota-clients)." },
	{ "bib_static", "Static BIB entries (bib-static)." },
	{ "held_syns", "IPv4 SYNs held for a simultaneous open (RFC 6146 §3.5.2.2)." },
};

/* The per-server fields of a handoff_server line (k=v), in order. */
static const struct {
	const char *key, *family, *help;
	enum pt_type type;
} nd_srv_fields[] = {
	{ "cached", "nat64d_handoff_server_cached_entries", "Cached entries of this server.",
	  PT_GAUGE },
	{ "rx", "nat64d_handoff_server_rx_packets_total", "Control packets from this server.",
	  PT_COUNTER },
	{ "tx", "nat64d_handoff_server_tx_packets_total", "Control packets to this server.",
	  PT_COUNTER },
	{ "announced", "nat64d_handoff_server_announced_total",
	  "Entries announced to this server.", PT_COUNTER },
	{ "fwd", "nat64d_handoff_server_forwarded_total",
	  "Packets forwarded over this server's control channel.", PT_COUNTER },
	{ "downs", "nat64d_handoff_server_downs_total", "Times this server was marked down.",
	  PT_COUNTER },
};
#define ND_NFIELDS	(sizeof(nd_srv_fields) / sizeof(nd_srv_fields[0]))

struct nd_msrv {
	char addr[48], state[16];
	unsigned long long v[ND_NFIELDS];
};

static const char *
nd_gauge_help(const char *key)
{
	size_t i;

	for (i = 0; i < sizeof(nd_gauges) / sizeof(nd_gauges[0]); i++)
		if (strcmp(nd_gauges[i].key, key) == 0)
			return nd_gauges[i].help;
	return NULL;
}

/* "handoff_server ADDR STATE k=v ..." into s; false if it does not parse. */
static bool
nd_parse_server(char *line, struct nd_msrv *s)
{
	char *tok, *save = NULL;
	size_t i;

	memset(s, 0, sizeof(*s));
	if (strtok_r(line, " ", &save) == NULL || (tok = strtok_r(NULL, " ", &save)) == NULL)
		return false;
	snprintf(s->addr, sizeof(s->addr), "%s", tok);
	if ((tok = strtok_r(NULL, " ", &save)) == NULL)
		return false;
	snprintf(s->state, sizeof(s->state), "%s", tok);
	while ((tok = strtok_r(NULL, " ", &save)) != NULL) {
		char *eq = strchr(tok, '=');

		if (eq == NULL)
			continue;
		*eq = '\0';
		for (i = 0; i < ND_NFIELDS; i++)
			if (strcmp(tok, nd_srv_fields[i].key) == 0)
				s->v[i] = strtoull(eq + 1, NULL, 10);
	}
	return true;
}

static void
nd_servers(struct afile *af, const struct nd_msrv *srv, size_t n, size_t left_out)
{
	static const char *const states[] = { "supported", "unknown", "down" };
	char lab[128];
	size_t i, f, k;

	pt_family(af, "nat64d_handoff_server_state", PT_GAUGE,
	    "1 for the state the handoff server is in (supported, unknown, down).");
	for (i = 0; i < n; i++)
		for (k = 0; k < sizeof(states) / sizeof(states[0]); k++) {
			lab[0] = '\0';
			pt_label(lab, sizeof(lab), "server", srv[i].addr);
			pt_label(lab, sizeof(lab), "state", states[k]);
			pt_u64(af, "nat64d_handoff_server_state", lab,
			    strcmp(srv[i].state, states[k]) == 0);
		}
	for (f = 0; f < ND_NFIELDS; f++) {
		pt_family(af, nd_srv_fields[f].family, nd_srv_fields[f].type, nd_srv_fields[f].help);
		for (i = 0; i < n; i++) {
			lab[0] = '\0';
			pt_label(lab, sizeof(lab), "server", srv[i].addr);
			pt_u64(af, nd_srv_fields[f].family, lab, srv[i].v[f]);
		}
	}
	pt_one(af, "nat64d_handoff_servers_unlabelled", PT_GAUGE, "Handoff servers beyond the "
	    "first " ND_STR(ND_METRICS_MAX_SERVERS) ", left out of the per-server families.",
	    left_out);
}

int
nd_metrics_write(const char *path, const char *status, size_t len, char *err, size_t errlen)
{
	struct nd_msrv *srv = xcalloc(ND_METRICS_MAX_SERVERS, sizeof(*srv));
	char *text = xmalloc(len + 1), *line, *save = NULL, name[160], help[200];
	size_t nsrv = 0, left_out = 0;
	bool handoff = false;
	struct afile *af;

	memcpy(text, status, len);
	text[len] = '\0';
	if ((af = afile_begin(path, 0644, err, errlen)) == NULL) {
		free(text);
		free(srv);
		return -1;
	}
	pt_build_info(af, "nat64d");
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *sp = strchr(line, ' '), *end;
		unsigned long long v;
		const char *gh;

		if (strncmp(line, "handoff_server ", 15) == 0) {
			if (nsrv == ND_METRICS_MAX_SERVERS)
				left_out++;
			else if (nd_parse_server(line, &srv[nsrv]))
				nsrv++;
			continue;
		}
		if (sp == NULL || sp == line || (size_t)(sp - line) > 100)
			continue;
		*sp = '\0';
		v = strtoull(sp + 1, &end, 10);
		if (end == sp + 1 || *end != '\0')
			continue;
		if (strncmp(line, "handoff_", 8) == 0)
			handoff = true;
		if ((gh = nd_gauge_help(line)) != NULL) {
			snprintf(name, sizeof(name), "nat64d_%s", line);
			pt_one(af, name, PT_GAUGE, gh, v);
		} else {
			snprintf(name, sizeof(name), "nat64d_%s_total", line);
			snprintf(help, sizeof(help), "The status file's %s counter.", line);
			pt_one(af, name, PT_COUNTER, help, v);
		}
	}
	if (handoff)
		nd_servers(af, srv, nsrv, left_out);
	free(text);
	free(srv);
	return afile_commit(af, err, errlen);
}
