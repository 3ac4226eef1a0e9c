/*
 * porthole/guest.h -- one handle over a guest's memory: a live Xen domain
 * or a memory image, as illumos libproc has one handle over a live process
 * (Pgrab) and a core file (Pgrab_core).
 *
 * A spec names the guest:
 *	xen:NAME, xen:ID, xen:UUID	a live domain (dom0 only)
 *	PATH				an image; its format comes from its
 *					contents: xc-core (`xl dump-core`),
 *					QEMU ELF (`dump-guest-memory`),
 *					kdump-compressed (flattened or
 *					standard), else raw
 *
 * Through the handle: physical reads and writes, pinned pointers into the
 * physical window, each vCPU's registers (live, or the image's notes), and
 * x86 translation and virtual reads/writes through an address space
 * (struct guest_space: a paging mode and a page-table root).
 *
 * Writes: a live domain only when opened with GUEST_OPEN_WRITE; an image
 * only with GUEST_OPEN_COPY, which makes a private copy in memory (the
 * file never changes).
 *
 * Errors: NULL or -1 with errno, and (where an errbuf is taken) one
 * sentence saying what failed, on which guest and address, and what to
 * try.  Partial reads and writes return the bytes done and say in a
 * struct guest_fault where and why they stopped.  The library never
 * prints.
 *
 * Thread safety: a handle may be used from several threads for reads;
 * open, close, flush and pause/resume are not concurrent with anything.
 */
#ifndef PORTHOLE_GUEST_H
#define PORTHOLE_GUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <porthole/export.h>
#include <porthole/as.h>
#include <porthole/physmem.h>

