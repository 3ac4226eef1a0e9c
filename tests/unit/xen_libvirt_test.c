/*
 * xen_libvirt_test - domain lookup through libvirt (xen/xen_libvirt.c)
 * against libvirt's own test driver: test:///default (one running domain,
 * "test") and node files the test writes (running, shut off and paused
 * domains, a domain whose name is another's id).  Needs no Xen and no
 * libvirtd.  Skips when porthole was built without libvirt.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/test.h"
#include "xen/xen_libvirt.h"

static char tmpdir[256];

/* test:///default: its one domain by name, id and UUID. */
static void
test_default_driver(void)
{
	struct xen_libvirt_domain a, b;
	struct xen_err err;
	char spec[64];
	size_t i;

	REQUIRE(xen_libvirt_lookup("test:///default", "test", &a, &err) == 0);
	CHECK(strcmp(a.lv_name, "test") == 0);
	CHECK(strlen(a.lv_uuid) == XEN_DOMAIN_UUID_LEN);
	CHECK(strcmp(a.lv_state, "running") == 0);
	CHECK(a.lv_id != XEN_DOMID_INVALID);

	snprintf(spec, sizeof(spec), "%u", a.lv_id);
	CHECK(xen_libvirt_lookup("test:///default", spec, &b, &err) == 0);
	CHECK(strcmp(b.lv_name, "test") == 0 && b.lv_id == a.lv_id);

	CHECK(xen_libvirt_lookup("test:///default", a.lv_uuid, &b, &err) == 0);
	CHECK(strcmp(b.lv_name, "test") == 0 && b.lv_id == a.lv_id);
	/* A UUID in capitals is the same UUID. */
	snprintf(spec, sizeof(spec), "%s", a.lv_uuid);
	for (i = 0; spec[i] != '\0'; i++)
		if (spec[i] >= 'a' && spec[i] <= 'f')
			spec[i] = (char)(spec[i] - 'a' + 'A');
	CHECK(xen_libvirt_lookup("test:///default", spec, &b, &err) == 0);
	CHECK(strcmp(b.lv_uuid, a.lv_uuid) == 0);

	CHECK_ERRNO(xen_libvirt_lookup("test:///default", "porthole-nosuch",
	    &b, &err), ENOENT);
	CHECK(err.xe_errno == ENOENT);
	CHECK(test_says((&err)->xe_msg, "porthole-nosuch") && test_says((&err)->xe_msg, "test:///default"));
	CHECK_ERRNO(xen_libvirt_lookup("test:///default", "4000", &b, &err),
	    ENOENT);
	CHECK(test_says((&err)->xe_msg, "with id"));
	CHECK_ERRNO(xen_libvirt_lookup("test:///default",
	    "00000000-0000-0000-0000-00000000beef", &b, &err), ENOENT);
	CHECK(test_says((&err)->xe_msg, "with UUID"));
}

static const char node_head[] =
    "<node>\n";
static const char node_tail[] =
    "</node>\n";

/* One domain of a test-driver node file; runstate 1 running, 3 paused,
 * 5 shut off. */
static void
node_domain(FILE *f, const char *name, const char *uuid, int runstate)
{
	fprintf(f,
	    "  <domain type='test' "
	    "xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>\n"
	    "    <name>%s</name>\n"
	    "    <uuid>%s</uuid>\n"
	    "    <memory>65536</memory>\n"
	    "    <vcpu>1</vcpu>\n"
	    "    <os><type>hvm</type></os>\n"
	    "    <test:runstate>%d</test:runstate>\n"
	    "  </domain>\n", name, uuid, runstate);
}

#define UUID_ALPHA	"a1a1a1a1-0000-4000-8000-000000000001"
#define UUID_BETA	"b2b2b2b2-0000-4000-8000-000000000002"
#define UUID_GAMMA	"c3c3c3c3-0000-4000-8000-000000000003"
#define UUID_DELTA	"d4d4d4d4-0000-4000-8000-000000000004"
#define UUID_IDNAME	"e5e5e5e5-0000-4000-8000-000000000005"

/*
 * Write a node file (idname: also a domain named so, or NULL) and return
 * its test:// URI in uri.
 */
