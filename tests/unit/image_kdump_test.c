/*
 * image_kdump_test.c -- the kdump opener on dumps this test writes
 * (tests/image_build.h): every compression this build has (and none),
 * the 64- and 32-bit header layouts, header versions 1 to 6, pages
 * excluded from the dump (holes), zero pages sharing one descriptor,
 * VMCOREINFO in the sub header and QEMU's notes; each in the standard
 * and the flattened form (records shuffled, a stretch written twice).
 * Every frame is read back byte for byte through the physical window,
 * the vCPU registers and VMCOREINFO must be what was written, a writable
 * copy never reaches the file.  Broken variants: each header field out
 * of range, the file cut at each interesting offset (the header parts
 * refuse to open; a cut in the page data fails just those pages with
 * EIO), bad descriptors and corrupt compressed pages (EIO for that page
 * only), flattened files cut or with bad records, and a compression this
 * build lacks (ENOTSUP naming the library).
 */
#include "config.h"

#include <inttypes.h>

#ifdef HAVE_ZLIB
#include <zlib.h>
#endif
#ifdef HAVE_LZO
#include <lzo/lzo1x.h>
#endif
#ifdef HAVE_SNAPPY
#include <snappy-c.h>
#endif
#ifdef HAVE_ZSTD
#include <zstd.h>
#endif

#include "tests/image_build.h"
#include "tests/unit/image_check.h"

#define	NFRAMES		600
#define	VMCI_SUB	"OSRELEASE=6.1.0-sub\nPAGESIZE=4096\n"
#define	VMCI_NOTE	"OSRELEASE=6.1.0-note\n"

static struct image_model model;
static char path[256];

static const unsigned methods[] = { 0, IB_KD_ZLIB, IB_KD_LZO, IB_KD_SNAPPY,
    IB_KD_ZSTD };

static bool
have(unsigned method)
{
	switch (method) {
	case 0:
		return (true);
#ifdef HAVE_ZLIB
	case IB_KD_ZLIB:
		return (true);
#endif
#ifdef HAVE_LZO
	case IB_KD_LZO:
		return (true);
#endif
#ifdef HAVE_SNAPPY
	case IB_KD_SNAPPY:
		return (true);
#endif
#ifdef HAVE_ZSTD
	case IB_KD_ZSTD:
		return (true);
#endif
	}
	return (false);
}

static size_t
compress_page(unsigned method, const unsigned char *in, unsigned char *out)
{
	switch (method) {
#ifdef HAVE_ZLIB
	case IB_KD_ZLIB: {
		uLongf n = IB_PG;

		return (compress2(out, &n, in, IB_PG, 6) == Z_OK ? n : 0);
	}
#endif
#ifdef HAVE_LZO
	case IB_KD_LZO: {
		static unsigned char wrk[LZO1X_1_MEM_COMPRESS];
		unsigned char big[IB_PG + IB_PG / 16 + 64 + 3];
		lzo_uint n = sizeof (big);

		if (lzo1x_1_compress(in, IB_PG, big, &n, wrk) != LZO_E_OK ||
		    n >= IB_PG)
			return (0);
		memcpy(out, big, n);
		return (n);
	}
#endif
#ifdef HAVE_SNAPPY
	case IB_KD_SNAPPY: {
		char big[8192];
		size_t n = sizeof (big);

		if (snappy_max_compressed_length(IB_PG) > sizeof (big) ||
		    snappy_compress((const char *)in, IB_PG, big, &n) !=
		    SNAPPY_OK || n >= IB_PG)
			return (0);
		memcpy(out, big, n);
		return (n);
	}
#endif
#ifdef HAVE_ZSTD
	case IB_KD_ZSTD: {
		size_t n = ZSTD_compress(out, IB_PG, in, IB_PG, 3);

		return (ZSTD_isError(n) ? 0 : n);
	}
#endif
	}
	(void) in;
	(void) out;
	return (0);
}

/* The notes QEMU writes: per vCPU NT_PRSTATUS and its QEMU note. */
static void
make_vcpu(unsigned i, struct ib_vcpu *v)
{
	unsigned k;

	memset(v, 0, sizeof (*v));
	v->v_pid = i + 1;
	for (k = 0; k < 18; k++)
		v->v_gpr[k] = 0xffffffff81000000ULL + k * 0x100 + i;
	v->v_sel[0] = 0x10;
	v->v_cs_flags = 0x00a09b00;
	v->v_gs_base = 0xffff888000000000ULL + i;
	v->v_cr[0] = 0x80050033;
	v->v_cr[3] = 0x2000000 + i * IB_PG;
	v->v_cr[4] = 0x3506f0;
}

