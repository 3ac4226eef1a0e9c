/*
 * guest/x86_paging.h -- x86 guest paging: the mode, one-address walks,
 * cached translation, virtual reads and a bounded enumeration of a page
 * table's mappings.
 *
 * Modes: no paging (CR0.PG clear), 32-bit (4 KiB pages, 4 MiB pages with
 * CR4.PSE, PSE-36 high address bits), PAE (4 KiB, 2 MiB), 4-level and
 * 5-level (LA57) long mode (4 KiB, 2 MiB, 1 GiB).  A walk reports every
 * entry it read (where and what), the physical address, the page size and
 * the effective flags: writable and user are the AND of the R/W and U/S
 * bits of every level that has them, no-execute the OR of the XD bits,
 * honoured only with EFER.NXE (without it bit 63 is a reserved bit).  The
 * flags are the page tables' answer; CR0.WP, SMEP, SMAP and protection
 * keys are the caller's to apply.
 *
 * Guest memory is hostile.  A walk reads at most one entry per level (at
 * most five) and reads each entry exactly once, so a guest changing its
 * tables under us gets a consistent, if stale, answer; every entry is
 * checked for reserved bits before it is followed.  A table that points
 * at itself or at an ancestor is what the CPU sees as a recursive
 * mapping: a one-address walk follows it as the CPU would (and says so in
 * xw_recursive); the enumeration counts every entry it reads against a
 * budget and stops with ELOOP when looping tables would make it run on.
 *
 * Page-table entries and data come through struct x86_physread, so the
 * walker works over any provider (a live guest, an image, the tests'
 * in-memory space).
 *
 * Non-goals: segmentation (addresses here are linear), the PAE PDPTE
 * registers (the four PDPTEs are read from memory at walk time, not from
 * a copy taken at CR3 load), access/dirty bit updates, linear-address
 * masking (LAM), EPT/NPT (guest physical is what the provider takes), and
 * checking an access against the flags.
 *
 * Thread safety: everything here is reentrant; struct x86_paging is
 * read-only after init; a struct x86_tlb may be shared (see x86_tlb.h).
 * Concurrent calls on one struct x86_physread are made only if the
 * provider allows them.
 */
#ifndef PORTHOLE_GUEST_X86_PAGING_H
#define PORTHOLE_GUEST_X86_PAGING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct x86_tlb;

/* Control-register and EFER bits the paging mode depends on. */
#define	X86_CR0_PG	(1ULL << 31)
#define	X86_CR4_PSE	(1ULL << 4)
#define	X86_CR4_PAE	(1ULL << 5)
#define	X86_CR4_LA57	(1ULL << 12)
#define	X86_EFER_LME	(1ULL << 8)
#define	X86_EFER_LMA	(1ULL << 10)
#define	X86_EFER_NXE	(1ULL << 11)

/* Paging-structure entry bits. */
#define	X86_PTE_P	(1ULL << 0)
#define	X86_PTE_W	(1ULL << 1)
#define	X86_PTE_U	(1ULL << 2)
#define	X86_PTE_PWT	(1ULL << 3)
#define	X86_PTE_PCD	(1ULL << 4)
#define	X86_PTE_A	(1ULL << 5)
#define	X86_PTE_D	(1ULL << 6)
#define	X86_PTE_PS	(1ULL << 7)
#define	X86_PTE_G	(1ULL << 8)
#define	X86_PTE_NX	(1ULL << 63)

#define	X86_PAGE_SHIFT	12
#define	X86_PAGE_SIZE	(1ULL << X86_PAGE_SHIFT)
#define	X86_MAX_LEVELS	5

enum x86_paging_mode {
	X86_PAGING_NONE = 0,	/* CR0.PG clear: linear = physical, 32 bits */
	X86_PAGING_32,		/* 2 levels of 4-byte entries */
	X86_PAGING_PAE,		/* 3 levels: 4 PDPTEs, PD, PT */
	X86_PAGING_4LEVEL,	/* long mode, 48-bit linear addresses */
	X86_PAGING_5LEVEL	/* long mode with CR4.LA57, 57 bits */
};

/* What the CPU supports, for the reserved-bit checks (CPUID). */
struct x86_cpu_features {
	unsigned	xf_maxphyaddr;	/* physical address bits; 0: 52 */
	bool		xf_no_page1g;	/* no 1 GiB pages: their PS is reserved */
};

/*
 * A paging context: the mode and what the reserved-bit checks need,
 * precomputed.  Fill it with x86_paging_init or x86_paging_init_mode;
 * read-only afterwards.  Callers may read the fields up to xp_level_bits
 * (what the mode is); the rest is the walker's own.
 */
