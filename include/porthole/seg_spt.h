/*
 * porthole/seg_spt.h -- seg_spt: System V shared memory.
 *
 * Used for a snapshot of guest memory that other processes can attach by
 * key: one process creates the segment and fills it, others map the same
 * key into their own address space.
 */
#ifndef PORTHOLE_SEG_SPT_H
#define PORTHOLE_SEG_SPT_H

#include <stdbool.h>
#include <sys/types.h>
#include <sys/ipc.h>	/* key_t */

#include <porthole/as.h>

#ifdef __cplusplus
extern "C" {
#endif

/* segspt_create arguments. */
struct segspt_crargs {
	key_t		key;		/* a key, or IPC_PRIVATE */
	/*
	 * Create the shared-memory segment (it must not exist yet: IPC_CREAT
	 * | IPC_EXCL, with the size of the as segment), or attach an
	 * existing one, whose size must be the as segment's size.
	 */
	bool		create;
	/*
	 * Remove the shared-memory segment (IPC_RMID) when this attach goes
	 * and it was the last one anywhere (shm_nattch is 0).
	 */
	bool		remove_on_last_detach;
	unsigned	prot;		/* PROT_READ, optionally PROT_WRITE */
	mode_t		mode;		/* permissions on create; 0: 0600 */
};

/*
 * Create function for as_map.  Errors: EINVAL (prot, or an existing
 * segment of another size), EACCES (PROT_EXEC, or permissions), EEXIST
 * (create and the key is taken), ENOENT (no segment with the key),
 * ENOSPC, ENOMEM, ENOSYS (no System V IPC on the host).  Segments are
 * unmapped whole or not at all (ENOTSUP).  A segment this call created is
 * removed again when the create fails.
 */
PH_EXPORT int segspt_create(struct seg *seg, void *create_args);

#ifdef __cplusplus
}
#endif

#endif /* PORTHOLE_SEG_SPT_H */
