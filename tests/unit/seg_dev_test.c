/*
 * seg_dev_test.c -- device mappings, every op through the as_* API and the
 * typed segop_* dispatch, on /dev/zero (shared and private): create
 * errors (ENOENT, a directory, a FIFO, /dev/null, regular files refused
 * unless under /sys or a test stand-in, a sysfs file the host cannot map,
 * prot and open-mode mismatches), reads, writes, per-page protections,
 * incore, trims and a split keeping contents and offsets, F_SOFTLOCK
 * pins, as_ctl, as_dup (shared maps again, private refuses), the dump
 * text, injected failures in create and split.  /dev/mem and PCI sysfs
 * resource files are mapped only when present and accessible; otherwise
 * that part says so and the rest still runs.  The verifier runs after
 * every change.
 */
#include "config.h"

#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <porthole/porthole.h>
#include <porthole/seg_dev.h>
#include "tests/test.h"
#include "vm/inject.h"
#include "vm/seg.h"

static size_t pagesize;

static void
test_errors(struct as *as, char *b)
{
	struct segdev_crargs a = { .path = "/dev/zero", .prot = PROT_READ };
	struct segdev_crargs c;
	char dir[] = "/tmp/seg_dev_test.XXXXXX";
	char fifo[sizeof (dir) + 8], file[sizeof (dir) + 8];
	char text[160];
	int fd;

	CHECK_ERRNO(as_map(as, b, pagesize, segdev_create, NULL), EINVAL);
	c = a;
	c.path = "/nonexistent/device";
	CHECK_ERRNO(as_map(as, b, pagesize, segdev_create, &c), ENOENT);
	c.prot = PROT_READ | PROT_WRITE;
	CHECK_ERRNO(as_map(as, b, pagesize, segdev_create, &c), ENOENT);
	c = a;
	c.type = MAP_SHARED | MAP_PRIVATE;
	CHECK_ERRNO(as_map(as, b, pagesize, segdev_create, &c), EINVAL);
	c = a;
	c.offset = 100;
	CHECK_ERRNO(as_map(as, b, pagesize, segdev_create, &c), EINVAL);
	c.offset = -(off_t)pagesize;
	CHECK_ERRNO(as_map(as, b, pagesize, segdev_create, &c), EINVAL);
	c = a;
	c.prot = PROT_READ | PROT_EXEC;
	CHECK_ERRNO(as_map(as, b, pagesize, segdev_create, &c), EACCES);
	c.prot = 0x100;
	CHECK_ERRNO(as_map(as, b, pagesize, segdev_create, &c), EINVAL);
	c = a;
	c.flags = 0x80;
	CHECK_ERRNO(as_map(as, b, pagesize, segdev_create, &c), EINVAL);
	/* No path and a bad descriptor. */
	c = a;
	c.path = NULL;
	c.fd = -1;
	CHECK_ERRNO(as_map(as, b, pagesize, segdev_create, &c), EBADF);
	/* A read-only descriptor cannot back a shared writable mapping. */
	REQUIRE((fd = open("/dev/zero", O_RDONLY | O_CLOEXEC)) >= 0);
	c.fd = fd;
	c.prot = PROT_READ | PROT_WRITE;
	CHECK_ERRNO(as_map(as, b, pagesize, segdev_create, &c), EACCES);
	/* ... but a private one is fine, and the name comes from the fd. */
	c.type = MAP_PRIVATE;
	CHECK(as_map(as, b, pagesize, segdev_create, &c) == 0);
	CHECK_VERIFY(as);
	seg_dump_at(as, b, text, sizeof (text));
	CHECK(strcmp(text, "dev /dev/zero off=0 private rw-") == 0 ||
	    (fprintf(stderr, "dump: %s\n", text), 0));
	CHECK(as_unmap(as, b, pagesize) == 0);
	CHECK_VERIFY(as);
	(void) close(fd);

	/* Not devices. */
	REQUIRE(mkdtemp(dir) != NULL);
	c = a;
	c.path = dir;
	CHECK_ERRNO(as_map(as, b, pagesize, segdev_create, &c), ENODEV);
	c.prot = PROT_READ | PROT_WRITE;
	CHECK_ERRNO(as_map(as, b, pagesize, segdev_create, &c), ENODEV);
	(void) snprintf(fifo, sizeof (fifo), "%s/fifo", dir);
	REQUIRE(mkfifo(fifo, 0600) == 0);
	c = a;
	c.path = fifo;	/* must not block in open */
	CHECK_ERRNO(as_map(as, b, pagesize, segdev_create, &c), ENODEV);
	/* /dev/null is a character device the host cannot map. */
	c.path = "/dev/null";
	CHECK_ERRNO(as_map(as, b, pagesize, segdev_create, &c), ENODEV);

	/* A regular file: refused, unless it is a test stand-in. */
	(void) snprintf(file, sizeof (file), "%s/file", dir);
	REQUIRE((fd = open(file, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) >= 0);
	REQUIRE(pwrite(fd, "standin", 7, (off_t)pagesize) == 7);
	c.path = file;
	CHECK_ERRNO(as_map(as, b, 2 * pagesize, segdev_create, &c), EINVAL);
	c.flags = SEGDEV_FILE_STANDIN;
	/* Past the end of the file. */
	CHECK_ERRNO(as_map(as, b, 3 * pagesize, segdev_create, &c), ENXIO);
	c.offset = (off_t)pagesize;
	CHECK_ERRNO(as_map(as, b, 2 * pagesize, segdev_create, &c), ENXIO);
	CHECK(as_map(as, b, pagesize, segdev_create, &c) == 0);
	CHECK_VERIFY(as);
	CHECK(memcmp(b, "standin", 7) == 0);
	seg_dump_at(as, b, text, sizeof (text));
	CHECK(strstr(text, "/file off=0x1000 shared r--") != NULL ||
	    pagesize != 4096 || (fprintf(stderr, "dump: %s\n", text), 0));
	CHECK(as_unmap(as, b, pagesize) == 0);
	CHECK_VERIFY(as);
	(void) close(fd);
	(void) unlink(file);
	(void) unlink(fifo);
	(void) rmdir(dir);

	/* A sysfs file passes the file check; the host refuses the map. */
	if (access("/sys/kernel/profiling", R_OK) == 0) {
		c = a;
		c.path = "/sys/kernel/profiling";
		CHECK_ERRNO(as_map(as, b, pagesize, segdev_create, &c),
		    ENODEV);
	} else {
		fprintf(stderr, "note: no /sys/kernel/profiling: the sysfs "
		    "file check is not exercised\n");
	}
	CHECK(as_nsegs(as) == 0);
	CHECK_VERIFY(as);
}

static void
test_zero_shared(struct as *as, char *b)
{
	struct segdev_crargs a = { .path = "/dev/zero", .prot = PROT_READ |
	    PROT_WRITE };
	static unsigned char buf[8 * 4096 * 4];
	size_t len = 8 * pagesize, i;
	unsigned char vec[8];
	unsigned protv[8];
	char text[160];
	struct test_seg ts;
	struct seg *seg;
	struct as *nas;
	int err;

	REQUIRE(len <= sizeof (buf));
	a.offset = 0;
	REQUIRE(as_map(as, b, len, segdev_create, &a) == 0);
	CHECK_VERIFY(as);
	seg_dump_at(as, b, text, sizeof (text));
	CHECK(strcmp(text, "dev /dev/zero off=0 shared rw-") == 0 ||
	    (fprintf(stderr, "dump: %s\n", text), 0));
	/* Nothing resident until touched; a read makes pages (shmem). */
	CHECK(as_incore(as, b, len, vec) == 0);
	for (i = 0; i < 8; i++)
		CHECK(vec[i] == 0);
	memset(buf, 0xff, len);
	CHECK(as_read(as, b, buf, pagesize, &err) == pagesize && err == 0 &&
	    bytes_all_zero(buf, pagesize));
	CHECK(as_incore(as, b, len, vec) == 0);
	CHECK(vec[0] == 1 && vec[1] == 0);
	CHECK(as_read(as, b, buf, len, &err) == len && err == 0 &&
	    bytes_all_zero(buf, len));
	for (i = 0; i < 8; i++)
		buf[i * pagesize] = (unsigned char)(i + 1);
	CHECK(as_write(as, b, buf, len, &err) == len && err == 0);
	CHECK(as_incore(as, b, len, vec) == 0);
	for (i = 0; i < 8; i++)
		CHECK(vec[i] == 1);
	CHECK(as_fault(as, b, len, F_INVAL, S_WRITE) == 0);
	CHECK_ERRNO(as_fault(as, b, len, F_INVAL, S_EXEC), EACCES);

	/* Per-page protections; no execute ever. */
	CHECK_ERRNO(as_setprot(as, b, len, PROT_READ | PROT_EXEC), EACCES);
	CHECK(as_setprot(as, b + 2 * pagesize, pagesize, PROT_READ) == 0);
	CHECK_VERIFY(as);
	CHECK(as_write(as, b + 2 * pagesize, buf, 1, &err) == 0 &&
	    err == EACCES);
	CHECK_ERRNO(as_checkprot(as, b, len, PROT_WRITE), EACCES);
	CHECK(as_checkprot(as, b, len, PROT_READ) == 0);
	seg_dump_at(as, b, text, sizeof (text));
	CHECK(strstr(text, "(per-page prot)") != NULL);

	/* Split: pages 3-4 go; contents, offsets and protections follow. */
	CHECK(as_unmap(as, b + 3 * pagesize, 2 * pagesize) == 0);
	CHECK_VERIFY(as);
	CHECK(as_nsegs(as) == 2);
	CHECK(test_seg_at(as, b, &ts) == 3 * pagesize && ts.ts_base == b &&
	    ts.ts_offset == 0);
	CHECK(test_seg_at(as, b + 6 * pagesize, &ts) == 3 * pagesize &&
	    ts.ts_base == b + 5 * pagesize && ts.ts_offset == 5 * pagesize);
	for (i = 0; i < 8; i++) {
		if (i == 3 || i == 4)
			continue;
		CHECK(((unsigned char *)b)[i * pagesize] == i + 1);
	}
	CHECK(as_read(as, b + 3 * pagesize, buf, 1, &err) == 0 &&
	    err == EFAULT);
	as_enter(as, AS_READER);
	seg = as_segat(as, b);
	REQUIRE(seg != NULL);
	CHECK(segop_getprot(seg, b, 3 * pagesize, protv) == 0);
	CHECK(protv[0] == (PROT_READ | PROT_WRITE) && protv[2] == PROT_READ);
	as_exit(as);
	/* Head trim of the upper piece, tail trim of the lower one. */
	CHECK(as_unmap(as, b + 5 * pagesize, pagesize) == 0);
	CHECK_VERIFY(as);
	CHECK(test_seg_at(as, b + 6 * pagesize, &ts) == 2 * pagesize &&
	    ts.ts_base == b + 6 * pagesize && ts.ts_offset == 6 * pagesize);
	CHECK(((unsigned char *)b)[7 * pagesize] == 8);
	CHECK(as_unmap(as, b + 2 * pagesize, pagesize) == 0);
	CHECK_VERIFY(as);
	CHECK(test_seg_at(as, b, &ts) == 2 * pagesize);
	seg_dump_at(as, b, text, sizeof (text));
	CHECK(strstr(text, "/dev/zero off=0 shared rw-") != NULL);

	/* Pins. */
	CHECK(as_fault(as, b, pagesize, F_SOFTLOCK, S_WRITE) == 0);
	CHECK_ERRNO(as_unmap(as, b, pagesize), EBUSY);
	CHECK(as_fault(as, b, pagesize, F_SOFTUNLOCK, S_WRITE) == 0);
	CHECK_VERIFY(as);

	CHECK(as_ctl(as, b, 2 * pagesize, AS_CTL_SYNC, MS_SYNC) == 0);
	CHECK(as_ctl(as, b, 2 * pagesize, AS_CTL_ADVISE, MADV_NORMAL) == 0);
	if (as_ctl(as, b, 2 * pagesize, AS_CTL_LOCK, 0) == 0)
		CHECK(as_ctl(as, b, 2 * pagesize, AS_CTL_UNLOCK, 0) == 0);
	else
		CHECK(errno == EPERM || errno == ENOMEM || errno == EAGAIN);

	/* dup maps the device again: /dev/zero makes new zeros. */
	REQUIRE((nas = as_dup(as)) != NULL);
	CHECK_VERIFY(nas);
	CHECK(as_nsegs(nas) == 2);
	{
		char *nb = (char *)as_window_base(nas) +
		    (b - (char *)as_window_base(as));
		char t2[160];

		seg_dump_at(as, b + 6 * pagesize, text, sizeof (text));
		seg_dump_at(nas, nb + 6 * pagesize, t2, sizeof (t2));
		CHECK(strcmp(text, t2) == 0);
		CHECK(as_read(nas, nb, buf, 2 * pagesize, &err) ==
		    2 * pagesize && err == 0 &&
		    bytes_all_zero(buf, 2 * pagesize));
		CHECK(as_write(nas, nb, "n", 1, &err) == 1 && err == 0);
		CHECK(*b == 1);
	}
	as_free(nas);

	CHECK(as_unmap(as, b, len) == 0);
	CHECK_VERIFY(as);
	CHECK(as_nsegs(as) == 0);
}

static void
test_zero_private_and_ops(struct as *as, char *b)
{
	struct segdev_crargs a = { .path = "/dev/zero", .prot = PROT_READ,
	    .type = MAP_PRIVATE, .offset = 0 };
	struct segdev_crargs ro = { .path = "/dev/zero", .prot = PROT_READ };
	unsigned char vec[4];
	unsigned protv[4];
	void **pages = NULL;
	struct seg *seg;
	char text[160];
	int err;

	/* Opened read-only for a private mapping: writable later. */
	REQUIRE(as_map(as, b, 4 * pagesize, segdev_create, &a) == 0);
	CHECK_VERIFY(as);
	CHECK(as_write(as, b, "p", 1, &err) == 0 && err == EACCES);
	CHECK(as_setprot(as, b, 4 * pagesize, PROT_READ | PROT_WRITE) == 0);
	CHECK_VERIFY(as);
	CHECK(as_write(as, b, "p", 1, &err) == 1 && err == 0 && *b == 'p');
	CHECK((as_dup(as) == NULL) && errno == ENOTSUP);
	CHECK_VERIFY(as);

	/* A shared read-only open can never be written. */
	REQUIRE(as_map(as, b + 8 * pagesize, pagesize, segdev_create, &ro) ==
	    0);
	CHECK_VERIFY(as);
	CHECK_ERRNO(as_setprot(as, b + 8 * pagesize, pagesize,
	    PROT_READ | PROT_WRITE), EACCES);
	CHECK(as_unmap(as, b + 8 * pagesize, pagesize) == 0);
	CHECK_VERIFY(as);

	as_enter(as, AS_READER);
	seg = as_segat(as, b + pagesize);
	REQUIRE(seg != NULL);
	CHECK(strcmp(seg_opsname(seg), "segdev_ops") == 0);
	CHECK(segop_fault(seg, b, pagesize, F_INVAL, S_WRITE) == 0);
	CHECK(segop_fault(seg, b, pagesize, F_INVAL, S_EXEC) == FC_PROT);
	CHECK(segop_fault(seg, b, pagesize, F_SOFTLOCK, S_READ) == 0);
	CHECK(segop_fault(seg, b, pagesize, F_SOFTUNLOCK, S_READ) == 0);
	CHECK(segop_faulta(seg, b) == 0);
	CHECK(segop_checkprot(seg, b, 4 * pagesize, PROT_WRITE) == 0);
	CHECK(segop_checkprot(seg, b, pagesize, PROT_EXEC) == EACCES);
	CHECK(segop_getprot(seg, b, 4 * pagesize, protv) == 0 &&
	    protv[3] == (PROT_READ | PROT_WRITE));
	CHECK(segop_kluster(seg, b, (ssize_t)pagesize) == 0);
	CHECK(segop_kluster(seg, b, (ssize_t)(4 * pagesize)) == -1);
	CHECK(segop_sync(seg, b, pagesize, MS_ASYNC) == 0);
	CHECK(segop_incore(seg, b, 4 * pagesize, vec) == 0 && vec[0] == 1 &&
	    vec[3] == 0);
	CHECK(segop_lockop(seg, b, pagesize, 42) == EINVAL);
	CHECK(segop_getoffset(seg, b + 3 * pagesize + 1) == 3 * pagesize + 1);
	CHECK(segop_gettype(seg, b) == MAP_PRIVATE);
	CHECK(segop_advise(seg, b, pagesize, MADV_NORMAL) == 0);
	CHECK(segop_pagelock(seg, b, pagesize, &pages, L_PAGELOCK, S_READ) ==
	    ENOTSUP);
	CHECK(segop_capable(seg, S_CAPABILITY_PARTIAL_UNMAP) != 0);
	CHECK(segop_capable(seg, S_CAPABILITY_NOMINFLT) == 0);
	segop_dump(seg, text, sizeof (text));
	CHECK(strcmp(text, "dev /dev/zero off=0 private rw-") == 0);
	as_exit(as);

	as_enter(as, AS_WRITER);
	seg = as_segat(as, b);
	REQUIRE(seg != NULL);
	CHECK(segop_setprot(seg, b, pagesize, PROT_EXEC) == EACCES);
	CHECK(segop_setprot(seg, b, pagesize, 0x80) == EINVAL);
	CHECK(segop_unmap(seg, b, pagesize) == 0);
	CHECK(seg_base(seg) == b + pagesize && seg_size(seg) == 3 * pagesize);
	CHECK(segop_getoffset(seg, b + pagesize) == pagesize);
	as_exit(as);
	CHECK_VERIFY(as);
	CHECK(as_unmap(as, b, 4 * pagesize) == 0);
	CHECK_VERIFY(as);
}

static void
test_inject(struct as *as, char *b)
{
	struct segdev_crargs a = { .path = "/dev/zero", .prot = PROT_READ |
	    PROT_WRITE };
	enum vm_inject_site site;
	unsigned long n;
	int rv = -1, err;

	for (site = VM_INJECT_ALLOC; site < VM_INJECT_NSITES; site++) {
		rv = test_map_under_injection(as, site, b, 4 * pagesize, segdev_create, &a,
		    NULL, NULL);
		CHECK(rv == 0);
		CHECK(as_write(as, b + 3 * pagesize, "k", 1, &err) == 1);
		for (n = 1; n < 20; n++) {
			vm_inject_arm(site, n);
			rv = as_unmap(as, b + pagesize, pagesize);
			vm_inject_arm(site, 0);
			CHECK_VERIFY(as);
			if (rv == 0)
				break;
			CHECK(as_nsegs(as) == 1);
			CHECK(as_checkprot(as, b, 4 * pagesize, PROT_WRITE) ==
			    0);
		}
		CHECK(rv == 0 && as_nsegs(as) == 2);
		CHECK(b[3 * pagesize] == 'k');
		CHECK(as_unmap(as, b, 4 * pagesize) == 0);
		CHECK_VERIFY(as);
	}
}

/* Real device memory, read-only and only where the host lets us. */
static void
test_real_devices(struct as *as, char *b)
{
	struct segdev_crargs a = { .prot = PROT_READ };
	char text[PATH_MAX + 64];
	unsigned char c;
	glob_t g;
	size_t i;
	int err;
	bool mapped = false;

	a.path = "/dev/mem";
	if (access(a.path, R_OK) != 0) {
		fprintf(stderr, "note: /dev/mem: %s: not exercised\n",
		    strerror(errno));
	} else if (as_map(as, b, pagesize, segdev_create, &a) != 0) {
		fprintf(stderr, "note: /dev/mem cannot be mapped here (%s): "
		    "not exercised\n", strerror(errno));
	} else {
		CHECK_VERIFY(as);
		seg_dump_at(as, b, text, sizeof (text));
		CHECK(strcmp(text, "dev /dev/mem off=0 shared r--") == 0);
		/* The first page of physical memory is plain RAM. */
		CHECK(as_read(as, b, &c, 1, &err) == 1 && err == 0);
		CHECK(as_write(as, b, &c, 1, &err) == 0 && err == EACCES);
		CHECK(as_unmap(as, b, pagesize) == 0);
		CHECK_VERIFY(as);
	}

	/* A PCI memory BAR: map and unmap only (reading registers can have
	 * side effects). */
	if (glob("/sys/bus/pci/devices/*/resource[0-5]", 0, NULL, &g) != 0) {
		fprintf(stderr, "note: no PCI sysfs resource files here: "
		    "not exercised\n");
		return;
	}
	for (i = 0; i < g.gl_pathc && !mapped; i++) {
		struct stat st;

		if (stat(g.gl_pathv[i], &st) != 0 ||
		    st.st_size < (off_t)pagesize ||
		    access(g.gl_pathv[i], R_OK) != 0)
			continue;
		a.path = g.gl_pathv[i];
		if (as_map(as, b, pagesize, segdev_create, &a) != 0)
			continue;	/* an I/O BAR, or not mappable */
		mapped = true;
		CHECK_VERIFY(as);
		seg_dump_at(as, b, text, sizeof (text));
		CHECK(strncmp(text, "dev /sys/", 9) == 0 &&
		    strstr(text, " off=0 shared r--") != NULL);
		CHECK(as_unmap(as, b, pagesize) == 0);
		CHECK_VERIFY(as);
	}
	if (!mapped)
		fprintf(stderr, "note: no mappable PCI memory BAR here: "
		    "not exercised\n");
	globfree(&g);
}

int
main(void)
{
	struct as *as;
	char *b;

	pagesize = (size_t)sysconf(_SC_PAGESIZE);
	if (access("/dev/zero", R_OK | W_OK) != 0)
		TEST_SKIP("/dev/zero: %s", strerror(errno));
	REQUIRE((as = as_alloc(16 << 20)) != NULL);
	b = (char *)as_window_base(as) + 4 * pagesize;
	test_errors(as, b);
	test_zero_shared(as, b);
	test_zero_private_and_ops(as, b);
	test_inject(as, b);
	test_real_devices(as, b);
	CHECK(as_nsegs(as) == 0);
	as_free(as);
	return (test_done());
}
