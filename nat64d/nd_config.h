/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* nd_config.h — nat64d's configuration (nat64d.conf(5)): one option
 * table (lib/conf.h) for the file, the command line, --help and -n.
 *
 * Built into a fresh struct; the daemon swaps only on success, so a bad
 * SIGHUP reload leaves the running configuration alone, and keys a reload
 * may not change keep their running values.
 */
#ifndef ND_CONFIG_H
#define ND_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf.h"

#define ND_MAX_PREFIXES	8
#define ND_CONTROL_SOCKET	"/run/nat64d/control"	/* nat64ctl's default too */
#define ND_MAX_POOL4	64
#define ND_MAX_STATIC	1024
#define ND_MAX_ERRSRC	16

/* bib-static: a BIB entry made by configuration (RFC 6146 §3.5). */
struct nd_static {
	uint8_t proto;		/* 6, 17, or 1 (ICMP: the ports are identifiers) */
	uint8_t v6[16];
	uint16_t port6, port4;
	uint32_t v4;		/* host order */
};

struct nd_prefix {
	uint8_t addr[16];
	int len;		/* RFC 6052: 32, 40, 48, 56, 64 or 96 */
};

struct nd_config {
	char tun_name[16];
	struct nd_prefix prefix[ND_MAX_PREFIXES];
	int n_prefix;
	uint32_t pool4[ND_MAX_POOL4];	/* host order */
	int n_pool4;
	uint16_t port_min, port_max;	/* TCP/UDP/ICMP-id range */
	uint32_t ipv4_addr;		/* our own, source of ICMPv4 errors */
	bool have_ipv4_addr;
	uint8_t ipv6_addr[16];		/* our own, source of ICMPv6 errors */
	bool have_ipv6_addr;
	uint32_t mtu6;			/* MTU of the IPv6 side (fragmenting, PTB) */
	bool have_mtu6;			/* configured: also the DF-clear threshold */
	uint32_t mtu4;			/* MTU of the IPv4 side (PTB clamp) */
	uint64_t to_udp_ms, to_tcp_est_ms, to_tcp_trans_ms, to_tcp_syn_ms, to_icmp_ms;
	uint32_t max_sessions;
	uint32_t max_bib;
	/* Per-client quotas (nd_quota.h): [client, subnet, site]; 0 no limit */
	uint32_t q_bib[3], q_sess[3], q_rate[3];
	int q_subnet_len, q_site_len;
	uint32_t q_records;		/* quota-clients; 0: 3 * max_bib */
	bool offload;			/* IFF_VNET_HDR + TUNSETOFFLOAD */
	bool udp_coalesce;		/* out.c: UDP bursts out as one GSO packet */
	int batch;			/* packets read per wake-up */
	int verbose;
	bool syslog;
	char mapping_log[256];		/* "" = off */
	char user[64];			/* drop privileges to this user */
	char status_file[256];		/* "" = off */
	char metrics_file[256];		/* Prometheus textfile; "" = off */
	uint64_t status_interval_ms;	/* 0: on SIGUSR1 and at exit only */
	int icmp_rate;			/* ICMP errors generated per second */
	bool reset_tos;			/* translated TOS / traffic class 0 (RFC 7915 §4.1, §5.1) */
	int zero_udp_checksum;		/* ND_UDP0_*: IPv4 UDP checksum 0 (RFC 7915 §4.5) */
	int filtering;			/* ND_FILT_*: RFC 6146 §3.5.1.2, RFC 4787 §5 */
	int unsolicited_syn;		/* ND_USYN_*: RFC 6146 §3.5.2.2 */
	uint32_t held_syn_max;		/* unsolicited IPv4 SYNs kept at once */
	uint32_t errsrc[ND_MAX_ERRSRC];	/* icmp-error-source: RFC 6791 pool (host order) */
	int n_errsrc;
	struct nd_static bib_static[ND_MAX_STATIC];
	int n_static;
	/* NAT64 handoff (nd_handoff.h, docs/PROTOCOL.md §9) */
	bool handoff;
	uint16_t ho_port;		/* the servers' handoff port */
	uint16_t ho_ctl_port;		/* our control port on each pool address */
	uint64_t ho_cache_ms;		/* idle lifetime of a cached server entry */
	uint32_t ho_cache_max;
	uint64_t ho_hold_ms;		/* how long a packet waits for a server */
	uint32_t ho_announce_rate;	/* per unconfirmed server, per second */
	uint32_t ho_icmp_rate;		/* ICMPv4 errors forwarded, per server per second */
	uint64_t ho_probe_ms;		/* first probe interval while a server is down */
	uint64_t ho_token_life_ms, ho_auth_life_ms;
	char state_dir[200];		/* "" = keys not persisted */
	/* the control socket (nd_control.h, nat64ctl(8)) */
	char control_socket[108];	/* "" = none */
	char control_group[64];		/* "" = nat64d's own group */
	unsigned control_mode;		/* permission bits of the socket file */
};

/* zero-udp-checksum: what an unfragmented IPv4 UDP datagram with checksum
 * 0 gets (a fragmented one cannot be computed and is always dropped). */
enum { ND_UDP0_COMPUTE = 0, ND_UDP0_DROP = 1 };
/* filtering: which IPv4 hosts may use a dynamic BIB entry. */
enum { ND_FILT_EIF = 0, ND_FILT_ADF = 1 };
/* unsolicited-syn: an IPv4 SYN nothing lets in is kept for
 * tcp-incoming-syn-timeout, then answered with Port Unreachable (hold),
 * or silently discarded at once (drop). */
enum { ND_USYN_HOLD = 0, ND_USYN_DROP = 1 };

/* Command-line-only switches of nat64d. */
struct nd_run {
	bool check, force_stderr;
	int verbose;
};

extern const struct conf_table nd_config_table;

void nd_config_defaults(struct nd_config *c);
/* Parse text into c (after defaults). 0, or -1 with "name:line: key: msg". */
int nd_config_parse_text(const char *name, const char *text, size_t len,
    struct nd_config *c, char *err, size_t errlen);
/* Cross-field rules after parsing (pool, prefix present). 0, or -1 with
 * the message in err and, if key is not NULL, the key it is about. */
int nd_config_check(const struct nd_config *c, const char **key, char *err, size_t errlen);
/* "tcp", "udp", "icmp" */
const char *nd_static_proto_name(uint8_t proto);
/* What a start needs that parsing cannot see, without side effects (the
 * user and the control group exist, the mapping log's directory exists,
 * with handoff the state-dir is a writable directory); -n runs it too. */
int nd_config_check_start(const struct nd_config *c, const char **key, char *err,
    size_t errlen);
/* The command line's switches over the file's settings, at start and at
 * every reload: -v replaces the file's verbose. */
void nd_config_run(struct nd_config *c, const struct nd_run *run);
/* Own addresses: configured, or derived (ICMPv6 source = prefix + own IPv4). */
void nd_config_own6(const struct nd_config *c, uint8_t out[16]);
uint32_t nd_config_own4(const struct nd_config *c);

#endif
