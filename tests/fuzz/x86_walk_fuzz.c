/*
 * x86_walk_fuzz.c -- fuzz target: the x86 page walker, the translation
 * cache, virtual reads and the enumeration over arbitrary page tables.
 *
 * Input:
 *	[0]	paging mode (% 5)
 *	[1]	options (FZ_OPT_*)
 *	[2]	MAXPHYADDR - 32 (% 21)
 *	[3]	root frame (% FZ_FRAMES); [4] PAE root offset / 32 (% 128)
 *	[5..6]	length of the virtual read (% (3 pages + 1))
 *	[7]	enumeration budget / 64, less one
 *	8..39	four linear addresses (canonical unless FZ_OPT_RAW_VA)
 *	then	11-byte records: frame, slot (u16), entry value (u64), all
 *		little endian: the entry at that slot of that frame
 * Guest physical memory: frames 0..7 are the input's pages, 8..15 are
 * holes (ENXIO), every other frame below MAXPHYADDR reads as a pattern
 * (so a walk can go anywhere) and above it fails (EFAULT).  With
 * FZ_OPT_ALIAS a frame number is taken modulo 16, so every pointer lands
 * in the input's pages or a hole and loops are easy to build.
 *
 * Invariants, for each address: the walk ends (at most one entry per
 * level, levels strictly descending); the page-pointer and the copying
 * provider give the same walk; a success is a legal page size, keeps the
 * page offset, stays below the physical width, carries P, and NX only
 * where the mode has it; each entry reported is what memory holds; a
 * cached translation (miss, then hit) is the walk's.  A virtual read
 * returns what page-by-page walks and physical reads give, stopping
 * exactly at the reported address.  The enumeration stops (0 or ELOOP
 * within its budget) and reports ascending, aligned leaves that a walk
 * of their address confirms.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "guest/x86_paging.h"
#include "guest/x86_tlb.h"
#include "tests/fuzz/fuzz.h"
#include "tests/prng.h"

#define	FZ_FRAMES	8
#define	FZ_HOLES_END	16
#define	FZ_HEADER	40
#define	FZ_RECORD	11
#define	FZ_MAX_READ	(3 * 4096)

#define	FZ_OPT_NXE		0x01
#define	FZ_OPT_PSE		0x02
#define	FZ_OPT_NO_PAGE1G	0x04
#define	FZ_OPT_ALIAS		0x08
#define	FZ_OPT_SKIP_RECURSIVE	0x10
#define	FZ_OPT_RAW_VA		0x20

static _Alignas(4096) unsigned char fz_mem[FZ_FRAMES][4096];
static _Alignas(4096) unsigned char fz_pattern[4096];
static unsigned char fz_buf[FZ_MAX_READ];

struct fz_space {
	uint64_t	fs_limit;	/* frames */
	bool		fs_alias;
};

/* What the inputs exercised, for fuzz_report and fuzz_meaningful. */
static struct {
	unsigned long	inputs;
	unsigned long	faults[X86_FAULT_DATA_UNREADABLE + 1];
	unsigned long	deep;		/* successes through 4+ levels */
	unsigned long	large;		/* successes on a large page */
	unsigned long	recursive;
	unsigned long	eloop;
	unsigned long	mappings;
	unsigned long	partial_reads;
} fz_stats;

static uint64_t
fz_le(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;

	while (n-- > 0)
		v = v << 8 | p[n];
	return (v);
}

static const void *
fz_page(void *arg, uint64_t gpa, int *errp)
{
	const struct fz_space *fs = arg;
	uint64_t gfn = gpa >> 12;
	unsigned i;

	FUZZ_ASSERT((gpa & 4095) == 0);
	if (fs->fs_alias)
		gfn %= FZ_HOLES_END;
	if (gfn >= fs->fs_limit) {
		*errp = EFAULT;
		return (NULL);
	}
	if (gfn < FZ_FRAMES)
		return (fz_mem[gfn]);
	if (gfn < FZ_HOLES_END) {
		*errp = ENXIO;
		return (NULL);
	}
	for (i = 0; i < 512; i++) {
		uint64_t w = (gpa + i * 8) * 0x9E3779B97F4A7C15ULL;

		memcpy(fz_pattern + i * 8, &w, 8);
	}
	return (fz_pattern);
}

