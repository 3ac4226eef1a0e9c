/*
 * seg_kmem_test.c -- the vmem allocator on its own, then seg_kmem through
 * an address space.
 *
 * vmem: bad arguments; exact fills (ENOMEM when full, success again after
 * a free, the freed range handed out again); alignment; a random sequence
 * of allocations and frees (small and large sizes, random alignments)
 * against a reference model -- a bitmap of the allocated quanta, so two
 * live allocations can never overlap, and the release hook may only name
 * units nobody uses -- with the verifier every few hundred steps, ending
 * with everything freed: one free span again, every unit given back; and
 * injected allocation failures that leave the arena as it was.
 *
 * seg_kmem: as_map with segkmem_create, allocations written directly and
 * through as_read/as_write, stats and the dump text, incore before and
 * after a free gives pages back, protections and refused ops, whole unmap
 * (ENOTSUP for part, EBUSY while pinned), as_free with allocations still
 * outstanding (LeakSanitizer in the sanitizer build), several threads
 * allocating at once, and injected failures in as_map and segkmem_alloc.
 * as_verify and segkmem_verify run after every change.
 */
#include "config.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>

#include <porthole/porthole.h>
#include <porthole/seg_kmem.h>
#include "tests/prng.h"
#include "tests/test.h"
#include "vm/inject.h"
#include "vm/seg.h"
#include "vm/vmem.h"

#define	KiB	((size_t)1 << 10)
#define	MiB	((size_t)1 << 20)
#define	Q	((size_t)SEGKMEM_QUANTUM)
#define	SLAB	((size_t)4096)	/* vmem tests: fixed, not the host's */

static uint64_t rng_state = 0x9E3779B97F4A7C15ULL;

/* Uniform in [lo, hi]. */
static size_t
rng_range(size_t lo, size_t hi)
{
	return (lo + (size_t)(prng_next(&rng_state) % (hi - lo + 1)));
}

#define	CHECK_VMEM(vmp)	check_vmem_at((vmp), __FILE__, __LINE__)

static void
check_vmem_at(struct vmem *vmp, const char *file, int line)
{
	char why[256] = "";
	int rv = vmem_verify(vmp, why, sizeof (why));

	if (rv != 0)
		fprintf(stderr, "%s:%d: vmem_verify: %s\n", file, line, why);
	CHECK(rv == 0);
}

#define	CHECK_KMEM(as, seg)	check_kmem_at((as), (seg), __FILE__, __LINE__)

static void
check_kmem_at(struct as *as, struct seg *seg, const char *file, int line)
{
	char why[256] = "";
	int rv = segkmem_verify(seg, why, sizeof (why));

	if (rv != 0)
		fprintf(stderr, "%s:%d: segkmem_verify: %s\n", file, line,
		    why);
	CHECK(rv == 0);
	check_verify_at(as, file, line);
}

/*
 * The reference model: one bit per quantum of the arena (allocated or
 * not) and one bit per whole slab unit (touched by an allocation since
 * the release hook last gave it back).
 */
struct model {
	uintptr_t	m_base;
	size_t		m_size;
	uint64_t	*m_used;	/* per quantum */
	uint64_t	*m_dirty;	/* per SLAB unit, by absolute index */
	size_t		m_units;
	unsigned long	m_releases;
	bool		m_bad_release;
};

static void
bits_set(uint64_t *map, size_t first, size_t n, bool on)
{
	size_t i;

	for (i = first; i < first + n; ) {
		if (i % 64 == 0 && first + n - i >= 64) {
			map[i / 64] = on ? UINT64_MAX : 0;
			i += 64;
			continue;
		}
		if (on)
			map[i / 64] |= (uint64_t)1 << (i % 64);
		else
			map[i / 64] &= ~((uint64_t)1 << (i % 64));
		i++;
	}
}

/* True when any bit of [first, first + n) is set. */
static bool
bits_any(const uint64_t *map, size_t first, size_t n)
{
	size_t i;

	for (i = first; i < first + n; ) {
		if (i % 64 == 0 && first + n - i >= 64) {
			if (map[i / 64] != 0)
				return (true);
			i += 64;
			continue;
		}
		if ((map[i / 64] >> (i % 64)) & 1)
			return (true);
		i++;
	}
	return (false);
}

static void
model_init(struct model *m, uintptr_t base, size_t size)
{
	memset(m, 0, sizeof (*m));
	m->m_base = base;
	m->m_size = size;
	m->m_units = (base + size) / SLAB + 1;
	REQUIRE((m->m_used = calloc(size / Q / 64 + 1, 8)) != NULL);
	REQUIRE((m->m_dirty = calloc(m->m_units / 64 + 1, 8)) != NULL);
}

static void
model_fini(struct model *m)
{
	free(m->m_used);
	free(m->m_dirty);
}

/* True when every unit of [first, first + n) is dirty. */
static bool
model_all_dirty(const struct model *m, size_t first, size_t n)
{
	size_t u;

	for (u = first; u < first + n; u++) {
		if (!((m->m_dirty[u / 64] >> (u % 64)) & 1))
			return (false);
	}
	return (true);
}

/*
 * The release hook: only whole units that no allocation uses, and only
 * units used since they were last released (the arena hands back what a
 * free left unused, not everything that happens to be free).
 */
