/*
 * seg_kpm.c -- a guest's physical address space as one linear window
 * (see <porthole/seg_kpm.h>).
 *
 * The segment is cut into klusters.  A fault on an empty kluster asks the
 * provider to map all of its frames in one call; frames the provider could
 * not map are holes, kept reserved (per-page error) or loaded as read-only
 * zero pages (SEGKPM_HOLES_ZERO).  Loaded klusters sit on an LRU list;
 * with a cap, filling a kluster first evicts the least recently used one
 * that no F_SOFTLOCK pins.
 *
 * State (s_lock guards all of it; faults of one segment serialise on it):
 *	kpm_kl[k]	per kluster: loaded?, pin count, LRU links
 *	kpm_bad[p]	per page of a loaded kluster: 0 or its errno
 *
 * Ops that return ENOTSUP, and why: setprot (the protection is fixed at
 * create: a kpm window is a view of a provider, not memory of its own),
 * sync (nothing to write back: image pages are never written through),
 * lockop (pin with F_SOFTLOCK instead: it also holds off eviction),
 * pagelock, dup.  Partial unmap is refused: the window spans the whole
 * physical address space by definition.
 */
#include "config.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include <porthole/seg_kpm.h>
#include "vm/physmem.h"
#include "vm/seg.h"
#include "vm/vm_alloc.h"

#define	KPM_NONE	SIZE_MAX	/* end of the LRU list */

struct kpm_kluster {
	size_t		kk_prev, kk_next;	/* LRU, most recent first */
	uint32_t	kk_softlock;		/* pins */
	bool		kk_loaded;
};

struct segkpm_data {
	struct physmem		*kpm_pm;
	size_t			kpm_kpages;	/* pages per kluster */
	size_t			kpm_nklusters;
	size_t			kpm_cap;	/* klusters; 0: no cap */
	size_t			kpm_resident;	/* klusters loaded */
	unsigned		kpm_prot;
	int			kpm_flags;
	struct kpm_kluster	*kpm_kl;
	size_t			kpm_kl_bytes;
	unsigned char		*kpm_bad;	/* per page */
	size_t			kpm_bad_bytes;
	int			*kpm_err;	/* provider scratch, kpages */
	size_t			kpm_lru_head, kpm_lru_tail;
	uint64_t		kpm_fills, kpm_evictions;
};

static struct seg_ops segkpm_ops;

static inline struct segkpm_data *
segkpm_data(const struct seg *seg)
{
	return (seg->s_data);
}

static void
kpm_lru_unlink(struct segkpm_data *kpm, size_t k)
{
	struct kpm_kluster *kl = kpm->kpm_kl;

	if (kl[k].kk_prev != KPM_NONE)
		kl[kl[k].kk_prev].kk_next = kl[k].kk_next;
	else
		kpm->kpm_lru_head = kl[k].kk_next;
	if (kl[k].kk_next != KPM_NONE)
		kl[kl[k].kk_next].kk_prev = kl[k].kk_prev;
	else
		kpm->kpm_lru_tail = kl[k].kk_prev;
	kl[k].kk_prev = kl[k].kk_next = KPM_NONE;
}

static void
kpm_lru_push(struct segkpm_data *kpm, size_t k)
{
	struct kpm_kluster *kl = kpm->kpm_kl;

	kl[k].kk_prev = KPM_NONE;
	kl[k].kk_next = kpm->kpm_lru_head;
	if (kpm->kpm_lru_head != KPM_NONE)
		kl[kpm->kpm_lru_head].kk_prev = k;
	else
		kpm->kpm_lru_tail = k;
	kpm->kpm_lru_head = k;
}

static caddr_t
kpm_kluster_addr(const struct seg *seg, size_t k)
{
	return (seg->s_base + ptob(k * segkpm_data(seg)->kpm_kpages));
}

/* Pages of kluster k inside the segment (the last one may be short). */
static size_t
kpm_kluster_pages(const struct seg *seg, size_t k)
{
	const struct segkpm_data *kpm = segkpm_data(seg);
	size_t first = k * kpm->kpm_kpages, total = btop(seg->s_size);

	return (total - first < kpm->kpm_kpages ? total - first :
	    kpm->kpm_kpages);
}

