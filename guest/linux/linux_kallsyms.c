/*
 * linux_kallsyms.c -- kallsyms found and decoded in guest memory (see
 * linux_kallsyms.h for the tables, their orders and the checks).
 *
 * The search reads forward from a run of digit tokens to the end of the
 * token table and its index, then reads backwards from the table (one
 * buffer, at most LKSYMS_MAX_BACK bytes, up to the first unreadable
 * page) and works on that buffer: the markers, num_syms and the names
 * lie before the table in every layout, and so do the addresses in the
 * two older ones.  In the newest layout the addresses follow the index
 * and are read from memory.
 *
 * The checks that make a random match fail: the 256 index entries all
 * point at their strings; the markers rise from 0 in steps of at least
 * 2 bytes a symbol and at most LKSYMS_NAME_MAX + 2; num_syms agrees with
 * the number of markers; decoding the names from there lands on every
 * marker and ends within one alignment of the markers (and, in 6.2/6.3,
 * the names' sequence numbers fill the gap to the table exactly);
 * relative_base is a kernel address and the first non-absolute symbol's
 * (scripts/kallsyms.c takes it from there: its offset is 0, or -1 with
 * absolute per-cpu symbols), and the decoded addresses never decrease.
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest/le_decode.h"
#include "guest/linux/linux_kallsyms.h"

/* "0\0" "1\0" ... "9\0": the digit tokens, in a row. */
static const unsigned char lks_digits[20] = {
	'0', 0, '1', 0, '2', 0, '3', 0, '4', 0,
	'5', 0, '6', 0, '7', 0, '8', 0, '9', 0
};

#define	LKS_MAX_TABLE	(256u * (LKSYMS_TOKEN_MAX + 1))
#define	LKS_MAX_CANDIDATES	256u	/* digit runs examined, at most */
#define	LKS_BACK_PIECE	(64u << 10)

/* How far a search got, for the error sentence. */
enum lks_stage {
	LKS_STAGE_NONE = 0,
	LKS_STAGE_DIGITS,	/* a digit run */
	LKS_STAGE_TOKENS,	/* a token table with its index */
	LKS_STAGE_NAMES,	/* markers, num_syms and names */
	LKS_STAGE_DONE
};

/* The bytes before the token table, read once. */
struct lks_back {
	unsigned char	*bb_buf;	/* bb_buf[i]: address bb_lo + i */
	uint64_t	bb_lo;
	uint64_t	bb_hi;		/* the token table */
};

struct lks_search {
	const struct lk_mem *s_mem;
	unsigned	s_ptr_size;	/* 0: both */
	struct lksyms	*s_ks;
	enum lks_stage	s_stage;
	unsigned	s_candidates;
	int		s_err;		/* ENOMEM ends everything */
};

static uint64_t
lks_align(uint64_t v, unsigned a)
{
	return ((v + a - 1) & ~(uint64_t)(a - 1));
}

/* Is [addr, addr + len) in the back buffer? */
static bool
lks_in_back(const struct lks_back *bb, uint64_t addr, uint64_t len)
{
	return (addr >= bb->bb_lo && addr <= bb->bb_hi &&
	    len <= bb->bb_hi - addr);
}

/* Read from the back buffer when it holds the bytes, else from memory. */
static int
lks_read(const struct lk_mem *m, const struct lks_back *bb, uint64_t addr,
    void *buf, size_t len)
{
	if (bb != NULL && lks_in_back(bb, addr, len)) {
		memcpy(buf, bb->bb_buf + (addr - bb->bb_lo), len);
		return (0);
	}
	return (lk_mem_read(m, addr, buf, len));
}

static uint32_t
lks_back_u32(const struct lks_back *bb, uint64_t addr)
{
	return ((uint32_t)le_decode(bb->bb_buf + (addr - bb->bb_lo), 4));
}

/*
 * Read the bytes before hi, backwards in pieces, up to LKSYMS_MAX_BACK
 * or the first piece (then page) that cannot be read, into one buffer
 * of the size read.  0 or ENOMEM; an empty buffer is not an error.
 */
