/*
 * linux_mem.c -- checked reads and bounded pattern scans over a struct
 * lk_mem (see linux_mem.h).
 *
 * A scan reads LK_SCAN_CHUNK bytes at a time plus the pattern's length
 * less one, so an occurrence that straddles two chunks is seen once (in
 * the chunk where it starts).  A chunk the space cannot read is read
 * again page by page; pages that still fail are passed over.  lm_skip,
 * when the space has it, moves the scan over holes without reading them.
 *
 * Non-goals: occurrences that straddle an unreadable page, and patterns
 * longer than a page.
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "guest/le_decode.h"
#include "guest/linux/linux_mem.h"

/* The space's last address plus one, as a 64-bit bound (0: 2^64). */
static uint64_t
lk_mem_limit(const struct lk_mem *m)
{
	return (m->lm_end == 0 ? UINT64_MAX : m->lm_end);
}

int
lk_mem_read(const struct lk_mem *m, uint64_t addr, void *buf, size_t len)
{
	uint64_t limit = lk_mem_limit(m);

	if (len == 0)
		return (0);
	if (addr >= limit || len > limit - addr)
		return (EFAULT);
	return (m->lm_read(m->lm_arg, addr, buf, len));
}

size_t
lk_mem_read_some(const struct lk_mem *m, uint64_t addr, void *buf,
    size_t len)
{
	unsigned char *out = buf;
	size_t done = 0, n;

	if (lk_mem_read(m, addr, buf, len) == 0)
		return (len);
	while (done < len) {
		n = LK_PAGE_SIZE - (size_t)((addr + done) % LK_PAGE_SIZE);
		if (n > len - done)
			n = len - done;
		if (lk_mem_read(m, addr + done, out + done, n) != 0)
			break;
		done += n;
	}
	return (done);
}

int
lk_mem_u16(const struct lk_mem *m, uint64_t addr, uint16_t *out)
{
	unsigned char b[2];
	int err;

	if ((err = lk_mem_read(m, addr, b, sizeof (b))) == 0)
		*out = (uint16_t)le_decode(b, 2);
	return (err);
}

int
lk_mem_u32(const struct lk_mem *m, uint64_t addr, uint32_t *out)
{
	unsigned char b[4];
	int err;

	if ((err = lk_mem_read(m, addr, b, sizeof (b))) == 0)
		*out = (uint32_t)le_decode(b, 4);
	return (err);
}

int
lk_mem_u64(const struct lk_mem *m, uint64_t addr, uint64_t *out)
{
	unsigned char b[8];
	int err;

	if ((err = lk_mem_read(m, addr, b, sizeof (b))) == 0)
		*out = le_decode(b, 8);
	return (err);
}

int
lk_mem_ptr(const struct lk_mem *m, uint64_t addr, unsigned psize,
    uint64_t *out)
{
	uint32_t v32;
	int err;

	if (psize == 8)
		return (lk_mem_u64(m, addr, out));
	if (psize != 4)
		return (EINVAL);
	if ((err = lk_mem_u32(m, addr, &v32)) == 0)
		*out = v32;
	return (err);
}

/* Where the scan may go on from addr: lm_skip's answer, or addr. */
static uint64_t
lk_mem_next(const struct lk_mem *m, uint64_t addr)
{
	uint64_t next;

	if (m->lm_skip == NULL)
		return (addr);
	next = m->lm_skip(m->lm_arg, addr);
	return (next < addr ? addr : next);
}

/*
 * Report the occurrences of pat in buf[0 .. n) that start below
 * buf + starts, at base + offset.  Returns cb's non-zero value or 0.
 */
static int
lk_mem_match(const unsigned char *buf, size_t n, size_t starts,
    uint64_t base, const unsigned char *pat, size_t patlen, uint64_t align,
    int (*cb)(void *, uint64_t), void *arg)
{
	const unsigned char *p = buf, *end;
	int rv;

	if (n < patlen)
		return (0);
	end = buf + (starts < n - patlen + 1 ? starts : n - patlen + 1);
	while (p < end && (p = memchr(p, pat[0], (size_t)(end - p))) != NULL) {
		uint64_t addr = base + (uint64_t)(p - buf);

		if ((align <= 1 || addr % align == 0) &&
		    memcmp(p, pat, patlen) == 0 && (rv = cb(arg, addr)) != 0)
			return (rv);
		p++;
	}
	return (0);
}

