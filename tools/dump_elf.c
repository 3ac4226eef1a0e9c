/*
 * dump_elf.c -- a guest's memory as an ELF core, the layout QEMU's
 * dump-guest-memory writes (paging off), which crash, gdb and readelf
 * read:
 *	ELF64 header (ET_CORE, EM_X86_64)
 *	program headers: one PT_NOTE, then one PT_LOAD per run of present
 *	    memory by physical address (p_paddr; p_vaddr 0), holes absent
 *	    (more than 65534 runs: e_phnum PN_XNUM, the count in section
 *	    header 0's sh_info, as the ELF spec says)
 *	notes: per online vCPU an NT_PRSTATUS ("CORE", the x86-64
 *	    elf_prstatus with its user_regs_struct), then per online vCPU a
 *	    "QEMU" note (QEMU's QEMUCPUState, version 1, with CR0-CR4 and
 *	    the kernel GS base), then the VMCOREINFO note when the guest
 *	    has one
 *	the runs' bytes, each starting on a page boundary
 * The layouts are facts of the formats (Linux's elf_prstatus and
 * user_regs_struct on x86-64, QEMU's target/i386/arch_dump.c); every
 * field is written byte by byte, little-endian, whatever the host.
 *
 * Non-goals: 32-bit ELF cores (a 32-bit guest's registers are written
 * zero-extended into the 64-bit notes, as QEMU does for its x86_64
 * target), the FPU state, compression.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <porthole/guest.h>
#include "tools/dump.h"

#define	ELF_PAGE		((uint64_t)4096)
#define	ELF_EHDR_SIZE		64
#define	ELF_PHDR_SIZE		56
#define	ELF_SHDR_SIZE		64
#define	ELF_PN_XNUM		0xffff
#define	ELF_PT_LOAD		1
#define	ELF_PT_NOTE		4
#define	ELF_PF_RWX		7
#define	ELF_NT_PRSTATUS		1
#define	ELF_EM_X86_64		62
#define	ELF_ET_CORE		4

#define	PRSTATUS_SIZE		336	/* struct elf_prstatus, x86-64 */
#define	PRSTATUS_PID		32
#define	PRSTATUS_REGS		112	/* pr_reg: user_regs_struct */
#define	QEMU_STATE_SIZE		440	/* QEMUCPUState with kernel_gs_base */
#define	QEMU_STATE_VERSION	1

