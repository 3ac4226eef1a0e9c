/*
 * kdump_fuzz.c -- fuzz target: the kdump-compressed opener and provider
 * (guest/image_kdump.c, the standard form) over arbitrary bytes, then
 * every frame read back, decompressing as it goes
 * (tests/fuzz/image_fuzz.h says what is checked; tests/fuzz/kdump_fuzz.h
 * what the generator writes).
 */
#include "config.h"

#include "tests/fuzz/kdump_fuzz.h"

static int
kd_open(int fd, const char *path, struct image *im, char *errbuf,
    size_t errlen)
{
	return (image_open_kdump(fd, path, false, false, im, errbuf, errlen));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fzi_run(kd_open, data, size);
	return (0);
}

size_t
fuzz_generate(uint64_t seed, uint8_t *buf, size_t cap)
{
	uint64_t rng = seed * 0x9E3779B97F4A7C15ULL + 1;
	struct ib_buf w;

	fzk_generate(&rng, &w);
	return (fzi_emit(&w, buf, cap));
}

void
fuzz_report(void)
{
	fzi_report("kdump");
}

bool
fuzz_meaningful(void)
{
	return (fzi.opened > 0 && fzi.refused > 0 && fzi.frames > 0 &&
	    fzi.holes > 0 && fzi.bad_pages > 0 && fzi.vcpus > 0 &&
	    fzi.vmcoreinfo > 0);
}
