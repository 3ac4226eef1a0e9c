/*
 * guest/linux/linux_banner.h -- the kernel's `linux_banner` found in
 * guest physical memory, and the virtual address the kernel maps it at
 * (from which the KASLR slide follows).
 *
 * The banner is init/version.c's
 *	"Linux version R (USER@HOST) (COMPILER) #N ...\n"
 * a NUL-terminated string in the kernel image's read-only data.  Copies
 * of it lie around memory: the kernel log holds the text without the
 * newline, a process that read /proc/version holds it in its buffers.
 * So a candidate must have the form (release, " (", a "#" version, one
 * line of printable text ending in a newline), and candidates are ranked
 * by the evidence that they are the original: a NUL right after the
 * newline; linux_proc_banner ("%s version %s (...") near it, as
 * init/version.c puts it; the release the caller expects.
 *
 * The virtual address: the kernel image is mapped in one range (x86_64:
 * 0xffffffff80000000 + 1 GiB; i386: the direct map at PAGE_OFFSET), at a
 * slide that keeps 2 MiB alignment on x86_64.  lbanner_va probes the
 * congruent addresses first (one translation per 2 MiB) and then walks
 * the range page by page, passing over what the walk says is unmapped.
 */
#ifndef PORTHOLE_GUEST_LINUX_BANNER_H
#define PORTHOLE_GUEST_LINUX_BANNER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "guest/linux/linux_mem.h"

#define	LBANNER_MAX		1024u	/* bytes of banner text, at most */
#define	LBANNER_RELEASE_MAX	64u

/* Evidence, in lb_score. */
#define	LBANNER_NUL		0x1u	/* NUL after the newline */
#define	LBANNER_PROC		0x2u	/* linux_proc_banner nearby */
#define	LBANNER_RELEASE		0x4u	/* the release asked for */

struct lbanner {
	uint64_t	lb_pa;
	char		lb_text[LBANNER_MAX + 1];	/* without the newline */
	char		lb_release[LBANNER_RELEASE_MAX + 1];
	unsigned	lb_score;			/* LBANNER_* */
};

/*
 * Check that the len bytes at s (from "Linux version ") start with a
 * banner and fill b's text and release (b->lb_pa and lb_score are left
 * alone).  Returns the banner's length with its newline, or 0 when s
 * holds no banner.
 */
size_t	lbanner_parse(const char *s, size_t len, struct lbanner *b);

/*
 * Find banners in [lo, hi) of physical memory, best first (by score,
 * then address): at most max of them in out[], *np (may be NULL) told
 * how many there were.  release (may be NULL) is the release expected.
 * The scan stops early at a banner with every piece of evidence.
 * Returns 0 when there was at least one, ENOENT when none, or the
 * scan's errno.
 */
int	lbanner_find(const struct lk_mem *phys, uint64_t lo, uint64_t hi,
	    const char *release, struct lbanner *out, unsigned max,
	    unsigned *np);

/*
 * The virtual address in [va_lo, va_hi) that x maps to physical address
 * pa: 0 with *vap, or ENOENT.  align (a power of two, 0 for none): try
 * first the addresses congruent to pa modulo align.
 */
int	lbanner_va(const struct lk_v2p *x, uint64_t pa, uint64_t va_lo,
	    uint64_t va_hi, uint64_t align, uint64_t *vap);

#endif /* PORTHOLE_GUEST_LINUX_BANNER_H */
