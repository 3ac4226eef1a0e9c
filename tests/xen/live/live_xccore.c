/*
 * live_xccore.c - live checks of porthole's xc-core writer and dumper
 * against `xl dump-core` of the same paused domain.
 *
 *	xccore-rewrite	xl's dump, rewritten by our writer from what our
 *			reader read out of it, reads back the same: pfns in
 *			the same order, pages, vCPU contexts, shared info and
 *			version note; without xl's padding the two files are
 *			identical byte for byte
 *	xccore-dump	our live dumper's output and xl's dump of the same
 *			paused domain hold the same frames page for page, the
 *			same vCPU contexts and notes
 *
 * Both pause the domain with xen_domain_pause() and unpause it on every
 * way out (a SIGTERM or SIGINT from the harness's time limit included:
 * the handler only sets a flag, which every loop checks).  Dumps go to
 * $PORTHOLE_XEN_DUMP_DIR (else $TMPDIR, else /tmp) and are removed.  A
 * full dump of a PVH guest takes minutes under TCG, so, as run-live.sh
 * does for its dump-core test, the checks only run for the domain types
 * listed in $PORTHOLE_XEN_DUMP_TYPES (run-live.sh exports its
 * --dump-types; default "pv") and say SKIP with the reason otherwise.
 */
#define _GNU_SOURCE
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "xen/xc_core.h"
#include "xen/xc_core_dump.h"
#include "xen/xc_core_write.h"
#include "tests/xen/live/live.h"

#define XCL_DEFAULT_TYPES	"pv"

static volatile sig_atomic_t xcl_stop;

static void
xcl_on_signal(int sig)
{
	(void)sig;
	xcl_stop = 1;
}

/* Catch the harness's signals (no SA_RESTART: waits return EINTR). */
static void
xcl_catch_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = xcl_on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

/*
 * LIVE_OK when dumps are enabled for this domain's type; else LIVE_SKIP
 * with the reason printed (the last line on stderr).
 */
static int
xcl_enabled(const struct live_ctx *ctx)
{
	const char *types = getenv("PORTHOLE_XEN_DUMP_TYPES");
	const char *type = xen_domain_type_name(ctx->lc_info.di_type);
	char list[256], *tok, *save;

	if (types == NULL)
		types = XCL_DEFAULT_TYPES;
	snprintf(list, sizeof(list), "%s", types);
	for (tok = strtok_r(list, " ,", &save); tok != NULL;
	    tok = strtok_r(NULL, " ,", &save))
		if (strcmp(tok, type) == 0)
			return LIVE_OK;
	fprintf(stderr, "%s: dumps of %s domains are not enabled "
	    "(PORTHOLE_XEN_DUMP_TYPES=\"%s\"; a full %s dump takes minutes "
	    "under TCG)\n", live_prog, type, types, type);
	return LIVE_SKIP;
}

static const char *
xcl_dump_dir(void)
{
	const char *d = getenv("PORTHOLE_XEN_DUMP_DIR");

	if (d == NULL || *d == '\0')
		d = getenv("TMPDIR");
	return d != NULL && *d != '\0' ? d : "/tmp";
}

/* xl on PATH, or LIVE_SKIP with the reason. */
static int
xcl_have_xl(void)
{
	const char *path = getenv("PATH");
	char buf[4096], dir[1024];
	const char *p, *q;

	for (p = path != NULL ? path : "/usr/sbin:/usr/bin:/sbin:/bin";
	    *p != '\0'; p = *q != '\0' ? q + 1 : q) {
		q = strchr(p, ':');
		if (q == NULL)
			q = p + strlen(p);
		snprintf(dir, sizeof(dir), "%.*s", (int)(q - p), p);
		snprintf(buf, sizeof(buf), "%s/xl", *dir != '\0' ? dir : ".");
		if (access(buf, X_OK) == 0)
			return LIVE_OK;
	}
	fprintf(stderr, "%s: xl not found on PATH\n", live_prog);
	return LIVE_SKIP;
}

