/*
 * cli_space.c -- which address space an address the user gives is in:
 * the options read, write, v2p and grep share (--phys, -v/--vcpu, --cr3,
 * --mode), the guest_space they name, and how the command words paging
 * levels, entry bits and faults.
 *
 * A virtual address is, by default, in vCPU 0's kernel space: its CR3,
 * or with page-table isolation the kernel half of the pair, in the mode
 * its CR0, CR4 and EFER say.  --cr3 keeps the vCPU's mode (and, for a Xen
 * PV guest, that the tables hold machine frames) and swaps the root; a
 * guest without vCPU registers (a raw image) needs --mode with it.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <porthole/guest.h>
#include "tools/porthole.h"

void
cli_space_init(struct cli_space *cs)
{
	memset(cs, 0, sizeof (*cs));
	cs->cs_mode = -1;
	cli_linux_init(&cs->cs_linux);
}

static int
cli_mode_parse(const char *text)
{
	if (strcmp(text, "32") == 0 || strcmp(text, "32-bit") == 0)
		return (GUEST_PAGING_32);
	if (strcmp(text, "pae") == 0 || strcmp(text, "PAE") == 0)
		return (GUEST_PAGING_PAE);
	if (strcmp(text, "4level") == 0 || strcmp(text, "4-level") == 0)
		return (GUEST_PAGING_4LEVEL);
	if (strcmp(text, "5level") == 0 || strcmp(text, "5-level") == 0)
		return (GUEST_PAGING_5LEVEL);
	return (-1);
}

/*
 * Take option c (with optarg) if it is one of the above: 1 taken, 0 not
 * one of ours, -1 a usage error (said).
 */
static int
cli_space_option(struct cli_space *cs, int c, const char *arg)
{
	switch (c) {
	case CLI_SPACE_OPT_PHYS:
		cs->cs_phys = true;
		return (1);
	case CLI_SPACE_OPT_CR3:
		if (cli_parse_u64(arg, &cs->cs_cr3) != 0) {
			(void) cli_usage_error(cli_command, "--cr3 takes the "
			    "page-table root's physical address (such as "
			    "0x1aa000), not '%s'", arg);
			return (-1);
		}
		cs->cs_have_cr3 = true;
		return (1);
	case CLI_SPACE_OPT_MODE:
		if ((cs->cs_mode = cli_mode_parse(arg)) < 0) {
			(void) cli_usage_error(cli_command, "--mode takes 32, "
			    "pae, 4level or 5level, not '%s'", arg);
			return (-1);
		}
		return (1);
	case CLI_SPACE_OPT_VCPU:
		if (cli_parse_uint(arg, 4095, &cs->cs_vcpu) != 0) {
			(void) cli_usage_error(cli_command, "-v/--vcpu takes a "
			    "vCPU number (0, 1, ...), not '%s'", arg);
			return (-1);
		}
		cs->cs_have_vcpu = true;
		return (1);
	case CLI_SPACE_OPT_PID:
		if (cli_parse_uint(arg, 4194304, &cs->cs_pid) != 0) {
			(void) cli_usage_error(cli_command, "--pid takes a "
			    "process id (such as 1; see porthole ps), not "
			    "'%s'", arg);
			return (-1);
		}
		cs->cs_have_pid = true;
		return (1);
	default:
		return (cli_linux_option(&cs->cs_linux, c, arg));
	}
}

int
cli_space_getopt(struct cli_space *cs, int argc, char **argv,
    const char *optstring, const struct option *longopts)
{
	int c;

	while ((c = getopt_long(argc, argv, optstring, longopts, NULL)) !=
	    -1) {
		switch (cli_space_option(cs, c, optarg)) {
		case 1:
			continue;
		case -1:
			return (CLI_SPACE_USAGE);
		default:
			return (c);
		}
	}
	return (-1);
}

int
cli_space_check(const struct cli_space *cs)
{
	if (cs->cs_phys && (cs->cs_have_cr3 || cs->cs_mode >= 0 ||
	    cs->cs_have_vcpu)) {
		(void) cli_usage_error(cli_command, "--phys goes with no "
		    "--cr3, --mode or --vcpu: physical addresses need no "
		    "page tables");
		return (-1);
	}
	if (cs->cs_have_pid && (cs->cs_phys || cs->cs_have_cr3 ||
	    cs->cs_have_vcpu)) {
		(void) cli_usage_error(cli_command, "--pid goes with no "
		    "--phys, --cr3, --mode or --vcpu: the process's own page "
		    "tables are the space");
		return (-1);
	}
	if (!cs->cs_have_pid && (cs->cs_linux.cl_system_map != NULL ||
	    cs->cs_linux.cl_vmlinux != NULL || cs->cs_linux.cl_no_cache)) {
		(void) cli_usage_error(cli_command, "--system-map, --vmlinux "
		    "and --no-cache go with --pid (they help find the Linux "
		    "kernel that knows the process)");
		return (-1);
	}
	if (cs->cs_mode >= 0 && !cs->cs_have_cr3) {
		(void) cli_usage_error(cli_command, "--mode goes with --cr3 "
		    "(the mode of the page tables at ROOT)");
		return (-1);
	}
	return (0);
}

