# logblk user space: the trace replayer, the synthetic workload generator
# and the trace capture tool. Host builds for `make`, static copies for the
# guest (bench/logblk and tests/vm/cases/logblk_*.sh run them there).
LB_CORE_SRCS := core/lb_core.c core/lb_policy.c
LB_CORE_HDRS := core/lb_core.h core/ml_core_types.h
LB_USER_DIR := user/logblk
LB_USER_INC := -I$(TOP)/$(LB_USER_DIR)

LB_REPLAY_SRCS := $(LB_USER_DIR)/replay_main.c $(LB_USER_DIR)/lb_replay.c \
	$(LB_USER_DIR)/lb_trace.c $(LB_CORE_SRCS)
LB_GEN_SRCS := $(LB_USER_DIR)/gen_main.c $(LB_USER_DIR)/lb_trace.c
LB_CAPTURE_SRCS := $(LB_USER_DIR)/capture_main.c $(LB_USER_DIR)/capture_mllib.c \
	$(LB_USER_DIR)/capture_tracefs.c $(LB_USER_DIR)/lb_trace.c $(LB_CORE_SRCS)
LB_USER_HDRS := $(wildcard $(LB_USER_DIR)/*.h) $(LB_CORE_HDRS)

USER_PROGS += $(B)/user/logblk-replay $(B)/user/logblk-gen
GUEST_PROGS += $(B)/guest/logblk-replay $(B)/guest/logblk-gen $(B)/guest/logblk-capture

$(B)/user/logblk-replay: $(LB_REPLAY_SRCS) $(LB_USER_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_USER) $(LB_USER_INC) -o $@ $(LB_REPLAY_SRCS)

$(B)/guest/logblk-replay: $(LB_REPLAY_SRCS) $(LB_USER_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_GUEST) $(LB_USER_INC) -o $@ $(LB_REPLAY_SRCS)

$(B)/user/logblk-gen: $(LB_GEN_SRCS) $(LB_USER_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_USER) $(LB_USER_INC) -o $@ $(LB_GEN_SRCS) -lm

$(B)/guest/logblk-gen: $(LB_GEN_SRCS) $(LB_USER_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_GUEST) $(LB_USER_INC) -o $@ $(LB_GEN_SRCS) -lm

# The capture is an ml_lib agent: libmlagent, linked statically.
$(B)/guest/logblk-capture: $(LB_CAPTURE_SRCS) $(LB_USER_HDRS) $(MLA_A)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_GUEST) $(LB_USER_INC) -o $@ $(LB_CAPTURE_SRCS) $(MLA_A)

UNIT_SRCS_test_lb_core := $(LB_CORE_SRCS)
UNIT_SRCS_test_lb_replay := $(LB_CORE_SRCS) $(LB_USER_DIR)/lb_replay.c $(LB_USER_DIR)/lb_trace.c
CFLAGS_HOST_TEST += $(LB_USER_INC)
GUEST_HOST_BINS += /usr/bin/fio

# The guest test of the logblk/trace proxy is an ml_lib agent too.
GUEST_TEST_LIBS_logblk_trace := $(MLA_A)
$(B)/guest/logblk_trace_test: $(MLA_A) user/lib/mlagent.h