static int
fz_read(void *arg, uint64_t gpa, void *buf, size_t len)
{
	const unsigned char *p;
	int err = 0;

	FUZZ_ASSERT(len > 0 && (gpa & 4095) + len <= 4096);
	if ((p = fz_page(arg, gpa & ~4095ULL, &err)) == NULL)
		return (err);
	memcpy(buf, p + (gpa & 4095), len);
	return (0);
}

static bool
fz_same_walk(const struct x86_walk *a, const struct x86_walk *b)
{
	unsigned i;

	if (a->xw_fault != b->xw_fault || a->xw_nlevels != b->xw_nlevels ||
	    a->xw_fault_level != b->xw_fault_level ||
	    a->xw_errno != b->xw_errno || a->xw_fault_gpa != b->xw_fault_gpa ||
	    a->xw_recursive != b->xw_recursive)
		return (false);
	for (i = 0; i < a->xw_nlevels; i++) {
		if (a->xw_levels[i].wl_level != b->xw_levels[i].wl_level ||
		    a->xw_levels[i].wl_entry_gpa !=
		    b->xw_levels[i].wl_entry_gpa ||
		    a->xw_levels[i].wl_entry != b->xw_levels[i].wl_entry)
			return (false);
	}
	return (a->xw_fault != X86_FAULT_NONE || (a->xw_pa == b->xw_pa &&
	    a->xw_page_size == b->xw_page_size &&
	    a->xw_flags == b->xw_flags));
}

/* Physical address bits a successful translation can have. */
static unsigned
fz_phys_bits(const struct x86_paging *xp, uint64_t size)
{
	if (xp->xp_mode == X86_PAGING_NONE)
		return (32);
	if (xp->xp_mode == X86_PAGING_32)
		return (size == (1ULL << 22) ? (xp->xp_maxphyaddr < 40 ?
		    xp->xp_maxphyaddr : 40) : 32);
	return (xp->xp_maxphyaddr);
}

static bool
fz_size_ok(const struct x86_paging *xp, uint64_t size)
{
	switch (xp->xp_mode) {
	case X86_PAGING_NONE:
		return (size == 4096);
	case X86_PAGING_32:
		return (size == 4096 || (xp->xp_pse && size == 1ULL << 22));
	case X86_PAGING_PAE:
		return (size == 4096 || size == 1ULL << 21);
	default:
		return (size == 4096 || size == 1ULL << 21 ||
		    (xp->xp_page1g && size == 1ULL << 30));
	}
}

