/*
 * porthole/seg_nf.h -- seg_nf: a read-only zero page, repeated.
 *
 * Used for holes in guest memory (MMIO gaps, ballooned-out or never
 * populated frames), so that bulk scans and dumps read zeros instead of
 * faulting.  Pages cost no memory: the host backs every one of them with
 * its shared zero page, and the segment can never become writable.
 */
#ifndef PORTHOLE_SEG_NF_H
#define PORTHOLE_SEG_NF_H

#include <porthole/as.h>

#ifdef __cplusplus
extern "C" {
#endif

/* segnf_create arguments; a NULL create_args means PROT_READ, no name. */
struct segnf_crargs {
	unsigned	prot;		/* PROT_READ or PROT_NONE */
	const char	*name;		/* shown by the dump op; may be NULL */
};

/*
 * Create function for as_map.  The segment's protection ceiling is
 * PROT_READ: asking for PROT_WRITE or PROT_EXEC, now or later through
 * as_setprot, fails with EACCES, and so does a write through as_write or
 * as_fault(..., S_WRITE).  Errors: EINVAL (unknown PROT_* bits), EACCES,
 * ENOMEM.  Partial unmaps trim or split the segment.
 */
PH_EXPORT int segnf_create(struct seg *seg, void *create_args);

#ifdef __cplusplus
}
#endif

#endif /* PORTHOLE_SEG_NF_H */
