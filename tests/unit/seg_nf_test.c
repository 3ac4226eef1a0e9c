/*
 * seg_nf_test.c -- the zero-page driver, every op through the as_* API and
 * the typed segop_* dispatch: reads see zeros, writes are refused (as_write
 * EACCES, as_setprot EACCES, as_fault S_WRITE EACCES), per-page PROT_NONE,
 * incore telling the truth, trims and a split (and the pieces' state),
 * F_SOFTLOCK pins against unmap, as_ctl, as_dup, the dump text, and
 * injected allocation and host failures in create, split and setprot
 * leaving the address space as it was.  The verifier runs after every
 * change.
 */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include <porthole/porthole.h>
#include <porthole/seg_nf.h>
#include "tests/test.h"
#include "vm/inject.h"
#include "vm/seg.h"

#define	NPAGES	16

static size_t pagesize;

static void
test_read_write(struct as *as, char *b)
{
	static unsigned char buf[NPAGES * 4096 * 4];
	unsigned char one = 0x5a;
	char text[160];
	struct test_seg ts;
	size_t len = NPAGES * pagesize;
	int err;

	REQUIRE(len <= sizeof (buf));
	REQUIRE(as_map(as, b, len, segnf_create, NULL) == 0);
	CHECK_VERIFY(as);
	CHECK(test_seg_at(as, b + pagesize, &ts) == len && ts.ts_base == b);
	CHECK(ts.ts_ops != NULL && strcmp(ts.ts_ops, "segnf_ops") == 0);
	seg_dump_at(as, b, text, sizeof (text));
	CHECK(strcmp(text, "zero r-- 16 pages") == 0 ||
	    (fprintf(stderr, "dump: %s\n", text), 0));

	memset(buf, 0xff, len);
	CHECK(as_read(as, b, buf, len, &err) == len && err == 0);
	CHECK(bytes_all_zero(buf, len));
	/* Unaligned read across pages. */
	memset(buf, 0xff, 100);
	CHECK(as_read(as, b + pagesize - 50, buf, 100, &err) == 100 &&
	    err == 0);
	CHECK(bytes_all_zero(buf, 100));

	/* Never writable. */
	CHECK(as_write(as, b + 3, &one, 1, &err) == 0 && err == EACCES);
	CHECK_ERRNO(as_fault(as, b, pagesize, F_INVAL, S_WRITE), EACCES);
	CHECK_ERRNO(as_fault(as, b, pagesize, F_SOFTLOCK, S_WRITE), EACCES);
	CHECK_ERRNO(as_fault(as, b, pagesize, F_INVAL, S_EXEC), EACCES);
	CHECK_ERRNO(as_setprot(as, b, len, PROT_READ | PROT_WRITE), EACCES);
	CHECK_ERRNO(as_setprot(as, b, pagesize, PROT_EXEC), EACCES);
	CHECK_ERRNO(as_checkprot(as, b, len, PROT_WRITE), EACCES);
	CHECK(as_checkprot(as, b, len, PROT_READ) == 0);
	CHECK(as_fault(as, b, len, F_INVAL, S_READ) == 0);
	CHECK_VERIFY(as);
	CHECK(as_read(as, b, buf, len, &err) == len && err == 0 &&
	    bytes_all_zero(buf, len));
}

static void
test_incore(struct as *as, char *b)
{
	unsigned char vec[NPAGES], dummy;
	size_t i;
	bool ok = true;

	/* Fresh pages are not resident; a page read is (the zero page). */
	REQUIRE(as_map(as, b, 4 * pagesize, segnf_create, NULL) == 0);
	CHECK_VERIFY(as);
	memset(vec, 0xee, sizeof (vec));
	CHECK(as_incore(as, b, 4 * pagesize, vec) == 0);
	for (i = 0; i < 4; i++)
		ok = ok && vec[i] == 0;
	CHECK(ok);
	CHECK(as_read(as, b + 2 * pagesize, &dummy, 1, NULL) == 1);
	CHECK(as_incore(as, b, 4 * pagesize, vec) == 0);
	CHECK(vec[0] == 0 && vec[1] == 0 && vec[2] == 1 && vec[3] == 0);
	/* mincore agrees with the driver. */
	{
		unsigned char host[4];

		CHECK(mincore(b, 4 * pagesize, host) == 0);
		for (i = 0; i < 4; i++)
			CHECK((host[i] & 1) == vec[i]);
	}
	CHECK_ERRNO(as_incore(as, b, 5 * pagesize, vec), ENOMEM);
	CHECK(as_unmap(as, b, 4 * pagesize) == 0);
	CHECK_VERIFY(as);
}

