/*
 * xen_vcpu_test - the conversions from Xen's three vCPU context layouts
 * into struct xen_vcpu_regs (xen/xen_vcpu.c), on synthetic contexts: no
 * hypervisor needed.  Every register gets a distinct value, so a field
 * copied from the wrong place shows.  It builds Xen's own context
 * structures, so it includes the Xen headers and xen_impl.h: that is why
 * it lives in xen/ beside the code (only xen/ and seg_mf/ include Xen
 * headers) and is built from xen/local.mk, not tests/.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "tests/test.h"
#include "xen/xen_impl.h"
#include "xen/xen_vcpu.h"

#include <xen/hvm/save.h>

/* A distinct value for register number i. */
#define V(i)	(UINT64_C(0x1111000000000000) + (uint64_t)(i) * 0x101)

static void
test_pv64(void)
{
	vcpu_guest_context_x86_64_t c;
	struct xen_vcpu_regs r;

	memset(&c, 0, sizeof(c));
	c.user_regs.rax = V(1);
	c.user_regs.rbx = V(2);
	c.user_regs.rcx = V(3);
	c.user_regs.rdx = V(4);
	c.user_regs.rsi = V(5);
	c.user_regs.rdi = V(6);
	c.user_regs.rbp = V(7);
	c.user_regs.rsp = V(8);
	c.user_regs.r8 = V(9);
	c.user_regs.r9 = V(10);
	c.user_regs.r10 = V(11);
	c.user_regs.r11 = V(12);
	c.user_regs.r12 = V(13);
	c.user_regs.r13 = V(14);
	c.user_regs.r14 = V(15);
	c.user_regs.r15 = V(16);
	c.user_regs.rip = UINT64_C(0xffffffff81000000);
	c.user_regs.rflags = 0x246;
	c.user_regs.cs = 0xe033;
	c.user_regs.ss = 0xe02b;
	c.user_regs.ds = 1;
	c.user_regs.es = 2;
	c.user_regs.fs = 3;
	c.user_regs.gs = 4;
	c.ctrlreg[0] = 0x80050033;
	c.ctrlreg[1] = UINT64_C(0x2222000);
	c.ctrlreg[2] = UINT64_C(0xdead000);
	c.ctrlreg[3] = UINT64_C(0x1234000);
	c.ctrlreg[4] = 0x3506f0;
	c.fs_base = V(20);
	c.gs_base_kernel = V(21);
	c.gs_base_user = V(22);
	c.flags = VGCF_in_kernel | VGCF_online;

	memset(&r, 0, sizeof(r));
	xen__vcpu_from_pv64(&c, &r);
	CHECK(r.vr_layout == XEN_VCPU_PV64);
	CHECK(r.vr_rax == V(1) && r.vr_rbx == V(2) && r.vr_rcx == V(3) &&
	    r.vr_rdx == V(4));
	CHECK(r.vr_rsi == V(5) && r.vr_rdi == V(6) && r.vr_rbp == V(7) &&
	    r.vr_rsp == V(8));
	CHECK(r.vr_r8 == V(9) && r.vr_r9 == V(10) && r.vr_r10 == V(11) &&
	    r.vr_r11 == V(12));
	CHECK(r.vr_r12 == V(13) && r.vr_r13 == V(14) && r.vr_r14 == V(15) &&
	    r.vr_r15 == V(16));
	CHECK(r.vr_rip == UINT64_C(0xffffffff81000000));
	CHECK(r.vr_rflags == 0x246);
	CHECK(r.vr_cs == 0xe033 && r.vr_ss == 0xe02b && r.vr_ds == 1 &&
	    r.vr_es == 2 && r.vr_fs == 3 && r.vr_gs == 4);
	CHECK(r.vr_cr0 == 0x80050033 && r.vr_cr2 == UINT64_C(0xdead000));
	CHECK(r.vr_cr3 == UINT64_C(0x1234000));
	CHECK(r.vr_user_cr3 == UINT64_C(0x2222000));
	CHECK(r.vr_cr4 == 0x3506f0);
	CHECK((r.vr_efer & XEN_X86_EFER_LMA) && (r.vr_efer & XEN_X86_EFER_LME));
	CHECK(r.vr_flags == XEN_VCPU_EFER_DERIVED);
	CHECK(r.vr_fs_base == V(20));
	/* In kernel mode the kernel's GS base is in effect. */
	CHECK(r.vr_gs_base == V(21) && r.vr_kernel_gs_base == V(22));
	CHECK(r.vr_cpl == 0 && r.vr_addr_bits == 64);

	/* User mode: the bases swap; Xen's 32-bit user selector. */
	c.flags = VGCF_online;
	c.user_regs.cs = 0xe023;
	memset(&r, 0, sizeof(r));
	xen__vcpu_from_pv64(&c, &r);
	CHECK(r.vr_gs_base == V(22) && r.vr_kernel_gs_base == V(21));
	CHECK(r.vr_cpl == 3 && r.vr_addr_bits == 32);
	c.user_regs.cs = 0xe033;
	memset(&r, 0, sizeof(r));
	xen__vcpu_from_pv64(&c, &r);
	CHECK(r.vr_cpl == 3 && r.vr_addr_bits == 64);
}

