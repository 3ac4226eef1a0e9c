/*
 * guest_dump.c -- guest_dump_xc_core: a live domain's memory written as
 * an xc-core file by the Xen layer's dumper (xen/xc_core_dump), the
 * layout `xl dump-core` writes.
 *
 * Non-goals: images (an xc-core file is what a hypervisor writes of a
 * live domain: its vCPU contexts and p2m come from Xen, which an image
 * cannot supply; the command writes images as ELF or raw), choosing the
 * file's name or making it durable (the caller's: temporary file, fsync,
 * rename).
 */
#include "config.h"

#include <errno.h>

#include <porthole/guest.h>
#include "guest/errbuf.h"
#include "guest/guest_impl.h"

int
guest_dump_xc_core(struct guest *g, int fd, const char *name,
    int (*progress)(void *, uint64_t, uint64_t), void *arg,
    uint64_t *pagesp, char *errbuf, size_t errlen)
{
	int e;

	errbuf_printf(errbuf, errlen, "%s", "");
	if (pagesp != NULL)
		*pagesp = 0;
	if (fd < 0) {
		errbuf_printf(errbuf, errlen, "%s: no file to write the xc-core "
		    "dump to", g->g_name);
		errno = EINVAL;
		return (-1);
	}
	if (g->g_live == NULL) {
		errbuf_printf(errbuf, errlen, "%s is a memory image: xc-core "
		    "files are written from live domains (their vCPU contexts "
		    "and p2m come from Xen); write it as elf or raw instead",
		    g->g_name);
		errno = ENOTSUP;
		return (-1);
	}
	e = guest_live_xc_core(g->g_live, fd, name != NULL ? name : g->g_name,
	    progress, arg, pagesp, errbuf, errlen);
	if (e != 0) {
		errno = e;
		return (-1);
	}
	return (0);
}
