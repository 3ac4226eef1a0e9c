/*
 * cmd_dump.c -- `porthole dump TARGET -o FILE`: the guest's whole
 * physical memory to a file: an ELF core (the default; crash and gdb
 * read it), a raw image (file offset = physical address, holes sparse)
 * or, for a live domain, an xc-core file as `xl dump-core` writes it.
 *
 * The file is written under a temporary name beside FILE, fsynced and
 * renamed: an interrupted dump never leaves a file that looks complete.
 * SIGINT, SIGTERM or SIGHUP stop the dump between batches, remove the
 * temporary file and resume the guest (--pause pauses it under the
 * library's pause guard, so even a killed porthole leaves it running).
 * An existing FILE is kept unless --force.  A progress line shows on a
 * terminal.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <porthole/guest.h>
#include "tools/dump.h"

#define	DUMP_PAGE	((uint64_t)4096)

/* xc-core progress: pages to bytes, and the interrupt check. */
static int
dump_xc_progress(void *arg, uint64_t done, uint64_t total)
{
	struct dump_job *dj = arg;

	(void) total;
	dj->dj_done = done * DUMP_PAGE;
	return (dump_tick(dj) != 0 ? 1 : 0);
}

static int
dump_xc_core(struct dump_job *dj, uint64_t *pagesp)
{
	char err[1024];

	if (guest_dump_xc_core(dj->dj_g, dj->dj_fd, dj->dj_path,
	    dump_xc_progress, dj, pagesp, err, sizeof (err)) == 0)
		return (0);
	if (errno == ECANCELED && cli_interrupted != 0) {
		errno = EINTR;
		return (-1);
	}
	(void) cli_error("%s", err);
	return (-1);
}

static void
dump_summary(struct dump_job *dj, const char *target, enum dump_format fmt,
    bool json, bool paused, double secs, uint64_t xc_pages)
{
	uint64_t bytes = fmt == DUMP_XC_CORE ? xc_pages * DUMP_PAGE :
	    dj->dj_present;
	char b1[32], b2[32];
	struct json j;

	if (json) {
		json_init(&j, stdout);
		json_object_begin(&j);
		json_kv_string(&j, "target", target);
		json_kv_string(&j, "file", dj->dj_path);
		json_kv_string(&j, "format", dump_format_name(fmt));
		json_kv_u64(&j, "bytes", bytes);
		json_kv_u64(&j, "pages", bytes / DUMP_PAGE);
		json_kv_u64(&j, "runs", dj->dj_nruns);
		json_kv_u64(&j, "unreadable_pages", dj->dj_unreadable);
		json_kv_bool(&j, "paused", paused);
		json_key(&j, "seconds");
		(void) printf("%.3f", secs);
		j.j_first[j.j_depth] = false;
		j.j_after_key = false;
		json_object_end(&j);
		json_end(&j);
		return;
	}
	(void) printf("dumped %s (%" PRIu64 " pages in %zu run%s) of %s to %s "
	    "as %s in %.1f s, %s/s%s\n", cli_bytes(bytes, b1, sizeof (b1)),
	    bytes / DUMP_PAGE, dj->dj_nruns, dj->dj_nruns == 1 ? "" : "s",
	    target, dj->dj_path, dump_format_name(fmt), secs,
	    cli_bytes(secs > 0 ? (uint64_t)((double)bytes / secs) : bytes,
	    b2, sizeof (b2)), paused ? ", paused meanwhile" : "");
}

