/*
 * guest/kdump_compress.h -- page decompression for kdump-compressed
 * images (kdump_compress.c).  The method numbers are the page
 * descriptor's flags (makedumpfile's DUMP_DH_COMPRESSED_*), which the
 * dump header's status field also uses to say how the dump was made.
 */
#ifndef PORTHOLE_GUEST_KDUMP_COMPRESS_H
#define PORTHOLE_GUEST_KDUMP_COMPRESS_H

#include <stdbool.h>
#include <stddef.h>

#define	KDUMP_ZLIB	0x01u
#define	KDUMP_LZO	0x02u
#define	KDUMP_SNAPPY	0x04u
#define	KDUMP_ZSTD	0x20u
#define	KDUMP_METHODS	(KDUMP_ZLIB | KDUMP_LZO | KDUMP_SNAPPY | KDUMP_ZSTD)

/* "zlib", "lzo", "snappy", "zstd"; "none" for 0. */
const char	*kdump_compress_name(unsigned method);
/* Whether this build can decompress method (0, no compression: yes). */
bool		kdump_compress_have(unsigned method);
/* The Debian package whose library would add method to the build. */
const char	*kdump_compress_package(unsigned method);

/*
 * Decompress inlen bytes at in into exactly outlen bytes at out.  0;
 * EIO when the data is corrupt or does not make exactly outlen bytes;
 * ENOTSUP when this build lacks the method's library.
 */
int	kdump_decompress(unsigned method, const void *in, size_t inlen,
	    void *out, size_t outlen);

#endif /* PORTHOLE_GUEST_KDUMP_COMPRESS_H */
