/*
 * xen_vcpu.h - the registers of a live domain's vCPUs.
 *
 * One porthole struct for every kind of guest: a PV guest's context comes
 * from XEN_DOMCTL_getvcpucontext (the 64-bit layout, or the 32-bit one for
 * a 32-bit PV guest), a PVH or HVM guest's from its HVM CPU save record
 * (HVM_SAVE_CODE(CPU)).  Offline vCPUs are reported as such, without
 * registers.
 *
 * Reading a running domain gives each vCPU's state at the moment it was
 * read (Xen pauses that vCPU for the copy), not one instant for all of
 * them: hold a pause guard (xen_pause.h) for a consistent view.
 *
 * What differs by kind (vr_layout):
 *	PV64, PV32	vr_cr3 and vr_user_cr3 are machine addresses (a PV
 *			guest's page tables hold machine frames); for PV32 the
 *			hypervisor's folded CR3 encoding is undone.  PV
 *			guests have no EFER of their own: a PV64 vCPU runs in
 *			long mode, so vr_efer is LME|LMA with
 *			XEN_VCPU_EFER_DERIVED set; PV32 reports 0 (derived as
 *			well).  PV32 contexts carry no segment bases
 *			(XEN_VCPU_NO_SEGBASES).  vr_cpl is 0 in guest kernel
 *			mode, 3 otherwise.
 *	HVM		(PVH too) everything as the vCPU sees it; CR3 is a
 *			guest physical address.
 *
 * Errors: -1 with errno set and the struct xen_err filled.  ENOENT for a
 * domain or vCPU that does not exist.  This header includes no Xen header.
 */
#ifndef PORTHOLE_XEN_VCPU_H
#define PORTHOLE_XEN_VCPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xen/xen_err.h"

struct xen_handle;

enum xen_vcpu_layout {
	XEN_VCPU_PV64 = 1,	/* 64-bit PV guest */
	XEN_VCPU_PV32,		/* 32-bit PV guest (compat layout) */
	XEN_VCPU_HVM		/* HVM or PVH guest: the HVM CPU record */
};

#define XEN_VCPU_EFER_DERIVED	0x1u	/* vr_efer inferred, not read */
#define XEN_VCPU_NO_SEGBASES	0x2u	/* segment bases not available */

/* Bits the checks of callers and tests use. */
#define XEN_X86_CR0_PE		(UINT64_C(1) << 0)
#define XEN_X86_CR0_PG		(UINT64_C(1) << 31)
#define XEN_X86_EFER_SCE	(UINT64_C(1) << 0)
#define XEN_X86_EFER_LME	(UINT64_C(1) << 8)
#define XEN_X86_EFER_LMA	(UINT64_C(1) << 10)
#define XEN_X86_EFER_NXE	(UINT64_C(1) << 11)

/*
 * One vCPU.  Everything but vr_vcpu, vr_online and vr_layout is zero for
 * an offline vCPU.
 *
 * vr_addr_bits	64, 32 or 16: the mode the vCPU executes in now (from
 *		EFER.LMA and CS for HVM; for PV the guest's width, and 32
 *		for a PV64 vCPU on Xen's flat 32-bit user code selector; a
 *		guest's own 32-bit code segments are not looked up)
 * vr_cpl	current privilege level (see above for PV)
 * vr_fs_base, vr_gs_base	the FS and GS bases in effect
 * vr_kernel_gs_base	the other GS base, which swapgs exchanges with
 *		vr_gs_base (MSR_KERNEL_GS_BASE): in a 64-bit kernel it holds
 *		the user's GS base while the kernel runs, and the kernel's
 *		while user code runs
 * vr_user_cr3	PV64 only: the user-mode page table (Xen keeps a 64-bit PV
 *		guest's kernel and user tables apart); vr_cr3 is the
 *		kernel's
 */
struct xen_vcpu_regs {
	unsigned int		vr_vcpu;
	bool			vr_online;
	enum xen_vcpu_layout	vr_layout;
	unsigned int		vr_flags;
	unsigned int		vr_addr_bits;
	unsigned int		vr_cpl;

	uint64_t	vr_rax, vr_rbx, vr_rcx, vr_rdx;
	uint64_t	vr_rsi, vr_rdi, vr_rbp, vr_rsp;
	uint64_t	vr_r8, vr_r9, vr_r10, vr_r11;
	uint64_t	vr_r12, vr_r13, vr_r14, vr_r15;
	uint64_t	vr_rip, vr_rflags;

	uint64_t	vr_cr0, vr_cr2, vr_cr3, vr_cr4, vr_efer;
	uint64_t	vr_user_cr3;

	uint64_t	vr_fs_base, vr_gs_base, vr_kernel_gs_base;
	uint16_t	vr_cs, vr_ss, vr_ds, vr_es, vr_fs, vr_gs;
};

/* The registers of vCPU vcpu of domain domid. */
int xen_vcpu_regs(struct xen_handle *xh, uint32_t domid, unsigned int vcpu,
    struct xen_vcpu_regs *regs, struct xen_err *err);

/*
 * Every vCPU of domain domid (0 .. max vcpu id): up to max of them to
 * regs[], their number to *countp (may exceed max).
 */
int xen_vcpu_regs_all(struct xen_handle *xh, uint32_t domid,
    struct xen_vcpu_regs *regs, size_t max, size_t *countp,
    struct xen_err *err);

/* "pv64", "pv32", "hvm" or "unknown". */
const char *xen_vcpu_layout_name(enum xen_vcpu_layout layout);

#endif /* PORTHOLE_XEN_VCPU_H */
