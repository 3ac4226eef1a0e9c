# guest/paging.mk - x86 guest paging (the walker and its translation
# cache), included from the top-level Makefile.am (non-recursive; paths
# are relative to the top).
#
# guest/libphpaging.la is a convenience library linked into libporthole
# with hidden visibility, like xen/libphxen.la.  It is portable C: it
# reads guest memory through a callback interface and needs no Xen.

noinst_LTLIBRARIES += guest/libphpaging.la
guest_libphpaging_la_SOURCES = \
	guest/x86_paging.c \
	guest/x86_paging.h \
	guest/x86_tlb.c \
	guest/x86_tlb.h
guest_libphpaging_la_CFLAGS = $(AM_CFLAGS) -fvisibility=hidden \
	-DPH_BUILDING_LIBRARY
libporthole_la_LIBADD += guest/libphpaging.la

# Unit tests on synthetic page tables built by the test.
tests_unit_x86_paging_test_LDADD = guest/libphpaging.la vm/libphvm.la
