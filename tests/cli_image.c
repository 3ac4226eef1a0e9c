/*
 * cli_image.c -- the memory images tests/cli*.test run the porthole
 * command against, written from this source (no binary inputs), and the
 * checks of what the command writes that need more than cmp.
 *
 *	cli-image facts			the layout below as shell variables,
 *					and PHYS_OPS: the physical window's
 *					driver for a guest as this build's
 *					pointer width decides it (the
 *					porthole beside it is built alike)
 *	cli-image raw PATH		a 4 MiB raw image: 4-level page tables
 *					mapping a user range and a kernel
 *					range, a 2 MiB page, markers (one
 *					across a page boundary, one only in
 *					physical memory, one split across two
 *					virtually adjacent pages whose frames
 *					are apart), frames 100-199 all zero
 *	cli-image xc-core PATH		the same memory as an xc-core (HVM
 *					layout) file without frames 100-199
 *					(holes), vCPU 0 online in long mode
 *					with known registers, vCPU 1 offline
 *	cli-image big PATH MIB		a raw image of MIB MiB, every page
 *					different (dumps that take a while)
 *	cli-image elfcheck ELF RAW	an ELF core's layout is sound and each
 *					PT_LOAD holds RAW's bytes at its
 *					physical address; prints "LOAD start
 *					size" per segment and "NOTE name type
 *					size" per note
 * Exit 0, or 1 with the reason on stderr.
 */
#include "config.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xen/xc_core.h"
#include "xen/xc_core_write.h"
#include "xen/xen_err.h"

#define	PG		4096ULL
#define	NFRAMES		1024ULL
#define	PML4		1ULL
#define	PDPT_LO		2ULL
#define	PD_LO		3ULL
#define	PT_LO		4ULL
#define	PDPT_HI		5ULL
#define	PD_HI		6ULL
#define	PT_HI		7ULL
#define	UVA		0x0000000040000000ULL	/* PML4 0, PDPT 1 */
#define	BIG_VA		(UVA + (1ULL << 21))
#define	BIG_PA		(2ULL << 20)
#define	KVA		0xffffffff80000000ULL	/* PML4 511, PDPT 510 */
#define	HOLE_FIRST	100ULL
#define	HOLE_END	200ULL
#define	P		0x1ULL
#define	W		0x2ULL
#define	U		0x4ULL
#define	A		0x20ULL
#define	D		0x40ULL
#define	PS		0x80ULL
#define	G		0x100ULL
#define	NX		(1ULL << 63)

#define	KTEXT		"porthole test kernel text"
#define	GREP_MARKER	"PORTHOLE-GREP-MARKER"
#define	GREP_PA		(21 * PG + 4090)	/* into frame 22 */
#define	PHYS_MARKER	"PORTHOLE-PHYS-ONLY"
#define	PHYS_PA		(300 * PG + 100)
#define	SPLIT_MARKER	"PORTHOLE-SPLIT-MARKER"
#define	SPLIT_PA1	(40 * PG + 4086)	/* 10 bytes, then frame 45 */
#define	SPLIT_PA2	(45 * PG)
#define	SPLIT_VA	(KVA + 16 * PG + 4086)

/* vCPU 0's registers in the xc-core image. */
#define	REG_RIP		(KVA + 0x123)
#define	REG_RSP		(KVA + 0x2ff0)
#define	REG_RAX		0x1111222233334444ULL
#define	REG_CR0		0x80050033ULL
#define	REG_CR4		0x3506f0ULL

static unsigned char *img;

static int
fail(const char *fmt, const char *arg)
{
	(void) fprintf(stderr, "cli-image: ");
	(void) fprintf(stderr, fmt, arg);
	(void) fprintf(stderr, "\n");
	return (1);
}

static uint64_t
pattern(uint64_t gpa)
{
	return (gpa * 0x9E3779B97F4A7C15ULL ^ 0x5a5a);
}

static void
put(uint64_t gpa, uint64_t v)
{
	memcpy(img + gpa, &v, 8);
}