static void
test_prot(struct as *as, char *b)
{
	struct segnf_crargs none = { .prot = PROT_NONE, .name = "mmio" };
	struct segnf_crargs rw = { .prot = PROT_READ | PROT_WRITE };
	struct segnf_crargs bad = { .prot = 0x100 };
	struct segnf_crargs ex = { .prot = PROT_READ | PROT_EXEC };
	unsigned char c;
	char text[160];
	int err;

	CHECK_ERRNO(as_map(as, b, pagesize, segnf_create, &rw), EACCES);
	CHECK_ERRNO(as_map(as, b, pagesize, segnf_create, &ex), EACCES);
	CHECK_ERRNO(as_map(as, b, pagesize, segnf_create, &bad), EINVAL);
	CHECK(as_nsegs(as) == 0);
	CHECK_VERIFY(as);

	REQUIRE(as_map(as, b, 2 * pagesize, segnf_create, &none) == 0);
	CHECK_VERIFY(as);
	seg_dump_at(as, b, text, sizeof (text));
	CHECK(strcmp(text, "zero --- 2 pages mmio") == 0 ||
	    (fprintf(stderr, "dump: %s\n", text), 0));
	CHECK(as_read(as, b, &c, 1, &err) == 0 && err == EACCES);
	CHECK_ERRNO(as_fault(as, b, pagesize, F_INVAL, S_READ), EACCES);
	/* S_OTHER on unreadable pages must not touch them. */
	CHECK(as_fault(as, b, pagesize, F_INVAL, S_OTHER) == 0);
	CHECK(as_checkprot(as, b, pagesize, PROT_NONE) == 0);
	CHECK_ERRNO(as_checkprot(as, b, pagesize, PROT_READ), EACCES);
	CHECK(as_setprot(as, b + pagesize, pagesize, PROT_READ) == 0);
	CHECK_VERIFY(as);
	CHECK(as_read(as, b + pagesize, &c, 1, &err) == 1 && err == 0 &&
	    c == 0);
	CHECK(as_read(as, b, &c, 1, &err) == 0 && err == EACCES);
	seg_dump_at(as, b, text, sizeof (text));
	CHECK(strstr(text, "(per-page prot)") != NULL);
	CHECK(as_unmap(as, b, 2 * pagesize) == 0);
	CHECK_VERIFY(as);
}

