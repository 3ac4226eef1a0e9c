/*
 * avl.h -- intrusive AVL tree.
 *
 * Purpose: the ordered index behind every address space's segtree.  The
 * tree never allocates and never locks: a node (avl_node_t) is embedded in
 * the caller's object, and the caller serialises access.  All operations are
 * iterative, so depth never costs stack.
 *
 * Non-goals: duplicate keys (avl_add of an equal key is a bug and asserts),
 * thread safety, persistence.
 *
 * Comparator contract: compar(a, b) returns exactly -1, 0 or +1.  Any other
 * value is a programming error and is caught by an assertion in every build.
 *
 * Positions: avl_find() fills an avl_index_t "where" (an opaque insertion
 * point: a node and a side) when the value is absent; pass it to
 * avl_insert() or avl_nearest() without touching the tree in between.
 */
#ifndef PORTHOLE_VM_AVL_H
#define PORTHOLE_VM_AVL_H

#include <stddef.h>
#include <stdint.h>

/* Node embedded in the caller's object.  Fields are private to avl.c. */
typedef struct avl_node {
	struct avl_node	*avl_child[2];	/* left (0) and right (1) */
	struct avl_node	*avl_parent;	/* NULL at the root */
	int8_t		avl_balance;	/* height(right) - height(left): -1..1 */
	uint8_t		avl_which;	/* which child of the parent: 0 or 1 */
} avl_node_t;

typedef int (*avl_compar_t)(const void *, const void *);

typedef struct avl_tree {
	avl_node_t	*avl_root;
	avl_compar_t	avl_compar;
	size_t		avl_offset;	/* offset of avl_node_t in the object */
	size_t		avl_size;	/* size of the object, for sanity */
	size_t		avl_numnodes;
} avl_tree_t;

/* Opaque insertion point: a node pointer with the side in the low bit. */
typedef uintptr_t avl_index_t;

#define	AVL_BEFORE	0
#define	AVL_AFTER	1

void	avl_create(avl_tree_t *tree, avl_compar_t compar, size_t size,
	    size_t offset);
/* The tree must be empty (after avl_destroy_nodes or removals). */
void	avl_destroy(avl_tree_t *tree);

/*
 * Returns the object equal to value, or NULL.  When NULL and where is not
 * NULL, *where is the insertion point for value.
 */
void	*avl_find(avl_tree_t *tree, const void *value, avl_index_t *where);

/* Insert at a point returned by avl_find() (which returned NULL). */
void	avl_insert(avl_tree_t *tree, void *obj, avl_index_t where);

/*
 * Insert obj immediately before (AVL_BEFORE) or after (AVL_AFTER) the
 * object here, which is in the tree.  The caller guarantees order.
 */
void	avl_insert_here(avl_tree_t *tree, void *obj, void *here, int direction);

/* Find + insert; asserts the key is not present. */
void	avl_add(avl_tree_t *tree, void *obj);

void	avl_remove(avl_tree_t *tree, void *obj);

/*
 * From an insertion point returned by avl_find(): the object just before
 * (AVL_BEFORE) or just after (AVL_AFTER) the missing value, or NULL.
 */
void	*avl_nearest(avl_tree_t *tree, avl_index_t where, int direction);

void	*avl_first(avl_tree_t *tree);
void	*avl_last(avl_tree_t *tree);
/* In-order neighbours of obj, or NULL at either end. */
void	*avl_next(avl_tree_t *tree, void *obj);
void	*avl_prev(avl_tree_t *tree, void *obj);

size_t	avl_numnodes(const avl_tree_t *tree);
int	avl_is_empty(const avl_tree_t *tree);

/*
 * Teardown walk: returns each object once, in an order that never revisits
 * a freed node, and leaves the tree empty.  Start with *cookie = NULL and
 * call until it returns NULL.  The caller may free each object returned.
 * No other call may be made on the tree until the walk ends, except
 * avl_destroy() after it.
 */
void	*avl_destroy_nodes(avl_tree_t *tree, void **cookie);

/*
 * Whole-tree verifier: ordering (comparator strictly increasing in order),
 * AVL balance and stored balance factors, parent and which links, node
 * count.  Returns 0 when the tree is sound; otherwise -1 and writes a
 * one-line reason into why (if why is not NULL).
 */
int	avl_verify(const avl_tree_t *tree, char *why, size_t whylen);

#endif /* PORTHOLE_VM_AVL_H */
