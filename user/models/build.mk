# libmlmodel.a: the model builders (model_build.c) and core's verifier and
# executor (core/ml_model.c), for the agent to compile, check and push models.
MODEL_HDRS := include/uapi/linux/ml_lib_model.h include/uapi/linux/ml_lib.h \
	core/ml_model.h core/ml_core_types.h user/models/model_build.h
MODEL_LIB := $(B)/user/models/libmlmodel.a
USER_PROGS += $(MODEL_LIB)

$(B)/user/models/model_build.o: user/models/model_build.c $(MODEL_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_USER) -c -o $@ $<

$(B)/user/models/ml_model.o: core/ml_model.c $(MODEL_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_USER) -c -o $@ $<

$(MODEL_LIB): $(B)/user/models/model_build.o $(B)/user/models/ml_model.o
	$(AR) rcs $@ $^

UNIT_SRCS_test_model_build := core/ml_model.c user/models/model_build.c
UNIT_LIBS_test_model_build := -lm
$(B)/unit/test_model_build: CFLAGS_HOST_TEST += -I$(TOP)/user/models
$(B)/unit/test_model_build: $(MODEL_HDRS)

# Host tests of core/ml_model (tests/unit/test_ml_model.c): it builds its
# models with model_build and checks its rule table against the source.
UNIT_SRCS_test_ml_model := core/ml_model.c user/models/model_build.c
UNIT_LIBS_test_ml_model := -lm
$(B)/unit/test_ml_model: CFLAGS_HOST_TEST += -I$(TOP)/user/models -DML_MODEL_SRC='"$(TOP)/core/ml_model.c"'
$(B)/unit/test_ml_model: tests/lib/model_ref.h $(MODEL_HDRS)

# The guest test of models in the kernel builds and checks models with the
# same code as the host (tests/guest/ml_lib_model_test.c).
GUEST_TEST_LIBS_ml_lib_model := -I$(TOP)/user/models core/ml_model.c user/models/model_build.c -lm
$(B)/guest/ml_lib_model_test: core/ml_model.c user/models/model_build.c $(MODEL_HDRS) \
	tests/lib/xorshift.h
