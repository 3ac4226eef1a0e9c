/*
 * image_xc_core_test.c -- the xc-core opener on dumps this test writes
 * with porthole's xc-core writer: 64-bit PV (pages in scrambled file
 * order, a vCPU in user mode, an offline one), 32-bit PV (contexts in
 * the compat layout, CR3 folded) and HVM.  Every frame is read back
 * byte for byte through the physical window; the vCPU registers, the
 * p2m and the describe line must say what was written; a writable copy
 * never reaches the file; broken files are refused with a sentence.
 *
 * The context offsets written here are Xen's public ABI (checked
 * against the Xen headers by xen/xc_core_vcpu_test.c).
 */
#include "config.h"

#include <inttypes.h>

#include "tests/unit/image_check.h"
#include "xen/xc_core.h"
#include "xen/xc_core_write.h"

#define	NFRAMES		300
#define	NVCPUS		3
#define	CTX		XC_CORE_VCPU_CONTEXT_X86_64

static struct image_model model;
static unsigned char contexts[NVCPUS * CTX];

enum layout { PV64, PV32, HVM };

static int
source_read(void *arg, uint64_t first, const uint64_t *pfns, size_t count,
    void *buf, int *errs, struct xen_err *err)
{
	size_t i;

	(void) arg;
	(void) first;
	(void) err;
	for (i = 0; i < count; i++) {
		memcpy((char *)buf + i * IC_PG, model.m_bytes + pfns[i] * IC_PG,
		    IC_PG);
		errs[i] = 0;
	}
	return (0);
}

/* Expected registers of vCPU v (both layouts use the same numbers). */
static uint64_t
reg_value(unsigned v, unsigned k, bool wide)
{
	uint64_t x = 0x1111111111111111ULL * (k + 1) + v;

	return (wide ? x : (uint32_t)x);
}

static void
put_ctx64(unsigned char *c, unsigned v, uint32_t flags, bool hvm)
{
	static const size_t gpr[18] = { 600, 560, 608, 616, 624, 632, 552,
	    672, 592, 584, 576, 568, 544, 536, 528, 520, 648, 664 };
	unsigned k;

	memset(c, 0, CTX);
	ic_put32(c + 512, flags);
	for (k = 0; k < 18; k++)
		ic_put64(c + gpr[k], reg_value(v, k, true));
	ic_put16(c + 656, hvm ? 0x10 : 0xe033);		/* cs */
	ic_put16(c + 680, 0xe02b);			/* ss */
	ic_put16(c + 688, 0x1);				/* es */
	ic_put16(c + 696, 0x2);				/* ds */
	ic_put16(c + 704, 0x3);				/* fs */
	ic_put16(c + 712, 0x4);				/* gs */
	ic_put64(c + 4984, 0x80050033);			/* cr0 */
	ic_put64(c + 4984 + 8, 0x7000 + v);		/* user cr3 */
	ic_put64(c + 4984 + 16, 0xdead0000 + v);	/* cr2 */
	ic_put64(c + 4984 + 24, (0x1234ULL + v) << 12);	/* cr3 */
	ic_put64(c + 4984 + 32, 0x3506f0);		/* cr4 */
	ic_put64(c + 5144, 0x7f0000000000ULL + v);	/* fs base */
	ic_put64(c + 5152, 0xffff888000000000ULL + v);	/* gs kernel */
	ic_put64(c + 5160, 0x7f1000000000ULL + v);	/* gs user */
}

static void
put_ctx32(unsigned char *c, unsigned v, uint32_t flags)
{
	static const size_t gpr[10] = { 540, 516, 520, 524, 528, 532, 536,
	    560, 548, 556 };
	static const unsigned which[10] = { 0, 1, 2, 3, 4, 5, 6, 7, 16, 17 };
	uint32_t mfn = 0x12345678u + v;	/* above 4 GiB: folded */
	uint32_t folded = (uint32_t)((mfn << 12) | (mfn >> 20));
	unsigned k;

	memset(c, 0, CTX);
	ic_put32(c + 512, flags);
	for (k = 0; k < 10; k++)
		ic_put32(c + gpr[k], reg_value(v, which[k], false));
	ic_put16(c + 552, 0xe019);
	ic_put16(c + 564, 0xe021);
	ic_put32(c + 2716, 0x80050033);
	ic_put32(c + 2716 + 8, 0xbeef000 + v);
	ic_put32(c + 2716 + 12, folded);
	ic_put32(c + 2716 + 16, 0x6f0);
}

