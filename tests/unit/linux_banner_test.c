/*
 * linux_banner_test.c -- the banner's form, the search for the kernel's
 * banner among copies (the kernel log's, without a newline; a process's
 * /proc/version buffer; a look-alike of another release) in a memory the
 * test builds, and the search for the virtual address that maps it
 * through a translation the test defines (2 MiB and 4 KiB pages, holes,
 * a slide), with and without the 2 MiB congruence shortcut.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "guest/linux/linux_banner.h"
#include "tests/lk_fakemem.h"
#include "tests/test.h"

static const char real_banner[] =
    "Linux version 6.1.0-27-amd64 (debian-kernel@lists.debian.org) "
    "(gcc-12 (Debian 12.2.0-14) 12.2.0, GNU ld (GNU Binutils for Debian) "
    "2.40) #1 SMP PREEMPT_DYNAMIC Debian 6.1.115-1 (2024-11-01)\n";
static const char proc_banner[] =
    "%s version %s (debian-kernel@lists.debian.org) (gcc-12 (Debian "
    "12.2.0-14) 12.2.0, GNU ld (GNU Binutils for Debian) 2.40) %s\n";

static void
test_parse(void)
{
	struct lbanner b;
	char buf[LBANNER_MAX + 64];

	memset(&b, 0, sizeof (b));
	CHECK(lbanner_parse(real_banner, sizeof (real_banner), &b) ==
	    sizeof (real_banner) - 1);
	CHECK(strcmp(b.lb_release, "6.1.0-27-amd64") == 0);
	CHECK(strncmp(b.lb_text, real_banner, sizeof (real_banner) - 2) == 0 &&
	    b.lb_text[sizeof (real_banner) - 2] == '\0');
	/* The shortest form. */
	CHECK(lbanner_parse("Linux version 2.6 (a) #1\n", 25, &b) == 25);
	CHECK(strcmp(b.lb_release, "2.6") == 0);
	/* Not banners. */
	CHECK(lbanner_parse("Linux version 6.1 (a) #1", 24, &b) == 0);
	CHECK(lbanner_parse("Linux version 6.1 (a) 1\n", 24, &b) == 0);
	CHECK(lbanner_parse("Linux version 6.1 #1\n", 21, &b) == 0);
	CHECK(lbanner_parse("Linux version  (a) #1\n", 22, &b) == 0);
	CHECK(lbanner_parse("Linux version 6.1 (a)\t#1\n", 25, &b) == 0);
	CHECK(lbanner_parse("Linux version 6.1 (\x80) #1\n", 25, &b) == 0);
	CHECK(lbanner_parse("Linux versio", 12, &b) == 0);
	CHECK(lbanner_parse("linux version 6.1 (a) #1\n", 25, &b) == 0);
	/* A release over 64 characters. */
	(void) snprintf(buf, sizeof (buf), "Linux version %065d (a) #1\n", 1);
	CHECK(lbanner_parse(buf, strlen(buf), &b) == 0);
	(void) snprintf(buf, sizeof (buf), "Linux version %064d (a) #1\n", 1);
	CHECK(lbanner_parse(buf, strlen(buf), &b) == strlen(buf));
	/* A newline past LBANNER_MAX is too late. */
	memset(buf, 'x', sizeof (buf));
	memcpy(buf, "Linux version 6.1 (a) #1 ", 25);
	buf[LBANNER_MAX + 1] = '\n';
	CHECK(lbanner_parse(buf, sizeof (buf), &b) == 0);
	buf[LBANNER_MAX] = '\n';
	CHECK(lbanner_parse(buf, sizeof (buf), &b) == LBANNER_MAX + 1);
}

static void
put_str(struct fakemem *fm, uint64_t addr, const char *s, bool nul)
{
	fakemem_put(fm, addr, s, strlen(s) + (nul ? 1 : 0));
}

static void
test_find(void)
{
	const uint64_t base = 0, len = 8u << 20;
	const uint64_t a_log = 0x100010, a_proc = 0x200000, a_other = 0x280000;
	const uint64_t a_copy = 0x300000, a_real = 0x5a0000, a_hole = 0x700000;
	struct lbanner out[8];
	struct fakemem fm;
	char other[sizeof (real_banner)];
	unsigned n = 0;

	fakemem_init(&fm, base, len, true);
	CHECK(lbanner_find(&fm.fm_mem, 0, len, NULL, out, 8, &n) == ENOENT &&
	    n == 0);
	/* The log's copy: no newline, binary after it. */
	fakemem_put(&fm, a_log, real_banner, sizeof (real_banner) - 2);
	fakemem_put(&fm, a_log + sizeof (real_banner) - 2, "\x08\x01\x00", 3);
	/* A /proc/version buffer: newline, no NUL. */
	put_str(&fm, a_proc, real_banner, false);
	fakemem_put(&fm, a_proc + sizeof (real_banner) - 1, "xyz", 3);
	/* Another release's, with all the evidence. */
	memcpy(other, real_banner, sizeof (real_banner));
	memcpy(other + 14, "6.1.0-99", 8);
	put_str(&fm, a_other, other, true);
	put_str(&fm, a_other + 512, proc_banner, true);
	/* A copy with its NUL but no proc banner near. */
	put_str(&fm, a_copy, real_banner, true);
	/* The kernel's, linux_proc_banner after it. */
	put_str(&fm, a_real, real_banner, true);
	put_str(&fm, a_real + 320, proc_banner, true);
	/* One in a hole is never seen. */
	put_str(&fm, a_hole + 16, real_banner, true);
	fakemem_hole(&fm, a_hole);

	memset(out, 0, sizeof (out));
	CHECK(lbanner_find(&fm.fm_mem, 0, len, "6.1.0-27-amd64", out, 8, &n) ==
	    0);
	CHECK(n == 4);		/* the one in the hole is not reached */
	CHECK(out[0].lb_pa == a_real &&
	    out[0].lb_score == (LBANNER_NUL | LBANNER_PROC | LBANNER_RELEASE));
	CHECK(strcmp(out[0].lb_release, "6.1.0-27-amd64") == 0);
	/* The release asked for outweighs the other evidence. */
	CHECK(out[1].lb_pa == a_copy &&
	    out[1].lb_score == (LBANNER_NUL | LBANNER_RELEASE));
	CHECK(out[2].lb_pa == a_proc && out[2].lb_score == LBANNER_RELEASE);
	CHECK(out[3].lb_pa == a_other &&
	    out[3].lb_score == (LBANNER_NUL | LBANNER_PROC));
	CHECK(strcmp(out[3].lb_release, "6.1.0-99-amd64") == 0);

	/* Without a release, the first with NUL and proc banner ends it. */
	CHECK(lbanner_find(&fm.fm_mem, 0, len, NULL, out, 8, &n) == 0);
	CHECK(out[0].lb_pa == a_other && n == 2);
	/* At most max kept, still counted. */
	CHECK(lbanner_find(&fm.fm_mem, 0, len, "6.1.0-27-amd64", out, 2, &n) ==
	    0 && n == 4 && out[0].lb_pa == a_real && out[1].lb_pa == a_copy);
	/* A range that holds only the copies. */
	CHECK(lbanner_find(&fm.fm_mem, a_proc, a_copy + 1, "6.1.0-27-amd64",
	    out, 8, &n) == 0 && n == 3 && out[0].lb_pa == a_copy);
	CHECK(lbanner_find(&fm.fm_mem, 0, len, NULL, out, 0, &n) == EINVAL);
	fakemem_fini(&fm);
}

