/*
 * guest_test.c -- the guest handle over a raw image the test writes: a
 * small 4-level page table mapping a few pages (one not present, one
 * past the end of the image, one 2 MiB page), a data pattern on every
 * frame.  Checks physical reads, the refusal to write an image, the
 * writable copy (the file never changes), pins, v2p level by level,
 * virtual reads and writes across pages with partial results, the
 * translation cache's flush after a page-table write, and the error
 * sentences for bad specs.
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
#define	NFRAMES		1024ULL		/* 4 MiB image */
#define	PML4		1ULL
#define	PDPT		2ULL
#define	PD		3ULL
#define	PT		4ULL
#define	VA		0x0000000040000000ULL	/* PML4 0, PDPT 1, PD 0 */
#define	BIG_VA		(VA + (1ULL << 21))	/* PD 1: a 2 MiB page */
#define	BIG_PA		(2ULL << 20)		/* frames 512..1023 */
#define	P		0x1ULL
#define	W		0x2ULL
#define	U		0x4ULL
#define	PS		0x80ULL
#define	NX		(1ULL << 63)

static unsigned char *img;

static uint64_t
pattern(uint64_t gpa)
{
	return (gpa * 0x9E3779B97F4A7C15ULL ^ 0x5a5a);
}

static void
put(uint64_t gpa, uint64_t v)
{
	memcpy(img + gpa, &v, 8);
}

/* Frames 10.. hold data; PT entry i maps VA + i pages. */
static void
build(const char *path)
{
	uint64_t i;
	FILE *f;

	REQUIRE((img = calloc(NFRAMES, PG)) != NULL);
	for (i = 0; i < NFRAMES * PG; i += 8)
		put(i, pattern(i));
	memset(img + PML4 * PG, 0, 4 * PG);
	put(PML4 * PG + 0 * 8, PDPT * PG | P | W | U);
	put(PDPT * PG + 1 * 8, PD * PG | P | W | U);
	put(PD * PG + 0 * 8, PT * PG | P | W | U);
	put(PD * PG + 1 * 8, BIG_PA | P | PS | NX);	/* read-only, NX */
	for (i = 0; i < 8; i++)
		if (i != 3)
			put(PT * PG + i * 8, (10 + i) * PG | P | W | U);
	/* Entry 8 points past the image (frame 5000). */
	put(PT * PG + 8 * 8, 5000 * PG | P | W);
	REQUIRE((f = fopen(path, "wb")) != NULL);
	REQUIRE(fwrite(img, PG, NFRAMES, f) == NFRAMES);
	REQUIRE(fclose(f) == 0);
}

static struct guest_space
space(void)
{
	struct guest_space sp = { .gs_mode = GUEST_PAGING_4LEVEL,
	    .gs_nxe = true, .gs_cr3 = PML4 * PG };

	return (sp);
}

static void
test_phys(struct guest *g)
{
	unsigned char buf[3 * PG];
	struct guest_fault why;
	uint64_t v;

	CHECK(strcmp(guest_format(g), "raw") == 0);
	CHECK(guest_nframes(g) == NFRAMES);
	CHECK(guest_domid(g) == -1);
	CHECK(guest_pread(g, 10 * PG + 100, buf, sizeof (buf), &why) ==
	    sizeof (buf));
	CHECK(memcmp(buf, img + 10 * PG + 100, sizeof (buf)) == 0);
	CHECK(why.gf_errno == 0);
	/* Past the end: partial, then EFAULT at the first byte beyond. */
	CHECK(guest_pread(g, NFRAMES * PG - 16, buf, 64, &why) == 16);
	CHECK(why.gf_errno == EFAULT && why.gf_addr == NFRAMES * PG);
	/* Writes refused on an image opened without a copy. */
	v = 1;
	CHECK(guest_pwrite(g, 10 * PG, &v, 8, &why) == 0);
	CHECK(why.gf_errno == EROFS);
	CHECK(guest_nvcpus(g) == 0);
	{
		struct guest_regs r;

		CHECK_ERRNO(guest_vcpu_regs(g, 0, &r), ENODATA);
	}
	CHECK(guest_vmcoreinfo(g, NULL) == NULL);
	CHECK_ERRNO(guest_pause(g), ENOTSUP);
}

