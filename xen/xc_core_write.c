/*
 * xc_core_write.c - write xc-core files the way `xl dump-core` does
 * (see xc_core_write.h for the layout and the rules).
 *
 * All multi-byte fields are encoded explicitly as little-endian, so the
 * writer produces the same bytes on any host.  Memory: one batch of pages,
 * one bit per listed page (which were kept), and a copy of the pfn list
 * only when it is not already strictly ascending (to find duplicates).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "xen/xc_core_write.h"

#define XCW_EHDR_SIZE		64u
#define XCW_SHDR_SIZE		64u
#define XCW_PHDR_SIZE		56u	/* e_phentsize xl fills in */
#define XCW_NOTE_HDR_SIZE	16u	/* namesz, descsz, type, "Xen\0" */
#define XCW_HEADER_DESC_SIZE	32u
#define XCW_FORMAT_DESC_SIZE	8u
#define XCW_ET_CORE		4u
#define XCW_SHT_PROGBITS	1u
#define XCW_SHT_STRTAB		3u
#define XCW_SHT_NOTE		7u
#define XCW_CONTEXT_ALIGN	8u	/* __alignof__ of the Xen structs */
#define XCW_FORMAT_VERSION	UINT64_C(1)	/* major 0, minor 1 */
#define XCW_TABLE_CHUNK		4096u		/* entries per table write */

/* Section indexes in the order xl creates them. */
enum xcw_section {
	XCW_SEC_NULL,
	XCW_SEC_STRTAB,
	XCW_SEC_NOTE,
	XCW_SEC_PRSTATUS,
	XCW_SEC_SHINFO,		/* absent: the later ones move up one */
	XCW_SEC_PAGES,
	XCW_SEC_TABLE,
	XCW_NSECTIONS
};

/*
 * Where everything goes.  The offsets up to .xen_pages depend only on the
 * options; the rest on how many pages were written.
 */
struct xcw_layout {
	unsigned int	l_nshdr;
	char		l_strtab[128];
	size_t		l_strtab_len;
	uint32_t	l_name[XCW_NSECTIONS];
	uint64_t	l_off_note;
	uint64_t	l_len_note;
	uint64_t	l_xv_len;
	uint64_t	l_off_prstatus;
	uint64_t	l_len_prstatus;
	uint64_t	l_off_shinfo;
	uint64_t	l_off_pages;
	uint64_t	l_off_table;
	uint64_t	l_len_table;
	uint64_t	l_off_strtab;
	uint64_t	l_entsize;
};

/* One write in progress. */
struct xcw {
	int				w_fd;
	const char			*w_name;
	const struct xc_core_write_opts	*w_o;
	struct xcw_layout		w_l;
	struct xc_core_write_stats	w_st;
	unsigned char			*w_kept;	/* a bit per page */
};

static void
le16_put(unsigned char *p, uint64_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
}

static void
le32_put(unsigned char *p, uint64_t v)
{
	le16_put(p, v);
	le16_put(p + 2, v >> 16);
}

static void
le64_put(unsigned char *p, uint64_t v)
{
	le32_put(p, v);
	le32_put(p + 4, v >> 32);
}

static bool
xcw_off_ok(uint64_t off)
{
	off_t o = (off_t)off;

	return o >= 0 && (uint64_t)o == off;
}

