/*
 * physmem_test.c -- the raw-image provider, seg_kpm, seg_map and the
 * choice between them, on an image this test generates: random contents
 * with holes.  Every read is checked byte for byte against pread of the
 * file (and zeros or ENXIO in holes, one of them inside a slot, so a
 * read through seg_map stops there); eviction under a small cap, pinned
 * klusters surviving eviction, every slot held, writes to a private
 * copy surviving every slot being recycled, and concurrent readers.
 */
#include "config.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <porthole/porthole.h>
#include "tests/prng.h"
#include "tests/test.h"
#include "vm/seg.h"

#define	IMAGE_BYTES	((size_t)16 << 20)
#define	KiB		((size_t)1 << 10)
#define	MiB		((size_t)1 << 20)

static char image_path[64];
static unsigned char *image;	/* the file's bytes */
static const struct physmem_range holes[] = {
	{ 1 * MiB, 64 * KiB },
	{ 8 * MiB, 2 * MiB },
	{ 12 * MiB + 20 * KiB, 8 * KiB },	/* pages 5-6 of a 64K slot */
	{ 15 * MiB + 512 * KiB, 4 * KiB },
};
#define	NHOLES	(sizeof (holes) / sizeof (holes[0]))

static bool
in_hole(uint64_t gpa)
{
	size_t i;

	for (i = 0; i < NHOLES; i++) {
		if (gpa >= holes[i].pr_start &&
		    gpa < holes[i].pr_start + holes[i].pr_len)
			return (true);
	}
	return (false);
}

static void
make_image(void)
{
	uint64_t x = 0x243F6A8885A308D3ULL;
	size_t i;
	int fd;

	(void) snprintf(image_path, sizeof (image_path),
	    "/tmp/porthole-physmem-%ld.img", (long)getpid());
	REQUIRE((image = malloc(IMAGE_BYTES)) != NULL);
	for (i = 0; i < IMAGE_BYTES; i += 8) {
		uint64_t v = prng_next(&x);

		memcpy(image + i, &v, 8);
	}
	REQUIRE((fd = open(image_path, O_RDWR | O_CREAT | O_TRUNC, 0600)) >=
	    0);
	REQUIRE(write(fd, image, IMAGE_BYTES) == (ssize_t)IMAGE_BYTES);
	REQUIRE(close(fd) == 0);
}

static void
test_provider_errors(void)
{
	struct physmem_range bad = { 4096 + 1, 4096 };
	struct physmem_range past = { IMAGE_BYTES, 4096 };
	struct physmem *pm;
	char empty[sizeof (image_path) + 8];
	uint64_t run;
	int fd;

	CHECK(physmem_raw_open("/nonexistent/image", NULL, 0) == NULL &&
	    errno == ENOENT);
	CHECK(physmem_raw_open("/tmp", NULL, 0) == NULL && errno == EINVAL);
	CHECK(physmem_raw_open(image_path, &bad, 1) == NULL &&
	    errno == EINVAL);
	CHECK(physmem_raw_open(image_path, &past, 1) == NULL &&
	    errno == EINVAL);
	CHECK(physmem_raw_open(image_path, NULL, 1) == NULL &&
	    errno == EINVAL);
	(void) snprintf(empty, sizeof (empty), "%s.empty", image_path);
	REQUIRE((fd = open(empty, O_RDWR | O_CREAT | O_TRUNC, 0600)) >= 0);
	(void) close(fd);
	CHECK(physmem_raw_open(empty, NULL, 0) == NULL && errno == EINVAL);
	(void) unlink(empty);

	REQUIRE((pm = physmem_raw_open(image_path, holes, NHOLES)) != NULL);
	CHECK(physmem_nframes(pm) == IMAGE_BYTES / PAGESIZE);
	CHECK(strcmp(physmem_name(pm), "raw") == 0);
	CHECK(physmem_present(pm, 0, &run) == 1 && run == MiB / PAGESIZE);
	CHECK(physmem_present(pm, MiB / PAGESIZE, &run) == 0 &&
	    run == (MiB + 64 * KiB) / PAGESIZE);
	CHECK(physmem_present(pm, IMAGE_BYTES / PAGESIZE, &run) == 0);
	physmem_rele(pm);
}

