/*
 * live_linux.c - live checks of the Linux layer (guest/linux/) against
 * each running test domU, with nothing but the guest's own memory: no
 * System.map, no profile (the cache is a fresh directory).  What the
 * guest printed on its console is the reference (tests/xen/guest/).
 *
 *	linux-uname	linux_open finds the kernel; its release is the one
 *			the guest printed (GUEST-BOOTED)
 *	linux-ps	every process the guest listed itself (PROC
 *			lines) is in the process list with its name; the
 *			porthole-sleeper processes are children of init with
 *			their command lines; init and the marker are there
 *	linux-maps	the marker's pages are found by walking the marker
 *			process's VMAs through its page tables: every marker
 *			pfn the guest printed is mapped in one of them
 *	linux-lsmod	the xen_gntalloc module the guest loaded is listed
 *			(skipped when the guest has none)
 *	linux-dmesg	the line the guest wrote to /dev/kmsg is in the log
 */
#define _GNU_SOURCE
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <porthole/guest.h>
#include <porthole/linux.h>
#include "tests/xen/live/live.h"

#define	LL_PAGE		4096u

struct ll {
	struct guest		*g;
	struct linux_kernel	*lk;
	char			cache[64];
};

static int
ll_open(struct live_ctx *ctx, struct ll *l)
{
	struct linux_opts o = { .lo_size = sizeof (o) };
	char spec[160], err[512];

	memset(l, 0, sizeof (*l));
	(void) snprintf(spec, sizeof (spec), "xen:%s", ctx->lc_spec);
	(void) snprintf(l->cache, sizeof (l->cache),
	    "/tmp/porthole-live-cache-XXXXXX");
	if (mkdtemp(l->cache) == NULL)
		return (live_failf("mkdtemp: %s", strerror(errno)));
	o.lo_cache_dir = l->cache;
	if ((l->g = guest_open(spec, GUEST_OPEN_PAUSE, err,
	    sizeof (err))) == NULL)
		return (live_failf("guest_open(%s): %s", spec, err));
	if ((l->lk = linux_open(l->g, &o, err, sizeof (err))) == NULL) {
		guest_close(l->g);
		return (live_failf("linux_open(%s): %s", spec, err));
	}
	printf("kernel %s, profile from %s, KASLR offset 0x%" PRIx64 "\n",
	    linux_release(l->lk), linux_profile_source(l->lk),
	    linux_kaslr_offset(l->lk));
	return (LIVE_OK);
}

static void
ll_close(struct ll *l)
{
	char cmd[128];

	linux_close(l->lk);
	guest_close(l->g);
	(void) snprintf(cmd, sizeof (cmd), "rm -rf '%s'", l->cache);
	(void) system(cmd);
}

/* The value after "KEY " on the guest's console (last boot), or "". */
static void
console_value(struct live_ctx *ctx, const char *key, char *buf, size_t len)
{
	char line[512];
	size_t n = strlen(key);
	FILE *f;

	buf[0] = '\0';
	if ((f = fopen(ctx->lc_console, "r")) == NULL)
		return;
	while (fgets(line, sizeof (line), f) != NULL) {
		char *p = strstr(line, key);

		if (p != NULL && p[n] == ' ') {
			p += n + 1;
			p[strcspn(p, "\r\n")] = '\0';
			(void) snprintf(buf, len, "%s", p);
		}
	}
	(void) fclose(f);
}

static int
check_linux_uname(struct live_ctx *ctx)
{
	char want[128];
	struct ll l;
	int rc;

	console_value(ctx, "GUEST-BOOTED", want, sizeof (want));
	if (want[0] == '\0')
		return (live_failf("the guest printed no GUEST-BOOTED line"));
	if ((rc = ll_open(ctx, &l)) != LIVE_OK)
		return (rc);
	rc = strcmp(linux_release(l.lk), want) == 0 &&
	    strstr(linux_banner(l.lk), want) != NULL ? LIVE_OK :
	    live_failf("release '%s', banner '%s'; the guest says '%s'",
	    linux_release(l.lk), linux_banner(l.lk), want);
	ll_close(&l);
	return (rc);
}

struct ll_ps {
	struct linux_task	t[512];
	size_t			n;
};

static int
ll_ps_cb(const struct linux_task *t, void *arg)
{
	struct ll_ps *s = arg;

	if (s->n < 512)
		s->t[s->n++] = *t;
	return (0);
}

/* The guest's own process list: "PROC PID COMM" lines (last boot). */
struct ll_proc {
	int	p_pid;
	char	p_comm[64];
};

static size_t
ll_guest_procs(struct live_ctx *ctx, struct ll_proc *p, size_t max)
{
	char line[256];
	size_t n = 0;
	FILE *f;

	if ((f = fopen(ctx->lc_console, "r")) == NULL)
		return (0);
	while (fgets(line, sizeof (line), f) != NULL) {
		const char *at = strstr(line, "PROC ");

		if (strstr(line, "GUEST-BOOTED") != NULL)
			n = 0;
		if (at != NULL && n < max && sscanf(at, "PROC %d %63s",
		    &p[n].p_pid, p[n].p_comm) == 2)
			n++;
	}
	(void) fclose(f);
	return (n);
}