/* Why vCPU vcpu gives no space: said, with what to try. */
static int
cli_space_fail(struct guest *g, unsigned vcpu, int e)
{
	struct guest_regs r;
	unsigned n = guest_nvcpus(g);

	switch (e) {
	case ENODATA:
		if (n == 0) {
			(void) cli_error("%s records no vCPU registers (%s "
			    "images have none), so there is no kernel space "
			    "to translate through; give --cr3 ROOT --mode "
			    "4level, or --phys", guest_name(g),
			    guest_format(g));
			return (-1);
		}
		if (guest_vcpu_regs(g, vcpu, &r) == 0 && !r.gr_online) {
			(void) cli_error("vCPU %u of %s is offline: it runs "
			    "in no address space; pick another with --vcpu",
			    vcpu, guest_name(g));
			return (-1);
		}
		(void) cli_error("vCPU %u of %s has no control registers; "
		    "give --cr3 ROOT --mode 4level, or --phys", vcpu,
		    guest_name(g));
		return (-1);
	case ENOENT:
		(void) cli_error("%s has no vCPU %u (it has %u)",
		    guest_name(g), vcpu, n);
		return (-1);
	case EINVAL:
		(void) cli_error("vCPU %u of %s has control registers no CPU "
		    "pages with (CR0/CR4/EFER); give --cr3 ROOT --mode "
		    "4level", vcpu, guest_name(g));
		return (-1);
	default:
		(void) cli_error("reading vCPU %u of %s: %s", vcpu,
		    guest_name(g), strerror(e));
		return (-1);
	}
}

/* The address space of Linux process cs_pid. */
static int
cli_space_pid(struct guest *g, const struct cli_space *cs,
    struct guest_space *sp, char *desc, size_t desclen)
{
	struct linux_kernel *lk;
	struct linux_task t;
	char what[64], comm[sizeof (t.lt_comm) * 4 + 1];
	int rv = -1;

	if ((lk = cli_linux_open(g, guest_name(g), &cs->cs_linux)) == NULL)
		return (-1);
	(void) snprintf(what, sizeof (what), "the address space of process "
	    "%u", cs->cs_pid);
	if (linux_task_find(lk, (int)cs->cs_pid, &t) != 0) {
		(void) cli_linux_error(guest_name(g), what, errno);
		goto out;
	}
	if (t.lt_kthread) {
		(void) cli_error("process %u of %s (%s) is a kernel thread: it "
		    "has no user memory; leave out --pid for the kernel's "
		    "space", cs->cs_pid, guest_name(g),
		    cli_safe_text(t.lt_comm, comm, sizeof (comm)));
		goto out;
	}
	if (linux_task_space(lk, (int)cs->cs_pid, sp) != 0) {
		(void) cli_linux_error(guest_name(g), what, errno);
		goto out;
	}
	(void) snprintf(desc, desclen, "the address space of process %u "
	    "(%s; %s, cr3 0x%" PRIx64 "%s)", cs->cs_pid,
	    cli_safe_text(t.lt_comm, comm, sizeof (comm)),
	    guest_paging_name(sp->gs_mode), sp->gs_cr3, sp->gs_machine ?
	    ", machine frames" : "");
	rv = 0;
out:
	linux_close(lk);
	return (rv);
}

int
cli_space_resolve(struct guest *g, const struct cli_space *cs,
    struct guest_space *sp, char *desc, size_t desclen)
{
	unsigned vcpu = cs->cs_have_vcpu ? cs->cs_vcpu : 0;

