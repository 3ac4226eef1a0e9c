/*
 * kdump_flat.c -- the index of a flattened kdump file (see
 * guest/kdump_flat.h).
 *
 * Open reads every record header once, front to back (through a buffer,
 * since records are often a page or smaller), and resolves the records
 * into sorted, disjoint stretches of the logical file, each at one file
 * offset.  Records that never overlap (the usual case) become stretches
 * as they are; overlapping ones go through a sweep over their boundaries
 * that keeps, for each piece, the record written last (a max-heap by
 * record number).  Reads binary-search the stretches.
 *
 * Non-goals: writing or rearranging flattened files; flattened files
 * that hold anything but a kdump-compressed one (the kdump reader checks
 * the logical file's signature).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "guest/image_impl.h"
#include "guest/kdump_flat.h"

#define	KF__BUF		(64u * 1024)

struct kf_record {
	uint64_t	r_lo;
	uint64_t	r_hi;
	uint64_t	r_foff;
	uint64_t	r_seq;
};

struct kf_stretch {
	uint64_t	s_lo;
	uint64_t	s_len;
	uint64_t	s_foff;
};

struct kdump_flat {
	int		kf_fd;
	uint64_t	kf_size;
	size_t		kf_nrecords;
	struct kf_stretch *kf_st;
	size_t		kf_nst;
};

/* A sequential reader of record headers. */
struct kf_reader {
	int		rd_fd;
	uint64_t	rd_fsize;
	unsigned char	*rd_buf;
	uint64_t	rd_start;
	size_t		rd_len;
};

static int
kf_header_at(struct kf_reader *rd, uint64_t pos, unsigned char *h)
{
	size_t n;
	int e;

	if (pos < rd->rd_start || pos + 16 > rd->rd_start + rd->rd_len) {
		n = rd->rd_fsize - pos < KF__BUF ? (size_t)(rd->rd_fsize -
		    pos) : KF__BUF;
		if ((e = image_pread(rd->rd_fd, rd->rd_buf, n, pos)) != 0)
			return (e);
		rd->rd_start = pos;
		rd->rd_len = n;
	}
	memcpy(h, rd->rd_buf + (pos - rd->rd_start), 16);
	return (0);
}

static int
kf_record_compar(const void *a, const void *b)
{
	const struct kf_record *x = a, *y = b;

	if (x->r_lo != y->r_lo)
		return (x->r_lo < y->r_lo ? -1 : 1);
	return ((x->r_seq > y->r_seq) - (x->r_seq < y->r_seq));
}

static int
kf_u64_compar(const void *a, const void *b)
{
	const uint64_t *x = a, *y = b;

	return ((*x > *y) - (*x < *y));
}

/* Append a stretch, merging it into the last when they continue. */
static void
kf_emit(struct kdump_flat *kf, uint64_t lo, uint64_t len, uint64_t foff)
{
	struct kf_stretch *last = kf->kf_nst > 0 ?
	    &kf->kf_st[kf->kf_nst - 1] : NULL;

	if (last != NULL && last->s_lo + last->s_len == lo &&
	    last->s_foff + last->s_len == foff) {
		last->s_len += len;
		return;
	}
	kf->kf_st[kf->kf_nst].s_lo = lo;
	kf->kf_st[kf->kf_nst].s_len = len;
	kf->kf_st[kf->kf_nst].s_foff = foff;
	kf->kf_nst++;
}

