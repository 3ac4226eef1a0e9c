/*
 * as_index.c -- building the Eytzinger lookup cache of a segtree
 * (as_index.h).  Large indexes ask the host for huge pages: a random
 * lookup over a million segments otherwise pays a TLB miss per level.
 */
#include "config.h"

#include <assert.h>
#include <errno.h>
#include <string.h>

#include "vm/as_index.h"
#include "vm/avl.h"
#include "vm/seg.h"
#include "vm/vm_alloc.h"

struct as_index *
as_index_build(struct avl_tree *segtree, uint64_t gen)
{
	size_t n = avl_numnodes(segtree);
	size_t stack[sizeof (size_t) * 8 + 1];
	struct as_index *ai;
	struct seg *seg;
	size_t k, sp;

	ai = vm_zalloc(sizeof (*ai));
	if (ai == NULL)
		return (NULL);
	ai->ai_gen = gen;
	ai->ai_n = n;
	ai->ai_keys_bytes = (n + 1) * sizeof (uintptr_t);
	ai->ai_ent_bytes = (n + 1) * sizeof (struct as_index_entry);
	ai->ai_keys = vm_zalloc_table(ai->ai_keys_bytes);
	ai->ai_ent = vm_zalloc_table(ai->ai_ent_bytes);
	if (ai->ai_keys == NULL || ai->ai_ent == NULL) {
		as_index_free(ai);
		errno = ENOMEM;
		return (NULL);
	}

	/* In-order walk of the implicit tree, fed by an in-order walk of
	 * the segtree: the i-th position visited gets the i-th segment.
	 * The stack holds one entry per level: at most log2(n) + 1. */
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
		ai->ai_ent[k].ie_end = (uintptr_t)seg->s_base + seg->s_size;
		ai->ai_ent[k].ie_seg = seg;
		seg = avl_next(segtree, seg);
		k = 2 * k + 1;
	}
	assert(seg == NULL);
	return (ai);
}

void
as_index_free(struct as_index *ai)
{
	if (ai == NULL)
		return;
	vm_free_table(ai->ai_keys, ai->ai_keys_bytes);
	vm_free_table(ai->ai_ent, ai->ai_ent_bytes);
	vm_free(ai);
}
