/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* nd_testutil.h — packet builders and a gateway on the fake device for
 * nat64d's unit tests. Checksums here are computed from scratch
 * (RFC 1071 over the RFC 8200 / RFC 768 pseudo-headers), independently of
 * the incremental updates the translator does. */
#ifndef ND_TESTUTIL_H
#define ND_TESTUTIL_H

#include <arpa/inet.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "nd_config.h"
#include "nd_gw.h"
#include "nd_pktdev.h"

static inline uint32_t
t_sum(uint32_t s, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	return s;
}

static inline uint16_t
t_fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static inline void
t_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline uint16_t
t_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t
t_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void
t_a6(const char *s, uint8_t out[16])
{
	inet_pton(AF_INET6, s, out);
}

static inline void
t_a4(const char *s, uint8_t out[4])
{
	inet_pton(AF_INET, s, out);
}

/* L4 checksum over an IPv6 pseudo-header (0 if valid). */
static inline uint16_t
t_l4ck6(const uint8_t *ip6, uint8_t nh, const uint8_t *l4, size_t n)
{
	uint32_t s = t_sum(0, ip6 + 8, 32);

	s += (uint32_t)(n >> 16) + (uint32_t)(n & 0xffff) + nh;
	return t_fold(t_sum(s, l4, n));
}

static inline uint16_t
t_l4ck4(const uint8_t *ip4, uint8_t proto, const uint8_t *l4, size_t n)
{
	uint32_t s = t_sum(0, ip4 + 12, 8);

	s += (uint32_t)n + proto;
	return t_fold(t_sum(s, l4, n));
}

/* IPv6 packet: header + l4 (checksum at ckoff filled unless ckoff < 0). */
static inline size_t
t_ip6(uint8_t *o, const char *src, const char *dst, uint8_t nh, uint8_t hlim,
    const uint8_t *l4, size_t n, int ckoff)
{
	memset(o, 0, 40);
	o[0] = 0x60;
	t_put16(o + 4, (uint16_t)n);
	o[6] = nh;
	o[7] = hlim;
	t_a6(src, o + 8);
	t_a6(dst, o + 24);
	memcpy(o + 40, l4, n);
	if (ckoff >= 0) {
		t_put16(o + 40 + ckoff, 0);
		t_put16(o + 40 + ckoff, t_l4ck6(o, nh, o + 40, n));
	}
	return 40 + n;
}

static inline size_t
t_ip4(uint8_t *o, const char *src, const char *dst, uint8_t proto, uint8_t ttl, bool df,
    const uint8_t *l4, size_t n, int ckoff)
{
	memset(o, 0, 20);
	o[0] = 0x45;
	t_put16(o + 2, (uint16_t)(20 + n));
	t_put16(o + 4, 0x4242);
	o[6] = df ? 0x40 : 0;
	o[8] = ttl;
	o[9] = proto;
	t_a4(src, o + 12);
	t_a4(dst, o + 16);
	t_put16(o + 10, t_fold(t_sum(0, o, 20)));
	memcpy(o + 20, l4, n);
	if (ckoff >= 0) {
		t_put16(o + 20 + ckoff, 0);
		if (proto == 1)
			t_put16(o + 20 + ckoff, t_fold(t_sum(0, o + 20, n)));
		else
			t_put16(o + 20 + ckoff, t_l4ck4(o, proto, o + 20, n));
	}
	return 20 + n;
}

static inline size_t
t_udp(uint8_t *o, uint16_t sp, uint16_t dp, const char *payload)
{
	size_t n = strlen(payload);

	t_put16(o, sp);
	t_put16(o + 2, dp);
	t_put16(o + 4, (uint16_t)(8 + n));
	t_put16(o + 6, 0);
	memcpy(o + 8, payload, n);
	return 8 + n;
}

static inline size_t
t_tcp(uint8_t *o, uint16_t sp, uint16_t dp, uint8_t flags, size_t datalen)
{
	memset(o, 0, 20 + datalen);
	t_put16(o, sp);
	t_put16(o + 2, dp);
	o[4] = 1;
	o[12] = 0x50;
	o[13] = flags;
	t_put16(o + 14, 65535);
	memset(o + 20, 'x', datalen);
	return 20 + datalen;
}

struct t_gw {
	struct nd_config cfg;
	struct nd_dev dev;
	int peer;
	struct nd_gw *gw;
	struct clk_now now;
};

static inline void
t_gw_open(struct t_gw *t, bool vnet, const char *extra)
{
	char text[1024], err[256];

	nd_config_defaults(&t->cfg);
	snprintf(text, sizeof(text), "prefix 2001:db8:64::/96\npool4 198.51.100.1\n"
	    "ipv4-addr 203.0.113.1\nport-range 2000-2063\n%s", extra ? extra : "");
	if (nd_config_parse_text("t", text, strlen(text), &t->cfg, err, sizeof(err)) == -1 ||
	    nd_config_check(&t->cfg, NULL, err, sizeof(err)) == -1) {
		fprintf(stderr, "%s\n", err);
		abort();
	}
	if (nd_fake_open(&t->dev, vnet, &t->peer) == -1)
		abort();
	t->gw = nd_gw_new(&t->cfg, &t->dev);
	t->gw->ipid = 0x1234;
	t->gw->coalesce = false;	/* one datagram out per datagram in, unless a test sets it */
	t->now = clk_fake(1000000, 1700000000);
}

static inline void
t_gw_close(struct t_gw *t)
{
	nd_gw_free(t->gw);
	nd_dev_close(&t->dev);
	close(t->peer);
}

/* Receive one packet the gateway wrote (0 if none). */
static inline ssize_t
t_recv(struct t_gw *t, uint8_t *buf, size_t cap)
{
	ssize_t n = recv(t->peer, buf, cap, MSG_DONTWAIT);

	return n < 0 ? 0 : n;
}

static inline void
t_in(struct t_gw *t, uint8_t *pkt, size_t len)
{
	nd_gw_input(t->gw, pkt, len, NULL, &t->now);
}

#endif
