# Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE).
# handoffctl/: nat64-handoffctl, the control program of nat64-handoffd. It
# reads the server's configuration with handoffd/config.c.
HANDOFFCTL_LIBS := $(BUILD)/obj/handoffd/libnat64-handoffd.a $(BUILD)/lib/libnk.a
$(eval $(call nk_program,nat64-handoffctl,handoffctl,$(HANDOFFCTL_LIBS)))
$(BUILD)/nat64-handoffctl: $(BUILD)/obj/handoffd/libnat64-handoffd.a
SBIN_PROGS += nat64-handoffctl
$(BUILD)/obj/handoffctl/%.o: NK_CFLAGS += -Ihandoffd
