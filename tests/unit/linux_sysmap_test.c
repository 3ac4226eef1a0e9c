/*
 * linux_sysmap_test.c -- the System.map and vmlinux readers on files the
 * test writes: a System.map with good, long and malformed lines; ELF64
 * and ELF32 vmlinux files (built here: text, data, bss, a build ID note,
 * .BTF, a symbol table with global, local, weak, absolute, section,
 * file and undefined symbols); and hostile ELF files (every truncation,
 * bad offsets and sizes, wrong entry sizes, another machine, big
 * endian), each refused with a sentence and no crash.
 */
#include "config.h"

#include <elf.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "guest/linux/linux_sysmap.h"
#include "tests/prng.h"
#include "tests/test.h"

static char tmpdir[256];

static void
make_tmpdir(void)
{
	const char *t = getenv("TMPDIR");

	(void) snprintf(tmpdir, sizeof (tmpdir), "%s/ph_sysmap.XXXXXX",
	    t != NULL && *t != '\0' ? t : "/tmp");
	REQUIRE(mkdtemp(tmpdir) != NULL);
}

static const char *
write_file(const char *name, const void *data, size_t len)
{
	static char path[512];
	FILE *f;

	(void) snprintf(path, sizeof (path), "%s/%s", tmpdir, name);
	REQUIRE((f = fopen(path, "wb")) != NULL);
	REQUIRE(len == 0 || fwrite(data, 1, len, f) == len);
	REQUIRE(fclose(f) == 0);
	return (path);
}

struct seen {
	unsigned	s_n;
	char		s_names[16][64];
	char		s_types[16];
	uint64_t	s_addrs[16];
	unsigned	s_stop_at;
};

static int
seen_cb(void *arg, const char *name, char type, uint64_t addr)
{
	struct seen *s = arg;

	if (s->s_n < 16) {
		(void) snprintf(s->s_names[s->s_n], 64, "%s", name);
		s->s_types[s->s_n] = type;
		s->s_addrs[s->s_n] = addr;
	}
	s->s_n++;
	return (s->s_stop_at != 0 && s->s_n == s->s_stop_at ? 9 : 0);
}

static void
test_sysmap(void)
{
	char *text, why[256] = "";
	struct seen s;
	unsigned count, bad;
	const char *path;
	size_t off;

	REQUIRE((text = malloc(8192)) != NULL);
	off = (size_t)snprintf(text, 8192,
	    "ffffffff81000000 T _text\n"
	    "ffffffff81000000 T startup_64\n"
	    "0000000000000000 D fixed_percpu_data\n"
	    "\n"
	    "garbage line\n"
	    "ffffffff8zzz0000 T bad_hex\n"
	    "ffffffff82000000 TT two_letters\n"
	    "11ffffffff82000000 T seventeen_digits\n"
	    "ffffffff82000000 t \n"
	    "c1000000 T i386_text\n"
	    "ffffffffc0a01000 t ext4_fill_super\t[ext4]\n");
	memset(text + off, 'x', 2000);		/* an over-long line */
	off += 2000;
	text[off++] = '\n';
	off += (size_t)snprintf(text + off, 8192 - off,
	    "ffffffff82a0c940 D init_task");	/* no final newline */
	path = write_file("System.map", text, off);
	memset(&s, 0, sizeof (s));
	CHECK(lsysmap_read(path, seen_cb, &s, &count, &bad, why,
	    sizeof (why)) == 0);
	CHECK(count == 6 && s.s_n == 6);
	CHECK(bad == 6);
	CHECK(strcmp(s.s_names[0], "_text") == 0 && s.s_types[0] == 'T' &&
	    s.s_addrs[0] == 0xffffffff81000000ULL);
	CHECK(strcmp(s.s_names[2], "fixed_percpu_data") == 0 &&
	    s.s_addrs[2] == 0);
	CHECK(strcmp(s.s_names[3], "i386_text") == 0 &&
	    s.s_addrs[3] == 0xc1000000);
	CHECK(strcmp(s.s_names[4], "ext4_fill_super") == 0 &&
	    s.s_types[4] == 't');
	CHECK(strcmp(s.s_names[5], "init_task") == 0);
	/* The callback stops the read. */
	memset(&s, 0, sizeof (s));
	s.s_stop_at = 2;
	CHECK(lsysmap_read(path, seen_cb, &s, NULL, NULL, NULL, 0) == 9);
	/* Not a System.map. */
	path = write_file("notamap", "hello\nworld\n", 12);
	CHECK(lsysmap_read(path, seen_cb, &s, &count, &bad, why,
	    sizeof (why)) == EINVAL);
	CHECK(test_says(why, "no System.map"));
	path = write_file("empty", "", 0);
	CHECK(lsysmap_read(path, NULL, NULL, NULL, NULL, NULL, 0) == EINVAL);
	CHECK(lsysmap_read("/nonexistent/System.map", NULL, NULL, NULL, NULL,
	    why, sizeof (why)) == ENOENT);
	CHECK(test_says(why, "cannot open"));
	free(text);
}

