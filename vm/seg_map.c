/*
 * seg_map.c -- window slots over a guest's physical memory, recycled
 * least recently used (see <porthole/seg_map.h>).
 *
 * Every slot is on one LRU list, most recently used first; empty slots
 * sit at the tail, so they are taken before a loaded one is evicted.  A
 * hash of slot-aligned frame numbers finds a slot that already holds a
 * range.  A slot with holds (getmap pins and F_SOFTLOCK pins) is never
 * evicted.
 *
 * Written slots over a provider whose writes are private (an image
 * opened as a copy: see private_writes in vm/physmem.h) are kept: a slot
 * written through (getmap for writing, a write fault) is dirty, and
 * evicting it first saves its bytes in map_saved, keyed by the slot's
 * first frame; filling that range again puts them back over the
 * provider's pages.  So a copy stays a copy however many times its
 * slots are recycled; its cost is the bytes of the slots ever written.
 * Over a live domain writes reach the guest and nothing is kept.
 *
 * State (s_lock guards all of it): map_slot[] (key, holds, dirty,
 * links), map_hash[] (chains through map_slot), map_bad[] (per page of a
 * slot: 0 or its errno), map_saved (the saved slots).
 *
 * The fault op only admits pages of loaded slots (FC_NOMAP otherwise):
 * what a slot shows changes as slots are recycled, so the way in is
 * segmap_getmap.  ENOTSUP, and why: setprot (fixed at create), sync and
 * lockop (nothing to write back; pins are holds), dup, pagelock, partial
 * unmap (the slots are one pool).
 */
#include "config.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include <porthole/seg_map.h>
#include "vm/avl.h"
#include "vm/physmem.h"
#include "vm/seg.h"
#include "vm/seg_map_impl.h"
#include "vm/vm_alloc.h"

#define	MAP_NONE	SIZE_MAX
#define	MAP_EMPTY	UINT64_MAX	/* key of a slot holding nothing */

struct map_slot {
	uint64_t	ms_key;		/* first frame held, or MAP_EMPTY */
	size_t		ms_hnext;	/* hash chain */
	size_t		ms_prev, ms_next; /* LRU */
	uint32_t	ms_holds;
	bool		ms_dirty;	/* written: save before evicting */
};

/* The bytes of a written slot's range, kept while it is not loaded. */
struct map_saved {
	avl_node_t	sv_node;
	uint64_t	sv_key;		/* the range's first frame */
	unsigned char	sv_data[];	/* one slot's bytes */
};

struct segmap_data {
	struct physmem	*map_pm;
	size_t		map_spages;	/* pages per slot */
	size_t		map_nslots;
	unsigned	map_prot;
	int		map_flags;
	bool		map_keep;	/* writable, over private writes */
	struct map_slot	*map_slot;
	size_t		*map_hash;
	size_t		map_hmask;
	unsigned char	*map_bad;	/* nslots * spages */
	int		*map_err;	/* provider scratch */
	size_t		map_lru_head, map_lru_tail;
	size_t		map_loaded, map_held;
	avl_tree_t	map_saved;	/* struct map_saved by sv_key */
	uint64_t	map_hits, map_fills, map_evictions;
};

static struct seg_ops segmap_ops;

static inline struct segmap_data *
segmap_data(const struct seg *seg)
{
	return (seg->s_data);
}

static size_t
map_hash_of(const struct segmap_data *map, uint64_t key)
{
	return ((size_t)((key * 0x9E3779B97F4A7C15ULL) >> 17) &
	    map->map_hmask);
}

static void
map_lru_unlink(struct segmap_data *map, size_t i)
{
	struct map_slot *s = map->map_slot;

	if (s[i].ms_prev != MAP_NONE)
		s[s[i].ms_prev].ms_next = s[i].ms_next;
	else
		map->map_lru_head = s[i].ms_next;
	if (s[i].ms_next != MAP_NONE)
		s[s[i].ms_next].ms_prev = s[i].ms_prev;
	else
		map->map_lru_tail = s[i].ms_prev;
}

static void
map_lru_push_head(struct segmap_data *map, size_t i)
{
	struct map_slot *s = map->map_slot;

	s[i].ms_prev = MAP_NONE;
	s[i].ms_next = map->map_lru_head;
	if (map->map_lru_head != MAP_NONE)
		s[map->map_lru_head].ms_prev = i;
	else
		map->map_lru_tail = i;
	map->map_lru_head = i;
}

