/*
 * guest_mappings_test.c -- the guest handle's public calls the command
 * builds on, on a raw image this test writes: guest_space_mappings (every
 * leaf of a small 4-level table in address order, with its flags; a
 * self-map not followed; ranges, early stops and bad spaces) and
 * guest_dump_xc_core's refusal of an image.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <porthole/guest.h>
#include "tests/test.h"

#define	PG		4096ULL
#define	NFRAMES		1024ULL
#define	PML4		1ULL
#define	PDPT		2ULL
#define	PD		3ULL
#define	PT		4ULL
#define	VA		0x0000000040000000ULL	/* PML4 0, PDPT 1, PD 0 */
#define	BIG_VA		(VA + (1ULL << 21))
#define	BIG_PA		(2ULL << 20)
#define	P		0x1ULL
#define	W		0x2ULL
#define	U		0x4ULL
#define	PS		0x80ULL
#define	NX		(1ULL << 63)

static unsigned char *img;

static void
put(uint64_t gpa, uint64_t v)
{
	memcpy(img + gpa, &v, 8);
}

static void
build(const char *path)
{
	uint64_t i;
	FILE *f;

	REQUIRE((img = calloc(NFRAMES, PG)) != NULL);
	put(PML4 * PG + 0 * 8, PDPT * PG | P | W | U);
	/* A self-map, as some kernels keep: not followed. */
	put(PML4 * PG + 510 * 8, PML4 * PG | P | W);
	put(PDPT * PG + 1 * 8, PD * PG | P | W | U);
	put(PD * PG + 0 * 8, PT * PG | P | W | U);
	put(PD * PG + 1 * 8, BIG_PA | P | PS | NX);
	for (i = 0; i < 8; i++)
		if (i != 3)
			put(PT * PG + i * 8, (10 + i) * PG | P | W | U);
	put(PT * PG + 8 * 8, 5000 * PG | P | W);
	/* PS in a PML4 entry is a reserved bit: skipped. */
	put(PML4 * PG + 2 * 8, PDPT * PG | P | PS);
	REQUIRE((f = fopen(path, "wb")) != NULL);
	REQUIRE(fwrite(img, PG, NFRAMES, f) == NFRAMES);
	REQUIRE(fclose(f) == 0);
}

struct seen {
	struct guest_mapping	m[64];
	size_t			n;
	size_t			stop_at;	/* 0: never */
};

static int
collect(const struct guest_mapping *m, void *arg)
{
	struct seen *s = arg;

	if (s->n < 64)
		s->m[s->n] = *m;
	s->n++;
	return (s->stop_at != 0 && s->n == s->stop_at ? 7 : 0);
}

int
main(void)
{
	char path[] = "/tmp/porthole-mappings-test-XXXXXX";
	struct guest_space sp = { .gs_mode = GUEST_PAGING_4LEVEL,
	    .gs_nxe = true, .gs_cr3 = PML4 * PG };
	struct seen s;
	char err[256];
	struct guest *g;
	uint64_t pages = 1;
	size_t i, k;
	int fd;

	REQUIRE((fd = mkstemp(path)) >= 0);
	(void) close(fd);
	build(path);
	REQUIRE((g = guest_open(path, 0, err, sizeof (err))) != NULL);

	/* The whole space: 7 small pages, the one past the image, 2 MiB. */
	memset(&s, 0, sizeof (s));
	CHECK(guest_space_mappings(g, &sp, 0, ~0ULL, collect, &s) == 0);
	REQUIRE(s.n == 9);
	for (i = 0, k = 0; i < 8; i++) {
		if (i == 3)
			continue;
		CHECK(s.m[k].gm_va == VA + i * PG);
		CHECK(s.m[k].gm_pa == (10 + i) * PG);
		CHECK(s.m[k].gm_size == PG);
		CHECK(s.m[k].gm_flags == (GUEST_V2P_W | GUEST_V2P_U));
		k++;
	}
	CHECK(s.m[7].gm_va == VA + 8 * PG && s.m[7].gm_pa == 5000 * PG);
	CHECK(s.m[7].gm_flags == GUEST_V2P_W);
	CHECK(s.m[8].gm_va == BIG_VA && s.m[8].gm_pa == BIG_PA);
	CHECK(s.m[8].gm_size == (2ULL << 20));
	CHECK(s.m[8].gm_flags == GUEST_V2P_NX);

	/* A range: pages overlapping it only. */
	memset(&s, 0, sizeof (s));
	CHECK(guest_space_mappings(g, &sp, VA + 4 * PG + 1, VA + 5 * PG, collect,
	    &s) == 0);
	CHECK(s.n == 2 && s.m[0].gm_va == VA + 4 * PG &&
	    s.m[1].gm_va == VA + 5 * PG);
	memset(&s, 0, sizeof (s));
	CHECK(guest_space_mappings(g, &sp, BIG_VA + 0x1000, BIG_VA + 0x2000,
	    collect, &s) == 0);
	CHECK(s.n == 1 && s.m[0].gm_va == BIG_VA);

	/* The callback stops it with its own value. */
	memset(&s, 0, sizeof (s));
	s.stop_at = 2;
	CHECK(guest_space_mappings(g, &sp, 0, ~0ULL, collect, &s) == 7);
	CHECK(s.n == 2);

	/* Bad ranges and spaces. */
	CHECK_ERRNO(guest_space_mappings(g, &sp, VA, VA - 1, collect, &s),
	    EINVAL);
	CHECK_ERRNO(guest_space_mappings(g, &sp, 0, 0x0000800000000000ULL,
	    collect, &s), EINVAL);	/* not canonical */
	CHECK_ERRNO(guest_space_mappings(g, &sp, 0, ~0ULL, NULL, &s), EINVAL);
	sp.gs_mode = (enum guest_paging)42;
	CHECK_ERRNO(guest_space_mappings(g, &sp, 0, ~0ULL, collect, &s),
	    EINVAL);
	sp.gs_mode = GUEST_PAGING_NONE;
	CHECK_ERRNO(guest_space_mappings(g, &sp, 0, 0xffffffffULL, collect,
	    &s), EINVAL);
	/* Machine frames in a guest that has none. */
	sp.gs_mode = GUEST_PAGING_4LEVEL;
	sp.gs_machine = true;
	CHECK_ERRNO(guest_space_mappings(g, &sp, 0, ~0ULL, collect, &s),
	    EINVAL);

	/* xc-core is written from live domains only. */
	REQUIRE((fd = open("/dev/null", O_WRONLY)) >= 0);
	err[0] = '\0';
	CHECK_ERRNO(guest_dump_xc_core(g, fd, NULL, NULL, NULL, &pages, err,
	    sizeof (err)), ENOTSUP);
	CHECK(pages == 0);
	CHECK(strstr(err, path) != NULL && strstr(err, "elf or raw") != NULL);
	CHECK_ERRNO(guest_dump_xc_core(g, -1, NULL, NULL, NULL, NULL, err,
	    sizeof (err)), EINVAL);
	(void) close(fd);

	guest_close(g);
	(void) unlink(path);
	free(img);
	return (test_done());
}
