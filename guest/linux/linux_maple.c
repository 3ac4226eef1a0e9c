/*
 * linux_maple.c -- a bounded walk of a Linux maple tree in guest memory
 * (lk_maple_walk, see linux_views.h): the tree of an mm's VMAs on 6.1+,
 * used by the VMA view and by the layout inference.
 *
 * The format and the checks are described in linux_vmas.c's header:
 * 256-byte nodes whose enode pointers carry the node type, pivots then
 * slots (counts by word size), parent fields checked at every node,
 * pivots ordered and within range, no node its own ancestor, depth at
 * most MAPLE_HEIGHT_MAX; the iterative walk keeps a stack of at most
 * that many nodes, each read once.  Entries 0 and the tree's reserved
 * values are skipped; others must be aligned (EIO).
 *
 * Non-goals: dense nodes (ENOTSUP: an mm never has them), writing.
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "guest/linux/linux_impl.h"
#include "guest/linux/linux_views.h"

/* include/linux/maple_tree.h */
#define	MAPLE_NODE_SIZE		256u
#define	MAPLE_NODE_MASK		((uint64_t)MAPLE_NODE_SIZE - 1)
#define	MAPLE_HEIGHT_MAX	31u
#define	MAPLE_NODE_TYPE_SHIFT	3
#define	MAPLE_NODE_TYPE_MASK	0x0fu
#define	MAPLE_ROOT_PARENT	0x1u
#define	MAPLE_RESERVED_RANGE	4096u

enum maple_type {
	MAPLE_DENSE = 0,
	MAPLE_LEAF_64,
	MAPLE_RANGE_64,
	MAPLE_ARANGE_64
};

/* A node type's layout: where its pivots and slots are, how many. */
struct mt_layout {
	unsigned	ml_pivots;
	unsigned	ml_slots;
	size_t		ml_pivot_off;
	size_t		ml_slot_off;
};

/* A node on the walk's stack. */
struct mt_frame {
	uint64_t	mf_node;	/* decoded: the node's address */
	enum maple_type	mf_type;
	uint64_t	mf_max;		/* the node's range ends here */
	uint64_t	mf_first;	/* the next slot's range starts here */
	unsigned	mf_slot;	/* the next slot */
	bool		mf_done;
	unsigned char	mf_raw[MAPLE_NODE_SIZE];
};

static uint64_t
mt_word(const struct linux_kernel *lk, const unsigned char *p)
{
	uint64_t v = 0;
	unsigned n = lk->lk_ptr_size;

	while (n-- > 0)
		v = v << 8 | p[n];
	return (v);
}

/*
 * The layout of a node type for this kernel's pointer size; where the
 * profile knows the members, it must agree (ENOTSUP otherwise).
 */
static int
mt_layout_of(struct linux_kernel *lk, enum maple_type type,
    struct mt_layout *ml)
{
	const char *name;
	unsigned ptr = lk->lk_ptr_size;
	uint64_t off, size;

	if (type == MAPLE_ARANGE_64) {
		name = "maple_arange_64";
		ml->ml_slots = ptr == 8 ? 10 : 21;
	} else {
		name = "maple_range_64";
		ml->ml_slots = MAPLE_NODE_SIZE / ptr / 2;
	}
	ml->ml_pivots = ml->ml_slots - 1;
	ml->ml_pivot_off = ptr;
	ml->ml_slot_off = ptr + (size_t)ml->ml_pivots * ptr;
	if (lprof_member(lk->lk_prof, name, "pivot", &off, &size) == 0 &&
	    (off != ml->ml_pivot_off || (size != 0 &&
	    size != (uint64_t)ml->ml_pivots * ptr)))
		return (ENOTSUP);
	if (lprof_member(lk->lk_prof, name, "slot", &off, &size) == 0 &&
	    (off != ml->ml_slot_off || (size != 0 &&
	    size != (uint64_t)ml->ml_slots * ptr)))
		return (ENOTSUP);
	return (0);
}

/*
 * Read the node an enode points at into a new frame; parent is the
 * node whose slot held it (0 for the root, whose parent field points at
 * the tree instead).
 */
