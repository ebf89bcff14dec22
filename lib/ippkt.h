/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* ippkt.h — small builders and readers for the IP packets the handoff
 * protocol embeds: the server's port-9 validation packet, the NAT64's
 * bounce of it, ICMPv6 echo replies and ICMPv4 errors built by the
 * server, and the simulator's test traffic.
 *
 * Addresses are in network byte order as bytes (uint8_t[4] / [16]).
 * Builders write a complete packet with correct lengths and checksums
 * into out (cap bytes) and return its length, or 0 if it does not fit.
 * Readers validate lengths and return false on anything malformed.
 */
#ifndef NK_IPPKT_H
#define NK_IPPKT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IPPKT_PROTO_ICMP	1
#define IPPKT_PROTO_TCP		6
#define IPPKT_PROTO_UDP		17
#define IPPKT_PROTO_ICMP6	58
#define IPPKT_PROTO_NONE6	59	/* IPv6 No Next Header */

/* IPv4 (20-octet header, DF clear, TTL 64) + UDP with checksum. */
size_t ippkt_udp4(uint8_t *out, size_t cap, const uint8_t src[4], const uint8_t dst[4],
    uint16_t sport, uint16_t dport, const uint8_t *payload, size_t len);
/* IPv6 header with next header nh, hop limit 64, and the payload. */
size_t ippkt_ip6(uint8_t *out, size_t cap, const uint8_t src[16], const uint8_t dst[16],
    uint8_t nh, const uint8_t *payload, size_t len);
/* IPv6 + UDP with checksum. */
size_t ippkt_udp6(uint8_t *out, size_t cap, const uint8_t src[16], const uint8_t dst[16],
    uint16_t sport, uint16_t dport, const uint8_t *payload, size_t len);
/* IPv6 + TCP header (20 octets, no options) with flags, seq, ack, window 65535,
 * then payload; checksum filled. */
size_t ippkt_tcp6(uint8_t *out, size_t cap, const uint8_t src[16], const uint8_t dst[16],
    uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags,
    const uint8_t *payload, size_t len);
/* IPv4 + TCP likewise. */
size_t ippkt_tcp4(uint8_t *out, size_t cap, const uint8_t src[4], const uint8_t dst[4],
    uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags,
    const uint8_t *payload, size_t len);
/* ICMPv6 echo request (type 128) or reply (129) with id, seq, data. */
size_t ippkt_icmp6_echo(uint8_t *out, size_t cap, const uint8_t src[16], const uint8_t dst[16],
    uint8_t type, uint16_t id, uint16_t seq, const uint8_t *data, size_t len);
/* ICMPv4 error (type, code; the 4 "unused" octets zero) from src to dst.
 * It quotes the original packet orig: its IP header and as much of the data
 * after it as keeps the whole ICMP packet (20 + 8 + quote) within 576
 * octets, i.e. the first min(orig_len, 548) octets of orig (RFC 792 asks
 * for at least the header + 8 octets; RFC 1812 4.3.2.3 allows up to 576).
 * IPv4 header checksum and ICMP checksum filled. */
size_t ippkt_icmp4_error(uint8_t *out, size_t cap, const uint8_t src[4], const uint8_t dst[4],
    uint8_t type, uint8_t code, const uint8_t *orig, size_t orig_len);

/* ICMPv6 error (type, code; the 4 "unused" octets zero) from src to dst,
 * quoting "as much of invoking packet as possible without the ICMPv6
 * packet exceeding the minimum IPv6 MTU" (RFC 4443 §2.4 (c), §3.1): the
 * first min(orig_len, 1232) octets of orig. Checksum filled. */
#define IPPKT_ICMP6_MAX		1280
size_t ippkt_icmp6_error(uint8_t *out, size_t cap, const uint8_t src[16], const uint8_t dst[16],
    uint8_t type, uint8_t code, const uint8_t *orig, size_t orig_len);

/* Parsed view of an IPv4 packet (validated: version 4, IHL >= 5, total
 * length within len, header checksum NOT verified). */
struct ippkt4 {
	const uint8_t *hdr;
	size_t hdr_len;
	size_t total_len;
	uint8_t proto;
	uint8_t src[4], dst[4];
	bool is_fragment;	/* MF set or offset != 0 */
	const uint8_t *l4;	/* payload after the header */
	size_t l4_len;
	uint16_t sport, dport;	/* TCP/UDP ports if l4_len >= 4 and not a later fragment */
};
bool ippkt_parse4(const uint8_t *p, size_t len, struct ippkt4 *out);
/* The same for the packet an ICMPv4 error quotes (p, len: what follows
 * the 8-octet ICMP header): it may be cut short after its IP header, so
 * total_len and l4_len are what is present; ports need 4 octets of it. */
bool ippkt_parse4_quote(const uint8_t *p, size_t len, struct ippkt4 *out);

/* Parsed view of an IPv6 packet: fixed header only; nh is the first Next
 * Header (extension headers are not walked). */
struct ippkt6 {
	const uint8_t *hdr;
	size_t total_len;
	uint8_t nh;
	uint8_t hop_limit;
	uint8_t src[16], dst[16];
	const uint8_t *l4;
	size_t l4_len;
	uint16_t sport, dport;	/* TCP/UDP ports if nh is TCP/UDP and l4_len >= 4 */
};
bool ippkt_parse6(const uint8_t *p, size_t len, struct ippkt6 *out);

#endif
