/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* cksum.h — the Internet checksum (RFC 1071) and incremental update
 * (RFC 1624), shared by the handoff server's packet builders and nat64d. */
#ifndef NK_CKSUM_H
#define NK_CKSUM_H

#include <stddef.h>
#include <stdint.h>

/* One's-complement sum of len bytes folded into 32 bits (not inverted). */
uint32_t cksum_add(uint32_t sum, const void *p, size_t len);
/* Fold and invert: the value to store in a header. */
uint16_t cksum_finish(uint32_t sum);
/* Pseudo-header sums (addresses in network order as bytes). */
uint32_t cksum_pseudo4(const uint8_t src[4], const uint8_t dst[4], uint8_t proto, uint32_t len);
uint32_t cksum_pseudo6(const uint8_t src[16], const uint8_t dst[16], uint8_t proto, uint32_t len);

#endif
