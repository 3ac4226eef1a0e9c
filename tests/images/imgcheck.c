/*
 * imgcheck.c -- porthole's guest and Linux layers against a real memory
 * image and what the guest said about itself (its manifest, see
 * tests/images/README.md).
 *
 * Usage: imgcheck MANIFEST IMAGE KIND
 *
 * Prints TAP lines ("ok N - KIND/check", "not ok N - KIND/check: why",
 * "ok N - KIND/check # SKIP why") and exits 0 when every check passed,
 * 1 when one failed, 77 when none failed but some could not run (the
 * structure views on a kernel without BTF), 2 on bad usage.
 * Checks, each against the manifest:
 *	open		the format is detected from the contents
 *	phys-markers	every marker page, read physically, holds its text
 *	vcpus		(images with notes) the vCPU count; each vCPU's
 *			kernel space has the guest's paging mode
 *	linux		release, banner and KASLR offset found with no profile
 *	ps		every ph-* process and init: pid, ppid, uid, threads,
 *			state, name; every process of the manifest is listed
 *	cmdline		the ph-* processes' command lines
 *	v2p-markers	each marker's virtual address, through its process's
 *			page tables, is its physical address; read virtually
 *			it holds its text
 *	maps		the marker process's memory maps, one for one
 *	modules		name, size and base of every module
 *	dmesg		the line the guest wrote to /dev/kmsg is in the log
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <porthole/guest.h>
#include <porthole/linux.h>
#include "tests/images/manifest.h"

#define	PAGE		4096u
#define	MAXN		MANIFEST_MAX
#define	LINE		1024

static struct manifest man;

static const char *kind;
static unsigned ntest, nfail, nskip;
/* Why the structure views cannot run ("" when they can). */
static char views_skip[1024];

/*
 * The page compression of a kdump kind ("kdump-lzo", "kdump-zlib-flat")
 * when this build cannot read it, else NULL: its images then say
 * ENOTSUP on open, which is a SKIP here, not a failure.
 */
static const char *
build_lacks(void)
{
	static const struct {
		const char	*name;
		bool		have;
	} comp[] = {
#ifdef HAVE_ZLIB
		{ "zlib", true },
#else
		{ "zlib", false },
#endif
#ifdef HAVE_LZO
		{ "lzo", true },
#else
		{ "lzo", false },
#endif
#ifdef HAVE_SNAPPY
		{ "snappy", true },
#else
		{ "snappy", false },
#endif
#ifdef HAVE_ZSTD
		{ "zstd", true },
#else
		{ "zstd", false },
#endif
	};
	size_t i, n;

	if (strncmp(kind, "kdump-", 6) != 0)
		return (NULL);
	for (i = 0; i < sizeof (comp) / sizeof (comp[0]); i++) {
		n = strlen(comp[i].name);
		if (!comp[i].have && strncmp(kind + 6, comp[i].name, n) == 0 &&
		    (kind[6 + n] == '\0' || kind[6 + n] == '-'))
			return (comp[i].name);
	}
	return (NULL);
}

/* A check that cannot run on this image: TAP's SKIP directive. */
static bool
skipped(const char *check)
{
	if (views_skip[0] == '\0')
		return (false);
	ntest++;
	nskip++;
	printf("ok %u - %s/%s # SKIP %s\n", ntest, kind, check, views_skip);
	return (true);
}

