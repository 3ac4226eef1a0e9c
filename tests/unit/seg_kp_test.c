/*
 * seg_kp_test.c -- buffers with red zones, every op through the as_* API
 * and the typed segop_* dispatch: create errors, the usable range
 * (segkp_buffer), guards refusing every access (EACCES through the
 * address space, SIGSEGV in a forked child that writes one byte past the
 * end or one byte before the start), protections that cannot open a
 * guard, whole-only unmap (ENOTSUP for part), incore, F_SOFTLOCK pins,
 * as_ctl, as_dup, a file-backed buffer that lands in its file, the dump
 * text, and injected failures in create and setprot.  The verifier runs
 * after every change.
 */
#include "config.h"

#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <porthole/porthole.h>
#include <porthole/seg_kp.h>
#include "tests/test.h"
#include "vm/inject.h"
#include "vm/seg.h"

static size_t pagesize;

/* The usable range of the kp segment at addr (NULL when none). */
static char *
buffer_at(struct as *as, void *addr, size_t *sizep)
{
	struct seg *seg;
	char *p = NULL;

	as_enter(as, AS_READER);
	if ((seg = as_segat(as, addr)) != NULL)
		p = segkp_buffer(seg, sizep);
	as_exit(as);
	return (p);
}

/*
 * Run a child that stores one byte at p and report how it ended: the
 * signal that killed it, 0 when it survived, -1 on a harness failure.
 */
static void
store_byte(void *p)
{
	*(volatile char *)p = 1;
}

static int
child_store(volatile char *p)
{
	return (test_run_child(store_byte, (void *)(uintptr_t)p));
}

