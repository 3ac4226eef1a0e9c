/*
 * linux_profile.c -- the profile store: four hash tables (symbols,
 * members, sizes, numbers) keyed by name, a BTF behind the member and
 * size lookups, and a symbol source behind the symbol lookups.  See
 * linux_profile.h for the contract.
 *
 * Each table chains its entries in a power-of-two bucket array that
 * doubles when the entries outnumber the buckets twice.  An entry is
 * explicit (set by a caller) or learned (a BTF answer remembered,
 * including "no such member" and "a bitfield"); lprof_walk and
 * lprof_count see the explicit ones only.  Member keys are the type
 * and the member name with a NUL between them.
 *
 * Locking: lp_lock guards the tables and lp_btf; lp_fill_lock
 * serialises the one call of the symbol source, made without lp_lock so
 * that the source can add symbols.  Lookups on a const profile may add
 * learned entries: the store is logically const, physically not.
 *
 * Non-goals: removing entries (a profile only grows, until it is freed).
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "guest/linux/linux_btf.h"
#include "guest/linux/linux_profile.h"

#define	LPROF_NKINDS		4
#define	LPROF_INITIAL_BUCKETS	64

/* Entry flags. */
#define	LPE_EXPLICIT	0x1	/* set by a caller */
#define	LPE_MISSING	0x2	/* learned: BTF does not know it */
#define	LPE_BITFIELD	0x4	/* learned: a bitfield, refused */

struct lprof_ent {
	struct lprof_ent *e_next;
	uint64_t	e_hash;
	uint64_t	e_value;
	uint64_t	e_size;
	unsigned	e_flags;
	size_t		e_keylen;	/* bytes of e_key, the NUL between
					   type and member included */
	char		e_key[];	/* NUL-terminated */
};

struct lprof_table {
	struct lprof_ent **t_buckets;
	size_t		t_nbuckets;	/* a power of two, or 0 */
	size_t		t_count;	/* entries */
	size_t		t_explicit;	/* explicit entries */
};

/* Where the symbol source stands. */
enum lprof_fill_state {
	LPROF_FILL_NONE = 0,		/* no source */
	LPROF_FILL_PENDING,		/* not called yet */
	LPROF_FILL_DONE			/* called (or running) */
};

struct linux_profile {
	pthread_mutex_t	lp_lock;
	struct lprof_table lp_tab[LPROF_NKINDS];
	struct lbtf	*lp_btf;

	pthread_mutex_t	lp_fill_lock;
	enum lprof_fill_state lp_fill_state;
	int		(*lp_fill)(void *, struct linux_profile *);
	void		(*lp_fini)(void *);
	void		*lp_fill_arg;
};

/* A key: one name, or a type and a member. */
struct lprof_key {
	const char	*k_a;
	size_t		k_alen;
	const char	*k_b;		/* NULL: a one-name key */
	size_t		k_blen;
	uint64_t	k_hash;
};

static uint64_t
lprof_hash_bytes(uint64_t h, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ULL;
	}
	return (h);
}

/* Fill k from the names; EINVAL for an empty or too long one. */
static int
lprof_key_make(struct lprof_key *k, const char *a, const char *b)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	if (a == NULL || (k->k_alen = strnlen(a, LPROF_NAME_MAX + 1)) == 0 ||
	    k->k_alen > LPROF_NAME_MAX)
		return (EINVAL);
	k->k_a = a;
	k->k_b = b;
	k->k_blen = 0;
	h = lprof_hash_bytes(h, a, k->k_alen);
	if (b != NULL) {
		if ((k->k_blen = strnlen(b, LPROF_NAME_MAX + 1)) == 0 ||
		    k->k_blen > LPROF_NAME_MAX)
			return (EINVAL);
		h = lprof_hash_bytes(h, "", 1);
		h = lprof_hash_bytes(h, b, k->k_blen);
	}
	k->k_hash = h;
	return (0);
}

static size_t
lprof_key_len(const struct lprof_key *k)
{
	return (k->k_b == NULL ? k->k_alen : k->k_alen + 1 + k->k_blen);
}