static void
make_notes(struct ib_buf *n)
{
	struct ib_vcpu v;
	unsigned i;

	memset(n, 0, sizeof (*n));
	for (i = 0; i < 2; i++) {
		make_vcpu(i, &v);
		ib_note_prstatus64(n, &v);
		ib_note_qemu(n, &v, 440);
	}
	ib_note_vmcoreinfo(n, VMCI_NOTE);
}

struct variant {
	bool		v_64;
	unsigned	v_version;
	unsigned	v_method;
	bool		v_notes;
};

static void
build(const struct variant *va, struct ib_buf *w, struct ib_kdump_layout *l)
{
	struct ib_buf notes;
	struct ib_kdump_opts o = { .k_64 = va->v_64,
	    .k_version = va->v_version, .k_block_size = IB_PG,
	    .k_max_mapnr = NFRAMES, .k_dumped = model.m_present,
	    .k_bytes = model.m_bytes, .k_method = va->v_method,
	    .k_compress = compress_page, .k_zero_share = true,
	    .k_vmcoreinfo = VMCI_SUB, .k_nr_cpus = 2 };

	make_notes(&notes);
	if (va->v_notes) {
		o.k_notes = notes.b;
		o.k_notes_len = notes.len;
	}
	ib_build_kdump(w, &o, l);
	/* The header's status names the compression used. */
	ib_put(w, va->v_64 ? 424 : 412, va->v_method, 4);
	ib_free(&notes);
}

static void
check_image(const struct variant *va, const struct image *im, bool flat)
{
	unsigned i;

	CHECK(im->im_format == (flat ? IMAGE_KDUMP_FLAT : IMAGE_KDUMP));
	CHECK(strcmp(image_format_name(im->im_format), flat ? "kdump-flat" :
	    "kdump") == 0);
	CHECK(strcmp(physmem_name(im->im_pm), "kdump") == 0);
	CHECK(strstr(im->im_describe, flat ? "kdump-flat" : "kdump") !=
	    NULL);
	CHECK(!im->im_pv && im->im_p2m == NULL);
	/* The sub header's VMCOREINFO wins over the note's. */
	if (va->v_version >= 3)
		CHECK(im->im_vmcoreinfo != NULL &&
		    strcmp(im->im_vmcoreinfo, VMCI_SUB) == 0);
	else
		CHECK(im->im_vmcoreinfo == NULL);
	if (va->v_version >= 4 && va->v_notes) {
		REQUIRE(im->im_nvcpus == 2);
		for (i = 0; i < 2; i++) {
			const struct guest_regs *r = &im->im_vcpus[i];
			struct ib_vcpu v;

			make_vcpu(i, &v);
			CHECK(r->gr_vcpu == i && r->gr_online);
			CHECK(r->gr_valid & GUEST_REGS_CR);
			CHECK(r->gr_rax == v.v_gpr[IB_RAX] &&
			    r->gr_rip == v.v_gpr[IB_RIP] &&
			    r->gr_r15 == v.v_gpr[IB_R15]);
			CHECK(r->gr_cr3 == v.v_cr[3] &&
			    r->gr_gs_base == v.v_gs_base);
			CHECK(r->gr_addr_bits == 64);
		}
	} else
		CHECK(im->im_nvcpus == 0 && im->im_vcpus == NULL);
}

static void
open_and_check(const struct variant *va, const struct ib_buf *w, bool flat)
{
	char errbuf[256];
	enum image_format fmt;
	struct image im;
	int fd;

	ic_spill(path, w->b, w->len);
	REQUIRE((fd = open(path, O_RDONLY)) >= 0);
	CHECK(image_detect(fd, &fmt) == 0 && fmt == (flat ? IMAGE_KDUMP_FLAT :
	    IMAGE_KDUMP));
	(void) close(fd);
	if (image_open(path, false, &im, errbuf, sizeof (errbuf)) != 0)
		fprintf(stderr, "v%u %u-bit %s %s: %s\n", va->v_version,
		    va->v_64 ? 64 : 32, ib_method_name(va->v_method),
		    flat ? "flat" : "standard", errbuf);
	REQUIRE(im.im_pm != NULL);
	check_image(va, &im, flat);
	image_check_frames(im.im_pm, &model);
	image_check_writable(im.im_pm, &model, path);
	image_close(&im);
}

