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
#include <time.h>

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
live_show_bytes(const unsigned char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		putchar(p[i] >= 0x20 && p[i] < 0x7f ? p[i] : '.');
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


void
live_marker_page(const struct live_marker *m, unsigned char *page)
{
	size_t k, ulen = strlen(m->m_text);

	for (k = 0; k < XEN_PAGE_SIZE; k++)
		page[k] = ulen == 0 ? 0 : (unsigned char)m->m_text[k % ulen];
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