static int
lks_back_read(const struct lk_mem *m, uint64_t hi, struct lks_back *bb)
{
	enum { NPIECES = LKSYMS_MAX_BACK / LKS_BACK_PIECE };
	unsigned char *piece[NPIECES];
	uint64_t lo = hi > LKSYMS_MAX_BACK ? hi - LKSYMS_MAX_BACK : 0;
	uint64_t cur = hi, want, page, got;
	unsigned n = 0, i;
	int err = 0;

	memset(bb, 0, sizeof (*bb));
	/* piece[i] holds [hi - (i + 1) * PIECE, hi - i * PIECE). */
	while (cur > lo && n < NPIECES) {
		want = cur - lo < LKS_BACK_PIECE ? cur - lo : LKS_BACK_PIECE;
		if ((piece[n] = malloc(LKS_BACK_PIECE)) == NULL) {
			err = ENOMEM;
			break;
		}
		if (lk_mem_read(m, cur - want, piece[n] + (LKS_BACK_PIECE -
		    want), (size_t)want) == 0) {
			n++;
			cur -= want;
			continue;
		}
		/* Page by page within the piece, to the first failure. */
		for (got = 0; got < want; got += page) {
			page = (cur - got) % LK_PAGE_SIZE != 0 ?
			    (cur - got) % LK_PAGE_SIZE : LK_PAGE_SIZE;
			if (page > want - got)
				page = want - got;
			if (lk_mem_read(m, cur - got - page, piece[n] +
			    (LKS_BACK_PIECE - got - page), (size_t)page) != 0)
				break;
		}
		n++;
		cur -= got;
		break;
	}
	if (err == 0 && (bb->bb_buf = malloc(hi - cur > 0 ?
	    (size_t)(hi - cur) : 1)) == NULL)
		err = ENOMEM;
	for (i = 0; i < n; i++) {
		/* The bytes of piece i that lie at or above cur. */
		uint64_t top = hi - (uint64_t)i * LKS_BACK_PIECE;
		uint64_t bot = top > LKS_BACK_PIECE ? top - LKS_BACK_PIECE : 0;

		if (bot < cur)
			bot = cur;
		if (err == 0 && top > bot)
			memcpy(bb->bb_buf + (bot - cur), piece[i] +
			    (LKS_BACK_PIECE - (top - bot)), (size_t)(top - bot));
		free(piece[i]);
	}
	if (err != 0) {
		free(bb->bb_buf);
		memset(bb, 0, sizeof (*bb));
		return (err);
	}
	bb->bb_lo = cur;
	bb->bb_hi = hi;
	return (0);
}

static void
lks_back_free(struct lks_back *bb)
{
	free(bb->bb_buf);
	memset(bb, 0, sizeof (*bb));
}

/*
 * Parse count NUL-terminated strings from buf[0 .. n), each at most
 * LKSYMS_TOKEN_MAX bytes: their total length (NULs included), or 0.
 * offs/lens (may be NULL) get each string's offset and length.
 */
static size_t
lks_strings(const unsigned char *buf, size_t n, unsigned count,
    uint16_t *offs, uint16_t *lens)
{
	size_t off = 0, len;
	unsigned i;

	for (i = 0; i < count; i++) {
		if (off >= n || off > UINT16_MAX)
			return (0);
		len = strnlen((const char *)buf + off, n - off);
		if (len >= n - off || len > LKSYMS_TOKEN_MAX)
			return (0);
		if (offs != NULL) {
			offs[i] = (uint16_t)off;
			lens[i] = (uint16_t)len;
		}
		off += len + 1;
	}
	return (off);
}

/*
 * Check and decode the token table at t and its index (alignment a).
 * 0 with the table in ks, or ENOENT / ENOMEM.
 */
static int
lks_tokens(const struct lk_mem *m, uint64_t t, unsigned a, struct lksyms *ks)
{
	unsigned char *buf, idx[512];
	size_t n, len;
	unsigned i;

	if ((buf = malloc(LKS_MAX_TABLE)) == NULL)
		return (ENOMEM);
	n = lk_mem_read_some(m, t, buf, LKS_MAX_TABLE);
	if ((len = lks_strings(buf, n, 256, ks->ks_tok_off,
	    ks->ks_tok_len)) == 0 || t > UINT64_MAX - len - 512 - a ||
	    lk_mem_read(m, lks_align(t + len, a), idx, sizeof (idx)) != 0) {
		free(buf);
		return (ENOENT);
	}
	for (i = 0; i < 256; i++) {
		if (le_decode(idx + 2 * i, 2) != ks->ks_tok_off[i]) {
			free(buf);
			return (ENOENT);
		}
	}
	free(ks->ks_tokens);
	ks->ks_tokens = (char *)buf;
	ks->ks_ptr_size = a;
	ks->ks_token_table = t;
	ks->ks_token_index = lks_align(t + len, a);
	return (0);
}

