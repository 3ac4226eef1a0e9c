## Unit, CLI and build tests (`make check`).  Each test runs in its own
## process under a timeout (tests/run-test.sh); exit 77 is a skip.
LOG_COMPILER = $(SHELL) $(srcdir)/tests/run-test.sh
TEST_LOG_COMPILER = $(SHELL) $(srcdir)/tests/run-test.sh
TEST_EXTENSIONS = .test .tap
# TAP tests (the live Xen bed) report each of their cases by name.
TAP_LOG_DRIVER = env AM_TAP_AWK='$(AWK)' $(SHELL) $(top_srcdir)/build-aux/tap-driver.sh
TAP_LOG_COMPILER = $(SHELL) $(srcdir)/tests/run-test.sh
AM_TESTS_ENVIRONMENT = \
	CC='$(CC)'; CPPFLAGS='$(CPPFLAGS)'; CFLAGS='$(CFLAGS)'; \
	top_srcdir='$(top_srcdir)'; top_builddir='$(top_builddir)'; \
	PACKAGE_VERSION='$(PACKAGE_VERSION)'; \
	PORTHOLE_FEATURES='$(PH_FEATURES)'; \
	export CC CPPFLAGS CFLAGS top_srcdir top_builddir PACKAGE_VERSION \
	    PORTHOLE_FEATURES;

EXTRA_DIST += tests/run-test.sh tests/test.h tests/prng.h

# Unit tests of the portable core, each built from tests/unit/NAME.c and
# linked against the core itself (the default for programs that name no
# LDADD of their own).
LDADD = vm/libphvm.la
tests_unit_guest_test_LDADD = libporthole.la
# The Linux views on a synthetic kernel the test builds (linux_synth.c).
tests_unit_linux_views_test_SOURCES = tests/unit/linux_views_test.c \
	tests/linux_synth.c tests/linux_synth.h
tests_unit_linux_views_test_LDADD = guest/linux/libphlviews.la \
	guest/linux/libphlinux.la libporthole.la
# The layout inference on tests/images/'s real kernels (skips without
# them), against BTF and kallsyms where the kernel has them.
tests_unit_linux_infer_images_test_LDADD = guest/linux/libphlviews.la \
	guest/linux/libphlinux.la libporthole.la
# The layout inference attacked on synthetic kernels (linux_synth.c).
tests_unit_linux_infer_test_SOURCES = tests/unit/linux_infer_test.c \
	tests/linux_synth.c tests/linux_synth.h
tests_unit_linux_infer_test_LDADD = guest/linux/libphlviews.la \
	guest/linux/libphlinux.la libporthole.la
tests_unit_porthole_domains_test_LDADD = libporthole.la
tests_unit_guest_mappings_test_LDADD = libporthole.la
unit_tests = \
	tests/unit/avl_test \
	tests/unit/as_test \
	tests/unit/seg_vn_test \
	tests/unit/as_concurrency_test \
	tests/unit/as_inject_test \
	tests/unit/guest_test \
	tests/unit/linux_views_test \
	tests/unit/porthole_domains_test \
	tests/unit/guest_mappings_test \
	tests/unit/physmem_test \
	tests/unit/seg_nf_test \
	tests/unit/seg_kp_test \
	tests/unit/seg_spt_test \
	tests/unit/seg_dev_test \
	tests/unit/seg_kmem_test \
	tests/unit/x86_paging_test \
	tests/unit/seg_mf_test \
	tests/unit/xc_core_write_test \
	tests/unit/linux_profile_test \
	tests/unit/linux_btf_test \
	tests/unit/linux_banner_test \
	tests/unit/linux_kallsyms_test \
	tests/unit/linux_sysmap_test \
	tests/unit/linux_cache_test \
	tests/unit/linux_discover_test \
	tests/unit/linux_images_test \
	tests/unit/linux_infer_images_test \
	tests/unit/linux_infer_test \
	tests/unit/linux_mem_test \
	tests/unit/linux_vmcoreinfo_test \
	$(image_tests)
check_PROGRAMS += $(unit_tests)

