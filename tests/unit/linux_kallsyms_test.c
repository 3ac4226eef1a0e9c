/*
 * linux_kallsyms_test.c -- kallsyms found and decoded in memories the
 * test builds with its own encoder (tests/kallsyms_enc.h): every layout
 * (up to 6.1, 6.2-6.3, 6.4 on), every kind (base-relative, with
 * absolute per-cpu symbols, absolute addresses), 64- and 32-bit, table
 * sizes around the 256-symbol marker step, names long enough for
 * two-byte lengths, decoy digit runs and junk around the tables; every
 * symbol compared.  Then the hostile variants, each of which must be
 * refused: a wrong index entry, a marker, num_syms, addresses out of
 * order, a relative base that is no kernel address, a hole in the names,
 * an empty name.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "guest/linux/linux_kallsyms.h"
#include "tests/kallsyms_enc.h"
#include "tests/lk_fakemem.h"
#include "tests/prng.h"
#include "tests/test.h"

#define	MEM_BASE	0x2000000ULL
#define	MEM_LEN		(16ULL << 20)

static const char *const stems[] = {
	"read", "write", "open", "close", "alloc", "free", "page", "task",
	"lock", "unlock", "irq", "sched", "0", "1", "2", "3", "4", "5", "6",
	"7", "8", "9", "v2", "ops", "init", "exit", "map", "fault"
};
static const char *const prefixes[] = {
	"do_", "sys_", "__x64_sys_", "ext4_", "tcp_", "vfs_", "kmem_",
	"__", "", "", "trace_event_raw_"
};
static const char *const fixed[] = {
	"_text", "_stext", "linux_banner", "init_task", "init_top_pgt",
	"swapper_pg_dir", "__start_BTF", "__stop_BTF", "init_uts_ns", "_etext"
};
static const char types[] = "TtDdBbRr";

/*
 * n symbols, ascending: under per-cpu, the first few absolute at small
 * addresses; the rest from text (a kernel address for the size).
 */
static struct kenc_sym *
make_syms(uint32_t n, unsigned a, bool percpu, uint64_t text, uint64_t *rng)
{
	struct kenc_sym *s = calloc(n, sizeof (*s));
	uint64_t addr = text, pcpu = 0;
	uint32_t i, nabs = percpu ? (n > 8 ? 6 : n / 2) : 0;

	REQUIRE(s != NULL);
	for (i = 0; i < n; i++) {
		struct kenc_sym *k = &s[i];

		if (i < nabs) {
			(void) snprintf(k->ks_name, sizeof (k->ks_name),
			    "pcpu_var_%u", i);
			k->ks_type = 'A';
			k->ks_addr = pcpu;
			k->ks_abs = true;
			pcpu += 0x40 * (1 + prng_below(rng, 8));
			continue;
		}
		if (n < 12)	/* few symbols: still every digit */
			(void) snprintf(k->ks_name, sizeof (k->ks_name),
			    "sym%u_0123456789", i);
		else if (i - nabs < sizeof (fixed) / sizeof (fixed[0]))
			(void) snprintf(k->ks_name, sizeof (k->ks_name), "%s",
			    fixed[i - nabs]);
		else if (i == n / 2 && n > 20)
			(void) snprintf(k->ks_name, sizeof (k->ks_name),
			    "%0200u_long_rust_like_symbol_name_for_two_byte_len",
			    i);
		else
			(void) snprintf(k->ks_name, sizeof (k->ks_name),
			    "%s%s_%s%u", prefixes[prng_below(rng,
			    sizeof (prefixes) / sizeof (prefixes[0]))],
			    stems[prng_below(rng, sizeof (stems) /
			    sizeof (stems[0]))], stems[prng_below(rng,
			    sizeof (stems) / sizeof (stems[0]))],
			    (unsigned)prng_below(rng, 100));
		k->ks_type = types[prng_below(rng, sizeof (types) - 1)];
		k->ks_addr = addr;
		/* Some share an address, as aliases do. */
		addr += prng_below(rng, 4) == 0 ? 0 : 16 * (1 +
		    prng_below(rng, 64));
	}
	(void) a;
	return (s);
}