#ifdef __cplusplus
extern "C" {
#endif

struct guest;

/* guest_open flags. */
#define	GUEST_OPEN_WRITE	0x1u	/* live: writes reach the guest */
#define	GUEST_OPEN_COPY		0x2u	/* image: a private writable copy */
#define	GUEST_OPEN_PAUSE	0x4u	/* live: paused while open (guarded) */

/*
 * Open the guest named by spec (see above).  flags: GUEST_OPEN_*.
 * NULL with errno: ENOENT (no such domain or file), EACCES/EPERM (not
 * allowed: not root in dom0, unreadable file), EINVAL (an unusable
 * image), ENOTSUP (a format or compression this build cannot read),
 * EROFS (GUEST_OPEN_WRITE on an image), ENOMEM.  errbuf (may be NULL)
 * gets one sentence.
 */
PH_EXPORT struct guest *guest_open(const char *spec, unsigned flags,
    char *errbuf, size_t errlen);
PH_EXPORT void guest_close(struct guest *g);

/* "xen" (live), "xc-core", "qemu-elf", "kdump", "kdump-flat", "raw". */
PH_EXPORT const char *guest_format(const struct guest *g);
/* The domain's name, or the image's path. */
PH_EXPORT const char *guest_name(const struct guest *g);
/* The live domain's id; -1 for an image. */
PH_EXPORT int guest_domid(const struct guest *g);
/* One line about the backend (provider, compression, ...). */
PH_EXPORT void guest_describe(const struct guest *g, char *buf, size_t len);

/* The address space the handle built, and its physical-memory provider. */
PH_EXPORT struct as *guest_as(struct guest *g);
PH_EXPORT struct physmem *guest_physmem(struct guest *g);
PH_EXPORT uint64_t guest_nframes(const struct guest *g);
/* As physmem_present. */
PH_EXPORT int guest_present(const struct guest *g, uint64_t gfn,
    uint64_t *runp);

/*
 * Where a partial read or write stopped.  gf_addr is the first address
 * not done (virtual for guest_v*, physical for guest_p*), gf_pa its
 * physical address when known (~0 otherwise), gf_errno the cause
 * (ENXIO: a hole; EFAULT: not mapped by the page tables or beyond the
 * guest; EIO: unreadable; EROFS: not writable), gf_level the paging
 * level whose entry stopped a translation (0: none), gf_what a short
 * phrase ("not present", "hole", ...).  gf_errno is 0 when all was done.
 */
struct guest_fault {
	uint64_t	gf_addr;
	uint64_t	gf_pa;
	int		gf_errno;
	unsigned	gf_level;
	const char	*gf_what;
};

/* Physical reads and writes: bytes done; why (may be NULL) says why not. */
PH_EXPORT size_t guest_pread(struct guest *g, uint64_t gpa, void *buf,
    size_t len, struct guest_fault *why);
PH_EXPORT size_t guest_pwrite(struct guest *g, uint64_t gpa,
    const void *buf, size_t len, struct guest_fault *why);

/*
 * A pointer to len bytes of guest physical memory at gpa, valid (and the
 * pages pinned: never evicted, never remapped) until guest_unpin.  The
 * range must lie in one pinnable unit on a host that uses seg_map (a
 * slot); anywhere on seg_kpm.  Writable only when the handle is.  NULL
 * with errno: ENXIO (a hole), EINVAL (outside the guest, or crossing a
 * slot), EIO, EAGAIN (every slot pinned).
 */
struct guest_pin {
	void		*gp_ptr;
	size_t		gp_len;
	uint64_t	gp_priv[4];
};
PH_EXPORT void *guest_pin(struct guest *g, uint64_t gpa, size_t len,
    struct guest_pin *pin);
PH_EXPORT void guest_unpin(struct guest *g, struct guest_pin *pin);

/* vCPU registers, live or from an image's notes. */
#define	GUEST_REGS_GPR		0x01u	/* rax..r15, rip, rflags */
#define	GUEST_REGS_SEG		0x02u	/* selectors */
#define	GUEST_REGS_SEGBASE	0x04u	/* fs/gs/kernel gs bases */
#define	GUEST_REGS_CR		0x08u	/* cr0, cr2, cr3, cr4 */
#define	GUEST_REGS_EFER		0x10u	/* efer (read, not derived) */
#define	GUEST_REGS_PV		0x20u	/* Xen PV: cr3 is a machine address */

struct guest_regs {
	unsigned	gr_vcpu;
	bool		gr_online;
	unsigned	gr_valid;	/* GUEST_REGS_* */
	unsigned	gr_addr_bits;	/* 64, 32, 16 (0: unknown) */
	uint64_t	gr_rax, gr_rbx, gr_rcx, gr_rdx, gr_rsi, gr_rdi;
	uint64_t	gr_rsp, gr_rbp, gr_r8, gr_r9, gr_r10, gr_r11;
	uint64_t	gr_r12, gr_r13, gr_r14, gr_r15;
	uint64_t	gr_rip, gr_rflags;
	uint16_t	gr_cs, gr_ss, gr_ds, gr_es, gr_fs, gr_gs;
	uint64_t	gr_fs_base, gr_gs_base, gr_kernel_gs_base;
	uint64_t	gr_cr0, gr_cr2, gr_cr3, gr_cr4, gr_efer;
};

/* vCPUs the guest has (online or not); 0 when the image records none. */
PH_EXPORT unsigned guest_nvcpus(const struct guest *g);
/*
 * vCPU vcpu's registers: 0, or -1 with errno ENOENT (no such vCPU),
 * ENODATA (the image has no register notes), or the hypervisor's error.
 */
PH_EXPORT int guest_vcpu_regs(struct guest *g, unsigned vcpu,
    struct guest_regs *regs);

/* x86 paging modes. */
enum guest_paging {
	GUEST_PAGING_NONE = 0,	/* paging off: linear = physical */
	GUEST_PAGING_32,
	GUEST_PAGING_PAE,
	GUEST_PAGING_4LEVEL,
	GUEST_PAGING_5LEVEL
};
/* "none", "32-bit", "PAE", "4-level", "5-level". */
PH_EXPORT const char *guest_paging_name(enum guest_paging mode);

/*
 * An address space to translate through: the mode, its options and a
 * CR3.  Fill one from a vCPU (guest_space_vcpu) or by hand.  gs_machine:
 * the page tables hold machine frames (a Xen PV guest), which the handle
 * turns back into guest frames through the guest's p2m.
 */
struct guest_space {
	enum guest_paging gs_mode;
	bool		gs_pse;		/* 32-bit mode: 4 MiB pages */
	bool		gs_nxe;		/* EFER.NXE: XD bits honoured */
	bool		gs_machine;
	uint64_t	gs_cr3;
};
/*
 * The space vCPU vcpu runs in (mode from CR0, CR4 and EFER; its CR3).
 * With kernel set and a CR3 that is the user half of a page-table
 * isolation pair, the kernel half.  0 or -1/errno (as guest_vcpu_regs;
 * EINVAL for registers no CPU runs with).
 */
PH_EXPORT int guest_space_vcpu(struct guest *g, unsigned vcpu, bool kernel,
    struct guest_space *sp);

/* One translation, level by level. */
#define	GUEST_V2P_MAX_LEVELS	5
#define	GUEST_V2P_W	0x2u	/* writable at every level */
#define	GUEST_V2P_U	0x4u	/* user at every level */
#define	GUEST_V2P_NX	0x8u	/* no-execute at some level */
struct guest_v2p {
	uint64_t	v_va;
	uint64_t	v_pa;		/* on success */
	uint64_t	v_page_size;	/* 4 KiB .. 1 GiB */
	unsigned	v_flags;	/* GUEST_V2P_* */
	unsigned	v_nlevels;	/* entries read, top level first */
	struct {
		unsigned	l_level;	/* 5 .. 1 */
		uint64_t	l_entry_pa;
		uint64_t	l_entry;
	} v_levels[GUEST_V2P_MAX_LEVELS];
	struct guest_fault v_fault;	/* gf_errno 0 on success */
};
/* Translate va (uncached, every entry reported): 0 or -1/errno. */
PH_EXPORT int guest_v2p(struct guest *g, const struct guest_space *sp,
    uint64_t va, struct guest_v2p *out);

/*
 * Virtual reads and writes through sp, cached: bytes done before the
 * first page that failed (why says which and why).
 */
PH_EXPORT size_t guest_vread(struct guest *g, const struct guest_space *sp,
    uint64_t va, void *buf, size_t len, struct guest_fault *why);
PH_EXPORT size_t guest_vwrite(struct guest *g, const struct guest_space *sp,
    uint64_t va, const void *buf, size_t len, struct guest_fault *why);

/*
 * One page (or large page) a space maps: at gm_va, gm_size bytes (4 KiB
 * .. 1 GiB) of guest physical memory from gm_pa, with the translation's
 * flags (GUEST_V2P_*).
 */
struct guest_mapping {
	uint64_t	gm_va;
	uint64_t	gm_pa;
	uint64_t	gm_size;
	unsigned	gm_flags;
};
/*
 * Call cb, in ascending address order, for each page sp maps that
 * overlaps [start, last] (linear addresses, last included; canonical in
 * long mode).  Entries with reserved bits and tables that cannot be read
 * are skipped, and so are self-maps (a table entry pointing back at a
 * table above it, which maps the tables themselves); in a space of
 * machine frames (gs_machine) pages whose frame is not the guest's are
 * left out, and large pages come as their 4 KiB frames.  cb returns 0 to go on, anything
 * else to stop: that value is returned.  Otherwise 0, or -1 with errno:
 * EINVAL (an unusable space, paging off, or a bad range), ELOOP (the
 * tables hold more entries than any real guest's, as looping tables do).
 */
PH_EXPORT int guest_space_mappings(struct guest *g,
    const struct guest_space *sp, uint64_t start, uint64_t last,
    int (*cb)(const struct guest_mapping *m, void *arg), void *arg);

/* Forget cached translations (the guest may have changed its tables). */
PH_EXPORT void guest_flush(struct guest *g);
/*
 * Live: pause and resume the domain (under the pause guard: a killed
 * tool never leaves it paused).  Both flush the translation cache.
 * 0 or -1/errno (ENOTSUP for an image).
 */
PH_EXPORT int guest_pause(struct guest *g);
PH_EXPORT int guest_resume(struct guest *g);

/*
 * Write a live domain's memory to fd as an xc-core file, laid out as
 * `xl dump-core` lays it out (vCPU contexts, shared info, the PV p2m or
 * the HVM pfn list), read in privcmd batches.  fd: a regular file opened
 * for writing, truncated first (the caller picks the name and makes it
 * durable).  name is for error sentences.  progress (may be NULL) is
 * called after each batch with the pages dealt with and the total; a
 * non-zero return abandons the dump (ECANCELED).  *pagesp (may be NULL)
 * gets the pages written.  Pause the guest first (guest_pause) for a
 * consistent dump.  0, or -1 with errno and one sentence in errbuf:
 * ENOTSUP for an image (xc-core is what a hypervisor writes of a live
 * domain), ECANCELED, or the hypervisor's or the file's error.
 */
PH_EXPORT int guest_dump_xc_core(struct guest *g, int fd, const char *name,
    int (*progress)(void *arg, uint64_t done, uint64_t total), void *arg,
    uint64_t *pagesp, char *errbuf, size_t errlen);

/* The image's VMCOREINFO note, if it has one (NULL otherwise). */
PH_EXPORT const char *guest_vmcoreinfo(const struct guest *g, size_t *lenp);

#ifdef __cplusplus
}
#endif

#endif /* PORTHOLE_GUEST_H */
