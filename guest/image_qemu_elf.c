/*
 * image_qemu_elf.c -- the QEMU `dump-guest-memory` ELF opener: ELF64 or
 * ELF32 (QEMU writes ELF32 for an i386 guest below 4 GiB), little endian,
 * ET_CORE, x86 (EM_X86_64 or EM_386).
 *
 * Memory: each PT_LOAD gives the frames [p_paddr, p_paddr + p_filesz) at
 * file offset p_offset; they become the extents of the file-extent core
 * (vm/physmem_file.c), which maps them from the file (or reads them into
 * memory: QEMU puts its memory right after the notes, at an offset that
 * is not page aligned).  Where p_memsz exceeds p_filesz, the frames past
 * the file bytes are holes, not zeros: QEMU leaves such a tail only for
 * memory it could not read, and reading zeros there would invent
 * contents (a window that wants zeros asks for holes as zeros).  A
 * partial last page of p_filesz is a hole for the same reason.  The
 * physical address space ends at the highest p_paddr + p_memsz.
 * PT_LOADs must start on a page boundary and must not overlap (a dump
 * taken with paging=on may map one frame twice: refused, take it without
 * paging).  PN_XNUM program-header counts are read from section 0.
 *
 * Notes: every PT_NOTE goes through the note decoder (image_notes.c):
 * NT_PRSTATUS, QEMU's CPU state and VMCOREINFO.
 *
 * Errors: EINVAL with a sentence naming the file, the field and its
 * offset; ENOTSUP for a big-endian or non-x86 ELF.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "guest/image.h"
#include "guest/image_impl.h"
#include "vm/physmem.h"
#include "vm/seg.h"
#include "vm/vm_alloc.h"

#define	QE__PT_LOAD		1
#define	QE__PT_NOTE		4
#define	QE__PN_XNUM		0xffff
#define	QE__EM_386		3
#define	QE__EM_X86_64		62
#define	QE__MAX_PHDRS		(1u << 20)
/* Physical addresses beyond 52 bits exist on no x86. */
#define	QE__MAX_PADDR		(1ULL << 52)

struct physmem_qemu_elf {
	struct physmem_file	qe_file;	/* first: the extent core's */
	char			*qe_path;
	unsigned		qe_class;	/* 32 or 64 */
	size_t			qe_nloads;
	uint64_t		qe_frames;	/* frames with data */
};

/* One program header, either class. */
struct qe_phdr {
	uint32_t	ph_type;
	uint64_t	ph_offset;
	uint64_t	ph_paddr;
	uint64_t	ph_filesz;
	uint64_t	ph_memsz;
};

static void
qe_describe(const struct physmem *pm, char *buf, size_t len)
{
	const struct physmem_qemu_elf *qe = pm->pm_data;

	(void) snprintf(buf, len, "qemu-elf %s (ELF%u, %zu PT_LOAD, %" PRIu64
	    " pages in %" PRIu64 " frames)", qe->qe_path, qe->qe_class,
	    qe->qe_nloads, qe->qe_frames, pm->pm_nframes);
}

static void
qe_free(struct physmem_qemu_elf *qe)
{
	if (qe->qe_file.pf_fd >= 0)
		(void) close(qe->qe_file.pf_fd);
	free(qe->qe_file.pf_ext);
	free(qe->qe_path);
	free(qe);
}

static void
qe_destroy(struct physmem *pm)
{
	qe_free(pm->pm_data);
}

static const struct physmem_ops physmem_qemu_elf_ops = {
	.name = "qemu-elf",
	.map = physmem_file_map,
	.present = physmem_file_present,
	.describe = qe_describe,
	.destroy = qe_destroy,
	.private_writes = true,
};

static int
qe_ext_compar(const void *a, const void *b)
{
	const struct physmem_extent *x = a, *y = b;

	return ((x->pe_gfn > y->pe_gfn) - (x->pe_gfn < y->pe_gfn));
}

static void
qe_parse_phdr(const unsigned char *p, bool elf64, struct qe_phdr *ph)
{
	ph->ph_type = image_le32(p);
	if (elf64) {
		ph->ph_offset = image_le64(p + 8);
		ph->ph_paddr = image_le64(p + 24);
		ph->ph_filesz = image_le64(p + 32);
		ph->ph_memsz = image_le64(p + 40);
	} else {
		ph->ph_offset = image_le32(p + 4);
		ph->ph_paddr = image_le32(p + 12);
		ph->ph_filesz = image_le32(p + 16);
		ph->ph_memsz = image_le32(p + 20);
	}
}

