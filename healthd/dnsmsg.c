/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* dnsmsg.c — see dnsmsg.h. */
#include "dnsmsg.h"
#include "buf.h"

#include <ctype.h>
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
