/*
 * linux_views_test.c -- the Linux views (processes, command lines,
 * VMAs, modules, kernel log) and their readers, on a synthetic kernel
 * (tests/linux_synth.h) the test writes as a raw image and opens through
 * the guest handle, with a hand-filled profile.
 *
 *	readers		strings across pages, member widths, wrapping
 *			addresses, the list walk's bound
 *	tasks		every field of every task, each state letter, the
 *			old `state` member, the kthread rule without flags,
 *			find, spaces, command lines (joined, truncated,
 *			not resident, reversed, huge)
 *	tasks-hostile	loops, NULL/misaligned/unmapped links, links that
 *			do not point back, pids and thread counts out of
 *			range, missing pointers, a profile that lacks things
 *	vmas		maple trees of fanout 2..16 (one to four levels) and
 *			the vm_next list: ranges, flags, offsets, paths
 *			across mounts (and without struct mount), [heap],
 *			[stack]; kernel threads, empty trees, stopping
 *	vmas-hostile	a node that is its own ancestor, a tree too deep,
 *			pivots out of order or range, a VMA off its slot,
 *			wrong or dead parents, dense and unknown node types,
 *			a lone root entry, an unsorted list, long names,
 *			dentry and mount loops
 *	modules		core_layout and mem[] kernels, unformed skipped,
 *			bad state, wrapping text, loops
 *	dmesg		the lockless ring with wrapping data and ids
 *			(with and without member sizes), the printk_log
 *			buffer with wraps, and hostile rings and buffers
 *	32-bit		a kernel with 4-byte pointers: tasks, a command
 *			line, VMAs in a 32-bit maple tree, modules, and a
 *			ring whose ids wrap at 2^30 and whose data wraps
 *
 * Every expected value comes from what the test asked the builder for.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <porthole/guest.h>
#include <porthole/linux.h>
#include "guest/linux/linux_impl.h"
#include "guest/linux/linux_list.h"
#include "guest/linux/linux_profile.h"
#include "tests/linux_synth.h"
#include "tests/test.h"

#define	ARENA		(3ULL << 20)
#define	PF_KTHREAD	0x00200000u
#define	MAX_SEEN	256

/* An open synthetic kernel. */
struct fx {
	struct lsynth		f_ls;
	struct guest		*f_g;
	struct linux_profile	*f_prof;
	struct linux_kernel	f_lk;
};

static void
fx_init(struct fx *fx, unsigned flags)
{
	memset(fx, 0, sizeof (*fx));
	REQUIRE(ls_init(&fx->f_ls, flags, ARENA) == 0);
}

/* Write the image, open it, fill the profile and the kernel handle. */
static struct linux_kernel *
fx_open(struct fx *fx)
{
	const char *dir = getenv("TMPDIR");
	char path[512], err[256] = "";
	int fd;

	if (dir == NULL || *dir == '\0')
		dir = "/tmp";
	REQUIRE(snprintf(path, sizeof (path), "%s/lviews.XXXXXX", dir) <
	    (int)sizeof (path));
	REQUIRE((fd = mkstemp(path)) >= 0);
	(void) close(fd);
	REQUIRE(ls_write(&fx->f_ls, path) == 0);
	fx->f_g = guest_open(path, 0, err, sizeof (err));
	(void) unlink(path);
	if (fx->f_g == NULL)
		fprintf(stderr, "guest_open: %s\n", err);
	REQUIRE(fx->f_g != NULL);
	REQUIRE((fx->f_prof = lprof_new()) != NULL);
	REQUIRE(ls_profile(&fx->f_ls, fx->f_prof) == 0);
	fx->f_lk.lk_guest = fx->f_g;
	fx->f_lk.lk_prof = fx->f_prof;
	fx->f_lk.lk_space.gs_mode = GUEST_PAGING_4LEVEL;
	fx->f_lk.lk_space.gs_nxe = true;
	fx->f_lk.lk_space.gs_cr3 = LS_KROOT_PA;
	fx->f_lk.lk_ptr_size = 8;
	return (&fx->f_lk);
}

static void
fx_close(struct fx *fx)
{
	if (fx->f_g != NULL)
		guest_close(fx->f_g);
	lprof_free(fx->f_prof);
	ls_fini(&fx->f_ls);
	memset(fx, 0, sizeof (*fx));
}

/* ---- collecting what the views report ---- */

struct seen_tasks {
	struct linux_task	st_v[MAX_SEEN];
	unsigned		st_n;
	unsigned		st_stop_at;	/* 0: never; else return 42 */
};

static int
collect_task(const struct linux_task *t, void *arg)
{
	struct seen_tasks *s = arg;

	if (s->st_n < MAX_SEEN)
		s->st_v[s->st_n] = *t;
	s->st_n++;
	return (s->st_stop_at != 0 && s->st_n == s->st_stop_at ? 42 : 0);
}

struct seen_vmas {
	struct linux_vma	sv_v[MAX_SEEN];
	unsigned		sv_n;
	unsigned		sv_stop_at;
};

static int
collect_vma(const struct linux_vma *v, void *arg)
{
	struct seen_vmas *s = arg;

	if (s->sv_n < MAX_SEEN)
		s->sv_v[s->sv_n] = *v;
	s->sv_n++;
	return (s->sv_stop_at != 0 && s->sv_n == s->sv_stop_at ? 7 : 0);
}

struct seen_mods {
	struct linux_module	sm_v[MAX_SEEN];
	unsigned		sm_n;
};

static int
collect_mod(const struct linux_module *m, void *arg)
{
	struct seen_mods *s = arg;

	if (s->sm_n < MAX_SEEN)
		s->sm_v[s->sm_n] = *m;
	s->sm_n++;
	return (0);
}

struct seen_log {
	struct {
		uint64_t	seq, ts;
		int		level;
		char		text[256];
		size_t		len;
	}		sl_v[MAX_SEEN];
	unsigned	sl_n;
	unsigned	sl_stop_at;
	bool		sl_terminated;	/* every text NUL-terminated */
};

static int
collect_log(const struct linux_log_record *r, void *arg)
{
	struct seen_log *s = arg;

	if (r->lr_text[r->lr_len] != '\0')
		s->sl_terminated = false;
	if (s->sl_n < MAX_SEEN) {
		s->sl_v[s->sl_n].seq = r->lr_seq;
		s->sl_v[s->sl_n].ts = r->lr_ts_nsec;
		s->sl_v[s->sl_n].level = r->lr_level;
		s->sl_v[s->sl_n].len = r->lr_len;
		(void) snprintf(s->sl_v[s->sl_n].text,
		    sizeof (s->sl_v[0].text), "%s", r->lr_text);
	}
	s->sl_n++;
	return (s->sl_stop_at != 0 && s->sl_n == s->sl_stop_at ? 5 : 0);
}

static int
count_task(const struct linux_task *t, void *arg)
{
	(void) t;
	(*(unsigned *)arg)++;
	return (0);
}

static int
count_mod(const struct linux_module *m, void *arg)
{
	(void) m;
	(*(unsigned *)arg)++;
	return (0);
}

static int
count_log(const struct linux_log_record *r, void *arg)
{
	(void) r;
	(*(unsigned *)arg)++;
	return (0);
}

/* ---- readers ---- */

static void
test_readers(void)
{
	struct fx fx;
	struct linux_kernel *lk;
	uint64_t page, v, off;
	char buf[64];
	uint32_t u32;

	fx_init(&fx, 0);
	/* A string that ends 3 bytes before an unmapped page. */
	page = ls_alloc(&fx.f_ls, LS_PAGE, LS_PAGE);
	REQUIRE(page != 0);
	ls_wbytes(&fx.f_ls, page + LS_PAGE - 4, "abc", 4);
	ls_w64(&fx.f_ls, page, 0x1122334455667788ULL);
	ls_wbytes(&fx.f_ls, LS_DIRECT + LS_MEM_SIZE - 2, "xy", 2);
	lk = fx_open(&fx);

	CHECK(lk_read_str(lk, page + LS_PAGE - 4, buf, sizeof (buf)) == 0);
	CHECK(strcmp(buf, "abc") == 0);
	CHECK(lk_read_str(lk, page + LS_PAGE - 4, buf, 3) == 0);
	CHECK(strcmp(buf, "ab") == 0);
	/* A string running into the end of memory fails whole. */
	CHECK(lk_read_str(lk, LS_DIRECT + LS_MEM_SIZE - 2, buf,
	    sizeof (buf)) == EFAULT);
	CHECK(lk_read_str(lk, LS_UNMAPPED, buf, sizeof (buf)) == EFAULT);
	CHECK(lk_read_str(lk, page, buf, 0) == EINVAL);
	CHECK(lk_read_u64(lk, page, &v) == 0 && v == 0x1122334455667788ULL);
	CHECK(lk_read_u32(lk, page, &u32) == 0 && u32 == 0x55667788u);
	CHECK(lk_read_ptr(lk, page, &v) == 0 && v == 0x1122334455667788ULL);
	CHECK(lk_read(lk, ~0ULL - 3, buf, 8) == EFAULT);	/* wraps */
	CHECK(lk_read(lk, LS_UNMAPPED, buf, 8) == EFAULT);

	/* Members: by the profile's size, by a width, and refusals. */
	REQUIRE(lprof_set_member(fx.f_prof, "t", "u16", 2, 2) == 0);
	REQUIRE(lprof_set_member(fx.f_prof, "t", "odd", 0, 3) == 0);
	REQUIRE(lprof_set_member(fx.f_prof, "t", "nosize", 4, 0) == 0);
	CHECK(lk_field(lk, page, "t", "u16", &v) == 0 && v == 0x5566);
	CHECK(lk_field(lk, page, "t", "odd", &v) == EINVAL);
	CHECK(lk_field(lk, page, "t", "nosize", &v) == EINVAL);
	CHECK(lk_field(lk, page, "t", "absent", &v) == ENOENT);
	CHECK(lk_field_width(lk, page, "t", "nosize", 4, &v) == 0 &&
	    v == 0x11223344);
	CHECK(lk_field_width(lk, page, "t", "u16", 2, &v) == 0 && v == 0x5566);
	CHECK(lk_field_width(lk, page, "t", "u16", 4, &v) == EINVAL);
	CHECK(lk_offset(lk, "t", "u16", &off) == 0 && off == 2);
	CHECK(lk_offset(lk, "t", "absent", &off) == ENOENT);
	fx_close(&fx);
}

