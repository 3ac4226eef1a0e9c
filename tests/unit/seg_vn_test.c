/*
 * seg_vn_test.c -- seg_vn over real files: shared and private mappings,
 * offsets, the file's open mode against the requested protections, the
 * segment's own descriptor, files that shrink under a mapping, residency
 * and locking, and what a split or trimmed file segment keeps (offsets,
 * type, per-page protections).
 *
 * The files live in a fresh directory under $TMPDIR (or /tmp), filled with
 * a pattern computed from the file offset, and are removed at the end.
 * Calls that could crash the process on a broken library run in a child
 * (test_survives()), so that a crash fails one check.
 */
#include "config.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <porthole/as.h>
#include <porthole/seg_vn.h>
#include "tests/test.h"
#include "vm/seg.h"

#define	RW	(PROT_READ | PROT_WRITE)
#define	MIB	((size_t)1 << 20)

static size_t ps;		/* host page size */
static char test_dir[PATH_MAX];	/* where the files live */

/* The address n pages from base (n may be negative). */
#define	PG(base, n)	((char *)(base) + (ptrdiff_t)(n) * (ptrdiff_t)ps)


/*
 * Test files.
 */

/* The byte of a test file made with seed at offset off. */
static unsigned char
fbyte(unsigned seed, uint64_t off)
{
	return ((unsigned char)(seed * 37 + off * 5 + off / ps * 11 + 1));
}

static void
file_path(const char *name, char *path, size_t len)
{
	REQUIRE(snprintf(path, len, "%s/%s", test_dir, name) < (int)len);
}

/* Create name with npages of the pattern, then open it with flags. */
static int
make_file(const char *name, size_t npages, unsigned seed, int flags)
{
	char path[PATH_MAX];
	unsigned char *buf;
	size_t i, len = npages * ps;
	int fd;

	file_path(name, path, sizeof (path));
	REQUIRE((buf = malloc(len)) != NULL);
	for (i = 0; i < len; i++)
		buf[i] = fbyte(seed, i);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	REQUIRE(fd >= 0);
	REQUIRE(pwrite(fd, buf, len, 0) == (ssize_t)len);
	REQUIRE(close(fd) == 0);
	free(buf);
	REQUIRE((fd = open(path, flags | O_CLOEXEC)) >= 0);
	return (fd);
}

/* Open an existing test file again. */
static int
reopen_file(const char *name, int flags)
{
	char path[PATH_MAX];
	int fd;

	file_path(name, path, sizeof (path));
	REQUIRE((fd = open(path, flags | O_CLOEXEC)) >= 0);
	return (fd);
}

/* True when the file's bytes [off, off + len) are the pattern. */
static bool
file_holds(int fd, off_t off, size_t len, unsigned seed)
{
	unsigned char *buf = malloc(len);
	bool ok;
	size_t i;

	REQUIRE(buf != NULL);
	ok = (pread(fd, buf, len, off) == (ssize_t)len);
	for (i = 0; ok && i < len; i++)
		ok = (buf[i] == fbyte(seed, (uint64_t)off + i));
	free(buf);
	return (ok);
}

/* True when the window's [addr, addr + len) reads as the file pattern
 * from offset off. */
static bool
as_holds(struct as *as, const void *addr, size_t len, off_t off,
    unsigned seed)
{
	unsigned char *buf = malloc(len);
	size_t i, n;
	int err = -1;
	bool ok;

	REQUIRE(buf != NULL);
	n = as_read(as, addr, buf, len, &err);
	ok = (n == len && err == 0);
	for (i = 0; ok && i < len; i++)
		ok = (buf[i] == fbyte(seed, (uint64_t)off + i));
	free(buf);
	return (ok);
}

/* Map npages of fd from off at addr. */
static int
map_file(struct as *as, void *addr, size_t npages, int fd, off_t off,
    int type, unsigned prot, unsigned maxprot, const char *name)
{
	struct segvn_crargs a = { .fd = fd, .offset = off, .type = type,
	    .prot = prot, .maxprot = maxprot, .name = name };

	return (as_map(as, addr, npages * ps, segvn_create, &a));
}

