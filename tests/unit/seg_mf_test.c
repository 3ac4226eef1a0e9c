/*
 * seg_mf_test.c -- the machine-frame driver without Xen: argument and
 * error handling of every call (bad ranges, kluster 0 and 1025, bad
 * protections and flags, dom0 and DOMID_SELF refused, no Xen gives a
 * clear error), and the per-page bookkeeping through a test frame source:
 * klusters (batch calls counted per kluster size), gfn ranges and lists,
 * prefault with per-page errors, holes and bad frames (errors or zeros),
 * a dying domain, a batch call failing as a whole, read-only enforcement
 * (as_write EACCES, a direct write SIGSEGV), setprot within maxprot,
 * softlock pins, partial unmaps keeping what stays mapped, incore, adding
 * frames later, dup and injected failures.  Grant references through a
 * test grant source: argument errors, the handle opened once and lazily
 * (and closed when the last piece of a split segment goes), read-only
 * unless asked, per-reference errors with the source's sentences, frames
 * and grants in one segment (frames unmapped first, grants standing
 * alone under a cut), faults, setprot, pins, dup refused, stats counted
 * apart, injected failures.  The verifier runs after every change.  The
 * live checks (tests/xen/live/live_segmf.c) are the proof against a real
 * domain.
 *
 * The test source stands in for a domain: "guest memory" is a temporary
 * file of FAKE_FRAMES pages, page g holding a pattern made from g; a
 * frame is mapped as a shared file page (so writes persist as they would
 * in a guest), and chosen frames fail (holes ENXIO, a bad frame EIO, the
 * whole domain ESRCH, or the next call as a whole).  Its grant table has
 * FAKE_GREFS references past those frames (reference r shows file page
 * FAKE_FRAMES + r); one is offered read-only, one not at all, and the
 * source keeps a list of the pages it has mapped now, so the tests see
 * that every grant seg_mf maps goes back through it.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <porthole/porthole.h>
#include <porthole/seg_nf.h>
#include "seg_mf/seg_mf.h"
#include "tests/test.h"
#include "vm/hat.h"
#include "vm/inject.h"
#include "vm/seg.h"
#include "xen/xen_err.h"
#ifdef HAVE_XEN
#include "xen/xen_domain.h"
#include "xen/xen_physmem.h"
#endif

#define	FAKE_FRAMES	4096
#define	FAKE_MAX_HOLES	8
#define	DOMID_SELF_ID	0x7ff0u
#define	FAKE_GREFS	64		/* the grant table: 0..63 */
#define	FAKE_GREF_RO	9		/* offered read-only */
#define	FAKE_GREF_NONE	11		/* in the table, never offered */
#define	FAKE_MAX_LIVE	256

struct fake_dom {
	int		fd_fd;
	uint32_t	fd_domid;
	uint64_t	fd_holes[FAKE_MAX_HOLES];
	size_t		fd_nholes;
	uint64_t	fd_bad;		/* fails with EIO; UINT64_MAX: none */
	bool		fd_dead;	/* every frame ESRCH */
	bool		fd_fail_call;	/* the next call fails as a whole */
	int		fd_refs;
	unsigned	fd_calls;
	size_t		fd_max_count;	/* largest batch seen */
};

/*
 * The test grant source: a handle per open (freed at close, so a use
 * after close shows under the sanitizers), the pages mapped now.
 */
struct fake_grants {
	int		fg_fail_open;	/* errno of the next open; 0: none */
	bool		fg_fail_call;	/* the next map fails as a whole */
	bool		fg_dead;	/* every reference ESRCH */
	unsigned	fg_opens, fg_closes, fg_calls, fg_unmaps;
	size_t		fg_max_count;
	void		*fg_live[FAKE_MAX_LIVE];	/* pages mapped now */
	size_t		fg_nlive;
	unsigned	fg_overlaps;	/* maps over a page mapped already */
	unsigned	fg_strays;	/* unmaps of pages never mapped */
};

struct fake_grant_handle {
	uint32_t	fh_domid;
	unsigned	fh_magic;
};
#define	FAKE_HANDLE_MAGIC	0x6a7e5eedu

static size_t pagesize;
static struct fake_dom fake;
static struct fake_grants fgr;

static int
fake_err(const struct fake_dom *fd, uint64_t gfn)
{
	size_t i;

	if (fd->fd_dead)
		return (ESRCH);
	if (gfn >= FAKE_FRAMES)
		return (ENXIO);
	for (i = 0; i < fd->fd_nholes; i++)
		if (fd->fd_holes[i] == gfn)
			return (ENXIO);
	return (gfn == fd->fd_bad ? EIO : 0);
}

/* The frame-source contract of seg_mf.h, over the file. */
static ssize_t
fake_map(void *src, const uint64_t *gfns, size_t count, void *addr,
    unsigned prot, int *errs)
{
	struct fake_dom *fd = src;
	size_t i, failed = 0;

	fd->fd_calls++;
	if (count > fd->fd_max_count)
		fd->fd_max_count = count;
	if (fd->fd_fail_call) {
		fd->fd_fail_call = false;
		hat_unload_nofail(addr, count * pagesize);
		errno = EIO;
		return (-1);
	}
	for (i = 0; i < count; i++) {
		char *a = (char *)addr + i * pagesize;
		int e = fake_err(fd, gfns[i]);

		if (e == 0)
			e = hat_load_file(a, pagesize, prot, MAP_SHARED,
			    fd->fd_fd, (off_t)(gfns[i] * pagesize));
		else
			hat_unload_nofail(a, pagesize);
		errs[i] = e;
		failed += e != 0;
	}
	return ((ssize_t)failed);
}

static uint32_t
fake_domid(void *src)
{
	return (((struct fake_dom *)src)->fd_domid);
}

static void
fake_hold(void *src)
{
	((struct fake_dom *)src)->fd_refs++;
}

static void
fake_rele(void *src)
{
	((struct fake_dom *)src)->fd_refs--;
}

static void
fake_describe(void *src, char *buf, size_t len)
{
	(void) snprintf(buf, len, "fake domain %u",
	    ((struct fake_dom *)src)->fd_domid);
}

static const struct segmf_source_ops fake_ops = {
	.fs_name = "fake",
	.fs_map = fake_map,
	.fs_domid = fake_domid,
	.fs_hold = fake_hold,
	.fs_rele = fake_rele,
	.fs_describe = fake_describe,
};

static void *
fake_gopen(uint32_t domid, struct xen_err *err)
{
	struct fake_grant_handle *fh;
	int e;

	if ((e = fgr.fg_fail_open) != 0) {
		fgr.fg_fail_open = 0;
		(void) xen_err_set(err, e, "fake grant device for domain %"
		    PRIu32 ": %s", domid, strerror(e));
		return (NULL);
	}
	REQUIRE((fh = malloc(sizeof (*fh))) != NULL);
	fh->fh_domid = domid;
	fh->fh_magic = FAKE_HANDLE_MAGIC;
	fgr.fg_opens++;
	return (fh);
}

static void
fake_gclose(void *gh)
{
	struct fake_grant_handle *fh = gh;

	REQUIRE(fh->fh_magic == FAKE_HANDLE_MAGIC);
	fh->fh_magic = 0;
	free(fh);
	fgr.fg_closes++;
}

static ssize_t
fake_live_find(const void *a)
{
	size_t i;

	for (i = 0; i < fgr.fg_nlive; i++)
		if (fgr.fg_live[i] == a)
			return ((ssize_t)i);
	return (-1);
}

static int
fake_gerr(uint32_t ref, unsigned prot)
{
	if (fgr.fg_dead)
		return (ESRCH);
	if (ref >= FAKE_GREFS)
		return (ERANGE);
	if (ref == FAKE_GREF_NONE)
		return (ENOENT);
	return (ref == FAKE_GREF_RO && (prot & PROT_WRITE) ? EACCES : 0);
}

/* The grant-source contract of seg_mf.h, over the file. */
static ssize_t
fake_gmap(void *gh, const uint32_t *refs, size_t count, void *addr,
    unsigned prot, int *errs)
{
	struct fake_grant_handle *fh = gh;
	size_t i, failed = 0;

	REQUIRE(fh->fh_magic == FAKE_HANDLE_MAGIC);
	fgr.fg_calls++;
	if (count > fgr.fg_max_count)
		fgr.fg_max_count = count;
	if (fgr.fg_fail_call) {
		fgr.fg_fail_call = false;
		hat_unload_nofail(addr, count * pagesize);
		errno = EIO;
		return (-1);
	}
	for (i = 0; i < count; i++) {
		char *a = (char *)addr + i * pagesize;
		int e = fake_gerr(refs[i], prot);

		if (fake_live_find(a) >= 0)
			fgr.fg_overlaps++;
		if (e == 0)
			e = hat_load_file(a, pagesize, prot, MAP_SHARED,
			    fake.fd_fd, (off_t)((FAKE_FRAMES + refs[i]) *
			    pagesize));
		if (e == 0) {
			REQUIRE(fgr.fg_nlive < FAKE_MAX_LIVE);
			fgr.fg_live[fgr.fg_nlive++] = a;
		} else {
			hat_unload_nofail(a, pagesize);
		}
		errs[i] = e;
		failed += e != 0;
	}
	return ((ssize_t)failed);
}

static int
fake_gunmap(void *gh, void *addr, size_t count)
{
	struct fake_grant_handle *fh = gh;
	size_t i;
	ssize_t k;
	int e;

	REQUIRE(fh->fh_magic == FAKE_HANDLE_MAGIC);
	fgr.fg_unmaps++;
	if ((e = hat_unload(addr, count * pagesize)) != 0) {
		errno = e;
		return (-1);
	}
	for (i = 0; i < count; i++) {
		if ((k = fake_live_find((char *)addr + i * pagesize)) < 0) {
			fgr.fg_strays++;
			continue;
		}
		fgr.fg_live[k] = fgr.fg_live[--fgr.fg_nlive];
	}
	return (0);
}

static void
fake_gexplain(void *gh, uint32_t ref, int errnum, struct xen_err *err)
{
	struct fake_grant_handle *fh = gh;

	REQUIRE(fh->fh_magic == FAKE_HANDLE_MAGIC);
	(void) xen_err_set(err, errnum, "fake grant %" PRIu32 " of domain %"
	    PRIu32 ": %s", ref, fh->fh_domid, strerror(errnum));
}

static const struct segmf_grant_ops fake_grant_ops = {
	.gs_name = "fake grants",
	.gs_open = fake_gopen,
	.gs_map = fake_gmap,
	.gs_unmap = fake_gunmap,
	.gs_explain = fake_gexplain,
	.gs_close = fake_gclose,
};