/* Trims and a split; per-page protections follow the pages. */
static void
test_unmap(struct as *as, char *b)
{
	unsigned char buf[64];
	unsigned protv[NPAGES];
	struct test_seg ts;
	char text[160];
	struct seg *seg;
	size_t i;
	int err;

	REQUIRE(as_map(as, b, NPAGES * pagesize, segnf_create, NULL) == 0);
	CHECK_VERIFY(as);
	/* Page 12 unreadable before the split. */
	CHECK(as_setprot(as, b + 12 * pagesize, pagesize, PROT_NONE) == 0);
	CHECK_VERIFY(as);

	/* Split: pages 6-7 go. */
	CHECK(as_unmap(as, b + 6 * pagesize, 2 * pagesize) == 0);
	CHECK_VERIFY(as);
	CHECK(as_nsegs(as) == 2);
	CHECK(test_seg_at(as, b, &ts) == 6 * pagesize && ts.ts_base == b);
	CHECK(test_seg_at(as, b + 8 * pagesize, &ts) == 8 * pagesize &&
	    ts.ts_base == b + 8 * pagesize);
	CHECK(ts.ts_ops != NULL && strcmp(ts.ts_ops, "segnf_ops") == 0);
	CHECK(test_seg_at(as, b + 6 * pagesize, &ts) == 0);
	CHECK(as_read(as, b + 6 * pagesize, buf, 1, &err) == 0 &&
	    err == EFAULT);
	seg_dump_at(as, b + 8 * pagesize, text, sizeof (text));
	CHECK(strcmp(text, "zero r-- 8 pages (per-page prot)") == 0 ||
	    (fprintf(stderr, "dump: %s\n", text), 0));

	as_enter(as, AS_READER);
	seg = as_segat(as, b + 8 * pagesize);
	REQUIRE(seg != NULL);
	CHECK(segop_getprot(seg, b + 8 * pagesize, 8 * pagesize, protv) == 0);
	for (i = 0; i < 8; i++)
		CHECK(protv[i] == (i == 4 ? PROT_NONE : PROT_READ));
	as_exit(as);
	CHECK(as_read(as, b + 12 * pagesize, buf, 1, &err) == 0 &&
	    err == EACCES);
	CHECK(as_read(as, b + 11 * pagesize, buf, sizeof (buf), &err) ==
	    sizeof (buf) && err == 0 && bytes_all_zero(buf, sizeof (buf)));

	/* Head trim of the upper piece, tail trim of the lower one. */
	CHECK(as_unmap(as, b + 8 * pagesize, pagesize) == 0);
	CHECK_VERIFY(as);
	CHECK(test_seg_at(as, b + 9 * pagesize, &ts) == 7 * pagesize &&
	    ts.ts_base == b + 9 * pagesize);
	as_enter(as, AS_READER);
	seg = as_segat(as, b + 9 * pagesize);
	REQUIRE(seg != NULL);
	CHECK(segop_getprot(seg, b + 9 * pagesize, 7 * pagesize, protv) == 0);
	for (i = 0; i < 7; i++)
		CHECK(protv[i] == (i == 3 ? PROT_NONE : PROT_READ));
	as_exit(as);
	CHECK(as_unmap(as, b + 5 * pagesize, pagesize) == 0);
	CHECK_VERIFY(as);
	CHECK(test_seg_at(as, b, &ts) == 5 * pagesize);
	CHECK(as_read(as, b, buf, sizeof (buf), &err) == sizeof (buf) &&
	    bytes_all_zero(buf, sizeof (buf)));

	/* One call across both pieces and the hole between them. */
	CHECK(as_unmap(as, b + 4 * pagesize, 6 * pagesize) == 0);
	CHECK_VERIFY(as);
	CHECK(as_nsegs(as) == 2);
	CHECK(test_seg_at(as, b, &ts) == 4 * pagesize);
	CHECK(test_seg_at(as, b + 10 * pagesize, &ts) == 6 * pagesize);
	CHECK(as_unmap(as, b, NPAGES * pagesize) == 0);
	CHECK_VERIFY(as);
	CHECK(as_nsegs(as) == 0);
}

