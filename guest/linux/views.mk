# guest/linux/views.mk - the Linux views (processes, command lines, VMAs,
# modules, kernel log) and the bounded readers they share, included from
# the top-level Makefile.am (non-recursive; paths are relative to the
# top).  Discovery (linux_open, the profile store) has its own fragment.
#
# guest/linux/libphlviews.la is a convenience library built with hidden
# visibility, like the other guest/ libraries.  It reads guest memory
# through the readers (linux_read.c), the list and maple tree walks and
# the profile, which are discovery's library's (the layout inference,
# run by discovery, uses them too).

noinst_LTLIBRARIES += guest/linux/libphlviews.la
guest_linux_libphlviews_la_SOURCES = \
	guest/linux/linux_impl.h \
	guest/linux/linux_profile.h \
	guest/linux/linux_views.h \
	guest/linux/linux_tasks.c \
	guest/linux/linux_vmas.c \
	guest/linux/linux_modules.c \
	guest/linux/linux_dmesg.c
guest_linux_libphlviews_la_CFLAGS = $(AM_CFLAGS) -fvisibility=hidden \
	-DPH_BUILDING_LIBRARY
libporthole_la_LIBADD += guest/linux/libphlviews.la
