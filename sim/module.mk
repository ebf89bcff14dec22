# Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE).
# sim/: handoff-sim, the NAT64 simulator the net tests and the benchmark use.
$(eval $(call nk_program,handoff-sim,sim,))
BIN_PROGS += handoff-sim
