/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* config.c — nat64d's option table; see nd_config.h and nat64d.conf(5). */
#include "nd_config.h"

#include <grp.h>
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "addr.h"
#include "conf.h"
#include "daemon.h"
#include "handoff_wire.h"
#include "nd_handoff.h"

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

/* The prefix just added must not be one of the earlier ones: said on the
 * line that repeats it. */
static int
check_prefix_once(void *cfg, const char *v, char *err, size_t errlen)
{
	const struct nd_config *c = cfg;
	const struct nd_prefix *last = &c->prefix[c->n_prefix - 1];
	int i;

	(void)v;
	for (i = 0; i < c->n_prefix - 1; i++)
		if (c->prefix[i].len == last->len && !memcmp(c->prefix[i].addr, last->addr, 16)) {
			snprintf(err, errlen, "listed twice");
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

static int
set_control_mode(void *cfg, const char *v, char *err, size_t errlen)
{
	return conf_ctl_mode(v, &((struct nd_config *)cfg)->control_mode, err, errlen);
}

static void
print_control_mode(const struct conf_opt *o, const void *cfg, FILE *f)
{
	fprintf(f, "%s %04o\n", o->name, ((const struct nd_config *)cfg)->control_mode);
}

/* bib-static PROTO [V6ADDR]:PORT V4ADDR:PORT */
static int
parse_port(const char *v, uint8_t proto, uint16_t *out, char *err, size_t errlen)
{
	uint64_t x;
	char e[128];

	/* ICMP identifiers may be 0; TCP and UDP port 0 is no port. */
	if (conf_uint(v, proto == 1 ? 0 : 1, 65535, &x, e, sizeof(e)) == -1) {
		snprintf(err, errlen, "%s %s: %s", nd_static_proto_name(proto),
		    proto == 1 ? "identifier" : "port", e);
		return -1;
	}
	*out = (uint16_t)x;
	return 0;
}

static int
parse_static(void *elem, const char *v, char *err, size_t errlen)
{
	struct nd_static *e = elem;
	char proto[8], a6[64], p6[8], a4[20], p4[8], extra[2];
	const char *why = NULL;

	if (sscanf(v, "%7s [%63[^]]]:%7s %19[^:]:%7s %1s", proto, a6, p6, a4, p4, extra) != 5) {
		snprintf(err, errlen, "expected PROTO [IPV6]:PORT IPV4:PORT, got '%s'", v);
		return -1;
	}
	memset(e, 0, sizeof(*e));
	if (!strcmp(proto, "tcp"))
		e->proto = 6;
	else if (!strcmp(proto, "udp"))
		e->proto = 17;
	else if (!strcmp(proto, "icmp"))
		e->proto = 1;
	else {
		snprintf(err, errlen, "'%s' is not one of tcp, udp, icmp", proto);
		return -1;
	}
	if (addr_parse6(a6, e->v6) == -1)
		why = "is not an IPv6 address";
	else if (e->v6[0] == 0xff)
		why = "is multicast";
	else {
		static const uint8_t z[15];

		if (!memcmp(e->v6, z, 15) && (e->v6[15] == 0 || e->v6[15] == 1))
			why = "is not a host address";
	}
	if (why) {
		snprintf(err, errlen, "'%s' %s", a6, why);
		return -1;
	}
	if (addr_parse4(a4, &e->v4) == -1) {
		snprintf(err, errlen, "'%s' is not an IPv4 address", a4);
		return -1;
	}
	return parse_port(p6, e->proto, &e->port6, err, errlen) == -1 ||
	    parse_port(p4, e->proto, &e->port4, err, errlen) == -1 ? -1 : 0;
}

static const char *
fmt_static(const void *elem, char *buf, size_t len)
{
	const struct nd_static *e = elem;
	char a6[ADDR_STRLEN], a4[ADDR_STRLEN];

	snprintf(buf, len, "%s [%s]:%u %s:%u", nd_static_proto_name(e->proto),
	    addr_fmt6(e->v6, a6, sizeof(a6)), e->port6, addr_fmt4(e->v4, a4, sizeof(a4)), e->port4);
	return buf;
}

/* The entry just added must not repeat either side of an earlier one
 * (one BIB entry per transport address, each way). */
static int
check_static(void *cfg, const char *v, char *err, size_t errlen)
{
	const struct nd_config *c = cfg;
	const struct nd_static *e = &c->bib_static[c->n_static - 1];
	int i;

	(void)v;
	for (i = 0; i < c->n_static - 1; i++) {
		const struct nd_static *o = &c->bib_static[i];

		if (o->proto != e->proto)
			continue;
		if (o->port6 == e->port6 && !memcmp(o->v6, e->v6, 16)) {
			snprintf(err, errlen, "the IPv6 side already has an entry (bib-static %d)", i + 1);
			return -1;
		}
		if (o->port4 == e->port4 && o->v4 == e->v4) {
			snprintf(err, errlen, "the IPv4 side already has an entry (bib-static %d)", i + 1);
			return -1;
		}
	}
	return 0;
}

const char *
nd_static_proto_name(uint8_t proto)
{
	return proto == 6 ? "tcp" : proto == 17 ? "udp" : "icmp";
}

/* icmp-error-source: a unicast IPv4 address (RFC 6791 §4: the pool is
 * the operator's; 0/8, 127/8, multicast and reserved are no source). */
static int
parse_errsrc(void *elem, const char *v, char *err, size_t errlen)
{
	uint32_t *a = elem;

	if (addr_parse4(v, a) == -1) {
		snprintf(err, errlen, "'%s' is not an IPv4 address", v);
		return -1;
	}
	if ((*a >> 24) == 0 || (*a >> 24) == 127 || *a >= 0xe0000000u) {
		snprintf(err, errlen, "'%s' is not a unicast address", v);
		return -1;
	}
	return 0;
}

static const char *
fmt_errsrc(const void *elem, char *buf, size_t len)
{
	return addr_fmt4(*(const uint32_t *)elem, buf, len);
}

static const struct conf_enum nd_filt_modes[] = {
	{ "endpoint-independent", ND_FILT_EIF }, { "address-dependent", ND_FILT_ADF }, { NULL, 0 }
};

static const struct conf_enum nd_usyn_modes[] = {
	{ "hold", ND_USYN_HOLD }, { "drop", ND_USYN_DROP }, { NULL, 0 }
};

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
	  .parse = parse_prefix, .check = check_prefix_once, .fmt = fmt_prefix, .arg = "PREFIX",
	  .help = "NAT64 prefix (RFC 6052 length; repeatable, at least one)" },
	{ "pool4", 0, CONF_CUSTOM, .off = offsetof(struct nd_config, pool4),
	  .size = offsetof(struct nd_config, n_pool4) + sizeof(int) - offsetof(struct nd_config, pool4),
	  .flags = CONF_REPEAT, .cnt_off = offsetof(struct nd_config, n_pool4), .cnt_size = sizeof(int),
	  .set = set_pool4, .print = print_pool4, .arg = "ADDR[/LEN]",
	  .help = "IPv4 pool address or /26../32 block (repeatable, at least one)" },
	{ "port-range", 0, CONF_CUSTOM, .off = offsetof(struct nd_config, port_min),
	  .size = 2 * sizeof(uint16_t), .set = set_ports, .print = print_ports, .def = "1024-65535",
	  .arg = "LOW-HIGH", .help = "TCP/UDP ports and ICMP identifiers handed out" },
	{ "ipv4-addr", 0, CONF_ADDR4, F(ipv4_addr), CONF_SEEN(struct nd_config, have_ipv4_addr),
	  .print = print_own4, .arg = "ADDR", .help = "source of ICMPv4 errors (default 192.0.0.8)" },
	{ "ipv6-addr", 0, CONF_ADDR6, F(ipv6_addr), CONF_SEEN(struct nd_config, have_ipv6_addr),
	  .print = print_own6, .arg = "ADDR", .help = "source of ICMPv6 errors (default: the first prefix + ipv4-addr)" },
	{ "icmp-error-source", 0, CONF_LIST, CONF_LIST_FIELD(struct nd_config, errsrc, n_errsrc),
	  .parse = parse_errsrc, .fmt = fmt_errsrc, .flags = RL, .arg = "ADDR",
	  .help = "RFC 6791 pool: source of translated ICMPv6 errors from IPv6 routers (repeatable)" },
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
	/* Per-client quotas: how the defaults were chosen is in docs/NAT64D.md. */
	{ "bib-per-client", 0, CONF_UINT, F(q_bib[0]), .max = 16777216, .def = "4096", .flags = RL,
	  .arg = "N", .help = "BIB entries one IPv6 address may hold (0: no limit)" },
	{ "bib-per-subnet", 0, CONF_UINT, F(q_bib[1]), .max = 16777216, .def = "8192", .flags = RL,
	  .arg = "N", .help = "BIB entries one subnet (quota-subnet-length) may hold" },
	{ "bib-per-site", 0, CONF_UINT, F(q_bib[2]), .max = 16777216, .def = "16384", .flags = RL,
	  .arg = "N", .help = "BIB entries one site (quota-site-length) may hold" },
	{ "sessions-per-client", 0, CONF_UINT, F(q_sess[0]), .max = 16777216, .def = "8192",
	  .flags = RL, .arg = "N", .help = "sessions one IPv6 address may open; as many for IPv4 peers (0: no limit)" },
	{ "sessions-per-subnet", 0, CONF_UINT, F(q_sess[1]), .max = 16777216, .def = "16384",
	  .flags = RL, .arg = "N", .help = "sessions one subnet may hold" },
	{ "sessions-per-site", 0, CONF_UINT, F(q_sess[2]), .max = 16777216, .def = "32768",
	  .flags = RL, .arg = "N", .help = "sessions one site may hold" },
	{ "session-rate-per-client", 0, CONF_UINT, F(q_rate[0]), .max = 1000000, .def = "200",
	  .flags = RL, .arg = "N", .help = "new sessions per second of one IPv6 address, bursts of 5 s (0: no limit)" },
	{ "session-rate-per-subnet", 0, CONF_UINT, F(q_rate[1]), .max = 1000000, .def = "500",
	  .flags = RL, .arg = "N", .help = "new sessions per second of one subnet" },
	{ "session-rate-per-site", 0, CONF_UINT, F(q_rate[2]), .max = 1000000, .def = "1000",
	  .flags = RL, .arg = "N", .help = "new sessions per second of one site" },
	{ "quota-subnet-length", 0, CONF_UINT, F(q_subnet_len), .min = 8, .max = 127, .def = "64",
	  .arg = "N", .help = "prefix length of a subnet for the *-per-subnet limits" },
	{ "quota-site-length", 0, CONF_UINT, F(q_site_len), .min = 8, .max = 127, .def = "56",
	  .arg = "N", .help = "prefix length of a site for the *-per-site limits" },
	{ "quota-clients", 0, CONF_UINT, F(q_records), .max = 50331648, .def = "0",
	  .arg = "N", .help = "records of clients, subnets and sites kept for the quotas (0: 3 x max-bib)" },
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
	{ "filtering", 0, CONF_ENUM, F(filtering), .enums = nd_filt_modes,
	  .def = "endpoint-independent", .flags = RL, .arg = "endpoint-independent|address-dependent",
	  .help = "which IPv4 hosts may use a dynamic BIB entry: any, or those it was used with" },
	{ "unsolicited-syn", 0, CONF_ENUM, F(unsolicited_syn), .enums = nd_usyn_modes,
	  .def = "hold", .flags = RL, .arg = "hold|drop",
	  .help = "an IPv4 SYN nothing lets in: kept for tcp-incoming-syn-timeout, then Port Unreachable; or dropped" },
	{ "held-syn-max", 0, CONF_UINT, F(held_syn_max), .max = 65536, .def = "1024", .flags = RL,
	  .arg = "N", .help = "unsolicited IPv4 SYNs kept at once" },
	{ "bib-static", 0, CONF_LIST, CONF_LIST_FIELD(struct nd_config, bib_static, n_static),
	  .parse = parse_static, .fmt = fmt_static, .check = check_static, .flags = RL,
	  .arg = "PROTO [IPV6]:PORT IPV4:PORT",
	  .help = "a static BIB entry: tcp, udp or icmp (repeatable)" },
	{ "mapping-log", 0, CONF_PATH, F(mapping_log), .flags = CONF_OMIT_EMPTY, .arg = "FILE",
	  .help = "log every mapping to FILE" },
	{ "status-file", 0, CONF_PATH, F(status_file), .flags = CONF_OMIT_EMPTY, .arg = "FILE",
	  .help = "counters written to FILE on USR1, every status-interval and at exit" },
	{ "status-interval", 0, CONF_DURATION, F(status_interval_ms), .max = 3600000, .def = "0",
	  .flags = CONF_RELOAD, .arg = "DUR",
	  .help = "also write the status and metrics files every DUR (0: on USR1 and at exit only)" },
	{ "metrics-file", 0, CONF_PATH, F(metrics_file), .flags = CONF_OMIT_EMPTY, .arg = "FILE",
	  .help = "the counters as a Prometheus textfile, written with the status file" },
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
	{ "control-socket", 0, CONF_PATH, F(control_socket), .flags = CONF_NONE,
	  .def = ND_CONTROL_SOCKET, .arg = "PATH", .help = "the control socket for nat64ctl (none: no socket)" },
	{ "control-group", 0, CONF_GROUP, F(control_group),
	  .flags = CONF_EMPTY | CONF_NOCLI | CONF_OMIT_EMPTY,
	  .arg = "GROUP", .help = "the control socket's group: its members may use nat64ctl" },
	{ "control-mode", 0, CONF_CUSTOM, F(control_mode), .flags = CONF_NOCLI, .set = set_control_mode,
	  .print = print_control_mode, .def = "0660", .arg = "MODE",
	  .help = "the control socket's permission bits, 0600 or 0660" },
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

/* The key a failed check is about, for conf_where(). */
#define ND_BLAME(k)	do { if (key) *key = (k); } while (0)

static int nd_config_check_static(const struct nd_config *c, char *err, size_t errlen);

int
nd_config_check(const struct nd_config *c, const char **key, char *err, size_t errlen)
{
	int i, j;

	if (c->n_prefix == 0) {
		ND_BLAME("prefix");
		snprintf(err, errlen, "none configured (at least one is required)");
		return -1;
	}
	if (c->n_pool4 == 0) {
		ND_BLAME("pool4");
		snprintf(err, errlen, "none configured (at least one is required)");
		return -1;
	}
	if (c->have_ipv4_addr)
		for (i = 0; i < c->n_pool4; i++)
			if (c->pool4[i] == c->ipv4_addr) {
				ND_BLAME("ipv4-addr");
				snprintf(err, errlen, "must not be a pool4 address");
				return -1;
			}
	for (i = 0; i < c->n_prefix; i++)
		for (j = i + 1; j < c->n_prefix; j++)
			if (c->prefix[i].len == c->prefix[j].len &&
			    !memcmp(c->prefix[i].addr, c->prefix[j].addr, 16)) {
				ND_BLAME("prefix");
				snprintf(err, errlen, "listed twice");
				return -1;
			}
	/* each write is a rename and an fsync in the packet loop */
	if (c->status_interval_ms && c->status_interval_ms < 1000) {
		ND_BLAME("status-interval");
		snprintf(err, errlen, "must be 0 (off) or at least 1s");
		return -1;
	}
	if (c->q_records && c->q_records < 64) {
		ND_BLAME("quota-clients");
		snprintf(err, errlen, "must be 0 (three times max-bib) or at least 64");
		return -1;
	}
	if (c->q_site_len >= c->q_subnet_len) {
		ND_BLAME("quota-site-length");
		snprintf(err, errlen, "must be shorter than quota-subnet-length");
		return -1;
	}
	if (nd_config_check_static(c, err, errlen) == -1)
		return -1;
	if (c->handoff) {
		bool p96 = false;

		for (i = 0; i < c->n_prefix; i++)
			p96 |= c->prefix[i].len == 96;
		if (!p96) {
			ND_BLAME("handoff");
			snprintf(err, errlen, "needs a /96 prefix (entries carry a /96, §4)");
			return -1;
		}
	}
	return 0;
}

static bool
in_prefix6(const uint8_t a[16], const uint8_t p[16], int len)
{
	int n = len / 8;

	return !memcmp(a, p, (size_t)n) &&
	    (len % 8 == 0 || ((a[n] ^ p[n]) & (0xff << (8 - len % 8))) == 0);
}

/* Static entries against the other settings: the IPv4 side in pool4, the
 * IPv6 side not an address the prefixes translate, never the handoff
 * control port. */
static int
nd_config_check_static(const struct nd_config *c, char *err, size_t errlen)
{
	char buf[160];
	int i, j;

	for (i = 0; i < c->n_static; i++) {
		const struct nd_static *e = &c->bib_static[i];
		const char *why = NULL;

		for (j = 0; j < c->n_pool4 && c->pool4[j] != e->v4; j++)
			;
		if (j == c->n_pool4)
			why = "the IPv4 address is not a pool4 address";
		for (j = 0; !why && j < c->n_prefix; j++)
			if (in_prefix6(e->v6, c->prefix[j].addr, c->prefix[j].len))
				why = "the IPv6 address is inside a NAT64 prefix";
		if (!why && c->handoff && e->proto != 1 && e->port4 == c->ho_ctl_port)
			why = "the IPv4 port is the handoff control port";
		if (why) {
			snprintf(err, errlen, "bib-static %s: %s", fmt_static(e, buf, sizeof(buf)), why);
			return -1;
		}
	}
	if (c->n_static >= (int)c->max_bib) {
		snprintf(err, errlen, "bib-static: %d entries, max-bib %u leaves no room for others",
		    c->n_static, c->max_bib);
		return -1;
	}
	return 0;
}

int
nd_config_check_start(const struct nd_config *c, const char **key, char *err, size_t errlen)
{
	char dir[sizeof(c->mapping_log)];
	const char *d;
	struct stat st;

	if (c->user[0] && daemon_user_check(c->user, err, errlen) == -1) {
		ND_BLAME("user");
		return -1;
	}
	if (c->control_socket[0] && c->control_group[0] && getgrnam(c->control_group) == NULL) {
		ND_BLAME("control-group");
		snprintf(err, errlen, "unknown group '%s'", c->control_group);
		return -1;
	}
	if (c->mapping_log[0]) {
		memcpy(dir, c->mapping_log, sizeof(dir));
		d = dirname(dir);
		/* EACCES: a reload after the privilege drop cannot see it;
		 * the start opens the log before dropping them */
		if (stat(d, &st) == -1 ? errno != EACCES : !S_ISDIR(st.st_mode)) {
			ND_BLAME("mapping-log");
			snprintf(err, errlen, "%s: no directory %s", c->mapping_log, d);
			return -1;
		}
	}
	/* what nd_ho_new() needs of it (without creating anything) */
	if (c->handoff && c->state_dir[0] &&
	    nd_hostate_dir_check(c->state_dir, err, errlen) == -1) {
		ND_BLAME("state-dir");
		return -1;
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

void
nd_config_run(struct nd_config *c, const struct nd_run *run)
{
	if (run->verbose)
		c->verbose = run->verbose;
}
