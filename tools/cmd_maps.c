/*
 * cmd_maps.c -- `porthole maps TARGET PID`: the memory maps (VMAs) of a
 * Linux guest's process, like /proc/PID/maps: start-end, permissions
 * (rwx and p private or s shared), file offset, and the file's path (or
 * [heap], [stack], ...; nothing for anonymous memory).  /proc's device
 * and inode columns are not kept by the library and left out.
 *
 * A kernel thread has no maps (said, exit 1); a tree that breaks off
 * ends the command with what was printed and exit 1.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <porthole/linux.h>
#include "tools/porthole.h"

#define	MAPS_PAGE_SHIFT	12

struct maps_job {
	bool		aj_json;
	struct json	aj_j;
	unsigned	aj_count;
};

static void
maps_perms(const struct linux_vma *v, char perms[5])
{
	perms[0] = (v->lv_prot & LINUX_VMA_READ) != 0 ? 'r' : '-';
	perms[1] = (v->lv_prot & LINUX_VMA_WRITE) != 0 ? 'w' : '-';
	perms[2] = (v->lv_prot & LINUX_VMA_EXEC) != 0 ? 'x' : '-';
	perms[3] = (v->lv_prot & LINUX_VMA_SHARED) != 0 ? 's' : 'p';
	perms[4] = '\0';
}

static int
maps_one(const struct linux_vma *v, void *arg)
{
	struct maps_job *aj = arg;
	char perms[5], path[sizeof (v->lv_file) * 4 + 1];
	uint64_t off = v->lv_pgoff << MAPS_PAGE_SHIFT;

	aj->aj_count++;
	maps_perms(v, perms);
	if (aj->aj_json) {
		json_object_begin(&aj->aj_j);
		json_kv_hex(&aj->aj_j, "start", v->lv_start);
		json_kv_hex(&aj->aj_j, "end", v->lv_end);
		json_kv_string(&aj->aj_j, "perms", perms);
		json_kv_hex(&aj->aj_j, "offset", off);
		json_key(&aj->aj_j, "path");
		if (v->lv_file[0] != '\0')
			json_string_n(&aj->aj_j, v->lv_file,
			    strnlen(v->lv_file, sizeof (v->lv_file)));
		else
			json_null(&aj->aj_j);
		json_object_end(&aj->aj_j);
		return (0);
	}
	(void) printf("%08" PRIx64 "-%08" PRIx64 " %s %08" PRIx64 "%s%s\n",
	    v->lv_start, v->lv_end, perms, off, v->lv_file[0] != '\0' ? " " : "",
	    cli_safe_text(v->lv_file, path, sizeof (path)));
	return (0);
}

static int
maps_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_LINUX_LONGOPTS,
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct maps_job aj;
	struct cli_linux cl;
	struct linux_kernel *lk;
	struct linux_task t;
	struct guest *g;
	const char *target;
	char what[64];
	unsigned pid;
	int c, rv = EXIT_FAIL, failed;

	cli_linux_init(&cl);
	memset(&aj, 0, sizeof (aj));
	optind = 1;
	while ((c = getopt_long(argc, argv, "jh", longopts, NULL)) != -1) {
		if (cli_linux_option(&cl, c, optarg))
			continue;
		switch (c) {
		case 'j':
			aj.aj_json = true;
			break;
		case 'h':
			return (cli_help(&cmd_maps));
		default:
			return (cli_usage_error(&cmd_maps, "bad option"));
		}
	}
	if (cli_operands(&cmd_maps, argc, argv, 2,
	    "give a TARGET and a PID (see porthole ps TARGET)") != 0)
		return (EXIT_USAGE);
	target = argv[optind];
	if (cli_parse_uint(argv[optind + 1], 4194304, &pid) != 0)
		return (cli_usage_error(&cmd_maps, "'%s' is not a process id "
		    "(such as 1; see porthole ps TARGET)", argv[optind + 1]));
	if ((g = cli_linux_target(target, &cl, &lk)) == NULL)
		return (EXIT_FAIL);
	(void) snprintf(what, sizeof (what), "the maps of process %u", pid);
	if (linux_task_find(lk, (int)pid, &t) != 0) {
		(void) cli_linux_error(target, what, errno);
		goto out;
	}
	if (t.lt_kthread) {
		char comm[sizeof (t.lt_comm) * 4 + 1];

		(void) cli_error("process %u of %s (%s) is a kernel thread: it "
		    "has no memory maps", pid, target,
		    cli_safe_text(t.lt_comm, comm, sizeof (comm)));
		goto out;
	}
	if (aj.aj_json) {
		json_init(&aj.aj_j, stdout);
		json_object_begin(&aj.aj_j);
		json_kv_string(&aj.aj_j, "target", target);
		json_kv_u64(&aj.aj_j, "pid", pid);
		json_key(&aj.aj_j, "name");
		json_string_n(&aj.aj_j, t.lt_comm, strnlen(t.lt_comm,
		    sizeof (t.lt_comm)));
		json_key(&aj.aj_j, "maps");
		json_array_begin(&aj.aj_j);
	}
	failed = linux_vmas(lk, (int)pid, maps_one, &aj) != 0 ? errno : 0;
	rv = cli_linux_list_end(aj.aj_json ? &aj.aj_j : NULL, target, what,
	    aj.aj_count, failed);
out:
	cli_linux_close(g, lk);
	return (rv);
}

const struct command cmd_maps = {
	.cmd_name = "maps",
	.cmd_main = maps_main,
	.cmd_summary = "print a Linux process's memory maps, like "
	    "/proc/PID/maps",
	.cmd_usage = "porthole maps [--json] [--system-map FILE] "
	    "[--vmlinux FILE] [--no-cache]\n"
	    "                     TARGET PID",
};