/* Max-heap of record indexes by r_seq. */
static void
kf_heap_push(const struct kf_record *r, size_t *heap, size_t *n, size_t v)
{
	size_t i = (*n)++;

	while (i > 0 && r[heap[(i - 1) / 2]].r_seq < r[v].r_seq) {
		heap[i] = heap[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	heap[i] = v;
}

static void
kf_heap_pop(const struct kf_record *r, size_t *heap, size_t *n)
{
	size_t i = 0, v = heap[--(*n)], c;

	for (;;) {
		c = 2 * i + 1;
		if (c >= *n)
			break;
		if (c + 1 < *n && r[heap[c + 1]].r_seq > r[heap[c]].r_seq)
			c++;
		if (r[heap[c]].r_seq <= r[v].r_seq)
			break;
		heap[i] = heap[c];
		i = c;
	}
	if (*n > 0)
		heap[i] = v;
}

/*
 * Resolve the records (sorted by r_lo, then r_seq) into stretches.  The
 * stretch array has room for 2n (each boundary starts at most one).
 */
static int
kf_resolve(struct kdump_flat *kf, const struct kf_record *r, size_t n)
{
	uint64_t *b = NULL, end = 0, x;
	size_t *heap = NULL, nb = 0, nheap = 0, i, j, k;
	bool overlap = false;

	for (i = 0; i < n; i++) {
		if (i > 0 && r[i].r_lo < end)
			overlap = true;
		if (r[i].r_hi > end)
			end = r[i].r_hi;
	}
	kf->kf_size = end;
	if (!overlap) {
		for (i = 0; i < n; i++)
			kf_emit(kf, r[i].r_lo, r[i].r_hi - r[i].r_lo,
			    r[i].r_foff);
		return (0);
	}
	if ((b = malloc(2 * n * sizeof (*b))) == NULL ||
	    (heap = malloc(n * sizeof (*heap))) == NULL) {
		free(b);
		return (ENOMEM);
	}
	for (i = 0; i < n; i++) {
		b[nb++] = r[i].r_lo;
		b[nb++] = r[i].r_hi;
	}
	qsort(b, nb, sizeof (*b), kf_u64_compar);
	for (i = 1, k = 1; i < nb; i++)
		if (b[i] != b[k - 1])
			b[k++] = b[i];
	nb = k;
	for (k = 0, j = 0; k + 1 < nb; k++) {
		x = b[k];
		while (j < n && r[j].r_lo <= x)
			kf_heap_push(r, heap, &nheap, j++);
		while (nheap > 0 && r[heap[0]].r_hi <= x)
			kf_heap_pop(r, heap, &nheap);
		if (nheap > 0)
			kf_emit(kf, x, b[k + 1] - x, r[heap[0]].r_foff +
			    (x - r[heap[0]].r_lo));
	}
	free(b);
	free(heap);
	return (0);
}

/* Read every record header; *recp gets them (in file order). */
static int
kf_scan(int fd, const char *path, uint64_t fsize, struct kf_record **recp,
    size_t *np, char *errbuf, size_t errlen)
{
	struct kf_reader rd = { .rd_fd = fd, .rd_fsize = fsize };
	struct kf_record *rec = NULL, *nrec;
	uint64_t pos = KDUMP_FLAT_HEADER, off, size;
	unsigned char h[16];
	size_t n = 0, cap = 0;
	int e;

	if ((rd.rd_buf = malloc(KF__BUF)) == NULL)
		return (image_fail(errbuf, errlen, ENOMEM, "%s: out of memory",
		    path));
	for (;;) {
		if (pos > fsize || fsize - pos < 16) {
			e = image_fail(errbuf, errlen, EINVAL, "%s: no end "
			    "marker after %zu records: the flattened dump was "
			    "cut at offset %" PRIu64, path, n, fsize);
			goto fail;
		}
		if ((e = kf_header_at(&rd, pos, h)) != 0) {
			e = image_fail(errbuf, errlen, e, "%s: reading the "
			    "record header at offset %" PRIu64 ": %s", path,
			    pos, strerror(e));
			goto fail;
		}
		off = image_be64(h);
		size = image_be64(h + 8);
		if (off == UINT64_MAX && size == UINT64_MAX)
			break;
		if (off > (uint64_t)INT64_MAX || size > (uint64_t)INT64_MAX ||
		    size > INT64_MAX - off) {
			e = image_fail(errbuf, errlen, EINVAL, "%s: record %zu "
			    "at offset %" PRIu64 " has offset %" PRId64 " and "
			    "size %" PRId64 ": not a valid flattened dump",
			    path, n, pos, (int64_t)off, (int64_t)size);
			goto fail;
		}
		if (size > fsize - pos - 16) {
			e = image_fail(errbuf, errlen, EINVAL, "%s: record %zu "
			    "at offset %" PRIu64 " holds %" PRIu64 " bytes, "
			    "past the end of the file (%" PRIu64 " bytes): a "
			    "cut dump", path, n, pos, size, fsize);
			goto fail;
		}
		if (n >= KDUMP_FLAT_MAX_RECORDS) {
			e = image_fail(errbuf, errlen, EINVAL, "%s: more than "
			    "%u records: not a flattened dump porthole reads",
			    path, KDUMP_FLAT_MAX_RECORDS);
			goto fail;
		}
		if (size > 0) {
			if (n == cap) {
				cap = cap == 0 ? 1024 : 2 * cap;
				if ((nrec = realloc(rec, cap *
				    sizeof (*rec))) == NULL) {
					e = image_fail(errbuf, errlen, ENOMEM,
					    "%s: out of memory for %zu "
					    "records", path, cap);
					goto fail;
				}
				rec = nrec;
			}
			rec[n].r_lo = off;
			rec[n].r_hi = off + size;
			rec[n].r_foff = pos + 16;
			rec[n].r_seq = n;
			n++;
		}
		pos += 16 + size;
	}
	free(rd.rd_buf);
	*recp = rec;
	*np = n;
	return (0);
fail:
	free(rd.rd_buf);
	free(rec);
	return (e);
}

int
kdump_flat_open(int fd, const char *path, struct kdump_flat **kfp,
    char *errbuf, size_t errlen)
{
	unsigned char h[32];
	struct kdump_flat *kf;
	struct kf_record *rec = NULL;
	uint64_t fsize;
	size_t n = 0;
	int e;

	*kfp = NULL;
	if ((e = image_file_size(fd, &fsize)) != 0)
		return (image_fail(errbuf, errlen, e, "%s: %s", path,
		    strerror(e)));
	if (fsize < KDUMP_FLAT_HEADER || (e = image_pread(fd, h, sizeof (h),
	    0)) != 0 || memcmp(h, "makedumpfile\0\0\0\0", 16) != 0 ||
	    image_be64(h + 16) != 1)
		return (image_fail(errbuf, errlen, EINVAL, "%s: no flattened "
		    "dump header (\"makedumpfile\", type 1, %u bytes) at "
		    "offset 0", path, KDUMP_FLAT_HEADER));
	if ((e = kf_scan(fd, path, fsize, &rec, &n, errbuf, errlen)) != 0)
		return (e);
	if (n == 0) {
		free(rec);
		return (image_fail(errbuf, errlen, EINVAL, "%s: the flattened "
		    "dump holds no data", path));
	}
	if ((kf = calloc(1, sizeof (*kf))) == NULL ||
	    (kf->kf_st = malloc(2 * n * sizeof (*kf->kf_st))) == NULL) {
		free(kf);
		free(rec);
		return (image_fail(errbuf, errlen, ENOMEM, "%s: out of memory "
		    "for the index of %zu records", path, n));
	}
	kf->kf_fd = -1;
	kf->kf_nrecords = n;
	qsort(rec, n, sizeof (*rec), kf_record_compar);
	if ((e = kf_resolve(kf, rec, n)) != 0) {
		free(rec);
		kdump_flat_free(kf);
		return (image_fail(errbuf, errlen, e, "%s: out of memory "
		    "for the index of %zu records", path, n));
	}
	free(rec);
	if ((kf->kf_fd = fcntl(fd, F_DUPFD_CLOEXEC, 0)) < 0) {
		e = errno;
		kdump_flat_free(kf);
		return (image_fail(errbuf, errlen, e, "%s: %s", path,
		    strerror(e)));
	}
	*kfp = kf;
	return (0);
}

void
kdump_flat_free(struct kdump_flat *kf)
{
	if (kf == NULL)
		return;
	if (kf->kf_fd >= 0)
		(void) close(kf->kf_fd);
	free(kf->kf_st);
	free(kf);
}

uint64_t
kdump_flat_size(const struct kdump_flat *kf)
{
	return (kf->kf_size);
}

size_t
kdump_flat_records(const struct kdump_flat *kf)
{
	return (kf->kf_nrecords);
}

size_t
kdump_flat_stretches(const struct kdump_flat *kf)
{
	return (kf->kf_nst);
}

int
kdump_flat_read(const struct kdump_flat *kf, void *buf, size_t len,
    uint64_t off)
{
	unsigned char *p = buf;
	size_t lo = 0, hi = kf->kf_nst, mid, n;
	int e;

	if (off > kf->kf_size || len > kf->kf_size - off)
		return (EIO);
	/* The first stretch ending after off. */
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (kf->kf_st[mid].s_lo + kf->kf_st[mid].s_len <= off)
			lo = mid + 1;
		else
			hi = mid;
	}
	while (len > 0) {
		const struct kf_stretch *s = lo < kf->kf_nst ?
		    &kf->kf_st[lo] : NULL;

		if (s == NULL || s->s_lo > off) {
			/* Nothing wrote here: zeros up to the next stretch. */
			n = s == NULL || s->s_lo - off > len ? len :
			    (size_t)(s->s_lo - off);
			memset(p, 0, n);
		} else {
			n = s->s_lo + s->s_len - off > len ? len :
			    (size_t)(s->s_lo + s->s_len - off);
			if ((e = image_pread(kf->kf_fd, p, n, s->s_foff +
			    (off - s->s_lo))) != 0)
				return (e);
			lo++;
		}
		p += n;
		off += n;
		len -= n;
	}
	return (0);
}
