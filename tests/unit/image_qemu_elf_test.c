/*
 * image_qemu_elf_test.c -- the QEMU ELF opener on dumps this test
 * writes (tests/image_build.h): ELF64 and ELF32, memory right after the
 * notes (not page aligned, as QEMU writes it) and page aligned, PN_XNUM,
 * segments whose p_memsz exceeds p_filesz (holes) and a partial last
 * page; notes with NT_PRSTATUS (x86_64 and i386), QEMU's CPU state
 * (with and without kernel_gs_base), both or either, QEMU's pr_pid
 * numbering and a kernel's.  Every frame is read back byte for byte,
 * the vCPU registers and VMCOREINFO must be what was written, a
 * writable copy never reaches the file, and every broken variant (each
 * header field out of range, the file cut at each interesting offset)
 * is refused with a sentence naming the file.
 */
#include "config.h"

#include <inttypes.h>

#include "tests/image_build.h"
#include "tests/unit/image_check.h"

#define	NFRAMES		751
#define	VMCI		"OSRELEASE=6.1.0-test\nPAGESIZE=4096\n"

static struct image_model model;
static char path[256];

enum notes_kind { N_BOTH, N_PRSTATUS, N_QEMU };

struct scenario {
	const char	*sc_name;
	bool		sc_64;
	bool		sc_long;	/* the guest runs in long mode */
	bool		sc_align;
	bool		sc_xnum;
	enum notes_kind	sc_notes;
	unsigned	sc_nvcpus;
	uint32_t	sc_qemu_size;	/* 432 or 440 */
	bool		sc_linux_pids;	/* pr_pid a task's, not index + 1 */
	bool		sc_reverse;	/* notes of the last vCPU first */
};

static const struct scenario scenarios[] = {
	{ "elf64-both", true, true, false, false, N_BOTH, 2, 440, false,
	    true },
	{ "elf64-prstatus-aligned-xnum", true, true, true, true, N_PRSTATUS,
	    2, 440, false, false },
	{ "elf32-both", false, false, false, false, N_BOTH, 1, 432, false,
	    false },
	{ "elf64-qemu-only", true, true, false, false, N_QEMU, 3, 440, false,
	    false },
	{ "elf64-linux-pids", true, true, true, false, N_PRSTATUS, 2, 440,
	    true, false },
	{ "elf64-pae-guest", true, false, false, false, N_BOTH, 2, 432,
	    false, false },
};

/* The segments: frames 0..159, 256..555 (+20 hole frames), 700..749
 * and 100 bytes of 750 (a partial page: a hole). */
static struct ib_segment segs[3];

static void
make_segments(void)
{
	uint64_t g;

	memset(model.m_present, 0, NFRAMES * sizeof (bool));
	segs[0] = (struct ib_segment){ 0, 160 * IB_PG, 160 * IB_PG,
	    model.m_bytes };
	segs[1] = (struct ib_segment){ 256 * IB_PG, 300 * IB_PG, 320 * IB_PG,
	    model.m_bytes + 256 * IB_PG };
	segs[2] = (struct ib_segment){ 700 * IB_PG, 50 * IB_PG + 100,
	    51 * IB_PG, model.m_bytes + 700 * IB_PG };
	for (g = 0; g < 160; g++)
		model.m_present[g] = true;
	for (g = 256; g < 556; g++)
		model.m_present[g] = true;
	for (g = 700; g < 750; g++)
		model.m_present[g] = true;
}

static void
make_vcpu(const struct scenario *sc, unsigned i, struct ib_vcpu *v)
{
	unsigned k;

	memset(v, 0, sizeof (*v));
	v->v_pid = sc->sc_linux_pids ? (i == 0 ? 0 : 4321 + i) : i + 1;
	for (k = 0; k < 18; k++) {
		uint64_t x = 0x0101010101010101ULL * (k + 1) + i * 0x10;

		v->v_gpr[k] = sc->sc_long ? x : (uint32_t)x;
	}
	v->v_gpr[IB_RFLAGS] = 0x246;
	if (sc->sc_long) {
		v->v_sel[0] = 0x10;
		v->v_cs_flags = 0x00a09b00;	/* L, P, code */
		v->v_fs_base = 0x7f0000001000ULL + i;
		v->v_gs_base = 0xffff888000000000ULL + i * 0x40000;
		v->v_kernel_gs_base = 0x7f0000002000ULL + i;
		v->v_cr[4] = 0x3506f0;
	} else {
		v->v_sel[0] = 0x60;
		v->v_cs_flags = 0x00cf9b00;	/* D/B, P, code */
		v->v_fs_base = 0x1000 + i;
		v->v_gs_base = 0x2000 + i;
		v->v_cr[4] = 0x6f0;		/* PAE */
	}
	v->v_sel[1] = v->v_sel[2] = v->v_sel[5] = 0x18;
	v->v_sel[3] = 0;
	v->v_sel[4] = 0x33;
	v->v_cr[0] = 0x80050033;
	v->v_cr[2] = 0xdead000 + i;
	v->v_cr[3] = 0x1000000 + i * IB_PG;
}