static void
model_release(void *arg, uintptr_t start, size_t len)
{
	struct model *m = arg;

	m->m_releases++;
	if (start % SLAB != 0 || len % SLAB != 0 || len == 0 ||
	    start < m->m_base || start + len > m->m_base + m->m_size ||
	    bits_any(m->m_used, (start - m->m_base) / Q, len / Q) ||
	    !model_all_dirty(m, start / SLAB, len / SLAB)) {
		fprintf(stderr, "bad release [%#jx, +%zu)\n",
		    (uintmax_t)start, len);
		m->m_bad_release = true;
		return;
	}
	bits_set(m->m_dirty, start / SLAB, len / SLAB, false);
}

/* Record an allocation: false when it overlaps a live one. */
static bool
model_alloc(struct model *m, uintptr_t addr, size_t size)
{
	size_t rsize = P2ROUNDUP(size, Q), first;

	if (addr < m->m_base || addr % Q != 0 ||
	    addr - m->m_base + rsize > m->m_size)
		return (false);
	first = (addr - m->m_base) / Q;
	if (bits_any(m->m_used, first, rsize / Q))
		return (false);
	bits_set(m->m_used, first, rsize / Q, true);
	bits_set(m->m_dirty, addr / SLAB,
	    (addr + rsize - 1) / SLAB - addr / SLAB + 1, true);
	return (true);
}

static void
model_free(struct model *m, uintptr_t addr, size_t size)
{
	bits_set(m->m_used, (addr - m->m_base) / Q, P2ROUNDUP(size, Q) / Q,
	    false);
}

/* Units wholly inside the arena still dirty. */
static size_t
model_dirty_units(const struct model *m)
{
	size_t u, n = 0;

	for (u = P2ROUNDUP(m->m_base, SLAB) / SLAB;
	    (u + 1) * SLAB <= m->m_base + m->m_size; u++)
		n += bits_any(m->m_dirty, u, 1);
	return (n);
}

static void
test_vmem_args(void)
{
	struct vmem *vmp;
	struct vmem_stats st, st2;
	uintptr_t a, b;

	CHECK(vmem_create(0x1000, 0, Q, 128, SLAB, &vmp) == EINVAL);
	CHECK(vmem_create(0x1000, 4096, 24, 0, SLAB, &vmp) == EINVAL);
	CHECK(vmem_create(0x1008, 4096, Q, 0, SLAB, &vmp) == EINVAL);
	CHECK(vmem_create(0x1000, 4100, Q, 0, SLAB, &vmp) == EINVAL);
	CHECK(vmem_create(0x1000, 4096, Q, 24, SLAB, &vmp) == EINVAL);
	CHECK(vmem_create(0x1000, 4096, Q, 17 * Q, SLAB, &vmp) == EINVAL);
	CHECK(vmem_create(0x1000, 4096, Q, 128, 3000, &vmp) == EINVAL);
	CHECK(vmem_create(0x1000, 4096, Q, 128, 64, &vmp) == EINVAL);
	CHECK(vmem_create(UINTPTR_MAX - 4095, 4096, Q, 0, SLAB, &vmp) ==
	    EINVAL);

	REQUIRE(vmem_create(0x10000, 64 * KiB, Q, 128, SLAB, &vmp) == 0);
	CHECK_VMEM(vmp);
	CHECK(vmem_alloc(vmp, 0, &a) == EINVAL);
	CHECK(vmem_xalloc(vmp, 0, 64, &a) == EINVAL);
	CHECK(vmem_xalloc(vmp, 16, 0, &a) == EINVAL);
	CHECK(vmem_xalloc(vmp, 16, 48, &a) == EINVAL);
	CHECK(vmem_xalloc(vmp, 16, 3, &a) == EINVAL);
	CHECK(vmem_alloc(vmp, 64 * KiB + 1, &a) == ENOMEM);
	CHECK(vmem_alloc(vmp, SIZE_MAX, &a) == ENOMEM);
	CHECK(vmem_xalloc(vmp, SIZE_MAX, 4096, &a) == ENOMEM);
	CHECK(vmem_xalloc(vmp, 16, SIZE_MAX / 2 + 1, &a) == ENOMEM);

	/* Bad frees change nothing. */
	REQUIRE(vmem_alloc(vmp, 1000, &a) == 0);
	REQUIRE(vmem_alloc(vmp, 40, &b) == 0);
	vmem_stats(vmp, &st);
	CHECK(st.vs_nalloc == 2 && st.vs_inuse == 1008 + 48);
	CHECK(vmem_free(vmp, a, 0) == EINVAL);
	CHECK(vmem_free(vmp, a, 2000) == EINVAL);
	CHECK(vmem_free(vmp, a + 16, 992) == EINVAL);
	CHECK(vmem_free(vmp, b, 100) == EINVAL);
	CHECK(vmem_free(vmp, b + 16, 40) == EINVAL);
	CHECK(vmem_free(vmp, b + 48, 40) == EINVAL);	/* free object */
	CHECK(vmem_free(vmp, 0x5000, 40) == EINVAL);	/* outside */
	CHECK(vmem_free(vmp, 0x5000, 4000) == EINVAL);
	vmem_stats(vmp, &st2);
	CHECK(memcmp(&st, &st2, sizeof (st)) == 0);
	CHECK_VMEM(vmp);
	/* Sizes that round to the same quantum free alike (sized free). */
	CHECK(vmem_free(vmp, a, 1001) == 0);
	CHECK(vmem_free(vmp, a, 1000) == EINVAL);	/* double free */
	CHECK(vmem_free(vmp, b, 33) == 0);
	CHECK(vmem_free(vmp, b, 40) == EINVAL);
	CHECK_VMEM(vmp);
	vmem_reap(vmp);
	vmem_stats(vmp, &st);
	CHECK(st.vs_free == 64 * KiB && st.vs_nfree_spans == 1 &&
	    st.vs_nalloc == 0 && st.vs_nslabs == 0);
	CHECK(vmem_base(vmp) == 0x10000 && vmem_size(vmp) == 64 * KiB &&
	    vmem_quantum(vmp) == Q);
	vmem_destroy(vmp);
	vmem_destroy(NULL);
}

