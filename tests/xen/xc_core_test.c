/*
 * xc_core_test - the xc-core reader against synthetic dump files.
 *
 * Runs on any host (no Xen needed).  Writes a small well-formed dump of
 * each kind (PV with .xen_p2m, HVM with .xen_pfn), checks that every field
 * and page reads back, then checks that damaged copies are refused with an
 * error instead of being trusted: every truncation, and a set of corrupted
 * header and section fields.  Exit status: 0 pass, 1 fail, 99 setup error.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xen/xc_core.h"

#define T_PAGE		4096u
#define T_PAGES		5u
#define T_VCPUS		2u
#define T_PRSTATUS	64u

static int failures;

#define CHECK(cond, ...) do {						\
	if (!(cond)) {							\
		failures++;						\
		fprintf(stderr, "FAIL line %d: ", __LINE__);		\
		fprintf(stderr, __VA_ARGS__);				\
		fputc('\n', stderr);					\
	}								\
} while (0)

struct tbuf {
	unsigned char	*b;
	size_t		len;
	size_t		cap;
};

static void
put(struct tbuf *t, const void *p, size_t n)
{
	if (n == 0)
		return;
	if (t->len + n > t->cap) {
		t->cap = (t->len + n) * 2;
		t->b = realloc(t->b, t->cap);
		if (t->b == NULL) {
			perror("realloc");
			exit(99);
		}
	}
	memcpy(t->b + t->len, p, n);
	t->len += n;
}

static void
put_le(struct tbuf *t, uint64_t v, size_t n)
{
	unsigned char b[8];
	size_t i;

	for (i = 0; i < n; i++)
		b[i] = (unsigned char)(v >> (8 * i));
	put(t, b, n);
}

static void
pad_to(struct tbuf *t, size_t align)
{
	while (t->len % align != 0)
		put_le(t, 0, 1);
}

static void
set_le(unsigned char *p, uint64_t v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t
get_le(const unsigned char *p)
{
	uint64_t v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static void
note(struct tbuf *t, uint32_t type, const void *desc, size_t len)
{
	put_le(t, 4, 4);
	put_le(t, len, 4);
	put_le(t, type, 4);
	put(t, "Xen", 4);
	put(t, desc, len);
	pad_to(t, 4);
}

static unsigned char
page_byte(uint64_t pfn, size_t off)
{
	return (unsigned char)(pfn * 31 + off * 7 + 1);
}

static uint64_t
test_pfn(unsigned int i)
{
	return 0x100 + (uint64_t)i * 3;
}

/* Section offsets of the built file, for the corruption cases. */
struct layout {
	size_t	shoff;
	size_t	sh_pages;	/* offset of the .xen_pages header */
	size_t	sh_table;	/* offset of the p2m/pfn header */
	size_t	note_header;	/* offset of the HEADER note's desc */
};

