/*
 * guest.c -- the guest handle (<porthole/guest.h>): open a live domain or
 * an image from a spec, and read, write and pin its physical memory
 * through a physical window (seg_kpm on a 64-bit host, seg_map slots
 * otherwise) over the backend's provider.
 *
 * Writes: a live domain's window is writable only with GUEST_OPEN_WRITE;
 * an image's only with GUEST_OPEN_COPY, whose provider maps frames
 * privately (copy on write: the file never changes).
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <porthole/guest.h>
#include "guest/errbuf.h"
#include "guest/guest_impl.h"
#include "guest/x86_tlb.h"

#define	GUEST_SPEC_XEN		"xen:"
#define	GUEST_WINDOW_SLACK	((uint64_t)1 << 30)
#define	GUEST_WINDOW_32		((size_t)512 << 20)

/*
 * The window: on a 64-bit host room for the whole guest (seg_kpm) and
 * some to spare; on a 32-bit one a fixed window that seg_map slots fill.
 */
static size_t
guest_window_size(uint64_t nframes)
{
	uint64_t bytes;

	if (sizeof (void *) < 8)
		return (GUEST_WINDOW_32);
	bytes = nframes * 4096 + GUEST_WINDOW_SLACK;
	return ((size_t)bytes);
}

/* The address space and the physical window over g->g_pm. */
static int
guest_window_open(struct guest *g, const struct physwin_opts *tuned,
    char *errbuf, size_t errlen)
{
	struct physwin_opts o = { .po_size = sizeof (o) };
	uint64_t nframes = physmem_nframes(g->g_pm);

	if (nframes == 0 || nframes > ((uint64_t)1 << 40)) {
		errbuf_printf(errbuf, errlen, "%s: the guest's physical address "
		    "space (%llu frames) is empty or too large to map", g->g_name,
		    (unsigned long long)nframes);
		return (EINVAL);
	}
	if ((g->g_as = as_alloc(guest_window_size(nframes))) == NULL) {
		int e = errno;

		errbuf_printf(errbuf, errlen, "%s: no address space for the "
		    "guest's window (%llu frames): %s", g->g_name,
		    (unsigned long long)nframes, strerror(e));
		return (e);
	}
	if (tuned != NULL)
		o = *tuned;
	o.po_prot = guest_writable(g) ? PROT_READ | PROT_WRITE : PROT_READ;
	if ((g->g_pw = physwin_open(g->g_as, g->g_pm, &o)) == NULL) {
		int e = errno;

		errbuf_printf(errbuf, errlen, "%s: no physical window for %llu "
		    "frames: %s", g->g_name, (unsigned long long)nframes,
		    strerror(e));
		return (e);
	}
	return (0);
}

static int
guest_image_open(struct guest *g, const char *path, unsigned flags,
    char *errbuf, size_t errlen)
{
	int e;

	if (flags & GUEST_OPEN_WRITE) {
		errbuf_printf(errbuf, errlen, "%s is a memory image, which "
		    "porthole never writes; ask for a writable copy instead "
		    "(GUEST_OPEN_COPY, porthole's --copy)", path);
		return (EROFS);
	}
	if (flags & GUEST_OPEN_PAUSE) {
		errbuf_printf(errbuf, errlen, "%s is a memory image: there is "
		    "nothing to pause", path);
		return (EINVAL);
	}
	e = image_open(path, (flags & GUEST_OPEN_COPY) != 0, &g->g_image,
	    errbuf, errlen);
	if (e != 0)
		return (e);
	g->g_is_image = true;
	g->g_pm = g->g_image.im_pm;
	physmem_hold(g->g_pm);
	if (g->g_image.im_pv && g->g_image.im_np2m > 0) {
		g->g_pv = true;
		if ((e = guest_m2p_build(&g->g_m2p, g->g_image.im_p2m,
		    g->g_image.im_np2m)) != 0) {
			errbuf_printf(errbuf, errlen, "%s: no memory for the PV "
			    "guest's machine-to-guest frame table", path);
			return (e);
		}
	}
	return (0);
}

