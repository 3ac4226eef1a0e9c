/*
 * lprof_double.c -- TEST DOUBLE of the Linux profile store
 * (guest/linux/linux_profile.h), linked only into the views' unit test
 * and fuzz target until the real store (guest/linux/linux_profile.c,
 * written with discovery) is in the tree; then they link that instead
 * and this file goes.
 *
 * It keeps what the set functions were given, in arrays searched
 * linearly, and answers lookups from them only (no BTF).  A member's
 * size of 0 means "not known", as for VMCOREINFO's OFFSET lines.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "guest/linux/linux_profile.h"

struct lprof_entry {
	char		*le_name;	/* "symbol", "type", "type.member" */
	uint64_t	le_value;	/* address, size, offset or number */
	uint64_t	le_size;	/* members: the member's size */
};

struct lprof_table {
	struct lprof_entry *lt_v;
	size_t		lt_n, lt_cap;
};

struct linux_profile {
	struct lprof_table lp_symbols, lp_sizes, lp_members, lp_numbers;
};

struct linux_profile *
lprof_new(void)
{
	return (calloc(1, sizeof (struct linux_profile)));
}

static void
lprof_table_free(struct lprof_table *t)
{
	size_t i;

	for (i = 0; i < t->lt_n; i++)
		free(t->lt_v[i].le_name);
	free(t->lt_v);
}

void
lprof_free(struct linux_profile *p)
{
	if (p == NULL)
		return;
	lprof_table_free(&p->lp_symbols);
	lprof_table_free(&p->lp_sizes);
	lprof_table_free(&p->lp_members);
	lprof_table_free(&p->lp_numbers);
	free(p);
}

static struct lprof_entry *
lprof_find(const struct lprof_table *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->lt_n; i++) {
		if (strcmp(t->lt_v[i].le_name, name) == 0)
			return (&t->lt_v[i]);
	}
	return (NULL);
}

static int
lprof_put(struct lprof_table *t, const char *name, uint64_t value,
    uint64_t size)
{
	struct lprof_entry *e;

	if ((e = lprof_find(t, name)) == NULL) {
		if (t->lt_n == t->lt_cap) {
			size_t cap = t->lt_cap == 0 ? 32 : 2 * t->lt_cap;

			e = realloc(t->lt_v, cap * sizeof (*e));
			if (e == NULL)
				return (ENOMEM);
			t->lt_v = e;
			t->lt_cap = cap;
		}
		e = &t->lt_v[t->lt_n];
		if ((e->le_name = strdup(name)) == NULL)
			return (ENOMEM);
		t->lt_n++;
	}
	e->le_value = value;
	e->le_size = size;
	return (0);
}

static int
lprof_member_name(char *buf, size_t len, const char *type,
    const char *member)
{
	size_t tl = strlen(type), ml = strlen(member);

	if (tl + ml + 2 > len)
		return (ENAMETOOLONG);
	memcpy(buf, type, tl);
	buf[tl] = '.';
	memcpy(buf + tl + 1, member, ml + 1);
	return (0);
}

int
lprof_set_symbol(struct linux_profile *p, const char *name, uint64_t addr)
{
	return (lprof_put(&p->lp_symbols, name, addr, 0));
}

int
lprof_symbol(const struct linux_profile *p, const char *name,
    uint64_t *addrp)
{
	const struct lprof_entry *e = lprof_find(&p->lp_symbols, name);

	if (e == NULL)
		return (ENOENT);
	*addrp = e->le_value;
	return (0);
}

int
lprof_set_member(struct linux_profile *p, const char *type,
    const char *member, uint64_t off, uint64_t size)
{
	char name[256];
	int err;

	if ((err = lprof_member_name(name, sizeof (name), type, member)) != 0)
		return (err);
	return (lprof_put(&p->lp_members, name, off, size));
}

int
lprof_member(const struct linux_profile *p, const char *type,
    const char *member, uint64_t *offp, uint64_t *sizep)
{
	const struct lprof_entry *e;
	char name[256];

	if (lprof_member_name(name, sizeof (name), type, member) != 0 ||
	    (e = lprof_find(&p->lp_members, name)) == NULL)
		return (ENOENT);
	*offp = e->le_value;
	*sizep = e->le_size;
	return (0);
}

int
lprof_set_size(struct linux_profile *p, const char *type, uint64_t size)
{
	return (lprof_put(&p->lp_sizes, type, size, 0));
}

int
lprof_size(const struct linux_profile *p, const char *type, uint64_t *sizep)
{
	const struct lprof_entry *e = lprof_find(&p->lp_sizes, type);

	if (e == NULL)
		return (ENOENT);
	*sizep = e->le_value;
	return (0);
}

int
lprof_set_number(struct linux_profile *p, const char *name, uint64_t value)
{
	return (lprof_put(&p->lp_numbers, name, value, 0));
}

int
lprof_number(const struct linux_profile *p, const char *name,
    uint64_t *valuep)
{
	const struct lprof_entry *e = lprof_find(&p->lp_numbers, name);

	if (e == NULL)
		return (ENOENT);
	*valuep = e->le_value;
	return (0);
}
