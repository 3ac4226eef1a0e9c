/*
 * avl.c -- intrusive AVL tree.
 *
 * Purpose: the ordered index under every address space's segtree (see
 * avl.h for the interface).  The caller embeds an avl_node_t in each object
 * and serialises access; this file never allocates, never locks, never
 * prints and never recurses, so neither depth nor memory pressure can make
 * an operation fail.
 *
 * Non-goals: duplicate keys, thread safety, persistence, and any error
 * reporting beyond avl_verify(): misuse is a programming error, caught by
 * assert() or, for the comparator contract, by an abort() that stays on in
 * every build.
 *
 * Invariants, for every node n in a tree (checked by avl_verify()):
 *
 *	- every object in n's left subtree compares below n, every object in
 *	  its right subtree above n (compar(a, b) is exactly -1, 0 or +1);
 *	- n->avl_balance == height(right subtree) - height(left subtree),
 *	  and lies in -1..1;
 *	- a child c of n has c->avl_parent == n and c->avl_which equal to the
 *	  slot of n->avl_child[] that holds it; the root's parent is NULL;
 *	- tree->avl_numnodes counts the nodes reachable from the root.
 *
 * An AVL tree of n nodes is at most about 1.44 * log2(n + 2) high, so
 * AVL_MAX_HEIGHT levels cover any tree whose nodes fit in an address space.
 *
 * A node taken out of a tree (avl_remove(), avl_destroy_nodes()) has its
 * links poisoned, so a stale use faults instead of corrupting a tree.
 */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>

#include "vm/avl.h"

/*
 * The comparator contract is checked in every build, NDEBUG or not: a
 * comparator that answers 2 or -5 would silently misorder the tree.  The
 * library does not print; the core dump says where.
 */
#define	AVL_ASSERT_CONTRACT(cond) do {					\
	if (!(cond))							\
		abort();						\
} while (0)

/* Levels enough for any AVL tree that fits in memory (see above). */
#define	AVL_MAX_HEIGHT	96

/* Link values of a node that is in no tree: a non-canonical address. */
#if UINTPTR_MAX > 0xffffffffu
#define	AVL_POISON	((avl_node_t *)(uintptr_t)0xdeadbeefdeadbeefULL)
#else
#define	AVL_POISON	((avl_node_t *)(uintptr_t)0xdeadbeefu)
#endif
#define	AVL_POISON_BALANCE	((int8_t)0x5a)
#define	AVL_POISON_WHICH	((uint8_t)0xa5)

/* An avl_index_t: node pointer with the child slot (0 or 1) in bit 0. */
#define	AVL_INDEX(node, side)	\
	((avl_index_t)(uintptr_t)(node) | (avl_index_t)(side))
#define	AVL_INDEX_NODE(where)	((avl_node_t *)((where) & ~(avl_index_t)1))
#define	AVL_INDEX_SIDE(where)	((int)((where) & 1))

/* Returns the node embedded in obj. */
static inline avl_node_t *
avl__node(const avl_tree_t *tree, const void *obj)
{
	return ((avl_node_t *)(void *)((char *)(uintptr_t)obj +
	    tree->avl_offset));
}

/* Returns the object that embeds node. */
static inline void *
avl__obj(const avl_tree_t *tree, const avl_node_t *node)
{
	return ((void *)((char *)(uintptr_t)node - tree->avl_offset));
}

/*
 * Returns compar(a, b), which the contract says is -1, 0 or +1; anything
 * else aborts.
 */
static inline int
avl__compare(const avl_tree_t *tree, const void *a, const void *b)
{
	int c = tree->avl_compar(a, b);

	AVL_ASSERT_CONTRACT(c == -1 || c == 0 || c == 1);
	return (c);
}

/*
 * Returns the in-order neighbour of node on side dir (0: previous,
 * 1: next), or NULL at that end of the tree.
 */
static avl_node_t *
avl__walk(avl_node_t *node, int dir)
{
	avl_node_t *next;

	assert(node != NULL);
	assert(dir == 0 || dir == 1);

	if ((next = node->avl_child[dir]) != NULL) {
		while (next->avl_child[1 - dir] != NULL)
			next = next->avl_child[1 - dir];
		return (next);
	}
	while (node->avl_parent != NULL && node->avl_which == dir)
		node = node->avl_parent;
	return (node->avl_parent);
}

/*
 * Returns the end of the tree on side dir (0: first, 1: last), or NULL if
 * the tree is empty.
 */
static avl_node_t *
avl__extreme(const avl_tree_t *tree, int dir)
{
	avl_node_t *node = tree->avl_root;

	if (node == NULL)
		return (NULL);
	while (node->avl_child[dir] != NULL)
		node = node->avl_child[dir];
	return (node);
}

