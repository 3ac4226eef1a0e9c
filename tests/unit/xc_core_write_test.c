/*
 * xc_core_write_test.c -- the xc-core writer, the reader reading its
 * output back, and the xc-core image provider; no Xen needed.
 *
 * The test builds a guest image of random pages, lists its frames the way
 * the live dumper would (PV with machine frames, HVM with a sparse pfn
 * list, in file order ascending or scrambled), makes some of them
 * unreadable, and writes xc-core files with several vCPU context blobs.
 * Each file must equal, byte for byte, what this test computes by
 * following xl's own layout algorithm (tools/libs/guest/xg_core.c: the
 * section header fixup, the page rounding, the note sizes); the reader
 * must give back the same pfns, pages, contexts and notes; the provider,
 * through seg_kpm and seg_map windows and a bare kpm segment, must show
 * the same bytes with holes where the file has no frame.  Then the
 * failure paths: an interrupted or cancelled write leaves no file that
 * looks complete, damaged files are refused with the sentence that names
 * the damage, and every call's argument errors are reported.
 */
#include "config.h"

#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <porthole/porthole.h>
#include "tests/test.h"
#include "xen/xc_core.h"
#include "xen/xc_core_write.h"

#define	PG		4096u
#define	NFRAMES		300u		/* image frames: pfns 0 .. 299 */
#define	NVCPUS		3u
#define	CTX_SIZE	5168u		/* vcpu_guest_context_any_t, x86-64 */
#define	XV_SIZE		XC_CORE_XEN_VERSION_SIZE

static unsigned char *image;		/* NFRAMES pages */
static bool unreadable[NFRAMES + 64];	/* listed, but the read fails */
static unsigned char contexts[NVCPUS * CTX_SIZE];
static unsigned char shinfo[PG];
static unsigned char xenver[XV_SIZE];
static char dir[256];			/* the test's scratch directory */
static uint64_t rng = 0x9E3779B97F4A7C15ULL;

static uint64_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (rng);
}

static void
fill_random(unsigned char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (unsigned char)rnd();
}

