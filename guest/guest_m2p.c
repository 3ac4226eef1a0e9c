/*
 * guest_m2p.c -- machine frame -> guest frame for a Xen PV guest, whose
 * page tables hold machine frames: the guest's p2m (pfn -> mfn, from the
 * live domain or an xc-core file's .xen_p2m) inverted once and searched
 * by halving.  An mfn two pfns claim keeps the lower pfn (a hostile or
 * torn p2m cannot make a lookup ambiguous).
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "guest/guest_impl.h"

static int
m2p_cmp(const void *a, const void *b)
{
	const struct image_p2m *x = a, *y = b;

	if (x->ip_mfn != y->ip_mfn)
		return (x->ip_mfn < y->ip_mfn ? -1 : 1);
	if (x->ip_pfn != y->ip_pfn)
		return (x->ip_pfn < y->ip_pfn ? -1 : 1);
	return (0);
}

int
guest_m2p_build(struct guest_m2p *m, const struct image_p2m *pairs, size_t n)
{
	size_t i, j;

	m->gm_ent = NULL;
	m->gm_n = 0;
	if (n == 0)
		return (0);
	if (n > SIZE_MAX / sizeof (*pairs) ||
	    (m->gm_ent = malloc(n * sizeof (*pairs))) == NULL)
		return (ENOMEM);
	memcpy(m->gm_ent, pairs, n * sizeof (*pairs));
	qsort(m->gm_ent, n, sizeof (*pairs), m2p_cmp);
	for (i = j = 0; i < n; i++) {
		if (j > 0 && m->gm_ent[j - 1].ip_mfn == m->gm_ent[i].ip_mfn)
			continue;
		m->gm_ent[j++] = m->gm_ent[i];
	}
	m->gm_n = j;
	return (0);
}

void
guest_m2p_free(struct guest_m2p *m)
{
	free(m->gm_ent);
	m->gm_ent = NULL;
	m->gm_n = 0;
}

bool
guest_m2p_lookup(const struct guest_m2p *m, uint64_t mfn, uint64_t *pfnp)
{
	size_t lo = 0, hi = m->gm_n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (m->gm_ent[mid].ip_mfn < mfn)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == m->gm_n || m->gm_ent[lo].ip_mfn != mfn)
		return (false);
	*pfnp = m->gm_ent[lo].ip_pfn;
	return (true);
}
