/*
 * physmem_raw.c -- the raw-image provider: file offset = guest physical
 * address, holes given by a range list.
 *
 * The file-extent core (vm/physmem_file.c) maps and answers present():
 * the image is one extent per run of frames between its holes.
 *
 * Non-goals: images larger than off_t, compressed images.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vm/physmem.h"
#include "vm/seg.h"
#include "vm/vm_alloc.h"

struct physmem_raw {
	struct physmem_file raw_file;	/* first: the file-extent core's */
	char		*raw_path;
	size_t		raw_nholes;	/* after merging */
};

static int
raw_range_compar(const void *a, const void *b)
{
	const uint64_t *x = a, *y = b;

	return ((x[0] > y[0]) - (x[0] < y[0]));
}

static void
raw_describe(const struct physmem *pm, char *buf, size_t len)
{
	const struct physmem_raw *raw = pm->pm_data;

	(void) snprintf(buf, len, "raw %s (%" PRIu64 " frames, %zu holes)",
	    raw->raw_path, pm->pm_nframes, raw->raw_nholes);
}

static void
raw_free(struct physmem_raw *raw)
{
	if (raw->raw_file.pf_fd >= 0)
		(void) close(raw->raw_file.pf_fd);
	vm_free(raw->raw_file.pf_ext);
	vm_free(raw->raw_path);
	vm_free(raw);
}

static void
raw_destroy(struct physmem *pm)
{
	raw_free(pm->pm_data);
}

static const struct physmem_ops physmem_raw_ops = {
	.name = "raw",
	.map = physmem_file_map,
	.present = physmem_file_present,
	.describe = raw_describe,
	.destroy = raw_destroy,
	.private_writes = true,
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

/*
 * The extents of an image of nframes frames around the n holes h (frame
 * ranges [h[2i], h[2i + 1]), sorted and merged) into ext; how many.
 */
static size_t
raw_extents(const uint64_t *h, size_t n, uint64_t nframes,
    struct physmem_extent *ext)
{
	uint64_t g = 0, end;
	size_t i, next = 0;

	for (i = 0; i <= n; i++) {
		end = i < n ? h[2 * i] : nframes;
		if (end > g) {
			ext[next].pe_gfn = g;
			ext[next].pe_npages = end - g;
			ext[next].pe_off = g * PAGESIZE;
			next++;
		}
		if (i < n)
			g = h[2 * i + 1];
	}
	return (next);
}

struct physmem *
physmem_raw_open(const char *path, const struct physmem_range *holes,
    size_t nholes)
{
	struct physmem_raw *raw;
	struct physmem_extent *ext;
	struct physmem *pm;
	uint64_t nframes, *h = NULL;
	struct stat st;
	size_t i;
	int fd, err;

	if (path == NULL || (nholes > 0 && holes == NULL)) {
		errno = EINVAL;
		return (NULL);
	}
	if ((raw = vm_zalloc(sizeof (*raw))) == NULL)
		return (NULL);
	raw->raw_file.pf_fd = fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) != 0) {
		err = errno;
		goto fail;
	}
	if (!S_ISREG(st.st_mode) || st.st_size <= 0) {
		err = EINVAL;	/* a raw image is a non-empty regular file */
		goto fail;
	}
	nframes = P2ROUNDUP((uint64_t)st.st_size, PAGESIZE) / PAGESIZE;
	if ((raw->raw_path = vm_strdup(path)) == NULL ||
	    (h = vm_zalloc_array(2 * nholes + 1, sizeof (uint64_t))) == NULL ||
	    (ext = vm_zalloc_array(nholes + 1, sizeof (*ext))) == NULL) {
		err = ENOMEM;
		goto fail;
	}
	raw->raw_file.pf_ext = ext;
	for (i = 0; i < nholes; i++) {
		uint64_t s = holes[i].pr_start, l = holes[i].pr_len;

		if (l == 0 || !IS_P2ALIGNED(s, PAGESIZE) ||
		    !IS_P2ALIGNED(l, PAGESIZE) || s + l < s ||
		    (s + l) / PAGESIZE > nframes) {
			err = EINVAL;
			goto fail;
		}
		h[2 * i] = s / PAGESIZE;
		h[2 * i + 1] = (s + l) / PAGESIZE;
	}
	raw->raw_nholes = raw_holes_normalise(h, nholes);
	physmem_file_init(&raw->raw_file, fd, ext,
	    raw_extents(h, raw->raw_nholes, nframes, ext));
	vm_free(h);
	h = NULL;
	if ((pm = physmem_create(&physmem_raw_ops, raw, nframes)) == NULL) {
		err = ENOMEM;
		goto fail;
	}
	return (pm);
fail:
	vm_free(h);
	raw_free(raw);
	errno = err;
	return (NULL);
}
