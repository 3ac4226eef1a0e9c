/*
 * tests/lk_fakemem.h -- a guest memory the Linux discovery tests and fuzz
 * targets build in a buffer: a struct lk_mem over bytes at a base
 * address, with page-sized holes (ENXIO) and a count of the reads made,
 * so that the readers run without a guest handle.
 */
#ifndef PORTHOLE_TESTS_LK_FAKEMEM_H
#define PORTHOLE_TESTS_LK_FAKEMEM_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "guest/linux/linux_mem.h"

struct fakemem {
	unsigned char	*fm_buf;
	uint64_t	fm_base;	/* address of fm_buf[0] */
	uint64_t	fm_len;
	unsigned char	*fm_hole;	/* one flag per page; NULL: none */
	unsigned long	fm_reads;
	struct lk_mem	fm_mem;
};

static inline bool
fakemem_is_hole(const struct fakemem *fm, uint64_t off)
{
	return (fm->fm_hole != NULL && fm->fm_hole[off / 4096] != 0);
}

static inline int
fakemem_read(void *arg, uint64_t addr, void *buf, size_t len)
{
	struct fakemem *fm = arg;
	uint64_t off, o;

	fm->fm_reads++;
	if (addr < fm->fm_base || addr - fm->fm_base > fm->fm_len ||
	    len > fm->fm_len - (addr - fm->fm_base))
		return (EFAULT);
	off = addr - fm->fm_base;
	for (o = off & ~4095ULL; o < off + len; o += 4096) {
		if (fakemem_is_hole(fm, o))
			return (ENXIO);
	}
	memcpy(buf, fm->fm_buf + off, len);
	return (0);
}

static inline uint64_t
fakemem_skip(void *arg, uint64_t addr)
{
	struct fakemem *fm = arg;
	uint64_t off;

	if (addr < fm->fm_base)
		return (fm->fm_base);
	for (off = addr - fm->fm_base; off < fm->fm_len;
	    off = (off | 4095) + 1) {
		if (!fakemem_is_hole(fm, off))
			return (fm->fm_base + off);
	}
	return (fm->fm_base + fm->fm_len);
}

/* A zeroed memory of len bytes at base (len a multiple of 4 KiB). */
static inline void
fakemem_init(struct fakemem *fm, uint64_t base, uint64_t len, bool skip)
{
	memset(fm, 0, sizeof (*fm));
	fm->fm_buf = calloc(1, (size_t)len);
	fm->fm_hole = calloc(1, (size_t)(len / 4096) + 1);
	if (fm->fm_buf == NULL || fm->fm_hole == NULL)
		abort();
	fm->fm_base = base;
	fm->fm_len = len;
	fm->fm_mem.lm_read = fakemem_read;
	fm->fm_mem.lm_skip = skip ? fakemem_skip : NULL;
	fm->fm_mem.lm_arg = fm;
	fm->fm_mem.lm_end = base + len;
}

static inline void
fakemem_fini(struct fakemem *fm)
{
	free(fm->fm_buf);
	free(fm->fm_hole);
	memset(fm, 0, sizeof (*fm));
}

/* Copy len bytes to address addr (which must lie in the memory). */
static inline void
fakemem_put(struct fakemem *fm, uint64_t addr, const void *src, size_t len)
{
	if (addr < fm->fm_base || addr - fm->fm_base + len > fm->fm_len)
		abort();
	memcpy(fm->fm_buf + (addr - fm->fm_base), src, len);
}

static inline void
fakemem_hole(struct fakemem *fm, uint64_t addr)
{
	fm->fm_hole[(addr - fm->fm_base) / 4096] = 1;
}

#endif /* PORTHOLE_TESTS_LK_FAKEMEM_H */
