/*
 * linux_vmcoreinfo.c -- the VMCOREINFO parser and the search for the
 * kernel's own VMCOREINFO buffer in guest physical memory (see
 * linux_vmcoreinfo.h).
 *
 * Where the buffer is: Linux (kernel/crash_core.c) allocates
 * vmcoreinfo_data with get_zeroed_page() at boot and appends to it line
 * by line, OSRELEASE first (6.1: OSRELEASE, BUILD-ID, PAGESIZE, then
 * SYMBOL/OFFSET/SIZE/NUMBER lines, the architecture's last; x86_64
 * appends NUMBER(phys_base), SYMBOL(init_top_pgt),
 * NUMBER(pgtable_l5_enabled), KERNELOFFSET).  So the buffer is a page
 * whose first bytes are "OSRELEASE=" and whose text ends at the first
 * NUL of the page.  (vmcoreinfo_note, the ELF note form, starts with a
 * note header instead, and is not what the search looks for.)
 *
 * Non-goals: the architectures' lines other than x86's meaning anything
 * beyond a number (arm64's TCR_EL1.T1SZ, ...): they are stored or
 * counted as the grammar above says, never interpreted here.
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "guest/linux/linux_vmcoreinfo.h"

static const char lvmci_magic[] = "OSRELEASE=";

static bool
lvmci_is_ident(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || len > LPROF_NAME_MAX ||
	    (s[0] >= '0' && s[0] <= '9'))
		return (false);
	for (i = 0; i < len; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '_'))
			return (false);
	}
	return (true);
}

static int
lvmci_hexdigit(char c)
{
	if (c >= '0' && c <= '9')
		return (c - '0');
	if (c >= 'a' && c <= 'f')
		return (c - 'a' + 10);
	if (c >= 'A' && c <= 'F')
		return (c - 'A' + 10);
	return (-1);
}

/* Hexadecimal, an optional 0x, at most 64 bits: true with *vp. */
static bool
lvmci_hex(const char *s, uint64_t *vp)
{
	uint64_t v = 0;
	unsigned n = 0;
	int d;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	for (; *s != '\0'; s++, n++) {
		if ((d = lvmci_hexdigit(*s)) < 0 || n == 16)
			return (false);
		v = v << 4 | (uint64_t)d;
	}
	*vp = v;
	return (n > 0);
}

/* Unsigned decimal without overflow: true with *vp. */
static bool
lvmci_udec(const char *s, uint64_t *vp)
{
	uint64_t v = 0;

	if (*s == '\0')
		return (false);
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9' ||
		    v > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
			return (false);
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*vp = v;
	return (true);
}

/* Signed decimal (as the kernel's %ld), or 0x hex; two's complement. */
static bool
lvmci_number(const char *s, uint64_t *vp)
{
	uint64_t mag;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		return (lvmci_hex(s, vp));
	if (s[0] == '-') {
		if (!lvmci_udec(s + 1, &mag) || mag > (1ULL << 63))
			return (false);
		*vp = (uint64_t)0 - mag;
		return (true);
	}
	return (lvmci_udec(s, vp) && *vp <= (uint64_t)INT64_MAX);
}

/* A release: 1..64 printable characters, no spaces. */
static bool
lvmci_release_ok(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > LVMCI_RELEASE_MAX)
		return (false);
	for (i = 0; i < n; i++) {
		if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] > '~')
			return (false);
	}
	return (true);
}

/*
 * If key is PREFIX(inner), point *innerp at inner (NUL-terminated in
 * place) and return true.
 */
static bool
lvmci_wrapped(char *key, const char *prefix, char **innerp)
{
	size_t pl = strlen(prefix), kl = strlen(key);

	if (kl < pl + 2 || strncmp(key, prefix, pl) != 0 ||
	    key[pl] != '(' || key[kl - 1] != ')')
		return (false);
	key[kl - 1] = '\0';
	*innerp = key + pl + 1;
	return (true);
}

/*
 * One "key=value" line (NUL-terminated, writable).  Returns 0 (*kindp:
 * 1 understood, 0 ignored, -1 malformed) or a profile errno.
 */
