/*
 * linux_dmesg.c -- the kernel log, oldest record first: linux_dmesg (see
 * <porthole/linux.h>).
 *
 * Two formats, chosen by the symbols the profile has:
 *
 * The lockless ring buffer (5.10+; symbol `prb`, a pointer to struct
 * printk_ringbuffer; kernel/printk/printk_ringbuffer.h).  A descriptor
 * ring (desc_ring: count_bits, descs, infos, head_id, tail_id) and a
 * data ring (text_data_ring: size_bits, data).  Descriptor ids count up
 * modulo 2^(BITS_PER_LONG - 2); id's descriptor is descs[id % count],
 * its record's metadata infos[id % count] (struct printk_info: seq,
 * ts_nsec, text_len, then facility and a byte whose top three bits are
 * the level).  A descriptor's state_var holds its id in the low bits and
 * its state in the top two: only committed (1) and finalized (2)
 * records are read, and only when the id there is the one expected (an
 * older id means the slot was reused).  Its text_blk_lpos {begin, next}
 * locates the data block by logical position: the block sits at
 * begin % size when begin and next are in the same wrap of the ring,
 * else (a block that would have crossed the end) at offset 0 with
 * next % size bytes; a block starts with its descriptor's id (checked),
 * then the text, padded; a data-less record (begin = next = 3) has no
 * text, one whose data was lost (odd begin) is skipped.  The records
 * are the ids from tail_id to head_id.
 * Profile members (VMCOREINFO carries all of them as OFFSET/SIZE lines
 * on 5.10+; widths come from the kernel's types): printk_ringbuffer.
 * {desc_ring, text_data_ring}, prb_desc_ring.{count_bits, descs, infos,
 * head_id, tail_id}, prb_data_ring.{size_bits, data}, prb_desc.
 * {state_var, text_blk_lpos}, prb_data_blk_lpos.{begin, next},
 * printk_info.{seq, ts_nsec, text_len} (facility when known), sizes of
 * prb_desc and printk_info.
 *
 * The log buffer of struct printk_log (3.11 to 5.9; symbols log_buf,
 * log_buf_len, log_first_idx, log_next_idx, log_first_seq (optional)).
 * Records follow each other from log_first_idx: a header (ts_nsec, len,
 * text_len, dict_len, facility, flags and level) then the text; a header
 * with len 0 sends the reader back to offset 0; the last ends at
 * log_next_idx.  Profile: printk_log's size and members ts_nsec, len,
 * text_len, and dict_len or facility for the level.
 *
 * Guest memory is hostile: the ring sizes are bounded (at most
 * 2^LK_PRB_COUNT_BITS_MAX descriptors, a 2^LK_DATA_BITS_MAX-byte data
 * ring), head and tail must be at most a ring's count apart, every lpos
 * and block is checked as above (a bad record is skipped, as the
 * kernel's reader skips it); the old buffer's offsets and lengths are
 * checked against log_buf_len and the walk may wrap once.  Structural
 * damage is EIO (ELOOP when the old buffer's records never reach
 * log_next_idx).
 *
 * Errors: -1 with errno ENOTSUP (neither format's symbols, or members
 * missing), EIO, EFAULT, ELOOP, ENOMEM.
 *
 * Non-goals: records' dictionaries and device info, continuation-line
 * merging, the caller id, the 3.5-3.10 `struct log` and the older plain
 * character buffer.
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "guest/linux/linux_impl.h"
#include "guest/linux/linux_views.h"

/* Bounds on a ring (the kernel's own limit is a 2 GiB log buffer). */
#define	LK_PRB_COUNT_BITS_MAX	26u
#define	LK_DATA_BITS_MAX	31u
#define	LK_INFO_SIZE_MAX	4096u
#define	LK_TEXT_MAX		65535u	/* text_len is 16 bits */

/* printk_ringbuffer.h: descriptor states, data-less lpos values. */
#define	DESC_COMMITTED		1u
#define	DESC_FINALIZED		2u
#define	LPOS_DATALESS		1u
#define	NO_LPOS			3u

