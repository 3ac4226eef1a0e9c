/*
 * porthole/linux.h -- a Linux guest, with no hand-made profile.
 *
 * linux_open finds what it needs in the guest's own memory, in this
 * order, falling back when a source is missing: the VMCOREINFO note (the
 * image's, or the kernel's buffer found in memory: release,
 * KERNELOFFSET, page-table root, pgtable_l5_enabled, symbols);
 * `linux_banner` and a KASLR search; kallsyms decoded from memory; the
 * kernel's in-memory BTF for structure offsets (parsed with libbpf).  A
 * System.map or a vmlinux given in the options overrides these.  The
 * derived profile is cached on disk, keyed by the kernel's build ID or
 * banner.
 *
 * From there: the banner and release, the process list, a process's
 * command line, address space and memory maps (VMAs), the kernel modules
 * and the kernel log.
 *
 * Guest memory is hostile: every list walk is bounded (by a count and by
 * loop detection), every string and length is checked; a corrupt or
 * changing structure ends a walk with EIO or ELOOP, not a hang or a
 * crash.
 *
 * Errors: NULL or -1 with errno; errbuf (where taken) gets one sentence.
 */
#ifndef PORTHOLE_LINUX_H
#define PORTHOLE_LINUX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <porthole/export.h>
#include <porthole/guest.h>

