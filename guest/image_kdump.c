/*
 * image_kdump.c -- the kdump-compressed opener and its provider: the
 * format makedumpfile and QEMU's dump-guest-memory (kdump-zlib,
 * kdump-lzo, kdump-snappy, kdump-zstd) write, standard or flattened
 * (guest/kdump_flat.c indexes the flattened form; reads then go through
 * the index as if the file had been rearranged).
 *
 * Layout, in blocks of block_size bytes (which must be the guest's 4 KiB
 * page here):
 *	block 0		disk_dump_header: "KDUMP   ", header_version,
 *			utsname, timestamp, status (the compression
 *			used), block_size, sub_hdr_size, bitmap_blocks,
 *			max_mapnr (32 bits), ..., nr_cpus.  Two layouts:
 *			a 64-bit tool's (timestamp of 16 bytes: status at
 *			424) and a 32-bit one's (8 bytes: status at 412);
 *			the one whose fields make sense is taken, the
 *			64-bit one when both do
 *	blocks 1..	kdump_sub_header (sub_hdr_size blocks): phys_base,
 *			dump_level, split, the VMCOREINFO text's offset and
 *			size (header_version >= 3), the ELF notes' offset
 *			and size (>= 4), max_mapnr_64 (>= 6; used when set)
 *	bitmap		bitmap_blocks blocks: the 1st bitmap (memory that
 *			exists), then the 2nd (pages dumped), one bit per
 *			frame, least significant bit first
 *	descriptors	one page_desc per page set in the 2nd bitmap, in
 *			frame order: offset (64 bits), size, flags
 *			(KDUMP_ZLIB, LZO, SNAPPY, ZSTD or none),
 *			page_flags; pages that are all zeros often share
 *			one descriptor's data
 *	page data
 * Frames not set in the 2nd bitmap (excluded by the dump level, or no
 * memory at all) are holes.
 *
 * The provider decompresses a page only when it is mapped: its map op
 * loads anonymous memory at the window address, reads each page's
 * descriptor and data, decompresses into place (the result must be
 * exactly one page), and gives each run of good pages the segment's
 * protection (a writable copy stays writable).  A page whose descriptor
 * or data is bad fails alone with EIO (ENOTSUP when its compression is
 * one this build lacks) and its page stays reserved.  Nothing is cached
 * between calls: seg_kpm and seg_map keep what they mapped.
 *
 * Open refuses (EINVAL, one sentence naming the file, the field and its
 * offset) any header field out of range, and refuses with ENOTSUP a dump
 * whose header says it used a compression this build lacks, a block
 * size other than 4 KiB, and one part of a split dump.
 *
 * Non-goals: split dumps (reassemble them with makedumpfile), erase
 * info, the 1st bitmap (memory that exists but was not dumped reads as
 * a hole all the same).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "guest/image.h"
#include "guest/image_impl.h"
#include "guest/kdump_compress.h"
#include "guest/kdump_flat.h"
#include "vm/hat.h"
#include "vm/physmem.h"
#include "vm/seg.h"

#define	KD__SIG			"KDUMP   "
#define	KD__DESC_SIZE		24
#define	KD__STATUS_INCOMPLETE	0x8u
#define	KD__MAX_SUB_BLOCKS	(1u << 20)
/* Bits of rank index per count: one uint64 count per 4096 frames. */
#define	KD__RANK_SHIFT		12

/* Where the disk_dump_header's fields are, per layout. */
struct kd_layout {
	unsigned	kl_bits;	/* 64 or 32 */
	size_t		kl_status;	/* status; the u32 fields follow */
	size_t		kl_sub_size;	/* sizeof (kdump_sub_header) */
	size_t		kl_vmcoreinfo, kl_vmcoreinfo_size;
	size_t		kl_note, kl_note_size;
	size_t		kl_split;
	size_t		kl_max_mapnr_64;
	unsigned	kl_size_width;	/* bytes of size_vmcoreinfo etc. */
};

static const struct kd_layout kd_layout64 = {
	.kl_bits = 64, .kl_status = 424, .kl_sub_size = 104,
	.kl_vmcoreinfo = 32, .kl_vmcoreinfo_size = 40,
	.kl_note = 48, .kl_note_size = 56, .kl_split = 12,
	.kl_max_mapnr_64 = 96, .kl_size_width = 8,
};