static void
map_lru_push_tail(struct segmap_data *map, size_t i)
{
	struct map_slot *s = map->map_slot;

	s[i].ms_next = MAP_NONE;
	s[i].ms_prev = map->map_lru_tail;
	if (map->map_lru_tail != MAP_NONE)
		s[map->map_lru_tail].ms_next = i;
	else
		map->map_lru_head = i;
	map->map_lru_tail = i;
}

static size_t
map_find(const struct segmap_data *map, uint64_t key)
{
	size_t i;

	for (i = map->map_hash[map_hash_of(map, key)]; i != MAP_NONE;
	    i = map->map_slot[i].ms_hnext) {
		if (map->map_slot[i].ms_key == key)
			return (i);
	}
	return (MAP_NONE);
}

static void
map_hash_remove(struct segmap_data *map, size_t i)
{
	size_t *pp = &map->map_hash[map_hash_of(map, map->map_slot[i].ms_key)];

	while (*pp != i) {
		assert(*pp != MAP_NONE);
		pp = &map->map_slot[*pp].ms_hnext;
	}
	*pp = map->map_slot[i].ms_hnext;
}

static caddr_t
map_slot_addr(const struct seg *seg, size_t i)
{
	return (seg->s_base + ptob(i * segmap_data(seg)->map_spages));
}

static int
map_saved_compar(const void *a, const void *b)
{
	uint64_t ka = ((const struct map_saved *)a)->sv_key;
	uint64_t kb = ((const struct map_saved *)b)->sv_key;

	return (ka < kb ? -1 : ka > kb ? 1 : 0);
}

static struct map_saved *
map_saved_find(struct segmap_data *map, uint64_t key)
{
	struct map_saved probe;

	probe.sv_key = key;
	return (avl_find(&map->map_saved, &probe, NULL));
}

/*
 * Save the readable pages of dirty slot i (the others are reserved and
 * were never written); 0 or ENOMEM.
 */
static int
map_save(struct seg *seg, size_t i)
{
	struct segmap_data *map = segmap_data(seg);
	struct map_saved *sv;
	size_t p;

	if ((sv = map_saved_find(map, map->map_slot[i].ms_key)) == NULL) {
		if ((sv = vm_zalloc(sizeof (*sv) +
		    ptob(map->map_spages))) == NULL)
			return (ENOMEM);
		sv->sv_key = map->map_slot[i].ms_key;
		avl_add(&map->map_saved, sv);
	}
	for (p = 0; p < map->map_spages; p++) {
		if (map->map_bad[i * map->map_spages + p] == 0)
			memcpy(sv->sv_data + ptob(p),
			    map_slot_addr(seg, i) + ptob(p), PAGESIZE);
	}
	return (0);
}

/*
 * Slot i was just filled with key's range: put back what was written to
 * it, over the pages the provider mapped (map_err 0: writable; holes
 * shown as zero pages were never written).
 */
static void
map_restore(struct seg *seg, size_t i)
{
	struct segmap_data *map = segmap_data(seg);
	struct map_saved *sv = map_saved_find(map, map->map_slot[i].ms_key);
	size_t p;

	if (sv == NULL)
		return;
	for (p = 0; p < map->map_spages; p++) {
		if (map->map_err[p] == 0)
			memcpy(map_slot_addr(seg, i) + ptob(p),
			    sv->sv_data + ptob(p), PAGESIZE);
	}
	map->map_slot[i].ms_dirty = true;
}

/*
 * Empty slot i (unpinned) and move it to the tail, saving what was
 * written to it first when the segment keeps writes and keep is true.
 * 0, or ENOMEM (nothing saved, the slot still loaded).
 */
static int
map_evict(struct seg *seg, size_t i, bool keep)
{
	struct segmap_data *map = segmap_data(seg);
	int err;

	assert(map->map_slot[i].ms_holds == 0);
	if (map->map_slot[i].ms_key == MAP_EMPTY)
		return (0);
	if (keep && map->map_keep && map->map_slot[i].ms_dirty &&
	    (err = map_save(seg, i)) != 0)
		return (err);
	physmem_unmap(map->map_pm, map_slot_addr(seg, i), map->map_spages);
	memset(map->map_bad + i * map->map_spages, 0, map->map_spages);
	map_hash_remove(map, i);
	map->map_slot[i].ms_key = MAP_EMPTY;
	map->map_slot[i].ms_dirty = false;
	map->map_loaded--;
	map->map_evictions++;
	map_lru_unlink(map, i);
	map_lru_push_tail(map, i);
	return (0);
}

