/*
 * guest_util.h - what the test domU's programs (marker.c, granter.c) share:
 * a random nonce that makes this boot's page text unique, pages filled with
 * a repeated unit of text that dom0 can rebuild from the printed unit, and
 * sleeping forever so the pages stay put.
 *
 * Header-only: each program is one static binary built from one file.
 */
#ifndef PORTHOLE_GUEST_UTIL_H
#define PORTHOLE_GUEST_UTIL_H

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static inline void
guest_sleep_forever(void)
{
	for (;;)
		pause();
}

/* Up to 16 hex digits of randomness (time and pid without urandom). */
static inline void
guest_make_nonce(char *buf, size_t len)
{
	unsigned char raw[8];
	int fd;
	size_t i;

	fd = open("/dev/urandom", O_RDONLY);
	if (fd < 0 || read(fd, raw, sizeof(raw)) != (ssize_t)sizeof(raw)) {
		uint64_t v = (uint64_t)time(NULL) * 2654435761u ^
		    (uint64_t)getpid();

		for (i = 0; i < sizeof(raw); i++)
			raw[i] = (unsigned char)(v >> (8 * i));
	}
	if (fd >= 0)
		close(fd);
	for (i = 0; i < sizeof(raw) && 2 * i + 2 < len; i++)
		snprintf(buf + 2 * i, 3, "%02x", raw[i]);
}

/* pagesize bytes of unit repeated (the page dom0 rebuilds and compares). */
static inline void
guest_fill_page(unsigned char *page, size_t pagesize, const char *unit)
{
	size_t ulen = strlen(unit);
	size_t off;

	for (off = 0; off < pagesize; off++)
		page[off] = (unsigned char)unit[off % ulen];
}

#endif /* PORTHOLE_GUEST_UTIL_H */
