/*
 * cmd_write.c -- `porthole write TARGET ADDR (DATA | --file F)`: change
 * guest memory, never by accident:
 *	--write		a live domain, in place (the guest sees it at once)
 *	--copy		an image's private copy in memory: the file is never
 *			changed and nothing persists -- a dry run that checks
 *			the address translates and is writable
 *	--copy-to FILE	the same, then the modified copy is written to FILE
 *			(raw for a raw image, an ELF core otherwise, or
 *			--format), complete or absent
 * Without one of them nothing is written (exit 2).  DATA is taken as
 * text, or with --hex as hex bytes ("de ad be ef", "deadbeef").
 *
 * A write that stops early says how much was written and where and why
 * it stopped (exit 1); --copy-to then writes no file.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <porthole/guest.h>
#include "tools/dump.h"

#define	WRITE_MAX	((size_t)64 << 20)

enum write_mode { WRITE_NONE, WRITE_LIVE, WRITE_COPY, WRITE_COPY_TO };

/* Hex bytes, spaces allowed between them: the count, or -1. */
static ssize_t
write_parse_hex(const char *text, unsigned char *out, size_t max)
{
	size_t n = 0;
	int hi = -1;

	for (; *text != '\0'; text++) {
		int v;

		if (isspace((unsigned char)*text) || *text == ':') {
			if (hi >= 0)
				return (-1);	/* half a byte */
			continue;
		}
		if (!isxdigit((unsigned char)*text))
			return (-1);
		v = isdigit((unsigned char)*text) ? *text - '0' :
		    tolower((unsigned char)*text) - 'a' + 10;
		if (hi < 0) {
			hi = v;
			continue;
		}
		if (n == max)
			return (-1);
		out[n++] = (unsigned char)(hi << 4 | v);
		hi = -1;
	}
	return (hi >= 0 ? -1 : (ssize_t)n);
}

/* The bytes of --file: a malloc'ed buffer, or NULL (said). */
static unsigned char *
write_read_file(const char *path, size_t *lenp)
{
	unsigned char *buf;
	struct stat st;
	ssize_t n;
	size_t got = 0;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0 ||
	    fstat(fd, &st) != 0) {
		(void) cli_error("cannot read %s: %s", path, strerror(errno));
		if (fd >= 0)
			(void) close(fd);
		return (NULL);
	}
	if (!S_ISREG(st.st_mode) || st.st_size <= 0 ||
	    (uint64_t)st.st_size > WRITE_MAX) {
		(void) cli_error("%s: give a regular, non-empty file of at "
		    "most 64 MiB", path);
		(void) close(fd);
		return (NULL);
	}
	if ((buf = malloc((size_t)st.st_size)) == NULL) {
		(void) close(fd);
		(void) cli_error("out of memory");
		return (NULL);
	}
	while (got < (size_t)st.st_size &&
	    (n = read(fd, buf + got, (size_t)st.st_size - got)) > 0)
		got += (size_t)n;
	(void) close(fd);
	if (got != (size_t)st.st_size) {
		free(buf);
		(void) cli_error("cannot read %s: it changed while read",
		    path);
		return (NULL);
	}
	*lenp = got;
	return (buf);
}

/* Write the modified copy to path: 0 or -1 (said). */
static int
write_copy_to(struct guest *g, const char *path, enum dump_format fmt)
{
	struct cli_outfile of = { .of_fd = -1 };
	struct dump_job dj;
	int rc;

	if (cli_outfile_open(&of, path, false) != 0)
		return (-1);
	if (dump_job_init(&dj, g, path, of.of_fd) != 0) {
		cli_outfile_abort(&of);
		return (-1);
	}
	cli_progress_start(&dj.dj_progress, "copy", dj.dj_present);
	rc = fmt == DUMP_RAW ? dump_write_raw(&dj) : dump_write_elf(&dj);
	cli_progress_done(&dj.dj_progress);
	dump_job_fini(&dj);
	if (rc != 0) {
		if (cli_interrupted != 0)
			(void) cli_error("interrupted: no %s was written",
			    path);
		cli_outfile_abort(&of);
		return (-1);
	}
	return (cli_outfile_commit(&of));
}