static int
list_count(struct linux_kernel *lk, uint64_t node, void *arg)
{
	(void) lk;
	(void) node;
	(*(unsigned *)arg)++;
	return (0);
}

/* The list walk itself: its bound, and a loop the back links miss. */
static void
test_list_walk(void)
{
	struct fx fx;
	struct linux_kernel *lk;
	uint64_t head, n[4];
	unsigned i, count;

	fx_init(&fx, 0);
	head = ls_alloc(&fx.f_ls, 16, 8);
	for (i = 0; i < 4; i++)
		n[i] = ls_alloc(&fx.f_ls, 16, 8);
	for (i = 0; i < 4; i++) {
		ls_w64(&fx.f_ls, n[i], i < 3 ? n[i + 1] : head);
		ls_w64(&fx.f_ls, n[i] + 8, i > 0 ? n[i - 1] : head);
	}
	ls_w64(&fx.f_ls, head, n[0]);
	ls_w64(&fx.f_ls, head + 8, n[3]);
	lk = fx_open(&fx);
	count = 0;
	CHECK(lk_list_walk(lk, head, 4, list_count, &count) == 0);
	CHECK(count == 4);
	count = 0;
	CHECK(lk_list_walk(lk, head, 3, list_count, &count) == ELOOP);
	CHECK(count == 3);
	fx_close(&fx);

	/* n3 -> n1: the back link fails, the walk says it is a loop. */
	fx_init(&fx, 0);
	head = ls_alloc(&fx.f_ls, 16, 8);
	for (i = 0; i < 4; i++)
		n[i] = ls_alloc(&fx.f_ls, 16, 8);
	for (i = 0; i < 4; i++) {
		ls_w64(&fx.f_ls, n[i], i < 3 ? n[i + 1] : n[1]);
		ls_w64(&fx.f_ls, n[i] + 8, i > 0 ? n[i - 1] : head);
	}
	ls_w64(&fx.f_ls, head, n[0]);
	lk = fx_open(&fx);
	count = 0;
	CHECK(lk_list_walk(lk, head, 1000, list_count, &count) == ELOOP);
	CHECK(count == 4);
	fx_close(&fx);
}

/* ---- tasks ---- */

struct want_task {
	int		pid, tgid;
	int		parent;		/* index in the table; -1 init_task */
	const char	*comm, *want_comm;
	uint32_t	state, exit_state;
	char		letter;
	uint32_t	uid;
	int		threads;
	uint32_t	flags;
	bool		has_mm;
	const char	*args;		/* NUL-separated, or NULL */
	size_t		args_len;
	const char	*cmdline;	/* what linux_task_cmdline says */
};

#define	ARGS(s)		s, sizeof (s) - 1

static const struct want_task want_tasks[] = {
	{ 1, 1, -1, "systemd", NULL, 0x1, 0, 'S', 0, 1, 0, true,
	    ARGS("/sbin/init\0splash\0"), "/sbin/init splash" },
	{ 2, 2, -1, "kthreadd", NULL, 0x1, 0, 'S', 0, 1, PF_KTHREAD, false,
	    NULL, 0, NULL },
	{ 3, 3, 1, "kworker/0:0", NULL, 0x402, 0, 'I', 0, 1, PF_KTHREAD,
	    false, NULL, 0, NULL },
	{ 100, 100, 0, "bash", NULL, 0x0, 0, 'R', 1000, 1, 0, true,
	    ARGS("-bash\0"), "-bash" },
	{ 101, 101, 3, "dd", NULL, 0x2, 0, 'D', 1000, 1, 0, true,
	    ARGS("dd\0if=/dev/zero\0of=/dev/null\0"),
	    "dd if=/dev/zero of=/dev/null" },
	{ 102, 102, 3, "vim", NULL, 0x4, 0, 'T', 1000, 1, 0, true,
	    ARGS("vim\0"), "vim" },
	{ 103, 103, 3, "gdbtarget", NULL, 0x8, 0, 't', 1000, 1, 0, true,
	    ARGS("./a.out\0"), "./a.out" },
	{ 104, 104, 3, "defunct", NULL, 0x0, 0x20, 'Z', 1000, 1, 0, false,
	    NULL, 0, NULL },
	{ 105, 105, 3, "dying", NULL, 0x0, 0x10, 'X', 1000, 1, 0, false,
	    NULL, 0, NULL },
	{ 4, 4, 1, "parked", NULL, 0x40, 0, 'P', 0, 1, PF_KTHREAD, false,
	    NULL, 0, NULL },
	{ 106, 106, 0, "rtlock", NULL, 0x1000, 0, 'D', 0, 1, 0, true,
	    ARGS("rt\0"), "rt" },
	{ 200, 200, 0, "a-very-long-command-name", "a-very-long-com",
	    0x1, 0, 'S', 33, 4, 0, true, ARGS("java\0-jar\0x.jar\0"),
	    "java -jar x.jar" },
};
#define	NWANT	(sizeof (want_tasks) / sizeof (want_tasks[0]))

struct built_tasks {
	uint64_t	bt_task[NWANT];
	uint64_t	bt_mm[NWANT];
	uint64_t	bt_root[NWANT];
};

/* Build want_tasks; the user page of each process at 0x7ffd0000. */
static void
build_tasks(struct lsynth *ls, struct built_tasks *bt)
{
	struct ls_task_spec ts;
	size_t i;

	for (i = 0; i < NWANT; i++) {
		const struct want_task *w = &want_tasks[i];

		bt->bt_mm[i] = bt->bt_root[i] = 0;
		if (w->has_mm) {
			REQUIRE((bt->bt_root[i] = ls_new_root(ls)) != 0);
			bt->bt_mm[i] = ls_mm(ls, bt->bt_root[i], 0x600000,
			    0x680000, 0x7ffd0100, 0x7ffd0000, w->args,
			    w->args_len);
			REQUIRE(bt->bt_mm[i] != 0);
		}
		memset(&ts, 0, sizeof (ts));
		ts.ts_pid = w->pid;
		ts.ts_tgid = w->tgid;
		ts.ts_parent = w->parent < 0 ? 0 : bt->bt_task[w->parent];
		ts.ts_comm = w->comm;
		ts.ts_state = w->state;
		ts.ts_exit_state = w->exit_state;
		ts.ts_uid = w->uid;
		ts.ts_threads = w->threads;
		ts.ts_flags = w->flags;
		ts.ts_mm = bt->bt_mm[i];
		REQUIRE((bt->bt_task[i] = ls_task(ls, &ts)) != 0);
	}
}

static void
check_task(const struct linux_task *t, const struct built_tasks *bt,
    size_t i, unsigned flags)
{
	const struct want_task *w = &want_tasks[i];
	int ppid = w->parent < 0 ? 0 : want_tasks[w->parent].tgid;
	bool kthread = (flags & LS_F_NO_FLAGS) ? !w->has_mm :
	    (w->flags & PF_KTHREAD) != 0;

	CHECK(t->lt_pid == w->tgid);
	CHECK(t->lt_tid == w->pid);
	CHECK(t->lt_ppid == ppid);
	CHECK(strcmp(t->lt_comm, w->want_comm != NULL ? w->want_comm :
	    w->comm) == 0);
	CHECK(t->lt_state == w->letter);
	CHECK(t->lt_uid == w->uid);
	CHECK(t->lt_threads == (unsigned)w->threads);
	CHECK(t->lt_kthread == kthread);
	CHECK(t->lt_task == bt->bt_task[i]);
	CHECK(t->lt_pgd == bt->bt_root[i]);
	if (t->lt_state != w->letter)
		fprintf(stderr, "pid %d: state %c, want %c\n", w->pid,
		    t->lt_state, w->letter);
}

static void
test_tasks_variant(unsigned flags)
{
	struct fx fx;
	struct built_tasks bt;
	struct linux_kernel *lk;
	struct seen_tasks *seen;
	struct linux_task t;
	struct guest_space sp;
	char buf[128], page[64];
	size_t i;

	REQUIRE((seen = calloc(1, sizeof (*seen))) != NULL);
	fx_init(&fx, flags);
	build_tasks(&fx.f_ls, &bt);
	lk = fx_open(&fx);

	CHECK(linux_tasks(lk, collect_task, seen) == 0);
	CHECK(seen->st_n == NWANT);
	for (i = 0; i < NWANT && i < seen->st_n; i++)
		check_task(&seen->st_v[i], &bt, i, flags);

	/* The callback stops the walk and its value comes back. */
	memset(seen, 0, sizeof (*seen));
	seen->st_stop_at = 2;
	CHECK(linux_tasks(lk, collect_task, seen) == 42);
	CHECK(seen->st_n == 2);

	for (i = 0; i < NWANT; i++) {
		const struct want_task *w = &want_tasks[i];
		ssize_t n;

		memset(&t, 0, sizeof (t));
		CHECK(linux_task_find(lk, w->tgid, &t) == 0);
		check_task(&t, &bt, i, flags);

		n = linux_task_cmdline(lk, w->tgid, buf, sizeof (buf));
		if (w->has_mm) {
			CHECK(n == (ssize_t)strlen(w->cmdline));
			CHECK(strcmp(buf, w->cmdline) == 0);
			CHECK(linux_task_space(lk, w->tgid, &sp) == 0);
			CHECK(sp.gs_mode == GUEST_PAGING_4LEVEL &&
			    sp.gs_nxe && sp.gs_cr3 == bt.bt_root[i]);
			/* The process's own page: its arguments. */
			CHECK(guest_vread(fx.f_g, &sp, 0x7ffd0000, page,
			    w->args_len, NULL) == w->args_len);
			CHECK(memcmp(page, w->args, w->args_len) == 0);
			/* The kernel half is there too. */
			CHECK(guest_vread(fx.f_g, &sp, bt.bt_task[i], page,
			    8, NULL) == 8);
		} else {
			CHECK(n == -1 && errno == ENODATA);
			CHECK(buf[0] == '\0');
			CHECK_ERRNO(linux_task_space(lk, w->tgid, &sp),
			    ENODATA);
		}
	}
	/* Truncation: len - 1 bytes, terminated. */
	CHECK(linux_task_cmdline(lk, 1, buf, 5) == 4);
	CHECK(strcmp(buf, "/sbi") == 0);
	CHECK(linux_task_cmdline(lk, 1, buf, 1) == 0 && buf[0] == '\0');
	CHECK_ERRNO(linux_task_cmdline(lk, 1, buf, 0), EINVAL);
	CHECK_ERRNO(linux_task_find(lk, 9999, &t), ESRCH);
	CHECK_ERRNO(linux_task_find(lk, 0, &t), ESRCH);
	CHECK_ERRNO(linux_task_find(lk, -1, &t), ESRCH);
	CHECK_ERRNO(linux_task_cmdline(lk, 9999, buf, sizeof (buf)), ESRCH);
	CHECK_ERRNO(linux_task_space(lk, 9999, &sp), ESRCH);
	CHECK_ERRNO(linux_tasks(lk, NULL, NULL), EINVAL);
	fx_close(&fx);
	free(seen);
}