/* Read [gpa, gpa+len) and check against the image: data or hole rules. */
static void
check_read(struct physwin *pw, uint64_t gpa, size_t len, bool holes_zero)
{
	unsigned char *buf = malloc(len);
	size_t done, i, expect = len;
	int err;

	REQUIRE(buf != NULL);
	if (!holes_zero) {
		for (i = 0; i < len; i++) {
			if (in_hole(gpa + i)) {
				/* Copied up to the hole's first page. */
				uint64_t page = (gpa + i) & ~(uint64_t)PAGEOFFSET;

				expect = page > gpa ? (size_t)(page - gpa) : 0;
				break;
			}
		}
	}
	done = physwin_read(pw, gpa, buf, len, &err);
	CHECK(done == expect);
	CHECK(expect == len ? err == 0 : err == ENXIO);
	for (i = 0; i < done; i++) {
		unsigned char want = in_hole(gpa + i) ? 0 : image[gpa + i];

		if (buf[i] != want) {
			fprintf(stderr, "gpa %#llx: read %#x, want %#x\n",
			    (unsigned long long)(gpa + i), buf[i], want);
			CHECK(buf[i] == want);
			break;
		}
	}
	free(buf);
}

static void
sweep(struct physwin *pw, bool holes_zero)
{
	uint64_t rng = 99;
	size_t i;

	/* Whole image in one read; then sequential 1 MiB reads. */
	check_read(pw, 0, IMAGE_BYTES, holes_zero);
	for (i = 0; i < IMAGE_BYTES; i += MiB)
		check_read(pw, i, MiB, holes_zero);
	/* Random reads crossing page and kluster boundaries. */
	for (i = 0; i < 2000; i++) {
		uint64_t gpa, len;

		rng = rng * 6364136223846793005ULL + 1;
		gpa = (rng >> 20) % IMAGE_BYTES;
		len = 1 + (rng >> 7) % (3 * PAGESIZE);
		if (gpa + len > IMAGE_BYTES)
			len = IMAGE_BYTES - gpa;
		check_read(pw, gpa, (size_t)len, holes_zero);
	}
}

static void
test_windows(void)
{
	static const enum physwin_mode modes[] = { PHYSWIN_KPM, PHYSWIN_MAP };
	struct physmem *pm;
	size_t m;
	int z;

	REQUIRE((pm = physmem_raw_open(image_path, holes, NHOLES)) != NULL);
	for (m = 0; m < 2; m++) {
		for (z = 0; z <= 1; z++) {
			struct physwin_opts o = { .po_size = sizeof (o),
			    .po_mode = modes[m], .po_kluster = 256 * KiB,
			    .po_cap = z ? 0 : MiB, .po_slot = 64 * KiB,
			    .po_nslots = 8, .po_holes_zero = z };
			struct as *as = as_alloc(256 * MiB);
			struct physwin *pw;

			REQUIRE(as != NULL);
			REQUIRE((pw = physwin_open(as, pm, &o)) != NULL);
			CHECK(physwin_mode(pw) == modes[m]);
			CHECK_VERIFY(as);
			sweep(pw, z);
			CHECK_VERIFY(as);
			/* Past the end. */
			{
				unsigned char b[8];
				int err;

				CHECK(physwin_read(pw, IMAGE_BYTES, b, 8,
				    &err) == 0 && err == EINVAL);
				CHECK(physwin_read(pw, IMAGE_BYTES - 4, b, 8,
				    &err) == 4 && err == EINVAL);
			}
			physwin_close(pw);
			CHECK(as_nsegs(as) == 0);
			CHECK_VERIFY(as);
			as_free(as);
		}
	}
	physmem_rele(pm);
}