/* The number of program headers, PN_XNUM resolved through section 0. */
static int
qe_phnum(int fd, const char *path, const unsigned char *eh, bool elf64,
    uint64_t fsize, uint64_t *phnump, char *errbuf, size_t errlen)
{
	unsigned char sh[64];
	uint64_t shoff = elf64 ? image_le64(eh + 40) : image_le32(eh + 32);
	unsigned shentsize = image_le16(eh + (elf64 ? 58 : 46));
	int e;

	*phnump = image_le16(eh + (elf64 ? 56 : 44));
	if (*phnump != QE__PN_XNUM)
		return (0);
	if (shentsize != (elf64 ? 64u : 40u) || shoff > fsize ||
	    fsize - shoff < shentsize)
		return (image_fail(errbuf, errlen, EINVAL, "%s: e_phnum is "
		    "PN_XNUM but section header 0 (at offset %" PRIu64 ") is "
		    "not in the file", path, shoff));
	if ((e = image_pread(fd, sh, shentsize, shoff)) != 0)
		return (image_fail(errbuf, errlen, e, "%s: reading section "
		    "header 0 at offset %" PRIu64 ": %s", path, shoff,
		    strerror(e)));
	*phnump = image_le32(sh + (elf64 ? 44 : 28));	/* sh_info */
	return (0);
}

/* Turn one PT_LOAD into an extent (or none); 0 or EINVAL. */
static int
qe_load(const char *path, unsigned i, const struct qe_phdr *ph,
    uint64_t fsize, struct physmem_extent *ex, size_t *nextp,
    uint64_t *endp, char *errbuf, size_t errlen)
{
	uint64_t pages;

	if (ph->ph_filesz > ph->ph_memsz)
		return (image_fail(errbuf, errlen, EINVAL, "%s: PT_LOAD %u has "
		    "p_filesz 0x%" PRIx64 " above p_memsz 0x%" PRIx64, path, i,
		    ph->ph_filesz, ph->ph_memsz));
	if ((ph->ph_paddr & (IMAGE_PAGE - 1)) != 0)
		return (image_fail(errbuf, errlen, EINVAL, "%s: PT_LOAD %u "
		    "starts at physical address 0x%" PRIx64 ", not on a page "
		    "boundary", path, i, ph->ph_paddr));
	if (ph->ph_paddr >= QE__MAX_PADDR || ph->ph_memsz > QE__MAX_PADDR -
	    ph->ph_paddr)
		return (image_fail(errbuf, errlen, EINVAL, "%s: PT_LOAD %u "
		    "(physical 0x%" PRIx64 ", p_memsz 0x%" PRIx64 ") reaches "
		    "beyond 52-bit physical addresses", path, i, ph->ph_paddr,
		    ph->ph_memsz));
	if (ph->ph_offset > fsize || ph->ph_filesz > fsize - ph->ph_offset)
		return (image_fail(errbuf, errlen, EINVAL, "%s: PT_LOAD %u "
		    "(file offset %" PRIu64 ", p_filesz %" PRIu64 ") runs past "
		    "the end of the file (%" PRIu64 " bytes): a cut dump",
		    path, i, ph->ph_offset, ph->ph_filesz, fsize));
	pages = ph->ph_filesz / IMAGE_PAGE;
	if (pages > 0) {
		ex[*nextp].pe_gfn = ph->ph_paddr / IMAGE_PAGE;
		ex[*nextp].pe_npages = pages;
		ex[*nextp].pe_off = ph->ph_offset;
		(*nextp)++;
	}
	if ((ph->ph_paddr + ph->ph_memsz + IMAGE_PAGE - 1) / IMAGE_PAGE >
	    *endp)
		*endp = (ph->ph_paddr + ph->ph_memsz + IMAGE_PAGE - 1) /
		    IMAGE_PAGE;
	return (0);
}

