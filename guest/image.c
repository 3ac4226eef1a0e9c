/*
 * image.c -- memory images behind guest_open: the format names, format
 * detection from the contents, the dispatch to one opener per format,
 * closing, the raw opener, and the helpers the openers share (see
 * guest/image.h and guest/image_impl.h).
 *
 * Detection looks at the first bytes only, and at an ELF file's section
 * names: an ELF64 core with .xen_* sections (or .note.Xen), or with
 * section headers and no program headers (a cut xc-core file whose name
 * table is gone still says so), is xc-core; any other ELF core
 * (ET_CORE, 32- or 64-bit) is a QEMU ELF dump, "KDUMP   " is
 * kdump-compressed, makedumpfile's flattened header ("makedumpfile",
 * type 1) is kdump-flat, and everything else -- including a file too
 * short to hold any header -- is raw.  An ELF file that is no core is
 * raw as well: detection never refuses a file, the opener does.
 *
 * Non-goals: guessing from file names, compressed containers (gzip, xz).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "guest/image.h"
#include "guest/image_impl.h"
#include "vm/physmem.h"
#include "vm/vm_alloc.h"

#define	IMAGE__ELF_ET_CORE	4
#define	IMAGE__SHDR64		64
#define	IMAGE__MAX_SECTIONS	256
#define	IMAGE__MAX_STRTAB	(64 * 1024)

const char *
image_format_name(enum image_format fmt)
{
	switch (fmt) {
	case IMAGE_RAW:
		return ("raw");
	case IMAGE_XC_CORE:
		return ("xc-core");
	case IMAGE_QEMU_ELF:
		return ("qemu-elf");
	case IMAGE_KDUMP:
		return ("kdump");
	case IMAGE_KDUMP_FLAT:
		return ("kdump-flat");
	}
	return ("unknown");
}

int
image_fail(char *errbuf, size_t errlen, int err, const char *fmt, ...)
{
	va_list ap;

	if (errbuf != NULL && errlen > 0) {
		va_start(ap, fmt);
		(void) vsnprintf(errbuf, errlen, fmt, ap);
		va_end(ap);
	}
	return (err);
}

int
image_pread(int fd, void *buf, size_t len, uint64_t off)
{
	unsigned char *p = buf;
	ssize_t n;

	if (off > (uint64_t)INT64_MAX || len > (uint64_t)INT64_MAX - off)
		return (EIO);
	while (len > 0) {
		n = pread(fd, p, len, (off_t)off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return (errno);
		}
		if (n == 0)
			return (EIO);
		p += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return (0);
}

int
image_file_size(int fd, uint64_t *sizep)
{
	struct stat st;

	*sizep = 0;
	if (fstat(fd, &st) != 0)
		return (errno);
	if (!S_ISREG(st.st_mode))
		return (EINVAL);
	*sizep = (uint64_t)st.st_size;
	return (0);
}

int
image_set_vmcoreinfo(struct image *im, const char *text, size_t len)
{
	char *s;

	while (len > 0 && text[len - 1] == '\0')
		len--;
	if (len > IMAGE_MAX_VMCOREINFO)
		len = IMAGE_MAX_VMCOREINFO;
	if ((s = malloc(len + 1)) == NULL)
		return (ENOMEM);
	memcpy(s, text, len);
	s[len] = '\0';
	free(im->im_vmcoreinfo);
	im->im_vmcoreinfo = s;
	im->im_vmcoreinfo_len = len;
	return (0);
}

/*
 * Whether the ELF64 file whose header is eh has a section named .xen_*
 * or .note.Xen.  Anything unreadable or out of range answers false.
 */
static bool
image_has_xen_sections(int fd, const unsigned char *eh, uint64_t fsize)
{
	unsigned char sh[IMAGE__SHDR64], *strtab;
	uint64_t shoff = image_le64(eh + 40), stroff, strsize;
	unsigned shnum = image_le16(eh + 60), shstrndx = image_le16(eh + 62);
	unsigned i;
	bool found = false;

	if (image_le16(eh + 58) != IMAGE__SHDR64 || shnum == 0 ||
	    shnum > IMAGE__MAX_SECTIONS || shstrndx >= shnum ||
	    shoff > fsize || (uint64_t)shnum * IMAGE__SHDR64 > fsize - shoff)
		return (false);
	if (image_pread(fd, sh, sizeof (sh), shoff + (uint64_t)shstrndx *
	    IMAGE__SHDR64) != 0)
		return (false);
	stroff = image_le64(sh + 24);
	strsize = image_le64(sh + 32);
	if (strsize == 0 || strsize > IMAGE__MAX_STRTAB || stroff > fsize ||
	    strsize > fsize - stroff)
		return (false);
	if ((strtab = malloc((size_t)strsize + 1)) == NULL)
		return (false);
	if (image_pread(fd, strtab, (size_t)strsize, stroff) != 0)
		goto out;
	strtab[strsize] = '\0';
	for (i = 0; i < shnum && !found; i++) {
		const char *name;
		uint32_t nm;

		if (image_pread(fd, sh, sizeof (sh), shoff + (uint64_t)i *
		    IMAGE__SHDR64) != 0)
			break;
		if ((nm = image_le32(sh)) >= strsize)
			continue;
		name = (const char *)strtab + nm;
		found = strncmp(name, ".xen_", 5) == 0 ||
		    strcmp(name, ".note.Xen") == 0;
	}
out:
	free(strtab);
	return (found);
}

