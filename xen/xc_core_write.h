/*
 * xc_core_write.h - write xc-core files laid out as `xl dump-core` lays
 * them out (Xen's tools/libs/guest/xg_core.c, format version 0.1).
 *
 * The file, in order:
 *	ELF64 header (ET_CORE, no program headers, EI_ABIVERSION 1)
 *	section headers: null, .shstrtab, .note.Xen, .xen_prstatus,
 *	    [.xen_shared_info], .xen_pages, .xen_p2m (PV) or .xen_pfn (HVM)
 *	.note.Xen: "Xen" notes NONE, HEADER, XEN_VERSION, FORMAT_VERSION
 *	.xen_prstatus: the vCPU contexts, as the caller got them
 *	.xen_shared_info: one page (optional)
 *	zeros up to the next page boundary
 *	.xen_pages: the pages, page aligned
 *	.xen_p2m: {pfn, gmfn} per page, or .xen_pfn: pfn per page
 *	.shstrtab
 * with the section flags, alignments and entry sizes xl uses, so that a
 * file written from the same inputs is byte for byte what xl writes.
 *
 * Pages are streamed: the caller names every pfn up front and supplies
 * the contents through a read callback, a batch at a time.  A page the
 * callback cannot read is left out of the file (it becomes a hole for the
 * reader), never written as zeros; how many were left out is reported.
 * Everything after .xen_pages depends on how many pages made it, so the
 * pages go first, the tables next, and the ELF header last: a write that
 * stops half way (failed callback, full disk, killed process) leaves a
 * file whose first bytes are zeros, which no reader takes for a core.
 * Durability against a crash of the machine is the file helper's job
 * (xc_core_write_file: temporary file, fsync, rename, fsync directory).
 *
 * Pure file writing: no Xen header, no Xen library.  Errors: -1 with
 * errno and a struct xen_err sentence.  Non-goals: compression, writing
 * to pipes (the header is written last, so the output must be seekable),
 * page sizes other than 4 KiB.
 */
#ifndef PORTHOLE_XC_CORE_WRITE_H
#define PORTHOLE_XC_CORE_WRITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xen/xc_core.h"
#include "xen/xen_err.h"

#define XC_CORE_PAGE_SIZE		4096u
/* The XEN_VERSION note's descriptor as xl writes it (64-bit tools). */
#define XC_CORE_XEN_VERSION_SIZE	1280u
/* The most pages one read call may be asked for. */
#define XC_CORE_WRITE_MAX_BATCH		65536u
#define XC_CORE_WRITE_BATCH		1024u

/*
 * Supply pages first .. first + count - 1 of the page list: pfns[i] is
 * wo_pfns[first + i]; its contents go to buf + i * XC_CORE_PAGE_SIZE and
 * errs[i] must become 0 (read) or a positive errno (left out of the file).
 * Returns 0, or -1 with errno (and err filled) to abandon the whole write.
 */
typedef int xc_core_read_fn(void *arg, uint64_t first, const uint64_t *pfns,
    size_t count, void *buf, int *errs, struct xen_err *err);

/*
 * Called after each batch: done of total entries of the page list dealt
 * with (written or left out).  A non-zero return abandons the write
 * (ECANCELED).
 */
typedef int xc_core_progress_fn(void *arg, uint64_t done, uint64_t total);

/*
 * What to write.
 *
 * wo_hvm		HVM/PVH layout: HVM magic and .xen_pfn; else PV
 *			magic and .xen_p2m
 * wo_machine		e_machine; 0 means XC_CORE_EM_X86_64 (xl writes
 *			EM_386 for 32-bit PV guests)
 * wo_pfns, wo_nr_pages	the page list, in file order: distinct guest
 *			pfns, none equal to UINT64_MAX
 * wo_gmfns		PV only (required there): each page's machine frame
 * wo_max_pages		keep at most this many pages, then stop reading
 *			(xl stops at the domain's tot_pages); 0: no limit
 * wo_prstatus		wo_nr_vcpus (>= 1) contexts of wo_prstatus_entsize
 *			bytes each, written as given
 * wo_shared_info	one page for .xen_shared_info, or NULL (no section)
 * wo_xen_version	the XEN_VERSION note's descriptor, wo_xen_version_len
 *			bytes (32 .. XC_CORE_XEN_VERSION_MAX); NULL with
 *			length 0 writes XC_CORE_XEN_VERSION_SIZE zero bytes
 * wo_read, wo_read_arg	the page source (required when there are pages)
 * wo_batch		pages per read call; 0: XC_CORE_WRITE_BATCH
 * wo_progress		optional, with wo_progress_arg
 */
struct xc_core_write_opts {
	bool			wo_hvm;
	uint16_t		wo_machine;
	const uint64_t		*wo_pfns;
	const uint64_t		*wo_gmfns;
	uint64_t		wo_nr_pages;
	uint64_t		wo_max_pages;
	const void		*wo_prstatus;
	size_t			wo_prstatus_entsize;
	uint64_t		wo_nr_vcpus;
	const void		*wo_shared_info;
	const void		*wo_xen_version;
	size_t			wo_xen_version_len;
	xc_core_read_fn		*wo_read;
	void			*wo_read_arg;
	size_t			wo_batch;
	xc_core_progress_fn	*wo_progress;
	void			*wo_progress_arg;
};

/*
 * What was written (filled on success, and as far as it got on failure).
 *
 * ws_written		pages in the file
 * ws_missing		pages the read callback could not supply (left out);
 *			the first of them is ws_first_missing_pfn, with
 *			ws_first_missing_errno
 * ws_over_limit	list entries after wo_max_pages pages were written:
 *			not written (and not read, unless in the same batch)
 * ws_bytes		size of the file
 */
struct xc_core_write_stats {
	uint64_t	ws_written;
	uint64_t	ws_missing;
	uint64_t	ws_over_limit;
	uint64_t	ws_first_missing_pfn;
	int		ws_first_missing_errno;
	uint64_t	ws_bytes;
};

/*
 * Write an xc-core file to fd, a regular file opened for writing (it is
 * truncated first).  name is used in error sentences only (may be NULL).
 * stats may be NULL.  Returns 0, or -1 with errno: EINVAL (bad options;
 * fd not a regular file), EFBIG (sizes beyond the format), ECANCELED
 * (progress callback), ENOMEM, the read callback's errno, or the errno of
 * a failed write.  On failure the file's ELF header is never written.
 */
int xc_core_write(int fd, const char *name, const struct xc_core_write_opts *o,
    struct xc_core_write_stats *stats, struct xen_err *err);

/*
 * Create path atomically: fill() writes "<path>.XXXXXX" in the same
 * directory (mode 0600, as xl creates cores), which is then fsynced,
 * renamed to path, and the directory fsynced.  On any failure the
 * temporary file is removed (and path too, when only the directory sync
 * failed), so path either holds a complete file or is left as it was.
 * With XC_CORE_FILE_NOREPLACE an existing path is refused (EEXIST) instead
 * of replaced.
 */
#define XC_CORE_FILE_NOREPLACE	0x1u

typedef int xc_core_fill_fn(int fd, const char *name, void *arg,
    struct xen_err *err);

int xc_core_file_atomic(const char *path, unsigned int flags,
    xc_core_fill_fn *fill, void *arg, struct xen_err *err);

/* xc_core_write() into path through xc_core_file_atomic(). */
int xc_core_write_file(const char *path, unsigned int flags,
    const struct xc_core_write_opts *o, struct xc_core_write_stats *stats,
    struct xen_err *err);

#endif /* PORTHOLE_XC_CORE_WRITE_H */
