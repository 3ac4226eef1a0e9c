/*
 * live_domain.c - live checks of domains, the pause guard and vCPU
 * registers (xen/xen_domain.c, xen_pause*.c, xen_vcpu.c), run by xenlive
 * against each test domU (see live.h).
 *
 *	domain-list	our listing shows the domain with what `xl list -l`
 *			and `xl list` say: name, id, UUID, type, memory,
 *			vCPUs, state flags
 *	resolve-stale	a xenstore entry left for a domid the hypervisor does
 *			not have is refused as stale, and does not disturb
 *			the lookup of a live domain of the same name
 *	resolve-reused	a xenstore entry whose vm path carries another UUID
 *			is refused as stale and not shown as the name
 *	resolve-libvirt	libvirt as a second source (its test driver, with a
 *			node file that mirrors the domain): its answers are
 *			taken when Xen confirms them (same domid alive, same
 *			UUID) and refused as stale when not
 *	pause-guard	taking a guard pauses, releasing it unpauses
 *	pause-guard-kill	the taker SIGKILLed: its guardian unpauses
 *	pause-guard-term	the taker SIGTERMed: the guest runs again before
 *			the taker's death is seen (quick path)
 *	pause-guard-foreign	a pause someone else took (xl pause) stays
 *			in place through our guard's release and its taker's
 *			death, and one unpause then runs the guest
 *	vcpu-regs	every vCPU read; vCPU 0 paging on, CR3 set, RIP in
 *			the kernel half, EFER.LMA for a 64-bit guest
 *	vcpu-xenctx	the general registers, RIP, RFLAGS and CR0-CR4 of the
 *			paused vCPU 0 equal what Xen's xenctx prints (skipped
 *			where xenctx is not in the bed)
 *
 * Each check leaves the domain as it found it: unpaused, xenstore
 * restored.  A domain paused before a check starts fails it: a pause
 * leaked from an earlier check.
 */
#define _GNU_SOURCE
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/test.h"
#include "tests/xen/live/live.h"
#include "xen/xen_libvirt.h"
#include "xen/xen_pause.h"
#include "xen/xen_vcpu.h"

#define LD_FAKE_DOMID	31999	/* below DOMID_FIRST_RESERVED, unused */
#define LD_WAIT_MS	20000	/* TCG is slow */