#ifdef __cplusplus
extern "C" {
#endif

struct linux_kernel;

#define	LINUX_OPEN_NO_CACHE	0x1u	/* neither read nor write the cache */
#define	LINUX_OPEN_REFRESH	0x2u	/* ignore a cached profile, rewrite it */

struct linux_opts {
	size_t		lo_size;	/* sizeof (struct linux_opts) */
	unsigned	lo_flags;	/* LINUX_OPEN_* */
	const char	*lo_system_map;	/* System.map overriding symbols */
	const char	*lo_vmlinux;	/* vmlinux: symbols and BTF */
	const char	*lo_cache_dir;	/* NULL: $PORTHOLE_CACHE_DIR, else
					   $XDG_CACHE_HOME/porthole, else
					   ~/.cache/porthole */
};

/*
 * Recognise the Linux kernel in g.  opts may be NULL.  NULL with errno:
 * ENOENT (no Linux kernel found), EINVAL (inconsistent sources),
 * ENOTSUP (a kernel this code does not understand), EIO, ENOMEM.
 */
PH_EXPORT struct linux_kernel *linux_open(struct guest *g,
    const struct linux_opts *opts, char *errbuf, size_t errlen);
PH_EXPORT void linux_close(struct linux_kernel *lk);

/* "6.1.0-27-amd64"; the full banner ("Linux version ..."). */
PH_EXPORT const char *linux_release(const struct linux_kernel *lk);
PH_EXPORT const char *linux_banner(const struct linux_kernel *lk);
/* The KASLR slide of the kernel image (0 without KASLR). */
PH_EXPORT uint64_t linux_kaslr_offset(const struct linux_kernel *lk);
/*
 * Where the profile came from: "vmcoreinfo+kallsyms+btf", "cache",
 * "vmcoreinfo+kallsyms+inferred" (layouts inferred from memory), ...
 */
PH_EXPORT const char *linux_profile_source(const struct linux_kernel *lk);
/* The kernel's address space (its page tables). */
PH_EXPORT const struct guest_space *linux_kernel_space(
    const struct linux_kernel *lk);
/* A kernel symbol's address (KASLR applied): 0, or -1/ENOENT. */
PH_EXPORT int linux_symbol(const struct linux_kernel *lk, const char *name,
    uint64_t *addrp);

/* One task (a thread-group leader in the process list). */
struct linux_task {
	int		lt_pid;		/* tgid */
	int		lt_tid;		/* pid of the task itself */
	int		lt_ppid;	/* real parent's tgid */
	char		lt_comm[16];	/* NUL-terminated */
	char		lt_state;	/* 'R', 'S', 'D', 'T', 't', 'Z', 'X',
					   'P', 'I' (as /proc/PID/stat) */
	uint32_t	lt_uid;		/* real uid */
	unsigned	lt_threads;
	bool		lt_kthread;	/* no mm: a kernel thread */
	uint64_t	lt_task;	/* struct task_struct's address */
	uint64_t	lt_pgd;		/* page-table root (physical; 0: none) */
};

/*
 * Call cb for each process, in the kernel's list order (init_task's
 * `tasks`).  cb returns 0 to go on, anything else to stop (returned).
 * 0, or -1/errno: EIO (unreadable task), ELOOP (the list does not close).
 */
PH_EXPORT int linux_tasks(struct linux_kernel *lk,
    int (*cb)(const struct linux_task *, void *), void *arg);
/* The task with this pid (tgid): 0, or -1/ESRCH. */
PH_EXPORT int linux_task_find(struct linux_kernel *lk, int pid,
    struct linux_task *out);
/*
 * The process's command line (arguments joined by spaces) where it is
 * resident: the length written (NUL-terminated, truncated to len), or
 * -1/errno (ESRCH; EFAULT: not resident; ENODATA: a kernel thread).
 */
PH_EXPORT ssize_t linux_task_cmdline(struct linux_kernel *lk, int pid,
    char *buf, size_t len);
/*
 * The process's address space, for guest_vread/guest_v2p: the kernel's
 * paging mode with the process's page-table root (with page-table
 * isolation, the kernel half, which maps user memory too).
 */
PH_EXPORT int linux_task_space(struct linux_kernel *lk, int pid,
    struct guest_space *sp);

/* One memory map (VMA) of a process. */
#define	LINUX_VMA_READ		0x1u
#define	LINUX_VMA_WRITE		0x2u
#define	LINUX_VMA_EXEC		0x4u
#define	LINUX_VMA_SHARED	0x8u
struct linux_vma {
	uint64_t	lv_start;
	uint64_t	lv_end;
	unsigned	lv_prot;	/* LINUX_VMA_* */
	uint64_t	lv_pgoff;	/* file offset in pages (0: anonymous) */
	char		lv_file[256];	/* the file's path ("" anonymous;
					   "[heap]", "[stack]" as /proc) */
};
/*
 * Call cb for each VMA of process pid, in address order; cb returns as
 * for linux_tasks.  0, or -1/errno: ESRCH, ENODATA (a kernel thread has
 * no mm), EIO or ELOOP (a corrupt tree or list), ENOTSUP.
 */
PH_EXPORT int linux_vmas(struct linux_kernel *lk, int pid,
    int (*cb)(const struct linux_vma *, void *), void *arg);

/* One loaded module. */
struct linux_module {
	char		lm_name[64];
	uint64_t	lm_base;	/* core text */
	uint64_t	lm_size;	/* core size */
	int		lm_state;	/* 0 live, 1 coming, 2 going */
	uint64_t	lm_addr;	/* struct module's address */
};
/* Call cb for each module (list order); errors as linux_tasks. */
PH_EXPORT int linux_modules(struct linux_kernel *lk,
    int (*cb)(const struct linux_module *, void *), void *arg);

/* One kernel log record. */
struct linux_log_record {
	uint64_t	lr_seq;
	uint64_t	lr_ts_nsec;	/* since boot */
	int		lr_level;	/* 0..7; -1 unknown */
	const char	*lr_text;	/* NUL-terminated; valid in cb only */
	size_t		lr_len;
};
/*
 * The kernel log, oldest first.  -1/ENOTSUP when its format is not
 * understood.
 */
PH_EXPORT int linux_dmesg(struct linux_kernel *lk,
    int (*cb)(const struct linux_log_record *, void *), void *arg);

#ifdef __cplusplus
}
#endif

#endif /* PORTHOLE_LINUX_H */
