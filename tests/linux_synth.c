/*
 * linux_synth.c -- the synthetic Linux kernel of linux_synth.h: page
 * tables, the kernel's objects in a compact layout, and writers that
 * file VMAs in a maple tree and records in the printk ring buffers the
 * way the kernel does.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "guest/linux/linux_profile.h"
#include "tests/linux_synth.h"

#define	PTE_P		0x001ULL
#define	PTE_W		0x002ULL
#define	PTE_U		0x004ULL
#define	PTE_PS		0x080ULL
#define	PTE_ADDR	0x000ffffffffff000ULL

/* maple_tree.h */
#define	MT_ROOT_NODE	0x2ULL
#define	MT_ENODE_NULL	0x4ULL
#define	MT_ROOT_PARENT	0x1ULL
#define	MT_ALLOC_RANGE	0x1u

/* printk_ringbuffer.h (64-bit) */
#define	SV_SHIFT	62
#define	ID_MASK		(~0ULL >> 2)
#define	DESC_COMMITTED	1ULL
#define	DESC_FINALIZED	2ULL
#define	DESC_REUSABLE	3ULL
#define	NO_LPOS		3ULL

static uint64_t
align_up(uint64_t v, uint64_t a)
{
	return ((v + a - 1) & ~(a - 1));
}

uint64_t
ls_pa(const struct lsynth *ls, uint64_t va)
{
	if (va < LS_DIRECT || va - LS_DIRECT >= ls->ls_size)
		return (~0ULL);
	return (va - LS_DIRECT);
}

void *
ls_at(struct lsynth *ls, uint64_t va, uint64_t len)
{
	uint64_t pa = ls_pa(ls, va);

	if (pa == ~0ULL || len > ls->ls_size - pa)
		return (NULL);
	return (ls->ls_mem + pa);
}

static void
ls_put(struct lsynth *ls, uint64_t va, uint64_t v, unsigned n)
{
	unsigned char *p = ls_at(ls, va, n);
	unsigned i;

	if (p == NULL)
		abort();	/* a builder bug, not a test result */
	for (i = 0; i < n; i++, v >>= 8)
		p[i] = (unsigned char)v;
}

void
ls_w8(struct lsynth *ls, uint64_t va, uint8_t v)
{
	ls_put(ls, va, v, 1);
}

void
ls_w16(struct lsynth *ls, uint64_t va, uint16_t v)
{
	ls_put(ls, va, v, 2);
}

void
ls_w32(struct lsynth *ls, uint64_t va, uint32_t v)
{
	ls_put(ls, va, v, 4);
}

void
ls_w64(struct lsynth *ls, uint64_t va, uint64_t v)
{
	ls_put(ls, va, v, 8);
}

void
ls_wbytes(struct lsynth *ls, uint64_t va, const void *src, size_t n)
{
	unsigned char *p = ls_at(ls, va, n);

	if (p == NULL)
		abort();
	memcpy(p, src, n);
}

