/* test_hw_wire.c — lib/handoff_wire.c against byte-exact vectors written
 * by hand from the layouts of draft-dupont-6man-nat64handoff-00 §4–§7.
 *
 * Every vector below is typed from the draft's diagrams, not produced by
 * our encoder: a handoff message is
 *	4 bits 3 | 4 bits type | 8 bits data length in 16-bit units | data
 * and embedded IP packets are delimited by their own headers.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "handoff_wire.h"

/* ---- hand-written messages ------------------------------------------- */

/* Type 1: the draft's 144-octet string, typed here independently of
 * HW_IDENT_TEXT (test_ident_text compares the two). */
static const char IDENT_TEXT[] =
	"[[ This is the NAT64 handoff protocol. The client is using "
	"IPv6. To know their real IP address you need to use this "
	"protocol or support IPv6. ]]";
static const uint8_t IDENT_HDR[] = { 0x31, 0x48 };	/* 3|1, 72 units */

/* Type 4 token, 16 octets "token-0123456789". */
static const uint8_t TOKEN16[] = {
	0x34, 0x08,				/* 3|4 token, 8 units = 16 octets */
	0x74, 0x6f, 0x6b, 0x65, 0x6e, 0x2d, 0x30, 0x31,	/* "token-01" */
	0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39,	/* "23456789" */
};
/* Type 4 token, 0 octets. */
static const uint8_t TOKEN0[] = { 0x34, 0x00 };
/* Type 5 token rotation, 16 octets b0..bf. */
static const uint8_t TOKROT16[] = {
	0x35, 0x08,
	0xb0, 0xb1, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7,
	0xb8, 0xb9, 0xba, 0xbb, 0xbc, 0xbd, 0xbe, 0xbf,
};
/* Type 6 authenticator, 16 octets a0..af. */
static const uint8_t AUTH16[] = {
	0x36, 0x08,				/* 3|6 auth, 16 octets */
	0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7,
	0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf,
};
/* A second authenticator, 4 octets. */
static const uint8_t AUTH4[] = { 0x36, 0x02, 0xc0, 0xc1, 0xc2, 0xc3 };
/* Type 7 entry: 192.0.2.7:3719 <- [2001:db8::17]:53186 via 64:ff9b::/96. */
static const uint8_t ENTRY1[] = {
	0x37, 0x10,				/* 3|7 entry, 16 units = 32 octets */
	0x0e, 0x87,				/* mapped port 3719 */
	0x00, 0x64, 0xff, 0x9b, 0x00, 0x00, 0x00, 0x00,	/* NAT64 /96 prefix */
	0x00, 0x00, 0x00, 0x00,			/*   64:ff9b::/96 (12 octets) */
	0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00,	/* client 2001:db8::17 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x17,
	0xcf, 0xc2,				/* client port 53186 */
};
/* Entry: mapped 3720 <- [2001:db8::55]:34259 via 2001:db8:64::/96. */
static const uint8_t ENTRY2[] = {
	0x37, 0x10,
	0x0e, 0x88,				/* mapped port 3720 */
	0x20, 0x01, 0x0d, 0xb8, 0x00, 0x64, 0x00, 0x00,	/* 2001:db8:64::/96 */
	0x00, 0x00, 0x00, 0x00,
	0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00,	/* client 2001:db8::55 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x55,
	0x85, 0xd3,				/* client port 34259 */
};
/* Type 8 hint: port 4000. */
static const uint8_t HINT[] = { 0x38, 0x01, 0x0f, 0xa0 };
/* Type 2 no-op, type 3 invalid (empty). */
static const uint8_t NOOP[] = { 0x32, 0x00 };
static const uint8_t INVALID[] = { 0x33, 0x00 };

/* IPv4/UDP 192.0.2.1:6464 -> 192.0.2.7:9, no payload (28 octets). */
static const uint8_t IP4[] = {
	0x45, 0x00, 0x00, 0x1c,			/* v4 IHL 5, total length 28 */
	0x00, 0x00, 0x00, 0x00,			/* id 0, flags/offset 0 */
	0x40, 0x11, 0xf6, 0xc8,			/* TTL 64, UDP, header checksum */
	0xc0, 0x00, 0x02, 0x01,			/* 192.0.2.1 */
	0xc0, 0x00, 0x02, 0x07,			/* 192.0.2.7 */
	0x19, 0x40, 0x00, 0x09,			/* 6464 -> 9 */
	0x00, 0x08, 0x62, 0x8c,			/* UDP length 8, checksum */
};
/* IPv6/UDP [2001:db8::17]:53186 -> [64:ff9b::c000:201]:53, "hi" (50 octets). */
static const uint8_t IP6[] = {
	0x60, 0x00, 0x00, 0x00,			/* v6, class 0, flow 0 */
	0x00, 0x0a, 0x11, 0x40,			/* payload length 10, UDP, hop limit 64 */
	0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00,	/* src 2001:db8::17 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x17,
	0x00, 0x64, 0xff, 0x9b, 0x00, 0x00, 0x00, 0x00,	/* dst 64:ff9b::192.0.2.1 */
	0x00, 0x00, 0x00, 0x00, 0xc0, 0x00, 0x02, 0x01,
	0xcf, 0xc2, 0x00, 0x35,			/* 53186 -> 53 */
	0x00, 0x0a, 0xd7, 0xa7,			/* UDP length 10, checksum */
	0x68, 0x69,				/* "hi" */
};

/* ---- helpers ---------------------------------------------------------- */

struct pk {
	uint8_t b[4096];
	size_t n;
};

static void
pk_add(struct pk *p, const void *m, size_t n)
{
	assert_true(p->n + n <= sizeof(p->b));
	memcpy(p->b + p->n, m, n);
	p->n += n;
}
#define ADD(p, arr) pk_add((p), (arr), sizeof(arr))

static void
pk_ident(struct pk *p)
{
	ADD(p, IDENT_HDR);
	pk_add(p, IDENT_TEXT, 144);
}

/* A raw handoff message of type t with dlen octets of filler f. */
static void
pk_msg(struct pk *p, unsigned t, size_t dlen, uint8_t f)
{
	uint8_t h[2] = { (uint8_t)(0x30 | t), (uint8_t)(dlen / 2) };

	assert_true(dlen % 2 == 0 && dlen <= 510);
	pk_add(p, h, 2);
	assert_true(p->n + dlen <= sizeof(p->b));
	memset(p->b + p->n, f, dlen);
	p->n += dlen;
}

static enum hw_err
parse(const struct pk *p, struct hw_packet *out)
{
	return hw_parse(p->b, p->n, out);
}