static int
write_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_SPACE_LONGOPTS,
		{ "write", no_argument, NULL, 'w' },
		{ "copy", no_argument, NULL, 'c' },
		{ "copy-to", required_argument, NULL, 'C' },
		{ "format", required_argument, NULL, 'f' },
		{ "file", required_argument, NULL, 'F' },
		{ "hex", no_argument, NULL, 'x' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	enum write_mode mode = WRITE_NONE;
	const char *copy_to = NULL, *file = NULL, *target;
	bool hex = false, json = false, live;
	int fmt = -1, c, rv = EXIT_FAIL;
	unsigned char *data = NULL;
	struct guest_space sp;
	struct guest_fault why;
	struct cli_space cs;
	struct guest *g = NULL;
	char desc[160], wtext[256];
	uint64_t addr;
	size_t len = 0, done;
	ssize_t n;
	struct json j;

	cli_space_init(&cs);
	optind = 1;
	while ((c = cli_space_getopt(&cs, argc, argv, "v:f:jh",
	    longopts)) != -1) {
		switch (c) {
		case CLI_SPACE_USAGE:
			return (EXIT_USAGE);
		case 'w':
		case 'c':
		case 'C':
			if (mode != WRITE_NONE)
				return (cli_usage_error(&cmd_write, "--write, "
				    "--copy and --copy-to go one at a time"));
			mode = c == 'w' ? WRITE_LIVE : c == 'c' ? WRITE_COPY :
			    WRITE_COPY_TO;
			copy_to = c == 'C' ? optarg : NULL;
			break;
		case 'f':
			if ((fmt = dump_format_parse(optarg)) < 0 ||
			    fmt == DUMP_XC_CORE)
				return (cli_usage_error(&cmd_write, "--format "
				    "takes elf or raw, not '%s'", optarg));
			break;
		case 'F':
			file = optarg;
			break;
		case 'x':
			hex = true;
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			return (cli_help(&cmd_write));
		default:
			return (cli_usage_error(&cmd_write, "bad option"));
		}
	}
	if (cli_space_check(&cs) != 0)
		return (EXIT_USAGE);
	if (cli_operands(&cmd_write, argc, argv, file != NULL ? 2 : 3,
	    "give TARGET, ADDR and DATA (or --file F)") != 0)
		return (EXIT_USAGE);
	target = argv[optind];
	if (cli_parse_u64(argv[optind + 1], &addr) != 0)
		return (cli_usage_error(&cmd_write, "'%s' is not an address "
		    "(decimal, or hex with 0x)", argv[optind + 1]));
	if (fmt >= 0 && mode != WRITE_COPY_TO)
		return (cli_usage_error(&cmd_write, "--format is the format "
		    "of --copy-to's file"));
	if (file != NULL && hex)
		return (cli_usage_error(&cmd_write, "--hex is for DATA on the "
		    "command line, not --file"));
	live = cli_target_is_live(target);
	if (mode == WRITE_NONE)
		return (cli_usage_error(&cmd_write, "nothing written: writing "
		    "changes guest memory; give --write for a live domain, or "
		    "--copy / --copy-to FILE for an image"));
	if (live && mode != WRITE_LIVE)
		return (cli_usage_error(&cmd_write, "%s is a live domain: "
		    "--copy and --copy-to are for images; --write writes it "
		    "in place", target));
	if (!live && mode == WRITE_LIVE)
		return (cli_usage_error(&cmd_write, "%s is a memory image, "
		    "which porthole never changes: --copy writes to a private "
		    "copy in memory, --copy-to FILE keeps the result", target));
	if (file != NULL) {
		if ((data = write_read_file(file, &len)) == NULL)
			return (EXIT_FAIL);
	} else if (hex) {
		size_t max = strlen(argv[optind + 2]) / 2 + 1;

		if ((data = malloc(max)) == NULL)
			return (cli_error("out of memory"));
		if ((n = write_parse_hex(argv[optind + 2], data, max)) <= 0) {
			free(data);
			return (cli_usage_error(&cmd_write, "'%s' is not hex "
			    "bytes (such as \"de ad be ef\" or deadbeef)",
			    argv[optind + 2]));
		}
		len = (size_t)n;
	} else {
		len = strlen(argv[optind + 2]);
		if (len == 0)
			return (cli_usage_error(&cmd_write, "DATA is empty"));
		if ((data = (unsigned char *)strdup(argv[optind + 2])) ==
		    NULL)
			return (cli_error("out of memory"));
	}
	if (addr + len - 1 < addr) {
		free(data);
		return (cli_usage_error(&cmd_write, "0x%" PRIx64 " + %zu runs "
		    "past the end of the address space", addr, len));
	}
	cli_catch_signals();
	if ((g = cli_open(target, mode == WRITE_LIVE ? GUEST_OPEN_WRITE :
	    GUEST_OPEN_COPY)) == NULL)
		goto out;
	if (cli_space_resolve(g, &cs, &sp, desc, sizeof (desc)) != 0)
		goto out;
	if (cs.cs_phys)
		done = guest_pwrite(g, addr, data, len, &why);
	else
		done = guest_vwrite(g, &sp, addr, data, len, &why);
	if (json) {
		json_init(&j, stdout);
		json_object_begin(&j);
		json_kv_string(&j, "target", target);
		json_kv_string(&j, "mode", mode == WRITE_LIVE ? "live" :
		    mode == WRITE_COPY ? "copy" : "copy-to");
		json_kv_string(&j, "space", cs.cs_phys ? "physical" :
		    "virtual");
		json_kv_string(&j, "space_description", desc);
		json_kv_hex(&j, "address", addr);
		json_kv_u64(&j, "length", len);
		json_kv_u64(&j, "written", done);
		json_fault(&j, "fault", done < len ? &why : NULL);
		json_key(&j, "copy_to");
		if (mode == WRITE_COPY_TO && done == len)
			json_string(&j, copy_to);
		else
			json_null(&j);
		json_object_end(&j);
		json_end(&j);
		(void) fflush(stdout);
	}
	if (done < len) {
		(void) cli_error("wrote %zu of %zu bytes to %s through %s; "
		    "stopped %s%s", done, len, target, desc,
		    cli_fault_text(&why, !cs.cs_phys, wtext, sizeof (wtext)),
		    mode == WRITE_COPY_TO ? "; no copy was written" : "");
		goto out;
	}
	if (mode == WRITE_COPY_TO && write_copy_to(g, copy_to, fmt >= 0 ?
	    (enum dump_format)fmt : strcmp(guest_format(g), "raw") == 0 ?
	    DUMP_RAW : DUMP_ELF) != 0)
		goto out;
	if (!json) {
		(void) printf("wrote %zu byte%s at 0x%" PRIx64 " in %s of %s",
		    len, len == 1 ? "" : "s", addr, desc, target);
		if (mode == WRITE_COPY)
			(void) printf(" -- to a private copy in memory: "
			    "nothing persists, %s is unchanged (--copy-to "
			    "FILE keeps the result)", target);
		else if (mode == WRITE_COPY_TO)
			(void) printf("; the modified copy is in %s (%s is "
			    "unchanged)", copy_to, target);
		(void) printf("\n");
	}
	rv = EXIT_OK;
out:
	if (g != NULL)
		cli_close(g);
	free(data);
	return (rv);
}

const struct command cmd_write = {
	.cmd_name = "write",
	.cmd_main = write_main,
	.cmd_summary = "write guest memory: a live domain in place, an image "
	    "only in a copy",
	.cmd_usage = "porthole write (--write | --copy | --copy-to FILE "
	    "[--format elf|raw])\n"
	    "                     [--phys | [-v VCPU] [--cr3 ROOT [--mode "
	    "MODE]]] [--json]\n"
	    "                     TARGET ADDR (DATA [--hex] | --file F)",
};
