/*
 * guest/kdump_flat.h -- makedumpfile's flattened format (what QEMU's
 * dump-guest-memory writes for kdump-*): an index built once at open,
 * from the logical offsets of the file the records describe to offsets
 * in the flattened file, so the kdump reader can read the logical file
 * as if it had been rearranged (makedumpfile -R).
 *
 * The flattened file: a 4096-byte header ("makedumpfile", NUL padding
 * to 16 bytes, then big-endian 64-bit type 1 and version), then records
 * of (be64 logical offset, be64 size, size bytes of data), ended by a
 * record whose offset and size are both -1.  Records may come in any
 * order and may overlap: the last one written wins, as it would on
 * disk.  Logical bytes no record wrote read as zeros (a hole in the
 * rearranged file).
 *
 * Errors: EINVAL with one sentence naming the file, the record and its
 * file offset (a record past the end of the file, a negative offset, an
 * offset + size that wraps, no end marker: a cut file), ENOMEM.
 */
#ifndef PORTHOLE_GUEST_KDUMP_FLAT_H
#define PORTHOLE_GUEST_KDUMP_FLAT_H

#include <stddef.h>
#include <stdint.h>

/* The flattened header's size; records start here. */
#define	KDUMP_FLAT_HEADER	4096u
/* Records taken at most (a 64 GiB guest in 4 KiB records is 16M). */
#define	KDUMP_FLAT_MAX_RECORDS	(1u << 26)

struct kdump_flat;

/* Index the flattened file fd (not taken over). */
int	kdump_flat_open(int fd, const char *path, struct kdump_flat **kfp,
	    char *errbuf, size_t errlen);
void	kdump_flat_free(struct kdump_flat *kf);

/* The logical file's size (the end of the furthest record). */
uint64_t kdump_flat_size(const struct kdump_flat *kf);
/* Records read, and the disjoint stretches they resolved into. */
size_t	kdump_flat_records(const struct kdump_flat *kf);
size_t	kdump_flat_stretches(const struct kdump_flat *kf);

/*
 * Read len logical bytes at off: 0, EIO when the range passes the
 * logical end or the file is short, or the read's errno.  Thread safe.
 */
int	kdump_flat_read(const struct kdump_flat *kf, void *buf, size_t len,
	    uint64_t off);

#endif /* PORTHOLE_GUEST_KDUMP_FLAT_H */
