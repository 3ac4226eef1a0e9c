/*
 * tests/kallsyms_enc.h -- the tests' own kallsyms encoder: from a list
 * of symbols (sorted by address), the tables a kernel build would put in
 * .rodata, in any of the three orders and three kinds
 * guest/linux/linux_kallsyms.h names, for a given pointer size.  Written
 * from the format's description, not from scripts/kallsyms.c: tokens are
 * the characters that occur (each at its own code) plus pairs merged
 * greedily into the free codes, as the kernel's build does.
 */
#ifndef PORTHOLE_TESTS_KALLSYMS_ENC_H
#define PORTHOLE_TESTS_KALLSYMS_ENC_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "guest/linux/linux_kallsyms.h"

#define	KENC_NAME_MAX	300
#ifndef KENC_MAX_MERGES
#define	KENC_MAX_MERGES	96	/* merged tokens, at most (speed) */
#endif

struct kenc_sym {
	char		ks_name[KENC_NAME_MAX];
	char		ks_type;
	uint64_t	ks_addr;
	bool		ks_abs;		/* absolute (per-cpu) under PERCPU */
};

/* Where the encoder put the tables. */
struct kenc_where {
	uint64_t	kw_token_table;
	uint64_t	kw_token_index;
	uint64_t	kw_names;
	uint64_t	kw_markers;
	uint64_t	kw_num_syms;
	uint64_t	kw_addrs;
	uint64_t	kw_end;
};

struct kenc_buf {
	unsigned char	*kb_out;
	size_t		kb_cap;
	uint64_t	kb_base;	/* address of kb_out[0] */
	uint64_t	kb_pos;		/* next address */
	bool		kb_overflow;
};

static inline void
kenc_bytes(struct kenc_buf *b, const void *p, size_t n)
{
	if (b->kb_pos - b->kb_base + n > b->kb_cap) {
		b->kb_overflow = true;
		return;
	}
	memcpy(b->kb_out + (b->kb_pos - b->kb_base), p, n);
	b->kb_pos += n;
}

static inline void
kenc_le(struct kenc_buf *b, uint64_t v, unsigned n)
{
	unsigned char x[8];
	unsigned i;

	for (i = 0; i < n; i++)
		x[i] = (unsigned char)(v >> (8 * i));
	kenc_bytes(b, x, n);
}

/* A label: zeros up to the alignment; returns the label's address. */
static inline uint64_t
kenc_label(struct kenc_buf *b, unsigned a)
{
	static const unsigned char zero[8];

	while (b->kb_pos % a != 0)
		kenc_bytes(b, zero, 1);
	return (b->kb_pos);
}

/* Symbol i's token codes. */
struct kenc_seq {
	unsigned char	*q_code;
	size_t		q_len;
};

/* Build the token table (tok[256], NUL-free strings) and the codes. */
static inline void
kenc_tokens(const struct kenc_sym *syms, uint32_t n, char tok[256][64],
    struct kenc_seq *seq)
{
	static uint32_t count[256 * 256], touched[65536];
	bool used[256] = { false };
	uint32_t i, best;
	size_t j, k;
	unsigned c, f, merges = 0;

	memset(tok, 0, 256 * 64);
	for (i = 0; i < n; i++) {
		size_t len = strlen(syms[i].ks_name) + 1;

		seq[i].q_code = malloc(len);
		if (seq[i].q_code == NULL)
			abort();
		seq[i].q_code[0] = (unsigned char)syms[i].ks_type;
		memcpy(seq[i].q_code + 1, syms[i].ks_name, len - 1);
		seq[i].q_len = len;
		for (j = 0; j < len; j++)
			used[seq[i].q_code[j]] = true;
	}
	for (c = 0; c < 256; c++) {
		if (used[c])
			tok[c][0] = (char)c;
	}
	for (f = 0; f < 256 && merges < KENC_MAX_MERGES; f++) {
		size_t ntouched = 0;

		if (used[f])
			continue;
		merges++;
		/* Count the pairs, the best on the fly; reset what was used. */
		best = 0;
		count[0] = 0;
		for (i = 0; i < n; i++) {
			for (j = 0; j + 1 < seq[i].q_len; j++) {
				uint32_t pair = (uint32_t)seq[i].q_code[j] << 8 |
				    seq[i].q_code[j + 1];

				if (count[pair]++ == 0 && ntouched < 65536)
					touched[ntouched++] = pair;
				if (count[pair] > count[best])
					best = pair;
			}
		}
		c = count[best];
		for (j = 0; j < ntouched; j++)
			count[touched[j]] = 0;
		if (c < 2 || strlen(tok[best >> 8]) +
		    strlen(tok[best & 0xff]) >= 64)
			break;
		(void) strcpy(tok[f], tok[best >> 8]);
		(void) strcat(tok[f], tok[best & 0xff]);
		used[f] = true;
		for (i = 0; i < n; i++) {
			for (j = k = 0; j < seq[i].q_len; j++) {
				if (j + 1 < seq[i].q_len &&
				    seq[i].q_code[j] == (best >> 8) &&
				    seq[i].q_code[j + 1] == (best & 0xff)) {
					seq[i].q_code[k++] = (unsigned char)f;
					j++;
				} else {
					seq[i].q_code[k++] = seq[i].q_code[j];
				}
			}
			seq[i].q_len = k;
		}
	}
}

