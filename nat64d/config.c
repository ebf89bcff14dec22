/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* config.c — nat64d.conf parsing; see nd_config.h and nat64d.conf(5). */
#include "nd_config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "conf.h"
#include "handoff_wire.h"

void
nd_config_defaults(struct nd_config *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->tun_name, sizeof(c->tun_name), "nat64");
	c->port_min = 1024;
	c->port_max = 65535;
	c->mtu6 = 1500;
	c->mtu4 = 1500;
	c->to_udp_ms = 5 * 60 * 1000;			/* RFC 6146 §4 */
	c->to_tcp_est_ms = (2 * 60 + 4) * 60 * 1000;	/* 2 h 4 min */
	c->to_tcp_trans_ms = 4 * 60 * 1000;
	c->to_tcp_syn_ms = 6 * 1000;
	c->to_icmp_ms = 60 * 1000;
	c->max_sessions = 65536;
	c->max_bib = 65536;
	c->offload = true;
	c->udp_coalesce = true;
	c->batch = 64;
	c->icmp_rate = 1000;
	c->handoff = false;
	c->ho_port = HW_DEFAULT_PORT;
	c->ho_ctl_port = HW_DEFAULT_PORT;
	c->ho_cache_ms = 300 * 1000;
	c->ho_cache_max = 65536;
	c->ho_hold_ms = 1000;
	c->ho_announce_rate = 100;
	c->ho_probe_ms = 5000;
	c->ho_token_life_ms = 3600 * 1000;
	c->ho_auth_life_ms = 7ULL * 86400 * 1000;
}

static int
set_tun(void *cfg, const char *v, char *err, size_t errlen)
{
	struct nd_config *c = cfg;

	if (*v == '\0' || strlen(v) >= sizeof(c->tun_name) || strchr(v, '/')) {
		snprintf(err, errlen, "interface name must be 1..15 characters");
		return -1;
	}
	snprintf(c->tun_name, sizeof(c->tun_name), "%s", v);
	return 0;
}

