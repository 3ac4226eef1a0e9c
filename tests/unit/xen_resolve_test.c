/*
 * xen_resolve_test - the rules that turn NAME|ID|UUID into one domain
 * (xen/xen_resolve.c), driven with made-up facts: no Xen, no libvirt.
 *
 * Every rule of xen__cand_pick() and xen__merge_libvirt() is checked for
 * its answer, its errno and that its sentence names what went wrong.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "tests/test.h"
#include "xen/xen_resolve.h"

#define UUID_A	"11111111-2222-3333-4444-555555555555"
#define UUID_B	"11111111-2222-3333-4444-666666666666"

static void
test_spec_parse(void)
{
	char uuid[XEN_DOMAIN_UUID_LEN + 1];
	enum xen__spec_kind kind;
	struct xen_err err;
	uint32_t id = 0;

	CHECK(xen__spec_parse("12", &kind, &id, uuid, &err) == 0);
	CHECK(kind == XEN__SPEC_ID && id == 12);
	CHECK(xen__spec_parse("0", &kind, &id, uuid, &err) == 0);
	CHECK(kind == XEN__SPEC_ID && id == 0);
	CHECK(xen__spec_parse("4294967294", &kind, &id, NULL, &err) == 0);
	CHECK(kind == XEN__SPEC_ID && id == 4294967294u);
	CHECK_ERRNO(xen__spec_parse("4294967295", &kind, &id, NULL, &err),
	    ERANGE);
	CHECK(test_says((&err)->xe_msg, "out of range"));
	CHECK_ERRNO(xen__spec_parse("99999999999999999999999", &kind, &id,
	    NULL, &err), ERANGE);
	CHECK(xen__spec_parse("6695EB01-F6A4-8304-79AA-97F2502E193F", &kind,
	    &id, uuid, &err) == 0);
	CHECK(kind == XEN__SPEC_UUID);
	CHECK(strcmp(uuid, "6695eb01-f6a4-8304-79aa-97f2502e193f") == 0);
	/* Near misses are names. */
	CHECK(xen__spec_parse("6695eb01-f6a4-8304-79aa-97f2502e193", &kind,
	    &id, uuid, &err) == 0 && kind == XEN__SPEC_NAME);
	CHECK(xen__spec_parse("6695eb01xf6a4-8304-79aa-97f2502e193f", &kind,
	    &id, uuid, &err) == 0 && kind == XEN__SPEC_NAME);
	CHECK(xen__spec_parse("g695eb01-f6a4-8304-79aa-97f2502e193f", &kind,
	    &id, uuid, &err) == 0 && kind == XEN__SPEC_NAME);
	CHECK(xen__spec_parse("12a", &kind, &id, uuid, &err) == 0 &&
	    kind == XEN__SPEC_NAME);
	CHECK(xen__spec_parse("-1", &kind, &id, uuid, &err) == 0 &&
	    kind == XEN__SPEC_NAME);
	CHECK(xen__spec_parse("porthole-pv", &kind, &id, uuid, &err) == 0 &&
	    kind == XEN__SPEC_NAME);
	CHECK_ERRNO(xen__spec_parse("", &kind, &id, uuid, &err), EINVAL);
	CHECK(test_says((&err)->xe_msg, "empty"));
	CHECK_ERRNO(xen__spec_parse(NULL, &kind, &id, uuid, &err), EINVAL);
	CHECK_ERRNO(xen__spec_parse("x", NULL, &id, uuid, NULL), EINVAL);
}