/* Write all of buf at off. */
static int
xcw_pwrite(struct xcw *w, const void *buf, size_t len, uint64_t off,
    const char *what, struct xen_err *err)
{
	const unsigned char *p = buf;
	ssize_t n;
	int e;

	if (!xcw_off_ok(off) || !xcw_off_ok(off + len))
		return xen_err_set(err, EFBIG, "%s: writing %s: offset %"
		    PRIu64 " is beyond what this host's files can hold",
		    w->w_name, what, off);
	while (len > 0) {
		n = pwrite(w->w_fd, p, len, (off_t)off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			e = errno;
			return xen_err_set(err, e, "%s: writing %s (%zu bytes "
			    "at offset %" PRIu64 "): %s", w->w_name, what, len,
			    off, strerror(e));
		}
		if (n == 0)
			return xen_err_set(err, EIO, "%s: writing %s at offset "
			    "%" PRIu64 ": the file accepted no bytes",
			    w->w_name, what, off);
		p += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

static int
xcw_pfn_compar(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* The page list holds distinct pfns, none of them the padding marker. */
static int
xcw_check_pfns(const struct xc_core_write_opts *o, const char *name,
    struct xen_err *err)
{
	uint64_t i, n = o->wo_nr_pages, *copy;
	bool ascending = true;

	for (i = 0; i < n; i++) {
		if (o->wo_pfns[i] == UINT64_MAX)
			return xen_err_set(err, EINVAL, "%s: page %" PRIu64
			    " of the list has pfn 0x%" PRIx64 ", which xc-core "
			    "reserves for padding", name, i, o->wo_pfns[i]);
		if (i > 0 && o->wo_pfns[i] <= o->wo_pfns[i - 1])
			ascending = false;
	}
	if (ascending)
		return 0;
	if (n > SIZE_MAX / sizeof(uint64_t))
		return xen_err_set(err, EFBIG, "%s: %" PRIu64 " pages do not "
		    "fit in memory", name, n);
	copy = malloc((size_t)n * sizeof(uint64_t));
	if (copy == NULL)
		return xen_err_set(err, ENOMEM, "%s: out of memory checking "
		    "the list of %" PRIu64 " pages for duplicates", name, n);
	memcpy(copy, o->wo_pfns, (size_t)n * sizeof(uint64_t));
	qsort(copy, (size_t)n, sizeof(uint64_t), xcw_pfn_compar);
	for (i = 1; i < n; i++) {
		if (copy[i] == copy[i - 1]) {
			uint64_t dup = copy[i];

			free(copy);
			return xen_err_set(err, EINVAL, "%s: pfn 0x%" PRIx64
			    " appears more than once in the page list", name,
			    dup);
		}
	}
	free(copy);
	return 0;
}

static int
xcw_check_opts(const struct xc_core_write_opts *o, const char *name,
    struct xen_err *err)
{
	uint64_t n = o->wo_nr_pages;

	if (n > 0 && o->wo_pfns == NULL)
		return xen_err_set(err, EINVAL, "%s: %" PRIu64 " pages but no "
		    "pfn list", name, n);
	if (n > 0 && !o->wo_hvm && o->wo_gmfns == NULL)
		return xen_err_set(err, EINVAL, "%s: a PV core needs the "
		    "machine frame (gmfn) of every page", name);
	if (n > 0 && o->wo_read == NULL)
		return xen_err_set(err, EINVAL, "%s: %" PRIu64 " pages but no "
		    "read callback", name, n);
	if (n > (UINT64_MAX / 2) / XC_CORE_PAGE_SIZE ||
	    n > SIZE_MAX - 7)
		return xen_err_set(err, EFBIG, "%s: %" PRIu64 " pages are more "
		    "than a file can hold", name, n);
	if (o->wo_batch > XC_CORE_WRITE_MAX_BATCH)
		return xen_err_set(err, EINVAL, "%s: batch of %zu pages is "
		    "larger than %u", name, o->wo_batch,
		    XC_CORE_WRITE_MAX_BATCH);
	if (o->wo_nr_vcpus == 0 || o->wo_prstatus == NULL ||
	    o->wo_prstatus_entsize == 0)
		return xen_err_set(err, EINVAL, "%s: at least one vCPU context "
		    "is needed (xl always writes one)", name);
	if (o->wo_nr_vcpus > XC_CORE_PRSTATUS_MAX / o->wo_prstatus_entsize)
		return xen_err_set(err, EFBIG, "%s: %" PRIu64 " vCPU contexts "
		    "of %zu bytes exceed %u bytes", name, o->wo_nr_vcpus,
		    o->wo_prstatus_entsize, XC_CORE_PRSTATUS_MAX);
	if (o->wo_xen_version == NULL ? o->wo_xen_version_len != 0 :
	    (o->wo_xen_version_len < 32 ||
	    o->wo_xen_version_len > XC_CORE_XEN_VERSION_MAX))
		return xen_err_set(err, EINVAL, "%s: the XEN_VERSION note "
		    "needs 32 to %u bytes (or none at all), not %zu", name,
		    XC_CORE_XEN_VERSION_MAX, o->wo_xen_version_len);
	return xcw_check_pfns(o, name, err);
}

static uint32_t
xcw_strtab_add(struct xcw_layout *l, const char *s)
{
	size_t n = strlen(s) + 1;
	uint32_t at = (uint32_t)l->l_strtab_len;

	memcpy(l->l_strtab + l->l_strtab_len, s, n);
	l->l_strtab_len += n;
	return at;
}

/* The offsets that do not depend on the pages written. */
static void
xcw_layout(const struct xc_core_write_opts *o, struct xcw_layout *l)
{
	bool shinfo = o->wo_shared_info != NULL;
	uint64_t off;

	memset(l, 0, sizeof(*l));
	l->l_nshdr = shinfo ? XCW_NSECTIONS : XCW_NSECTIONS - 1;
	l->l_strtab_len = 1;		/* index 0: the empty name */
	l->l_name[XCW_SEC_STRTAB] = xcw_strtab_add(l, ".shstrtab");
	l->l_name[XCW_SEC_NOTE] = xcw_strtab_add(l, ".note.Xen");
	l->l_name[XCW_SEC_PRSTATUS] = xcw_strtab_add(l, ".xen_prstatus");
	if (shinfo)
		l->l_name[XCW_SEC_SHINFO] = xcw_strtab_add(l,
		    ".xen_shared_info");
	l->l_name[XCW_SEC_PAGES] = xcw_strtab_add(l, ".xen_pages");
	l->l_name[XCW_SEC_TABLE] = xcw_strtab_add(l, o->wo_hvm ?
	    ".xen_pfn" : ".xen_p2m");
	l->l_entsize = o->wo_hvm ? 8 : 16;

	l->l_xv_len = o->wo_xen_version != NULL ? o->wo_xen_version_len :
	    XC_CORE_XEN_VERSION_SIZE;
	off = XCW_EHDR_SIZE + (uint64_t)l->l_nshdr * XCW_SHDR_SIZE;
	l->l_off_note = off;
	l->l_len_note = XCW_NOTE_HDR_SIZE +
	    XCW_NOTE_HDR_SIZE + XCW_HEADER_DESC_SIZE +
	    XCW_NOTE_HDR_SIZE + ((l->l_xv_len + 3) & ~UINT64_C(3)) +
	    XCW_NOTE_HDR_SIZE + XCW_FORMAT_DESC_SIZE;
	off += l->l_len_note;
	l->l_off_prstatus = off;
	l->l_len_prstatus = o->wo_nr_vcpus * o->wo_prstatus_entsize;
	off += l->l_len_prstatus;
	l->l_off_shinfo = off;
	if (shinfo)
		off += XC_CORE_PAGE_SIZE;
	l->l_off_pages = (off + XC_CORE_PAGE_SIZE - 1) &
	    ~(uint64_t)(XC_CORE_PAGE_SIZE - 1);
}

/* Stream the pages; marks in w_kept which made it. */
static int
xcw_pages(struct xcw *w, struct xen_err *err)
{
	const struct xc_core_write_opts *o = w->w_o;
	size_t batch = o->wo_batch != 0 ? o->wo_batch : XC_CORE_WRITE_BATCH;
	uint64_t n = o->wo_nr_pages, base, i, limit, off = w->w_l.l_off_pages;
	unsigned char *buf;
	size_t cnt, k;
	int *errs, rc = -1, e;

	limit = o->wo_max_pages != 0 ? o->wo_max_pages : UINT64_MAX;
	if (n == 0)
		return 0;
	if (batch > n)
		batch = (size_t)n;
	buf = malloc(batch * XC_CORE_PAGE_SIZE);
	errs = malloc(batch * sizeof(*errs));
	if (buf == NULL || errs == NULL) {
		xen_err_set(err, ENOMEM, "%s: out of memory for a batch of %zu "
		    "pages", w->w_name, batch);
		goto out;
	}
	for (base = 0; base < n && w->w_st.ws_written < limit; base += cnt) {
		cnt = (size_t)(n - base < batch ? n - base : batch);
		for (i = 0; i < cnt; i++)
			errs[i] = EIO;	/* unless the callback says otherwise */
		errno = 0;
		if (o->wo_read(o->wo_read_arg, base, o->wo_pfns + base, cnt,
		    buf, errs, err) != 0) {
			e = errno != 0 ? errno : EIO;
			if (err != NULL && err->xe_errno == 0)
				xen_err_set(err, e, "%s: the read callback "
				    "failed on list entries %" PRIu64 "..%"
				    PRIu64 ": %s", w->w_name, base,
				    base + cnt - 1, strerror(e));
			errno = e;
			goto out;
		}
		for (i = 0, k = 0; i < cnt; i++) {
			if (w->w_st.ws_written == limit) {
				w->w_st.ws_over_limit++;
				continue;
			}
			if (errs[i] != 0) {
				if (w->w_st.ws_missing++ == 0) {
					w->w_st.ws_first_missing_pfn =
					    o->wo_pfns[base + i];
					w->w_st.ws_first_missing_errno =
					    errs[i] > 0 ? errs[i] : -errs[i];
				}
				continue;
			}
			if (k != i)
				memmove(buf + k * XC_CORE_PAGE_SIZE,
				    buf + i * XC_CORE_PAGE_SIZE,
				    XC_CORE_PAGE_SIZE);
			w->w_kept[(base + i) / 8] |=
			    (unsigned char)(1u << ((base + i) % 8));
			w->w_st.ws_written++;
			k++;
		}
		if (k > 0 && xcw_pwrite(w, buf, k * XC_CORE_PAGE_SIZE, off,
		    ".xen_pages", err) < 0)
			goto out;
		off += (uint64_t)k * XC_CORE_PAGE_SIZE;
		if (o->wo_progress != NULL &&
		    o->wo_progress(o->wo_progress_arg, base + cnt, n) != 0) {
			xen_err_set(err, ECANCELED, "%s: write cancelled "
			    "after %" PRIu64 " of %" PRIu64 " pages", w->w_name,
			    base + cnt, n);
			goto out;
		}
	}
	w->w_st.ws_over_limit += n - base;
	rc = 0;
out:
	e = errno;
	free(errs);
	free(buf);
	errno = e;
	return rc;
}

/* .xen_p2m or .xen_pfn: one entry per kept page, in list order. */
static int
xcw_table(struct xcw *w, struct xen_err *err)
{
	const struct xc_core_write_opts *o = w->w_o;
	uint64_t i, off = w->w_l.l_off_table, es = w->w_l.l_entsize;
	unsigned char *buf;
	size_t k = 0;
	int rc = -1, e;

	buf = malloc(XCW_TABLE_CHUNK * 16);
	if (buf == NULL)
		return xen_err_set(err, ENOMEM, "%s: out of memory", w->w_name);
	for (i = 0; i < o->wo_nr_pages; i++) {
		if ((w->w_kept[i / 8] & (1u << (i % 8))) == 0)
			continue;
		le64_put(buf + k * es, o->wo_pfns[i]);
		if (!o->wo_hvm)
			le64_put(buf + k * es + 8, o->wo_gmfns[i]);
		if (++k == XCW_TABLE_CHUNK) {
			if (xcw_pwrite(w, buf, k * es, off, "the pfn table",
			    err) < 0)
				goto out;
			off += k * es;
			k = 0;
		}
	}
	if (k > 0 && xcw_pwrite(w, buf, k * es, off, "the pfn table", err) < 0)
		goto out;
	rc = 0;
out:
	e = errno;
	free(buf);
	errno = e;
	return rc;
}

static size_t
xcw_note(unsigned char *p, uint32_t type, const void *desc, size_t len)
{
	le32_put(p, 4);
	le32_put(p + 4, len);
	le32_put(p + 8, type);
	memcpy(p + 12, "Xen", 4);
	if (len > 0 && desc != NULL)
		memcpy(p + XCW_NOTE_HDR_SIZE, desc, len);
	else if (len > 0)
		memset(p + XCW_NOTE_HDR_SIZE, 0, len);
	return XCW_NOTE_HDR_SIZE + ((len + 3) & ~(size_t)3);
}

/*
 * Everything between the section headers and .xen_pages: the notes, the
 * vCPU contexts, the shared info page and the padding.
 */
static int
xcw_front(struct xcw *w, struct xen_err *err)
{
	const struct xc_core_write_opts *o = w->w_o;
	const struct xcw_layout *l = &w->w_l;
	uint64_t len = l->l_off_pages - l->l_off_note;
	unsigned char *buf, desc[XCW_HEADER_DESC_SIZE], *p;
	int rc;

	if (len > SIZE_MAX)
		return xen_err_set(err, EFBIG, "%s: headers too large",
		    w->w_name);
	buf = calloc(1, (size_t)len);
	if (buf == NULL)
		return xen_err_set(err, ENOMEM, "%s: out of memory for %"
		    PRIu64 " bytes of headers", w->w_name, len);
	p = buf;
	p += xcw_note(p, XC_CORE_NOTE_NONE, NULL, 0);
	le64_put(desc, o->wo_hvm ? XC_CORE_HDR_MAGIC_HVM : XC_CORE_HDR_MAGIC_PV);
	le64_put(desc + 8, o->wo_nr_vcpus);
	le64_put(desc + 16, w->w_st.ws_written);
	le64_put(desc + 24, XC_CORE_PAGE_SIZE);
	p += xcw_note(p, XC_CORE_NOTE_HEADER, desc, sizeof(desc));
	p += xcw_note(p, XC_CORE_NOTE_XEN_VERSION, o->wo_xen_version,
	    (size_t)l->l_xv_len);
	le64_put(desc, XCW_FORMAT_VERSION);
	p += xcw_note(p, XC_CORE_NOTE_FORMAT, desc, XCW_FORMAT_DESC_SIZE);
	memcpy(p, o->wo_prstatus, (size_t)l->l_len_prstatus);
	p += l->l_len_prstatus;
	if (o->wo_shared_info != NULL)
		memcpy(p, o->wo_shared_info, XC_CORE_PAGE_SIZE);
	rc = xcw_pwrite(w, buf, (size_t)len, l->l_off_note, "the notes and "
	    "vCPU contexts", err);
	free(buf);
	return rc;
}

static void
xcw_shdr(unsigned char *p, uint32_t name, uint32_t type, uint64_t off,
    uint64_t size, uint64_t align, uint64_t entsize)
{
	memset(p, 0, XCW_SHDR_SIZE);
	le32_put(p, name);
	le32_put(p + 4, type);
	le64_put(p + 24, off);
	le64_put(p + 32, size);
	le64_put(p + 48, align);
	le64_put(p + 56, entsize);
}

/* The section headers and, last of all, the ELF header. */
static int
xcw_headers(struct xcw *w, struct xen_err *err)
{
	const struct xc_core_write_opts *o = w->w_o;
	const struct xcw_layout *l = &w->w_l;
	unsigned char sh[XCW_NSECTIONS * XCW_SHDR_SIZE], eh[XCW_EHDR_SIZE];
	unsigned char *p = sh;

	xcw_shdr(p, 0, 0, 0, 0, 0, 0);
	p += XCW_SHDR_SIZE;
	xcw_shdr(p, l->l_name[XCW_SEC_STRTAB], XCW_SHT_STRTAB, l->l_off_strtab,
	    l->l_strtab_len, 0, 0);
	p += XCW_SHDR_SIZE;
	xcw_shdr(p, l->l_name[XCW_SEC_NOTE], XCW_SHT_NOTE, l->l_off_note,
	    l->l_len_note, 0, 0);
	p += XCW_SHDR_SIZE;
	xcw_shdr(p, l->l_name[XCW_SEC_PRSTATUS], XCW_SHT_PROGBITS,
	    l->l_off_prstatus, l->l_len_prstatus, XCW_CONTEXT_ALIGN,
	    o->wo_prstatus_entsize);
	p += XCW_SHDR_SIZE;
	if (o->wo_shared_info != NULL) {
		xcw_shdr(p, l->l_name[XCW_SEC_SHINFO], XCW_SHT_PROGBITS,
		    l->l_off_shinfo, XC_CORE_PAGE_SIZE, XCW_CONTEXT_ALIGN,
		    XC_CORE_PAGE_SIZE);
		p += XCW_SHDR_SIZE;
	}
	xcw_shdr(p, l->l_name[XCW_SEC_PAGES], XCW_SHT_PROGBITS, l->l_off_pages,
	    w->w_st.ws_written * XC_CORE_PAGE_SIZE, XC_CORE_PAGE_SIZE,
	    XC_CORE_PAGE_SIZE);
	p += XCW_SHDR_SIZE;
	xcw_shdr(p, l->l_name[XCW_SEC_TABLE], XCW_SHT_PROGBITS, l->l_off_table,
	    l->l_len_table, 8, l->l_entsize);
	if (xcw_pwrite(w, sh, (size_t)l->l_nshdr * XCW_SHDR_SIZE,
	    XCW_EHDR_SIZE, "the section headers", err) < 0)
		return -1;

	memset(eh, 0, sizeof(eh));
	memcpy(eh, "\177ELF", 4);
	eh[4] = 2;		/* ELFCLASS64 */
	eh[5] = 1;		/* ELFDATA2LSB */
	eh[6] = 1;		/* EV_CURRENT */
	eh[7] = 0;		/* ELFOSABI_SYSV */
	eh[8] = 1;		/* EI_ABIVERSION: xl puts EV_CURRENT here */
	le16_put(eh + 16, XCW_ET_CORE);
	le16_put(eh + 18, o->wo_machine != 0 ? o->wo_machine :
	    XC_CORE_EM_X86_64);
	le32_put(eh + 20, 1);				/* e_version */
	le64_put(eh + 40, XCW_EHDR_SIZE);		/* e_shoff */
	le16_put(eh + 52, XCW_EHDR_SIZE);		/* e_ehsize */
	le16_put(eh + 54, XCW_PHDR_SIZE);		/* e_phentsize */
	le16_put(eh + 58, XCW_SHDR_SIZE);		/* e_shentsize */
	le16_put(eh + 60, l->l_nshdr);			/* e_shnum */
	le16_put(eh + 62, XCW_SEC_STRTAB);		/* e_shstrndx */
	return xcw_pwrite(w, eh, sizeof(eh), 0, "the ELF header", err);
}

int
xc_core_write(int fd, const char *name, const struct xc_core_write_opts *o,
    struct xc_core_write_stats *stats, struct xen_err *err)
{
	struct xcw w;
	struct stat st;
	size_t kept_len;
	int rc = -1, e;

	memset(&w, 0, sizeof(w));
	w.w_fd = fd;
	w.w_name = name != NULL ? name : "xc-core file";
	w.w_o = o;
	if (stats != NULL)
		memset(stats, 0, sizeof(*stats));
	if (o == NULL || fd < 0)
		return xen_err_set(err, EINVAL, "xc_core_write: %s",
		    o == NULL ? "NULL options" : "bad file descriptor");
	xen_err_clear(err);
	if (xcw_check_opts(o, w.w_name, err) < 0)
		return -1;
	if (fstat(fd, &st) < 0) {
		e = errno;
		return xen_err_set(err, e, "%s: %s", w.w_name, strerror(e));
	}
	if (!S_ISREG(st.st_mode))
		return xen_err_set(err, EINVAL, "%s: an xc-core file must be "
		    "written to a regular file (its header is written last)",
		    w.w_name);
	if (ftruncate(fd, 0) < 0) {
		e = errno;
		return xen_err_set(err, e, "%s: truncating: %s", w.w_name,
		    strerror(e));
	}
	xcw_layout(o, &w.w_l);
	kept_len = (size_t)((o->wo_nr_pages + 7) / 8);
	w.w_kept = calloc(kept_len > 0 ? kept_len : 1, 1);
	if (w.w_kept == NULL)
		return xen_err_set(err, ENOMEM, "%s: out of memory for the "
		    "list of %" PRIu64 " pages", w.w_name, o->wo_nr_pages);

	if (xcw_pages(&w, err) < 0)
		goto out;
	w.w_l.l_off_table = w.w_l.l_off_pages +
	    w.w_st.ws_written * XC_CORE_PAGE_SIZE;
	w.w_l.l_len_table = w.w_st.ws_written * w.w_l.l_entsize;
	w.w_l.l_off_strtab = w.w_l.l_off_table + w.w_l.l_len_table;
	if (xcw_table(&w, err) < 0)
		goto out;
	if (xcw_pwrite(&w, w.w_l.l_strtab, w.w_l.l_strtab_len,
	    w.w_l.l_off_strtab, ".shstrtab", err) < 0)
		goto out;
	if (xcw_front(&w, err) < 0)
		goto out;
	if (xcw_headers(&w, err) < 0)
		goto out;
	w.w_st.ws_bytes = w.w_l.l_off_strtab + w.w_l.l_strtab_len;
	rc = 0;
	xen_err_clear(err);
out:
	e = errno;
	if (stats != NULL)
		*stats = w.w_st;
	free(w.w_kept);
	errno = e;
	return rc;
}

static int
xcw_fsync_dir(const char *path, struct xen_err *err)
{
	char *copy, *dir;
	int fd, e = 0;

	copy = strdup(path);
	if (copy == NULL)
		return xen_err_set(err, ENOMEM, "%s: out of memory", path);
	dir = dirname(copy);
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) < 0) {
		e = errno;
		xen_err_set(err, e, "%s: syncing directory %s: %s", path, dir,
		    strerror(e));
	}
	if (fd >= 0)
		close(fd);
	free(copy);
	errno = e;
	return e != 0 ? -1 : 0;
}

int
xc_core_file_atomic(const char *path, unsigned int flags,
    xc_core_fill_fn *fill, void *arg, struct xen_err *err)
{
	char *tmp;
	size_t len;
	int fd, e;

	if (path == NULL || *path == '\0' || fill == NULL ||
	    (flags & ~XC_CORE_FILE_NOREPLACE) != 0)
		return xen_err_set(err, EINVAL, "xc_core_file_atomic: bad "
		    "argument");
	len = strlen(path) + sizeof(".XXXXXX");
	tmp = malloc(len);
	if (tmp == NULL)
		return xen_err_set(err, ENOMEM, "%s: out of memory", path);
	snprintf(tmp, len, "%s.XXXXXX", path);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		e = errno;
		xen_err_set(err, e, "%s: creating a temporary file beside it: "
		    "%s", path, strerror(e));
		free(tmp);
		return -1;
	}
	if (fill(fd, path, arg, err) < 0)
		goto fail;
	if (fsync(fd) < 0) {
		e = errno;
		xen_err_set(err, e, "%s: syncing %s: %s", path, tmp,
		    strerror(e));
		goto fail;
	}
	if (close(fd) < 0) {
		e = errno;
		fd = -1;
		xen_err_set(err, e, "%s: closing %s: %s", path, tmp,
		    strerror(e));
		goto fail;
	}
	fd = -1;
	if (flags & XC_CORE_FILE_NOREPLACE) {
		/* link() refuses an existing name; then drop the temporary. */
		if (link(tmp, path) < 0) {
			e = errno;
			xen_err_set(err, e, "%s: %s", path, e == EEXIST ?
			    "already exists (not replaced)" : strerror(e));
			goto fail;
		}
		(void)unlink(tmp);
	} else if (rename(tmp, path) < 0) {
		e = errno;
		xen_err_set(err, e, "%s: renaming %s into place: %s", path,
		    tmp, strerror(e));
		goto fail;
	}
	if (xcw_fsync_dir(path, err) < 0) {
		e = errno;
		(void)unlink(path);
		free(tmp);
		errno = e;
		return -1;
	}
	free(tmp);
	return 0;
fail:
	e = errno;
	if (fd >= 0)
		close(fd);
	(void)unlink(tmp);
	free(tmp);
	errno = e;
	return -1;
}

struct xcw_file_arg {
	const struct xc_core_write_opts	*fa_o;
	struct xc_core_write_stats	*fa_stats;
};

static int
xcw_fill(int fd, const char *name, void *arg, struct xen_err *err)
{
	struct xcw_file_arg *fa = arg;

	return xc_core_write(fd, name, fa->fa_o, fa->fa_stats, err);
}

int
xc_core_write_file(const char *path, unsigned int flags,
    const struct xc_core_write_opts *o, struct xc_core_write_stats *stats,
    struct xen_err *err)
{
	struct xcw_file_arg fa = { o, stats };

	if (stats != NULL)
		memset(stats, 0, sizeof(*stats));
	if (o == NULL)
		return xen_err_set(err, EINVAL, "xc_core_write_file: NULL "
		    "options");
	return xc_core_file_atomic(path, flags, xcw_fill, &fa, err);
}