static const struct kd_layout kd_layout32 = {
	.kl_bits = 32, .kl_status = 412, .kl_sub_size = 80,
	.kl_vmcoreinfo = 20, .kl_vmcoreinfo_size = 28,
	.kl_note = 32, .kl_note_size = 40, .kl_split = 8,
	.kl_max_mapnr_64 = 72, .kl_size_width = 4,
};

/* The header fields the reader uses. */
struct kd_header {
	const struct kd_layout *kh_layout;
	int32_t		kh_version;
	uint32_t	kh_status;
	uint32_t	kh_block_size;
	uint32_t	kh_sub_blocks;
	uint32_t	kh_bitmap_blocks;
	uint32_t	kh_max_mapnr32;
	uint32_t	kh_nr_cpus;
};

struct physmem_kdump {
	int		kd_fd;		/* the dump (standard form) */
	struct kdump_flat *kd_flat;	/* or its index (flattened) */
	uint64_t	kd_size;	/* logical file size */
	char		*kd_path;
	struct kd_header kd_hdr;
	uint64_t	kd_max_mapnr;
	unsigned char	*kd_bitmap;	/* the 2nd bitmap, max_mapnr bits */
	uint64_t	*kd_rank;	/* dumped frames before each 4096 */
	uint64_t	kd_ndumped;
	uint64_t	kd_desc_off;	/* logical offset of descriptor 0 */
	unsigned	kd_method;	/* what the header's status says */
};

static int
kd_read(const struct physmem_kdump *kd, void *buf, size_t len, uint64_t off)
{
	if (kd->kd_flat != NULL)
		return (kdump_flat_read(kd->kd_flat, buf, len, off));
	if (off > kd->kd_size || len > kd->kd_size - off)
		return (EIO);
	return (image_pread(kd->kd_fd, buf, len, off));
}

static bool
kd_dumped(const struct physmem_kdump *kd, uint64_t gfn)
{
	return (gfn < kd->kd_max_mapnr &&
	    (kd->kd_bitmap[gfn / 8] >> (gfn % 8)) & 1);
}

static unsigned
kd_popcount8(unsigned char b)
{
	unsigned n = 0;

	for (; b != 0; b &= (unsigned char)(b - 1))
		n++;
	return (n);
}

/* How many frames below gfn were dumped: the index of gfn's descriptor. */
static uint64_t
kd_rank(const struct physmem_kdump *kd, uint64_t gfn)
{
	uint64_t r = kd->kd_rank[gfn >> KD__RANK_SHIFT], i;

	for (i = (gfn >> KD__RANK_SHIFT) << KD__RANK_SHIFT; i + 8 <= gfn;
	    i += 8)
		r += kd_popcount8(kd->kd_bitmap[i / 8]);
	for (; i < gfn; i++)
		r += (kd->kd_bitmap[i / 8] >> (i % 8)) & 1;
	return (r);
}

static void
kd_describe(const struct physmem *pm, char *buf, size_t len)
{
	const struct physmem_kdump *kd = pm->pm_data;
	char flat[64] = "";

	if (kd->kd_flat != NULL)
		(void) snprintf(flat, sizeof (flat), ", %zu records",
		    kdump_flat_records(kd->kd_flat));
	(void) snprintf(buf, len, "%s %s (%s, %u-bit header v%d, %" PRIu64
	    " pages dumped of %" PRIu64 " frames%s)", kd->kd_flat != NULL ?
	    "kdump-flat" : "kdump", kd->kd_path,
	    kdump_compress_name(kd->kd_method), kd->kd_hdr.kh_layout->kl_bits,
	    (int)kd->kd_hdr.kh_version, kd->kd_ndumped, pm->pm_nframes,
	    flat);
}

static void
kd_free(struct physmem_kdump *kd)
{
	if (kd->kd_fd >= 0)
		(void) close(kd->kd_fd);
	kdump_flat_free(kd->kd_flat);
	free(kd->kd_bitmap);
	free(kd->kd_rank);
	free(kd->kd_path);
	free(kd);
}

