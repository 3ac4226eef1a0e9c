/*
 * linux_tasks.c -- the process list of a Linux guest: linux_tasks,
 * linux_task_find, linux_task_space and linux_task_cmdline (see
 * <porthole/linux.h>).
 *
 * The list is init_task's `tasks` ring, which links thread-group
 * leaders; like the kernel's for_each_process it starts after init_task
 * itself (pid 0, the idle task, is not a process).  Each task gives:
 *	pid, tgid		task_struct.pid, .tgid
 *	ppid			real_parent->tgid
 *	comm			task_struct.comm (16 bytes, terminated here)
 *	state			__state (5.14+) or state (before), with
 *				exit_state, as fs/proc/array.c reports it
 *	uid			real_cred->uid
 *	threads			signal->nr_threads
 *	kthread			PF_KTHREAD in flags (a kernel thread may
 *				borrow an mm, and a zombie has none, so mm
 *				is asked only when flags is not known)
 *	pgd			mm->pgd translated through the kernel's
 *				page tables (0 without an mm): what a
 *				space's gs_cr3 takes, so for a Xen PV guest
 *				(gs_machine) the machine address
 * Profile members used: task_struct.{tasks, pid, tgid, real_parent,
 * comm, __state or state, exit_state, real_cred, signal, flags, mm},
 * cred.uid, signal_struct.nr_threads, mm_struct.{pgd, arg_start,
 * arg_end}; symbol init_task.
 *
 * Guest memory is hostile: the walk is lk_list_walk's (bounded by
 * LINUX_MAX_TASKS, loops found, every link checked to point back); a
 * pid, tgid or thread count out of the kernel's range is EIO; a command
 * line is read at most len - 1 bytes, and only where resident.
 *
 * Errors: -1 with errno EIO, EFAULT (a task or what it points at is not
 * mapped), ELOOP, ENOTSUP (the profile lacks a member or init_task),
 * ESRCH (no such process), ENODATA (a kernel thread has no user address
 * space or command line).
 *
 * Non-goals: threads other than the leaders (the tasks ring has only
 * those); /proc's longer names (a kernel thread's full name, a kworker's
 * "-workqueue" suffix): lt_comm is task_struct.comm; pid namespaces (pids are the initial namespace's); the /proc
 * rule that follows a command line rewritten past arg_end into the
 * environment (setproctitle).
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "guest/linux/linux_impl.h"
#include "guest/linux/linux_list.h"
#include "guest/linux/linux_views.h"

#define	TASK	"task_struct"

/* include/linux/sched.h: flags and the states /proc reports. */
#define	PF_KTHREAD		0x00200000u
#define	TASK_UNINTERRUPTIBLE	0x0002u
#define	TASK_REPORT		0x007fu	/* R S D T t X Z P bits */
#define	TASK_NOLOAD		0x0400u
#define	TASK_IDLE		(TASK_UNINTERRUPTIBLE | TASK_NOLOAD)
#define	TASK_RTLOCK_WAIT	0x1000u

/* Largest thread count a signal_struct can hold (threads are pids). */
#define	LINUX_THREADS_MAX	LINUX_PID_MAX

/*
 * fs/proc/array.c's task_state_array, by the index of the highest state
 * bit (0: running); the last is TASK_REPORT_IDLE.
 */
static const char lk_state_chars[] = "RSDTtXZPI";

/* The one-letter state of a task, as /proc/PID/stat shows it. */
static char
lk_state_char(uint32_t state, uint32_t exit_state)
{
	uint32_t report = (state | exit_state) & TASK_REPORT;
	unsigned idx = 0;

	if ((state & TASK_IDLE) == TASK_IDLE)
		return ('I');
	if ((state & TASK_RTLOCK_WAIT) != 0)
		report = TASK_UNINTERRUPTIBLE;
	while (report != 0) {		/* fls */
		idx++;
		report >>= 1;
	}
	return (lk_state_chars[idx]);
}

static int
lk_task_state(struct linux_kernel *lk, uint64_t task, char *statep)
{
	uint64_t state, exit_state;
	int err;

	err = lk_field(lk, task, TASK, "__state", &state);
	if (err == ENOENT)
		err = lk_field(lk, task, TASK, "state", &state);
	if (err != 0 ||
	    (err = lk_field(lk, task, TASK, "exit_state", &exit_state)) != 0)
		return (err);
	*statep = lk_state_char((uint32_t)state, (uint32_t)exit_state);
	return (0);
}

/* A pid_t member that must be a pid the kernel could have handed out. */
static int
lk_task_pid(struct linux_kernel *lk, uint64_t task, const char *member,
    int *out)
{
	uint64_t v;
	int err;

	if ((err = lk_field(lk, task, TASK, member, &v)) != 0)
		return (err);
	if (v > LINUX_PID_MAX)
		return (EIO);
	*out = (int)v;
	return (0);
}