static void
fz_check_walk(const struct x86_paging *xp, const struct x86_physread *pr,
    const struct x86_walk *w)
{
	uint64_t va = w->xw_va, e;
	unsigned i, last;

	FUZZ_ASSERT(w->xw_nlevels <= xp->xp_levels);
	for (i = 0; i < w->xw_nlevels; i++) {
		const struct x86_walk_level *wl = &w->xw_levels[i];

		FUZZ_ASSERT(wl->wl_level == xp->xp_levels - i);
		e = 0;
		FUZZ_ASSERT(fz_read(pr->pr_arg, wl->wl_entry_gpa, &e,
		    xp->xp_entry_size) == 0);
		if (xp->xp_entry_size == 4)
			e &= 0xffffffffULL;
		FUZZ_ASSERT(e == wl->wl_entry);
	}
	last = w->xw_nlevels == 0 ? 0 : w->xw_levels[w->xw_nlevels - 1].wl_level;
	switch (w->xw_fault) {
	case X86_FAULT_NONE:
		FUZZ_ASSERT(fz_size_ok(xp, w->xw_page_size));
		FUZZ_ASSERT(((w->xw_pa ^ va) & (w->xw_page_size - 1)) == 0);
		FUZZ_ASSERT(w->xw_pa >> fz_phys_bits(xp, w->xw_page_size) ==
		    0);
		FUZZ_ASSERT((w->xw_flags & X86_XLATE_P) != 0);
		FUZZ_ASSERT((w->xw_flags & X86_XLATE_NX) == 0 || (xp->xp_nxe &&
		    xp->xp_mode >= X86_PAGING_PAE));
		FUZZ_ASSERT(xp->xp_levels == 0 || w->xw_page_size ==
		    1ULL << (12 + (last - 1) * xp->xp_level_bits));
		fz_stats.deep += w->xw_nlevels >= 4;
		fz_stats.large += w->xw_page_size > 4096;
		break;
	case X86_FAULT_NOT_PRESENT:
		FUZZ_ASSERT(w->xw_nlevels > 0 && last == w->xw_fault_level);
		FUZZ_ASSERT((w->xw_levels[w->xw_nlevels - 1].wl_entry &
		    X86_PTE_P) == 0);
		break;
	case X86_FAULT_RESERVED:
		FUZZ_ASSERT(w->xw_nlevels > 0 && last == w->xw_fault_level);
		break;
	case X86_FAULT_TABLE_UNREADABLE:
		FUZZ_ASSERT(w->xw_errno == ENXIO || w->xw_errno == EFAULT);
		FUZZ_ASSERT(w->xw_fault_level == (w->xw_nlevels == 0 ?
		    xp->xp_levels : last - 1));
		FUZZ_ASSERT(fz_read(pr->pr_arg, w->xw_fault_gpa, &e,
		    xp->xp_entry_size) == w->xw_errno);
		break;
	case X86_FAULT_NONCANONICAL:
	case X86_FAULT_RANGE:
	case X86_FAULT_BAD_ROOT:
		FUZZ_ASSERT(w->xw_nlevels == 0);
		break;
	default:
		FUZZ_ASSERT(!"a walk cannot fail on data");
	}
	fz_stats.faults[w->xw_fault]++;
	fz_stats.recursive += w->xw_recursive;
}

struct fz_enum {
	const struct x86_paging *fe_xp;
	const struct x86_physread *fe_pr;
	uint64_t	fe_root;
	uint64_t	fe_prev_end;	/* index space: one past the last */
	unsigned	fe_n;
};

static int
fz_enum_cb(void *arg, const struct x86_mapping *m)
{
	struct fz_enum *fe = arg;
	uint64_t idx = m->xm_va & ((1ULL << fe->fe_xp->xp_va_bits) - 1);
	struct x86_walk w;

	FUZZ_ASSERT(fz_size_ok(fe->fe_xp, m->xm_size));
	FUZZ_ASSERT((m->xm_va & (m->xm_size - 1)) == 0);
	FUZZ_ASSERT(fe->fe_n == 0 || idx >= fe->fe_prev_end);
	fe->fe_prev_end = idx + m->xm_size;
	if (fe->fe_n++ < 32) {
		FUZZ_ASSERT(x86_walk_va(fe->fe_xp, fe->fe_pr, fe->fe_root,
		    m->xm_va, &w) == X86_FAULT_NONE);
		FUZZ_ASSERT(w.xw_pa == m->xm_pa && w.xw_page_size ==
		    m->xm_size && w.xw_flags == m->xm_flags);
		FUZZ_ASSERT(w.xw_levels[w.xw_nlevels - 1].wl_entry ==
		    m->xm_entry);
	}
	return (0);
}

/* Check a virtual read against page-by-page walks and physical reads. */
static void
fz_check_read(const struct x86_paging *xp, const struct x86_physread *pr,
    struct x86_tlb *tlb, uint64_t root, uint64_t va, size_t len)
{
	unsigned char page[4096];
	struct x86_walk why, w;
	size_t n, done = 0;

