/*
 * guest/linux/linux_vmcoreinfo.h -- VMCOREINFO: the text a Linux kernel
 * keeps for dump tools ("OSRELEASE=6.1.0-27-amd64\nPAGESIZE=4096\n..."),
 * parsed into a profile; and the kernel's own copy found in guest
 * physical memory when an image carries no VMCOREINFO note.
 *
 * Lines and where they go:
 *	OSRELEASE=R		lv_release
 *	BUILD-ID=HEX		lv_build_id (lower-case hex)
 *	PAGESIZE=N		lv_pagesize
 *	KERNELOFFSET=HEX	lv_kerneloffset (the KASLR slide)
 *	CRASHTIME=N		lv_crashtime
 *	SYMBOL(x)=HEX		symbol x
 *	NUMBER(x)=N		number x (signed decimal, or 0x hex)
 *	OFFSET(t.m)=N		member t.m, size 0 (unknown)
 *	SIZE(t)=N		size of t
 *	LENGTH(x)=N		number "LENGTH(x)"
 *	CONFIG_X=y		number "CONFIG_X" = 1
 * Anything else is counted in lv_ignored.
 *
 * Hostile input: the text ends at its length, at a NUL, or at
 * LVMCI_MAX_TEXT bytes; a line longer than LVMCI_MAX_LINE, a name that
 * is not an identifier, a value that does not parse or overflows, is
 * passed over and counted in lv_bad.  Text without a usable OSRELEASE is
 * refused (EINVAL).
 */
#ifndef PORTHOLE_GUEST_LINUX_VMCOREINFO_H
#define PORTHOLE_GUEST_LINUX_VMCOREINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "guest/linux/linux_mem.h"
#include "guest/linux/linux_profile.h"

#define	LVMCI_MAX_TEXT		(64u << 10)
#define	LVMCI_MAX_LINE		512u
#define	LVMCI_RELEASE_MAX	64u	/* __NEW_UTS_LEN */
#define	LVMCI_BUILD_ID_MAX	64u	/* bytes; the kernel's is 20 */

struct lvmci {
	char		lv_release[LVMCI_RELEASE_MAX + 1];
	char		lv_build_id[2 * LVMCI_BUILD_ID_MAX + 1];
	uint64_t	lv_pagesize;		/* 0: not given */
	bool		lv_has_kerneloffset;
	uint64_t	lv_kerneloffset;
	bool		lv_has_crashtime;
	int64_t		lv_crashtime;
	unsigned	lv_entries;		/* lines understood */
	unsigned	lv_ignored;		/* well-formed, not known */
	unsigned	lv_bad;			/* malformed, passed over */
};

/*
 * Parse len bytes of text (up to a NUL) into out and, when p is not
 * NULL, the profile.  0, or EINVAL (no usable OSRELEASE: errbuf says
 * so), or an errno of the profile (ENOMEM).
 */
int	lvmci_parse(const char *text, size_t len, struct lvmci *out,
	    struct linux_profile *p, char *errbuf, size_t errlen);

/*
 * Find the kernel's VMCOREINFO buffer in physical memory: the first page
 * in [lo, hi) that starts with "OSRELEASE=" and whose text (to the first
 * NUL, at most one page) parses with a release and a page size.  0 with
 * *pap set and the text copied to buf (NUL-terminated; buflen at least
 * LK_PAGE_SIZE + 1), *lenp its length; ENOENT when no page qualifies.
 */
int	lvmci_find(const struct lk_mem *phys, uint64_t lo, uint64_t hi,
	    uint64_t *pap, char *buf, size_t buflen, size_t *lenp);

#endif /* PORTHOLE_GUEST_LINUX_VMCOREINFO_H */
