/*
 * test.h -- the unit tests' tiny harness.
 *
 * Each test is its own program run by automake's test driver, under a
 * timeout (tests/run-test.sh).  Exit codes follow automake: 0 pass,
 * 77 skip (say why with TEST_SKIP), 99 hard error, anything else fail.
 * CHECK records a failure and goes on; REQUIRE stops the program.
 * Below the harness: small helpers that several tests share.
 */
#ifndef PORTHOLE_TESTS_TEST_H
#define PORTHOLE_TESTS_TEST_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <dirent.h>
#include <signal.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <porthole/as.h>
#include "vm/inject.h"
#include "vm/seg.h"

#define	TEST_EXIT_PASS	0
#define	TEST_EXIT_FAIL	1
#define	TEST_EXIT_SKIP	77
#define	TEST_EXIT_ERROR	99

static int test_failures;
static unsigned long test_checks;

#define	CHECK(cond) do {						\
	test_checks++;							\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: check failed: %s\n",		\
		    __FILE__, __LINE__, #cond);				\
		test_failures++;					\
	}								\
} while (0)

#define	REQUIRE(cond) do {						\
	test_checks++;							\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: requirement failed: %s\n",	\
		    __FILE__, __LINE__, #cond);				\
		exit(TEST_EXIT_FAIL);					\
	}								\
} while (0)

/* CHECK that an expression returning -1/errno failed with errno e. */
#define	CHECK_ERRNO(expr, e) do {					\
	errno = 0;							\
	long check_rv_ = (long)(expr);					\
	int check_errno_ = errno;					\
	test_checks++;							\
	if (check_rv_ != -1 || check_errno_ != (e)) {			\
		fprintf(stderr, "%s:%d: %s: expected -1/%s, got %ld/%s\n",\
		    __FILE__, __LINE__, #expr, strerror(e), check_rv_,	\
		    strerror(check_errno_));				\
		test_failures++;					\
	}								\
} while (0)

/* CHECK that as passes as_verify; on failure report the caller's line. */
#define	CHECK_VERIFY(as)	check_verify_at((as), __FILE__, __LINE__)

#define	TEST_SKIP(...) do {						\
	fprintf(stderr, "SKIP: ");					\
	fprintf(stderr, __VA_ARGS__);					\
	fprintf(stderr, "\n");						\
	exit(TEST_EXIT_SKIP);						\
} while (0)

/* End of main(): report and pick the exit code. */
static inline int
test_done(void)
{
	if (test_checks == 0) {
		fprintf(stderr, "error: the test asserted nothing\n");
		return (TEST_EXIT_ERROR);
	}
	fprintf(stderr, "%lu checks, %d failed\n", test_checks,
	    test_failures);
	return (test_failures == 0 ? TEST_EXIT_PASS : TEST_EXIT_FAIL);
}

/* The body of CHECK_VERIFY. */
static inline void
check_verify_at(struct as *as, const char *file, int line)
{
	char why[256] = "";
	int rv;

	rv = as_verify(as, why, sizeof (why));
	if (rv != 0)
		fprintf(stderr, "%s:%d: as_verify: %s\n", file, line, why);
	CHECK(rv == 0);
}

/*
 * Run fn(arg) in a child process with no core dump and the default
 * SIGSEGV/SIGBUS/SIGABRT actions (so a sanitizer cannot stand in for the
 * signal).  Returns the signal that killed it, 0 when it exited 0, or -1
 * (another exit status, or a harness failure).
 */
static inline int
test_run_child(void (*fn)(void *), void *arg)
{
	struct rlimit nocore = { 0, 0 };
	struct sigaction sa;
	int status;
	pid_t pid;

	(void) fflush(NULL);
	if ((pid = fork()) < 0)
		return (-1);
	if (pid == 0) {
		(void) setrlimit(RLIMIT_CORE, &nocore);
		memset(&sa, 0, sizeof (sa));
		sa.sa_handler = SIG_DFL;
		(void) sigaction(SIGSEGV, &sa, NULL);
		(void) sigaction(SIGBUS, &sa, NULL);
		(void) sigaction(SIGABRT, &sa, NULL);
		fn(arg);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid)
		return (-1);
	if (WIFSIGNALED(status))
		return (WTERMSIG(status));
	return (WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1);
}

/*
 * True when fn(arg) runs to the end in a child: a call the library might
 * crash in is made there, so that a crash fails one check instead of
 * ending the test.  fn exits non-zero to report a wrong answer.
 */
static inline bool
test_survives(void (*fn)(void *), void *arg, const char *what)
{
	int rv = test_run_child(fn, arg);

	if (rv > 0)
		fprintf(stderr, "%s: killed by signal %d\n", what, rv);
	else if (rv < 0)
		fprintf(stderr, "%s: the child failed\n", what);
	return (rv == 0);
}