static int
lk_task_comm(struct linux_kernel *lk, uint64_t task, char *comm,
    size_t len)
{
	uint64_t off, size;
	int err;

	if ((err = lprof_member(lk->lk_prof, TASK, "comm", &off, &size)) != 0)
		return (err);
	if (size == 0 || size >= len)
		size = len - 1;
	memset(comm, 0, len);
	return (lk_read(lk, task + off, comm, (size_t)size));
}

/* Everything struct linux_task says about the task at task. */
static int
lk_task_read(struct linux_kernel *lk, uint64_t task, struct linux_task *lt)
{
	uint64_t parent, cred, uid, sig, threads, flags, mm, pgd;
	int err;

	memset(lt, 0, sizeof (*lt));
	lt->lt_task = task;
	if ((err = lk_task_pid(lk, task, "pid", &lt->lt_tid)) != 0 ||
	    (err = lk_task_pid(lk, task, "tgid", &lt->lt_pid)) != 0 ||
	    (err = lk_field(lk, task, TASK, "real_parent", &parent)) != 0 ||
	    (err = lk_field(lk, task, TASK, "real_cred", &cred)) != 0 ||
	    (err = lk_field(lk, task, TASK, "signal", &sig)) != 0 ||
	    (err = lk_field(lk, task, TASK, "mm", &mm)) != 0 ||
	    (err = lk_task_comm(lk, task, lt->lt_comm,
	    sizeof (lt->lt_comm))) != 0 ||
	    (err = lk_task_state(lk, task, &lt->lt_state)) != 0)
		return (err);
	if (parent == 0 || cred == 0 || sig == 0)
		return (EIO);
	if ((err = lk_task_pid(lk, parent, "tgid", &lt->lt_ppid)) != 0 ||
	    (err = lk_field(lk, cred, "cred", "uid", &uid)) != 0 ||
	    (err = lk_field(lk, sig, "signal_struct", "nr_threads",
	    &threads)) != 0)
		return (err);
	if (threads > LINUX_THREADS_MAX)
		return (EIO);
	lt->lt_uid = (uint32_t)uid;
	lt->lt_threads = (unsigned)threads;

	err = lk_field(lk, task, TASK, "flags", &flags);
	if (err == 0)
		lt->lt_kthread = (flags & PF_KTHREAD) != 0;
	else if (err == ENOENT)
		lt->lt_kthread = mm == 0;
	else
		return (err);
	if (mm != 0) {
		if ((err = lk_field(lk, mm, "mm_struct", "pgd", &pgd)) != 0 ||
		    (err = lk_kernel_root(lk, pgd, &lt->lt_pgd)) != 0)
			return (err);
	}
	return (0);
}

/* The list_head `tasks` of init_task, and the member's offset. */
static int
lk_tasks_head(struct linux_kernel *lk, uint64_t *headp, uint64_t *offp)
{
	uint64_t init_task;
	int err;

	if ((err = lprof_symbol(lk->lk_prof, "init_task", &init_task)) != 0 ||
	    (err = lk_offset(lk, TASK, "tasks", offp)) != 0)
		return (err);
	*headp = init_task + *offp;
	return (0);
}

struct lk_tasks_walk {
	uint64_t	tw_off;		/* task_struct.tasks */
	int		(*tw_cb)(const struct linux_task *, void *);
	void		*tw_arg;
	int		tw_rv;		/* the caller's stop value */
};

static int
lk_tasks_step(struct linux_kernel *lk, uint64_t node, void *arg)
{
	struct lk_tasks_walk *tw = arg;
	struct linux_task lt;
	int err;

	if ((err = lk_task_read(lk, node - tw->tw_off, &lt)) != 0)
		return (err);
	if ((tw->tw_rv = tw->tw_cb(&lt, tw->tw_arg)) != 0)
		return (LK_WALK_STOP);
	return (0);
}

int
linux_tasks(struct linux_kernel *lk,
    int (*cb)(const struct linux_task *, void *), void *arg)
{
	struct lk_tasks_walk tw;
	uint64_t head;
	int rv;

	if (lk == NULL || cb == NULL) {
		errno = EINVAL;
		return (-1);
	}
	memset(&tw, 0, sizeof (tw));
	tw.tw_cb = cb;
	tw.tw_arg = arg;
	if ((rv = lk_tasks_head(lk, &head, &tw.tw_off)) == 0)
		rv = lk_list_walk(lk, head, LINUX_MAX_TASKS, lk_tasks_step,
		    &tw);
	if (rv == LK_WALK_STOP)
		return (tw.tw_rv);
	if (rv != 0) {
		errno = lk_view_errno(rv);
		return (-1);
	}
	return (0);
}

struct lk_find_walk {
	uint64_t	fw_off;		/* task_struct.tasks */
	int		fw_pid;
	uint64_t	fw_task;	/* found: the task's address */
};