static enum hw_err
parse_err(const struct pk *p)
{
	static struct hw_packet pkt;

	return hw_parse(p->b, p->n, &pkt);
}

/* ---- type 1 ------------------------------------------------------------- */

static void
test_ident_text(void **state)
{
	(void)state;
	assert_int_equal(sizeof(IDENT_TEXT) - 1, 144);
	assert_int_equal(HW_IDENT_LEN, 144);
	assert_memory_equal(HW_IDENT_TEXT, IDENT_TEXT, 144);
	assert_int_equal(IDENT_HDR[1] * 2, 144);
}

static void
test_ident_parse(void **state)
{
	struct pk p = { .n = 0 };
	struct hw_packet pkt;

	(void)state;
	pk_ident(&p);
	assert_int_equal(p.n, 146);
	assert_int_equal(parse(&p, &pkt), HW_OK);
	assert_int_equal(pkt.seen, 1u << HW_T_IDENT);
	assert_true(hw_has(&pkt, HW_T_IDENT));
	assert_false(pkt.multi);
	assert_int_equal(pkt.ip_version, 0);

	/* one character changed ("IPv6" -> "IPv4" at the end) */
	p.b[2 + 139] = '4';
	assert_memory_equal(p.b + 2 + 136, "IPv4. ]]", 8);
	assert_int_equal(parse_err(&p), HW_E_IDENT);
	/* lower case 't' in "This" */
	p.n = 0;
	pk_ident(&p);
	p.b[2 + 3] = 't';
	assert_int_equal(parse_err(&p), HW_E_IDENT);
}

static void
test_ident_badlen(void **state)
{
	struct pk p = { .n = 0 };

	(void)state;
	/* length 71 (142 octets): the text without its last two octets */
	p.b[0] = 0x31;
	p.b[1] = 71;
	memcpy(p.b + 2, IDENT_TEXT, 142);
	p.n = 144;
	assert_int_equal(parse_err(&p), HW_E_BADLEN);
	/* length 73 (146 octets): the text plus two spaces */
	p.b[1] = 73;
	memcpy(p.b + 2, IDENT_TEXT, 144);
	p.b[146] = ' ';
	p.b[147] = ' ';
	p.n = 148;
	assert_int_equal(parse_err(&p), HW_E_BADLEN);
	/* length 0 */
	p.n = 0;
	pk_msg(&p, 1, 0, 0);
	assert_int_equal(parse_err(&p), HW_E_BADLEN);
}

/* ---- types 2, 3 ----------------------------------------------------------- */

static void
test_noop_invalid(void **state)
{
	struct pk p = { .n = 0 };
	struct hw_packet pkt;

	(void)state;
	ADD(&p, NOOP);
	ADD(&p, INVALID);
	ADD(&p, NOOP);		/* repeats of 2 and 3 are ignored */
	ADD(&p, INVALID);
	pk_msg(&p, 2, 6, 0xee);	/* a no-op with data is still a no-op */
	assert_int_equal(parse(&p, &pkt), HW_OK);
	assert_int_equal(pkt.seen, (1u << 2) | (1u << 3));
	assert_false(pkt.multi);
	assert_int_equal(pkt.n_entries, 0);
}

/* ---- types 4, 5, 6 ------------------------------------------------------ */

static void
test_token_lengths(void **state)
{
	struct pk p = { .n = 0 };
	struct hw_packet pkt;

	(void)state;
	ADD(&p, TOKEN0);
	assert_int_equal(parse(&p, &pkt), HW_OK);
	assert_true(hw_has(&pkt, HW_T_TOKEN));
	assert_int_equal(pkt.token.len, 0);

	p.n = 0;
	ADD(&p, TOKEN16);
	assert_int_equal(parse(&p, &pkt), HW_OK);
	assert_int_equal(pkt.token.len, 16);
	assert_ptr_equal(pkt.token.p, p.b + 2);
	assert_memory_equal(pkt.token.p, "token-0123456789", 16);

	/* 510 octets: length byte 0xff */
	p.n = 0;
	pk_msg(&p, 4, 510, 0x5a);
	assert_int_equal(p.b[1], 0xff);
	assert_int_equal(p.n, 512);
	assert_int_equal(parse(&p, &pkt), HW_OK);
	assert_int_equal(pkt.token.len, 510);
	assert_int_equal(pkt.token.p[509], 0x5a);
}

static void
test_token_rot_and_auth(void **state)
{
	struct pk p = { .n = 0 };
	struct hw_packet pkt;

	(void)state;
	ADD(&p, TOKROT16);
	ADD(&p, AUTH16);
	ADD(&p, TOKEN16);
	assert_int_equal(parse(&p, &pkt), HW_OK);
	assert_int_equal(pkt.seen, (1u << 4) | (1u << 5) | (1u << 6));
	assert_int_equal(pkt.token_rot.len, 16);
	assert_int_equal(pkt.token_rot.p[0], 0xb0);
	assert_int_equal(pkt.auth.len, 16);
	assert_ptr_equal(pkt.auth.p, p.b + sizeof(TOKROT16) + 2);
	assert_int_equal(pkt.auth.p[15], 0xaf);
	assert_int_equal(pkt.token.p[0], 't');
	assert_int_equal(pkt.n_groups, 0);	/* auth without an entry: no group */

	/* a 510-octet authenticator */
	p.n = 0;
	pk_msg(&p, 6, 510, 0x66);
	assert_int_equal(parse(&p, &pkt), HW_OK);
	assert_int_equal(pkt.auth.len, 510);
}

/* ---- type 7 ------------------------------------------------------------- */

static void
test_entry_layout(void **state)
{
	static const uint8_t prefix[12] = { 0x00, 0x64, 0xff, 0x9b };
	static const uint8_t client[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x17 };
	struct pk p = { .n = 0 };
	struct hw_packet pkt;

	(void)state;
	assert_int_equal(sizeof(ENTRY1), 2 + HW_ENTRY_DATA_LEN);
	ADD(&p, ENTRY1);
	assert_int_equal(parse(&p, &pkt), HW_OK);
	assert_int_equal(pkt.n_entries, 1);
	assert_int_equal(pkt.entries[0].mapped_port, 3719);
	assert_memory_equal(pkt.entries[0].prefix, prefix, 12);
	assert_memory_equal(pkt.entries[0].client, client, 16);
	assert_int_equal(pkt.entries[0].client_port, 53186);
	assert_int_equal(pkt.n_groups, 0);	/* no authenticator */
	assert_false(pkt.multi);

	/* entry 2: different prefix, checks each field moves */
	p.n = 0;
	ADD(&p, ENTRY2);
	assert_int_equal(parse(&p, &pkt), HW_OK);
	assert_int_equal(pkt.entries[0].mapped_port, 3720);
	assert_int_equal(pkt.entries[0].prefix[4], 0x00);
	assert_int_equal(pkt.entries[0].prefix[5], 0x64);
	assert_int_equal(pkt.entries[0].client[15], 0x55);
	assert_int_equal(pkt.entries[0].client_port, 34259);
}

