/*
 * seg_spt_test.c -- System V shared memory, every op through the as_* API
 * and the typed segop_* dispatch: create errors (EEXIST, ENOENT, size
 * mismatch, prot), a second process attaching the same key into a fresh
 * address space and seeing the parent's bytes (and the parent seeing the
 * child's), a read-only attach refusing writes, whole-only unmap (ENOTSUP
 * for part), per-page protections, incore, F_SOFTLOCK pins, as_ctl,
 * as_dup sharing the segment, removal when the last attach goes (and only
 * when asked), as_free detaching, the dump text, and injected failures in
 * create and unmap.  The verifier runs after every change.  Keys derive
 * from the pid, and every key is removed at exit whatever happened.
 */
#include "config.h"

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/wait.h>
#include <unistd.h>

#include <porthole/porthole.h>
#include <porthole/seg_spt.h>
#include "tests/test.h"
#include "vm/inject.h"
#include "vm/seg.h"

#define	NKEYS	8

static size_t pagesize;
static pid_t test_pid;

static key_t
test_key(int i)
{
	return ((key_t)(0x5f000000 | ((unsigned)(test_pid & 0xfffff) << 4) |
	    (unsigned)i));
}

/* Remove every key this test may have created. */
static void
cleanup(void)
{
	int i, id;

	if (getpid() != test_pid)
		return;
	for (i = 0; i < NKEYS; i++) {
		if ((id = shmget(test_key(i), 0, 0)) >= 0)
			(void) shmctl(id, IPC_RMID, NULL);
	}
}

static bool
key_exists(key_t key)
{
	return (shmget(key, 0, 0) >= 0);
}

static int
nattch(key_t key)
{
	struct shmid_ds ds;
	int id = shmget(key, 0, 0);

	if (id < 0 || shmctl(id, IPC_STAT, &ds) != 0)
		return (-1);
	return ((int)ds.shm_nattch);
}

static void
test_errors(struct as *as, char *b)
{
	struct segspt_crargs a = { .key = test_key(0), .create = true,
	    .prot = PROT_READ | PROT_WRITE };
	struct segspt_crargs c;

	CHECK_ERRNO(as_map(as, b, pagesize, segspt_create, NULL), EINVAL);
	c = a;
	c.prot = PROT_READ | PROT_EXEC;
	CHECK_ERRNO(as_map(as, b, pagesize, segspt_create, &c), EACCES);
	c.prot = 0x100;
	CHECK_ERRNO(as_map(as, b, pagesize, segspt_create, &c), EINVAL);
	c = a;
	c.key = IPC_PRIVATE;
	c.create = false;
	CHECK_ERRNO(as_map(as, b, pagesize, segspt_create, &c), EINVAL);
	c = a;
	c.create = false;
	CHECK_ERRNO(as_map(as, b, pagesize, segspt_create, &c), ENOENT);
	CHECK(as_nsegs(as) == 0);
	CHECK_VERIFY(as);

	REQUIRE(as_map(as, b, 2 * pagesize, segspt_create, &a) == 0);
	CHECK_VERIFY(as);
	/* The key is taken now. */
	CHECK_ERRNO(as_map(as, b + 4 * pagesize, 2 * pagesize, segspt_create,
	    &a), EEXIST);
	/* An attach must match the size. */
	c = a;
	c.create = false;
	CHECK_ERRNO(as_map(as, b + 4 * pagesize, pagesize, segspt_create,
	    &c), EINVAL);
	CHECK_ERRNO(as_map(as, b + 4 * pagesize, 4 * pagesize, segspt_create,
	    &c), EINVAL);
	CHECK(as_nsegs(as) == 1);
	CHECK_VERIFY(as);
	/* Not asked to remove: the key outlives the unmap. */
	CHECK(as_unmap(as, b, 2 * pagesize) == 0);
	CHECK_VERIFY(as);
	CHECK(key_exists(test_key(0)));
	CHECK(nattch(test_key(0)) == 0);
	cleanup();
	CHECK(!key_exists(test_key(0)));
}