/* Fill an arena of 64 KiB with objects of one size, then free and refill. */
static void
fill_with(size_t size, size_t align, size_t expect)
{
	uintptr_t *addrs, a;
	struct vmem *vmp;
	struct vmem_stats st;
	size_t n = 0, i;
	int err;

	REQUIRE(vmem_create(0x100000, 64 * KiB, Q, 128, SLAB, &vmp) == 0);
	REQUIRE((addrs = calloc(64 * KiB / Q + 1, sizeof (*addrs))) != NULL);
	for (;;) {
		err = align != 0 ? vmem_xalloc(vmp, size, align, &addrs[n]) :
		    vmem_alloc(vmp, size, &addrs[n]);
		if (err != 0)
			break;
		CHECK(addrs[n] % (align > Q ? align : Q) == 0);
		n++;
	}
	CHECK(err == ENOMEM);
	CHECK(n == expect);
	if (n != expect)
		fprintf(stderr, "size %zu align %zu: %zu allocations, "
		    "expected %zu\n", size, align, n, expect);
	CHECK_VMEM(vmp);
	vmem_stats(vmp, &st);
	CHECK(st.vs_nalloc == n);
	if (align == 0)
		CHECK(st.vs_largest_free < P2ROUNDUP(size, Q));
	/* Free one from the middle: the next allocation gets it back. */
	if (n > 2) {
		i = n / 2;
		CHECK(vmem_free(vmp, addrs[i], size) == 0);
		CHECK_VMEM(vmp);
		err = align != 0 ? vmem_xalloc(vmp, size, align, &a) :
		    vmem_alloc(vmp, size, &a);
		CHECK(err == 0 && a == addrs[i]);
		err = align != 0 ? vmem_xalloc(vmp, size, align, &a) :
		    vmem_alloc(vmp, size, &a);
		CHECK(err == ENOMEM);
	}
	/* Free everything in a scattered order: one span again. */
	for (i = 0; i < n; i += 2)
		CHECK(vmem_free(vmp, addrs[i], size) == 0);
	CHECK_VMEM(vmp);
	for (i = 1; i < n; i += 2)
		CHECK(vmem_free(vmp, addrs[i], size) == 0);
	CHECK_VMEM(vmp);
	vmem_reap(vmp);
	vmem_stats(vmp, &st);
	CHECK(st.vs_nfree_spans == 1 && st.vs_free == 64 * KiB &&
	    st.vs_largest_free == 64 * KiB && st.vs_inuse == 0);
	CHECK_VMEM(vmp);
	free(addrs);
	vmem_destroy(vmp);
}

static void
test_vmem_fill(void)
{
	fill_with(4 * KiB, 0, 16);
	fill_with(1, 0, 64 * KiB / Q);
	fill_with(16, 0, 64 * KiB / Q);
	fill_with(48, 0, 16 * (SLAB / 48));
	fill_with(128, 0, 64 * KiB / 128);
	fill_with(129, 0, 64 * KiB / 144);
	fill_with(3000, 0, 21);
	fill_with(100, 4096, 16);
	fill_with(4096, 8192, 8);
	fill_with(64 * KiB, 0, 1);
	fill_with(64 * KiB, 64 * KiB, 1);
}

/* Spares give way: a large allocation reaps the caches' empty slabs. */
static void
test_vmem_reap_on_demand(void)
{
	struct vmem *vmp;
	struct vmem_stats st;
	uintptr_t a[8], big;
	size_t i;

	REQUIRE(vmem_create(0x100000, 32 * KiB, Q, 128, SLAB, &vmp) == 0);
	for (i = 0; i < 8; i++)		/* one slab per cache */
		REQUIRE(vmem_alloc(vmp, (i + 1) * Q, &a[i]) == 0);
	vmem_stats(vmp, &st);
	CHECK(st.vs_nslabs == 8 && st.vs_free == 0);
	CHECK(vmem_alloc(vmp, 4 * KiB, &big) == ENOMEM);
	for (i = 0; i < 8; i++)
		CHECK(vmem_free(vmp, a[i], (i + 1) * Q) == 0);
	vmem_stats(vmp, &st);
	CHECK(st.vs_nslabs == 8 && st.vs_cached == 32 * KiB &&
	    st.vs_inuse == 0);
	CHECK_VMEM(vmp);
	CHECK(vmem_alloc(vmp, 32 * KiB, &big) == 0 && big == 0x100000);
	vmem_stats(vmp, &st);
	CHECK(st.vs_nslabs == 0 && st.vs_inuse == 32 * KiB);
	CHECK_VMEM(vmp);
	CHECK(vmem_free(vmp, big, 32 * KiB) == 0);
	vmem_destroy(vmp);
}

struct live {
	uintptr_t	l_addr;
	size_t		l_size;
};

static size_t
random_size(void)
{
	if (prng_next(&rng_state) % 2 == 0)
		return (rng_range(1, 128));
	/* Large sizes log-uniform over 129 .. 64 KiB. */
	return (rng_range(129, (size_t)128 << rng_range(1, 9)));
}

/*
 * Random allocations and frees against the model.  Phases alternate
 * between growing (so the arena fills up and ENOMEM happens) and
 * shrinking.
 */
