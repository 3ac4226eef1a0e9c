/*
 * physmem.c -- reading a guest's physical memory from a raw image, side
 * by side in one run:
 *	memcpy		from resident memory: the limit
 *	pread		into a buffer: how image tools read
 *	kpm cold/warm	seg_kpm through physwin_read (first pass fills
 *			klusters, second pass finds them mapped)
 *	map cold/warm	seg_map slots (warm: a range that fits the slots)
 * sequentially (1 MiB reads) and at random (4 KiB reads).  The image is
 * generated here (PHYSMEM_BENCH_MB, default 1024 MiB, in $TMPDIR) and is
 * in the page cache for every method: "cold" means not yet mapped by
 * porthole.  Ends with
 *	RATIO kpm_warm_seq_vs_memcpy <throughput ratio>
 *	RATIO kpm_cold_seq_vs_pread <throughput ratio>
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <porthole/porthole.h>
#include "bench/bench.h"

#define	CHUNK		((size_t)1 << 20)
#define	SMALL		((size_t)4096)
#define	RANDOM_READS	200000

static size_t image_bytes;
static unsigned char *chunk;
static volatile unsigned sink;

static int
make_image(const char *path, unsigned char **copyp)
{
	unsigned char *mem = malloc(image_bytes);
	uint64_t x = 0x9E3779B97F4A7C15ULL;
	size_t i;
	int fd;

	if (mem == NULL)
		return (ENOMEM);
	for (i = 0; i < image_bytes; i += 8) {
		uint64_t v = prng_next(&x);

		memcpy(mem + i, &v, 8);
	}
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, mem, image_bytes) != (ssize_t)image_bytes) {
		int err = errno;

		free(mem);
		if (fd >= 0)
			(void) close(fd);
		return (err);
	}
	(void) close(fd);
	*copyp = mem;
	return (0);
}

/* Per-method read functions: copy len bytes at gpa into chunk. */
struct method {
	const char	*name;
	unsigned char	*mem;
	int		fd;
	struct physwin	*pw;
};

static int
read_one(struct method *m, uint64_t gpa, size_t len)
{
	int err = 0;

	if (m->mem != NULL)
		memcpy(chunk, m->mem + gpa, len);
	else if (m->fd >= 0) {
		if (pread(m->fd, chunk, len, (off_t)gpa) != (ssize_t)len)
			err = errno != 0 ? errno : EIO;
	} else if (physwin_read(m->pw, gpa, chunk, len, &err) != len)
		err = err != 0 ? err : EIO;
	sink += chunk[len - 1];
	return (err);
}

/* GB/s reading [0, span) in CHUNK reads, repeated to cover total bytes. */
static double
seq(struct method *m, size_t span, size_t total)
{
	double t0 = bench_now();
	size_t done;

	for (done = 0; done < total; done += CHUNK) {
		if (read_one(m, done % span, CHUNK) != 0)
			return (0);
	}
	return ((double)total / (bench_now() - t0) / 1e9);
}

static double
rnd(struct method *m, size_t span)
{
	uint64_t rng = 7;
	double t0 = bench_now();
	int i;

	for (i = 0; i < RANDOM_READS; i++) {
		uint64_t gpa = (prng_next(&rng) % (span / SMALL)) * SMALL;

		if (read_one(m, gpa, SMALL) != 0)
			return (0);
	}
	return ((double)RANDOM_READS * SMALL / (bench_now() - t0) / 1e9);
}

static struct physwin *
open_window(struct as *as, struct physmem *pm, enum physwin_mode mode)
{
	struct physwin_opts o = { .po_size = sizeof (o), .po_mode = mode };

	return (physwin_open(as, pm, &o));
}

