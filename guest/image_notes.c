/*
 * image_notes.c -- the ELF notes of QEMU and kdump images: the vCPU
 * registers and the VMCOREINFO text (see guest/image_impl.h).
 *
 * Notes read (all little endian, 4-byte aligned, 12-byte headers in both
 * ELF classes):
 *	"CORE" NT_PRSTATUS	x86_64 elf_prstatus (336 bytes: pr_pid at 32,
 *				the 27 user_regs words at 112) or i386 (144
 *				bytes: pr_pid at 24, 17 words at 72)
 *	"QEMU" type 0		QEMUCPUState (version 1): general registers,
 *				six segments (selector, limit, flags, base),
 *				LDT, TR, GDT, IDT, cr[0..4]; kernel_gs_base
 *				when its size field says 440 or more
 *	"VMCOREINFO" type 0	the kernel's VMCOREINFO text
 * Everything else (other names, types, or sizes we do not know, such as
 * FPU notes) is skipped.  A note running past its area is EINVAL.
 *
 * Merging, per vCPU: QEMU writes, for each CPU, an NT_PRSTATUS whose
 * pr_pid is the CPU's index + 1 and then its QEMU note.  When the
 * pr_pids are exactly 1..N, vCPU number = pr_pid - 1; otherwise (a
 * kernel's own notes carry the pid of the task that ran) notes are
 * numbered in file order.  The i-th QEMU note belongs to the i-th
 * NT_PRSTATUS's vCPU.  General registers and selectors come from the
 * QEMU note when there is one (full 64-bit values even in an ELF32
 * dump), else from NT_PRSTATUS; segment bases from either (the QEMU
 * note also has the kernel GS base); control registers only from the
 * QEMU note.
 *
 * EFER is in neither note, so GUEST_REGS_EFER is never set; gr_efer
 * holds what is derived: long mode (LME|LMA) when paging with PAE and
 * the file says so -- the ELF machine is EM_X86_64 (QEMU picks it when
 * the first CPU has LMA), the NT_PRSTATUS is the x86_64 one (same rule),
 * or CS is a 64-bit code segment -- or, failing those, some register or
 * base holds a value above 4 GiB, which no 32-bit mode can.  NXE is
 * assumed on whenever PAE paging is (a guest that left it off never sets
 * the bit, so the assumption only changes how a reserved bit would be
 * reported).  gr_addr_bits: 64 in long mode with CS.L, else 32 with
 * CS.D, else 16; without a QEMU note, 64 for an x86_64 NT_PRSTATUS and
 * 32 for an i386 one.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "guest/image_impl.h"

#define	NOTES__NT_PRSTATUS	1
#define	NOTES__PRSTATUS64	336
#define	NOTES__PRSTATUS32	144
#define	NOTES__QEMU_MIN		432	/* version 1 without kernel_gs_base */
#define	NOTES__QEMU_KGS		440	/* with it */
#define	NOTES__QEMU_SEG(i)	(152 + 24 * (i))	/* cs ds es fs gs ss */
#define	NOTES__QEMU_CR		392

#define	NOTES__CR0_PE		(1ULL << 0)
#define	NOTES__CR0_PG		(1ULL << 31)
#define	NOTES__CR4_PAE		(1ULL << 5)
#define	NOTES__EFER_LME		(1ULL << 8)
#define	NOTES__EFER_LMA		(1ULL << 10)
#define	NOTES__EFER_NXE		(1ULL << 11)
#define	NOTES__SEG_L		(1u << 21)	/* QEMU's descriptor flags */
#define	NOTES__SEG_DB		(1u << 22)

struct image_notes_prstatus {
	uint32_t	np_pid;
	bool		np_x86_64;
	struct guest_regs np_regs;
};

struct image_notes_qemu {
	uint32_t	nq_cs_flags;
	struct guest_regs nq_regs;
};

void
image_notes_init(struct image_notes *in)
{
	memset(in, 0, sizeof (*in));
}

