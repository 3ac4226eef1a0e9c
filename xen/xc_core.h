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
 * Pure file parsing: no Xen header, no Xen library.  The vCPU contexts
 * of .xen_prstatus are decoded into porthole's neutral register struct
 * (xen_vcpu.h) from the layouts' byte offsets, which are facts of Xen's
 * public ABI (xen/arch-x86/xen-x86_64.h and xen-x86_32.h); xen/'s
 * xc-core vCPU test checks them against the installed Xen headers.
 * Non-goals: writing cores (xc_core_write.h), the FPU and debug state.
 */
#ifndef PORTHOLE_XC_CORE_H
#define PORTHOLE_XC_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xen/xen_err.h"
#include "xen/xen_vcpu.h"

/* The table entry xl gives the zero pages it pads a short dump with. */
#define XC_CORE_PADDING_PFN	UINT64_MAX

/* Format facts the reader and the writer (xc_core_write.h) share. */
#define XC_CORE_HDR_MAGIC_PV		UINT64_C(0xF00FEBED)	/* HEADER note */
#define XC_CORE_HDR_MAGIC_HVM		UINT64_C(0xF00FEBEE)
#define XC_CORE_NOTE_NONE		0x2000000u	/* "Xen" note types */
#define XC_CORE_NOTE_HEADER		0x2000001u
#define XC_CORE_NOTE_XEN_VERSION	0x2000002u
#define XC_CORE_NOTE_FORMAT		0x2000003u
/* e_machine values xl writes on x86. */
#define XC_CORE_EM_386			3
#define XC_CORE_EM_X86_64		62
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

/*
 * The vCPU contexts of .xen_prstatus, decoded.  Their layout follows the
 * dump: XEN_VCPU_PV64 for a 64-bit PV guest, XEN_VCPU_PV32 for a 32-bit
 * one (e_machine EM_386; xl still gives each context a 64-bit slot),
 * XEN_VCPU_HVM for PVH/HVM, whose contexts come from the same 64-bit
 * layout (Xen fills it from the HVM state: CR3 is a guest physical
 * address).  xl packs the contexts it could read, so a vCPU's number is
 * its position in the section.  A vCPU Xen reported as down has
 * vr_online false and no registers.
 *
 * EFER is in no context.  PV64 and PV32 get it as xen_vcpu.h says; for
 * HVM it is derived (XEN_VCPU_EFER_DERIVED): LME|LMA|NXE when paging with
 * PAE and some register or segment base holds a value above 4 GiB, which
 * no 32-bit mode can; else 0 (vr_addr_bits then 32, or 16 without
 * protected mode).
 *
 * *regsp is an array of *countp structs for the caller to free(); 0 vCPUs
 * gives NULL.  EINVAL when a context is shorter than its layout.
 */
int xc_core_vcpus(const struct xc_core *core, struct xen_vcpu_regs **regsp,
    size_t *countp, struct xen_err *err);

/* The layout xc_core_vcpus decodes this dump's contexts with. */
enum xen_vcpu_layout xc_core_vcpu_layout(const struct xc_core *core);

/*
 * Decode one context of len bytes in the given layout into *r (zeroed
 * first; vr_vcpu left 0).  0, or EINVAL when len is short of the
 * layout's size.  Pure: for the reader, tests and fuzzing.
 */
int xc_core_vcpu_decode(const void *ctx, size_t len,
    enum xen_vcpu_layout layout, struct xen_vcpu_regs *r);

/* Bytes a context of each layout needs. */
#define XC_CORE_VCPU_CONTEXT_X86_64	5168u
#define XC_CORE_VCPU_CONTEXT_X86_32	2800u

/*
 * The PV p2m of .xen_p2m, in ascending pfn order: pfns[k] and mfns[k] of
 * the ci_nr_valid pages that name a frame (arrays of that many entries
 * the caller provides).  EINVAL for an HVM dump (it has none).
 */
int xc_core_p2m(const struct xc_core *core, uint64_t *pfns, uint64_t *mfns,
    struct xen_err *err);

#endif /* PORTHOLE_XC_CORE_H */
