/*
 * vm/as.h -- the address space's layout (private to the portable core).
 * The public calls are in <porthole/as.h>.
 *
 * An address space owns one window [a_base, a_base + a_size) of the host
 * process's virtual memory, reserved at as_alloc.  Invariants (as_verify):
 *	- every page of the window is reserved (PROT_NONE) or belongs to
 *	  exactly one segment; segments never overlap;
 *	- a_segtree holds every segment, ordered by s_base;
 *	- a_seglast is NULL or a segment of a_segtree;
 *	- a_index is NULL or lists exactly the segments of a_segtree in
 *	  order, built at generation a_gen (a cache; the tree rules).
 *
 * Lock table (lock order: a_lock, then a_index_lock, then a seg's s_lock):
 *
 *	field			guarded by
 *	a_segtree		a_lock (writer to change, reader to read)
 *	a_gen			a_lock (writer to change)
 *	a_seglast, a_hint_slot	atomic; any holder of a_lock may store them
 *				(a slot is checked against the index it is
 *				used with, so a stale one is only a miss)
 *	a_index			built and published under a_index_lock by a
 *				reader; loaded atomically by readers; freed
 *				only under a_lock as writer, when no reader
 *				can still hold it
 *	a_stale_lookups		atomic
 *	a_base, a_size		constant after as_alloc
 *	seg->s_data		seg->s_lock (see vm/seg.h)
 *
 * Writers (map, unmap, setprot, free) hold a_lock as writer; faults,
 * copies, lookups, incore, ctl and walks hold it as reader.
 */
#ifndef PORTHOLE_VM_AS_IMPL_H
#define PORTHOLE_VM_AS_IMPL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include <porthole/as.h>
#include "vm/avl.h"
#include "vm/as_index.h"
#include "vm/seg.h"

/* Default window: large on 64-bit hosts (reservations cost nothing), a
 * quarter of the address space's usual free room on 32-bit hosts. */
#if UINTPTR_MAX > 0xffffffffu
#define	AS_DEFAULT_WINDOW	((size_t)1 << 40)	/* 1 TiB */
#else
#define	AS_DEFAULT_WINDOW	((size_t)256 << 20)	/* 256 MiB */
#endif

struct as {
	pthread_rwlock_t	a_lock;
	avl_tree_t		a_segtree;	/* struct seg, by s_base */
	uint64_t		a_gen;		/* bumped by each tree change */
	struct seg *_Atomic	a_seglast;	/* last hit, tree mode */
	atomic_size_t		a_hint_slot;	/* last hit, index mode */
	struct as_index *_Atomic a_index;	/* lookup cache, may be stale */
	pthread_mutex_t		a_index_lock;
	atomic_size_t		a_stale_lookups; /* misses since a_gen moved */
	caddr_t			a_base;		/* window */
	size_t			a_size;
};

/* Note a change of the segtree (caller holds a_lock as writer). */
void	as_segtree_changed(struct as *as);

/* Debug builds: verify the segtree, abort with the reason when corrupt. */
void	as_verify_or_abort(struct as *as);

#endif /* PORTHOLE_VM_AS_IMPL_H */