# seg_mf's bookkeeping through a test frame source; with the Xen layer
# linked when configure found it (the no-Xen error is checked then).
tests_unit_seg_mf_test_LDADD = seg_mf/libphmf.la xen/libphxen.la \
	vm/libphvm.la
tests_unit_seg_mf_test_CPPFLAGS = $(AM_CPPFLAGS) $(XEN_CFLAGS)

# The xc-core writer, reader and image provider: the guest layer and the
# pure-C part of xen/ on top of the core.
tests_unit_xc_core_write_test_LDADD = guest/libphguest.la xen/libphxen.la \
	vm/libphvm.la

# The image openers (guest/image*.c) on images each test writes itself,
# read back frame by frame through the physical window.
image_tests = \
	tests/unit/image_detect_test \
	tests/unit/image_kdump_test \
	tests/unit/image_qemu_elf_test \
	tests/unit/image_real_test \
	tests/unit/image_xc_core_test
tests_unit_image_real_test_SOURCES = tests/unit/image_real_test.c \
	tests/unit/image_check.h tests/images/manifest.h
tests_unit_image_real_test_LDADD = guest/libphguest.la \
	xen/libphxen.la vm/libphvm.la
tests_unit_image_detect_test_SOURCES = \
	tests/unit/image_detect_test.c tests/unit/image_check.h \
	tests/image_build.h
tests_unit_image_detect_test_LDADD = guest/libphguest.la \
	xen/libphxen.la vm/libphvm.la
tests_unit_image_kdump_test_SOURCES = \
	tests/unit/image_kdump_test.c tests/unit/image_check.h \
	tests/image_build.h
tests_unit_image_kdump_test_CPPFLAGS = $(AM_CPPFLAGS) $(ZLIB_CFLAGS) \
	$(LZO_CFLAGS) $(SNAPPY_CFLAGS) $(ZSTD_CFLAGS)
tests_unit_image_kdump_test_LDADD = guest/libphguest.la \
	xen/libphxen.la vm/libphvm.la $(ZLIB_LIBS) $(LZO_LIBS) \
	$(SNAPPY_LIBS) $(ZSTD_LIBS)
tests_unit_image_qemu_elf_test_SOURCES = \
	tests/unit/image_qemu_elf_test.c tests/unit/image_check.h \
	tests/image_build.h
tests_unit_image_qemu_elf_test_LDADD = guest/libphguest.la \
	xen/libphxen.la vm/libphvm.la
tests_unit_image_xc_core_test_SOURCES = tests/unit/image_xc_core_test.c \
	tests/unit/image_check.h
tests_unit_image_xc_core_test_LDADD = guest/libphguest.la \
	xen/libphxen.la vm/libphvm.la

# The Xen layer's parts that need no hypervisor: the resolution rules, the
# pause guard's machinery (fake operations), libvirt lookups against
# libvirt's test driver (skips without libvirt), and the argument and
# error handling of the domain, guard and vCPU calls (skips without Xen).
xen_unit_tests = \
	tests/unit/xen_resolve_test \
	tests/unit/xen_pause_test \
	tests/unit/xen_libvirt_test \
	tests/unit/xen_domain_test
check_PROGRAMS += $(xen_unit_tests)
tests_unit_xen_resolve_test_LDADD = xen/libphxen.la vm/libphvm.la
tests_unit_xen_pause_test_LDADD = xen/libphxen.la vm/libphvm.la
tests_unit_xen_libvirt_test_LDADD = xen/libphxen.la vm/libphvm.la
tests_unit_xen_domain_test_LDADD = xen/libphxen.la vm/libphvm.la

# The images the command's tests run against, written from source.
check_PROGRAMS += tests/cli-image
tests_cli_image_SOURCES = tests/cli_image.c
tests_cli_image_LDADD = xen/libphxen.la vm/libphvm.la

TESTS += $(unit_tests) $(xen_unit_tests) \
	tests/headers.test \
	tests/abi.test \
	tests/cli.test \
	tests/cli_json.test \
	tests/cli_linux.test \
	tests/cli_images.test
EXTRA_DIST += tests/headers.test tests/abi.test tests/cli.test \
	tests/cli_json.test tests/cli_linux.test tests/cli_images.test
