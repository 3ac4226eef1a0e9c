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
 *	dump-core	every page of xl's dump of the paused domain equals
 *			what porthole's own mappings show of it: seg_kpm over
 *			the live provider, and one seg_mf view of the dump's
 *			pfns (live_dumpcmp, also `xenlive dumpcmp`)
 *
 * Each pauses the domain under a pause guard (xen/xen_pause.h) for xl's
 * dump (and ours, or the comparison with live memory) and releases it
 * after: the guard's guardian unpauses on every way out, the harness's
 * time limit (SIGTERM) or a crash included, and a pause someone else
 * holds stays.  Dumps go to $PORTHOLE_XEN_DUMP_DIR (else $TMPDIR, else
 * /tmp) and are removed (not when the check is killed).  A full dump of a
 * PVH guest takes minutes under TCG, so the checks only run for the
 * domain types listed in $PORTHOLE_XEN_DUMP_TYPES (run-live.sh exports
 * its --dump-types; default "pv") and say SKIP with the reason otherwise.
 */
#define _GNU_SOURCE
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <porthole/as.h>
#include <porthole/physmem.h>
#include <porthole/physwin.h>
#include "seg_mf/physmem_live.h"
#include "seg_mf/seg_mf.h"
#include "xen/xc_core.h"
#include "xen/xc_core_dump.h"
#include "xen/xc_core_write.h"
#include "xen/xen_pause.h"
#include "tests/xen/live/live.h"

#define XCL_DEFAULT_TYPES	"pv"

/*
 * LIVE_OK when dumps are enabled for this domain's type and xl is on
 * PATH; else LIVE_SKIP with the reason printed (the last line on stderr).
 */
