/*
 * inject.h -- fault injection for tests: fail the Nth allocation or the
 * Nth host-mapping (hat) call, the way SQLite's tests fail the Nth malloc.
 *
 * Counting is off until a test arms a site; an armed site fails exactly one
 * call (the Nth after arming) and then disarms itself.  Only the core's
 * forward paths consult it; rollback paths use calls that cannot be made
 * to fail, so an injected failure always leaves a consistent state.
 */
#ifndef PORTHOLE_VM_INJECT_H
#define PORTHOLE_VM_INJECT_H

#include <stdbool.h>

enum vm_inject_site {
	VM_INJECT_ALLOC,	/* vm_zalloc and friends */
	VM_INJECT_HAT,		/* hat_load_*, hat_unload, hat_chgprot, ... */
	VM_INJECT_NSITES
};

/* Arm site so that its nth call from now (n >= 1) fails; 0 disarms. */
void	vm_inject_arm(enum vm_inject_site site, unsigned long nth);
/* True when the armed failure has not been taken yet. */
bool	vm_inject_pending(enum vm_inject_site site);
/* Called by the site: true when this call must fail. */
bool	vm_inject_fail(enum vm_inject_site site);

#endif /* PORTHOLE_VM_INJECT_H */