static void
write_node(const char *file, const char *idname, char *uri, size_t len)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, file);
	f = fopen(path, "w");
	REQUIRE(f != NULL);
	fputs(node_head, f);
	node_domain(f, "alpha", UUID_ALPHA, 1);
	node_domain(f, "beta", UUID_BETA, 5);
	node_domain(f, "gamma", UUID_GAMMA, 1);
	node_domain(f, "delta", UUID_DELTA, 3);
	if (idname != NULL)
		node_domain(f, idname, UUID_IDNAME, 1);
	fputs(node_tail, f);
	REQUIRE(fclose(f) == 0);
	REQUIRE(snprintf(uri, len, "test://%s", path) < (int)len);
}

static void
test_node_file(void)
{
	struct xen_libvirt_domain a, g, g2, b;
	struct xen_err err;
	char uri[600], uri2[600], spec[32];

	write_node("node.xml", NULL, uri, sizeof(uri));

	REQUIRE(xen_libvirt_lookup(uri, "alpha", &a, &err) == 0);
	CHECK(strcmp(a.lv_uuid, UUID_ALPHA) == 0);
	CHECK(strcmp(a.lv_state, "running") == 0);
	REQUIRE(xen_libvirt_lookup(uri, "gamma", &g, &err) == 0);
	CHECK(g.lv_id != a.lv_id);
	CHECK(xen_libvirt_lookup(uri, UUID_GAMMA, &b, &err) == 0);
	CHECK(strcmp(b.lv_name, "gamma") == 0 && b.lv_id == g.lv_id);

	/* A paused domain runs (has an id); its state says paused. */
	CHECK(xen_libvirt_lookup(uri, "delta", &b, &err) == 0);
	CHECK(strcmp(b.lv_state, "paused") == 0);

	/* Shut off: refused by name and by UUID, with a clear message. */
	CHECK_ERRNO(xen_libvirt_lookup(uri, "beta", &b, &err), ESRCH);
	CHECK(err.xe_errno == ESRCH);
	CHECK(test_says((&err)->xe_msg, "beta") && test_says((&err)->xe_msg, "shut off") &&
	    test_says((&err)->xe_msg, "not running") && test_says((&err)->xe_msg, UUID_BETA));
	CHECK_ERRNO(xen_libvirt_lookup(uri, UUID_BETA, &b, &err), ESRCH);
	CHECK(test_says((&err)->xe_msg, "shut off"));

	/*
	 * The same node plus a domain named as gamma's id: the id is now
	 * ambiguous; the other domain's own id is not.
	 */
	snprintf(spec, sizeof(spec), "%u", g.lv_id);
	write_node("node2.xml", spec, uri2, sizeof(uri2));
	REQUIRE(xen_libvirt_lookup(uri2, "gamma", &g2, &err) == 0);
	REQUIRE(g2.lv_id == g.lv_id);
	CHECK_ERRNO(xen_libvirt_lookup(uri2, spec, &b, &err), ENOTUNIQ);
	CHECK(test_says((&err)->xe_msg, "ambiguous") && test_says((&err)->xe_msg, "gamma") &&
	    test_says((&err)->xe_msg, UUID_IDNAME));
	CHECK(xen_libvirt_lookup(uri2, UUID_IDNAME, &b, &err) == 0);
	CHECK(strcmp(b.lv_name, spec) == 0);
	snprintf(spec, sizeof(spec), "%u", b.lv_id);
	CHECK(xen_libvirt_lookup(uri2, spec, &b, &err) == 0);
	CHECK(strcmp(b.lv_uuid, UUID_IDNAME) == 0);
}

static void
test_bad_uri(void)
{
	struct xen_libvirt_domain d;
	struct xen_err err;
	char uri[600];

	snprintf(uri, sizeof(uri), "test://%s/no-such-node.xml", tmpdir);
	CHECK_ERRNO(xen_libvirt_lookup(uri, "alpha", &d, &err),
	    ECONNREFUSED);
	CHECK(test_says((&err)->xe_msg, "connecting to libvirt") && test_says((&err)->xe_msg, uri));
	/* Nothing listens for the default URI here. */
	if (access("/var/run/libvirt/libvirt-sock-ro", F_OK) != 0) {
		CHECK_ERRNO(xen_libvirt_lookup(NULL, "alpha", &d, &err),
		    ECONNREFUSED);
		CHECK(test_says((&err)->xe_msg, XEN_LIBVIRT_DEFAULT_URI) &&
		    test_says((&err)->xe_msg, "libvirtd"));
	}
}