static void
build(struct tbuf *t, int hvm, struct layout *lo)
{
	static const char strtab[] = "\0.shstrtab\0.note.Xen\0.xen_prstatus\0"
	    ".xen_pages\0.xen_p2m\0.xen_pfn\0";
	enum { N_NULL, N_STRTAB = 1, N_NOTE = 11, N_PRSTATUS = 21,
	    N_PAGES = 35, N_P2M = 46, N_PFN = 55 };
	size_t off_str, off_note, len_note, off_pr, off_pages, off_tab,
	    len_tab, i, k;
	unsigned char desc[32], version[48];

	memset(t, 0, sizeof(*t));
	put(t, (unsigned char[64]){ 0 }, 64);

	off_str = t->len;
	put(t, strtab, sizeof(strtab));
	pad_to(t, 8);

	off_note = t->len;
	note(t, 0x2000000, NULL, 0);
	lo->note_header = t->len + 16;
	set_le(desc, hvm ? 0xF00FEBEE : 0xF00FEBED, 8);
	set_le(desc + 8, T_VCPUS, 8);
	set_le(desc + 16, T_PAGES, 8);
	set_le(desc + 24, T_PAGE, 8);
	note(t, 0x2000001, desc, sizeof(desc));
	memset(version, 0, sizeof(version));
	set_le(version, 4, 8);
	set_le(version + 8, 17, 8);
	memcpy(version + 16, ".7-test", 7);
	note(t, 0x2000002, version, sizeof(version));
	set_le(desc, 1, 8);
	note(t, 0x2000003, desc, 8);
	len_note = t->len - off_note;

	off_pr = t->len;
	for (i = 0; i < T_PRSTATUS; i++)
		put_le(t, i, 1);

	pad_to(t, T_PAGE);
	off_pages = t->len;
	for (i = 0; i < T_PAGES; i++)
		for (k = 0; k < T_PAGE; k++)
			put_le(t, page_byte(test_pfn((unsigned)i), k), 1);

	off_tab = t->len;
	for (i = 0; i < T_PAGES; i++) {
		put_le(t, test_pfn((unsigned)i), 8);
		if (!hvm)
			put_le(t, 0x9000 + i, 8);
	}
	len_tab = t->len - off_tab;

	pad_to(t, 8);
	lo->shoff = t->len;
	/* null, strtab, note, prstatus, pages, table */
	struct { uint32_t name, type; size_t off, len; } sh[6] = {
		{ N_NULL, 0, 0, 0 },
		{ N_STRTAB, 3, off_str, sizeof(strtab) },
		{ N_NOTE, 7, off_note, len_note },
		{ N_PRSTATUS, 1, off_pr, T_PRSTATUS },
		{ N_PAGES, 1, off_pages, (size_t)T_PAGES * T_PAGE },
		{ hvm ? N_PFN : N_P2M, 1, off_tab, len_tab },
	};
	for (i = 0; i < 6; i++) {
		if (i == 4)
			lo->sh_pages = t->len;
		if (i == 5)
			lo->sh_table = t->len;
		put_le(t, sh[i].name, 4);
		put_le(t, sh[i].type, 4);
		put_le(t, 0, 8);	/* flags */
		put_le(t, 0, 8);	/* addr */
		put_le(t, sh[i].off, 8);
		put_le(t, sh[i].len, 8);
		put_le(t, 0, 4);	/* link */
		put_le(t, 0, 4);	/* info */
		put_le(t, 8, 8);	/* addralign */
		put_le(t, 0, 8);	/* entsize */
	}

	memcpy(t->b, "\177ELF", 4);
	t->b[4] = 2;
	t->b[5] = 1;
	t->b[6] = 1;
	set_le(t->b + 16, 4, 2);		/* ET_CORE */
	set_le(t->b + 18, 62, 2);		/* EM_X86_64 */
	set_le(t->b + 20, 1, 4);
	set_le(t->b + 40, lo->shoff, 8);
	set_le(t->b + 52, 64, 2);
	set_le(t->b + 58, 64, 2);
	set_le(t->b + 60, 6, 2);
	set_le(t->b + 62, 1, 2);
}

static char tmpl[] = "/tmp/xc_core_test.XXXXXX";
static int tmpfd = -1;

static struct xc_core *
open_bytes(const unsigned char *b, size_t len, struct xen_err *err)
{
	int fd;

	if (ftruncate(tmpfd, 0) < 0 || pwrite(tmpfd, b, len, 0) !=
	    (ssize_t)len) {
		perror("writing test file");
		exit(99);
	}
	fd = dup(tmpfd);
	if (fd < 0) {
		perror("dup");
		exit(99);
	}
	return xc_core_fdopen(fd, "synthetic", err);
}

