/*
 * xc_core.c - read the xc-core files that `xl dump-core` writes
 * (see xc_core.h).
 *
 * All multi-byte fields are decoded explicitly as little-endian, so the
 * reader works on any host.  The pfn table is loaded at open (with a
 * pfn-ordered index when the file's own order is not ascending); pages
 * are read on demand with pread().
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
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
#define XC_CORE__MAX_SHINFO	(64 * 1024)
#define XC_CORE__ET_CORE	4
#define XC_CORE__SHT_NOBITS	8

struct xc_core__section {
	const char	*cs_name;
	uint64_t	cs_offset;
	uint64_t	cs_size;
	uint64_t	cs_entsize;
	bool		cs_found;
};

/*
 * c_pfn[i], c_gmfn[i]	frame numbers of page i (c_gmfn == c_pfn for HVM)
 * c_order		NULL when the valid pages come first and in strictly
 *			ascending pfn order; else c_order[k] is the index of
 *			the k-th page by pfn
 * c_xv_offset		file offset of the XEN_VERSION note's descriptor
 */
struct xc_core {
	int			c_fd;
	char			c_name[256];
	uint64_t		c_size;
	struct xc_core_info	c_info;
	struct xc_core__section	c_pages;
	struct xc_core__section	c_prstatus;
	struct xc_core__section	c_shinfo;
	uint64_t		c_xv_offset;
	uint64_t		*c_pfn;
	uint64_t		*c_gmfn;
	uint64_t		*c_order;
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
xc_core__pread(const struct xc_core *c, void *buf, size_t len, uint64_t off,
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
xc_core__bad(const struct xc_core *c, struct xen_err *err, const char *what)
{
	return xen_err_set(err, EINVAL, "%s: not a valid xc-core file: %s",
	    c->c_name, what);
}

static int
xc_core__notes(struct xc_core *c, const struct xc_core__section *s,
    struct xen_err *err)
{
	unsigned char *buf;
	uint64_t size = s->cs_size, pos = 0, namesz, descsz, descoff, next;
	uint32_t type;
	bool have_header = false, have_format = false, have_version = false;
	int rc = -1;

	if (size > XC_CORE__MAX_NOTES)
		return xc_core__bad(c, err, ".note.Xen is implausibly large");
	buf = malloc(size > 0 ? (size_t)size : 1);
	if (buf == NULL)
		return xen_err_set(err, ENOMEM, "%s: out of memory", c->c_name);
	if (xc_core__pread(c, buf, (size_t)size, s->cs_offset, err) < 0)
		goto out;

	while (pos + 12 <= size) {
		namesz = le32(buf + pos);
		descsz = le32(buf + pos + 4);
		type = le32(buf + pos + 8);
		descoff = pos + 12 + ((namesz + 3) & ~UINT64_C(3));
		next = descoff + ((descsz + 3) & ~UINT64_C(3));
		if (descoff > size || next > size) {
			xc_core__bad(c, err, "a note runs past the end of "
			    ".note.Xen");
			goto out;
		}
		if (namesz != 4 || memcmp(buf + pos + 12, "Xen", 4) != 0) {
			pos = next;
			continue;
		}
		switch (type) {
		case XC_CORE_NOTE_HEADER:
			if (have_header) {
				xc_core__bad(c, err, "two HEADER notes");
				goto out;
			}
			if (descsz < 32) {
				xc_core__bad(c, err, "short HEADER note");
				goto out;
			}
			switch (le64(buf + descoff)) {
			case XC_CORE_HDR_MAGIC_PV:
				c->c_info.ci_hvm = false;
				break;
			case XC_CORE_HDR_MAGIC_HVM:
				c->c_info.ci_hvm = true;
				break;
			default:
				xc_core__bad(c, err, "bad magic in the HEADER "
				    "note");
				goto out;
			}
			c->c_info.ci_nr_vcpus = le64(buf + descoff + 8);
			c->c_info.ci_nr_pages = le64(buf + descoff + 16);
			c->c_info.ci_page_size = le64(buf + descoff + 24);
			have_header = true;
			break;
		case XC_CORE_NOTE_XEN_VERSION:
			if (have_version) {
				xc_core__bad(c, err, "two XEN_VERSION notes");
				goto out;
			}
			if (descsz < 32 || descsz > XC_CORE_XEN_VERSION_MAX) {
				xc_core__bad(c, err, "XEN_VERSION note of "
				    "implausible size");
				goto out;
			}
			c->c_info.ci_xen_major = le64(buf + descoff);
			c->c_info.ci_xen_minor = le64(buf + descoff + 8);
			memcpy(c->c_info.ci_xen_extra, buf + descoff + 16, 16);
			c->c_info.ci_xen_extra[16] = '\0';
			c->c_info.ci_xen_version_size = descsz;
			c->c_xv_offset = s->cs_offset + descoff;
			have_version = true;
			break;
		case XC_CORE_NOTE_FORMAT:
			if (have_format) {
				xc_core__bad(c, err, "two FORMAT_VERSION "
				    "notes");
				goto out;
			}
			if (descsz < 8) {
				xc_core__bad(c, err, "short FORMAT_VERSION "
				    "note");
				goto out;
			}
			c->c_info.ci_format_version = le64(buf + descoff);
			if (c->c_info.ci_format_version >> 32 != 0) {
				xen_err_set(err, EINVAL, "%s: xc-core format "
				    "version %" PRIu64 ".%" PRIu64 " is not "
				    "supported (only major version 0 is)",
				    c->c_name, c->c_info.ci_format_version >>
				    32, c->c_info.ci_format_version &
				    UINT32_MAX);
				goto out;
			}
			have_format = true;
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

struct xc_core__pair {
	uint64_t	p_pfn;
	uint64_t	p_index;
};

static int
xc_core__pair_compar(const void *a, const void *b)
{
	const struct xc_core__pair *x = a, *y = b;

	if (x->p_pfn != y->p_pfn)
		return (x->p_pfn > y->p_pfn) - (x->p_pfn < y->p_pfn);
	return (x->p_index > y->p_index) - (x->p_index < y->p_index);
}

/* c_order for a table that is not ascending; refuses duplicate pfns. */
static int
xc_core__index(struct xc_core *c, struct xen_err *err)
{
	uint64_t n = c->c_info.ci_nr_pages, nvalid = c->c_info.ci_nr_valid;
	struct xc_core__pair *pairs;
	uint64_t i, k;
	int rc = -1;

	if (nvalid > SIZE_MAX / sizeof(*pairs))
		return xen_err_set(err, EFBIG, "%s: %" PRIu64 " pages do not "
		    "fit in memory", c->c_name, nvalid);
	pairs = malloc(nvalid > 0 ? (size_t)nvalid * sizeof(*pairs) : 1);
	c->c_order = malloc(nvalid > 0 ? (size_t)nvalid * sizeof(uint64_t) :
	    1);
	if (pairs == NULL || c->c_order == NULL) {
		xen_err_set(err, ENOMEM, "%s: out of memory indexing %" PRIu64
		    " pages", c->c_name, nvalid);
		goto out;
	}
	for (i = 0, k = 0; i < n; i++) {
		if (c->c_pfn[i] == XC_CORE_PADDING_PFN)
			continue;
		pairs[k].p_pfn = c->c_pfn[i];
		pairs[k].p_index = i;
		k++;
	}
	qsort(pairs, (size_t)nvalid, sizeof(*pairs), xc_core__pair_compar);
	for (k = 0; k < nvalid; k++) {
		if (k > 0 && pairs[k].p_pfn == pairs[k - 1].p_pfn) {
			xen_err_set(err, EINVAL, "%s: not a valid xc-core "
			    "file: pfn 0x%" PRIx64 " appears twice in the pfn "
			    "table (pages %" PRIu64 " and %" PRIu64 ")",
			    c->c_name, pairs[k].p_pfn, pairs[k - 1].p_index,
			    pairs[k].p_index);
			goto out;
		}
		c->c_order[k] = pairs[k].p_index;
	}
	rc = 0;
out:
	free(pairs);
	return rc;
}

static int
xc_core__table(struct xc_core *c, const struct xc_core__section *p2m,
    const struct xc_core__section *pfn, struct xen_err *err)
{
	const struct xc_core__section *t = p2m->cs_found ? p2m : pfn;
	uint64_t n = c->c_info.ci_nr_pages, i, done, chunk, last = 0;
	size_t entsize = p2m->cs_found ? 16 : 8;
	bool ascending = true, padded = false;
	unsigned char buf[4096];

	if (t->cs_size / entsize != n || t->cs_size % entsize != 0)
		return xen_err_set(err, EINVAL, "%s: not a valid xc-core file: "
		    "%s holds %" PRIu64 " bytes, not one %zu-byte entry for "
		    "each of the %" PRIu64 " pages", c->c_name, t->cs_name,
		    t->cs_size, entsize, n);
	if (n > SIZE_MAX / sizeof(uint64_t))
		return xen_err_set(err, EFBIG, "%s: %" PRIu64 " pages do not "
		    "fit in memory", c->c_name, n);
	c->c_pfn = malloc(n > 0 ? (size_t)n * sizeof(uint64_t) : 1);
	c->c_gmfn = malloc(n > 0 ? (size_t)n * sizeof(uint64_t) : 1);
	if (c->c_pfn == NULL || c->c_gmfn == NULL)
		return xen_err_set(err, ENOMEM, "%s: out of memory for the "
		    "table of %" PRIu64 " pages", c->c_name, n);

	for (done = 0; done < n; done += chunk) {
		chunk = sizeof(buf) / entsize;
		if (chunk > n - done)
			chunk = n - done;
		if (xc_core__pread(c, buf, (size_t)(chunk * entsize),
		    t->cs_offset + done * entsize, err) < 0)
			return -1;
		for (i = 0; i < chunk; i++) {
			uint64_t k = done + i, p;

			p = c->c_pfn[k] = le64(buf + i * entsize);
			c->c_gmfn[k] = entsize == 16 ?
			    le64(buf + i * entsize + 8) : p;
			if (p == XC_CORE_PADDING_PFN) {
				c->c_info.ci_nr_padding++;
				padded = true;
				continue;
			}
			if (padded || (c->c_info.ci_nr_valid > 0 && p <= last))
				ascending = false;
			last = p;
			c->c_info.ci_nr_valid++;
			if (p + 1 > c->c_info.ci_pfn_limit)
				c->c_info.ci_pfn_limit = p + 1;
		}
	}
	return ascending ? 0 : xc_core__index(c, err);
}

/* Sections must not overlap each other or the ELF headers. */
static int
xc_core__no_overlap(const struct xc_core *c, struct xc_core__section *const
    *secs, size_t nsecs, struct xen_err *err)
{
	const struct xc_core__section *r[16], *t;
	size_t n = 0, i, j;

	for (i = 0; i < nsecs && n < 16; i++)
		if (secs[i]->cs_found && secs[i]->cs_size > 0)
			r[n++] = secs[i];
	for (i = 1; i < n; i++) {
		for (j = i; j > 0 && r[j]->cs_offset < r[j - 1]->cs_offset;
		    j--) {
			t = r[j];
			r[j] = r[j - 1];
			r[j - 1] = t;
		}
	}
	for (i = 1; i < n; i++) {
		if (r[i - 1]->cs_offset + r[i - 1]->cs_size > r[i]->cs_offset)
			return xen_err_set(err, EINVAL, "%s: not a valid "
			    "xc-core file: %s and %s overlap", c->c_name,
			    r[i - 1]->cs_name, r[i]->cs_name);
	}
	return 0;
}

static int
xc_core__parse(struct xc_core *c, struct xen_err *err)
{
	unsigned char eh[XC_CORE__EHDR_SIZE], sh[XC_CORE__SHDR_SIZE];
	unsigned char *strtab = NULL;
	struct xc_core__section notes = { .cs_name = ".note.Xen" };
	struct xc_core__section p2m = { .cs_name = ".xen_p2m" };
	struct xc_core__section pfn = { .cs_name = ".xen_pfn" };
	struct xc_core__section names = { .cs_name = ".shstrtab" };
	struct xc_core__section ehdr = { .cs_name = "the ELF header" };
	struct xc_core__section shdrs = { .cs_name = "the section headers" };
	struct xc_core__section *const all[] = { &ehdr, &shdrs, &names, &notes,
	    &c->c_prstatus, &c->c_shinfo, &c->c_pages, &p2m, &pfn };
	uint64_t shoff, off, size, entsize, nvcpus;
	uint16_t shentsize, shnum, shstrndx, i;
	uint32_t name, type;
	struct stat st;
	int rc = -1, e;

	c->c_pages.cs_name = ".xen_pages";
	c->c_prstatus.cs_name = ".xen_prstatus";
	c->c_shinfo.cs_name = ".xen_shared_info";
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
		return xc_core__bad(c, err, "no ELF magic (an unfinished "
		    "write leaves the header zero)");
	if (eh[4] != 2 || eh[5] != 1)
		return xc_core__bad(c, err, "not 64-bit little-endian ELF");
	if (le16(eh + 16) != XC_CORE__ET_CORE)
		return xc_core__bad(c, err, "ELF type is not ET_CORE");
	c->c_info.ci_machine = le16(eh + 18);
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
	ehdr.cs_size = XC_CORE__EHDR_SIZE;
	ehdr.cs_found = true;
	shdrs.cs_offset = shoff;
	shdrs.cs_size = (uint64_t)shnum * XC_CORE__SHDR_SIZE;
	shdrs.cs_found = true;

	if (xc_core__pread(c, sh, sizeof(sh), shoff +
	    (uint64_t)shstrndx * XC_CORE__SHDR_SIZE, err) < 0)
		return -1;
	names.cs_offset = le64(sh + 24);
	names.cs_size = le64(sh + 32);
	names.cs_found = true;
	if (names.cs_size == 0 || names.cs_size > XC_CORE__MAX_STRTAB ||
	    !xc_core__in_file(c, names.cs_offset, names.cs_size))
		return xc_core__bad(c, err, "bad section name table");
	strtab = malloc((size_t)names.cs_size + 1);
	if (strtab == NULL)
		return xen_err_set(err, ENOMEM, "%s: out of memory", c->c_name);
	if (xc_core__pread(c, strtab, (size_t)names.cs_size, names.cs_offset,
	    err) < 0)
		goto out;
	strtab[names.cs_size] = '\0';

	for (i = 0; i < shnum; i++) {
		struct xc_core__section *s = NULL;
		const char *nm;
		size_t k;

		if (i == shstrndx)
			continue;
		if (xc_core__pread(c, sh, sizeof(sh), shoff +
		    (uint64_t)i * XC_CORE__SHDR_SIZE, err) < 0)
			goto out;
		name = le32(sh);
		type = le32(sh + 4);
		off = le64(sh + 24);
		size = le64(sh + 32);
		entsize = le64(sh + 56);
		if (name >= names.cs_size) {
			xc_core__bad(c, err, "section name out of range");
			goto out;
		}
		nm = (const char *)strtab + name;
		for (k = 3; k < sizeof(all) / sizeof(all[0]); k++)
			if (strcmp(nm, all[k]->cs_name) == 0)
				s = all[k];
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
		s->cs_entsize = entsize;
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
	if (!c->c_prstatus.cs_found) {
		xc_core__bad(c, err, "no .xen_prstatus section");
		goto out;
	}
	if (p2m.cs_found == pfn.cs_found) {
		xc_core__bad(c, err, "needs exactly one of .xen_p2m and "
		    ".xen_pfn");
		goto out;
	}
	if (xc_core__no_overlap(c, all, sizeof(all) / sizeof(all[0]),
	    err) < 0)
		goto out;
	if (xc_core__notes(c, &notes, err) < 0)
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
	if ((c->c_pages.cs_offset & (size - 1)) != 0) {
		xc_core__bad(c, err, ".xen_pages is not page aligned");
		goto out;
	}
	c->c_info.ci_pages_offset = c->c_pages.cs_offset;
	if (p2m.cs_found == c->c_info.ci_hvm) {
		xc_core__bad(c, err, "HEADER magic and pfn table kind "
		    "disagree (PV needs .xen_p2m, HVM .xen_pfn)");
		goto out;
	}
	if (c->c_prstatus.cs_size > XC_CORE_PRSTATUS_MAX) {
		xc_core__bad(c, err, ".xen_prstatus is implausibly large");
		goto out;
	}
	nvcpus = c->c_info.ci_nr_vcpus;
	entsize = c->c_prstatus.cs_entsize;
	if (entsize != 0 && (nvcpus == 0 || c->c_prstatus.cs_size / entsize !=
	    nvcpus || c->c_prstatus.cs_size % entsize != 0)) {
		xen_err_set(err, EINVAL, "%s: not a valid xc-core file: "
		    ".xen_prstatus holds %" PRIu64 " bytes, not %" PRIu64
		    " vCPU contexts of %" PRIu64 " bytes", c->c_name,
		    c->c_prstatus.cs_size, nvcpus, entsize);
		goto out;
	}
	c->c_info.ci_prstatus_size = c->c_prstatus.cs_size;
	c->c_info.ci_prstatus_entsize = entsize;
	if (c->c_shinfo.cs_size > XC_CORE__MAX_SHINFO) {
		xc_core__bad(c, err, ".xen_shared_info is implausibly large");
		goto out;
	}
	c->c_info.ci_shared_info_size = c->c_shinfo.cs_size;
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

	if (fd < 0) {
		xen_err_set(err, EBADF, "xc_core_fdopen: bad file descriptor");
		return NULL;
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		xen_err_set(err, ENOMEM, "out of memory opening %s",
		    name != NULL ? name : "core file");
		close(fd);
		errno = ENOMEM;
		return NULL;
	}
	c->c_fd = fd;
	snprintf(c->c_name, sizeof(c->c_name), "%s",
	    name != NULL ? name : "core file");
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
	free(core->c_order);
	free(core);
	errno = e;
}

const struct xc_core_info *
xc_core_info(const struct xc_core *core)
{
	return &core->c_info;
}

int
xc_core_fd(const struct xc_core *core)
{
	return core->c_fd;
}

static int
xc_core__range(const struct xc_core *core, uint64_t index, uint64_t limit,
    const char *what, struct xen_err *err)
{
	if (index < limit)
		return 0;
	return xen_err_set(err, ERANGE, "%s: %s %" PRIu64 " is out of range "
	    "(%" PRIu64 " of them)", core->c_name, what, index, limit);
}

int
xc_core_page_pfn(const struct xc_core *core, uint64_t index, uint64_t *pfnp,
    uint64_t *gmfnp, struct xen_err *err)
{
	if (core == NULL)
		return xen_err_set(err, EINVAL, "xc_core_page_pfn: NULL core");
	if (xc_core__range(core, index, core->c_info.ci_nr_pages,
	    "page index", err) < 0)
		return -1;
	if (pfnp != NULL)
		*pfnp = core->c_pfn[index];
	if (gmfnp != NULL)
		*gmfnp = core->c_gmfn[index];
	return 0;
}

static uint64_t
xc_core__kth(const struct xc_core *core, uint64_t k)
{
	return core->c_order != NULL ? core->c_order[k] : k;
}

int
xc_core_nth_by_pfn(const struct xc_core *core, uint64_t k, uint64_t *pfnp,
    uint64_t *indexp, struct xen_err *err)
{
	uint64_t index;

	if (core == NULL)
		return xen_err_set(err, EINVAL, "xc_core_nth_by_pfn: NULL "
		    "core");
	if (xc_core__range(core, k, core->c_info.ci_nr_valid,
	    "page by pfn order", err) < 0)
		return -1;
	index = xc_core__kth(core, k);
	if (pfnp != NULL)
		*pfnp = core->c_pfn[index];
	if (indexp != NULL)
		*indexp = index;
	return 0;
}

int
xc_core_read_page(const struct xc_core *core, uint64_t index, void *buf,
    struct xen_err *err)
{
	if (core == NULL || buf == NULL)
		return xen_err_set(err, EINVAL, "xc_core_read_page: NULL "
		    "argument");
	if (xc_core__range(core, index, core->c_info.ci_nr_pages,
	    "page index", err) < 0)
		return -1;
	return xc_core__pread(core, buf, (size_t)core->c_info.ci_page_size,
	    core->c_pages.cs_offset + index * core->c_info.ci_page_size, err);
}

int
xc_core_find_pfn(const struct xc_core *core, uint64_t pfn, uint64_t *indexp,
    struct xen_err *err)
{
	uint64_t lo = 0, hi, mid, index;

	if (core == NULL || indexp == NULL)
		return xen_err_set(err, EINVAL, "xc_core_find_pfn: NULL "
		    "argument");
	hi = core->c_info.ci_nr_valid;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		index = xc_core__kth(core, mid);
		if (core->c_pfn[index] == pfn) {
			*indexp = index;
			return 0;
		}
		if (core->c_pfn[index] < pfn)
			lo = mid + 1;
		else
			hi = mid;
	}
	return xen_err_set(err, ENOENT, "%s: pfn 0x%" PRIx64 " is not in the "
	    "dump", core->c_name, pfn);
}

/* Copy size bytes at off into buf (len bytes big). */
static int
xc_core__section_read(const struct xc_core *core, const char *what,
    uint64_t off, uint64_t size, void *buf, size_t len, struct xen_err *err)
{
	if (buf == NULL && len > 0)
		return xen_err_set(err, EINVAL, "%s: reading %s: NULL buffer",
		    core->c_name, what);
	if (len < size)
		return xen_err_set(err, ERANGE, "%s: %s needs %" PRIu64
		    " bytes, the buffer holds %zu", core->c_name, what, size,
		    len);
	return xc_core__pread(core, buf, (size_t)size, off, err);
}

int
xc_core_read_prstatus(const struct xc_core *core, void *buf, size_t len,
    struct xen_err *err)
{
	if (core == NULL)
		return xen_err_set(err, EINVAL, "xc_core_read_prstatus: NULL "
		    "core");
	return xc_core__section_read(core, ".xen_prstatus",
	    core->c_prstatus.cs_offset, core->c_info.ci_prstatus_size, buf,
	    len, err);
}

int
xc_core_read_shared_info(const struct xc_core *core, void *buf, size_t len,
    struct xen_err *err)
{
	if (core == NULL)
		return xen_err_set(err, EINVAL, "xc_core_read_shared_info: "
		    "NULL core");
	if (core->c_info.ci_shared_info_size == 0)
		return xen_err_set(err, ENOENT, "%s: the dump has no "
		    ".xen_shared_info section", core->c_name);
	return xc_core__section_read(core, ".xen_shared_info",
	    core->c_shinfo.cs_offset, core->c_info.ci_shared_info_size, buf,
	    len, err);
}

int
xc_core_read_xen_version(const struct xc_core *core, void *buf, size_t len,
    struct xen_err *err)
{
	if (core == NULL)
		return xen_err_set(err, EINVAL, "xc_core_read_xen_version: "
		    "NULL core");
	if (core->c_info.ci_xen_version_size == 0)
		return xen_err_set(err, ENOENT, "%s: the dump has no "
		    "XEN_VERSION note", core->c_name);
	return xc_core__section_read(core, "the XEN_VERSION note",
	    core->c_xv_offset, core->c_info.ci_xen_version_size, buf, len,
	    err);
}

/*
 * Byte offsets in Xen's vcpu_guest_context: the x86_64 layout (64-bit PV,
 * and what Xen fills for PVH/HVM) and the x86_32 one (32-bit PV).  Facts
 * of the public ABI; xen/xc_core_vcpu_test.c checks them against the
 * installed headers.
 */
#define XC_CORE__VGCF_IN_KERNEL	(1u << 2)
#define XC_CORE__VGCF_ONLINE	(1u << 5)
#define XC_CORE__FLAT_USER_CS32	0xe023	/* Xen's 32-bit user CS, PV64 */

struct xc_core__ctx_layout {
	size_t	cl_flags;
	size_t	cl_word;	/* bytes per general register */
	size_t	cl_rax, cl_rbx, cl_rcx, cl_rdx, cl_rsi, cl_rdi;
	size_t	cl_rbp, cl_rsp, cl_rip, cl_rflags;
	size_t	cl_r8_15[8];	/* 0: none */
	size_t	cl_cs, cl_ss, cl_ds, cl_es, cl_fs, cl_gs;
	size_t	cl_ctrlreg;
	size_t	cl_fs_base, cl_gs_base_kernel, cl_gs_base_user;	/* 0: none */
	size_t	cl_size;
};

static const struct xc_core__ctx_layout xc_core__ctx64 = {
	.cl_flags = 512, .cl_word = 8,
	.cl_rax = 600, .cl_rbx = 560, .cl_rcx = 608, .cl_rdx = 616,
	.cl_rsi = 624, .cl_rdi = 632, .cl_rbp = 552, .cl_rsp = 672,
	.cl_rip = 648, .cl_rflags = 664,
	.cl_r8_15 = { 592, 584, 576, 568, 544, 536, 528, 520 },
	.cl_cs = 656, .cl_ss = 680, .cl_ds = 696, .cl_es = 688,
	.cl_fs = 704, .cl_gs = 712,
	.cl_ctrlreg = 4984,
	.cl_fs_base = 5144, .cl_gs_base_kernel = 5152, .cl_gs_base_user = 5160,
	.cl_size = XC_CORE_VCPU_CONTEXT_X86_64,
};

static const struct xc_core__ctx_layout xc_core__ctx32 = {
	.cl_flags = 512, .cl_word = 4,
	.cl_rax = 540, .cl_rbx = 516, .cl_rcx = 520, .cl_rdx = 524,
	.cl_rsi = 528, .cl_rdi = 532, .cl_rbp = 536, .cl_rsp = 560,
	.cl_rip = 548, .cl_rflags = 556,
	.cl_cs = 552, .cl_ss = 564, .cl_ds = 572, .cl_es = 568,
	.cl_fs = 576, .cl_gs = 580,
	.cl_ctrlreg = 2716,
	.cl_size = XC_CORE_VCPU_CONTEXT_X86_32,
};

static uint64_t
xc_core__word(const unsigned char *p, size_t off, size_t word)
{
	return word == 8 ? le64(p + off) : le32(p + off);
}

/* HVM contexts carry no EFER: derive long mode as xc_core.h says. */
static void
xc_core__hvm_mode(struct xen_vcpu_regs *r)
{
	const uint64_t above = ~UINT64_C(0xffffffff);
	uint64_t any;

	any = r->vr_rax | r->vr_rbx | r->vr_rcx | r->vr_rdx | r->vr_rsi |
	    r->vr_rdi | r->vr_rbp | r->vr_rsp | r->vr_r8 | r->vr_r9 |
	    r->vr_r10 | r->vr_r11 | r->vr_r12 | r->vr_r13 | r->vr_r14 |
	    r->vr_r15 | r->vr_rip | r->vr_fs_base | r->vr_gs_base |
	    r->vr_kernel_gs_base;
	r->vr_flags |= XEN_VCPU_EFER_DERIVED;
	r->vr_cpl = r->vr_cs & 3;
	if ((r->vr_cr0 & XEN_X86_CR0_PG) && (r->vr_cr4 & (1u << 5)) &&
	    (any & above) != 0) {
		r->vr_efer = XEN_X86_EFER_LME | XEN_X86_EFER_LMA |
		    XEN_X86_EFER_NXE;
		r->vr_addr_bits = 64;
	} else
		r->vr_addr_bits = (r->vr_cr0 & XEN_X86_CR0_PE) ? 32 : 16;
}

int
xc_core_vcpu_decode(const void *ctx, size_t len, enum xen_vcpu_layout layout,
    struct xen_vcpu_regs *r)
{
	const struct xc_core__ctx_layout *l = layout == XEN_VCPU_PV32 ?
	    &xc_core__ctx32 : &xc_core__ctx64;
	const unsigned char *p = ctx;
	uint64_t *hi[8];
	uint32_t flags;
	bool kernel;
	size_t i;

	memset(r, 0, sizeof(*r));
	r->vr_layout = layout;
	if (ctx == NULL || len < l->cl_size || (layout != XEN_VCPU_PV64 &&
	    layout != XEN_VCPU_PV32 && layout != XEN_VCPU_HVM))
		return EINVAL;
	flags = le32(p + l->cl_flags);
	if ((flags & XC_CORE__VGCF_ONLINE) == 0)
		return 0;
	r->vr_online = true;
	r->vr_rax = xc_core__word(p, l->cl_rax, l->cl_word);
	r->vr_rbx = xc_core__word(p, l->cl_rbx, l->cl_word);
	r->vr_rcx = xc_core__word(p, l->cl_rcx, l->cl_word);
	r->vr_rdx = xc_core__word(p, l->cl_rdx, l->cl_word);
	r->vr_rsi = xc_core__word(p, l->cl_rsi, l->cl_word);
	r->vr_rdi = xc_core__word(p, l->cl_rdi, l->cl_word);
	r->vr_rbp = xc_core__word(p, l->cl_rbp, l->cl_word);
	r->vr_rsp = xc_core__word(p, l->cl_rsp, l->cl_word);
	r->vr_rip = xc_core__word(p, l->cl_rip, l->cl_word);
	r->vr_rflags = xc_core__word(p, l->cl_rflags, l->cl_word);
	hi[0] = &r->vr_r8;
	hi[1] = &r->vr_r9;
	hi[2] = &r->vr_r10;
	hi[3] = &r->vr_r11;
	hi[4] = &r->vr_r12;
	hi[5] = &r->vr_r13;
	hi[6] = &r->vr_r14;
	hi[7] = &r->vr_r15;
	for (i = 0; i < 8; i++)
		if (l->cl_r8_15[i] != 0)
			*hi[i] = le64(p + l->cl_r8_15[i]);
	r->vr_cs = le16(p + l->cl_cs);
	r->vr_ss = le16(p + l->cl_ss);
	r->vr_ds = le16(p + l->cl_ds);
	r->vr_es = le16(p + l->cl_es);
	r->vr_fs = le16(p + l->cl_fs);
	r->vr_gs = le16(p + l->cl_gs);
	r->vr_cr0 = xc_core__word(p, l->cl_ctrlreg, l->cl_word);
	r->vr_cr2 = xc_core__word(p, l->cl_ctrlreg + 2 * l->cl_word,
	    l->cl_word);
	r->vr_cr3 = xc_core__word(p, l->cl_ctrlreg + 3 * l->cl_word,
	    l->cl_word);
	r->vr_cr4 = xc_core__word(p, l->cl_ctrlreg + 4 * l->cl_word,
	    l->cl_word);

	switch (layout) {
	case XEN_VCPU_PV32: {
		/* The compat ABI folds frame bits above 4 GiB into CR3. */
		uint32_t c3 = (uint32_t)r->vr_cr3;

		r->vr_cr3 = (uint64_t)((c3 >> 12) | (c3 << 20)) << 12;
		r->vr_flags |= XEN_VCPU_EFER_DERIVED | XEN_VCPU_NO_SEGBASES;
		r->vr_cpl = (r->vr_cs & 3) == 3 ? 3 : 0;
		r->vr_addr_bits = 32;
		break;
	}
	case XEN_VCPU_PV64:
		kernel = (flags & XC_CORE__VGCF_IN_KERNEL) != 0;
		r->vr_user_cr3 = le64(p + l->cl_ctrlreg + 8);
		r->vr_fs_base = le64(p + l->cl_fs_base);
		r->vr_gs_base = le64(p + (kernel ? l->cl_gs_base_kernel :
		    l->cl_gs_base_user));
		r->vr_kernel_gs_base = le64(p + (kernel ?
		    l->cl_gs_base_user : l->cl_gs_base_kernel));
		r->vr_efer = XEN_X86_EFER_LME | XEN_X86_EFER_LMA;
		r->vr_flags |= XEN_VCPU_EFER_DERIVED;
		r->vr_cpl = kernel ? 0 : 3;
		r->vr_addr_bits = !kernel && r->vr_cs ==
		    XC_CORE__FLAT_USER_CS32 ? 32 : 64;
		break;
	default:
		/* HVM: Xen put the active GS base by CPL (ring 0: kernel). */
		kernel = (r->vr_cs & 3) == 0;
		r->vr_fs_base = le64(p + l->cl_fs_base);
		r->vr_gs_base = le64(p + (kernel ? l->cl_gs_base_kernel :
		    l->cl_gs_base_user));
		r->vr_kernel_gs_base = le64(p + (kernel ?
		    l->cl_gs_base_user : l->cl_gs_base_kernel));
		xc_core__hvm_mode(r);
		break;
	}
	return 0;
}

enum xen_vcpu_layout
xc_core_vcpu_layout(const struct xc_core *core)
{
	if (core->c_info.ci_hvm)
		return XEN_VCPU_HVM;
	return core->c_info.ci_machine == XC_CORE_EM_386 ?
	    XEN_VCPU_PV32 : XEN_VCPU_PV64;
}

int
xc_core_vcpus(const struct xc_core *core, struct xen_vcpu_regs **regsp,
    size_t *countp, struct xen_err *err)
{
	const struct xc_core_info *ci;
	enum xen_vcpu_layout layout;
	struct xen_vcpu_regs *regs;
	unsigned char *buf;
	uint64_t n, entsize, i;
	size_t need;

	if (core == NULL || regsp == NULL || countp == NULL)
		return xen_err_set(err, EINVAL, "xc_core_vcpus: NULL argument");
	*regsp = NULL;
	*countp = 0;
	ci = &core->c_info;
	n = ci->ci_nr_vcpus;
	if (n == 0 || ci->ci_prstatus_size == 0)
		return 0;
	layout = xc_core_vcpu_layout(core);
	need = layout == XEN_VCPU_PV32 ? XC_CORE_VCPU_CONTEXT_X86_32 :
	    XC_CORE_VCPU_CONTEXT_X86_64;
	entsize = ci->ci_prstatus_entsize != 0 ? ci->ci_prstatus_entsize :
	    ci->ci_prstatus_size / n;
	if (entsize < need || n > ci->ci_prstatus_size / entsize)
		return xen_err_set(err, EINVAL, "%s: not a valid xc-core file: "
		    ".xen_prstatus holds %" PRIu64 " bytes, too few for %"
		    PRIu64 " %s vCPU contexts of %zu bytes", core->c_name,
		    ci->ci_prstatus_size, n, layout == XEN_VCPU_PV32 ?
		    "32-bit PV" : layout == XEN_VCPU_PV64 ? "64-bit PV" :
		    "HVM", need);
	buf = malloc((size_t)ci->ci_prstatus_size);
	regs = calloc((size_t)n, sizeof(*regs));
	if (buf == NULL || regs == NULL) {
		free(buf);
		free(regs);
		return xen_err_set(err, ENOMEM, "%s: out of memory for %"
		    PRIu64 " vCPU contexts", core->c_name, n);
	}
	if (xc_core_read_prstatus(core, buf, (size_t)ci->ci_prstatus_size,
	    err) < 0) {
		free(buf);
		free(regs);
		return -1;
	}
	for (i = 0; i < n; i++) {
		(void) xc_core_vcpu_decode(buf + i * entsize, (size_t)entsize,
		    layout, &regs[i]);
		regs[i].vr_vcpu = (unsigned int)i;
	}
	free(buf);
	*regsp = regs;
	*countp = (size_t)n;
	return 0;
}

int
xc_core_p2m(const struct xc_core *core, uint64_t *pfns, uint64_t *mfns,
    struct xen_err *err)
{
	uint64_t k, index;

	if (core == NULL || (core->c_info.ci_nr_valid > 0 && (pfns == NULL ||
	    mfns == NULL)))
		return xen_err_set(err, EINVAL, "xc_core_p2m: NULL argument");
	if (core->c_info.ci_hvm)
		return xen_err_set(err, EINVAL, "%s: a PVH/HVM dump has no p2m "
		    "(its page tables hold guest frames)", core->c_name);
	for (k = 0; k < core->c_info.ci_nr_valid; k++) {
		index = xc_core__kth(core, k);
		pfns[k] = core->c_pfn[index];
		mfns[k] = core->c_gmfn[index];
	}
	return 0;
}
