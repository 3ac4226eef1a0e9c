/*
 * dump.h -- what `porthole dump` and `porthole write --copy-to` share: a
 * dump job (the guest's present runs, the output file, progress and the
 * count of pages that could not be read) and the writers of each format.
 *
 * Holes are never written: a raw file is sparse there, an ELF core has no
 * PT_LOAD for them.  A page the guest cannot give (a live domain's frame
 * gone, an I/O error) is left as zeros and counted; the dump goes on.
 */
#ifndef PORTHOLE_TOOLS_DUMP_H
#define PORTHOLE_TOOLS_DUMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <porthole/guest.h>
#include "tools/porthole.h"

enum dump_format { DUMP_ELF, DUMP_RAW, DUMP_XC_CORE };

/* A run of present guest physical memory, in bytes. */
struct dump_run {
	uint64_t	dr_start;
	uint64_t	dr_len;
};

struct dump_job {
	struct guest	*dj_g;
	const char	*dj_path;	/* the final name, for messages */
	int		dj_fd;
	struct dump_run	*dj_runs;
	size_t		dj_nruns;
	uint64_t	dj_present;	/* bytes in the runs */
	uint64_t	dj_size;	/* the physical address space */
	struct cli_progress dj_progress;
	uint64_t	dj_done;	/* bytes dealt with */
	uint64_t	dj_unreadable;	/* pages left as zeros */
	uint64_t	dj_first_unreadable;
	int		dj_unreadable_errno;
	uint64_t	dj_stall_at;	/* test hook; 0: none */
	bool		dj_stalled;
	unsigned char	*dj_buf;
};

/* "elf", "raw", "xc-core"; and back (-1: not a format). */
const char *dump_format_name(enum dump_format f);
int	dump_format_parse(const char *text);

/* The guest's runs and a buffer: 0, or -1 (said). */
int	dump_job_init(struct dump_job *dj, struct guest *g, const char *path,
	    int fd);
void	dump_job_fini(struct dump_job *dj);

/*
 * Copy len bytes of guest physical memory at gpa to the file at off, in
 * pinned batches (a bounce buffer where a pin is refused), pages that
 * cannot be read left as zeros and counted.  0; -1 with errno EINTR when
 * interrupted (not said); -1 when the file cannot be written (said).
 */
int	dump_copy(struct dump_job *dj, uint64_t gpa, uint64_t len,
	    uint64_t off);
/* Progress and the interrupt check after work outside dump_copy. */
int	dump_tick(struct dump_job *dj);

/* The writers: 0 or -1 as dump_copy. */
int	dump_write_raw(struct dump_job *dj);
int	dump_write_elf(struct dump_job *dj);

#endif /* PORTHOLE_TOOLS_DUMP_H */
