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
fuzz_targets = x86_walk linux_views
FUZZ_SECONDS = 60

check_PROGRAMS += tests/fuzz/x86_walk_replay
TESTS += tests/fuzz/x86_walk_replay
tests_fuzz_x86_walk_replay_SOURCES = \
	tests/fuzz/fuzz.h \
	tests/fuzz/fuzz_replay.c \
	tests/fuzz/x86_walk_fuzz.c
tests_fuzz_x86_walk_replay_LDADD = guest/libphpaging.la vm/libphvm.la

# The Linux views over a synthetic kernel's memory (tests/linux_synth.c);
# lprof_double.c stands in for the profile store until it is in the tree.
check_PROGRAMS += tests/fuzz/linux_views_replay
TESTS += tests/fuzz/linux_views_replay
linux_views_fuzz_sources = \
	tests/fuzz/fuzz.h \
	tests/fuzz/linux_views_fuzz.c \
	tests/linux_synth.c tests/linux_synth.h \
	tests/lprof_double.c
tests_fuzz_linux_views_replay_SOURCES = tests/fuzz/fuzz_replay.c \
	$(linux_views_fuzz_sources)
tests_fuzz_linux_views_replay_LDADD = guest/linux/libphlviews.la \
	libporthole.la

if ENABLE_FUZZ
noinst_PROGRAMS += tests/fuzz/x86_walk_fuzz
tests_fuzz_x86_walk_fuzz_SOURCES = \
	tests/fuzz/fuzz.h \
	tests/fuzz/x86_walk_fuzz.c \
	guest/x86_paging.c \
	guest/x86_tlb.c
tests_fuzz_x86_walk_fuzz_CFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_x86_walk_fuzz_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_x86_walk_fuzz_LDADD = vm/libphvm.la

noinst_PROGRAMS += tests/fuzz/linux_views_fuzz
tests_fuzz_linux_views_fuzz_SOURCES = $(linux_views_fuzz_sources) \
	$(guest_linux_libphlviews_la_SOURCES)
tests_fuzz_linux_views_fuzz_CFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_linux_views_fuzz_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_linux_views_fuzz_LDADD = libporthole.la

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
