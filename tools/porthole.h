/*
 * porthole.h -- the command's shared declarations: the subcommand table
 * and the helpers every subcommand uses to talk to the user.
 *
 * Exit codes: 0 success, 1 failure, 2 usage error.
 */
#ifndef PORTHOLE_TOOLS_PORTHOLE_H
#define PORTHOLE_TOOLS_PORTHOLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define	EXIT_OK		0
#define	EXIT_FAIL	1
#define	EXIT_USAGE	2

struct command {
	const char	*cmd_name;
	int		(*cmd_main)(int argc, char **argv);
	const char	*cmd_summary;	/* one line for `porthole --help` */
	const char	*cmd_usage;	/* full text for `porthole help NAME` */
};

extern const struct command cmd_help;
extern const struct command cmd_segs;
extern const struct command cmd_version;

/* The table, NULL-terminated, in the order --help lists it. */
extern const struct command *const commands[];

const struct command *command_find(const char *name);

/* Messages on stderr, prefixed "porthole: " (and the subcommand). */
void	cli_error(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));
/* A usage error: the message, then "see porthole help CMD"; returns 2. */
int	cli_usage_error(const struct command *cmd, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

/*
 * Parse a size such as 4096, 0x1000, 64k, 2M, 1G.  Returns 0, or -1 when
 * the text is not a size or overflows.
 */
int	cli_parse_size(const char *text, uint64_t *sizep);

#endif /* PORTHOLE_TOOLS_PORTHOLE_H */
