/*
 * xen_err.c - error reports of porthole's Xen layer (see xen_err.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "xen/xen_err.h"

void
xen_err_clear(struct xen_err *err)
{
	if (err == NULL)
		return;
	err->xe_errno = 0;
	err->xe_msg[0] = '\0';
}

const char *
xen_err_msg(const struct xen_err *err)
{
	if (err == NULL)
		return "";
	if (err->xe_msg[0] == '\0')
		return err->xe_errno != 0 ? strerror(err->xe_errno) : "";
	return err->xe_msg;
}

int
xen_err_set(struct xen_err *err, int errnum, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL) {
		err->xe_errno = errnum;
		va_start(ap, fmt);
		vsnprintf(err->xe_msg, sizeof(err->xe_msg), fmt, ap);
		va_end(ap);
	}
	errno = errnum;
	return -1;
}
