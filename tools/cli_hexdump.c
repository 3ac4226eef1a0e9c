/*
 * cli_hexdump.c -- guest bytes as a hexdump: 16 bytes a line headed by
 * the address of its first byte (a guest address, not an offset into the
 * output), the bytes in hex in two groups of eight, then the printable
 * ones between bars, as `hexdump -C` lays a line out.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>

#include "tools/porthole.h"

#define	HEX_PER_LINE	16

void
cli_hexdump(FILE *f, uint64_t addr, const unsigned char *p, size_t n)
{
	size_t off, i;

	for (off = 0; off < n; off += HEX_PER_LINE) {
		size_t cnt = n - off < HEX_PER_LINE ? n - off : HEX_PER_LINE;

		(void) fprintf(f, "%016" PRIx64 " ", addr + off);
		for (i = 0; i < HEX_PER_LINE; i++) {
			if (i == HEX_PER_LINE / 2)
				(void) fputc(' ', f);
			if (i < cnt)
				(void) fprintf(f, " %02x", p[off + i]);
			else
				(void) fputs("   ", f);
		}
		(void) fputs("  |", f);
		for (i = 0; i < cnt; i++) {
			unsigned char c = p[off + i];

			(void) fputc(c >= 0x20 && c < 0x7f ? c : '.', f);
		}
		(void) fputs("|\n", f);
	}
}
