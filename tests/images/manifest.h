/*
 * tests/images/manifest.h -- the one C reader of an image variant's
 * manifest (tests/images/README.md: what the guest reported about
 * itself, and what the host knows), for the C programs that check
 * porthole against the images (imgcheck, linux_images_test,
 * linux_infer_images_test, image_real_test), and where the unit tests
 * find the images.
 * Header-only: the tests include it and link nothing more.
 *
 * Hostile-input note: manifests are ours, made by mkimage.py, but every
 * field is still bounded (truncated to its buffer, counted up to
 * MANIFEST_MAX of each kind).
 */
#ifndef PORTHOLE_TESTS_IMAGES_MANIFEST_H
#define	PORTHOLE_TESTS_IMAGES_MANIFEST_H

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define	MANIFEST_MAX	256

struct manifest_proc {
	int		pid, ppid, threads;
	unsigned	uid;
	char		state;
	char		comm[64];
	char		cmdline[256];
};
struct manifest_marker {
	int		pid;
	uint64_t	va, pa;
	char		text[64];
};
struct manifest_map {
	int		pid;
	uint64_t	start, end, off;
	char		perms[8];
	char		path[256];
};
struct manifest_module {
	char		name[64];
	uint64_t	size, addr;
};
struct manifest_symbol {
	char		name[64];
	uint64_t	addr;
};

struct manifest {
	char		release[128];
	char		banner[512];
	char		paging[32];
	char		dmesg[128];
	uint64_t	kaslr;
	unsigned	vcpus;
	struct manifest_proc proc[MANIFEST_MAX];
	size_t		nproc;
	struct manifest_marker marker[MANIFEST_MAX];
	size_t		nmarker;
	struct manifest_map map[MANIFEST_MAX];
	size_t		nmap;
	struct manifest_module module[MANIFEST_MAX];
	size_t		nmodule;
	struct manifest_symbol sym[MANIFEST_MAX];
	size_t		nsym;
	uint64_t	ram[MANIFEST_MAX][2];	/* bytes [start, end) */
	size_t		nram;
};

/* Copy v into dst of size n, truncated and terminated. */
static inline void
manifest_copy(char *dst, size_t n, const char *v)
{
	size_t l = strlen(v);

	if (l >= n)
		l = n - 1;
	memcpy(dst, v, l);
	dst[l] = '\0';
}

/* The rest of line after "key " (NULL when the line is not key's). */
static inline const char *
manifest_value(const char *line, const char *key)
{
	size_t n = strlen(key);

	return (strncmp(line, key, n) == 0 && line[n] == ' ' ? line + n + 1 :
	    NULL);
}

/* One line into m. */
static inline void
manifest_line(struct manifest *m, const char *line)
{
	const char *v;

	if ((v = manifest_value(line, "release")) != NULL)
		manifest_copy(m->release, sizeof (m->release), v);
	else if ((v = manifest_value(line, "banner")) != NULL)
		manifest_copy(m->banner, sizeof (m->banner), v);
	else if ((v = manifest_value(line, "paging")) != NULL)
		manifest_copy(m->paging, sizeof (m->paging), v);
	else if ((v = manifest_value(line, "dmesg")) != NULL)
		manifest_copy(m->dmesg, sizeof (m->dmesg), v);
	else if ((v = manifest_value(line, "kaslr_offset")) != NULL)
		m->kaslr = strtoull(v, NULL, 0);
	else if ((v = manifest_value(line, "vcpus")) != NULL)
		m->vcpus = (unsigned)strtoul(v, NULL, 0);
	else if ((v = manifest_value(line, "process")) != NULL &&
	    m->nproc < MANIFEST_MAX) {
		struct manifest_proc *p = &m->proc[m->nproc];
		int n = 0;

		if (sscanf(v, "%d %d %u %d %c %63s %n", &p->pid, &p->ppid,
		    &p->uid, &p->threads, &p->state, p->comm, &n) >= 6) {
			manifest_copy(p->cmdline, sizeof (p->cmdline),
			    n > 0 ? v + n : "");
			m->nproc++;
		}
	} else if ((v = manifest_value(line, "marker")) != NULL &&
	    m->nmarker < MANIFEST_MAX) {
		struct manifest_marker *k = &m->marker[m->nmarker];

		if (sscanf(v, "%d %" SCNx64 " %" SCNx64 " %63s", &k->pid,
		    &k->va, &k->pa, k->text) == 4)
			m->nmarker++;
	} else if ((v = manifest_value(line, "map")) != NULL &&
	    m->nmap < MANIFEST_MAX) {
		struct manifest_map *k = &m->map[m->nmap];

		k->path[0] = '\0';
		if (sscanf(v, "%d %" SCNx64 " %" SCNx64 " %7s %" SCNx64
		    " %255s", &k->pid, &k->start, &k->end, k->perms, &k->off,
		    k->path) >= 5)
			m->nmap++;
	} else if ((v = manifest_value(line, "module")) != NULL &&
	    m->nmodule < MANIFEST_MAX) {
		struct manifest_module *k = &m->module[m->nmodule];

		if (sscanf(v, "%63s %" SCNu64 " %" SCNx64, k->name, &k->size,
		    &k->addr) == 3)
			m->nmodule++;
	} else if ((v = manifest_value(line, "ram")) != NULL &&
	    m->nram < MANIFEST_MAX) {
		if (sscanf(v, "%" SCNx64 " %" SCNx64, &m->ram[m->nram][0],
		    &m->ram[m->nram][1]) == 2)
			m->nram++;
	} else if ((v = manifest_value(line, "symbol")) != NULL &&
	    m->nsym < MANIFEST_MAX) {
		struct manifest_symbol *k = &m->sym[m->nsym];

		if (sscanf(v, "%63s %" SCNx64, k->name, &k->addr) == 2)
			m->nsym++;
	}
}

/* Read the manifest at path into m: true, or false (unreadable). */
static inline bool
manifest_read(const char *path, struct manifest *m)
{
	char line[1024];
	FILE *f;

	memset(m, 0, sizeof (*m));
	if ((f = fopen(path, "r")) == NULL)
		return (false);
	while (fgets(line, sizeof (line), f) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		manifest_line(m, line);
	}
	(void) fclose(f);
	return (true);
}

/*
 * The folder of the generated images the unit tests read:
 * $PORTHOLE_IMAGE_CACHE/latest (default /var/cache/porthole-images).
 * NULL, with the reason to skip in why, when PORTHOLE_IMAGE_SKIP=1 or the
 * folder does not exist.
 */
static inline const char *
manifest_image_dir(char *dir, size_t n, char *why, size_t whylen)
{
	const char *base = getenv("PORTHOLE_IMAGE_CACHE");
	const char *skip = getenv("PORTHOLE_IMAGE_SKIP");
	struct stat st;

	if (skip != NULL && strcmp(skip, "1") == 0) {
		(void) snprintf(why, whylen, "PORTHOLE_IMAGE_SKIP=1");
		return (NULL);
	}
	if (base == NULL || base[0] == '\0')
		base = "/var/cache/porthole-images";
	(void) snprintf(dir, n, "%s/latest", base);
	if (stat(dir, &st) != 0) {
		(void) snprintf(why, whylen, "no Linux images in %s (make "
		    "images, or set PORTHOLE_IMAGE_CACHE)", dir);
		return (NULL);
	}
	return (dir);
}

#endif /* PORTHOLE_TESTS_IMAGES_MANIFEST_H */
