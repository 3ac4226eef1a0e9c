/*
 * xen_pause_test - the pause guard's machinery (xen/xen_pause.c) without
 * Xen: the guardian runs fake operations that count pauses in shared
 * memory, so the test sees exactly what the guardian did.
 *
 * Covers: take and release; nested guards; the taker killed by SIGKILL
 * (guardian path) and by SIGTERM, SIGINT to its process group and SIGSEGV
 * (quick path: the guest runs again before the taker's death is seen);
 * the application's own handler left alone; handlers restored by the last
 * release; a forked copy of the taker never releasing the taker's pause;
 * a grandchild holding the taker's socket; the guardian killed; failures
 * of open, pause and unpause carried back; a guardian that never answers;
 * threads taking and releasing at once; bad arguments.  A pause is never
 * given back twice (the fake refuses an unpause below zero and counts it).
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "tests/test.h"
#include "xen/xen_pause.h"

extern int xen__pause_start_timeout_ms;

/* The fake domain, shared by the test, its children and the guardians. */
struct fake_dom {
	atomic_int	fd_paused;		/* current pause count */
	atomic_int	fd_pause_calls;
	atomic_int	fd_unpause_calls;
	atomic_int	fd_underflows;		/* unpause below zero */
	atomic_int	fd_fail_open;		/* errno to fail with */
	atomic_int	fd_fail_pause;
	atomic_int	fd_fail_unpause;
	atomic_int	fd_hang_open;		/* sleep in open */
	atomic_int	fd_unpause_delay_ms;	/* a slow hypervisor */
	atomic_int	fd_unpause_flaky;	/* fail this many times */
};

static struct fake_dom *fake;

/* Orphaned guardians come to us (Linux), so the test can reap them. */
static bool subreaper;

static void *
fake_open(void *arg, struct xen_err *err)
{
	struct fake_dom *fd = arg;
	int e = atomic_load(&fd->fd_fail_open);

	while (atomic_load(&fd->fd_hang_open))
		(void)usleep(10000);
	if (e != 0) {
		xen_err_set(err, e, "fake open refused");
		return NULL;
	}
	return fd;
}

static int
fake_pause(void *ctx, struct xen_err *err)
{
	struct fake_dom *fd = ctx;
	int e = atomic_load(&fd->fd_fail_pause);

	if (e != 0)
		return xen_err_set(err, e, "fake pause refused");
	atomic_fetch_add(&fd->fd_pause_calls, 1);
	atomic_fetch_add(&fd->fd_paused, 1);
	return 0;
}

static int
fake_unpause(void *ctx, struct xen_err *err)
{
	struct fake_dom *fd = ctx;
	int e = atomic_load(&fd->fd_fail_unpause);

	if (e != 0)
		return xen_err_set(err, e, "fake unpause refused");
	if (atomic_load(&fd->fd_unpause_flaky) > 0) {
		atomic_fetch_sub(&fd->fd_unpause_flaky, 1);
		return xen_err_set(err, EAGAIN, "fake unpause: try again");
	}
	if (atomic_load(&fd->fd_unpause_delay_ms) > 0)
		(void)usleep((useconds_t)atomic_load(&fd->fd_unpause_delay_ms) *
		    1000);
	atomic_fetch_add(&fd->fd_unpause_calls, 1);
	if (atomic_fetch_sub(&fd->fd_paused, 1) <= 0) {
		atomic_fetch_add(&fd->fd_paused, 1);
		atomic_fetch_add(&fd->fd_underflows, 1);
		return xen_err_set(err, EINVAL, "fake: not paused");
	}
	return 0;
}

static void
fake_close(void *ctx)
{
	(void)ctx;
}

static const struct xen_pause_ops fake_ops = {
	.po_open = fake_open,
	.po_pause = fake_pause,
	.po_unpause = fake_unpause,
	.po_close = fake_close,
};

static void
fake_reset(void)
{
	memset(fake, 0, sizeof(*fake));
}

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Wait up to ms for the fake's pause count to reach want. */
static bool
wait_paused(int want, int ms, double *tookp)
{
	double t0 = now_ms();

	while (atomic_load(&fake->fd_paused) != want) {
		if (now_ms() - t0 > ms)
			return false;
		(void)usleep(1000);
	}
	if (tookp != NULL)
		*tookp = now_ms() - t0;
	return true;
}