/* The segment at addr (the caller holds the lock). */
static struct seg *
seg_at(struct as *as, const void *addr)
{
	struct seg *seg = as_segat(as, addr);

	REQUIRE(seg != NULL);
	return (seg);
}

/*
 * MAP_SHARED: writes reach the file, the file's writes reach the window.
 */
static void
test_shared(void)
{
	static const char msg[] = "hello, file";
	char got[sizeof (msg)];
	struct as *as;
	char *b;
	int fd, err;

	fd = make_file("shared", 4, 1, O_RDWR);
	REQUIRE((as = as_alloc(16 * MIB)) != NULL);
	b = as_window_base(as);
	CHECK(map_file(as, b, 4, fd, 0, MAP_SHARED, RW, 0, "shared") == 0);
	CHECK_VERIFY(as);
	CHECK(as_holds(as, b, 4 * ps, 0, 1));

	/* A write across a page boundary, seen by pread at once. */
	err = -1;
	CHECK(as_write(as, PG(b, 2) - 4, msg, sizeof (msg), &err) ==
	    sizeof (msg) && err == 0);
	memset(got, 0, sizeof (got));
	CHECK(pread(fd, got, sizeof (got), (off_t)(2 * ps - 4)) ==
	    (ssize_t)sizeof (got));
	CHECK(memcmp(got, msg, sizeof (msg)) == 0);
	CHECK(file_holds(fd, 0, 2 * ps - 4, 1));

	/* And after a synchronous flush. */
	CHECK(as_ctl(as, b, 4 * ps, AS_CTL_SYNC, MS_SYNC) == 0);
	memset(got, 0, sizeof (got));
	CHECK(pread(fd, got, sizeof (got), (off_t)(2 * ps - 4)) ==
	    (ssize_t)sizeof (got));
	CHECK(memcmp(got, msg, sizeof (msg)) == 0);

	/* The other way: pwrite, then as_read. */
	CHECK(pwrite(fd, "XY", 2, (off_t)(3 * ps + 7)) == 2);
	memset(got, 0, sizeof (got));
	CHECK(as_read(as, PG(b, 3) + 7, got, 2, &err) == 2 && err == 0);
	CHECK(memcmp(got, "XY", 2) == 0);
	CHECK_VERIFY(as);

	/* Still in the file once the address space is gone. */
	as_free(as);
	memset(got, 0, sizeof (got));
	CHECK(pread(fd, got, sizeof (got), (off_t)(2 * ps - 4)) ==
	    (ssize_t)sizeof (got));
	CHECK(memcmp(got, msg, sizeof (msg)) == 0);
	CHECK(close(fd) == 0);
}

/*
 * MAP_PRIVATE: writes stay in the window.
 */
static void
test_private(void)
{
	static const char msg[] = "private bytes";
	char got[sizeof (msg)];
	struct as *as;
	char *b;
	int fd, err;

	fd = make_file("private", 4, 2, O_RDWR);
	REQUIRE((as = as_alloc(16 * MIB)) != NULL);
	b = as_window_base(as);
	CHECK(map_file(as, b, 4, fd, 0, MAP_PRIVATE, RW, 0, "private") == 0);
	CHECK_VERIFY(as);
	CHECK(as_holds(as, b, 4 * ps, 0, 2));

	err = -1;
	CHECK(as_write(as, PG(b, 1) - 3, msg, sizeof (msg), &err) ==
	    sizeof (msg) && err == 0);
	memset(got, 0, sizeof (got));
	CHECK(as_read(as, PG(b, 1) - 3, got, sizeof (got), &err) ==
	    sizeof (got) && err == 0);
	CHECK(memcmp(got, msg, sizeof (msg)) == 0);
	CHECK(file_holds(fd, 0, 4 * ps, 2));
	CHECK(as_ctl(as, b, 4 * ps, AS_CTL_SYNC, MS_SYNC) == 0);
	CHECK(file_holds(fd, 0, 4 * ps, 2));
	/* Untouched pages still read the file. */
	CHECK(as_holds(as, PG(b, 2), 2 * ps, (off_t)(2 * ps), 2));
	CHECK_VERIFY(as);

	as_free(as);
	CHECK(file_holds(fd, 0, 4 * ps, 2));
	CHECK(close(fd) == 0);
}

