/*
 * bench/dump.c - `porthole dump` against the tools an administrator
 * would otherwise use, side by side in one run: `xl dump-core` of the
 * same paused guest, and `cp` of an image of the same size on the same
 * host.
 *
 * Run in dom0 as root with the porthole command on PATH (the test bed
 * does it: make bench-xen):
 *	bench/dump DOMAIN
 *
 * The guest is paused under a pause guard for the whole run, so every
 * dump copies the same memory (and a killed benchmark leaves it
 * running).  Rows, each dumping the guest's memory into dom0's tmpfs:
 *	xl dump-core		the baseline (one map per page)
 *	porthole read		the command's fixed cost: start (its shared
 *				libraries), open the guest, read 16 bytes,
 *				close, exit
 *	porthole dump elf	the default format, as a user runs it
 *	porthole dump xc-core	xl's format, through porthole's batches
 *	porthole dump raw	the same bytes, file offset = address
 *	write floor		as many bytes as the ELF dump wrote, written
 *				from a buffer already in RAM into a new file
 *				beside them (4 MiB writes, fsync): what the
 *				file system takes to accept them, the
 *				physical limit of any dump there
 *	cp of an image		the raw dump copied file to file
 *	porthole dump of it	that image dumped as ELF (file to file)
 * Rates are guest bytes per second (the pages each method wrote, 4 KiB
 * each; cp and the floor: the file's size) over the whole command as a
 * user waits for it; porthole's rows also show the time it counted
 * writing (from its --json "seconds": after the guest is open, until the
 * file is renamed).
 * Ends with
 *	RATIO dump_vs_xl_dump_core	porthole dump (elf) / xl dump-core
 *	RATIO dump_vs_cp		porthole dump (elf) of the live
 *					guest / cp of an image
 *	RATIO image_dump_vs_cp		porthole dump of that image / cp
 *	RATIO dump_vs_write_floor	porthole dump (elf) / the write floor
 * (bigger is better for porthole; the last cannot pass 1).  Each file is
 * removed before the next is written; the bed gives the benchmark a 1 GiB
 * dom0 (tests/xen/run.sh) so that the raw dump and its copy fit at once.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/bench.h"
#include "xen/xc_core.h"
#include "xen/xen_domain.h"
#include "xen/xen_err.h"
#include "xen/xen_pause.h"

#define DUMP_DIR	"/tmp"
#define MIB		(1024.0 * 1024.0)
#define PAGE		4096.0

static void
die(const char *what, const struct xen_err *err)
{
	fprintf(stderr, "bench/dump: %s: %s\n", what,
	    err != NULL ? xen_err_msg(err) : strerror(errno));
	exit(1);
}

/* Run a shell command, timed; exits the benchmark when it fails. */
static double
timed(const char *cmd)
{
	double t0 = bench_now(), t;
	int rc = system(cmd);

	t = bench_now() - t0;
	if (rc != 0) {
		fprintf(stderr, "bench/dump: `%s` failed (status %d)\n", cmd,
		    rc);
		exit(1);
	}
	return t;
}

static double
file_bytes(const char *path)
{
	struct stat st;

	if (stat(path, &st) != 0)
		die(path, NULL);
	return (double)st.st_size;
}

/* A number `porthole dump --json` printed ("pages", "seconds"). */
static double
dump_field(const char *json, const char *key)
{
	FILE *f = fopen(json, "r");
	char buf[4096], *p;
	size_t n;

	if (f == NULL)
		die(json, NULL);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	if ((p = strstr(buf, key)) == NULL) {
		fprintf(stderr, "bench/dump: no %s in %s\n", key, buf);
		exit(1);
	}
	return strtod(p + strlen(key), NULL);
}

/* Seconds porthole itself counted in its last dump (writing only). */
static double last_inner;

/* porthole dump of target in fmt to path: seconds, and pages to *pagesp. */
static double
porthole_dump(const char *target, const char *fmt, const char *path,
    double *pagesp)
{
	char cmd[1024];
	double t;

	unlink(path);
	snprintf(cmd, sizeof(cmd), "porthole dump --json -f %s -o %s %s "
	    "> %s.json", fmt, path, target, path);
	t = timed(cmd);
	snprintf(cmd, sizeof(cmd), "%s.json", path);
	*pagesp = dump_field(cmd, "\"pages\":");
	last_inner = dump_field(cmd, "\"seconds\":");
	unlink(cmd);
	return t;
}

/*
 * Write bytes from a buffer already in memory into a new file at path,
 * as a dump writes its file (created, written in 4 MiB calls, fsynced,
 * closed): seconds.
 */
static double
write_floor(const char *path, double bytes)
{
	const size_t chunk = (size_t)4 << 20;
	double t0, left;
	char *buf;
	int fd;

	if ((buf = malloc(chunk)) == NULL)
		die("write floor buffer", NULL);
	memset(buf, 0xa5, chunk);
	unlink(path);
	t0 = bench_now();
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600)) < 0)
		die(path, NULL);
	for (left = bytes; left > 0; left -= (double)chunk) {
		size_t n = left < (double)chunk ? (size_t)left : chunk;

		if (write(fd, buf, n) != (ssize_t)n)
			die(path, NULL);
	}
	if (fsync(fd) != 0 || close(fd) != 0)
		die(path, NULL);
	t0 = bench_now() - t0;
	unlink(path);
	free(buf);
	return t0;
}

