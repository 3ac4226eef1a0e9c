/*
 * live_grant.c - xenlive's checks of grant mapping (xen/xen_grant.h)
 * against a running test domain.
 *
 * The guest's granter program (tests/xen/guest/granter.c) offers dom0
 * some writable grants and one read-only grant, each page filled with a
 * text it prints on the console ("GRANT <n> gref=<ref> rw=<0|1>
 * text=<unit>", then "GRANTS-DONE <N>").  The checks parse those lines,
 * reserve a PROT_NONE range the way an address space does, map the grants
 * into it and compare each page whole with the text; they check the
 * per-reference errors (a read-only grant asked for writing, references
 * the guest never offered) and that unmapping any part of the range puts
 * the reservation back with no hole (/proc/self/maps), and that Xen no
 * longer counts the grant as mapped once it is unmapped.
 *
 * A guest that says GRANTS-UNAVAILABLE (no gntalloc) or prints no GRANT
 * line makes every check skip with the reason.
 */
#define _GNU_SOURCE
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "xen/xen_grant.h"
#include "tests/xen/live/live.h"

#define LG_PAGE		((size_t)XEN_GRANT_PAGE_SIZE)
/* Beyond any guest's grant table (Xen says GNTST_bad_gntref). */
#define LG_REF_BEYOND	UINT32_C(0x7ffffff0)
/*
 * Inside the table but never offered: Linux keeps references 0..7 for
 * the toolstack and uses only 0 (console) and 1 (xenstore).
 */
#define LG_REF_UNUSED	UINT32_C(7)
/* A domain id no test bed has. */
#define LG_NO_DOMAIN	UINT32_C(32000)

/* Parse, require what the check needs, open the handle. */
static int
lg_setup(struct live_ctx *ctx, struct live_grants *gs, size_t need_rw,
    bool need_ro, struct xen_grant **gtp)
{
	struct xen_err err;
	int rc;

	if ((rc = live_parse_grants(ctx->lc_console, gs, need_rw,
	    need_ro)) != LIVE_OK)
		return rc;
	xen_err_clear(&err);
	*gtp = xen_grant_open(ctx->lc_domid, &err);
	if (*gtp == NULL)
		return live_fail(&err, "opening the grant device");
	return LIVE_OK;
}

/* A PROT_NONE reservation of n pages, as an address space makes one. */
static unsigned char *
lg_reserve(size_t n)
{
	void *p;

	p = mmap(NULL, n * LG_PAGE, PROT_NONE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED) {
		fprintf(stderr, "%s: reserving %zu pages: %s\n", live_prog, n,
		    strerror(errno));
		return NULL;
	}
	return p;
}

static void
lg_show_errs(const uint32_t *refs, const int *errs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		fprintf(stderr, "    ref %" PRIu32 ": %s\n", refs[i],
		    errs[i] == 0 ? "mapped" : strerror(errs[i]));
}

/* All grants, read-only, in one call: every page holds its text. */
static int
check_grant_map(struct live_ctx *ctx)
{
	struct live_grants gs;
	struct xen_grant *gt = NULL;
	struct xen_err err;
	uint32_t refs[LIVE_MAX_GRANTS];
	int errs[LIVE_MAX_GRANTS];
	unsigned char *base = NULL;
	ssize_t failed;
	size_t i, bad = 0;
	int rc;

	if ((rc = lg_setup(ctx, &gs, 1, false, &gt)) != LIVE_OK)
		return rc;
	rc = LIVE_FAIL;
	if ((base = lg_reserve(gs.gs_n)) == NULL)
		goto out;
	for (i = 0; i < gs.gs_n; i++)
		refs[i] = gs.gs_grant[i].g_ref;
	xen_err_clear(&err);
	failed = xen_grant_map_at(gt, refs, gs.gs_n, base, PROT_READ, errs,
	    &err);
	if (failed != 0) {
		live_fail(&err, "mapping the guest's grants read-only");
		if (failed > 0)
			lg_show_errs(refs, errs, gs.gs_n);
		goto out;
	}
	for (i = 0; i < gs.gs_n; i++)
		if (!live_grant_ok(&gs.gs_grant[i], base + i * LG_PAGE,
		    "mapped read-only"))
			bad++;
	if (xen_grant_unmap_at(gt, base, gs.gs_n, &err) < 0) {
		live_fail(&err, "unmapping");
		goto out;
	}
	if (bad == 0 && live_reserved(base, gs.gs_n, "after unmapping all")) {
		printf("%zu grant pages of domain %" PRIu32 " mapped in one "
		    "call match their text\n", gs.gs_n, ctx->lc_domid);
		rc = LIVE_OK;
	}
out:
	if (base != NULL)
		munmap(base, gs.gs_n * LG_PAGE);
	xen_grant_close(gt);
	return rc;
}

