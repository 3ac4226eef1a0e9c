/*
 * linux_btf_test.c -- the BTF reader and the profile's BTF-backed
 * lookups, over blobs the test builds with libbpf's btf__add_* calls: a
 * task_struct-like type with an anonymous union holding an anonymous
 * struct, a bitfield, a qualified member, an array and a self-pointing
 * list head; typedefs; and hostile blobs (garbage, truncated, oversized,
 * typedef cycles, a struct that is its own anonymous member, member
 * types that do not exist).  Skips when the build has no libbpf, after
 * checking that the reader then says so.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest/linux/linux_btf.h"
#include "guest/linux/linux_profile.h"
#include "tests/prng.h"
#include "tests/test.h"

#ifdef HAVE_LIBBPF
#include <bpf/btf.h>

/*
 * The types, with the byte offsets the checks expect:
 *
 * struct list_head { struct list_head *next, *prev; };		size 16
 * struct task_struct {						size 72
 *	int pid;						 0
 *	union {							 8
 *		long x;						 8
 *		struct { int y; int z; };			 8, 12
 *	};
 *	int flag:1;						bit 128
 *	struct list_head tasks;					24
 *	char comm[16];						40
 *	const int cpu;						56
 *	struct task_struct *parent;				64
 * };
 * typedef struct task_struct task_t; typedef int pid_t;
 */
static struct btf *
build_btf(void)
{
	struct btf *b = btf__new_empty();
	int i_int, i_long, i_char, i_ptr_lh, i_lh, i_anon_s, i_anon_u, i_arr;
	int i_const, i_task, i_ptr_task, next, i_self;

	REQUIRE(b != NULL);
	REQUIRE((i_int = btf__add_int(b, "int", 4, BTF_INT_SIGNED)) > 0);
	REQUIRE((i_long = btf__add_int(b, "long", 8, BTF_INT_SIGNED)) > 0);
	REQUIRE((i_char = btf__add_int(b, "char", 1, BTF_INT_CHAR)) > 0);

	/* A pointer to the list_head that comes next. */
	next = (int)btf__type_cnt(b);
	REQUIRE((i_ptr_lh = btf__add_ptr(b, next + 1)) == next);
	REQUIRE((i_lh = btf__add_struct(b, "list_head", 16)) == next + 1);
	REQUIRE(btf__add_field(b, "next", i_ptr_lh, 0, 0) == 0);
	REQUIRE(btf__add_field(b, "prev", i_ptr_lh, 64, 0) == 0);

	REQUIRE((i_anon_s = btf__add_struct(b, NULL, 8)) > 0);
	REQUIRE(btf__add_field(b, "y", i_int, 0, 0) == 0);
	REQUIRE(btf__add_field(b, "z", i_int, 32, 0) == 0);
	REQUIRE((i_anon_u = btf__add_union(b, NULL, 8)) > 0);
	REQUIRE(btf__add_field(b, "x", i_long, 0, 0) == 0);
	REQUIRE(btf__add_field(b, NULL, i_anon_s, 0, 0) == 0);

	REQUIRE((i_arr = btf__add_array(b, i_int, i_char, 16)) > 0);
	REQUIRE((i_const = btf__add_const(b, i_int)) > 0);
	next = (int)btf__type_cnt(b);
	REQUIRE((i_ptr_task = btf__add_ptr(b, next + 1)) == next);
	REQUIRE((i_task = btf__add_struct(b, "task_struct", 72)) == next + 1);
	REQUIRE(btf__add_field(b, "pid", i_int, 0, 0) == 0);
	REQUIRE(btf__add_field(b, NULL, i_anon_u, 64, 0) == 0);
	REQUIRE(btf__add_field(b, "flag", i_int, 128, 1) == 0);
	REQUIRE(btf__add_field(b, "tasks", i_lh, 192, 0) == 0);
	REQUIRE(btf__add_field(b, "comm", i_arr, 320, 0) == 0);
	REQUIRE(btf__add_field(b, "cpu", i_const, 448, 0) == 0);
	REQUIRE(btf__add_field(b, "parent", i_ptr_task, 448 + 64, 0) == 0);
	REQUIRE(btf__add_typedef(b, "task_t", i_task) > 0);
	REQUIRE(btf__add_typedef(b, "pid_t", i_int) > 0);

	/* A typedef cycle: cyc_a -> cyc_b -> cyc_a. */
	next = (int)btf__type_cnt(b);
	REQUIRE(btf__add_typedef(b, "cyc_a", next + 1) == next);
	REQUIRE(btf__add_typedef(b, "cyc_b", next) == next + 1);
	/* A struct that is its own anonymous member. */
	i_self = (int)btf__type_cnt(b);
	REQUIRE(btf__add_struct(b, "selfish", 8) == i_self);
	REQUIRE(btf__add_field(b, NULL, i_self, 0, 0) == 0);
	/* A member whose type does not exist. */
	REQUIRE(btf__add_struct(b, "broken", 8) > 0);
	REQUIRE(btf__add_field(b, "dangling", 60000, 0, 0) == 0);
	REQUIRE(btf__add_field(b, NULL, 60001, 0, 0) == 0);
	return (b);
}