static void
test_cand_pick(void)
{
	struct xen__cand c[4] = { { 0, XEN__CAND_LIVE } };
	struct xen_err err;
	uint32_t d = 0;

	/* Nothing: ENOENT, worded by kind. */
	CHECK_ERRNO(xen__cand_pick("web", XEN__SPEC_NAME, c, 0, 0, &d, &err),
	    ENOENT);
	CHECK(test_says((&err)->xe_msg, "no domain named \"web\""));
	CHECK_ERRNO(xen__cand_pick(UUID_A, XEN__SPEC_UUID, c, 0, 0, &d, &err),
	    ENOENT);
	CHECK(test_says((&err)->xe_msg, "with UUID " UUID_A));

	/* One live domain. */
	c[0] = (struct xen__cand){ 5, XEN__CAND_LIVE };
	CHECK(xen__cand_pick("web", XEN__SPEC_NAME, c, 1, 0, &d, &err) == 0);
	CHECK(d == 5);

	/* Leftover entries beside a live one name nothing that exists. */
	c[1] = (struct xen__cand){ 3, XEN__CAND_GONE };
	c[2] = (struct xen__cand){ 4, XEN__CAND_REUSED };
	d = 0;
	CHECK(xen__cand_pick("web", XEN__SPEC_NAME, c, 3, 0, &d, &err) == 0);
	CHECK(d == 5);

	/* Two live ones: ambiguous, both ids named. */
	c[1] = (struct xen__cand){ 9, XEN__CAND_LIVE };
	CHECK_ERRNO(xen__cand_pick("web", XEN__SPEC_NAME, c, 2, 0, &d, &err),
	    ENOTUNIQ);
	CHECK(test_says((&err)->xe_msg, "ambiguous") && test_says((&err)->xe_msg, "5") && test_says((&err)->xe_msg, "9"));

	/* A name reused while the old domain is dying: ambiguous. */
	c[1] = (struct xen__cand){ 2, XEN__CAND_DYING };
	CHECK_ERRNO(xen__cand_pick("web", XEN__SPEC_NAME, c, 2,
	    XEN_RESOLVE_ALLOW_DYING, &d, &err), ENOTUNIQ);
	CHECK(test_says((&err)->xe_msg, "dying") && test_says((&err)->xe_msg, "domain 2"));

	/* Only a dying one: ESRCH, unless allowed. */
	c[0] = (struct xen__cand){ 2, XEN__CAND_DYING };
	CHECK_ERRNO(xen__cand_pick("web", XEN__SPEC_NAME, c, 1, 0, &d, &err),
	    ESRCH);
	CHECK(test_says((&err)->xe_msg, "dying") && test_says((&err)->xe_msg, "domain 2"));
	d = 0;
	CHECK(xen__cand_pick("web", XEN__SPEC_NAME, c, 1,
	    XEN_RESOLVE_ALLOW_DYING, &d, &err) == 0 && d == 2);
	c[1] = (struct xen__cand){ 6, XEN__CAND_DYING };
	CHECK_ERRNO(xen__cand_pick("web", XEN__SPEC_NAME, c, 2,
	    XEN_RESOLVE_ALLOW_DYING, &d, &err), ENOTUNIQ);

	/* Only stale entries: ESTALE, saying which kind. */
	c[0] = (struct xen__cand){ 31000, XEN__CAND_GONE };
	CHECK_ERRNO(xen__cand_pick("web", XEN__SPEC_NAME, c, 1, 0, &d, &err),
	    ESTALE);
	CHECK(test_says((&err)->xe_msg, "stale") && test_says((&err)->xe_msg, "no domain 31000"));
	c[0] = (struct xen__cand){ 8, XEN__CAND_REUSED };
	CHECK_ERRNO(xen__cand_pick("web", XEN__SPEC_NAME, c, 1, 0, &d, &err),
	    ESTALE);
	CHECK(test_says((&err)->xe_msg, "reused"));

	CHECK_ERRNO(xen__cand_pick(NULL, XEN__SPEC_NAME, c, 1, 0, &d, &err),
	    EINVAL);
	CHECK_ERRNO(xen__cand_pick("x", XEN__SPEC_NAME, NULL, 1, 0, &d, &err),
	    EINVAL);
	CHECK_ERRNO(xen__cand_pick("x", XEN__SPEC_NAME, c, 1, 0, NULL, NULL),
	    EINVAL);
}

/* libvirt's answer "web is domain id, UUID uuid, running". */
static struct xen_libvirt_domain
lv_dom(uint32_t id, const char *uuid)
{
	struct xen_libvirt_domain lv;

	memset(&lv, 0, sizeof(lv));
	lv.lv_id = id;
	snprintf(lv.lv_name, sizeof(lv.lv_name), "web");
	snprintf(lv.lv_uuid, sizeof(lv.lv_uuid), "%s", uuid);
	snprintf(lv.lv_state, sizeof(lv.lv_state), "running");
	return lv;
}

