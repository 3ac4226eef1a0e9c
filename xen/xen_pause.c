/*
 * xen_pause.c - the pause guard's machinery: the guardian process, the
 * release protocol and the fatal-signal quick path (see xen_pause.h).
 *
 * Pure POSIX (plus Linux's pidfd and close_range where the headers have
 * them): what pausing means is in the ops the caller passes; the Xen ones
 * live in xen_pause_domain.c.  So the whole protocol is tested without
 * Xen.
 *
 * Protocol, over an AF_UNIX SOCK_SEQPACKET pair (one message per record,
 * send with MSG_NOSIGNAL so a gone peer is EPIPE, never SIGPIPE):
 *	guardian -> taker	struct xen__pause_msg after pausing (pm_rc 0,
 *				or -1 and why), and after a requested unpause
 *	taker -> guardian	XEN__PAUSE_RELEASE: unpause, answer, exit
 * The end of the socket, the taker's death (pidfd, else its parent pid
 * changing) and SIGTERM/SIGUSR1/SIGUSR2/SIGALRM make the guardian unpause
 * and exit without answering.
 *
 * Lock order: xen__pause_sig_lock only (handler installation); the slot
 * table is lock-free so the signal handler can use it.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "xen/xen_pause.h"

#define XEN__PAUSE_RELEASE	'R'
#define XEN__PAUSE_POLL_MS	250	/* parent watch without a pidfd */
#define XEN__PAUSE_KILL_MS	1000	/* SIGTERM before SIGKILL */
#define XEN__PAUSE_UNPAUSE_TRIES 4	/* a failing unpause, tried again */
#define XEN__PAUSE_RETRY_MS	50

/*
 * A guard, in the taker.  All fields are set before the guard is
 * published in a slot and never change afterwards, so the signal handler
 * may read them.
 *
 * xp_guardian	the guardian's pid
 * xp_owner	getpid() of the taker: only it may ask for the release
 * xp_sock	the taker's end of the socket pair
 * xp_slot	index in xen__pause_slots, -1 when it has none
 * xp_signals	holds a reference on the fatal-signal handlers
 */
struct xen_pause {
	pid_t		xp_guardian;
	pid_t		xp_owner;
	int		xp_sock;
	uint32_t	xp_domid;
	int		xp_slot;
	bool		xp_signals;
};

struct xen__pause_msg {
	int		pm_rc;
	struct xen_err	pm_err;
};

/* The guards the quick path releases; NULL when free or claimed. */
static _Atomic(struct xen_pause *) xen__pause_slots[XEN_PAUSE_MAX_QUICK];

/*
 * The fatal-signal handlers.  Guarded by xen__pause_sig_lock:
 * xen__pause_sig_users (guards holding a reference) and
 * xen__pause_sig_ours[] (signals whose handler we installed).
 */
static const int xen__pause_fatal[] = {
	SIGHUP, SIGINT, SIGQUIT, SIGILL, SIGTRAP, SIGABRT, SIGBUS, SIGFPE,
	SIGUSR1, SIGSEGV, SIGUSR2, SIGPIPE, SIGALRM, SIGTERM, SIGXCPU,
	SIGXFSZ, SIGVTALRM, SIGPROF, SIGSYS
};
#define XEN__PAUSE_NFATAL	\
	(sizeof(xen__pause_fatal) / sizeof(xen__pause_fatal[0]))

static pthread_mutex_t xen__pause_sig_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned int xen__pause_sig_users;
static bool xen__pause_sig_ours[XEN__PAUSE_NFATAL];

/*
 * How long taking a guard waits for the guardian to pause: normally
 * XEN_PAUSE_START_TIMEOUT_MS; the unit tests shorten it to exercise the
 * timeout.  Not part of the interface.
 */
int xen__pause_start_timeout_ms = XEN_PAUSE_START_TIMEOUT_MS;

/* Set in the guardian by a stop signal. */
static volatile sig_atomic_t xen__guardian_stop;

