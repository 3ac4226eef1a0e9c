/*
 * cli_progress.c -- a progress line for long work (dump): percentage,
 * bytes done of the total, the rate and the time left, redrawn in place
 * on stderr at most five times a second, and only when stderr is a
 * terminal: a script or a log gets no progress noise.
 */
#include "config.h"

#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "tools/porthole.h"

#define	PROGRESS_INTERVAL	0.2
#define	PROGRESS_BAR		24

double
cli_now(void)
{
	struct timespec ts;

	(void) clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((double)ts.tv_sec + (double)ts.tv_nsec * 1e-9);
}

void
cli_progress_start(struct cli_progress *p, const char *what, uint64_t total)
{
	p->p_tty = isatty(STDERR_FILENO) == 1;
	p->p_total = total;
	p->p_start = cli_now();
	p->p_last = 0;
	p->p_what = what;
}

static void
cli_progress_draw(struct cli_progress *p, uint64_t done, double now)
{
	double elapsed = now - p->p_start, rate, frac;
	char bar[PROGRESS_BAR + 1], sdone[32], stotal[32], srate[32];
	unsigned i, fill, left;

	frac = p->p_total > 0 ? (double)done / (double)p->p_total : 1;
	if (frac > 1)
		frac = 1;
	fill = (unsigned)(frac * PROGRESS_BAR);
	for (i = 0; i < PROGRESS_BAR; i++)
		bar[i] = i < fill ? '#' : '.';
	bar[PROGRESS_BAR] = '\0';
	rate = elapsed > 0 ? (double)done / elapsed : 0;
	left = rate > 0 ? (unsigned)((double)(p->p_total - (done <
	    p->p_total ? done : p->p_total)) / rate + 0.5) : 0;
	/* \033[K: clear what a longer line left to the right. */
	(void) fprintf(stderr, "\r%s [%s] %3.0f%%  %s of %s  %s/s  %um%02us "
	    "left\033[K", p->p_what, bar, frac * 100,
	    cli_bytes(done, sdone, sizeof (sdone)),
	    cli_bytes(p->p_total, stotal, sizeof (stotal)),
	    cli_bytes((uint64_t)rate, srate, sizeof (srate)), left / 60,
	    left % 60);
}

void
cli_progress_update(struct cli_progress *p, uint64_t done)
{
	double now;

	if (!p->p_tty)
		return;
	now = cli_now();
	if (now - p->p_last < PROGRESS_INTERVAL)
		return;
	p->p_last = now;
	cli_progress_draw(p, done, now);
}

void
cli_progress_done(struct cli_progress *p)
{
	if (!p->p_tty || p->p_last == 0)
		return;
	(void) fputs("\r\033[K", stderr);
}
