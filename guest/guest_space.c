/*
 * guest_space.c -- translation and virtual access through a guest handle:
 * the paging contexts (one per mode and option, built at open), the
 * translation cache, spaces derived from a vCPU's registers, v2p level by
 * level, and virtual reads and writes with a partial result.
 *
 * A Xen PV guest's page tables hold machine frames: in a space marked
 * gs_machine every address the walker reads is a machine address, turned
 * into a guest frame through the guest's p2m on the way to the provider,
 * and reported as a guest physical address.
 *
 * Page-table isolation: a vCPU caught in user mode has the user half of
 * a PGD pair in CR3 (bit 12 of the table address set, the kernel half
 * 4 KiB below).  Asked for the kernel space, guest_space_vcpu takes the
 * kernel half when it maps more of the upper (kernel) half of the
 * address space than the table in CR3 does.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include <porthole/guest.h>
#include "guest/guest_impl.h"
#include "guest/x86_paging.h"
#include "guest/x86_tlb.h"

#define	GUEST_TLB_ENTRIES	16384
#define	PTI_USER_BIT		((uint64_t)1 << 12)

_Static_assert((int)GUEST_PAGING_NONE == (int)X86_PAGING_NONE &&
    (int)GUEST_PAGING_32 == (int)X86_PAGING_32 &&
    (int)GUEST_PAGING_PAE == (int)X86_PAGING_PAE &&
    (int)GUEST_PAGING_4LEVEL == (int)X86_PAGING_4LEVEL &&
    (int)GUEST_PAGING_5LEVEL == (int)X86_PAGING_5LEVEL,
    "guest and x86 paging modes agree");

static unsigned
ctx_index(enum guest_paging mode, bool pse, bool nxe)
{
	return ((unsigned)mode * 4 + (pse ? 2 : 0) + (nxe ? 1 : 0));
}

int
guest_space_setup(struct guest *g, bool tlb)
{
	unsigned m;

	for (m = GUEST_PAGING_NONE; m <= GUEST_PAGING_5LEVEL; m++) {
		unsigned o;

		for (o = 0; o < 4; o++) {
			unsigned i = ctx_index(m, (o & 2) != 0, (o & 1) != 0);

			g->g_ctx_ok[i] = x86_paging_init_mode(&g->g_ctx[i],
			    (enum x86_paging_mode)m, (o & 2) != 0,
			    (o & 1) != 0, NULL) == 0;
		}
	}
	if (tlb && (g->g_tlb = x86_tlb_create(GUEST_TLB_ENTRIES)) == NULL)
		return (errno);
	return (0);
}

void
guest_space_teardown(struct guest *g)
{
	if (g->g_tlb != NULL)
		x86_tlb_destroy(g->g_tlb);
	g->g_tlb = NULL;
}

void
guest_flush(struct guest *g)
{
	if (g->g_tlb != NULL)
		x86_tlb_flush(g->g_tlb);
}

const char *
guest_paging_name(enum guest_paging mode)
{
	return (x86_paging_mode_name((enum x86_paging_mode)mode));
}

/* What the walker reads through: the window, maybe by machine address. */
struct space_reader {
	struct guest	*sr_g;
	bool		sr_machine;
};

/* A machine address to a guest physical one: 0 or EFAULT. */
static int
space_m2p(const struct guest *g, uint64_t ma, uint64_t *gpap)
{
	uint64_t pfn;

	if (!guest_m2p_lookup(&g->g_m2p, ma >> 12, &pfn))
		return (EFAULT);
	*gpap = pfn << 12 | (ma & 0xfff);
	return (0);
}

static int
space_read(void *arg, uint64_t addr, void *buf, size_t len)
{
	struct space_reader *sr = arg;
	uint64_t gpa = addr;
	int err;

	if (sr->sr_machine && (err = space_m2p(sr->sr_g, addr, &gpa)) != 0)
		return (err);
	if (physwin_read(sr->sr_g->g_pw, gpa, buf, len, &err) == len)
		return (0);
	return (err == EINVAL ? EFAULT : err != 0 ? err : EIO);
}