static void
result(bool ok, const char *check, const char *fmt, ...)
{
	va_list ap;

	ntest++;
	if (ok) {
		printf("ok %u - %s/%s\n", ntest, kind, check);
		return;
	}
	nfail++;
	printf("not ok %u - %s/%s: ", ntest, kind, check);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

/* The marker page: its text and "|", repeated. */
static bool
marker_page_ok(const unsigned char *page, const char *text)
{
	size_t n = strlen(text), i;

	for (i = 0; i < PAGE; i++) {
		char want = (i % (n + 1)) == n ? '|' : text[i % (n + 1)];

		if (page[i] != (unsigned char)want)
			return (false);
	}
	return (true);
}

static const char *
expected_format(void)
{
	if (strcmp(kind, "elf") == 0)
		return ("qemu-elf");
	if (strcmp(kind, "raw") == 0)
		return ("raw");
	if (strstr(kind, "-flat") != NULL)
		return ("kdump-flat");
	return ("kdump");
}

static void
check_phys(struct guest *g)
{
	unsigned char page[PAGE];
	size_t i, bad = 0;

	for (i = 0; i < man.nmarker; i++)
		if (guest_pread(g, man.marker[i].pa, page, PAGE, NULL) !=
		    PAGE || !marker_page_ok(page, man.marker[i].text))
			bad++;
	result(man.nmarker > 0 && bad == 0, "phys-markers",
	    "%zu of %zu marker pages wrong", bad, man.nmarker);
}

static enum guest_paging
expected_paging(void)
{
	if (strcmp(man.paging, "5-level") == 0)
		return (GUEST_PAGING_5LEVEL);
	if (strcmp(man.paging, "PAE") == 0)
		return (GUEST_PAGING_PAE);
	return (GUEST_PAGING_4LEVEL);
}

static void
check_vcpus(struct guest *g)
{
	unsigned i, n = guest_nvcpus(g), bad = 0;
	struct guest_space sp;

	if (strcmp(kind, "raw") == 0) {
		result(n == 0, "vcpus", "a raw image reports %u vCPUs", n);
		return;
	}
	for (i = 0; i < n; i++)
		if (guest_space_vcpu(g, i, true, &sp) != 0 ||
		    sp.gs_mode != expected_paging())
			bad++;
	result(n == man.vcpus && bad == 0, "vcpus",
	    "%u vCPUs (manifest %u), %u without %s paging", n, man.vcpus, bad,
	    man.paging);
}

struct ps_seen {
	struct linux_task t[4 * MAXN];
	size_t	n;
};

static int
ps_cb(const struct linux_task *t, void *arg)
{
	struct ps_seen *s = arg;

	if (s->n < sizeof (s->t) / sizeof (s->t[0]))
		s->t[s->n++] = *t;
	return (0);
}

static const struct linux_task *
ps_find(const struct ps_seen *s, int pid)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->t[i].lt_pid == pid)
			return (&s->t[i]);
	return (NULL);
}

static bool
ours(const struct manifest_proc *p)
{
	return (strncmp(p->comm, "ph-", 3) == 0 || p->pid == 1);
}

static void
check_ps(struct linux_kernel *lk)
{
	static struct ps_seen s;
	size_t i, missing = 0, wrong = 0;
	char why[512] = "";

	s.n = 0;
	if (linux_tasks(lk, ps_cb, &s) != 0) {
		/* No structure layouts: the views cannot run at all. */
		if (errno == ENOTSUP) {
#ifdef HAVE_LIBBPF
			(void) snprintf(views_skip, sizeof (views_skip), "the "
			    "kernel's structure layouts are unknown (no BTF in "
			    "this kernel; pass a vmlinux with BTF)");
#else
			(void) snprintf(views_skip, sizeof (views_skip), "the "
			    "kernel's structure layouts are unknown (this "
			    "build has no libbpf, so it reads no BTF)");
#endif
			(void) skipped("ps");
			return;
		}
		result(false, "ps", "linux_tasks: %s", strerror(errno));
		return;
	}
	for (i = 0; i < man.nproc; i++) {
		const struct manifest_proc *p = &man.proc[i];
		const struct linux_task *t = ps_find(&s, p->pid);
		size_t cl = strcspn(p->comm, "-");

		if (t == NULL) {
			/* Kernel workers may come and go. */
			if (ours(p))
				missing++;
			continue;
		}
		/* /proc appends a kworker's workqueue to its name. */
		if (strncmp(p->comm, "kworker", 7) != 0)
			cl = strlen(p->comm);
		if (cl > 15)
			cl = 15;
		if (t->lt_ppid != p->ppid || strncmp(t->lt_comm, p->comm, cl) ||
		    (ours(p) && (t->lt_uid != p->uid ||
		    (int)t->lt_threads != p->threads || t->lt_state !=
		    p->state))) {
			wrong++;
			(void) snprintf(why, sizeof (why), "pid %d: ppid %d uid %u "
			    "threads %u state %c comm %s; manifest %d %u %d %c %s",
			    p->pid, t->lt_ppid, t->lt_uid, t->lt_threads,
			    t->lt_state, t->lt_comm, p->ppid, p->uid, p->threads,
			    p->state, p->comm);
		}
	}
	result(s.n >= man.nproc / 2 && missing == 0 && wrong == 0, "ps",
	    "%zu listed, %zu of ours missing, %zu wrong (%s)", s.n, missing,
	    wrong, why);
}