static void
row(const char *name, double bytes, double secs, double base)
{
	double mibs = bytes / MIB / secs;

	if (bytes == 0) {
		printf("  %-28s %12s %8.3f s\n", name, "-", secs);
		fflush(stdout);
		return;
	}
	printf("  %-28s %8.1f MiB %8.3f s %9.1f MiB/s %8.2fx", name,
	    bytes / MIB, secs, mibs, base > 0 ? mibs / base : 1.0);
	if (last_inner > 0)
		printf("  (writing %.3f s)", last_inner);
	printf("\n");
	last_inner = 0;
	/* Each row out at once: a killed run keeps what it measured. */
	fflush(stdout);
}

int
main(int argc, char **argv)
{
	const char *xl = DUMP_DIR "/porthole-bench-xl.core";
	const char *elf = DUMP_DIR "/porthole-bench.elf";
	const char *raw = DUMP_DIR "/porthole-bench.raw";
	const char *xcc = DUMP_DIR "/porthole-bench.xc";
	const char *cpy = DUMP_DIR "/porthole-bench.copy";
	const char *img = DUMP_DIR "/porthole-bench-image.elf";
	const char *flr = DUMP_DIR "/porthole-bench.floor";
	double t_xl, t_elf, t_raw, t_xc, t_cp, t_img, t_flr, pages, xl_mibs;
	double cp_mibs;
	double b_xl, b_elf, b_raw, b_xc, b_cp, b_img;
	struct xen_domain_info di;
	struct xen_pause *guard;
	struct xen_handle *xh;
	struct xc_core *core;
	struct xen_err err;
	char cmd[1024], id[16];
	uint32_t domid;

	bench_require_release_build("bench/dump");
	if (argc != 2) {
		fprintf(stderr, "usage: bench/dump DOMAIN\n");
		return 2;
	}
	xen_err_clear(&err);
	if ((xh = xen_open(&err)) == NULL)
		die("opening Xen", &err);
	if (xen_domain_resolve(xh, argv[1], &domid, &err) != 0 ||
	    xen_domain_info(xh, domid, &di, &err) != 0)
		die(argv[1], &err);
	snprintf(id, sizeof(id), "%" PRIu32, domid);
	if ((guard = xen_pause_take(xh, domid, 0, &err)) == NULL)
		die("pausing the guest", &err);
	printf("bench/dump: domain %s (%s, %s, %" PRIu64 " MiB), paused\n",
	    id, di.di_name, xen_domain_type_name(di.di_type),
	    di.di_tot_pages * 4096 / (1024 * 1024));
	printf("  %-28s %12s %10s %15s %9s\n", "method", "dumped", "time",
	    "rate", "vs xl");

	/* xl first, cold, as an administrator would run it. */
	unlink(xl);
	snprintf(cmd, sizeof(cmd), "xl dump-core %s %s > /dev/null", id, xl);
	t_xl = timed(cmd);
	if ((core = xc_core_open(xl, &err)) == NULL)
		die("reading xl's dump", &err);
	b_xl = (double)xc_core_info(core)->ci_nr_pages * PAGE;
	xc_core_close(core);
	unlink(xl);
	xl_mibs = b_xl / MIB / t_xl;
	row("xl dump-core", b_xl, t_xl, xl_mibs);

	/* What opening and closing the guest costs, dumping nothing. */
	snprintf(cmd, sizeof(cmd), "porthole read --phys %s 0 16 > /dev/null",
	    id);
	row("porthole read (no dump)", 0, timed(cmd), xl_mibs);

	t_elf = porthole_dump(id, "elf", elf, &pages);
	b_elf = pages * PAGE;
	unlink(elf);
	row("porthole dump (elf)", b_elf, t_elf, xl_mibs);
	t_xc = porthole_dump(id, "xc-core", xcc, &pages);
	b_xc = pages * PAGE;
	unlink(xcc);
	row("porthole dump (xc-core)", b_xc, t_xc, xl_mibs);
	t_raw = porthole_dump(id, "raw", raw, &pages);
	b_raw = pages * PAGE;
	row("porthole dump (raw)", b_raw, t_raw, xl_mibs);

	t_flr = write_floor(flr, b_elf);
	row("write floor (same bytes)", b_elf, t_flr, xl_mibs);

	/* The raw dump is an image: copy it, dump it. */
	unlink(cpy);
	snprintf(cmd, sizeof(cmd), "cp %s %s", raw, cpy);
	t_cp = timed(cmd);
	b_cp = file_bytes(cpy);
	unlink(cpy);
	cp_mibs = b_cp / MIB / t_cp;
	row("cp of an image", b_cp, t_cp, xl_mibs);
	t_img = porthole_dump(raw, "elf", img, &pages);
	b_img = pages * PAGE;
	unlink(img);
	unlink(raw);
	row("porthole dump of the image", b_img, t_img, xl_mibs);

	if (xen_pause_release(guard, &err) != 0)
		die("resuming the guest", &err);
	xen_close(xh);
	bench_ratio("dump_vs_xl_dump_core", b_elf / MIB / t_elf / xl_mibs);
	bench_ratio("dump_vs_cp", b_elf / MIB / t_elf / cp_mibs);
	bench_ratio("image_dump_vs_cp", b_img / MIB / t_img / cp_mibs);
	bench_ratio("dump_vs_write_floor", t_flr / t_elf);
	return 0;
}
