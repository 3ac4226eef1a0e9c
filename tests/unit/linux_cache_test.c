/*
 * linux_cache_test.c -- the on-disk profile cache: where it lives (the
 * option, $PORTHOLE_CACHE_DIR, $XDG_CACHE_HOME, $HOME), keys (build IDs
 * checked, banner hashes, no key that leaves the directory), a profile
 * stored and loaded back entry by entry with its BTF bytes, the
 * directory made 0700 and no temporary file left; and files refused:
 * a byte flipped, truncated, another version, another key, garbage.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "guest/linux/linux_cache.h"
#include "tests/test.h"

static char tmpdir[256];

static void
test_dir(void)
{
	char buf[512];

	CHECK(lcache_dir("/opt/x", buf, sizeof (buf)) == 0 &&
	    strcmp(buf, "/opt/x") == 0);
	REQUIRE(setenv("PORTHOLE_CACHE_DIR", "/env/cache", 1) == 0);
	CHECK(lcache_dir(NULL, buf, sizeof (buf)) == 0 &&
	    strcmp(buf, "/env/cache") == 0);
	CHECK(lcache_dir("", buf, sizeof (buf)) == 0 &&
	    strcmp(buf, "/env/cache") == 0);
	REQUIRE(unsetenv("PORTHOLE_CACHE_DIR") == 0);
	REQUIRE(setenv("XDG_CACHE_HOME", "/xdg", 1) == 0);
	CHECK(lcache_dir(NULL, buf, sizeof (buf)) == 0 &&
	    strcmp(buf, "/xdg/porthole") == 0);
	REQUIRE(unsetenv("XDG_CACHE_HOME") == 0);
	REQUIRE(setenv("HOME", "/home/u", 1) == 0);
	CHECK(lcache_dir(NULL, buf, sizeof (buf)) == 0 &&
	    strcmp(buf, "/home/u/.cache/porthole") == 0);
	REQUIRE(unsetenv("HOME") == 0);
	CHECK(lcache_dir(NULL, buf, sizeof (buf)) == ENOENT);
	CHECK(lcache_dir("/a/very/long/path", buf, 5) == ENAMETOOLONG);
}

static void
test_keys(void)
{
	char k1[LCACHE_KEY_MAX], k2[LCACHE_KEY_MAX];

	CHECK(lcache_key_build_id("eb4fbcd037e7253717950bf2b93bd5566f47c56f",
	    k1, sizeof (k1)) == 0);
	CHECK(strcmp(k1, "build-eb4fbcd037e7253717950bf2b93bd5566f47c56f") ==
	    0);
	CHECK(lcache_key_build_id("../../etc", k1, sizeof (k1)) == EINVAL);
	CHECK(lcache_key_build_id("ABCD", k1, sizeof (k1)) == EINVAL);
	CHECK(lcache_key_build_id("", k1, sizeof (k1)) == EINVAL);
	lcache_key_banner("Linux version 6.1.0 (a) #1", k1, sizeof (k1));
	lcache_key_banner("Linux version 6.1.0 (a) #1", k2, sizeof (k2));
	CHECK(strcmp(k1, k2) == 0 && strncmp(k1, "banner-", 7) == 0 &&
	    strlen(k1) == 7 + 16);
	lcache_key_banner("Linux version 6.1.0 (a) #2", k2, sizeof (k2));
	CHECK(strcmp(k1, k2) != 0);
}

static unsigned
count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	unsigned n = 0;

	if (d == NULL)
		return (0);
	while ((de = readdir(d)) != NULL)
		n += de->d_name[0] != '.';
	(void) closedir(d);
	return (n);
}

static void
fill(struct lcache *c, const char *key)
{
	static unsigned char btf[300];
	unsigned i;

	memset(c, 0, sizeof (*c));
	(void) snprintf(c->lc_key, sizeof (c->lc_key), "%s", key);
	(void) strcpy(c->lc_release, "6.1.0-56-amd64");
	c->lc_banner = strdup("Linux version 6.1.0-56-amd64 (debian-kernel@"
	    "lists.debian.org) (gcc-12) #1 SMP PREEMPT_DYNAMIC Debian");
	c->lc_ptr_size = 8;
	c->lc_has_kallsyms = true;
	c->lc_kallsyms = 0xffffffff8264d320ULL;
	REQUIRE((c->lc_prof = lprof_new()) != NULL);
	REQUIRE(lprof_set_symbol(c->lc_prof, "init_task",
	    0xffffffff82a1aa40ULL) == 0);
	REQUIRE(lprof_set_symbol(c->lc_prof, "fixed_percpu_data", 0) == 0);
	REQUIRE(lprof_set_number(c->lc_prof, "PG_lru", 4) == 0);
	REQUIRE(lprof_set_number(c->lc_prof, "PAGE_BUDDY_MAPCOUNT_VALUE",
	    (uint64_t)-129) == 0);
	REQUIRE(lprof_set_member(c->lc_prof, "task_struct", "tasks", 0x4a8,
	    16) == 0);
	REQUIRE(lprof_set_member(c->lc_prof, "list_head", "next", 0, 0) == 0);
	REQUIRE(lprof_set_size(c->lc_prof, "page", 64) == 0);
	/* BTF bytes with newlines and NULs in them. */
	for (i = 0; i < sizeof (btf); i++)
		btf[i] = (unsigned char)(i * 7);
	btf[10] = '\n';
	btf[11] = '\0';
	c->lc_btf = malloc(sizeof (btf));
	REQUIRE(c->lc_btf != NULL);
	memcpy(c->lc_btf, btf, sizeof (btf));
	c->lc_btf_len = sizeof (btf);
}

