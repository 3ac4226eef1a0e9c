/*
 * linux_sysmap.c -- System.map and vmlinux readers (see linux_sysmap.h).
 *
 * The vmlinux reader reads the ELF header, the section header table and
 * the sections it needs (.symtab and its string table, .BTF, notes) with
 * pread, each bounded by the file's size; it needs no libelf.  Symbol
 * types follow nm's letters from the section a symbol is in: T text
 * (executable), R read-only, D data, B no bits, A absolute, W weak,
 * lower case for local symbols.
 *
 * Non-goals: relocatable objects and modules (.ko), big-endian ELF,
 * program headers, compressed sections, DWARF.
 */
#include "config.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "guest/errbuf.h"
#include "guest/le_decode.h"
#include "guest/linux/linux_sysmap.h"

#define	LVMLINUX_MAX_SECTIONS	65535u
#define	LVMLINUX_MAX_SECTION	(512u << 20)	/* bytes of one section */

/* "ADDR TYPE NAME": true with the fields (name NUL-terminated in line). */
static bool
lsysmap_line(char *line, uint64_t *addrp, char *typep, char **namep)
{
	uint64_t v = 0;
	char *p = line, *name;
	unsigned n = 0;
	int d;

	for (; (d = hexdigit_value(*p)) >= 0; p++, n++) {
		if (n == 16)
			return (false);
		v = v << 4 | (uint64_t)d;
	}
	if (n == 0 || p[0] != ' ' || p[1] <= ' ' || p[1] > '~' || p[2] != ' ')
		return (false);
	*typep = p[1];
	name = p + 3;
	p = name + strcspn(name, " \t\r\n");
	if (p == name)
		return (false);
	/* A module name ("[ext4]") may follow; the symbol ends first. */
	*p = '\0';
	*addrp = v;
	*namep = name;
	return (true);
}

int
lsysmap_read(const char *path, lsym_cb *cb, void *arg, unsigned *countp,
    unsigned *badp, char *errbuf, size_t errlen)
{
	char line[LSYSMAP_MAX_LINE + 2], type, *name;
	unsigned count = 0, bad = 0;
	bool toolong = false;
	uint64_t addr;
	FILE *f;
	int err = 0, rv;

	if ((f = fopen(path, "r")) == NULL) {
		err = errno;
		if (errbuf != NULL)
			(void) snprintf(errbuf, errlen, "cannot open System.map "
			    "%s: %s", path, strerror(err));
		return (err);
	}
	while (fgets(line, sizeof (line), f) != NULL) {
		size_t len = strlen(line);
		bool whole = len > 0 && line[len - 1] == '\n';

		if (toolong) {		/* the rest of a long line */
			toolong = !whole;
			continue;
		}
		if (!whole && len > LSYSMAP_MAX_LINE) {
			toolong = true;
			bad++;
			continue;
		}
		if (!lsysmap_line(line, &addr, &type, &name)) {
			bad += line[0] != '\n';
			continue;
		}
		if (count == LSYSMAP_MAX_SYMS) {
			bad++;
			continue;
		}
		count++;
		if (cb != NULL && (rv = cb(arg, name, type, addr)) != 0) {
			err = rv;
			break;
		}
	}
	if (err == 0 && ferror(f)) {
		err = EIO;
		if (errbuf != NULL)
			(void) snprintf(errbuf, errlen, "cannot read System.map "
			    "%s", path);
	}
	(void) fclose(f);
	if (countp != NULL)
		*countp = count;
	if (badp != NULL)
		*badp = bad;
	if (err == 0 && count == 0) {
		err = EINVAL;
		if (errbuf != NULL)
			(void) snprintf(errbuf, errlen, "%s is no System.map: no "
			    "\"ADDRESS TYPE NAME\" line in it (%u lines passed "
			    "over)", path, bad);
	}
	return (err);
}

/* A section header, whichever the class. */
struct lvm_shdr {
	uint32_t	sh_name;
	uint32_t	sh_type;
	uint64_t	sh_flags;
	uint64_t	sh_addr;
	uint64_t	sh_offset;
	uint64_t	sh_size;
	uint32_t	sh_link;
	uint64_t	sh_entsize;
};

struct lvm_file {
	int		f_fd;
	const char	*f_path;
	uint64_t	f_size;
	bool		f_64;
	unsigned	f_nsec;
	struct lvm_shdr	*f_sec;
	char		*f_shstr;
	uint64_t	f_shstr_len;
	char		*f_err;
	size_t		f_errlen;
};

