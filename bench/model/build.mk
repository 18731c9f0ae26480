# bench/model: instructions per inference of core/ml_model.c (callgrind).
# The executor is compiled with the flags of Debian's 6.12 kernel build that
# change its code and also run in user space: -O2, no FPU or vector
# registers (so no auto-vectorization), no red zone, no jump tables (the
# kernel's retpoline builds turn them off), wrapping signed overflow, stack
# variables zeroed unless marked __uninitialized, stack protector, endbr64
# at function entries. The kernel's return thunks and ftrace NOPs are not
# reproduced.
BENCH_MODEL_KFLAGS := -std=gnu11 -O2 -g $(WARN) $(INC) -mgeneral-regs-only -mno-red-zone \
	-fno-strict-aliasing -fno-delete-null-pointer-checks -fno-jump-tables \
	-fno-strict-overflow -ftrivial-auto-var-init=zero -fstack-protector-strong \
	-fcf-protection=branch

# MODEL_HDRS comes from user/models/build.mk, read after this file.
.SECONDEXPANSION:
$(B)/bench/model/ml_model.o: core/ml_model.c $$(MODEL_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(BENCH_MODEL_KFLAGS) -c -o $@ $<

$(B)/bench/model/model_bench: bench/model/model_bench.c user/models/model_build.c \
		$(B)/bench/model/ml_model.o $$(MODEL_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_USER) -I$(TOP)/user/models -o $@ bench/model/model_bench.c \
		user/models/model_build.c $(B)/bench/model/ml_model.o -lm

BENCH_DEPS += $(B)/bench/model/model_bench
BENCHES += bench/model/run.sh

# In the guest: ml_lib_decide() with a model against with a cached table
# (a static guest program; bench/model/guest.sh runs it in QEMU).
GUEST_PROGS += $(B)/guest/ml_model_guest_bench
BENCHES += bench/model/guest.sh
$(B)/guest/ml_model_guest_bench: bench/model/ml_model_guest_bench.c core/ml_model.c \
		user/models/model_build.c tests/guest/ml_lib_guest.h $$(MODEL_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_GUEST) -I$(TOP)/user/models -o $@ bench/model/ml_model_guest_bench.c \
		core/ml_model.c user/models/model_build.c -lm