static void
put64(unsigned char *p, uint64_t v)
{
	int i;

	for (i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static void
put32(unsigned char *p, uint64_t v)
{
	int i;

	for (i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static void
put16(unsigned char *p, uint64_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
}

static uint64_t
get64(const unsigned char *p)
{
	uint64_t v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return (v);
}

static void
path_in_dir(char *buf, size_t len, const char *name)
{
	REQUIRE(snprintf(buf, len, "%s/%s", dir, name) < (int)len);
}

/* Files in the scratch directory whose name starts with prefix. */
static int
count_files(const char *prefix)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	REQUIRE(d != NULL);
	while ((de = readdir(d)) != NULL)
		n += strncmp(de->d_name, prefix, strlen(prefix)) == 0;
	(void) closedir(d);
	return (n);
}

static unsigned char *
slurp(const char *path, size_t *lenp)
{
	struct stat st;
	unsigned char *b;
	int fd;

	REQUIRE((fd = open(path, O_RDONLY)) >= 0);
	REQUIRE(fstat(fd, &st) == 0);
	REQUIRE((b = malloc((size_t)st.st_size + 1)) != NULL);
	REQUIRE(pread(fd, b, (size_t)st.st_size, 0) == st.st_size);
	(void) close(fd);
	*lenp = (size_t)st.st_size;
	return (b);
}

static void
spill(const char *path, const unsigned char *b, size_t len)
{
	int fd;

	REQUIRE((fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600)) >= 0);
	REQUIRE(len == 0 || write(fd, b, len) == (ssize_t)len);
	REQUIRE(close(fd) == 0);
}

/* The page source: the image, with unreadable frames and a failure. */
struct source {
	uint64_t	s_fail_at;	/* list entry whose batch fails */
	unsigned int	s_calls;
	size_t		s_max_count;
};

static int
source_read(void *arg, uint64_t first, const uint64_t *pfns, size_t count,
    void *buf, int *errs, struct xen_err *err)
{
	struct source *s = arg;
	size_t i;

	s->s_calls++;
	if (count > s->s_max_count)
		s->s_max_count = count;
	if (s->s_fail_at >= first && s->s_fail_at < first + count)
		return (xen_err_set(err, EIO, "test source failed at list "
		    "entry %" PRIu64, s->s_fail_at));
	for (i = 0; i < count; i++) {
		if (pfns[i] >= NFRAMES || unreadable[pfns[i]]) {
			errs[i] = ENXIO;
			memset((char *)buf + i * PG, 0xAA, PG);
			continue;
		}
		memcpy((char *)buf + i * PG, image + pfns[i] * PG, PG);
		errs[i] = 0;
	}
	return (0);
}

static int
cancel_progress(void *arg, uint64_t done, uint64_t total)
{
	uint64_t *at = arg;

	CHECK(done <= total);
	return (done >= *at);
}

static int
count_progress(void *arg, uint64_t done, uint64_t total)
{
	uint64_t *last = arg;

	CHECK(done > *last && done <= total);
	*last = done;
	return (0);
}

/* One kind of file to write. */
struct scenario {
	const char	*sc_name;
	bool		sc_hvm;
	bool		sc_scramble;	/* file order not ascending */
	bool		sc_shinfo;
	uint64_t	sc_max_pages;
	size_t		sc_batch;
	uint16_t	sc_machine;
	size_t		sc_xv_len;	/* 0: no XEN_VERSION bytes given */
};

/* The page list of a scenario, and what should land in the file. */
struct listing {
	uint64_t	l_pfns[NFRAMES + 64];
	uint64_t	l_gmfns[NFRAMES + 64];
	uint64_t	l_n;
	uint64_t	l_kept_pfn[NFRAMES + 64];	/* in file order */
	uint64_t	l_kept_gmfn[NFRAMES + 64];
	uint64_t	l_nkept;
	uint64_t	l_missing;
	uint64_t	l_over;
	bool		l_in_file[NFRAMES + 64];	/* by pfn */
};

static bool
listed(const struct scenario *sc, uint64_t pfn)
{
	if (pfn >= 100 && pfn < 140)		/* a hole nobody lists */
		return (false);
	if (sc->sc_hvm && pfn >= 0xa0 && pfn < 0xc0)	/* the VGA hole */
		return (false);
	if (!sc->sc_hvm && pfn >= NFRAMES)
		return (false);
	return (true);
}

static void
make_listing(const struct scenario *sc, struct listing *l)
{
	uint64_t pfn, i, limit = sc->sc_hvm ? NFRAMES + 10 : NFRAMES;

	memset(l, 0, sizeof (*l));
	for (pfn = 0; pfn < limit; pfn++) {
		if (!listed(sc, pfn))
			continue;
		l->l_pfns[l->l_n] = pfn;
		l->l_gmfns[l->l_n] = sc->sc_hvm ? pfn : 0x80000 + pfn * 7;
		l->l_n++;
	}
	if (sc->sc_scramble) {
		/* Reverse every run of 8, and swap the two halves. */
		for (i = 0; i + 8 <= l->l_n; i += 8) {
			uint64_t k;

			for (k = 0; k < 4; k++) {
				uint64_t t = l->l_pfns[i + k];

				l->l_pfns[i + k] = l->l_pfns[i + 7 - k];
				l->l_pfns[i + 7 - k] = t;
				t = l->l_gmfns[i + k];
				l->l_gmfns[i + k] = l->l_gmfns[i + 7 - k];
				l->l_gmfns[i + 7 - k] = t;
			}
		}
		for (i = 0; i < l->l_n / 2; i++) {
			uint64_t j = i + l->l_n / 2, t;

			t = l->l_pfns[i];
			l->l_pfns[i] = l->l_pfns[j];
			l->l_pfns[j] = t;
			t = l->l_gmfns[i];
			l->l_gmfns[i] = l->l_gmfns[j];
			l->l_gmfns[j] = t;
		}
	}
	for (i = 0; i < l->l_n; i++) {
		pfn = l->l_pfns[i];
		if (sc->sc_max_pages != 0 && l->l_nkept == sc->sc_max_pages) {
			l->l_over++;
			continue;
		}
		if (pfn >= NFRAMES || unreadable[pfn]) {
			l->l_missing++;
			continue;
		}
		l->l_kept_pfn[l->l_nkept] = pfn;
		l->l_kept_gmfn[l->l_nkept] = l->l_gmfns[i];
		l->l_in_file[pfn] = true;
		l->l_nkept++;
	}
}

static void
fill_opts(const struct scenario *sc, struct listing *l, struct source *src,
    struct xc_core_write_opts *o)
{
	memset(o, 0, sizeof (*o));
	memset(src, 0, sizeof (*src));
	src->s_fail_at = UINT64_MAX;
	o->wo_hvm = sc->sc_hvm;
	o->wo_machine = sc->sc_machine;
	o->wo_pfns = l->l_pfns;
	o->wo_gmfns = sc->sc_hvm ? NULL : l->l_gmfns;
	o->wo_nr_pages = l->l_n;
	o->wo_max_pages = sc->sc_max_pages;
	o->wo_prstatus = contexts;
	o->wo_prstatus_entsize = CTX_SIZE;
	o->wo_nr_vcpus = NVCPUS;
	o->wo_shared_info = sc->sc_shinfo ? shinfo : NULL;
	o->wo_xen_version = sc->sc_xv_len != 0 ? xenver : NULL;
	o->wo_xen_version_len = sc->sc_xv_len;
	o->wo_read = source_read;
	o->wo_read_arg = src;
	o->wo_batch = sc->sc_batch;
}

/* A section header as xl's xc_core_shdr_set fills it. */
static void
xl_shdr(unsigned char *p, uint64_t name, uint32_t type, uint64_t off,
    uint64_t size, uint64_t align, uint64_t entsize)
{
	memset(p, 0, 64);
	put32(p, name);
	put32(p + 4, type);
	put64(p + 24, off);
	put64(p + 32, size);
	put64(p + 48, align);
	put64(p + 56, entsize);
}

static size_t
xl_note(unsigned char *p, uint32_t type, const unsigned char *desc,
    size_t len)
{
	put32(p, 4);
	put32(p + 4, len);
	put32(p + 8, type);
	memcpy(p + 12, "Xen", 4);
	if (len > 0)
		memcpy(p + 16, desc, len);
	return (16 + len);
}

/*
 * The file xl's xc_domain_dumpcore_via_callback would write for these
 * inputs, computed its way: sections appended in xl's order with offsets
 * from the end of the ELF header, then shifted by the size of the section
 * header table (the "fixup"), the pages rounded up to a page boundary,
 * and the string table last.
 */
static unsigned char *
xl_expected(const struct scenario *sc, const struct listing *l,
    size_t *lenp)
{
	static const char *const base_names[] = { ".shstrtab", ".note.Xen",
	    ".xen_prstatus" };
	unsigned char shdr[7][64], *f, hdr[32], zero_xv[XV_SIZE];
	char strtab[256];
	size_t strtab_len = 1, nsh = 0, i, total, at;
	uint64_t name[7], off, filesz, fixup, dummy, pages_off, tab_off;
	uint64_t entsz = sc->sc_hvm ? 8 : 16;

	memset(strtab, 0, sizeof (strtab));
	memset(zero_xv, 0, sizeof (zero_xv));
	for (i = 0; i < 3; i++) {
		name[i + 1] = strtab_len;
		strcpy(strtab + strtab_len, base_names[i]);
		strtab_len += strlen(base_names[i]) + 1;
	}
	xl_shdr(shdr[nsh++], 0, 0, 0, 0, 0, 0);
	xl_shdr(shdr[nsh++], name[1], 3, 0, 0, 0, 0);
	off = 64;
	filesz = 16 + (16 + 32) + (16 + XV_SIZE) + (16 + 8);
	xl_shdr(shdr[nsh++], name[2], 7, off, filesz, 0, 0);
	off += filesz;
	filesz = (uint64_t)NVCPUS * CTX_SIZE;
	xl_shdr(shdr[nsh++], name[3], 1, off, filesz, 8, CTX_SIZE);
	off += filesz;
	if (sc->sc_shinfo) {
		name[4] = strtab_len;
		strcpy(strtab + strtab_len, ".xen_shared_info");
		strtab_len += strlen(".xen_shared_info") + 1;
		xl_shdr(shdr[nsh++], name[4], 1, off, PG, 8, PG);
		off += PG;
	}
	fixup = (nsh + 2) * 64;
	for (i = 1; i < nsh; i++)
		put64(shdr[i] + 24, get64(shdr[i] + 24) + fixup);
	off += fixup;
	dummy = ((off + PG - 1) & ~(uint64_t)(PG - 1)) - off;
	off += dummy;
	pages_off = off;
	name[5] = strtab_len;
	strcpy(strtab + strtab_len, ".xen_pages");
	strtab_len += strlen(".xen_pages") + 1;
	xl_shdr(shdr[nsh++], name[5], 1, off, l->l_nkept * PG, PG, PG);
	off += l->l_nkept * PG;
	tab_off = off;
	name[6] = strtab_len;
	strcpy(strtab + strtab_len, sc->sc_hvm ? ".xen_pfn" : ".xen_p2m");
	strtab_len += strlen(sc->sc_hvm ? ".xen_pfn" : ".xen_p2m") + 1;
	xl_shdr(shdr[nsh++], name[6], 1, off, l->l_nkept * entsz, 8, entsz);
	off += l->l_nkept * entsz;
	put64(shdr[1] + 24, off);
	put64(shdr[1] + 32, strtab_len);
	total = (size_t)(off + strtab_len);

	REQUIRE((f = calloc(1, total)) != NULL);
	memcpy(f, "\177ELF", 4);
	f[4] = 2;
	f[5] = 1;
	f[6] = 1;
	f[7] = 0;
	f[8] = 1;
	put16(f + 16, 4);
	put16(f + 18, sc->sc_machine != 0 ? sc->sc_machine : 62);
	put32(f + 20, 1);
	put64(f + 40, 64);
	put16(f + 52, 64);
	put16(f + 54, 56);
	put16(f + 58, 64);
	put16(f + 60, nsh);
	put16(f + 62, 1);
	at = 64;
	for (i = 0; i < nsh; i++, at += 64)
		memcpy(f + at, shdr[i], 64);
	at += xl_note(f + at, 0x2000000, NULL, 0);
	put64(hdr, sc->sc_hvm ? 0xF00FEBEE : 0xF00FEBED);
	put64(hdr + 8, NVCPUS);
	put64(hdr + 16, l->l_nkept);
	put64(hdr + 24, PG);
	at += xl_note(f + at, 0x2000001, hdr, 32);
	at += xl_note(f + at, 0x2000002, sc->sc_xv_len != 0 ? xenver :
	    zero_xv, XV_SIZE);
	put64(hdr, 1);
	at += xl_note(f + at, 0x2000003, hdr, 8);
	memcpy(f + at, contexts, sizeof (contexts));
	at += sizeof (contexts);
	if (sc->sc_shinfo) {
		memcpy(f + at, shinfo, PG);
		at += PG;
	}
	at += (size_t)dummy;
	CHECK(at == pages_off);
	for (i = 0; i < l->l_nkept; i++, at += PG)
		memcpy(f + at, image + l->l_kept_pfn[i] * PG, PG);
	CHECK(at == tab_off);
	for (i = 0; i < l->l_nkept; i++) {
		put64(f + at, l->l_kept_pfn[i]);
		if (!sc->sc_hvm)
			put64(f + at + 8, l->l_kept_gmfn[i]);
		at += (size_t)entsz;
	}
	memcpy(f + at, strtab, strtab_len);
	CHECK(at + strtab_len == total);
	*lenp = total;
	return (f);
}

/* The reader gives back what was written. */
static void
check_read_back(const char *path, const struct scenario *sc,
    const struct listing *l)
{
	const struct xc_core_info *ci;
	struct xc_core *c;
	struct xen_err err;
	unsigned char page[PG], big[NVCPUS * CTX_SIZE + 16];
	uint64_t i, pfn, gmfn, idx, prev = 0, maxpfn = 0;

	c = xc_core_open(path, &err);
	if (c == NULL)
		fprintf(stderr, "%s: %s\n", sc->sc_name, xen_err_msg(&err));
	REQUIRE(c != NULL);
	ci = xc_core_info(c);
	CHECK(ci->ci_hvm == sc->sc_hvm);
	CHECK(ci->ci_machine == (sc->sc_machine != 0 ? sc->sc_machine : 62));
	CHECK(ci->ci_nr_pages == l->l_nkept);
	CHECK(ci->ci_nr_valid == l->l_nkept);
	CHECK(ci->ci_nr_padding == 0);
	CHECK(ci->ci_page_size == PG);
	CHECK(ci->ci_pages_offset % PG == 0);
	CHECK(ci->ci_nr_vcpus == NVCPUS);
	CHECK(ci->ci_prstatus_size == sizeof (contexts));
	CHECK(ci->ci_prstatus_entsize == CTX_SIZE);
	CHECK(ci->ci_shared_info_size == (sc->sc_shinfo ? PG : 0));
	CHECK(ci->ci_format_version == 1);
	CHECK(ci->ci_xen_version_size == XV_SIZE);
	if (sc->sc_xv_len != 0) {
		CHECK(ci->ci_xen_major == 4 && ci->ci_xen_minor == 17);
		CHECK(strcmp(ci->ci_xen_extra, ".7-test") == 0);
	}
	CHECK(xc_core_read_prstatus(c, big, sizeof (big), &err) == 0);
	CHECK(memcmp(big, contexts, sizeof (contexts)) == 0);
	CHECK(xc_core_read_xen_version(c, big, sizeof (big), &err) == 0);
	CHECK(sc->sc_xv_len == 0 ? bytes_all_zero(big, XV_SIZE) :
	    memcmp(big, xenver, XV_SIZE) == 0);
	if (sc->sc_shinfo) {
		CHECK(xc_core_read_shared_info(c, page, sizeof (page),
		    &err) == 0);
		CHECK(memcmp(page, shinfo, PG) == 0);
	} else {
		CHECK_ERRNO(xc_core_read_shared_info(c, page, sizeof (page),
		    &err), ENOENT);
		CHECK(strstr(err.xe_msg, "no .xen_shared_info") != NULL);
	}
	for (i = 0; i < l->l_nkept; i++) {
		CHECK(xc_core_page_pfn(c, i, &pfn, &gmfn, &err) == 0);
		CHECK(pfn == l->l_kept_pfn[i]);
		CHECK(gmfn == (sc->sc_hvm ? pfn : l->l_kept_gmfn[i]));
		CHECK(xc_core_read_page(c, i, page, &err) == 0);
		CHECK(memcmp(page, image + pfn * PG, PG) == 0);
		CHECK(xc_core_find_pfn(c, pfn, &idx, &err) == 0 && idx == i);
		if (pfn + 1 > maxpfn)
			maxpfn = pfn + 1;
	}
	CHECK(ci->ci_pfn_limit == maxpfn);
	for (i = 0; i < ci->ci_nr_valid; i++) {
		CHECK(xc_core_nth_by_pfn(c, i, &pfn, &idx, &err) == 0);
		CHECK(i == 0 || pfn > prev);
		CHECK(l->l_kept_pfn[idx] == pfn);
		prev = pfn;
	}
	for (pfn = 0; pfn < NFRAMES + 64; pfn++) {
		if (l->l_in_file[pfn])
			continue;
		CHECK_ERRNO(xc_core_find_pfn(c, pfn, &idx, &err), ENOENT);
	}
	CHECK(strstr(err.xe_msg, "is not in the dump") != NULL);
	xc_core_close(c);
}

/* Run ends as physmem_present must report them, from the listing. */
static void
check_present(struct physmem *pm, const struct listing *l)
{
	uint64_t n = physmem_nframes(pm), g, run, want;
	int p;

	for (g = 0; g < n; g++) {
		p = physmem_present(pm, g, &run);
		CHECK(p == (int)l->l_in_file[g]);
		for (want = g + 1; want < n &&
		    l->l_in_file[want] == l->l_in_file[g]; want++)
			;
		if (run != want) {
			fprintf(stderr, "present(%" PRIu64 ") run %" PRIu64
			    ", want %" PRIu64 "\n", g, run, want);
			CHECK(run == want);
			break;
		}
	}
	CHECK(physmem_present(pm, n, &run) == 0);
}

/* Page by page through a window: data, or a hole (ENXIO / zeros). */
static void
check_window(struct physwin *pw, const struct listing *l, uint64_t n,
    bool zero)
{
	unsigned char page[PG];
	uint64_t g;
	size_t got;
	int err;

	for (g = 0; g < n; g++) {
		got = physwin_read(pw, g * PG, page, PG, &err);
		if (l->l_in_file[g]) {
			CHECK(got == PG && err == 0);
			CHECK(memcmp(page, image + g * PG, PG) == 0);
		} else if (zero) {
			CHECK(got == PG && err == 0);
			CHECK(bytes_all_zero(page, PG));
		} else {
			CHECK(got == 0 && err == ENXIO);
		}
	}
	got = physwin_read(pw, n * PG, page, 8, &err);
	CHECK(got == 0 && err == EINVAL);
}

static void
check_provider(const char *path, const struct listing *l)
{
	static const enum physwin_mode modes[] = { PHYSWIN_KPM, PHYSWIN_MAP };
	struct segkpm_crargs a = { .kluster = 64 * 1024, .prot = PROT_READ };
	struct physmem *pm;
	struct physwin *pw;
	struct as *as;
	char errbuf[256] = "junk", desc[256];
	unsigned char *buf;
	uint64_t n, g, maxpfn = 0;
	size_t m, z, got;
	int err;

	for (g = 0; g < l->l_nkept; g++)
		if (l->l_kept_pfn[g] + 1 > maxpfn)
			maxpfn = l->l_kept_pfn[g] + 1;
	pm = physmem_xc_core_open(path, errbuf, sizeof (errbuf));
	if (pm == NULL)
		fprintf(stderr, "%s: %s\n", path, errbuf);
	REQUIRE(pm != NULL);
	CHECK(errbuf[0] == '\0');
	n = physmem_nframes(pm);
	CHECK(n == maxpfn);
	CHECK(strcmp(physmem_name(pm), "xc-core") == 0);
	physmem_describe(pm, desc, sizeof (desc));
	CHECK(strstr(desc, "xc-core") != NULL && strstr(desc, path) != NULL);
	check_present(pm, l);

	for (m = 0; m < 2; m++) {
		for (z = 0; z <= 1; z++) {
			struct physwin_opts o = { .po_size = sizeof (o),
			    .po_mode = modes[m], .po_kluster = 32 * 1024,
			    .po_cap = z ? 0 : 128 * 1024,
			    .po_slot = 16 * 1024, .po_nslots = 4,
			    .po_holes_zero = (int)z };

			REQUIRE((as = as_alloc(64 << 20)) != NULL);
			REQUIRE((pw = physwin_open(as, pm, &o)) != NULL);
			CHECK_VERIFY(as);
			check_window(pw, l, n, z != 0);
			CHECK_VERIFY(as);
			physwin_close(pw);
			CHECK(as_nsegs(as) == 0);
			as_free(as);
		}
	}

	/* A bare kpm segment read with as_read, holes as zeros. */
	REQUIRE((as = as_alloc(64 << 20)) != NULL);
	a.pm = pm;
	a.flags = SEGKPM_HOLES_ZERO;
	REQUIRE(as_map(as, as_window_base(as), (size_t)(n * PG), segkpm_create,
	    &a) == 0);
	REQUIRE((buf = malloc((size_t)(n * PG))) != NULL);
	got = as_read(as, as_window_base(as), buf, (size_t)(n * PG), &err);
	CHECK(got == n * PG && err == 0);
	for (g = 0; g < n; g++) {
		if (l->l_in_file[g])
			CHECK(memcmp(buf + g * PG, image + g * PG, PG) == 0);
		else
			CHECK(bytes_all_zero(buf + g * PG, PG));
	}
	free(buf);
	CHECK_VERIFY(as);
	CHECK(as_unmap(as, as_window_base(as), (size_t)(n * PG)) == 0);
	as_free(as);
	physmem_rele(pm);
}

static void
run_scenario(const struct scenario *sc)
{
	struct xc_core_write_opts o;
	struct xc_core_write_stats st;
	struct listing *l;
	struct source src;
	struct xen_err err;
	unsigned char *got, *want;
	size_t glen, wlen;
	uint64_t last = 0;
	char path[512];

	REQUIRE((l = malloc(sizeof (*l))) != NULL);
	make_listing(sc, l);
	fill_opts(sc, l, &src, &o);
	o.wo_progress = count_progress;
	o.wo_progress_arg = &last;
	path_in_dir(path, sizeof (path), sc->sc_name);
	if (xc_core_write_file(path, 0, &o, &st, &err) != 0)
		fprintf(stderr, "%s: %s\n", sc->sc_name, xen_err_msg(&err));
	CHECK(st.ws_written == l->l_nkept);
	CHECK(st.ws_missing == l->l_missing);
	CHECK(st.ws_over_limit == l->l_over);
	if (l->l_missing > 0)
		CHECK(st.ws_first_missing_errno == ENXIO);
	CHECK(src.s_max_count <= (sc->sc_batch != 0 ? sc->sc_batch :
	    XC_CORE_WRITE_BATCH));
	CHECK(sc->sc_max_pages != 0 || last == l->l_n);
	CHECK(count_files(sc->sc_name) == 1);	/* no temporary left */

	got = slurp(path, &glen);
	want = xl_expected(sc, l, &wlen);
	CHECK(st.ws_bytes == glen);
	CHECK(glen == wlen);
	if (glen == wlen && memcmp(got, want, glen) != 0) {
		size_t k;

		for (k = 0; got[k] == want[k]; k++)
			;
		fprintf(stderr, "%s: differs from xl's layout at byte %zu\n",
		    sc->sc_name, k);
		CHECK(!"the file is laid out as xl lays it out");
	}
	free(got);
	free(want);
	check_read_back(path, sc, l);
	check_provider(path, l);
	free(l);
}

static void
test_layouts(void)
{
	static const struct scenario scs[] = {
		{ "pv", false, false, true, 0, 0, 0, XV_SIZE },
		{ "pv-scrambled", false, true, true, 0, 7, 0, XV_SIZE },
		{ "pv32-noshinfo", false, false, false, 0, 64, 3, XV_SIZE },
		{ "hvm", true, false, false, 0, 0, 0, XV_SIZE },
		{ "hvm-shinfo-scrambled", true, true, true, 0, 1, 0, 0 },
		{ "pv-capped", false, false, true, 123, 50, 0, XV_SIZE },
	};
	size_t i;

	for (i = 0; i < sizeof (scs) / sizeof (scs[0]); i++)
		run_scenario(&scs[i]);
}

/* A write that fails half way leaves nothing that looks like a core. */
static void
test_interrupted(void)
{
	static const struct scenario sc = { "intr", false, false, true, 0, 16,
	    0, XV_SIZE };
	struct xc_core_write_opts o;
	struct xc_core_write_stats st;
	struct listing *l;
	struct source src;
	struct xen_err err;
	struct xc_core *c;
	unsigned char old[32] = "an older file, left alone";
	unsigned char *b;
	char path[512];
	uint64_t at;
	size_t len;
	int fd;

	REQUIRE((l = malloc(sizeof (*l))) != NULL);
	make_listing(&sc, l);
	path_in_dir(path, sizeof (path), "intr.core");

	/* The read callback fails midway: no file, no temporary. */
	fill_opts(&sc, l, &src, &o);
	src.s_fail_at = l->l_n / 2;
	CHECK_ERRNO(xc_core_write_file(path, 0, &o, &st, &err), EIO);
	CHECK(strstr(err.xe_msg, "test source failed") != NULL);
	CHECK(st.ws_written > 0 && st.ws_written < l->l_nkept);
	CHECK(access(path, F_OK) != 0 && errno == ENOENT);
	CHECK(count_files("intr") == 0);

	/* The same over an older file: it stays as it was. */
	spill(path, old, sizeof (old));
	CHECK_ERRNO(xc_core_write_file(path, 0, &o, &st, &err), EIO);
	b = slurp(path, &len);
	CHECK(len == sizeof (old) && memcmp(b, old, len) == 0);
	free(b);
	CHECK(count_files("intr") == 1);

	/* Cancelled by the progress callback. */
	fill_opts(&sc, l, &src, &o);
	at = 40;
	o.wo_progress = cancel_progress;
	o.wo_progress_arg = &at;
	CHECK_ERRNO(xc_core_write_file(path, 0, &o, &st, &err), ECANCELED);
	CHECK(strstr(err.xe_msg, "cancelled") != NULL);
	CHECK(count_files("intr") == 1);

	/* NOREPLACE refuses the existing file and leaves it alone. */
	fill_opts(&sc, l, &src, &o);
	CHECK_ERRNO(xc_core_write_file(path, XC_CORE_FILE_NOREPLACE, &o, &st,
	    &err), EEXIST);
	CHECK(strstr(err.xe_msg, "already exists") != NULL);
	b = slurp(path, &len);
	CHECK(len == sizeof (old) && memcmp(b, old, len) == 0);
	free(b);
	CHECK(count_files("intr") == 1);
	CHECK(unlink(path) == 0);
	CHECK(xc_core_write_file(path, XC_CORE_FILE_NOREPLACE, &o, &st,
	    &err) == 0);
	CHECK(count_files("intr") == 1);
	CHECK(unlink(path) == 0);

	/* On a bare descriptor: what is there has a zero ELF header. */
	fill_opts(&sc, l, &src, &o);
	src.s_fail_at = l->l_n - 1;
	REQUIRE((fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600)) >= 0);
	CHECK_ERRNO(xc_core_write(fd, path, &o, &st, &err), EIO);
	(void) close(fd);
	b = slurp(path, &len);
	CHECK(len > PG && bytes_all_zero(b, 64));
	free(b);
	c = xc_core_open(path, &err);
	CHECK(c == NULL && errno == EINVAL);
	CHECK(strstr(err.xe_msg, "no ELF magic") != NULL);
	xc_core_close(c);
	CHECK(unlink(path) == 0);

	/* A directory that does not exist. */
	fill_opts(&sc, l, &src, &o);
	CHECK_ERRNO(xc_core_write_file("/nonexistent-dir/x.core", 0, &o, &st,
	    &err), ENOENT);
	CHECK(strstr(err.xe_msg, "temporary file") != NULL);
	free(l);
}

/*
 * A write the file system stops part way (RLIMIT_FSIZE: EFBIG) fails in
 * the step that hit the limit, with nothing left behind.  Runs in a child
 * so the limit stays there.
 */
struct fsize_case {
	rlim_t		fc_limit;
	const char	*fc_what;	/* the step named in the sentence */
};

static void
fsize_child(void *arg)
{
	static const struct scenario sc = { "fsize", false, false, true, 0, 0,
	    0, XV_SIZE };
	const struct fsize_case *fc = arg;
	struct rlimit rl = { fc->fc_limit, fc->fc_limit };
	struct xc_core_write_opts o;
	struct xc_core_write_stats st;
	struct listing *l;
	struct source src;
	struct xen_err err;
	char path[512];

	(void) signal(SIGXFSZ, SIG_IGN);
	REQUIRE(setrlimit(RLIMIT_FSIZE, &rl) == 0);
	REQUIRE((l = malloc(sizeof (*l))) != NULL);
	make_listing(&sc, l);
	fill_opts(&sc, l, &src, &o);
	path_in_dir(path, sizeof (path), "fsize.core");
	if (xc_core_write_file(path, 0, &o, &st, &err) == 0 ||
	    errno != EFBIG) {
		fprintf(stderr, "limit %ld: not refused with EFBIG\n",
		    (long)fc->fc_limit);
		_exit(1);
	}
	if (strstr(err.xe_msg, fc->fc_what) == NULL) {
		fprintf(stderr, "limit %ld: \"%s\" lacks \"%s\"\n",
		    (long)fc->fc_limit, err.xe_msg, fc->fc_what);
		_exit(1);
	}
	if (count_files("fsize") != 0) {
		fprintf(stderr, "limit %ld: files left behind\n",
		    (long)fc->fc_limit);
		_exit(1);
	}
	free(l);
	_exit(0);
}

static void
test_write_failures(const char *good)
{
	struct xc_core *c;
	struct xen_err err;
	struct stat st;
	struct fsize_case fc[4];
	uint64_t pages;
	size_t i;
	char what[64];

	REQUIRE(stat(good, &st) == 0);
	REQUIRE((c = xc_core_open(good, &err)) != NULL);
	pages = xc_core_info(c)->ci_pages_offset;
	xc_core_close(c);
	fc[0] = (struct fsize_case){ 100, "writing .xen_pages" };
	fc[1] = (struct fsize_case){ (rlim_t)pages + 10 * PG + 100,
	    "writing .xen_pages" };
	fc[2] = (struct fsize_case){ (rlim_t)st.st_size - 2000,
	    "writing the pfn table" };
	fc[3] = (struct fsize_case){ (rlim_t)st.st_size - 10,
	    "writing .shstrtab" };
	for (i = 0; i < 4; i++) {
		(void) snprintf(what, sizeof (what), "file size limit %ld",
		    (long)fc[i].fc_limit);
		CHECK(test_survives(fsize_child, &fc[i], what));
	}
}

/* expr fails with errno e and a sentence containing what. */
#define	CHECK_REFUSED(expr, e, what) do {				\
	xen_err_clear(&err);						\
	CHECK_ERRNO(expr, e);						\
	if (strstr(err.xe_msg, (what)) == NULL) {			\
		fprintf(stderr, "%s:%d: message \"%s\" lacks \"%s\"\n",	\
		    __FILE__, __LINE__, err.xe_msg, (what));		\
		CHECK(!"the message names the problem");		\
	}								\
} while (0)

