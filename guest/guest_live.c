/*
 * guest_live.c -- the guest handle's live backend: a running Xen domain
 * named by name, id or UUID (xen/ resolves it), its memory through the
 * live provider (seg_mf/physmem_live: privcmd batches into the window),
 * its vCPUs through the hypervisor, pauses under the pause guard (a
 * killed tool never leaves the guest paused), for a PV guest the p2m
 * inverted so that page tables holding machine frames can be walked, and
 * xc-core dumps through xen/xc_core_dump.
 *
 * Without Xen in the build, opening a live domain fails with ENOTSUP and
 * says so.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest/errbuf.h"
#include "guest/guest_impl.h"

#ifdef HAVE_XEN

#include "seg_mf/physmem_live.h"
#include "xen/xc_core_dump.h"
#include "xen/xen_domain.h"
#include "xen/xen_err.h"
#include "xen/xen_pause.h"
#include "xen/xen_physmem.h"
#include "xen/xen_vcpu.h"

struct guest_live {
	struct xen_handle	*gl_xh;
	struct xen_physmem	*gl_xp;
	struct xen_pause	*gl_pause;
	struct xen_domain_info	gl_info;
};

/* The p2m as pfn -> mfn pairs, inverted into g->g_m2p. */
static int
live_m2p(struct guest *g, struct xen_physmem *xp)
{
	uint64_t n = xen_physmem_pfn_limit(xp), pfn;
	struct image_p2m *pairs;
	size_t k = 0;
	int e;

	if (n > SIZE_MAX / sizeof (*pairs) ||
	    (pairs = malloc((size_t)n * sizeof (*pairs) + 1)) == NULL)
		return (ENOMEM);
	for (pfn = 0; pfn < n; pfn++) {
		uint64_t mfn;

		if (xen_physmem_pfn_to_mfn(xp, pfn, &mfn)) {
			pairs[k].ip_pfn = pfn;
			pairs[k].ip_mfn = mfn;
			k++;
		}
	}
	e = guest_m2p_build(&g->g_m2p, pairs, k);
	free(pairs);
	return (e);
}

int
guest_live_open(struct guest *g, const char *spec, unsigned flags,
    char *errbuf, size_t errlen)
{
	struct guest_live *gl;
	struct xen_err xe = { 0 };
	uint32_t domid;
	int e;

	if ((gl = calloc(1, sizeof (*gl))) == NULL)
		return (ENOMEM);
	g->g_live = gl;
	if ((gl->gl_xh = xen_open(&xe)) == NULL ||
	    xen_domain_resolve(gl->gl_xh, spec, &domid, &xe) != 0 ||
	    xen_domain_info(gl->gl_xh, domid, &gl->gl_info, &xe) != 0 ||
	    (gl->gl_xp = xen_physmem_open(gl->gl_xh, domid, &xe)) == NULL)
		goto xen_fail;
	if ((g->g_pm = physmem_live_open(gl->gl_xp)) == NULL) {
		e = errno;
		errbuf_printf(errbuf, errlen, "domain %s: no live memory "
		    "provider: %s", spec, strerror(e));
		return (e);
	}
	if (xen_physmem_has_p2m(gl->gl_xp)) {
		g->g_pv = true;
		if ((e = live_m2p(g, gl->gl_xp)) != 0) {
			errbuf_printf(errbuf, errlen, "domain %s: no memory for "
			    "its machine-to-guest frame table", spec);
			return (e);
		}
	}
	if ((flags & GUEST_OPEN_PAUSE) && (e = guest_live_pause(gl)) != 0) {
		errbuf_printf(errbuf, errlen, "domain %s: cannot pause it: %s",
		    spec, strerror(e));
		return (e);
	}
	return (0);
xen_fail:
	e = xe.xe_errno != 0 ? xe.xe_errno : errno != 0 ? errno : EIO;
	if (xe.xe_msg[0] != '\0')
		errbuf_printf(errbuf, errlen, "%s", xe.xe_msg);
	else
		errbuf_printf(errbuf, errlen, "domain %s: %s", spec,
		    strerror(e));
	return (e);
}

