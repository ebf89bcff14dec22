/* handoff_wire.h — THE wire format of NAT64 handoff
 * (draft-dupont-6man-nat64handoff-00 §4–§7). One parser and one set of
 * encoders, used by nat64-handoffd, nat64d, handoff-sim and the tests.
 *
 * A control packet (UDP payload) is a sequence of messages. The first
 * nibble of each message is its format:
 *   3  handoff message: 4 bits 3 | 4 bits type | 8 bits data length in
 *      16-bit units | data (0..510 octets, even)
 *   4  an IPv4 packet (the nibble is the IPv4 version field); its length
 *      is its own Total Length
 *   6  an IPv6 packet (version 6); its length is 40 + Payload Length
 *   anything else (0 Teredo-reserved, 1, 2, 5, 7..15): the whole packet is
 *   dropped (HW_E_FORMAT).
 *
 * Handoff message types: 1 protocol identifier (exactly HW_IDENT_TEXT,
 * length 72), 2 no-op, 3 invalid, 4 token, 5 token rotation, 6 remote
 * IPv6 address authenticator (4/5/6: opaque, 0..510 octets), 7 connection
 * tracking entry (length 16: mapped port, NAT64 /96 prefix (12), client
 * IPv6 address (16), client port), 8 mapped port hint (length 1: port).
 * Types 0 and 9..15 are ignored (recorded in ->seen only).
 *
 * Decisions (docs/PROTOCOL.md):
 * - A second message of type 1, 4, 5 or 8 is HW_E_DUP. Types 6 and 7 may
 *   repeat only as the §7 multiple-entry format, which is recognised
 *   whenever 6 or 7 occurs more than once: then every 7 must follow a 6
 *   of its group, every 6 must be followed by at least one 7, no embedded
 *   packet, payload at most 1232 octets (HW_E_MULTI otherwise). Grouping
 *   looks at the sequence of 6s and 7s only; other messages may sit
 *   anywhere. More than HW_MAX_ENTRIES 6s or 7s is HW_E_TOO_MANY.
 *   Duplicates of 2, 3 and unknown types are ignored like the types.
 * - A single 6 and a single 7, in either order, form one group.
 * - An embedded IP packet ends the parse: octets after it (link padding
 *   a NAT64 copied with the frame, anything else) are not parsed, only
 *   counted in ->trailing (the draft lets the receiver stop parsing
 *   there). It must have a sane header (IPv4: IHL >= 5, Total Length >=
 *   IHL*4; IPv6: Payload Length != 0 jumbograms refused) and must fit
 *   (HW_E_TRUNC).
 * - A wrong-length type 1, 7 or 8, or type 1 with other text, is
 *   HW_E_BADLEN / HW_E_IDENT: the packet is dropped.
 * - A message running past the end of the payload (or a stray last
 *   octet) is HW_E_TRUNC; so is a payload over HW_MAX_PACKET octets.
 * Tests: tests/unit/test_hw_wire.c (hand-written vectors), fuzz target
 * fuzz/fuzz_handoff_wire.c.
 * hw_parse() checks framing only; hw_check_to_server()/hw_check_to_nat64()
 * apply the composition rules of §5/§7 and §6 on top.
 */
#ifndef NK_HANDOFF_WIRE_H
#define NK_HANDOFF_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* The draft leaves the server port TBD; this is our default (docs/PROTOCOL.md). */
#define HW_DEFAULT_PORT		6464
#define HW_TEREDO_PORT		3544
#define HW_DISCARD_PORT		9
#define HW_MAX_DATA		510	/* octets of message data */
#define HW_MULTI_MAX_PAYLOAD	1232	/* §7 */
#define HW_ENTRY_DATA_LEN	32
#define HW_MAX_ENTRIES		64	/* > what fits in 1232 octets */
#define HW_MAX_PACKET		65535

#define HW_IDENT_TEXT "[[ This is the NAT64 handoff protocol. The client is using IPv6. " \
	"To know their real IP address you need to use this protocol or support IPv6. ]]"
#define HW_IDENT_LEN		144

enum hw_type {
	HW_T_RESERVED	= 0,
	HW_T_IDENT	= 1,
	HW_T_NOOP	= 2,
	HW_T_INVALID	= 3,
	HW_T_TOKEN	= 4,
	HW_T_TOKEN_ROT	= 5,
	HW_T_AUTH	= 6,
	HW_T_ENTRY	= 7,
	HW_T_HINT	= 8,
};

