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
};

/*
 * Map pm's frames into as, read-only.  opts may be NULL (defaults).
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

#ifdef __cplusplus
}
#endif

#endif /* PORTHOLE_PHYSWIN_H */