/* Command lines that are not resident, reversed or huge. */
static void
test_cmdline_hostile(void)
{
	struct fx fx;
	struct ls_task_spec ts;
	struct linux_kernel *lk;
	uint64_t root, mm[3];
	char buf[8192];
	int pid;

	fx_init(&fx, 0);
	for (pid = 10; pid < 13; pid++) {
		REQUIRE((root = ls_new_root(&fx.f_ls)) != 0);
		mm[pid - 10] = ls_mm(&fx.f_ls, root, 0, 0, 0, 0x7ffd0000,
		    pid == 10 ? NULL : "x\0y\0", pid == 10 ? 16 : 4);
		REQUIRE(mm[pid - 10] != 0);
		memset(&ts, 0, sizeof (ts));
		ts.ts_pid = ts.ts_tgid = pid;
		ts.ts_comm = "p";
		ts.ts_threads = 1;
		ts.ts_mm = mm[pid - 10];
		REQUIRE(ls_task(&fx.f_ls, &ts) != 0);
	}
	/* 11: arg_end before arg_start; 12: 1 GiB of arguments. */
	ls_w64(&fx.f_ls, mm[1] + LS_MM_ARG_END, 0x7ffd0000 - 1);
	ls_w64(&fx.f_ls, mm[2] + LS_MM_ARG_END, 0x7ffd0000 + (1ULL << 30));
	lk = fx_open(&fx);
	CHECK_ERRNO(linux_task_cmdline(lk, 10, buf, sizeof (buf)), EFAULT);
	CHECK_ERRNO(linux_task_cmdline(lk, 11, buf, sizeof (buf)), EIO);
	/* Read up to the end of the resident page, trailing NULs dropped. */
	CHECK(linux_task_cmdline(lk, 12, buf, sizeof (buf)) == 3);
	CHECK(strcmp(buf, "x y") == 0);
	fx_close(&fx);
}

/* Three plain processes, 1..3, for the hostile list variants. */
static void
build_three(struct lsynth *ls, uint64_t task[3])
{
	struct ls_task_spec ts;
	int i;

	for (i = 0; i < 3; i++) {
		memset(&ts, 0, sizeof (ts));
		ts.ts_pid = ts.ts_tgid = i + 1;
		ts.ts_comm = "t";
		ts.ts_threads = 1;
		REQUIRE((task[i] = ls_task(ls, &ts)) != 0);
	}
}

enum task_damage {
	TD_LOOP,		/* 3 -> 2 */
	TD_NULL_NEXT,
	TD_MISALIGNED,
	TD_UNMAPPED,
	TD_NO_BACK_LINK,	/* 2's prev is not 1 */
	TD_HEAD_PREV,		/* the head's prev is not 3 */
	TD_PID_RANGE,
	TD_THREADS_RANGE,
	TD_NULL_PARENT,
	TD_CRED_UNMAPPED,
	TD_COUNT
};

static void
test_tasks_hostile(void)
{
	static const int want[TD_COUNT] = {
		ELOOP, EIO, EIO, EFAULT, EIO, EIO, EIO, EIO, EIO, EFAULT
	};
	static const unsigned want_seen[TD_COUNT] = {
		3, 2, 2, 2, 1, 3, 1, 1, 1, 1
	};
	struct fx fx;
	struct linux_kernel *lk;
	uint64_t task[3];
	unsigned d, n;

	for (d = 0; d < TD_COUNT; d++) {
		fx_init(&fx, 0);
		build_three(&fx.f_ls, task);
		switch (d) {
		case TD_LOOP:
			ls_w64(&fx.f_ls, task[2] + LS_TASK_TASKS,
			    task[1] + LS_TASK_TASKS);
			break;
		case TD_NULL_NEXT:
			ls_w64(&fx.f_ls, task[1] + LS_TASK_TASKS, 0);
			break;
		case TD_MISALIGNED:
			ls_w64(&fx.f_ls, task[1] + LS_TASK_TASKS,
			    task[2] + LS_TASK_TASKS + 3);
			break;
		case TD_UNMAPPED:
			ls_w64(&fx.f_ls, task[1] + LS_TASK_TASKS,
			    LS_UNMAPPED);
			break;
		case TD_NO_BACK_LINK:
			ls_w64(&fx.f_ls, task[1] + LS_TASK_TASKS + 8,
			    task[2] + LS_TASK_TASKS);
			break;
		case TD_HEAD_PREV:
			ls_w64(&fx.f_ls, fx.f_ls.ls_st.st_init_task +
			    LS_TASK_TASKS + 8, task[0] + LS_TASK_TASKS);
			break;
		case TD_PID_RANGE:
			ls_w32(&fx.f_ls, task[1] + LS_TASK_PID, 0x7fffffff);
			break;
		case TD_THREADS_RANGE:
			ls_w32(&fx.f_ls, ls_r64(&fx.f_ls, task[1] +
			    LS_TASK_SIGNAL) + LS_SIGNAL_NR_THREADS,
			    0xffffffffu);
			break;
		case TD_NULL_PARENT:
			ls_w64(&fx.f_ls, task[1] + LS_TASK_PARENT, 0);
			break;
		case TD_CRED_UNMAPPED:
			ls_w64(&fx.f_ls, task[1] + LS_TASK_CRED, LS_UNMAPPED);
			break;
		}
		lk = fx_open(&fx);
		n = 0;
		errno = 0;
		CHECK(linux_tasks(lk, count_task, &n) == -1);
		CHECK(errno == want[d]);
		CHECK(n == want_seen[d]);
		if (errno != want[d] || n != want_seen[d])
			fprintf(stderr, "damage %u: errno %d (%s), %u tasks\n",
			    d, errno, strerror(errno), n);
		fx_close(&fx);
	}

	/* A profile that knows nothing: not a kernel we understand. */
	fx_init(&fx, 0);
	build_three(&fx.f_ls, task);
	lk = fx_open(&fx);
	lprof_free(fx.f_prof);
	REQUIRE((fx.f_prof = lprof_new()) != NULL);
	lk->lk_prof = fx.f_prof;
	n = 0;
	CHECK_ERRNO(linux_tasks(lk, count_task, &n), ENOTSUP);
	CHECK_ERRNO(linux_modules(lk, count_mod, &n), ENOTSUP);
	CHECK_ERRNO(linux_dmesg(lk, count_log, &n), ENOTSUP);
	/* init_task alone: only tasks members missing. */
	REQUIRE(lprof_set_symbol(fx.f_prof, "init_task",
	    fx.f_ls.ls_st.st_init_task) == 0);
	CHECK_ERRNO(linux_tasks(lk, count_task, &n), ENOTSUP);
	CHECK(n == 0);
	fx_close(&fx);
}

/* ---- VMAs ---- */

#define	VM_R	0x1u
#define	VM_W	0x2u
#define	VM_X	0x4u
#define	VM_S	0x8u
#define	VM_MS	0x80u

struct want_vma {
	uint64_t	start, end, flags, pgoff;
	int		file;		/* index of files[] or -1 */
	unsigned	prot;
	const char	*name;		/* with mounts */
	const char	*name_nomounts;
};

enum { F_BASH, F_LIBC, F_SHM };

static const struct want_vma want_vmas[] = {
	{ 0x400000, 0x401000, VM_R, 0, F_BASH, LINUX_VMA_READ,
	    "/usr/bin/bash", "/bin/bash" },
	{ 0x401000, 0x4a0000, VM_R | VM_X, 1, F_BASH,
	    LINUX_VMA_READ | LINUX_VMA_EXEC, "/usr/bin/bash", "/bin/bash" },
	{ 0x4b0000, 0x4b2000, VM_R | VM_W, 0xb0, F_BASH,
	    LINUX_VMA_READ | LINUX_VMA_WRITE, "/usr/bin/bash", "/bin/bash" },
	{ 0x600000, 0x700000, VM_R | VM_W, 0x600, -1,
	    LINUX_VMA_READ | LINUX_VMA_WRITE, "[heap]", "[heap]" },
	{ 0x7f0000000000, 0x7f0000002000, VM_R | VM_W, 0x7f0000000, -1,
	    LINUX_VMA_READ | LINUX_VMA_WRITE, "", "" },
	{ 0x7f0000010000, 0x7f0000190000, VM_R | VM_X, 0x28, F_LIBC,
	    LINUX_VMA_READ | LINUX_VMA_EXEC,
	    "/lib/x86_64-linux-gnu/libc.so.6",
	    "/lib/x86_64-linux-gnu/libc.so.6" },
	{ 0x7f0000200000, 0x7f0000201000, VM_R | VM_MS, 0, F_SHM,
	    LINUX_VMA_READ | LINUX_VMA_SHARED, "/dev/shm/seg", "/seg" },
	{ 0x7f0000201000, 0x7f0000202000, VM_R | VM_W | VM_S | VM_MS, 0,
	    F_SHM, LINUX_VMA_READ | LINUX_VMA_WRITE | LINUX_VMA_SHARED,
	    "/dev/shm/seg", "/seg" },
	{ 0x7ffd00000000, 0x7ffd00021000, VM_R | VM_W, 0x7ffd00000, -1,
	    LINUX_VMA_READ | LINUX_VMA_WRITE, "[stack]", "[stack]" },
	{ 0x7ffd00100000, 0x7ffd00101000, VM_R, 0, -1,
	    LINUX_VMA_READ, "[vvar]", "[vvar]" },
	{ 0x7ffd00101000, 0x7ffd00103000, VM_R | VM_X, 0, -1,
	    LINUX_VMA_READ | LINUX_VMA_EXEC, "[vdso]", "[vdso]" },
};
#define	NVMAS	(sizeof (want_vmas) / sizeof (want_vmas[0]))
/* Filler VMAs after the named ones, for deep trees. */
#define	NFILL	40

/*
 * The files: / (root mount) has lib/x86_64-linux-gnu/libc.so.6 and the
 * mountpoints usr and dev; /usr is a mount with bin/bash; /dev a mount
 * with /dev/shm, itself a mount with seg.
 */
