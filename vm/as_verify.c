/*
 * as_verify.c -- the address-space verifier (as_verify) that tests run
 * after every step and debug builds run after every change.
 *
 * It checks the segtree (through avl_verify), every segment against the
 * window and its neighbours, the lookup hint and index against the tree,
 * and -- on hosts with /proc/self/maps -- that the window has no hole and
 * that every page outside a segment is still a PROT_NONE reservation.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm/as.h"
#include "vm/seg.h"

static int
as_verify_fail(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	if (why != NULL && whylen > 0) {
		va_start(ap, fmt);
		(void) vsnprintf(why, whylen, fmt, ap);
		va_end(ap);
	}
	errno = EINVAL;
	return (-1);
}

/* The segments, the hint and the index.  Caller holds a_lock. */
static int
as_verify_segtree(struct as *as, char *why, size_t whylen)
{
	uintptr_t wlo = (uintptr_t)as->a_base, whi = wlo + as->a_size;
	uintptr_t prev_end = wlo;
	struct seg *seg, *hint;
	struct as_index *ai;
	size_t i = 0;

	if (avl_verify(&as->a_segtree, why, whylen) != 0) {
		errno = EINVAL;
		return (-1);
	}
	for (seg = avl_first(&as->a_segtree); seg != NULL;
	    seg = avl_next(&as->a_segtree, seg), i++) {
		uintptr_t b = (uintptr_t)seg->s_base;

		if (seg->s_as != as)
			return (as_verify_fail(why, whylen,
			    "segment %#" PRIxPTR " belongs to another as", b));
		if (seg->s_size == 0 || !IS_P2ALIGNED(b, PAGESIZE) ||
		    !IS_P2ALIGNED(seg->s_size, PAGESIZE))
			return (as_verify_fail(why, whylen,
			    "segment %#" PRIxPTR "+%#zx is not page aligned",
			    b, seg->s_size));
		if (b < prev_end)
			return (as_verify_fail(why, whylen,
			    "segment %#" PRIxPTR " overlaps the one below "
			    "(which ends at %#" PRIxPTR ")", b, prev_end));
		if (b >= whi || seg->s_size > whi - b)
			return (as_verify_fail(why, whylen,
			    "segment %#" PRIxPTR "+%#zx leaves the window",
			    b, seg->s_size));
		if (seg->s_ops == NULL || !seg->s_ops->registered)
			return (as_verify_fail(why, whylen,
			    "segment %#" PRIxPTR " has no registered ops", b));
		prev_end = b + seg->s_size;
	}
	hint = atomic_load(&as->a_seglast);
	if (hint != NULL && avl_find(&as->a_segtree, hint, NULL) != hint)
		return (as_verify_fail(why, whylen,
		    "the lookup hint is not a segment of the tree"));
	ai = atomic_load(&as->a_index);
	if (ai != NULL) {
		if (ai->ai_gen != as->a_gen || ai->ai_n != i)
			return (as_verify_fail(why, whylen,
			    "the lookup index is stale (generation %" PRIu64
			    " of %" PRIu64 ", %zu of %zu segments)",
			    ai->ai_gen, as->a_gen, ai->ai_n, i));
		for (seg = avl_first(&as->a_segtree); seg != NULL;
		    seg = avl_next(&as->a_segtree, seg)) {
			size_t slot;

			if (as_index_lookup(ai, (uintptr_t)seg->s_base +
			    seg->s_size - 1, 0, &slot) != seg)
				return (as_verify_fail(why, whylen,
				    "the lookup index misses segment %p",
				    (void *)seg->s_base));
		}
	}
	return (0);
}

/*
 * The host's view of the window: one line of /proc/self/maps at a time,
 * every byte of the window must be mapped, and bytes outside segments
 * must be "---p" reservations.  Skipped where the file does not exist.
 */
static int
as_verify_host(struct as *as, char *why, size_t whylen)
{
	uintptr_t wlo = (uintptr_t)as->a_base, whi = wlo + as->a_size;
	uintptr_t covered = wlo;
	char line[512];
	FILE *fp;
	int rv = 0;

	fp = fopen("/proc/self/maps", "re");
	if (fp == NULL)
		return (0);
	while (rv == 0 && fgets(line, sizeof (line), fp) != NULL) {
		uintptr_t lo, hi, a;
		char perms[5];

		if (sscanf(line, "%" SCNxPTR "-%" SCNxPTR " %4s", &lo, &hi,
		    perms) != 3)
			continue;
		if (hi <= wlo || lo >= whi)
			continue;
		if (lo < wlo)
			lo = wlo;
		if (hi > whi)
			hi = whi;
		if (lo > covered) {
			rv = as_verify_fail(why, whylen, "the window has a "
			    "hole at %#" PRIxPTR "-%#" PRIxPTR, covered, lo);
			break;
		}
		covered = hi > covered ? hi : covered;
		if (strcmp(perms, "---p") == 0)
			continue;
		/* Accessible pages: each must lie in a segment. */
		for (a = lo; a < hi; ) {
			struct seg *seg = as_findseg(as, (void *)a, 1);

			if (seg == NULL || (uintptr_t)seg->s_base > a) {
				rv = as_verify_fail(why, whylen, "host pages "
				    "%#" PRIxPTR " (%s) lie outside every "
				    "segment", a, perms);
				break;
			}
			a = (uintptr_t)seg->s_base + seg->s_size;
		}
	}
	(void) fclose(fp);
	if (rv == 0 && covered < whi)
		rv = as_verify_fail(why, whylen, "the window has a hole at "
		    "%#" PRIxPTR "-%#" PRIxPTR, covered, whi);
	return (rv);
}

int
as_verify(struct as *as, char *why, size_t whylen)
{
	int rv;

	(void) pthread_rwlock_rdlock(&as->a_lock);
	rv = as_verify_segtree(as, why, whylen);
	if (rv == 0)
		rv = as_verify_host(as, why, whylen);
	(void) pthread_rwlock_unlock(&as->a_lock);
	return (rv);
}

#ifdef PH_DEBUG
/* Debug builds: after each change, with a_lock held as writer. */
void
as_verify_or_abort(struct as *as)
{
	char why[256];

	if (as_verify_segtree(as, why, sizeof (why)) != 0) {
		(void) fprintf(stderr, "porthole: address space %p is "
		    "corrupt: %s\n", (void *)as, why);
		abort();
	}
}
#endif
