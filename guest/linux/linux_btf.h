/*
 * guest/linux/linux_btf.h -- a Linux kernel's BTF (the type information
 * the kernel carries between __start_BTF and __stop_BTF, or a vmlinux's
 * .BTF section): structure sizes and member offsets for the profile.
 *
 * The blob is parsed by libbpf (btf__new) from a private copy; the copy
 * is kept for the on-disk cache (lbtf_data).  Without libbpf at build
 * time every open fails with ENOTSUP and says so.
 *
 * Lookups: a type by name is a struct, else a union, else a typedef
 * (followed through typedefs and qualifiers) naming one of them, else
 * any sized type of that name (an int, an enum).  A member is found by
 * its name among the type's members and, recursively, the members of
 * its anonymous struct and union members (at most LBTF_MAX_NESTING deep),
 * with the offsets added up.
 *
 * Hostile input: the blob is bounded (LBTF_MAX_BLOB), libbpf checks its
 * headers and sections; every type id it hands back is checked before
 * use, nesting and typedef chains are bounded.
 *
 * Errors: 0 or a positive errno: ENOENT (no such type or member),
 * ENOTSUP (a bitfield member, or no libbpf), EINVAL (a blob libbpf
 * refuses, a size it cannot resolve), ENOMEM.
 *
 * Thread safety: an open lbtf is read-only; lookups may run in parallel.
 */
#ifndef PORTHOLE_GUEST_LINUX_BTF_H
#define PORTHOLE_GUEST_LINUX_BTF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct lbtf;

#define	LBTF_MAX_BLOB		(64u << 20)	/* a kernel's is ~5 MiB */
#define	LBTF_MAX_NESTING	16

/* True when this build can parse BTF (it has libbpf). */
bool	lbtf_supported(void);

/*
 * Parse len bytes of raw BTF at data (copied).  0 with *out set, or an
 * errno with errbuf (may be NULL) saying why.
 */
int	lbtf_open(const void *data, size_t len, struct lbtf **out,
	    char *errbuf, size_t errlen);
void	lbtf_close(struct lbtf *b);

/* The raw blob (for the cache) and its length. */
const void *lbtf_data(const struct lbtf *b, size_t *lenp);
/* How many types the blob holds. */
uint32_t lbtf_ntypes(const struct lbtf *b);

/* The size of the named type: 0 or an errno. */
int	lbtf_size(const struct lbtf *b, const char *type, uint64_t *sizep);
/*
 * The byte offset and size of type's member (see above): 0 or an errno
 * (ENOTSUP: the member is a bitfield).
 */
int	lbtf_member(const struct lbtf *b, const char *type,
	    const char *member, uint64_t *offp, uint64_t *sizep);

#endif /* PORTHOLE_GUEST_LINUX_BTF_H */
