# Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE).
# bench/: benchmark tools, built only by `make bench` (not by default).
#   udp-echo   bare recvmmsg/sendmmsg UDP echo: the yardstick
#   tblclone   copies one channel file N times (start-up benchmark)
#   tcp-crr    TCP connect/request/response load generator and latency probe
#   delay-line fixed packet delay through a TUN (this kernel has no netem)
# bench/handoffd_rate.sh runs the first two with nat64-handoffd and
# handoff-sim; bench/nat64d_handoff.sh the others with nat64d.
# bench/nat64d_path.sh builds bench/nat64d_path.c itself, against this tree
# and against another revision.
BENCH_PROGS := $(BUILD)/bench/udp-echo $(BUILD)/bench/tblclone $(BUILD)/bench/tcp-crr \
	$(BUILD)/bench/delay-line

$(BUILD)/bench/udp-echo: $(BUILD)/obj/bench/udp_echo.o
	@mkdir -p $(dir $@)
	$(CC) $(NK_LDFLAGS) $(LDFLAGS) -o $@ $^

$(BUILD)/bench/tblclone: $(BUILD)/obj/bench/tblclone.o
	@mkdir -p $(dir $@)
	$(CC) $(NK_LDFLAGS) $(LDFLAGS) -o $@ $^ -lz

$(BUILD)/bench/tcp-crr: $(BUILD)/obj/bench/tcp_crr.o
	@mkdir -p $(dir $@)
	$(CC) $(NK_LDFLAGS) $(LDFLAGS) -o $@ $^

$(BUILD)/bench/delay-line: $(BUILD)/obj/bench/delay_line.o
	@mkdir -p $(dir $@)
	$(CC) $(NK_LDFLAGS) $(LDFLAGS) -o $@ $^

.PHONY: bench
bench: $(BENCH_PROGS) $(BUILD)/nat64-handoffd $(BUILD)/handoff-sim $(BUILD)/nat64d

# tests/net/handoff_pmtud.sh delays the router's ICMP errors with delay-line.
check: $(BUILD)/bench/delay-line