struct lk_log {
	int		(*ll_cb)(const struct linux_log_record *, void *);
	void		*ll_arg;
	int		ll_rv;		/* the caller's stop value */
	char		*ll_text;	/* LK_TEXT_MAX + 1 bytes */
	unsigned	ll_width;	/* unsigned long's size */
	uint64_t	ll_level_off;	/* of the level byte; ~0: unknown */
};

/* Where the level byte of a record header is: facility's next byte. */
static uint64_t
lk_level_offset(struct linux_kernel *lk, const char *type,
    const char *before, uint64_t before_to_level)
{
	uint64_t off;

	if (lk_offset(lk, type, "facility", &off) == 0)
		return (off + 1);
	if (lk_offset(lk, type, before, &off) == 0)
		return (off + before_to_level);
	return (UINT64_MAX);
}

static int
lk_log_emit(struct lk_log *ll, uint64_t seq, uint64_t ts, int level,
    size_t len)
{
	struct linux_log_record r;

	ll->ll_text[len] = '\0';
	r.lr_seq = seq;
	r.lr_ts_nsec = ts;
	r.lr_level = level;
	r.lr_text = ll->ll_text;
	r.lr_len = len;
	if ((ll->ll_rv = ll->ll_cb(&r, ll->ll_arg)) != 0)
		return (LK_WALK_STOP);
	return (0);
}

/* ---- the lockless ring buffer (5.10+) ---- */

struct lk_prb {
	uint64_t	pb_descs, pb_infos, pb_data;
	uint64_t	pb_count;	/* descriptors */
	uint64_t	pb_size;	/* data ring bytes */
	unsigned	pb_size_bits;
	uint64_t	pb_id_mask;
	uint64_t	pb_head, pb_tail;
	uint64_t	pb_desc_size, pb_info_size;
	uint64_t	pb_sv_off, pb_begin_off, pb_next_off;
};

#define	PRB_FIELD(lk, base, type, member, width, out)			\
	lk_field_width((lk), (base), (type), (member), (width), (out))

