/*
 * image_kdump.c -- the kdump-compressed opener (standard and flattened).
 *
 * Not implemented yet: ENOTSUP with a sentence.
 */
#include "config.h"

#include <errno.h>

#include "guest/image.h"
#include "guest/image_impl.h"

int
image_open_kdump(int fd, const char *path, bool flattened, bool writable,
    struct image *im, char *errbuf, size_t errlen)
{
	(void) fd;
	(void) writable;
	(void) im;
	return (image_fail(errbuf, errlen, ENOTSUP, "%s: %s dumps cannot be "
	    "read by this build yet", path, flattened ? "flattened kdump" :
	    "kdump"));
}
