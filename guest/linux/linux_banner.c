/*
 * linux_banner.c -- the kernel's banner in physical memory and its
 * virtual address (see linux_banner.h for what counts as the banner and
 * how candidates are ranked).
 *
 * Non-goals: banners of kernels that changed init/version.c's format
 * (a vendor string before the release is fine; no "#" version, or text
 * over LBANNER_MAX bytes, is not a banner here), and telling two
 * identical copies with equal evidence apart beyond preferring the lower
 * address (the caller checks the winner against the page tables or
 * kallsyms when it can).
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "guest/linux/linux_banner.h"

static const char lbanner_prefix[] = "Linux version ";
static const char lbanner_proc[] = "%s version %s (";

#define	LBANNER_PREFIX_LEN	(sizeof (lbanner_prefix) - 1)
#define	LBANNER_NEAR		1024u	/* where linux_proc_banner may be */

size_t
lbanner_parse(const char *s, size_t len, struct lbanner *b)
{
	const char *nl, *rel, *p;
	size_t rlen, tlen, i;

	if (len < LBANNER_PREFIX_LEN ||
	    memcmp(s, lbanner_prefix, LBANNER_PREFIX_LEN) != 0)
		return (0);
	if (len > LBANNER_MAX + 1)
		len = LBANNER_MAX + 1;
	if ((nl = memchr(s, '\n', len)) == NULL)
		return (0);
	tlen = (size_t)(nl - s);
	for (i = 0; i < tlen; i++) {
		if ((unsigned char)s[i] < ' ' || (unsigned char)s[i] > '~')
			return (0);
	}
	rel = s + LBANNER_PREFIX_LEN;
	for (rlen = 0; rel + rlen < nl && rel[rlen] != ' '; rlen++)
		;
	if (rlen == 0 || rlen > LBANNER_RELEASE_MAX || rel + rlen + 2 > nl ||
	    rel[rlen + 1] != '(')
		return (0);
	/* UTS_VERSION: "#N ...", after the release. */
	for (p = rel + rlen; p + 2 < nl; p++) {
		if (p[0] == ' ' && p[1] == '#' && p[2] >= '0' && p[2] <= '9')
			break;
	}
	if (p + 2 >= nl)
		return (0);
	memcpy(b->lb_text, s, tlen);
	b->lb_text[tlen] = '\0';
	memcpy(b->lb_release, rel, rlen);
	b->lb_release[rlen] = '\0';
	return (tlen + 1);
}

struct lbanner_search {
	const struct lk_mem *bs_mem;
	const char	*bs_release;
	struct lbanner	*bs_out;
	unsigned	bs_max;
	unsigned	bs_kept;
	unsigned	bs_found;
	struct lbanner	bs_cand;
	char		bs_buf[2 * LBANNER_NEAR + LBANNER_MAX + 2];
};

/* linux_proc_banner within LBANNER_NEAR bytes of the banner at pa? */
static bool
lbanner_proc_near(struct lbanner_search *bs, uint64_t pa, size_t blen)
{
	uint64_t start = pa > LBANNER_NEAR ? pa - LBANNER_NEAR : 0;
	size_t want = (size_t)(pa - start) + blen + LBANNER_NEAR, n, i;
	const size_t pl = sizeof (lbanner_proc) - 1;

	/* Readable from start, or else from the banner itself. */
	if ((n = lk_mem_read_some(bs->bs_mem, start, bs->bs_buf, want)) == 0 &&
	    (n = lk_mem_read_some(bs->bs_mem, pa, bs->bs_buf,
	    blen + LBANNER_NEAR)) == 0)
		return (false);
	for (i = 0; i + pl <= n; i++) {
		if (bs->bs_buf[i] == '%' &&
		    memcmp(bs->bs_buf + i, lbanner_proc, pl) == 0)
			return (true);
	}
	return (false);
}

