/*
 * linux_discover_test.c -- linux_open on synthetic kernels the test
 * writes as raw images (no notes, no registers) and opens through the
 * guest handle: an x86_64 kernel slid by KASLR (2 MiB pages mapping its
 * image at 0xffffffff80000000 + slide, a banner with copies of it
 * around, kallsyms from the tests' encoder, BTF built with libbpf, a
 * VMCOREINFO page) and an i386 PAE one (the direct map).  Each path of
 * the discovery is taken and its answers compared with what the builder
 * put there: VMCOREINFO; kallsyms alone; VMCOREINFO with kallsyms
 * broken; nothing but the banner (refused, saying what to pass) and
 * then a System.map; the cache written, used, refused when corrupt and
 * rewritten, not touched with LINUX_OPEN_NO_CACHE; an empty guest; a
 * VMCOREINFO whose release the banner contradicts.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <porthole/guest.h>
#include <porthole/linux.h>

#include "guest/linux/linux_impl.h"
#include "guest/linux/linux_kallsyms.h"
#include "tests/kallsyms_enc.h"
#include "tests/test.h"

#ifdef HAVE_LIBBPF
#include <bpf/btf.h>
#endif

#define	MEM_LEN		(UINT64_C(64) << 20)
#define	X64_IMG_PA	UINT64_C(0x2400000)
#define	X64_SLIDE	UINT64_C(0x1c000000)
#define	X64_LINK_TEXT	UINT64_C(0xffffffff81000000)
#define	I386_IMG_PA	UINT64_C(0x1000000)
#define	VMCI_PA		UINT64_C(0x3800000)
#define	LOG_COPY_PA	UINT64_C(0x100000)
#define	PROC_COPY_PA	UINT64_C(0x120000)

/* Offsets in the image (virtual and physical alike). */
#define	T_BANNER	UINT64_C(0x200000)
#define	T_UTS		UINT64_C(0x210000)
#define	T_INIT_TASK	UINT64_C(0x220000)
#define	T_KALLSYMS	UINT64_C(0x300000)
#define	T_BTF		UINT64_C(0x500000)
#define	T_PGT		UINT64_C(0x600000)
#define	T_END		UINT64_C(0x800000)

#define	RELEASE		"6.1.0-99-test"
#define	BANNER		"Linux version " RELEASE " (builder@test) (gcc " \
			"12.2.0) #1 SMP PREEMPT_DYNAMIC Debian 6.1.0-99"

struct synth {
	bool		s_x64;
	bool		s_vmcoreinfo;
	bool		s_break_kallsyms;
	const char	*s_vmci_release;	/* NULL: RELEASE */
	unsigned char	*s_mem;
	uint64_t	s_img_pa;
	uint64_t	s_text;			/* runtime _text */
	uint64_t	s_link_text;
	uint64_t	s_slide;
	size_t		s_btf_len;
	char		s_path[512];
};

static char tmpdir[256];

static void
put(struct synth *s, uint64_t pa, const void *p, size_t n)
{
	REQUIRE(pa + n <= MEM_LEN);
	memcpy(s->s_mem + pa, p, n);
}

static void
put64(struct synth *s, uint64_t pa, uint64_t v)
{
	unsigned char b[8];
	unsigned i;

	for (i = 0; i < 8; i++)
		b[i] = (unsigned char)(v >> (8 * i));
	put(s, pa, b, 8);
}

static uint64_t
img_pa(const struct synth *s, uint64_t off)
{
	return (s->s_img_pa + off);
}