/* The context for sp; NULL/EINVAL for a mode out of range. */
static const struct x86_paging *
space_ctx(const struct guest *g, const struct guest_space *sp)
{
	unsigned i;

	if ((unsigned)sp->gs_mode > GUEST_PAGING_5LEVEL)
		return (NULL);
	i = ctx_index(sp->gs_mode, sp->gs_pse, sp->gs_nxe);
	return (g->g_ctx_ok[i] ? &g->g_ctx[i] : NULL);
}

static bool
space_begin(struct guest *g, const struct guest_space *sp,
    struct space_reader *sr, struct x86_physread *pr,
    const struct x86_paging **xpp)
{
	if ((*xpp = space_ctx(g, sp)) == NULL ||
	    (sp->gs_machine && !g->g_pv))
		return (false);
	sr->sr_g = g;
	sr->sr_machine = sp->gs_machine;
	memset(pr, 0, sizeof (*pr));
	pr->pr_read = space_read;
	pr->pr_arg = sr;
	return (true);
}

static int
fault_errno(enum x86_fault f, int walk_errno)
{
	switch (f) {
	case X86_FAULT_NONE:
		return (0);
	case X86_FAULT_TABLE_UNREADABLE:
	case X86_FAULT_DATA_UNREADABLE:
		return (walk_errno == EFAULT ? EFAULT :
		    walk_errno == ENXIO ? ENXIO : EIO);
	default:
		return (EFAULT);
	}
}

/* A walk's fault as a guest_fault (gf_addr: va). */
static void
fault_from_walk(const struct guest *g, const struct guest_space *sp,
    const struct x86_walk *w, uint64_t va, struct guest_fault *why)
{
	if (why == NULL)
		return;
	why->gf_addr = va;
	why->gf_pa = ~(uint64_t)0;
	why->gf_errno = fault_errno(w->xw_fault, w->xw_errno);
	why->gf_level = w->xw_fault_level;
	why->gf_what = x86_fault_name(w->xw_fault);
	if (w->xw_fault == X86_FAULT_DATA_UNREADABLE) {
		uint64_t gpa = w->xw_fault_gpa;

		if (!sp->gs_machine || space_m2p(g, gpa, &gpa) == 0)
			why->gf_pa = gpa;
	}
}

int
guest_v2p(struct guest *g, const struct guest_space *sp, uint64_t va,
    struct guest_v2p *out)
{
	struct space_reader sr;
	struct x86_physread pr;
	const struct x86_paging *xp;
	struct x86_walk w;
	unsigned i;

	memset(out, 0, sizeof (*out));
	out->v_va = va;
	if (!space_begin(g, sp, &sr, &pr, &xp)) {
		errno = EINVAL;
		return (-1);
	}
	(void) x86_walk_va(xp, &pr, x86_paging_root(xp, sp->gs_cr3), va, &w);
	out->v_nlevels = w.xw_nlevels;
	for (i = 0; i < w.xw_nlevels && i < GUEST_V2P_MAX_LEVELS; i++) {
		out->v_levels[i].l_level = w.xw_levels[i].wl_level;
		out->v_levels[i].l_entry_pa = w.xw_levels[i].wl_entry_gpa;
		out->v_levels[i].l_entry = w.xw_levels[i].wl_entry;
		if (sp->gs_machine)
			(void) space_m2p(g, w.xw_levels[i].wl_entry_gpa,
			    &out->v_levels[i].l_entry_pa);
	}
	if (w.xw_fault != X86_FAULT_NONE) {
		fault_from_walk(g, sp, &w, va, &out->v_fault);
		return (0);
	}
	out->v_pa = w.xw_pa;
	if (sp->gs_machine && space_m2p(g, w.xw_pa, &out->v_pa) != 0) {
		out->v_fault.gf_addr = va;
		out->v_fault.gf_pa = ~(uint64_t)0;
		out->v_fault.gf_errno = EFAULT;
		out->v_fault.gf_what = "machine frame not the guest's";
		return (0);
	}
	out->v_page_size = w.xw_page_size;
	out->v_flags = w.xw_flags & (GUEST_V2P_W | GUEST_V2P_U |
	    GUEST_V2P_NX);
	out->v_fault.gf_pa = out->v_pa;
	return (0);
}

