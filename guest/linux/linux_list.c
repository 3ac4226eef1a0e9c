/*
 * linux_list.c -- a bounded, loop-checked walk of a kernel list_head
 * ring in guest memory (see linux_list.h).
 *
 * Each step reads one list_head (next and prev together) and checks that
 * the element it leads to points back at it; the step that comes back to
 * the head checks the head's prev the same way.  In a list that does not
 * change, that alone rules out a ring looping back to an element other
 * than the head (the element looped to points back at its first
 * predecessor, not the last), but a live guest's list can change
 * between reads, and a broken link must still be told apart from a loop.
 * So Brent's cycle finder runs alongside: a saved element (the tortoise)
 * jumps to the current one after 1, 2, 4, ... steps, and meeting it
 * again is a loop.  That costs one comparison a step and no memory, and
 * finds a loop of length L within about 2L steps of entering it; max
 * bounds everything else.
 *
 * Non-goals: RCU-style lists whose prev pointers are poisoned (hlist,
 * list_del_rcu'd entries): the lists walked here (tasks, modules) are
 * ordinary doubly linked rings.
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

#include "guest/linux/linux_list.h"

/* Read the list_head at node: its next and prev pointers. */
static int
lk_list_read(struct linux_kernel *lk, uint64_t node, uint64_t *nextp,
    uint64_t *prevp)
{
	int err;

	if ((err = lk_read_ptr(lk, node, nextp)) != 0 ||
	    (err = lk_read_ptr(lk, node + lk->lk_ptr_size, prevp)) != 0)
		return (err);
	return (0);
}

static bool
lk_list_ptr_ok(const struct linux_kernel *lk, uint64_t p)
{
	return (p != 0 && (p & (lk->lk_ptr_size - 1)) == 0);
}

int
lk_list_walk(struct linux_kernel *lk, uint64_t head, uint64_t max,
    lk_list_cb *cb, void *arg)
{
	uint64_t cur, next, prev, back, tortoise, count = 0;
	uint64_t power = 1, steps = 0;
	bool broken = false;
	int rv;

	if ((rv = lk_list_read(lk, head, &next, &prev)) != 0)
		return (rv);
	tortoise = head;
	prev = head;
	cur = next;
	while (cur != head) {
		if (!lk_list_ptr_ok(lk, cur))
			return (EIO);
		if ((rv = lk_list_read(lk, cur, &next, &back)) != 0)
			return (rv);
		if (cur == tortoise || ++count > max)
			return (ELOOP);
		/*
		 * An element that does not point back ends the callbacks;
		 * the walk goes on without them only to tell a loop
		 * (ELOOP) from a broken link (EIO).
		 */
		if (back != prev)
			broken = true;
		if (!broken && (rv = cb(lk, cur, arg)) != 0)
			return (rv);
		if (++steps == power) {
			tortoise = cur;
			power *= 2;
			steps = 0;
		}
		prev = cur;
		cur = next;
	}
	if (broken)
		return (EIO);
	/* Back at the head: it must point back at the last element. */
	if ((rv = lk_list_read(lk, head, &next, &back)) != 0)
		return (rv);
	return (back == prev ? 0 : EIO);
}