static void
test_writer_arguments(void)
{
	static const struct scenario sc = { "args", false, false, true, 0, 0,
	    0, XV_SIZE };
	struct xc_core_write_opts o;
	struct xc_core_write_stats st;
	struct listing *l;
	struct source src;
	struct xen_err err;
	char path[512];
	uint64_t dup[3] = { 5, 9, 5 }, saved;
	int fd, p[2];

	REQUIRE((l = malloc(sizeof (*l))) != NULL);
	make_listing(&sc, l);
	path_in_dir(path, sizeof (path), "args.core");
	REQUIRE((fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600)) >= 0);

	CHECK_REFUSED(xc_core_write(fd, path, NULL, &st, &err), EINVAL,
	    "NULL options");
	fill_opts(&sc, l, &src, &o);
	CHECK_REFUSED(xc_core_write(-1, path, &o, &st, &err), EINVAL,
	    "bad file descriptor");
	REQUIRE(pipe(p) == 0);
	CHECK_REFUSED(xc_core_write(p[1], "pipe", &o, &st, &err), EINVAL,
	    "regular file");
	(void) close(p[0]);
	(void) close(p[1]);

	fill_opts(&sc, l, &src, &o);
	o.wo_pfns = NULL;
	CHECK_REFUSED(xc_core_write(fd, path, &o, &st, &err), EINVAL,
	    "no pfn list");
	fill_opts(&sc, l, &src, &o);
	o.wo_gmfns = NULL;
	CHECK_REFUSED(xc_core_write(fd, path, &o, &st, &err), EINVAL,
	    "machine frame");
	fill_opts(&sc, l, &src, &o);
	o.wo_read = NULL;
	CHECK_REFUSED(xc_core_write(fd, path, &o, &st, &err), EINVAL,
	    "no read callback");
	fill_opts(&sc, l, &src, &o);
	o.wo_nr_pages = UINT64_MAX / 4;
	CHECK_REFUSED(xc_core_write(fd, path, &o, &st, &err), EFBIG,
	    "more than a file can hold");
	fill_opts(&sc, l, &src, &o);
	o.wo_batch = XC_CORE_WRITE_MAX_BATCH + 1;
	CHECK_REFUSED(xc_core_write(fd, path, &o, &st, &err), EINVAL,
	    "batch");
	fill_opts(&sc, l, &src, &o);
	o.wo_nr_vcpus = 0;
	CHECK_REFUSED(xc_core_write(fd, path, &o, &st, &err), EINVAL,
	    "vCPU context");
	fill_opts(&sc, l, &src, &o);
	o.wo_prstatus = NULL;
	CHECK_REFUSED(xc_core_write(fd, path, &o, &st, &err), EINVAL,
	    "vCPU context");
	fill_opts(&sc, l, &src, &o);
	o.wo_prstatus_entsize = 0;
	CHECK_REFUSED(xc_core_write(fd, path, &o, &st, &err), EINVAL,
	    "vCPU context");
	fill_opts(&sc, l, &src, &o);
	o.wo_nr_vcpus = 1u << 20;
	CHECK_REFUSED(xc_core_write(fd, path, &o, &st, &err), EFBIG,
	    "vCPU contexts");
	fill_opts(&sc, l, &src, &o);
	o.wo_xen_version = NULL;
	CHECK_REFUSED(xc_core_write(fd, path, &o, &st, &err), EINVAL,
	    "XEN_VERSION");
	fill_opts(&sc, l, &src, &o);
	o.wo_xen_version_len = 8;
	CHECK_REFUSED(xc_core_write(fd, path, &o, &st, &err), EINVAL,
	    "XEN_VERSION");
	fill_opts(&sc, l, &src, &o);
	o.wo_xen_version_len = XC_CORE_XEN_VERSION_MAX + 4;
	CHECK_REFUSED(xc_core_write(fd, path, &o, &st, &err), EINVAL,
	    "XEN_VERSION");
	fill_opts(&sc, l, &src, &o);
	o.wo_pfns = dup;
	o.wo_nr_pages = 3;
	CHECK_REFUSED(xc_core_write(fd, path, &o, &st, &err), EINVAL,
	    "pfn 0x5 appears more than once");
	dup[2] = 9;
	dup[0] = 1;
	CHECK_REFUSED(xc_core_write(fd, path, &o, &st, &err), EINVAL,
	    "pfn 0x9 appears more than once");
	saved = l->l_pfns[7];
	l->l_pfns[7] = UINT64_MAX;
	fill_opts(&sc, l, &src, &o);
	CHECK_REFUSED(xc_core_write(fd, path, &o, &st, &err), EINVAL,
	    "reserves for padding");
	l->l_pfns[7] = saved;
	/* After the refusals the descriptor still takes a good write. */
	fill_opts(&sc, l, &src, &o);
	CHECK(xc_core_write(fd, path, &o, &st, &err) == 0);
	CHECK(st.ws_written == l->l_nkept);
	(void) close(fd);

	CHECK_REFUSED(xc_core_write_file(path, 0, NULL, &st, &err), EINVAL,
	    "NULL options");
	CHECK_REFUSED(xc_core_write_file(NULL, 0, &o, &st, &err), EINVAL,
	    "bad argument");
	CHECK_REFUSED(xc_core_write_file("", 0, &o, &st, &err), EINVAL,
	    "bad argument");
	CHECK_REFUSED(xc_core_write_file(path, 0x80, &o, &st, &err), EINVAL,
	    "bad argument");
	CHECK_REFUSED(xc_core_file_atomic(path, 0, NULL, NULL, &err), EINVAL,
	    "bad argument");
	/* No pages at all is a valid (if useless) core. */
	fill_opts(&sc, l, &src, &o);
	o.wo_nr_pages = 0;
	CHECK(xc_core_write_file(path, 0, &o, &st, &err) == 0);
	CHECK(st.ws_written == 0 && st.ws_bytes > PG);
	{
		struct xc_core *c = xc_core_open(path, &err);
		char eb[256];

		CHECK(c != NULL && xc_core_info(c)->ci_nr_pages == 0);
		xc_core_close(c);
		CHECK(physmem_xc_core_open(path, eb, sizeof (eb)) == NULL &&
		    errno == EINVAL);
		CHECK(strstr(eb, "no guest pages") != NULL);
	}
	CHECK(unlink(path) == 0);
	free(l);
}

