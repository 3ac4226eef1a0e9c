/*
 * live_guest.c - live checks of the guest handle (guest/guest*.c) over a
 * running domain, run by xenlive against each test domU (see live.h).
 *
 *	guest-markers	guest_open("xen:NAME"): every marker page read with
 *			guest_pread, and through a pinned pointer, holds what
 *			the guest printed
 *	guest-vcpus	every vCPU's registers; vCPU 0's kernel space is
 *			4-level; its RIP translates and reads the same bytes
 *			virtually and physically; PV: each marker page is
 *			found through the kernel's direct map (machine-frame
 *			page tables walked through the inverted p2m)
 *	guest-write	opened for writing, 16 bytes written into a marker
 *			page land in the guest (read back through a second,
 *			read-only handle) and are put back; without
 *			GUEST_OPEN_WRITE a write is refused (EROFS)
 *	guest-pause	guest_pause pauses under the guard, guest_resume and
 *			close (GUEST_OPEN_PAUSE) run the guest again
 */
#define _GNU_SOURCE
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <porthole/guest.h>
#include "tests/xen/live/live.h"

#define	LG_PAGE		4096u
/* A PV Linux guest's direct map (PV kernels are not randomised). */
#define	LG_PV_DIRECT_MAP	0xffff888000000000ULL

static struct guest *
lg_open(struct live_ctx *ctx, unsigned flags)
{
	char spec[160], err[512];
	struct guest *g;

	(void) snprintf(spec, sizeof (spec), "xen:%s", ctx->lc_spec);
	if ((g = guest_open(spec, flags, err, sizeof (err))) == NULL)
		(void) live_failf("guest_open(%s): %s", spec, err);
	return (g);
}

static int
lg_markers(struct live_ctx *ctx, struct live_marker *m, size_t *np)
{
	bool done;

	if (live_parse_markers(ctx->lc_console, m, np, &done) < 0)
		return (LIVE_FAIL);
	if (!done || *np == 0)
		return (live_failf("the guest printed no complete marker list"));
	return (LIVE_OK);
}

static int
check_guest_markers(struct live_ctx *ctx)
{
	struct live_marker m[LIVE_MAX_MARKERS];
	unsigned char page[LG_PAGE];
	struct guest_fault why;
	struct guest_pin pin;
	struct guest *g;
	size_t n, i;
	int bad = 0;

	if (lg_markers(ctx, m, &n) != LIVE_OK)
		return (LIVE_FAIL);
	if ((g = lg_open(ctx, 0)) == NULL)
		return (LIVE_FAIL);
	if (strcmp(guest_format(g), "xen") != 0 ||
	    guest_domid(g) != (int)ctx->lc_domid)
		bad += live_failf("format %s, domid %d; expected xen, %u",
		    guest_format(g), guest_domid(g), ctx->lc_domid);
	for (i = 0; i < n; i++) {
		uint64_t gpa = m[i].m_pfn * LG_PAGE;
		const unsigned char *p;

		if (guest_pread(g, gpa, page, LG_PAGE, &why) != LG_PAGE) {
			bad += live_failf("marker %u: guest_pread at 0x%" PRIx64
			    ": %s (%s)", m[i].m_index, gpa, why.gf_what,
			    strerror(why.gf_errno));
			continue;
		}
		if (!live_marker_ok(&m[i], page, "guest_pread"))
			bad++;
		if ((p = guest_pin(g, gpa, LG_PAGE, &pin)) == NULL) {
			bad += live_failf("marker %u: guest_pin: %s",
			    m[i].m_index, strerror(errno));
			continue;
		}
		if (!live_marker_ok(&m[i], p, "guest_pin"))
			bad++;
		guest_unpin(g, &pin);
	}
	guest_close(g);
	printf("%zu marker pages read and pinned through the guest handle\n",
	    n);
	return (bad == 0 ? LIVE_OK : LIVE_FAIL);
}