static void
build_files(struct lsynth *ls, uint64_t files[3])
{
	uint64_t root, usr, dev, rootmnt, usrroot, usrmnt, d, devroot;
	uint64_t devmnt, shm, shmroot, shmmnt;

	REQUIRE((root = ls_dentry(ls, 0, "/")) != 0);
	REQUIRE((rootmnt = ls_mount(ls, 0, 0, root)) != 0);
	REQUIRE((usr = ls_dentry(ls, root, "usr")) != 0);
	REQUIRE((dev = ls_dentry(ls, root, "dev")) != 0);
	REQUIRE((d = ls_dentry(ls, root, "lib")) != 0);
	REQUIRE((d = ls_dentry(ls, d, "x86_64-linux-gnu")) != 0);
	REQUIRE((d = ls_dentry(ls, d, "libc.so.6")) != 0);
	REQUIRE((files[F_LIBC] = ls_file(ls, rootmnt, d)) != 0);

	REQUIRE((usrroot = ls_dentry(ls, 0, "/")) != 0);
	REQUIRE((usrmnt = ls_mount(ls, rootmnt, usr, usrroot)) != 0);
	REQUIRE((d = ls_dentry(ls, usrroot, "bin")) != 0);
	REQUIRE((d = ls_dentry(ls, d, "bash")) != 0);
	REQUIRE((files[F_BASH] = ls_file(ls, usrmnt, d)) != 0);

	REQUIRE((devroot = ls_dentry(ls, 0, "/")) != 0);
	REQUIRE((devmnt = ls_mount(ls, rootmnt, dev, devroot)) != 0);
	REQUIRE((shm = ls_dentry(ls, devroot, "shm")) != 0);
	REQUIRE((shmroot = ls_dentry(ls, 0, "/")) != 0);
	REQUIRE((shmmnt = ls_mount(ls, devmnt, shm, shmroot)) != 0);
	REQUIRE((d = ls_dentry(ls, shmroot, "seg")) != 0);
	REQUIRE((files[F_SHM] = ls_file(ls, shmmnt, d)) != 0);
}

/* A process (pid 50) with want_vmas and nfill fillers; its mm. */
static uint64_t
build_vmas(struct lsynth *ls, unsigned fanout, size_t nfill,
    uint64_t *vmas)
{
	struct ls_task_spec ts;
	uint64_t files[3], root, mm;
	size_t i;

	build_files(ls, files);
	REQUIRE((root = ls_new_root(ls)) != 0);
	REQUIRE((mm = ls_mm(ls, root, 0x600000, 0x680000, 0x7ffd00020000,
	    0x7ffd00000000, NULL, 0)) != 0);
	for (i = 0; i < NVMAS + nfill; i++) {
		const struct want_vma *w = &want_vmas[i < NVMAS ? i : 0];

		if (i < NVMAS)
			vmas[i] = ls_vma(ls, w->start, w->end, w->flags,
			    w->pgoff, w->file < 0 ? 0 : files[w->file]);
		else	/* fillers: one page each, a page apart */
			vmas[i] = ls_vma(ls, 0x7ffe00000000 + 0x2000 * i,
			    0x7ffe00001000 + 0x2000 * i, VM_R, i, 0);
		REQUIRE(vmas[i] != 0);
		if (i < NVMAS && w->name[0] == '[' && w->name[1] == 'v')
			REQUIRE(ls_vma_special(ls, vmas[i], w->name) == 0);
		else	/* other operations: no name from them */
			ls_w64(ls, vmas[i] + LS_VMA_OPS, LS_DIRECT + 0x8000);
	}
	REQUIRE(ls_mm_vmas(ls, mm, vmas, NVMAS + nfill, fanout) == 0);
	memset(&ts, 0, sizeof (ts));
	ts.ts_pid = ts.ts_tgid = 50;
	ts.ts_comm = "bash";
	ts.ts_threads = 1;
	ts.ts_mm = mm;
	REQUIRE(ls_task(ls, &ts) != 0);
	return (mm);
}

static void
check_vmas(const struct seen_vmas *s, size_t nfill, unsigned flags)
{
	size_t i;

	CHECK(s->sv_n == NVMAS + nfill);
	for (i = 0; i < s->sv_n && i < NVMAS + nfill; i++) {
		const struct linux_vma *v = &s->sv_v[i];

		if (i < NVMAS) {
			const struct want_vma *w = &want_vmas[i];
			const char *name = (flags & LS_F_NO_MOUNTS) ?
			    w->name_nomounts : w->name;

			CHECK(v->lv_start == w->start && v->lv_end == w->end);
			CHECK(v->lv_prot == w->prot);
			CHECK(v->lv_pgoff == (w->file < 0 ? 0 : w->pgoff));
			CHECK(strcmp(v->lv_file, name) == 0);
			if (strcmp(v->lv_file, name) != 0)
				fprintf(stderr, "vma %zu: \"%s\", want \"%s\"\n",
				    i, v->lv_file, name);
		} else {
			CHECK(v->lv_start == 0x7ffe00000000ULL + 0x2000ULL * i);
			CHECK(v->lv_end == v->lv_start + 0x1000);
			CHECK(v->lv_prot == LINUX_VMA_READ);
			CHECK(v->lv_pgoff == 0 && v->lv_file[0] == '\0');
		}
	}
}

static void
test_vmas_variant(unsigned flags, unsigned fanout, size_t nfill)
{
	struct fx fx;
	struct linux_kernel *lk;
	struct seen_vmas *s;
	uint64_t vmas[NVMAS + NFILL];

	REQUIRE((s = calloc(1, sizeof (*s))) != NULL);
	fx_init(&fx, flags);
	(void) build_vmas(&fx.f_ls, fanout, nfill, vmas);
	lk = fx_open(&fx);
	CHECK(linux_vmas(lk, 50, collect_vma, s) == 0);
	check_vmas(s, nfill, flags);
	memset(s, 0, sizeof (*s));
	s->sv_stop_at = 3;
	CHECK(linux_vmas(lk, 50, collect_vma, s) == 7);
	CHECK(s->sv_n == 3);
	CHECK_ERRNO(linux_vmas(lk, 51, collect_vma, s), ESRCH);
	fx_close(&fx);
	free(s);
}

/* Kernel threads have no VMAs; an mm may have none. */
static void
test_vmas_empty(unsigned flags)
{
	struct fx fx;
	struct ls_task_spec ts;
	struct linux_kernel *lk;
	struct seen_vmas *s;
	uint64_t root, mm;

	REQUIRE((s = calloc(1, sizeof (*s))) != NULL);
	fx_init(&fx, flags);
	REQUIRE((root = ls_new_root(&fx.f_ls)) != 0);
	REQUIRE((mm = ls_mm(&fx.f_ls, root, 0, 0, 0, 0, NULL, 0)) != 0);
	memset(&ts, 0, sizeof (ts));
	ts.ts_pid = ts.ts_tgid = 7;
	ts.ts_threads = 1;
	ts.ts_mm = mm;
	REQUIRE(ls_task(&fx.f_ls, &ts) != 0);
	ts.ts_pid = ts.ts_tgid = 8;
	ts.ts_mm = 0;
	ts.ts_flags = PF_KTHREAD;
	REQUIRE(ls_task(&fx.f_ls, &ts) != 0);
	lk = fx_open(&fx);
	CHECK(linux_vmas(lk, 7, collect_vma, s) == 0 && s->sv_n == 0);
	CHECK_ERRNO(linux_vmas(lk, 8, collect_vma, s), ENODATA);
	fx_close(&fx);
	free(s);
}

/* The maple node (decoded) at slot `slot` of the internal node at node. */
static uint64_t
mt_child(struct lsynth *ls, uint64_t node, unsigned slot)
{
	return (ls_r64(ls, node + LS_MA_SLOT(slot)) & ~0xffULL);
}

/* The tree's first leaf, and its parent. */
static uint64_t
mt_first_leaf(struct lsynth *ls, uint64_t mm, uint64_t *parentp)
{
	uint64_t enode = ls_r64(ls, mm + LS_MT_ROOT);

	*parentp = 0;
	while (((enode >> 3) & 15) != LS_MT_LEAF) {
		*parentp = enode & ~0xffULL;
		enode = ls_r64(ls, *parentp + LS_MA_SLOT(0));
	}
	return (enode & ~0xffULL);
}

enum vma_damage {
	VD_CYCLE,		/* a child slot points at the root */
	VD_PIVOT_ORDER,		/* a leaf's pivots go down (at a gap) */
	VD_PIVOT_RANGE,		/* a leaf pivot beyond the node's max */
	VD_VMA_OFF_SLOT,	/* a VMA's vm_start is not its slot's */
	VD_WRONG_PARENT,
	VD_DEAD_NODE,
	VD_DENSE,
	VD_BAD_TYPE,
	VD_LONE_ROOT,
	VD_NAME_LEN,
	VD_DENTRY_LOOP,
	VD_MOUNT_LOOP,
	VD_UNMAPPED_NODE,
	VD_COUNT
};

