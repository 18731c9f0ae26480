# The ml_lib benchmark: a static guest program, run in QEMU by bench/ml_lib/run.sh.
GUEST_PROGS += $(B)/guest/ml_lib_bench
BENCHES += bench/ml_lib/run.sh

$(B)/guest/ml_lib_bench: bench/ml_lib/ml_lib_bench.c tests/guest/ml_lib_guest.h tests/lib/mltest.h \
		include/uapi/linux/ml_lib.h core/ml_ring.h core/ml_record.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_GUEST) -o $@ $< -lpthread