/* The word at index w of guest frame g. */
static uint64_t
pattern(uint64_t g, size_t w)
{
	return ((g << 20) ^ (uint64_t)w ^ 0x5eed000000000000ULL);
}

/* True when the page at p holds frame g's pattern. */
static bool
page_is(const void *p, uint64_t g)
{
	const uint64_t *w = p;
	size_t i;

	for (i = 0; i < pagesize / sizeof (uint64_t); i++)
		if (w[i] != pattern(g, i))
			return (false);
	return (true);
}

static void
fake_reset(void)
{
	fake.fd_domid = 7;
	fake.fd_nholes = 0;
	fake.fd_bad = UINT64_MAX;
	fake.fd_dead = false;
	fake.fd_fail_call = false;
	fake.fd_calls = 0;
	fake.fd_max_count = 0;
}

static void
fake_init(void)
{
	uint64_t *buf;
	size_t g, i;

	fake.fd_fd = tmpfile_fd((size_t)(FAKE_FRAMES + FAKE_GREFS) * pagesize);
	REQUIRE((buf = malloc(pagesize)) != NULL);
	for (g = 0; g < FAKE_FRAMES + FAKE_GREFS; g++) {
		for (i = 0; i < pagesize / sizeof (uint64_t); i++)
			buf[i] = pattern(g, i);
		REQUIRE(pwrite(fake.fd_fd, buf, pagesize,
		    (off_t)(g * pagesize)) == (ssize_t)pagesize);
	}
	free(buf);
	fake_reset();
}

/* Arguments for a RANGE segment from frame first over the fake domain. */
static struct segmf_crargs
range_args(uint64_t first, size_t kluster, unsigned prot)
{
	struct segmf_crargs a;

	memset(&a, 0, sizeof (a));
	a.src_ops = &fake_ops;
	a.src = &fake;
	a.frames = SEGMF_FRAMES_RANGE;
	a.first_gfn = first;
	a.kluster = kluster;
	a.prot = prot;
	return (a);
}

static struct segmf_stats
stats_at(struct as *as, void *addr)
{
	struct segmf_stats st;

	memset(&st, 0xff, sizeof (st));
	CHECK(segmf_stats(as, addr, &st) == 0);
	return (st);
}

/* as_map must fail with e and leave nothing behind. */
static void
check_create_fails(struct as *as, char *b, size_t npages,
    struct segmf_crargs *a, int e, const char *what)
{
	size_t nsegs = as_nsegs(as);
	int refs = fake.fd_refs;

	errno = 0;
	if (as_map(as, b, npages * pagesize, segmf_create, a) == 0) {
		fprintf(stderr, "%s: created\n", what);
		CHECK(!"create should have failed");
		(void) as_unmap(as, b, npages * pagesize);
		return;
	}
	if (errno != e)
		fprintf(stderr, "%s: errno %d (%s), expected %s\n", what,
		    errno, strerror(errno), strerror(e));
	CHECK(errno == e);
	CHECK(as_nsegs(as) == nsegs);
	CHECK(fake.fd_refs == refs);
	CHECK_VERIFY(as);
}

static void
test_create_args(struct as *as, char *b)
{
	struct segmf_source_ops partial = fake_ops;
	struct segmf_crargs a;
	uint64_t gfn = 1;

	fake_reset();
	errno = 0;
	CHECK(as_map(as, b, pagesize, segmf_create, NULL) == -1 &&
	    errno == EINVAL);
	a = range_args(0, 16, PROT_READ);
	a.pm = (struct xen_physmem *)&fake;	/* two sources */
	check_create_fails(as, b, 4, &a, EINVAL, "pm and src_ops");
	a = range_args(0, 16, PROT_READ);
	a.src_ops = NULL;
	check_create_fails(as, b, 4, &a, EINVAL, "no source");
	partial.fs_map = NULL;
	a = range_args(0, 16, PROT_READ);
	a.src_ops = &partial;
	check_create_fails(as, b, 4, &a, EINVAL, "source without fs_map");

	a = range_args(0, 0, PROT_READ);
	check_create_fails(as, b, 4, &a, EINVAL, "kluster 0");
	a = range_args(0, SEGMF_KLUSTER_MAX + 1, PROT_READ);
	check_create_fails(as, b, 4, &a, EINVAL, "kluster 1025");

	a = range_args(0, 16, PROT_READ | PROT_EXEC);
	check_create_fails(as, b, 4, &a, EINVAL, "prot exec");
	a = range_args(0, 16, PROT_WRITE);
	check_create_fails(as, b, 4, &a, EINVAL, "prot write-only");
	a = range_args(0, 16, PROT_READ | PROT_WRITE);
	a.maxprot = PROT_READ;
	check_create_fails(as, b, 4, &a, EINVAL, "prot above maxprot");
	a = range_args(0, 16, PROT_NONE);
	check_create_fails(as, b, 4, &a, EINVAL, "maxprot none");
	a = range_args(0, 16, PROT_READ);
	a.maxprot = PROT_READ | PROT_EXEC;
	check_create_fails(as, b, 4, &a, EINVAL, "maxprot exec");
	a = range_args(0, 16, PROT_READ);
	a.flags = 0x100;
	check_create_fails(as, b, 4, &a, EINVAL, "unknown flag");

	a = range_args(0, 16, PROT_READ);
	a.frames = SEGMF_FRAMES_LIST;
	check_create_fails(as, b, 4, &a, EINVAL, "list without gfns");
	a = range_args(0, 16, PROT_READ);
	a.frames = (enum segmf_frames)7;
	check_create_fails(as, b, 4, &a, EINVAL, "bad frames kind");
	a = range_args(UINT64_MAX - 2, 16, PROT_READ);
	check_create_fails(as, b, 4, &a, EINVAL, "gfn range wraps");

	/* dom0 only when asked; DOMID_SELF and special domains never. */
	fake.fd_domid = 0;
	a = range_args(0, 16, PROT_READ);
	check_create_fails(as, b, 4, &a, EACCES, "dom0");
	a.flags = SEGMF_ALLOW_DOM0;
	CHECK(as_map(as, b, 4 * pagesize, segmf_create, &a) == 0);
	CHECK(fake.fd_refs == 1);
	CHECK(as_unmap(as, b, 4 * pagesize) == 0);
	CHECK(fake.fd_refs == 0);
	fake.fd_domid = DOMID_SELF_ID;
	check_create_fails(as, b, 4, &a, EACCES, "DOMID_SELF");
	fake.fd_domid = DOMID_SELF_ID + 2;
	check_create_fails(as, b, 4, &a, EACCES, "DOMID_IO");
	fake_reset();

	/* The bounds that work. */
	a = range_args(0, 1, PROT_READ);
	CHECK(as_map(as, b, 4 * pagesize, segmf_create, &a) == 0);
	CHECK(as_unmap(as, b, 4 * pagesize) == 0);
	a = range_args(0, SEGMF_KLUSTER_MAX, PROT_NONE);
	a.maxprot = PROT_READ | PROT_WRITE;
	CHECK(as_map(as, b, 4 * pagesize, segmf_create, &a) == 0);
	CHECK_ERRNO(as_fault(as, b, pagesize, F_INVAL, S_READ), EACCES);
	CHECK(as_unmap(as, b, 4 * pagesize) == 0);
	a = range_args(0, 16, PROT_READ);
	a.frames = SEGMF_FRAMES_LIST;
	a.gfns = &gfn;
	CHECK(as_map(as, b, pagesize, segmf_create, &a) == 0);
	CHECK(as_unmap(as, b, pagesize) == 0);
	CHECK(fake.fd_calls == 0);
	CHECK(fake.fd_refs == 0);
	CHECK_VERIFY(as);
}

/* Every segmf_* call refuses bad arguments and addresses. */
static void
test_call_args(struct as *as, char *b)
{
	struct segmf_crargs a = range_args(0, 16, PROT_READ);
	struct segmf_stats st;
	uint64_t gfn = 3;
	uint32_t ref = 1;
	int errs[8];

	fake_reset();
	REQUIRE(as_map(as, b, 8 * pagesize, segmf_create, &a) == 0);
	REQUIRE(as_map(as, b + 8 * pagesize, 4 * pagesize, segnf_create,
	    NULL) == 0);

	CHECK_ERRNO(segmf_prefault(NULL, b, pagesize, errs), EINVAL);
	CHECK_ERRNO(segmf_prefault(as, b + 1, pagesize, errs), EINVAL);
	CHECK_ERRNO(segmf_prefault(as, b, 0, errs), EINVAL);
	CHECK_ERRNO(segmf_prefault(as, b, pagesize + 1, errs), EINVAL);
	CHECK_ERRNO(segmf_prefault(as, b, 9 * pagesize, errs), EINVAL);
	CHECK_ERRNO(segmf_prefault(as, b + 8 * pagesize, pagesize, errs),
	    EINVAL);			/* a seg_nf segment */
	CHECK_ERRNO(segmf_prefault(as, b + 12 * pagesize, pagesize, errs),
	    EINVAL);			/* no segment */
	CHECK_ERRNO(segmf_prefault(as, (char *)as_window_base(as) +
	    as_window_size(as), pagesize, errs), EINVAL);

	CHECK_ERRNO(segmf_add_gfns(as, b, NULL, 1, NULL), EINVAL);
	CHECK_ERRNO(segmf_add_gfns(as, b, &gfn, 0, NULL), EINVAL);
	CHECK_ERRNO(segmf_add_gfns(as, b + 7 * pagesize, &gfn, 2, NULL),
	    EINVAL);
	CHECK_ERRNO(segmf_add_gfns(as, b + 8 * pagesize, &gfn, 1, NULL),
	    EINVAL);
	CHECK_ERRNO(segmf_add_gfns(NULL, b, &gfn, 1, NULL), EINVAL);
	CHECK_ERRNO(segmf_add_gfns(as, b, &gfn, SIZE_MAX, NULL), EINVAL);
	CHECK_ERRNO(segmf_add_gfn_range(as, b, UINT64_MAX, 2, NULL), EINVAL);
	CHECK_ERRNO(segmf_add_gfn_range(as, b + 3, 1, 1, NULL), EINVAL);
	/* No grant source given: grants are refused, said so. */
	{
		struct xen_err xe;

		xen_err_clear(&xe);
		CHECK_ERRNO(segmf_add_grefs(as, b, &ref, 1, 0, NULL, &xe),
		    ENOTSUP);
		CHECK(xe.xe_errno == ENOTSUP &&
		    strstr(xe.xe_msg, "no grant source") != NULL);
		CHECK_ERRNO(segmf_add_grefs(as, b, &ref, 1, SEGMF_GREF_WRITE,
		    errs, NULL), ENOTSUP);
	}

	CHECK_ERRNO(segmf_stats(as, b, NULL), EINVAL);
	CHECK_ERRNO(segmf_stats(NULL, b, &st), EINVAL);
	CHECK_ERRNO(segmf_stats(as, b + 8 * pagesize, &st), EINVAL);
	CHECK_ERRNO(segmf_stats(as, b + 12 * pagesize, &st), EINVAL);
	CHECK(segmf_stats(as, b + 5 * pagesize + 17, &st) == 0 &&
	    st.ms_pages == 8 && st.ms_kluster == 16 && st.ms_fills == 0);

	/* Nothing was mapped by any of it. */
	CHECK(fake.fd_calls == 0);
	CHECK(as_unmap(as, b, 12 * pagesize) == 0);
	CHECK(fake.fd_refs == 0);
	CHECK_VERIFY(as);
}

