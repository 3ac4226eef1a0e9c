/*
 * tests/linux_synth.h -- a synthetic Linux kernel in guest physical
 * memory, for the Linux views' unit test and fuzz target: 4-level page
 * tables (the direct map of all memory, and per-process user mappings),
 * kernel objects laid out in a compact layout of this file's own (the
 * offsets below; the profile ls_profile fills says the same), and
 * writers that build them the way the kernel does: the task list, mm
 * structures with a maple tree or a vm_next list of VMAs, dentries,
 * files and mounts, the module list, the lockless printk ring buffer
 * (with its wrap rules) and the older printk_log buffer.
 *
 * Memory: ls_mem[0 .. ls_size) is guest physical memory (write it to a
 * file and it is a raw image).  Page tables live below LS_ARENA_PA; the
 * objects are allocated from the arena [ls_arena, ls_arena_end), which
 * starts with the kernel's static objects (init_task, the `modules`
 * head, `prb` and its ring, the printk_log variables) at fixed
 * addresses, so that a fuzz input can be the arena's bytes.
 *
 * Builders return 0 (an address) when the arena is full; the unit test
 * REQUIREs, the fuzz generator stops adding.
 *
 * Non-goals: a real kernel's layout (the offsets are invented; only the
 * printk structures follow Linux 6.1's), 32-bit kernels.
 */
#ifndef PORTHOLE_TESTS_LINUX_SYNTH_H
#define PORTHOLE_TESTS_LINUX_SYNTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct linux_profile;

/* Addresses. */
#define	LS_DIRECT	0xffff888000000000ULL	/* va of physical 0 */
#define	LS_UNMAPPED	0xffffc90000000000ULL	/* nothing maps it */
#define	LS_USER_BASE	0x0000000000400000ULL	/* fuzz: the arena's
						   user alias */
#define	LS_KROOT_PA	0x1000ULL		/* the kernel's PML4 */
#define	LS_PT_POOL_PA	0x4000ULL		/* user page tables */
#define	LS_ARENA_PA	0x100000ULL
#define	LS_MEM_SIZE	(4ULL << 20)
#define	LS_PAGE		4096ULL

/* Variants of the kernel (ls_init flags): what its profile says. */
#define	LS_F_VMA_LIST	0x01u	/* mm->mmap list, no maple tree (< 6.1) */
#define	LS_F_OLD_STATE	0x02u	/* task_struct.state, a long (< 5.14) */
#define	LS_F_MOD_MEM	0x04u	/* module.mem[] (6.4+), no core_layout */
#define	LS_F_LOGBUF	0x08u	/* printk_log buffer (< 5.10), no prb */
#define	LS_F_NO_SIZES	0x10u	/* printk members without sizes */
#define	LS_F_NO_MOUNTS	0x20u	/* no struct mount: paths per mount */
#define	LS_F_NO_FLAGS	0x40u	/* no task_struct.flags */
#define	LS_F_ALL	0x7fu

/* task_struct */
#define	LS_TASK_STATE		0x00	/* __state, u32 */
#define	LS_TASK_FLAGS		0x04	/* u32 */
#define	LS_TASK_TASKS		0x08	/* list_head */
#define	LS_TASK_MM		0x18
#define	LS_TASK_EXIT_STATE	0x20	/* int */
#define	LS_TASK_PID		0x24	/* pid_t */
#define	LS_TASK_TGID		0x28
#define	LS_TASK_PARENT		0x30	/* real_parent */
#define	LS_TASK_CRED		0x38	/* real_cred */
#define	LS_TASK_COMM		0x40	/* char[16] */
#define	LS_TASK_SIGNAL		0x50
#define	LS_TASK_OLD_STATE	0x58	/* state, long */
#define	LS_TASK_SIZE		0x60
#define	LS_CRED_UID		0x04	/* kuid_t */
#define	LS_CRED_SIZE		0x08
#define	LS_SIGNAL_NR_THREADS	0x04	/* int */
#define	LS_SIGNAL_SIZE		0x08

/* mm_struct, maple_tree */
#define	LS_MM_MT		0x00	/* struct maple_tree */
#define	LS_MT_ROOT		0x08	/* maple_tree.ma_root */
#define	LS_MT_FLAGS		0x10	/* maple_tree.ma_flags */
#define	LS_MM_MMAP		0x18
#define	LS_MM_PGD		0x20
#define	LS_MM_START_BRK		0x28
#define	LS_MM_BRK		0x30
#define	LS_MM_START_STACK	0x38
#define	LS_MM_ARG_START		0x40
#define	LS_MM_ARG_END		0x48
#define	LS_MM_SIZE		0x50