/*
 * The file offset.
 */
static void
test_offset(void)
{
	struct as *as;
	struct seg *seg;
	char *b;
	int fd, err;
	unsigned char c;
	size_t n;

	fd = make_file("offset", 6, 3, O_RDWR);
	REQUIRE((as = as_alloc(16 * MIB)) != NULL);
	b = as_window_base(as);

	CHECK(map_file(as, b, 2, fd, (off_t)(2 * ps), MAP_SHARED, PROT_READ,
	    0, "offset") == 0);
	CHECK_VERIFY(as);
	CHECK(as_holds(as, b, 2 * ps, (off_t)(2 * ps), 3));
	as_enter(as, AS_READER);
	seg = seg_at(as, b);
	CHECK(segop_getoffset(seg, b) == 2 * ps);
	CHECK(segop_getoffset(seg, PG(b, 1) + 5) == 3 * ps + 5);
	as_exit(as);

	/* Misaligned or negative offsets. */
	CHECK_ERRNO(map_file(as, PG(b, 4), 1, fd, (off_t)(ps / 2),
	    MAP_SHARED, PROT_READ, 0, NULL), EINVAL);
	CHECK_ERRNO(map_file(as, PG(b, 4), 1, fd, 1, MAP_PRIVATE, PROT_READ,
	    0, NULL), EINVAL);
	CHECK_ERRNO(map_file(as, PG(b, 4), 1, fd, -(off_t)ps, MAP_SHARED,
	    PROT_READ, 0, NULL), EINVAL);
	CHECK_ERRNO(map_file(as, PG(b, 4), 1, fd, -1, MAP_PRIVATE,
	    PROT_READ, 0, NULL), EINVAL);
	CHECK(as_nsegs(as) == 1);

	/* Pages past the end of the file: mapped, but never readable. */
	CHECK(map_file(as, PG(b, 4), 2, fd, (off_t)(5 * ps), MAP_SHARED,
	    PROT_READ, 0, NULL) == 0);
	CHECK_VERIFY(as);
	CHECK(as_holds(as, PG(b, 4), ps, (off_t)(5 * ps), 3));
	err = -1;
	n = as_read(as, PG(b, 5), &c, 1, &err);
	CHECK(n == 0 && err == EFAULT);
	CHECK_ERRNO(as_fault(as, PG(b, 4), 2 * ps, F_INVAL, S_READ), EFAULT);
	CHECK_VERIFY(as);

	as_free(as);
	CHECK(close(fd) == 0);
}

/*
 * The file's open mode against the requested protections, and the
 * argument checks.
 */
