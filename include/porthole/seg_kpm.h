/*
 * porthole/seg_kpm.h -- seg_kpm: a guest's whole physical address space
 * as one linear window, so that gpa -> pointer is one addition.
 *
 * Pages are filled lazily, a kluster (default 2 MiB) at a time, from a
 * physical-memory provider.  Holes fail with a per-page error (ENXIO) or
 * read as zeros (SEGKPM_HOLES_ZERO).  With a cap, klusters not pinned by
 * F_SOFTLOCK are evicted least recently used first.  Pointers into the
 * window are only safe while the pages are pinned (as_fault F_SOFTLOCK),
 * which is what as_read/as_write do.
 */
#ifndef PORTHOLE_SEG_KPM_H
#define PORTHOLE_SEG_KPM_H

#include <stddef.h>
#include <stdint.h>

#include <porthole/as.h>
#include <porthole/physmem.h>

#ifdef __cplusplus
extern "C" {
#endif

#define	SEGKPM_HOLES_ZERO	0x1	/* holes read as zeros */

#define	SEGKPM_DEFAULT_KLUSTER	((size_t)2 << 20)

/* segkpm_create arguments.  The segment's length covers the frames. */
struct segkpm_crargs {
	struct physmem	*pm;		/* held by the segment */
	size_t		kluster;	/* bytes per fill; 0: 2 MiB */
	size_t		cap;		/* bytes mapped at most; 0: no cap */
	unsigned	prot;		/* PROT_READ, or with PROT_WRITE */
	int		flags;		/* SEGKPM_* */
};

struct segkpm_stats {
	size_t		ks_klusters;	/* in the segment */
	size_t		ks_resident;	/* mapped now */
	uint64_t	ks_fills;	/* provider map calls */
	uint64_t	ks_evictions;
};

/*
 * Create function for as_map: len must cover the provider's frames
 * (physmem_nframes pages).  Errors: EINVAL (kluster not a power-of-two
 * multiple of the page size, cap below one kluster, bad prot or flags,
 * len too short), ENOMEM.
 */
PH_EXPORT int segkpm_create(struct seg *seg, void *create_args);

/* Counters of a kpm segment; EINVAL when seg is not one. */
PH_EXPORT int segkpm_stats(struct seg *seg, struct segkpm_stats *st);

#ifdef __cplusplus
}
#endif

#endif /* PORTHOLE_SEG_KPM_H */
