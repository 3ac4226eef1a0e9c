/*
 * x86_paging_test.c -- the x86 page walker, the translation cache and
 * virtual reads, on synthetic page tables this test builds in an
 * in-memory guest physical space.
 *
 *	modes		CR0/CR4/EFER to mode; CR3 to root
 *	random		every mode and page size: random mappings, checked
 *			against the builder's record of what it mapped
 *			(the reference model) through the walk, the cache,
 *			virtual reads and the enumeration, over a provider
 *			that hands out pages and one that copies
 *	reserved	each mode's reserved bits, NX without NXE, 1 GiB
 *			pages without the feature, PSE ignored, PSE-36
 *	addresses	non-canonical, beyond 32 bits, no paging, bad root
 *	loops		self-referencing and looping tables: walks as the
 *			CPU does, enumeration bounded (ELOOP) or skipping
 *	provider	tables and data in holes, errno passed through
 *	cache		generation, staleness until a flush, one fill per
 *			large page, tags, and threads racing fills/flushes
 *
 * PH_TEST_SEED=n reruns the random parts with another seed.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "guest/x86_paging.h"
#include "guest/x86_tlb.h"
#include "tests/prng.h"
#include "tests/test.h"

#define	PAGE	4096ULL
#define	MB2	(1ULL << 21)
#define	MB4	(1ULL << 22)
#define	GB1	(1ULL << 30)

static uint64_t
bitsof(unsigned hi, unsigned lo)
{
	return ((~0ULL >> (63 - hi)) & (~0ULL << lo));
}

/*
 * The in-memory guest physical space.  Frames that hold page tables are
 * real pages in a hash; every other frame below the limit reads as a
 * pattern derived from its address, except the holes (ENXIO).
 */
struct gphys {
	uint64_t	*gp_keys;	/* gfn + 1; 0: empty slot */
	unsigned char	**gp_pages;
	size_t		gp_cap, gp_n;
	uint64_t	gp_holes[8][2];	/* [first, end) gfn */
	size_t		gp_nholes;
	uint64_t	gp_limit;	/* gfns at or above: EFAULT */
	int		gp_fail_errno;	/* non-zero: every call fails so */
	atomic_ulong	gp_calls;
	atomic_ulong	gp_bad_reads;	/* reads the contract forbids */
};

static _Thread_local _Alignas(4096) unsigned char gp_scratch[4096];

static uint64_t
pattern_word(uint64_t gpa)
{
	return ((gpa ^ 0x5A5A5A5A5A5A5A5AULL) * 0x9E3779B97F4A7C15ULL);
}

static void
gp_init(struct gphys *gp, uint64_t limit_gfn)
{
	memset(gp, 0, sizeof (*gp));
	gp->gp_cap = 1024;
	gp->gp_keys = calloc(gp->gp_cap, sizeof (uint64_t));
	gp->gp_pages = calloc(gp->gp_cap, sizeof (unsigned char *));
	REQUIRE(gp->gp_keys != NULL && gp->gp_pages != NULL);
	gp->gp_limit = limit_gfn;
}

static void
gp_fini(struct gphys *gp)
{
	size_t i;

	for (i = 0; i < gp->gp_cap; i++)
		free(gp->gp_pages[i]);
	free(gp->gp_keys);
	free(gp->gp_pages);
}

static size_t
gp_slot(const struct gphys *gp, uint64_t gfn)
{
	size_t i = (size_t)((gfn * 0x9E3779B97F4A7C15ULL) >> 20) &
	    (gp->gp_cap - 1);

	while (gp->gp_keys[i] != 0 && gp->gp_keys[i] != gfn + 1)
		i = (i + 1) & (gp->gp_cap - 1);
	return (i);
}

static unsigned char *
gp_find(const struct gphys *gp, uint64_t gfn)
{
	size_t i = gp_slot(gp, gfn);

	return (gp->gp_keys[i] == gfn + 1 ? gp->gp_pages[i] : NULL);
}

static bool
gp_is_hole(const struct gphys *gp, uint64_t gfn)
{
	size_t i;

	for (i = 0; i < gp->gp_nholes; i++) {
		if (gfn >= gp->gp_holes[i][0] && gfn < gp->gp_holes[i][1])
			return (true);
	}
	return (false);
}

static void
gp_add_hole(struct gphys *gp, uint64_t first, uint64_t end)
{
	REQUIRE(gp->gp_nholes < 8);
	gp->gp_holes[gp->gp_nholes][0] = first;
	gp->gp_holes[gp->gp_nholes][1] = end;
	gp->gp_nholes++;
}

/* A new zeroed page-table frame at gfn. */
static unsigned char *
gp_add(struct gphys *gp, uint64_t gfn)
{
	size_t i;

	if (2 * (gp->gp_n + 1) > gp->gp_cap) {
		struct gphys old = *gp;

		gp->gp_cap *= 2;
		gp->gp_n = 0;
		gp->gp_keys = calloc(gp->gp_cap, sizeof (uint64_t));
		gp->gp_pages = calloc(gp->gp_cap, sizeof (unsigned char *));
		REQUIRE(gp->gp_keys != NULL && gp->gp_pages != NULL);
		for (i = 0; i < old.gp_cap; i++) {
			if (old.gp_keys[i] != 0) {
				size_t j = gp_slot(gp, old.gp_keys[i] - 1);

				gp->gp_keys[j] = old.gp_keys[i];
				gp->gp_pages[j] = old.gp_pages[i];
				gp->gp_n++;
			}
		}
		free(old.gp_keys);
		free(old.gp_pages);
	}
	i = gp_slot(gp, gfn);
	REQUIRE(gp->gp_keys[i] == 0);
	gp->gp_keys[i] = gfn + 1;
	REQUIRE((gp->gp_pages[i] = aligned_alloc(4096, 4096)) != NULL);
	memset(gp->gp_pages[i], 0, 4096);
	gp->gp_n++;
	return (gp->gp_pages[i]);
}

/* The provider's page op. */
static const void *
gp_page(void *arg, uint64_t gpa, int *errp)
{
	struct gphys *gp = arg;
	uint64_t gfn = gpa >> 12, i;
	unsigned char *p;

	atomic_fetch_add_explicit(&gp->gp_calls, 1, memory_order_relaxed);
	if ((gpa & (PAGE - 1)) != 0) {
		atomic_fetch_add(&gp->gp_bad_reads, 1);
		*errp = EINVAL;
		return (NULL);
	}
	if (gp->gp_fail_errno != 0) {
		*errp = gp->gp_fail_errno;
		return (NULL);
	}
	if (gfn >= gp->gp_limit) {
		*errp = EFAULT;
		return (NULL);
	}
	if (gp_is_hole(gp, gfn)) {
		*errp = ENXIO;
		return (NULL);
	}
	if ((p = gp_find(gp, gfn)) != NULL)
		return (p);
	for (i = 0; i < 512; i++) {
		uint64_t w = pattern_word(gpa + i * 8);

		memcpy(gp_scratch + i * 8, &w, 8);
	}
	return (gp_scratch);
}

/* The provider's copy op. */
static int
gp_read(void *arg, uint64_t gpa, void *buf, size_t len)
{
	struct gphys *gp = arg;
	const unsigned char *p;
	int err = 0;

	if ((gpa & (PAGE - 1)) + len > PAGE || len == 0) {
		atomic_fetch_add(&gp->gp_bad_reads, 1);
		return (EINVAL);
	}
	if ((p = gp_page(gp, gpa & ~(PAGE - 1), &err)) == NULL)
		return (err);
	memcpy(buf, p + (gpa & (PAGE - 1)), len);
	return (0);
}

/*
 * The reference physical read: len bytes at gpa, across pages.  Returns
 * the bytes read before the first failing page; *errp its errno.
 */
static size_t
gp_phys_read(struct gphys *gp, uint64_t gpa, void *buf, size_t len,
    int *errp)
{
	unsigned char *out = buf;
	size_t done = 0;

	*errp = 0;
	while (done < len) {
		uint64_t cur = gpa + done;
		size_t chunk = PAGE - (cur & (PAGE - 1));
		const unsigned char *p;

		if (chunk > len - done)
			chunk = len - done;
		if ((p = gp_page(gp, cur & ~(PAGE - 1), errp)) == NULL)
			break;
		memcpy(out + done, p + (cur & (PAGE - 1)), chunk);
		done += chunk;
	}
	return (done);
}

/* Both ways a provider can hand out memory. */
enum prov { PROV_PAGE, PROV_READ };

static struct x86_physread
gp_provider(struct gphys *gp, enum prov kind)
{
	struct x86_physread pr = { .pr_arg = gp };

	if (kind == PROV_PAGE)
		pr.pr_page = gp_page;
	else
		pr.pr_read = gp_read;
	return (pr);
}

/*
 * The page-table builder.  It knows the x86 formats on its own (it is
 * the reference the walker is checked against) and records what it
 * mapped.
 */
struct tmap {
	uint64_t	m_va;
	uint64_t	m_pa;
	uint64_t	m_size;
	unsigned	m_flags;
};

struct tpt {
	struct gphys	*t_gp;
	enum x86_paging_mode t_mode;
	bool		t_nxe, t_pse, t_page1g;
	unsigned	t_m;
	uint64_t	t_root;
	uint64_t	*t_rng;
	bool		t_inner_random;	/* random W/U/NX above the leaves */
	struct tmap	*t_maps;
	size_t		t_nmaps, t_capmaps;
};

static unsigned
t_levels(enum x86_paging_mode mode)
{
	static const unsigned levels[] = { 0, 2, 3, 4, 5 };

	return (levels[mode]);
}

static unsigned
t_esize(enum x86_paging_mode mode)
{
	return (mode == X86_PAGING_32 ? 4 : 8);
}

static unsigned
t_vabits(enum x86_paging_mode mode)
{
	return (mode == X86_PAGING_4LEVEL ? 48 :
	    mode == X86_PAGING_5LEVEL ? 57 : 32);
}

static unsigned
t_shift(enum x86_paging_mode mode, unsigned level)
{
	return (12 + (level - 1) * (mode == X86_PAGING_32 ? 10 : 9));
}

static uint64_t
t_index(enum x86_paging_mode mode, unsigned level, uint64_t va)
{
	unsigned shift = t_shift(mode, level);
	unsigned bits = level == t_levels(mode) ? t_vabits(mode) - shift :
	    (mode == X86_PAGING_32 ? 10 : 9);

	return ((va >> shift) & ((1ULL << bits) - 1));
}

