/*
 * as_inject_test.c -- fail the Nth allocation and the Nth host-mapping
 * call inside as_alloc, as_map, as_unmap, as_fault, as_setprot and as_dup,
 * for N = 1, 2, ... until the call succeeds untouched.  After each failure
 * the call must report an errno, the verifier must hold, and the address
 * space must look exactly as before (segment count, contents).  Leaks are
 * caught by LeakSanitizer in the sanitizer build.
 */
#include "config.h"

#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include <porthole/porthole.h>
#include "tests/test.h"
#include "vm/inject.h"

static size_t pagesize;
static int file_fd;

/* The state every scenario starts from: two anonymous segments of four
 * pages with a two-page gap, filled with a pattern, and a file segment. */
static struct as *
setup(void)
{
	struct segvn_crargs anon = { .fd = -1, .type = MAP_PRIVATE,
	    .prot = PROT_READ | PROT_WRITE };
	struct segvn_crargs file = { .fd = file_fd, .type = MAP_SHARED,
	    .prot = PROT_READ, .name = "inject" };
	unsigned char buf[4096];
	struct as *as;
	char *b;
	int err;

	REQUIRE((as = as_alloc(16 << 20)) != NULL);
	b = as_window_base(as);
	REQUIRE(as_map(as, b, 4 * pagesize, segvn_create, &anon) == 0);
	REQUIRE(as_map(as, b + 6 * pagesize, 4 * pagesize, segvn_create,
	    &anon) == 0);
	REQUIRE(as_map(as, b + 12 * pagesize, 2 * pagesize, segvn_create,
	    &file) == 0);
	memset(buf, 0xa5, sizeof (buf));
	REQUIRE(as_write(as, b + pagesize, buf, sizeof (buf), &err) ==
	    sizeof (buf));
	return (as);
}

/* The segment layout and a content sample, to compare before/after. */
struct snapshot {
	size_t		nsegs;
	unsigned char	sample[64];
};

static void
snap(struct as *as, struct snapshot *s)
{
	int err;

	s->nsegs = as_nsegs(as);
	memset(s->sample, 0, sizeof (s->sample));
	(void) as_read(as, (char *)as_window_base(as) + pagesize + 100,
	    s->sample, sizeof (s->sample), &err);
}

enum scenario {
	SC_MAP_ANON, SC_MAP_FILE, SC_UNMAP_WHOLE, SC_UNMAP_SPLIT,
	SC_UNMAP_MANY, SC_FAULT_INVAL, SC_SETPROT_PART, SC_DUP, SC_NSCENARIOS
};
static const char *const scenario_names[] = {
	"as_map anon", "as_map file", "as_unmap whole", "as_unmap split",
	"as_unmap many", "as_fault F_INVAL", "as_setprot partial", "as_dup"
};

static int
run(struct as *as, enum scenario sc, struct as **dupp)
{
	struct segvn_crargs anon = { .fd = -1, .type = MAP_PRIVATE,
	    .prot = PROT_READ | PROT_WRITE };
	struct segvn_crargs file = { .fd = file_fd, .type = MAP_PRIVATE,
	    .prot = PROT_READ, .name = "inject2" };
	char *b = as_window_base(as);

	switch (sc) {
	case SC_MAP_ANON:
		return (as_map(as, b + 20 * pagesize, 2 * pagesize,
		    segvn_create, &anon));
	case SC_MAP_FILE:
		return (as_map(as, b + 20 * pagesize, 2 * pagesize,
		    segvn_create, &file));
	case SC_UNMAP_WHOLE:
		return (as_unmap(as, b + 6 * pagesize, 4 * pagesize));
	case SC_UNMAP_SPLIT:
		return (as_unmap(as, b + 2 * pagesize, pagesize));
	case SC_UNMAP_MANY:
		return (as_unmap(as, b + 3 * pagesize, 8 * pagesize));
	case SC_FAULT_INVAL:
		return (as_fault(as, b, 10 * pagesize, F_INVAL, S_READ) == 0 ||
		    errno == EFAULT ? 0 : -1);
	case SC_SETPROT_PART:
		return (as_setprot(as, b + pagesize, pagesize, PROT_READ));
	case SC_DUP:
		*dupp = as_dup(as);
		return (*dupp != NULL ? 0 : -1);
	case SC_NSCENARIOS:
		break;
	}
	return (-1);
}

