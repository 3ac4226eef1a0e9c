/*
 * image_xc_core.c -- the xc-core opener (`xl dump-core`): one validated
 * reader (xen/xc_core.h) gives the provider (physmem_xc_core.c), the vCPU
 * registers of .xen_prstatus and, for a PV guest, the p2m of .xen_p2m.
 *
 * A PV guest's page tables and CR3 hold machine frames: its vCPUs carry
 * GUEST_REGS_PV and im_p2m lists each pfn's machine frame (sorted by
 * pfn), so the guest layer can turn machine frames back into pfns.  The
 * decoding of Xen's context layouts lives in xen/ (xc_core_vcpus); this
 * file only turns its neutral struct into struct guest_regs.  EFER is in
 * no context: gr_efer holds what xen/ derived and GUEST_REGS_EFER stays
 * clear.
 *
 * Non-goals: the shared-info page, the FPU and debug registers.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "guest/image.h"
#include "guest/image_impl.h"
#include "xen/xc_core.h"
#include "xen/xen_vcpu.h"

static void
xccore_regs(const struct xen_vcpu_regs *v, struct guest_regs *g)
{
	memset(g, 0, sizeof (*g));
	g->gr_vcpu = v->vr_vcpu;
	g->gr_online = v->vr_online;
	if (!v->vr_online)
		return;
	g->gr_valid = GUEST_REGS_GPR | GUEST_REGS_SEG | GUEST_REGS_CR;
	if ((v->vr_flags & XEN_VCPU_NO_SEGBASES) == 0)
		g->gr_valid |= GUEST_REGS_SEGBASE;
	if (v->vr_layout == XEN_VCPU_PV64 || v->vr_layout == XEN_VCPU_PV32)
		g->gr_valid |= GUEST_REGS_PV;
	g->gr_addr_bits = v->vr_addr_bits;
	g->gr_rax = v->vr_rax;
	g->gr_rbx = v->vr_rbx;
	g->gr_rcx = v->vr_rcx;
	g->gr_rdx = v->vr_rdx;
	g->gr_rsi = v->vr_rsi;
	g->gr_rdi = v->vr_rdi;
	g->gr_rsp = v->vr_rsp;
	g->gr_rbp = v->vr_rbp;
	g->gr_r8 = v->vr_r8;
	g->gr_r9 = v->vr_r9;
	g->gr_r10 = v->vr_r10;
	g->gr_r11 = v->vr_r11;
	g->gr_r12 = v->vr_r12;
	g->gr_r13 = v->vr_r13;
	g->gr_r14 = v->vr_r14;
	g->gr_r15 = v->vr_r15;
	g->gr_rip = v->vr_rip;
	g->gr_rflags = v->vr_rflags;
	g->gr_cs = v->vr_cs;
	g->gr_ss = v->vr_ss;
	g->gr_ds = v->vr_ds;
	g->gr_es = v->vr_es;
	g->gr_fs = v->vr_fs;
	g->gr_gs = v->vr_gs;
	g->gr_fs_base = v->vr_fs_base;
	g->gr_gs_base = v->vr_gs_base;
	g->gr_kernel_gs_base = v->vr_kernel_gs_base;
	g->gr_cr0 = v->vr_cr0;
	g->gr_cr2 = v->vr_cr2;
	g->gr_cr3 = v->vr_cr3;
	g->gr_cr4 = v->vr_cr4;
	g->gr_efer = v->vr_efer;
}

static int
xccore_vcpus(struct xc_core *core, const char *path, struct image *im,
    char *errbuf, size_t errlen)
{
	struct xen_vcpu_regs *regs;
	struct xen_err xe;
	size_t n, i;

	xen_err_clear(&xe);
	if (xc_core_vcpus(core, &regs, &n, &xe) < 0)
		return (image_fail(errbuf, errlen, xe.xe_errno, "%s",
		    xen_err_msg(&xe)));
	if (n > IMAGE_MAX_VCPUS) {
		free(regs);
		return (image_fail(errbuf, errlen, EINVAL, "%s: not a valid "
		    "xc-core file: %zu vCPUs (at most %u)", path, n,
		    IMAGE_MAX_VCPUS));
	}
	if (n > 0 && (im->im_vcpus = calloc(n, sizeof (*im->im_vcpus))) ==
	    NULL) {
		free(regs);
		return (image_fail(errbuf, errlen, ENOMEM, "%s: out of memory "
		    "for %zu vCPUs", path, n));
	}
	for (i = 0; i < n; i++)
		xccore_regs(&regs[i], &im->im_vcpus[i]);
	im->im_nvcpus = (unsigned)n;
	free(regs);
	return (0);
}

static int
xccore_p2m(struct xc_core *core, const char *path, struct image *im,
    char *errbuf, size_t errlen)
{
	uint64_t n = xc_core_info(core)->ci_nr_valid, *pfns, *mfns, k;
	struct xen_err xe;
	int rv = 0;

	if (n > SIZE_MAX / sizeof (*im->im_p2m))
		return (image_fail(errbuf, errlen, EFBIG, "%s: a p2m of %"
		    PRIu64 " entries does not fit in memory", path, n));
	pfns = malloc((size_t)n * sizeof (uint64_t) + 1);
	mfns = malloc((size_t)n * sizeof (uint64_t) + 1);
	im->im_p2m = malloc((size_t)n * sizeof (*im->im_p2m) + 1);
	if (pfns == NULL || mfns == NULL || im->im_p2m == NULL) {
		rv = image_fail(errbuf, errlen, ENOMEM, "%s: out of memory for "
		    "a p2m of %" PRIu64 " entries", path, n);
		goto out;
	}
	xen_err_clear(&xe);
	if (xc_core_p2m(core, pfns, mfns, &xe) < 0) {
		rv = image_fail(errbuf, errlen, xe.xe_errno, "%s",
		    xen_err_msg(&xe));
		goto out;
	}
	for (k = 0; k < n; k++) {
		im->im_p2m[k].ip_pfn = pfns[k];
		im->im_p2m[k].ip_mfn = mfns[k];
	}
	im->im_np2m = (size_t)n;
out:
	free(pfns);
	free(mfns);
	return (rv);
}

int
image_open_xc_core(int fd, const char *path, bool writable,
    struct image *im, char *errbuf, size_t errlen)
{
	struct xc_core *core;
	struct xen_err xe;
	int dfd, e;

	(void) writable;	/* the file-extent core maps copies on write */
	if ((dfd = fcntl(fd, F_DUPFD_CLOEXEC, 0)) < 0) {
		e = errno;
		return (image_fail(errbuf, errlen, e, "%s: %s", path,
		    strerror(e)));
	}
	xen_err_clear(&xe);
	if ((core = xc_core_fdopen(dfd, path, &xe)) == NULL)
		return (image_fail(errbuf, errlen, xe.xe_errno != 0 ?
		    xe.xe_errno : EIO, "%s", xen_err_msg(&xe)));
	im->im_format = IMAGE_XC_CORE;
	im->im_pv = !xc_core_info(core)->ci_hvm;
	if ((e = xccore_vcpus(core, path, im, errbuf, errlen)) != 0 ||
	    (im->im_pv && (e = xccore_p2m(core, path, im, errbuf,
	    errlen)) != 0)) {
		xc_core_close(core);
		return (e);
	}
	if ((im->im_pm = physmem_xc_core_adopt(core, path, &xe)) == NULL)
		return (image_fail(errbuf, errlen, xe.xe_errno != 0 ?
		    xe.xe_errno : EIO, "%s", xen_err_msg(&xe)));
	return (0);
}
