/*
 * xenlive - porthole's live checks against a running Xen domain.
 *
 * Runs in dom0 (root), driven by run-live.sh.  Each subcommand checks one
 * thing through porthole's xen/ layer and exits 0 when it holds, 1 when it
 * does not (saying why on stderr), 2 on bad usage:
 *
 *	list				domains and their names
 *	info DOMAIN			id, name, type, memory, max gpfn, vcpus
 *	resolve DOMAIN			the domid DOMAIN (name, id, UUID) names
 *	pause DOMAIN / unpause DOMAIN
 *	read DOMAIN PFN [COUNT]		first bytes of guest pages
 *	markers DOMAIN CONSOLE_LOG	the marker pages the guest printed hold
 *					the text it printed
 *	dumpcmp DOMAIN CORE		every page of an `xl dump-core` file
 *					equals what porthole's mappings of
 *					the paused domain show (seg_kpm over
 *					the live provider, and a seg_mf view)
 *	core-info CORE			what an xc-core file says about itself
 *	noperm DOMAIN			an unprivileged process is refused
 *					with a clear message
 *	checks [-v]			the names of the registered checks
 *	check NAME DOMAIN CONSOLE_LOG	run one registered check (live.h):
 *					exit 0 holds, 1 fails, 77 skipped
 */
#define _GNU_SOURCE
#include "config.h"

#include <errno.h>
#include <execinfo.h>
#include <grp.h>
#include <signal.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <porthole/as.h>
#include <porthole/physmem.h>
#include <porthole/physwin.h>
#include "seg_mf/physmem_live.h"
#include "seg_mf/seg_mf.h"
#include "xen/xc_core.h"
#include "xen/xen_domain.h"
#include "xen/xen_err.h"
#include "xen/xen_physmem.h"
#include "tests/xen/live/live.h"

#define LIVE_NOBODY	65534

const char *live_prog = "xenlive";

static int
cmd_list(void)
{
	struct xen_handle *xh;
	struct xen_domain_info di;
	struct xen_err err;
	uint32_t ids[256];
	size_t n, i;

	xen_err_clear(&err);
	xh = xen_open(&err);
	if (xh == NULL)
		return live_fail(&err, "opening Xen");
	if (xen_domain_list(xh, ids, 256, &n, &err) < 0) {
		xen_close(xh);
		return live_fail(&err, "listing domains");
	}
	if (n > 256)
		n = 256;
	printf("%-6s %-24s %-4s %10s %5s\n", "ID", "NAME", "TYPE", "MEM(KiB)",
	    "VCPUS");
	for (i = 0; i < n; i++) {
		if (xen_domain_info(xh, ids[i], &di, &err) < 0)
			continue;
		printf("%-6" PRIu32 " %-24s %-4s %10" PRIu64 " %5u\n",
		    di.di_domid, di.di_name, xen_domain_type_name(di.di_type),
		    di.di_tot_pages * 4, di.di_vcpus);
	}
	xen_close(xh);
	return LIVE_OK;
}

static int
cmd_info(const char *spec)
{
	struct xen_handle *xh;
	struct xen_domain_info di;
	struct xen_err err;
	uint32_t domid;
	int rc;

	if ((rc = live_attach(spec, &xh, &domid)) != LIVE_OK)
		return rc;
	xen_err_clear(&err);
	if (xen_domain_info(xh, domid, &di, &err) < 0) {
		xen_close(xh);
		return live_fail(&err, "domain info");
	}
	printf("id=%" PRIu32 " name=%s uuid=%s type=%s tot_pages=%" PRIu64
	    " max_kib=%" PRIu64 " max_gpfn=0x%" PRIx64 " vcpus=%u online=%u"
	    " paused=%d\n", di.di_domid, di.di_name[0] ? di.di_name : "-",
	    di.di_uuid, xen_domain_type_name(di.di_type), di.di_tot_pages,
	    di.di_max_kib, di.di_max_gpfn, di.di_vcpus, di.di_online_vcpus,
	    di.di_paused);
	xen_close(xh);
	return LIVE_OK;
}

static int
cmd_resolve(const char *spec)
{
	struct xen_handle *xh;
	uint32_t domid;
	int rc;

	if ((rc = live_attach(spec, &xh, &domid)) != LIVE_OK)
		return rc;
	printf("%" PRIu32 "\n", domid);
	xen_close(xh);
	return LIVE_OK;
}

