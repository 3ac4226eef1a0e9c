/*
 * avl_test.c -- unit test for the intrusive AVL tree (vm/avl.c).
 *
 * Purpose: check every operation in vm/avl.h against a reference model (a
 * sorted array of keys) over a long random run whose keys collide, check
 * the shapes that trouble balanced trees (sorted, reverse and zig-zag
 * input, removal in other orders), and check that the safety nets work:
 * the comparator contract aborts, avl_verify() notices a damaged tree, and
 * a teardown walk never touches a node it has handed back.
 *
 * The random run is deterministic: the seed is printed, and the
 * environment variable AVL_TEST_SEED replays another.  The test reaches
 * into avl_node_t only to damage trees on purpose.
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vm/avl.h"
#include "tests/test.h"

#define	RANDOM_KEYS	2048		/* key range of the random run */
#define	RANDOM_OPS	1000000		/* operations in the random run */
#define	RANDOM_PHASE	50000		/* operations per insert/remove bias */
#define	VERIFY_ALWAYS	10000		/* verify after each of these ops */
#define	VERIFY_EVERY	1000		/* then after every this many */
#define	SHAPE_KEYS	100000		/* keys in the ordered-shape tests */
#define	DEFAULT_SEED	0x9e3779b97f4a7c15ULL

/* The object under test: the node is not first, so offsets matter. */
struct item {
	long		it_key;
	int		it_pad;
	avl_node_t	it_node;
};

/* Returns -1, 0 or +1 as a's key is below, equal to or above b's. */
static int
item_compare(const void *a, const void *b)
{
	const struct item *x = a;
	const struct item *y = b;

	if (x->it_key < y->it_key)
		return (-1);
	return (x->it_key > y->it_key);
}

/* Breaks the comparator contract by answering 2 for "above". */
static int
item_compare_two(const void *a, const void *b)
{
	return (2 * item_compare(a, b));
}

/* Breaks the comparator contract by answering -2 for "below". */
static int
item_compare_minus_two(const void *a, const void *b)
{
	int c = item_compare(a, b);

	return (c < 0 ? -2 : c);
}

static void
tree_create(avl_tree_t *tree)
{
	avl_create(tree, item_compare, sizeof (struct item),
	    offsetof(struct item, it_node));
}

/* splitmix64: small, fast, and the same on every platform. */
static uint64_t rng_state;

static uint64_t
rng_next(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return (z ^ (z >> 31));
}

/* Returns a random number in 0..bound-1. */
static size_t
rng_below(size_t bound)
{
	return ((size_t)(rng_next() % bound));
}

/* CHECKs that the tree verifies, saying why not on failure. */
static void
check_verify(const avl_tree_t *tree, const char *when, long step)
{
	char why[160];
	int rv = avl_verify(tree, why, sizeof (why));

	CHECK(rv == 0);
	if (rv != 0)
		fprintf(stderr, "avl_verify failed %s %ld: %s\n", when, step,
		    why);
}

/* Returns the key of obj, or -1 for NULL. */
static long
key_of(const void *obj)
{
	return (obj == NULL ? -1 : ((const struct item *)obj)->it_key);
}

/*
 * CHECKs that a node just taken out of a tree has no usable links: none
 * NULL (a NULL would pass for a leaf or the root) and none pointing into
 * the objects first..first+count-1.
 */
static void
check_poisoned(const avl_node_t *node, const struct item *first,
    size_t count)
{
	const avl_node_t *links[3];
	uintptr_t lo = (uintptr_t)first;
	uintptr_t hi = lo + count * sizeof (*first);
	size_t i;

	links[0] = node->avl_child[0];
	links[1] = node->avl_child[1];
	links[2] = node->avl_parent;
	for (i = 0; i < 3; i++) {
		uintptr_t link = (uintptr_t)links[i];

		if (link == 0 || (link >= lo && link < hi)) {
			CHECK(!"removed node keeps a usable link");
			return;
		}
	}
}

/*
 * The reference model: the keys in the tree, sorted.
 */
struct model {
	long	m_keys[RANDOM_KEYS];
	size_t	m_count;
};