static void
test_entry_badlen(void **state)
{
	struct pk p = { .n = 0 };

	(void)state;
	pk_msg(&p, 7, 30, 0);	/* length 15 */
	assert_int_equal(parse_err(&p), HW_E_BADLEN);
	p.n = 0;
	pk_msg(&p, 7, 34, 0);	/* length 17 */
	assert_int_equal(parse_err(&p), HW_E_BADLEN);
	p.n = 0;
	pk_msg(&p, 7, 0, 0);
	assert_int_equal(parse_err(&p), HW_E_BADLEN);
}

/* ---- type 8 ------------------------------------------------------------- */

static void
test_hint(void **state)
{
	struct pk p = { .n = 0 };
	struct hw_packet pkt;

	(void)state;
	ADD(&p, HINT);
	assert_int_equal(parse(&p, &pkt), HW_OK);
	assert_true(hw_has(&pkt, HW_T_HINT));
	assert_int_equal(pkt.hint, 4000);

	p.n = 0;
	pk_msg(&p, 8, 0, 0);
	assert_int_equal(parse_err(&p), HW_E_BADLEN);
	p.n = 0;
	pk_msg(&p, 8, 4, 0);
	assert_int_equal(parse_err(&p), HW_E_BADLEN);
}

/* ---- unknown types and formats ---------------------------------------- */

static void
test_unknown_types_ignored(void **state)
{
	static const unsigned types[] = { 0, 9, 10, 11, 12, 13, 14, 15 };
	struct pk p = { .n = 0 };
	struct hw_packet pkt;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		p.n = 0;
		pk_msg(&p, types[i], 6, 0x77);
		pk_msg(&p, types[i], 0, 0);	/* repeated: still ignored */
		ADD(&p, TOKEN16);
		assert_int_equal(parse(&p, &pkt), HW_OK);
		assert_int_equal(pkt.seen, (1u << types[i]) | (1u << HW_T_TOKEN));
		assert_int_equal(pkt.token.len, 16);
	}
	/* all of them at once, with 510-octet data */
	p.n = 0;
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		pk_msg(&p, types[i], 510, (uint8_t)i);
	assert_int_equal(parse(&p, &pkt), HW_OK);
	assert_int_equal(pkt.seen, 0xfe01);
}

static void
test_unknown_formats(void **state)
{
	static const uint8_t bad[] = { 0x0, 0x1, 0x2, 0x5, 0x7, 0x8, 0x9, 0xa,
		0xb, 0xc, 0xd, 0xe, 0xf };
	struct pk p;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad); i++) {
		/* alone: 2 octets looking like a message of that format */
		p.n = 0;
		p.b[0] = (uint8_t)(bad[i] << 4 | 4);
		p.b[1] = 0;
		p.n = 2;
		assert_int_equal(parse_err(&p), HW_E_FORMAT);
		/* after a valid token: the whole packet is dropped */
		p.n = 0;
		ADD(&p, TOKEN16);
		p.b[p.n++] = (uint8_t)(bad[i] << 4);
		p.b[p.n++] = 0;
		assert_int_equal(parse_err(&p), HW_E_FORMAT);
		/* before one */
		p.n = 0;
		p.b[p.n++] = (uint8_t)(bad[i] << 4 | 3);
		p.b[p.n++] = 0;
		ADD(&p, TOKEN16);
		assert_int_equal(parse_err(&p), HW_E_FORMAT);
	}
	/* Teredo-looking: an IPv6 header would start 0x6, but Teredo's
	 * indicators start 0x00 0x01 / 0x00 0x00 */
	p.n = 0;
	p.b[0] = 0x00;
	p.b[1] = 0x01;
	p.b[2] = 0x00;
	p.b[3] = 0x00;
	p.n = 4;
	assert_int_equal(parse_err(&p), HW_E_FORMAT);
}

static void
test_empty_and_truncated(void **state)
{
	struct pk p = { .n = 0 };
	struct hw_packet pkt;

	(void)state;
	assert_int_equal(hw_parse(p.b, 0, &pkt), HW_E_EMPTY);
	assert_int_equal(hw_parse(NULL, 0, &pkt), HW_E_EMPTY);
	/* more than any UDP payload: refused before reading (NULL not touched) */
	assert_int_equal(hw_parse(NULL, HW_MAX_PACKET + 1, &pkt), HW_E_EMPTY);
	{
		static uint8_t big[HW_MAX_PACKET + 1];
		size_t i;

		/* 32767 no-ops (0x32 0x00), then 0x00 0x00 at offset 65534: a
		 * format error, but the 65536-octet length is refused first */
		for (i = 0; i + 2 <= HW_MAX_PACKET - 1; i += 2)
			big[i] = 0x32;
		assert_int_equal(hw_parse(big, HW_MAX_PACKET - 1, &pkt), HW_OK);
		assert_int_equal(hw_parse(big, HW_MAX_PACKET + 1, &pkt), HW_E_TRUNC);
	}
	/* a lone first octet */
	p.b[0] = 0x34;
	p.n = 1;
	assert_int_equal(parse_err(&p), HW_E_TRUNC);
	/* token declares 16 octets, 15 present */
	p.n = 0;
	ADD(&p, TOKEN16);
	p.n--;
	assert_int_equal(parse_err(&p), HW_E_TRUNC);
	/* odd, impossible length: 3 octets = header + one data octet */
	p.n = 0;
	p.b[0] = 0x34;
	p.b[1] = 0x01;
	p.b[2] = 0xaa;
	p.n = 3;
	assert_int_equal(parse_err(&p), HW_E_TRUNC);
	/* a valid packet followed by one stray octet (odd total) */
	p.n = 0;
	ADD(&p, TOKEN16);
	p.b[p.n++] = 0x32;
	assert_int_equal(parse_err(&p), HW_E_TRUNC);
	/* length 0xff with nothing after the header */
	p.n = 0;
	p.b[0] = 0x36;
	p.b[1] = 0xff;
	p.n = 2;
	assert_int_equal(parse_err(&p), HW_E_TRUNC);
	/* entry cut in the middle */
	p.n = 0;
	ADD(&p, ENTRY1);
	p.n = 20;
	assert_int_equal(parse_err(&p), HW_E_TRUNC);
}

