/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* addr.c — see addr.h. */
#include "addr.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
addr_parse4(const char *s, uint32_t *out)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		return -1;
	*out = ntohl(a.s_addr);
	return 0;
}

int
addr_parse6(const char *s, uint8_t out[16])
{
	return inet_pton(AF_INET6, s, out) == 1 ? 0 : -1;
}

int
addr_parse_prefix6(const char *s, int default_len, uint8_t out[16], int *len)
{
	char tmp[INET6_ADDRSTRLEN + 8];
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	char *end;
	long l = default_len;

	if (n >= INET6_ADDRSTRLEN)
		return -1;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	if (addr_parse6(tmp, out) == -1)
		return -1;
	if (slash) {
		if (slash[1] < '0' || slash[1] > '9')
			return -1;
		l = strtol(slash + 1, &end, 10);
		if (*end != '\0' || l < 0 || l > 128)
			return -1;
	}
	*len = (int)l;
	return 0;
}

char *
addr_fmt4(uint32_t a, char *buf, size_t len)
{
	snprintf(buf, len, "%u.%u.%u.%u", a >> 24, (a >> 16) & 0xff, (a >> 8) & 0xff, a & 0xff);
	return buf;
}

char *
addr_fmt6(const uint8_t a[16], char *buf, size_t len)
{
	if (inet_ntop(AF_INET6, a, buf, (socklen_t)len) == NULL && len)
		buf[0] = '\0';
	return buf;
}

/* RFC 6052 §2.2: prefix lengths 32, 40, 48, 56, 64, 96. */
static bool
addr_rfc6052_len_ok(int len)
{
	return len == 32 || len == 40 || len == 48 || len == 56 || len == 64 || len == 96;
}

const char *
addr_rfc6052_check(const uint8_t p[16], int len)
{
	int bit;

	if (!addr_rfc6052_len_ok(len))
		return "prefix length must be 32, 40, 48, 56, 64 or 96 (RFC 6052)";
	if (p[8] != 0)
		return "bits 64 to 71 must be zero (RFC 6052)";
	for (bit = len; bit < 128; bit++)
		if (p[bit / 8] & (0x80 >> (bit % 8)))
			return "address has bits set beyond the prefix length";
	return NULL;
}

const char *
addr_nat64_scope(const uint8_t p[16], int len, bool *ula)
{
	static const uint8_t wkp[12] = { 0, 0x64, 0xff, 0x9b };
	int i, zero = 0;

	*ula = false;
	for (i = 0; i < 16 && p[i] == 0; i++)
		zero++;
	if (p[0] == 0xff)
		return "a multicast address (ff00::/8), not a NAT64 prefix";
	if (p[0] == 0xfe && (p[1] & 0xc0) == 0x80)
		return "a link-local address (fe80::/10), not a NAT64 prefix";
	if (p[0] == 0xfe && (p[1] & 0xc0) == 0xc0)
		return "a site-local address (fec0::/10, deprecated), not a NAT64 prefix";
	if (zero == 15 && p[15] == 1)
		return "the loopback address (::1), not a NAT64 prefix";
	if (zero == 16)
		return len >= 96 ? "the IPv4-compatible range (::/96, deprecated), not a NAT64 prefix" :
		    "the unspecified address (::), not a NAT64 prefix";
	if (zero >= 10 && p[10] == 0xff && p[11] == 0xff)
		return "the IPv4-mapped range (::ffff:0:0/96), not a NAT64 prefix";
	if (zero >= 12)
		return "the IPv4-compatible range (::/96, deprecated), not a NAT64 prefix";
	/* the Well-Known Prefix is a /96 and nothing else (RFC 6052 §2.1,
	 * §3.1); the local-use 64:ff9b:1::/48 may be divided (RFC 8215) */
	if (memcmp(p, wkp, 6) == 0)
		return len == 96 && memcmp(p, wkp, 12) == 0 ? NULL :
		    "the Well-Known Prefix is 64:ff9b::/96 only (RFC 6052 §2.1)";
	if (memcmp(p, wkp, 4) == 0 && len >= 48 && p[4] == 0 && p[5] == 1)
		return NULL;	/* 64:ff9b:1::/48 */
	if (p[0] == 0x20 && p[1] == 0x01 && p[2] == 0 && p[3] == 0)
		return "the Teredo prefix (2001::/32, RFC 4380), not a NAT64 prefix";
	if (p[0] == 0x20 && p[1] == 0x02)
		return "a 6to4 address (2002::/16, RFC 3056), not a NAT64 prefix";
	if ((p[0] & 0xfe) == 0xfc) {
		*ula = true;
		return NULL;
	}
	if ((p[0] & 0xe0) == 0x20)
		return NULL;
	return "not global unicast (2000::/3), ULA (fc00::/7) or 64:ff9b::/96";
}

/* Octet positions of the 4 IPv4 octets for each prefix length (§2.2). */
static const int *
addr_rfc6052_pos(int len)
{
	static const int p32[4] = { 4, 5, 6, 7 }, p40[4] = { 5, 6, 7, 9 },
	    p48[4] = { 6, 7, 9, 10 }, p56[4] = { 7, 9, 10, 11 },
	    p64[4] = { 9, 10, 11, 12 }, p96[4] = { 12, 13, 14, 15 };

	switch (len) {
	case 32: return p32;
	case 40: return p40;
	case 48: return p48;
	case 56: return p56;
	case 64: return p64;
	default: return p96;
	}
}

void
addr_rfc6052_embed(const uint8_t prefix[16], int len, uint32_t v4, uint8_t out[16])
{
	const int *pos = addr_rfc6052_pos(len);
	int i;

	memset(out, 0, 16);
	memcpy(out, prefix, (size_t)len / 8);
	for (i = 0; i < 4; i++)
		out[pos[i]] = (uint8_t)(v4 >> (24 - 8 * i));
}

uint32_t
addr_rfc6052_extract(const uint8_t a[16], int len)
{
	const int *pos = addr_rfc6052_pos(len);

	return (uint32_t)a[pos[0]] << 24 | (uint32_t)a[pos[1]] << 16 |
	    (uint32_t)a[pos[2]] << 8 | a[pos[3]];
}
