/*
 * cmd_ps.c -- `porthole ps TARGET`: the processes of a Linux guest, like
 * ps: PID, PPID, UID, STATE, THREADS and NAME (the kernel's comm), and
 * with -f the command line where it is resident.  Kernel threads have no
 * command line; like ps, -f shows their name in brackets.  A command line
 * whose pages are not resident shows as "-" (null in JSON), not an
 * error: the list goes on.
 *
 * The list is the kernel's own (init_task's tasks), in its order; a list
 * that breaks off (a live guest changing under the walk) ends the command
 * with what was printed and exit 1.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <porthole/linux.h>
#include "tools/porthole.h"

#define	PS_CMDLINE_MAX	4096

struct ps_job {
	struct linux_kernel	*pj_lk;
	bool			pj_full;
	bool			pj_json;
	struct json		pj_j;
	unsigned		pj_count;
	char			pj_cmd[PS_CMDLINE_MAX];
};

/* The command line into pj_cmd: its length, or -1 with errno. */
static ssize_t
ps_cmdline(struct ps_job *pj, const struct linux_task *t)
{
	if (t->lt_kthread) {
		errno = ENODATA;
		return (-1);
	}
	return (linux_task_cmdline(pj->pj_lk, t->lt_pid, pj->pj_cmd,
	    sizeof (pj->pj_cmd)));
}

static int
ps_one(const struct linux_task *t, void *arg)
{
	struct ps_job *pj = arg;
	char comm[sizeof (t->lt_comm) * 4 + 1];
	char state[2] = { t->lt_state, '\0' };
	char safe[PS_CMDLINE_MAX * 4 + 1];
	ssize_t n = -1;

	pj->pj_count++;
	if (pj->pj_full)
		n = ps_cmdline(pj, t);
	if (pj->pj_json) {
		struct json *j = &pj->pj_j;

		json_object_begin(j);
		json_kv_int(j, "pid", t->lt_pid);
		json_kv_int(j, "ppid", t->lt_ppid);
		json_kv_u64(j, "uid", t->lt_uid);
		json_kv_string(j, "state", state);
		json_kv_u64(j, "threads", t->lt_threads);
		json_key(j, "name");
		json_string_n(j, t->lt_comm, strnlen(t->lt_comm,
		    sizeof (t->lt_comm)));
		json_kv_bool(j, "kernel_thread", t->lt_kthread);
		json_kv_hex(j, "task", t->lt_task);
		if (pj->pj_full) {
			json_key(j, "command");
			if (n >= 0)
				json_string_n(j, pj->pj_cmd, (size_t)n <
				    sizeof (pj->pj_cmd) ? (size_t)n :
				    sizeof (pj->pj_cmd) - 1);
			else
				json_null(j);
		}
		json_object_end(j);
		return (0);
	}
	(void) cli_safe_text(t->lt_comm, comm, sizeof (comm));
	(void) printf("%7d %7d %5u %-5s %7u %-*s", t->lt_pid, t->lt_ppid,
	    t->lt_uid, state, t->lt_threads, pj->pj_full ? 16 : 0, comm);
	if (pj->pj_full) {
		if (n >= 0)
			(void) printf(" %s", cli_safe_text(pj->pj_cmd, safe,
			    sizeof (safe)));
		else if (t->lt_kthread)
			(void) printf(" [%s]", comm);
		else
			(void) printf(" -");
	}
	(void) printf("\n");
	return (0);
}

static int
ps_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_LINUX_LONGOPTS,
		{ "full", no_argument, NULL, 'f' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	static struct ps_job pj;
	struct cli_linux cl;
	struct guest *g;
	const char *target;
	int c, rv, failed;

	cli_linux_init(&cl);
	memset(&pj, 0, sizeof (pj));
	optind = 1;
	while ((c = getopt_long(argc, argv, "fjh", longopts, NULL)) != -1) {
		if (cli_linux_option(&cl, c, optarg))
			continue;
		switch (c) {
		case 'f':
			pj.pj_full = true;
			break;
		case 'j':
			pj.pj_json = true;
			break;
		case 'h':
			return (cli_help(&cmd_ps));
		default:
			return (cli_usage_error(&cmd_ps, "bad option"));
		}
	}
	if (cli_operands(&cmd_ps, argc, argv, 1,
	    "give a TARGET (a domain or a memory image)") != 0)
		return (EXIT_USAGE);
	target = argv[optind];
	if ((g = cli_linux_target(target, &cl, &pj.pj_lk)) == NULL)
		return (EXIT_FAIL);
	if (pj.pj_json) {
		cli_linux_json_begin(&pj.pj_j, target, pj.pj_lk, "processes");
	} else {
		(void) printf("%7s %7s %5s %-5s %7s %s\n", "PID", "PPID",
		    "UID", "STATE", "THREADS", pj.pj_full ?
		    "NAME             COMMAND" : "NAME");
	}
	failed = linux_tasks(pj.pj_lk, ps_one, &pj) != 0 ? errno : 0;
	rv = cli_linux_list_end(pj.pj_json ? &pj.pj_j : NULL, target,
	    "listing the processes", pj.pj_count, failed);
	cli_linux_close(g, pj.pj_lk);
	return (rv);
}

const struct command cmd_ps = {
	.cmd_name = "ps",
	.cmd_main = ps_main,
	.cmd_summary = "list a Linux guest's processes (pid, parent, uid, "
	    "state, threads, name; -f the command line)",
	.cmd_usage = "porthole ps [-f] [--json] [--system-map FILE] "
	    "[--vmlinux FILE] [--no-cache]\n"
	    "                   TARGET",
};
