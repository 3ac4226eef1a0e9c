/*
 * image_detect_test.c -- image_detect and image_open's dispatch: each
 * format is told from its first bytes (never the file name), anything
 * else is raw; raw images open through image_open and read back frame
 * by frame; the errors of image_open (no such file, a directory, an
 * empty file) come with a sentence; format names.
 */
#include "config.h"

#include <sys/stat.h>

#include "tests/image_build.h"
#include "tests/unit/image_check.h"

static char path[256];

static enum image_format
detect(const void *b, size_t len)
{
	enum image_format fmt = (enum image_format)-1;
	int fd;

	ic_spill(path, b, len);
	REQUIRE((fd = open(path, O_RDONLY)) >= 0);
	CHECK(image_detect(fd, &fmt) == 0);
	(void) close(fd);
	return (fmt);
}

static void
test_detect(void)
{
	unsigned char b[8192];
	struct ib_buf w, f;
	struct ib_segment seg = { 0, IB_PG, IB_PG, b };
	struct ib_elf_opts o = { .e_64 = true, .e_machine = 62,
	    .e_segs = &seg, .e_nsegs = 1 };
	bool dumped[2] = { true, false };
	struct ib_kdump_opts ko = { .k_64 = true, .k_version = 6,
	    .k_block_size = IB_PG, .k_max_mapnr = 2, .k_dumped = dumped,
	    .k_bytes = b };

	memset(b, 0x11, sizeof (b));
	CHECK(detect(b, 0) == IMAGE_RAW);
	CHECK(detect(b, 1) == IMAGE_RAW);
	CHECK(detect(b, sizeof (b)) == IMAGE_RAW);
	CHECK(detect("KDUMP  ", 7) == IMAGE_RAW);	/* too short */
	CHECK(detect("KDUMP   ", 8) == IMAGE_KDUMP);
	CHECK(detect("\177ELF", 4) == IMAGE_RAW);

	ib_build_elf(&w, &o, NULL);
	CHECK(detect(w.b, w.len) == IMAGE_QEMU_ELF);
	CHECK(detect(w.b, 51) == IMAGE_RAW);		/* cut in the header */
	w.b[16] = 2;					/* ET_EXEC */
	CHECK(detect(w.b, w.len) == IMAGE_RAW);
	ib_free(&w);
	o.e_64 = false;
	o.e_machine = 3;
	ib_build_elf(&w, &o, NULL);
	CHECK(detect(w.b, w.len) == IMAGE_QEMU_ELF);
	ib_free(&w);

	ib_build_kdump(&w, &ko, NULL);
	CHECK(detect(w.b, w.len) == IMAGE_KDUMP);
	ib_flatten(&w, &f, IB_PG, 1, false);
	CHECK(detect(f.b, f.len) == IMAGE_KDUMP_FLAT);
	CHECK(detect(f.b, 24) == IMAGE_KDUMP_FLAT);
	CHECK(detect(f.b, 23) == IMAGE_RAW);
	f.b[16 + 7] = 2;				/* type 2 */
	CHECK(detect(f.b, f.len) == IMAGE_RAW);
	f.b[16 + 7] = 1;
	f.b[12] = 'x';					/* not NUL padded */
	CHECK(detect(f.b, f.len) == IMAGE_RAW);
	ib_free(&f);
	ib_free(&w);

	/* An ELF64 core with sections and no program headers: xc-core,
	 * even when its section name table is gone. */
	memset(b, 0, 64);
	memcpy(b, "\177ELF\2\1\1", 7);
	ic_put16(b + 16, 4);
	ic_put16(b + 18, 62);
	ic_put64(b + 40, 64);
	ic_put16(b + 58, 64);
	ic_put16(b + 60, 5);
	CHECK(detect(b, 64) == IMAGE_XC_CORE);

	CHECK(strcmp(image_format_name(IMAGE_RAW), "raw") == 0);
	CHECK(strcmp(image_format_name(IMAGE_XC_CORE), "xc-core") == 0);
	CHECK(strcmp(image_format_name(IMAGE_QEMU_ELF), "qemu-elf") == 0);
	CHECK(strcmp(image_format_name(IMAGE_KDUMP), "kdump") == 0);
	CHECK(strcmp(image_format_name(IMAGE_KDUMP_FLAT), "kdump-flat") == 0);
	CHECK(strcmp(image_format_name((enum image_format)99), "unknown") ==
	    0);
}

static void
test_raw(void)
{
	struct image_model m;
	char errbuf[256];
	struct image im;
	uint64_t g;
	size_t len = 38 * IC_PG;

	image_model_init(&m, 38, 77);
	for (g = 0; g < 38; g++)
		m.m_present[g] = true;
	ic_spill(path, m.m_bytes, len);
	CHECK(image_open(path, false, &im, errbuf, sizeof (errbuf)) == 0);
	REQUIRE(im.im_pm != NULL);
	CHECK(im.im_format == IMAGE_RAW && im.im_nvcpus == 0 &&
	    im.im_vcpus == NULL && im.im_vmcoreinfo == NULL && !im.im_pv);
	CHECK(strstr(im.im_describe, "raw") != NULL &&
	    strstr(im.im_describe, path) != NULL);
	image_check_frames(im.im_pm, &m);
	image_check_writable(im.im_pm, &m, path);
	image_close(&im);
	CHECK(im.im_pm == NULL);
	image_model_free(&m);
}

static void
test_errors(void)
{
	char errbuf[256], dir[300];
	struct image im;

	errbuf[0] = '\0';
	CHECK(image_open("/nonexistent/porthole/image", false, &im, errbuf,
	    sizeof (errbuf)) == ENOENT);
	CHECK(strstr(errbuf, "/nonexistent/porthole/image") != NULL);
	CHECK(im.im_pm == NULL);
	(void) snprintf(dir, sizeof (dir), "%s.d", path);
	REQUIRE(mkdir(dir, 0700) == 0);
	CHECK(image_open(dir, false, &im, errbuf, sizeof (errbuf)) == EINVAL);
	CHECK(strstr(errbuf, "regular file") != NULL);
	(void) rmdir(dir);
	ic_spill(path, "", 0);
	CHECK(image_open(path, false, &im, errbuf, sizeof (errbuf)) == EINVAL);
	CHECK(strstr(errbuf, "empty") != NULL);
	CHECK(image_open(NULL, false, &im, errbuf, sizeof (errbuf)) == EINVAL);
	CHECK(image_open(path, false, NULL, NULL, 0) == EINVAL);
	/* No buffer for the sentence is fine too. */
	CHECK(image_open("/nonexistent/porthole/image", false, &im, NULL,
	    0) == ENOENT);
	image_close(NULL);
}

int
main(void)
{
	ic_path(path, sizeof (path), "image-detect", "file");
	test_detect();
	test_raw();
	test_errors();
	(void) unlink(path);
	return (test_done());
}