static bool
lprof_key_match(const struct lprof_ent *e, const struct lprof_key *k)
{
	if (e->e_hash != k->k_hash || e->e_keylen != lprof_key_len(k) ||
	    memcmp(e->e_key, k->k_a, k->k_alen) != 0)
		return (false);
	if (k->k_b == NULL)
		return (true);
	return (e->e_key[k->k_alen] == '\0' &&
	    memcmp(e->e_key + k->k_alen + 1, k->k_b, k->k_blen) == 0);
}

/* The entry for k, or NULL.  Caller holds lp_lock. */
static struct lprof_ent *
lprof_find(const struct lprof_table *t, const struct lprof_key *k)
{
	struct lprof_ent *e;

	if (t->t_nbuckets == 0)
		return (NULL);
	for (e = t->t_buckets[k->k_hash & (t->t_nbuckets - 1)]; e != NULL;
	    e = e->e_next) {
		if (lprof_key_match(e, k))
			return (e);
	}
	return (NULL);
}

/* Double the bucket array (or make the first).  Caller holds lp_lock. */
static int
lprof_grow(struct lprof_table *t)
{
	size_t n = t->t_nbuckets == 0 ? LPROF_INITIAL_BUCKETS :
	    t->t_nbuckets * 2;
	struct lprof_ent **b, *e, *next;
	size_t i;

	if (n < t->t_nbuckets || (b = calloc(n, sizeof (*b))) == NULL)
		return (ENOMEM);
	for (i = 0; i < t->t_nbuckets; i++) {
		for (e = t->t_buckets[i]; e != NULL; e = next) {
			next = e->e_next;
			e->e_next = b[e->e_hash & (n - 1)];
			b[e->e_hash & (n - 1)] = e;
		}
	}
	free(t->t_buckets);
	t->t_buckets = b;
	t->t_nbuckets = n;
	return (0);
}

/*
 * The entry for k, made (zeroed, flags 0) when there was none.  NULL
 * with ENOMEM.  Caller holds lp_lock.
 */
static struct lprof_ent *
lprof_insert(struct lprof_table *t, const struct lprof_key *k, int *errp)
{
	struct lprof_ent *e;
	size_t len;

	if ((e = lprof_find(t, k)) != NULL)
		return (e);
	if ((t->t_nbuckets == 0 || t->t_count >= t->t_nbuckets * 2) &&
	    (*errp = lprof_grow(t)) != 0)
		return (NULL);
	len = lprof_key_len(k);
	if ((e = calloc(1, sizeof (*e) + len + 1)) == NULL) {
		*errp = ENOMEM;
		return (NULL);
	}
	memcpy(e->e_key, k->k_a, k->k_alen);
	if (k->k_b != NULL)
		memcpy(e->e_key + k->k_alen + 1, k->k_b, k->k_blen);
	e->e_keylen = len;
	e->e_hash = k->k_hash;
	e->e_next = t->t_buckets[k->k_hash & (t->t_nbuckets - 1)];
	t->t_buckets[k->k_hash & (t->t_nbuckets - 1)] = e;
	t->t_count++;
	return (e);
}

/* Drop the learned entries (a BTF is replaced).  Caller holds lp_lock. */
static void
lprof_forget_learned(struct lprof_table *t)
{
	struct lprof_ent **pp, *e;
	size_t i;

	for (i = 0; i < t->t_nbuckets; i++) {
		pp = &t->t_buckets[i];
		while ((e = *pp) != NULL) {
			if (e->e_flags & LPE_EXPLICIT) {
				pp = &e->e_next;
				continue;
			}
			*pp = e->e_next;
			free(e);
			t->t_count--;
		}
	}
}

static void
lprof_table_free(struct lprof_table *t)
{
	struct lprof_ent *e, *next;
	size_t i;

	for (i = 0; i < t->t_nbuckets; i++) {
		for (e = t->t_buckets[i]; e != NULL; e = next) {
			next = e->e_next;
			free(e);
		}
	}
	free(t->t_buckets);
	memset(t, 0, sizeof (*t));
}

