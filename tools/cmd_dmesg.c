/*
 * cmd_dmesg.c -- `porthole dmesg TARGET`: a Linux guest's kernel log,
 * oldest first, like dmesg: "[seconds.micro] text".  --level LIST keeps
 * the records at those levels (names as dmesg's -l: emerg, alert, crit,
 * err, warn, notice, info, debug, or 0..7, comma-separated); a record of
 * unknown level then goes.  --json gives each record's sequence number,
 * timestamp in nanoseconds, level and text.
 *
 * Text from the guest is printed with non-printable bytes as \xHH (as
 * dmesg does), so a hostile log cannot drive the terminal.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <porthole/linux.h>
#include "tools/porthole.h"

#define	DMESG_TEXT_MAX	4096	/* bytes of a record's text printed */

static const char *const dmesg_levels[8] = { "emerg", "alert", "crit",
    "err", "warn", "notice", "info", "debug" };

struct dmesg_job {
	bool		dj_json;
	unsigned	dj_levels;	/* bit per level; 0: all */
	struct json	dj_j;
	unsigned	dj_count;
	char		dj_text[DMESG_TEXT_MAX + 1];
	char		dj_safe[DMESG_TEXT_MAX * 4 + 1];
};

/* "err,warn" or "3,4" into a level mask: 0, or -1 (said). */
static int
dmesg_parse_levels(const char *arg, unsigned *maskp)
{
	char buf[128], *p, *tok, *save = NULL;
	unsigned i, mask = 0;

	if (strlen(arg) >= sizeof (buf))
		goto bad;
	(void) strcpy(buf, arg);
	for (p = buf; (tok = strtok_r(p, ",", &save)) != NULL; p = NULL) {
		for (i = 0; i < 8; i++) {
			if (strcmp(tok, dmesg_levels[i]) == 0 ||
			    (tok[0] == (char)('0' + i) && tok[1] == '\0'))
				break;
		}
		if (i == 8)
			goto bad;
		mask |= 1u << i;
	}
	if (mask == 0)
		goto bad;
	*maskp = mask;
	return (0);
bad:
	(void) cli_usage_error(&cmd_dmesg, "--level takes levels (emerg, "
	    "alert, crit, err, warn, notice, info, debug, or 0..7) separated "
	    "by commas, not '%s'", arg);
	return (-1);
}

static int
dmesg_one(const struct linux_log_record *r, void *arg)
{
	struct dmesg_job *dj = arg;
	size_t n = r->lr_len < DMESG_TEXT_MAX ? r->lr_len : DMESG_TEXT_MAX;

	if (dj->dj_levels != 0 && (r->lr_level < 0 || r->lr_level > 7 ||
	    (dj->dj_levels & (1u << r->lr_level)) == 0))
		return (0);
	dj->dj_count++;
	if (dj->dj_json) {
		json_object_begin(&dj->dj_j);
		json_kv_u64(&dj->dj_j, "seq", r->lr_seq);
		json_kv_u64(&dj->dj_j, "ts_nsec", r->lr_ts_nsec);
		json_key(&dj->dj_j, "level");
		if (r->lr_level >= 0 && r->lr_level <= 7)
			json_int(&dj->dj_j, r->lr_level);
		else
			json_null(&dj->dj_j);
		json_key(&dj->dj_j, "text");
		json_string_n(&dj->dj_j, r->lr_text, strnlen(r->lr_text, n));
		json_object_end(&dj->dj_j);
		return (0);
	}
	memcpy(dj->dj_text, r->lr_text, n);
	dj->dj_text[n] = '\0';
	(void) printf("[%5" PRIu64 ".%06" PRIu64 "] %s\n",
	    r->lr_ts_nsec / 1000000000, (r->lr_ts_nsec % 1000000000) / 1000,
	    cli_safe_text(dj->dj_text, dj->dj_safe, sizeof (dj->dj_safe)));
	return (0);
}

static int
dmesg_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_LINUX_LONGOPTS,
		{ "level", required_argument, NULL, 'l' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	static struct dmesg_job dj;
	struct cli_linux cl;
	struct linux_kernel *lk;
	struct guest *g;
	const char *target;
	int c, rv = EXIT_FAIL, failed;

	cli_linux_init(&cl);
	memset(&dj, 0, sizeof (dj));
	optind = 1;
	while ((c = getopt_long(argc, argv, "l:jh", longopts, NULL)) != -1) {
		if (cli_linux_option(&cl, c, optarg))
			continue;
		switch (c) {
		case 'l':
			if (dmesg_parse_levels(optarg, &dj.dj_levels) != 0)
				return (EXIT_USAGE);
			break;
		case 'j':
			dj.dj_json = true;
			break;
		case 'h':
			return (cli_help(&cmd_dmesg));
		default:
			return (cli_usage_error(&cmd_dmesg, "bad option"));
		}
	}
	if (cli_operands(&cmd_dmesg, argc, argv, 1,
	    "give a TARGET (a domain or a memory image)") != 0)
		return (EXIT_USAGE);
	target = argv[optind];
	if ((g = cli_linux_target(target, &cl, &lk)) == NULL)
		return (EXIT_FAIL);
	if (dj.dj_json)
		cli_linux_json_begin(&dj.dj_j, target, lk, "records");
	failed = linux_dmesg(lk, dmesg_one, &dj) != 0 ? errno : 0;
	if (failed == ENOTSUP) {
		if (dj.dj_json)
			json_list_end(&dj.dj_j, failed);
		(void) cli_error("reading the kernel log of %s: neither log "
		    "format porthole reads (the log buffer of Linux 3.11 to "
		    "5.9, the ring buffer of 5.10 on) was found with its "
		    "layout%s", target, cl.cl_vmlinux == NULL ? "; give "
		    "--vmlinux FILE (the kernel's symbols and BTF)" : "");
	} else {
		rv = cli_linux_list_end(dj.dj_json ? &dj.dj_j : NULL, target,
		    "reading the kernel log", dj.dj_count, failed);
	}
	cli_linux_close(g, lk);
	return (rv);
}

const struct command cmd_dmesg = {
	.cmd_name = "dmesg",
	.cmd_main = dmesg_main,
	.cmd_summary = "print a Linux guest's kernel log",
	.cmd_usage = "porthole dmesg [--level LIST] [--json] [--system-map "
	    "FILE] [--vmlinux FILE]\n"
	    "                      [--no-cache] TARGET",
};
