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
#include <stdio.h>

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
extern const struct live_check live_guest_checks[];	/* live_guest.c */
extern const struct live_check live_linux_checks[];	/* live_linux.c */
extern const struct live_check live_cli_checks[];	/* live_cli.c */

struct live_marker {
	unsigned int	m_index;
	uint64_t	m_pfn;
	char		m_text[64];
};

/*
 * What the guest's granter program offers dom0 (tests/xen/guest/granter.c
 * prints "GRANT <n> gref=<ref> rw=<0|1> text=<unit>" per grant, then
 * "GRANTS-DONE <N>", or "GRANTS-UNAVAILABLE <why>"): gs_grant[0..gs_n),
 * gs_rw the writable ones (indexes into gs_grant), gs_ro the read-only one
 * (or -1).
 */
#define LIVE_MAX_GRANTS	32

struct live_grant {
	unsigned int	g_index;
	uint32_t	g_ref;
	bool		g_rw;
	char		g_text[64];
};

struct live_grants {
	struct live_grant	gs_grant[LIVE_MAX_GRANTS];
	size_t			gs_n;
	size_t			gs_rw[LIVE_MAX_GRANTS];
	size_t			gs_nrw;
	int			gs_ro;
};

/*
 * The GRANT lines of the guest's last boot in its console log.  LIVE_OK
 * with at least need_rw writable grants (and the read-only one when
 * need_ro), LIVE_SKIP when the guest offers none (the reason last on
 * stderr), LIVE_FAIL when the log cannot be read, is incomplete or offers
 * too few.
 */
int	live_parse_grants(const char *path, struct live_grants *gs,
	    size_t need_rw, bool need_ro);

/* Print "xenlive: <message>" and return LIVE_FAIL. */
int	live_failf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print "xenlive: why" and return LIVE_SKIP. */
int	live_skip(const char *why);

/* Print "xenlive: what: <err message>" and return LIVE_FAIL. */
int	live_fail(const struct xen_err *err, const char *what);
/*
 * Every page of the `xl dump-core` file at path against porthole's own
 * reads of domain domid, which must be paused: seg_kpm over the live
 * provider, and one seg_mf view of the dump's pfns (live_xccore.c).
 */
int	live_dumpcmp(struct xen_handle *xh, uint32_t domid, const char *path);
/* A monotonic clock in seconds. */
double	live_now(void);
/* Open a connection and resolve spec; prints the reason on failure. */
int	live_attach(const char *spec, struct xen_handle **xhp,
	    uint32_t *domidp);
/* live_attach and bind the domain's memory for reading. */
int	live_bind(const char *spec, struct xen_handle **xhp,
	    struct xen_physmem **pmp, uint32_t *domidp);
/* n bytes as printable ASCII ('.' for the rest) on f. */
void	live_show_bytes(FILE *f, const unsigned char *p, size_t n);
/*
 * The MARKER lines of the guest's last boot in a console log (see
 * tests/xen/guest/marker.c): up to LIVE_MAX_MARKERS into m, their number
 * to *np, *donep whether MARKERS-DONE followed.  -1 when the log cannot
 * be read (said on stderr).
 */
int	live_parse_markers(const char *path, struct live_marker *m,
	    size_t *np, bool *donep);
/*
 * Whether page holds what a MARKER (GRANT) line describes: its text
 * repeated over XEN_PAGE_SIZE bytes (the grant page size too).  When not,
 * says on stderr where it differs and how the page starts, naming the
 * marker (grant) and how it was read.
 */
bool	live_marker_ok(const struct live_marker *m,
	    const unsigned char *page, const char *how);
bool	live_grant_ok(const struct live_grant *g, const unsigned char *page,
	    const char *how);
/*
 * Every page of [addr, addr + n pages) is a PROT_NONE private reservation
 * in /proc/self/maps, what an address space's window holds between
 * segments (no mapping left, no hole); says which page is not.
 */
bool	live_reserved(const void *addr, size_t n, const char *what);
/*
 * The full path of prog into buf: on $PATH, else the first executable of
 * extra (NULL-terminated; extra may be NULL).  False when none is.
 */
bool	live_find_prog(const char *prog, const char *const *extra, char *buf,
	    size_t len);
/*
 * Run argv (argv[0] looked up on $PATH) with its output on our stderr; it
 * is killed if we die first.  Its exit status, or -1 when it could not be
 * run or died of a signal.
 */
int	live_run(char *const argv[]);

#endif /* PORTHOLE_LIVE_H */