	n = x86_vread(xp, pr, tlb, root, va, fz_buf, len, &why);
	FUZZ_ASSERT(n <= len);
	FUZZ_ASSERT((n == len) == (why.xw_fault == X86_FAULT_NONE));
	if (n < len) {
		FUZZ_ASSERT(why.xw_va == va + n);
		fz_stats.partial_reads++;
	}
	while (done < n) {
		uint64_t cur = va + done;
		size_t chunk = 4096 - (cur & 4095);

		if (chunk > n - done)
			chunk = n - done;
		FUZZ_ASSERT(x86_walk_va(xp, pr, root, cur, &w) ==
		    X86_FAULT_NONE);
		FUZZ_ASSERT(fz_read(pr->pr_arg, w.xw_pa & ~4095ULL, page,
		    4096) == 0);
		FUZZ_ASSERT(memcmp(fz_buf + done, page + (w.xw_pa & 4095),
		    chunk) == 0);
		done += chunk;
	}
}

static uint64_t
fz_canonical(const struct x86_paging *xp, uint64_t va)
{
	unsigned drop = 64 - xp->xp_va_bits;

	if (xp->xp_va_bits == 32)
		return (va & 0xffffffffULL);
	return ((uint64_t)((int64_t)(va << drop) >> drop));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct x86_cpu_features cpu = { 0 };
	struct x86_paging xp;
	struct fz_space fs;
	struct x86_physread pr_page, pr_read;
	struct x86_enum_opts opts = { 0 };
	struct x86_enum_stats st;
	struct fz_enum fe;
	struct x86_tlb *tlb;
	uint64_t root, vas[4];
	unsigned opt, i;
	size_t off, len;
	int rv;

	if (size < FZ_HEADER)
		return (0);
	fz_stats.inputs++;
	opt = data[1];
	cpu.xf_maxphyaddr = 32 + data[2] % 21;
	cpu.xf_no_page1g = (opt & FZ_OPT_NO_PAGE1G) != 0;
	FUZZ_ASSERT(x86_paging_init_mode(&xp, (enum x86_paging_mode)
	    (data[0] % 5), (opt & FZ_OPT_PSE) != 0, (opt & FZ_OPT_NXE) != 0,
	    &cpu) == 0);
	fs.fs_limit = 1ULL << (cpu.xf_maxphyaddr - 12);
	fs.fs_alias = (opt & FZ_OPT_ALIAS) != 0;
	pr_page = (struct x86_physread){ .pr_page = fz_page, .pr_arg = &fs };
	pr_read = (struct x86_physread){ .pr_read = fz_read, .pr_arg = &fs };
	root = (uint64_t)(data[3] % FZ_FRAMES) << 12;
	if (xp.xp_mode == X86_PAGING_PAE)
		root += (uint64_t)(data[4] % 128) * 32;
	len = fz_le(data + 5, 2) % (FZ_MAX_READ + 1);

	memset(fz_mem, 0, sizeof (fz_mem));
	for (off = FZ_HEADER; off + FZ_RECORD <= size; off += FZ_RECORD) {
		unsigned frame = data[off] % FZ_FRAMES;
		unsigned slot = (unsigned)fz_le(data + off + 1, 2);
		uint64_t v = fz_le(data + off + 3, 8);

		if (xp.xp_entry_size == 4) {
			uint32_t v32 = (uint32_t)v;

			memcpy(&fz_mem[frame][(slot % 1024) * 4], &v32, 4);
		} else
			memcpy(&fz_mem[frame][(slot % 512) * 8], &v, 8);
	}

	tlb = x86_tlb_create(64);
	FUZZ_ASSERT(tlb != NULL);
	for (i = 0; i < 4; i++) {
		struct x86_walk w1, w2;
		struct x86_xlate xl;
		enum x86_fault f;
		unsigned pass;

		vas[i] = fz_le(data + 8 + 8 * i, 8);
		if ((opt & FZ_OPT_RAW_VA) == 0)
			vas[i] = fz_canonical(&xp, vas[i]);
		(void) x86_walk_va(&xp, &pr_page, root, vas[i], &w1);
		(void) x86_walk_va(&xp, &pr_read, root, vas[i], &w2);
		FUZZ_ASSERT(w1.xw_va == vas[i]);
		FUZZ_ASSERT(fz_same_walk(&w1, &w2));
		fz_check_walk(&xp, &pr_page, &w1);
		/* Twice through the cache: a miss, then (on success) a hit. */
		for (pass = 0; pass < 2; pass++) {
			f = x86_translate(&xp, &pr_page, tlb, root, vas[i], &xl,
			    NULL);
			FUZZ_ASSERT(f == w1.xw_fault);
			FUZZ_ASSERT(f != X86_FAULT_NONE || (xl.xl_pa ==
			    w1.xw_pa && xl.xl_page_size == w1.xw_page_size &&
			    xl.xl_flags == w1.xw_flags));
		}
	}
	fz_check_read(&xp, &pr_page, tlb, root, vas[0], len);
	fz_check_read(&xp, &pr_read, NULL, root, vas[1], len);

	if (xp.xp_levels != 0) {
		opts.xo_budget = ((uint64_t)data[7] + 1) * 64;
		opts.xo_skip_recursive = (opt & FZ_OPT_SKIP_RECURSIVE) != 0;
		memset(&fe, 0, sizeof (fe));
		fe.fe_xp = &xp;
		fe.fe_pr = &pr_page;
		fe.fe_root = root;
		rv = x86_enum(&xp, &pr_page, root, fz_canonical(&xp, 0),
		    fz_canonical(&xp, ~0ULL), &opts, fz_enum_cb, &fe, &st);
		FUZZ_ASSERT(rv == 0 || rv == ELOOP);
		FUZZ_ASSERT(st.xs_entries <= opts.xo_budget);
		FUZZ_ASSERT(st.xs_mappings == fe.fe_n);
		FUZZ_ASSERT(rv == 0 || st.xs_entries == opts.xo_budget);
		fz_stats.eloop += rv == ELOOP;
		fz_stats.mappings += fe.fe_n;
	}
	x86_tlb_destroy(tlb);
	return (0);
}

