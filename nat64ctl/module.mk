# Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE).
# nat64ctl/: nat64ctl, the control program of nat64d. It reads nat64d's
# configuration (for the control socket's path) with nat64d/config.c.
NAT64CTL_LIBS := $(BUILD)/obj/nat64d/libnat64d.a $(BUILD)/lib/libnk.a
$(eval $(call nk_program,nat64ctl,nat64ctl,$(NAT64CTL_LIBS)))
$(BUILD)/nat64ctl: $(BUILD)/obj/nat64d/libnat64d.a
SBIN_PROGS += nat64ctl
$(BUILD)/obj/nat64ctl/%.o: NK_CFLAGS += -Inat64d
