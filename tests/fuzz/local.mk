# tests/fuzz/local.mk - fuzz targets, included from the top-level
# Makefile.am (non-recursive; paths are relative to the top).
#
# Each target NAME is tests/fuzz/NAME_fuzz.c (LLVMFuzzerTestOneInput plus
# fuzz.h's generator and report).  Two programs are built from it:
#
#	tests/fuzz/NAME_replay	always, with any compiler: runs the target
#				over generated inputs in `make check`, runs
#				crash files, writes the seed corpus
#	tests/fuzz/NAME_fuzz	with --enable-fuzz (clang): the libFuzzer
#				binary; the code under test is compiled
#				into it, so coverage guides the fuzzer
#
#	make fuzz [FUZZ_SECONDS=60]	runs each libFuzzer target that long,
#				from tests/fuzz/corpus/NAME (seeded by the
#				replay program); crashes land in
#				tests/fuzz/artifacts/ (make clean-fuzz
#				removes both)
fuzz_targets = x86_walk qemu_elf kdump kdump_flat xc_core image_notes \
	linux_vmcoreinfo linux_kallsyms linux_views
FUZZ_SECONDS = 60

check_PROGRAMS += tests/fuzz/x86_walk_replay
TESTS += tests/fuzz/x86_walk_replay
tests_fuzz_x86_walk_replay_SOURCES = \
	tests/fuzz/fuzz.h \
	tests/fuzz/fuzz_replay.c \
	tests/fuzz/x86_walk_fuzz.c
tests_fuzz_x86_walk_replay_LDADD = guest/libphpaging.la vm/libphvm.la

# The image openers (guest/image*.c, guest/kdump*.c): one target per
# parser, sharing tests/fuzz/image_fuzz.h (the checks) and
# tests/image_build.h (the generators' writers).  Each input opens an
# image and maps its frames (about a millisecond), so their replays run
# 1500 generated inputs and as many mutants in `make check`.
image_fuzz_headers = tests/fuzz/fuzz.h tests/fuzz/image_fuzz.h \
	tests/image_build.h
image_fuzz_cppflags = $(AM_CPPFLAGS) $(ZLIB_CFLAGS) $(LZO_CFLAGS) \
	$(SNAPPY_CFLAGS) $(ZSTD_CFLAGS)
image_fuzz_libs = $(ZLIB_LIBS) $(LZO_LIBS) $(SNAPPY_LIBS) $(ZSTD_LIBS)
image_replay_ldadd = guest/libphguest.la xen/libphxen.la vm/libphvm.la \
	$(image_fuzz_libs)

image_replays = \
	tests/fuzz/qemu_elf_replay \
	tests/fuzz/kdump_replay \
	tests/fuzz/kdump_flat_replay \
	tests/fuzz/xc_core_replay \
	tests/fuzz/image_notes_replay
check_PROGRAMS += $(image_replays)
TESTS += $(image_replays)
tests_fuzz_qemu_elf_replay_SOURCES = $(image_fuzz_headers) \
	tests/fuzz/fuzz_replay.c tests/fuzz/qemu_elf_fuzz.c
tests_fuzz_qemu_elf_replay_CPPFLAGS = $(image_fuzz_cppflags) \
	-DFUZZ_REPLAY_COUNT=1500
tests_fuzz_qemu_elf_replay_LDADD = $(image_replay_ldadd)
tests_fuzz_kdump_replay_SOURCES = $(image_fuzz_headers) \
	tests/fuzz/kdump_fuzz.h tests/fuzz/fuzz_replay.c \
	tests/fuzz/kdump_fuzz.c
tests_fuzz_kdump_replay_CPPFLAGS = $(image_fuzz_cppflags) \
	-DFUZZ_REPLAY_COUNT=1500
tests_fuzz_kdump_replay_LDADD = $(image_replay_ldadd)
tests_fuzz_kdump_flat_replay_SOURCES = $(image_fuzz_headers) \
	tests/fuzz/kdump_fuzz.h tests/fuzz/fuzz_replay.c \
	tests/fuzz/kdump_flat_fuzz.c
tests_fuzz_kdump_flat_replay_CPPFLAGS = $(image_fuzz_cppflags) \
	-DFUZZ_REPLAY_COUNT=1500
tests_fuzz_kdump_flat_replay_LDADD = $(image_replay_ldadd)
tests_fuzz_xc_core_replay_SOURCES = $(image_fuzz_headers) \
	tests/fuzz/fuzz_replay.c tests/fuzz/xc_core_fuzz.c
tests_fuzz_xc_core_replay_CPPFLAGS = $(image_fuzz_cppflags) \
	-DFUZZ_REPLAY_COUNT=1500
tests_fuzz_xc_core_replay_LDADD = $(image_replay_ldadd)
tests_fuzz_image_notes_replay_SOURCES = $(image_fuzz_headers) \
	tests/fuzz/fuzz_replay.c tests/fuzz/image_notes_fuzz.c
