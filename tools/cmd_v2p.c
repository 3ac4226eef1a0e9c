/*
 * cmd_v2p.c -- `porthole v2p TARGET VADDR`: one translation, level by
 * level: each paging-structure entry the walk read (its level, where it
 * is, its value and its bits decoded), then the physical address, the
 * page size and the page's effective flags -- or where the walk stopped
 * and why (exit 1).
 *
 * Entry addresses are guest physical; for a Xen PV guest the entries'
 * values hold machine frames, as the hardware sees them.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <porthole/guest.h>
#include "tools/porthole.h"

static const char *
v2p_page_size(uint64_t size)
{
	switch (size) {
	case 1ULL << 12:
		return ("4 KiB");
	case 1ULL << 21:
		return ("2 MiB");
	case 1ULL << 22:
		return ("4 MiB");
	case 1ULL << 30:
		return ("1 GiB");
	default:
		return ("?");
	}
}

static void
v2p_json(const char *target, const char *desc, const struct guest_space *sp,
    const struct guest_v2p *v)
{
	char flags[64];
	unsigned i;
	struct json j;

	json_init(&j, stdout);
	json_object_begin(&j);
	json_kv_string(&j, "target", target);
	json_kv_string(&j, "space_description", desc);
	json_kv_string(&j, "paging", guest_paging_name(sp->gs_mode));
	json_kv_hex(&j, "cr3", sp->gs_cr3);
	json_kv_hex(&j, "virtual", v->v_va);
	json_key(&j, "levels");
	json_array_begin(&j);
	for (i = 0; i < v->v_nlevels; i++) {
		json_object_begin(&j);
		json_kv_u64(&j, "level", v->v_levels[i].l_level);
		json_kv_string(&j, "name",
		    cli_level_name(v->v_levels[i].l_level));
		json_kv_hex(&j, "entry_address", v->v_levels[i].l_entry_pa);
		json_kv_hex(&j, "entry", v->v_levels[i].l_entry);
		json_kv_string(&j, "flags", cli_entry_flags(
		    v->v_levels[i].l_entry, v->v_levels[i].l_level, flags,
		    sizeof (flags)));
		json_object_end(&j);
	}
	json_array_end(&j);
	json_key(&j, "physical");
	if (v->v_fault.gf_errno != 0) {
		json_null(&j);
	} else {
		json_hex(&j, v->v_pa);
		json_kv_u64(&j, "page_size", v->v_page_size);
		json_kv_bool(&j, "writable", (v->v_flags & GUEST_V2P_W) != 0);
		json_kv_bool(&j, "user", (v->v_flags & GUEST_V2P_U) != 0);
		json_kv_bool(&j, "no_execute",
		    (v->v_flags & GUEST_V2P_NX) != 0);
	}
	json_fault(&j, "fault", &v->v_fault);
	json_object_end(&j);
	json_end(&j);
}

static void
v2p_text(const char *desc, const struct guest_v2p *v)
{
	char flags[64];
	unsigned i;

	(void) printf("virtual   0x%016" PRIx64 " in %s\n", v->v_va, desc);
	for (i = 0; i < v->v_nlevels; i++)
		(void) printf("%-5s     entry at 0x%016" PRIx64 " = 0x%016"
		    PRIx64 "  %s\n", cli_level_name(v->v_levels[i].l_level),
		    v->v_levels[i].l_entry_pa, v->v_levels[i].l_entry,
		    cli_entry_flags(v->v_levels[i].l_entry,
		    v->v_levels[i].l_level, flags, sizeof (flags)));
	if (v->v_fault.gf_errno != 0)
		return;
	(void) printf("physical  0x%016" PRIx64 "  %s page, %s, %s, %s\n",
	    v->v_pa, v2p_page_size(v->v_page_size),
	    (v->v_flags & GUEST_V2P_W) ? "writable" : "read-only",
	    (v->v_flags & GUEST_V2P_U) ? "user" : "supervisor",
	    (v->v_flags & GUEST_V2P_NX) ? "no-execute" : "executable");
}

static int
v2p_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_SPACE_LONGOPTS,
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct guest_space sp;
	struct guest_v2p v;
	struct cli_space cs;
	char desc[160], why[256];
	struct guest *g;
	bool json = false;
	uint64_t va;
	int c, rv = EXIT_FAIL;

	cli_space_init(&cs);
	optind = 1;
	while ((c = cli_space_getopt(&cs, argc, argv, "v:jh",
	    longopts)) != -1) {
		switch (c) {
		case CLI_SPACE_USAGE:
			return (EXIT_USAGE);
		case 'j':
			json = true;
			break;
		case 'h':
			return (cli_help(&cmd_v2p));
		default:
			return (cli_usage_error(&cmd_v2p, "bad option"));
		}
	}
	if (cs.cs_phys)
		return (cli_usage_error(&cmd_v2p, "--phys: v2p translates "
		    "virtual addresses"));
	if (cli_space_check(&cs) != 0)
		return (EXIT_USAGE);
	if (cli_operands(&cmd_v2p, argc, argv, 2,
	    "give TARGET and VADDR") != 0)
		return (EXIT_USAGE);
	if (cli_parse_u64(argv[optind + 1], &va) != 0)
		return (cli_usage_error(&cmd_v2p, "'%s' is not an address "
		    "(decimal, or hex with 0x)", argv[optind + 1]));
	if ((g = cli_open(argv[optind], 0)) == NULL)
		return (EXIT_FAIL);
	if (cli_space_resolve(g, &cs, &sp, desc, sizeof (desc)) != 0)
		goto out;
	if (guest_v2p(g, &sp, va, &v) != 0) {
		(void) cli_error("cannot translate through %s: %s", desc,
		    strerror(errno));
		goto out;
	}
	if (json)
		v2p_json(argv[optind], desc, &sp, &v);
	else
		v2p_text(desc, &v);
	if (v.v_fault.gf_errno != 0) {
		(void) fflush(stdout);
		(void) cli_error("0x%" PRIx64 " does not translate in %s: "
		    "stopped %s", va, desc, cli_fault_text(&v.v_fault, true,
		    why, sizeof (why)));
		goto out;
	}
	rv = EXIT_OK;
out:
	cli_close(g);
	return (rv);
}

const struct command cmd_v2p = {
	.cmd_name = "v2p",
	.cmd_main = v2p_main,
	.cmd_summary = "translate a virtual address, showing every paging "
	    "level",
	.cmd_usage = "porthole v2p [--json] [-v VCPU] [--cr3 ROOT [--mode "
	    "MODE]] [--pid PID] TARGET VADDR",
};
