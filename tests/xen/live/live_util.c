/*
 * live_util.c - helpers shared by xenlive's checks (see live.h).
 */
#define _GNU_SOURCE
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/xen/live/live.h"

int
live_fail(const struct xen_err *err, const char *what)
{
	fprintf(stderr, "%s: %s: %s\n", live_prog, what, xen_err_msg(err));
	return LIVE_FAIL;
}

double
live_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Open the handle and resolve spec; prints the reason on failure. */
int
live_attach(const char *spec, struct xen_handle **xhp, uint32_t *domidp)
{
	struct xen_err err;

	xen_err_clear(&err);
	*xhp = xen_open(&err);
	if (*xhp == NULL)
		return live_fail(&err, "opening Xen");
	if (xen_domain_resolve(*xhp, spec, domidp, &err) < 0) {
		xen_close(*xhp);
		*xhp = NULL;
		return live_fail(&err, "resolving domain");
	}
	return LIVE_OK;
}

int
live_bind(const char *spec, struct xen_handle **xhp, struct xen_physmem **pmp,
    uint32_t *domidp)
{
	struct xen_err err;
	uint32_t domid;
	int rc;

	if (domidp == NULL)
		domidp = &domid;
	if ((rc = live_attach(spec, xhp, domidp)) != LIVE_OK)
		return rc;
	xen_err_clear(&err);
	*pmp = xen_physmem_open(*xhp, *domidp, &err);
	if (*pmp == NULL) {
		xen_close(*xhp);
		*xhp = NULL;
		return live_fail(&err, "binding domain memory");
	}
	return LIVE_OK;
}

void
live_show_bytes(FILE *f, const unsigned char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		fputc(p[i] >= 0x20 && p[i] < 0x7f ? p[i] : '.', f);
}

/* The marker lines of the guest's last boot in the console log. */
int
live_parse_markers(const char *path, struct live_marker *m, size_t *np,
    bool *donep)
{
	char line[512], text[64];
	unsigned int idx;
	unsigned long long pfn;
	size_t n = 0, i;
	FILE *f;

	f = fopen(path, "r");
	if (f == NULL) {
		fprintf(stderr, "%s: cannot read console log %s: %s\n",
		    live_prog, path, strerror(errno));
		return -1;
	}
	*donep = false;
	while (fgets(line, sizeof(line), f) != NULL) {
		char *p = strstr(line, "MARKER");

		if (p == NULL)
			continue;
		if (strncmp(p, "MARKERS-DONE", 12) == 0) {
			*donep = true;
			continue;
		}
		if (sscanf(p, "MARKER %u pfn=%llx text=%63s", &idx, &pfn,
		    text) != 3)
			continue;
		if (*donep) {
			/* A new boot: forget the previous one. */
			*donep = false;
			n = 0;
		}
		for (i = 0; i < n && m[i].m_index != idx; i++)
			;
		if (i == n) {
			if (n == LIVE_MAX_MARKERS)
				continue;
			n++;
		}
		m[i].m_index = idx;
		m[i].m_pfn = pfn;
		snprintf(m[i].m_text, sizeof(m[i].m_text), "%s", text);
	}
	fclose(f);
	*np = n;
	return 0;
}


/*
 * Whether page holds text repeated over XEN_PAGE_SIZE bytes (a page the
 * guest's marker or granter program filled); says on stderr where it
 * differs, naming who (the marker or grant) and how (the way it was read).
 */
static bool
live_text_page_ok(const unsigned char *page, const char *text,
    const char *who, const char *how)
{
	size_t k, ulen = strlen(text);
	unsigned char want[XEN_PAGE_SIZE];

	for (k = 0; k < XEN_PAGE_SIZE; k++)
		want[k] = ulen == 0 ? 0 : (unsigned char)text[k % ulen];
	if (memcmp(page, want, XEN_PAGE_SIZE) == 0)
		return true;
	for (k = 0; page[k] == want[k]; k++)
		;
	fprintf(stderr, "%s: %s, %s: differs at offset %zu: page starts "
	    "\"", live_prog, who, how, k);
	live_show_bytes(stderr, page, 40);
	fprintf(stderr, "\"\n");
	return false;
}

bool
live_marker_ok(const struct live_marker *m, const unsigned char *page,
    const char *how)
{
	char who[64];

	snprintf(who, sizeof(who), "marker %u pfn=0x%" PRIx64, m->m_index,
	    m->m_pfn);
	return live_text_page_ok(page, m->m_text, who, how);
}

bool
live_grant_ok(const struct live_grant *g, const unsigned char *page,
    const char *how)
{
	char who[64];

	snprintf(who, sizeof(who), "grant %u (ref %" PRIu32 ")", g->g_index,
	    g->g_ref);
	return live_text_page_ok(page, g->g_text, who, how);
}