tests_fuzz_image_notes_replay_CPPFLAGS = $(image_fuzz_cppflags)
tests_fuzz_image_notes_replay_LDADD = $(image_replay_ldadd)

# The Linux discovery readers (guest/linux/): VMCOREINFO text, kallsyms
# over arbitrary memory, BTF blobs (with libbpf only).
check_PROGRAMS += tests/fuzz/linux_vmcoreinfo_replay \
	tests/fuzz/linux_kallsyms_replay
TESTS += tests/fuzz/linux_vmcoreinfo_replay tests/fuzz/linux_kallsyms_replay
tests_fuzz_linux_vmcoreinfo_replay_SOURCES = tests/fuzz/fuzz.h \
	tests/fuzz/fuzz_replay.c tests/fuzz/linux_vmcoreinfo_fuzz.c
tests_fuzz_linux_vmcoreinfo_replay_LDADD = guest/linux/libphlinux.la \
	vm/libphvm.la
tests_fuzz_linux_kallsyms_replay_SOURCES = tests/fuzz/fuzz.h \
	tests/fuzz/fuzz_replay.c tests/fuzz/linux_kallsyms_fuzz.c
tests_fuzz_linux_kallsyms_replay_LDADD = guest/linux/libphlinux.la \
	vm/libphvm.la
if HAVE_LIBBPF
fuzz_targets += linux_btf
check_PROGRAMS += tests/fuzz/linux_btf_replay
TESTS += tests/fuzz/linux_btf_replay
tests_fuzz_linux_btf_replay_SOURCES = tests/fuzz/fuzz.h \
	tests/fuzz/fuzz_replay.c tests/fuzz/linux_btf_fuzz.c
tests_fuzz_linux_btf_replay_CPPFLAGS = $(AM_CPPFLAGS) $(LIBBPF_CFLAGS)
tests_fuzz_linux_btf_replay_LDADD = guest/linux/libphlinux.la vm/libphvm.la
endif

# The Linux views over a synthetic kernel's memory (tests/linux_synth.c).
check_PROGRAMS += tests/fuzz/linux_views_replay
TESTS += tests/fuzz/linux_views_replay
linux_views_fuzz_sources = \
	tests/fuzz/fuzz.h \
	tests/fuzz/linux_views_fuzz.c \
	tests/linux_synth.c tests/linux_synth.h
tests_fuzz_linux_views_replay_SOURCES = tests/fuzz/fuzz_replay.c \
	$(linux_views_fuzz_sources)
tests_fuzz_linux_views_replay_LDADD = guest/linux/libphlviews.la \
	guest/linux/libphlinux.la libporthole.la

if ENABLE_FUZZ
# The libFuzzer binaries compile the parsers in, for coverage.
image_fuzz_code = \
	guest/image.c guest/image_kdump.c guest/image_notes.c \
	guest/image_qemu_elf.c guest/image_xc_core.c \
	guest/kdump_compress.c guest/kdump_flat.c \
	guest/physmem_xc_core.c vm/physmem_file.c xen/xc_core.c
image_fuzz_ldadd = xen/libphxen.la vm/libphvm.la $(image_fuzz_libs)
noinst_PROGRAMS += \
	tests/fuzz/qemu_elf_fuzz \
	tests/fuzz/kdump_fuzz \
	tests/fuzz/kdump_flat_fuzz \
	tests/fuzz/xc_core_fuzz \
	tests/fuzz/image_notes_fuzz
tests_fuzz_qemu_elf_fuzz_SOURCES = $(image_fuzz_headers) \
	tests/fuzz/qemu_elf_fuzz.c $(image_fuzz_code)
tests_fuzz_qemu_elf_fuzz_CPPFLAGS = $(image_fuzz_cppflags)
tests_fuzz_qemu_elf_fuzz_CFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_qemu_elf_fuzz_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_qemu_elf_fuzz_LDADD = $(image_fuzz_ldadd)
tests_fuzz_kdump_fuzz_SOURCES = $(image_fuzz_headers) \
	tests/fuzz/kdump_fuzz.h tests/fuzz/kdump_fuzz.c $(image_fuzz_code)
tests_fuzz_kdump_fuzz_CPPFLAGS = $(image_fuzz_cppflags)
tests_fuzz_kdump_fuzz_CFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_kdump_fuzz_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_kdump_fuzz_LDADD = $(image_fuzz_ldadd)
tests_fuzz_kdump_flat_fuzz_SOURCES = $(image_fuzz_headers) \
	tests/fuzz/kdump_fuzz.h tests/fuzz/kdump_flat_fuzz.c \
	$(image_fuzz_code)
