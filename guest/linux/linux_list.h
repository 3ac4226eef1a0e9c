/*
 * guest/linux/linux_list.h -- a bounded walk of a kernel `struct
 * list_head` ring in guest memory.  Internal to guest/linux/.
 *
 * The walk starts at a list head, visits every element after it and ends
 * when the ring comes back to the head.  A guest's list is hostile: each
 * step reads the element's next and prev pointers in one read and checks
 * that the element points back (next->prev == this), so a list that was
 * changed under us or cross-linked stops with EIO; Brent's cycle finder
 * catches a ring that loops back to an element other than the head
 * (ELOOP), and a count bounds the rest (ELOOP: the list does not close
 * within max elements).
 */
#ifndef PORTHOLE_GUEST_LINUX_LIST_H
#define PORTHOLE_GUEST_LINUX_LIST_H

#include <stdint.h>

#include "guest/linux/linux_impl.h"
#include "guest/linux/linux_views.h"	/* LK_WALK_STOP */

/*
 * Called for each element (the address of its list_head) in list order.
 * Return 0 to go on; anything else stops the walk, which returns it: by
 * convention a positive errno when the element was bad, LK_WALK_STOP
 * when the view's caller asked to stop.
 */
typedef int lk_list_cb(struct linux_kernel *lk, uint64_t node, void *arg);

/*
 * Walk the ring whose head is the list_head at head: 0 when it closed,
 * the callback's non-zero value, or an errno: EIO (a NULL or misaligned
 * pointer, an element that does not point back), EFAULT (an element not
 * mapped), ELOOP (a loop that misses the head, or more than max
 * elements).
 */
int	lk_list_walk(struct linux_kernel *lk, uint64_t head, uint64_t max,
	    lk_list_cb *cb, void *arg);

#endif /* PORTHOLE_GUEST_LINUX_LIST_H */
