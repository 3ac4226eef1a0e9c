/*
 * guest/le_decode.h -- an n-byte little-endian integer (n <= 8) as the
 * guest stored it, for every reader of guest bytes (image notes, kernel
 * structures, kallsyms tables, vmlinux sections).  Header-only.
 */
#ifndef PORTHOLE_GUEST_LE_DECODE_H
#define	PORTHOLE_GUEST_LE_DECODE_H

#include <stddef.h>
#include <stdint.h>

static inline uint64_t
le_decode(const unsigned char *p, size_t n)
{
	uint64_t v = 0;

	while (n-- > 0)
		v = v << 8 | p[n];
	return (v);
}

#endif /* PORTHOLE_GUEST_LE_DECODE_H */
