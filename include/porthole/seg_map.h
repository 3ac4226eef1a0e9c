/*
 * porthole/seg_map.h -- seg_map: a fixed set of window slots over a
 * guest's physical memory, recycled least recently used (illumos segmap).
 *
 * Where the window cannot hold a whole guest (32-bit hosts, or guests
 * larger than the window), the guest layer reads physical memory through
 * seg_map instead of seg_kpm: segmap_getmap(seg, gpa) returns a pointer
 * to gpa inside a slot holding the slot-aligned range around it, reusing
 * a slot that already holds it or evicting the least recently used slot
 * that nobody holds.  A slot is pinned until segmap_release.
 */
#ifndef PORTHOLE_SEG_MAP_H
#define PORTHOLE_SEG_MAP_H

#include <stddef.h>
#include <stdint.h>

#include <porthole/as.h>
#include <porthole/physmem.h>

#ifdef __cplusplus
extern "C" {
#endif

#define	SEGMAP_HOLES_ZERO	0x1	/* holes read as zeros */

#define	SEGMAP_DEFAULT_SLOT	((size_t)256 << 10)

/* segmap_create arguments; the segment's length is a multiple of slot. */
struct segmap_crargs {
	struct physmem	*pm;		/* held by the segment */
	size_t		slot;		/* bytes per slot; 0: 256 KiB */
	unsigned	prot;		/* PROT_READ, or with PROT_WRITE */
	int		flags;		/* SEGMAP_* */
};

struct segmap_stats {
	size_t		ms_slots;
	size_t		ms_loaded;	/* slots holding a range */
	size_t		ms_held;	/* slots pinned by getmap */
	uint64_t	ms_hits, ms_fills, ms_evictions;
};

/*
 * Create function for as_map.  Errors: EINVAL (slot not a power-of-two
 * multiple of the page size, length not a multiple of the slot, bad prot
 * or flags), ENOMEM.
 */
PH_EXPORT int segmap_create(struct seg *seg, void *create_args);

/*
 * A pointer to guest physical address gpa, valid and pinned until
 * segmap_release(seg, pointer).  *availp (may be NULL) receives the bytes
 * readable from the pointer to the end of the slot.  The caller keeps the
 * segment mapped meanwhile.  NULL with errno: EINVAL (gpa beyond the
 * guest), ENXIO (gpa's page is a hole and holes are not zeros), EIO (the
 * provider failed on that page), EBUSY (every slot is held).
 */
PH_EXPORT void *segmap_getmap(struct seg *seg, uint64_t gpa, size_t *availp);
/* Unpin the slot holding ptr (a pointer returned by segmap_getmap). */
PH_EXPORT void segmap_release(struct seg *seg, const void *ptr);

PH_EXPORT int segmap_stats(struct seg *seg, struct segmap_stats *st);

#ifdef __cplusplus
}
#endif

#endif /* PORTHOLE_SEG_MAP_H */