static void
test_reader_arguments(const char *path)
{
	struct xc_core *c;
	struct xen_err err;
	unsigned char page[PG];
	uint64_t x;
	char eb[256];

	CHECK(xc_core_open(NULL, &err) == NULL && errno == EINVAL);
	CHECK(strstr(err.xe_msg, "NULL path") != NULL);
	CHECK(xc_core_open("/nonexistent/core", &err) == NULL &&
	    errno == ENOENT);
	CHECK(strstr(err.xe_msg, "/nonexistent/core") != NULL);
	CHECK(xc_core_fdopen(-1, "x", &err) == NULL && errno == EBADF);
	CHECK(xc_core_open(dir, &err) == NULL && errno == EINVAL);
	CHECK(strstr(err.xe_msg, "not a regular file") != NULL);
	CHECK_REFUSED(xc_core_page_pfn(NULL, 0, &x, &x, &err), EINVAL,
	    "NULL core");
	CHECK_REFUSED(xc_core_nth_by_pfn(NULL, 0, &x, &x, &err), EINVAL,
	    "NULL core");
	CHECK_REFUSED(xc_core_read_page(NULL, 0, page, &err), EINVAL, "NULL");
	CHECK_REFUSED(xc_core_find_pfn(NULL, 0, &x, &err), EINVAL, "NULL");
	CHECK_REFUSED(xc_core_read_prstatus(NULL, page, 1, &err), EINVAL,
	    "NULL core");
	CHECK_REFUSED(xc_core_read_shared_info(NULL, page, 1, &err), EINVAL,
	    "NULL core");
	CHECK_REFUSED(xc_core_read_xen_version(NULL, page, 1, &err), EINVAL,
	    "NULL core");

	REQUIRE((c = xc_core_open(path, &err)) != NULL);
	x = xc_core_info(c)->ci_nr_pages;
	CHECK_REFUSED(xc_core_page_pfn(c, x, NULL, NULL, &err), ERANGE,
	    "out of range");
	CHECK_REFUSED(xc_core_nth_by_pfn(c, x, NULL, NULL, &err), ERANGE,
	    "out of range");
	CHECK_REFUSED(xc_core_read_page(c, x, page, &err), ERANGE,
	    "out of range");
	CHECK_REFUSED(xc_core_read_page(c, 0, NULL, &err), EINVAL, "NULL");
	CHECK_REFUSED(xc_core_find_pfn(c, 0, NULL, &err), EINVAL, "NULL");
	CHECK_REFUSED(xc_core_read_prstatus(c, page, sizeof (page), &err),
	    ERANGE, "needs 15504 bytes");
	CHECK_REFUSED(xc_core_read_prstatus(c, NULL, 100000, &err), EINVAL,
	    "NULL buffer");
	CHECK_REFUSED(xc_core_read_shared_info(c, page, 100, &err), ERANGE,
	    "needs 4096 bytes");
	CHECK_REFUSED(xc_core_read_xen_version(c, page, 100, &err), ERANGE,
	    "needs 1280 bytes");
	xc_core_close(c);
	xc_core_close(NULL);

	CHECK(physmem_xc_core_open(NULL, eb, sizeof (eb)) == NULL &&
	    errno == EINVAL);
	CHECK(strstr(eb, "NULL path") != NULL);
	CHECK(physmem_xc_core_open("/nonexistent/core", NULL, 0) == NULL &&
	    errno == ENOENT);
	CHECK(physmem_xc_core_open("/nonexistent/core", eb, 4) == NULL &&
	    errno == ENOENT && strlen(eb) == 3);
}

