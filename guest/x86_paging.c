/*
 * x86_paging.c -- x86 paging modes, the page walker, cached translation,
 * virtual reads and the bounded enumeration (see x86_paging.h for the
 * contract, x86_tlb.h for the cache).
 *
 * One walker serves every mode: a mode is a geometry (levels, entry size,
 * index bits) and, per level, which bits are reserved with and without
 * PS, whether PS ends the walk there and whether the level has R/W and
 * U/S bits.  x86_paging_init_mode computes all of it once, so the walk
 * itself is a loop of at most five reads with a mask test each.
 *
 * Reserved bits (M = MAXPHYADDR, Intel SDM vol. 3 ch. 4):
 *	32-bit	none, but bits 21:(13 + min(M, 40) - 32) of a 4 MiB PDE;
 *		PS of a PDE is ignored without CR4.PSE
 *	PAE	PDPTE: 63:M, 8:7, 2:1 (6:5 too for the CPU, which
 *		loads the four PDPTEs at CR3 load and never sets A or D
 *		in them; QEMU's TCG walks them from memory and sets A, so
 *		images of PAE guests carry it: A and D are let pass);
 *		PDE/PTE: 62:M, 63 without NXE;
 *		2 MiB PDE: 20:13
 *	long	every level: 51:M, 63 without NXE; PML5E/PML4E: PS;
 *		1 GiB PDPTE: 29:13 (PS itself without 1 GiB pages);
 *		2 MiB PDE: 20:13
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "guest/x86_paging.h"
#include "guest/x86_tlb.h"

#define	X86_PAGE_OFFSET	(X86_PAGE_SIZE - 1)

/* Bits hi:lo of a 64-bit word (hi >= lo). */
#define	BITS(hi, lo)	((~0ULL >> (63 - (hi))) & (~0ULL << (lo)))

/* Guest memory is little endian. */
static inline uint64_t
le64_to_host(uint64_t v)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	return (__builtin_bswap64(v));
#else
	return (v);
#endif
}

static inline uint32_t
le32_to_host(uint32_t v)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	return (__builtin_bswap32(v));
#else
	return (v);
#endif
}

const char *
x86_paging_mode_name(enum x86_paging_mode mode)
{
	switch (mode) {
	case X86_PAGING_NONE:
		return ("none");
	case X86_PAGING_32:
		return ("32-bit");
	case X86_PAGING_PAE:
		return ("PAE");
	case X86_PAGING_4LEVEL:
		return ("4-level");
	case X86_PAGING_5LEVEL:
		return ("5-level");
	}
	return ("unknown");
}

const char *
x86_fault_name(enum x86_fault fault)
{
	switch (fault) {
	case X86_FAULT_NONE:
		return ("no fault");
	case X86_FAULT_NOT_PRESENT:
		return ("not present");
	case X86_FAULT_RESERVED:
		return ("reserved bit set");
	case X86_FAULT_NONCANONICAL:
		return ("non-canonical address");
	case X86_FAULT_RANGE:
		return ("beyond the linear address space");
	case X86_FAULT_BAD_ROOT:
		return ("root table beyond the physical address width");
	case X86_FAULT_TABLE_UNREADABLE:
		return ("page-table entry unreadable");
	case X86_FAULT_DATA_UNREADABLE:
		return ("guest physical memory unreadable");
	}
	return ("unknown fault");
}

