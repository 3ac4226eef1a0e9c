/*
 * tests/fuzz/kdump_fuzz.h -- the generator the two kdump fuzz targets
 * share: small well-formed kdump-compressed dumps (64- or 32-bit header,
 * versions 1..6, a few dozen frames of which a few are dumped, pages
 * stored as they are or zlib-compressed when the build has zlib, shared
 * zero pages, random notes and VMCOREINFO), now and then with a header
 * field or a descriptor broken.
 */
#ifndef PORTHOLE_TESTS_KDUMP_FUZZ_H
#define PORTHOLE_TESTS_KDUMP_FUZZ_H

#ifdef HAVE_ZLIB
#include <zlib.h>
#endif

#include "tests/fuzz/image_fuzz.h"

static inline size_t
fzk_compress(unsigned method, const unsigned char *in, unsigned char *out)
{
#ifdef HAVE_ZLIB
	uLongf n = 4096;

	if (method == IB_KD_ZLIB && compress2(out, &n, in, 4096, 1) == Z_OK)
		return (n);
#endif
	(void) method;
	(void) in;
	(void) out;
	return (0);
}

static inline void
fzk_generate(uint64_t *rng, struct ib_buf *w)
{
	static unsigned char bytes[40 * 4096];
	static bool dumped[40];
	struct ib_kdump_layout l;
	struct ib_kdump_opts o;
	struct ib_buf notes;
	uint64_t g, n;
	unsigned k;

	memset(&o, 0, sizeof (o));
	o.k_64 = prng_below(rng, 4) != 0;
	o.k_version = 1 + (unsigned)prng_below(rng, 6);
	o.k_block_size = 4096;
	o.k_max_mapnr = 1 + prng_below(rng, 40);
	memset(dumped, 0, sizeof (dumped));
	n = 1 + prng_below(rng, 6);
	for (k = 0; k < n; k++) {
		g = prng_below(rng, o.k_max_mapnr);
		dumped[g] = true;
		fzi_gen_page(rng, bytes + g * 4096);
	}
	o.k_dumped = dumped;
	o.k_bytes = bytes;
	o.k_method = prng_below(rng, 2) ? IB_KD_ZLIB : 0;
	o.k_compress = fzk_compress;
	o.k_zero_share = prng_below(rng, 2) != 0;
	o.k_vmcoreinfo = prng_below(rng, 2) ? "OSRELEASE=6.1.0-kd\n" : NULL;
	o.k_nr_cpus = 1;
	fzi_gen_notes(rng, &notes);
	o.k_notes = notes.b;
	o.k_notes_len = notes.len;
	ib_build_kdump(w, &o, &l);
	ib_free(&notes);
#ifdef HAVE_ZLIB
	ib_put(w, o.k_64 ? 424 : 412, o.k_method, 4);
#endif
	switch (prng_below(rng, 12)) {
	case 0:		/* a descriptor's size */
		if (l.l_ndesc > 0)
			ib_put(w, l.l_desc + 8, prng_next(rng), 4);
		break;
	case 1:		/* a descriptor's offset */
		if (l.l_ndesc > 0)
			ib_put(w, l.l_desc, prng_below(rng, w->len + 64), 8);
		break;
	case 2:		/* a header field */
		ib_put(w, (o.k_64 ? 424 : 412) + 4 * prng_below(rng, 10),
		    prng_next(rng), 4);
		break;
	case 3:		/* a sub header field */
		ib_put(w, 4096 + 8 * prng_below(rng, 13), prng_next(rng), 8);
		break;
	case 4:		/* corrupt page data */
		if (w->len > l.l_data)
			w->b[l.l_data + prng_below(rng, w->len - l.l_data)] ^=
			    0xff;
		break;
	}
}

#endif /* PORTHOLE_TESTS_KDUMP_FUZZ_H */