static int
lvm_fail(struct lvm_file *f, int err, const char *what, uint64_t off)
{
	if (f->f_err != NULL)
		(void) snprintf(f->f_err, f->f_errlen, "%s is no usable vmlinux: "
		    "%s (at file offset %#llx)", f->f_path, what,
		    (unsigned long long)off);
	return (err);
}

/* Read len bytes at off, checked against the file: 0 or an errno. */
static int
lvm_pread(struct lvm_file *f, uint64_t off, void *buf, uint64_t len,
    const char *what)
{
	ssize_t n;

	if (off > f->f_size || len > f->f_size - off)
		return (lvm_fail(f, EINVAL, what, off));
	while (len > 0) {
		n = pread(f->f_fd, buf, (size_t)len, (off_t)off);
		if (n <= 0)
			return (lvm_fail(f, n < 0 ? errno : EIO, what, off));
		buf = (char *)buf + n;
		off += (uint64_t)n;
		len -= (uint64_t)n;
	}
	return (0);
}

/* A section's contents (malloc'd, one NUL past the end): 0 or errno. */
static int
lvm_section(struct lvm_file *f, const struct lvm_shdr *s, char **out,
    const char *what)
{
	char *buf;
	int err;

	*out = NULL;
	if (s->sh_size > LVMLINUX_MAX_SECTION)
		return (lvm_fail(f, EINVAL, what, s->sh_offset));
	if ((buf = malloc((size_t)s->sh_size + 1)) == NULL)
		return (ENOMEM);
	if ((err = lvm_pread(f, s->sh_offset, buf, s->sh_size, what)) != 0) {
		free(buf);
		return (err);
	}
	buf[s->sh_size] = '\0';
	*out = buf;
	return (0);
}

/* The ELF header and the section table. */
static int
lvm_headers(struct lvm_file *f)
{
	unsigned char eh[64], sh[64];
	uint64_t shoff;
	unsigned shentsize, shnum, shstrndx, i, machine;
	int err;

	if ((err = lvm_pread(f, 0, eh, 52, "the ELF header")) != 0)
		return (err);
	if (memcmp(eh, ELFMAG, SELFMAG) != 0)
		return (lvm_fail(f, EINVAL, "no ELF magic", 0));
	if (eh[EI_DATA] != ELFDATA2LSB)
		return (lvm_fail(f, ENOTSUP, "not little endian", EI_DATA));
	if (eh[EI_CLASS] != ELFCLASS64 && eh[EI_CLASS] != ELFCLASS32)
		return (lvm_fail(f, EINVAL, "an unknown ELF class", EI_CLASS));
	f->f_64 = eh[EI_CLASS] == ELFCLASS64;
	if (f->f_64 && (err = lvm_pread(f, 0, eh, 64, "the ELF header")) != 0)
		return (err);
	machine = (unsigned)le_decode(eh + 18, 2);
	if (machine != (f->f_64 ? EM_X86_64 : EM_386))
		return (lvm_fail(f, ENOTSUP, "not an x86 kernel (e_machine)",
		    18));
	shoff = f->f_64 ? le_decode(eh + 40, 8) : le_decode(eh + 32, 4);
	shentsize = (unsigned)le_decode(eh + (f->f_64 ? 58 : 46), 2);
	shnum = (unsigned)le_decode(eh + (f->f_64 ? 60 : 48), 2);
	shstrndx = (unsigned)le_decode(eh + (f->f_64 ? 62 : 50), 2);
	if (shentsize != (f->f_64 ? 64u : 40u))
		return (lvm_fail(f, EINVAL, "a bad e_shentsize", 0));
	if (shnum == 0 || shnum > LVMLINUX_MAX_SECTIONS || shstrndx >= shnum)
		return (lvm_fail(f, EINVAL, "a bad e_shnum or e_shstrndx", 0));
	if ((f->f_sec = calloc(shnum, sizeof (*f->f_sec))) == NULL)
		return (ENOMEM);
	f->f_nsec = shnum;
	for (i = 0; i < shnum; i++) {
		struct lvm_shdr *s = &f->f_sec[i];
		uint64_t at = shoff + (uint64_t)i * shentsize;

		if (at < shoff || (err = lvm_pread(f, at, sh, shentsize,
		    "the section header table")) != 0)
			return (err != 0 ? err : lvm_fail(f, EINVAL,
			    "a bad e_shoff", shoff));
		s->sh_name = (uint32_t)le_decode(sh, 4);
		s->sh_type = (uint32_t)le_decode(sh + 4, 4);
		if (f->f_64) {
			s->sh_flags = le_decode(sh + 8, 8);
			s->sh_addr = le_decode(sh + 16, 8);
			s->sh_offset = le_decode(sh + 24, 8);
			s->sh_size = le_decode(sh + 32, 8);
			s->sh_link = (uint32_t)le_decode(sh + 40, 4);
			s->sh_entsize = le_decode(sh + 56, 8);
		} else {
			s->sh_flags = le_decode(sh + 8, 4);
			s->sh_addr = le_decode(sh + 12, 4);
			s->sh_offset = le_decode(sh + 16, 4);
			s->sh_size = le_decode(sh + 20, 4);
			s->sh_link = (uint32_t)le_decode(sh + 24, 4);
			s->sh_entsize = le_decode(sh + 36, 4);
		}
	}
	if ((err = lvm_section(f, &f->f_sec[shstrndx], &f->f_shstr,
	    "the section name table")) != 0)
		return (err);
	f->f_shstr_len = f->f_sec[shstrndx].sh_size;
	return (0);
}

