/*
 * xen_err.h - error reports of porthole's Xen layer.
 *
 * Every call in xen/ that can fail returns -1 (or NULL) with errno set and,
 * when the caller passed a struct xen_err, fills it with one sentence that
 * says what failed, on which domain and frame, and what to try.  The layer
 * never prints: the caller decides whether and where the sentence goes.
 *
 * This header includes no Xen header and may be used anywhere.
 */
#ifndef PORTHOLE_XEN_ERR_H
#define PORTHOLE_XEN_ERR_H

#define XEN_ERR_MSG_MAX	512

/*
 * xe_errno	the errno value of the failure (0: no failure recorded)
 * xe_msg	NUL-terminated description, "" when none
 */
struct xen_err {
	int	xe_errno;
	char	xe_msg[XEN_ERR_MSG_MAX];
};

/* Forget any recorded failure. */
void xen_err_clear(struct xen_err *err);

/* The recorded description, or strerror() of xe_errno when none. */
const char *xen_err_msg(const struct xen_err *err);

/*
 * Record a failure (err may be NULL), set errno to errnum, and return -1,
 * so a caller can write "return xen_err_set(err, ENOENT, ...);".
 */
int xen_err_set(struct xen_err *err, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif /* PORTHOLE_XEN_ERR_H */
