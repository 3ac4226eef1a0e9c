/*
 * physwin.c -- the choice between seg_kpm and seg_map for a guest's
 * physical memory, and reads through either (<porthole/physwin.h>).
 *
 * Through kpm a read is as_read at base + gpa: the address space pins,
 * fills and copies.  Through seg_map it is getmap, copy, release, slot by
 * slot.
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include <porthole/physwin.h>
#include <porthole/seg_kpm.h>
#include <porthole/seg_map.h>
#include "vm/as.h"
#include "vm/physmem.h"
#include "vm/seg.h"
#include "vm/seg_map_impl.h"
#include "vm/vm_alloc.h"

#define	PHYSWIN_DEFAULT_NSLOTS	64

struct physwin {
	struct as	*pw_as;
	struct physmem	*pw_pm;
	enum physwin_mode pw_mode;
	caddr_t		pw_base;
	size_t		pw_len;
	uint64_t	pw_bytes;	/* guest physical bytes */
	size_t		pw_slot;	/* seg_map slot bytes */
	unsigned	pw_prot;
};

/* Map a window of len bytes at the lowest aligned gap; 0 or an errno. */
static int
physwin_map(struct as *as, size_t len, size_t align, seg_create_fn fn,
    void *args, caddr_t *basep)
{
	void *addr;

	if (as_gap(as, len, align, AS_GAP_LOW, &addr) != 0)
		return (errno);
	if (as_map(as, addr, len, fn, args) != 0)
		return (errno);
	*basep = addr;
	return (0);
}

struct physwin *
physwin_open(struct as *as, struct physmem *pm,
    const struct physwin_opts *opts)
{
	struct physwin_opts o = { .po_size = sizeof (o) };
	struct physwin *pw;
	uint64_t bytes;
	size_t kluster;
	int err;

	if (as == NULL || pm == NULL ||
	    (opts != NULL && opts->po_size < sizeof (o))) {
		errno = EINVAL;
		return (NULL);
	}
	if (opts != NULL)
		o = *opts;
	if (o.po_prot == 0)
		o.po_prot = PROT_READ;
	if ((o.po_prot & ~(unsigned)(PROT_READ | PROT_WRITE)) != 0 ||
	    !(o.po_prot & PROT_READ)) {
		errno = EINVAL;
		return (NULL);
	}
	bytes = physmem_nframes(pm) * PAGESIZE;
	kluster = o.po_kluster != 0 ? o.po_kluster : SEGKPM_DEFAULT_KLUSTER;
	if ((pw = vm_zalloc(sizeof (*pw))) == NULL)
		return (NULL);
	pw->pw_as = as;
	pw->pw_pm = pm;
	pw->pw_bytes = bytes;
	pw->pw_prot = o.po_prot;

	/* kpm needs the whole guest in the window, and a 64-bit host. */
	if (o.po_mode != PHYSWIN_MAP && bytes <= SIZE_MAX - kluster &&
	    (o.po_mode == PHYSWIN_KPM || sizeof (void *) >= 8)) {
		struct segkpm_crargs a = { .pm = pm, .kluster = kluster,
		    .cap = o.po_cap, .prot = o.po_prot,
		    .flags = o.po_holes_zero ? SEGKPM_HOLES_ZERO : 0 };

		pw->pw_len = P2ROUNDUP(bytes, kluster);
		err = physwin_map(as, pw->pw_len, kluster, segkpm_create, &a,
		    &pw->pw_base);
		if (err == 0) {
			pw->pw_mode = PHYSWIN_KPM;
			return (pw);
		}
		if (o.po_mode == PHYSWIN_KPM || err != ENOMEM)
			goto fail;
	} else if (o.po_mode == PHYSWIN_KPM) {
		err = ENOMEM;
		goto fail;
	}
	{
		struct segmap_crargs a = { .pm = pm, .slot = o.po_slot,
		    .prot = o.po_prot,
		    .flags = o.po_holes_zero ? SEGMAP_HOLES_ZERO : 0 };
		size_t slot = o.po_slot != 0 ? o.po_slot :
		    SEGMAP_DEFAULT_SLOT;
		size_t nslots = o.po_nslots != 0 ? o.po_nslots :
		    PHYSWIN_DEFAULT_NSLOTS;

		if (nslots > SIZE_MAX / slot) {
			err = EINVAL;
			goto fail;
		}
		/* By default, as many slots as the window has room for. */
		for (;;) {
			pw->pw_len = nslots * slot;
			err = physwin_map(as, pw->pw_len, slot, segmap_create,
			    &a, &pw->pw_base);
			if (err != ENOMEM || o.po_nslots != 0 || nslots == 1)
				break;
			nslots /= 2;
		}
		if (err != 0)
			goto fail;
		pw->pw_mode = PHYSWIN_MAP;
		pw->pw_slot = slot;
		return (pw);
	}
fail:
	vm_free(pw);
	errno = err;
	return (NULL);
}

void
physwin_close(struct physwin *pw)
{
	int saved_errno = errno;

	if (pw == NULL)
		return;
	(void) as_unmap(pw->pw_as, pw->pw_base, pw->pw_len);
	vm_free(pw);
	errno = saved_errno;
}

enum physwin_mode
physwin_mode(const struct physwin *pw)
{
	return (pw->pw_mode);
}