enum hw_err {
	HW_OK = 0,
	HW_E_EMPTY,		/* zero-length payload */
	HW_E_TRUNC,		/* a message runs past the end */
	HW_E_FORMAT,		/* a message of unknown/reserved format */
	HW_E_DUP,		/* a type repeated outside the §7 format */
	HW_E_IP_HEADER,		/* embedded IP packet with a bad header */
	HW_E_BADLEN,		/* type 1/7/8 with the wrong length */
	HW_E_IDENT,		/* type 1 whose text is not HW_IDENT_TEXT */
	HW_E_MULTI,		/* §7 format broken (grouping, IP, > 1232) */
	HW_E_TOO_MANY,		/* more than HW_MAX_ENTRIES entries */
	/* composition (hw_check_*) */
	HW_E_NO_TOKEN,		/* NAT64→server without a token */
	HW_E_NO_PAYLOAD,	/* NAT64→server with no entry and no IP packet */
	HW_E_ENTRY_NEEDS,	/* entry without identifier or authenticator */
	HW_E_IPV6_NEEDS_AUTH,	/* IPv6 packet without authenticator */
	HW_E_SERVER_PATTERN,	/* server→NAT64 matching none of §6's three */
	HW_E__COUNT
};

/* Opaque octets inside the parsed packet (valid while it is). */
struct hw_blob {
	const uint8_t *p;
	uint16_t len;
};

struct hw_entry {
	uint16_t mapped_port;
	uint8_t prefix[12];	/* the NAT64 /96 prefix */
	uint8_t client[16];
	uint16_t client_port;
};

/* §7 group: one authenticator covering entries[first .. first+count-1].
 * In a single-entry packet with both 6 and 7 present there is one group. */
struct hw_group {
	struct hw_blob auth;
	uint8_t first;
	uint8_t count;
};

struct hw_packet {
	uint16_t seen;		/* bit (1 << type) for every handoff message type seen */
	bool multi;		/* parsed as the §7 multiple-entry format */
	struct hw_blob token;		/* valid iff seen & (1 << HW_T_TOKEN) */
	struct hw_blob token_rot;	/* ... HW_T_TOKEN_ROT */
	struct hw_blob auth;		/* ... HW_T_AUTH (first one, in §7) */
	uint16_t hint;			/* ... HW_T_HINT */
	uint8_t n_entries;
	struct hw_entry entries[HW_MAX_ENTRIES];
	uint8_t n_groups;
	struct hw_group groups[HW_MAX_ENTRIES];
	uint8_t ip_version;	/* 0 none, 4 or 6 */
	struct hw_blob ip;	/* the embedded packet, exactly its own length */
	uint16_t trailing;	/* octets after it, not parsed */
};

static inline bool
hw_has(const struct hw_packet *pkt, enum hw_type t)
{
	return (pkt->seen >> t) & 1u;
}

const char *hw_strerror(enum hw_err e);

/* Frame-level parse of one UDP payload. Blobs point into payload. On
 * error *out is unspecified. */
enum hw_err hw_parse(const uint8_t *payload, size_t len, struct hw_packet *out);

/* Composition rules, for a packet hw_parse() accepted.
 * to_server: §5 — token (HW_E_NO_TOKEN), at least an entry or an IP packet
 * (HW_E_NO_PAYLOAD), entry with identifier and authenticator
 * (HW_E_ENTRY_NEEDS), IPv6 packet with authenticator
 * (HW_E_IPV6_NEEDS_AUTH); when pkt->multi, §7 — identifier and token.
 * to_nat64: §6 — token + IPv4 packet, or authenticator + IPv6 packet, or
 * authenticator + entry (+ any IP packet); else HW_E_SERVER_PATTERN, and
 * HW_E_MULTI for a §7 packet. */
enum hw_err hw_check_to_server(const struct hw_packet *pkt);
enum hw_err hw_check_to_nat64(const struct hw_packet *pkt);

/* Encoders: append one message to w, all or nothing; return false (and
 * set w->err, which is sticky) when it does not fit or the argument is
 * invalid (odd or > 510 blob length, type > 15, NULL data with a length,
 * an IP packet whose header disagrees with ip_len). hw_put_blob writes any
 * type (meant for 4, 5, 6). */
bool hw_put_ident(struct buf_wr *w);
bool hw_put_noop(struct buf_wr *w);
bool hw_put_blob(struct buf_wr *w, enum hw_type type, const uint8_t *data, size_t len);
bool hw_put_entry(struct buf_wr *w, const struct hw_entry *e);
bool hw_put_hint(struct buf_wr *w, uint16_t port);
bool hw_put_ip(struct buf_wr *w, const uint8_t *ip, size_t ip_len);

/* Length of the embedded IP packet starting at p (from its own header:
 * IPv4 Total Length, IPv6 40 + Payload Length), or 0 if that is not a
 * sane IPv4/IPv6 header (rules above) or the packet does not fit in len.
 * Bytes after the packet are allowed (hw_parse counts them). */
size_t hw_ip_len(const uint8_t *p, size_t len);

#endif