/* ---- duplicates ----------------------------------------------------------- */

static void
test_duplicates(void **state)
{
	struct pk p;
	uint8_t tok_other[] = { 0x34, 0x01, 0x01, 0x02 };

	(void)state;
	p.n = 0;
	pk_ident(&p);
	pk_ident(&p);
	assert_int_equal(parse_err(&p), HW_E_DUP);
	p.n = 0;
	ADD(&p, TOKEN16);
	ADD(&p, tok_other);
	assert_int_equal(parse_err(&p), HW_E_DUP);
	p.n = 0;
	ADD(&p, TOKEN0);
	ADD(&p, TOKEN0);
	assert_int_equal(parse_err(&p), HW_E_DUP);
	p.n = 0;
	ADD(&p, TOKROT16);
	ADD(&p, TOKEN16);
	ADD(&p, TOKROT16);
	assert_int_equal(parse_err(&p), HW_E_DUP);
	p.n = 0;
	ADD(&p, HINT);
	ADD(&p, HINT);
	assert_int_equal(parse_err(&p), HW_E_DUP);
	/* two authenticators and no entry: §7 attempted and broken */
	p.n = 0;
	ADD(&p, TOKEN16);
	ADD(&p, AUTH16);
	ADD(&p, AUTH4);
	assert_int_equal(parse_err(&p), HW_E_MULTI);
}

/* ---- §7 multiple entries --------------------------------------------------- */

static void
test_multi_good(void **state)
{
	struct pk p = { .n = 0 };
	struct hw_packet pkt;

	(void)state;
	pk_ident(&p);
	ADD(&p, TOKEN16);
	ADD(&p, AUTH16);	/* group 0: auth a0.. covers ENTRY1, ENTRY2 */
	ADD(&p, ENTRY1);
	ADD(&p, ENTRY2);
	ADD(&p, AUTH4);		/* group 1: auth c0.. covers ENTRY2 */
	ADD(&p, ENTRY2);
	assert_int_equal(parse(&p, &pkt), HW_OK);
	assert_true(pkt.multi);
	assert_int_equal(pkt.n_entries, 3);
	assert_int_equal(pkt.n_groups, 2);
	assert_int_equal(pkt.groups[0].first, 0);
	assert_int_equal(pkt.groups[0].count, 2);
	assert_int_equal(pkt.groups[0].auth.len, 16);
	assert_int_equal(pkt.groups[0].auth.p[0], 0xa0);
	assert_int_equal(pkt.groups[1].first, 2);
	assert_int_equal(pkt.groups[1].count, 1);
	assert_int_equal(pkt.groups[1].auth.len, 4);
	assert_int_equal(pkt.groups[1].auth.p[3], 0xc3);
	assert_int_equal(pkt.auth.p[0], 0xa0);	/* ->auth is the first one */
	assert_int_equal(pkt.entries[0].mapped_port, 3719);
	assert_int_equal(pkt.entries[1].mapped_port, 3720);
	assert_int_equal(pkt.entries[2].client_port, 34259);
	assert_int_equal(hw_check_to_server(&pkt), HW_OK);
	assert_int_equal(hw_check_to_nat64(&pkt), HW_E_MULTI);

	/* one group of two entries; other messages are transparent to grouping */
	p.n = 0;
	ADD(&p, AUTH16);
	ADD(&p, ENTRY1);
	ADD(&p, TOKEN16);
	ADD(&p, ENTRY2);
	pk_ident(&p);
	assert_int_equal(parse(&p, &pkt), HW_OK);
	assert_true(pkt.multi);
	assert_int_equal(pkt.n_groups, 1);
	assert_int_equal(pkt.groups[0].count, 2);
	assert_int_equal(hw_check_to_server(&pkt), HW_OK);

	/* missing identifier or token: composition error */
	p.n = 0;
	ADD(&p, TOKEN16);
	ADD(&p, AUTH16);
	ADD(&p, ENTRY1);
	ADD(&p, ENTRY2);
	assert_int_equal(parse(&p, &pkt), HW_OK);
	assert_int_equal(hw_check_to_server(&pkt), HW_E_ENTRY_NEEDS);
	p.n = 0;
	pk_ident(&p);
	ADD(&p, AUTH16);
	ADD(&p, ENTRY1);
	ADD(&p, ENTRY2);
	assert_int_equal(parse(&p, &pkt), HW_OK);
	assert_int_equal(hw_check_to_server(&pkt), HW_E_NO_TOKEN);
}

static void
test_multi_bad(void **state)
{
	struct pk p;

	(void)state;
	/* entry before any authenticator */
	p.n = 0;
	pk_ident(&p);
	ADD(&p, TOKEN16);
	ADD(&p, ENTRY1);
	ADD(&p, AUTH16);
	ADD(&p, ENTRY2);
	assert_int_equal(parse_err(&p), HW_E_MULTI);
	/* authenticator without entries, at the end */
	p.n = 0;
	pk_ident(&p);
	ADD(&p, TOKEN16);
	ADD(&p, AUTH16);
	ADD(&p, ENTRY1);
	ADD(&p, AUTH4);
	assert_int_equal(parse_err(&p), HW_E_MULTI);
	/* ... and in the middle */
	p.n = 0;
	pk_ident(&p);
	ADD(&p, TOKEN16);
	ADD(&p, AUTH16);
	ADD(&p, AUTH4);
	ADD(&p, ENTRY1);
	assert_int_equal(parse_err(&p), HW_E_MULTI);
	/* two entries, no authenticator */
	p.n = 0;
	pk_ident(&p);
	ADD(&p, TOKEN16);
	ADD(&p, ENTRY1);
	ADD(&p, ENTRY2);
	assert_int_equal(parse_err(&p), HW_E_MULTI);
	/* with an IP packet */
	p.n = 0;
	pk_ident(&p);
	ADD(&p, TOKEN16);
	ADD(&p, AUTH16);
	ADD(&p, ENTRY1);
	ADD(&p, ENTRY2);
	ADD(&p, IP6);
	assert_int_equal(parse_err(&p), HW_E_MULTI);
}

/* ident (146) + token (18) + auth of 46 octets (48) + 30 entries (1020) = 1232 */
static void
build_1232(struct pk *p)
{
	int i;

	p->n = 0;
	pk_ident(p);
	ADD(p, TOKEN16);
	pk_msg(p, 6, 46, 0x46);
	for (i = 0; i < 30; i++)
		ADD(p, ENTRY1);
	assert_int_equal(p->n, 1232);
}