static void
kd_destroy(struct physmem *pm)
{
	kd_free(pm->pm_data);
}

static int
kd_present(const struct physmem *pm, uint64_t gfn, uint64_t *runp)
{
	const struct physmem_kdump *kd = pm->pm_data;
	bool want = kd_dumped(kd, gfn);
	uint64_t g = gfn + 1;

	while (g < kd->kd_max_mapnr) {
		unsigned char byte = kd->kd_bitmap[g / 8];

		if (g % 8 == 0 && g + 8 <= kd->kd_max_mapnr &&
		    byte == (want ? 0xff : 0)) {
			g += 8;
			continue;
		}
		if (((byte >> (g % 8)) & 1) != want)
			break;
		g++;
	}
	*runp = g;
	return (want);
}

/*
 * One page: its descriptor (24 bytes at d) into page (read and
 * decompressed; scratch holds a compressed page).  0 or a page errno.
 */
static int
kd_page(const struct physmem_kdump *kd, const unsigned char *d,
    unsigned char *page, unsigned char *scratch)
{
	uint64_t off = image_le64(d);
	uint32_t size = image_le32(d + 8), flags = image_le32(d + 12);
	unsigned method = flags & KDUMP_METHODS;

	if (size == 0 || size > IMAGE_PAGE || off > kd->kd_size ||
	    size > kd->kd_size - off)
		return (EIO);
	if (method == 0)
		return (size == IMAGE_PAGE ? kd_read(kd, page, IMAGE_PAGE,
		    off) == 0 ? 0 : EIO : EIO);
	if ((method & (method - 1)) != 0)
		return (EIO);		/* two methods at once */
	if (!kdump_compress_have(method))
		return (ENOTSUP);
	if (kd_read(kd, scratch, size, off) != 0)
		return (EIO);
	return (kdump_decompress(method, scratch, size, page, IMAGE_PAGE));
}

/* Give the run [from, to) of good pages at addr the protection prot. */
static void
kd_protect(void *addr, size_t from, size_t to, unsigned prot, int *err)
{
	size_t i;

	if (from == to || (prot & PROT_WRITE) != 0)
		return;
	if (hat_chgprot((char *)addr + ptob(from), ptob(to - from),
	    prot) != 0) {
		hat_unload_nofail((char *)addr + ptob(from), ptob(to - from));
		for (i = from; i < to; i++)
			err[i] = EIO;
	}
}

static int
kd_map(struct physmem *pm, uint64_t gfn, size_t npages, void *addr,
    unsigned prot, int *err)
{
	const struct physmem_kdump *kd = pm->pm_data;
	unsigned char *descs = NULL, *scratch = NULL;
	uint64_t first = UINT64_MAX, ndesc = 0, k;
	size_t i, run;
	int e;

	for (i = 0; i < npages; i++) {
		if (!kd_dumped(kd, gfn + i))
			continue;
		if (first == UINT64_MAX)
			first = kd_rank(kd, gfn + i);
		ndesc++;
	}
	if (ndesc == 0) {
		for (i = 0; i < npages; i++)
			err[i] = ENXIO;
		return (0);
	}
	if ((descs = malloc((size_t)ndesc * KD__DESC_SIZE)) == NULL ||
	    (scratch = malloc(IMAGE_PAGE)) == NULL) {
		free(descs);
		return (ENOMEM);
	}
	if ((e = hat_load_anon(addr, ptob(npages), PROT_READ | PROT_WRITE,
	    MAP_PRIVATE)) != 0) {
		free(descs);
		free(scratch);
		return (e);
	}
	/* The descriptors of the dumped frames here are consecutive. */
	e = kd_read(kd, descs, (size_t)ndesc * KD__DESC_SIZE,
	    kd->kd_desc_off + first * KD__DESC_SIZE);
	for (i = 0, k = 0, run = 0; i < npages; i++) {
		unsigned char *page = (unsigned char *)addr + ptob(i);

		if (!kd_dumped(kd, gfn + i))
			err[i] = ENXIO;
		else if (e != 0)	/* descriptors past the end */
			err[i] = EIO;
		else
			err[i] = kd_page(kd, descs + k * KD__DESC_SIZE, page,
			    scratch);
		if (kd_dumped(kd, gfn + i))
			k++;
		if (err[i] != 0) {
			hat_unload_nofail(page, PAGESIZE);
			kd_protect(addr, run, i, prot, err);
			run = i + 1;
		}
	}
	kd_protect(addr, run, npages, prot, err);
	free(descs);
	free(scratch);
	return (0);
}

