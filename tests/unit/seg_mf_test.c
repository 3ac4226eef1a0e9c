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
 * frames later, dup and injected failures.  The verifier runs after every
 * change.  The live checks (tests/xen/live/live_segmf.c) are the proof
 * against a real domain.
 *
 * The test source stands in for a domain: "guest memory" is a temporary
 * file of FAKE_FRAMES pages, page g holding a pattern made from g; a
 * frame is mapped as a shared file page (so writes persist as they would
 * in a guest), and chosen frames fail (holes ENXIO, a bad frame EIO, the
 * whole domain ESRCH, or the next call as a whole).
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
#ifdef HAVE_XEN
#include "xen/xen_domain.h"
#include "xen/xen_physmem.h"
#endif

#define	FAKE_FRAMES	4096
#define	FAKE_MAX_HOLES	8
#define	DOMID_SELF_ID	0x7ff0u

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

static size_t pagesize;
static struct fake_dom fake;

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

	fake.fd_fd = tmpfile_fd((size_t)FAKE_FRAMES * pagesize);
	REQUIRE((buf = malloc(pagesize)) != NULL);
	for (g = 0; g < FAKE_FRAMES; g++) {
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
	CHECK_ERRNO(segmf_add_grefs(as, b, &ref, 1, 0, NULL), ENOTSUP);
	CHECK_ERRNO(segmf_add_grefs(as, b, &ref, 1, SEGMF_GREF_WRITE, errs),
	    ENOTSUP);

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
	CHECK(as_nsegs(as) == 0);
	CHECK(fake.fd_refs == 0);
	as_free(as);
	(void) close(fake.fd_fd);
	return (test_done());
}