static inline void
kenc_addrs(struct kenc_buf *b, const struct kenc_sym *syms, uint32_t n,
    unsigned a, enum lksyms_kind kind, uint64_t relbase, uint64_t *addrsp,
    uint64_t *rbp)
{
	uint32_t i;

	*addrsp = kenc_label(b, a);
	for (i = 0; i < n; i++) {
		if (kind == LKSYMS_ABSOLUTE)
			kenc_le(b, syms[i].ks_addr, a);
		else if (kind == LKSYMS_RELATIVE)
			kenc_le(b, (uint32_t)(syms[i].ks_addr - relbase), 4);
		else if (syms[i].ks_abs)
			kenc_le(b, (uint32_t)syms[i].ks_addr, 4);
		else
			kenc_le(b, (uint32_t)(int32_t)(int64_t)(relbase -
			    syms[i].ks_addr - 1), 4);
	}
	if (kind != LKSYMS_ABSOLUTE) {
		*rbp = kenc_label(b, a);
		kenc_le(b, relbase, a);
	}
}

static inline void
kenc_seqs(struct kenc_buf *b, uint32_t n, unsigned a)
{
	uint32_t i;

	(void) kenc_label(b, a);
	for (i = 0; i < n; i++) {
		kenc_le(b, (i >> 16) & 0xff, 1);
		kenc_le(b, (i >> 8) & 0xff, 1);
		kenc_le(b, i & 0xff, 1);
	}
}

/*
 * Encode n symbols at address base into out (cap bytes): the number of
 * bytes written (0 when they did not fit).  relbase: the relative base
 * for RELATIVE and PERCPU (the lowest non-absolute address).
 */
static inline size_t
kenc_build(const struct kenc_sym *syms, uint32_t n, unsigned a,
    enum lksyms_layout layout, enum lksyms_kind kind, uint64_t relbase,
    uint64_t base, unsigned char *out, size_t cap, struct kenc_where *w)
{
	static char tok[256][64];
	struct kenc_buf b = { out, cap, base, base, false };
	struct kenc_seq *seq = calloc(n > 0 ? n : 1, sizeof (*seq));
	uint32_t *marks = calloc(n / 256 + 1, sizeof (*marks));
	uint16_t idx[256];
	uint64_t rb = 0, off;
	uint32_t i;
	unsigned c;

	if (seq == NULL || marks == NULL)
		abort();
	memset(w, 0, sizeof (*w));
	kenc_tokens(syms, n, tok, seq);
	if (layout != LKSYMS_LAYOUT_NEW)
		kenc_addrs(&b, syms, n, a, kind, relbase, &w->kw_addrs, &rb);
	w->kw_num_syms = kenc_label(&b, a);
	kenc_le(&b, n, 4);
	w->kw_names = kenc_label(&b, a);
	for (i = off = 0; i < n; i++) {
		if (i % 256 == 0)
			marks[i / 256] = (uint32_t)off;
		if (seq[i].q_len > 0x7f) {
			kenc_le(&b, (seq[i].q_len & 0x7f) | 0x80, 1);
			kenc_le(&b, seq[i].q_len >> 7, 1);
			off++;
		} else {
			kenc_le(&b, seq[i].q_len, 1);
		}
		kenc_bytes(&b, seq[i].q_code, seq[i].q_len);
		off += 1 + seq[i].q_len;
	}
	w->kw_markers = kenc_label(&b, a);
	for (i = 0; i < (n + 255) / 256; i++)
		kenc_le(&b, marks[i], 4);
	if (layout == LKSYMS_LAYOUT_SEQS)
		kenc_seqs(&b, n, a);
	w->kw_token_table = kenc_label(&b, a);
	for (c = 0, off = 0; c < 256; c++) {
		idx[c] = (uint16_t)off;
		kenc_bytes(&b, tok[c], strlen(tok[c]) + 1);
		off += strlen(tok[c]) + 1;
	}
	w->kw_token_index = kenc_label(&b, a);
	for (c = 0; c < 256; c++)
		kenc_le(&b, idx[c], 2);
	if (layout == LKSYMS_LAYOUT_NEW) {
		kenc_addrs(&b, syms, n, a, kind, relbase, &w->kw_addrs, &rb);
		kenc_seqs(&b, n, a);
	}
	w->kw_end = b.kb_pos;
	for (i = 0; i < n; i++)
		free(seq[i].q_code);
	free(seq);
	free(marks);
	return (b.kb_overflow ? 0 : (size_t)(b.kb_pos - base));
}

#endif /* PORTHOLE_TESTS_KALLSYMS_ENC_H */