static long
xen__ms_since(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long)(now.tv_sec - t0->tv_sec) * 1000 +
	    (now.tv_nsec - t0->tv_nsec) / 1000000;
}

/*
 * Wait up to timeout_ms for one message on sock.  Returns 1 with *msg
 * filled, 0 when the peer closed its end, -1 with errno (ETIMEDOUT, or
 * what poll/recv said).  Async-signal-safe when clock is false.
 */
static int
xen__pause_recv(int sock, struct xen__pause_msg *msg, int timeout_ms,
    bool clock)
{
	struct pollfd pfd;
	struct timespec t0;
	ssize_t n;
	long left = timeout_ms;
	int r;

	if (clock)
		clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		pfd.fd = sock;
		pfd.events = POLLIN;
		pfd.revents = 0;
		r = poll(&pfd, 1, (int)left);
		if (r < 0 && errno != EINTR)
			return -1;
		if (r > 0) {
			n = recv(sock, msg, sizeof(*msg), 0);
			if (n == (ssize_t)sizeof(*msg))
				return 1;
			if (n == 0)
				return 0;
			if (n > 0) {
				errno = EPROTO;
				return -1;
			}
			if (errno != EINTR && errno != EAGAIN)
				return errno == ECONNRESET ? 0 : -1;
		}
		if (clock)
			left = timeout_ms - xen__ms_since(&t0);
		else if (r == 0)
			left = 0;
		if (left <= 0) {
			errno = ETIMEDOUT;
			return -1;
		}
	}
}

/* ------------------------------------------------------------------ */
/* The guardian process.                                              */

static void
xen__guardian_on_stop(int sig)
{
	(void)sig;
	xen__guardian_stop = 1;
}

/* Close every descriptor but keep. */
static void
xen__close_fds_except(int keep)
{
	struct rlimit rl;
	long fd, max;

#ifdef SYS_close_range
	if ((keep <= 3 || syscall(SYS_close_range, 3u,
	    (unsigned int)keep - 1, 0u) == 0) &&
	    syscall(SYS_close_range, (unsigned int)keep + 1, ~0u, 0u) == 0)
		return;
#endif
	max = 65536;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    rl.rlim_cur < (rlim_t)max)
		max = (long)rl.rlim_cur;
	for (fd = 3; fd < max; fd++)
		if (fd != keep)
			(void)close((int)fd);
}

/* A pidfd for pid, or -1 when the kernel has none. */
static int
xen__pidfd(pid_t pid)
{
#ifdef SYS_pidfd_open
	long fd = syscall(SYS_pidfd_open, pid, 0u);

	return fd >= 0 ? (int)fd : -1;
#else
	(void)pid;
	return -1;
#endif
}

static void
xen__guardian_send(int sock, int rc, const struct xen_err *err)
{
	struct xen__pause_msg msg;

	memset(&msg, 0, sizeof(msg));
	msg.pm_rc = rc;
	if (err != NULL)
		msg.pm_err = *err;
	while (send(sock, &msg, sizeof(msg), MSG_NOSIGNAL) < 0 &&
	    errno == EINTR)
		;
}

/*
 * The guardian: set itself apart, pause, then wait for the word (or the
 * taker's end) and unpause.  Never returns.
 */
