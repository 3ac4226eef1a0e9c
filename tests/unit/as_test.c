/*
 * as_test.c -- every call of <porthole/as.h>, checked against the contract
 * its header documents: the success paths and every error path, with the
 * verifier run after each step that changes the address space.
 *
 * Most segments are anonymous seg_vn ones.  Three test-local drivers stand
 * in for what seg_vn cannot show: one that leaves every op to the defaults
 * (bare), one that can be unmapped only whole (rigid), and a create
 * function that always fails (EIO).
 *
 * Non-goals: file-backed behaviour (seg_vn_test.c), concurrency
 * (as_concurrency_test.c) and injected failures (as_inject_test.c).
 */
#include "config.h"

#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <porthole/as.h>
#include <porthole/seg_vn.h>
#include "tests/prng.h"
#include "tests/test.h"
#include "vm/as.h"
#include "vm/seg.h"

#define	RW	(PROT_READ | PROT_WRITE)
#define	MIB	((size_t)1 << 20)

static size_t ps;	/* host page size */

/* The address n pages from base (n may be negative). */
#define	PG(base, n)	((char *)(base) + (ptrdiff_t)(n) * (ptrdiff_t)ps)

/*
 * The segment layout as a string of "page+npages" items (pages counted
 * from the window base) in address order, e.g. "0+4 6+2": one compare
 * checks the bases and sizes that as_walk reports.
 */
struct layout {
	struct as	*l_as;
	char		l_buf[2048];
	size_t		l_len;
	size_t		l_nsegs;
};

static int
layout_cb(struct seg *seg, void *arg)
{
	struct layout *l = arg;
	size_t page = (size_t)((char *)seg_base(seg) -
	    (char *)as_window_base(l->l_as)) / ps;
	int n;

	n = snprintf(l->l_buf + l->l_len, sizeof (l->l_buf) - l->l_len,
	    "%s%zu+%zu", l->l_len == 0 ? "" : " ", page, seg_size(seg) / ps);
	if (n > 0 && (size_t)n < sizeof (l->l_buf) - l->l_len)
		l->l_len += (size_t)n;
	l->l_nsegs++;
	return (0);
}

static const char *
layout_of(struct as *as, struct layout *l)
{
	l->l_as = as;
	l->l_len = 0;
	l->l_nsegs = 0;
	l->l_buf[0] = '\0';
	(void) as_walk(as, layout_cb, l);
	return (l->l_buf);
}

#define	LAYOUT(as, want)	layout_at((as), (want), __LINE__)

static void
layout_at(struct as *as, const char *want, int line)
{
	struct layout l;
	const char *got = layout_of(as, &l);

	if (strcmp(got, want) != 0)
		fprintf(stderr, "%s:%d: layout is \"%s\", want \"%s\"\n",
		    __FILE__, line, got, want);
	CHECK(strcmp(got, want) == 0);
	CHECK(as_nsegs(as) == l.l_nsegs);
}

/* Map npages of anonymous memory at addr. */
static int
map_anon(struct as *as, void *addr, size_t npages, unsigned prot, int type)
{
	struct segvn_crargs a = { .fd = -1, .type = type, .prot = prot };

	return (as_map(as, addr, npages * ps, segvn_create, &a));
}

/* The pattern byte at offset off of a window (so any part can be checked
 * on its own, and a duplicate at the same offset compared). */
static unsigned char
pat(unsigned seed, size_t off)
{
	return ((unsigned char)(seed * 101 + off * 7 + off / ps * 13));
}

static size_t
woff(struct as *as, const void *addr)
{
	return ((size_t)((const char *)addr - (char *)as_window_base(as)));
}

/* Write the pattern over [addr, addr + len); true when all of it went. */
static bool
fill(struct as *as, void *addr, size_t len, unsigned seed)
{
	unsigned char *buf = malloc(len);
	size_t i, off = woff(as, addr), n;
	int err = -1;

	REQUIRE(buf != NULL);
	for (i = 0; i < len; i++)
		buf[i] = pat(seed, off + i);
	n = as_write(as, addr, buf, len, &err);
	free(buf);
	return (n == len && err == 0);
}

/* True when [addr, addr + len) reads back as the pattern. */
static bool
holds(struct as *as, const void *addr, size_t len, unsigned seed)
{
	unsigned char *buf = malloc(len);
	size_t i, off = woff(as, addr), n;
	bool ok;
	int err = -1;

	REQUIRE(buf != NULL);
	n = as_read(as, addr, buf, len, &err);
	ok = (n == len && err == 0);
	for (i = 0; ok && i < len; i++)
		ok = (buf[i] == pat(seed, off + i));
	free(buf);
	return (ok);
}

/* The errno of reading one byte at addr (0 when readable). */
static int
read_err(struct as *as, const void *addr)
{
	unsigned char c;
	int err = -1;

	(void) as_read(as, addr, &c, 1, &err);
	return (err);
}

/* The host's protection of the page at addr, "rwxp" style, from
 * /proc/self/maps; false when the host does not say. */
static bool
host_perms(const void *addr, char perms[5])
{
	char line[512];
	FILE *fp;
	bool found = false;

	if ((fp = fopen("/proc/self/maps", "re")) == NULL)
		return (false);
	while (!found && fgets(line, sizeof (line), fp) != NULL) {
		uintptr_t lo, hi;

		if (sscanf(line, "%" SCNxPTR "-%" SCNxPTR " %4s", &lo, &hi,
		    perms) == 3 && (uintptr_t)addr >= lo &&
		    (uintptr_t)addr < hi)
			found = true;
	}
	(void) fclose(fp);
	return (found);
}

/* CHECK that the host protection at addr starts with want ("r-", ...). */
#define	HOST_PROT(addr, want)	host_prot_at((addr), (want), __LINE__)

static void
host_prot_at(const void *addr, const char *want, int line)
{
	char perms[5];

	if (!host_perms(addr, perms))
		return;
	if (strncmp(perms, want, strlen(want)) != 0)
		fprintf(stderr, "%s:%d: host protection %s, want %s\n",
		    __FILE__, line, perms, want);
	CHECK(strncmp(perms, want, strlen(want)) == 0);
}

/* Bytes of the process's virtual memory, or 0 when the host cannot say. */
static uintmax_t
mapped_bytes(void)
{
	char line[512];
	FILE *fp;
	uintmax_t total = 0;

	if ((fp = fopen("/proc/self/maps", "re")) == NULL)
		return (0);
	while (fgets(line, sizeof (line), fp) != NULL) {
		uintptr_t lo, hi;

		if (sscanf(line, "%" SCNxPTR "-%" SCNxPTR, &lo, &hi) == 2)
			total += hi - lo;
	}
	(void) fclose(fp);
	return (total);
}

/*
 * Test drivers.
 */

/* bare: only a name; every op is the registered default. */
static struct seg_ops bare_ops = { .name = "bare_ops" };

static int
bare_create(struct seg *seg, void *create_args)
{
	(void) create_args;
	seg_ops_register(&bare_ops);
	seg_attach(seg, &bare_ops, NULL);
	return (0);
}

/* rigid: unmapped only whole (capable() is the default: no partial). */
static unsigned rigid_partial_calls;

static int
rigid_unmap(struct seg *seg, caddr_t addr, size_t len)
{
	if (addr != seg->s_base || len != seg->s_size) {
		/* as_unmap asked capable() first: it must not come here. */
		rigid_partial_calls++;
		return (ENOTSUP);
	}
	seg_free(seg);
	return (0);
}

static struct seg_ops rigid_ops = {
	.name = "rigid_ops",
	.unmap = rigid_unmap
};

static int
rigid_create(struct seg *seg, void *create_args)
{
	(void) create_args;
	seg_ops_register(&rigid_ops);
	seg_attach(seg, &rigid_ops, NULL);
	return (0);
}

/* A create function that fails without binding anything. */
static unsigned eio_calls;

static int
eio_create(struct seg *seg, void *create_args)
{
	(void) seg, (void) create_args;
	eio_calls++;
	return (EIO);
}

/*
 * as_alloc, as_free, the window.
 */
static void
test_alloc(void)
{
	struct as *as, *as2;
	uintptr_t b1, b2;

	as_free(NULL);

	REQUIRE((as = as_alloc(0)) != NULL);
	CHECK(as_window_size(as) == AS_DEFAULT_WINDOW);
	CHECK(as_window_base(as) != NULL);
	CHECK(IS_P2ALIGNED(as_window_base(as), ps));
	CHECK(as_nsegs(as) == 0);
	LAYOUT(as, "");
	CHECK_VERIFY(as);
	as_free(as);

	REQUIRE((as = as_alloc(64 * MIB)) != NULL);
	CHECK(as_window_size(as) == 64 * MIB);
	CHECK(IS_P2ALIGNED(as_window_base(as), ps));
	CHECK_VERIFY(as);

	/* A second window never overlaps the first. */
	REQUIRE((as2 = as_alloc(ps + 1)) != NULL);
	CHECK(as_window_size(as2) == 2 * ps);	/* rounded up to pages */
	b1 = (uintptr_t)as_window_base(as);
	b2 = (uintptr_t)as_window_base(as2);
	CHECK(b2 + 2 * ps <= b1 || b1 + 64 * MIB <= b2);
	CHECK_VERIFY(as2);
	as_free(as2);
	as_free(as);

	/* A size that cannot be rounded up to pages. */
	errno = 0;
	CHECK(as_alloc(SIZE_MAX) == NULL);
	CHECK(errno == EINVAL);
}

/*
 * as_map.
 */
