/*
 * image_real_test.c -- the image openers on real dumps of booted Linux
 * guests (tests/images/ makes them; see its README): for each variant in
 * the images folder, every format (QEMU ELF, kdump standard and
 * flattened, each compression there is) must give, for every frame the
 * raw image holds, the raw image's bytes or a hole; every frame of the
 * RAM ranges the guest reported must be there; the vCPU registers and
 * VMCOREINFO must agree across formats.  It prints, per file, the time
 * to open and to read every frame.
 *
 * Skips (77) when there are no images: PORTHOLE_IMAGE_DIR (default
 * /var/cache/porthole-images/latest) with no V.raw and V.manifest in it,
 * or PORTHOLE_IMAGE_SKIP=1.
 * PORTHOLE_IMAGE_VARIANTS limits the variants (space-separated);
 * x64-1g runs only when named there.
 */
#include "config.h"

#include <dirent.h>
#include <inttypes.h>
#include <sys/stat.h>
#include <time.h>

#include "tests/unit/image_check.h"
#include "tests/images/manifest.h"

#define	MAX_RAM		64

struct variant {
	char		v_name[64];
	char		v_dir[512];
	unsigned char	*v_raw;		/* mapped */
	size_t		v_raw_len;
	uint64_t	v_ram[MAX_RAM][2];	/* frames [start, end) */
	size_t		v_nram;
	struct image	v_ref;		/* the ELF dump's notes */
	bool		v_have_ref;
};

static const struct {
	const char	*f_suffix;
	enum image_format f_format;
} formats[] = {
	{ ".elf", IMAGE_QEMU_ELF },
	{ ".kdump-zlib", IMAGE_KDUMP },
	{ ".kdump-zlib.flat", IMAGE_KDUMP_FLAT },
	{ ".kdump-lzo", IMAGE_KDUMP },
	{ ".kdump-lzo.flat", IMAGE_KDUMP_FLAT },
	{ ".kdump-snappy", IMAGE_KDUMP },
	{ ".kdump-snappy.flat", IMAGE_KDUMP_FLAT },
	{ ".kdump-zstd", IMAGE_KDUMP },
	{ ".kdump-zstd.flat", IMAGE_KDUMP_FLAT },
};

static double
now(void)
{
	struct timespec ts;

	(void) clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((double)ts.tv_sec + ts.tv_nsec / 1e9);
}

static bool
wanted(const char *name)
{
	const char *list = getenv("PORTHOLE_IMAGE_VARIANTS"), *p;
	size_t n = strlen(name);

	if (list == NULL || *list == '\0')
		return (strcmp(name, "x64-1g") != 0);
	for (p = list; (p = strstr(p, name)) != NULL; p += n)
		if ((p == list || p[-1] == ' ') && (p[n] == '\0' ||
		    p[n] == ' '))
			return (true);
	return (false);
}

/* The RAM ranges of the manifest ("ram START END", bytes), as frames. */
static void
read_manifest(struct variant *v)
{
	static struct manifest m;
	char path[700];
	size_t i;

	(void) snprintf(path, sizeof (path), "%s/%s.manifest", v->v_dir,
	    v->v_name);
	if (!manifest_read(path, &m))
		return;
	for (i = 0; i < m.nram && v->v_nram < MAX_RAM; i++) {
		v->v_ram[v->v_nram][0] = (m.ram[i][0] + IC_PG - 1) / IC_PG;
		v->v_ram[v->v_nram][1] = m.ram[i][1] / IC_PG;
		v->v_nram++;
	}
}

static bool
in_ram(const struct variant *v, uint64_t g)
{
	size_t i;

	for (i = 0; i < v->v_nram; i++)
		if (g >= v->v_ram[i][0] && g < v->v_ram[i][1])
			return (true);
	return (false);
}

static bool
same_regs(const struct guest_regs *a, const struct guest_regs *b,
    bool crs)
{
	bool gpr = a->gr_rax == b->gr_rax && a->gr_rbx == b->gr_rbx &&
	    a->gr_rcx == b->gr_rcx && a->gr_rdx == b->gr_rdx &&
	    a->gr_rsi == b->gr_rsi && a->gr_rdi == b->gr_rdi &&
	    a->gr_rsp == b->gr_rsp && a->gr_rbp == b->gr_rbp &&
	    a->gr_r8 == b->gr_r8 && a->gr_r15 == b->gr_r15 &&
	    a->gr_rip == b->gr_rip && a->gr_rflags == b->gr_rflags &&
	    a->gr_cs == b->gr_cs && a->gr_ss == b->gr_ss &&
	    a->gr_gs_base == b->gr_gs_base &&
	    a->gr_addr_bits == b->gr_addr_bits;

	return (gpr && (!crs || (a->gr_cr0 == b->gr_cr0 &&
	    a->gr_cr3 == b->gr_cr3 && a->gr_cr4 == b->gr_cr4 &&
	    a->gr_kernel_gs_base == b->gr_kernel_gs_base &&
	    a->gr_efer == b->gr_efer)));
}