struct x86_paging {
	enum x86_paging_mode xp_mode;
	bool		xp_pse;		/* 32-bit: 4 MiB pages */
	bool		xp_nxe;		/* XD bits honoured */
	bool		xp_page1g;	/* long mode: 1 GiB pages */
	unsigned	xp_maxphyaddr;
	unsigned	xp_levels;	/* 0 (no paging) to 5 */
	unsigned	xp_va_bits;	/* linear address width */
	unsigned	xp_entry_size;	/* 4 or 8 bytes */
	unsigned	xp_level_bits;	/* index bits below the top level */

	uint64_t	xp_addr_mask;	/* table and 4 KiB frame address */
	uint64_t	xp_root_mask;	/* CR3 bits that hold the root */
	uint64_t	xp_rsvd[X86_MAX_LEVELS + 1][2];	/* [level][PS] */
	bool		xp_ps_ok[X86_MAX_LEVELS + 1];	/* PS ends a walk */
	bool		xp_has_wu[X86_MAX_LEVELS + 1];	/* R/W, U/S bits */
	unsigned	xp_pse36_bits;	/* 32-bit 4 MiB: PA bits above 31 */
	uint64_t	xp_cache_tag;	/* mode and options, for the cache */
};

/*
 * Derive the mode from CR0, CR4 and EFER as the CPU does: CR0.PG clear is
 * no paging; otherwise CR4.PAE clear is 32-bit paging (4 MiB pages with
 * CR4.PSE), EFER.LMA (or LME, which the CPU turns into LMA when paging
 * is on) selects long mode, 5-level with CR4.LA57.  cpu may be NULL (52
 * physical address bits, 1 GiB pages).  Returns 0, or EINVAL for a
 * combination no CPU runs in (long mode without PAE, LMA without PG, a
 * MAXPHYADDR outside 32..52).
 */
int	x86_paging_init(struct x86_paging *xp, uint64_t cr0, uint64_t cr4,
	    uint64_t efer, const struct x86_cpu_features *cpu);

/*
 * The same from a known mode (a Xen PV guest is always 4-level, with
 * NX): pse matters in 32-bit mode only, nxe in PAE and long mode only.
 * Returns 0 or EINVAL.
 */
int	x86_paging_init_mode(struct x86_paging *xp, enum x86_paging_mode mode,
	    bool pse, bool nxe, const struct x86_cpu_features *cpu);

/* The root table's physical address in a CR3 value (PCID etc. dropped). */
uint64_t x86_paging_root(const struct x86_paging *xp, uint64_t cr3);

/* "none", "32-bit", "PAE", "4-level", "5-level". */
const char *x86_paging_mode_name(enum x86_paging_mode mode);

/*
 * Where the walker gets guest physical memory.  Either op may be NULL,
 * not both; page is used when present.
 *
 *	page	A pointer to the 4 KiB guest page at gpa (page aligned), at
 *		least 8-byte aligned, readable until this thread's next
 *		call to this provider; or NULL with *errp set (ENXIO: a
 *		hole, EFAULT: beyond memory, EIO, ...).
 *	read	Copy len bytes at gpa (never crossing a 4 KiB page) into
 *		buf; 0 or an errno as above.
 */
struct x86_physread {
	const void	*(*pr_page)(void *arg, uint64_t gpa, int *errp);
	int		(*pr_read)(void *arg, uint64_t gpa, void *buf,
			    size_t len);
	void		*pr_arg;
};

/* Why a translation or a read stopped. */
enum x86_fault {
	X86_FAULT_NONE = 0,
	X86_FAULT_NOT_PRESENT,		/* an entry with P clear */
	X86_FAULT_RESERVED,		/* an entry with a reserved bit set */
	X86_FAULT_NONCANONICAL,		/* long mode, bits above not a sign */
	X86_FAULT_RANGE,		/* beyond the linear address width */
	X86_FAULT_BAD_ROOT,		/* root beyond the physical width */
	X86_FAULT_TABLE_UNREADABLE,	/* the provider failed on an entry */
	X86_FAULT_DATA_UNREADABLE	/* the provider failed on the data */
};

/* A short phrase for a fault ("not present", ...). */
const char *x86_fault_name(enum x86_fault fault);

/* Effective flags of a translation. */
#define	X86_XLATE_P	0x1u	/* present (every translation that worked) */
#define	X86_XLATE_W	0x2u	/* writable at every level */
#define	X86_XLATE_U	0x4u	/* user at every level */
#define	X86_XLATE_NX	0x8u	/* no-execute at some level (NXE on) */

/* One paging-structure entry a walk read. */
struct x86_walk_level {
	unsigned	wl_level;	/* 5 (PML5) .. 1 (page table) */
	uint64_t	wl_entry_gpa;
	uint64_t	wl_entry;
};