void
image_notes_free(struct image_notes *in)
{
	free(in->in_prstatus);
	free(in->in_qemu);
	free(in->in_vmcoreinfo);
	image_notes_init(in);
}

/* Room for one more element in *arr (n used); false when out of memory. */
static bool
notes_grow(void **arr, unsigned n, size_t elem)
{
	void *p;
	unsigned cap;

	if (n != 0 && (n & (n - 1)) != 0)
		return (true);		/* capacity is the next power of 2 */
	cap = n == 0 ? 4 : 2 * n;
	if ((p = realloc(*arr, (size_t)cap * elem)) == NULL)
		return (false);
	*arr = p;
	return (true);
}

static void
notes_prstatus64(const unsigned char *d, struct image_notes_prstatus *np)
{
	const unsigned char *u = d + 112;
	struct guest_regs *r = &np->np_regs;

	np->np_pid = image_le32(d + 32);
	np->np_x86_64 = true;
	r->gr_r15 = image_le64(u + 0 * 8);
	r->gr_r14 = image_le64(u + 1 * 8);
	r->gr_r13 = image_le64(u + 2 * 8);
	r->gr_r12 = image_le64(u + 3 * 8);
	r->gr_rbp = image_le64(u + 4 * 8);
	r->gr_rbx = image_le64(u + 5 * 8);
	r->gr_r11 = image_le64(u + 6 * 8);
	r->gr_r10 = image_le64(u + 7 * 8);
	r->gr_r9 = image_le64(u + 8 * 8);
	r->gr_r8 = image_le64(u + 9 * 8);
	r->gr_rax = image_le64(u + 10 * 8);
	r->gr_rcx = image_le64(u + 11 * 8);
	r->gr_rdx = image_le64(u + 12 * 8);
	r->gr_rsi = image_le64(u + 13 * 8);
	r->gr_rdi = image_le64(u + 14 * 8);
	/* 15: orig_rax */
	r->gr_rip = image_le64(u + 16 * 8);
	r->gr_cs = (uint16_t)image_le64(u + 17 * 8);
	r->gr_rflags = image_le64(u + 18 * 8);
	r->gr_rsp = image_le64(u + 19 * 8);
	r->gr_ss = (uint16_t)image_le64(u + 20 * 8);
	r->gr_fs_base = image_le64(u + 21 * 8);
	r->gr_gs_base = image_le64(u + 22 * 8);
	r->gr_ds = (uint16_t)image_le64(u + 23 * 8);
	r->gr_es = (uint16_t)image_le64(u + 24 * 8);
	r->gr_fs = (uint16_t)image_le64(u + 25 * 8);
	r->gr_gs = (uint16_t)image_le64(u + 26 * 8);
	r->gr_valid = GUEST_REGS_GPR | GUEST_REGS_SEG | GUEST_REGS_SEGBASE;
}

static void
notes_prstatus32(const unsigned char *d, struct image_notes_prstatus *np)
{
	const unsigned char *u = d + 72;
	struct guest_regs *r = &np->np_regs;

	np->np_pid = image_le32(d + 24);
	np->np_x86_64 = false;
	r->gr_rbx = image_le32(u + 0);
	r->gr_rcx = image_le32(u + 4);
	r->gr_rdx = image_le32(u + 8);
	r->gr_rsi = image_le32(u + 12);
	r->gr_rdi = image_le32(u + 16);
	r->gr_rbp = image_le32(u + 20);
	r->gr_rax = image_le32(u + 24);
	r->gr_ds = image_le16(u + 28);
	r->gr_es = image_le16(u + 32);
	r->gr_fs = image_le16(u + 36);
	r->gr_gs = image_le16(u + 40);
	/* 44: orig_eax */
	r->gr_rip = image_le32(u + 48);
	r->gr_cs = image_le16(u + 52);
	r->gr_rflags = image_le32(u + 56);
	r->gr_rsp = image_le32(u + 60);
	r->gr_ss = image_le16(u + 64);
	r->gr_valid = GUEST_REGS_GPR | GUEST_REGS_SEG;
}

