/*
 * fuzz_replay.c -- run a fuzz target without libFuzzer.
 *
 *	NAME			run the target over generated inputs (a
 *				check: exits 1 when they did not reach the
 *				paths the target says matter); 20000 and
 *				a mutant of each, or FUZZ_REPLAY_COUNT
 *	NAME -n COUNT -s SEED	as many inputs, from that seed
 *	NAME FILE...		run each file once (a crash reproducer)
 *	NAME -w DIR		write 64 generated inputs to DIR (the seed
 *				corpus `make fuzz` starts from)
 *
 * A broken invariant aborts inside the target.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/fuzz/fuzz.h"

#define	REPLAY_MAX_INPUT	(1 << 20)
/* Generated inputs per run; a slow target's build sets fewer. */
#ifndef FUZZ_REPLAY_COUNT
#define	FUZZ_REPLAY_COUNT	20000
#endif

static int
replay_file(const char *path, uint8_t *buf)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	if (f == NULL) {
		(void) fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return (-1);
	}
	n = fread(buf, 1, REPLAY_MAX_INPUT, f);
	(void) fclose(f);
	(void) LLVMFuzzerTestOneInput(buf, n);
	return (0);
}

static int
write_seeds(const char *dir, uint8_t *buf)
{
	char path[4096];
	uint64_t i;

	for (i = 0; i < 64; i++) {
		size_t n = fuzz_generate(i + 1, buf, FUZZ_GENERATE_MAX);
		FILE *f;

		(void) snprintf(path, sizeof (path), "%s/seed-%02u", dir,
		    (unsigned)i);
		if ((f = fopen(path, "wb")) == NULL ||
		    fwrite(buf, 1, n, f) != n || fclose(f) != 0) {
			(void) fprintf(stderr, "%s: %s\n", path,
			    strerror(errno));
			return (1);
		}
	}
	return (0);
}

int
main(int argc, char **argv)
{
	unsigned long count = FUZZ_REPLAY_COUNT, i;
	uint64_t seed = 1;
	uint8_t *buf;
	int c, status = 0;

	if ((buf = malloc(REPLAY_MAX_INPUT)) == NULL)
		return (99);
	while ((c = getopt(argc, argv, "n:s:w:")) != -1) {
		switch (c) {
		case 'n':
			count = strtoul(optarg, NULL, 0);
			break;
		case 's':
			seed = strtoull(optarg, NULL, 0);
			break;
		case 'w':
			status = write_seeds(optarg, buf);
			free(buf);
			return (status);
		default:
			(void) fprintf(stderr, "usage: %s [-n count] [-s seed] "
			    "[-w dir] [file...]\n", argv[0]);
			free(buf);
			return (99);
		}
	}
	if (optind < argc) {
		for (; optind < argc; optind++)
			status |= replay_file(argv[optind], buf) != 0;
		fuzz_report();
		free(buf);
		return (status);
	}
	for (i = 0; i < count; i++) {
		size_t n = fuzz_generate(seed + i, buf, FUZZ_GENERATE_MAX);
		uint64_t flip = seed + i;

		(void) LLVMFuzzerTestOneInput(buf, n);
		/* And a mutant: a few bytes flipped, as a fuzzer would. */
		for (c = 0; c < 4 && n > 0; c++) {
			flip = flip * 6364136223846793005ULL +
			    1442695040888963407ULL;
			buf[(flip >> 33) % n] ^= (uint8_t)(flip >> 56);
		}
		(void) LLVMFuzzerTestOneInput(buf, n);
	}
	fuzz_report();
	free(buf);
	if (!fuzz_meaningful()) {
		(void) fprintf(stderr, "the generated inputs missed paths the "
		    "target needs: fix fuzz_generate\n");
		return (1);
	}
	return (0);
}
