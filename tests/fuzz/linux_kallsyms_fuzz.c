/*
 * linux_kallsyms_fuzz.c -- fuzz target: the kallsyms search and decoder
 * over arbitrary memory.
 *
 * Input:
 *	[0]	options: bits 0-1 the pointer size asked (0 and 3: either,
 *		1: 8, 2: 4); bit 2: a hole at the page of bytes [1..2];
 *		bit 3: the memory tells the search where its holes are
 *	[1..2]	little endian: that page, in pages from the start
 *	then	memory, at address 0x1000000
 *
 * Invariants: the search ends with 0 or ENOENT; a table found lies in
 * the memory (token table, index, names, markers, num_syms), has at most
 * LKSYMS_MAX_SYMS symbols whose addresses never decrease, every name it
 * reports has 1..LKSYMS_NAME_MAX - 1 characters after its type, and no
 * more names than num_syms; and the same table is found again from its
 * token table's address.
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define	KENC_MAX_MERGES	6
#include "guest/linux/linux_kallsyms.h"
#include "tests/fuzz/fuzz.h"
#include "tests/kallsyms_enc.h"
#include "tests/lk_fakemem.h"
#include "tests/prng.h"

#define	FZ_BASE		0x1000000ULL
#define	FZ_HEADER	3

static struct {
	unsigned long	inputs;
	unsigned long	found;
	unsigned long	refused;
	unsigned long	layouts[3];
	unsigned long	kinds[3];
	unsigned long	names;
} fz_stats;

struct fz_names {
	uint32_t	fn_n;
};

static int
fz_name_cb(void *arg, const char *name, char type, uint64_t addr)
{
	struct fz_names *fn = arg;
	size_t len = strlen(name);

	(void) type;
	(void) addr;
	FUZZ_ASSERT(len >= 1 && len < LKSYMS_NAME_MAX);
	fn->fn_n++;
	return (0);
}

static void
fz_check(const struct fakemem *fm, const struct lksyms *ks)
{
	uint64_t lo = fm->fm_base, hi = fm->fm_base + fm->fm_len;
	struct fz_names fn = { 0 };
	uint32_t i;

	FUZZ_ASSERT(ks->ks_ptr_size == 8 || ks->ks_ptr_size == 4);
	FUZZ_ASSERT(ks->ks_token_table >= lo && ks->ks_token_index + 512 <= hi);
	FUZZ_ASSERT(ks->ks_names >= lo && ks->ks_names + ks->ks_names_len <=
	    ks->ks_markers);
	FUZZ_ASSERT(ks->ks_markers + 4ULL * ks->ks_nmarkers <=
	    ks->ks_token_table);
	FUZZ_ASSERT(ks->ks_num_syms >= 1 && ks->ks_num_syms <= LKSYMS_MAX_SYMS);
	FUZZ_ASSERT(ks->ks_nmarkers == (ks->ks_num_syms + 255) / 256);
	for (i = 1; i < ks->ks_num_syms; i++)
		FUZZ_ASSERT(ks->ks_values[i - 1] <= ks->ks_values[i]);
	FUZZ_ASSERT(lksyms_foreach(ks, fz_name_cb, &fn) == 0);
	FUZZ_ASSERT(fn.fn_n <= ks->ks_num_syms);
	fz_stats.names += fn.fn_n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned sizes[4] = { 0, 8, 4, 0 };
	struct fakemem fm;
	struct lksyms ks, again;
	size_t memlen;
	int rv;

	if (size <= FZ_HEADER)
		return (0);
	fz_stats.inputs++;
	memlen = (size - FZ_HEADER + 4095) & ~(size_t)4095;
	fakemem_init(&fm, FZ_BASE, memlen, (data[0] & 8) != 0);
	memcpy(fm.fm_buf, data + FZ_HEADER, size - FZ_HEADER);
	if (data[0] & 4)
		fm.fm_hole[((size_t)data[1] | (size_t)data[2] << 8) %
		    (memlen / 4096)] = 1;
	rv = lksyms_locate(&fm.fm_mem, FZ_BASE, FZ_BASE + memlen,
	    sizes[data[0] & 3], &ks, NULL, 0);
	FUZZ_ASSERT(rv == 0 || rv == ENOENT);
	if (rv == 0) {
		fz_stats.found++;
		fz_stats.layouts[ks.ks_layout]++;
		fz_stats.kinds[ks.ks_kind]++;
		fz_check(&fm, &ks);
		FUZZ_ASSERT(lksyms_locate_at(&fm.fm_mem, ks.ks_token_table,
		    ks.ks_ptr_size, &again, NULL, 0) == 0);
		FUZZ_ASSERT(again.ks_num_syms == ks.ks_num_syms &&
		    again.ks_names == ks.ks_names);
		lksyms_fini(&again);
		lksyms_fini(&ks);
	} else {
		fz_stats.refused++;
	}
	fakemem_fini(&fm);
	return (0);
}

size_t
fuzz_generate(uint64_t seed, uint8_t *buf, size_t cap)
{
	static const char *const stems[] = { "do_", "sys_", "read", "write",
	    "task", "_0123456789", "lock", "x86_", "__" };
	uint64_t rng = seed * 0x9E3779B97F4A7C15ULL + 1;
	struct kenc_sym syms[48];
	struct kenc_where w;
	uint32_t n = 1 + (uint32_t)prng_below(&rng, 40), i;
	unsigned a = prng_below(&rng, 2) ? 8 : 4;
	enum lksyms_layout layout = (enum lksyms_layout)prng_below(&rng, 3);
	enum lksyms_kind kind = (enum lksyms_kind)prng_below(&rng,
	    a == 8 ? 3 : 2);
	uint64_t text = a == 8 ? 0xffffffff81000000ULL : 0xc1000000ULL;
	uint64_t addr = text, at;
	size_t len, pre;

	if (a == 4 && kind == LKSYMS_PERCPU)
		kind = LKSYMS_ABSOLUTE;
	if (cap < 4096)
		return (0);
	memset(syms, 0, sizeof (syms));
	for (i = 0; i < n; i++) {
		(void) snprintf(syms[i].ks_name, sizeof (syms[i].ks_name),
		    "%s%s%u", stems[prng_below(&rng, 9)],
		    i == 0 ? "_0123456789" : stems[prng_below(&rng, 9)], i);
		syms[i].ks_type = "TtDdBb"[prng_below(&rng, 6)];
		syms[i].ks_addr = addr;
		addr += 16 * prng_below(&rng, 8);
	}
	memset(buf, 0, cap);
	buf[0] = (uint8_t)(prng_below(&rng, 4) == 0 ? a == 8 ? 1 : 2 : 0);
	pre = 8 * (size_t)prng_below(&rng, 32);
	for (i = 0; i < pre; i++)
		buf[FZ_HEADER + i] = (uint8_t)prng_next(&rng);
	at = FZ_BASE + pre;
	len = kenc_build(syms, n, a, layout, kind, text, at,
	    buf + FZ_HEADER + pre, cap - FZ_HEADER - pre, &w);
	return (len == 0 ? 0 : FZ_HEADER + pre + len);
}

void
fuzz_report(void)
{
	(void) fprintf(stderr, "linux_kallsyms: %lu inputs; %lu tables found "
	    "(layouts ..6.1 %lu, 6.2-6.3 %lu, 6.4.. %lu; relative %lu, "
	    "per-cpu %lu, absolute %lu; %lu names), %lu refused\n",
	    fz_stats.inputs, fz_stats.found, fz_stats.layouts[0],
	    fz_stats.layouts[1], fz_stats.layouts[2], fz_stats.kinds[0],
	    fz_stats.kinds[1], fz_stats.kinds[2], fz_stats.names,
	    fz_stats.refused);
}

bool
fuzz_meaningful(void)
{
	unsigned i;

	for (i = 0; i < 3; i++) {
		if (fz_stats.layouts[i] == 0 || fz_stats.kinds[i] == 0)
			return (false);
	}
	return (fz_stats.found > 0 && fz_stats.refused > 0 &&
	    fz_stats.names > 0);
}
