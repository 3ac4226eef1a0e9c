/*
 * tests/unit/image_check.h -- what the image tests share: a model of the
 * guest memory an image should hold (bytes and holes, frame by frame),
 * the check that reads every frame of an opened image back through the
 * physical window (seg_kpm and seg_map, holes as errors and as zeros)
 * and compares it byte for byte with the model, the check of a writable
 * copy (writes land in memory, never in the file), and small writers for
 * building images by hand.
 *
 * Included by one test program each (static functions).
 */
#ifndef PORTHOLE_TESTS_IMAGE_CHECK_H
#define PORTHOLE_TESTS_IMAGE_CHECK_H

#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include <porthole/porthole.h>
#include "guest/image.h"
#include "tests/prng.h"
#include "tests/test.h"
#include "vm/seg.h"

#define	IC_PG	4096u

/* The guest memory an image should hold. */
struct image_model {
	uint64_t	m_nframes;
	unsigned char	*m_bytes;	/* m_nframes pages */
	bool		*m_present;	/* by frame */
};

static inline void
image_model_init(struct image_model *m, uint64_t nframes, uint64_t seed)
{
	uint64_t i, x = seed | 1;

	m->m_nframes = nframes;
	REQUIRE((m->m_bytes = malloc((size_t)nframes * IC_PG)) != NULL);
	REQUIRE((m->m_present = calloc((size_t)nframes, sizeof (bool))) !=
	    NULL);
	for (i = 0; i < nframes * IC_PG; i += 8) {
		uint64_t v = prng_next(&x);

		memcpy(m->m_bytes + i, &v, 8);
	}
}

static inline void
image_model_free(struct image_model *m)
{
	free(m->m_bytes);
	free(m->m_present);
	memset(m, 0, sizeof (*m));
}

static inline bool
ic_all_zero(const unsigned char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != 0)
			return (false);
	return (true);
}

/* physmem_present agrees with the model, run by run. */
static inline void
image_check_present(struct physmem *pm, const struct image_model *m)
{
	uint64_t g = 0, run, k;
	int p;

	while (g < m->m_nframes) {
		p = physmem_present(pm, g, &run);
		CHECK(run > g);
		if (run <= g)
			return;
		if (run > m->m_nframes)
			run = m->m_nframes;
		for (k = g; k < run; k++) {
			if ((p != 0) != m->m_present[k]) {
				fprintf(stderr, "frame %" PRIu64 ": present "
				    "says %d, the model %d\n", k, p,
				    m->m_present[k]);
				CHECK((p != 0) == m->m_present[k]);
				return;
			}
		}
		g = run;
	}
	CHECK(physmem_present(pm, m->m_nframes, NULL) == 0);
}

/* Every frame through one window, then a read across frames. */
static inline void
image_check_window(struct physwin *pw, const struct image_model *m,
    bool holes_zero)
{
	unsigned char *page = malloc(2 * IC_PG);
	uint64_t g, bad = 0;
	size_t got;
	int err;

	REQUIRE(page != NULL);
	for (g = 0; g < m->m_nframes; g++) {
		bool ok;

		got = physwin_read(pw, g * IC_PG, page, IC_PG, &err);
		if (m->m_present[g])
			ok = got == IC_PG && err == 0 && memcmp(page,
			    m->m_bytes + g * IC_PG, IC_PG) == 0;
		else if (holes_zero)
			ok = got == IC_PG && err == 0 &&
			    ic_all_zero(page, IC_PG);
		else
			ok = got == 0 && err == ENXIO;
		if (!ok && bad++ == 0)
			fprintf(stderr, "frame %" PRIu64 " (present %d, holes "
			    "zero %d): got %zu, err %d\n", g, m->m_present[g],
			    holes_zero, got, err);
	}
	if (bad != 0)
		fprintf(stderr, "%" PRIu64 " of %" PRIu64 " frames read "
		    "wrong\n", bad, m->m_nframes);
	CHECK(bad == 0);
	/* Past the end. */
	got = physwin_read(pw, m->m_nframes * IC_PG, page, 8, &err);
	CHECK(got == 0 && err != 0);
	/* Unaligned, across two present frames, when there are any. */
	for (g = 0; g + 1 < m->m_nframes; g++) {
		if (!m->m_present[g] || !m->m_present[g + 1])
			continue;
		got = physwin_read(pw, g * IC_PG + 100, page, IC_PG, &err);
		CHECK(got == IC_PG && err == 0 && memcmp(page, m->m_bytes +
		    g * IC_PG + 100, IC_PG) == 0);
		break;
	}
	free(page);
}

/*
 * Read every frame of pm through seg_kpm and seg_map windows (small
 * klusters and slots, a cap that forces eviction, holes both ways).
 */
