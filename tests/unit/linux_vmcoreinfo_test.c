/*
 * linux_vmcoreinfo_test.c -- the VMCOREINFO parser on texts shaped like
 * a 6.1 x86_64 and an i386 PAE kernel's, and on hostile ones (no
 * release, long lines, bad names and numbers, overflow, NULs, text past
 * the bound); and the search for the kernel's buffer in a memory built
 * by the test, among decoys (the magic off a page boundary, a page
 * without a page size, one in a hole).
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest/linux/linux_vmcoreinfo.h"
#include "tests/lk_fakemem.h"
#include "tests/test.h"

static const char x64_text[] =
    "OSRELEASE=6.1.0-27-amd64\n"
    "BUILD-ID=3A1c0c2a7b7c1d2e3f405162738495a6b7c8d9e0\n"
    "PAGESIZE=4096\n"
    "SYMBOL(init_uts_ns)=ffffffff9a615c20\n"
    "OFFSET(uts_namespace.name)=0\n"
    "SYMBOL(node_online_map)=ffffffff9a5d6e48\n"
    "SYMBOL(swapper_pg_dir)=ffffffff9a40a000\n"
    "SYMBOL(_stext)=ffffffff99000000\n"
    "NUMBER(VMALLOC_START)=0xffffb26a40000000\n"
    "SYMBOL(mem_section)=ffff8d5a3ffd5000\n"
    "LENGTH(mem_section)=2048\n"
    "SIZE(mem_section)=16\n"
    "OFFSET(mem_section.section_mem_map)=0\n"
    "NUMBER(SECTION_SIZE_BITS)=27\n"
    "SIZE(page)=64\n"
    "SIZE(nodemask_t)=128\n"
    "OFFSET(list_head.prev)=8\n"
    "SYMBOL(prb)=ffffffff9a4a5a18\n"
    "OFFSET(printk_ringbuffer.desc_ring)=0\n"
    "NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)=-129\n"
    "NUMBER(phys_base)=3221225472\n"
    "SYMBOL(init_top_pgt)=ffffffff9a40a000\n"
    "NUMBER(pgtable_l5_enabled)=0\n"
    "KERNELOFFSET=18000000\n"
    "NUMBER(KERNEL_IMAGE_SIZE)=1073741824\n"
    "CRASHTIME=1700000000\n";

static const char i386_text[] =
    "OSRELEASE=6.1.0-27-686-pae\n"
    "PAGESIZE=4096\n"
    "SYMBOL(swapper_pg_dir)=c1c9c000\n"
    "SYMBOL(_stext)=c1000000\n"
    "CONFIG_X86_PAE=y\n";

static void
test_x64(void)
{
	struct linux_profile *p = lprof_new();
	struct lvmci v;
	uint64_t x, s;

	REQUIRE(p != NULL);
	CHECK(lvmci_parse(x64_text, sizeof (x64_text) - 1, &v, p, NULL, 0)
	    == 0);
	CHECK(strcmp(v.lv_release, "6.1.0-27-amd64") == 0);
	CHECK(strcmp(v.lv_build_id,
	    "3a1c0c2a7b7c1d2e3f405162738495a6b7c8d9e0") == 0);
	CHECK(v.lv_pagesize == 4096);
	CHECK(v.lv_has_kerneloffset && v.lv_kerneloffset == 0x18000000);
	CHECK(v.lv_has_crashtime && v.lv_crashtime == 1700000000);
	CHECK(v.lv_entries == 26 && v.lv_ignored == 0 && v.lv_bad == 0);
	CHECK(lprof_symbol(p, "init_top_pgt", &x) == 0 &&
	    x == 0xffffffff9a40a000ULL);
	CHECK(lprof_symbol(p, "_stext", &x) == 0 && x == 0xffffffff99000000ULL);
	CHECK(lprof_number(p, "phys_base", &x) == 0 && x == 0xc0000000ULL);
	CHECK(lprof_number(p, "PAGE_BUDDY_MAPCOUNT_VALUE", &x) == 0 &&
	    x == (uint64_t)-129);
	CHECK(lprof_number(p, "VMALLOC_START", &x) == 0 &&
	    x == 0xffffb26a40000000ULL);
	CHECK(lprof_number(p, "pgtable_l5_enabled", &x) == 0 && x == 0);
	CHECK(lprof_number(p, "LENGTH(mem_section)", &x) == 0 && x == 2048);
	CHECK(lprof_member(p, "list_head", "prev", &x, &s) == 0 && x == 8 &&
	    s == 0);
	CHECK(lprof_member(p, "printk_ringbuffer", "desc_ring", &x, &s) == 0
	    && x == 0);
	CHECK(lprof_size(p, "page", &x) == 0 && x == 64);
	CHECK(lprof_size(p, "nodemask_t", &x) == 0 && x == 128);
	CHECK(lprof_count(p, LPROF_SYMBOL) == 7);
	/* Without a profile the same text parses the same. */
	CHECK(lvmci_parse(x64_text, sizeof (x64_text), &v, NULL, NULL, 0)
	    == 0 && v.lv_entries == 26);
	lprof_free(p);
}

