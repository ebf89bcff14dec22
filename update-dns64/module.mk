# Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE).
# update-dns64/: update-dns64, writes BIND's (or Unbound's, PowerDNS
# Recursor's) DNS64 prefixes and reloads the resolver.
$(eval $(call nk_program,update-dns64,update-dns64,))
SBIN_PROGS += update-dns64
