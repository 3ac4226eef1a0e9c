/*
 * xc_core.h - read the xc-core files that `xl dump-core` writes.
 *
 * Layout (Xen's tools/libs/guest/xg_core.h): an ELF64 ET_CORE file without
 * program headers whose sections are
 *	.note.Xen		notes named "Xen": NONE, HEADER (magic, vCPU
 *				count, page count, page size), XEN_VERSION,
 *				FORMAT_VERSION
 *	.xen_prstatus		one vcpu_guest_context per vCPU
 *	.xen_shared_info	the shared info page
 *	.xen_pages		the guest's pages, page aligned
 *	.xen_p2m		PV: {pfn, gmfn} pairs, one per page
 *	.xen_pfn		PVH/HVM: one pfn per page
 * Page i of .xen_pages holds the frame named by entry i of the table.
 *
 * The file is untrusted input: every offset and length is checked against
 * the file size before use, and a malformed file is refused with EINVAL
 * (EFBIG for absurd sizes) and a sentence naming the problem.
 *
 * Pure file parsing: no Xen header, no Xen library.  Non-goals: writing
 * cores, decoding vCPU contexts (the raw bytes are offered).
 */
#ifndef PORTHOLE_XC_CORE_H
#define PORTHOLE_XC_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xen/xen_err.h"

struct xc_core;

/*
 * ci_hvm		true when the file has .xen_pfn (PVH/HVM guest)
 * ci_nr_pages		pages in .xen_pages
 * ci_page_size	bytes per page (4096 on x86)
 * ci_nr_vcpus		vCPUs in .xen_prstatus
 * ci_xen_major/minor	hypervisor version, ci_xen_extra its suffix
 * ci_format_version	xc-core format version (1 so far)
 */
struct xc_core_info {
	bool		ci_hvm;
	uint64_t	ci_nr_pages;
	uint64_t	ci_page_size;
	uint64_t	ci_nr_vcpus;
	uint64_t	ci_xen_major;
	uint64_t	ci_xen_minor;
	char		ci_xen_extra[17];
	uint64_t	ci_format_version;
	uint64_t	ci_prstatus_size;
};

/* Open and validate path.  NULL with errno and err on failure. */
struct xc_core *xc_core_open(const char *path, struct xen_err *err);

/* The same on an open descriptor, which the handle then owns. */
struct xc_core *xc_core_fdopen(int fd, const char *name, struct xen_err *err);

void xc_core_close(struct xc_core *core);

const struct xc_core_info *xc_core_info(const struct xc_core *core);

/*
 * Page index's frame numbers: *pfnp the guest pfn; *gmfnp the machine frame
 * (PV) or the pfn again (HVM).  Either pointer may be NULL.  ERANGE when
 * index is past the last page.
 */
int xc_core_page_pfn(const struct xc_core *core, uint64_t index,
    uint64_t *pfnp, uint64_t *gmfnp, struct xen_err *err);

/* Copy page index (ci_page_size bytes) to buf. */
int xc_core_read_page(const struct xc_core *core, uint64_t index, void *buf,
    struct xen_err *err);

/* The index of the page holding pfn; ENOENT when the file lacks it. */
int xc_core_find_pfn(const struct xc_core *core, uint64_t pfn,
    uint64_t *indexp, struct xen_err *err);

/* Raw .xen_prstatus bytes (ci_prstatus_size of them) into buf. */
int xc_core_read_prstatus(const struct xc_core *core, void *buf, size_t len,
    struct xen_err *err);

#endif /* PORTHOLE_XC_CORE_H */
