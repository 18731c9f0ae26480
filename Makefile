# ml-lib: build, test and demo.
#
#   make          kernel modules (against Debian's 6.12 headers) and user space
#   make deps     install what is missing (apt), idempotently
#   make check    host unit tests, then guest tests in QEMU; one summary line
#   make demo     boot the guest and show logblk learning its data placement
#   make demo-mllib  the learning loop on the synthetic ml_lib_demo
#   make bench    benchmarks; each prints its figures and ratios
#   make lint     checkpatch and sparse on the kernel code
#
# Components add themselves through <dir>/build.mk fragments, appending to:
#   HOST_TESTS   host unit-test binaries (ASan + UBSan), run by `make check`
#   USER_PROGS   user-space programs and libraries built by `make`
#   GUEST_PROGS  static binaries copied into the guest's /bin
#   BENCHES      commands run by `make bench`

BUILD ?= build
B := $(BUILD)
TOP := $(CURDIR)
KVER ?= $(shell scripts/kver.sh 2>/dev/null)
KDIR ?= /usr/src/linux-headers-$(KVER)

CC ?= cc
WARN := -Wall -Wextra -Werror
INC := -I$(TOP)/include/uapi -I$(TOP)/core -I$(TOP)/tests/lib -I$(TOP)/user/lib
CFLAGS_USER := -std=gnu11 -O2 -g $(WARN) $(INC) -D_GNU_SOURCE
SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
CFLAGS_HOST_TEST := -std=gnu11 -O1 -g $(WARN) $(INC) -D_GNU_SOURCE $(SAN)
CFLAGS_GUEST := -std=gnu11 -O2 -g $(WARN) $(INC) -D_GNU_SOURCE -static

HOST_TESTS :=
USER_PROGS :=
GUEST_PROGS :=
BENCHES :=

# The recipe of a scripted host test (HOST_TESTS): a wrapper that runs the
# script ($<) with the tree and the build directory, as `make check` calls
# every host test without arguments.
define script_test_wrapper
	@mkdir -p $(dir $@)
	printf '#!/bin/sh\nexec "%s" "%s" "%s"\n' "$(TOP)/$<" "$(TOP)" "$(B)" > $@
	chmod +x $@
endef

.PHONY: all deps modules user check check-host check-guest demo demo-mllib bench lint clean
all: modules user

include $(sort $(wildcard core/build.mk */*/build.mk */*/*/build.mk bench/build.mk))

deps:
	@scripts/deps.sh

# Kbuild builds in a copy of the tree (6.12 has no separate module output
# directory), so the sources stay free of build products.
KMOD_SRC := Kbuild $(shell find kernel core include tests/vm/modules -name '*.[ch]' -o -name Kbuild 2>/dev/null)
modules: $(B)/kmod/.stamp
$(B)/kmod/.stamp: $(KMOD_SRC)
	@test -n "$(KVER)" || { echo "no 6.12 kernel headers: run 'make deps'" >&2; exit 1; }
	@mkdir -p $(B)/kmod
	@cp --parents -u -p $(KMOD_SRC) $(B)/kmod/
	$(MAKE) -C $(KDIR) M=$(TOP)/$(B)/kmod W=1 modules
	@touch $@

user: $(USER_PROGS) $(GUEST_PROGS)

check: deps
	@scripts/check.sh

check-host: $(HOST_TESTS)
	@scripts/run-host-tests.sh $(HOST_TESTS)

check-guest: modules $(GUEST_PROGS)
	@tests/vm/run.sh

demo: deps
	@$(MAKE) --no-print-directory all
	@scripts/demo.sh

demo-mllib: deps
	@$(MAKE) --no-print-directory all
	@scripts/demo-mllib.sh

bench: deps
	@$(MAKE) --no-print-directory all $(BENCH_DEPS)
	@scripts/bench.sh $(BENCHES)

lint: modules
	@scripts/lint.sh

clean:
	rm -rf $(B)

# Variables for scripts (make -s print-VAR).
print-%:
	@echo $($*)