static int
xcl_enabled(const struct live_ctx *ctx)
{
	const char *types = getenv("PORTHOLE_XEN_DUMP_TYPES");
	const char *type = xen_domain_type_name(ctx->lc_info.di_type);
	char list[256], xl[256], *tok, *save;

	if (types == NULL)
		types = XCL_DEFAULT_TYPES;
	snprintf(list, sizeof(list), "%s", types);
	for (tok = strtok_r(list, " ,", &save); tok != NULL;
	    tok = strtok_r(NULL, " ,", &save)) {
		if (strcmp(tok, type) != 0)
			continue;
		if (!live_find_prog("xl", NULL, xl, sizeof(xl)))
			return live_skip("xl not found on PATH");
		return LIVE_OK;
	}
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

/* A dump file's path: DIR/porthole-TAG-WHO.DOMID.PID. */
static void
xcl_path(char *buf, size_t len, const struct live_ctx *ctx, const char *tag,
    const char *who)
{
	snprintf(buf, len, "%s/porthole-%s-%s.%" PRIu32 ".%ld", xcl_dump_dir(),
	    tag, who, ctx->lc_domid, (long)getpid());
}

/*
 * Pause the domain under a guard and `xl dump-core` it into xlp (xl's
 * time into *secs).  The guard, or NULL (said on stderr; the guard, if
 * taken, released).
 */
static struct xen_pause *
xcl_pause_xl_dump(struct live_ctx *ctx, const char *xlp, double *secs)
{
	char id[16];
	char *argv[] = { "xl", "dump-core", id, (char *)xlp, NULL };
	struct xen_pause *g;
	struct xen_err err;
	double t0;
	int rc;

	xen_err_clear(&err);
	if ((g = xen_pause_take(ctx->lc_xh, ctx->lc_domid, 0, &err)) == NULL) {
		live_fail(&err, "pausing the domain");
		return NULL;
	}
	snprintf(id, sizeof(id), "%" PRIu32, ctx->lc_domid);
	t0 = live_now();
	if ((rc = live_run(argv)) != 0) {
		live_failf("xl dump-core %s %s failed (exit %d)", id, xlp, rc);
		(void)xen_pause_release(g, &err);
		return NULL;
	}
	*secs = live_now() - t0;
	return g;
}

/*
 * Release the guard; the domain must then be as paused as it was before
 * the check.  rc, or LIVE_FAIL when either goes wrong.
 */
static int
xcl_release(struct live_ctx *ctx, struct xen_pause *g, int rc)
{
	struct xen_domain_info info;
	struct xen_err err;

	xen_err_clear(&err);
	if (xen_pause_release(g, &err) < 0)
		return live_fail(&err, "unpausing the domain");
	if (xen_domain_info(ctx->lc_xh, ctx->lc_domid, &info, &err) < 0)
		return live_fail(&err, "domain info after the check");
	if (info.di_paused != ctx->lc_info.di_paused)
		return live_failf("the domain is %s after the check",
		    info.di_paused ? "still paused" : "unpaused");
	return rc;
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
	for (xa = 0, xb = 0;; xa++, xb++) {
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
	for (ka = 0, kb = 0; ka < ia->ci_nr_valid || kb < ib->ci_nr_valid; ) {
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
		if (xc_core_read_page(rw->rw_core, rw->rw_index[first + i],
		    (unsigned char *)buf + i * XC_CORE_PAGE_SIZE, err) < 0)
			return -1;
		errs[i] = 0;
	}
	return 0;
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
 * After xl's dump at xlp: ours at ourp, written (by whatever made it) in
 * tour seconds, compared with xl's.  Removes both files.
 */
static int
xcl_compare_ours(int rc, const char *xlp, double txl, const char *ourp,
    const char *what, double tour, uint64_t shinfo_pfn)
{
	if (rc == LIVE_OK) {
		printf("xl dump-core %.1f s, %s %.1f s\n", txl, what, tour);
		rc = xcl_compare(xlp, ourp, shinfo_pfn);
	}
	unlink(xlp);
	unlink(ourp);
	return rc;
}

/* (a) xl's dump, rewritten by our writer, reads back the same. */
static int
check_xccore_rewrite(struct live_ctx *ctx)
{
	char xlp[1024], ourp[1024];
	struct xen_pause *g;
	double txl = 0, tour = 0;
	int rc;

	if ((rc = xcl_enabled(ctx)) != LIVE_OK)
		return rc;
	xcl_path(xlp, sizeof(xlp), ctx, "rewrite", "xl");
	xcl_path(ourp, sizeof(ourp), ctx, "rewrite", "ours");
	if ((g = xcl_pause_xl_dump(ctx, xlp, &txl)) == NULL)
		rc = LIVE_FAIL;
	else if ((rc = xcl_release(ctx, g, LIVE_OK)) == LIVE_OK)
		rc = xcl_rewrite(xlp, ourp, &tour);
	return xcl_compare_ours(rc, xlp, txl, ourp, "our rewrite", tour,
	    XCL_NO_TOLERANCE);
}

/*
 * Our dump of the paused domain into ourp; *shinfo_pfn gets the shared
 * info page's pfn in guest memory (UINT64_MAX when it has none there).
 */
static int
xcl_dump_ours(struct live_ctx *ctx, const char *ourp, double *secs,
    uint64_t *shinfo_pfn)
{
	struct xc_core_dump_stats st;
	struct xen_err err;
	double t0 = live_now();

	xen_err_clear(&err);
	if (xc_core_dump_file(ctx->lc_xh, ctx->lc_domid, ourp, 0, NULL, &st,
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
	char xlp[1024], ourp[1024];
	uint64_t shinfo_pfn = XCL_NO_TOLERANCE;
	struct xen_pause *g;
	double txl = 0, tour = 0;
	int rc;

	if ((rc = xcl_enabled(ctx)) != LIVE_OK ||
	    (rc = xcl_dump_refusals(ctx)) != LIVE_OK)
		return rc;
	xcl_path(xlp, sizeof(xlp), ctx, "dump", "xl");
	xcl_path(ourp, sizeof(ourp), ctx, "dump", "ours");
	if ((g = xcl_pause_xl_dump(ctx, xlp, &txl)) == NULL) {
		rc = LIVE_FAIL;
	} else {
		rc = xcl_dump_ours(ctx, ourp, &tour, &shinfo_pfn);
		rc = xcl_release(ctx, g, rc);
	}
	return xcl_compare_ours(rc, xlp, txl, ourp, "porthole dump", tour,
	    shinfo_pfn);
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
int
live_dumpcmp(struct xen_handle *xh, uint32_t domid, const char *path)
{
	struct dumpcmp_path kpm = { .dp_name = "seg_kpm over the live provider" };
	struct dumpcmp_path view = { .dp_name = "a seg_mf view" };
	struct dumpcmp_path *dps[2] = { &kpm, &view };
	const struct xc_core_info *ci;
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
	rc = LIVE_FAIL;
	if (ci->ci_page_size != XEN_PAGE_SIZE || total == 0 ||
	    total > SIZE_MAX / XEN_PAGE_SIZE) {
		fprintf(stderr, "%s: %s: %" PRIu64 " pages of %" PRIu64
		    " bytes: nothing to compare\n", live_prog, path, total,
		    ci->ci_page_size);
		goto out;
	}
	if ((pm = xen_physmem_open(xh, domid, &err)) == NULL) {
		live_fail(&err, "binding domain memory");
		goto out;
	}
	if (xen_domain_info(xh, domid, &di, &err) < 0) {
		live_fail(&err, "domain info");
		goto out;
	}
	if (!di.di_paused) {
		fprintf(stderr, "%s: domain %" PRIu32 " is running: pause it "
		    "for the dump and the comparison, so that both see the "
		    "same memory\n", live_prog, domid);
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
	xc_core_close(core);
	return rc;
}

/* xl's dump of the paused domain equals our mappings of its memory. */
static int
check_dump_core(struct live_ctx *ctx)
{
	char xlp[1024];
	struct xen_pause *g;
	double txl = 0;
	int rc;

	if ((rc = xcl_enabled(ctx)) != LIVE_OK)
		return rc;
	xcl_path(xlp, sizeof(xlp), ctx, "core", "xl");
	if ((g = xcl_pause_xl_dump(ctx, xlp, &txl)) == NULL) {
		rc = LIVE_FAIL;
	} else {
		printf("xl dump-core %.1f s\n", txl);
		rc = live_dumpcmp(ctx->lc_xh, ctx->lc_domid, xlp);
		rc = xcl_release(ctx, g, rc);
	}
	unlink(xlp);
	return rc;
}

const struct live_check live_xccore_checks[] = {
	{ "xccore-rewrite", "xl dump-core rewritten by our xc-core writer "
	    "reads back the same (byte-identical without padding)",
	    check_xccore_rewrite },
	{ "xccore-dump", "our live dump of the paused domain equals xl "
	    "dump-core page for page", check_xccore_dump },
	{ "dump-core", "every page of xl dump-core equals porthole's "
	    "seg_kpm and seg_mf reads of the paused domain", check_dump_core },
	{ NULL, NULL, NULL }
};
