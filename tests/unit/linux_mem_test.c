/*
 * linux_mem_test.c -- the discovery readers' memory helpers: checked
 * little-endian reads, and pattern scans over memories with holes,
 * compared occurrence by occurrence with a brute-force search of the
 * test's own buffer (an occurrence counts when all its bytes are
 * readable), with and without the space's hole skipping, across chunk
 * boundaries, with alignment, ranges, and an early stop.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest/linux/linux_mem.h"
#include "tests/lk_fakemem.h"
#include "tests/prng.h"
#include "tests/test.h"

#define	MAXHITS	4096

struct hits {
	uint64_t	h_addr[MAXHITS];
	unsigned	h_n;
	unsigned	h_stop_at;	/* 0: never stop */
};

static int
record(void *arg, uint64_t addr)
{
	struct hits *h = arg;

	if (h->h_n < MAXHITS)
		h->h_addr[h->h_n] = addr;
	h->h_n++;
	return (h->h_stop_at != 0 && h->h_n == h->h_stop_at ? 7 : 0);
}

/*
 * How many occurrences a correct scan reports, by brute force; the first
 * MAXHITS of them in out.
 */
static unsigned
reference(const struct fakemem *fm, uint64_t lo, uint64_t hi,
    const unsigned char *pat, size_t patlen, uint64_t align, bool pages,
    uint64_t *out)
{
	uint64_t off, o;
	unsigned n = 0;
	bool ok;

	for (off = 0; off + patlen <= fm->fm_len; off++) {
		uint64_t addr = fm->fm_base + off;

		if (addr < lo || addr >= hi || (align > 1 && addr % align) ||
		    (pages && addr % 4096) ||
		    memcmp(fm->fm_buf + off, pat, patlen) != 0)
			continue;
		ok = true;
		for (o = off & ~4095ULL; o < off + patlen; o += 4096)
			ok = ok && !fakemem_is_hole(fm, o);
		if (ok && n < MAXHITS)
			out[n] = addr;
		n += ok;
	}
	return (n);
}

static void
compare(const struct fakemem *fm, uint64_t lo, uint64_t hi,
    const unsigned char *pat, size_t patlen, uint64_t align, bool pages)
{
	static uint64_t want[MAXHITS];
	static struct hits h;
	unsigned n, i;
	int rv;

	memset(&h, 0, sizeof (h));
	n = reference(fm, lo, hi, pat, patlen, align, pages, want);
	if (pages)
		rv = lk_mem_scan_pages(&fm->fm_mem, lo, hi, pat, patlen,
		    record, &h);
	else
		rv = lk_mem_scan(&fm->fm_mem, lo, hi, pat, patlen, align,
		    record, &h);
	CHECK(rv == 0);
	if (h.h_n != n)
		fprintf(stderr, "scan [%#" PRIx64 ", %#" PRIx64 ") align %"
		    PRIu64 "%s: %u hits, want %u\n", lo, hi, align,
		    pages ? " pages" : "", h.h_n, n);
	CHECK(h.h_n == n);
	for (i = 0; i < n && i < h.h_n && i < MAXHITS; i++)
		CHECK(h.h_addr[i] == want[i]);
}

static void
test_reads(void)
{
	static const unsigned char bytes[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };
	struct fakemem fm;
	uint16_t v16;
	uint32_t v32;
	uint64_t v64;

	fakemem_init(&fm, 0x1000, 8192, false);
	fakemem_put(&fm, 0x1000, bytes, sizeof (bytes));
	CHECK(lk_mem_u16(&fm.fm_mem, 0x1000, &v16) == 0 && v16 == 0x0201);
	CHECK(lk_mem_u32(&fm.fm_mem, 0x1001, &v32) == 0 &&
	    v32 == 0x05040302);
	CHECK(lk_mem_u64(&fm.fm_mem, 0x1000, &v64) == 0 &&
	    v64 == 0x0807060504030201ULL);
	CHECK(lk_mem_ptr(&fm.fm_mem, 0x1000, 4, &v64) == 0 &&
	    v64 == 0x04030201);
	CHECK(lk_mem_ptr(&fm.fm_mem, 0x1000, 8, &v64) == 0 &&
	    v64 == 0x0807060504030201ULL);
	CHECK(lk_mem_ptr(&fm.fm_mem, 0x1000, 2, &v64) == EINVAL);
	/* Bounds: the space's end, and before the memory. */
	CHECK(lk_mem_u32(&fm.fm_mem, 0x1000 + 8190, &v32) == EFAULT);
	CHECK(lk_mem_u16(&fm.fm_mem, 0x1000 + 8190, &v16) == 0);
	CHECK(lk_mem_u64(&fm.fm_mem, UINT64_MAX - 3, &v64) == EFAULT);
	CHECK(lk_mem_u32(&fm.fm_mem, 0x10, &v32) == EFAULT);
	CHECK(lk_mem_read(&fm.fm_mem, 0x1000, NULL, 0) == 0);
	fakemem_hole(&fm, 0x2000);
	CHECK(lk_mem_u32(&fm.fm_mem, 0x2000, &v32) == ENXIO);
	CHECK(lk_mem_u32(&fm.fm_mem, 0x1ffe, &v32) == ENXIO);
	fakemem_fini(&fm);
}