static void
test_map(void)
{
	struct segvn_crargs rw = { .fd = -1, .type = MAP_PRIVATE,
	    .prot = RW };
	char want[128];
	struct as *as;
	char *b;
	size_t w, n;

	REQUIRE((as = as_alloc(64 * MIB)) != NULL);
	b = as_window_base(as);
	w = as_window_size(as);

	CHECK(map_anon(as, PG(b, 4), 4, RW, MAP_PRIVATE) == 0);
	CHECK_VERIFY(as);
	LAYOUT(as, "4+4");
	CHECK(fill(as, PG(b, 4), 4 * ps, 1));

	/* Alignment, length, create function. */
	CHECK_ERRNO(as_map(as, b + 1, ps, segvn_create, &rw), EINVAL);
	CHECK_ERRNO(as_map(as, b, ps + 1, segvn_create, &rw), EINVAL);
	CHECK_ERRNO(as_map(as, b, ps / 2, segvn_create, &rw), EINVAL);
	CHECK_ERRNO(as_map(as, b, 0, segvn_create, &rw), EINVAL);
	CHECK_ERRNO(as_map(as, b, ps, NULL, &rw), EINVAL);
	CHECK_VERIFY(as);

	/* Outside the window, or straddling one of its ends. */
	CHECK_ERRNO(as_map(as, PG(b, -1), ps, segvn_create, &rw), ENOMEM);
	CHECK_ERRNO(as_map(as, PG(b, -1), 2 * ps, segvn_create, &rw),
	    ENOMEM);
	CHECK_ERRNO(as_map(as, b + w, ps, segvn_create, &rw), ENOMEM);
	CHECK_ERRNO(as_map(as, b + w - ps, 2 * ps, segvn_create, &rw),
	    ENOMEM);
	CHECK_ERRNO(as_map(as, b + w, SIZE_MAX & PAGEMASK, segvn_create,
	    &rw), ENOMEM);
	CHECK_ERRNO(as_map(as, PG(b, 16), SIZE_MAX & PAGEMASK, segvn_create,
	    &rw), ENOMEM);
	CHECK_VERIFY(as);

	/* Overlapping the segment at [4, 8): its start, middle, end, all
	 * of it and exactly it. */
	CHECK_ERRNO(map_anon(as, PG(b, 2), 3, RW, MAP_PRIVATE), EEXIST);
	CHECK_ERRNO(map_anon(as, PG(b, 5), 1, RW, MAP_PRIVATE), EEXIST);
	CHECK_ERRNO(map_anon(as, PG(b, 7), 3, RW, MAP_PRIVATE), EEXIST);
	CHECK_ERRNO(map_anon(as, PG(b, 2), 8, RW, MAP_PRIVATE), EEXIST);
	CHECK_ERRNO(map_anon(as, PG(b, 4), 4, RW, MAP_PRIVATE), EEXIST);
	CHECK_VERIFY(as);
	LAYOUT(as, "4+4");
	CHECK(holds(as, PG(b, 4), 4 * ps, 1));

	/* Touching neighbours are fine, and so are the window's first and
	 * last pages. */
	CHECK(map_anon(as, PG(b, 3), 1, RW, MAP_PRIVATE) == 0);
	CHECK(map_anon(as, PG(b, 8), 1, RW, MAP_PRIVATE) == 0);
	CHECK(map_anon(as, b, 1, RW, MAP_PRIVATE) == 0);
	CHECK(map_anon(as, b + w - ps, 1, RW, MAP_PRIVATE) == 0);
	CHECK_VERIFY(as);
	(void) snprintf(want, sizeof (want), "0+1 3+1 4+4 8+1 %zu+1",
	    w / ps - 1);
	LAYOUT(as, want);
	CHECK(holds(as, PG(b, 4), 4 * ps, 1));

	/* A create function that fails leaves no segment behind and its
	 * errno comes back; the range is free afterwards. */
	n = as_nsegs(as);
	CHECK_ERRNO(as_map(as, PG(b, 20), 2 * ps, eio_create, NULL), EIO);
	CHECK(eio_calls == 1);
	CHECK(as_nsegs(as) == n);
	CHECK_VERIFY(as);
	LAYOUT(as, want);
	CHECK(read_err(as, PG(b, 20)) == EFAULT);
	CHECK(map_anon(as, PG(b, 20), 2, RW, MAP_PRIVATE) == 0);
	CHECK_VERIFY(as);

	/* So do the driver's own argument checks. */
	n = as_nsegs(as);
	CHECK_ERRNO(as_map(as, PG(b, 30), ps, segvn_create, NULL), EINVAL);
	CHECK(as_nsegs(as) == n);
	CHECK_VERIFY(as);

	as_free(as);
}

/*
 * as_unmap with seg_vn segments: whole, several, holes, trims, splits.
 */
static void
test_unmap(void)
{
	struct as *as;
	char *b;
	size_t w;

	REQUIRE((as = as_alloc(64 * MIB)) != NULL);
	b = as_window_base(as);
	w = as_window_size(as);

	CHECK(map_anon(as, PG(b, 0), 4, RW, MAP_PRIVATE) == 0);
	CHECK(map_anon(as, PG(b, 6), 4, RW, MAP_PRIVATE) == 0);
	CHECK(map_anon(as, PG(b, 12), 4, RW, MAP_SHARED) == 0);
	CHECK(fill(as, PG(b, 0), 4 * ps, 2));
	CHECK(fill(as, PG(b, 6), 4 * ps, 2));
	CHECK(fill(as, PG(b, 12), 4 * ps, 2));
	CHECK_VERIFY(as);
	LAYOUT(as, "0+4 6+4 12+4");

	/* One whole segment. */
	CHECK(as_unmap(as, PG(b, 6), 4 * ps) == 0);
	CHECK_VERIFY(as);
	LAYOUT(as, "0+4 12+4");
	CHECK(read_err(as, PG(b, 6)) == EFAULT);
	CHECK(read_err(as, PG(b, 9)) == EFAULT);
	CHECK(holds(as, PG(b, 0), 4 * ps, 2));
	CHECK(holds(as, PG(b, 12), 4 * ps, 2));

	/* Several at once, with holes between and around them. */
	CHECK(map_anon(as, PG(b, 7), 1, RW, MAP_PRIVATE) == 0);
	CHECK(map_anon(as, PG(b, 20), 2, RW, MAP_PRIVATE) == 0);
	CHECK_VERIFY(as);
	LAYOUT(as, "0+4 7+1 12+4 20+2");
	CHECK(as_unmap(as, PG(b, 0), 18 * ps) == 0);
	CHECK_VERIFY(as);
	LAYOUT(as, "20+2");
	CHECK(read_err(as, PG(b, 0)) == EFAULT);
	CHECK(read_err(as, PG(b, 15)) == EFAULT);

	/* A range that is all hole. */
	CHECK(as_unmap(as, PG(b, 0), 8 * ps) == 0);
	CHECK_VERIFY(as);
	LAYOUT(as, "20+2");
	CHECK(as_unmap(as, PG(b, 20), 2 * ps) == 0);
	CHECK_VERIFY(as);
	LAYOUT(as, "");

	/* Head trim, tail trim, middle split. */
	CHECK(map_anon(as, PG(b, 0), 8, RW, MAP_PRIVATE) == 0);
	CHECK(fill(as, PG(b, 0), 8 * ps, 3));
	CHECK(as_unmap(as, PG(b, 0), ps) == 0);
	CHECK_VERIFY(as);
	LAYOUT(as, "1+7");
	CHECK(read_err(as, PG(b, 0)) == EFAULT);
	CHECK(holds(as, PG(b, 1), 7 * ps, 3));

	CHECK(as_unmap(as, PG(b, 7), ps) == 0);
	CHECK_VERIFY(as);
	LAYOUT(as, "1+6");
	CHECK(read_err(as, PG(b, 7)) == EFAULT);
	CHECK(holds(as, PG(b, 1), 6 * ps, 3));

	CHECK(as_unmap(as, PG(b, 3), 2 * ps) == 0);
	CHECK_VERIFY(as);
	LAYOUT(as, "1+2 5+2");
	CHECK(read_err(as, PG(b, 3)) == EFAULT);
	CHECK(read_err(as, PG(b, 4)) == EFAULT);
	CHECK(holds(as, PG(b, 1), 2 * ps, 3));
	CHECK(holds(as, PG(b, 5), 2 * ps, 3));

	/* One range trimming the tail of one segment and the head of the
	 * next, across the hole between them. */
	CHECK(as_unmap(as, PG(b, 2), 4 * ps) == 0);
	CHECK_VERIFY(as);
	LAYOUT(as, "1+1 6+1");
	CHECK(holds(as, PG(b, 1), ps, 3));
	CHECK(holds(as, PG(b, 6), ps, 3));
	CHECK(read_err(as, PG(b, 2)) == EFAULT);
	CHECK(read_err(as, PG(b, 5)) == EFAULT);

	/* Trimmed pieces keep working, and the freed pages can be mapped. */
	CHECK(fill(as, PG(b, 1), ps, 4));
	CHECK(fill(as, PG(b, 6), ps, 4));
	CHECK(map_anon(as, PG(b, 2), 4, RW, MAP_PRIVATE) == 0);
	CHECK_VERIFY(as);
	LAYOUT(as, "1+1 2+4 6+1");
	CHECK(holds(as, PG(b, 1), ps, 4));
	CHECK(holds(as, PG(b, 6), ps, 4));
	CHECK(as_unmap(as, PG(b, 0), 8 * ps) == 0);
	CHECK_VERIFY(as);
	LAYOUT(as, "");

	/* Split of a shared segment: both halves still share nothing odd
	 * and read their own pages. */
	CHECK(map_anon(as, PG(b, 10), 3, RW, MAP_SHARED) == 0);
	CHECK(fill(as, PG(b, 10), 3 * ps, 5));
	CHECK(as_unmap(as, PG(b, 11), ps) == 0);
	CHECK_VERIFY(as);
	LAYOUT(as, "10+1 12+1");
	CHECK(holds(as, PG(b, 10), ps, 5));
	CHECK(holds(as, PG(b, 12), ps, 5));
	CHECK(as_unmap(as, PG(b, 10), 3 * ps) == 0);
	CHECK_VERIFY(as);

	/* Errors: alignment, length, the window. */
	CHECK(map_anon(as, PG(b, 0), 2, RW, MAP_PRIVATE) == 0);
	CHECK_ERRNO(as_unmap(as, b + 1, ps), EINVAL);
	CHECK_ERRNO(as_unmap(as, b, ps + 1), EINVAL);
	CHECK_ERRNO(as_unmap(as, b, 0), EINVAL);
	CHECK_ERRNO(as_unmap(as, PG(b, -1), ps), EINVAL);
	CHECK_ERRNO(as_unmap(as, PG(b, -1), 2 * ps), EINVAL);
	CHECK_ERRNO(as_unmap(as, b + w, ps), EINVAL);
	CHECK_ERRNO(as_unmap(as, b + w - ps, 2 * ps), EINVAL);
	CHECK_ERRNO(as_unmap(as, b, SIZE_MAX & PAGEMASK), EINVAL);
	CHECK_VERIFY(as);
	LAYOUT(as, "0+2");

	as_free(as);
}