/*
 * Read [addr, addr + len) (plus up to extra bytes) page by page and
 * report occurrences starting in it.  Pages that fail are passed over.
 */
static int
lk_mem_scan_slow(const struct lk_mem *m, uint64_t addr, uint64_t len,
    size_t extra, unsigned char *buf, const unsigned char *pat,
    size_t patlen, uint64_t align, int (*cb)(void *, uint64_t), void *arg)
{
	uint64_t limit = lk_mem_limit(m), end = addr + len, page, n, more;
	int rv;

	for (page = addr; page < end; page += n) {
		n = LK_PAGE_SIZE - (page % LK_PAGE_SIZE);
		if (n > end - page)
			n = end - page;
		more = extra;
		if (more > limit - (page + n))
			more = limit - (page + n);
		if (lk_mem_read(m, page, buf, (size_t)(n + more)) != 0) {
			more = 0;
			if (lk_mem_read(m, page, buf, (size_t)n) != 0)
				continue;
		}
		if ((rv = lk_mem_match(buf, (size_t)(n + more), (size_t)n, page,
		    pat, patlen, align, cb, arg)) != 0)
			return (rv);
	}
	return (0);
}

int
lk_mem_scan(const struct lk_mem *m, uint64_t lo, uint64_t hi,
    const void *pat, size_t patlen, uint64_t align,
    int (*cb)(void *, uint64_t), void *arg)
{
	uint64_t limit = lk_mem_limit(m), end, addr, len, more;
	unsigned char *buf;
	int rv = 0;

	if (patlen == 0 || patlen > LK_PAGE_SIZE || lo >= hi)
		return (EINVAL);
	end = hi < limit ? hi : limit;
	if ((buf = malloc(LK_SCAN_CHUNK + patlen)) == NULL)
		return (ENOMEM);
	for (addr = lk_mem_next(m, lo); addr < end && rv == 0; addr += len) {
		len = LK_SCAN_CHUNK - (addr % LK_SCAN_CHUNK);
		if (len > end - addr)
			len = end - addr;
		if (m->lm_skip != NULL) {
			uint64_t next = lk_mem_next(m, addr);

			if (next != addr) {
				len = next - addr;	/* nothing to read */
				continue;
			}
		}
		more = patlen - 1;
		if (more > limit - (addr + len))
			more = limit - (addr + len);
		if (lk_mem_read(m, addr, buf, (size_t)(len + more)) == 0)
			rv = lk_mem_match(buf, (size_t)(len + more),
			    (size_t)len, addr, pat, patlen, align, cb, arg);
		else
			rv = lk_mem_scan_slow(m, addr, len, patlen - 1, buf,
			    pat, patlen, align, cb, arg);
	}
	free(buf);
	return (rv);
}

int
lk_mem_scan_pages(const struct lk_mem *m, uint64_t lo, uint64_t hi,
    const void *pat, size_t patlen, int (*cb)(void *, uint64_t), void *arg)
{
	uint64_t limit = lk_mem_limit(m), end, page, next;
	unsigned char buf[LK_PAGE_SIZE];
	int rv;

	if (patlen == 0 || patlen > LK_PAGE_SIZE || lo >= hi)
		return (EINVAL);
	end = hi < limit ? hi : limit;
	if (lo % LK_PAGE_SIZE != 0) {
		if (lo > UINT64_MAX - LK_PAGE_SIZE)
			return (0);
		lo += LK_PAGE_SIZE - lo % LK_PAGE_SIZE;
	}
	for (page = lo; page < end; page += LK_PAGE_SIZE) {
		if ((next = lk_mem_next(m, page)) != page) {
			if (next >= end || next > UINT64_MAX - LK_PAGE_SIZE)
				break;
			page = (next + LK_PAGE_SIZE - 1) & ~(uint64_t)
			    (LK_PAGE_SIZE - 1);
			if (page >= end)
				break;
		}
		if (lk_mem_read(m, page, buf, patlen) == 0 &&
		    memcmp(buf, pat, patlen) == 0 && (rv = cb(arg, page)) != 0)
			return (rv);
		if (end - page <= LK_PAGE_SIZE)
			break;
	}
	return (0);
}