/*
 * The writable grants mapped read-write: they hold their text, and a
 * write through one shows in a second, read-only mapping of the same
 * grant (the very page the guest offered).  The byte is put back.
 */
static int
check_grant_write(struct live_ctx *ctx)
{
	struct live_grants gs;
	struct xen_grant *gt = NULL;
	struct xen_err err;
	uint32_t refs[LIVE_MAX_GRANTS];
	int errs[LIVE_MAX_GRANTS], rerr;
	unsigned char *base = NULL, *rw0, *ro0, old;
	size_t i, n, bad = 0;
	ssize_t failed;
	int rc;

	if ((rc = lg_setup(ctx, &gs, 1, false, &gt)) != LIVE_OK)
		return rc;
	rc = LIVE_FAIL;
	n = gs.gs_nrw;
	/* n writable pages, then a read-only view of the first grant. */
	if ((base = lg_reserve(n + 1)) == NULL)
		goto out;
	for (i = 0; i < n; i++)
		refs[i] = gs.gs_grant[gs.gs_rw[i]].g_ref;
	xen_err_clear(&err);
	failed = xen_grant_map_at(gt, refs, n, base, PROT_READ | PROT_WRITE,
	    errs, &err);
	if (failed != 0) {
		live_fail(&err, "mapping the writable grants read-write");
		if (failed > 0)
			lg_show_errs(refs, errs, n);
		goto out;
	}
	for (i = 0; i < n; i++)
		if (!live_grant_ok(&gs.gs_grant[gs.gs_rw[i]],
		    base + i * LG_PAGE, "mapped read-write"))
			bad++;
	rw0 = base;
	ro0 = base + n * LG_PAGE;
	if (xen_grant_map_at(gt, refs, 1, ro0, PROT_READ, &rerr, &err) != 0) {
		live_fail(&err, "mapping the first writable grant a second "
		    "time, read-only");
		goto unmap;
	}
	old = rw0[100];
	rw0[100] = (unsigned char)(old ^ 0x5a);
	if (ro0[100] != (unsigned char)(old ^ 0x5a)) {
		fprintf(stderr, "%s: a write through the read-write mapping "
		    "of ref %" PRIu32 " does not show in its read-only "
		    "mapping (0x%02x, wrote 0x%02x)\n", live_prog, refs[0],
		    ro0[100], old ^ 0x5a);
		bad++;
	}
	rw0[100] = old;
	if (!live_grant_ok(&gs.gs_grant[gs.gs_rw[0]], ro0, "after the write "
	    "was undone"))
		bad++;
unmap:
	if (xen_grant_unmap_at(gt, base, n + 1, &err) < 0) {
		live_fail(&err, "unmapping");
		goto out;
	}
	if (bad == 0 && live_reserved(base, n + 1, "after unmapping")) {
		printf("%zu writable grants mapped read-write; a write through "
		    "one shows in a second mapping and was undone\n", n);
		rc = LIVE_OK;
	}
out:
	if (base != NULL)
		munmap(base, (gs.gs_nrw + 1) * LG_PAGE);
	xen_grant_close(gt);
	return rc;
}

/*
 * The read-only grant: asked for writing it fails alone with EACCES and a
 * sentence naming the domain and the reference (its neighbour in the
 * call maps); asked for reading it maps and holds its text.
 */
