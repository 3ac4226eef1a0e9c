/*
 * linux_views_fuzz.c -- fuzz target: the Linux views (process list,
 * command lines, VMAs, modules, kernel log) over arbitrary kernel
 * memory.
 *
 * The world is fixed: a synthetic kernel (tests/linux_synth.h) whose
 * page tables map its memory, with its arena (FZ_ARENA bytes at
 * LS_ARENA_PA) also mapped at the user address LS_USER_BASE, opened
 * once as a writable copy.  An input is
 *	[0]	the variant (% FZ_NVARIANTS): which profile describes the
 *		kernel (maple tree or vm_next list, __state or state,
 *		core_layout or mem[], ring buffer or printk_log, sizes,
 *		mounts, flags)
 *	then	the arena's bytes (zero beyond the input): init_task, the
 *		`modules` head, `prb` and the printk variables at their
 *		fixed places, everything else wherever the input's
 *		pointers say
 * and is written over the arena before the views run.
 *
 * Invariants: every call ends, with 0 or an errno a hostile kernel may
 * cause (EIO, EFAULT, ELOOP, ENOTSUP, ESRCH, ENODATA, ENOMEM); what the
 * callbacks get is well formed: terminated strings, state letters /proc
 * knows, VMAs ascending and disjoint, module states 0..2, log levels
 * -1..7 and texts terminated at their length, and never more items than
 * the bounds allow; a command line is its returned length, terminated;
 * the layout inference (from VMCOREINFO's inputs only) ends and sets
 * only the groups it reports.
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <porthole/guest.h>
#include <porthole/linux.h>
#include "guest/linux/linux_impl.h"
#include "guest/linux/linux_infer.h"
#include "guest/linux/linux_profile.h"
#include "tests/fuzz/fuzz.h"
#include "tests/linux_synth.h"
#include "tests/prng.h"

#define	FZ_ARENA	(16 * 1024)
#define	FZ_PIDS		4	/* processes whose maps and lines are read */
#define	FZ_ERRNOS	8

static const unsigned fz_variants[] = {
	0,
	LS_F_VMA_LIST | LS_F_OLD_STATE,
	LS_F_MOD_MEM | LS_F_NO_SIZES | LS_F_NO_FLAGS,
	LS_F_LOGBUF | LS_F_NO_MOUNTS,
};
#define	FZ_NVARIANTS	(sizeof (fz_variants) / sizeof (fz_variants[0]))

static struct {
	bool			ready;
	struct guest		*g;
	struct linux_profile	*prof[FZ_NVARIANTS];
	unsigned char		*arena;		/* FZ_ARENA bytes */
} fz;

/* What the inputs exercised, for fuzz_report and fuzz_meaningful. */
static struct {
	unsigned long	inputs;
	unsigned long	tasks, cmdlines, vmas, modules, records;
	unsigned long	named_vmas;	/* with a file path */
	unsigned long	eio, efault, eloop, enotsup;
} fz_stats;

static const int fz_allowed[FZ_ERRNOS] = {
	EIO, EFAULT, ELOOP, ENOTSUP, ESRCH, ENODATA, ENOMEM, 0
};

/* A failed view call: its errno must be one a hostile kernel causes. */
static void
fz_failed(int err)
{
	unsigned i;

	for (i = 0; fz_allowed[i] != 0; i++) {
		if (fz_allowed[i] == err)
			break;
	}
	if (fz_allowed[i] == 0)
		(void) fprintf(stderr, "unexpected errno %d (%s)\n", err,
		    strerror(err));
	FUZZ_ASSERT(fz_allowed[i] != 0);
	fz_stats.eio += err == EIO;
	fz_stats.efault += err == EFAULT;
	fz_stats.eloop += err == ELOOP;
	fz_stats.enotsup += err == ENOTSUP;
}

static bool
fz_terminated(const char *s, size_t size)
{
	return (memchr(s, '\0', size) != NULL);
}