struct compare_state {
	const struct kenc_sym *cs_syms;
	uint32_t	cs_n;
	uint32_t	cs_i;
	unsigned	cs_bad;
};

static int
compare_cb(void *arg, const char *name, char type, uint64_t addr)
{
	struct compare_state *cs = arg;
	const struct kenc_sym *k;

	if (cs->cs_i >= cs->cs_n) {
		cs->cs_bad++;
		return (1);
	}
	k = &cs->cs_syms[cs->cs_i++];
	if (strcmp(name, k->ks_name) != 0 || type != k->ks_type ||
	    addr != k->ks_addr) {
		if (cs->cs_bad++ < 3)
			fprintf(stderr, "symbol %u: got %c %s %#" PRIx64
			    ", want %c %s %#" PRIx64 "\n", cs->cs_i - 1, type,
			    name, addr, k->ks_type, k->ks_name, k->ks_addr);
	}
	return (0);
}

/* Junk that holds no digit run. */
static void
fill_junk(struct fakemem *fm, uint64_t *rng)
{
	uint64_t i, v;

	for (i = 0; i + 8 <= fm->fm_len; i += 8) {
		v = prng_next(rng);
		memcpy(fm->fm_buf + i, &v, 8);
	}
}

/* A digit run with a table after it whose index does not fit. */
static void
put_decoy(struct fakemem *fm, uint64_t at)
{
	static const char decoy[] = "a\0b\0c\0" "0\0" "1\0" "2\0" "3\0" "4\0"
	    "5\0" "6\0" "7\0" "8\0" "9\0" ":\0;\0";

	fakemem_put(fm, at, decoy, sizeof (decoy));
}

struct config {
	unsigned		c_a;
	enum lksyms_layout	c_layout;
	enum lksyms_kind	c_kind;
	uint32_t		c_n;
};

static void
run_config(const struct config *c, uint64_t *rng)
{
	const uint64_t text = c->c_a == 8 ? 0xffffffff9a000000ULL :
	    0xc1000000ULL;
	struct kenc_sym *syms = make_syms(c->c_n, c->c_a,
	    c->c_kind == LKSYMS_PERCPU, text, rng);
	struct compare_state cs;
	struct kenc_where w;
	struct fakemem fm;
	struct lksyms ks;
	char why[256] = "";
	uint64_t at, v;
	size_t len;
	int err;

	fakemem_init(&fm, MEM_BASE, MEM_LEN, true);
	fill_junk(&fm, rng);
	put_decoy(&fm, MEM_BASE + 0x1000 + 3);
	at = MEM_BASE + (1 << 20) + 8 * prng_below(rng, 4096);
	len = kenc_build(syms, c->c_n, c->c_a, c->c_layout, c->c_kind, text,
	    at, fm.fm_buf + (at - MEM_BASE), MEM_LEN - (at - MEM_BASE) - 4096,
	    &w);
	REQUIRE(len > 0);
	put_decoy(&fm, at + len + 4096 - 64);

	err = lksyms_locate(&fm.fm_mem, MEM_BASE, MEM_BASE + MEM_LEN,
	    c->c_a == 8 && c->c_n % 2 ? 0 : c->c_a, &ks, why, sizeof (why));
	if (err != 0)
		fprintf(stderr, "a=%u layout %s kind %s n=%u: %s\n", c->c_a,
		    lksyms_layout_name(c->c_layout),
		    lksyms_kind_name(c->c_kind), c->c_n, why);
	CHECK(err == 0);
	if (err == 0) {
		CHECK(ks.ks_ptr_size == c->c_a);
		CHECK(ks.ks_num_syms == c->c_n);
		/*
		 * One symbol's address cannot tell an absolute table from
		 * the bytes before it: only the name is checked then.
		 */
		if (c->c_n == 1) {
			CHECK(lksyms_lookup(&ks, syms[0].ks_name, &v) == 0);
			lksyms_fini(&ks);
			goto known;
		}
		CHECK(ks.ks_layout == c->c_layout);
		CHECK(ks.ks_kind == c->c_kind);
		CHECK(ks.ks_token_table == w.kw_token_table);
		CHECK(ks.ks_token_index == w.kw_token_index);
		CHECK(ks.ks_names == w.kw_names);
		CHECK(ks.ks_markers == w.kw_markers);
		CHECK(ks.ks_num_syms_at == w.kw_num_syms);
		CHECK(ks.ks_addrs == w.kw_addrs);
		memset(&cs, 0, sizeof (cs));
		cs.cs_syms = syms;
		cs.cs_n = c->c_n;
		CHECK(lksyms_foreach(&ks, compare_cb, &cs) == 0);
		CHECK(cs.cs_bad == 0 && cs.cs_i == c->c_n);
		if (c->c_n > 20) {
			CHECK(lksyms_lookup(&ks, "linux_banner", &v) == 0);
			CHECK(lksyms_lookup(&ks, "no_such_symbol", &v) ==
			    ENOENT);
		}
		lksyms_fini(&ks);
	}
known:
	/* From the known table address, no search. */
	CHECK(lksyms_locate_at(&fm.fm_mem, w.kw_token_table, c->c_a, &ks, why,
	    sizeof (why)) == 0 && ks.ks_num_syms == c->c_n);
	lksyms_fini(&ks);
	CHECK(lksyms_locate_at(&fm.fm_mem, w.kw_token_table + 1, c->c_a, &ks,
	    why, sizeof (why)) == ENOENT);
	CHECK(lksyms_locate_at(&fm.fm_mem, w.kw_token_table, 2, &ks, why,
	    sizeof (why)) == EINVAL);
	/* Outside the range searched: not found. */
	CHECK(lksyms_locate(&fm.fm_mem, w.kw_end, MEM_BASE + MEM_LEN, 0, &ks,
	    why, sizeof (why)) == ENOENT);
	fakemem_fini(&fm);
	free(syms);
}