/* A slot holding key, filling the least recently used free one. */
static int
map_fill(struct seg *seg, uint64_t key, size_t *slotp)
{
	struct segmap_data *map = segmap_data(seg);
	size_t i;
	int err;

	for (i = map->map_lru_tail; i != MAP_NONE;
	    i = map->map_slot[i].ms_prev) {
		if (map->map_slot[i].ms_holds == 0)
			break;
	}
	if (i == MAP_NONE)
		return (EBUSY);
	if ((err = map_evict(seg, i, true)) != 0)
		return (err);
	err = physmem_fill(map->map_pm, key, map->map_spages,
	    map_slot_addr(seg, i), map->map_prot,
	    (map->map_flags & SEGMAP_HOLES_ZERO) != 0, map->map_err,
	    map->map_bad + i * map->map_spages);
	if (err != 0)
		return (err);
	map->map_slot[i].ms_key = key;
	map->map_slot[i].ms_hnext = map->map_hash[map_hash_of(map, key)];
	map->map_hash[map_hash_of(map, key)] = i;
	map->map_loaded++;
	map->map_fills++;
	if (map->map_keep)
		map_restore(seg, i);
	*slotp = i;
	return (0);
}

void *
segmap_getmap_rw(struct seg *seg, uint64_t gpa, size_t *availp, bool write)
{
	struct segmap_data *map;
	uint64_t gfn, key;
	size_t i, page, good;
	caddr_t p;
	int err = 0;

	if (seg == NULL || seg->s_ops != &segmap_ops) {
		errno = EINVAL;
		return (NULL);
	}
	map = segmap_data(seg);
	gfn = gpa / PAGESIZE;
	if (gfn >= physmem_nframes(map->map_pm)) {
		errno = EINVAL;
		return (NULL);
	}
	key = gfn & ~(uint64_t)(map->map_spages - 1);
	(void) pthread_mutex_lock(&seg->s_lock);
	if ((i = map_find(map, key)) != MAP_NONE)
		map->map_hits++;
	else
		err = map_fill(seg, key, &i);
	if (err == 0) {
		map_lru_unlink(map, i);
		map_lru_push_head(map, i);
		page = i * map->map_spages + (size_t)(gfn - key);
		err = map->map_bad[page];
	}
	if (err != 0) {
		(void) pthread_mutex_unlock(&seg->s_lock);
		errno = err;
		return (NULL);
	}
	/* Readable up to the slot's end or its next bad page. */
	for (good = page + 1; good < (i + 1) * map->map_spages &&
	    map->map_bad[good] == 0; good++)
		;
	if (map->map_slot[i].ms_holds++ == 0)
		map->map_held++;
	if (write)
		map->map_slot[i].ms_dirty = true;
	(void) pthread_mutex_unlock(&seg->s_lock);
	p = map_slot_addr(seg, i) + (gpa - key * PAGESIZE);
	if (availp != NULL)
		*availp = (size_t)(seg->s_base + ptob(good) - p);
	return (p);
}

/* The public way in may be written through wherever the slot allows. */
void *
segmap_getmap(struct seg *seg, uint64_t gpa, size_t *availp)
{
	bool write = seg != NULL && seg->s_ops == &segmap_ops &&
	    (segmap_data(seg)->map_prot & PROT_WRITE) != 0;

	return (segmap_getmap_rw(seg, gpa, availp, write));
}

static void
map_unhold(struct segmap_data *map, size_t i)
{
	assert(map->map_slot[i].ms_holds > 0);
	if (--map->map_slot[i].ms_holds == 0)
		map->map_held--;
}

void
segmap_release(struct seg *seg, const void *ptr)
{
	struct segmap_data *map = segmap_data(seg);
	size_t i = btop((size_t)((const char *)ptr - seg->s_base)) /
	    map->map_spages;

	assert((const char *)ptr >= seg->s_base &&
	    (const char *)ptr < seg->s_base + seg->s_size);
	(void) pthread_mutex_lock(&seg->s_lock);
	map_unhold(map, i);
	(void) pthread_mutex_unlock(&seg->s_lock);
}

static faultcode_t
segmap_fault(struct seg *seg, caddr_t addr, size_t len, enum fault_type type,
    enum seg_rw rw)
{
	struct segmap_data *map = segmap_data(seg);
	size_t page = btop((size_t)(addr - seg->s_base)), end = page +
	    btop(len), p, i, first = page / map->map_spages, last = first;
	faultcode_t fc = 0;