static void
kpm_evict(struct seg *seg, size_t k)
{
	struct segkpm_data *kpm = segkpm_data(seg);
	size_t npages = kpm_kluster_pages(seg, k);

	assert(kpm->kpm_kl[k].kk_loaded && kpm->kpm_kl[k].kk_softlock == 0);
	physmem_unmap(kpm->kpm_pm, kpm_kluster_addr(seg, k), npages);
	memset(kpm->kpm_bad + k * kpm->kpm_kpages, 0, npages);
	kpm_lru_unlink(kpm, k);
	kpm->kpm_kl[k].kk_loaded = false;
	kpm->kpm_resident--;
	kpm->kpm_evictions++;
}

/* Make room under the cap: 0, or ENOMEM when every kluster is pinned. */
static int
kpm_make_room(struct seg *seg)
{
	struct segkpm_data *kpm = segkpm_data(seg);
	size_t k;

	while (kpm->kpm_cap != 0 && kpm->kpm_resident >= kpm->kpm_cap) {
		for (k = kpm->kpm_lru_tail; k != KPM_NONE;
		    k = kpm->kpm_kl[k].kk_prev) {
			if (kpm->kpm_kl[k].kk_softlock == 0)
				break;
		}
		if (k == KPM_NONE)
			return (ENOMEM);
		kpm_evict(seg, k);
	}
	return (0);
}

/* Fill kluster k from the provider: 0 or an errno. */
static int
kpm_fill(struct seg *seg, size_t k)
{
	struct segkpm_data *kpm = segkpm_data(seg);
	int err;

	if ((err = kpm_make_room(seg)) != 0)
		return (err);
	err = physmem_fill(kpm->kpm_pm, (uint64_t)k * kpm->kpm_kpages,
	    kpm_kluster_pages(seg, k), kpm_kluster_addr(seg, k),
	    kpm->kpm_prot, (kpm->kpm_flags & SEGKPM_HOLES_ZERO) != 0,
	    kpm->kpm_err, kpm->kpm_bad + k * kpm->kpm_kpages);
	if (err != 0)
		return (err);
	kpm->kpm_fills++;
	kpm->kpm_kl[k].kk_loaded = true;
	kpm->kpm_resident++;
	kpm_lru_push(kpm, k);
	return (0);
}

/* The first bad page's errno in [first, first + n) of the segment, or 0. */
static int
kpm_bad_in(const struct segkpm_data *kpm, size_t first, size_t n)
{
	size_t i;

	for (i = first; i < first + n; i++) {
		if (kpm->kpm_bad[i] != 0)
			return (kpm->kpm_bad[i]);
	}
	return (0);
}

static faultcode_t
segkpm_fault(struct seg *seg, caddr_t addr, size_t len, enum fault_type type,
    enum seg_rw rw)
{
	struct segkpm_data *kpm = segkpm_data(seg);
	size_t page = btop((size_t)(addr - seg->s_base));
	size_t end = page + btop(len), k, k0 = page / kpm->kpm_kpages, p;
	faultcode_t fc = 0;

	if (type != F_SOFTUNLOCK &&
	    ((rw == S_WRITE && !(kpm->kpm_prot & PROT_WRITE)) ||
	    rw == S_EXEC))
		return (FC_PROT);
	(void) pthread_mutex_lock(&seg->s_lock);
	for (k = k0, p = page; p < end; k++) {
		size_t kend = (k + 1) * kpm->kpm_kpages;
		size_t n = (kend < end ? kend : end) - p;
		int err;

		if (type == F_SOFTUNLOCK) {
			assert(kpm->kpm_kl[k].kk_softlock > 0);
			kpm->kpm_kl[k].kk_softlock--;
			p += n;
			continue;
		}
		if (!kpm->kpm_kl[k].kk_loaded) {
			if ((err = kpm_fill(seg, k)) != 0) {
				fc = FC_MAKE_ERR(err);
				break;
			}
		} else if (kpm->kpm_lru_head != k) {
			kpm_lru_unlink(kpm, k);
			kpm_lru_push(kpm, k);
		}
		if ((err = kpm_bad_in(kpm, p, n)) != 0) {
			fc = FC_MAKE_ERR(err);
			break;
		}
		if (type == F_SOFTLOCK)
			kpm->kpm_kl[k].kk_softlock++;
		p += n;
	}
	/* A failed F_SOFTLOCK drops the pins it took, from the same start. */
	if (fc != 0 && type == F_SOFTLOCK) {
		size_t j;

		for (j = k0; j < k; j++)
			kpm->kpm_kl[j].kk_softlock--;
	}
	(void) pthread_mutex_unlock(&seg->s_lock);
	return (fc);
}

