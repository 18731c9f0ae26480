# Host unit tests: tests/unit/test_NAME.c, built with ASan and UBSan.
# A test links the core/ sources it names in UNIT_SRCS_NAME (default: none)
# and the libraries in UNIT_LIBS_NAME.
UNIT_TEST_SRCS := $(wildcard tests/unit/test_*.c)
HOST_TESTS += $(patsubst tests/unit/%.c,$(B)/unit/%,$(UNIT_TEST_SRCS))

UNIT_SRCS_test_ml_stats := core/ml_stats.c
UNIT_LIBS_test_ml_stats := -lm
UNIT_SRCS_test_ml_mode := core/ml_mode.c core/ml_stats.c
UNIT_LIBS_test_ml_mode := -lm

.SECONDEXPANSION:
$(B)/unit/test_%: tests/unit/test_%.c $$(UNIT_SRCS_test_$$*) tests/lib/mltest.h $(wildcard core/*.h) \
		$(wildcard include/uapi/linux/*.h tests/unit/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_HOST_TEST) -o $@ $< $(UNIT_SRCS_test_$*) $(UNIT_LIBS_test_$*)

UNIT_SRCS_test_ml_table := core/ml_table.c
UNIT_LIBS_test_ml_rand := -lm
# The UAPI's layout for i386 (a second translation unit), and where the
# headers are, to scan them.
UNIT_SRCS_test_uapi_compat := tests/unit/uapi_i386_layout.c
UNIT_LIBS_test_uapi_compat := -DUAPI_DIR='"$(CURDIR)/include/uapi/linux"'
