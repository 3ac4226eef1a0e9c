/*
 * linux_discover.c -- linux_open: recognise the Linux kernel in a guest
 * with no hand-made profile, and the accessors of <porthole/linux.h>
 * that describe it (release, banner, KASLR slide, where the profile came
 * from, the kernel's address space, symbols).
 *
 * The order, each step using what the ones before found and passing
 * over what is missing:
 *
 *	1. vCPU registers (a live domain, or an image's notes): the
 *	   paging mode and a page-table root; with page-table isolation,
 *	   the kernel half (bit 12 of the PGD address clear).
 *	2. VMCOREINFO: the image's note, else the kernel's own buffer
 *	   found in memory (a page starting "OSRELEASE=").  Release, build
 *	   ID, KERNELOFFSET (the slide), and the page-table root:
 *	   init_top_pgt and phys_base (x86_64: pa = va - 0xffffffff80000000
 *	   + phys_base; 5-level when pgtable_l5_enabled) or swapper_pg_dir
 *	   (i386: pa = va - PAGE_OFFSET, PAE when CONFIG_X86_PAE).
 *	3. The cached profile for the build ID (or, without one, for the
 *	   banner): the symbols the views need, the BTF, where kallsyms
 *	   are; checked against memory (the banner) before it is used.
 *	4. The banner in physical memory (near _stext when VMCOREINFO says
 *	   where that is), and its virtual address: through the page
 *	   tables, by a search of the kernel image's range.
 *	5. kallsyms, searched around the banner in physical memory (the
 *	   kernel image is physically contiguous), checked: linux_banner
 *	   must be the banner found, init_uts_ns must hold "Linux".  Its
 *	   addresses give what steps 1-4 could not: the slide (against the
 *	   link-time _text, the architecture's default when no System.map
 *	   says otherwise), the page-table root (init_top_pgt or
 *	   swapper_pg_dir through the image's own virtual-to-physical
 *	   offset), the paging mode (the one that maps the banner).
 *	6. BTF, between __start_BTF and __stop_BTF, for structure layouts.
 *	7. A System.map or vmlinux from the options, over all of that
 *	   (its link-time addresses slid by the slide found).
 *	8. With no BTF and no layout for the views: the layouts inferred
 *	   from the kernel's objects (linux_infer.c).
 *	9. The cache written (link-time addresses, and an inferred
 *	   layout's members), when something was searched for.
 *
 * Every address space guess is checked the same way before it is kept:
 * it must map the banner's virtual address to the banner's physical
 * one.  A failure says what was found, what was missing and what to try.
 *
 * Non-goals: kernels other than x86 (32-bit, PAE, 4- and 5-level), guests
 * whose kernel image is not physically contiguous, and a kernel changing
 * while it is opened (open a paused domain or an image).
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <porthole/guest.h>
#include <porthole/linux.h>

#include "guest/linux/linux_banner.h"
#include "guest/linux/linux_btf.h"
#include "guest/linux/linux_cache.h"
#include "guest/linux/linux_impl.h"
#include "guest/linux/linux_infer.h"
#include "guest/linux/linux_kallsyms.h"
#include "guest/linux/linux_mem.h"
#include "guest/linux/linux_profile.h"
#include "guest/linux/linux_sysmap.h"
#include "guest/linux/linux_vmcoreinfo.h"

#define	LD_X64_MAP		0xffffffff80000000ULL	/* __START_KERNEL_map */
#define	LD_X64_MAP_END		0xffffffffc0000000ULL	/* + 1 GiB (KASLR) */
#define	LD_X64_LINK_TEXT	0xffffffff81000000ULL	/* default _text */
#define	LD_I386_PAGE_OFFSET	0xc0000000ULL
#define	LD_I386_LINK_TEXT	0xc1000000ULL
#define	LD_PTI_USER_BIT		(1ULL << 12)
#define	LD_IMAGE_WINDOW		(96ULL << 20)	/* banner to kallsyms */
#define	LD_NBANNERS		8
#define	LD_MAX_BTF		(64u << 20)
/* The cached profile's mark of an inferred layout (a number). */
#define	LD_INFERRED		"porthole_layout_inferred"

enum ld_arch {
	LD_ARCH_UNKNOWN = 0,
	LD_ARCH_X64,
	LD_ARCH_I386
};

/* What the discovery knows so far. */
struct ld {
	struct guest	*d_g;
	const struct linux_opts *d_opts;
	char		*d_err;
	size_t		d_errlen;
	struct linux_profile *d_prof;
	struct lk_mem	d_phys;
	enum ld_arch	d_arch;
	bool		d_pae;			/* i386: PAE */

	bool		d_vmci;
	const char	*d_vmci_from;		/* "note", "memory" */
	uint64_t	d_vmci_pa;
	struct lvmci	d_vi;

	bool		d_regs;
	struct guest_space d_vcpu_sp;

	bool		d_space;
	struct guest_space d_sp;
	const char	*d_space_from;

	bool		d_banner;
	struct lbanner	d_b;
	unsigned	d_nbanners;
	bool		d_bva;			/* d_banner_va known */
	uint64_t	d_banner_va;

	bool		d_slide_known;
	uint64_t	d_slide;
	const char	*d_slide_from;

	bool		d_ks;
	struct lksyms	d_kallsyms;
	char		d_ks_why[256];

	bool		d_btf;
	char		d_btf_why[256];

	char		d_cache_dir[1024];
	bool		d_use_cache;
	char		d_key[LCACHE_KEY_MAX];
	bool		d_cached;		/* the profile came from it */
	struct lcache	d_cache;
	char		d_cache_why[512];

	char		d_source[64];

	bool		d_inferred;		/* the layout: linux_infer */
	char		d_infer_why[512];
};

/* The symbols a cached profile keeps (the views' and discovery's). */
static const char *const ld_cache_symbols[] = {
	"_text", "_stext", "_etext", "_end", "linux_banner", "init_uts_ns",
	"init_task", "init_mm", "init_top_pgt", "swapper_pg_dir", "modules",
	"prb", "printk_rb_static", "log_buf", "log_buf_len", "log_first_idx",
	"log_next_idx", "log_first_seq", "log_next_seq", "clear_seq",
	"__start_BTF", "__stop_BTF", "page_offset_base", "vmalloc_base",
	"vmemmap_base", "phys_base", "__per_cpu_offset", "current_task",
	"pcpu_hot", "__pgtable_l5_enabled", "vmcoreinfo_data", "node_data",
	"mem_section", "jiffies", "init_pid_ns", "per_cpu__current_task",
	"special_mapping_vmops"
};

