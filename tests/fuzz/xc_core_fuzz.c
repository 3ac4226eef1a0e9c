/*
 * xc_core_fuzz.c -- fuzz target: the xc-core opener
 * (guest/image_xc_core.c: the reader of xen/xc_core.c, the vCPU
 * decoding, the p2m, the provider) over arbitrary bytes, then every
 * frame read back (tests/fuzz/image_fuzz.h says what is checked).  The
 * generator writes dumps with porthole's xc-core writer: PV (64- or
 * 32-bit) or HVM, one to three vCPU contexts of random bytes (online
 * or not), a few pages in any order.
 */
#include "config.h"

#include "tests/fuzz/image_fuzz.h"
#include "xen/xc_core.h"
#include "xen/xc_core_write.h"

static int
xc_open(int fd, const char *path, struct image *im, char *errbuf,
    size_t errlen)
{
	return (image_open_xc_core(fd, path, false, im, errbuf, errlen));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fzi_run(xc_open, data, size);
	return (0);
}

static unsigned char xc_pages[6 * 4096];

static int
xc_read(void *arg, uint64_t first, const uint64_t *pfns, size_t count,
    void *buf, int *errs, struct xen_err *err)
{
	size_t i;

	(void) arg;
	(void) pfns;
	(void) err;
	for (i = 0; i < count; i++) {
		memcpy((char *)buf + i * 4096, xc_pages + (first + i) * 4096,
		    4096);
		errs[i] = 0;
	}
	return (0);
}

size_t
fuzz_generate(uint64_t seed, uint8_t *buf, size_t cap)
{
	static unsigned char ctx[3 * XC_CORE_VCPU_CONTEXT_X86_64];
	uint64_t rng = seed * 0x9E3779B97F4A7C15ULL + 1, pfns[6], gmfns[6];
	struct xc_core_write_opts o;
	struct xen_err xe;
	unsigned i, n;
	off_t len;
	int fd;

	memset(&o, 0, sizeof (o));
	o.wo_hvm = prng_below(&rng, 2) != 0;
	o.wo_machine = !o.wo_hvm && prng_below(&rng, 3) == 0 ?
	    XC_CORE_EM_386 : 0;
	o.wo_nr_vcpus = 1 + prng_below(&rng, 3);
	for (i = 0; i < sizeof (ctx); i += 8) {
		uint64_t x = prng_next(&rng);

		memcpy(ctx + i, &x, 8);
	}
	for (i = 0; i < o.wo_nr_vcpus; i++)	/* VGCF_online, mostly */
		ctx[i * XC_CORE_VCPU_CONTEXT_X86_64 + 512] =
		    prng_below(&rng, 4) ? 0x24 : 0;
	o.wo_prstatus = ctx;
	o.wo_prstatus_entsize = XC_CORE_VCPU_CONTEXT_X86_64;
	n = 1 + (unsigned)prng_below(&rng, 6);
	for (i = 0; i < n; i++) {
		pfns[i] = (i > 0 ? pfns[i - 1] + 1 : 0) + prng_below(&rng, 3);
		gmfns[i] = prng_next(&rng) >> 20;
		fzi_gen_page(&rng, xc_pages + i * 4096);
	}
	if (n > 1 && prng_below(&rng, 2)) {	/* not in pfn order */
		uint64_t t = pfns[0];

		pfns[0] = pfns[n - 1];
		pfns[n - 1] = t;
	}
	o.wo_pfns = pfns;
	o.wo_gmfns = o.wo_hvm ? NULL : gmfns;
	o.wo_nr_pages = n;
	o.wo_read = xc_read;
	fd = fzi_file(NULL, 0);
	xen_err_clear(&xe);
	FUZZ_ASSERT(xc_core_write(fd, "fuzz", &o, NULL, &xe) == 0);
	len = lseek(fd, 0, SEEK_END);
	FUZZ_ASSERT(len > 0);
	if ((size_t)len > cap) {
		(void) close(fd);
		return (0);
	}
	FUZZ_ASSERT(pread(fd, buf, (size_t)len, 0) == len);
	(void) close(fd);
	return ((size_t)len);
}

void
fuzz_report(void)
{
	fzi_report("xc_core");
}

bool
fuzz_meaningful(void)
{
	return (fzi.opened > 0 && fzi.refused > 0 && fzi.frames > 0 &&
	    fzi.holes > 0 && fzi.vcpus > 0);
}