static void
test_choice(void)
{
	struct physwin_opts kpm = { .po_size = sizeof (kpm),
	    .po_mode = PHYSWIN_KPM };
	struct physwin_opts small = { .po_size = 0 };
	struct physmem *pm;
	struct physwin *pw;
	struct as *as;

	REQUIRE((pm = physmem_raw_open(image_path, holes, NHOLES)) != NULL);
	/* A window too small for the guest: forced kpm fails, auto maps. */
	REQUIRE((as = as_alloc(8 * MiB)) != NULL);
	CHECK(physwin_open(as, pm, &kpm) == NULL && errno == ENOMEM);
	REQUIRE((pw = physwin_open(as, pm, NULL)) != NULL);
	CHECK(physwin_mode(pw) == PHYSWIN_MAP);
	check_read(pw, 0, IMAGE_BYTES, false);	/* default: holes fail */
	physwin_close(pw);
	CHECK(physwin_open(as, pm, &small) == NULL && errno == EINVAL);
	as_free(as);
	/* Room enough: auto picks kpm on a 64-bit host. */
	REQUIRE((as = as_alloc(64 * MiB)) != NULL);
	REQUIRE((pw = physwin_open(as, pm, NULL)) != NULL);
	CHECK(physwin_mode(pw) ==
	    (sizeof (void *) >= 8 ? PHYSWIN_KPM : PHYSWIN_MAP));
	physwin_close(pw);
	as_free(as);
	physmem_rele(pm);
}

static struct seg *
only_seg(struct as *as)
{
	struct seg *seg;

	as_enter(as, AS_READER);
	seg = as_findseg(as, as_window_base(as), 1);
	as_exit(as);
	return (seg);
}

static void
test_kpm_eviction(void)
{
	struct segkpm_crargs a = { .kluster = 256 * KiB, .cap = MiB,
	    .prot = PROT_READ };
	struct segkpm_stats st;
	unsigned char vec[64], buf[64];
	struct physmem *pm;
	struct seg *seg;
	struct as *as;
	char *base, desc[256];
	int err;

	REQUIRE((pm = physmem_raw_open(image_path, holes, NHOLES)) != NULL);
	REQUIRE((as = as_alloc(64 * MiB)) != NULL);
	base = as_window_base(as);
	a.pm = pm;
	/* Bad arguments. */
	a.kluster = 3 * PAGESIZE;
	CHECK_ERRNO(as_map(as, base, IMAGE_BYTES, segkpm_create, &a), EINVAL);
	a.kluster = 256 * KiB;
	CHECK_ERRNO(as_map(as, base, IMAGE_BYTES - PAGESIZE, segkpm_create,
	    &a), EINVAL);
	a.prot = PROT_READ | PROT_EXEC;
	CHECK_ERRNO(as_map(as, base, IMAGE_BYTES, segkpm_create, &a), EINVAL);
	a.prot = PROT_READ;
	CHECK(as_nsegs(as) == 0);

	REQUIRE(as_map(as, base, IMAGE_BYTES, segkpm_create, &a) == 0);
	seg = only_seg(as);
	REQUIRE(seg != NULL);
	CHECK(strcmp(seg_opsname(seg), "segkpm_ops") == 0);

	/* Pin kluster 0, then sweep everything: it must survive. */
	CHECK(as_fault(as, base, PAGESIZE, F_SOFTLOCK, S_READ) == 0);
	CHECK(as_read(as, base + 2 * MiB, buf, 64, &err) == 64);
	CHECK(memcmp(buf, image + 2 * MiB, 64) == 0);
	{
		unsigned char *all = malloc(IMAGE_BYTES);

		REQUIRE(all != NULL);
		(void) as_read(as, base, all, IMAGE_BYTES, &err);
		CHECK(err == ENXIO);	/* the first hole, at 1 MiB */
		(void) as_read(as, base + 2 * MiB, all, 6 * MiB, &err);
		CHECK(err == 0);
		CHECK(memcmp(all, image + 2 * MiB, 6 * MiB) == 0);
		free(all);
	}
	CHECK(segkpm_stats(seg, &st) == 0);
	CHECK(st.ks_resident <= 4 && st.ks_evictions > 0);
	CHECK(as_incore(as, base, 64 * PAGESIZE, vec) == 0 && vec[0] == 1);
	CHECK(as_unmap(as, base, IMAGE_BYTES) == -1 && errno == EBUSY);
	CHECK(as_unmap(as, base, PAGESIZE) == -1 && errno == ENOTSUP);
	CHECK_VERIFY(as);
	CHECK(as_fault(as, base, PAGESIZE, F_SOFTUNLOCK, S_READ) == 0);

	/* Every kluster under the cap pinned: a fill elsewhere fails. */
	CHECK(as_fault(as, base + 2 * MiB, MiB, F_SOFTLOCK, S_READ) == 0);
	CHECK(as_fault(as, base + 4 * MiB, PAGESIZE, F_INVAL, S_READ) == -1 &&
	    errno == ENOMEM);
	CHECK(as_fault(as, base + 2 * MiB, MiB, F_SOFTUNLOCK, S_READ) == 0);
	CHECK(as_fault(as, base + 4 * MiB, PAGESIZE, F_INVAL, S_READ) == 0);

	/* A failed F_SOFTLOCK across a hole drops the pins it took. */
	CHECK(as_fault(as, base + MiB - 256 * KiB, 512 * KiB, F_SOFTLOCK,
	    S_READ) == -1 && errno == ENXIO);
	CHECK(as_unmap(as, base, IMAGE_BYTES) == 0);
	CHECK(as_nsegs(as) == 0);

	/* Writes are refused on a read-only window. */
	REQUIRE(as_map(as, base, IMAGE_BYTES, segkpm_create, &a) == 0);
	CHECK(as_write(as, base, "x", 1, &err) == 0 && err == EACCES);
	CHECK(as_checkprot(as, base, PAGESIZE, PROT_READ) == 0);
	CHECK_ERRNO(as_checkprot(as, base, PAGESIZE, PROT_WRITE), EACCES);
	CHECK_ERRNO(as_setprot(as, base, PAGESIZE, PROT_READ), ENOTSUP);
	seg = only_seg(as);
	seg_describe(seg, desc, sizeof (desc));
	CHECK(strstr(desc, "raw") != NULL && strstr(desc, "klusters") != NULL);
	CHECK(segop_getoffset(seg, base + 5 * PAGESIZE) == 5 * PAGESIZE);
	CHECK(segop_kluster(seg, base, PAGESIZE) == 0);
	CHECK(segop_kluster(seg, base, (ssize_t)(256 * KiB)) == -1);
	CHECK(segkpm_stats(NULL, &st) == -1 && errno == EINVAL);
	CHECK_VERIFY(as);
	as_free(as);
	physmem_rele(pm);
}

