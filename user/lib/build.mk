# libmlagent: the agents' C API, as a shared library (soname libmlagent.so.1,
# symbols versioned by libmlagent.map) and a static one (for the guest's
# static binaries), with a pkg-config file; `make install-libmlagent`.
MLA_VERSION := 1.0.0
MLA_SONAME := libmlagent.so.1
MLA_DIR := $(B)/user/lib
MLA_SRCS := $(wildcard user/lib/*.c)
MLA_HDRS := $(wildcard user/lib/*.h) include/uapi/linux/ml_lib.h \
	core/ml_ring.h core/ml_abi.h core/ml_core_types.h core/ml_names.h
MLA_OBJS := $(patsubst user/lib/%.c,$(MLA_DIR)/%.o,$(MLA_SRCS))
MLA_SO := $(MLA_DIR)/libmlagent.so.$(MLA_VERSION)
MLA_A := $(MLA_DIR)/libmlagent.a
MLA_CFLAGS := $(CFLAGS_USER) -fPIC -fvisibility=hidden

USER_PROGS += $(MLA_SO) $(MLA_DIR)/libmlagent.so $(MLA_A)

$(MLA_DIR)/%.o: user/lib/%.c $(MLA_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(MLA_CFLAGS) -c -o $@ $<

$(MLA_SO): $(MLA_OBJS) user/lib/libmlagent.map
	$(CC) -shared -Wl,-soname,$(MLA_SONAME) -Wl,--version-script=user/lib/libmlagent.map \
		-Wl,-z,defs -o $@ $(MLA_OBJS)

$(MLA_DIR)/libmlagent.so: $(MLA_SO)
	ln -sf libmlagent.so.$(MLA_VERSION) $(MLA_DIR)/$(MLA_SONAME)
	ln -sf $(MLA_SONAME) $@

$(MLA_A): $(MLA_OBJS)
	rm -f $@
	ar rcs $@ $(MLA_OBJS)

# Host unit tests: the library's sources built with ASan and UBSan.
UNIT_SRCS_test_mlagent_ring := $(MLA_SRCS)
UNIT_SRCS_test_mlagent_table := $(MLA_SRCS)
UNIT_SRCS_test_mlagent_names := $(MLA_SRCS)

# Scripted host tests: man pages, and installation with pkg-config.
HOST_TESTS += $(B)/unit/mlagent_docs $(B)/unit/mlagent_install
$(B)/unit/mlagent_%: tests/unit/mlagent_%.sh $(MLA_SO) $(MLA_DIR)/libmlagent.so $(MLA_A) \
		$(B)/user/ctl/mlctl $(B)/static/mlctl
	$(script_test_wrapper)

# Installation (PREFIX, LIBDIR, DESTDIR as usual). The ABI header goes to
# include/mlagent/linux/ so it never shadows the system's kernel headers.
PREFIX ?= /usr/local
LIBDIR ?= $(PREFIX)/lib
.PHONY: install-libmlagent
install-libmlagent: $(MLA_SO) $(MLA_DIR)/libmlagent.so $(MLA_A)
	install -d $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(PREFIX)/include/mlagent/linux \
		$(DESTDIR)$(PREFIX)/share/man/man3 $(DESTDIR)$(PREFIX)/share/man/man7
	install -m 644 $(MLA_SO) $(MLA_A) $(DESTDIR)$(LIBDIR)/
	ln -sf libmlagent.so.$(MLA_VERSION) $(DESTDIR)$(LIBDIR)/$(MLA_SONAME)
	ln -sf $(MLA_SONAME) $(DESTDIR)$(LIBDIR)/libmlagent.so
	install -m 644 user/lib/mlagent.h $(DESTDIR)$(PREFIX)/include/
	install -m 644 include/uapi/linux/ml_lib.h $(DESTDIR)$(PREFIX)/include/mlagent/linux/
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' -e 's|@VERSION@|$(MLA_VERSION)|' \
		user/lib/mlagent.pc.in > $(DESTDIR)$(LIBDIR)/pkgconfig/mlagent.pc
	install -m 644 man/man3/*.3 $(DESTDIR)$(PREFIX)/share/man/man3/
	install -m 644 man/man7/libmlagent.7 $(DESTDIR)$(PREFIX)/share/man/man7/
UNIT_LIBS_test_mlagent_ring := -lpthread

# The guest test of the library (tests/guest/mlagent_test.c) links it statically.
GUEST_TEST_LIBS_mlagent := $(MLA_A)
$(B)/guest/mlagent_test: $(MLA_A) user/lib/mlagent.h