/* Stops (LK_WALK_STOP) at the task whose tgid is fw_pid. */
static int
lk_find_step(struct linux_kernel *lk, uint64_t node, void *arg)
{
	struct lk_find_walk *fw = arg;
	int tgid, err;

	if ((err = lk_task_pid(lk, node - fw->fw_off, "tgid", &tgid)) != 0)
		return (err);
	if (tgid != fw->fw_pid)
		return (0);
	fw->fw_task = node - fw->fw_off;
	return (LK_WALK_STOP);
}

/* The task of process pid: 0 or an errno (ESRCH when there is none). */
static int
lk_task_lookup(struct linux_kernel *lk, int pid, uint64_t *taskp)
{
	struct lk_find_walk fw;
	uint64_t head;
	int rv;

	if (pid <= 0)
		return (ESRCH);
	memset(&fw, 0, sizeof (fw));
	fw.fw_pid = pid;
	if ((rv = lk_tasks_head(lk, &head, &fw.fw_off)) != 0)
		return (rv);
	rv = lk_list_walk(lk, head, LINUX_MAX_TASKS, lk_find_step, &fw);
	if (rv == LK_WALK_STOP) {
		*taskp = fw.fw_task;
		return (0);
	}
	return (rv == 0 ? ESRCH : rv);
}

int
linux_task_find(struct linux_kernel *lk, int pid, struct linux_task *out)
{
	uint64_t task;
	int err;

	if (lk == NULL || out == NULL) {
		errno = EINVAL;
		return (-1);
	}
	if ((err = lk_task_lookup(lk, pid, &task)) != 0 ||
	    (err = lk_task_read(lk, task, out)) != 0) {
		errno = lk_view_errno(err);
		return (-1);
	}
	return (0);
}

int
lk_task_mm(struct linux_kernel *lk, int pid, uint64_t *taskp, uint64_t *mmp)
{
	int err;

	if ((err = lk_task_lookup(lk, pid, taskp)) != 0)
		return (err);
	return (lk_field(lk, *taskp, TASK, "mm", mmp));
}

/* The address space of the mm at mm: the kernel's mode, mm->pgd's root. */
static int
lk_mm_space(struct linux_kernel *lk, uint64_t mm, struct guest_space *sp)
{
	uint64_t pgd, pa;
	int err;

	if ((err = lk_field(lk, mm, "mm_struct", "pgd", &pgd)) != 0 ||
	    (err = lk_kernel_root(lk, pgd, &pa)) != 0)
		return (err);
	*sp = lk->lk_space;
	sp->gs_cr3 = pa;
	return (0);
}

int
linux_task_space(struct linux_kernel *lk, int pid, struct guest_space *sp)
{
	uint64_t task, mm;
	int err;

	if (lk == NULL || sp == NULL) {
		errno = EINVAL;
		return (-1);
	}
	if ((err = lk_task_mm(lk, pid, &task, &mm)) == 0)
		err = mm == 0 ? ENODATA : lk_mm_space(lk, mm, sp);
	if (err != 0) {
		errno = lk_view_errno(err);
		return (-1);
	}
	return (0);
}

/*
 * Read the command line: bytes [arg_start, arg_end) through the
 * process's page tables, at most len - 1 of them, stopping at the first
 * page that is not resident (what was read before it is returned).
 */
ssize_t
linux_task_cmdline(struct linux_kernel *lk, int pid, char *buf, size_t len)
{
	struct guest_space sp;
	struct guest_fault why;
	uint64_t task, mm, start, end;
	size_t want, done, i, last;
	int err;

	if (lk == NULL || buf == NULL || len == 0) {
		errno = EINVAL;
		return (-1);
	}
	buf[0] = '\0';
	if ((err = lk_task_mm(lk, pid, &task, &mm)) != 0)
		goto fail;
	if (mm == 0) {
		err = ENODATA;
		goto fail;
	}
	if ((err = lk_field(lk, mm, "mm_struct", "arg_start", &start)) != 0 ||
	    (err = lk_field(lk, mm, "mm_struct", "arg_end", &end)) != 0 ||
	    (err = lk_mm_space(lk, mm, &sp)) != 0)
		goto fail;
	if (end < start) {
		err = EIO;
		goto fail;
	}
	want = end - start < len - 1 ? (size_t)(end - start) : len - 1;
	memset(&why, 0, sizeof (why));
	done = guest_vread(lk->lk_guest, &sp, start, buf, want, &why);
	if (done == 0 && want > 0) {
		err = why.gf_errno == EIO ? EIO : EFAULT;
		goto fail;
	}
	/* Arguments end in NULs: join them with spaces, drop the last. */
	for (i = 0, last = 0; i < done; i++) {
		if (buf[i] == '\0')
			buf[i] = ' ';
		else
			last = i + 1;
	}
	buf[last] = '\0';
	return ((ssize_t)last);
fail:
	buf[0] = '\0';
	errno = lk_view_errno(err);
	return (-1);
}
