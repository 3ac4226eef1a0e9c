/*
 * guest/linux/linux_impl.h -- the Linux layer's handle and the bounded
 * readers every view uses.  Internal to guest/linux/.
 *
 * Reads go through the kernel's address space (lk_space) with the
 * guest handle's translation cache.  A reader either reads everything
 * asked or fails (EFAULT: not mapped/not resident; EIO: unreadable); a
 * field read checks the member's size against the buffer.
 */
#ifndef PORTHOLE_GUEST_LINUX_IMPL_H
#define PORTHOLE_GUEST_LINUX_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <porthole/guest.h>
#include <porthole/linux.h>

#include "guest/le_decode.h"
#include "guest/linux/linux_profile.h"

/* Bounds on walks through guest lists and trees. */
#define	LINUX_MAX_TASKS		(1u << 20)
#define	LINUX_MAX_MODULES	4096u
#define	LINUX_MAX_VMAS		(1u << 20)

struct linux_kernel {
	struct guest		*lk_guest;
	struct linux_profile	*lk_prof;
	struct guest_space	lk_space;	/* the kernel's page tables */
	unsigned		lk_ptr_size;	/* 8, or 4 (32-bit kernel) */
	uint64_t		lk_kaslr;	/* image slide */
	char			lk_release[65];
	char			*lk_banner;
	char			lk_source[64];	/* linux_profile_source */
};

/* Read len bytes at kernel virtual address va: 0 or an errno. */
int	lk_read(struct linux_kernel *lk, uint64_t va, void *buf, size_t len);
/* A pointer (lk_ptr_size bytes, zero-extended), u32, u64. */
int	lk_read_ptr(struct linux_kernel *lk, uint64_t va, uint64_t *out);
int	lk_read_u32(struct linux_kernel *lk, uint64_t va, uint32_t *out);
int	lk_read_u64(struct linux_kernel *lk, uint64_t va, uint64_t *out);
/*
 * A NUL-terminated string of at most len - 1 bytes at va (truncated,
 * always terminated): 0 or an errno.
 */
int	lk_read_str(struct linux_kernel *lk, uint64_t va, char *buf,
	    size_t len);
/*
 * The member type.member of the object at base, as an unsigned integer
 * of the member's size (1, 2, 4 or 8 bytes), or a pointer: 0 or an
 * errno (ENOENT: the profile does not know the member).
 */
int	lk_field(struct linux_kernel *lk, uint64_t base, const char *type,
	    const char *member, uint64_t *out);
/*
 * The same for a member whose width the caller knows from the kernel's
 * source (VMCOREINFO's OFFSET lines give offsets without sizes; the
 * profile records those with size 0): read width (1, 2, 4 or 8) bytes;
 * EINVAL when the profile has a size and it is not width.
 */
int	lk_field_width(struct linux_kernel *lk, uint64_t base,
	    const char *type, const char *member, size_t width,
	    uint64_t *out);
/*
 * What a space of the kernel's mode takes as its root for the page
 * table at kernel address va (a pgd): its physical address, or for a
 * Xen PV guest the machine address; 0 or an errno.
 */
int	lk_kernel_root(struct linux_kernel *lk, uint64_t va, uint64_t *rootp);

/* The member's offset: 0 or ENOENT. */
int	lk_offset(struct linux_kernel *lk, const char *type,
	    const char *member, uint64_t *offp);

#endif /* PORTHOLE_GUEST_LINUX_IMPL_H */
