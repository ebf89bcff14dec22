# nat64d/: nat64d, the stateful NAT64 gateway over TUN (RFC 6146 + RFC 7915).
#
# Not $(call nk_program,nat64d,nat64d,): with a program named like its
# directory, the template's binary $(BUILD)/nat64d and its object directory
# $(BUILD)/nat64d/ collide. The same recipe by hand, objects in
# $(BUILD)/nat64d.obj/ (see the report on issue 3 for a Makefile fix).
nat64d_SRCS := $(filter-out nat64d/main.c,$(wildcard nat64d/*.c))
nat64d_OBJS := $(patsubst nat64d/%.c,$(BUILD)/nat64d.obj/%.o,$(nat64d_SRCS))
$(BUILD)/nat64d.obj/%.o: nat64d/%.c
	@mkdir -p $(dir $@)
	$(CC) $(NK_CFLAGS) $(CFLAGS) -c -o $@ $<
$(BUILD)/nat64d.obj/libnat64d.a: $(nat64d_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && $(AR) rcs $@ $^
$(BUILD)/nat64d: $(BUILD)/nat64d.obj/main.o $(BUILD)/nat64d.obj/libnat64d.a $(BUILD)/lib/libnk.a
	$(CC) $(NK_LDFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)
PROGS += $(BUILD)/nat64d
PROG_LIBS += $(BUILD)/nat64d.obj/libnat64d.a
PROG_INCLUDES += -Inat64d
SBIN_PROGS += nat64d