static void
notes_qemu(const unsigned char *d, uint32_t size, struct image_notes_qemu *nq)
{
	struct guest_regs *r = &nq->nq_regs;
	uint16_t *sel[6];
	unsigned i;

	r->gr_rax = image_le64(d + 8);
	r->gr_rbx = image_le64(d + 16);
	r->gr_rcx = image_le64(d + 24);
	r->gr_rdx = image_le64(d + 32);
	r->gr_rsi = image_le64(d + 40);
	r->gr_rdi = image_le64(d + 48);
	r->gr_rsp = image_le64(d + 56);
	r->gr_rbp = image_le64(d + 64);
	r->gr_r8 = image_le64(d + 72);
	r->gr_r9 = image_le64(d + 80);
	r->gr_r10 = image_le64(d + 88);
	r->gr_r11 = image_le64(d + 96);
	r->gr_r12 = image_le64(d + 104);
	r->gr_r13 = image_le64(d + 112);
	r->gr_r14 = image_le64(d + 120);
	r->gr_r15 = image_le64(d + 128);
	r->gr_rip = image_le64(d + 136);
	r->gr_rflags = image_le64(d + 144);
	sel[0] = &r->gr_cs;
	sel[1] = &r->gr_ds;
	sel[2] = &r->gr_es;
	sel[3] = &r->gr_fs;
	sel[4] = &r->gr_gs;
	sel[5] = &r->gr_ss;
	for (i = 0; i < 6; i++)
		*sel[i] = (uint16_t)image_le32(d + NOTES__QEMU_SEG(i));
	nq->nq_cs_flags = image_le32(d + NOTES__QEMU_SEG(0) + 8);
	r->gr_fs_base = image_le64(d + NOTES__QEMU_SEG(3) + 16);
	r->gr_gs_base = image_le64(d + NOTES__QEMU_SEG(4) + 16);
	r->gr_cr0 = image_le64(d + NOTES__QEMU_CR);
	r->gr_cr2 = image_le64(d + NOTES__QEMU_CR + 16);
	r->gr_cr3 = image_le64(d + NOTES__QEMU_CR + 24);
	r->gr_cr4 = image_le64(d + NOTES__QEMU_CR + 32);
	if (size >= NOTES__QEMU_KGS)
		r->gr_kernel_gs_base = image_le64(d + NOTES__QEMU_MIN);
	r->gr_valid = GUEST_REGS_GPR | GUEST_REGS_SEG | GUEST_REGS_SEGBASE |
	    GUEST_REGS_CR;
}

static bool
notes_name_is(const unsigned char *name, uint32_t namesz, const char *want)
{
	size_t n = strlen(want);

	/* With its NUL, as the ELF spec says; some writers leave it out. */
	return ((namesz == n + 1 && memcmp(name, want, n + 1) == 0) ||
	    (namesz == n && memcmp(name, want, n) == 0));
}

static int
notes_too_many(const char *path, const char *where, char *errbuf,
    size_t errlen)
{
	return (image_fail(errbuf, errlen, EINVAL, "%s: %s describes more "
	    "than %u vCPUs: not a dump porthole can read", path, where,
	    IMAGE_MAX_VCPUS));
}