static int
cmd_pause(const char *spec, bool pause)
{
	struct xen_handle *xh;
	struct xen_err err;
	uint32_t domid;
	int rc;

	if ((rc = live_attach(spec, &xh, &domid)) != LIVE_OK)
		return rc;
	xen_err_clear(&err);
	rc = pause ? xen_domain_pause(xh, domid, &err) :
	    xen_domain_unpause(xh, domid, &err);
	xen_close(xh);
	if (rc < 0)
		return live_fail(&err, pause ? "pause" : "unpause");
	return LIVE_OK;
}

static int
cmd_read(const char *spec, const char *pfnstr, const char *countstr)
{
	struct xen_handle *xh;
	struct xen_physmem *pm;
	struct xen_err err;
	uint64_t pfns[16];
	int errs[16];
	unsigned char *buf;
	size_t count, i;
	ssize_t failed;
	int rc;

	count = countstr != NULL ? strtoul(countstr, NULL, 0) : 1;
	if (count == 0 || count > 16) {
		fprintf(stderr, "%s: read: COUNT must be 1..16\n", live_prog);
		return LIVE_USAGE;
	}
	for (i = 0; i < count; i++)
		pfns[i] = strtoull(pfnstr, NULL, 0) + i;
	if ((rc = live_bind(spec, &xh, &pm, NULL)) != LIVE_OK)
		return rc;
	buf = malloc(count * XEN_PAGE_SIZE);
	if (buf == NULL) {
		xen_physmem_close(pm);
		xen_close(xh);
		return LIVE_FAIL;
	}
	xen_err_clear(&err);
	failed = xen_physmem_read_pages(pm, pfns, count, buf, errs, &err);
	if (failed < 0) {
		rc = live_fail(&err, "read");
	} else {
		for (i = 0; i < count; i++) {
			printf("pfn 0x%" PRIx64 ": ", pfns[i]);
			if (errs[i] != 0)
				printf("unreadable (%s)", strerror(errs[i]));
			else
				live_show_bytes(buf + i * XEN_PAGE_SIZE, 64);
			putchar('\n');
		}
		rc = failed > 0 ? LIVE_FAIL : LIVE_OK;
	}
	free(buf);
	xen_physmem_close(pm);
	xen_close(xh);
	return rc;
}

static int
cmd_markers(const char *spec, const char *log, bool verbose)
{
	struct live_marker m[LIVE_MAX_MARKERS];
	unsigned char page[XEN_PAGE_SIZE];
	struct xen_handle *xh;
	struct xen_physmem *pm;
	struct xen_err err;
	size_t n, i, bad = 0;
	bool done;
	int perr, rc;

	if (live_parse_markers(log, m, &n, &done) < 0)
		return LIVE_FAIL;
	if (n == 0 || !done) {
		fprintf(stderr, "%s: %s has %s\n", live_prog, log, n == 0 ?
		    "no MARKER lines" : "no MARKERS-DONE line");
		return LIVE_FAIL;
	}
	if ((rc = live_bind(spec, &xh, &pm, NULL)) != LIVE_OK)
		return rc;
	for (i = 0; i < n; i++) {
		xen_err_clear(&err);
		if (xen_physmem_read_pages(pm, &m[i].m_pfn, 1, page, &perr,
		    &err) != 0) {
			fprintf(stderr, "marker %u pfn=0x%" PRIx64 ": %s\n",
			    m[i].m_index, m[i].m_pfn, xen_err_msg(&err));
			bad++;
			continue;
		}
		if (!live_marker_ok(&m[i], page, "a privcmd read")) {
			bad++;
			continue;
		}
		if (verbose) {
			printf("marker %u at pfn 0x%" PRIx64 ": \"",
			    m[i].m_index, m[i].m_pfn);
			live_show_bytes(page, 48);
			printf("...\" (whole page matches)\n");
		}
	}
	printf("%zu of %zu marker pages match\n", n - bad, n);
	xen_physmem_close(pm);
	xen_close(xh);
	return bad == 0 ? LIVE_OK : LIVE_FAIL;
}