static struct xen__hv_view
hv_view(bool exists, bool dying, const char *uuid)
{
	struct xen__hv_view hv;

	memset(&hv, 0, sizeof(hv));
	hv.hv_exists = exists;
	hv.hv_dying = dying;
	snprintf(hv.hv_uuid, sizeof(hv.hv_uuid), "%s", uuid);
	return hv;
}

static struct xen_err
an_err(int e, const char *msg)
{
	struct xen_err err;

	err.xe_errno = e;
	snprintf(err.xe_msg, sizeof(err.xe_msg), "%s", msg);
	return err;
}

#define URI	"xen:///system"

static void
test_merge_libvirt_silent(void)
{
	struct xen_libvirt_domain lv = lv_dom(0, "");
	struct xen__hv_view hv = hv_view(false, false, "");
	struct xen_err xe, le, err;
	uint32_t d;

	/* libvirt does not know it, or is not built in: Xen decides. */
	le = an_err(ENOENT, "libvirt: no such domain");
	d = 0;
	CHECK(xen__merge_libvirt("web", URI, true, 0, 5, NULL, -1, &lv, &le,
	    &hv, 0, &d, &err) == 0 && d == 5);
	le = an_err(ENOTSUP, "built without libvirt");
	d = 0;
	CHECK(xen__merge_libvirt("web", URI, true, 0, 5, NULL, -1, &lv, &le,
	    &hv, 0, &d, &err) == 0 && d == 5);
	xe = an_err(ENOENT, "no domain named \"web\"");
	CHECK_ERRNO(xen__merge_libvirt("web", URI, false, -1, 0, &xe, -1, &lv,
	    &le, &hv, 0, &d, &err), ENOENT);
	CHECK(test_says((&err)->xe_msg, "no domain named"));

	/* No libvirt reachable: fine when the URI was only the default... */
	le = an_err(ECONNREFUSED, "connecting to libvirt at " URI ": refused");
	d = 0;
	CHECK(xen__merge_libvirt("web", URI, false, 0, 5, NULL, -1, &lv, &le,
	    &hv, 0, &d, &err) == 0 && d == 5);
	CHECK_ERRNO(xen__merge_libvirt("web", URI, false, -1, 0, &xe, -1, &lv,
	    &le, &hv, 0, &d, &err), ENOENT);
	/* ... an error when it was asked for. */
	CHECK_ERRNO(xen__merge_libvirt("web", URI, true, 0, 5, NULL, -1, &lv,
	    &le, &hv, 0, &d, &err), ECONNREFUSED);
	CHECK(test_says((&err)->xe_msg, "connecting to libvirt"));

	/* libvirt finds the spec ambiguous: always an error. */
	le = an_err(ENOTUNIQ, "libvirt: \"5\" is an id and a name");
	CHECK_ERRNO(xen__merge_libvirt("5", URI, false, 0, 5, NULL, -1, &lv,
	    &le, &hv, 0, &d, &err), ENOTUNIQ);
}

static void
test_merge_libvirt_shut_off(void)
{
	struct xen_libvirt_domain lv = lv_dom(0, "");
	struct xen__hv_view hv = hv_view(false, false, "");
	struct xen_err xe, le, err;
	uint32_t d;

	le = an_err(ESRCH, "libvirt has domain \"web\", but it is shut off");
	/* Xen has none either: libvirt's sentence is the better one. */
	xe = an_err(ENOENT, "no domain named \"web\"");
	CHECK_ERRNO(xen__merge_libvirt("web", URI, false, -1, 0, &xe, -1, &lv,
	    &le, &hv, 0, &d, &err), ESRCH);
	CHECK(test_says((&err)->xe_msg, "shut off"));
	/* Xen runs one under that name: the two disagree. */
	CHECK_ERRNO(xen__merge_libvirt("web", URI, false, 0, 5, NULL, -1, &lv,
	    &le, &hv, 0, &d, &err), ESTALE);
	CHECK(test_says((&err)->xe_msg, "shut off") && test_says((&err)->xe_msg, "domain 5"));
	/* A more specific Xen error wins. */
	xe = an_err(ENOTUNIQ, "2 running domains are named \"web\"");
	CHECK_ERRNO(xen__merge_libvirt("web", URI, false, -1, 0, &xe, -1, &lv,
	    &le, &hv, 0, &d, &err), ENOTUNIQ);
}