static int
check_grant_readonly(struct live_ctx *ctx)
{
	struct live_grants gs;
	struct xen_grant *gt = NULL;
	struct xen_err err;
	const struct live_grant *ro, *rw;
	uint32_t refs[2];
	int errs[2];
	unsigned char *base = NULL;
	char want_ref[32], want_dom[32];
	const char *msg;
	ssize_t failed;
	int rc;

	if ((rc = lg_setup(ctx, &gs, 1, true, &gt)) != LIVE_OK)
		return rc;
	rc = LIVE_FAIL;
	ro = &gs.gs_grant[gs.gs_ro];
	rw = &gs.gs_grant[gs.gs_rw[0]];
	if ((base = lg_reserve(2)) == NULL)
		goto out;
	refs[0] = rw->g_ref;
	refs[1] = ro->g_ref;
	xen_err_clear(&err);
	failed = xen_grant_map_at(gt, refs, 2, base, PROT_READ | PROT_WRITE,
	    errs, &err);
	msg = xen_err_msg(&err);
	printf("writable + read-only grant asked read-write: %zd failed: "
	    "%s\n", failed, msg);
	if (failed != 1 || errs[0] != 0 || errs[1] != EACCES) {
		fprintf(stderr, "%s: expected only ref %" PRIu32 " to fail, "
		    "with EACCES\n", live_prog, ro->g_ref);
		if (failed >= 0)
			lg_show_errs(refs, errs, 2);
		goto unmap;
	}
	snprintf(want_ref, sizeof(want_ref), "reference %" PRIu32, ro->g_ref);
	snprintf(want_dom, sizeof(want_dom), "domain %" PRIu32, ctx->lc_domid);
	if (err.xe_errno != EACCES || strstr(msg, want_ref) == NULL ||
	    strstr(msg, want_dom) == NULL || strstr(msg, "read-only") == NULL) {
		fprintf(stderr, "%s: the message does not name the %s, the %s "
		    "and read-only access\n", live_prog, want_dom, want_ref);
		goto unmap;
	}
	if (!live_grant_ok(rw, base, "mapped beside the refused one") ||
	    !live_reserved(base + LG_PAGE, 1, "the refused page"))
		goto unmap;
	/* Asked for reading, the read-only grant maps. */
	failed = xen_grant_map_at(gt, &refs[1], 1, base + LG_PAGE, PROT_READ,
	    &errs[1], &err);
	if (failed != 0) {
		live_fail(&err, "mapping the read-only grant for reading");
		goto unmap;
	}
	if (!live_grant_ok(ro, base + LG_PAGE, "mapped read-only"))
		goto unmap;
	rc = LIVE_OK;
unmap:
	if (xen_grant_unmap_at(gt, base, 2, &err) < 0) {
		live_fail(&err, "unmapping");
		rc = LIVE_FAIL;
	} else if (rc == LIVE_OK &&
	    !live_reserved(base, 2, "after unmapping")) {
		rc = LIVE_FAIL;
	}
out:
	if (base != NULL)
		munmap(base, 2 * LG_PAGE);
	xen_grant_close(gt);
	return rc;
}

/*
 * References the guest never offered fail one by one with a clear errno
 * and sentence, their pages stay reserved, and the good references of the
 * same call map; a handle bound to a domain that does not exist reports
 * ESRCH per reference.
 */