/* Through seg_map: getmap, copy, release, one slot at a time. */
static size_t
physwin_copy_map(struct physwin *pw, uint64_t gpa, unsigned char *buf,
    size_t len, bool write, int *errp)
{
	size_t done = 0;
	struct seg *seg;
	int err = 0;

	as_enter(pw->pw_as, AS_READER);
	seg = as_segat(pw->pw_as, pw->pw_base);
	while (done < len) {
		size_t avail, n;
		void *p = segmap_getmap_rw(seg, gpa + done, &avail, write);

		if (p == NULL) {
			err = errno;
			break;
		}
		n = len - done < avail ? len - done : avail;
		if (write)
			memcpy(p, buf + done, n);
		else
			memcpy(buf + done, p, n);
		segmap_release(seg, p);
		done += n;
	}
	as_exit(pw->pw_as);
	*errp = err;
	return (done);
}

/* Clip [gpa, gpa + len) to the guest and copy it either way. */
static size_t
physwin_copy(struct physwin *pw, uint64_t gpa, void *buf, size_t len,
    bool write, int *errp)
{
	int err = 0;
	size_t done = 0;

	if (write && !(pw->pw_prot & PROT_WRITE)) {
		err = len == 0 ? 0 : EACCES;
	} else if (gpa >= pw->pw_bytes) {
		err = len == 0 ? 0 : EINVAL;
	} else {
		int beyond = 0;

		if (len > pw->pw_bytes - gpa) {
			len = (size_t)(pw->pw_bytes - gpa);
			beyond = EINVAL;
		}
		if (pw->pw_mode == PHYSWIN_KPM && write)
			done = as_write(pw->pw_as, pw->pw_base + gpa, buf, len,
			    &err);
		else if (pw->pw_mode == PHYSWIN_KPM)
			done = as_read(pw->pw_as, pw->pw_base + gpa, buf, len,
			    &err);
		else
			done = physwin_copy_map(pw, gpa, buf, len, write,
			    &err);
		if (err == 0)
			err = beyond;
	}
	if (errp != NULL)
		*errp = err;
	return (done);
}

size_t
physwin_read(struct physwin *pw, uint64_t gpa, void *buf, size_t len,
    int *errp)
{
	return (physwin_copy(pw, gpa, buf, len, false, errp));
}

size_t
physwin_write(struct physwin *pw, uint64_t gpa, const void *buf, size_t len,
    int *errp)
{
	return (physwin_copy(pw, gpa, (void *)(uintptr_t)buf, len, true,
	    errp));
}

void *
physwin_pin(struct physwin *pw, uint64_t gpa, size_t len, int write)
{
	void *p;

	if (len == 0 || gpa >= pw->pw_bytes || len > pw->pw_bytes - gpa) {
		errno = EINVAL;
		return (NULL);
	}
	if (write && !(pw->pw_prot & PROT_WRITE)) {
		errno = EACCES;
		return (NULL);
	}
	if (pw->pw_mode == PHYSWIN_KPM) {
		caddr_t lo = pw->pw_base + (gpa & ~(uint64_t)PAGEOFFSET);
		caddr_t hi = pw->pw_base + P2ROUNDUP(gpa + len, PAGESIZE);

		if (as_fault(pw->pw_as, lo, (size_t)(hi - lo), F_SOFTLOCK,
		    write ? S_WRITE : S_READ) != 0)
			return (NULL);
		return (pw->pw_base + gpa);
	}
	{
		size_t avail;
		struct seg *seg;
		int err = 0;

		as_enter(pw->pw_as, AS_READER);
		seg = as_segat(pw->pw_as, pw->pw_base);
		p = segmap_getmap_rw(seg, gpa, &avail, write != 0);
		if (p == NULL) {
			err = errno;
		} else if (avail < len) {
			segmap_release(seg, p);
			p = NULL;
			/*
			 * Past the slot: EINVAL.  Short of it, the page
			 * at gpa + avail cannot be read: its error.
			 */
			if (gpa / pw->pw_slot != (gpa + len - 1) / pw->pw_slot)
				err = EINVAL;
			else if ((p = segmap_getmap_rw(seg, gpa + avail,
			    NULL, false)) == NULL)
				err = errno;
			else {
				segmap_release(seg, p);
				p = NULL;
				err = EIO;
			}
		}
		as_exit(pw->pw_as);
		errno = err;
		return (p);
	}
}

void
physwin_unpin(struct physwin *pw, void *ptr, size_t len, int write)
{
	int saved_errno = errno;

	if (ptr == NULL)
		return;
	if (pw->pw_mode == PHYSWIN_KPM) {
		uint64_t gpa = (uint64_t)((caddr_t)ptr - pw->pw_base);
		caddr_t lo = pw->pw_base + (gpa & ~(uint64_t)PAGEOFFSET);
		caddr_t hi = pw->pw_base + P2ROUNDUP(gpa + len, PAGESIZE);

		(void) as_fault(pw->pw_as, lo, (size_t)(hi - lo),
		    F_SOFTUNLOCK, write ? S_WRITE : S_READ);
	} else {
		as_enter(pw->pw_as, AS_READER);
		segmap_release(as_segat(pw->pw_as, pw->pw_base), ptr);
		as_exit(pw->pw_as);
	}
	errno = saved_errno;
}