#ifdef HAVE_XEN
/* Without a Xen dom0 the Xen layer says so clearly. */
static void
test_no_xen(void)
{
	struct xen_handle *xh;
	struct xen_err err;

	if (access("/dev/xen/privcmd", F_OK) == 0 ||
	    access("/proc/xen/privcmd", F_OK) == 0) {
		fprintf(stderr, "privcmd exists: the no-Xen error is not "
		    "checked here\n");
		return;
	}
	xen_err_clear(&err);
	errno = 0;
	xh = xen_open(&err);
	CHECK(xh == NULL);
	if (xh != NULL) {
		xen_close(xh);
		return;
	}
	CHECK(errno == ENOENT || errno == EACCES);
	CHECK(err.xe_errno == errno);
	CHECK(strstr(xen_err_msg(&err), "privcmd") != NULL);
	fprintf(stderr, "no Xen: %s\n", xen_err_msg(&err));
}
#endif

static void
test_demand_range(struct as *as, char *b)
{
	struct segmf_crargs a = range_args(100, 16, PROT_READ);
	size_t len = 40 * pagesize, i;
	unsigned char vec[40], *buf;
	struct segmf_stats st;
	char text[200];
	int err;

	fake_reset();
	REQUIRE((buf = malloc(len)) != NULL);
	REQUIRE(as_map(as, b, len, segmf_create, &a) == 0);
	CHECK_VERIFY(as);
	CHECK(fake.fd_refs == 1 && fake.fd_calls == 0);
	CHECK(as_incore(as, b, len, vec) == 0 && bytes_all_zero(vec, 40));

	/* One fault maps its whole kluster (pages 16..31), one call. */
	CHECK(as_fault(as, b + 20 * pagesize, 1, F_INVAL, S_READ) == 0);
	CHECK(fake.fd_calls == 1 && fake.fd_max_count == 16);
	CHECK(as_incore(as, b, len, vec) == 0);
	for (i = 0; i < 40; i++)
		CHECK(vec[i] == (i >= 16 && i < 32));
	CHECK(page_is(b + 20 * pagesize, 120));
	CHECK_VERIFY(as);

	/* The rest: two more klusters (16 and 8 pages). */
	CHECK(as_read(as, b, buf, len, &err) == len && err == 0);
	for (i = 0; i < 40; i++)
		CHECK(page_is(buf + i * pagesize, 100 + i));
	st = stats_at(as, b);
	CHECK(st.ms_fills == 3 && st.ms_frames == 40 && st.ms_errors == 0);
	CHECK(st.ms_resident == 40 && st.ms_pages == 40 &&
	    st.ms_failed == 0 && st.ms_pinned == 0);
	CHECK(fake.fd_calls == 3);
	CHECK(as_incore(as, b, len, vec) == 0);
	for (i = 0; i < 40; i++)
		CHECK(vec[i] == 1);
	/* Warm: no more calls, and the pages are plain memory. */
	CHECK(as_read(as, b + 3, buf, 2 * pagesize, &err) ==
	    2 * pagesize && err == 0);
	CHECK(fake.fd_calls == 3);
	CHECK(page_is(b + 39 * pagesize, 139));
	seg_dump_at(as, b, text, sizeof (text));
	CHECK(strstr(text, "fake domain 7") != NULL &&
	    strstr(text, "40/40 mapped") != NULL &&
	    strstr(text, "kluster 16") != NULL &&
	    strstr(text, "r--") != NULL);
	{
		struct test_seg ts;

		CHECK(test_seg_at(as, b, &ts) == len &&
		    strcmp(ts.ts_ops, "segmf_ops") == 0 &&
		    ts.ts_offset == 100 * pagesize);
	}
	CHECK(as_unmap(as, b, len) == 0);
	CHECK(fake.fd_refs == 0);
	CHECK_VERIFY(as);
	free(buf);
}

/* A read of everything makes ceil(n / kluster) batch calls. */
static void
test_kluster_sizes(struct as *as, char *b)
{
	static const size_t sizes[] = { 1, 16, 256, 1024 };
	size_t npages = 3000, len = npages * pagesize, i, k;
	struct segmf_stats st;
	unsigned char *buf;
	int err;

	REQUIRE((buf = malloc(len)) != NULL);
	for (k = 0; k < sizeof (sizes) / sizeof (sizes[0]); k++) {
		struct segmf_crargs a = range_args(0, sizes[k], PROT_READ);
		size_t want = (npages + sizes[k] - 1) / sizes[k];

		fake_reset();
		REQUIRE(as_map(as, b, len, segmf_create, &a) == 0);
		CHECK(as_read(as, b, buf, len, &err) == len && err == 0);
		st = stats_at(as, b);
		if (st.ms_fills != want)
			fprintf(stderr, "kluster %zu: %" PRIu64 " fills, "
			    "expected %zu\n", sizes[k], st.ms_fills, want);
		CHECK(st.ms_fills == want && fake.fd_calls == want);
		CHECK(fake.fd_max_count == sizes[k]);
		CHECK(st.ms_frames == npages && st.ms_resident == npages);
		for (i = 0; i < npages; i += 997)
			CHECK(page_is(buf + i * pagesize, i));
		CHECK(page_is(buf + (npages - 1) * pagesize, npages - 1));
		CHECK_VERIFY(as);
		CHECK(as_unmap(as, b, len) == 0);
	}
	free(buf);
	fake_reset();
}

/* A list maps arbitrary frames contiguously: a flat view. */
static void
test_list_view(struct as *as, char *b)
{
	static const uint64_t gfns[] = { 100, 7, 7, 4095, 5, 2000, 1, 2 };
	size_t n = sizeof (gfns) / sizeof (gfns[0]), i;
	struct segmf_crargs a = range_args(0, 16, PROT_READ);
	unsigned char *buf;
	struct test_seg ts;
	int err;

	fake_reset();
	REQUIRE((buf = malloc(n * pagesize)) != NULL);
	a.frames = SEGMF_FRAMES_LIST;
	a.gfns = gfns;
	REQUIRE(as_map(as, b, n * pagesize, segmf_create, &a) == 0);
	CHECK(as_read(as, b, buf, n * pagesize, &err) == n * pagesize &&
	    err == 0);
	for (i = 0; i < n; i++)
		CHECK(page_is(buf + i * pagesize, gfns[i]));
	CHECK(fake.fd_calls == 1);
	/* Offsets are guest physical addresses of what each page shows. */
	CHECK(test_seg_at(as, b, &ts) > 0 && ts.ts_offset == 100 * pagesize);
	as_enter(as, AS_READER);
	{
		struct seg *seg = as_segat(as, b);

		CHECK(segop_getoffset(seg, b + 3 * pagesize + 5) ==
		    4095 * pagesize + 5);
		CHECK(segop_gettype(seg, b) == MAP_SHARED);
		CHECK(segop_kluster(seg, b, (ssize_t)pagesize) == 0);
		CHECK(segop_kluster(seg, b, (ssize_t)(n * pagesize)) == -1);
		CHECK(segop_sync(seg, b, pagesize, MS_SYNC) == 0);
		CHECK(segop_lockop(seg, b, pagesize, MC_LOCK) == ENOTSUP);
		CHECK(segop_pagelock(seg, b, pagesize, NULL, L_PAGELOCK,
		    S_READ) == ENOTSUP);
		CHECK(segop_capable(seg, S_CAPABILITY_PARTIAL_UNMAP) != 0);
		CHECK(segop_capable(seg, S_CAPABILITY_NOMINFLT) == 0);
		CHECK(segop_advise(seg, b, pagesize, MADV_DONTNEED) ==
		    ENOTSUP);
		CHECK(segop_advise(seg, b, pagesize, MADV_WILLNEED) == 0);
	}
	as_exit(as);
	CHECK(as_unmap(as, b, n * pagesize) == 0);
	free(buf);
	fake_reset();
}

