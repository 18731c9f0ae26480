# Instruction counts of the guest (bench/insn): the insn_count QEMU plugin,
# loaded by `tests/vm/run.sh --insn-count FILE`, and its guest marker.
USER_PROGS += $(B)/bench/insn_count.so
GUEST_PROGS += $(B)/guest/insn-mark

# A plugin is a shared object QEMU loads; -fvisibility=hidden keeps every
# symbol but the two the interface names out of QEMU's view.
$(B)/bench/insn_count.so: bench/insn/insn_count.c bench/insn/qemu_plugin_abi.h
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -O2 -g $(WARN) -fPIC -shared -fvisibility=hidden -o $@ $< -lpthread

$(B)/guest/insn-mark: bench/insn/insn_mark.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_GUEST) -o $@ $<

HOST_TESTS += $(B)/unit/insn_count
$(B)/unit/insn_count: tests/unit/insn_count.sh $(B)/bench/insn_count.so
	$(script_test_wrapper)
