/*
 * xen_vcpu.c - the registers of a live domain's vCPUs (see xen_vcpu.h).
 *
 * The conversions from Xen's three layouts (xen__vcpu_from_pv64/pv32/hvm)
 * take the Xen structures and nothing else, so xen/xen_vcpu_test.c
 * checks them on synthetic contexts.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "xen/xen_impl.h"
#include "xen/xen_vcpu.h"

#include <xen/hvm/save.h>

/* Segment attribute bits of the HVM save record's *_arbytes. */
#define XEN__AR_DPL_SHIFT	5
#define XEN__AR_L		(1u << 9)
#define XEN__AR_DB		(1u << 10)

/* Xen's flat 32-bit user code selector for 64-bit PV guests. */
#define XEN__FLAT_USER_CS32	0xe023

const char *
xen_vcpu_layout_name(enum xen_vcpu_layout layout)
{
	switch (layout) {
	case XEN_VCPU_PV64:
		return "pv64";
	case XEN_VCPU_PV32:
		return "pv32";
	case XEN_VCPU_HVM:
		return "hvm";
	}
	return "unknown";
}

void
xen__vcpu_from_pv64(const vcpu_guest_context_x86_64_t *c,
    struct xen_vcpu_regs *r)
{
	const struct cpu_user_regs_x86_64 *u = &c->user_regs;
	bool kernel = (c->flags & VGCF_in_kernel) != 0;

	r->vr_layout = XEN_VCPU_PV64;
	r->vr_rax = u->rax;
	r->vr_rbx = u->rbx;
	r->vr_rcx = u->rcx;
	r->vr_rdx = u->rdx;
	r->vr_rsi = u->rsi;
	r->vr_rdi = u->rdi;
	r->vr_rbp = u->rbp;
	r->vr_rsp = u->rsp;
	r->vr_r8 = u->r8;
	r->vr_r9 = u->r9;
	r->vr_r10 = u->r10;
	r->vr_r11 = u->r11;
	r->vr_r12 = u->r12;
	r->vr_r13 = u->r13;
	r->vr_r14 = u->r14;
	r->vr_r15 = u->r15;
	r->vr_rip = u->rip;
	r->vr_rflags = u->rflags;
	r->vr_cs = u->cs;
	r->vr_ss = u->ss;
	r->vr_ds = u->ds;
	r->vr_es = u->es;
	r->vr_fs = u->fs;
	r->vr_gs = u->gs;
	r->vr_cr0 = c->ctrlreg[0];
	r->vr_cr2 = c->ctrlreg[2];
	r->vr_cr3 = c->ctrlreg[3];
	r->vr_user_cr3 = c->ctrlreg[1];
	r->vr_cr4 = c->ctrlreg[4];
	r->vr_efer = XEN_X86_EFER_LME | XEN_X86_EFER_LMA;
	r->vr_flags |= XEN_VCPU_EFER_DERIVED;
	r->vr_fs_base = c->fs_base;
	r->vr_gs_base = kernel ? c->gs_base_kernel : c->gs_base_user;
	r->vr_kernel_gs_base = kernel ? c->gs_base_user : c->gs_base_kernel;
	r->vr_cpl = kernel ? 0 : 3;
	r->vr_addr_bits = !kernel && u->cs == XEN__FLAT_USER_CS32 ? 32 : 64;
}

void
xen__vcpu_from_pv32(const vcpu_guest_context_x86_32_t *c,
    struct xen_vcpu_regs *r)
{
	const struct cpu_user_regs_x86_32 *u = &c->user_regs;
	uint32_t pfn;

	r->vr_layout = XEN_VCPU_PV32;
	r->vr_rax = u->eax;
	r->vr_rbx = u->ebx;
	r->vr_rcx = u->ecx;
	r->vr_rdx = u->edx;
	r->vr_rsi = u->esi;
	r->vr_rdi = u->edi;
	r->vr_rbp = u->ebp;
	r->vr_rsp = u->esp;
	r->vr_rip = u->eip;
	r->vr_rflags = u->eflags;
	r->vr_cs = u->cs;
	r->vr_ss = u->ss;
	r->vr_ds = u->ds;
	r->vr_es = u->es;
	r->vr_fs = u->fs;
	r->vr_gs = u->gs;
	r->vr_cr0 = c->ctrlreg[0];
	r->vr_cr2 = c->ctrlreg[2];
	/* The compat ABI folds frame bits above 4 GiB into CR3's low bits. */
	pfn = xen_cr3_to_pfn_x86_32(c->ctrlreg[3]);
	r->vr_cr3 = (uint64_t)pfn << 12;
	r->vr_cr4 = c->ctrlreg[4];
	r->vr_efer = 0;
	r->vr_flags |= XEN_VCPU_EFER_DERIVED | XEN_VCPU_NO_SEGBASES;
	r->vr_cpl = (u->cs & 3) == 3 ? 3 : 0;
	r->vr_addr_bits = 32;
}