static void
run(const struct variant *va)
{
	struct ib_kdump_layout l;
	struct ib_buf w, f;
	size_t i, compressed = 0, shared = 0;

	build(va, &w, &l);
	/* The dump really has compressed pages, and shared zero pages. */
	for (i = 0; i < l.l_ndesc; i++) {
		const unsigned char *d = w.b + l.l_desc + i * 24;

		compressed += ib_get32(d + 12) != 0;
		shared += i > 0 && ib_get64(d) == ib_get64(d - 24);
	}
	CHECK(va->v_method == 0 ? compressed == 0 : compressed > 100);
	CHECK(shared >= 3);
	open_and_check(va, &w, false);
	ib_flatten(&w, &f, IB_PG, va->v_method + va->v_version, true);
	open_and_check(va, &f, true);
	ib_free(&f);
	/* Records of odd sizes, straddling every boundary. */
	ib_flatten(&w, &f, 1000, 7, false);
	open_and_check(va, &f, true);
	ib_free(&f);
	ib_free(&w);
}

/* path holds b[0 .. len): opening it fails with want. */
static void
expect_refused(const unsigned char *b, size_t len, bool flat, int want,
    const char *what)
{
	char errbuf[256] = "";
	struct image im;
	int fd, rv;

	ic_spill(path, b, len);
	REQUIRE((fd = open(path, O_RDONLY)) >= 0);
	memset(&im, 0, sizeof (im));
	rv = image_open_kdump(fd, path, flat, false, &im, errbuf,
	    sizeof (errbuf));
	(void) close(fd);
	if (rv != want || strstr(errbuf, path) == NULL)
		fprintf(stderr, "%s: got %d (%s), wanted %d\n", what, rv,
		    errbuf, want);
	CHECK(rv == want);
	CHECK(strstr(errbuf, path) != NULL);
	image_close(&im);
}

/* Open b, read every frame: those in bad[] fail with EIO, others fine. */
static void
expect_page_errors(const unsigned char *b, size_t len, const bool *bad,
    const char *what)
{
	struct physwin_opts o = { .po_size = sizeof (o),
	    .po_mode = PHYSWIN_AUTO, .po_kluster = 64 * 1024 };
	unsigned char page[IC_PG];
	char errbuf[256];
	struct physwin *pw;
	struct image im;
	struct as *as;
	uint64_t g, wrong = 0;
	size_t got;
	int err;

	ic_spill(path, b, len);
	if (image_open(path, false, &im, errbuf, sizeof (errbuf)) != 0)
		fprintf(stderr, "%s: %s\n", what, errbuf);
	REQUIRE(im.im_pm != NULL);
	REQUIRE((as = as_alloc(64 << 20)) != NULL);
	REQUIRE((pw = physwin_open(as, im.im_pm, &o)) != NULL);
	for (g = 0; g < NFRAMES; g++) {
		got = physwin_read(pw, g * IC_PG, page, IC_PG, &err);
		if (!model.m_present[g])
			wrong += !(got == 0 && err == ENXIO);
		else if (bad[g])
			wrong += !(got == 0 && err == EIO);
		else
			wrong += !(got == IC_PG && err == 0 && memcmp(page,
			    model.m_bytes + g * IC_PG, IC_PG) == 0);
	}
	if (wrong != 0)
		fprintf(stderr, "%s: %" PRIu64 " frames read wrong\n", what,
		    wrong);
	CHECK(wrong == 0);
	CHECK_VERIFY(as);
	physwin_close(pw);
	as_free(as);
	image_close(&im);
}