/* Run cmd through the shell; its output (stderr too) into out. */
static int
ld_run(const char *cmd, char *out, size_t len)
{
	char full[1024];
	size_t n = 0, r;
	FILE *f;
	int st;

	snprintf(full, sizeof(full), "%s 2>&1", cmd);
	f = popen(full, "r");
	if (f == NULL)
		return -1;
	while (n + 1 < len && (r = fread(out + n, 1, len - 1 - n, f)) > 0)
		n += r;
	out[n] = '\0';
	st = pclose(f);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* The string value of the first "key": "value" in JSON text. */
static bool
ld_json_str(const char *json, const char *key, char *buf, size_t len)
{
	char pat[64];
	const char *p, *e;

	snprintf(pat, sizeof(pat), "\"%s\": \"", key);
	p = strstr(json, pat);
	if (p == NULL)
		return false;
	p += strlen(pat);
	e = strchr(p, '"');
	if (e == NULL)
		return false;
	snprintf(buf, len, "%.*s", (int)(e - p), p);
	return true;
}

/* The number of the first "key": N in JSON text. */
static bool
ld_json_num(const char *json, const char *key, unsigned long long *v)
{
	char pat[64];
	const char *p;

	snprintf(pat, sizeof(pat), "\"%s\": ", key);
	p = strstr(json, pat);
	if (p == NULL)
		return false;
	return sscanf(p + strlen(pat), "%llu", v) == 1;
}

static double
ld_now_ms(void)
{
	return live_now() * 1000.0;
}

/* Fresh information on the check's domain; prints why on failure. */
static bool
ld_info(struct live_ctx *ctx, struct xen_domain_info *di)
{
	struct xen_err err;

	xen_err_clear(&err);
	if (xen_domain_info(ctx->lc_xh, ctx->lc_domid, di, &err) < 0) {
		live_fail(&err, "domain info");
		return false;
	}
	return true;
}

/* Wait up to ms until the domain's paused flag is want. */
static bool
ld_wait_paused(struct live_ctx *ctx, bool want, int ms, double *tookp)
{
	struct xen_domain_info di;
	double t0 = ld_now_ms();

	for (;;) {
		if (!ld_info(ctx, &di))
			return false;
		if (di.di_paused == want)
			break;
		if (ld_now_ms() - t0 > ms)
			return false;
		(void)usleep(2000);
	}
	if (tookp != NULL)
		*tookp = ld_now_ms() - t0;
	return true;
}

/* The domain must be running (not paused by anyone) when a check starts. */
static int
ld_require_unpaused(struct live_ctx *ctx)
{
	struct xen_domain_info di;

	if (!ld_info(ctx, &di))
		return LIVE_FAIL;
	if (di.di_paused)
		return live_failf("domain %" PRIu32 " is paused before the check "
		    "(a pause leaked from an earlier check?)", ctx->lc_domid);
	return LIVE_OK;
}

/* ------------------------------------------------------------------ */

static int
check_domain_list(struct live_ctx *ctx)
{
	struct xen_domain_info *all, *me = NULL;
	struct xen_err err;
	char xl[256], cmd[300], out[16384], line[512];
	char name[XEN_DOMAIN_NAME_MAX], uuid[64], type[16], flags[7];
	char xname[XEN_DOMAIN_NAME_MAX], xstate[16];
	unsigned long long maxvcpus;
	unsigned int xid, xmem, xvcpus;
	size_t n, i;
	const char *p;
	int bad = 0;

	all = calloc(256, sizeof(*all));
	if (all == NULL)
		return live_failf("out of memory");
	xen_err_clear(&err);
	if (xen_domain_list_info(ctx->lc_xh, all, 256, &n, &err) < 0) {
		free(all);
		return live_fail(&err, "listing domains");
	}
	printf("%-5s %-20s %-36s %-4s %-8s %-6s %8s %10s %5s\n", "ID", "NAME",
	    "UUID", "TYPE", "STATE", "FLAGS", "MEM(MiB)", "MAX_GPFN", "VCPUS");
	for (i = 0; i < n && i < 256; i++) {
		printf("%-5" PRIu32 " %-20s %-36s %-4s %-8s %-6s %8" PRIu64
		    " %#10" PRIx64 " %2u/%-2u\n", all[i].di_domid,
		    all[i].di_name, all[i].di_uuid,
		    xen_domain_type_name(all[i].di_type),
		    xen_domain_state_name(all[i].di_state),
		    xen_domain_state_flags(&all[i], flags),
		    all[i].di_tot_pages * 4 / 1024, all[i].di_max_gpfn,
		    all[i].di_online_vcpus, all[i].di_vcpus);
		if (all[i].di_domid == ctx->lc_domid)
			me = &all[i];
		if (i > 0 && all[i].di_domid <= all[i - 1].di_domid)
			bad += live_failf("the list is not in ascending id order");
	}
	if (me == NULL) {
		free(all);
		return live_failf("domain %" PRIu32 " is not in the list",
		    ctx->lc_domid);
	}
	if (me->di_dying || me->di_xs_stale || me->di_name[0] == '\0' ||
	    (me->di_state != XEN_DOMAIN_RUNNING &&
	    me->di_state != XEN_DOMAIN_BLOCKED))
		bad += live_failf("domain %" PRIu32 " should be a named, running "
		    "domain: state %s, name \"%s\"", me->di_domid,
		    xen_domain_state_name(me->di_state), me->di_name);

	if (!live_find_prog("xl", NULL, xl, sizeof(xl))) {
		free(all);
		return bad ? LIVE_FAIL : live_skip("xl not found: nothing to "
		    "compare the listing with");
	}

	/* xl list -l: the configuration as JSON. */
	snprintf(cmd, sizeof(cmd), "%s list -l %" PRIu32, xl, me->di_domid);
	if (ld_run(cmd, out, sizeof(out)) != 0) {
		free(all);
		return live_failf("%s failed: %s", cmd, out);
	}
	if (!ld_json_str(out, "name", name, sizeof(name)) ||
	    !ld_json_str(out, "uuid", uuid, sizeof(uuid)) ||
	    !ld_json_str(out, "type", type, sizeof(type)) ||
	    !ld_json_num(out, "max_vcpus", &maxvcpus)) {
		free(all);
		return live_failf("cannot read name, uuid, type, max_vcpus from "
		    "`%s`:\n%s", cmd, out);
	}
	printf("xl list -l: name=%s uuid=%s type=%s max_vcpus=%llu\n", name,
	    uuid, type, maxvcpus);
	if (strcmp(name, me->di_name) != 0)
		bad += live_failf("name: xl %s, ours %s", name, me->di_name);
	if (strcmp(uuid, me->di_uuid) != 0)
		bad += live_failf("uuid: xl %s, ours %s", uuid, me->di_uuid);
	if (strcmp(type, xen_domain_type_name(me->di_type)) != 0)
		bad += live_failf("type: xl %s, ours %s", type,
		    xen_domain_type_name(me->di_type));
	if (maxvcpus != me->di_vcpus)
		bad += live_failf("vcpus: xl max_vcpus %llu, ours %u", maxvcpus,
		    me->di_vcpus);

	/* xl list: Name ID Mem VCPUs State Time(s). */
	snprintf(cmd, sizeof(cmd), "%s list %" PRIu32, xl, me->di_domid);
	if (ld_run(cmd, out, sizeof(out)) != 0) {
		free(all);
		return live_failf("%s failed: %s", cmd, out);
	}
	p = strchr(out, '\n');
	if (p == NULL || sscanf(p + 1, "%127s %u %u %u %15s", xname, &xid,
	    &xmem, &xvcpus, xstate) != 5) {
		free(all);
		return live_failf("cannot read `%s`:\n%s", cmd, out);
	}
	snprintf(line, sizeof(line), "%s", p + 1);
	line[strcspn(line, "\n")] = '\0';
	printf("xl list: %s\n", line);
	/* Memory may move by a page or so between the two reads. */
	if (!ld_info(ctx, me)) {
		free(all);
		return LIVE_FAIL;
	}
	if (strcmp(xname, me->di_name) != 0 || xid != me->di_domid)
		bad += live_failf("xl list shows %s id %u, ours %s id %" PRIu32,
		    xname, xid, me->di_name, me->di_domid);
	if (xmem + 1 < me->di_tot_pages * 4 / 1024 ||
	    xmem > me->di_tot_pages * 4 / 1024 + 1)
		bad += live_failf("memory: xl %u MiB, ours %" PRIu64 " MiB", xmem,
		    me->di_tot_pages * 4 / 1024);
	if (xvcpus != me->di_online_vcpus)
		bad += live_failf("online vcpus: xl %u, ours %u", xvcpus,
		    me->di_online_vcpus);
	/* r and b change from moment to moment; p, s, c, d do not here. */
	xen_domain_state_flags(me, flags);
	if (strlen(xstate) != 6 || strcmp(xstate + 2, flags + 2) != 0)
		bad += live_failf("state: xl %s, ours %s", xstate, flags);
	free(all);
	return bad ? LIVE_FAIL : LIVE_OK;
}

/* xenstore-write / xenstore-rm through the shell; 0 on success. */
static int
ld_xs(const char *tool, const char *args)
{
	char cmd[512], out[1024];
	int rc;

	snprintf(cmd, sizeof(cmd), "%s %s", tool, args);
	rc = ld_run(cmd, out, sizeof(out));
	if (rc != 0)
		fprintf(stderr, "%s: `%s` failed: %s\n", live_prog, cmd, out);
	return rc;
}

/*
 * Resolve spec with flags (XEN_RESOLVE_*) and libvirt at uri (NULL: its
 * default); prints and returns the outcome.
 */
static int
ld_resolve(struct live_ctx *ctx, const char *uri, const char *spec,
    unsigned int flags, uint32_t *domidp, struct xen_err *err)
{
	struct xen_resolve_opts opts;
	int rc;

	memset(&opts, 0, sizeof(opts));
	opts.ro_size = sizeof(opts);
	opts.ro_libvirt_uri = uri;
	opts.ro_flags = flags;
	xen_err_clear(err);
	*domidp = XEN_DOMID_INVALID;
	rc = xen_domain_resolve_opts(ctx->lc_xh, spec, &opts, domidp, err);
	printf("  %-28s -> %s%" PRIu32 "%s%s\n", spec, rc == 0 ? "domain " :
	    "error ", rc == 0 ? *domidp : (uint32_t)err->xe_errno,
	    rc == 0 ? "" : ": ", rc == 0 ? "" : xen_err_msg(err));
	return rc;
}

static int
check_resolve_stale(struct live_ctx *ctx)
{
	char wr[256], rm[256], args[256], name[64];
	struct xen_err err;
	uint32_t domid;
	int bad = 0, rc;

	if (!live_find_prog("xenstore-write", NULL, wr, sizeof(wr)) ||
	    !live_find_prog("xenstore-rm", NULL, rm, sizeof(rm)))
		return live_skip("xenstore-write or xenstore-rm not found");
	if (ctx->lc_info.di_name[0] == '\0')
		return live_skip("the domain has no name in xenstore");

	/* An entry for a domid the hypervisor does not have. */
	snprintf(name, sizeof(name), "porthole-stale-%ld", (long)getpid());
	snprintf(args, sizeof(args), "/local/domain/%d/name %s",
	    LD_FAKE_DOMID, name);
	if (ld_xs(wr, args) != 0)
		return LIVE_FAIL;
	rc = ld_resolve(ctx, NULL, name, XEN_RESOLVE_NO_LIBVIRT, &domid, &err);
	if (rc == 0 || err.xe_errno != ESTALE ||
	    strstr(err.xe_msg, "stale") == NULL)
		bad += live_failf("a stale entry resolved, or was refused without "
		    "saying it is stale");

	/* The same entry under the live domain's name: the live one wins. */
	snprintf(args, sizeof(args), "/local/domain/%d/name %s",
	    LD_FAKE_DOMID, ctx->lc_info.di_name);
	if (ld_xs(wr, args) == 0) {
		xen_err_clear(&err);
		rc = xen_domain_resolve(ctx->lc_xh, ctx->lc_info.di_name,
		    &domid, &err);
		printf("resolve %s beside a stale entry of that name: %s\n",
		    ctx->lc_info.di_name, rc == 0 ? "ok" : xen_err_msg(&err));
		if (rc != 0 || domid != ctx->lc_domid)
			bad += live_failf("the live domain %s did not resolve to "
			    "%" PRIu32 " beside a stale entry",
			    ctx->lc_info.di_name, ctx->lc_domid);
	} else {
		bad++;
	}

	snprintf(args, sizeof(args), "/local/domain/%d", LD_FAKE_DOMID);
	if (ld_xs(rm, args) != 0)
		bad++;
	return bad ? LIVE_FAIL : LIVE_OK;
}

static int
check_resolve_reused(struct live_ctx *ctx)
{
	char rd[256], wr[256], args[600], out[256], vm[300];
	struct xen_domain_info di;
	struct xen_err err;
	uint32_t domid;
	int bad = 0, rc;

	if (!live_find_prog("xenstore-read", NULL, rd, sizeof(rd)) ||
	    !live_find_prog("xenstore-write", NULL, wr, sizeof(wr)))
		return live_skip("xenstore-read or xenstore-write not found");
	if (ctx->lc_info.di_name[0] == '\0')
		return live_skip("the domain has no name in xenstore");
	snprintf(args, sizeof(args), "%s /local/domain/%" PRIu32 "/vm", rd,
	    ctx->lc_domid);
	if (ld_run(args, out, sizeof(out)) != 0)
		return live_skip("the domain has no vm path in xenstore");
	snprintf(vm, sizeof(vm), "%s", out);
	vm[strcspn(vm, "\n")] = '\0';
	if (strncmp(vm, "/vm/", 4) != 0)
		return live_skip("the domain's vm path is not /vm/UUID");

	/* Pretend the entry belongs to a domain that had this id before. */
	snprintf(args, sizeof(args), "/local/domain/%" PRIu32 "/vm "
	    "/vm/00000000-0000-4000-8000-0000000000ee", ctx->lc_domid);
	if (ld_xs(wr, args) != 0)
		return LIVE_FAIL;
	printf("with a foreign vm path:\n");
	rc = ld_resolve(ctx, NULL, ctx->lc_info.di_name,
	    XEN_RESOLVE_NO_LIBVIRT, &domid, &err);
	if (rc == 0 || err.xe_errno != ESTALE ||
	    strstr(err.xe_msg, "reused") == NULL)
		bad += live_failf("an entry of another UUID resolved, or was not "
		    "called a reused id");
	if (!ld_info(ctx, &di))
		bad++;
	else if (!di.di_xs_stale || di.di_name[0] != '\0')
		bad += live_failf("info shows name \"%s\", stale %d for an entry "
		    "of another UUID", di.di_name, di.di_xs_stale);

	/* Put it back; the id resolves all along. */
	snprintf(args, sizeof(args), "/local/domain/%" PRIu32 "/vm %s",
	    ctx->lc_domid, vm);
	if (ld_xs(wr, args) != 0)
		return live_failf("could not restore %s", args);
	xen_err_clear(&err);
	if (xen_domain_resolve(ctx->lc_xh, ctx->lc_info.di_name, &domid,
	    &err) < 0 || domid != ctx->lc_domid)
		bad += live_failf("after restoring: %s", xen_err_msg(&err));
	return bad ? LIVE_FAIL : LIVE_OK;
}

/*
 * Write a libvirt test-driver node file at path in which the domain the
 * check runs on appears as libvirt would show it: named name, with the
 * given UUID and run state (1 running, 5 shut off), after fillers running
 * domains.  The test driver numbers running domains 1, 2, ... in file
 * order, so a running one gets the id fillers + 1.  The file's test://
 * URI goes to uri.
 */
static bool
ld_lv_node(const char *path, const char *name, const char *uuid,
    int runstate, uint32_t fillers, char *uri, size_t len)
{
	FILE *f;
	uint32_t i;

	f = fopen(path, "w");
	if (f == NULL)
		return false;
	fprintf(f, "<node>\n");
	for (i = 0; i < fillers; i++)
		fprintf(f, "  <domain type='test'><name>porthole-filler-%u"
		    "</name><uuid>f111f111-0000-4000-8000-%012x</uuid>"
		    "<memory>65536</memory><os><type>hvm</type></os>"
		    "</domain>\n", i, i);
	fprintf(f, "  <domain type='test' "
	    "xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>"
	    "<name>%s</name><uuid>%s</uuid><memory>65536</memory>"
	    "<os><type>hvm</type></os><test:runstate>%d</test:runstate>"
	    "</domain>\n", name, uuid, runstate);
	fprintf(f, "</node>\n");
	if (fclose(f) != 0)
		return false;
	snprintf(uri, len, "test://%s", path);
	return true;
}

static int
check_resolve_libvirt(struct live_ctx *ctx)
{
	const struct xen_domain_info *di = &ctx->lc_info;
	struct xen_libvirt_domain lv;
	struct xen_err err;
	char path[128], uri[200], alias[64];
	uint32_t domid, n = ctx->lc_domid;
	int bad = 0;

	if (!xen_libvirt_available())
		return live_skip("porthole was built without libvirt");
	if (n == 0 || n > 64 || di->di_name[0] == '\0')
		return live_skip("needs a named domain with a small id");
	snprintf(path, sizeof(path), "/tmp/porthole-lv-%ld.xml",
	    (long)getpid());
	snprintf(alias, sizeof(alias), "porthole-lv-alias-%" PRIu32, n);

	/* libvirt knows the domain by a name xenstore does not. */
	if (!ld_lv_node(path, alias, di->di_uuid, 1, n - 1, uri, sizeof(uri)))
		return live_failf("writing %s: %s", path, strerror(errno));
	xen_err_clear(&err);
	if (xen_libvirt_lookup(uri, alias, &lv, &err) < 0) {
		(void)unlink(path);
		return live_skip("libvirt's test driver does not work here");
	}
	if (lv.lv_id != n) {
		(void)unlink(path);
		return live_skip("libvirt's test driver numbers domains "
		    "differently from what this check assumes");
	}
	printf("libvirt test driver at %s:\n", uri);
	if (ld_resolve(ctx, uri, alias, 0, &domid, &err) != 0 || domid != n)
		bad += live_failf("a name only libvirt knows, checked against "
		    "Xen, did not resolve to %" PRIu32, n);

	/* The same with another UUID: the id was "reused". */
	(void)ld_lv_node(path, alias, "0000abcd-0000-4000-8000-000000000001",
	    1, n - 1, uri, sizeof(uri));
	if (ld_resolve(ctx, uri, alias, 0, &domid, &err) == 0 ||
	    err.xe_errno != ESTALE || strstr(err.xe_msg, "reused") == NULL)
		bad += live_failf("libvirt's UUID differs from Xen's, yet no "
		    "stale error");

	/* The real name, agreeing with xenstore. */
	(void)ld_lv_node(path, di->di_name, di->di_uuid, 1, n - 1, uri,
	    sizeof(uri));
	if (ld_resolve(ctx, uri, di->di_name, 0, &domid, &err) != 0 ||
	    domid != n)
		bad += live_failf("xenstore and libvirt agree, yet no domain %"
		    PRIu32, n);
	if (ld_resolve(ctx, uri, di->di_uuid, 0, &domid, &err) != 0 ||
	    domid != n)
		bad += live_failf("the UUID did not resolve to %" PRIu32, n);

	/* libvirt has it under another id: the sources disagree. */
	(void)ld_lv_node(path, di->di_name, di->di_uuid, 1, n, uri,
	    sizeof(uri));
	if (ld_resolve(ctx, uri, di->di_name, 0, &domid, &err) == 0 ||
	    err.xe_errno != ESTALE)
		bad += live_failf("libvirt says id %" PRIu32 ", Xen %" PRIu32
		    ", yet no stale error", n + 1, n);

	/* libvirt has it shut off while Xen runs it. */
	(void)ld_lv_node(path, di->di_name, di->di_uuid, 5, 0, uri,
	    sizeof(uri));
	if (ld_resolve(ctx, uri, di->di_name, 0, &domid, &err) == 0 ||
	    err.xe_errno != ESTALE || strstr(err.xe_msg, "shut off") == NULL)
		bad += live_failf("libvirt has it shut off, yet no stale error");
	/* Without libvirt, xenstore alone decides. */
	if (ld_resolve(ctx, uri, di->di_name, XEN_RESOLVE_NO_LIBVIRT,
	    &domid, &err) != 0 || domid != n)
		bad += live_failf("XEN_RESOLVE_NO_LIBVIRT still asked libvirt");
	(void)unlink(path);

	/* A libvirt asked for and not there is an error; unasked, not. */
	snprintf(uri, sizeof(uri), "test:///nonexistent/porthole.xml");
	if (ld_resolve(ctx, uri, di->di_name, 0, &domid, &err) == 0 ||
	    err.xe_errno != ECONNREFUSED)
		bad += live_failf("an unreachable libvirt URI given explicitly "
		    "was not an error");
	return bad ? LIVE_FAIL : LIVE_OK;
}

/* ------------------------------------------------------------------ */

static int
check_pause_guard(struct live_ctx *ctx)
{
	struct xen_domain_info di;
	struct xen_pause *g;
	struct xen_err err;
	double t0;
	int rc;

	if ((rc = ld_require_unpaused(ctx)) != LIVE_OK)
		return rc;
	xen_err_clear(&err);
	t0 = ld_now_ms();
	g = xen_pause_take(ctx->lc_xh, ctx->lc_domid, 0, &err);
	if (g == NULL)
		return live_fail(&err, "taking the pause guard");
	printf("guard taken in %.1f ms, guardian pid %ld\n", ld_now_ms() - t0,
	    (long)xen_pause_guardian(g));
	if (!ld_info(ctx, &di)) {
		(void)xen_pause_release(g, &err);
		return LIVE_FAIL;
	}
	if (!di.di_paused || di.di_state != XEN_DOMAIN_PAUSED) {
		(void)xen_pause_release(g, &err);
		return live_failf("guard held, but the domain is %s",
		    xen_domain_state_name(di.di_state));
	}
	t0 = ld_now_ms();
	if (xen_pause_release(g, &err) < 0)
		return live_fail(&err, "releasing the pause guard");
	printf("released in %.1f ms\n", ld_now_ms() - t0);
	if (!ld_info(ctx, &di))
		return LIVE_FAIL;
	if (di.di_paused)
		return live_failf("guard released, but the domain is still paused");
	return LIVE_OK;
}

/*
 * A child takes a guard on domid through its own connection and waits;
 * *guardianp gets the guardian's pid.  Returns the child's pid, or -1.
 */
static pid_t
ld_taker(uint32_t domid, pid_t *guardianp)
{
	struct xen_handle *xh;
	struct xen_pause *g;
	struct xen_err err;
	pid_t pid, gpid = -1;
	int p[2];

	if (pipe(p) < 0)
		return -1;
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		(void)close(p[0]);
		xen_err_clear(&err);
		xh = xen_open(&err);	/* never the parent's handle */
		g = xh != NULL ? xen_pause_take(xh, domid, 0, &err) : NULL;
		if (g == NULL) {
			fprintf(stderr, "taker: %s\n", xen_err_msg(&err));
			_exit(1);
		}
		gpid = xen_pause_guardian(g);
		if (write(p[1], &gpid, sizeof(gpid)) != (ssize_t)sizeof(gpid))
			_exit(1);
		for (;;)
			(void)pause();
	}
	(void)close(p[1]);
	if (read(p[0], &gpid, sizeof(gpid)) != (ssize_t)sizeof(gpid)) {
		(void)close(p[0]);
		(void)waitpid(pid, NULL, 0);
		return -1;
	}
	(void)close(p[0]);
	*guardianp = gpid;
	return pid;
}