static void
test_configs(void)
{
	static const uint32_t sizes[] = { 1, 255, 256, 257, 3000 };
	uint64_t rng = 2024;
	struct config c;
	unsigned a, l, k, s;

	for (a = 4; a <= 8; a += 4) {
		for (l = 0; l < 3; l++) {
			for (k = 0; k < 3; k++) {
				if (a == 4 && k == LKSYMS_PERCPU)
					continue;
				for (s = 0; s < 5; s++) {
					c.c_a = a;
					c.c_layout = (enum lksyms_layout)l;
					c.c_kind = (enum lksyms_kind)k;
					c.c_n = sizes[s];
					run_config(&c, &rng);
				}
			}
		}
	}
}

/* Build the 6.1 x86_64 table, break it with fn, expect it refused. */
static void
hostile(const char *what, void (*breakit)(struct fakemem *,
    const struct kenc_where *, uint32_t), uint64_t *rng)
{
	const uint64_t text = 0xffffffff81000000ULL;
	const uint32_t n = 3000;
	struct kenc_sym *syms = make_syms(n, 8, true, text, rng);
	struct kenc_where w;
	struct fakemem fm;
	struct lksyms ks;
	char why[256] = "";
	uint64_t at = MEM_BASE + (2 << 20);
	int err;

	fakemem_init(&fm, MEM_BASE, MEM_LEN, true);
	REQUIRE(kenc_build(syms, n, 8, LKSYMS_LAYOUT_OLD, LKSYMS_PERCPU, text,
	    at, fm.fm_buf + (at - MEM_BASE), 8 << 20, &w) > 0);
	REQUIRE(lksyms_locate(&fm.fm_mem, MEM_BASE, MEM_BASE + MEM_LEN, 0,
	    &ks, why, sizeof (why)) == 0);
	lksyms_fini(&ks);
	breakit(&fm, &w, n);
	err = lksyms_locate(&fm.fm_mem, MEM_BASE, MEM_BASE + MEM_LEN, 0, &ks,
	    why, sizeof (why));
	if (err != ENOENT)
		fprintf(stderr, "%s: not refused (%d)\n", what, err);
	CHECK(err == ENOENT);
	CHECK(test_says(why, "no kallsyms"));
	if (err == 0)
		lksyms_fini(&ks);
	fakemem_fini(&fm);
	free(syms);
}