/* The child: attach the key in a fresh address space, check, write back. */
static int
child_main(key_t key, const unsigned char *expect, size_t n)
{
	struct segspt_crargs a = { .key = key, .create = false,
	    .remove_on_last_detach = true, .prot = PROT_READ | PROT_WRITE };
	unsigned char buf[64];
	struct as *cas;
	char *cb, why[256];
	int err;

	if ((cas = as_alloc(8 << 20)) == NULL)
		return (2);
	cb = (char *)as_window_base(cas) + 3 * pagesize;
	if (as_map(cas, cb, 4 * pagesize, segspt_create, &a) != 0)
		return (3);
	if (as_verify(cas, why, sizeof (why)) != 0)
		return (4);
	if (as_read(cas, cb, buf, n, &err) != n || err != 0 ||
	    memcmp(buf, expect, n) != 0)
		return (5);
	if (as_write(cas, cb + pagesize + 7, "from the child", 15, &err) !=
	    15 || err != 0)
		return (6);
	if (as_unmap(cas, cb, 4 * pagesize) != 0)
		return (7);
	if (as_verify(cas, why, sizeof (why)) != 0)
		return (8);
	as_free(cas);
	return (0);
}

static void
test_two_processes(struct as *as, char *b)
{
	struct segspt_crargs a = { .key = test_key(1), .create = true,
	    .remove_on_last_detach = true, .prot = PROT_READ | PROT_WRITE };
	struct segspt_crargs ro = { .key = test_key(1), .create = false,
	    .prot = PROT_READ };
	unsigned char msg[] = "written by the parent";
	char buf[32], text[160], expect[160];
	char *r = b + 8 * pagesize;
	pid_t pid;
	int err, status;

	REQUIRE(as_map(as, b, 4 * pagesize, segspt_create, &a) == 0);
	CHECK_VERIFY(as);
	(void) snprintf(expect, sizeof (expect),
	    "shm key=%#lx id=%d rw- 4 pages (remove on last detach)",
	    (unsigned long)(unsigned)test_key(1), shmget(test_key(1), 0, 0));
	seg_dump_at(as, b, text, sizeof (text));
	CHECK(strcmp(text, expect) == 0 ||
	    (fprintf(stderr, "dump: %s\nwant: %s\n", text, expect), 0));
	CHECK(as_write(as, b + 5, msg, sizeof (msg), &err) == sizeof (msg) &&
	    err == 0);
	CHECK(nattch(test_key(1)) == 1);

	fflush(NULL);
	REQUIRE((pid = fork()) >= 0);
	if (pid == 0) {
		unsigned char want[sizeof (msg) + 5] = { 0 };

		memcpy(want + 5, msg, sizeof (msg));
		_exit(child_main(test_key(1), want, sizeof (want)));
	}
	REQUIRE(waitpid(pid, &status, 0) == pid);
	CHECK((WIFEXITED(status) && WEXITSTATUS(status) == 0) ||
	    (fprintf(stderr, "child status %#x\n", status), 0));
	/* The child's detach did not remove it: this process has it. */
	CHECK(key_exists(test_key(1)));
	CHECK(nattch(test_key(1)) == 1);
	memset(buf, 0, sizeof (buf));
	CHECK(as_read(as, b + pagesize + 7, buf, 15, &err) == 15 && err == 0);
	CHECK(strcmp(buf, "from the child") == 0);

	/* A read-only attach of the same key in this address space. */
	REQUIRE(as_map(as, r, 4 * pagesize, segspt_create, &ro) == 0);
	CHECK_VERIFY(as);
	CHECK(nattch(test_key(1)) == 2);
	CHECK(memcmp(r + 5, msg, sizeof (msg)) == 0);
	CHECK(as_write(as, r, msg, 1, &err) == 0 && err == EACCES);
	CHECK_ERRNO(as_setprot(as, r, pagesize, PROT_READ | PROT_WRITE),
	    EACCES);
	CHECK_ERRNO(as_checkprot(as, r, pagesize, PROT_WRITE), EACCES);
	CHECK_ERRNO(as_fault(as, r, pagesize, F_INVAL, S_WRITE), EACCES);
	seg_dump_at(as, r, text, sizeof (text));
	CHECK(strstr(text, " r-- 4 pages") != NULL &&
	    strstr(text, "remove") == NULL);
	/* Writes through one view show in the other. */
	CHECK(as_write(as, b + 3 * pagesize, "x", 1, &err) == 1);
	CHECK(r[3 * pagesize] == 'x');

	/* as_dup attaches the same segment once more. */
	{
		struct as *nas;
		char *nb;

		REQUIRE((nas = as_dup(as)) != NULL);
		CHECK_VERIFY(nas);
		CHECK(nattch(test_key(1)) == 4);
		nb = (char *)as_window_base(nas) +
		    (b - (char *)as_window_base(as));
		CHECK(as_write(nas, nb + 2 * pagesize, "dup", 3, &err) == 3);
		CHECK(memcmp(b + 2 * pagesize, "dup", 3) == 0);
		CHECK(as_write(nas, nb + 8 * pagesize, "z", 1, &err) == 0 &&
		    err == EACCES);
		as_free(nas);
		CHECK(nattch(test_key(1)) == 2);
		CHECK(key_exists(test_key(1)));
	}

	/* Only whole. */
	CHECK_ERRNO(as_unmap(as, b, pagesize), ENOTSUP);
	CHECK_ERRNO(as_unmap(as, b + pagesize, 2 * pagesize), ENOTSUP);
	CHECK_ERRNO(as_unmap(as, b, 9 * pagesize), ENOTSUP);
	CHECK_VERIFY(as);
	CHECK(as_nsegs(as) == 2 && nattch(test_key(1)) == 2);

	/* The read-only attach (no removal asked) goes: still there. */
	CHECK(as_unmap(as, r, 4 * pagesize) == 0);
	CHECK_VERIFY(as);
	CHECK(nattch(test_key(1)) == 1);
	/* Pinned: refuses; then the last attach goes and takes the key. */
	CHECK(as_fault(as, b, pagesize, F_SOFTLOCK, S_READ) == 0);
	CHECK_ERRNO(as_unmap(as, b, 4 * pagesize), EBUSY);
	CHECK(as_fault(as, b, pagesize, F_SOFTUNLOCK, S_READ) == 0);
	CHECK_VERIFY(as);
	CHECK(as_unmap(as, b, 4 * pagesize) == 0);
	CHECK_VERIFY(as);
	CHECK(as_nsegs(as) == 0);
	errno = 0;
	CHECK(shmget(test_key(1), 0, 0) == -1 && errno == ENOENT);
}