/* The taker dies of sig; the guest must run again. */
static int
ld_taker_dies(struct live_ctx *ctx, int sig)
{
	pid_t taker, guardian;
	double took = 0;
	int status, rc;
	bool paused_at_death;

	if ((rc = ld_require_unpaused(ctx)) != LIVE_OK)
		return rc;
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0)
		return live_failf("PR_SET_CHILD_SUBREAPER: %s", strerror(errno));
	taker = ld_taker(ctx->lc_domid, &guardian);
	if (taker < 0)
		return live_failf("the taker could not take a guard");
	if (!ld_wait_paused(ctx, true, 0, NULL)) {
		(void)kill(taker, SIGKILL);
		(void)waitpid(taker, NULL, 0);
		return live_failf("guard taken, but the domain is not paused");
	}
	(void)kill(taker, sig);
	if (waitpid(taker, &status, 0) != taker)
		return live_failf("waitpid: %s", strerror(errno));
	if (!WIFSIGNALED(status) || WTERMSIG(status) != sig)
		return live_failf("the taker did not die of signal %d (status "
		    "0x%x)", sig, status);
	/* The quick path gives the pause back before the taker is dead. */
	if (!ld_wait_paused(ctx, false, 0, NULL)) {
		paused_at_death = true;
		if (!ld_wait_paused(ctx, false, LD_WAIT_MS, &took))
			return live_failf("the domain is still paused %d ms after "
			    "its guard's taker died of signal %d", LD_WAIT_MS,
			    sig);
	} else {
		paused_at_death = false;
	}
	printf("taker killed by signal %d: domain running %s (after %.1f ms)"
	    "\n", sig, paused_at_death ? "once the guardian saw it" :
	    "already when its death was seen", took);
	status = test_reap_within(guardian, LD_WAIT_MS);
	if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return live_failf("guardian %ld: status 0x%x (want exit 0)",
		    (long)guardian, status);
	if (sig == SIGTERM && paused_at_death)
		return live_failf("SIGTERM: the quick path did not unpause before "
		    "the taker died");
	return LIVE_OK;
}