/* The symbols, ascending; percpu ones first on x86_64. */
static uint32_t
make_syms(const struct synth *s, struct kenc_sym *k)
{
	static const struct { const char *n; char t; uint64_t off; } img[] = {
		{ "_text", 'T', 0 }, { "_stext", 'T', 0 },
		{ "startup_64", 't', 0x40 }, { "schedule", 'T', 0x1000 },
		{ "do_sys_open_0123456789", 'T', 0x2000 },
		{ "linux_banner", 'R', T_BANNER },
		{ "linux_proc_banner", 'R', T_BANNER + 0x100 },
		{ "init_uts_ns", 'D', T_UTS }, { "init_task", 'D', T_INIT_TASK },
		{ "__start_BTF", 'R', T_BTF }, { "__stop_BTF", 'R', 0 },
		{ "init_top_pgt", 'D', T_PGT }, { "swapper_pg_dir", 'D', T_PGT },
		{ "_end", 'B', T_END }
	};
	uint32_t n = 0, i;

	if (s->s_x64) {
		(void) snprintf(k[n].ks_name, KENC_NAME_MAX, "fixed_percpu_data");
		k[n].ks_type = 'A';
		k[n].ks_abs = true;
		k[n++].ks_addr = 0;
		(void) snprintf(k[n].ks_name, KENC_NAME_MAX, "cpu_number");
		k[n].ks_type = 'A';
		k[n].ks_abs = true;
		k[n++].ks_addr = 0x1c000;
	}
	for (i = 0; i < sizeof (img) / sizeof (img[0]); i++) {
		(void) snprintf(k[n].ks_name, KENC_NAME_MAX, "%s", img[i].n);
		k[n].ks_type = img[i].t;
		k[n].ks_addr = s->s_text + (strcmp(img[i].n, "__stop_BTF") == 0 ?
		    T_BTF + s->s_btf_len : img[i].off);
		if (strcmp(img[i].n, "swapper_pg_dir") == 0 && s->s_x64)
			continue;
		if (strcmp(img[i].n, "init_top_pgt") == 0 && !s->s_x64)
			continue;
		n++;
	}
	/* Sorted by address (the table's order). */
	for (i = 1; i < n; i++) {
		uint32_t j = i;

		while (j > 0 && k[j - 1].ks_addr > k[j].ks_addr) {
			struct kenc_sym t = k[j];

			k[j] = k[j - 1];
			k[j - 1] = t;
			j--;
		}
	}
	return (n);
}

static size_t
make_btf(struct synth *s)
{
#ifdef HAVE_LIBBPF
	struct btf *b = btf__new_empty();
	int i_int, i_ptr, i_lh, i_task, next;
	const void *raw;
	__u32 n = 0;

	REQUIRE(b != NULL);
	i_int = btf__add_int(b, "int", 4, BTF_INT_SIGNED);
	next = (int)btf__type_cnt(b);
	i_ptr = btf__add_ptr(b, next + 1);
	i_lh = btf__add_struct(b, "list_head", s->s_x64 ? 16 : 8);
	(void) btf__add_field(b, "next", i_ptr, 0, 0);
	(void) btf__add_field(b, "prev", i_ptr, s->s_x64 ? 64 : 32, 0);
	i_task = btf__add_struct(b, "task_struct", 64);
	(void) btf__add_field(b, "pid", i_int, 0, 0);
	(void) btf__add_field(b, "tasks", i_lh, 64, 0);
	REQUIRE(i_task > 0);
	raw = btf__raw_data(b, &n);
	REQUIRE(raw != NULL && n < 0x100000);
	put(s, img_pa(s, T_BTF), raw, n);
	btf__free(b);
	return (n);
#else
	/* Not BTF: __start_BTF .. __stop_BTF is refused, and said so. */
	put(s, img_pa(s, T_BTF), "no-btf", 6);
	return (6);
#endif
}

static void
make_tables(struct synth *s)
{
	uint64_t pgt = img_pa(s, T_PGT), va, i;

	if (s->s_x64) {
		/* PML4[511] -> PDPT -> PD with 2 MiB pages over the image. */
		va = s->s_text;
		put64(s, pgt + 8 * ((va >> 39) & 511), (pgt + 0x1000) | 0x63);
		put64(s, pgt + 0x1000 + 8 * ((va >> 30) & 511),
		    (pgt + 0x2000) | 0x63);
		for (i = 0; i < 4; i++)
			put64(s, pgt + 0x2000 + 8 * (((va >> 21) + i) & 511),
			    (s->s_img_pa + (i << 21)) | 0xe3);
		return;
	}
	/* PAE: PDPTE 3 -> a PD mapping the first 64 MiB at PAGE_OFFSET. */
	put64(s, pgt + 24, (pgt + 0x1000) | 0x1);
	for (i = 0; i < MEM_LEN >> 21; i++)
		put64(s, pgt + 0x1000 + 8 * i, (i << 21) | 0xe3);
}

