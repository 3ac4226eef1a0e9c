/*
 * linux_infer.c -- structure layouts inferred from the guest's memory,
 * for kernels with no BTF (see linux_infer.h): what each view needs,
 * found by self-consistency checks over the kernel's own objects.
 *
 * Tasks.  init_task is the task whose comm is "swapper/0" (or
 * "swapper"), zero-padded, in the kernel's data: the search window is
 * [init_uts_ns - 32 MiB, init_uts_ns + 16 MiB) clipped below at _stext,
 * read in 64 KiB pieces (what is not mapped is passed over).  Its
 * `tasks` list_head is the one, at most LI_TASK_SPAN bytes before comm,
 * whose ring (lk_list_walk: bounded, back-links and loops checked) has
 * at every element, at the same distance, a printable, NUL-terminated,
 * zero-padded comm; the longest such ring wins and a tie is refused
 * (the children and sibling lists fail the test or are shorter).  Then,
 * each over every sampled task (at most LI_SAMPLE):
 *	pid, tgid	two ints between tasks and comm: 0, 0 for init_task,
 *			1, 1 for the first element, equal and distinct
 *	real_parent	the first pointer after them that is the same for
 *			pids 1 and 2: init_task's base, which places every
 *			member; each parent must hold a valid comm
 *	mm, active_mm	adjacent pointers between tasks and pid: 0 for the
 *			kernel threads (pid 0, 2 and kthreadd's children),
 *			equal and set for pid 1 and the other user tasks
 *	mm.pgd		the pointer in each user mm to page tables that
 *			map _stext and init_uts_ns where the kernel's own
 *			(swapper_pg_dir, init_top_pgt) do
 *	flags		the one u32 before `tasks` with PF_KTHREAD exactly
 *			on the kernel threads (optional: left out when not
 *			unique; the view then uses mm)
 *	__state		the one u32 before `tasks` holding only state bits,
 *			with a task idle (TASK_IDLE) and one sleeping, and
 *			followed by the thread stack pointer (8 KiB-aligned)
 *	exit_state	an int between active_mm and pid, 0 or a zombie's
 *			value for all, with exit_signal (two ints on) SIGCHLD
 *			for most tasks
 *	real_cred	the nearest pair of equal pointers before comm
 *			(real_cred, cred; not an empty list_head) whose
 *			creds hold a uid:
 *	cred.uid	after the usage count (a word, else an int), the
 *			ids uid, gid, suid, sgid, euid, egid, fsuid, fsgid
 *			pairing up in every cred
 *	signal		a pointer after comm to a signal_struct whose
 *			nr_threads is the length of its thread_head ring
 * Command lines: mm_struct's start_code .. env_end, 11 words in their
 * known order, below PAGE_OFFSET (32-bit: _stext's 256 MiB; 64-bit:
 * 2^57), the same offset in every user mm; each
 * readable command line must be printable and one must start with its
 * task's comm.
 *
 * Modules: the `modules` head is the list_head in the window whose ring
 * holds only modules (state 0-3, then list, then a printable, padded
 * name of MODULE_NAME_LEN: 64 bytes less a word); core_layout the first
 * struct module_layout after the name whose base is page-aligned, sizes
 * ordered (text <= ro <= ro_after_init <= size, page multiples) and
 * holding the module itself.
 *
 * VMAs (6.1+, the maple tree): mm_mt is where the root node's parent
 * field names the tree (bit 0 set); the tree is walked by linux_vmas.c's
 * walker; vm_start and vm_end must be the ranges the tree files each VMA
 * under; vm_mm the pointer back at the mm; vm_flags the word after it
 * whose VM_READ/WRITE/EXEC bits are within VM_MAY*, with VM_GROWSDOWN
 * on the stack; vm_ops, vm_pgoff, vm_file, vm_private_data four words in
 * that order, anonymous VMAs holding vm_pgoff = vm_start >> 12; the file
 * (f_path, then f_inode) and its dentry (d_parent, d_name, d_inode, then
 * the inline name a short d_name points at) checked against each other;
 * the stack may keep the vm_pgoff it was made with, so half the
 * anonymous VMAs (at least two) suffice.
 * struct mount (mnt_parent, mnt_mountpoint, mnt after an hlist_node) is
 * kept when each file's mount root is its dentry chain's root; the
 * special mappings' vm_ops (special_mapping_vmops) when every anonymous
 * VMA with operations names itself "[...]".
 *
 * Bounds: the window above; LI_TASK_SPAN bytes per task, LI_SAMPLE
 * tasks, LI_MM_SAMPLE mms of LI_MM_SPAN bytes, LI_VMA_SAMPLE VMAs,
 * LI_MOD_SAMPLE modules; every list and tree walk is the views' own
 * (bounded, loop-checked).  Any check that a candidate fails drops it;
 * two candidates left where one is wanted is a failure (ambiguous),
 * never a guess.
 *
 * Non-goals: see linux_infer.h; kernels whose task_struct has its comm
 * more than LI_TASK_SPAN bytes from `tasks`; debug kernels whose cred
 * starts with more than the usage count.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest/linux/linux_impl.h"
#include "guest/linux/linux_infer.h"
#include "guest/linux/linux_list.h"
#include "guest/linux/linux_views.h"

#define	LI_WINDOW_BEFORE	(32ULL << 20)
#define	LI_WINDOW_AFTER		(16ULL << 20)
#define	LI_CHUNK		(64u << 10)
#define	LI_OVERLAP		128u
#define	LI_TASK_SPAN		8192u	/* tasks .. comm at most */
#define	LI_AFTER_COMM		1024u	/* comm .. signal at most */
#define	LI_SAMPLE		512u
#define	LI_SWAPPERS		16u	/* comm candidates */
#define	LI_MM_SAMPLE		16u
#define	LI_MM_SPAN		1024u
#define	LI_MOD_SAMPLE		256u
#define	LI_MOD_SPAN		1024u
#define	LI_VMA_SAMPLE		1024u
#define	LI_VMA_SPAN		256u
#define	LI_FILE_SPAN		64u
#define	LI_DENTRY_SPAN		128u
#define	LI_PATH_STEPS		64u
#define	LI_CANDS		8u

#define	LI_COMM_LEN		16u	/* TASK_COMM_LEN */
#define	LI_PAGE			4096u
#define	LI_PF_KTHREAD		0x00200000u
#define	LI_THREAD_SIZE		8192u	/* the least: i386's */
#define	LI_TASK_IDLE		0x0402u
#define	LI_TASK_STATE_MAX	0x10000u	/* 6.1's, with TASK_FROZEN */
#define	LI_EXIT_DEAD		0x10u
#define	LI_EXIT_ZOMBIE		0x20u
#define	LI_SIGCHLD		17u
#define	LI_MOD_STATE_MAX	3u
#define	LI_VM_GROWSDOWN		0x100u
#define	LI_NAME_MAX		255u

struct li_task {
	uint64_t	t_node;		/* its `tasks` list_head */
	uint64_t	t_base;
	int		t_pid;
	int		t_ppid;
	bool		t_kthread;
	uint64_t	t_mm;
	unsigned char	*t_img;		/* [base, base + i_tlen) */
};

struct li_vma {
	uint64_t	v_addr;
	uint64_t	v_mm;
	uint64_t	v_first, v_last;
	unsigned char	v_img[LI_VMA_SPAN];
};

struct li_mm {
	uint64_t	m_mm;
	size_t		m_task;		/* a task using it */
	unsigned char	m_img[LI_MM_SPAN];
};