/*
 * as_unmap refusals: drivers that cannot be trimmed or split, a driver
 * without an unmap op, pinned pages.
 */
static void
test_unmap_refused(void)
{
	struct as *as;
	char *b;

	REQUIRE((as = as_alloc(64 * MIB)) != NULL);
	b = as_window_base(as);

	CHECK(map_anon(as, PG(b, 0), 2, RW, MAP_PRIVATE) == 0);
	CHECK(fill(as, PG(b, 0), 2 * ps, 6));
	CHECK(as_map(as, PG(b, 4), 4 * ps, rigid_create, NULL) == 0);
	CHECK_VERIFY(as);
	LAYOUT(as, "0+2 4+4");

	/* Head trim, tail trim and split of the rigid segment. */
	CHECK_ERRNO(as_unmap(as, PG(b, 4), ps), ENOTSUP);
	CHECK_ERRNO(as_unmap(as, PG(b, 7), ps), ENOTSUP);
	CHECK_ERRNO(as_unmap(as, PG(b, 5), 2 * ps), ENOTSUP);
	CHECK_ERRNO(as_unmap(as, PG(b, 6), 4 * ps), ENOTSUP);
	/* The anonymous segment below could go, but nothing may change. */
	CHECK_ERRNO(as_unmap(as, PG(b, 0), 6 * ps), ENOTSUP);
	CHECK_VERIFY(as);
	LAYOUT(as, "0+2 4+4");
	CHECK(holds(as, PG(b, 0), 2 * ps, 6));
	CHECK(rigid_partial_calls == 0);

	/* Whole, it goes. */
	CHECK(as_unmap(as, PG(b, 3), 6 * ps) == 0);
	CHECK_VERIFY(as);
	LAYOUT(as, "0+2");

	/* A driver with no unmap op gets the default: ENOTSUP, whole or
	 * partial. */
	CHECK(as_map(as, PG(b, 4), 2 * ps, bare_create, NULL) == 0);
	CHECK_VERIFY(as);
	CHECK_ERRNO(as_unmap(as, PG(b, 4), 2 * ps), ENOTSUP);
	CHECK_ERRNO(as_unmap(as, PG(b, 4), ps), ENOTSUP);
	CHECK_ERRNO(as_unmap(as, PG(b, 5), 4 * ps), ENOTSUP);
	CHECK_VERIFY(as);
	LAYOUT(as, "0+2 4+2");
	/* ... and a range over [vn][bare] changes nothing, the vn segment
	 * below included. */
	CHECK_ERRNO(as_unmap(as, PG(b, 0), 6 * ps), ENOTSUP);
	CHECK_VERIFY(as);
	LAYOUT(as, "0+2 4+2");

	/* A pinned page refuses whole unmap, trims and splits alike. */
	CHECK(map_anon(as, PG(b, 10), 4, RW, MAP_PRIVATE) == 0);
	CHECK(fill(as, PG(b, 10), 4 * ps, 7));
	CHECK(as_fault(as, PG(b, 11), ps, F_SOFTLOCK, S_READ) == 0);
	CHECK_ERRNO(as_unmap(as, PG(b, 10), 4 * ps), EBUSY);
	CHECK_ERRNO(as_unmap(as, PG(b, 11), ps), EBUSY);
	CHECK_ERRNO(as_unmap(as, PG(b, 13), ps), EBUSY);
	CHECK_ERRNO(as_unmap(as, PG(b, 10), ps), EBUSY);
	CHECK_VERIFY(as);
	LAYOUT(as, "0+2 4+2 10+4");
	CHECK(holds(as, PG(b, 10), 4 * ps, 7));
	CHECK(as_fault(as, PG(b, 11), ps, F_SOFTUNLOCK, S_READ) == 0);
	CHECK(as_unmap(as, PG(b, 11), ps) == 0);
	CHECK_VERIFY(as);
	LAYOUT(as, "0+2 4+2 10+1 12+2");

	/* Two pins need two unpins. */
	CHECK(as_fault(as, PG(b, 12), ps, F_SOFTLOCK, S_READ) == 0);
	CHECK(as_fault(as, PG(b, 12), ps, F_SOFTLOCK, S_WRITE) == 0);
	CHECK(as_fault(as, PG(b, 12), ps, F_SOFTUNLOCK, S_READ) == 0);
	CHECK_ERRNO(as_unmap(as, PG(b, 12), 2 * ps), EBUSY);
	CHECK(as_fault(as, PG(b, 12), ps, F_SOFTUNLOCK, S_WRITE) == 0);

	/* Segments below a pinned one in the range go first (documented). */
	CHECK(as_fault(as, PG(b, 13), ps, F_SOFTLOCK, S_READ) == 0);
	CHECK_ERRNO(as_unmap(as, PG(b, 10), 4 * ps), EBUSY);
	CHECK_VERIFY(as);
	LAYOUT(as, "0+2 4+2 12+2");
	CHECK(as_fault(as, PG(b, 13), ps, F_SOFTUNLOCK, S_READ) == 0);
	CHECK(as_unmap(as, PG(b, 12), 2 * ps) == 0);
	CHECK_VERIFY(as);
	LAYOUT(as, "0+2 4+2");

	as_free(as);
}

/*
 * The defaults seg_ops_register gives a driver that sets only a name.
 */
static void
test_default_ops(void)
{
	struct seg dummy;
	unsigned char vec[2];
	unsigned protv[2];
	void **pp = NULL;
	char buf[64];
	struct as *as, *nas;
	struct seg *seg;
	caddr_t a;
	size_t n;
	int err;

	REQUIRE((as = as_alloc(16 * MIB)) != NULL);
	a = as_window_base(as);
	CHECK(as_map(as, a, 2 * ps, bare_create, NULL) == 0);
	CHECK_VERIFY(as);

	CHECK(bare_ops.registered);
	CHECK(bare_ops.dup != NULL && bare_ops.unmap != NULL &&
	    bare_ops.free != NULL && bare_ops.fault != NULL &&
	    bare_ops.faulta != NULL && bare_ops.setprot != NULL &&
	    bare_ops.checkprot != NULL && bare_ops.kluster != NULL &&
	    bare_ops.sync != NULL && bare_ops.incore != NULL &&
	    bare_ops.lockop != NULL && bare_ops.getprot != NULL &&
	    bare_ops.getoffset != NULL && bare_ops.gettype != NULL &&
	    bare_ops.advise != NULL && bare_ops.dump != NULL &&
	    bare_ops.pagelock != NULL && bare_ops.capable != NULL);

	as_enter(as, AS_READER);
	seg = as_segat(as, a);
	REQUIRE(seg != NULL);
	memset(&dummy, 0, sizeof (dummy));
	CHECK(segop_dup(seg, &dummy) == ENOTSUP);
	CHECK(segop_unmap(seg, a, ps) == ENOTSUP);
	CHECK(segop_fault(seg, a, ps, F_INVAL, S_READ) == FC_NOSUPPORT);
	CHECK(segop_fault(seg, a, ps, F_SOFTLOCK, S_WRITE) == FC_NOSUPPORT);
	CHECK(segop_faulta(seg, a) == FC_NOSUPPORT);
	CHECK(segop_setprot(seg, a, ps, PROT_READ) == ENOTSUP);
	CHECK(segop_checkprot(seg, a, ps, PROT_READ) == ENOTSUP);
	CHECK(segop_kluster(seg, a, (ssize_t)ps) == -1);
	CHECK(segop_sync(seg, a, ps, MS_SYNC) == ENOTSUP);
	CHECK(segop_incore(seg, a, ps, vec) == ENOTSUP);
	CHECK(segop_lockop(seg, a, ps, MC_LOCK) == ENOTSUP);
	CHECK(segop_lockop(seg, a, ps, MC_UNLOCK) == ENOTSUP);
	CHECK(segop_getprot(seg, a, ps, protv) == ENOTSUP);
	CHECK(segop_getoffset(seg, a) == 0);
	CHECK(segop_gettype(seg, a) == 0);
	CHECK(segop_advise(seg, a, ps, MADV_WILLNEED) == ENOTSUP);
	memset(buf, 'x', sizeof (buf));
	segop_dump(seg, buf, sizeof (buf));
	CHECK(strcmp(buf, "bare_ops") == 0);
	CHECK(segop_pagelock(seg, a, ps, &pp, L_PAGELOCK, S_READ) ==
	    ENOTSUP);
	CHECK(segop_capable(seg, S_CAPABILITY_PARTIAL_UNMAP) == 0);
	CHECK(segop_capable(seg, S_CAPABILITY_NOMINFLT) == 0);
	CHECK(fc_to_errno(FC_NOSUPPORT) == ENOTSUP);
	CHECK(strcmp(seg_opsname(seg), "bare_ops") == 0);
	seg_describe(seg, buf, sizeof (buf));
	CHECK(strcmp(buf, "bare_ops") == 0);
	as_exit(as);

	/* The same refusals through the address space. */
	CHECK_ERRNO(as_fault(as, a, ps, F_INVAL, S_READ), ENOTSUP);
	CHECK_ERRNO(as_fault(as, a, ps, F_SOFTLOCK, S_READ), ENOTSUP);
	CHECK_ERRNO(as_setprot(as, a, ps, PROT_READ), ENOTSUP);
	CHECK_ERRNO(as_checkprot(as, a, 2 * ps, PROT_READ), ENOTSUP);
	CHECK_ERRNO(as_ctl(as, a, ps, AS_CTL_SYNC, MS_SYNC), ENOTSUP);
	CHECK_ERRNO(as_ctl(as, a, ps, AS_CTL_LOCK, 0), ENOTSUP);
	CHECK_ERRNO(as_ctl(as, a, ps, AS_CTL_UNLOCK, 0), ENOTSUP);
	CHECK_ERRNO(as_ctl(as, a, ps, AS_CTL_ADVISE, MADV_WILLNEED),
	    ENOTSUP);
	CHECK_ERRNO(as_incore(as, a, 2 * ps, vec), ENOTSUP);
	err = -1;
	n = as_read(as, a, buf, 16, &err);
	CHECK(n == 0 && err == ENOTSUP);
	err = -1;
	n = as_write(as, a, buf, 16, &err);
	CHECK(n == 0 && err == ENOTSUP);
	errno = 0;
	nas = as_dup(as);
	CHECK(nas == NULL && errno == ENOTSUP);
	as_free(nas);
	CHECK_VERIFY(as);
	LAYOUT(as, "0+2");

	as_free(as);
}