/* The section header of name in the file image b. */
static unsigned char *
shdr_of(unsigned char *b, const char *name)
{
	uint64_t shoff = get64(b + 40), stroff;
	unsigned int n = b[60] | b[61] << 8, strndx = b[62] | b[63] << 8, i;

	stroff = get64(b + shoff + strndx * 64 + 24);
	for (i = 0; i < n; i++) {
		unsigned char *sh = b + shoff + i * 64;
		uint32_t nm = sh[0] | sh[1] << 8 | sh[2] << 16 |
		    (uint32_t)sh[3] << 24;

		if (strcmp((char *)b + stroff + nm, name) == 0)
			return (sh);
	}
	REQUIRE(!"section found");
	return (NULL);
}

/* The desc of the HEADER note (after NONE's 16 bytes and its own 16). */
static unsigned char *
header_desc(unsigned char *b)
{
	return (b + get64(shdr_of(b, ".note.Xen") + 24) + 32);
}

static void
expect_refused(const unsigned char *b, size_t len, const char *what,
    const char *label)
{
	struct xen_err err;
	struct xc_core *c;
	struct physmem *pm;
	char path[512], eb[512];

	path_in_dir(path, sizeof (path), "bad.core");
	spill(path, b, len);
	xen_err_clear(&err);
	c = xc_core_open(path, &err);
	CHECK(c == NULL);
	if (c != NULL) {
		fprintf(stderr, "%s: accepted\n", label);
		xc_core_close(c);
		return;
	}
	CHECK(errno == err.xe_errno && err.xe_errno != 0);
	if (what != NULL && strstr(err.xe_msg, what) == NULL) {
		fprintf(stderr, "%s: message \"%s\" lacks \"%s\"\n", label,
		    err.xe_msg, what);
		CHECK(!"the refusal names the problem");
	}
	pm = physmem_xc_core_open(path, eb, sizeof (eb));
	CHECK(pm == NULL && errno == err.xe_errno);
	CHECK(strcmp(eb, err.xe_msg) == 0);
	physmem_rele(pm);
}