static void
test_roundtrip(void)
{
	const char *key = "build-eb4fbcd037e7253717950bf2b93bd5566f47c56f";
	char dir[512], why[512] = "";
	struct lcache c, d;
	struct stat st;
	uint64_t v, s;

	(void) snprintf(dir, sizeof (dir), "%s/a/b/cache", tmpdir);
	fill(&c, key);
	CHECK(lcache_store(dir, &c, why, sizeof (why)) == 0);
	CHECK(stat(dir, &st) == 0 && (st.st_mode & 0777) == 0700);
	CHECK(count_entries(dir) == 1);
	CHECK(lcache_load(dir, key, &d, why, sizeof (why)) == 0);
	CHECK(strcmp(d.lc_key, key) == 0);
	CHECK(strcmp(d.lc_release, c.lc_release) == 0);
	CHECK(d.lc_banner != NULL && strcmp(d.lc_banner, c.lc_banner) == 0);
	CHECK(d.lc_ptr_size == 8);
	CHECK(d.lc_has_kallsyms && d.lc_kallsyms == c.lc_kallsyms);
	CHECK(d.lc_btf_len == c.lc_btf_len &&
	    memcmp(d.lc_btf, c.lc_btf, c.lc_btf_len) == 0);
	CHECK(lprof_symbol(d.lc_prof, "init_task", &v) == 0 &&
	    v == 0xffffffff82a1aa40ULL);
	CHECK(lprof_symbol(d.lc_prof, "fixed_percpu_data", &v) == 0 && v == 0);
	CHECK(lprof_number(d.lc_prof, "PAGE_BUDDY_MAPCOUNT_VALUE", &v) == 0 &&
	    v == (uint64_t)-129);
	CHECK(lprof_member(d.lc_prof, "task_struct", "tasks", &v, &s) == 0 &&
	    v == 0x4a8 && s == 16);
	CHECK(lprof_member(d.lc_prof, "list_head", "next", &v, &s) == 0 &&
	    v == 0 && s == 0);
	CHECK(lprof_size(d.lc_prof, "page", &v) == 0 && v == 64);
	CHECK(lprof_count(d.lc_prof, LPROF_SYMBOL) == 2);
	lcache_fini(&d);
	/* Stored again: replaced, still one file. */
	CHECK(lcache_store(dir, &c, why, sizeof (why)) == 0);
	CHECK(count_entries(dir) == 1);
	/* Without kallsyms, BTF and entries. */
	lprof_free(c.lc_prof);
	c.lc_prof = NULL;
	free(c.lc_btf);
	c.lc_btf = NULL;
	c.lc_btf_len = 0;
	c.lc_has_kallsyms = false;
	CHECK(lcache_store(dir, &c, why, sizeof (why)) == 0);
	CHECK(lcache_load(dir, key, &d, why, sizeof (why)) == 0);
	CHECK(!d.lc_has_kallsyms && d.lc_btf == NULL &&
	    lprof_count(d.lc_prof, LPROF_SYMBOL) == 0);
	lcache_fini(&d);
	/* A key that would leave the directory. */
	(void) snprintf(c.lc_key, sizeof (c.lc_key), "../escape");
	CHECK(lcache_store(dir, &c, why, sizeof (why)) == EINVAL);
	CHECK(lcache_load(dir, "../escape", &d, why, sizeof (why)) == EINVAL);
	CHECK(lcache_load(dir, "build-00", &d, why, sizeof (why)) == ENOENT);
	lcache_fini(&c);
}

static void
put_file(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	REQUIRE(f != NULL);
	REQUIRE(len == 0 || fwrite(data, 1, len, f) == len);
	REQUIRE(fclose(f) == 0);
}

static char *
get_file(const char *path, size_t *lenp)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	REQUIRE(f != NULL);
	REQUIRE(fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0);
	rewind(f);
	REQUIRE((buf = malloc((size_t)n + 1)) != NULL);
	REQUIRE(fread(buf, 1, (size_t)n, f) == (size_t)n);
	(void) fclose(f);
	buf[n] = '\0';
	*lenp = (size_t)n;
	return (buf);
}

