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
 *	read DOMAIN PFN [COUNT]		first bytes of guest pages
 *	markers DOMAIN CONSOLE_LOG	the marker pages the guest printed hold
 *					the text it printed
 *	dumpcmp DOMAIN CORE		every page of an `xl dump-core` file
 *					equals what porthole's mappings of
 *					the domain, paused (xl pause), show
 *					(live_dumpcmp; the dump-core check)
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
#include <sys/wait.h>
#include <unistd.h>

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
				live_show_bytes(stdout, buf + i * XEN_PAGE_SIZE,
				    64);
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
			live_show_bytes(stdout, page, 48);
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

static int
cmd_dumpcmp(const char *spec, const char *path)
{
	struct xen_handle *xh;
	uint32_t domid;
	int rc;

	if ((rc = live_attach(spec, &xh, &domid)) != LIVE_OK)
		return rc;
	rc = live_dumpcmp(xh, domid, path);
	xen_close(xh);
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
	live_guest_checks,
	live_linux_checks,
	live_cli_checks,
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
	    "       %s info|resolve|noperm DOMAIN\n"
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
