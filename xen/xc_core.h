/*
 * xc_core.h - read the xc-core files that `xl dump-core` writes.
 *
 * Layout (Xen's tools/libs/guest/xg_core.h): an ELF64 ET_CORE file without
 * program headers whose sections are
 *	.note.Xen		notes named "Xen": NONE, HEADER (magic, vCPU
 *				count, page count, page size), XEN_VERSION,
 *				FORMAT_VERSION
 *	.xen_prstatus		one vcpu_guest_context per vCPU
 *	.xen_shared_info	the shared info page (optional)
 *	.xen_pages		the guest's pages, page aligned
 *	.xen_p2m		PV: {pfn, gmfn} pairs, one per page
 *	.xen_pfn		PVH/HVM: one pfn per page
 * Page i of .xen_pages holds the frame named by entry i of the table, in
 * any order.  xl pads a dump whose domain had fewer pages than it counted
 * with zero pages whose table entry is XC_CORE_PADDING_PFN: such pages
 * name no frame, are never found by pfn, and are counted apart.
 *
 * The file is untrusted input: every offset and length is checked against
 * the file size before use, sections must not overlap, a pfn may appear
 * only once, and a malformed file is refused with EINVAL (EFBIG for absurd
 * sizes) and a sentence naming the problem.
 *
 * Pure file parsing: no Xen header, no Xen library.  Non-goals: writing
 * cores (xc_core_write.h), decoding vCPU contexts (the raw bytes are
 * offered).
 */
#ifndef PORTHOLE_XC_CORE_H
#define PORTHOLE_XC_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xen/xen_err.h"

/* The table entry xl gives the zero pages it pads a short dump with. */
#define XC_CORE_PADDING_PFN	UINT64_MAX

/* Format facts the reader and the writer (xc_core_write.h) share. */
#define XC_CORE_HDR_MAGIC_PV		UINT64_C(0xF00FEBED)	/* HEADER note */
#define XC_CORE_HDR_MAGIC_HVM		UINT64_C(0xF00FEBEE)
#define XC_CORE_NOTE_NONE		0x2000000u	/* "Xen" note types */
#define XC_CORE_NOTE_HEADER		0x2000001u
#define XC_CORE_NOTE_XEN_VERSION	0x2000002u
#define XC_CORE_NOTE_FORMAT		0x2000003u
/* The largest XEN_VERSION descriptor and .xen_prstatus either accepts. */
#define XC_CORE_XEN_VERSION_MAX		4096u
#define XC_CORE_PRSTATUS_MAX		(64u * 1024 * 1024)

struct xc_core;

/*
 * ci_hvm		true when the file has .xen_pfn (PVH/HVM guest)
 * ci_machine		the ELF header's e_machine (62 x86-64, 3 i386)
 * ci_nr_pages		pages in .xen_pages (padding included)
 * ci_nr_valid		pages that name a frame; ci_nr_padding the others
 * ci_pfn_limit		highest pfn in the file + 1 (0 when none)
 * ci_page_size		bytes per page (4096 on x86)
 * ci_pages_offset	file offset of .xen_pages (a multiple of the page
 *			size)
 * ci_nr_vcpus		vCPUs in .xen_prstatus
 * ci_prstatus_size	bytes of .xen_prstatus; ci_prstatus_entsize per
 *			vCPU as the section header says (0: not said)
 * ci_shared_info_size	bytes of .xen_shared_info (0: the file has none)
 * ci_xen_major/minor	hypervisor version, ci_xen_extra its suffix
 * ci_xen_version_size	bytes of the XEN_VERSION note's descriptor
 * ci_format_version	xc-core format version (1 so far: major 0, minor 1)
 */
struct xc_core_info {
	bool		ci_hvm;
	uint16_t	ci_machine;
	uint64_t	ci_nr_pages;
	uint64_t	ci_nr_valid;
	uint64_t	ci_nr_padding;
	uint64_t	ci_pfn_limit;
	uint64_t	ci_page_size;
	uint64_t	ci_pages_offset;
	uint64_t	ci_nr_vcpus;
	uint64_t	ci_prstatus_size;
	uint64_t	ci_prstatus_entsize;
	uint64_t	ci_shared_info_size;
	uint64_t	ci_xen_major;
	uint64_t	ci_xen_minor;
	char		ci_xen_extra[17];
	uint64_t	ci_xen_version_size;
	uint64_t	ci_format_version;
};

/* Open and validate path.  NULL with errno and err on failure. */
struct xc_core *xc_core_open(const char *path, struct xen_err *err);

/* The same on an open descriptor, which the handle then owns. */
struct xc_core *xc_core_fdopen(int fd, const char *name, struct xen_err *err);

void xc_core_close(struct xc_core *core);

const struct xc_core_info *xc_core_info(const struct xc_core *core);

/* The open file (owned by the handle), for mapping .xen_pages. */
int xc_core_fd(const struct xc_core *core);

/*
 * Page index's frame numbers: *pfnp the guest pfn (XC_CORE_PADDING_PFN
 * for padding); *gmfnp the machine frame (PV) or the pfn again (HVM).
 * Either pointer may be NULL.  ERANGE when index is past the last page.
 */
int xc_core_page_pfn(const struct xc_core *core, uint64_t index,
    uint64_t *pfnp, uint64_t *gmfnp, struct xen_err *err);

/*
 * The k-th page in ascending pfn order (k < ci_nr_valid): its pfn and its
 * index in .xen_pages.  ERANGE when k is out of range.
 */
int xc_core_nth_by_pfn(const struct xc_core *core, uint64_t k,
    uint64_t *pfnp, uint64_t *indexp, struct xen_err *err);

/* Copy page index (ci_page_size bytes) to buf. */
int xc_core_read_page(const struct xc_core *core, uint64_t index, void *buf,
    struct xen_err *err);

/* The index of the page holding pfn; ENOENT when the file lacks it. */
int xc_core_find_pfn(const struct xc_core *core, uint64_t pfn,
    uint64_t *indexp, struct xen_err *err);

/*
 * Raw section bytes into buf, which must hold the whole section (ERANGE
 * otherwise): .xen_prstatus (ci_prstatus_size bytes), .xen_shared_info
 * (ci_shared_info_size; ENOENT when the file has none), and the
 * XEN_VERSION note's descriptor (ci_xen_version_size; ENOENT when absent).
 */
int xc_core_read_prstatus(const struct xc_core *core, void *buf, size_t len,
    struct xen_err *err);
int xc_core_read_shared_info(const struct xc_core *core, void *buf,
    size_t len, struct xen_err *err);
int xc_core_read_xen_version(const struct xc_core *core, void *buf,
    size_t len, struct xen_err *err);

#endif /* PORTHOLE_XC_CORE_H */
