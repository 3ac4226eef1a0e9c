/*
 * linux_images_test.c -- Linux discovery on the real memory images
 * tests/images/ generates (Debian 12 kernels booted under QEMU): for
 * each variant (x64-nokaslr, x64-kaslr, x64-la57, i386-pae,
 * x64-smp2-pti) and each image format this build opens (elf, raw, the
 * kdump forms), linux_open through the public API with a fresh cache
 * directory, then again from the cache; every answer compared with the
 * variant's manifest (release, banner, KASLR offset, the symbols the
 * guest read from /proc/kallsyms, the paging mode) and the banner read
 * back through the kernel space.  Then each raw image once more with the
 * kernel's VMCOREINFO page hidden (in a private copy), so that the banner
 * and kallsyms alone must do.  One line per image on stderr says what
 * discovery used and how long it took.
 *
 * Skips (77) when the images are absent: run `make images` first, or
 * set PORTHOLE_IMAGE_CACHE to where they are.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <porthole/guest.h>
#include <porthole/linux.h>

#include "tests/test.h"
#include "tests/images/manifest.h"


static const char *const variants[] = {
	"x64-nokaslr", "x64-kaslr", "x64-la57", "i386-pae", "x64-smp2-pti"
};
static const char *const formats[] = {
	"elf", "raw", "kdump-zlib", "kdump-zlib.flat", "kdump-lzo"
};

static double
seconds(void)
{
	struct timespec t;

	(void) clock_gettime(CLOCK_MONOTONIC, &t);
	return ((double)t.tv_sec + (double)t.tv_nsec / 1e9);
}

/* Check one open kernel against the manifest; failures counted. */
static unsigned
check_kernel(struct guest *g, struct linux_kernel *lk,
    const struct manifest *m, const char *what)
{
	const struct guest_space *sp = linux_kernel_space(lk);
	unsigned bad = 0, i;
	char text[600];
	uint64_t v;

#define	EXPECT(cond, ...) do {						\
	test_checks++;							\
	if (!(cond)) {							\
		fprintf(stderr, "%s: ", what);				\
		fprintf(stderr, __VA_ARGS__);				\
		fprintf(stderr, "\n");					\
		test_failures++;					\
		bad++;							\
	}								\
} while (0)
	EXPECT(strcmp(linux_release(lk), m->release) == 0,
	    "release %s, manifest %s", linux_release(lk), m->release);
	EXPECT(strcmp(linux_banner(lk), m->banner) == 0,
	    "banner \"%s\", manifest \"%s\"", linux_banner(lk), m->banner);
	EXPECT(linux_kaslr_offset(lk) == m->kaslr,
	    "KASLR offset %#" PRIx64 ", manifest %#" PRIx64,
	    linux_kaslr_offset(lk), m->kaslr);
	EXPECT(strcmp(guest_paging_name(sp->gs_mode), m->paging) == 0,
	    "paging %s, manifest %s", guest_paging_name(sp->gs_mode),
	    m->paging);
	for (i = 0; i < m->nsym; i++) {
		int rv = linux_symbol(lk, m->sym[i].name, &v);

		EXPECT(rv == 0 && v == m->sym[i].addr, "symbol %s: %s%#" PRIx64
		    ", manifest %#" PRIx64, m->sym[i].name, rv == 0 ? "" :
		    "missing ", rv == 0 ? v : 0, m->sym[i].addr);
	}
	/* The banner through the kernel's own page tables. */
	memset(text, 0, sizeof (text));
	EXPECT(linux_symbol(lk, "linux_banner", &v) == 0 &&
	    guest_vread(g, sp, v, text, strlen(m->banner), NULL) ==
	    strlen(m->banner) && strcmp(text, m->banner) == 0,
	    "the banner does not read back through the kernel space");
	EXPECT(linux_symbol(lk, "no_such_symbol_anywhere", &v) == -1 &&
	    errno == ENOENT, "a symbol that does not exist was found");
#undef EXPECT
	return (bad);
}

