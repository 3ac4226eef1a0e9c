/*
 * physmem_live.c -- the live physical-memory provider (see
 * seg_mf/physmem_live.h).
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <sys/mman.h>

#include "seg_mf/physmem_live.h"
#include "vm/physmem.h"
#include "vm/seg.h"
#include "xen/xen_physmem.h"

static int
live_map(struct physmem *pm, uint64_t gfn, size_t npages, void *addr,
    unsigned prot, int *err)
{
	ssize_t r;

	r = xen_physmem_map_range_at(pm->pm_data, gfn, npages, addr,
	    (prot & PROT_WRITE) ? PROT_READ | PROT_WRITE : PROT_READ, err,
	    NULL);
	return (r < 0 ? (errno != 0 ? errno : EIO) : 0);
}

/* A question Xen could not answer counts as a hole of one frame. */
static int
live_present(const struct physmem *pm, uint64_t gfn, uint64_t *runp)
{
	int r = xen_physmem_present(pm->pm_data, gfn, runp, NULL);

	if (r < 0) {
		*runp = gfn + 1;
		return (0);
	}
	return (r);
}

static void
live_describe(const struct physmem *pm, char *buf, size_t len)
{
	struct xen_physmem *xp = pm->pm_data;

	(void) snprintf(buf, len, "xen domain %" PRIu32 " (%s, %" PRIu64
	    " frames)", xen_physmem_domid(xp),
	    xen_domain_type_name(xen_physmem_type(xp)), pm->pm_nframes);
}

static void
live_destroy(struct physmem *pm)
{
	xen_physmem_close(pm->pm_data);
}

static const struct physmem_ops physmem_live_ops = {
	.name = "xen",
	.map = live_map,
	.present = live_present,
	.describe = live_describe,
	.destroy = live_destroy,
};

struct physmem *
physmem_live_open(struct xen_physmem *xp)
{
	struct physmem *pm;

	if (xp == NULL || PAGESIZE != XEN_PAGE_SIZE) {
		errno = EINVAL;
		return (NULL);
	}
	pm = physmem_create(&physmem_live_ops, xp, xen_physmem_pfn_limit(xp));
	if (pm == NULL)
		return (NULL);
	xen_physmem_hold(xp);
	return (pm);
}