static void
test_pin(struct guest *g)
{
	struct guest_pin pin;
	unsigned char *p;

	p = guest_pin(g, 20 * PG + 8, 2 * PG, &pin);
	REQUIRE(p != NULL);
	CHECK(memcmp(p, img + 20 * PG + 8, 2 * PG) == 0);
	guest_unpin(g, &pin);
	CHECK(pin.gp_ptr == NULL);
	errno = 0;
	CHECK(guest_pin(g, NFRAMES * PG - 8, 16, &pin) == NULL &&
	    errno == EINVAL);
	CHECK(guest_pin(g, 0, 0, &pin) == NULL && errno == EINVAL);
}

static void
test_v2p(struct guest *g)
{
	struct guest_space sp = space();
	struct guest_v2p v;

	REQUIRE(guest_v2p(g, &sp, VA + 2 * PG + 5, &v) == 0);
	CHECK(v.v_fault.gf_errno == 0);
	CHECK(v.v_pa == 12 * PG + 5);
	CHECK(v.v_page_size == PG);
	CHECK(v.v_flags == (GUEST_V2P_W | GUEST_V2P_U));
	CHECK(v.v_nlevels == 4);
	CHECK(v.v_levels[0].l_level == 4 && v.v_levels[0].l_entry_pa ==
	    PML4 * PG);
	CHECK(v.v_levels[3].l_level == 1 && v.v_levels[3].l_entry_pa ==
	    PT * PG + 2 * 8 && v.v_levels[3].l_entry == (12 * PG | P | W | U));

	REQUIRE(guest_v2p(g, &sp, BIG_VA + 0x12345, &v) == 0);
	CHECK(v.v_pa == BIG_PA + 0x12345 && v.v_page_size == (2ULL << 20));
	CHECK(v.v_flags == GUEST_V2P_NX);
	CHECK(v.v_nlevels == 3);

	REQUIRE(guest_v2p(g, &sp, VA + 3 * PG, &v) == 0);
	CHECK(v.v_fault.gf_errno == EFAULT && v.v_fault.gf_level == 1);
	CHECK(strcmp(v.v_fault.gf_what, "not present") == 0 ||
	    v.v_fault.gf_what[0] != '\0');
	/* A bad mode is refused. */
	sp.gs_mode = (enum guest_paging)42;
	CHECK_ERRNO(guest_v2p(g, &sp, VA, &v), EINVAL);
}

static void
test_vread(struct guest *g)
{
	struct guest_space sp = space();
	unsigned char buf[4 * PG];
	struct guest_fault why;
	size_t n;

	/* Pages 0..2 read across boundaries, stop at page 3. */
	n = guest_vread(g, &sp, VA + 100, buf, sizeof (buf), &why);
	CHECK(n == 3 * PG - 100);
	CHECK(memcmp(buf, img + 10 * PG + 100, PG - 100) == 0);
	CHECK(memcmp(buf + PG - 100, img + 11 * PG, PG) == 0);
	CHECK(why.gf_errno == EFAULT && why.gf_addr == VA + 3 * PG);
	/* Page 8's frame is past the image: the data is unreadable. */
	n = guest_vread(g, &sp, VA + 7 * PG, buf, 2 * PG, &why);
	CHECK(n == PG);
	CHECK(why.gf_addr == VA + 8 * PG && why.gf_errno != 0);
	CHECK(why.gf_pa == 5000 * PG);
	/* Twice through the cache gives the same bytes. */
	CHECK(guest_vread(g, &sp, VA + 4 * PG, buf, 2 * PG, NULL) == 2 * PG);
	CHECK(memcmp(buf, img + 14 * PG, 2 * PG) == 0);
	CHECK(guest_vread(g, &sp, VA + 4 * PG, buf, 2 * PG, &why) == 2 * PG);
	CHECK(memcmp(buf, img + 14 * PG, 2 * PG) == 0 && why.gf_errno == 0);
}