int
x86_paging_init_mode(struct x86_paging *xp, enum x86_paging_mode mode,
    bool pse, bool nxe, const struct x86_cpu_features *cpu)
{
	unsigned m = cpu != NULL && cpu->xf_maxphyaddr != 0 ?
	    cpu->xf_maxphyaddr : 52;
	bool page1g = cpu == NULL || !cpu->xf_no_page1g;
	uint64_t nx_rsvd, above_m;
	unsigned level;

	if (m < 32 || m > 52)
		return (EINVAL);
	memset(xp, 0, sizeof (*xp));
	xp->xp_mode = mode;
	xp->xp_maxphyaddr = m;
	xp->xp_page1g = page1g;
	nx_rsvd = nxe ? 0 : X86_PTE_NX;
	switch (mode) {
	case X86_PAGING_NONE:
		xp->xp_va_bits = 32;
		break;
	case X86_PAGING_32:
		xp->xp_pse = pse;
		xp->xp_levels = 2;
		xp->xp_va_bits = 32;
		xp->xp_entry_size = 4;
		xp->xp_level_bits = 10;
		xp->xp_addr_mask = BITS(31, 12);
		xp->xp_root_mask = BITS(31, 12);
		/* PSE-36: PA bits (M' - 1):32 in PDE bits (M' - 20):13. */
		xp->xp_pse36_bits = (m < 40 ? m : 40) - 32;
		xp->xp_rsvd[2][1] = BITS(21, 13 + xp->xp_pse36_bits);
		xp->xp_ps_ok[2] = pse;
		xp->xp_has_wu[1] = xp->xp_has_wu[2] = true;
		break;
	case X86_PAGING_PAE:
		xp->xp_nxe = nxe;
		xp->xp_levels = 3;
		xp->xp_va_bits = 32;
		xp->xp_entry_size = 8;
		xp->xp_level_bits = 9;
		xp->xp_addr_mask = BITS(m - 1, 12);
		xp->xp_root_mask = BITS(31, 5);
		above_m = BITS(62, m);
		xp->xp_rsvd[3][0] = xp->xp_rsvd[3][1] = BITS(63, m) |
		    BITS(8, 7) | BITS(2, 1);
		xp->xp_rsvd[2][0] = above_m | nx_rsvd;
		xp->xp_rsvd[2][1] = above_m | nx_rsvd | BITS(20, 13);
		xp->xp_rsvd[1][0] = above_m | nx_rsvd;
		xp->xp_ps_ok[2] = true;
		xp->xp_has_wu[1] = xp->xp_has_wu[2] = true;
		break;
	case X86_PAGING_4LEVEL:
	case X86_PAGING_5LEVEL:
		xp->xp_nxe = nxe;
		xp->xp_levels = mode == X86_PAGING_5LEVEL ? 5 : 4;
		xp->xp_va_bits = mode == X86_PAGING_5LEVEL ? 57 : 48;
		xp->xp_entry_size = 8;
		xp->xp_level_bits = 9;
		xp->xp_addr_mask = BITS(m - 1, 12);
		xp->xp_root_mask = BITS(m - 1, 12);
		above_m = m < 52 ? BITS(51, m) : 0;
		for (level = 1; level <= xp->xp_levels; level++) {
			xp->xp_rsvd[level][0] = above_m | nx_rsvd;
			xp->xp_has_wu[level] = true;
		}
		for (level = 4; level <= xp->xp_levels; level++)
			xp->xp_rsvd[level][0] |= X86_PTE_PS;
		xp->xp_rsvd[3][1] = above_m | nx_rsvd | BITS(29, 13);
		xp->xp_ps_ok[3] = page1g;
		if (!page1g)
			xp->xp_rsvd[3][0] |= X86_PTE_PS;
		xp->xp_rsvd[2][1] = above_m | nx_rsvd | BITS(20, 13);
		xp->xp_ps_ok[2] = true;
		break;
	default:
		return (EINVAL);
	}
	/* Roots are at least 32-byte aligned: the options fit below. */
	xp->xp_cache_tag = (uint64_t)mode | (uint64_t)xp->xp_nxe << 3 |
	    (uint64_t)xp->xp_pse << 4;
	return (0);
}

int
x86_paging_init(struct x86_paging *xp, uint64_t cr0, uint64_t cr4,
    uint64_t efer, const struct x86_cpu_features *cpu)
{
	bool pg = (cr0 & X86_CR0_PG) != 0;
	bool pae = (cr4 & X86_CR4_PAE) != 0;
	bool lma = (efer & X86_EFER_LMA) != 0;
	bool lme = (efer & X86_EFER_LME) != 0;
	bool nxe = (efer & X86_EFER_NXE) != 0;
	bool pse = (cr4 & X86_CR4_PSE) != 0;
	enum x86_paging_mode mode;

	if (lma && !pg)
		return (EINVAL);	/* LMA is PG && LME */
	if (!pg)
		mode = X86_PAGING_NONE;
	else if (lma || lme) {
		if (!pae)
			return (EINVAL);	/* the CPU refuses this */
		mode = (cr4 & X86_CR4_LA57) != 0 ? X86_PAGING_5LEVEL :
		    X86_PAGING_4LEVEL;
	} else if (pae)
		mode = X86_PAGING_PAE;	/* LA57 means nothing outside long mode */
	else
		mode = X86_PAGING_32;
	return (x86_paging_init_mode(xp, mode, pse, nxe, cpu));
}