void
guest_live_close(struct guest_live *gl)
{
	if (gl->gl_pause != NULL)
		(void) xen_pause_release(gl->gl_pause, NULL);
	if (gl->gl_xp != NULL)
		xen_physmem_close(gl->gl_xp);
	if (gl->gl_xh != NULL)
		xen_close(gl->gl_xh);
	free(gl);
}

int
guest_live_domid(const struct guest_live *gl)
{
	return ((int)gl->gl_info.di_domid);
}

unsigned
guest_live_nvcpus(const struct guest_live *gl)
{
	return (gl->gl_info.di_vcpus);
}

int
guest_live_vcpu_regs(struct guest_live *gl, unsigned vcpu,
    struct guest_regs *r)
{
	struct xen_vcpu_regs v;
	struct xen_err xe = { 0 };

	if (xen_vcpu_regs(gl->gl_xh, gl->gl_info.di_domid, vcpu, &v,
	    &xe) != 0)
		return (xe.xe_errno != 0 ? xe.xe_errno : EIO);
	memset(r, 0, sizeof (*r));
	r->gr_vcpu = v.vr_vcpu;
	r->gr_online = v.vr_online;
	if (!v.vr_online)
		return (0);
	r->gr_valid = GUEST_REGS_GPR | GUEST_REGS_SEG | GUEST_REGS_CR;
	if (!(v.vr_flags & XEN_VCPU_NO_SEGBASES))
		r->gr_valid |= GUEST_REGS_SEGBASE;
	if (!(v.vr_flags & XEN_VCPU_EFER_DERIVED))
		r->gr_valid |= GUEST_REGS_EFER;
	if (v.vr_layout != XEN_VCPU_HVM)
		r->gr_valid |= GUEST_REGS_PV;
	r->gr_addr_bits = v.vr_addr_bits;
	r->gr_rax = v.vr_rax; r->gr_rbx = v.vr_rbx; r->gr_rcx = v.vr_rcx;
	r->gr_rdx = v.vr_rdx; r->gr_rsi = v.vr_rsi; r->gr_rdi = v.vr_rdi;
	r->gr_rsp = v.vr_rsp; r->gr_rbp = v.vr_rbp; r->gr_r8 = v.vr_r8;
	r->gr_r9 = v.vr_r9; r->gr_r10 = v.vr_r10; r->gr_r11 = v.vr_r11;
	r->gr_r12 = v.vr_r12; r->gr_r13 = v.vr_r13; r->gr_r14 = v.vr_r14;
	r->gr_r15 = v.vr_r15; r->gr_rip = v.vr_rip;
	r->gr_rflags = v.vr_rflags;
	r->gr_cs = v.vr_cs; r->gr_ss = v.vr_ss; r->gr_ds = v.vr_ds;
	r->gr_es = v.vr_es; r->gr_fs = v.vr_fs; r->gr_gs = v.vr_gs;
	r->gr_fs_base = v.vr_fs_base; r->gr_gs_base = v.vr_gs_base;
	r->gr_kernel_gs_base = v.vr_kernel_gs_base;
	r->gr_cr0 = v.vr_cr0; r->gr_cr2 = v.vr_cr2; r->gr_cr3 = v.vr_cr3;
	r->gr_cr4 = v.vr_cr4; r->gr_efer = v.vr_efer;
	/* A PV guest runs paged with PAE (4-level when 64-bit), NX on. */
	if (v.vr_layout == XEN_VCPU_PV64) {
		r->gr_cr0 |= XEN_X86_CR0_PG | XEN_X86_CR0_PE;
		r->gr_cr4 |= (uint64_t)1 << 5;
		r->gr_efer |= XEN_X86_EFER_LME | XEN_X86_EFER_LMA |
		    XEN_X86_EFER_NXE;
	} else if (v.vr_layout == XEN_VCPU_PV32) {
		r->gr_cr0 |= XEN_X86_CR0_PG | XEN_X86_CR0_PE;
		r->gr_cr4 |= (uint64_t)1 << 5;
		r->gr_efer |= XEN_X86_EFER_NXE;
	}
	return (0);
}

