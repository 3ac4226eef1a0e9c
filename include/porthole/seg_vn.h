/*
 * porthole/seg_vn.h -- seg_vn: segments backed by a file or by anonymous
 * memory, shared or private.
 *
 * Used for memory images (each file run of a dump is a vn segment) and for
 * scratch and copy-on-write snapshots.
 */
#ifndef PORTHOLE_SEG_VN_H
#define PORTHOLE_SEG_VN_H

#include <stdint.h>
#include <sys/types.h>

#include <porthole/as.h>

#ifdef __cplusplus
extern "C" {
#endif

/* segvn_create arguments. */
struct segvn_crargs {
	int		fd;		/* file, or -1 for anonymous memory */
	off_t		offset;		/* page-aligned file offset */
	int		type;		/* MAP_SHARED or MAP_PRIVATE */
	unsigned	prot;		/* initial PROT_* */
	unsigned	maxprot;	/* ceiling for setprot; 0: PROT_ALL */
	const char	*name;		/* shown by the dump op; may be NULL */
};

/*
 * Create function for as_map.  The file descriptor is duplicated: the
 * caller may close its own.  Errors: EINVAL (bad type, offset, prot above
 * maxprot), EACCES (prot not allowed by the file's open mode), ENOMEM.
 */
PH_EXPORT int segvn_create(struct seg *seg, void *create_args);

#ifdef __cplusplus
}
#endif

#endif /* PORTHOLE_SEG_VN_H */