static void
test_modes(void)
{
	static const char msg[] = "cow";
	struct as *as;
	char *b, bogus_name[] = "never";
	int ro, wo, rw, err, fds;

	ro = make_file("modes", 2, 4, O_RDONLY);
	wo = reopen_file("modes", O_WRONLY);
	rw = reopen_file("modes", O_RDWR);
	fds = test_count_fds();
	REQUIRE((as = as_alloc(16 * MIB)) != NULL);
	b = as_window_base(as);

	/* Read-only file, shared: never writable. */
	CHECK_ERRNO(map_file(as, b, 2, ro, 0, MAP_SHARED, RW, 0, NULL),
	    EACCES);
	CHECK_ERRNO(map_file(as, b, 2, ro, 0, MAP_SHARED, PROT_WRITE, 0,
	    NULL), EACCES);
	CHECK(as_nsegs(as) == 0);
	CHECK(map_file(as, b, 2, ro, 0, MAP_SHARED, PROT_READ, 0, "ro") == 0);
	CHECK_VERIFY(as);
	CHECK(as_holds(as, b, 2 * ps, 0, 4));
	CHECK_ERRNO(as_setprot(as, b, 2 * ps, RW), EACCES);
	CHECK_ERRNO(as_setprot(as, b, ps, PROT_WRITE), EACCES);
	CHECK_ERRNO(as_checkprot(as, b, 2 * ps, PROT_WRITE), EACCES);
	err = -1;
	CHECK(as_write(as, b, msg, sizeof (msg), &err) == 0 &&
	    err == EACCES);
	CHECK(as_checkprot(as, b, 2 * ps, PROT_READ) == 0);
	CHECK_VERIFY(as);
	/* Even when the caller asked for a writable ceiling. */
	CHECK(map_file(as, PG(b, 4), 2, ro, 0, MAP_SHARED, PROT_READ, RW,
	    NULL) == 0);
	CHECK_ERRNO(as_setprot(as, PG(b, 4), 2 * ps, RW), EACCES);
	CHECK(as_checkprot(as, PG(b, 4), 2 * ps, PROT_READ) == 0);
	CHECK_VERIFY(as);

	/* Read-only file, private: writable, the file untouched. */
	CHECK(map_file(as, PG(b, 8), 2, ro, 0, MAP_PRIVATE, RW, 0, NULL) ==
	    0);
	CHECK_VERIFY(as);
	err = -1;
	CHECK(as_write(as, PG(b, 8), msg, sizeof (msg), &err) ==
	    sizeof (msg) && err == 0);
	CHECK(file_holds(ro, 0, 2 * ps, 4));
	CHECK(as_holds(as, b, 2 * ps, 0, 4));

	/* Write-only file: nothing can be mapped. */
	CHECK_ERRNO(map_file(as, PG(b, 12), 1, wo, 0, MAP_SHARED, PROT_READ,
	    0, NULL), EACCES);
	CHECK_ERRNO(map_file(as, PG(b, 12), 1, wo, 0, MAP_PRIVATE, PROT_READ,
	    0, NULL), EACCES);
	CHECK_ERRNO(map_file(as, PG(b, 12), 1, wo, 0, MAP_SHARED, RW, 0,
	    NULL), EACCES);

	/* Bad type, protections above the ceiling, unknown bits. */
	CHECK_ERRNO(map_file(as, PG(b, 12), 1, rw, 0, 0, PROT_READ, 0, NULL),
	    EINVAL);
	CHECK_ERRNO(map_file(as, PG(b, 12), 1, rw, 0, MAP_SHARED |
	    MAP_PRIVATE, PROT_READ, 0, NULL), EINVAL);
	CHECK_ERRNO(map_file(as, PG(b, 12), 1, -1, 0, 0, PROT_READ, 0, NULL),
	    EINVAL);
	CHECK_ERRNO(map_file(as, PG(b, 12), 1, rw, 0, MAP_SHARED, RW,
	    PROT_READ, NULL), EINVAL);
	CHECK_ERRNO(map_file(as, PG(b, 12), 1, rw, 0, MAP_PRIVATE,
	    PROT_READ | PROT_EXEC, RW, NULL), EINVAL);
	CHECK_ERRNO(map_file(as, PG(b, 12), 1, rw, 0, MAP_SHARED, 0x100, 0,
	    NULL), EINVAL);
	CHECK_ERRNO(map_file(as, PG(b, 12), 1, rw, 0, MAP_SHARED, PROT_READ,
	    0x100, NULL), EINVAL);
	/* A descriptor that is not open. */
	errno = 0;
	CHECK(map_file(as, PG(b, 12), 1, 1000, 0, MAP_SHARED, PROT_READ, 0,
	    bogus_name) == -1 && errno != 0);
	CHECK(as_nsegs(as) == 3);
	CHECK_VERIFY(as);

	/* The ceiling holds on a read-write file too. */
	CHECK(map_file(as, PG(b, 12), 1, rw, 0, MAP_SHARED, PROT_READ,
	    PROT_READ, NULL) == 0);
	CHECK_ERRNO(as_setprot(as, PG(b, 12), ps, RW), EACCES);
	CHECK(as_setprot(as, PG(b, 12), ps, PROT_NONE) == 0);
	CHECK(as_setprot(as, PG(b, 12), ps, PROT_READ) == 0);
	CHECK_VERIFY(as);

	/* Each segment holds one descriptor of its own; the failed maps
	 * left none behind. */
	if (fds >= 0)
		CHECK(test_count_fds() == fds + 4);
	as_free(as);
	if (fds >= 0)
		CHECK(test_count_fds() == fds);
	CHECK(close(ro) == 0);
	CHECK(close(wo) == 0);
	CHECK(close(rw) == 0);
}

