# bench/: benchmark tools, built only by `make bench` (not by default).
#   udp-echo   bare recvmmsg/sendmmsg UDP echo: the yardstick
#   tblclone   copies one channel file N times (start-up benchmark)
# bench/handoffd_rate.sh runs them with nat64-handoffd and handoff-sim.
BENCH_PROGS := $(BUILD)/bench/udp-echo $(BUILD)/bench/tblclone

$(BUILD)/bench/udp-echo: $(BUILD)/obj/bench/udp_echo.o
	@mkdir -p $(dir $@)
	$(CC) $(NK_LDFLAGS) $(LDFLAGS) -o $@ $^

$(BUILD)/bench/tblclone: $(BUILD)/obj/bench/tblclone.o
	@mkdir -p $(dir $@)
	$(CC) $(NK_LDFLAGS) $(LDFLAGS) -o $@ $^ -lz

.PHONY: bench
bench: $(BENCH_PROGS) $(BUILD)/nat64-handoffd $(BUILD)/handoff-sim
