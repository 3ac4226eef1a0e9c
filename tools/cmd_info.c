/*
 * cmd_info.c -- `porthole info TARGET`: what porthole sees of a guest:
 * the backend and format, the domain (live), the physical memory layout
 * as runs of present frames and holes, each vCPU with its paging mode
 * and page-table root, and the image's VMCOREINFO note when it has one.
 *
 * Holes are what the provider says: frames an image does not hold, or
 * that a live domain has nothing behind.  The text form shows the first
 * INFO_TEXT_RUNS runs; --json lists them all.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <porthole/domain.h>
#include <porthole/guest.h>
#include <porthole/linux.h>
#include "tools/porthole.h"

#define	INFO_PAGE		((uint64_t)4096)
#define	INFO_TEXT_RUNS		32

struct info_run {
	uint64_t	r_start;	/* frame */
	uint64_t	r_end;		/* frame after the last */
	bool		r_present;
};

struct info_layout {
	struct info_run	*l_runs;
	size_t		l_n;
	size_t		l_cap;
	uint64_t	l_present;	/* frames */
};

/* The runs of present frames and holes, adjacent answers merged. */
static int
info_layout(struct guest *g, struct info_layout *l)
{
	uint64_t n = guest_nframes(g), gfn = 0, run;

	memset(l, 0, sizeof (*l));
	while (gfn < n) {
		bool p = guest_present(g, gfn, &run) != 0;

		if (run <= gfn || run > n)
			run = run <= gfn ? gfn + 1 : n;
		if (l->l_n > 0 && l->l_runs[l->l_n - 1].r_present == p) {
			l->l_runs[l->l_n - 1].r_end = run;
		} else {
			if (l->l_n == l->l_cap) {
				size_t cap = l->l_cap == 0 ? 16 : l->l_cap * 2;
				struct info_run *r = realloc(l->l_runs,
				    cap * sizeof (*r));

				if (r == NULL) {
					free(l->l_runs);
					return (-1);
				}
				l->l_runs = r;
				l->l_cap = cap;
			}
			l->l_runs[l->l_n].r_start = gfn;
			l->l_runs[l->l_n].r_end = run;
			l->l_runs[l->l_n].r_present = p;
			l->l_n++;
		}
		if (p)
			l->l_present += run - gfn;
		gfn = run;
	}
	return (0);
}

struct info_domain {
	int			id_domid;
	bool			id_found;
	struct porthole_domain	id_dom;
};

static int
info_find_domain(const struct porthole_domain *d, void *arg)
{
	struct info_domain *id = arg;

	if ((int)d->pd_domid != id->id_domid)
		return (0);
	id->id_dom = *d;
	id->id_found = true;
	return (1);
}

/* One vCPU's registers and spaces: 0, or the errno of its registers. */
struct info_vcpu {
	struct guest_regs	v_regs;
	int			v_err;
	bool			v_have_space;
	struct guest_space	v_space;	/* its CR3 */
	uint64_t		v_kernel_cr3;	/* the kernel half (PTI) */
};

static void
info_vcpu(struct guest *g, unsigned v, struct info_vcpu *iv)
{
	struct guest_space ks;

	memset(iv, 0, sizeof (*iv));
	if (guest_vcpu_regs(g, v, &iv->v_regs) != 0) {
		iv->v_err = errno;
		return;
	}
	if (!iv->v_regs.gr_online)
		return;
	if (guest_space_vcpu(g, v, false, &iv->v_space) == 0) {
		iv->v_have_space = true;
		iv->v_kernel_cr3 = iv->v_space.gs_cr3;
		if (guest_space_vcpu(g, v, true, &ks) == 0)
			iv->v_kernel_cr3 = ks.gs_cr3;
	}
}

/* The operating system found in the guest (Linux, or why not). */
struct info_os {
	bool		os_linux;
	char		os_release[128];
	char		os_source[64];
	uint64_t	os_kaslr;
	char		os_why[512];
};

