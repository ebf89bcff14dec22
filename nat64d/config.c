/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* config.c — nat64d's option table; see nd_config.h and nat64d.conf(5). */
#include "nd_config.h"

#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "addr.h"
#include "conf.h"
#include "daemon.h"
#include "handoff_wire.h"

static int
set_tun(void *cfg, const char *v, char *err, size_t errlen)
{
	(void)cfg;
	if (strchr(v, '/')) {
		snprintf(err, errlen, "interface name must not contain '/'");
		return -1;
	}
	return 0;
}

static int
parse_prefix(void *elem, const char *v, char *err, size_t errlen)
{
	struct nd_prefix *p = elem;
	const char *why;

	if (addr_parse_prefix6(v, 96, p->addr, &p->len) == -1) {
		snprintf(err, errlen, "'%s' is not an IPv6 prefix", v);
		return -1;
	}
	if ((why = addr_rfc6052_check(p->addr, p->len)) != NULL) {
		snprintf(err, errlen, "%s", why);
		return -1;
	}
	return 0;
}

static const char *
fmt_prefix(const void *elem, char *buf, size_t len)
{
	const struct nd_prefix *p = elem;
	char a[ADDR_STRLEN];

	snprintf(buf, len, "%s/%d", addr_fmt6(p->addr, a, sizeof(a)), p->len);
	return buf;
}

static int
set_pool4(void *cfg, const char *v, char *err, size_t errlen)
{
	struct nd_config *c = cfg;
	char tmp[32];
	const char *slash = strchr(v, '/');
	size_t n = slash ? (size_t)(slash - v) : strlen(v);
	uint32_t a, count, i;
	uint64_t len = 32;

	if (n >= sizeof(tmp)) {
		snprintf(err, errlen, "'%s' is not an IPv4 address or prefix", v);
		return -1;
	}
	memcpy(tmp, v, n);
	tmp[n] = '\0';
	if (addr_parse4(tmp, &a) == -1) {
		snprintf(err, errlen, "'%s' is not an IPv4 address or prefix", v);
		return -1;
	}
	if (slash && conf_uint(slash + 1, 26, 32, &len, err, errlen) == -1)
		return -1;
	count = 1u << (32 - len);
	if (len < 32)
		a &= ~(count - 1);
	if (c->n_pool4 + count > ND_MAX_POOL4) {
		snprintf(err, errlen, "at most %d pool addresses", ND_MAX_POOL4);
		return -1;
	}
	for (i = 0; i < count; i++) {
		int j;

		for (j = 0; j < c->n_pool4; j++)
			if (c->pool4[j] == a + i) {
				snprintf(err, errlen, "address listed twice");
				return -1;
			}
		c->pool4[c->n_pool4++] = a + i;
	}
	return 0;
}

static void
print_pool4(const struct conf_opt *o, const void *cfg, FILE *f)
{
	const struct nd_config *c = cfg;
	char a[ADDR_STRLEN];
	int i;

	for (i = 0; i < c->n_pool4; i++)
		fprintf(f, "%s %s\n", o->name, addr_fmt4(c->pool4[i], a, sizeof(a)));
}

static int
set_ports(void *cfg, const char *v, char *err, size_t errlen)
{
	struct nd_config *c = cfg;
	char tmp[16];
	const char *dash = strchr(v, '-');
	uint64_t lo, hi;

	if (!dash || (size_t)(dash - v) >= sizeof(tmp)) {
		snprintf(err, errlen, "expected LOW-HIGH");
		return -1;
	}
	memcpy(tmp, v, (size_t)(dash - v));
	tmp[dash - v] = '\0';
	if (conf_uint(tmp, 1, 65535, &lo, err, errlen) == -1 ||
	    conf_uint(dash + 1, 1, 65535, &hi, err, errlen) == -1)
		return -1;
	if (hi < lo + 63) {
		snprintf(err, errlen, "range must hold at least 64 ports");
		return -1;
	}
	c->port_min = (uint16_t)lo;
	c->port_max = (uint16_t)hi;
	return 0;
}

