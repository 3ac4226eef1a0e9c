/*
 * linux_vmcoreinfo_fuzz.c -- fuzz target: the VMCOREINFO parser over
 * arbitrary text, and the search for the kernel's buffer over the same
 * bytes laid out as physical memory.
 *
 * Input: the text.  The bytes are also memory at address 0x10000 (in
 * pages, the last one zero-padded; at most 16 pages), where the search
 * runs.
 *
 * Invariants: the parse returns 0 or EINVAL (nothing else: the profile
 * never runs out of memory here); 0 means a release of 1..64 printable
 * characters without spaces; the counts of understood, ignored and bad
 * lines never exceed the lines of the text; every symbol the parse
 * reports is in the profile with an identifier for a name; parsing
 * twice gives the same answer.  The search finds only a page that starts
 * with "OSRELEASE=" and whose text parses with a page size, and returns
 * that text.
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest/linux/linux_vmcoreinfo.h"
#include "tests/fuzz/fuzz.h"
#include "tests/lk_fakemem.h"
#include "tests/prng.h"

#define	FZ_BASE		0x10000ULL
#define	FZ_MAX_MEM	(16u * 4096)

static struct {
	unsigned long	inputs;
	unsigned long	parsed;
	unsigned long	refused;
	unsigned long	bad_lines;
	unsigned long	symbols;
	unsigned long	found;
} fz_stats;

struct fz_sym_check {
	const struct linux_profile *sc_p;
	unsigned	sc_n;
};

static int
fz_symbol_cb(void *arg, const struct lprof_entry *e)
{
	struct fz_sym_check *sc = arg;
	size_t i;

	FUZZ_ASSERT(e->le_name[0] != '\0');
	for (i = 0; e->le_name[i] != '\0'; i++)
		FUZZ_ASSERT(e->le_name[i] == '_' ||
		    (e->le_name[i] >= '0' && e->le_name[i] <= '9') ||
		    (e->le_name[i] >= 'a' && e->le_name[i] <= 'z') ||
		    (e->le_name[i] >= 'A' && e->le_name[i] <= 'Z'));
	sc->sc_n++;
	return (0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct linux_profile *p = lprof_new();
	struct fz_sym_check sc;
	struct lvmci v, v2;
	struct fakemem fm;
	char buf[LK_PAGE_SIZE + 1];
	size_t lines = 1, i, len = 0, memlen;
	uint64_t pa = 0;
	int rv, rv2;

	FUZZ_ASSERT(p != NULL);
	fz_stats.inputs++;
	for (i = 0; i < size; i++)
		lines += data[i] == '\n';
	rv = lvmci_parse((const char *)data, size, &v, p, NULL, 0);
	FUZZ_ASSERT(rv == 0 || rv == EINVAL);
	FUZZ_ASSERT(v.lv_entries + v.lv_ignored + v.lv_bad <= lines);
	rv2 = lvmci_parse((const char *)data, size, &v2, NULL, NULL, 0);
	FUZZ_ASSERT(rv2 == rv && memcmp(&v, &v2, sizeof (v)) == 0);
	fz_stats.bad_lines += v.lv_bad;
	if (rv == 0) {
		size_t rl = strlen(v.lv_release);

		fz_stats.parsed++;
		FUZZ_ASSERT(rl >= 1 && rl <= LVMCI_RELEASE_MAX);
		for (i = 0; i < rl; i++)
			FUZZ_ASSERT(v.lv_release[i] > ' ' &&
			    v.lv_release[i] <= '~');
	} else {
		fz_stats.refused++;
	}
	memset(&sc, 0, sizeof (sc));
	sc.sc_p = p;
	FUZZ_ASSERT(lprof_walk(p, LPROF_SYMBOL, fz_symbol_cb, &sc) == 0);
	FUZZ_ASSERT(sc.sc_n == lprof_count(p, LPROF_SYMBOL));
	fz_stats.symbols += sc.sc_n;
	lprof_free(p);

	/* The same bytes as memory. */
	memlen = size < FZ_MAX_MEM ? (size + 4095) & ~(size_t)4095 :
	    FZ_MAX_MEM;
	if (memlen == 0)
		return (0);
	fakemem_init(&fm, FZ_BASE, memlen, (size & 1) != 0);
	memcpy(fm.fm_buf, data, size < memlen ? size : memlen);
	rv = lvmci_find(&fm.fm_mem, 0, UINT64_MAX, &pa, buf, sizeof (buf),
	    &len);
	FUZZ_ASSERT(rv == 0 || rv == ENOENT);
	if (rv == 0) {
		fz_stats.found++;
		FUZZ_ASSERT(pa >= FZ_BASE && pa < FZ_BASE + memlen &&
		    pa % 4096 == 0);
		FUZZ_ASSERT(len <= 4096 && strlen(buf) == len);
		FUZZ_ASSERT(memcmp(fm.fm_buf + (pa - FZ_BASE), buf, len) == 0);
		FUZZ_ASSERT(strncmp(buf, "OSRELEASE=", 10) == 0);
		FUZZ_ASSERT(lvmci_parse(buf, len, &v, NULL, NULL, 0) == 0 &&
		    v.lv_pagesize != 0);
	}
	fakemem_fini(&fm);
	return (0);
}

