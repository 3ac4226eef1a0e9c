/*
 * cmd_uname.c -- `porthole uname TARGET`: the release of a Linux guest's
 * kernel, like `uname -r`; with -a also its banner (/proc/version), the
 * KASLR offset of the kernel image and where porthole's profile of the
 * kernel came from (VMCOREINFO, kallsyms, BTF, a System.map or vmlinux
 * given, or the cache).  --json gives all four.
 */
#include "config.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <porthole/linux.h>
#include "tools/porthole.h"

static int
uname_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_LINUX_LONGOPTS,
		{ "all", no_argument, NULL, 'a' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct cli_linux cl;
	struct linux_kernel *lk;
	struct guest *g;
	struct json j;
	const char *target;
	char safe[1024 * 4 + 1];
	bool all = false, json = false;
	int c;

	cli_linux_init(&cl);
	optind = 1;
	while ((c = getopt_long(argc, argv, "ajh", longopts, NULL)) != -1) {
		if (cli_linux_option(&cl, c, optarg))
			continue;
		switch (c) {
		case 'a':
			all = true;
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			return (cli_help(&cmd_uname));
		default:
			return (cli_usage_error(&cmd_uname, "bad option"));
		}
	}
	if (cli_operands(&cmd_uname, argc, argv, 1,
	    "give a TARGET (a domain or a memory image)") != 0)
		return (EXIT_USAGE);
	target = argv[optind];
	if ((g = cli_linux_target(target, &cl, &lk)) == NULL)
		return (EXIT_FAIL);
	if (json) {
		json_init(&j, stdout);
		json_object_begin(&j);
		json_kv_string(&j, "target", target);
		json_kv_string(&j, "release", linux_release(lk));
		json_kv_string(&j, "banner", linux_banner(lk));
		json_kv_hex(&j, "kaslr_offset", linux_kaslr_offset(lk));
		json_kv_string(&j, "profile_source",
		    linux_profile_source(lk));
		json_object_end(&j);
		json_end(&j);
	} else if (all) {
		(void) printf("%-15s %s\n", "release", cli_safe_text(
		    linux_release(lk), safe, sizeof (safe)));
		(void) printf("%-15s %s\n", "banner", cli_safe_text(
		    linux_banner(lk), safe, sizeof (safe)));
		(void) printf("%-15s 0x%" PRIx64 "\n", "kaslr_offset",
		    linux_kaslr_offset(lk));
		(void) printf("%-15s %s\n", "profile_source",
		    linux_profile_source(lk));
	} else {
		(void) printf("%s\n", cli_safe_text(linux_release(lk), safe,
		    sizeof (safe)));
	}
	cli_linux_close(g, lk);
	return (EXIT_OK);
}

const struct command cmd_uname = {
	.cmd_name = "uname",
	.cmd_main = uname_main,
	.cmd_summary = "print a Linux guest's kernel release (-a: banner, "
	    "KASLR offset, profile source)",
	.cmd_usage = "porthole uname [-a] [--json] [--system-map FILE] "
	    "[--vmlinux FILE] [--no-cache]\n"
	    "                      TARGET",
};
