/*
 * xen_pause.h - pause a domain so that it runs again on every exit path.
 *
 * A pause guard pauses a domain and guarantees the pause is released
 * exactly once: by xen_pause_release(), or when the process that took it
 * ends in any way at all, SIGKILL included.  Xen counts pauses (the
 * toolstack's, ours, another tool's); a guard takes one and gives back
 * that one, so a pause someone else took (xl pause) stays in place.
 *
 * How: the guard's pause is held by a guardian, a small process forked
 * when the guard is taken.  The guardian opens its own privcmd handle,
 * pauses the domain, and waits on a socket to the taker (and on the
 * taker's pidfd): on a release request, on the socket's end, on the
 * taker's death, or on SIGTERM/SIGUSR1/SIGUSR2/SIGALRM sent to the
 * guardian itself, it unpauses and exits.  Only the guardian ever
 * unpauses, so no path can unpause twice.  It runs in its own session
 * (Ctrl-C at the terminal does not reach it), ignores SIGINT, SIGHUP,
 * SIGQUIT and SIGPIPE, closes every descriptor it inherited and points
 * stdio at /dev/null.  Before pausing and before unpausing it checks
 * that the domid still carries the UUID it had when the guard was taken:
 * a domain destroyed meanwhile took its pause with it, and a new domain
 * that reused the id is never touched.
 *
 * The quick path: unless XEN_PAUSE_NO_SIGNALS, taking the first guard
 * installs handlers for the fatal signals whose action is still the
 * default (SIGHUP, SIGINT, SIGQUIT, SIGILL, SIGTRAP, SIGABRT, SIGBUS,
 * SIGFPE, SIGUSR1, SIGSEGV, SIGUSR2, SIGPIPE, SIGALRM, SIGTERM, SIGXCPU,
 * SIGXFSZ, SIGVTALRM, SIGPROF, SIGSYS).  The handler asks each guardian
 * of this process to unpause, waits (at most a few seconds) until it has,
 * then restores the default action and re-raises the signal: the process
 * dies of the same signal, with the guest already running.  Signals the
 * application handles or ignores itself are left alone (their exit path
 * reaches the guardian anyway).  The last release restores the default
 * action of each signal still running our handler.
 *
 * Async-signal-safety: the handler uses only getpid, send, poll, recv,
 * sigaction and raise, and lock-free atomics on a fixed table of guards
 * (XEN_PAUSE_MAX_QUICK; guards beyond it still have their guardian, only
 * not the quick path).  xen_pause_take() and xen_pause_release() are not
 * async-signal-safe: never call them from a signal handler.
 *
 * Fork: the guardian is forked from the calling thread.  In a process
 * with other threads, the child of fork() may only rely on what was
 * consistent at the fork; the guardian goes on to open libxenctrl
 * (malloc, file opens) before it pauses.  glibc keeps malloc usable in
 * the child; a lock another thread held in a library at the moment of the
 * fork would hang the guardian before it pauses, and the taker then gives
 * up after XEN_PAUSE_START_TIMEOUT_MS, kills it and reports ETIMEDOUT
 * (nothing was paused).  A process that forks after taking a guard: the
 * guard stays with the taker; in the child, xen_pause_release() only
 * discards the child's copy, and the quick path ignores guards the
 * process did not take itself.  The guardian is a child process: a
 * wait(-1) or waitpid(-1, ...) in the application may reap it (the
 * release then does not see its exit status), and a guard whose
 * guardian is gone reports it.
 *
 * Errors: NULL or -1 with errno set and the struct xen_err filled.
 * This header includes no Xen header.
 */
#ifndef PORTHOLE_XEN_PAUSE_H
#define PORTHOLE_XEN_PAUSE_H

#include <stdint.h>
#include <sys/types.h>

#include "xen/xen_err.h"

struct xen_handle;
struct xen_pause;

#define XEN_PAUSE_NO_SIGNALS	0x1u	/* no fatal-signal handlers */

/* Guards of one process that get the quick path on a fatal signal. */
#define XEN_PAUSE_MAX_QUICK	64

/* How long taking or releasing waits for the guardian. */
#define XEN_PAUSE_START_TIMEOUT_MS	30000
#define XEN_PAUSE_QUICK_TIMEOUT_MS	5000

/*
 * Pause domain domid (through xh, which must stay open only for this call)
 * and keep it paused until xen_pause_release(guard) or the end of this
 * process.  Refuses dom0 (EINVAL), unknown domains (ENOENT), dying ones
 * (ESRCH).  flags: XEN_PAUSE_*.
 */
struct xen_pause *xen_pause_take(struct xen_handle *xh, uint32_t domid,
    unsigned int flags, struct xen_err *err);

/*
 * Unpause what the guard took and free it.  0 when the guardian unpaused
 * (or found the domain gone, its pause gone with it); -1 when it could
 * not (its reason in err), when the guardian had already ended (ECHILD:
 * killed or stopped by a signal sent to it), or (EINTR) when a fatal
 * signal is being handled in another thread, which then releases it.
 * The guard is freed in every case but the last.
 */
int xen_pause_release(struct xen_pause *guard, struct xen_err *err);

/* The domain a guard holds, and the pid of its guardian. */
uint32_t xen_pause_domid(const struct xen_pause *guard);
pid_t xen_pause_guardian(const struct xen_pause *guard);

/*
 * The operations a guardian runs, in the guardian process, after the
 * fork: po_open(arg) returns its context (NULL and err on failure),
 * po_pause and po_unpause return 0 or -1 with err, po_close frees the
 * context.  xen_pause_take() uses the Xen ones; tests substitute their
 * own to drive the guardian without Xen.
 */
struct xen_pause_ops {
	void	*(*po_open)(void *arg, struct xen_err *err);
	int	(*po_pause)(void *ctx, struct xen_err *err);
	int	(*po_unpause)(void *ctx, struct xen_err *err);
	void	(*po_close)(void *ctx);
};

/*
 * Take a guard whose guardian runs ops with arg (copied into the guardian
 * by the fork, so it may point to the caller's stack).  domid is used in
 * messages and by xen_pause_domid().
 */
struct xen_pause *xen_pause_take_ops(const struct xen_pause_ops *ops,
    void *arg, uint32_t domid, unsigned int flags, struct xen_err *err);

#endif /* PORTHOLE_XEN_PAUSE_H */
