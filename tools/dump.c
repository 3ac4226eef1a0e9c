/*
 * dump.c -- the dump job: the guest's present runs (guest_present), and
 * the copy of a run to the output file in big batches -- a pinned pointer
 * into the physical window written straight to the file where the window
 * allows (no copy in between), a bounce buffer where it does not (a
 * seg_map slot boundary, a frame that fails) -- with progress, the
 * interrupt check between batches, and pages the guest cannot give left
 * as zeros and counted.  And the raw writer: file offset = physical
 * address, holes never written (sparse), the size set at the end.
 *
 * Test hook: with PORTHOLE_TEST_DUMP_STALL=N in the environment, a dump
 * that has written N bytes says so on stderr and waits for a signal,
 * so a test can interrupt it at a known point (tests/cli.test, the live
 * checks).  It changes nothing else.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <porthole/guest.h>
#include "tools/dump.h"

#define	DUMP_PAGE	((uint64_t)4096)
#define	DUMP_BATCH	((uint64_t)4 << 20)

const char *
dump_format_name(enum dump_format f)
{
	switch (f) {
	case DUMP_ELF:
		return ("elf");
	case DUMP_RAW:
		return ("raw");
	case DUMP_XC_CORE:
		return ("xc-core");
	}
	return ("?");
}

int
dump_format_parse(const char *text)
{
	if (strcmp(text, "elf") == 0)
		return (DUMP_ELF);
	if (strcmp(text, "raw") == 0)
		return (DUMP_RAW);
	if (strcmp(text, "xc-core") == 0)
		return (DUMP_XC_CORE);
	return (-1);
}

static int
dump_add_run(struct dump_job *dj, uint64_t start, uint64_t len, size_t *cap)
{
	struct dump_run *r;

	if (dj->dj_nruns > 0 && dj->dj_runs[dj->dj_nruns - 1].dr_start +
	    dj->dj_runs[dj->dj_nruns - 1].dr_len == start) {
		dj->dj_runs[dj->dj_nruns - 1].dr_len += len;
		return (0);
	}
	if (dj->dj_nruns == *cap) {
		*cap = *cap == 0 ? 16 : *cap * 2;
		if ((r = realloc(dj->dj_runs, *cap * sizeof (*r))) == NULL)
			return (-1);
		dj->dj_runs = r;
	}
	dj->dj_runs[dj->dj_nruns].dr_start = start;
	dj->dj_runs[dj->dj_nruns].dr_len = len;
	dj->dj_nruns++;
	return (0);
}

int
dump_job_init(struct dump_job *dj, struct guest *g, const char *path, int fd)
{
	uint64_t n = guest_nframes(g), gfn = 0, run;
	const char *stall = getenv("PORTHOLE_TEST_DUMP_STALL");
	size_t cap = 0;

	memset(dj, 0, sizeof (*dj));
	dj->dj_g = g;
	dj->dj_path = path;
	dj->dj_fd = fd;
	dj->dj_size = n * DUMP_PAGE;
	if (stall != NULL && cli_parse_size(stall, &dj->dj_stall_at) != 0)
		dj->dj_stall_at = 0;
	while (gfn < n) {
		bool p = guest_present(g, gfn, &run) != 0;

		if (run <= gfn || run > n)
			run = run <= gfn ? gfn + 1 : n;
		if (p) {
			if (dump_add_run(dj, gfn * DUMP_PAGE,
			    (run - gfn) * DUMP_PAGE, &cap) != 0)
				goto nomem;
			dj->dj_present += (run - gfn) * DUMP_PAGE;
		}
		gfn = run;
	}
	if ((dj->dj_buf = malloc(DUMP_BATCH)) == NULL)
		goto nomem;
	return (0);
nomem:
	dump_job_fini(dj);
	(void) cli_error("out of memory");
	return (-1);
}

void
dump_job_fini(struct dump_job *dj)
{
	free(dj->dj_runs);
	free(dj->dj_buf);
	dj->dj_runs = NULL;
	dj->dj_buf = NULL;
}

/* The test hook: say where we are and wait for a signal. */
static void
dump_stall(struct dump_job *dj)
{
	sigset_t block, old;

	dj->dj_stalled = true;
	(void) sigemptyset(&block);
	(void) sigaddset(&block, SIGINT);
	(void) sigaddset(&block, SIGTERM);
	(void) sigaddset(&block, SIGHUP);
	(void) sigprocmask(SIG_BLOCK, &block, &old);
	(void) fprintf(stderr, "porthole dump: test stall after %" PRIu64
	    " bytes, waiting for a signal\n", dj->dj_done);
	(void) fflush(stderr);
	while (cli_interrupted == 0)
		(void) sigsuspend(&old);
	(void) sigprocmask(SIG_SETMASK, &old, NULL);
}