static void __attribute__((noreturn))
xen__guardian(int sock, pid_t owner, const struct xen_pause_ops *ops,
    void *arg)
{
	static const int ignored[] = { SIGINT, SIGHUP, SIGQUIT, SIGPIPE,
	    SIGTSTP, SIGTTIN, SIGTTOU };
	static const int stops[] = { SIGTERM, SIGUSR1, SIGUSR2, SIGALRM };
	struct sigaction sa;
	struct xen_err err;
	struct pollfd pfd[2];
	struct timespec tick, retry = { 0, XEN__PAUSE_RETRY_MS * 1000000L };
	sigset_t stopset, waitset;
	bool asked = false;
	void *ctx;
	char c;
	ssize_t n;
	size_t i;
	int sig, devnull, pidfd, r, rc;

	/* The taker's handlers and mask mean nothing here. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	for (sig = 1; sig < NSIG; sig++)
		(void)sigaction(sig, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	for (i = 0; i < sizeof(ignored) / sizeof(ignored[0]); i++)
		(void)sigaction(ignored[i], &sa, NULL);
	sa.sa_handler = xen__guardian_on_stop;
	sigemptyset(&stopset);
	for (i = 0; i < sizeof(stops) / sizeof(stops[0]); i++) {
		(void)sigaction(stops[i], &sa, NULL);
		sigaddset(&stopset, stops[i]);
	}
	/* Stop signals wait in the mask until ppoll() lets them in. */
	(void)sigprocmask(SIG_SETMASK, &stopset, NULL);
	sigemptyset(&waitset);

	(void)setsid();
	if (sock < 3) {
		/* The taker had closed stdio: keep sock clear of it. */
		r = fcntl(sock, F_DUPFD_CLOEXEC, 3);
		if (r < 0)
			_exit(1);
		sock = r;
	}
	devnull = open("/dev/null", O_RDWR);
	if (devnull >= 0) {
		(void)dup2(devnull, 0);
		(void)dup2(devnull, 1);
		(void)dup2(devnull, 2);
		if (devnull > 2)
			(void)close(devnull);
	}
	xen__close_fds_except(sock);
	pidfd = xen__pidfd(owner);
	if (getppid() != owner)
		_exit(0);		/* the taker is gone: nothing taken */

	xen_err_clear(&err);
	ctx = ops->po_open(arg, &err);
	if (ctx == NULL) {
		if (err.xe_errno == 0)
			err.xe_errno = EIO;
		xen__guardian_send(sock, -1, &err);
		_exit(1);
	}
	if (ops->po_pause(ctx, &err) < 0) {
		if (err.xe_errno == 0)
			err.xe_errno = EIO;
		xen__guardian_send(sock, -1, &err);
		ops->po_close(ctx);
		_exit(1);
	}
	xen__guardian_send(sock, 0, NULL);

	while (!xen__guardian_stop) {
		pfd[0].fd = sock;
		pfd[0].events = POLLIN;
		pfd[0].revents = 0;
		pfd[1].fd = pidfd;
		pfd[1].events = POLLIN;
		pfd[1].revents = 0;
		tick.tv_sec = 0;
		tick.tv_nsec = XEN__PAUSE_POLL_MS * 1000000L;
		r = ppoll(pfd, pidfd >= 0 ? 2 : 1, pidfd >= 0 ? NULL : &tick,
		    &waitset);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			break;			/* cannot wait: give it back */
		}
		if (r == 0) {
			if (getppid() != owner)
				break;		/* the taker died */
			continue;
		}
		if (pidfd >= 0 && pfd[1].revents != 0)
			break;			/* the taker died */
		if (pfd[0].revents & POLLIN) {
			n = recv(sock, &c, 1, 0);
			if (n < 0 && errno == EINTR)
				continue;
			asked = n == 1 && c == XEN__PAUSE_RELEASE;
			break;			/* asked, or the socket ended */
		}
		if (pfd[0].revents != 0)
			break;			/* hung up or failed */
	}

	/*
	 * A failed unpause gave nothing back (Xen's count only drops on
	 * success), so trying again cannot unpause twice.
	 */
	for (i = 0; i < XEN__PAUSE_UNPAUSE_TRIES; i++) {
		if (i > 0)
			(void)nanosleep(&retry, NULL);
		xen_err_clear(&err);
		rc = ops->po_unpause(ctx, &err);
		if (rc == 0)
			break;
	}
	if (rc < 0 && err.xe_errno == 0)
		err.xe_errno = EIO;
	if (asked)
		xen__guardian_send(sock, rc, &err);
	ops->po_close(ctx);
	_exit(rc == 0 ? 0 : 1);
}

/* ------------------------------------------------------------------ */
/* The quick path.                                                    */

