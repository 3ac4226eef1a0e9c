/*
 * linux_profile_test.c -- the Linux profile store without BTF: symbols,
 * members, sizes and numbers set and looked up, the tables grown to many
 * entries, names refused, the walk over explicit entries, the symbol
 * source called once on the first miss, and lookups from several
 * threads while another thread adds entries.  (BTF-backed lookups are
 * linux_btf_test's.)
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "guest/linux/linux_profile.h"
#include "tests/test.h"

#define	MANY	100000u

static void
test_basic(void)
{
	struct linux_profile *p = lprof_new();
	uint64_t v = 0, s = 0;

	REQUIRE(p != NULL);
	CHECK(lprof_symbol(p, "init_task", &v) == ENOENT);
	CHECK(lprof_set_symbol(p, "init_task", 0xffffffff82a0c940ULL) == 0);
	CHECK(lprof_symbol(p, "init_task", &v) == 0 &&
	    v == 0xffffffff82a0c940ULL);
	/* Overwriting keeps one entry. */
	CHECK(lprof_set_symbol(p, "init_task", 0x1234) == 0);
	CHECK(lprof_symbol(p, "init_task", &v) == 0 && v == 0x1234);
	CHECK(lprof_count(p, LPROF_SYMBOL) == 1);

	CHECK(lprof_set_member(p, "task_struct", "tasks", 0x4a8, 16) == 0);
	CHECK(lprof_member(p, "task_struct", "tasks", &v, &s) == 0 &&
	    v == 0x4a8 && s == 16);
	CHECK(lprof_member(p, "task_struct", "pid", &v, &s) == ENOENT);
	CHECK(lprof_member(p, "mm_struct", "tasks", &v, &s) == ENOENT);
	/* The separator keeps "a"+"bc" and "ab"+"c" apart. */
	CHECK(lprof_set_member(p, "a", "bc", 1, 1) == 0);
	CHECK(lprof_set_member(p, "ab", "c", 2, 2) == 0);
	CHECK(lprof_member(p, "a", "bc", &v, &s) == 0 && v == 1 && s == 1);
	CHECK(lprof_member(p, "ab", "c", &v, &s) == 0 && v == 2 && s == 2);
	/* A size of 0 (unknown) stays 0 without BTF. */
	CHECK(lprof_set_member(p, "uts_namespace", "name", 0, 0) == 0);
	CHECK(lprof_member(p, "uts_namespace", "name", &v, &s) == 0 &&
	    v == 0 && s == 0);
	CHECK(lprof_member(p, "a", "bc", NULL, NULL) == 0);

	CHECK(lprof_set_size(p, "page", 64) == 0);
	CHECK(lprof_size(p, "page", &v) == 0 && v == 64);
	CHECK(lprof_size(p, "zone", &v) == ENOENT);
	CHECK(lprof_set_number(p, "phys_base", 0x3c00000) == 0);
	CHECK(lprof_number(p, "phys_base", &v) == 0 && v == 0x3c00000);
	CHECK(lprof_number(p, "init_task", &v) == ENOENT);
	/* The kinds are separate name spaces. */
	CHECK(lprof_set_number(p, "page", 7) == 0);
	CHECK(lprof_size(p, "page", &v) == 0 && v == 64);
	CHECK(lprof_count(p, LPROF_MEMBER) == 4);
	CHECK(lprof_count(p, LPROF_SIZE) == 1);
	CHECK(lprof_count(p, LPROF_NUMBER) == 2);
	CHECK(lprof_btf(p) == NULL);
	lprof_free(p);
	lprof_free(NULL);
}

static void
test_names_refused(void)
{
	struct linux_profile *p = lprof_new();
	char longname[LPROF_NAME_MAX + 2];
	uint64_t v;

	REQUIRE(p != NULL);
	memset(longname, 'x', sizeof (longname) - 1);
	longname[sizeof (longname) - 1] = '\0';
	CHECK(lprof_set_symbol(p, "", 1) == EINVAL);
	CHECK(lprof_set_symbol(p, NULL, 1) == EINVAL);
	CHECK(lprof_set_symbol(p, longname, 1) == EINVAL);
	CHECK(lprof_symbol(p, longname, &v) == EINVAL);
	CHECK(lprof_set_member(p, "t", "", 0, 0) == EINVAL);
	CHECK(lprof_set_member(p, "t", NULL, 0, 0) == EINVAL);
	CHECK(lprof_set_member(p, "", "m", 0, 0) == EINVAL);
	CHECK(lprof_member(p, "t", NULL, &v, &v) == EINVAL);
	CHECK(lprof_set_symbol(NULL, "x", 1) == EINVAL);
	CHECK(lprof_symbol(NULL, "x", &v) == EINVAL);
	/* A name of exactly LPROF_NAME_MAX bytes is fine. */
	longname[LPROF_NAME_MAX] = '\0';
	CHECK(lprof_set_symbol(p, longname, 5) == 0);
	CHECK(lprof_symbol(p, longname, &v) == 0 && v == 5);
	CHECK(lprof_count(p, LPROF_SYMBOL) == 1);
	lprof_free(p);
}

