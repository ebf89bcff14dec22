# Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE).
# nat64kit — top-level GNU makefile.
#
#   make                 build every program into $(BUILD)/
#   make check           build, then run every test tier (tests/run-tests.sh)
#   make SAN=1 check     the same with ASan+UBSan (builds into build-san/)
#   make fuzz            build the libFuzzer targets (clang) into build-fuzz/
#   make fuzz-smoke      run each fuzz target briefly on its seed corpus
#   make progs           build the programs only (no unit tests: no cmocka needed)
#   make lint-exports    every exported symbol has a user (scripts/lint-exports.sh)
#   make install         the programs, man pages, systemd units (paths substituted),
#                        sysusers.d/tmpfiles.d files, configuration (never over an
#                        existing file), examples, docs and the Wireshark dissector;
#                        honours PREFIX, DESTDIR, SBINDIR, BINDIR, MANDIR, SYSCONFDIR,
#                        DOCDIR, UNITDIR, SYSUSERSDIR, TMPFILESDIR and CPPFLAGS,
#                        CFLAGS, LDFLAGS (e.g. from dpkg-buildflags)
#   make install-wireshark-global   the Lua dissector into Wireshark's plugin directory
#
# Every program lives in its own directory with a module.mk that registers it
# with the templates below; lib/ is the shared library every program links.

PREFIX  ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
BINDIR  ?= $(PREFIX)/bin
MANDIR  ?= $(PREFIX)/share/man
SHAREDIR ?= $(PREFIX)/share/nat64kit
DOCDIR  ?= $(PREFIX)/share/doc/nat64kit
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
SYSCONFDIR ?= /etc
UNITDIR ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
TMPFILESDIR ?= $(PREFIX)/lib/tmpfiles.d
DESTDIR ?=

CC      ?= cc
AR      ?= ar
WERROR  ?= -Werror
CFLAGS  ?= -O2 -g
SAN     ?=

ifeq ($(SAN),1)
BUILD   ?= build-san
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
else
BUILD   ?= build
SANFLAGS :=
endif

# One version for every program: the VERSION file, as NK_VERSION.
NK_VERSION := $(shell cat VERSION)

SODIUM_CFLAGS := $(shell pkg-config --cflags libsodium 2>/dev/null)
SODIUM_LIBS   := $(shell pkg-config --libs libsodium 2>/dev/null || echo -lsodium)
CMOCKA_LIBS   := $(shell pkg-config --libs cmocka 2>/dev/null || echo -lcmocka)

NK_CFLAGS = -std=c11 -D_GNU_SOURCE -Wall -Wextra $(WERROR) -Wshadow -Wpointer-arith \
	    -Wstrict-prototypes -Wmissing-prototypes -Wno-missing-field-initializers \
	    -DNK_VERSION='"$(NK_VERSION)"' -Ilib $(SODIUM_CFLAGS) $(SANFLAGS) -MMD -MP
NK_LDFLAGS = $(SANFLAGS)
LDLIBS += $(SODIUM_LIBS) -lz

PROGS :=
PROG_LIBS :=
PROG_INCLUDES :=
UNIT_TESTS :=
FUZZ_TARGETS :=

.PHONY: all progs check check-unit lint-exports fuzz fuzz-smoke install install-wireshark-global clean deps
.SECONDARY:
all:

# Objects live under $(BUILD)/obj/, binaries directly in $(BUILD)/, so a
# program may share its directory's name (nat64d/).
$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(NK_CFLAGS) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