static void
test_softlock_ctl_dup(struct as *as, char *b)
{
	unsigned char buf[128];
	char t1[160], t2[160];
	struct as *nas;
	char *nb;
	int err, rv;

	REQUIRE(as_map(as, b, 4 * pagesize, segnf_create, NULL) == 0);
	CHECK_VERIFY(as);
	CHECK(as_fault(as, b + pagesize, pagesize, F_SOFTLOCK, S_READ) == 0);
	CHECK_ERRNO(as_unmap(as, b, 4 * pagesize), EBUSY);
	CHECK_VERIFY(as);
	CHECK(as_nsegs(as) == 1);
	CHECK(as_fault(as, b + pagesize, pagesize, F_SOFTUNLOCK, S_READ) ==
	    0);

	CHECK(as_ctl(as, b, 4 * pagesize, AS_CTL_SYNC, MS_SYNC) == 0);
	CHECK(as_ctl(as, b, 4 * pagesize, AS_CTL_ADVISE, MADV_WILLNEED) == 0);
	CHECK(as_ctl(as, b, 4 * pagesize, AS_CTL_ADVISE, MADV_DONTNEED) == 0);
	rv = as_ctl(as, b, 4 * pagesize, AS_CTL_LOCK, 0);
	CHECK(rv == 0 || errno == EPERM || errno == ENOMEM || errno == EAGAIN);
	CHECK(as_ctl(as, b, 4 * pagesize, AS_CTL_UNLOCK, 0) == 0);
	CHECK_ERRNO(as_ctl(as, b, 5 * pagesize, AS_CTL_SYNC, MS_SYNC), ENOMEM);
	CHECK(as_read(as, b, buf, sizeof (buf), &err) == sizeof (buf) &&
	    bytes_all_zero(buf, sizeof (buf)));

	/* dup: the copy reads zeros, refuses writes, looks the same. */
	CHECK(as_setprot(as, b + 3 * pagesize, pagesize, PROT_NONE) == 0);
	CHECK_VERIFY(as);
	REQUIRE((nas = as_dup(as)) != NULL);
	CHECK_VERIFY(nas);
	nb = (char *)as_window_base(nas) + (b - (char *)as_window_base(as));
	CHECK(as_nsegs(nas) == 1);
	seg_dump_at(as, b, t1, sizeof (t1));
	seg_dump_at(nas, nb, t2, sizeof (t2));
	CHECK(strcmp(t1, t2) == 0);
	CHECK(as_read(nas, nb, buf, sizeof (buf), &err) == sizeof (buf) &&
	    bytes_all_zero(buf, sizeof (buf)));
	CHECK(as_read(nas, nb + 3 * pagesize, buf, 1, &err) == 0 &&
	    err == EACCES);
	CHECK(as_write(nas, nb, buf, 1, &err) == 0 && err == EACCES);
	as_free(nas);
	CHECK(as_unmap(as, b, 4 * pagesize) == 0);
	CHECK_VERIFY(as);
}

/* Every op through the typed dispatch, including the refusals. */
static void
test_segops(struct as *as, char *b)
{
	unsigned char vec[4];
	unsigned protv[4];
	void **pages = NULL;
	struct seg *seg;
	char text[64];

	REQUIRE(as_map(as, b, 4 * pagesize, segnf_create, NULL) == 0);
	CHECK_VERIFY(as);
	as_enter(as, AS_READER);
	seg = as_segat(as, b);
	REQUIRE(seg != NULL);
	CHECK(segop_fault(seg, b, pagesize, F_INVAL, S_READ) == 0);
	CHECK(segop_fault(seg, b, pagesize, F_INVAL, S_WRITE) == FC_PROT);
	CHECK(segop_fault(seg, b, pagesize, F_SOFTLOCK, S_READ) == 0);
	CHECK(segop_fault(seg, b, pagesize, F_SOFTUNLOCK, S_READ) == 0);
	CHECK(segop_faulta(seg, b) == 0);
	CHECK(segop_checkprot(seg, b, 4 * pagesize, PROT_READ) == 0);
	CHECK(segop_checkprot(seg, b, 4 * pagesize, PROT_WRITE) == EACCES);
	CHECK(segop_getprot(seg, b, 4 * pagesize, protv) == 0);
	CHECK(protv[0] == PROT_READ && protv[3] == PROT_READ);
	CHECK(segop_kluster(seg, b, (ssize_t)pagesize) == 0);
	CHECK(segop_kluster(seg, b, (ssize_t)(4 * pagesize)) == -1);
	CHECK(segop_kluster(seg, b, -(ssize_t)pagesize) == -1);
	CHECK(segop_sync(seg, b, 4 * pagesize, MS_ASYNC) == 0);
	CHECK(segop_incore(seg, b, 4 * pagesize, vec) == 0);
	CHECK(vec[0] == 1);
	CHECK(segop_lockop(seg, b, pagesize, 12345) == EINVAL);
	CHECK(segop_getoffset(seg, b + 2 * pagesize) == 0);
	CHECK(segop_gettype(seg, b) == MAP_PRIVATE);
	CHECK(segop_advise(seg, b, pagesize, MADV_NORMAL) == 0);
	CHECK(segop_pagelock(seg, b, pagesize, &pages, L_PAGELOCK, S_READ) ==
	    ENOTSUP);
	CHECK(segop_capable(seg, S_CAPABILITY_PARTIAL_UNMAP) != 0);
	CHECK(segop_capable(seg, S_CAPABILITY_NOMINFLT) != 0);
	segop_dump(seg, text, sizeof (text));
	CHECK(strcmp(text, "zero r-- 4 pages") == 0);
	/* A short buffer truncates, never overruns. */
	segop_dump(seg, text, 5);
	CHECK(strcmp(text, "zero") == 0);
	as_exit(as);

	/* setprot and unmap change the tree: writer. */
	as_enter(as, AS_WRITER);
	seg = as_segat(as, b);
	REQUIRE(seg != NULL);
	CHECK(segop_setprot(seg, b, pagesize, PROT_WRITE) == EACCES);
	CHECK(segop_setprot(seg, b, pagesize, 0x80) == EINVAL);
	CHECK(segop_setprot(seg, b, 4 * pagesize, PROT_READ) == 0);
	CHECK(segop_unmap(seg, b + 3 * pagesize, pagesize) == 0);
	CHECK(seg_size(seg) == 3 * pagesize);
	as_exit(as);
	CHECK_VERIFY(as);
	CHECK(as_unmap(as, b, 3 * pagesize) == 0);
	CHECK_VERIFY(as);
}