static void
test_vmem_random(uintptr_t base, size_t size, unsigned long nops)
{
	struct model m;
	struct vmem *vmp;
	struct vmem_stats st;
	struct live *live;
	size_t nlive = 0, maxlive = size / Q, inuse = 0, i;
	unsigned long op, nomem = 0, aligned = 0, bad = 0;
	bool grow;

	model_init(&m, base, size);
	REQUIRE((live = calloc(maxlive, sizeof (*live))) != NULL);
	REQUIRE(vmem_create(base, size, Q, 128, SLAB, &vmp) == 0);
	vmem_set_release(vmp, model_release, &m);

	for (op = 0; op < nops; op++) {
		grow = (op / 5000) % 2 == 0;
		if (nlive == 0 ||
		    prng_next(&rng_state) % 100 < (grow ? 70u : 35u)) {
			size_t sz = random_size(), align = 0, rsize;
			uintptr_t a;
			int err;

			if (prng_next(&rng_state) % 3 == 0)
				align = (size_t)1 << rng_range(0, 16);
			err = align != 0 ? vmem_xalloc(vmp, sz, align, &a) :
			    vmem_alloc(vmp, sz, &a);
			rsize = P2ROUNDUP(sz, Q);
			if (err == ENOMEM) {
				size_t need = rsize;

				nomem++;
				vmem_stats(vmp, &st);
				if (align > Q)
					need += align - Q;
				else if (rsize <= 128)
					need = 2 * SLAB - Q;
				/* A span this big would have been used. */
				CHECK(st.vs_largest_free < need);
				continue;
			}
			CHECK(err == 0);
			if (err != 0)
				continue;
			if (align > Q) {
				aligned++;
				CHECK(a % align == 0);
			}
			if (!model_alloc(&m, a, sz)) {
				if (bad++ < 5)
					fprintf(stderr, "op %lu: [%#jx, +%zu) "
					    "overlaps or is outside\n", op,
					    (uintmax_t)a, sz);
				CHECK(!"allocation overlaps a live one");
				continue;
			}
			REQUIRE(nlive < maxlive);
			live[nlive].l_addr = a;
			live[nlive].l_size = sz;
			nlive++;
			inuse += rsize;
		} else {
			i = (size_t)(prng_next(&rng_state) % nlive);
			model_free(&m, live[i].l_addr, live[i].l_size);
			CHECK(vmem_free(vmp, live[i].l_addr, live[i].l_size) ==
			    0);
			inuse -= P2ROUNDUP(live[i].l_size, Q);
			live[i] = live[--nlive];
		}
		if (op % 500 == 0) {
			CHECK_VMEM(vmp);
			vmem_stats(vmp, &st);
			CHECK(st.vs_nalloc == nlive && st.vs_inuse == inuse);
			CHECK(st.vs_inuse + st.vs_free + st.vs_cached ==
			    st.vs_total);
		}
	}
	CHECK_VMEM(vmp);
	while (nlive > 0) {
		i = (size_t)(prng_next(&rng_state) % nlive);
		model_free(&m, live[i].l_addr, live[i].l_size);
		CHECK(vmem_free(vmp, live[i].l_addr, live[i].l_size) == 0);
		live[i] = live[--nlive];
	}
	CHECK_VMEM(vmp);
	vmem_reap(vmp);
	CHECK_VMEM(vmp);
	vmem_stats(vmp, &st);
	CHECK(st.vs_nfree_spans == 1 && st.vs_free == size &&
	    st.vs_largest_free == size && st.vs_nalloc == 0 &&
	    st.vs_inuse == 0 && st.vs_cached == 0 && st.vs_nslabs == 0);
	CHECK(!m.m_bad_release);
	CHECK(model_dirty_units(&m) == 0);
	/* Everything fits again, in one piece. */
	{
		uintptr_t a;

		CHECK(vmem_alloc(vmp, size, &a) == 0 && a == base);
		CHECK(vmem_free(vmp, a, size) == 0);
	}
	CHECK(nomem > 100 && aligned > 1000 && m.m_releases > 100);
	if (nomem <= 100 || aligned <= 1000 || m.m_releases <= 100)
		fprintf(stderr, "random: %lu ENOMEM, %lu aligned, %lu "
		    "releases\n", nomem, aligned, m.m_releases);
	vmem_destroy(vmp);
	free(live);
	model_fini(&m);
}

/*
 * vmem under injected allocation failures: create, the first large,
 * aligned and small allocations of a fresh arena (each needs tags or a
 * slab).  Fail the Nth allocation for N = 1, 2, ... until the call
 * succeeds without the failure being taken.
 */
