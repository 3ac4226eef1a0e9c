/*
 * guest/linux/linux_infer.h -- structure layouts inferred from the
 * guest's own memory, for kernels with no BTF (Debian's 686-pae kernel:
 * no BTF, kallsyms without data symbols).  Internal to guest/linux/.
 *
 * linfer_run derives the member offsets the views need (tasks, command
 * lines and process spaces, modules, VMAs) and the data symbols they
 * start from (init_task, modules, special_mapping_vmops) by
 * self-consistency checks over the kernel's objects, and sets them in
 * the kernel's profile.  It reads through the kernel space the handle
 * already has, and needs from the profile only what VMCOREINFO gives
 * every kernel: _stext, init_uts_ns (or linux_banner), and the root
 * table swapper_pg_dir (32-bit) or init_top_pgt (64-bit).
 *
 * Views are inferred in groups, each set in the profile only once all
 * of its checks passed: tasks (init_task, task_struct, cred,
 * signal_struct, mm_struct.pgd); command lines (mm_struct's
 * start_code .. env_end); modules; VMAs (the maple tree, vm_area_struct,
 * file, dentry, qstr; mounts and special mappings when they check out).
 * A group that cannot be inferred is left out and its view stays
 * ENOTSUP; the others still work.
 *
 * Non-goals: kernels before 6.1 for VMAs (the vm_next list) and 6.4+ for
 * modules (module.mem[]), kernels whose task list is empty but for
 * init_task, and a kernel changing while it is read.
 */
#ifndef PORTHOLE_GUEST_LINUX_INFER_H
#define PORTHOLE_GUEST_LINUX_INFER_H

#include <stddef.h>

#include "guest/linux/linux_impl.h"

/* Which groups linfer_run inferred (bits of its result). */
#define	LINFER_TASKS	0x1u
#define	LINFER_CMDLINE	0x2u
#define	LINFER_MODULES	0x4u
#define	LINFER_VMAS	0x8u
#define	LINFER_MOUNTS	0x10u	/* struct mount: full paths */
#define	LINFER_SPECIAL	0x20u	/* [vdso], [vvar] names */

/*
 * Infer what can be inferred into lk->lk_prof.  Returns the LINFER_*
 * groups set (0: none), and in why (when not NULL) one sentence per
 * group that failed, saying what was not found.  The profile must not
 * hold those members already (a profile with BTF answers them).
 */
unsigned linfer_run(struct linux_kernel *lk, char *why, size_t whylen);

#endif /* PORTHOLE_GUEST_LINUX_INFER_H */