int
main(void)
{
	const char *tmp = getenv("TMPDIR") != NULL ? getenv("TMPDIR") :
	    "/tmp";
	const char *mb = getenv("PHYSMEM_BENCH_MB");
	struct method mcpy = { "memcpy", NULL, -1, NULL };
	struct method prd = { "pread", NULL, -1, NULL };
	struct method kpm = { "kpm", NULL, -1, NULL };
	struct method map = { "map", NULL, -1, NULL };
	double kpm_cold, kpm_warm, map_cold, map_warm, m_seq, p_seq;
	double m_rnd, p_rnd, kpm_rnd, map_rnd, map_rnd_warm;
	size_t slots_span = 64 * ((size_t)256 << 10);
	struct physmem *pm;
	struct as *as;
	char path[4096];
	int err;

	bench_require_release_build("physmem");

	image_bytes = (size_t)(mb != NULL ? strtoul(mb, NULL, 10) : 1024) <<
	    20;
	if (image_bytes < 64 * CHUNK)
		image_bytes = 64 * CHUNK;
	(void) snprintf(path, sizeof (path), "%s/porthole-bench-%ld.img", tmp,
	    (long)getpid());
	if ((chunk = malloc(CHUNK)) == NULL ||
	    (err = make_image(path, &mcpy.mem)) != 0) {
		(void) fprintf(stderr, "physmem: cannot make a %zu MiB image "
		    "in %s: %s (set TMPDIR or PHYSMEM_BENCH_MB)\n",
		    image_bytes >> 20, tmp, strerror(errno));
		return (1);
	}
	prd.fd = open(path, O_RDONLY | O_CLOEXEC);
	pm = physmem_raw_open(path, NULL, 0);
	as = as_alloc(0);
	if (prd.fd < 0 || pm == NULL || as == NULL ||
	    (kpm.pw = open_window(as, pm, PHYSWIN_KPM)) == NULL ||
	    (map.pw = open_window(as, pm, PHYSWIN_MAP)) == NULL) {
		(void) fprintf(stderr, "physmem: setting up: %s\n",
		    strerror(errno));
		(void) unlink(path);
		return (1);
	}

	/* The baselines get their best of two passes. */
	m_seq = seq(&mcpy, image_bytes, image_bytes);
	m_seq = fmax(m_seq, seq(&mcpy, image_bytes, image_bytes));
	p_seq = seq(&prd, image_bytes, image_bytes);
	p_seq = fmax(p_seq, seq(&prd, image_bytes, image_bytes));
	kpm_cold = seq(&kpm, image_bytes, image_bytes);
	kpm_warm = seq(&kpm, image_bytes, image_bytes);
	map_cold = seq(&map, image_bytes, image_bytes);
	(void) seq(&map, slots_span, slots_span);
	map_warm = seq(&map, slots_span, image_bytes);
	m_rnd = fmax(rnd(&mcpy, image_bytes), rnd(&mcpy, image_bytes));
	p_rnd = fmax(rnd(&prd, image_bytes), rnd(&prd, image_bytes));
	kpm_rnd = rnd(&kpm, image_bytes);
	map_rnd = rnd(&map, image_bytes);
	map_rnd_warm = rnd(&map, slots_span);

	(void) printf("physmem: %zu MiB raw image (in the page cache), "
	    "GB/s and ratio to memcpy\n\n", image_bytes >> 20);
	(void) printf("%-22s %10s %10s\n", "method", "GB/s", "vs memcpy");
#define	ROW(name, v, ref) (void) printf("%-22s %10.2f %10.2f\n", name, v, \
	(v) / (ref))
	ROW("memcpy seq 1M", m_seq, m_seq);
	ROW("pread seq 1M", p_seq, m_seq);
	ROW("kpm cold seq 1M", kpm_cold, m_seq);
	ROW("kpm warm seq 1M", kpm_warm, m_seq);
	ROW("map cold seq 1M", map_cold, m_seq);
	ROW("map warm seq 1M (16M)", map_warm, m_seq);
	ROW("memcpy random 4K", m_rnd, m_rnd);
	ROW("pread random 4K", p_rnd, m_rnd);
	ROW("kpm warm random 4K", kpm_rnd, m_rnd);
	ROW("map random 4K", map_rnd, m_rnd);
	ROW("map warm rnd 4K (16M)", map_rnd_warm, m_rnd);
#undef ROW
	(void) printf("\n");
	bench_ratio("kpm_warm_seq_vs_memcpy", kpm_warm / m_seq);
	bench_ratio("kpm_cold_seq_vs_pread", kpm_cold / p_seq);

	physwin_close(kpm.pw);
	physwin_close(map.pw);
	as_free(as);
	physmem_rele(pm);
	(void) close(prd.fd);
	(void) unlink(path);
	free(mcpy.mem);
	free(chunk);
	return (kpm_cold > 0 && kpm_warm > 0 && map_cold > 0 ? 0 : 1);
}