static void
build_notes(const struct scenario *sc, struct ib_buf *n)
{
	struct ib_vcpu v;
	unsigned k;

	memset(n, 0, sizeof (*n));
	for (k = 0; k < sc->sc_nvcpus; k++) {
		unsigned i = sc->sc_reverse ? sc->sc_nvcpus - 1 - k : k;

		make_vcpu(sc, i, &v);
		if (sc->sc_notes != N_QEMU) {
			if (sc->sc_long)
				ib_note_prstatus64(n, &v);
			else
				ib_note_prstatus32(n, &v);
		}
		if (sc->sc_notes != N_PRSTATUS)
			ib_note_qemu(n, &v, sc->sc_qemu_size);
	}
	/* A note nobody reads, then VMCOREINFO. */
	ib_note(n, "CORE", 2, "fpu-state-bytes", 15);
	ib_note_vmcoreinfo(n, VMCI);
}

static void
build(const struct scenario *sc, struct ib_buf *w, struct ib_elf_layout *l)
{
	struct ib_buf notes;
	struct ib_elf_opts o = { .e_64 = sc->sc_64,
	    .e_machine = sc->sc_long ? 62 : 3, .e_align = sc->sc_align,
	    .e_xnum = sc->sc_xnum, .e_segs = segs, .e_nsegs = 3 };

	build_notes(sc, &notes);
	o.e_notes = notes.b;
	o.e_notes_len = notes.len;
	ib_build_elf(w, &o, l);
	ib_free(&notes);
}

static void
check_vcpus(const struct scenario *sc, const struct image *im)
{
	struct ib_vcpu v;
	unsigned i, slot;

	REQUIRE(im->im_nvcpus == sc->sc_nvcpus);
	for (i = 0; i < sc->sc_nvcpus; i++) {
		const struct guest_regs *r;
		bool q = sc->sc_notes != N_PRSTATUS;
		uint64_t mask = q || sc->sc_long ? UINT64_MAX : 0xffffffffULL;

		make_vcpu(sc, i, &v);
		/* A kernel's pids leave the notes numbered in file order. */
		slot = i;
		r = &im->im_vcpus[slot];
		CHECK(r->gr_vcpu == slot && r->gr_online);
		CHECK((r->gr_valid & GUEST_REGS_GPR) &&
		    (r->gr_valid & GUEST_REGS_SEG));
		CHECK((r->gr_valid & (GUEST_REGS_EFER | GUEST_REGS_PV)) == 0);
		CHECK(((r->gr_valid & GUEST_REGS_CR) != 0) == q);
		CHECK(r->gr_rax == (v.v_gpr[IB_RAX] & mask));
		CHECK(r->gr_rbx == (v.v_gpr[IB_RBX] & mask));
		CHECK(r->gr_rcx == (v.v_gpr[IB_RCX] & mask));
		CHECK(r->gr_rdx == (v.v_gpr[IB_RDX] & mask));
		CHECK(r->gr_rsi == (v.v_gpr[IB_RSI] & mask));
		CHECK(r->gr_rdi == (v.v_gpr[IB_RDI] & mask));
		CHECK(r->gr_rsp == (v.v_gpr[IB_RSP] & mask));
		CHECK(r->gr_rbp == (v.v_gpr[IB_RBP] & mask));
		CHECK(r->gr_rip == (v.v_gpr[IB_RIP] & mask));
		CHECK(r->gr_rflags == 0x246);
		if (q || sc->sc_long) {
			CHECK(r->gr_r8 == v.v_gpr[IB_R8]);
			CHECK(r->gr_r11 == v.v_gpr[IB_R11]);
			CHECK(r->gr_r15 == v.v_gpr[IB_R15]);
		} else
			CHECK(r->gr_r8 == 0 && r->gr_r15 == 0);
		CHECK(r->gr_cs == v.v_sel[0] && r->gr_ds == v.v_sel[1] &&
		    r->gr_es == v.v_sel[2] && r->gr_fs == v.v_sel[3] &&
		    r->gr_gs == v.v_sel[4] && r->gr_ss == v.v_sel[5]);
		if (q || sc->sc_long) {
			CHECK(r->gr_valid & GUEST_REGS_SEGBASE);
			CHECK(r->gr_fs_base == v.v_fs_base);
			CHECK(r->gr_gs_base == v.v_gs_base);
		}
		CHECK(r->gr_kernel_gs_base == (q && sc->sc_qemu_size >= 440 ?
		    v.v_kernel_gs_base : 0));
		if (q) {
			CHECK(r->gr_cr0 == v.v_cr[0] && r->gr_cr2 == v.v_cr[2] &&
			    r->gr_cr3 == v.v_cr[3] && r->gr_cr4 == v.v_cr[4]);
		} else
			CHECK(r->gr_cr3 == 0);
		if (sc->sc_long) {
			CHECK(r->gr_addr_bits == 64);
			CHECK((r->gr_efer & 0xd00) == 0xd00);	/* LME LMA NXE */
		} else {
			CHECK(r->gr_addr_bits == 32);
			CHECK((r->gr_efer & 0x400) == 0);	/* no LMA */
			CHECK((r->gr_efer & 0x800) != 0);	/* NXE: PAE */
		}
	}
}

