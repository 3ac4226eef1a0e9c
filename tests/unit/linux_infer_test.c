/*
 * linux_infer_test.c -- the layout inference (linux_infer.c) on hostile
 * synthetic kernels (tests/linux_synth.c, 64-bit) given only what
 * VMCOREINFO gives: it must end, infer no task layout and say why, when
 * the task list loops back into itself, when the tasks' names are
 * garbage, when init_task's list points at itself, and when the module
 * list loops; and it must never set a member it did not confirm.
 *
 * The inference on real layouts (and against BTF) is
 * linux_infer_images_test's: the synthetic kernel's compact layout has
 * none of the members (thread stack, exit_signal, thread ring) the
 * inference confirms a task layout with, so here it is only attacked.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <porthole/guest.h>
#include <porthole/linux.h>

#include "guest/linux/linux_impl.h"
#include "guest/linux/linux_infer.h"
#include "guest/linux/linux_profile.h"
#include "tests/linux_synth.h"
#include "tests/test.h"

#define	ARENA		(3ULL << 20)
#define	NTASKS		8

enum attack {
	ATTACK_NONE,		/* a plain list of tasks */
	ATTACK_LOOP,		/* the last task's next: the second task */
	ATTACK_COMM,		/* names of unprintable bytes */
	ATTACK_SELF,		/* init_task's list: itself only */
	ATTACK_MODULE_LOOP	/* a module whose next is itself */
};

static const char *const attack_names[] = {
	"plain", "looping task list", "garbage comm", "self-pointing list",
	"looping module list"
};

static unsigned
run(enum attack a, char *why, size_t whylen)
{
	struct lsynth ls;
	struct guest *g;
	struct linux_kernel lk;
	struct ls_task_spec ts;
	char path[512], err[256] = "", name[16];
	const char *dir = getenv("TMPDIR");
	uint64_t task[NTASKS], m1, m2;
	unsigned i, got;
	int fd;

	REQUIRE(ls_init(&ls, 0, ARENA) == 0);
	if (a != ATTACK_SELF) {
		for (i = 0; i < NTASKS; i++) {
			memset(&ts, 0, sizeof (ts));
			(void) snprintf(name, sizeof (name), "task%u", i + 1);
			ts.ts_pid = ts.ts_tgid = (int)i + 1;
			ts.ts_comm = name;
			ts.ts_state = i % 2 == 0 ? 1 : 0x402;
			ts.ts_threads = 1;
			ts.ts_flags = i == 0 ? 0 : 0x00200000u;
			REQUIRE((task[i] = ls_task(&ls, &ts)) != 0);
			if (a == ATTACK_COMM)
				ls_wbytes(&ls, task[i] + LS_TASK_COMM,
				    "\x01\x02\xff", 3);
		}
		/* The last task's next skips back to the second: a loop. */
		if (a == ATTACK_LOOP)
			ls_w64(&ls, task[NTASKS - 1] + LS_TASK_TASKS,
			    task[1] + LS_TASK_TASKS);
	}
	REQUIRE((m1 = ls_module(&ls, "dummy", 0, LS_DIRECT + 0x300000,
	    0x1000)) != 0);
	REQUIRE((m2 = ls_module(&ls, "other", 0, LS_DIRECT + 0x301000,
	    0x1000)) != 0);
	if (a == ATTACK_MODULE_LOOP)
		ls_w64(&ls, m2 + LS_MOD_LIST, m2 + LS_MOD_LIST);

	if (dir == NULL || *dir == '\0')
		dir = "/tmp";
	REQUIRE(snprintf(path, sizeof (path), "%s/linfer.XXXXXX", dir) <
	    (int)sizeof (path));
	REQUIRE((fd = mkstemp(path)) >= 0);
	(void) close(fd);
	REQUIRE(ls_write(&ls, path) == 0);
	g = guest_open(path, 0, err, sizeof (err));
	(void) unlink(path);
	REQUIRE(g != NULL);

	memset(&lk, 0, sizeof (lk));
	lk.lk_guest = g;
	REQUIRE((lk.lk_prof = lprof_new()) != NULL);
	lk.lk_space.gs_mode = GUEST_PAGING_4LEVEL;
	lk.lk_space.gs_nxe = true;
	lk.lk_space.gs_cr3 = LS_KROOT_PA;
	lk.lk_ptr_size = 8;
	(void) snprintf(lk.lk_release, sizeof (lk.lk_release), "6.1.0-test");
	/* VMCOREINFO's: the image is the arena, the root the kernel's. */
	REQUIRE(lprof_set_symbol(lk.lk_prof, "_stext", LS_DIRECT +
	    LS_ARENA_PA) == 0);
	REQUIRE(lprof_set_symbol(lk.lk_prof, "init_uts_ns", LS_DIRECT +
	    LS_ARENA_PA) == 0);
	REQUIRE(lprof_set_symbol(lk.lk_prof, "init_top_pgt", LS_DIRECT +
	    LS_KROOT_PA) == 0);

	got = linfer_run(&lk, why, whylen);
	fprintf(stderr, "%s: inferred %#x: %s\n", attack_names[a], got,
	    why != NULL ? why : "");
	/* Nothing unconfirmed was set: no task member without the group. */
	if (!(got & LINFER_TASKS)) {
		uint64_t off, size, v;

		CHECK(lprof_member(lk.lk_prof, "task_struct", "tasks", &off,
		    &size) == ENOENT);
		CHECK(lprof_symbol(lk.lk_prof, "init_task", &v) == ENOENT);
	}
	lprof_free(lk.lk_prof);
	guest_close(g);
	ls_fini(&ls);
	return (got);
}

int
main(void)
{
	char why[1024];
	unsigned got;

	/* The compact layout lacks what confirms a task layout. */
	got = run(ATTACK_NONE, why, sizeof (why));
	CHECK(!(got & LINFER_TASKS));
	CHECK(strstr(why, "tasks: ") != NULL);

	got = run(ATTACK_LOOP, why, sizeof (why));
	CHECK(!(got & LINFER_TASKS));
	CHECK(strstr(why, "tasks: no list") != NULL);

	got = run(ATTACK_COMM, why, sizeof (why));
	CHECK(!(got & LINFER_TASKS));
	CHECK(strstr(why, "tasks: no list") != NULL);

	got = run(ATTACK_SELF, why, sizeof (why));
	CHECK(got == 0);
	CHECK(strstr(why, "tasks: no list") != NULL);

	got = run(ATTACK_MODULE_LOOP, why, sizeof (why));
	CHECK(!(got & LINFER_MODULES));
	CHECK(strstr(why, "modules: no list") != NULL);

	/* A NULL reason buffer is allowed. */
	(void) run(ATTACK_LOOP, NULL, 0);
	return (test_done());
}