/*
 * Walk the markers back from end (exclusive): they must fall, step by
 * step, to 0.  The number of markers, or 0 when the words there are no
 * markers.  marks (LKSYMS_MAX_SYMS / 256 entries) gets them in order.
 */
static uint32_t
lks_markers(const struct lks_back *bb, uint64_t end, uint32_t *marks)
{
	const uint32_t maxn = LKSYMS_MAX_SYMS / 256;
	uint64_t prev = UINT64_MAX, v;
	uint32_t k, i;

	if (end % 4 != 0)
		return (0);
	for (k = 0; k < maxn; k++) {
		if (end < bb->bb_lo + 4 * (k + 1))
			return (0);
		v = lks_back_u32(bb, end - 4 * (k + 1));
		if (prev != UINT64_MAX && (v >= prev || prev - v < 2 * 256 ||
		    prev - v > 256 * (LKSYMS_NAME_MAX + 2)))
			return (0);
		marks[maxn - 1 - k] = (uint32_t)v;
		if (v == 0)
			break;
		prev = v;
	}
	if (k == maxn)
		return (0);
	/* In order, at the front. */
	for (i = 0; i <= k; i++)
		marks[i] = marks[maxn - 1 - k + i];
	return (k + 1);
}

/*
 * Do n names from ns (in the back buffer) fall on the markers and end
 * in [ms - a + 1, ms]?  Their length in bytes, or 0.
 */
static uint64_t
lks_names_fit(const struct lks_back *bb, uint64_t ns, uint64_t ms,
    unsigned a, uint32_t n, const uint32_t *marks)
{
	const unsigned char *p = bb->bb_buf + (ns - bb->bb_lo);
	uint64_t off = 0, room = ms - ns, len;
	uint32_t i;

	for (i = 0; i < n; i++) {
		if (i % 256 == 0 && marks[i / 256] != off)
			return (0);
		if (off >= room)
			return (0);
		len = p[off];
		if (len & 0x80) {
			if (off + 1 >= room || (p[off + 1] & 0x80) != 0)
				return (0);
			len = (len & 0x7f) | (uint64_t)p[off + 1] << 7;
			off++;
		}
		if (len == 0 || len > LKSYMS_NAME_MAX)
			return (0);
		off += 1 + len;
		if (off > room)
			return (0);
	}
	if (room - off >= a)
		return (0);
	return (off);
}

/* A plausible kernel address for the pointer size. */
static bool
lks_kernel_addr(uint64_t v, unsigned a)
{
	return (a == 8 ? v >= 0xffff800000000000ULL :
	    v >= 0x40000000ULL && v <= 0xffffffffULL);
}

/*
 * Decode n addresses of the given kind: the table at addrs (and
 * relative_base at rb_at) into ks->ks_values.  true when they are
 * plausible and never decrease.
 */