static void
info_os(struct guest *g, struct info_os *os)
{
	struct linux_kernel *lk;

	memset(os, 0, sizeof (*os));
	if ((lk = linux_open(g, NULL, os->os_why, sizeof (os->os_why))) ==
	    NULL)
		return;
	os->os_linux = true;
	(void) snprintf(os->os_release, sizeof (os->os_release), "%s",
	    linux_release(lk));
	(void) snprintf(os->os_source, sizeof (os->os_source), "%s",
	    linux_profile_source(lk));
	os->os_kaslr = linux_kaslr_offset(lk);
	linux_close(lk);
}

/* The VMCOREINFO line key=..., into buf ("" when absent). */
static const char *
info_vmcoreinfo_field(const char *vi, size_t len, const char *key,
    char *buf, size_t buflen)
{
	size_t klen = strlen(key), off = 0;

	buf[0] = '\0';
	while (off < len) {
		const char *line = vi + off;
		const char *nl = memchr(line, '\n', len - off);
		size_t ll = nl != NULL ? (size_t)(nl - line) : len - off;

		if (ll > klen && memcmp(line, key, klen) == 0 &&
		    line[klen] == '=') {
			size_t vl = ll - klen - 1;

			if (vl >= buflen)
				vl = buflen - 1;
			memcpy(buf, line + klen + 1, vl);
			buf[vl] = '\0';
			return (buf);
		}
		off += ll + 1;
	}
	return (buf);
}

static void
info_json(struct guest *g, const char *target, const struct info_domain *id,
    const struct info_layout *l, const char *vi, size_t vilen,
    const struct info_os *os)
{
	char desc[256], rel[128];
	unsigned v, n = guest_nvcpus(g);
	struct info_vcpu iv;
	struct json j;
	size_t i;

	guest_describe(g, desc, sizeof (desc));
	json_init(&j, stdout);
	json_object_begin(&j);
	json_kv_string(&j, "target", target);
	json_kv_string(&j, "name", guest_name(g));
	json_kv_string(&j, "format", guest_format(g));
	json_kv_string(&j, "description", desc);
	json_key(&j, "domain");
	if (!id->id_found) {
		json_null(&j);
	} else {
		const struct porthole_domain *d = &id->id_dom;

		json_object_begin(&j);
		json_kv_u64(&j, "id", d->pd_domid);
		json_kv_string(&j, "name", d->pd_name);
		json_kv_string(&j, "uuid", d->pd_uuid);
		json_kv_string(&j, "type",
		    porthole_domain_type_name(d->pd_type));
		json_kv_string(&j, "state",
		    porthole_domain_state_name(d->pd_state));
		json_kv_string(&j, "flags", d->pd_flags);
		json_kv_u64(&j, "memory_kib", d->pd_mem_kib);
		json_kv_u64(&j, "max_memory_kib", d->pd_max_kib);
		json_object_end(&j);
	}
	json_kv_u64(&j, "frames", guest_nframes(g));
	json_kv_u64(&j, "present_frames", l->l_present);
	json_kv_u64(&j, "present_bytes", l->l_present * INFO_PAGE);
	json_key(&j, "memory");
	json_array_begin(&j);
	for (i = 0; i < l->l_n; i++) {
		json_object_begin(&j);
		json_kv_hex(&j, "start", l->l_runs[i].r_start * INFO_PAGE);
		json_kv_u64(&j, "bytes", (l->l_runs[i].r_end -
		    l->l_runs[i].r_start) * INFO_PAGE);
		json_kv_bool(&j, "present", l->l_runs[i].r_present);
		json_object_end(&j);
	}
	json_array_end(&j);
	json_key(&j, "vcpus");
	json_array_begin(&j);
	for (v = 0; v < n; v++) {
		info_vcpu(g, v, &iv);
		json_object_begin(&j);
		json_kv_u64(&j, "vcpu", v);
		if (iv.v_err != 0) {
			json_kv_string(&j, "error", strerror(iv.v_err));
			json_object_end(&j);
			continue;
		}
		json_kv_bool(&j, "online", iv.v_regs.gr_online);
		if (iv.v_regs.gr_online) {
			json_kv_u64(&j, "address_bits",
			    iv.v_regs.gr_addr_bits);
			json_kv_bool(&j, "pv", (iv.v_regs.gr_valid &
			    GUEST_REGS_PV) != 0);
			json_key(&j, "paging");
			if (iv.v_have_space)
				json_string(&j, guest_paging_name(
				    iv.v_space.gs_mode));
			else
				json_null(&j);
			json_kv_hex(&j, "cr3", iv.v_regs.gr_cr3);
			if (iv.v_have_space)
				json_kv_hex(&j, "kernel_cr3", iv.v_kernel_cr3);
		}
		json_object_end(&j);
	}
	json_array_end(&j);
	json_key(&j, "vmcoreinfo");
	if (vi == NULL) {
		json_null(&j);
	} else {
		json_object_begin(&j);
		json_kv_u64(&j, "bytes", vilen);
		json_kv_string(&j, "osrelease", info_vmcoreinfo_field(vi, vilen,
		    "OSRELEASE", rel, sizeof (rel)));
		json_object_end(&j);
	}
	json_key(&j, "os");
	json_object_begin(&j);
	if (os->os_linux) {
		json_kv_string(&j, "name", "linux");
		json_kv_string(&j, "release", os->os_release);
		json_kv_hex(&j, "kaslr_offset", os->os_kaslr);
		json_kv_string(&j, "profile", os->os_source);
	} else {
		json_key(&j, "name");
		json_null(&j);
		json_kv_string(&j, "error", os->os_why);
	}
	json_object_end(&j);
	json_object_end(&j);
	json_end(&j);
}

