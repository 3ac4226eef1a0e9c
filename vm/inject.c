/*
 * inject.c -- fault injection counters (see inject.h).
 *
 * A disarmed site costs one relaxed atomic load per call.
 */
#include "config.h"

#include <stdatomic.h>

#include "vm/inject.h"

static _Atomic unsigned long vm_inject_countdown[VM_INJECT_NSITES];

void
vm_inject_arm(enum vm_inject_site site, unsigned long nth)
{
	atomic_store(&vm_inject_countdown[site], nth);
}

bool
vm_inject_pending(enum vm_inject_site site)
{
	return (atomic_load(&vm_inject_countdown[site]) != 0);
}

bool
vm_inject_fail(enum vm_inject_site site)
{
	unsigned long left;

	left = atomic_load_explicit(&vm_inject_countdown[site],
	    memory_order_relaxed);
	while (left != 0) {
		if (atomic_compare_exchange_weak(&vm_inject_countdown[site],
		    &left, left - 1))
			return (left == 1);
	}
	return (false);
}
