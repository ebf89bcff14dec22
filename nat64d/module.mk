# Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE).
# nat64d/: nat64d, the stateful NAT64 gateway over TUN (RFC 6146 + RFC 7915).
$(eval $(call nk_program,nat64d,nat64d,))
SBIN_PROGS += nat64d