static int
check_pause_guard_kill(struct live_ctx *ctx)
{
	return ld_taker_dies(ctx, SIGKILL);
}

static int
check_pause_guard_term(struct live_ctx *ctx)
{
	return ld_taker_dies(ctx, SIGTERM);
}

/*
 * Someone else's pause: xl pause (or our bare pause when there is no xl).
 * Returns 0 on success.
 */
static int
ld_foreign_pause(struct live_ctx *ctx, const char *xl, bool pause)
{
	char cmd[300], out[1024];
	struct xen_err err;
	int rc;

	if (xl != NULL) {
		snprintf(cmd, sizeof(cmd), "%s %s %" PRIu32, xl,
		    pause ? "pause" : "unpause", ctx->lc_domid);
		rc = ld_run(cmd, out, sizeof(out));
		if (rc != 0)
			fprintf(stderr, "%s: %s: %s\n", live_prog, cmd, out);
		return rc;
	}
	xen_err_clear(&err);
	rc = pause ? xen_domain_pause(ctx->lc_xh, ctx->lc_domid, &err) :
	    xen_domain_unpause(ctx->lc_xh, ctx->lc_domid, &err);
	if (rc != 0)
		live_fail(&err, pause ? "pause" : "unpause");
	return rc;
}

static int
check_pause_guard_foreign(struct live_ctx *ctx)
{
	char xlbuf[256];
	const char *xl = NULL;
	struct xen_pause *g;
	struct xen_err err;
	pid_t taker, guardian;
	int rc, status, bad = 0;

	if ((rc = ld_require_unpaused(ctx)) != LIVE_OK)
		return rc;
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0)
		return live_failf("PR_SET_CHILD_SUBREAPER: %s", strerror(errno));
	if (live_find_prog("xl", NULL, xlbuf, sizeof(xlbuf)))
		xl = xlbuf;
	printf("someone else's pause: %s\n", xl != NULL ? "xl pause" :
	    "xen_domain_pause (no xl here)");
	if (ld_foreign_pause(ctx, xl, true) != 0)
		return LIVE_FAIL;

	/* Our guard on top, released normally: the other pause stays. */
	xen_err_clear(&err);
	g = xen_pause_take(ctx->lc_xh, ctx->lc_domid, 0, &err);
	if (g == NULL) {
		live_fail(&err, "taking the guard");
		bad++;
	} else if (xen_pause_release(g, &err) < 0) {
		live_fail(&err, "releasing the guard");
		bad++;
	}
	if (!ld_wait_paused(ctx, true, 0, NULL))
		bad += live_failf("our release took away someone else's pause");

	/* A guard whose taker is SIGKILLed: the other pause stays too. */
	taker = ld_taker(ctx->lc_domid, &guardian);
	if (taker < 0) {
		bad += live_failf("the taker could not take a guard");
	} else {
		(void)kill(taker, SIGKILL);
		(void)waitpid(taker, NULL, 0);
		status = test_reap_within(guardian, LD_WAIT_MS);
		if (status == -1 || !WIFEXITED(status) ||
		    WEXITSTATUS(status) != 0)
			bad += live_failf("guardian %ld: status 0x%x",
			    (long)guardian, status);
		if (!ld_wait_paused(ctx, true, 0, NULL))
			bad += live_failf("a dead taker's guardian took away "
			    "someone else's pause");
	}

	/* One unpause, theirs: the guest runs (no pause of ours is left). */
	if (ld_foreign_pause(ctx, xl, false) != 0)
		return LIVE_FAIL;
	if (!ld_wait_paused(ctx, false, 0, NULL))
		bad += live_failf("still paused after the other pause was undone: "
		    "a pause of ours leaked");
	return bad ? LIVE_FAIL : LIVE_OK;
}