uint64_t
x86_paging_root(const struct x86_paging *xp, uint64_t cr3)
{
	return (cr3 & xp->xp_root_mask);
}

bool
x86_va_valid(const struct x86_paging *xp, uint64_t va, enum x86_fault *why)
{
	unsigned drop;

	if (xp->xp_va_bits == 32) {
		if (va >> 32 != 0) {
			*why = X86_FAULT_RANGE;
			return (false);
		}
		return (true);
	}
	drop = 64 - xp->xp_va_bits;
	if ((uint64_t)((int64_t)(va << drop) >> drop) != va) {
		*why = X86_FAULT_NONCANONICAL;
		return (false);
	}
	return (true);
}

/* Sign-extend an index-space address to a canonical one. */
static inline uint64_t
x86_canonical(const struct x86_paging *xp, uint64_t va)
{
	unsigned drop = 64 - xp->xp_va_bits;

	if (xp->xp_va_bits == 32)
		return (va);
	return ((uint64_t)((int64_t)(va << drop) >> drop));
}

/* Bit position of the lowest address bit the level's index covers. */
static inline unsigned
x86_level_shift(const struct x86_paging *xp, unsigned level)
{
	return (X86_PAGE_SHIFT + (level - 1) * xp->xp_level_bits);
}

static inline uint64_t
x86_level_index(const struct x86_paging *xp, unsigned level, uint64_t va)
{
	unsigned shift = x86_level_shift(xp, level);
	unsigned bits = level == xp->xp_levels ? xp->xp_va_bits - shift :
	    xp->xp_level_bits;

	return ((va >> shift) & ((1ULL << bits) - 1));
}

/*
 * Read the entry at gpa exactly once (a single load from the provider's
 * page, so a guest writing it concurrently gives the old value or the
 * new, never a mix).  0 or the provider's errno.
 */
static int
x86_read_entry(const struct x86_paging *xp, const struct x86_physread *pr,
    uint64_t gpa, uint64_t *ep)
{
	unsigned char buf[8];
	int err = 0;

	if (pr->pr_page != NULL) {
		const unsigned char *page;

		page = pr->pr_page(pr->pr_arg, gpa & ~X86_PAGE_OFFSET, &err);
		if (page == NULL)
			return (err > 0 ? err : EIO);
		page += gpa & X86_PAGE_OFFSET;
		if (xp->xp_entry_size == 8)
			*ep = le64_to_host(*(const volatile uint64_t *)
			    (const void *)page);
		else
			*ep = le32_to_host(*(const volatile uint32_t *)
			    (const void *)page);
		return (0);
	}
	if ((err = pr->pr_read(pr->pr_arg, gpa, buf, xp->xp_entry_size)) != 0)
		return (err > 0 ? err : EIO);
	if (xp->xp_entry_size == 8) {
		uint64_t v;

		memcpy(&v, buf, 8);
		*ep = le64_to_host(v);
	} else {
		uint32_t v;

		memcpy(&v, buf, 4);
		*ep = le32_to_host(v);
	}
	return (0);
}

/* Copy len bytes at gpa (within one 4 KiB page); 0 or an errno. */
static int
x86_read_data(const struct x86_physread *pr, uint64_t gpa, void *buf,
    size_t len)
{
	int err = 0;

	if (pr->pr_page != NULL) {
		const unsigned char *page;

		page = pr->pr_page(pr->pr_arg, gpa & ~X86_PAGE_OFFSET, &err);
		if (page == NULL)
			return (err > 0 ? err : EIO);
		memcpy(buf, page + (gpa & X86_PAGE_OFFSET), len);
		return (0);
	}
	err = pr->pr_read(pr->pr_arg, gpa, buf, len);
	return (err == 0 ? 0 : err > 0 ? err : EIO);
}

/* The physical base of the page a leaf entry at level maps. */
static inline uint64_t
x86_leaf_base(const struct x86_paging *xp, unsigned level, uint64_t e,
    uint64_t size)
{
	if (xp->xp_mode == X86_PAGING_32) {
		if (level == 1)
			return (e & BITS(31, 12));
		return ((e & BITS(31, 22)) | ((e >> 13) &
		    ((1ULL << xp->xp_pse36_bits) - 1)) << 32);
	}
	return (e & xp->xp_addr_mask & ~(size - 1));
}