int
guest_live_pause(struct guest_live *gl)
{
	struct xen_err xe = { 0 };

	if (gl->gl_pause != NULL)
		return (0);
	if ((gl->gl_pause = xen_pause_take(gl->gl_xh, gl->gl_info.di_domid,
	    0, &xe)) == NULL)
		return (xe.xe_errno != 0 ? xe.xe_errno : EIO);
	return (0);
}

int
guest_live_resume(struct guest_live *gl)
{
	struct xen_err xe = { 0 };
	struct xen_pause *p = gl->gl_pause;

	if (p == NULL)
		return (0);
	gl->gl_pause = NULL;
	if (xen_pause_release(p, &xe) != 0)
		return (xe.xe_errno != 0 ? xe.xe_errno : EIO);
	return (0);
}

void
guest_live_describe(const struct guest_live *gl, char *buf, size_t len)
{
	(void) snprintf(buf, len, "live %s domain %u (%s), %u vCPUs%s",
	    xen_domain_type_name(gl->gl_info.di_type), gl->gl_info.di_domid,
	    gl->gl_info.di_name, gl->gl_info.di_vcpus,
	    gl->gl_pause != NULL ? ", paused by porthole" : "");
}

int
guest_live_xc_core(struct guest_live *gl, int fd, const char *name,
    int (*progress)(void *, uint64_t, uint64_t), void *arg,
    uint64_t *pagesp, char *errbuf, size_t errlen)
{
	struct xc_core_dump_opts o = { .do_progress = progress,
	    .do_progress_arg = arg };
	struct xc_core_dump_stats st;
	struct xen_err xe = { 0 };
	int e;

	if (xc_core_dump(gl->gl_xh, gl->gl_info.di_domid, fd, name, &o, &st,
	    &xe) != 0) {
		e = xe.xe_errno != 0 ? xe.xe_errno : errno != 0 ? errno : EIO;
		errbuf_printf(errbuf, errlen, "%s", xen_err_msg(&xe));
		return (e);
	}
	if (pagesp != NULL)
		*pagesp = st.ds_write.ws_written;
	return (0);
}

#else /* !HAVE_XEN */

struct guest_live {
	int	gl_unused;
};

int
guest_live_open(struct guest *g, const char *spec, unsigned flags,
    char *errbuf, size_t errlen)
{
	(void) g;
	(void) flags;
	errbuf_printf(errbuf, errlen, "domain %s: this porthole was built "
	    "without Xen support (configure found no libxen-dev); open a "
	    "memory image instead", spec);
	return (ENOTSUP);
}

void
guest_live_close(struct guest_live *gl)
{
	free(gl);
}

int
guest_live_domid(const struct guest_live *gl)
{
	(void) gl;
	return (-1);
}

unsigned
guest_live_nvcpus(const struct guest_live *gl)
{
	(void) gl;
	return (0);
}

int
guest_live_vcpu_regs(struct guest_live *gl, unsigned vcpu,
    struct guest_regs *regs)
{
	(void) gl;
	(void) vcpu;
	(void) regs;
	return (ENOTSUP);
}

int
guest_live_pause(struct guest_live *gl)
{
	(void) gl;
	return (ENOTSUP);
}

int
guest_live_resume(struct guest_live *gl)
{
	(void) gl;
	return (ENOTSUP);
}

void
guest_live_describe(const struct guest_live *gl, char *buf, size_t len)
{
	(void) gl;
	(void) snprintf(buf, len, "live domain (no Xen support)");
}

int
guest_live_xc_core(struct guest_live *gl, int fd, const char *name,
    int (*progress)(void *, uint64_t, uint64_t), void *arg,
    uint64_t *pagesp, char *errbuf, size_t errlen)
{
	(void) gl;
	(void) fd;
	(void) name;
	(void) progress;
	(void) arg;
	(void) pagesp;
	errbuf_printf(errbuf, errlen, "no Xen support in this build");
	return (ENOTSUP);
}

#endif /* HAVE_XEN */