/* A writable copy: writes land in memory, the file never changes. */
static void
test_copy(const char *path)
{
	char err[256];
	struct guest *g = guest_open(path, GUEST_OPEN_COPY, err, sizeof (err));
	struct guest_space sp = space();
	unsigned char buf[PG], file[PG];
	struct guest_fault why;
	uint64_t e;
	int fd;

	REQUIRE(g != NULL);
	memset(buf, 0xab, sizeof (buf));
	/* A virtual write across pages 1-2, and into page 3 (not mapped). */
	CHECK(guest_vwrite(g, &sp, VA + 2 * PG - 10, buf, 20, &why) == 20);
	CHECK(guest_vwrite(g, &sp, VA + 3 * PG - 10, buf, 20, &why) == 10);
	CHECK(why.gf_addr == VA + 3 * PG && why.gf_errno == EFAULT);
	CHECK(guest_pread(g, 12 * PG - 10, file, 20, NULL) == 20);
	CHECK(memcmp(file, buf, 20) == 0);
	/* Warm the cache for page 0, remap it by a physical write, flushed. */
	CHECK(guest_vread(g, &sp, VA, buf, 8, NULL) == 8);
	e = 30 * PG | P | W | U;
	CHECK(guest_pwrite(g, PT * PG, &e, 8, &why) == 8);
	CHECK(guest_vread(g, &sp, VA, buf, 8, NULL) == 8);
	CHECK(memcmp(buf, img + 30 * PG, 8) == 0);
	guest_close(g);

	REQUIRE((fd = open(path, O_RDONLY)) >= 0);
	CHECK(pread(fd, file, PG, 12 * PG - PG) == (ssize_t)PG);
	CHECK(memcmp(file, img + 11 * PG, PG) == 0);
	CHECK(pread(fd, &e, 8, PT * PG) == 8 && e == (10 * PG | P | W | U));
	(void) close(fd);
}

static void
test_errors(const char *path)
{
	char err[512];

	CHECK(guest_open("/nonexistent/porthole-image", 0, err,
	    sizeof (err)) == NULL && errno == ENOENT);
	CHECK(strstr(err, "/nonexistent/porthole-image") != NULL);
	CHECK(guest_open(path, GUEST_OPEN_WRITE, err, sizeof (err)) == NULL &&
	    errno == EROFS);
	CHECK(strstr(err, "copy") != NULL);
	CHECK(guest_open(path, GUEST_OPEN_PAUSE, err, sizeof (err)) == NULL &&
	    errno == EINVAL);
	CHECK(guest_open("", 0, err, sizeof (err)) == NULL &&
	    errno == EINVAL);
	CHECK(guest_open(path, 0x100, err, sizeof (err)) == NULL &&
	    errno == EINVAL);
	CHECK(guest_open("xen:no-such-domain-here", GUEST_OPEN_COPY, err,
	    sizeof (err)) == NULL && errno == EINVAL);
	/* Without Xen (or not in dom0) a live spec fails with a sentence. */
	errno = 0;
	CHECK(guest_open("xen:no-such-domain-here", 0, err,
	    sizeof (err)) == NULL && errno != 0 && err[0] != '\0');
}

int
main(void)
{
	char path[] = "/tmp/porthole-guest-test-XXXXXX";
	char err[256] = "x";
	struct guest *g;
	int fd;

	REQUIRE((fd = mkstemp(path)) >= 0);
	(void) close(fd);
	build(path);
	g = guest_open(path, 0, err, sizeof (err));
	if (g == NULL)
		fprintf(stderr, "guest_open: %s\n", err);
	REQUIRE(g != NULL);
	CHECK(err[0] == '\0');
	test_phys(g);
	test_pin(g);
	test_v2p(g);
	test_vread(g);
	guest_close(g);
	test_copy(path);
	test_errors(path);
	(void) unlink(path);
	free(img);
	return (test_done());
}