static int
cmd_core_info(const char *path)
{
	const struct xc_core_info *ci;
	struct xc_core *core;
	struct xen_err err;
	uint64_t pfn, gmfn;

	xen_err_clear(&err);
	core = xc_core_open(path, &err);
	if (core == NULL)
		return live_fail(&err, "core file");
	ci = xc_core_info(core);
	printf("kind=%s pages=%" PRIu64 " page_size=%" PRIu64 " vcpus=%" PRIu64
	    " xen=%" PRIu64 ".%" PRIu64 "%s format=%" PRIu64 "\n",
	    ci->ci_hvm ? "hvm" : "pv", ci->ci_nr_pages, ci->ci_page_size,
	    ci->ci_nr_vcpus, ci->ci_xen_major, ci->ci_xen_minor,
	    ci->ci_xen_extra, ci->ci_format_version);
	if (ci->ci_nr_pages > 0 &&
	    xc_core_page_pfn(core, 0, &pfn, &gmfn, &err) == 0)
		printf("first page: pfn=0x%" PRIx64 " gmfn=0x%" PRIx64 "\n",
		    pfn, gmfn);
	xc_core_close(core);
	return LIVE_OK;
}

/* What one read path saw of the dump's pages. */
struct dumpcmp_path {
	const char	*dp_name;
	uint64_t	dp_compared, dp_differ, dp_unreadable;
	double		dp_secs;
};

/* Compare ours (len == XEN_PAGE_SIZE when read) with the dump's page. */
static void
dumpcmp_page(struct dumpcmp_path *dp, uint64_t pfn, const unsigned char *ours,
    size_t len, int err, const unsigned char *page)
{
	if (len != XEN_PAGE_SIZE) {
		if (dp->dp_unreadable++ < 5)
			fprintf(stderr, "pfn 0x%" PRIx64 ": unreadable through "
			    "%s: %s\n", pfn, dp->dp_name, strerror(err));
		return;
	}
	dp->dp_compared++;
	if (memcmp(page, ours, XEN_PAGE_SIZE) != 0 && dp->dp_differ++ < 5)
		fprintf(stderr, "pfn 0x%" PRIx64 ": %s differs from the dump\n",
		    pfn, dp->dp_name);
}

/*
 * Every page of an `xl dump-core` of the paused domain against porthole's
 * own mapping path, twice: seg_kpm over the live physical-memory provider
 * (physwin, as the guest layer reads physical memory), and one seg_mf
 * list view of the dump's pfns in the dump's order (klusters of 1024).
 */
