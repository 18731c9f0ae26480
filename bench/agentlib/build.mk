# Benchmark: libmlagent's consumption against a raw mmap loop (guest).
GUEST_PROGS += $(B)/static/mlagent_bench
BENCHES += bench/agentlib/run.sh

$(B)/static/mlagent_bench: bench/agentlib/mlagent_bench.c $(B)/user/lib/libmlagent.a user/lib/mlagent.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_GUEST) -o $@ $< $(B)/user/lib/libmlagent.a