static void
check_cmdline(struct linux_kernel *lk)
{
	size_t i, n = 0, bad = 0;
	char buf[256], why[512] = "";

	if (skipped("cmdline"))
		return;

	for (i = 0; i < man.nproc; i++) {
		const struct manifest_proc *p = &man.proc[i];

		if (strncmp(p->comm, "ph-", 3) != 0)
			continue;
		n++;
		if (linux_task_cmdline(lk, p->pid, buf, sizeof (buf)) < 0 ||
		    strcmp(buf, p->cmdline) != 0) {
			bad++;
			(void) snprintf(why, sizeof (why), "pid %d: '%s' vs '%s'",
			    p->pid, buf, p->cmdline);
		}
	}
	result(n > 0 && bad == 0, "cmdline", "%zu of %zu wrong (%s)", bad, n,
	    why);
}

static void
check_v2p(struct guest *g, struct linux_kernel *lk)
{
	unsigned char page[PAGE];
	size_t i, bad = 0;
	char why[256] = "";

	if (skipped("v2p-markers"))
		return;

	for (i = 0; i < man.nmarker; i++) {
		const struct manifest_marker *m = &man.marker[i];
		struct guest_space sp;
		struct guest_v2p v;

		if (linux_task_space(lk, m->pid, &sp) != 0 ||
		    guest_v2p(g, &sp, m->va, &v) != 0 ||
		    v.v_fault.gf_errno != 0 || v.v_pa != m->pa ||
		    guest_vread(g, &sp, m->va, page, PAGE, NULL) != PAGE ||
		    !marker_page_ok(page, m->text)) {
			bad++;
			(void) snprintf(why, sizeof (why), "marker 0x%" PRIx64
			    " of pid %d", m->va, m->pid);
		}
	}
	result(man.nmarker > 0 && bad == 0, "v2p-markers",
	    "%zu of %zu wrong (%s)", bad, man.nmarker, why);
}

struct maps_seen {
	struct linux_vma v[MAXN];
	size_t	n;
};

static int
maps_cb(const struct linux_vma *v, void *arg)
{
	struct maps_seen *s = arg;

	if (s->n < MAXN)
		s->v[s->n++] = *v;
	return (0);
}

static void
check_maps(struct linux_kernel *lk)
{
	static struct maps_seen s;
	size_t i, bad = 0;
	char why[512] = "";
	int pid;

	if (skipped("maps"))
		return;

	if (man.nmap == 0) {
		result(false, "maps", "the manifest lists no maps");
		return;
	}
	pid = man.map[0].pid;
	s.n = 0;
	if (linux_vmas(lk, pid, maps_cb, &s) != 0) {
		result(false, "maps", "linux_vmas(%d): %s", pid,
		    strerror(errno));
		return;
	}
	for (i = 0; i < man.nmap && i < s.n; i++) {
		const struct manifest_map *m = &man.map[i];
		const struct linux_vma *v = &s.v[i];
		char perms[5];

		perms[0] = (v->lv_prot & LINUX_VMA_READ) ? 'r' : '-';
		perms[1] = (v->lv_prot & LINUX_VMA_WRITE) ? 'w' : '-';
		perms[2] = (v->lv_prot & LINUX_VMA_EXEC) ? 'x' : '-';
		perms[3] = (v->lv_prot & LINUX_VMA_SHARED) ? 's' : 'p';
		perms[4] = '\0';
		if (v->lv_start != m->start || v->lv_end != m->end ||
		    strcmp(perms, m->perms) != 0 ||
		    v->lv_pgoff * PAGE != m->off ||
		    strcmp(v->lv_file, m->path) != 0) {
			bad++;
			(void) snprintf(why, sizeof (why), "%" PRIx64 "-%" PRIx64
			    " %s %" PRIx64 " '%s' vs %" PRIx64 "-%" PRIx64
			    " %s %" PRIx64 " '%s'", v->lv_start, v->lv_end,
			    perms, v->lv_pgoff * PAGE, v->lv_file, m->start,
			    m->end, m->perms, m->off, m->path);
		}
	}
	result(s.n == man.nmap && bad == 0, "maps",
	    "%zu maps (manifest %zu), %zu differ (%s)", s.n, man.nmap, bad,
	    why);
}