static inline void
image_check_frames(struct physmem *pm, const struct image_model *m)
{
	static const enum physwin_mode modes[] = { PHYSWIN_KPM, PHYSWIN_MAP };
	struct physwin *pw;
	struct as *as;
	size_t i, z;

	CHECK(physmem_nframes(pm) == m->m_nframes);
	image_check_present(pm, m);
	for (i = 0; i < 2; i++) {
		for (z = 0; z <= 1; z++) {
			struct physwin_opts o = { .po_size = sizeof (o),
			    .po_mode = modes[i], .po_kluster = 32 * 1024,
			    .po_cap = z ? 0 : 128 * 1024,
			    .po_slot = 16 * 1024, .po_nslots = 4,
			    .po_holes_zero = (int)z };

			if (modes[i] == PHYSWIN_KPM && sizeof (void *) < 8)
				continue;
			REQUIRE((as = as_alloc(256 << 20)) != NULL);
			pw = physwin_open(as, pm, &o);
			if (pw == NULL)
				fprintf(stderr, "physwin_open: %s\n",
				    strerror(errno));
			REQUIRE(pw != NULL);
			CHECK_VERIFY(as);
			image_check_window(pw, m, z != 0);
			CHECK_VERIFY(as);
			physwin_close(pw);
			as_free(as);
		}
	}
}

/*
 * A writable copy: a kpm segment mapped with PROT_WRITE takes writes to
 * every present frame (they read back), and the file the image came
 * from is unchanged (path: compared before and after).
 */
static inline void
image_check_writable(struct physmem *pm, const struct image_model *m,
    const char *path)
{
	struct segkpm_crargs a = { .kluster = 64 * 1024,
	    .prot = PROT_READ | PROT_WRITE, .flags = SEGKPM_HOLES_ZERO };
	unsigned char *before, *after, page[IC_PG], pat[IC_PG];
	uint64_t g, n = m->m_nframes;
	size_t blen = 0, alen = 0, got;
	struct as *as;
	int err, fd;
	ssize_t r;

	if (sizeof (void *) < 8 && n * IC_PG > ((size_t)64 << 20))
		return;
	REQUIRE((fd = open(path, O_RDONLY)) >= 0);
	blen = (size_t)lseek(fd, 0, SEEK_END);
	REQUIRE((before = malloc(blen + 1)) != NULL);
	REQUIRE(pread(fd, before, blen, 0) == (ssize_t)blen);
	REQUIRE((as = as_alloc((size_t)n * IC_PG + ((size_t)1 << 20))) !=
	    NULL);
	a.pm = pm;
	REQUIRE(as_map(as, as_window_base(as), (size_t)(n * IC_PG),
	    segkpm_create, &a) == 0);
	memset(pat, 0x5a, sizeof (pat));
	for (g = 0; g < n; g++) {
		if (!m->m_present[g])
			continue;
		got = as_write(as, (char *)as_window_base(as) + g * IC_PG, pat,
		    IC_PG, &err);
		CHECK(got == IC_PG && err == 0);
		got = as_read(as, (char *)as_window_base(as) + g * IC_PG, page,
		    IC_PG, &err);
		CHECK(got == IC_PG && err == 0 && memcmp(page, pat,
		    IC_PG) == 0);
	}
	CHECK_VERIFY(as);
	CHECK(as_unmap(as, as_window_base(as), (size_t)(n * IC_PG)) == 0);
	as_free(as);
	alen = (size_t)lseek(fd, 0, SEEK_END);
	CHECK(alen == blen);
	REQUIRE((after = malloc(blen + 1)) != NULL);
	r = pread(fd, after, blen, 0);
	CHECK(r == (ssize_t)blen && memcmp(before, after, blen) == 0);
	(void) close(fd);
	free(before);
	free(after);
}

/* Write len bytes of b to a new file at path. */
static inline void
ic_spill(const char *path, const void *b, size_t len)
{
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);

	REQUIRE(fd >= 0);
	REQUIRE(len == 0 || write(fd, b, len) == (ssize_t)len);
	REQUIRE(close(fd) == 0);
}

static inline void
ic_put16(unsigned char *p, uint64_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
}

static inline void
ic_put32(unsigned char *p, uint64_t v)
{
	unsigned i;

	for (i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static inline void
ic_put64(unsigned char *p, uint64_t v)
{
	unsigned i;

	for (i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static inline void
ic_putbe64(unsigned char *p, uint64_t v)
{
	unsigned i;

	for (i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (56 - 8 * i));
}

/* A temporary path for this test and this process. */
static inline void
ic_path(char *buf, size_t len, const char *test, const char *what)
{
	const char *dir = getenv("TMPDIR");

	(void) snprintf(buf, len, "%s/porthole-%s-%ld-%s", dir != NULL &&
	    *dir != '\0' ? dir : "/tmp", test, (long)getpid(), what);
}

#endif /* PORTHOLE_TESTS_IMAGE_CHECK_H */