struct li {
	struct linux_kernel *i_lk;
	unsigned	i_ptr;
	char		*i_why;
	size_t		i_whylen;
	uint64_t	i_kmin;		/* lowest kernel address */
	uint64_t	i_ulimit;	/* user addresses are below */
	uint64_t	i_lo, i_hi;	/* the search window */
	uint64_t	i_stext;
	uint64_t	i_anchor;	/* init_uts_ns or linux_banner */
	uint64_t	i_root;		/* the kernel root table's va */

	/* tasks: [0] is init_task */
	struct li_task	i_t[LI_SAMPLE];
	size_t		i_nt;
	size_t		i_tlen;
	uint64_t	o_tasks, o_comm, o_pid, o_parent, o_mm, o_pgd;
	uint64_t	o_state, o_flags, o_exit_state, o_cred, o_uid;
	uint64_t	o_signal, o_nr_threads;
	bool		i_has_flags;

	struct li_mm	i_mm[LI_MM_SAMPLE];
	size_t		i_nmm;
	uint64_t	o_code;		/* mm_struct.start_code */

	struct li_vma	*i_v;
	size_t		i_nv;
	bool		i_mounts;
};

static void
li_why(struct li *li, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Add a sentence to the caller's buffer (sentences joined by "; "). */
static void
li_why(struct li *li, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	if (li->i_why == NULL || li->i_whylen == 0)
		return;
	n = strlen(li->i_why);
	if (n > 0 && n + 2 < li->i_whylen) {
		(void) strcpy(li->i_why + n, "; ");
		n += 2;
	}
	if (n + 1 >= li->i_whylen)
		return;
	va_start(ap, fmt);
	(void) vsnprintf(li->i_why + n, li->i_whylen - n, fmt, ap);
	va_end(ap);
}

/* ---- reading ---- */

static bool
li_ptr(struct li *li, uint64_t va, uint64_t *out)
{
	return (lk_read_ptr(li->i_lk, va, out) == 0);
}

/* A pointer the kernel could hold: set, aligned, in the kernel's half. */
static bool
li_kptr(const struct li *li, uint64_t v)
{
	return (v != 0 && (v & (li->i_ptr - 1)) == 0 && v >= li->i_kmin);
}

/* A word (w = pointer size) or a u32 (w = 4) at off of an image. */
static uint64_t
li_get(const unsigned char *img, size_t len, uint64_t off, unsigned w)
{
	if (off + w > len)
		return (0);
	return (le_decode(img + off, w));
}

static uint64_t
li_tw(const struct li *li, size_t i, uint64_t off)
{
	return (li_get(li->i_t[i].t_img, li->i_tlen, off, li->i_ptr));
}

static uint32_t
li_t32(const struct li *li, size_t i, uint64_t off)
{
	return ((uint32_t)li_get(li->i_t[i].t_img, li->i_tlen, off, 4));
}

static bool
li_printable(unsigned char c)
{
	return (c >= 0x20 && c <= 0x7e);
}

/* Module names are C identifiers (with '-', as modprobe allows). */
static bool
li_modchar(unsigned char c)
{
	return ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == '-');
}

/*
 * A name in a char array of len bytes: at least one character that
 * char_ok takes, terminated within the array, zero-padded after.
 */
static bool
li_name_ok(const unsigned char *b, size_t len, bool (*char_ok)(unsigned char))
{
	size_t i, end;

	for (end = 0; end < len && b[end] != '\0'; end++) {
		if (!char_ok(b[end]))
			return (false);
	}
	if (end == 0 || end == len)
		return (false);
	for (i = end; i < len; i++) {
		if (b[i] != '\0')
			return (false);
	}
	return (true);
}

/* A comm: printable, NUL-terminated within 16 bytes, zero-padded. */
static bool
li_comm_ok(const unsigned char *b)
{
	return (li_name_ok(b, LI_COMM_LEN, li_printable));
}

static bool
li_comm_at(struct li *li, uint64_t va)
{
	unsigned char b[LI_COMM_LEN];

	return (lk_read(li->i_lk, va, b, sizeof (b)) == 0 && li_comm_ok(b));
}

/*
 * Call scan(li, va, buf, n, arg) for each piece of the window: buf
 * holds n bytes at va plus up to LI_OVERLAP more (readable as far as
 * n + LI_OVERLAP; zeros where the window ends); scan looks only at
 * offsets below n.  Pieces that cannot be read are passed over.
 */
static int
li_scan(struct li *li, int (*scan)(struct li *, uint64_t,
    const unsigned char *, size_t, void *), void *arg)
{
	unsigned char *buf;
	uint64_t va;
	size_t n;
	int rv = 0;

	if ((buf = malloc(LI_CHUNK + LI_OVERLAP)) == NULL)
		return (ENOMEM);
	for (va = li->i_lo; va < li->i_hi && rv == 0; va += LI_CHUNK) {
		n = li->i_hi - va < LI_CHUNK ? (size_t)(li->i_hi - va) :
		    LI_CHUNK;
		memset(buf, 0, LI_CHUNK + LI_OVERLAP);
		if (lk_read(li->i_lk, va, buf, n) != 0)
			continue;
		if (va + n < li->i_hi)
			(void) lk_read(li->i_lk, va + n, buf + n, LI_OVERLAP);
		rv = scan(li, va, buf, n, arg);
	}
	free(buf);
	return (rv);
}

static void
li_set(struct li *li, const char *type, const char *member, uint64_t off,
    uint64_t size)
{
	(void) lprof_set_member(li->i_lk->lk_prof, type, member, off, size);
}

/* ---- tasks: init_task and its ring ---- */

struct li_swappers {
	uint64_t	s_va[LI_SWAPPERS];
	unsigned	s_n;
};

static int
li_scan_swapper(struct li *li, uint64_t va, const unsigned char *buf,
    size_t n, void *arg)
{
	struct li_swappers *s = arg;
	size_t i;

	(void) li;
	for (i = 0; i < n; i += 4) {
		if (buf[i] != 's' || memcmp(buf + i, "swapper", 7) != 0 ||
		    !li_comm_ok(buf + i) || (buf[i + 7] != '\0' &&
		    memcmp(buf + i + 7, "/0", 3) != 0))
			continue;
		if (s->s_n < LI_SWAPPERS)
			s->s_va[s->s_n++] = va + i;
	}
	return (0);
}

struct li_ring {
	uint64_t	r_rel;		/* comm - node */
	uint64_t	r_n;
	uint64_t	r_node[LI_SAMPLE];
};

static int
li_ring_step(struct linux_kernel *lk, uint64_t node, void *arg)
{
	struct li_ring *r = arg;
	unsigned char b[LI_COMM_LEN];

	if (lk_read(lk, node + r->r_rel, b, sizeof (b)) != 0 ||
	    !li_comm_ok(b))
		return (EINVAL);
	if (r->r_n < LI_SAMPLE - 1)
		r->r_node[r->r_n] = node;
	r->r_n++;
	return (0);
}