/* Ask p's guardian to unpause and wait for it.  Async-signal-safe. */
static void
xen__pause_quick_release(struct xen_pause *p)
{
	struct xen__pause_msg msg;
	char c = XEN__PAUSE_RELEASE;

	if (send(p->xp_sock, &c, 1, MSG_NOSIGNAL) == 1)
		(void)xen__pause_recv(p->xp_sock, &msg,
		    XEN_PAUSE_QUICK_TIMEOUT_MS, false);
}

static void
xen__pause_on_fatal(int sig)
{
	struct sigaction sa;
	struct xen_pause *p;
	pid_t me = getpid();
	int saved = errno;
	size_t i;

	for (i = 0; i < XEN_PAUSE_MAX_QUICK; i++) {
		p = atomic_exchange(&xen__pause_slots[i], NULL);
		if (p != NULL && p->xp_owner == me)
			xen__pause_quick_release(p);
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	(void)sigaction(sig, &sa, NULL);
	/* Pending until we return: then the default action ends us. */
	(void)raise(sig);
	errno = saved;
}

static void
xen__pause_signals_ref(void)
{
	struct sigaction sa, old;
	size_t i;

	(void)pthread_mutex_lock(&xen__pause_sig_lock);
	if (xen__pause_sig_users++ == 0) {
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = xen__pause_on_fatal;
		sa.sa_flags = SA_ONSTACK;
		sigfillset(&sa.sa_mask);
		for (i = 0; i < XEN__PAUSE_NFATAL; i++) {
			xen__pause_sig_ours[i] = false;
			if (sigaction(xen__pause_fatal[i], NULL, &old) < 0 ||
			    (old.sa_flags & SA_SIGINFO) ||
			    old.sa_handler != SIG_DFL)
				continue;	/* the application's own */
			if (sigaction(xen__pause_fatal[i], &sa, NULL) == 0)
				xen__pause_sig_ours[i] = true;
		}
	}
	(void)pthread_mutex_unlock(&xen__pause_sig_lock);
}

static void
xen__pause_signals_unref(void)
{
	struct sigaction dfl, cur;
	size_t i;

	(void)pthread_mutex_lock(&xen__pause_sig_lock);
	if (xen__pause_sig_users > 0 && --xen__pause_sig_users == 0) {
		memset(&dfl, 0, sizeof(dfl));
		dfl.sa_handler = SIG_DFL;
		sigemptyset(&dfl.sa_mask);
		for (i = 0; i < XEN__PAUSE_NFATAL; i++) {
			if (!xen__pause_sig_ours[i])
				continue;
			xen__pause_sig_ours[i] = false;
			/* Leave a handler installed after ours alone. */
			if (sigaction(xen__pause_fatal[i], NULL, &cur) == 0 &&
			    !(cur.sa_flags & SA_SIGINFO) &&
			    cur.sa_handler == xen__pause_on_fatal)
				(void)sigaction(xen__pause_fatal[i], &dfl, NULL);
		}
	}
	(void)pthread_mutex_unlock(&xen__pause_sig_lock);
}

/* Publish p for the quick path; sets xp_slot (-1 when the table is full). */
static void
xen__pause_publish(struct xen_pause *p)
{
	struct xen_pause *expected;
	size_t i;

	p->xp_slot = -1;
	for (i = 0; i < XEN_PAUSE_MAX_QUICK; i++) {
		expected = NULL;
		if (atomic_compare_exchange_strong(&xen__pause_slots[i],
		    &expected, p)) {
			p->xp_slot = (int)i;
			return;
		}
	}
}

/*
 * Take p back from the quick path.  False when a signal handler claimed
 * it first (and is releasing it).
 */
static bool
xen__pause_unpublish(struct xen_pause *p)
{
	if (p->xp_slot < 0)
		return true;
	return atomic_exchange(&xen__pause_slots[p->xp_slot], NULL) == p;
}

/* ------------------------------------------------------------------ */
/* Taking and releasing.                                              */

/* Reap the guardian; its wait status to *statusp (-1: not ours any more). */
static void
xen__pause_reap(pid_t pid, int *statusp)
{
	int status;
	pid_t r;

	do {
		r = waitpid(pid, &status, 0);
	} while (r < 0 && errno == EINTR);
	*statusp = r == pid ? status : -1;
}

/* SIGTERM (the guardian unpauses what it holds), then SIGKILL. */
static void
xen__pause_stop_guardian(pid_t pid, int *statusp)
{
	struct timespec t0, nap = { 0, 10 * 1000000L };
	int status;
	pid_t r;

	(void)kill(pid, SIGTERM);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (xen__ms_since(&t0) < XEN__PAUSE_KILL_MS) {
		r = waitpid(pid, &status, WNOHANG);
		if (r == pid) {
			*statusp = status;
			return;
		}
		if (r < 0 && errno != EINTR) {
			*statusp = -1;
			return;
		}
		(void)nanosleep(&nap, NULL);
	}
	(void)kill(pid, SIGKILL);
	xen__pause_reap(pid, statusp);
}

/* "exit 1", "signal 9", or "unknown status" for messages. */
static const char *
xen__pause_status(int status, char *buf, size_t len)
{
	if (status == -1)
		snprintf(buf, len, "reaped elsewhere");
	else if (WIFEXITED(status))
		snprintf(buf, len, "exit %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, len, "signal %d", WTERMSIG(status));
	else
		snprintf(buf, len, "status 0x%x", status);
	return buf;
}

struct xen_pause *
xen_pause_take_ops(const struct xen_pause_ops *ops, void *arg, uint32_t domid,
    unsigned int flags, struct xen_err *err)
{
	struct xen__pause_msg msg;
	struct xen_pause *p;
	sigset_t all, old;
	char how[32];
	pid_t owner, pid;
	int sv[2], r, e, status;

	if (ops == NULL || ops->po_open == NULL || ops->po_pause == NULL ||
	    ops->po_unpause == NULL || ops->po_close == NULL) {
		xen_err_set(err, EINVAL, "pausing domain %" PRIu32 ": missing "
		    "operations", domid);
		return NULL;
	}
	if (flags & ~XEN_PAUSE_NO_SIGNALS) {
		xen_err_set(err, EINVAL, "pausing domain %" PRIu32 ": unknown "
		    "flags 0x%x", domid, flags & ~XEN_PAUSE_NO_SIGNALS);
		return NULL;
	}
	p = calloc(1, sizeof(*p));
	if (p == NULL) {
		xen_err_set(err, ENOMEM, "pausing domain %" PRIu32 ": out of "
		    "memory", domid);
		return NULL;
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		e = errno;
		free(p);
		xen_err_set(err, e, "pausing domain %" PRIu32 ": socketpair: "
		    "%s", domid, strerror(e));
		return NULL;
	}

	/* No handler of ours may run in the child before it resets them. */
	sigfillset(&all);
	(void)pthread_sigmask(SIG_SETMASK, &all, &old);
	owner = getpid();
	pid = fork();
	if (pid == 0) {
		(void)close(sv[0]);
		xen__guardian(sv[1], owner, ops, arg);
	}
	e = errno;
	(void)pthread_sigmask(SIG_SETMASK, &old, NULL);
	(void)close(sv[1]);
	if (pid < 0) {
		(void)close(sv[0]);
		free(p);
		xen_err_set(err, e, "pausing domain %" PRIu32 ": cannot start "
		    "the guardian process: fork: %s", domid, strerror(e));
		return NULL;
	}

	r = xen__pause_recv(sv[0], &msg, xen__pause_start_timeout_ms, true);
	e = errno;
	if (r == 1 && msg.pm_rc == 0) {
		p->xp_guardian = pid;
		p->xp_owner = owner;
		p->xp_sock = sv[0];
		p->xp_domid = domid;
		if (!(flags & XEN_PAUSE_NO_SIGNALS)) {
			xen__pause_signals_ref();
			p->xp_signals = true;
		}
		xen__pause_publish(p);
		xen_err_clear(err);
		return p;
	}

	(void)close(sv[0]);
	free(p);
	if (r == 1) {
		xen__pause_reap(pid, &status);
		msg.pm_err.xe_msg[XEN_ERR_MSG_MAX - 1] = '\0';
		xen_err_set(err, msg.pm_err.xe_errno, "%s",
		    xen_err_msg(&msg.pm_err));
	} else if (r == 0) {
		xen__pause_reap(pid, &status);
		xen_err_set(err, ECHILD, "pausing domain %" PRIu32 ": the "
		    "guardian process %ld ended (%s) before it paused",
		    domid, (long)pid, xen__pause_status(status, how,
		    sizeof(how)));
	} else {
		xen__pause_stop_guardian(pid, &status);
		xen_err_set(err, e, "pausing domain %" PRIu32 ": the guardian "
		    "process %ld did not answer within %d ms (%s); stopped "
		    "it (%s)", domid, (long)pid, xen__pause_start_timeout_ms,
		    strerror(e), xen__pause_status(status, how, sizeof(how)));
	}
	return NULL;
}

int
xen_pause_release(struct xen_pause *p, struct xen_err *err)
{
	struct xen__pause_msg msg;
	char c = XEN__PAUSE_RELEASE;
	char how[32];
	int r, e, rc, status;

	if (p == NULL)
		return xen_err_set(err, EINVAL, "xen_pause_release: NULL "
		    "guard");
	if (p->xp_owner != getpid()) {
		/* A forked copy: the guard stays with its taker. */
		(void)close(p->xp_sock);
		free(p);
		xen_err_clear(err);
		return 0;
	}
	if (!xen__pause_unpublish(p))
		return xen_err_set(err, EINTR, "releasing the pause of domain "
		    "%" PRIu32 ": a fatal signal is being handled, which "
		    "releases it", p->xp_domid);

	rc = 0;
	if (send(p->xp_sock, &c, 1, MSG_NOSIGNAL) != 1) {
		r = 0;			/* the guardian is gone */
	} else {
		r = xen__pause_recv(p->xp_sock, &msg,
		    XEN_PAUSE_START_TIMEOUT_MS, true);
	}
	e = errno;
	(void)close(p->xp_sock);
	if (r == 1) {
		xen__pause_reap(p->xp_guardian, &status);
		if (msg.pm_rc != 0) {
			msg.pm_err.xe_msg[XEN_ERR_MSG_MAX - 1] = '\0';
			rc = xen_err_set(err, msg.pm_err.xe_errno, "%s",
			    xen_err_msg(&msg.pm_err));
		}
	} else if (r == 0) {
		xen__pause_reap(p->xp_guardian, &status);
		rc = xen_err_set(err, ECHILD, "releasing the pause of domain %"
		    PRIu32 ": its guardian process %ld had already ended (%s)"
		    "%s", p->xp_domid, (long)p->xp_guardian,
		    xen__pause_status(status, how, sizeof(how)),
		    status != -1 && WIFSIGNALED(status) &&
		    WTERMSIG(status) == SIGKILL ? ": killed, it could not "
		    "unpause; the domain may still be paused (xl unpause)" :
		    ", unpausing the domain as it went");
	} else {
		xen__pause_stop_guardian(p->xp_guardian, &status);
		rc = xen_err_set(err, e, "releasing the pause of domain %"
		    PRIu32 ": its guardian process %ld did not answer (%s); "
		    "stopped it (%s)", p->xp_domid, (long)p->xp_guardian,
		    strerror(e), xen__pause_status(status, how, sizeof(how)));
	}
	if (p->xp_signals)
		xen__pause_signals_unref();
	free(p);
	if (rc == 0)
		xen_err_clear(err);
	return rc;
}

uint32_t
xen_pause_domid(const struct xen_pause *p)
{
	return p != NULL ? p->xp_domid : UINT32_MAX;
}

pid_t
xen_pause_guardian(const struct xen_pause *p)
{
	return p != NULL ? p->xp_guardian : -1;
}