static void
test_malformed(const char *path)
{
	unsigned char *good, *b, *sh, *sh2;
	size_t len, n;
	char label[64];

	good = slurp(path, &len);
	REQUIRE((b = malloc(len)) != NULL);

	/* Every truncation cuts the name table at the end of the file. */
	for (n = 0; n < len; n += n < 2 * PG ? 97 : PG - 3) {
		(void) snprintf(label, sizeof (label), "truncated to %zu", n);
		expect_refused(good, n, NULL, label);
	}
	expect_refused(good, len - 1, "bad section name table", "minus 1");
	expect_refused(good, 40, "shorter than an ELF header", "40 bytes");

#define	MUTATE(what, stmt) do {						\
	memcpy(b, good, len);						\
	stmt;								\
	expect_refused(b, len, (what), #stmt);				\
} while (0)
	MUTATE("no ELF magic", b[1] = 'X');
	MUTATE("64-bit little-endian", b[4] = 1);
	MUTATE("ET_CORE", put16(b + 16, 2));
	MUTATE("section headers past end", put64(b + 40, len - 64));
	MUTATE("section headers past end", put64(b + 40, UINT64_MAX - 32));
	MUTATE("section count", put16(b + 60, 0));
	MUTATE("name table index", put16(b + 62, 7));
	MUTATE("section header size", put16(b + 58, 32));
	/* Notes. */
	MUTATE("bad magic in the HEADER note", put64(header_desc(b), 0x1234));
	MUTATE("runs past the end of .note.Xen",
	    put32(header_desc(b) - 12, 0x7ffffff0));
	MUTATE("no HEADER note", put32(header_desc(b) - 8, 0x2000009));
	MUTATE("short HEADER note", put32(header_desc(b) - 12, 8));
	MUTATE("format version 1.1 is not supported",
	    put64(b + get64(shdr_of(b, ".note.Xen") + 24) +
	    get64(shdr_of(b, ".note.Xen") + 32) - 8, UINT64_C(1) << 32 | 1));
	MUTATE("implausible page size", put64(header_desc(b) + 24, 5000));
	MUTATE("HEADER magic and pfn table kind disagree",
	    put64(header_desc(b), 0xF00FEBEE));
	/* Sizes and offsets. */
	MUTATE("size disagrees with the page count",
	    put64(header_desc(b) + 16, UINT64_MAX));
	MUTATE("size disagrees with the page count",
	    put64(header_desc(b) + 16, 3));
	MUTATE(".xen_pages lies outside the file",
	    put64(shdr_of(b, ".xen_pages") + 24, UINT64_MAX - 4096));
	MUTATE(".xen_pages lies outside the file",
	    put64(shdr_of(b, ".xen_pages") + 32, (uint64_t)len));
	MUTATE(".xen_p2m lies outside the file",
	    put64(shdr_of(b, ".xen_p2m") + 24, len - 8));
	MUTATE("overlap", put64(shdr_of(b, ".xen_p2m") + 24,
	    get64(shdr_of(b, ".xen_pages") + 24)));
	MUTATE("overlap", put64(shdr_of(b, ".xen_prstatus") + 24, 64));
	MUTATE("overlap", put64(shdr_of(b, ".xen_shared_info") + 24,
	    get64(shdr_of(b, ".xen_prstatus") + 24) + 8));
	MUTATE("not page aligned", (sh = shdr_of(b, ".xen_pages"),
	    put64(sh + 24, get64(sh + 24) - 8)));
	MUTATE("not one 16-byte entry", (sh = shdr_of(b, ".xen_p2m"),
	    put64(sh + 32, get64(sh + 32) - 16)));
	MUTATE("not one 16-byte entry", (sh = shdr_of(b, ".xen_p2m"),
	    put64(sh + 32, get64(sh + 32) - 3)));
	MUTATE("appears twice in the pfn table", (sh = shdr_of(b, ".xen_p2m"),
	    put64(b + get64(sh + 24) + 5 * 16, get64(b + get64(sh + 24)))));
	MUTATE("not 3 vCPU contexts", (sh = shdr_of(b, ".xen_prstatus"),
	    put64(sh + 32, get64(sh + 32) - 8)));
	MUTATE("not 2 vCPU contexts", put64(header_desc(b) + 8, 2));
	MUTATE("section .xen_pages appears twice",
	    (sh = shdr_of(b, ".xen_p2m"), sh2 = shdr_of(b, ".xen_pages"),
	    memcpy(sh, sh2, 4)));
	MUTATE("exactly one of .xen_p2m and .xen_pfn",
	    put32(shdr_of(b, ".xen_p2m"), 0));
	MUTATE("no .xen_prstatus", put32(shdr_of(b, ".xen_prstatus"), 0));
	MUTATE("no .note.Xen", put32(shdr_of(b, ".note.Xen"), 0));
	MUTATE("section name out of range",
	    put32(shdr_of(b, ".xen_pages"), 100000));
#undef MUTATE
	free(b);
	free(good);
}