int
image_notes_add(struct image_notes *in, const unsigned char *buf, size_t len,
    const char *path, const char *where, char *errbuf, size_t errlen)
{
	uint64_t pos = 0, namesz, descsz, descoff, end;
	const unsigned char *name, *desc;
	uint32_t type;

	while (len - pos >= 12) {
		namesz = image_le32(buf + pos);
		descsz = image_le32(buf + pos + 4);
		type = image_le32(buf + pos + 8);
		descoff = pos + 12 + ((namesz + 3) & ~3ULL);
		end = descoff + descsz;
		if (descoff > len || end > len)
			return (image_fail(errbuf, errlen, EINVAL, "%s: the "
			    "note at offset %" PRIu64 " of %s runs past its "
			    "end (%zu bytes)", path, pos, where, len));
		name = buf + pos + 12;
		desc = buf + descoff;
		if (notes_name_is(name, (uint32_t)namesz, "CORE") &&
		    type == NOTES__NT_PRSTATUS && (descsz ==
		    NOTES__PRSTATUS64 || descsz == NOTES__PRSTATUS32)) {
			struct image_notes_prstatus *np;

			if (in->in_nprstatus >= IMAGE_MAX_VCPUS)
				return (notes_too_many(path, where, errbuf,
				    errlen));
			if (!notes_grow((void **)&in->in_prstatus,
			    in->in_nprstatus, sizeof (*np)))
				return (image_fail(errbuf, errlen, ENOMEM,
				    "%s: out of memory", path));
			np = &in->in_prstatus[in->in_nprstatus++];
			memset(np, 0, sizeof (*np));
			if (descsz == NOTES__PRSTATUS64)
				notes_prstatus64(desc, np);
			else
				notes_prstatus32(desc, np);
		} else if (notes_name_is(name, (uint32_t)namesz, "QEMU") &&
		    type == 0 && descsz >= NOTES__QEMU_MIN &&
		    image_le32(desc) == 1 && image_le32(desc + 4) >=
		    NOTES__QEMU_MIN && image_le32(desc + 4) <= descsz) {
			struct image_notes_qemu *nq;

			if (in->in_nqemu >= IMAGE_MAX_VCPUS)
				return (notes_too_many(path, where, errbuf,
				    errlen));
			if (!notes_grow((void **)&in->in_qemu, in->in_nqemu,
			    sizeof (*nq)))
				return (image_fail(errbuf, errlen, ENOMEM,
				    "%s: out of memory", path));
			nq = &in->in_qemu[in->in_nqemu++];
			memset(nq, 0, sizeof (*nq));
			notes_qemu(desc, image_le32(desc + 4), nq);
		} else if (notes_name_is(name, (uint32_t)namesz,
		    "VMCOREINFO") && in->in_vmcoreinfo == NULL) {
			size_t n = (size_t)descsz;

			if (n > IMAGE_MAX_VMCOREINFO)
				n = IMAGE_MAX_VMCOREINFO;
			if ((in->in_vmcoreinfo = malloc(n + 1)) == NULL)
				return (image_fail(errbuf, errlen, ENOMEM,
				    "%s: out of memory", path));
			memcpy(in->in_vmcoreinfo, desc, n);
			in->in_vmcoreinfo[n] = '\0';
			in->in_vmcoreinfo_len = n;
		} else
			in->in_skipped++;
		/* The last note may lack its padding. */
		pos = (end + 3) & ~3ULL;
		if (pos >= len)
			break;
	}
	return (0);
}

/* Whether the pr_pids are exactly 1 .. n (QEMU's numbering). */
static bool
notes_pids_are_indexes(const struct image_notes *in)
{
	unsigned char *seen;
	unsigned i;
	bool ok = true;

	if (in->in_nprstatus == 0 ||
	    (seen = calloc(in->in_nprstatus, 1)) == NULL)
		return (false);
	for (i = 0; i < in->in_nprstatus && ok; i++) {
		uint32_t pid = in->in_prstatus[i].np_pid;

		ok = pid >= 1 && pid <= in->in_nprstatus && !seen[pid - 1];
		if (ok)
			seen[pid - 1] = 1;
	}
	free(seen);
	return (ok);
}