static void
test_pv32(void)
{
	vcpu_guest_context_x86_32_t c;
	struct xen_vcpu_regs r;
	/* A page-directory frame above 4 GiB: its high bits get folded. */
	uint32_t pfn = 0x1234567;

	memset(&c, 0, sizeof(c));
	c.user_regs.eax = 0x10;
	c.user_regs.ebx = 0x11;
	c.user_regs.ecx = 0x12;
	c.user_regs.edx = 0x13;
	c.user_regs.esi = 0x14;
	c.user_regs.edi = 0x15;
	c.user_regs.ebp = 0x16;
	c.user_regs.esp = 0x17;
	c.user_regs.eip = 0xc1000000;
	c.user_regs.eflags = 0x202;
	c.user_regs.cs = 0xe019;
	c.user_regs.ss = 0xe021;
	c.ctrlreg[0] = 0x8005003b;
	c.ctrlreg[2] = 0xbad000;
	c.ctrlreg[3] = xen_pfn_to_cr3_x86_32(pfn);
	c.ctrlreg[4] = 0x6f0;
	REQUIRE(c.ctrlreg[3] != (uint32_t)(pfn << 12));

	memset(&r, 0, sizeof(r));
	xen__vcpu_from_pv32(&c, &r);
	CHECK(r.vr_layout == XEN_VCPU_PV32);
	CHECK(r.vr_rax == 0x10 && r.vr_rbx == 0x11 && r.vr_rcx == 0x12 &&
	    r.vr_rdx == 0x13);
	CHECK(r.vr_rsi == 0x14 && r.vr_rdi == 0x15 && r.vr_rbp == 0x16 &&
	    r.vr_rsp == 0x17);
	CHECK(r.vr_r8 == 0 && r.vr_r15 == 0);
	CHECK(r.vr_rip == 0xc1000000 && r.vr_rflags == 0x202);
	CHECK(r.vr_cs == 0xe019 && r.vr_ss == 0xe021);
	CHECK(r.vr_cr0 == 0x8005003b && r.vr_cr2 == 0xbad000);
	CHECK(r.vr_cr3 == (uint64_t)pfn << 12);
	CHECK(r.vr_cr4 == 0x6f0);
	CHECK(r.vr_efer == 0);
	CHECK(r.vr_flags == (XEN_VCPU_EFER_DERIVED | XEN_VCPU_NO_SEGBASES));
	CHECK(r.vr_cpl == 0 && r.vr_addr_bits == 32);

	c.user_regs.cs = 0xe023;	/* ring 3: user mode */
	memset(&r, 0, sizeof(r));
	xen__vcpu_from_pv32(&c, &r);
	CHECK(r.vr_cpl == 3);
}

#define AR_L		(1u << 9)
#define AR_DB		(1u << 10)
#define AR_DPL(n)	((unsigned)(n) << 5)