static int
check_grant_badref(struct live_ctx *ctx)
{
	struct live_grants gs;
	struct xen_grant *gt = NULL, *nodom = NULL;
	struct xen_err err, one;
	const struct live_grant *g0, *g1;
	uint32_t refs[4];
	int errs[4], nerr;
	const int want[4] = { 0, ERANGE, 0, ENOENT };
	unsigned char *base = NULL;
	char want_ref[32];
	ssize_t failed;
	size_t i;
	int rc;

	if ((rc = lg_setup(ctx, &gs, 2, false, &gt)) != LIVE_OK)
		return rc;
	rc = LIVE_FAIL;
	g0 = &gs.gs_grant[gs.gs_rw[0]];
	g1 = &gs.gs_grant[gs.gs_rw[1]];
	if ((base = lg_reserve(4)) == NULL)
		goto out;
	refs[0] = g0->g_ref;
	refs[1] = LG_REF_BEYOND;
	refs[2] = g1->g_ref;
	refs[3] = LG_REF_UNUSED;
	xen_err_clear(&err);
	failed = xen_grant_map_at(gt, refs, 4, base, PROT_READ, errs, &err);
	printf("good, beyond-table, good, unused: %zd failed: %s\n", failed,
	    xen_err_msg(&err));
	if (failed < 0) {
		live_fail(&err, "the call as a whole failed");
		goto out;
	}
	lg_show_errs(refs, errs, 4);
	for (i = 0; i < 4; i++) {
		if (errs[i] != want[i]) {
			fprintf(stderr, "%s: ref %" PRIu32 ": expected %s\n",
			    live_prog, refs[i], want[i] == 0 ? "mapped" :
			    strerror(want[i]));
			goto unmap;
		}
		if (errs[i] == 0)
			continue;
		xen_grant_explain(gt, refs[i], errs[i], &one);
		printf("    ref %" PRIu32 ": %s\n", refs[i],
		    xen_err_msg(&one));
		snprintf(want_ref, sizeof(want_ref), "%" PRIu32, refs[i]);
		if (one.xe_errno != errs[i] ||
		    strstr(xen_err_msg(&one), want_ref) == NULL) {
			fprintf(stderr, "%s: the sentence for ref %" PRIu32
			    " does not name it\n", live_prog, refs[i]);
			goto unmap;
		}
	}
	if (failed != 2 || err.xe_errno != ERANGE) {
		fprintf(stderr, "%s: expected 2 failures, the call's message "
		    "about the first (ERANGE)\n", live_prog);
		goto unmap;
	}
	if (!live_grant_ok(g0, base, "mapped before a bad reference") ||
	    !live_grant_ok(g1, base + 2 * LG_PAGE, "mapped after a bad "
	    "reference") ||
	    !live_reserved(base + LG_PAGE, 1, "the beyond-table reference") ||
	    !live_reserved(base + 3 * LG_PAGE, 1, "the unused reference"))
		goto unmap;

	/* A domain that does not exist. */
	nodom = xen_grant_open(LG_NO_DOMAIN, &err);
	if (nodom == NULL) {
		live_fail(&err, "opening a handle for a missing domain");
		goto unmap;
	}
	if (xen_grant_unmap_at(gt, base, 1, &err) < 0) {
		live_fail(&err, "unmapping page 0");
		goto unmap;
	}
	failed = xen_grant_map_at(nodom, &refs[0], 1, base, PROT_READ, &nerr,
	    &err);
	printf("ref %" PRIu32 " through a handle for domain %" PRIu32 ": %s\n",
	    refs[0], LG_NO_DOMAIN, xen_err_msg(&err));
	if (failed != 1 || nerr != ESRCH || !live_reserved(base, 1,
	    "a reference of a missing domain"))  {
		fprintf(stderr, "%s: expected ESRCH for a missing domain\n",
		    live_prog);
		goto unmap;
	}
	rc = LIVE_OK;
unmap:
	if (xen_grant_unmap_at(gt, base, 4, &err) < 0) {
		live_fail(&err, "unmapping");
		rc = LIVE_FAIL;
	} else if (rc == LIVE_OK &&
	    !live_reserved(base, 4, "after unmapping")) {
		rc = LIVE_FAIL;
	}
out:
	if (base != NULL)
		munmap(base, 4 * LG_PAGE);
	xen_grant_close(nodom);
	xen_grant_close(gt);
	return rc;
}

/* The pages of [first, first + n) among grants mapped at base hold text. */
static bool
lg_pages_ok(const unsigned char *base, const struct live_grants *gs,
    size_t first, size_t n, const char *what)
{
	size_t i;
	bool ok = true;

	for (i = first; i < first + n; i++)
		if (!live_grant_ok(&gs->gs_grant[gs->gs_rw[i]],
		    base + (i + 1) * LG_PAGE, what))
			ok = false;
	return ok;
}

/*
 * Partial unmaps: the writable grants mapped in one call between two
 * guard pages; unmap the middle, then one end, then everything (including
 * pages already unmapped).  After each step the unmapped pages are
 * reserved with no hole anywhere in the range, and the others still read
 * their text.  Finally the same references map again at the same place.
 */