static void
test_scan_placed(bool skip)
{
	static const unsigned char pat[] = "Linux version ";
	const size_t pl = sizeof (pat) - 1;
	const uint64_t base = 0x40000000, len = 4u << 20;
	struct fakemem fm;
	struct hits h;

	fakemem_init(&fm, base, len, skip);
	fakemem_put(&fm, base, pat, pl);			/* first byte */
	fakemem_put(&fm, base + (1 << 20) - 3, pat, pl);	/* chunk edge */
	fakemem_put(&fm, base + (2 << 20) + 4096 - 5, pat, pl); /* page edge */
	fakemem_put(&fm, base + (2 << 20) + 8192, pat, pl);
	fakemem_put(&fm, base + (3 << 20) + 100, pat, pl);	/* in a hole */
	fakemem_hole(&fm, base + (3 << 20));
	fakemem_put(&fm, base + (3 << 20) + 2 * 4096 - 4, pat, pl); /* into */
	fakemem_hole(&fm, base + (3 << 20) + 2 * 4096);
	fakemem_put(&fm, base + len - pl, pat, pl);		/* last bytes */
	compare(&fm, 0, UINT64_MAX, pat, pl, 0, false);
	compare(&fm, base + 1, base + len - pl, pat, pl, 0, false);
	compare(&fm, base + (1 << 20) - 3, base + (1 << 20) - 2, pat, pl, 0,
	    false);
	compare(&fm, 0, UINT64_MAX, pat, pl, 4096, false);
	compare(&fm, 0, UINT64_MAX, pat, pl, 0, true);
	compare(&fm, 0, UINT64_MAX, pat, 1, 8, false);

	memset(&h, 0, sizeof (h));
	h.h_stop_at = 2;
	CHECK(lk_mem_scan(&fm.fm_mem, 0, UINT64_MAX, pat, pl, 0, record, &h)
	    == 7 && h.h_n == 2);
	memset(&h, 0, sizeof (h));
	h.h_stop_at = 1;
	CHECK(lk_mem_scan_pages(&fm.fm_mem, 0, UINT64_MAX, pat, pl, record,
	    &h) == 7 && h.h_n == 1 && h.h_addr[0] == base);
	CHECK(lk_mem_scan(&fm.fm_mem, 0, UINT64_MAX, pat, 0, 0, record, &h) ==
	    EINVAL);
	CHECK(lk_mem_scan(&fm.fm_mem, 5, 5, pat, pl, 0, record, &h) == EINVAL);
	CHECK(lk_mem_scan_pages(&fm.fm_mem, 9, 5, pat, pl, record, &h) ==
	    EINVAL);
	fakemem_fini(&fm);
}

static void
test_scan_random(void)
{
	uint64_t rng = 99;
	unsigned round;

	for (round = 0; round < 40; round++) {
		const uint64_t len = (1 + prng_below(&rng, 3)) << 20;
		const uint64_t base = prng_below(&rng, 1 << 20) * 4096;
		unsigned char pat[8];
		struct fakemem fm;
		size_t pl = 1 + (size_t)prng_below(&rng, sizeof (pat)), i;
		uint64_t lo, hi;

		fakemem_init(&fm, base, len, prng_below(&rng, 2) != 0);
		/* A two-letter alphabet makes many occurrences. */
		for (i = 0; i < len; i++)
			fm.fm_buf[i] = (unsigned char)('a' +
			    (prng_next(&rng) % 16 == 0));
		for (i = 0; i < pl; i++)
			pat[i] = (unsigned char)('a' + (i % 3 == 1));
		for (i = 0; i < len / 4096; i++) {
			if (prng_below(&rng, 5) == 0)
				fm.fm_hole[i] = 1;
		}
		lo = base + prng_below(&rng, len);
		hi = lo + prng_below(&rng, len);
		if (pl < 4 && hi - lo > (256 << 10))
			hi = lo + (256 << 10);	/* keep the hit count sane */
		if (hi > lo)
			compare(&fm, lo, hi, pat, pl,
			    prng_below(&rng, 3) == 0 ? 8 : 0, false);
		compare(&fm, base, base + len, pat, pl, 0, true);
		fakemem_fini(&fm);
	}
}

int
main(void)
{
	test_reads();
	test_scan_placed(false);
	test_scan_placed(true);
	test_scan_random();
	return (test_done());
}