/*
 * Puts node where old was: in old's parent's slot, or at the root.  Only
 * the links above old change; the caller relinks the children.
 */
static void
avl__replace(avl_tree_t *tree, avl_node_t *old, avl_node_t *node)
{
	avl_node_t *parent = old->avl_parent;

	node->avl_parent = parent;
	node->avl_which = old->avl_which;
	if (parent == NULL)
		tree->avl_root = node;
	else
		parent->avl_child[old->avl_which] = node;
}

/* Makes child (which may be NULL) the side child of parent. */
static inline void
avl__set_child(avl_node_t *parent, int side, avl_node_t *child)
{
	parent->avl_child[side] = child;
	if (child != NULL) {
		child->avl_parent = parent;
		child->avl_which = (uint8_t)side;
	}
}

/*
 * Restores balance at node, whose subtrees differ in height by two:
 * balance is the balance node would have (-2 or +2); node's stored balance
 * is stale.  The new subtree root takes node's place under node's parent.
 *
 * Returns 1 if the subtree is now one level lower than it was with the
 * imbalance (always so after an insertion), 0 if its height is unchanged
 * (possible only after a removal).
 */
static int
avl__rotate(avl_tree_t *tree, avl_node_t *node, int balance)
{
	int heavy = balance > 0;		/* the taller side */
	int light = 1 - heavy;
	int sign = heavy ? 1 : -1;		/* a lean towards heavy */
	avl_node_t *child = node->avl_child[heavy];
	avl_node_t *grand;

	assert(balance == -2 || balance == 2);
	assert(child != NULL);

	if (child->avl_balance != -sign) {
		/*
		 * Single rotation: child rises, node becomes its light
		 * child and adopts child's light subtree.
		 */
		int shrank = child->avl_balance == sign;

		avl__replace(tree, node, child);
		avl__set_child(node, heavy, child->avl_child[light]);
		avl__set_child(child, light, node);
		if (shrank) {
			node->avl_balance = 0;
			child->avl_balance = 0;
		} else {
			node->avl_balance = (int8_t)sign;
			child->avl_balance = (int8_t)-sign;
		}
		return (shrank);
	}

	/*
	 * Double rotation: child leans away from the heavy side, so its
	 * inner child grand rises above both, splitting its subtrees
	 * between them.
	 */
	grand = child->avl_child[light];
	assert(grand != NULL);
	avl__replace(tree, node, grand);
	avl__set_child(node, heavy, grand->avl_child[light]);
	avl__set_child(child, light, grand->avl_child[heavy]);
	avl__set_child(grand, light, node);
	avl__set_child(grand, heavy, child);
	node->avl_balance = (int8_t)(grand->avl_balance == sign ? -sign : 0);
	child->avl_balance = (int8_t)(grand->avl_balance == -sign ? sign : 0);
	grand->avl_balance = 0;
	return (1);
}

/* Marks a node that has left the tree, so stale uses fault. */
static inline void
avl__poison(avl_node_t *node)
{
	node->avl_child[0] = AVL_POISON;
	node->avl_child[1] = AVL_POISON;
	node->avl_parent = AVL_POISON;
	node->avl_balance = AVL_POISON_BALANCE;
	node->avl_which = AVL_POISON_WHICH;
}

/*
 * Makes tree an empty tree of objects of the given size, each holding its
 * avl_node_t at offset, ordered by compar.
 */
void
avl_create(avl_tree_t *tree, avl_compar_t compar, size_t size, size_t offset)
{
	assert(tree != NULL);
	assert(compar != NULL);
	assert(size >= sizeof (avl_node_t));
	assert(offset <= size - sizeof (avl_node_t));

	tree->avl_root = NULL;
	tree->avl_compar = compar;
	tree->avl_offset = offset;
	tree->avl_size = size;
	tree->avl_numnodes = 0;
}

/* Retires an empty tree; it must be created again before any other use. */
void
avl_destroy(avl_tree_t *tree)
{
	assert(tree != NULL);
	assert(tree->avl_root == NULL);
	assert(tree->avl_numnodes == 0);

	tree->avl_compar = NULL;
}

/*
 * Returns the object comparing equal to value, or NULL.  On NULL, *where
 * (if where is not NULL) is the empty child slot value belongs in: the
 * last node visited and the side taken from it, or 0 in an empty tree.
 * On a match *where is left alone.
 */