static void
test_multi_size(void **state)
{
	struct pk p;
	struct hw_packet pkt;

	(void)state;
	build_1232(&p);
	assert_int_equal(parse(&p, &pkt), HW_OK);
	assert_true(pkt.multi);
	assert_int_equal(pkt.n_entries, 30);
	assert_int_equal(hw_check_to_server(&pkt), HW_OK);
	/* 1233: one stray octet (handoff messages are always even) */
	p.b[p.n++] = 0x32;
	assert_int_equal(parse_err(&p), HW_E_TRUNC);
	/* 1233 by a one-octet-longer token is impossible; 1234 is the next */
	build_1232(&p);
	ADD(&p, NOOP);
	assert_int_equal(p.n, 1234);
	assert_int_equal(parse_err(&p), HW_E_MULTI);
	/* the same 1234 octets as a single-entry packet are fine (no limit) */
	p.n = 0;
	pk_ident(&p);
	ADD(&p, TOKEN16);
	ADD(&p, AUTH16);
	ADD(&p, ENTRY1);
	pk_msg(&p, 2, 510, 0);
	pk_msg(&p, 2, 510, 0);
	assert_true(p.n > 1232);
	assert_int_equal(parse(&p, &pkt), HW_OK);
	assert_false(pkt.multi);
	assert_int_equal(hw_check_to_server(&pkt), HW_OK);
}

static void
test_too_many_entries(void **state)
{
	struct pk p = { .n = 0 };
	int i;

	(void)state;
	ADD(&p, AUTH4);
	for (i = 0; i < HW_MAX_ENTRIES + 1; i++)
		ADD(&p, ENTRY1);
	assert_int_equal(parse_err(&p), HW_E_TOO_MANY);
	p.n = 0;
	for (i = 0; i < HW_MAX_ENTRIES + 1; i++) {
		pk_msg(&p, 6, 0, 0);
		ADD(&p, ENTRY1);
	}
	assert_int_equal(parse_err(&p), HW_E_TOO_MANY);
	/* 64 fit the arrays but not in 1232 octets */
	p.n = 0;
	ADD(&p, AUTH4);
	for (i = 0; i < HW_MAX_ENTRIES; i++)
		ADD(&p, ENTRY1);
	assert_int_equal(parse_err(&p), HW_E_MULTI);
}

static void
test_single_group_any_order(void **state)
{
	struct pk p = { .n = 0 };
	struct hw_packet pkt;

	(void)state;
	ADD(&p, ENTRY1);	/* entry before its authenticator: fine when single */
	ADD(&p, TOKEN16);
	pk_ident(&p);
	ADD(&p, AUTH16);
	assert_int_equal(parse(&p, &pkt), HW_OK);
	assert_false(pkt.multi);
	assert_int_equal(pkt.n_groups, 1);
	assert_int_equal(pkt.groups[0].first, 0);
	assert_int_equal(pkt.groups[0].count, 1);
	assert_ptr_equal(pkt.groups[0].auth.p, pkt.auth.p);
	assert_int_equal(hw_check_to_server(&pkt), HW_OK);
}

/* ---- embedded packets ------------------------------------------------------ */

static void
test_ip4_embedded(void **state)
{
	struct pk p;
	struct hw_packet pkt;
	size_t at;

	(void)state;
	p.n = 0;
	ADD(&p, TOKEN16);
	at = p.n;
	ADD(&p, IP4);
	assert_int_equal(parse(&p, &pkt), HW_OK);
	assert_int_equal(pkt.ip_version, 4);
	assert_int_equal(pkt.ip.len, 28);
	assert_ptr_equal(pkt.ip.p, p.b + at);
	assert_int_equal(pkt.trailing, 0);
	/* 6 octets of Ethernet padding after it: not parsed, counted */
	memset(p.b + p.n, 0, 6);
	p.n += 6;
	assert_int_equal(parse(&p, &pkt), HW_OK);
	assert_int_equal(pkt.ip.len, 28);
	assert_int_equal(pkt.trailing, 6);
	/* a message after it: not parsed either (no duplicate-token error) */
	p.n -= 6;
	ADD(&p, TOKEN16);
	assert_int_equal(parse(&p, &pkt), HW_OK);
	assert_int_equal(pkt.trailing, sizeof(TOKEN16));
	assert_int_equal(pkt.ip.len, 28);
	/* truncated by one */
	p.n = at + sizeof(IP4) - 1;
	assert_int_equal(parse_err(&p), HW_E_TRUNC);
	/* only 3 octets of header (the byte after them, outside the payload,
	 * would make Total Length 3: must not be read) */
	p.n = at + 3;
	p.b[at + 3] = 3;
	assert_int_equal(parse_err(&p), HW_E_TRUNC);
	p.b[at + 3] = 28;
	/* IHL 4 */
	p.n = at + sizeof(IP4);
	p.b[at] = 0x44;
	assert_int_equal(parse_err(&p), HW_E_IP_HEADER);
	/* IHL 0 */
	p.b[at] = 0x40;
	assert_int_equal(parse_err(&p), HW_E_IP_HEADER);
	/* total length 19 < IHL*4 */
	p.b[at] = 0x45;
	p.b[at + 3] = 19;
	p.n = at + 19;
	assert_int_equal(parse_err(&p), HW_E_IP_HEADER);
	/* IHL 6, total 28: fine (options) */
	p.b[at] = 0x46;
	p.b[at + 3] = 28;
	p.n = at + 28;
	assert_int_equal(parse(&p, &pkt), HW_OK);
	/* IHL 8 > total 28: header longer than the packet */
	p.b[at] = 0x48;
	assert_int_equal(parse_err(&p), HW_E_IP_HEADER);
	/* total length claims 0xffff */
	p.b[at] = 0x45;
	p.b[at + 2] = 0xff;
	p.b[at + 3] = 0xff;
	assert_int_equal(parse_err(&p), HW_E_TRUNC);
}

