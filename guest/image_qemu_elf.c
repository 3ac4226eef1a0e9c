/*
 * image_qemu_elf.c -- the QEMU `dump-guest-memory` ELF opener.
 *
 * Not implemented yet: ENOTSUP with a sentence.
 */
#include "config.h"

#include <errno.h>

#include "guest/image.h"
#include "guest/image_impl.h"

int
image_open_qemu_elf(int fd, const char *path, bool writable,
    struct image *im, char *errbuf, size_t errlen)
{
	(void) fd;
	(void) writable;
	(void) im;
	return (image_fail(errbuf, errlen, ENOTSUP, "%s: QEMU ELF dumps "
	    "cannot be read by this build yet", path));
}