void *
avl_find(avl_tree_t *tree, const void *value, avl_index_t *where)
{
	avl_node_t *node;
	avl_node_t *parent = NULL;
	int side = 0;

	assert(tree != NULL);
	node = tree->avl_root;

	while (node != NULL) {
		int c = avl__compare(tree, value, avl__obj(tree, node));

		if (c == 0)
			return (avl__obj(tree, node));
		parent = node;
		side = c > 0;
		node = node->avl_child[side];
	}
	if (where != NULL) {
		assert(((uintptr_t)parent & 1) == 0);
		*where = AVL_INDEX(parent, side);
	}
	return (NULL);
}

/*
 * Links obj's node into the empty slot where and rebalances up towards
 * the root.  Returns nothing; the tree grows by one.
 */
void
avl_insert(avl_tree_t *tree, void *obj, avl_index_t where)
{
	avl_node_t *parent = AVL_INDEX_NODE(where);
	int side = AVL_INDEX_SIDE(where);
	avl_node_t *node;

	assert(tree != NULL && obj != NULL);
	assert(parent != NULL || (where == 0 && tree->avl_root == NULL));
	assert(parent == NULL || parent->avl_child[side] == NULL);

	node = avl__node(tree, obj);
	node->avl_child[0] = NULL;
	node->avl_child[1] = NULL;
	node->avl_balance = 0;
	if (parent == NULL) {
		node->avl_parent = NULL;
		node->avl_which = 0;
		tree->avl_root = node;
	} else {
		avl__set_child(parent, side, node);
	}
	tree->avl_numnodes++;

	/*
	 * The subtree at node has grown one level.  Climb while that makes
	 * the parent taller; stop where the parent evens out or a rotation
	 * restores the old height.
	 */
	while ((parent = node->avl_parent) != NULL) {
		int balance = parent->avl_balance + (node->avl_which ? 1 : -1);

		if (balance == 0) {
			parent->avl_balance = 0;
			break;
		}
		if (balance == 2 || balance == -2) {
			(void) avl__rotate(tree, parent, balance);
			break;
		}
		parent->avl_balance = (int8_t)balance;
		node = parent;
	}
}

/*
 * Inserts obj next to here, on side direction, without comparing (the
 * caller guarantees the order; assert() checks it).
 */
void
avl_insert_here(avl_tree_t *tree, void *obj, void *here, int direction)
{
	avl_node_t *node;
	int side = direction;

	assert(tree != NULL && obj != NULL && here != NULL);
	assert(direction == AVL_BEFORE || direction == AVL_AFTER);
	assert(avl__compare(tree, obj, here) == (direction ? 1 : -1));

	/*
	 * The slot is here's own child on that side if it is free, else the
	 * far end of that subtree on the opposite side.
	 */
	node = avl__node(tree, here);
	if (node->avl_child[direction] != NULL) {
		node = node->avl_child[direction];
		side = 1 - direction;
		while (node->avl_child[side] != NULL)
			node = node->avl_child[side];
		assert(avl__compare(tree, obj, avl__obj(tree, node)) ==
		    (direction ? -1 : 1));
	}
	avl_insert(tree, obj, AVL_INDEX(node, side));
}

/* Inserts obj, whose key must not be in the tree (aborts if it is). */
void
avl_add(avl_tree_t *tree, void *obj)
{
	avl_index_t where = 0;
	void *found;

	assert(tree != NULL && obj != NULL);
	found = avl_find(tree, obj, &where);
	AVL_ASSERT_CONTRACT(found == NULL);
	avl_insert(tree, obj, where);
}

/*
 * Unlinks obj, which must be in the tree, rebalances up towards the root
 * and poisons obj's node.
 */