struct mod_seen {
	struct linux_module m[MAXN];
	size_t	n;
};

static int
mod_cb(const struct linux_module *m, void *arg)
{
	struct mod_seen *s = arg;

	if (s->n < MAXN)
		s->m[s->n++] = *m;
	return (0);
}

static void
check_modules(struct linux_kernel *lk)
{
	static struct mod_seen s;
	size_t i, j, bad = 0;
	char why[256] = "";

	if (skipped("modules"))
		return;

	s.n = 0;
	if (linux_modules(lk, mod_cb, &s) != 0) {
		result(false, "modules", "linux_modules: %s", strerror(errno));
		return;
	}
	for (i = 0; i < man.nmodule; i++) {
		const struct manifest_module *w = &man.module[i];
		bool found = false;

		for (j = 0; j < s.n; j++)
			if (strcmp(s.m[j].lm_name, w->name) == 0)
				found = s.m[j].lm_base == w->addr &&
				    s.m[j].lm_size <= w->size &&
				    s.m[j].lm_size > 0;
		if (!found) {
			bad++;
			(void) snprintf(why, sizeof (why), "%s", w->name);
		}
	}
	result(man.nmodule > 0 && s.n == man.nmodule && bad == 0, "modules",
	    "%zu listed (manifest %zu), %zu wrong or missing (%s)", s.n,
	    man.nmodule, bad, why);
}

struct dmesg_seen {
	bool	found;
	size_t	n;
};

static int
dmesg_cb(const struct linux_log_record *r, void *arg)
{
	struct dmesg_seen *s = arg;

	s->n++;
	if (strstr(r->lr_text, man.dmesg) != NULL)
		s->found = true;
	return (0);
}

static void
check_dmesg(struct linux_kernel *lk)
{
	struct dmesg_seen s = { false, 0 };

	if (linux_dmesg(lk, dmesg_cb, &s) != 0) {
		result(false, "dmesg", "linux_dmesg: %s", strerror(errno));
		return;
	}
	result(man.dmesg[0] != '\0' && s.found, "dmesg",
	    "%zu records, '%s' not among them", s.n, man.dmesg);
}

int
main(int argc, char **argv)
{
	char err[512];
	struct linux_kernel *lk;
	struct guest *g;

	if (argc != 4) {
		fprintf(stderr, "usage: imgcheck MANIFEST IMAGE KIND\n");
		return (2);
	}
	kind = argv[3];
	if (!manifest_read(argv[1], &man)) {
		fprintf(stderr, "imgcheck: %s: %s\n", argv[1], strerror(errno));
		return (2);
	}
	if ((g = guest_open(argv[2], 0, err, sizeof (err))) == NULL) {
		const char *lacks = errno == ENOTSUP ? build_lacks() : NULL;

		if (lacks != NULL) {
			(void) snprintf(views_skip, sizeof (views_skip), "this "
			    "build has no %s (configure found none for its "
			    "compiler): %s", lacks, err);
			(void) skipped("open");
			printf("1..%u\n", ntest);
			return (77);
		}
		result(false, "open", "%s", err);
		printf("1..%u\n", ntest);
		return (1);
	}
	result(strcmp(guest_format(g), expected_format()) == 0, "open",
	    "format %s, expected %s", guest_format(g), expected_format());
	check_phys(g);
	check_vcpus(g);
	if ((lk = linux_open(g, NULL, err, sizeof (err))) == NULL) {
		result(false, "linux", "%s", err);
	} else {
		result(strcmp(linux_release(lk), man.release) == 0 &&
		    strncmp(linux_banner(lk), man.banner,
		    strlen(man.banner)) == 0 &&
		    linux_kaslr_offset(lk) == man.kaslr, "linux",
		    "release '%s', kaslr 0x%" PRIx64 " (manifest '%s', 0x%"
		    PRIx64 "), from %s", linux_release(lk),
		    linux_kaslr_offset(lk), man.release, man.kaslr,
		    linux_profile_source(lk));
		check_ps(lk);
		check_cmdline(lk);
		check_v2p(g, lk);
		check_maps(lk);
		check_modules(lk);
		check_dmesg(lk);
		linux_close(lk);
	}
	guest_close(g);
	printf("1..%u\n", ntest);
	/* 77: nothing failed but some checks could not run. */
	return (nfail != 0 ? 1 : nskip != 0 ? 77 : 0);
}