	if (type != F_SOFTUNLOCK &&
	    ((rw == S_WRITE && !(map->map_prot & PROT_WRITE)) ||
	    rw == S_EXEC))
		return (FC_PROT);
	(void) pthread_mutex_lock(&seg->s_lock);
	for (p = page; p < end && fc == 0; p++) {
		i = p / map->map_spages;
		if (type != F_SOFTUNLOCK &&
		    (map->map_slot[i].ms_key == MAP_EMPTY ||
		    map->map_bad[p] != 0))
			fc = FC_NOMAP;
	}
	/*
	 * One hold per slot touched, taken or dropped all together; a
	 * write fault marks the slots written.
	 */
	if (fc == 0 && end > page) {
		last = (end - 1) / map->map_spages;
		for (i = first; i <= last; i++) {
			if (type == F_SOFTUNLOCK)
				map_unhold(map, i);
			else if (type == F_SOFTLOCK &&
			    map->map_slot[i].ms_holds++ == 0)
				map->map_held++;
			if (type != F_SOFTUNLOCK && rw == S_WRITE)
				map->map_slot[i].ms_dirty = true;
		}
	}
	(void) pthread_mutex_unlock(&seg->s_lock);
	return (fc);
}

static void
segmap_data_free(struct segmap_data *map)
{
	struct map_saved *sv;
	void *cookie = NULL;

	if (map == NULL)
		return;
	while ((sv = avl_destroy_nodes(&map->map_saved, &cookie)) != NULL)
		vm_free(sv);
	avl_destroy(&map->map_saved);
	if (map->map_pm != NULL)
		physmem_rele(map->map_pm);
	vm_free(map->map_slot);
	vm_free(map->map_hash);
	vm_free(map->map_bad);
	vm_free(map->map_err);
	vm_free(map);
}

int
segmap_create(struct seg *seg, void *create_args)
{
	const struct segmap_crargs *a = create_args;
	struct segmap_data *map;
	size_t slot, i, nhash;

	seg_ops_register(&segmap_ops);
	if (a == NULL || a->pm == NULL)
		return (EINVAL);
	slot = a->slot != 0 ? a->slot : SEGMAP_DEFAULT_SLOT;
	if (slot < PAGESIZE || (slot & (slot - 1)) != 0 ||
	    seg->s_size % slot != 0 ||
	    (a->prot & ~(unsigned)(PROT_READ | PROT_WRITE)) != 0 ||
	    !(a->prot & PROT_READ) || (a->flags & ~SEGMAP_HOLES_ZERO) != 0)
		return (EINVAL);
	if ((map = vm_zalloc(sizeof (*map))) == NULL)
		return (ENOMEM);
	map->map_spages = btop(slot);
	map->map_nslots = seg->s_size / slot;
	map->map_prot = a->prot;
	map->map_flags = a->flags;
	map->map_keep = (a->prot & PROT_WRITE) != 0 &&
	    a->pm->pm_ops->private_writes;
	avl_create(&map->map_saved, map_saved_compar,
	    sizeof (struct map_saved), offsetof(struct map_saved, sv_node));
	for (nhash = 1; nhash < 2 * map->map_nslots; nhash <<= 1)
		;
	map->map_hmask = nhash - 1;
	map->map_slot = vm_zalloc_array(map->map_nslots,
	    sizeof (struct map_slot));
	map->map_hash = vm_zalloc_array(nhash, sizeof (size_t));
	map->map_bad = vm_zalloc(map->map_nslots * map->map_spages);
	map->map_err = vm_zalloc_array(map->map_spages, sizeof (int));
	if (map->map_slot == NULL || map->map_hash == NULL ||
	    map->map_bad == NULL || map->map_err == NULL) {
		segmap_data_free(map);
		return (ENOMEM);
	}
	for (i = 0; i < nhash; i++)
		map->map_hash[i] = MAP_NONE;
	map->map_lru_head = map->map_lru_tail = MAP_NONE;
	for (i = 0; i < map->map_nslots; i++) {
		map->map_slot[i].ms_key = MAP_EMPTY;
		map->map_slot[i].ms_hnext = MAP_NONE;
		map_lru_push_tail(map, i);
	}
	physmem_hold(a->pm);
	map->map_pm = a->pm;
	seg_attach(seg, &segmap_ops, map);
	return (0);
}

static void
segmap_free(struct seg *seg)
{
	segmap_data_free(segmap_data(seg));
	seg->s_data = NULL;
}

static int
segmap_unmap(struct seg *seg, caddr_t addr, size_t len)
{
	struct segmap_data *map = segmap_data(seg);
	size_t i;

	if (addr != seg->s_base || len != seg->s_size)
		return (ENOTSUP);
	if (map->map_held != 0)
		return (EBUSY);
	for (i = 0; i < map->map_nslots; i++)
		(void) map_evict(seg, i, false);
	seg_free(seg);
	return (0);
}

