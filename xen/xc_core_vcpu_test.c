/*
 * xc_core_vcpu_test - the xc-core reader decodes .xen_prstatus contexts
 * from byte offsets (xen/xc_core.c includes no Xen header); this test
 * builds the contexts with Xen's own structures, every byte random, and
 * checks that the decoding gives what the live conversions
 * (xen__vcpu_from_pv64/pv32, which read the structures by name) give,
 * and the HVM decoding the fields by name.  It includes the Xen headers,
 * so it lives in xen/ beside xen_vcpu_test.c.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "tests/prng.h"
#include "tests/test.h"
#include "xen/xc_core.h"
#include "xen/xen_impl.h"
#include "xen/xen_vcpu.h"

static uint64_t rng = 0x853c49e6748fea9bULL;

static void
fill_random(void *p, size_t len)
{
	unsigned char *b = p;
	size_t i;

	for (i = 0; i < len; i++)
		b[i] = (unsigned char)prng_next(&rng);
}

static bool
same_regs(const struct xen_vcpu_regs *a, const struct xen_vcpu_regs *b)
{
	return (a->vr_layout == b->vr_layout && a->vr_flags == b->vr_flags &&
	    a->vr_addr_bits == b->vr_addr_bits && a->vr_cpl == b->vr_cpl &&
	    a->vr_rax == b->vr_rax && a->vr_rbx == b->vr_rbx &&
	    a->vr_rcx == b->vr_rcx && a->vr_rdx == b->vr_rdx &&
	    a->vr_rsi == b->vr_rsi && a->vr_rdi == b->vr_rdi &&
	    a->vr_rbp == b->vr_rbp && a->vr_rsp == b->vr_rsp &&
	    a->vr_r8 == b->vr_r8 && a->vr_r9 == b->vr_r9 &&
	    a->vr_r10 == b->vr_r10 && a->vr_r11 == b->vr_r11 &&
	    a->vr_r12 == b->vr_r12 && a->vr_r13 == b->vr_r13 &&
	    a->vr_r14 == b->vr_r14 && a->vr_r15 == b->vr_r15 &&
	    a->vr_rip == b->vr_rip && a->vr_rflags == b->vr_rflags &&
	    a->vr_cr0 == b->vr_cr0 && a->vr_cr2 == b->vr_cr2 &&
	    a->vr_cr3 == b->vr_cr3 && a->vr_cr4 == b->vr_cr4 &&
	    a->vr_efer == b->vr_efer && a->vr_user_cr3 == b->vr_user_cr3 &&
	    a->vr_fs_base == b->vr_fs_base && a->vr_gs_base == b->vr_gs_base &&
	    a->vr_kernel_gs_base == b->vr_kernel_gs_base &&
	    a->vr_cs == b->vr_cs && a->vr_ss == b->vr_ss &&
	    a->vr_ds == b->vr_ds && a->vr_es == b->vr_es &&
	    a->vr_fs == b->vr_fs && a->vr_gs == b->vr_gs);
}

static void
test_sizes(void)
{
	CHECK(sizeof(vcpu_guest_context_x86_64_t) ==
	    XC_CORE_VCPU_CONTEXT_X86_64);
	CHECK(sizeof(vcpu_guest_context_x86_32_t) ==
	    XC_CORE_VCPU_CONTEXT_X86_32);
}

static void
test_pv64(unsigned round)
{
	vcpu_guest_context_x86_64_t c;
	struct xen_vcpu_regs want, got;

	fill_random(&c, sizeof(c));
	c.flags = VGCF_online | (round & 1 ? VGCF_in_kernel : 0);
	if (round % 4 == 2)
		c.user_regs.cs = 0xe023;	/* Xen's flat 32-bit user CS */
	memset(&want, 0, sizeof(want));
	want.vr_online = true;
	xen__vcpu_from_pv64(&c, &want);
	CHECK(xc_core_vcpu_decode(&c, sizeof(c), XEN_VCPU_PV64, &got) == 0);
	CHECK(got.vr_online);
	CHECK(same_regs(&got, &want));
	CHECK(xc_core_vcpu_decode(&c, sizeof(c) - 1, XEN_VCPU_PV64, &got) ==
	    EINVAL);
	c.flags &= ~VGCF_online;
	CHECK(xc_core_vcpu_decode(&c, sizeof(c), XEN_VCPU_PV64, &got) == 0);
	CHECK(!got.vr_online && got.vr_rax == 0 && got.vr_cr3 == 0);
}