static bool
notes_above_4g(const struct guest_regs *r)
{
	uint64_t any = r->gr_rax | r->gr_rbx | r->gr_rcx | r->gr_rdx |
	    r->gr_rsi | r->gr_rdi | r->gr_rbp | r->gr_rsp | r->gr_r8 |
	    r->gr_r9 | r->gr_r10 | r->gr_r11 | r->gr_r12 | r->gr_r13 |
	    r->gr_r14 | r->gr_r15 | r->gr_rip | r->gr_fs_base | r->gr_gs_base |
	    r->gr_kernel_gs_base;

	return ((any >> 32) != 0);
}

/* gr_efer and gr_addr_bits as the file comment says. */
static void
notes_derive_mode(struct guest_regs *r, bool long_hint, bool have_qemu,
    uint32_t cs_flags, bool prstatus64)
{
	bool lm;

	if (!have_qemu) {
		r->gr_addr_bits = prstatus64 ? 64 : 32;
		r->gr_efer = prstatus64 ? NOTES__EFER_LME | NOTES__EFER_LMA |
		    NOTES__EFER_NXE : 0;
		return;
	}
	if ((r->gr_cr0 & NOTES__CR0_PE) == 0) {
		r->gr_addr_bits = 16;
		r->gr_efer = 0;
		return;
	}
	lm = (r->gr_cr0 & NOTES__CR0_PG) && (r->gr_cr4 & NOTES__CR4_PAE) &&
	    (long_hint || prstatus64 || (cs_flags & NOTES__SEG_L) ||
	    notes_above_4g(r));
	if (lm)
		r->gr_efer = NOTES__EFER_LME | NOTES__EFER_LMA |
		    NOTES__EFER_NXE;
	else
		r->gr_efer = (r->gr_cr0 & NOTES__CR0_PG) &&
		    (r->gr_cr4 & NOTES__CR4_PAE) ? NOTES__EFER_NXE : 0;
	if (lm && (cs_flags & NOTES__SEG_L))
		r->gr_addr_bits = 64;
	else
		r->gr_addr_bits = (cs_flags & NOTES__SEG_DB) ? 32 : 16;
}

int
image_notes_finish(struct image_notes *in, bool long_hint, struct image *im)
{
	unsigned n, i, slot, *slots = NULL;
	bool by_pid;
	int rv = 0;

	if (in->in_vmcoreinfo != NULL && im->im_vmcoreinfo == NULL &&
	    (rv = image_set_vmcoreinfo(im, in->in_vmcoreinfo,
	    in->in_vmcoreinfo_len)) != 0)
		goto out;
	n = in->in_nprstatus > in->in_nqemu ? in->in_nprstatus : in->in_nqemu;
	if (n == 0)
		goto out;
	im->im_vcpus = calloc(n, sizeof (*im->im_vcpus));
	slots = calloc(n, sizeof (*slots));
	if (im->im_vcpus == NULL || slots == NULL) {
		free(im->im_vcpus);
		im->im_vcpus = NULL;
		rv = ENOMEM;
		goto out;
	}
	by_pid = notes_pids_are_indexes(in);
	for (i = 0; i < n; i++)
		slots[i] = by_pid && i < in->in_nprstatus ?
		    in->in_prstatus[i].np_pid - 1 : i;
	for (i = 0; i < n; i++) {
		const struct image_notes_prstatus *np = i < in->in_nprstatus ?
		    &in->in_prstatus[i] : NULL;
		const struct image_notes_qemu *nq = i < in->in_nqemu ?
		    &in->in_qemu[i] : NULL;
		struct guest_regs *r;

		slot = slots[i];
		r = &im->im_vcpus[slot];
		if (nq != NULL) {
			*r = nq->nq_regs;
			/* The x86_64 NT_PRSTATUS has no kernel GS base. */
		} else
			*r = np->np_regs;
		r->gr_vcpu = slot;
		r->gr_online = true;
		notes_derive_mode(r, long_hint, nq != NULL, nq != NULL ?
		    nq->nq_cs_flags : 0, np != NULL && np->np_x86_64);
	}
	im->im_nvcpus = n;
out:
	free(slots);
	image_notes_free(in);
	return (rv);
}
