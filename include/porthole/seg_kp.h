/*
 * porthole/seg_kp.h -- seg_kp: buffers and stacks with guard pages (red
 * zones) before and after.
 *
 * Used where an overrun must trap instead of corrupting: buffers that
 * parse untrusted guest data, and worker stacks.  A kp segment covers
 *
 *	[guard_before pages][usable bytes][guard_after pages]
 *
 * The guards are PROT_NONE for good: any access to them (a host SIGSEGV
 * for a direct access, EACCES through as_read/as_write/as_fault) fails,
 * and as_setprot cannot open them.  The usable range starts at
 * seg_base + guard_before * page size; segkp_buffer() returns it.
 */
#ifndef PORTHOLE_SEG_KP_H
#define PORTHOLE_SEG_KP_H

#include <stddef.h>
#include <sys/types.h>

#include <porthole/as.h>

#ifdef __cplusplus
extern "C" {
#endif

/* segkp_create arguments. */
struct segkp_crargs {
	/*
	 * Usable bytes, a page multiple; 0 takes whatever the segment
	 * leaves between the guards.  Otherwise the segment must be exactly
	 * segkp_len() of these arguments.
	 */
	size_t		size;
	size_t		guard_before;	/* pages below; 0 means 1 */
	size_t		guard_after;	/* pages above; 0 means 1 */
	unsigned	prot;		/* PROT_READ and/or PROT_WRITE */
	/*
	 * A backing file, so the buffer can be paged out to it, or -1 for
	 * anonymous memory.  The file must be open for reading and writing;
	 * it is mapped shared from offset (page aligned) and grown when it
	 * is shorter than offset + size.  The descriptor is duplicated.
	 */
	int		fd;
	off_t		offset;
};

/*
 * Create function for as_map.  Errors: EINVAL (size or offset not page
 * aligned, a segment that is not guard + size + guard, unknown prot bits),
 * EACCES (PROT_EXEC, or a file not open for reading and writing), ENOMEM,
 * or the file's error.  A kp segment is unmapped whole or not at all
 * (ENOTSUP): trimming it would drop a red zone.
 */
PH_EXPORT int segkp_create(struct seg *seg, void *create_args);

/* The segment length as_map needs for a (guards + usable size). */
PH_EXPORT size_t segkp_len(const struct segkp_crargs *a);

/*
 * The usable range of a kp segment: its first byte, and its size in
 * *sizep when sizep is not NULL.  NULL with errno EINVAL when seg is not
 * a kp segment.  Valid while the segment is (see as_findseg).
 */
PH_EXPORT void *segkp_buffer(struct seg *seg, size_t *sizep);

#ifdef __cplusplus
}
#endif

#endif /* PORTHOLE_SEG_KP_H */