/* ---- for the replay driver ---- */

static void
fz_put(uint8_t *p, uint64_t v, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++, v >>= 8)
		p[i] = (uint8_t)v;
}

/*
 * A well-formed table chain for the first address, from the root (frame
 * 0) through frames 1.. to a leaf, with now and then a large page, a
 * reserved bit, a pointer back up, a hole or a missing entry; then a few
 * random records.
 */
size_t
fuzz_generate(uint64_t seed, uint8_t *buf, size_t cap)
{
	static const unsigned levels_of[] = { 0, 2, 3, 4, 5 };
	uint64_t rng = seed * 0x9E3779B97F4A7C15ULL + 1, va, frame_va;
	unsigned mode = 1 + (unsigned)(prng_next(&rng) % 4), levels, level;
	unsigned bits = mode == 1 ? 10 : 9, vabits, m, slot, i, n;
	uint64_t pae_off = 0;
	size_t off = FZ_HEADER;

	if (cap < FZ_HEADER + 16 * FZ_RECORD)
		return (0);
	levels = levels_of[mode];
	vabits = mode == 3 ? 48 : mode == 4 ? 57 : 32;
	memset(buf, 0, FZ_HEADER);
	buf[0] = (uint8_t)mode;
	buf[1] = (uint8_t)(prng_next(&rng) & 0x17);
	if (prng_next(&rng) % 8 == 0)
		buf[1] |= FZ_OPT_ALIAS;
	m = (unsigned)(prng_next(&rng) % 21);
	buf[2] = (uint8_t)m;
	buf[3] = 0;
	buf[4] = (uint8_t)(prng_next(&rng) % 128);
	if (mode == 2)
		pae_off = buf[4] * 32;
	fz_put(buf + 5, prng_next(&rng), 2);
	buf[7] = (uint8_t)prng_next(&rng);
	va = prng_next(&rng) & ((1ULL << vabits) - 1) & ~4095ULL;
	for (i = 0; i < 4; i++) {
		frame_va = i == 0 ? va : i < 3 ?
		    va + (prng_next(&rng) % 8) * 4096 :
		    prng_next(&rng);
		fz_put(buf + 8 + 8 * i, frame_va + (prng_next(&rng) & 4095), 8);
	}

	for (level = levels; level >= 1; level--) {
		unsigned shift = 12 + (level - 1) * bits;
		unsigned ibits = level == levels ? vabits - shift : bits;
		uint64_t e = 1 | 2 | 4, r = prng_next(&rng);
		unsigned frame = levels - level;

		slot = (unsigned)((va >> shift) & ((1ULL << ibits) - 1));
		if (level == levels)
			slot += (unsigned)(pae_off / 8);
		if (mode == 2 && level == 3)
			e = 1;
		if (level == 1 || (level <= 3 && r % 5 == 0 && !(mode == 2 &&
		    level == 3) && !(mode == 1 && level != 2))) {
			/* The leaf: data in a frame, a pattern, or a hole. */
			e |= level > 1 ? X86_PTE_PS : 0;
			e |= (r >> 8) % 3 == 0 ? (uint64_t)(5 + r % 3) << 12 :
			    (r >> 8) % 3 == 1 ? ((r >> 16) & 0xffff) << 21 :
			    (uint64_t)9 << 12;
			if (level > 1)
				e &= ~((1ULL << shift) - 1) | 0xfff;
			level = 1;
		} else
			e |= (uint64_t)(frame + 1) << 12;
		if (r % 11 == 0)
			e = (e & ~0xfffULL) | 1;	/* back to the root */
		if (r % 13 == 0)
			e |= 1ULL << (32 + r % 32);	/* maybe reserved */
		if (r % 17 == 0)
			e &= ~1ULL;			/* not present */
		if (r % 19 == 0)
			e |= X86_PTE_NX;
		buf[off] = (uint8_t)frame;
		fz_put(buf + off + 1, slot, 2);
		fz_put(buf + off + 3, e, 8);
		off += FZ_RECORD;
	}
	n = (unsigned)(prng_next(&rng) % 8);
	for (i = 0; i < n && off + FZ_RECORD <= cap; i++) {
		uint64_t r = prng_next(&rng);

		buf[off] = (uint8_t)(r % FZ_FRAMES);
		fz_put(buf + off + 1, r >> 8, 2);
		fz_put(buf + off + 3, r % 3 == 0 ? prng_next(&rng) :
		    ((r >> 24) % 16) << 12 | (r & 0x1e7) | 1, 8);
		off += FZ_RECORD;
	}
	return (off);
}

