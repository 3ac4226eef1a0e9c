/*
 * xc_core.c - read the xc-core files that `xl dump-core` writes
 * (see xc_core.h).
 *
 * All multi-byte fields are decoded explicitly as little-endian, so the
 * reader works on any host.  The pfn table is loaded at open; pages are
 * read on demand with pread().
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "xen/xc_core.h"

#define XC_CORE__EHDR_SIZE	64
#define XC_CORE__SHDR_SIZE	64
#define XC_CORE__MAX_SECTIONS	256
#define XC_CORE__MAX_STRTAB	(64 * 1024)
#define XC_CORE__MAX_NOTES	(64 * 1024)
#define XC_CORE__MAX_PRSTATUS	(64 * 1024 * 1024)
#define XC_CORE__ET_CORE	4
#define XC_CORE__SHT_NOBITS	8

#define XC_CORE__MAGIC_PV	UINT64_C(0xF00FEBED)
#define XC_CORE__MAGIC_HVM	UINT64_C(0xF00FEBEE)
#define XC_CORE__NOTE_HEADER	0x2000001u
#define XC_CORE__NOTE_XEN_VERSION 0x2000002u
#define XC_CORE__NOTE_FORMAT	0x2000003u

struct xc_core__section {
	uint64_t	cs_offset;
	uint64_t	cs_size;
	bool		cs_found;
};

/*
 * c_pfn[i], c_gmfn[i]	frame numbers of page i (c_gmfn == c_pfn for HVM)
 * c_sorted		c_pfn is strictly ascending (binary search works)
 */
struct xc_core {
	int			c_fd;
	char			c_name[256];
	uint64_t		c_size;
	struct xc_core_info	c_info;
	struct xc_core__section	c_pages;
	struct xc_core__section	c_prstatus;
	uint64_t		*c_pfn;
	uint64_t		*c_gmfn;
	bool			c_sorted;
};

static uint32_t
le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

