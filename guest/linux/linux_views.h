/*
 * guest/linux/linux_views.h -- what the Linux views (tasks, VMAs,
 * modules, kernel log) share beyond the readers: finding a process's
 * task and mm, and the errno a view reports.  Internal to guest/linux/.
 */
#ifndef PORTHOLE_GUEST_LINUX_VIEWS_H
#define PORTHOLE_GUEST_LINUX_VIEWS_H

#include <errno.h>
#include <stdint.h>

#include "guest/linux/linux_impl.h"

/*
 * What a walk's step returns to stop the walk for the view's caller
 * (whose own value the view keeps and returns); errnos are positive.
 */
#define	LK_WALK_STOP	(-1)

/* Largest pid the kernel hands out (PID_MAX_LIMIT on 64-bit). */
#define	LINUX_PID_MAX	(4 * 1024 * 1024)

/*
 * A reader's or walk's errno as the public calls report it: a member or
 * symbol the profile lacks (ENOENT) is a kernel this code does not
 * understand (ENOTSUP).
 */
static inline int
lk_view_errno(int err)
{
	return (err == ENOENT ? ENOTSUP : err);
}

/*
 * The process pid's task and mm (0 for a kernel thread or a zombie that
 * has none): 0 or an errno (ESRCH, and the walk's EIO, ELOOP, ...).
 */
int	lk_task_mm(struct linux_kernel *lk, int pid, uint64_t *taskp,
	    uint64_t *mmp);

/*
 * Each entry of a maple tree (the mm's VMAs), in ascending order, with
 * the range it is filed under (last inclusive): cb returns 0 to go on,
 * anything else stops the walk, which returns it.  rootp: the address
 * of the tree's ma_root.  The walk's checks are linux_vmas.c's; 0 or an
 * errno.
 */
typedef int lk_maple_cb(struct linux_kernel *lk, uint64_t entry,
    uint64_t first, uint64_t last, void *arg);
int	lk_maple_walk(struct linux_kernel *lk, uint64_t rootp, lk_maple_cb *cb,
	    void *arg);

#endif /* PORTHOLE_GUEST_LINUX_VIEWS_H */