static bool
handler_is_default(int sig)
{
	struct sigaction sa;

	return sigaction(sig, NULL, &sa) == 0 && !(sa.sa_flags & SA_SIGINFO) &&
	    sa.sa_handler == SIG_DFL;
}

static void
test_take_release(void)
{
	struct xen_pause *g;
	struct xen_err err;
	int fds = test_count_fds();
	pid_t gpid;

	fake_reset();
	g = xen_pause_take_ops(&fake_ops, fake, 7, 0, &err);
	REQUIRE(g != NULL);
	CHECK(atomic_load(&fake->fd_paused) == 1);
	CHECK(xen_pause_domid(g) == 7);
	gpid = xen_pause_guardian(g);
	CHECK(gpid > 0 && gpid != getpid());
	CHECK(kill(gpid, 0) == 0);
	CHECK(!handler_is_default(SIGTERM));
	CHECK(xen_pause_release(g, &err) == 0);
	CHECK(err.xe_errno == 0);
	CHECK(atomic_load(&fake->fd_paused) == 0);
	CHECK(atomic_load(&fake->fd_pause_calls) == 1);
	CHECK(atomic_load(&fake->fd_unpause_calls) == 1);
	/* Reaped by the release, descriptors closed, handlers restored. */
	CHECK(waitpid(gpid, NULL, WNOHANG) < 0 && errno == ECHILD);
	CHECK(test_count_fds() == fds);
	CHECK(handler_is_default(SIGTERM));
	CHECK(handler_is_default(SIGINT));
}

static void
test_nested(void)
{
	struct xen_pause *a, *b;
	struct xen_err err;

	fake_reset();
	a = xen_pause_take_ops(&fake_ops, fake, 1, 0, &err);
	b = xen_pause_take_ops(&fake_ops, fake, 1, XEN_PAUSE_NO_SIGNALS, &err);
	REQUIRE(a != NULL && b != NULL);
	CHECK(xen_pause_guardian(a) != xen_pause_guardian(b));
	CHECK(atomic_load(&fake->fd_paused) == 2);
	CHECK(xen_pause_release(a, &err) == 0);
	CHECK(atomic_load(&fake->fd_paused) == 1);
	/* b took no handlers: a's release restored the defaults. */
	CHECK(handler_is_default(SIGTERM));
	CHECK(xen_pause_release(b, &err) == 0);
	CHECK(atomic_load(&fake->fd_paused) == 0);
	CHECK(atomic_load(&fake->fd_underflows) == 0);
}

static void
test_no_signals_flag(void)
{
	struct xen_pause *g;
	struct xen_err err;

	fake_reset();
	g = xen_pause_take_ops(&fake_ops, fake, 1, XEN_PAUSE_NO_SIGNALS, &err);
	REQUIRE(g != NULL);
	CHECK(handler_is_default(SIGTERM));
	CHECK(handler_is_default(SIGINT));
	CHECK(xen_pause_release(g, &err) == 0);
	CHECK(atomic_load(&fake->fd_paused) == 0);
}

/*
 * A taker in a child: takes a guard (flags), reports the guardian's pid
 * on the pipe, then runs what (0: wait to be killed, 1: crash, 2: fork a
 * grandchild that keeps the socket and wait).
 */
struct taker {
	pid_t	tk_pid;
	pid_t	tk_guardian;
	pid_t	tk_grandchild;
};

enum taker_does { TAKER_WAIT, TAKER_CRASH, TAKER_FORK_WAIT, TAKER_OWN_TERM,
	TAKER_PGRP_WAIT };

static void
taker_on_term(int sig)
{
	(void)sig;
	_exit(7);
}

