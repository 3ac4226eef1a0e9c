/*
 * granter - offer pages of known text to dom0 as grant references.
 *
 * Runs inside the test domU (static binary, started by the guest's /init
 * after it loaded xen-gntalloc).  Through /dev/xen/gntalloc it allocates
 * N - 1 writable grants and one read-only grant for domain 0, fills each
 * granted page with the repeated unit "PORTHOLE-GRANT-<n>-<nonce>|" and
 * prints one line per grant on stdout (the guest console):
 *
 *	GRANT <n> gref=<ref> rw=<0|1> text=<unit>
 *	GRANTS-DONE <N>
 *
 * The read-only grant is the last one.  A page's content is a pure
 * function of the printed unit, so a reader in dom0 can rebuild and
 * compare it whole.  When the grants cannot be offered it prints
 * "GRANTS-UNAVAILABLE <reason>" and exits 1.
 *
 * Once the lines are out, the program forks: the child keeps the device
 * open (the grants live as long as it does) and sleeps forever; the parent
 * exits 0, so /init can start the next program knowing the grants are
 * ready.
 *
 * The ioctl number and struct layout are those of Linux's
 * include/uapi/xen/gntalloc.h (facts of the kernel ABI, spelled out here
 * so that nothing outside xen/ includes a Xen header).
 *
 * Non-goals: anything beyond Linux; the guest is ours and trusted.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "guest_util.h"

#define GRANTER_MAX		32
#define GRANTER_PAGE		4096u
#define GRANTER_DEVICE		"/dev/xen/gntalloc"

/* Linux include/uapi/xen/gntalloc.h */
struct granter_alloc_gref {
	uint16_t	domid;
	uint16_t	flags;
	uint32_t	count;
	uint64_t	index;
	uint32_t	gref_ids[GRANTER_MAX];
};
#define GRANTER_FLAG_WRITABLE	1
#define GRANTER_IOCTL_ALLOC	_IOC(_IOC_NONE, 'G', 5, 24)

static int
unavailable(const char *what, int e)
{
	printf("GRANTS-UNAVAILABLE %s: %s\n", what, strerror(e));
	fflush(stdout);
	return 1;
}

/*
 * Allocate count grants for dom0 (writable or not) and map them; the
 * references go to refs.  Returns the mapping or NULL (reason printed).
 */
static unsigned char *
offer(int fd, uint32_t count, int writable, uint32_t *refs)
{
	struct granter_alloc_gref op;
	void *p;

	memset(&op, 0, sizeof(op));
	op.domid = 0;
	op.flags = writable ? GRANTER_FLAG_WRITABLE : 0;
	op.count = count;
	if (ioctl(fd, GRANTER_IOCTL_ALLOC, &op) < 0) {
		unavailable("IOCTL_GNTALLOC_ALLOC_GREF", errno);
		return NULL;
	}
	p = mmap(NULL, (size_t)count * GRANTER_PAGE, PROT_READ | PROT_WRITE,
	    MAP_SHARED, fd, (off_t)op.index);
	if (p == MAP_FAILED) {
		unavailable("mmap of the granted pages", errno);
		return NULL;
	}
	memcpy(refs, op.gref_ids, count * sizeof(*refs));
	return p;
}

int
main(int argc, char **argv)
{
	uint32_t refs[GRANTER_MAX];
	unsigned char *rw, *ro, *page;
	char nonce[17] = "";
	char unit[64];
	unsigned long n;
	size_t i;
	pid_t pid;
	int fd;

	n = argc > 1 ? strtoul(argv[1], NULL, 0) : 5;
	if (n < 2 || n > GRANTER_MAX) {
		fprintf(stderr, "granter: grant count must be 2..%d\n",
		    GRANTER_MAX);
		return 2;
	}
	if ((size_t)sysconf(_SC_PAGESIZE) != GRANTER_PAGE)
		return unavailable("page size", ENOTSUP);
	fd = open(GRANTER_DEVICE, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return unavailable(GRANTER_DEVICE " (is xen-gntalloc loaded?)",
		    errno);
	rw = offer(fd, (uint32_t)(n - 1), 1, refs);
	if (rw == NULL)
		return 1;
	ro = offer(fd, 1, 0, refs + n - 1);
	if (ro == NULL)
		return 1;

	guest_make_nonce(nonce, sizeof(nonce));
	for (i = 0; i < n; i++) {
		page = i < n - 1 ? rw + i * GRANTER_PAGE : ro;
		snprintf(unit, sizeof(unit), "PORTHOLE-GRANT-%zu-%s|", i,
		    nonce);
		guest_fill_page(page, GRANTER_PAGE, unit);
	}
	for (i = 0; i < n; i++) {
		snprintf(unit, sizeof(unit), "PORTHOLE-GRANT-%zu-%s|", i,
		    nonce);
		printf("GRANT %zu gref=%u rw=%d text=%s\n", i,
		    (unsigned int)refs[i], i < n - 1 ? 1 : 0, unit);
	}
	printf("GRANTS-DONE %lu\n", n);
	fflush(stdout);

	pid = fork();
	if (pid < 0) {
		/* No child: keep the grants by staying here. */
		guest_sleep_forever();
	}
	if (pid == 0) {
		setsid();
		guest_sleep_forever();
	}
	return 0;
}
