/* handoff_wire.c — see handoff_wire.h. */
#include "handoff_wire.h"

#include <string.h>

/* Compile-time checks of the wire constants. */
_Static_assert(sizeof(HW_IDENT_TEXT) - 1 == HW_IDENT_LEN, "identifier is 144 octets");
_Static_assert(HW_IDENT_LEN % 2 == 0 && HW_IDENT_LEN / 2 == 72, "identifier length field is 72");
_Static_assert(HW_MAX_DATA == 255 * 2, "length field counts 16-bit units");
_Static_assert(HW_T_HINT < 16 && HW_E__COUNT < 32, "small enums");

static const char *const hw_errstr[HW_E__COUNT] = {
	[HW_OK] = "ok",
	[HW_E_EMPTY] = "empty payload",
	[HW_E_TRUNC] = "message runs past the end of the payload",
	[HW_E_FORMAT] = "message of unknown or reserved format",
	[HW_E_DUP] = "message type repeated",
	[HW_E_IP_HEADER] = "embedded IP packet with a bad header",
	[HW_E_BADLEN] = "identifier, entry or hint with the wrong length",
	[HW_E_IDENT] = "wrong protocol identifier text",
	[HW_E_MULTI] = "malformed multiple-entry packet",
	[HW_E_TOO_MANY] = "too many entries",
	[HW_E_NO_TOKEN] = "no token",
	[HW_E_NO_PAYLOAD] = "no entry and no IP packet",
	[HW_E_ENTRY_NEEDS] = "entry without identifier or authenticator",
	[HW_E_IPV6_NEEDS_AUTH] = "IPv6 packet without authenticator",
	[HW_E_SERVER_PATTERN] = "server packet matches none of the three patterns",
};

const char *
hw_strerror(enum hw_err e)
{
	if ((unsigned)e >= HW_E__COUNT || hw_errstr[e] == NULL)
		return "unknown error";
	return hw_errstr[e];
}

/* Frame the embedded IP packet at p (left octets to the end of the
 * payload; it may end before). Distinguishes the error cases hw_ip_len()
 * folds into 0. */
static enum hw_err
hw_ip_frame(const uint8_t *p, size_t left, size_t *ip_len)
{
	size_t n;

	switch (p[0] >> 4) {
	case 4: {
		size_t ihl = (size_t)(p[0] & 0x0f) * 4;

		if (left < 4)
			return HW_E_TRUNC;
		n = be16_load(p + 2);
		if (ihl < 20 || n < ihl)
			return HW_E_IP_HEADER;
		break;
	}
	case 6:
		if (left < 6)
			return HW_E_TRUNC;
		n = be16_load(p + 4);
		if (n == 0)	/* jumbogram (RFC 2675) or empty: refused */
			return HW_E_IP_HEADER;
		n += 40;
		break;
	default:
		return HW_E_FORMAT;
	}
	if (n > left)
		return HW_E_TRUNC;
	*ip_len = n;
	return HW_OK;
}

size_t
hw_ip_len(const uint8_t *p, size_t len)
{
	size_t n = 0;

	if (p == NULL || len == 0)
		return 0;
	/* Let hw_ip_frame() see exactly the declared length, whatever follows. */
	switch (p[0] >> 4) {
	case 4:
		if (len < 4)
			return 0;
		n = be16_load(p + 2);
		break;
	case 6:
		if (len < 6)
			return 0;
		n = 40 + (size_t)be16_load(p + 4);
		break;
	default:
		return 0;
	}
	if (n > len || n > HW_MAX_PACKET || hw_ip_frame(p, n, &n) != HW_OK)
		return 0;
	return n;
}

/* Multiple-entry check (§7), once the whole payload is read. is_auth[] is the
 * sequence of 6 (true) and 7 (false) messages in payload order. */
static enum hw_err
hw_check_groups(const bool *is_auth, unsigned n)
{
	unsigned i;

	if (n == 0 || !is_auth[0])
		return HW_E_MULTI;		/* entry before any authenticator */
	for (i = 0; i < n; i++)
		if (is_auth[i] && (i + 1 == n || is_auth[i + 1]))
			return HW_E_MULTI;	/* authenticator covering no entry */
	return HW_OK;
}

