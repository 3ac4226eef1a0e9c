/*
 * guest/errbuf.h -- the one way guest/ fills a caller's error buffer: a
 * formatted sentence, truncated to fit, nothing when the caller passed
 * no buffer.  Header-only so every guest/ library shares it.
 */
#ifndef PORTHOLE_GUEST_ERRBUF_H
#define	PORTHOLE_GUEST_ERRBUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

static inline void
errbuf_printf(char *errbuf, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static inline void
errbuf_printf(char *errbuf, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (errbuf == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	(void) vsnprintf(errbuf, errlen, fmt, ap);
	va_end(ap);
}

/* A hexadecimal digit's value, or -1. */
static inline int
hexdigit_value(char c)
{
	if (c >= '0' && c <= '9')
		return (c - '0');
	if (c >= 'a' && c <= 'f')
		return (c - 'a' + 10);
	if (c >= 'A' && c <= 'F')
		return (c - 'A' + 10);
	return (-1);
}

#endif /* PORTHOLE_GUEST_ERRBUF_H */
