/*
 * linux_vmas.c -- a process's memory maps (VMAs), as /proc/PID/maps
 * lists them: linux_vmas (see <porthole/linux.h>).
 *
 * Where the VMAs are:
 *	Linux 6.1+	the mm's maple tree (mm_struct.mm_mt): a B-tree of
 *			ranges whose leaves hold the vm_area_struct
 *			pointers, walked here by its own rules (below)
 *	before		the sorted list mm_struct.mmap -> vm_next (the
 *			rbtree beside it indexes the same VMAs)
 * The profile says which: mm_struct.mm_mt, else mm_struct.mmap.
 *
 * The maple tree (include/linux/maple_tree.h, lib/maple_tree.c): nodes
 * are 256 bytes, 256-aligned; a pointer to a node ("enode") carries the
 * node's type in bits 3-6 (1 leaf_64, 2 range_64, 3 arange_64; 0, dense,
 * is not used for mms), and ma_root has bit 1 set besides (a node, not a
 * lone entry).  A node is parent, then pivots, then slots:
 *			64-bit			32-bit
 *	range_64	15 pivots, 16 slots	31 pivots, 32 slots
 *	leaf_64		the same; slots hold the entries
 *	arange_64	9 pivots, 10 slots,	20 pivots, 21 slots,
 *			then gaps, metadata	then gaps, metadata
 * Slot i covers [pivot[i-1] + 1, pivot[i]] (the node's min for i = 0;
 * the node's max for the slot past the last pivot); a pivot of 0 after
 * the first slot, or one equal to the node's max, ends the node (the
 * kernel's own mt_dump walks the same way).  A child's range is its slot's
 * range; the root's is [0, ULONG_MAX].  Every node's parent field points
 * at its parent node (the root's at the tree, with bit 0 set).
 *
 * Guest memory is hostile.  The walk is iterative (a stack of at most
 * MAPLE_HEIGHT_MAX nodes, each read once in one piece) and checks: node
 * types, that pivots increase and stay within the node's range (EIO),
 * that each node's parent field names its parent (EIO; a node that names
 * itself was freed under us), that no node is its own ancestor (ELOOP),
 * and the depth (ELOOP).  Each VMA must cover exactly its slot's range
 * (vm_start = first, vm_end - 1 = last) and the list form must be sorted
 * and disjoint (EIO); at most LINUX_MAX_VMAS VMAs (ELOOP).  So every
 * walk ends, and VMAs come out in ascending, non-overlapping order.
 *
 * Each VMA: vm_start, vm_end, vm_flags (VM_READ, VM_WRITE, VM_EXEC;
 * shared when VM_SHARED or VM_MAYSHARE, as /proc's 's'), vm_pgoff (0
 * for anonymous memory, as /proc shows it), and a name, in the order
 * show_map_vma tries them: the mapped file's path (vm_file->f_path); a
 * special mapping's own name ("[vdso]", "[vvar]": vm_ops is
 * special_mapping_vmops and vm_private_data a struct
 * vm_special_mapping), when the profile knows that symbol and those
 * members; "[heap]" (it meets [mm->start_brk, mm->brk]); "[stack]" (it
 * holds mm->start_stack); else "".
 *
 * Paths: the dentry's names up the d_parent chain, crossing from a
 * mount's root to where it is mounted (mount.mnt_mountpoint in its
 * mnt_parent) when the profile knows struct mount and vfsmount.mnt_root;
 * without them a path is relative to its own mount's root (a file on a
 * separate /usr shows as /lib/...).  Bounded: PATH_MAX bytes, names of
 * at most NAME_MAX, LK_PATH_STEPS steps (EIO/ELOOP beyond).
 *
 * Profile members: mm_struct.{mm_mt or mmap, start_brk, brk,
 * start_stack}, maple_tree.ma_root, vm_area_struct.{vm_start, vm_end,
 * vm_flags, vm_pgoff, vm_file, vm_next (list form)}, file.f_path,
 * path.{dentry, mnt}, dentry.{d_parent, d_name}, qstr.{name, len};
 * optional mount.{mnt, mnt_parent, mnt_mountpoint}, vfsmount.mnt_root,
 * vm_area_struct.{vm_ops, vm_private_data}, vm_special_mapping.name and
 * the symbol special_mapping_vmops, and maple_range_64/maple_arange_64
 * .pivot/.slot (checked against the layout above when known).
 *
 * Errors: -1 with errno ESRCH, ENODATA (a kernel thread: no mm), EIO,
 * EFAULT, ELOOP, ENOTSUP (the profile lacks a member, or the tree holds
 * a node type an mm never uses).
 *
 * Non-goals: names from other vm_ops and from arch_vma_name (x86's
 * vsyscall page), anon_vma names ("[anon:...]"), " (deleted)" files, a
 * chroot'ed process's view of paths (they are relative to the initial
 * namespace's root), the maple tree's dense nodes.
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "guest/linux/linux_impl.h"
#include "guest/linux/linux_list.h"
#include "guest/linux/linux_views.h"

#define	VMA	"vm_area_struct"
#define	MM	"mm_struct"

/* include/linux/mm.h */
#define	VM_READ		0x01u
#define	VM_WRITE	0x02u
#define	VM_EXEC		0x04u
#define	VM_SHARED	0x08u
#define	VM_MAYSHARE	0x80u