static void
le(unsigned char *p, uint64_t v, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

/* The size of a note with a name of nlen bytes (NUL included). */
static size_t
note_size(size_t nlen, size_t dlen)
{
	return (12 + ((nlen + 3) & ~(size_t)3) + ((dlen + 3) & ~(size_t)3));
}

/* Write a note at p; returns its size. */
static size_t
note_put(unsigned char *p, const char *name, uint32_t type,
    const void *desc, size_t dlen)
{
	size_t nlen = strlen(name) + 1;

	memset(p, 0, note_size(nlen, dlen));
	le(p, nlen, 4);
	le(p + 4, dlen, 4);
	le(p + 8, type, 4);
	memcpy(p + 12, name, nlen);
	memcpy(p + 12 + ((nlen + 3) & ~(size_t)3), desc, dlen);
	return (note_size(nlen, dlen));
}

/* elf_prstatus: pr_pid, and pr_reg in user_regs_struct order. */
static void
prstatus_fill(unsigned char *d, unsigned vcpu, const struct guest_regs *r)
{
	const uint64_t regs[27] = {
		r->gr_r15, r->gr_r14, r->gr_r13, r->gr_r12, r->gr_rbp,
		r->gr_rbx, r->gr_r11, r->gr_r10, r->gr_r9, r->gr_r8,
		r->gr_rax, r->gr_rcx, r->gr_rdx, r->gr_rsi, r->gr_rdi,
		0 /* orig_rax */, r->gr_rip, r->gr_cs, r->gr_rflags,
		r->gr_rsp, r->gr_ss, r->gr_fs_base, r->gr_gs_base,
		r->gr_ds, r->gr_es, r->gr_fs, r->gr_gs
	};
	unsigned i;

	memset(d, 0, PRSTATUS_SIZE);
	le(d + PRSTATUS_PID, vcpu + 1, 4);
	for (i = 0; i < 27; i++)
		le(d + PRSTATUS_REGS + 8 * i, regs[i], 8);
}

/* QEMUCPUState: general registers, segments (selector, base), CRs. */
static void
qemu_state_fill(unsigned char *d, const struct guest_regs *r)
{
	const uint64_t gpr[18] = {
		r->gr_rax, r->gr_rbx, r->gr_rcx, r->gr_rdx, r->gr_rsi,
		r->gr_rdi, r->gr_rsp, r->gr_rbp, r->gr_r8, r->gr_r9,
		r->gr_r10, r->gr_r11, r->gr_r12, r->gr_r13, r->gr_r14,
		r->gr_r15, r->gr_rip, r->gr_rflags
	};
	/* cs, ds, es, fs, gs, ss: 24 bytes each from offset 152. */
	const uint64_t sel[6] = { r->gr_cs, r->gr_ds, r->gr_es, r->gr_fs,
	    r->gr_gs, r->gr_ss };
	const uint64_t base[6] = { 0, 0, 0, r->gr_fs_base, r->gr_gs_base, 0 };
	const uint64_t cr[5] = { r->gr_cr0, 0, r->gr_cr2, r->gr_cr3,
	    r->gr_cr4 };
	unsigned i;

	memset(d, 0, QEMU_STATE_SIZE);
	le(d, QEMU_STATE_VERSION, 4);
	le(d + 4, QEMU_STATE_SIZE, 4);
	for (i = 0; i < 18; i++)
		le(d + 8 + 8 * i, gpr[i], 8);
	for (i = 0; i < 6; i++) {
		le(d + 152 + 24 * i, sel[i], 4);
		le(d + 152 + 24 * i + 16, base[i], 8);
	}
	/* ldt, tr, gdt, idt (unknown: zero), then cr[5]. */
	for (i = 0; i < 5; i++)
		le(d + 392 + 8 * i, cr[i], 8);
	le(d + 432, r->gr_kernel_gs_base, 8);
}

/* The notes: a malloc'ed buffer of *lenp bytes, or NULL (said). */
static unsigned char *
elf_notes(struct dump_job *dj, size_t *lenp)
{
	unsigned n = guest_nvcpus(dj->dj_g), v;
	unsigned char pr[PRSTATUS_SIZE], qs[QEMU_STATE_SIZE], *buf, *p;
	size_t vilen = 0, len;
	const char *vi = guest_vmcoreinfo(dj->dj_g, &vilen);
	struct guest_regs r;
	unsigned online = 0;

	for (v = 0; v < n; v++)
		if (guest_vcpu_regs(dj->dj_g, v, &r) == 0 && r.gr_online)
			online++;
	len = online * (note_size(5, PRSTATUS_SIZE) +
	    note_size(5, QEMU_STATE_SIZE));
	if (vi != NULL)
		len += note_size(sizeof ("VMCOREINFO"), vilen);
	if ((buf = calloc(1, len + 1)) == NULL) {
		(void) cli_error("out of memory");
		return (NULL);
	}
	p = buf;
	for (v = 0; v < n && (size_t)(p - buf) < len; v++) {
		if (guest_vcpu_regs(dj->dj_g, v, &r) != 0 || !r.gr_online)
			continue;
		prstatus_fill(pr, v, &r);
		p += note_put(p, "CORE", ELF_NT_PRSTATUS, pr, sizeof (pr));
	}
	for (v = 0; v < n && (size_t)(p - buf) < len; v++) {
		if (guest_vcpu_regs(dj->dj_g, v, &r) != 0 || !r.gr_online)
			continue;
		qemu_state_fill(qs, &r);
		p += note_put(p, "QEMU", 0, qs, sizeof (qs));
	}
	if (vi != NULL && (size_t)(p - buf) < len)
		p += note_put(p, "VMCOREINFO", 0, vi, vilen);
	*lenp = (size_t)(p - buf);
	return (buf);
}

static void
phdr_put(unsigned char *p, uint32_t type, uint64_t off, uint64_t paddr,
    uint64_t size, uint64_t align)
{
	memset(p, 0, ELF_PHDR_SIZE);
	le(p, type, 4);
	le(p + 4, type == ELF_PT_LOAD ? ELF_PF_RWX : 0, 4);
	le(p + 8, off, 8);
	le(p + 16, 0, 8);		/* p_vaddr */
	le(p + 24, paddr, 8);
	le(p + 32, size, 8);		/* p_filesz */
	le(p + 40, size, 8);		/* p_memsz */
	le(p + 48, align, 8);
}

int
dump_write_elf(struct dump_job *dj)
{
	uint64_t nph = 1 + (uint64_t)dj->dj_nruns, hdr_len, off;
	bool xnum = nph >= ELF_PN_XNUM;
	unsigned char *hdr, *notes;
	size_t notes_len, i;
	int rc = -1, e;

	if ((notes = elf_notes(dj, &notes_len)) == NULL)
		return (-1);
	hdr_len = ELF_EHDR_SIZE + nph * ELF_PHDR_SIZE +
	    (xnum ? ELF_SHDR_SIZE : 0);
	if ((hdr = calloc(1, (size_t)hdr_len)) == NULL) {
		free(notes);
		(void) cli_error("out of memory");
		return (-1);
	}
	/* The ELF header. */
	memcpy(hdr, "\177ELF", 4);
	hdr[4] = 2;			/* ELFCLASS64 */
	hdr[5] = 1;			/* ELFDATA2LSB */
	hdr[6] = 1;			/* EV_CURRENT */
	le(hdr + 16, ELF_ET_CORE, 2);
	le(hdr + 18, ELF_EM_X86_64, 2);
	le(hdr + 20, 1, 4);		/* e_version */
	le(hdr + 32, ELF_EHDR_SIZE, 8);	/* e_phoff */
	le(hdr + 52, ELF_EHDR_SIZE, 2);	/* e_ehsize */
	le(hdr + 54, ELF_PHDR_SIZE, 2);
	le(hdr + 56, xnum ? ELF_PN_XNUM : nph, 2);
	if (xnum) {
		uint64_t shoff = ELF_EHDR_SIZE + nph * ELF_PHDR_SIZE;

		le(hdr + 40, shoff, 8);		/* e_shoff */
		le(hdr + 58, ELF_SHDR_SIZE, 2);
		le(hdr + 60, 1, 2);		/* e_shnum */
		le(hdr + shoff + 44, nph, 4);	/* sh_info */
	}
	/* The notes right after the headers, the runs on pages after. */
	phdr_put(hdr + ELF_EHDR_SIZE, ELF_PT_NOTE, hdr_len, 0, notes_len, 0);
	off = (hdr_len + notes_len + ELF_PAGE - 1) & ~(ELF_PAGE - 1);
	for (i = 0; i < dj->dj_nruns; i++) {
		phdr_put(hdr + ELF_EHDR_SIZE + (i + 1) * ELF_PHDR_SIZE,
		    ELF_PT_LOAD, off, dj->dj_runs[i].dr_start,
		    dj->dj_runs[i].dr_len, ELF_PAGE);
		off += dj->dj_runs[i].dr_len;
	}
	if (cli_write_all(dj->dj_fd, hdr, (size_t)hdr_len, 0) != 0 ||
	    cli_write_all(dj->dj_fd, notes, notes_len, (int64_t)hdr_len) !=
	    0) {
		e = errno;
		(void) cli_error("writing %s: %s", dj->dj_path, strerror(e));
		errno = e;
		goto out;
	}
	off = (hdr_len + notes_len + ELF_PAGE - 1) & ~(ELF_PAGE - 1);
	for (i = 0; i < dj->dj_nruns; i++) {
		if (dump_copy(dj, dj->dj_runs[i].dr_start,
		    dj->dj_runs[i].dr_len, off) != 0)
			goto out;
		off += dj->dj_runs[i].dr_len;
	}
	/* Unreadable pages at the very end are zeros too. */
	if (ftruncate(dj->dj_fd, (off_t)off) != 0) {
		e = errno;
		(void) cli_error("writing %s: %s", dj->dj_path, strerror(e));
		errno = e;
		goto out;
	}
	rc = 0;
out:
	e = errno;
	free(hdr);
	free(notes);
	errno = e;
	return (rc);
}
