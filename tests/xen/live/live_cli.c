/*
 * live_cli.c - the porthole command against a live domain, end to end:
 * it runs the real `porthole` binary in dom0 (found on PATH, where the
 * bed puts it, or as $PORTHOLE_CLI) and checks what it prints against
 * what the hypervisor and the guest's own console say.
 *
 *	cli-list	the domain is listed with its id, name and type
 *	cli-info	format xen, the domain line, a vCPU with a paging mode
 *	cli-regs	vCPU 0's registers, and regs -v of a vCPU it lacks
 *	cli-read	every marker page the guest printed, read --phys --raw
 *			(a page the guest changed since must equal a privcmd
 *			read of its frame)
 *	cli-v2p		vCPU 0's RIP translates and reads through the kernel
 *			space
 *	cli-grep	a marker's text is found in its page
 *	cli-dump	dump --pause as raw and ELF: the marker pages at their
 *			offsets, and the guest runs afterwards
 *	cli-dump-int	SIGINT mid-dump (at a test stall point): exit 1, no
 *			file, no temporary file, the guest unpaused
 *
 * The marker program (tests/xen/guest/marker.c) prints MARKER lines with
 * each page's frame and text; without them the checks that need them
 * skip.  Dumps go to $PORTHOLE_XEN_DUMP_DIR (else $TMPDIR, /tmp).
 */
#define _GNU_SOURCE
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/xen/live/live.h"

#define CLI_OUT_MAX	(64u << 20)

/* A running porthole: its pid and the read ends of stdout and stderr. */
struct cli_proc {
	pid_t	cp_pid;
	int	cp_out;
	int	cp_err;
};

/* What a finished porthole printed and how it ended. */
struct cli_result {
	char	*cr_out;
	size_t	cr_outlen;
	char	*cr_err;
	int	cr_status;	/* exit status, or -1 (signal, failure) */
};

static const char *
cli_prog(void)
{
	static char path[512];
	static const char *const extra[] = { "/porthole/porthole", NULL };
	const char *env = getenv("PORTHOLE_CLI");

	if (env != NULL && *env != '\0')
		return env;
	if (path[0] == '\0' && !live_find_prog("porthole", extra, path,
	    sizeof(path)))
		return NULL;
	return path;
}