bool
live_reserved(const void *addr, size_t n, const char *what)
{
	unsigned long lo, hi;
	char line[512], perms[8];
	size_t i;
	FILE *f;

	for (i = 0; i < n; i++) {
		uintptr_t a = (uintptr_t)addr + i * XEN_PAGE_SIZE;
		bool found = false;

		if ((f = fopen("/proc/self/maps", "r")) == NULL) {
			live_failf("/proc/self/maps: %s", strerror(errno));
			return false;
		}
		while (!found && fgets(line, sizeof(line), f) != NULL)
			found = sscanf(line, "%lx-%lx %7s", &lo, &hi,
			    perms) == 3 && a >= lo && a < hi;
		fclose(f);
		if (!found || strcmp(perms, "---p") != 0) {
			live_failf("%s: page %zu at %p is %s, not a PROT_NONE "
			    "reservation", what, i, (void *)a, found ? perms :
			    "a hole");
			return false;
		}
	}
	return true;
}

bool
live_find_prog(const char *prog, const char *const *extra, char *buf,
    size_t len)
{
	const char *path = getenv("PATH");
	const char *p, *end;
	size_t i;

	for (p = path; p != NULL && *p != '\0'; p = *end ? end + 1 : end) {
		end = strchr(p, ':');
		if (end == NULL)
			end = p + strlen(p);
		snprintf(buf, len, "%.*s/%s", (int)(end - p), p, prog);
		if (access(buf, X_OK) == 0)
			return true;
	}
	for (i = 0; extra != NULL && extra[i] != NULL; i++) {
		snprintf(buf, len, "%s", extra[i]);
		if (access(buf, X_OK) == 0)
			return true;
	}
	return false;
}

int
live_run(char *const argv[])
{
	int status;
	pid_t pid;

	fflush(NULL);
	if ((pid = fork()) < 0)
		return -1;
	if (pid == 0) {
		/* A check killed by its time limit takes the command along. */
		(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
		(void)dup2(2, 1);
		execvp(argv[0], argv);
		fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int
live_failf(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", live_prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return LIVE_FAIL;
}

int
live_skip(const char *why)
{
	fprintf(stderr, "%s: %s\n", live_prog, why);
	return LIVE_SKIP;
}

int
live_parse_grants(const char *path, struct live_grants *gs, size_t need_rw,
    bool need_ro)
{
	char line[512], text[64], why[256] = "";
	unsigned int idx, ref;
	bool done = false;
	size_t n = 0, i;
	FILE *f;
	int rw;

	memset(gs, 0, sizeof(*gs));
	gs->gs_ro = -1;
	if ((f = fopen(path, "r")) == NULL)
		return live_failf("cannot read console log %s: %s", path,
		    strerror(errno));
	while (fgets(line, sizeof(line), f) != NULL) {
		char *p;

		if ((p = strstr(line, "GRANTS-UNAVAILABLE")) != NULL) {
			snprintf(why, sizeof(why), "%s", p);
			why[strcspn(why, "\r\n")] = '\0';
			continue;
		}
		if (strstr(line, "GRANTS-DONE") != NULL) {
			done = true;
			continue;
		}
		if ((p = strstr(line, "GRANT ")) == NULL ||
		    sscanf(p, "GRANT %u gref=%u rw=%d text=%63s", &idx, &ref,
		    &rw, text) != 4)
			continue;
		if (done || why[0] != '\0') {
			/* A new boot: forget the previous one. */
			done = false;
			why[0] = '\0';
			n = 0;
		}
		for (i = 0; i < n && gs->gs_grant[i].g_index != idx; i++)
			;
		if (i == n) {
			if (n == LIVE_MAX_GRANTS)
				continue;
			n++;
		}
		gs->gs_grant[i].g_index = idx;
		gs->gs_grant[i].g_ref = ref;
		gs->gs_grant[i].g_rw = rw != 0;
		snprintf(gs->gs_grant[i].g_text, sizeof(gs->gs_grant[i].g_text), "%s",
		    text);
	}
	fclose(f);
	if (n == 0)
		return live_skip(why[0] != '\0' ? why : "the guest offers no "
		    "grants: no GRANT lines on its console");
	if (!done)
		return live_failf("%s has GRANT lines but no GRANTS-DONE", path);
	gs->gs_n = n;
	for (i = 0; i < n; i++) {
		if (gs->gs_grant[i].g_rw)
			gs->gs_rw[gs->gs_nrw++] = i;
		else if (gs->gs_ro < 0)
			gs->gs_ro = (int)i;
	}
	if (gs->gs_nrw < need_rw || (need_ro && gs->gs_ro < 0))
		return live_failf("the guest offers %zu writable and %s read-only "
		    "grant; this check needs %zu and %s", gs->gs_nrw,
		    gs->gs_ro < 0 ? "no" : "one", need_rw,
		    need_ro ? "one" : "none");
	return LIVE_OK;
}