static int
lk_prb_open(struct linux_kernel *lk, struct lk_log *ll, struct lk_prb *pb)
{
	unsigned w = ll->ll_width;
	uint64_t rb, dr, tr, count_bits, size_bits, off, lpos;
	int err;

	if ((err = lprof_symbol(lk->lk_prof, "prb", &rb)) != 0 ||
	    (err = lk_read_ptr(lk, rb, &rb)) != 0 ||
	    (err = lk_offset(lk, "printk_ringbuffer", "desc_ring", &dr)) != 0 ||
	    (err = lk_offset(lk, "printk_ringbuffer", "text_data_ring",
	    &tr)) != 0)
		return (err);
	if (rb == 0)
		return (EIO);
	dr += rb;
	tr += rb;
	if ((err = PRB_FIELD(lk, dr, "prb_desc_ring", "count_bits", 4,
	    &count_bits)) != 0 ||
	    (err = PRB_FIELD(lk, dr, "prb_desc_ring", "descs", w,
	    &pb->pb_descs)) != 0 ||
	    (err = PRB_FIELD(lk, dr, "prb_desc_ring", "infos", w,
	    &pb->pb_infos)) != 0 ||
	    (err = PRB_FIELD(lk, dr, "prb_desc_ring", "head_id", w,
	    &pb->pb_head)) != 0 ||
	    (err = PRB_FIELD(lk, dr, "prb_desc_ring", "tail_id", w,
	    &pb->pb_tail)) != 0 ||
	    (err = PRB_FIELD(lk, tr, "prb_data_ring", "size_bits", 4,
	    &size_bits)) != 0 ||
	    (err = PRB_FIELD(lk, tr, "prb_data_ring", "data", w,
	    &pb->pb_data)) != 0 ||
	    (err = lprof_size(lk->lk_prof, "prb_desc", &pb->pb_desc_size)) != 0 ||
	    (err = lprof_size(lk->lk_prof, "printk_info",
	    &pb->pb_info_size)) != 0 ||
	    (err = lk_offset(lk, "prb_desc", "state_var", &pb->pb_sv_off)) != 0 ||
	    (err = lk_offset(lk, "prb_desc", "text_blk_lpos", &lpos)) != 0 ||
	    (err = lk_offset(lk, "prb_data_blk_lpos", "begin", &off)) != 0)
		return (err);
	pb->pb_begin_off = lpos + off;
	if ((err = lk_offset(lk, "prb_data_blk_lpos", "next", &off)) != 0)
		return (err);
	pb->pb_next_off = lpos + off;

	if (count_bits == 0 || count_bits > LK_PRB_COUNT_BITS_MAX ||
	    size_bits < 4 || size_bits > LK_DATA_BITS_MAX ||
	    size_bits >= (uint64_t)w * 8 - 2 ||
	    pb->pb_descs == 0 || pb->pb_infos == 0 || pb->pb_data == 0)
		return (EIO);
	if (pb->pb_desc_size > LK_INFO_SIZE_MAX ||
	    pb->pb_info_size > LK_INFO_SIZE_MAX ||
	    pb->pb_sv_off + w > pb->pb_desc_size ||
	    pb->pb_begin_off + w > pb->pb_desc_size ||
	    pb->pb_next_off + w > pb->pb_desc_size)
		return (EIO);
	pb->pb_count = 1ULL << count_bits;
	pb->pb_size_bits = (unsigned)size_bits;
	pb->pb_size = 1ULL << size_bits;
	pb->pb_id_mask = (w == 8 ? UINT64_MAX : UINT32_MAX) >> 2;
	if (pb->pb_descs + pb->pb_count * pb->pb_desc_size < pb->pb_descs ||
	    pb->pb_infos + pb->pb_count * pb->pb_info_size < pb->pb_infos ||
	    pb->pb_data + pb->pb_size < pb->pb_data)
		return (EIO);
	if ((pb->pb_head & ~pb->pb_id_mask) != 0 ||
	    (pb->pb_tail & ~pb->pb_id_mask) != 0 ||
	    ((pb->pb_head - pb->pb_tail) & pb->pb_id_mask) >= pb->pb_count)
		return (EIO);
	return (0);
}

/*
 * Where record id's text is: *offp into the data ring, *lenp bytes of
 * block (its id word included).  false when the lpos pair is not a
 * block this ring could hold (the record is skipped); a data-less
 * record with no text has *lenp = 0.
 */
static bool
lk_prb_block(const struct lk_prb *pb, unsigned w, uint64_t begin,
    uint64_t next, uint64_t *offp, uint64_t *lenp)
{
	unsigned bits = pb->pb_size_bits;

	if ((begin & LPOS_DATALESS) != 0) {
		*offp = 0;
		*lenp = 0;
		return (begin == NO_LPOS && next == NO_LPOS);
	}
	if (begin >> bits == next >> bits && begin < next) {
		*offp = begin & (pb->pb_size - 1);
		*lenp = next - begin;
	} else if ((begin + pb->pb_size) >> bits == next >> bits) {
		*offp = 0;
		*lenp = next & (pb->pb_size - 1);
	} else {
		return (false);
	}
	if ((begin & (w - 1)) != 0 || (next & (w - 1)) != 0 || *lenp < w ||
	    *offp + *lenp > pb->pb_size)
		return (false);
	return (true);
}