static int
check_guest_vcpus(struct live_ctx *ctx)
{
	struct live_marker m[LIVE_MAX_MARKERS];
	unsigned char vbuf[64], pbuf[64];
	struct guest_space sp;
	struct guest_regs r;
	struct guest_v2p v;
	struct guest *g;
	unsigned i, nv;
	size_t n, k;
	int bad = 0;

	if (lg_markers(ctx, m, &n) != LIVE_OK)
		return (LIVE_FAIL);
	if ((g = lg_open(ctx, GUEST_OPEN_PAUSE)) == NULL)
		return (LIVE_FAIL);
	nv = guest_nvcpus(g);
	if (nv != ctx->lc_info.di_vcpus)
		bad += live_failf("%u vCPUs, the domain has %u", nv,
		    ctx->lc_info.di_vcpus);
	for (i = 0; i < nv; i++)
		if (guest_vcpu_regs(g, i, &r) != 0 || r.gr_vcpu != i ||
		    (r.gr_online && !(r.gr_valid & GUEST_REGS_CR)))
			bad += live_failf("vCPU %u: registers not read: %s", i,
			    strerror(errno));
	if (guest_space_vcpu(g, 0, true, &sp) != 0) {
		bad += live_failf("vCPU 0's space: %s", strerror(errno));
		goto out;
	}
	printf("vCPU 0: %s paging, cr3 0x%" PRIx64 "%s\n",
	    guest_paging_name(sp.gs_mode), sp.gs_cr3,
	    sp.gs_machine ? " (machine address)" : "");
	if (sp.gs_mode != GUEST_PAGING_4LEVEL)
		bad += live_failf("vCPU 0 is not in 4-level paging");
	if (sp.gs_machine != (ctx->lc_info.di_type == XEN_DOMAIN_PV))
		bad += live_failf("machine-frame page tables %s for a %s guest",
		    sp.gs_machine ? "assumed" : "not assumed",
		    xen_domain_type_name(ctx->lc_info.di_type));
	(void) guest_vcpu_regs(g, 0, &r);
	if (guest_v2p(g, &sp, r.gr_rip, &v) != 0 || v.v_fault.gf_errno != 0)
		bad += live_failf("RIP 0x%" PRIx64 " does not translate: %s",
		    r.gr_rip, v.v_fault.gf_what);
	else if (guest_vread(g, &sp, r.gr_rip, vbuf, 16, NULL) != 16 ||
	    guest_pread(g, v.v_pa, pbuf, 16, NULL) != 16 ||
	    memcmp(vbuf, pbuf, 16) != 0)
		bad += live_failf("RIP 0x%" PRIx64 ": virtual and physical "
		    "reads (pa 0x%" PRIx64 ") differ", r.gr_rip, v.v_pa);
	else
		printf("RIP 0x%" PRIx64 " -> pa 0x%" PRIx64 " (%" PRIu64
		    "-byte page), read both ways\n", r.gr_rip, v.v_pa,
		    v.v_page_size);
	if (ctx->lc_info.di_type != XEN_DOMAIN_PV) {
		printf("direct-map check: PV only (a PVH kernel's direct map "
		    "is randomised; the Linux checks cover it)\n");
		goto out;
	}
	for (k = 0; k < n; k++) {
		uint64_t va = LG_PV_DIRECT_MAP + m[k].m_pfn * LG_PAGE;
		unsigned char page[LG_PAGE];

		if (guest_v2p(g, &sp, va, &v) != 0 || v.v_fault.gf_errno != 0 ||
		    v.v_pa != m[k].m_pfn * LG_PAGE) {
			bad += live_failf("marker %u: direct map 0x%" PRIx64
			    " -> 0x%" PRIx64 " (%s), expected pfn 0x%" PRIx64,
			    m[k].m_index, va, v.v_pa, v.v_fault.gf_what,
			    m[k].m_pfn);
			continue;
		}
		if (guest_vread(g, &sp, va, page, LG_PAGE, NULL) != LG_PAGE ||
		    !live_marker_ok(&m[k], page, "guest_vread (direct map)"))
			bad++;
	}
	printf("%zu marker pages found through the PV direct map\n", n);
out:
	guest_close(g);
	return (bad == 0 ? LIVE_OK : LIVE_FAIL);
}