static void
print_ports(const struct conf_opt *o, const void *cfg, FILE *f)
{
	const struct nd_config *c = cfg;

	fprintf(f, "%s %u-%u\n", o->name, c->port_min, c->port_max);
}

/* Derived defaults are shown commented, so the output re-parses to itself. */
static void
print_own4(const struct conf_opt *o, const void *cfg, FILE *f)
{
	const struct nd_config *c = cfg;
	char a[ADDR_STRLEN];

	fprintf(f, "%s%s %s\n", c->have_ipv4_addr ? "" : "# default: ", o->name,
	    addr_fmt4(nd_config_own4(c), a, sizeof(a)));
}

static void
print_own6(const struct conf_opt *o, const void *cfg, FILE *f)
{
	const struct nd_config *c = cfg;
	char a[ADDR_STRLEN];
	uint8_t o6[16];

	if (c->n_prefix == 0)
		return;
	nd_config_own6(c, o6);
	fprintf(f, "%s%s %s\n", c->have_ipv6_addr ? "" : "# default: ", o->name,
	    addr_fmt6(o6, a, sizeof(a)));
}

/* The handoff ports: never Teredo's or discard's (§9 bounces use 9). */
static int
check_ho_port(void *cfg, const char *v, char *err, size_t errlen)
{
	unsigned x = (unsigned)strtoul(v, NULL, 10);

	(void)cfg;
	if (x == HW_TEREDO_PORT || x == HW_DISCARD_PORT) {
		snprintf(err, errlen, "port %u is reserved (Teredo/discard)", x);
		return -1;
	}
	return 0;
}

static bool
ho_on(const void *cfg)
{
	return ((const struct nd_config *)cfg)->handoff;
}

static const struct conf_enum nd_udp0_modes[] = {
	{ "compute", ND_UDP0_COMPUTE }, { "drop", ND_UDP0_DROP }, { NULL, 0 }
};