static int
cmd_dumpcmp(const char *spec, const char *path)
{
	struct dumpcmp_path kpm = { .dp_name = "seg_kpm over the live provider" };
	struct dumpcmp_path view = { .dp_name = "a seg_mf view" };
	struct dumpcmp_path *dps[2] = { &kpm, &view };
	const struct xc_core_info *ci;
	struct xen_handle *xh = NULL;
	struct xen_physmem *pm = NULL;
	struct physmem *live = NULL;
	struct physwin *pw = NULL;
	struct physwin_opts o;
	struct segmf_crargs a;
	struct segmf_stats st;
	struct as *as = NULL;
	struct xen_domain_info di;
	struct xc_core *core;
	struct xen_err err;
	uint32_t domid;
	uint64_t *pfns = NULL, *vgfns = NULL, total, padding = 0, i;
	unsigned char page[XEN_PAGE_SIZE], ours[XEN_PAGE_SIZE];
	unsigned char *vbase = NULL;
	void *addr;
	size_t got, d;
	int rc, rerr;
	double t0;

	xen_err_clear(&err);
	core = xc_core_open(path, &err);
	if (core == NULL)
		return live_fail(&err, "core file");
	ci = xc_core_info(core);
	total = ci->ci_nr_pages;
	if (ci->ci_page_size != XEN_PAGE_SIZE || total == 0 ||
	    total > SIZE_MAX / XEN_PAGE_SIZE) {
		fprintf(stderr, "%s: %s: %" PRIu64 " pages of %" PRIu64
		    " bytes: nothing to compare\n", live_prog, path, total,
		    ci->ci_page_size);
		rc = LIVE_FAIL;
		goto out;
	}
	if ((rc = live_bind(spec, &xh, &pm, &domid)) != LIVE_OK)
		goto out;
	rc = LIVE_FAIL;
	if (xen_domain_info(xh, domid, &di, &err) < 0) {
		live_fail(&err, "domain info");
		goto out;
	}
	if (!di.di_paused) {
		fprintf(stderr, "%s: domain %s is running: pause it first "
		    "(xenlive pause) so the dump and the read see the same "
		    "memory\n", live_prog, spec);
		goto out;
	}
	if ((pfns = calloc((size_t)total, sizeof(*pfns))) == NULL) {
		fprintf(stderr, "%s: out of memory\n", live_prog);
		goto out;
	}
	if ((vgfns = calloc((size_t)total, sizeof(*vgfns))) == NULL) {
		fprintf(stderr, "%s: out of memory\n", live_prog);
		goto out;
	}
	for (i = 0; i < total; i++) {
		if (xc_core_page_pfn(core, i, &pfns[i], NULL, &err) < 0) {
			live_fail(&err, "core file");
			goto out;
		}
		/* xl's zero filler names no frame: never read, so the
		 * view shows frame 0 there. */
		if (pfns[i] == XC_CORE_PADDING_PFN)
			padding++;
		else
			vgfns[i] = pfns[i];
	}

	/* The two windows. */
	if ((as = as_alloc(0)) == NULL || (live = physmem_live_open(pm)) ==
	    NULL) {
		fprintf(stderr, "%s: %s\n", live_prog, strerror(errno));
		goto out;
	}
	memset(&o, 0, sizeof(o));
	o.po_size = sizeof(o);
	o.po_mode = PHYSWIN_KPM;
	if ((pw = physwin_open(as, live, &o)) == NULL) {
		fprintf(stderr, "%s: physwin over the live provider: %s\n",
		    live_prog, strerror(errno));
		goto out;
	}
	memset(&a, 0, sizeof(a));
	a.pm = pm;
	a.frames = SEGMF_FRAMES_LIST;
	a.gfns = vgfns;
	a.kluster = SEGMF_KLUSTER_MAX;
	a.prot = PROT_READ;
	if (as_gap(as, (size_t)total * XEN_PAGE_SIZE, 0, AS_GAP_HIGH,
	    &addr) < 0 || as_map(as, addr, (size_t)total * XEN_PAGE_SIZE,
	    segmf_create, &a) < 0) {
		fprintf(stderr, "%s: a seg_mf view of %" PRIu64 " pages: %s\n",
		    live_prog, total, strerror(errno));
		goto out;
	}
	vbase = addr;

	for (i = 0; i < total; i++) {
		if (pfns[i] == XC_CORE_PADDING_PFN)
			continue;
		if (xc_core_read_page(core, i, page, &err) < 0) {
			live_fail(&err, "core file");
			goto out;
		}
		t0 = live_now();
		got = physwin_read(pw, pfns[i] * XEN_PAGE_SIZE, ours,
		    XEN_PAGE_SIZE, &rerr);
		kpm.dp_secs += live_now() - t0;
		dumpcmp_page(&kpm, pfns[i], ours, got, rerr, page);
		t0 = live_now();
		got = as_read(as, vbase + i * XEN_PAGE_SIZE, ours,
		    XEN_PAGE_SIZE, &rerr);
		view.dp_secs += live_now() - t0;
		dumpcmp_page(&view, pfns[i], ours, got, rerr, page);
	}
	memset(&st, 0, sizeof(st));
	(void)segmf_stats(as, vbase, &st);
	printf("%" PRIu64 " pages in dump (%" PRIu64 " of them xl's padding)\n",
	    total, padding);
	rc = LIVE_OK;
	for (d = 0; d < 2; d++) {
		printf("  through %s: %" PRIu64 " compared, %" PRIu64
		    " differ, %" PRIu64 " unreadable; %.1f MiB in %.2f s",
		    dps[d]->dp_name, dps[d]->dp_compared, dps[d]->dp_differ,
		    dps[d]->dp_unreadable, (double)dps[d]->dp_compared *
		    XEN_PAGE_SIZE / 1048576.0, dps[d]->dp_secs);
		if (dps[d] == &view)
			printf(" (%" PRIu64 " batch calls)", st.ms_fills);
		printf("\n");
		if (dps[d]->dp_differ != 0 || dps[d]->dp_unreadable != 0 ||
		    dps[d]->dp_compared != total - padding)
			rc = LIVE_FAIL;
	}
out:
	physwin_close(pw);
	physmem_rele(live);
	as_free(as);
	free(pfns);
	free(vgfns);
	xen_physmem_close(pm);
	xen_close(xh);
	xc_core_close(core);
	return rc;
}