static void
test_create_errors(struct as *as, char *b)
{
	struct segkp_crargs a = { .size = 4 * pagesize, .prot = PROT_READ |
	    PROT_WRITE, .fd = -1 };
	struct segkp_crargs c;
	int fd;

	CHECK(segkp_len(&a) == 6 * pagesize);
	c = a;
	c.guard_before = 2;
	c.guard_after = 3;
	CHECK(segkp_len(&c) == 9 * pagesize);
	CHECK(segkp_len(NULL) == 0);

	CHECK_ERRNO(as_map(as, b, 6 * pagesize, segkp_create, NULL), EINVAL);
	/* A length that is not guard + size + guard. */
	CHECK_ERRNO(as_map(as, b, 7 * pagesize, segkp_create, &a), EINVAL);
	c = a;
	c.size = 4 * pagesize + 1;
	CHECK_ERRNO(as_map(as, b, 6 * pagesize, segkp_create, &c), EINVAL);
	/* Guards only. */
	c = a;
	c.size = 0;
	CHECK_ERRNO(as_map(as, b, 2 * pagesize, segkp_create, &c), EINVAL);
	c.guard_before = 1000;
	CHECK_ERRNO(as_map(as, b, 6 * pagesize, segkp_create, &c), EINVAL);
	c = a;
	c.prot = PROT_READ | PROT_EXEC;
	CHECK_ERRNO(as_map(as, b, 6 * pagesize, segkp_create, &c), EACCES);
	c.prot = 0x40;
	CHECK_ERRNO(as_map(as, b, 6 * pagesize, segkp_create, &c), EINVAL);
	/* Backing files: read-write, regular, page-aligned offset. */
	c = a;
	REQUIRE((fd = open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0);
	c.fd = fd;
	CHECK_ERRNO(as_map(as, b, 6 * pagesize, segkp_create, &c), EACCES);
	(void) close(fd);
	REQUIRE((fd = open("/dev/null", O_RDWR | O_CLOEXEC)) >= 0);
	c.fd = fd;
	CHECK_ERRNO(as_map(as, b, 6 * pagesize, segkp_create, &c), EINVAL);
	(void) close(fd);
	c.fd = 999;
	CHECK_ERRNO(as_map(as, b, 6 * pagesize, segkp_create, &c), EBADF);
	CHECK(as_nsegs(as) == 0);
	CHECK_VERIFY(as);
}

/* The anonymous buffer: copies, guards, protections, unmap. */
static void
test_anon(struct as *as, char *b)
{
	struct segkp_crargs a = { .size = 4 * pagesize, .prot = PROT_READ |
	    PROT_WRITE, .fd = -1 };
	size_t len = segkp_len(&a), size = 0, i;
	unsigned char buf[256], vec[6];
	char *u, text[160];
	int err;

	REQUIRE(as_map(as, b, len, segkp_create, &a) == 0);
	CHECK_VERIFY(as);
	u = buffer_at(as, b, &size);
	CHECK(u == b + pagesize && size == 4 * pagesize);
	CHECK(buffer_at(as, b + len - 1, NULL) == u);
	seg_dump_at(as, b, text, sizeof (text));
	CHECK(strcmp(text, "kp anon rw- 4 pages guard 1+1") == 0 ||
	    (fprintf(stderr, "dump: %s\n", text), 0));

	/* Usable pages: ordinary memory. */
	for (i = 0; i < sizeof (buf); i++)
		buf[i] = (unsigned char)(i * 13 + 1);
	CHECK(as_write(as, u, buf, sizeof (buf), &err) == sizeof (buf) &&
	    err == 0);
	CHECK(memcmp(u, buf, sizeof (buf)) == 0);
	/* Guards: refused through the address space. */
	CHECK(as_read(as, u - 1, buf, 1, &err) == 0 && err == EACCES);
	CHECK(as_write(as, u + size, buf, 1, &err) == 0 && err == EACCES);
	/* A copy that runs off the end stops exactly at it. */
	CHECK(as_write(as, u + size - 10, buf, 20, &err) == 10 &&
	    err == EACCES);
	CHECK(as_read(as, u + size - 10, buf, 20, &err) == 10 &&
	    err == EACCES);
	u[size - 1] = 0x77;	/* the last usable byte is fine directly */
	CHECK_ERRNO(as_fault(as, b, pagesize, F_INVAL, S_READ), EACCES);
	CHECK_ERRNO(as_fault(as, b, pagesize, F_INVAL, S_OTHER), EACCES);
	CHECK_ERRNO(as_fault(as, b + len - pagesize, pagesize, F_SOFTLOCK,
	    S_READ), EACCES);
	CHECK(as_fault(as, u, size, F_INVAL, S_WRITE) == 0);
	CHECK(as_checkprot(as, u, size, PROT_READ | PROT_WRITE) == 0);
	CHECK_ERRNO(as_checkprot(as, b, len, PROT_READ), EACCES);
	CHECK(as_checkprot(as, b, pagesize, PROT_NONE) == 0);

	/* incore: guards never resident; the usable pages were faulted. */
	CHECK(as_incore(as, b, len, vec) == 0);
	CHECK(vec[0] == 0 && vec[5] == 0 && vec[1] == 1 && vec[4] == 1);

	/* Protections: guards stay closed, usable pages within rw-. */
	CHECK_ERRNO(as_setprot(as, b, len, PROT_READ), EACCES);
	CHECK_ERRNO(as_setprot(as, b, pagesize, PROT_READ), EACCES);
	CHECK_ERRNO(as_setprot(as, u, size, PROT_READ | PROT_EXEC), EACCES);
	CHECK(as_setprot(as, u + pagesize, pagesize, PROT_READ) == 0);
	CHECK_VERIFY(as);
	CHECK(as_write(as, u + pagesize, buf, 1, &err) == 0 && err == EACCES);
	CHECK(as_read(as, u + pagesize, buf, 1, &err) == 1 && err == 0);
	seg_dump_at(as, b, text, sizeof (text));
	CHECK(strcmp(text, "kp anon rw- 4 pages guard 1+1 (per-page prot)") ==
	    0 || (fprintf(stderr, "dump: %s\n", text), 0));
	/* PROT_NONE over everything, guards included, then back. */
	CHECK(as_setprot(as, b, len, PROT_NONE) == 0);
	CHECK_VERIFY(as);
	CHECK(as_read(as, u, buf, 1, &err) == 0 && err == EACCES);
	CHECK(as_fault(as, u, size, F_INVAL, S_OTHER) == 0);
	seg_dump_at(as, b, text, sizeof (text));
	CHECK(strcmp(text, "kp anon --- 4 pages guard 1+1") == 0 ||
	    (fprintf(stderr, "dump: %s\n", text), 0));
	CHECK(as_setprot(as, u, size, PROT_READ | PROT_WRITE) == 0);
	CHECK_VERIFY(as);
	CHECK(u[size - 1] == 0x77);

	/* Whole or nothing. */
	CHECK_ERRNO(as_unmap(as, u, pagesize), ENOTSUP);
	CHECK_ERRNO(as_unmap(as, b, pagesize), ENOTSUP);
	CHECK_ERRNO(as_unmap(as, b, len - pagesize), ENOTSUP);
	CHECK_VERIFY(as);
	CHECK(as_nsegs(as) == 1 && buffer_at(as, b, NULL) == u);
	CHECK(as_fault(as, u, pagesize, F_SOFTLOCK, S_READ) == 0);
	CHECK_ERRNO(as_unmap(as, b, len), EBUSY);
	CHECK(as_fault(as, u, pagesize, F_SOFTUNLOCK, S_READ) == 0);
	CHECK_VERIFY(as);

	CHECK(as_ctl(as, b, len, AS_CTL_SYNC, MS_SYNC) == 0);
	CHECK(as_ctl(as, b, len, AS_CTL_ADVISE, MADV_WILLNEED) == 0);
	if (as_ctl(as, b, len, AS_CTL_LOCK, 0) == 0)
		CHECK(as_ctl(as, b, len, AS_CTL_UNLOCK, 0) == 0);
	else
		CHECK(errno == EPERM || errno == ENOMEM || errno == EAGAIN);

	CHECK(as_unmap(as, b, len) == 0);
	CHECK_VERIFY(as);
	CHECK(as_nsegs(as) == 0);
}

/* Direct overruns and underruns trap in a child. */
static void
test_traps(struct as *as, char *b)
{
	struct segkp_crargs a = { .size = 2 * pagesize, .guard_before = 2,
	    .prot = PROT_READ | PROT_WRITE, .fd = -1 };
	size_t len = segkp_len(&a), size = 0;
	char *u;

	REQUIRE(as_map(as, b, len, segkp_create, &a) == 0);
	CHECK_VERIFY(as);
	u = buffer_at(as, b, &size);
	REQUIRE(u == b + 2 * pagesize && size == 2 * pagesize);
	CHECK(child_store(u + size) == SIGSEGV);
	CHECK(child_store(u - 1) == SIGSEGV);
	CHECK(child_store(u - 2 * pagesize) == SIGSEGV);
	/* The control: inside the buffer the child lives. */
	CHECK(child_store(u) == 0);
	CHECK(child_store(u + size - 1) == 0);
	CHECK(as_unmap(as, b, len) == 0);
	CHECK_VERIFY(as);
}

static void
test_file(struct as *as, char *b)
{
	struct segkp_crargs a = { .size = 2 * pagesize, .guard_before = 2,
	    .guard_after = 3, .prot = PROT_READ | PROT_WRITE };
	size_t len = segkp_len(&a), size = 0;
	unsigned char msg[] = "paged out to its file";
	unsigned char back[sizeof (msg)];
	char *u, text[160];
	struct stat st;
	struct seg *seg;
	int fd, err;

	fd = tmpfile_fd(0);
	a.fd = fd;
	a.offset = (off_t)pagesize;
	{
		struct segkp_crargs c = a;

		c.offset = 100;
		CHECK_ERRNO(as_map(as, b, len, segkp_create, &c), EINVAL);
		c.offset = -(off_t)pagesize;
		CHECK_ERRNO(as_map(as, b, len, segkp_create, &c), EINVAL);
	}
	REQUIRE(as_map(as, b, len, segkp_create, &a) == 0);
	CHECK_VERIFY(as);
	(void) close(fd);	/* the driver keeps its own */
	CHECK(fstat(fd, &st) != 0);
	u = buffer_at(as, b, &size);
	REQUIRE(u == b + 2 * pagesize && size == 2 * pagesize);
	seg_dump_at(as, b, text, sizeof (text));
	CHECK(strcmp(text, "kp file off=0x1000 rw- 2 pages guard 2+3") == 0 ||
	    pagesize != 4096 || (fprintf(stderr, "dump: %s\n", text), 0));

	CHECK(as_write(as, u + pagesize + 5, msg, sizeof (msg), &err) ==
	    sizeof (msg) && err == 0);
	CHECK(as_ctl(as, u, size, AS_CTL_SYNC, MS_SYNC) == 0);
	as_enter(as, AS_READER);
	seg = as_segat(as, b);
	REQUIRE(seg != NULL);
	CHECK(segop_gettype(seg, u) == MAP_SHARED);
	CHECK(segop_getoffset(seg, u + pagesize + 5) == 2 * pagesize + 5);
	CHECK(segop_getoffset(seg, b) == UINT64_MAX);
	CHECK(segop_getoffset(seg, u + size) == UINT64_MAX);
	as_exit(as);

	/* as_dup copies the buffer into anonymous memory, guards and all. */
	{
		struct as *nas;
		char *nu;

		REQUIRE((nas = as_dup(as)) != NULL);
		CHECK_VERIFY(nas);
		nu = buffer_at(nas, (char *)as_window_base(nas) +
		    (b - (char *)as_window_base(as)), NULL);
		REQUIRE(nu != NULL);
		CHECK(memcmp(nu + pagesize + 5, msg, sizeof (msg)) == 0);
		seg_dump_at(nas, nu, text, sizeof (text));
		CHECK(strncmp(text, "kp anon rw- 2 pages guard 2+3", 29) == 0);
		nu[pagesize + 5] = 'X';
		CHECK(u[pagesize + 5] == 'p');
		CHECK(child_store(nu + 2 * pagesize) == SIGSEGV);
		as_free(nas);
	}
	CHECK(as_unmap(as, b, len) == 0);
	CHECK_VERIFY(as);

	/* The bytes land in the file, which was grown to fit. */
	fd = tmpfile_fd(0);
	a.fd = fd;
	REQUIRE(as_map(as, b, len, segkp_create, &a) == 0);
	CHECK_VERIFY(as);
	CHECK(fstat(fd, &st) == 0 && st.st_size == (off_t)(3 * pagesize));
	u = buffer_at(as, b, NULL);
	CHECK(as_write(as, u + 5, msg, sizeof (msg), &err) == sizeof (msg));
	CHECK(as_ctl(as, u, pagesize, AS_CTL_SYNC, MS_SYNC) == 0);
	CHECK(pread(fd, back, sizeof (back), (off_t)pagesize + 5) ==
	    (ssize_t)sizeof (back) && memcmp(back, msg, sizeof (msg)) == 0);
	CHECK(child_store(u + 2 * pagesize) == SIGSEGV);
	CHECK(child_store(u - 1) == SIGSEGV);
	CHECK(as_unmap(as, b, len) == 0);
	CHECK_VERIFY(as);
	(void) close(fd);
}

static void
test_segops(struct as *as, char *b)
{
	struct segkp_crargs a = { .size = 3 * pagesize, .prot = PROT_READ |
	    PROT_WRITE, .fd = -1 };
	size_t len = segkp_len(&a);
	unsigned protv[5];
	unsigned char vec[5];
	void **pages = NULL;
	struct seg *seg;
	struct as *nas;
	char *u = b + pagesize, text[80];

	REQUIRE(as_map(as, b, len, segkp_create, &a) == 0);
	CHECK_VERIFY(as);
	as_enter(as, AS_READER);
	seg = as_segat(as, b);
	REQUIRE(seg != NULL);
	CHECK(strcmp(seg_opsname(seg), "segkp_ops") == 0);
	CHECK(segop_fault(seg, b, pagesize, F_INVAL, S_READ) == FC_PROT);
	CHECK(segop_fault(seg, b + len - pagesize, pagesize, F_INVAL,
	    S_OTHER) == FC_PROT);
	CHECK(segop_fault(seg, u, pagesize, F_INVAL, S_WRITE) == 0);
	CHECK(segop_fault(seg, u, pagesize, F_INVAL, S_EXEC) == FC_PROT);
	CHECK(segop_fault(seg, u, pagesize, F_SOFTLOCK, S_WRITE) == 0);
	CHECK(segop_fault(seg, u, pagesize, F_SOFTUNLOCK, S_WRITE) == 0);
	CHECK(segop_faulta(seg, u) == 0);
	CHECK(segop_faulta(seg, b) == FC_PROT);
	CHECK(segop_checkprot(seg, u, 3 * pagesize, PROT_WRITE) == 0);
	CHECK(segop_checkprot(seg, b, 2 * pagesize, PROT_READ) == EACCES);
	CHECK(segop_getprot(seg, b, len, protv) == 0);
	CHECK(protv[0] == 0 && protv[1] == (PROT_READ | PROT_WRITE) &&
	    protv[3] == (PROT_READ | PROT_WRITE) && protv[4] == 0);
	CHECK(segop_kluster(seg, u, (ssize_t)pagesize) == 0);
	CHECK(segop_kluster(seg, u, -(ssize_t)pagesize) == -1);
	CHECK(segop_kluster(seg, u, (ssize_t)(3 * pagesize)) == -1);
	CHECK(segop_sync(seg, b, len, MS_ASYNC) == 0);
	CHECK(segop_sync(seg, b, pagesize, MS_ASYNC) == 0);
	CHECK(segop_incore(seg, b, len, vec) == 0);
	CHECK(vec[0] == 0 && vec[1] == 1 && vec[4] == 0);
	CHECK(segop_lockop(seg, u, pagesize, 77) == EINVAL);
	CHECK(segop_lockop(seg, b, pagesize, MC_UNLOCK) == 0);
	CHECK(segop_getoffset(seg, u + 2 * pagesize + 3) ==
	    2 * pagesize + 3);
	CHECK(segop_getoffset(seg, b) == UINT64_MAX);
	CHECK(segop_gettype(seg, u) == MAP_PRIVATE);
	CHECK(segop_advise(seg, b, len, MADV_NORMAL) == 0);
	CHECK(segop_pagelock(seg, u, pagesize, &pages, L_PAGELOCK, S_READ) ==
	    ENOTSUP);
	CHECK(segop_capable(seg, S_CAPABILITY_PARTIAL_UNMAP) == 0);
	CHECK(segop_capable(seg, S_CAPABILITY_NOMINFLT) == 0);
	segop_dump(seg, text, sizeof (text));
	CHECK(strcmp(text, "kp anon rw- 3 pages guard 1+1") == 0);
	as_exit(as);

	/* A page that cannot be read cannot be copied. */
	CHECK(as_setprot(as, u, pagesize, PROT_NONE) == 0);
	CHECK_VERIFY(as);
	CHECK((nas = as_dup(as)) == NULL && errno == ENOTSUP);
	CHECK(as_setprot(as, u, pagesize, PROT_READ) == 0);
	CHECK_VERIFY(as);
	REQUIRE((nas = as_dup(as)) != NULL);
	CHECK_VERIFY(nas);
	CHECK(as_checkprot(nas, (char *)as_window_base(nas) +
	    (u - (char *)as_window_base(as)), pagesize, PROT_WRITE) == -1);
	as_free(nas);

	as_enter(as, AS_WRITER);
	seg = as_segat(as, b);
	REQUIRE(seg != NULL);
	CHECK(segop_setprot(seg, b, pagesize, PROT_READ) == EACCES);
	CHECK(segop_setprot(seg, b, pagesize, PROT_NONE) == 0);
	CHECK(segop_setprot(seg, u, pagesize, 0x40) == EINVAL);
	CHECK(segop_unmap(seg, u, pagesize) == ENOTSUP);
	CHECK(segop_unmap(seg, b, len) == 0);
	as_exit(as);
	CHECK_VERIFY(as);
	CHECK(as_nsegs(as) == 0);
}

static void
test_inject(struct as *as, char *b)
{
	struct segkp_crargs a = { .size = 2 * pagesize, .prot = PROT_READ |
	    PROT_WRITE, .fd = -1 };
	size_t len = segkp_len(&a);
	enum vm_inject_site site;
	unsigned long n;
	unsigned protv[4];
	struct seg *seg;
	int rv = -1;

	for (site = VM_INJECT_ALLOC; site < VM_INJECT_NSITES; site++) {
		rv = test_map_under_injection(as, site, b, len, segkp_create, &a,
		    NULL, NULL);
		CHECK(rv == 0 && as_nsegs(as) == 1);
		for (n = 1; n < 20; n++) {
			vm_inject_arm(site, n);
			rv = as_setprot(as, b + pagesize, pagesize, PROT_READ);
			vm_inject_arm(site, 0);
			CHECK_VERIFY(as);
			if (rv == 0)
				break;
			CHECK(as_checkprot(as, b + pagesize, pagesize,
			    PROT_WRITE) == 0);
		}
		CHECK(rv == 0);
		as_enter(as, AS_READER);
		seg = as_segat(as, b);
		CHECK(seg != NULL && segop_getprot(seg, b, len, protv) == 0 &&
		    protv[1] == PROT_READ &&
		    protv[2] == (PROT_READ | PROT_WRITE));
		as_exit(as);
		for (n = 1; n < 20; n++) {
			vm_inject_arm(site, n);
			rv = as_unmap(as, b, len);
			vm_inject_arm(site, 0);
			CHECK_VERIFY(as);
			if (rv == 0)
				break;
			CHECK(as_nsegs(as) == 1);
		}
		CHECK(rv == 0 && as_nsegs(as) == 0);
	}
}

int
main(void)
{
	struct as *as;
	char *b;

	pagesize = (size_t)sysconf(_SC_PAGESIZE);
	REQUIRE((as = as_alloc(16 << 20)) != NULL);
	b = (char *)as_window_base(as) + 4 * pagesize;

	test_create_errors(as, b);
	test_anon(as, b);
	test_traps(as, b);
	test_file(as, b);
	test_segops(as, b);
	test_inject(as, b);
	CHECK(as_nsegs(as) == 0);
	as_free(as);
	return (test_done());
}
