/*
 * image_notes_fuzz.c -- fuzz target: the ELF note decoder
 * (guest/image_notes.c) over arbitrary bytes: the first byte says
 * whether the file claims long mode, the rest is a note area.  A
 * refusal is EINVAL with a sentence and leaves nothing behind; a success
 * gives vCPUs numbered 0..n-1 once each (at most 4096), registers whose
 * derived mode is one a CPU can be in, and a NUL-terminated VMCOREINFO.
 * The generator writes random sequences of well-formed notes.
 */
#include "config.h"

#include "guest/image_impl.h"
#include "tests/fuzz/image_fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char errbuf[256] = "";
	struct image_notes in;
	struct image im;
	unsigned char *seen;
	unsigned i;
	int rv;

	if (size < 1)
		return (0);
	fzi.inputs++;
	memset(&im, 0, sizeof (im));
	image_notes_init(&in);
	rv = image_notes_add(&in, data + 1, size - 1, "fuzz-input",
	    "the notes", errbuf, sizeof (errbuf));
	if (rv != 0) {
		FUZZ_ASSERT(rv == EINVAL || rv == ENOMEM);
		FUZZ_ASSERT(strstr(errbuf, "fuzz-input") != NULL);
		image_notes_free(&in);
		FUZZ_ASSERT(in.in_prstatus == NULL && in.in_qemu == NULL &&
		    in.in_vmcoreinfo == NULL);
		fzi.refused++;
		return (0);
	}
	FUZZ_ASSERT(image_notes_finish(&in, (data[0] & 1) != 0, &im) == 0);
	fzi.opened++;
	FUZZ_ASSERT(im.im_nvcpus <= IMAGE_MAX_VCPUS);
	seen = calloc(im.im_nvcpus + 1, 1);
	FUZZ_ASSERT(seen != NULL);
	for (i = 0; i < im.im_nvcpus; i++) {
		const struct guest_regs *r = &im.im_vcpus[i];

		FUZZ_ASSERT(r->gr_vcpu < im.im_nvcpus && !seen[r->gr_vcpu]);
		seen[r->gr_vcpu] = 1;
		FUZZ_ASSERT(r->gr_online && (r->gr_valid & GUEST_REGS_GPR));
		FUZZ_ASSERT(r->gr_addr_bits == 16 || r->gr_addr_bits == 32 ||
		    r->gr_addr_bits == 64);
		/* Long mode only with paging and PAE, when the CRs are known. */
		if ((r->gr_valid & GUEST_REGS_CR) && (r->gr_efer & 0x400))
			FUZZ_ASSERT((r->gr_cr0 & 0x80000001) == 0x80000001 &&
			    (r->gr_cr4 & 0x20));
		FUZZ_ASSERT(r->gr_addr_bits != 64 || (r->gr_efer & 0x400));
	}
	free(seen);
	fzi.vcpus += im.im_nvcpus;
	if (im.im_vmcoreinfo != NULL) {
		FUZZ_ASSERT(im.im_vmcoreinfo[im.im_vmcoreinfo_len] == '\0');
		fzi.vmcoreinfo++;
	}
	image_close(&im);
	return (0);
}

size_t
fuzz_generate(uint64_t seed, uint8_t *buf, size_t cap)
{
	uint64_t rng = seed * 0x9E3779B97F4A7C15ULL + 1;
	struct ib_buf n, w = { 0 };

	fzi_gen_notes(&rng, &n);
	ib_put(&w, 0, prng_below(&rng, 2), 1);
	ib_append(&w, n.b, n.len);
	ib_free(&n);
	if (prng_below(&rng, 8) == 0 && w.len > 8)	/* cut the last note */
		w.len -= 1 + (size_t)prng_below(&rng, 8);
	return (fzi_emit(&w, buf, cap));
}

void
fuzz_report(void)
{
	fzi_report("image_notes");
}

bool
fuzz_meaningful(void)
{
	return (fzi.opened > 0 && fzi.refused > 0 && fzi.vcpus > 0 &&
	    fzi.vmcoreinfo > 0);
}