/*
 * Fail the Nth allocation and the Nth host call of create, split and
 * partial setprot for N = 1, 2, ... until the call goes through: each
 * failure must leave the address space as it was.
 */
static void
test_inject(struct as *as, char *b)
{
	struct segnf_crargs named = { .prot = PROT_READ, .name = "hole" };
	enum vm_inject_site site;
	unsigned long n;
	unsigned protv[4];
	struct seg *seg;
	int rv;

	for (site = VM_INJECT_ALLOC; site < VM_INJECT_NSITES; site++) {
		rv = test_map_under_injection(as, site, b, 4 * pagesize, segnf_create, &named,
		    NULL, NULL);
		CHECK(rv == 0 && as_nsegs(as) == 1);

		for (n = 1; n < 20; n++) {
			vm_inject_arm(site, n);
			rv = as_setprot(as, b + pagesize, pagesize, PROT_NONE);
			vm_inject_arm(site, 0);
			CHECK_VERIFY(as);
			if (rv == 0)
				break;
			as_enter(as, AS_READER);
			seg = as_segat(as, b);
			CHECK(segop_getprot(seg, b, 4 * pagesize, protv) == 0 &&
			    protv[1] == PROT_READ);
			as_exit(as);
		}
		CHECK(rv == 0);

		for (n = 1; n < 20; n++) {
			vm_inject_arm(site, n);
			rv = as_unmap(as, b + 2 * pagesize, pagesize);
			vm_inject_arm(site, 0);
			CHECK_VERIFY(as);
			if (rv == 0)
				break;
			CHECK(as_nsegs(as) == 1);
			CHECK(as_checkprot(as, b + 2 * pagesize, pagesize,
			    PROT_READ) == 0);
		}
		CHECK(rv == 0 && as_nsegs(as) == 2);
		as_enter(as, AS_READER);
		seg = as_segat(as, b);
		CHECK(seg != NULL && segop_getprot(seg, b, 2 * pagesize,
		    protv) == 0 && protv[0] == PROT_READ &&
		    protv[1] == PROT_NONE);
		as_exit(as);
		CHECK(as_unmap(as, b, 4 * pagesize) == 0);
		CHECK_VERIFY(as);
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

	test_read_write(as, b);
	CHECK(as_unmap(as, b, NPAGES * pagesize) == 0);
	CHECK_VERIFY(as);
	test_incore(as, b);
	test_prot(as, b);
	test_unmap(as, b);
	test_softlock_ctl_dup(as, b);
	test_segops(as, b);
	test_inject(as, b);
	CHECK(as_nsegs(as) == 0);
	as_free(as);
	return (test_done());
}
