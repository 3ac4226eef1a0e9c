/*
 * xen_domain_test - the Xen layer's domain, pause-guard and vCPU calls
 * where no hypervisor is needed: opening Xen where there is none (the
 * message must name privcmd and what to do), every call's argument
 * checks, and the state and type names.  On a real dom0, run as root,
 * the argument checks run against a real handle as well.  Skips when
 * porthole was built without the Xen libraries.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "tests/test.h"

#ifndef HAVE_XEN

int
main(void)
{
	TEST_SKIP("porthole was built without the Xen libraries (install "
	    "libxen-dev and configure --with-xen)");
}

#else

#include "xen/xen_domain.h"
#include "xen/xen_pause.h"
#include "xen/xen_vcpu.h"

/* Where there is no privcmd, or we may not open it. */
static void
test_open_refused(const struct xen_err *err, int e)
{
	fprintf(stderr, "xen_open: errno %d: %s\n", e, err->xe_msg);
	CHECK(e == ENOENT || e == EACCES || e == EPERM || e == ENODEV ||
	    e == ENXIO);
	CHECK(err->xe_errno == e);
	CHECK(test_says((err)->xe_msg, "privcmd"));
	if (e == ENOENT || e == ENODEV || e == ENXIO)
		CHECK(test_says((err)->xe_msg, "not a Xen dom0") && test_says((err)->xe_msg, "xen-privcmd"));
	else
		CHECK(test_says((err)->xe_msg, "root"));
}

/* Every call with a NULL handle or NULL output. */
static void
test_null_arguments(void)
{
	struct xen_domain_info di;
	struct xen_vcpu_regs regs;
	struct xen_err err;
	uint32_t domid, ids[4];
	size_t n;
	int e;

	CHECK_ERRNO(xen_domain_resolve(NULL, "x", &domid, &err), EINVAL);
	CHECK(err.xe_errno == EINVAL && test_says((&err)->xe_msg, "NULL"));
	CHECK_ERRNO(xen_domain_resolve_opts(NULL, "x", NULL, &domid, &err),
	    EINVAL);
	CHECK_ERRNO(xen_domain_info(NULL, 1, &di, &err), EINVAL);
	CHECK_ERRNO(xen_domain_list(NULL, ids, 4, &n, &err), EINVAL);
	CHECK_ERRNO(xen_domain_list_info(NULL, &di, 1, &n, &err), EINVAL);
	CHECK_ERRNO(xen_domain_pause(NULL, 1, &err), EINVAL);
	CHECK_ERRNO(xen_domain_unpause(NULL, 1, &err), EINVAL);
	errno = 0;
	CHECK(xen_pause_take(NULL, 1, 0, &err) == NULL && errno == EINVAL);
	CHECK(test_says((&err)->xe_msg, "NULL"));
	CHECK_ERRNO(xen_vcpu_regs(NULL, 1, 0, &regs, &err), EINVAL);
	CHECK_ERRNO(xen_vcpu_regs_all(NULL, 1, &regs, 1, &n, &err), EINVAL);
	/* Without a struct xen_err: errno alone. */
	CHECK_ERRNO(xen_domain_info(NULL, 1, &di, NULL), EINVAL);
	/* xen_close(NULL) is a no-op that keeps errno. */
	errno = e = ENOSPC;
	xen_close(NULL);
	CHECK(errno == e);
}

