/*
 * linux_btf.c -- structure sizes and member offsets from a Linux
 * kernel's BTF, parsed with libbpf.  See linux_btf.h for the contract.
 *
 * libbpf (1.0 and later) validates the header and the section bounds
 * when it parses; it does not promise that every type id a type refers
 * to exists, so every id is looked up through btf__type_by_id and a NULL
 * answer ends the lookup.  Typedef and qualifier chains are followed at
 * most LBTF_MAX_CHAIN steps, anonymous members LBTF_MAX_NESTING deep: a
 * hostile blob with cycles ends in ENOENT or EINVAL, never in a loop.
 *
 * libbpf prints its complaints through a process-wide printer; the
 * parse swaps in a silent one for its duration (and puts the old one
 * back), since the library never prints.  A program that uses libbpf
 * itself in another thread at that moment loses those messages.
 *
 * Non-goals: split (module) BTF, dotted member paths, array elements,
 * and any BTF kind the lookups above do not need (functions, variables,
 * data sections, tags).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest/linux/linux_btf.h"

#ifdef HAVE_LIBBPF

#include <pthread.h>
#include <stdarg.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#define	LBTF_MAX_CHAIN	32

/* Serialises the swap of libbpf's (process-wide) message printer. */
static pthread_mutex_t lbtf_print_lock = PTHREAD_MUTEX_INITIALIZER;

struct lbtf {
	struct btf	*lb_btf;
};

bool
lbtf_supported(void)
{
	return (true);
}

/* libbpf's messages go nowhere: the library never prints. */
static int
lbtf_quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void) level;
	(void) fmt;
	(void) ap;
	return (0);
}

/* btf__new with libbpf's printer silenced for the call. */
static struct btf *
lbtf_parse(const void *data, size_t len)
{
	libbpf_print_fn_t old;
	struct btf *btf;
	int err;

	(void) pthread_mutex_lock(&lbtf_print_lock);
	old = libbpf_set_print(lbtf_quiet);
	errno = 0;
	btf = btf__new(data, (__u32)len);
	err = errno;
	(void) libbpf_set_print(old);
	(void) pthread_mutex_unlock(&lbtf_print_lock);
	errno = err;
	return (btf);
}

int
lbtf_open(const void *data, size_t len, struct lbtf **out, char *errbuf,
    size_t errlen)
{
	struct lbtf *b;
	int err;

	*out = NULL;
	if (data == NULL || len == 0 || len > LBTF_MAX_BLOB) {
		if (errbuf != NULL)
			(void) snprintf(errbuf, errlen, "a BTF blob of %zu "
			    "bytes is refused (1 byte .. %u MiB)", len,
			    LBTF_MAX_BLOB >> 20);
		return (EINVAL);
	}
	if ((b = calloc(1, sizeof (*b))) == NULL)
		return (ENOMEM);
	if ((b->lb_btf = lbtf_parse(data, len)) == NULL) {
		err = errno == ENOMEM ? ENOMEM : EINVAL;
		if (errbuf != NULL)
			(void) snprintf(errbuf, errlen, "libbpf refuses the "
			    "%zu-byte BTF blob (%s): not BTF, or corrupt", len,
			    strerror(errno != 0 ? errno : EINVAL));
		free(b);
		return (err);
	}
	*out = b;
	return (0);
}

void
lbtf_close(struct lbtf *b)
{
	if (b == NULL)
		return;
	btf__free(b->lb_btf);
	free(b);
}

const void *
lbtf_data(const struct lbtf *b, size_t *lenp)
{
	__u32 n = 0;
	const void *p;

	p = btf__raw_data(b->lb_btf, &n);
	*lenp = p != NULL ? n : 0;
	return (p);
}

uint32_t
lbtf_ntypes(const struct lbtf *b)
{
	__u32 n = btf__type_cnt(b->lb_btf);

	return (n > 0 ? n - 1 : 0);	/* id 0 is void */
}

/*
 * The type id reached from id through typedefs and qualifiers (id itself
 * when it is neither), with *tp set; 0 (void) when the chain is broken or
 * too long.
 */
static __u32
lbtf_strip(const struct btf *btf, __u32 id, const struct btf_type **tp)
{
	const struct btf_type *t;
	unsigned i;

	for (i = 0; i < LBTF_MAX_CHAIN && id != 0; i++) {
		if ((t = btf__type_by_id(btf, id)) == NULL)
			return (0);
		if (!btf_is_typedef(t) && !btf_is_mod(t)) {
			*tp = t;
			return (id);
		}
		id = t->type;
	}
	return (0);
}

/*
 * The id of the type named name: a struct, a union, a typedef of one,
 * else (any_kind) any type of that name.  0 when there is none.
 */
static __u32
lbtf_find(const struct btf *btf, const char *name, bool any_kind)
{
	const struct btf_type *t;
	__s32 id;

	if ((id = btf__find_by_name_kind(btf, name, BTF_KIND_STRUCT)) > 0 ||
	    (id = btf__find_by_name_kind(btf, name, BTF_KIND_UNION)) > 0)
		return ((__u32)id);
	if ((id = btf__find_by_name_kind(btf, name, BTF_KIND_TYPEDEF)) > 0) {
		if (lbtf_strip(btf, (__u32)id, &t) != 0 &&
		    (any_kind || btf_is_composite(t)))
			return ((__u32)id);
	}
	if (any_kind && (id = btf__find_by_name(btf, name)) > 0)
		return ((__u32)id);
	return (0);
}