static void
test_many(void)
{
	struct linux_profile *p = lprof_new();
	char name[32];
	uint64_t v;
	unsigned i, bad = 0;

	REQUIRE(p != NULL);
	for (i = 0; i < MANY; i++) {
		(void) snprintf(name, sizeof (name), "sym_%u", i);
		if (lprof_set_symbol(p, name, 0xffffffff81000000ULL + i) != 0)
			bad++;
	}
	CHECK(bad == 0);
	CHECK(lprof_count(p, LPROF_SYMBOL) == MANY);
	for (i = 0; i < MANY; i++) {
		(void) snprintf(name, sizeof (name), "sym_%u", i);
		if (lprof_symbol(p, name, &v) != 0 ||
		    v != 0xffffffff81000000ULL + i)
			bad++;
	}
	CHECK(bad == 0);
	CHECK(lprof_symbol(p, "sym_100000", &v) == ENOENT);
	lprof_free(p);
}

struct walk_state {
	unsigned	ws_seen;
	uint64_t	ws_sum;
	bool		ws_bad;
	unsigned	ws_stop_after;
};

static int
walk_cb(void *arg, const struct lprof_entry *e)
{
	struct walk_state *ws = arg;

	ws->ws_seen++;
	ws->ws_sum += e->le_value;
	switch (e->le_kind) {
	case LPROF_MEMBER:
		if (strcmp(e->le_type, "task_struct") != 0 ||
		    (strcmp(e->le_name, "pid") != 0 &&
		    strcmp(e->le_name, "tgid") != 0) || e->le_size != 4)
			ws->ws_bad = true;
		break;
	case LPROF_SIZE:
		if (strcmp(e->le_type, "page") != 0 || e->le_name[0] != '\0')
			ws->ws_bad = true;
		break;
	default:
		if (e->le_type[0] != '\0' || strncmp(e->le_name, "s", 1) != 0)
			ws->ws_bad = true;
		break;
	}
	return (ws->ws_stop_after != 0 && ws->ws_seen == ws->ws_stop_after ?
	    42 : 0);
}

static void
test_walk(void)
{
	struct linux_profile *p = lprof_new();
	struct walk_state ws;
	char name[16];
	unsigned i;

	REQUIRE(p != NULL);
	for (i = 0; i < 10; i++) {
		(void) snprintf(name, sizeof (name), "s%u", i);
		CHECK(lprof_set_symbol(p, name, i) == 0);
	}
	CHECK(lprof_set_member(p, "task_struct", "pid", 100, 4) == 0);
	CHECK(lprof_set_member(p, "task_struct", "tgid", 104, 4) == 0);
	CHECK(lprof_set_size(p, "page", 64) == 0);

	memset(&ws, 0, sizeof (ws));
	CHECK(lprof_walk(p, LPROF_SYMBOL, walk_cb, &ws) == 0);
	CHECK(ws.ws_seen == 10 && ws.ws_sum == 45 && !ws.ws_bad);
	memset(&ws, 0, sizeof (ws));
	CHECK(lprof_walk(p, LPROF_MEMBER, walk_cb, &ws) == 0);
	CHECK(ws.ws_seen == 2 && ws.ws_sum == 204 && !ws.ws_bad);
	memset(&ws, 0, sizeof (ws));
	CHECK(lprof_walk(p, LPROF_SIZE, walk_cb, &ws) == 0);
	CHECK(ws.ws_seen == 1 && ws.ws_sum == 64 && !ws.ws_bad);
	memset(&ws, 0, sizeof (ws));
	CHECK(lprof_walk(p, LPROF_NUMBER, walk_cb, &ws) == 0);
	CHECK(ws.ws_seen == 0);
	/* The callback's non-zero value stops the walk and is returned. */
	memset(&ws, 0, sizeof (ws));
	ws.ws_stop_after = 3;
	CHECK(lprof_walk(p, LPROF_SYMBOL, walk_cb, &ws) == 42);
	CHECK(ws.ws_seen == 3);
	CHECK(lprof_walk(p, (enum lprof_kind)9, walk_cb, &ws) == EINVAL);
	lprof_free(p);
}