static void
test_vmem_inject(void)
{
	static const size_t sizes[] = { 1000, 100, 40, 70000 };
	static const size_t aligns[] = { 0, 4096, 0, 0 };
	struct vmem *vmp;
	struct vmem_stats before, after;
	uintptr_t kept[4];
	unsigned long n;
	size_t k;
	int err;

	for (n = 1; ; n++) {
		vm_inject_arm(VM_INJECT_ALLOC, n);
		err = vmem_create(0x200000, 256 * KiB, Q, 128, SLAB, &vmp);
		if (err == 0 && vm_inject_pending(VM_INJECT_ALLOC))
			break;
		if (err == 0) {
			vmem_destroy(vmp);
			continue;
		}
		CHECK(err == ENOMEM);
	}
	vm_inject_arm(VM_INJECT_ALLOC, 0);
	CHECK(n > 1);
	for (k = 0; k < sizeof (sizes) / sizeof (sizes[0]); k++) {
		uintptr_t a = 0;
		unsigned long failures = 0;

		for (n = 1; ; n++) {
			vmem_stats(vmp, &before);
			vm_inject_arm(VM_INJECT_ALLOC, n);
			err = aligns[k] != 0 ?
			    vmem_xalloc(vmp, sizes[k], aligns[k], &a) :
			    vmem_alloc(vmp, sizes[k], &a);
			if (err == 0 && vm_inject_pending(VM_INJECT_ALLOC))
				break;
			vm_inject_arm(VM_INJECT_ALLOC, 0);
			CHECK_VMEM(vmp);
			if (err == 0) {
				CHECK(vmem_free(vmp, a, sizes[k]) == 0);
				continue;
			}
			failures++;
			CHECK(err == ENOMEM);
			vmem_stats(vmp, &after);
			CHECK(memcmp(&before, &after, sizeof (before)) == 0);
		}
		vm_inject_arm(VM_INJECT_ALLOC, 0);
		CHECK_VMEM(vmp);
		kept[k] = a;
		CHECK(k == 3 || failures >= 1);
	}
	for (k = 0; k < sizeof (sizes) / sizeof (sizes[0]); k++)
		CHECK(vmem_free(vmp, kept[k], sizes[k]) == 0);
	vmem_reap(vmp);
	CHECK_VMEM(vmp);
	vmem_destroy(vmp);
}

/* seg_kmem through an address space. */

static struct seg *
kmem_seg(struct as *as, void *addr)
{
	struct seg *seg;

	as_enter(as, AS_READER);
	seg = as_segat(as, addr);
	as_exit(as);
	return (seg);
}

/*
 * Allocate (align 0: segkmem_alloc) or free under the address-space lock,
 * then run both verifiers; errno is the allocator's.
 */
static void *
kalloc(struct as *as, struct seg *seg, size_t size, size_t align)
{
	void *p;
	int err;

	as_enter(as, AS_READER);
	p = align != 0 ? segkmem_alloc_aligned(seg, size, align) :
	    segkmem_alloc(seg, size);
	err = errno;
	as_exit(as);
	CHECK_KMEM(as, seg);
	errno = err;
	return (p);
}

static void
kfree(struct as *as, struct seg *seg, void *p, size_t size)
{
	int err;

	as_enter(as, AS_READER);
	errno = 0;
	segkmem_free(seg, p, size);
	err = errno;
	as_exit(as);
	CHECK_KMEM(as, seg);
	errno = err;
}

static void
fill_pattern(unsigned char *p, size_t len, unsigned seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (unsigned char)(seed * 31 + i * 7);
}

static bool
check_pattern(const unsigned char *p, size_t len, unsigned seed)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (p[i] != (unsigned char)(seed * 31 + i * 7))
			return (false);
	}
	return (true);
}

