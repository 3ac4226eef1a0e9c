/*
 * linux_infer_images_test.c -- the layout inference (linux_infer.c)
 * against tests/images/'s real kernels (skips without them).
 *
 * For each variant's raw image: the kernel is opened (no cache), then a
 * second handle over the same kernel space gets a profile holding only
 * what VMCOREINFO gives every kernel (_stext, init_uts_ns, the root
 * table, the banner) and no BTF, and linfer_run fills it.  On the
 * x86_64 kernels, which have BTF and full kallsyms, every inferred
 * member must be BTF's (offset, and size where both have one) and every
 * inferred symbol kallsyms' (64-bit; KASLR, 5-level paging, 2 vCPUs with
 * page-table isolation); on
 * i386-pae, which has neither, the inferred profile must be the one
 * linux_open inferred itself.  Each group must be inferred, and the
 * views must list through the inferred profile what they list through
 * the original: the same processes, modules and the marker process's
 * maps.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <porthole/guest.h>
#include <porthole/linux.h>

#include "guest/linux/linux_btf.h"
#include "guest/linux/linux_impl.h"
#include "guest/linux/linux_infer.h"
#include "guest/linux/linux_profile.h"
#include "tests/images/manifest.h"
#include "tests/test.h"

static const char *const variants[] = {
	"i386-pae", "x64-nokaslr", "x64-kaslr", "x64-la57", "x64-smp2-pti"
};

/* What VMCOREINFO gives every kernel: the inference's only inputs. */
static const char *const inputs[] = {
	"_stext", "init_uts_ns", "swapper_pg_dir", "init_top_pgt",
	"linux_banner"
};

/* Symbols the inference finds, checked against kallsyms. */
static const char *const found_symbols[] = {
	"init_task", "modules", "special_mapping_vmops"
};

struct cmp {
	const struct linux_profile *c_ref;
	const char	*c_what;
	unsigned	c_members;
	unsigned	c_bad;
};

static int
cmp_member(void *arg, const struct lprof_entry *e)
{
	struct cmp *c = arg;
	uint64_t off, size;

	c->c_members++;
	if (lprof_member(c->c_ref, e->le_type, e->le_name, &off, &size) != 0) {
		fprintf(stderr, "%s: %s.%s inferred at %#" PRIx64 ", not in "
		    "the reference\n", c->c_what, e->le_type, e->le_name,
		    e->le_value);
		c->c_bad++;
	} else if (off != e->le_value || (e->le_size != 0 && size != 0 &&
	    size != e->le_size)) {
		fprintf(stderr, "%s: %s.%s inferred at %#" PRIx64 " size %"
		    PRIu64 ", the reference has %#" PRIx64 " size %" PRIu64
		    "\n", c->c_what, e->le_type, e->le_name, e->le_value,
		    e->le_size, off, size);
		c->c_bad++;
	}
	return (0);
}

static int
count_task(const struct linux_task *t, void *arg)
{
	(void) t;
	(*(unsigned *)arg)++;
	return (0);
}

static int
count_module(const struct linux_module *m, void *arg)
{
	(void) m;
	(*(unsigned *)arg)++;
	return (0);
}

struct maps {
	unsigned	n;
	char		names[4096];
};

static int
collect_vma(const struct linux_vma *v, void *arg)
{
	struct maps *m = arg;
	size_t len = strlen(m->names);

	m->n++;
	(void) snprintf(m->names + len, sizeof (m->names) - len, "%" PRIx64
	    " %s\n", v->lv_start, v->lv_file);
	return (0);
}

/* The first process with a mm whose name starts with "ph-marker". */
static int
find_marker(const struct linux_task *t, void *arg)
{
	if (strncmp(t->lt_comm, "ph-marker", 9) == 0) {
		*(int *)arg = t->lt_pid;
		return (1);
	}
	return (0);
}