void
avl_remove(avl_tree_t *tree, void *obj)
{
	avl_node_t *node;
	avl_node_t *parent;	/* whose child slot empties */
	avl_node_t *orphan;	/* the single child moving into that slot */
	int side;

	assert(tree != NULL && obj != NULL);
	assert(tree->avl_numnodes > 0);
	node = avl__node(tree, obj);
	assert(node->avl_parent != AVL_POISON);
	assert(node->avl_parent != NULL || tree->avl_root == node);

	if (node->avl_child[0] == NULL || node->avl_child[1] == NULL) {
		parent = node->avl_parent;
		side = node->avl_which;
		orphan = node->avl_child[node->avl_child[0] == NULL];
	} else {
		/*
		 * Two children: the in-order neighbour on the taller side
		 * (which has at most one child) takes node's place, and its
		 * own slot is the one that empties.
		 */
		int dir = node->avl_balance > 0;
		avl_node_t *heir = avl__walk(node, dir);
		int i;

		parent = heir->avl_parent;
		side = heir->avl_which;
		orphan = heir->avl_child[dir];
		if (parent == node)
			parent = heir;
		for (i = 0; i < 2; i++) {
			heir->avl_child[i] = node->avl_child[i];
			node->avl_child[i]->avl_parent = heir;
		}
		heir->avl_balance = node->avl_balance;
		avl__replace(tree, node, heir);
	}

	if (parent == NULL) {
		tree->avl_root = orphan;
		if (orphan != NULL) {
			orphan->avl_parent = NULL;
			orphan->avl_which = 0;
		}
	} else {
		avl__set_child(parent, side, orphan);
	}
	tree->avl_numnodes--;
	avl__poison(node);

	/*
	 * The side subtree of parent has lost a level.  Climb while that
	 * makes parent lower too: parent leaned to that side and is now
	 * level, or a rotation left it lower.  Stop where parent keeps its
	 * height: it was level and now leans, or a rotation kept the height.
	 */
	while (parent != NULL) {
		int balance = parent->avl_balance + (side ? -1 : 1);
		avl_node_t *up = parent->avl_parent;
		int upside = parent->avl_which;

		if (balance == 1 || balance == -1) {
			parent->avl_balance = (int8_t)balance;
			break;
		}
		if (balance == 0)
			parent->avl_balance = 0;
		else if (avl__rotate(tree, parent, balance) == 0)
			break;
		parent = up;
		side = upside;
	}
}

/*
 * Returns the object just before (AVL_BEFORE) or just after (AVL_AFTER)
 * the absent value whose insertion point is where, or NULL at an end.
 */
void *
avl_nearest(avl_tree_t *tree, avl_index_t where, int direction)
{
	avl_node_t *node = AVL_INDEX_NODE(where);
	int side = AVL_INDEX_SIDE(where);

	assert(tree != NULL);
	assert(direction == AVL_BEFORE || direction == AVL_AFTER);

	if (node == NULL)
		return (NULL);
	/*
	 * The value would be node's side child: node itself is its
	 * neighbour on the other side, and node's own neighbour on that side
	 * is the value's neighbour there too.
	 */
	if (side != direction)
		return (avl__obj(tree, node));
	node = avl__walk(node, direction);
	return (node == NULL ? NULL : avl__obj(tree, node));
}

/* Returns the lowest object, or NULL if the tree is empty. */
void *
avl_first(avl_tree_t *tree)
{
	avl_node_t *node;

	assert(tree != NULL);
	node = avl__extreme(tree, 0);
	return (node == NULL ? NULL : avl__obj(tree, node));
}

/* Returns the highest object, or NULL if the tree is empty. */
void *
avl_last(avl_tree_t *tree)
{
	avl_node_t *node;

	assert(tree != NULL);
	node = avl__extreme(tree, 1);
	return (node == NULL ? NULL : avl__obj(tree, node));
}

/* Returns the object after obj (which is in the tree), or NULL. */
void *
avl_next(avl_tree_t *tree, void *obj)
{
	avl_node_t *node;

	assert(tree != NULL && obj != NULL);
	node = avl__walk(avl__node(tree, obj), 1);
	return (node == NULL ? NULL : avl__obj(tree, node));
}

/* Returns the object before obj (which is in the tree), or NULL. */
void *
avl_prev(avl_tree_t *tree, void *obj)
{
	avl_node_t *node;

	assert(tree != NULL && obj != NULL);
	node = avl__walk(avl__node(tree, obj), 0);
	return (node == NULL ? NULL : avl__obj(tree, node));
}

/* Returns the number of objects in the tree. */
size_t
avl_numnodes(const avl_tree_t *tree)
{
	assert(tree != NULL);
	return (tree->avl_numnodes);
}

/* Returns 1 if the tree holds no object, else 0. */
int
avl_is_empty(const avl_tree_t *tree)
{
	assert(tree != NULL);
	return (tree->avl_numnodes == 0);
}

/*
 * Returns the next object of a teardown walk, or NULL when the tree is
 * empty.  The walk is post-order: each node returned is a leaf of what
 * remains, and is unlinked (and poisoned) before it is returned, so the
 * walk never reads a node the caller may have freed.  *cookie holds the
 * parent of the node last returned, where the next search starts; it is
 * NULL before the first call and after the root has been returned.
 * Balance factors are not maintained during the walk.
 */
