/*
 * tests/fuzz/image_fuzz.h -- what the image-opener fuzz targets share:
 * the input put in a memory file, one opener run over it, and the
 * invariants checked on what it returns, then every frame (up to a
 * budget) read back through a seg_map window.
 *
 * Invariants: an opener fails with one of the errnos the openers name
 * (EINVAL, ENOTSUP, EFBIG, ENOMEM, EIO), a sentence, and nothing left in
 * the image; or it succeeds with a provider of at least one frame, vCPUs
 * numbered 0..n-1 once each, a NUL-terminated VMCOREINFO, a p2m sorted
 * by pfn.  Reading a frame gives its bytes or the errno of a hole
 * (ENXIO) exactly where physmem_present says hole, else 0, EIO or
 * ENOTSUP; the address space's verifier holds afterwards.
 */
#ifndef PORTHOLE_TESTS_IMAGE_FUZZ_H
#define PORTHOLE_TESTS_IMAGE_FUZZ_H

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <porthole/porthole.h>
#include "guest/image.h"
#include "tests/fuzz/fuzz.h"
#include "tests/image_build.h"
#include "tests/prng.h"

/* Frames read per input at most; hole runs cost one read each. */
#define	FZI_READ_BUDGET	256

struct fzi_stats {
	unsigned long	inputs;
	unsigned long	opened;
	unsigned long	refused;
	unsigned long	frames;		/* read with data */
	unsigned long	holes;
	unsigned long	bad_pages;	/* EIO or ENOTSUP */
	unsigned long	vcpus;
	unsigned long	vmcoreinfo;
};

static struct fzi_stats fzi;

typedef int fzi_open_fn(int fd, const char *path, struct image *im,
    char *errbuf, size_t errlen);

/* A memory file holding data (a temporary file where there is none). */
static inline int
fzi_file(const uint8_t *data, size_t size)
{
	int fd;

#ifdef HAVE_MEMFD_CREATE
	fd = memfd_create("porthole-fuzz", MFD_CLOEXEC);
#else
	char tmpl[] = "/tmp/porthole-fuzz-XXXXXX";

	if ((fd = mkstemp(tmpl)) >= 0)
		(void) unlink(tmpl);
#endif
	FUZZ_ASSERT(fd >= 0);
	FUZZ_ASSERT(size == 0 || write(fd, data, size) == (ssize_t)size);
	return (fd);
}

static inline void
fzi_check_image(const struct image *im)
{
	unsigned char *seen;
	unsigned i;
	size_t k;

	FUZZ_ASSERT(im->im_pm != NULL);
	FUZZ_ASSERT(physmem_nframes(im->im_pm) > 0);
	FUZZ_ASSERT(im->im_nvcpus <= 4096);
	FUZZ_ASSERT((im->im_nvcpus == 0) == (im->im_vcpus == NULL));
	seen = calloc(im->im_nvcpus + 1, 1);
	FUZZ_ASSERT(seen != NULL);
	for (i = 0; i < im->im_nvcpus; i++) {
		FUZZ_ASSERT(im->im_vcpus[i].gr_vcpu < im->im_nvcpus);
		FUZZ_ASSERT(!seen[im->im_vcpus[i].gr_vcpu]);
		seen[im->im_vcpus[i].gr_vcpu] = 1;
		FUZZ_ASSERT((im->im_vcpus[i].gr_valid & GUEST_REGS_EFER) == 0);
	}
	free(seen);
	fzi.vcpus += im->im_nvcpus;
	if (im->im_vmcoreinfo != NULL) {
		FUZZ_ASSERT(im->im_vmcoreinfo[im->im_vmcoreinfo_len] == '\0');
		fzi.vmcoreinfo++;
	}
	for (k = 1; k < im->im_np2m; k++)
		FUZZ_ASSERT(im->im_p2m[k - 1].ip_pfn < im->im_p2m[k].ip_pfn);
}

/* Read frames through a seg_map window, checking them against present. */
static inline void
fzi_read_frames(struct physmem *pm)
{
	struct physwin_opts o = { .po_size = sizeof (o),
	    .po_mode = PHYSWIN_MAP, .po_slot = 64 * 1024, .po_nslots = 4 };
	unsigned char page[4096];
	char why[256];
	uint64_t n = physmem_nframes(pm), g = 0, run;
	unsigned budget = FZI_READ_BUDGET;
	struct physwin *pw;
	struct as *as;
	size_t got;
	int err, p;

	FUZZ_ASSERT((as = as_alloc(4 << 20)) != NULL);
	pw = physwin_open(as, pm, &o);
	FUZZ_ASSERT(pw != NULL);
	while (g < n && budget-- > 0) {
		p = physmem_present(pm, g, &run);
		FUZZ_ASSERT(run > g);
		got = physwin_read(pw, g * 4096, page, sizeof (page), &err);
		if (!p) {
			FUZZ_ASSERT(got == 0 && err == ENXIO);
			fzi.holes++;
			g = run;
			continue;
		}
		FUZZ_ASSERT(err == 0 || err == EIO || err == ENOTSUP);
		FUZZ_ASSERT((got == sizeof (page)) == (err == 0));
		if (err == 0)
			fzi.frames++;
		else
			fzi.bad_pages++;
		g++;
	}
	FUZZ_ASSERT(as_verify(as, why, sizeof (why)) == 0);
	physwin_close(pw);
	as_free(as);
}