void
fuzz_report(void)
{
	(void) fprintf(stderr, "x86_walk: %lu inputs; walks: %lu ok (%lu "
	    "through 4+ levels, %lu large pages, %lu recursive), %lu not "
	    "present, %lu reserved, %lu non-canonical, %lu out of range, %lu "
	    "bad root, %lu unreadable tables; %lu partial reads; %lu "
	    "mappings enumerated, %lu budgets ran out\n", fz_stats.inputs,
	    fz_stats.faults[X86_FAULT_NONE], fz_stats.deep, fz_stats.large,
	    fz_stats.recursive, fz_stats.faults[X86_FAULT_NOT_PRESENT],
	    fz_stats.faults[X86_FAULT_RESERVED],
	    fz_stats.faults[X86_FAULT_NONCANONICAL],
	    fz_stats.faults[X86_FAULT_RANGE],
	    fz_stats.faults[X86_FAULT_BAD_ROOT],
	    fz_stats.faults[X86_FAULT_TABLE_UNREADABLE],
	    fz_stats.partial_reads, fz_stats.mappings, fz_stats.eloop);
}

bool
fuzz_meaningful(void)
{
	return (fz_stats.faults[X86_FAULT_NONE] > 0 && fz_stats.deep > 0 &&
	    fz_stats.large > 0 && fz_stats.recursive > 0 &&
	    fz_stats.faults[X86_FAULT_NOT_PRESENT] > 0 &&
	    fz_stats.faults[X86_FAULT_RESERVED] > 0 &&
	    fz_stats.faults[X86_FAULT_TABLE_UNREADABLE] > 0 &&
	    fz_stats.mappings > 0 && fz_stats.eloop > 0);
}
