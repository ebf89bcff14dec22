/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* hc_weblog.h — the start of a web server's access-log line, as the
 * documented formats write it (nat64-handoffctl(8), ANNOTATE):
 *
 *   nginx:   log_format nat64 '$remote_addr $remote_port $msec "$request" ...';
 *            log_format nat64 '$remote_addr $remote_port $time_iso8601 "$request" ...';
 *   Apache:  LogFormat "%a %{remote}p %t \"%r\" ..." nat64
 *
 * i.e. the peer's IPv4 address, its port and the time, space separated,
 * whatever follows. The time is $msec (seconds with milliseconds),
 * $time_iso8601 or Apache's %t ([01/Dec/2026:17:20:00 +0000]); each
 * gives the window [lo, hi] its resolution allows.
 */
#ifndef NK_WEBLOG_H
#define NK_WEBLOG_H

#include <stddef.h>
#include <stdint.h>

struct wl_rec {
	uint32_t addr;			/* host order */
	uint16_t port;
	int64_t lo_us, hi_us;
};

/* 0, or -1 if the line does not start as documented (or its peer is not
 * IPv4: it did not come through a NAT64). */
int wl_parse(const char *s, size_t n, struct wl_rec *r);

#endif