void *
avl_destroy_nodes(avl_tree_t *tree, void **cookie)
{
	avl_node_t *node;
	avl_node_t *parent;

	assert(tree != NULL && cookie != NULL);

	if (tree->avl_root == NULL) {
		assert(tree->avl_numnodes == 0);
		*cookie = NULL;
		return (NULL);
	}
	node = *cookie != NULL ? (avl_node_t *)*cookie : tree->avl_root;
	for (;;) {
		if (node->avl_child[0] != NULL)
			node = node->avl_child[0];
		else if (node->avl_child[1] != NULL)
			node = node->avl_child[1];
		else
			break;
	}

	parent = node->avl_parent;
	if (parent == NULL)
		tree->avl_root = NULL;
	else
		parent->avl_child[node->avl_which] = NULL;
	assert(tree->avl_numnodes > 0);
	tree->avl_numnodes--;
	*cookie = parent;
	avl__poison(node);
	return (avl__obj(tree, node));
}

/*
 * Writes a one-line reason into why (if there is room) and returns -1.
 */
static int
avl__fail(char *why, size_t whylen, const char *reason, size_t position)
{
	if (why != NULL && whylen > 0)
		(void) snprintf(why, whylen, "%s (at in-order position %zu)",
		    reason, position);
	return (-1);
}

/*
 * Checks every invariant listed at the top of this file in one
 * iterative pass.  The walk visits each node three times: on the way down
 * (before its left subtree), in order (between its subtrees), and on the
 * way up (after its right subtree, when both subtree heights are known).
 * A child's links are checked before the walk enters it, so climbing by
 * parent pointers retraces the way down even in a damaged tree.  Subtree
 * heights live in per-depth slots: a node's children finish just before it
 * does, so one pair of slots per level suffices.
 *
 * Returns 0 if the tree is sound, else -1 with the first problem found
 * written into why.
 */
int
avl_verify(const avl_tree_t *tree, char *why, size_t whylen)
{
	enum { AVL_DOWN, AVL_IN, AVL_UP } step = AVL_DOWN;
	unsigned char height[AVL_MAX_HEIGHT][2];
	const avl_node_t *node;
	const avl_node_t *last = NULL;
	size_t count = 0;
	size_t depth = 0;

	assert(tree != NULL);
	assert(tree->avl_compar != NULL);
	node = tree->avl_root;

	if (why != NULL && whylen > 0)
		why[0] = '\0';
	if (node == NULL) {
		if (tree->avl_numnodes != 0)
			return (avl__fail(why, whylen,
			    "empty tree but avl_numnodes is not 0", 0));
		return (0);
	}
	if (node->avl_parent != NULL)
		return (avl__fail(why, whylen, "root has a parent", 0));

	for (;;) {
		const avl_node_t *child;
		int h;

		switch (step) {
		case AVL_DOWN:
			if (depth >= AVL_MAX_HEIGHT)
				return (avl__fail(why, whylen,
				    "tree too deep to be balanced", count));
			height[depth][0] = 0;
			height[depth][1] = 0;
			if ((child = node->avl_child[0]) != NULL) {
				if (child->avl_parent != node ||
				    child->avl_which != 0)
					return (avl__fail(why, whylen,
					    "left child's parent or which "
					    "link is wrong", count));
				node = child;
				depth++;
				break;
			}
			step = AVL_IN;
			break;

		case AVL_IN:
			if (++count > tree->avl_numnodes)
				return (avl__fail(why, whylen,
				    "more nodes than avl_numnodes", count - 1));
			if (last != NULL && avl__compare(tree,
			    avl__obj(tree, last), avl__obj(tree, node)) != -1)
				return (avl__fail(why, whylen,
				    "not strictly increasing in order",
				    count - 1));
			last = node;
			if ((child = node->avl_child[1]) != NULL) {
				if (child->avl_parent != node ||
				    child->avl_which != 1)
					return (avl__fail(why, whylen,
					    "right child's parent or which "
					    "link is wrong", count - 1));
				node = child;
				depth++;
				step = AVL_DOWN;
				break;
			}
			step = AVL_UP;
			break;

		case AVL_UP:
			h = height[depth][1] - height[depth][0];
			if (node->avl_balance < -1 || node->avl_balance > 1)
				return (avl__fail(why, whylen,
				    "balance factor out of -1..1", count - 1));
			if (node->avl_balance != h)
				return (avl__fail(why, whylen,
				    "balance factor does not match subtree "
				    "heights", count - 1));
			h = 1 + (height[depth][0] > height[depth][1] ?
			    height[depth][0] : height[depth][1]);
			if (depth == 0) {
				if (count != tree->avl_numnodes)
					return (avl__fail(why, whylen,
					    "fewer nodes than avl_numnodes",
					    count));
				return (0);
			}
			depth--;
			height[depth][node->avl_which] = (unsigned char)h;
			step = node->avl_which == 0 ? AVL_IN : AVL_UP;
			node = node->avl_parent;
			break;
		}
	}
}
