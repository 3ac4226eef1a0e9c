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

#endif /* PORTHOLE_GUEST_LINUX_VIEWS_H */
