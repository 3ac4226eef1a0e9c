/*
 * physmem_raw.c -- the raw-image provider: file offset = guest physical
 * address, holes given by a range list.
 *
 * Frames are mapped with hat file loads, shared and read-only, or private
 * (copy-on-write) when the segment asks for write: a raw image is never
 * written through a mapping.  Each present run is mapped populated, so a
 * kluster costs one host call and no page faults on first touch.  Frames
 * past the file's current end (a file truncated under us) fail with EIO
 * instead of raising SIGBUS later.
 *
 * Non-goals: images larger than off_t, compressed images.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vm/hat.h"
#include "vm/physmem.h"
#include "vm/seg.h"
#include "vm/vm_alloc.h"

#ifndef MAP_POPULATE
#define	MAP_POPULATE	0
#endif

struct physmem_raw {
	int		raw_fd;
	char		*raw_path;
	uint64_t	*raw_holes;	/* [2i, 2i+1): hole frames, sorted */
	size_t		raw_nholes;
};

static int
raw_range_compar(const void *a, const void *b)
{
	const uint64_t *x = a, *y = b;

	return ((x[0] > y[0]) - (x[0] < y[0]));
}

/* Index of the first hole ending after gfn (raw_nholes when none). */
static size_t
raw_hole_after(const struct physmem_raw *raw, uint64_t gfn)
{
	size_t lo = 0, hi = raw->raw_nholes;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (raw->raw_holes[2 * mid + 1] <= gfn)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (lo);
}

static int
raw_present(const struct physmem *pm, uint64_t gfn, uint64_t *runp)
{
	const struct physmem_raw *raw = pm->pm_data;
	size_t i = raw_hole_after(raw, gfn);

	if (i == raw->raw_nholes) {
		*runp = pm->pm_nframes;
		return (1);
	}
	if (raw->raw_holes[2 * i] <= gfn) {
		*runp = raw->raw_holes[2 * i + 1];
		return (0);
	}
	*runp = raw->raw_holes[2 * i];
	return (1);
}

static int
raw_map(struct physmem *pm, uint64_t gfn, size_t npages, void *addr,
    unsigned prot, int *err)
{
	struct physmem_raw *raw = pm->pm_data;
	int flags = ((prot & PROT_WRITE) ? MAP_PRIVATE : MAP_SHARED) |
	    MAP_POPULATE;
	uint64_t file_frames, g = gfn, end = gfn + npages, run;
	struct stat st;
	size_t i;

	if (fstat(raw->raw_fd, &st) != 0)
		return (errno);
	file_frames = (uint64_t)st.st_size / PAGESIZE;
	while (g < end) {
		int present = raw_present(pm, g, &run), e = 0;

		if (run > end)
			run = end;
		if (present && g >= file_frames)
			e = EIO;
		else if (present && run > file_frames)
			run = file_frames;
		if (!present)
			e = ENXIO;
		if (e == 0)
			e = hat_load_file((char *)addr + ptob(g - gfn),
			    ptob(run - g), prot, flags, raw->raw_fd,
			    (off_t)ptob(g));
		for (i = g - gfn; i < run - gfn; i++)
			err[i] = e;
		g = run;
	}
	return (0);
}

static void
raw_describe(const struct physmem *pm, char *buf, size_t len)
{
	const struct physmem_raw *raw = pm->pm_data;

	(void) snprintf(buf, len, "raw %s (%" PRIu64 " frames, %zu holes)",
	    raw->raw_path, pm->pm_nframes, raw->raw_nholes);
}

static void
raw_destroy(struct physmem *pm)
{
	struct physmem_raw *raw = pm->pm_data;

	(void) close(raw->raw_fd);
	vm_free(raw->raw_path);
	vm_free(raw->raw_holes);
	vm_free(raw);
}

static const struct physmem_ops physmem_raw_ops = {
	.name = "raw",
	.map = raw_map,
	.present = raw_present,
	.describe = raw_describe,
	.destroy = raw_destroy,
};

/* Sort the holes by start and merge overlapping or touching ones. */
static size_t
raw_holes_normalise(uint64_t *h, size_t n)
{
	size_t i, out = 0;

	qsort(h, n, 2 * sizeof (uint64_t), raw_range_compar);
	for (i = 0; i < n; i++) {
		if (out > 0 && h[2 * i] <= h[2 * (out - 1) + 1]) {
			if (h[2 * i + 1] > h[2 * (out - 1) + 1])
				h[2 * (out - 1) + 1] = h[2 * i + 1];
			continue;
		}
		h[2 * out] = h[2 * i];
		h[2 * out + 1] = h[2 * i + 1];
		out++;
	}
	return (out);
}

struct physmem *
physmem_raw_open(const char *path, const struct physmem_range *holes,
    size_t nholes)
{
	struct physmem_raw *raw = NULL;
	struct physmem *pm;
	uint64_t nframes;
	struct stat st;
	size_t i;
	int err;

	if (path == NULL || (nholes > 0 && holes == NULL)) {
		errno = EINVAL;
		return (NULL);
	}
	if ((raw = vm_zalloc(sizeof (*raw))) == NULL)
		return (NULL);
	raw->raw_fd = -1;
	raw->raw_fd = open(path, O_RDONLY | O_CLOEXEC);
	if (raw->raw_fd < 0) {
		err = errno;
		goto fail;
	}
	if (fstat(raw->raw_fd, &st) != 0) {
		err = errno;
		goto fail;
	}
	if (!S_ISREG(st.st_mode) || st.st_size <= 0) {
		err = EINVAL;	/* a raw image is a non-empty regular file */
		goto fail;
	}
	nframes = P2ROUNDUP((uint64_t)st.st_size, PAGESIZE) / PAGESIZE;
	if ((raw->raw_path = vm_strdup(path)) == NULL ||
	    (raw->raw_holes = vm_zalloc_array(2 * nholes + 1,
	    sizeof (uint64_t))) == NULL) {
		err = ENOMEM;
		goto fail;
	}
	for (i = 0; i < nholes; i++) {
		uint64_t s = holes[i].pr_start, l = holes[i].pr_len;

		if (l == 0 || !IS_P2ALIGNED(s, PAGESIZE) ||
		    !IS_P2ALIGNED(l, PAGESIZE) || s + l < s ||
		    (s + l) / PAGESIZE > nframes) {
			err = EINVAL;
			goto fail;
		}
		raw->raw_holes[2 * i] = s / PAGESIZE;
		raw->raw_holes[2 * i + 1] = (s + l) / PAGESIZE;
	}
	raw->raw_nholes = raw_holes_normalise(raw->raw_holes, nholes);
	if ((pm = physmem_create(&physmem_raw_ops, raw, nframes)) == NULL) {
		err = ENOMEM;
		goto fail;
	}
	return (pm);
fail:
	if (raw->raw_fd >= 0)
		(void) close(raw->raw_fd);
	vm_free(raw->raw_path);
	vm_free(raw->raw_holes);
	vm_free(raw);
	errno = err;
	return (NULL);
}
