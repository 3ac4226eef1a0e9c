/*
 * xen_grant_test - the grant-mapping handle (xen/xen_grant.h) where no
 * grant can be mapped: on any host, with or without Xen.
 *
 * What it checks: opening refuses reserved domain ids and says how to get
 * a missing device; argument checks; a device that is not gntdev
 * (/dev/null stands in) makes the call as a whole fail with the range
 * still reserved and errs[] cleared; unmapping puts a PROT_NONE
 * reservation back over any part of a range (pages stand in for grants)
 * with no hole, per /proc/self/maps; every per-reference errno has a
 * sentence naming the domain and the reference.  The live checks
 * (tests/xen/live/live_grant.c) map real grants.
 */
#define _GNU_SOURCE
#include "config.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "tests/test.h"
#include "xen/xen_grant.h"

#define T_PAGE		((size_t)XEN_GRANT_PAGE_SIZE)
#define T_DOMID		5u
#define T_REF		77u

/* The permissions /proc/self/maps gives the page at addr; "" for a hole. */
static void
perms_at(const void *addr, char perms[8])
{
	char line[512];
	unsigned long lo, hi;
	uintptr_t a = (uintptr_t)addr;
	FILE *f;

	perms[0] = '\0';
	f = fopen("/proc/self/maps", "r");
	REQUIRE(f != NULL);
	while (fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) == 3 &&
		    a >= lo && a < hi) {
			fclose(f);
			return;
		}
	}
	fclose(f);
	perms[0] = '\0';
}

/* Every page of [base, base + n pages) is a PROT_NONE reservation. */
static bool
reserved(const unsigned char *base, size_t n)
{
	char perms[8];
	size_t i;

	for (i = 0; i < n; i++) {
		perms_at(base + i * T_PAGE, perms);
		if (strcmp(perms, "---p") != 0) {
			fprintf(stderr, "page %zu at %p is %s\n", i,
			    (const void *)(base + i * T_PAGE),
			    perms[0] == '\0' ? "a hole" : perms);
			return false;
		}
	}
	return true;
}

static unsigned char *
reserve(size_t n)
{
	void *p;

	p = mmap(NULL, n * T_PAGE, PROT_NONE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	REQUIRE(p != MAP_FAILED);
	return p;
}

static void
test_open(void)
{
	struct xen_grant *gt;
	struct xen_err err;
	char path[64];
	int fd;

	/* A reserved domain id. */
	xen_err_clear(&err);
	errno = 0;
	CHECK(xen_grant_open(0x7ff0, &err) == NULL);
	CHECK(errno == EINVAL && err.xe_errno == EINVAL);
	CHECK(strstr(xen_err_msg(&err), "reserved") != NULL);

	/* No device: say which module to load. */
	xen_err_clear(&err);
	errno = 0;
	CHECK(xen_grant_open_device("/nonexistent/xen/gntdev", T_DOMID,
	    &err) == NULL);
	CHECK(errno == ENOENT && err.xe_errno == ENOENT);
	CHECK(strstr(xen_err_msg(&err), "modprobe xen-gntdev") != NULL);
	CHECK(strstr(xen_err_msg(&err), "/nonexistent/xen/gntdev") != NULL);

	/* The real device, where there is none. */
	if (access("/dev/xen/gntdev", F_OK) != 0) {
		xen_err_clear(&err);
		CHECK(xen_grant_open(T_DOMID, &err) == NULL);
		CHECK(err.xe_errno == ENOENT);
		CHECK(strstr(xen_err_msg(&err), "/dev/xen/gntdev") != NULL);
	}

	/* A device we may not open (root may open anything). */
	if (geteuid() != 0) {
		snprintf(path, sizeof(path), "/tmp/xen_grant_test.%d",
		    (int)getpid());
		fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0);
		REQUIRE(fd >= 0);
		close(fd);
		xen_err_clear(&err);
		CHECK(xen_grant_open_device(path, T_DOMID, &err) == NULL);
		CHECK(err.xe_errno == EACCES);
		CHECK(strstr(xen_err_msg(&err), "run as root") != NULL);
		unlink(path);
	}

	/* Anything that opens read-write gives a handle. */
	gt = xen_grant_open_device("/dev/null", T_DOMID, &err);
	CHECK(gt != NULL);
	xen_grant_close(gt);
	xen_grant_close(NULL);
}