static void
run(const char *dir, const char *variant)
{
	char path[1024], err[512], why[1024];
	struct linux_opts o;
	struct linux_kernel *lk, twin;
	struct guest *g;
	struct cmp c;
	unsigned i, got, n1, n2;
	uint64_t v, ref;
	struct maps *m1, *m2;
	int pid = 0;
	bool btf;

	(void) snprintf(path, sizeof (path), "%s/%s.raw", dir, variant);
	if ((g = guest_open(path, 0, err, sizeof (err))) == NULL) {
		fprintf(stderr, "%s: not here (%s)\n", variant, err);
		return;
	}
	memset(&o, 0, sizeof (o));
	o.lo_size = sizeof (o);
	o.lo_flags = LINUX_OPEN_NO_CACHE;
	lk = linux_open(g, &o, err, sizeof (err));
	if (lk == NULL) {
		fprintf(stderr, "%s: linux_open: %s\n", variant, err);
		CHECK(lk != NULL);
		guest_close(g);
		return;
	}
	btf = lprof_btf(lk->lk_prof) != NULL;
	/*
	 * The x86_64 kernels have BTF, which a build with libbpf reads;
	 * i386-pae's layout, or any without libbpf, was inferred.
	 */
	CHECK(btf == (lbtf_supported() && strncmp(variant, "x64", 3) == 0));
	CHECK(btf || strstr(linux_profile_source(lk), "inferred") != NULL);

	twin = *lk;
	REQUIRE((twin.lk_prof = lprof_new()) != NULL);
	for (i = 0; i < sizeof (inputs) / sizeof (inputs[0]); i++) {
		if (lprof_symbol(lk->lk_prof, inputs[i], &v) == 0)
			REQUIRE(lprof_set_symbol(twin.lk_prof, inputs[i], v) ==
			    0);
	}
	got = linfer_run(&twin, why, sizeof (why));
	fprintf(stderr, "%s: inferred %#x%s%s\n", variant, got,
	    why[0] != '\0' ? ": " : "", why);
	CHECK((got & (LINFER_TASKS | LINFER_CMDLINE | LINFER_MODULES |
	    LINFER_VMAS | LINFER_SPECIAL)) == (LINFER_TASKS | LINFER_CMDLINE |
	    LINFER_MODULES | LINFER_VMAS | LINFER_SPECIAL));

	/* Every member as the reference has it. */
	memset(&c, 0, sizeof (c));
	c.c_ref = lk->lk_prof;
	c.c_what = variant;
	(void) lprof_walk(twin.lk_prof, LPROF_MEMBER, cmp_member, &c);
	fprintf(stderr, "%s: %u members inferred, %u differ from %s\n",
	    variant, c.c_members, c.c_bad, btf ? "BTF" : "linux_open's");
	CHECK(c.c_members >= 40);
	CHECK(c.c_bad == 0);
	for (i = 0; i < sizeof (found_symbols) / sizeof (found_symbols[0]);
	    i++) {
		if (lprof_symbol(twin.lk_prof, found_symbols[i], &v) != 0)
			continue;
		CHECK(lprof_symbol(lk->lk_prof, found_symbols[i], &ref) == 0 &&
		    ref == v);
	}
	CHECK(lprof_symbol(twin.lk_prof, "init_task", &v) == 0);
	CHECK(lprof_symbol(twin.lk_prof, "modules", &v) == 0);

	/* The views say the same through both profiles. */
	n1 = n2 = 0;
	CHECK(linux_tasks(lk, count_task, &n1) == 0);
	CHECK(linux_tasks(&twin, count_task, &n2) == 0);
	CHECK(n1 == n2 && n1 > 10);
	n1 = n2 = 0;
	CHECK(linux_modules(lk, count_module, &n1) == 0);
	CHECK(linux_modules(&twin, count_module, &n2) == 0);
	CHECK(n1 == n2 && n1 > 0);
	(void) linux_tasks(&twin, find_marker, &pid);
	CHECK(pid > 0);
	m1 = calloc(1, sizeof (*m1));
	m2 = calloc(1, sizeof (*m2));
	REQUIRE(m1 != NULL && m2 != NULL);
	CHECK(linux_vmas(lk, pid, collect_vma, m1) == 0);
	CHECK(linux_vmas(&twin, pid, collect_vma, m2) == 0);
	CHECK(m1->n == m2->n && m1->n > 5 && strcmp(m1->names, m2->names) ==
	    0);
	if (strcmp(m1->names, m2->names) != 0)
		fprintf(stderr, "%s: maps differ:\n%s--\n%s", variant,
		    m1->names, m2->names);
	free(m1);
	free(m2);
	lprof_free(twin.lk_prof);
	linux_close(lk);
	guest_close(g);
}

/*
 * i386-pae through the profile cache: the first open infers and writes
 * the layout, the second takes it from the cache (no inference) and the
 * views work the same.
 */
static void
run_cached(const char *dir)
{
	char path[1024], err[512], cache[256], cmd[300];
	struct linux_opts o;
	struct linux_kernel *lk;
	struct guest *g;
	unsigned pass, n[2] = { 0, 0 }, mods[2] = { 0, 0 };

	(void) snprintf(path, sizeof (path), "%s/i386-pae.raw", dir);
	if ((g = guest_open(path, 0, err, sizeof (err))) == NULL)
		return;
	(void) snprintf(cache, sizeof (cache), "%s/ph_linfer.XXXXXX",
	    getenv("TMPDIR") != NULL && getenv("TMPDIR")[0] != '\0' ?
	    getenv("TMPDIR") : "/tmp");
	REQUIRE(mkdtemp(cache) != NULL);
	for (pass = 0; pass < 2; pass++) {
		memset(&o, 0, sizeof (o));
		o.lo_size = sizeof (o);
		o.lo_cache_dir = cache;
		lk = linux_open(g, &o, err, sizeof (err));
		CHECK(lk != NULL);
		if (lk == NULL)
			break;
		fprintf(stderr, "i386-pae, %s: profile from %s\n", pass == 0 ?
		    "cold" : "cached", linux_profile_source(lk));
		CHECK(strstr(linux_profile_source(lk), "inferred") != NULL);
		CHECK((strstr(linux_profile_source(lk), "cache") != NULL) ==
		    (pass == 1));
		CHECK(linux_tasks(lk, count_task, &n[pass]) == 0);
		CHECK(linux_modules(lk, count_module, &mods[pass]) == 0);
		linux_close(lk);
	}
	CHECK(n[0] == n[1] && n[0] > 10);
	CHECK(mods[0] == mods[1] && mods[0] > 0);
	(void) snprintf(cmd, sizeof (cmd), "rm -rf '%s'", cache);
	CHECK(system(cmd) == 0);
	guest_close(g);
}

int
main(void)
{
	char why[1024];
	char dir[768];
	unsigned v;

	if (manifest_image_dir(dir, sizeof (dir), why, sizeof (why)) == NULL)
		TEST_SKIP("%s", why);
	for (v = 0; v < sizeof (variants) / sizeof (variants[0]); v++)
		run(dir, variants[v]);
	run_cached(dir);
	if (test_checks == 0)
		TEST_SKIP("no variant's raw image in %s opens", dir);
	return (test_done());
}