static faultcode_t
segkpm_faulta(struct seg *seg, caddr_t addr)
{
	return (segkpm_fault(seg, (caddr_t)P2ALIGN(addr, PAGESIZE), PAGESIZE,
	    F_INVAL, S_READ));
}

static void
segkpm_data_free(struct segkpm_data *kpm)
{
	if (kpm == NULL)
		return;
	physmem_rele(kpm->kpm_pm);
	vm_free_table(kpm->kpm_kl, kpm->kpm_kl_bytes);
	vm_free_table(kpm->kpm_bad, kpm->kpm_bad_bytes);
	vm_free(kpm->kpm_err);
	vm_free(kpm);
}

int
segkpm_create(struct seg *seg, void *create_args)
{
	const struct segkpm_crargs *a = create_args;
	size_t kluster, k;
	struct segkpm_data *kpm;

	seg_ops_register(&segkpm_ops);
	if (a == NULL || a->pm == NULL)
		return (EINVAL);
	kluster = a->kluster != 0 ? a->kluster : SEGKPM_DEFAULT_KLUSTER;
	if (kluster < PAGESIZE || (kluster & (kluster - 1)) != 0 ||
	    (a->cap != 0 && a->cap < kluster) ||
	    (a->prot & ~(unsigned)(PROT_READ | PROT_WRITE)) != 0 ||
	    !(a->prot & PROT_READ) || (a->flags & ~SEGKPM_HOLES_ZERO) != 0 ||
	    btop(seg->s_size) < physmem_nframes(a->pm))
		return (EINVAL);

	if ((kpm = vm_zalloc(sizeof (*kpm))) == NULL)
		return (ENOMEM);
	kpm->kpm_kpages = btop(kluster);
	kpm->kpm_nklusters = (btop(seg->s_size) + kpm->kpm_kpages - 1) /
	    kpm->kpm_kpages;
	kpm->kpm_cap = a->cap / kluster;
	kpm->kpm_prot = a->prot;
	kpm->kpm_flags = a->flags;
	kpm->kpm_lru_head = kpm->kpm_lru_tail = KPM_NONE;
	kpm->kpm_kl_bytes = kpm->kpm_nklusters * sizeof (struct kpm_kluster);
	kpm->kpm_bad_bytes = kpm->kpm_nklusters * kpm->kpm_kpages;
	kpm->kpm_kl = vm_zalloc_table(kpm->kpm_kl_bytes);
	kpm->kpm_bad = vm_zalloc_table(kpm->kpm_bad_bytes);
	kpm->kpm_err = vm_zalloc_array(kpm->kpm_kpages, sizeof (int));
	if (kpm->kpm_kl == NULL || kpm->kpm_bad == NULL ||
	    kpm->kpm_err == NULL) {
		segkpm_data_free(kpm);	/* pm not held yet: NULL */
		return (ENOMEM);
	}
	for (k = 0; k < kpm->kpm_nklusters; k++)
		kpm->kpm_kl[k].kk_prev = kpm->kpm_kl[k].kk_next = KPM_NONE;
	physmem_hold(a->pm);
	kpm->kpm_pm = a->pm;
	seg_attach(seg, &segkpm_ops, kpm);
	return (0);
}

static void
segkpm_free(struct seg *seg)
{
	segkpm_data_free(segkpm_data(seg));
	seg->s_data = NULL;
}

static int
segkpm_unmap(struct seg *seg, caddr_t addr, size_t len)
{
	struct segkpm_data *kpm = segkpm_data(seg);
	size_t k;

	if (addr != seg->s_base || len != seg->s_size)
		return (ENOTSUP);
	for (k = 0; k < kpm->kpm_nklusters; k++) {
		if (kpm->kpm_kl[k].kk_softlock != 0)
			return (EBUSY);
	}
	while (kpm->kpm_lru_head != KPM_NONE)
		kpm_evict(seg, kpm->kpm_lru_head);
	seg_free(seg);
	return (0);
}

static int
segkpm_checkprot(struct seg *seg, caddr_t addr, size_t len, unsigned prot)
{
	(void) addr, (void) len;
	return ((prot & ~segkpm_data(seg)->kpm_prot) == 0 ? 0 : EACCES);
}