/* init_task's `tasks` ring: i_t[].t_node, and comm's distance from it. */
static bool
li_find_ring(struct li *li, uint64_t *relp)
{
	struct li_swappers s;
	struct li_ring *r, *best;
	uint64_t head, next, prev, rel;
	unsigned i;
	bool tie = false;

	memset(&s, 0, sizeof (s));
	(void) li_scan(li, li_scan_swapper, &s);
	if (s.s_n == 0) {
		li_why(li, "tasks: no task named swapper/0 in the kernel's "
		    "data (%#" PRIx64 "-%#" PRIx64 ")", li->i_lo, li->i_hi);
		return (false);
	}
	r = calloc(1, sizeof (*r));
	best = calloc(1, sizeof (*best));
	if (r == NULL || best == NULL) {
		free(r);
		free(best);
		return (false);
	}
	for (i = 0; i < s.s_n; i++) {
		for (rel = 2 * li->i_ptr; rel <= LI_TASK_SPAN; rel += 4) {
			head = s.s_va[i] - rel;
			if ((head & (li->i_ptr - 1)) != 0 ||
			    !li_ptr(li, head, &next) ||
			    !li_ptr(li, head + li->i_ptr, &prev) ||
			    next == head || !li_kptr(li, next) ||
			    !li_kptr(li, prev))
				continue;
			r->r_rel = rel;
			r->r_n = 0;
			if (lk_list_walk(li->i_lk, head, LINUX_MAX_TASKS,
			    li_ring_step, r) != 0 || r->r_n < 2)
				continue;
			if (r->r_n == best->r_n) {
				tie = true;
			} else if (r->r_n > best->r_n) {
				*best = *r;
				li->i_t[0].t_node = head;
				tie = false;
			}
		}
	}
	free(r);
	if (best->r_n == 0 || tie) {
		li_why(li, "tasks: %s", best->r_n == 0 ? "no list through the "
		    "swapper task links tasks with names" : "two lists through "
		    "the swapper task link as many named tasks");
		free(best);
		return (false);
	}
	li->i_nt = 1 + (best->r_n < LI_SAMPLE - 1 ? best->r_n :
	    LI_SAMPLE - 1);
	for (i = 1; i < li->i_nt; i++)
		li->i_t[i].t_node = best->r_node[i - 1];
	*relp = best->r_rel;
	free(best);
	return (true);
}

/* The u32 at node + rel of each task; false when one cannot be read. */
static bool
li_node32(struct li *li, size_t i, uint64_t rel, uint32_t *out)
{
	return (lk_read_u32(li->i_lk, li->i_t[i].t_node + rel, out) == 0);
}

/* pid and tgid: offsets from `tasks`. */
static bool
li_find_pid(struct li *li, uint64_t comm_rel, uint64_t *relp)
{
	uint64_t rel, found = 0;
	uint32_t pid, tgid;
	unsigned nfound = 0;
	size_t i, j;

	for (rel = 2 * li->i_ptr; rel + 8 <= comm_rel; rel += 4) {
		for (i = 0; i < li->i_nt; i++) {
			if (!li_node32(li, i, rel, &pid) ||
			    !li_node32(li, i, rel + 4, &tgid) || pid != tgid ||
			    pid > LINUX_PID_MAX || (i == 0) != (pid == 0) ||
			    (i == 1 && pid != 1))
				break;
			li->i_t[i].t_pid = (int)pid;
		}
		if (i < li->i_nt)
			continue;
		for (i = 1; i < li->i_nt; i++) {
			for (j = i + 1; j < li->i_nt; j++) {
				if (li->i_t[i].t_pid == li->i_t[j].t_pid)
					break;
			}
			if (j < li->i_nt)
				break;
		}
		if (i < li->i_nt)
			continue;
		found = rel;
		nfound++;
	}
	if (nfound != 1) {
		li_why(li, "tasks: %s", nfound == 0 ? "no pid and tgid that "
		    "count from 0 at the swapper task" : "two places for pid "
		    "and tgid");
		return (false);
	}
	for (i = 0; i < li->i_nt; i++) {
		(void) li_node32(li, i, found, &pid);
		li->i_t[i].t_pid = (int)pid;
	}
	*relp = found;
	return (true);
}

/*
 * real_parent: the first word after tgid that pids 1 and 2 share; it is
 * init_task's base, which places `tasks`.
 */
static bool
li_find_parent(struct li *li, uint64_t comm_rel, uint64_t pid_rel)
{
	uint64_t rel, v1, v2, base, p, tasks_off;
	uint32_t tgid;
	size_t i;

	if (li->i_nt < 3 || li->i_t[2].t_pid != 2) {
		li_why(li, "tasks: the second task is pid %d, not kthreadd's 2",
		    li->i_nt < 3 ? -1 : li->i_t[2].t_pid);
		return (false);
	}
	for (rel = (pid_rel + 8 + li->i_ptr - 1) & ~(uint64_t)(li->i_ptr - 1);
	    rel + li->i_ptr <= comm_rel; rel += li->i_ptr) {
		if (!li_ptr(li, li->i_t[1].t_node + rel, &v1) ||
		    !li_ptr(li, li->i_t[2].t_node + rel, &v2) || v1 != v2 ||
		    !li_kptr(li, v1) || v1 >= li->i_t[0].t_node ||
		    li->i_t[0].t_node - v1 >= LI_TASK_SPAN)
			continue;
		base = v1;
		tasks_off = li->i_t[0].t_node - base;
		/* Every parent is a task with a name and a pid. */
		for (i = 1; i < li->i_nt; i++) {
			if (!li_ptr(li, li->i_t[i].t_node + rel, &p) ||
			    !li_kptr(li, p) ||
			    !li_comm_at(li, p + tasks_off + comm_rel) ||
			    lk_read_u32(li->i_lk, p + tasks_off + pid_rel + 4,
			    &tgid) != 0 || tgid > LINUX_PID_MAX)
				break;
			li->i_t[i].t_ppid = (int)tgid;
		}
		if (i < li->i_nt)
			continue;
		li->o_tasks = tasks_off;
		li->o_comm = tasks_off + comm_rel;
		li->o_pid = tasks_off + pid_rel;
		li->o_parent = tasks_off + rel;
		for (i = 0; i < li->i_nt; i++) {
			li->i_t[i].t_base = li->i_t[i].t_node - tasks_off;
			li->i_t[i].t_kthread = li->i_t[i].t_pid == 0 ||
			    li->i_t[i].t_pid == 2 || li->i_t[i].t_ppid == 2;
		}
		return (true);
	}
	li_why(li, "tasks: no parent pointer that pids 1 and 2 share");
	return (false);
}

/* Each sampled task's bytes, up to LI_AFTER_COMM past its comm. */
static bool
li_read_tasks(struct li *li)
{
	size_t i;

	li->i_tlen = li->o_comm + LI_COMM_LEN + LI_AFTER_COMM;
	for (i = 0; i < li->i_nt; i++) {
		if ((li->i_t[i].t_img = malloc(li->i_tlen)) == NULL ||
		    lk_read(li->i_lk, li->i_t[i].t_base, li->i_t[i].t_img,
		    li->i_tlen) != 0) {
			li_why(li, "tasks: the task at %#" PRIx64 " cannot be "
			    "read", li->i_t[i].t_base);
			return (false);
		}
	}
	return (true);
}

/*
 * Does the page table at kernel address va map the kernel image and
 * its data (_stext, the anchor) where the kernel's own tables do?
 */
static bool
li_maps_kernel(struct li *li, uint64_t va)
{
	struct guest_space sp;
	struct guest_v2p a, b;
	uint64_t root, probe[2];
	unsigned k;

	if (lk_kernel_root(li->i_lk, va, &root) != 0)
		return (false);
	sp = li->i_lk->lk_space;
	sp.gs_cr3 = root;
	probe[0] = li->i_stext;
	probe[1] = li->i_anchor;
	for (k = 0; k < 2; k++) {
		memset(&a, 0, sizeof (a));
		memset(&b, 0, sizeof (b));
		if (guest_v2p(li->i_lk->lk_guest, &sp, probe[k], &a) != 0 ||
		    a.v_fault.gf_errno != 0 ||
		    guest_v2p(li->i_lk->lk_guest, &li->i_lk->lk_space,
		    probe[k], &b) != 0 || b.v_fault.gf_errno != 0 ||
		    a.v_pa != b.v_pa)
			return (false);
	}
	return (true);
}