struct guest *
guest_open(const char *spec, unsigned flags, char *errbuf, size_t errlen)
{
	return (guest__open_tuned(spec, flags, NULL, errbuf, errlen));
}

struct guest *
guest__open_tuned(const char *spec, unsigned flags,
    const struct guest_tuning *t, char *errbuf, size_t errlen)
{
	struct guest *g;
	int e;

	errbuf_printf(errbuf, errlen, "%s", "");
	if (spec == NULL || *spec == '\0' ||
	    (flags & ~(GUEST_OPEN_WRITE | GUEST_OPEN_COPY |
	    GUEST_OPEN_PAUSE)) != 0) {
		errbuf_printf(errbuf, errlen, "no guest named, or unknown open "
		    "flags 0x%x", flags);
		errno = EINVAL;
		return (NULL);
	}
	if ((g = calloc(1, sizeof (*g))) == NULL ||
	    (g->g_name = strdup(spec)) == NULL) {
		free(g);
		errbuf_printf(errbuf, errlen, "%s: out of memory", spec);
		errno = ENOMEM;
		return (NULL);
	}
	g->g_flags = flags;
	if (strncmp(spec, GUEST_SPEC_XEN, strlen(GUEST_SPEC_XEN)) == 0) {
		if (flags & GUEST_OPEN_COPY) {
			errbuf_printf(errbuf, errlen, "%s: a writable copy is for "
			    "images; to write to a live domain, open it for "
			    "writing (--write)", spec);
			e = EINVAL;
			goto fail;
		}
		e = guest_live_open(g, spec + strlen(GUEST_SPEC_XEN), flags,
		    errbuf, errlen);
	} else {
		e = guest_image_open(g, spec, flags, errbuf, errlen);
	}
	if (e == 0)
		e = guest_window_open(g, t != NULL ? t->gt_window : NULL,
		    errbuf, errlen);
	if (e == 0 && (e = guest_space_setup(g, t == NULL ||
	    !t->gt_no_tlb)) != 0)
		errbuf_printf(errbuf, errlen, "%s: out of memory for the "
		    "translation cache", spec);
	if (e == 0)
		return (g);
fail:
	guest_close(g);
	errno = e;
	return (NULL);
}

void
guest_close(struct guest *g)
{
	int saved_errno = errno;

	if (g == NULL)
		return;
	guest_space_teardown(g);
	if (g->g_pw != NULL)
		physwin_close(g->g_pw);
	if (g->g_as != NULL)
		as_free(g->g_as);
	if (g->g_pm != NULL)
		physmem_rele(g->g_pm);
	if (g->g_is_image)
		image_close(&g->g_image);
	if (g->g_live != NULL)
		guest_live_close(g->g_live);
	guest_m2p_free(&g->g_m2p);
	free(g->g_name);
	free(g);
	errno = saved_errno;
}

const char *
guest_format(const struct guest *g)
{
	return (g->g_is_image ? image_format_name(g->g_image.im_format) :
	    "xen");
}

const char *
guest_name(const struct guest *g)
{
	return (g->g_name);
}

int
guest_domid(const struct guest *g)
{
	return (g->g_live != NULL ? guest_live_domid(g->g_live) : -1);
}

void
guest_describe(const struct guest *g, char *buf, size_t len)
{
	if (len == 0)
		return;
	if (g->g_live != NULL)
		guest_live_describe(g->g_live, buf, len);
	else
		(void) snprintf(buf, len, "%s", g->g_image.im_describe);
}

struct as *
guest_as(struct guest *g)
{
	return (g->g_as);
}

struct physmem *
guest_physmem(struct guest *g)
{
	return (g->g_pm);
}

uint64_t
guest_nframes(const struct guest *g)
{
	return (physmem_nframes(g->g_pm));
}

int
guest_present(const struct guest *g, uint64_t gfn, uint64_t *runp)
{
	return (physmem_present(g->g_pm, gfn, runp));
}