static uint64_t
le64(const unsigned char *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

static uint16_t
le16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

/* Read exactly len bytes at off; EIO on a short read. */
static int
xc_core__pread(struct xc_core *c, void *buf, size_t len, uint64_t off,
    struct xen_err *err)
{
	unsigned char *p = buf;
	ssize_t n;
	int e;

	while (len > 0) {
		n = pread(c->c_fd, p, len, (off_t)off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			e = errno;
			return xen_err_set(err, e, "%s: reading %zu bytes at "
			    "offset %" PRIu64 ": %s", c->c_name, len, off,
			    strerror(e));
		}
		if (n == 0)
			return xen_err_set(err, EIO, "%s: unexpected end of "
			    "file at offset %" PRIu64, c->c_name, off);
		p += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

/* off + len within the file, without overflow. */
static bool
xc_core__in_file(const struct xc_core *c, uint64_t off, uint64_t len)
{
	return off <= c->c_size && len <= c->c_size - off;
}

static int
xc_core__bad(struct xc_core *c, struct xen_err *err, const char *what)
{
	return xen_err_set(err, EINVAL, "%s: not a valid xc-core file: %s",
	    c->c_name, what);
}

static int
xc_core__notes(struct xc_core *c, uint64_t off, uint64_t size,
    struct xen_err *err)
{
	unsigned char *buf;
	uint64_t pos = 0, namesz, descsz, descoff, next;
	uint32_t type;
	bool have_header = false;
	int rc = -1;

	if (size > XC_CORE__MAX_NOTES)
		return xc_core__bad(c, err, ".note.Xen is implausibly large");
	buf = malloc(size > 0 ? (size_t)size : 1);
	if (buf == NULL)
		return xen_err_set(err, ENOMEM, "%s: out of memory", c->c_name);
	if (xc_core__pread(c, buf, (size_t)size, off, err) < 0)
		goto out;

	while (pos + 12 <= size) {
		namesz = le32(buf + pos);
		descsz = le32(buf + pos + 4);
		type = le32(buf + pos + 8);
		descoff = pos + 12 + ((namesz + 3) & ~UINT64_C(3));
		next = descoff + ((descsz + 3) & ~UINT64_C(3));
		if (descoff > size || next > size) {
			xc_core__bad(c, err, "a note runs past .note.Xen");
			goto out;
		}
		if (namesz != 4 || memcmp(buf + pos + 12, "Xen", 4) != 0) {
			pos = next;
			continue;
		}
		switch (type) {
		case XC_CORE__NOTE_HEADER:
			if (descsz < 32) {
				xc_core__bad(c, err, "short HEADER note");
				goto out;
			}
			switch (le64(buf + descoff)) {
			case XC_CORE__MAGIC_PV:
				c->c_info.ci_hvm = false;
				break;
			case XC_CORE__MAGIC_HVM:
				c->c_info.ci_hvm = true;
				break;
			default:
				xc_core__bad(c, err, "bad magic in HEADER note");
				goto out;
			}
			c->c_info.ci_nr_vcpus = le64(buf + descoff + 8);
			c->c_info.ci_nr_pages = le64(buf + descoff + 16);
			c->c_info.ci_page_size = le64(buf + descoff + 24);
			have_header = true;
			break;
		case XC_CORE__NOTE_XEN_VERSION:
			if (descsz >= 32) {
				c->c_info.ci_xen_major = le64(buf + descoff);
				c->c_info.ci_xen_minor = le64(buf + descoff + 8);
				memcpy(c->c_info.ci_xen_extra, buf + descoff + 16,
				    16);
				c->c_info.ci_xen_extra[16] = '\0';
			}
			break;
		case XC_CORE__NOTE_FORMAT:
			if (descsz >= 8)
				c->c_info.ci_format_version =
				    le64(buf + descoff);
			break;
		default:
			break;
		}
		pos = next;
	}
	if (!have_header) {
		xc_core__bad(c, err, "no HEADER note in .note.Xen");
		goto out;
	}
	rc = 0;
out:
	free(buf);
	return rc;
}

static int
xc_core__table(struct xc_core *c, const struct xc_core__section *p2m,
    const struct xc_core__section *pfn, struct xen_err *err)
{
	const struct xc_core__section *t = p2m->cs_found ? p2m : pfn;
	uint64_t n = c->c_info.ci_nr_pages, i, done, chunk;
	size_t entsize = p2m->cs_found ? 16 : 8;
	unsigned char buf[4096];

	if (t->cs_size / entsize != n || t->cs_size % entsize != 0)
		return xc_core__bad(c, err, p2m->cs_found ?
		    ".xen_p2m does not hold one entry per page" :
		    ".xen_pfn does not hold one entry per page");
	if (n > SIZE_MAX / sizeof(uint64_t))
		return xen_err_set(err, EFBIG, "%s: %" PRIu64 " pages do not "
		    "fit in memory", c->c_name, n);
	c->c_pfn = malloc(n > 0 ? (size_t)n * sizeof(uint64_t) : 1);
	c->c_gmfn = malloc(n > 0 ? (size_t)n * sizeof(uint64_t) : 1);
	if (c->c_pfn == NULL || c->c_gmfn == NULL)
		return xen_err_set(err, ENOMEM, "%s: out of memory for the "
		    "table of %" PRIu64 " pages", c->c_name, n);

	c->c_sorted = true;
	for (done = 0; done < n; done += chunk) {
		chunk = sizeof(buf) / entsize;
		if (chunk > n - done)
			chunk = n - done;
		if (xc_core__pread(c, buf, (size_t)(chunk * entsize),
		    t->cs_offset + done * entsize, err) < 0)
			return -1;
		for (i = 0; i < chunk; i++) {
			uint64_t k = done + i;

			c->c_pfn[k] = le64(buf + i * entsize);
			c->c_gmfn[k] = entsize == 16 ?
			    le64(buf + i * entsize + 8) : c->c_pfn[k];
			if (k > 0 && c->c_pfn[k] <= c->c_pfn[k - 1])
				c->c_sorted = false;
		}
	}
	return 0;
}

static int
xc_core__parse(struct xc_core *c, struct xen_err *err)
{
	unsigned char eh[XC_CORE__EHDR_SIZE], sh[XC_CORE__SHDR_SIZE];
	unsigned char *strtab = NULL;
	struct xc_core__section notes = { 0 }, p2m = { 0 }, pfn = { 0 };
	uint64_t shoff, stroff, strsize, off, size;
	uint16_t shentsize, shnum, shstrndx, i;
	uint32_t name, type;
	struct stat st;
	int rc = -1, e;

	if (fstat(c->c_fd, &st) < 0) {
		e = errno;
		return xen_err_set(err, e, "%s: %s", c->c_name, strerror(e));
	}
	if (!S_ISREG(st.st_mode))
		return xc_core__bad(c, err, "not a regular file");
	c->c_size = (uint64_t)st.st_size;
	if (c->c_size < XC_CORE__EHDR_SIZE)
		return xc_core__bad(c, err, "shorter than an ELF header");
	if (xc_core__pread(c, eh, sizeof(eh), 0, err) < 0)
		return -1;
	if (memcmp(eh, "\177ELF", 4) != 0)
		return xc_core__bad(c, err, "no ELF magic");
	if (eh[4] != 2 || eh[5] != 1)
		return xc_core__bad(c, err, "not 64-bit little-endian ELF");
	if (le16(eh + 16) != XC_CORE__ET_CORE)
		return xc_core__bad(c, err, "ELF type is not ET_CORE");
	shoff = le64(eh + 40);
	shentsize = le16(eh + 58);
	shnum = le16(eh + 60);
	shstrndx = le16(eh + 62);
	if (shentsize != XC_CORE__SHDR_SIZE)
		return xc_core__bad(c, err, "unexpected section header size");
	if (shnum == 0 || shnum > XC_CORE__MAX_SECTIONS)
		return xc_core__bad(c, err, "implausible section count");
	if (shstrndx >= shnum)
		return xc_core__bad(c, err, "section name table index out "
		    "of range");
	if (!xc_core__in_file(c, shoff, (uint64_t)shnum * XC_CORE__SHDR_SIZE))
		return xc_core__bad(c, err, "section headers past end of "
		    "file");

	if (xc_core__pread(c, sh, sizeof(sh), shoff +
	    (uint64_t)shstrndx * XC_CORE__SHDR_SIZE, err) < 0)
		return -1;
	stroff = le64(sh + 24);
	strsize = le64(sh + 32);
	if (strsize == 0 || strsize > XC_CORE__MAX_STRTAB ||
	    !xc_core__in_file(c, stroff, strsize))
		return xc_core__bad(c, err, "bad section name table");
	strtab = malloc((size_t)strsize + 1);
	if (strtab == NULL)
		return xen_err_set(err, ENOMEM, "%s: out of memory", c->c_name);
	if (xc_core__pread(c, strtab, (size_t)strsize, stroff, err) < 0)
		goto out;
	strtab[strsize] = '\0';

	for (i = 0; i < shnum; i++) {
		struct xc_core__section *s = NULL;
		const char *nm;

		if (xc_core__pread(c, sh, sizeof(sh), shoff +
		    (uint64_t)i * XC_CORE__SHDR_SIZE, err) < 0)
			goto out;
		name = le32(sh);
		type = le32(sh + 4);
		off = le64(sh + 24);
		size = le64(sh + 32);
		if (name >= strsize) {
			xc_core__bad(c, err, "section name out of range");
			goto out;
		}
		nm = (const char *)strtab + name;
		if (strcmp(nm, ".note.Xen") == 0)
			s = &notes;
		else if (strcmp(nm, ".xen_pages") == 0)
			s = &c->c_pages;
		else if (strcmp(nm, ".xen_p2m") == 0)
			s = &p2m;
		else if (strcmp(nm, ".xen_pfn") == 0)
			s = &pfn;
		else if (strcmp(nm, ".xen_prstatus") == 0)
			s = &c->c_prstatus;
		if (s == NULL)
			continue;
		if (s->cs_found) {
			xen_err_set(err, EINVAL, "%s: not a valid xc-core "
			    "file: section %s appears twice", c->c_name, nm);
			goto out;
		}
		if (type == XC_CORE__SHT_NOBITS ||
		    !xc_core__in_file(c, off, size)) {
			xen_err_set(err, EINVAL, "%s: not a valid xc-core "
			    "file: section %s lies outside the file",
			    c->c_name, nm);
			goto out;
		}
		s->cs_offset = off;
		s->cs_size = size;
		s->cs_found = true;
	}

	if (!notes.cs_found) {
		xc_core__bad(c, err, "no .note.Xen section");
		goto out;
	}
	if (!c->c_pages.cs_found) {
		xc_core__bad(c, err, "no .xen_pages section");
		goto out;
	}
	if (p2m.cs_found == pfn.cs_found) {
		xc_core__bad(c, err, "needs exactly one of .xen_p2m and "
		    ".xen_pfn");
		goto out;
	}
	if (xc_core__notes(c, notes.cs_offset, notes.cs_size, err) < 0)
		goto out;
	size = c->c_info.ci_page_size;
	if (size < 4096 || size > (1u << 20) || (size & (size - 1)) != 0) {
		xc_core__bad(c, err, "implausible page size");
		goto out;
	}
	if (c->c_info.ci_nr_pages > c->c_pages.cs_size / size ||
	    c->c_pages.cs_size != c->c_info.ci_nr_pages * size) {
		xc_core__bad(c, err, ".xen_pages size disagrees with the page "
		    "count in the HEADER note");
		goto out;
	}
	if (p2m.cs_found == c->c_info.ci_hvm) {
		xc_core__bad(c, err, "HEADER magic and pfn table kind "
		    "disagree (PV needs .xen_p2m, HVM .xen_pfn)");
		goto out;
	}
	if (c->c_prstatus.cs_size > XC_CORE__MAX_PRSTATUS) {
		xc_core__bad(c, err, ".xen_prstatus is implausibly large");
		goto out;
	}
	c->c_info.ci_prstatus_size = c->c_prstatus.cs_size;
	if (xc_core__table(c, &p2m, &pfn, err) < 0)
		goto out;
	rc = 0;
out:
	free(strtab);
	return rc;
}

struct xc_core *
xc_core_fdopen(int fd, const char *name, struct xen_err *err)
{
	struct xc_core *c;
	int e;

	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		xen_err_set(err, ENOMEM, "out of memory opening %s",
		    name != NULL ? name : "core file");
		close(fd);
		errno = ENOMEM;
		return NULL;
	}
	c->c_fd = fd;
	strncpy(c->c_name, name != NULL ? name : "core file",
	    sizeof(c->c_name) - 1);
	if (xc_core__parse(c, err) < 0) {
		e = errno;
		xc_core_close(c);
		errno = e;
		return NULL;
	}
	xen_err_clear(err);
	return c;
}

struct xc_core *
xc_core_open(const char *path, struct xen_err *err)
{
	int fd, e;

	if (path == NULL) {
		xen_err_set(err, EINVAL, "xc_core_open: NULL path");
		return NULL;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		e = errno;
		xen_err_set(err, e, "opening %s: %s", path, strerror(e));
		return NULL;
	}
	return xc_core_fdopen(fd, path, err);
}

void
xc_core_close(struct xc_core *core)
{
	int e = errno;

	if (core == NULL)
		return;
	close(core->c_fd);
	free(core->c_pfn);
	free(core->c_gmfn);
	free(core);
	errno = e;
}

const struct xc_core_info *
xc_core_info(const struct xc_core *core)
{
	return &core->c_info;
}

int
xc_core_page_pfn(const struct xc_core *core, uint64_t index, uint64_t *pfnp,
    uint64_t *gmfnp, struct xen_err *err)
{
	if (core == NULL)
		return xen_err_set(err, EINVAL, "xc_core_page_pfn: NULL core");
	if (index >= core->c_info.ci_nr_pages)
		return xen_err_set(err, ERANGE, "%s: page index %" PRIu64
		    " past the last page (%" PRIu64 " pages)", core->c_name,
		    index, core->c_info.ci_nr_pages);
	if (pfnp != NULL)
		*pfnp = core->c_pfn[index];
	if (gmfnp != NULL)
		*gmfnp = core->c_gmfn[index];
	return 0;
}

int
xc_core_read_page(const struct xc_core *core, uint64_t index, void *buf,
    struct xen_err *err)
{
	if (core == NULL || buf == NULL)
		return xen_err_set(err, EINVAL, "xc_core_read_page: NULL "
		    "argument");
	if (index >= core->c_info.ci_nr_pages)
		return xen_err_set(err, ERANGE, "%s: page index %" PRIu64
		    " past the last page (%" PRIu64 " pages)", core->c_name,
		    index, core->c_info.ci_nr_pages);
	return xc_core__pread((struct xc_core *)core, buf,
	    (size_t)core->c_info.ci_page_size, core->c_pages.cs_offset +
	    index * core->c_info.ci_page_size, err);
}

int
xc_core_find_pfn(const struct xc_core *core, uint64_t pfn, uint64_t *indexp,
    struct xen_err *err)
{
	uint64_t lo = 0, hi, mid, i;

	if (core == NULL || indexp == NULL)
		return xen_err_set(err, EINVAL, "xc_core_find_pfn: NULL "
		    "argument");
	hi = core->c_info.ci_nr_pages;
	if (core->c_sorted) {
		while (lo < hi) {
			mid = lo + (hi - lo) / 2;
			if (core->c_pfn[mid] == pfn) {
				*indexp = mid;
				return 0;
			}
			if (core->c_pfn[mid] < pfn)
				lo = mid + 1;
			else
				hi = mid;
		}
	} else {
		for (i = 0; i < hi; i++) {
			if (core->c_pfn[i] == pfn) {
				*indexp = i;
				return 0;
			}
		}
	}
	return xen_err_set(err, ENOENT, "%s: pfn 0x%" PRIx64 " is not in the "
	    "dump", core->c_name, pfn);
}

int
xc_core_read_prstatus(const struct xc_core *core, void *buf, size_t len,
    struct xen_err *err)
{
	if (core == NULL || (buf == NULL && len > 0))
		return xen_err_set(err, EINVAL, "xc_core_read_prstatus: NULL "
		    "argument");
	if (len < core->c_info.ci_prstatus_size)
		return xen_err_set(err, ERANGE, "%s: .xen_prstatus needs %"
		    PRIu64 " bytes", core->c_name,
		    core->c_info.ci_prstatus_size);
	return xc_core__pread((struct xc_core *)core, buf,
	    (size_t)core->c_info.ci_prstatus_size,
	    core->c_prstatus.cs_offset, err);
}