	memset(sp, 0, sizeof (*sp));
	if (cs->cs_phys) {
		(void) snprintf(desc, desclen, "physical memory");
		return (0);
	}
	if (cs->cs_have_pid)
		return (cli_space_pid(g, cs, sp, desc, desclen));
	if (cs->cs_have_cr3) {
		if (guest_space_vcpu(g, vcpu, false, sp) != 0) {
			if (cs->cs_mode < 0) {
				if (errno == ENODATA &&
				    guest_nvcpus(g) == 0) {
					(void) cli_error("%s records no vCPU "
					    "registers to take the paging mode "
					    "from; give --mode (32, pae, "
					    "4level or 5level) with --cr3",
					    guest_name(g));
					return (-1);
				}
				return (cli_space_fail(g, vcpu, errno));
			}
			/* The mode as given, with the CPU's usual options. */
			memset(sp, 0, sizeof (*sp));
			sp->gs_pse = true;
			sp->gs_nxe = true;
		}
		if (cs->cs_mode >= 0)
			sp->gs_mode = (enum guest_paging)cs->cs_mode;
		sp->gs_cr3 = cs->cs_cr3;
		if (sp->gs_mode == GUEST_PAGING_NONE) {
			(void) cli_error("vCPU %u of %s runs with paging off: "
			    "there are no page tables at 0x%" PRIx64 " to "
			    "walk; give --mode", vcpu, guest_name(g),
			    cs->cs_cr3);
			return (-1);
		}
		(void) snprintf(desc, desclen, "the page tables at 0x%"
		    PRIx64 " (%s%s)", sp->gs_cr3,
		    guest_paging_name(sp->gs_mode), sp->gs_machine ?
		    ", machine frames" : "");
		return (0);
	}
	if (guest_space_vcpu(g, vcpu, true, sp) != 0)
		return (cli_space_fail(g, vcpu, errno));
	(void) snprintf(desc, desclen, "the kernel space of vCPU %u (%s, "
	    "cr3 0x%" PRIx64 "%s)", vcpu, guest_paging_name(sp->gs_mode),
	    sp->gs_cr3, sp->gs_machine ? ", machine frames" : "");
	return (0);
}

const char *
cli_level_name(unsigned level)
{
	static const char *const names[] = { "data", "PT", "PD", "PDPT",
	    "PML4", "PML5" };

	return (level < sizeof (names) / sizeof (names[0]) ? names[level] :
	    "?");
}

const char *
cli_fault_text(const struct guest_fault *f, bool virt, char *buf,
    size_t len)
{
	char pa[48] = "", level[48] = "", cause[80] = "";

	if (virt && f->gf_pa != ~(uint64_t)0)
		(void) snprintf(pa, sizeof (pa), " (physical 0x%" PRIx64 ")",
		    f->gf_pa);
	if (f->gf_level > 0)
		(void) snprintf(level, sizeof (level), " (%s entry, level %u)",
		    cli_level_name(f->gf_level), f->gf_level);
	if (f->gf_errno != EFAULT && f->gf_errno != ENXIO &&
	    f->gf_errno != 0)
		(void) snprintf(cause, sizeof (cause), ": %s",
		    strerror(f->gf_errno));
	(void) snprintf(buf, len, "at %s address 0x%" PRIx64 "%s: %s%s%s",
	    virt ? "virtual" : "physical", f->gf_addr, pa,
	    f->gf_what != NULL && f->gf_what[0] != '\0' ? f->gf_what :
	    strerror(f->gf_errno), level, cause);
	return (buf);
}

const char *
cli_entry_flags(uint64_t entry, unsigned level, char *buf, size_t len)
{
	static const struct {
		uint64_t	bit;
		const char	*name;
	} bits[] = {
		{ 1ULL << 0, "P" }, { 1ULL << 1, "W" }, { 1ULL << 2, "U" },
		{ 1ULL << 3, "PWT" }, { 1ULL << 4, "PCD" }, { 1ULL << 5, "A" },
		{ 1ULL << 6, "D" }, { 1ULL << 7, "PS" }, { 1ULL << 8, "G" },
		{ 1ULL << 63, "NX" }
	};
	size_t i, off = 0;

	buf[0] = '\0';
	for (i = 0; i < sizeof (bits) / sizeof (bits[0]); i++) {
		const char *name = bits[i].name;
		int n;

		if ((entry & bits[i].bit) == 0)
			continue;
		/* Bit 7 of a page-table entry is PAT, not a page size. */
		if (bits[i].bit == 1ULL << 7 && level == 1)
			name = "PAT";
		n = snprintf(buf + off, len - off, "%s%s", off > 0 ? " " : "",
		    name);
		if (n < 0 || (size_t)n >= len - off)
			break;
		off += (size_t)n;
	}
	if (off == 0)
		(void) snprintf(buf, len, "-");
	return (buf);
}
