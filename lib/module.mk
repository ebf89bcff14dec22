# Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE).
# lib/: the shared library (libnk.a) every program links.
LIBNK_SRCS := $(wildcard lib/*.c)
LIBNK_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(LIBNK_SRCS))
$(BUILD)/lib/libnk.a: $(LIBNK_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && $(AR) rcs $@ $^