/* include/uapi/linux/limits.h */
#define	LK_PATH_MAX		4096u
#define	LK_NAME_MAX		255u
/* Steps of a path walk: a component or a mount crossed each. */
#define	LK_PATH_STEPS		4096u

/* What a walk needs to describe each VMA. */
struct lk_vma_walk {
	int		(*vw_cb)(const struct linux_vma *, void *);
	void		*vw_arg;
	int		vw_rv;		/* the caller's stop value */
	uint64_t	vw_start_brk, vw_brk, vw_start_stack;
	uint64_t	vw_count;
	uint64_t	vw_prev_end;	/* of the VMA before */
	bool		vw_mounts;	/* the profile knows struct mount */
	uint64_t	vw_special_ops;	/* special_mapping_vmops; 0: unknown */
	char		vw_path[LK_PATH_MAX];
};

/* ---- file paths ---- */

/* Put "/name" in front of the path being built at the end of buf. */
static int
lk_path_prepend(struct linux_kernel *lk, uint64_t dentry, char *buf,
    size_t *posp)
{
	uint64_t qoff, nameoff, lenoff, name, len;
	int err;

	if ((err = lk_offset(lk, "dentry", "d_name", &qoff)) != 0 ||
	    (err = lk_offset(lk, "qstr", "name", &nameoff)) != 0 ||
	    (err = lk_offset(lk, "qstr", "len", &lenoff)) != 0 ||
	    (err = lk_read_ptr(lk, dentry + qoff + nameoff, &name)) != 0 ||
	    (err = lk_field_width(lk, dentry + qoff, "qstr", "len", 4,
	    &len)) != 0)
		return (err);
	if (len > LK_NAME_MAX || (len > 0 && name == 0))
		return (EIO);
	if (len + 1 > *posp)
		return (EIO);		/* longer than PATH_MAX */
	*posp -= len;
	if ((err = lk_read(lk, name, buf + *posp, (size_t)len)) != 0)
		return (err);
	buf[--*posp] = '/';
	return (0);
}

/*
 * The vfsmount's struct mount parent, and where in it the vfsmount is
 * mounted: 0 and *mntp = 0 when mnt is the namespace's root mount.
 */
static int
lk_path_cross(struct linux_kernel *lk, uint64_t *mntp, uint64_t *dentryp)
{
	uint64_t mntoff, mount, parent;
	int err;

	if ((err = lk_offset(lk, "mount", "mnt", &mntoff)) != 0)
		return (err);
	mount = *mntp - mntoff;
	if ((err = lk_field(lk, mount, "mount", "mnt_parent", &parent)) != 0)
		return (err);
	if (parent == mount || parent == 0) {
		*mntp = 0;
		return (0);
	}
	if ((err = lk_field(lk, mount, "mount", "mnt_mountpoint",
	    dentryp)) != 0)
		return (err);
	*mntp = parent + mntoff;
	return (0);
}

