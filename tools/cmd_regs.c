/*
 * cmd_regs.c -- `porthole regs TARGET [-v VCPU]`: the registers of one or
 * every vCPU, live (the hypervisor) or from an image's notes: general
 * registers, RIP and RFLAGS, selectors, segment bases, control registers
 * and EFER, each group only when the source has it, and the paging mode
 * they put the vCPU in.
 *
 * For a Xen PV guest CR3 holds a machine address, and EFER is what a PV
 * guest always runs with; the output says so ("PV", "efer derived").
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <porthole/guest.h>
#include "tools/porthole.h"

struct regs_field {
	const char	*rf_name;
	size_t		rf_off;
	unsigned	rf_group;	/* GUEST_REGS_* */
	unsigned	rf_width;	/* bytes: 8 or 2 */
};

#define	RF(name, group, width)						\
	{ #name, offsetof(struct guest_regs, gr_##name), group, width }

static const struct regs_field regs_fields[] = {
	RF(rax, GUEST_REGS_GPR, 8), RF(rbx, GUEST_REGS_GPR, 8),
	RF(rcx, GUEST_REGS_GPR, 8), RF(rdx, GUEST_REGS_GPR, 8),
	RF(rsi, GUEST_REGS_GPR, 8), RF(rdi, GUEST_REGS_GPR, 8),
	RF(rbp, GUEST_REGS_GPR, 8), RF(rsp, GUEST_REGS_GPR, 8),
	RF(r8, GUEST_REGS_GPR, 8), RF(r9, GUEST_REGS_GPR, 8),
	RF(r10, GUEST_REGS_GPR, 8), RF(r11, GUEST_REGS_GPR, 8),
	RF(r12, GUEST_REGS_GPR, 8), RF(r13, GUEST_REGS_GPR, 8),
	RF(r14, GUEST_REGS_GPR, 8), RF(r15, GUEST_REGS_GPR, 8),
	RF(rip, GUEST_REGS_GPR, 8), RF(rflags, GUEST_REGS_GPR, 8),
	RF(cs, GUEST_REGS_SEG, 2), RF(ss, GUEST_REGS_SEG, 2),
	RF(ds, GUEST_REGS_SEG, 2), RF(es, GUEST_REGS_SEG, 2),
	RF(fs, GUEST_REGS_SEG, 2), RF(gs, GUEST_REGS_SEG, 2),
	RF(fs_base, GUEST_REGS_SEGBASE, 8), RF(gs_base, GUEST_REGS_SEGBASE, 8),
	RF(kernel_gs_base, GUEST_REGS_SEGBASE, 8),
	RF(cr0, GUEST_REGS_CR, 8), RF(cr2, GUEST_REGS_CR, 8),
	RF(cr3, GUEST_REGS_CR, 8), RF(cr4, GUEST_REGS_CR, 8),
	RF(efer, GUEST_REGS_CR, 8),
};
#define	REGS_NFIELDS	(sizeof (regs_fields) / sizeof (regs_fields[0]))

static uint64_t
regs_value(const struct guest_regs *r, const struct regs_field *f)
{
	const char *p = (const char *)r + f->rf_off;
	uint64_t v8;
	uint16_t v2;

	if (f->rf_width == 2) {
		memcpy(&v2, p, 2);
		return (v2);
	}
	memcpy(&v8, p, 8);
	return (v8);
}

/* The paging mode the registers put the vCPU in, or NULL. */
static const char *
regs_paging(struct guest *g, unsigned v)
{
	struct guest_space sp;

	if (guest_space_vcpu(g, v, false, &sp) != 0)
		return (NULL);
	return (guest_paging_name(sp.gs_mode));
}

static void
regs_text(struct guest *g, unsigned v, const struct guest_regs *r)
{
	const char *paging = regs_paging(g, v);
	unsigned col = 0;
	size_t i;

	if (!r->gr_online) {
		(void) printf("vcpu %u: offline\n", v);
		return;
	}
	(void) printf("vcpu %u: online, %u-bit%s%s%s%s\n", v, r->gr_addr_bits,
	    (r->gr_valid & GUEST_REGS_PV) ? ", Xen PV (cr3 is a machine "
	    "address)" : "", paging != NULL ? ", paging " : "",
	    paging != NULL ? paging : "",
	    (r->gr_valid & GUEST_REGS_EFER) ? "" : ", efer derived");
	for (i = 0; i < REGS_NFIELDS; i++) {
		const struct regs_field *f = &regs_fields[i];
		unsigned group = f->rf_group;

		/* EFER read or derived: shown with the control registers. */
		if ((r->gr_valid & group) == 0)
			continue;
		if (i > 0 && group != regs_fields[i - 1].rf_group && col > 0) {
			(void) printf("\n");
			col = 0;
		}
		if (f->rf_width == 2)
			(void) printf("  %-6s 0x%04" PRIx64, f->rf_name,
			    regs_value(r, f));
		else
			(void) printf("  %-6s 0x%016" PRIx64, f->rf_name,
			    regs_value(r, f));
		if (++col == (f->rf_width == 2 ? 6 : 3)) {
			(void) printf("\n");
			col = 0;
		}
	}
	if (col > 0)
		(void) printf("\n");
}

static void
regs_json(struct json *j, struct guest *g, unsigned v,
    const struct guest_regs *r)
{
	const char *paging;
	size_t i;

	json_object_begin(j);
	json_kv_u64(j, "vcpu", v);
	json_kv_bool(j, "online", r->gr_online);
	if (r->gr_online) {
		json_kv_u64(j, "address_bits", r->gr_addr_bits);
		json_kv_bool(j, "pv", (r->gr_valid & GUEST_REGS_PV) != 0);
		json_kv_bool(j, "efer_derived",
		    (r->gr_valid & GUEST_REGS_EFER) == 0);
		json_key(j, "paging");
		if ((paging = regs_paging(g, v)) != NULL)
			json_string(j, paging);
		else
			json_null(j);
		json_key(j, "registers");
		json_object_begin(j);
		for (i = 0; i < REGS_NFIELDS; i++)
			if (r->gr_valid & regs_fields[i].rf_group)
				json_kv_hex(j, regs_fields[i].rf_name,
				    regs_value(r, &regs_fields[i]));
		json_object_end(j);
	}
	json_object_end(j);
}

/* Why vCPU v's registers cannot be read, with what to try. */
static int
regs_fail(struct guest *g, unsigned v, int e)
{
	if (e == ENODATA)
		return (cli_error("%s records no vCPU registers (%s images "
		    "have none); an xc-core or ELF dump of the guest does",
		    guest_name(g), guest_format(g)));
	if (e == ENOENT)
		return (cli_error("%s has no vCPU %u (it has %u: 0-%u)",
		    guest_name(g), v, guest_nvcpus(g),
		    guest_nvcpus(g) > 0 ? guest_nvcpus(g) - 1 : 0));
	return (cli_error("reading the registers of vCPU %u of %s: %s", v,
	    guest_name(g), strerror(e)));
}

static int
regs_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "vcpu", required_argument, NULL, 'v' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct guest_regs r;
	bool json = false, one = false;
	unsigned vcpu = 0, v, first, last;
	struct guest *g;
	struct json j;
	int c, rv = EXIT_OK;

	optind = 1;
	while ((c = getopt_long(argc, argv, "v:jh", longopts, NULL)) != -1) {
		switch (c) {
		case 'v':
			if (cli_parse_uint(optarg, 4095, &vcpu) != 0)
				return (cli_usage_error(&cmd_regs, "-v/--vcpu "
				    "takes a vCPU number (0, 1, ...), not '%s'",
				    optarg));
			one = true;
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			return (cli_help(&cmd_regs));
		default:
			return (cli_usage_error(&cmd_regs, "bad option"));
		}
	}
	if (cli_operands(&cmd_regs, argc, argv, 1,
	    "no TARGET: name a domain (porthole list) or a memory image") != 0)
		return (EXIT_USAGE);
	if ((g = cli_open(argv[optind], 0)) == NULL)
		return (EXIT_FAIL);
	if (one) {
		first = last = vcpu;
	} else {
		first = 0;
		last = guest_nvcpus(g) > 0 ? guest_nvcpus(g) - 1 : 0;
	}
	/* Every vCPU's registers first: a failure prints no partial list. */
	for (v = first; v <= last; v++)
		if (guest_vcpu_regs(g, v, &r) != 0) {
			rv = regs_fail(g, v, errno);
			cli_close(g);
			return (rv);
		}
	if (json) {
		json_init(&j, stdout);
		json_object_begin(&j);
		json_kv_string(&j, "target", argv[optind]);
		json_key(&j, "vcpus");
		json_array_begin(&j);
	}
	for (v = first; v <= last; v++) {
		if (guest_vcpu_regs(g, v, &r) != 0) {
			rv = regs_fail(g, v, errno);
			break;
		}
		if (json)
			regs_json(&j, g, v, &r);
		else
			regs_text(g, v, &r);
	}
	if (json) {
		json_array_end(&j);
		json_object_end(&j);
		json_end(&j);
	}
	cli_close(g);
	return (rv);
}

const struct command cmd_regs = {
	.cmd_name = "regs",
	.cmd_main = regs_main,
	.cmd_summary = "print the registers of one or every vCPU",
	.cmd_usage = "porthole regs [--json] [-v VCPU] TARGET",
};