static const struct physmem_ops physmem_kdump_ops = {
	.name = "kdump",
	.map = kd_map,
	.present = kd_present,
	.describe = kd_describe,
	.destroy = kd_destroy,
	.private_writes = true,
};

/* Whether the header's fields make sense in layout l. */
static bool
kd_plausible(const unsigned char *h, const struct kd_layout *l,
    struct kd_header *kh)
{
	const unsigned char *f = h + l->kl_status;

	kh->kh_layout = l;
	kh->kh_version = (int32_t)image_le32(h + 8);
	kh->kh_status = image_le32(f);
	kh->kh_block_size = image_le32(f + 4);
	kh->kh_sub_blocks = image_le32(f + 8);
	kh->kh_bitmap_blocks = image_le32(f + 12);
	kh->kh_max_mapnr32 = image_le32(f + 16);
	kh->kh_nr_cpus = image_le32(f + 36);
	return (kh->kh_block_size >= 512 && kh->kh_block_size <= (1u << 20) &&
	    (kh->kh_block_size & (kh->kh_block_size - 1)) == 0 &&
	    kh->kh_sub_blocks >= 1 && kh->kh_bitmap_blocks >= 1);
}

static uint64_t
kd_field(const unsigned char *p, unsigned width)
{
	return (width == 8 ? image_le64(p) : image_le32(p));
}

/* The disk_dump_header (block 0). */
static int
kd_header(struct physmem_kdump *kd, const char *path, char *errbuf,
    size_t errlen)
{
	unsigned char h[464];
	struct kd_header kh64, kh32;
	int e;

	if (kd->kd_size < sizeof (h))
		return (image_fail(errbuf, errlen, EINVAL, "%s: %" PRIu64
		    " bytes are too few for a kdump header", path,
		    kd->kd_size));
	if ((e = kd_read(kd, h, sizeof (h), 0)) != 0)
		return (image_fail(errbuf, errlen, e, "%s: reading the kdump "
		    "header: %s", path, strerror(e)));
	if (memcmp(h, KD__SIG, 8) != 0)
		return (image_fail(errbuf, errlen, kd->kd_flat != NULL ?
		    ENOTSUP : EINVAL, "%s: %s", path, kd->kd_flat != NULL ?
		    "the flattened file does not hold a kdump-compressed dump "
		    "(rearrange it with makedumpfile -R)" :
		    "no \"KDUMP   \" signature at offset 0"));
	if (kd_plausible(h, &kd_layout64, &kh64))
		kd->kd_hdr = kh64;
	else if (kd_plausible(h, &kd_layout32, &kh32))
		kd->kd_hdr = kh32;
	else
		return (image_fail(errbuf, errlen, EINVAL, "%s: block_size "
		    "(offset 428, or 416 in a 32-bit tool's header) is %" PRIu32
		    ", sub_hdr_size %" PRIu32 ", bitmap_blocks %" PRIu32 ": "
		    "not a valid kdump header", path, kh64.kh_block_size,
		    kh64.kh_sub_blocks, kh64.kh_bitmap_blocks));
	if (kd->kd_hdr.kh_version < 1)
		return (image_fail(errbuf, errlen, EINVAL, "%s: header_version "
		    "(offset 8) is %d", path, (int)kd->kd_hdr.kh_version));
	if (kd->kd_hdr.kh_block_size != IMAGE_PAGE)
		return (image_fail(errbuf, errlen, ENOTSUP, "%s: block_size "
		    "(offset %zu) is %" PRIu32 ": porthole reads dumps of %u-"
		    "byte pages", path, kd->kd_hdr.kh_layout->kl_status + 4,
		    kd->kd_hdr.kh_block_size, IMAGE_PAGE));
	kd->kd_method = kd->kd_hdr.kh_status & KDUMP_METHODS;
	if ((kd->kd_method & (kd->kd_method - 1)) != 0)
		return (image_fail(errbuf, errlen, EINVAL, "%s: status "
		    "(offset %zu) is 0x%" PRIx32 ": more than one compression",
		    path, kd->kd_hdr.kh_layout->kl_status,
		    kd->kd_hdr.kh_status));
	if (!kdump_compress_have(kd->kd_method))
		return (image_fail(errbuf, errlen, ENOTSUP, "%s: the dump's "
		    "pages are compressed with %s, which this build cannot "
		    "read (configure found no %s library: install %s and "
		    "rebuild)", path, kdump_compress_name(kd->kd_method),
		    kdump_compress_name(kd->kd_method),
		    kdump_compress_package(kd->kd_method)));
	return (0);
}