static void
test_prefault_holes(struct as *as, char *b)
{
	struct segmf_crargs a = range_args(0, 8, PROT_READ);
	size_t n = 20, len = n * pagesize, i;
	unsigned char vec[20], *buf;
	struct segmf_stats st;
	int errs[20], err;

	fake_reset();
	REQUIRE((buf = malloc(len)) != NULL);
	fake.fd_holes[0] = 5;
	fake.fd_holes[1] = 9;
	fake.fd_nholes = 2;
	fake.fd_bad = 12;
	a.flags = SEGMF_PREFAULT;
	a.errs = errs;
	memset(errs, 0x55, sizeof (errs));
	REQUIRE(as_map(as, b, len, segmf_create, &a) == 0);
	CHECK_VERIFY(as);
	for (i = 0; i < n; i++)
		CHECK(errs[i] == (i == 5 || i == 9 ? ENXIO : i == 12 ? EIO :
		    0));
	st = stats_at(as, b);
	CHECK(st.ms_fills == 3 && fake.fd_calls == 3);
	CHECK(st.ms_frames == 17 && st.ms_errors == 3 &&
	    st.ms_resident == 17 && st.ms_failed == 3 && st.ms_zero == 0);
	CHECK(as_incore(as, b, len, vec) == 0);
	for (i = 0; i < n; i++)
		CHECK(vec[i] == !(i == 5 || i == 9 || i == 12));

	/* Faults report the frame's error, without asking again. */
	CHECK(as_fault(as, b, 5 * pagesize, F_INVAL, S_READ) == 0);
	CHECK_ERRNO(as_fault(as, b + 5 * pagesize, 1, F_INVAL, S_READ),
	    ENXIO);
	CHECK_ERRNO(as_fault(as, b + 12 * pagesize, 1, F_SOFTLOCK, S_READ),
	    EIO);
	CHECK(as_read(as, b, buf, len, &err) == 5 * pagesize && err == ENXIO);
	CHECK(as_read(as, b + 10 * pagesize, buf, pagesize, &err) ==
	    pagesize && err == 0 && page_is(buf, 10));
	CHECK(fake.fd_calls == 3);
	CHECK(stats_at(as, b).ms_pinned == 0);

	/* The frames come back: an explicit prefault retries the failed. */
	fake_reset();
	memset(errs, 0x55, sizeof (errs));
	CHECK(segmf_prefault(as, b, len, errs) == 0);
	for (i = 0; i < n; i++)
		CHECK(errs[i] == 0);
	CHECK(fake.fd_calls == 3);	/* pages 5, 9 and 12 */
	CHECK(as_read(as, b, buf, len, &err) == len && err == 0);
	for (i = 0; i < n; i++)
		CHECK(page_is(buf + i * pagesize, i));
	/* Nothing left to map: no call. */
	CHECK(segmf_prefault(as, b, len, NULL) == 0 && fake.fd_calls == 3);
	CHECK(as_unmap(as, b, len) == 0);

	/* Past the end of the domain is a hole too. */
	a = range_args(FAKE_FRAMES - 2, 4, PROT_READ);
	REQUIRE(as_map(as, b, 4 * pagesize, segmf_create, &a) == 0);
	CHECK(as_read(as, b, buf, 4 * pagesize, &err) == 2 * pagesize &&
	    err == ENXIO);
	CHECK(segmf_prefault(as, b, 4 * pagesize, errs) == 2 &&
	    errs[0] == 0 && errs[1] == 0 && errs[2] == ENXIO &&
	    errs[3] == ENXIO);
	CHECK(as_unmap(as, b, 4 * pagesize) == 0);

	/* A batch call that fails as a whole fails the create cleanly... */
	fake.fd_fail_call = true;
	a = range_args(0, 8, PROT_READ);
	a.flags = SEGMF_PREFAULT;
	check_create_fails(as, b, n, &a, EIO, "prefault call fails");
	/* ... and a fault, which succeeds once the source does. */
	a.flags = 0;
	REQUIRE(as_map(as, b, len, segmf_create, &a) == 0);
	fake.fd_fail_call = true;
	CHECK_ERRNO(as_fault(as, b, pagesize, F_SOFTLOCK, S_READ), EIO);
	CHECK_VERIFY(as);
	st = stats_at(as, b);
	CHECK(st.ms_resident == 0 && st.ms_pinned == 0 && st.ms_fills == 1);
	CHECK(as_read(as, b, buf, pagesize, &err) == pagesize && err == 0 &&
	    page_is(buf, 0));
	CHECK(as_unmap(as, b, len) == 0);
	CHECK(fake.fd_refs == 0);
	CHECK_VERIFY(as);
	free(buf);
	fake_reset();
}

static void
test_holes_zero_and_dead(struct as *as, char *b)
{
	struct segmf_crargs a = range_args(0, 4, PROT_READ | PROT_WRITE);
	size_t n = 8, len = n * pagesize, i;
	unsigned char vec[8], *buf, one = 0xa5, back;
	struct segmf_stats st;
	int errs[8], err;

	fake_reset();
	REQUIRE((buf = malloc(len)) != NULL);
	fake.fd_holes[0] = 3;
	fake.fd_nholes = 1;
	fake.fd_bad = 6;
	a.flags = SEGMF_HOLES_ZERO;
	REQUIRE(as_map(as, b, len, segmf_create, &a) == 0);
	CHECK(as_read(as, b, buf, len, &err) == len && err == 0);
	for (i = 0; i < n; i++)
		CHECK(i == 3 || i == 6 ? bytes_all_zero(buf + i * pagesize,
		    pagesize) : page_is(buf + i * pagesize, i));
	st = stats_at(as, b);
	CHECK(st.ms_zero == 2 && st.ms_failed == 2 && st.ms_resident == 6);
	CHECK(as_incore(as, b, len, vec) == 0);
	for (i = 0; i < n; i++)
		CHECK(vec[i] == !(i == 3 || i == 6));
	/* Zeros are for reading: a write fails with the frame's error. */
	CHECK(as_write(as, b + 3 * pagesize + 9, &one, 1, &err) == 0 &&
	    err == ENXIO);
	CHECK(as_write(as, b + 6 * pagesize, &one, 1, &err) == 0 &&
	    err == EIO);
	/* A write to a mapped frame reaches the "guest". */
	CHECK(as_write(as, b + 2 * pagesize + 9, &one, 1, &err) == 1 &&
	    err == 0);
	CHECK(pread(fake.fd_fd, &back, 1, (off_t)(2 * pagesize + 9)) == 1 &&
	    back == one);
	back = (unsigned char)(pattern(2, 1) >> 8);	/* word 1, byte 1 */
	CHECK(as_write(as, b + 2 * pagesize + 9, &back, 1, &err) == 1);
	CHECK(page_is(b + 2 * pagesize, 2));
	/* prefault reports the errors even where zeros stand in. */
	CHECK(segmf_prefault(as, b, len, errs) == 2 && errs[3] == ENXIO &&
	    errs[6] == EIO && errs[0] == 0);

	/* The domain dies: mapped pages stay memory, new faults ESRCH. */
	fake.fd_dead = true;
	CHECK(as_read(as, b, buf, len, &err) == len && err == 0);
	CHECK(page_is(buf, 0) && page_is(buf + 7 * pagesize, 7));
	CHECK(as_unmap(as, b, len) == 0);
	REQUIRE(as_map(as, b, len, segmf_create, &a) == 0);
	CHECK(as_read(as, b, buf, len, &err) == 0 && err == ESRCH);
	CHECK_ERRNO(as_fault(as, b + 5 * pagesize, pagesize, F_INVAL,
	    S_READ), ESRCH);
	st = stats_at(as, b);	/* both klusters of the chunk tried */
	CHECK(st.ms_zero == 0 && st.ms_failed == 8 && st.ms_resident == 0);
	CHECK(segmf_prefault(as, b, len, errs) == (ssize_t)n);
	for (i = 0; i < n; i++)
		CHECK(errs[i] == ESRCH);
	CHECK_VERIFY(as);
	CHECK(as_unmap(as, b, len) == 0);
	free(buf);
	fake_reset();
}

static void
write_one(void *p)
{
	*(volatile unsigned char *)p = 0x42;
}

static void
test_readonly(struct as *as, char *b)
{
	struct segmf_crargs a = range_args(50, 16, PROT_READ);
	unsigned char one = 1, back;
	int err;

	fake_reset();
	REQUIRE(as_map(as, b, 4 * pagesize, segmf_create, &a) == 0);
	CHECK(as_fault(as, b, 4 * pagesize, F_INVAL, S_READ) == 0);
	CHECK(as_write(as, b + 10, &one, 1, &err) == 0 && err == EACCES);
	CHECK_ERRNO(as_fault(as, b, pagesize, F_INVAL, S_WRITE), EACCES);
	CHECK_ERRNO(as_fault(as, b, pagesize, F_INVAL, S_EXEC), EACCES);
	CHECK_ERRNO(as_checkprot(as, b, pagesize, PROT_WRITE), EACCES);
	CHECK_ERRNO(as_setprot(as, b, pagesize, PROT_READ | PROT_WRITE),
	    EACCES);
	/* A direct write through the read-only mapping: SIGSEGV. */
	CHECK(test_run_child(write_one, b + 5) == SIGSEGV);
	/* And to a page not mapped yet: the reservation faults too. */
	CHECK(as_unmap(as, b, 4 * pagesize) == 0);
	REQUIRE(as_map(as, b, 4 * pagesize, segmf_create, &a) == 0);
	CHECK(test_run_child(write_one, b + 5) == SIGSEGV);
	CHECK(as_unmap(as, b, 4 * pagesize) == 0);

	/* Write asked for: the write lands (in the child's shared view). */
	a.prot = PROT_READ | PROT_WRITE;
	REQUIRE(as_map(as, b, 4 * pagesize, segmf_create, &a) == 0);
	CHECK(as_fault(as, b, 4 * pagesize, F_INVAL, S_WRITE) == 0);
	CHECK(test_run_child(write_one, b + 5) == 0);
	CHECK(pread(fake.fd_fd, &back, 1, (off_t)(50 * pagesize + 5)) == 1 &&
	    back == 0x42);
	back = (unsigned char)(pattern(50, 0) >> 40);
	CHECK(pwrite(fake.fd_fd, &back, 1, (off_t)(50 * pagesize + 5)) == 1);
	CHECK(page_is(b, 50));
	CHECK(as_unmap(as, b, 4 * pagesize) == 0);
	CHECK_VERIFY(as);
}