/*
 * The segment keeps its own descriptor.
 */
static void
test_own_fd(void)
{
	static const char msg[] = "kept";
	char got[sizeof (msg)];
	struct as *as;
	char *b;
	int fd, err;

	fd = make_file("ownfd", 2, 5, O_RDWR);
	REQUIRE((as = as_alloc(16 * MIB)) != NULL);
	b = as_window_base(as);
	CHECK(map_file(as, b, 2, fd, 0, MAP_SHARED, RW, 0, "ownfd") == 0);
	CHECK(close(fd) == 0);
	CHECK_VERIFY(as);

	CHECK(as_holds(as, b, 2 * ps, 0, 5));
	CHECK(as_fault(as, b, 2 * ps, F_INVAL, S_READ) == 0);
	err = -1;
	CHECK(as_write(as, PG(b, 1), msg, sizeof (msg), &err) ==
	    sizeof (msg) && err == 0);
	CHECK(as_ctl(as, b, 2 * ps, AS_CTL_SYNC, MS_SYNC) == 0);
	fd = reopen_file("ownfd", O_RDWR);
	CHECK(pread(fd, got, sizeof (got), (off_t)ps) == (ssize_t)sizeof (got));
	CHECK(memcmp(got, msg, sizeof (msg)) == 0);

	/* The segment still sees the file's size through its descriptor. */
	CHECK(ftruncate(fd, (off_t)ps) == 0);
	err = -1;
	CHECK(as_read(as, PG(b, 1), got, 1, &err) == 0 && err == EFAULT);
	CHECK(as_holds(as, b, ps, 0, 5));
	CHECK_VERIFY(as);

	as_free(as);
	CHECK(close(fd) == 0);
}

/*
 * A file that shrinks under its mapping.
 */
struct dup_args {
	struct as	*da_as;
};

/* In a child: as_dup must return, with a copy or with an error. */
static void
dup_child(void *arg)
{
	struct dup_args *da = arg;
	struct as *nas = as_dup(da->da_as);

	if (nas == NULL && errno == 0)
		_exit(2);
	as_free(nas);
}

static void
shrink_case(int type)
{
	struct dup_args da;
	unsigned char *buf;
	struct as *as;
	char *b;
	size_t n;
	int fd, err;

	REQUIRE((buf = malloc(2 * ps)) != NULL);
	fd = make_file("shrink", 3, 6, O_RDWR);
	REQUIRE((as = as_alloc(16 * MIB)) != NULL);
	b = as_window_base(as);
	CHECK(map_file(as, b, 3, fd, 0, type, RW, 0, "shrink") == 0);
	CHECK(as_holds(as, b, 3 * ps, 0, 6));
	/* A private copy of page 1 does not survive the truncation either. */
	err = -1;
	CHECK(as_write(as, PG(b, 1), "x", 1, &err) == 1 && err == 0);

	CHECK(ftruncate(fd, (off_t)ps) == 0);
	err = -1;
	n = as_read(as, PG(b, 1), buf, 1, &err);
	CHECK(n == 0 && err == EFAULT);
	err = -1;
	n = as_read(as, b, buf, 2 * ps, &err);
	CHECK(n == ps && err == EFAULT);
	CHECK(as_holds(as, b, ps, 0, 6));
	err = -1;
	n = as_write(as, PG(b, 2), buf, 1, &err);
	CHECK(n == 0 && err == EFAULT);
	errno = 0;
	CHECK(as_fault(as, PG(b, 1), ps, F_INVAL, S_READ) == -1);
	CHECK(errno == EFAULT);
	errno = 0;
	CHECK(as_fault(as, PG(b, 2), ps, F_SOFTLOCK, S_READ) == -1);
	CHECK(errno == EFAULT);
	CHECK(as_fault(as, b, ps, F_INVAL, S_READ) == 0);
	/* The failed pin left nothing pinned. */
	CHECK(as_unmap(as, PG(b, 2), ps) == 0);
	CHECK_VERIFY(as);

	/* A page the file covers only in part reads whole (zero-filled). */
	CHECK(ftruncate(fd, (off_t)ps + 100) == 0);
	err = -1;
	n = as_read(as, PG(b, 1), buf, ps, &err);
	CHECK(n == ps && err == 0);

	/* Duplicating copies private pages: past the end of the file that
	 * must be an error, not a SIGBUS. */
	CHECK(ftruncate(fd, (off_t)ps) == 0);
	da.da_as = as;
	CHECK(test_survives(dup_child, &da, type == MAP_SHARED ?
	    "as_dup of a shrunk shared file" :
	    "as_dup of a shrunk private file"));
	CHECK_VERIFY(as);

	as_free(as);
	CHECK(close(fd) == 0);
	free(buf);
}