static void
test_merge_libvirt_running(void)
{
	struct xen_libvirt_domain lv = lv_dom(5, UUID_A);
	struct xen__hv_view hv = hv_view(true, false, UUID_A);
	struct xen_err xe, err;
	uint32_t d;

	/* Agreement. */
	d = 0;
	CHECK(xen__merge_libvirt("web", URI, false, 0, 5, NULL, 0, &lv, NULL,
	    &hv, 0, &d, &err) == 0 && d == 5);
	/* xenstore does not know the name; libvirt, checked, does. */
	xe = an_err(ENOENT, "no domain named \"web\"");
	d = 0;
	CHECK(xen__merge_libvirt("web", URI, false, -1, 0, &xe, 0, &lv, NULL,
	    &hv, 0, &d, &err) == 0 && d == 5);
	/* The hypervisor has no such domain. */
	hv = hv_view(false, false, "");
	CHECK_ERRNO(xen__merge_libvirt("web", URI, false, 0, 5, NULL, 0, &lv,
	    NULL, &hv, 0, &d, &err), ESTALE);
	CHECK(test_says((&err)->xe_msg, "no domain 5") && test_says((&err)->xe_msg, "stale"));
	/* The domid now carries another UUID. */
	hv = hv_view(true, false, UUID_B);
	CHECK_ERRNO(xen__merge_libvirt("web", URI, false, 0, 5, NULL, 0, &lv,
	    NULL, &hv, 0, &d, &err), ESTALE);
	CHECK(test_says((&err)->xe_msg, UUID_A) && test_says((&err)->xe_msg, UUID_B) && test_says((&err)->xe_msg, "reused"));
	/* Dying. */
	hv = hv_view(true, true, UUID_A);
	CHECK_ERRNO(xen__merge_libvirt("web", URI, false, 0, 5, NULL, 0, &lv,
	    NULL, &hv, 0, &d, &err), ESRCH);
	CHECK(test_says((&err)->xe_msg, "dying"));
	d = 0;
	CHECK(xen__merge_libvirt("web", URI, false, 0, 5, NULL, 0, &lv, NULL,
	    &hv, XEN_RESOLVE_ALLOW_DYING, &d, &err) == 0 && d == 5);
	/* xenstore and libvirt name different domains. */
	hv = hv_view(true, false, UUID_A);
	CHECK_ERRNO(xen__merge_libvirt("web", URI, false, 0, 6, NULL, 0, &lv,
	    NULL, &hv, 0, &d, &err), ESTALE);
	CHECK(test_says((&err)->xe_msg, "domain 6") && test_says((&err)->xe_msg, "domain 5") &&
	    test_says((&err)->xe_msg, "disagree"));
	/* An ambiguous xenstore name is not settled by libvirt. */
	xe = an_err(ENOTUNIQ, "2 running domains are named \"web\"");
	CHECK_ERRNO(xen__merge_libvirt("web", URI, false, -1, 0, &xe, 0, &lv,
	    NULL, &hv, 0, &d, &err), ENOTUNIQ);

	CHECK_ERRNO(xen__merge_libvirt("web", URI, false, 0, 5, NULL, 0, NULL,
	    NULL, &hv, 0, &d, &err), EINVAL);
	CHECK_ERRNO(xen__merge_libvirt("web", NULL, false, 0, 5, NULL, 0, &lv,
	    NULL, &hv, 0, &d, &err), EINVAL);
}

int
main(void)
{
	test_spec_parse();
	test_cand_pick();
	test_merge_libvirt_silent();
	test_merge_libvirt_shut_off();
	test_merge_libvirt_running();
	return test_done();
}
