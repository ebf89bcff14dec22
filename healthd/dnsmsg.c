/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* dnsmsg.c — see hd_dnsmsg.h. */
#include "hd_dnsmsg.h"
#include "buf.h"

#include <ctype.h>
#include <stdbool.h>
#include <string.h>

int
hd_dns_build(uint8_t *out, size_t cap, uint16_t id, const char *qname, uint16_t qtype)
{
	struct buf_wr w;
	const char *p = qname, *dot;

	buf_wr_init(&w, out, cap);
	buf_put_u16(&w, id);
	buf_put_u16(&w, 0x0100);	/* RD */
	buf_put_u16(&w, 1);
	buf_put_u16(&w, 0);
	buf_put_u16(&w, 0);
	buf_put_u16(&w, 0);
	if (strcmp(qname, ".") != 0) {
		while (*p) {
			size_t n;

			dot = strchr(p, '.');
			n = dot ? (size_t)(dot - p) : strlen(p);
			if (n == 0 || n > 63)
				return -1;
			buf_put_u8(&w, (uint8_t)n);
			buf_put_bytes(&w, p, n);
			p += n + (dot ? 1 : 0);
		}
	}
	buf_put_u8(&w, 0);
	buf_put_u16(&w, qtype);
	buf_put_u16(&w, 1);
	return w.err ? -1 : (int)w.off;
}

int
hd_dns_is_reply(const uint8_t *pkt, size_t len, const uint8_t *query, size_t qlen)
{
	struct buf_rd r, q;
	uint16_t id, flags, qd, qid;
	size_t i, qsec;

	if (qlen < 12 || len < 12)
		return -1;
	buf_rd_init(&r, pkt, len);
	buf_rd_init(&q, query, qlen);
	buf_get_u16(&r, &id);
	buf_get_u16(&r, &flags);
	buf_get_u16(&r, &qd);
	buf_get_u16(&q, &qid);
	if (r.err || q.err || id != qid || !(flags & 0x8000) || qd != 1)
		return -1;
	/* question: the query's bytes after the header, compared with case
	 * folded in the name (servers may echo 0x20-randomised case) */
	qsec = qlen - 12;
	if (len < 12 + qsec)
		return -1;
	for (i = 0; i < qsec; i++)
		if (tolower(pkt[12 + i]) != tolower(query[12 + i]))
			return -1;
	return 0;
}

/* Skip a (possibly compressed) name: a pointer ends it. */
static bool
hd_dns_skip_name(struct buf_rd *r)
{
	uint8_t l;
	unsigned labels = 0;

	for (;;) {
		if (!buf_get_u8(r, &l))
			return false;
		if (l == 0)
			return true;
		if ((l & 0xc0) == 0xc0)
			return buf_get_n(r, 1) != NULL;
		if ((l & 0xc0) != 0 || buf_get_n(r, l) == NULL || ++labels > 127)
			return false;
	}
}

int
hd_dns_aaaa(const uint8_t *pkt, size_t len, const uint8_t *query, size_t qlen,
    uint8_t (*out)[16], size_t max, size_t *n)
{
	struct buf_rd r;
	uint16_t flags, qd, an, type, class, rdlen;
	uint32_t ttl;
	size_t i;

	*n = 0;
	if (hd_dns_is_reply(pkt, len, query, qlen) == -1)
		return -1;
	buf_rd_init(&r, pkt, len);
	buf_get_n(&r, 2);
	buf_get_u16(&r, &flags);
	buf_get_u16(&r, &qd);
	buf_get_u16(&r, &an);
	buf_get_n(&r, 4);
	buf_get_n(&r, qlen - 12);	/* the question, checked above */
	for (i = 0; i < an; i++) {
		const uint8_t *rd;

		if (!hd_dns_skip_name(&r) || !buf_get_u16(&r, &type) || !buf_get_u16(&r, &class) ||
		    !buf_get_u32(&r, &ttl) || !buf_get_u16(&r, &rdlen) ||
		    (rd = buf_get_n(&r, rdlen)) == NULL)
			return -1;
		if (type == HD_DNS_QTYPE_AAAA && class == 1 && rdlen == 16 && *n < max)
			memcpy(out[(*n)++], rd, 16);
	}
	return flags & 0x000f;
}