/* Build the world once: the image, the guest, a profile per variant. */
static void
fz_setup(void)
{
	struct lsynth ls;
	const char *dir = getenv("TMPDIR");
	char path[512], err[256];
	uint64_t off;
	unsigned v;
	int fd;

	if (fz.ready)
		return;
	FUZZ_ASSERT(ls_init(&ls, 0, FZ_ARENA) == 0);
	for (off = 0; off < FZ_ARENA; off += LS_PAGE)
		FUZZ_ASSERT(ls_map_user(&ls, LS_KROOT_PA, LS_USER_BASE + off,
		    LS_ARENA_PA + off) == 0);
	for (v = 0; v < FZ_NVARIANTS; v++) {
		ls.ls_flags = fz_variants[v];
		FUZZ_ASSERT((fz.prof[v] = lprof_new()) != NULL);
		FUZZ_ASSERT(ls_profile(&ls, fz.prof[v]) == 0);
	}
	if (dir == NULL || *dir == '\0')
		dir = "/tmp";
	(void) snprintf(path, sizeof (path), "%s/lviews_fuzz.XXXXXX", dir);
	FUZZ_ASSERT((fd = mkstemp(path)) >= 0);
	(void) close(fd);
	FUZZ_ASSERT(ls_write(&ls, path) == 0);
	fz.g = guest_open(path, GUEST_OPEN_COPY, err, sizeof (err));
	(void) unlink(path);
	if (fz.g == NULL)
		(void) fprintf(stderr, "guest_open: %s\n", err);
	FUZZ_ASSERT(fz.g != NULL);
	FUZZ_ASSERT((fz.arena = malloc(FZ_ARENA)) != NULL);
	ls_fini(&ls);
	fz.ready = true;
}

struct fz_walk {
	int		pids[FZ_PIDS];
	unsigned	npids;
	unsigned	n;
	uint64_t	prev_end;
	unsigned	max_records;
};

static int
fz_task(const struct linux_task *t, void *arg)
{
	struct fz_walk *w = arg;

	FUZZ_ASSERT(fz_terminated(t->lt_comm, sizeof (t->lt_comm)));
	FUZZ_ASSERT(t->lt_state != '\0' &&
	    strchr("RSDTtXZPI", t->lt_state) != NULL);
	FUZZ_ASSERT(t->lt_pid >= 0 && t->lt_tid >= 0 && t->lt_ppid >= 0);
	FUZZ_ASSERT(++w->n <= LINUX_MAX_TASKS);
	if (w->npids < FZ_PIDS)
		w->pids[w->npids++] = t->lt_pid;
	fz_stats.tasks++;
	return (0);
}

static int
fz_vma(const struct linux_vma *v, void *arg)
{
	struct fz_walk *w = arg;

	FUZZ_ASSERT(v->lv_start < v->lv_end);
	FUZZ_ASSERT(w->n == 0 || v->lv_start >= w->prev_end);
	FUZZ_ASSERT((v->lv_prot & ~0xfu) == 0);
	FUZZ_ASSERT(fz_terminated(v->lv_file, sizeof (v->lv_file)));
	FUZZ_ASSERT(++w->n <= LINUX_MAX_VMAS);
	w->prev_end = v->lv_end;
	fz_stats.vmas++;
	fz_stats.named_vmas += v->lv_file[0] == '/';
	return (0);
}

static int
fz_module(const struct linux_module *m, void *arg)
{
	struct fz_walk *w = arg;

	FUZZ_ASSERT(fz_terminated(m->lm_name, sizeof (m->lm_name)));
	FUZZ_ASSERT(m->lm_state >= 0 && m->lm_state <= 2);
	FUZZ_ASSERT(m->lm_base + m->lm_size >= m->lm_base);
	FUZZ_ASSERT(++w->n <= LINUX_MAX_MODULES);
	fz_stats.modules++;
	return (0);
}