static void
test_ops(struct as *as, char *b)
{
	struct segspt_crargs a = { .key = test_key(2), .create = true,
	    .remove_on_last_detach = true, .prot = PROT_READ | PROT_WRITE,
	    .mode = 0640 };
	unsigned char vec[4];
	unsigned protv[4];
	void **pages = NULL;
	struct shmid_ds ds;
	struct seg *seg;
	char text[160];
	int err, id;

	REQUIRE(as_map(as, b, 4 * pagesize, segspt_create, &a) == 0);
	CHECK_VERIFY(as);
	REQUIRE((id = shmget(test_key(2), 0, 0)) >= 0);
	CHECK(shmctl(id, IPC_STAT, &ds) == 0 &&
	    (ds.shm_perm.mode & 0777) == 0640 &&
	    ds.shm_segsz == 4 * pagesize);

	/* incore tells the truth: only touched pages are resident. */
	CHECK(as_incore(as, b, 4 * pagesize, vec) == 0);
	CHECK(vec[0] == 0 && vec[1] == 0 && vec[2] == 0 && vec[3] == 0);
	CHECK(as_write(as, b + 2 * pagesize, "a", 1, &err) == 1);
	CHECK(as_incore(as, b, 4 * pagesize, vec) == 0);
	CHECK(vec[0] == 0 && vec[2] == 1 && vec[3] == 0);
	CHECK(as_fault(as, b, pagesize, F_INVAL, S_WRITE) == 0);
	CHECK(as_incore(as, b, 4 * pagesize, vec) == 0 && vec[0] == 1);

	/* Per-page protections. */
	CHECK(as_setprot(as, b + pagesize, pagesize, PROT_READ) == 0);
	CHECK_VERIFY(as);
	CHECK(as_write(as, b + pagesize, "a", 1, &err) == 0 && err == EACCES);
	CHECK(as_write(as, b + pagesize - 2, "abc", 3, &err) == 2 &&
	    err == EACCES);
	seg_dump_at(as, b, text, sizeof (text));
	CHECK(strstr(text, " rw- 4 pages (remove on last detach) "
	    "(per-page prot)") != NULL ||
	    (fprintf(stderr, "dump: %s\n", text), 0));
	CHECK(as_setprot(as, b + 3 * pagesize, pagesize, PROT_NONE) == 0);
	CHECK_VERIFY(as);
	CHECK(as_fault(as, b + 3 * pagesize, pagesize, F_INVAL, S_OTHER) ==
	    0);
	CHECK_ERRNO(as_fault(as, b + 3 * pagesize, pagesize, F_INVAL,
	    S_READ), EACCES);
	CHECK_ERRNO(as_setprot(as, b, pagesize, PROT_EXEC), EACCES);

	CHECK(as_ctl(as, b, 4 * pagesize, AS_CTL_SYNC, MS_SYNC) == 0);
	CHECK(as_ctl(as, b, 4 * pagesize, AS_CTL_ADVISE, MADV_WILLNEED) == 0);
	if (as_ctl(as, b, 4 * pagesize, AS_CTL_LOCK, 0) == 0)
		CHECK(as_ctl(as, b, 4 * pagesize, AS_CTL_UNLOCK, 0) == 0);
	else
		CHECK(errno == EPERM || errno == ENOMEM || errno == EAGAIN);

	as_enter(as, AS_READER);
	seg = as_segat(as, b + pagesize);
	REQUIRE(seg != NULL);
	CHECK(strcmp(seg_opsname(seg), "segspt_ops") == 0);
	CHECK(segop_fault(seg, b, pagesize, F_INVAL, S_READ) == 0);
	CHECK(segop_fault(seg, b + pagesize, pagesize, F_INVAL, S_WRITE) ==
	    FC_PROT);
	CHECK(segop_fault(seg, b, pagesize, F_INVAL, S_EXEC) == FC_PROT);
	CHECK(segop_fault(seg, b, 2 * pagesize, F_SOFTLOCK, S_READ) == 0);
	CHECK(segop_fault(seg, b, 2 * pagesize, F_SOFTUNLOCK, S_READ) == 0);
	CHECK(segop_faulta(seg, b) == 0);
	CHECK(segop_checkprot(seg, b, 3 * pagesize, PROT_READ) == 0);
	CHECK(segop_checkprot(seg, b, 2 * pagesize, PROT_WRITE) == EACCES);
	CHECK(segop_getprot(seg, b, 4 * pagesize, protv) == 0);
	CHECK(protv[0] == (PROT_READ | PROT_WRITE) &&
	    protv[1] == PROT_READ && protv[2] == (PROT_READ | PROT_WRITE) &&
	    protv[3] == PROT_NONE);
	CHECK(segop_kluster(seg, b, (ssize_t)pagesize) == -1);
	CHECK(segop_kluster(seg, b, (ssize_t)(2 * pagesize)) == 0);
	CHECK(segop_kluster(seg, b, (ssize_t)(4 * pagesize)) == -1);
	CHECK(segop_sync(seg, b, pagesize, MS_ASYNC) == 0);
	CHECK(segop_incore(seg, b, pagesize, vec) == 0 && vec[0] == 1);
	CHECK(segop_lockop(seg, b, pagesize, 99) == EINVAL);
	CHECK(segop_getoffset(seg, b + 2 * pagesize + 9) == 2 * pagesize + 9);
	CHECK(segop_gettype(seg, b) == MAP_SHARED);
	CHECK(segop_advise(seg, b, pagesize, MADV_NORMAL) == 0);
	CHECK(segop_pagelock(seg, b, pagesize, &pages, L_PAGELOCK, S_READ) ==
	    ENOTSUP);
	CHECK(segop_capable(seg, S_CAPABILITY_PARTIAL_UNMAP) == 0);
	CHECK(segop_capable(seg, S_CAPABILITY_NOMINFLT) == 0);
	as_exit(as);

	as_enter(as, AS_WRITER);
	seg = as_segat(as, b);
	REQUIRE(seg != NULL);
	CHECK(segop_unmap(seg, b, pagesize) == ENOTSUP);
	CHECK(segop_setprot(seg, b, 4 * pagesize, PROT_READ) == 0);
	CHECK(segop_setprot(seg, b, pagesize, 0x80) == EINVAL);
	segop_dump(seg, text, sizeof (text));
	CHECK(strstr(text, " r-- 4 pages (remove on last detach)") != NULL &&
	    strstr(text, "per-page") == NULL);
	as_exit(as);
	CHECK_VERIFY(as);

	/* as_free detaches, and removes the key that asked for it. */
	{
		struct segspt_crargs k = a;
		struct as *tas;

		k.key = test_key(3);
		REQUIRE((tas = as_alloc(1 << 20)) != NULL);
		REQUIRE(as_map(tas, as_window_base(tas), pagesize,
		    segspt_create, &k) == 0);
		CHECK(nattch(test_key(3)) == 1);
		as_free(tas);
		CHECK(!key_exists(test_key(3)));
	}
	CHECK(as_unmap(as, b, 4 * pagesize) == 0);
	CHECK_VERIFY(as);
	CHECK(!key_exists(test_key(2)));
}