static int
set_prefix(void *cfg, const char *v, char *err, size_t errlen)
{
	struct nd_config *c = cfg;
	struct nd_prefix p;
	const char *why;

	if (c->n_prefix == ND_MAX_PREFIXES) {
		snprintf(err, errlen, "at most %d prefixes", ND_MAX_PREFIXES);
		return -1;
	}
	if (addr_parse_prefix6(v, 96, p.addr, &p.len) == -1) {
		snprintf(err, errlen, "'%s' is not an IPv6 prefix", v);
		return -1;
	}
	if ((why = addr_rfc6052_check(p.addr, p.len)) != NULL) {
		snprintf(err, errlen, "%s", why);
		return -1;
	}
	c->prefix[c->n_prefix++] = p;
	return 0;
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

static int
set_ipv4_addr(void *cfg, const char *v, char *err, size_t errlen)
{
	struct nd_config *c = cfg;

	if (addr_parse4(v, &c->ipv4_addr) == -1) {
		snprintf(err, errlen, "'%s' is not an IPv4 address", v);
		return -1;
	}
	c->have_ipv4_addr = true;
	return 0;
}

static int
set_ipv6_addr(void *cfg, const char *v, char *err, size_t errlen)
{
	struct nd_config *c = cfg;

	if (addr_parse6(v, c->ipv6_addr) == -1) {
		snprintf(err, errlen, "'%s' is not an IPv6 address", v);
		return -1;
	}
	c->have_ipv6_addr = true;
	return 0;
}

#define ND_U32_SETTER(fn, field, lo, hi)					\
static int									\
fn(void *cfg, const char *v, char *err, size_t errlen)				\
{										\
	uint64_t x;								\
	if (conf_uint(v, lo, hi, &x, err, errlen) == -1)			\
		return -1;							\
	((struct nd_config *)cfg)->field = (uint32_t)x;				\
	return 0;								\
}
ND_U32_SETTER(set_mtu6, mtu6, 1280, 65535)
ND_U32_SETTER(set_mtu4, mtu4, 68, 65535)
ND_U32_SETTER(set_max_sessions, max_sessions, 16, 16777216)
ND_U32_SETTER(set_max_bib, max_bib, 16, 16777216)

#define ND_INT_SETTER(fn, field, lo, hi)					\
static int									\
fn(void *cfg, const char *v, char *err, size_t errlen)				\
{										\
	uint64_t x;								\
	if (conf_uint(v, lo, hi, &x, err, errlen) == -1)			\
		return -1;							\
	((struct nd_config *)cfg)->field = (int)x;				\
	return 0;								\
}
ND_INT_SETTER(set_batch, batch, 1, 1024)
ND_INT_SETTER(set_verbose, verbose, 0, 3)
ND_INT_SETTER(set_icmp_rate, icmp_rate, 0, 1000000)
ND_U32_SETTER(set_ho_cache_max, ho_cache_max, 16, 16777216)
ND_U32_SETTER(set_ho_announce_rate, ho_announce_rate, 0, 1000000)

#define ND_PORT_SETTER(fn, field)						\
static int									\
fn(void *cfg, const char *v, char *err, size_t errlen)				\
{										\
	uint64_t x;								\
	if (conf_uint(v, 1, 65535, &x, err, errlen) == -1)			\
		return -1;							\
	if (x == HW_TEREDO_PORT || x == HW_DISCARD_PORT) {			\
		snprintf(err, errlen, "port %u is reserved (Teredo/discard)",	\
		    (unsigned)x);						\
		return -1;							\
	}									\
	((struct nd_config *)cfg)->field = (uint16_t)x;				\
	return 0;								\
}
ND_PORT_SETTER(set_ho_port, ho_port)
ND_PORT_SETTER(set_ho_ctl_port, ho_ctl_port)

#define ND_DUR_SETTER(fn, field, lo)						\
static int									\
fn(void *cfg, const char *v, char *err, size_t errlen)				\
{										\
	return conf_duration_ms(v, lo, 30ULL * 86400 * 1000,			\
	    &((struct nd_config *)cfg)->field, err, errlen);			\
}
ND_DUR_SETTER(set_to_udp, to_udp_ms, 1000)
ND_DUR_SETTER(set_to_tcp_est, to_tcp_est_ms, 1000)
ND_DUR_SETTER(set_to_tcp_trans, to_tcp_trans_ms, 1000)
ND_DUR_SETTER(set_to_tcp_syn, to_tcp_syn_ms, 1000)
ND_DUR_SETTER(set_to_icmp, to_icmp_ms, 1000)
ND_DUR_SETTER(set_ho_cache, ho_cache_ms, 1000)
ND_DUR_SETTER(set_ho_probe, ho_probe_ms, 100)
ND_DUR_SETTER(set_ho_token_life, ho_token_life_ms, 60 * 1000)
ND_DUR_SETTER(set_ho_auth_life, ho_auth_life_ms, 60 * 1000)

static int
set_ho_hold(void *cfg, const char *v, char *err, size_t errlen)
{
	return conf_duration_ms(v, 10, 60 * 1000, &((struct nd_config *)cfg)->ho_hold_ms,
	    err, errlen);
}

#define ND_BOOL_SETTER(fn, field)						\
static int									\
fn(void *cfg, const char *v, char *err, size_t errlen)				\
{										\
	int b;									\
	if (conf_bool(v, &b, err, errlen) == -1)				\
		return -1;							\
	((struct nd_config *)cfg)->field = b;					\
	return 0;								\
}
ND_BOOL_SETTER(set_offload, offload)
ND_BOOL_SETTER(set_udp_coalesce, udp_coalesce)
ND_BOOL_SETTER(set_syslog, syslog)
ND_BOOL_SETTER(set_handoff, handoff)

#define ND_STR_SETTER(fn, field)						\
static int									\
fn(void *cfg, const char *v, char *err, size_t errlen)				\
{										\
	struct nd_config *c = cfg;						\
	if (*v == '\0' || strlen(v) >= sizeof(c->field)) {			\
		snprintf(err, errlen, "value empty or too long");		\
		return -1;							\
	}									\
	snprintf(c->field, sizeof(c->field), "%s", v);				\
	return 0;								\
}
ND_STR_SETTER(set_mapping_log, mapping_log)
ND_STR_SETTER(set_user, user)
ND_STR_SETTER(set_status_file, status_file)
ND_STR_SETTER(set_state_dir, state_dir)

static const struct conf_key nd_keys[] = {
	{ "tun-device", set_tun },
	{ "prefix", set_prefix },
	{ "pool4", set_pool4 },
	{ "port-range", set_ports },
	{ "ipv4-addr", set_ipv4_addr },
	{ "ipv6-addr", set_ipv6_addr },
	{ "mtu6", set_mtu6 },
	{ "mtu4", set_mtu4 },
	{ "udp-timeout", set_to_udp },
	{ "tcp-established-timeout", set_to_tcp_est },
	{ "tcp-transitory-timeout", set_to_tcp_trans },
	{ "tcp-incoming-syn-timeout", set_to_tcp_syn },
	{ "icmp-timeout", set_to_icmp },
	{ "max-sessions", set_max_sessions },
	{ "max-bib", set_max_bib },
	{ "offload", set_offload },
	{ "batch", set_batch },
	{ "udp-coalesce", set_udp_coalesce },
	{ "verbose", set_verbose },
	{ "syslog", set_syslog },
	{ "mapping-log", set_mapping_log },
	{ "user", set_user },
	{ "status-file", set_status_file },
	{ "icmp-error-rate", set_icmp_rate },
	{ "handoff", set_handoff },
	{ "handoff-port", set_ho_port },
	{ "handoff-control-port", set_ho_ctl_port },
	{ "handoff-cache-timeout", set_ho_cache },
	{ "handoff-cache-max", set_ho_cache_max },
	{ "handoff-hold-timeout", set_ho_hold },
	{ "handoff-announce-rate", set_ho_announce_rate },
	{ "handoff-probe-interval", set_ho_probe },
	{ "handoff-token-lifetime", set_ho_token_life },
	{ "handoff-auth-lifetime", set_ho_auth_life },
	{ "state-dir", set_state_dir },
	{ NULL, NULL }
};

int
nd_config_parse_text(const char *name, const char *text, size_t len,
    struct nd_config *c, char *err, size_t errlen)
{
	return conf_parse_text(name, text, len, nd_keys, c, err, errlen);
}

int
nd_config_parse_file(const char *path, struct nd_config *c, char *err, size_t errlen)
{
	return conf_parse_file(path, nd_keys, c, err, errlen);
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

size_t
nd_config_print(const struct nd_config *c, char *buf, size_t len)
{
	char a[ADDR_STRLEN];
	size_t n = 0;
	int i;

#define P(...) do { int r_ = snprintf(buf + n, n < len ? len - n : 0, __VA_ARGS__); \
	if (r_ > 0) n += (size_t)r_; } while (0)
	P("tun-device %s\n", c->tun_name);
	for (i = 0; i < c->n_prefix; i++)
		P("prefix %s/%d\n", addr_fmt6(c->prefix[i].addr, a, sizeof(a)), c->prefix[i].len);
	for (i = 0; i < c->n_pool4; i++)
		P("pool4 %s\n", addr_fmt4(c->pool4[i], a, sizeof(a)));
	P("port-range %u-%u\n", c->port_min, c->port_max);
	/* Derived defaults are shown commented, so the output re-parses to itself. */
	P("%sipv4-addr %s\n", c->have_ipv4_addr ? "" : "# default: ",
	    addr_fmt4(nd_config_own4(c), a, sizeof(a)));
	if (c->n_prefix) {
		uint8_t o6[16];

		nd_config_own6(c, o6);
		P("%sipv6-addr %s\n", c->have_ipv6_addr ? "" : "# default: ", addr_fmt6(o6, a, sizeof(a)));
	}
	P("mtu6 %u\nmtu4 %u\n", c->mtu6, c->mtu4);
	P("udp-timeout %llums\n", (unsigned long long)c->to_udp_ms);
	P("tcp-established-timeout %llums\n", (unsigned long long)c->to_tcp_est_ms);
	P("tcp-transitory-timeout %llums\n", (unsigned long long)c->to_tcp_trans_ms);
	P("tcp-incoming-syn-timeout %llums\n", (unsigned long long)c->to_tcp_syn_ms);
	P("icmp-timeout %llums\n", (unsigned long long)c->to_icmp_ms);
	P("max-sessions %u\nmax-bib %u\n", c->max_sessions, c->max_bib);
	P("offload %s\nbatch %d\nverbose %d\nsyslog %s\n", c->offload ? "yes" : "no",
	    c->batch, c->verbose, c->syslog ? "yes" : "no");
	P("udp-coalesce %s\n", c->udp_coalesce ? "yes" : "no");
	P("icmp-error-rate %d\n", c->icmp_rate);
	if (c->mapping_log[0])
		P("mapping-log %s\n", c->mapping_log);
	if (c->status_file[0])
		P("status-file %s\n", c->status_file);
	if (c->user[0])
		P("user %s\n", c->user);
	if (c->state_dir[0])
		P("state-dir %s\n", c->state_dir);
	if (c->handoff) {
		P("handoff yes\nhandoff-port %u\nhandoff-control-port %u\n", c->ho_port, c->ho_ctl_port);
		P("handoff-cache-timeout %llums\nhandoff-cache-max %u\n",
		    (unsigned long long)c->ho_cache_ms, c->ho_cache_max);
		P("handoff-hold-timeout %llums\nhandoff-announce-rate %u\n",
		    (unsigned long long)c->ho_hold_ms, c->ho_announce_rate);
		P("handoff-probe-interval %llums\n", (unsigned long long)c->ho_probe_ms);
		P("handoff-token-lifetime %llums\nhandoff-auth-lifetime %llums\n",
		    (unsigned long long)c->ho_token_life_ms, (unsigned long long)c->ho_auth_life_ms);
	}
#undef P
	return n;
}