static int
build(void)
{
	uint64_t i;

	if ((img = calloc(NFRAMES, PG)) == NULL)
		return (-1);
	for (i = 0; i < NFRAMES * PG; i += 8)
		put(i, pattern(i));
	memset(img + PML4 * PG, 0, 7 * PG);
	memset(img + HOLE_FIRST * PG, 0, (HOLE_END - HOLE_FIRST) * PG);
	/* The user range. */
	put(PML4 * PG + 0 * 8, PDPT_LO * PG | P | W | U);
	put(PDPT_LO * PG + 1 * 8, PD_LO * PG | P | W | U);
	put(PD_LO * PG + 0 * 8, PT_LO * PG | P | W | U);
	put(PD_LO * PG + 1 * 8, BIG_PA | P | PS | NX | A);
	for (i = 0; i < 8; i++)
		if (i != 3)
			put(PT_LO * PG + i * 8, (10 + i) * PG | P | W | U | A);
	put(PT_LO * PG + 8 * 8, 5000 * PG | P | W);	/* past the image */
	/* The kernel range. */
	put(PML4 * PG + 511 * 8, PDPT_HI * PG | P | W | A);
	put(PDPT_HI * PG + 510 * 8, PD_HI * PG | P | W | A);
	put(PD_HI * PG + 0 * 8, PT_HI * PG | P | W | A);
	for (i = 0; i < 16; i++)
		put(PT_HI * PG + i * 8, (20 + i) * PG | P | W | A | D | G);
	put(PT_HI * PG + 16 * 8, 40 * PG | P | W | G | NX);
	put(PT_HI * PG + 17 * 8, 45 * PG | P | W | G | NX);
	/* Markers. */
	memcpy(img + 20 * PG, KTEXT, sizeof (KTEXT) - 1);
	memcpy(img + GREP_PA, GREP_MARKER, sizeof (GREP_MARKER) - 1);
	memcpy(img + PHYS_PA, PHYS_MARKER, sizeof (PHYS_MARKER) - 1);
	memcpy(img + SPLIT_PA1, SPLIT_MARKER, 10);
	memcpy(img + SPLIT_PA2, &SPLIT_MARKER[10], sizeof (SPLIT_MARKER) - 11);
	return (0);
}

static int
write_file(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");

	if (f == NULL || fwrite(p, 1, n, f) != n || fclose(f) != 0)
		return (fail("cannot write %s", path));
	return (0);
}