static void
check_good(int hvm)
{
	const struct xc_core_info *ci;
	struct xc_core *c;
	struct xen_err err;
	struct layout lo;
	struct tbuf t;
	unsigned char page[T_PAGE], pr[T_PRSTATUS];
	uint64_t pfn, gmfn, idx;
	unsigned int i;
	size_t k;

	build(&t, hvm, &lo);
	c = open_bytes(t.b, t.len, &err);
	CHECK(c != NULL, "%s dump refused: %s", hvm ? "HVM" : "PV",
	    xen_err_msg(&err));
	if (c == NULL) {
		free(t.b);
		return;
	}
	ci = xc_core_info(c);
	CHECK(ci->ci_hvm == hvm, "kind");
	CHECK(ci->ci_nr_pages == T_PAGES, "nr_pages %llu",
	    (unsigned long long)ci->ci_nr_pages);
	CHECK(ci->ci_page_size == T_PAGE, "page size");
	CHECK(ci->ci_nr_vcpus == T_VCPUS, "vcpus");
	CHECK(ci->ci_xen_major == 4 && ci->ci_xen_minor == 17, "version");
	CHECK(strcmp(ci->ci_xen_extra, ".7-test") == 0, "extra");
	CHECK(ci->ci_format_version == 1, "format");
	CHECK(ci->ci_prstatus_size == T_PRSTATUS, "prstatus size");
	CHECK(ci->ci_machine == 62, "machine");
	CHECK(ci->ci_nr_valid == T_PAGES && ci->ci_nr_padding == 0, "valid");
	CHECK(ci->ci_pfn_limit == test_pfn(T_PAGES - 1) + 1, "pfn limit");
	CHECK(ci->ci_pages_offset % T_PAGE == 0, "pages offset");
	CHECK(ci->ci_shared_info_size == 0 && xc_core_read_shared_info(c,
	    page, sizeof(page), &err) < 0 && errno == ENOENT, "no shared info");
	CHECK(ci->ci_xen_version_size == 48 && xc_core_read_xen_version(c,
	    page, sizeof(page), &err) == 0 && page[8] == 17 &&
	    memcmp(page + 16, ".7-test", 7) == 0, "version note bytes");
	CHECK(xc_core_read_prstatus(c, pr, sizeof(pr), &err) == 0 &&
	    pr[5] == 5, "prstatus bytes");
	for (i = 0; i < T_PAGES; i++) {
		CHECK(xc_core_page_pfn(c, i, &pfn, &gmfn, &err) == 0 &&
		    pfn == test_pfn(i) && gmfn == (hvm ? pfn : 0x9000 + i),
		    "pfn of page %u", i);
		CHECK(xc_core_read_page(c, i, page, &err) == 0, "read %u", i);
		for (k = 0; k < T_PAGE; k++)
			if (page[k] != page_byte(test_pfn(i), k))
				break;
		CHECK(k == T_PAGE, "content of page %u at %zu", i, k);
		CHECK(xc_core_find_pfn(c, test_pfn(i), &idx, &err) == 0 &&
		    idx == i, "find pfn of page %u", i);
		CHECK(xc_core_nth_by_pfn(c, i, &pfn, &idx, &err) == 0 &&
		    pfn == test_pfn(i) && idx == i, "page %u by pfn", i);
	}
	CHECK(xc_core_find_pfn(c, 0x101, &idx, &err) < 0 && errno == ENOENT,
	    "absent pfn found");
	CHECK(xc_core_read_page(c, T_PAGES, page, &err) < 0 &&
	    errno == ERANGE, "page past the end read");
	xc_core_close(c);
	free(t.b);
}

static void
expect_refused(const unsigned char *b, size_t len, const char *what,
    const char *sentence)
{
	struct xc_core *c;
	struct xen_err err;

	xen_err_clear(&err);
	c = open_bytes(b, len, &err);
	CHECK(c == NULL, "%s accepted", what);
	if (c != NULL) {
		xc_core_close(c);
		return;
	}
	CHECK(err.xe_errno != 0 && err.xe_msg[0] != '\0',
	    "%s refused without a message", what);
	CHECK(sentence == NULL || strstr(err.xe_msg, sentence) != NULL,
	    "%s refused with \"%s\", which lacks \"%s\"", what, err.xe_msg,
	    sentence);
}

