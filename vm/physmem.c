/*
 * physmem.c -- what every physical-memory provider shares: references,
 * the public accessors, the checks around the map op, and the fill step
 * of the segments that map providers.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <sys/mman.h>

#include "vm/hat.h"
#include "vm/physmem.h"
#include "vm/seg.h"
#include "vm/vm_alloc.h"

struct physmem *
physmem_create(const struct physmem_ops *ops, void *data, uint64_t nframes)
{
	struct physmem *pm = vm_zalloc(sizeof (*pm));

	if (pm == NULL)
		return (NULL);
	pm->pm_ops = ops;
	pm->pm_data = data;
	pm->pm_nframes = nframes;
	atomic_init(&pm->pm_refs, 1);
	return (pm);
}

void
physmem_hold(struct physmem *pm)
{
	(void) atomic_fetch_add(&pm->pm_refs, 1);
}

void
physmem_rele(struct physmem *pm)
{
	int saved_errno = errno;

	if (pm == NULL)
		return;
	if (atomic_fetch_sub(&pm->pm_refs, 1) == 1) {
		pm->pm_ops->destroy(pm);
		vm_free(pm);
	}
	errno = saved_errno;
}

uint64_t
physmem_nframes(const struct physmem *pm)
{
	return (pm->pm_nframes);
}

const char *
physmem_name(const struct physmem *pm)
{
	return (pm->pm_ops->name);
}

void
physmem_describe(const struct physmem *pm, char *buf, size_t len)
{
	if (len == 0)
		return;
	if (pm->pm_ops->describe != NULL)
		pm->pm_ops->describe(pm, buf, len);
	else
		(void) snprintf(buf, len, "%s", pm->pm_ops->name);
}

int
physmem_present(const struct physmem *pm, uint64_t gfn, uint64_t *runp)
{
	uint64_t run;
	int present;

	if (gfn >= pm->pm_nframes) {
		if (runp != NULL)
			*runp = UINT64_MAX;
		return (0);
	}
	present = pm->pm_ops->present(pm, gfn, &run);
	if (run > pm->pm_nframes)
		run = pm->pm_nframes;
	if (runp != NULL)
		*runp = run;
	return (present);
}

int
physmem_map(struct physmem *pm, uint64_t gfn, size_t npages, void *addr,
    unsigned prot, int *err)
{
	size_t i;

	for (i = 0; i < npages; i++)
		err[i] = 0;
	if (gfn >= pm->pm_nframes || npages > pm->pm_nframes - gfn) {
		/* Frames past the end are holes, reported per frame. */
		size_t inside = gfn >= pm->pm_nframes ? 0 :
		    (size_t)(pm->pm_nframes - gfn);

		for (i = inside; i < npages; i++)
			err[i] = ENXIO;
		npages = inside;
		if (npages == 0)
			return (0);
	}
	return (pm->pm_ops->map(pm, gfn, npages, addr, prot, err));
}

void
physmem_unmap(struct physmem *pm, void *addr, size_t npages)
{
	if (pm->pm_ops->unmap != NULL)
		pm->pm_ops->unmap(pm, addr, npages);
	else
		hat_unload_nofail(addr, ptob(npages));
}

int
physmem_fill(struct physmem *pm, uint64_t gfn, size_t npages, void *addr,
    unsigned prot, bool holes_zero, int *err, unsigned char *bad)
{
	size_t i;
	int rv;

	if ((rv = physmem_map(pm, gfn, npages, addr, prot, err)) != 0)
		return (rv);
	for (i = 0; i < npages; i++) {
		int e = err[i];

		if (e == ENXIO && holes_zero && hat_load_zero((char *)addr +
		    ptob(i), PAGESIZE, PROT_READ) == 0)
			e = 0;
		bad[i] = (unsigned char)(e > 255 ? EIO : e);
	}
	return (0);
}
