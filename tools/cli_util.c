/*
 * cli_util.c -- how the command talks: error and usage messages, and the
 * parsing of numbers the user types.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/porthole.h"

void
cli_error(const char *fmt, ...)
{
	va_list ap;

	(void) fputs("porthole: ", stderr);
	va_start(ap, fmt);
	(void) vfprintf(stderr, fmt, ap);
	va_end(ap);
	(void) fputc('\n', stderr);
}

int
cli_usage_error(const struct command *cmd, const char *fmt, ...)
{
	va_list ap;

	(void) fprintf(stderr, "porthole %s: ", cmd->cmd_name);
	va_start(ap, fmt);
	(void) vfprintf(stderr, fmt, ap);
	va_end(ap);
	(void) fprintf(stderr, "\nusage: %s\nsee: porthole help %s\n",
	    cmd->cmd_usage, cmd->cmd_name);
	return (EXIT_USAGE);
}

int
cli_parse_size(const char *text, uint64_t *sizep)
{
	unsigned long long v;
	unsigned shift = 0;
	char *end;

	if (text == NULL || !isdigit((unsigned char)text[0]))
		return (-1);
	errno = 0;
	v = strtoull(text, &end, 0);
	if (errno != 0)
		return (-1);
	switch (tolower((unsigned char)*end)) {
	case '\0':
		break;
	case 'k':
		shift = 10;
		break;
	case 'm':
		shift = 20;
		break;
	case 'g':
		shift = 30;
		break;
	case 't':
		shift = 40;
		break;
	default:
		return (-1);
	}
	if (shift != 0) {
		end++;
		if (tolower((unsigned char)*end) == 'i')
			end++;
		if (tolower((unsigned char)*end) == 'b')
			end++;
		if (*end != '\0' || v > (UINT64_MAX >> shift))
			return (-1);
	}
	*sizep = (uint64_t)v << shift;
	return (0);
}