static const struct linux_task *
ll_ps_find(const struct ll_ps *s, int pid)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->t[i].lt_pid == pid)
			return (&s->t[i]);
	return (NULL);
}

static bool
ll_is_sleeper(const char *comm)
{
	return (strncmp(comm, "porthole-sleepe", 15) == 0);
}

/*
 * Every process the guest listed itself (PROC lines; kernel workers,
 * which come and go, aside) is in our list with its name; the sleepers
 * are children of init with their command lines; init and the marker are
 * there.
 */
static int
check_linux_ps(struct live_ctx *ctx)
{
	static struct ll_ps s;
	static struct ll_proc want[512];
	unsigned sleepers = 0, want_sleepers = 0, markers = 0;
	size_t nwant, i;
	char cmd[256];
	struct ll l;
	int rc, bad = 0;

	nwant = ll_guest_procs(ctx, want, 512);
	if (nwant == 0)
		return (live_failf("the guest printed no PROC lines"));
	if ((rc = ll_open(ctx, &l)) != LIVE_OK)
		return (rc);
	s.n = 0;
	if (linux_tasks(l.lk, ll_ps_cb, &s) != 0) {
		ll_close(&l);
		return (live_failf("linux_tasks: %s", strerror(errno)));
	}
	for (i = 0; i < nwant; i++) {
		const struct linux_task *t = ll_ps_find(&s, want[i].p_pid);

		if (ll_is_sleeper(want[i].p_comm))
			want_sleepers++;
		if (strncmp(want[i].p_comm, "kworker", 7) == 0)
			continue;
		if (t == NULL || strncmp(t->lt_comm, want[i].p_comm, 15) != 0)
			bad += live_failf("the guest's process %d (%s): %s",
			    want[i].p_pid, want[i].p_comm, t == NULL ?
			    "not in our list" : t->lt_comm);
	}
	for (i = 0; i < s.n; i++) {
		const struct linux_task *t = &s.t[i];

		if (strcmp(t->lt_comm, "marker") == 0)
			markers++;
		if (!ll_is_sleeper(t->lt_comm))
			continue;
		sleepers++;
		if (t->lt_ppid != 1 || t->lt_kthread)
			bad += live_failf("sleeper %d: ppid %d%s", t->lt_pid,
			    t->lt_ppid, t->lt_kthread ? ", a kernel thread" :
			    "");
		if (linux_task_cmdline(l.lk, t->lt_pid, cmd, sizeof (cmd)) < 0 ||
		    strncmp(cmd, "/bin/porthole-sleeper ", 22) != 0)
			bad += live_failf("sleeper %d: command line '%s'",
			    t->lt_pid, cmd);
	}
	printf("%zu processes (the guest listed %zu), %u sleepers (the guest "
	    "listed %u), %u marker\n", s.n, nwant, sleepers, want_sleepers,
	    markers);
	if (ll_ps_find(&s, 1) == NULL || markers != 1 || sleepers == 0 ||
	    sleepers != want_sleepers)
		bad += live_failf("init %s, %u sleepers (guest: %u), %u marker",
		    ll_ps_find(&s, 1) != NULL ? "found" : "missing", sleepers,
		    want_sleepers, markers);
	ll_close(&l);
	return (bad == 0 ? LIVE_OK : LIVE_FAIL);
}

struct ll_maps {
	struct linux_vma	v[256];
	size_t			n;
};

static int
ll_maps_cb(const struct linux_vma *v, void *arg)
{
	struct ll_maps *s = arg;

	if (s->n < 256)
		s->v[s->n++] = *v;
	return (0);
}

static int
ll_find_pid(struct linux_kernel *lk, const char *comm)
{
	static struct ll_ps s;
	size_t i;

	s.n = 0;
	if (linux_tasks(lk, ll_ps_cb, &s) != 0)
		return (-1);
	for (i = 0; i < s.n; i++)
		if (strcmp(s.t[i].lt_comm, comm) == 0)
			return (s.t[i].lt_pid);
	return (-1);
}

