# libFuzzer targets (clang, ASan + UBSan) and their seed corpus generator.
# `make check` runs tests/fuzz/run.sh through a HOST_TESTS wrapper; it
# prints "N passed, N failed" like the unit tests.
FUZZ_CC ?= clang
FUZZ_CFLAGS := -std=gnu11 -O1 -g $(WARN) $(INC) -I$(TOP)/user/models -D_GNU_SOURCE \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

# MODEL_LIB and MODEL_HDRS come from user/models/build.mk, read after this file.
.SECONDEXPANSION:

$(B)/fuzz/fuzz_model: tests/fuzz/fuzz_model.c core/ml_model.c tests/lib/model_ref.h $$(MODEL_HDRS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ tests/fuzz/fuzz_model.c core/ml_model.c

$(B)/fuzz/gen_corpus: tests/fuzz/gen_corpus.c $$(MODEL_LIB) $$(MODEL_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_USER) -I$(TOP)/user/models -o $@ $< $(MODEL_LIB) -lm

# The host-test entry: a wrapper that runs the fuzzer with its corpus.
$(B)/fuzz/check_fuzz_model: tests/fuzz/run.sh $(B)/fuzz/fuzz_model $(B)/fuzz/gen_corpus
	@printf '#!/bin/sh\nexec %s %s %s\n' "$(TOP)/tests/fuzz/run.sh" \
		"$(TOP)/$(B)/fuzz/fuzz_model" "$(TOP)/$(B)/fuzz/gen_corpus" > $@
	@chmod +x $@
HOST_TESTS += $(B)/fuzz/check_fuzz_model

.PHONY: fuzz-corpus
fuzz-corpus: $(B)/fuzz/gen_corpus
	rm -f tests/fuzz/corpus/model/*
	$(B)/fuzz/gen_corpus tests/fuzz/corpus/model