enum hw_err
hw_parse(const uint8_t *payload, size_t len, struct hw_packet *out)
{
	struct buf_rd r;
	/* 6/7 messages in order: at most 1 + 2 * HW_MAX_ENTRIES before refusal. */
	bool order[2 * HW_MAX_ENTRIES + 2];
	unsigned n_order = 0, n_auth = 0;

	memset(out, 0, sizeof(*out));
	if (payload == NULL || len == 0)
		return HW_E_EMPTY;
	if (len > HW_MAX_PACKET)
		return HW_E_TRUNC;	/* cannot be one UDP payload */
	buf_rd_init(&r, payload, len);
	while (buf_left(&r) > 0) {
		const uint8_t *hdr, *data;
		uint8_t first, type;
		size_t dlen, ip_len;
		enum hw_err e;

		if (!buf_peek_u8(&r, 0, &first))
			return HW_E_TRUNC;
		if ((first >> 4) == 4 || (first >> 4) == 6) {
			e = hw_ip_frame(payload + r.off, buf_left(&r), &ip_len);
			if (e != HW_OK)
				return e;
			out->ip_version = first >> 4;
			out->trailing = (uint16_t)(buf_left(&r) - ip_len);
			out->ip.p = buf_get_n(&r, ip_len);
			out->ip.len = (uint16_t)ip_len;
			break;	/* what follows is not parsed */
		}
		if ((first >> 4) != 3)
			return HW_E_FORMAT;
		if ((hdr = buf_get_n(&r, 2)) == NULL)
			return HW_E_TRUNC;
		type = hdr[0] & 0x0f;
		dlen = (size_t)hdr[1] * 2;
		if ((data = buf_get_n(&r, dlen)) == NULL)
			return HW_E_TRUNC;

		switch (type) {
		case HW_T_IDENT:
			if (hw_has(out, HW_T_IDENT))
				return HW_E_DUP;
			if (dlen != HW_IDENT_LEN)
				return HW_E_BADLEN;
			if (memcmp(data, HW_IDENT_TEXT, HW_IDENT_LEN) != 0)
				return HW_E_IDENT;
			break;
		case HW_T_TOKEN:
		case HW_T_TOKEN_ROT: {
			struct hw_blob *b = type == HW_T_TOKEN ? &out->token : &out->token_rot;

			if (hw_has(out, type))
				return HW_E_DUP;
			b->p = data;
			b->len = (uint16_t)dlen;
			break;
		}
		case HW_T_AUTH:
			if (n_auth == 0) {
				out->auth.p = data;
				out->auth.len = (uint16_t)dlen;
			}
			if (n_auth >= HW_MAX_ENTRIES)
				return HW_E_TOO_MANY;
			out->groups[n_auth].auth.p = data;
			out->groups[n_auth].auth.len = (uint16_t)dlen;
			out->groups[n_auth].first = out->n_entries;
			n_auth++;
			order[n_order++] = true;
			break;
		case HW_T_ENTRY: {
			struct hw_entry *en;

			if (dlen != HW_ENTRY_DATA_LEN)
				return HW_E_BADLEN;
			if (out->n_entries >= HW_MAX_ENTRIES)
				return HW_E_TOO_MANY;
			en = &out->entries[out->n_entries++];
			en->mapped_port = be16_load(data);
			memcpy(en->prefix, data + 2, sizeof(en->prefix));
			memcpy(en->client, data + 14, sizeof(en->client));
			en->client_port = be16_load(data + 30);
			if (n_auth > 0)
				out->groups[n_auth - 1].count++;
			order[n_order++] = false;
			break;
		}
		case HW_T_HINT:
			if (hw_has(out, HW_T_HINT))
				return HW_E_DUP;
			if (dlen != 2)
				return HW_E_BADLEN;
			out->hint = be16_load(data);
			break;
		default:
			/* 0, 2 (no-op), 3 (invalid), 9..15: ignored, repeats too. */
			break;
		}
		out->seen |= (uint16_t)(1u << type);
	}

	if (n_auth > 1 || out->n_entries > 1) {
		enum hw_err e;

		out->multi = true;
		if (len > HW_MULTI_MAX_PAYLOAD || out->ip_version != 0)
			return HW_E_MULTI;
		if ((e = hw_check_groups(order, n_order)) != HW_OK)
			return e;
		out->n_groups = (uint8_t)n_auth;
	} else if (n_auth == 1 && out->n_entries == 1) {
		/* Single entry, order free: the one authenticator covers it. */
		out->groups[0].first = 0;
		out->groups[0].count = 1;
		out->n_groups = 1;
	} else {
		out->n_groups = 0;
		memset(out->groups, 0, sizeof(out->groups[0]));
	}
	return HW_OK;
}