static uint64_t
t_canonical(enum x86_paging_mode mode, uint64_t va)
{
	unsigned drop = 64 - t_vabits(mode);

	if (t_vabits(mode) == 32)
		return (va);
	return ((uint64_t)((int64_t)(va << drop) >> drop));
}

static bool
t_has_wu(const struct tpt *t, unsigned level)
{
	return (!(t->t_mode == X86_PAGING_PAE && level == 3));
}

static bool
t_has_nx(const struct tpt *t, unsigned level)
{
	return (t->t_nxe && t->t_mode != X86_PAGING_32 &&
	    !(t->t_mode == X86_PAGING_PAE && level == 3));
}

static bool
t_leaf_level_ok(const struct tpt *t, unsigned level)
{
	switch (t->t_mode) {
	case X86_PAGING_32:
		return (level == 1 || (level == 2 && t->t_pse));
	case X86_PAGING_PAE:
		return (level <= 2);
	default:
		return (level <= 2 || (level == 3 && t->t_page1g));
	}
}

static bool
t_is_leaf(const struct tpt *t, unsigned level, uint64_t e)
{
	return (level == 1 || (t_leaf_level_ok(t, level) &&
	    (e & X86_PTE_PS) != 0));
}

static uint64_t
t_table_addr(const struct tpt *t, uint64_t e)
{
	return (t->t_mode == X86_PAGING_32 ? e & 0xfffff000ULL :
	    e & bitsof(t->t_m - 1, 12));
}

static uint64_t
t_get(const struct tpt *t, uint64_t gpa)
{
	unsigned char *p = gp_find(t->t_gp, gpa >> 12);
	uint64_t v = 0;

	REQUIRE(p != NULL);
	memcpy(&v, p + (gpa & (PAGE - 1)), t_esize(t->t_mode));
	return (v);
}

static void
t_put(const struct tpt *t, uint64_t gpa, uint64_t v)
{
	unsigned char *p = gp_find(t->t_gp, gpa >> 12);

	REQUIRE(p != NULL);
	REQUIRE(t->t_mode != X86_PAGING_32 || v >> 32 == 0);
	memcpy(p + (gpa & (PAGE - 1)), &v, t_esize(t->t_mode));
}

/* The address of the entry for va at level in table. */
static uint64_t
t_entry_gpa(const struct tpt *t, uint64_t table, unsigned level, uint64_t va)
{
	return (table + t_index(t->t_mode, level, va) * t_esize(t->t_mode));
}

/* A fresh page-table frame where this mode's entries can point. */
static uint64_t
t_alloc_table(struct tpt *t, bool below_4g)
{
	uint64_t limit = t->t_mode == X86_PAGING_32 || below_4g ?
	    1ULL << 20 : 1ULL << (t->t_m - 12);
	uint64_t gfn;

	if (limit > t->t_gp->gp_limit)
		limit = t->t_gp->gp_limit;
	do {
		gfn = 1 + prng_below(t->t_rng, limit - 1);
	} while (gp_is_hole(t->t_gp, gfn) || gp_find(t->t_gp, gfn) != NULL);
	(void) gp_add(t->t_gp, gfn);
	return (gfn << 12);
}

static void
t_init(struct tpt *t, struct gphys *gp, enum x86_paging_mode mode,
    bool nxe, bool pse, unsigned m, uint64_t *rng)
{
	memset(t, 0, sizeof (*t));
	t->t_gp = gp;
	t->t_mode = mode;
	t->t_nxe = nxe;
	t->t_pse = pse;
	t->t_page1g = true;
	t->t_m = m;
	t->t_rng = rng;
	if (mode == X86_PAGING_NONE)
		return;
	t->t_root = t_alloc_table(t, true);
	/* A PAE CR3 points at 32 bytes anywhere below 4 GiB. */
	if (mode == X86_PAGING_PAE)
		t->t_root += prng_below(rng, 128) * 32;
}

static void
t_fini(struct tpt *t)
{
	free(t->t_maps);
}

static void
t_record(struct tpt *t, uint64_t va, uint64_t pa, uint64_t size,
    unsigned flags)
{
	if (t->t_nmaps == t->t_capmaps) {
		t->t_capmaps = t->t_capmaps == 0 ? 64 : 2 * t->t_capmaps;
		t->t_maps = realloc(t->t_maps, t->t_capmaps *
		    sizeof (struct tmap));
		REQUIRE(t->t_maps != NULL);
	}
	t->t_maps[t->t_nmaps++] = (struct tmap){ va, pa, size, flags };
}

/* The entry for a leaf of size at level mapping pa. */
static uint64_t
t_leaf_entry(const struct tpt *t, unsigned level, uint64_t pa, uint64_t bits)
{
	uint64_t e = X86_PTE_P | bits;

	if (t->t_mode == X86_PAGING_32 && level == 2)
		return (e | X86_PTE_PS | (pa & 0xffc00000ULL) |
		    ((pa >> 32) << 13));
	return (e | pa | (level > 1 ? X86_PTE_PS : 0));
}

/* Fold one entry into the expected flags, the way the SDM says. */
static unsigned
t_fold(const struct tpt *t, unsigned level, uint64_t e, unsigned flags)
{
	if (t_has_wu(t, level)) {
		if ((e & X86_PTE_W) == 0)
			flags &= ~X86_XLATE_W;
		if ((e & X86_PTE_U) == 0)
			flags &= ~X86_XLATE_U;
	}
	if (t_has_nx(t, level) && (e & X86_PTE_NX) != 0)
		flags |= X86_XLATE_NX;
	return (flags);
}

/*
 * Map [va, va + size) to pa with the leaf bits given (W, U, NX, A, D, G,
 * ignored bits), creating tables on the way.  False, with nothing
 * mapped, when the range collides with a mapping already there.
 */
static bool
t_map(struct tpt *t, uint64_t va, uint64_t pa, uint64_t size, uint64_t bits)
{
	unsigned target = size == PAGE ? 1 : size == GB1 ? 3 : 2;
	unsigned flags = X86_XLATE_P | X86_XLATE_W | X86_XLATE_U;
	uint64_t table = t->t_root, gpa, e;
	unsigned level;

	for (level = t_levels(t->t_mode); level > target; level--) {
		gpa = t_entry_gpa(t, table, level, va);
		e = t_get(t, gpa);
		if ((e & X86_PTE_P) == 0) {
			e = t_alloc_table(t, false) | X86_PTE_P;
			if (t_has_wu(t, level)) {
				if (!t->t_inner_random ||
				    prng_below(t->t_rng, 4) != 0)
					e |= X86_PTE_W;
				if (!t->t_inner_random ||
				    prng_below(t->t_rng, 4) != 0)
					e |= X86_PTE_U;
			}
			if (t_has_nx(t, level) && t->t_inner_random &&
			    prng_below(t->t_rng, 8) == 0)
				e |= X86_PTE_NX;
			t_put(t, gpa, e);
		} else if (t_is_leaf(t, level, e))
			return (false);
		flags = t_fold(t, level, e, flags);
		table = t_table_addr(t, e);
	}
	gpa = t_entry_gpa(t, table, target, va);
	if ((t_get(t, gpa) & X86_PTE_P) != 0)
		return (false);
	e = t_leaf_entry(t, target, pa, bits);
	t_put(t, gpa, e);
	t_record(t, va, pa, size, t_fold(t, target, e, flags));
	return (true);
}

static const struct tmap *
t_find(const struct tpt *t, uint64_t va)
{
	size_t i;

	for (i = 0; i < t->t_nmaps; i++) {
		if (va - t->t_maps[i].m_va < t->t_maps[i].m_size)
			return (&t->t_maps[i]);
	}
	return (NULL);
}

/* The paging context the builder's tables are for. */
static void
t_paging(const struct tpt *t, struct x86_paging *xp)
{
	struct x86_cpu_features cpu = { .xf_maxphyaddr = t->t_m,
	    .xf_no_page1g = !t->t_page1g };

	REQUIRE(x86_paging_init_mode(xp, t->t_mode, t->t_pse, t->t_nxe,
	    &cpu) == 0);
}

/*
 * The reference virtual read: the model's translation page by page and
 * the reference physical read.  Returns bytes read, *faultp why it
 * stopped (NOT_PRESENT or DATA_UNREADABLE; RANGE/NONCANONICAL by the
 * mode's address rules).
 */
static size_t
t_vread_ref(const struct tpt *t, uint64_t va, void *buf, size_t len,
    enum x86_fault *faultp)
{
	unsigned char *out = buf;
	size_t done = 0;

	*faultp = X86_FAULT_NONE;
	while (done < len) {
		uint64_t cur = va + done, pa;
		size_t chunk = PAGE - (cur & (PAGE - 1));
		const struct tmap *m;
		int err;

		if (t_vabits(t->t_mode) == 32 && cur >> 32 != 0) {
			*faultp = X86_FAULT_RANGE;
			break;
		}
		if (t_canonical(t->t_mode, cur) != cur) {
			*faultp = X86_FAULT_NONCANONICAL;
			break;
		}
		if ((m = t_find(t, cur)) == NULL) {
			*faultp = X86_FAULT_NOT_PRESENT;
			break;
		}
		pa = m->m_pa + (cur - m->m_va);
		if (chunk > len - done)
			chunk = len - done;
		if (gp_phys_read(t->t_gp, pa, out + done, chunk, &err) !=
		    chunk) {
			*faultp = X86_FAULT_DATA_UNREADABLE;
			break;
		}
		done += chunk;
	}
	return (done);
}

/* A page-aligned random address of the mode, canonical. */
static uint64_t
t_random_va(struct tpt *t, uint64_t align)
{
	uint64_t span = 1ULL << t_vabits(t->t_mode);

	return (t_canonical(t->t_mode, prng_below(t->t_rng, span) &
	    ~(align - 1)));
}

/* ---- the random-mapping test ---- */

struct collect {
	struct x86_mapping *c_maps;
	size_t		c_n, c_cap;
	size_t		c_stop_after;	/* 0: never */
};

static int
collect_cb(void *arg, const struct x86_mapping *m)
{
	struct collect *c = arg;

	if (c->c_n == c->c_cap) {
		c->c_cap = c->c_cap == 0 ? 64 : 2 * c->c_cap;
		c->c_maps = realloc(c->c_maps, c->c_cap * sizeof (*m));
		REQUIRE(c->c_maps != NULL);
	}
	c->c_maps[c->c_n++] = *m;
	if (c->c_stop_after != 0 && c->c_n == c->c_stop_after)
		return (4242);
	return (0);
}