/* The same with a real handle (dom0, root). */
static void
test_handle_arguments(struct xen_handle *xh)
{
	struct xen_resolve_opts opts;
	struct xen_domain_info di;
	struct xen_vcpu_regs regs;
	struct xen_err err;
	uint32_t domid;
	size_t n;

	CHECK_ERRNO(xen_domain_resolve(xh, NULL, &domid, &err), EINVAL);
	CHECK_ERRNO(xen_domain_resolve(xh, "0", NULL, &err), EINVAL);
	CHECK_ERRNO(xen_domain_resolve(xh, "", &domid, &err), EINVAL);
	CHECK_ERRNO(xen_domain_resolve(xh, "4294967295", &domid, &err),
	    ERANGE);
	memset(&opts, 0, sizeof(opts));
	opts.ro_size = sizeof(opts) - 1;
	CHECK_ERRNO(xen_domain_resolve_opts(xh, "0", &opts, &domid, &err),
	    EINVAL);
	CHECK(test_says((&err)->xe_msg, "ro_size"));
	opts.ro_size = sizeof(opts);
	opts.ro_flags = 0x100;
	CHECK_ERRNO(xen_domain_resolve_opts(xh, "0", &opts, &domid, &err),
	    EINVAL);
	CHECK(test_says((&err)->xe_msg, "flags"));
	CHECK_ERRNO(xen_domain_info(xh, 0, NULL, &err), EINVAL);
	CHECK_ERRNO(xen_domain_list(xh, NULL, 4, &n, &err), EINVAL);
	CHECK_ERRNO(xen_domain_list(xh, NULL, 0, NULL, &err), EINVAL);
	CHECK_ERRNO(xen_domain_list_info(xh, NULL, 1, &n, &err), EINVAL);
	CHECK_ERRNO(xen_domain_pause(xh, 0, &err), EINVAL);
	CHECK(test_says((&err)->xe_msg, "dom0"));
	errno = 0;
	CHECK(xen_pause_take(xh, 0, 0, &err) == NULL && errno == EINVAL);
	CHECK(test_says((&err)->xe_msg, "dom0"));
	CHECK_ERRNO(xen_vcpu_regs(xh, 0, 0, NULL, &err), EINVAL);
	CHECK_ERRNO(xen_vcpu_regs_all(xh, 0, NULL, 1, &n, &err), EINVAL);
	CHECK_ERRNO(xen_vcpu_regs(xh, 0, 100000, &regs, &err), ENOENT);
	CHECK(test_says((&err)->xe_msg, "no vCPU"));
	CHECK_ERRNO(xen_domain_info(xh, 32700, &di, &err), ENOENT);
	CHECK(test_says((&err)->xe_msg, "32700"));
	CHECK_ERRNO(xen_domain_resolve(xh, "32700", &domid, &err), ENOENT);
}

static void
test_names(void)
{
	struct xen_domain_info di;
	char flags[7];

	CHECK(strcmp(xen_domain_type_name(XEN_DOMAIN_PV), "pv") == 0);
	CHECK(strcmp(xen_domain_type_name(XEN_DOMAIN_PVH), "pvh") == 0);
	CHECK(strcmp(xen_domain_type_name(XEN_DOMAIN_HVM), "hvm") == 0);
	CHECK(strcmp(xen_domain_type_name((enum xen_domain_type)0),
	    "unknown") == 0);
	CHECK(strcmp(xen_domain_state_name(XEN_DOMAIN_DYING), "dying") == 0);
	CHECK(strcmp(xen_domain_state_name(XEN_DOMAIN_CRASHED), "crashed") ==
	    0);
	CHECK(strcmp(xen_domain_state_name(XEN_DOMAIN_SHUTDOWN), "shutdown") ==
	    0);
	CHECK(strcmp(xen_domain_state_name(XEN_DOMAIN_PAUSED), "paused") == 0);
	CHECK(strcmp(xen_domain_state_name(XEN_DOMAIN_RUNNING), "running") ==
	    0);
	CHECK(strcmp(xen_domain_state_name(XEN_DOMAIN_BLOCKED), "blocked") ==
	    0);
	CHECK(strcmp(xen_domain_state_name((enum xen_domain_state)99),
	    "unknown") == 0);
	CHECK(strcmp(xen_vcpu_layout_name(XEN_VCPU_PV64), "pv64") == 0);
	CHECK(strcmp(xen_vcpu_layout_name(XEN_VCPU_PV32), "pv32") == 0);
	CHECK(strcmp(xen_vcpu_layout_name(XEN_VCPU_HVM), "hvm") == 0);
	CHECK(strcmp(xen_vcpu_layout_name((enum xen_vcpu_layout)0),
	    "unknown") == 0);

	memset(&di, 0, sizeof(di));
	CHECK(strcmp(xen_domain_state_flags(&di, flags), "------") == 0);
	di.di_blocked = true;
	CHECK(strcmp(xen_domain_state_flags(&di, flags), "-b----") == 0);
	di.di_paused = true;
	di.di_shutdown = true;
	di.di_crashed = true;
	di.di_dying = true;
	di.di_running = true;
	CHECK(strcmp(xen_domain_state_flags(&di, flags), "rbpscd") == 0);
	CHECK(strcmp(xen_domain_state_flags(NULL, flags), "------") == 0);
}

int
main(void)
{
	struct xen_handle *xh;
	struct xen_err err;
	int e;

	test_names();
	test_null_arguments();

	xen_err_clear(&err);
	errno = 0;
	xh = xen_open(&err);
	e = errno;
	if (xh == NULL) {
		test_open_refused(&err, e);
	} else {
		fprintf(stderr, "a Xen dom0: argument checks on a real "
		    "handle\n");
		test_handle_arguments(xh);
		xen_close(xh);
	}
	return test_done();
}

#endif /* HAVE_XEN */