int
image_detect(int fd, enum image_format *fmt)
{
	unsigned char h[64];
	uint64_t fsize = 0;
	size_t n = 0;
	ssize_t got;
	int e;

	if ((e = image_file_size(fd, &fsize)) != 0)
		return (e == EINVAL ? EIO : e);
	while (n < sizeof (h)) {
		got = pread(fd, h + n, sizeof (h) - n, (off_t)n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return (EIO);
		if (got == 0)
			break;
		n += (size_t)got;
	}
	*fmt = IMAGE_RAW;
	if (n >= 24 && memcmp(h, "makedumpfile", 12) == 0 &&
	    memcmp(h + 12, "\0\0\0\0", 4) == 0 && image_be64(h + 16) == 1)
		*fmt = IMAGE_KDUMP_FLAT;
	else if (n >= 8 && memcmp(h, "KDUMP   ", 8) == 0)
		*fmt = IMAGE_KDUMP;
	else if (n >= 52 && memcmp(h, "\177ELF", 4) == 0 && h[5] == 1 &&
	    (h[4] == 1 || (h[4] == 2 && n == 64)) &&
	    image_le16(h + 16) == IMAGE__ELF_ET_CORE) {
		/* xl writes no program headers; QEMU always does. */
		if (h[4] == 2 && ((image_le16(h + 56) == 0 &&
		    image_le16(h + 60) != 0) ||
		    image_has_xen_sections(fd, h, fsize)))
			*fmt = IMAGE_XC_CORE;
		else
			*fmt = IMAGE_QEMU_ELF;
	}
	return (0);
}

int
image_open_raw(int fd, const char *path, bool writable, struct image *im,
    char *errbuf, size_t errlen)
{
	uint64_t size = 0;
	int e;

	(void) writable;	/* the file-extent core maps copies on write */
	if ((e = image_file_size(fd, &size)) != 0)
		return (image_fail(errbuf, errlen, e, "%s: %s", path,
		    e == EINVAL ? "not a regular file" : strerror(e)));
	if (size == 0)
		return (image_fail(errbuf, errlen, EINVAL, "%s: the image is "
		    "empty: a raw image holds guest memory from address 0",
		    path));
	if (size > (uint64_t)SIZE_MAX)
		return (image_fail(errbuf, errlen, EFBIG, "%s: %" PRIu64
		    " bytes are beyond this host's address space", path,
		    size));
	if ((im->im_pm = physmem_raw_open(path, NULL, 0)) == NULL) {
		e = errno;
		return (image_fail(errbuf, errlen, e, "%s: opening the raw "
		    "image: %s", path, strerror(e)));
	}
	im->im_format = IMAGE_RAW;
	return (0);
}

/* im_describe: the provider's line, and what the notes gave. */
static void
image_describe(struct image *im)
{
	char line[sizeof (im->im_describe)];
	size_t n;

	physmem_describe(im->im_pm, line, sizeof (line));
	n = (size_t)snprintf(im->im_describe, sizeof (im->im_describe), "%s",
	    line);
	if (n < sizeof (im->im_describe) && im->im_nvcpus > 0)
		n += (size_t)snprintf(im->im_describe + n,
		    sizeof (im->im_describe) - n, "; %u vCPU%s", im->im_nvcpus,
		    im->im_nvcpus == 1 ? "" : "s");
	if (n < sizeof (im->im_describe) && im->im_vmcoreinfo != NULL)
		(void) snprintf(im->im_describe + n,
		    sizeof (im->im_describe) - n, "; VMCOREINFO");
}

int
image_open(const char *path, bool writable, struct image *im, char *errbuf,
    size_t errlen)
{
	enum image_format fmt;
	int fd, e;

	if (im == NULL)
		return (EINVAL);
	memset(im, 0, sizeof (*im));
	if (errbuf != NULL && errlen > 0)
		errbuf[0] = '\0';
	if (path == NULL)
		return (image_fail(errbuf, errlen, EINVAL, "image_open: no "
		    "path given"));
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		e = errno;
		return (image_fail(errbuf, errlen, e, "%s: %s", path,
		    strerror(e)));
	}
	if ((e = image_file_size(fd, &(uint64_t){ 0 })) != 0) {
		(void) close(fd);
		return (image_fail(errbuf, errlen, e, "%s: %s", path,
		    e == EINVAL ? "not a regular file (an image is a file)" :
		    strerror(e)));
	}
	if ((e = image_detect(fd, &fmt)) != 0) {
		(void) close(fd);
		return (image_fail(errbuf, errlen, e, "%s: reading the first "
		    "bytes to tell the format: %s", path, strerror(e)));
	}
	switch (fmt) {
	case IMAGE_XC_CORE:
		e = image_open_xc_core(fd, path, writable, im, errbuf, errlen);
		break;
	case IMAGE_QEMU_ELF:
		e = image_open_qemu_elf(fd, path, writable, im, errbuf,
		    errlen);
		break;
	case IMAGE_KDUMP:
	case IMAGE_KDUMP_FLAT:
		e = image_open_kdump(fd, path, fmt == IMAGE_KDUMP_FLAT,
		    writable, im, errbuf, errlen);
		break;
	default:
		e = image_open_raw(fd, path, writable, im, errbuf, errlen);
		break;
	}
	(void) close(fd);
	if (e != 0) {
		image_close(im);
		return (e);
	}
	image_describe(im);
	return (0);
}

void
image_close(struct image *im)
{
	int saved = errno;

	if (im == NULL)
		return;
	if (im->im_pm != NULL)
		physmem_rele(im->im_pm);
	free(im->im_vcpus);
	free(im->im_vmcoreinfo);
	free(im->im_p2m);
	memset(im, 0, sizeof (*im));
	errno = saved;
}