/* What a failed create made, it removed. */
static void
check_key_removed(void *arg)
{
	(void) arg;
	CHECK(!key_exists(test_key(4)));
}

static void
test_inject(struct as *as, char *b)
{
	struct segspt_crargs a = { .key = test_key(4), .create = true,
	    .remove_on_last_detach = true, .prot = PROT_READ };
	enum vm_inject_site site;
	unsigned long n;
	int rv = -1;

	for (site = VM_INJECT_ALLOC; site < VM_INJECT_NSITES; site++) {
		rv = test_map_under_injection(as, site, b, 2 * pagesize, segspt_create, &a,
		    check_key_removed, NULL);
		CHECK(rv == 0 && nattch(test_key(4)) == 1);
		for (n = 1; n < 20; n++) {
			vm_inject_arm(site, n);
			rv = as_unmap(as, b, 2 * pagesize);
			vm_inject_arm(site, 0);
			CHECK_VERIFY(as);
			if (rv == 0)
				break;
			CHECK(as_nsegs(as) == 1 && nattch(test_key(4)) == 1);
			CHECK(as_checkprot(as, b, 2 * pagesize, PROT_READ) ==
			    0);
		}
		CHECK(rv == 0 && as_nsegs(as) == 0);
		CHECK(!key_exists(test_key(4)));
	}
}

int
main(void)
{
	struct as *as;
	char *b;
	int id;

	pagesize = (size_t)sysconf(_SC_PAGESIZE);
	test_pid = getpid();
	if ((id = shmget(IPC_PRIVATE, pagesize, IPC_CREAT | 0600)) < 0) {
		if (errno == ENOSYS || errno == EPERM || errno == EACCES)
			TEST_SKIP("no System V shared memory here: shmget: %s",
			    strerror(errno));
		fprintf(stderr, "shmget: %s\n", strerror(errno));
		return (TEST_EXIT_ERROR);
	}
	(void) shmctl(id, IPC_RMID, NULL);
	cleanup();	/* leftovers of an earlier run with the same pid */
	REQUIRE(atexit(cleanup) == 0);

	REQUIRE((as = as_alloc(16 << 20)) != NULL);
	b = (char *)as_window_base(as) + 4 * pagesize;
	test_errors(as, b);
	test_two_processes(as, b);
	test_ops(as, b);
	test_inject(as, b);
	CHECK(as_nsegs(as) == 0);
	as_free(as);
	return (test_done());
}
