/*
 * porthole/physmem.h -- physical-memory providers: where a guest's frames
 * come from.
 *
 * seg_kpm and seg_map do not know whether guest memory is a live domain
 * or an image: they ask a provider to map a run of guest frames at a
 * fixed address inside an address space's window, to release them, and
 * to say how many frames exist and where the holes are.  The providers
 * are a raw memory image (file offset = guest physical address) and an
 * xc-core dump; the QEMU ELF and live Xen providers use the same
 * interface.
 *
 * A provider is shared by the segments that use it and lives until the
 * last of them and its creator have let go (physmem_hold/physmem_rele).
 */
#ifndef PORTHOLE_PHYSMEM_H
#define PORTHOLE_PHYSMEM_H

#include <stddef.h>
#include <stdint.h>

#include <porthole/export.h>

#ifdef __cplusplus
extern "C" {
#endif

struct physmem;

/* A run of guest physical memory, in bytes: [pr_start, pr_start + pr_len). */
struct physmem_range {
	uint64_t	pr_start;
	uint64_t	pr_len;
};

/*
 * A raw image: the file at path holds guest physical memory from address
 * 0; the image's size gives the physical address space (rounded up to a
 * page).  holes lists ranges that hold no memory (nholes may be 0); they
 * read as errors (ENXIO) or zeros, as the segment asks.  Returns NULL
 * with errno: ENOENT/EACCES (open), EINVAL (a hole outside the image or
 * not page aligned), ENOMEM.
 */
PH_EXPORT struct physmem *physmem_raw_open(const char *path,
    const struct physmem_range *holes, size_t nholes);

/*
 * An xc-core file, as `xl dump-core` writes it (PV or PVH/HVM): the
 * guest's frames are mapped straight from the file's page section; the
 * physical address space ends after the highest frame the file holds, and
 * frames it does not hold are holes.  Returns NULL with errno: ENOENT,
 * EACCES (open), EINVAL (not a valid xc-core file, or one without pages),
 * ENOTSUP (its page size is not the host's), EFBIG, ENOMEM.  When errbuf
 * is not NULL, up to errlen bytes of it receive one sentence saying what
 * was wrong (an empty string on success).
 */
PH_EXPORT struct physmem *physmem_xc_core_open(const char *path,
    char *errbuf, size_t errlen);

/* Take and drop a reference; the last drop frees the provider. */
PH_EXPORT void physmem_hold(struct physmem *pm);
PH_EXPORT void physmem_rele(struct physmem *pm);

/* Frames in the physical address space (highest frame + 1). */
PH_EXPORT uint64_t physmem_nframes(const struct physmem *pm);
/* The provider's name ("raw", ...) and a one-line description. */
PH_EXPORT const char *physmem_name(const struct physmem *pm);
PH_EXPORT void physmem_describe(const struct physmem *pm, char *buf,
    size_t len);
/*
 * Whether frame gfn holds memory, and (runp, may be NULL) a frame after
 * gfn up to which the answer holds: every frame of [gfn, *runp) answers
 * the same.  Image providers stop where the answer changes; a live one
 * may stop sooner (it probes a bounded stretch at a time), so the frame
 * at *runp may answer the same.  Frames past the end are holes.
 */
PH_EXPORT int physmem_present(const struct physmem *pm, uint64_t gfn,
    uint64_t *runp);

#ifdef __cplusplus
}
#endif

#endif /* PORTHOLE_PHYSMEM_H */