/* guest_space_mappings' state across x86_enum's callbacks. */
struct space_enum {
	struct guest	*se_g;
	bool		se_machine;
	int		(*se_cb)(const struct guest_mapping *, void *);
	void		*se_arg;
	int		se_rc;		/* the caller's callback stopped us */
};

static int
space_enum_one(void *arg, const struct x86_mapping *m)
{
	struct space_enum *se = arg;
	struct guest_mapping gm;
	uint64_t off;
	int rc;

	gm.gm_flags = m->xm_flags & (GUEST_V2P_W | GUEST_V2P_U |
	    GUEST_V2P_NX);
	if (!se->se_machine) {
		gm.gm_va = m->xm_va;
		gm.gm_pa = m->xm_pa;
		gm.gm_size = m->xm_size;
		if ((rc = se->se_cb(&gm, se->se_arg)) != 0) {
			se->se_rc = rc;
			return (-1);
		}
		return (0);
	}
	/*
	 * Machine frames: each 4 KiB frame of a large page has its own
	 * guest frame (a PV guest's large pages are rare; none is 1 GiB).
	 */
	gm.gm_size = 4096;
	for (off = 0; off < m->xm_size; off += 4096) {
		if (space_m2p(se->se_g, m->xm_pa + off, &gm.gm_pa) != 0)
			continue;	/* not the guest's frame */
		gm.gm_va = m->xm_va + off;
		if ((rc = se->se_cb(&gm, se->se_arg)) != 0) {
			se->se_rc = rc;
			return (-1);
		}
	}
	return (0);
}

int
guest_space_mappings(struct guest *g, const struct guest_space *sp,
    uint64_t start, uint64_t last,
    int (*cb)(const struct guest_mapping *, void *), void *arg)
{
	struct space_enum se = { .se_g = g, .se_cb = cb, .se_arg = arg };
	struct x86_enum_opts eo = { .xo_skip_recursive = true };
	struct space_reader sr;
	struct x86_physread pr;
	const struct x86_paging *xp;
	int rc;

	if (cb == NULL || start > last ||
	    !space_begin(g, sp, &sr, &pr, &xp)) {
		errno = EINVAL;
		return (-1);
	}
	se.se_machine = sp->gs_machine;
	rc = x86_enum(xp, &pr, x86_paging_root(xp, sp->gs_cr3), start, last,
	    &eo, space_enum_one, &se, NULL);
	if (se.se_rc != 0)
		return (se.se_rc);
	if (rc != 0) {
		errno = rc;
		return (-1);
	}
	return (0);
}

static void
fault_clear(struct guest_fault *why, uint64_t end)
{
	if (why == NULL)
		return;
	memset(why, 0, sizeof (*why));
	why->gf_addr = end;
	why->gf_pa = ~(uint64_t)0;
	why->gf_what = "";
}

/* A fault at va that no walk describes. */
static void
fault_set(struct guest_fault *why, uint64_t va, int err, const char *what)
{
	if (why == NULL)
		return;
	fault_clear(why, va);
	why->gf_errno = err;
	why->gf_what = what;
}

int
guest__translate(struct guest *g, const struct guest_space *sp, uint64_t va,
    uint64_t *gpap)
{
	struct space_reader sr;
	struct x86_physread pr;
	const struct x86_paging *xp;
	struct x86_xlate xl;
	struct x86_walk w;

	if (!space_begin(g, sp, &sr, &pr, &xp))
		return (EINVAL);
	if (x86_translate(xp, &pr, g->g_tlb, x86_paging_root(xp, sp->gs_cr3),
	    va, &xl, &w) != X86_FAULT_NONE)
		return (EFAULT);
	*gpap = xl.xl_pa;
	return (0);
}

