/*
 * porthole_domains_test.c -- the public domain list (<porthole/domain.h>)
 * through the installed library: the type and state names, a missing
 * callback refused, and the list itself: in dom0 it holds dom0 and stops
 * when the callback says so; anywhere else (no privcmd, not root, or no
 * Xen in the build) it fails with a sentence saying why.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <porthole/domain.h>
#include "tests/test.h"

struct seen {
	unsigned	n;
	bool		dom0;
	bool		ordered;
	uint32_t	last;
};

static int
count_cb(const struct porthole_domain *d, void *arg)
{
	struct seen *s = arg;

	if (s->n > 0 && d->pd_domid <= s->last)
		s->ordered = false;
	s->last = d->pd_domid;
	if (d->pd_domid == 0)
		s->dom0 = true;
	s->n++;
	return (0);
}

static int
stop_cb(const struct porthole_domain *d, void *arg)
{
	(void) d;
	(*(unsigned *)arg)++;
	return (42);
}

int
main(void)
{
	struct seen s = { .ordered = true };
	char err[512] = "unchanged";
	unsigned calls = 0;
	int rc;

	CHECK(strcmp(porthole_domain_type_name(PORTHOLE_DOMAIN_PV), "pv") == 0);
	CHECK(strcmp(porthole_domain_type_name(PORTHOLE_DOMAIN_PVH),
	    "pvh") == 0);
	CHECK(strcmp(porthole_domain_type_name(PORTHOLE_DOMAIN_HVM),
	    "hvm") == 0);
	CHECK(strcmp(porthole_domain_type_name(
	    (enum porthole_domain_type)0), "unknown") == 0);
	CHECK(strcmp(porthole_domain_state_name(PORTHOLE_DOMAIN_RUNNING),
	    "running") == 0);
	CHECK(strcmp(porthole_domain_state_name(PORTHOLE_DOMAIN_BLOCKED),
	    "blocked") == 0);
	CHECK(strcmp(porthole_domain_state_name(PORTHOLE_DOMAIN_DYING),
	    "dying") == 0);
	CHECK(strcmp(porthole_domain_state_name(
	    (enum porthole_domain_state)99), "unknown") == 0);

	CHECK_ERRNO(porthole_domains(NULL, NULL, err, sizeof (err)), EINVAL);
	CHECK(err[0] != '\0');

	errno = 0;
	rc = porthole_domains(count_cb, &s, err, sizeof (err));
	if (rc == 0) {
		/* In dom0: dom0 itself is listed, ids ascend. */
		CHECK(s.dom0);
		CHECK(s.ordered);
		CHECK(err[0] == '\0');
		CHECK(porthole_domains(stop_cb, &calls, NULL, 0) == 42);
		CHECK(calls == 1);
	} else {
		int e = errno;

		fprintf(stderr, "no domain list here (%s): %s\n",
		    strerror(e), err);
		CHECK(rc == -1);
		CHECK(e == ENOTSUP || e == ENOENT || e == ENODEV ||
		    e == ENXIO || e == EACCES || e == EPERM);
		CHECK(err[0] != '\0' && strcmp(err, "unchanged") != 0);
		CHECK(s.n == 0);
		/* errbuf may be NULL. */
		CHECK_ERRNO(porthole_domains(count_cb, &s, NULL, 0), e);
	}
	return (test_done());
}