static void
test_uri_choice(void)
{
	struct xen_libvirt_domain d;
	struct xen_err err;

	REQUIRE(unsetenv(XEN_LIBVIRT_URI_ENV) == 0);
	CHECK(strcmp(xen_libvirt_uri(NULL), XEN_LIBVIRT_DEFAULT_URI) == 0);
	CHECK(!xen_libvirt_uri_explicit(NULL));
	CHECK(strcmp(xen_libvirt_uri("test:///default"), "test:///default") ==
	    0);
	CHECK(xen_libvirt_uri_explicit("test:///default"));
	REQUIRE(setenv(XEN_LIBVIRT_URI_ENV, "", 1) == 0);
	CHECK(strcmp(xen_libvirt_uri(NULL), XEN_LIBVIRT_DEFAULT_URI) == 0);
	CHECK(!xen_libvirt_uri_explicit(NULL));
	REQUIRE(setenv(XEN_LIBVIRT_URI_ENV, "test:///default", 1) == 0);
	CHECK(strcmp(xen_libvirt_uri(NULL), "test:///default") == 0);
	CHECK(xen_libvirt_uri_explicit(NULL));
	CHECK(xen_libvirt_lookup(NULL, "test", &d, &err) == 0);
	CHECK(strcmp(d.lv_name, "test") == 0);
	REQUIRE(unsetenv(XEN_LIBVIRT_URI_ENV) == 0);
}

static void
test_arguments(void)
{
	struct xen_libvirt_domain d;
	struct xen_err err;

	CHECK_ERRNO(xen_libvirt_lookup("test:///default", NULL, &d, &err),
	    EINVAL);
	CHECK_ERRNO(xen_libvirt_lookup("test:///default", "test", NULL, &err),
	    EINVAL);
	CHECK_ERRNO(xen_libvirt_lookup("test:///default", "", &d, &err),
	    EINVAL);
	CHECK(test_says((&err)->xe_msg, "empty"));
	CHECK_ERRNO(xen_libvirt_lookup("test:///default", "99999999999", &d,
	    &err), ERANGE);
	/* No struct xen_err: errno alone. */
	CHECK_ERRNO(xen_libvirt_lookup("test:///default", "porthole-nosuch",
	    &d, NULL), ENOENT);
}

static void *
lookup_loop(void *arg)
{
	struct xen_libvirt_domain d;
	struct xen_err err;
	long bad = 0;
	int i;

	(void)arg;
	for (i = 0; i < 20; i++) {
		if (xen_libvirt_lookup("test:///default", "test", &d, &err) != 0 ||
		    strcmp(d.lv_name, "test") != 0)
			bad++;
	}
	return (void *)bad;
}

static void
test_threads(void)
{
	pthread_t t[4];
	void *bad;
	int i;

	for (i = 0; i < 4; i++)
		REQUIRE(pthread_create(&t[i], NULL, lookup_loop, NULL) == 0);
	for (i = 0; i < 4; i++) {
		REQUIRE(pthread_join(t[i], &bad) == 0);
		CHECK(bad == NULL);
	}
}

int
main(void)
{
	struct xen_libvirt_domain d;
	struct xen_err err;
	const char *dir = getenv("TMPDIR");

	if (!xen_libvirt_available()) {
		CHECK_ERRNO(xen_libvirt_lookup(NULL, "x", &d, &err), ENOTSUP);
		CHECK(test_says((&err)->xe_msg, "without libvirt"));
		TEST_SKIP("porthole was built without libvirt "
		    "(configure --with-libvirt; needs libvirt-dev)");
	}
	if (dir == NULL || *dir == '\0')
		dir = "/tmp";
	REQUIRE(snprintf(tmpdir, sizeof(tmpdir), "%s/xen_libvirt_test.XXXXXX",
	    dir) < (int)sizeof(tmpdir));
	REQUIRE(mkdtemp(tmpdir) != NULL);

	test_arguments();
	test_uri_choice();
	test_default_driver();
	test_node_file();
	test_bad_uri();
	test_threads();

	{
		char path[600];

		snprintf(path, sizeof(path), "%s/node.xml", tmpdir);
		(void)unlink(path);
		snprintf(path, sizeof(path), "%s/node2.xml", tmpdir);
		(void)unlink(path);
		(void)rmdir(tmpdir);
	}
	return test_done();
}
