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
#include <unistd.h>

#include <porthole/as.h>

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

#endif /* PORTHOLE_TESTS_TEST_H */