struct linux_profile *
lprof_new(void)
{
	struct linux_profile *p;

	if ((p = calloc(1, sizeof (*p))) == NULL)
		return (NULL);
	if (pthread_mutex_init(&p->lp_lock, NULL) != 0) {
		free(p);
		errno = ENOMEM;
		return (NULL);
	}
	if (pthread_mutex_init(&p->lp_fill_lock, NULL) != 0) {
		(void) pthread_mutex_destroy(&p->lp_lock);
		free(p);
		errno = ENOMEM;
		return (NULL);
	}
	return (p);
}

void
lprof_free(struct linux_profile *p)
{
	unsigned i;

	if (p == NULL)
		return;
	if (p->lp_fini != NULL)
		p->lp_fini(p->lp_fill_arg);
	for (i = 0; i < LPROF_NKINDS; i++)
		lprof_table_free(&p->lp_tab[i]);
	lbtf_close(p->lp_btf);
	(void) pthread_mutex_destroy(&p->lp_fill_lock);
	(void) pthread_mutex_destroy(&p->lp_lock);
	free(p);
}

/* Set an explicit entry of kind: 0 or an errno. */
static int
lprof_set(struct linux_profile *p, enum lprof_kind kind, const char *a,
    const char *b, uint64_t value, uint64_t size)
{
	struct lprof_ent *e;
	struct lprof_key k;
	int err = 0;

	if (p == NULL || (err = lprof_key_make(&k, a, b)) != 0)
		return (p == NULL ? EINVAL : err);
	(void) pthread_mutex_lock(&p->lp_lock);
	if ((e = lprof_insert(&p->lp_tab[kind], &k, &err)) != NULL) {
		struct lprof_table *t = &p->lp_tab[kind];

		if (!(e->e_flags & LPE_EXPLICIT))
			t->t_explicit++;
		e->e_flags = LPE_EXPLICIT;
		e->e_value = value;
		e->e_size = size;
	}
	(void) pthread_mutex_unlock(&p->lp_lock);
	return (err);
}

int
lprof_set_symbol(struct linux_profile *p, const char *name, uint64_t addr)
{
	return (lprof_set(p, LPROF_SYMBOL, name, NULL, addr, 0));
}

int
lprof_set_member(struct linux_profile *p, const char *type,
    const char *member, uint64_t off, uint64_t size)
{
	if (member == NULL)
		return (EINVAL);
	return (lprof_set(p, LPROF_MEMBER, type, member, off, size));
}

int
lprof_set_size(struct linux_profile *p, const char *type, uint64_t size)
{
	return (lprof_set(p, LPROF_SIZE, type, NULL, size, 0));
}

int
lprof_set_number(struct linux_profile *p, const char *name, uint64_t value)
{
	return (lprof_set(p, LPROF_NUMBER, name, NULL, value, 0));
}

/* Look k up in a table without BTF: 0, ENOENT or EINVAL. */
static int
lprof_get_plain(const struct linux_profile *p, enum lprof_kind kind,
    const char *name, uint64_t *valuep)
{
	struct linux_profile *mp = (struct linux_profile *)p;
	const struct lprof_ent *e;
	struct lprof_key k;
	int err;

	if (p == NULL || (err = lprof_key_make(&k, name, NULL)) != 0)
		return (p == NULL ? EINVAL : err);
	(void) pthread_mutex_lock(&mp->lp_lock);
	e = lprof_find(&p->lp_tab[kind], &k);
	if (e != NULL && valuep != NULL)
		*valuep = e->e_value;
	(void) pthread_mutex_unlock(&mp->lp_lock);
	return (e != NULL ? 0 : ENOENT);
}

/* Call the symbol source once, if there is one that has not run. */
static void
lprof_fill_symbols(struct linux_profile *p)
{
	bool call = false;

	(void) pthread_mutex_lock(&p->lp_fill_lock);
	(void) pthread_mutex_lock(&p->lp_lock);
	if (p->lp_fill_state == LPROF_FILL_PENDING) {
		p->lp_fill_state = LPROF_FILL_DONE;
		call = true;
	}
	(void) pthread_mutex_unlock(&p->lp_lock);
	if (call)
		(void) p->lp_fill(p->lp_fill_arg, p);
	(void) pthread_mutex_unlock(&p->lp_fill_lock);
}