static void
test_shrink(void)
{
	shrink_case(MAP_SHARED);
	shrink_case(MAP_PRIVATE);
}

/*
 * Residency and locking.
 */
static void
test_incore_lock(void)
{
	unsigned char vec[4], c;
	struct as *as;
	char *b;
	int fd, err, rv;

	fd = make_file("incore", 4, 7, O_RDWR);
	REQUIRE((as = as_alloc(16 * MIB)) != NULL);
	b = as_window_base(as);
	CHECK(map_file(as, b, 4, fd, 0, MAP_SHARED, PROT_READ, 0, NULL) ==
	    0);
	err = -1;
	CHECK(as_read(as, b, &c, 1, &err) == 1 && err == 0);
	CHECK(c == fbyte(7, 0));
	memset(vec, 0xff, sizeof (vec));
	CHECK(as_incore(as, b, 4 * ps, vec) == 0);
	CHECK(vec[0] == 1);
	CHECK(vec[1] <= 1 && vec[2] <= 1 && vec[3] <= 1);

	errno = 0;
	rv = as_ctl(as, b, 4 * ps, AS_CTL_LOCK, 0);
	if (rv != 0) {
		CHECK(errno == EPERM || errno == ENOMEM);
		fprintf(stderr, "note: AS_CTL_LOCK refused by the host: %s\n",
		    strerror(errno));
	} else {
		/* Locked pages are resident. */
		memset(vec, 0xff, sizeof (vec));
		CHECK(as_incore(as, b, 4 * ps, vec) == 0);
		CHECK(vec[0] == 1 && vec[1] == 1 && vec[2] == 1 &&
		    vec[3] == 1);
		CHECK(as_ctl(as, b, 4 * ps, AS_CTL_UNLOCK, 0) == 0);
	}
	CHECK(as_ctl(as, b, 4 * ps, AS_CTL_ADVISE, MADV_WILLNEED) == 0);
	CHECK(as_holds(as, b, 4 * ps, 0, 7));
	CHECK_VERIFY(as);

	as_free(as);
	CHECK(close(fd) == 0);
}

/*
 * Splitting and trimming a file segment.
 */