static void
test_map_slots(void)
{
	struct segmap_crargs a = { .slot = 64 * KiB, .prot = PROT_READ };
	struct segmap_stats st;
	struct physmem *pm;
	struct seg *seg;
	struct as *as;
	void *p[4], *q;
	size_t avail, i;
	char *base;

	REQUIRE((pm = physmem_raw_open(image_path, holes, NHOLES)) != NULL);
	REQUIRE((as = as_alloc(64 * MiB)) != NULL);
	base = as_window_base(as);
	a.pm = pm;
	CHECK_ERRNO(as_map(as, base, 64 * KiB + PAGESIZE, segmap_create, &a),
	    EINVAL);
	REQUIRE(as_map(as, base, 4 * 64 * KiB, segmap_create, &a) == 0);
	seg = only_seg(as);
	as_enter(as, AS_READER);
	/* Four slots, four holds: the fifth range finds every slot held. */
	for (i = 0; i < 4; i++) {
		p[i] = segmap_getmap(seg, i * 2 * MiB + 100, &avail);
		REQUIRE(p[i] != NULL);
		CHECK(avail == 64 * KiB - 100);
		CHECK(memcmp(p[i], image + i * 2 * MiB + 100, 64) == 0);
	}
	CHECK(segmap_getmap(seg, 5 * MiB, NULL) == NULL && errno == EBUSY);
	/* A range already held is reused, not refilled. */
	q = segmap_getmap(seg, 4 * MiB + 4096, NULL);
	CHECK(q == (char *)p[2] - 100 + 4096);
	CHECK(segmap_stats(seg, &st) == 0 && st.ms_hits == 1 &&
	    st.ms_fills == 4 && st.ms_held == 4);
	segmap_release(seg, q);
	for (i = 0; i < 4; i++)
		segmap_release(seg, p[i]);
	/* Errors. */
	CHECK(segmap_getmap(seg, MiB + 4096, NULL) == NULL && errno == ENXIO);
	CHECK(segmap_getmap(seg, IMAGE_BYTES, NULL) == NULL &&
	    errno == EINVAL);
	CHECK(segmap_getmap(NULL, 0, NULL) == NULL && errno == EINVAL);
	/* Least recently used goes first. */
	for (i = 0; i < 64; i++) {
		uint64_t gpa = 2 * MiB + (i % 16) * 256 * KiB;
		void *r = segmap_getmap(seg, gpa, NULL);

		REQUIRE(r != NULL);
		CHECK(memcmp(r, image + gpa, 256) == 0);
		segmap_release(seg, r);
	}
	CHECK(segmap_stats(seg, &st) == 0 && st.ms_evictions > 0 &&
	    st.ms_held == 0 && st.ms_loaded == 4);
	as_exit(as);
	CHECK_ERRNO(as_unmap(as, base, 64 * KiB), ENOTSUP);
	CHECK_VERIFY(as);
	as_free(as);
	physmem_rele(pm);
}