static void
test_vmas_hostile(void)
{
	static const int want[VD_COUNT] = {
		ELOOP, EIO, EIO, EIO, EIO, EIO, ENOTSUP, EIO, EIO, EIO, EIO,
		ELOOP, EFAULT
	};
	struct fx fx;
	struct linux_kernel *lk;
	struct seen_vmas *s;
	uint64_t vmas[NVMAS + NFILL], mm, root, leaf, parent, enode, file;
	uint64_t d, m, pm;
	unsigned vd;

	REQUIRE((s = calloc(1, sizeof (*s))) != NULL);
	for (vd = 0; vd < VD_COUNT; vd++) {
		struct lsynth *ls = &fx.f_ls;

		fx_init(&fx, 0);
		/* fanout 4, 50 VMAs: leaves under two internal levels. */
		mm = build_vmas(ls, 4, NFILL, vmas);
		root = ls_r64(ls, mm + LS_MT_ROOT) & ~0xffULL;
		leaf = mt_first_leaf(ls, mm, &parent);
		REQUIRE(parent != 0 && parent != root);
		/* The first leaf: gap, bash r--, bash r-x, gap. */
		REQUIRE(ls_r64(ls, leaf + LS_MR_SLOT(3)) == 0 &&
		    ls_r64(ls, leaf + LS_MR_SLOT(2)) == vmas[1]);
		file = ls_r64(ls, vmas[0] + LS_VMA_FILE);
		d = ls_r64(ls, file + LS_FILE_PATH + 8);
		switch (vd) {
		case VD_CYCLE:
			enode = ls_r64(ls, root + LS_MA_SLOT(1));
			ls_w64(ls, mt_child(ls, root, 1) + LS_MA_SLOT(0),
			    root | (enode & 0xff));
			break;
		case VD_PIVOT_ORDER:
			/* Slot 3, a gap, ends before slot 2 does. */
			ls_w64(ls, leaf + LS_MT_PIVOT(3),
			    ls_r64(ls, leaf + LS_MT_PIVOT(2)) - 0x1000);
			break;
		case VD_PIVOT_RANGE:
			ls_w64(ls, leaf + LS_MT_PIVOT(3), ~0ULL - 1);
			break;
		case VD_VMA_OFF_SLOT:
			ls_w64(ls, vmas[2] + LS_VMA_START, 0x4b1000);
			break;
		case VD_WRONG_PARENT:
			ls_w64(ls, leaf, root);
			break;
		case VD_DEAD_NODE:
			ls_w64(ls, leaf, leaf);
			break;
		case VD_DENSE:
			enode = ls_r64(ls, mt_child(ls, root, 0) +
			    LS_MA_SLOT(0));
			ls_w64(ls, mt_child(ls, root, 0) + LS_MA_SLOT(0),
			    enode & ~0x78ULL);
			break;
		case VD_BAD_TYPE:
			enode = ls_r64(ls, mt_child(ls, root, 0) +
			    LS_MA_SLOT(0));
			ls_w64(ls, mt_child(ls, root, 0) + LS_MA_SLOT(0),
			    (enode & ~0x78ULL) | 7ULL << 3);
			break;
		case VD_LONE_ROOT:
			ls_w64(ls, mm + LS_MT_ROOT, vmas[0]);
			break;
		case VD_NAME_LEN:
			ls_w32(ls, d + LS_DENTRY_NAME + 4, 1000);
			break;
		case VD_DENTRY_LOOP:
			/* bash's parent "bin" has bash as its parent. */
			ls_w64(ls, ls_r64(ls, d + LS_DENTRY_PARENT) +
			    LS_DENTRY_PARENT, d);
			break;
		case VD_MOUNT_LOOP:
			/*
			 * /usr is mounted on the root mount's root, and the
			 * root mount on /usr's root: crossing never ends.
			 */
			m = ls_r64(ls, file + LS_FILE_PATH) - LS_MOUNT_MNT;
			pm = ls_r64(ls, m + LS_MOUNT_PARENT);
			ls_w64(ls, m + LS_MOUNT_MOUNTPOINT,
			    ls_r64(ls, pm + LS_MOUNT_MNT));
			ls_w64(ls, pm + LS_MOUNT_PARENT, m);
			ls_w64(ls, pm + LS_MOUNT_MOUNTPOINT,
			    ls_r64(ls, m + LS_MOUNT_MNT));
			break;
		case VD_UNMAPPED_NODE:
			ls_w64(ls, root + LS_MA_SLOT(1), LS_UNMAPPED |
			    (uint64_t)LS_MT_ARANGE << 3 | 4);
			break;
		}
		lk = fx_open(&fx);
		memset(s, 0, sizeof (*s));
		errno = 0;
		CHECK(linux_vmas(lk, 50, collect_vma, s) == -1);
		CHECK(errno == want[vd]);
		if (errno != want[vd])
			fprintf(stderr, "vma damage %u: errno %d (%s)\n", vd,
			    errno, strerror(errno));
		/* What came out before the damage is in order. */
		CHECK(s->sv_n <= NVMAS + NFILL);
		fx_close(&fx);
	}
	free(s);
}

/* A chain of 33 range nodes, one child each: deeper than any tree. */
static void
test_vmas_too_deep(void)
{
	struct fx fx;
	struct ls_task_spec ts;
	struct linux_kernel *lk;
	struct seen_vmas *s;
	uint64_t root, mm, node[33];
	int i;

	REQUIRE((s = calloc(1, sizeof (*s))) != NULL);
	fx_init(&fx, 0);
	REQUIRE((root = ls_new_root(&fx.f_ls)) != 0);
	REQUIRE((mm = ls_mm(&fx.f_ls, root, 0, 0, 0, 0, NULL, 0)) != 0);
	for (i = 0; i < 33; i++)
		REQUIRE((node[i] = ls_alloc(&fx.f_ls, LS_MT_NODE,
		    LS_MT_NODE)) != 0);
	for (i = 0; i < 33; i++) {
		ls_w64(&fx.f_ls, node[i], i == 0 ? (mm + LS_MM_MT) | 1 :
		    node[i - 1] | 6);
		ls_w64(&fx.f_ls, node[i] + LS_MT_PIVOT(0), ~0ULL);
		if (i < 32)
			ls_w64(&fx.f_ls, node[i] + LS_MR_SLOT(0), node[i + 1] |
			    (uint64_t)LS_MT_RANGE << 3 | 4);
	}
	ls_w64(&fx.f_ls, mm + LS_MT_ROOT, node[0] |
	    (uint64_t)LS_MT_RANGE << 3 | 4 | 2);
	memset(&ts, 0, sizeof (ts));
	ts.ts_pid = ts.ts_tgid = 9;
	ts.ts_threads = 1;
	ts.ts_mm = mm;
	REQUIRE(ls_task(&fx.f_ls, &ts) != 0);
	lk = fx_open(&fx);
	CHECK_ERRNO(linux_vmas(lk, 9, collect_vma, s), ELOOP);
	CHECK(s->sv_n == 0);
	fx_close(&fx);
	free(s);
}

/* The list form: an unsorted list (a loop back) is refused. */
static void
test_vmas_list_hostile(void)
{
	struct fx fx;
	struct linux_kernel *lk;
	struct seen_vmas *s;
	uint64_t vmas[NVMAS + NFILL];

	REQUIRE((s = calloc(1, sizeof (*s))) != NULL);
	fx_init(&fx, LS_F_VMA_LIST);
	(void) build_vmas(&fx.f_ls, 4, 0, vmas);
	ls_w64(&fx.f_ls, vmas[4] + LS_VMA_NEXT, vmas[1]);
	lk = fx_open(&fx);
	CHECK_ERRNO(linux_vmas(lk, 50, collect_vma, s), EIO);
	CHECK(s->sv_n == 5);
	fx_close(&fx);
	free(s);
}

/* ---- modules ---- */

static void
test_modules(unsigned flags)
{
	static const char long_name[] =
	    "a_module_name_of_exactly_fifty_six_characters_0123456789";
	struct fx fx;
	struct linux_kernel *lk;
	struct seen_mods *s;
	uint64_t m[5];
	unsigned i;

	REQUIRE(sizeof (long_name) - 1 == LS_MOD_NAME_LEN);
	REQUIRE((s = calloc(1, sizeof (*s))) != NULL);
	fx_init(&fx, flags);
	REQUIRE((m[0] = ls_module(&fx.f_ls, "ext4", 0,
	    0xffffffffc0100000ULL, 0x9a000)) != 0);
	REQUIRE((m[1] = ls_module(&fx.f_ls, "xfs", 1,
	    0xffffffffc0200000ULL, 0x1000)) != 0);
	REQUIRE((m[2] = ls_module(&fx.f_ls, "loading", 3, 0, 0)) != 0);
	REQUIRE((m[3] = ls_module(&fx.f_ls, "dm_mod", 2,
	    0xffffffffc0300000ULL, 0x2000)) != 0);
	REQUIRE((m[4] = ls_module(&fx.f_ls, long_name, 0,
	    0xffffffffc0400000ULL, 0x3000)) != 0);
	lk = fx_open(&fx);
	CHECK(linux_modules(lk, collect_mod, s) == 0);
	CHECK(s->sm_n == 4);
	if (s->sm_n == 4) {
		CHECK(strcmp(s->sm_v[0].lm_name, "ext4") == 0);
		CHECK(s->sm_v[0].lm_base == 0xffffffffc0100000ULL);
		CHECK(s->sm_v[0].lm_size == 0x9a000);
		CHECK(s->sm_v[0].lm_state == 0 && s->sm_v[0].lm_addr == m[0]);
		CHECK(strcmp(s->sm_v[1].lm_name, "xfs") == 0);
		CHECK(s->sm_v[1].lm_state == 1 && s->sm_v[1].lm_addr == m[1]);
		CHECK(strcmp(s->sm_v[2].lm_name, "dm_mod") == 0);
		CHECK(s->sm_v[2].lm_state == 2 && s->sm_v[2].lm_addr == m[3]);
		CHECK(s->sm_v[2].lm_size == 0x2000);
		CHECK(strcmp(s->sm_v[3].lm_name, long_name) == 0);
		CHECK(s->sm_v[3].lm_base == 0xffffffffc0400000ULL);
	}
	fx_close(&fx);

	/* A state past unformed; text that wraps; a loop. */
	for (i = 0; i < 3; i++) {
		fx_init(&fx, flags);
		REQUIRE((m[0] = ls_module(&fx.f_ls, "a", 0, 0x1000,
		    0x1000)) != 0);
		REQUIRE((m[1] = ls_module(&fx.f_ls, "b", 0, 0x3000,
		    0x1000)) != 0);
		REQUIRE((m[2] = ls_module(&fx.f_ls, "c", 0, 0x5000,
		    0x1000)) != 0);
		if (i == 0)
			ls_w32(&fx.f_ls, m[1] + LS_MOD_STATE, 9);
		else if (i == 1)
			ls_w64(&fx.f_ls, m[1] + LS_MOD_TEXT, ~0ULL - 0x10);
		else
			ls_w64(&fx.f_ls, m[2] + LS_MOD_LIST,
			    m[1] + LS_MOD_LIST);
		lk = fx_open(&fx);
		memset(s, 0, sizeof (*s));
		CHECK_ERRNO(linux_modules(lk, collect_mod, s),
		    i < 2 ? EIO : ELOOP);
		CHECK(s->sm_n == (i < 2 ? 1u : 3u));
		fx_close(&fx);
	}
	free(s);
}

/* ---- the kernel log ---- */

/* Record i's text: lengths 0..~90, with the index in it. */
static size_t
msg_text(unsigned i, char *buf, size_t len)
{
	size_t n;

	if (i % 17 == 5) {
		buf[0] = '\0';
		return (0);		/* an empty record: no data block */
	}
	n = (size_t)snprintf(buf, len, "record %u: %.*s", i, (int)(i * 7 % 80),
	    "the quick brown fox jumps over the lazy dog; pack my box with "
	    "five dozen liquor jugs");
	return (n < len ? n : len - 1);
}