/* Fold one entry's R/W, U/S and XD into the flags above it. */
static inline unsigned
x86_combine(const struct x86_paging *xp, unsigned level, uint64_t e,
    unsigned flags)
{
	if (xp->xp_has_wu[level]) {
		if ((e & X86_PTE_W) == 0)
			flags &= ~X86_XLATE_W;
		if ((e & X86_PTE_U) == 0)
			flags &= ~X86_XLATE_U;
	}
	if (xp->xp_nxe && (e & X86_PTE_NX) != 0)
		flags |= X86_XLATE_NX;
	return (flags);
}

static enum x86_fault
x86_walk_fault(struct x86_walk *w, enum x86_fault fault, unsigned level)
{
	w->xw_fault = fault;
	w->xw_fault_level = level;
	return (fault);
}

enum x86_fault
x86_walk_va(const struct x86_paging *xp, const struct x86_physread *pr,
    uint64_t root, uint64_t va, struct x86_walk *w)
{
	uint64_t tables[X86_MAX_LEVELS];
	unsigned flags = X86_XLATE_P | X86_XLATE_W | X86_XLATE_U;
	uint64_t table = root;
	enum x86_fault why;
	unsigned level, i;

	memset(w, 0, sizeof (*w));
	w->xw_va = va;
	if (!x86_va_valid(xp, va, &why))
		return (x86_walk_fault(w, why, 0));
	if (xp->xp_levels == 0) {
		w->xw_pa = va;
		w->xw_page_size = X86_PAGE_SIZE;
		w->xw_flags = flags;
		return (X86_FAULT_NONE);
	}
	if ((root & ~xp->xp_root_mask) != 0)
		return (x86_walk_fault(w, X86_FAULT_BAD_ROOT, xp->xp_levels));

	/* At most xp_levels iterations: the walk cannot loop. */
	for (level = xp->xp_levels; level >= 1; level--) {
		struct x86_walk_level *wl = &w->xw_levels[w->xw_nlevels];
		uint64_t gpa, e, size;
		bool ps;
		int err;

		gpa = table + x86_level_index(xp, level, va) *
		    xp->xp_entry_size;
		if ((err = x86_read_entry(xp, pr, gpa, &e)) != 0) {
			w->xw_fault_gpa = gpa;
			w->xw_errno = err;
			return (x86_walk_fault(w, X86_FAULT_TABLE_UNREADABLE,
			    level));
		}
		tables[w->xw_nlevels++] = table;
		wl->wl_level = level;
		wl->wl_entry_gpa = gpa;
		wl->wl_entry = e;
		if ((e & X86_PTE_P) == 0)
			return (x86_walk_fault(w, X86_FAULT_NOT_PRESENT,
			    level));
		ps = xp->xp_ps_ok[level] && (e & X86_PTE_PS) != 0;
		if ((e & xp->xp_rsvd[level][ps]) != 0)
			return (x86_walk_fault(w, X86_FAULT_RESERVED, level));
		flags = x86_combine(xp, level, e, flags);
		if (level == 1 || ps) {
			size = 1ULL << x86_level_shift(xp, level);
			w->xw_page_size = size;
			w->xw_pa = x86_leaf_base(xp, level, e, size) |
			    (va & (size - 1));
			w->xw_flags = flags;
			return (X86_FAULT_NONE);
		}
		table = e & xp->xp_addr_mask;
		for (i = 0; i < w->xw_nlevels; i++) {
			if (tables[i] == table)
				w->xw_recursive = true;
		}
	}
	/* Not reached: level 1 always ends the walk. */
	return (x86_walk_fault(w, X86_FAULT_NOT_PRESENT, 1));
}

static inline enum x86_tlb_class
x86_size_class(uint64_t size)
{
	switch (size) {
	case 1ULL << 21:
		return (X86_TLB_2M);
	case 1ULL << 22:
		return (X86_TLB_4M);
	case 1ULL << 30:
		return (X86_TLB_1G);
	default:
		return (X86_TLB_4K);
	}
}

