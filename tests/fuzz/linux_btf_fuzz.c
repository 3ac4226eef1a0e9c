/*
 * linux_btf_fuzz.c -- fuzz target: the BTF reader (libbpf's parser under
 * our lookups) over arbitrary blobs.  Without libbpf the target only
 * checks that every blob is refused with ENOTSUP, and says it is not
 * meaningful, so `make check` fails loudly rather than pass blind; the
 * build lists it only with libbpf.
 *
 * Input: the raw BTF blob.
 *
 * Invariants: the open returns 0 or EINVAL; lookups of the types and
 * members the generator names (and of names taken from the blob) return
 * 0, ENOENT, ENOTSUP or EINVAL and the same answer when asked twice; the
 * blob kept for the cache opens again to the same answers.
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "guest/linux/linux_btf.h"
#include "tests/fuzz/fuzz.h"
#include "tests/prng.h"

#ifdef HAVE_LIBBPF
#include <bpf/btf.h>
#endif

static struct {
	unsigned long	inputs;
	unsigned long	opened;
	unsigned long	refused;
	unsigned long	members;
	unsigned long	bitfields;
	unsigned long	sizes;
	unsigned long	missing;
} fz_stats;

static const char *const fz_types[] = { "s0", "s1", "s2", "s3", "t0", "t1",
	"int", "long", "nosuch" };
static const char *const fz_members[] = { "m0", "m1", "m2", "m3", "m4",
	"m5", "m6", "m7", "b0", "b1", "nosuch" };

#define	FZ_NT	(sizeof (fz_types) / sizeof (fz_types[0]))
#define	FZ_NM	(sizeof (fz_members) / sizeof (fz_members[0]))

struct fz_answer {
	int		a_err;
	uint64_t	a_off;
	uint64_t	a_size;
};

static void
fz_ask(const struct lbtf *b, struct fz_answer ans[FZ_NT][FZ_NM + 1])
{
	unsigned t, m;

	for (t = 0; t < FZ_NT; t++) {
		struct fz_answer *a = &ans[t][FZ_NM];

		memset(a, 0, sizeof (*a));
		a->a_err = lbtf_size(b, fz_types[t], &a->a_size);
		FUZZ_ASSERT(a->a_err == 0 || a->a_err == ENOENT ||
		    a->a_err == EINVAL);
		for (m = 0; m < FZ_NM; m++) {
			a = &ans[t][m];
			memset(a, 0, sizeof (*a));
			a->a_err = lbtf_member(b, fz_types[t], fz_members[m],
			    &a->a_off, &a->a_size);
			FUZZ_ASSERT(a->a_err == 0 || a->a_err == ENOENT ||
			    a->a_err == ENOTSUP || a->a_err == EINVAL);
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fz_answer a1[FZ_NT][FZ_NM + 1], a2[FZ_NT][FZ_NM + 1];
	struct lbtf *b = NULL, *b2 = NULL;
	const void *raw;
	size_t len;
	unsigned t, m;
	int rv;

	fz_stats.inputs++;
	rv = lbtf_open(data, size, &b, NULL, 0);
	if (!lbtf_supported()) {
		FUZZ_ASSERT(rv == ENOTSUP && b == NULL);
		return (0);
	}
	FUZZ_ASSERT(rv == 0 || rv == EINVAL);
	if (rv != 0) {
		FUZZ_ASSERT(b == NULL);
		fz_stats.refused++;
		return (0);
	}
	fz_stats.opened++;
	fz_ask(b, a1);
	fz_ask(b, a2);
	FUZZ_ASSERT(memcmp(a1, a2, sizeof (a1)) == 0);
	raw = lbtf_data(b, &len);
	FUZZ_ASSERT(raw != NULL && len > 0);
	FUZZ_ASSERT(lbtf_open(raw, len, &b2, NULL, 0) == 0);
	fz_ask(b2, a2);
	FUZZ_ASSERT(memcmp(a1, a2, sizeof (a1)) == 0);
	for (t = 0; t < FZ_NT; t++) {
		fz_stats.sizes += a1[t][FZ_NM].a_err == 0;
		for (m = 0; m < FZ_NM; m++) {
			fz_stats.members += a1[t][m].a_err == 0;
			fz_stats.bitfields += a1[t][m].a_err == ENOTSUP;
			fz_stats.missing += a1[t][m].a_err == ENOENT;
		}
	}
	lbtf_close(b2);
	lbtf_close(b);
	return (0);
}

size_t
fuzz_generate(uint64_t seed, uint8_t *buf, size_t cap)
{
#ifdef HAVE_LIBBPF
	uint64_t rng = seed * 0x9E3779B97F4A7C15ULL + 1;
	struct btf *btf = btf__new_empty();
	int i_int, i_long, ids[8], nids = 0, id, anon, prev = 0;
	unsigned s, f, nf, bit;
	char name[8];
	const void *raw;
	__u32 n = 0;
	size_t len = 0;

	if (btf == NULL)
		return (0);
	i_int = btf__add_int(btf, "int", 4, BTF_INT_SIGNED);
	i_long = btf__add_int(btf, "long", 8, BTF_INT_SIGNED);
	for (s = 0; s < 4; s++) {
		/* Sometimes an anonymous union first, to nest. */
		anon = 0;
		if (prng_below(&rng, 2) == 0) {
			anon = btf__add_union(btf, NULL, 8);
			(void) btf__add_field(btf, "m6", i_long, 0, 0);
			(void) btf__add_field(btf, NULL, prev != 0 ? prev :
			    i_int, 0, 0);
		}
		(void) snprintf(name, sizeof (name), "s%u", s);
		nf = 1 + (unsigned)prng_below(&rng, 6);
		id = btf__add_struct(btf, name, 8 * (nf + 1));
		for (f = 0, bit = 0; f < nf; f++, bit += 64) {
			(void) snprintf(name, sizeof (name), "m%u", f);
			if (prng_below(&rng, 5) == 0)
				(void) btf__add_field(btf, "b0", i_int, bit +
				    (unsigned)prng_below(&rng, 8), 3);
			else
				(void) btf__add_field(btf, name, f % 2 ?
				    i_int : i_long, bit, 0);
		}
		if (anon > 0)
			(void) btf__add_field(btf, NULL, anon, bit, 0);
		if (id > 0)
			ids[nids++] = id;
		prev = id;
	}
	if (nids > 0)
		(void) btf__add_typedef(btf, "t0", ids[0]);
	(void) btf__add_typedef(btf, "t1", (int)btf__type_cnt(btf) + 1);
	(void) btf__add_typedef(btf, "t2", (int)btf__type_cnt(btf) - 1);
	raw = btf__raw_data(btf, &n);
	if (raw != NULL && n <= cap) {
		memcpy(buf, raw, n);
		len = n;
	}
	btf__free(btf);
	return (len);
#else
	(void) seed;
	if (cap < 4)
		return (0);
	memcpy(buf, "\x9f\xeb\x01\x00", 4);
	return (4);
#endif
}

void
fuzz_report(void)
{
	(void) fprintf(stderr, "linux_btf: %lu inputs; %lu opened, %lu "
	    "refused; %lu sizes, %lu members, %lu bitfields, %lu missing%s\n",
	    fz_stats.inputs, fz_stats.opened, fz_stats.refused,
	    fz_stats.sizes, fz_stats.members, fz_stats.bitfields,
	    fz_stats.missing, lbtf_supported() ? "" : " (no libbpf)");
}

bool
fuzz_meaningful(void)
{
	return (fz_stats.opened > 0 && fz_stats.refused > 0 &&
	    fz_stats.members > 0 && fz_stats.bitfields > 0 &&
	    fz_stats.sizes > 0 && fz_stats.missing > 0);
}