static bool
lks_values(const struct lk_mem *m, const struct lks_back *bb,
    struct lksyms *ks, enum lksyms_kind kind, uint64_t addrs, uint64_t rb_at,
    uint32_t n)
{
	unsigned a = ks->ks_ptr_size, esz = kind == LKSYMS_ABSOLUTE ? a : 4;
	unsigned char rb[8], *raw;
	uint64_t base = 0, v, prev = 0, *values;
	bool neg = false;
	uint32_t i;

	if (kind != LKSYMS_ABSOLUTE) {
		if (lks_read(m, bb, rb_at, rb, a) != 0)
			return (false);
		base = le_decode(rb, a);
		if (!lks_kernel_addr(base, a))
			return (false);
	}
	if (n == 0 || (raw = malloc((size_t)n * esz)) == NULL)
		return (false);
	if ((values = malloc((size_t)n * sizeof (*values))) == NULL ||
	    lks_read(m, bb, addrs, raw, (size_t)n * esz) != 0) {
		free(values);
		free(raw);
		return (false);
	}
	for (i = 0; i < n && kind == LKSYMS_RELATIVE && a == 8 && !neg; i++)
		neg = (int32_t)le_decode(raw + 4 * i, 4) < 0;
	if (neg)
		kind = LKSYMS_PERCPU;
	/*
	 * relative_base is the first non-absolute symbol's address: its
	 * offset is 0, or -1 with absolute per-cpu symbols (i - 1 is it).
	 */
	if ((kind == LKSYMS_RELATIVE && le_decode(raw, 4) != 0) ||
	    (kind == LKSYMS_PERCPU && le_decode(raw + 4 * (i - 1), 4) !=
	    0xffffffffULL)) {
		free(values);
		free(raw);
		return (false);
	}
	for (i = 0; i < n; i++) {
		v = le_decode(raw + (size_t)i * esz, esz);
		if (kind == LKSYMS_RELATIVE)
			v = base + v;
		else if (kind == LKSYMS_PERCPU)
			v = (int32_t)v >= 0 ? v : base - 1 -
			    (uint64_t)(int64_t)(int32_t)v;
		if (i > 0 && v < prev)
			break;
		values[i] = prev = v;
	}
	free(raw);
	if (i < n || !lks_kernel_addr(prev, a)) {
		free(values);
		return (false);
	}
	free(ks->ks_values);
	ks->ks_values = values;
	ks->ks_kind = kind;
	ks->ks_addrs = addrs;
	ks->ks_relative_base_at = kind == LKSYMS_ABSOLUTE ? 0 : rb_at;
	ks->ks_relative_base = base;
	return (true);
}

/*
 * The addresses of n symbols whose num_syms is at s, in a layout: the
 * relative table (rel) or the absolute one.
 */
static bool
lks_addresses(const struct lk_mem *m, const struct lks_back *bb,
    struct lksyms *ks, enum lksyms_layout layout, bool rel, uint64_t s,
    uint32_t n)
{
	unsigned a = ks->ks_ptr_size;
	uint64_t rel_len = lks_align(4ULL * n, a), x;
	bool ok;

	if (layout == LKSYMS_LAYOUT_NEW) {
		x = lks_align(ks->ks_token_index + 512, a);
		ok = rel ? lks_values(m, bb, ks, LKSYMS_RELATIVE, x,
		    lks_align(x + 4ULL * n, a), n) :
		    lks_values(m, bb, ks, LKSYMS_ABSOLUTE, x, 0, n);
	} else if (rel) {
		ok = s >= a + rel_len && lks_values(m, bb, ks,
		    LKSYMS_RELATIVE, s - a - rel_len, s - a, n);
	} else {
		ok = s >= (uint64_t)n * a && lks_values(m, bb, ks,
		    LKSYMS_ABSOLUTE, s - (uint64_t)n * a, 0, n);
	}
	if (ok)
		ks->ks_layout = layout;
	return (ok);
}

/*
 * The addresses for num_syms at s: the relative tables first (their
 * checks are the stronger), then the absolute ones; 6.2-6.3 tables in
 * the old places only.
 */
static bool
lks_any_addresses(const struct lk_mem *m, const struct lks_back *bb,
    struct lksyms *ks, bool seqs, uint64_t s, uint32_t n)
{
	if (seqs)
		return (lks_addresses(m, bb, ks, LKSYMS_LAYOUT_SEQS, true, s,
		    n) || lks_addresses(m, bb, ks, LKSYMS_LAYOUT_SEQS, false, s,
		    n));
	return (lks_addresses(m, bb, ks, LKSYMS_LAYOUT_OLD, true, s, n) ||
	    lks_addresses(m, bb, ks, LKSYMS_LAYOUT_NEW, true, s, n) ||
	    lks_addresses(m, bb, ks, LKSYMS_LAYOUT_OLD, false, s, n) ||
	    lks_addresses(m, bb, ks, LKSYMS_LAYOUT_NEW, false, s, n));
}

/*
 * With the markers (nm of them, ending at ms + 4 nm) known: find
 * num_syms and the names before ms, for n in [nlo, nhi], then the
 * addresses for the layouts allowed.  true when all fit.
 */
