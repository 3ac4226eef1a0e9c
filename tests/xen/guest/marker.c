/*
 * marker - fill guest pages with recognisable text and report their pfns.
 *
 * Runs inside the test domU (static binary, started by the guest's /init).
 * Each of N pages is filled with the repeated unit
 * "PORTHOLE-MARKER-<n>-<nonce>|", locked with mlock(), and its guest frame
 * number is read from /proc/self/pagemap.  One line per page goes to stdout
 * (the guest console):
 *
 *	MARKER <n> pfn=0x<pfn> text=<unit>
 *	MARKERS-DONE <N>
 *
 * The page content is a pure function of the printed unit, so a reader in
 * dom0 can rebuild and compare the whole page.  The process then sleeps
 * forever so the pages stay put.
 *
 * Started under the name "porthole-sleeper" it only sleeps: the guest uses
 * copies of it as distinctive named processes.
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
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "guest_util.h"

#define MARKER_MAX_PAGES	64
#define PAGEMAP_PRESENT		(1ULL << 63)
#define PAGEMAP_PFN_MASK	((1ULL << 55) - 1)

int
main(int argc, char **argv)
{
	const char *base = strrchr(argv[0], '/');
	char nonce[17] = "";
	char unit[64];
	unsigned char *pages;
	size_t pagesize, npages, i;
	int fd;

	base = base != NULL ? base + 1 : argv[0];
	if (strcmp(base, "porthole-sleeper") == 0)
		guest_sleep_forever();

	npages = argc > 1 ? strtoul(argv[1], NULL, 0) : 8;
	if (npages == 0 || npages > MARKER_MAX_PAGES) {
		fprintf(stderr, "marker: page count must be 1..%d\n",
		    MARKER_MAX_PAGES);
		return 2;
	}
	pagesize = (size_t)sysconf(_SC_PAGESIZE);
	guest_make_nonce(nonce, sizeof(nonce));

	pages = mmap(NULL, npages * pagesize, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (pages == MAP_FAILED) {
		perror("marker: mmap");
		return 1;
	}
	for (i = 0; i < npages; i++) {
		snprintf(unit, sizeof(unit), "PORTHOLE-MARKER-%zu-%s|", i,
		    nonce);
		guest_fill_page(pages + i * pagesize, pagesize, unit);
	}
	if (mlock(pages, npages * pagesize) != 0) {
		perror("marker: mlock");
		return 1;
	}

	fd = open("/proc/self/pagemap", O_RDONLY);
	if (fd < 0) {
		perror("marker: /proc/self/pagemap");
		return 1;
	}
	for (i = 0; i < npages; i++) {
		uintptr_t va = (uintptr_t)(pages + i * pagesize);
		uint64_t ent;
		off_t off = (off_t)(va / pagesize) * (off_t)sizeof(ent);

		if (pread(fd, &ent, sizeof(ent), off) != (ssize_t)sizeof(ent)) {
			perror("marker: pread pagemap");
			return 1;
		}
		if (!(ent & PAGEMAP_PRESENT) || (ent & PAGEMAP_PFN_MASK) == 0) {
			fprintf(stderr, "marker: page %zu has no pfn "
			    "(entry 0x%llx; needs CAP_SYS_ADMIN)\n", i,
			    (unsigned long long)ent);
			return 1;
		}
		snprintf(unit, sizeof(unit), "PORTHOLE-MARKER-%zu-%s|", i,
		    nonce);
		printf("MARKER %zu pfn=0x%llx text=%s\n", i,
		    (unsigned long long)(ent & PAGEMAP_PFN_MASK), unit);
	}
	close(fd);
	printf("MARKERS-DONE %zu\n", npages);
	fflush(stdout);
	guest_sleep_forever();
	return 0;
}