/* Read and hand over record id; skipped (0) when it is not readable. */
static int
lk_prb_record(struct linux_kernel *lk, struct lk_log *ll,
    const struct lk_prb *pb, uint64_t id)
{
	unsigned w = ll->ll_width;
	uint64_t idx = id & (pb->pb_count - 1), desc, info;
	uint64_t sv, begin, next, seq, ts, text_len, off, len, block_id;
	unsigned char level = 0;
	int err;

	desc = pb->pb_descs + idx * pb->pb_desc_size;
	info = pb->pb_infos + idx * pb->pb_info_size;
	if ((err = lk_read_ptr(lk, desc + pb->pb_sv_off, &sv)) != 0 ||
	    (err = lk_read_ptr(lk, desc + pb->pb_begin_off, &begin)) != 0 ||
	    (err = lk_read_ptr(lk, desc + pb->pb_next_off, &next)) != 0)
		return (err);
	if ((sv & pb->pb_id_mask) != id)
		return (0);		/* reused since */
	sv >>= w * 8 - 2;
	if (sv != DESC_COMMITTED && sv != DESC_FINALIZED)
		return (0);		/* being written, or free */
	if ((err = PRB_FIELD(lk, info, "printk_info", "seq", 8, &seq)) != 0 ||
	    (err = PRB_FIELD(lk, info, "printk_info", "ts_nsec", 8,
	    &ts)) != 0 ||
	    (err = PRB_FIELD(lk, info, "printk_info", "text_len", 2,
	    &text_len)) != 0)
		return (err);
	if (ll->ll_level_off != UINT64_MAX) {
		if (ll->ll_level_off >= pb->pb_info_size)
			return (EIO);
		if ((err = lk_read(lk, info + ll->ll_level_off, &level, 1)) != 0)
			return (err);
	}
	if (!lk_prb_block(pb, w, begin, next, &off, &len))
		return (0);		/* lost, or not a block */
	if (len == 0) {
		text_len = 0;
	} else {
		if ((err = lk_read_ptr(lk, pb->pb_data + off,
		    &block_id)) != 0)
			return (err);
		if ((block_id & pb->pb_id_mask) != id || text_len > len - w)
			return (0);	/* overwritten, or too short */
		if ((err = lk_read(lk, pb->pb_data + off + w, ll->ll_text,
		    (size_t)text_len)) != 0)
			return (err);
	}
	return (lk_log_emit(ll, seq, ts, ll->ll_level_off == UINT64_MAX ?
	    -1 : level >> 5, (size_t)text_len));
}

static int
lk_dmesg_prb(struct linux_kernel *lk, struct lk_log *ll)
{
	struct lk_prb pb;
	uint64_t n, k;
	int rv;

	memset(&pb, 0, sizeof (pb));
	if ((rv = lk_prb_open(lk, ll, &pb)) != 0)
		return (rv);
	ll->ll_level_off = lk_level_offset(lk, "printk_info", "text_len", 3);
	n = ((pb.pb_head - pb.pb_tail) & pb.pb_id_mask) + 1;
	for (k = 0; k < n; k++) {
		rv = lk_prb_record(lk, ll, &pb,
		    (pb.pb_tail + k) & pb.pb_id_mask);
		if (rv != 0)
			return (rv);
	}
	return (0);
}

/* ---- the printk_log buffer (3.11 to 5.9) ---- */

