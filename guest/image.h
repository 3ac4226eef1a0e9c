/*
 * guest/image.h -- memory images behind guest_open: format detection and
 * one opener per format, each giving a physical-memory provider and what
 * the image's notes say (vCPU registers, VMCOREINFO, a PV guest's p2m).
 *
 * Formats, detected from the contents, never from the file name:
 *	xc-core		`xl dump-core` (ELF64 with .xen_* sections)
 *	qemu-elf	QEMU `dump-guest-memory` ELF (PT_LOAD by physical
 *			address; NT_PRSTATUS and "QEMU" per-CPU notes;
 *			VMCOREINFO note)
 *	kdump		kdump-compressed ("KDUMP   " header: bitmaps, page
 *			descriptors; zlib, lzo, snappy, zstd pages)
 *	kdump-flat	the same in makedumpfile's flattened form (what QEMU
 *			writes): records of (offset, size, data), indexed
 *			once at open
 *	raw		anything else: file offset = guest physical address
 *
 * Images are hostile input: every header field, offset, size and count is
 * checked against the file before use; the openers fail with EINVAL and
 * one sentence naming the file, the field and the offset.  ENOTSUP for a
 * compression this build lacks (the sentence says which library), a
 * non-x86 or big-endian file, pages other than 4 KiB.
 *
 * What the providers give: frames a format does not hold are holes
 * (ENXIO, or zeros when the window asks): xc-core frames never dumped,
 * QEMU ELF frames outside every PT_LOAD or past a PT_LOAD's file bytes
 * (p_memsz > p_filesz: QEMU leaves such tails only for memory it could
 * not read, so they are not presented as zeros), kdump frames not in the
 * 2nd bitmap.  A kdump page whose descriptor or data is bad fails alone
 * (EIO; ENOTSUP for a compression this build lacks).
 *
 * vCPU registers: gr_valid says what the image had.  EFER is in no
 * image's notes, so GUEST_REGS_EFER is never set; gr_efer holds what was
 * derived (LME|LMA for long mode, NXE assumed on with PAE paging) and
 * gr_addr_bits the mode the vCPU ran in -- see guest/image_notes.c and
 * xen/xc_core.h for how.  QEMU's vCPU number is NT_PRSTATUS's pr_pid - 1;
 * xl's is the context's place in .xen_prstatus.
 */
#ifndef PORTHOLE_GUEST_IMAGE_H
#define PORTHOLE_GUEST_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <porthole/guest.h>
#include <porthole/physmem.h>

enum image_format {
	IMAGE_RAW = 0,
	IMAGE_XC_CORE,
	IMAGE_QEMU_ELF,
	IMAGE_KDUMP,
	IMAGE_KDUMP_FLAT
};

/* "raw", "xc-core", "qemu-elf", "kdump", "kdump-flat". */
const char *image_format_name(enum image_format fmt);

/*
 * Detect the format of the open file fd from its first bytes; 0 with
 * *fmt set (IMAGE_RAW when nothing else matches), or an errno (EIO).
 */
int	image_detect(int fd, enum image_format *fmt);

/* A PV guest's pfn -> mfn pair (xc-core .xen_p2m). */
struct image_p2m {
	uint64_t	ip_pfn;
	uint64_t	ip_mfn;
};

/*
 * An open image.  im_pm holds one reference (image_close drops it).
 * im_vcpus[0 .. im_nvcpus) from the notes (gr_online set for each);
 * im_vmcoreinfo the VMCOREINFO note's text (NUL-terminated) or NULL;
 * im_p2m (sorted by pfn) only for a PV xc-core image, whose page tables
 * hold machine frames.  im_describe: one line for guest_describe.
 */
struct image {
	enum image_format im_format;
	struct physmem	*im_pm;
	unsigned	im_nvcpus;
	struct guest_regs *im_vcpus;
	char		*im_vmcoreinfo;
	size_t		im_vmcoreinfo_len;
	struct image_p2m *im_p2m;
	size_t		im_np2m;
	bool		im_pv;
	char		im_describe[160];
};

/*
 * Open path as an image: detect the format and open it.  writable asks
 * for a private writable copy (GUEST_OPEN_COPY): the provider maps
 * frames so that writes never reach the file.  0, or an errno with
 * errbuf (may be NULL) filled with one sentence.
 */
int	image_open(const char *path, bool writable, struct image *im,
	    char *errbuf, size_t errlen);
void	image_close(struct image *im);

/*
 * One opener per format (image_open dispatches); same contract, on fd,
 * which stays the caller's (an opener keeps its own duplicate), with
 * path for sentences and descriptions.  im must be zeroed; on failure
 * the caller releases what the opener left in it with image_close.
 */
int	image_open_xc_core(int fd, const char *path, bool writable,
	    struct image *im, char *errbuf, size_t errlen);
int	image_open_qemu_elf(int fd, const char *path, bool writable,
	    struct image *im, char *errbuf, size_t errlen);
int	image_open_kdump(int fd, const char *path, bool flattened,
	    bool writable, struct image *im, char *errbuf, size_t errlen);
int	image_open_raw(int fd, const char *path, bool writable,
	    struct image *im, char *errbuf, size_t errlen);

#endif /* PORTHOLE_GUEST_IMAGE_H */