static bool
taker_start(enum taker_does does, struct taker *tk)
{
	struct rlimit nocore = { 0, 0 };
	struct sigaction sa;
	struct xen_pause *g;
	struct xen_err err;
	pid_t msg[2];
	int p[2];

	memset(tk, 0, sizeof(*tk));
	REQUIRE(pipe(p) == 0);
	fflush(NULL);
	tk->tk_pid = fork();
	REQUIRE(tk->tk_pid >= 0);
	if (tk->tk_pid == 0) {
		(void)close(p[0]);
		(void)setrlimit(RLIMIT_CORE, &nocore);
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = SIG_DFL;
		(void)sigaction(SIGSEGV, &sa, NULL);
		(void)sigaction(SIGTERM, &sa, NULL);
		(void)sigaction(SIGINT, &sa, NULL);
		if (does == TAKER_OWN_TERM) {
			sa.sa_handler = taker_on_term;
			(void)sigaction(SIGTERM, &sa, NULL);
		}
		if (does == TAKER_PGRP_WAIT)
			(void)setpgid(0, 0);
		g = xen_pause_take_ops(&fake_ops, fake, 3, 0, &err);
		if (g == NULL)
			_exit(90);
		if (does == TAKER_OWN_TERM) {
			/* The application's handler must still be there. */
			(void)sigaction(SIGTERM, NULL, &sa);
			if (sa.sa_handler != taker_on_term)
				_exit(91);
		}
		msg[0] = xen_pause_guardian(g);
		msg[1] = 0;
		if (does == TAKER_FORK_WAIT) {
			msg[1] = fork();
			if (msg[1] == 0) {
				/* Holds the taker's socket, outlives it. */
				for (;;)
					(void)pause();
			}
		}
		if (write(p[1], msg, sizeof(msg)) != (ssize_t)sizeof(msg))
			_exit(92);
		if (does == TAKER_CRASH) {
			/* A real fault (a NULL store would trip UBSan first). */
			volatile int *nowhere = mmap(NULL, 4096, PROT_NONE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

			if (nowhere != MAP_FAILED)
				*nowhere = 1;
			_exit(93);
		}
		for (;;)
			(void)pause();
	}
	(void)close(p[1]);
	if (read(p[0], msg, sizeof(msg)) != (ssize_t)sizeof(msg)) {
		(void)close(p[0]);
		return false;
	}
	(void)close(p[0]);
	tk->tk_guardian = msg[0];
	tk->tk_grandchild = msg[1];
	return true;
}

/* The taker dies by SIGKILL: only the guardian can give the pause back. */
static void
test_taker_sigkill(void)
{
	struct taker tk;
	double took = 0;
	int status;

	fake_reset();
	REQUIRE(taker_start(TAKER_WAIT, &tk));
	CHECK(atomic_load(&fake->fd_paused) == 1);
	CHECK(kill(tk.tk_pid, SIGKILL) == 0);
	CHECK(waitpid(tk.tk_pid, &status, 0) == tk.tk_pid);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	CHECK(wait_paused(0, 5000, &took));
	fprintf(stderr, "taker SIGKILLed: guardian unpaused after %.1f ms\n",
	    took);
	/* Adopted as subreaper: the guardian exits 0 (it unpaused). */
	if (subreaper) {
		status = test_reap_within(tk.tk_guardian, 5000);
		CHECK(status != -1 && WIFEXITED(status) &&
		    WEXITSTATUS(status) == 0);
	}
	CHECK(atomic_load(&fake->fd_unpause_calls) == 1);
	CHECK(atomic_load(&fake->fd_underflows) == 0);
}

/*
 * SIGTERM with the default action: the quick path has the guest running
 * before the taker is dead, and the taker dies of SIGTERM.  The fake
 * unpause takes 200 ms: had the guardian only noticed the death, the
 * count would still be 1 when waitpid() returns.
 */
static void
test_taker_sigterm(void)
{
	struct taker tk;
	int status, paused;

	fake_reset();
	/* Slow enough that only the quick path can be done in time. */
	atomic_store(&fake->fd_unpause_delay_ms, 200);
	REQUIRE(taker_start(TAKER_WAIT, &tk));
	CHECK(kill(tk.tk_pid, SIGTERM) == 0);
	CHECK(waitpid(tk.tk_pid, &status, 0) == tk.tk_pid);
	paused = atomic_load(&fake->fd_paused);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM);
	CHECK(paused == 0);
	if (subreaper) {
		status = test_reap_within(tk.tk_guardian, 5000);
		CHECK(status != -1 && WIFEXITED(status) &&
		    WEXITSTATUS(status) == 0);
	}
	CHECK(atomic_load(&fake->fd_unpause_calls) == 1);
	CHECK(atomic_load(&fake->fd_underflows) == 0);
}