static void
test_kmem_basic(void)
{
	struct segkmem_crargs args = { .name = "test" };
	struct segvn_crargs vn = { .fd = -1, .type = MAP_PRIVATE,
	    .prot = PROT_READ | PROT_WRITE };
	size_t ps = PAGESIZE, len = 256 * ps, i;
	struct segkmem_stats st, st2;
	unsigned char buf[512], *vec;
	char dump[256], want[256];
	struct as *as;
	struct seg *seg, *vnseg;
	char *base, *kb;
	void *small[64], *big, *pages, *p;
	int err;

	REQUIRE((as = as_alloc(64 * MiB)) != NULL);
	base = as_window_base(as);
	kb = base + 4 * ps;
	CHECK_ERRNO(as_map(as, kb, len, segkmem_create, NULL), EINVAL);
	CHECK(as_nsegs(as) == 0);
	REQUIRE(as_map(as, kb, len, segkmem_create, &args) == 0);
	REQUIRE(as_map(as, base, ps, segvn_create, &vn) == 0);
	REQUIRE((seg = kmem_seg(as, kb)) != NULL);
	REQUIRE((vnseg = kmem_seg(as, base)) != NULL);
	CHECK(strcmp(seg_opsname(seg), "segkmem_ops") == 0);
	CHECK_KMEM(as, seg);

	/* Not a kmem segment, bad arguments. */
	CHECK(segkmem_alloc(vnseg, 16) == NULL && errno == EINVAL);
	CHECK(segkmem_alloc(NULL, 16) == NULL && errno == EINVAL);
	CHECK_ERRNO(segkmem_stats(vnseg, &st), EINVAL);
	CHECK_ERRNO(segkmem_verify(vnseg, NULL, 0), EINVAL);
	CHECK(segkmem_alloc(seg, 0) == NULL && errno == EINVAL);
	CHECK(segkmem_alloc_aligned(seg, 16, 0) == NULL && errno == EINVAL);
	CHECK(segkmem_alloc_aligned(seg, 16, 24) == NULL && errno == EINVAL);
	CHECK(segkmem_alloc(seg, len + 1) == NULL && errno == ENOMEM);

	CHECK(segkmem_stats(seg, &st) == 0);
	CHECK(st.ks_total == len && st.ks_free == len && st.ks_inuse == 0 &&
	    st.ks_allocs == 0 && st.ks_largest_free == len);

	/* Small and large allocations, written directly. */
	for (i = 0; i < 64; i++) {
		small[i] = kalloc(as, seg, i + 1, 0);
		CHECK(small[i] != NULL && (uintptr_t)small[i] % Q == 0);
		if (small[i] != NULL)
			fill_pattern(small[i], i + 1, (unsigned)i);
	}
	big = kalloc(as, seg, 10000, 0);
	pages = kalloc(as, seg, 4 * ps, ps);
	p = kalloc(as, seg, 100, 256);
	REQUIRE(big != NULL && pages != NULL && p != NULL);
	CHECK((uintptr_t)pages % ps == 0 && (uintptr_t)p % 256 == 0);
	CHECK((char *)big >= kb && (char *)big + 10000 <= kb + len);
	fill_pattern(big, 10000, 1000);
	memset(pages, 0x5a, 4 * ps);
	CHECK_KMEM(as, seg);
	for (i = 0; i < 64; i++)
		CHECK(small[i] == NULL || check_pattern(small[i], i + 1,
		    (unsigned)i));

	/* Through the address space: as_read and as_write fault and pin. */
	CHECK(as_read(as, big, buf, sizeof (buf), &err) == sizeof (buf) &&
	    err == 0);
	CHECK(check_pattern(buf, sizeof (buf), 1000));
	fill_pattern(buf, sizeof (buf), 77);
	CHECK(as_write(as, (char *)big + 1000, buf, sizeof (buf), &err) ==
	    sizeof (buf) && err == 0);
	CHECK(check_pattern((unsigned char *)big + 1000, sizeof (buf), 77));
	CHECK(as_read(as, kb + len - 100, buf, 200, &err) == 100 &&
	    err == EFAULT);
	CHECK(as_fault(as, big, 100, F_INVAL, S_WRITE) == 0);
	CHECK_ERRNO(as_fault(as, big, 100, F_INVAL, S_EXEC), EACCES);
	CHECK_KMEM(as, seg);

	/* Stats and the dump. */
	CHECK(segkmem_stats(seg, &st) == 0);
	CHECK(st.ks_allocs == 67);
	CHECK(st.ks_inuse == (16 * 16 + 16 * 32 + 16 * 48 +
	    16 * 64) + P2ROUNDUP(10000, Q) + 4 * ps + 112);
	CHECK(st.ks_inuse + st.ks_free + st.ks_cached == st.ks_total);
	seg_dump_at(as, kb, dump, sizeof (dump));
	(void) snprintf(want, sizeof (want), "arena test: %zu KiB in use of "
	    "%zu KiB, 67 allocations, largest free %zu KiB",
	    st.ks_inuse >> 10, len >> 10, st.ks_largest_free >> 10);
	CHECK(strcmp(dump, want) == 0);
	if (strcmp(dump, want) != 0)
		fprintf(stderr, "dump: %s\nwant: %s\n", dump, want);

	/* incore tells the truth: written pages are in, a freed page range
	 * goes back to the host and reads as zeros when used again. */
	REQUIRE((vec = calloc(btop(len), 1)) != NULL);
	CHECK(as_incore(as, pages, 4 * ps, vec) == 0);
	CHECK(vec[0] == 1 && vec[1] == 1 && vec[2] == 1 && vec[3] == 1);
	kfree(as, seg, pages, 4 * ps);
	CHECK(errno == 0);
	CHECK(as_incore(as, pages, 4 * ps, vec) == 0);
	CHECK(vec[0] == 0 && vec[1] == 0 && vec[2] == 0 && vec[3] == 0);
	CHECK(as_incore(as, kb, len, vec) == 0);
	CHECK(bytes_all_zero((unsigned char *)pages, 4 * ps));
	CHECK_KMEM(as, seg);

	/* Bad frees are refused and counted. */
	CHECK(segkmem_stats(seg, &st) == 0);
	kfree(as, seg, big, 9000);
	CHECK(errno == EINVAL);
	kfree(as, seg, (char *)big + 16, 10000 - 16);
	CHECK(errno == EINVAL);
	kfree(as, seg, small[5], 100);
	CHECK(errno == EINVAL);
	kfree(as, seg, NULL, 10);
	CHECK(errno == 0);
	as_enter(as, AS_READER);
	segkmem_free(vnseg, big, 10000);
	as_exit(as);
	CHECK(errno == EINVAL);
	CHECK(segkmem_stats(seg, &st2) == 0);
	CHECK(st2.ks_bad_frees == st.ks_bad_frees + 3);
	CHECK(st2.ks_allocs == st.ks_allocs && st2.ks_inuse == st.ks_inuse);
	CHECK_KMEM(as, seg);

	/* Protections: read/write, never exec; setprot and friends refuse. */
	CHECK(as_checkprot(as, kb, len, PROT_READ | PROT_WRITE) == 0);
	CHECK_ERRNO(as_checkprot(as, kb, ps, PROT_EXEC), EACCES);
	CHECK_ERRNO(as_setprot(as, kb, ps, PROT_READ), ENOTSUP);
	CHECK_ERRNO(as_ctl(as, kb, ps, AS_CTL_LOCK, 0), ENOTSUP);
	CHECK_ERRNO(as_ctl(as, kb, ps, AS_CTL_SYNC, MS_SYNC), ENOTSUP);
	CHECK_ERRNO(as_ctl(as, kb, ps, AS_CTL_ADVISE, MADV_DONTNEED),
	    ENOTSUP);
	CHECK(as_ctl(as, kb, ps, AS_CTL_ADVISE, MADV_WILLNEED) == 0);
	{
		unsigned protv[2];

		as_enter(as, AS_READER);
		CHECK(segop_getprot(seg, kb, 2 * ps, protv) == 0);
		CHECK(protv[0] == (PROT_READ | PROT_WRITE) &&
		    protv[1] == (PROT_READ | PROT_WRITE));
		CHECK(segop_gettype(seg, kb) == MAP_PRIVATE);
		CHECK(segop_getoffset(seg, kb + 3 * ps) == 3 * ps);
		CHECK(segop_kluster(seg, kb, (ssize_t)ps) == 0);
		CHECK(segop_kluster(seg, kb, -(ssize_t)ps) == -1);
		CHECK(segop_capable(seg, S_CAPABILITY_PARTIAL_UNMAP) == 0);
		CHECK(segop_faulta(seg, kb) == 0);
		CHECK(segop_dup(seg, seg) == ENOTSUP);
		as_exit(as);
	}
	CHECK_KMEM(as, seg);

	/* Unmap: whole only; not while pinned. */
	CHECK_ERRNO(as_unmap(as, kb, ps), ENOTSUP);
	CHECK_ERRNO(as_unmap(as, kb + ps, len - ps), ENOTSUP);
	CHECK(as_fault(as, big, 100, F_SOFTLOCK, S_READ) == 0);
	CHECK_ERRNO(as_unmap(as, kb, len), EBUSY);
	CHECK(as_fault(as, big, 100, F_SOFTUNLOCK, S_READ) == 0);
	CHECK(as_nsegs(as) == 2);
	CHECK_VERIFY(as);
	CHECK(as_unmap(as, kb, len) == 0);	/* allocations outstanding */
	CHECK(as_nsegs(as) == 1);
	CHECK_VERIFY(as);

	/* Map again and leave allocations for as_free to reclaim. */
	REQUIRE(as_map(as, kb, len, segkmem_create,
	    &(struct segkmem_crargs){ .name = NULL }) == 0);
	REQUIRE((seg = kmem_seg(as, kb)) != NULL);
	for (i = 0; i < 200; i++)
		CHECK(kalloc(as, seg, (i % 20 + 1) * 50, 0) != NULL);
	/* Allocate and free beside them: the verifiers hold throughout. */
	for (i = 0; i < 64; i++) {
		p = kalloc(as, seg, (i + 1) * 37, 0);
		CHECK(p != NULL);
		kfree(as, seg, p, (i + 1) * 37);
		CHECK(errno == 0);
	}
	seg_dump_at(as, kb, dump, sizeof (dump));
	CHECK(strncmp(dump, "arena kmem: ", 12) == 0);
	CHECK_KMEM(as, seg);
	free(vec);
	as_free(as);
}

