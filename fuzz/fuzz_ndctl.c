// FUZZ-SOURCES: nat64d/control.c lib/ctl_cmd.c lib/ctl_server.c lib/ctl_wire.c lib/evloop.c nat64d/gw.c nat64d/in6.c nat64d/in4.c nat64d/path.c nat64d/out.c nat64d/icmp.c nat64d/xlat.c nat64d/bib.c nat64d/session.c nat64d/quota.c lib/htab.c nat64d/frag.c nat64d/gso.c nat64d/hold.c nat64d/tun.c nat64d/fakedev.c nat64d/config.c lib/daemon.c lib/addr.c lib/buf.c lib/cksum.c lib/clock.c lib/conf.c lib/atomicfile.c lib/xalloc.c nat64d/handoff.c nat64d/hoclass.c nat64d/hoctl.c nat64d/horesend.c nat64d/hofwd.c nat64d/hosrv.c nat64d/hocache.c nat64d/hostate.c lib/handoff_wire.c lib/ippkt.c lib/tbucket.c lib/rdfile.c lib/log.c
/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* fuzz_ndctl.c — nat64d's control socket requests (lib/ctl_wire.c's
 * parser, lib/ctl_cmd.c's table, nat64d/control.c's commands) against the
 * fuzzing gateway of nd_fuzz_common.h (BIB entries, sessions, a cached
 * handoff entry, a known server). The input is cut at newlines; every
 * line gets exactly one answer, made step by step as the socket would,
 * of well-formed answer lines ending with "end N" or "error ...", each
 * step within the socket's output buffer (ND_CTL_OUT_MAX). Seeds: fuzz/corpus/ndctl/. */
#include <stddef.h>
#include <stdint.h>

#define FZ_NAME "ndctl"
#include "nd_fuzz_common.h"
#include "ctl_cmd.h"
#include "ctl_server.h"
#include "ctl_wire.h"
#include "nd_control.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct nd_ctl *fz_ctl;

static void
fz_check_answer(struct ctl_out *o)
{
	char *p = o->p, *end = o->p + o->len, *nl, *rest;
	int last = -1;

	if (o->err || o->len == 0 || end[-1] != '\n')
		abort();
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		*nl = '\0';
		last = ctl_answer_line(p, &rest);
		if (last == CTL_L_BAD || last == CTL_L_MORE)
			abort();
		if ((last == CTL_L_END || last == CTL_L_ERROR) && nl + 1 != end)
			abort();	/* the last line ends the answer */
		p = nl + 1;
	}
	if (last != CTL_L_END && last != CTL_L_ERROR)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size;
	struct clk_now now = clk_fake(5000, 1700000005);
	struct ctl_cursor cur;
	struct ctl_out o;

	if (!fz_gw)
		fz_init();
	if (!fz_ctl)
		fz_ctl = nd_ctl_create_detached(fz_gw);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		int steps = 0;

		ctl_out_init(&o, 64u << 20);
		nd_ctl_dispatch(fz_ctl, p, n, &o, &cur, &now);
		while (cur.more) {
			struct ctl_out step;	/* emptied: the client read the last step */

			ctl_out_init(&step, ND_CTL_OUT_MAX);
			if (cur.more(fz_ctl, &cur, &step, &now))
				cur.more = NULL;
			if (step.err || ++steps > 1000000)
				abort();	/* a step the socket would drop the client for */
			ctl_put_raw(&o, step.p, step.len);
			ctl_out_free(&step);
		}
		fz_check_answer(&o);
		ctl_out_free(&o);
		p += n + 1;
	}
	return 0;
}