static void
info_text(struct guest *g, const char *target, const struct info_domain *id,
    const struct info_layout *l, const char *vi, size_t vilen,
    const struct info_os *os)
{
	char desc[256], b1[32], b2[32], rel[128];
	unsigned v, n = guest_nvcpus(g), online = 0;
	uint64_t nframes = guest_nframes(g);
	struct info_vcpu iv;
	size_t i, runs = 0;

	guest_describe(g, desc, sizeof (desc));
	(void) printf("%-11s %s\n", "target", target);
	(void) printf("%-11s %s\n", "format", guest_format(g));
	(void) printf("%-11s %s\n", "backend", desc);
	if (id->id_found) {
		const struct porthole_domain *d = &id->id_dom;

		(void) printf("%-11s %" PRIu32 " %s, %s, %s (%s), %s of %s, "
		    "uuid %s\n", "domain", d->pd_domid, d->pd_name[0] != '\0' ?
		    d->pd_name : "-", porthole_domain_type_name(d->pd_type),
		    porthole_domain_state_name(d->pd_state), d->pd_flags,
		    cli_bytes(d->pd_mem_kib * 1024, b1, sizeof (b1)),
		    cli_bytes(d->pd_max_kib * 1024, b2, sizeof (b2)),
		    d->pd_uuid);
	}
	for (i = 0; i < l->l_n; i++)
		runs += l->l_runs[i].r_present;
	(void) printf("%-11s %s present in %zu run%s; physical addresses "
	    "0-0x%" PRIx64 " (%" PRIu64 " frames)\n", "memory",
	    cli_bytes(l->l_present * INFO_PAGE, b1, sizeof (b1)), runs,
	    runs == 1 ? "" : "s",
	    nframes * INFO_PAGE - 1, nframes);
	for (i = 0; i < l->l_n && i < INFO_TEXT_RUNS; i++) {
		const struct info_run *r = &l->l_runs[i];

		(void) printf("%-11s 0x%016" PRIx64 "-0x%016" PRIx64 "  %-7s "
		    "%10s\n", "", r->r_start * INFO_PAGE,
		    r->r_end * INFO_PAGE - 1, r->r_present ? "present" : "hole",
		    cli_bytes((r->r_end - r->r_start) * INFO_PAGE, b1,
		    sizeof (b1)));
	}
	if (l->l_n > INFO_TEXT_RUNS)
		(void) printf("%-11s ... %zu more (porthole info --json lists "
		    "them all)\n", "", l->l_n - INFO_TEXT_RUNS);
	for (v = 0; v < n; v++) {
		struct guest_regs r;

		if (guest_vcpu_regs(g, v, &r) == 0 && r.gr_online)
			online++;
	}
	(void) printf("%-11s %u (%u online)%s\n", "vcpus", n, online,
	    n == 0 ? ": the image records no registers" : "");
	for (v = 0; v < n; v++) {
		info_vcpu(g, v, &iv);
		if (iv.v_err != 0) {
			(void) printf("%-11s vcpu %u  unreadable: %s\n", "", v,
			    strerror(iv.v_err));
			continue;
		}
		if (!iv.v_regs.gr_online) {
			(void) printf("%-11s vcpu %u  offline\n", "", v);
			continue;
		}
		(void) printf("%-11s vcpu %u  online  %u-bit%s  ", "", v,
		    iv.v_regs.gr_addr_bits, (iv.v_regs.gr_valid &
		    GUEST_REGS_PV) ? " PV" : "");
		if (!iv.v_have_space) {
			(void) printf("no paging mode (cr0 0x%" PRIx64 " cr4 0x%"
			    PRIx64 ")\n", iv.v_regs.gr_cr0,
			    iv.v_regs.gr_cr4);
			continue;
		}
		(void) printf("%s  cr3 0x%" PRIx64, guest_paging_name(
		    iv.v_space.gs_mode), iv.v_regs.gr_cr3);
		if (iv.v_kernel_cr3 != iv.v_space.gs_cr3)
			(void) printf(" (kernel half 0x%" PRIx64 ")",
			    iv.v_kernel_cr3);
		(void) printf("\n");
	}
	if (vi != NULL)
		(void) printf("%-11s %zu bytes, OSRELEASE=%s\n", "vmcoreinfo",
		    vilen, info_vmcoreinfo_field(vi, vilen, "OSRELEASE", rel,
		    sizeof (rel))[0] != '\0' ? rel : "(none)");
	if (os->os_linux)
		(void) printf("%-11s Linux %s (KASLR offset 0x%" PRIx64
		    ", profile from %s)\n", "os", os->os_release, os->os_kaslr,
		    os->os_source);
	else
		(void) printf("%-11s not recognised: %s\n", "os", os->os_why);
}

