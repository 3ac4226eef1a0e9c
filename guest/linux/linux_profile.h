/*
 * guest/linux/linux_profile.h -- what the Linux layer knows about one
 * kernel: symbol addresses (KASLR applied), structure sizes and member
 * offsets, and named numbers (VMCOREINFO's NUMBER() lines and values the
 * discovery derived: "phys_base", "page_offset_base", ...).
 *
 * Discovery (linux_discover.c and the readers it uses: VMCOREINFO,
 * banner/KASLR, kallsyms, BTF, System.map/vmlinux) fills a profile; the
 * views (tasks, modules, VMAs, dmesg) only read it.  Tests fill one by
 * hand with the set functions.
 *
 * Members: a lookup names the type and the member; a member reached
 * through anonymous structs/unions is found by its own name, and a
 * dotted path ("thread_pid.level" is not one: only direct and anonymous
 * nesting) is not supported.  When the profile holds BTF, lookups not set
 * explicitly are answered from it (and remembered, the misses too).  A
 * member set with size 0 (VMCOREINFO's OFFSET() lines give no size) has
 * its size answered from BTF when BTF knows the member at that offset;
 * otherwise its size stays 0 (unknown).  A bitfield is refused (ENOTSUP):
 * it has no byte offset and size.
 *
 * Symbols: when the profile has a symbol source (lprof_set_symbol_source:
 * the discovery's kallsyms decoder, when a cached profile holds only the
 * symbols the views need), the first lookup that misses fills the
 * profile from it, once, and looks again.
 *
 * Names are at most LPROF_NAME_MAX bytes (the kernel's KSYM_NAME_LEN);
 * longer ones are refused with EINVAL.
 *
 * Thread safety: every call may be made from several threads at once;
 * a lookup may add what it learned from BTF (under the profile's lock).
 *
 * All functions return 0 or a positive errno (ENOENT: not known).
 */
#ifndef PORTHOLE_GUEST_LINUX_PROFILE_H
#define PORTHOLE_GUEST_LINUX_PROFILE_H

#include <stddef.h>
#include <stdint.h>

struct linux_profile;
struct lbtf;

#define	LPROF_NAME_MAX	512

struct linux_profile *lprof_new(void);
void	lprof_free(struct linux_profile *p);

int	lprof_set_symbol(struct linux_profile *p, const char *name,
	    uint64_t addr);
int	lprof_symbol(const struct linux_profile *p, const char *name,
	    uint64_t *addrp);

int	lprof_set_member(struct linux_profile *p, const char *type,
	    const char *member, uint64_t off, uint64_t size);
int	lprof_member(const struct linux_profile *p, const char *type,
	    const char *member, uint64_t *offp, uint64_t *sizep);

int	lprof_set_size(struct linux_profile *p, const char *type,
	    uint64_t size);
int	lprof_size(const struct linux_profile *p, const char *type,
	    uint64_t *sizep);

int	lprof_set_number(struct linux_profile *p, const char *name,
	    uint64_t value);
int	lprof_number(const struct linux_profile *p, const char *name,
	    uint64_t *valuep);

/*
 * Give the profile its BTF (NULL: none); the profile owns it from then
 * on, and frees a BTF it had.  What was learned from the old BTF is
 * forgotten; explicit entries stay.
 */
void	lprof_set_btf(struct linux_profile *p, struct lbtf *btf);
/* The profile's BTF, or NULL. */
const struct lbtf *lprof_btf(const struct linux_profile *p);

/*
 * A source of symbols for lookups that miss: fill(arg, p) adds symbols
 * with lprof_set_symbol and returns 0 or an errno.  It is called at most
 * once (its result is kept), outside the profile's lock; fini(arg) (may
 * be NULL) runs when the profile is freed or the source replaced.
 */
void	lprof_set_symbol_source(struct linux_profile *p,
	    int (*fill)(void *arg, struct linux_profile *p),
	    void (*fini)(void *arg), void *arg);

/* What lprof_walk reports: the entries set explicitly. */
enum lprof_kind {
	LPROF_SYMBOL,		/* le_name, le_value: address */
	LPROF_MEMBER,		/* le_type, le_name, le_value: offset, le_size */
	LPROF_SIZE,		/* le_type, le_value: size */
	LPROF_NUMBER		/* le_name, le_value */
};
struct lprof_entry {
	enum lprof_kind	le_kind;
	const char	*le_type;	/* "" for symbols and numbers */
	const char	*le_name;	/* "" for sizes */
	uint64_t	le_value;
	uint64_t	le_size;
};

/*
 * Call cb for each explicit entry of that kind (in no particular order;
 * what was learned from BTF is not reported), under the profile's lock:
 * cb must not call into the profile.  It returns 0 to go on, anything
 * else to stop (returned).
 */
int	lprof_walk(const struct linux_profile *p, enum lprof_kind kind,
	    int (*cb)(void *arg, const struct lprof_entry *e), void *arg);
/* How many explicit entries of that kind the profile holds. */
size_t	lprof_count(const struct linux_profile *p, enum lprof_kind kind);

#endif /* PORTHOLE_GUEST_LINUX_PROFILE_H */
