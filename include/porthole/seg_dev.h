/*
 * porthole/seg_dev.h -- seg_dev: mmap-able character devices and sysfs
 * resource files.
 *
 * Used for device memory: a PCI BAR through
 * /sys/bus/pci/devices/DDDD:BB:DD.F/resourceN, /dev/mem, or a
 * /dev/zero-like device.  Files are not devices: map a regular file with
 * seg_vn.
 */
#ifndef PORTHOLE_SEG_DEV_H
#define PORTHOLE_SEG_DEV_H

#include <sys/types.h>

#include <porthole/as.h>

#ifdef __cplusplus
extern "C" {
#endif

/* segdev_crargs.flags */
/*
 * Accept a regular file outside /sys as a stand-in for a device.  For
 * tests only: a file's pages belong to seg_vn, which checks its size.
 */
#define	SEGDEV_FILE_STANDIN	0x1

/* segdev_create arguments. */
struct segdev_crargs {
	/*
	 * The device to open (O_RDWR when prot has PROT_WRITE, else
	 * O_RDONLY; close-on-exec), or NULL to use fd.
	 */
	const char	*path;
	int		fd;		/* used when path is NULL; duplicated */
	off_t		offset;		/* page aligned */
	unsigned	prot;		/* PROT_READ and/or PROT_WRITE */
	int		type;		/* MAP_SHARED (also when 0), MAP_PRIVATE */
	int		flags;		/* SEGDEV_* */
};

/*
 * Create function for as_map.  Errors: ENOENT and the other errors of
 * open(2) for path; EBADF for a bad fd; ENODEV (a directory, a block
 * device, a FIFO or socket, or a device the host cannot map); EINVAL (a
 * regular file outside /sys without SEGDEV_FILE_STANDIN, a bad type,
 * offset or prot bits); ENXIO (the range runs past the end of a resource
 * file); EACCES (PROT_EXEC, or PROT_WRITE on a shared mapping of a
 * descriptor that is not open for writing).  Partial unmaps trim or split
 * the segment.
 */
PH_EXPORT int segdev_create(struct seg *seg, void *create_args);

#ifdef __cplusplus
}
#endif

#endif /* PORTHOLE_SEG_DEV_H */