static int
check_guest_write(struct live_ctx *ctx)
{
	struct live_marker m[LIVE_MAX_MARKERS];
	static const char probe[16] = "porthole-write!";
	unsigned char orig[16], back[16], page[LG_PAGE];
	struct guest_fault why;
	struct guest *w, *r;
	uint64_t gpa;
	size_t n;
	int bad = 0;

	if (lg_markers(ctx, m, &n) != LIVE_OK)
		return (LIVE_FAIL);
	gpa = m[0].m_pfn * LG_PAGE + 100;
	if ((r = lg_open(ctx, 0)) == NULL)
		return (LIVE_FAIL);
	if (guest_pwrite(r, gpa, probe, 16, &why) != 0 ||
	    why.gf_errno != EROFS)
		bad += live_failf("a read-only handle wrote (%s)",
		    strerror(why.gf_errno));
	if ((w = lg_open(ctx, GUEST_OPEN_WRITE | GUEST_OPEN_PAUSE)) == NULL) {
		guest_close(r);
		return (LIVE_FAIL);
	}
	if (guest_pread(w, gpa, orig, 16, NULL) != 16)
		bad += live_failf("reading 0x%" PRIx64 " failed", gpa);
	else if (guest_pwrite(w, gpa, probe, 16, &why) != 16)
		bad += live_failf("writing 0x%" PRIx64 ": %s (%s)", gpa,
		    why.gf_what, strerror(why.gf_errno));
	else {
		if (guest_pread(r, gpa, back, 16, NULL) != 16 ||
		    memcmp(back, probe, 16) != 0)
			bad += live_failf("the write is not seen through a "
			    "second handle");
		if (guest_pwrite(w, gpa, orig, 16, NULL) != 16)
			bad += live_failf("putting the bytes back failed");
	}
	guest_close(w);
	if (guest_pread(r, m[0].m_pfn * LG_PAGE, page, LG_PAGE, NULL) !=
	    LG_PAGE || !live_marker_ok(&m[0], page, "after the write"))
		bad++;
	guest_close(r);
	printf("16 bytes written at pa 0x%" PRIx64 ", seen, restored\n", gpa);
	return (bad == 0 ? LIVE_OK : LIVE_FAIL);
}

static bool
lg_paused(struct live_ctx *ctx)
{
	struct xen_domain_info di;
	struct xen_err err;

	xen_err_clear(&err);
	return (xen_domain_info(ctx->lc_xh, ctx->lc_domid, &di, &err) == 0 &&
	    di.di_paused);
}

static int
check_guest_pause(struct live_ctx *ctx)
{
	struct guest *g;
	int bad = 0;

	if (lg_paused(ctx))
		return (live_failf("the domain is paused before the check"));
	if ((g = lg_open(ctx, 0)) == NULL)
		return (LIVE_FAIL);
	if (guest_pause(g) != 0)
		bad += live_failf("guest_pause: %s", strerror(errno));
	else if (!lg_paused(ctx))
		bad += live_failf("guest_pause left the domain running");
	if (guest_resume(g) != 0)
		bad += live_failf("guest_resume: %s", strerror(errno));
	if (lg_paused(ctx))
		bad += live_failf("guest_resume left the domain paused");
	guest_close(g);
	if ((g = lg_open(ctx, GUEST_OPEN_PAUSE)) == NULL)
		return (LIVE_FAIL);
	if (!lg_paused(ctx))
		bad += live_failf("GUEST_OPEN_PAUSE left the domain running");
	guest_close(g);
	if (lg_paused(ctx))
		bad += live_failf("closing a paused handle left it paused");
	return (bad == 0 ? LIVE_OK : LIVE_FAIL);
}

const struct live_check live_guest_checks[] = {
	{ "guest-markers", "marker pages through guest_pread and guest_pin",
	    check_guest_markers },
	{ "guest-vcpus", "vCPUs, kernel space, RIP and (PV) direct map",
	    check_guest_vcpus },
	{ "guest-write", "a write lands, is seen elsewhere, is put back",
	    check_guest_write },
	{ "guest-pause", "pause/resume and GUEST_OPEN_PAUSE under the guard",
	    check_guest_pause },
	{ NULL, NULL, NULL }
};