/*
 * In a child that dropped to nobody, try what an unprivileged user would,
 * and check that the refusal says what went wrong and what to do.
 */
static int
live_noperm_child(const char *spec)
{
	struct xen_handle *xh;
	struct xen_physmem *pm;
	struct xen_err err;
	uint32_t domid;
	const char *msg;

	xen_err_clear(&err);
	xh = xen_open(&err);
	if (xh != NULL) {
		domid = 0;
		if (xen_domain_resolve(xh, spec, &domid, &err) == 0) {
			pm = xen_physmem_open(xh, domid, &err);
			if (pm != NULL) {
				fprintf(stderr, "uid %d could read domain %s\n",
				    (int)getuid(), spec);
				xen_physmem_close(pm);
				xen_close(xh);
				return LIVE_FAIL;
			}
		}
		xen_close(xh);
	}
	msg = xen_err_msg(&err);
	printf("unprivileged (uid %d): errno %d (%s): %s\n", (int)getuid(),
	    err.xe_errno, strerror(err.xe_errno), msg);
	if (err.xe_errno != EACCES && err.xe_errno != EPERM) {
		fprintf(stderr, "expected EACCES or EPERM\n");
		return LIVE_FAIL;
	}
	if (strstr(msg, "privcmd") == NULL ||
	    (strstr(msg, "ermission") == NULL && strstr(msg, "root") == NULL)) {
		fprintf(stderr, "message does not name privcmd and the "
		    "missing permission\n");
		return LIVE_FAIL;
	}
	return LIVE_OK;
}

static int
cmd_noperm(const char *spec)
{
	pid_t pid;
	int status;

	if (geteuid() != 0)
		return live_noperm_child(spec);
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "%s: fork: %s\n", live_prog, strerror(errno));
		return LIVE_FAIL;
	}
	if (pid == 0) {
		if (setgroups(0, NULL) < 0 || setgid(LIVE_NOBODY) < 0 ||
		    setuid(LIVE_NOBODY) < 0) {
			fprintf(stderr, "%s: dropping to uid %d: %s\n",
			    live_prog, LIVE_NOBODY, strerror(errno));
			_exit(LIVE_FAIL);
		}
		status = live_noperm_child(spec);
		fflush(stdout);
		fflush(stderr);
		_exit(status);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return LIVE_FAIL;
	if (!WIFEXITED(status)) {
		fprintf(stderr, "%s: unprivileged child died (status 0x%x)\n",
		    live_prog, status);
		return LIVE_FAIL;
	}
	return WEXITSTATUS(status);
}

/* Every area's table of checks (live.h); run-live.sh runs them all. */
static const struct live_check *const live_tables[] = {
	live_core_checks,
	live_grant_checks,
	live_domain_checks,
	live_segmf_checks,
	live_xccore_checks,
};

#define LIVE_NTABLES	(sizeof(live_tables) / sizeof(live_tables[0]))

static int
cmd_checks(bool verbose)
{
	const struct live_check *ck;
	size_t t;

	for (t = 0; t < LIVE_NTABLES; t++) {
		for (ck = live_tables[t]; ck->ck_name != NULL; ck++) {
			if (verbose)
				printf("%-24s %s\n", ck->ck_name, ck->ck_what);
			else
				printf("%s\n", ck->ck_name);
		}
	}
	return LIVE_OK;
}

static int
cmd_check(const char *name, const char *spec, const char *console)
{
	const struct live_check *ck = NULL, *c;
	struct live_ctx ctx;
	struct xen_err err;
	size_t t;
	int rc;

	for (t = 0; t < LIVE_NTABLES && ck == NULL; t++) {
		for (c = live_tables[t]; c->ck_name != NULL; c++) {
			if (strcmp(c->ck_name, name) == 0) {
				ck = c;
				break;
			}
		}
	}
	if (ck == NULL) {
		fprintf(stderr, "%s: no check named %s (see `%s checks`)\n",
		    live_prog, name, live_prog);
		return LIVE_USAGE;
	}
	memset(&ctx, 0, sizeof(ctx));
	ctx.lc_spec = spec;
	ctx.lc_console = console;
	if ((rc = live_attach(spec, &ctx.lc_xh, &ctx.lc_domid)) != LIVE_OK)
		return rc;
	xen_err_clear(&err);
	if (xen_domain_info(ctx.lc_xh, ctx.lc_domid, &ctx.lc_info, &err) < 0) {
		xen_close(ctx.lc_xh);
		return live_fail(&err, "describing domain");
	}
	rc = ck->ck_run(&ctx);
	xen_close(ctx.lc_xh);
	return rc;
}