static void
run(const struct scenario *sc)
{
	char errbuf[256];
	struct ib_elf_layout l;
	enum image_format fmt;
	struct ib_buf w;
	struct image im;
	int fd;

	build(sc, &w, &l);
	ic_spill(path, w.b, w.len);
	REQUIRE((fd = open(path, O_RDONLY)) >= 0);
	CHECK(image_detect(fd, &fmt) == 0 && fmt == IMAGE_QEMU_ELF);
	(void) close(fd);
	if (image_open(path, false, &im, errbuf, sizeof (errbuf)) != 0)
		fprintf(stderr, "%s: %s\n", sc->sc_name, errbuf);
	REQUIRE(im.im_pm != NULL);
	CHECK(im.im_format == IMAGE_QEMU_ELF && !im.im_pv &&
	    im.im_p2m == NULL);
	CHECK(strcmp(physmem_name(im.im_pm), "qemu-elf") == 0);
	CHECK(strstr(im.im_describe, "qemu-elf") != NULL &&
	    strstr(im.im_describe, "VMCOREINFO") != NULL);
	CHECK(im.im_vmcoreinfo != NULL && strcmp(im.im_vmcoreinfo, VMCI) ==
	    0 && im.im_vmcoreinfo_len == strlen(VMCI));
	check_vcpus(sc, &im);
	image_check_frames(im.im_pm, &model);
	image_check_writable(im.im_pm, &model, path);
	image_close(&im);
	ib_free(&w);
}

/* path holds b[0 .. len): the opener refuses it with want. */
static void
expect_refused(const unsigned char *b, size_t len, int want,
    const char *what)
{
	char errbuf[256] = "";
	struct image im;
	int fd, rv;

	ic_spill(path, b, len);
	REQUIRE((fd = open(path, O_RDONLY)) >= 0);
	memset(&im, 0, sizeof (im));
	rv = image_open_qemu_elf(fd, path, false, &im, errbuf,
	    sizeof (errbuf));
	(void) close(fd);
	if (rv != want || strstr(errbuf, path) == NULL)
		fprintf(stderr, "%s: got %d (%s), wanted %d\n", what, rv,
		    errbuf, want);
	CHECK(rv == want);
	CHECK(strstr(errbuf, path) != NULL);
	image_close(&im);
}

