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
 *
 * Layout: ai_keys[1..n] holds the bases in the order of the implicit
 * complete binary search tree whose node k has children 2k and 2k+1;
 * ai_ent[k] holds the end and the segment of node k (ai_ent[0] is empty).
 * A lookup descends without branching on the data, remembering the last
 * node whose base was at or below the address: the only segment that can
 * contain it.  Its base was read on the way down, so checking the end
 * costs one more line at most.
 */
#ifndef PORTHOLE_VM_AS_INDEX_H
#define PORTHOLE_VM_AS_INDEX_H

#include <stddef.h>
#include <stdint.h>

struct seg;
struct avl_tree;

struct as_index_entry {
	uintptr_t	ie_end;		/* segment end (exclusive) */
	struct seg	*ie_seg;
};

struct as_index {
	uint64_t		ai_gen;		/* segtree generation */
	size_t			ai_n;		/* segments */
	uintptr_t		*ai_keys;	/* [1..n]: bases, Eytzinger */
	struct as_index_entry	*ai_ent;	/* [0..n] */
	size_t			ai_keys_bytes;	/* allocation sizes */
	size_t			ai_ent_bytes;
};

/* Below this many keys the whole index is cache resident: no prefetch. */
#define	AS_INDEX_PREFETCH_MIN	4096
/* Keys per 64-byte line: prefetching 8k reaches three levels down. */
#define	AS_INDEX_LINE_KEYS	8

/* Build an index of the tree's segments for generation gen; NULL/ENOMEM. */
struct as_index	*as_index_build(struct avl_tree *segtree, uint64_t gen);
void	as_index_free(struct as_index *ai);

/*
 * The segment of slot (a position from an earlier lookup) when it contains
 * addr, else NULL.  The previous lookup touched that slot's lines, so a
 * hit costs no cache miss.
 */
static inline struct seg *
as_index_hint(const struct as_index *ai, size_t slot, uintptr_t addr)
{
	if (slot - 1 < ai->ai_n && ai->ai_keys[slot] <= addr &&
	    addr < ai->ai_ent[slot].ie_end)
		return (ai->ai_ent[slot].ie_seg);
	return (NULL);
}

/*
 * The segment containing addr (and its position, never 0, in *slotp), or
 * (tail) the first one above it (*slotp untouched), or NULL.
 */
static inline struct seg *
as_index_lookup(const struct as_index *ai, uintptr_t addr, int tail,
    size_t *slotp)
{
	const uintptr_t *keys = ai->ai_keys;
	size_t n = ai->ai_n, k = 1, cand = 0;

	if (n >= AS_INDEX_PREFETCH_MIN) {
		while (k <= n) {
			size_t right;

			/* An integer address: prefetching past the end is
			 * harmless, forming such a pointer is not. */
			__builtin_prefetch((const void *)((uintptr_t)keys +
			    AS_INDEX_LINE_KEYS * k * sizeof (uintptr_t)));
			right = keys[k] <= addr;
			cand = right ? k : cand;
			k = 2 * k + right;
		}
	} else {
		while (k <= n) {
			size_t right = keys[k] <= addr;

			cand = right ? k : cand;
			k = 2 * k + right;
		}
	}
	if (addr < ai->ai_ent[cand].ie_end) {
		*slotp = cand;
		return (ai->ai_ent[cand].ie_seg);
	}
	if (!tail)
		return (NULL);
	/* The first base above addr: undo the right turns after the last
	 * left turn (none: no such segment, k becomes 0). */
	k >>= __builtin_ffsl((long)~k);
	return (ai->ai_ent[k].ie_seg);
}

#endif /* PORTHOLE_VM_AS_INDEX_H */
