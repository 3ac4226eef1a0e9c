/*
 * qemu_elf_fuzz.c -- fuzz target: the QEMU ELF opener
 * (guest/image_qemu_elf.c) and the note decoder behind it over arbitrary
 * bytes, then every frame read back (tests/fuzz/image_fuzz.h says what
 * is checked).  The generator writes well-formed dumps: ELF64 or ELF32,
 * one to three PT_LOADs of a few pages (tails past p_filesz, partial
 * pages, now and then two that overlap or one off a page boundary),
 * random notes, memory aligned or not, PN_XNUM now and then.
 */
#include "config.h"

#include "tests/fuzz/image_fuzz.h"

static int
qe_open(int fd, const char *path, struct image *im, char *errbuf,
    size_t errlen)
{
	return (image_open_qemu_elf(fd, path, false, im, errbuf, errlen));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fzi_run(qe_open, data, size);
	return (0);
}

size_t
fuzz_generate(uint64_t seed, uint8_t *buf, size_t cap)
{
	static unsigned char data[9 * 4096];
	uint64_t rng = seed * 0x9E3779B97F4A7C15ULL + 1, frame = 0;
	struct ib_segment segs[3];
	struct ib_elf_opts o;
	struct ib_buf notes, w;
	unsigned i, pages, off = 0;

	memset(&o, 0, sizeof (o));
	o.e_64 = prng_below(&rng, 4) != 0;
	o.e_machine = o.e_64 && prng_below(&rng, 2) ? 62 : 3;
	o.e_align = prng_below(&rng, 2) != 0;
	o.e_xnum = prng_below(&rng, 6) == 0;
	o.e_nsegs = 1 + (size_t)prng_below(&rng, 3);
	for (i = 0; i < o.e_nsegs; i++) {
		pages = 1 + (unsigned)prng_below(&rng, 3);
		frame += prng_below(&rng, 4);
		segs[i].s_paddr = frame * 4096;
		segs[i].s_filesz = pages * 4096;
		segs[i].s_memsz = segs[i].s_filesz + prng_below(&rng, 3) *
		    4096;
		if (prng_below(&rng, 6) == 0)
			segs[i].s_filesz -= prng_below(&rng, 4096);
		switch (prng_below(&rng, 16)) {
		case 0:		/* overlaps the one before */
			if (i > 0)
				segs[i].s_paddr -= 4096;
			break;
		case 1:		/* off a page boundary */
			segs[i].s_paddr += 512;
			break;
		}
		segs[i].s_data = data + off;
		for (; pages > 0; pages--, off += 4096)
			fzi_gen_page(&rng, data + off);
		frame += (segs[i].s_memsz + 4095) / 4096;
	}
	fzi_gen_notes(&rng, &notes);
	o.e_segs = segs;
	o.e_notes = notes.b;
	o.e_notes_len = notes.len;
	ib_build_elf(&w, &o, NULL);
	ib_free(&notes);
	return (fzi_emit(&w, buf, cap));
}

void
fuzz_report(void)
{
	fzi_report("qemu_elf");
}

bool
fuzz_meaningful(void)
{
	return (fzi.opened > 0 && fzi.refused > 0 && fzi.frames > 0 &&
	    fzi.holes > 0 && fzi.vcpus > 0 && fzi.vmcoreinfo > 0);
}
