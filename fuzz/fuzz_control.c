// FUZZ-SOURCES: handoffd/control.c handoffd/status.c handoffd/server.c handoffd/channel.c handoffd/conntable.c handoffd/journal.c handoffd/validate.c handoffd/audit.c handoffd/livecheck.c handoffd/ban.c lib/htab.c lib/conf.c lib/ctl_wire.c lib/ctl_cmd.c lib/ctl_server.c lib/evloop.c lib/handoff_wire.c lib/ippkt.c lib/buf.c lib/cksum.c lib/addr.c lib/atomicfile.c lib/log.c lib/tbucket.c lib/promtext.c lib/xalloc.c lib/clock.c lib/rdfile.c
/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* libFuzzer target: control-socket requests (lib/ctl_wire.c's parser and
 * handoffd/control.c's dispatcher) against real channels holding a few
 * entries on a temporary directory. The input is cut at newlines; every
 * line gets exactly one answer, made of well-formed answer lines, ending
 * with "end N", "more CURSOR" or "error ...", within CTL_OUT_MAX.
 * Seeds: fuzz/corpus/control/. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "ho_audit.h"
#include "ho_ban.h"
#include "ho_channel.h"
#include "ho_control.h"
#include "ctl_wire.h"
#include "ho_server.h"
#include "ho_validate.h"

#define F_SRV	0xc0000201u
#define F_NAT	0xc6336401u

static struct srv_ctx s;
static struct ctl_server *cs;
static struct clk_now now;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static char dir[] = "/tmp/nk-fuzz-control-XXXXXX";
	static const uint8_t prefix[12] = { 0x00, 0x64, 0xff, 0x9b };
	char err[512];
	uint8_t client[16] = { 0x20, 0x01, 0x0d, 0xb8 };
	struct chan *ch;
	bool created;
	int i;

	(void)argc;
	(void)argv;
	if (sodium_init() < 0 || mkdtemp(dir) == NULL)
		abort();
	now = clk_fake(1000, 1700000000);
	s.reg = chan_reg_create(dir, 64, 4, NULL, NULL, err, sizeof(err));
	s.vs = val_create(16);
	if (s.reg == NULL || audit_open(dir, 0, err, sizeof(err)) == -1)
		abort();
	for (i = 0; i < 2; i++) {
		int k;

		ch = chan_get_or_create(s.reg, F_SRV + (uint32_t)i, F_NAT, &now);
		for (k = 0; k < 20; k++) {
			client[15] = (uint8_t)k;
			chan_map_client(s.reg, ch, prefix, client, (uint16_t)(40000 + k), NULL, 0, 0,
			    NULL, 0, &now, &created);
		}
	}
	chan_flush(s.reg);
	audit_flush();
	/* bans: ban, unban and bans run for real (the file in dir) */
	{
		char path[sizeof(dir) + 16];

		snprintf(path, sizeof(path), "%s/bans", dir);
		s.bans = ban_create(path, 8, 60);
		chan_set_bans(s.reg, s.bans);
	}
	cs = hctl_create_detached();
	return 0;
}

static void
check_answer(struct ctl_out *o)
{
	char *p = o->p, *end = o->p + o->len, *nl, *rest;
	int last = -1;

	if (o->err || o->len == 0 || o->len > CTL_OUT_MAX || end[-1] != '\n')
		abort();
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		*nl = '\0';
		last = ctl_answer_line(p, &rest);
		if (last == CTL_L_BAD)
			abort();
		if ((last == CTL_L_END || last == CTL_L_MORE || last == CTL_L_ERROR) && nl + 1 != end)
			abort();	/* the last line ends the answer */
		p = nl + 1;
	}
	if (last != CTL_L_END && last != CTL_L_MORE && last != CTL_L_ERROR)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size;
	struct ctl_out o;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		ctl_out_init(&o, CTL_OUT_MAX);
		hctl_dispatch(cs, &s, p, n, &o, &now);
		check_answer(&o);
		ctl_out_free(&o);
		p += n + 1;
	}
	return 0;
}