static void
test_broken(void)
{
	const struct variant va = { true, 6, have(IB_KD_ZLIB) ? IB_KD_ZLIB :
	    0, true };
	struct ib_kdump_layout l;
	struct ib_buf w, f;
	unsigned char *b;
	bool bad[NFRAMES];
	size_t cuts[12], ncuts = 0, i, h = 424, desc_of = 0;
	uint64_t g;

	build(&va, &w, &l);
	REQUIRE((b = malloc(w.len + IB_PG)) != NULL);

	/* Cut in the headers, bitmaps or descriptors: refused. */
	cuts[ncuts++] = 0;
	cuts[ncuts++] = 100;
	cuts[ncuts++] = 463;
	cuts[ncuts++] = l.l_sub + 10;
	cuts[ncuts++] = l.l_bitmap + 1;
	cuts[ncuts++] = l.l_bitmap + l.l_bitmap_len - 1;
	cuts[ncuts++] = l.l_desc + 1;
	cuts[ncuts++] = l.l_data - 1;
	for (i = 0; i < ncuts; i++) {
		char what[32];

		(void) snprintf(what, sizeof (what), "cut at %zu", cuts[i]);
		expect_refused(w.b, cuts[i], false, EINVAL, what);
	}

#define	BROKEN(what, want, edit) do {					\
	memcpy(b, w.b, w.len);						\
	edit;								\
	expect_refused(b, w.len, false, want, what);			\
} while (0)
	BROKEN("signature", EINVAL, b[0] = 'k');
	BROKEN("header_version 0", EINVAL, ic_put32(b + 8, 0));
	BROKEN("header_version negative", EINVAL, ic_put32(b + 8,
	    0x80000000u));
	BROKEN("block_size 8192", ENOTSUP, ic_put32(b + h + 4, 8192));
	BROKEN("block_size nonsense", EINVAL, {
		ic_put32(b + h + 4, 3);
		ic_put32(b + 416, 3);
	});
	BROKEN("sub_hdr_size huge", EINVAL, ic_put32(b + h + 8,
	    0x7fffffff));
	BROKEN("bitmap_blocks 0", EINVAL, ic_put32(b + h + 12, 0));
	BROKEN("bitmap_blocks past the end", EINVAL, ic_put32(b + h + 12,
	    0x10000));
	BROKEN("max_mapnr_64 beyond the bitmap", EINVAL,
	    ic_put64(b + l.l_sub + 96, 1ULL << 30));
	BROKEN("max_mapnr_64 absurd", EFBIG, ic_put64(b + l.l_sub + 96,
	    1ULL << 50));
	BROKEN("max_mapnr 0", EINVAL, {
		ic_put32(b + h + 16, 0);
		ic_put64(b + l.l_sub + 96, 0);
	});
	BROKEN("two compressions", EINVAL, ic_put32(b + h, 0x3));
	BROKEN("split", ENOTSUP, ic_put32(b + l.l_sub + 12, 1));
	BROKEN("vmcoreinfo offset", EINVAL, ic_put64(b + l.l_sub + 32,
	    w.len));
	BROKEN("vmcoreinfo size", EINVAL, ic_put64(b + l.l_sub + 40,
	    1ULL << 32));
	BROKEN("note offset", EINVAL, ic_put64(b + l.l_sub + 48, w.len - 4));
	BROKEN("note size", EINVAL, ic_put64(b + l.l_sub + 56, 1ULL << 40));
	BROKEN("note contents", EINVAL, ic_put32(b + l.l_notes + 4,
	    0xfffffff0));