static const char *
guest_errno_what(int err)
{
	switch (err) {
	case 0:		return ("");
	case ENXIO:	return ("hole");
	case EINVAL:	return ("beyond the guest");
	case EACCES:
	case EROFS:	return ("not writable");
	case ESRCH:	return ("domain gone");
	default:	return ("unreadable");
	}
}

static void
guest_fault_phys(struct guest_fault *why, uint64_t gpa, int err)
{
	if (why == NULL)
		return;
	why->gf_addr = gpa;
	why->gf_pa = gpa;
	why->gf_errno = err == EINVAL ? EFAULT : err == EACCES ? EROFS : err;
	why->gf_level = 0;
	why->gf_what = guest_errno_what(err);
}

size_t
guest_pread(struct guest *g, uint64_t gpa, void *buf, size_t len,
    struct guest_fault *why)
{
	int err;
	size_t done = physwin_read(g->g_pw, gpa, buf, len, &err);

	guest_fault_phys(why, gpa + done, err);
	return (done);
}

size_t
guest_pwrite(struct guest *g, uint64_t gpa, const void *buf, size_t len,
    struct guest_fault *why)
{
	int err;
	size_t done = physwin_write(g->g_pw, gpa, buf, len, &err);

	guest_fault_phys(why, gpa + done, err);
	if (done > 0)
		guest_flush(g);		/* page tables may have changed */
	return (done);
}

void *
guest_pin(struct guest *g, uint64_t gpa, size_t len, struct guest_pin *pin)
{
	void *p = physwin_pin(g->g_pw, gpa, len, guest_writable(g));

	if (p == NULL)
		return (NULL);
	pin->gp_ptr = p;
	pin->gp_len = len;
	pin->gp_priv[0] = guest_writable(g);
	return (p);
}

void
guest_unpin(struct guest *g, struct guest_pin *pin)
{
	if (pin == NULL || pin->gp_ptr == NULL)
		return;
	physwin_unpin(g->g_pw, pin->gp_ptr, pin->gp_len,
	    (int)pin->gp_priv[0]);
	pin->gp_ptr = NULL;
}

unsigned
guest_nvcpus(const struct guest *g)
{
	if (g->g_live != NULL)
		return (guest_live_nvcpus(g->g_live));
	return (g->g_image.im_nvcpus);
}

int
guest_vcpu_regs(struct guest *g, unsigned vcpu, struct guest_regs *regs)
{
	if (g->g_live != NULL) {
		int e = guest_live_vcpu_regs(g->g_live, vcpu, regs);

		if (e != 0) {
			errno = e;
			return (-1);
		}
		return (0);
	}
	if (g->g_image.im_nvcpus == 0) {
		errno = ENODATA;
		return (-1);
	}
	if (vcpu >= g->g_image.im_nvcpus) {
		errno = ENOENT;
		return (-1);
	}
	*regs = g->g_image.im_vcpus[vcpu];
	return (0);
}

int
guest_pause(struct guest *g)
{
	int e;

	if (g->g_live == NULL) {
		errno = ENOTSUP;
		return (-1);
	}
	if ((e = guest_live_pause(g->g_live)) != 0) {
		errno = e;
		return (-1);
	}
	guest_flush(g);
	return (0);
}

int
guest_resume(struct guest *g)
{
	int e;

	if (g->g_live == NULL) {
		errno = ENOTSUP;
		return (-1);
	}
	e = guest_live_resume(g->g_live);
	guest_flush(g);
	if (e != 0) {
		errno = e;
		return (-1);
	}
	return (0);
}

const char *
guest_vmcoreinfo(const struct guest *g, size_t *lenp)
{
	if (!g->g_is_image || g->g_image.im_vmcoreinfo == NULL)
		return (NULL);
	if (lenp != NULL)
		*lenp = g->g_image.im_vmcoreinfo_len;
	return (g->g_image.im_vmcoreinfo);
}
