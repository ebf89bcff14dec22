// FUZZ-SOURCES: handoffd/server.c handoffd/channel.c handoffd/conntable.c handoffd/journal.c handoffd/validate.c handoffd/audit.c handoffd/livecheck.c handoffd/ban.c lib/htab.c lib/handoff_wire.c lib/ippkt.c lib/buf.c lib/cksum.c lib/addr.c lib/atomicfile.c lib/log.c lib/tbucket.c lib/xalloc.c lib/clock.c lib/rdfile.c
/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* libFuzzer target: one control packet into nat64-handoffd's packet
 * logic (server.c) with real channels, journal and validation state on a
 * temporary directory. The first input octet picks the sender: a NAT64
 * whose token is already validated, or an unknown one. Whatever comes
 * back must itself parse and satisfy §6. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sodium.h>

#include "ho_audit.h"
#include "ho_channel.h"
#include "handoff_wire.h"
#include "ho_server.h"
#include "ho_validate.h"

#define F_SRV	0xc0000201u
#define F_NAT	0xc0000207u

static struct srv_ctx s;
static struct clk_now now;
static uint8_t txbuf[SRV_TX_MAX];
static unsigned long runs;

static int
no_live(void *arg, uint32_t local, uint32_t nat64, uint8_t bitmap[LIVE_BITMAP_BYTES])
{
	(void)arg;
	(void)local;
	(void)nat64;
	memset(bitmap, 0, LIVE_BITMAP_BYTES);
	return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static char dir[] = "/tmp/nk-fuzz-server-XXXXXX";
	char err[512];

	(void)argc;
	(void)argv;
	if (sodium_init() < 0 || mkdtemp(dir) == NULL)
		abort();
	now = clk_fake(1000, 1700000000);
	s.reg = chan_reg_create(dir, 64, 4, no_live, NULL, err, sizeof(err));
	s.vs = val_create(16);
	s.port = HW_DEFAULT_PORT;
	if (s.reg == NULL)
		abort();
	/* A validated NAT64 whose token is the 4 octets "TOKN". */
	val_token_add(s.vs, F_SRV, F_NAT, 40000, (const uint8_t *)"TOKN", 4, &now);
	chan_get_or_create(s.reg, F_SRV, F_NAT, &now);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct srv_tx tx = { .buf = txbuf };
	struct hw_packet p;
	uint32_t src;

	if (size < 1)
		return 0;
	src = (data[0] & 1) ? F_NAT : F_NAT + 1 + (data[0] >> 6);
	if (srv_handle(&s, F_SRV, src, 40000, data + 1, size - 1, &now, &tx)) {
		if (tx.len == 0 || tx.len > SRV_TX_MAX)
			abort();
		if (tx.dport != HW_DISCARD_PORT &&
		    (hw_parse(tx.buf, tx.len, &p) != HW_OK || hw_check_to_nat64(&p) != HW_OK))
			abort();
	}
	chan_flush(s.reg);
	if (++runs % 4096 == 0) {
		now.mono_ms += 1000;
		now.wall.tv_sec++;
		chan_maintenance(s.reg, &now);
	}
	return 0;
}
