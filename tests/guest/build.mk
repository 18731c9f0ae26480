# Guest test programs: static binaries run inside the QEMU guest.
GUEST_TEST_SRCS := $(wildcard tests/guest/*_test.c)
GUEST_PROGS += $(patsubst tests/guest/%.c,$(B)/guest/%,$(GUEST_TEST_SRCS))

$(B)/guest/%_test: tests/guest/%_test.c tests/lib/mltest.h include/uapi/linux/ml_lib.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_GUEST) -o $@ $< $(GUEST_TEST_LIBS_$*) -lpthread

# The ml_lib guest tests share a helper header and core/'s ring and record helpers.
$(patsubst tests/guest/%.c,$(B)/guest/%,$(wildcard tests/guest/ml_lib_*_test.c)): \
	tests/guest/ml_lib_guest.h core/ml_ring.h core/ml_record.h
GUEST_TEST_LIBS_ml_lib_decide := -lm

# The controller's guest test checks the knobs against core's table.
GUEST_TEST_LIBS_ml_lib_controller := core/ml_mode.c core/ml_stats.c
$(B)/guest/ml_lib_controller_test: core/ml_mode.c core/ml_mode.h core/ml_stats.c core/ml_stats.h

# Shell helpers of the guest cases (the shell counterpart of mltest.h).
GUEST_PROGS += tests/vm/mltest.sh
