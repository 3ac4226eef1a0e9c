/*
 * cli_target.c -- what TARGET names and how it is opened: a live domain
 * (xen:NAME|ID|UUID, or a bare NAME|ID|UUID that is no file) or a memory
 * image (a path), and the sentence a failure ends with: what failed, on
 * which target, and what to try.
 *
 * The rule, in order (the man page says the same):
 *	1. "xen:..."			a live domain
 *	2. a path that exists		an image
 *	3. text containing '/'		an image (missing: said so)
 *	4. anything else		a live domain by name, id or UUID
 * so "web01" is a domain unless a file web01 sits in the current
 * directory (then write xen:web01), and "./web01" is always a file.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <porthole/guest.h>
#include "tools/porthole.h"

#define	CLI_XEN_PREFIX	"xen:"

bool
cli_target_is_live(const char *target)
{
	struct stat st;

	if (strncmp(target, CLI_XEN_PREFIX, strlen(CLI_XEN_PREFIX)) == 0)
		return (true);
	if (stat(target, &st) == 0 || strchr(target, '/') != NULL)
		return (false);
	return (true);
}

/* What to try after a live domain could not be opened. */
static const char *
cli_live_hint(int e, const char *target)
{
	switch (e) {
	case ENOENT:
		/* No privcmd at all: listing would fail the same way. */
		if (access("/dev/xen/privcmd", F_OK) != 0)
			return (strchr(target, ':') == NULL ? "; for a memory "
			    "image, give its path" : "");
		return (strchr(target, ':') == NULL ? "; see porthole list "
		    "(or, for a memory image, give its path)" :
		    "; see porthole list");
#ifdef ENOTUNIQ
	case ENOTUNIQ:
#endif
	case ESTALE:
		return ("; name it by id or UUID (porthole list)");
	case ENOTSUP:
		return (strncmp(target, CLI_XEN_PREFIX,
		    strlen(CLI_XEN_PREFIX)) == 0 ? "" :
		    " (no file by that name either)");
	default:
		return ("");
	}
}

struct guest *
cli_open(const char *target, unsigned flags)
{
	char err[1024], *spec;
	struct guest *g;
	bool live = cli_target_is_live(target);
	size_t n;
	int e;

	if (*target == '\0') {
		(void) cli_error("no target given: name a domain (porthole "
		    "list) or a memory image");
		errno = EINVAL;
		return (NULL);
	}
	if (live && strncmp(target, CLI_XEN_PREFIX,
	    strlen(CLI_XEN_PREFIX)) != 0) {
		n = strlen(CLI_XEN_PREFIX) + strlen(target) + 1;
		if ((spec = malloc(n)) == NULL) {
			(void) cli_error("out of memory");
			return (NULL);
		}
		(void) snprintf(spec, n, "%s%s", CLI_XEN_PREFIX, target);
	} else if ((spec = strdup(target)) == NULL) {
		(void) cli_error("out of memory");
		return (NULL);
	}
	err[0] = '\0';
	g = guest_open(spec, flags, err, sizeof (err));
	e = errno;
	if (g == NULL) {
		if (err[0] == '\0')
			(void) snprintf(err, sizeof (err), "%s: %s", target,
			    strerror(e));
		if (live)
			(void) cli_error("%s%s", err, cli_live_hint(e,
			    target));
		else if (e == ENOENT)
			(void) cli_error("no memory image %s (no such file)%s",
			    target, strchr(target, '/') == NULL ? "" :
			    "; check the path");
		else
			(void) cli_error("%s", err);
	}
	free(spec);
	errno = e;
	return (g);
}

void
cli_close(struct guest *g)
{
	if (g == NULL)
		return;
	if (guest_domid(g) < 0)
		guest_close(g);
	else
		(void) guest_resume(g);	/* no pause held: nothing to do */
}
