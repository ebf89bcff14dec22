/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* hd_dnsmsg.h — the DNS probe's wire format: build one query, check that a
 * datagram is a reply to it. Bounds-checked through lib/buf.h; fuzzed by
 * fuzz/fuzz_prefixfile.c and unit-tested with truncated and forged replies. */
#ifndef HD_DNSMSG_H
#define HD_DNSMSG_H

#include <stddef.h>
#include <stdint.h>

#define HD_DNS_QTYPE_A		1
#define HD_DNS_QTYPE_AAAA	28

/* Query for qname ("." or "a.b.c"), type qtype, class IN, RD set.
 * Returns the length, or -1 if it does not fit. */
int hd_dns_build(uint8_t *out, size_t cap, uint16_t id, const char *qname, uint16_t qtype);
/* 0 if pkt is a response (QR) with this id and the same question section
 * as query; -1 otherwise. The rcode does not matter: any reply proves the
 * path. */
int hd_dns_is_reply(const uint8_t *pkt, size_t len, const uint8_t *query, size_t qlen);

/* The AAAA records of the answer section of a reply to query (checked as
 * hd_dns_is_reply() does), at most max of them into out. Returns the
 * rcode (0 NOERROR...) with *n set, or -1 if pkt is not a well-formed
 * reply to query. Names are skipped (compression pointers included)
 * within the packet's bounds. */
int hd_dns_aaaa(const uint8_t *pkt, size_t len, const uint8_t *query, size_t qlen,
    uint8_t (*out)[16], size_t max, size_t *n);

#endif