static int
tmap_compar(const void *a, const void *b)
{
	const struct tmap *x = a, *y = b;

	return ((x->m_va > y->m_va) - (x->m_va < y->m_va));
}

struct config {
	const char	*name;
	enum x86_paging_mode mode;
	bool		nxe, pse, page1g;
	unsigned	m;
};

/* Check one address against the model: walk, cache, a read at it. */
static void
check_va(struct tpt *t, const struct x86_paging *xp,
    const struct x86_physread *pr, struct x86_tlb *tlb, uint64_t va)
{
	const struct tmap *m = t_find(t, va);
	struct x86_xlate xl1, xl2;
	unsigned char got[96], want[96];
	struct x86_walk w, why;
	enum x86_fault f, wantf;
	unsigned long calls;
	size_t len, n, wn;

	f = x86_walk_va(xp, pr, t->t_root, va, &w);
	CHECK(w.xw_va == va);
	if (m != NULL) {
		CHECK(f == X86_FAULT_NONE);
		CHECK(w.xw_pa == m->m_pa + (va - m->m_va));
		CHECK(w.xw_page_size == m->m_size);
		CHECK(w.xw_flags == m->m_flags);
		CHECK(w.xw_nlevels >= 1 && w.xw_nlevels <= t_levels(t->t_mode));
		CHECK(!w.xw_recursive);
		if (f != X86_FAULT_NONE || w.xw_pa != m->m_pa + (va - m->m_va)
		    || w.xw_flags != m->m_flags)
			fprintf(stderr, "  va %#" PRIx64 ": fault %s pa %#"
			    PRIx64 " flags %#x, want pa %#" PRIx64
			    " flags %#x size %#" PRIx64 "\n", va,
			    x86_fault_name(f), w.xw_pa, w.xw_flags,
			    m->m_pa + (va - m->m_va), m->m_flags, m->m_size);
		CHECK(x86_translate(xp, pr, tlb, t->t_root, va, &xl1, NULL) ==
		    X86_FAULT_NONE);
		calls = atomic_load(&t->t_gp->gp_calls);
		CHECK(x86_translate(xp, pr, tlb, t->t_root, va, &xl2, NULL) ==
		    X86_FAULT_NONE);
		/* The second time is a hit: no guest memory read. */
		if (tlb != NULL)
			CHECK(atomic_load(&t->t_gp->gp_calls) == calls);
		CHECK(xl1.xl_pa == w.xw_pa && xl2.xl_pa == w.xw_pa);
		CHECK(xl1.xl_page_size == m->m_size &&
		    xl2.xl_page_size == m->m_size);
		CHECK(xl1.xl_flags == m->m_flags && xl2.xl_flags == m->m_flags);
	} else {
		CHECK(f == X86_FAULT_NOT_PRESENT);
		CHECK(w.xw_fault_level >= 1);
		CHECK(x86_translate(xp, pr, tlb, t->t_root, va, &xl1, NULL) ==
		    X86_FAULT_NOT_PRESENT);
	}

	/* A read at va of up to 96 bytes, maybe across the page's end. */
	len = 1 + prng_below(t->t_rng, sizeof (got));
	memset(got, 0xEE, sizeof (got));
	n = x86_vread(xp, pr, tlb, t->t_root, va, got, len, &why);
	wn = t_vread_ref(t, va, want, len, &wantf);
	CHECK(n == wn);
	CHECK(memcmp(got, want, n < wn ? n : wn) == 0);
	CHECK(why.xw_fault == wantf);
	if (n < len)
		CHECK(why.xw_va == va + n);
}

static void
test_random(const struct config *cf, enum prov kind, bool cached,
    uint64_t seed)
{
	struct gphys gp;
	struct tpt t;
	struct x86_paging xp;
	struct x86_physread pr;
	struct x86_tlb *tlb = NULL;
	struct collect col = { 0 };
	struct x86_enum_stats st;
	uint64_t rng = seed, regions[6], sizes[3];
	unsigned nsizes = 0, i, mapped = 0, tries;
	unsigned physbits;
	size_t j;
	int rv;

	gp_init(&gp, 1ULL << (cf->m - 12));
	/* A VGA-like hole low down and a random one. */
	gp_add_hole(&gp, 0xa0, 0x100);
	j = prng_below(&rng, (1ULL << (cf->m - 12)) - 4096);
	gp_add_hole(&gp, j, j + 1 + prng_below(&rng, 4096));
	t_init(&t, &gp, cf->mode, cf->nxe, cf->pse, cf->m, &rng);
	t.t_page1g = cf->page1g;
	t.t_inner_random = true;
	t_paging(&t, &xp);
	pr = gp_provider(&gp, kind);
	if (cached)
		REQUIRE((tlb = x86_tlb_create(256)) != NULL);

	sizes[nsizes++] = PAGE;
	if (cf->mode == X86_PAGING_32 && cf->pse)
		sizes[nsizes++] = MB4;
	if (cf->mode >= X86_PAGING_PAE)
		sizes[nsizes++] = MB2;
	if (cf->mode >= X86_PAGING_4LEVEL && cf->page1g)
		sizes[nsizes++] = GB1;
	for (i = 0; i < 6; i++)
		regions[i] = t_random_va(&t, GB1);

	for (tries = 0; tries < 600; tries++) {
		uint64_t size, va, pa, bits, r = prng_below(&rng, 10);
		unsigned level;

		size = sizes[r < 7 ? 0 : r < 9 || nsizes < 3 ?
		    (nsizes > 1 ? 1 : 0) : 2];
		level = size == PAGE ? 1 : size == GB1 ? 3 : 2;
		if (prng_below(&rng, 10) < 6) {
			va = regions[prng_below(&rng, 6)] +
			    (prng_below(&rng, 64ULL << 20) & ~(size - 1));
			va = t_canonical(cf->mode, va);
			if (t_vabits(cf->mode) == 32)
				va &= 0xffffffffULL & ~(size - 1);
		} else
			va = t_random_va(&t, size);
		if (t_canonical(cf->mode, va) != va)
			continue;
		physbits = cf->mode == X86_PAGING_32 ? (size == MB4 ?
		    (cf->m < 40 ? cf->m : 40) : 32) : cf->m;
		pa = prng_below(&rng, 1ULL << physbits) & ~(size - 1);
		bits = 0;
		if (prng_below(&rng, 4) != 0)
			bits |= X86_PTE_W;
		if (prng_below(&rng, 4) != 0)
			bits |= X86_PTE_U;
		if (t_has_nx(&t, level) && prng_below(&rng, 3) == 0)
			bits |= X86_PTE_NX;
		/* Bits the walk must not care about. */
		bits |= prng_next(&rng) & (X86_PTE_A | X86_PTE_D | X86_PTE_G |
		    X86_PTE_PWT | X86_PTE_PCD | bitsof(11, 9));
		if (cf->mode >= X86_PAGING_4LEVEL)
			bits |= prng_next(&rng) & bitsof(58, 52);
		mapped += t_map(&t, va, pa, size, bits);
	}
	CHECK(mapped > 100);

	/* Every mapping, at its first and last byte and one in between. */
	for (j = 0; j < t.t_nmaps; j++) {
		const struct tmap *m = &t.t_maps[j];

		check_va(&t, &xp, &pr, tlb, m->m_va);
		check_va(&t, &xp, &pr, tlb, m->m_va + m->m_size - 1);
		check_va(&t, &xp, &pr, tlb, m->m_va +
		    prng_below(&rng, m->m_size));
	}
	/* Random addresses, mostly unmapped, some next to mappings. */
	for (i = 0; i < 1500; i++) {
		uint64_t va = prng_below(&rng, 2) != 0 ?
		    t_random_va(&t, 1) | prng_below(&rng, PAGE) :
		    t.t_maps[prng_below(&rng, t.t_nmaps)].m_va - 1 -
		    prng_below(&rng, 200);

		if (t_canonical(cf->mode, va) != va ||
		    (t_vabits(cf->mode) == 32 && va >> 32 != 0))
			continue;
		check_va(&t, &xp, &pr, tlb, va);
	}

	/* The enumeration finds exactly the model's mappings, in order. */
	qsort(t.t_maps, t.t_nmaps, sizeof (struct tmap), tmap_compar);
	rv = x86_enum(&xp, &pr, t.t_root, t_canonical(cf->mode, 0),
	    t_canonical(cf->mode, (1ULL << t_vabits(cf->mode)) - 1), NULL,
	    collect_cb, &col, &st);
	CHECK(rv == 0);
	CHECK(col.c_n == t.t_nmaps);
	CHECK(st.xs_mappings == t.t_nmaps);
	CHECK(st.xs_reserved == 0 && st.xs_unreadable == 0);
	for (j = 0; j < col.c_n && j < t.t_nmaps; j++) {
		const struct x86_mapping *xm = &col.c_maps[j];
		const struct tmap *m = &t.t_maps[j];

		CHECK(xm->xm_va == m->m_va && xm->xm_pa == m->m_pa &&
		    xm->xm_size == m->m_size && xm->xm_flags == m->m_flags);
	}

	/* Sub-ranges: every mapping that overlaps, nothing else. */
	for (i = 0; i < 20; i++) {
		uint64_t a = t_random_va(&t, 1), b = t_random_va(&t, 1), tmp;
		size_t want = 0, k = 0;

		if (i % 2 == 0) {
			/* Start inside a mapping's page, not at its start. */
			a = t.t_maps[prng_below(&rng, t.t_nmaps)].m_va + 1;
		}
		if (a > b)
			tmp = a, a = b, b = tmp;
		col.c_n = 0;
		CHECK(x86_enum(&xp, &pr, t.t_root, a, b, NULL, collect_cb,
		    &col, NULL) == 0);
		for (j = 0; j < t.t_nmaps; j++) {
			const struct tmap *m = &t.t_maps[j];

			if (m->m_va + (m->m_size - 1) >= a && m->m_va <= b) {
				want++;
				if (k < col.c_n && col.c_maps[k].xm_va ==
				    m->m_va)
					k++;
			}
		}
		CHECK(col.c_n == want && k == want);
	}

	CHECK(atomic_load(&gp.gp_bad_reads) == 0);
	free(col.c_maps);
	x86_tlb_destroy(tlb);
	t_fini(&t);
	gp_fini(&gp);
}