int
dump_tick(struct dump_job *dj)
{
	cli_progress_update(&dj->dj_progress, dj->dj_done);
	if (dj->dj_stall_at != 0 && !dj->dj_stalled &&
	    dj->dj_done >= dj->dj_stall_at)
		dump_stall(dj);
	if (cli_interrupted != 0) {
		errno = EINTR;
		return (-1);
	}
	return (0);
}

static int
dump_file_error(struct dump_job *dj, int e)
{
	char need[32];

	if (e == EINTR && cli_interrupted != 0) {
		errno = EINTR;
		return (-1);
	}
	(void) cli_error("writing %s: %s%s%s", dj->dj_path, strerror(e),
	    e == ENOSPC || e == EDQUOT ? "; the dump needs about " : "",
	    e == ENOSPC || e == EDQUOT ? cli_bytes(dj->dj_present, need,
	    sizeof (need)) : "");
	errno = e;
	return (-1);
}

int
dump_copy(struct dump_job *dj, uint64_t gpa, uint64_t len, uint64_t off)
{
	struct guest_fault why;
	struct guest_pin pin;
	uint64_t done = 0;

	while (done < len) {
		uint64_t at = gpa + done;
		/* Batches end on DUMP_BATCH boundaries of the guest. */
		uint64_t room = DUMP_BATCH - at % DUMP_BATCH;
		size_t n = (size_t)(len - done < room ? len - done : room);
		size_t got;
		void *p;

		if ((p = guest_pin(dj->dj_g, at, n, &pin)) != NULL) {
			int rc = cli_write_all(dj->dj_fd, p, n,
			    (int64_t)(off + done));
			int e = errno;

			guest_unpin(dj->dj_g, &pin);
			if (rc != 0)
				return (dump_file_error(dj, e));
			got = n;
		} else {
			got = guest_pread(dj->dj_g, at, dj->dj_buf, n, &why);
			if (got > 0 && cli_write_all(dj->dj_fd, dj->dj_buf, got,
			    (int64_t)(off + done)) != 0)
				return (dump_file_error(dj, errno));
			if (got < n) {
				/* One page unreadable: zeros, and on. */
				uint64_t bad = (at + got) & ~(DUMP_PAGE - 1);

				if (dj->dj_unreadable++ == 0) {
					dj->dj_first_unreadable = bad;
					dj->dj_unreadable_errno = why.gf_errno;
				}
				got = (size_t)(bad + DUMP_PAGE - at);
				if (got > len - done)
					got = (size_t)(len - done);
			}
		}
		done += got;
		dj->dj_done += got;
		if (dump_tick(dj) != 0)
			return (-1);
	}
	return (0);
}

int
dump_write_raw(struct dump_job *dj)
{
	size_t i;

	for (i = 0; i < dj->dj_nruns; i++)
		if (dump_copy(dj, dj->dj_runs[i].dr_start,
		    dj->dj_runs[i].dr_len, dj->dj_runs[i].dr_start) != 0)
			return (-1);
	/* File offset = physical address: the holes stay sparse. */
	if (ftruncate(dj->dj_fd, (off_t)dj->dj_size) != 0)
		return (dump_file_error(dj, errno));
	return (0);
}