/* Probe the cache for va in every page size the mode has. */
static inline bool
x86_tlb_lookup(const struct x86_paging *xp, struct x86_tlb *tlb,
    uint64_t gen, uint64_t tag, uint64_t va, struct x86_xlate *xl)
{
	uint64_t val, size;

	if (x86_tlb_probe(tlb, gen, tag, x86_tlb_vkey(va, 12, X86_TLB_4K),
	    &val))
		size = 1ULL << 12;
	else if (xp->xp_mode == X86_PAGING_32) {
		if (!xp->xp_pse || !x86_tlb_probe(tlb, gen, tag,
		    x86_tlb_vkey(va, 22, X86_TLB_4M), &val))
			return (false);
		size = 1ULL << 22;
	} else if (x86_tlb_probe(tlb, gen, tag,
	    x86_tlb_vkey(va, 21, X86_TLB_2M), &val))
		size = 1ULL << 21;
	else if (xp->xp_page1g && xp->xp_levels >= 4 && x86_tlb_probe(tlb,
	    gen, tag, x86_tlb_vkey(va, 30, X86_TLB_1G), &val))
		size = 1ULL << 30;
	else
		return (false);
	xl->xl_pa = (val & ~X86_PAGE_OFFSET) | (va & (size - 1));
	xl->xl_page_size = size;
	xl->xl_flags = (unsigned)(val & X86_PAGE_OFFSET);
	return (true);
}

enum x86_fault
x86_translate(const struct x86_paging *xp, const struct x86_physread *pr,
    struct x86_tlb *tlb, uint64_t root, uint64_t va, struct x86_xlate *xl,
    struct x86_walk *w)
{
	struct x86_walk local;
	uint64_t gen = 0, tag = 0, size;
	bool cached;

	/*
	 * A root with stray bits is never looked up: its tag could alias
	 * another root's.  The walk below reports it.
	 */
	cached = tlb != NULL && xp->xp_levels != 0 &&
	    (root & ~xp->xp_root_mask) == 0;
	if (cached) {
		tag = root | xp->xp_cache_tag;
		gen = x86_tlb_generation(tlb);
		if (x86_tlb_lookup(xp, tlb, gen, tag, va, xl))
			return (X86_FAULT_NONE);
	}
	if (w == NULL)
		w = &local;
	if (x86_walk_va(xp, pr, root, va, w) != X86_FAULT_NONE)
		return (w->xw_fault);
	size = w->xw_page_size;
	xl->xl_pa = w->xw_pa;
	xl->xl_page_size = size;
	xl->xl_flags = w->xw_flags;
	if (cached) {
		unsigned shift = (unsigned)__builtin_ctzll(size);

		x86_tlb_fill(tlb, gen, tag,
		    x86_tlb_vkey(va, shift, x86_size_class(size)),
		    (w->xw_pa & ~(size - 1)) | w->xw_flags);
	}
	return (X86_FAULT_NONE);
}

size_t
x86_vread(const struct x86_paging *xp, const struct x86_physread *pr,
    struct x86_tlb *tlb, uint64_t root, uint64_t va, void *buf, size_t len,
    struct x86_walk *why)
{
	struct x86_walk local;
	struct x86_walk *w = why != NULL ? why : &local;
	unsigned char *out = buf;
	size_t done = 0;

	memset(w, 0, sizeof (*w));
	while (done < len) {
		uint64_t cur = va + done;
		struct x86_xlate xl;
		size_t chunk;
		int err;

		if (cur < va) {
			/* Wrapped past the top of the 64-bit space. */
			memset(w, 0, sizeof (*w));
			w->xw_va = cur;
			(void) x86_walk_fault(w, X86_FAULT_RANGE, 0);
			break;
		}
		if (x86_translate(xp, pr, tlb, root, cur, &xl, w) !=
		    X86_FAULT_NONE)
			break;
		chunk = X86_PAGE_SIZE - (xl.xl_pa & X86_PAGE_OFFSET);
		if (chunk > len - done)
			chunk = len - done;
		if ((err = x86_read_data(pr, xl.xl_pa, out + done, chunk)) !=
		    0) {
			memset(w, 0, sizeof (*w));
			w->xw_va = cur;
			w->xw_pa = xl.xl_pa;
			w->xw_page_size = xl.xl_page_size;
			w->xw_flags = xl.xl_flags;
			w->xw_fault_gpa = xl.xl_pa;
			w->xw_errno = err;
			(void) x86_walk_fault(w, X86_FAULT_DATA_UNREADABLE, 0);
			break;
		}
		done += chunk;
	}
	if (done == len)
		w->xw_fault = X86_FAULT_NONE;
	return (done);
}