static const struct config configs[] = {
	{ "32-bit", X86_PAGING_32, false, false, true, 36 },
	{ "32-bit PSE M=32", X86_PAGING_32, false, true, true, 32 },
	{ "32-bit PSE M=36", X86_PAGING_32, false, true, true, 36 },
	{ "32-bit PSE M=46", X86_PAGING_32, false, true, true, 46 },
	{ "PAE", X86_PAGING_PAE, false, false, true, 36 },
	{ "PAE NXE", X86_PAGING_PAE, true, false, true, 52 },
	{ "4-level", X86_PAGING_4LEVEL, false, false, true, 39 },
	{ "4-level NXE", X86_PAGING_4LEVEL, true, false, true, 46 },
	{ "4-level NXE no 1G", X86_PAGING_4LEVEL, true, false, false, 52 },
	{ "5-level NXE", X86_PAGING_5LEVEL, true, false, true, 52 },
	{ "5-level", X86_PAGING_5LEVEL, false, false, true, 44 },
};

static void
test_random_all(uint64_t seed)
{
	size_t i;

	for (i = 0; i < sizeof (configs) / sizeof (configs[0]); i++) {
		int before = test_failures;

		test_random(&configs[i], PROV_PAGE, true, seed + i);
		test_random(&configs[i], PROV_READ, true, seed + i + 100);
		test_random(&configs[i], PROV_PAGE, false, seed + i + 200);
		if (test_failures != before)
			fprintf(stderr, "random: %s failed (seed %" PRIu64
			    ")\n", configs[i].name, seed);
	}
}

/* ---- modes and roots ---- */

static void
test_modes(void)
{
	static const struct {
		uint64_t cr0, cr4, efer;
		int rv;
		enum x86_paging_mode mode;
		bool pse, nxe;
	} cases[] = {
		{ 0, 0, 0, 0, X86_PAGING_NONE, false, false },
		{ 0, X86_CR4_PAE, X86_EFER_LME, 0, X86_PAGING_NONE, false,
		    false },
		{ X86_CR0_PG, 0, 0, 0, X86_PAGING_32, false, false },
		{ X86_CR0_PG, X86_CR4_PSE, X86_EFER_NXE, 0, X86_PAGING_32,
		    true, false },
		{ X86_CR0_PG, X86_CR4_PAE, 0, 0, X86_PAGING_PAE, false,
		    false },
		{ X86_CR0_PG, X86_CR4_PAE | X86_CR4_LA57, X86_EFER_NXE, 0,
		    X86_PAGING_PAE, false, true },
		{ X86_CR0_PG, X86_CR4_PAE, X86_EFER_LME | X86_EFER_LMA, 0,
		    X86_PAGING_4LEVEL, false, false },
		{ X86_CR0_PG, X86_CR4_PAE, X86_EFER_LME, 0,
		    X86_PAGING_4LEVEL, false, false },
		{ X86_CR0_PG, X86_CR4_PAE | X86_CR4_LA57,
		    X86_EFER_LMA | X86_EFER_NXE, 0, X86_PAGING_5LEVEL, false,
		    true },
		{ X86_CR0_PG, 0, X86_EFER_LMA, EINVAL, X86_PAGING_NONE,
		    false, false },
		{ 0, X86_CR4_PAE, X86_EFER_LMA, EINVAL, X86_PAGING_NONE,
		    false, false },
	};
	struct x86_cpu_features cpu = { 0 };
	struct x86_paging xp;
	size_t i;

	for (i = 0; i < sizeof (cases) / sizeof (cases[0]); i++) {
		int rv = x86_paging_init(&xp, cases[i].cr0, cases[i].cr4,
		    cases[i].efer, NULL);

		CHECK(rv == cases[i].rv);
		if (rv != 0 || cases[i].rv != 0)
			continue;
		CHECK(xp.xp_mode == cases[i].mode);
		CHECK(xp.xp_pse == cases[i].pse);
		CHECK(xp.xp_nxe == cases[i].nxe);
	}
	cpu.xf_maxphyaddr = 31;
	CHECK(x86_paging_init(&xp, X86_CR0_PG, 0, 0, &cpu) == EINVAL);
	cpu.xf_maxphyaddr = 53;
	CHECK(x86_paging_init(&xp, X86_CR0_PG, 0, 0, &cpu) == EINVAL);
	CHECK(x86_paging_init_mode(&xp, (enum x86_paging_mode)9, false,
	    false, NULL) == EINVAL);
	CHECK(strcmp(x86_paging_mode_name(X86_PAGING_5LEVEL), "5-level") ==
	    0);
	CHECK(strcmp(x86_fault_name(X86_FAULT_RESERVED),
	    "reserved bit set") == 0);

	/* Roots: PCID and flag bits dropped, PAE keeps 32-byte alignment. */
	cpu.xf_maxphyaddr = 46;
	REQUIRE(x86_paging_init_mode(&xp, X86_PAGING_4LEVEL, false, true,
	    &cpu) == 0);
	CHECK(x86_paging_root(&xp, 0x8000123456789fffULL) ==
	    0x0000123456789000ULL);
	CHECK(x86_paging_root(&xp, 0x0000f23456789018ULL) ==
	    0x0000323456789000ULL);
	REQUIRE(x86_paging_init_mode(&xp, X86_PAGING_PAE, false, true,
	    &cpu) == 0);
	CHECK(x86_paging_root(&xp, 0x12345ff8) == 0x12345fe0);
	REQUIRE(x86_paging_init_mode(&xp, X86_PAGING_32, true, false,
	    &cpu) == 0);
	CHECK(x86_paging_root(&xp, 0x12345ff8) == 0x12345000);
}

/* ---- hand-built tables ---- */

/* One table chain for va with a leaf entry given raw at leaf_level. */
static uint64_t
build_chain(struct tpt *t, uint64_t va, unsigned leaf_level, uint64_t leaf)
{
	uint64_t table = t->t_root, gpa;
	unsigned level;

	for (level = t_levels(t->t_mode); level > leaf_level; level--) {
		uint64_t e;

		gpa = t_entry_gpa(t, table, level, va);
		e = t_get(t, gpa);
		if ((e & X86_PTE_P) == 0) {
			e = t_alloc_table(t, false) | X86_PTE_P;
			if (t_has_wu(t, level))
				e |= X86_PTE_W | X86_PTE_U;
			t_put(t, gpa, e);
		}
		table = t_table_addr(t, e);
	}
	gpa = t_entry_gpa(t, table, leaf_level, va);
	t_put(t, gpa, leaf);
	return (gpa);
}

/* Walk va over a leaf entry at level; the fault or NONE. */
static enum x86_fault
walk_leaf(enum x86_paging_mode mode, bool nxe, bool pse, unsigned m,
    bool page1g, unsigned level, uint64_t leaf, struct x86_walk *w)
{
	struct gphys gp;
	struct tpt t;
	struct x86_paging xp;
	struct x86_physread pr;
	uint64_t rng = 7 + level + leaf, va = 0x40000000ULL + 0x1234;
	enum x86_fault f;

	gp_init(&gp, 1ULL << (m - 12));
	t_init(&t, &gp, mode, nxe, pse, m, &rng);
	t.t_page1g = page1g;
	t_paging(&t, &xp);
	pr = gp_provider(&gp, PROV_PAGE);
	(void) build_chain(&t, va, level, leaf);
	f = x86_walk_va(&xp, &pr, t.t_root, va, w);
	t_fini(&t);
	gp_fini(&gp);
	return (f);
}