/* Ctrl-C: SIGINT to the taker's process group; the guardian is apart. */
static void
test_taker_pgrp_sigint(void)
{
	struct taker tk;
	int status;

	fake_reset();
	/* Slow enough that only the quick path can be done in time. */
	atomic_store(&fake->fd_unpause_delay_ms, 200);
	REQUIRE(taker_start(TAKER_PGRP_WAIT, &tk));
	CHECK(getpgid(tk.tk_guardian) != tk.tk_pid);
	CHECK(kill(-tk.tk_pid, SIGINT) == 0);
	CHECK(waitpid(tk.tk_pid, &status, 0) == tk.tk_pid);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGINT);
	CHECK(atomic_load(&fake->fd_paused) == 0);
	if (subreaper) {
		status = test_reap_within(tk.tk_guardian, 5000);
		CHECK(status != -1 && WIFEXITED(status) &&
		    WEXITSTATUS(status) == 0);
	}
	CHECK(atomic_load(&fake->fd_unpause_calls) == 1);
}

/* A crash (SIGSEGV, default action before the guard): quick path. */
static void
test_taker_sigsegv(void)
{
	struct taker tk;
	int status;

	fake_reset();
	/* Slow enough that only the quick path can be done in time. */
	atomic_store(&fake->fd_unpause_delay_ms, 200);
	REQUIRE(taker_start(TAKER_CRASH, &tk));
	CHECK(waitpid(tk.tk_pid, &status, 0) == tk.tk_pid);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV);
	CHECK(atomic_load(&fake->fd_paused) == 0);
	if (subreaper) {
		status = test_reap_within(tk.tk_guardian, 5000);
		CHECK(status != -1 && WIFEXITED(status));
	}
	CHECK(atomic_load(&fake->fd_underflows) == 0);
}

/* The application handles SIGTERM itself (and exits): left alone. */
static void
test_taker_own_handler(void)
{
	struct taker tk;
	int status;

	fake_reset();
	REQUIRE(taker_start(TAKER_OWN_TERM, &tk));
	CHECK(kill(tk.tk_pid, SIGTERM) == 0);
	CHECK(waitpid(tk.tk_pid, &status, 0) == tk.tk_pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 7);
	CHECK(wait_paused(0, 5000, NULL));
	(void)test_reap_within(tk.tk_guardian, 5000);
	CHECK(atomic_load(&fake->fd_unpause_calls) == 1);
}

/*
 * A grandchild keeps the taker's end of the socket open: the guardian
 * must still see the taker die (pidfd or parent pid).
 */
static void
test_taker_socket_inherited(void)
{
	struct taker tk;
	double took = 0;
	int status;

	fake_reset();
	REQUIRE(taker_start(TAKER_FORK_WAIT, &tk));
	CHECK(tk.tk_grandchild > 0);
	CHECK(kill(tk.tk_pid, SIGKILL) == 0);
	CHECK(waitpid(tk.tk_pid, &status, 0) == tk.tk_pid);
	CHECK(wait_paused(0, 5000, &took));
	fprintf(stderr, "taker SIGKILLed, its socket held by a grandchild: "
	    "guardian unpaused after %.1f ms\n", took);
	(void)test_reap_within(tk.tk_guardian, 5000);
	if (tk.tk_grandchild > 0) {
		(void)kill(tk.tk_grandchild, SIGKILL);
		(void)test_reap_within(tk.tk_grandchild, 5000);
	}
	CHECK(atomic_load(&fake->fd_unpause_calls) == 1);
}

/* A forked copy of the taker neither releases nor quick-releases. */
static void
test_forked_copy(void)
{
	struct xen_pause *g;
	struct xen_err err;
	int status;
	pid_t pid;

	fake_reset();
	g = xen_pause_take_ops(&fake_ops, fake, 5, 0, &err);
	REQUIRE(g != NULL);
	fflush(NULL);
	pid = fork();
	REQUIRE(pid >= 0);
	if (pid == 0)
		_exit(xen_pause_release(g, &err) == 0 ? 0 : 1);
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK(atomic_load(&fake->fd_paused) == 1);

	/* The inherited handler fires in the copy: not our guard there. */
	pid = fork();
	REQUIRE(pid >= 0);
	if (pid == 0) {
		(void)raise(SIGTERM);
		_exit(0);
	}
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM);
	(void)usleep(50000);
	CHECK(atomic_load(&fake->fd_paused) == 1);
	CHECK(kill(xen_pause_guardian(g), 0) == 0);

	CHECK(xen_pause_release(g, &err) == 0);
	CHECK(atomic_load(&fake->fd_paused) == 0);
	CHECK(atomic_load(&fake->fd_underflows) == 0);
}