int
lprof_symbol(const struct linux_profile *p, const char *name,
    uint64_t *addrp)
{
	struct linux_profile *mp = (struct linux_profile *)p;
	bool pending;
	int err;

	err = lprof_get_plain(p, LPROF_SYMBOL, name, addrp);
	if (err != ENOENT)
		return (err);
	(void) pthread_mutex_lock(&mp->lp_lock);
	pending = mp->lp_fill_state == LPROF_FILL_PENDING;
	(void) pthread_mutex_unlock(&mp->lp_lock);
	if (!pending)
		return (ENOENT);
	lprof_fill_symbols(mp);
	return (lprof_get_plain(p, LPROF_SYMBOL, name, addrp));
}

int
lprof_number(const struct linux_profile *p, const char *name,
    uint64_t *valuep)
{
	return (lprof_get_plain(p, LPROF_NUMBER, name, valuep));
}

/* An entry's answer: 0, ENOENT or ENOTSUP as its flags say. */
static int
lprof_ent_answer(const struct lprof_ent *e, uint64_t *valuep,
    uint64_t *sizep)
{
	if (e->e_flags & LPE_MISSING)
		return (ENOENT);
	if (e->e_flags & LPE_BITFIELD)
		return (ENOTSUP);
	if (valuep != NULL)
		*valuep = e->e_value;
	if (sizep != NULL)
		*sizep = e->e_size;
	return (0);
}

/* Remember a BTF answer (an allocation failure only loses the memo). */
static void
lprof_learn(struct lprof_table *t, const struct lprof_key *k, int answer,
    uint64_t value, uint64_t size)
{
	struct lprof_ent *e;
	int err = 0;

	if ((e = lprof_insert(t, k, &err)) == NULL ||
	    (e->e_flags & LPE_EXPLICIT))
		return;
	e->e_flags = answer == ENOENT ? LPE_MISSING :
	    answer == ENOTSUP ? LPE_BITFIELD : 0;
	e->e_value = value;
	e->e_size = size;
}

int
lprof_member(const struct linux_profile *p, const char *type,
    const char *member, uint64_t *offp, uint64_t *sizep)
{
	struct linux_profile *mp = (struct linux_profile *)p;
	struct lprof_table *t;
	struct lprof_ent *e;
	struct lprof_key k;
	uint64_t off = 0, size = 0;
	int err;

	if (p == NULL || member == NULL)
		return (EINVAL);
	if ((err = lprof_key_make(&k, type, member)) != 0)
		return (err);
	t = &mp->lp_tab[LPROF_MEMBER];
	(void) pthread_mutex_lock(&mp->lp_lock);
	if ((e = lprof_find(t, &k)) != NULL) {
		/* An explicit offset without a size: BTF may know it. */
		if ((e->e_flags & LPE_EXPLICIT) && e->e_size == 0 &&
		    mp->lp_btf != NULL &&
		    lbtf_member(mp->lp_btf, type, member, &off, &size) == 0 &&
		    off == e->e_value)
			e->e_size = size;
		err = lprof_ent_answer(e, offp, sizep);
	} else if (mp->lp_btf == NULL) {
		err = ENOENT;
	} else {
		err = lbtf_member(mp->lp_btf, type, member, &off, &size);
		if (err == 0 || err == ENOENT || err == ENOTSUP)
			lprof_learn(t, &k, err, off, size);
		if (err == 0) {
			if (offp != NULL)
				*offp = off;
			if (sizep != NULL)
				*sizep = size;
		}
	}
	(void) pthread_mutex_unlock(&mp->lp_lock);
	return (err);
}

int
lprof_size(const struct linux_profile *p, const char *type, uint64_t *sizep)
{
	struct linux_profile *mp = (struct linux_profile *)p;
	struct lprof_table *t;
	struct lprof_ent *e;
	struct lprof_key k;
	uint64_t size = 0;
	int err;

	if (p == NULL)
		return (EINVAL);
	if ((err = lprof_key_make(&k, type, NULL)) != 0)
		return (err);
	t = &mp->lp_tab[LPROF_SIZE];
	(void) pthread_mutex_lock(&mp->lp_lock);
	if ((e = lprof_find(t, &k)) != NULL) {
		err = lprof_ent_answer(e, sizep, NULL);
	} else if (mp->lp_btf == NULL) {
		err = ENOENT;
	} else {
		err = lbtf_size(mp->lp_btf, type, &size);
		if (err == 0 || err == ENOENT)
			lprof_learn(t, &k, err, size, 0);
		if (err == 0 && sizep != NULL)
			*sizep = size;
	}
	(void) pthread_mutex_unlock(&mp->lp_lock);
	return (err);
}