#undef BROKEN

	/* A compression this build lacks: ENOTSUP, with the library. */
	for (i = 0; i < sizeof (methods) / sizeof (methods[0]); i++) {
		char errbuf[256];
		struct image im;
		int fd;

		if (have(methods[i]))
			continue;
		memcpy(b, w.b, w.len);
		ic_put32(b + h, methods[i]);
		ic_spill(path, b, w.len);
		REQUIRE((fd = open(path, O_RDONLY)) >= 0);
		memset(&im, 0, sizeof (im));
		CHECK(image_open_kdump(fd, path, false, false, &im, errbuf,
		    sizeof (errbuf)) == ENOTSUP);
		CHECK(strstr(errbuf, ib_method_name(methods[i])) != NULL);
		(void) close(fd);
		image_close(&im);
	}

	/* A cut in the page data: the file opens, pages past it fail. */
	{
		size_t cut = l.l_data + (w.len - l.l_data) / 2;

		for (g = 0, i = 0; g < NFRAMES; g++) {
			bad[g] = false;
			if (!model.m_present[g])
				continue;
			desc_of = l.l_desc + i++ * 24;
			bad[g] = ib_get64(w.b + desc_of) +
			    ib_get32(w.b + desc_of + 8) > cut;
		}
		expect_page_errors(w.b, cut, bad, "cut in the data");
	}

	/* Bad descriptors and corrupt data: that page only. */
	memcpy(b, w.b, w.len);
	memset(bad, 0, sizeof (bad));
	for (g = 0, i = 0; g < NFRAMES; g++) {
		if (!model.m_present[g])
			continue;
		desc_of = l.l_desc + i++ * 24;
		switch (g % 97) {
		case 1:		/* size above a page */
			ic_put32(b + desc_of + 8, IB_PG + 1);
			bad[g] = true;
			break;
		case 2:		/* offset past the end */
			ic_put64(b + desc_of, w.len);
			bad[g] = true;
			break;
		case 3:		/* raw but short */
			if (ib_get32(b + desc_of + 12) == 0) {
				ic_put32(b + desc_of + 8, 100);
				bad[g] = true;
			}
			break;
		case 4:		/* two methods */
			ic_put32(b + desc_of + 12, 0x3);
			bad[g] = true;
			break;
		case 5:		/* corrupt compressed bytes */
			if (ib_get32(b + desc_of + 12) != 0) {
				memset(b + ib_get64(b + desc_of), 0xa5,
				    ib_get32(b + desc_of + 8));
				bad[g] = true;
			}
			break;
		}
	}
	expect_page_errors(b, w.len, bad, "bad descriptors");

	/* Flattened: cut, no end marker, bad records, wrong contents. */
	ib_flatten(&w, &f, IB_PG, 3, false);
	expect_refused(f.b, f.len - 16, true, EINVAL, "no end marker");
	expect_refused(f.b, f.len - 100, true, EINVAL, "cut in a record");
	expect_refused(f.b, 4096, true, EINVAL, "no records");
	expect_refused(f.b, 4000, true, EINVAL, "cut in the flat header");
	expect_refused(f.b, 0, true, EINVAL, "empty");
	{
		unsigned char *c = malloc(f.len);

		REQUIRE(c != NULL);
		memcpy(c, f.b, f.len);
		ic_putbe64(c + 4096, 1ULL << 63);	/* negative offset */
		expect_refused(c, f.len, true, EINVAL, "negative offset");
		memcpy(c, f.b, f.len);
		ic_putbe64(c + 4096 + 8, f.len);	/* past the end */
		expect_refused(c, f.len, true, EINVAL, "size past the end");
		memcpy(c, f.b, f.len);
		ic_putbe64(c + 4096, INT64_MAX - 10);	/* wraps */
		expect_refused(c, f.len, true, EINVAL, "offset wraps");
		memcpy(c, f.b, f.len);
		ic_putbe64(c + 16, 2);			/* type 2 */
		expect_refused(c, f.len, true, EINVAL, "type 2");
		free(c);
	}
	ib_free(&f);
	/* A flattened file that holds an ELF file. */
	{
		struct ib_buf e = { 0 };

		ib_write(&e, 0, "\177ELF", 4);
		ib_put(&e, 4, 0x0102, 2);
		ib_reserve(&e, 8192);
		e.len = 8192;
		ib_flatten(&e, &f, 4096, 1, false);
		expect_refused(f.b, f.len, true, ENOTSUP, "flattened ELF");
		ib_free(&f);
		ib_free(&e);
	}
	free(b);
	ib_free(&w);
}

int
main(void)
{
	static const struct variant layouts[] = {
		{ true, 6, 0, true },
		{ false, 6, 0, true },
		{ true, 1, 0, false },
		{ false, 2, 0, false },
		{ true, 3, 0, false },
		{ true, 4, 0, true },
		{ false, 5, 0, true },
	};
	struct variant va;
	uint64_t g, k;
	size_t i;

	ic_path(path, sizeof (path), "image-kdump", "dump");
	image_model_init(&model, NFRAMES, 0x3c6ef372fe94f82bULL);
	for (g = 0; g < NFRAMES; g++) {
		model.m_present[g] = !(g >= 50 && g < 80) && g % 41 != 7 &&
		    g < NFRAMES - 2;
		if (g % 2 == 0)	/* compressible: a small alphabet */
			for (k = 0; k < IC_PG; k++)
				model.m_bytes[g * IC_PG + k] = (unsigned char)
				    ('a' + (model.m_bytes[g * IC_PG + k] & 3));
		if (g >= 300 && g < 304)	/* zero pages */
			memset(model.m_bytes + g * IC_PG, 0, IC_PG);
	}
	for (i = 0; i < sizeof (methods) / sizeof (methods[0]); i++) {
		if (!have(methods[i])) {
			fprintf(stderr, "this build has no %s: its pages are "
			    "not tested\n", ib_method_name(methods[i]));
			continue;
		}
		va = layouts[0];
		va.v_method = methods[i];
		run(&va);
	}
	for (i = 1; i < sizeof (layouts) / sizeof (layouts[0]); i++) {
		va = layouts[i];
		va.v_method = have(IB_KD_ZLIB) ? IB_KD_ZLIB : 0;
		run(&va);
	}
	test_broken();
	(void) unlink(path);
	image_model_free(&model);
	return (test_done());
}