/* A little ELF writer. */
struct elfw {
	unsigned char	*ew_buf;
	size_t		ew_len;
	size_t		ew_cap;
	bool		ew_64;
};

static size_t
ew_put(struct elfw *w, const void *p, size_t n, size_t align)
{
	size_t at;

	while (w->ew_len % align != 0)
		w->ew_buf[w->ew_len++] = 0;
	REQUIRE(w->ew_len + n <= w->ew_cap);
	at = w->ew_len;
	if (p != NULL)
		memcpy(w->ew_buf + at, p, n);
	else
		memset(w->ew_buf + at, 0, n);
	w->ew_len += n;
	return (at);
}

static void
le(unsigned char *p, uint64_t v, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

enum { S_NULL, S_TEXT, S_DATA, S_BSS, S_NOTE, S_BTF, S_SYMTAB, S_STRTAB,
	S_SHSTRTAB, S_N };

struct sec {
	const char	*name;
	uint32_t	type;
	uint64_t	flags;
	uint64_t	addr;
	size_t		off;
	size_t		size;
	uint32_t	link;
	uint64_t	entsize;
	uint32_t	name_off;
};

/* Where build_elf put things, for the hostile variants. */
struct elf_layout {
	size_t		el_shoff;
	size_t		el_symtab_hdr;	/* offset of the .symtab header */
};

static size_t
build_elf(struct elfw *w, const void *btf, size_t btf_len,
    struct elf_layout *el)
{
	static const unsigned char id[20] = { 0xde, 0xad, 0xbe, 0xef, 1, 2,
	    3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 0x10 };
	const bool w64 = w->ew_64;
	const unsigned esz = w64 ? 24 : 16, shsz = w64 ? 64 : 40;
	const uint64_t text = w64 ? 0xffffffff81000000ULL : 0xc1000000ULL;
	struct sec sec[S_N];
	char shstr[128], strtab[256];
	unsigned char note[12 + 4 + 20], sym[16][24], sh[64];
	size_t shl = 1, stl = 1, nsym = 0, i;
	static const struct {
		const char *name; unsigned shndx; unsigned bind, type;
		uint64_t off;
	} syms[] = {
		{ "_text", S_TEXT, STB_GLOBAL, STT_NOTYPE, 0 },
		{ "do_local", S_TEXT, STB_LOCAL, STT_FUNC, 0x10 },
		{ "init_task", S_DATA, STB_GLOBAL, STT_OBJECT, 0x1000000 },
		{ "__bss_start", S_BSS, STB_GLOBAL, STT_NOTYPE, 0x2000000 },
		{ "weak_thing", S_TEXT, STB_WEAK, STT_FUNC, 0x20 },
		{ "abs_sym", SHN_ABS, STB_GLOBAL, STT_NOTYPE, 0x1234 },
		{ ".text", S_TEXT, STB_LOCAL, STT_SECTION, 0 },
		{ "version.c", SHN_ABS, STB_LOCAL, STT_FILE, 0 },
		{ "undefined", SHN_UNDEF, STB_GLOBAL, STT_NOTYPE, 0 },
	};

	memset(w->ew_buf, 0, w->ew_cap);
	memset(sec, 0, sizeof (sec));
	memset(sym, 0, sizeof (sym));
	shstr[0] = strtab[0] = '\0';
	w->ew_len = w64 ? 64 : 52;
#define	SHNAME(i, s) do {						\
	sec[i].name = s;						\
	sec[i].name_off = (uint32_t)shl;				\
	memcpy(shstr + shl, s, strlen(s) + 1);				\
	shl += strlen(s) + 1;						\
} while (0)
	SHNAME(S_TEXT, ".text");
	SHNAME(S_DATA, ".data");
	SHNAME(S_BSS, ".bss");
	SHNAME(S_NOTE, ".note.gnu.build-id");
	SHNAME(S_BTF, ".BTF");
	SHNAME(S_SYMTAB, ".symtab");
	SHNAME(S_STRTAB, ".strtab");
	SHNAME(S_SHSTRTAB, ".shstrtab");
#undef SHNAME
	sec[S_TEXT].type = SHT_PROGBITS;
	sec[S_TEXT].flags = SHF_ALLOC | SHF_EXECINSTR;
	sec[S_TEXT].addr = text;
	sec[S_TEXT].size = 64;
	sec[S_TEXT].off = ew_put(w, NULL, 64, 16);
	sec[S_DATA].type = SHT_PROGBITS;
	sec[S_DATA].flags = SHF_ALLOC | SHF_WRITE;
	sec[S_DATA].addr = text + 0x1000000;
	sec[S_DATA].size = 32;
	sec[S_DATA].off = ew_put(w, NULL, 32, 16);
	sec[S_BSS].type = SHT_NOBITS;
	sec[S_BSS].flags = SHF_ALLOC | SHF_WRITE;
	sec[S_BSS].addr = text + 0x2000000;
	sec[S_BSS].size = 0x1000;
	sec[S_BSS].off = w->ew_len;
	le(note, 4, 4);
	le(note + 4, sizeof (id), 4);
	le(note + 8, NT_GNU_BUILD_ID, 4);
	memcpy(note + 12, "GNU", 4);
	memcpy(note + 16, id, sizeof (id));
	sec[S_NOTE].type = SHT_NOTE;
	sec[S_NOTE].flags = SHF_ALLOC;
	sec[S_NOTE].size = sizeof (note);
	sec[S_NOTE].off = ew_put(w, note, sizeof (note), 4);
	sec[S_BTF].type = SHT_PROGBITS;
	sec[S_BTF].flags = SHF_ALLOC;
	sec[S_BTF].size = btf_len;
	sec[S_BTF].off = ew_put(w, btf, btf_len, 4);
	for (i = 0, nsym = 1; i < sizeof (syms) / sizeof (syms[0]); i++) {
		unsigned char *e = sym[nsym++];
		uint64_t value = syms[i].shndx == SHN_ABS ? syms[i].off :
		    syms[i].shndx == SHN_UNDEF ? 0 : text + syms[i].off;

		le(e, stl, 4);
		memcpy(strtab + stl, syms[i].name, strlen(syms[i].name) + 1);
		stl += strlen(syms[i].name) + 1;
		if (w64) {
			e[4] = (unsigned char)(syms[i].bind << 4 |
			    syms[i].type);
			le(e + 6, syms[i].shndx, 2);
			le(e + 8, value, 8);
		} else {
			le(e + 4, value, 4);
			e[12] = (unsigned char)(syms[i].bind << 4 |
			    syms[i].type);
			le(e + 14, syms[i].shndx, 2);
		}
	}
	sec[S_SYMTAB].type = SHT_SYMTAB;
	sec[S_SYMTAB].link = S_STRTAB;
	sec[S_SYMTAB].entsize = esz;
	sec[S_SYMTAB].size = nsym * esz;
	sec[S_SYMTAB].off = ew_put(w, sym[0], esz, 8);
	for (i = 1; i < nsym; i++)
		(void) ew_put(w, sym[i], esz, 1);
	sec[S_STRTAB].type = SHT_STRTAB;
	sec[S_STRTAB].size = stl;
	sec[S_STRTAB].off = ew_put(w, strtab, stl, 1);
	sec[S_SHSTRTAB].type = SHT_STRTAB;
	sec[S_SHSTRTAB].size = shl;
	sec[S_SHSTRTAB].off = ew_put(w, shstr, shl, 1);
	el->el_shoff = ew_put(w, NULL, 0, 8);
	for (i = 0; i < S_N; i++) {
		memset(sh, 0, sizeof (sh));
		le(sh, sec[i].name_off, 4);
		le(sh + 4, sec[i].type, 4);
		if (w64) {
			le(sh + 8, sec[i].flags, 8);
			le(sh + 16, sec[i].addr, 8);
			le(sh + 24, sec[i].off, 8);
			le(sh + 32, sec[i].size, 8);
			le(sh + 40, sec[i].link, 4);
			le(sh + 56, sec[i].entsize, 8);
		} else {
			le(sh + 8, sec[i].flags, 4);
			le(sh + 12, sec[i].addr, 4);
			le(sh + 16, sec[i].off, 4);
			le(sh + 20, sec[i].size, 4);
			le(sh + 24, sec[i].link, 4);
			le(sh + 36, sec[i].entsize, 4);
		}
		if (i == S_SYMTAB)
			el->el_symtab_hdr = w->ew_len;
		(void) ew_put(w, sh, shsz, 1);
	}
	/* The ELF header. */
	memcpy(w->ew_buf, ELFMAG, SELFMAG);
	w->ew_buf[EI_CLASS] = w64 ? ELFCLASS64 : ELFCLASS32;
	w->ew_buf[EI_DATA] = ELFDATA2LSB;
	w->ew_buf[EI_VERSION] = EV_CURRENT;
	le(w->ew_buf + 16, ET_EXEC, 2);
	le(w->ew_buf + 18, w64 ? EM_X86_64 : EM_386, 2);
	if (w64) {
		le(w->ew_buf + 40, el->el_shoff, 8);
		le(w->ew_buf + 58, shsz, 2);
		le(w->ew_buf + 60, S_N, 2);
		le(w->ew_buf + 62, S_SHSTRTAB, 2);
	} else {
		le(w->ew_buf + 32, el->el_shoff, 4);
		le(w->ew_buf + 46, shsz, 2);
		le(w->ew_buf + 48, S_N, 2);
		le(w->ew_buf + 50, S_SHSTRTAB, 2);
	}
	return (w->ew_len);
}

