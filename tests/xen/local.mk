# tests/xen/local.mk - the nested Xen test bed, included from the
# top-level Makefile.am (non-recursive; paths are relative to the top).
#
#	make check	runs tests/xen/live.tap (TAP over harness.test): it boots
#			Xen + dom0 in QEMU, runs the live suite and prints
#			PASS/FAIL/SKIP per live test (SKIP, exit 77, when
#			QEMU or the Xen libraries are missing, or when
#			PORTHOLE_XEN_SKIP=1)
#	make check-xen	the same, on the terminal
#	make demo-xen	boots the bed and shows a live guest's markers read
#			through privcmd
# See tests/xen/README.md.

TESTS += tests/xen/xc-core-test tests/xen/live.tap

# The xc-core reader against synthetic dumps: needs no Xen.
check_PROGRAMS += tests/xen/xc-core-test
tests_xen_xc_core_test_SOURCES = tests/xen/xc_core_test.c
tests_xen_xc_core_test_LDADD = xen/libphxen.la

if HAVE_XEN
check_PROGRAMS += tests/xen/live/xenlive tests/xen/guest/marker \
	tests/xen/guest/granter tests/xen/xen-grant-test
# The grant handle's argument, error and unmap paths: needs no Xen.
TESTS += tests/xen/xen-grant-test
endif

tests_xen_xen_grant_test_SOURCES = tests/xen/xen_grant_test.c
tests_xen_xen_grant_test_LDADD = xen/libphxen.la vm/libphvm.la $(XEN_LIBS)

tests_xen_live_xenlive_SOURCES = \
	tests/xen/live/xenlive.c \
	tests/xen/live/live.h \
	tests/xen/live/live_domain.c \
	tests/xen/live/live_grant.c \
	tests/xen/live/live_guest.c \
	tests/xen/live/live_linux.c \
	tests/xen/live/live_segmf.c \
	tests/xen/live/live_cli.c \
	tests/xen/live/live_util.c \
	tests/xen/live/live_xccore.c
tests_xen_live_xenlive_LDADD = guest/linux/libphlviews.la \
	guest/linux/libphlinux.la guest/libphguest.la guest/libphpaging.la \
	seg_mf/libphmf.la xen/libphxen.la \
	vm/libphvm.la $(XEN_LIBS)

# Runs inside the test domU, which has no shared libraries.
tests_xen_guest_marker_SOURCES = tests/xen/guest/marker.c \
	tests/xen/guest/guest_util.h
# It is linked statically, so it never takes the sanitizer flags.
tests_xen_guest_marker_CFLAGS = -std=gnu11 -pthread $(WARN_CFLAGS)
tests_xen_guest_marker_LDFLAGS = -all-static
tests_xen_guest_marker_LDADD =

# Offers grants to dom0 from inside the test domU; static like marker.
tests_xen_guest_granter_SOURCES = tests/xen/guest/granter.c \
	tests/xen/guest/guest_util.h
tests_xen_guest_granter_CFLAGS = -std=gnu11 $(WARN_CFLAGS)
tests_xen_guest_granter_LDFLAGS = -all-static
tests_xen_guest_granter_LDADD =

EXTRA_DIST += \
	tests/xen/README.md \
	tests/xen/host-packages.txt \
	tests/xen/harness.test \
	tests/xen/live.tap \
	tests/xen/run.sh \
	tests/xen/fetch.sh \
	tests/xen/mkbase.sh \
	tests/xen/dom0-init.sh \
	tests/xen/bed-dom0.sh \
	tests/xen/run-live.sh \
	tests/xen/demo-live.sh \
	tests/xen/guest/domU-init.sh

XEN_BED_ARGS = \
	--xenlive tests/xen/live/xenlive$(EXEEXT) \
	--marker tests/xen/guest/marker$(EXEEXT) \
	--granter tests/xen/guest/granter$(EXEEXT) \
	--porthole porthole$(EXEEXT)
XEN_BED_BINARIES = tests/xen/live/xenlive$(EXEEXT) \
	tests/xen/guest/marker$(EXEEXT) tests/xen/guest/granter$(EXEEXT) \
	porthole$(EXEEXT)

if HAVE_XEN
check-xen: $(XEN_BED_BINARIES)
	$(SHELL) $(srcdir)/tests/xen/run.sh $(XEN_BED_ARGS)

demo-xen: $(XEN_BED_BINARIES)
	$(SHELL) $(srcdir)/tests/xen/run.sh --demo $(XEN_BED_ARGS)
else
check-xen demo-xen:
	@echo "porthole was configured without the Xen libraries" \
	    "(install libxen-dev and rerun configure)"; exit 1
endif

.PHONY: check-xen demo-xen