static const char *
lvm_secname(const struct lvm_file *f, const struct lvm_shdr *s)
{
	return (s->sh_name < f->f_shstr_len ? f->f_shstr + s->sh_name : "");
}

/* nm's letter for a symbol. */
static char
lvm_type(const struct lvm_file *f, unsigned shndx, unsigned bind)
{
	const struct lvm_shdr *s;
	char c;

	if (shndx == SHN_ABS)
		c = 'A';
	else if (shndx == SHN_UNDEF || shndx >= f->f_nsec)
		return ('U');
	else if ((s = &f->f_sec[shndx])->sh_type == SHT_NOBITS)
		c = 'B';
	else if (s->sh_flags & SHF_EXECINSTR)
		c = 'T';
	else if (s->sh_flags & SHF_WRITE)
		c = 'D';
	else
		c = 'R';
	if (bind == STB_WEAK)
		return (c == 'A' ? 'V' : 'W');
	return (bind == STB_LOCAL ? (char)(c - 'A' + 'a') : c);
}

/* Report the symbols of the symbol table s. */
static int
lvm_symbols(struct lvm_file *f, const struct lvm_shdr *s, lsym_cb *cb,
    void *arg, unsigned *np)
{
	const unsigned esz = f->f_64 ? 24 : 16;
	const struct lvm_shdr *strs;
	char *tab = NULL, *str = NULL;
	uint64_t i, nsyms, strlen_;
	int err, rv = 0;

	if (s->sh_entsize != esz || s->sh_size % esz != 0)
		return (lvm_fail(f, EINVAL, "a bad .symtab entry size",
		    s->sh_offset));
	if (s->sh_link >= f->f_nsec)
		return (lvm_fail(f, EINVAL, "a bad .symtab string table link",
		    s->sh_offset));
	strs = &f->f_sec[s->sh_link];
	if ((err = lvm_section(f, s, &tab, "the symbol table")) != 0)
		return (err);
	if ((err = lvm_section(f, strs, &str, "the symbol strings")) != 0) {
		free(tab);
		return (err);
	}
	strlen_ = strs->sh_size;
	nsyms = s->sh_size / esz;
	for (i = 1; i < nsyms && rv == 0; i++) {
		const unsigned char *e = (const unsigned char *)tab + i * esz;
		uint32_t name = (uint32_t)le_decode(e, 4);
		unsigned info, shndx, stype;
		uint64_t value;
		const char *nm;

		if (f->f_64) {
			info = e[4];
			shndx = (unsigned)le_decode(e + 6, 2);
			value = le_decode(e + 8, 8);
		} else {
			value = le_decode(e + 4, 4);
			info = e[12];
			shndx = (unsigned)le_decode(e + 14, 2);
		}
		stype = info & 0xf;
		if (name == 0 || name >= strlen_ || stype == STT_SECTION ||
		    stype == STT_FILE || shndx == SHN_UNDEF)
			continue;
		nm = str + name;	/* str ends in a NUL we put there */
		if (nm[0] == '\0' || strlen(nm) > 511)
			continue;
		if (*np == LSYSMAP_MAX_SYMS)
			break;
		(*np)++;
		if (cb != NULL)
			rv = cb(arg, nm, lvm_type(f, shndx, info >> 4), value);
	}
	free(tab);
	free(str);
	return (rv);
}