static void
test_i386(void)
{
	struct linux_profile *p = lprof_new();
	struct lvmci v;
	uint64_t x;

	REQUIRE(p != NULL);
	CHECK(lvmci_parse(i386_text, strlen(i386_text), &v, p, NULL, 0) == 0);
	CHECK(strcmp(v.lv_release, "6.1.0-27-686-pae") == 0);
	CHECK(!v.lv_has_kerneloffset && v.lv_build_id[0] == '\0');
	CHECK(lprof_number(p, "CONFIG_X86_PAE", &x) == 0 && x == 1);
	CHECK(lprof_symbol(p, "swapper_pg_dir", &x) == 0 && x == 0xc1c9c000);
	lprof_free(p);
}

/* Parse text; return the result, v filled. */
static int
parse(const char *text, struct lvmci *v, struct linux_profile *p)
{
	return (lvmci_parse(text, strlen(text), v, p, NULL, 0));
}

static void
test_hostile(void)
{
	struct linux_profile *p = lprof_new();
	char why[256] = "", *big;
	struct lvmci v;
	uint64_t x;
	size_t i;

	REQUIRE(p != NULL);
	CHECK(lvmci_parse("PAGESIZE=4096\n", 14, &v, p, why, sizeof (why)) ==
	    EINVAL);
	CHECK(test_says(why, "no usable OSRELEASE"));
	CHECK(lvmci_parse(NULL, 100, &v, p, NULL, 0) == EINVAL);
	CHECK(lvmci_parse("OSRELEASE=6.1", 0, &v, p, NULL, 0) == EINVAL);
	/* Releases: too long, empty, spaces, control characters. */
	CHECK(parse("OSRELEASE=" "0123456789012345678901234567890123456789"
	    "01234567890123456789012345\n", &v, p) == EINVAL);
	CHECK(parse("OSRELEASE=\n", &v, p) == EINVAL);
	CHECK(parse("OSRELEASE=6.1 x\n", &v, p) == EINVAL);
	CHECK(parse("OSRELEASE=6.1\r\n", &v, p) == EINVAL);
	/* No newline at the end: the last line counts. */
	CHECK(parse("PAGESIZE=4096\nOSRELEASE=6.1.0", &v, p) == 0 &&
	    strcmp(v.lv_release, "6.1.0") == 0 && v.lv_pagesize == 4096);
	/* A NUL ends the text. */
	CHECK(lvmci_parse("OSRELEASE=a\0PAGESIZE=4096\n", 26, &v, p, NULL, 0)
	    == 0 && v.lv_pagesize == 0);

	CHECK(parse("OSRELEASE=r\n"
	    "SYMBOL(good)=ffffffff81000000\n"
	    "SYMBOL(bad name)=1\n"
	    "SYMBOL(toolong)=11111111111111111\n"
	    "SYMBOL(nothex)=12g4\n"
	    "SYMBOL()=1\n"
	    "SYMBOL(x=1\n"
	    "SYMBOL(9lives)=1\n"
	    "NUMBER(big)=18446744073709551616\n"
	    "NUMBER(max)=9223372036854775807\n"
	    "NUMBER(toomuch)=9223372036854775808\n"
	    "NUMBER(min)=-9223372036854775808\n"
	    "NUMBER(under)=-9223372036854775809\n"
	    "NUMBER(minus)=-\n"
	    "NUMBER(hex)=0x\n"
	    "OFFSET(nodot)=4\n"
	    "OFFSET(a.)=4\n"
	    "OFFSET(.b)=4\n"
	    "OFFSET(a.b)=-4\n"
	    "SIZE(t)=\n"
	    "PAGESIZE=4095\n"
	    "BUILD-ID=abc\n"
	    "BUILD-ID=zz\n"
	    "CONFIG_FOO=m\n"
	    "=value\n"
	    "no equals sign\n"
	    "KERNELOFFSET=\n"
	    "FUTURE_KEY=whatever\n", &v, p) == 0);
	CHECK(v.lv_entries == 4);	/* release, good, max, min */
	CHECK(v.lv_ignored == 2);	/* "SYMBOL(x", FUTURE_KEY */
	CHECK(v.lv_bad == 22);
	CHECK(lprof_symbol(p, "good", &x) == 0 && x == 0xffffffff81000000ULL);
	CHECK(lprof_symbol(p, "toolong", &x) == ENOENT);
	CHECK(lprof_number(p, "max", &x) == 0 && x == (uint64_t)INT64_MAX);
	CHECK(lprof_number(p, "min", &x) == 0 && x == 1ULL << 63);
	CHECK(lprof_number(p, "big", &x) == ENOENT);
	CHECK(lprof_member(p, "a", "b", &x, NULL) == ENOENT);
	CHECK(v.lv_pagesize == 0 && v.lv_build_id[0] == '\0');
	CHECK(!v.lv_has_kerneloffset);

	/* A line longer than the bound is passed over, the next one read. */
	REQUIRE((big = malloc(LVMCI_MAX_TEXT + 4096)) != NULL);
	memset(big, 'A', LVMCI_MAX_LINE + 10);
	memcpy(big, "SYMBOL(x)=", 10);
	strcpy(big + LVMCI_MAX_LINE + 10, "\nOSRELEASE=6.1\n");
	CHECK(parse(big, &v, p) == 0 && v.lv_bad == 1 && v.lv_entries == 1);
	/* Text past LVMCI_MAX_TEXT is not read. */
	for (i = 0; i + 16 < LVMCI_MAX_TEXT; i += 16)
		memcpy(big + i, "NUMBER(n)=1234\n\n", 16);
	strcpy(big + i, "OSRELEASE=6.1.0\nOSRELEASE=late-release-string\n");
	CHECK(parse(big, &v, p) == 0);
	CHECK(strcmp(v.lv_release, "6.1.0") == 0);
	free(big);
	lprof_free(p);
}