/* Read [off, off + len) of the logical file into a new buffer. */
static int
kd_slurp(struct physmem_kdump *kd, uint64_t off, uint64_t len,
    unsigned char **bufp, const char *path, const char *what,
    char *errbuf, size_t errlen)
{
	unsigned char *b;
	int e;

	if (off > kd->kd_size || len > kd->kd_size - off)
		return (image_fail(errbuf, errlen, EINVAL, "%s: %s (offset %"
		    PRIu64 ", %" PRIu64 " bytes) is not in the file (%" PRIu64
		    " bytes)", path, what, off, len, kd->kd_size));
	if (len > SIZE_MAX - 1 || (b = malloc((size_t)len + 1)) == NULL)
		return (image_fail(errbuf, errlen, ENOMEM, "%s: out of memory "
		    "for %s (%" PRIu64 " bytes)", path, what, len));
	if ((e = kd_read(kd, b, (size_t)len, off)) != 0) {
		free(b);
		return (image_fail(errbuf, errlen, e, "%s: reading %s at "
		    "offset %" PRIu64 ": %s", path, what, off, strerror(e)));
	}
	*bufp = b;
	return (0);
}

/* The sub header: max_mapnr, VMCOREINFO, the notes. */
static int
kd_sub_header(struct physmem_kdump *kd, struct image *im, const char *path,
    char *errbuf, size_t errlen)
{
	const struct kd_layout *l = kd->kd_hdr.kh_layout;
	uint64_t sub = kd->kd_hdr.kh_block_size, off, len, m64;
	unsigned char s[104], *buf;
	struct image_notes in;
	int32_t v = kd->kd_hdr.kh_version;
	int e;

	if (kd->kd_hdr.kh_sub_blocks > KD__MAX_SUB_BLOCKS ||
	    sub + l->kl_sub_size > kd->kd_size)
		return (image_fail(errbuf, errlen, EINVAL, "%s: the sub header "
		    "(offset %" PRIu64 ", sub_hdr_size %" PRIu32 " blocks) is "
		    "not in the file", path, sub, kd->kd_hdr.kh_sub_blocks));
	if ((e = kd_read(kd, s, l->kl_sub_size, sub)) != 0)
		return (image_fail(errbuf, errlen, e, "%s: reading the sub "
		    "header: %s", path, strerror(e)));
	if (v >= 2 && image_le32(s + l->kl_split) != 0)
		return (image_fail(errbuf, errlen, ENOTSUP, "%s: one part of a "
		    "split dump (split at offset %" PRIu64 "): reassemble "
		    "the parts with makedumpfile --reassemble", path,
		    sub + l->kl_split));
	kd->kd_max_mapnr = kd->kd_hdr.kh_max_mapnr32;
	if (v >= 6 && (m64 = image_le64(s + l->kl_max_mapnr_64)) != 0)
		kd->kd_max_mapnr = m64;
	if (v >= 3) {
		off = image_le64(s + l->kl_vmcoreinfo);
		len = kd_field(s + l->kl_vmcoreinfo_size, l->kl_size_width);
		if (len > IMAGE_MAX_VMCOREINFO)
			return (image_fail(errbuf, errlen, EINVAL, "%s: "
			    "size_vmcoreinfo (offset %" PRIu64 ") is %" PRIu64
			    " bytes, more than VMCOREINFO ever is", path,
			    sub + l->kl_vmcoreinfo_size, len));
		if (len > 0) {
			if ((e = kd_slurp(kd, off, len, &buf, path,
			    "VMCOREINFO", errbuf, errlen)) != 0)
				return (e);
			e = image_set_vmcoreinfo(im, (char *)buf, (size_t)len);
			free(buf);
			if (e != 0)
				return (image_fail(errbuf, errlen, e, "%s: out "
				    "of memory", path));
		}
	}
	if (v >= 4) {
		off = image_le64(s + l->kl_note);
		len = kd_field(s + l->kl_note_size, l->kl_size_width);
		if (len > IMAGE_MAX_NOTES)
			return (image_fail(errbuf, errlen, EINVAL, "%s: "
			    "size_note (offset %" PRIu64 ") is %" PRIu64 " "
			    "bytes, more than porthole reads", path,
			    sub + l->kl_note_size, len));
		if (len > 0) {
			if ((e = kd_slurp(kd, off, len, &buf, path,
			    "the ELF notes", errbuf, errlen)) != 0)
				return (e);
			image_notes_init(&in);
			e = image_notes_add(&in, buf, (size_t)len, path,
			    "the kdump notes", errbuf, errlen);
			free(buf);
			if (e == 0 && (e = image_notes_finish(&in, false,
			    im)) != 0)
				e = image_fail(errbuf, errlen, e, "%s: out of "
				    "memory", path);
			image_notes_free(&in);
			if (e != 0)
				return (e);
		}
	}
	return (0);
}

