/*
 * as_index.c -- the Eytzinger lookup cache of a segtree (as_index.h).
 *
 * Layout: ai_keys[1..n] holds the segment bases in breadth-first order of
 * the implicit complete binary search tree (children of k are 2k and
 * 2k+1).  A search descends without branches on data and prefetches the
 * cache line holding the keys three levels below.  The search ends on k,
 * the position of the first key above addr (0 when none is): ai_pred[k]
 * then describes the segment just below that key -- the only one that can
 * contain addr -- and ai_self[k] the segment whose key it is.
 */
#include "config.h"

#include <assert.h>
#include <errno.h>
#include <string.h>

#include "vm/as_index.h"
#include "vm/avl.h"
#include "vm/seg.h"
#include "vm/vm_alloc.h"

/* Keys per cache line: the prefetch distance is log2 of it. */
#define	AS_INDEX_LINE_KEYS	(64 / sizeof (uintptr_t))

struct as_index *
as_index_build(struct avl_tree *segtree, uint64_t gen)
{
	size_t n = avl_numnodes(segtree);
	size_t stack[sizeof (size_t) * 8 + 1];
	struct as_index_entry prev = { 0, 0, NULL };
	struct as_index *ai;
	struct seg *seg;
	size_t k, sp;

	ai = vm_zalloc(sizeof (*ai));
	if (ai == NULL)
		return (NULL);
	ai->ai_gen = gen;
	ai->ai_n = n;
	ai->ai_keys = vm_zalloc_aligned(64, (n + 1) * sizeof (uintptr_t));
	ai->ai_pred = vm_zalloc_array(n + 1, sizeof (struct as_index_entry));
	ai->ai_self = vm_zalloc_array(n + 1, sizeof (struct seg *));
	if (ai->ai_keys == NULL || ai->ai_pred == NULL ||
	    ai->ai_self == NULL) {
		as_index_free(ai);
		errno = ENOMEM;
		return (NULL);
	}

	/* In-order walk of the implicit tree, fed by an in-order walk of
	 * the segtree: the k-th position visited gets the next segment. */
	seg = avl_first(segtree);
	k = 1;
	sp = 0;
	while (sp > 0 || k <= n) {
		if (k <= n) {
			assert(sp < sizeof (stack) / sizeof (stack[0]));
			stack[sp++] = k;
			k = 2 * k;
			continue;
		}
		k = stack[--sp];
		assert(seg != NULL);
		ai->ai_keys[k] = (uintptr_t)seg->s_base;
		ai->ai_pred[k] = prev;
		ai->ai_self[k] = seg;
		prev.ie_base = (uintptr_t)seg->s_base;
		prev.ie_end = (uintptr_t)seg->s_base + seg->s_size;
		prev.ie_seg = seg;
		seg = avl_next(segtree, seg);
		k = 2 * k + 1;
	}
	assert(seg == NULL);
	/* Position 0: no key is above addr, so the last segment may hold it. */
	ai->ai_pred[0] = prev;
	ai->ai_self[0] = NULL;
	return (ai);
}

void
as_index_free(struct as_index *ai)
{
	if (ai == NULL)
		return;
	vm_free(ai->ai_keys);
	vm_free(ai->ai_pred);
	vm_free(ai->ai_self);
	vm_free(ai);
}

struct seg *
as_index_lookup(const struct as_index *ai, uintptr_t addr, int tail)
{
	const uintptr_t *keys = ai->ai_keys;
	size_t n = ai->ai_n;
	const struct as_index_entry *pred;
	size_t k = 1;

	while (k <= n) {
		/* An address computed as an integer: prefetching past the
		 * end is harmless, forming such a pointer is not. */
		__builtin_prefetch((const void *)((uintptr_t)keys +
		    AS_INDEX_LINE_KEYS * k * sizeof (uintptr_t)));
		k = 2 * k + (keys[k] <= addr);
	}
	/* Undo the right turns taken after the last left turn. */
	k >>= __builtin_ffsl((long)~k);

	pred = &ai->ai_pred[k];
	if (pred->ie_seg != NULL && addr < pred->ie_end)
		return (pred->ie_seg);
	return (tail ? ai->ai_self[k] : NULL);
}