static int
mt_push(struct linux_kernel *lk, struct mt_frame *stack, unsigned *depthp,
    uint64_t enode, uint64_t parent, uint64_t min, uint64_t max)
{
	struct mt_frame *f;
	uint64_t node = enode & ~MAPLE_NODE_MASK, back;
	unsigned type = (unsigned)(enode >> MAPLE_NODE_TYPE_SHIFT) &
	    MAPLE_NODE_TYPE_MASK;
	unsigned i;
	int err;

	if (*depthp >= MAPLE_HEIGHT_MAX)
		return (ELOOP);
	if (node == 0)
		return (EIO);
	if (type == MAPLE_DENSE)
		return (ENOTSUP);
	if (type > MAPLE_ARANGE_64)
		return (EIO);
	for (i = 0; i < *depthp; i++) {
		if (stack[i].mf_node == node)
			return (ELOOP);
	}
	f = &stack[*depthp];
	if ((err = lk_read(lk, node, f->mf_raw, MAPLE_NODE_SIZE)) != 0)
		return (err);
	back = mt_word(lk, f->mf_raw);
	if ((back & ~MAPLE_NODE_MASK) == node)
		return (EIO);		/* a dead node: the tree changed */
	if (parent == 0 ? (back & MAPLE_ROOT_PARENT) == 0 :
	    (back & ~MAPLE_NODE_MASK) != parent)
		return (EIO);
	f->mf_node = node;
	f->mf_type = (enum maple_type)type;
	f->mf_first = min;
	f->mf_max = max;
	f->mf_slot = 0;
	f->mf_done = false;
	(*depthp)++;
	return (0);
}

/*
 * A leaf's entry: 0 and the values below 4096 with bits '10' the tree
 * reserves for itself are skipped; anything else must be aligned.
 */
static int
mt_entry(struct linux_kernel *lk, lk_maple_cb *cb, void *arg, uint64_t entry,
    uint64_t first, uint64_t last)
{
	if (entry == 0)
		return (0);
	if ((entry & 3) == 2 && entry < MAPLE_RESERVED_RANGE)
		return (0);
	if ((entry & (lk->lk_ptr_size - 1)) != 0)
		return (EIO);
	return (cb(lk, entry, first, last, arg));
}

int
lk_maple_walk(struct linux_kernel *lk, uint64_t rootp, lk_maple_cb *cb,
    void *arg)
{
	struct mt_layout layouts[MAPLE_ARANGE_64 + 1];
	struct mt_frame *stack, *f;
	uint64_t root, ulong_max, last, slot;
	unsigned depth = 0, i, t;
	int err;

	ulong_max = lk->lk_ptr_size == 8 ? UINT64_MAX : UINT32_MAX;
	for (t = MAPLE_LEAF_64; t <= MAPLE_ARANGE_64; t++) {
		if ((err = mt_layout_of(lk, (enum maple_type)t,
		    &layouts[t])) != 0)
			return (err);
	}
	if ((err = lk_read_ptr(lk, rootp, &root)) != 0)
		return (err);
	if (root == 0)
		return (0);		/* no VMAs */
	/* A lone entry (index 0 only) is never a VMA's range. */
	if ((root & 3) != 2 || root <= MAPLE_RESERVED_RANGE)
		return (EIO);
	if ((stack = calloc(MAPLE_HEIGHT_MAX, sizeof (*stack))) == NULL)
		return (ENOMEM);
	err = mt_push(lk, stack, &depth, root, 0, 0, ulong_max);
	while (err == 0 && depth > 0) {
		const struct mt_layout *ml;
		uint64_t first;

		f = &stack[depth - 1];
		ml = &layouts[f->mf_type];
		if (f->mf_done || f->mf_slot >= ml->ml_slots) {
			depth--;
			continue;
		}
		i = f->mf_slot++;
		first = f->mf_first;
		slot = mt_word(lk, f->mf_raw + ml->ml_slot_off +
		    (size_t)i * lk->lk_ptr_size);
		if (i < ml->ml_pivots) {
			last = mt_word(lk, f->mf_raw + ml->ml_pivot_off +
			    (size_t)i * lk->lk_ptr_size);
		} else {
			last = f->mf_max;
			if (slot == 0 && f->mf_max != ulong_max) {
				f->mf_done = true;
				continue;
			}
		}
		if (last == 0 && i > 0) {
			f->mf_done = true;
			continue;
		}
		if (last < first || last > f->mf_max) {
			err = EIO;	/* pivots out of order or range */
			break;
		}
		if (last == f->mf_max)
			f->mf_done = true;
		else
			f->mf_first = last + 1;
		if (f->mf_type == MAPLE_LEAF_64)
			err = mt_entry(lk, cb, arg, slot, first, last);
		else if (slot != 0)
			err = mt_push(lk, stack, &depth, slot, f->mf_node,
			    first, last);
	}
	free(stack);
	return (err);
}