static int
check_linux_maps(struct live_ctx *ctx)
{
	struct live_marker m[LIVE_MAX_MARKERS];
	static struct ll_maps s;
	bool found[LIVE_MAX_MARKERS] = { false }, done;
	unsigned char page[LL_PAGE];
	struct guest_space sp;
	size_t nm, i, k, nfound = 0;
	struct ll l;
	int rc, pid, bad = 0;

	if (live_parse_markers(ctx->lc_console, m, &nm, &done) < 0 || !done)
		return (live_failf("no complete marker list on the console"));
	if ((rc = ll_open(ctx, &l)) != LIVE_OK)
		return (rc);
	if ((pid = ll_find_pid(l.lk, "marker")) < 0) {
		ll_close(&l);
		return (live_failf("no marker process"));
	}
	s.n = 0;
	if (linux_vmas(l.lk, pid, ll_maps_cb, &s) != 0 ||
	    linux_task_space(l.lk, pid, &sp) != 0) {
		ll_close(&l);
		return (live_failf("marker %d: VMAs or space: %s", pid,
		    strerror(errno)));
	}
	for (i = 0; i < s.n; i++) {
		uint64_t va;

		printf("%016" PRIx64 "-%016" PRIx64 " %c%c%c %s\n",
		    s.v[i].lv_start, s.v[i].lv_end,
		    (s.v[i].lv_prot & LINUX_VMA_READ) ? 'r' : '-',
		    (s.v[i].lv_prot & LINUX_VMA_WRITE) ? 'w' : '-',
		    (s.v[i].lv_prot & LINUX_VMA_EXEC) ? 'x' : '-',
		    s.v[i].lv_file);
		if (s.v[i].lv_end - s.v[i].lv_start > ((uint64_t)64 << 20))
			continue;
		for (va = s.v[i].lv_start; va < s.v[i].lv_end; va += LL_PAGE) {
			struct guest_v2p v;

			if (guest_v2p(l.g, &sp, va, &v) != 0 ||
			    v.v_fault.gf_errno != 0)
				continue;
			for (k = 0; k < nm; k++)
				if (!found[k] && v.v_pa / LL_PAGE ==
				    m[k].m_pfn && guest_vread(l.g, &sp, va,
				    page, LL_PAGE, NULL) == LL_PAGE &&
				    live_marker_ok(&m[k], page,
				    "through the marker's VMAs")) {
					found[k] = true;
					nfound++;
				}
		}
	}
	if (nfound != nm)
		bad += live_failf("%zu of %zu marker pages found in the "
		    "marker's %zu VMAs", nfound, nm, s.n);
	else
		printf("all %zu marker pages found in %zu VMAs\n", nm, s.n);
	ll_close(&l);
	return (bad == 0 ? LIVE_OK : LIVE_FAIL);
}

struct ll_mods {
	unsigned	n;
	bool		gntalloc;
};

static int
ll_mod_cb(const struct linux_module *m, void *arg)
{
	struct ll_mods *s = arg;

	s->n++;
	if (strcmp(m->lm_name, "xen_gntalloc") == 0 && m->lm_base != 0 &&
	    m->lm_size > 0)
		s->gntalloc = true;
	printf("module %s base 0x%" PRIx64 " size %" PRIu64 "\n",
	    m->lm_name, m->lm_base, m->lm_size);
	return (0);
}

static int
check_linux_lsmod(struct live_ctx *ctx)
{
	struct ll_mods s = { 0, false };
	char line[256];
	struct ll l;
	int rc;

	console_value(ctx, "GRANTS-UNAVAILABLE", line, sizeof (line));
	if ((rc = ll_open(ctx, &l)) != LIVE_OK)
		return (rc);
	if (linux_modules(l.lk, ll_mod_cb, &s) != 0)
		rc = live_failf("linux_modules: %s", strerror(errno));
	else if (!s.gntalloc && line[0] != '\0')
		rc = live_skip("the guest loaded no xen_gntalloc module");
	else if (!s.gntalloc)
		rc = live_failf("%u modules, xen_gntalloc not among them", s.n);
	ll_close(&l);
	return (rc);
}

struct ll_log {
	const char	*want;
	size_t		n;
	bool		found;
};

static int
ll_log_cb(const struct linux_log_record *r, void *arg)
{
	struct ll_log *s = arg;

	s->n++;
	if (strstr(r->lr_text, s->want) != NULL)
		s->found = true;
	return (0);
}

static int
check_linux_dmesg(struct live_ctx *ctx)
{
	char want[128];
	struct ll_log s = { want, 0, false };
	struct ll l;
	int rc;

	console_value(ctx, "KMSG-MARKER", want, sizeof (want));
	if (want[0] == '\0')
		return (live_failf("the guest printed no KMSG-MARKER line"));
	if ((rc = ll_open(ctx, &l)) != LIVE_OK)
		return (rc);
	if (linux_dmesg(l.lk, ll_log_cb, &s) != 0)
		rc = live_failf("linux_dmesg: %s", strerror(errno));
	else if (!s.found)
		rc = live_failf("%zu records; '%s' not among them", s.n, want);
	else
		printf("%zu log records, the guest's line among them\n", s.n);
	ll_close(&l);
	return (rc);
}

const struct live_check live_linux_checks[] = {
	{ "linux-uname", "the kernel found, its release the guest's",
	    check_linux_uname },
	{ "linux-ps", "init, three sleepers and the marker, command lines",
	    check_linux_ps },
	{ "linux-maps", "marker pages found through the marker's VMAs",
	    check_linux_maps },
	{ "linux-lsmod", "the xen_gntalloc module the guest loaded",
	    check_linux_lsmod },
	{ "linux-dmesg", "the guest's /dev/kmsg line is in the log",
	    check_linux_dmesg },
	{ NULL, NULL, NULL }
};