static const void *
raw_of(struct btf *b, size_t *lenp)
{
	__u32 n = 0;
	const void *p = btf__raw_data(b, &n);

	REQUIRE(p != NULL && n > 0);
	*lenp = n;
	return (p);
}

static void
check_member(const struct lbtf *b, const char *type, const char *m,
    uint64_t off, uint64_t size)
{
	uint64_t o = ~0ULL, s = ~0ULL;
	int err = lbtf_member(b, type, m, &o, &s);

	if (err != 0 || o != off || s != size)
		fprintf(stderr, "%s.%s: err %d off %" PRIu64 " size %" PRIu64
		    ", want %" PRIu64 "/%" PRIu64 "\n", type, m, err, o, s,
		    off, size);
	CHECK(err == 0 && o == off && s == size);
}

static void
test_lookups(struct btf *src)
{
	struct lbtf *b = NULL, *b2 = NULL;
	char why[256];
	const void *raw;
	size_t len, len2;
	uint64_t v, s;

	raw = raw_of(src, &len);
	CHECK(lbtf_open(raw, len, &b, why, sizeof (why)) == 0);
	REQUIRE(b != NULL);
	CHECK(lbtf_ntypes(b) == btf__type_cnt(src) - 1);

	check_member(b, "task_struct", "pid", 0, 4);
	check_member(b, "task_struct", "x", 8, 8);
	check_member(b, "task_struct", "y", 8, 4);
	check_member(b, "task_struct", "z", 12, 4);
	check_member(b, "task_struct", "tasks", 24, 16);
	check_member(b, "task_struct", "comm", 40, 16);
	check_member(b, "task_struct", "cpu", 56, 4);
	check_member(b, "task_struct", "parent", 64, 8);
	check_member(b, "list_head", "prev", 8, 8);
	/* Through a typedef. */
	check_member(b, "task_t", "z", 12, 4);
	CHECK(lbtf_member(b, "task_struct", "flag", &v, &s) == ENOTSUP);
	CHECK(lbtf_member(b, "task_struct", "nosuch", &v, &s) == ENOENT);
	CHECK(lbtf_member(b, "nosuch", "pid", &v, &s) == ENOENT);
	/* pid_t is no struct: it has no members. */
	CHECK(lbtf_member(b, "pid_t", "pid", &v, &s) == ENOENT);
	CHECK(lbtf_member(b, "task_struct", "", &v, &s) == EINVAL);

	CHECK(lbtf_size(b, "task_struct", &v) == 0 && v == 72);
	CHECK(lbtf_size(b, "task_t", &v) == 0 && v == 72);
	CHECK(lbtf_size(b, "list_head", &v) == 0 && v == 16);
	CHECK(lbtf_size(b, "long", &v) == 0 && v == 8);
	CHECK(lbtf_size(b, "pid_t", &v) == 0 && v == 4);
	CHECK(lbtf_size(b, "nosuch", &v) == ENOENT);

	/* Hostile shapes end, with an error. */
	CHECK(lbtf_size(b, "cyc_a", &v) != 0);
	CHECK(lbtf_member(b, "cyc_a", "x", &v, &s) == ENOENT);
	CHECK(lbtf_member(b, "selfish", "x", &v, &s) == ENOENT);
	CHECK(lbtf_member(b, "broken", "dangling", &v, &s) == EINVAL);
	CHECK(lbtf_member(b, "broken", "other", &v, &s) == ENOENT);

	/* The blob kept for the cache opens to the same answers. */
	raw = lbtf_data(b, &len2);
	CHECK(raw != NULL && len2 == len);
	CHECK(lbtf_open(raw, len2, &b2, why, sizeof (why)) == 0);
	REQUIRE(b2 != NULL);
	check_member(b2, "task_struct", "z", 12, 4);
	lbtf_close(b2);
	lbtf_close(b);
	lbtf_close(NULL);
}

