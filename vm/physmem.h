/*
 * vm/physmem.h -- the provider ops table behind <porthole/physmem.h>,
 * the fill step seg_kpm and seg_map share, and the file-extent core the
 * image providers share.
 *
 * A provider supplies these ops; unmap and describe may be NULL.  All
 * return 0 or a positive errno (never -1/errno).
 *
 *	map	Place frames [gfn, gfn + npages) at addr, which lies inside an
 *		address space's window and is currently reserved.  err[i] is
 *		0 or the frame's errno (ENXIO: a hole; EIO, ...).  A frame
 *		that failed leaves its page reserved.  The call returns an
 *		errno (with nothing mapped) only when it could map nothing
 *		at all for a reason other than per-frame errors.
 *	unmap	Put the reservation back over [addr, addr + npages pages).
 *		Must not fail (teardown and eviction paths rely on it).
 *		NULL: hat_unload_nofail, which is all a provider whose
 *		mappings are plain host mappings needs.
 *	present	See physmem_present().
 *	describe One line (no newline).  NULL: the name.
 *	destroy	Release the provider's private state.
 *
 * private_writes is true for a provider whose writable mappings are
 * private copies (the image providers: the file never changes): what is
 * written lives only in the mapping and is gone once it is unmapped, so
 * a segment that evicts written pages must keep their contents itself
 * (seg_map does).  False where writes reach the source (a live domain).
 */
#ifndef PORTHOLE_VM_PHYSMEM_H
#define PORTHOLE_VM_PHYSMEM_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <porthole/physmem.h>

struct physmem_ops {
	const char	*name;
	int		(*map)(struct physmem *pm, uint64_t gfn, size_t npages,
			    void *addr, unsigned prot, int *err);
	void		(*unmap)(struct physmem *pm, void *addr,
			    size_t npages);
	int		(*present)(const struct physmem *pm, uint64_t gfn,
			    uint64_t *runp);
	void		(*describe)(const struct physmem *pm, char *buf,
			    size_t len);
	void		(*destroy)(struct physmem *pm);
	bool		private_writes;
};

struct physmem {
	const struct physmem_ops *pm_ops;
	void		*pm_data;	/* provider private */
	uint64_t	pm_nframes;
	atomic_uint	pm_refs;
};

/* A new provider with one reference; NULL/ENOMEM. */
struct physmem	*physmem_create(const struct physmem_ops *ops, void *data,
		    uint64_t nframes);

/*
 * Map frames through the provider: err[i] starts at 0, and frames past
 * the end are holes (ENXIO) the provider is not asked about.  Returns 0
 * or an errno as the map op does.
 */
int	physmem_map(struct physmem *pm, uint64_t gfn, size_t npages,
	    void *addr, unsigned prot, int *err);
void	physmem_unmap(struct physmem *pm, void *addr, size_t npages);

/*
 * What seg_kpm and seg_map do to fill a kluster or a slot: physmem_map of
 * [gfn, gfn + npages) at addr (err: npages ints of scratch), then, with
 * holes_zero, a read-only zero page over each hole (ENXIO).  bad[i] gets
 * 0 for a page that can be read (its frame or a zero page) or the errno
 * of one that cannot (EIO for an errno beyond a byte).  Returns 0, or an
 * errno as physmem_map does (bad untouched).
 */
int	physmem_fill(struct physmem *pm, uint64_t gfn, size_t npages,
	    void *addr, unsigned prot, bool holes_zero, int *err,
	    unsigned char *bad);

/*
 * The file-extent core (physmem_file.c): guest frames stored in a file,
 * extent by extent.  A provider over one puts a struct physmem_file
 * first in its private data (pm_data) and uses physmem_file_map and
 * physmem_file_present as its map and present ops; frames in no extent
 * are holes.
 *
 * pe_off	the file offset of frame pe_gfn (page aligned, or the
 *		extent's pages are read into anonymous memory rather than
 *		mapped from the file)
 * pe_block_end	the end of the run of frames in extents this one starts
 *		or continues (extents may touch as frames while lying apart
 *		in the file); physmem_file_init computes it
 */
struct physmem_extent {
	uint64_t	pe_gfn;
	uint64_t	pe_npages;
	uint64_t	pe_off;
	uint64_t	pe_block_end;
};

struct physmem_file {
	int			pf_fd;		/* the provider's to close */
	struct physmem_extent	*pf_ext;	/* the provider's to free */
	size_t			pf_next;
};

/*
 * Bind pf to fd and the next extents at ext: sorted by frame, disjoint,
 * none empty.
 */
void	physmem_file_init(struct physmem_file *pf, int fd,
	    struct physmem_extent *ext, size_t next);
int	physmem_file_map(struct physmem *pm, uint64_t gfn, size_t npages,
	    void *addr, unsigned prot, int *err);
int	physmem_file_present(const struct physmem *pm, uint64_t gfn,
	    uint64_t *runp);

#endif /* PORTHOLE_VM_PHYSMEM_H */