/*
 * Reap pid (a child, or an orphan adopted as subreaper) within ms
 * milliseconds, polling.  Its wait status, or -1 when it did not end in
 * time or is not ours to wait for.
 */
static inline int
test_reap_within(pid_t pid, int ms)
{
	struct timespec t0, t;
	int status;
	pid_t r;

	(void) clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			return (status);
		(void) clock_gettime(CLOCK_MONOTONIC, &t);
		if (r < 0 || (t.tv_sec - t0.tv_sec) * 1000 +
		    (t.tv_nsec - t0.tv_nsec) / 1000000 > ms)
			return (-1);
		(void) usleep(1000);
	}
}

/* What a test wants to know of the segment at an address. */
struct test_seg {
	char		*ts_base;
	size_t		ts_size;	/* 0: no segment there */
	const char	*ts_ops;
	uint64_t	ts_offset;	/* getoffset of the base */
};

/* Fill *ts for the segment at addr; returns its size (0 when none). */
static inline size_t
test_seg_at(struct as *as, void *addr, struct test_seg *ts);

/*
 * as_map under fault injection: fail the nth call at site for n = 1, 2,
 * ... until the map succeeds.  After each failure the verifier must hold,
 * errno must be ENOMEM (allocation) or EAGAIN (host call), and the
 * segment count unchanged; after_failure (may be NULL) adds the caller's
 * own checks.  Returns as_map's last result (0 when it got mapped).
 */
static inline int
test_map_under_injection(struct as *as, enum vm_inject_site site, void *addr,
    size_t len, seg_create_fn create, void *args,
    void (*after_failure)(void *), void *cbarg)
{
	size_t nsegs = as_nsegs(as);
	unsigned long n;
	int rv = -1;

	for (n = 1; n < 20; n++) {
		vm_inject_arm(site, n);
		rv = as_map(as, addr, len, create, args);
		vm_inject_arm(site, 0);
		CHECK_VERIFY(as);
		if (rv == 0)
			break;
		CHECK(errno == ENOMEM || errno == EAGAIN);
		CHECK(as_nsegs(as) == nsegs);
		if (after_failure != NULL)
			after_failure(cbarg);
	}
	return (rv);
}

/* The dump of the segment at addr, or "(none)". */
static inline void
seg_dump_at(struct as *as, void *addr, char *buf, size_t len)
{
	struct seg *seg;

	as_enter(as, AS_READER);
	if ((seg = as_segat(as, addr)) != NULL)
		seg_describe(seg, buf, len);
	else
		(void) snprintf(buf, len, "(none)");
	as_exit(as);
}

static inline size_t
test_seg_at(struct as *as, void *addr, struct test_seg *ts)
{
	struct seg *seg;

	memset(ts, 0, sizeof (*ts));
	as_enter(as, AS_READER);
	if ((seg = as_segat(as, addr)) != NULL) {
		ts->ts_base = seg_base(seg);
		ts->ts_size = seg_size(seg);
		ts->ts_ops = seg_opsname(seg);
		ts->ts_offset = segop_getoffset(seg, seg_base(seg));
	}
	as_exit(as);
	return (ts->ts_size);
}

/* Open file descriptors, or -1 when the host cannot say (for leaks). */
static inline int
test_count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int n = 0;

	if (d == NULL)
		return (-1);
	while ((de = readdir(d)) != NULL)
		n += de->d_name[0] != '.';
	(void) closedir(d);
	return (n - 1);		/* the directory's own descriptor */
}

/* True when the len bytes at p are all zero. */
static inline bool
bytes_all_zero(const unsigned char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (p[i] != 0)
			return (false);
	}
	return (true);
}

/* An unlinked temporary file of len bytes in $TMPDIR or /tmp. */
static inline int
tmpfile_fd(size_t len)
{
	const char *dir = getenv("TMPDIR");
	char path[512];
	int fd;

	if (dir == NULL || *dir == '\0')
		dir = "/tmp";
	REQUIRE(snprintf(path, sizeof (path), "%s/porthole_test.XXXXXX",
	    dir) < (int)sizeof (path));
	REQUIRE((fd = mkstemp(path)) >= 0);
	(void) unlink(path);
	REQUIRE(ftruncate(fd, (off_t)len) == 0);
	return (fd);
}

/*
 * Whether an error sentence says what (a substring); says on stderr what
 * the sentence was when it does not.  For CHECK(test_says(msg, "...")).
 */
static inline bool
test_says(const char *msg, const char *what)
{
	if (strstr(msg, what) != NULL)
		return true;
	fprintf(stderr, "message \"%s\" does not say \"%s\"\n", msg, what);
	return false;
}

#endif /* PORTHOLE_TESTS_TEST_H */