static void
ld_fail(struct ld *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
ld_fail(struct ld *d, const char *fmt, ...)
{
	va_list ap;

	if (d->d_err == NULL || d->d_errlen == 0)
		return;
	va_start(ap, fmt);
	(void) vsnprintf(d->d_err, d->d_errlen, fmt, ap);
	va_end(ap);
}

static void
ld_source(struct ld *d, const char *what)
{
	size_t n = strlen(d->d_source);

	(void) snprintf(d->d_source + n, sizeof (d->d_source) - n, "%s%s",
	    n > 0 ? "+" : "", what);
}

/* Physical memory through the guest handle. */
static int
ld_phys_read(void *arg, uint64_t pa, void *buf, size_t len)
{
	struct guest_fault why;
	size_t n;

	memset(&why, 0, sizeof (why));
	n = guest_pread(arg, pa, buf, len, &why);
	if (n == len)
		return (0);
	return (why.gf_errno != 0 ? why.gf_errno : EIO);
}

static uint64_t
ld_phys_skip(void *arg, uint64_t pa)
{
	struct guest *g = arg;
	uint64_t gfn = pa >> 12, n = guest_nframes(g), run;
	unsigned i;
	int p;

	for (i = 0; i < 4096 && gfn < n; i++) {
		run = gfn + 1;
		if ((p = guest_present(g, gfn, &run)) != 0)
			return (p > 0 && (gfn << 12) < pa ? pa : gfn << 12);
		gfn = run > gfn ? run : gfn + 1;
	}
	return (gfn >= n ? n << 12 : gfn << 12);
}

/* Read virtual memory through the kernel space: 0 or an errno. */
static int
ld_vread(struct ld *d, const struct guest_space *sp, uint64_t va, void *buf,
    size_t len)
{
	struct guest_fault why;

	memset(&why, 0, sizeof (why));
	if (guest_vread(d->d_g, sp, va, buf, len, &why) == len)
		return (0);
	return (why.gf_errno != 0 ? why.gf_errno : EFAULT);
}

/* Does sp map va to pa? */
static bool
ld_maps(struct ld *d, const struct guest_space *sp, uint64_t va, uint64_t pa)
{
	struct guest_v2p v;

	return (guest_v2p(d->d_g, sp, va, &v) == 0 &&
	    v.v_fault.gf_errno == 0 && v.v_pa == pa);
}

/* lk_v2p over a space, for lbanner_va. */
struct ld_xlate {
	struct guest	*x_g;
	const struct guest_space *x_sp;
};

static int
ld_xlate_v2p(void *arg, uint64_t va, uint64_t *pap, uint64_t *spanp)
{
	struct ld_xlate *x = arg;
	struct guest_v2p v;
	unsigned shift, lvl;

	if (guest_v2p(x->x_g, x->x_sp, va, &v) != 0) {
		*spanp = LK_PAGE_SIZE - (va % LK_PAGE_SIZE);
		return (errno != 0 ? errno : EFAULT);
	}
	if (v.v_fault.gf_errno == 0) {
		*pap = v.v_pa;
		*spanp = v.v_page_size - (va % v.v_page_size);
		return (0);
	}
	lvl = v.v_fault.gf_level;
	shift = 12;
	if (lvl > 1)
		shift += (lvl - 1) * (x->x_sp->gs_mode == GUEST_PAGING_32 ?
		    10 : 9);
	if (shift > 48)
		shift = 48;
	*spanp = (1ULL << shift) - (va & ((1ULL << shift) - 1));
	return (v.v_fault.gf_errno);
}

/* The kernel image's virtual range for the architecture. */
static void
ld_image_range(const struct ld *d, uint64_t *lo, uint64_t *hi)
{
	if (d->d_arch == LD_ARCH_I386) {
		*lo = LD_I386_PAGE_OFFSET;
		*hi = 0x100000000ULL;
	} else {
		*lo = LD_X64_MAP;
		*hi = LD_X64_MAP_END;
	}
}

/* Is addr in the kernel image's range (where KASLR slides symbols)? */
static bool
ld_slides(const struct ld *d, uint64_t addr)
{
	uint64_t lo, hi;

	ld_image_range(d, &lo, &hi);
	return (addr >= lo && addr < hi);
}

/* Step 1: vCPU registers. */
static void
ld_registers(struct ld *d)
{
	struct guest_regs r;
	unsigned i, n = guest_nvcpus(d->d_g);

	for (i = 0; i < n && i < 64; i++) {
		if (guest_vcpu_regs(d->d_g, i, &r) != 0 || !r.gr_online ||
		    !(r.gr_valid & GUEST_REGS_CR) ||
		    guest_space_vcpu(d->d_g, i, true, &d->d_vcpu_sp) != 0 ||
		    d->d_vcpu_sp.gs_mode == GUEST_PAGING_NONE)
			continue;
		d->d_regs = true;
		switch (d->d_vcpu_sp.gs_mode) {
		case GUEST_PAGING_4LEVEL:
		case GUEST_PAGING_5LEVEL:
			d->d_arch = LD_ARCH_X64;
			break;
		case GUEST_PAGING_PAE:
			d->d_pae = true;
			/* FALLTHROUGH */
		default:
			d->d_arch = LD_ARCH_I386;
			break;
		}
		return;
	}
}

/* Step 2: VMCOREINFO. */
static void
ld_vmcoreinfo(struct ld *d)
{
	const char *text;
	char *buf;
	size_t len = 0;
	uint64_t v;

	if ((text = guest_vmcoreinfo(d->d_g, &len)) != NULL &&
	    lvmci_parse(text, len, &d->d_vi, d->d_prof, NULL, 0) == 0) {
		d->d_vmci = true;
		d->d_vmci_from = "note";
	} else if ((buf = malloc(LK_PAGE_SIZE + 1)) != NULL) {
		if (lvmci_find(&d->d_phys, 0, UINT64_MAX, &d->d_vmci_pa, buf,
		    LK_PAGE_SIZE + 1, &len) == 0 &&
		    lvmci_parse(buf, len, &d->d_vi, d->d_prof, NULL, 0) == 0) {
			d->d_vmci = true;
			d->d_vmci_from = "memory";
		}
		free(buf);
	}
	if (!d->d_vmci)
		return;
	ld_source(d, "vmcoreinfo");
	if (d->d_arch == LD_ARCH_UNKNOWN) {
		if (lprof_symbol(d->d_prof, "init_top_pgt", &v) == 0 ||
		    lprof_number(d->d_prof, "phys_base", &v) == 0 ||
		    (lprof_symbol(d->d_prof, "_stext", &v) == 0 &&
		    v > 0xffffffffULL))
			d->d_arch = LD_ARCH_X64;
		else if (lprof_symbol(d->d_prof, "_stext", &v) == 0)
			d->d_arch = LD_ARCH_I386;
	}
	if (lprof_number(d->d_prof, "CONFIG_X86_PAE", &v) == 0)
		d->d_pae = true;
	if (d->d_vi.lv_has_kerneloffset) {
		d->d_slide_known = true;
		d->d_slide = d->d_vi.lv_kerneloffset;
		d->d_slide_from = "vmcoreinfo";
	}
}

/* The physical address of kernel image address va, by the arch's rule. */
static bool
ld_image_pa(struct ld *d, uint64_t va, uint64_t *pap)
{
	uint64_t phys_base;

	if (d->d_arch == LD_ARCH_I386 && va >= LD_I386_PAGE_OFFSET) {
		*pap = va - LD_I386_PAGE_OFFSET;
		return (true);
	}
	if (d->d_arch == LD_ARCH_X64 && va >= LD_X64_MAP &&
	    lprof_number(d->d_prof, "phys_base", &phys_base) == 0) {
		*pap = va - LD_X64_MAP + phys_base;
		return (true);
	}
	/* The banner ties the image's two addresses together. */
	if (d->d_bva && d->d_banner && ld_slides(d, va)) {
		*pap = va - d->d_banner_va + d->d_b.lb_pa;
		return (true);
	}
	return (false);
}

/* A candidate space: keep it when it maps the banner (or nothing to check). */
static bool
ld_try_space(struct ld *d, const struct guest_space *sp, const char *from)
{
	if (d->d_bva && d->d_banner &&
	    !ld_maps(d, sp, d->d_banner_va, d->d_b.lb_pa))
		return (false);
	d->d_sp = *sp;
	d->d_space = true;
	d->d_space_from = from;
	return (true);
}

/*
 * The paging modes a kernel of architecture arch may run in, the likelier
 * first: two of them.
 */
static const enum guest_paging *
ld_arch_modes(enum ld_arch arch)
{
	static const enum guest_paging x64[] = { GUEST_PAGING_4LEVEL,
	    GUEST_PAGING_5LEVEL };
	static const enum guest_paging x86[] = { GUEST_PAGING_PAE,
	    GUEST_PAGING_32 };

	return (arch == LD_ARCH_X64 ? x64 : x86);
}

/* The space from the kernel's own root symbol (init_top_pgt, ...). */
static bool
ld_space_from_symbols(struct ld *d, const char *from)
{
	struct guest_space sp;
	uint64_t root_va, root_pa, l5 = 0;
	unsigned i;

	memset(&sp, 0, sizeof (sp));
	sp.gs_nxe = true;
	if (d->d_arch == LD_ARCH_X64) {
		if (lprof_symbol(d->d_prof, "init_top_pgt", &root_va) != 0 ||
		    !ld_image_pa(d, root_va, &root_pa))
			return (false);
		sp.gs_cr3 = root_pa;
		if (lprof_number(d->d_prof, "pgtable_l5_enabled", &l5) == 0) {
			sp.gs_mode = l5 != 0 ? GUEST_PAGING_5LEVEL :
			    GUEST_PAGING_4LEVEL;
			return (ld_try_space(d, &sp, from));
		}
		for (i = 0; i < 2; i++) {
			sp.gs_mode = ld_arch_modes(LD_ARCH_X64)[i];
			if (d->d_bva && ld_try_space(d, &sp, from))
				return (true);
		}
		return (false);
	}
	if (d->d_arch == LD_ARCH_I386) {
		if (lprof_symbol(d->d_prof, "swapper_pg_dir", &root_va) != 0 ||
		    !ld_image_pa(d, root_va, &root_pa))
			return (false);
		sp.gs_cr3 = root_pa;
		sp.gs_pse = true;
		if (d->d_vmci || !d->d_bva) {
			sp.gs_mode = d->d_pae ? GUEST_PAGING_PAE :
			    GUEST_PAGING_32;
			return (ld_try_space(d, &sp, from));
		}
		for (i = 0; i < 2; i++) {
			sp.gs_mode = ld_arch_modes(LD_ARCH_I386)[i];
			if (ld_try_space(d, &sp, from)) {
				d->d_pae = sp.gs_mode == GUEST_PAGING_PAE;
				return (true);
			}
		}
	}
	return (false);
}

/*
 * The kernel space: a vCPU's (its kernel half), else the root symbol's.
 * Checked against the banner when its virtual address is known.
 */
static void
ld_space(struct ld *d)
{
	struct guest_space sp;

	if (d->d_space)
		return;
	if (d->d_regs) {
		if (ld_try_space(d, &d->d_vcpu_sp, "vcpu"))
			return;
		/* A PTI user half the handle did not recognise. */
		sp = d->d_vcpu_sp;
		if (!sp.gs_machine && (sp.gs_cr3 & LD_PTI_USER_BIT) != 0) {
			sp.gs_cr3 &= ~LD_PTI_USER_BIT;
			if (ld_try_space(d, &sp, "vcpu (kernel half)"))
				return;
		}
	}
	(void) ld_space_from_symbols(d, d->d_vmci ? "vmcoreinfo" : "kallsyms");
}

/*
 * Now that the banner's virtual address may be known: a space that does
 * not map it goes, and the next way to make one is tried.
 */
static void ld_space_search(struct ld *d);

static void
ld_space_check(struct ld *d)
{
	struct guest_space kept;
	bool keep = false;

	if (d->d_space && d->d_bva && d->d_banner &&
	    !ld_maps(d, &d->d_sp, d->d_banner_va, d->d_b.lb_pa)) {
		/*
		 * VMCOREINFO's root is the kernel's word: kept when nothing
		 * else maps the banner, so that a walker that cannot follow
		 * its tables fails loudly later rather than the kernel going
		 * unrecognised.
		 */
		keep = strcmp(d->d_space_from, "vmcoreinfo") == 0;
		kept = d->d_sp;
		d->d_space = false;
		if (keep) {
			ld_space_search(d);
			if (!d->d_space) {
				d->d_sp = kept;
				d->d_space = true;
			}
			return;
		}
	}
	ld_space(d);
}

/*
 * Where the space maps the banner, when nothing said so yet; on i386,
 * where the direct map puts it when the tables cannot say.
 */
static void
ld_banner_va(struct ld *d)
{
	struct ld_xlate x = { d->d_g, &d->d_sp };
	struct lk_v2p v2p = { ld_xlate_v2p, &x };
	uint64_t vlo, vhi;

	if (!d->d_banner || d->d_bva)
		return;
	ld_image_range(d, &vlo, &vhi);
	if (d->d_space && lbanner_va(&v2p, d->d_b.lb_pa, vlo, vhi,
	    d->d_arch == LD_ARCH_X64 ? 2ULL << 20 : 0, &d->d_banner_va) == 0)
		d->d_bva = true;
	else if (d->d_arch == LD_ARCH_I386 &&
	    d->d_b.lb_pa < 0x100000000ULL - LD_I386_PAGE_OFFSET) {
		d->d_banner_va = d->d_b.lb_pa + LD_I386_PAGE_OFFSET;
		d->d_bva = true;
	}
}

/*
 * The last way to a kernel space: search physical memory for a root
 * table that maps the banner's virtual address to the banner (kallsyms
 * without data symbols, no registers, no VMCOREINFO).  The root is in
 * the kernel image (swapper_pg_dir, init_top_pgt), so the pages near the
 * banner go first; each candidate must have the top-level entry for the
 * banner present before a walk is tried.
 */
/*
 * Is the page at p a root table of sp's mode that maps the banner?  off
 * and esz: where the top-level entry for the banner is, and its size.
 */
static bool
ld_root_at(struct ld *d, struct guest_space *sp, uint64_t p, uint64_t off,
    unsigned esz)
{
	unsigned char e[8];

	/* The entry's present bit first: one byte read, most pages fail. */
	if (lk_mem_read(&d->d_phys, p + off, e, esz) != 0 || !(e[0] & 1))
		return (false);
	sp->gs_cr3 = p;
	return (ld_maps(d, sp, d->d_banner_va, d->d_b.lb_pa));
}

static void
ld_space_search(struct ld *d)
{
	const enum guest_paging *modes;
	struct guest_space sp;
	uint64_t end = d->d_phys.lm_end, wlo, whi, p, off, mask;
	unsigned m, shift, esz;

	if (d->d_space || !d->d_banner || !d->d_bva ||
	    d->d_arch == LD_ARCH_UNKNOWN)
		return;
	modes = ld_arch_modes(d->d_arch);
	wlo = (d->d_b.lb_pa > LD_IMAGE_WINDOW ? d->d_b.lb_pa -
	    LD_IMAGE_WINDOW : 0) & ~(uint64_t)(LK_PAGE_SIZE - 1);
	whi = (d->d_b.lb_pa + LD_IMAGE_WINDOW + LK_PAGE_SIZE - 1) &
	    ~(uint64_t)(LK_PAGE_SIZE - 1);
	if (whi > end)
		whi = end;
	memset(&sp, 0, sizeof (sp));
	sp.gs_nxe = true;
	sp.gs_pse = true;
	for (m = 0; m < 2; m++) {
		sp.gs_mode = modes[m];
		switch (sp.gs_mode) {
		case GUEST_PAGING_5LEVEL:
			shift = 48, mask = 511, esz = 8;
			break;
		case GUEST_PAGING_4LEVEL:
			shift = 39, mask = 511, esz = 8;
			break;
		case GUEST_PAGING_PAE:
			shift = 30, mask = 3, esz = 8;
			break;
		default:
			shift = 22, mask = 1023, esz = 4;
			break;
		}
		off = ((d->d_banner_va >> shift) & mask) * esz;
		/* Near the banner (the image) first, then the rest. */
		for (p = wlo; p < whi; p += LK_PAGE_SIZE) {
			if (ld_root_at(d, &sp, p, off, esz))
				goto found;
		}
		for (p = 0; p < end; p += LK_PAGE_SIZE) {
			if (p == wlo)
				p = whi;
			if (p < end && ld_root_at(d, &sp, p, off, esz))
				goto found;
		}
	}
	return;
found:
	d->d_sp = sp;
	d->d_space = true;
	d->d_space_from = "page-table search";
	d->d_pae = sp.gs_mode == GUEST_PAGING_PAE;
}

/* Step 4: the banner, and where it is mapped. */
static void
ld_find_banner(struct ld *d)
{
	struct lbanner *cands;
	struct ld_xlate x;
	struct lk_v2p v2p;
	uint64_t lo = 0, hi = UINT64_MAX, va = 0, vlo, vhi, stext;
	unsigned i, n;

	if ((cands = calloc(LD_NBANNERS, sizeof (*cands))) == NULL)
		return;
	/* With VMCOREINFO, the image starts at _stext. */
	if (lprof_symbol(d->d_prof, "_stext", &stext) == 0 &&
	    ld_image_pa(d, stext, &lo))
		hi = lo + 2 * LD_IMAGE_WINDOW;
	else
		lo = 0;
	if (lbanner_find(&d->d_phys, lo, hi, d->d_vmci ? d->d_vi.lv_release :
	    NULL, cands, LD_NBANNERS, &d->d_nbanners) != 0 && lo != 0)
		(void) lbanner_find(&d->d_phys, 0, UINT64_MAX, d->d_vmci ?
		    d->d_vi.lv_release : NULL, cands, LD_NBANNERS,
		    &d->d_nbanners);
	n = d->d_nbanners < LD_NBANNERS ? d->d_nbanners : LD_NBANNERS;
	if (n == 0) {
		free(cands);
		return;
	}
	/* The best, unless the page tables map a lesser one only. */
	d->d_b = cands[0];
	d->d_banner = true;
	ld_image_range(d, &vlo, &vhi);
	for (i = 0; i < n && d->d_space; i++) {
		x.x_g = d->d_g;
		x.x_sp = &d->d_sp;
		v2p.lx_v2p = ld_xlate_v2p;
		v2p.lx_arg = &x;
		if (lbanner_va(&v2p, cands[i].lb_pa, vlo, vhi,
		    d->d_arch == LD_ARCH_X64 ? 2ULL << 20 : 0, &va) == 0) {
			d->d_b = cands[i];
			d->d_bva = true;
			d->d_banner_va = va;
			break;
		}
	}
	free(cands);
}

/* init_uts_ns holds "Linux" as its sysname, near its start. */
static bool
ld_uts_ok(struct ld *d, uint64_t pa)
{
	char buf[80];
	unsigned off;

	if (lk_mem_read(&d->d_phys, pa, buf, sizeof (buf)) != 0)
		return (false);
	for (off = 0; off <= 16; off += 4) {
		if (memcmp(buf + off, "Linux", 6) == 0)
			return (true);
	}
	return (false);
}

/*
 * A kallsyms table fits the kernel found: linux_banner is the banner
 * (its virtual address when known; else init_uts_ns, as far from it as
 * in the image, reads "Linux").  Without data symbols
 * (CONFIG_KALLSYMS_ALL off, as in Debian's 686-pae kernel): _stext is
 * VMCOREINFO's, or else the table lies in the image after _text, at the
 * physical address the architecture's rule gives _text.
 */
static bool
ld_kallsyms_fit(struct ld *d, const struct lksyms *ks)
{
	uint64_t banner, uts, text, vtext, pa;

	if (lksyms_lookup(ks, "linux_banner", &banner) == 0) {
		if (d->d_bva)
			return (banner == d->d_banner_va);
		if (lksyms_lookup(ks, "init_uts_ns", &uts) != 0)
			return (false);
		return (ld_uts_ok(d, uts - banner + d->d_b.lb_pa));
	}
	if (lprof_symbol(d->d_prof, "_stext", &vtext) == 0 &&
	    lksyms_lookup(ks, "_stext", &text) == 0)
		return (text == vtext);
	if ((lksyms_lookup(ks, "_text", &text) == 0 ||
	    lksyms_lookup(ks, "_stext", &text) == 0) &&
	    ld_image_pa(d, text, &pa))
		return (pa <= d->d_b.lb_pa && pa <= ks->ks_token_table &&
		    ks->ks_token_table - pa < 4 * LD_IMAGE_WINDOW);
	return (false);
}

static int
ld_add_symbol(void *arg, const char *name, char type, uint64_t addr)
{
	(void) type;
	(void) lprof_set_symbol(arg, name, addr);
	return (0);
}

/* Step 5: kallsyms around the banner. */
static void
ld_kallsyms(struct ld *d)
{
	uint64_t lo, hi, from;
	unsigned psize = d->d_arch == LD_ARCH_X64 ? 8 :
	    d->d_arch == LD_ARCH_I386 ? 4 : 0;
	unsigned tries;

	if (!d->d_banner)
		return;
	lo = d->d_b.lb_pa > LD_IMAGE_WINDOW ? d->d_b.lb_pa - LD_IMAGE_WINDOW :
	    0;
	hi = d->d_b.lb_pa + LD_IMAGE_WINDOW;
	for (from = lo, tries = 0; from < hi && tries < 16; tries++) {
		if (lksyms_locate(&d->d_phys, from, hi, psize, &d->d_kallsyms,
		    d->d_ks_why, sizeof (d->d_ks_why)) != 0)
			return;
		/* The table's pointer size says the architecture, if unknown. */
		if (d->d_arch == LD_ARCH_UNKNOWN)
			d->d_arch = d->d_kallsyms.ks_ptr_size == 8 ?
			    LD_ARCH_X64 : LD_ARCH_I386;
		if (ld_kallsyms_fit(d, &d->d_kallsyms))
			break;
		if (psize == 0)
			d->d_arch = LD_ARCH_UNKNOWN;
		from = d->d_kallsyms.ks_token_table + 1;
		lksyms_fini(&d->d_kallsyms);
		(void) snprintf(d->d_ks_why, sizeof (d->d_ks_why), "kallsyms "
		    "found, but its linux_banner is not the banner at pa "
		    "%#" PRIx64, d->d_b.lb_pa);
	}
	if (from >= hi || tries == 16)
		return;
	d->d_ks = true;
	ld_source(d, "kallsyms");
	(void) lksyms_foreach(&d->d_kallsyms, ld_add_symbol, d->d_prof);
	if (!d->d_bva && lksyms_lookup(&d->d_kallsyms, "linux_banner",
	    &d->d_banner_va) == 0)
		d->d_bva = true;
}

/*
 * The slide, when nothing said it: the runtime _text against the
 * architecture's default link address (System.map overrides it later).
 */
static void
ld_slide(struct ld *d)
{
	uint64_t text;

	if (d->d_slide_known)
		return;
	if (lprof_symbol(d->d_prof, "_text", &text) != 0 &&
	    lprof_symbol(d->d_prof, "_stext", &text) != 0)
		return;
	if (d->d_arch == LD_ARCH_X64 && text >= LD_X64_LINK_TEXT) {
		d->d_slide = text - LD_X64_LINK_TEXT;
		d->d_slide_known = true;
		d->d_slide_from = "default link address";
	} else if (d->d_arch == LD_ARCH_I386 && text >= LD_I386_LINK_TEXT) {
		d->d_slide = text - LD_I386_LINK_TEXT;
		d->d_slide_known = true;
		d->d_slide_from = "default link address";
	}
}

/* Step 6: BTF from __start_BTF .. __stop_BTF. */
static void
ld_btf(struct ld *d)
{
	uint64_t start, stop, pa;
	struct lbtf *b = NULL;
	void *buf;
	size_t len;
	int err;

	if (!lbtf_supported()) {
		(void) lbtf_open(NULL, 0, &b, d->d_btf_why,
		    sizeof (d->d_btf_why));
		return;
	}
	if (lprof_symbol(d->d_prof, "__start_BTF", &start) != 0 ||
	    lprof_symbol(d->d_prof, "__stop_BTF", &stop) != 0) {
		(void) snprintf(d->d_btf_why, sizeof (d->d_btf_why), "no "
		    "__start_BTF/__stop_BTF symbols (a kernel without "
		    "CONFIG_DEBUG_INFO_BTF, or no kallsyms)");
		return;
	}
	if (stop <= start || stop - start > LD_MAX_BTF) {
		(void) snprintf(d->d_btf_why, sizeof (d->d_btf_why), "BTF from "
		    "%#" PRIx64 " to %#" PRIx64 " is refused (at most %u "
		    "MiB)", start, stop, LD_MAX_BTF >> 20);
		return;
	}
	len = (size_t)(stop - start);
	if ((buf = malloc(len)) == NULL)
		return;
	/* The image is physically contiguous; else the page tables. */
	if (ld_image_pa(d, start, &pa))
		err = lk_mem_read(&d->d_phys, pa, buf, len);
	else
		err = d->d_space ? ld_vread(d, &d->d_sp, start, buf, len) :
		    EFAULT;
	if (err != 0) {
		(void) snprintf(d->d_btf_why, sizeof (d->d_btf_why), "the BTF "
		    "at %#" PRIx64 " (%zu bytes) cannot be read: %s", start,
		    len, strerror(err));
		free(buf);
		return;
	}
	if (lbtf_open(buf, len, &b, d->d_btf_why, sizeof (d->d_btf_why)) ==
	    0) {
		lprof_set_btf(d->d_prof, b);
		d->d_btf = true;
		ld_source(d, "btf");
	}
	free(buf);
}

/* Symbols of a System.map or vmlinux: link-time, into a profile. */
static int
ld_collect(void *arg, const char *name, char type, uint64_t addr)
{
	(void) type;
	return (lprof_set_symbol(arg, name, addr) == ENOMEM ? ENOMEM : 0);
}

struct ld_apply {
	struct ld	*a_d;
};

static int
ld_apply_cb(void *arg, const struct lprof_entry *e)
{
	struct ld *d = ((struct ld_apply *)arg)->a_d;
	uint64_t v = e->le_value;

	if (ld_slides(d, v))
		v += d->d_slide;
	(void) lprof_set_symbol(d->d_prof, e->le_name, v);
	return (0);
}

/*
 * Link-time symbols (a cached profile, a System.map) on a guest with no
 * registers and no VMCOREINFO: the image is linear, so its root table
 * lies as far from the banner as the link-time addresses say; the space
 * that maps the banner there gives the banner's virtual address, and so
 * the slide.
 */
static void
ld_space_from_link(struct ld *d, const struct linux_profile *p,
    uint64_t link_banner)
{
	const enum guest_paging *modes;
	struct guest_space sp;
	struct ld_xlate x = { d->d_g, &sp };
	struct lk_v2p v2p = { ld_xlate_v2p, &x };
	uint64_t root, vlo, vhi, va;
	unsigned i;

	if (d->d_arch == LD_ARCH_UNKNOWN)
		d->d_arch = link_banner > 0xffffffffULL ? LD_ARCH_X64 :
		    LD_ARCH_I386;
	modes = ld_arch_modes(d->d_arch);
	if (lprof_symbol(p, d->d_arch == LD_ARCH_X64 ? "init_top_pgt" :
	    "swapper_pg_dir", &root) != 0)
		return;
	memset(&sp, 0, sizeof (sp));
	sp.gs_cr3 = root - link_banner + d->d_b.lb_pa;
	sp.gs_nxe = true;
	sp.gs_pse = true;
	ld_image_range(d, &vlo, &vhi);
	for (i = 0; i < 2; i++) {
		sp.gs_mode = modes[i];
		if (lbanner_va(&v2p, d->d_b.lb_pa, vlo, vhi, 0, &va) != 0)
			continue;
		d->d_sp = sp;
		d->d_space = true;
		d->d_space_from = "symbols and banner";
		d->d_bva = true;
		d->d_banner_va = va;
		d->d_slide = va - link_banner;
		d->d_slide_known = true;
		d->d_slide_from = "banner";
		d->d_pae = modes[i] == GUEST_PAGING_PAE;
		return;
	}
}

/* Put link-time symbols of p into the profile, slid. */
static void
ld_apply_link_symbols(struct ld *d, const struct linux_profile *p)
{
	struct ld_apply a = { d };
	uint64_t link;

	/* A link-time linux_banner and its runtime address: the slide. */
	if (!d->d_slide_known || strcmp(d->d_slide_from,
	    "default link address") == 0) {
		if (!d->d_bva && !d->d_space && d->d_banner &&
		    lprof_symbol(p, "linux_banner", &link) == 0)
			ld_space_from_link(d, p, link);
		if (d->d_bva && lprof_symbol(p, "linux_banner", &link) == 0) {
			d->d_slide = d->d_banner_va - link;
			d->d_slide_known = true;
			d->d_slide_from = "banner";
		}
	}
	if (!d->d_slide_known)
		d->d_slide = 0;
	(void) lprof_walk(p, LPROF_SYMBOL, ld_apply_cb, &a);
}

/* Step 7: the user's System.map and vmlinux. */
static int
ld_overrides(struct ld *d)
{
	const struct linux_opts *o = d->d_opts;
	struct linux_profile *p;
	struct lvmlinux v;
	struct lbtf *b = NULL;
	char why[256];
	int err;

	if (o == NULL)
		return (0);
	if (o->lo_vmlinux != NULL) {
		if ((p = lprof_new()) == NULL)
			return (ENOMEM);
		if ((err = lvmlinux_read(o->lo_vmlinux, &v, ld_collect, p, why,
		    sizeof (why))) != 0) {
			ld_fail(d, "%s", why);
			lprof_free(p);
			return (err);
		}
		if (d->d_vmci && d->d_vi.lv_build_id[0] != '\0' &&
		    v.lv_build_id[0] != '\0' &&
		    strcmp(d->d_vi.lv_build_id, v.lv_build_id) != 0) {
			ld_fail(d, "%s is not the guest's kernel: its build ID "
			    "is %s, the guest's (VMCOREINFO) is %s",
			    o->lo_vmlinux, v.lv_build_id, d->d_vi.lv_build_id);
			lvmlinux_fini(&v);
			lprof_free(p);
			return (EINVAL);
		}
		ld_apply_link_symbols(d, p);
		lprof_free(p);
		if (v.lv_btf != NULL && lbtf_open(v.lv_btf, v.lv_btf_len, &b,
		    NULL, 0) == 0) {
			lprof_set_btf(d->d_prof, b);
			d->d_btf = true;
		}
		lvmlinux_fini(&v);
		ld_source(d, "vmlinux");
	}
	if (o->lo_system_map != NULL) {
		if ((p = lprof_new()) == NULL)
			return (ENOMEM);
		if ((err = lsysmap_read(o->lo_system_map, ld_collect, p, NULL,
		    NULL, why, sizeof (why))) != 0) {
			ld_fail(d, "%s", why);
			lprof_free(p);
			return (err);
		}
		ld_apply_link_symbols(d, p);
		lprof_free(p);
		ld_source(d, "system-map");
	}
	return (0);
}

/* The lazy kallsyms of a cached profile: decoded on the first miss. */
struct ld_lazy {
	struct guest	*z_g;
	uint64_t	z_pa;
	unsigned	z_ptr_size;
};

static int
ld_lazy_fill(void *arg, struct linux_profile *p)
{
	struct ld_lazy *z = arg;
	struct lk_mem m = { ld_phys_read, ld_phys_skip, z->z_g,
	    guest_nframes(z->z_g) << 12 };
	struct lksyms ks;
	int err;

	if ((err = lksyms_locate_at(&m, z->z_pa, z->z_ptr_size, &ks, NULL,
	    0)) != 0)
		return (err);
	(void) lksyms_foreach(&ks, ld_add_symbol, p);
	lksyms_fini(&ks);
	return (0);
}

/* Copy an explicit member into another profile. */
static int
ld_copy_member(void *arg, const struct lprof_entry *e)
{
	return (lprof_set_member(arg, e->le_type, e->le_name, e->le_value,
	    e->le_size) == ENOMEM ? ENOMEM : 0);
}

/* Step 3: the cached profile for the key, checked against memory. */
static void
ld_cache_load(struct ld *d)
{
	struct lbtf *b = NULL;
	struct ld_lazy *z;
	uint64_t link_banner, va, pa;
	char text[LBANNER_MAX + 2];
	struct linux_profile *p;

	if (!d->d_use_cache || d->d_key[0] == '\0' || (d->d_opts != NULL &&
	    (d->d_opts->lo_flags & LINUX_OPEN_REFRESH)))
		return;
	if (lcache_load(d->d_cache_dir, d->d_key, &d->d_cache,
	    d->d_cache_why, sizeof (d->d_cache_why)) != 0)
		return;
	p = d->d_cache.lc_prof;
	/* The banner the cache names must be in memory where it says. */
	if (lprof_symbol(p, "linux_banner", &link_banner) != 0)
		goto refuse;
	if (!d->d_slide_known && d->d_banner && !d->d_space)
		ld_space_from_link(d, p, link_banner);
	if (!d->d_slide_known && d->d_banner) {
		ld_banner_va(d);
		if (d->d_bva) {
			d->d_slide = d->d_banner_va - link_banner;
			d->d_slide_known = true;
			d->d_slide_from = "banner";
		}
	}
	if (!d->d_slide_known)
		goto refuse;
	va = link_banner + d->d_slide;
	memset(text, 0, sizeof (text));
	/* Physically when the image's rule says where, else by the tables. */
	if (ld_image_pa(d, va, &pa)) {
		if (lk_mem_read(&d->d_phys, pa, text,
		    strlen(d->d_cache.lc_banner) + 1) != 0)
			goto refuse;
	} else if (!d->d_space || ld_vread(d, &d->d_sp, va, text,
	    strlen(d->d_cache.lc_banner) + 1) != 0) {
		goto refuse;
	}
	if (strncmp(text, d->d_cache.lc_banner, strlen(d->d_cache.lc_banner))
	    != 0 || text[strlen(d->d_cache.lc_banner)] != '\n')
		goto refuse;
	/* It fits: the symbols, slid; the BTF; kallsyms for the rest. */
	d->d_bva = true;
	d->d_banner_va = va;
	if (!d->d_banner && ld_image_pa(d, va, &pa)) {
		d->d_b.lb_pa = pa;
		(void) snprintf(d->d_b.lb_text, sizeof (d->d_b.lb_text), "%s",
		    d->d_cache.lc_banner);
		(void) snprintf(d->d_b.lb_release, sizeof (d->d_b.lb_release),
		    "%s", d->d_cache.lc_release);
		d->d_banner = true;
	}
	ld_apply_link_symbols(d, p);
	/* The members of an inferred layout. */
	if (lprof_number(p, LD_INFERRED, &va) == 0 && va == 1) {
		(void) lprof_walk(p, LPROF_MEMBER, ld_copy_member, d->d_prof);
		d->d_inferred = true;
	}
	if (d->d_cache.lc_btf != NULL && lbtf_open(d->d_cache.lc_btf,
	    d->d_cache.lc_btf_len, &b, NULL, 0) == 0) {
		lprof_set_btf(d->d_prof, b);
		d->d_btf = true;
	}
	if (d->d_cache.lc_has_kallsyms && ld_image_pa(d,
	    d->d_cache.lc_kallsyms + d->d_slide, &pa) &&
	    (z = calloc(1, sizeof (*z))) != NULL) {
		z->z_g = d->d_g;
		z->z_pa = pa;
		z->z_ptr_size = d->d_cache.lc_ptr_size;
		lprof_set_symbol_source(d->d_prof, ld_lazy_fill, free, z);
	}
	if (d->d_arch == LD_ARCH_UNKNOWN)
		d->d_arch = d->d_cache.lc_ptr_size == 8 ? LD_ARCH_X64 :
		    LD_ARCH_I386;
	d->d_cached = true;
	ld_source(d, "cache");
	if (d->d_inferred)
		ld_source(d, "inferred");
	return;
refuse:
	(void) snprintf(d->d_cache_why, sizeof (d->d_cache_why), "the cached "
	    "profile %s does not fit this guest's memory (its banner is not "
	    "where it says): rediscovered and rewritten", d->d_key);
	lcache_fini(&d->d_cache);
}

/* Step 9: write the cache (link-time addresses). */
static void
ld_cache_store(struct ld *d, const char *release, const char *banner)
{
	struct lcache c;
	const void *raw;
	size_t i, len;
	uint64_t v;

	if (!d->d_use_cache || d->d_cached || !d->d_ks || d->d_key[0] == '\0')
		return;
	memset(&c, 0, sizeof (c));
	(void) snprintf(c.lc_key, sizeof (c.lc_key), "%s", d->d_key);
	(void) snprintf(c.lc_release, sizeof (c.lc_release), "%s", release);
	c.lc_banner = (char *)banner;
	c.lc_ptr_size = d->d_kallsyms.ks_ptr_size;
	if ((c.lc_prof = lprof_new()) == NULL)
		return;
	for (i = 0; i < sizeof (ld_cache_symbols) /
	    sizeof (ld_cache_symbols[0]); i++) {
		if (lprof_symbol(d->d_prof, ld_cache_symbols[i], &v) == 0)
			(void) lprof_set_symbol(c.lc_prof, ld_cache_symbols[i],
			    ld_slides(d, v) ? v - d->d_slide : v);
	}
	/* An inferred layout, and a mark that says where it came from. */
	if (d->d_inferred) {
		(void) lprof_walk(d->d_prof, LPROF_MEMBER, ld_copy_member,
		    c.lc_prof);
		(void) lprof_set_number(c.lc_prof, LD_INFERRED, 1);
	}
	/* kallsyms' own address: link-time, through the banner's offset. */
	c.lc_has_kallsyms = d->d_bva;
	c.lc_kallsyms = d->d_kallsyms.ks_token_table - d->d_b.lb_pa +
	    d->d_banner_va - d->d_slide;
	if (lprof_btf(d->d_prof) != NULL &&
	    (raw = lbtf_data(lprof_btf(d->d_prof), &len)) != NULL) {
		c.lc_btf = (void *)raw;
		c.lc_btf_len = len;
	}
	(void) lcache_store(d->d_cache_dir, &c, d->d_cache_why,
	    sizeof (d->d_cache_why));
	lprof_free(c.lc_prof);
}

/*
 * Step 8: no BTF and no layout for the views (a kernel like Debian's
 * 686-pae): infer it from the kernel's objects (linux_infer.c).  A
 * cached profile brings the inferred members along, so this runs once
 * per kernel.
 */
static void
ld_infer(struct ld *d, struct linux_kernel *lk)
{
	uint64_t off, size;

	if (lprof_btf(d->d_prof) != NULL || lprof_member(d->d_prof,
	    "task_struct", "tasks", &off, &size) == 0)
		return;
	if (linfer_run(lk, d->d_infer_why, sizeof (d->d_infer_why)) != 0) {
		d->d_inferred = true;
		ld_source(d, "inferred");
	}
}

/* Why the kernel space is missing, and what to try. */
static void
ld_no_space(struct ld *d)
{
	char where[96];

	if (d->d_banner)
		(void) snprintf(where, sizeof (where), "banner found at pa "
		    "%#" PRIx64, d->d_b.lb_pa);
	else
		(void) snprintf(where, sizeof (where), "no banner found");
	ld_fail(d, "Linux %s in %s: no page tables to read it through: %s%s, "
	    "%s, %s; %s",
	    d->d_vmci ? d->d_vi.lv_release : d->d_banner ?
	    d->d_b.lb_release : "(release unknown)", guest_name(d->d_g),
	    d->d_regs ? "vCPU registers that do not map the banner" :
	    "no vCPU registers", d->d_vmci ? ", VMCOREINFO without a usable "
	    "page-table root" : ", no VMCOREINFO", where,
	    d->d_ks ? "kallsyms found" : d->d_ks_why[0] != '\0' ? d->d_ks_why :
	    "kallsyms not found",
	    "pass a System.map (--system-map) or a vmlinux (--vmlinux) of "
	    "this kernel");
}

static void
ld_free(struct ld *d)
{
	if (d->d_ks)
		lksyms_fini(&d->d_kallsyms);
	lcache_fini(&d->d_cache);
	free(d);
}

struct linux_kernel *
linux_open(struct guest *g, const struct linux_opts *opts, char *errbuf,
    size_t errlen)
{
	struct linux_opts o;
	struct linux_kernel *lk = NULL;
	struct ld *d;
	const char *release, *banner;
	uint64_t phys_base;
	int err = 0;

	if (errbuf != NULL && errlen > 0)
		errbuf[0] = '\0';
	if (g == NULL || (opts != NULL && opts->lo_size < sizeof (size_t))) {
		errno = EINVAL;
		return (NULL);
	}
	memset(&o, 0, sizeof (o));
	if (opts != NULL)
		memcpy(&o, opts, opts->lo_size < sizeof (o) ? opts->lo_size :
		    sizeof (o));
	if ((d = calloc(1, sizeof (*d))) == NULL ||
	    (lk = calloc(1, sizeof (*lk))) == NULL ||
	    (d->d_prof = lprof_new()) == NULL) {
		err = ENOMEM;
		goto fail;
	}
	d->d_g = g;
	d->d_opts = &o;
	d->d_err = errbuf;
	d->d_errlen = errlen;
	d->d_phys.lm_read = ld_phys_read;
	d->d_phys.lm_skip = ld_phys_skip;
	d->d_phys.lm_arg = g;
	d->d_phys.lm_end = guest_nframes(g) << 12;
	d->d_use_cache = !(o.lo_flags & LINUX_OPEN_NO_CACHE) &&
	    lcache_dir(o.lo_cache_dir, d->d_cache_dir,
	    sizeof (d->d_cache_dir)) == 0;

	ld_registers(d);
	ld_vmcoreinfo(d);
	if (d->d_regs || d->d_vmci)
		ld_space(d);
	if (d->d_vmci && d->d_vi.lv_build_id[0] != '\0')
		(void) lcache_key_build_id(d->d_vi.lv_build_id, d->d_key,
		    sizeof (d->d_key));
	ld_find_banner(d);
	if (!d->d_vmci && !d->d_banner) {
		ld_fail(d, "no Linux kernel found in %s: no VMCOREINFO (note or "
		    "page) and no \"Linux version\" banner in %" PRIu64 " MiB "
		    "of memory", guest_name(g), guest_nframes(g) >> 8);
		err = ENOENT;
		goto fail;
	}
	if (d->d_key[0] == '\0' && d->d_banner)
		lcache_key_banner(d->d_b.lb_text, d->d_key, sizeof (d->d_key));
	ld_cache_load(d);
	if (!d->d_cached) {
		ld_kallsyms(d);
		ld_slide(d);
	}
	ld_space_check(d);
	ld_banner_va(d);
	ld_space_search(d);
	if (!d->d_cached)
		ld_btf(d);
	if ((err = ld_overrides(d)) != 0)
		goto fail;
	ld_space_check(d);
	if (!d->d_space) {
		ld_no_space(d);
		err = ENOENT;
		goto fail;
	}
	if (d->d_arch == LD_ARCH_UNKNOWN) {
		ld_fail(d, "a Linux kernel in %s, but of no architecture this "
		    "code reads (x86 32-bit, PAE, 64-bit)", guest_name(g));
		err = ENOTSUP;
		goto fail;
	}
	release = d->d_vmci ? d->d_vi.lv_release : d->d_banner ?
	    d->d_b.lb_release : d->d_cached ? d->d_cache.lc_release : "";
	banner = d->d_banner ? d->d_b.lb_text : d->d_cached ?
	    d->d_cache.lc_banner : "";
	if (d->d_banner && d->d_vmci &&
	    strcmp(d->d_b.lb_release, d->d_vi.lv_release) != 0) {
		ld_fail(d, "inconsistent kernel in %s: VMCOREINFO says release "
		    "%s, the banner at pa %#" PRIx64 " says %s", guest_name(g),
		    d->d_vi.lv_release, d->d_b.lb_pa, d->d_b.lb_release);
		err = EINVAL;
		goto fail;
	}
	/* The banner's address, when no symbol table had it. */
	if (d->d_bva && lprof_symbol(d->d_prof, "linux_banner",
	    &phys_base) != 0)
		(void) lprof_set_symbol(d->d_prof, "linux_banner",
		    d->d_banner_va);
	if (!d->d_slide_known)
		d->d_slide = 0;

	lk->lk_guest = g;
	lk->lk_prof = d->d_prof;
	lk->lk_space = d->d_sp;
	lk->lk_ptr_size = d->d_arch == LD_ARCH_X64 ? 8 : 4;
	lk->lk_kaslr = d->d_slide;
	(void) snprintf(lk->lk_release, sizeof (lk->lk_release), "%s",
	    release);
	ld_infer(d, lk);
	ld_cache_store(d, release, banner);
	(void) snprintf(lk->lk_release, sizeof (lk->lk_release), "%s",
	    release);
	if ((lk->lk_banner = strdup(banner)) == NULL) {
		err = ENOMEM;
		goto fail;
	}
	(void) snprintf(lk->lk_source, sizeof (lk->lk_source), "%s",
	    d->d_source);
	/* phys_base, when VMCOREINFO did not give it: the image's offset. */
	if (d->d_arch == LD_ARCH_X64 && d->d_bva && d->d_banner &&
	    lprof_number(d->d_prof, "phys_base", &phys_base) != 0)
		(void) lprof_set_number(d->d_prof, "phys_base",
		    d->d_b.lb_pa - (d->d_banner_va - LD_X64_MAP));
	(void) lprof_set_number(d->d_prof, "KASLR_OFFSET", d->d_slide);
	d->d_prof = NULL;
	ld_free(d);
	return (lk);
fail:
	if (lk != NULL)
		free(lk->lk_banner);
	free(lk);
	if (d != NULL) {
		lprof_free(d->d_prof);
		ld_free(d);
	}
	errno = err;
	return (NULL);
}

void
linux_close(struct linux_kernel *lk)
{
	if (lk == NULL)
		return;
	lprof_free(lk->lk_prof);
	free(lk->lk_banner);
	free(lk);
}

const char *
linux_release(const struct linux_kernel *lk)
{
	return (lk->lk_release);
}

const char *
linux_banner(const struct linux_kernel *lk)
{
	return (lk->lk_banner);
}

uint64_t
linux_kaslr_offset(const struct linux_kernel *lk)
{
	return (lk->lk_kaslr);
}

const char *
linux_profile_source(const struct linux_kernel *lk)
{
	return (lk->lk_source);
}

const struct guest_space *
linux_kernel_space(const struct linux_kernel *lk)
{
	return (&lk->lk_space);
}

int
linux_symbol(const struct linux_kernel *lk, const char *name,
    uint64_t *addrp)
{
	int err;

	if (lk == NULL || name == NULL || addrp == NULL) {
		errno = EINVAL;
		return (-1);
	}
	if ((err = lprof_symbol(lk->lk_prof, name, addrp)) != 0) {
		errno = err;
		return (-1);
	}
	return (0);
}