/* The user mms (distinct) of the sample, read. */
static bool
li_read_mms(struct li *li)
{
	size_t i, j;

	li->i_nmm = 0;
	for (i = 1; i < li->i_nt && li->i_nmm < LI_MM_SAMPLE; i++) {
		if (li->i_t[i].t_mm == 0)
			continue;
		for (j = 0; j < li->i_nmm; j++) {
			if (li->i_mm[j].m_mm == li->i_t[i].t_mm)
				break;
		}
		if (j < li->i_nmm)
			continue;
		li->i_mm[li->i_nmm].m_mm = li->i_t[i].t_mm;
		li->i_mm[li->i_nmm].m_task = i;
		if (lk_read(li->i_lk, li->i_t[i].t_mm,
		    li->i_mm[li->i_nmm].m_img, LI_MM_SPAN) != 0)
			return (false);
		li->i_nmm++;
	}
	return (li->i_nmm > 0);
}

static uint64_t
li_mw(const struct li *li, size_t m, uint64_t off)
{
	return (li_get(li->i_mm[m].m_img, LI_MM_SPAN, off, li->i_ptr));
}

/* mm_struct.pgd: in every user mm, a table that maps the kernel. */
static bool
li_find_pgd(struct li *li)
{
	uint64_t off, p, align;
	size_t m;

	align = li->i_lk->lk_space.gs_mode == GUEST_PAGING_PAE ? 32 : LI_PAGE;
	for (off = 0; off + li->i_ptr <= LI_MM_SPAN; off += li->i_ptr) {
		for (m = 0; m < li->i_nmm; m++) {
			p = li_mw(li, m, off);
			if (!li_kptr(li, p) || (p & (align - 1)) != 0 ||
			    p == li->i_root || !li_maps_kernel(li, p))
				break;
		}
		if (m == li->i_nmm) {
			li->o_pgd = off;
			return (true);
		}
	}
	return (false);
}

/* mm and active_mm, confirmed by the pgd they lead to. */
static bool
li_find_mm(struct li *li)
{
	uint64_t off, mm, amm, found = 0, pgd = 0;
	unsigned nfound = 0, users;
	size_t i;

	for (off = li->o_tasks + 2 * li->i_ptr; off + 2 * li->i_ptr <=
	    li->o_pid; off += li->i_ptr) {
		users = 0;
		for (i = 0; i < li->i_nt; i++) {
			mm = li_tw(li, i, off);
			amm = li_tw(li, i, off + li->i_ptr);
			if (i == 0 || li->i_t[i].t_kthread) {
				if (mm != 0)
					break;
				continue;
			}
			if (mm == 0 && li->i_t[i].t_pid != 1)
				continue;	/* a zombie */
			if (!li_kptr(li, mm) || amm != mm)
				break;
			li->i_t[i].t_mm = mm;
			users++;
		}
		if (i < li->i_nt || users == 0)
			continue;
		if (!li_read_mms(li) || !li_find_pgd(li))
			continue;
		if (nfound++ == 0) {
			found = off;
			pgd = li->o_pgd;
		}
	}
	if (nfound != 1) {
		li_why(li, "tasks: %s", nfound == 0 ? "no mm pointer leads to "
		    "page tables sharing the kernel's" : "two mm pointers lead "
		    "to page tables");
		return (false);
	}
	li->o_mm = found;
	li->o_pgd = pgd;
	for (i = 0; i < li->i_nt; i++)
		li->i_t[i].t_mm = li_tw(li, i, found);
	return (li_read_mms(li));
}

/* flags (optional), __state: u32s before `tasks`. */
static bool
li_find_state(struct li *li)
{
	uint64_t off, found = 0, stack, sp;
	unsigned nfound = 0;
	bool idle, sleeping;
	uint32_t v;
	size_t i;

	for (off = 0; off + 4 <= li->o_tasks; off += 4) {
		for (i = 0; i < li->i_nt; i++) {
			v = li_t32(li, i, off);
			if (((v & LI_PF_KTHREAD) != 0) != li->i_t[i].t_kthread)
				break;
		}
		if (i == li->i_nt && nfound++ == 0)
			found = off;
	}
	li->i_has_flags = nfound == 1;
	li->o_flags = found;
	nfound = 0;
	for (off = 0; off + 4 <= li->o_tasks; off += 4) {
		idle = sleeping = false;
		stack = (off + 4 + li->i_ptr - 1) & ~(uint64_t)(li->i_ptr - 1);
		for (i = 0; i < li->i_nt; i++) {
			v = li_t32(li, i, off);
			sp = li_tw(li, i, stack);
			if (v >= LI_TASK_STATE_MAX || !li_kptr(li, sp) ||
			    (sp & (LI_THREAD_SIZE - 1)) != 0)
				break;
			idle |= (v & LI_TASK_IDLE) == LI_TASK_IDLE;
			sleeping |= (v & 0xff) == 1;
		}
		if (i == li->i_nt && idle && sleeping && nfound++ == 0)
			found = off;
	}
	if (nfound != 1) {
		li_why(li, "tasks: %s", nfound == 0 ? "no state word with an "
		    "idle and a sleeping task" : "two state words");
		return (false);
	}
	li->o_state = found;
	return (true);
}

/* exit_state: between active_mm and pid, exit_signal two ints on. */
static bool
li_find_exit_state(struct li *li)
{
	uint64_t off;
	uint32_t st, sig;
	size_t i, chld;

	for (off = li->o_mm + 2 * li->i_ptr; off + 12 <= li->o_pid;
	    off += 4) {
		chld = 0;
		for (i = 1; i < li->i_nt; i++) {
			st = li_t32(li, i, off);
			sig = li_t32(li, i, off + 8);
			if ((st != 0 && st != LI_EXIT_ZOMBIE &&
			    st != LI_EXIT_DEAD) || (sig > 64 &&
			    sig != UINT32_MAX))
				break;
			chld += sig == LI_SIGCHLD;
		}
		if (i == li->i_nt && chld * 2 >= li->i_nt - 1) {
			li->o_exit_state = off;
			return (true);
		}
	}
	li_why(li, "tasks: no exit_state before an exit_signal of SIGCHLD");
	return (false);
}

/*
 * cred.uid in the creds real_cred points at (off): after the usage
 * count, a word (atomic_long_t, 6.1 stable) or an int (atomic_t), the
 * ids uid gid suid sgid euid egid fsuid fsgid pair up in every cred.
 */
static bool
li_find_uid(struct li *li, uint64_t off)
{
	uint64_t c, usage, creds[LI_SAMPLE];
	unsigned char b[64];
	uint32_t v[8];
	size_t i, n = 0, k, u;

	for (i = 0; i < li->i_nt; i++) {
		c = li_tw(li, i, off);
		for (k = 0; k < n && creds[k] != c; k++)
			;
		if (k == n)
			creds[n++] = c;
	}
	for (u = li->i_ptr; u >= 4; u -= 4) {
		for (k = 0; k < n; k++) {
			if (lk_read(li->i_lk, creds[k], b, sizeof (b)) != 0)
				break;
			usage = le_decode(b, u);
			for (i = 0; i < 8; i++)
				v[i] = (uint32_t)le_decode(b + u + 4 * i, 4);
			if (usage == 0 || usage >= (1u << 24) || v[0] != v[2] ||
			    v[0] != v[4] || v[0] != v[6] || v[1] != v[3] ||
			    v[1] != v[5] || v[1] != v[7])
				break;
		}
		if (k == n) {
			li->o_uid = u;
			return (true);
		}
	}
	return (false);
}

/*
 * real_cred, then cred: the nearest pair before comm that is equal in
 * every task (and not an empty list_head pointing at itself), whose
 * creds hold a uid.
 */
