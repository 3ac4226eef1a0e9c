/*
 * segmf_xen_grant.c -- seg_mf's grant source over xen/xen_grant.h: the
 * grant references a live domain offers dom0, mapped through gntdev at
 * a segment's pages (see seg_mf/seg_mf.h).
 *
 * A thin adapter: a segment's handle is a struct xen_grant bound to its
 * domain, its batches become xen_grant_map_at calls at the segment's
 * pages, and unmapping is xen_grant_unmap_at, which puts the PROT_NONE
 * reservation back (never a hole).  The per-reference sentences are
 * xen_grant_explain's.  Built only with the Xen libraries.
 */
#include "config.h"

#include "seg_mf/seg_mf.h"
#include "xen/xen_grant.h"

static void *
segmf_xen_grant_open(uint32_t domid, struct xen_err *err)
{
	return (xen_grant_open(domid, err));
}

static ssize_t
segmf_xen_grant_map(void *gh, const uint32_t *refs, size_t count,
    void *addr, unsigned prot, int *errs)
{
	return (xen_grant_map_at(gh, refs, count, addr, (int)prot, errs,
	    NULL));
}

static int
segmf_xen_grant_unmap(void *gh, void *addr, size_t count)
{
	return (xen_grant_unmap_at(gh, addr, count, NULL));
}

static void
segmf_xen_grant_explain(void *gh, uint32_t ref, int errnum,
    struct xen_err *err)
{
	xen_grant_explain(gh, ref, errnum, err);
}

static void
segmf_xen_grant_close(void *gh)
{
	xen_grant_close(gh);
}

const struct segmf_grant_ops segmf_xen_grants = {
	.gs_name = "gntdev",
	.gs_open = segmf_xen_grant_open,
	.gs_map = segmf_xen_grant_map,
	.gs_unmap = segmf_xen_grant_unmap,
	.gs_explain = segmf_xen_grant_explain,
	.gs_close = segmf_xen_grant_close,
};