/* xl's padding pages: table entries of all ones name no frame. */
static void
test_padding(const char *path)
{
	struct xc_core *c;
	struct xen_err err;
	struct physmem *pm;
	unsigned char *b, *sh;
	uint64_t tab, n, pfn_last, pfn_mid, idx, run, pfn;
	size_t len;
	char p2[512], eb[256];

	b = slurp(path, &len);
	sh = shdr_of(b, ".xen_p2m");
	tab = get64(sh + 24);
	n = get64(sh + 32) / 16;
	REQUIRE(n > 20);
	pfn_last = get64(b + tab + (n - 1) * 16);
	pfn_mid = get64(b + tab + 10 * 16);
	put64(b + tab + (n - 1) * 16, UINT64_MAX);
	put64(b + tab + (n - 1) * 16 + 8, UINT64_MAX);
	put64(b + tab + (n - 2) * 16, UINT64_MAX);
	put64(b + tab + (n - 2) * 16 + 8, UINT64_MAX);
	path_in_dir(p2, sizeof (p2), "padded.core");
	spill(p2, b, len);
	REQUIRE((c = xc_core_open(p2, &err)) != NULL);
	CHECK(xc_core_info(c)->ci_nr_padding == 2);
	CHECK(xc_core_info(c)->ci_nr_valid == n - 2);
	CHECK(xc_core_find_pfn(c, pfn_last, &idx, &err) < 0 &&
	    errno == ENOENT);
	CHECK(xc_core_page_pfn(c, n - 1, &pfn, NULL, &err) == 0 &&
	    pfn == XC_CORE_PADDING_PFN);
	CHECK(xc_core_nth_by_pfn(c, n - 3, &pfn, &idx, &err) == 0 &&
	    idx == n - 3);
	xc_core_close(c);

	/* Padding in the middle: the index path. */
	put64(b + tab + 10 * 16, UINT64_MAX);
	spill(p2, b, len);
	REQUIRE((c = xc_core_open(p2, &err)) != NULL);
	CHECK(xc_core_info(c)->ci_nr_padding == 3);
	CHECK(xc_core_find_pfn(c, pfn_mid, &idx, &err) < 0 &&
	    errno == ENOENT);
	CHECK(xc_core_find_pfn(c, pfn_mid + 1, &idx, &err) == 0 &&
	    idx == 11);
	xc_core_close(c);
	pm = physmem_xc_core_open(p2, eb, sizeof (eb));
	REQUIRE(pm != NULL);
	CHECK(physmem_present(pm, pfn_mid, &run) == 0 && run == pfn_mid + 1);
	CHECK(physmem_present(pm, pfn_mid + 1, &run) == 1);
	physmem_rele(pm);
	free(b);
}

