# xen/local.mk - porthole's Xen layer, included from the top-level
# Makefile.am (non-recursive; paths are relative to the top).
#
# xen/libphxen.la is a convenience library, linked into libporthole with
# hidden visibility (only PH_EXPORT symbols leave the library).  The xc-core
# reader and writer, the error reports, the resolution rules and the pause guard's
# machinery are pure C and always built (tests use them on hosts without
# Xen); so is the libvirt lookup, which needs libvirt but no Xen (without
# libvirt it only says so).  The parts that call the Xen libraries are
# built only when configure found them (HAVE_XEN, XEN_CFLAGS, XEN_LIBS).
#
# The Xen headers use GNU C extensions (anonymous unions), so this library
# is compiled as gnu11; the rest of the tree stays C11.

noinst_LTLIBRARIES += xen/libphxen.la

xen_libphxen_la_SOURCES = \
	xen/porthole_domains.c \
	xen/xc_core.c \
	xen/xc_core.h \
	xen/xc_core_write.c \
	xen/xc_core_write.h \
	xen/xen_err.c \
	xen/xen_err.h \
	xen/xen_libvirt.c \
	xen/xen_libvirt.h \
	xen/xen_pause.c \
	xen/xen_pause.h \
	xen/xen_resolve.c \
	xen/xen_resolve.h
xen_libphxen_la_CPPFLAGS = $(AM_CPPFLAGS) $(XEN_CFLAGS) $(LIBVIRT_CFLAGS)
xen_libphxen_la_LIBADD = $(LIBVIRT_LIBS)
xen_libphxen_la_CFLAGS = $(AM_CFLAGS) -std=gnu11 -fvisibility=hidden \
	-DPH_BUILDING_LIBRARY

if HAVE_XEN
xen_libphxen_la_SOURCES += \
	xen/xc_core_dump.c \
	xen/xc_core_dump.h \
	xen/xen_domain.c \
	xen/xen_domain.h \
	xen/xen_grant.c \
	xen/xen_grant.h \
	xen/xen_impl.h \
	xen/xen_pause_domain.c \
	xen/xen_physmem.c \
	xen/xen_physmem.h \
	xen/xen_vcpu.c \
	xen/xen_vcpu.h
xen_libphxen_la_LIBADD += $(XEN_LIBS)
endif

# A white-box test of the vCPU context conversions (xen_vcpu.c) on
# synthetic contexts: it builds Xen's own context structures, so it needs
# the Xen headers (no hypervisor) and lives here, beside the code, since
# nothing outside xen/ and seg_mf/ includes a Xen header.
if HAVE_XEN
TESTS += xen/xen-vcpu-test
check_PROGRAMS += xen/xen-vcpu-test
endif
xen_xen_vcpu_test_SOURCES = xen/xen_vcpu_test.c
xen_xen_vcpu_test_CPPFLAGS = $(AM_CPPFLAGS) $(XEN_CFLAGS)
xen_xen_vcpu_test_LDADD = xen/libphxen.la vm/libphvm.la

# The xc-core reader's vCPU decoding (byte offsets, no Xen header) against
# Xen's own context structures and the live conversions above.
if HAVE_XEN
TESTS += xen/xc-core-vcpu-test
check_PROGRAMS += xen/xc-core-vcpu-test
endif
xen_xc_core_vcpu_test_SOURCES = xen/xc_core_vcpu_test.c
xen_xc_core_vcpu_test_CPPFLAGS = $(AM_CPPFLAGS) $(XEN_CFLAGS)
xen_xc_core_vcpu_test_LDADD = xen/libphxen.la vm/libphvm.la