/* Someone signals the guardian itself. */
static void
test_guardian_killed(void)
{
	struct xen_pause *g;
	struct xen_err err;

	/* SIGTERM: it gives the pause back, and the release says it ended. */
	fake_reset();
	g = xen_pause_take_ops(&fake_ops, fake, 9, XEN_PAUSE_NO_SIGNALS, &err);
	REQUIRE(g != NULL);
	CHECK(kill(xen_pause_guardian(g), SIGTERM) == 0);
	CHECK(wait_paused(0, 5000, NULL));
	CHECK_ERRNO(xen_pause_release(g, &err), ECHILD);
	CHECK(strstr(err.xe_msg, "already ended") != NULL);
	CHECK(strstr(err.xe_msg, "domain 9") != NULL);

	/* SIGINT and SIGHUP do not reach it as signals that end it. */
	fake_reset();
	g = xen_pause_take_ops(&fake_ops, fake, 9, XEN_PAUSE_NO_SIGNALS, &err);
	REQUIRE(g != NULL);
	CHECK(kill(xen_pause_guardian(g), SIGINT) == 0);
	CHECK(kill(xen_pause_guardian(g), SIGHUP) == 0);
	CHECK(kill(xen_pause_guardian(g), SIGPIPE) == 0);
	(void)usleep(50000);
	CHECK(atomic_load(&fake->fd_paused) == 1);
	CHECK(xen_pause_release(g, &err) == 0);
	CHECK(atomic_load(&fake->fd_paused) == 0);

	/* SIGKILL: nothing can unpause; the release says so. */
	fake_reset();
	g = xen_pause_take_ops(&fake_ops, fake, 9, XEN_PAUSE_NO_SIGNALS, &err);
	REQUIRE(g != NULL);
	CHECK(kill(xen_pause_guardian(g), SIGKILL) == 0);
	CHECK_ERRNO(xen_pause_release(g, &err), ECHILD);
	CHECK(strstr(err.xe_msg, "may still be paused") != NULL);
	CHECK(atomic_load(&fake->fd_paused) == 1);
}

/* Failures in the guardian come back with its errno and sentence. */
static void
test_guardian_failures(void)
{
	struct xen_pause *g;
	struct xen_err err;
	int fds = test_count_fds();
	double t0;

	fake_reset();
	atomic_store(&fake->fd_fail_open, EACCES);
	errno = 0;
	CHECK(xen_pause_take_ops(&fake_ops, fake, 2, 0, &err) == NULL);
	CHECK(errno == EACCES && err.xe_errno == EACCES);
	CHECK(strcmp(err.xe_msg, "fake open refused") == 0);

	fake_reset();
	atomic_store(&fake->fd_fail_pause, EBUSY);
	CHECK(xen_pause_take_ops(&fake_ops, fake, 2, 0, &err) == NULL);
	CHECK(errno == EBUSY && strcmp(err.xe_msg, "fake pause refused") == 0);
	CHECK(atomic_load(&fake->fd_paused) == 0);
	CHECK(handler_is_default(SIGTERM));

	fake_reset();
	g = xen_pause_take_ops(&fake_ops, fake, 2, 0, &err);
	REQUIRE(g != NULL);
	atomic_store(&fake->fd_fail_unpause, EPERM);
	CHECK_ERRNO(xen_pause_release(g, &err), EPERM);
	CHECK(strcmp(err.xe_msg, "fake unpause refused") == 0);
	CHECK(handler_is_default(SIGTERM));

	/* A transient unpause failure is tried again. */
	fake_reset();
	g = xen_pause_take_ops(&fake_ops, fake, 2, 0, &err);
	REQUIRE(g != NULL);
	atomic_store(&fake->fd_unpause_flaky, 2);
	CHECK(xen_pause_release(g, &err) == 0);
	CHECK(atomic_load(&fake->fd_paused) == 0);
	CHECK(atomic_load(&fake->fd_unpause_calls) == 1);
	CHECK(atomic_load(&fake->fd_unpause_flaky) == 0);

	/* A guardian that never answers: stopped, ETIMEDOUT, nothing held. */
	fake_reset();
	atomic_store(&fake->fd_hang_open, 1);
	xen__pause_start_timeout_ms = 300;
	t0 = now_ms();
	CHECK(xen_pause_take_ops(&fake_ops, fake, 2, 0, &err) == NULL);
	CHECK(errno == ETIMEDOUT);
	CHECK(strstr(err.xe_msg, "did not answer") != NULL);
	CHECK(now_ms() - t0 < 300 + 3000);
	xen__pause_start_timeout_ms = XEN_PAUSE_START_TIMEOUT_MS;
	atomic_store(&fake->fd_hang_open, 0);
	CHECK(atomic_load(&fake->fd_paused) == 0);

	/* No descriptor or child left behind by any of it. */
	CHECK(test_count_fds() == fds);
	if (subreaper)
		CHECK(waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD);
}

