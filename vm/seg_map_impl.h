/*
 * vm/seg_map_impl.h -- what the core's physical window (physwin.c) asks
 * of seg_map beyond <porthole/seg_map.h>: getmap that says whether the
 * caller will write through the pointer.
 *
 * A slot got for writing is marked written, so that a segment keeping a
 * private copy's writes (see vm/seg_map.c) saves it before recycling it;
 * reads leave it clean, so reading a copy costs no saved bytes.  The
 * public segmap_getmap assumes a write wherever the segment is writable.
 */
#ifndef PORTHOLE_VM_SEG_MAP_IMPL_H
#define PORTHOLE_VM_SEG_MAP_IMPL_H

#include <stdbool.h>
#include <stdint.h>

#include <porthole/seg_map.h>

/* As segmap_getmap; write: the caller writes through the pointer. */
void	*segmap_getmap_rw(struct seg *seg, uint64_t gpa, size_t *availp,
	    bool write);

#endif /* PORTHOLE_VM_SEG_MAP_IMPL_H */