/*
 * A window opened for writing over an image (a private copy: the file
 * never changes), through kpm and through four seg_map slots of 16 KiB:
 * writes to 128 slots' ranges and a write through a pin survive every
 * slot being recycled, reads save nothing, and pins stop at holes
 * (ENXIO) and, through seg_map, at slot ends (EINVAL).
 */
static void
test_writes_kept(void)
{
	static const enum physwin_mode modes[] = { PHYSWIN_KPM, PHYSWIN_MAP };
	struct physmem *pm;
	size_t m, i;
	int fd;

	REQUIRE((pm = physmem_raw_open(image_path, holes, NHOLES)) != NULL);
	for (m = 0; m < 2; m++) {
		struct physwin_opts o = { .po_size = sizeof (o),
		    .po_mode = modes[m], .po_slot = 16 * KiB, .po_nslots = 4,
		    .po_prot = PROT_READ | PROT_WRITE };
		struct as *as = as_alloc(64 * MiB);
		unsigned char want[40], got[40];
		struct physwin *pw;
		char desc[256];
		void *p;
		int err;

		REQUIRE(as != NULL && (pw = physwin_open(as, pm, &o)) != NULL);
		CHECK(physwin_mode(pw) == modes[m]);
		check_read(pw, 0, 2 * MiB, false);
		seg_describe(only_seg(as), desc, sizeof (desc));
		if (modes[m] == PHYSWIN_MAP)
			CHECK(strstr(desc, ", 0 written saved") != NULL);
		/* Each write crosses a slot boundary: 128 slots written. */
		for (i = 0; i < 64; i++) {
			uint64_t gpa = 2 * MiB + (i + 1) * 64 * KiB - 20;

			memset(want, (int)(0x40 + i), sizeof (want));
			CHECK(physwin_write(pw, gpa, want, sizeof (want),
			    &err) == sizeof (want) && err == 0);
		}
		p = physwin_pin(pw, 5 * MiB + 32 * KiB + 8, 8, 1);
		REQUIRE(p != NULL);
		memcpy(p, "pinned!!", 8);
		physwin_unpin(pw, p, 8, 1);
		/* Recycle every slot, then read the writes back. */
		check_read(pw, 10 * MiB, 2 * MiB, false);
		for (i = 0; i < 64; i++) {
			uint64_t gpa = 2 * MiB + (i + 1) * 64 * KiB - 20;

			memset(want, (int)(0x40 + i), sizeof (want));
			CHECK(physwin_read(pw, gpa, got, sizeof (got), &err) ==
			    sizeof (got) && err == 0);
			CHECK(memcmp(got, want, sizeof (want)) == 0);
			CHECK(physwin_read(pw, gpa - 8, got, 8, &err) == 8 &&
			    memcmp(got, image + gpa - 8, 8) == 0);
		}
		CHECK(physwin_read(pw, 5 * MiB + 32 * KiB + 8, got, 8,
		    &err) == 8 && memcmp(got, "pinned!!", 8) == 0);
		CHECK(physwin_read(pw, 5 * MiB + 32 * KiB, got, 8, &err) ==
		    8 && memcmp(got, image + 5 * MiB + 32 * KiB, 8) == 0);
		if (modes[m] == PHYSWIN_MAP) {
			seg_describe(only_seg(as), desc, sizeof (desc));
			CHECK(strstr(desc, ", 129 written saved") != NULL);
		}
		/* Pins: a hole inside a slot, and across a slot's end. */
		CHECK(physwin_pin(pw, 12 * MiB + 16 * KiB, 8 * KiB, 0) ==
		    NULL && errno == ENXIO);
		p = physwin_pin(pw, 2 * MiB + 16 * KiB - 4, 8, 0);
		if (modes[m] == PHYSWIN_MAP)
			CHECK(p == NULL && errno == EINVAL);
		else
			CHECK(p != NULL);
		physwin_unpin(pw, p, 8, 0);
		CHECK_VERIFY(as);
		physwin_close(pw);
		as_free(as);
	}
	/* The file never changed. */
	REQUIRE((fd = open(image_path, O_RDONLY)) >= 0);
	for (i = 0; i < 64; i++) {
		uint64_t gpa = 2 * MiB + (i + 1) * 64 * KiB - 20;
		unsigned char got[40];

		CHECK(pread(fd, got, sizeof (got), (off_t)gpa) ==
		    (ssize_t)sizeof (got) &&
		    memcmp(got, image + gpa, sizeof (got)) == 0);
	}
	(void) close(fd);
	physmem_rele(pm);
}