#define F(field)	CONF_FIELD(struct nd_config, field)
#define RUN(field)	CONF_FIELD(struct nd_run, field)
#define RL		CONF_RELOAD
#define DAYS30		(30ULL * 86400 * 1000)
static const struct conf_opt nd_opts[] = {
	{ "config", 'f', CONF_CONFIG, .arg = "FILE", .help = "configuration file (default /etc/nat64d.conf)" },
	{ "tun-device", 0, CONF_STRING, F(tun_name), .check = set_tun, .def = "nat64", .arg = "NAME",
	  .help = "the TUN interface" },
	{ "prefix", 0, CONF_LIST, CONF_LIST_FIELD(struct nd_config, prefix, n_prefix),
	  .parse = parse_prefix, .fmt = fmt_prefix, .arg = "PREFIX",
	  .help = "NAT64 prefix (RFC 6052 length; repeatable, at least one)" },
	{ "pool4", 0, CONF_CUSTOM, .off = offsetof(struct nd_config, pool4),
	  .size = offsetof(struct nd_config, n_pool4) + sizeof(int) - offsetof(struct nd_config, pool4),
	  .set = set_pool4, .print = print_pool4, .arg = "ADDR[/LEN]",
	  .help = "IPv4 pool address or /26../32 block (repeatable, at least one)" },
	{ "port-range", 0, CONF_CUSTOM, .off = offsetof(struct nd_config, port_min),
	  .size = 2 * sizeof(uint16_t), .set = set_ports, .print = print_ports, .def = "1024-65535",
	  .arg = "LOW-HIGH", .help = "TCP/UDP ports and ICMP identifiers handed out" },
	{ "ipv4-addr", 0, CONF_ADDR4, F(ipv4_addr), CONF_SEEN(struct nd_config, have_ipv4_addr),
	  .print = print_own4, .arg = "ADDR", .help = "source of ICMPv4 errors (default 192.0.0.8)" },
	{ "ipv6-addr", 0, CONF_ADDR6, F(ipv6_addr), CONF_SEEN(struct nd_config, have_ipv6_addr),
	  .print = print_own6, .arg = "ADDR", .help = "source of ICMPv6 errors (default: the first prefix + ipv4-addr)" },
	{ "mtu6", 0, CONF_UINT, F(mtu6), CONF_SEEN(struct nd_config, have_mtu6), .min = 1280,
	  .max = 65535, .def = "1500", .flags = RL,
	  .arg = "N", .help = "MTU of the IPv6 side" },
	{ "mtu4", 0, CONF_UINT, F(mtu4), .min = 68, .max = 65535, .def = "1500", .flags = RL,
	  .arg = "N", .help = "MTU of the IPv4 side" },
	{ "udp-timeout", 0, CONF_DURATION, F(to_udp_ms), .min = 1000, .max = DAYS30, .def = "5m",
	  .flags = RL, .arg = "DUR", .help = "UDP session lifetime" },
	{ "tcp-established-timeout", 0, CONF_DURATION, F(to_tcp_est_ms), .min = 1000, .max = DAYS30,
	  .def = "124m", .flags = RL, .arg = "DUR", .help = "established TCP session lifetime" },
	{ "tcp-transitory-timeout", 0, CONF_DURATION, F(to_tcp_trans_ms), .min = 1000, .max = DAYS30,
	  .def = "4m", .flags = RL, .arg = "DUR", .help = "transitory TCP session lifetime" },
	{ "tcp-incoming-syn-timeout", 0, CONF_DURATION, F(to_tcp_syn_ms), .min = 1000, .max = DAYS30,
	  .def = "6s", .flags = RL, .arg = "DUR", .help = "how long an unsolicited IPv4 SYN waits" },
	{ "icmp-timeout", 0, CONF_DURATION, F(to_icmp_ms), .min = 1000, .max = DAYS30, .def = "60s",
	  .flags = RL, .arg = "DUR", .help = "ICMP query session lifetime" },
	{ "max-sessions", 0, CONF_UINT, F(max_sessions), .min = 16, .max = 16777216, .def = "65536",
	  .flags = RL, .arg = "N", .help = "session table size" },
	{ "max-bib", 0, CONF_UINT, F(max_bib), .min = 16, .max = 16777216, .def = "65536",
	  .flags = RL, .arg = "N", .help = "binding table size" },
	{ "offload", 0, CONF_BOOL, F(offload), .def = "yes",
	  .help = "TUN offloads (IFF_VNET_HDR, TUNSETOFFLOAD)" },
	{ "batch", 0, CONF_UINT, F(batch), .min = 1, .max = 1024, .def = "64", .flags = RL,
	  .arg = "N", .help = "packets read per wake-up" },
	{ "verbose", 0, CONF_UINT, F(verbose), .max = 3, .flags = RL | CONF_NOCLI,
	  .help = "diagnostics level 0..3" },
	{ "syslog", 0, CONF_BOOL, F(syslog), .help = "diagnostics to syslog" },
	{ "udp-coalesce", 0, CONF_BOOL, F(udp_coalesce), .def = "yes",
	  .help = "send UDP bursts out as one GSO packet" },
	{ "icmp-error-rate", 0, CONF_UINT, F(icmp_rate), .max = 1000000, .def = "1000", .flags = RL,
	  .arg = "N", .help = "ICMP errors generated per second" },
	{ "reset-tos", 0, CONF_BOOL, F(reset_tos), .def = "no", .flags = RL,
	  .help = "translated packets get TOS / traffic class 0" },
	{ "zero-udp-checksum", 0, CONF_ENUM, F(zero_udp_checksum), .enums = nd_udp0_modes,
	  .def = "compute", .flags = RL, .arg = "compute|drop",
	  .help = "IPv4 UDP datagrams with checksum 0: compute one, or drop them" },
	{ "mapping-log", 0, CONF_PATH, F(mapping_log), .flags = CONF_OMIT_EMPTY, .arg = "FILE",
	  .help = "log every mapping to FILE" },
	{ "status-file", 0, CONF_PATH, F(status_file), .flags = CONF_OMIT_EMPTY, .arg = "FILE",
	  .help = "counters written to FILE on USR1 and at exit" },
	{ "user", 0, CONF_USER, F(user), .flags = CONF_OMIT_EMPTY, .arg = "USER",
	  .help = "drop privileges to USER after opening the device" },
	{ "state-dir", 0, CONF_PATH, F(state_dir), .flags = CONF_OMIT_EMPTY, .arg = "DIR",
	  .help = "keep the handoff keys and known servers in DIR" },
	{ "handoff", 0, CONF_BOOL, F(handoff), .show = ho_on, .help = "speak NAT64 handoff" },
	{ "handoff-port", 0, CONF_UINT, F(ho_port), .min = 1, .max = 65535, .check = check_ho_port,
	  .def = CONF_STR(HW_DEFAULT_PORT), .show = ho_on, .arg = "PORT", .help = "the servers' handoff port" },
	{ "handoff-control-port", 0, CONF_UINT, F(ho_ctl_port), .min = 1, .max = 65535,
	  .check = check_ho_port, .def = CONF_STR(HW_DEFAULT_PORT), .show = ho_on, .arg = "PORT",
	  .help = "our control port on each pool address" },
	{ "handoff-cache-timeout", 0, CONF_DURATION, F(ho_cache_ms), .min = 1000, .max = DAYS30,
	  .def = "300s", .flags = RL, .show = ho_on, .arg = "DUR",
	  .help = "idle lifetime of a cached server entry" },
	{ "handoff-cache-max", 0, CONF_UINT, F(ho_cache_max), .min = 16, .max = 16777216,
	  .def = "65536", .flags = RL, .show = ho_on, .arg = "N", .help = "cached server entries" },
	{ "handoff-hold-timeout", 0, CONF_DURATION, F(ho_hold_ms), .min = 10, .max = 60000,
	  .def = "1000ms", .show = ho_on, .arg = "DUR", .help = "how long a packet waits for a server" },
	{ "handoff-announce-rate", 0, CONF_UINT, F(ho_announce_rate), .max = 1000000, .def = "100",
	  .flags = RL, .show = ho_on, .arg = "N", .help = "announcements per unconfirmed server per second" },
	{ "handoff-icmp-rate", 0, CONF_UINT, F(ho_icmp_rate), .max = 1000000, .def = "100",
	  .flags = RL, .show = ho_on, .arg = "N",
	  .help = "ICMPv4 errors for uncached entries forwarded per server per second (0: none)" },
	{ "handoff-probe-interval", 0, CONF_DURATION, F(ho_probe_ms), .min = 100, .max = DAYS30,
	  .def = "5s", .flags = RL, .show = ho_on, .arg = "DUR",
	  .help = "first probe interval while a server is down" },
	{ "handoff-token-lifetime", 0, CONF_DURATION, F(ho_token_life_ms), .min = 60000,
	  .max = DAYS30, .def = "1h", .flags = RL, .show = ho_on, .arg = "DUR",
	  .help = "lifetime of a validation token" },
	{ "handoff-auth-lifetime", 0, CONF_DURATION, F(ho_auth_life_ms), .min = 60000,
	  .max = DAYS30, .def = "7d", .flags = RL, .show = ho_on, .arg = "DUR",
	  .help = "lifetime of an authenticator key" },
	{ "check", 'n', CONF_BOOL, RUN(check), .flags = CONF_CLI,
	  .help = "check the configuration as a start would and exit; with -v print it normalised" },
	{ "verbose", 'v', CONF_UINT, RUN(verbose), .max = 3, .flags = CONF_CLI | CONF_COUNT,
	  .help = "more verbose diagnostics (repeat for debug)" },
	{ "stderr", 'd', CONF_BOOL, RUN(force_stderr), .flags = CONF_CLI,
	  .help = "log to standard error even with 'syslog yes'" },
	CONF_END
};

