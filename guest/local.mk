# guest/local.mk - porthole's guest layer, included from the top-level
# Makefile.am (non-recursive; paths are relative to the top).
#
# guest/libphguest.la is a convenience library, linked into libporthole
# with hidden visibility (only PH_EXPORT symbols leave the library).  It
# uses the portable core (vm/) and the pure-C parts of xen/ (the xc-core
# reader), so it builds and its tests run on hosts without Xen.

noinst_LTLIBRARIES += guest/libphguest.la

guest_libphguest_la_SOURCES = \
	guest/errbuf.h \
	guest/le_decode.h \
	guest/guest.c \
	guest/guest_dump.c \
	guest/guest_impl.h \
	guest/guest_live.c \
	guest/guest_m2p.c \
	guest/guest_space.c \
	guest/image.c guest/image.h guest/image_impl.h \
	guest/image_kdump.c \
	guest/image_notes.c \
	guest/image_qemu_elf.c \
	guest/image_xc_core.c \
	guest/kdump_compress.c guest/kdump_compress.h \
	guest/kdump_flat.c guest/kdump_flat.h \
	guest/physmem_xc_core.c
guest_libphguest_la_CFLAGS = $(AM_CFLAGS) -fvisibility=hidden \
	-DPH_BUILDING_LIBRARY
# kdump page compression: each library only when configure found it.
guest_libphguest_la_CPPFLAGS = $(AM_CPPFLAGS) $(XEN_CFLAGS) $(ZLIB_CFLAGS) $(LZO_CFLAGS) \
	$(SNAPPY_CFLAGS) $(ZSTD_CFLAGS)
guest_libphguest_la_LIBADD = $(ZLIB_LIBS) $(LZO_LIBS) $(SNAPPY_LIBS) \
	$(ZSTD_LIBS)

# The guest handle's public header: shipped with the sources now, since
# the image openers use its struct guest_regs; it is installed once the
# handle is.
EXTRA_DIST += include/porthole/guest.h