static void
test_arguments(struct xen_grant *gt)
{
	struct xen_err err;
	uint32_t refs[2] = { T_REF, T_REF + 1 };
	int errs[2];
	unsigned char *base;

	base = reserve(2);
	CHECK_ERRNO(xen_grant_map_at(gt, refs, 1, base + 1, PROT_READ, errs,
	    &err), EINVAL);
	CHECK(strstr(xen_err_msg(&err), "page aligned") != NULL);
	CHECK_ERRNO(xen_grant_map_at(gt, NULL, 1, base, PROT_READ, errs,
	    &err), EINVAL);
	CHECK_ERRNO(xen_grant_map_at(gt, refs, 1, base, PROT_READ, NULL,
	    &err), EINVAL);
	CHECK_ERRNO(xen_grant_map_at(NULL, refs, 1, base, PROT_READ, errs,
	    &err), EINVAL);
	CHECK_ERRNO(xen_grant_map_at(gt, refs, 1, base, PROT_READ | PROT_EXEC,
	    errs, &err), EINVAL);
	CHECK(strstr(xen_err_msg(&err), "read-write only") != NULL);
	/* A range that would wrap around the address space. */
	CHECK_ERRNO(xen_grant_map_at(gt, refs, SIZE_MAX / T_PAGE, base,
	    PROT_READ, errs, &err), EINVAL);
	CHECK_ERRNO(xen_grant_unmap_at(gt, base + 8, 1, &err), EINVAL);
	CHECK_ERRNO(xen_grant_unmap_at(gt, base, SIZE_MAX / T_PAGE, &err),
	    EINVAL);
	CHECK_ERRNO(xen_grant_unmap_at(NULL, base, 1, &err), EINVAL);
	CHECK(xen_grant_unmap_at(gt, base, 0, &err) == 0);
	CHECK(reserved(base, 2));
	munmap(base, 2 * T_PAGE);
}

/* Not a gntdev: the call as a whole fails, nothing moves. */
static void
test_not_gntdev(struct xen_grant *gt)
{
	struct xen_err err;
	uint32_t refs[3] = { T_REF, T_REF + 1, T_REF + 2 };
	int errs[3] = { 1, 2, 3 };
	unsigned char *base;

	base = reserve(5);
	xen_err_clear(&err);
	CHECK_ERRNO(xen_grant_map_at(gt, refs, 3, base + T_PAGE,
	    PROT_READ | PROT_WRITE, errs, &err), ENOTTY);
	CHECK(err.xe_errno == ENOTTY);
	CHECK(strstr(xen_err_msg(&err), "not a gntdev device") != NULL);
	CHECK(strstr(xen_err_msg(&err), "domain 5") != NULL);
	CHECK(errs[0] == 0 && errs[1] == 0 && errs[2] == 0);
	CHECK(reserved(base, 5));
	munmap(base, 5 * T_PAGE);
}

/*
 * Unmapping any part of a range puts the reservation back: pages of
 * another kind stand in for mapped grants (the replacement is the same).
 */
static void
test_unmap(struct xen_grant *gt)
{
	struct xen_err err;
	unsigned char *base;
	void *p;
	char perms[8];

	base = reserve(6);
	p = mmap(base + T_PAGE, 4 * T_PAGE, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	REQUIRE(p == base + T_PAGE);
	memset(p, 0xa5, 4 * T_PAGE);

	/* The middle two. */
	CHECK(xen_grant_unmap_at(gt, base + 2 * T_PAGE, 2, &err) == 0);
	CHECK(reserved(base + 2 * T_PAGE, 2));
	perms_at(base + T_PAGE, perms);
	CHECK(strcmp(perms, "rw-s") == 0);
	perms_at(base + 4 * T_PAGE, perms);
	CHECK(strcmp(perms, "rw-s") == 0);
	CHECK(base[T_PAGE] == 0xa5 && base[4 * T_PAGE + 17] == 0xa5);
	CHECK(reserved(base, 1) && reserved(base + 5 * T_PAGE, 1));

	/* Everything, pages already reserved included. */
	CHECK(xen_grant_unmap_at(gt, base + T_PAGE, 4, &err) == 0);
	CHECK(err.xe_errno == 0);
	CHECK(reserved(base, 6));
	munmap(base, 6 * T_PAGE);
}

static void
test_explain(struct xen_grant *gt)
{
	static const int errnums[] = { ENOENT, ERANGE, EACCES, EAGAIN, ESRCH,
	    EIO, ENOMEM };
	struct xen_err err;
	size_t i;

	for (i = 0; i < sizeof(errnums) / sizeof(errnums[0]); i++) {
		xen_err_clear(&err);
		xen_grant_explain(gt, T_REF, errnums[i], &err);
		CHECK(err.xe_errno == errnums[i]);
		CHECK(strstr(err.xe_msg, "domain 5") != NULL);
		CHECK(strstr(err.xe_msg, "77") != NULL);
	}
	xen_grant_explain(gt, T_REF, EACCES, &err);
	CHECK(strstr(err.xe_msg, "read-only") != NULL);
	xen_grant_explain(gt, T_REF, EAGAIN, &err);
	CHECK(strstr(err.xe_msg, "paged out") != NULL);
	xen_grant_explain(gt, T_REF, 0, &err);
	CHECK(err.xe_errno == 0 && err.xe_msg[0] == '\0');
	/* No err: nothing to fill, nothing to crash on. */
	xen_grant_explain(gt, T_REF, ENOENT, NULL);
}

int
main(void)
{
	struct xen_grant *gt;
	struct xen_err err;

	if (sysconf(_SC_PAGESIZE) != (long)T_PAGE)
		TEST_SKIP("host pages are not %zu bytes", T_PAGE);
	test_open();
	gt = xen_grant_open_device("/dev/null", T_DOMID, &err);
	REQUIRE(gt != NULL);
	test_arguments(gt);
	test_not_gntdev(gt);
	test_unmap(gt);
	test_explain(gt);
	xen_grant_close(gt);
	return test_done();
}