static bool
lks_names(const struct lk_mem *m, const struct lks_back *bb,
    struct lksyms *ks, uint64_t ms, uint32_t nm, const uint32_t *marks,
    uint32_t nlo, uint32_t nhi, bool seqs, enum lks_stage *stage)
{
	unsigned a = ks->ks_ptr_size;
	uint64_t s, s_lo, len;
	uint32_t n;

	if (nlo < 256 * (nm - 1) + 1)
		nlo = 256 * (nm - 1) + 1;
	if (nhi > 256 * nm)
		nhi = 256 * nm;
	/* The markers are a label: aligned. */
	if (nlo > nhi || ms % a != 0 || ms < bb->bb_lo + a + 2ULL * nlo)
		return (false);
	s = (ms - a - 2ULL * nlo) & ~(uint64_t)(a - 1);
	s_lo = ms - a - (uint64_t)nhi * (LKSYMS_NAME_MAX + 3);
	if (s_lo > ms || s_lo < bb->bb_lo)
		s_lo = bb->bb_lo;
	for (; s >= s_lo && s + a <= ms; s -= a) {
		n = lks_back_u32(bb, s);
		if (n >= nlo && n <= nhi &&
		    (len = lks_names_fit(bb, s + a, ms, a, n, marks)) != 0) {
			if (*stage < LKS_STAGE_NAMES)
				*stage = LKS_STAGE_NAMES;
			ks->ks_num_syms = n;
			ks->ks_num_syms_at = s;
			ks->ks_names = s + a;
			ks->ks_names_len = len;
			ks->ks_markers = ms;
			ks->ks_nmarkers = nm;
			if (lks_any_addresses(m, bb, ks, seqs, s, n))
				return (true);
		}
		if (s < a)
			break;
	}
	return (false);
}

/*
 * With the token table in ks: the markers, num_syms, names and
 * addresses.  0, ENOENT or ENOMEM.
 */
static int
lks_rest(const struct lk_mem *m, struct lksyms *ks, enum lks_stage *stage)
{
	const uint64_t t = ks->ks_token_table;
	unsigned a = ks->ks_ptr_size;
	struct lks_back bb;
	uint32_t *marks, nm, nlo, nhi;
	uint64_t end, p, gap, p_lo;
	int err;

	if ((marks = malloc(LKSYMS_MAX_SYMS / 256 * sizeof (*marks))) ==
	    NULL)
		return (ENOMEM);
	if ((err = lks_back_read(m, t, &bb)) != 0) {
		free(marks);
		return (err);
	}
	err = ENOENT;
	/* Markers right before the table (padding, when a = 8, or not). */
	for (end = t; end + 4 >= t && end >= bb.bb_lo + 4; end -= 4) {
		if (end != t && lks_back_u32(&bb, end) != 0)
			break;
		if ((nm = lks_markers(&bb, end, marks)) != 0 &&
		    lks_names(m, &bb, ks, end - 4ULL * nm, nm, marks, 1,
		    LKSYMS_MAX_SYMS, false, stage)) {
			err = 0;
			goto out;
		}
		if (a != 8 || end != t)
			break;
	}
	/* 6.2, 6.3: 3 bytes a symbol between the markers and the table. */
	p_lo = t > 3ULL * LKSYMS_MAX_SYMS + 2 * a ?
	    t - 3ULL * LKSYMS_MAX_SYMS - 2 * a : 0;
	if (p_lo < bb.bb_lo + 4)
		p_lo = bb.bb_lo + 4;
	for (p = (t - 3) & ~3ULL; p >= p_lo && p < t; p -= 4) {
		gap = t - lks_align(p, a);
		if (gap < 3 || lks_align(p, a) > t)
			continue;
		nhi = (uint32_t)(gap / 3 < LKSYMS_MAX_SYMS ? gap / 3 :
		    LKSYMS_MAX_SYMS);
		nlo = (uint32_t)((gap > a ? gap - a + 1 + 2 : 3) / 3);
		if (nlo == 0)
			nlo = 1;
		if ((nm = lks_markers(&bb, p, marks)) == 0)
			continue;
		if (lks_names(m, &bb, ks, p - 4ULL * nm, nm, marks, nlo, nhi,
		    true, stage)) {
			ks->ks_layout = LKSYMS_LAYOUT_SEQS;
			err = 0;
			goto out;
		}
		if (p < 4)
			break;
	}
out:
	if (err == 0 && (ks->ks_name_bytes = malloc((size_t)
	    ks->ks_names_len)) != NULL)
		memcpy(ks->ks_name_bytes, bb.bb_buf + (ks->ks_names -
		    bb.bb_lo), (size_t)ks->ks_names_len);
	else if (err == 0)
		err = ENOMEM;
	lks_back_free(&bb);
	free(marks);
	return (err);
}

