/*
 * xen_pause_domain.c - the Xen side of the pause guard (see xen_pause.h):
 * what the guardian does to pause and unpause a domain, and
 * xen_pause_take().
 *
 * The guardian opens its own hypervisor handle (never the taker's: the
 * hypercall buffers of a libxenctrl handle are not inherited across fork)
 * and no xenstore connection.  It holds the domain by domid and UUID: a
 * domain whose id now carries another UUID is not ours to pause or
 * unpause.  What may be paused at all is decided by xen__pausable()
 * (xen_domain.c), for the guard as for xen_domain_pause().
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "xen/xen_impl.h"
#include "xen/xen_pause.h"

/* What the guardian holds: copied into it by the fork. */
struct xen__pause_target {
	uint32_t	pt_domid;
	char		pt_uuid[XEN_DOMAIN_UUID_LEN + 1];
};

struct xen__pause_ctx {
	struct xen_handle		*pc_xh;
	struct xen__pause_target	pc_target;
};

static void *
xen__pg_open(void *arg, struct xen_err *err)
{
	struct xen__pause_ctx *pc;

	pc = calloc(1, sizeof(*pc));
	if (pc == NULL) {
		xen_err_set(err, ENOMEM, "pause guardian: out of memory");
		return NULL;
	}
	pc->pc_target = *(const struct xen__pause_target *)arg;
	pc->pc_xh = xen__open(false, err);
	if (pc->pc_xh == NULL) {
		free(pc);
		return NULL;
	}
	return pc;
}

static int
xen__pg_pause(void *ctx, struct xen_err *err)
{
	struct xen__pause_ctx *pc = ctx;

	return xen__pause(pc->pc_xh, pc->pc_target.pt_domid,
	    pc->pc_target.pt_uuid, err);
}

/*
 * Give back the pause, unless the domain it was taken on is gone: then
 * the pause went with it, and a domain that reused the id is not ours.
 */
static int
xen__pg_unpause(void *ctx, struct xen_err *err)
{
	struct xen__pause_ctx *pc = ctx;
	struct xen__pause_target *t = &pc->pc_target;
	struct xen_domain_info di;

	if (xen__getinfo(pc->pc_xh, t->pt_domid, &di, err) < 0)
		return errno == ENOENT ? 0 : -1;
	if (strcmp(di.di_uuid, t->pt_uuid) != 0 || di.di_dying)
		return 0;
	return xen_domain_unpause(pc->pc_xh, t->pt_domid, err);
}

static void
xen__pg_close(void *ctx)
{
	struct xen__pause_ctx *pc = ctx;

	xen_close(pc->pc_xh);
	free(pc);
}

static const struct xen_pause_ops xen__pause_domain_ops = {
	.po_open = xen__pg_open,
	.po_pause = xen__pg_pause,
	.po_unpause = xen__pg_unpause,
	.po_close = xen__pg_close,
};

struct xen_pause *
xen_pause_take(struct xen_handle *xh, uint32_t domid, unsigned int flags,
    struct xen_err *err)
{
	struct xen__pause_target target;
	struct xen_domain_info di;

	if (xh == NULL) {
		xen_err_set(err, EINVAL, "xen_pause_take: NULL handle");
		return NULL;
	}
	if (xen__pausable(xh, domid, NULL, &di, err) < 0)
		return NULL;
	memset(&target, 0, sizeof(target));
	target.pt_domid = domid;
	memcpy(target.pt_uuid, di.di_uuid, sizeof(target.pt_uuid));
	return xen_pause_take_ops(&xen__pause_domain_ops, &target, domid, flags,
	    err);
}