static int
check_grant_partial(struct live_ctx *ctx)
{
	struct live_grants gs;
	struct xen_grant *gt = NULL;
	struct xen_err err;
	uint32_t refs[LIVE_MAX_GRANTS];
	int errs[LIVE_MAX_GRANTS];
	unsigned char *base = NULL, *first;
	size_t i, n, mid, nmid;
	ssize_t failed;
	int rc;

	if ((rc = lg_setup(ctx, &gs, 3, false, &gt)) != LIVE_OK)
		return rc;
	rc = LIVE_FAIL;
	n = gs.gs_nrw;
	if ((base = lg_reserve(n + 2)) == NULL)
		goto out;
	first = base + LG_PAGE;
	for (i = 0; i < n; i++)
		refs[i] = gs.gs_grant[gs.gs_rw[i]].g_ref;
	xen_err_clear(&err);
	failed = xen_grant_map_at(gt, refs, n, first, PROT_READ, errs, &err);
	if (failed != 0) {
		live_fail(&err, "mapping the writable grants");
		goto out;
	}
	if (!lg_pages_ok(base, &gs, 0, n, "mapped") ||
	    !live_reserved(base, 1, "the guard page below") ||
	    !live_reserved(base + (n + 1) * LG_PAGE, 1,
	    "the guard page above"))
		goto unmap;

	/* The middle: pages 1 .. n-2 of the call. */
	mid = 1;
	nmid = n - 2;
	if (xen_grant_unmap_at(gt, first + mid * LG_PAGE, nmid, &err) < 0) {
		live_fail(&err, "unmapping the middle");
		goto unmap;
	}
	if (!live_reserved(first + mid * LG_PAGE, nmid,
	    "the unmapped middle") ||
	    !lg_pages_ok(base, &gs, 0, 1, "below an unmapped middle") ||
	    !lg_pages_ok(base, &gs, n - 1, 1, "above an unmapped middle"))
		goto unmap;
	printf("unmapped pages %zu..%zu of %zu: reserved, the ends still "
	    "read their text\n", mid, mid + nmid - 1, n);

	/* One end. */
	if (xen_grant_unmap_at(gt, first, 1, &err) < 0) {
		live_fail(&err, "unmapping the first page");
		goto unmap;
	}
	if (!live_reserved(base, n, "after unmapping the first page too") ||
	    !lg_pages_ok(base, &gs, n - 1, 1, "after unmapping the rest"))
		goto unmap;

	/* Everything, pages already unmapped included. */
	if (xen_grant_unmap_at(gt, first, n, &err) < 0) {
		live_fail(&err, "unmapping everything");
		goto unmap;
	}
	if (!live_reserved(base, n + 2, "after unmapping everything"))
		goto unmap;

	/* The same references, the same place: nothing was left behind. */
	failed = xen_grant_map_at(gt, refs, n, first, PROT_READ, errs, &err);
	if (failed != 0) {
		live_fail(&err, "mapping the grants again");
		goto unmap;
	}
	if (!lg_pages_ok(base, &gs, 0, n, "mapped again"))
		goto unmap;
	printf("unmapped the first page, then all; mapped all %zu again\n", n);
	rc = LIVE_OK;
unmap:
	if (xen_grant_unmap_at(gt, first, n, &err) < 0) {
		live_fail(&err, "unmapping");
		rc = LIVE_FAIL;
	} else if (rc == LIVE_OK && !live_reserved(base, n + 2,
	    "after the final unmap")) {
		rc = LIVE_FAIL;
	}
out:
	if (base != NULL)
		munmap(base, (gs.gs_nrw + 2) * LG_PAGE);
	xen_grant_close(gt);
	return rc;
}

/*
 * How Xen sees grant ref of domain domid: its active entry's pin count for
 * a mapping by dom0, from the 'g' debug key (`xl debug-keys g`, then the
 * hypervisor's console ring through `xl dmesg`).  0 when not mapped.
 * -1 when the dump cannot be had (said on stderr).
 */