/* FNV-1a 64 as the format defines it, to forge valid checksums. */
static uint64_t
fnv(const char *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)p[i];
		h *= 0x100000001b3ULL;
	}
	return (h);
}

/* Body + a valid "end" line. */
static void
put_signed(const char *path, const char *body)
{
	char *buf;
	size_t n = strlen(body);

	REQUIRE((buf = malloc(n + 32)) != NULL);
	memcpy(buf, body, n);
	n += (size_t)snprintf(buf + n, 32, "end %016" PRIx64 "\n",
	    fnv(body, n));
	put_file(path, buf, n);
	free(buf);
}

static void
test_refused(void)
{
	const char *key = "build-0123456789abcdef";
	char dir[512], path[600], why[512] = "", *orig, *copy;
	struct lcache c, d;
	size_t len, i, refused = 0;

	(void) snprintf(dir, sizeof (dir), "%s/refused", tmpdir);
	(void) snprintf(path, sizeof (path), "%s/linux-%s.profile", dir, key);
	fill(&c, key);
	REQUIRE(lcache_store(dir, &c, why, sizeof (why)) == 0);
	orig = get_file(path, &len);
	REQUIRE((copy = malloc(len)) != NULL);
	/* Any byte changed is refused. */
	for (i = 0; i < len; i += 3) {
		memcpy(copy, orig, len);
		copy[i] ^= 0x20;
		put_file(path, copy, len);
		if (lcache_load(dir, key, &d, why, sizeof (why)) == EINVAL)
			refused++;
		lcache_fini(&d);
	}
	CHECK(refused == (len + 2) / 3);
	CHECK(test_says(why, "is refused"));
	/* Every truncation. */
	for (i = 0, refused = 0; i < len; i += 5) {
		put_file(path, orig, i);
		if (lcache_load(dir, key, &d, why, sizeof (why)) == EINVAL)
			refused++;
		lcache_fini(&d);
	}
	CHECK(refused == (len + 4) / 5);
	/* Valid checksums, bad contents. */
	put_signed(path, "porthole-linux-profile 2\nkey build-0123456789abcdef"
	    "\nrelease r\nbanner b\nptr_size 8\n");
	CHECK(lcache_load(dir, key, &d, why, sizeof (why)) == EINVAL &&
	    test_says(why, "not a version 1"));
	put_signed(path, "porthole-linux-profile 1\nkey build-ffff\nrelease r\n"
	    "banner b\nptr_size 8\n");
	CHECK(lcache_load(dir, key, &d, why, sizeof (why)) == EINVAL &&
	    test_says(why, "another key"));
	put_signed(path, "porthole-linux-profile 1\nkey build-0123456789abcdef"
	    "\nrelease r\nptr_size 8\n");
	CHECK(lcache_load(dir, key, &d, why, sizeof (why)) == EINVAL &&
	    test_says(why, "missing"));
	put_signed(path, "porthole-linux-profile 1\nkey build-0123456789abcdef"
	    "\nrelease r\nbanner b\nptr_size 8\nS zz name\n");
	CHECK(lcache_load(dir, key, &d, why, sizeof (why)) == EINVAL);
	put_signed(path, "porthole-linux-profile 1\nkey build-0123456789abcdef"
	    "\nrelease r\nbanner b\nptr_size 8\nbtf 99999\nxx\n");
	CHECK(lcache_load(dir, key, &d, why, sizeof (why)) == EINVAL &&
	    test_says(why, "BTF"));
	put_signed(path, "porthole-linux-profile 1\nkey build-0123456789abcdef"
	    "\nrelease r\nbanner b\nptr_size 3\n");
	CHECK(lcache_load(dir, key, &d, why, sizeof (why)) == EINVAL);
	/* The smallest valid file. */
	put_signed(path, "porthole-linux-profile 1\nkey build-0123456789abcdef"
	    "\nrelease r\nbanner b c\nptr_size 4\n");
	CHECK(lcache_load(dir, key, &d, why, sizeof (why)) == 0 &&
	    strcmp(d.lc_banner, "b c") == 0 && d.lc_ptr_size == 4);
	lcache_fini(&d);
	put_file(path, "", 0);
	CHECK(lcache_load(dir, key, &d, why, sizeof (why)) == EINVAL);
	free(copy);
	free(orig);
	lcache_fini(&c);
}

int
main(void)
{
	const char *t = getenv("TMPDIR");
	char cmd[600];

	(void) snprintf(tmpdir, sizeof (tmpdir), "%s/ph_cache.XXXXXX",
	    t != NULL && *t != '\0' ? t : "/tmp");
	REQUIRE(mkdtemp(tmpdir) != NULL);
	test_roundtrip();
	test_refused();
	test_keys();
	test_dir();
	(void) snprintf(cmd, sizeof (cmd), "rm -rf '%s'", tmpdir);
	CHECK(system(cmd) == 0);
	return (test_done());
}
