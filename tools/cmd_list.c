/*
 * cmd_list.c -- `porthole list`: the host's Xen domains, one line each
 * as `xl list` shows them (id, name, state flags) with their UUID, type,
 * memory and vCPUs; --names prints the names alone (for completion and
 * scripts), --json the whole list.
 *
 * dom0 is listed like the others (it cannot be opened: porthole reads
 * foreign domains only).  Listing needs dom0's privilege: the error says
 * so.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <porthole/domain.h>
#include "tools/porthole.h"

enum list_format { LIST_TABLE, LIST_NAMES, LIST_JSON };

struct list_state {
	enum list_format	ls_format;
	struct json		ls_json;
	unsigned		ls_n;
};

/* The header or the document's opening, once the list is coming. */
static void
list_begin(struct list_state *ls)
{
	if (ls->ls_format == LIST_JSON) {
		json_init(&ls->ls_json, stdout);
		json_object_begin(&ls->ls_json);
		json_key(&ls->ls_json, "domains");
		json_array_begin(&ls->ls_json);
	} else if (ls->ls_format == LIST_TABLE) {
		(void) printf("%-5s %-24s %-36s %-4s %-6s %-8s %9s %5s\n",
		    "ID", "NAME", "UUID", "TYPE", "FLAGS", "STATE", "MEM(MiB)",
		    "VCPUS");
	}
}

static int
list_one(const struct porthole_domain *d, void *arg)
{
	struct list_state *ls = arg;
	struct json *j = &ls->ls_json;

	if (ls->ls_n++ == 0)
		list_begin(ls);
	switch (ls->ls_format) {
	case LIST_NAMES:
		if (d->pd_name[0] != '\0')
			(void) printf("%s\n", d->pd_name);
		break;
	case LIST_JSON:
		json_object_begin(j);
		json_kv_u64(j, "id", d->pd_domid);
		json_kv_string(j, "name", d->pd_name);
		json_kv_string(j, "uuid", d->pd_uuid);
		json_kv_string(j, "type", porthole_domain_type_name(d->pd_type));
		json_kv_string(j, "state",
		    porthole_domain_state_name(d->pd_state));
		json_kv_string(j, "flags", d->pd_flags);
		json_kv_u64(j, "memory_kib", d->pd_mem_kib);
		json_kv_u64(j, "max_memory_kib", d->pd_max_kib);
		json_kv_u64(j, "vcpus", d->pd_vcpus);
		json_kv_u64(j, "online_vcpus", d->pd_online_vcpus);
		json_kv_u64(j, "cpu_ns", d->pd_cpu_ns);
		json_object_end(j);
		break;
	case LIST_TABLE:
		(void) printf("%-5" PRIu32 " %-24s %-36s %-4s %-6s %-8s %9"
		    PRIu64 " %5u\n", d->pd_domid, d->pd_name[0] != '\0' ?
		    d->pd_name : "-", d->pd_uuid,
		    porthole_domain_type_name(d->pd_type), d->pd_flags,
		    porthole_domain_state_name(d->pd_state),
		    d->pd_mem_kib / 1024, d->pd_vcpus);
		break;
	}
	return (0);
}

static int
list_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "names", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct list_state ls = { .ls_format = LIST_TABLE };
	char err[1024];
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "jnh", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			ls.ls_format = LIST_JSON;
			break;
		case 'n':
			ls.ls_format = LIST_NAMES;
			break;
		case 'h':
			return (cli_help(&cmd_list));
		default:
			return (cli_usage_error(&cmd_list, "bad option"));
		}
	}
	if (optind != argc)
		return (cli_usage_error(&cmd_list, "unexpected argument '%s'",
		    argv[optind]));
	/* Nothing reaches stdout before the list does. */
	if (porthole_domains(list_one, &ls, err, sizeof (err)) != 0)
		return (cli_error("%s", err));
	if (ls.ls_n == 0)
		list_begin(&ls);
	if (ls.ls_format == LIST_JSON) {
		json_array_end(&ls.ls_json);
		json_object_end(&ls.ls_json);
		json_end(&ls.ls_json);
	}
	return (EXIT_OK);
}

const struct command cmd_list = {
	.cmd_name = "list",
	.cmd_main = list_main,
	.cmd_summary = "list the Xen domains (id, name, UUID, type, state, "
	    "memory, vCPUs)",
	.cmd_usage = "porthole list [--json | --names]",
};