int
lbtf_size(const struct lbtf *b, const char *type, uint64_t *sizep)
{
	__u32 id;
	__s64 size;

	if (b == NULL || type == NULL)
		return (EINVAL);
	if ((id = lbtf_find(b->lb_btf, type, true)) == 0)
		return (ENOENT);
	if ((size = btf__resolve_size(b->lb_btf, id)) < 0)
		return (EINVAL);
	*sizep = (uint64_t)size;
	return (0);
}

/* True when member i of composite t is a bitfield. */
static bool
lbtf_is_bitfield(const struct btf *btf, const struct btf_type *t, __u32 i)
{
	const struct btf_member *m = btf_members(t) + i;
	const struct btf_type *mt = NULL;

	if (btf_member_bitfield_size(t, i) != 0 ||
	    btf_member_bit_offset(t, i) % 8 != 0)
		return (true);
	/* The encoding before kind_flag: the int itself says its bits. */
	if (btf_kflag(t) || lbtf_strip(btf, m->type, &mt) == 0 ||
	    !btf_is_int(mt))
		return (false);
	return (btf_int_offset(mt) != 0 ||
	    btf_int_bits(mt) != mt->size * 8);
}

/*
 * Look member up in composite t (id), recursing into anonymous struct and
 * union members depth levels more; base is t's offset in the outer type,
 * in bits.  0 with *offp and *sizep set, ENOENT, ENOTSUP or EINVAL.
 */
static int
lbtf_member_in(const struct btf *btf, const struct btf_type *t,
    const char *member, uint64_t base, unsigned depth, uint64_t *offp,
    uint64_t *sizep)
{
	const struct btf_member *m = btf_members(t);
	const struct btf_type *mt;
	__u32 i, vlen = btf_vlen(t);
	const char *name;
	uint64_t bit;
	__s64 size;
	int err;

	for (i = 0; i < vlen; i++) {
		name = btf__name_by_offset(btf, m[i].name_off);
		bit = base + btf_member_bit_offset(t, i);
		if (name != NULL && name[0] != '\0') {
			if (strcmp(name, member) != 0)
				continue;
			if (lbtf_is_bitfield(btf, t, i))
				return (ENOTSUP);
			if ((size = btf__resolve_size(btf, m[i].type)) < 0)
				return (EINVAL);
			*offp = bit / 8;
			*sizep = (uint64_t)size;
			return (0);
		}
		if (name == NULL || depth == 0)
			continue;
		/* An anonymous member: its members are t's. */
		mt = NULL;
		if (lbtf_strip(btf, m[i].type, &mt) == 0 ||
		    !btf_is_composite(mt))
			continue;
		err = lbtf_member_in(btf, mt, member, bit, depth - 1, offp,
		    sizep);
		if (err != ENOENT)
			return (err);
	}
	return (ENOENT);
}

int
lbtf_member(const struct lbtf *b, const char *type, const char *member,
    uint64_t *offp, uint64_t *sizep)
{
	const struct btf_type *t = NULL;
	__u32 id;

	if (b == NULL || type == NULL || member == NULL || member[0] == '\0')
		return (EINVAL);
	if ((id = lbtf_find(b->lb_btf, type, false)) == 0 ||
	    lbtf_strip(b->lb_btf, id, &t) == 0 || !btf_is_composite(t))
		return (ENOENT);
	return (lbtf_member_in(b->lb_btf, t, member, 0, LBTF_MAX_NESTING,
	    offp, sizep));
}

#else /* !HAVE_LIBBPF */

bool
lbtf_supported(void)
{
	return (false);
}

int
lbtf_open(const void *data, size_t len, struct lbtf **out, char *errbuf,
    size_t errlen)
{
	(void) data;
	(void) len;
	*out = NULL;
	if (errbuf != NULL)
		(void) snprintf(errbuf, errlen, "this porthole was built "
		    "without libbpf, so it reads no BTF (install libbpf-dev "
		    "and configure again)");
	return (ENOTSUP);
}

void
lbtf_close(struct lbtf *b)
{
	(void) b;
}

const void *
lbtf_data(const struct lbtf *b, size_t *lenp)
{
	(void) b;
	*lenp = 0;
	return (NULL);
}

uint32_t
lbtf_ntypes(const struct lbtf *b)
{
	(void) b;
	return (0);
}

int
lbtf_size(const struct lbtf *b, const char *type, uint64_t *sizep)
{
	(void) b;
	(void) type;
	(void) sizep;
	return (ENOTSUP);
}

int
lbtf_member(const struct lbtf *b, const char *type, const char *member,
    uint64_t *offp, uint64_t *sizep)
{
	(void) b;
	(void) type;
	(void) member;
	(void) offp;
	(void) sizep;
	return (ENOTSUP);
}

#endif /* HAVE_LIBBPF */