static void
make_vmcoreinfo(struct synth *s)
{
	char text[2048];
	int n;

	if (s->s_x64)
		n = snprintf(text, sizeof (text), "OSRELEASE=%s\nBUILD-ID="
		    "0123456789abcdef0123456789abcdef01234567\nPAGESIZE=4096\n"
		    "SYMBOL(init_uts_ns)=%" PRIx64 "\nOFFSET(uts_namespace.name)"
		    "=0\nSYMBOL(swapper_pg_dir)=%" PRIx64 "\nSYMBOL(_stext)=%"
		    PRIx64 "\nOFFSET(list_head.next)=0\nNUMBER(phys_base)=%"
		    PRId64 "\nSYMBOL(init_top_pgt)=%" PRIx64 "\n"
		    "NUMBER(pgtable_l5_enabled)=0\nKERNELOFFSET=%" PRIx64 "\n",
		    s->s_vmci_release != NULL ? s->s_vmci_release : RELEASE,
		    s->s_text + T_UTS, s->s_text + T_PGT, s->s_text,
		    (int64_t)(s->s_img_pa - (s->s_text - UINT64_C(0xffffffff80000000))),
		    s->s_text + T_PGT, s->s_slide);
	else
		n = snprintf(text, sizeof (text), "OSRELEASE=%s\nPAGESIZE=4096"
		    "\nSYMBOL(swapper_pg_dir)=%" PRIx64 "\nSYMBOL(_stext)=%"
		    PRIx64 "\nCONFIG_X86_PAE=y\n", s->s_vmci_release != NULL ?
		    s->s_vmci_release : RELEASE, s->s_text + T_PGT, s->s_text);
	REQUIRE(n > 0 && (size_t)n < sizeof (text));
	put(s, VMCI_PA, text, (size_t)n + 1);
}

/* Build the kernel and write the raw image; returns its path. */
static const char *
build(struct synth *s)
{
	static const char proc_banner[] = "%s version %s (builder@test) "
	    "(gcc 12.2.0) %s\n";
	struct kenc_sym syms[32];
	struct kenc_where w;
	char uts[6 * 65];
	FILE *f;
	uint32_t n;

	s->s_mem = calloc(1, MEM_LEN);
	REQUIRE(s->s_mem != NULL);
	memset(syms, 0, sizeof (syms));
	if (s->s_x64) {
		s->s_img_pa = X64_IMG_PA;
		s->s_slide = X64_SLIDE;
		s->s_link_text = X64_LINK_TEXT;
	} else {
		s->s_img_pa = I386_IMG_PA;
		s->s_slide = 0;
		s->s_link_text = UINT64_C(0xc0000000) + I386_IMG_PA;
	}
	s->s_text = s->s_link_text + s->s_slide;
	/* The banner, linux_proc_banner after it; copies elsewhere. */
	put(s, img_pa(s, T_BANNER), BANNER "\n", sizeof (BANNER) + 1);
	put(s, img_pa(s, T_BANNER + 0x100), proc_banner, sizeof (proc_banner));
	put(s, LOG_COPY_PA, BANNER "\x10\x02", sizeof (BANNER) + 1);
	put(s, PROC_COPY_PA, BANNER "\nxyz", sizeof (BANNER) + 4);
	memset(uts, 0, sizeof (uts));
	memcpy(uts, "Linux", 5);
	memcpy(uts + 130, RELEASE, sizeof (RELEASE));
	put(s, img_pa(s, T_UTS), uts, sizeof (uts));
	put(s, img_pa(s, T_INIT_TASK), "init-task", 9);
	s->s_btf_len = make_btf(s);
	n = make_syms(s, syms);
	REQUIRE(kenc_build(syms, n, s->s_x64 ? 8 : 4, LKSYMS_LAYOUT_OLD,
	    s->s_x64 ? LKSYMS_PERCPU : LKSYMS_RELATIVE, s->s_text,
	    s->s_text + T_KALLSYMS, s->s_mem + img_pa(s, T_KALLSYMS),
	    T_BTF - T_KALLSYMS, &w) > 0);
	if (s->s_break_kallsyms)
		s->s_mem[img_pa(s, w.kw_token_index - s->s_text) + 100] ^= 1;
	make_tables(s);
	if (s->s_vmcoreinfo)
		make_vmcoreinfo(s);
	(void) snprintf(s->s_path, sizeof (s->s_path), "%s/kernel.raw",
	    tmpdir);
	REQUIRE((f = fopen(s->s_path, "wb")) != NULL);
	REQUIRE(fwrite(s->s_mem, 1, MEM_LEN, f) == MEM_LEN);
	REQUIRE(fclose(f) == 0);
	free(s->s_mem);
	s->s_mem = NULL;
	return (s->s_path);
}