/* ------------------------------------------------------------------ */

static void
ld_print_regs(const struct xen_vcpu_regs *r)
{
	printf("vcpu %u: %s layout %s, %u-bit, cpl %u, flags 0x%x\n",
	    r->vr_vcpu, r->vr_online ? "online" : "offline",
	    xen_vcpu_layout_name(r->vr_layout), r->vr_addr_bits, r->vr_cpl,
	    r->vr_flags);
	if (!r->vr_online)
		return;
	printf("  rip %016" PRIx64 " rsp %016" PRIx64 " rflags %08" PRIx64
	    "\n", r->vr_rip, r->vr_rsp, r->vr_rflags);
	printf("  rax %016" PRIx64 " rbx %016" PRIx64 " rcx %016" PRIx64
	    " rdx %016" PRIx64 "\n", r->vr_rax, r->vr_rbx, r->vr_rcx,
	    r->vr_rdx);
	printf("  cr0 %016" PRIx64 " cr2 %016" PRIx64 " cr3 %016" PRIx64
	    " cr4 %016" PRIx64 "\n", r->vr_cr0, r->vr_cr2, r->vr_cr3,
	    r->vr_cr4);
	printf("  efer %" PRIx64 " fs_base %016" PRIx64 " gs_base %016" PRIx64
	    " kernel_gs_base %016" PRIx64 " cs %04x ss %04x\n", r->vr_efer,
	    r->vr_fs_base, r->vr_gs_base, r->vr_kernel_gs_base, r->vr_cs,
	    r->vr_ss);
}