static void
print_vcpu(const char *what, const struct guest_regs *r)
{
	fprintf(stderr, "    %s vCPU %u: valid 0x%x bits %u rip 0x%" PRIx64
	    " rsp 0x%" PRIx64 " cr0 0x%" PRIx64 " cr3 0x%" PRIx64 " cr4 0x%"
	    PRIx64 " efer 0x%" PRIx64 " gs_base 0x%" PRIx64 " kgs 0x%" PRIx64
	    "\n", what, r->gr_vcpu, r->gr_valid, r->gr_addr_bits, r->gr_rip,
	    r->gr_rsp, r->gr_cr0, r->gr_cr3, r->gr_cr4, r->gr_efer,
	    r->gr_gs_base, r->gr_kernel_gs_base);
}

/* Every frame of the file against the raw image. */
static void
check_file(struct variant *v, const char *suffix, enum image_format want)
{
	struct physwin_opts o = { .po_size = sizeof (o) };
	uint64_t raw_frames = v->v_raw_len / IC_PG, n, g;
	uint64_t same = 0, differ = 0, holes = 0, errors = 0, ram_missing = 0;
	unsigned char page[IC_PG];
	char path[700], errbuf[256];
	struct physwin *pw;
	struct image im;
	struct stat st;
	struct as *as;
	double t0, t1, t2;
	unsigned i;
	size_t got;
	int err;

	(void) snprintf(path, sizeof (path), "%s/%s%s", v->v_dir, v->v_name,
	    suffix);
	if (stat(path, &st) != 0)
		return;
	t0 = now();
	if ((err = image_open(path, false, &im, errbuf, sizeof (errbuf))) !=
	    0) {
		/* A compression this build lacks is not the image's fault. */
		fprintf(stderr, "  %-18s %s%s\n", suffix, err == ENOTSUP ?
		    "not read: " : "", errbuf);
		CHECK(err == ENOTSUP);
		return;
	}
	t1 = now();
	CHECK(im.im_format == want);
	n = physmem_nframes(im.im_pm);
	REQUIRE((as = as_alloc((size_t)(n * IC_PG) + ((size_t)64 << 20))) !=
	    NULL);
	REQUIRE((pw = physwin_open(as, im.im_pm, &o)) != NULL);
	for (g = 0; g < n && g < raw_frames; g++) {
		got = physwin_read(pw, g * IC_PG, page, IC_PG, &err);
		if (err == ENXIO) {
			holes++;
			ram_missing += in_ram(v, g);
		} else if (got != IC_PG || err != 0)
			errors++;
		else if (memcmp(page, v->v_raw + g * IC_PG, IC_PG) == 0)
			same++;
		else {
			if (differ++ < 3)
				fprintf(stderr, "  %s: frame 0x%" PRIx64 " "
				    "differs from the raw image\n", suffix, g);
		}
	}
	t2 = now();
	fprintf(stderr, "  %-18s %-10s %6" PRIu64 " frames: %6" PRIu64 " same,"
	    " %" PRIu64 " differ, %5" PRIu64 " holes (%" PRIu64 " in RAM), %"
	    PRIu64 " errors; %u vCPUs%s; open %.3f s, read all %.3f s "
	    "(%.0f MiB/s)\n", suffix, image_format_name(im.im_format), n,
	    same, differ, holes, ram_missing, errors, im.im_nvcpus,
	    im.im_vmcoreinfo != NULL ? ", VMCOREINFO" : "", t1 - t0, t2 - t1,
	    (double)(same * IC_PG) / (1 << 20) / (t2 - t1));
	CHECK(differ == 0 && errors == 0 && ram_missing == 0);
	CHECK(same > 0);
	CHECK(n <= raw_frames + 0x100000);	/* no absurd address space */
	physwin_close(pw);
	as_free(as);

	/* The notes agree with the ELF dump's. */
	if (want == IMAGE_QEMU_ELF) {
		v->v_ref = im;
		v->v_have_ref = true;
		for (i = 0; i < im.im_nvcpus; i++)
			print_vcpu("elf", &im.im_vcpus[i]);
		CHECK(im.im_nvcpus > 0 && im.im_vmcoreinfo != NULL);
		return;
	}
	if (v->v_have_ref) {
		CHECK(im.im_nvcpus == v->v_ref.im_nvcpus);
		for (i = 0; i < im.im_nvcpus && i < v->v_ref.im_nvcpus; i++) {
			bool ok = same_regs(&im.im_vcpus[i],
			    &v->v_ref.im_vcpus[i], (im.im_vcpus[i].gr_valid &
			    GUEST_REGS_CR) != 0);

			if (!ok)
				print_vcpu(suffix, &im.im_vcpus[i]);
			CHECK(ok);
		}
		CHECK((im.im_vmcoreinfo == NULL) ==
		    (v->v_ref.im_vmcoreinfo == NULL));
		if (im.im_vmcoreinfo != NULL &&
		    v->v_ref.im_vmcoreinfo != NULL) {
			bool ok = strcmp(im.im_vmcoreinfo,
			    v->v_ref.im_vmcoreinfo) == 0;

			if (!ok)
				fprintf(stderr, "  %s: VMCOREINFO differs from "
				    "the ELF dump's (%zu and %zu bytes)\n",
				    suffix, im.im_vmcoreinfo_len,
				    v->v_ref.im_vmcoreinfo_len);
			CHECK(ok);
		}
	}
	image_close(&im);
}

