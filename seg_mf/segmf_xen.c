/*
 * segmf_xen.c -- seg_mf's frame source over a struct xen_physmem: the
 * live domain (see seg_mf/seg_mf.h and xen/xen_physmem.h).
 *
 * A thin adapter: the segment's batches become xen_physmem_map_at calls
 * (one privcmd batch each, at the segment's pages), its references
 * become the binding's.  Built only with the Xen libraries.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>

#include "seg_mf/seg_mf.h"
#include "xen/xen_physmem.h"

static ssize_t
segmf_xen_map(void *src, const uint64_t *gfns, size_t count, void *addr,
    unsigned prot, int *errs)
{
	return (xen_physmem_map_at(src, gfns, count, addr, (int)prot, errs,
	    NULL));
}

static uint32_t
segmf_xen_domid(void *src)
{
	return (xen_physmem_domid(src));
}

static void
segmf_xen_hold(void *src)
{
	xen_physmem_hold(src);
}

static void
segmf_xen_rele(void *src)
{
	xen_physmem_close(src);
}

static void
segmf_xen_describe(void *src, char *buf, size_t len)
{
	(void) snprintf(buf, len, "xen domain %" PRIu32 " (%s)",
	    xen_physmem_domid(src),
	    xen_domain_type_name(xen_physmem_type(src)));
}

const struct segmf_source_ops segmf_xen_source = {
	.fs_name = "xen",
	.fs_map = segmf_xen_map,
	.fs_domid = segmf_xen_domid,
	.fs_hold = segmf_xen_hold,
	.fs_rele = segmf_xen_rele,
	.fs_describe = segmf_xen_describe,
};