static void
test_setprot(struct as *as, char *b)
{
	struct segmf_crargs a = range_args(0, 16, PROT_READ);
	unsigned char vec[16], one = 0x11;
	unsigned protv[16];
	size_t len = 16 * pagesize, i;
	int err;

	fake_reset();
	a.maxprot = PROT_READ | PROT_WRITE;
	REQUIRE(as_map(as, b, len, segmf_create, &a) == 0);
	CHECK(as_fault(as, b, len, F_INVAL, S_READ) == 0);
	CHECK(fake.fd_calls == 1);
	CHECK_ERRNO(as_setprot(as, b, pagesize, PROT_EXEC), EACCES);
	CHECK_ERRNO(as_setprot(as, b, pagesize, PROT_READ | PROT_EXEC),
	    EACCES);
	/* A change unloads the pages it covers, and only those. */
	CHECK(as_setprot(as, b, 4 * pagesize, PROT_READ | PROT_WRITE) == 0);
	CHECK_VERIFY(as);
	/* (The 16 pages were one unit: all of it goes.) */
	CHECK(as_incore(as, b, len, vec) == 0 && bytes_all_zero(vec, 16));
	as_enter(as, AS_READER);
	CHECK(segop_getprot(as_segat(as, b), b, len, protv) == 0);
	as_exit(as);
	for (i = 0; i < 16; i++)
		CHECK(protv[i] == (i < 4 ? (unsigned)(PROT_READ | PROT_WRITE) :
		    (unsigned)PROT_READ));
	CHECK(as_write(as, b + pagesize + 3, &one, 1, &err) == 1 && err == 0);
	CHECK(fake.fd_calls == 3);	/* 0..3 writable, 4..15 not */
	CHECK(as_write(as, b + 5 * pagesize, &one, 1, &err) == 0 &&
	    err == EACCES);
	CHECK(as_checkprot(as, b, 4 * pagesize, PROT_WRITE) == 0);
	CHECK_ERRNO(as_checkprot(as, b, 5 * pagesize, PROT_WRITE), EACCES);
	one = (unsigned char)(pattern(1, 0) >> 24);
	CHECK(as_write(as, b + pagesize + 3, &one, 1, &err) == 1);
	CHECK(page_is(b + pagesize, 1));

	/* A pinned page is not reloaded under its holder. */
	CHECK(as_fault(as, b + 5 * pagesize, pagesize, F_SOFTLOCK,
	    S_READ) == 0);
	CHECK_ERRNO(as_setprot(as, b + 4 * pagesize, 4 * pagesize,
	    PROT_READ | PROT_WRITE), EBUSY);
	CHECK(as_incore(as, b, len, vec) == 0 && vec[5] == 1 && vec[4] == 1);
	CHECK(as_checkprot(as, b + 5 * pagesize, pagesize, PROT_WRITE) == -1);
	/* The same protection is no change: allowed while pinned. */
	CHECK(as_setprot(as, b + 4 * pagesize, 4 * pagesize, PROT_READ) == 0);
	CHECK(as_fault(as, b + 5 * pagesize, pagesize, F_SOFTUNLOCK,
	    S_READ) == 0);

	/* PROT_NONE: nothing may be read, and nothing stays mapped. */
	CHECK(as_setprot(as, b + 8 * pagesize, 4 * pagesize, PROT_NONE) == 0);
	CHECK_ERRNO(as_fault(as, b + 8 * pagesize, 1, F_INVAL, S_READ),
	    EACCES);
	CHECK(as_fault(as, b + 8 * pagesize, 1, F_INVAL, S_OTHER) == 0);
	CHECK(as_incore(as, b, len, vec) == 0 && vec[8] == 0 && vec[11] == 0);
	CHECK(segmf_prefault(as, b + 8 * pagesize, pagesize, &err) == 1 &&
	    err == EACCES);
	CHECK(test_run_child(write_one, b + 8 * pagesize) == SIGSEGV);
	/* Back to readable: faults in again. */
	CHECK(as_setprot(as, b, len, PROT_READ) == 0);
	CHECK(as_fault(as, b, len, F_INVAL, S_READ) == 0);
	CHECK(page_is(b + 9 * pagesize, 9));
	CHECK_VERIFY(as);
	CHECK(as_unmap(as, b, len) == 0);
	fake_reset();
}

static void
test_softlock_unmap(struct as *as, char *b)
{
	struct segmf_crargs a = range_args(0, 8, PROT_READ);
	size_t len = 32 * pagesize, i;
	unsigned char vec[32], *buf;
	struct segmf_stats st;
	struct test_seg ts;
	unsigned calls;
	int err;

	fake_reset();
	REQUIRE((buf = malloc(len)) != NULL);
	fake.fd_holes[0] = 30;
	fake.fd_nholes = 1;
	REQUIRE(as_map(as, b, len, segmf_create, &a) == 0);

	/* Pins: unmap refuses them; a failed pin leaves none. */
	CHECK(as_fault(as, b + 2 * pagesize, 4 * pagesize, F_SOFTLOCK,
	    S_READ) == 0);
	CHECK(as_fault(as, b + 3 * pagesize, pagesize, F_SOFTLOCK,
	    S_READ) == 0);
	CHECK(stats_at(as, b).ms_pinned == 4);
	CHECK_ERRNO(as_unmap(as, b, len), EBUSY);
	CHECK_ERRNO(as_unmap(as, b + 3 * pagesize, pagesize), EBUSY);
	CHECK_ERRNO(segmf_add_gfn_range(as, b + 5 * pagesize, 9, 1, NULL),
	    EBUSY);
	CHECK_ERRNO(as_fault(as, b + 26 * pagesize, 6 * pagesize,
	    F_SOFTLOCK, S_READ), ENXIO);
	CHECK(stats_at(as, b).ms_pinned == 4);
	CHECK(as_fault(as, b + 3 * pagesize, pagesize, F_SOFTUNLOCK,
	    S_READ) == 0);
	CHECK(as_fault(as, b + 2 * pagesize, 4 * pagesize, F_SOFTUNLOCK,
	    S_READ) == 0);
	CHECK(stats_at(as, b).ms_pinned == 0);

	/*
	 * Load the first 24 pages (with the failed pin above, which filled
	 * its kluster: units [0,8) [8,16) [16,24) [24,30) [31,32)), then
	 * cut.  A unit the cut goes through is unloaded whole: the frames
	 * one call mapped stay together (privcmd cannot split a mapping).
	 */
	CHECK(as_read(as, b, buf, 24 * pagesize, &err) == 24 * pagesize &&
	    err == 0);
	CHECK(stats_at(as, b).ms_resident == 31);
	calls = fake.fd_calls;
	CHECK(as_unmap(as, b, 2 * pagesize) == 0);		/* head */
	CHECK_VERIFY(as);
	CHECK(test_seg_at(as, b + 2 * pagesize, &ts) == 30 * pagesize &&
	    ts.ts_base == b + 2 * pagesize && ts.ts_offset == 2 * pagesize);
	CHECK(stats_at(as, b + 2 * pagesize).ms_resident == 23);
	CHECK(as_unmap(as, b + 28 * pagesize, 4 * pagesize) == 0); /* tail */
	CHECK(as_unmap(as, b + 10 * pagesize, 4 * pagesize) == 0); /* split */
	CHECK_VERIFY(as);
	CHECK(as_nsegs(as) == 2);
	CHECK(fake.fd_refs == 2);
	CHECK(test_seg_at(as, b + 14 * pagesize, &ts) == 14 * pagesize &&
	    ts.ts_offset == 14 * pagesize);
	st = stats_at(as, b + 14 * pagesize);
	CHECK(st.ms_pages == 14 && st.ms_resident == 8 && st.ms_fills == 0);
	st = stats_at(as, b + 2 * pagesize);
	CHECK(st.ms_pages == 8 && st.ms_resident == 0);
	CHECK(as_incore(as, b + 14 * pagesize, 14 * pagesize, vec) == 0);
	for (i = 0; i < 14; i++)
		CHECK(vec[i] == (i + 14 >= 16 && i + 14 < 24));
	/* The unit no cut went through still shows its frames. */
	for (i = 16; i < 24; i++)
		CHECK(page_is(b + i * pagesize, i));
	CHECK(fake.fd_calls == calls);
	/* A pin anywhere in a unit holds the whole unit. */
	CHECK(as_fault(as, b + 17 * pagesize, pagesize, F_SOFTLOCK,
	    S_READ) == 0);
	CHECK_ERRNO(as_unmap(as, b + 22 * pagesize, 2 * pagesize), EBUSY);
	CHECK_ERRNO(segmf_add_gfn_range(as, b + 23 * pagesize, 9, 1, NULL),
	    EBUSY);
	CHECK(as_fault(as, b + 17 * pagesize, pagesize, F_SOFTUNLOCK,
	    S_READ) == 0);
	CHECK(stats_at(as, b + 14 * pagesize).ms_resident == 8);
	/* The others fault in again, by each piece's own klusters. */
	CHECK(as_read(as, b + 2 * pagesize, buf, 8 * pagesize, &err) ==
	    8 * pagesize && err == 0);
	for (i = 0; i < 8; i++)
		CHECK(page_is(buf + i * pagesize, i + 2));
	CHECK(fake.fd_calls == calls + 1);
	CHECK(as_read(as, b + 24 * pagesize, buf, 4 * pagesize, &err) ==
	    4 * pagesize && err == 0 && page_is(buf + 3 * pagesize, 27));
	CHECK(fake.fd_calls == calls + 2);
	/* Cut-out pages are gone: no segment, PROT_NONE (verifier). */
	CHECK_ERRNO(as_fault(as, b + 11 * pagesize, 1, F_INVAL, S_READ),
	    EFAULT);
	CHECK(test_run_child(write_one, b + 11 * pagesize) == SIGSEGV);
	CHECK(as_unmap(as, b, len) == 0);
	CHECK(fake.fd_refs == 0 && as_nsegs(as) == 0);
	CHECK_VERIFY(as);
	free(buf);
	fake_reset();
}

static void
test_add_and_dup(struct as *as, char *b)
{
	static const uint64_t list[] = { 300, 301, FAKE_FRAMES + 9, 303 };
	struct segmf_crargs a = range_args(0, 16, PROT_READ);
	size_t len = 16 * pagesize;
	unsigned char *buf;
	struct as *copy;
	int errs[16], err;

	fake_reset();
	REQUIRE((buf = malloc(len)) != NULL);
	a.frames = SEGMF_FRAMES_EMPTY;
	REQUIRE(as_map(as, b, len, segmf_create, &a) == 0);
	CHECK_ERRNO(as_fault(as, b, pagesize, F_INVAL, S_READ), EFAULT);
	CHECK(as_read(as, b, buf, pagesize, &err) == 0 && err == EFAULT);
	CHECK(segmf_prefault(as, b, 2 * pagesize, errs) == 2 &&
	    errs[0] == EFAULT && errs[1] == EFAULT);
	CHECK(fake.fd_calls == 0);
	{
		struct test_seg ts;

		CHECK(test_seg_at(as, b, &ts) == len &&
		    ts.ts_offset == UINT64_MAX);
	}

	CHECK(segmf_add_gfn_range(as, b + 4 * pagesize, 100, 4, NULL) == 0);
	CHECK(fake.fd_calls == 0);
	CHECK(as_read(as, b + 4 * pagesize, buf, 4 * pagesize, &err) ==
	    4 * pagesize && err == 0);
	CHECK(page_is(buf, 100) && page_is(buf + 3 * pagesize, 103));
	CHECK(segmf_add_gfns(as, b + 8 * pagesize, list, 4, errs) == 1);
	CHECK(errs[0] == 0 && errs[1] == 0 && errs[2] == ENXIO &&
	    errs[3] == 0);
	CHECK(page_is(b + 9 * pagesize, 301));
	/* Reassigning mapped pages maps the new frames. */
	CHECK(segmf_add_gfn_range(as, b + 4 * pagesize, 200, 4, errs) == 0);
	CHECK(page_is(b + 4 * pagesize, 200) &&
	    page_is(b + 7 * pagesize, 203));
	CHECK_VERIFY(as);

	/* The copy shows the same frames and faults them in itself. */
	REQUIRE((copy = as_dup(as)) != NULL);
	CHECK(fake.fd_refs == 2);
	CHECK_VERIFY(copy);
	{
		char *cb = (char *)as_window_base(copy) +
		    (b - (char *)as_window_base(as));
		struct segmf_stats st = stats_at(copy, cb);

		CHECK(st.ms_resident == 0 && st.ms_fills == 0);
		CHECK(as_read(copy, cb + 4 * pagesize, buf, 8 * pagesize,
		    &err) == 6 * pagesize && err == ENXIO);
		CHECK(page_is(buf, 200) && page_is(buf + 5 * pagesize, 301));
	}
	as_free(copy);
	CHECK(fake.fd_refs == 1);
	CHECK(as_unmap(as, b, len) == 0);
	CHECK(fake.fd_refs == 0);
	free(buf);
	fake_reset();
}