static bool
has_manifest(const char *dir, const char *name)
{
	char path[700];

	(void) snprintf(path, sizeof (path), "%s/%s.manifest", dir, name);
	return (access(path, R_OK) == 0);
}

static void
check_variant(const char *dir, const char *name)
{
	struct variant v;
	char path[700], errbuf[256];
	struct image raw;
	size_t i;
	int fd;

	memset(&v, 0, sizeof (v));
	(void) snprintf(v.v_name, sizeof (v.v_name), "%s", name);
	(void) snprintf(v.v_dir, sizeof (v.v_dir), "%s", dir);
	(void) snprintf(path, sizeof (path), "%s/%s.raw", dir, name);
	fprintf(stderr, "%s:\n", name);
	REQUIRE((fd = open(path, O_RDONLY)) >= 0);
	v.v_raw_len = (size_t)lseek(fd, 0, SEEK_END);
	v.v_raw = mmap(NULL, v.v_raw_len, PROT_READ, MAP_PRIVATE, fd, 0);
	REQUIRE(v.v_raw != MAP_FAILED);
	(void) close(fd);
	read_manifest(&v);
	CHECK(v.v_nram > 0);
	/* The raw image opens as raw and holds the file. */
	CHECK(image_open(path, false, &raw, errbuf, sizeof (errbuf)) == 0);
	CHECK(raw.im_format == IMAGE_RAW && raw.im_nvcpus == 0);
	CHECK(physmem_nframes(raw.im_pm) == v.v_raw_len / IC_PG);
	image_close(&raw);
	for (i = 0; i < sizeof (formats) / sizeof (formats[0]); i++)
		check_file(&v, formats[i].f_suffix, formats[i].f_format);
	if (v.v_have_ref)
		image_close(&v.v_ref);
	(void) munmap(v.v_raw, v.v_raw_len);
}

int
main(void)
{
	const char *dir = getenv("PORTHOLE_IMAGE_DIR");
	struct dirent *de;
	unsigned found = 0;
	DIR *d;

	if (dir == NULL || *dir == '\0')
		dir = "/var/cache/porthole-images/latest";
	if (getenv("PORTHOLE_IMAGE_SKIP") != NULL &&
	    strcmp(getenv("PORTHOLE_IMAGE_SKIP"), "1") == 0)
		TEST_SKIP("PORTHOLE_IMAGE_SKIP=1");
	if ((d = opendir(dir)) == NULL)
		TEST_SKIP("no images in %s (make images, or set "
		    "PORTHOLE_IMAGE_DIR)", dir);
	while ((de = readdir(d)) != NULL) {
		size_t n = strlen(de->d_name);
		char name[64];

		if (n <= 4 || n - 4 >= sizeof (name) ||
		    strcmp(de->d_name + n - 4, ".raw") != 0)
			continue;
		memcpy(name, de->d_name, n - 4);
		name[n - 4] = '\0';
		/* A variant is complete once its manifest is there. */
		if (!wanted(name) || !has_manifest(dir, name))
			continue;
		check_variant(dir, name);
		found++;
	}
	(void) closedir(d);
	if (found == 0)
		TEST_SKIP("no V.raw images in %s", dir);
	return (test_done());
}