/* Keep the candidate in bs_out, ranked (score down, address up). */
static void
lbanner_keep(struct lbanner_search *bs)
{
	unsigned i, at;

	bs->bs_found++;
	for (at = 0; at < bs->bs_kept; at++) {
		if (bs->bs_cand.lb_score > bs->bs_out[at].lb_score)
			break;
	}
	if (at >= bs->bs_max)
		return;
	if (bs->bs_kept < bs->bs_max)
		bs->bs_kept++;
	for (i = bs->bs_kept - 1; i > at; i--)
		bs->bs_out[i] = bs->bs_out[i - 1];
	bs->bs_out[at] = bs->bs_cand;
}

static int
lbanner_candidate(void *arg, uint64_t pa)
{
	struct lbanner_search *bs = arg;
	struct lbanner *c = &bs->bs_cand;
	unsigned all = LBANNER_NUL | LBANNER_PROC;
	size_t n, blen;

	n = lk_mem_read_some(bs->bs_mem, pa, bs->bs_buf, LBANNER_MAX + 2);
	if ((blen = lbanner_parse(bs->bs_buf, n, c)) == 0)
		return (0);
	c->lb_pa = pa;
	c->lb_score = 0;
	if (blen < n && bs->bs_buf[blen] == '\0')
		c->lb_score |= LBANNER_NUL;
	if (bs->bs_release != NULL) {
		all |= LBANNER_RELEASE;
		if (strcmp(c->lb_release, bs->bs_release) == 0)
			c->lb_score |= LBANNER_RELEASE;
	}
	if (lbanner_proc_near(bs, pa, blen))
		c->lb_score |= LBANNER_PROC;
	lbanner_keep(bs);
	return (c->lb_score == all ? 1 : 0);
}

int
lbanner_find(const struct lk_mem *phys, uint64_t lo, uint64_t hi,
    const char *release, struct lbanner *out, unsigned max, unsigned *np)
{
	struct lbanner_search *bs;
	int rv;

	if (np != NULL)
		*np = 0;
	if (max == 0 || (bs = calloc(1, sizeof (*bs))) == NULL)
		return (max == 0 ? EINVAL : ENOMEM);
	bs->bs_mem = phys;
	bs->bs_release = release;
	bs->bs_out = out;
	bs->bs_max = max;
	rv = lk_mem_scan(phys, lo, hi, lbanner_prefix, LBANNER_PREFIX_LEN, 0,
	    lbanner_candidate, bs);
	if (np != NULL)
		*np = bs->bs_found;
	if (rv == 1 || (rv == 0 && bs->bs_found > 0))
		rv = 0;
	else if (rv == 0)
		rv = ENOENT;
	free(bs);
	return (rv);
}

/* Does va translate to pa?  On a miss, *spanp says how far to move on. */
static bool
lbanner_va_is(const struct lk_v2p *x, uint64_t va, uint64_t pa,
    uint64_t *vap, uint64_t *spanp)
{
	uint64_t got = 0, span = 0;

	if (x->lx_v2p(x->lx_arg, va, &got, &span) != 0) {
		*spanp = span;
		return (false);
	}
	*spanp = span;
	if (pa < got || pa - got >= span)
		return (false);
	*vap = va + (pa - got);
	return (true);
}

int
lbanner_va(const struct lk_v2p *x, uint64_t pa, uint64_t va_lo,
    uint64_t va_hi, uint64_t align, uint64_t *vap)
{
	uint64_t va, span, step;

	if (va_lo >= va_hi)
		return (ENOENT);
	if (align != 0 && (align & (align - 1)) == 0 && align >= LK_PAGE_SIZE) {
		va = (va_lo & ~(align - 1)) + (pa & (align - 1));
		if (va < va_lo)
			va += align;
		for (; va >= va_lo && va < va_hi; va += align) {
			if (lbanner_va_is(x, va, pa, vap, &span))
				return (0);
			if (va_hi - va <= align)
				break;
		}
	}
	for (va = va_lo; va < va_hi; va += step) {
		if (lbanner_va_is(x, va, pa, vap, &span))
			return (0);
		step = LK_PAGE_SIZE - (va % LK_PAGE_SIZE);
		if (span > step)
			step = span;
		if (va_hi - va <= step)
			break;
	}
	return (ENOENT);
}