static void
test_find(bool skip)
{
	static const char real[] = "OSRELEASE=6.1.0-27-amd64\n"
	    "PAGESIZE=4096\nKERNELOFFSET=0\n";
	static const char nopagesize[] = "OSRELEASE=6.1.0-27-amd64\n";
	static const char hole_text[] = "OSRELEASE=6.1.0-hole\nPAGESIZE=4096\n";
	const uint64_t base = 0x100000;
	struct fakemem fm;
	char buf[LK_PAGE_SIZE + 1];
	uint64_t pa = 0;
	size_t len = 0;
	char *full;

	fakemem_init(&fm, base, 1 << 20, skip);
	CHECK(lvmci_find(&fm.fm_mem, 0, UINT64_MAX, &pa, buf, sizeof (buf),
	    &len) == ENOENT);
	/* Decoys. */
	fakemem_put(&fm, base + 10 * 4096 + 8, real, sizeof (real));
	fakemem_put(&fm, base + 20 * 4096, nopagesize, sizeof (nopagesize));
	fakemem_put(&fm, base + 30 * 4096, hole_text, sizeof (hole_text));
	fakemem_hole(&fm, base + 30 * 4096);
	fakemem_hole(&fm, base + 31 * 4096);
	CHECK(lvmci_find(&fm.fm_mem, 0, UINT64_MAX, &pa, buf, sizeof (buf),
	    &len) == ENOENT);
	/* The real one. */
	fakemem_put(&fm, base + 200 * 4096, real, sizeof (real));
	CHECK(lvmci_find(&fm.fm_mem, 0, UINT64_MAX, &pa, buf, sizeof (buf),
	    &len) == 0);
	CHECK(pa == base + 200 * 4096 && len == strlen(real) &&
	    strcmp(buf, real) == 0);
	/* Bounded by the range asked. */
	CHECK(lvmci_find(&fm.fm_mem, base, base + 200 * 4096, &pa, buf,
	    sizeof (buf), &len) == ENOENT);
	CHECK(lvmci_find(&fm.fm_mem, base + 199 * 4096 + 1, base + 201 * 4096,
	    &pa, buf, sizeof (buf), &len) == 0 && pa == base + 200 * 4096);
	CHECK(lvmci_find(&fm.fm_mem, 0, UINT64_MAX, &pa, buf, 100, &len) ==
	    EINVAL);
	/* A page of text without a NUL ends at the page. */
	REQUIRE((full = malloc(4096)) != NULL);
	memset(full, 'Z', 4096);
	memcpy(full, real, strlen(real));
	fakemem_put(&fm, base + 100 * 4096, full, 4096);
	CHECK(lvmci_find(&fm.fm_mem, 0, UINT64_MAX, &pa, buf, sizeof (buf),
	    &len) == 0 && pa == base + 100 * 4096 && len == 4096);
	free(full);
	fakemem_fini(&fm);
}

int
main(void)
{
	test_x64();
	test_i386();
	test_hostile();
	test_find(false);
	test_find(true);
	return (test_done());
}
