# mlctl: the operator's CLI (included before user/lib/build.mk: no MLA_* here). Built twice: against the shared libmlagent for
# the host (found through RPATH $ORIGIN/../lib in the build tree), and static
# against libmlagent.a for the guest (GUEST_PROGS, copied into its /bin).
CTL_SRCS := user/ctl/mlctl.c user/ctl/ctl_args.c user/ctl/ctl_format.c
CTL_HDRS := $(wildcard user/ctl/*.h) user/lib/mlagent.h include/uapi/linux/ml_lib.h
USER_PROGS += $(B)/user/ctl/mlctl
GUEST_PROGS += $(B)/static/mlctl

$(B)/user/ctl/mlctl: $(CTL_SRCS) $(CTL_HDRS) $(B)/user/lib/libmlagent.so
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_USER) -o $@ $(CTL_SRCS) -L$(B)/user/lib -lmlagent \
		-Wl,-rpath,'$$ORIGIN/../lib'

$(B)/static/mlctl: $(CTL_SRCS) $(CTL_HDRS) $(B)/user/lib/libmlagent.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_GUEST) -o $@ $(CTL_SRCS) $(B)/user/lib/libmlagent.a

# Host unit tests of the parser and the formatting.
UNIT_SRCS_test_mlctl_args := user/ctl/ctl_args.c $(wildcard user/lib/*.c)
UNIT_SRCS_test_mlctl_format := user/ctl/ctl_format.c $(wildcard user/lib/*.c)

.PHONY: install-mlctl
install-mlctl: $(B)/static/mlctl
	install -d $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(PREFIX)/share/man/man8
	install -m 755 $(B)/static/mlctl $(DESTDIR)$(PREFIX)/sbin/mlctl
	install -m 644 man/man8/mlctl.8 $(DESTDIR)$(PREFIX)/share/man/man8/
$(B)/unit/test_mlctl_%: CFLAGS_HOST_TEST += -Iuser/ctl