static struct linux_kernel *
open_kernel(struct guest *g, unsigned flags, const char *cache,
    const char *sysmap, char *err, size_t errlen)
{
	struct linux_opts o;

	memset(&o, 0, sizeof (o));
	o.lo_size = sizeof (o);
	o.lo_flags = flags;
	o.lo_cache_dir = cache;
	o.lo_system_map = sysmap;
	return (linux_open(g, &o, err, errlen));
}

/* The answers every open of s must give. */
static void
check_kernel(struct guest *g, struct linux_kernel *lk, const struct synth *s,
    bool all_symbols)
{
	const struct guest_space *sp = linux_kernel_space(lk);
	char text[sizeof (BANNER) + 1];
	uint64_t v, sz;

	CHECK(strcmp(linux_release(lk), RELEASE) == 0);
	CHECK(strcmp(linux_banner(lk), BANNER) == 0);
	CHECK(linux_kaslr_offset(lk) == s->s_slide);
	CHECK(sp->gs_mode == (s->s_x64 ? GUEST_PAGING_4LEVEL :
	    GUEST_PAGING_PAE));
	CHECK(sp->gs_cr3 == img_pa(s, T_PGT));
	CHECK(lk->lk_ptr_size == (s->s_x64 ? 8u : 4u));
	CHECK(linux_symbol(lk, "linux_banner", &v) == 0 &&
	    v == s->s_text + T_BANNER);
	memset(text, 0, sizeof (text));
	CHECK(guest_vread(g, sp, s->s_text + T_BANNER, text,
	    sizeof (BANNER) - 1, NULL) == sizeof (BANNER) - 1 &&
	    strcmp(text, BANNER) == 0);
	if (all_symbols) {
		CHECK(linux_symbol(lk, "init_task", &v) == 0 &&
		    v == s->s_text + T_INIT_TASK);
		CHECK(linux_symbol(lk, "schedule", &v) == 0 &&
		    v == s->s_text + 0x1000);
		if (s->s_x64)
			CHECK(linux_symbol(lk, "cpu_number", &v) == 0 &&
			    v == 0x1c000);
	}
	CHECK(linux_symbol(lk, "nowhere", &v) == -1 && errno == ENOENT);
	CHECK(linux_symbol(lk, NULL, &v) == -1 && errno == EINVAL);
#ifdef HAVE_LIBBPF
	if (all_symbols)
		CHECK(lprof_member(lk->lk_prof, "task_struct", "tasks", &v,
		    &sz) == 0 && v == 8 && sz == (s->s_x64 ? 16u : 8u));
#else
	(void) sz;
#endif
}