static void
test_ip6_embedded(void **state)
{
	struct pk p;
	struct hw_packet pkt;
	size_t at;

	(void)state;
	p.n = 0;
	ADD(&p, TOKEN16);
	ADD(&p, AUTH16);
	ADD(&p, HINT);
	at = p.n;
	ADD(&p, IP6);
	assert_int_equal(parse(&p, &pkt), HW_OK);
	assert_int_equal(pkt.ip_version, 6);
	assert_int_equal(pkt.ip.len, 50);
	assert_ptr_equal(pkt.ip.p, p.b + at);
	assert_int_equal(pkt.hint, 4000);
	/* a trailing octet: ignored, counted */
	p.b[p.n++] = 0x60;
	assert_int_equal(parse(&p, &pkt), HW_OK);
	assert_int_equal(pkt.trailing, 1);
	assert_int_equal(pkt.ip.len, 50);
	/* both an IPv6 and an IPv4 packet: the first is the packet */
	p.n--;
	ADD(&p, IP4);
	assert_int_equal(parse(&p, &pkt), HW_OK);
	assert_int_equal(pkt.ip_version, 6);
	assert_int_equal(pkt.trailing, sizeof(IP4));
	/* truncated */
	p.n = at + sizeof(IP6) - 1;
	assert_int_equal(parse_err(&p), HW_E_TRUNC);
	p.n = at + 39;		/* not even the fixed header */
	assert_int_equal(parse_err(&p), HW_E_TRUNC);
	p.n = at + 5;
	p.b[at + 5] = 0;	/* outside: would read as payload length 0 */
	assert_int_equal(parse_err(&p), HW_E_TRUNC);
	p.b[at + 5] = 0x0a;
	/* jumbogram: payload length 0 (with a hop-by-hop header) */
	p.n = at + sizeof(IP6);
	p.b[at + 4] = 0;
	p.b[at + 5] = 0;
	p.b[at + 6] = 0;	/* next header: hop-by-hop */
	p.n = at + 40;
	assert_int_equal(parse_err(&p), HW_E_IP_HEADER);
	p.n = at + 50;
	assert_int_equal(parse_err(&p), HW_E_IP_HEADER);
}

static void
test_ip_len(void **state)
{
	uint8_t b[100];

	(void)state;
	memcpy(b, IP4, sizeof(IP4));
	assert_int_equal(hw_ip_len(b, 28), 28);
	assert_int_equal(hw_ip_len(b, 100), 28);	/* from its own header */
	assert_int_equal(hw_ip_len(b, 27), 0);
	assert_int_equal(hw_ip_len(b, 0), 0);
	assert_int_equal(hw_ip_len(NULL, 28), 0);
	b[0] = 0x44;
	assert_int_equal(hw_ip_len(b, 28), 0);
	b[0] = 0x55;	/* version 5 */
	assert_int_equal(hw_ip_len(b, 28), 0);
	memcpy(b, IP6, sizeof(IP6));
	assert_int_equal(hw_ip_len(b, 50), 50);
	assert_int_equal(hw_ip_len(b, 100), 50);
	assert_int_equal(hw_ip_len(b, 49), 0);
	b[4] = b[5] = 0;
	assert_int_equal(hw_ip_len(b, 100), 0);
	b[0] = 0x30;
	assert_int_equal(hw_ip_len(b, 100), 0);
}

/* ---- composition: NAT64 -> server (§5) ------------------------------------- */

static enum hw_err
to_server(const struct pk *p)
{
	struct hw_packet pkt;

	assert_int_equal(parse(p, &pkt), HW_OK);
	return hw_check_to_server(&pkt);
}

static enum hw_err
to_nat64(const struct pk *p)
{
	struct hw_packet pkt;

	assert_int_equal(parse(p, &pkt), HW_OK);
	return hw_check_to_nat64(&pkt);
}

static void
test_compose_to_server(void **state)
{
	struct pk p;

	(void)state;
	/* token + IPv4 packet (a miss, or the bounce) */
	p.n = 0; ADD(&p, TOKEN16); ADD(&p, IP4);
	assert_int_equal(to_server(&p), HW_OK);
	/* IPv4 packet without token */
	p.n = 0; ADD(&p, IP4);
	assert_int_equal(to_server(&p), HW_E_NO_TOKEN);
	/* token alone; token + no-op + hint */
	p.n = 0; ADD(&p, TOKEN16);
	assert_int_equal(to_server(&p), HW_E_NO_PAYLOAD);
	p.n = 0; ADD(&p, TOKEN16); ADD(&p, NOOP); ADD(&p, HINT); ADD(&p, AUTH16);
	assert_int_equal(to_server(&p), HW_E_NO_PAYLOAD);
	/* token + auth + IPv6 (+ hint) */
	p.n = 0; ADD(&p, TOKEN16); ADD(&p, AUTH16); ADD(&p, IP6);
	assert_int_equal(to_server(&p), HW_OK);
	p.n = 0; ADD(&p, HINT); ADD(&p, AUTH16); ADD(&p, TOKEN0); ADD(&p, IP6);
	assert_int_equal(to_server(&p), HW_OK);
	/* IPv6 without auth */
	p.n = 0; ADD(&p, TOKEN16); ADD(&p, HINT); ADD(&p, IP6);
	assert_int_equal(to_server(&p), HW_E_IPV6_NEEDS_AUTH);
	/* IPv6 without token */
	p.n = 0; ADD(&p, AUTH16); ADD(&p, IP6);
	assert_int_equal(to_server(&p), HW_E_NO_TOKEN);
	/* entry with ident + auth + token */
	p.n = 0; pk_ident(&p); ADD(&p, TOKEN16); ADD(&p, AUTH16); ADD(&p, ENTRY1);
	assert_int_equal(to_server(&p), HW_OK);
	/* entry without ident */
	p.n = 0; ADD(&p, TOKEN16); ADD(&p, AUTH16); ADD(&p, ENTRY1);
	assert_int_equal(to_server(&p), HW_E_ENTRY_NEEDS);
	/* entry without auth */
	p.n = 0; pk_ident(&p); ADD(&p, TOKEN16); ADD(&p, ENTRY1);
	assert_int_equal(to_server(&p), HW_E_ENTRY_NEEDS);
	/* entry without token */
	p.n = 0; pk_ident(&p); ADD(&p, AUTH16); ADD(&p, ENTRY1);
	assert_int_equal(to_server(&p), HW_E_NO_TOKEN);
	/* entry and IPv6 packet together */
	p.n = 0; pk_ident(&p); ADD(&p, TOKEN16); ADD(&p, AUTH16); ADD(&p, ENTRY1); ADD(&p, IP6);
	assert_int_equal(to_server(&p), HW_OK);
	/* entry (complete) + IPv4 packet */
	p.n = 0; pk_ident(&p); ADD(&p, TOKEN16); ADD(&p, AUTH16); ADD(&p, ENTRY1); ADD(&p, IP4);
	assert_int_equal(to_server(&p), HW_OK);
	/* server patterns sent to the server: auth + IPv6 (no token) */
	p.n = 0; ADD(&p, AUTH16); ADD(&p, ENTRY1);
	assert_int_equal(to_server(&p), HW_E_NO_TOKEN);
}

/* ---- composition: server -> NAT64 (§6) ------------------------------------- */

