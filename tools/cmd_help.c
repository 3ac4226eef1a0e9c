/*
 * cmd_help.c -- `porthole help [COMMAND]` and `porthole --help`.
 */
#include "config.h"

#include <stdio.h>

#include "tools/porthole.h"

static int
help_main(int argc, char **argv)
{
	const struct command *cmd;
	size_t i;

	if (argc > 2)
		return (cli_usage_error(&cmd_help, "too many arguments"));
	if (argc == 2) {
		cmd = command_find(argv[1]);
		if (cmd == NULL) {
			cli_error("no command '%s'; see porthole --help",
			    argv[1]);
			return (EXIT_USAGE);
		}
		(void) printf("usage: %s\n\n%s\n", cmd->cmd_usage,
		    cmd->cmd_summary);
		return (EXIT_OK);
	}
	(void) printf("usage: porthole COMMAND [ARGS]\n\n"
	    "Map and introspect Xen guest memory from dom0.\n\ncommands:\n");
	for (i = 0; commands[i] != NULL; i++)
		(void) printf("  %-10s %s\n", commands[i]->cmd_name,
		    commands[i]->cmd_summary);
	(void) printf("\nporthole help COMMAND shows a command's options.\n"
	    "Exit status: 0 ok, 1 failure, 2 usage error.\n");
	return (EXIT_OK);
}

const struct command cmd_help = {
	.cmd_name = "help",
	.cmd_main = help_main,
	.cmd_summary = "show the commands, or one command's usage",
	.cmd_usage = "porthole help [COMMAND]",
};
