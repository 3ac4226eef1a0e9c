/*
 * as_index.h -- a read-mostly lookup cache over an address space's
 * segtree: the segment bases in Eytzinger (breadth-first) order, so that
 * a lookup touches few cache lines and can prefetch the levels below.
 *
 * The segtree stays the authority.  An index is built from it for one
 * generation of the tree and dropped by the next change; after a change,
 * lookups go to the tree until enough of them have been made to pay for a
 * rebuild (a rebuild walks every node, so it is amortised over about n/16
 * lookups).  An index is immutable once built.
 */
#ifndef PORTHOLE_VM_AS_INDEX_H
#define PORTHOLE_VM_AS_INDEX_H

#include <stddef.h>
#include <stdint.h>

struct seg;
struct avl_tree;

/* What a lookup needs once it has found its position. */
struct as_index_entry {
	uintptr_t	ie_base;	/* segment start */
	uintptr_t	ie_end;		/* segment end (exclusive) */
	struct seg	*ie_seg;
};

struct as_index {
	uint64_t		ai_gen;		/* segtree generation */
	size_t			ai_n;		/* segments */
	/* ai_keys[1..n]: bases in Eytzinger order; ai_keys[0] unused. */
	uintptr_t		*ai_keys;
	/* ai_pred[k]: the segment just below key k (k = 0: the last one). */
	struct as_index_entry	*ai_pred;
	/* ai_self[k]: the segment whose base is key k (k = 0: NULL). */
	struct seg		**ai_self;
};

/* Build an index of the tree's segments for generation gen; NULL/ENOMEM. */
struct as_index	*as_index_build(struct avl_tree *segtree, uint64_t gen);
void	as_index_free(struct as_index *ai);

/*
 * The segment containing addr, or (tail) the first one above it, or NULL.
 */
struct seg	*as_index_lookup(const struct as_index *ai, uintptr_t addr,
		    int tail);

#endif /* PORTHOLE_VM_AS_INDEX_H */
