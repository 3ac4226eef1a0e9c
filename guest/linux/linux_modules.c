/*
 * linux_modules.c -- the loaded kernel modules, as /proc/modules lists
 * them: linux_modules (see <porthole/linux.h>).
 *
 * The `modules` list head links each struct module by its `list`
 * member.  For each: its name (module.name, MODULE_NAME_LEN bytes,
 * terminated here), its state (0 live, 1 coming, 2 going; 3, unformed,
 * a module still being loaded, is skipped as /proc/modules skips it) and
 * its core text:
 *	up to 6.3	module.core_layout (struct module_layout): base and
 *			size, the size of the whole core (text, read-only
 *			data and data)
 *	6.4+		module.mem[MOD_TEXT] (struct module_memory, the
 *			first of the array): base and size of the text
 * The profile says which: module.mem, else module.core_layout.
 *
 * Guest memory is hostile: the walk is lk_list_walk's (bounded by
 * LINUX_MAX_MODULES, loops found, every link checked to point back); a
 * state beyond unformed, or a base and size that wrap around the address
 * space, is EIO.
 *
 * Errors: -1 with errno EIO, EFAULT, ELOOP, ENOTSUP (the profile lacks
 * the `modules` symbol or a member).
 *
 * Non-goals: the init sections (freed once a module is live), a module's
 * other memory types on 6.4+ (data, read-only data), sizes beyond the
 * text on 6.4+.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "guest/linux/linux_impl.h"
#include "guest/linux/linux_list.h"
#include "guest/linux/linux_views.h"

#define	MODULE	"module"

/* include/linux/module.h: enum module_state */
#define	MODULE_STATE_UNFORMED	3

struct lk_modules_walk {
	uint64_t	mw_off;		/* module.list */
	uint64_t	mw_text_off;	/* module.mem or module.core_layout */
	const char	*mw_text_type;	/* module_memory or module_layout */
	int		(*mw_cb)(const struct linux_module *, void *);
	void		*mw_arg;
	int		mw_rv;		/* the caller's stop value */
};

static int
lk_module_name(struct linux_kernel *lk, uint64_t mod, char *name,
    size_t len)
{
	uint64_t off, size;
	int err;

	if ((err = lprof_member(lk->lk_prof, MODULE, "name", &off,
	    &size)) != 0)
		return (err);
	if (size == 0 || size >= len)
		size = len - 1;
	memset(name, 0, len);
	return (lk_read(lk, mod + off, name, (size_t)size));
}

static int
lk_modules_step(struct linux_kernel *lk, uint64_t node, void *arg)
{
	struct lk_modules_walk *mw = arg;
	struct linux_module lm;
	uint64_t mod = node - mw->mw_off, text, state, base, size;
	int err;

	memset(&lm, 0, sizeof (lm));
	if ((err = lk_field(lk, mod, MODULE, "state", &state)) != 0)
		return (err);
	if (state == MODULE_STATE_UNFORMED)
		return (0);
	if (state > MODULE_STATE_UNFORMED)
		return (EIO);
	text = mod + mw->mw_text_off;
	if ((err = lk_module_name(lk, mod, lm.lm_name,
	    sizeof (lm.lm_name))) != 0 ||
	    (err = lk_field(lk, text, mw->mw_text_type, "base", &base)) != 0 ||
	    (err = lk_field(lk, text, mw->mw_text_type, "size", &size)) != 0)
		return (err);
	if (base + size < base)
		return (EIO);
	lm.lm_base = base;
	lm.lm_size = size;
	lm.lm_state = (int)state;
	lm.lm_addr = mod;
	if ((mw->mw_rv = mw->mw_cb(&lm, mw->mw_arg)) != 0)
		return (LK_WALK_STOP);
	return (0);
}

int
linux_modules(struct linux_kernel *lk,
    int (*cb)(const struct linux_module *, void *), void *arg)
{
	struct lk_modules_walk mw;
	uint64_t head;
	int rv;

	if (lk == NULL || cb == NULL) {
		errno = EINVAL;
		return (-1);
	}
	memset(&mw, 0, sizeof (mw));
	mw.mw_cb = cb;
	mw.mw_arg = arg;
	if (lk_offset(lk, MODULE, "mem", &mw.mw_text_off) == 0) {
		mw.mw_text_type = "module_memory";	/* mem[MOD_TEXT] */
		rv = 0;
	} else {
		mw.mw_text_type = "module_layout";
		rv = lk_offset(lk, MODULE, "core_layout", &mw.mw_text_off);
	}
	if (rv == 0 &&
	    (rv = lprof_symbol(lk->lk_prof, "modules", &head)) == 0 &&
	    (rv = lk_offset(lk, MODULE, "list", &mw.mw_off)) == 0)
		rv = lk_list_walk(lk, head, LINUX_MAX_MODULES,
		    lk_modules_step, &mw);
	if (rv == LK_WALK_STOP)
		return (mw.mw_rv);
	if (rv != 0) {
		errno = lk_view_errno(rv);
		return (-1);
	}
	return (0);
}
