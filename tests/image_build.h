/*
 * tests/image_build.h -- write memory images by hand, for the image unit
 * tests and the fuzz generators: ELF notes (NT_PRSTATUS x86_64 and i386,
 * QEMU's CPU state, VMCOREINFO), QEMU dump-guest-memory ELF files (ELF64
 * and ELF32), kdump-compressed files (32- and 64-bit header layouts,
 * header versions 1..6, any page compression the caller can supply) and
 * makedumpfile's flattened form of any file.
 *
 * Written from the formats' published layouts (QEMU's dump code and
 * makedumpfile's diskdump_mod.h are the references); the readers under
 * test are guest/image_*.c.  Static functions, one copy per program.
 * Allocation failure aborts: these are test programs.
 */
#ifndef PORTHOLE_TESTS_IMAGE_BUILD_H
#define PORTHOLE_TESTS_IMAGE_BUILD_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define	IB_PG		4096u

/* A growable byte buffer. */
struct ib_buf {
	unsigned char	*b;
	size_t		len;
	size_t		cap;
};

static inline void
ib_reserve(struct ib_buf *w, size_t len)
{
	size_t cap = w->cap == 0 ? 4096 : w->cap;

	if (len <= w->cap)
		return;
	while (cap < len)
		cap *= 2;
	if ((w->b = realloc(w->b, cap)) == NULL)
		abort();
	memset(w->b + w->cap, 0, cap - w->cap);
	w->cap = cap;
}

static inline void
ib_free(struct ib_buf *w)
{
	free(w->b);
	memset(w, 0, sizeof (*w));
}

/* Put n little-endian bytes of v at off, growing the buffer. */
static inline void
ib_put(struct ib_buf *w, size_t off, uint64_t v, unsigned n)
{
	unsigned i;

	ib_reserve(w, off + n);
	for (i = 0; i < n; i++)
		w->b[off + i] = (unsigned char)(v >> (8 * i));
	if (off + n > w->len)
		w->len = off + n;
}

static inline void
ib_put_be64(struct ib_buf *w, size_t off, uint64_t v)
{
	unsigned i;

	ib_reserve(w, off + 8);
	for (i = 0; i < 8; i++)
		w->b[off + i] = (unsigned char)(v >> (56 - 8 * i));
	if (off + 8 > w->len)
		w->len = off + 8;
}

static inline void
ib_write(struct ib_buf *w, size_t off, const void *p, size_t n)
{
	ib_reserve(w, off + n);
	if (n > 0)
		memcpy(w->b + off, p, n);
	if (off + n > w->len)
		w->len = off + n;
}

static inline void
ib_append(struct ib_buf *w, const void *p, size_t n)
{
	ib_write(w, w->len, p, n);
}

static inline void
ib_pad(struct ib_buf *w, size_t align)
{
	size_t n = (w->len + align - 1) / align * align;

	ib_reserve(w, n);
	w->len = n;
}

