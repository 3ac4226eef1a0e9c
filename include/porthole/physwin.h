/*
 * porthole/physwin.h -- a guest's physical memory as seen through an
 * address space: seg_kpm (the whole guest as one linear window) where the
 * window has room for it on a 64-bit host, seg_map slots otherwise, as a
 * 32-bit illumos kernel drops kpm and relies on segmap.  The choice is
 * automatic and can be forced.
 */
#ifndef PORTHOLE_PHYSWIN_H
#define PORTHOLE_PHYSWIN_H

#include <stddef.h>
#include <stdint.h>

#include <porthole/as.h>
#include <porthole/physmem.h>

#ifdef __cplusplus
extern "C" {
#endif

struct physwin;

enum physwin_mode {
	PHYSWIN_AUTO,	/* kpm when it fits and the host is 64-bit */
	PHYSWIN_KPM,
	PHYSWIN_MAP
};

struct physwin_opts {
	size_t		po_size;	/* sizeof (struct physwin_opts) */
	enum physwin_mode po_mode;
	size_t		po_kluster;	/* kpm fill size; 0: default */
	size_t		po_cap;		/* kpm bytes mapped at most; 0: none */
	size_t		po_slot;	/* seg_map slot size; 0: default */
	size_t		po_nslots;	/* seg_map slots; 0: up to 64 */
	int		po_holes_zero;	/* holes read as zeros */
	unsigned	po_prot;	/* PROT_READ (0 means it), or with
					   PROT_WRITE */
};

/*
 * Map pm's frames into as, read-only unless po_prot has PROT_WRITE (the
 * provider decides where writes go: a live guest, or a private copy of
 * an image).  opts may be NULL (defaults).
 * NULL with errno: ENOMEM (no room for the window, or PHYSWIN_KPM forced
 * where it does not fit), EINVAL (bad options), or the driver's error.
 */
PH_EXPORT struct physwin *physwin_open(struct as *as, struct physmem *pm,
    const struct physwin_opts *opts);
PH_EXPORT void physwin_close(struct physwin *pw);

PH_EXPORT enum physwin_mode physwin_mode(const struct physwin *pw);

/*
 * Copy len bytes of guest physical memory from gpa.  Returns the bytes
 * copied before the first page that failed; *errp gets 0 or its errno
 * (ENXIO: a hole; EINVAL: beyond the guest).
 */
PH_EXPORT size_t physwin_read(struct physwin *pw, uint64_t gpa, void *buf,
    size_t len, int *errp);

/*
 * Copy len bytes from buf into guest physical memory at gpa (a window
 * opened with PROT_WRITE): as physwin_read; EACCES when it is read-only.
 */
PH_EXPORT size_t physwin_write(struct physwin *pw, uint64_t gpa,
    const void *buf, size_t len, int *errp);

/*
 * A pointer to len bytes at gpa, pinned (never evicted or remapped) until
 * physwin_unpin(pw, pointer, len, write).  Through seg_kpm any range of
 * the guest; through seg_map the range must lie in one slot (EINVAL
 * otherwise).  write asks for a writable pin (EACCES on a read-only
 * window).  NULL with errno: EINVAL (beyond the guest, empty, crossing a
 * slot), ENXIO (a hole), EIO, EBUSY (every slot held).
 */
PH_EXPORT void *physwin_pin(struct physwin *pw, uint64_t gpa, size_t len,
    int write);
PH_EXPORT void physwin_unpin(struct physwin *pw, void *ptr, size_t len,
    int write);

#ifdef __cplusplus
}
#endif

#endif /* PORTHOLE_PHYSWIN_H */