static bool
li_find_cred(struct li *li)
{
	uint64_t off, rc, c;
	size_t i;

	for (off = li->o_comm - 2 * li->i_ptr; off + 8 * li->i_ptr >=
	    li->o_comm && off > li->o_pid + 4; off -= li->i_ptr) {
		for (i = 0; i < li->i_nt; i++) {
			rc = li_tw(li, i, off);
			c = li_tw(li, i, off + li->i_ptr);
			if (!li_kptr(li, rc) || rc != c ||
			    rc == li->i_t[i].t_base + off)
				break;
		}
		if (i == li->i_nt && li_find_uid(li, off)) {
			li->o_cred = off;
			return (true);
		}
	}
	li_why(li, "tasks: no real_cred and cred before comm");
	return (false);
}

struct li_count {
	uint64_t	c_n;
};

static int
li_count_step(struct linux_kernel *lk, uint64_t node, void *arg)
{
	(void) lk;
	(void) node;
	((struct li_count *)arg)->c_n++;
	return (0);
}

/* signal: after comm, a signal_struct whose thread ring has nr_threads. */
static bool
li_find_signal(struct li *li)
{
	uint64_t off, s, nr, h;
	struct li_count cnt;
	uint32_t n;
	size_t i, j;

	for (off = li->o_comm + LI_COMM_LEN; off + li->i_ptr <= li->i_tlen;
	    off += li->i_ptr) {
		for (nr = 4; nr <= 12; nr += 4) {
			for (h = (nr + 4 + li->i_ptr - 1) &
			    ~(uint64_t)(li->i_ptr - 1); h <= nr + 8;
			    h += li->i_ptr) {
				for (i = 0; i < li->i_nt; i++) {
					s = li_tw(li, i, off);
					cnt.c_n = 0;
					if (!li_kptr(li, s) || lk_read_u32(
					    li->i_lk, s + nr, &n) != 0 ||
					    n == 0 || n > LINUX_PID_MAX ||
					    lk_list_walk(li->i_lk, s + h, n,
					    li_count_step, &cnt) != 0 ||
					    cnt.c_n != n)
						break;
					for (j = 1; j < i; j++) {
						if (li_tw(li, j, off) == s)
							break;
					}
					if (i > 0 && j < i)
						break;
				}
				if (i == li->i_nt) {
					li->o_signal = off;
					li->o_nr_threads = nr;
					return (true);
				}
			}
		}
	}
	li_why(li, "tasks: no signal_struct whose nr_threads counts its "
	    "threads");
	return (false);
}

/* The release's major and minor ("6.1.0-50-686-pae": 6, 1). */
static unsigned
li_version(const struct li *li)
{
	unsigned major = 0, minor = 0;

	if (sscanf(li->i_lk->lk_release, "%u.%u", &major, &minor) != 2)
		return (0);
	return (major * 1000 + minor);
}

static void
li_commit_tasks(struct li *li)
{
	struct linux_profile *p = li->i_lk->lk_prof;
	unsigned w = li->i_ptr;

	(void) lprof_set_symbol(p, "init_task", li->i_t[0].t_base);
	li_set(li, "task_struct", "tasks", li->o_tasks, 2 * w);
	li_set(li, "task_struct", "pid", li->o_pid, 4);
	li_set(li, "task_struct", "tgid", li->o_pid + 4, 4);
	li_set(li, "task_struct", "real_parent", li->o_parent, w);
	li_set(li, "task_struct", "parent", li->o_parent + w, w);
	li_set(li, "task_struct", "comm", li->o_comm, LI_COMM_LEN);
	li_set(li, "task_struct", "mm", li->o_mm, w);
	li_set(li, "task_struct", "active_mm", li->o_mm + w, w);
	li_set(li, "task_struct", "real_cred", li->o_cred, w);
	li_set(li, "task_struct", "cred", li->o_cred + w, w);
	li_set(li, "task_struct", "signal", li->o_signal, w);
	li_set(li, "task_struct", "exit_state", li->o_exit_state, 4);
	if (li_version(li) >= 5014)
		li_set(li, "task_struct", "__state", li->o_state, 4);
	else
		li_set(li, "task_struct", "state", li->o_state, w);
	if (li->i_has_flags)
		li_set(li, "task_struct", "flags", li->o_flags, 4);
	li_set(li, "cred", "uid", li->o_uid, 4);
	li_set(li, "signal_struct", "nr_threads", li->o_nr_threads, 4);
	li_set(li, "mm_struct", "pgd", li->o_pgd, w);
}

static bool
li_tasks(struct li *li)
{
	uint64_t comm_rel, pid_rel;

	return (li_find_ring(li, &comm_rel) &&
	    li_find_pid(li, comm_rel, &pid_rel) &&
	    li_find_parent(li, comm_rel, pid_rel) &&
	    li_read_tasks(li) && li_find_mm(li) && li_find_state(li) &&
	    li_find_exit_state(li) && li_find_cred(li) && li_find_signal(li));
}

/* ---- command lines: mm_struct.start_code .. env_end ---- */

/* The 11 words at off of mm m in their order, below the kernel. */
static bool
li_code_block(const struct li *li, size_t m, uint64_t off)
{
	uint64_t w[11];
	unsigned k;

	for (k = 0; k < 11; k++) {
		w[k] = li_mw(li, m, off + (uint64_t)k * li->i_ptr);
		if (w[k] >= li->i_ulimit)
			return (false);
	}
	/* code, data, brk, start_stack, arg, env */
	return (w[0] != 0 && w[0] <= w[1] && w[2] <= w[3] && w[4] <= w[5] &&
	    w[6] != 0 && w[6] <= w[7] && w[7] < w[8] && w[8] <= w[9] &&
	    w[9] <= w[10] && w[7] > w[0]);
}

/*
 * The command line of the task using mm m: printable arguments, and
 * whether argv[0]'s last component starts with the task's comm.
 */
static bool
li_cmdline_ok(struct li *li, size_t m, uint64_t off, bool *matches)
{
	struct guest_space sp;
	char buf[256], comm[LI_COMM_LEN + 1];
	const char *base;
	uint64_t start, end, root;
	size_t want, done, i;

	*matches = false;
	start = li_mw(li, m, off + 7ULL * li->i_ptr);
	end = li_mw(li, m, off + 8ULL * li->i_ptr);
	if (lk_kernel_root(li->i_lk, li_mw(li, m, li->o_pgd), &root) != 0)
		return (false);
	sp = li->i_lk->lk_space;
	sp.gs_cr3 = root;
	want = end - start < sizeof (buf) - 1 ? (size_t)(end - start) :
	    sizeof (buf) - 1;
	memset(buf, 0, sizeof (buf));
	done = guest_vread(li->i_lk->lk_guest, &sp, start, buf, want, NULL);
	if (done == 0)
		return (true);		/* not resident: no evidence */
	for (i = 0; i < done; i++) {
		if (buf[i] != '\0' && ((unsigned char)buf[i] < 0x20 ||
		    (unsigned char)buf[i] > 0x7e) && buf[i] != '\t' &&
		    buf[i] != '\n')
			return (false);
	}
	memcpy(comm, li->i_t[li->i_mm[m].m_task].t_img + li->o_comm,
	    LI_COMM_LEN);
	comm[LI_COMM_LEN] = '\0';
	base = strrchr(buf, '/') != NULL ? strrchr(buf, '/') + 1 : buf;
	*matches = comm[0] != '\0' && strncmp(base, comm, strlen(comm)) == 0;
	return (true);
}

