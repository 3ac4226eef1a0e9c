/*
 * guest/linux/linux_sysmap.h -- symbol files a user gives the Linux
 * layer: a System.map (text, "ffffffff81000000 T _text" per line) or a
 * vmlinux (ELF: its symbol table, its .BTF section, its build ID note).
 * Their addresses are link-time ones; the caller applies the KASLR
 * slide.
 *
 * Files are hostile input: a System.map line longer than
 * LSYSMAP_MAX_LINE or without the three fields is passed over (and
 * counted); a vmlinux is checked field by field (header, section table,
 * every section's offset and size against the file, string tables
 * terminated, symbol entry sizes) and refused with EINVAL and one
 * sentence naming the file, the field and the offset.
 *
 * Errors: 0 or a positive errno: ENOENT/EACCES (the file), EINVAL (not
 * a System.map: no line read; not an ELF vmlinux), ENOTSUP (an ELF for
 * another machine or byte order), ENOMEM, EIO; or the callback's
 * non-zero value.
 */
#ifndef PORTHOLE_GUEST_LINUX_SYSMAP_H
#define PORTHOLE_GUEST_LINUX_SYSMAP_H

#include <stddef.h>
#include <stdint.h>

#define	LSYSMAP_MAX_LINE	1024u
#define	LSYSMAP_MAX_SYMS	(1u << 22)

/* One symbol: 0 to go on, anything else to stop (returned). */
typedef int lsym_cb(void *arg, const char *name, char type, uint64_t addr);

/*
 * Read a System.map, calling cb for each symbol line.  *countp (may be
 * NULL) gets the symbols read, *badp (may be NULL) the lines passed over.
 */
int	lsysmap_read(const char *path, lsym_cb *cb, void *arg,
	    unsigned *countp, unsigned *badp, char *errbuf, size_t errlen);

/* What a vmlinux says besides its symbols. */
struct lvmlinux {
	unsigned	lv_ptr_size;		/* 8 (ELF64) or 4 (ELF32) */
	char		lv_build_id[129];	/* hex, "" when none */
	void		*lv_btf;		/* .BTF, or NULL */
	size_t		lv_btf_len;
	unsigned	lv_nsyms;		/* symbols reported */
};

/*
 * Read a vmlinux: its symbols through cb (cb may be NULL), its build ID
 * and a copy of its .BTF into out (free with lvmlinux_fini).
 */
int	lvmlinux_read(const char *path, struct lvmlinux *out, lsym_cb *cb,
	    void *arg, char *errbuf, size_t errlen);
void	lvmlinux_fini(struct lvmlinux *v);

#endif /* PORTHOLE_GUEST_LINUX_SYSMAP_H */
