/*
 * version.c -- the library's identity.
 */
#include "config.h"

#include <porthole/porthole.h>

const char *
porthole_version(void)
{
	return (PACKAGE_VERSION);
}