enum hw_err
hw_check_to_server(const struct hw_packet *pkt)
{
	if (!hw_has(pkt, HW_T_TOKEN))
		return HW_E_NO_TOKEN;
	if (pkt->multi) {
		/* hw_parse() has checked grouping, no IP packet, size. */
		if (!hw_has(pkt, HW_T_IDENT))
			return HW_E_ENTRY_NEEDS;
		if (pkt->n_groups == 0 || pkt->ip_version != 0)
			return HW_E_MULTI;
		return HW_OK;
	}
	if (pkt->n_entries == 0 && pkt->ip_version == 0)
		return HW_E_NO_PAYLOAD;
	if (pkt->n_entries > 0 && (!hw_has(pkt, HW_T_IDENT) || !hw_has(pkt, HW_T_AUTH)))
		return HW_E_ENTRY_NEEDS;
	if (pkt->ip_version == 6 && !hw_has(pkt, HW_T_AUTH))
		return HW_E_IPV6_NEEDS_AUTH;
	return HW_OK;
}

enum hw_err
hw_check_to_nat64(const struct hw_packet *pkt)
{
	bool auth = hw_has(pkt, HW_T_AUTH);

	if (pkt->multi)
		return HW_E_MULTI;	/* §7 is NAT64 -> server only */
	if (hw_has(pkt, HW_T_TOKEN) && pkt->ip_version == 4)
		return HW_OK;
	if (auth && pkt->ip_version == 6)
		return HW_OK;
	if (auth && pkt->n_entries > 0)
		return HW_OK;
	return HW_E_SERVER_PATTERN;
}

/* Append a handoff message header + room for dlen octets, all or nothing. */
static uint8_t *
hw_put_msg(struct buf_wr *w, unsigned type, size_t dlen)
{
	uint8_t *p;

	if (type > 15 || dlen > HW_MAX_DATA || dlen % 2 != 0) {
		w->err = true;
		return NULL;
	}
	if ((p = buf_put_n(w, 2 + dlen)) == NULL)
		return NULL;
	p[0] = (uint8_t)(0x30 | type);
	p[1] = (uint8_t)(dlen / 2);
	return p + 2;
}

bool
hw_put_ident(struct buf_wr *w)
{
	uint8_t *p = hw_put_msg(w, HW_T_IDENT, HW_IDENT_LEN);

	if (p == NULL)
		return false;
	memcpy(p, HW_IDENT_TEXT, HW_IDENT_LEN);
	return true;
}

bool
hw_put_noop(struct buf_wr *w)
{
	return hw_put_msg(w, HW_T_NOOP, 0) != NULL;
}

bool
hw_put_blob(struct buf_wr *w, enum hw_type type, const uint8_t *data, size_t len)
{
	uint8_t *p;

	if (len > 0 && data == NULL) {
		w->err = true;
		return false;
	}
	if ((p = hw_put_msg(w, (unsigned)type, len)) == NULL)
		return false;
	if (len > 0)
		memcpy(p, data, len);
	return true;
}

bool
hw_put_entry(struct buf_wr *w, const struct hw_entry *e)
{
	uint8_t *p = hw_put_msg(w, HW_T_ENTRY, HW_ENTRY_DATA_LEN);

	if (p == NULL)
		return false;
	be16_store(p, e->mapped_port);
	memcpy(p + 2, e->prefix, sizeof(e->prefix));
	memcpy(p + 14, e->client, sizeof(e->client));
	be16_store(p + 30, e->client_port);
	return true;
}

bool
hw_put_hint(struct buf_wr *w, uint16_t port)
{
	uint8_t *p = hw_put_msg(w, HW_T_HINT, 2);

	if (p == NULL)
		return false;
	be16_store(p, port);
	return true;
}

bool
hw_put_ip(struct buf_wr *w, const uint8_t *ip, size_t ip_len)
{
	if (ip == NULL || ip_len == 0 || hw_ip_len(ip, ip_len) != ip_len) {
		w->err = true;
		return false;
	}
	return buf_put_bytes(w, ip, ip_len);
}