static int
fz_record(const struct linux_log_record *r, void *arg)
{
	struct fz_walk *w = arg;

	FUZZ_ASSERT(r->lr_len <= 0xffff);
	FUZZ_ASSERT(r->lr_text[r->lr_len] == '\0');
	FUZZ_ASSERT(r->lr_level >= -1 && r->lr_level <= 7);
	FUZZ_ASSERT(++w->n <= w->max_records);
	fz_stats.records++;
	return (0);
}

/*
 * The layout inference over the same memory, from VMCOREINFO's inputs
 * only: it ends, sets only the groups it reports, and the views run on
 * what it set.
 */
static void
fz_infer(struct linux_kernel *lk)
{
	struct linux_profile *p;
	struct fz_walk w;
	uint64_t off, size;
	unsigned got;

	if ((p = lprof_new()) == NULL)
		return;
	FUZZ_ASSERT(lprof_set_symbol(p, "_stext", LS_DIRECT + LS_ARENA_PA) ==
	    0);
	FUZZ_ASSERT(lprof_set_symbol(p, "init_uts_ns", LS_DIRECT +
	    LS_ARENA_PA) == 0);
	FUZZ_ASSERT(lprof_set_symbol(p, "init_top_pgt", LS_DIRECT +
	    LS_KROOT_PA) == 0);
	lk->lk_prof = p;
	(void) snprintf(lk->lk_release, sizeof (lk->lk_release), "6.1.0");
	got = linfer_run(lk, NULL, 0);
	FUZZ_ASSERT((got & ~0x3fu) == 0);
	FUZZ_ASSERT(((got & LINFER_TASKS) != 0) == (lprof_member(p,
	    "task_struct", "tasks", &off, &size) == 0));
	if (got & LINFER_TASKS) {
		memset(&w, 0, sizeof (w));
		if (linux_tasks(lk, fz_task, &w) != 0)
			fz_failed(errno);
	}
	lprof_free(p);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct linux_kernel lk;
	struct fz_walk w;
	char line[256];
	size_t n;
	ssize_t len;
	unsigned i;

	if (size < 1)
		return (0);
	fz_setup();
	fz_stats.inputs++;
	n = size - 1 < FZ_ARENA ? size - 1 : FZ_ARENA;
	memset(fz.arena, 0, FZ_ARENA);
	memcpy(fz.arena, data + 1, n);
	FUZZ_ASSERT(guest_pwrite(fz.g, LS_ARENA_PA, fz.arena, FZ_ARENA,
	    NULL) == FZ_ARENA);
	guest_flush(fz.g);

	memset(&lk, 0, sizeof (lk));
	lk.lk_guest = fz.g;
	lk.lk_prof = fz.prof[data[0] % FZ_NVARIANTS];
	lk.lk_space.gs_mode = GUEST_PAGING_4LEVEL;
	lk.lk_space.gs_nxe = true;
	lk.lk_space.gs_cr3 = LS_KROOT_PA;
	lk.lk_ptr_size = 8;

	memset(&w, 0, sizeof (w));
	if (linux_tasks(&lk, fz_task, &w) != 0)
		fz_failed(errno);
	for (i = 0; i < w.npids; i++) {
		struct fz_walk vw;

		len = linux_task_cmdline(&lk, w.pids[i], line, sizeof (line));
		if (len < 0) {
			fz_failed(errno);
			FUZZ_ASSERT(line[0] == '\0');
		} else {
			FUZZ_ASSERT((size_t)len < sizeof (line));
			FUZZ_ASSERT(strlen(line) == (size_t)len);
			fz_stats.cmdlines++;
		}
		memset(&vw, 0, sizeof (vw));
		if (linux_vmas(&lk, w.pids[i], fz_vma, &vw) != 0)
			fz_failed(errno);
	}
	memset(&w, 0, sizeof (w));
	if (linux_modules(&lk, fz_module, &w) != 0)
		fz_failed(errno);
	memset(&w, 0, sizeof (w));
	/* At most a ring's descriptors, or a buffer's headers. */
	w.max_records = 1u << 26;
	if (linux_dmesg(&lk, fz_record, &w) != 0)
		fz_failed(errno);
	/*
	 * The inference scans the kernel's data word by word: some hundred
	 * times the views' cost.  Inputs whose last byte is 0xa5 run it
	 * (about one in 256 of random ones; a crash file replays the same
	 * way), and the walkers keep most of the fuzzer's time.
	 */
	if (size != 0 && data[size - 1] == 0xa5)
		fz_infer(&lk);
	return (0);
}