static void
test_hvm(void)
{
	struct hvm_hw_cpu c;
	struct xen_vcpu_regs r;

	memset(&c, 0, sizeof(c));
	c.rax = V(1);
	c.rbx = V(2);
	c.rcx = V(3);
	c.rdx = V(4);
	c.rsi = V(5);
	c.rdi = V(6);
	c.rbp = V(7);
	c.rsp = V(8);
	c.r8 = V(9);
	c.r9 = V(10);
	c.r10 = V(11);
	c.r11 = V(12);
	c.r12 = V(13);
	c.r13 = V(14);
	c.r14 = V(15);
	c.r15 = V(16);
	c.rip = UINT64_C(0xffffffff81abcdef);
	c.rflags = 0x86;
	c.cr0 = 0x80050033;
	c.cr2 = 0x7000;
	c.cr3 = 0x2a0c000;
	c.cr4 = 0x370ef0;
	c.msr_efer = XEN_X86_EFER_SCE | XEN_X86_EFER_LME | XEN_X86_EFER_LMA |
	    XEN_X86_EFER_NXE;
	c.cs_sel = 0x10;
	c.ss_sel = 0x18;
	c.ds_sel = 0;
	c.es_sel = 0;
	c.fs_sel = 0;
	c.gs_sel = 0;
	c.fs_base = V(20);
	c.gs_base = V(21);
	c.shadow_gs = V(22);
	c.cs_arbytes = AR_L | AR_DPL(0) | 0x9b;
	c.ss_arbytes = AR_DPL(0) | 0x93;

	memset(&r, 0, sizeof(r));
	xen__vcpu_from_hvm(&c, &r);
	CHECK(r.vr_layout == XEN_VCPU_HVM);
	CHECK(r.vr_rax == V(1) && r.vr_rbx == V(2) && r.vr_rcx == V(3) &&
	    r.vr_rdx == V(4));
	CHECK(r.vr_rsi == V(5) && r.vr_rdi == V(6) && r.vr_rbp == V(7) &&
	    r.vr_rsp == V(8));
	CHECK(r.vr_r8 == V(9) && r.vr_r9 == V(10) && r.vr_r10 == V(11) &&
	    r.vr_r11 == V(12));
	CHECK(r.vr_r12 == V(13) && r.vr_r13 == V(14) && r.vr_r14 == V(15) &&
	    r.vr_r15 == V(16));
	CHECK(r.vr_rip == UINT64_C(0xffffffff81abcdef) && r.vr_rflags == 0x86);
	CHECK(r.vr_cr0 == 0x80050033 && r.vr_cr2 == 0x7000 &&
	    r.vr_cr3 == 0x2a0c000 && r.vr_cr4 == 0x370ef0);
	CHECK(r.vr_efer == c.msr_efer);
	CHECK(r.vr_flags == 0);
	CHECK(r.vr_cs == 0x10 && r.vr_ss == 0x18);
	CHECK(r.vr_fs_base == V(20) && r.vr_gs_base == V(21) &&
	    r.vr_kernel_gs_base == V(22));
	CHECK(r.vr_user_cr3 == 0);
	CHECK(r.vr_cpl == 0 && r.vr_addr_bits == 64);

	/* Compatibility mode, user. */
	c.cs_arbytes = AR_DB | AR_DPL(3) | 0xfb;
	c.ss_arbytes = AR_DPL(3) | 0xf3;
	memset(&r, 0, sizeof(r));
	xen__vcpu_from_hvm(&c, &r);
	CHECK(r.vr_cpl == 3 && r.vr_addr_bits == 32);

	/* Protected mode without long mode, 16-bit code segment. */
	c.msr_efer = 0;
	c.cs_arbytes = AR_DPL(0) | 0x9b;
	c.ss_arbytes = AR_DPL(0) | 0x93;
	memset(&r, 0, sizeof(r));
	xen__vcpu_from_hvm(&c, &r);
	CHECK(r.vr_cpl == 0 && r.vr_addr_bits == 16);

	/* Real mode (a vCPU still in the firmware). */
	c.cr0 = 0x10;
	c.ss_arbytes = AR_DPL(3) | 0xf3;
	memset(&r, 0, sizeof(r));
	xen__vcpu_from_hvm(&c, &r);
	CHECK(r.vr_cpl == 0 && r.vr_addr_bits == 16);
}

int
main(void)
{
	test_pv64();
	test_pv32();
	test_hvm();
	return test_done();
}
