# guest/linux/local.mk - the Linux layer of the guest handle, included
# from the top-level Makefile.am (non-recursive; paths are relative to
# the top).
#
# guest/linux/libphlinux.la is a convenience library linked into
# libporthole with hidden visibility, like guest/libphpaging.la.  The
# discovery readers (VMCOREINFO, banner, kallsyms, BTF, System.map and
# vmlinux, the profile cache) read guest memory through the callbacks of
# linux_mem.h, so they and their tests need no guest handle; libbpf is
# optional (without it there is no BTF).

noinst_LTLIBRARIES += guest/linux/libphlinux.la
guest_linux_libphlinux_la_SOURCES = \
	guest/linux/linux_banner.c \
	guest/linux/linux_banner.h \
	guest/linux/linux_btf.c \
	guest/linux/linux_btf.h \
	guest/linux/linux_cache.c \
	guest/linux/linux_cache.h \
	guest/linux/linux_discover.c \
	guest/linux/linux_impl.h \
	guest/linux/linux_infer.c \
	guest/linux/linux_infer.h \
	guest/linux/linux_kallsyms.c \
	guest/linux/linux_kallsyms.h \
	guest/linux/linux_list.c \
	guest/linux/linux_list.h \
	guest/linux/linux_maple.c \
	guest/linux/linux_mem.c \
	guest/linux/linux_mem.h \
	guest/linux/linux_profile.c \
	guest/linux/linux_profile.h \
	guest/linux/linux_read.c \
	guest/linux/linux_sysmap.c \
	guest/linux/linux_sysmap.h \
	guest/linux/linux_views.h \
	guest/linux/linux_vmcoreinfo.c \
	guest/linux/linux_vmcoreinfo.h
guest_linux_libphlinux_la_CFLAGS = $(AM_CFLAGS) -fvisibility=hidden \
	-DPH_BUILDING_LIBRARY $(LIBBPF_CFLAGS)
guest_linux_libphlinux_la_LIBADD = $(LIBBPF_LIBS)
libporthole_la_LIBADD += guest/linux/libphlinux.la

# Unit tests of the readers on inputs the tests build.
tests_unit_linux_profile_test_LDADD = guest/linux/libphlinux.la \
	vm/libphvm.la
tests_unit_linux_btf_test_CPPFLAGS = $(AM_CPPFLAGS) $(LIBBPF_CFLAGS)
tests_unit_linux_btf_test_LDADD = guest/linux/libphlinux.la vm/libphvm.la
tests_unit_linux_vmcoreinfo_test_LDADD = guest/linux/libphlinux.la \
	vm/libphvm.la
tests_unit_linux_mem_test_LDADD = guest/linux/libphlinux.la vm/libphvm.la
tests_unit_linux_banner_test_LDADD = guest/linux/libphlinux.la \
	vm/libphvm.la
tests_unit_linux_kallsyms_test_LDADD = guest/linux/libphlinux.la \
	vm/libphvm.la
tests_unit_linux_sysmap_test_LDADD = guest/linux/libphlinux.la \
	vm/libphvm.la
tests_unit_linux_cache_test_LDADD = guest/linux/libphlinux.la \
	vm/libphvm.la
# Discovery on synthetic kernels in raw images, through the guest handle
# (the convenience libraries: the test looks into the profile too).
tests_unit_linux_discover_test_CPPFLAGS = $(AM_CPPFLAGS) $(LIBBPF_CFLAGS)
tests_unit_linux_discover_test_LDADD = guest/linux/libphlinux.la \
	guest/libphguest.la guest/libphpaging.la seg_mf/libphmf.la \
	xen/libphxen.la vm/libphvm.la
# Discovery on tests/images/'s real images (skips without them), through
# the public API.
tests_unit_linux_images_test_SOURCES = tests/unit/linux_images_test.c \
	tests/images/manifest.h
tests_unit_linux_images_test_LDADD = libporthole.la
EXTRA_DIST += tests/lk_fakemem.h tests/kallsyms_enc.h