static int
lvmci_line(char *line, struct lvmci *out, struct linux_profile *p,
    int *kindp)
{
	char *eq = strchr(line, '='), *key = line, *val, *inner, *dot;
	uint64_t v;
	int err = 0;

	*kindp = -1;
	if (eq == NULL || eq == line)
		return (0);
	*eq = '\0';
	val = eq + 1;
	if (strcmp(key, "OSRELEASE") == 0) {
		if (!lvmci_release_ok(val))
			return (0);
		(void) strcpy(out->lv_release, val);
	} else if (strcmp(key, "BUILD-ID") == 0) {
		size_t i, n = strlen(val);

		if (n == 0 || n % 2 != 0 || n > 2 * LVMCI_BUILD_ID_MAX)
			return (0);
		for (i = 0; i < n; i++) {
			if (lvmci_hexdigit(val[i]) < 0)
				return (0);
		}
		for (i = 0; i < n; i++)
			out->lv_build_id[i] = (char)(val[i] >= 'A' &&
			    val[i] <= 'F' ? val[i] - 'A' + 'a' : val[i]);
		out->lv_build_id[n] = '\0';
	} else if (strcmp(key, "PAGESIZE") == 0) {
		if (!lvmci_udec(val, &v) || v == 0 || (v & (v - 1)) != 0)
			return (0);
		out->lv_pagesize = v;
	} else if (strcmp(key, "KERNELOFFSET") == 0) {
		if (!lvmci_hex(val, &v))
			return (0);
		out->lv_has_kerneloffset = true;
		out->lv_kerneloffset = v;
	} else if (strcmp(key, "CRASHTIME") == 0) {
		if (!lvmci_number(val, &v))
			return (0);
		out->lv_has_crashtime = true;
		out->lv_crashtime = (int64_t)v;
	} else if (lvmci_wrapped(key, "SYMBOL", &inner)) {
		if (!lvmci_is_ident(inner, strlen(inner)) || !lvmci_hex(val, &v))
			return (0);
		if (p != NULL)
			err = lprof_set_symbol(p, inner, v);
	} else if (lvmci_wrapped(key, "NUMBER", &inner)) {
		if (!lvmci_is_ident(inner, strlen(inner)) ||
		    !lvmci_number(val, &v))
			return (0);
		if (p != NULL)
			err = lprof_set_number(p, inner, v);
	} else if (lvmci_wrapped(key, "OFFSET", &inner)) {
		if ((dot = strchr(inner, '.')) == NULL ||
		    !lvmci_is_ident(inner, (size_t)(dot - inner)) ||
		    !lvmci_is_ident(dot + 1, strlen(dot + 1)) ||
		    !lvmci_udec(val, &v))
			return (0);
		*dot = '\0';
		if (p != NULL)
			err = lprof_set_member(p, inner, dot + 1, v, 0);
	} else if (lvmci_wrapped(key, "SIZE", &inner)) {
		if (!lvmci_is_ident(inner, strlen(inner)) || !lvmci_udec(val, &v))
			return (0);
		if (p != NULL)
			err = lprof_set_size(p, inner, v);
	} else if (lvmci_wrapped(key, "LENGTH", &inner)) {
		if (!lvmci_is_ident(inner, strlen(inner)) || !lvmci_udec(val, &v))
			return (0);
		inner[strlen(inner)] = ')';	/* key is LENGTH(x) again */
		if (p != NULL)
			err = lprof_set_number(p, key, v);
	} else if (strncmp(key, "CONFIG_", 7) == 0) {
		if (!lvmci_is_ident(key, strlen(key)) || strcmp(val, "y") != 0)
			return (0);
		if (p != NULL)
			err = lprof_set_number(p, key, 1);
	} else {
		*kindp = 0;
		return (0);
	}
	*kindp = 1;
	return (err == EINVAL ? 0 : err);
}

int
lvmci_parse(const char *text, size_t len, struct lvmci *out,
    struct linux_profile *p, char *errbuf, size_t errlen)
{
	char line[LVMCI_MAX_LINE + 1];
	size_t n, pos, end, linelen;
	const char *nl;
	int kind, err;

	memset(out, 0, sizeof (*out));
	if (text == NULL)
		len = 0;
	n = len < LVMCI_MAX_TEXT ? len : LVMCI_MAX_TEXT;
	n = text == NULL ? 0 : strnlen(text, n);
	for (pos = 0; pos < n; pos = end + 1) {
		nl = memchr(text + pos, '\n', n - pos);
		end = nl != NULL ? (size_t)(nl - text) : n;
		linelen = end - pos;
		if (linelen == 0)
			continue;
		if (linelen > LVMCI_MAX_LINE) {
			out->lv_bad++;
			continue;
		}
		memcpy(line, text + pos, linelen);
		line[linelen] = '\0';
		if ((err = lvmci_line(line, out, p, &kind)) != 0)
			return (err);
		if (kind > 0)
			out->lv_entries++;
		else if (kind == 0)
			out->lv_ignored++;
		else
			out->lv_bad++;
	}
	if (out->lv_release[0] == '\0') {
		if (errbuf != NULL)
			(void) snprintf(errbuf, errlen, "VMCOREINFO (%zu bytes, "
			    "%u lines understood, %u malformed) has no usable "
			    "OSRELEASE line", n, out->lv_entries, out->lv_bad);
		return (EINVAL);
	}
	return (0);
}

struct lvmci_search {
	const struct lk_mem *vs_mem;
	char		*vs_buf;
	size_t		vs_len;
	uint64_t	vs_pa;
};

/* A page that starts like the buffer: does its text qualify? */
static int
lvmci_candidate(void *arg, uint64_t pa)
{
	struct lvmci_search *vs = arg;
	struct lvmci info;

	if (lk_mem_read(vs->vs_mem, pa, vs->vs_buf, LK_PAGE_SIZE) != 0)
		return (0);
	vs->vs_buf[LK_PAGE_SIZE] = '\0';
	vs->vs_len = strlen(vs->vs_buf);
	if (lvmci_parse(vs->vs_buf, vs->vs_len, &info, NULL, NULL, 0) != 0 ||
	    info.lv_pagesize == 0)
		return (0);
	vs->vs_pa = pa;
	return (1);
}

int
lvmci_find(const struct lk_mem *phys, uint64_t lo, uint64_t hi,
    uint64_t *pap, char *buf, size_t buflen, size_t *lenp)
{
	struct lvmci_search vs;

	if (buflen < LK_PAGE_SIZE + 1)
		return (EINVAL);
	vs.vs_mem = phys;
	vs.vs_buf = buf;
	vs.vs_len = 0;
	vs.vs_pa = 0;
	if (lk_mem_scan_pages(phys, lo, hi, lvmci_magic,
	    sizeof (lvmci_magic) - 1, lvmci_candidate, &vs) != 1) {
		buf[0] = '\0';
		return (ENOENT);
	}
	*pap = vs.vs_pa;
	*lenp = vs.vs_len;
	return (0);
}