/* Injected allocation and host failures leave everything as it was. */
static void
test_inject(struct as *as, char *b)
{
	struct segmf_crargs a = range_args(0, 4, PROT_READ);
	size_t len = 16 * pagesize;
	unsigned long n;
	int rv = -1;

	fake_reset();
	a.maxprot = PROT_READ | PROT_WRITE;
	CHECK(test_map_under_injection(as, VM_INJECT_ALLOC, b, len,
	    segmf_create, &a, NULL, NULL) == 0);
	CHECK(fake.fd_refs == 1);
	CHECK(as_unmap(as, b, len) == 0);
	CHECK(fake.fd_refs == 0);

	/* A split under failing allocations and host calls. */
	for (n = 1; n < 20 && rv != 0; n++) {
		REQUIRE(as_map(as, b, len, segmf_create, &a) == 0);
		CHECK(as_fault(as, b, len, F_INVAL, S_READ) == 0);
		vm_inject_arm(n % 2 ? VM_INJECT_ALLOC : VM_INJECT_HAT,
		    (n + 1) / 2);
		rv = as_unmap(as, b + 4 * pagesize, 4 * pagesize);
		vm_inject_arm(VM_INJECT_ALLOC, 0);
		vm_inject_arm(VM_INJECT_HAT, 0);
		CHECK_VERIFY(as);
		if (rv != 0) {
			CHECK(errno == ENOMEM || errno == EAGAIN);
			CHECK(as_nsegs(as) == 1 &&
			    stats_at(as, b).ms_resident == 16);
			CHECK(page_is(b + 5 * pagesize, 5));
		}
		CHECK(as_unmap(as, b, len) == 0);
	}
	CHECK(rv == 0);

	/* setprot under failing host calls: nothing half-done is wrong. */
	REQUIRE(as_map(as, b, len, segmf_create, &a) == 0);
	CHECK(as_fault(as, b, len, F_INVAL, S_READ) == 0);
	vm_inject_arm(VM_INJECT_HAT, 1);
	CHECK_ERRNO(as_setprot(as, b, 2 * pagesize, PROT_READ | PROT_WRITE),
	    EAGAIN);
	vm_inject_arm(VM_INJECT_HAT, 0);
	CHECK_VERIFY(as);
	CHECK_ERRNO(as_checkprot(as, b, pagesize, PROT_WRITE), EACCES);
	CHECK(as_setprot(as, b, 2 * pagesize, PROT_READ | PROT_WRITE) == 0);
	CHECK(as_checkprot(as, b, 2 * pagesize, PROT_WRITE) == 0);
	CHECK(as_fault(as, b, 2 * pagesize, F_INVAL, S_WRITE) == 0);
	CHECK(page_is(b + pagesize, 1));
	CHECK(as_unmap(as, b, len) == 0);
	CHECK(fake.fd_refs == 0);
	fake_reset();
}

static void
fgr_reset(void)
{
	fgr.fg_fail_open = 0;
	fgr.fg_fail_call = false;
	fgr.fg_dead = false;
	fgr.fg_calls = 0;
	fgr.fg_unmaps = 0;
	fgr.fg_max_count = 0;
	fgr.fg_overlaps = 0;
	fgr.fg_strays = 0;
}

/* Arguments for an EMPTY segment that takes grants from the test source. */
static struct segmf_crargs
grant_args(size_t kluster, unsigned prot, unsigned maxprot)
{
	struct segmf_crargs a = range_args(0, kluster, prot);

	a.frames = SEGMF_FRAMES_EMPTY;
	a.maxprot = maxprot;
	a.grant_ops = &fake_grant_ops;
	return (a);
}

/* The page at p shows grant reference ref. */
static bool
grant_is(const void *p, uint32_t ref)
{
	return (page_is(p, FAKE_FRAMES + (uint64_t)ref));
}

/* The source's live pages agree with the segment's counters. */
static void
check_grants_live(struct as *as, void *addr, size_t want)
{
	struct segmf_stats st = stats_at(as, addr);

	if (st.ms_gref_resident != want || fgr.fg_nlive != want)
		fprintf(stderr, "grants mapped: segment %zu, source %zu, "
		    "expected %zu\n", st.ms_gref_resident, fgr.fg_nlive, want);
	CHECK(st.ms_gref_resident == want && fgr.fg_nlive == want);
	CHECK(fgr.fg_overlaps == 0 && fgr.fg_strays == 0);
}

/* Argument errors, the missing source, a grant handle that will not open. */
static void
test_grant_args(struct as *as, char *b)
{
	struct segmf_crargs a = grant_args(8, PROT_READ, PROT_READ);
	struct segmf_grant_ops partial = fake_grant_ops;
	uint32_t refs[4] = { 0, 1, 2, 3 };
	struct xen_err xe;
	int errs[4];

	fake_reset();
	fgr_reset();
	partial.gs_explain = NULL;
	a.grant_ops = &partial;
	check_create_fails(as, b, 8, &a, EINVAL, "grant source without "
	    "gs_explain");
	a.grant_ops = &fake_grant_ops;
	REQUIRE(as_map(as, b, 8 * pagesize, segmf_create, &a) == 0);
	REQUIRE(as_map(as, b + 8 * pagesize, 4 * pagesize, segnf_create,
	    NULL) == 0);
	CHECK_ERRNO(segmf_add_grefs(as, b, NULL, 1, 0, errs, NULL), EINVAL);
	CHECK_ERRNO(segmf_add_grefs(as, b, refs, 0, 0, errs, NULL), EINVAL);
	CHECK_ERRNO(segmf_add_grefs(as, b, refs, SIZE_MAX, 0, errs, NULL),
	    EINVAL);
	xen_err_clear(&xe);
	CHECK_ERRNO(segmf_add_grefs(as, b, refs, 1, 0x2, errs, &xe), EINVAL);
	CHECK(xe.xe_errno == EINVAL && strstr(xe.xe_msg, "flags") != NULL);
	CHECK_ERRNO(segmf_add_grefs(as, b + 1, refs, 1, 0, errs, NULL),
	    EINVAL);
	CHECK_ERRNO(segmf_add_grefs(as, b + 6 * pagesize, refs, 4, 0, errs,
	    NULL), EINVAL);		/* past the end */
	CHECK_ERRNO(segmf_add_grefs(as, b + 8 * pagesize, refs, 1, 0, errs,
	    NULL), EINVAL);		/* a seg_nf segment */
	CHECK_ERRNO(segmf_add_grefs(NULL, b, refs, 1, 0, errs, NULL), EINVAL);
	/* Writable grants need a writable ceiling. */
	xen_err_clear(&xe);
	CHECK_ERRNO(segmf_add_grefs(as, b, refs, 1, SEGMF_GREF_WRITE, errs,
	    &xe), EACCES);
	CHECK(xe.xe_errno == EACCES && strstr(xe.xe_msg, "maxprot") != NULL);
	CHECK(fgr.fg_opens == 0 && fgr.fg_calls == 0);

	/* The handle will not open: nothing changes, the sentence is its. */
	fgr.fg_fail_open = ENOENT;
	xen_err_clear(&xe);
	CHECK_ERRNO(segmf_add_grefs(as, b, refs, 4, 0, errs, &xe), ENOENT);
	CHECK(xe.xe_errno == ENOENT &&
	    strstr(xe.xe_msg, "fake grant device for domain 7") != NULL);
	CHECK(fgr.fg_opens == 0 && fgr.fg_calls == 0);
	CHECK(segmf_prefault(as, b, 4 * pagesize, errs) == 4 &&
	    errs[0] == EFAULT && errs[3] == EFAULT);
	CHECK(stats_at(as, b).ms_grefs == 0);
	/* It opens the next time. */
	CHECK(segmf_add_grefs(as, b, refs, 4, 0, errs, &xe) == 0);
	CHECK(xe.xe_errno == 0 && fgr.fg_opens == 1 && fgr.fg_calls == 1);

	CHECK_ERRNO(segmf_explain(as, b + 8 * pagesize, &xe), EINVAL);
	CHECK_ERRNO(segmf_explain(NULL, b, NULL), EINVAL);
	CHECK(as_unmap(as, b, 12 * pagesize) == 0);
	CHECK(fgr.fg_closes == fgr.fg_opens && fgr.fg_nlive == 0);
	CHECK(fake.fd_refs == 0);
	CHECK_VERIFY(as);
}