/* Start porthole with args (NULL-terminated); stall: the test hook. */
static int
cli_spawn(const char *const *args, const char *stall, struct cli_proc *p)
{
	const char *prog = cli_prog();
	char *argv[32];
	int out[2], err[2];
	size_t i;

	if (prog == NULL)
		return live_skip("the porthole command is not in this bed "
		    "(run.sh --porthole)");
	argv[0] = (char *)prog;
	for (i = 0; args[i] != NULL && i + 2 < sizeof(argv) / sizeof(argv[0]);
	    i++)
		argv[i + 1] = (char *)args[i];
	argv[i + 1] = NULL;
	if (pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0)
		return live_failf("pipe: %s", strerror(errno));
	fflush(NULL);
	if ((p->cp_pid = fork()) < 0)
		return live_failf("fork: %s", strerror(errno));
	if (p->cp_pid == 0) {
		(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
		(void)dup2(out[1], 1);
		(void)dup2(err[1], 2);
		if (stall != NULL)
			(void)setenv("PORTHOLE_TEST_DUMP_STALL", stall, 1);
		else
			(void)unsetenv("PORTHOLE_TEST_DUMP_STALL");
		execv(prog, argv);
		fprintf(stderr, "exec %s: %s\n", prog, strerror(errno));
		_exit(127);
	}
	close(out[1]);
	close(err[1]);
	p->cp_out = out[0];
	p->cp_err = err[0];
	return LIVE_OK;
}

static void
cli_result_free(struct cli_result *r)
{
	free(r->cr_out);
	free(r->cr_err);
	memset(r, 0, sizeof(*r));
}

/* Append what fd has to *bufp; false at EOF or error. */
static bool
cli_drain(int fd, char **bufp, size_t *lenp)
{
	char chunk[65536], *grown;
	ssize_t n = read(fd, chunk, sizeof(chunk));

	if (n < 0 && errno == EINTR)
		return true;
	if (n <= 0)
		return false;
	if (*lenp + (size_t)n > CLI_OUT_MAX)
		return true;	/* enough to judge: drop the rest */
	if ((grown = realloc(*bufp, *lenp + (size_t)n + 1)) == NULL)
		return false;
	memcpy(grown + *lenp, chunk, (size_t)n);
	*lenp += (size_t)n;
	grown[*lenp] = '\0';
	*bufp = grown;
	return true;
}

/* Read both outputs to their ends and reap the process. */
static int
cli_wait(struct cli_proc *p, struct cli_result *r)
{
	struct pollfd fds[2];
	size_t errlen = 0;
	int status;

	memset(r, 0, sizeof(*r));
	fds[0].fd = p->cp_out;
	fds[1].fd = p->cp_err;
	fds[0].events = fds[1].events = POLLIN;
	while (fds[0].fd >= 0 || fds[1].fd >= 0) {
		if (poll(fds, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (fds[0].revents != 0 && !cli_drain(fds[0].fd, &r->cr_out,
		    &r->cr_outlen)) {
			close(fds[0].fd);
			fds[0].fd = -1;
		}
		if (fds[1].revents != 0 && !cli_drain(fds[1].fd, &r->cr_err,
		    &errlen)) {
			close(fds[1].fd);
			fds[1].fd = -1;
		}
	}
	while (waitpid(p->cp_pid, &status, 0) < 0)
		if (errno != EINTR)
			return live_failf("waitpid: %s", strerror(errno));
	r->cr_status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	if (r->cr_out == NULL)
		r->cr_out = strdup("");
	if (r->cr_err == NULL)
		r->cr_err = strdup("");
	return r->cr_out != NULL && r->cr_err != NULL ? LIVE_OK :
	    live_failf("out of memory");
}

/* Run porthole with args to the end. */
static int
cli_run(const char *const *args, struct cli_result *r)
{
	struct cli_proc p;
	int rc;

	if ((rc = cli_spawn(args, NULL, &p)) != LIVE_OK)
		return rc;
	return cli_wait(&p, r);
}

/* Say what a run printed, for a failing check. */
static void
cli_show(const char *what, const struct cli_result *r)
{
	fprintf(stderr, "%s: porthole %s exited %d\n--- stdout:\n%.4000s\n"
	    "--- stderr:\n%.4000s\n", live_prog, what, r->cr_status,
	    r->cr_out, r->cr_err);
}

/* Run args and expect exit status want; LIVE_OK or LIVE_FAIL (shown). */
static int
cli_expect(const char *const *args, int want, struct cli_result *r)
{
	int rc;

	if ((rc = cli_run(args, r)) != LIVE_OK)
		return rc;
	if (r->cr_status != want) {
		cli_show(args[0], r);
		return live_failf("porthole %s: exit %d, expected %d",
		    args[0], r->cr_status, want);
	}
	return LIVE_OK;
}

static bool
cli_has(const struct cli_result *r, const char *what, const char *needle)
{
	if (strstr(r->cr_out, needle) != NULL)
		return true;
	cli_show(what, r);
	fprintf(stderr, "%s: porthole %s: output lacks \"%s\"\n", live_prog,
	    what, needle);
	return false;
}

static void
cli_id(const struct live_ctx *ctx, char *buf, size_t len)
{
	snprintf(buf, len, "%" PRIu32, ctx->lc_domid);
}

static int
check_cli_list(struct live_ctx *ctx)
{
	const char *args[] = { "list", NULL };
	const char *names[] = { "list", "--names", NULL };
	struct cli_result r;
	char want[256];
	int rc;

	if ((rc = cli_expect(args, 0, &r)) != LIVE_OK)
		return rc;
	snprintf(want, sizeof(want), "\n%-5" PRIu32 " %-24s %s ",
	    ctx->lc_domid, ctx->lc_info.di_name, ctx->lc_info.di_uuid);
	rc = cli_has(&r, "list", want) && cli_has(&r, "list", "Domain-0") &&
	    cli_has(&r, "list", xen_domain_type_name(ctx->lc_info.di_type)) ?
	    LIVE_OK : LIVE_FAIL;
	cli_result_free(&r);
	if (rc != LIVE_OK)
		return rc;
	if ((rc = cli_expect(names, 0, &r)) != LIVE_OK)
		return rc;
	snprintf(want, sizeof(want), "%s\n", ctx->lc_info.di_name);
	rc = cli_has(&r, "list --names", want) ? LIVE_OK : LIVE_FAIL;
	cli_result_free(&r);
	return rc;
}

static int
check_cli_info(struct live_ctx *ctx)
{
	const char *args[] = { "info", ctx->lc_info.di_name, NULL };
	struct cli_result r;
	char want[256];
	int rc;

	if ((rc = cli_expect(args, 0, &r)) != LIVE_OK)
		return rc;
	snprintf(want, sizeof(want), "domain      %" PRIu32 " %s, %s, ",
	    ctx->lc_domid, ctx->lc_info.di_name,
	    xen_domain_type_name(ctx->lc_info.di_type));
	rc = cli_has(&r, "info", "format      xen\n") &&
	    cli_has(&r, "info", want) &&
	    cli_has(&r, "info", "vcpu 0  online  64-bit") &&
	    cli_has(&r, "info", "4-level  cr3 0x") &&
	    cli_has(&r, "info", "  present ") ? LIVE_OK : LIVE_FAIL;
	cli_result_free(&r);
	return rc;
}

/* vCPU 0's RIP from `porthole regs -v 0`: true, or false (said). */
static bool
cli_rip(const struct live_ctx *ctx, uint64_t *rip)
{
	char id[16];
	const char *args[] = { "regs", "-v", "0", id, NULL };
	struct cli_result r;
	const char *p;
	bool ok;

	cli_id(ctx, id, sizeof(id));
	if (cli_expect(args, 0, &r) != LIVE_OK)
		return false;
	p = strstr(r.cr_out, "rip    0x");
	ok = p != NULL && sscanf(p + 7, "%" SCNx64, rip) == 1;
	if (!ok || !cli_has(&r, "regs", "vcpu 0: online, 64-bit"))
		ok = false;
	if (ok && ctx->lc_info.di_type == XEN_DOMAIN_PV &&
	    !cli_has(&r, "regs", "Xen PV (cr3 is a machine address)"))
		ok = false;
	if (!ok)
		cli_show("regs", &r);
	cli_result_free(&r);
	return ok;
}

static int
check_cli_regs(struct live_ctx *ctx)
{
	char id[16], v[16];
	const char *args[] = { "regs", "-v", v, id, NULL };
	struct cli_result r;
	uint64_t rip;
	int rc;

	if (!cli_rip(ctx, &rip))
		return live_failf("no RIP for vCPU 0");
	if (rip == 0)
		return live_failf("vCPU 0's RIP is 0");
	cli_id(ctx, id, sizeof(id));
	snprintf(v, sizeof(v), "%u", ctx->lc_info.di_vcpus);
	if ((rc = cli_run(args, &r)) != LIVE_OK)
		return rc;
	rc = r.cr_status == 1 && strstr(r.cr_err, "has no vCPU") != NULL ?
	    LIVE_OK : LIVE_FAIL;
	if (rc != LIVE_OK) {
		cli_show("regs -v (no such vCPU)", &r);
		live_failf("a vCPU the domain lacks was not refused clearly");
	}
	cli_result_free(&r);
	return rc;
}

static int
cli_markers(const struct live_ctx *ctx, struct live_marker *m, size_t *np)
{
	bool done;

	if (live_parse_markers(ctx->lc_console, m, np, &done) < 0)
		return LIVE_FAIL;
	if (*np == 0 || !done)
		return live_skip("the guest printed no complete MARKER list");
	return LIVE_OK;
}

/* The first bytes of a page in hex, for a report. */
static void
cli_hex(const char *what, const unsigned char *p, size_t n)
{
	size_t i;

	fprintf(stderr, "%s: %s:", live_prog, what);
	for (i = 0; i < n; i++)
		fprintf(stderr, " %02x", p[i]);
	fprintf(stderr, "\n");
}

/*
 * Whether a page porthole read of marker m is right: it holds the
 * marker's text, or (the guest changed its page since it printed it) the
 * same bytes as a privcmd read of the frame right after.  Says why not.
 */
static bool
cli_page_ok(struct live_ctx *ctx, const struct live_marker *m,
    const unsigned char *got, const char *how)
{
	unsigned char now[XEN_PAGE_SIZE];
	struct xen_physmem *pm;
	struct xen_err err;
	uint64_t pfn = m->m_pfn;
	bool same = false;
	int perr;

	if (live_marker_ok(m, got, how))
		return true;
	cli_hex("porthole's first bytes", got, 48);
	xen_err_clear(&err);
	if ((pm = xen_physmem_open(ctx->lc_xh, ctx->lc_domid, &err)) == NULL) {
		live_fail(&err, "binding the domain to compare");
		return false;
	}
	if (xen_physmem_read_pages(pm, &pfn, 1, now, &perr, &err) != 0) {
		live_fail(&err, "reading the frame through privcmd");
	} else {
		cli_hex("privcmd's first bytes now", now, 48);
		same = memcmp(now, got, sizeof(now)) == 0;
		if (same)
			printf("marker %u at pfn 0x%" PRIx64 ": the guest changed "
			    "its page; porthole read what privcmd reads\n",
			    m->m_index, pfn);
	}
	xen_physmem_close(pm);
	return same;
}

static int
check_cli_read(struct live_ctx *ctx)
{
	struct live_marker m[LIVE_MAX_MARKERS];
	char id[16], addr[32];
	const char *args[] = { "read", "--phys", "--raw", id, addr, "4096",
	    NULL };
	struct cli_result r;
	size_t n, i, bad = 0;
	int rc;

	if ((rc = cli_markers(ctx, m, &n)) != LIVE_OK)
		return rc;
	cli_id(ctx, id, sizeof(id));
	for (i = 0; i < n; i++) {
		snprintf(addr, sizeof(addr), "0x%" PRIx64, m[i].m_pfn * 4096);
		if ((rc = cli_expect(args, 0, &r)) != LIVE_OK)
			return rc;
		if (r.cr_outlen != XEN_PAGE_SIZE) {
			fprintf(stderr, "%s: marker %u: %zu bytes, not a page\n",
			    live_prog, m[i].m_index, r.cr_outlen);
			bad++;
		} else if (!cli_page_ok(ctx, &m[i],
		    (const unsigned char *)r.cr_out, "porthole read --phys")) {
			bad++;
		}
		cli_result_free(&r);
	}
	if (bad > 0)
		return live_failf("%zu of %zu marker pages differ", bad, n);
	printf("%zu marker pages read through porthole read\n", n);
	return LIVE_OK;
}

static int
check_cli_v2p(struct live_ctx *ctx)
{
	char id[16], va[32];
	const char *v2p[] = { "v2p", id, va, NULL };
	const char *rd[] = { "read", id, va, "16", NULL };
	struct cli_result r;
	uint64_t rip;
	int rc;

	if (!cli_rip(ctx, &rip))
		return live_failf("no RIP for vCPU 0");
	cli_id(ctx, id, sizeof(id));
	snprintf(va, sizeof(va), "0x%" PRIx64, rip);
	if ((rc = cli_expect(v2p, 0, &r)) != LIVE_OK)
		return rc;
	rc = cli_has(&r, "v2p", "PML4      entry at 0x") &&
	    cli_has(&r, "v2p", "\nphysical  0x") ? LIVE_OK : LIVE_FAIL;
	cli_result_free(&r);
	if (rc != LIVE_OK)
		return rc;
	if ((rc = cli_expect(rd, 0, &r)) != LIVE_OK)
		return rc;
	snprintf(va, sizeof(va), "%016" PRIx64 "  ", rip);
	rc = cli_has(&r, "read (virtual)", va) ? LIVE_OK : LIVE_FAIL;
	cli_result_free(&r);
	return rc;
}

static int
check_cli_grep(struct live_ctx *ctx)
{
	struct live_marker m[LIVE_MAX_MARKERS];
	char id[16], want[32];
	const char *args[] = { "grep", "--phys", id, m[0].m_text, NULL };
	struct cli_result r;
	size_t n;
	int rc;

	if ((rc = cli_markers(ctx, m, &n)) != LIVE_OK)
		return rc;
	cli_id(ctx, id, sizeof(id));
	args[3] = m[0].m_text;
	if ((rc = cli_expect(args, 0, &r)) != LIVE_OK)
		return rc;
	/* The page holds its text from offset 0. */
	snprintf(want, sizeof(want), "0x%016" PRIx64 "  |",
	    m[0].m_pfn * XEN_PAGE_SIZE);
	rc = cli_has(&r, "grep", want) ? LIVE_OK : LIVE_FAIL;
	cli_result_free(&r);
	return rc;
}

static const char *
cli_dump_dir(void)
{
	const char *d = getenv("PORTHOLE_XEN_DUMP_DIR");

	if (d == NULL || *d == '\0')
		d = getenv("TMPDIR");
	return d != NULL && *d != '\0' ? d : "/tmp";
}

/* Whether the domain is paused now: 1, 0, or -1 (said). */
static int
cli_paused(struct live_ctx *ctx)
{
	struct xen_domain_info di;
	struct xen_err err;

	xen_err_clear(&err);
	if (xen_domain_info(ctx->lc_xh, ctx->lc_domid, &di, &err) < 0) {
		live_fail(&err, "domain info");
		return -1;
	}
	return di.di_paused ? 1 : 0;
}

/* A file the dump left beside path (its temporary name): true if any. */
static bool
cli_leftover(const char *dir, const char *base)
{
	char cmd[1024];
	FILE *f;
	bool any;

	snprintf(cmd, sizeof(cmd), "ls -A '%s' | grep -F '.%s.porthole-'", dir,
	    base);
	if ((f = popen(cmd, "r")) == NULL)
		return false;
	any = fgetc(f) != EOF;
	pclose(f);
	return any;
}

/* The marker pages at their offsets in a file (raw) or anywhere (ELF). */
static int
cli_dump_markers(const char *path, const struct live_marker *m, size_t n,
    bool raw)
{
	unsigned char page[XEN_PAGE_SIZE];
	size_t i, bad = 0;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return live_failf("%s: %s", path, strerror(errno));
	if (raw) {
		for (i = 0; i < n; i++)
			if (pread(fd, page, sizeof(page), (off_t)(m[i].m_pfn *
			    XEN_PAGE_SIZE)) != (ssize_t)sizeof(page) ||
			    !live_marker_ok(&m[i], page, "the raw dump"))
				bad++;
	} else if (pread(fd, page, 4, 0) != 4 ||
	    memcmp(page, "\177ELF", 4) != 0) {
		bad = 1;
		fprintf(stderr, "%s: %s is no ELF file\n", live_prog, path);
	}
	close(fd);
	return bad == 0 ? LIVE_OK : live_failf("%s: %zu marker pages differ",
	    path, bad);
}

static int
check_cli_dump(struct live_ctx *ctx)
{
	struct live_marker m[LIVE_MAX_MARKERS];
	char id[16], path[512];
	const char *raw[] = { "dump", "--pause", "-f", "raw", "-o", path, id,
	    NULL };
	const char *elf[] = { "dump", "--pause", "-o", path, id, NULL };
	struct cli_result r;
	size_t n;
	int rc, i;

	if ((rc = cli_markers(ctx, m, &n)) != LIVE_OK)
		return rc;
	cli_id(ctx, id, sizeof(id));
	for (i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/porthole-cli-%s.%" PRIu32
		    ".%ld", cli_dump_dir(), i == 0 ? "raw" : "elf",
		    ctx->lc_domid, (long)getpid());
		(void)unlink(path);
		if ((rc = cli_expect(i == 0 ? raw : elf, 0, &r)) != LIVE_OK) {
			(void)unlink(path);
			return rc;
		}
		printf("%s", r.cr_out);
		cli_result_free(&r);
		rc = cli_dump_markers(path, m, n, i == 0);
		(void)unlink(path);
		if (rc != LIVE_OK)
			return rc;
		if (cli_paused(ctx) != 0)
			return live_failf("the domain is still paused after "
			    "dump --pause");
	}
	return LIVE_OK;
}

static int
check_cli_dump_int(struct live_ctx *ctx)
{
	char id[16], path[512], base[128];
	const char *args[] = { "dump", "--pause", "-o", path, id, NULL };
	struct cli_proc p;
	struct cli_result r;
	char *err = NULL;
	size_t errlen = 0;
	double t0 = live_now();
	int rc, paused;

	cli_id(ctx, id, sizeof(id));
	snprintf(base, sizeof(base), "porthole-cli-int.%" PRIu32 ".%ld",
	    ctx->lc_domid, (long)getpid());
	snprintf(path, sizeof(path), "%s/%s", cli_dump_dir(), base);
	(void)unlink(path);
	if ((rc = cli_spawn(args, "4M", &p)) != LIVE_OK)
		return rc;
	/* Wait for the stall line: the dump is mid-way, the guest paused. */
	while (err == NULL || strstr(err, "test stall after") == NULL) {
		struct pollfd pf = { .fd = p.cp_err, .events = POLLIN };

		if (live_now() - t0 > 120 || poll(&pf, 1, 1000) < 0 ||
		    ((pf.revents & POLLIN) != 0 &&
		    !cli_drain(p.cp_err, &err, &errlen)) ||
		    (pf.revents & (POLLHUP | POLLERR)) != 0) {
			kill(p.cp_pid, SIGKILL);
			close(p.cp_out);
			close(p.cp_err);
			(void)waitpid(p.cp_pid, NULL, 0);
			fprintf(stderr, "%s\n", err != NULL ? err : "");
			free(err);
			(void)unlink(path);
			return live_failf("the dump never reached its stall "
			    "point");
		}
	}
	paused = cli_paused(ctx);
	kill(p.cp_pid, SIGINT);
	rc = cli_wait(&p, &r);
	if (rc != LIVE_OK) {
		free(err);
		return rc;
	}
	rc = LIVE_OK;
	if (paused != 1)
		rc = live_failf("the domain was not paused mid-dump (%d)",
		    paused);
	if (r.cr_status != 1 || strstr(r.cr_err, "interrupted by SIGINT: "
	    "removed the partial dump") == NULL) {
		cli_show("dump (SIGINT)", &r);
		rc = live_failf("SIGINT: exit %d and no clear sentence",
		    r.cr_status);
	}
	if (access(path, F_OK) == 0) {
		rc = live_failf("SIGINT left %s", path);
		(void)unlink(path);
	}
	if (cli_leftover(cli_dump_dir(), base))
		rc = live_failf("SIGINT left a temporary file beside %s", path);
	if (cli_paused(ctx) != 0)
		rc = live_failf("the domain is still paused after the "
		    "interrupted dump");
	free(err);
	cli_result_free(&r);
	return rc;
}

const struct live_check live_cli_checks[] = {
	{ "cli-list", "porthole list shows the domain (id, name, UUID, type) "
	    "and list --names its name", check_cli_list },
	{ "cli-info", "porthole info: format xen, the domain, vCPU 0 online "
	    "in 4-level paging, present memory", check_cli_info },
	{ "cli-regs", "porthole regs: vCPU 0 online with a RIP (PV: CR3 a "
	    "machine address); a vCPU it lacks refused", check_cli_regs },
	{ "cli-read", "porthole read --phys --raw of every marker page holds "
	    "the guest's text", check_cli_read },
	{ "cli-v2p", "porthole v2p and read of vCPU 0's RIP through the "
	    "kernel space", check_cli_v2p },
	{ "cli-grep", "porthole grep --phys finds a marker's text at its "
	    "page", check_cli_grep },
	{ "cli-dump", "porthole dump --pause as raw (marker pages at their "
	    "offsets) and ELF; the guest runs afterwards", check_cli_dump },
	{ "cli-dump-int", "SIGINT mid-dump: exit 1, no file or temporary "
	    "file, the guest unpaused", check_cli_dump_int },
	{ NULL, NULL, NULL }
};