void
lprof_set_btf(struct linux_profile *p, struct lbtf *btf)
{
	struct lbtf *old;

	(void) pthread_mutex_lock(&p->lp_lock);
	old = p->lp_btf;
	p->lp_btf = btf;
	lprof_forget_learned(&p->lp_tab[LPROF_MEMBER]);
	lprof_forget_learned(&p->lp_tab[LPROF_SIZE]);
	(void) pthread_mutex_unlock(&p->lp_lock);
	if (old != btf)
		lbtf_close(old);
}

const struct lbtf *
lprof_btf(const struct linux_profile *p)
{
	struct linux_profile *mp = (struct linux_profile *)p;
	const struct lbtf *b;

	(void) pthread_mutex_lock(&mp->lp_lock);
	b = p->lp_btf;
	(void) pthread_mutex_unlock(&mp->lp_lock);
	return (b);
}

void
lprof_set_symbol_source(struct linux_profile *p,
    int (*fill)(void *, struct linux_profile *), void (*fini)(void *),
    void *arg)
{
	void (*old_fini)(void *);
	void *old_arg;

	(void) pthread_mutex_lock(&p->lp_fill_lock);
	(void) pthread_mutex_lock(&p->lp_lock);
	old_fini = p->lp_fini;
	old_arg = p->lp_fill_arg;
	p->lp_fill = fill;
	p->lp_fini = fini;
	p->lp_fill_arg = arg;
	p->lp_fill_state = fill != NULL ? LPROF_FILL_PENDING : LPROF_FILL_NONE;
	(void) pthread_mutex_unlock(&p->lp_lock);
	(void) pthread_mutex_unlock(&p->lp_fill_lock);
	if (old_fini != NULL)
		old_fini(old_arg);
}

int
lprof_walk(const struct linux_profile *p, enum lprof_kind kind,
    int (*cb)(void *, const struct lprof_entry *), void *arg)
{
	struct linux_profile *mp = (struct linux_profile *)p;
	const struct lprof_table *t;
	const struct lprof_ent *e;
	struct lprof_entry le;
	size_t i;
	int rv = 0;

	if (p == NULL || (unsigned)kind >= LPROF_NKINDS || cb == NULL)
		return (EINVAL);
	t = &p->lp_tab[kind];
	(void) pthread_mutex_lock(&mp->lp_lock);
	for (i = 0; i < t->t_nbuckets && rv == 0; i++) {
		for (e = t->t_buckets[i]; e != NULL && rv == 0;
		    e = e->e_next) {
			if (!(e->e_flags & LPE_EXPLICIT))
				continue;
			le.le_kind = kind;
			le.le_value = e->e_value;
			le.le_size = e->e_size;
			if (kind == LPROF_MEMBER) {
				le.le_type = e->e_key;
				le.le_name = e->e_key + strlen(e->e_key) + 1;
			} else if (kind == LPROF_SIZE) {
				le.le_type = e->e_key;
				le.le_name = "";
			} else {
				le.le_type = "";
				le.le_name = e->e_key;
			}
			rv = cb(arg, &le);
		}
	}
	(void) pthread_mutex_unlock(&mp->lp_lock);
	return (rv);
}

size_t
lprof_count(const struct linux_profile *p, enum lprof_kind kind)
{
	struct linux_profile *mp = (struct linux_profile *)p;
	size_t n;

	if (p == NULL || (unsigned)kind >= LPROF_NKINDS)
		return (0);
	(void) pthread_mutex_lock(&mp->lp_lock);
	n = p->lp_tab[kind].t_explicit;
	(void) pthread_mutex_unlock(&mp->lp_lock);
	return (n);
}