/* Read one PT_NOTE into the note decoder. */
static int
qe_note(int fd, const char *path, unsigned i, const struct qe_phdr *ph,
    uint64_t fsize, struct image_notes *in, char *errbuf, size_t errlen)
{
	unsigned char *buf;
	char where[32];
	int e;

	if (ph->ph_filesz == 0)
		return (0);
	if (ph->ph_filesz > IMAGE_MAX_NOTES || ph->ph_offset > fsize ||
	    ph->ph_filesz > fsize - ph->ph_offset)
		return (image_fail(errbuf, errlen, EINVAL, "%s: PT_NOTE %u "
		    "(file offset %" PRIu64 ", %" PRIu64 " bytes) is not in "
		    "the file or too large", path, i, ph->ph_offset,
		    ph->ph_filesz));
	if ((buf = malloc((size_t)ph->ph_filesz)) == NULL)
		return (image_fail(errbuf, errlen, ENOMEM, "%s: out of "
		    "memory for %" PRIu64 " bytes of notes", path,
		    ph->ph_filesz));
	if ((e = image_pread(fd, buf, (size_t)ph->ph_filesz,
	    ph->ph_offset)) != 0) {
		free(buf);
		return (image_fail(errbuf, errlen, e, "%s: reading PT_NOTE %u "
		    "at offset %" PRIu64 ": %s", path, i, ph->ph_offset,
		    strerror(e)));
	}
	(void) snprintf(where, sizeof (where), "PT_NOTE %u", i);
	e = image_notes_add(in, buf, (size_t)ph->ph_filesz, path, where,
	    errbuf, errlen);
	free(buf);
	return (e);
}

/* The ELF header: class, machine, program headers in range. */
static int
qe_header(int fd, const char *path, uint64_t fsize, unsigned char *eh,
    bool *elf64p, uint16_t *machinep, char *errbuf, size_t errlen)
{
	int e;

	if (fsize < 52)
		return (image_fail(errbuf, errlen, EINVAL, "%s: %" PRIu64
		    " bytes are too few for an ELF header", path, fsize));
	if ((e = image_pread(fd, eh, fsize < 64 ? 52 : 64, 0)) != 0)
		return (image_fail(errbuf, errlen, e, "%s: reading the ELF "
		    "header: %s", path, strerror(e)));
	if (memcmp(eh, "\177ELF", 4) != 0 || (eh[4] != 1 && eh[4] != 2))
		return (image_fail(errbuf, errlen, EINVAL, "%s: not an ELF "
		    "file (bad magic or class at offset 0)", path));
	*elf64p = eh[4] == 2;
	if (*elf64p && fsize < 64)
		return (image_fail(errbuf, errlen, EINVAL, "%s: %" PRIu64
		    " bytes are too few for an ELF64 header", path, fsize));
	if (eh[5] != 1)
		return (image_fail(errbuf, errlen, ENOTSUP, "%s: a big-endian "
		    "ELF file: porthole reads x86 dumps only", path));
	if (image_le16(eh + 16) != 4)
		return (image_fail(errbuf, errlen, EINVAL, "%s: e_type (offset "
		    "16) is %u, not ET_CORE", path, image_le16(eh + 16)));
	*machinep = image_le16(eh + 18);
	if (*machinep != QE__EM_X86_64 && *machinep != QE__EM_386)
		return (image_fail(errbuf, errlen, ENOTSUP, "%s: e_machine "
		    "(offset 18) is %u: porthole reads x86 dumps only", path,
		    *machinep));
	return (0);
}

int
image_open_qemu_elf(int fd, const char *path, bool writable,
    struct image *im, char *errbuf, size_t errlen)
{
	unsigned char eh[64], *ph = NULL;
	struct physmem_qemu_elf *qe = NULL;
	struct physmem_extent *ex = NULL;
	struct image_notes in;
	struct qe_phdr p;
	uint64_t fsize = 0, phoff, phnum = 0, end = 0, frames = 0, i;
	size_t phent, next = 0, k;
	uint16_t machine = 0;
	bool elf64 = false;
	int e, dfd;