uint64_t
ls_r64(struct lsynth *ls, uint64_t va)
{
	const unsigned char *p = ls_at(ls, va, 8);
	uint64_t v = 0;
	int i;

	if (p == NULL)
		abort();
	for (i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return (v);
}

static uint64_t
pt_get(const struct lsynth *ls, uint64_t pa)
{
	uint64_t v;

	memcpy(&v, ls->ls_mem + pa, 8);
	return (v);
}

static void
pt_set(struct lsynth *ls, uint64_t pa, uint64_t v)
{
	memcpy(ls->ls_mem + pa, &v, 8);
}

/* A zeroed page-table frame below the arena; 0 when none is left. */
static uint64_t
pt_alloc(struct lsynth *ls)
{
	uint64_t pa = ls->ls_pt_next;

	if (pa + LS_PAGE > LS_ARENA_PA)
		return (0);
	ls->ls_pt_next += LS_PAGE;
	memset(ls->ls_mem + pa, 0, LS_PAGE);
	return (pa);
}

uint64_t
ls_alloc(struct lsynth *ls, uint64_t size, uint64_t align)
{
	uint64_t pa = align_up(ls->ls_next, align);

	if (pa > ls->ls_arena_end || size > ls->ls_arena_end - pa)
		return (0);
	ls->ls_next = pa + size;
	memset(ls->ls_mem + pa, 0, size);
	return (LS_DIRECT + pa);
}

int
ls_init(struct lsynth *ls, unsigned flags, uint64_t arena_len)
{
	struct ls_statics *st = &ls->ls_st;
	uint64_t pdpt = 0x2000, pd = 0x3000, pa;
	unsigned i;

	memset(ls, 0, sizeof (*ls));
	ls->ls_size = LS_MEM_SIZE;
	ls->ls_flags = flags;
	if (arena_len > LS_MEM_SIZE - LS_ARENA_PA ||
	    (ls->ls_mem = calloc(1, LS_MEM_SIZE)) == NULL)
		return (-1);
	ls->ls_pt_next = LS_PT_POOL_PA;
	ls->ls_arena = ls->ls_next = LS_ARENA_PA;
	ls->ls_arena_end = LS_ARENA_PA + arena_len;

	/* The direct map: PML4[273] -> PDPT[0] -> 2 MiB pages. */
	pt_set(ls, LS_KROOT_PA + 8 * ((LS_DIRECT >> 39) & 511),
	    pdpt | PTE_P | PTE_W);
	pt_set(ls, pdpt, pd | PTE_P | PTE_W);
	for (i = 0, pa = 0; pa < LS_MEM_SIZE; i++, pa += 1ULL << 21)
		pt_set(ls, pd + 8 * i, pa | PTE_P | PTE_W | PTE_PS);

	st->st_init_task = ls_alloc(ls, LS_TASK_SIZE, 64);
	st->st_modules = ls_alloc(ls, 16, 8);
	st->st_prb = ls_alloc(ls, 8, 8);
	st->st_rb = ls_alloc(ls, LS_RB_SIZE, 8);
	st->st_log_buf = ls_alloc(ls, 8, 8);
	st->st_log_buf_len = ls_alloc(ls, 4, 4);
	st->st_log_first_idx = ls_alloc(ls, 4, 4);
	st->st_log_next_idx = ls_alloc(ls, 4, 4);
	st->st_log_first_seq = ls_alloc(ls, 8, 8);
	st->st_special_ops = ls_alloc(ls, 8, 8);
	if (st->st_special_ops == 0) {
		ls_fini(ls);
		return (-1);
	}
	ls_w64(ls, st->st_modules, st->st_modules);
	ls_w64(ls, st->st_modules + 8, st->st_modules);
	ls_w64(ls, st->st_prb, st->st_rb);

	/* init_task: pid 0, its own parent, alone in its list. */
	ls_w64(ls, st->st_init_task + LS_TASK_TASKS,
	    st->st_init_task + LS_TASK_TASKS);
	ls_w64(ls, st->st_init_task + LS_TASK_TASKS + 8,
	    st->st_init_task + LS_TASK_TASKS);
	ls_w64(ls, st->st_init_task + LS_TASK_PARENT, st->st_init_task);
	ls_wbytes(ls, st->st_init_task + LS_TASK_COMM, "swapper/0", 9);
	ls_w32(ls, st->st_init_task + LS_TASK_FLAGS, 0x00200000);
	return (0);
}

void
ls_fini(struct lsynth *ls)
{
	free(ls->ls_mem);
	ls->ls_mem = NULL;
}

int
ls_write(const struct lsynth *ls, const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	size_t done = 0;
	ssize_t n;

	if (fd < 0)
		return (-1);
	while (done < ls->ls_size) {
		n = write(fd, ls->ls_mem + done, ls->ls_size - done);
		if (n <= 0) {
			(void) close(fd);
			return (-1);
		}
		done += (size_t)n;
	}
	return (close(fd));
}

/* ---- the profile ---- */

struct ls_member {
	const char	*m_type, *m_member;
	uint64_t	m_off, m_size;
	unsigned	m_unless;	/* LS_F_* that leave it out */
	unsigned	m_only;		/* LS_F_* it needs (0: none) */
};

static const struct ls_member ls_members[] = {
	{ "task_struct", "__state", LS_TASK_STATE, 4, LS_F_OLD_STATE, 0 },
	{ "task_struct", "state", LS_TASK_OLD_STATE, 8, 0, LS_F_OLD_STATE },
	{ "task_struct", "flags", LS_TASK_FLAGS, 4, LS_F_NO_FLAGS, 0 },
	{ "task_struct", "tasks", LS_TASK_TASKS, 16, 0, 0 },
	{ "task_struct", "mm", LS_TASK_MM, 8, 0, 0 },
	{ "task_struct", "exit_state", LS_TASK_EXIT_STATE, 4, 0, 0 },
	{ "task_struct", "pid", LS_TASK_PID, 4, 0, 0 },
	{ "task_struct", "tgid", LS_TASK_TGID, 4, 0, 0 },
	{ "task_struct", "real_parent", LS_TASK_PARENT, 8, 0, 0 },
	{ "task_struct", "real_cred", LS_TASK_CRED, 8, 0, 0 },
	{ "task_struct", "comm", LS_TASK_COMM, 16, 0, 0 },
	{ "task_struct", "signal", LS_TASK_SIGNAL, 8, 0, 0 },
	{ "cred", "uid", LS_CRED_UID, 4, 0, 0 },
	{ "signal_struct", "nr_threads", LS_SIGNAL_NR_THREADS, 4, 0, 0 },
	{ "mm_struct", "mm_mt", LS_MM_MT, 24, LS_F_VMA_LIST, 0 },
	{ "mm_struct", "mmap", LS_MM_MMAP, 8, 0, LS_F_VMA_LIST },
	{ "mm_struct", "pgd", LS_MM_PGD, 8, 0, 0 },
	{ "mm_struct", "start_brk", LS_MM_START_BRK, 8, 0, 0 },
	{ "mm_struct", "brk", LS_MM_BRK, 8, 0, 0 },
	{ "mm_struct", "start_stack", LS_MM_START_STACK, 8, 0, 0 },
	{ "mm_struct", "arg_start", LS_MM_ARG_START, 8, 0, 0 },
	{ "mm_struct", "arg_end", LS_MM_ARG_END, 8, 0, 0 },
	{ "maple_tree", "ma_root", LS_MT_ROOT, 8, LS_F_VMA_LIST, 0 },
	{ "maple_tree", "ma_flags", LS_MT_FLAGS, 4, LS_F_VMA_LIST, 0 },
	{ "maple_range_64", "pivot", 8, 120, LS_F_VMA_LIST, 0 },
	{ "maple_range_64", "slot", 128, 128, LS_F_VMA_LIST, 0 },
	{ "maple_arange_64", "pivot", 8, 72, LS_F_VMA_LIST, 0 },
	{ "maple_arange_64", "slot", 80, 80, LS_F_VMA_LIST, 0 },
	{ "vm_area_struct", "vm_start", LS_VMA_START, 8, 0, 0 },
	{ "vm_area_struct", "vm_end", LS_VMA_END, 8, 0, 0 },
	{ "vm_area_struct", "vm_next", LS_VMA_NEXT, 8, 0, LS_F_VMA_LIST },
	{ "vm_area_struct", "vm_flags", LS_VMA_FLAGS, 8, 0, 0 },
	{ "vm_area_struct", "vm_pgoff", LS_VMA_PGOFF, 8, 0, 0 },
	{ "vm_area_struct", "vm_file", LS_VMA_FILE, 8, 0, 0 },
	{ "vm_area_struct", "vm_ops", LS_VMA_OPS, 8, 0, 0 },
	{ "vm_area_struct", "vm_private_data", LS_VMA_PRIVATE, 8, 0, 0 },
	{ "vm_special_mapping", "name", LS_SPECIAL_NAME, 8, 0, 0 },
	{ "file", "f_path", LS_FILE_PATH, 16, 0, 0 },
	{ "path", "mnt", 0, 8, 0, 0 },
	{ "path", "dentry", 8, 8, 0, 0 },
	{ "dentry", "d_parent", LS_DENTRY_PARENT, 8, 0, 0 },
	{ "dentry", "d_name", LS_DENTRY_NAME, 16, 0, 0 },
	{ "qstr", "len", 4, 4, 0, 0 },
	{ "qstr", "name", 8, 8, 0, 0 },
	{ "mount", "mnt_parent", LS_MOUNT_PARENT, 8, LS_F_NO_MOUNTS, 0 },
	{ "mount", "mnt_mountpoint", LS_MOUNT_MOUNTPOINT, 8, LS_F_NO_MOUNTS,
	    0 },
	{ "mount", "mnt", LS_MOUNT_MNT, 16, LS_F_NO_MOUNTS, 0 },
	{ "vfsmount", "mnt_root", 0, 8, LS_F_NO_MOUNTS, 0 },
	{ "module", "state", LS_MOD_STATE, 4, 0, 0 },
	{ "module", "list", LS_MOD_LIST, 16, 0, 0 },
	{ "module", "name", LS_MOD_NAME, LS_MOD_NAME_LEN, 0, 0 },
	{ "module", "core_layout", LS_MOD_TEXT, 16, LS_F_MOD_MEM, 0 },
	{ "module", "mem", LS_MOD_TEXT, 16 * 7, 0, LS_F_MOD_MEM },
	{ "module_layout", "base", 0, 8, LS_F_MOD_MEM, 0 },
	{ "module_layout", "size", 8, 4, LS_F_MOD_MEM, 0 },
	{ "module_memory", "base", 0, 8, 0, LS_F_MOD_MEM },
	{ "module_memory", "size", 8, 4, 0, LS_F_MOD_MEM },
};

/* printk members: sizes dropped in the LS_F_NO_SIZES variant. */
static const struct ls_member ls_printk_members[] = {
	{ "printk_ringbuffer", "desc_ring", LS_RB_DESC_RING, 0x30,
	    LS_F_LOGBUF, 0 },
	{ "printk_ringbuffer", "text_data_ring", LS_RB_TEXT_RING, 0x20,
	    LS_F_LOGBUF, 0 },
	{ "prb_desc_ring", "count_bits", 0x00, 4, LS_F_LOGBUF, 0 },
	{ "prb_desc_ring", "descs", 0x08, 8, LS_F_LOGBUF, 0 },
	{ "prb_desc_ring", "infos", 0x10, 8, LS_F_LOGBUF, 0 },
	{ "prb_desc_ring", "head_id", 0x18, 8, LS_F_LOGBUF, 0 },
	{ "prb_desc_ring", "tail_id", 0x20, 8, LS_F_LOGBUF, 0 },
	{ "prb_data_ring", "size_bits", 0x00, 4, LS_F_LOGBUF, 0 },
	{ "prb_data_ring", "data", 0x08, 8, LS_F_LOGBUF, 0 },
	{ "prb_desc", "state_var", 0x00, 8, LS_F_LOGBUF, 0 },
	{ "prb_desc", "text_blk_lpos", 0x08, 16, LS_F_LOGBUF, 0 },
	{ "prb_data_blk_lpos", "begin", 0x00, 8, LS_F_LOGBUF, 0 },
	{ "prb_data_blk_lpos", "next", 0x08, 8, LS_F_LOGBUF, 0 },
	{ "printk_info", "seq", LS_INFO_SEQ, 8, LS_F_LOGBUF, 0 },
	{ "printk_info", "ts_nsec", LS_INFO_TS, 8, LS_F_LOGBUF, 0 },
	{ "printk_info", "text_len", LS_INFO_TEXT_LEN, 2, LS_F_LOGBUF, 0 },
	{ "printk_log", "ts_nsec", 0x00, 8, 0, LS_F_LOGBUF },
	{ "printk_log", "len", 0x08, 2, 0, LS_F_LOGBUF },
	{ "printk_log", "text_len", 0x0a, 2, 0, LS_F_LOGBUF },
	{ "printk_log", "dict_len", 0x0c, 2, 0, LS_F_LOGBUF },
};

static bool
ls_member_in(const struct ls_member *m, unsigned flags)
{
	return ((flags & m->m_unless) == 0 &&
	    (m->m_only == 0 || (flags & m->m_only) != 0));
}

int
ls_profile(const struct lsynth *ls, struct linux_profile *p)
{
	const struct ls_statics *st = &ls->ls_st;
	const struct ls_member *m;
	unsigned f = ls->ls_flags;
	size_t i;
	int err = 0;

	for (i = 0; i < sizeof (ls_members) / sizeof (ls_members[0]); i++) {
		m = &ls_members[i];
		if (ls_member_in(m, f) && (err = lprof_set_member(p,
		    m->m_type, m->m_member, m->m_off, m->m_size)) != 0)
			return (err);
	}
	for (i = 0; i < sizeof (ls_printk_members) /
	    sizeof (ls_printk_members[0]); i++) {
		m = &ls_printk_members[i];
		if (ls_member_in(m, f) && (err = lprof_set_member(p,
		    m->m_type, m->m_member, m->m_off,
		    (f & LS_F_NO_SIZES) ? 0 : m->m_size)) != 0)
			return (err);
	}
	if ((err = lprof_set_symbol(p, "special_mapping_vmops",
	    st->st_special_ops)) != 0 ||
	    (err = lprof_set_symbol(p, "init_task", st->st_init_task)) != 0 ||
	    (err = lprof_set_symbol(p, "modules", st->st_modules)) != 0)
		return (err);
	if (f & LS_F_LOGBUF) {
		if ((err = lprof_set_symbol(p, "log_buf", st->st_log_buf)) ||
		    (err = lprof_set_symbol(p, "log_buf_len",
		    st->st_log_buf_len)) ||
		    (err = lprof_set_symbol(p, "log_first_idx",
		    st->st_log_first_idx)) ||
		    (err = lprof_set_symbol(p, "log_next_idx",
		    st->st_log_next_idx)) ||
		    (err = lprof_set_symbol(p, "log_first_seq",
		    st->st_log_first_seq)) ||
		    (err = lprof_set_size(p, "printk_log", LS_LOG_HDR)))
			return (err);
	} else {
		if ((err = lprof_set_symbol(p, "prb", st->st_prb)) ||
		    (err = lprof_set_size(p, "prb_desc", LS_DESC_SIZE)) ||
		    (err = lprof_set_size(p, "printk_info", LS_INFO_SIZE)))
			return (err);
	}
	return (lprof_set_size(p, "task_struct", LS_TASK_SIZE));
}

/* ---- page tables ---- */

uint64_t
ls_new_root(struct lsynth *ls)
{
	uint64_t root = pt_alloc(ls);
	unsigned i;

	if (root == 0)
		return (0);
	for (i = 256; i < 512; i++)
		pt_set(ls, root + 8 * i, pt_get(ls, LS_KROOT_PA + 8 * i));
	return (root);
}

int
ls_map_user(struct lsynth *ls, uint64_t root, uint64_t va, uint64_t pa)
{
	uint64_t table = root, e, next;
	int level;

	for (level = 4; level > 1; level--) {
		uint64_t slot = table + 8 * ((va >> (12 + 9 * (level - 1))) &
		    511);

		e = pt_get(ls, slot);
		if ((e & PTE_P) == 0) {
			if ((next = pt_alloc(ls)) == 0)
				return (-1);
			e = next | PTE_P | PTE_W | PTE_U;
			pt_set(ls, slot, e);
		}
		table = e & PTE_ADDR;
	}
	pt_set(ls, table + 8 * ((va >> 12) & 511),
	    (pa & PTE_ADDR) | PTE_P | PTE_W | PTE_U);
	return (0);
}

/* ---- tasks and mms ---- */

uint64_t
ls_task(struct lsynth *ls, const struct ls_task_spec *ts)
{
	uint64_t head = ls->ls_st.st_init_task + LS_TASK_TASKS, last;
	uint64_t t, cred, sig;
	size_t n;

	if ((t = ls_alloc(ls, LS_TASK_SIZE, 64)) == 0 ||
	    (cred = ls_alloc(ls, LS_CRED_SIZE, 8)) == 0 ||
	    (sig = ls_alloc(ls, LS_SIGNAL_SIZE, 8)) == 0)
		return (0);
	if (ls->ls_flags & LS_F_OLD_STATE)
		ls_w64(ls, t + LS_TASK_OLD_STATE, ts->ts_state);
	else
		ls_w32(ls, t + LS_TASK_STATE, ts->ts_state);
	ls_w32(ls, t + LS_TASK_FLAGS, ts->ts_flags);
	ls_w64(ls, t + LS_TASK_MM, ts->ts_mm);
	ls_w32(ls, t + LS_TASK_EXIT_STATE, ts->ts_exit_state);
	ls_w32(ls, t + LS_TASK_PID, (uint32_t)ts->ts_pid);
	ls_w32(ls, t + LS_TASK_TGID, (uint32_t)ts->ts_tgid);
	ls_w64(ls, t + LS_TASK_PARENT, ts->ts_parent != 0 ? ts->ts_parent :
	    ls->ls_st.st_init_task);
	ls_w64(ls, t + LS_TASK_CRED, cred);
	ls_w32(ls, cred + LS_CRED_UID, ts->ts_uid);
	ls_w64(ls, t + LS_TASK_SIGNAL, sig);
	ls_w32(ls, sig + LS_SIGNAL_NR_THREADS, (uint32_t)ts->ts_threads);
	n = ts->ts_comm == NULL ? 0 : strlen(ts->ts_comm);
	ls_wbytes(ls, t + LS_TASK_COMM, ts->ts_comm == NULL ? "" :
	    ts->ts_comm, n < 16 ? n : 16);

	/* list_add_tail(&t->tasks, &init_task.tasks) */
	last = ls_r64(ls, head + 8);
	ls_w64(ls, t + LS_TASK_TASKS, head);
	ls_w64(ls, t + LS_TASK_TASKS + 8, last);
	ls_w64(ls, last, t + LS_TASK_TASKS);
	ls_w64(ls, head + 8, t + LS_TASK_TASKS);
	return (t);
}

uint64_t
ls_mm(struct lsynth *ls, uint64_t root, uint64_t start_brk, uint64_t brk,
    uint64_t start_stack, uint64_t user_va, const void *args,
    size_t args_len)
{
	uint64_t mm, page;

	if ((mm = ls_alloc(ls, LS_MM_SIZE, 64)) == 0)
		return (0);
	ls_w64(ls, mm + LS_MM_PGD, LS_DIRECT + root);
	ls_w64(ls, mm + LS_MM_START_BRK, start_brk);
	ls_w64(ls, mm + LS_MM_BRK, brk);
	ls_w64(ls, mm + LS_MM_START_STACK, start_stack);
	ls_w64(ls, mm + LS_MM_ARG_START, user_va);
	ls_w64(ls, mm + LS_MM_ARG_END, user_va + args_len);
	if (args != NULL) {
		if (args_len > LS_PAGE - (user_va & (LS_PAGE - 1)) ||
		    (page = ls_alloc(ls, LS_PAGE, LS_PAGE)) == 0 ||
		    ls_map_user(ls, root, user_va, page - LS_DIRECT) != 0)
			return (0);
		ls_wbytes(ls, page + (user_va & (LS_PAGE - 1)), args,
		    args_len);
	}
	return (mm);
}

uint64_t
ls_vma(struct lsynth *ls, uint64_t start, uint64_t end, uint64_t flags,
    uint64_t pgoff, uint64_t file)
{
	uint64_t v = ls_alloc(ls, LS_VMA_SIZE, 8);

	if (v == 0)
		return (0);
	ls_w64(ls, v + LS_VMA_START, start);
	ls_w64(ls, v + LS_VMA_END, end);
	ls_w64(ls, v + LS_VMA_FLAGS, flags);
	ls_w64(ls, v + LS_VMA_PGOFF, pgoff);
	ls_w64(ls, v + LS_VMA_FILE, file);
	return (v);
}

int
ls_vma_special(struct lsynth *ls, uint64_t vma, const char *name)
{
	size_t len = strlen(name);
	uint64_t sm = ls_alloc(ls, 8 + len + 1, 8);

	if (sm == 0)
		return (-1);
	ls_w64(ls, sm + LS_SPECIAL_NAME, sm + 8);
	ls_wbytes(ls, sm + 8, name, len);
	ls_w64(ls, vma + LS_VMA_OPS, ls->ls_st.st_special_ops);
	ls_w64(ls, vma + LS_VMA_PRIVATE, sm);
	return (0);
}

/* One slot of a node being built: its range and entry (or enode). */
struct ls_slot {
	uint64_t	s_first, s_last;
	uint64_t	s_entry;
};

/*
 * Build one node of type holding slots[0 .. n): pivots for all but an
 * implied last; the encoded node pointer, or 0 when the arena is full.
 */
static uint64_t
ls_mt_node(struct lsynth *ls, unsigned type, const struct ls_slot *s,
    size_t n)
{
	unsigned npivots = type == LS_MT_ARANGE ? 9 : 15;
	uint64_t node = ls_alloc(ls, LS_MT_NODE, LS_MT_NODE);
	size_t i;

	if (node == 0)
		return (0);
	for (i = 0; i < n; i++) {
		if (i < npivots)
			ls_w64(ls, node + LS_MT_PIVOT(i), s[i].s_last);
		ls_w64(ls, node + (type == LS_MT_ARANGE ? LS_MA_SLOT(i) :
		    LS_MR_SLOT(i)), s[i].s_entry);
		if (type != LS_MT_LEAF && s[i].s_entry != 0)	/* parent */
			ls_w64(ls, s[i].s_entry & ~0xffULL,
			    node | (uint64_t)i << 3 | 0x6);
	}
	return (node | (uint64_t)type << 3 | MT_ENODE_NULL);
}

static int
ls_mt_build(struct lsynth *ls, uint64_t mm, const uint64_t *vmas, size_t n,
    unsigned fanout)
{
	struct ls_slot *s, *up;
	uint64_t cur = 0, start, end, enode;
	size_t ns = 0, nu, i, j, k, per;
	unsigned type = LS_MT_LEAF, height = 1;
	int rv = -1;

	if ((s = calloc(2 * n + 2, sizeof (*s))) == NULL ||
	    (up = calloc(2 * n + 2, sizeof (*up))) == NULL) {
		free(s);
		return (-1);
	}
	for (i = 0; i < n; i++) {
		start = ls_r64(ls, vmas[i] + LS_VMA_START);
		end = ls_r64(ls, vmas[i] + LS_VMA_END);
		if (start > cur)
			s[ns++] = (struct ls_slot){ cur, start - 1, 0 };
		s[ns++] = (struct ls_slot){ start, end - 1, vmas[i] };
		cur = end;
	}
	if (cur != 0 || n == 0)
		s[ns++] = (struct ls_slot){ cur, ~0ULL, 0 };
	for (;;) {
		per = type == LS_MT_LEAF ? fanout : fanout < 10 ? fanout : 10;
		for (i = 0, nu = 0; i < ns; i = j) {
			j = i + per < ns ? i + per : ns;
			if ((enode = ls_mt_node(ls, type, s + i, j - i)) == 0)
				goto out;
			up[nu++] = (struct ls_slot){ s[i].s_first,
			    s[j - 1].s_last, enode };
		}
		if (nu == 1)
			break;
		for (k = 0; k < nu; k++)
			s[k] = up[k];
		ns = nu;
		type = LS_MT_ARANGE;
		height++;
	}
	ls_w64(ls, up[0].s_entry & ~0xffULL,
	    (mm + LS_MM_MT) | MT_ROOT_PARENT);
	ls_w64(ls, mm + LS_MT_ROOT, up[0].s_entry | MT_ROOT_NODE);
	ls_w32(ls, mm + LS_MT_FLAGS, MT_ALLOC_RANGE | height << 2);
	rv = 0;
out:
	free(s);
	free(up);
	return (rv);
}

int
ls_mm_vmas(struct lsynth *ls, uint64_t mm, const uint64_t *vmas, size_t n,
    unsigned fanout)
{
	size_t i;

	if (ls->ls_flags & LS_F_VMA_LIST) {
		ls_w64(ls, mm + LS_MM_MMAP, n > 0 ? vmas[0] : 0);
		for (i = 0; i + 1 < n; i++)
			ls_w64(ls, vmas[i] + LS_VMA_NEXT, vmas[i + 1]);
		return (0);
	}
	if (fanout < 2 || fanout > 16)
		return (-1);
	return (ls_mt_build(ls, mm, vmas, n, fanout));
}

/* ---- files ---- */

uint64_t
ls_dentry(struct lsynth *ls, uint64_t parent, const char *name)
{
	size_t len = strlen(name);
	uint64_t d = ls_alloc(ls, LS_DENTRY_SIZE + len + 1, 8);

	if (d == 0)
		return (0);
	ls_w64(ls, d + LS_DENTRY_PARENT, parent != 0 ? parent : d);
	ls_w32(ls, d + LS_DENTRY_NAME + 4, (uint32_t)len);
	ls_w64(ls, d + LS_DENTRY_NAME + 8, d + LS_DENTRY_SIZE);
	ls_wbytes(ls, d + LS_DENTRY_SIZE, name, len);
	return (d);
}

uint64_t
ls_mount(struct lsynth *ls, uint64_t parent_vfsmount, uint64_t mountpoint,
    uint64_t root)
{
	uint64_t m = ls_alloc(ls, LS_MOUNT_SIZE, 8);

	if (m == 0)
		return (0);
	ls_w64(ls, m + LS_MOUNT_PARENT, parent_vfsmount != 0 ?
	    parent_vfsmount - LS_MOUNT_MNT : m);
	ls_w64(ls, m + LS_MOUNT_MOUNTPOINT, mountpoint != 0 ? mountpoint :
	    root);
	ls_w64(ls, m + LS_MOUNT_MNT, root);	/* vfsmount.mnt_root */
	return (m + LS_MOUNT_MNT);
}

uint64_t
ls_file(struct lsynth *ls, uint64_t vfsmount, uint64_t dentry)
{
	uint64_t f = ls_alloc(ls, LS_FILE_SIZE, 8);

	if (f == 0)
		return (0);
	ls_w64(ls, f + LS_FILE_PATH, vfsmount);
	ls_w64(ls, f + LS_FILE_PATH + 8, dentry);
	return (f);
}

/* ---- modules ---- */

uint64_t
ls_module(struct lsynth *ls, const char *name, uint32_t state,
    uint64_t base, uint32_t size)
{
	uint64_t head = ls->ls_st.st_modules, last, m;
	size_t n = strlen(name);

	if ((m = ls_alloc(ls, LS_MOD_SIZE, 64)) == 0)
		return (0);
	ls_w32(ls, m + LS_MOD_STATE, state);
	ls_wbytes(ls, m + LS_MOD_NAME, name, n < LS_MOD_NAME_LEN ? n :
	    LS_MOD_NAME_LEN);
	ls_w64(ls, m + LS_MOD_TEXT, base);
	ls_w32(ls, m + LS_MOD_TEXT + 8, size);
	last = ls_r64(ls, head + 8);
	ls_w64(ls, m + LS_MOD_LIST, head);
	ls_w64(ls, m + LS_MOD_LIST + 8, last);
	ls_w64(ls, last, m + LS_MOD_LIST);
	ls_w64(ls, head + 8, m + LS_MOD_LIST);
	return (m);
}

/* ---- the lockless printk ring ---- */

static uint64_t
prb_desc(const struct ls_prb *pb, uint64_t id)
{
	return (pb->pb_descs + (id & ((1ULL << pb->pb_count_bits) - 1)) *
	    LS_DESC_SIZE);
}

static uint64_t
prb_info(const struct ls_prb *pb, uint64_t id)
{
	return (pb->pb_infos + (id & ((1ULL << pb->pb_count_bits) - 1)) *
	    LS_INFO_SIZE);
}

static void
prb_sync(struct lsynth *ls)
{
	struct ls_prb *pb = &ls->ls_prb;
	uint64_t rb = ls->ls_st.st_rb;

	ls_w64(ls, rb + LS_RB_DESC_RING + 0x18, pb->pb_head);
	ls_w64(ls, rb + LS_RB_DESC_RING + 0x20, pb->pb_tail);
	ls_w64(ls, rb + LS_RB_TEXT_RING + 0x10, pb->pb_head_lpos);
	ls_w64(ls, rb + LS_RB_TEXT_RING + 0x18, pb->pb_tail_lpos);
}

int
ls_prb_init(struct lsynth *ls, unsigned count_bits, unsigned size_bits,
    uint64_t first_id)
{
	struct ls_prb *pb = &ls->ls_prb;
	uint64_t rb = ls->ls_st.st_rb;

	memset(pb, 0, sizeof (*pb));
	pb->pb_count_bits = count_bits;
	pb->pb_size_bits = size_bits;
	if ((pb->pb_descs = ls_alloc(ls, LS_DESC_SIZE << count_bits, 8)) == 0 ||
	    (pb->pb_infos = ls_alloc(ls, LS_INFO_SIZE << count_bits, 8)) == 0 ||
	    (pb->pb_data = ls_alloc(ls, 1ULL << size_bits, 8)) == 0)
		return (-1);
	/*
	 * Empty: head = tail, a reusable descriptor, and the data ring's
	 * logical positions one wrap below 0, as the kernel starts them.
	 */
	pb->pb_head = pb->pb_tail = (first_id - 1) & ID_MASK;
	pb->pb_head_lpos = pb->pb_tail_lpos = 0 - (1ULL << size_bits);
	ls_w64(ls, prb_desc(pb, pb->pb_head), DESC_REUSABLE << SV_SHIFT |
	    pb->pb_head);
	ls_w32(ls, rb + LS_RB_DESC_RING, count_bits);
	ls_w64(ls, rb + LS_RB_DESC_RING + 0x08, pb->pb_descs);
	ls_w64(ls, rb + LS_RB_DESC_RING + 0x10, pb->pb_infos);
	ls_w32(ls, rb + LS_RB_TEXT_RING, size_bits);
	ls_w64(ls, rb + LS_RB_TEXT_RING + 0x08, pb->pb_data);
	prb_sync(ls);
	return (0);
}

/* Drop the oldest record: its descriptor becomes reusable. */
static void
prb_drop(struct lsynth *ls)
{
	struct ls_prb *pb = &ls->ls_prb;
	uint64_t d = prb_desc(pb, pb->pb_tail), next;

	next = ls_r64(ls, d + 16);
	ls_w64(ls, d, DESC_REUSABLE << SV_SHIFT | pb->pb_tail);
	if ((next & 1) == 0)
		pb->pb_tail_lpos = next;
	pb->pb_live--;
	if (pb->pb_live > 0)
		pb->pb_tail = (pb->pb_tail + 1) & ID_MASK;
}

int
ls_prb_add(struct lsynth *ls, uint64_t ts, int level, const char *text,
    size_t len)
{
	struct ls_prb *pb = &ls->ls_prb;
	uint64_t size = 1ULL << pb->pb_size_bits, bits = pb->pb_size_bits;
	uint64_t id = (pb->pb_head + 1) & ID_MASK, begin, next, blk, d, info;

	if (len > 0xffff || align_up(8 + len, 8) > size / 2)
		return (-1);
	if (pb->pb_live == 1ULL << pb->pb_count_bits)
		prb_drop(ls);
	if (len == 0) {
		begin = next = NO_LPOS;
	} else {
		if (pb->pb_live == 0)
			pb->pb_tail_lpos = pb->pb_head_lpos;
		begin = pb->pb_head_lpos;
		next = begin + align_up(8 + len, 8);
		if (begin >> bits != next >> bits)	/* wraps: at 0 */
			next = (next >> bits << bits) + align_up(8 + len, 8);
		while (pb->pb_live > 0 && next - pb->pb_tail_lpos > size)
			prb_drop(ls);
		if (pb->pb_live == 0)
			pb->pb_tail_lpos = begin;
		blk = pb->pb_data + (begin & (size - 1));
		ls_w64(ls, blk, id);
		if (begin >> bits != next >> bits) {
			blk = pb->pb_data;
			ls_w64(ls, blk, id);
		}
		ls_wbytes(ls, blk + 8, text, len);
		pb->pb_head_lpos = next;
	}
	/* The record before is finalized now, as the next one arrives. */
	if (pb->pb_live > 0) {
		d = prb_desc(pb, pb->pb_head);
		ls_w64(ls, d, DESC_FINALIZED << SV_SHIFT | pb->pb_head);
	} else {
		pb->pb_tail = id;
	}
	d = prb_desc(pb, id);
	ls_w64(ls, d, DESC_COMMITTED << SV_SHIFT | id);
	ls_w64(ls, d + 8, begin);
	ls_w64(ls, d + 16, next);
	info = prb_info(pb, id);
	memset(ls_at(ls, info, LS_INFO_SIZE), 0, LS_INFO_SIZE);
	ls_w64(ls, info + LS_INFO_SEQ, pb->pb_seq++);
	ls_w64(ls, info + LS_INFO_TS, ts);
	ls_w16(ls, info + LS_INFO_TEXT_LEN, (uint16_t)len);
	ls_w8(ls, info + LS_INFO_LEVEL, (uint8_t)(level << 5));
	pb->pb_head = id;
	pb->pb_live++;
	prb_sync(ls);
	return (0);
}

/* ---- the printk_log buffer ---- */

static void
logbuf_sync(struct lsynth *ls)
{
	const struct ls_statics *st = &ls->ls_st;
	const struct ls_logbuf *lb = &ls->ls_log;

	ls_w64(ls, st->st_log_buf, lb->lb_buf);
	ls_w32(ls, st->st_log_buf_len, lb->lb_len);
	ls_w32(ls, st->st_log_first_idx, lb->lb_first_idx);
	ls_w32(ls, st->st_log_next_idx, lb->lb_next_idx);
	ls_w64(ls, st->st_log_first_seq, lb->lb_first_seq);
}

int
ls_logbuf_init(struct lsynth *ls, uint32_t len)
{
	struct ls_logbuf *lb = &ls->ls_log;

	memset(lb, 0, sizeof (*lb));
	if ((lb->lb_buf = ls_alloc(ls, len, 8)) == 0)
		return (-1);
	lb->lb_len = len;
	logbuf_sync(ls);
	return (0);
}

static uint16_t
logbuf_len_at(struct lsynth *ls, uint32_t idx)
{
	const unsigned char *p = ls_at(ls, ls->ls_log.lb_buf + idx + 8, 2);

	return ((uint16_t)(p[0] | p[1] << 8));
}

/* kernel/printk/printk.c's logbuf_has_space. */
static bool
logbuf_has_space(const struct ls_logbuf *lb, uint32_t size, bool empty)
{
	uint32_t free_bytes;

	if (lb->lb_next_idx > lb->lb_first_idx || empty)
		free_bytes = lb->lb_len - lb->lb_next_idx > lb->lb_first_idx ?
		    lb->lb_len - lb->lb_next_idx : lb->lb_first_idx;
	else
		free_bytes = lb->lb_first_idx - lb->lb_next_idx;
	return (free_bytes >= size + LS_LOG_HDR);
}

int
ls_logbuf_add(struct lsynth *ls, uint64_t ts, int level, const char *text,
    size_t len)
{
	struct ls_logbuf *lb = &ls->ls_log;
	uint32_t size = (uint32_t)align_up(LS_LOG_HDR + len, 8);
	uint64_t h;

	if (len > 0xffff || size + 2 * LS_LOG_HDR > lb->lb_len)
		return (-1);
	while (lb->lb_first_seq < lb->lb_next_seq &&
	    !logbuf_has_space(lb, size, false)) {
		uint16_t l = logbuf_len_at(ls, lb->lb_first_idx);

		if (l == 0) {
			lb->lb_first_idx = 0;
			l = logbuf_len_at(ls, 0);
		}
		lb->lb_first_idx += l;
		lb->lb_first_seq++;
	}
	if (!logbuf_has_space(lb, size, lb->lb_first_seq == lb->lb_next_seq))
		return (-1);
	if (lb->lb_next_idx + size + LS_LOG_HDR > lb->lb_len) {
		memset(ls_at(ls, lb->lb_buf + lb->lb_next_idx, LS_LOG_HDR), 0,
		    LS_LOG_HDR);
		lb->lb_next_idx = 0;
	}
	h = lb->lb_buf + lb->lb_next_idx;
	memset(ls_at(ls, h, size), 0, size);
	ls_w64(ls, h, ts);
	ls_w16(ls, h + 8, (uint16_t)size);
	ls_w16(ls, h + 10, (uint16_t)len);
	ls_w8(ls, h + 15, (uint8_t)(level << 5));
	ls_wbytes(ls, h + LS_LOG_HDR, text, len);
	lb->lb_next_idx += size;
	lb->lb_next_seq++;
	logbuf_sync(ls);
	return (0);
}
