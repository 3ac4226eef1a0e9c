/*
 * live.h - shared by the files of xenlive, porthole's live checks run in
 * dom0 against a running domain (see xenlive.c and run-live.sh).
 *
 * A check is one named, self-contained test of one domain: it returns
 * LIVE_OK when what it checks holds, LIVE_FAIL when it does not (saying why
 * on stderr) and LIVE_SKIP when it cannot run against this domain (the
 * reason as the last line on stderr).  Each area keeps its checks in its
 * own file (live_<area>.c) as a table ending with a NULL name, listed once
 * in xenlive.c.  run-live.sh runs every check `xenlive checks` lists
 * against every test domain and reports "PASS/FAIL/SKIP: DOMAIN/NAME".
 */
#ifndef PORTHOLE_LIVE_H
#define PORTHOLE_LIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xen/xen_domain.h"
#include "xen/xen_err.h"
#include "xen/xen_physmem.h"

#define LIVE_OK		0
#define LIVE_FAIL	1
#define LIVE_USAGE	2
#define LIVE_SKIP	77
#define LIVE_MAX_MARKERS 64

extern const char *live_prog;

/*
 * What a check is given:
 *	lc_spec		the domain as named on the command line
 *	lc_domid, lc_info	resolved and described
 *	lc_console	the guest's console log (xenconsoled --log=guest),
 *			holding the lines its test programs printed
 *	lc_xh		an open connection (closed by the caller)
 */
struct live_ctx {
	const char		*lc_spec;
	uint32_t		lc_domid;
	struct xen_domain_info	lc_info;
	const char		*lc_console;
	struct xen_handle	*lc_xh;
};

struct live_check {
	const char	*ck_name;	/* NULL ends a table */
	const char	*ck_what;	/* one line for `xenlive checks -v` */
	int		(*ck_run)(struct live_ctx *ctx);
};

/* The tables, one per area file. */
extern const struct live_check live_core_checks[];
extern const struct live_check live_grant_checks[];	/* live_grant.c */
extern const struct live_check live_domain_checks[];	/* live_domain.c */
extern const struct live_check live_segmf_checks[];	/* live_segmf.c */
extern const struct live_check live_xccore_checks[];	/* live_xccore.c */

struct live_marker {
	unsigned int	m_index;
	uint64_t	m_pfn;
	char		m_text[64];
};

/* Print "xenlive: what: <err message>" and return LIVE_FAIL. */
int	live_fail(const struct xen_err *err, const char *what);
/* A monotonic clock in seconds. */
double	live_now(void);
/* Open a connection and resolve spec; prints the reason on failure. */
int	live_attach(const char *spec, struct xen_handle **xhp,
	    uint32_t *domidp);
/* live_attach and bind the domain's memory for reading. */
int	live_bind(const char *spec, struct xen_handle **xhp,
	    struct xen_physmem **pmp, uint32_t *domidp);
/* n bytes as printable ASCII ('.' for the rest) on stdout. */
void	live_show_bytes(const unsigned char *p, size_t n);
/*
 * The MARKER lines of the guest's last boot in a console log (see
 * tests/xen/guest/marker.c): up to LIVE_MAX_MARKERS into m, their number
 * to *np, *donep whether MARKERS-DONE followed.  -1 when the log cannot
 * be read (said on stderr).
 */
int	live_parse_markers(const char *path, struct live_marker *m,
	    size_t *np, bool *donep);
/*
 * The page a marker line describes: its text repeated over XEN_PAGE_SIZE
 * bytes into page.
 */
void	live_marker_page(const struct live_marker *m, unsigned char *page);

#endif /* PORTHOLE_LIVE_H */