/* Fill a small segment: ENOMEM when full, success again after a free. */
static void
test_kmem_full(void)
{
	struct segkmem_crargs args = { .name = "full" };
	size_t ps = PAGESIZE, n = 0, i;
	struct as *as;
	struct seg *seg;
	void **ptrs, *p;
	char *kb;

	REQUIRE((as = as_alloc(16 * MiB)) != NULL);
	kb = as_window_base(as);
	REQUIRE(as_map(as, kb, 8 * ps, segkmem_create, &args) == 0);
	REQUIRE((seg = kmem_seg(as, kb)) != NULL);
	REQUIRE((ptrs = calloc(8 * ps / 64, sizeof (*ptrs))) != NULL);
	as_enter(as, AS_READER);
	while ((p = segkmem_alloc(seg, 64)) != NULL) {
		fill_pattern(p, 64, (unsigned)n);
		ptrs[n++] = p;
	}
	CHECK(errno == ENOMEM);
	CHECK(n == 8 * ps / 64);
	CHECK(segkmem_alloc(seg, 200) == NULL && errno == ENOMEM);
	for (i = 0; i < n; i++)
		CHECK(check_pattern(ptrs[i], 64, (unsigned)i));
	segkmem_free(seg, ptrs[7], 64);
	CHECK((p = segkmem_alloc(seg, 64)) == ptrs[7]);
	for (i = 0; i < n; i++)
		segkmem_free(seg, ptrs[i], 64);
	as_exit(as);
	CHECK_KMEM(as, seg);
	as_enter(as, AS_READER);
	CHECK((p = segkmem_alloc(seg, 8 * ps)) == kb);	/* reaps the spare */
	segkmem_free(seg, p, 8 * ps);
	as_exit(as);
	CHECK_KMEM(as, seg);
	free(ptrs);
	as_free(as);
}

#define	NTHREADS	4
#define	THREAD_OPS	20000

struct worker {
	struct as	*w_as;
	void		*w_base;
	unsigned	w_id;
	unsigned long	w_errors;
};

static void *
worker(void *arg)
{
	struct worker *w = arg;
	struct { unsigned char *p; size_t size; } held[32] = { { 0 } };
	uint64_t x = 0x1234567 + w->w_id;
	unsigned i;

	for (i = 0; i < THREAD_OPS; i++) {
		unsigned k;
		struct seg *seg;

		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		k = (unsigned)(x % 32);
		as_enter(w->w_as, AS_READER);
		seg = as_segat(w->w_as, w->w_base);
		if (held[k].p != NULL) {
			if (held[k].p[0] != (unsigned char)(w->w_id + k) ||
			    held[k].p[held[k].size - 1] !=
			    (unsigned char)(w->w_id + k))
				w->w_errors++;
			segkmem_free(seg, held[k].p, held[k].size);
			held[k].p = NULL;
		} else {
			held[k].size = (size_t)(x >> 8) % 2000 + 1;
			held[k].p = segkmem_alloc(seg, held[k].size);
			if (held[k].p != NULL) {
				held[k].p[0] = (unsigned char)(w->w_id + k);
				held[k].p[held[k].size - 1] =
				    (unsigned char)(w->w_id + k);
			}
		}
		as_exit(w->w_as);
	}
	as_enter(w->w_as, AS_READER);
	for (i = 0; i < 32; i++) {
		if (held[i].p != NULL)
			segkmem_free(as_segat(w->w_as, w->w_base), held[i].p,
			    held[i].size);
	}
	as_exit(w->w_as);
	return (NULL);
}

