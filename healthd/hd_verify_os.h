/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* hd_verify_os.h — the served-set query: one ipv4only.arpa AAAA query over
 * UDP to the local resolver, through the event loop; the answer's AAAA
 * records (or "no answer" at the timeout) go to the callback. One query
 * at a time. */
#ifndef HD_VERIFY_OS_H
#define HD_VERIFY_OS_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "evloop.h"

typedef void hd_vos_done_fn(void *arg, bool answered, int rcode, const uint8_t (*aaaa)[16],
    size_t n, const char *why, const struct clk_now *now);

struct hd_vos;

/* "::1", "[::1]:5353", "127.0.0.1", "127.0.0.1:53" (port 53 by default).
 * 0, or -1 with a reason. */
int hd_vos_parse(const char *spec, struct sockaddr_in6 *sa, char *err, size_t errlen);
char *hd_vos_fmt(const struct sockaddr_in6 *sa, char *buf, size_t len);
struct hd_vos *hd_vos_create(struct ev_loop *loop, const struct sockaddr_in6 *sa,
    uint64_t timeout_ms, hd_vos_done_fn *done, void *arg);
/* Send the query unless one is out. 0, or -1 (the callback is not run). */
int hd_vos_query(struct hd_vos *v, const struct clk_now *now);
void hd_vos_destroy(struct hd_vos *v);

#endif
