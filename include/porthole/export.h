/*
 * export.h -- symbol visibility for libporthole.
 *
 * The library is built with -fvisibility=hidden and a linker version
 * script; only declarations marked PH_EXPORT are part of the ABI.
 */
#ifndef PORTHOLE_EXPORT_H
#define PORTHOLE_EXPORT_H

#if defined(PH_BUILDING_LIBRARY) && defined(__GNUC__)
#define	PH_EXPORT	__attribute__((visibility("default")))
#else
#define	PH_EXPORT
#endif

#endif /* PORTHOLE_EXPORT_H */