struct source_state {
	unsigned	ss_calls;
	unsigned	ss_finis;
	int		ss_result;
};

static int
source_fill(void *arg, struct linux_profile *p)
{
	struct source_state *ss = arg;

	ss->ss_calls++;
	if (ss->ss_result != 0)
		return (ss->ss_result);
	(void) lprof_set_symbol(p, "late_symbol", 0xabc);
	(void) lprof_set_symbol(p, "other_symbol", 0xdef);
	return (0);
}

static void
source_fini(void *arg)
{
	((struct source_state *)arg)->ss_finis++;
}

static void
test_symbol_source(void)
{
	struct linux_profile *p = lprof_new();
	struct source_state ss = { 0, 0, 0 }, failing = { 0, 0, EIO };
	uint64_t v;

	REQUIRE(p != NULL);
	CHECK(lprof_set_symbol(p, "early", 1) == 0);
	lprof_set_symbol_source(p, source_fill, source_fini, &ss);
	/* A hit does not call the source. */
	CHECK(lprof_symbol(p, "early", &v) == 0 && v == 1);
	CHECK(ss.ss_calls == 0);
	/* The first miss fills, and the lookup is answered. */
	CHECK(lprof_symbol(p, "late_symbol", &v) == 0 && v == 0xabc);
	CHECK(ss.ss_calls == 1);
	CHECK(lprof_symbol(p, "other_symbol", &v) == 0 && v == 0xdef);
	/* A later miss does not call it again. */
	CHECK(lprof_symbol(p, "nowhere", &v) == ENOENT);
	CHECK(ss.ss_calls == 1);
	/* Members, sizes and numbers never call it. */
	CHECK(lprof_number(p, "nowhere", &v) == ENOENT);
	CHECK(ss.ss_calls == 1 && ss.ss_finis == 0);
	/* Replacing the source finishes the old one. */
	lprof_set_symbol_source(p, source_fill, source_fini, &failing);
	CHECK(ss.ss_finis == 1);
	CHECK(lprof_symbol(p, "nowhere", &v) == ENOENT);
	CHECK(lprof_symbol(p, "nowhere2", &v) == ENOENT);
	CHECK(failing.ss_calls == 1);
	lprof_free(p);
	CHECK(failing.ss_finis == 1 && ss.ss_finis == 1);
}

struct race {
	struct linux_profile *r_p;
	unsigned	r_id;
	unsigned	r_bad;
};

static void *
race_reader(void *arg)
{
	struct race *r = arg;
	char name[32];
	uint64_t v;
	unsigned i;

	for (i = 0; i < 20000; i++) {
		(void) snprintf(name, sizeof (name), "fixed_%u", i % 500);
		if (lprof_symbol(r->r_p, name, &v) != 0 || v != i % 500)
			r->r_bad++;
		(void) snprintf(name, sizeof (name), "grow_%u", i);
		(void) lprof_symbol(r->r_p, name, &v);
	}
	return (NULL);
}

static void *
race_writer(void *arg)
{
	struct race *r = arg;
	char name[32];
	unsigned i;

	for (i = 0; i < 20000; i++) {
		(void) snprintf(name, sizeof (name), "grow_%u", i);
		if (lprof_set_symbol(r->r_p, name, i) != 0)
			r->r_bad++;
	}
	return (NULL);
}

static void
test_threads(void)
{
	struct linux_profile *p = lprof_new();
	struct race r[4];
	pthread_t t[4];
	char name[32];
	unsigned i;
	uint64_t v;

	REQUIRE(p != NULL);
	for (i = 0; i < 500; i++) {
		(void) snprintf(name, sizeof (name), "fixed_%u", i);
		REQUIRE(lprof_set_symbol(p, name, i) == 0);
	}
	for (i = 0; i < 4; i++) {
		r[i].r_p = p;
		r[i].r_id = i;
		r[i].r_bad = 0;
		REQUIRE(pthread_create(&t[i], NULL, i == 0 ? race_writer :
		    race_reader, &r[i]) == 0);
	}
	for (i = 0; i < 4; i++) {
		REQUIRE(pthread_join(t[i], NULL) == 0);
		CHECK(r[i].r_bad == 0);
	}
	CHECK(lprof_count(p, LPROF_SYMBOL) == 20500);
	CHECK(lprof_symbol(p, "grow_19999", &v) == 0 && v == 19999);
	lprof_free(p);
}

int
main(void)
{
	test_basic();
	test_names_refused();
	test_many();
	test_walk();
	test_symbol_source();
	test_threads();
	return (test_done());
}