static void
test_vmlinux(bool w64)
{
	static const char btf[] = "\x9f\xeb\x01\x00pretend-btf-bytes";
	const uint64_t text = w64 ? 0xffffffff81000000ULL : 0xc1000000ULL;
	struct elfw w = { NULL, 0, 65536, w64 };
	struct elf_layout el = { 0, 0 };
	struct lvmlinux v;
	struct seen s;
	char why[256] = "";
	const char *path;
	size_t len, cut, refused = 0;
	unsigned char *copy;

	REQUIRE((w.ew_buf = malloc(w.ew_cap)) != NULL);
	len = build_elf(&w, btf, sizeof (btf), &el);
	path = write_file("vmlinux", w.ew_buf, len);
	memset(&s, 0, sizeof (s));
	CHECK(lvmlinux_read(path, &v, seen_cb, &s, why, sizeof (why)) == 0);
	CHECK(v.lv_ptr_size == (w64 ? 8u : 4u));
	CHECK(strcmp(v.lv_build_id,
	    "deadbeef0102030405060708090a0b0c0d0e0f10") == 0);
	CHECK(v.lv_btf != NULL && v.lv_btf_len == sizeof (btf) &&
	    memcmp(v.lv_btf, btf, sizeof (btf)) == 0);
	CHECK(v.lv_nsyms == 6 && s.s_n == 6);
	CHECK(strcmp(s.s_names[0], "_text") == 0 && s.s_types[0] == 'T' &&
	    s.s_addrs[0] == text);
	CHECK(strcmp(s.s_names[1], "do_local") == 0 && s.s_types[1] == 't');
	CHECK(strcmp(s.s_names[2], "init_task") == 0 && s.s_types[2] == 'D' &&
	    s.s_addrs[2] == text + 0x1000000);
	CHECK(strcmp(s.s_names[3], "__bss_start") == 0 && s.s_types[3] == 'B');
	CHECK(strcmp(s.s_names[4], "weak_thing") == 0 && s.s_types[4] == 'W');
	CHECK(strcmp(s.s_names[5], "abs_sym") == 0 && s.s_types[5] == 'A' &&
	    s.s_addrs[5] == 0x1234);
	lvmlinux_fini(&v);
	/* Without a callback: the rest still read. */
	CHECK(lvmlinux_read(path, &v, NULL, NULL, NULL, 0) == 0 &&
	    v.lv_nsyms == 6 && v.lv_btf_len == sizeof (btf));
	lvmlinux_fini(&v);

	/* Every truncation is refused: the section headers come last. */
	REQUIRE((copy = malloc(len)) != NULL);
	for (cut = 0; cut < len; cut += 7) {
		path = write_file("vmlinux.cut", w.ew_buf, cut);
		if (lvmlinux_read(path, &v, NULL, NULL, why, sizeof (why)) != 0)
			refused++;
		lvmlinux_fini(&v);
	}
	CHECK(refused == (len + 6) / 7);
	CHECK(test_says(why, "no usable vmlinux"));

	/* Field by field. */
	memcpy(copy, w.ew_buf, len);
	le(copy + (w64 ? 40 : 32), len + 100, w64 ? 8 : 4);	/* e_shoff */
	path = write_file("vmlinux.bad", copy, len);
	CHECK(lvmlinux_read(path, &v, NULL, NULL, why, sizeof (why)) ==
	    EINVAL && test_says(why, "section header table"));
	memcpy(copy, w.ew_buf, len);
	le(copy + el.el_symtab_hdr + (w64 ? 56 : 36), 12, w64 ? 8 : 4);
	path = write_file("vmlinux.bad", copy, len);
	CHECK(lvmlinux_read(path, &v, NULL, NULL, why, sizeof (why)) ==
	    EINVAL && test_says(why, ".symtab entry size"));
	memcpy(copy, w.ew_buf, len);
	le(copy + el.el_symtab_hdr + (w64 ? 32 : 20), 1ULL << 30, w64 ? 8 : 4);
	path = write_file("vmlinux.bad", copy, len);
	CHECK(lvmlinux_read(path, &v, NULL, NULL, why, sizeof (why)) ==
	    EINVAL);
	memcpy(copy, w.ew_buf, len);
	le(copy + 18, EM_AARCH64, 2);
	path = write_file("vmlinux.bad", copy, len);
	CHECK(lvmlinux_read(path, &v, NULL, NULL, why, sizeof (why)) ==
	    ENOTSUP && test_says(why, "not an x86 kernel"));
	memcpy(copy, w.ew_buf, len);
	copy[EI_DATA] = ELFDATA2MSB;
	path = write_file("vmlinux.bad", copy, len);
	CHECK(lvmlinux_read(path, &v, NULL, NULL, why, sizeof (why)) ==
	    ENOTSUP);
	memcpy(copy, w.ew_buf, len);
	le(copy + (w64 ? 58 : 46), 20, 2);			/* shentsize */
	path = write_file("vmlinux.bad", copy, len);
	CHECK(lvmlinux_read(path, &v, NULL, NULL, why, sizeof (why)) ==
	    EINVAL && test_says(why, "e_shentsize"));
	path = write_file("vmlinux.bad", "\177ELF", 4);
	CHECK(lvmlinux_read(path, &v, NULL, NULL, why, sizeof (why)) ==
	    EINVAL);
	CHECK(lvmlinux_read("/nonexistent/vmlinux", &v, NULL, NULL, why,
	    sizeof (why)) == ENOENT);
	/* Random bytes flipped: refused or read, never a crash. */
	{
		uint64_t rng = 3;
		unsigned i;

		for (i = 0; i < 300; i++) {
			memcpy(copy, w.ew_buf, len);
			copy[prng_below(&rng, len)] ^= (unsigned char)
			    (1 + prng_below(&rng, 255));
			path = write_file("vmlinux.flip", copy, len);
			memset(&s, 0, sizeof (s));
			if (lvmlinux_read(path, &v, seen_cb, &s, NULL, 0) == 0)
				lvmlinux_fini(&v);
		}
		CHECK(i == 300);
	}
	free(copy);
	free(w.ew_buf);
}

int
main(void)
{
	char cmd[600];

	make_tmpdir();
	test_sysmap();
	test_vmlinux(true);
	test_vmlinux(false);
	(void) snprintf(cmd, sizeof (cmd), "rm -rf '%s'", tmpdir);
	CHECK(system(cmd) == 0);
	return (test_done());
}
