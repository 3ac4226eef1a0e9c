/*
 * porthole.c -- the command's entry: global options and dispatch to one
 * subcommand (one file each under tools/).  The library does the work;
 * the command does the talking.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "tools/porthole.h"

const struct command *const commands[] = {
	&cmd_list,
	&cmd_info,
	&cmd_segs,
	&cmd_regs,
	&cmd_read,
	&cmd_write,
	&cmd_v2p,
	&cmd_dump,
	&cmd_grep,
	&cmd_ps,
	&cmd_lsmod,
	&cmd_maps,
	&cmd_dmesg,
	&cmd_uname,
	&cmd_help,
	&cmd_version,
	NULL
};

const struct command *
command_find(const char *name)
{
	size_t i;

	for (i = 0; commands[i] != NULL; i++) {
		if (strcmp(commands[i]->cmd_name, name) == 0)
			return (commands[i]);
	}
	return (NULL);
}

int
main(int argc, char **argv)
{
	const struct command *cmd;
	const char *name;

	if (argc < 2) {
		(void) cmd_help.cmd_main(1, argv);
		return (EXIT_USAGE);
	}
	name = argv[1];
	if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0)
		name = "help";
	else if (strcmp(name, "--version") == 0 || strcmp(name, "-V") == 0)
		name = "version";
	else if (name[0] == '-') {
		cli_error("unknown option '%s'; see porthole --help", name);
		return (EXIT_USAGE);
	}
	cmd = command_find(name);
	if (cmd == NULL) {
		cli_error("unknown command '%s'; see porthole --help", name);
		return (EXIT_USAGE);
	}
	cli_command = cmd;
	return (cmd->cmd_main(argc - 1, argv + 1));
}