void
xen__vcpu_from_hvm(const struct hvm_hw_cpu *c, struct xen_vcpu_regs *r)
{
	r->vr_layout = XEN_VCPU_HVM;
	r->vr_rax = c->rax;
	r->vr_rbx = c->rbx;
	r->vr_rcx = c->rcx;
	r->vr_rdx = c->rdx;
	r->vr_rsi = c->rsi;
	r->vr_rdi = c->rdi;
	r->vr_rbp = c->rbp;
	r->vr_rsp = c->rsp;
	r->vr_r8 = c->r8;
	r->vr_r9 = c->r9;
	r->vr_r10 = c->r10;
	r->vr_r11 = c->r11;
	r->vr_r12 = c->r12;
	r->vr_r13 = c->r13;
	r->vr_r14 = c->r14;
	r->vr_r15 = c->r15;
	r->vr_rip = c->rip;
	r->vr_rflags = c->rflags;
	r->vr_cs = (uint16_t)c->cs_sel;
	r->vr_ss = (uint16_t)c->ss_sel;
	r->vr_ds = (uint16_t)c->ds_sel;
	r->vr_es = (uint16_t)c->es_sel;
	r->vr_fs = (uint16_t)c->fs_sel;
	r->vr_gs = (uint16_t)c->gs_sel;
	r->vr_cr0 = c->cr0;
	r->vr_cr2 = c->cr2;
	r->vr_cr3 = c->cr3;
	r->vr_cr4 = c->cr4;
	r->vr_efer = c->msr_efer;
	r->vr_fs_base = c->fs_base;
	r->vr_gs_base = c->gs_base;
	r->vr_kernel_gs_base = c->shadow_gs;
	if (!(c->cr0 & XEN_X86_CR0_PE)) {
		r->vr_cpl = 0;
		r->vr_addr_bits = 16;
	} else {
		r->vr_cpl = (c->ss_arbytes >> XEN__AR_DPL_SHIFT) & 3;
		if ((c->msr_efer & XEN_X86_EFER_LMA) &&
		    (c->cs_arbytes & XEN__AR_L))
			r->vr_addr_bits = 64;
		else
			r->vr_addr_bits = (c->cs_arbytes & XEN__AR_DB) ? 32 : 16;
	}
}

/*
 * The registers of one vCPU of a domain already described by di, whose
 * vCPUs have the given layout.
 */
static int
xen__vcpu_read(struct xen_handle *xh, const struct xen_domain_info *di,
    enum xen_vcpu_layout layout, unsigned int vcpu,
    struct xen_vcpu_regs *regs, struct xen_err *err)
{
	vcpu_guest_context_any_t ctx;
	struct xen_domain_info now;
	struct hvm_hw_cpu cpu;
	xc_vcpuinfo_t vi;
	char tail[300];
	int e;

	memset(regs, 0, sizeof(*regs));
	regs->vr_vcpu = vcpu;
	regs->vr_layout = layout;
	if (xc_vcpu_getinfo(xh->xh_xc, di->di_domid, vcpu, &vi) < 0) {
		e = errno;
		if ((e == ESRCH || e == ENOENT) &&
		    xen__getinfo(xh, di->di_domid, &now, err) == 0)
			return 0;	/* no such vCPU was ever made: offline */
		if (e == ESRCH || e == ENOENT)
			return -1;	/* the domain is gone (err says so) */
		return xen_err_set(err, e, "reading the state of vCPU %u of "
		    "domain %" PRIu32 ": %s%s", vcpu, di->di_domid,
		    strerror(e), xen__logger_tail(&xh->xh_log, tail,
		    sizeof(tail)));
	}
	if (!vi.online)
		return 0;		/* offline: no registers to speak of */
	regs->vr_online = true;