static int
segkpm_getprot(struct seg *seg, caddr_t addr, size_t len, unsigned *protv)
{
	size_t i;

	(void) addr;
	for (i = 0; i < btop(len); i++)
		protv[i] = segkpm_data(seg)->kpm_prot;
	return (0);
}

static int
segkpm_kluster(struct seg *seg, caddr_t addr, ssize_t delta)
{
	size_t kpages = segkpm_data(seg)->kpm_kpages;
	caddr_t target = addr + delta;

	if (target < seg->s_base || target >= seg->s_base + seg->s_size)
		return (-1);
	return (btop((size_t)(addr - seg->s_base)) / kpages ==
	    btop((size_t)(target - seg->s_base)) / kpages ? 0 : -1);
}

/* Mapped and not a hole: what the window can really be read at. */
static int
segkpm_incore(struct seg *seg, caddr_t addr, size_t len, unsigned char *vec)
{
	struct segkpm_data *kpm = segkpm_data(seg);
	size_t page = btop((size_t)(addr - seg->s_base)), i;

	(void) pthread_mutex_lock(&seg->s_lock);
	for (i = 0; i < btop(len); i++) {
		size_t p = page + i;

		vec[i] = kpm->kpm_kl[p / kpm->kpm_kpages].kk_loaded &&
		    kpm->kpm_bad[p] == 0;
	}
	(void) pthread_mutex_unlock(&seg->s_lock);
	return (0);
}

static uint64_t
segkpm_getoffset(struct seg *seg, caddr_t addr)
{
	return ((uint64_t)(addr - seg->s_base));	/* the gpa */
}

static int
segkpm_gettype(struct seg *seg, caddr_t addr)
{
	(void) seg, (void) addr;
	return (MAP_SHARED);
}

static int
segkpm_advise(struct seg *seg, caddr_t addr, size_t len, int behav)
{
	if (behav != MADV_WILLNEED)
		return (ENOTSUP);
	return (fc_to_errno(segkpm_fault(seg, addr, len, F_INVAL, S_READ)));
}

static void
segkpm_dump(struct seg *seg, char *buf, size_t len)
{
	struct segkpm_data *kpm = segkpm_data(seg);
	char prov[160], cap[32] = "no cap";

	physmem_describe(kpm->kpm_pm, prov, sizeof (prov));
	if (kpm->kpm_cap != 0)
		(void) snprintf(cap, sizeof (cap), "cap %zu",
		    kpm->kpm_cap);
	(void) pthread_mutex_lock(&seg->s_lock);
	(void) snprintf(buf, len, "%s; %zu/%zu klusters of %zu KiB resident "
	    "(%s), holes %s", prov, kpm->kpm_resident, kpm->kpm_nklusters,
	    ptob(kpm->kpm_kpages) >> 10, cap,
	    (kpm->kpm_flags & SEGKPM_HOLES_ZERO) ? "read as zeros" :
	    "fail");
	(void) pthread_mutex_unlock(&seg->s_lock);
}

int
segkpm_stats(struct seg *seg, struct segkpm_stats *st)
{
	struct segkpm_data *kpm;

	if (seg == NULL || st == NULL || seg->s_ops != &segkpm_ops) {
		errno = EINVAL;
		return (-1);
	}
	kpm = segkpm_data(seg);
	(void) pthread_mutex_lock(&seg->s_lock);
	st->ks_klusters = kpm->kpm_nklusters;
	st->ks_resident = kpm->kpm_resident;
	st->ks_fills = kpm->kpm_fills;
	st->ks_evictions = kpm->kpm_evictions;
	(void) pthread_mutex_unlock(&seg->s_lock);
	return (0);
}

static struct seg_ops segkpm_ops = {
	.name = "segkpm_ops",
	.unmap = segkpm_unmap,
	.free = segkpm_free,
	.fault = segkpm_fault,
	.faulta = segkpm_faulta,
	.checkprot = segkpm_checkprot,
	.kluster = segkpm_kluster,
	.incore = segkpm_incore,
	.getprot = segkpm_getprot,
	.getoffset = segkpm_getoffset,
	.gettype = segkpm_gettype,
	.advise = segkpm_advise,
	.dump = segkpm_dump,
};