const struct conf_table nd_config_table = {
	.prog = "nat64d",
	.usage = "[-dnv] [-f file] [options]",
	.about =
"A stateful NAT64 gateway over TUN (RFC 6146, RFC 7915). Every setting of\n"
"the configuration file is also an option of the same name, applied over\n"
"the file.\n",
	.epilog =
"Signals: HUP reload (timeouts, limits, MTUs; reopen the mapping log),\n"
"         USR1 write counters to the log and the status file, TERM/INT stop.\n"
"See nat64d(8) and nat64d.conf(5).\n",
	.config = "/etc/nat64d.conf",
	.cfg_size = sizeof(struct nd_config),
	.max_args = 0,
	.opts = nd_opts,
};

void
nd_config_defaults(struct nd_config *c)
{
	conf_defaults(&nd_config_table, c);
}

int
nd_config_parse_text(const char *name, const char *text, size_t len,
    struct nd_config *c, char *err, size_t errlen)
{
	return conf_parse_text(&nd_config_table, name, text, len, c, err, errlen);
}

int
nd_config_check(const struct nd_config *c, char *err, size_t errlen)
{
	int i, j;

	if (c->n_prefix == 0) {
		snprintf(err, errlen, "no 'prefix' configured");
		return -1;
	}
	if (c->n_pool4 == 0) {
		snprintf(err, errlen, "no 'pool4' configured");
		return -1;
	}
	if (c->have_ipv4_addr)
		for (i = 0; i < c->n_pool4; i++)
			if (c->pool4[i] == c->ipv4_addr) {
				snprintf(err, errlen, "ipv4-addr must not be a pool4 address");
				return -1;
			}
	for (i = 0; i < c->n_prefix; i++)
		for (j = i + 1; j < c->n_prefix; j++)
			if (c->prefix[i].len == c->prefix[j].len &&
			    !memcmp(c->prefix[i].addr, c->prefix[j].addr, 16)) {
				snprintf(err, errlen, "prefix listed twice");
				return -1;
			}
	if (c->handoff) {
		bool p96 = false;

		for (i = 0; i < c->n_prefix; i++)
			p96 |= c->prefix[i].len == 96;
		if (!p96) {
			snprintf(err, errlen, "handoff needs a /96 prefix (entries carry a /96, §4)");
			return -1;
		}
	}
	return 0;
}