/*
 * as_gap, against a brute-force search over every aligned candidate.
 */
struct gap_segs {
	size_t		g_n;
	uintptr_t	g_lo[64];
	uintptr_t	g_hi[64];
};

static int
gap_cb(struct seg *seg, void *arg)
{
	struct gap_segs *g = arg;

	if (g->g_n < 64) {
		g->g_lo[g->g_n] = (uintptr_t)seg_base(seg);
		g->g_hi[g->g_n] = (uintptr_t)seg_base(seg) + seg_size(seg);
		g->g_n++;
	}
	return (0);
}

/* The lowest (or highest) free aligned range of len, or 0. */
static uintptr_t
gap_ref(struct as *as, size_t len, size_t align, bool high)
{
	uintptr_t lo = (uintptr_t)as_window_base(as);
	uintptr_t hi = lo + as_window_size(as), cand, found = 0;
	struct gap_segs g = { .g_n = 0 };
	size_t i;

	(void) as_walk(as, gap_cb, &g);
	for (cand = P2ROUNDUP(lo, align); cand >= lo && cand < hi &&
	    hi - cand >= len; cand += align) {
		bool free_range = true;

		for (i = 0; i < g.g_n && free_range; i++)
			free_range = (cand + len <= g.g_lo[i] ||
			    cand >= g.g_hi[i]);
		if (free_range) {
			found = cand;
			if (!high)
				break;
		}
	}
	return (found);
}

static void
gap_compare(struct as *as, int line)
{
	static const size_t lens[] = { 1, 3, 512, 1024 };	/* pages */
	static const size_t aligns[] = { 0, 1, 16, 512 };	/* pages */
	size_t i, j;
	int high;

	for (i = 0; i < sizeof (lens) / sizeof (lens[0]); i++) {
		for (j = 0; j < sizeof (aligns) / sizeof (aligns[0]); j++) {
			for (high = 0; high <= 1; high++) {
				size_t len = lens[i] * ps;
				size_t align = aligns[j] * ps;
				uintptr_t want = gap_ref(as, len,
				    align != 0 ? align : ps, high);
				void *got = NULL;
				int rv;

				errno = 0;
				rv = as_gap(as, len, align,
				    high ? AS_GAP_HIGH : AS_GAP_LOW, &got);
				if (want == 0 ? (rv != -1 || errno != ENOMEM) :
				    (rv != 0 || (uintptr_t)got != want)) {
					fprintf(stderr, "%s:%d: as_gap(%zu "
					    "pages, align %zu pages, %s) = "
					    "%d/%p, want %#" PRIxPTR "\n",
					    __FILE__, line, lens[i],
					    aligns[j], high ? "high" : "low",
					    rv, got, want);
					CHECK(!"as_gap as the reference");
				} else {
					CHECK(true);
				}
			}
		}
	}
}

static void
test_gap(void)
{
	struct as *as;
	uintptr_t lo, hi;
	void *a;
	char *b;
	size_t w, i, two_mib = 2 * MIB;

	REQUIRE((as = as_alloc(64 * MIB)) != NULL);
	b = as_window_base(as);
	w = as_window_size(as);
	lo = (uintptr_t)b;
	hi = lo + w;

	/* An empty window. */
	CHECK(as_gap(as, ps, 0, AS_GAP_LOW, &a) == 0 && a == b);
	CHECK(as_gap(as, ps, 0, AS_GAP_HIGH, &a) == 0 &&
	    (uintptr_t)a == hi - ps);
	CHECK(as_gap(as, w, 0, AS_GAP_LOW, &a) == 0 && a == b);
	CHECK(as_gap(as, w, ps, AS_GAP_HIGH, &a) == 0 && a == b);
	CHECK(as_gap(as, two_mib, two_mib, AS_GAP_LOW, &a) == 0 &&
	    (uintptr_t)a == P2ROUNDUP(lo, two_mib));
	CHECK(as_gap(as, two_mib, two_mib, AS_GAP_HIGH, &a) == 0 &&
	    (uintptr_t)a == P2ALIGN(hi - two_mib, two_mib));
	CHECK_ERRNO(as_gap(as, w + ps, 0, AS_GAP_LOW, &a), ENOMEM);
	CHECK_ERRNO(as_gap(as, w + ps, 0, AS_GAP_HIGH, &a), ENOMEM);
	gap_compare(as, __LINE__);

	/* Between segments: one at each end, a few in the middle. */
	CHECK(map_anon(as, b, 3, RW, MAP_PRIVATE) == 0);
	CHECK(map_anon(as, b + w - ps, 1, RW, MAP_PRIVATE) == 0);
	CHECK(map_anon(as, PG(b, 5), 1, RW, MAP_PRIVATE) == 0);
	CHECK(map_anon(as, PG(b, 600), 7, RW, MAP_PRIVATE) == 0);
	CHECK(map_anon(as, PG(b, 4000), 3000, RW, MAP_PRIVATE) == 0);
	CHECK(map_anon(as, b + w - 700 * ps, 2, RW, MAP_PRIVATE) == 0);
	CHECK_VERIFY(as);
	CHECK(as_gap(as, ps, 0, AS_GAP_LOW, &a) == 0 && a == PG(b, 3));
	CHECK(as_gap(as, 2 * ps, 0, AS_GAP_LOW, &a) == 0 && a == PG(b, 3));
	CHECK(as_gap(as, 3 * ps, 0, AS_GAP_LOW, &a) == 0 && a == PG(b, 6));
	CHECK(as_gap(as, ps, 0, AS_GAP_HIGH, &a) == 0 &&
	    (uintptr_t)a == hi - 2 * ps);
	gap_compare(as, __LINE__);

	/* What as_gap finds can be mapped. */
	CHECK(as_gap(as, two_mib, two_mib, AS_GAP_LOW, &a) == 0);
	CHECK(IS_P2ALIGNED(a, two_mib));
	CHECK(as_map(as, a, two_mib, segvn_create, &(struct segvn_crargs){
	    .fd = -1, .type = MAP_PRIVATE, .prot = RW }) == 0);
	CHECK(as_gap(as, two_mib, two_mib, AS_GAP_HIGH, &a) == 0);
	CHECK(IS_P2ALIGNED(a, two_mib));
	CHECK(map_anon(as, a, two_mib / ps, RW, MAP_PRIVATE) == 0);
	CHECK_VERIFY(as);
	gap_compare(as, __LINE__);
	as_free(as);

	/* Nothing fits: every other page of a small window is mapped. */
	REQUIRE((as = as_alloc(32 * ps)) != NULL);
	b = as_window_base(as);
	for (i = 0; i < 32; i += 2)
		CHECK(map_anon(as, PG(b, i), 1, RW, MAP_PRIVATE) == 0);
	CHECK_VERIFY(as);
	CHECK_ERRNO(as_gap(as, 2 * ps, 0, AS_GAP_LOW, &a), ENOMEM);
	CHECK_ERRNO(as_gap(as, 2 * ps, 0, AS_GAP_HIGH, &a), ENOMEM);
	CHECK(as_gap(as, ps, 0, AS_GAP_LOW, &a) == 0 && a == PG(b, 1));
	CHECK(as_gap(as, ps, 0, AS_GAP_HIGH, &a) == 0 && a == PG(b, 31));
	gap_compare(as, __LINE__);

	/* Bad arguments. */
	CHECK_ERRNO(as_gap(as, 0, 0, AS_GAP_LOW, &a), EINVAL);
	CHECK_ERRNO(as_gap(as, ps + 1, 0, AS_GAP_LOW, &a), EINVAL);
	CHECK_ERRNO(as_gap(as, ps / 2, 0, AS_GAP_HIGH, &a), EINVAL);
	CHECK_ERRNO(as_gap(as, ps, 3 * ps, AS_GAP_LOW, &a), EINVAL);
	CHECK_ERRNO(as_gap(as, ps, ps / 2, AS_GAP_LOW, &a), EINVAL);
	CHECK_ERRNO(as_gap(as, ps, ps + 1, AS_GAP_HIGH, &a), EINVAL);
	CHECK_ERRNO(as_gap(as, ps, 0, 0x2, &a), EINVAL);
	CHECK_ERRNO(as_gap(as, ps, 0, AS_GAP_HIGH | 0x10, &a), EINVAL);
	CHECK_ERRNO(as_gap(as, ps, 0, -1, &a), EINVAL);
	CHECK_ERRNO(as_gap(as, ps, 0, AS_GAP_LOW, NULL), EINVAL);
	CHECK_VERIFY(as);
	as_free(as);
}

/*
 * as_findseg and as_segat against a sorted reference, in both lookup
 * modes: the segtree, and the index built after enough lookups.
 */
struct ref_seg {
	uintptr_t	r_base;
	size_t		r_size;
};

static struct ref_seg *refv;
static size_t refn;
#define	REF_MAX	1024

static void
ref_add(uintptr_t base, size_t size)
{
	size_t i;

	REQUIRE(refn < REF_MAX);
	for (i = refn; i > 0 && refv[i - 1].r_base > base; i--)
		refv[i] = refv[i - 1];
	refv[i].r_base = base;
	refv[i].r_size = size;
	refn++;
}

