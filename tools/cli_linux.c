/*
 * cli_linux.c -- the Linux kernel in a target, for the Linux subcommands
 * (ps, lsmod, maps, dmesg, uname) and for --pid: the options they share
 * (--system-map, --vmlinux, --no-cache), opening the kernel with them,
 * and the sentences for what failed and what to try.
 *
 * linux_open says in its own sentence why it found no kernel; this file
 * adds the target and the options that may help.  A view failing with
 * ENOTSUP means the kernel's structure layouts are unknown: its memory
 * carries no BTF (or this build reads none, built without libbpf) and
 * inferring them from memory failed (a kernel the inference does not
 * know, e.g. modules of 6.4 and later), which --vmlinux with BTF mends.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <porthole/linux.h>
#include "tools/porthole.h"

void
cli_linux_init(struct cli_linux *cl)
{
	memset(cl, 0, sizeof (*cl));
}

int
cli_linux_option(struct cli_linux *cl, int c, const char *arg)
{
	switch (c) {
	case CLI_LINUX_OPT_SYSTEM_MAP:
		cl->cl_system_map = arg;
		return (1);
	case CLI_LINUX_OPT_VMLINUX:
		cl->cl_vmlinux = arg;
		return (1);
	case CLI_LINUX_OPT_NO_CACHE:
		cl->cl_no_cache = true;
		return (1);
	default:
		return (0);
	}
}

struct linux_kernel *
cli_linux_open(struct guest *g, const char *target,
    const struct cli_linux *cl)
{
	struct linux_opts o;
	struct linux_kernel *lk;
	char why[512] = "";
	const char *given = cl->cl_vmlinux != NULL ? "--vmlinux" :
	    cl->cl_system_map != NULL ? "--system-map" : NULL;

	memset(&o, 0, sizeof (o));
	o.lo_size = sizeof (o);
	o.lo_flags = cl->cl_no_cache ? LINUX_OPEN_NO_CACHE : 0;
	o.lo_system_map = cl->cl_system_map;
	o.lo_vmlinux = cl->cl_vmlinux;
	if ((lk = linux_open(g, &o, why, sizeof (why))) != NULL)
		return (lk);
	if (why[0] == '\0')
		(void) snprintf(why, sizeof (why), "%s", strerror(errno));
	switch (errno) {
	case ENOENT:
		(void) cli_error("no Linux kernel found in %s: %s; %s", target,
		    why, given != NULL ? "check that the file given to "
		    "--system-map or --vmlinux is this kernel's" :
		    "if it runs Linux, try --system-map FILE or --vmlinux "
		    "FILE (the kernel's own)");
		break;
	case EINVAL:
		(void) cli_error("the Linux kernel in %s does not add up: %s; "
		    "%s", target, why, given != NULL ? "check that the "
		    "System.map or vmlinux given is this kernel's (same "
		    "release and build)" : "try --no-cache, or --vmlinux FILE");
		break;
	case ENOTSUP:
		(void) cli_error("the Linux kernel in %s is not one porthole "
		    "understands: %s%s", target, why, cl->cl_vmlinux == NULL ?
		    "; try --vmlinux FILE" : "");
		break;
	default:
		(void) cli_error("reading the Linux kernel in %s: %s%s",
		    target, why, cl->cl_no_cache ? "" :
		    "; try --no-cache");
		break;
	}
	return (NULL);
}

int
cli_linux_error(const char *target, const char *what, int e)
{
	switch (e) {
	case ENOTSUP:
#ifdef HAVE_LIBBPF
		return (cli_error("%s of %s: the kernel's structure layouts "
		    "are unknown (its memory carries no BTF, and inferring "
		    "them from its memory failed); give --vmlinux FILE with "
		    "a vmlinux that has a .BTF section", what, target));
#else
		return (cli_error("%s of %s: the kernel's structure layouts "
		    "are unknown (this porthole was built without libbpf, "
		    "so it reads no BTF, and inferring them from memory "
		    "failed): install libbpf-dev and rebuild", what,
		    target));
#endif
	case EIO:
		return (cli_error("%s of %s: a kernel structure could not be "
		    "read (%s); a live guest may have changed under the "
		    "walk: try again, or pause it", what, target,
		    strerror(e)));
	case ELOOP:
		return (cli_error("%s of %s: a kernel list does not close "
		    "(corrupt, or changing under the walk); try again, or "
		    "pause the guest", what, target));
	case ESRCH:
		return (cli_error("%s of %s: no such process; see porthole "
		    "ps %s", what, target, target));
	case ENODATA:
		return (cli_error("%s of %s: a kernel thread has no user "
		    "memory", what, target));
	default:
		return (cli_error("%s of %s: %s", what, target, strerror(e)));
	}
}

const char *
cli_safe_text(const char *s, char *buf, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;

	if (len == 0)
		return (buf);
	for (; *s != '\0' && o + 1 < len; s++) {
		unsigned char c = (unsigned char)*s;

		if (c >= 0x20 && c < 0x7f && c != '\\') {
			buf[o++] = (char)c;
			continue;
		}
		if (o + 4 >= len)
			break;
		buf[o++] = '\\';
		buf[o++] = 'x';
		buf[o++] = hex[c >> 4];
		buf[o++] = hex[c & 0xf];
	}
	buf[o] = '\0';
	return (buf);
}

struct guest *
cli_linux_target(const char *target, const struct cli_linux *cl,
    struct linux_kernel **lkp)
{
	struct guest *g;

	*lkp = NULL;
	if ((g = cli_open(target, 0)) == NULL)
		return (NULL);
	if ((*lkp = cli_linux_open(g, target, cl)) == NULL) {
		cli_close(g);
		return (NULL);
	}
	return (g);
}

void
cli_linux_close(struct guest *g, struct linux_kernel *lk)
{
	if (lk != NULL)
		linux_close(lk);
	if (g != NULL)
		cli_close(g);
}

void
cli_linux_json_begin(struct json *j, const char *target,
    const struct linux_kernel *lk, const char *key)
{
	json_init(j, stdout);
	json_object_begin(j);
	json_kv_string(j, "target", target);
	json_kv_string(j, "release", linux_release(lk));
	json_key(j, key);
	json_array_begin(j);
}

int
cli_linux_list_end(struct json *j, const char *target, const char *what,
    unsigned long printed, int failed)
{
	char sentence[160];

	if (j != NULL)
		json_list_end(j, failed);
	if (failed == 0)
		return (EXIT_OK);
	(void) fflush(stdout);
	(void) snprintf(sentence, sizeof (sentence), "%s%s", what,
	    printed > 0 ? " (stopped after those printed)" : "");
	return (cli_linux_error(target, sentence, failed));
}