static int
lk_dmesg_logbuf(struct linux_kernel *lk, struct lk_log *ll)
{
	uint64_t sym, buf, buflen, first, next, seq, hdr, ts_off, len_off;
	uint64_t text_len_off, idx, ts, len, text_len, records = 0;
	unsigned wraps = 0;
	uint8_t level = 0;
	uint32_t v;
	int err;

	if ((err = lprof_symbol(lk->lk_prof, "log_buf", &sym)) != 0 ||
	    (err = lk_read_ptr(lk, sym, &buf)) != 0 ||
	    (err = lprof_symbol(lk->lk_prof, "log_buf_len", &sym)) != 0 ||
	    (err = lk_read_u32(lk, sym, &v)) != 0)
		return (err);
	buflen = v;
	if ((err = lprof_symbol(lk->lk_prof, "log_first_idx", &sym)) != 0 ||
	    (err = lk_read_u32(lk, sym, &v)) != 0)
		return (err);
	first = v;
	if ((err = lprof_symbol(lk->lk_prof, "log_next_idx", &sym)) != 0 ||
	    (err = lk_read_u32(lk, sym, &v)) != 0)
		return (err);
	next = v;
	seq = 0;
	if (lprof_symbol(lk->lk_prof, "log_first_seq", &sym) == 0 &&
	    (err = lk_read_u64(lk, sym, &seq)) != 0)
		return (err);
	if ((err = lprof_size(lk->lk_prof, "printk_log", &hdr)) != 0 ||
	    (err = lk_offset(lk, "printk_log", "ts_nsec", &ts_off)) != 0 ||
	    (err = lk_offset(lk, "printk_log", "len", &len_off)) != 0 ||
	    (err = lk_offset(lk, "printk_log", "text_len",
	    &text_len_off)) != 0)
		return (err);
	ll->ll_level_off = lk_level_offset(lk, "printk_log", "dict_len", 3);
	if (buf == 0 || buflen == 0 || buflen > 1ULL << LK_DATA_BITS_MAX ||
	    hdr == 0 || hdr > buflen || buf + buflen < buf ||
	    first > buflen - hdr || next > buflen - hdr ||
	    ts_off + 8 > hdr || len_off + 2 > hdr || text_len_off + 2 > hdr ||
	    (ll->ll_level_off != UINT64_MAX && ll->ll_level_off >= hdr))
		return (EIO);

	for (idx = first; idx != next; ) {
		if (idx > buflen - hdr)
			return (EIO);
		/* Each record takes at least hdr bytes: this many at most. */
		if (++records > buflen / hdr + 1)
			return (ELOOP);
		if ((err = PRB_FIELD(lk, buf + idx, "printk_log", "len", 2,
		    &len)) != 0)
			return (err);
		if (len == 0) {		/* the rest of the buffer is unused */
			if (idx == 0 || ++wraps > 1)
				return (ELOOP);
			idx = 0;
			records--;
			continue;
		}
		if ((err = PRB_FIELD(lk, buf + idx, "printk_log", "text_len", 2,
		    &text_len)) != 0 ||
		    (err = PRB_FIELD(lk, buf + idx, "printk_log", "ts_nsec", 8,
		    &ts)) != 0)
			return (err);
		if (len < hdr || len > buflen - idx || text_len > len - hdr)
			return (EIO);
		if (ll->ll_level_off != UINT64_MAX &&
		    (err = lk_read(lk, buf + idx + ll->ll_level_off, &level,
		    1)) != 0)
			return (err);
		if ((err = lk_read(lk, buf + idx + hdr, ll->ll_text,
		    (size_t)text_len)) != 0)
			return (err);
		if ((err = lk_log_emit(ll, seq, ts, ll->ll_level_off ==
		    UINT64_MAX ? -1 : level >> 5, (size_t)text_len)) != 0)
			return (err);
		seq++;
		idx += len;
	}
	return (0);
}

int
linux_dmesg(struct linux_kernel *lk,
    int (*cb)(const struct linux_log_record *, void *), void *arg)
{
	struct lk_log ll;
	uint64_t sym;
	int rv;

	if (lk == NULL || cb == NULL) {
		errno = EINVAL;
		return (-1);
	}
	memset(&ll, 0, sizeof (ll));
	ll.ll_cb = cb;
	ll.ll_arg = arg;
	ll.ll_width = lk->lk_ptr_size;
	if ((ll.ll_text = malloc(LK_TEXT_MAX + 1)) == NULL)
		return (-1);
	if (lprof_symbol(lk->lk_prof, "prb", &sym) == 0)
		rv = lk_dmesg_prb(lk, &ll);
	else if (lprof_symbol(lk->lk_prof, "log_buf", &sym) == 0)
		rv = lk_dmesg_logbuf(lk, &ll);
	else
		rv = ENOTSUP;
	free(ll.ll_text);
	if (rv == LK_WALK_STOP)
		return (ll.ll_rv);
	if (rv != 0) {
		errno = lk_view_errno(rv);
		return (-1);
	}
	return (0);
}
