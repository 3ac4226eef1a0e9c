# seg_mf/local.mk - the machine-frame segment driver and the live
# physical-memory provider, included from the top-level Makefile.am
# (non-recursive; paths are relative to the top).
#
# seg_mf/libphmf.la is a convenience library, linked into libporthole with
# hidden visibility like the core and xen/, and into the tests and
# benchmarks that use the driver.  The driver itself (seg_mf.c) includes
# no Xen header and is always built, so its bookkeeping is unit-tested on
# hosts without Xen through test frame and grant sources; the Xen frame
# and grant sources and the live provider are built only when configure
# found the Xen libraries.
# Link it before xen/libphxen.la and vm/libphvm.la.

noinst_LTLIBRARIES += seg_mf/libphmf.la

seg_mf_libphmf_la_SOURCES = \
	seg_mf/seg_mf.c \
	seg_mf/seg_mf.h
seg_mf_libphmf_la_CPPFLAGS = $(AM_CPPFLAGS) $(XEN_CFLAGS)
seg_mf_libphmf_la_CFLAGS = $(AM_CFLAGS) -std=gnu11 -fvisibility=hidden \
	-DPH_BUILDING_LIBRARY

if HAVE_XEN
seg_mf_libphmf_la_SOURCES += \
	seg_mf/physmem_live.c \
	seg_mf/physmem_live.h \
	seg_mf/segmf_xen.c \
	seg_mf/segmf_xen_grant.c
endif