/* Read-only and writable grants, per-reference errors, setprot retries. */
static void
test_grant_map(struct as *as, char *b)
{
	struct segmf_crargs a = grant_args(8, PROT_READ,
	    PROT_READ | PROT_WRITE);
	static const uint32_t ro[4] = { 0, 1, 2, 3 };
	static const uint32_t rw[4] = { 4, FAKE_GREF_RO, FAKE_GREF_NONE, 200 };
	unsigned opens = fgr.fg_opens, closes = fgr.fg_closes;
	size_t len = 16 * pagesize, i;
	unsigned char vec[16], *buf, one = 0x77, back;
	struct segmf_stats st;
	struct test_seg ts;
	struct xen_err xe;
	char text[256];
	int errs[4], err;

	fake_reset();
	fgr_reset();
	REQUIRE((buf = malloc(len)) != NULL);
	REQUIRE(as_map(as, b, len, segmf_create, &a) == 0);
	CHECK(fgr.fg_opens == opens);		/* lazily: not yet */

	/* Read-only: one call, every page its grant, nothing writable. */
	memset(errs, 0x55, sizeof (errs));
	xen_err_clear(&xe);
	xe.xe_errno = 99;
	CHECK(segmf_add_grefs(as, b, ro, 4, 0, errs, &xe) == 0);
	CHECK(xe.xe_errno == 0);
	for (i = 0; i < 4; i++)
		CHECK(errs[i] == 0 && grant_is(b + i * pagesize, ro[i]));
	CHECK(fgr.fg_opens == opens + 1 && fgr.fg_calls == 1 &&
	    fgr.fg_max_count == 4 && fake.fd_calls == 0);
	CHECK(as_incore(as, b, len, vec) == 0);
	for (i = 0; i < 16; i++)
		CHECK(vec[i] == (i < 4));
	st = stats_at(as, b);
	CHECK(st.ms_grefs == 4 && st.ms_gref_resident == 4 &&
	    st.ms_resident == 4 && st.ms_gref_maps == 1 &&
	    st.ms_gref_mapped == 4 && st.ms_gref_errors == 0 &&
	    st.ms_fills == 0 && st.ms_frames == 0);
	check_grants_live(as, b, 4);
	CHECK(segmf_explain(as, b + 2 * pagesize, &xe) == 0 &&
	    xe.xe_errno == 0);
	CHECK(as_write(as, b + 10, &one, 1, &err) == 0 && err == EACCES);
	CHECK_ERRNO(as_fault(as, b, pagesize, F_INVAL, S_WRITE), EACCES);
	CHECK(test_run_child(write_one, b + 5) == SIGSEGV);
	CHECK(test_seg_at(as, b, &ts) == len && ts.ts_offset == UINT64_MAX);
	seg_dump_at(as, b, text, sizeof (text));
	CHECK(strstr(text, "4/16 mapped (4 grants, 4 mapped)") != NULL);

	/* Writable: the read-only grant and two bad ones fail alone. */
	xen_err_clear(&xe);
	CHECK(segmf_add_grefs(as, b + 4 * pagesize, rw, 4, SEGMF_GREF_WRITE,
	    errs, &xe) == 3);
	CHECK(errs[0] == 0 && errs[1] == EACCES && errs[2] == ENOENT &&
	    errs[3] == ERANGE);
	fprintf(stderr, "add_grefs: %s\n", xen_err_msg(&xe));
	CHECK(xe.xe_errno == EACCES &&
	    strstr(xe.xe_msg, "fake grant 9 of domain 7") != NULL &&
	    strstr(xe.xe_msg, "3 of the 4 references failed") != NULL);
	CHECK(fgr.fg_opens == opens + 1 && fgr.fg_calls == 2);
	CHECK(as_write(as, b + 4 * pagesize + 9, &one, 1, &err) == 1 &&
	    err == 0);
	CHECK(pread(fake.fd_fd, &back, 1, (off_t)((FAKE_FRAMES + 4) *
	    pagesize + 9)) == 1 && back == one);
	back = (unsigned char)(pattern(FAKE_FRAMES + 4, 1) >> 8);
	CHECK(as_write(as, b + 4 * pagesize + 9, &back, 1, &err) == 1);
	CHECK(grant_is(b + 4 * pagesize, 4));
	/* Failed pages fail faults with their errno, without asking again. */
	CHECK(as_read(as, b + 5 * pagesize, buf, pagesize, &err) == 0 &&
	    err == EACCES);
	CHECK_ERRNO(as_fault(as, b + 6 * pagesize, 1, F_INVAL, S_READ),
	    ENOENT);
	CHECK_ERRNO(as_fault(as, b + 7 * pagesize, 1, F_SOFTLOCK, S_READ),
	    ERANGE);
	CHECK(fgr.fg_calls == 2);
	CHECK(segmf_explain(as, b + 6 * pagesize, &xe) == ENOENT &&
	    xe.xe_errno == ENOENT && strstr(xe.xe_msg, "fake grant 11 ") !=
	    NULL);
	CHECK(as_incore(as, b, len, vec) == 0 && vec[4] == 1 && vec[5] == 0 &&
	    vec[7] == 0);
	st = stats_at(as, b);
	CHECK(st.ms_grefs == 8 && st.ms_gref_resident == 5 &&
	    st.ms_gref_failed == 3 && st.ms_failed == 3 &&
	    st.ms_gref_maps == 2 && st.ms_gref_mapped == 5 &&
	    st.ms_gref_errors == 3 && st.ms_pinned == 0);
	/* A prefault tries the failed ones again, in one call. */
	CHECK(segmf_prefault(as, b + 4 * pagesize, 4 * pagesize, errs) == 3 &&
	    errs[1] == EACCES && errs[3] == ERANGE);
	CHECK(fgr.fg_calls == 3);
	/* Read-only, the read-only grant maps: setprot forgot the failure. */
	CHECK(as_setprot(as, b + 5 * pagesize, pagesize, PROT_READ) == 0);
	CHECK(as_read(as, b + 5 * pagesize, buf, pagesize, &err) ==
	    pagesize && err == 0 && grant_is(buf, FAKE_GREF_RO));
	CHECK(fgr.fg_calls == 4);
	CHECK(segmf_explain(as, b + 5 * pagesize, &xe) == 0);
	check_grants_live(as, b, 6);
	CHECK_VERIFY(as);
	CHECK(as_unmap(as, b, len) == 0);
	CHECK(fgr.fg_nlive == 0 && fgr.fg_strays == 0);
	CHECK(fgr.fg_opens == opens + 1 && fgr.fg_closes == closes + 1);
	CHECK_VERIFY(as);
	free(buf);
}

/*
 * Frames and grants in one segment: a grant added over a unit of frames
 * unloads the unit; each grant stands alone under a cut; pins, setprot,
 * dup, frames over grants; the handle lives until the last piece goes.
 */
static void
test_grant_mixed(struct as *as, char *b)
{
	struct segmf_crargs a = range_args(100, 16, PROT_READ);
	static const uint32_t refs[2] = { 20, 21 };
	unsigned opens = fgr.fg_opens, closes = fgr.fg_closes, calls;
	size_t len = 16 * pagesize, i;
	unsigned char vec[16], *buf, one = 0x33, back;
	struct segmf_stats st;
	struct as *copy;
	int errs[16], err;

	fake_reset();
	fgr_reset();
	REQUIRE((buf = malloc(len)) != NULL);
	a.maxprot = PROT_READ | PROT_WRITE;
	a.grant_ops = &fake_grant_ops;
	a.flags = SEGMF_PREFAULT;
	a.errs = errs;
	REQUIRE(as_map(as, b, len, segmf_create, &a) == 0);
	CHECK(fake.fd_calls == 1);		/* one unit of 16 frames */

	/* Grants over frames 6 and 7: the unit goes, the grants map. */
	CHECK(segmf_add_grefs(as, b + 6 * pagesize, refs, 2, 0, errs,
	    NULL) == 0);
	CHECK(as_incore(as, b, len, vec) == 0);
	for (i = 0; i < 16; i++)
		CHECK(vec[i] == (i == 6 || i == 7));
	CHECK(grant_is(b + 6 * pagesize, 20) && grant_is(b + 7 * pagesize,
	    21));
	/* The frames fault in again around them: two runs, two calls. */
	CHECK(as_read(as, b, buf, len, &err) == len && err == 0);
	for (i = 0; i < 16; i++)
		CHECK(i == 6 || i == 7 ? grant_is(buf + i * pagesize,
		    refs[i - 6]) : page_is(buf + i * pagesize, 100 + i));
	CHECK(fake.fd_calls == 3 && fgr.fg_calls == 1);
	st = stats_at(as, b);
	CHECK(st.ms_fills == 3 && st.ms_frames == 30 && st.ms_resident == 16 &&
	    st.ms_grefs == 2 && st.ms_gref_maps == 1 &&
	    st.ms_gref_mapped == 2);
	CHECK(segmf_prefault(as, b, len, errs) == 0);
	CHECK(fake.fd_calls == 3 && fgr.fg_calls == 1);
	check_grants_live(as, b, 2);

	/* Pinned: nothing may unload the grant. */
	CHECK(as_fault(as, b + 6 * pagesize, pagesize, F_SOFTLOCK,
	    S_READ) == 0);
	CHECK_ERRNO(as_unmap(as, b + 6 * pagesize, pagesize), EBUSY);
	CHECK_ERRNO(segmf_add_gfn_range(as, b + 6 * pagesize, 9, 1, NULL),
	    EBUSY);
	CHECK_ERRNO(segmf_add_grefs(as, b + 5 * pagesize, refs, 2, 0, NULL,
	    NULL), EBUSY);
	CHECK_ERRNO(as_setprot(as, b + 6 * pagesize, pagesize, PROT_READ |
	    PROT_WRITE), EBUSY);
	CHECK(stats_at(as, b).ms_pinned == 1);
	CHECK(as_fault(as, b + 6 * pagesize, pagesize, F_SOFTUNLOCK,
	    S_READ) == 0);
	check_grants_live(as, b, 2);

	/* A segment holding grants is not duplicated. */
	errno = 0;
	copy = as_dup(as);
	CHECK(copy == NULL && errno == ENOTSUP);
	as_free(copy);

	/* Cut out grant 21 alone: no neighbour goes, the handle is shared. */
	calls = fake.fd_calls;
	CHECK(as_unmap(as, b + 7 * pagesize, pagesize) == 0);
	CHECK_VERIFY(as);
	CHECK(as_nsegs(as) == 2);
	check_grants_live(as, b, 1);
	CHECK(as_incore(as, b + 8 * pagesize, 8 * pagesize, vec) == 0 &&
	    vec[0] == 1 && vec[7] == 1);
	CHECK(as_incore(as, b, 7 * pagesize, vec) == 0 && vec[5] == 1 &&
	    vec[6] == 1);
	CHECK(grant_is(b + 6 * pagesize, 20) && page_is(b + 8 * pagesize, 108));
	CHECK(fake.fd_calls == calls && fgr.fg_closes == closes);

	/* setprot reloads the grant with the new protection. */
	CHECK(as_setprot(as, b, 7 * pagesize, PROT_READ | PROT_WRITE) == 0);
	check_grants_live(as, b, 0);
	CHECK(as_write(as, b + 6 * pagesize + 17, &one, 1, &err) == 1 &&
	    err == 0);
	CHECK(fgr.fg_calls == 2);
	CHECK(pread(fake.fd_fd, &back, 1, (off_t)((FAKE_FRAMES + 20) *
	    pagesize + 17)) == 1 && back == one);
	back = (unsigned char)(pattern(FAKE_FRAMES + 20, 2) >> 8);
	CHECK(as_write(as, b + 6 * pagesize + 17, &back, 1, &err) == 1);
	CHECK(grant_is(b + 6 * pagesize, 20));
	CHECK(as_setprot(as, b + 6 * pagesize, pagesize, PROT_NONE) == 0);
	check_grants_live(as, b, 0);
	CHECK(segmf_prefault(as, b + 6 * pagesize, pagesize, errs) == 1 &&
	    errs[0] == EACCES);
	CHECK(test_run_child(write_one, b + 6 * pagesize) == SIGSEGV);
	CHECK(as_setprot(as, b + 6 * pagesize, pagesize, PROT_READ) == 0);
	CHECK(as_fault(as, b + 6 * pagesize, pagesize, F_INVAL, S_READ) == 0);
	CHECK(grant_is(b + 6 * pagesize, 20));
	check_grants_live(as, b, 1);

	/* A frame over the grant: the grant goes back through its handle. */
	CHECK(segmf_add_gfn_range(as, b + 6 * pagesize, 500, 1, errs) == 0);
	check_grants_live(as, b, 0);
	CHECK(page_is(b + 6 * pagesize, 500));
	CHECK(stats_at(as, b).ms_grefs == 0);
	/* Without grants the segment is duplicated again. */
	REQUIRE((copy = as_dup(as)) != NULL);
	CHECK_VERIFY(copy);
	as_free(copy);
	CHECK(fgr.fg_opens == opens + 1);

	/* The handle closes with the last piece holding it. */
	CHECK(as_unmap(as, b, 7 * pagesize) == 0);
	CHECK(fgr.fg_closes == closes);
	CHECK(as_unmap(as, b + 8 * pagesize, 8 * pagesize) == 0);
	CHECK(fgr.fg_closes == closes + 1 && fgr.fg_nlive == 0);
	CHECK(fake.fd_refs == 0 && as_nsegs(as) == 0);
	CHECK_VERIFY(as);
	free(buf);
}