# $(call nk_program,NAME,DIR,EXTRA_LDLIBS): DIR/main.c plus every other DIR/*.c,
# the latter also collected into $(BUILD)/obj/DIR/libNAME.a for the unit tests.
define nk_program
$(1)_SRCS := $$(filter-out $(2)/main.c,$$(wildcard $(2)/*.c))
$(1)_OBJS := $$(patsubst %.c,$(BUILD)/obj/%.o,$$($(1)_SRCS))
$(BUILD)/obj/$(2)/lib$(1).a: $$($(1)_OBJS)
	@mkdir -p $$(dir $$@)
	rm -f $$@ && $(AR) rcs $$@ $$^
$(BUILD)/$(1): $(BUILD)/obj/$(2)/main.o $(BUILD)/obj/$(2)/lib$(1).a $(BUILD)/lib/libnk.a
	$(CC) $(NK_LDFLAGS) $(LDFLAGS) -o $$@ $$^ $(3) $(LDLIBS)
PROGS += $(BUILD)/$(1)
PROG_LIBS += $(BUILD)/obj/$(2)/lib$(1).a
PROG_INCLUDES += -I$(2)
endef

include lib/module.mk
include $(filter-out lib/module.mk,$(wildcard */module.mk))

# Unit tests: tests/unit/test_*.c, each a cmocka program linked with every
# program's library and lib/.
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_TESTS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))
# Unit tests see every program's headers.
$(BUILD)/obj/tests/unit/%.o: tests/unit/%.c
	@mkdir -p $(dir $@)
	$(CC) $(NK_CFLAGS) $(PROG_INCLUDES) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<
$(BUILD)/tests/%: $(BUILD)/obj/tests/unit/%.o $(PROG_LIBS) $(BUILD)/lib/libnk.a
	@mkdir -p $(dir $@)
	$(CC) $(NK_LDFLAGS) $(LDFLAGS) -o $@ $< -Wl,--start-group $(PROG_LIBS) $(BUILD)/lib/libnk.a -Wl,--end-group $(CMOCKA_LIBS) $(LDLIBS)

all: $(PROGS) $(UNIT_TESTS)
progs: $(PROGS)

check: all
	BUILD=$(BUILD) ./tests/run-tests.sh

check-unit: all
	BUILD=$(BUILD) ./tests/run-tests.sh unit

lint-exports: all
	./scripts/lint-exports.sh $(BUILD)

# libFuzzer targets: fuzz/fuzz_*.c, built with clang against the sources.
FUZZ_SRCS := $(wildcard fuzz/fuzz_*.c)
FUZZ_BUILD ?= $(BUILD)-fuzz
FUZZ_BINS := $(patsubst fuzz/%.c,$(FUZZ_BUILD)/%,$(FUZZ_SRCS))
FUZZ_CFLAGS = -std=c11 -D_GNU_SOURCE -DNK_VERSION='"$(NK_VERSION)"' -g -O1 -Ilib $(PROG_INCLUDES) $(SODIUM_CFLAGS) \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
$(FUZZ_BUILD)/%: fuzz/%.c $(wildcard lib/*.c lib/*.h */*.c */*.h)
	@mkdir -p $(FUZZ_BUILD)
	clang $(FUZZ_CFLAGS) -o $@ $< $(filter-out %/main.c,$(shell sed -n 's|^// FUZZ-SOURCES: ||p' $<)) $(SODIUM_LIBS) -lz
fuzz: $(FUZZ_BINS)
fuzz-smoke: fuzz
	./tests/fuzz-smoke.sh $(FUZZ_BINS)

deps:
	./scripts/deps.sh

# Units name /usr/local/sbin, /usr/local/bin and /etc in the tree; installed,
# they name SBINDIR, BINDIR and SYSCONFDIR.
NK_UNIT_SED = -e 's|/usr/local/sbin/|$(SBINDIR)/|g' -e 's|/usr/local/bin/|$(BINDIR)/|g' \
	-e 's|\([ =-]\)/etc/|\1$(SYSCONFDIR)/|g'
# Configuration: SOURCE:DESTINATION (under SYSCONFDIR), installed only where
# no file exists, and as examples under DOCDIR.
NK_CONFIGS = scripts/nat64-handoffd.conf.default:nat64kit/nat64-handoffd.conf \
	etc/nat64d.conf.example:nat64d.conf etc/nat64-healthd.default:default/nat64-healthd
NK_EXAMPLES = etc/nat64-prefixes.example
NK_FAIL2BAN = $(wildcard docs/examples/fail2ban/*.md docs/examples/fail2ban/*/*.conf)
NK_DOCS = README.md NEWS LICENSE docs/PROTOCOL.md docs/NAT64D.md docs/HEALTHD.md \
	docs/INSTALL-handoffd.md docs/WIRESHARK.md