/* Maple tree nodes (Linux's layout, 64-bit). */
#define	LS_MT_NODE		256u
#define	LS_MT_PIVOT(i)		(8 + 8 * (i))
#define	LS_MR_SLOT(i)		(8 + 8 * 15 + 8 * (i))	/* range_64, leaf */
#define	LS_MA_SLOT(i)		(8 + 8 * 9 + 8 * (i))	/* arange_64 */
#define	LS_MT_LEAF		1u
#define	LS_MT_RANGE		2u
#define	LS_MT_ARANGE		3u

/* vm_area_struct */
#define	LS_VMA_START		0x00
#define	LS_VMA_END		0x08
#define	LS_VMA_NEXT		0x10
#define	LS_VMA_FLAGS		0x18
#define	LS_VMA_PGOFF		0x20
#define	LS_VMA_FILE		0x28
#define	LS_VMA_OPS		0x30
#define	LS_VMA_PRIVATE		0x38	/* vm_private_data */
#define	LS_VMA_SIZE		0x40
#define	LS_SPECIAL_NAME		0x00	/* vm_special_mapping.name */

/* file, path, dentry, qstr, mount, vfsmount */
#define	LS_FILE_PATH		0x08	/* path: mnt @0, dentry @8 */
#define	LS_FILE_SIZE		0x18
#define	LS_DENTRY_PARENT	0x00
#define	LS_DENTRY_NAME		0x08	/* qstr: len @4 (u32), name @8 */
#define	LS_DENTRY_SIZE		0x18
#define	LS_MOUNT_PARENT		0x00
#define	LS_MOUNT_MOUNTPOINT	0x08
#define	LS_MOUNT_MNT		0x10	/* vfsmount: mnt_root @0 */
#define	LS_MOUNT_SIZE		0x20

/* module, module_layout / module_memory */
#define	LS_MOD_STATE		0x00
#define	LS_MOD_LIST		0x08
#define	LS_MOD_NAME		0x18	/* char[56] */
#define	LS_MOD_NAME_LEN		56
#define	LS_MOD_TEXT		0x50	/* base @0, size @8 (u32) */
#define	LS_MOD_SIZE		0x60

/* printk (Linux 6.1's layout) */
#define	LS_RB_SIZE		0x58
#define	LS_RB_DESC_RING		0x00	/* count_bits, descs, infos, ... */
#define	LS_RB_TEXT_RING		0x30	/* size_bits, data, ... */
#define	LS_DESC_SIZE		0x18	/* state_var, begin, next */
#define	LS_INFO_SIZE		0x58
#define	LS_INFO_SEQ		0x00
#define	LS_INFO_TS		0x08
#define	LS_INFO_TEXT_LEN	0x10
#define	LS_INFO_LEVEL		0x13	/* level << 5 */
#define	LS_LOG_HDR		0x10	/* struct printk_log */

/* The static objects at the start of the arena. */
struct ls_statics {
	uint64_t	st_init_task;
	uint64_t	st_modules;	/* list_head */
	uint64_t	st_prb;		/* the `prb` pointer variable */
	uint64_t	st_rb;		/* printk_rb_static */
	uint64_t	st_log_buf;	/* char *log_buf */
	uint64_t	st_log_buf_len;	/* u32 */
	uint64_t	st_log_first_idx, st_log_next_idx;	/* u32 */
	uint64_t	st_log_first_seq;	/* u64 */
	uint64_t	st_special_ops;	/* special_mapping_vmops */
};

/* The printk ring the writer keeps. */
struct ls_prb {
	unsigned	pb_count_bits, pb_size_bits;
	uint64_t	pb_descs, pb_infos, pb_data;	/* va */
	uint64_t	pb_head, pb_tail;	/* ids */
	uint64_t	pb_head_lpos, pb_tail_lpos;
	uint64_t	pb_live;		/* records kept */
	uint64_t	pb_seq;			/* the next record's */
};

/* The printk_log buffer the writer keeps. */
struct ls_logbuf {
	uint64_t	lb_buf;			/* va */
	uint32_t	lb_len;
	uint32_t	lb_first_idx, lb_next_idx;
	uint64_t	lb_first_seq, lb_next_seq;
};

struct lsynth {
	unsigned char	*ls_mem;	/* guest physical memory */
	uint64_t	ls_size;
	unsigned	ls_flags;	/* LS_F_* */
	uint64_t	ls_pt_next;	/* page-table frames: bump, pa */
	uint64_t	ls_arena, ls_arena_end;	/* pa */
	uint64_t	ls_next;	/* arena: bump, pa */
	struct ls_statics ls_st;
	struct ls_prb	ls_prb;
	struct ls_logbuf ls_log;
};

/*
 * A kernel of the variant flags: memory, page tables (the direct map of
 * all of it), an arena of arena_len bytes at LS_ARENA_PA and the static
 * objects at its start (init_task, pid 0 "swapper/0", alone in its
 * list; no modules).  0, or -1 (no memory).
 */
