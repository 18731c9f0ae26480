# bench/model: instructions per inference of core/ml_model.c (callgrind).
# The executor is compiled with the kernel's constraints that change code
# generation: no FPU or vector registers (so no auto-vectorization), no red
# zone, -O2, -fno-strict-aliasing.
BENCH_MODEL_KFLAGS := -std=gnu11 -O2 -g $(WARN) $(INC) -mgeneral-regs-only -mno-red-zone \
	-fno-strict-aliasing -fno-delete-null-pointer-checks

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