	(void) writable;	/* the file-extent core maps copies on write */
	image_notes_init(&in);
	if (PAGESIZE != IMAGE_PAGE)
		return (image_fail(errbuf, errlen, ENOTSUP, "%s: this host's "
		    "pages are %zu bytes, the dump's %u: it cannot be mapped "
		    "here", path, (size_t)PAGESIZE, IMAGE_PAGE));
	if ((e = image_file_size(fd, &fsize)) != 0)
		return (image_fail(errbuf, errlen, e, "%s: %s", path,
		    strerror(e)));
	if ((e = qe_header(fd, path, fsize, eh, &elf64, &machine, errbuf,
	    errlen)) != 0)
		return (e);
	phoff = elf64 ? image_le64(eh + 32) : image_le32(eh + 28);
	phent = elf64 ? 56 : 32;
	if (image_le16(eh + (elf64 ? 54 : 42)) != phent)
		return (image_fail(errbuf, errlen, EINVAL, "%s: e_phentsize is "
		    "%u, not %zu", path, image_le16(eh + (elf64 ? 54 : 42)),
		    phent));
	if ((e = qe_phnum(fd, path, eh, elf64, fsize, &phnum, errbuf,
	    errlen)) != 0)
		return (e);
	if (phnum == 0 || phnum > QE__MAX_PHDRS || phoff > fsize ||
	    phnum * phent > fsize - phoff)
		return (image_fail(errbuf, errlen, EINVAL, "%s: %" PRIu64
		    " program headers at offset %" PRIu64 " do not fit in the "
		    "file (%" PRIu64 " bytes)", path, phnum, phoff, fsize));
	if ((ph = malloc((size_t)(phnum * phent))) == NULL ||
	    (ex = calloc((size_t)phnum, sizeof (*ex))) == NULL) {
		e = image_fail(errbuf, errlen, ENOMEM, "%s: out of memory for "
		    "%" PRIu64 " program headers", path, phnum);
		goto fail;
	}
	if ((e = image_pread(fd, ph, (size_t)(phnum * phent), phoff)) != 0) {
		e = image_fail(errbuf, errlen, e, "%s: reading the program "
		    "headers: %s", path, strerror(e));
		goto fail;
	}
	for (i = 0; i < phnum; i++) {
		qe_parse_phdr(ph + i * phent, elf64, &p);
		if (p.ph_type == QE__PT_LOAD)
			e = qe_load(path, (unsigned)i, &p, fsize, ex, &next,
			    &end, errbuf, errlen);
		else if (p.ph_type == QE__PT_NOTE)
			e = qe_note(fd, path, (unsigned)i, &p, fsize, &in,
			    errbuf, errlen);
		if (e != 0)
			goto fail;
	}
	if (end == 0) {
		e = image_fail(errbuf, errlen, EINVAL, "%s: no PT_LOAD segment "
		    "holds guest memory", path);
		goto fail;
	}
	/*
	 * end is bounded by QE__MAX_PADDR, not by this host's address space:
	 * the window maps frames a slot or kluster at a time, so a 32-bit
	 * host reads a dump whose frames lie above 4 GiB (QEMU puts the BIOS
	 * ROM just below 4 GiB) as a 64-bit one does.
	 */
	qsort(ex, next, sizeof (*ex), qe_ext_compar);
	for (k = 0; k < next; k++) {
		frames += ex[k].pe_npages;
		if (k > 0 && ex[k - 1].pe_gfn + ex[k - 1].pe_npages >
		    ex[k].pe_gfn) {
			e = image_fail(errbuf, errlen, EINVAL, "%s: two "
			    "PT_LOAD segments hold physical address 0x%" PRIx64 " (a "
			    "dump taken with paging on? take it without)",
			    path, ex[k].pe_gfn * IMAGE_PAGE);
			goto fail;
		}
	}
	if ((qe = calloc(1, sizeof (*qe))) == NULL) {
		e = image_fail(errbuf, errlen, ENOMEM, "%s: out of memory",
		    path);
		goto fail;
	}
	qe->qe_file.pf_fd = -1;
	if ((qe->qe_path = strdup(path)) == NULL) {
		e = image_fail(errbuf, errlen, ENOMEM, "%s: out of memory",
		    path);
		goto fail;
	}
	if ((dfd = fcntl(fd, F_DUPFD_CLOEXEC, 0)) < 0) {
		e = image_fail(errbuf, errlen, errno, "%s: %s", path,
		    strerror(errno));
		goto fail;
	}
	qe->qe_class = elf64 ? 64 : 32;
	qe->qe_nloads = next;
	qe->qe_frames = frames;
	physmem_file_init(&qe->qe_file, dfd, ex, next);
	ex = NULL;
	if ((e = image_notes_finish(&in, machine == QE__EM_X86_64, im)) != 0) {
		e = image_fail(errbuf, errlen, e, "%s: out of memory", path);
		goto fail;
	}
	if ((im->im_pm = physmem_create(&physmem_qemu_elf_ops, qe, end)) ==
	    NULL) {
		e = image_fail(errbuf, errlen, ENOMEM, "%s: out of memory",
		    path);
		goto fail;
	}
	im->im_format = IMAGE_QEMU_ELF;
	free(ph);
	return (0);
fail:
	image_notes_free(&in);
	if (qe != NULL)
		qe_free(qe);
	free(ex);
	free(ph);
	return (e);
}