static void
check_log(const struct seen_log *s, uint64_t first_seq, uint64_t n,
    bool levels)
{
	char text[256];
	uint64_t i;

	CHECK(s->sl_n == n);
	CHECK(s->sl_terminated);
	for (i = 0; i < n && i < s->sl_n && i < MAX_SEEN; i++) {
		unsigned k = (unsigned)(first_seq + i);
		size_t len = msg_text(k, text, sizeof (text));

		CHECK(s->sl_v[i].seq == first_seq + i);
		CHECK(s->sl_v[i].ts == 1000ULL * k + 7);
		CHECK(s->sl_v[i].level == (levels ? (int)(k % 8) : -1));
		CHECK(s->sl_v[i].len == len);
		CHECK(strcmp(s->sl_v[i].text, text) == 0);
	}
}

static void
test_dmesg_prb(unsigned flags, uint64_t first_id, unsigned total)
{
	struct fx fx;
	struct linux_kernel *lk;
	struct seen_log *s;
	char text[256];
	unsigned i;
	size_t len;

	REQUIRE((s = calloc(1, sizeof (*s))) != NULL);
	fx_init(&fx, flags);
	REQUIRE(ls_prb_init(&fx.f_ls, 5, 11, first_id) == 0);
	for (i = 0; i < total; i++) {
		len = msg_text(i, text, sizeof (text));
		REQUIRE(ls_prb_add(&fx.f_ls, 1000ULL * i + 7, (int)(i % 8),
		    text, len) == 0);
	}
	lk = fx_open(&fx);
	s->sl_terminated = true;
	CHECK(linux_dmesg(lk, collect_log, s) == 0);
	check_log(s, fx.f_ls.ls_prb.pb_seq - fx.f_ls.ls_prb.pb_live,
	    fx.f_ls.ls_prb.pb_live, true);
	memset(s, 0, sizeof (*s));
	s->sl_stop_at = 3;
	CHECK(linux_dmesg(lk, collect_log, s) == (total >= 3 ? 5 : 0));
	CHECK(s->sl_n == (total >= 3 ? 3 : total));
	fx_close(&fx);
	free(s);
}

enum prb_damage {
	PD_COUNT_BITS,
	PD_SIZE_BITS,
	PD_HEAD_FAR,		/* head - tail beyond the ring */
	PD_NULL_PRB,
	PD_DESCS_UNMAPPED,
	PD_BAD_LPOS,		/* one record: begin after next */
	PD_BLOCK_ID,		/* one record: its block names another id */
	PD_TEXT_LEN,		/* one record: text longer than its block */
	PD_RESERVED,		/* one record: being written */
	PD_OLD_ID,		/* one record: its descriptor has an old id */
	PD_MISALIGNED,		/* one record: lpos not word-aligned */
	PD_NCOUNT
};

static void
test_dmesg_prb_hostile(void)
{
	/* -1: no error, one record fewer. */
	static const int want[PD_NCOUNT] = {
		EIO, EIO, EIO, EIO, EFAULT, -1, -1, -1, -1, -1, -1
	};
	struct fx fx;
	struct lsynth *ls = &fx.f_ls;
	struct linux_kernel *lk;
	struct seen_log *s;
	uint64_t rb, d, id, info;
	char text[256];
	unsigned i, pd, live = 0;

	REQUIRE((s = calloc(1, sizeof (*s))) != NULL);
	for (pd = 0; pd < PD_NCOUNT; pd++) {
		fx_init(&fx, 0);
		REQUIRE(ls_prb_init(ls, 4, 10, 1000) == 0);
		for (i = 0; i < 12; i++) {
			size_t len = (size_t)snprintf(text, sizeof (text),
			    "message %u", i);

			REQUIRE(ls_prb_add(ls, i, 6, text, len) == 0);
		}
		live = (unsigned)ls->ls_prb.pb_live;
		rb = ls->ls_st.st_rb;
		/* The fourth record still in the ring. */
		id = (ls->ls_prb.pb_tail + 3) & (~0ULL >> 2);
		d = ls->ls_prb.pb_descs + (id & 15) * LS_DESC_SIZE;
		info = ls->ls_prb.pb_infos + (id & 15) * LS_INFO_SIZE;
		switch (pd) {
		case PD_COUNT_BITS:
			ls_w32(ls, rb + LS_RB_DESC_RING, 40);
			break;
		case PD_SIZE_BITS:
			ls_w32(ls, rb + LS_RB_TEXT_RING, 63);
			break;
		case PD_HEAD_FAR:
			ls_w64(ls, rb + LS_RB_DESC_RING + 0x18,
			    ls->ls_prb.pb_tail + 16);
			break;
		case PD_NULL_PRB:
			ls_w64(ls, ls->ls_st.st_prb, 0);
			break;
		case PD_DESCS_UNMAPPED:
			ls_w64(ls, rb + LS_RB_DESC_RING + 0x08, LS_UNMAPPED);
			break;
		case PD_BAD_LPOS:
			ls_w64(ls, d + 8, ls_r64(ls, d + 16) + 64);
			break;
		case PD_BLOCK_ID:
			ls_w64(ls, ls->ls_prb.pb_data + (ls_r64(ls, d + 8) &
			    1023), id + 1);
			break;
		case PD_TEXT_LEN:
			ls_w16(ls, info + LS_INFO_TEXT_LEN, 0xffff);
			break;
		case PD_RESERVED:
			ls_w64(ls, d, id);		/* state 0 */
			break;
		case PD_OLD_ID:
			ls_w64(ls, d, 2ULL << 62 | ((id - 16) & (~0ULL >> 2)));
			break;
		case PD_MISALIGNED:
			ls_w64(ls, d + 8, ls_r64(ls, d + 8) + 4);
			break;
		}
		lk = fx_open(&fx);
		memset(s, 0, sizeof (*s));
		s->sl_terminated = true;
		errno = 0;
		if (want[pd] > 0) {
			CHECK_ERRNO(linux_dmesg(lk, collect_log, s),
			    want[pd]);
			CHECK(s->sl_n == 0);
		} else {
			CHECK(linux_dmesg(lk, collect_log, s) == 0);
			CHECK(s->sl_n == live - 1);
			CHECK(s->sl_terminated);
			for (i = 0; i < s->sl_n && i < MAX_SEEN; i++)
				CHECK(s->sl_v[i].level == 6 &&
				    s->sl_v[i].seq != 12 - live + 3);
		}
		fx_close(&fx);
	}
	free(s);
}

static void
test_dmesg_logbuf(void)
{
	struct fx fx;
	struct lsynth *ls = &fx.f_ls;
	struct linux_kernel *lk;
	struct seen_log *s;
	char text[256];
	unsigned i, total;
	size_t len;

	REQUIRE((s = calloc(1, sizeof (*s))) != NULL);
	/* 0 records, a few, then enough to wrap the buffer many times. */
	for (total = 0; total <= 120; total += 40) {
		fx_init(&fx, LS_F_LOGBUF);
		REQUIRE(ls_logbuf_init(ls, 1024) == 0);
		for (i = 0; i < total; i++) {
			len = msg_text(i, text, sizeof (text));
			REQUIRE(ls_logbuf_add(ls, 1000ULL * i + 7,
			    (int)(i % 8), text, len) == 0);
		}
		lk = fx_open(&fx);
		memset(s, 0, sizeof (*s));
		s->sl_terminated = true;
		CHECK(linux_dmesg(lk, collect_log, s) == 0);
		check_log(s, ls->ls_log.lb_first_seq, ls->ls_log.lb_next_seq -
		    ls->ls_log.lb_first_seq, true);
		fx_close(&fx);
	}

	/* Hostile buffers. */
	for (i = 0; i < 5; i++) {
		struct ls_logbuf *lb = &ls->ls_log;
		int want = i == 1 ? ELOOP : EIO;

		fx_init(&fx, LS_F_LOGBUF);
		REQUIRE(ls_logbuf_init(ls, 1024) == 0);
		for (total = 0; total < 30; total++) {
			len = msg_text(total, text, sizeof (text));
			REQUIRE(ls_logbuf_add(ls, total, 1, text, len) == 0);
		}
		switch (i) {
		case 0:		/* a record shorter than its header */
			ls_w16(ls, lb->lb_buf + lb->lb_first_idx + 8, 8);
			break;
		case 1:		/* an end marker at offset 0 */
			ls_w16(ls, lb->lb_buf + 8, 0);
			ls_w32(ls, ls->ls_st.st_log_first_idx, 0);
			break;
		case 2:		/* text longer than the record */
			ls_w16(ls, lb->lb_buf + lb->lb_first_idx + 10, 4000);
			break;
		case 3:		/* first index past the buffer */
			ls_w32(ls, ls->ls_st.st_log_first_idx, 5000);
			break;
		case 4:		/* a length past the end */
			ls_w16(ls, lb->lb_buf + lb->lb_first_idx + 8, 2000);
			break;
		}
		lk = fx_open(&fx);
		memset(s, 0, sizeof (*s));
		CHECK_ERRNO(linux_dmesg(lk, collect_log, s), want);
		fx_close(&fx);
	}
	free(s);
}

/* ---- a 32-bit kernel ---- */

/*
 * A 32-bit kernel's objects in a window of the synthetic memory mapped
 * at K32_BASE (the page tables stay 4-level: the readers do not care,
 * only the pointer width changes), and a second window that gives the
 * processes' page-table roots 32-bit addresses.  The layouts are the
 * test's own, with 4-byte pointers and longs; the maple nodes and the
 * printk structures are Linux's 32-bit ones.
 */
#define	K32_BASE	0xc0000000u
#define	K32_ROOTS	0xc1000000u	/* + a root's physical address */
#define	K32_SIZE	(128u * 1024)

struct k32 {
	struct lsynth	*k_ls;
	uint64_t	k_pa;		/* the window's physical start */
	uint32_t	k_next;		/* bump, va */
};

static uint32_t
k32_alloc(struct k32 *k, uint32_t size, uint32_t align)
{
	uint32_t va = (k->k_next + align - 1) & ~(align - 1);

	REQUIRE(va + size <= K32_BASE + K32_SIZE);
	k->k_next = va + size;
	return (va);
}

static uint64_t
k32_direct(const struct k32 *k, uint32_t va)
{
	return (LS_DIRECT + k->k_pa + (va - K32_BASE));
}

static void
k32_w32(struct k32 *k, uint32_t va, uint32_t v)
{
	ls_w32(k->k_ls, k32_direct(k, va), v);
}