size_t
guest_vread(struct guest *g, const struct guest_space *sp, uint64_t va,
    void *buf, size_t len, struct guest_fault *why)
{
	struct space_reader sr;
	struct x86_physread pr;
	const struct x86_paging *xp;
	struct x86_walk w;
	size_t done;

	if (!space_begin(g, sp, &sr, &pr, &xp)) {
		fault_set(why, va, EINVAL, "unusable address space");
		return (0);
	}
	done = x86_vread(xp, &pr, g->g_tlb, x86_paging_root(xp, sp->gs_cr3),
	    va, buf, len, &w);
	if (done == len)
		fault_clear(why, va + done);
	else
		fault_from_walk(g, sp, &w, w.xw_va, why);
	return (done);
}

size_t
guest_vwrite(struct guest *g, const struct guest_space *sp, uint64_t va,
    const void *buf, size_t len, struct guest_fault *why)
{
	struct space_reader sr;
	struct x86_physread pr;
	const struct x86_paging *xp;
	const unsigned char *src = buf;
	size_t done = 0;

	if (!space_begin(g, sp, &sr, &pr, &xp)) {
		fault_set(why, va, EINVAL, "unusable address space");
		return (0);
	}
	while (done < len) {
		uint64_t cur = va + done, gpa;
		size_t n = (size_t)(4096 - (cur & 4095));
		struct x86_xlate xl;
		struct x86_walk w;
		struct guest_fault pf;

		if (n > len - done)
			n = len - done;
		if (x86_translate(xp, &pr, g->g_tlb,
		    x86_paging_root(xp, sp->gs_cr3), cur, &xl, &w) !=
		    X86_FAULT_NONE) {
			fault_from_walk(g, sp, &w, cur, why);
			return (done);
		}
		gpa = xl.xl_pa;
		if (sp->gs_machine && space_m2p(g, gpa, &gpa) != 0) {
			fault_set(why, cur, EFAULT, "machine frame not the "
			    "guest's");
			return (done);
		}
		if (guest_pwrite(g, gpa, src + done, n, &pf) != n) {
			if (why != NULL) {
				*why = pf;
				why->gf_addr = cur;
				why->gf_pa = gpa;
			}
			return (done);
		}
		done += n;
	}
	fault_clear(why, va + done);
	return (done);
}

/* Present entries in the upper half of the top-level table at root. */
static unsigned
upper_present(struct guest *g, const struct x86_paging *xp, uint64_t root,
    bool machine)
{
	uint64_t ent[256];
	uint64_t gpa = root + 256 * 8;
	unsigned i, n = 0;
	int err;

	if (machine && space_m2p(g, gpa, &gpa) != 0)
		return (0);
	if (xp->xp_entry_size != 8 ||
	    physwin_read(g->g_pw, gpa, ent, sizeof (ent), &err) !=
	    sizeof (ent))
		return (0);
	for (i = 0; i < 256; i++)
		n += (ent[i] & 1) != 0;
	return (n);
}

int
guest_space_vcpu(struct guest *g, unsigned vcpu, bool kernel,
    struct guest_space *sp)
{
	struct guest_regs r;
	struct x86_paging xp;
	uint64_t efer;

	if (guest_vcpu_regs(g, vcpu, &r) != 0)
		return (-1);
	if (!r.gr_online || !(r.gr_valid & GUEST_REGS_CR)) {
		errno = ENODATA;
		return (-1);
	}
	efer = r.gr_efer;
	if (x86_paging_init(&xp, r.gr_cr0, r.gr_cr4, efer, NULL) != 0) {
		errno = EINVAL;
		return (-1);
	}
	memset(sp, 0, sizeof (*sp));
	sp->gs_mode = (enum guest_paging)xp.xp_mode;
	sp->gs_pse = xp.xp_pse;
	sp->gs_nxe = xp.xp_nxe;
	sp->gs_machine = (r.gr_valid & GUEST_REGS_PV) != 0 && g->g_pv;
	sp->gs_cr3 = r.gr_cr3;
	if (kernel && xp.xp_levels >= 4 && !sp->gs_machine) {
		uint64_t root = x86_paging_root(&xp, r.gr_cr3);

		if ((root & PTI_USER_BIT) != 0 &&
		    upper_present(g, &xp, root & ~PTI_USER_BIT, false) >
		    upper_present(g, &xp, root, false))
			sp->gs_cr3 = root & ~PTI_USER_BIT;
	}
	return (0);
}
