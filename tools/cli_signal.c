/*
 * cli_signal.c -- interrupts that clean up: SIGINT, SIGTERM and SIGHUP
 * only record themselves (cli_interrupted), so a subcommand that holds a
 * partial file or a paused guest can notice between batches, remove the
 * file and resume the guest before it exits.  The guest is safe even if
 * the command is killed outright (SIGKILL): the library's pause guard
 * unpauses it; only the temporary file is then left behind.
 */
#include "config.h"

#include <signal.h>
#include <string.h>

#include "tools/porthole.h"

volatile sig_atomic_t cli_interrupted;

static void
cli_on_signal(int sig)
{
	cli_interrupted = sig;
}

void
cli_catch_signals(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof (sa));
	sa.sa_handler = cli_on_signal;
	(void) sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: a blocked write returns early with EINTR. */
	for (i = 0; i < sizeof (sigs) / sizeof (sigs[0]); i++)
		(void) sigaction(sigs[i], &sa, NULL);
}