static int
info_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct info_domain id = { .id_found = false };
	struct info_layout l;
	struct info_os os;
	const char *target, *vi;
	struct guest *g;
	bool json = false;
	size_t vilen = 0;
	char err[512];
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "jh", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'h':
			return (cli_help(&cmd_info));
		default:
			return (cli_usage_error(&cmd_info, "bad option"));
		}
	}
	if (cli_operands(&cmd_info, argc, argv, 1,
	    "no TARGET: name a domain (porthole list) or a memory image") != 0)
		return (EXIT_USAGE);
	target = argv[optind];
	if ((g = cli_open(target, 0)) == NULL)
		return (EXIT_FAIL);
	if ((id.id_domid = guest_domid(g)) >= 0 &&
	    porthole_domains(info_find_domain, &id, err, sizeof (err)) < 0)
		cli_warn("no domain details: %s", err);
	if (info_layout(g, &l) != 0) {
		cli_close(g);
		return (cli_error("out of memory"));
	}
	vi = guest_vmcoreinfo(g, &vilen);
	info_os(g, &os);
	if (json)
		info_json(g, target, &id, &l, vi, vilen, &os);
	else
		info_text(g, target, &id, &l, vi, vilen, &os);
	free(l.l_runs);
	cli_close(g);
	return (EXIT_OK);
}

const struct command cmd_info = {
	.cmd_name = "info",
	.cmd_main = info_main,
	.cmd_summary = "describe a guest: format, memory layout and holes, "
	    "vCPUs and their paging, the OS and kernel version",
	.cmd_usage = "porthole info [--json] TARGET",
};