static void
test_kmem_threads(void)
{
	struct segkmem_crargs args = { .name = "threads" };
	struct worker w[NTHREADS];
	pthread_t t[NTHREADS];
	struct segkmem_stats st;
	struct as *as;
	struct seg *seg;
	unsigned i;

	REQUIRE((as = as_alloc(64 * MiB)) != NULL);
	REQUIRE(as_map(as, as_window_base(as), 4 * MiB, segkmem_create,
	    &args) == 0);
	for (i = 0; i < NTHREADS; i++) {
		w[i] = (struct worker){ .w_as = as,
		    .w_base = as_window_base(as), .w_id = i };
		REQUIRE(pthread_create(&t[i], NULL, worker, &w[i]) == 0);
	}
	for (i = 0; i < NTHREADS; i++) {
		(void) pthread_join(t[i], NULL);
		CHECK(w[i].w_errors == 0);
	}
	REQUIRE((seg = kmem_seg(as, as_window_base(as))) != NULL);
	CHECK_KMEM(as, seg);
	CHECK(segkmem_stats(seg, &st) == 0);
	CHECK(st.ks_allocs == 0 && st.ks_inuse == 0 && st.ks_bad_frees == 0);
	as_free(as);
}

/*
 * Injected failures: as_map(segkmem_create) for allocations and host
 * calls, then the first allocations of a fresh segment.  Each failure
 * reports ENOMEM (EAGAIN from the hat), and leaves the address space and
 * the arena verifiable and as they were.
 */
static void
test_kmem_inject(void)
{
	static const struct { size_t size, align; } reqs[] = {
		{ 5000, 0 }, { 24, 0 }, { 100, 4096 }, { 128, 0 },
	};
	struct segkmem_crargs args = { .name = "inject" };
	struct segkmem_stats before, after;
	size_t ps = PAGESIZE, k;
	unsigned long n, failures;
	struct as *as;
	struct seg *seg;
	char *kb;
	void *p;
	int rv, site;

	REQUIRE((as = as_alloc(16 * MiB)) != NULL);
	kb = (char *)as_window_base(as) + ps;
	for (site = VM_INJECT_ALLOC; site <= VM_INJECT_HAT; site++) {
		failures = 0;
		for (n = 1; ; n++) {
			vm_inject_arm((enum vm_inject_site)site, n);
			rv = as_map(as, kb, 64 * ps, segkmem_create, &args);
			if (rv == 0 && vm_inject_pending(
			    (enum vm_inject_site)site))
				break;
			vm_inject_arm((enum vm_inject_site)site, 0);
			CHECK_VERIFY(as);
			if (rv == 0) {
				CHECK(as_unmap(as, kb, 64 * ps) == 0);
				continue;
			}
			failures++;
			CHECK(errno == (site == VM_INJECT_ALLOC ? ENOMEM :
			    EAGAIN));
			CHECK(as_nsegs(as) == 0);
		}
		vm_inject_arm((enum vm_inject_site)site, 0);
		CHECK(failures >= 1);
		REQUIRE((seg = kmem_seg(as, kb)) != NULL);
		CHECK_KMEM(as, seg);
		CHECK(as_unmap(as, kb, 64 * ps) == 0);
	}

	REQUIRE(as_map(as, kb, 64 * ps, segkmem_create, &args) == 0);
	REQUIRE((seg = kmem_seg(as, kb)) != NULL);
	for (k = 0; k < sizeof (reqs) / sizeof (reqs[0]); k++) {
		failures = 0;
		for (n = 1; ; n++) {
			CHECK(segkmem_stats(seg, &before) == 0);
			as_enter(as, AS_READER);
			vm_inject_arm(VM_INJECT_ALLOC, n);
			p = reqs[k].align != 0 ?
			    segkmem_alloc_aligned(seg, reqs[k].size,
			    reqs[k].align) :
			    segkmem_alloc(seg, reqs[k].size);
			rv = errno;
			if (p != NULL && vm_inject_pending(VM_INJECT_ALLOC)) {
				as_exit(as);
				break;
			}
			vm_inject_arm(VM_INJECT_ALLOC, 0);
			if (p != NULL)
				segkmem_free(seg, p, reqs[k].size);
			as_exit(as);
			CHECK_KMEM(as, seg);
			if (p != NULL)
				continue;
			failures++;
			CHECK(rv == ENOMEM);
			CHECK(segkmem_stats(seg, &after) == 0);
			CHECK(memcmp(&before, &after, sizeof (before)) == 0);
		}
		vm_inject_arm(VM_INJECT_ALLOC, 0);
		CHECK(failures >= 1);
		memset(p, 0xee, reqs[k].size);
		CHECK_KMEM(as, seg);
	}
	as_free(as);	/* the last allocations are still outstanding */
}

int
main(void)
{
	struct timespec t0, t1;

	(void) clock_gettime(CLOCK_MONOTONIC, &t0);
	test_vmem_args();
	test_vmem_fill();
	test_vmem_reap_on_demand();
	test_vmem_random(0x10000000, 4 * MiB, 300000);
	/* A base that is not slab aligned: the slabs and hook still are. */
	test_vmem_random(0x20000000 + 0x230, 2 * MiB - 0x230 + 0x70, 100000);
	test_vmem_inject();
	test_kmem_basic();
	test_kmem_full();
	test_kmem_threads();
	test_kmem_inject();
	(void) clock_gettime(CLOCK_MONOTONIC, &t1);
	fprintf(stderr, "%.2f s\n", (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	return (test_done());
}