/* The marker pages the guest printed hold its text. */
static int
check_markers(struct live_ctx *ctx)
{
	char spec[16];

	snprintf(spec, sizeof(spec), "%" PRIu32, ctx->lc_domid);
	return cmd_markers(spec, ctx->lc_console, false);
}

const struct live_check live_core_checks[] = {
	{ "markers", "the guest's marker pages hold its text (privcmd read)",
	    check_markers },
	{ NULL, NULL, NULL }
};

static int
usage(void)
{
	fprintf(stderr,
	    "usage: %s list\n"
	    "       %s info|resolve|pause|unpause|noperm DOMAIN\n"
	    "       %s read DOMAIN PFN [COUNT]\n"
	    "       %s markers [-v] DOMAIN CONSOLE_LOG\n"
	    "       %s dumpcmp DOMAIN CORE\n"
	    "       %s core-info CORE\n"
	    "       %s checks [-v]\n"
	    "       %s check NAME DOMAIN CONSOLE_LOG\n",
	    live_prog, live_prog, live_prog, live_prog, live_prog, live_prog,
	    live_prog, live_prog);
	return LIVE_USAGE;
}

/*
 * A check that crashes says where, so that a failure in the bed can be
 * read from its log alone (addr2line -e xenlive OFFSET).
 */
static void
live_fatal(int sig)
{
	static const char msg[] = "xenlive: fatal signal; backtrace:\n";
	void *frames[32];
	int n = backtrace(frames, 32);

	if (write(2, msg, sizeof(msg) - 1) < 0)
		_exit(128 + sig);
	backtrace_symbols_fd(frames, n, 2);
	signal(sig, SIG_DFL);
	raise(sig);
}

int
main(int argc, char **argv)
{
	const char *cmd;

	signal(SIGABRT, live_fatal);
	signal(SIGBUS, live_fatal);
	signal(SIGSEGV, live_fatal);
	if (argc < 2)
		return usage();
	cmd = argv[1];
	if (strcmp(cmd, "list") == 0 && argc == 2)
		return cmd_list();
	if (strcmp(cmd, "info") == 0 && argc == 3)
		return cmd_info(argv[2]);
	if (strcmp(cmd, "resolve") == 0 && argc == 3)
		return cmd_resolve(argv[2]);
	if (strcmp(cmd, "pause") == 0 && argc == 3)
		return cmd_pause(argv[2], true);
	if (strcmp(cmd, "unpause") == 0 && argc == 3)
		return cmd_pause(argv[2], false);
	if (strcmp(cmd, "read") == 0 && (argc == 4 || argc == 5))
		return cmd_read(argv[2], argv[3], argc == 5 ? argv[4] : NULL);
	if (strcmp(cmd, "markers") == 0 && argc == 5 &&
	    strcmp(argv[2], "-v") == 0)
		return cmd_markers(argv[3], argv[4], true);
	if (strcmp(cmd, "markers") == 0 && argc == 4)
		return cmd_markers(argv[2], argv[3], false);
	if (strcmp(cmd, "dumpcmp") == 0 && argc == 4)
		return cmd_dumpcmp(argv[2], argv[3]);
	if (strcmp(cmd, "core-info") == 0 && argc == 3)
		return cmd_core_info(argv[2]);
	if (strcmp(cmd, "checks") == 0 && argc == 2)
		return cmd_checks(false);
	if (strcmp(cmd, "checks") == 0 && argc == 3 &&
	    strcmp(argv[2], "-v") == 0)
		return cmd_checks(true);
	if (strcmp(cmd, "check") == 0 && argc == 5)
		return cmd_check(argv[2], argv[3], argv[4]);
	if (strcmp(cmd, "noperm") == 0 && argc == 3)
		return cmd_noperm(argv[2]);
	return usage();
}
