# mlagentd: the agent (user/agent/). Built twice: against the shared
# libmlagent and the system's shared libraries for the host (USER_PROGS),
# and fully static for the guest (GUEST_PROGS). Its libraries: SQLite (the
# store), libinih (the configuration), liblinear (the regression learner),
# which needs a BLAS (Debian's reference libblas) and the C++ runtime.
# The lifetime learner (learn_lifetime.c) is logblk's placement learner,
# user/logblk/lb_learn.c, with the logblk core it replays through.
AGENT_LIFETIME_SRCS := user/agent/learn_lifetime.c user/logblk/lb_learn.c \
	user/logblk/lb_tree.c user/logblk/lb_place.c core/lb_core.c core/lb_policy.c \
	core/lb_feat.c
AGENT_SRCS := user/agent/params.c user/agent/config.c user/agent/log.c \
	user/agent/artifact.c user/agent/heldout.c user/agent/learn_ctx.c \
	user/agent/learn_linreg.c user/agent/learners.c user/agent/store.c \
	user/agent/worker.c user/agent/port_mla.c $(AGENT_LIFETIME_SRCS) \
	core/ml_model.c user/models/model_build.c
AGENT_HDRS := $(wildcard user/agent/*.h) user/lib/mlagent.h include/uapi/linux/ml_lib.h \
	include/uapi/linux/ml_lib_model.h core/ml_model.h user/models/model_build.h \
	$(wildcard user/logblk/lb_*.h) core/lb_core.h core/lb_feat.h
AGENT_LIBS := -lsqlite3 -linih -llinear -lm -lpthread
# Static: the reference BLAS named explicitly (libblas.a is an alternative
# that another BLAS package could take over), libstdc++ for liblinear.
AGENT_STATIC_LIBS := -lsqlite3 -linih -llinear \
	/usr/lib/x86_64-linux-gnu/blas/libblas.a -lstdc++ -lm -lpthread -ldl
AGENT_CFLAGS := -Iuser/agent -Iuser/models -Iuser/logblk

USER_PROGS += $(B)/user/agent/mlagentd
GUEST_PROGS += $(B)/static/mlagentd user/agent/mlagent-conf.sh

$(B)/user/agent/mlagentd: user/agent/mlagentd.c $(AGENT_SRCS) $(AGENT_HDRS) \
		$(B)/user/lib/libmlagent.so
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_USER) $(AGENT_CFLAGS) -o $@ user/agent/mlagentd.c $(AGENT_SRCS) \
		-L$(B)/user/lib -lmlagent -Wl,-rpath,'$$ORIGIN/../lib' $(AGENT_LIBS)

$(B)/static/mlagentd: user/agent/mlagentd.c $(AGENT_SRCS) $(AGENT_HDRS) \
		$(B)/user/lib/libmlagent.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_GUEST) $(AGENT_CFLAGS) -o $@ user/agent/mlagentd.c $(AGENT_SRCS) \
		$(B)/user/lib/libmlagent.a $(AGENT_STATIC_LIBS)

# Host unit tests (ASan + UBSan).
UNIT_SRCS_test_agent_worker := $(filter-out user/agent/port_mla.c,$(AGENT_SRCS)) \
	core/ml_mode.c core/ml_stats.c $(wildcard user/lib/*.c)
UNIT_LIBS_test_agent_worker := $(AGENT_LIBS)
$(B)/unit/test_agent_%: CFLAGS_HOST_TEST += -Iuser/agent -Iuser/models -Iuser/logblk
$(B)/unit/test_agent_%: $(AGENT_HDRS) tests/unit/agent_sim.h tests/unit/agent_rand.h
UNIT_SRCS_test_agent_config := user/agent/config.c user/agent/params.c \
	user/agent/learners.c user/agent/learn_ctx.c user/agent/learn_linreg.c \
	$(AGENT_LIFETIME_SRCS) user/agent/log.c \
	user/agent/artifact.c core/ml_model.c user/models/model_build.c \
	$(wildcard user/lib/*.c)
UNIT_LIBS_test_agent_config := $(AGENT_LIBS)
UNIT_SRCS_test_agent_store := user/agent/store.c user/agent/artifact.c \
	core/ml_model.c $(wildcard user/lib/*.c)
UNIT_LIBS_test_agent_store := $(AGENT_LIBS)
UNIT_SRCS_test_agent_learners := user/agent/learn_ctx.c user/agent/learn_linreg.c \
	user/agent/learners.c user/agent/artifact.c user/agent/params.c \
	$(AGENT_LIFETIME_SRCS) user/agent/log.c \
	core/ml_model.c user/models/model_build.c $(wildcard user/lib/*.c)
UNIT_LIBS_test_agent_learners := $(AGENT_LIBS)
UNIT_SRCS_test_agent_deploy := user/agent/heldout.c user/agent/artifact.c \
	core/ml_model.c user/models/model_build.c $(wildcard user/lib/*.c)
UNIT_LIBS_test_agent_deploy := -lm

# Scripted host test: options, exit codes, signals without a kernel, the
# docs (every option and parameter documented), the systemd unit.
HOST_TESTS += $(B)/unit/agent_cli
$(B)/unit/agent_cli: tests/unit/agent_cli.sh $(B)/user/agent/mlagentd
	$(script_test_wrapper)

# Installation (PREFIX, DESTDIR as usual): the static binary (no library to
# find), the man page, the systemd unit, and a configuration if none exists.
.PHONY: install-mlagentd
install-mlagentd: $(B)/static/mlagentd
	install -d $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(PREFIX)/share/man/man8 \
		$(DESTDIR)$(PREFIX)/lib/systemd/system $(DESTDIR)/etc/mlagent
	install -m 755 $(B)/static/mlagentd $(DESTDIR)$(PREFIX)/sbin/mlagentd
	install -m 644 man/man8/mlagentd.8 $(DESTDIR)$(PREFIX)/share/man/man8/
	sed 's|/usr/local/sbin/mlagentd|$(PREFIX)/sbin/mlagentd|' packaging/mlagentd.service \
		> $(DESTDIR)$(PREFIX)/lib/systemd/system/mlagentd.service
	test -e $(DESTDIR)/etc/mlagent/mlagent.conf || \
		install -m 644 packaging/mlagent.conf $(DESTDIR)/etc/mlagent/mlagent.conf

# Scripted host test of the configuration generator the guest programs use.
HOST_TESTS += $(B)/unit/mlagent_conf
$(B)/unit/mlagent_conf: tests/unit/mlagent_conf.sh user/agent/mlagent-conf.sh \
		$(B)/user/agent/mlagentd
	$(script_test_wrapper)