static void
run_image(const char *dir, const char *variant, const char *format,
    const struct manifest *m, const char *cache)
{
	char path[1024], err[512] = "", what[128], src1[64];
	struct linux_opts o;
	struct linux_kernel *lk;
	struct guest *g;
	uint64_t sched1 = 0, sched2 = 0;
	double t0, t1, t2;
	unsigned bad;

	(void) snprintf(path, sizeof (path), "%s/%s.%s", dir, variant, format);
	(void) snprintf(what, sizeof (what), "%s %s", variant, format);
	if (access(path, R_OK) != 0)
		return;
	if ((g = guest_open(path, 0, err, sizeof (err))) == NULL) {
		fprintf(stderr, "%s: SKIP (guest_open: %s)\n", what, err);
		return;
	}
	memset(&o, 0, sizeof (o));
	o.lo_size = sizeof (o);
	o.lo_cache_dir = cache;
	o.lo_flags = LINUX_OPEN_REFRESH;
	t0 = seconds();
	lk = linux_open(g, &o, err, sizeof (err));
	t1 = seconds();
	if (lk == NULL) {
		fprintf(stderr, "%s: FAIL linux_open: %s (%s)\n", what, err,
		    strerror(errno));
		CHECK(lk != NULL);
		guest_close(g);
		return;
	}
	bad = check_kernel(g, lk, m, what);
	manifest_copy(src1, sizeof (src1), linux_profile_source(lk));
	CHECK(strstr(src1, "cache") == NULL);
	(void) linux_symbol(lk, "schedule", &sched1);
	linux_close(lk);

	/* Again, from the cache just written. */
	o.lo_flags = 0;
	t2 = seconds();
	lk = linux_open(g, &o, err, sizeof (err));
	t2 = seconds() - t2;
	if (lk == NULL) {
		fprintf(stderr, "%s: FAIL second linux_open: %s\n", what, err);
		CHECK(lk != NULL);
		guest_close(g);
		return;
	}
	bad += check_kernel(g, lk, m, what);
	CHECK(strstr(linux_profile_source(lk), "cache") != NULL);
	/* A symbol the cache does not keep: kallsyms on demand. */
	CHECK(linux_symbol(lk, "schedule", &sched2) == 0 && sched1 != 0 &&
	    sched2 == sched1);
	fprintf(stderr, "%s: %s (%s, %.2f s; cached: %s, %.2f s; KASLR "
	    "%#" PRIx64 ", %s)\n", what, bad == 0 ? "PASS" : "FAIL", src1,
	    t1 - t0, linux_profile_source(lk), t2, linux_kaslr_offset(lk),
	    guest_paging_name(linux_kernel_space(lk)->gs_mode));
	linux_close(lk);
	guest_close(g);
}

/*
 * The kernel's VMCOREINFO page hidden (a private copy of a raw image,
 * its "OSRELEASE=" page start overwritten): discovery must get there by
 * the banner and kallsyms alone.
 */
static void
run_without_vmcoreinfo(const char *dir, const char *variant,
    const struct manifest *m)
{
	char path[1024], err[512] = "", what[128], head[10];
	struct linux_opts o;
	struct linux_kernel *lk;
	struct guest *g;
	uint64_t pa, n, hidden = 0;
	double t0;

	(void) snprintf(path, sizeof (path), "%s/%s.raw", dir, variant);
	(void) snprintf(what, sizeof (what), "%s raw without VMCOREINFO",
	    variant);
	if (access(path, R_OK) != 0)
		return;
	if ((g = guest_open(path, GUEST_OPEN_COPY, err, sizeof (err))) ==
	    NULL) {
		fprintf(stderr, "%s: SKIP (guest_open: %s)\n", what, err);
		return;
	}
	n = guest_nframes(g);
	for (pa = 0; pa < n << 12; pa += 4096) {
		if (guest_pread(g, pa, head, sizeof (head), NULL) ==
		    sizeof (head) && memcmp(head, "OSRELEASE=", 10) == 0 &&
		    guest_pwrite(g, pa, "X", 1, NULL) == 1)
			hidden++;
	}
	CHECK(hidden >= 1);
	memset(&o, 0, sizeof (o));
	o.lo_size = sizeof (o);
	o.lo_flags = LINUX_OPEN_NO_CACHE;
	t0 = seconds();
	lk = linux_open(g, &o, err, sizeof (err));
	if (lk == NULL) {
		fprintf(stderr, "%s: FAIL linux_open: %s\n", what, err);
		CHECK(lk != NULL);
		guest_close(g);
		return;
	}
	CHECK(strstr(linux_profile_source(lk), "vmcoreinfo") == NULL);
	fprintf(stderr, "%s: %s (%s, %.2f s; KASLR %#" PRIx64 ", %s)\n",
	    what, check_kernel(g, lk, m, what) == 0 ? "PASS" : "FAIL",
	    linux_profile_source(lk), seconds() - t0, linux_kaslr_offset(lk),
	    guest_paging_name(linux_kernel_space(lk)->gs_mode));
	linux_close(lk);
	guest_close(g);
}

int
main(void)
{
	char why[1024];
	char dir[768], mpath[1024], cache[256], cmd[300];
	static struct manifest m;
	unsigned v, f, found = 0;

	if (manifest_image_dir(dir, sizeof (dir), why, sizeof (why)) == NULL)
		TEST_SKIP("%s", why);
	(void) snprintf(cache, sizeof (cache), "%s/ph_lcache.XXXXXX",
	    getenv("TMPDIR") != NULL && getenv("TMPDIR")[0] != '\0' ?
	    getenv("TMPDIR") : "/tmp");
	REQUIRE(mkdtemp(cache) != NULL);
	for (v = 0; v < sizeof (variants) / sizeof (variants[0]); v++) {
		(void) snprintf(mpath, sizeof (mpath), "%s/%s.manifest", dir,
		    variants[v]);
		if (!manifest_read(mpath, &m) || m.release[0] == '\0' ||
		    m.banner[0] == '\0') {
			fprintf(stderr, "%s: no manifest\n", variants[v]);
			continue;
		}
		found++;
		for (f = 0; f < sizeof (formats) / sizeof (formats[0]); f++)
			run_image(dir, variants[v], formats[f], &m, cache);
		run_without_vmcoreinfo(dir, variants[v], &m);
	}
	(void) snprintf(cmd, sizeof (cmd), "rm -rf '%s'", cache);
	CHECK(system(cmd) == 0);
	if (found == 0)
		TEST_SKIP("no variant manifests in %s", dir);
	if (test_checks == 0)
		TEST_SKIP("no image in %s opens with this build", dir);
	return (test_done());
}
