/*
 * physmem_file.c -- what the image providers share: guest frames stored
 * in a file as extents (runs of frames that are consecutive both as
 * frames and in the file), mapped straight from it (see vm/physmem.h).
 *
 * A raw image is one extent per run between its holes (file offset =
 * guest physical address); an xc-core dump is one extent per run of its
 * page section.  Frames in no extent are holes: map reports ENXIO for
 * them and present() reports runs as they are.  Each extent (or the part
 * of one a call asks for) is one hat file load, populated, shared and
 * read-only, or private (copy-on-write) when the segment asks for write:
 * an image is never written through a mapping.  An extent whose file
 * offset is not page aligned (a QEMU ELF dump puts its memory right
 * after the notes) cannot be mapped from the file: its pages are read
 * into anonymous memory instead, which then gets the segment's
 * protection (a writable copy stays writable).  Frames past the file's
 * current end (a file truncated under us) fail with EIO instead of
 * raising SIGBUS later.
 */
#include "config.h"

#include <errno.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vm/hat.h"
#include "vm/physmem.h"
#include "vm/seg.h"

#ifndef MAP_POPULATE
#define	MAP_POPULATE	0
#endif

void
physmem_file_init(struct physmem_file *pf, int fd,
    struct physmem_extent *ext, size_t next)
{
	size_t i;

	pf->pf_fd = fd;
	pf->pf_ext = ext;
	pf->pf_next = next;
	for (i = next; i-- > 0; ) {
		uint64_t end = ext[i].pe_gfn + ext[i].pe_npages;

		ext[i].pe_block_end = i + 1 < next &&
		    ext[i + 1].pe_gfn == end ? ext[i + 1].pe_block_end : end;
	}
}

/* The first extent ending after gfn (pf_next when none). */
static size_t
physmem_file_after(const struct physmem_file *pf, uint64_t gfn)
{
	size_t lo = 0, hi = pf->pf_next;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct physmem_extent *e = &pf->pf_ext[mid];

		if (e->pe_gfn + e->pe_npages <= gfn)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (lo);
}

int
physmem_file_present(const struct physmem *pm, uint64_t gfn, uint64_t *runp)
{
	const struct physmem_file *pf = pm->pm_data;
	size_t i = physmem_file_after(pf, gfn);

	if (i == pf->pf_next) {
		*runp = pm->pm_nframes;
		return (0);
	}
	if (pf->pf_ext[i].pe_gfn <= gfn) {
		*runp = pf->pf_ext[i].pe_block_end;
		return (1);
	}
	*runp = pf->pf_ext[i].pe_gfn;
	return (0);
}

/*
 * Read len bytes at file offset off into anonymous memory loaded at
 * addr, then give it prot.  0, or an errno with addr reserved again.
 */
static int
physmem_file_copy(int fd, void *addr, size_t len, unsigned prot, off_t off)
{
	char *p = addr;
	size_t done = 0;
	ssize_t n;
	int e;

	if ((e = hat_load_anon(addr, len, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE)) != 0)
		return (e);
	while (done < len) {
		n = pread(fd, p + done, len - done, off + (off_t)done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			hat_unload_nofail(addr, len);
			return (EIO);
		}
		done += (size_t)n;
	}
	if ((prot & PROT_WRITE) == 0 && (e = hat_chgprot(addr, len,
	    prot)) != 0) {
		hat_unload_nofail(addr, len);
		return (e);
	}
	return (0);
}

int
physmem_file_map(struct physmem *pm, uint64_t gfn, size_t npages, void *addr,
    unsigned prot, int *err)
{
	const struct physmem_file *pf = pm->pm_data;
	int flags = ((prot & PROT_WRITE) ? MAP_PRIVATE : MAP_SHARED) |
	    MAP_POPULATE;
	uint64_t g = gfn, end = gfn + npages, run, off, infile;
	struct stat st;
	size_t i, k;
	int e;

	if (fstat(pf->pf_fd, &st) != 0)
		return (errno);
	k = physmem_file_after(pf, g);
	while (g < end) {
		const struct physmem_extent *ex = k < pf->pf_next ?
		    &pf->pf_ext[k] : NULL;

		if (ex == NULL || ex->pe_gfn > g) {
			/* A hole up to the next extent. */
			run = ex == NULL || ex->pe_gfn > end ? end : ex->pe_gfn;
			e = ENXIO;
		} else {
			run = ex->pe_gfn + ex->pe_npages;
			if (run > end)
				run = end;
			off = ex->pe_off + (g - ex->pe_gfn) * PAGESIZE;
			infile = (uint64_t)st.st_size > off ?
			    ((uint64_t)st.st_size - off) / PAGESIZE : 0;
			e = 0;
			if (infile == 0)
				e = EIO;
			else if (run - g > infile)
				run = g + infile;
			if (e == 0 && IS_P2ALIGNED(off, PAGESIZE))
				e = hat_load_file((char *)addr + ptob(g - gfn),
				    ptob(run - g), prot, flags, pf->pf_fd,
				    (off_t)off);
			else if (e == 0)
				e = physmem_file_copy(pf->pf_fd,
				    (char *)addr + ptob(g - gfn),
				    ptob(run - g), prot, (off_t)off);
			if (run == ex->pe_gfn + ex->pe_npages)
				k++;
		}
		for (i = (size_t)(g - gfn); i < (size_t)(run - gfn); i++)
			err[i] = e;
		g = run;
	}
	return (0);
}
