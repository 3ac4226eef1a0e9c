/*
 * xc_core_dump.h - dump a live Xen domain's memory to an xc-core file, as
 * `xl dump-core` does, through porthole's own batched read path.
 *
 * What goes in, following xl (Xen's xc_domain_dumpcore):
 *	vCPUs		the raw context (XEN_DOMCTL_getvcpucontext) of every
 *			vCPU whose context can be read, in vCPU order
 *	shared info	the page Xen names as the domain's shared info frame;
 *			required for PV, left out for PVH/HVM when it cannot
 *			be mapped
 *	pages		PV: every pfn of the guest's p2m with a valid machine
 *			frame (<= the host's highest RAM frame), in pfn order,
 *			with its mfn (.xen_p2m).  PVH/HVM: every gfn below the
 *			highest one except the VGA hole (0xa0-0xbf) and the
 *			MMIO hole below 4 GiB (.xen_pfn); gfns with nothing
 *			behind them are left out, as xl leaves out frames it
 *			cannot map.  At most tot_pages pages, like xl.
 *	XEN_VERSION	the hypervisor's version strings, laid out as xl lays
 *			them out (pagesize moved for 32-bit PV guests)
 * Unlike xl, a dump never holds padding pages: when the domain has fewer
 * pages than tot_pages the file is simply shorter.
 *
 * Pages are read XEN_PHYSMEM_BATCH at a time through xen_physmem (one
 * privcmd call per batch, where xl maps one frame at a time).  Pause the
 * domain (xen_domain_pause) for a consistent dump: a running domain's
 * memory changes while it is read.
 *
 * Errors: -1 with errno and a struct xen_err sentence naming the domain.
 * Non-goals: dumping dom0, compression, the live-migration stream format.
 * This header includes no Xen header.
 */
#ifndef PORTHOLE_XC_CORE_DUMP_H
#define PORTHOLE_XC_CORE_DUMP_H

#include <stdbool.h>
#include <stdint.h>

#include "xen/xc_core_write.h"
#include "xen/xen_domain.h"
#include "xen/xen_err.h"

/* Optional progress report (see xc_core_progress_fn). */
struct xc_core_dump_opts {
	xc_core_progress_fn	*do_progress;
	void			*do_progress_arg;
};

/*
 * What a dump found and wrote.
 *
 * ds_hvm		PVH/HVM layout (.xen_pfn)
 * ds_guest_width	bytes per guest word (8, or 4 for 32-bit PV)
 * ds_tot_pages		the domain's page count (the cap)
 * ds_candidates	frames considered (the page list given to the writer)
 * ds_nr_vcpus		vCPU contexts written
 * ds_shared_info	whether .xen_shared_info was written, from frame
 *			ds_shared_info_frame (an mfn for PV, a gfn otherwise:
 *			then that guest page holds it too)
 * ds_write		the writer's counts (ws_missing: frames left out)
 */
struct xc_core_dump_stats {
	bool				ds_hvm;
	unsigned int			ds_guest_width;
	uint64_t			ds_tot_pages;
	uint64_t			ds_candidates;
	uint64_t			ds_nr_vcpus;
	bool				ds_shared_info;
	uint64_t			ds_shared_info_frame;
	struct xc_core_write_stats	ds_write;
};

/*
 * Dump domain domid to fd (a regular file; see xc_core_write()).  name is
 * used in error sentences; opts and stats may be NULL.  Refuses dom0
 * (EINVAL); ENOENT when the domain does not exist, EACCES without
 * privcmd access, ENOMEM, or the errno of a failed read or write.
 */
int xc_core_dump(struct xen_handle *xh, uint32_t domid, int fd,
    const char *name, const struct xc_core_dump_opts *opts,
    struct xc_core_dump_stats *stats, struct xen_err *err);

/* The same into path, atomically (xc_core_file_atomic, flags there). */
int xc_core_dump_file(struct xen_handle *xh, uint32_t domid,
    const char *path, unsigned int flags,
    const struct xc_core_dump_opts *opts, struct xc_core_dump_stats *stats,
    struct xen_err *err);

#endif /* PORTHOLE_XC_CORE_DUMP_H */
