/*
 * cmd_version.c -- `porthole version` and `porthole --version`.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <porthole/porthole.h>
#include "tools/porthole.h"

static int
version_main(int argc, char **argv)
{
	(void) argv;
	if (argc > 1)
		return (cli_usage_error(&cmd_version, "takes no arguments"));
	(void) printf("porthole %s (libporthole %s)\n", PACKAGE_VERSION,
	    porthole_version());
	return (EXIT_OK);
}

const struct command cmd_version = {
	.cmd_name = "version",
	.cmd_main = version_main,
	.cmd_summary = "print the version",
	.cmd_usage = "porthole version",
};