static bool
li_cmdline(struct li *li)
{
	static const char *const names[11] = { "start_code", "end_code",
	    "start_data", "end_data", "start_brk", "brk", "start_stack",
	    "arg_start", "arg_end", "env_start", "env_end" };
	uint64_t off;
	unsigned k, nfound = 0, matched;
	uint64_t found = 0;
	bool match;
	size_t m;

	for (off = li->o_pgd + li->i_ptr; off + 11ULL * li->i_ptr <=
	    LI_MM_SPAN; off += li->i_ptr) {
		matched = 0;
		for (m = 0; m < li->i_nmm; m++) {
			if (!li_code_block(li, m, off) ||
			    !li_cmdline_ok(li, m, off, &match))
				break;
			matched += match;
		}
		if (m == li->i_nmm && matched > 0 && nfound++ == 0)
			found = off;
	}
	if (nfound != 1) {
		li_why(li, "command lines: %s", nfound == 0 ? "no start_code .. "
		    "env_end in the mms that reads a command line" : "two "
		    "places for start_code .. env_end");
		return (false);
	}
	li->o_code = found;
	for (k = 0; k < 11; k++)
		li_set(li, "mm_struct", names[k], found + (uint64_t)k *
		    li->i_ptr, li->i_ptr);
	return (true);
}

/* ---- modules ---- */

struct li_mods {
	uint64_t	md_list;	/* module.list: one word */
	uint64_t	md_name_len;
	uint64_t	md_head[LI_CANDS];
	unsigned	md_nhead;
	uint64_t	md_mod[LI_MOD_SAMPLE];
	uint64_t	md_n;
	bool		md_collect;
};

static bool
li_module_ok(struct li *li, struct li_mods *md, uint64_t node)
{
	unsigned char b[64];
	uint32_t state;

	return (lk_read_u32(li->i_lk, node - md->md_list, &state) == 0 &&
	    state <= LI_MOD_STATE_MAX &&
	    lk_read(li->i_lk, node + 2 * li->i_ptr, b, md->md_name_len) == 0 &&
	    li_name_ok(b, md->md_name_len, li_modchar));
}

static int
li_mod_step(struct linux_kernel *lk, uint64_t node, void *arg)
{
	struct li_mods *md = arg;

	(void) lk;
	if (md->md_collect && md->md_n < LI_MOD_SAMPLE)
		md->md_mod[md->md_n] = node - md->md_list;
	md->md_n++;
	return (0);
}

struct li_modwalk {
	struct li	*mw_li;
	struct li_mods	*mw_md;
};

static int
li_modwalk_step(struct linux_kernel *lk, uint64_t node, void *arg)
{
	struct li_modwalk *mw = arg;

	if (!li_module_ok(mw->mw_li, mw->mw_md, node))
		return (EINVAL);
	return (li_mod_step(lk, node, mw->mw_md));
}

static int
li_scan_modules(struct li *li, uint64_t va, const unsigned char *buf,
    size_t n, void *arg)
{
	struct li_mods *md = arg;
	struct li_modwalk mw = { li, md };
	uint64_t next, prev, back;
	size_t i;

	for (i = 0; i < n; i += li->i_ptr) {
		next = le_decode(buf + i, li->i_ptr);
		prev = le_decode(buf + i + li->i_ptr, li->i_ptr);
		/* Modules live outside the window (module space). */
		if (!li_kptr(li, next) || !li_kptr(li, prev) ||
		    next == va + i || (next >= li->i_lo && next < li->i_hi) ||
		    (prev >= li->i_lo && prev < li->i_hi) ||
		    !li_ptr(li, next + li->i_ptr, &back) || back != va + i ||
		    !li_module_ok(li, md, next))
			continue;
		md->md_n = 0;
		md->md_collect = false;
		if (lk_list_walk(li->i_lk, va + i, LINUX_MAX_MODULES,
		    li_modwalk_step, &mw) != 0)
			continue;
		if (md->md_nhead < LI_CANDS)
			md->md_head[md->md_nhead] = va + i;
		md->md_nhead++;
	}
	return (0);
}

/* module.core_layout: base, size, text_size, ro_size, ro_after_init. */
static bool
li_layout_ok(struct li *li, uint64_t mod, uint64_t off)
{
	unsigned char b[24];
	uint64_t base;
	uint32_t size, text, ro, roai;
	unsigned w = li->i_ptr;

	if (lk_read(li->i_lk, mod + off, b, w + 16) != 0)
		return (false);
	base = le_decode(b, w);
	size = (uint32_t)le_decode(b + w, 4);
	text = (uint32_t)le_decode(b + w + 4, 4);
	ro = (uint32_t)le_decode(b + w + 8, 4);
	roai = (uint32_t)le_decode(b + w + 12, 4);
	return (li_kptr(li, base) && (base & (LI_PAGE - 1)) == 0 &&
	    size != 0 && (size & (LI_PAGE - 1)) == 0 && text != 0 &&
	    text <= ro && ro <= roai && roai <= size && mod >= base &&
	    mod - base < size);
}

static bool
li_modules(struct li *li)
{
	struct li_mods *md;
	struct li_modwalk mw;
	uint64_t off, i;
	bool ok = false;

	if ((md = calloc(1, sizeof (*md))) == NULL)
		return (false);
	md->md_list = li->i_ptr;
	md->md_name_len = 64 - li->i_ptr;	/* MODULE_NAME_LEN */
	(void) li_scan(li, li_scan_modules, md);
	if (md->md_nhead != 1) {
		li_why(li, "modules: %s", md->md_nhead == 0 ? "no list of "
		    "modules in the kernel's data (none loaded?)" : "two "
		    "lists of modules in the kernel's data");
		goto out;
	}
	mw.mw_li = li;
	mw.mw_md = md;
	md->md_n = 0;
	md->md_collect = true;
	if (lk_list_walk(li->i_lk, md->md_head[0], LINUX_MAX_MODULES,
	    li_modwalk_step, &mw) != 0 || md->md_n == 0)
		goto out;
	if (md->md_n > LI_MOD_SAMPLE)
		md->md_n = LI_MOD_SAMPLE;
	for (off = 2 * li->i_ptr + md->md_name_len; off + li->i_ptr + 16 <=
	    LI_MOD_SPAN; off += li->i_ptr) {
		for (i = 0; i < md->md_n; i++) {
			if (!li_layout_ok(li, md->md_mod[i], off))
				break;
		}
		if (i == md->md_n)
			break;
	}
	if (off + li->i_ptr + 16 > LI_MOD_SPAN) {
		li_why(li, "modules: no core_layout holding each module");
		goto out;
	}
	(void) lprof_set_symbol(li->i_lk->lk_prof, "modules", md->md_head[0]);
	li_set(li, "module", "state", 0, 4);
	li_set(li, "module", "list", md->md_list, 2 * li->i_ptr);
	li_set(li, "module", "name", md->md_list + 2 * li->i_ptr,
	    md->md_name_len);
	li_set(li, "module", "core_layout", off, 0);
	li_set(li, "module_layout", "base", 0, li->i_ptr);
	li_set(li, "module_layout", "size", li->i_ptr, 4);
	ok = true;
out:
	free(md);
	return (ok);
}

/* ---- VMAs ---- */

/* mm_mt and ma_root: the root node's parent names the tree. */
static bool
li_find_tree(struct li *li, uint64_t *mtp, uint64_t *rootp)
{
	uint64_t off, enode, parent, tree;
	unsigned type;
	size_t m;

	for (off = 0; off + li->i_ptr <= LI_MM_SPAN; off += li->i_ptr) {
		for (m = 0; m < li->i_nmm; m++) {
			enode = li_mw(li, m, off);
			type = (unsigned)(enode >> 3) & 0xf;
			if ((enode & 3) != 2 || enode < li->i_kmin ||
			    type < 1 || type > 3 ||
			    !li_ptr(li, enode & ~(uint64_t)255, &parent) ||
			    (parent & 1) == 0)
				break;
			tree = parent & ~(uint64_t)1;
			if (tree < li->i_mm[m].m_mm || tree >
			    li->i_mm[m].m_mm + off || li->i_mm[m].m_mm + off -
			    tree > 64)
				break;
			if (m == 0) {
				*mtp = tree - li->i_mm[m].m_mm;
				*rootp = off - *mtp;
			} else if (tree - li->i_mm[m].m_mm != *mtp) {
				break;
			}
		}
		if (m == li->i_nmm)
			return (true);
	}
	return (false);
}

