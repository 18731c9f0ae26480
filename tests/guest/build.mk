# Guest test programs: static binaries run inside the QEMU guest.
GUEST_TEST_SRCS := $(wildcard tests/guest/*_test.c)
GUEST_PROGS += $(patsubst tests/guest/%.c,$(B)/guest/%,$(GUEST_TEST_SRCS))

$(B)/guest/%_test: tests/guest/%_test.c tests/lib/mltest.h include/uapi/linux/ml_lib.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_GUEST) -o $@ $< $(GUEST_TEST_LIBS_$*) -lpthread
