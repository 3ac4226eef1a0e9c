/*
 * kdump_compress.c -- decompress one page of a kdump-compressed image:
 * zlib, lzo (lzo1x), snappy or zstd, each only when configure found the
 * library (HAVE_ZLIB, HAVE_LZO, HAVE_SNAPPY, HAVE_ZSTD).
 *
 * The input is hostile: every decompressor is given the output's real
 * size and must produce exactly that many bytes (a page); anything else
 * is EIO.  Nothing here keeps state between calls, so pages may be
 * decompressed from several threads at once.
 */
#include "config.h"

#include <errno.h>
#include <stddef.h>

#include "guest/kdump_compress.h"

#ifdef HAVE_ZLIB
#include <zlib.h>
#endif
#ifdef HAVE_LZO
#include <lzo/lzo1x.h>
#include <pthread.h>
#endif
#ifdef HAVE_SNAPPY
#include <snappy-c.h>
#endif
#ifdef HAVE_ZSTD
#include <zstd.h>
#endif

const char *
kdump_compress_name(unsigned method)
{
	switch (method) {
	case KDUMP_ZLIB:
		return ("zlib");
	case KDUMP_LZO:
		return ("lzo");
	case KDUMP_SNAPPY:
		return ("snappy");
	case KDUMP_ZSTD:
		return ("zstd");
	case 0:
		return ("none");
	}
	return ("unknown");
}

bool
kdump_compress_have(unsigned method)
{
	switch (method) {
	case 0:
		return (true);
#ifdef HAVE_ZLIB
	case KDUMP_ZLIB:
		return (true);
#endif
#ifdef HAVE_LZO
	case KDUMP_LZO:
		return (true);
#endif
#ifdef HAVE_SNAPPY
	case KDUMP_SNAPPY:
		return (true);
#endif
#ifdef HAVE_ZSTD
	case KDUMP_ZSTD:
		return (true);
#endif
	default:
		return (false);
	}
}

const char *
kdump_compress_package(unsigned method)
{
	switch (method) {
	case KDUMP_ZLIB:
		return ("zlib1g-dev");
	case KDUMP_LZO:
		return ("liblzo2-dev");
	case KDUMP_SNAPPY:
		return ("libsnappy-dev");
	case KDUMP_ZSTD:
		return ("libzstd-dev");
	}
	return ("nothing");
}

#ifdef HAVE_LZO
static int kdump__lzo_ok;

static void
kdump__lzo_init(void)
{
	kdump__lzo_ok = lzo_init() == LZO_E_OK;
}
#endif

int
kdump_decompress(unsigned method, const void *in, size_t inlen, void *out,
    size_t outlen)
{
	switch (method) {
#ifdef HAVE_ZLIB
	case KDUMP_ZLIB: {
		uLongf got = (uLongf)outlen;

		if (inlen > (uLong)-1 || uncompress(out, &got, in,
		    (uLong)inlen) != Z_OK || got != outlen)
			return (EIO);
		return (0);
	}
#endif
#ifdef HAVE_LZO
	case KDUMP_LZO: {
		static pthread_once_t once = PTHREAD_ONCE_INIT;
		lzo_uint got = (lzo_uint)outlen;

		(void) pthread_once(&once, kdump__lzo_init);
		if (!kdump__lzo_ok)
			return (EIO);
		if (lzo1x_decompress_safe(in, (lzo_uint)inlen, out, &got,
		    NULL) != LZO_E_OK || got != outlen)
			return (EIO);
		return (0);
	}
#endif
#ifdef HAVE_SNAPPY
	case KDUMP_SNAPPY: {
		size_t got = 0;

		if (snappy_uncompressed_length(in, inlen, &got) != SNAPPY_OK ||
		    got != outlen)
			return (EIO);
		got = outlen;
		if (snappy_uncompress(in, inlen, out, &got) != SNAPPY_OK ||
		    got != outlen)
			return (EIO);
		return (0);
	}
#endif
#ifdef HAVE_ZSTD
	case KDUMP_ZSTD: {
		size_t got = ZSTD_decompress(out, outlen, in, inlen);

		if (ZSTD_isError(got) || got != outlen)
			return (EIO);
		return (0);
	}
#endif
	default:
		(void) in;
		(void) inlen;
		(void) out;
		(void) outlen;
		return (kdump_compress_have(method) ? EIO : ENOTSUP);
	}
}