install: progs
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man8 \
	    $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSUSERSDIR) $(DESTDIR)$(TMPFILESDIR) \
	    $(DESTDIR)$(DOCDIR)/examples $(DESTDIR)$(SHAREDIR)/wireshark
	$(foreach p,$(SBIN_PROGS),install -m 0755 $(BUILD)/$(p) $(DESTDIR)$(SBINDIR)/$(p) &&) true
	$(foreach p,$(BIN_PROGS),install -m 0755 $(BUILD)/$(p) $(DESTDIR)$(BINDIR)/$(p) &&) true
	$(foreach m,$(wildcard man/*.1),install -m 0644 $(m) $(DESTDIR)$(MANDIR)/man1/ &&) true
	$(foreach m,$(wildcard man/*.8),install -m 0644 $(m) $(DESTDIR)$(MANDIR)/man8/ &&) true
	$(foreach m,$(wildcard man/*.5),install -m 0644 $(m) $(DESTDIR)$(MANDIR)/man5/ &&) true
	$(foreach u,$(wildcard systemd/*.service),sed $(NK_UNIT_SED) $(u) >$(DESTDIR)$(UNITDIR)/$(notdir $(u)).tmp && \
	    chmod 0644 $(DESTDIR)$(UNITDIR)/$(notdir $(u)).tmp && \
	    mv -f $(DESTDIR)$(UNITDIR)/$(notdir $(u)).tmp $(DESTDIR)$(UNITDIR)/$(notdir $(u)) &&) true
	$(foreach f,$(wildcard systemd/*.sysusers),install -m 0644 $(f) $(DESTDIR)$(SYSUSERSDIR)/$(basename $(notdir $(f))).conf &&) true
	$(foreach f,$(wildcard systemd/*.tmpfiles),install -m 0644 $(f) $(DESTDIR)$(TMPFILESDIR)/$(basename $(notdir $(f))).conf &&) true
	$(foreach c,$(NK_CONFIGS),install -m 0644 $(word 1,$(subst :, ,$(c))) \
	    $(DESTDIR)$(DOCDIR)/examples/$(notdir $(word 2,$(subst :, ,$(c)))) && \
	    { test -e $(DESTDIR)$(SYSCONFDIR)/$(word 2,$(subst :, ,$(c))) || \
	      install -D -m 0644 $(word 1,$(subst :, ,$(c))) $(DESTDIR)$(SYSCONFDIR)/$(word 2,$(subst :, ,$(c))); } &&) true
	$(foreach e,$(NK_EXAMPLES),install -m 0644 $(e) $(DESTDIR)$(DOCDIR)/examples/ &&) true
	$(foreach f,$(NK_FAIL2BAN),install -D -m 0644 $(f) $(DESTDIR)$(DOCDIR)/examples/$(f:docs/examples/%=%) &&) true
	$(foreach d,$(NK_DOCS),install -m 0644 $(d) $(DESTDIR)$(DOCDIR)/ &&) true
	install -m 0644 tools/wireshark/nat64handoff.lua $(DESTDIR)$(SHAREDIR)/wireshark/
	install -d $(DESTDIR)$(BASHCOMPDIR)
	install -m 0644 tools/bash-completion/nat64-handoffctl tools/bash-completion/nat64ctl $(DESTDIR)$(BASHCOMPDIR)/

# Opt-in: the NAT64 handoff dissector where every Wireshark/tshark on the
# host loads it (Debian loads Lua plugins only from its own directory).
WIRESHARK_LUA_DIR ?= /usr/lib/$(shell dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo x86_64-linux-gnu)/wireshark/plugins
install-wireshark-global:
	install -d $(DESTDIR)$(WIRESHARK_LUA_DIR)
	install -m 0644 tools/wireshark/nat64handoff.lua $(DESTDIR)$(WIRESHARK_LUA_DIR)/

clean:
	rm -rf build build-san build-fuzz

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
