// FUZZ-SOURCES: sim/check.c sim/ident.c lib/handoff_wire.c lib/ippkt.c lib/buf.c lib/cksum.c
/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* libFuzzer target: handoff-sim's answer checks (sim/check.c). The input is
 * what a server (or anything on the path) sends a simulated NAT64, on its
 * control socket or its port-9 socket. Never crash; a classified answer
 * satisfies the §6 pattern it was classified as; every check returns NULL
 * or a terminated reason. Seeds: fuzz/corpus/sim_answer/, one of each
 * answer kind and both validation packets, built with the wire encoders. */
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "handoff_wire.h"
#include "sim.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) abort(); } while (0)

static const uint8_t pfx[12] = { 0x00, 0x64, 0xff, 0x9b };

static void
reason_ok(const char *why)
{
	if (why != NULL)
		CHECK(strlen(why) > 0 && strlen(why) < 200);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sim_ident id;
	static int init;
	struct hw_packet pkt;
	const char *why;
	uint8_t cl[16];
	enum sim_ans a;

	if (!init) {
		if (sodium_init() == -1)
			abort();
		sim_ident_init(&id, 1, 0x7f000002, 0x7f000001);
		init = 1;
	}
	sim_client_addr(SIM_KIND_FLOW, 0x7f000002, 0, cl);
	reason_ok(sim_check_validation(data, size, NULL, 0));
	reason_ok(sim_check_validation(data, size, id.token, sizeof(id.token)));
	a = sim_classify(data, size, &pkt, &why);
	switch (a) {
	case SIM_A_BAD:
		CHECK(why != NULL);
		break;
	case SIM_A_ENTRY:
		CHECK(hw_has(&pkt, HW_T_AUTH) && pkt.n_entries == 1);
		reason_ok(sim_check_entry(&pkt.entries[0], pfx, 6464, 40000));
		reason_ok(sim_check_blob(&pkt.auth, id.token, 16, "auth"));
		reason_ok(sim_check_v6_echoed(&pkt, cl, 20000));
		break;
	case SIM_A_V6:
		CHECK(hw_has(&pkt, HW_T_AUTH) && pkt.ip_version == 6);
		reason_ok(sim_check_echo_reply(&pkt, pfx, 0x7f000001, cl, 2, 0));
		break;
	case SIM_A_V4:
		CHECK(hw_has(&pkt, HW_T_TOKEN) && pkt.ip_version == 4);
		reason_ok(sim_check_returned(&pkt, &id, 0x7f000002, 1024));
		break;
	}
	return 0;
}