/* The path of the file at file into vw->vw_path. */
static int
lk_file_path(struct linux_kernel *lk, struct lk_vma_walk *vw, uint64_t file)
{
	char *buf = vw->vw_path;
	size_t pos = LK_PATH_MAX - 1;
	uint64_t fpath, dentry, parent, mnt = 0, root = 0;
	unsigned steps;
	int err;

	buf[pos] = '\0';
	if ((err = lk_offset(lk, "file", "f_path", &fpath)) != 0 ||
	    (err = lk_field(lk, file + fpath, "path", "dentry", &dentry)) != 0)
		return (err);
	if (vw->vw_mounts &&
	    ((err = lk_field(lk, file + fpath, "path", "mnt", &mnt)) != 0 ||
	    (mnt != 0 && (err = lk_field(lk, mnt, "vfsmount", "mnt_root",
	    &root)) != 0)))
		return (err);
	for (steps = 0; ; steps++) {
		if (steps >= LK_PATH_STEPS)
			return (ELOOP);
		if (dentry == 0)
			return (EIO);
		if (mnt != 0 && dentry == root) {
			if ((err = lk_path_cross(lk, &mnt, &dentry)) != 0 ||
			    (mnt != 0 && (err = lk_field(lk, mnt, "vfsmount",
			    "mnt_root", &root)) != 0))
				return (err);
			if (mnt == 0)
				break;
			continue;
		}
		if ((err = lk_field(lk, dentry, "dentry", "d_parent",
		    &parent)) != 0)
			return (err);
		if (parent == dentry)
			break;		/* a root */
		if ((err = lk_path_prepend(lk, dentry, buf, &pos)) != 0)
			return (err);
		dentry = parent;
	}
	if (buf[pos] == '\0')
		buf[--pos] = '/';
	memmove(buf, buf + pos, LK_PATH_MAX - pos);
	return (0);
}

/* ---- one VMA ---- */

/*
 * A special mapping's name ("[vdso]") into name, or "" when the VMA is
 * not one (or the profile cannot tell).
 */
static int
lk_vma_special(struct linux_kernel *lk, const struct lk_vma_walk *vw,
    uint64_t vma, char *name, size_t len)
{
	uint64_t ops, priv, str;
	int err;

	name[0] = '\0';
	if (vw->vw_special_ops == 0)
		return (0);
	if ((err = lk_field(lk, vma, VMA, "vm_ops", &ops)) != 0)
		return (err == ENOENT ? 0 : err);
	if (ops != vw->vw_special_ops)
		return (0);
	if ((err = lk_field(lk, vma, VMA, "vm_private_data", &priv)) != 0 ||
	    (err = lk_field(lk, priv, "vm_special_mapping", "name",
	    &str)) != 0)
		return (err == ENOENT ? 0 : err);
	if (str == 0)
		return (0);
	return (lk_read_str(lk, str, name, len));
}

/*
 * Describe the VMA at vma and hand it to the caller.  first and last:
 * the range the tree filed it under (last inclusive), or, for the list
 * form, first = 1 > last = 0 (nothing to compare).
 */
static int
lk_vma_visit(struct linux_kernel *lk, struct lk_vma_walk *vw, uint64_t vma,
    uint64_t first, uint64_t last)
{
	struct linux_vma v;
	uint64_t start, end, flags, pgoff, file;
	size_t len;
	int err;

	if (++vw->vw_count > LINUX_MAX_VMAS)
		return (ELOOP);
	if ((err = lk_field(lk, vma, VMA, "vm_start", &start)) != 0 ||
	    (err = lk_field(lk, vma, VMA, "vm_end", &end)) != 0 ||
	    (err = lk_field(lk, vma, VMA, "vm_flags", &flags)) != 0 ||
	    (err = lk_field(lk, vma, VMA, "vm_pgoff", &pgoff)) != 0 ||
	    (err = lk_field(lk, vma, VMA, "vm_file", &file)) != 0)
		return (err);
	if (start >= end || (vw->vw_count > 1 && start < vw->vw_prev_end))
		return (EIO);
	if (first <= last && (start != first || end - 1 != last))
		return (EIO);
	vw->vw_prev_end = end;

	memset(&v, 0, sizeof (v));
	v.lv_start = start;
	v.lv_end = end;
	v.lv_pgoff = file != 0 ? pgoff : 0;
	v.lv_prot = ((flags & VM_READ) ? LINUX_VMA_READ : 0) |
	    ((flags & VM_WRITE) ? LINUX_VMA_WRITE : 0) |
	    ((flags & VM_EXEC) ? LINUX_VMA_EXEC : 0) |
	    ((flags & (VM_SHARED | VM_MAYSHARE)) ? LINUX_VMA_SHARED : 0);
	if (file != 0) {
		if ((err = lk_file_path(lk, vw, file)) != 0)
			return (err);
		len = strlen(vw->vw_path);
		if (len >= sizeof (v.lv_file))
			len = sizeof (v.lv_file) - 1;	/* truncated */
		memcpy(v.lv_file, vw->vw_path, len);
	} else if ((err = lk_vma_special(lk, vw, vma, v.lv_file,
	    sizeof (v.lv_file))) != 0) {
		return (err);
	} else if (v.lv_file[0] != '\0') {
		/* named by its vm_ops */
	} else if (start <= vw->vw_brk && end >= vw->vw_start_brk) {
		(void) strcpy(v.lv_file, "[heap]");
	} else if (start <= vw->vw_start_stack && end >= vw->vw_start_stack) {
		(void) strcpy(v.lv_file, "[stack]");
	}
	if ((vw->vw_rv = vw->vw_cb(&v, vw->vw_arg)) != 0)
		return (LK_WALK_STOP);
	return (0);
}