/* Returns the index of the first key >= key. */
static size_t
model_lower_bound(const struct model *m, long key)
{
	size_t lo = 0, hi = m->m_count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (m->m_keys[mid] < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (lo);
}

/* Returns the key at index i, or -1 outside the model. */
static long
model_at(const struct model *m, size_t i)
{
	return (i < m->m_count ? m->m_keys[i] : -1);
}

static void
model_insert(struct model *m, long key)
{
	size_t i = model_lower_bound(m, key);

	memmove(&m->m_keys[i + 1], &m->m_keys[i],
	    (m->m_count - i) * sizeof (m->m_keys[0]));
	m->m_keys[i] = key;
	m->m_count++;
}

static void
model_remove(struct model *m, long key)
{
	size_t i = model_lower_bound(m, key);

	memmove(&m->m_keys[i], &m->m_keys[i + 1],
	    (m->m_count - i - 1) * sizeof (m->m_keys[0]));
	m->m_count--;
}

/*
 * Looks key up in tree and model and CHECKs they agree, including both
 * nearest neighbours when the key is absent.  Returns the object found
 * (or NULL) and leaves the insertion point in *where.
 */
static struct item *
check_find(avl_tree_t *tree, const struct model *m, long key,
    avl_index_t *where)
{
	struct item probe = { .it_key = key };
	struct item *found = avl_find(tree, &probe, where);
	size_t i = model_lower_bound(m, key);

	if (i < m->m_count && m->m_keys[i] == key) {
		CHECK(found != NULL && found->it_key == key);
		return (found);
	}
	CHECK(found == NULL);
	CHECK(key_of(avl_nearest(tree, *where, AVL_BEFORE)) ==
	    (i > 0 ? m->m_keys[i - 1] : -1));
	CHECK(key_of(avl_nearest(tree, *where, AVL_AFTER)) == model_at(m, i));
	return (NULL);
}

/*
 * The random run: RANDOM_OPS operations on keys 0..RANDOM_KEYS-1, each
 * checked against the model.  The insert/remove mix changes by phase:
 * inserts only (the tree fills up), an even mix (it churns at about a
 * third full, as half the removals aim at random keys), removals only (it
 * drains to empty).
 */
static void
test_random(uint64_t seed)
{
	static struct item items[RANDOM_KEYS];
	static struct model model;
	static const int bias[] = { 0, 35, 0, -35 };
	avl_tree_t tree;
	struct item *found;
	int was_full = 0, was_emptied = 0;
	long op;
	long key;

	rng_state = seed;
	tree_create(&tree);
	model.m_count = 0;
	for (key = 0; key < RANDOM_KEYS; key++)
		items[key].it_key = key;

	for (op = 0; op < RANDOM_OPS; op++) {
		int insert_pct = 35 + bias[(op / RANDOM_PHASE) % 4];
		int remove_pct = 70 - insert_pct;
		int choice = (int)rng_below(100);
		avl_index_t where = 0;
		size_t i;

		key = (long)rng_below(RANDOM_KEYS);
		if (choice < insert_pct) {
			found = check_find(&tree, &model, key, &where);
			if (found != NULL) {
				CHECK(found == &items[key]);
			} else {
				/* Every way in: insert, add, insert_here. */
				i = model_lower_bound(&model, key);
				switch (rng_below(4)) {
				case 0:
					avl_add(&tree, &items[key]);
					break;
				case 1:
					if (i > 0) {
						avl_insert_here(&tree,
						    &items[key],
						    &items[model.m_keys[i - 1]],
						    AVL_AFTER);
						break;
					}
					avl_insert(&tree, &items[key], where);
					break;
				case 2:
					if (i < model.m_count) {
						avl_insert_here(&tree,
						    &items[key],
						    &items[model.m_keys[i]],
						    AVL_BEFORE);
						break;
					}
					avl_insert(&tree, &items[key], where);
					break;
				default:
					avl_insert(&tree, &items[key], where);
					break;
				}
				model_insert(&model, key);
			}
		} else if (choice < insert_pct + remove_pct) {
			/* Half the removals hit for sure, half may miss. */
			if (model.m_count > 0 && rng_below(2) == 0)
				key = model.m_keys[rng_below(model.m_count)];
			found = check_find(&tree, &model, key, &where);
			if (found != NULL) {
				avl_remove(&tree, found);
				check_poisoned(&found->it_node, items,
				    RANDOM_KEYS);
				model_remove(&model, key);
			}
		} else {
			switch (rng_below(4)) {
			case 0:
				(void) check_find(&tree, &model, key, &where);
				break;
			case 1:
				if (model.m_count == 0)
					break;
				i = rng_below(model.m_count);
				found = &items[model.m_keys[i]];
				CHECK(key_of(avl_next(&tree, found)) ==
				    model_at(&model, i + 1));
				CHECK(key_of(avl_prev(&tree, found)) ==
				    (i > 0 ? model.m_keys[i - 1] : -1));
				break;
			case 2:
				CHECK(key_of(avl_first(&tree)) ==
				    model_at(&model, 0));
				break;
			default:
				CHECK(key_of(avl_last(&tree)) ==
				    (model.m_count > 0 ?
				    model.m_keys[model.m_count - 1] : -1));
				break;
			}
		}

		CHECK(avl_numnodes(&tree) == model.m_count);
		CHECK(avl_is_empty(&tree) == (model.m_count == 0));
		if (model.m_count == RANDOM_KEYS)
			was_full = 1;
		if (model.m_count == 0 && was_full)
			was_emptied = 1;
		if (op < VERIFY_ALWAYS || op % VERIFY_EVERY == 0)
			check_verify(&tree, "random op", op);
		if (test_failures > 20) {
			fprintf(stderr, "random run: giving up at op %ld\n",
			    op);
			break;
		}
	}
	check_verify(&tree, "random run end", op);
	/* The phases must have driven the tree to both extremes. */
	CHECK(was_full && was_emptied);

	/* Empty it in order, checking the walk as we go. */
	while (model.m_count > 0) {
		found = avl_first(&tree);
		CHECK(key_of(found) == model.m_keys[0]);
		if (found == NULL)
			break;
		avl_remove(&tree, found);
		model_remove(&model, model.m_keys[0]);
	}
	CHECK(avl_is_empty(&tree));
	check_verify(&tree, "random run emptied", 0);
	avl_destroy(&tree);
}

/* Orders in which the shape tests insert and remove keys. */
enum order {
	ORDER_ASCENDING,
	ORDER_DESCENDING,
	ORDER_ZIGZAG,		/* 0, n-1, 1, n-2, ... */
	ORDER_INTERLEAVED,	/* evens ascending, then odds descending */
	ORDER_MIDDLE_OUT,	/* n/2, n/2-1, n/2+1, ... */
	ORDER_RANDOM
};

static const char *const order_names[] = {
	"ascending", "descending", "zig-zag", "interleaved", "middle-out",
	"random"
};

/* Fills keys[0..n-1] with a permutation of 0..n-1 in the given order. */
static void
order_fill(long *keys, long n, enum order order)
{
	long i, j;

	switch (order) {
	case ORDER_ASCENDING:
		for (i = 0; i < n; i++)
			keys[i] = i;
		break;
	case ORDER_DESCENDING:
		for (i = 0; i < n; i++)
			keys[i] = n - 1 - i;
		break;
	case ORDER_ZIGZAG:
		for (i = 0; i < n; i++)
			keys[i] = (i % 2 == 0) ? i / 2 : n - 1 - i / 2;
		break;
	case ORDER_INTERLEAVED:
		j = 0;
		for (i = 0; i < n; i += 2)
			keys[j++] = i;
		for (i = (n - 1) | 1; i > 0; i -= 2)
			if (i < n)
				keys[j++] = i;
		break;
	case ORDER_MIDDLE_OUT:
		for (i = 0; i < n; i++)
			keys[i] = (i % 2 == 0) ? n / 2 + i / 2 :
			    n / 2 - 1 - i / 2;
		break;
	case ORDER_RANDOM:
		for (i = 0; i < n; i++)
			keys[i] = i;
		for (i = n - 1; i > 0; i--) {
			long t;

			j = (long)rng_below((size_t)i + 1);
			t = keys[i];
			keys[i] = keys[j];
			keys[j] = t;
		}
		break;
	}
}

/*
 * Verification schedule for the big shape trees: after every step while
 * the tree is small, else every 8192 steps (a verify costs a whole walk).
 */
static int
shape_verify_due(long step, size_t nodes)
{
	return (nodes < 512 || step % 8192 == 0);
}

/*
 * Builds a SHAPE_KEYS tree in one order, walks it both ways, then empties
 * it in another order, tracking first and last throughout.
 */
static void
test_shape(struct item *items, long *keys, unsigned char *present,
    enum order build, enum order teardown)
{
	avl_tree_t tree;
	const long n = SHAPE_KEYS;
	long i, lo, hi;
	void *obj;

	tree_create(&tree);
	order_fill(keys, n, build);
	memset(present, 0, (size_t)n);
	for (i = 0; i < n; i++) {
		CHECK(keys[i] >= 0 && keys[i] < n && !present[keys[i]]);
		present[keys[i]] = 1;
	}
	for (i = 0; i < n; i++) {
		items[keys[i]].it_key = keys[i];
		avl_add(&tree, &items[keys[i]]);
		if (shape_verify_due(i, avl_numnodes(&tree)))
			check_verify(&tree, order_names[build], i);
	}
	check_verify(&tree, order_names[build], n);
	CHECK(avl_numnodes(&tree) == (size_t)n);

	for (i = 0, obj = avl_first(&tree); obj != NULL;
	    obj = avl_next(&tree, obj), i++)
		if (key_of(obj) != i)
			break;
	CHECK(i == n);
	for (i = n - 1, obj = avl_last(&tree); obj != NULL;
	    obj = avl_prev(&tree, obj), i--)
		if (key_of(obj) != i)
			break;
	CHECK(i == -1);

	order_fill(keys, n, teardown);
	lo = 0;
	hi = n - 1;
	for (i = 0; i < n; i++) {
		avl_remove(&tree, &items[keys[i]]);
		present[keys[i]] = 0;
		while (lo < n && !present[lo])
			lo++;
		while (hi >= 0 && !present[hi])
			hi--;
		if (key_of(avl_first(&tree)) != (lo < n ? lo : -1) ||
		    key_of(avl_last(&tree)) != hi) {
			CHECK(!"first/last wrong during teardown");
			break;
		}
		if (shape_verify_due(i, avl_numnodes(&tree)))
			check_verify(&tree, order_names[teardown], i);
	}
	CHECK(avl_is_empty(&tree));
	avl_destroy(&tree);
}

static void
test_shapes(void)
{
	static const enum order pairs[][2] = {
		{ ORDER_ASCENDING, ORDER_DESCENDING },
		{ ORDER_ASCENDING, ORDER_INTERLEAVED },
		{ ORDER_DESCENDING, ORDER_ASCENDING },
		{ ORDER_DESCENDING, ORDER_MIDDLE_OUT },
		{ ORDER_ZIGZAG, ORDER_RANDOM },
		{ ORDER_ZIGZAG, ORDER_ASCENDING },
		{ ORDER_INTERLEAVED, ORDER_ZIGZAG },
		{ ORDER_MIDDLE_OUT, ORDER_DESCENDING },
		{ ORDER_RANDOM, ORDER_ZIGZAG },
	};
	struct item *items = calloc(SHAPE_KEYS, sizeof (*items));
	long *keys = calloc(SHAPE_KEYS, sizeof (*keys));
	unsigned char *present = calloc(SHAPE_KEYS, 1);
	size_t p;

	REQUIRE(items != NULL && keys != NULL && present != NULL);
	for (p = 0; p < sizeof (pairs) / sizeof (pairs[0]); p++)
		test_shape(items, keys, present, pairs[p][0], pairs[p][1]);
	free(present);
	free(keys);
	free(items);
}

/*
 * avl_insert_here on both sides, into slots with and without children,
 * and at both ends: evens first, then the odds beside a neighbour.
 */
static void
test_insert_here(void)
{
	enum { HALF = 1000, TOP = 2 * HALF + 1 };
	static struct item items[TOP + 1];
	long keys[HALF];
	avl_tree_t tree;
	long i, k;
	void *obj;

	/*
	 * Keys 1..TOP: the evens 2..TOP-1 by avl_add, the inner odds
	 * 3..TOP-2 beside one neighbour or the other, then 1 and TOP at the
	 * ends.
	 */
	tree_create(&tree);
	for (k = 0; k <= TOP; k++)
		items[k].it_key = k;
	for (k = 2; k < TOP; k += 2)
		avl_add(&tree, &items[k]);
	check_verify(&tree, "insert_here evens", 0);

	order_fill(keys, HALF, ORDER_RANDOM);
	for (i = 0; i < HALF; i++) {
		k = 2 * keys[i] + 3;
		if (k >= TOP)
			continue;
		if (i % 2 == 0)
			avl_insert_here(&tree, &items[k], &items[k - 1],
			    AVL_AFTER);
		else
			avl_insert_here(&tree, &items[k], &items[k + 1],
			    AVL_BEFORE);
		check_verify(&tree, "insert_here", i);
	}
	avl_insert_here(&tree, &items[1], avl_first(&tree), AVL_BEFORE);
	avl_insert_here(&tree, &items[TOP], avl_last(&tree), AVL_AFTER);
	check_verify(&tree, "insert_here ends", 0);
	CHECK(key_of(avl_first(&tree)) == 1);
	CHECK(key_of(avl_last(&tree)) == TOP);

	for (k = 1, obj = avl_first(&tree); obj != NULL;
	    obj = avl_next(&tree, obj), k++)
		if (key_of(obj) != k)
			break;
	CHECK(k == TOP + 1);
	CHECK(avl_numnodes(&tree) == TOP);

	while ((obj = avl_first(&tree)) != NULL)
		avl_remove(&tree, obj);
	avl_destroy(&tree);
}

/*
 * avl_find and avl_nearest on an empty tree, and the insertion point they
 * give.
 */
static void
test_empty(void)
{
	struct item probe = { .it_key = 7 };
	struct item one = { .it_key = 5 };
	avl_tree_t tree;
	avl_index_t where = 1;
	void *cookie = NULL;

	tree_create(&tree);
	CHECK(avl_is_empty(&tree));
	CHECK(avl_numnodes(&tree) == 0);
	CHECK(avl_first(&tree) == NULL);
	CHECK(avl_last(&tree) == NULL);
	CHECK(avl_find(&tree, &probe, &where) == NULL);
	CHECK(avl_nearest(&tree, where, AVL_BEFORE) == NULL);
	CHECK(avl_nearest(&tree, where, AVL_AFTER) == NULL);
	CHECK(avl_verify(&tree, NULL, 0) == 0);
	CHECK(avl_destroy_nodes(&tree, &cookie) == NULL);

	avl_insert(&tree, &one, where);
	CHECK(avl_numnodes(&tree) == 1);
	CHECK(avl_first(&tree) == &one && avl_last(&tree) == &one);
	CHECK(avl_next(&tree, &one) == NULL && avl_prev(&tree, &one) == NULL);
	CHECK(avl_find(&tree, &probe, &where) == NULL);
	CHECK(avl_nearest(&tree, where, AVL_BEFORE) == &one);
	CHECK(avl_nearest(&tree, where, AVL_AFTER) == NULL);
	check_verify(&tree, "one node", 0);
	avl_remove(&tree, &one);
	CHECK(avl_is_empty(&tree));

	/* A removed object may go back in. */
	avl_add(&tree, &one);
	CHECK(avl_find(&tree, &one, NULL) == &one);
	avl_remove(&tree, &one);
	avl_destroy(&tree);
}

/*
 * avl_destroy_nodes hands back every object once, in an order that lets
 * the caller free each one at once (the sanitizers catch a late touch),
 * and leaves the tree empty.
 */
static void
test_destroy_nodes(size_t n)
{
	avl_tree_t tree;
	long *keys = calloc(n + 1, sizeof (*keys));
	unsigned *seen = calloc(n + 1, sizeof (*seen));
	void *cookie = NULL;
	struct item *obj;
	size_t i, returned = 0, once = 0;

	REQUIRE(keys != NULL && seen != NULL);
	tree_create(&tree);
	order_fill(keys, (long)n, ORDER_RANDOM);
	for (i = 0; i < n; i++) {
		obj = malloc(sizeof (*obj));
		REQUIRE(obj != NULL);
		obj->it_key = keys[i];
		avl_add(&tree, obj);
	}
	check_verify(&tree, "before destroy_nodes", (long)n);

	while ((obj = avl_destroy_nodes(&tree, &cookie)) != NULL) {
		check_poisoned(&obj->it_node, NULL, 0);
		if (obj->it_key >= 0 && (size_t)obj->it_key < n)
			seen[obj->it_key]++;
		free(obj);
		if (++returned > n)
			break;
	}
	for (i = 0; i < n; i++)
		once += seen[i] == 1;
	CHECK(returned == n);
	CHECK(once == n);
	CHECK(avl_is_empty(&tree));
	CHECK(avl_numnodes(&tree) == 0);
	CHECK(avl_first(&tree) == NULL);
	CHECK(avl_destroy_nodes(&tree, &cookie) == NULL);
	check_verify(&tree, "after destroy_nodes", 0);
	avl_destroy(&tree);
	free(seen);
	free(keys);
}

/*
 * Runs fn in a child process and CHECKs that it dies of SIGABRT.
 */
struct abort_case {
	void	(*ac_fn)(void);
};

static void
run_abort_case(void *arg)
{
	((struct abort_case *)arg)->ac_fn();
}

static void
check_aborts(void (*fn)(void), const char *what)
{
	struct abort_case c = { fn };
	int sig = test_run_child(run_abort_case, &c);

	CHECK(sig == SIGABRT);
	if (sig != SIGABRT)
		fprintf(stderr, "%s: child ended with %d, expected SIGABRT\n",
		    what, sig);
}

/* Adds keys 0..2 under the given comparator. */
static void
add_three(avl_compar_t compar)
{
	static struct item items[3];
	avl_tree_t tree;
	int i;

	avl_create(&tree, compar, sizeof (struct item),
	    offsetof(struct item, it_node));
	for (i = 0; i < 3; i++) {
		items[i].it_key = i;
		avl_add(&tree, &items[i]);
	}
}

static void
child_compare_two(void)
{
	add_three(item_compare_two);
}

static void
child_compare_minus_two(void)
{
	static struct item items[2] = { { .it_key = 1 }, { .it_key = 0 } };
	avl_tree_t tree;

	avl_create(&tree, item_compare_minus_two, sizeof (struct item),
	    offsetof(struct item, it_node));
	avl_add(&tree, &items[0]);
	avl_add(&tree, &items[1]);
}

static void
child_add_duplicate(void)
{
	static struct item items[2] = { { .it_key = 4 }, { .it_key = 4 } };
	avl_tree_t tree;

	tree_create(&tree);
	avl_add(&tree, &items[0]);
	avl_add(&tree, &items[1]);
}

static void
test_contract(void)
{
	/* The well-behaved comparator must not trip the check. */
	add_three(item_compare);
	CHECK(1);

	check_aborts(child_compare_two, "comparator returning 2");
	check_aborts(child_compare_minus_two, "comparator returning -2");
	check_aborts(child_add_duplicate, "avl_add of a present key");
}

/* CHECKs that avl_verify rejects the tree and gives a reason. */
static void
check_rejected(const avl_tree_t *tree, const char *damage)
{
	char why[160];

	memset(why, 0, sizeof (why));
	CHECK(avl_verify(tree, why, sizeof (why)) == -1);
	CHECK(why[0] != '\0');
	CHECK(strchr(why, '\n') == NULL);
	if (why[0] == '\0')
		fprintf(stderr, "%s: no reason given\n", damage);
}

/*
 * Damages a sound tree in one way at a time and checks that avl_verify
 * notices each, then that the repaired tree passes again.
 */
static void
test_verify_detects(void)
{
	enum { N = 100 };
	static struct item items[N];
	static struct item chain[3];
	avl_tree_t tree;
	avl_node_t *root, *node, *saved;
	char tiny[8];
	int8_t balance;
	long i, k;

	tree_create(&tree);
	for (k = 0; k < N; k++) {
		items[k].it_key = k;
		avl_add(&tree, &items[k]);
	}
	check_verify(&tree, "verify baseline", 0);
	root = tree.avl_root;

	/* A stored balance factor that is in range but wrong. */
	balance = root->avl_balance;
	root->avl_balance = (int8_t)(balance == 0 ? 1 : 0);
	check_rejected(&tree, "root balance");
	root->avl_balance = balance;
	check_verify(&tree, "root balance repaired", 0);

	/* A leaf's balance factor, out of range. */
	node = &items[0].it_node;
	CHECK(node->avl_child[0] == NULL && node->avl_child[1] == NULL);
	node->avl_balance = 3;
	check_rejected(&tree, "leaf balance");
	node->avl_balance = 0;

	/* Two neighbouring keys swapped by hand, then a duplicate. */
	items[40].it_key = 41;
	items[41].it_key = 40;
	check_rejected(&tree, "swapped keys");
	items[41].it_key = 41;
	check_rejected(&tree, "duplicate key");
	items[40].it_key = 40;
	check_verify(&tree, "keys repaired", 0);

	/* Parent and which links of a right child (the last) and a left one. */
	for (i = 0; i < 2; i++) {
		k = i == 0 ? N - 1 : 0;
		node = &items[k].it_node;
		saved = node->avl_parent;
		node->avl_parent = &items[N / 2].it_node;
		if (node->avl_parent == saved)
			node->avl_parent = root;
		check_rejected(&tree, "parent link");
		node->avl_parent = saved;
		node->avl_which ^= 1;
		check_rejected(&tree, "which link");
		node->avl_which ^= 1;
		check_verify(&tree, "links repaired", k);
	}
	root->avl_parent = &items[0].it_node;
	check_rejected(&tree, "root parent");
	root->avl_parent = NULL;

	/* The count, both ways. */
	tree.avl_numnodes++;
	check_rejected(&tree, "count too high");
	tree.avl_numnodes -= 2;
	check_rejected(&tree, "count too low");
	tree.avl_numnodes++;

	/* A reason that does not fit is cut short, not overrun. */
	items[40].it_key = 41;
	memset(tiny, 'x', sizeof (tiny));
	CHECK(avl_verify(&tree, tiny, sizeof (tiny)) == -1);
	CHECK(tiny[sizeof (tiny) - 1] == '\0');
	CHECK(avl_verify(&tree, NULL, 0) == -1);
	items[40].it_key = 40;
	check_verify(&tree, "all repaired", 0);

	while (!avl_is_empty(&tree))
		avl_remove(&tree, avl_first(&tree));
	avl_destroy(&tree);

	/*
	 * A chain 0 -> 1 -> 2 whose balance factors are honest (+2, +1, 0)
	 * but which is not an AVL tree.
	 */
	tree_create(&tree);
	for (k = 0; k < 3; k++) {
		chain[k].it_key = k;
		chain[k].it_node.avl_child[0] = NULL;
		chain[k].it_node.avl_child[1] =
		    k < 2 ? &chain[k + 1].it_node : NULL;
		chain[k].it_node.avl_parent =
		    k > 0 ? &chain[k - 1].it_node : NULL;
		chain[k].it_node.avl_which = 1;
		chain[k].it_node.avl_balance = (int8_t)(2 - k);
	}
	chain[0].it_node.avl_which = 0;
	tree.avl_root = &chain[0].it_node;
	tree.avl_numnodes = 3;
	check_rejected(&tree, "unbalanced chain");
	tree.avl_root = NULL;
	tree.avl_numnodes = 0;
	avl_destroy(&tree);
}

int
main(void)
{
	const char *env = getenv("AVL_TEST_SEED");
	uint64_t seed = DEFAULT_SEED;

	if (env != NULL && *env != '\0') {
		char *end;

		seed = strtoull(env, &end, 0);
		if (*end != '\0') {
			fprintf(stderr, "AVL_TEST_SEED=%s: not a number\n",
			    env);
			return (TEST_EXIT_ERROR);
		}
	}
	fprintf(stderr, "avl_test: seed %#llx (set AVL_TEST_SEED to replay)\n",
	    (unsigned long long)seed);

	/* Random run first: it verifies each step while the tree is small. */
	test_empty();
	test_random(seed);
	rng_state = seed ^ 0x5a5a5a5a5a5a5a5aULL;
	test_contract();
	test_verify_detects();
	test_insert_here();
	test_destroy_nodes(0);
	test_destroy_nodes(1);
	test_destroy_nodes(2);
	test_destroy_nodes(10000);
	test_shapes();
	return (test_done());
}
