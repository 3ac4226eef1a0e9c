## Benchmarks: `make bench` builds and runs each, side by side in one run.
EXTRA_PROGRAMS += bench/segtree
bench_programs += bench/segtree
bench_segtree_SOURCES = bench/segtree.c bench/bench.h
bench_segtree_CFLAGS = $(AM_CFLAGS) -O2
bench: $(bench_programs)
	@for b in $(bench_programs); do \
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
bench_introspect_SOURCES = bench/introspect.c bench/bench.h
bench_introspect_CFLAGS = $(AM_CFLAGS) -O2
bench_introspect_LDADD = guest/libphpaging.la $(LDADD)