static void
test_compose_to_nat64(void **state)
{
	struct pk p;

	(void)state;
	/* pattern 1: token + IPv4 packet */
	p.n = 0; ADD(&p, TOKEN16); ADD(&p, IP4);
	assert_int_equal(to_nat64(&p), HW_OK);
	p.n = 0; ADD(&p, IP4);
	assert_int_equal(to_nat64(&p), HW_E_SERVER_PATTERN);
	p.n = 0; ADD(&p, TOKEN16);
	assert_int_equal(to_nat64(&p), HW_E_SERVER_PATTERN);
	p.n = 0; ADD(&p, TOKEN16); ADD(&p, IP6);	/* token goes with IPv4 only */
	assert_int_equal(to_nat64(&p), HW_E_SERVER_PATTERN);
	/* pattern 2: auth + IPv6 packet (the validation packet's shape) */
	p.n = 0; ADD(&p, AUTH16); ADD(&p, IP6);
	assert_int_equal(to_nat64(&p), HW_OK);
	p.n = 0; pk_msg(&p, 6, 0, 0); ADD(&p, IP6);	/* zero-length auth */
	assert_int_equal(to_nat64(&p), HW_OK);
	p.n = 0; ADD(&p, IP6);
	assert_int_equal(to_nat64(&p), HW_E_SERVER_PATTERN);
	p.n = 0; ADD(&p, AUTH16); ADD(&p, IP4);		/* auth goes with IPv6 */
	assert_int_equal(to_nat64(&p), HW_E_SERVER_PATTERN);
	p.n = 0; ADD(&p, AUTH16);
	assert_int_equal(to_nat64(&p), HW_E_SERVER_PATTERN);
	/* pattern 3: auth + entry, optionally any IP packet */
	p.n = 0; ADD(&p, AUTH16); ADD(&p, ENTRY1);
	assert_int_equal(to_nat64(&p), HW_OK);
	p.n = 0; ADD(&p, ENTRY1); ADD(&p, AUTH16); ADD(&p, IP6);
	assert_int_equal(to_nat64(&p), HW_OK);
	p.n = 0; ADD(&p, AUTH16); ADD(&p, ENTRY1); ADD(&p, IP4);
	assert_int_equal(to_nat64(&p), HW_OK);
	p.n = 0; ADD(&p, ENTRY1);
	assert_int_equal(to_nat64(&p), HW_E_SERVER_PATTERN);
	p.n = 0; ADD(&p, ENTRY1); ADD(&p, IP4);
	assert_int_equal(to_nat64(&p), HW_E_SERVER_PATTERN);
	p.n = 0; ADD(&p, TOKEN16); ADD(&p, ENTRY1);
	assert_int_equal(to_nat64(&p), HW_E_SERVER_PATTERN);
	/* a NAT64->server packet that also fits a server pattern */
	p.n = 0; ADD(&p, TOKEN16); ADD(&p, AUTH16); ADD(&p, IP6);
	assert_int_equal(to_nat64(&p), HW_OK);
	/* the §7 format is NAT64->server only */
	p.n = 0; pk_ident(&p); ADD(&p, TOKEN16); ADD(&p, AUTH16); ADD(&p, ENTRY1); ADD(&p, ENTRY2);
	assert_int_equal(to_nat64(&p), HW_E_MULTI);
}

/* ---- encoders ------------------------------------------------------------ */

static void
test_encode_exact(void **state)
{
	uint8_t b[2048];
	struct buf_wr w;
	struct hw_entry e = {
		.mapped_port = 3719,
		.prefix = { 0x00, 0x64, 0xff, 0x9b },
		.client = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x17 },
		.client_port = 53186,
	};
	size_t o = 0;

	(void)state;
	buf_wr_init(&w, b, sizeof(b));
	assert_true(hw_put_ident(&w));
	assert_memory_equal(b, IDENT_HDR, 2);
	assert_memory_equal(b + 2, IDENT_TEXT, 144);
	o = 146;
	assert_true(hw_put_blob(&w, HW_T_TOKEN, TOKEN16 + 2, 16));
	assert_memory_equal(b + o, TOKEN16, sizeof(TOKEN16));
	o += sizeof(TOKEN16);
	assert_true(hw_put_blob(&w, HW_T_TOKEN_ROT, TOKROT16 + 2, 16));
	assert_memory_equal(b + o, TOKROT16, sizeof(TOKROT16));
	o += sizeof(TOKROT16);
	assert_true(hw_put_blob(&w, HW_T_AUTH, AUTH16 + 2, 16));
	assert_memory_equal(b + o, AUTH16, sizeof(AUTH16));
	o += sizeof(AUTH16);
	assert_true(hw_put_entry(&w, &e));
	assert_memory_equal(b + o, ENTRY1, sizeof(ENTRY1));
	o += sizeof(ENTRY1);
	assert_true(hw_put_hint(&w, 4000));
	assert_memory_equal(b + o, HINT, sizeof(HINT));
	o += sizeof(HINT);
	assert_true(hw_put_noop(&w));
	assert_memory_equal(b + o, NOOP, sizeof(NOOP));
	o += sizeof(NOOP);
	assert_true(hw_put_blob(&w, HW_T_TOKEN, NULL, 0));
	assert_memory_equal(b + o, TOKEN0, sizeof(TOKEN0));
	o += sizeof(TOKEN0);
	assert_true(hw_put_ip(&w, IP6, sizeof(IP6)));
	assert_memory_equal(b + o, IP6, sizeof(IP6));
	o += sizeof(IP6);
	assert_int_equal(w.off, o);
	assert_false(w.err);
}

