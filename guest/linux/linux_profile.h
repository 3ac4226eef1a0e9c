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
 * explicitly are answered from it (and remembered).
 *
 * All functions return 0 or a positive errno (ENOENT: not known).
 */
#ifndef PORTHOLE_GUEST_LINUX_PROFILE_H
#define PORTHOLE_GUEST_LINUX_PROFILE_H

#include <stddef.h>
#include <stdint.h>

struct linux_profile;

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

#endif /* PORTHOLE_GUEST_LINUX_PROFILE_H */