static void
test_reserved(void)
{
	const uint64_t P = X86_PTE_P, PS = X86_PTE_PS, NX = X86_PTE_NX;
	struct x86_walk w;

	/* 32-bit: 4 KiB entries have no reserved bits at all. */
	CHECK(walk_leaf(X86_PAGING_32, false, true, 40, true, 1,
	    0xfffff000ULL | 0xfff, &w) == X86_FAULT_NONE);
	CHECK(w.xw_pa == 0xfffff234ULL);

	/* PAE: NX without NXE, bits above M, PDPTE bits 2:1 and 8:5. */
	CHECK(walk_leaf(X86_PAGING_PAE, false, false, 36, true, 1,
	    0x1000 | P | NX, &w) == X86_FAULT_RESERVED);
	CHECK(w.xw_fault_level == 1);
	CHECK(walk_leaf(X86_PAGING_PAE, true, false, 36, true, 1,
	    0x1000 | P | NX, &w) == X86_FAULT_NONE);
	CHECK(w.xw_flags & X86_XLATE_NX);
	CHECK(walk_leaf(X86_PAGING_PAE, true, false, 36, true, 1,
	    (1ULL << 36) | P, &w) == X86_FAULT_RESERVED);
	CHECK(walk_leaf(X86_PAGING_PAE, true, false, 52, true, 1,
	    (1ULL << 55) | P, &w) == X86_FAULT_RESERVED);
	CHECK(walk_leaf(X86_PAGING_PAE, true, false, 36, true, 2,
	    0x200000 | P | PS | (1ULL << 13), &w) == X86_FAULT_RESERVED);
	CHECK(walk_leaf(X86_PAGING_PAE, true, false, 36, true, 2,
	    0x200000 | P | PS | (1ULL << 12), &w) == X86_FAULT_NONE);
	CHECK(w.xw_pa == 0x200000 + 0x1234 && w.xw_page_size == MB2);
	CHECK(walk_leaf(X86_PAGING_PAE, true, false, 36, true, 3,
	    0x5000 | P | X86_PTE_W, &w) == X86_FAULT_RESERVED);
	CHECK(w.xw_fault_level == 3);
	CHECK(walk_leaf(X86_PAGING_PAE, true, false, 36, true, 3,
	    0x5000 | P | PS, &w) == X86_FAULT_RESERVED);
	CHECK(walk_leaf(X86_PAGING_PAE, true, false, 36, true, 3,
	    0x5000 | P | NX, &w) == X86_FAULT_RESERVED);

	/* Long mode: 51:M, NX without NXE, PS in PML4E/PML5E, large pages. */
	CHECK(walk_leaf(X86_PAGING_4LEVEL, false, false, 46, true, 1,
	    0x1000 | P | NX, &w) == X86_FAULT_RESERVED);
	CHECK(walk_leaf(X86_PAGING_4LEVEL, true, false, 46, true, 1,
	    (1ULL << 46) | P, &w) == X86_FAULT_RESERVED);
	CHECK(walk_leaf(X86_PAGING_4LEVEL, true, false, 46, true, 1,
	    (1ULL << 52) | (1ULL << 62) | P, &w) == X86_FAULT_NONE);
	CHECK(walk_leaf(X86_PAGING_4LEVEL, true, false, 46, true, 4,
	    0x1000 | P | PS, &w) == X86_FAULT_RESERVED);
	CHECK(w.xw_fault_level == 4);
	CHECK(walk_leaf(X86_PAGING_5LEVEL, true, false, 46, true, 5,
	    0x1000 | P | PS, &w) == X86_FAULT_RESERVED);
	CHECK(walk_leaf(X86_PAGING_4LEVEL, true, false, 46, true, 3,
	    GB1 | P | PS, &w) == X86_FAULT_NONE);
	CHECK(w.xw_page_size == GB1 && w.xw_pa == GB1 + 0x1234);
	CHECK(walk_leaf(X86_PAGING_4LEVEL, true, false, 46, true, 3,
	    GB1 | P | PS | (1ULL << 29), &w) == X86_FAULT_RESERVED);
	CHECK(walk_leaf(X86_PAGING_4LEVEL, true, false, 46, false, 3,
	    GB1 | P | PS, &w) == X86_FAULT_RESERVED);
	CHECK(walk_leaf(X86_PAGING_4LEVEL, true, false, 46, true, 2,
	    MB2 | P | PS | (1ULL << 20), &w) == X86_FAULT_RESERVED);
	CHECK(walk_leaf(X86_PAGING_4LEVEL, true, false, 52, true, 2,
	    bitsof(51, 21) | P | PS, &w) == X86_FAULT_NONE);
	CHECK(w.xw_pa == (bitsof(51, 21) | 0x1234));

	/* 32-bit 4 MiB pages: PSE-36 bits, and bit 21 always reserved. */
	CHECK(walk_leaf(X86_PAGING_32, false, true, 40, true, 2,
	    0xffc00000ULL | (0xffULL << 13) | P | PS, &w) == X86_FAULT_NONE);
	CHECK(w.xw_pa == 0xffffc01234ULL && w.xw_page_size == MB4);
	CHECK(walk_leaf(X86_PAGING_32, false, true, 52, true, 2,
	    0x00400000ULL | (1ULL << 21) | P | PS, &w) == X86_FAULT_RESERVED);
	CHECK(walk_leaf(X86_PAGING_32, false, true, 36, true, 2,
	    0x00400000ULL | (0xfULL << 13) | P | PS, &w) == X86_FAULT_NONE);
	CHECK(w.xw_pa == 0xf00401234ULL);
	CHECK(walk_leaf(X86_PAGING_32, false, true, 36, true, 2,
	    0x00400000ULL | (1ULL << 17) | P | PS, &w) == X86_FAULT_RESERVED);
	CHECK(walk_leaf(X86_PAGING_32, false, true, 32, true, 2,
	    0x00400000ULL | (1ULL << 13) | P | PS, &w) == X86_FAULT_RESERVED);
	/* The PAT bit of a 4 MiB page is not an address bit. */
	CHECK(walk_leaf(X86_PAGING_32, false, true, 32, true, 2,
	    0x00400000ULL | (1ULL << 12) | P | PS, &w) == X86_FAULT_NONE);
	CHECK(w.xw_pa == 0x00401234ULL);
}

/* Without CR4.PSE a PDE's PS bit is ignored: it points at a table. */
static void
test_pse_ignored(void)
{
	struct gphys gp;
	struct tpt t;
	struct x86_paging xp, xp_pse;
	struct x86_physread pr;
	struct x86_walk w;
	uint64_t rng = 99, va = 0x00c01234, pd_gpa, pt;

	gp_init(&gp, 1ULL << 24);
	t_init(&t, &gp, X86_PAGING_32, false, false, 36, &rng);
	t_paging(&t, &xp);
	pr = gp_provider(&gp, PROV_PAGE);
	/* Bit 13 of the table's address is PSE-36's PA bit 32. */
	pt = 0x00c02000ULL;
	(void) gp_add(&gp, pt >> 12);
	pd_gpa = t_entry_gpa(&t, t.t_root, 2, va);
	t_put(&t, pd_gpa, pt | X86_PTE_P | X86_PTE_PS | X86_PTE_W);
	t_put(&t, t_entry_gpa(&t, pt, 1, va), 0x77000 | X86_PTE_P |
	    X86_PTE_W | X86_PTE_U);
	CHECK(x86_walk_va(&xp, &pr, t.t_root, va, &w) == X86_FAULT_NONE);
	CHECK(w.xw_pa == 0x77234 && w.xw_page_size == PAGE);
	CHECK(w.xw_nlevels == 2);
	CHECK(w.xw_flags == (X86_XLATE_P | X86_XLATE_W));
	CHECK(w.xw_levels[0].wl_level == 2 &&
	    w.xw_levels[0].wl_entry_gpa == pd_gpa);
	CHECK(w.xw_levels[1].wl_level == 1 &&
	    w.xw_levels[1].wl_entry_gpa == t_entry_gpa(&t, pt, 1, va));

	/* With CR4.PSE the same entry is a 4 MiB page. */
	t.t_pse = true;
	t_paging(&t, &xp_pse);
	CHECK(x86_walk_va(&xp_pse, &pr, t.t_root, va, &w) == X86_FAULT_NONE);
	CHECK(w.xw_page_size == MB4 && w.xw_pa == 0x100c00000ULL +
	    (va & (MB4 - 1)));
	t_fini(&t);
	gp_fini(&gp);
}

/* W and U are ANDed across levels, NX ORed, only where they exist. */
static void
test_flag_combining(void)
{
	const uint64_t P = X86_PTE_P, W = X86_PTE_W, U = X86_PTE_U,
	    NX = X86_PTE_NX;
	static const enum x86_paging_mode modes[] = { X86_PAGING_32,
	    X86_PAGING_PAE, X86_PAGING_4LEVEL, X86_PAGING_5LEVEL };
	size_t mi;

	for (mi = 0; mi < 4; mi++) {
		enum x86_paging_mode mode = modes[mi];
		unsigned levels = t_levels(mode), lv, top;
		bool nx_mode = mode != X86_PAGING_32;

		/* Clear one bit at one level at a time. */
		for (lv = 1; lv <= levels; lv++) {
			unsigned which;

			for (which = 0; which < 3; which++) {
				struct gphys gp;
				struct tpt t;
				struct x86_paging xp;
				struct x86_physread pr;
				struct x86_walk w;
				uint64_t rng = 5 + lv * 3 + which, va = 0x1000,
				    table, gpa, e;
				unsigned l, want;

				gp_init(&gp, 1ULL << 24);
				t_init(&t, &gp, mode, true, false, 36, &rng);
				t_paging(&t, &xp);
				pr = gp_provider(&gp, PROV_READ);
				table = t.t_root;
				for (l = levels; l >= 1; l--) {
					uint64_t next = l == 1 ? 0x9000 :
					    t_alloc_table(&t, true);

					e = next | P;
					if (t_has_wu(&t, l))
						e |= W | U;
					if (l == lv) {
						if (which == 0)
							e &= ~W;
						else if (which == 1)
							e &= ~U;
						else if (t_has_nx(&t, l))
							e |= NX;
					}
					gpa = t_entry_gpa(&t, table, l, va);
					t_put(&t, gpa, e);
					table = next;
				}
				want = X86_XLATE_P | X86_XLATE_W | X86_XLATE_U;
				top = mode == X86_PAGING_PAE ? 3 : 0;
				if (lv != top) {
					if (which == 0)
						want &= ~X86_XLATE_W;
					else if (which == 1)
						want &= ~X86_XLATE_U;
					else if (nx_mode)
						want |= X86_XLATE_NX;
				}
				CHECK(x86_walk_va(&xp, &pr, t.t_root, va, &w) ==
				    X86_FAULT_NONE);
				CHECK(w.xw_flags == want);
				CHECK(w.xw_nlevels == levels);
				t_fini(&t);
				gp_fini(&gp);
			}
		}
	}
}

/* ---- addresses ---- */

