## Benchmarks: `make bench` builds and runs each, side by side in one run.
EXTRA_PROGRAMS += bench/segtree
bench_programs += bench/segtree
bench_segtree_SOURCES = bench/segtree.c bench/bench.h
bench_segtree_CFLAGS = $(AM_CFLAGS) -O2
# bench/introspect lists the processes of a generated 1 GiB image.
bench: $(bench_programs)
	@img=`bash $(srcdir)/tests/images/mkimages.sh --variant x64-1g cache \
	    2>/dev/null` && PORTHOLE_BENCH_IMAGE=$$img/x64-1g.elf; \
	export PORTHOLE_BENCH_IMAGE; \
	for b in $(bench_programs); do \
		echo "== $$b"; ./$$b || exit 1; \
	done
.PHONY: bench

EXTRA_PROGRAMS += bench/physmem
bench_programs += bench/physmem
bench_physmem_SOURCES = bench/physmem.c bench/bench.h
bench_physmem_CFLAGS = $(AM_CFLAGS) -O2
bench_physmem_LDADD = $(LDADD) -lm

CLEANFILES += $(bench_programs)

EXTRA_PROGRAMS += bench/introspect
bench_programs += bench/introspect
bench_introspect_SOURCES = bench/introspect.c bench/introspect_ps.c bench/introspect_v2p.c \
	bench/introspect_guest.h bench/bench.h
bench_introspect_CFLAGS = $(AM_CFLAGS) -O2
# The convenience libraries themselves: the process list opens handles
# tuned for comparison (guest__open_tuned is not exported).
bench_introspect_LDADD = guest/linux/libphlviews.la guest/linux/libphlinux.la \
	guest/libphguest.la guest/libphpaging.la seg_mf/libphmf.la \
	xen/libphxen.la vm/libphvm.la $(XEN_LIBS) $(LIBVIRT_LIBS) \
	$(LIBBPF_LIBS) $(ZLIB_LIBS) $(LZO_LIBS) $(SNAPPY_LIBS) $(ZSTD_LIBS)

# The live benchmarks run in dom0 against a live guest: `make bench-xen`
# boots the nested Xen bed (tests/xen) once for each (bench/live: reading;
# bench/dump: porthole dump against xl dump-core and cp) and runs it
# there against the PV domU.  Like every benchmark they need a build
# without --enable-debug.
if HAVE_XEN
EXTRA_PROGRAMS += bench/live
bench_live_SOURCES = bench/live.c bench/introspect_ps.c bench/introspect_v2p.c \
	bench/introspect_guest.h bench/bench.h
bench_live_CFLAGS = $(AM_CFLAGS) -O2
bench_live_LDADD = $(bench_introspect_LDADD)
CLEANFILES += bench/live

# `porthole dump` against xl dump-core and cp, in the bed (bench/dump.c).
EXTRA_PROGRAMS += bench/dump
bench_dump_SOURCES = bench/dump.c bench/bench.h
bench_dump_CFLAGS = $(AM_CFLAGS) -O2
bench_dump_LDADD = xen/libphxen.la vm/libphvm.la $(XEN_LIBS)
CLEANFILES += bench/dump

bench-xen: bench-xen-live bench-xen-dump
bench-xen-live: bench/live$(EXEEXT) $(XEN_BED_BINARIES)
	$(SHELL) $(srcdir)/tests/xen/run.sh --no-pvh \
	    --bench bench/live$(EXEEXT) $(XEN_BED_ARGS)
bench-xen-dump: bench/dump$(EXEEXT) $(XEN_BED_BINARIES)
	$(SHELL) $(srcdir)/tests/xen/run.sh --no-pvh \
	    --bench bench/dump$(EXEEXT) $(XEN_BED_ARGS)
else
bench-xen bench-xen-live bench-xen-dump:
	@echo "porthole was configured without the Xen libraries" \
	    "(install libxen-dev and rerun configure)"; exit 1
endif
.PHONY: bench-xen bench-xen-live bench-xen-dump