tests_fuzz_kdump_flat_fuzz_CPPFLAGS = $(image_fuzz_cppflags)
tests_fuzz_kdump_flat_fuzz_CFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_kdump_flat_fuzz_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_kdump_flat_fuzz_LDADD = $(image_fuzz_ldadd)
tests_fuzz_xc_core_fuzz_SOURCES = $(image_fuzz_headers) \
	tests/fuzz/xc_core_fuzz.c $(image_fuzz_code)
tests_fuzz_xc_core_fuzz_CPPFLAGS = $(image_fuzz_cppflags)
tests_fuzz_xc_core_fuzz_CFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_xc_core_fuzz_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_xc_core_fuzz_LDADD = $(image_fuzz_ldadd)
tests_fuzz_image_notes_fuzz_SOURCES = $(image_fuzz_headers) \
	tests/fuzz/image_notes_fuzz.c $(image_fuzz_code)
tests_fuzz_image_notes_fuzz_CPPFLAGS = $(image_fuzz_cppflags)
tests_fuzz_image_notes_fuzz_CFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_image_notes_fuzz_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_image_notes_fuzz_LDADD = $(image_fuzz_ldadd)

noinst_PROGRAMS += tests/fuzz/x86_walk_fuzz
tests_fuzz_x86_walk_fuzz_SOURCES = \
	tests/fuzz/fuzz.h \
	tests/fuzz/x86_walk_fuzz.c \
	guest/x86_paging.c \
	guest/x86_tlb.c
tests_fuzz_x86_walk_fuzz_CFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_x86_walk_fuzz_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_x86_walk_fuzz_LDADD = vm/libphvm.la

noinst_PROGRAMS += tests/fuzz/linux_vmcoreinfo_fuzz \
	tests/fuzz/linux_kallsyms_fuzz
tests_fuzz_linux_vmcoreinfo_fuzz_SOURCES = tests/fuzz/fuzz.h \
	tests/fuzz/linux_vmcoreinfo_fuzz.c guest/linux/linux_vmcoreinfo.c \
	guest/linux/linux_mem.c
tests_fuzz_linux_vmcoreinfo_fuzz_CFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_linux_vmcoreinfo_fuzz_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_linux_vmcoreinfo_fuzz_LDADD = guest/linux/libphlinux.la \
	vm/libphvm.la
tests_fuzz_linux_kallsyms_fuzz_SOURCES = tests/fuzz/fuzz.h \
	tests/fuzz/linux_kallsyms_fuzz.c guest/linux/linux_kallsyms.c \
	guest/linux/linux_mem.c
tests_fuzz_linux_kallsyms_fuzz_CFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_linux_kallsyms_fuzz_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_linux_kallsyms_fuzz_LDADD = vm/libphvm.la
if HAVE_LIBBPF
noinst_PROGRAMS += tests/fuzz/linux_btf_fuzz
tests_fuzz_linux_btf_fuzz_SOURCES = tests/fuzz/fuzz.h \
	tests/fuzz/linux_btf_fuzz.c guest/linux/linux_btf.c
tests_fuzz_linux_btf_fuzz_CPPFLAGS = $(AM_CPPFLAGS) $(LIBBPF_CFLAGS)
tests_fuzz_linux_btf_fuzz_CFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_linux_btf_fuzz_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_linux_btf_fuzz_LDADD = $(LIBBPF_LIBS) vm/libphvm.la
endif

noinst_PROGRAMS += tests/fuzz/linux_views_fuzz
tests_fuzz_linux_views_fuzz_SOURCES = $(linux_views_fuzz_sources) \
	$(guest_linux_libphlviews_la_SOURCES) \
	guest/linux/linux_read.c guest/linux/linux_list.c \
	guest/linux/linux_maple.c guest/linux/linux_infer.c
tests_fuzz_linux_views_fuzz_CFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_linux_views_fuzz_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_linux_views_fuzz_LDADD = guest/linux/libphlinux.la libporthole.la \
	$(LIBBPF_LIBS)

fuzz: $(fuzz_targets:%=tests/fuzz/%_fuzz) $(fuzz_targets:%=tests/fuzz/%_replay)
	@for t in $(fuzz_targets); do \
		corpus=tests/fuzz/corpus/$$t; \
		mkdir -p $$corpus tests/fuzz/artifacts || exit 1; \
		./tests/fuzz/$${t}_replay -w $$corpus || exit 1; \
		echo "== $$t: $(FUZZ_SECONDS) s"; \
		./tests/fuzz/$${t}_fuzz -max_total_time=$(FUZZ_SECONDS) \
		    -print_final_stats=1 \
		    -artifact_prefix=tests/fuzz/artifacts/$$t- $$corpus || exit 1; \
	done
else
fuzz:
	@echo "fuzz targets need: ./configure CC=clang --enable-fuzz" >&2; exit 1
endif
.PHONY: fuzz

# Not hooked to clean-local (one fragment cannot own that rule): run it.
clean-fuzz:
	-rm -rf tests/fuzz/corpus tests/fuzz/artifacts
.PHONY: clean-fuzz