static void
test_paths(bool x64)
{
	char err[512] = "", cache[300];
	struct linux_kernel *lk;
	struct synth s;
	struct guest *g;
	uint64_t v;

	(void) snprintf(cache, sizeof (cache), "%s/cache-%d", tmpdir, x64);

	/* VMCOREINFO, kallsyms, BTF. */
	memset(&s, 0, sizeof (s));
	s.s_x64 = x64;
	s.s_vmcoreinfo = true;
	REQUIRE((g = guest_open(build(&s), 0, err, sizeof (err))) != NULL);
	lk = open_kernel(g, LINUX_OPEN_NO_CACHE, NULL, NULL, err,
	    sizeof (err));
	if (lk == NULL)
		fprintf(stderr, "vmcoreinfo: %s\n", err);
	REQUIRE(lk != NULL);
	check_kernel(g, lk, &s, true);
	CHECK(strstr(linux_profile_source(lk), "vmcoreinfo") != NULL &&
	    strstr(linux_profile_source(lk), "kallsyms") != NULL);
	fprintf(stderr, "%s vmcoreinfo: %s\n", x64 ? "x64" : "i386",
	    linux_profile_source(lk));
	linux_close(lk);
	guest_close(g);

	/* kallsyms alone (no VMCOREINFO, no registers). */
	memset(&s, 0, sizeof (s));
	s.s_x64 = x64;
	REQUIRE((g = guest_open(build(&s), 0, err, sizeof (err))) != NULL);
	lk = open_kernel(g, LINUX_OPEN_NO_CACHE, NULL, NULL, err,
	    sizeof (err));
	if (lk == NULL)
		fprintf(stderr, "kallsyms: %s\n", err);
	REQUIRE(lk != NULL);
	check_kernel(g, lk, &s, true);
	CHECK(strstr(linux_profile_source(lk), "vmcoreinfo") == NULL);
	if (x64)
		CHECK(lprof_number(lk->lk_prof, "phys_base", &v) == 0 &&
		    v == X64_IMG_PA - (s.s_text - 0xffffffff80000000ULL));
	fprintf(stderr, "%s kallsyms: %s\n", x64 ? "x64" : "i386",
	    linux_profile_source(lk));
	linux_close(lk);

	/* The cache: written, used, refused when corrupt, rewritten. */
	lk = open_kernel(g, 0, cache, NULL, err, sizeof (err));
	REQUIRE(lk != NULL);
	CHECK(strstr(linux_profile_source(lk), "cache") == NULL);
	linux_close(lk);
	lk = open_kernel(g, 0, cache, NULL, err, sizeof (err));
	REQUIRE(lk != NULL);
	check_kernel(g, lk, &s, true);
	CHECK(strstr(linux_profile_source(lk), "cache") != NULL);
	linux_close(lk);
	{
		char cmd[700];

		(void) snprintf(cmd, sizeof (cmd), "for f in '%s'/linux-*; do "
		    "printf 'garbage' | dd of=\"$f\" bs=1 seek=40 conv=notrunc "
		    "2>/dev/null; done", cache);
		CHECK(system(cmd) == 0);
	}
	lk = open_kernel(g, 0, cache, NULL, err, sizeof (err));
	REQUIRE(lk != NULL);
	CHECK(strstr(linux_profile_source(lk), "cache") == NULL);
	check_kernel(g, lk, &s, true);
	linux_close(lk);
	lk = open_kernel(g, 0, cache, NULL, err, sizeof (err));
	REQUIRE(lk != NULL);
	CHECK(strstr(linux_profile_source(lk), "cache") != NULL);
	linux_close(lk);
	/* REFRESH ignores it (and rewrites it). */
	lk = open_kernel(g, LINUX_OPEN_REFRESH, cache, NULL, err,
	    sizeof (err));
	REQUIRE(lk != NULL);
	CHECK(strstr(linux_profile_source(lk), "cache") == NULL);
	linux_close(lk);
	guest_close(g);

	/* VMCOREINFO with kallsyms broken: what VMCOREINFO gives. */
	memset(&s, 0, sizeof (s));
	s.s_x64 = x64;
	s.s_vmcoreinfo = true;
	s.s_break_kallsyms = true;
	REQUIRE((g = guest_open(build(&s), 0, err, sizeof (err))) != NULL);
	lk = open_kernel(g, LINUX_OPEN_NO_CACHE, NULL, NULL, err,
	    sizeof (err));
	if (lk == NULL)
		fprintf(stderr, "vmcoreinfo only: %s\n", err);
	REQUIRE(lk != NULL);
	check_kernel(g, lk, &s, false);
	CHECK(strcmp(linux_profile_source(lk), "vmcoreinfo") == 0);
	CHECK(linux_symbol(lk, "init_task", &v) == -1);
	linux_close(lk);
	guest_close(g);
}