static void
k32_bytes(struct k32 *k, uint32_t va, const void *p, size_t n)
{
	ls_wbytes(k->k_ls, k32_direct(k, va), p, n);
}

/* The profile of the 32-bit layout. */
static void
k32_profile(struct linux_profile *p)
{
	static const struct {
		const char	*type, *member;
		uint64_t	off, size;
	} m[] = {
		{ "task_struct", "__state", 0x00, 4 },
		{ "task_struct", "flags", 0x04, 4 },
		{ "task_struct", "tasks", 0x08, 8 },
		{ "task_struct", "mm", 0x10, 4 },
		{ "task_struct", "exit_state", 0x14, 4 },
		{ "task_struct", "pid", 0x18, 4 },
		{ "task_struct", "tgid", 0x1c, 4 },
		{ "task_struct", "real_parent", 0x20, 4 },
		{ "task_struct", "real_cred", 0x24, 4 },
		{ "task_struct", "comm", 0x28, 16 },
		{ "task_struct", "signal", 0x38, 4 },
		{ "cred", "uid", 0x04, 4 },
		{ "signal_struct", "nr_threads", 0x04, 4 },
		{ "mm_struct", "mm_mt", 0x00, 12 },
		{ "mm_struct", "pgd", 0x0c, 4 },
		{ "mm_struct", "start_brk", 0x10, 4 },
		{ "mm_struct", "brk", 0x14, 4 },
		{ "mm_struct", "start_stack", 0x18, 4 },
		{ "mm_struct", "arg_start", 0x1c, 4 },
		{ "mm_struct", "arg_end", 0x20, 4 },
		{ "maple_tree", "ma_root", 0x04, 4 },
		{ "maple_range_64", "pivot", 4, 124 },
		{ "maple_range_64", "slot", 128, 128 },
		{ "maple_arange_64", "pivot", 4, 80 },
		{ "maple_arange_64", "slot", 84, 84 },
		{ "vm_area_struct", "vm_start", 0x00, 4 },
		{ "vm_area_struct", "vm_end", 0x04, 4 },
		{ "vm_area_struct", "vm_flags", 0x08, 4 },
		{ "vm_area_struct", "vm_pgoff", 0x0c, 4 },
		{ "vm_area_struct", "vm_file", 0x10, 4 },
		{ "file", "f_path", 0x00, 8 },
		{ "path", "mnt", 0x00, 4 },
		{ "path", "dentry", 0x04, 4 },
		{ "dentry", "d_parent", 0x00, 4 },
		{ "dentry", "d_name", 0x04, 12 },
		{ "qstr", "len", 0x04, 4 },
		{ "qstr", "name", 0x08, 4 },
		{ "module", "state", 0x00, 4 },
		{ "module", "list", 0x04, 8 },
		{ "module", "name", 0x0c, 60 },
		{ "module", "core_layout", 0x48, 8 },
		{ "module_layout", "base", 0x00, 4 },
		{ "module_layout", "size", 0x04, 4 },
		{ "printk_ringbuffer", "desc_ring", 0x00, 0x18 },
		{ "printk_ringbuffer", "text_data_ring", 0x18, 0x10 },
		{ "prb_desc_ring", "count_bits", 0x00, 4 },
		{ "prb_desc_ring", "descs", 0x04, 4 },
		{ "prb_desc_ring", "infos", 0x08, 4 },
		{ "prb_desc_ring", "head_id", 0x0c, 4 },
		{ "prb_desc_ring", "tail_id", 0x10, 4 },
		{ "prb_data_ring", "size_bits", 0x00, 4 },
		{ "prb_data_ring", "data", 0x04, 4 },
		{ "prb_desc", "state_var", 0x00, 4 },
		{ "prb_desc", "text_blk_lpos", 0x04, 8 },
		{ "prb_data_blk_lpos", "begin", 0x00, 4 },
		{ "prb_data_blk_lpos", "next", 0x04, 4 },
		{ "printk_info", "seq", 0x00, 8 },
		{ "printk_info", "ts_nsec", 0x08, 8 },
		{ "printk_info", "text_len", 0x10, 2 },
		{ "printk_info", "facility", 0x12, 1 },
	};
	size_t i;

	for (i = 0; i < sizeof (m) / sizeof (m[0]); i++)
		REQUIRE(lprof_set_member(p, m[i].type, m[i].member, m[i].off,
		    m[i].size) == 0);
	REQUIRE(lprof_set_size(p, "prb_desc", 12) == 0);
	REQUIRE(lprof_set_size(p, "printk_info", 88) == 0);
}

/* A task of the 32-bit layout, linked after prev (a list_head). */
static uint32_t
k32_task(struct k32 *k, uint32_t head, int pid, uint32_t parent,
    const char *comm, uint32_t flags, uint32_t mm)
{
	uint32_t t = k32_alloc(k, 0x40, 16), cred = k32_alloc(k, 8, 4);
	uint32_t sig = k32_alloc(k, 8, 4), last;

	k32_w32(k, t + 0x04, flags);
	k32_w32(k, t + 0x10, mm);
	k32_w32(k, t + 0x18, (uint32_t)pid);
	k32_w32(k, t + 0x1c, (uint32_t)pid);
	k32_w32(k, t + 0x20, parent != 0 ? parent : t);
	k32_w32(k, t + 0x24, cred);
	k32_w32(k, cred + 4, (uint32_t)pid * 10);
	k32_w32(k, t + 0x38, sig);
	k32_w32(k, sig + 4, 2);
	k32_bytes(k, t + 0x28, comm, strlen(comm));
	if (head == 0) {	/* init_task: a list of its own */
		k32_w32(k, t + 0x08, t + 0x08);
		k32_w32(k, t + 0x0c, t + 0x08);
		return (t);
	}
	last = (uint32_t)ls_r64(k->k_ls, k32_direct(k, head + 4));
	k32_w32(k, t + 0x08, head);
	k32_w32(k, t + 0x0c, last);
	k32_w32(k, last, t + 0x08);
	k32_w32(k, head + 4, t + 0x08);
	return (t);
}

/* A 32-bit maple node: its encoded pointer. */
static uint32_t
k32_node(struct k32 *k, unsigned type, const uint32_t *last,
    const uint32_t *slot, unsigned n)
{
	uint32_t node = k32_alloc(k, 256, 256);
	unsigned i, slot_off = type == LS_MT_ARANGE ? 84 : 128;

	for (i = 0; i < n; i++) {
		k32_w32(k, node + 4 + 4 * i, last[i]);
		k32_w32(k, node + slot_off + 4 * i, slot[i]);
		if (type == LS_MT_ARANGE)
			k32_w32(k, slot[i] & ~0xffu, node | 6);
	}
	return (node | type << 3 | 4);
}