/* The GNU build ID among the notes of section s, into out (hex). */
static int
lvm_build_id(struct lvm_file *f, const struct lvm_shdr *s, char *out)
{
	static const char hex[] = "0123456789abcdef";
	char *notes;
	uint64_t off = 0, namesz, descsz, type, i;
	int err;

	if ((err = lvm_section(f, s, &notes, "a note section")) != 0)
		return (err);
	while (off + 12 <= s->sh_size) {
		const unsigned char *n = (const unsigned char *)notes + off;

		namesz = le_decode(n, 4);
		descsz = le_decode(n + 4, 4);
		type = le_decode(n + 8, 4);
		off += 12;
		if (namesz > s->sh_size - off ||
		    ((namesz + 3) & ~3ULL) > s->sh_size - off)
			break;
		if (descsz > s->sh_size - off - ((namesz + 3) & ~3ULL))
			break;
		if (type == NT_GNU_BUILD_ID && namesz == 4 &&
		    memcmp(notes + off, "GNU", 4) == 0 && descsz > 0 &&
		    descsz <= 64) {
			const unsigned char *d = (const unsigned char *)notes +
			    off + 4;

			for (i = 0; i < descsz; i++) {
				out[2 * i] = hex[d[i] >> 4];
				out[2 * i + 1] = hex[d[i] & 0xf];
			}
			out[2 * descsz] = '\0';
			break;
		}
		off += ((namesz + 3) & ~3ULL) + ((descsz + 3) & ~3ULL);
	}
	free(notes);
	return (0);
}

int
lvmlinux_read(const char *path, struct lvmlinux *out, lsym_cb *cb,
    void *arg, char *errbuf, size_t errlen)
{
	struct lvm_file f;
	struct stat st;
	char *btf = NULL;
	unsigned i;
	int err = 0;

	memset(out, 0, sizeof (*out));
	memset(&f, 0, sizeof (f));
	f.f_path = path;
	f.f_err = errbuf;
	f.f_errlen = errlen;
	if ((f.f_fd = open(path, O_RDONLY | O_CLOEXEC)) < 0 ||
	    fstat(f.f_fd, &st) != 0) {
		err = errno;
		if (errbuf != NULL)
			(void) snprintf(errbuf, errlen, "cannot open vmlinux "
			    "%s: %s", path, strerror(err));
		if (f.f_fd >= 0)
			(void) close(f.f_fd);
		return (err);
	}
	f.f_size = (uint64_t)st.st_size;
	if ((err = lvm_headers(&f)) != 0)
		goto out;
	out->lv_ptr_size = f.f_64 ? 8 : 4;
	for (i = 0; i < f.f_nsec && err == 0; i++) {
		const struct lvm_shdr *s = &f.f_sec[i];
		const char *name = lvm_secname(&f, s);

		if (s->sh_type == SHT_NOTE && out->lv_build_id[0] == '\0')
			err = lvm_build_id(&f, s, out->lv_build_id);
		else if (strcmp(name, ".BTF") == 0 && btf == NULL &&
		    s->sh_type != SHT_NOBITS) {
			if ((err = lvm_section(&f, s, &btf, "the .BTF section"))
			    == 0)
				out->lv_btf_len = (size_t)s->sh_size;
		}
	}
	for (i = 0; i < f.f_nsec && err == 0; i++) {
		if (f.f_sec[i].sh_type == SHT_SYMTAB)
			err = lvm_symbols(&f, &f.f_sec[i], cb, arg,
			    &out->lv_nsyms);
	}
	if (err == 0 && out->lv_nsyms == 0 && btf == NULL)
		err = lvm_fail(&f, EINVAL, "neither symbols nor .BTF", 0);
out:
	if (err != 0) {
		free(btf);
		out->lv_btf_len = 0;
	} else {
		out->lv_btf = btf;
	}
	free(f.f_sec);
	free(f.f_shstr);
	(void) close(f.f_fd);
	return (err);
}

void
lvmlinux_fini(struct lvmlinux *v)
{
	free(v->lv_btf);
	memset(v, 0, sizeof (*v));
}
