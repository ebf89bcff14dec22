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
#define ND_MAX_POOL4	64

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
	bool offload;			/* IFF_VNET_HDR + TUNSETOFFLOAD */
	bool udp_coalesce;		/* out.c: UDP bursts out as one GSO packet */
	int batch;			/* packets read per wake-up */
	int verbose;
	bool syslog;
	char mapping_log[256];		/* "" = off */
	char user[64];			/* drop privileges to this user */
	char status_file[256];		/* "" = off */
	int icmp_rate;			/* ICMP errors generated per second */
	bool reset_tos;			/* translated TOS / traffic class 0 (RFC 7915 §4.1, §5.1) */
	int zero_udp_checksum;		/* ND_UDP0_*: IPv4 UDP checksum 0 (RFC 7915 §4.5) */
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
};

/* zero-udp-checksum: what an unfragmented IPv4 UDP datagram with checksum
 * 0 gets (a fragmented one cannot be computed and is always dropped). */
enum { ND_UDP0_COMPUTE = 0, ND_UDP0_DROP = 1 };

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
/* Cross-field rules after parsing (pool, prefix present). */
int nd_config_check(const struct nd_config *c, char *err, size_t errlen);
/* What a start needs that parsing cannot see, without side effects (the
 * user exists, the mapping log's directory exists); -n runs it too. */
int nd_config_check_start(const struct nd_config *c, char *err, size_t errlen);
/* Own addresses: configured, or derived (ICMPv6 source = prefix + own IPv4). */
void nd_config_own6(const struct nd_config *c, uint8_t out[16]);
uint32_t nd_config_own4(const struct nd_config *c);

#endif