struct li_vwalk {
	struct li	*vw_li;
	uint64_t	vw_mm;
};

static int
li_vma_step(struct linux_kernel *lk, uint64_t vma, uint64_t first,
    uint64_t last, void *arg)
{
	struct li_vwalk *vw = arg;
	struct li *li = vw->vw_li;
	struct li_vma *v;

	if (li->i_nv >= LI_VMA_SAMPLE)
		return (0);
	v = &li->i_v[li->i_nv];
	if (lk_read(lk, vma, v->v_img, LI_VMA_SPAN) != 0)
		return (EFAULT);
	v->v_addr = vma;
	v->v_mm = vw->vw_mm;
	v->v_first = first;
	v->v_last = last;
	li->i_nv++;
	return (0);
}

static uint64_t
li_vw(const struct li *li, size_t i, uint64_t off)
{
	return (li_get(li->i_v[i].v_img, LI_VMA_SPAN, off, li->i_ptr));
}

/* vm_mm and vm_flags. */
static bool
li_find_vma_flags(struct li *li, uint64_t *mmp, uint64_t *flagsp)
{
	uint64_t off, f, stack = 0;
	size_t i, m;
	bool grows;

	for (off = 2 * li->i_ptr; off < 64; off += li->i_ptr) {
		for (i = 0; i < li->i_nv; i++) {
			if (li_vw(li, i, off) != li->i_v[i].v_mm)
				break;
		}
		if (i == li->i_nv)
			break;
	}
	if (off >= 64)
		return (false);
	*mmp = off;
	for (off += li->i_ptr; off < 96; off += li->i_ptr) {
		grows = false;
		for (i = 0; i < li->i_nv; i++) {
			f = li_vw(li, i, off);
			if ((f & 7) & ~((f >> 4) & 7) || (f >> 40) != 0)
				break;
			/* The stack VMA of its mm grows down. */
			for (m = 0; m < li->i_nmm; m++) {
				if (li->i_mm[m].m_mm == li->i_v[i].v_mm)
					stack = li_mw(li, m, li->o_code +
					    6ULL * li->i_ptr);
			}
			if (stack >= li->i_v[i].v_first &&
			    stack <= li->i_v[i].v_last) {
				if (!(f & LI_VM_GROWSDOWN))
					break;
				grows = true;
			}
		}
		if (i == li->i_nv && grows) {
			*flagsp = off;
			return (true);
		}
	}
	return (false);
}

/* vm_ops, vm_pgoff, vm_file, vm_private_data: returns vm_pgoff's. */
static bool
li_find_pgoff(struct li *li, uint64_t after, uint64_t *pgoffp)
{
	uint64_t off, pg, file, ops;
	size_t i, anon, same, files;

	for (off = after + 2 * li->i_ptr; off + 3 * li->i_ptr <= LI_VMA_SPAN;
	    off += li->i_ptr) {
		anon = same = files = 0;
		for (i = 0; i < li->i_nv; i++) {
			ops = li_vw(li, i, off - li->i_ptr);
			pg = li_vw(li, i, off);
			file = li_vw(li, i, off + li->i_ptr);
			if (file == 0 && ops == 0) {
				/* The stack keeps the pgoff it was made with. */
				if (pg >= li->i_ulimit / LI_PAGE)
					break;
				same += pg == li->i_v[i].v_first / LI_PAGE;
				anon++;
			} else if (file != 0) {
				if (!li_kptr(li, file) || !li_kptr(li, ops))
					break;
				files++;
			} else if (!li_kptr(li, ops)) {
				break;
			}
		}
		if (i == li->i_nv && same >= 2 && same * 2 >= anon &&
		    files >= 1) {
			*pgoffp = off;
			return (true);
		}
	}
	return (false);
}

struct li_dentry {
	uint64_t	d_name;		/* dentry.d_name (qstr) */
};

/*
 * The dentry layout at d: d_name at q with the name pointing just past
 * d_inode (d_iname), or any readable name of the length given.
 */
static bool
li_dentry_at(struct li *li, uint64_t d, uint64_t q, bool inline_name,
    uint64_t *inodep, uint64_t *parentp)
{
	unsigned char b[LI_DENTRY_SPAN + 32];
	char name[LI_NAME_MAX + 1];
	uint64_t np, len;
	unsigned w = li->i_ptr;

	if (q < w || q + 8 + 2 * w > sizeof (b) ||
	    lk_read(li->i_lk, d, b, q + 8 + 2 * w) != 0)
		return (false);
	*parentp = le_decode(b + q - w, w);
	len = le_decode(b + q + 4, 4);
	np = le_decode(b + q + 8, w);
	*inodep = le_decode(b + q + 8 + w, w);
	if (!li_kptr(li, *parentp) || len == 0 || len > LI_NAME_MAX ||
	    np == 0 || (inline_name && np != d + q + 8 + 2 * w))
		return (false);
	memset(name, 0, sizeof (name));
	if (lk_read(li->i_lk, np, name, (size_t)len + 1) != 0 ||
	    strlen(name) != len)
		return (false);
	return (true);
}

/* The dentry chain from d to its root (d_parent == self): the root. */
static bool
li_dentry_root(struct li *li, uint64_t d, uint64_t q, uint64_t *rootp)
{
	uint64_t inode, parent;
	unsigned steps;

	for (steps = 0; steps < LI_PATH_STEPS; steps++) {
		if (!li_dentry_at(li, d, q, false, &inode, &parent))
			return (false);
		if (parent == d) {
			*rootp = d;
			return (true);
		}
		d = parent;
	}
	return (false);
}

/* f_path (then f_inode) and dentry.d_name over every file VMA. */
static bool
li_find_file(struct li *li, uint64_t o_file, uint64_t *fpathp,
    uint64_t *qp, bool *mountsp)
{
	uint64_t fp, q, file, dentry, finode, inode, parent, mnt, root = 0, mroot;
	uint64_t mount, mparent, mpoint;
	unsigned w = li->i_ptr;
	size_t i, files;

	for (fp = 0; fp + 3 * w <= LI_FILE_SPAN; fp += w) {
		for (q = w; q + 8 + 2 * w <= LI_DENTRY_SPAN; q += w) {
			files = 0;
			for (i = 0; i < li->i_nv; i++) {
				file = li_vw(li, i, o_file);
				if (file == 0)
					continue;
				if (!li_ptr(li, file + fp + w, &dentry) ||
				    !li_ptr(li, file + fp + 2 * w, &finode) ||
				    !li_kptr(li, dentry) ||
				    !li_dentry_at(li, dentry, q, true, &inode,
				    &parent) || inode != finode ||
				    !li_dentry_root(li, dentry, q, &root))
					break;
				files++;
			}
			if (i == li->i_nv && files > 0)
				goto found;
		}
	}
	return (false);
found:
	*fpathp = fp;
	*qp = q;
	/* struct mount: the file's mount root is its chain's root. */
	*mountsp = true;
	for (i = 0; i < li->i_nv && *mountsp; i++) {
		file = li_vw(li, i, o_file);
		if (file == 0)
			continue;
		*mountsp = li_ptr(li, file + fp, &mnt) && li_kptr(li, mnt) &&
		    li_ptr(li, file + fp + w, &dentry) &&
		    li_dentry_root(li, dentry, q, &root) &&
		    li_ptr(li, mnt, &mroot) && mroot == root;
		mount = mnt - 4 * w;
		*mountsp = *mountsp && li_ptr(li, mount + 2 * w, &mparent) &&
		    li_kptr(li, mparent) && li_ptr(li, mount + 3 * w, &mpoint) &&
		    (mparent == mount || li_dentry_at(li, mpoint, q, false,
		    &inode, &parent));
	}
	return (true);
}