static int
dump_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "format", required_argument, NULL, 'f' },
		{ "pause", no_argument, NULL, 'p' },
		{ "force", no_argument, NULL, 'F' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct cli_outfile of = { .of_fd = -1 };
	struct dump_job dj = { .dj_fd = -1 };
	enum dump_format fmt = DUMP_ELF;
	const char *path = NULL, *target;
	bool pause = false, force = false, json = false, paused = false;
	uint64_t xc_pages = 0;
	struct guest *g;
	double t0;
	int c, f, rc, rv = EXIT_FAIL;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:f:jh", longopts, NULL)) !=
	    -1) {
		switch (c) {
		case 'o':
			path = optarg;
			break;
		case 'f':
			if ((f = dump_format_parse(optarg)) < 0)
				return (cli_usage_error(&cmd_dump, "--format "
				    "takes elf, raw or xc-core, not '%s'",
				    optarg));
			fmt = (enum dump_format)f;
			break;
		case 'p':
			pause = true;
			break;
		case 'F':
			force = true;
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			return (cli_help(&cmd_dump));
		default:
			return (cli_usage_error(&cmd_dump, "bad option"));
		}
	}
	if (cli_operands(&cmd_dump, argc, argv, 1,
	    "no TARGET: name a domain (porthole list) or a memory image") != 0)
		return (EXIT_USAGE);
	if (path == NULL)
		return (cli_usage_error(&cmd_dump, "no output file: give -o "
		    "FILE"));
	target = argv[optind];
	cli_catch_signals();
	if ((g = cli_open(target, 0)) == NULL)
		return (EXIT_FAIL);
	if (pause) {
		if (guest_domid(g) < 0) {
			cli_warn("%s is a memory image: nothing to pause",
			    target);
		} else if (guest_pause(g) != 0) {
			(void) cli_error("cannot pause %s: %s; dump it running "
			    "(without --pause) or check that it is not dying",
			    target, strerror(errno));
			goto out;
		} else {
			paused = true;
		}
	}
	if (cli_outfile_open(&of, path, !force) != 0)
		goto out;
	if (dump_job_init(&dj, g, path, of.of_fd) != 0)
		goto out;
	cli_progress_start(&dj.dj_progress, "dump", fmt == DUMP_XC_CORE ?
	    dj.dj_present : dj.dj_present);
	t0 = cli_now();
	switch (fmt) {
	case DUMP_RAW:
		rc = dump_write_raw(&dj);
		break;
	case DUMP_ELF:
		rc = dump_write_elf(&dj);
		break;
	default:
		rc = dump_xc_core(&dj, &xc_pages);
		break;
	}
	cli_progress_done(&dj.dj_progress);
	if (rc != 0 || cli_interrupted != 0) {
		cli_outfile_abort(&of);
		if (cli_interrupted != 0)
			(void) cli_error("interrupted by %s: removed the "
			    "partial dump (no %s was written)%s",
			    cli_interrupted == SIGINT ? "SIGINT" :
			    cli_interrupted == SIGTERM ? "SIGTERM" : "SIGHUP",
			    path, paused ? "; the guest is resumed" : "");
		goto out;
	}
	if (cli_outfile_commit(&of) != 0)
		goto out;
	if (paused && guest_resume(g) != 0)
		cli_warn("resuming %s: %s (the pause guard resumes it when "
		    "porthole exits)", target, strerror(errno));
	if (dj.dj_unreadable > 0)
		cli_warn("%" PRIu64 " page%s could not be read and %s zeros "
		    "in %s (the first at physical address 0x%" PRIx64 ": %s)",
		    dj.dj_unreadable, dj.dj_unreadable == 1 ? "" : "s",
		    dj.dj_unreadable == 1 ? "is" : "are", path,
		    dj.dj_first_unreadable, strerror(dj.dj_unreadable_errno));
	dump_summary(&dj, target, fmt, json, paused, cli_now() - t0, xc_pages);
	rv = EXIT_OK;
out:
	if (of.of_fd >= 0 || of.of_tmp != NULL)
		cli_outfile_abort(&of);
	dump_job_fini(&dj);
	/* A pause still held is released: the guest runs. */
	cli_close(g);
	return (rv);
}

const struct command cmd_dump = {
	.cmd_name = "dump",
	.cmd_main = dump_main,
	.cmd_summary = "write the guest's whole physical memory to a file "
	    "(ELF core, raw, xc-core)",
	.cmd_usage = "porthole dump [--format elf|raw|xc-core] [--pause] "
	    "[--force] [--json]\n"
	    "                     -o FILE TARGET",
};
