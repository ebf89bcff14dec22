/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* hd_probe.h — what is probed through each NAT64 prefix, and the seam to the
 * code that does it.
 *
 * A target is an IPv4 service reached through the prefix (its RFC 6052
 * synthesized address):
 *	tcp:192.0.2.2:80		TCP connect (unprivileged)
 *	dns:192.0.2.53[:53][:name]	one query (type A) over UDP; any
 *					well-formed reply with our ID counts
 *	icmp:192.0.2.2			ICMPv6 echo (ping socket, or raw
 *					socket when privileged)
 * The prober is an interface: probe_os.c drives real sockets through the
 * event loop, tests plug in a fake. A probe is retried within its timeout
 * (attempts, evenly spaced), so one lost packet does not fail it. start() must not call done() itself;
 * it returns -1 (with a reason) if the probe cannot even be started.
 */
#ifndef HD_PROBE_H
#define HD_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "clock.h"

#define HD_TARGETS_MAX	8
#define HD_QNAME_MAX	254

enum hd_probe_kind { HD_PROBE_TCP, HD_PROBE_DNS, HD_PROBE_ICMP };

struct hd_target {
	enum hd_probe_kind kind;
	uint32_t v4;			/* host byte order */
	uint16_t port;
	char qname[HD_QNAME_MAX + 1];	/* dns only */
};

int  hd_target_parse(const char *spec, struct hd_target *t, char *err, size_t errlen);
char *hd_target_fmt(const struct hd_target *t, char *buf, size_t len);
const char *hd_probe_kind_name(enum hd_probe_kind k);

struct hd_probe_req {
	uint64_t id;			/* returned in done() */
	uint8_t dst[16];		/* prefix + target IPv4 */
	const struct hd_target *target;
	uint64_t timeout_ms;
	unsigned attempts;		/* 1..HD_ATTEMPTS_MAX, spread over the
					 * timeout; the first answer wins */
};

#define HD_ATTEMPTS_MAX	4

/* RTT of a probe: from the send of the attempt that was answered (index
 * `answered` into sent_us[]), not from the first attempt, so an answer to
 * a retry reads as the path's RTT, not as the retry delay. µs, capped. */
uint32_t hd_probe_rtt_us(const uint64_t sent_us[], unsigned answered, uint64_t now_us);

struct hd_prober;
typedef void hd_probe_done_fn(void *arg, uint64_t id, bool ok, uint32_t rtt_us,
    const char *why, const struct clk_now *now);

struct hd_prober {
	int  (*start)(struct hd_prober *p, const struct hd_probe_req *req,
	    const struct clk_now *now, char *err, size_t errlen);
	void (*cancel)(struct hd_prober *p, uint64_t id);
	hd_probe_done_fn *done;
	void *done_arg;
};

#endif