/* Run `xl dump-core DOMID PATH`, its output on our stderr. */
static int
xcl_xl_dump(uint32_t domid, const char *path, double *secs)
{
	char id[16];
	double t0 = live_now();
	pid_t pid;
	int status;

	snprintf(id, sizeof(id), "%" PRIu32, domid);
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "%s: fork: %s\n", live_prog, strerror(errno));
		return -1;
	}
	if (pid == 0) {
		dup2(STDERR_FILENO, STDOUT_FILENO);
		execlp("xl", "xl", "dump-core", id, path, (char *)NULL);
		fprintf(stderr, "exec xl: %s\n", strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return -1;
		if (xcl_stop) {
			kill(pid, SIGKILL);
			(void)waitpid(pid, &status, 0);
			fprintf(stderr, "%s: interrupted during xl dump-core\n",
			    live_prog);
			return -1;
		}
	}
	*secs = live_now() - t0;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "%s: xl dump-core %s %s failed (status 0x%x)\n",
		    live_prog, id, path, status);
		return -1;
	}
	return 0;
}

/* Differences found by xcl_compare. */
struct xcl_diff {
	uint64_t	d_pages;	/* frames compared */
	uint64_t	d_bad;		/* problems reported */
};

static void
xcl_report(struct xcl_diff *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
xcl_report(struct xcl_diff *d, const char *fmt, ...)
{
	va_list ap;

	if (d->d_bad++ >= 8)
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/*
 * Fields of the shared info page that Xen writes even while the domain is
 * paused (x86 layout): the vCPU info array (upcall flags, pending
 * selectors, time), the event channel pending bits (a timer or a backend
 * may still signal), and the wallclock.  Two dumps of one paused domain
 * taken minutes apart (xl needs minutes for a PVH guest under TCG) may
 * differ there and nowhere else.
 */
static const struct {
	size_t	v_lo;
	size_t	v_hi;
} xcl_volatile[] = { { 0, 2560 }, { 3072, 3088 } };

/*
 * True when x and y (len bytes of a shared info page) differ only in the
 * volatile fields; the differing ranges are described in buf.
 */
static bool
xcl_shinfo_volatile(const unsigned char *x, const unsigned char *y,
    size_t len, char *buf, size_t blen)
{
	size_t i = 0, start, k, used = 0;
	bool ok = true, in;

	buf[0] = '\0';
	while (i < len) {
		if (x[i] == y[i]) {
			i++;
			continue;
		}
		for (start = i; i < len && x[i] != y[i]; i++)
			;
		for (k = start; k < i; k++) {
			size_t v;

			for (in = false, v = 0; v < sizeof(xcl_volatile) /
			    sizeof(xcl_volatile[0]); v++)
				in = in || (k >= xcl_volatile[v].v_lo &&
				    k < xcl_volatile[v].v_hi);
			ok = ok && in;
		}
		if (used < blen)
			used += (size_t)snprintf(buf + used, blen - used,
			    "%s0x%zx-0x%zx", used > 0 ? "," : "", start, i - 1);
	}
	return ok;
}

/*
 * A page of the shared info that differs between the dumps: a problem,
 * unless tolerated and only in the volatile fields (then said on stdout).
 */
static void
xcl_shinfo_differs(struct xcl_diff *d, const char *what,
    const unsigned char *x, const unsigned char *y, size_t len,
    bool tolerate)
{
	char ranges[256];

	if (xcl_shinfo_volatile(x, y, len, ranges, sizeof(ranges)) &&
	    tolerate) {
		printf("note: %s changed while the domain was paused, only in "
		    "fields Xen updates (bytes %s)\n", what, ranges);
		return;
	}
	xcl_report(d, "%s differs (bytes %s)", what, ranges);
}

/*
 * Raw sections of a and b (size_a and size_b bytes) are equal; for the
 * shared info (shinfo) volatile differences may be tolerated.
 */
static void
xcl_same_section(struct xc_core *a, struct xc_core *b, const char *what,
    int (*rd)(const struct xc_core *, void *, size_t, struct xen_err *),
    uint64_t size_a, uint64_t size_b, bool shinfo, bool tolerate,
    struct xcl_diff *d)
{
	unsigned char *x = NULL, *y = NULL;
	struct xen_err err;

	if (size_a != size_b) {
		xcl_report(d, "%s: %" PRIu64 " bytes in xl's dump, %" PRIu64
		    " in ours", what, size_a, size_b);
		return;
	}
	if (size_a == 0)
		return;
	x = malloc((size_t)size_a);
	y = malloc((size_t)size_a);
	xen_err_clear(&err);
	if (x == NULL || y == NULL)
		xcl_report(d, "out of memory comparing %s", what);
	else if (rd(a, x, (size_t)size_a, &err) < 0 ||
	    rd(b, y, (size_t)size_a, &err) < 0)
		xcl_report(d, "%s: %s", what, xen_err_msg(&err));
	else if (memcmp(x, y, (size_t)size_a) == 0)
		;
	else if (shinfo)
		xcl_shinfo_differs(d, what, x, y, (size_t)size_a, tolerate);
	else
		xcl_report(d, "%s differs", what);
	free(x);
	free(y);
}

/*
 * Compare xl's dump (xlp) with ours (ourp): the frames each names, in
 * file order and by pfn, their contents and machine frames, and the raw
 * sections.  Prints a summary; LIVE_OK when nothing differs.  Unless
 * shinfo_pfn is XCL_NO_TOLERANCE (the files must then be copies of one
 * another), the shared info section, and the guest page shinfo_pfn that
 * holds it in a PVH/HVM guest, may differ in the fields Xen updates
 * behind a paused domain; that is said, not counted.
 */
#define XCL_NO_TOLERANCE	(UINT64_MAX - 1)

static int
xcl_compare(const char *xlp, const char *ourp, uint64_t shinfo_pfn)
{
	const struct xc_core_info *ia, *ib;
	struct xc_core *a, *b;
	struct xen_err err;
	struct xcl_diff d = { 0, 0 };
	unsigned char pa[XC_CORE_PAGE_SIZE], pb[XC_CORE_PAGE_SIZE];
	uint64_t ka, kb, xa, xb, fa, fb, ga, gb;
	double t0 = live_now();
	bool identical = false;

	xen_err_clear(&err);
	if ((a = xc_core_open(xlp, &err)) == NULL)
		return live_fail(&err, "reading xl's dump");
	if ((b = xc_core_open(ourp, &err)) == NULL) {
		xc_core_close(a);
		return live_fail(&err, "reading our dump");
	}
	ia = xc_core_info(a);
	ib = xc_core_info(b);
	if (ia->ci_hvm != ib->ci_hvm || ia->ci_machine != ib->ci_machine ||
	    ia->ci_page_size != ib->ci_page_size ||
	    ia->ci_nr_vcpus != ib->ci_nr_vcpus ||
	    ia->ci_prstatus_entsize != ib->ci_prstatus_entsize ||
	    ia->ci_format_version != ib->ci_format_version)
		xcl_report(&d, "headers differ: kind %d/%d machine %u/%u vcpus "
		    "%" PRIu64 "/%" PRIu64 " context size %" PRIu64 "/%"
		    PRIu64, ia->ci_hvm, ib->ci_hvm, ia->ci_machine,
		    ib->ci_machine, ia->ci_nr_vcpus, ib->ci_nr_vcpus,
		    ia->ci_prstatus_entsize, ib->ci_prstatus_entsize);
	if (ia->ci_nr_valid != ib->ci_nr_valid)
		xcl_report(&d, "xl's dump names %" PRIu64 " frames, ours %"
		    PRIu64, ia->ci_nr_valid, ib->ci_nr_valid);
	xcl_same_section(a, b, ".xen_prstatus", xc_core_read_prstatus,
	    ia->ci_prstatus_size, ib->ci_prstatus_size, false, false, &d);
	xcl_same_section(a, b, ".xen_shared_info", xc_core_read_shared_info,
	    ia->ci_shared_info_size, ib->ci_shared_info_size, true,
	    shinfo_pfn != XCL_NO_TOLERANCE, &d);
	xcl_same_section(a, b, "the XEN_VERSION note",
	    xc_core_read_xen_version, ia->ci_xen_version_size,
	    ib->ci_xen_version_size, false, false, &d);

	/* The frames in file order (padding skipped)... */
	for (xa = 0, xb = 0; !xcl_stop; xa++, xb++) {
		while (xa < ia->ci_nr_pages &&
		    xc_core_page_pfn(a, xa, &fa, NULL, NULL) == 0 &&
		    fa == XC_CORE_PADDING_PFN)
			xa++;
		if (xa >= ia->ci_nr_pages || xb >= ib->ci_nr_pages)
			break;
		(void)xc_core_page_pfn(b, xb, &fb, NULL, NULL);
		if (fa != fb) {
			xcl_report(&d, "page %" PRIu64 " of xl's dump is "
			    "pfn 0x%" PRIx64 ", page %" PRIu64 " of ours 0x%"
			    PRIx64, xa, fa, xb, fb);
			break;
		}
	}
	/* ...and by pfn: the same set, the same bytes. */
	for (ka = 0, kb = 0; !xcl_stop && (ka < ia->ci_nr_valid ||
	    kb < ib->ci_nr_valid); ) {
		fa = fb = UINT64_MAX;
		if (ka < ia->ci_nr_valid)
			(void)xc_core_nth_by_pfn(a, ka, &fa, &xa, NULL);
		if (kb < ib->ci_nr_valid)
			(void)xc_core_nth_by_pfn(b, kb, &fb, &xb, NULL);
		if (fa != fb) {
			xcl_report(&d, "pfn 0x%" PRIx64 " is only in %s dump",
			    fa < fb ? fa : fb, fa < fb ? "xl's" : "our");
			if (fa < fb)
				ka++;
			else
				kb++;
			continue;
		}
		if (xc_core_read_page(a, xa, pa, &err) < 0 ||
		    xc_core_read_page(b, xb, pb, &err) < 0) {
			xcl_report(&d, "%s", xen_err_msg(&err));
			break;
		}
		(void)xc_core_page_pfn(a, xa, NULL, &ga, NULL);
		(void)xc_core_page_pfn(b, xb, NULL, &gb, NULL);
		if (ga != gb)
			xcl_report(&d, "pfn 0x%" PRIx64 ": gmfn 0x%" PRIx64
			    " in xl's dump, 0x%" PRIx64 " in ours", fa, ga, gb);
		if (memcmp(pa, pb, sizeof(pa)) == 0)
			;
		else if (fa == shinfo_pfn)
			xcl_shinfo_differs(&d, "the shared info page in guest "
			    "memory", pa, pb, sizeof(pa), true);
		else {
			char ranges[256];

			(void)xcl_shinfo_volatile(pa, pb, sizeof(pa), ranges,
			    sizeof(ranges));
			xcl_report(&d, "pfn 0x%" PRIx64 ": page differs "
			    "(bytes %s)", fa, ranges);
		}
		d.d_pages++;
		ka++;
		kb++;
	}
	if (xcl_stop)
		xcl_report(&d, "interrupted while comparing");

	/* Without xl's padding the files should be the same bytes. */
	if (d.d_bad == 0 && ia->ci_nr_padding == 0) {
		int fx = xc_core_fd(a), fy = xc_core_fd(b);
		struct stat sx, sy;
		uint64_t off = 0;
		ssize_t n;

		identical = fstat(fx, &sx) == 0 && fstat(fy, &sy) == 0 &&
		    sx.st_size == sy.st_size;
		while (identical && off < (uint64_t)sx.st_size) {
			n = pread(fx, pa, sizeof(pa), (off_t)off);
			identical = n > 0 && pread(fy, pb, (size_t)n,
			    (off_t)off) == n && memcmp(pa, pb, (size_t)n) == 0;
			if (identical)
				off += (uint64_t)n;
		}
		if (!identical && shinfo_pfn == XCL_NO_TOLERANCE)
			xcl_report(&d, "the files differ byte-wise (sizes %lld "
			    "and %lld, first difference in the block at "
			    "offset %" PRIu64 ")", (long long)sx.st_size,
			    (long long)sy.st_size, off);
	}
	printf("xl: %" PRIu64 " pages (%" PRIu64 " frames, %" PRIu64
	    " padding), %" PRIu64 " vCPUs, shared info %s; ours: %" PRIu64
	    " pages; %" PRIu64 " frames compared in %.2f s; %s; %" PRIu64
	    " differences\n", ia->ci_nr_pages, ia->ci_nr_valid,
	    ia->ci_nr_padding, ia->ci_nr_vcpus, ia->ci_shared_info_size != 0 ?
	    "yes" : "no", ib->ci_nr_pages, d.d_pages, live_now() - t0,
	    ia->ci_nr_padding != 0 ? "byte comparison skipped (xl padded)" :
	    identical ? "files byte-identical" : "files differ byte-wise",
	    d.d_bad);
	xc_core_close(a);
	xc_core_close(b);
	return d.d_bad == 0 ? LIVE_OK : LIVE_FAIL;
}

/* Rewriting xl's dump: pages come from the xl file, by list position. */
struct xcl_rewrite {
	struct xc_core	*rw_core;
	uint64_t	*rw_index;	/* list entry -> page of the xl file */
};

static int
xcl_rewrite_read(void *arg, uint64_t first, const uint64_t *pfns,
    size_t count, void *buf, int *errs, struct xen_err *err)
{
	struct xcl_rewrite *rw = arg;
	size_t i;

	(void)pfns;
	for (i = 0; i < count; i++) {
		if (xcl_stop)
			return xen_err_set(err, EINTR, "interrupted");
		if (xc_core_read_page(rw->rw_core, rw->rw_index[first + i],
		    (unsigned char *)buf + i * XC_CORE_PAGE_SIZE, err) < 0)
			return -1;
		errs[i] = 0;
	}
	return 0;
}

static int
xcl_stop_progress(void *arg, uint64_t done, uint64_t total)
{
	(void)arg;
	(void)done;
	(void)total;
	return xcl_stop != 0;
}

/* Write ourp from xl's dump at xlp with our writer. */
static int
xcl_rewrite(const char *xlp, const char *ourp, double *secs)
{
	const struct xc_core_info *ci;
	struct xc_core_write_opts o;
	struct xc_core_write_stats st;
	struct xcl_rewrite rw;
	struct xen_err err;
	uint64_t *pfns = NULL, *gmfns = NULL, i, n = 0;
	unsigned char *prstatus = NULL, *xv = NULL, *shinfo = NULL;
	double t0 = live_now();
	int rc = LIVE_FAIL;

	memset(&rw, 0, sizeof(rw));
	xen_err_clear(&err);
	if ((rw.rw_core = xc_core_open(xlp, &err)) == NULL)
		return live_fail(&err, "reading xl's dump");
	ci = xc_core_info(rw.rw_core);
	pfns = calloc(ci->ci_nr_valid + 1, sizeof(*pfns));
	gmfns = calloc(ci->ci_nr_valid + 1, sizeof(*gmfns));
	rw.rw_index = calloc(ci->ci_nr_valid + 1, sizeof(*rw.rw_index));
	prstatus = malloc(ci->ci_prstatus_size + 1);
	xv = malloc(ci->ci_xen_version_size + 1);
	shinfo = malloc(ci->ci_shared_info_size + 1);
	if (pfns == NULL || gmfns == NULL || rw.rw_index == NULL ||
	    prstatus == NULL || xv == NULL || shinfo == NULL) {
		fprintf(stderr, "%s: out of memory\n", live_prog);
		goto out;
	}
	for (i = 0; i < ci->ci_nr_pages; i++) {
		if (xc_core_page_pfn(rw.rw_core, i, &pfns[n], &gmfns[n],
		    &err) < 0) {
			live_fail(&err, "reading xl's dump");
			goto out;
		}
		if (pfns[n] == XC_CORE_PADDING_PFN)
			continue;
		rw.rw_index[n++] = i;
	}
	if (xc_core_read_prstatus(rw.rw_core, prstatus, ci->ci_prstatus_size,
	    &err) < 0 || (ci->ci_xen_version_size > 0 &&
	    xc_core_read_xen_version(rw.rw_core, xv, ci->ci_xen_version_size,
	    &err) < 0) || (ci->ci_shared_info_size > 0 &&
	    xc_core_read_shared_info(rw.rw_core, shinfo,
	    ci->ci_shared_info_size, &err) < 0)) {
		live_fail(&err, "reading xl's dump");
		goto out;
	}
	if (ci->ci_shared_info_size != 0 &&
	    ci->ci_shared_info_size != XC_CORE_PAGE_SIZE) {
		fprintf(stderr, "%s: xl's shared info is %" PRIu64 " bytes\n",
		    live_prog, ci->ci_shared_info_size);
		goto out;
	}
	memset(&o, 0, sizeof(o));
	o.wo_hvm = ci->ci_hvm;
	o.wo_machine = ci->ci_machine;
	o.wo_pfns = pfns;
	o.wo_gmfns = gmfns;
	o.wo_nr_pages = n;
	o.wo_prstatus = prstatus;
	o.wo_prstatus_entsize = ci->ci_prstatus_entsize != 0 ?
	    ci->ci_prstatus_entsize : ci->ci_prstatus_size / ci->ci_nr_vcpus;
	o.wo_nr_vcpus = ci->ci_nr_vcpus;
	o.wo_shared_info = ci->ci_shared_info_size != 0 ? shinfo : NULL;
	o.wo_xen_version = ci->ci_xen_version_size != 0 ? xv : NULL;
	o.wo_xen_version_len = ci->ci_xen_version_size;
	o.wo_read = xcl_rewrite_read;
	o.wo_read_arg = &rw;
	o.wo_progress = xcl_stop_progress;
	if (xc_core_write_file(ourp, 0, &o, &st, &err) < 0) {
		live_fail(&err, "rewriting xl's dump");
		goto out;
	}
	if (st.ws_written != n || st.ws_missing != 0) {
		fprintf(stderr, "%s: rewrote %" PRIu64 " of %" PRIu64
		    " pages\n", live_prog, st.ws_written, n);
		goto out;
	}
	*secs = live_now() - t0;
	rc = LIVE_OK;
out:
	free(shinfo);
	free(xv);
	free(prstatus);
	free(rw.rw_index);
	free(gmfns);
	free(pfns);
	xc_core_close(rw.rw_core);
	return rc;
}

/*
 * The common frame: pause, xl dump-core into xlp, paused() (if any) while
 * the domain is still paused, the unpause on every path, then after() (if
 * any), and the comparison of xlp with ourp.  Removes both files.
 */
static int
xcl_with_xl_dump(struct live_ctx *ctx, const char *tag,
    int (*paused)(struct live_ctx *, const char *, double *, uint64_t *),
    int (*after)(const char *, const char *, double *, const char *),
    const char *what)
{
	char xlp[1024], ourp[1024];
	struct xen_domain_info info;
	struct xen_err err;
	double txl = 0, tour = 0;
	uint64_t shinfo_pfn = XCL_NO_TOLERANCE;
	int rc;

	if ((rc = xcl_enabled(ctx)) != LIVE_OK || (rc = xcl_have_xl()) !=
	    LIVE_OK)
		return rc;
	snprintf(xlp, sizeof(xlp), "%s/porthole-%s-xl.%" PRIu32 ".%ld",
	    xcl_dump_dir(), tag, ctx->lc_domid, (long)getpid());
	snprintf(ourp, sizeof(ourp), "%s/porthole-%s-ours.%" PRIu32 ".%ld",
	    xcl_dump_dir(), tag, ctx->lc_domid, (long)getpid());
	xcl_catch_signals();
	xen_err_clear(&err);
	if (xen_domain_pause(ctx->lc_xh, ctx->lc_domid, &err) < 0)
		return live_fail(&err, "pausing the domain");
	rc = LIVE_FAIL;
	if (xcl_xl_dump(ctx->lc_domid, xlp, &txl) == 0)
		rc = paused != NULL ? paused(ctx, ourp, &tour, &shinfo_pfn) :
		    LIVE_OK;
	if (xen_domain_unpause(ctx->lc_xh, ctx->lc_domid, &err) < 0) {
		live_fail(&err, "unpausing the domain");
		rc = LIVE_FAIL;
	} else if (xen_domain_info(ctx->lc_xh, ctx->lc_domid, &info,
	    &err) < 0 || info.di_paused != ctx->lc_info.di_paused) {
		fprintf(stderr, "%s: the domain is %s after the check\n",
		    live_prog, info.di_paused ? "still paused" : "unpaused");
		rc = LIVE_FAIL;
	}
	if (rc == LIVE_OK && after != NULL && !xcl_stop)
		rc = after(xlp, ourp, &tour, what);
	if (rc == LIVE_OK && !xcl_stop) {
		printf("xl dump-core %.1f s, %s %.1f s\n", txl, what, tour);
		rc = xcl_compare(xlp, ourp, shinfo_pfn);
	}
	if (xcl_stop)
		rc = LIVE_FAIL;
	unlink(xlp);
	unlink(ourp);
	return rc;
}

static int
xcl_after_rewrite(const char *xlp, const char *ourp, double *secs,
    const char *what)
{
	(void)what;
	return xcl_rewrite(xlp, ourp, secs);
}

/* (a) xl's dump, rewritten by our writer, reads back the same. */
static int
check_xccore_rewrite(struct live_ctx *ctx)
{
	return xcl_with_xl_dump(ctx, "rewrite", NULL, xcl_after_rewrite,
	    "our rewrite");
}

static int
xcl_dump_paused(struct live_ctx *ctx, const char *ourp, double *secs,
    uint64_t *shinfo_pfn)
{
	struct xc_core_dump_opts o = { xcl_stop_progress, NULL };
	struct xc_core_dump_stats st;
	struct xen_err err;
	double t0 = live_now();

	xen_err_clear(&err);
	if (xc_core_dump_file(ctx->lc_xh, ctx->lc_domid, ourp, 0, &o, &st,
	    &err) < 0)
		return live_fail(&err, "dumping with porthole");
	*secs = live_now() - t0;
	/* Two dumps of a paused domain: Xen may still touch shared info. */
	*shinfo_pfn = st.ds_hvm && st.ds_shared_info ?
	    st.ds_shared_info_frame : UINT64_MAX;
	printf("porthole dump: %s, %" PRIu64 " candidate frames, %" PRIu64
	    " written, %" PRIu64 " without memory, %" PRIu64 " over "
	    "tot_pages (%" PRIu64 "), %" PRIu64 " vCPUs, shared info %s\n",
	    st.ds_hvm ? "pfn list" : "p2m", st.ds_candidates,
	    st.ds_write.ws_written, st.ds_write.ws_missing,
	    st.ds_write.ws_over_limit, st.ds_tot_pages, st.ds_nr_vcpus,
	    st.ds_shared_info ? "yes" : "no");
	return LIVE_OK;
}

/* The dumper's refusals on a real connection name what is wrong. */
static int
xcl_dump_refusals(struct live_ctx *ctx)
{
	static const struct {
		uint32_t	domid;
		int		err;
		const char	*what;
	} cases[] = {
		{ 0, EINVAL, "dom0" },
		{ 0x7fef, ENOENT, "no domain with id 32751" },
	};
	char path[1024];
	struct xen_err err;
	size_t i;
	int rc = LIVE_OK;

	snprintf(path, sizeof(path), "%s/porthole-refused.%ld",
	    xcl_dump_dir(), (long)getpid());
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		xen_err_clear(&err);
		if (xc_core_dump_file(ctx->lc_xh, cases[i].domid, path, 0,
		    NULL, NULL, &err) == 0 || err.xe_errno != cases[i].err ||
		    strstr(err.xe_msg, cases[i].what) == NULL ||
		    access(path, F_OK) == 0) {
			fprintf(stderr, "%s: dumping domain %" PRIu32 ": want "
			    "%s and \"%s\", got \"%s\"\n", live_prog,
			    cases[i].domid, strerror(cases[i].err),
			    cases[i].what, xen_err_msg(&err));
			rc = LIVE_FAIL;
		}
		unlink(path);
	}
	return rc;
}

/* (b) our live dump of the paused domain equals xl's, page for page. */
static int
check_xccore_dump(struct live_ctx *ctx)
{
	int rc;

	if ((rc = xcl_enabled(ctx)) != LIVE_OK ||
	    (rc = xcl_dump_refusals(ctx)) != LIVE_OK)
		return rc;
	return xcl_with_xl_dump(ctx, "dump", xcl_dump_paused, NULL,
	    "porthole dump");
}

const struct live_check live_xccore_checks[] = {
	{ "xccore-rewrite", "xl dump-core rewritten by our xc-core writer "
	    "reads back the same (byte-identical without padding)",
	    check_xccore_rewrite },
	{ "xccore-dump", "our live dump of the paused domain equals xl "
	    "dump-core page for page", check_xccore_dump },
	{ NULL, NULL, NULL }
};