static void
test_banner_only(void)
{
	char err[512] = "", map[600];
	struct linux_kernel *lk;
	struct synth s;
	struct guest *g;
	uint64_t v;
	FILE *f;

	memset(&s, 0, sizeof (s));
	s.s_x64 = true;
	s.s_break_kallsyms = true;
	REQUIRE((g = guest_open(build(&s), 0, err, sizeof (err))) != NULL);
	lk = open_kernel(g, LINUX_OPEN_NO_CACHE, NULL, NULL, err,
	    sizeof (err));
	CHECK(lk == NULL && errno == ENOENT);
	CHECK(test_says(err, "banner found at pa 0x2600000"));
	CHECK(test_says(err, "System.map"));
	/* A System.map (link-time addresses) is enough. */
	(void) snprintf(map, sizeof (map), "%s/System.map", tmpdir);
	REQUIRE((f = fopen(map, "w")) != NULL);
	fprintf(f, "0000000000000000 D fixed_percpu_data\n"
	    "%016" PRIx64 " T _text\n%016" PRIx64 " R linux_banner\n"
	    "%016" PRIx64 " D init_task\n%016" PRIx64 " D init_top_pgt\n"
	    "%016" PRIx64 " T only_in_map\n", X64_LINK_TEXT,
	    X64_LINK_TEXT + T_BANNER, X64_LINK_TEXT + T_INIT_TASK,
	    X64_LINK_TEXT + T_PGT, X64_LINK_TEXT + 0x3000);
	REQUIRE(fclose(f) == 0);
	lk = open_kernel(g, LINUX_OPEN_NO_CACHE, NULL, map, err, sizeof (err));
	if (lk == NULL)
		fprintf(stderr, "System.map: %s\n", err);
	REQUIRE(lk != NULL);
	check_kernel(g, lk, &s, false);
	CHECK(linux_symbol(lk, "init_task", &v) == 0 &&
	    v == s.s_text + T_INIT_TASK);
	CHECK(linux_symbol(lk, "only_in_map", &v) == 0 &&
	    v == s.s_text + 0x3000);
	CHECK(linux_symbol(lk, "fixed_percpu_data", &v) == 0 && v == 0);
	CHECK(strstr(linux_profile_source(lk), "system-map") != NULL);
	linux_close(lk);
	/* A System.map that is not one. */
	REQUIRE((f = fopen(map, "w")) != NULL);
	fprintf(f, "nothing here\n");
	REQUIRE(fclose(f) == 0);
	lk = open_kernel(g, LINUX_OPEN_NO_CACHE, NULL, map, err, sizeof (err));
	CHECK(lk == NULL && errno == EINVAL && test_says(err, "no System.map"));
	guest_close(g);
}

static void
test_refused(void)
{
	char err[512] = "", path[600];
	struct linux_kernel *lk;
	struct synth s;
	struct guest *g;
	FILE *f;
	int fd;

	/* Nothing there. */
	(void) snprintf(path, sizeof (path), "%s/empty.raw", tmpdir);
	REQUIRE((f = fopen(path, "wb")) != NULL);
	REQUIRE(fclose(f) == 0);
	REQUIRE((fd = open(path, O_WRONLY)) >= 0);
	REQUIRE(ftruncate(fd, 16 << 20) == 0);
	REQUIRE(close(fd) == 0);
	REQUIRE((g = guest_open(path, 0, err, sizeof (err))) != NULL);
	lk = open_kernel(g, LINUX_OPEN_NO_CACHE, NULL, NULL, err,
	    sizeof (err));
	CHECK(lk == NULL && errno == ENOENT &&
	    test_says(err, "no Linux kernel found"));
	CHECK(linux_open(NULL, NULL, err, sizeof (err)) == NULL &&
	    errno == EINVAL);
	guest_close(g);

	/* VMCOREINFO and the banner disagree. */
	memset(&s, 0, sizeof (s));
	s.s_x64 = true;
	s.s_vmcoreinfo = true;
	s.s_vmci_release = "6.1.0-98-other";
	REQUIRE((g = guest_open(build(&s), 0, err, sizeof (err))) != NULL);
	lk = open_kernel(g, LINUX_OPEN_NO_CACHE, NULL, NULL, err,
	    sizeof (err));
	CHECK(lk == NULL && errno == EINVAL && test_says(err, "inconsistent"));
	linux_close(lk);
	guest_close(g);
	linux_close(NULL);
}

int
main(void)
{
	const char *t = getenv("TMPDIR");
	char cmd[600];

	(void) snprintf(tmpdir, sizeof (tmpdir), "%s/ph_ldisc.XXXXXX",
	    t != NULL && *t != '\0' ? t : "/tmp");
	REQUIRE(mkdtemp(tmpdir) != NULL);
	test_paths(true);
	test_paths(false);
	test_banner_only();
	test_refused();
	(void) snprintf(cmd, sizeof (cmd), "rm -rf '%s'", tmpdir);
	CHECK(system(cmd) == 0);
	return (test_done());
}
