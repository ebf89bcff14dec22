/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* nd_fuzz_common.h — the gateway under the fuzzer: a fake packet device,
 * a few mappings so inputs can hit state (UDP, TCP, ICMP), static
 * entries and held SYNs (RFC 6146 §3.5.2.2), and input
 * fix-ups (header and outer ICMP checksums) so the fuzzer gets past the
 * checks into the translation and the ICMP error paths. */
#ifndef ND_FUZZ_COMMON_H
#define ND_FUZZ_COMMON_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "buf.h"
#include "cksum.h"
#include "atomicfile.h"
#include "nd_config.h"
#include "nd_gw.h"
#include "nd_handoff.h"
#include "nd_pktdev.h"

#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

/* Settings of one target over the common ones (fuzz_xlat4to6: filtering). */
#ifndef FZ_EXTRA
#define FZ_EXTRA ""
#endif

static struct nd_gw *fz_gw;
static struct nd_dev fz_dev;
static int fz_peer = -1;
static uint8_t fz_buf[65536 + 64];

static void
fz_init(void)
{
	/* Handoff on, with fixed keys (token key 32 x 0x11, authenticator key
	 * 32 x 0x22, as fuzz/make-nat64d-seeds.py assumes) and 192.0.2.2 known
	 * to speak it, so seeds can carry valid tokens and authenticators. */
	static const char state[] = "nat64d-handoff-state 1\n"
	    "token-key 1111111111111111111111111111111111111111111111111111111111111111 1700000000\n"
	    "auth-key 2222222222222222222222222222222222222222222222222222222222222222 1700000000\n"
	    "server 192.0.2.2\nend\n";
	char conf[1024], dir[64], path[96];
	struct nd_config cfg;
	struct clk_now now = clk_fake(1000, 1700000000);
	char err[256];
	uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2 };
	struct nd_bib *b;
	int p;

	/* Removed by tests/fuzz-smoke.sh (/tmp/nk-fuzz-<name>-XXXXXX). */
	snprintf(dir, sizeof(dir), "/tmp/nk-fuzz-%s-XXXXXX", FZ_NAME);
	if (mkdtemp(dir) == NULL)
		abort();
	snprintf(path, sizeof(path), "%s/handoff.state", dir);
	if (afile_replace(path, state, sizeof(state) - 1, 0600, err, sizeof(err)) == -1)
		abort();
	snprintf(conf, sizeof(conf), "prefix 2001:db8:64::/96\nprefix 2001:db8:100::/40\n"
	    "pool4 198.51.100.1\npool4 198.51.100.2\nport-range 2000-2063\nmtu6 1280\n"
	    "handoff yes\nstate-dir %s\nhandoff-token-lifetime 30d\nhandoff-auth-lifetime 30d\n"
	    "bib-static tcp [2001:db8:1::80]:80 198.51.100.1:8080\n"
	    "bib-static udp [2001:db8:1::80]:53 198.51.100.2:5353\n"
	    "bib-static icmp [2001:db8:1::80]:7 198.51.100.1:7007\n"
	    "held-syn-max 64\nicmp-error-source 203.0.113.50\nicmp-error-source 203.0.113.51\n%s",
	    dir, FZ_EXTRA);
	nd_config_defaults(&cfg);
	if (nd_config_parse_text("fuzz", conf, strlen(conf), &cfg, err, sizeof(err)) == -1 ||
	    nd_config_check(&cfg, NULL, err, sizeof(err)) == -1)
		abort();
	if (nd_fake_open(&fz_dev, true, &fz_peer) == -1)
		abort();
	fz_gw = nd_gw_new(&cfg, &fz_dev);
	fz_gw->coalesce = true;
	if (nd_ho_new(fz_gw, &now, err, sizeof(err)) == NULL)
		abort();
	/* A cached server entry: 192.0.2.2 gave 198.51.100.1:3000 to client:41000. */
	nd_hoc_put(nd_ho_cache(fz_gw), 0xc0000202, 0xc6336401, 3000, v6, 41000, 0, &now);
	for (p = 0; p < 3; p++) {	/* client 2001:db8:1::2 port/id 40000 <-> 198.51.100.1:2000 */
		uint8_t proto = p == 0 ? 17 : p == 1 ? 6 : 1;

		b = nd_bib_insert(&fz_gw->st, proto, v6, 40000, 0xc6336401, 2000, ND_OWN_LOCAL, &now);
		if (b)
			nd_session_create(&fz_gw->st, b, 0xc0000202, proto == 1 ? 0 : 80, false, &now);
	}
}

static void
fz_fixup(uint8_t *p, size_t len)
{
	if (len >= 20 && (p[0] >> 4) == 4) {
		size_t ihl = (size_t)(p[0] & 0xf) * 4;

		if (ihl >= 20 && ihl <= len) {
			be16_store(p + 10, 0);
			be16_store(p + 10, cksum_finish(cksum_add(0, p, ihl)));
			if (p[9] == 1 && len >= ihl + 4) {
				be16_store(p + ihl + 2, 0);
				be16_store(p + ihl + 2, cksum_finish(cksum_add(0, p + ihl, len - ihl)));
			}
		}
	} else if (len >= 44 && (p[0] >> 4) == 6 && p[6] == 58) {
		be16_store(p + 42, 0);
		be16_store(p + 42, cksum_finish(cksum_add(cksum_pseudo6(p + 8, p + 24, 58,
		    (uint32_t)(len - 40)), p + 40, len - 40)));
	}
}

/* First byte: bit 0 vnet header follows (10 bytes), bit 1 fix checksums,
 * bits 2..7 advance the fake clock (seconds, to age state). */
static int
fz_run(const uint8_t *data, size_t size, uint8_t version)
{
	struct virtio_net_hdr vh;
	struct clk_now now;
	static uint64_t ms = 1000;
	uint8_t flags;
	char drain[2048];

	if (!fz_gw)
		fz_init();
	if (size < 1)
		return 0;
	flags = data[0];
	data++, size--;
	memset(&vh, 0, sizeof(vh));
	if (flags & 1) {
		if (size < sizeof(vh))
			return 0;
		memcpy(&vh, data, sizeof(vh));
		data += sizeof(vh);
		size -= sizeof(vh);
	}
	if (size == 0 || size > sizeof(fz_buf))
		return 0;
	memcpy(fz_buf, data, size);
	fz_buf[0] = (uint8_t)((version << 4) | (fz_buf[0] & 0x0f));
	if (flags & 2)
		fz_fixup(fz_buf, size);
	ms += (uint64_t)(flags >> 2) * 1000;
	now = clk_fake(ms, 1700000000);
	nd_gw_input(fz_gw, fz_buf, size, &vh, &now);
	nd_gw_flush(fz_gw);
	nd_gw_expire(fz_gw, &now);
	while (recv(fz_peer, drain, sizeof(drain), MSG_DONTWAIT | MSG_TRUNC) > 0)
		;
	return 0;
}

#endif