/* Try the table at t with alignment a: 0, ENOENT or ENOMEM. */
static int
lks_try(const struct lk_mem *m, uint64_t t, unsigned a, struct lksyms *ks,
    enum lks_stage *stage)
{
	int err;

	if ((err = lks_tokens(m, t, a, ks)) != 0)
		return (err);
	if (*stage < LKS_STAGE_TOKENS)
		*stage = LKS_STAGE_TOKENS;
	return (lks_rest(m, ks, stage));
}

/* A run of digit tokens at d: the table start its index gives, or 0. */
static uint64_t
lks_table_from_digits(const struct lk_mem *m, uint64_t d, unsigned a)
{
	unsigned char *buf, idx[2];
	size_t n, len;
	uint64_t t;

	if ((buf = malloc(LKS_MAX_TABLE)) == NULL)
		return (0);
	n = lk_mem_read_some(m, d, buf, LKS_MAX_TABLE);
	len = lks_strings(buf, n, 256 - '0', NULL, NULL);
	free(buf);
	if (len == 0 || d > UINT64_MAX - len - 512 - a ||
	    lk_mem_read(m, lks_align(d + len, a) + 2 * '0', idx, 2) != 0)
		return (0);
	t = le_decode(idx, 2);
	/* Each of the 48 tokens before "0" takes a byte at least. */
	return (t <= d && t >= '0' ? d - t : 0);
}

static int
lks_candidate(void *arg, uint64_t d)
{
	struct lks_search *s = arg;
	unsigned sizes[2] = { 8, 4 }, i;
	uint64_t t;
	int err;

	if (s->s_stage < LKS_STAGE_DIGITS)
		s->s_stage = LKS_STAGE_DIGITS;
	if (++s->s_candidates > LKS_MAX_CANDIDATES)
		return (1);
	for (i = 0; i < 2; i++) {
		if (s->s_ptr_size != 0 && s->s_ptr_size != sizes[i])
			continue;
		if ((t = lks_table_from_digits(s->s_mem, d, sizes[i])) == 0)
			continue;
		err = lks_try(s->s_mem, t, sizes[i], s->s_ks, &s->s_stage);
		if (err == 0) {
			s->s_stage = LKS_STAGE_DONE;
			return (1);
		}
		if (err == ENOMEM) {
			s->s_err = ENOMEM;
			return (1);
		}
	}
	return (0);
}

static const char *
lks_stage_what(enum lks_stage stage)
{
	switch (stage) {
	case LKS_STAGE_NONE:
		return ("no run of digit tokens");
	case LKS_STAGE_DIGITS:
		return ("digit runs, but no token table whose index fits");
	case LKS_STAGE_TOKENS:
		return ("a token table, but no markers and names that fit it");
	default:
		return ("names, but no address table that fits them");
	}
}

int
lksyms_locate(const struct lk_mem *m, uint64_t lo, uint64_t hi,
    unsigned ptr_size, struct lksyms *ks, char *errbuf, size_t errlen)
{
	struct lks_search s;
	int err;

	memset(ks, 0, sizeof (*ks));
	memset(&s, 0, sizeof (s));
	s.s_mem = m;
	s.s_ptr_size = ptr_size;
	s.s_ks = ks;
	if (lo < hi)
		(void) lk_mem_scan(m, lo, hi, lks_digits, sizeof (lks_digits),
		    0, lks_candidate, &s);
	if (s.s_stage == LKS_STAGE_DONE)
		return (0);
	err = s.s_err != 0 ? s.s_err : ENOENT;
	if (errbuf != NULL)
		(void) snprintf(errbuf, errlen, "no kallsyms in [%#llx, %#llx): "
		    "%s (%u examined)", (unsigned long long)lo,
		    (unsigned long long)hi, lks_stage_what(s.s_stage),
		    s.s_candidates > LKS_MAX_CANDIDATES ? LKS_MAX_CANDIDATES :
		    s.s_candidates);
	lksyms_fini(ks);
	return (err);
}

