/*
 * porthole/porthole.h -- libporthole: map and introspect Xen guest memory.
 *
 * The umbrella header.  The library never prints; callers get -1 (or NULL)
 * and errno, and decide what to tell the user.
 */
#ifndef PORTHOLE_PORTHOLE_H
#define PORTHOLE_PORTHOLE_H

#include <porthole/export.h>
#include <porthole/as.h>
#include <porthole/domain.h>
#include <porthole/guest.h>
#include <porthole/physmem.h>
#include <porthole/physwin.h>
#include <porthole/seg_dev.h>
#include <porthole/seg_kmem.h>
#include <porthole/seg_kp.h>
#include <porthole/seg_kpm.h>
#include <porthole/seg_map.h>
#include <porthole/seg_nf.h>
#include <porthole/seg_spt.h>
#include <porthole/seg_vn.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The library's package version, e.g. "0.1.0". */
PH_EXPORT const char *porthole_version(void);

#ifdef __cplusplus
}
#endif

#endif /* PORTHOLE_PORTHOLE_H */