static void
test_addresses(void)
{
	struct gphys gp;
	struct tpt t;
	struct x86_paging xp, xp5, xp32, xpnone;
	struct x86_physread pr;
	struct x86_walk w;
	struct x86_xlate xl;
	unsigned char buf[8192], want[8192];
	uint64_t rng = 3, top = 0x00007ffffffff000ULL;
	enum x86_fault f;
	size_t n;
	int err;

	gp_init(&gp, 1ULL << 34);
	pr = gp_provider(&gp, PROV_PAGE);

	/* 4-level: the last canonical page and the first non-canonical. */
	t_init(&t, &gp, X86_PAGING_4LEVEL, true, false, 46, &rng);
	t_paging(&t, &xp);
	REQUIRE(t_map(&t, top, 0x123000, PAGE, X86_PTE_W));
	REQUIRE(t_map(&t, 0xffff800000000000ULL, 0x456000, PAGE, 0));
	CHECK(x86_walk_va(&xp, &pr, t.t_root, top + 0xfff, &w) ==
	    X86_FAULT_NONE);
	CHECK(x86_walk_va(&xp, &pr, t.t_root, top + 0x1000, &w) ==
	    X86_FAULT_NONCANONICAL);
	CHECK(w.xw_nlevels == 0 && w.xw_fault_level == 0);
	CHECK(x86_walk_va(&xp, &pr, t.t_root, 0xffff7fffffffffffULL, &w) ==
	    X86_FAULT_NONCANONICAL);
	CHECK(x86_walk_va(&xp, &pr, t.t_root, 0xffff800000000010ULL, &w) ==
	    X86_FAULT_NONE);
	CHECK(w.xw_pa == 0x456010);
	CHECK(x86_translate(&xp, &pr, NULL, t.t_root, 0x0000800000000000ULL,
	    &xl, NULL) == X86_FAULT_NONCANONICAL);

	/* A read running off the lower half stops at its end. */
	n = x86_vread(&xp, &pr, NULL, t.t_root, top + 0xff0, buf, 64, &w);
	CHECK(n == 16);
	CHECK(w.xw_fault == X86_FAULT_NONCANONICAL);
	CHECK(w.xw_va == 0x0000800000000000ULL);
	CHECK(gp_phys_read(&gp, 0x123ff0, want, 16, &err) == 16);
	CHECK(memcmp(buf, want, 16) == 0);
	/* A read that would wrap past 2^64. */
	REQUIRE(t_map(&t, 0xfffffffffffff000ULL, 0x789000, PAGE, 0));
	n = x86_vread(&xp, &pr, NULL, t.t_root, 0xfffffffffffffff8ULL, buf,
	    16, &w);
	CHECK(n == 8 && w.xw_fault == X86_FAULT_RANGE && w.xw_va == 0);

	/* 5-level: what is non-canonical at 48 bits is fine at 57. */
	REQUIRE(x86_paging_init_mode(&xp5, X86_PAGING_5LEVEL, true, false,
	    NULL) == 0);
	CHECK(x86_va_valid(&xp5, 0x0000800000000000ULL, &f));
	CHECK(x86_va_valid(&xp5, 0x00ffffffffffffffULL, &f));
	CHECK(!x86_va_valid(&xp5, 0x0100000000000000ULL, &f) &&
	    f == X86_FAULT_NONCANONICAL);
	CHECK(x86_va_valid(&xp5, 0xff00000000000000ULL, &f));
	CHECK(!x86_va_valid(&xp5, 0xfe00000000000000ULL, &f));

	/* 32-bit and PAE: nothing above 4 GiB; reads stop there. */
	t_fini(&t);
	t_init(&t, &gp, X86_PAGING_32, false, true, 36, &rng);
	t_paging(&t, &xp32);
	REQUIRE(t_map(&t, 0xfffff000ULL, 0xabc000, PAGE, 0));
	CHECK(x86_walk_va(&xp32, &pr, t.t_root, 0x100000000ULL, &w) ==
	    X86_FAULT_RANGE);
	n = x86_vread(&xp32, &pr, NULL, t.t_root, 0xffffff00ULL, buf, 512, &w);
	CHECK(n == 256 && w.xw_fault == X86_FAULT_RANGE &&
	    w.xw_va == 0x100000000ULL);

	/* A root beyond the physical width, or with stray bits. */
	CHECK(x86_walk_va(&xp, &pr, 1ULL << 46, 0x1000, &w) ==
	    X86_FAULT_BAD_ROOT);
	CHECK(x86_walk_va(&xp, &pr, 0x1008, 0x1000, &w) == X86_FAULT_BAD_ROOT);
	CHECK(x86_walk_va(&xp32, &pr, 1ULL << 32, 0x1000, &w) ==
	    X86_FAULT_BAD_ROOT);

	/* No paging: linear is physical, within 32 bits. */
	REQUIRE(x86_paging_init(&xpnone, 0, 0, 0, NULL) == 0);
	CHECK(x86_walk_va(&xpnone, &pr, 0, 0xb8010, &w) == X86_FAULT_NONE);
	CHECK(w.xw_pa == 0xb8010 && w.xw_nlevels == 0 &&
	    w.xw_flags == (X86_XLATE_P | X86_XLATE_W | X86_XLATE_U));
	CHECK(x86_walk_va(&xpnone, &pr, 0, 0x100000000ULL, &w) ==
	    X86_FAULT_RANGE);
	n = x86_vread(&xpnone, &pr, NULL, 0, 0x1ff8, buf, sizeof (buf), &w);
	CHECK(n == sizeof (buf) && w.xw_fault == X86_FAULT_NONE);
	CHECK(gp_phys_read(&gp, 0x1ff8, want, sizeof (want), &err) ==
	    sizeof (want));
	CHECK(memcmp(buf, want, sizeof (buf)) == 0);
	CHECK(x86_enum(&xpnone, &pr, 0, 0, 0xfff, NULL, collect_cb, NULL,
	    NULL) == EINVAL);
	t_fini(&t);
	gp_fini(&gp);
}

/* ---- self-referencing and looping tables ---- */

static uint64_t
va4(unsigned i4, unsigned i3, unsigned i2, unsigned i1, unsigned off)
{
	uint64_t va = (uint64_t)i4 << 39 | (uint64_t)i3 << 30 |
	    (uint64_t)i2 << 21 | (uint64_t)i1 << 12 | off;

	return ((uint64_t)((int64_t)(va << 16) >> 16));
}

static int
count_cb(void *arg, const struct x86_mapping *m)
{
	(void) m;
	(*(uint64_t *)arg)++;
	return (0);
}

static void
test_recursive(void)
{
	struct gphys gp;
	struct tpt t;
	struct x86_paging xp;
	struct x86_physread pr;
	struct x86_walk w;
	struct x86_enum_opts opts = { 0 };
	struct x86_enum_stats st;
	uint64_t rng = 11, pdpt, n;
	const uint64_t PWU = X86_PTE_P | X86_PTE_W | X86_PTE_U;

	gp_init(&gp, 1ULL << 34);
	pr = gp_provider(&gp, PROV_PAGE);

	/* 4-level with the Windows-style self-map at PML4[510]. */
	t_init(&t, &gp, X86_PAGING_4LEVEL, true, false, 46, &rng);
	t_paging(&t, &xp);
	REQUIRE(t_map(&t, 0x7f0000001000ULL, 0x333000, PAGE, X86_PTE_W));
	t_put(&t, t.t_root + 510 * 8, t.t_root | X86_PTE_P | X86_PTE_W);
	pdpt = t_table_addr(&t, t_get(&t, t.t_root + 254 * 8));

	CHECK(x86_walk_va(&xp, &pr, t.t_root, va4(510, 510, 510, 510, 0x18),
	    &w) == X86_FAULT_NONE);
	CHECK(w.xw_pa == t.t_root + 0x18 && w.xw_recursive);
	CHECK(w.xw_nlevels == 4);
	CHECK(w.xw_flags == (X86_XLATE_P | X86_XLATE_W));
	/* PML4[254]'s PDPT appears at (510, 510, 510, 254). */
	CHECK(x86_walk_va(&xp, &pr, t.t_root, va4(510, 510, 510, 254, 0),
	    &w) == X86_FAULT_NONE);
	CHECK(w.xw_pa == pdpt && w.xw_recursive);
	/* An ordinary address is not recursive. */
	CHECK(x86_walk_va(&xp, &pr, t.t_root, 0x7f0000001008ULL, &w) ==
	    X86_FAULT_NONE);
	CHECK(w.xw_pa == 0x333008 && !w.xw_recursive);

	/* Enumeration: skipping the self-map finds exactly the mapping. */
	opts.xo_skip_recursive = true;
	n = 0;
	CHECK(x86_enum(&xp, &pr, t.t_root, 0, ~0ULL, &opts, count_cb, &n,
	    &st) == 0);
	CHECK(n == 1 && st.xs_recursive == 1);
	/* Following it: the mapping plus the tables seen as pages. */
	n = 0;
	CHECK(x86_enum(&xp, &pr, t.t_root, 0, ~0ULL, NULL, count_cb, &n,
	    &st) == 0);
	CHECK(n > 1 && st.xs_recursive == 0);
	t_fini(&t);

	/* 32-bit with PD[1023] -> PD: the page tables at 0xffc00000. */
	t_init(&t, &gp, X86_PAGING_32, false, false, 32, &rng);
	t_paging(&t, &xp);
	REQUIRE(t_map(&t, 0x00401000, 0x555000, PAGE, 0));
	t_put(&t, t.t_root + 1023 * 4, t.t_root | PWU);
	CHECK(x86_walk_va(&xp, &pr, t.t_root, 0xfffff004ULL, &w) ==
	    X86_FAULT_NONE);
	CHECK(w.xw_pa == t.t_root + 4 && w.xw_recursive);
	CHECK(x86_walk_va(&xp, &pr, t.t_root, 0xffc00000ULL + 1 * 4096 + 4,
	    &w) == X86_FAULT_NONE);
	CHECK(w.xw_pa == t_table_addr(&t, t_get(&t, t.t_root + 4)) + 4);
	t_fini(&t);
	gp_fini(&gp);
}

static void
test_loops(void)
{
	struct gphys gp;
	struct tpt t;
	struct x86_paging xp;
	struct x86_physread pr;
	struct x86_walk w;
	struct x86_enum_opts opts = { 0 };
	struct x86_enum_stats st;
	unsigned char buf[3 * 4096];
	uint64_t rng = 17, a, b, n, i;
	const uint64_t PWU = X86_PTE_P | X86_PTE_W | X86_PTE_U;

	gp_init(&gp, 1ULL << 34);
	pr = gp_provider(&gp, PROV_PAGE);

	/* Two tables pointing at each other in every slot: A -> B -> A. */
	t_init(&t, &gp, X86_PAGING_4LEVEL, true, false, 46, &rng);
	t_paging(&t, &xp);
	a = t.t_root;
	b = t_alloc_table(&t, false);
	for (i = 0; i < 512; i++) {
		t_put(&t, a + i * 8, b | PWU);
		t_put(&t, b + i * 8, a | PWU);
	}
	/* Any address walks four levels and lands in A (B seen as a PT). */
	CHECK(x86_walk_va(&xp, &pr, a, 0x123456789abcULL, &w) ==
	    X86_FAULT_NONE);
	CHECK(w.xw_nlevels == 4 && w.xw_pa == a + 0xabc && w.xw_recursive);
	/* Reads through it terminate too. */
	CHECK(x86_vread(&xp, &pr, NULL, a, 0x7ffffffff000ULL - 4096, buf,
	    sizeof (buf), &w) == 2 * 4096);
	CHECK(w.xw_fault == X86_FAULT_NONCANONICAL);

	/* Enumerating it would report 512^4 pages: the budget stops it. */
	opts.xo_budget = 100000;
	n = 0;
	CHECK(x86_enum(&xp, &pr, a, 0, ~0ULL, &opts, count_cb, &n, &st) ==
	    ELOOP);
	CHECK(st.xs_entries == 100000);
	CHECK(n > 0 && n < 100000);
	CHECK(st.xs_stopped_va != 0);
	/* The default budget holds too. */
	n = 0;
	CHECK(x86_enum(&xp, &pr, a, 0, ~0ULL, NULL, count_cb, &n, &st) ==
	    ELOOP);
	CHECK(st.xs_entries == X86_ENUM_DEFAULT_BUDGET);
	/* Skipping self-maps: no mappings, every back pointer counted. */
	opts.xo_budget = 0;
	opts.xo_skip_recursive = true;
	n = 0;
	CHECK(x86_enum(&xp, &pr, a, 0, ~0ULL, &opts, count_cb, &n, &st) ==
	    0);
	CHECK(n == 0 && st.xs_recursive == 512 * 512);
	t_fini(&t);

	/* A table whose every entry points at itself, at every level. */
	t_init(&t, &gp, X86_PAGING_5LEVEL, true, false, 46, &rng);
	t_paging(&t, &xp);
	for (i = 0; i < 512; i++)
		t_put(&t, t.t_root + i * 8, t.t_root | PWU);
	CHECK(x86_walk_va(&xp, &pr, t.t_root, 0x00ff123456789000ULL, &w) ==
	    X86_FAULT_NONE);
	CHECK(w.xw_nlevels == 5 && w.xw_pa == t.t_root && w.xw_recursive);
	opts.xo_skip_recursive = false;
	opts.xo_budget = 5000;
	CHECK(x86_enum(&xp, &pr, t.t_root, 0, ~0ULL, &opts, count_cb, &n,
	    &st) == ELOOP);
	t_fini(&t);
	gp_fini(&gp);
}