/* Run open over data and check what it gives. */
static inline void
fzi_run(fzi_open_fn *open_fn, const uint8_t *data, size_t size)
{
	char errbuf[256] = "";
	struct image im;
	int fd, rv;

	fzi.inputs++;
	fd = fzi_file(data, size);
	memset(&im, 0, sizeof (im));
	rv = open_fn(fd, "fuzz-input", &im, errbuf, sizeof (errbuf));
	(void) close(fd);
	if (rv != 0) {
		FUZZ_ASSERT(rv == EINVAL || rv == ENOTSUP || rv == EFBIG ||
		    rv == ENOMEM || rv == EIO);
		FUZZ_ASSERT(strstr(errbuf, "fuzz-input") != NULL);
		FUZZ_ASSERT(im.im_pm == NULL);
		fzi.refused++;
		image_close(&im);
		return;
	}
	fzi.opened++;
	fzi_check_image(&im);
	fzi_read_frames(im.im_pm);
	image_close(&im);
}

static inline void
fzi_report(const char *name)
{
	(void) fprintf(stderr, "%s: %lu inputs: %lu opened, %lu refused; "
	    "frames: %lu read, %lu holes, %lu bad; %lu vCPUs, %lu "
	    "VMCOREINFO\n", name, fzi.inputs, fzi.opened, fzi.refused,
	    fzi.frames, fzi.holes, fzi.bad_pages, fzi.vcpus, fzi.vmcoreinfo);
}

/* ---- for the generators ---- */

/* Random notes: up to three vCPUs' NT_PRSTATUS and QEMU notes, maybe
 * VMCOREINFO, maybe a note of no interest. */
static inline void
fzi_gen_notes(uint64_t *rng, struct ib_buf *n)
{
	unsigned nv = (unsigned)prng_below(rng, 4), i, k, kind;
	bool wide = prng_below(rng, 4) != 0;
	struct ib_vcpu v;

	memset(n, 0, sizeof (*n));
	kind = (unsigned)prng_below(rng, 3);	/* both, prstatus, qemu */
	for (i = 0; i < nv; i++) {
		memset(&v, 0, sizeof (v));
		v.v_pid = prng_below(rng, 8) == 0 ? (uint32_t)prng_next(rng) :
		    i + 1;
		for (k = 0; k < 18; k++)
			v.v_gpr[k] = wide ? prng_next(rng) :
			    (uint32_t)prng_next(rng);
		v.v_sel[0] = (uint16_t)prng_next(rng);
		v.v_cs_flags = (uint32_t)prng_next(rng);
		v.v_cr[0] = prng_below(rng, 2) ? 0x80050033 : 0x11;
		v.v_cr[3] = prng_next(rng) & ~0xfffULL;
		v.v_cr[4] = prng_below(rng, 2) ? 0x3506f0 : 0x6d0;
		if (kind != 2) {
			if (wide)
				ib_note_prstatus64(n, &v);
			else
				ib_note_prstatus32(n, &v);
		}
		if (kind != 1)
			ib_note_qemu(n, &v, prng_below(rng, 2) ? 440 : 432);
	}
	if (prng_below(rng, 4) == 0)
		ib_note(n, "CORE", 2, "fpu", 3);
	if (prng_below(rng, 2) == 0)
		ib_note_vmcoreinfo(n, "OSRELEASE=6.1.0-fuzz\nPAGESIZE=4096\n");
}

/* A page of data: random, or zeros now and then. */
static inline void
fzi_gen_page(uint64_t *rng, unsigned char *page)
{
	unsigned i;

	if (prng_below(rng, 5) == 0) {
		memset(page, 0, 4096);
		return;
	}
	for (i = 0; i < 4096; i += 8) {
		uint64_t x = prng_below(rng, 2) ? prng_next(rng) :
		    0x6161616161616161ULL;

		memcpy(page + i, &x, 8);
	}
}

/* Copy a built image into the generator's buffer (0 when too big). */
static inline size_t
fzi_emit(struct ib_buf *w, uint8_t *buf, size_t cap)
{
	size_t n = w->len <= cap ? w->len : 0;

	if (n > 0)
		memcpy(buf, w->b, n);
	ib_free(w);
	return (n);
}

#endif /* PORTHOLE_TESTS_IMAGE_FUZZ_H */