static unsigned char *
at_addr(struct fakemem *fm, uint64_t addr)
{
	return (fm->fm_buf + (addr - fm->fm_base));
}

static void
break_index(struct fakemem *fm, const struct kenc_where *w, uint32_t n)
{
	(void) n;
	at_addr(fm, w->kw_token_index + 2 * 200)[0]++;
}

static void
break_marker(struct fakemem *fm, const struct kenc_where *w, uint32_t n)
{
	(void) n;
	at_addr(fm, w->kw_markers + 4 * 5)[0]++;
}

static void
break_num_syms(struct fakemem *fm, const struct kenc_where *w, uint32_t n)
{
	(void) n;
	at_addr(fm, w->kw_num_syms)[0] ^= 0x40;
}

static void
break_order(struct fakemem *fm, const struct kenc_where *w, uint32_t n)
{
	unsigned char tmp[4], *p = at_addr(fm, w->kw_addrs + 4 * (n - 10));

	memcpy(tmp, p, 4);
	memcpy(p, p + 4 * 5, 4);
	memcpy(p + 4 * 5, tmp, 4);
}

static void
break_relbase(struct fakemem *fm, const struct kenc_where *w, uint32_t n)
{
	(void) n;
	/* relative_base is the pointer right before num_syms. */
	memset(at_addr(fm, w->kw_num_syms - 8), 0x11, 8);
}

static void
break_hole(struct fakemem *fm, const struct kenc_where *w, uint32_t n)
{
	(void) n;
	fakemem_hole(fm, w->kw_names + 8192);
}

static void
break_name(struct fakemem *fm, const struct kenc_where *w, uint32_t n)
{
	(void) n;
	at_addr(fm, w->kw_names)[0] = 0;
}

static void
test_hostile(void)
{
	uint64_t rng = 77;

	hostile("token index", break_index, &rng);
	hostile("marker", break_marker, &rng);
	hostile("num_syms", break_num_syms, &rng);
	hostile("address order", break_order, &rng);
	hostile("relative base", break_relbase, &rng);
	hostile("hole in the names", break_hole, &rng);
	hostile("empty name", break_name, &rng);
}

/* A kernel-sized table (150000 symbols), timed. */
static void
test_big(void)
{
	const uint64_t text = 0xffffffff81000000ULL;
	const uint32_t n = 150000;
	uint64_t rng = 5, at = MEM_BASE + (1 << 20), t0ns, t1ns, v;
	struct kenc_sym *syms = make_syms(n, 8, true, text, &rng);
	struct timespec t0, t1;
	struct kenc_where w;
	struct fakemem fm;
	struct lksyms ks;
	char why[256] = "";

	fakemem_init(&fm, MEM_BASE, MEM_LEN, true);
	fill_junk(&fm, &rng);
	REQUIRE(kenc_build(syms, n, 8, LKSYMS_LAYOUT_OLD, LKSYMS_PERCPU, text,
	    at, fm.fm_buf + (at - MEM_BASE), MEM_LEN - (2 << 20), &w) > 0);
	(void) clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK(lksyms_locate(&fm.fm_mem, MEM_BASE, MEM_BASE + MEM_LEN, 0, &ks,
	    why, sizeof (why)) == 0);
	(void) clock_gettime(CLOCK_MONOTONIC, &t1);
	CHECK(ks.ks_num_syms == n);
	CHECK(lksyms_lookup(&ks, "init_task", &v) == 0);
	t0ns = (uint64_t)t0.tv_sec * 1000000000ULL + (uint64_t)t0.tv_nsec;
	t1ns = (uint64_t)t1.tv_sec * 1000000000ULL + (uint64_t)t1.tv_nsec;
	fprintf(stderr, "150000 symbols (%" PRIu64 " KiB of names) found in "
	    "16 MiB in %" PRIu64 " ms\n", ks.ks_names_len >> 10,
	    (t1ns - t0ns) / 1000000);
	lksyms_fini(&ks);
	fakemem_fini(&fm);
	free(syms);
}

int
main(void)
{
	test_configs();
	test_hostile();
	test_big();
	return (test_done());
}
