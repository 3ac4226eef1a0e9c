/*
 * cmd_lsmod.c -- `porthole lsmod TARGET`: a Linux guest's loaded kernel
 * modules, like lsmod and /proc/modules: name, size of the core, base
 * address of its text and state (Live, Loading, Unloading), in the
 * kernel's list order (newest first).
 *
 * A list that breaks off ends the command with what was printed and
 * exit 1.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <porthole/linux.h>
#include "tools/porthole.h"

struct lsmod_job {
	bool		mj_json;
	struct json	mj_j;
	unsigned	mj_count;
};

static const char *
lsmod_state(int state)
{
	switch (state) {
	case 0:
		return ("Live");
	case 1:
		return ("Loading");
	case 2:
		return ("Unloading");
	default:
		return ("?");
	}
}

static int
lsmod_one(const struct linux_module *m, void *arg)
{
	struct lsmod_job *mj = arg;
	char name[sizeof (m->lm_name) * 4 + 1];

	mj->mj_count++;
	if (mj->mj_json) {
		json_object_begin(&mj->mj_j);
		json_key(&mj->mj_j, "name");
		json_string_n(&mj->mj_j, m->lm_name, strnlen(m->lm_name,
		    sizeof (m->lm_name)));
		json_kv_u64(&mj->mj_j, "size", m->lm_size);
		json_kv_hex(&mj->mj_j, "base", m->lm_base);
		json_kv_string(&mj->mj_j, "state", lsmod_state(m->lm_state));
		json_kv_hex(&mj->mj_j, "module", m->lm_addr);
		json_object_end(&mj->mj_j);
		return (0);
	}
	(void) printf("%-24s %10" PRIu64 "  0x%016" PRIx64 "  %s\n",
	    cli_safe_text(m->lm_name, name, sizeof (name)), m->lm_size,
	    m->lm_base, lsmod_state(m->lm_state));
	return (0);
}

static int
lsmod_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_LINUX_LONGOPTS,
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct lsmod_job mj;
	struct cli_linux cl;
	struct linux_kernel *lk;
	struct guest *g;
	const char *target;
	int c, rv = EXIT_FAIL, failed;

	cli_linux_init(&cl);
	memset(&mj, 0, sizeof (mj));
	optind = 1;
	while ((c = getopt_long(argc, argv, "jh", longopts, NULL)) != -1) {
		if (cli_linux_option(&cl, c, optarg))
			continue;
		switch (c) {
		case 'j':
			mj.mj_json = true;
			break;
		case 'h':
			return (cli_help(&cmd_lsmod));
		default:
			return (cli_usage_error(&cmd_lsmod, "bad option"));
		}
	}
	if (cli_operands(&cmd_lsmod, argc, argv, 1,
	    "give a TARGET (a domain or a memory image)") != 0)
		return (EXIT_USAGE);
	target = argv[optind];
	if ((g = cli_linux_target(target, &cl, &lk)) == NULL)
		return (EXIT_FAIL);
	if (mj.mj_json) {
		cli_linux_json_begin(&mj.mj_j, target, lk, "modules");
	} else {
		(void) printf("%-24s %10s  %-18s  %s\n", "MODULE", "SIZE",
		    "BASE", "STATE");
	}
	failed = linux_modules(lk, lsmod_one, &mj) != 0 ? errno : 0;
	rv = cli_linux_list_end(mj.mj_json ? &mj.mj_j : NULL, target,
	    "listing the modules", mj.mj_count, failed);
	cli_linux_close(g, lk);
	return (rv);
}

const struct command cmd_lsmod = {
	.cmd_name = "lsmod",
	.cmd_main = lsmod_main,
	.cmd_summary = "list a Linux guest's kernel modules (name, size, "
	    "base address, state)",
	.cmd_usage = "porthole lsmod [--json] [--system-map FILE] "
	    "[--vmlinux FILE] [--no-cache]\n"
	    "                      TARGET",
};