/* A file truncated after it was opened: EIO, never SIGBUS. */
static void
test_truncated_under_us(const char *path)
{
	struct physwin_opts o = { .po_size = sizeof (o),
	    .po_mode = PHYSWIN_KPM, .po_kluster = 16 * 1024 };
	struct xen_err err;
	struct xc_core *c;
	struct physmem *pm;
	struct physwin *pw;
	struct as *as;
	unsigned char *b, page[PG];
	uint64_t off, idx, pfn;
	size_t len, got;
	char p2[512], eb[256];
	int e, fd;

	b = slurp(path, &len);
	path_in_dir(p2, sizeof (p2), "shrinking.core");
	spill(p2, b, len);
	free(b);
	REQUIRE((c = xc_core_open(p2, &err)) != NULL);
	off = xc_core_info(c)->ci_pages_offset;
	REQUIRE(xc_core_nth_by_pfn(c, xc_core_info(c)->ci_nr_valid - 1, &pfn,
	    &idx, &err) == 0);
	xc_core_close(c);
	REQUIRE((pm = physmem_xc_core_open(p2, eb, sizeof (eb))) != NULL);
	REQUIRE((as = as_alloc(64 << 20)) != NULL);
	REQUIRE((pw = physwin_open(as, pm, &o)) != NULL);
	/* Keep only the pages before the one holding the highest pfn. */
	REQUIRE((fd = open(p2, O_RDWR)) >= 0);
	REQUIRE(ftruncate(fd, (off_t)(off + idx * PG)) == 0);
	(void) close(fd);
	got = physwin_read(pw, pfn * PG, page, PG, &e);
	CHECK(got == 0 && e == EIO);
	physwin_close(pw);
	as_free(as);
	physmem_rele(pm);
	CHECK(unlink(p2) == 0);
}

#ifdef HAVE_XEN
#include "xen/xc_core_dump.h"

/* The live dumper's argument checks come before any use of Xen. */
static void
test_dump_arguments(void)
{
	struct xen_err err;
	struct xc_core_dump_stats st;
	long dummy = 0;
	struct xen_handle *fake = (struct xen_handle *)(void *)&dummy;
	char path[512];

	path_in_dir(path, sizeof (path), "dump.core");
	CHECK_REFUSED(xc_core_dump(NULL, 1, 1, "x", NULL, &st, &err), EINVAL,
	    "NULL handle");
	CHECK_REFUSED(xc_core_dump(fake, 1, -1, "x", NULL, &st, &err), EINVAL,
	    "bad file descriptor");
	CHECK_REFUSED(xc_core_dump(fake, 0, 1, "x", NULL, &st, &err), EINVAL,
	    "dom0");
	CHECK_REFUSED(xc_core_dump(fake, 0x7ff0, 1, "x", NULL, &st, &err),
	    EINVAL, "special domains");
	CHECK_REFUSED(xc_core_dump_file(NULL, 1, path, 0, NULL, &st, &err),
	    EINVAL, "NULL handle");
	CHECK_REFUSED(xc_core_dump_file(fake, 0, path, 0, NULL, &st, &err),
	    EINVAL, "dom0");
	CHECK(count_files("dump") == 0);
}
#endif

static void
setup(void)
{
	const char *t = getenv("TMPDIR");
	uint64_t pfn;

	REQUIRE(snprintf(dir, sizeof (dir), "%s/xc_core_write_test.XXXXXX",
	    t != NULL && *t != '\0' ? t : "/tmp") < (int)sizeof (dir));
	REQUIRE(mkdtemp(dir) != NULL);
	REQUIRE((image = malloc((size_t)NFRAMES * PG)) != NULL);
	fill_random(image, (size_t)NFRAMES * PG);
	fill_random(contexts, sizeof (contexts));
	fill_random(shinfo, sizeof (shinfo));
	memset(xenver, 0, sizeof (xenver));
	put64(xenver, 4);
	put64(xenver + 8, 17);
	memcpy(xenver + 16, ".7-test", 7);
	fill_random(xenver + 32, sizeof (xenver) - 32 - 8);
	put64(xenver + sizeof (xenver) - 8, PG);
	for (pfn = 0; pfn < NFRAMES; pfn++)
		unreadable[pfn] = pfn % 37 == 5 || (pfn >= 200 && pfn < 204);
}

static void
cleanup(void)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char path[512];

	if (d != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (de->d_name[0] == '.')
				continue;
			path_in_dir(path, sizeof (path), de->d_name);
			(void) unlink(path);
		}
		(void) closedir(d);
	}
	(void) rmdir(dir);
	free(image);
}

int
main(void)
{
	char pv[512];
	int fds;

	setup();
	fds = test_count_fds();
	test_layouts();
	path_in_dir(pv, sizeof (pv), "pv");
	test_reader_arguments(pv);
	test_malformed(pv);
	test_padding(pv);
	test_truncated_under_us(pv);
	test_write_failures(pv);
	test_interrupted();
	test_writer_arguments();
#ifdef HAVE_XEN
	test_dump_arguments();
#endif
	CHECK(test_count_fds() == fds);
	cleanup();
	return (test_done());
}