static void
split_case(int type)
{
	static const char msg[] = "tail";
	unsigned protv[3];
	char desc[256], got[sizeof (msg)];
	struct seg *head, *tail;
	struct as *as;
	char *b;
	int fd, err;
	bool shared = (type == MAP_SHARED);

	/* Six pages from file offset one page; the last page read-only. */
	fd = make_file("split", 8, 8, O_RDWR);
	REQUIRE((as = as_alloc(16 * MIB)) != NULL);
	b = as_window_base(as);
	CHECK(map_file(as, b, 6, fd, (off_t)ps, type, RW, 0, "split-me") ==
	    0);
	CHECK(as_setprot(as, PG(b, 5), ps, PROT_READ) == 0);
	CHECK(as_unmap(as, PG(b, 2), ps) == 0);
	CHECK_VERIFY(as);
	CHECK(as_nsegs(as) == 2);

	as_enter(as, AS_READER);
	head = seg_at(as, b);
	tail = seg_at(as, PG(b, 3));
	CHECK(head != tail);
	CHECK(seg_base(head) == b && seg_size(head) == 2 * ps);
	CHECK(seg_base(tail) == PG(b, 3) && seg_size(tail) == 3 * ps);
	CHECK(as_segat(as, PG(b, 2)) == NULL);
	CHECK(strcmp(seg_opsname(tail), "segvn_ops") == 0);

	/* Offsets: the tail starts four pages into the file. */
	CHECK(segop_getoffset(head, b) == ps);
	CHECK(segop_getoffset(head, PG(b, 1)) == 2 * ps);
	CHECK(segop_getoffset(tail, PG(b, 3)) == 4 * ps);
	CHECK(segop_getoffset(tail, PG(b, 5) + 9) == 6 * ps + 9);
	CHECK(segop_gettype(head, b) == type);
	CHECK(segop_gettype(tail, PG(b, 4)) == type);

	/* Per-page protections followed the pages. */
	memset(protv, 0xff, sizeof (protv));
	CHECK(segop_getprot(tail, PG(b, 3), 3 * ps, protv) == 0);
	CHECK(protv[0] == RW && protv[1] == RW && protv[2] == PROT_READ);
	memset(protv, 0xff, sizeof (protv));
	CHECK(segop_getprot(head, b, 2 * ps, protv) == 0);
	CHECK(protv[0] == RW && protv[1] == RW);
	memset(protv, 0xff, sizeof (protv));
	CHECK(segop_getprot(tail, PG(b, 5), ps, protv) == 0);
	CHECK(protv[0] == PROT_READ && protv[1] == 0xffffffffu);

	/* kluster: neighbours with the same protection only, and only
	 * inside the segment. */
	CHECK(segop_kluster(tail, PG(b, 3), (ssize_t)ps) == 0);
	CHECK(segop_kluster(tail, PG(b, 4), -(ssize_t)ps) == 0);
	CHECK(segop_kluster(tail, PG(b, 4), (ssize_t)ps) == -1);
	CHECK(segop_kluster(tail, PG(b, 5), -(ssize_t)ps) == -1);
	CHECK(segop_kluster(tail, PG(b, 5), (ssize_t)ps) == -1);
	CHECK(segop_kluster(tail, PG(b, 3), -(ssize_t)ps) == -1);
	CHECK(segop_kluster(head, PG(b, 1), (ssize_t)ps) == -1);
	CHECK(segop_kluster(head, b, (ssize_t)ps) == 0);

	/* dump: a file segment, with its name. */
	seg_describe(tail, desc, sizeof (desc));
	CHECK(strstr(desc, "file") != NULL);
	CHECK(strstr(desc, "split-me") != NULL);
	CHECK(strstr(desc, shared ? "shared" : "private") != NULL);
	segop_dump(head, desc, sizeof (desc));
	CHECK(strstr(desc, "file") != NULL);
	CHECK(strstr(desc, "split-me") != NULL);

	CHECK(segop_faulta(tail, PG(b, 4)) == 0);
	CHECK(segop_faulta(head, b + 1) == 0);
	as_exit(as);

	/* Contents: each piece reads its own file offsets. */
	CHECK(as_holds(as, b, 2 * ps, (off_t)ps, 8));
	CHECK(as_holds(as, PG(b, 3), 3 * ps, (off_t)(4 * ps), 8));
	err = -1;
	CHECK(as_write(as, PG(b, 5), msg, 1, &err) == 0 && err == EACCES);

	/* Trim the tail's head: its offset moves with its base. */
	CHECK(as_unmap(as, PG(b, 3), ps) == 0);
	CHECK_VERIFY(as);
	as_enter(as, AS_READER);
	tail = seg_at(as, PG(b, 4));
	CHECK(seg_base(tail) == PG(b, 4) && seg_size(tail) == 2 * ps);
	CHECK(segop_getoffset(tail, PG(b, 4)) == 5 * ps);
	memset(protv, 0xff, sizeof (protv));
	CHECK(segop_getprot(tail, PG(b, 4), 2 * ps, protv) == 0);
	CHECK(protv[0] == RW && protv[1] == PROT_READ);
	as_exit(as);
	CHECK(as_holds(as, PG(b, 4), 2 * ps, (off_t)(5 * ps), 8));

	/* The tail outlives the head (and the head's descriptor). */
	CHECK(as_unmap(as, b, 2 * ps) == 0);
	CHECK_VERIFY(as);
	CHECK(as_nsegs(as) == 1);
	CHECK(as_holds(as, PG(b, 4), 2 * ps, (off_t)(5 * ps), 8));
	err = -1;
	CHECK(as_write(as, PG(b, 4) + 3, msg, sizeof (msg), &err) ==
	    sizeof (msg) && err == 0);
	CHECK(as_ctl(as, PG(b, 4), 2 * ps, AS_CTL_SYNC, MS_SYNC) == 0);
	memset(got, 0, sizeof (got));
	CHECK(pread(fd, got, sizeof (got), (off_t)(5 * ps + 3)) ==
	    (ssize_t)sizeof (got));
	if (shared)
		CHECK(memcmp(got, msg, sizeof (msg)) == 0);
	else
		CHECK(file_holds(fd, 0, 8 * ps, 8));
	CHECK_VERIFY(as);

	as_free(as);
	CHECK(close(fd) == 0);
}