static long
lg_xen_pin(uint32_t domid, uint32_t ref)
{
	char line[512], head[48];
	unsigned int r, pin, flags;
	unsigned long mfn, gmfn;
	int ldom, sdom, tries, dumps;
	long found;
	bool in_dump, in_dom;
	FILE *f;

	snprintf(head, sizeof(head), "grant-table for remote d%" PRIu32 " ",
	    domid);
	for (tries = 0; tries < 20; tries++) {
		if (system("xl debug-keys g >/dev/null 2>&1") != 0) {
			fprintf(stderr, "%s: xl debug-keys g failed\n",
			    live_prog);
			return -1;
		}
		usleep(100000);
		f = popen("xl dmesg 2>/dev/null", "r");
		if (f == NULL) {
			fprintf(stderr, "%s: xl dmesg: %s\n", live_prog,
			    strerror(errno));
			return -1;
		}
		/* The last complete dump wins. */
		found = -1;
		dumps = 0;
		in_dump = in_dom = false;
		while (fgets(line, sizeof(line), f) != NULL) {
			const char *p;

			if (strstr(line, "key 'g' pressed") != NULL) {
				in_dump = true;
				in_dom = false;
				found = 0;
				continue;
			}
			if (!in_dump)
				continue;
			if (strstr(line, "gnttab_usage_print_all ]") != NULL) {
				in_dump = false;
				dumps++;
				continue;
			}
			if (strstr(line, "grant-table for remote") != NULL) {
				in_dom = strstr(line, head) != NULL;
				continue;
			}
			if (!in_dom || (p = strstr(line, "[0x")) == NULL)
				continue;
			if (sscanf(p, "[0x%x] %d 0x%lx 0x%x %d 0x%lx 0x%x", &r,
			    &ldom, &mfn, &pin, &sdom, &gmfn, &flags) == 7 &&
			    r == ref && ldom == 0)
				found = (long)pin;
		}
		pclose(f);
		if (dumps > 0 && !in_dump)
			return found;
	}
	fprintf(stderr, "%s: no complete grant-table dump in xl dmesg\n",
	    live_prog);
	return -1;
}

/*
 * Unmapping releases the grant: Xen counts a mapping of the reference by
 * dom0 while it is mapped, and none once it is unmapped.
 */
static int
check_grant_release(struct live_ctx *ctx)
{
	struct live_grants gs;
	struct xen_grant *gt = NULL;
	struct xen_err err;
	const struct live_grant *g;
	unsigned char *base = NULL;
	long before, during, after = -1;
	char xl[256];
	int e, i, rc;

	if (!live_find_prog("xl", NULL, xl, sizeof(xl)))
		return live_skip("needs xl to read Xen's grant table dump");
	if ((rc = lg_setup(ctx, &gs, 1, false, &gt)) != LIVE_OK)
		return rc;
	rc = LIVE_FAIL;
	g = &gs.gs_grant[gs.gs_rw[gs.gs_nrw - 1]];
	if ((base = lg_reserve(1)) == NULL)
		goto out;
	if ((before = lg_xen_pin(ctx->lc_domid, g->g_ref)) < 0)
		goto out;
	xen_err_clear(&err);
	if (xen_grant_map_at(gt, &g->g_ref, 1, base, PROT_READ, &e, &err) !=
	    0) {
		live_fail(&err, "mapping");
		goto out;
	}
	during = lg_xen_pin(ctx->lc_domid, g->g_ref);
	if (xen_grant_unmap_at(gt, base, 1, &err) < 0) {
		live_fail(&err, "unmapping");
		goto out;
	}
	/* The kernel may finish the grant unmap a moment later. */
	for (i = 0; i < 10; i++) {
		after = lg_xen_pin(ctx->lc_domid, g->g_ref);
		if (after <= 0)
			break;
		usleep(200000);
	}
	printf("ref %" PRIu32 ": Xen's pin count for dom0 before %ld, while "
	    "mapped 0x%lx, after unmapping %ld\n", g->g_ref, before, during,
	    after);
	if (before != 0 || during <= 0 || after != 0) {
		fprintf(stderr, "%s: expected no pin, a pin while mapped, and "
		    "none after unmapping\n", live_prog);
		goto out;
	}
	if (live_reserved(base, 1, "after unmapping"))
		rc = LIVE_OK;
out:
	if (base != NULL)
		munmap(base, LG_PAGE);
	xen_grant_close(gt);
	return rc;
}

const struct live_check live_grant_checks[] = {
	{ "grant-map", "every grant the guest offers maps read-only in one "
	    "call and holds its text", check_grant_map },
	{ "grant-write", "writable grants map read-write; a write shows in "
	    "a second mapping of the grant", check_grant_write },
	{ "grant-readonly", "a read-only grant asked for writing fails alone "
	    "(EACCES), maps for reading", check_grant_readonly },
	{ "grant-badref", "references never offered fail one by one, the "
	    "rest of the call maps", check_grant_badref },
	{ "grant-partial", "unmapping parts of a call's range leaves "
	    "reservations, no hole; the rest reads", check_grant_partial },
	{ "grant-release", "Xen counts the grant mapped while it is, not "
	    "after unmapping", check_grant_release },
	{ NULL, NULL, NULL }
};