/* The 2nd bitmap, its rank index, and where the descriptors are. */
static int
kd_bitmap(struct physmem_kdump *kd, const char *path, char *errbuf,
    size_t errlen)
{
	uint64_t bs = kd->kd_hdr.kh_block_size, off, half, bytes, nchunks, i;
	uint64_t count = 0, last, descs;

	if (kd->kd_max_mapnr == 0)
		return (image_fail(errbuf, errlen, EINVAL, "%s: max_mapnr is "
		    "0: the dump covers no memory", path));
	off = (1 + (uint64_t)kd->kd_hdr.kh_sub_blocks) * bs;
	half = (uint64_t)kd->kd_hdr.kh_bitmap_blocks * bs / 2;
	bytes = kd->kd_max_mapnr / 8 + (kd->kd_max_mapnr % 8 != 0);
	if (bytes > half)
		return (image_fail(errbuf, errlen, EINVAL, "%s: bitmap_blocks "
		    "(%" PRIu32 ") leave %" PRIu64 " bytes per bitmap, too few "
		    "for max_mapnr %" PRIu64, path,
		    kd->kd_hdr.kh_bitmap_blocks, half, kd->kd_max_mapnr));
	if (off + 2 * half > kd->kd_size)
		return (image_fail(errbuf, errlen, EINVAL, "%s: the bitmaps "
		    "(offset %" PRIu64 ", %" PRIu64 " bytes) are not in the "
		    "file (%" PRIu64 " bytes)", path, off, 2 * half,
		    kd->kd_size));
	/* The window maps frames piecemeal: no bound by the host's space. */
	if (kd->kd_max_mapnr > (UINT64_C(1) << 40))
		return (image_fail(errbuf, errlen, EFBIG, "%s: max_mapnr %"
		    PRIu64 " frames: more than 2^40, beyond any x86 guest",
		    path, kd->kd_max_mapnr));
	nchunks = (kd->kd_max_mapnr >> KD__RANK_SHIFT) + 1;
	if (bytes > SIZE_MAX || nchunks > SIZE_MAX / sizeof (uint64_t))
		return (image_fail(errbuf, errlen, EFBIG, "%s: the bitmap of "
		    "max_mapnr %" PRIu64 " frames does not fit this host's "
		    "address space", path, kd->kd_max_mapnr));
	if ((kd->kd_bitmap = malloc((size_t)bytes)) == NULL ||
	    (kd->kd_rank = malloc((size_t)nchunks * sizeof (uint64_t))) ==
	    NULL)
		return (image_fail(errbuf, errlen, ENOMEM, "%s: out of memory "
		    "for a bitmap of %" PRIu64 " frames", path,
		    kd->kd_max_mapnr));
	if (kd_read(kd, kd->kd_bitmap, (size_t)bytes, off + half) != 0)
		return (image_fail(errbuf, errlen, EIO, "%s: reading the 2nd "
		    "bitmap at offset %" PRIu64 " failed", path, off + half));
	/* Bits past max_mapnr name no frame. */
	if (kd->kd_max_mapnr % 8 != 0)
		kd->kd_bitmap[bytes - 1] &= (unsigned char)((1u <<
		    (kd->kd_max_mapnr % 8)) - 1);
	for (i = 0; i < bytes; i++) {
		if (i % (1u << (KD__RANK_SHIFT - 3)) == 0)
			kd->kd_rank[i >> (KD__RANK_SHIFT - 3)] = count;
		count += kd_popcount8(kd->kd_bitmap[i]);
	}
	for (last = (bytes + (1u << (KD__RANK_SHIFT - 3)) - 1) >>
	    (KD__RANK_SHIFT - 3); last < nchunks; last++)
		kd->kd_rank[last] = count;
	kd->kd_ndumped = count;
	kd->kd_desc_off = off + 2 * half;
	descs = count * KD__DESC_SIZE;
	if ((kd->kd_desc_off > kd->kd_size || descs > kd->kd_size -
	    kd->kd_desc_off) && (kd->kd_hdr.kh_status &
	    KD__STATUS_INCOMPLETE) == 0)
		return (image_fail(errbuf, errlen, EINVAL, "%s: the "
		    "descriptors of %" PRIu64 " dumped pages (offset %" PRIu64 ") run past "
		    "the end of the file (%" PRIu64 " bytes): a cut dump", path,
		    count, kd->kd_desc_off, kd->kd_size));
	return (0);
}