	if (layout == XEN_VCPU_HVM) {
		memset(&cpu, 0, sizeof(cpu));
		if (xc_domain_hvm_getcontext_partial(xh->xh_xc, di->di_domid,
		    HVM_SAVE_CODE(CPU), (uint16_t)vcpu, &cpu,
		    sizeof(cpu)) < 0) {
			e = errno;
			return xen_err_set(err, e, "reading the registers of "
			    "vCPU %u of %s domain %" PRIu32 " (HVM CPU record): "
			    "%s%s", vcpu, xen_domain_type_name(di->di_type),
			    di->di_domid, strerror(e), xen__logger_tail(
			    &xh->xh_log, tail, sizeof(tail)));
		}
		xen__vcpu_from_hvm(&cpu, regs);
		return 0;
	}

	memset(&ctx, 0, sizeof(ctx));
	if (xc_vcpu_getcontext(xh->xh_xc, di->di_domid, vcpu, &ctx) < 0) {
		e = errno;
		return xen_err_set(err, e, "reading the registers of vCPU %u "
		    "of PV domain %" PRIu32 ": %s%s", vcpu, di->di_domid,
		    strerror(e), xen__logger_tail(&xh->xh_log, tail,
		    sizeof(tail)));
	}
	if (layout == XEN_VCPU_PV32)
		xen__vcpu_from_pv32(&ctx.x32, regs);
	else
		xen__vcpu_from_pv64(&ctx.x64, regs);
	return 0;
}

/* Describe the domain and decide the layout of its vCPU contexts. */
static int
xen__vcpu_layout(struct xen_handle *xh, uint32_t domid,
    struct xen_domain_info *di, enum xen_vcpu_layout *layoutp,
    struct xen_err *err)
{
	unsigned int width;
	char tail[300];
	int e;

	if (xen__getinfo(xh, domid, di, err) < 0)
		return -1;
	if (di->di_type != XEN_DOMAIN_PV) {
		*layoutp = XEN_VCPU_HVM;
		return 0;
	}
	if (xc_domain_get_guest_width(xh->xh_xc, domid, &width) < 0) {
		e = errno;
		return xen_err_set(err, e, "reading the guest width of PV "
		    "domain %" PRIu32 ": %s%s", domid, strerror(e),
		    xen__logger_tail(&xh->xh_log, tail, sizeof(tail)));
	}
	switch (width) {
	case 8:
		*layoutp = XEN_VCPU_PV64;
		return 0;
	case 4:
		*layoutp = XEN_VCPU_PV32;
		return 0;
	}
	return xen_err_set(err, ENOTSUP, "PV domain %" PRIu32 " has a guest "
	    "width of %u bytes: porthole reads 32- and 64-bit PV contexts",
	    domid, width);
}

int
xen_vcpu_regs(struct xen_handle *xh, uint32_t domid, unsigned int vcpu,
    struct xen_vcpu_regs *regs, struct xen_err *err)
{
	struct xen_domain_info di;
	enum xen_vcpu_layout layout;

	if (xh == NULL || regs == NULL)
		return xen_err_set(err, EINVAL, "xen_vcpu_regs: NULL argument");
	if (xen__vcpu_layout(xh, domid, &di, &layout, err) < 0)
		return -1;
	if (vcpu >= di.di_vcpus)
		return xen_err_set(err, ENOENT, "domain %" PRIu32 " has no vCPU "
		    "%u (its vCPUs are 0..%u)", domid, vcpu, di.di_vcpus - 1);
	if (xen__vcpu_read(xh, &di, layout, vcpu, regs, err) < 0)
		return -1;
	xen_err_clear(err);
	return 0;
}

int
xen_vcpu_regs_all(struct xen_handle *xh, uint32_t domid,
    struct xen_vcpu_regs *regs, size_t max, size_t *countp,
    struct xen_err *err)
{
	struct xen_domain_info di;
	enum xen_vcpu_layout layout;
	unsigned int v;

	if (xh == NULL || countp == NULL || (regs == NULL && max > 0))
		return xen_err_set(err, EINVAL, "xen_vcpu_regs_all: bad "
		    "argument");
	if (xen__vcpu_layout(xh, domid, &di, &layout, err) < 0)
		return -1;
	for (v = 0; v < di.di_vcpus && v < max; v++)
		if (xen__vcpu_read(xh, &di, layout, v, &regs[v], err) < 0)
			return -1;
	*countp = di.di_vcpus;
	xen_err_clear(err);
	return 0;
}
