# bench/agent: the agent's store and learners per record (host).
# AGENT_SRCS comes from user/agent/build.mk, read after this file.
BENCH_AGENT_SRCS = $(filter-out user/agent/port_mla.c user/agent/worker.c,$(AGENT_SRCS))
.SECONDEXPANSION:
$(B)/bench/agent/agent_bench: bench/agent/agent_bench.c $$(BENCH_AGENT_SRCS) $$(AGENT_HDRS) \
		$(B)/user/lib/libmlagent.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_USER) $(AGENT_CFLAGS) -o $@ bench/agent/agent_bench.c \
		$(BENCH_AGENT_SRCS) $(B)/user/lib/libmlagent.a $(AGENT_LIBS)

BENCH_DEPS += $(B)/bench/agent/agent_bench
BENCHES += bench/agent/run.sh