static const char *const fz_lines[] = {
	"OSRELEASE=6.1.0-27-amd64", "OSRELEASE=", "OSRELEASE=a b",
	"PAGESIZE=4096", "PAGESIZE=4095", "BUILD-ID=0123456789abcdef",
	"KERNELOFFSET=1a000000", "KERNELOFFSET=zz", "CRASHTIME=1700000000",
	"SYMBOL(init_top_pgt)=ffffffff9a40a000", "SYMBOL(bad name)=1",
	"SYMBOL(_stext)=ffffffff99000000", "NUMBER(phys_base)=-2147483648",
	"NUMBER(x)=0x10", "NUMBER(y)=99999999999999999999",
	"OFFSET(list_head.next)=0", "OFFSET(nodot)=1", "SIZE(page)=64",
	"LENGTH(mem_section)=2048", "CONFIG_X86_PAE=y", "CONFIG_X=m",
	"FUTURE=1", "=", "no equals", ""
};

size_t
fuzz_generate(uint64_t seed, uint8_t *buf, size_t cap)
{
	uint64_t rng = seed * 0x9E3779B97F4A7C15ULL + 1;
	const size_t nl = sizeof (fz_lines) / sizeof (fz_lines[0]);
	size_t off = 0, n, i;
	unsigned lines = 1 + (unsigned)prng_below(&rng, 24);

	if (cap < 1024)
		return (0);
	/* Sometimes the text does not start a page: never found there. */
	if (prng_below(&rng, 4) == 0) {
		memcpy(buf, "junk\n", 5);
		off = 5;
	}
	for (i = 0; i < lines; i++) {
		const char *l = i == 0 && prng_below(&rng, 4) != 0 ?
		    fz_lines[0] : fz_lines[prng_below(&rng, nl)];

		n = strlen(l);
		if (off + n + 1 >= cap)
			break;
		memcpy(buf + off, l, n);
		off += n;
		buf[off++] = '\n';
	}
	if (prng_below(&rng, 2) == 0 && off + 16 < cap) {
		memcpy(buf + off, "PAGESIZE=4096\n", 14);
		off += 14;
	}
	return (off);
}

void
fuzz_report(void)
{
	(void) fprintf(stderr, "linux_vmcoreinfo: %lu inputs; %lu parsed, "
	    "%lu refused; %lu bad lines; %lu symbols; %lu buffers found in "
	    "memory\n", fz_stats.inputs, fz_stats.parsed, fz_stats.refused,
	    fz_stats.bad_lines, fz_stats.symbols, fz_stats.found);
}

bool
fuzz_meaningful(void)
{
	return (fz_stats.parsed > 0 && fz_stats.refused > 0 &&
	    fz_stats.bad_lines > 0 && fz_stats.symbols > 0 &&
	    fz_stats.found > 0);
}