/* ---- provider failures ---- */

static void
test_provider_failures(void)
{
	struct gphys gp;
	struct tpt t;
	struct x86_paging xp;
	struct x86_physread pr;
	struct x86_walk w;
	struct x86_enum_stats st;
	unsigned char buf[8192];
	uint64_t rng = 23, pml4e, n;

	gp_init(&gp, 1ULL << 30);
	gp_add_hole(&gp, 0x100000, 0x100100);
	pr = gp_provider(&gp, PROV_PAGE);
	t_init(&t, &gp, X86_PAGING_4LEVEL, true, false, 46, &rng);
	t_paging(&t, &xp);

	/* Data in a hole: the read stops there, with ENXIO. */
	REQUIRE(t_map(&t, 0x10000, 0x0ffff000ULL, PAGE, 0));
	REQUIRE(t_map(&t, 0x11000, 0x100000000ULL, PAGE, 0));
	n = x86_vread(&xp, &pr, NULL, t.t_root, 0x10ff0, buf, 64, &w);
	CHECK(n == 16);
	CHECK(w.xw_fault == X86_FAULT_DATA_UNREADABLE);
	CHECK(w.xw_va == 0x11000 && w.xw_fault_gpa == 0x100000000ULL);
	CHECK(w.xw_errno == ENXIO && w.xw_fault_level == 0);
	/* Data beyond memory: EFAULT from the provider. */
	REQUIRE(t_map(&t, 0x20000, 1ULL << 45, PAGE, 0));
	CHECK(x86_vread(&xp, &pr, NULL, t.t_root, 0x20000, buf, 8, &w) == 0);
	CHECK(w.xw_fault == X86_FAULT_DATA_UNREADABLE && w.xw_errno == EFAULT);
	/* A zero-length read reads nothing and reports nothing. */
	CHECK(x86_vread(&xp, &pr, NULL, t.t_root, 0x0, buf, 0, &w) == 0);
	CHECK(w.xw_fault == X86_FAULT_NONE);
	/* A read stopping at an unmapped page reports the level. */
	REQUIRE(t_map(&t, 0x30000, 0x5000, PAGE, 0));
	n = x86_vread(&xp, &pr, NULL, t.t_root, 0x30008, buf, 4096 * 2, &w);
	CHECK(n == 4096 - 8 && w.xw_fault == X86_FAULT_NOT_PRESENT);
	CHECK(w.xw_va == 0x31000 && w.xw_fault_level == 1);
	CHECK(w.xw_nlevels == 4 && w.xw_levels[3].wl_entry == 0);

	/* A page table in a hole. */
	pml4e = t_get(&t, t.t_root);
	t_put(&t, t.t_root, 0x100000000ULL | X86_PTE_P | X86_PTE_W);
	CHECK(x86_walk_va(&xp, &pr, t.t_root, 0x10000, &w) ==
	    X86_FAULT_TABLE_UNREADABLE);
	CHECK(w.xw_fault_level == 3 && w.xw_errno == ENXIO);
	CHECK(w.xw_fault_gpa == 0x100000000ULL);
	CHECK(w.xw_nlevels == 1);
	CHECK(x86_enum(&xp, &pr, t.t_root, 0, ~0ULL, NULL, count_cb, &n,
	    &st) == 0);
	CHECK(st.xs_unreadable == 1);
	/* A reserved entry is skipped and counted by the enumeration. */
	t_put(&t, t.t_root, pml4e | (1ULL << 50));
	n = 0;
	CHECK(x86_enum(&xp, &pr, t.t_root, 0, ~0ULL, NULL, count_cb, &n,
	    &st) == 0);
	CHECK(n == 0 && st.xs_reserved == 1);
	t_put(&t, t.t_root, pml4e);

	/* A provider failing with errno 0 is reported as EIO. */
	gp.gp_fail_errno = -1;
	CHECK(x86_walk_va(&xp, &pr, t.t_root, 0x10000, &w) ==
	    X86_FAULT_TABLE_UNREADABLE);
	CHECK(w.xw_errno == EIO);
	gp.gp_fail_errno = EIO;
	pr = gp_provider(&gp, PROV_READ);
	CHECK(x86_walk_va(&xp, &pr, t.t_root, 0x10000, &w) ==
	    X86_FAULT_TABLE_UNREADABLE);
	CHECK(w.xw_errno == EIO && w.xw_fault_level == 4);
	gp.gp_fail_errno = 0;
	CHECK(atomic_load(&gp.gp_bad_reads) == 0);
	t_fini(&t);
	gp_fini(&gp);
}

/* ---- enumeration details ---- */

static void
test_enum_details(void)
{
	struct gphys gp;
	struct tpt t;
	struct x86_paging xp;
	struct x86_physread pr;
	struct collect col = { 0 };
	struct x86_enum_stats st;
	uint64_t rng = 29;
	size_t i;

	gp_init(&gp, 1ULL << 34);
	pr = gp_provider(&gp, PROV_PAGE);
	t_init(&t, &gp, X86_PAGING_PAE, true, false, 36, &rng);
	t_paging(&t, &xp);
	for (i = 0; i < 10; i++)
		REQUIRE(t_map(&t, 0xc0000000ULL + i * MB2, 0x40000000ULL +
		    i * MB2, MB2, X86_PTE_W));
	REQUIRE(t_map(&t, 0x1000, 0x2000, PAGE, X86_PTE_U));

	/* The callback's non-zero value stops the enumeration. */
	col.c_stop_after = 3;
	CHECK(x86_enum(&xp, &pr, t.t_root, 0, 0xffffffffULL, NULL,
	    collect_cb, &col, &st) == 4242);
	CHECK(col.c_n == 3 && st.xs_mappings == 3);
	CHECK(col.c_maps[0].xm_va == 0x1000 && col.c_maps[0].xm_level == 1);
	CHECK(col.c_maps[1].xm_va == 0xc0000000ULL &&
	    col.c_maps[1].xm_size == MB2 && col.c_maps[1].xm_level == 2);
	CHECK(col.c_maps[1].xm_entry == t_get(&t, col.c_maps[1].xm_entry_gpa));
	/* A range inside one large page reports that page. */
	col.c_stop_after = 0;
	col.c_n = 0;
	CHECK(x86_enum(&xp, &pr, t.t_root, 0xc0212345ULL, 0xc0212346ULL, NULL,
	    collect_cb, &col, NULL) == 0);
	CHECK(col.c_n == 1 && col.c_maps[0].xm_va == 0xc0200000ULL &&
	    col.c_maps[0].xm_pa == 0x40200000ULL);
	/* Bad ranges. */
	CHECK(x86_enum(&xp, &pr, t.t_root, 0x2000, 0x1000, NULL, collect_cb,
	    &col, NULL) == EINVAL);
	CHECK(x86_enum(&xp, &pr, t.t_root, 0, 0x100000000ULL, NULL,
	    collect_cb, &col, NULL) == EINVAL);
	CHECK(x86_enum(&xp, &pr, t.t_root + 8, 0, 0xffff, NULL, collect_cb,
	    &col, NULL) == EINVAL);
	free(col.c_maps);
	t_fini(&t);
	gp_fini(&gp);
}

/* ---- the cache ---- */

