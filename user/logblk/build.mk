# logblk user space: the trace replayer, the synthetic workload generator
# and the trace capture tool. Host builds for `make`, static copies for the
# guest (bench/logblk and tests/vm/cases/logblk_*.sh run them there).
LB_CORE_SRCS := core/lb_core.c core/lb_policy.c core/lb_feat.c
LB_CORE_HDRS := core/lb_core.h core/lb_feat.h core/ml_core_types.h core/ml_model.h
LB_USER_DIR := user/logblk
LB_USER_INC := -I$(TOP)/$(LB_USER_DIR) -I$(TOP)/user/models

# The learned placement in user space: core's model executor, the placement
# engine, the replayer and the learner (lb_learn.c, which mlagentd links).
LB_PLACE_SRCS := $(LB_USER_DIR)/lb_place.c core/ml_model.c
LB_LEARN_SRCS := $(LB_USER_DIR)/lb_learn.c $(LB_USER_DIR)/lb_tree.c \
	user/models/model_build.c $(LB_PLACE_SRCS) $(LB_CORE_SRCS)
LB_REPLAY_SRCS := $(LB_USER_DIR)/replay_main.c $(LB_USER_DIR)/lb_replay.c \
	$(LB_USER_DIR)/lb_trace.c $(LB_USER_DIR)/lb_tree.c user/models/model_build.c \
	$(LB_PLACE_SRCS) $(LB_CORE_SRCS)
LB_LEARNTOOL_SRCS := $(LB_USER_DIR)/learn_main.c $(LB_USER_DIR)/lb_sim.c \
	$(LB_USER_DIR)/lb_replay.c $(LB_USER_DIR)/lb_trace.c $(LB_LEARN_SRCS)
LB_GEN_SRCS := $(LB_USER_DIR)/gen_main.c $(LB_USER_DIR)/lb_trace.c
LB_CAPTURE_SRCS := $(LB_USER_DIR)/capture_main.c $(LB_USER_DIR)/capture_mllib.c \
	$(LB_USER_DIR)/capture_tracefs.c $(LB_USER_DIR)/lb_trace.c $(LB_CORE_SRCS)
LB_USER_HDRS := $(wildcard $(LB_USER_DIR)/*.h) $(LB_CORE_HDRS) user/models/model_build.h

USER_PROGS += $(B)/user/logblk-replay $(B)/user/logblk-gen $(B)/user/logblk-learn
GUEST_PROGS += $(B)/guest/logblk-replay $(B)/guest/logblk-gen $(B)/guest/logblk-capture

$(B)/user/logblk-replay: $(LB_REPLAY_SRCS) $(LB_USER_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_USER) $(LB_USER_INC) -o $@ $(LB_REPLAY_SRCS) -lm

$(B)/user/logblk-learn: $(LB_LEARNTOOL_SRCS) $(LB_USER_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_USER) $(LB_USER_INC) -o $@ $(LB_LEARNTOOL_SRCS) -lm

$(B)/guest/logblk-replay: $(LB_REPLAY_SRCS) $(LB_USER_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_GUEST) $(LB_USER_INC) -o $@ $(LB_REPLAY_SRCS) -lm

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
UNIT_SRCS_test_lb_replay := $(LB_CORE_SRCS) $(LB_PLACE_SRCS) $(LB_USER_DIR)/lb_replay.c \
	$(LB_USER_DIR)/lb_trace.c $(LB_USER_DIR)/lb_tree.c user/models/model_build.c
UNIT_LIBS_test_lb_replay := -lm
CFLAGS_HOST_TEST += $(LB_USER_INC)
GUEST_HOST_BINS += /usr/bin/fio

# The guest test of the logblk/trace proxy is an ml_lib agent too.
GUEST_TEST_LIBS_logblk_trace := $(MLA_A)
$(B)/guest/logblk_trace_test: $(MLA_A) user/lib/mlagent.h

# The guest test of the logblk/placement proxy: an agent that pushes a
# model it builds, and checks the proxy's data (tests/vm/cases/logblk_place.sh).
GUEST_TEST_LIBS_logblk_place := -I$(TOP)/user/models user/models/model_build.c \
	core/ml_model.c core/lb_feat.c core/lb_core.c core/lb_policy.c $(MLA_A) -lm
$(B)/guest/logblk_place_test: $(MLA_A) user/lib/mlagent.h core/lb_feat.h \
	user/models/model_build.c user/models/model_build.h

# Host tests of the learned placement: features, trees, the learner.
UNIT_SRCS_test_lb_feat := $(LB_CORE_SRCS)
UNIT_SRCS_test_lb_tree := $(LB_USER_DIR)/lb_tree.c user/models/model_build.c core/ml_model.c
UNIT_LIBS_test_lb_tree := -lm
UNIT_SRCS_test_lb_learn := $(LB_LEARN_SRCS) $(LB_USER_DIR)/lb_sim.c $(LB_USER_DIR)/lb_replay.c \
	$(LB_USER_DIR)/lb_trace.c
UNIT_LIBS_test_lb_learn := -lm

# Scripted host tests: logblk-learn's options, the learner on a slow
# drift at the benchmark's size, and logblk-replay's fit.
HOST_TESTS += $(B)/unit/logblk_learn_cli $(B)/unit/logblk_slow_drift $(B)/unit/logblk_replay_fit
$(B)/unit/logblk_slow_drift: $(B)/user/logblk-gen
$(B)/unit/logblk_replay_fit: $(B)/user/logblk-gen $(B)/user/logblk-replay
$(B)/unit/logblk_%: tests/unit/logblk_%.sh $(B)/user/logblk-learn
	$(script_test_wrapper)