int
lksyms_locate_at(const struct lk_mem *m, uint64_t token_table,
    unsigned ptr_size, struct lksyms *ks, char *errbuf, size_t errlen)
{
	enum lks_stage stage = LKS_STAGE_DIGITS;
	int err;

	memset(ks, 0, sizeof (*ks));
	if (ptr_size != 8 && ptr_size != 4)
		return (EINVAL);
	if ((err = lks_try(m, token_table, ptr_size, ks, &stage)) == 0)
		return (0);
	if (errbuf != NULL)
		(void) snprintf(errbuf, errlen, "no kallsyms at %#llx: %s",
		    (unsigned long long)token_table, lks_stage_what(stage));
	lksyms_fini(ks);
	return (err);
}

/* Expand symbol i's name (at names + *offp) into buf: its length or 0. */
static size_t
lks_expand(const struct lksyms *ks, uint64_t *offp, char *buf)
{
	const unsigned char *p = ks->ks_name_bytes;
	uint64_t off = *offp, len, j;
	size_t out = 0;
	bool ok = true;

	if (off >= ks->ks_names_len)
		return (0);
	len = p[off++];
	if ((len & 0x80) && off < ks->ks_names_len)
		len = (len & 0x7f) | (uint64_t)p[off++] << 7;
	if (len > ks->ks_names_len - off) {
		*offp = ks->ks_names_len;
		return (0);
	}
	for (j = 0; j < len; j++) {
		unsigned tok = p[off + j];
		size_t tl = ks->ks_tok_len[tok];

		if (out + tl > LKSYMS_NAME_MAX) {
			ok = false;
			break;
		}
		memcpy(buf + out, ks->ks_tokens + ks->ks_tok_off[tok], tl);
		out += tl;
	}
	*offp = off + len;
	buf[out] = '\0';
	return (ok && out >= 2 ? out : 0);
}

int
lksyms_foreach(const struct lksyms *ks,
    int (*cb)(void *, const char *, char, uint64_t), void *arg)
{
	char name[LKSYMS_NAME_MAX + 1];
	uint64_t off = 0;
	uint32_t i;
	int rv;

	if (ks->ks_name_bytes == NULL || ks->ks_values == NULL)
		return (EINVAL);
	for (i = 0; i < ks->ks_num_syms && off < ks->ks_names_len; i++) {
		if (lks_expand(ks, &off, name) == 0)
			continue;
		if ((rv = cb(arg, name + 1, name[0], ks->ks_values[i])) != 0)
			return (rv);
	}
	return (0);
}

struct lks_lookup {
	const char	*l_name;
	uint64_t	l_addr;
};

static int
lks_lookup_cb(void *arg, const char *name, char type, uint64_t addr)
{
	struct lks_lookup *l = arg;

	(void) type;
	if (strcmp(name, l->l_name) != 0)
		return (0);
	l->l_addr = addr;
	return (1);
}

int
lksyms_lookup(const struct lksyms *ks, const char *name, uint64_t *addrp)
{
	struct lks_lookup l = { name, 0 };

	if (lksyms_foreach(ks, lks_lookup_cb, &l) != 1)
		return (ENOENT);
	*addrp = l.l_addr;
	return (0);
}

const char *
lksyms_layout_name(enum lksyms_layout layout)
{
	switch (layout) {
	case LKSYMS_LAYOUT_OLD:
		return ("..6.1");
	case LKSYMS_LAYOUT_SEQS:
		return ("6.2-6.3");
	case LKSYMS_LAYOUT_NEW:
		return ("6.4..");
	}
	return ("?");
}

const char *
lksyms_kind_name(enum lksyms_kind kind)
{
	switch (kind) {
	case LKSYMS_RELATIVE:
		return ("base-relative");
	case LKSYMS_PERCPU:
		return ("base-relative, absolute per-cpu");
	case LKSYMS_ABSOLUTE:
		return ("absolute");
	}
	return ("?");
}

void
lksyms_fini(struct lksyms *ks)
{
	free(ks->ks_tokens);
	free(ks->ks_name_bytes);
	free(ks->ks_values);
	memset(ks, 0, sizeof (*ks));
}