#define LD_KERNEL_HALF	UINT64_C(0xffff800000000000)

static int
check_vcpu_regs(struct live_ctx *ctx)
{
	struct xen_vcpu_regs regs[64], *r;
	struct xen_pause *g;
	struct xen_err err;
	size_t n, i, online = 0;
	int bad = 0, rc;

	if ((rc = ld_require_unpaused(ctx)) != LIVE_OK)
		return rc;
	xen_err_clear(&err);
	g = xen_pause_take(ctx->lc_xh, ctx->lc_domid, 0, &err);
	if (g == NULL)
		return live_fail(&err, "taking the pause guard");
	rc = xen_vcpu_regs_all(ctx->lc_xh, ctx->lc_domid, regs, 64, &n, &err);
	if (xen_pause_release(g, &err) < 0 && rc == 0) {
		live_fail(&err, "releasing the pause guard");
		bad++;
	}
	if (rc < 0)
		return live_fail(&err, "reading the vCPUs");
	if (n != ctx->lc_info.di_vcpus)
		bad += live_failf("%zu vCPUs read, the domain has %u", n,
		    ctx->lc_info.di_vcpus);
	for (i = 0; i < n && i < 64; i++) {
		ld_print_regs(&regs[i]);
		if (regs[i].vr_vcpu != i)
			bad += live_failf("entry %zu is vCPU %u", i,
			    regs[i].vr_vcpu);
		online += regs[i].vr_online;
	}
	if (online != ctx->lc_info.di_online_vcpus)
		bad += live_failf("%zu vCPUs online, the domain says %u", online,
		    ctx->lc_info.di_online_vcpus);
	if (n == 0)
		return live_failf("no vCPU");

	r = &regs[0];
	if (!r->vr_online)
		return live_failf("vCPU 0 is offline");
	if ((ctx->lc_info.di_type == XEN_DOMAIN_PV) !=
	    (r->vr_layout != XEN_VCPU_HVM))
		bad += live_failf("a %s domain read with the %s layout",
		    xen_domain_type_name(ctx->lc_info.di_type),
		    xen_vcpu_layout_name(r->vr_layout));
	if (!(r->vr_cr0 & XEN_X86_CR0_PG) || !(r->vr_cr0 & XEN_X86_CR0_PE))
		bad += live_failf("vCPU 0: CR0 %#" PRIx64 " without PE and PG",
		    r->vr_cr0);
	if (r->vr_cr3 == 0)
		bad += live_failf("vCPU 0: CR3 is 0");
	if (r->vr_layout == XEN_VCPU_PV64 || r->vr_layout == XEN_VCPU_HVM) {
		/* The test guests are 64-bit kernels. */
		if (!(r->vr_efer & XEN_X86_EFER_LMA))
			bad += live_failf("vCPU 0: EFER %#" PRIx64 " without LMA in "
			    "a 64-bit guest", r->vr_efer);
		if (r->vr_cpl == 0 && r->vr_rip < LD_KERNEL_HALF)
			bad += live_failf("vCPU 0 in kernel mode at %#" PRIx64
			    ", below the kernel half", r->vr_rip);
		if (r->vr_cpl == 3 && r->vr_rip >= LD_KERNEL_HALF)
			bad += live_failf("vCPU 0 in user mode at %#" PRIx64
			    ", in the kernel half", r->vr_rip);
		if (r->vr_cpl == 0 && r->vr_addr_bits != 64)
			bad += live_failf("vCPU 0 in kernel mode runs %u-bit code",
			    r->vr_addr_bits);
		if (r->vr_cpl == 0 && r->vr_gs_base < LD_KERNEL_HALF &&
		    r->vr_kernel_gs_base < LD_KERNEL_HALF)
			bad += live_failf("vCPU 0: neither GS base (%#" PRIx64
			    ", %#" PRIx64 ") is a kernel per-CPU address",
			    r->vr_gs_base, r->vr_kernel_gs_base);
	}
	return bad ? LIVE_FAIL : LIVE_OK;
}