int
nd_config_check_start(const struct nd_config *c, char *err, size_t errlen)
{
	char dir[sizeof(c->mapping_log)];
	const char *d;
	struct stat st;

	if (c->user[0] && daemon_user_check(c->user, err, errlen) == -1)
		return -1;
	if (c->mapping_log[0]) {
		memcpy(dir, c->mapping_log, sizeof(dir));
		d = dirname(dir);
		if (stat(d, &st) == -1 || !S_ISDIR(st.st_mode)) {
			snprintf(err, errlen, "mapping-log %s: no directory %s", c->mapping_log, d);
			return -1;
		}
	}
	return 0;
}

uint32_t
nd_config_own4(const struct nd_config *c)
{
	/* Default: the last pool address is never the first one handed out,
	 * but any address works as a source of errors; use 192.0.0.8
	 * (RFC 7600, the IPv4 dummy address for translators). */
	return c->have_ipv4_addr ? c->ipv4_addr : 0xc0000008u;
}

void
nd_config_own6(const struct nd_config *c, uint8_t out[16])
{
	if (c->have_ipv6_addr)
		memcpy(out, c->ipv6_addr, 16);
	else
		addr_rfc6052_embed(c->prefix[0].addr, c->prefix[0].len, nd_config_own4(c), out);
}
