/*
 * guest/linux/linux_cache.h -- a derived Linux profile cached on disk,
 * so that opening the same kernel again skips the searches (kallsyms,
 * BTF) that made it.
 *
 * Keyed by the kernel's build ID ("build-<hex>", from VMCOREINFO or a
 * vmlinux) or else a hash of its banner ("banner-<hex>").  One file per
 * key, <dir>/linux-<key>.profile, written atomically (a temporary file
 * in the same directory, fsync, rename, fsync of the directory), in a
 * versioned text format with the raw BTF appended and a checksum of
 * everything before it on the last line:
 *
 *	porthole-linux-profile 1
 *	key KEY
 *	release R
 *	banner TEXT
 *	ptr_size 8|4
 *	kallsyms HEX		(link-time address of the token table;
 *				 optional)
 *	S HEX NAME		symbol, link-time address
 *	N HEX NAME		number
 *	M HEX HEX TYPE NAME	member: offset, size
 *	Z HEX TYPE		size
 *	btf LEN			then LEN raw bytes and a newline
 *	end HEX			FNV-1a 64 of every byte before "end"
 *
 * Addresses are link-time (runtime less the KASLR slide), so one file
 * serves every boot of the kernel; the caller adds the slide on load.
 * A file that does not parse, has another version, another key or a bad
 * checksum is refused (EINVAL, with a sentence), never half-used; the
 * caller then rediscovers and rewrites it.
 *
 * The directory: the caller's, else $PORTHOLE_CACHE_DIR, else
 * $XDG_CACHE_HOME/porthole, else $HOME/.cache/porthole; made (0700) when
 * missing.
 */
#ifndef PORTHOLE_GUEST_LINUX_CACHE_H
#define PORTHOLE_GUEST_LINUX_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "guest/linux/linux_profile.h"

#define	LCACHE_VERSION		1
#define	LCACHE_KEY_MAX		160
#define	LCACHE_MAX_FILE		(256u << 20)

struct lcache {
	char		lc_key[LCACHE_KEY_MAX];
	char		lc_release[65];
	char		*lc_banner;		/* malloc'd */
	unsigned	lc_ptr_size;
	bool		lc_has_kallsyms;
	uint64_t	lc_kallsyms;		/* link-time token table */
	struct linux_profile *lc_prof;		/* link-time entries, no BTF */
	void		*lc_btf;		/* malloc'd raw BTF, or NULL */
	size_t		lc_btf_len;
};

/* The cache directory for dir (may be NULL): 0 or ENOENT (no home). */
int	lcache_dir(const char *dir, char *buf, size_t len);

/* Keys: "build-<hex>" (hex checked) or "banner-<hash>": 0 or EINVAL. */
int	lcache_key_build_id(const char *hex, char *key, size_t len);
void	lcache_key_banner(const char *banner, char *key, size_t len);

/*
 * Load the profile cached for key from dir into c (c->lc_prof made
 * here).  0, ENOENT (no file), EINVAL (refused: errbuf says why), ENOMEM,
 * or the file's errno.
 */
int	lcache_load(const char *dir, const char *key, struct lcache *c,
	    char *errbuf, size_t errlen);

/*
 * Write c (its key, release, banner, pointer size, kallsyms location,
 * the explicit entries of c->lc_prof and the BTF) to dir, atomically:
 * 0 or an errno (errbuf says which step failed).
 */
int	lcache_store(const char *dir, const struct lcache *c, char *errbuf,
	    size_t errlen);

void	lcache_fini(struct lcache *c);

#endif /* PORTHOLE_GUEST_LINUX_CACHE_H */
