/*
 * guest/image_impl.h -- what the image openers (guest/image*.c,
 * guest/kdump*.c) share, not installed: the error sentence, fixed-width
 * field readers, whole reads, the ELF note decoder (image_notes.c), the
 * xc-core provider over an open reader (physmem_xc_core.c), the
 * flattened-kdump index (kdump_flat.c) and the page decompressors
 * (kdump_compress.c).
 *
 * Every reader here takes a pointer the caller has bounds-checked; the
 * helpers do no bounds checking of their own.
 */
#ifndef PORTHOLE_GUEST_IMAGE_IMPL_H
#define PORTHOLE_GUEST_IMAGE_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <porthole/guest.h>
#include "guest/le_decode.h"
#include "guest/image.h"
#include "xen/xc_core.h"
#include "xen/xen_err.h"

/* The guest page size of every x86 image format. */
#define	IMAGE_PAGE		4096u
/* Most vCPUs an image may describe; more is a malformed file. */
#define	IMAGE_MAX_VCPUS		4096u
/* Largest VMCOREINFO text taken (the kernel's is about 4 KiB). */
#define	IMAGE_MAX_VMCOREINFO	(1u << 20)
/* Largest note area read into memory. */
#define	IMAGE_MAX_NOTES		(16u << 20)

static inline uint16_t
image_le16(const unsigned char *p)
{
	return ((uint16_t)le_decode(p, 2));
}

static inline uint32_t
image_le32(const unsigned char *p)
{
	return ((uint32_t)le_decode(p, 4));
}

static inline uint64_t
image_le64(const unsigned char *p)
{
	return (le_decode(p, 8));
}

static inline uint64_t
image_be64(const unsigned char *p)
{
	uint64_t v = 0;
	unsigned i;

	for (i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return (v);
}

/*
 * Fill errbuf (may be NULL) with one sentence and return err, so an
 * opener can write "return (image_fail(errbuf, errlen, EINVAL, ...));".
 */
int	image_fail(char *errbuf, size_t errlen, int err, const char *fmt, ...)
	    __attribute__((format(printf, 4, 5)));

/* Read exactly len bytes at off: 0, the read's errno, or EIO when short. */
int	image_pread(int fd, void *buf, size_t len, uint64_t off);

/* The size of the regular file fd: 0 or an errno (EINVAL: not regular). */
int	image_file_size(int fd, uint64_t *sizep);

/*
 * The ELF notes of an image (image_notes.c): NT_PRSTATUS ("CORE", the
 * x86_64 and i386 elf_prstatus), QEMU's per-CPU state ("QEMU", type 0)
 * and VMCOREINFO.  Notes of other names, types or sizes are skipped.
 * image_notes_add may be called once per note area (an ELF file may
 * have several PT_NOTE segments); image_notes_finish merges what was
 * found into one struct guest_regs per vCPU (see image_notes.c for the
 * rules) and hands the vCPUs and the VMCOREINFO text to im.
 */
struct image_notes_prstatus;
struct image_notes_qemu;

struct image_notes {
	struct image_notes_prstatus *in_prstatus;
	unsigned	in_nprstatus;
	struct image_notes_qemu *in_qemu;
	unsigned	in_nqemu;
	char		*in_vmcoreinfo;
	size_t		in_vmcoreinfo_len;
	unsigned	in_skipped;	/* notes of no interest */
};

void	image_notes_init(struct image_notes *in);
/*
 * Decode the notes in buf[0 .. len).  where names the area in error
 * sentences ("PT_NOTE 2", "the kdump notes").  0, or EINVAL (a note runs
 * past the area, too many vCPUs) / ENOMEM with errbuf filled.
 */
int	image_notes_add(struct image_notes *in, const unsigned char *buf,
	    size_t len, const char *path, const char *where, char *errbuf,
	    size_t errlen);
/*
 * Merge into im->im_vcpus/im_nvcpus and im_vmcoreinfo (when im has none
 * yet).  long_hint: the file says the guest ran in long mode (an ELF
 * e_machine of EM_X86_64).  0 or ENOMEM.  Frees in's own state either
 * way.
 */
int	image_notes_finish(struct image_notes *in, bool long_hint,
	    struct image *im);
void	image_notes_free(struct image_notes *in);

/* Take text[0 .. len) as im's VMCOREINFO (copied, NUL-terminated). */
int	image_set_vmcoreinfo(struct image *im, const char *text, size_t len);

/* The xc-core provider over an open reader, which it takes over. */
struct physmem *physmem_xc_core_adopt(struct xc_core *core, const char *path,
	    struct xen_err *xe);

#endif /* PORTHOLE_GUEST_IMAGE_IMPL_H */