static void
test_split(void)
{
	split_case(MAP_SHARED);
	split_case(MAP_PRIVATE);
}

/*
 * Prefaulting never changes data.
 */
static void
test_prefault(void)
{
	struct as *as;
	struct seg *seg;
	char *b;
	size_t i;
	int fd;

	fd = make_file("prefault", 4, 9, O_RDWR);
	REQUIRE((as = as_alloc(16 * MIB)) != NULL);
	b = as_window_base(as);
	CHECK(map_file(as, b, 2, fd, 0, MAP_SHARED, RW, 0, NULL) == 0);
	CHECK(map_file(as, PG(b, 2), 2, fd, (off_t)(2 * ps), MAP_PRIVATE,
	    RW, 0, NULL) == 0);
	CHECK_VERIFY(as);

	CHECK(as_fault(as, b, 4 * ps, F_INVAL, S_WRITE) == 0);
	CHECK(as_fault(as, b, 4 * ps, F_INVAL, S_READ) == 0);
	CHECK(as_ctl(as, b, 2 * ps, AS_CTL_SYNC, MS_SYNC) == 0);
	CHECK(file_holds(fd, 0, 4 * ps, 9));
	CHECK(as_holds(as, b, 4 * ps, 0, 9));

	as_enter(as, AS_READER);
	for (i = 0; i < 4; i++) {
		seg = seg_at(as, PG(b, i));
		CHECK(segop_faulta(seg, PG(b, i)) == 0);
	}
	as_exit(as);
	CHECK(file_holds(fd, 0, 4 * ps, 9));
	CHECK_VERIFY(as);

	as_free(as);
	CHECK(close(fd) == 0);
}

/* Remove the test directory and what is in it. */
static void
remove_test_dir(void)
{
	struct dirent *de;
	char path[PATH_MAX];
	DIR *d;

	if ((d = opendir(test_dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		file_path(de->d_name, path, sizeof (path));
		CHECK(unlink(path) == 0);
	}
	(void) closedir(d);
	CHECK(rmdir(test_dir) == 0);
}

int
main(void)
{
	const char *tmp = getenv("TMPDIR");
	int fds;

	ps = PAGESIZE;
	if (tmp == NULL || *tmp == '\0')
		tmp = "/tmp";
	REQUIRE(snprintf(test_dir, sizeof (test_dir), "%s/seg_vn_test.XXXXXX",
	    tmp) < (int)sizeof (test_dir));
	if (mkdtemp(test_dir) == NULL)
		TEST_SKIP("cannot make a directory under %s: %s", tmp,
		    strerror(errno));
	fds = test_count_fds();

	test_shared();
	test_private();
	test_offset();
	test_modes();
	test_own_fd();
	test_shrink();
	test_incore_lock();
	test_split();
	test_prefault();

	/* Every descriptor the segments took was given back. */
	if (fds >= 0)
		CHECK(test_count_fds() == fds);
	remove_test_dir();
	return (test_done());
}
