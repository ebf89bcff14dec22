// FUZZ-SOURCES: nat64d/gw.c nat64d/in6.c nat64d/in4.c nat64d/path.c nat64d/out.c nat64d/icmp.c nat64d/xlat.c nat64d/bib.c nat64d/session.c nat64d/quota.c lib/htab.c nat64d/frag.c nat64d/gso.c nat64d/hold.c nat64d/tun.c nat64d/fakedev.c nat64d/config.c lib/daemon.c lib/addr.c lib/buf.c lib/cksum.c lib/clock.c lib/conf.c lib/atomicfile.c lib/xalloc.c nat64d/handoff.c nat64d/hoclass.c nat64d/hoctl.c nat64d/horesend.c nat64d/hofwd.c nat64d/hosrv.c nat64d/hocache.c nat64d/hostate.c lib/handoff_wire.c lib/ippkt.c lib/tbucket.c lib/rdfile.c lib/log.c
/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* fuzz_xlat4to6.c — nat64d's packet path, IPv4 packets in (translation,
 * ICMP errors and their quoted packets, fragments, hairpinning, offload
 * metadata, static entries, held SYNs, address-dependent filtering).
 * Malformed input must be dropped and counted, never crash. */
#include <stddef.h>
#include <stdint.h>

#define FZ_NAME "xlat4to6"
/* Address-dependent filtering here; fuzz_xlat6to4 has the default. */
#define FZ_EXTRA "filtering address-dependent\n"
#include "nd_fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fz_run(data, size, 4);
}