int	ls_init(struct lsynth *ls, unsigned flags, uint64_t arena_len);
void	ls_fini(struct lsynth *ls);
/* The profile of this kernel, symbols included; 0 or an errno. */
int	ls_profile(const struct lsynth *ls, struct linux_profile *p);
/* Write the memory to path (a raw image); 0 or -1. */
int	ls_write(const struct lsynth *ls, const char *path);

/* Arena: size bytes, zeroed, aligned; the kernel va, or 0 when full. */
uint64_t ls_alloc(struct lsynth *ls, uint64_t size, uint64_t align);
/* Physical address of a direct-map va; ~0 when not in memory. */
uint64_t ls_pa(const struct lsynth *ls, uint64_t va);
/* Host pointer to len bytes at va (NULL when not all in memory). */
void	*ls_at(struct lsynth *ls, uint64_t va, uint64_t len);
void	ls_w8(struct lsynth *ls, uint64_t va, uint8_t v);
void	ls_w16(struct lsynth *ls, uint64_t va, uint16_t v);
void	ls_w32(struct lsynth *ls, uint64_t va, uint32_t v);
void	ls_w64(struct lsynth *ls, uint64_t va, uint64_t v);
void	ls_wbytes(struct lsynth *ls, uint64_t va, const void *p, size_t n);
uint64_t ls_r64(struct lsynth *ls, uint64_t va);

/* Page tables: a new PML4 sharing the kernel half (pa), a 4K map. */
uint64_t ls_new_root(struct lsynth *ls);
int	ls_map_user(struct lsynth *ls, uint64_t root, uint64_t va,
	    uint64_t pa);

/* A task, appended to init_task's list. */
struct ls_task_spec {
	int		ts_pid, ts_tgid;
	uint64_t	ts_parent;	/* task va; 0: init_task */
	const char	*ts_comm;
	uint32_t	ts_state, ts_exit_state;
	uint32_t	ts_uid;
	int		ts_threads;
	uint32_t	ts_flags;
	uint64_t	ts_mm;
};
uint64_t ls_task(struct lsynth *ls, const struct ls_task_spec *ts);

/*
 * An mm whose pgd is root (pa; its va is in the direct map), with brk
 * and stack, and a command line: the bytes args[0 .. args_len) placed
 * in a user page at user_va (mapped in root), arg_start..arg_end over
 * them.  args may be NULL (nothing mapped, arg_* = user_va).
 */
uint64_t ls_mm(struct lsynth *ls, uint64_t root, uint64_t start_brk,
	    uint64_t brk, uint64_t start_stack, uint64_t user_va,
	    const void *args, size_t args_len);

/* A VMA (not yet in its mm). */
uint64_t ls_vma(struct lsynth *ls, uint64_t start, uint64_t end,
	    uint64_t flags, uint64_t pgoff, uint64_t file);
/* Make vma a special mapping called name ("[vdso]"); 0 or -1. */
int	ls_vma_special(struct lsynth *ls, uint64_t vma, const char *name);
/*
 * File the VMAs (sorted) in mm: a maple tree whose nodes hold at most
 * fanout slots (2..16; internal nodes at most 10), or the vm_next list
 * in the LS_F_VMA_LIST variant.  0 or -1 (arena full).
 */
int	ls_mm_vmas(struct lsynth *ls, uint64_t mm, const uint64_t *vmas,
	    size_t n, unsigned fanout);

/* Dentries: parent 0 makes a root (d_parent = itself). */
uint64_t ls_dentry(struct lsynth *ls, uint64_t parent, const char *name);
/* A mount of root at mountpoint in parent (0: the namespace's root
 * mount): the vfsmount's va. */
uint64_t ls_mount(struct lsynth *ls, uint64_t parent_vfsmount,
	    uint64_t mountpoint, uint64_t root);
uint64_t ls_file(struct lsynth *ls, uint64_t vfsmount, uint64_t dentry);

/* A module, appended to the `modules` list. */
uint64_t ls_module(struct lsynth *ls, const char *name, uint32_t state,
	    uint64_t base, uint32_t size);

/*
 * The lockless ring: 2^count_bits descriptors, 2^size_bits data bytes,
 * the first record's id first_id (to test ids wrapping).  Records are
 * added as the kernel adds them, dropping the oldest when either ring is
 * full; the newest is committed, the others finalized.  0 or -1.
 */
int	ls_prb_init(struct lsynth *ls, unsigned count_bits,
	    unsigned size_bits, uint64_t first_id);
int	ls_prb_add(struct lsynth *ls, uint64_t ts, int level,
	    const char *text, size_t len);

/* The printk_log buffer of len bytes; records as log_store adds them. */
int	ls_logbuf_init(struct lsynth *ls, uint32_t len);
int	ls_logbuf_add(struct lsynth *ls, uint64_t ts, int level,
	    const char *text, size_t len);

#endif /* PORTHOLE_TESTS_LINUX_SYNTH_H */