static void
check_bad(int hvm)
{
	struct layout lo;
	struct tbuf t;
	unsigned char *b;
	size_t n;
	char what[64];

	build(&t, hvm, &lo);
	b = malloc(t.len);
	if (b == NULL)
		exit(99);

	for (n = 0; n < t.len; n += (n < lo.shoff ? 509 : 1)) {
		snprintf(what, sizeof(what), "truncation to %zu bytes", n);
		expect_refused(t.b, n, what, NULL);
	}

#define MUTATE(label, sentence, stmt) do {				\
	memcpy(b, t.b, t.len);						\
	stmt;								\
	expect_refused(b, t.len, label, sentence);			\
} while (0)
	MUTATE("bad magic", "no ELF magic", b[1] = 'X');
	MUTATE("32-bit class", "64-bit", b[4] = 1);
	MUTATE("big endian", "little-endian", b[5] = 2);
	MUTATE("not ET_CORE", "ET_CORE", set_le(b + 16, 2, 2));
	MUTATE("section headers past end", "past end",
	    set_le(b + 40, t.len, 8));
	MUTATE("huge shoff", "past end", set_le(b + 40, UINT64_MAX - 8, 8));
	MUTATE("shentsize", "section header size", set_le(b + 58, 40, 2));
	MUTATE("no sections", "section count", set_le(b + 60, 0, 2));
	MUTATE("too many sections", "section count",
	    set_le(b + 60, 60000, 2));
	MUTATE("strtab index", "index out of range", set_le(b + 62, 9, 2));
	MUTATE("pages offset overflow", "outside the file",
	    set_le(b + lo.sh_pages + 24, UINT64_MAX - 100, 8));
	MUTATE("pages size past end", "outside the file",
	    set_le(b + lo.sh_pages + 32, (uint64_t)T_PAGE * 1000, 8));
	MUTATE("pages size odd", "disagrees with the page count",
	    set_le(b + lo.sh_pages + 32, (uint64_t)T_PAGE * T_PAGES - 1, 8));
	MUTATE("table short", "not one", set_le(b + lo.sh_table + 32, 8, 8));
	MUTATE("table name", "exactly one of", set_le(b + lo.sh_table, 0, 4));
	MUTATE("table name out of range", "name out of range",
	    set_le(b + lo.sh_table, 100000, 4));
	MUTATE("pages over the table", "overlap", set_le(b + lo.sh_table + 24,
	    get_le(b + lo.sh_pages + 24), 8));
	MUTATE("pages misaligned", "not page aligned",
	    set_le(b + lo.sh_pages + 24, get_le(b + lo.sh_pages + 24) - 8, 8));
	MUTATE("duplicate pfn", "appears twice",
	    set_le(b + get_le(b + lo.sh_table + 24) + (hvm ? 8 : 16) * 3,
	    test_pfn(1), 8));
	MUTATE("header magic", "bad magic", set_le(b + lo.note_header, 0x1234,
	    8));
	MUTATE("header pages", "disagrees with the page count",
	    set_le(b + lo.note_header + 16, 1u << 30, 8));
	MUTATE("header pages max", "disagrees with the page count",
	    set_le(b + lo.note_header + 16, UINT64_MAX, 8));
	MUTATE("page size 0", "page size", set_le(b + lo.note_header + 24, 0,
	    8));
	MUTATE("page size odd", "page size",
	    set_le(b + lo.note_header + 24, 5000, 8));
	MUTATE("kind mismatch", "disagree", set_le(b + lo.note_header,
	    hvm ? 0xF00FEBED : 0xF00FEBEE, 8));
	MUTATE("note size", "runs past",
	    set_le(b + lo.note_header - 12, 0xfffffff0u, 4));
#undef MUTATE
	free(b);
	free(t.b);
}

int
main(void)
{
	tmpfd = mkstemp(tmpl);
	if (tmpfd < 0) {
		perror("mkstemp");
		return 99;
	}
	unlink(tmpl);
	check_good(0);
	check_good(1);
	check_bad(0);
	check_bad(1);
	close(tmpfd);
	if (failures != 0) {
		fprintf(stderr, "%d checks failed\n", failures);
		return 1;
	}
	printf("xc_core: all checks passed\n");
	return 0;
}