int
image_open_kdump(int fd, const char *path, bool flattened, bool writable,
    struct image *im, char *errbuf, size_t errlen)
{
	struct physmem_kdump *kd;
	uint64_t fsize = 0;
	int e;

	(void) writable;	/* pages are private anonymous copies anyway */
	if (PAGESIZE != IMAGE_PAGE)
		return (image_fail(errbuf, errlen, ENOTSUP, "%s: this host's "
		    "pages are %zu bytes, the dump's %u: it cannot be mapped "
		    "here", path, (size_t)PAGESIZE, IMAGE_PAGE));
	if ((e = image_file_size(fd, &fsize)) != 0)
		return (image_fail(errbuf, errlen, e, "%s: %s", path,
		    strerror(e)));
	if ((kd = calloc(1, sizeof (*kd))) == NULL)
		return (image_fail(errbuf, errlen, ENOMEM, "%s: out of memory",
		    path));
	kd->kd_fd = -1;
	if ((kd->kd_path = strdup(path)) == NULL) {
		e = image_fail(errbuf, errlen, ENOMEM, "%s: out of memory",
		    path);
		goto fail;
	}
	if (flattened) {
		if ((e = kdump_flat_open(fd, path, &kd->kd_flat, errbuf,
		    errlen)) != 0)
			goto fail;
		kd->kd_size = kdump_flat_size(kd->kd_flat);
	} else {
		if ((kd->kd_fd = fcntl(fd, F_DUPFD_CLOEXEC, 0)) < 0) {
			e = image_fail(errbuf, errlen, errno, "%s: %s", path,
			    strerror(errno));
			goto fail;
		}
		kd->kd_size = fsize;
	}
	if ((e = kd_header(kd, path, errbuf, errlen)) != 0 ||
	    (e = kd_sub_header(kd, im, path, errbuf, errlen)) != 0 ||
	    (e = kd_bitmap(kd, path, errbuf, errlen)) != 0)
		goto fail;
	if ((im->im_pm = physmem_create(&physmem_kdump_ops, kd,
	    kd->kd_max_mapnr)) == NULL) {
		e = image_fail(errbuf, errlen, ENOMEM, "%s: out of memory",
		    path);
		goto fail;
	}
	im->im_format = flattened ? IMAGE_KDUMP_FLAT : IMAGE_KDUMP;
	return (0);
fail:
	kd_free(kd);
	return (e);
}