/*
 * A translation: kernel image pages at [IMG_VA, +IMG_LEN) map physical
 * [IMG_PA, +IMG_LEN), in 2 MiB pages, except the last 2 MiB in 4 KiB
 * pages with one missing; everything else is unmapped, in 1 GiB spans
 * below the image and 2 MiB spans inside the range.
 */
#define	RANGE_LO	0xffffffff80000000ULL
#define	RANGE_HI	0xffffffffc0000000ULL
#define	IMG_LEN		(8ULL << 20)

struct xlate {
	uint64_t	x_va;
	uint64_t	x_pa;
	unsigned long	x_calls;
};

static int
xlate_v2p(void *arg, uint64_t va, uint64_t *pap, uint64_t *spanp)
{
	struct xlate *x = arg;
	uint64_t off;

	x->x_calls++;
	if (va < RANGE_LO) {
		*spanp = (1ULL << 30) - (va & ((1ULL << 30) - 1));
		return (EFAULT);
	}
	if (va < x->x_va || va - x->x_va >= IMG_LEN) {
		*spanp = (2ULL << 20) - (va & ((2ULL << 20) - 1));
		return (EFAULT);
	}
	off = va - x->x_va;
	if (off < IMG_LEN - (2ULL << 20)) {
		*pap = x->x_pa + off;
		*spanp = (2ULL << 20) - (off & ((2ULL << 20) - 1));
		return (0);
	}
	if (off >= IMG_LEN - 4096) {
		*spanp = 4096 - (off & 4095);
		return (EFAULT);
	}
	*pap = x->x_pa + off;
	*spanp = 4096 - (off & 4095);
	return (0);
}

static void
test_va(void)
{
	struct xlate x = { RANGE_LO + 0x1c000000, 0x3000000, 0 };
	struct lk_v2p v = { xlate_v2p, &x };
	uint64_t va = 0;

	/* In a 2 MiB page, with the shortcut: one probe per 2 MiB. */
	CHECK(lbanner_va(&v, 0x3000000 + 0x234567, RANGE_LO, RANGE_HI,
	    2ULL << 20, &va) == 0 && va == x.x_va + 0x234567);
	CHECK(x.x_calls <= 0x1c000000 / (2 << 20) + 10);
	/* Without it, a walk that passes over the unmapped spans. */
	x.x_calls = 0;
	CHECK(lbanner_va(&v, 0x3000000 + 0x234567, RANGE_LO, RANGE_HI, 0,
	    &va) == 0 && va == x.x_va + 0x234567);
	CHECK(x.x_calls <= 0x1c000000 / (2 << 20) + 10);
	/* In the 4 KiB part. */
	CHECK(lbanner_va(&v, 0x3000000 + IMG_LEN - 8192 + 5, RANGE_LO,
	    RANGE_HI, 2ULL << 20, &va) == 0 &&
	    va == x.x_va + IMG_LEN - 8192 + 5);
	/* Not mapped: the missing page, memory outside the image. */
	x.x_calls = 0;
	CHECK(lbanner_va(&v, 0x3000000 + IMG_LEN - 10, RANGE_LO, RANGE_HI,
	    2ULL << 20, &va) == ENOENT);
	CHECK(x.x_calls < 2 * (1 << 9) + 600);
	CHECK(lbanner_va(&v, 0x100, RANGE_LO, RANGE_HI, 0, &va) == ENOENT);
	/* A range that ends before the image. */
	CHECK(lbanner_va(&v, 0x3000000, RANGE_LO, x.x_va, 0, &va) == ENOENT);
	/* A range from below (1 GiB spans) to the top of the space. */
	CHECK(lbanner_va(&v, 0x3000010, 0xffff800000000000ULL, UINT64_MAX,
	    0, &va) == 0 && va == x.x_va + 0x10);
	CHECK(lbanner_va(&v, 0x3000000, 5, 5, 0, &va) == ENOENT);
}

int
main(void)
{
	test_parse();
	test_find();
	test_va();
	return (test_done());
}