static void
test_hostile_blobs(struct btf *src)
{
	unsigned char *junk;
	struct lbtf *b = NULL;
	uint64_t rng = 7;
	char why[256];
	const void *raw;
	size_t len, i;
	int err, refused = 0;

	raw = raw_of(src, &len);
	why[0] = '\0';
	CHECK(lbtf_open(raw, 0, &b, why, sizeof (why)) == EINVAL);
	CHECK(b == NULL && test_says(why, "refused"));
	CHECK(lbtf_open(raw, (size_t)LBTF_MAX_BLOB + 1, &b, why,
	    sizeof (why)) == EINVAL);
	CHECK(lbtf_open(NULL, 10, &b, NULL, 0) == EINVAL);
	/* Truncated: every length short of the whole is refused. */
	for (i = 1; i < len; i += 1 + i / 8) {
		if (lbtf_open(raw, i, &b, why, sizeof (why)) != 0)
			refused++;
		else
			lbtf_close(b);
	}
	CHECK(refused > 0);
	CHECK(lbtf_open(raw, len / 2, &b, why, sizeof (why)) == EINVAL);
	CHECK(test_says(why, "libbpf refuses"));
	/* Garbage: refused, or (rarely) accepted and then answered. */
	REQUIRE((junk = malloc(len)) != NULL);
	for (i = 0; i < 200; i++) {
		size_t j;

		for (j = 0; j < len; j++)
			junk[j] = (unsigned char)prng_next(&rng);
		err = lbtf_open(junk, len, &b, why, sizeof (why));
		CHECK(err == EINVAL || err == 0);
		if (err == 0) {
			uint64_t v, s;

			(void) lbtf_member(b, "task_struct", "pid", &v, &s);
			lbtf_close(b);
		}
	}
	/* The real blob with bytes flipped: never a crash. */
	for (i = 0; i < 2000; i++) {
		uint64_t v, s;

		memcpy(junk, raw, len);
		junk[prng_below(&rng, len)] ^= (unsigned char)
		    (1 + prng_below(&rng, 255));
		junk[prng_below(&rng, len)] ^= (unsigned char)
		    (1 + prng_below(&rng, 255));
		if (lbtf_open(junk, len, &b, NULL, 0) != 0)
			continue;
		(void) lbtf_member(b, "task_struct", "z", &v, &s);
		(void) lbtf_member(b, "task_struct", "tasks", &v, &s);
		(void) lbtf_size(b, "task_t", &v);
		(void) lbtf_size(b, "cyc_b", &v);
		lbtf_close(b);
	}
	CHECK(i == 2000);
	free(junk);
}