/* Remove [lo, hi) from the reference, trimming and splitting. */
static void
ref_remove(uintptr_t lo, uintptr_t hi)
{
	struct ref_seg *old = malloc(refn * sizeof (*old) + 1);
	size_t i, n = refn;

	REQUIRE(old != NULL);
	memcpy(old, refv, n * sizeof (*old));
	refn = 0;
	for (i = 0; i < n; i++) {
		uintptr_t b = old[i].r_base, e = b + old[i].r_size;

		if (e <= lo || b >= hi) {
			ref_add(b, e - b);
			continue;
		}
		if (b < lo)
			ref_add(b, lo - b);
		if (e > hi)
			ref_add(hi, e - hi);
	}
	free(old);
}

/* The reference answer of as_findseg(addr, tail). */
static const struct ref_seg *
ref_find(uintptr_t addr, int tail)
{
	size_t lo = 0, hi = refn;

	/* lo: the number of segments whose base is at or below addr. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (refv[mid].r_base <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo > 0 && addr - refv[lo - 1].r_base < refv[lo - 1].r_size)
		return (&refv[lo - 1]);
	if (!tail || lo == refn)
		return (NULL);
	return (&refv[lo]);
}

static bool
seg_is(const struct seg *seg, const struct ref_seg *r)
{
	if (seg == NULL || r == NULL)
		return (seg == NULL && r == NULL);
	return ((uintptr_t)seg_base(seg) == r->r_base &&
	    seg_size(seg) == r->r_size);
}

/* Look addr up three ways; the number of wrong answers. */
static unsigned
lookup_one(struct as *as, uintptr_t addr)
{
	const struct ref_seg *r0 = ref_find(addr, 0), *r1 = ref_find(addr, 1);
	struct seg *s0, *s1, *sa;
	unsigned bad = 0;

	s0 = as_findseg(as, (void *)addr, 0);
	s1 = as_findseg(as, (void *)addr, 1);
	sa = as_segat(as, (void *)addr);
	if (!seg_is(s0, r0) || !seg_is(s1, r1) || !seg_is(sa, r0)) {
		fprintf(stderr, "lookup of %#" PRIxPTR ": tail 0 %p (want "
		    "%#" PRIxPTR "), tail 1 %p (want %#" PRIxPTR "), segat "
		    "%p\n", addr, s0 != NULL ? seg_base(s0) : NULL,
		    r0 != NULL ? r0->r_base : 0,
		    s1 != NULL ? seg_base(s1) : NULL,
		    r1 != NULL ? r1->r_base : 0,
		    sa != NULL ? seg_base(sa) : NULL);
		bad++;
	}
	return (bad);
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

/*
 * With fixed, the fixed cases (each segment's first and last byte, the
 * bytes just outside it, the window's ends); then nrandom random
 * addresses around the window.  Returns the number of wrong answers.
 * The caller holds nothing; the lock is taken here.
 */
static unsigned
lookup_batch(struct as *as, bool fixed, size_t nrandom)
{
	uintptr_t lo = (uintptr_t)as_window_base(as);
	uintptr_t hi = lo + as_window_size(as);
	unsigned bad = 0;
	size_t i;

	as_enter(as, AS_READER);
	for (i = 0; fixed && i < refn; i++) {
		bad += lookup_one(as, refv[i].r_base);
		bad += lookup_one(as, refv[i].r_base + refv[i].r_size - 1);
		bad += lookup_one(as, refv[i].r_base + refv[i].r_size);
		bad += lookup_one(as, refv[i].r_base - 1);
	}
	if (fixed) {
		bad += lookup_one(as, lo - 1);
		bad += lookup_one(as, lo);
		bad += lookup_one(as, hi - 1);
		bad += lookup_one(as, hi);
		bad += lookup_one(as, UINTPTR_MAX);
	}
	for (i = 0; i < nrandom; i++)
		bad += lookup_one(as, lo - ps +
		    prng_next(&rng_state) % (hi - lo + 2 * ps));
	as_exit(as);
	return (bad);
}

static bool
index_built(struct as *as)
{
	return (atomic_load(&as->a_index) != NULL);
}

/* Lookups enough to make the library build its index (n/16 + 32 and
 * then some), as in vm/as.c. */
static size_t
lookups_for_index(size_t nsegs)
{
	return (nsegs / 16 + 32 + 8);
}

static void
test_findseg(void)
{
	struct as *as;
	struct seg *seg;
	uintptr_t lo, page;
	size_t i, w, npages, nsegs = 300;
	char *b;

	refv = calloc(REF_MAX, sizeof (*refv));
	REQUIRE(refv != NULL);
	refn = 0;

	REQUIRE((as = as_alloc(64 * MIB)) != NULL);
	b = as_window_base(as);
	w = as_window_size(as);
	lo = (uintptr_t)b;

	/* An empty address space. */
	as_enter(as, AS_READER);
	CHECK(as_findseg(as, b, 0) == NULL);
	CHECK(as_findseg(as, b, 1) == NULL);
	CHECK(as_segat(as, b) == NULL);
	as_exit(as);

	/* A few segments: the documented cases one by one. */
	CHECK(map_anon(as, PG(b, 2), 2, RW, MAP_PRIVATE) == 0);
	CHECK(map_anon(as, PG(b, 8), 1, RW, MAP_PRIVATE) == 0);
	CHECK_VERIFY(as);
	as_enter(as, AS_READER);
	seg = as_findseg(as, PG(b, 3) + 5, 0);
	CHECK(seg != NULL && seg_base(seg) == PG(b, 2));
	CHECK(as_segat(as, PG(b, 3) + 5) == seg);
	CHECK(as_findseg(as, PG(b, 2), 1) == seg);
	CHECK(as_findseg(as, PG(b, 5), 0) == NULL);
	CHECK(as_segat(as, PG(b, 5)) == NULL);
	seg = as_findseg(as, PG(b, 5), 1);
	CHECK(seg != NULL && seg_base(seg) == PG(b, 8));
	seg = as_findseg(as, b, 1);
	CHECK(seg != NULL && seg_base(seg) == PG(b, 2));
	CHECK(as_findseg(as, PG(b, 9), 0) == NULL);
	CHECK(as_findseg(as, PG(b, 9), 1) == NULL);
	CHECK(as_findseg(as, PG(b, 9) - 1, 1) != NULL);
	as_exit(as);
	CHECK(as_unmap(as, b, 16 * ps) == 0);
	CHECK_VERIFY(as);

	/* A few hundred segments of 1-4 pages with gaps of 0-3 pages, and
	 * one on the window's last page. */
	page = 0;
	for (i = 0; i < nsegs; i++) {
		page += prng_next(&rng_state) % 4;
		npages = 1 + prng_next(&rng_state) % 4;
		CHECK(map_anon(as, PG(b, page), npages, RW,
		    MAP_PRIVATE) == 0);
		ref_add(lo + page * ps, npages * ps);
		page += npages;
	}
	CHECK(map_anon(as, b + w - ps, 1, RW, MAP_PRIVATE) == 0);
	ref_add(lo + w - ps, ps);
	REQUIRE(as_nsegs(as) == refn);
	CHECK(!index_built(as));

	/* Tree mode (a few lookups), then enough to build the index. */
	CHECK(lookup_batch(as, false, 10) == 0);
	CHECK(lookup_batch(as, true, lookups_for_index(refn) + 400) == 0);
	CHECK(index_built(as));
	CHECK(lookup_batch(as, true, 400) == 0);
	CHECK_VERIFY(as);

	/* Each kind of change drops the index; lookups stay right before
	 * and after it is rebuilt. */
	for (i = 0; i < 6; i++) {
		const struct ref_seg *r =
		    &refv[prng_next(&rng_state) % (refn - 1)];
		uintptr_t base = r->r_base;
		size_t size = r->r_size;
		void *a;

		if (!index_built(as))
			CHECK(lookup_batch(as, false,
			    lookups_for_index(refn)) == 0);
		CHECK(index_built(as));
		switch (i % 3) {
		case 0:		/* unmap the segment, or split it */
			if (size > 2 * ps) {
				CHECK(as_unmap(as, (void *)(base + ps),
				    ps) == 0);
				ref_remove(base + ps, base + 2 * ps);
			} else {
				CHECK(as_unmap(as, (void *)base, size) == 0);
				ref_remove(base, base + size);
			}
			break;
		case 1:		/* trim its head, and the page below */
			if (base > lo)
				base -= ps;
			CHECK(as_unmap(as, (void *)base, 2 * ps) == 0);
			ref_remove(base, base + 2 * ps);
			break;
		case 2:		/* map into the lowest free gap */
			REQUIRE(as_gap(as, ps, 0, AS_GAP_LOW, &a) == 0);
			CHECK(map_anon(as, a, 1, RW, MAP_PRIVATE) == 0);
			ref_add((uintptr_t)a, ps);
			break;
		}
		CHECK(!index_built(as));
		REQUIRE(as_nsegs(as) == refn);
		CHECK(lookup_batch(as, false, 10) == 0);
		CHECK(lookup_batch(as, true, lookups_for_index(refn)) == 0);
		CHECK(index_built(as));
		CHECK_VERIFY(as);
	}

	/* A create function that fails changes nothing visible. */
	{
		void *a;

		REQUIRE(as_gap(as, ps, 0, AS_GAP_LOW, &a) == 0);
		CHECK_ERRNO(as_map(as, a, ps, eio_create, NULL), EIO);
		CHECK(lookup_batch(as, false, 10) == 0);
		CHECK(lookup_batch(as, true, lookups_for_index(refn)) == 0);
		CHECK_VERIFY(as);
	}

	as_free(as);
	free(refv);
	refv = NULL;
	refn = 0;
}

/*
 * as_fault.
 */
struct fault_args {
	struct as	*fa_as;
	void		*fa_addr;
	enum seg_rw	fa_rw;
};

/* In a child: F_INVAL must succeed or refuse with EACCES. */
static void
fault_inval_child(void *arg)
{
	struct fault_args *fa = arg;

	if (as_fault(fa->fa_as, fa->fa_addr, ps, F_INVAL, fa->fa_rw) != 0 &&
	    errno != EACCES)
		_exit(2);
}

static void
test_fault(void)
{
	struct fault_args fa;
	struct as *as;
	char *b;
	size_t w;

	REQUIRE((as = as_alloc(64 * MIB)) != NULL);
	b = as_window_base(as);
	w = as_window_size(as);

	/* [0,4) A rw, [4,6) B read-only, [6,8) hole, [8,10) C rw. */
	CHECK(map_anon(as, PG(b, 0), 4, RW, MAP_PRIVATE) == 0);
	CHECK(map_anon(as, PG(b, 4), 2, PROT_READ, MAP_PRIVATE) == 0);
	CHECK(map_anon(as, PG(b, 8), 2, RW, MAP_SHARED) == 0);
	CHECK_VERIFY(as);

	CHECK(as_fault(as, b, 6 * ps, F_INVAL, S_READ) == 0);
	CHECK(as_fault(as, b + 10, 100, F_INVAL, S_READ) == 0);
	CHECK(as_fault(as, PG(b, 3) + 10, ps, F_INVAL, S_READ) == 0);
	CHECK(as_fault(as, b, 4 * ps, F_INVAL, S_WRITE) == 0);
	CHECK(as_fault(as, PG(b, 8), 2 * ps, F_INVAL, S_WRITE) == 0);
	CHECK_ERRNO(as_fault(as, PG(b, 4), 2 * ps, F_INVAL, S_WRITE),
	    EACCES);
	CHECK_ERRNO(as_fault(as, PG(b, 0), 6 * ps, F_INVAL, S_WRITE), EACCES);
	CHECK_ERRNO(as_fault(as, PG(b, 4), 4 * ps, F_INVAL, S_READ), EFAULT);
	CHECK_ERRNO(as_fault(as, PG(b, 4), 6 * ps, F_INVAL, S_READ), EFAULT);
	CHECK_ERRNO(as_fault(as, PG(b, 6), ps, F_INVAL, S_READ), EFAULT);
	CHECK_ERRNO(as_fault(as, PG(b, 7) + 5, 10, F_INVAL, S_READ), EFAULT);
	CHECK_ERRNO(as_fault(as, b, ps, (enum fault_type)9, S_READ), EINVAL);
	CHECK_ERRNO(as_fault(as, b, ps, (enum fault_type)-1, S_READ), EINVAL);
	CHECK_ERRNO(as_fault(as, PG(b, -1), ps, F_INVAL, S_READ), EFAULT);
	CHECK_ERRNO(as_fault(as, PG(b, -1), 2 * ps, F_INVAL, S_READ),
	    EFAULT);
	CHECK_ERRNO(as_fault(as, b + w - ps, 2 * ps, F_INVAL, S_READ),
	    EFAULT);
	CHECK_ERRNO(as_fault(as, b + w, ps, F_INVAL, S_READ), EFAULT);
	CHECK_ERRNO(as_fault(as, b, SIZE_MAX, F_INVAL, S_READ), EFAULT);
	CHECK_VERIFY(as);

	/* F_SOFTLOCK pins against unmap until F_SOFTUNLOCK. */
	CHECK(as_fault(as, PG(b, 8), ps, F_SOFTLOCK, S_WRITE) == 0);
	CHECK_ERRNO(as_unmap(as, PG(b, 8), 2 * ps), EBUSY);
	CHECK_VERIFY(as);
	LAYOUT(as, "0+4 4+2 8+2");
	CHECK(as_fault(as, PG(b, 8), ps, F_SOFTUNLOCK, S_WRITE) == 0);
	CHECK(as_unmap(as, PG(b, 8), 2 * ps) == 0);
	CHECK_VERIFY(as);
	LAYOUT(as, "0+4 4+2");

	/* A pin across two segments pins both. */
	CHECK(as_fault(as, PG(b, 3), 2 * ps, F_SOFTLOCK, S_READ) == 0);
	CHECK_ERRNO(as_unmap(as, PG(b, 0), 4 * ps), EBUSY);
	CHECK_ERRNO(as_unmap(as, PG(b, 4), 2 * ps), EBUSY);
	CHECK(as_fault(as, PG(b, 3), 2 * ps, F_SOFTUNLOCK, S_READ) == 0);
	LAYOUT(as, "0+4 4+2");

	/* A failed F_SOFTLOCK leaves nothing pinned: [A][B read-only] for
	 * writing, then [B][hole]. */
	CHECK_ERRNO(as_fault(as, PG(b, 0), 6 * ps, F_SOFTLOCK, S_WRITE),
	    EACCES);
	CHECK_ERRNO(as_fault(as, PG(b, 2), 5 * ps, F_SOFTLOCK, S_READ),
	    EFAULT);
	CHECK(as_unmap(as, PG(b, 0), 4 * ps) == 0);
	CHECK(as_unmap(as, PG(b, 4), 2 * ps) == 0);
	CHECK_VERIFY(as);
	LAYOUT(as, "");

	/* S_OTHER asks for no particular access, so a vn segment lets it
	 * through even on an inaccessible page; faulting such a page in
	 * must refuse or succeed, never crash the caller. */
	CHECK(map_anon(as, PG(b, 0), 1, PROT_NONE, MAP_PRIVATE) == 0);
	CHECK(map_anon(as, PG(b, 1), 1, PROT_READ, MAP_PRIVATE) == 0);
	fa.fa_as = as;
	fa.fa_addr = PG(b, 1);
	fa.fa_rw = S_OTHER;
	CHECK(test_survives(fault_inval_child, &fa, "F_INVAL S_OTHER, PROT_READ"));
	fa.fa_addr = PG(b, 0);
	CHECK(test_survives(fault_inval_child, &fa, "F_INVAL S_OTHER, PROT_NONE"));
	fa.fa_rw = S_READ;
	CHECK(test_survives(fault_inval_child, &fa, "F_INVAL S_READ, PROT_NONE"));
	CHECK_ERRNO(as_fault(as, PG(b, 0), ps, F_INVAL, S_READ), EACCES);
	CHECK_VERIFY(as);

	as_free(as);
}

/*
 * as_setprot and as_checkprot, seen through the calls, as_read/as_write
 * and the host.
 */
static void
test_prot(void)
{
	struct segvn_crargs capped = { .fd = -1, .type = MAP_PRIVATE,
	    .prot = PROT_READ, .maxprot = RW };
	unsigned char *buf;
	struct as *as;
	size_t n;
	char *b;
	int err;

	REQUIRE((buf = malloc(4 * ps)) != NULL);
	REQUIRE((as = as_alloc(64 * MIB)) != NULL);
	b = as_window_base(as);

	CHECK(map_anon(as, PG(b, 0), 4, RW, MAP_PRIVATE) == 0);
	CHECK(fill(as, b, 4 * ps, 8));
	CHECK(as_checkprot(as, b, 4 * ps, RW) == 0);
	CHECK(as_checkprot(as, b, 4 * ps, PROT_READ) == 0);
	CHECK(as_checkprot(as, b, 4 * ps, 0) == 0);
	CHECK_ERRNO(as_checkprot(as, b, 4 * ps, PROT_EXEC), EACCES);
	HOST_PROT(b, "rw-");

	/* The whole segment read-only. */
	CHECK(as_setprot(as, b, 4 * ps, PROT_READ) == 0);
	CHECK_VERIFY(as);
	CHECK(as_checkprot(as, b, 4 * ps, PROT_READ) == 0);
	CHECK_ERRNO(as_checkprot(as, b, 4 * ps, PROT_WRITE), EACCES);
	CHECK_ERRNO(as_checkprot(as, PG(b, 3), ps, RW), EACCES);
	HOST_PROT(b, "r--");
	HOST_PROT(PG(b, 3), "r--");
	err = -1;
	CHECK(as_write(as, PG(b, 1), buf, 10, &err) == 0 && err == EACCES);
	CHECK(holds(as, b, 4 * ps, 8));

	/* One page writable again, one page inaccessible. */
	CHECK(as_setprot(as, PG(b, 1), ps, RW) == 0);
	CHECK(as_setprot(as, PG(b, 3), ps, PROT_NONE) == 0);
	CHECK_VERIFY(as);
	CHECK(as_checkprot(as, PG(b, 1), ps, RW) == 0);
	CHECK_ERRNO(as_checkprot(as, PG(b, 0), ps, PROT_WRITE), EACCES);
	CHECK_ERRNO(as_checkprot(as, PG(b, 2), ps, PROT_WRITE), EACCES);
	CHECK_ERRNO(as_checkprot(as, b, 3 * ps, PROT_WRITE), EACCES);
	CHECK(as_checkprot(as, b, 3 * ps, PROT_READ) == 0);
	CHECK_ERRNO(as_checkprot(as, b, 4 * ps, PROT_READ), EACCES);
	CHECK(as_checkprot(as, PG(b, 3), ps, 0) == 0);
	HOST_PROT(PG(b, 0), "r--");
	HOST_PROT(PG(b, 1), "rw-");
	HOST_PROT(PG(b, 2), "r--");
	HOST_PROT(PG(b, 3), "---");

	/* Copies obey the pages: a write from page 1 stops at page 2. */
	CHECK(fill(as, PG(b, 1), ps, 9));
	memset(buf, 0xee, 2 * ps);
	err = -1;
	n = as_write(as, PG(b, 1) + 8, buf, 2 * ps, &err);
	CHECK(n == ps - 8 && err == EACCES);
	CHECK(holds(as, PG(b, 2), ps, 8));
	err = -1;
	n = as_read(as, PG(b, 1), buf, 3 * ps, &err);
	CHECK(n == 2 * ps && err == EACCES);
	CHECK(read_err(as, PG(b, 3)) == EACCES);
	CHECK(holds(as, PG(b, 0), ps, 8));

	/* Whole again: per-page state is gone. */
	CHECK(as_setprot(as, b, 4 * ps, RW) == 0);
	CHECK_VERIFY(as);
	CHECK(as_checkprot(as, b, 4 * ps, RW) == 0);
	HOST_PROT(PG(b, 3), "rw-");
	CHECK(holds(as, PG(b, 2), 2 * ps, 8));

	/* Across two segments. */
	CHECK(map_anon(as, PG(b, 4), 2, RW, MAP_SHARED) == 0);
	CHECK(as_setprot(as, PG(b, 3), 2 * ps, PROT_READ) == 0);
	CHECK_VERIFY(as);
	CHECK(as_checkprot(as, PG(b, 2), ps, PROT_WRITE) == 0);
	CHECK_ERRNO(as_checkprot(as, PG(b, 3), ps, PROT_WRITE), EACCES);
	CHECK_ERRNO(as_checkprot(as, PG(b, 4), ps, PROT_WRITE), EACCES);
	CHECK(as_checkprot(as, PG(b, 5), ps, PROT_WRITE) == 0);

	/* Above maxprot: refused, nothing changed. */
	CHECK(as_map(as, PG(b, 8), 2 * ps, segvn_create, &capped) == 0);
	CHECK_ERRNO(as_setprot(as, PG(b, 8), 2 * ps, PROT_READ | PROT_EXEC),
	    EACCES);
	CHECK_ERRNO(as_setprot(as, PG(b, 9), ps, PROT_EXEC), EACCES);
	CHECK(as_checkprot(as, PG(b, 8), 2 * ps, PROT_READ) == 0);
	CHECK_ERRNO(as_checkprot(as, PG(b, 8), 2 * ps, PROT_WRITE), EACCES);
	CHECK(as_setprot(as, PG(b, 8), 2 * ps, RW) == 0);
	CHECK(as_checkprot(as, PG(b, 8), 2 * ps, RW) == 0);
	CHECK_VERIFY(as);

	/* A hole in the range: refused before anything changes. */
	CHECK_ERRNO(as_setprot(as, PG(b, 4), 6 * ps, PROT_NONE), ENOMEM);
	CHECK(as_checkprot(as, PG(b, 5), ps, PROT_WRITE) == 0);
	HOST_PROT(PG(b, 5), "rw-");
	CHECK_ERRNO(as_checkprot(as, PG(b, 4), 6 * ps, 0), ENOMEM);
	CHECK_ERRNO(as_setprot(as, PG(b, 6), ps, PROT_READ), ENOMEM);

	/* Bad protection bits. */
	CHECK_ERRNO(as_setprot(as, b, ps, 0x100), EINVAL);
	CHECK_ERRNO(as_checkprot(as, b, ps, 0x100), EINVAL);
	CHECK_ERRNO(as_setprot(as, b, ps, ~0u), EINVAL);
	CHECK_VERIFY(as);

	as_free(as);
	free(buf);
}

/*
 * as_ctl.
 */
static void
test_ctl(void)
{
	struct as *as;
	char *b;
	int rv;

	REQUIRE((as = as_alloc(64 * MIB)) != NULL);
	b = as_window_base(as);

	CHECK(map_anon(as, PG(b, 0), 4, RW, MAP_PRIVATE) == 0);
	CHECK(map_anon(as, PG(b, 4), 2, RW, MAP_SHARED) == 0);
	CHECK(fill(as, b, 6 * ps, 10));

	CHECK(as_ctl(as, b, 6 * ps, AS_CTL_SYNC, MS_SYNC) == 0);
	CHECK(as_ctl(as, b, 6 * ps, AS_CTL_SYNC, MS_ASYNC) == 0);
	CHECK(as_ctl(as, b, 6 * ps, AS_CTL_ADVISE, MADV_WILLNEED) == 0);
	CHECK(as_ctl(as, b, 6 * ps, AS_CTL_ADVISE, MADV_NORMAL) == 0);
	errno = 0;
	rv = as_ctl(as, b, 6 * ps, AS_CTL_LOCK, 0);
	if (rv != 0) {
		/* RLIMIT_MEMLOCK may forbid it; nothing else may fail. */
		CHECK(errno == EPERM || errno == ENOMEM);
		fprintf(stderr, "note: AS_CTL_LOCK refused by the host: %s\n",
		    strerror(errno));
	} else {
		CHECK(as_ctl(as, b, 6 * ps, AS_CTL_UNLOCK, 0) == 0);
	}
	CHECK_VERIFY(as);
	CHECK(holds(as, b, 6 * ps, 10));

	/* A hole in the range. */
	CHECK_ERRNO(as_ctl(as, b, 8 * ps, AS_CTL_SYNC, MS_SYNC), ENOMEM);
	CHECK_ERRNO(as_ctl(as, b, 8 * ps, AS_CTL_LOCK, 0), ENOMEM);
	CHECK_ERRNO(as_ctl(as, b, 8 * ps, AS_CTL_UNLOCK, 0), ENOMEM);
	CHECK_ERRNO(as_ctl(as, PG(b, 6), ps, AS_CTL_ADVISE, MADV_WILLNEED),
	    ENOMEM);
	/* A bad operation, and bad host arguments passed through. */
	CHECK_ERRNO(as_ctl(as, b, ps, (enum as_ctl_op)42, 0), EINVAL);
	CHECK_ERRNO(as_ctl(as, b, ps, (enum as_ctl_op)-1, 0), EINVAL);
	CHECK_ERRNO(as_ctl(as, b, ps, AS_CTL_SYNC, MS_SYNC | MS_ASYNC),
	    EINVAL);
	CHECK_VERIFY(as);
	CHECK(holds(as, b, 6 * ps, 10));

	as_free(as);
}

/*
 * as_incore.
 */
static void
test_incore(void)
{
	unsigned char vec[8];
	unsigned char one = 1;
	struct as *as;
	char *b;
	int err;

	REQUIRE((as = as_alloc(64 * MIB)) != NULL);
	b = as_window_base(as);

	CHECK(map_anon(as, PG(b, 0), 4, RW, MAP_PRIVATE) == 0);
	CHECK(map_anon(as, PG(b, 4), 2, RW, MAP_SHARED) == 0);
	memset(vec, 0xff, sizeof (vec));
	CHECK(as_incore(as, b, 6 * ps, vec) == 0);
	CHECK(vec[0] == 0 && vec[1] == 0 && vec[2] == 0 && vec[3] == 0 &&
	    vec[4] == 0 && vec[5] == 0);
	CHECK(vec[6] == 0xff);		/* nothing past the range */

	err = -1;
	CHECK(as_write(as, PG(b, 1) + 3, &one, 1, &err) == 1 && err == 0);
	CHECK(as_write(as, PG(b, 5), &one, 1, &err) == 1 && err == 0);
	memset(vec, 0xff, sizeof (vec));
	CHECK(as_incore(as, b, 6 * ps, vec) == 0);
	CHECK(vec[0] == 0 && vec[1] == 1 && vec[2] == 0 && vec[3] == 0 &&
	    vec[4] == 0 && vec[5] == 1);
	/* A range starting inside the second segment: vec from its start. */
	memset(vec, 0xff, sizeof (vec));
	CHECK(as_incore(as, PG(b, 5), ps, vec) == 0);
	CHECK(vec[0] == 1 && vec[1] == 0xff);

	CHECK_ERRNO(as_incore(as, b, 8 * ps, vec), ENOMEM);
	CHECK_ERRNO(as_incore(as, PG(b, 7), ps, vec), ENOMEM);
	CHECK_ERRNO(as_incore(as, b, ps, NULL), EINVAL);
	CHECK_VERIFY(as);

	as_free(as);
}

/*
 * as_read and as_write.
 */
static void
test_copy(void)
{
	unsigned char *buf, *back;
	struct as *as;
	size_t w, n, len, i;
	char *b;
	int err;

	REQUIRE((as = as_alloc(64 * MIB)) != NULL);
	b = as_window_base(as);
	w = as_window_size(as);
	len = 4 * ps;
	REQUIRE((buf = malloc(len)) != NULL);
	REQUIRE((back = malloc(len)) != NULL);
	for (i = 0; i < len; i++)
		buf[i] = (unsigned char)(i * 11 + 3);

	/* [0,3) A, [3,5) B, [5,6) hole, [6,8) C with page 7 read-only. */
	CHECK(map_anon(as, PG(b, 0), 3, RW, MAP_PRIVATE) == 0);
	CHECK(map_anon(as, PG(b, 3), 2, RW, MAP_SHARED) == 0);
	CHECK(map_anon(as, PG(b, 6), 2, RW, MAP_PRIVATE) == 0);
	CHECK(as_setprot(as, PG(b, 7), ps, PROT_READ) == 0);
	CHECK_VERIFY(as);

	/* Round trip across page and segment boundaries. */
	err = -1;
	n = as_write(as, b + ps / 2, buf, len, &err);
	CHECK(n == len && err == 0);
	memset(back, 0, len);
	err = -1;
	n = as_read(as, b + ps / 2, back, len, &err);
	CHECK(n == len && err == 0);
	CHECK(memcmp(buf, back, len) == 0);

	/* [B][hole]: the bytes up to the hole, then EFAULT. */
	memset(back, 0, len);
	err = -1;
	n = as_read(as, PG(b, 4) + 100, back, 2 * ps, &err);
	CHECK(n == ps - 100 && err == EFAULT);
	CHECK(memcmp(back, buf + 3 * ps + ps / 2 + 100, ps / 2 - 100) == 0);
	err = -1;
	n = as_read(as, PG(b, 2), back, 4 * ps, &err);
	CHECK(n == 3 * ps && err == EFAULT);
	err = -1;
	n = as_write(as, PG(b, 4), buf, 2 * ps, &err);
	CHECK(n == ps && err == EFAULT);
	/* Starting in the hole: nothing. */
	err = -1;
	CHECK(as_read(as, PG(b, 5) + 1, back, 10, &err) == 0 &&
	    err == EFAULT);

	/* Into a read-only page: the bytes before it, then EACCES. */
	CHECK(fill(as, PG(b, 6), ps, 11));
	err = -1;
	n = as_write(as, PG(b, 6) + 10, buf, 2 * ps, &err);
	CHECK(n == ps - 10 && err == EACCES);
	err = -1;
	n = as_read(as, PG(b, 6), back, 2 * ps, &err);
	CHECK(n == 2 * ps && err == 0);
	CHECK(memcmp(back + 10, buf, ps - 10) == 0);
	for (i = 0; i < ps; i++)
		if (back[ps + i] != 0)
			break;
	CHECK(i == ps);		/* the read-only page is untouched */
	err = -1;
	CHECK(as_write(as, PG(b, 7), buf, 1, &err) == 0 && err == EACCES);

	/* Zero length: nothing, no error. */
	err = 123;
	CHECK(as_read(as, b, back, 0, &err) == 0 && err == 0);
	err = 123;
	CHECK(as_write(as, b, buf, 0, &err) == 0 && err == 0);
	err = 123;
	CHECK(as_read(as, PG(b, 5), back, 0, &err) == 0 && err == 0);
	/* errp may be NULL. */
	CHECK(as_read(as, b, back, 10, NULL) == 10);
	CHECK(as_read(as, PG(b, 5), back, 10, NULL) == 0);

	/* Running past the end of the window: the in-window part. */
	CHECK(map_anon(as, b + w - 2 * ps, 2, RW, MAP_PRIVATE) == 0);
	CHECK_VERIFY(as);
	err = -1;
	n = as_write(as, b + w - 100, buf, 200, &err);
	CHECK(n == 100 && err == EFAULT);
	memset(back, 0, 200);
	err = -1;
	n = as_read(as, b + w - 100, back, 200, &err);
	CHECK(n == 100 && err == EFAULT);
	CHECK(memcmp(back, buf, 100) == 0);
	err = -1;
	n = as_read(as, b + w - ps - 1, back, SIZE_MAX, &err);
	CHECK(n == ps + 1 && err == EFAULT);
	/* Wholly outside: nothing. */
	err = -1;
	CHECK(as_read(as, b + w, back, 10, &err) == 0 && err == EFAULT);
	err = -1;
	CHECK(as_read(as, b - 10, back, 20, &err) == 0 && err == EFAULT);
	err = -1;
	CHECK(as_write(as, b - 10, buf, 20, &err) == 0 && err == EFAULT);
	CHECK_VERIFY(as);

	as_free(as);
	free(back);
	free(buf);
}

/*
 * as_walk.
 */
struct walk_state {
	uintptr_t	ws_last;
	unsigned	ws_visits;
	unsigned	ws_stop_at;	/* 0: never stop */
	bool		ws_ordered;
};

static int
walk_cb(struct seg *seg, void *arg)
{
	struct walk_state *ws = arg;

	if ((uintptr_t)seg_base(seg) <= ws->ws_last)
		ws->ws_ordered = false;
	ws->ws_last = (uintptr_t)seg_base(seg);
	ws->ws_visits++;
	return (ws->ws_visits == ws->ws_stop_at ? 7 : 0);
}

static void
test_walk(void)
{
	struct walk_state ws;
	struct as *as;
	char *b;

	REQUIRE((as = as_alloc(64 * MIB)) != NULL);
	b = as_window_base(as);

	memset(&ws, 0, sizeof (ws));
	ws.ws_ordered = true;
	CHECK(as_walk(as, walk_cb, &ws) == 0 && ws.ws_visits == 0);

	CHECK(map_anon(as, PG(b, 8), 1, RW, MAP_PRIVATE) == 0);
	CHECK(map_anon(as, PG(b, 2), 2, RW, MAP_PRIVATE) == 0);
	CHECK(map_anon(as, PG(b, 20), 1, RW, MAP_PRIVATE) == 0);
	CHECK(map_anon(as, PG(b, 5), 1, RW, MAP_PRIVATE) == 0);
	CHECK_VERIFY(as);

	memset(&ws, 0, sizeof (ws));
	ws.ws_ordered = true;
	CHECK(as_walk(as, walk_cb, &ws) == 0);
	CHECK(ws.ws_visits == 4 && ws.ws_ordered);
	CHECK(ws.ws_last == (uintptr_t)PG(b, 20));
	LAYOUT(as, "2+2 5+1 8+1 20+1");

	memset(&ws, 0, sizeof (ws));
	ws.ws_ordered = true;
	ws.ws_stop_at = 2;
	CHECK(as_walk(as, walk_cb, &ws) == 7);
	CHECK(ws.ws_visits == 2 && ws.ws_last == (uintptr_t)PG(b, 5));

	as_free(as);
}

/*
 * as_dup.
 */
static void
test_dup(void)
{
	struct segvn_crargs file = { .type = MAP_SHARED, .prot = RW,
	    .name = "dupfile" };
	struct as *as, *nas;
	char *b, *nb;
	uintmax_t va0, va1;
	int fd, fds0, i;
	bool ok = true;

	fd = tmpfile_fd(2 * ps);
	file.fd = fd;

	REQUIRE((as = as_alloc(256 * MIB)) != NULL);
	b = as_window_base(as);

	/* Private anonymous with per-page protection, and a shared file. */
	CHECK(map_anon(as, PG(b, 0), 4, RW, MAP_PRIVATE) == 0);
	CHECK(fill(as, PG(b, 0), 4 * ps, 12));
	CHECK(as_setprot(as, PG(b, 3), ps, PROT_READ) == 0);
	CHECK(as_map(as, PG(b, 8), 2 * ps, segvn_create, &file) == 0);
	CHECK(fill(as, PG(b, 8), 2 * ps, 13));
	CHECK_VERIFY(as);

	nas = as_dup(as);
	REQUIRE(nas != NULL);
	nb = as_window_base(nas);
	CHECK_VERIFY(nas);
	LAYOUT(nas, "0+4 8+2");
	CHECK(as_window_size(nas) == as_window_size(as));
	CHECK(nb != b);
	CHECK(holds(nas, PG(nb, 0), 4 * ps, 12));
	CHECK(holds(nas, PG(nb, 8), 2 * ps, 13));
	CHECK(as_checkprot(nas, PG(nb, 0), 3 * ps, RW) == 0);
	CHECK_ERRNO(as_checkprot(nas, PG(nb, 3), ps, PROT_WRITE), EACCES);
	HOST_PROT(PG(nb, 3), "r--");
	HOST_PROT(PG(nb, 2), "rw-");

	/* Private pages are copies: writes on either side stay apart. */
	CHECK(fill(nas, PG(nb, 0), ps, 14));
	CHECK(holds(as, PG(b, 0), ps, 12));
	CHECK(fill(as, PG(b, 1), ps, 15));
	CHECK(holds(nas, PG(nb, 1), ps, 12));
	CHECK(holds(nas, PG(nb, 0), ps, 14));

	/* Shared file pages are shared both ways. */
	CHECK(fill(as, PG(b, 8), ps, 16));
	CHECK(holds(nas, PG(nb, 8), ps, 16));
	CHECK(fill(nas, PG(nb, 9), ps, 17));
	CHECK(holds(as, PG(b, 9), ps, 17));
	CHECK_VERIFY(nas);
	as_free(nas);
	CHECK(holds(as, PG(b, 9), ps, 17));
	CHECK_VERIFY(as);

	/* Anonymous shared memory cannot be duplicated: NULL/ENOTSUP, the
	 * original untouched, and no descriptor, window or segment left
	 * behind (leaked windows would add 256 MiB each). */
	CHECK(map_anon(as, PG(b, 12), 1, RW, MAP_SHARED) == 0);
	CHECK(fill(as, PG(b, 12), ps, 18));
	fds0 = test_count_fds();
	va0 = mapped_bytes();
	for (i = 0; i < 4; i++) {
		errno = 0;
		nas = as_dup(as);
		ok = ok && nas == NULL && errno == ENOTSUP;
		as_free(nas);
	}
	CHECK(ok);
	CHECK(test_count_fds() == fds0);
	va1 = mapped_bytes();
	CHECK(va1 < va0 + 256 * MIB);
	CHECK_VERIFY(as);
	LAYOUT(as, "0+4 8+2 12+1");
	CHECK(holds(as, PG(b, 12), ps, 18));
	CHECK(holds(as, PG(b, 9), ps, 17));

	as_free(as);
	(void) close(fd);
}

/*
 * seg_base, seg_size, seg_opsname, seg_describe.
 */
static void
test_describe(void)
{
	struct segvn_crargs named = { .fd = -1, .type = MAP_PRIVATE,
	    .prot = RW, .name = "scratch" };
	struct as *as;
	struct seg *seg;
	char buf[128], small[5];
	char *b;

	REQUIRE((as = as_alloc(16 * MIB)) != NULL);
	b = as_window_base(as);
	CHECK(as_map(as, PG(b, 2), 3 * ps, segvn_create, &named) == 0);
	CHECK_VERIFY(as);

	as_enter(as, AS_READER);
	seg = as_segat(as, PG(b, 3));
	REQUIRE(seg != NULL);
	CHECK(seg_base(seg) == PG(b, 2));
	CHECK(seg_size(seg) == 3 * ps);
	CHECK(strcmp(seg_opsname(seg), "segvn_ops") == 0);
	seg_describe(seg, buf, sizeof (buf));
	CHECK(strstr(buf, "anon") != NULL);
	CHECK(strstr(buf, "private") != NULL);
	CHECK(strstr(buf, "rw-") != NULL);
	CHECK(strstr(buf, "scratch") != NULL);
	CHECK(strchr(buf, '\n') == NULL);
	/* Truncated to the buffer, and a zero-length buffer untouched. */
	memset(small, 'x', sizeof (small));
	seg_describe(seg, small, sizeof (small));
	CHECK(small[sizeof (small) - 1] == '\0');
	CHECK(strncmp(small, buf, sizeof (small) - 1) == 0);
	small[0] = 'x';
	seg_describe(seg, small, 0);
	CHECK(small[0] == 'x');
	as_exit(as);

	as_free(as);
}

int
main(void)
{
	ps = PAGESIZE;

	test_alloc();
	test_map();
	test_unmap();
	test_unmap_refused();
	test_default_ops();
	test_gap();
	test_findseg();
	test_fault();
	test_prot();
	test_ctl();
	test_incore();
	test_copy();
	test_walk();
	test_dup();
	test_describe();
	return (test_done());
}