static void
test_tlb_basics(void)
{
	struct gphys gp;
	struct tpt t, t2;
	struct x86_paging xp, xp_nonx;
	struct x86_physread pr;
	struct x86_tlb *tlb;
	struct x86_tlb_stats ts;
	struct x86_xlate xl;
	struct x86_walk w;
	uint64_t rng = 31, leaf_gpa, gen, val;
	unsigned long calls;
	unsigned i;

	REQUIRE((tlb = x86_tlb_create(0)) != NULL);
	x86_tlb_stats(tlb, &ts);
	CHECK(ts.ts_entries == X86_TLB_DEFAULT_ENTRIES);
	CHECK(ts.ts_generation == 1 && ts.ts_fills == 0);
	x86_tlb_destroy(tlb);
	REQUIRE((tlb = x86_tlb_create(100)) != NULL);
	x86_tlb_stats(tlb, &ts);
	CHECK(ts.ts_entries == 128);
	x86_tlb_destroy(tlb);
	errno = 0;
	CHECK(x86_tlb_create(X86_TLB_MAX_ENTRIES + 1) == NULL &&
	    errno == EINVAL);
	x86_tlb_destroy(NULL);
	/* Either allocation failing leaves nothing behind (LSan checks). */
	vm_inject_arm(VM_INJECT_ALLOC, 1);
	errno = 0;
	CHECK(x86_tlb_create(8) == NULL && errno == ENOMEM);
	vm_inject_arm(VM_INJECT_ALLOC, 2);
	errno = 0;
	CHECK(x86_tlb_create(8) == NULL && errno == ENOMEM);
	vm_inject_arm(VM_INJECT_ALLOC, 0);

	gp_init(&gp, 1ULL << 34);
	pr = gp_provider(&gp, PROV_PAGE);
	t_init(&t, &gp, X86_PAGING_4LEVEL, true, false, 46, &rng);
	t_paging(&t, &xp);
	REQUIRE((tlb = x86_tlb_create(64)) != NULL);

	/* A cached translation stays until a flush, as in a CPU's TLB. */
	REQUIRE(t_map(&t, 0x400000, 0x111000, PAGE, X86_PTE_W));
	CHECK(x86_translate(&xp, &pr, tlb, t.t_root, 0x400010, &xl, &w) ==
	    X86_FAULT_NONE);
	CHECK(xl.xl_pa == 0x111010 && w.xw_nlevels == 4);
	leaf_gpa = w.xw_levels[3].wl_entry_gpa;
	t_put(&t, leaf_gpa, 0x222000 | X86_PTE_P);
	CHECK(x86_translate(&xp, &pr, tlb, t.t_root, 0x400020, &xl, NULL) ==
	    X86_FAULT_NONE);
	CHECK(xl.xl_pa == 0x111020 &&
	    xl.xl_flags == (X86_XLATE_P | X86_XLATE_W));
	x86_tlb_flush(tlb);
	CHECK(x86_translate(&xp, &pr, tlb, t.t_root, 0x400020, &xl, NULL) ==
	    X86_FAULT_NONE);
	CHECK(xl.xl_pa == 0x222020 && xl.xl_flags == X86_XLATE_P);
	/* Faults are never cached. */
	t_put(&t, leaf_gpa, 0);
	x86_tlb_flush(tlb);
	CHECK(x86_translate(&xp, &pr, tlb, t.t_root, 0x400020, &xl, NULL) ==
	    X86_FAULT_NOT_PRESENT);
	t_put(&t, leaf_gpa, 0x333000 | X86_PTE_P);
	CHECK(x86_translate(&xp, &pr, tlb, t.t_root, 0x400020, &xl, NULL) ==
	    X86_FAULT_NONE);
	CHECK(xl.xl_pa == 0x333020);

	/* Another root, the same address: two entries, no confusion. */
	t_init(&t2, &gp, X86_PAGING_4LEVEL, true, false, 46, &rng);
	REQUIRE(t_map(&t2, 0x400000, 0x444000, PAGE, 0));
	for (i = 0; i < 3; i++) {
		CHECK(x86_translate(&xp, &pr, tlb, t.t_root, 0x400000, &xl,
		    NULL) == X86_FAULT_NONE && xl.xl_pa == 0x333000);
		CHECK(x86_translate(&xp, &pr, tlb, t2.t_root, 0x400000, &xl,
		    NULL) == X86_FAULT_NONE && xl.xl_pa == 0x444000);
	}
	/*
	 * The same root under other options is another key: a page with
	 * XD set is NX with EFER.NXE, a reserved-bit fault without.
	 */
	REQUIRE(x86_paging_init_mode(&xp_nonx, X86_PAGING_4LEVEL, false,
	    false, NULL) == 0);
	REQUIRE(t_map(&t, 0x500000, 0x555000, PAGE, X86_PTE_NX));
	for (i = 0; i < 2; i++) {
		CHECK(x86_translate(&xp, &pr, tlb, t.t_root, 0x500000, &xl,
		    NULL) == X86_FAULT_NONE &&
		    xl.xl_flags == (X86_XLATE_P | X86_XLATE_NX));
		CHECK(x86_translate(&xp_nonx, &pr, tlb, t.t_root, 0x500000, &xl,
		    NULL) == X86_FAULT_RESERVED);
	}

	/* A large page is one fill however much of it is used. */
	REQUIRE(t_map(&t, 0x40000000ULL, 0x80000000ULL, GB1, X86_PTE_W));
	REQUIRE(t_map(&t, 0x80000000ULL, 0x7fe00000ULL, MB2, 0));
	x86_tlb_flush(tlb);
	x86_tlb_stats(tlb, &ts);
	val = ts.ts_fills;
	for (i = 0; i < 64; i++) {
		CHECK(x86_translate(&xp, &pr, tlb, t.t_root, 0x40000000ULL +
		    i * 0x1001000ULL, &xl, NULL) == X86_FAULT_NONE);
		CHECK(xl.xl_pa == 0x80000000ULL + i * 0x1001000ULL &&
		    xl.xl_page_size == GB1);
		CHECK(x86_translate(&xp, &pr, tlb, t.t_root, 0x80000000ULL +
		    i * 0x7000ULL, &xl, NULL) == X86_FAULT_NONE);
		CHECK(xl.xl_pa == 0x7fe00000ULL + i * 0x7000ULL &&
		    xl.xl_page_size == MB2);
	}
	x86_tlb_stats(tlb, &ts);
	CHECK(ts.ts_fills - val == 2);
	calls = atomic_load(&gp.gp_calls);
	CHECK(x86_translate(&xp, &pr, tlb, t.t_root, 0x7ffff000ULL, &xl,
	    NULL) == X86_FAULT_NONE);
	CHECK(xl.xl_pa == 0xbffff000ULL);
	CHECK(atomic_load(&gp.gp_calls) == calls);

	/* A fill from before a flush is not current after it. */
	gen = x86_tlb_generation(tlb);
	x86_tlb_flush(tlb);
	x86_tlb_fill(tlb, gen, 0x5000, x86_tlb_vkey(0x9000, 12, X86_TLB_4K),
	    0x6000 | X86_XLATE_P);
	CHECK(!x86_tlb_probe(tlb, x86_tlb_generation(tlb), 0x5000,
	    x86_tlb_vkey(0x9000, 12, X86_TLB_4K), &val));
	x86_tlb_fill(tlb, x86_tlb_generation(tlb), 0x5000,
	    x86_tlb_vkey(0x9000, 12, X86_TLB_4K), 0x6000 | X86_XLATE_P);
	CHECK(x86_tlb_probe(tlb, x86_tlb_generation(tlb), 0x5000,
	    x86_tlb_vkey(0x9000, 12, X86_TLB_4K), &val) &&
	    val == (0x6000 | X86_XLATE_P));

	x86_tlb_destroy(tlb);
	t_fini(&t2);
	t_fini(&t);
	gp_fini(&gp);
}

/*
 * Threads translate through one small cache (many collisions, so fills
 * race lookups) while another flushes; every answer must be right.
 */
#define	RACE_ROOTS	4
#define	RACE_PAGES	16

struct race {
	struct x86_paging *r_xp;
	struct x86_physread *r_pr;
	struct x86_tlb	*r_tlb;
	uint64_t	r_roots[RACE_ROOTS];
	atomic_int	r_stop;
	atomic_ulong	r_wrong;
	atomic_ulong	r_done;
	uint64_t	r_seed;
};

static uint64_t
race_pa(unsigned root, uint64_t page)
{
	return (((uint64_t)(root + 1) << 32) + page * 3 * PAGE);
}

static void *
race_reader(void *arg)
{
	struct race *r = arg;
	uint64_t rng = atomic_fetch_add(&r->r_done, 1) + r->r_seed;
	unsigned long i;

	for (i = 0; i < 300000; i++) {
		unsigned root = (unsigned)prng_below(&rng, RACE_ROOTS);
		uint64_t page = prng_below(&rng, RACE_PAGES);
		struct x86_xlate xl;

		if (x86_translate(r->r_xp, r->r_pr, r->r_tlb, r->r_roots[root],
		    0x10000000ULL + page * PAGE + 8, &xl, NULL) !=
		    X86_FAULT_NONE || xl.xl_pa != race_pa(root, page) + 8)
			atomic_fetch_add(&r->r_wrong, 1);
	}
	return (NULL);
}

static void *
race_flusher(void *arg)
{
	struct race *r = arg;

	struct timespec pause = { 0, 20000 };

	/* Often enough to race fills, rarely enough to leave hits. */
	while (!atomic_load(&r->r_stop)) {
		x86_tlb_flush(r->r_tlb);
		(void) nanosleep(&pause, NULL);
	}
	return (NULL);
}

static void
test_tlb_race(uint64_t seed)
{
	struct gphys gp;
	struct tpt t[RACE_ROOTS];
	struct x86_paging xp;
	struct x86_physread pr;
	struct race r = { 0 };
	struct x86_tlb_stats ts;
	pthread_t readers[3], flusher;
	uint64_t rng = seed;
	unsigned i, p;

	gp_init(&gp, 1ULL << 34);
	pr = gp_provider(&gp, PROV_PAGE);
	for (i = 0; i < RACE_ROOTS; i++) {
		t_init(&t[i], &gp, X86_PAGING_4LEVEL, true, false, 46, &rng);
		for (p = 0; p < RACE_PAGES; p++)
			REQUIRE(t_map(&t[i], 0x10000000ULL + p * PAGE,
			    race_pa(i, p), PAGE, X86_PTE_W));
		r.r_roots[i] = t[i].t_root;
	}
	t_paging(&t[0], &xp);
	r.r_xp = &xp;
	r.r_pr = &pr;
	r.r_seed = seed;
	REQUIRE((r.r_tlb = x86_tlb_create(16)) != NULL);
	REQUIRE(pthread_create(&flusher, NULL, race_flusher, &r) == 0);
	for (i = 0; i < 3; i++)
		REQUIRE(pthread_create(&readers[i], NULL, race_reader, &r) ==
		    0);
	for (i = 0; i < 3; i++)
		REQUIRE(pthread_join(readers[i], NULL) == 0);
	atomic_store(&r.r_stop, 1);
	REQUIRE(pthread_join(flusher, NULL) == 0);
	CHECK(atomic_load(&r.r_wrong) == 0);
	x86_tlb_stats(r.r_tlb, &ts);
	CHECK(ts.ts_fills > 0 && ts.ts_flushes > 0);
	fprintf(stderr, "race: 900000 translations, %" PRIu64 " fills, %"
	    PRIu64 " given up, %" PRIu64 " flushes, %lu wrong\n",
	    ts.ts_fills, ts.ts_fill_races, ts.ts_flushes,
	    atomic_load(&r.r_wrong));
	x86_tlb_destroy(r.r_tlb);
	for (i = 0; i < RACE_ROOTS; i++)
		t_fini(&t[i]);
	gp_fini(&gp);
}

int
main(void)
{
	const char *s = getenv("PH_TEST_SEED");
	uint64_t seed = s != NULL ? strtoull(s, NULL, 0) : 20240601;

	fprintf(stderr, "seed %" PRIu64 "\n", seed);
	test_modes();
	test_reserved();
	test_pse_ignored();
	test_flag_combining();
	test_addresses();
	test_recursive();
	test_loops();
	test_provider_failures();
	test_enum_details();
	test_tlb_basics();
	test_random_all(seed);
	test_tlb_race(seed);
	return (test_done());
}