/*
 * The result of walking one address.  xw_levels[0 .. xw_nlevels) are the
 * entries read, top level first, the faulting one included.  On success
 * xw_pa, xw_page_size (4 KiB to 1 GiB) and xw_flags are set; on a fault
 * xw_fault says why, xw_fault_level at which level (0 for the data
 * itself, and for faults of the address), xw_fault_gpa which entry or
 * data address the provider failed on, xw_errno with its errno.
 */
struct x86_walk {
	uint64_t	xw_va;
	uint64_t	xw_pa;
	uint64_t	xw_page_size;
	unsigned	xw_flags;
	enum x86_fault	xw_fault;
	unsigned	xw_fault_level;
	uint64_t	xw_fault_gpa;
	int		xw_errno;
	bool		xw_recursive;	/* a table pointed at one walked above */
	unsigned	xw_nlevels;
	struct x86_walk_level xw_levels[X86_MAX_LEVELS];
};

/*
 * Walk va from the root table at root (see x86_paging_root), uncached.
 * Fills *w and returns w->xw_fault.
 */
enum x86_fault x86_walk_va(const struct x86_paging *xp,
	    const struct x86_physread *pr, uint64_t root, uint64_t va,
	    struct x86_walk *w);

/* A translation: the physical address of va, its page and flags. */
struct x86_xlate {
	uint64_t	xl_pa;
	uint64_t	xl_page_size;
	unsigned	xl_flags;
};

/*
 * Translate va through the cache tlb (NULL: walk every time): a hit
 * costs no read of guest memory, a miss one walk whose success is cached.
 * w (may be NULL) gets the walk when there was one (a miss or a fault).
 * Returns X86_FAULT_NONE with *xl set, or why not.
 */
enum x86_fault x86_translate(const struct x86_paging *xp,
	    const struct x86_physread *pr, struct x86_tlb *tlb,
	    uint64_t root, uint64_t va, struct x86_xlate *xl,
	    struct x86_walk *w);

/*
 * Copy len bytes of the linear range at va into buf, page by page,
 * through tlb (may be NULL).  Returns the bytes copied before the first
 * failure; when that is less than len, why (may be NULL) gets the failing
 * address in xw_va and the reason (the walk of that address, or
 * X86_FAULT_DATA_UNREADABLE with the physical address and errno, or
 * X86_FAULT_RANGE past the end of the linear address space).  why's
 * xw_fault is X86_FAULT_NONE when everything was read.
 */
size_t	x86_vread(const struct x86_paging *xp, const struct x86_physread *pr,
	    struct x86_tlb *tlb, uint64_t root, uint64_t va, void *buf,
	    size_t len, struct x86_walk *why);

/* One mapping the enumeration found. */
struct x86_mapping {
	uint64_t	xm_va;		/* canonical, page aligned */
	uint64_t	xm_pa;
	uint64_t	xm_size;	/* page size */
	unsigned	xm_flags;	/* X86_XLATE_* */
	unsigned	xm_level;	/* level of the leaf entry */
	uint64_t	xm_entry_gpa;
	uint64_t	xm_entry;
};

/* Return 0 to go on, anything else to stop x86_enum with that value. */
typedef int x86_enum_cb(void *arg, const struct x86_mapping *m);

#define	X86_ENUM_DEFAULT_BUDGET	((uint64_t)1 << 24)

/* Options of x86_enum; NULL means the defaults (all zero). */
struct x86_enum_opts {
	uint64_t	xo_budget;	/* entries read at most; 0: default */
	bool		xo_skip_recursive; /* don't follow self-maps */
};

/* What an enumeration went through. */
struct x86_enum_stats {
	uint64_t	xs_entries;	/* entries read */
	uint64_t	xs_mappings;	/* leaves reported */
	uint64_t	xs_reserved;	/* entries skipped: reserved bits */
	uint64_t	xs_unreadable;	/* tables the provider failed on */
	uint64_t	xs_recursive;	/* self-maps skipped */
	uint64_t	xs_stopped_va;	/* ELOOP: where it stopped */
};

/*
 * Report, in ascending order, every leaf whose page overlaps [start,
 * last] (canonical linear addresses, last inclusive): cb gets each one as
 * the CPU would translate it.  Entries with reserved bits, and tables
 * the provider fails on, are skipped and counted.  Returns 0; EINVAL (a bad
 * range, or no paging); ELOOP when the budget ran out first
 * (stats->xs_stopped_va says where); or cb's non-zero value.  stats may
 * be NULL.
 */
int	x86_enum(const struct x86_paging *xp, const struct x86_physread *pr,
	    uint64_t root, uint64_t start, uint64_t last,
	    const struct x86_enum_opts *opts, x86_enum_cb *cb, void *arg,
	    struct x86_enum_stats *stats);

/* True when va is canonical (or in range) for the mode. */
bool	x86_va_valid(const struct x86_paging *xp, uint64_t va,
	    enum x86_fault *why);

#endif /* PORTHOLE_GUEST_X86_PAGING_H */
