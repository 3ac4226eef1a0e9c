/*
 * guest/guest_impl.h -- the guest handle's insides, shared by the files
 * that implement <porthole/guest.h>:
 *	guest.c		open/close, physical reads, writes and pins
 *	guest_space.c	paging contexts, spaces, v2p, virtual reads/writes
 *	guest_live.c	the live Xen backend (domain, provider, vCPUs,
 *			pause guard, a PV guest's p2m)
 *	guest_m2p.c	machine frame -> guest frame, for PV page tables
 *	guest_dump.c	a live domain's memory written as an xc-core file
 */
#ifndef PORTHOLE_GUEST_IMPL_H
#define PORTHOLE_GUEST_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <porthole/guest.h>
#include <porthole/physwin.h>

#include "guest/image.h"
#include "guest/x86_paging.h"

struct x86_tlb;
struct guest_live;

/* Machine frame -> guest frame, sorted by machine frame. */
struct guest_m2p {
	struct image_p2m *gm_ent;	/* ip_mfn ascending */
	size_t		gm_n;
};

/* Paging contexts: one per (mode, pse, nxe). */
#define	GUEST_NCTX	((GUEST_PAGING_5LEVEL + 1) * 4)

struct guest {
	char		*g_name;
	unsigned	g_flags;	/* GUEST_OPEN_*, as checked at open */
	struct as	*g_as;
	struct physmem	*g_pm;
	struct physwin	*g_pw;
	bool		g_is_image;
	struct image	g_image;	/* an image's notes */
	struct guest_live *g_live;	/* a live domain */
	bool		g_pv;		/* page tables hold machine frames */
	struct guest_m2p g_m2p;		/* PV only */
	struct x86_tlb	*g_tlb;
	struct x86_paging g_ctx[GUEST_NCTX];
	bool		g_ctx_ok[GUEST_NCTX];
};

/*
 * How a handle is built, for benchmarks that compare the ways of doing
 * the same work: the physical window's options (NULL: defaults) and
 * whether there is a translation cache.
 */
struct guest_tuning {
	const struct physwin_opts *gt_window;
	bool		gt_no_tlb;
};
struct guest *guest__open_tuned(const char *spec, unsigned flags,
	    const struct guest_tuning *t, char *errbuf, size_t errlen);

/*
 * Whether the window takes writes: GUEST_OPEN_WRITE (live only) or
 * GUEST_OPEN_COPY (images only), which guest_open lets through only
 * where they apply.
 */
static inline bool
guest_writable(const struct guest *g)
{
	return ((g->g_flags & (GUEST_OPEN_WRITE | GUEST_OPEN_COPY)) != 0);
}

/* The live backend (guest_live.c); without Xen, open fails ENOTSUP. */
int	guest_live_open(struct guest *g, const char *spec, unsigned flags,
	    char *errbuf, size_t errlen);
void	guest_live_close(struct guest_live *gl);
int	guest_live_domid(const struct guest_live *gl);
unsigned guest_live_nvcpus(const struct guest_live *gl);
int	guest_live_vcpu_regs(struct guest_live *gl, unsigned vcpu,
	    struct guest_regs *regs);
int	guest_live_pause(struct guest_live *gl);
int	guest_live_resume(struct guest_live *gl);
void	guest_live_describe(const struct guest_live *gl, char *buf,
	    size_t len);
/* guest_dump_xc_core of a live domain: 0 or an errno, errbuf filled. */
int	guest_live_xc_core(struct guest_live *gl, int fd, const char *name,
	    int (*progress)(void *, uint64_t, uint64_t), void *arg,
	    uint64_t *pagesp, char *errbuf, size_t errlen);

/* Build g->g_m2p from pfn -> mfn pairs (any order): 0 or ENOMEM. */
int	guest_m2p_build(struct guest_m2p *m, const struct image_p2m *pairs,
	    size_t n);
void	guest_m2p_free(struct guest_m2p *m);
/* The guest frame of machine frame mfn: true, or false (none). */
bool	guest_m2p_lookup(const struct guest_m2p *m, uint64_t mfn,
	    uint64_t *pfnp);

/* guest_space.c: contexts and the translation cache, at open. */
int	guest_space_setup(struct guest *g, bool tlb);
void	guest_space_teardown(struct guest *g);
/*
 * The translation alone, as guest_vread makes it (through the handle's
 * cache when it has one), for benchmarks that time translations apart
 * from the data they lead to: 0 and the address the tables give (a
 * machine address in a gs_machine space), or an errno.
 */
int	guest__translate(struct guest *g, const struct guest_space *sp,
	    uint64_t va, uint64_t *gpap);

#endif /* PORTHOLE_GUEST_IMPL_H */