static int
segmap_checkprot(struct seg *seg, caddr_t addr, size_t len, unsigned prot)
{
	(void) addr, (void) len;
	return ((prot & ~segmap_data(seg)->map_prot) == 0 ? 0 : EACCES);
}

static int
segmap_getprot(struct seg *seg, caddr_t addr, size_t len, unsigned *protv)
{
	size_t i;

	(void) addr;
	for (i = 0; i < btop(len); i++)
		protv[i] = segmap_data(seg)->map_prot;
	return (0);
}

static int
segmap_kluster(struct seg *seg, caddr_t addr, ssize_t delta)
{
	size_t spages = segmap_data(seg)->map_spages;
	caddr_t target = addr + delta;

	if (target < seg->s_base || target >= seg->s_base + seg->s_size)
		return (-1);
	return (btop((size_t)(addr - seg->s_base)) / spages ==
	    btop((size_t)(target - seg->s_base)) / spages ? 0 : -1);
}

static int
segmap_incore(struct seg *seg, caddr_t addr, size_t len, unsigned char *vec)
{
	struct segmap_data *map = segmap_data(seg);
	size_t page = btop((size_t)(addr - seg->s_base)), i;

	(void) pthread_mutex_lock(&seg->s_lock);
	for (i = 0; i < btop(len); i++) {
		size_t p = page + i;

		vec[i] = map->map_slot[p / map->map_spages].ms_key !=
		    MAP_EMPTY && map->map_bad[p] == 0;
	}
	(void) pthread_mutex_unlock(&seg->s_lock);
	return (0);
}

/* The guest physical address a window page shows, or UINT64_MAX. */
static uint64_t
segmap_getoffset(struct seg *seg, caddr_t addr)
{
	struct segmap_data *map = segmap_data(seg);
	size_t page = btop((size_t)(addr - seg->s_base));
	uint64_t key;

	(void) pthread_mutex_lock(&seg->s_lock);
	key = map->map_slot[page / map->map_spages].ms_key;
	(void) pthread_mutex_unlock(&seg->s_lock);
	if (key == MAP_EMPTY)
		return (UINT64_MAX);
	return ((key + page % map->map_spages) * PAGESIZE +
	    ((uintptr_t)addr & PAGEOFFSET));
}

static int
segmap_gettype(struct seg *seg, caddr_t addr)
{
	(void) seg, (void) addr;
	return (MAP_SHARED);
}

static void
segmap_dump(struct seg *seg, char *buf, size_t len)
{
	struct segmap_data *map = segmap_data(seg);
	char prov[160], kept[48] = "";

	physmem_describe(map->map_pm, prov, sizeof (prov));
	(void) pthread_mutex_lock(&seg->s_lock);
	if (map->map_keep)
		(void) snprintf(kept, sizeof (kept), ", %zu written saved",
		    avl_numnodes(&map->map_saved));
	(void) snprintf(buf, len, "%s; %zu/%zu slots of %zu KiB loaded, "
	    "%zu held%s", prov, map->map_loaded, map->map_nslots,
	    ptob(map->map_spages) >> 10, map->map_held, kept);
	(void) pthread_mutex_unlock(&seg->s_lock);
}

int
segmap_stats(struct seg *seg, struct segmap_stats *st)
{
	struct segmap_data *map;

	if (seg == NULL || st == NULL || seg->s_ops != &segmap_ops) {
		errno = EINVAL;
		return (-1);
	}
	map = segmap_data(seg);
	(void) pthread_mutex_lock(&seg->s_lock);
	st->ms_slots = map->map_nslots;
	st->ms_loaded = map->map_loaded;
	st->ms_held = map->map_held;
	st->ms_hits = map->map_hits;
	st->ms_fills = map->map_fills;
	st->ms_evictions = map->map_evictions;
	(void) pthread_mutex_unlock(&seg->s_lock);
	return (0);
}

static struct seg_ops segmap_ops = {
	.name = "segmap_ops",
	.unmap = segmap_unmap,
	.free = segmap_free,
	.fault = segmap_fault,
	.checkprot = segmap_checkprot,
	.kluster = segmap_kluster,
	.incore = segmap_incore,
	.getprot = segmap_getprot,
	.getoffset = segmap_getoffset,
	.gettype = segmap_gettype,
	.dump = segmap_dump,
};
