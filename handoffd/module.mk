# Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE).
# handoffd/: nat64-handoffd, the NAT64 handoff server.
$(eval $(call nk_program,nat64-handoffd,handoffd,))
SBIN_PROGS += nat64-handoffd
