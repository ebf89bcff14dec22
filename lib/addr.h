/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* addr.h — IPv4/IPv6 address and prefix text, and RFC 6052 embedding.
 *
 * IPv4 addresses are uint32_t in HOST byte order throughout nat64kit's
 * tables; on the wire and in sockaddr they are converted at the edge.
 */
#ifndef NK_ADDR_H
#define NK_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ADDR_STRLEN	48	/* fits "[ffff:...:255.255.255.255]:65535" */

int  addr_parse4(const char *s, uint32_t *out);		/* 0 or -1 */
int  addr_parse6(const char *s, uint8_t out[16]);	/* 0 or -1 */
/* "P" or "P/len"; len defaults to default_len. Returns 0 or -1. */
int  addr_parse_prefix6(const char *s, int default_len, uint8_t out[16], int *len);
char *addr_fmt4(uint32_t a, char *buf, size_t len);
char *addr_fmt6(const uint8_t a[16], char *buf, size_t len);

/* RFC 6052 §2.2: bits 64..71 must be zero for every length but /96...
 * and the host part beyond the prefix must be zero. Returns NULL if the
 * prefix is acceptable, else a reason. */
const char *addr_rfc6052_check(const uint8_t prefix[16], int len);
/* Is this a range a NAT64 prefix may come from? Global unicast (2000::/3),
 * the well-known 64:ff9b::/96 and 64:ff9b:1::/48 (RFC 6052, RFC 8215) and
 * ULA (fc00::/7, *ula set: worth a warning) are; multicast, link-local,
 * site-local, loopback, unspecified, IPv4-mapped, IPv4-compatible and every
 * other reserved range are not. Returns NULL, or a reason naming the range. */
const char *addr_nat64_scope(const uint8_t prefix[16], int len, bool *ula);
void addr_rfc6052_embed(const uint8_t prefix[16], int len, uint32_t v4, uint8_t out[16]);
uint32_t addr_rfc6052_extract(const uint8_t a[16], int len);

#endif