/* Does a failed scenario promise that nothing changed? */
static bool
atomic_on_failure(enum scenario sc)
{
	/* as_unmap of several segments may have removed the ones below
	 * the failing one (documented in as.h); every scenario here that
	 * touches one segment is all or nothing. */
	return (sc != SC_UNMAP_MANY);
}

static bool
allocates(enum scenario sc)
{
	return (sc == SC_MAP_ANON || sc == SC_MAP_FILE ||
	    sc == SC_UNMAP_SPLIT || sc == SC_SETPROT_PART || sc == SC_DUP);
}

static void
inject_scenario(enum scenario sc, enum vm_inject_site site)
{
	unsigned long nth, taken = 0;

	for (nth = 1; nth < 1000; nth++) {
		struct as *as = setup(), *dup = NULL;
		struct snapshot before, after;
		char why[256];
		bool pending;
		int rv, err;

		snap(as, &before);
		vm_inject_arm(site, nth);
		errno = 0;
		rv = run(as, sc, &dup);
		err = errno;
		pending = vm_inject_pending(site);
		vm_inject_arm(site, 0);
		if (!pending && rv != 0) {
			/* The injected failure was taken and reported. */
			taken++;
			CHECK(err != 0);
			snap(as, &after);
			if (atomic_on_failure(sc)) {
				CHECK(after.nsegs == before.nsegs);
				CHECK(memcmp(after.sample, before.sample,
				    sizeof (before.sample)) == 0);
			}
		}
		/* Not taken: the call made fewer than nth such calls, and
		 * must then have succeeded. */
		if (pending)
			CHECK(rv == 0);
		if (as_verify(as, why, sizeof (why)) != 0) {
			fprintf(stderr, "%s, %s failure %lu: %s\n",
			    scenario_names[sc], site == VM_INJECT_HAT ? "hat" :
			    "alloc", nth, why);
			CHECK(!"verifier holds");
		}
		as_free(dup);
		as_free(as);
		if (pending) {
			fprintf(stderr, "%-20s %-5s %lu failures injected\n",
			    scenario_names[sc], site == VM_INJECT_HAT ? "hat" :
			    "alloc", taken);
			/* Every scenario calls the hat; the ones that build
			 * segments or per-page state also allocate. */
			CHECK(taken > 0 || (site == VM_INJECT_ALLOC &&
			    !allocates(sc)));
			return;
		}
	}
	CHECK(!"the scenario never ran out of calls to fail");
}

static void
inject_alloc(void)
{
	unsigned long nth;

	for (nth = 1; nth < 100; nth++) {
		struct as *as;

		vm_inject_arm(VM_INJECT_HAT, 0);
		vm_inject_arm(VM_INJECT_ALLOC, nth);
		as = as_alloc(1 << 20);
		if (as == NULL)
			CHECK(errno == ENOMEM);
		vm_inject_arm(VM_INJECT_ALLOC, 0);
		if (as != NULL) {
			as_free(as);
			return;
		}
	}
	CHECK(!"as_alloc never succeeded");
}

int
main(void)
{
	char path[] = "/tmp/porthole-inject-XXXXXX";
	unsigned char page[8192];
	enum scenario sc;

	pagesize = (size_t)sysconf(_SC_PAGESIZE);
	REQUIRE((file_fd = mkstemp(path)) >= 0);
	(void) unlink(path);
	memset(page, 0x5a, sizeof (page));
	REQUIRE(write(file_fd, page, sizeof (page)) == (ssize_t)sizeof (page));

	inject_alloc();
	for (sc = 0; sc < SC_NSCENARIOS; sc++) {
		inject_scenario(sc, VM_INJECT_ALLOC);
		inject_scenario(sc, VM_INJECT_HAT);
	}
	(void) close(file_fd);
	return (test_done());
}