/*
 * A map call failing as a whole, faults mapping a kluster of grants,
 * zeros for failed grants, a dead domain, as_free with grants mapped.
 */
static void
test_grant_failures(struct as *as, char *b)
{
	struct segmf_crargs a = grant_args(4, PROT_READ,
	    PROT_READ | PROT_WRITE);
	static const uint32_t refs[6] = { 30, 31, 32, 33, 34, 35 };
	const uint32_t zref[2] = { FAKE_GREF_NONE, 5 };
	unsigned char vec[8], *buf, one = 1;
	size_t len = 8 * pagesize, i;
	unsigned closes;
	struct segmf_stats st;
	struct xen_err xe;
	struct as *as2;
	int errs[8], err;

	fake_reset();
	fgr_reset();
	REQUIRE((buf = malloc(len)) != NULL);
	REQUIRE(as_map(as, b, len, segmf_create, &a) == 0);
	fgr.fg_fail_call = true;
	xen_err_clear(&xe);
	CHECK_ERRNO(segmf_add_grefs(as, b, refs, 6, 0, errs, &xe), EIO);
	CHECK(xe.xe_errno == EIO &&
	    strstr(xe.xe_msg, "failed as a whole") != NULL);
	CHECK_VERIFY(as);
	st = stats_at(as, b);
	CHECK(st.ms_grefs == 6 && st.ms_gref_resident == 0 &&
	    st.ms_gref_maps == 1);
	/* A fault maps its kluster's grants (pages 0..3) in one call. */
	CHECK(as_read(as, b + pagesize, buf, pagesize, &err) == pagesize &&
	    err == 0 && grant_is(buf, 31));
	CHECK(fgr.fg_calls == 2 && fgr.fg_max_count == 4);
	CHECK(as_incore(as, b, len, vec) == 0);
	for (i = 0; i < 8; i++)
		CHECK(vec[i] == (i < 4));
	check_grants_live(as, b, 4);
	CHECK(as_read(as, b, buf, 6 * pagesize, &err) == 6 * pagesize);
	CHECK(grant_is(buf + 5 * pagesize, 35) && fgr.fg_calls == 3);
	CHECK(as_unmap(as, b, len) == 0);
	CHECK(fgr.fg_nlive == 0);

	/* Zeros stand in for a failed grant, for reading only. */
	a.flags = SEGMF_HOLES_ZERO;
	REQUIRE(as_map(as, b, len, segmf_create, &a) == 0);
	CHECK(segmf_add_grefs(as, b, zref, 2, SEGMF_GREF_WRITE, errs,
	    NULL) == 1 && errs[0] == ENOENT && errs[1] == 0);
	CHECK(as_read(as, b, buf, 2 * pagesize, &err) == 2 * pagesize &&
	    err == 0 && bytes_all_zero(buf, pagesize) &&
	    grant_is(buf + pagesize, 5));
	CHECK(as_write(as, b + 3, &one, 1, &err) == 0 && err == ENOENT);
	st = stats_at(as, b);
	CHECK(st.ms_zero == 1 && st.ms_gref_failed == 1 &&
	    st.ms_gref_resident == 1);
	CHECK(as_incore(as, b, 2 * pagesize, vec) == 0 && vec[0] == 0 &&
	    vec[1] == 1);
	CHECK(segmf_explain(as, b, &xe) == ENOENT && xe.xe_errno == ENOENT);
	/* Tried again over the zero page, still failing: zeros again. */
	CHECK(segmf_prefault(as, b, 2 * pagesize, errs) == 1 &&
	    errs[0] == ENOENT);
	CHECK(stats_at(as, b).ms_zero == 1 && fgr.fg_overlaps == 0);
	CHECK_VERIFY(as);
	/* The domain is gone: no zeros for that. */
	fgr.fg_dead = true;
	CHECK(segmf_add_grefs(as, b + 2 * pagesize, refs, 2, 0, errs,
	    &xe) == 2 && errs[0] == ESRCH && errs[1] == ESRCH &&
	    xe.xe_errno == ESRCH);
	CHECK(as_read(as, b + 2 * pagesize, buf, pagesize, &err) == 0 &&
	    err == ESRCH);
	st = stats_at(as, b);
	CHECK(st.ms_zero == 1 && st.ms_gref_failed == 3);
	fgr.fg_dead = false;
	CHECK(as_unmap(as, b, len) == 0);
	CHECK(fgr.fg_nlive == 0);

	/* as_free frees without unmapping: the grants still go back. */
	REQUIRE((as2 = as_alloc(1 << 20)) != NULL);
	a.flags = 0;
	closes = fgr.fg_closes;
	REQUIRE(as_map(as2, as_window_base(as2), len, segmf_create, &a) == 0);
	CHECK(segmf_add_grefs(as2, as_window_base(as2), refs, 6, 0, errs,
	    NULL) == 0);
	CHECK(fgr.fg_nlive == 6);
	as_free(as2);
	CHECK(fgr.fg_nlive == 0 && fgr.fg_closes == closes + 1 &&
	    fgr.fg_strays == 0);
	CHECK(fake.fd_refs == 0);
	CHECK_VERIFY(as);
	free(buf);
}

/* Injected allocation and host failures in segmf_add_grefs. */
static void
test_grant_inject(struct as *as, char *b)
{
	struct segmf_crargs a = range_args(0, 8, PROT_READ);
	static const uint32_t refs[3] = { 40, 41, 42 };
	size_t len = 8 * pagesize;
	unsigned long n;
	int site;
	ssize_t r;

	fake_reset();
	fgr_reset();
	a.maxprot = PROT_READ | PROT_WRITE;
	a.grant_ops = &fake_grant_ops;
	for (site = 0; site < 2; site++) {
		r = -1;
		for (n = 1; n < 20 && r != 0; n++) {
			REQUIRE(as_map(as, b, len, segmf_create, &a) == 0);
			CHECK(as_fault(as, b, len, F_INVAL, S_READ) == 0);
			vm_inject_arm(site == 0 ? VM_INJECT_ALLOC :
			    VM_INJECT_HAT, n);
			r = segmf_add_grefs(as, b + 2 * pagesize, refs, 3,
			    SEGMF_GREF_WRITE, NULL, NULL);
			vm_inject_arm(VM_INJECT_ALLOC, 0);
			vm_inject_arm(VM_INJECT_HAT, 0);
			CHECK_VERIFY(as);
			if (r < 0)
				CHECK(errno == ENOMEM || errno == EAGAIN);
			/* Whatever happened, the books agree with the host. */
			check_grants_live(as, b, stats_at(as, b).
			    ms_gref_resident);
			if (r == 0) {
				CHECK(grant_is(b + 4 * pagesize, 42));
				/* The frames' unit went; they fault in. */
				CHECK(as_fault(as, b + 6 * pagesize, pagesize,
				    F_INVAL, S_READ) == 0 &&
				    page_is(b + 6 * pagesize, 6));
			}
			CHECK(as_unmap(as, b, len) == 0);
			CHECK(fgr.fg_nlive == 0);
		}
		/* Each site failed the call at least once, then it worked. */
		fprintf(stderr, "segmf_add_grefs: %lu injected %s failures "
		    "before it went through\n", n - 2, site == 0 ?
		    "allocation" : "host");
		CHECK(r == 0 && n > 2);
	}
	fgr_reset();
}

int
main(void)
{
	struct as *as;
	char *b;

	pagesize = (size_t)sysconf(_SC_PAGESIZE);
	if (pagesize != 4096)
		TEST_SKIP("host pages are %zu bytes: seg_mf maps 4 KiB frames",
		    pagesize);
	fake_init();
	REQUIRE((as = as_alloc(64 << 20)) != NULL);
	b = (char *)as_window_base(as) + 4 * pagesize;

	test_create_args(as, b);
	test_call_args(as, b);
#ifdef HAVE_XEN
	test_no_xen();
#endif
	test_demand_range(as, b);
	test_kluster_sizes(as, b);
	test_list_view(as, b);
	test_prefault_holes(as, b);
	test_holes_zero_and_dead(as, b);
	test_readonly(as, b);
	test_setprot(as, b);
	test_softlock_unmap(as, b);
	test_add_and_dup(as, b);
	test_inject(as, b);
	test_grant_args(as, b);
	test_grant_map(as, b);
	test_grant_mixed(as, b);
	test_grant_failures(as, b);
	test_grant_inject(as, b);
	CHECK(as_nsegs(as) == 0);
	CHECK(fake.fd_refs == 0);
	CHECK(fgr.fg_opens == fgr.fg_closes && fgr.fg_nlive == 0);
	as_free(as);
	(void) close(fake.fd_fd);
	return (test_done());
}