/* ---- for the replay driver ---- */

/* The arena offset of va (a direct-map address in the arena). */
static uint64_t
fz_user(uint64_t va)
{
	return (LS_USER_BASE + (va - LS_DIRECT - LS_ARENA_PA));
}

/* A command line in the arena, seen from user space: its start. */
static uint64_t
fz_args(struct lsynth *ls, const char *args, size_t len)
{
	uint64_t va = ls_alloc(ls, len, 1);

	if (va == 0)
		return (0);
	ls_wbytes(ls, va, args, len);
	return (fz_user(va));
}

/*
 * A well-formed small kernel of a random variant: a few processes (some
 * kernel threads), maple trees or lists of VMAs with files, modules, and
 * a kernel log that has wrapped; now and then a loop or a stray pointer
 * so that the error paths are reached before any mutation.
 */
size_t
fuzz_generate(uint64_t seed, uint8_t *buf, size_t cap)
{
	static const char *names[] = { "init", "kthreadd", "sh", "dd" };
	static const char args[] = "sh\0-c\0true\0";
	uint64_t rng = seed * 0x9E3779B97F4A7C15ULL + 1;
	unsigned variant = (unsigned)prng_below(&rng, FZ_NVARIANTS);
	struct ls_task_spec ts;
	struct lsynth ls;
	uint64_t tasks[4] = { 0 }, vmas[6], root_d, d, mnt, file, mm, a;
	unsigned ntasks, nvmas, nmods, nrecs, i, k;
	size_t used;
	char text[64];

	if (cap < 2 || ls_init(&ls, fz_variants[variant],
	    cap - 1 < FZ_ARENA ? cap - 1 : FZ_ARENA) != 0)
		return (0);
	buf[0] = (uint8_t)variant;

	/* A file: /usr/bin/sh on a /usr mount. */
	file = 0;
	if ((root_d = ls_dentry(&ls, 0, "/")) != 0 &&
	    (mnt = ls_mount(&ls, 0, 0, root_d)) != 0 &&
	    (d = ls_dentry(&ls, root_d, "bin")) != 0 &&
	    (d = ls_dentry(&ls, d, "sh")) != 0)
		file = ls_file(&ls, mnt, d);

	ntasks = 1 + (unsigned)prng_below(&rng, 4);
	for (i = 0; i < ntasks; i++) {
		mm = 0;
		if (i != 1 && (a = fz_args(&ls, args, sizeof (args) - 1)) != 0)
			mm = ls_mm(&ls, LS_KROOT_PA, 0x600000, 0x640000,
			    0x7ff000010000, a, NULL, sizeof (args) - 1);
		if (mm != 0) {
			nvmas = 1 + (unsigned)prng_below(&rng, 5);
			for (k = 0; k < nvmas; k++) {
				vmas[k] = ls_vma(&ls, 0x400000 + 0x100000 * k,
				    0x400000 + 0x100000 * k + 0x1000 *
				    (1 + prng_below(&rng, 8)),
				    prng_below(&rng, 256), k,
				    k % 2 == 0 ? file : 0);
				if (vmas[k] == 0)
					break;
			}
			(void) ls_mm_vmas(&ls, mm, vmas, k,
			    4 + (unsigned)prng_below(&rng, 13));
		}
		memset(&ts, 0, sizeof (ts));
		ts.ts_pid = ts.ts_tgid = (int)i + 1;
		ts.ts_parent = i > 0 ? tasks[0] : 0;
		ts.ts_comm = names[i];
		ts.ts_state = (uint32_t)prng_below(&rng, 0x81);
		ts.ts_uid = (uint32_t)prng_below(&rng, 2000);
		ts.ts_threads = 1 + (int)prng_below(&rng, 4);
		ts.ts_flags = i == 1 ? 0x00200000 : 0;
		ts.ts_mm = mm;
		if ((tasks[i] = ls_task(&ls, &ts)) == 0)
			break;
	}
	nmods = (unsigned)prng_below(&rng, 3);
	for (i = 0; i < nmods; i++)
		(void) ls_module(&ls, i == 0 ? "ext4" : "dummy",
		    (uint32_t)prng_below(&rng, 4), 0xffffffffc0000000ULL,
		    0x1000 * (uint32_t)(1 + i));

	nrecs = (unsigned)prng_below(&rng, 16);
	if (fz_variants[variant] & LS_F_LOGBUF) {
		if (ls_logbuf_init(&ls, 256) == 0) {
			for (i = 0; i < nrecs; i++) {
				size_t tl = (size_t)snprintf(text,
				    sizeof (text), "log %u", i);

				(void) ls_logbuf_add(&ls, i, (int)(i % 8), text,
				    tl);
			}
		}
	} else if (ls_prb_init(&ls, 2 + (unsigned)prng_below(&rng, 2), 8,
	    prng_next(&rng) >> 2) == 0) {
		for (i = 0; i < nrecs; i++) {
			size_t tl = (size_t)snprintf(text, sizeof (text),
			    "message %u", i);

			(void) ls_prb_add(&ls, i, (int)(i % 8), text,
			    i % 5 == 4 ? 0 : tl);
		}
	}

	/* Now and then a loop or a stray pointer. */
	switch (prng_below(&rng, 8)) {
	case 0:
		if (tasks[0] != 0)
			ls_w64(&ls, tasks[0] + LS_TASK_TASKS,
			    tasks[0] + LS_TASK_TASKS);
		break;
	case 1:
		if (tasks[0] != 0)
			ls_w64(&ls, tasks[0] + LS_TASK_CRED, LS_UNMAPPED);
		break;
	case 2:
		if (tasks[0] != 0)
			ls_w32(&ls, tasks[0] + LS_TASK_PID, 0x7fffffff);
		break;
	default:
		break;
	}

	used = (size_t)(ls.ls_next - ls.ls_arena);
	memcpy(buf + 1, ls.ls_mem + ls.ls_arena, used);
	ls_fini(&ls);
	return (1 + used);
}

void
fuzz_report(void)
{
	(void) fprintf(stderr, "linux_views: %lu inputs; %lu tasks, %lu "
	    "command lines, %lu VMAs (%lu with a path), %lu modules, %lu log "
	    "records; errors: %lu EIO, %lu EFAULT, %lu ELOOP, %lu ENOTSUP\n",
	    fz_stats.inputs, fz_stats.tasks, fz_stats.cmdlines, fz_stats.vmas,
	    fz_stats.named_vmas, fz_stats.modules, fz_stats.records,
	    fz_stats.eio, fz_stats.efault, fz_stats.eloop, fz_stats.enotsup);
}

bool
fuzz_meaningful(void)
{
	return (fz_stats.tasks > 0 && fz_stats.cmdlines > 0 &&
	    fz_stats.vmas > 0 && fz_stats.named_vmas > 0 &&
	    fz_stats.modules > 0 && fz_stats.records > 0 &&
	    fz_stats.eio > 0 && fz_stats.efault > 0 && fz_stats.eloop > 0);
}