static void
test_32bit(void)
{
	static const uint32_t vstart[5] = {
		0x08048000, 0x08049000, 0x0a000000, 0xb7000000, 0xbf000000
	};
	static const uint32_t vend[5] = {
		0x08049000, 0x0804a000, 0x0a021000, 0xb7001000, 0xbf021000
	};
	static const char *vname[5] = {
		"/sbin/init", "/sbin/init", "[heap]", "", "[stack]"
	};
	static const char *texts[4] = {
		"hello", "world!!", "a thirty character long text..", "wrap"
	};
	struct fx fx;
	struct k32 k;
	struct linux_kernel *lk;
	struct seen_tasks *st;
	struct seen_vmas *sv;
	struct seen_mods *sm;
	struct seen_log *sl;
	uint64_t chunk, root, off;
	uint32_t init_task, t1, mm, vma[5], leaf[2], top, d_root, d, file;
	uint32_t mods, m, rb, descs, infos, data, last[6], slot[6];
	uint32_t first_id = (1u << 30) - 2, id, lpos[4][2];
	char buf[64];
	unsigned i;

	REQUIRE((st = calloc(1, sizeof (*st))) != NULL);
	REQUIRE((sv = calloc(1, sizeof (*sv))) != NULL);
	REQUIRE((sm = calloc(1, sizeof (*sm))) != NULL);
	REQUIRE((sl = calloc(1, sizeof (*sl))) != NULL);
	fx_init(&fx, 0);
	REQUIRE((chunk = ls_alloc(&fx.f_ls, K32_SIZE, LS_PAGE)) != 0);
	k.k_ls = &fx.f_ls;
	k.k_pa = chunk - LS_DIRECT;
	k.k_next = K32_BASE;
	for (off = 0; off < K32_SIZE; off += LS_PAGE)
		REQUIRE(ls_map_user(&fx.f_ls, LS_KROOT_PA, K32_BASE + off,
		    k.k_pa + off) == 0);
	/* A process root, with a 32-bit address, and its argument page. */
	REQUIRE((root = ls_new_root(&fx.f_ls)) != 0);
	REQUIRE(ls_map_user(&fx.f_ls, LS_KROOT_PA, K32_ROOTS + root,
	    root) == 0);
	REQUIRE((off = ls_alloc(&fx.f_ls, LS_PAGE, LS_PAGE)) != 0);
	REQUIRE(ls_map_user(&fx.f_ls, root, 0xbf020000, off - LS_DIRECT) == 0);
	ls_wbytes(&fx.f_ls, off, "init\0splash\0", 12);

	init_task = k32_task(&k, 0, 0, 0, "swapper", PF_KTHREAD, 0);
	mm = k32_alloc(&k, 0x24, 16);
	k32_w32(&k, mm + 0x0c, K32_ROOTS + (uint32_t)root);
	k32_w32(&k, mm + 0x10, 0x0a000000);
	k32_w32(&k, mm + 0x14, 0x0a010000);
	k32_w32(&k, mm + 0x18, 0xbf020800);
	k32_w32(&k, mm + 0x1c, 0xbf020000);
	k32_w32(&k, mm + 0x20, 0xbf02000c);
	t1 = k32_task(&k, init_task + 8, 1, init_task, "init", 0, mm);
	(void) k32_task(&k, init_task + 8, 2, init_task, "kthreadd",
	    PF_KTHREAD, 0);

	/* /sbin/init, no mounts. */
	d_root = k32_alloc(&k, 16, 4);
	k32_w32(&k, d_root, d_root);
	d = d_root;
	for (i = 0; i < 2; i++) {
		const char *name = i == 0 ? "sbin" : "init";
		uint32_t nd = k32_alloc(&k, 24, 4);

		k32_w32(&k, nd, d);
		k32_w32(&k, nd + 4 + 4, 4);
		k32_w32(&k, nd + 4 + 8, nd + 16);
		k32_bytes(&k, nd + 16, name, 4);
		d = nd;
	}
	file = k32_alloc(&k, 8, 4);
	k32_w32(&k, file + 4, d);

	/* VMAs under an arange root: leaves [0, 0x0a020fff], the rest. */
	for (i = 0; i < 5; i++) {
		vma[i] = k32_alloc(&k, 0x14, 4);
		k32_w32(&k, vma[i], vstart[i]);
		k32_w32(&k, vma[i] + 4, vend[i]);
		k32_w32(&k, vma[i] + 8, 0x3);
		k32_w32(&k, vma[i] + 0xc, i);
		k32_w32(&k, vma[i] + 0x10, i < 2 ? file : 0);
	}
	last[0] = vstart[0] - 1; slot[0] = 0;
	last[1] = vend[0] - 1; slot[1] = vma[0];
	last[2] = vend[1] - 1; slot[2] = vma[1];
	last[3] = vstart[2] - 1; slot[3] = 0;
	last[4] = vend[2] - 1; slot[4] = vma[2];
	leaf[0] = k32_node(&k, LS_MT_LEAF, last, slot, 5);
	last[0] = vstart[3] - 1; slot[0] = 0;
	last[1] = vend[3] - 1; slot[1] = vma[3];
	last[2] = vstart[4] - 1; slot[2] = 0;
	last[3] = vend[4] - 1; slot[3] = vma[4];
	last[4] = 0xffffffffu; slot[4] = 0;
	leaf[1] = k32_node(&k, LS_MT_LEAF, last, slot, 5);
	last[0] = vend[2] - 1; slot[0] = leaf[0];
	last[1] = 0xffffffffu; slot[1] = leaf[1];
	top = k32_node(&k, LS_MT_ARANGE, last, slot, 2);
	k32_w32(&k, top & ~0xffu, mm | 1);
	k32_w32(&k, mm + 4, top | 2);

	/* Modules. */
	mods = k32_alloc(&k, 8, 4);
	k32_w32(&k, mods, mods);
	k32_w32(&k, mods + 4, mods);
	for (i = 0; i < 2; i++) {
		uint32_t prev = (uint32_t)ls_r64(&fx.f_ls,
		    k32_direct(&k, mods + 4));

		m = k32_alloc(&k, 0x50, 16);
		k32_bytes(&k, m + 0xc, i == 0 ? "dummy" : "qemu_fw_cfg",
		    i == 0 ? 5 : 11);
		k32_w32(&k, m + 0x48, 0xd07f9000 - 0x6000 * i);
		k32_w32(&k, m + 0x4c, 0x4000 + 0x1000 * i);
		k32_w32(&k, m + 4, mods);
		k32_w32(&k, m + 8, prev);
		k32_w32(&k, prev, m + 4);
		k32_w32(&k, mods + 4, m + 4);
	}

	/*
	 * A ring of 4 descriptors and 64 data bytes; ids wrap through
	 * 2^30.  Records 0..2 fill [0, 60); record 3 would cross the end
	 * and goes to offset 0, over record 0, which the tail leaves.
	 */
	rb = k32_alloc(&k, 0x2c, 4);
	descs = k32_alloc(&k, 4 * 12, 4);
	infos = k32_alloc(&k, 4 * 88, 8);
	data = k32_alloc(&k, 64, 8);
	lpos[0][0] = 0;
	lpos[0][1] = 12;
	lpos[1][0] = 12;
	lpos[1][1] = 24;
	lpos[2][0] = 24;
	lpos[2][1] = 60;
	lpos[3][0] = 60;
	lpos[3][1] = 72;
	for (i = 0; i < 4; i++) {
		uint32_t dsc, inf, blk;

		id = (first_id + i) & ((1u << 30) - 1);
		dsc = descs + (id & 3) * 12;
		inf = infos + (id & 3) * 88;
		k32_w32(&k, dsc, (i == 3 ? 1u : 2u) << 30 | id);
		k32_w32(&k, dsc + 4, lpos[i][0]);
		k32_w32(&k, dsc + 8, lpos[i][1]);
		k32_w32(&k, inf, 100 + i);
		k32_w32(&k, inf + 8, 5000 * i);
		k32_w32(&k, inf + 0x10, (uint32_t)strlen(texts[i]));
		k32_w32(&k, inf + 0x12, (uint32_t)i << 13);	/* level i */
		blk = data + (lpos[i][0] & 63);
		k32_w32(&k, blk, id);
		if (i == 3) {		/* wrapped: the text at 0 */
			blk = data;
			k32_w32(&k, blk, id);
		}
		k32_bytes(&k, blk + 4, texts[i], strlen(texts[i]));
	}
	k32_w32(&k, rb + 0x00, 2);
	k32_w32(&k, rb + 0x04, descs);
	k32_w32(&k, rb + 0x08, infos);
	k32_w32(&k, rb + 0x0c, (first_id + 3) & ((1u << 30) - 1));
	k32_w32(&k, rb + 0x10, first_id + 1);
	k32_w32(&k, rb + 0x18, 6);
	k32_w32(&k, rb + 0x1c, data);
	/* `prb` points at the ring. */
	id = k32_alloc(&k, 4, 4);
	k32_w32(&k, id, rb);

	lk = fx_open(&fx);
	lprof_free(fx.f_prof);
	REQUIRE((fx.f_prof = lprof_new()) != NULL);
	k32_profile(fx.f_prof);
	REQUIRE(lprof_set_symbol(fx.f_prof, "init_task", init_task) == 0);
	REQUIRE(lprof_set_symbol(fx.f_prof, "modules", mods) == 0);
	REQUIRE(lprof_set_symbol(fx.f_prof, "prb", id) == 0);
	lk->lk_prof = fx.f_prof;
	lk->lk_ptr_size = 4;

	CHECK(linux_tasks(lk, collect_task, st) == 0);
	CHECK(st->st_n == 2);
	if (st->st_n == 2) {
		CHECK(st->st_v[0].lt_pid == 1 && st->st_v[0].lt_ppid == 0);
		CHECK(strcmp(st->st_v[0].lt_comm, "init") == 0);
		CHECK(st->st_v[0].lt_uid == 10 && st->st_v[0].lt_threads == 2);
		CHECK(!st->st_v[0].lt_kthread && st->st_v[0].lt_pgd == root);
		CHECK(st->st_v[0].lt_task == t1 && st->st_v[0].lt_state == 'R');
		CHECK(st->st_v[1].lt_pid == 2 && st->st_v[1].lt_kthread);
		CHECK(strcmp(st->st_v[1].lt_comm, "kthreadd") == 0);
	}
	CHECK(linux_task_cmdline(lk, 1, buf, sizeof (buf)) == 11);
	CHECK(strcmp(buf, "init splash") == 0);

	CHECK(linux_vmas(lk, 1, collect_vma, sv) == 0);
	CHECK(sv->sv_n == 5);
	for (i = 0; i < 5 && i < sv->sv_n; i++) {
		CHECK(sv->sv_v[i].lv_start == vstart[i]);
		CHECK(sv->sv_v[i].lv_end == vend[i]);
		CHECK(sv->sv_v[i].lv_prot == (LINUX_VMA_READ |
		    LINUX_VMA_WRITE));
		CHECK(sv->sv_v[i].lv_pgoff == (i < 2 ? i : 0));
		CHECK(strcmp(sv->sv_v[i].lv_file, vname[i]) == 0);
	}

	CHECK(linux_modules(lk, collect_mod, sm) == 0);
	CHECK(sm->sm_n == 2);
	if (sm->sm_n == 2) {
		CHECK(strcmp(sm->sm_v[0].lm_name, "dummy") == 0);
		CHECK(sm->sm_v[0].lm_base == 0xd07f9000 &&
		    sm->sm_v[0].lm_size == 0x4000);
		CHECK(strcmp(sm->sm_v[1].lm_name, "qemu_fw_cfg") == 0);
		CHECK(sm->sm_v[1].lm_base == 0xd07f3000 &&
		    sm->sm_v[1].lm_size == 0x5000);
	}

	sl->sl_terminated = true;
	CHECK(linux_dmesg(lk, collect_log, sl) == 0);
	CHECK(sl->sl_n == 3 && sl->sl_terminated);
	for (i = 0; i < 3 && i < sl->sl_n; i++) {
		CHECK(sl->sl_v[i].seq == 101 + i);
		CHECK(sl->sl_v[i].ts == 5000ULL * (i + 1));
		CHECK(sl->sl_v[i].level == (int)(i + 1));
		CHECK(strcmp(sl->sl_v[i].text, texts[i + 1]) == 0);
	}
	fx_close(&fx);
	free(st);
	free(sv);
	free(sm);
	free(sl);
}

int
main(void)
{
	static const unsigned task_variants[] = {
		0, LS_F_OLD_STATE, LS_F_NO_FLAGS, LS_F_VMA_LIST | LS_F_OLD_STATE
	};
	static const unsigned fanouts[] = { 2, 3, 4, 10, 16 };
	size_t i;

	test_readers();
	test_list_walk();
	for (i = 0; i < sizeof (task_variants) / sizeof (task_variants[0]);
	    i++)
		test_tasks_variant(task_variants[i]);
	test_cmdline_hostile();
	test_tasks_hostile();

	for (i = 0; i < sizeof (fanouts) / sizeof (fanouts[0]); i++) {
		test_vmas_variant(0, fanouts[i], 0);
		test_vmas_variant(0, fanouts[i], NFILL);
	}
	test_vmas_variant(LS_F_NO_MOUNTS, 4, NFILL);
	test_vmas_variant(LS_F_VMA_LIST, 4, NFILL);
	test_vmas_variant(LS_F_VMA_LIST | LS_F_NO_MOUNTS, 4, 3);
	test_vmas_empty(0);
	test_vmas_empty(LS_F_VMA_LIST);
	test_vmas_hostile();
	test_vmas_too_deep();
	test_vmas_list_hostile();

	test_modules(0);
	test_modules(LS_F_MOD_MEM);

	test_dmesg_prb(0, 1000, 0);
	test_dmesg_prb(0, 1000, 10);
	test_dmesg_prb(0, 1000, 500);
	test_dmesg_prb(LS_F_NO_SIZES, 1000, 500);
	test_dmesg_prb(0, (~0ULL >> 2) - 40, 300);	/* ids wrap */
	test_dmesg_prb_hostile();
	test_dmesg_logbuf();
	test_32bit();
	return (test_done());
}