static void
put_le(unsigned char *p, uint64_t v, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static int
xc_source(void *arg, uint64_t first, const uint64_t *pfns, size_t count,
    void *buf, int *errs, struct xen_err *err)
{
	size_t i;

	(void) arg;
	(void) first;
	(void) err;
	for (i = 0; i < count; i++) {
		memcpy((char *)buf + i * PG, img + pfns[i] * PG, PG);
		errs[i] = 0;
	}
	return (0);
}

/* An HVM context (Xen's public layout, as xen/xc_core.c reads it). */
static void
put_ctx(unsigned char *c, bool online)
{
	static const size_t gpr[18] = { 600, 560, 608, 616, 624, 632, 552,
	    672, 592, 584, 576, 568, 544, 536, 528, 520, 648, 664 };
	unsigned k;

	memset(c, 0, XC_CORE_VCPU_CONTEXT_X86_64);
	if (!online)
		return;
	put_le(c + 512, 1u << 5, 4);			/* online */
	for (k = 0; k < 18; k++)
		put_le(c + gpr[k], 0x100 + k, 8);
	put_le(c + gpr[0], REG_RAX, 8);
	put_le(c + gpr[7], REG_RSP, 8);
	put_le(c + gpr[16], REG_RIP, 8);
	put_le(c + gpr[17], 0x246, 8);
	put_le(c + 656, 0x10, 2);			/* cs: ring 0 */
	put_le(c + 680, 0x18, 2);			/* ss */
	put_le(c + 4984, REG_CR0, 8);
	put_le(c + 4984 + 16, 0xdead000, 8);		/* cr2 */
	put_le(c + 4984 + 24, PML4 * PG, 8);		/* cr3 */
	put_le(c + 4984 + 32, REG_CR4, 8);
	put_le(c + 5152, 0xffff888000000000ULL, 8);	/* gs base, kernel */
}

static int
write_xc_core(const char *path)
{
	static unsigned char ctx[2 * XC_CORE_VCPU_CONTEXT_X86_64];
	struct xc_core_write_opts o;
	struct xen_err xe;
	uint64_t *pfns, n = 0, g;

	if ((pfns = calloc(NFRAMES, sizeof (*pfns))) == NULL)
		return (fail("%s", "out of memory"));
	for (g = 0; g < NFRAMES; g++)
		if (g < HOLE_FIRST || g >= HOLE_END)
			pfns[n++] = g;
	put_ctx(ctx, true);
	put_ctx(ctx + XC_CORE_VCPU_CONTEXT_X86_64, false);
	memset(&o, 0, sizeof (o));
	o.wo_hvm = true;
	o.wo_pfns = pfns;
	o.wo_nr_pages = n;
	o.wo_prstatus = ctx;
	o.wo_prstatus_entsize = XC_CORE_VCPU_CONTEXT_X86_64;
	o.wo_nr_vcpus = 2;
	o.wo_read = xc_source;
	xen_err_clear(&xe);
	if (xc_core_write_file(path, 0, &o, NULL, &xe) != 0) {
		free(pfns);
		return (fail("%s", xen_err_msg(&xe)));
	}
	free(pfns);
	return (0);
}

static int
write_big(const char *path, const char *mib)
{
	uint64_t n = strtoull(mib, NULL, 10) << 20, off, i;
	unsigned char *page;
	FILE *f;

	if (n == 0 || (page = malloc(1 << 20)) == NULL)
		return (fail("bad size %s", mib));
	if ((f = fopen(path, "wb")) == NULL)
		return (fail("cannot create %s", path));
	for (off = 0; off < n; off += 1 << 20) {
		for (i = 0; i < (1 << 20); i += 8) {
			uint64_t v = pattern(off + i);

			memcpy(page + i, &v, 8);
		}
		if (fwrite(page, 1, 1 << 20, f) != 1 << 20) {
			(void) fclose(f);
			free(page);
			return (fail("cannot write %s", path));
		}
	}
	free(page);
	return (fclose(f) == 0 ? 0 : fail("cannot write %s", path));
}

static void
facts(void)
{
	(void) printf("NFRAMES=%llu\n", NFRAMES);
	(void) printf("KVA=0x%llx\n", KVA);
	(void) printf("UVA=0x%llx\n", UVA);
	(void) printf("BIG_VA=0x%llx\n", BIG_VA);
	(void) printf("BIG_PA=0x%llx\n", BIG_PA);
	(void) printf("PML4_PA=0x%llx\n", PML4 * PG);
	(void) printf("PT_HI_PA=0x%llx\n", PT_HI * PG);
	(void) printf("KTEXT='%s'\n", KTEXT);
	(void) printf("KTEXT_PA=0x%llx\n", 20 * PG);
	(void) printf("GREP_MARKER=%s\n", GREP_MARKER);
	(void) printf("GREP_PA=0x%llx\n", GREP_PA);
	(void) printf("GREP_VA=0x%llx\n", KVA + GREP_PA - 20 * PG);
	(void) printf("PHYS_MARKER=%s\n", PHYS_MARKER);
	(void) printf("PHYS_PA=0x%llx\n", PHYS_PA);
	(void) printf("SPLIT_MARKER=%s\n", SPLIT_MARKER);
	(void) printf("SPLIT_VA=0x%llx\n", SPLIT_VA);
	(void) printf("SPLIT_PA1=0x%llx\n", SPLIT_PA1);
	(void) printf("HOLE_PA=0x%llx\n", HOLE_FIRST * PG);
	(void) printf("HOLE_END_PA=0x%llx\n", HOLE_END * PG);
	(void) printf("REG_RIP=0x%llx\n", REG_RIP);
	(void) printf("REG_RSP=0x%llx\n", REG_RSP);
	(void) printf("REG_RAX=0x%llx\n", REG_RAX);
	(void) printf("REG_CR0=0x%llx\n", REG_CR0);
	(void) printf("REG_CR4=0x%llx\n", REG_CR4);
	/*
	 * <porthole/physwin.h>: seg_kpm over a guest on a 64-bit host (the
	 * guest window has room for these images), seg_map slots on a
	 * 32-bit one.
	 */
	(void) printf("PHYS_OPS=%s\n", sizeof (void *) >= 8 ? "segkpm_ops" :
	    "segmap_ops");
}

/* Map a whole file read-only. */
static const unsigned char *
map_file(const char *path, size_t *lenp)
{
	struct stat st;
	void *p;
	int fd;

	if ((fd = open(path, O_RDONLY)) < 0 || fstat(fd, &st) != 0 ||
	    st.st_size == 0) {
		if (fd >= 0)
			(void) close(fd);
		return (NULL);
	}
	p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	(void) close(fd);
	if (p == MAP_FAILED)
		return (NULL);
	*lenp = (size_t)st.st_size;
	return (p);
}

static int
elfcheck(const char *elf, const char *raw)
{
	const unsigned char *e, *r;
	const Elf64_Ehdr *eh;
	size_t elen, rlen, i;

	if ((e = map_file(elf, &elen)) == NULL)
		return (fail("cannot read %s", elf));
	if ((r = map_file(raw, &rlen)) == NULL)
		return (fail("cannot read %s", raw));
	eh = (const Elf64_Ehdr *)(const void *)e;
	if (elen < sizeof (*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_ident[EI_DATA] != ELFDATA2LSB || eh->e_type != ET_CORE ||
	    eh->e_machine != EM_X86_64 ||
	    eh->e_phentsize != sizeof (Elf64_Phdr) || eh->e_phnum == 0 ||
	    eh->e_phoff > elen ||
	    (elen - eh->e_phoff) / sizeof (Elf64_Phdr) < eh->e_phnum)
		return (fail("%s: not a sound x86-64 ELF core header", elf));
	for (i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *ph = (const Elf64_Phdr *)(const void *)
		    (e + eh->e_phoff + i * sizeof (Elf64_Phdr));

		if (ph->p_offset > elen || ph->p_filesz > elen - ph->p_offset)
			return (fail("%s: a segment beyond the file", elf));
		if (ph->p_type == PT_LOAD) {
			if (ph->p_filesz != ph->p_memsz ||
			    ph->p_paddr > rlen ||
			    ph->p_filesz > rlen - ph->p_paddr)
				return (fail("%s: a PT_LOAD outside the raw "
				    "image", elf));
			if (memcmp(e + ph->p_offset, r + ph->p_paddr,
			    ph->p_filesz) != 0)
				return (fail("%s: a PT_LOAD's bytes differ "
				    "from the raw image", elf));
			(void) printf("LOAD 0x%" PRIx64 " 0x%" PRIx64 "\n",
			    (uint64_t)ph->p_paddr, (uint64_t)ph->p_filesz);
		} else if (ph->p_type == PT_NOTE) {
			uint64_t off = 0;

			while (off + 12 <= ph->p_filesz) {
				const unsigned char *n = e + ph->p_offset + off;
				uint32_t nsz, dsz, type;

				memcpy(&nsz, n, 4);
				memcpy(&dsz, n + 4, 4);
				memcpy(&type, n + 8, 4);
				if (nsz == 0 || nsz > 64 ||
				    12 + ((nsz + 3) & ~3u) + (uint64_t)dsz >
				    ph->p_filesz - off || n[12 + nsz - 1] != 0)
					return (fail("%s: a malformed note",
					    elf));
				(void) printf("NOTE %s %u %u\n",
				    (const char *)n + 12, type, dsz);
				off += 12 + ((nsz + 3) & ~3u) +
				    ((dsz + 3) & ~3u);
			}
		}
	}
	return (0);
}

int
main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "facts") == 0) {
		facts();
		return (0);
	}
	if (argc == 3 && strcmp(argv[1], "raw") == 0)
		return (build() != 0 ? fail("%s", "out of memory") :
		    write_file(argv[2], img, NFRAMES * PG));
	if (argc == 3 && strcmp(argv[1], "xc-core") == 0)
		return (build() != 0 ? fail("%s", "out of memory") :
		    write_xc_core(argv[2]));
	if (argc == 4 && strcmp(argv[1], "big") == 0)
		return (write_big(argv[2], argv[3]));
	if (argc == 4 && strcmp(argv[1], "elfcheck") == 0)
		return (elfcheck(argv[2], argv[3]));
	(void) fprintf(stderr, "usage: cli-image facts | raw PATH | xc-core "
	    "PATH | big PATH MIB | elfcheck ELF RAW\n");
	return (2);
}