/* One level of the enumeration's explicit stack. */
struct x86_enum_frame {
	uint64_t	ef_table;
	uint64_t	ef_base;	/* index-space address of entry 0 */
	uint64_t	ef_idx;		/* next entry */
	uint64_t	ef_last;	/* last entry to visit */
	unsigned	ef_flags;	/* combined from the levels above */
};

int
x86_enum(const struct x86_paging *xp, const struct x86_physread *pr,
    uint64_t root, uint64_t start, uint64_t last,
    const struct x86_enum_opts *opts, x86_enum_cb *cb, void *arg,
    struct x86_enum_stats *stats)
{
	struct x86_enum_frame st[X86_MAX_LEVELS + 1];
	struct x86_enum_stats local;
	uint64_t budget = X86_ENUM_DEFAULT_BUDGET, lo, hi, vmask;
	bool skip_recursive = false;
	unsigned top = xp->xp_levels, level, i;
	enum x86_fault why;
	int rv = 0;

	if (stats == NULL)
		stats = &local;
	memset(stats, 0, sizeof (*stats));
	if (top == 0 || !x86_va_valid(xp, start, &why) ||
	    !x86_va_valid(xp, last, &why) || start > last ||
	    (root & ~xp->xp_root_mask) != 0)
		return (EINVAL);
	if (opts != NULL) {
		if (opts->xo_budget != 0)
			budget = opts->xo_budget;
		skip_recursive = opts->xo_skip_recursive;
	}
	vmask = (1ULL << xp->xp_va_bits) - 1;
	lo = start & vmask;
	hi = last & vmask;

	st[top].ef_table = root;
	st[top].ef_base = 0;
	st[top].ef_idx = x86_level_index(xp, top, lo);
	st[top].ef_last = x86_level_index(xp, top, hi);
	st[top].ef_flags = X86_XLATE_P | X86_XLATE_W | X86_XLATE_U;
	level = top;
	for (;;) {
		struct x86_enum_frame *f = &st[level], *c;
		unsigned shift = x86_level_shift(xp, level), flags;
		uint64_t span = 1ULL << shift, ent_va, gpa, e, next;
		bool ps, loop;

		if (f->ef_idx > f->ef_last) {
			if (level == top)
				break;
			st[++level].ef_idx++;
			continue;
		}
		ent_va = f->ef_base + (f->ef_idx << shift);
		if (stats->xs_entries == budget) {
			stats->xs_stopped_va = x86_canonical(xp, ent_va);
			rv = ELOOP;
			break;
		}
		stats->xs_entries++;
		gpa = f->ef_table + f->ef_idx * xp->xp_entry_size;
		if (x86_read_entry(xp, pr, gpa, &e) != 0) {
			/* A table is one page: the rest fails the same way. */
			stats->xs_unreadable++;
			f->ef_idx = f->ef_last + 1;
			continue;
		}
		if ((e & X86_PTE_P) == 0) {
			f->ef_idx++;
			continue;
		}
		ps = xp->xp_ps_ok[level] && (e & X86_PTE_PS) != 0;
		if ((e & xp->xp_rsvd[level][ps]) != 0) {
			stats->xs_reserved++;
			f->ef_idx++;
			continue;
		}
		flags = x86_combine(xp, level, e, f->ef_flags);
		if (level == 1 || ps) {
			struct x86_mapping m = {
				.xm_va = x86_canonical(xp, ent_va),
				.xm_pa = x86_leaf_base(xp, level, e, span),
				.xm_size = span,
				.xm_flags = flags,
				.xm_level = level,
				.xm_entry_gpa = gpa,
				.xm_entry = e
			};

			stats->xs_mappings++;
			if ((rv = cb(arg, &m)) != 0)
				break;
			f->ef_idx++;
			continue;
		}
		next = e & xp->xp_addr_mask;
		loop = false;
		for (i = level; i <= top; i++)
			loop |= st[i].ef_table == next;
		if (loop && skip_recursive) {
			stats->xs_recursive++;
			f->ef_idx++;
			continue;
		}
		c = &st[level - 1];
		c->ef_table = next;
		c->ef_base = ent_va;
		c->ef_flags = flags;
		c->ef_idx = ent_va <= lo ? x86_level_index(xp, level - 1, lo) :
		    0;
		c->ef_last = hi - ent_va < span ?
		    x86_level_index(xp, level - 1, hi) :
		    (1ULL << xp->xp_level_bits) - 1;
		level--;
	}
	return (rv);
}