static void
test_bad_arguments(void)
{
	struct xen_pause_ops partial = fake_ops;
	struct xen_err err;

	CHECK(xen_pause_take_ops(NULL, fake, 1, 0, &err) == NULL);
	CHECK(errno == EINVAL && err.xe_errno == EINVAL);
	partial.po_unpause = NULL;
	CHECK(xen_pause_take_ops(&partial, fake, 1, 0, &err) == NULL);
	CHECK(errno == EINVAL);
	CHECK(xen_pause_take_ops(&fake_ops, fake, 1, 0x80, &err) == NULL);
	CHECK(errno == EINVAL && strstr(err.xe_msg, "flags") != NULL);
	CHECK_ERRNO(xen_pause_release(NULL, &err), EINVAL);
	CHECK_ERRNO(xen_pause_release(NULL, NULL), EINVAL);
	CHECK(xen_pause_domid(NULL) == UINT32_MAX);
	CHECK(xen_pause_guardian(NULL) == -1);
}

#define THREADS		4
#define ROUNDS		8

static void *
thread_takes(void *arg)
{
	struct xen_pause *g;
	struct xen_err err;
	long bad = 0;
	int i;

	(void)arg;
	for (i = 0; i < ROUNDS; i++) {
		g = xen_pause_take_ops(&fake_ops, fake, 4, 0, &err);
		if (g == NULL) {
			bad++;
			continue;
		}
		if (xen_pause_release(g, &err) != 0)
			bad++;
	}
	return (void *)bad;
}

/* Threads take and release at once: every pause given back once. */
static void
test_threads(void)
{
	pthread_t t[THREADS];
	void *bad;
	int i;

	fake_reset();
	for (i = 0; i < THREADS; i++)
		REQUIRE(pthread_create(&t[i], NULL, thread_takes, NULL) == 0);
	for (i = 0; i < THREADS; i++) {
		REQUIRE(pthread_join(t[i], &bad) == 0);
		CHECK(bad == NULL);
	}
	CHECK(atomic_load(&fake->fd_paused) == 0);
	CHECK(atomic_load(&fake->fd_pause_calls) == THREADS * ROUNDS);
	CHECK(atomic_load(&fake->fd_unpause_calls) == THREADS * ROUNDS);
	CHECK(atomic_load(&fake->fd_underflows) == 0);
	CHECK(handler_is_default(SIGTERM));
}

int
main(void)
{
	fake = mmap(NULL, sizeof(*fake), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	REQUIRE(fake != MAP_FAILED);
#ifdef PR_SET_CHILD_SUBREAPER
	subreaper = prctl(PR_SET_CHILD_SUBREAPER, 1) == 0;
#endif

	test_bad_arguments();
	test_take_release();
	test_nested();
	test_no_signals_flag();
	test_taker_sigkill();
	test_taker_sigterm();
	test_taker_pgrp_sigint();
	test_taker_sigsegv();
	test_taker_own_handler();
	test_taker_socket_inherited();
	test_forked_copy();
	test_guardian_killed();
	test_guardian_failures();
	test_threads();
	return test_done();
}