static void
check_regs(const struct image *im, enum layout lay)
{
	const struct guest_regs *r;
	unsigned v;

	REQUIRE(im->im_nvcpus == NVCPUS);
	for (v = 0; v < NVCPUS; v++) {
		bool wide = lay != PV32;

		r = &im->im_vcpus[v];
		CHECK(r->gr_vcpu == v);
		if (v == 2) {
			CHECK(!r->gr_online && r->gr_valid == 0 &&
			    r->gr_rax == 0);
			continue;
		}
		CHECK(r->gr_online);
		CHECK((r->gr_valid & (GUEST_REGS_GPR | GUEST_REGS_SEG |
		    GUEST_REGS_CR)) == (GUEST_REGS_GPR | GUEST_REGS_SEG |
		    GUEST_REGS_CR));
		CHECK((r->gr_valid & GUEST_REGS_EFER) == 0);
		CHECK(((r->gr_valid & GUEST_REGS_PV) != 0) == (lay != HVM));
		CHECK(r->gr_rax == reg_value(v, 0, wide));
		CHECK(r->gr_rbx == reg_value(v, 1, wide));
		CHECK(r->gr_rcx == reg_value(v, 2, wide));
		CHECK(r->gr_rdx == reg_value(v, 3, wide));
		CHECK(r->gr_rsi == reg_value(v, 4, wide));
		CHECK(r->gr_rdi == reg_value(v, 5, wide));
		CHECK(r->gr_rbp == reg_value(v, 6, wide));
		CHECK(r->gr_rsp == reg_value(v, 7, wide));
		CHECK(r->gr_rip == reg_value(v, 16, wide));
		CHECK(r->gr_rflags == reg_value(v, 17, wide));
		CHECK(r->gr_cr0 == 0x80050033);
		if (lay == PV32) {
			CHECK(r->gr_r8 == 0 && r->gr_r15 == 0);
			CHECK(r->gr_cs == 0xe019 && r->gr_ss == 0xe021);
			CHECK(r->gr_cr2 == 0xbeef000 + v);
			CHECK(r->gr_cr3 == (uint64_t)(0x12345678u + v) << 12);
			CHECK(r->gr_cr4 == 0x6f0);
			CHECK(r->gr_addr_bits == 32);
			CHECK((r->gr_valid & GUEST_REGS_SEGBASE) == 0);
			continue;
		}
		CHECK(r->gr_r8 == reg_value(v, 8, true));
		CHECK(r->gr_r9 == reg_value(v, 9, true));
		CHECK(r->gr_r10 == reg_value(v, 10, true));
		CHECK(r->gr_r11 == reg_value(v, 11, true));
		CHECK(r->gr_r12 == reg_value(v, 12, true));
		CHECK(r->gr_r13 == reg_value(v, 13, true));
		CHECK(r->gr_r14 == reg_value(v, 14, true));
		CHECK(r->gr_r15 == reg_value(v, 15, true));
		CHECK(r->gr_ss == 0xe02b && r->gr_es == 1 && r->gr_ds == 2 &&
		    r->gr_fs == 3 && r->gr_gs == 4);
		CHECK(r->gr_cr2 == 0xdead0000 + v);
		CHECK(r->gr_cr3 == (0x1234ULL + v) << 12);
		CHECK(r->gr_cr4 == 0x3506f0);
		CHECK(r->gr_valid & GUEST_REGS_SEGBASE);
		CHECK(r->gr_fs_base == 0x7f0000000000ULL + v);
		CHECK(r->gr_addr_bits == 64);
		CHECK((r->gr_efer & 0x500) == 0x500);	/* LME|LMA derived */
		if (lay == HVM || v == 0) {
			/* Ring 0 (HVM: CPL from CS) or PV kernel mode. */
			CHECK(r->gr_gs_base == 0xffff888000000000ULL + v);
			CHECK(r->gr_kernel_gs_base == 0x7f1000000000ULL + v);
		} else {
			CHECK(r->gr_gs_base == 0x7f1000000000ULL + v);
			CHECK(r->gr_kernel_gs_base ==
			    0xffff888000000000ULL + v);
		}
	}
}

/* Write a dump of the model (frames with m_present set) in lay. */
static void
write_dump(const char *path, enum layout lay, bool scramble)
{
	struct xc_core_write_opts o;
	struct xen_err xe;
	uint64_t pfns[NFRAMES], gmfns[NFRAMES], n = 0, g, i;
	unsigned v;

	for (g = 0; g < NFRAMES; g++)
		if (model.m_present[g]) {
			pfns[n] = g;
			gmfns[n] = 0x40000 + g * 3;
			n++;
		}
	if (scramble)
		for (i = 0; i + 1 < n; i += 2) {
			uint64_t t = pfns[i];

			pfns[i] = pfns[i + 1];
			pfns[i + 1] = t;
			t = gmfns[i];
			gmfns[i] = gmfns[i + 1];
			gmfns[i + 1] = t;
		}
	for (v = 0; v < NVCPUS; v++) {
		uint32_t flags = v == 2 ? 0 : (1u << 5) | (v == 0 ? 1u << 2 :
		    0);

		if (lay == PV32)
			put_ctx32(contexts + v * CTX, v, flags);
		else
			put_ctx64(contexts + v * CTX, v, flags, lay == HVM);
	}
	memset(&o, 0, sizeof (o));
	o.wo_hvm = lay == HVM;
	o.wo_machine = lay == PV32 ? XC_CORE_EM_386 : 0;
	o.wo_pfns = pfns;
	o.wo_gmfns = lay == HVM ? NULL : gmfns;
	o.wo_nr_pages = n;
	o.wo_prstatus = contexts;
	o.wo_prstatus_entsize = CTX;
	o.wo_nr_vcpus = NVCPUS;
	o.wo_read = source_read;
	xen_err_clear(&xe);
	if (xc_core_write_file(path, 0, &o, NULL, &xe) != 0)
		fprintf(stderr, "%s\n", xen_err_msg(&xe));
	REQUIRE(access(path, F_OK) == 0);
}

