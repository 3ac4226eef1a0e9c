/*
 * kdump_flat_fuzz.c -- fuzz target: the flattened-kdump index
 * (guest/kdump_flat.c) and the kdump opener reading through it, over
 * arbitrary bytes, then every frame read back (tests/fuzz/image_fuzz.h
 * says what is checked).  The generator flattens the kdump generator's
 * dumps into records of random sizes in random order, now and then with
 * a stretch written twice (the last write wins) or a record broken.
 */
#include "config.h"

#include "tests/fuzz/kdump_fuzz.h"

static int
kf_open(int fd, const char *path, struct image *im, char *errbuf,
    size_t errlen)
{
	return (image_open_kdump(fd, path, true, false, im, errbuf, errlen));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fzi_run(kf_open, data, size);
	return (0);
}

size_t
fuzz_generate(uint64_t seed, uint8_t *buf, size_t cap)
{
	uint64_t rng = seed * 0x9E3779B97F4A7C15ULL + 1;
	struct ib_buf w, f;
	size_t rec;

	fzk_generate(&rng, &w);
	ib_flatten(&w, &f, 256 + (size_t)prng_below(&rng, 8000), seed,
	    prng_below(&rng, 2) != 0);
	ib_free(&w);
	if (prng_below(&rng, 8) == 0 && f.len > 4096 + 16) {
		/* The first record's offset or size. */
		rec = 4096 + 8 * (size_t)prng_below(&rng, 2);
		ib_put_be64(&f, rec, prng_next(&rng) >> prng_below(&rng, 64));
	}
	return (fzi_emit(&f, buf, cap));
}

void
fuzz_report(void)
{
	fzi_report("kdump_flat");
}

bool
fuzz_meaningful(void)
{
	return (fzi.opened > 0 && fzi.refused > 0 && fzi.frames > 0 &&
	    fzi.holes > 0 && fzi.vcpus > 0);
}
