# Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE).
# healthd/: nat64-healthd, keeps BIND's DNS64 on the healthiest NAT64 prefixes.
$(eval $(call nk_program,nat64-healthd,healthd,))
SBIN_PROGS += nat64-healthd