/* ---- the list form (before 6.1) ---- */

static int
lk_vmas_list(struct linux_kernel *lk, struct lk_vma_walk *vw, uint64_t mm)
{
	uint64_t vma;
	int err;

	if ((err = lk_field(lk, mm, MM, "mmap", &vma)) != 0)
		return (err);
	/* Sorted and disjoint (checked per VMA), so it cannot loop. */
	while (vma != 0) {
		if ((err = lk_vma_visit(lk, vw, vma, 1, 0)) != 0)
			return (err);
		if ((err = lk_field(lk, vma, VMA, "vm_next", &vma)) != 0)
			return (err);
	}
	return (0);
}

/* ---- the maple tree (6.1+): linux_maple.c walks it ---- */

static int
lk_vmas_maple_step(struct linux_kernel *lk, uint64_t vma, uint64_t first,
    uint64_t last, void *arg)
{
	return (lk_vma_visit(lk, arg, vma, first, last));
}

static int
lk_vmas_maple(struct linux_kernel *lk, struct lk_vma_walk *vw, uint64_t mm)
{
	uint64_t mtoff, rootoff;
	int err;

	if ((err = lk_offset(lk, MM, "mm_mt", &mtoff)) != 0 ||
	    (err = lk_offset(lk, "maple_tree", "ma_root", &rootoff)) != 0)
		return (err);
	return (lk_maple_walk(lk, mm + mtoff + rootoff, lk_vmas_maple_step,
	    vw));
}

int
linux_vmas(struct linux_kernel *lk, int pid,
    int (*cb)(const struct linux_vma *, void *), void *arg)
{
	struct lk_vma_walk *vw;
	uint64_t task, mm, off;
	int err;

	if (lk == NULL || cb == NULL) {
		errno = EINVAL;
		return (-1);
	}
	if ((vw = calloc(1, sizeof (*vw))) == NULL)
		return (-1);
	vw->vw_cb = cb;
	vw->vw_arg = arg;
	if ((err = lk_task_mm(lk, pid, &task, &mm)) != 0)
		goto out;
	if (mm == 0) {
		err = ENODATA;
		goto out;
	}
	if ((err = lk_field(lk, mm, MM, "start_brk", &vw->vw_start_brk)) != 0 ||
	    (err = lk_field(lk, mm, MM, "brk", &vw->vw_brk)) != 0 ||
	    (err = lk_field(lk, mm, MM, "start_stack",
	    &vw->vw_start_stack)) != 0)
		goto out;
	vw->vw_mounts = lk_offset(lk, "mount", "mnt", &off) == 0 &&
	    lk_offset(lk, "mount", "mnt_parent", &off) == 0 &&
	    lk_offset(lk, "mount", "mnt_mountpoint", &off) == 0 &&
	    lk_offset(lk, "vfsmount", "mnt_root", &off) == 0 &&
	    lk_offset(lk, "path", "mnt", &off) == 0;
	if (lprof_symbol(lk->lk_prof, "special_mapping_vmops",
	    &vw->vw_special_ops) != 0)
		vw->vw_special_ops = 0;
	if (lk_offset(lk, MM, "mm_mt", &off) == 0)
		err = lk_vmas_maple(lk, vw, mm);
	else
		err = lk_vmas_list(lk, vw, mm);
out:
	if (err == LK_WALK_STOP) {
		err = vw->vw_rv;
		free(vw);
		return (err);
	}
	free(vw);
	if (err != 0) {
		errno = lk_view_errno(err);
		return (-1);
	}
	return (0);
}