/* The value after "label" (e.g. "rip: ") in xenctx's output. */
static bool
ld_xenctx_value(const char *out, const char *label, uint64_t *v)
{
	const char *p = strstr(out, label);
	unsigned long long x;

	if (p == NULL || sscanf(p + strlen(label), "%llx", &x) != 1)
		return false;
	*v = x;
	return true;
}

static int
check_vcpu_xenctx(struct live_ctx *ctx)
{
	static const char *const extra[] = {
		"/usr/lib/xen-4.17/bin/xenctx", "/usr/lib/xen/bin/xenctx",
		"/porthole/xenctx", NULL
	};
	char xenctx[256], cmd[400], out[16384];
	struct xen_vcpu_regs r;
	struct xen_pause *g;
	struct xen_err err;
	uint64_t v;
	size_t i;
	int bad = 0, rc, xrc;

	if (!live_find_prog("xenctx", extra, xenctx, sizeof(xenctx)))
		return live_skip("xenctx not in this bed: vCPU registers "
		    "checked by invariants only (vcpu-regs)");
	if ((rc = ld_require_unpaused(ctx)) != LIVE_OK)
		return rc;
	xen_err_clear(&err);
	g = xen_pause_take(ctx->lc_xh, ctx->lc_domid, 0, &err);
	if (g == NULL)
		return live_fail(&err, "taking the pause guard");
	rc = xen_vcpu_regs(ctx->lc_xh, ctx->lc_domid, 0, &r, &err);
	/* -a: the control registers too. */
	snprintf(cmd, sizeof(cmd), "%s -a %" PRIu32 " 0", xenctx,
	    ctx->lc_domid);
	xrc = ld_run(cmd, out, sizeof(out));
	if (xen_pause_release(g, &err) < 0) {
		live_fail(&err, "releasing the pause guard");
		bad++;
	}
	if (rc < 0)
		return live_fail(&err, "reading vCPU 0");
	/* The registers come first; the stack dump after them is noise. */
	if (strstr(out, "Stack:") != NULL)
		*strstr(out, "Stack:") = '\0';
	printf("%s (exit %d):\n%s\n", cmd, xrc, out);
	ld_print_regs(&r);
	{
		const struct {
			const char	*label;
			uint64_t	ours;
		} cmp[] = {
			{ "rip: ", r.vr_rip }, { "flags: ", r.vr_rflags },
			{ "rsp: ", r.vr_rsp }, { "rax: ", r.vr_rax },
			{ "rbx: ", r.vr_rbx }, { "rcx: ", r.vr_rcx },
			{ "rdx: ", r.vr_rdx }, { "rsi: ", r.vr_rsi },
			{ "rdi: ", r.vr_rdi }, { "rbp: ", r.vr_rbp },
			{ " r8: ", r.vr_r8 }, { " r9: ", r.vr_r9 },
			{ "r10: ", r.vr_r10 }, { "r11: ", r.vr_r11 },
			{ "r12: ", r.vr_r12 }, { "r13: ", r.vr_r13 },
			{ "r14: ", r.vr_r14 }, { "r15: ", r.vr_r15 },
			{ "cr0: ", r.vr_cr0 }, { "cr2: ", r.vr_cr2 },
			{ "cr3: ", r.vr_cr3 }, { "cr4: ", r.vr_cr4 },
		};

		for (i = 0; i < sizeof(cmp) / sizeof(cmp[0]); i++) {
			if (!ld_xenctx_value(out, cmp[i].label, &v)) {
				bad += live_failf("no \"%s\" in xenctx's output",
				    cmp[i].label);
				continue;
			}
			if (v != cmp[i].ours)
				bad += live_failf("%sxenctx %#" PRIx64 ", ours %#"
				    PRIx64, cmp[i].label, v, cmp[i].ours);
		}
	}
	return bad ? LIVE_FAIL : LIVE_OK;
}

const struct live_check live_domain_checks[] = {
	{ "domain-list", "the listing agrees with xl list -l and xl list",
	    check_domain_list },
	{ "resolve-stale", "a leftover xenstore name is refused as stale",
	    check_resolve_stale },
	{ "resolve-reused", "a xenstore entry of another UUID is stale",
	    check_resolve_reused },
	{ "resolve-libvirt", "libvirt's answers cross-checked against Xen",
	    check_resolve_libvirt },
	{ "pause-guard", "a guard pauses; its release unpauses",
	    check_pause_guard },
	{ "pause-guard-kill", "taker SIGKILLed: the guardian unpauses",
	    check_pause_guard_kill },
	{ "pause-guard-term", "taker SIGTERMed: unpaused before it is dead",
	    check_pause_guard_term },
	{ "pause-guard-foreign", "someone else's pause (xl pause) stays",
	    check_pause_guard_foreign },
	{ "vcpu-regs", "vCPU registers: paging, CR3, RIP, EFER.LMA",
	    check_vcpu_regs },
	{ "vcpu-xenctx", "vCPU 0 registers equal xenctx -a's",
	    check_vcpu_xenctx },
	{ NULL, NULL, NULL }
};