static void
test_broken(void)
{
	const struct scenario *sc = &scenarios[0];
	struct ib_elf_layout l;
	struct ib_buf w, n;
	unsigned char *b;
	size_t cuts[16], ncuts = 0, i, ph1;

	build(sc, &w, &l);
	REQUIRE((b = malloc(w.len)) != NULL);
	/* The file cut at each interesting offset. */
	cuts[ncuts++] = 0;
	cuts[ncuts++] = 20;
	cuts[ncuts++] = 52;
	cuts[ncuts++] = 63;
	cuts[ncuts++] = l.l_phoff + 1;
	cuts[ncuts++] = l.l_phoff + l.l_phsize - 1;
	cuts[ncuts++] = l.l_noteoff + 6;
	cuts[ncuts++] = l.l_memoff - 1;
	cuts[ncuts++] = l.l_memoff + 1;
	cuts[ncuts++] = l.l_memoff + 200 * IB_PG;
	cuts[ncuts++] = w.len - 1;
	for (i = 0; i < ncuts; i++) {
		char what[32];

		(void) snprintf(what, sizeof (what), "cut at %zu", cuts[i]);
		expect_refused(w.b, cuts[i], EINVAL, what);
	}

	/* Each header field out of range. */
#define	BROKEN(what, want, edit) do {					\
	memcpy(b, w.b, w.len);						\
	edit;								\
	expect_refused(b, w.len, want, what);				\
} while (0)
	ph1 = l.l_phoff + 56;		/* the first PT_LOAD */
	BROKEN("bad magic", EINVAL, b[1] = 'X');
	BROKEN("bad class", EINVAL, b[4] = 3);
	BROKEN("big endian", ENOTSUP, b[5] = 2);
	BROKEN("not a core", EINVAL, b[16] = 2);
	BROKEN("not x86", ENOTSUP, b[18] = 183);
	BROKEN("phentsize", EINVAL, b[54] = 55);
	BROKEN("no phdrs", EINVAL, memset(b + 56, 0, 2));
	BROKEN("phoff past the end", EINVAL, memset(b + 32, 0x7f, 8));
	BROKEN("phnum past the end", EINVAL, ic_put16(b + 56, 0xfffe));
	BROKEN("xnum without section 0", EINVAL, memset(b + 56, 0xff, 2));
	BROKEN("filesz above memsz", EINVAL, ic_put64(b + ph1 + 40, IB_PG));
	BROKEN("paddr unaligned", EINVAL, ic_put64(b + ph1 + 24, 0x800));
	BROKEN("paddr beyond 52 bits", EINVAL, ic_put64(b + ph1 + 24,
	    1ULL << 52));
	BROKEN("memsz wraps", EINVAL, ic_put64(b + ph1 + 40, UINT64_MAX));
	BROKEN("offset past the end", EINVAL, ic_put64(b + ph1 + 8, w.len));
	BROKEN("filesz past the end", EINVAL, ic_put64(b + ph1 + 32,
	    (uint64_t)w.len));
	BROKEN("overlapping loads", EINVAL, ic_put64(b + ph1 + 56 + 24,
	    100 * IB_PG));
	BROKEN("note past the end", EINVAL, ic_put64(b + l.l_phoff + 32,
	    w.len));
	BROKEN("note too large", EINVAL, ic_put64(b + l.l_phoff + 32,
	    64ULL << 20));
	BROKEN("note namesz", EINVAL, ic_put32(b + l.l_noteoff, 0xfffffff0));
	BROKEN("note descsz", EINVAL, ic_put32(b + l.l_noteoff + 4,
	    0x7fffffff));
	BROKEN("no PT_LOAD", EINVAL, {
		size_t k;

		for (k = 0; k < 3; k++)
			ic_put32(b + ph1 + 56 * k, 6);	/* PT_PHDR */
	});
#undef BROKEN

	/* More vCPUs than anyone has. */
	memset(&n, 0, sizeof (n));
	{
		struct ib_vcpu v;
		struct ib_elf_opts o = { .e_64 = true, .e_machine = 62,
		    .e_segs = segs, .e_nsegs = 3 };
		struct ib_buf big;

		make_vcpu(sc, 0, &v);
		for (i = 0; i <= 4096; i++)
			ib_note_prstatus64(&n, &v);
		o.e_notes = n.b;
		o.e_notes_len = n.len;
		ib_build_elf(&big, &o, NULL);
		expect_refused(big.b, big.len, EINVAL, "4097 vCPUs");
		ib_free(&big);
	}
	ib_free(&n);
	free(b);
	ib_free(&w);
}

int
main(void)
{
	size_t i;

	ic_path(path, sizeof (path), "image-qemu-elf", "dump");
	image_model_init(&model, NFRAMES, 0x243f6a8885a308d3ULL);
	make_segments();
	for (i = 0; i < sizeof (scenarios) / sizeof (scenarios[0]); i++)
		run(&scenarios[i]);
	test_broken();
	(void) unlink(path);
	image_model_free(&model);
	return (test_done());
}
