/*
 * linux_read.c -- the bounded readers every Linux view uses (see
 * linux_impl.h): bytes, pointers, integers, strings and profile members
 * at kernel virtual addresses, through the kernel's address space and
 * the guest handle's translation cache.
 *
 * Every reader is all-or-nothing: it fills the caller's buffer or fails
 * with EFAULT (the address is not mapped, wraps around the address
 * space, or lies in a hole of the image) or EIO (the memory could not be
 * read).  Integers are little endian (x86), whatever the host.
 *
 * A member's width comes from the profile (lk_field) or from the caller
 * (lk_field_width, for members whose type the code knows but whose size
 * the profile may not: VMCOREINFO's OFFSET lines give no size).  A width
 * that is not 1, 2, 4 or 8 bytes is refused (EINVAL): the member is not
 * an integer or a pointer.
 *
 * lk_kernel_root gives the root a process space takes for a pgd.
 *
 * Non-goals: big-endian guests; members reached through a dotted path
 * (the views read nested structures one level at a time).
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "guest/linux/linux_impl.h"

/* The address bits of an x86 page-table entry (bits 12-51). */
#define	X86_ADDR_MASK		0x000ffffffffff000ULL

/* Strings are read a page at a time so that one ending early is enough. */
#define	LK_PAGE_SIZE	4096u

/* The readers' errno for why a virtual read stopped. */
static int
lk_fault_errno(const struct guest_fault *why)
{
	switch (why->gf_errno) {
	case 0:			/* stopped with no reason given */
	case EIO:
		return (EIO);
	default:		/* ENXIO (a hole), EFAULT, ... */
		return (EFAULT);
	}
}

int
lk_read(struct linux_kernel *lk, uint64_t va, void *buf, size_t len)
{
	struct guest_fault why;
	size_t done;

	if (len == 0)
		return (0);
	if (va + (len - 1) < va)
		return (EFAULT);
	memset(&why, 0, sizeof (why));
	done = guest_vread(lk->lk_guest, &lk->lk_space, va, buf, len, &why);
	if (done == len)
		return (0);
	return (lk_fault_errno(&why));
}

static int
lk_read_uint(struct linux_kernel *lk, uint64_t va, size_t width,
    uint64_t *out)
{
	unsigned char b[8];
	int err;

	if (width != 1 && width != 2 && width != 4 && width != 8)
		return (EINVAL);
	if ((err = lk_read(lk, va, b, width)) != 0)
		return (err);
	*out = le_decode(b, width);
	return (0);
}

int
lk_read_ptr(struct linux_kernel *lk, uint64_t va, uint64_t *out)
{
	return (lk_read_uint(lk, va, lk->lk_ptr_size, out));
}

int
lk_read_u32(struct linux_kernel *lk, uint64_t va, uint32_t *out)
{
	uint64_t v;
	int err;

	if ((err = lk_read_uint(lk, va, 4, &v)) != 0)
		return (err);
	*out = (uint32_t)v;
	return (0);
}

int
lk_read_u64(struct linux_kernel *lk, uint64_t va, uint64_t *out)
{
	return (lk_read_uint(lk, va, 8, out));
}

int
lk_read_str(struct linux_kernel *lk, uint64_t va, char *buf, size_t len)
{
	size_t done = 0, chunk;
	int err;

	if (len == 0)
		return (EINVAL);
	while (done < len - 1) {
		chunk = LK_PAGE_SIZE - ((va + done) & (LK_PAGE_SIZE - 1));
		if (chunk > len - 1 - done)
			chunk = len - 1 - done;
		if ((err = lk_read(lk, va + done, buf + done, chunk)) != 0) {
			buf[0] = '\0';
			return (err);
		}
		if (memchr(buf + done, '\0', chunk) != NULL)
			return (0);
		done += chunk;
	}
	buf[len - 1] = '\0';
	return (0);
}

int
lk_offset(struct linux_kernel *lk, const char *type, const char *member,
    uint64_t *offp)
{
	uint64_t size;

	return (lprof_member(lk->lk_prof, type, member, offp, &size));
}

int
lk_field(struct linux_kernel *lk, uint64_t base, const char *type,
    const char *member, uint64_t *out)
{
	uint64_t off, size;
	int err;

	if ((err = lprof_member(lk->lk_prof, type, member, &off, &size)) != 0)
		return (err);
	if (base + off < base)
		return (EFAULT);
	return (lk_read_uint(lk, base + off, (size_t)size, out));
}

int
lk_field_width(struct linux_kernel *lk, uint64_t base, const char *type,
    const char *member, size_t width, uint64_t *out)
{
	uint64_t off, size;
	int err;

	if ((err = lprof_member(lk->lk_prof, type, member, &off, &size)) != 0)
		return (err);
	if (size != 0 && size != width)
		return (EINVAL);
	if (base + off < base)
		return (EFAULT);
	return (lk_read_uint(lk, base + off, width, out));
}

/*
 * What a space of the kernel's mode takes as its root for the table at
 * kernel address va: the physical address the kernel's page tables give
 * it, or, for a Xen PV guest (gs_machine: its tables hold machine
 * frames), the machine address the leaf entry holds.
 */
int
lk_kernel_root(struct linux_kernel *lk, uint64_t va, uint64_t *rootp)
{
	struct guest_v2p v2p;
	uint64_t entry;

	memset(&v2p, 0, sizeof (v2p));
	if (guest_v2p(lk->lk_guest, &lk->lk_space, va, &v2p) != 0)
		return (EINVAL);	/* the kernel space is unusable */
	if (v2p.v_fault.gf_errno != 0)
		return (v2p.v_fault.gf_errno == EIO ? EIO : EFAULT);
	if (!lk->lk_space.gs_machine) {
		*rootp = v2p.v_pa;
		return (0);
	}
	if (v2p.v_nlevels == 0 || v2p.v_page_size == 0)
		return (EIO);
	entry = v2p.v_levels[v2p.v_nlevels - 1].l_entry;
	*rootp = (entry & X86_ADDR_MASK & ~(v2p.v_page_size - 1)) |
	    (va & (v2p.v_page_size - 1));
	return (0);
}
