/*
 * guest/linux/linux_kallsyms.h -- the kernel's own symbol table
 * (kallsyms) found and decoded in guest memory, with no symbol file.
 *
 * What the kernel's build (scripts/kallsyms.c) lays out in .rodata, each
 * table aligned to the pointer size A ("ALGN"):
 *
 *	kallsyms_token_table	256 NUL-terminated strings; a byte of a
 *				name stands for the string it indexes
 *	kallsyms_token_index	256 u16: each string's offset in the table
 *	kallsyms_names		per symbol: a length (one byte, or two as
 *				ULEB128 when >= 0x80, since 6.1) and that
 *				many token bytes; the first character of
 *				the expanded name is the symbol's type
 *	kallsyms_markers	u32: the offset in kallsyms_names of
 *				every 256th symbol
 *	kallsyms_num_syms	u32 (a pointer before 6.1)
 *	kallsyms_offsets	u32 per symbol, with kallsyms_relative_base
 *				(a pointer): base-relative addresses; with
 *				--absolute-percpu (x86_64 SMP) a positive
 *				offset is an absolute value and a negative
 *				one means relative_base - 1 - offset
 *	kallsyms_addresses	a pointer per symbol, without
 *				CONFIG_KALLSYMS_BASE_RELATIVE
 *	kallsyms_seqs_of_names	3 bytes per symbol (6.2+)
 *
 * in one of three orders:
 *	LKSYMS_LAYOUT_OLD	(..6.1) offsets, relative_base, num_syms,
 *				names, markers, token_table, token_index
 *	LKSYMS_LAYOUT_SEQS	(6.2, 6.3) the same with seqs_of_names
 *				between markers and token_table
 *	LKSYMS_LAYOUT_NEW	(6.4..) num_syms, names, markers,
 *				token_table, token_index, offsets,
 *				relative_base, seqs_of_names
 *
 * How it is found: the token table holds the digits as one-character
 * strings in a row ("0\0" "1\0" ... "9\0": digits are in symbols and
 * keep their own code), which the search looks for; the table's start
 * follows from the index that comes after it, and every one of the 256
 * index entries must point at its string.  Then the markers (counting
 * back from the table: rising, every step at least 2 bytes a symbol),
 * num_syms and the names (every marker must fall on its symbol and the
 * names must end where the markers begin), and the addresses (the
 * layout says where; decoded addresses never decrease, since the table
 * is sorted by address).  Every read is bounded and every index checked;
 * a table that fails a check is not the kernel's.
 *
 * Addresses are in the space the caller searches (physical or virtual);
 * symbol values are what the kernel's table says: runtime addresses
 * (the relocation at boot applies KASLR to relative_base).
 *
 * Non-goals: older kernels' pointer-sized markers, kernels whose
 * kallsyms have neither relative_base nor addresses, big-endian
 * kernels, and CONFIG_KALLSYMS_ALL's extra symbols meaning anything
 * special.
 */
#ifndef PORTHOLE_GUEST_LINUX_KALLSYMS_H
#define PORTHOLE_GUEST_LINUX_KALLSYMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "guest/linux/linux_mem.h"

#define	LKSYMS_MAX_SYMS		(1u << 21)
#define	LKSYMS_NAME_MAX		512u	/* KSYM_NAME_LEN */
#define	LKSYMS_TOKEN_MAX	512u	/* bytes of one token string */
#define	LKSYMS_MAX_BACK		(24u << 20)	/* bytes read before the
						   token table, at most */

enum lksyms_layout {
	LKSYMS_LAYOUT_OLD = 0,
	LKSYMS_LAYOUT_SEQS,
	LKSYMS_LAYOUT_NEW
};

enum lksyms_kind {
	LKSYMS_RELATIVE = 0,	/* relative_base + (u32)offset */
	LKSYMS_PERCPU,		/* --absolute-percpu */
	LKSYMS_ABSOLUTE		/* kallsyms_addresses */
};

/*
 * A located table: where its parts are (in the searched space), what
 * kind, and the decoded pieces lksyms_foreach needs (owned; free with
 * lksyms_fini).
 */
struct lksyms {
	unsigned	ks_ptr_size;		/* A: 8 or 4 */
	enum lksyms_layout ks_layout;
	enum lksyms_kind ks_kind;
	uint32_t	ks_num_syms;
	uint64_t	ks_num_syms_at;
	uint64_t	ks_names;
	uint64_t	ks_names_len;
	uint64_t	ks_markers;
	uint32_t	ks_nmarkers;
	uint64_t	ks_token_table;
	uint64_t	ks_token_index;
	uint64_t	ks_addrs;		/* offsets or addresses */
	uint64_t	ks_relative_base_at;	/* 0: none */
	uint64_t	ks_relative_base;

	/* Decoded. */
	char		*ks_tokens;		/* the table, 256 strings */
	uint16_t	ks_tok_off[256];
	uint16_t	ks_tok_len[256];
	unsigned char	*ks_name_bytes;		/* kallsyms_names */
	uint64_t	*ks_values;		/* one address per symbol */
};

/*
 * Search [lo, hi) of m for the kernel's kallsyms and decode its parts.
 * ptr_size 8 or 4, or 0 to try both.  0 with *ks filled, ENOENT (none
 * found; errbuf says what the search saw), ENOMEM.
 */
int	lksyms_locate(const struct lk_mem *m, uint64_t lo, uint64_t hi,
	    unsigned ptr_size, struct lksyms *ks, char *errbuf,
	    size_t errlen);

/*
 * The same from a known token table address (a cached location): the
 * checks are the same, the search is not made.
 */
int	lksyms_locate_at(const struct lk_mem *m, uint64_t token_table,
	    unsigned ptr_size, struct lksyms *ks, char *errbuf,
	    size_t errlen);

/*
 * Call cb(arg, name, type, address) for each symbol, in table order
 * (ascending addresses).  A symbol whose name does not expand to 2 ..
 * LKSYMS_NAME_MAX characters is passed over.  cb returns 0 to go on,
 * anything else to stop (returned).
 */
int	lksyms_foreach(const struct lksyms *ks,
	    int (*cb)(void *arg, const char *name, char type, uint64_t addr),
	    void *arg);

/* The address of one symbol by name (a linear search): 0 or ENOENT. */
int	lksyms_lookup(const struct lksyms *ks, const char *name,
	    uint64_t *addrp);

/* "6.1", "6.2-6.3", "6.4+" for a layout; "relative", ... for a kind. */
const char *lksyms_layout_name(enum lksyms_layout layout);
const char *lksyms_kind_name(enum lksyms_kind kind);

void	lksyms_fini(struct lksyms *ks);

#endif /* PORTHOLE_GUEST_LINUX_KALLSYMS_H */
