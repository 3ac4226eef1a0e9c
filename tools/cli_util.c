/*
 * cli_util.c -- how the command talks: error, warning and usage messages,
 * and the parsing and printing of the numbers the user types and reads.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/porthole.h"

const struct command *cli_command;

static void
cli_prefix(void)
{
	if (cli_command != NULL)
		(void) fprintf(stderr, "porthole %s: ", cli_command->cmd_name);
	else
		(void) fputs("porthole: ", stderr);
}

int
cli_error(const char *fmt, ...)
{
	va_list ap;

	cli_prefix();
	va_start(ap, fmt);
	(void) vfprintf(stderr, fmt, ap);
	va_end(ap);
	(void) fputc('\n', stderr);
	return (EXIT_FAIL);
}

void
cli_warn(const char *fmt, ...)
{
	va_list ap;

	cli_prefix();
	(void) fputs("warning: ", stderr);
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
cli_operands(const struct command *cmd, int argc, char **argv, int n,
    const char *want)
{
	if (argc - optind < n)
		return (cli_usage_error(cmd, "%s", want));
	if (argc - optind > n)
		return (cli_usage_error(cmd, "unexpected argument '%s'",
		    argv[optind + n]));
	return (0);
}

int
cli_help(const struct command *cmd)
{
	(void) printf("usage: %s\n\n%s\n", cmd->cmd_usage, cmd->cmd_summary);
	return (EXIT_OK);
}

/* The number at the start of text: decimal, or hex after 0x. */
static int
cli_parse_number(const char *text, uint64_t *vp, char **endp)
{
	unsigned long long v;
	int base = 10;

	if (text == NULL || !isdigit((unsigned char)text[0]))
		return (-1);
	if (text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
		base = 16;
		if (!isxdigit((unsigned char)text[2]))
			return (-1);
	}
	errno = 0;
	v = strtoull(text, endp, base);
	if (errno != 0)
		return (-1);
	*vp = v;
	return (0);
}

int
cli_parse_u64(const char *text, uint64_t *vp)
{
	char *end;

	if (cli_parse_number(text, vp, &end) != 0 || *end != '\0')
		return (-1);
	return (0);
}

int
cli_parse_uint(const char *text, unsigned max, unsigned *vp)
{
	uint64_t v;
	char *end;

	if (text == NULL || !isdigit((unsigned char)text[0]))
		return (-1);
	errno = 0;
	v = strtoull(text, &end, 10);
	if (errno != 0 || *end != '\0' || v > max)
		return (-1);
	*vp = (unsigned)v;
	return (0);
}

int
cli_parse_size(const char *text, uint64_t *sizep)
{
	unsigned shift = 0;
	uint64_t v;
	char *end;

	if (cli_parse_number(text, &v, &end) != 0)
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
	*sizep = v << shift;
	return (0);
}

const char *
cli_bytes(uint64_t n, char *buf, size_t len)
{
	static const char *const unit[] = { "KiB", "MiB", "GiB", "TiB",
	    "PiB" };
	double v = (double)n;
	int i = -1;

	if (n < 1024) {
		(void) snprintf(buf, len, "%" PRIu64 " B", n);
		return (buf);
	}
	while (v >= 1024.0 && i < 4) {
		v /= 1024.0;
		i++;
	}
	(void) snprintf(buf, len, "%.1f %s", v, unit[i]);
	return (buf);
}