static inline uint32_t
ib_get32(const unsigned char *p)
{
	return ((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24);
}

static inline uint64_t
ib_get64(const unsigned char *p)
{
	return ((uint64_t)ib_get32(p) | (uint64_t)ib_get32(p + 4) << 32);
}

/* ---- notes ---- */

/* What the notes say of one vCPU. */
struct ib_vcpu {
	uint32_t	v_pid;		/* NT_PRSTATUS pr_pid */
	/* rax rbx rcx rdx rsi rdi rsp rbp r8..r15 rip rflags */
	uint64_t	v_gpr[18];
	uint16_t	v_sel[6];	/* cs ds es fs gs ss */
	uint32_t	v_cs_flags;	/* QEMU's descriptor flags of CS */
	uint64_t	v_fs_base, v_gs_base, v_kernel_gs_base;
	uint64_t	v_cr[5];
};

enum { IB_RAX, IB_RBX, IB_RCX, IB_RDX, IB_RSI, IB_RDI, IB_RSP, IB_RBP,
	IB_R8, IB_R9, IB_R10, IB_R11, IB_R12, IB_R13, IB_R14, IB_R15,
	IB_RIP, IB_RFLAGS };

static inline void
ib_note(struct ib_buf *w, const char *name, uint32_t type, const void *desc,
    size_t descsz)
{
	size_t namesz = strlen(name) + 1, off = w->len;

	ib_put(w, off, namesz, 4);
	ib_put(w, off + 4, descsz, 4);
	ib_put(w, off + 8, type, 4);
	ib_write(w, off + 12, name, namesz);
	ib_pad(w, 4);
	ib_append(w, desc, descsz);
	ib_pad(w, 4);
}

static inline void
ib_note_prstatus64(struct ib_buf *w, const struct ib_vcpu *v)
{
	/* user_regs order: r15 r14 r13 r12 rbp rbx r11 r10 r9 r8 rax rcx
	 * rdx rsi rdi orig_rax rip cs eflags rsp ss fs_base gs_base ds es
	 * fs gs */
	static const int order[27] = { IB_R15, IB_R14, IB_R13, IB_R12,
	    IB_RBP, IB_RBX, IB_R11, IB_R10, IB_R9, IB_R8, IB_RAX, IB_RCX,
	    IB_RDX, IB_RSI, IB_RDI, -1, IB_RIP, -2, IB_RFLAGS, IB_RSP, -3,
	    -4, -5, -6, -7, -8, -9 };
	struct ib_buf d = { 0 };
	unsigned i;

	ib_reserve(&d, 336);
	d.len = 336;
	ib_put(&d, 32, v->v_pid, 4);
	for (i = 0; i < 27; i++) {
		uint64_t x;

		switch (order[i]) {
		case -1: x = 0; break;
		case -2: x = v->v_sel[0]; break;
		case -3: x = v->v_sel[5]; break;
		case -4: x = v->v_fs_base; break;
		case -5: x = v->v_gs_base; break;
		case -6: x = v->v_sel[1]; break;
		case -7: x = v->v_sel[2]; break;
		case -8: x = v->v_sel[3]; break;
		case -9: x = v->v_sel[4]; break;
		default: x = v->v_gpr[order[i]]; break;
		}
		ib_put(&d, 112 + 8 * i, x, 8);
	}
	ib_note(w, "CORE", 1, d.b, d.len);
	ib_free(&d);
}

static inline void
ib_note_prstatus32(struct ib_buf *w, const struct ib_vcpu *v)
{
	struct ib_buf d = { 0 };
	const size_t u = 72;

	ib_reserve(&d, 144);
	d.len = 144;
	ib_put(&d, 24, v->v_pid, 4);
	ib_put(&d, u + 0, v->v_gpr[IB_RBX], 4);
	ib_put(&d, u + 4, v->v_gpr[IB_RCX], 4);
	ib_put(&d, u + 8, v->v_gpr[IB_RDX], 4);
	ib_put(&d, u + 12, v->v_gpr[IB_RSI], 4);
	ib_put(&d, u + 16, v->v_gpr[IB_RDI], 4);
	ib_put(&d, u + 20, v->v_gpr[IB_RBP], 4);
	ib_put(&d, u + 24, v->v_gpr[IB_RAX], 4);
	ib_put(&d, u + 28, v->v_sel[1], 2);
	ib_put(&d, u + 32, v->v_sel[2], 2);
	ib_put(&d, u + 36, v->v_sel[3], 2);
	ib_put(&d, u + 40, v->v_sel[4], 2);
	ib_put(&d, u + 48, v->v_gpr[IB_RIP], 4);
	ib_put(&d, u + 52, v->v_sel[0], 2);
	ib_put(&d, u + 56, v->v_gpr[IB_RFLAGS], 4);
	ib_put(&d, u + 60, v->v_gpr[IB_RSP], 4);
	ib_put(&d, u + 64, v->v_sel[5], 2);
	ib_note(w, "CORE", 1, d.b, d.len);
	ib_free(&d);
}

/* QEMUCPUState version 1, size 432 (no kernel_gs_base) or 440. */
static inline void
ib_note_qemu(struct ib_buf *w, const struct ib_vcpu *v, uint32_t size)
{
	struct ib_buf d = { 0 };
	unsigned i;

	ib_reserve(&d, size);
	d.len = size;
	ib_put(&d, 0, 1, 4);
	ib_put(&d, 4, size, 4);
	for (i = 0; i < 18; i++)
		ib_put(&d, 8 + 8 * i, v->v_gpr[i], 8);
	for (i = 0; i < 6; i++) {
		size_t s = 152 + 24 * i;

		ib_put(&d, s, v->v_sel[i], 4);
		ib_put(&d, s + 4, 0xffffffff, 4);
		ib_put(&d, s + 8, i == 0 ? v->v_cs_flags : 0x00c09300, 4);
		ib_put(&d, s + 16, i == 3 ? v->v_fs_base : i == 4 ?
		    v->v_gs_base : 0, 8);
	}
	for (i = 0; i < 5; i++)
		ib_put(&d, 392 + 8 * i, v->v_cr[i], 8);
	if (size >= 440)
		ib_put(&d, 432, v->v_kernel_gs_base, 8);
	ib_note(w, "QEMU", 0, d.b, d.len);
	ib_free(&d);
}

static inline void
ib_note_vmcoreinfo(struct ib_buf *w, const char *text)
{
	ib_note(w, "VMCOREINFO", 0, text, strlen(text));
}

/* ---- QEMU ELF ---- */

/* One PT_LOAD: filesz bytes of data, memsz of physical address space. */
struct ib_segment {
	uint64_t	s_paddr;
	uint64_t	s_filesz;
	uint64_t	s_memsz;
	const unsigned char *s_data;
};

struct ib_elf_opts {
	bool		e_64;
	uint16_t	e_machine;	/* 62 or 3 */
	bool		e_align;	/* memory at a page boundary */
	bool		e_xnum;		/* e_phnum PN_XNUM, count in shdr 0 */
	const unsigned char *e_notes;
	size_t		e_notes_len;
	const struct ib_segment *e_segs;
	size_t		e_nsegs;
};

/* Where the parts of a built ELF file are. */
struct ib_elf_layout {
	size_t		l_phoff;
	size_t		l_phsize;
	size_t		l_noteoff;
	size_t		l_memoff;
};

static inline void
ib_build_elf(struct ib_buf *w, const struct ib_elf_opts *o,
    struct ib_elf_layout *lay)
{
	size_t ehsize = o->e_64 ? 64 : 52, phent = o->e_64 ? 56 : 32;
	size_t shent = o->e_64 ? 64 : 40, nph = o->e_nsegs + 1, i;
	size_t shoff = o->e_xnum ? ehsize : 0;
	size_t phoff = ehsize + (o->e_xnum ? shent : 0);
	size_t noteoff = phoff + nph * phent, memoff, off;

	memset(w, 0, sizeof (*w));
	memoff = noteoff + o->e_notes_len;
	if (o->e_align)
		memoff = (memoff + IB_PG - 1) / IB_PG * IB_PG;
	ib_write(w, 0, "\177ELF", 4);
	ib_put(w, 4, o->e_64 ? 2 : 1, 1);
	ib_put(w, 5, 1, 1);
	ib_put(w, 6, 1, 1);
	ib_put(w, 16, 4, 2);		/* ET_CORE */
	ib_put(w, 18, o->e_machine, 2);
	ib_put(w, 20, 1, 4);
	if (o->e_64) {
		ib_put(w, 32, phoff, 8);
		ib_put(w, 40, shoff, 8);
		ib_put(w, 52, ehsize, 2);
		ib_put(w, 54, phent, 2);
		ib_put(w, 56, o->e_xnum ? 0xffff : nph, 2);
		ib_put(w, 58, shent, 2);
		ib_put(w, 60, o->e_xnum ? 1 : 0, 2);
	} else {
		ib_put(w, 28, phoff, 4);
		ib_put(w, 32, shoff, 4);
		ib_put(w, 40, ehsize, 2);
		ib_put(w, 42, phent, 2);
		ib_put(w, 44, o->e_xnum ? 0xffff : nph, 2);
		ib_put(w, 46, shent, 2);
		ib_put(w, 48, o->e_xnum ? 1 : 0, 2);
	}
	if (o->e_xnum)
		ib_put(w, shoff + (o->e_64 ? 44 : 28), nph, 4);
	/* PT_NOTE, then the PT_LOADs. */
	off = phoff;
	for (i = 0; i < nph; i++, off += phent) {
		uint64_t type = i == 0 ? 4 : 1, foff, paddr, fsz, msz;

		if (i == 0) {
			foff = noteoff;
			paddr = 0;
			fsz = msz = o->e_notes_len;
		} else {
			const struct ib_segment *s = &o->e_segs[i - 1];

			foff = memoff;
			paddr = s->s_paddr;
			fsz = s->s_filesz;
			msz = s->s_memsz;
			memoff += fsz;
		}
		ib_put(w, off, type, 4);
		if (o->e_64) {
			ib_put(w, off + 8, foff, 8);
			ib_put(w, off + 24, paddr, 8);
			ib_put(w, off + 32, fsz, 8);
			ib_put(w, off + 40, msz, 8);
		} else {
			ib_put(w, off + 4, foff, 4);
			ib_put(w, off + 12, paddr, 4);
			ib_put(w, off + 16, fsz, 4);
			ib_put(w, off + 20, msz, 4);
		}
	}
	ib_write(w, noteoff, o->e_notes, o->e_notes_len);
	memoff = noteoff + o->e_notes_len;
	if (o->e_align)
		memoff = (memoff + IB_PG - 1) / IB_PG * IB_PG;
	if (lay != NULL) {
		lay->l_phoff = phoff;
		lay->l_phsize = nph * phent;
		lay->l_noteoff = noteoff;
		lay->l_memoff = memoff;
	}
	for (i = 0; i < o->e_nsegs; i++) {
		ib_write(w, memoff, o->e_segs[i].s_data,
		    (size_t)o->e_segs[i].s_filesz);
		memoff += (size_t)o->e_segs[i].s_filesz;
	}
}

/* ---- kdump ---- */

#define	IB_KD_ZLIB	0x1u
#define	IB_KD_LZO	0x2u
#define	IB_KD_SNAPPY	0x4u
#define	IB_KD_ZSTD	0x20u

static inline const char *
ib_method_name(unsigned method)
{
	switch (method) {
	case IB_KD_ZLIB:
		return ("zlib");
	case IB_KD_LZO:
		return ("lzo");
	case IB_KD_SNAPPY:
		return ("snappy");
	case IB_KD_ZSTD:
		return ("zstd");
	}
	return ("none");
}

/*
 * Compress one page with the method in flags into out (IB_PG bytes of
 * room); the compressed length, or 0 to store the page as it is.
 */
typedef size_t ib_compress_fn(unsigned flags, const unsigned char *in,
    unsigned char *out);

struct ib_kdump_opts {
	bool		k_64;		/* 64-bit header layout */
	unsigned	k_version;	/* header_version 1..6 */
	uint32_t	k_block_size;	/* IB_PG */
	uint64_t	k_max_mapnr;	/* frames the bitmaps cover */
	const bool	*k_dumped;	/* by frame: in the 2nd bitmap */
	const unsigned char *k_bytes;	/* k_max_mapnr pages */
	unsigned	k_method;	/* IB_KD_* or 0 */
	ib_compress_fn	*k_compress;
	bool		k_zero_share;	/* zero pages share one descriptor */
	const unsigned char *k_notes;	/* header_version >= 4 */
	size_t		k_notes_len;
	const char	*k_vmcoreinfo;	/* header_version >= 3 */
	uint32_t	k_nr_cpus;
};

/* Where the parts of a built kdump file are. */
struct ib_kdump_layout {
	size_t		l_sub;		/* the sub header */
	size_t		l_bitmap;	/* the 1st bitmap; the 2nd follows */
	size_t		l_bitmap_len;	/* both */
	size_t		l_desc;		/* page descriptors */
	size_t		l_ndesc;
	size_t		l_data;		/* page data */
	size_t		l_vmcoreinfo;
	size_t		l_notes;
};

static inline void
ib_build_kdump(struct ib_buf *w, const struct ib_kdump_opts *o,
    struct ib_kdump_layout *lay)
{
	size_t bs = o->k_block_size, sub = bs, subsz, sub_blocks, bm, bmlen;
	size_t desc, data, ndesc = 0, vmci = 0, notes = 0, i, zero_off = 0;
	size_t vlen = o->k_vmcoreinfo != NULL ? strlen(o->k_vmcoreinfo) : 0;
	uint64_t g;
	unsigned char *cbuf = malloc(IB_PG + 64);
	static const unsigned char zero[IB_PG];
	bool have_zero = false;

	if (cbuf == NULL)
		abort();
	memset(w, 0, sizeof (*w));
	/* The sub header, then VMCOREINFO and notes in its blocks. */
	subsz = o->k_64 ? 104 : 80;
	if (o->k_version >= 3 && vlen > 0)
		vmci = sub + subsz;
	if (o->k_version >= 4 && o->k_notes_len > 0)
		notes = sub + subsz + (vmci != 0 ? vlen : 0);
	sub_blocks = (subsz + (vmci != 0 ? vlen : 0) + (notes != 0 ?
	    o->k_notes_len : 0) + bs - 1) / bs;
	bm = sub + sub_blocks * bs;
	bmlen = (size_t)((o->k_max_mapnr + 7) / 8);
	bmlen = (bmlen + bs - 1) / bs * bs;	/* one bitmap, whole blocks */
	desc = bm + 2 * bmlen;
	for (g = 0; g < o->k_max_mapnr; g++)
		ndesc += o->k_dumped[g];
	data = desc + ndesc * 24;

	ib_write(w, 0, "KDUMP   ", 8);
	ib_put(w, 8, o->k_version, 4);
	ib_write(w, 12 + 65 * 4, "x86_64", 6);	/* utsname.machine */
	{
		size_t h = o->k_64 ? 424 : 412;

		ib_put(w, h + 0, 0, 4);				/* status */
		ib_put(w, h + 4, bs, 4);			/* block_size */
		ib_put(w, h + 8, sub_blocks, 4);		/* sub_hdr_size */
		ib_put(w, h + 12, 2 * bmlen / bs, 4);		/* bitmap_blocks */
		ib_put(w, h + 16, o->k_max_mapnr > UINT32_MAX ? UINT32_MAX :
		    o->k_max_mapnr, 4);				/* max_mapnr */
		ib_put(w, h + 36, o->k_nr_cpus, 4);		/* nr_cpus */
	}
	ib_reserve(w, bs);
	w->len = bs;
	if (o->k_64) {
		ib_put(w, sub + 0, 0x1000000, 8);	/* phys_base */
		ib_put(w, sub + 8, 31, 4);		/* dump_level */
		ib_put(w, sub + 32, vmci, 8);
		ib_put(w, sub + 40, vmci != 0 ? vlen : 0, 8);
		ib_put(w, sub + 48, notes, 8);
		ib_put(w, sub + 56, notes != 0 ? o->k_notes_len : 0, 8);
		if (o->k_version >= 6)
			ib_put(w, sub + 96, o->k_max_mapnr, 8);
	} else {
		ib_put(w, sub + 0, 0, 4);
		ib_put(w, sub + 4, 31, 4);
		ib_put(w, sub + 20, vmci, 8);
		ib_put(w, sub + 28, vmci != 0 ? vlen : 0, 4);
		ib_put(w, sub + 32, notes, 8);
		ib_put(w, sub + 40, notes != 0 ? o->k_notes_len : 0, 4);
		if (o->k_version >= 6)
			ib_put(w, sub + 72, o->k_max_mapnr, 8);
	}
	if (vmci != 0)
		ib_write(w, vmci, o->k_vmcoreinfo, vlen);
	if (notes != 0)
		ib_write(w, notes, o->k_notes, o->k_notes_len);
	ib_reserve(w, desc);
	w->len = desc;
	/* Bitmaps: the 1st says RAM (here: every frame), the 2nd dumped. */
	for (g = 0; g < o->k_max_mapnr; g++) {
		w->b[bm + g / 8] |= (unsigned char)(1u << (g % 8));
		if (o->k_dumped[g])
			w->b[bm + bmlen + g / 8] |= (unsigned char)(1u <<
			    (g % 8));
	}
	/* Descriptors and data, in frame order. */
	ib_reserve(w, data);
	w->len = data;
	for (g = 0, i = 0; g < o->k_max_mapnr; g++) {
		const unsigned char *page = o->k_bytes + g * IB_PG;
		size_t d = desc + i * 24, n = 0, off;
		unsigned flags = 0;

		if (!o->k_dumped[g])
			continue;
		i++;
		if (o->k_zero_share && memcmp(page, zero, IB_PG) == 0 &&
		    have_zero) {
			ib_put(w, d, zero_off, 8);
			ib_put(w, d + 8, IB_PG, 4);
			ib_put(w, d + 12, 0, 4);
			continue;
		}
		if (o->k_method != 0 && o->k_compress != NULL &&
		    !(o->k_zero_share && memcmp(page, zero, IB_PG) == 0))
			n = o->k_compress(o->k_method, page, cbuf);
		off = w->len;
		if (n > 0 && n < IB_PG) {
			flags = o->k_method;
			ib_append(w, cbuf, n);
		} else {
			n = IB_PG;
			ib_append(w, page, IB_PG);
		}
		if (o->k_zero_share && memcmp(page, zero, IB_PG) == 0 &&
		    flags == 0) {
			have_zero = true;
			zero_off = off;
		}
		ib_put(w, d, off, 8);
		ib_put(w, d + 8, n, 4);
		ib_put(w, d + 12, flags, 4);
		ib_put(w, d + 16, 0, 8);
	}
	free(cbuf);
	if (lay != NULL) {
		lay->l_sub = sub;
		lay->l_bitmap = bm;
		lay->l_bitmap_len = 2 * bmlen;
		lay->l_desc = desc;
		lay->l_ndesc = ndesc;
		lay->l_data = data;
		lay->l_vmcoreinfo = vmci;
		lay->l_notes = notes;
	}
}

/*
 * makedumpfile's flattened form of in: the 4 KiB header, then records
 * of at most chunk bytes (be64 offset, be64 size, data) in a shuffled
 * order, the end marker last.  With overwrite, a stretch is first
 * written with garbage that a later record overwrites (last write wins).
 */
static inline void
ib_flatten(const struct ib_buf *in, struct ib_buf *out, size_t chunk,
    uint64_t seed, bool overwrite)
{
	size_t n = (in->len + chunk - 1) / chunk, i, *order;
	uint64_t x = seed | 1;

	memset(out, 0, sizeof (*out));
	ib_write(out, 0, "makedumpfile", 12);
	ib_put_be64(out, 16, 1);	/* type */
	ib_put_be64(out, 24, 1);	/* version */
	ib_reserve(out, 4096);
	out->len = 4096;
	if ((order = malloc((n + 1) * sizeof (*order))) == NULL)
		abort();
	for (i = 0; i < n; i++)
		order[i] = i;
	for (i = n; i > 1; i--) {	/* Fisher-Yates, xorshift */
		size_t j, t;

		x ^= x >> 12;
		x ^= x << 25;
		x ^= x >> 27;
		j = (size_t)((x * 0x2545F4914F6CDD1DULL) % i);
		t = order[i - 1];
		order[i - 1] = order[j];
		order[j] = t;
	}
	if (overwrite && n > 0) {
		/* Garbage over a stretch straddling two chunks, first. */
		size_t goff = chunk / 2, glen = chunk < in->len - goff ?
		    chunk : in->len - goff;
		unsigned char *g = malloc(glen + 1);

		if (g == NULL)
			abort();
		memset(g, 0xee, glen);
		ib_put_be64(out, out->len, goff);
		ib_put_be64(out, out->len, glen);
		ib_append(out, g, glen);
		free(g);
	}
	for (i = 0; i < n; i++) {
		size_t off = order[i] * chunk, len = chunk < in->len - off ?
		    chunk : in->len - off;

		ib_put_be64(out, out->len, off);
		ib_put_be64(out, out->len, len);
		ib_append(out, in->b + off, len);
	}
	ib_put_be64(out, out->len, UINT64_MAX);
	ib_put_be64(out, out->len, UINT64_MAX);
	free(order);
}

#endif /* PORTHOLE_TESTS_IMAGE_BUILD_H */