static void
test_encode_roundtrip(void **state)
{
	uint8_t b[2048], tok[510];
	struct buf_wr w;
	struct hw_packet pkt;
	struct hw_entry e[3] = {
		{ 1024, { 0x00, 0x64, 0xff, 0x9b }, { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 }, 1 },
		{ 65535, { 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x64 }, { 0x20, 0x01, 0x0d, 0xb8, [14] = 0xff, 0xff }, 65535 },
		{ 3544, { 0 }, { 0 }, 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(tok); i++)
		tok[i] = (uint8_t)(i * 7);
	/* single-entry NAT64->server packet with a 510-octet token */
	buf_wr_init(&w, b, sizeof(b));
	hw_put_ident(&w);
	hw_put_blob(&w, HW_T_TOKEN, tok, 510);
	hw_put_blob(&w, HW_T_AUTH, tok, 32);
	hw_put_entry(&w, &e[1]);
	hw_put_hint(&w, 65535);
	assert_true(hw_put_ip(&w, IP4, sizeof(IP4)));
	assert_false(w.err);
	assert_int_equal(hw_parse(b, w.off, &pkt), HW_OK);
	assert_int_equal(pkt.token.len, 510);
	assert_memory_equal(pkt.token.p, tok, 510);
	assert_int_equal(pkt.auth.len, 32);
	assert_int_equal(pkt.n_entries, 1);
	assert_memory_equal(&pkt.entries[0], &e[1], sizeof(e[1]));
	assert_int_equal(pkt.hint, 65535);
	assert_int_equal(pkt.ip_version, 4);
	assert_memory_equal(pkt.ip.p, IP4, sizeof(IP4));
	assert_int_equal(hw_check_to_server(&pkt), HW_OK);

	/* §7 packet: two groups */
	buf_wr_init(&w, b, sizeof(b));
	hw_put_ident(&w);
	hw_put_blob(&w, HW_T_TOKEN, tok, 16);
	hw_put_blob(&w, HW_T_AUTH, tok + 100, 16);
	hw_put_entry(&w, &e[0]);
	hw_put_blob(&w, HW_T_AUTH, tok + 200, 18);
	hw_put_entry(&w, &e[1]);
	hw_put_entry(&w, &e[2]);
	assert_false(w.err);
	assert_int_equal(hw_parse(b, w.off, &pkt), HW_OK);
	assert_true(pkt.multi);
	assert_int_equal(pkt.n_groups, 2);
	for (i = 0; i < 3; i++) {
		assert_int_equal(pkt.entries[i].mapped_port, e[i].mapped_port);
		assert_memory_equal(pkt.entries[i].prefix, e[i].prefix, 12);
		assert_memory_equal(pkt.entries[i].client, e[i].client, 16);
		assert_int_equal(pkt.entries[i].client_port, e[i].client_port);
	}
	assert_memory_equal(pkt.groups[1].auth.p, tok + 200, 18);
	assert_int_equal(hw_check_to_server(&pkt), HW_OK);
}

static void
test_encode_refusals(void **state)
{
	uint8_t b[600], d[512] = { 0 };
	struct buf_wr w;

	(void)state;
	/* odd length */
	buf_wr_init(&w, b, sizeof(b));
	assert_false(hw_put_blob(&w, HW_T_TOKEN, d, 15));
	assert_true(w.err);
	assert_int_equal(w.off, 0);
	/* 511 and 512 */
	buf_wr_init(&w, b, sizeof(b));
	assert_false(hw_put_blob(&w, HW_T_AUTH, d, 512));
	assert_true(w.err);
	buf_wr_init(&w, b, sizeof(b));
	assert_false(hw_put_blob(&w, HW_T_AUTH, d, 511));
	assert_true(w.err);
	/* 510 is the maximum */
	buf_wr_init(&w, b, sizeof(b));
	assert_true(hw_put_blob(&w, HW_T_AUTH, d, 510));
	assert_int_equal(w.off, 512);
	assert_int_equal(b[1], 0xff);
	/* type outside the nibble */
	buf_wr_init(&w, b, sizeof(b));
	assert_false(hw_put_blob(&w, (enum hw_type)16, d, 2));
	assert_true(w.err);
	/* NULL with a length */
	buf_wr_init(&w, b, sizeof(b));
	assert_false(hw_put_blob(&w, HW_T_TOKEN, NULL, 2));
	assert_true(w.err);
	/* overflow: nothing partial is written, the error sticks */
	buf_wr_init(&w, b, 145);
	assert_false(hw_put_ident(&w));
	assert_true(w.err);
	assert_int_equal(w.off, 0);
	assert_false(hw_put_noop(&w));	/* sticky */
	buf_wr_init(&w, b, 20);
	assert_true(hw_put_noop(&w));
	assert_false(hw_put_blob(&w, HW_T_TOKEN, d, 18));
	assert_int_equal(w.off, 2);
	assert_false(hw_put_hint(&w, 1));
	buf_wr_init(&w, b, 33);
	assert_false(hw_put_entry(&w, &(struct hw_entry){ 0 }));
	buf_wr_init(&w, b, 3);
	assert_false(hw_put_hint(&w, 1));
	buf_wr_init(&w, b, 49);
	assert_false(hw_put_ip(&w, IP6, sizeof(IP6)));
	assert_true(w.err);
	/* IP packet whose header disagrees with ip_len */
	buf_wr_init(&w, b, sizeof(b));
	assert_false(hw_put_ip(&w, IP6, sizeof(IP6) - 1));
	assert_true(w.err);
	buf_wr_init(&w, b, sizeof(b));
	memcpy(d, IP4, sizeof(IP4));
	assert_false(hw_put_ip(&w, d, sizeof(IP4) + 1));
	buf_wr_init(&w, b, sizeof(b));
	d[0] = 0x44;
	assert_false(hw_put_ip(&w, d, sizeof(IP4)));
	buf_wr_init(&w, b, sizeof(b));
	assert_false(hw_put_ip(&w, NULL, 0));
}

static void
test_strerror(void **state)
{
	int e;

	(void)state;
	for (e = 0; e < HW_E__COUNT; e++) {
		assert_non_null(hw_strerror((enum hw_err)e));
		assert_string_not_equal(hw_strerror((enum hw_err)e), "unknown error");
	}
	assert_string_equal(hw_strerror(HW_E__COUNT), "unknown error");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ident_text),
		cmocka_unit_test(test_ident_parse),
		cmocka_unit_test(test_ident_badlen),
		cmocka_unit_test(test_noop_invalid),
		cmocka_unit_test(test_token_lengths),
		cmocka_unit_test(test_token_rot_and_auth),
		cmocka_unit_test(test_entry_layout),
		cmocka_unit_test(test_entry_badlen),
		cmocka_unit_test(test_hint),
		cmocka_unit_test(test_unknown_types_ignored),
		cmocka_unit_test(test_unknown_formats),
		cmocka_unit_test(test_empty_and_truncated),
		cmocka_unit_test(test_duplicates),
		cmocka_unit_test(test_multi_good),
		cmocka_unit_test(test_multi_bad),
		cmocka_unit_test(test_multi_size),
		cmocka_unit_test(test_too_many_entries),
		cmocka_unit_test(test_single_group_any_order),
		cmocka_unit_test(test_ip4_embedded),
		cmocka_unit_test(test_ip6_embedded),
		cmocka_unit_test(test_ip_len),
		cmocka_unit_test(test_compose_to_server),
		cmocka_unit_test(test_compose_to_nat64),
		cmocka_unit_test(test_encode_exact),
		cmocka_unit_test(test_encode_roundtrip),
		cmocka_unit_test(test_encode_refusals),
		cmocka_unit_test(test_strerror),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