static void
run(enum layout lay)
{
	static const char *names[] = { "pv64", "pv32", "hvm" };
	char path[256], errbuf[256];
	enum image_format fmt;
	struct image im;
	uint64_t g, k;
	int fd;

	ic_path(path, sizeof (path), "image-xc-core", names[lay]);
	write_dump(path, lay, lay == PV64);
	REQUIRE((fd = open(path, O_RDONLY)) >= 0);
	CHECK(image_detect(fd, &fmt) == 0 && fmt == IMAGE_XC_CORE);
	(void) close(fd);

	errbuf[0] = 'x';
	if (image_open(path, false, &im, errbuf, sizeof (errbuf)) != 0)
		fprintf(stderr, "%s: %s\n", path, errbuf);
	REQUIRE(im.im_pm != NULL);
	CHECK(errbuf[0] == '\0');
	CHECK(im.im_format == IMAGE_XC_CORE);
	CHECK(strcmp(image_format_name(im.im_format), "xc-core") == 0);
	CHECK(im.im_pv == (lay != HVM));
	CHECK(im.im_vmcoreinfo == NULL);
	CHECK(strstr(im.im_describe, "xc-core") != NULL &&
	    strstr(im.im_describe, "3 vCPUs") != NULL);
	check_regs(&im, lay);
	if (lay == HVM)
		CHECK(im.im_p2m == NULL && im.im_np2m == 0);
	else {
		for (g = 0, k = 0; g < NFRAMES; g++)
			if (model.m_present[g]) {
				CHECK(k < im.im_np2m &&
				    im.im_p2m[k].ip_pfn == g &&
				    im.im_p2m[k].ip_mfn == 0x40000 + g * 3);
				k++;
			}
		CHECK(k == im.im_np2m);
	}
	/* The provider's frames end after the highest one dumped. */
	{
		struct image_model m = model;

		for (m.m_nframes = NFRAMES; m.m_nframes > 0 &&
		    !m.m_present[m.m_nframes - 1]; m.m_nframes--)
			continue;
		image_check_frames(im.im_pm, &m);
		image_check_writable(im.im_pm, &m, path);
	}
	image_close(&im);
	CHECK(im.im_pm == NULL && im.im_vcpus == NULL);
	(void) unlink(path);
}

/* Broken files: refused with EINVAL and a sentence naming the file. */
static void
test_broken(void)
{
	char path[256], errbuf[256];
	unsigned char *b;
	struct image im;
	off_t len;
	int fd, rv;

	ic_path(path, sizeof (path), "image-xc-core", "broken");
	write_dump(path, PV64, false);
	REQUIRE((fd = open(path, O_RDWR)) >= 0);
	len = lseek(fd, 0, SEEK_END);
	REQUIRE((b = malloc((size_t)len)) != NULL);
	REQUIRE(pread(fd, b, (size_t)len, 0) == len);
	(void) close(fd);

	/* Cut in the middle of the pages: the section lies outside. */
	ic_spill(path, b, (size_t)len / 2);
	rv = image_open(path, false, &im, errbuf, sizeof (errbuf));
	if (rv != EINVAL)
		fprintf(stderr, "cut in half: %d %s\n", rv, errbuf);
	CHECK(rv == EINVAL);
	CHECK(strstr(errbuf, path) != NULL);
	CHECK(im.im_pm == NULL);
	/* Section headers pointing past the end. */
	memcpy(b + 40, "\377\377\377\377\377\377\377\0", 8);
	ic_spill(path, b, (size_t)len);
	CHECK(image_open(path, false, &im, errbuf, sizeof (errbuf)) != 0);
	CHECK(im.im_pm == NULL);
	free(b);
	(void) unlink(path);
}

int
main(void)
{
	uint64_t g;

	image_model_init(&model, NFRAMES, 0x9e3779b97f4a7c15ULL);
	for (g = 0; g < NFRAMES; g++)
		model.m_present[g] = !(g >= 100 && g < 140) && g % 37 != 5 &&
		    g < NFRAMES - 3;
	run(PV64);
	run(PV32);
	run(HVM);
	test_broken();
	image_model_free(&model);
	return (test_done());
}