static void
test_pv32(void)
{
	vcpu_guest_context_x86_32_t c;
	struct xen_vcpu_regs want, got;

	fill_random(&c, sizeof(c));
	c.flags = VGCF_online;
	memset(&want, 0, sizeof(want));
	want.vr_online = true;
	xen__vcpu_from_pv32(&c, &want);
	CHECK(xc_core_vcpu_decode(&c, sizeof(c), XEN_VCPU_PV32, &got) == 0);
	CHECK(got.vr_online);
	CHECK(same_regs(&got, &want));
	CHECK(xc_core_vcpu_decode(&c, sizeof(c) - 1, XEN_VCPU_PV32, &got) ==
	    EINVAL);
}

static void
test_hvm(unsigned round)
{
	vcpu_guest_context_x86_64_t c;
	struct xen_vcpu_regs got;
	bool ring0;

	fill_random(&c, sizeof(c));
	c.flags = VGCF_online;
	c.ctrlreg[0] = XEN_X86_CR0_PE | XEN_X86_CR0_PG;
	c.ctrlreg[4] = 0x20;	/* PAE */
	if (round & 1)
		c.user_regs.cs &= ~3;
	ring0 = (c.user_regs.cs & 3) == 0;
	CHECK(xc_core_vcpu_decode(&c, sizeof(c), XEN_VCPU_HVM, &got) == 0);
	CHECK(got.vr_layout == XEN_VCPU_HVM && got.vr_online);
	CHECK(got.vr_rax == c.user_regs.rax && got.vr_rbx == c.user_regs.rbx &&
	    got.vr_rcx == c.user_regs.rcx && got.vr_rdx == c.user_regs.rdx &&
	    got.vr_rsi == c.user_regs.rsi && got.vr_rdi == c.user_regs.rdi &&
	    got.vr_rbp == c.user_regs.rbp && got.vr_rsp == c.user_regs.rsp &&
	    got.vr_r8 == c.user_regs.r8 && got.vr_r15 == c.user_regs.r15 &&
	    got.vr_rip == c.user_regs.rip &&
	    got.vr_rflags == c.user_regs.rflags);
	CHECK(got.vr_cs == c.user_regs.cs && got.vr_ss == c.user_regs.ss &&
	    got.vr_ds == c.user_regs.ds && got.vr_es == c.user_regs.es &&
	    got.vr_fs == c.user_regs.fs && got.vr_gs == c.user_regs.gs);
	CHECK(got.vr_cr0 == c.ctrlreg[0] && got.vr_cr2 == c.ctrlreg[2] &&
	    got.vr_cr3 == c.ctrlreg[3] && got.vr_cr4 == c.ctrlreg[4]);
	CHECK(got.vr_fs_base == c.fs_base);
	CHECK(got.vr_gs_base == (ring0 ? c.gs_base_kernel : c.gs_base_user));
	CHECK(got.vr_kernel_gs_base == (ring0 ? c.gs_base_user :
	    c.gs_base_kernel));
	/* Random 64-bit registers: some is above 4 GiB, so long mode. */
	CHECK(got.vr_addr_bits == 64 && (got.vr_efer & XEN_X86_EFER_LMA));
	CHECK(got.vr_flags & XEN_VCPU_EFER_DERIVED);
}

int
main(void)
{
	unsigned i;

	test_sizes();
	for (i = 0; i < 16; i++) {
		test_pv64(i);
		test_pv32();
		test_hvm(i);
	}
	return (test_done());
}
