/*
 * as_concurrency_test.c -- threads faulting and copying in one part of an
 * address space while another thread maps, splits and unmaps segments in
 * another part, and a third looks segments up.  Afterwards the verifier
 * holds and every byte the readers saw was the pattern written.  CI also
 * runs this test in a ThreadSanitizer build.
 */
#include "config.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include <porthole/porthole.h>
#include "tests/test.h"

#define	READERS		3
#define	FIXED_SEGS	8
#define	RUN_SECONDS	2

static struct as *as;
static size_t pagesize;
static char *fixed_base;	/* FIXED_SEGS segments of 4 pages, no gaps */
static char *churn_base;	/* the mapper's playground: 256 pages */
static atomic_bool stop;
static atomic_ulong reads_done, maps_done, bad_bytes, errors;

static unsigned char
pattern(size_t off)
{
	return ((unsigned char)(off * 7 + 3));
}

static void *
reader(void *arg)
{
	uint64_t rng = (uintptr_t)arg * 2654435761u + 1;
	unsigned char buf[3 * 4096];
	size_t span = FIXED_SEGS * 4 * pagesize;

	while (!atomic_load(&stop)) {
		size_t off, len, i, done;
		int err;

		rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
		off = (size_t)(rng >> 33) % span;
		len = 1 + (size_t)(rng >> 13) % sizeof (buf);
		if (off + len > span)
			len = span - off;
		done = as_read(as, fixed_base + off, buf, len, &err);
		if (done != len || err != 0)
			atomic_fetch_add(&errors, 1);
		for (i = 0; i < done; i++) {
			if (buf[i] != pattern(off + i))
				atomic_fetch_add(&bad_bytes, 1);
		}
		if (as_fault(as, fixed_base + off, len, F_SOFTLOCK, S_READ) ==
		    0)
			(void) as_fault(as, fixed_base + off, len,
			    F_SOFTUNLOCK, S_READ);
		else
			atomic_fetch_add(&errors, 1);
		atomic_fetch_add(&reads_done, 1);
	}
	return (NULL);
}

static void *
mapper(void *arg)
{
	struct segvn_crargs a = { .fd = -1, .type = MAP_PRIVATE,
	    .prot = PROT_READ | PROT_WRITE };
	uint64_t rng = 12345;

	(void) arg;
	while (!atomic_load(&stop)) {
		size_t page, npages;

		rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
		page = (size_t)(rng >> 33) % 248;
		npages = 1 + (size_t)(rng >> 20) % 8;
		/* Map when free, else punch a page out (split or trim). */
		if (as_map(as, churn_base + page * pagesize,
		    npages * pagesize, segvn_create, &a) != 0) {
			if (errno != EEXIST)
				atomic_fetch_add(&errors, 1);
			if (as_unmap(as, churn_base + page * pagesize,
			    pagesize) != 0)
				atomic_fetch_add(&errors, 1);
		}
		atomic_fetch_add(&maps_done, 1);
	}
	return (NULL);
}

static void *
looker(void *arg)
{
	(void) arg;
	while (!atomic_load(&stop)) {
		size_t i;

		as_enter(as, AS_READER);
		for (i = 0; i < FIXED_SEGS * 4; i++) {
			struct seg *seg = as_segat(as,
			    fixed_base + i * pagesize);

			if (seg == NULL || (char *)seg_base(seg) !=
			    fixed_base + (i / 4) * 4 * pagesize)
				atomic_fetch_add(&errors, 1);
		}
		as_exit(as);
	}
	return (NULL);
}

int
main(void)
{
	struct segvn_crargs a = { .fd = -1, .type = MAP_PRIVATE,
	    .prot = PROT_READ | PROT_WRITE };
	pthread_t threads[READERS + 2];
	unsigned char *fill;
	size_t i, span;
	int err;

	pagesize = (size_t)sysconf(_SC_PAGESIZE);
	REQUIRE((as = as_alloc(64 << 20)) != NULL);
	fixed_base = as_window_base(as);
	churn_base = fixed_base + (16 << 20);
	span = FIXED_SEGS * 4 * pagesize;
	for (i = 0; i < FIXED_SEGS; i++)
		REQUIRE(as_map(as, fixed_base + i * 4 * pagesize,
		    4 * pagesize, segvn_create, &a) == 0);
	REQUIRE((fill = malloc(span)) != NULL);
	for (i = 0; i < span; i++)
		fill[i] = pattern(i);
	CHECK(as_write(as, fixed_base, fill, span, &err) == span && err == 0);
	free(fill);

	for (i = 0; i < READERS; i++)
		REQUIRE(pthread_create(&threads[i], NULL, reader,
		    (void *)(uintptr_t)(i + 1)) == 0);
	REQUIRE(pthread_create(&threads[READERS], NULL, mapper, NULL) == 0);
	REQUIRE(pthread_create(&threads[READERS + 1], NULL, looker, NULL) ==
	    0);
	(void) sleep(RUN_SECONDS);
	atomic_store(&stop, true);
	for (i = 0; i < READERS + 2; i++)
		(void) pthread_join(threads[i], NULL);

	fprintf(stderr, "%lu copies, %lu map/unmap steps\n",
	    atomic_load(&reads_done), atomic_load(&maps_done));
	CHECK(atomic_load(&reads_done) > 0);
	CHECK(atomic_load(&maps_done) > 0);
	CHECK(atomic_load(&bad_bytes) == 0);
	CHECK(atomic_load(&errors) == 0);
	CHECK_VERIFY(as);
	as_free(as);
	return (test_done());
}