static void
test_profile(struct btf *src)
{
	struct linux_profile *p = lprof_new();
	struct lbtf *b = NULL;
	const void *raw;
	uint64_t v, s;
	size_t len;
	unsigned i;

	REQUIRE(p != NULL);
	raw = raw_of(src, &len);
	REQUIRE(lbtf_open(raw, len, &b, NULL, 0) == 0);
	CHECK(lprof_member(p, "task_struct", "z", &v, &s) == ENOENT);
	lprof_set_btf(p, b);
	CHECK(lprof_btf(p) == b);
	/* From BTF, asked twice (the second answer is the remembered one). */
	for (i = 0; i < 2; i++) {
		CHECK(lprof_member(p, "task_struct", "z", &v, &s) == 0 &&
		    v == 12 && s == 4);
		CHECK(lprof_member(p, "task_struct", "flag", &v, &s) ==
		    ENOTSUP);
		CHECK(lprof_member(p, "task_struct", "nosuch", &v, &s) ==
		    ENOENT);
		CHECK(lprof_size(p, "task_struct", &v) == 0 && v == 72);
		CHECK(lprof_size(p, "nosuch", &v) == ENOENT);
	}
	/* Learned entries are not explicit ones. */
	CHECK(lprof_count(p, LPROF_MEMBER) == 0);
	CHECK(lprof_count(p, LPROF_SIZE) == 0);
	/* An explicit entry wins over BTF. */
	CHECK(lprof_set_member(p, "task_struct", "pid", 0x99, 4) == 0);
	CHECK(lprof_member(p, "task_struct", "pid", &v, &s) == 0 &&
	    v == 0x99 && s == 4);
	/* Also over an answer BTF gave before. */
	CHECK(lprof_set_member(p, "task_struct", "z", 20, 4) == 0);
	CHECK(lprof_member(p, "task_struct", "z", &v, &s) == 0 && v == 20);
	/* An explicit offset without a size gets BTF's size when they agree. */
	CHECK(lprof_set_member(p, "task_struct", "tasks", 24, 0) == 0);
	CHECK(lprof_member(p, "task_struct", "tasks", &v, &s) == 0 &&
	    v == 24 && s == 16);
	CHECK(lprof_set_member(p, "task_struct", "comm", 41, 0) == 0);
	CHECK(lprof_member(p, "task_struct", "comm", &v, &s) == 0 &&
	    v == 41 && s == 0);
	CHECK(lprof_set_size(p, "task_struct", 9000) == 0);
	CHECK(lprof_size(p, "task_struct", &v) == 0 && v == 9000);
	/* Without BTF only the explicit entries remain. */
	lprof_set_btf(p, NULL);
	CHECK(lprof_btf(p) == NULL);
	CHECK(lprof_member(p, "task_struct", "y", &v, &s) == ENOENT);
	CHECK(lprof_member(p, "task_struct", "pid", &v, &s) == 0 &&
	    v == 0x99);
	CHECK(lprof_member(p, "task_struct", "flag", &v, &s) == ENOENT);
	lprof_free(p);
}

int
main(void)
{
	struct btf *src;
	struct lbtf *b = NULL;

	CHECK(lbtf_supported());
	src = build_btf();
	test_lookups(src);
	test_hostile_blobs(src);
	test_profile(src);
	btf__free(src);
	CHECK(lbtf_open("x", 1, &b, NULL, 0) == EINVAL);
	return (test_done());
}

#else /* !HAVE_LIBBPF */

int
main(void)
{
	struct lbtf *b = (struct lbtf *)1;
	char why[256] = "";
	uint64_t v, s;

	CHECK(!lbtf_supported());
	CHECK(lbtf_open("abc", 3, &b, why, sizeof (why)) == ENOTSUP);
	CHECK(b == NULL && test_says(why, "without libbpf"));
	CHECK(lbtf_member(NULL, "t", "m", &v, &s) == ENOTSUP);
	if (test_failures != 0)
		return (test_done());
	TEST_SKIP("built without libbpf: BTF is not read (the reader "
	    "says so, checked)");
}

#endif /* HAVE_LIBBPF */