/*
 * special_mapping_vmops: the one vm_ops of the anonymous VMAs with
 * operations, each naming itself "[...]" through vm_private_data.
 */
static bool
li_find_special(struct li *li, uint64_t o_pgoff, uint64_t *opsp)
{
	uint64_t ops, priv, str, seen = 0;
	char name[33];
	size_t i, len;

	for (i = 0; i < li->i_nv; i++) {
		ops = li_vw(li, i, o_pgoff - li->i_ptr);
		if (ops == 0 || li_vw(li, i, o_pgoff + li->i_ptr) != 0)
			continue;
		priv = li_vw(li, i, o_pgoff + 2 * li->i_ptr);
		memset(name, 0, sizeof (name));
		if (!li_kptr(li, priv) || !li_ptr(li, priv, &str) ||
		    lk_read_str(li->i_lk, str, name, sizeof (name)) != 0)
			return (false);
		len = strlen(name);
		if (len < 3 || name[0] != '[' || name[len - 1] != ']' ||
		    (seen != 0 && ops != seen))
			return (false);
		seen = ops;
	}
	*opsp = seen;
	return (seen != 0);
}

static bool
li_vmas(struct li *li)
{
	struct li_vwalk vw;
	uint64_t mt = 0, root = 0, o_mm, o_flags, o_pgoff, fpath, q, ops;
	unsigned w = li->i_ptr;
	bool mounts;
	size_t m, i;

	if (!li_find_tree(li, &mt, &root)) {
		li_why(li, "VMAs: no maple tree in the mms (a kernel before "
		    "6.1?)");
		return (false);
	}
	if ((li->i_v = calloc(LI_VMA_SAMPLE, sizeof (*li->i_v))) == NULL)
		return (false);
	vw.vw_li = li;
	for (m = 0; m < li->i_nmm; m++) {
		vw.vw_mm = li->i_mm[m].m_mm;
		if (lk_maple_walk(li->i_lk, vw.vw_mm + mt + root, li_vma_step,
		    &vw) != 0) {
			li_why(li, "VMAs: the maple tree of mm %#" PRIx64
			    " does not walk", vw.vw_mm);
			return (false);
		}
	}
	for (i = 0; i < li->i_nv; i++) {
		if (li_vw(li, i, 0) != li->i_v[i].v_first ||
		    li_vw(li, i, w) != li->i_v[i].v_last + 1)
			break;
	}
	if (li->i_nv == 0 || i < li->i_nv) {
		li_why(li, "VMAs: the tree's entries do not start with their "
		    "ranges");
		return (false);
	}
	if (!li_find_vma_flags(li, &o_mm, &o_flags) ||
	    !li_find_pgoff(li, o_flags, &o_pgoff)) {
		li_why(li, "VMAs: no vm_flags, vm_pgoff and vm_file");
		return (false);
	}
	if (!li_find_file(li, o_pgoff + w, &fpath, &q, &mounts)) {
		li_why(li, "VMAs: no f_path and dentry names in the mapped "
		    "files");
		return (false);
	}
	li_set(li, "mm_struct", "mm_mt", mt, 0);
	li_set(li, "maple_tree", "ma_root", root, w);
	li_set(li, "vm_area_struct", "vm_start", 0, w);
	li_set(li, "vm_area_struct", "vm_end", w, w);
	li_set(li, "vm_area_struct", "vm_mm", o_mm, w);
	li_set(li, "vm_area_struct", "vm_flags", o_flags, w);
	li_set(li, "vm_area_struct", "vm_ops", o_pgoff - w, w);
	li_set(li, "vm_area_struct", "vm_pgoff", o_pgoff, w);
	li_set(li, "vm_area_struct", "vm_file", o_pgoff + w, w);
	li_set(li, "vm_area_struct", "vm_private_data", o_pgoff + 2 * w, w);
	li_set(li, "file", "f_path", fpath, 2 * w);
	li_set(li, "path", "mnt", 0, w);
	li_set(li, "path", "dentry", w, w);
	li_set(li, "dentry", "d_parent", q - w, w);
	li_set(li, "dentry", "d_name", q, 8 + w);
	li_set(li, "qstr", "len", 4, 4);
	li_set(li, "qstr", "name", 8, w);
	li->i_mounts = mounts;
	if (mounts) {
		li_set(li, "mount", "mnt_parent", 2 * w, w);
		li_set(li, "mount", "mnt_mountpoint", 3 * w, w);
		li_set(li, "mount", "mnt", 4 * w, 0);
		li_set(li, "vfsmount", "mnt_root", 0, w);
	}
	if (li_find_special(li, o_pgoff, &ops)) {
		(void) lprof_set_symbol(li->i_lk->lk_prof,
		    "special_mapping_vmops", ops);
		li_set(li, "vm_special_mapping", "name", 0, w);
	}
	return (true);
}

/* ---- the whole ---- */

unsigned
linfer_run(struct linux_kernel *lk, char *why, size_t whylen)
{
	struct li *li;
	uint64_t *anchorp, anchor;
	unsigned done = 0;
	size_t i;

	if (why != NULL && whylen > 0)
		why[0] = '\0';
	if ((li = calloc(1, sizeof (*li))) == NULL)
		return (0);
	li->i_lk = lk;
	li->i_ptr = lk->lk_ptr_size;
	li->i_why = why;
	li->i_whylen = whylen;
	anchorp = &li->i_anchor;
	if (lprof_symbol(lk->lk_prof, "_stext", &li->i_stext) != 0 ||
	    (lprof_symbol(lk->lk_prof, "init_uts_ns", anchorp) != 0 &&
	    lprof_symbol(lk->lk_prof, "linux_banner", anchorp) != 0) ||
	    lprof_symbol(lk->lk_prof, li->i_ptr == 8 ? "init_top_pgt" :
	    "swapper_pg_dir", &li->i_root) != 0) {
		li_why(li, "no _stext, init_uts_ns and kernel root table "
		    "(VMCOREINFO) to start from");
		goto out;
	}
	/* 32-bit: PAGE_OFFSET, the 256 MiB the image starts in. */
	li->i_kmin = li->i_ptr == 8 ? 0xff00000000000000ULL :
	    li->i_stext & ~0x0fffffffULL;
	li->i_ulimit = li->i_ptr == 8 ? 1ULL << 57 : li->i_kmin;
	anchor = li->i_anchor;
	li->i_lo = anchor > li->i_stext + LI_WINDOW_BEFORE ?
	    anchor - LI_WINDOW_BEFORE : li->i_stext;
	li->i_hi = anchor + LI_WINDOW_AFTER;
	if (li_tasks(li)) {
		li_commit_tasks(li);
		done |= LINFER_TASKS;
		if (li_cmdline(li)) {
			done |= LINFER_CMDLINE;
			if (li_vmas(li)) {
				done |= LINFER_VMAS;
				if (li->i_mounts)
					done |= LINFER_MOUNTS;
				if (lprof_symbol(lk->lk_prof,
				    "special_mapping_vmops", &anchor) == 0)
					done |= LINFER_SPECIAL;
			}
		}
	}
	if (li_modules(li))
		done |= LINFER_MODULES;
out:
	for (i = 0; i < li->i_nt; i++)
		free(li->i_t[i].t_img);
	free(li->i_v);
	free(li);
	return (done);
}
