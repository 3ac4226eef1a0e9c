/*
 * test.h -- the unit tests' tiny harness.
 *
 * Each test is its own program run by automake's test driver, under a
 * timeout (tests/run-test.sh).  Exit codes follow automake: 0 pass,
 * 77 skip (say why with TEST_SKIP), 99 hard error, anything else fail.
 * CHECK records a failure and goes on; REQUIRE stops the program.
 */
#ifndef PORTHOLE_TESTS_TEST_H
#define PORTHOLE_TESTS_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>

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

#endif /* PORTHOLE_TESTS_TEST_H */