struct reader_arg {
	struct physwin	*pw;
	unsigned	seed;
	unsigned long	bad;
};

static void *
reader(void *arg)
{
	struct reader_arg *ra = arg;
	uint64_t rng = ra->seed;
	unsigned char buf[9000];
	int i;

	for (i = 0; i < 3000; i++) {
		uint64_t gpa;
		size_t len, done, j;
		int err;

		rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
		gpa = (rng >> 24) % (IMAGE_BYTES - sizeof (buf));
		len = 1 + (rng >> 5) % sizeof (buf);
		done = physwin_read(ra->pw, gpa, buf, len, &err);
		for (j = 0; j < done; j++) {
			if (buf[j] != (in_hole(gpa + j) ? 0 : image[gpa + j]))
				ra->bad++;
		}
		if (err == 0 && done != len)
			ra->bad++;
	}
	return (NULL);
}

static void
test_concurrent(void)
{
	static const enum physwin_mode modes[] = { PHYSWIN_KPM, PHYSWIN_MAP };
	struct physmem *pm;
	size_t m, t;

	REQUIRE((pm = physmem_raw_open(image_path, holes, NHOLES)) != NULL);
	for (m = 0; m < 2; m++) {
		struct physwin_opts o = { .po_size = sizeof (o),
		    .po_mode = modes[m], .po_kluster = 64 * KiB,
		    .po_cap = 8 * 64 * KiB, .po_slot = 16 * KiB,
		    .po_nslots = 16, .po_holes_zero = 1 };
		struct reader_arg ra[4];
		pthread_t th[4];
		struct as *as = as_alloc(64 * MiB);
		struct physwin *pw;

		REQUIRE(as != NULL && (pw = physwin_open(as, pm, &o)) != NULL);
		for (t = 0; t < 4; t++) {
			ra[t].pw = pw;
			ra[t].seed = (unsigned)(t + 1);
			ra[t].bad = 0;
			REQUIRE(pthread_create(&th[t], NULL, reader, &ra[t]) ==
			    0);
		}
		for (t = 0; t < 4; t++) {
			(void) pthread_join(th[t], NULL);
			CHECK(ra[t].bad == 0);
		}
		CHECK_VERIFY(as);
		physwin_close(pw);
		as_free(as);
	}
	physmem_rele(pm);
}

int
main(void)
{
	make_image();
	test_provider_errors();
	test_windows();
	test_choice();
	test_kpm_eviction();
	test_map_slots();
	test_writes_kept();
	test_concurrent();
	(void) unlink(image_path);
	free(image);
	return (test_done());
}
