/*
 * cmd_grep.c -- `porthole grep TARGET PATTERN`: find a string (or, with
 * --hex, bytes) in guest memory, matches across page boundaries
 * included, and say where each is:
 *	(default)	physical memory, scanned run by run; each match with
 *			its physical address and the kernel virtual
 *			addresses that map it (vCPU 0's kernel space, or
 *			--vcpu's), found by walking that space's tables once
 *	--phys		physical memory, physical addresses only
 *	--cr3 ROOT	the virtual address space at ROOT: every page it
 *			maps, in address order, so a match may span two
 *			pages whose frames are far apart; each match with
 *			its virtual and physical address
 * Each match shows the bytes from it on (printable ones).  Exit 0 when
 * something matched, 1 when nothing did (as grep) or on failure.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <porthole/guest.h>
#include "tools/porthole.h"

#define	GREP_CHUNK	((size_t)1 << 20)
#define	GREP_PAGE	((uint64_t)4096)
#define	GREP_MAX_PATTERN 4096
#define	GREP_CONTEXT	48
#define	GREP_MAX_VAS	8

/* A range mapped contiguously: va .. va + len to pa .. pa + len. */
struct grep_map {
	uint64_t	m_va;
	uint64_t	m_pa;
	uint64_t	m_len;
};

struct grep_maps {
	struct grep_map	*gm_v;
	size_t		gm_n;
	size_t		gm_cap;
	bool		gm_nomem;
};

struct grep_job {
	struct guest		*gj_g;
	const unsigned char	*gj_pat;
	size_t			gj_patlen;
	bool			gj_virtual;	/* scanning a virtual space */
	bool			gj_have_vas;	/* reverse map for phys */
	struct guest_space	gj_space;
	struct grep_maps	gj_maps;
	uint64_t		gj_max;		/* 0: no limit */
	uint64_t		gj_count;
	uint64_t		gj_unreadable;	/* pages */
	bool			gj_json;
	struct json		gj_j;
	unsigned char		*gj_buf;
};

static int
grep_collect(const struct guest_mapping *m, void *arg)
{
	struct grep_maps *gm = arg;
	struct grep_map *last = gm->gm_n > 0 ? &gm->gm_v[gm->gm_n - 1] : NULL;

	if (last != NULL && last->m_va + last->m_len == m->gm_va &&
	    last->m_pa + last->m_len == m->gm_pa) {
		last->m_len += m->gm_size;
		return (0);
	}
	if (gm->gm_n == gm->gm_cap) {
		size_t cap = gm->gm_cap == 0 ? 256 : gm->gm_cap * 2;
		struct grep_map *v = realloc(gm->gm_v, cap * sizeof (*v));

		if (v == NULL) {
			gm->gm_nomem = true;
			return (1);
		}
		gm->gm_v = v;
		gm->gm_cap = cap;
	}
	gm->gm_v[gm->gm_n].m_va = m->gm_va;
	gm->gm_v[gm->gm_n].m_pa = m->gm_pa;
	gm->gm_v[gm->gm_n].m_len = m->gm_size;
	gm->gm_n++;
	return (0);
}

/* Every mapping of the space, merged: 0 or -1 (said). */
static int
grep_maps(struct grep_job *gj, uint64_t start, uint64_t last,
    const char *desc)
{
	int rc = guest_space_mappings(gj->gj_g, &gj->gj_space, start, last,
	    grep_collect, &gj->gj_maps);

	if (gj->gj_maps.gm_nomem) {
		(void) cli_error("out of memory for the mappings of %s",
		    desc);
		return (-1);
	}
	if (rc != 0) {
		(void) cli_error("cannot walk %s: %s%s", desc, strerror(errno),
		    errno == ELOOP ? " (its tables hold more entries than "
		    "any real guest's: a loop?)" : "");
		return (-1);
	}
	return (0);
}

/* The physical address of va in the space's mappings, or ~0. */
static uint64_t
grep_va_to_pa(const struct grep_job *gj, uint64_t va)
{
	size_t lo = 0, hi = gj->gj_maps.gm_n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct grep_map *m = &gj->gj_maps.gm_v[mid];

		if (va < m->m_va)
			hi = mid;
		else if (va - m->m_va >= m->m_len)
			lo = mid + 1;
		else
			return (m->m_pa + (va - m->m_va));
	}
	return (~(uint64_t)0);
}

static void
grep_report(struct grep_job *gj, uint64_t addr, const unsigned char *p,
    size_t avail)
{
	uint64_t vas[GREP_MAX_VAS], pa = addr;
	size_t nvas = 0, i, ctx = avail < GREP_CONTEXT ? avail : GREP_CONTEXT;
	bool more = false;

	if (gj->gj_virtual) {
		pa = grep_va_to_pa(gj, addr);
	} else if (gj->gj_have_vas) {
		for (i = 0; i < gj->gj_maps.gm_n; i++) {
			const struct grep_map *m = &gj->gj_maps.gm_v[i];

			if (pa < m->m_pa || pa - m->m_pa >= m->m_len)
				continue;
			if (nvas == GREP_MAX_VAS) {
				more = true;
				break;
			}
			vas[nvas++] = m->m_va + (pa - m->m_pa);
		}
	}
	if (gj->gj_json) {
		struct json *j = &gj->gj_j;

		json_object_begin(j);
		json_key(j, "physical");
		if (pa == ~(uint64_t)0)
			json_null(j);
		else
			json_hex(j, pa);
		if (gj->gj_virtual) {
			json_kv_hex(j, "virtual", addr);
		} else if (gj->gj_have_vas) {
			json_key(j, "virtual");
			json_array_begin(j);
			for (i = 0; i < nvas; i++)
				json_hex(j, vas[i]);
			json_array_end(j);
		}
		json_key(j, "context");
		json_string_n(j, p, ctx);
		json_object_end(j);
		return;
	}
	if (gj->gj_virtual) {
		(void) printf("0x%016" PRIx64 "  0x%016" PRIx64 "  ", addr, pa);
	} else {
		(void) printf("0x%016" PRIx64 "  ", pa);
		if (gj->gj_have_vas) {
			if (nvas == 0)
				(void) printf("%-18s  ", "-");
			for (i = 0; i < nvas; i++)
				(void) printf("0x%016" PRIx64 "%s", vas[i],
				    i + 1 < nvas ? "," : "  ");
			if (more)
				(void) printf("...  ");
		}
	}
	(void) fputc('|', stdout);
	for (i = 0; i < ctx; i++)
		(void) fputc(isprint(p[i]) ? p[i] : '.', stdout);
	(void) printf("|\n");
}

/*
 * Search [addr, addr + len) of physical memory or the virtual space,
 * GREP_CHUNK at a time, the last patlen - 1 bytes of each chunk kept in
 * front of the next so that no match across a chunk is lost (and none
 * is found twice: a match is never wholly inside what was kept).
 * Returns 1 when the match limit stopped it, 0 otherwise.
 */
static int
grep_range(struct grep_job *gj, uint64_t addr, uint64_t len)
{
	size_t keep = 0, k = gj->gj_patlen - 1;
	uint64_t done = 0;

	while (done < len) {
		uint64_t at = addr + done;
		size_t n = len - done < GREP_CHUNK ? (size_t)(len - done) :
		    GREP_CHUNK, got, have, off;
		struct guest_fault why;
		unsigned char *hit, *base = gj->gj_buf;

		if (gj->gj_virtual)
			got = guest_vread(gj->gj_g, &gj->gj_space, at,
			    base + keep, n, &why);
		else
			got = guest_pread(gj->gj_g, at, base + keep, n, &why);
		have = keep + got;
		off = 0;
		while (off + gj->gj_patlen <= have &&
		    (hit = memmem(base + off, have - off, gj->gj_pat,
		    gj->gj_patlen)) != NULL) {
			size_t pos = (size_t)(hit - base);

			grep_report(gj, at - keep + pos, hit, have - pos);
			if (gj->gj_max != 0 && ++gj->gj_count >= gj->gj_max)
				return (1);
			if (gj->gj_max == 0)
				gj->gj_count++;
			off = pos + 1;
		}
		if (got < n) {
			/* An unreadable page: skip it, keep nothing. */
			uint64_t bad = (at + got) & ~(GREP_PAGE - 1);

			gj->gj_unreadable++;
			done = bad + GREP_PAGE - addr;
			keep = 0;
			continue;
		}
		keep = have < k ? have : k;
		memmove(base, base + have - keep, keep);
		done += got;
	}
	return (0);
}

static int
grep_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_SPACE_LONGOPTS,
		{ "hex", no_argument, NULL, 'x' },
		{ "max-count", required_argument, NULL, 'm' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct grep_job gj = { .gj_g = NULL };
	unsigned char pat[GREP_MAX_PATTERN];
	char desc[160] = "physical memory", pdesc[2 * 64 + 1];
	const char *target, *text;
	struct cli_space cs;
	bool hex = false, stopped = false;
	uint64_t n, gfn, run;
	size_t i;
	int c, rv = EXIT_FAIL;

	cli_space_init(&cs);
	optind = 1;
	while ((c = cli_space_getopt(&cs, argc, argv, "v:m:jh",
	    longopts)) != -1) {
		switch (c) {
		case CLI_SPACE_USAGE:
			return (EXIT_USAGE);
		case 'x':
			hex = true;
			break;
		case 'm':
			if (cli_parse_u64(optarg, &gj.gj_max) != 0 ||
			    gj.gj_max == 0)
				return (cli_usage_error(&cmd_grep, "-m/"
				    "--max-count takes a number of matches, "
				    "not '%s'", optarg));
			break;
		case 'j':
			gj.gj_json = true;
			break;
		case 'h':
			return (cli_help(&cmd_grep));
		default:
			return (cli_usage_error(&cmd_grep, "bad option"));
		}
	}
	if (cli_space_check(&cs) != 0)
		return (EXIT_USAGE);
	if (cli_operands(&cmd_grep, argc, argv, 2,
	    "give TARGET and PATTERN") != 0)
		return (EXIT_USAGE);
	target = argv[optind];
	text = argv[optind + 1];
	if (hex) {
		int hi = -1;

		gj.gj_patlen = 0;
		for (; *text != '\0'; text++) {
			int v;

			if (isspace((unsigned char)*text) && hi < 0)
				continue;
			if (!isxdigit((unsigned char)*text) ||
			    gj.gj_patlen == sizeof (pat))
				return (cli_usage_error(&cmd_grep, "'%s' is not "
				    "hex bytes (such as \"de ad be ef\")",
				    argv[optind + 1]));
			v = isdigit((unsigned char)*text) ? *text - '0' :
			    tolower((unsigned char)*text) - 'a' + 10;
			if (hi < 0) {
				hi = v;
			} else {
				pat[gj.gj_patlen++] = (unsigned char)(hi << 4 |
				    v);
				hi = -1;
			}
		}
		if (hi >= 0 || gj.gj_patlen == 0)
			return (cli_usage_error(&cmd_grep, "'%s' is not hex "
			    "bytes (such as \"de ad be ef\")",
			    argv[optind + 1]));
	} else {
		gj.gj_patlen = strlen(text);
		if (gj.gj_patlen == 0 || gj.gj_patlen > sizeof (pat))
			return (cli_usage_error(&cmd_grep, "PATTERN must be 1 "
			    "to %d bytes", GREP_MAX_PATTERN));
		memcpy(pat, text, gj.gj_patlen);
	}
	gj.gj_pat = pat;
	if ((gj.gj_buf = malloc(GREP_CHUNK + GREP_MAX_PATTERN)) == NULL)
		return (cli_error("out of memory"));
	if ((gj.gj_g = cli_open(target, 0)) == NULL)
		goto out;
	if (cs.cs_have_cr3 || cs.cs_have_pid) {
		/* A virtual space: scan what it maps. */
		if (cli_space_resolve(gj.gj_g, &cs, &gj.gj_space, desc,
		    sizeof (desc)) != 0 ||
		    grep_maps(&gj, 0, ~(uint64_t)0, desc) != 0)
			goto out;
		gj.gj_virtual = true;
	} else if (!cs.cs_phys) {
		/* Physical, with the kernel's virtual addresses if any. */
		if (guest_space_vcpu(gj.gj_g, cs.cs_have_vcpu ? cs.cs_vcpu : 0,
		    true, &gj.gj_space) == 0 &&
		    gj.gj_space.gs_mode != GUEST_PAGING_NONE) {
			(void) snprintf(desc, sizeof (desc), "physical memory, "
			    "with the kernel space of vCPU %u", cs.cs_have_vcpu ?
			    cs.cs_vcpu : 0);
			if (grep_maps(&gj, 0, gj.gj_space.gs_mode >=
			    GUEST_PAGING_4LEVEL ? ~(uint64_t)0 : 0xffffffffULL,
			    desc) != 0)
				goto out;
			gj.gj_have_vas = true;
		} else if (cs.cs_have_vcpu) {
			(void) cli_error("vCPU %u of %s gives no kernel space "
			    "(%s); drop --vcpu or give --phys", cs.cs_vcpu,
			    target, strerror(errno));
			goto out;
		}
	}
	if (gj.gj_json) {
		json_init(&gj.gj_j, stdout);
		json_object_begin(&gj.gj_j);
		json_kv_string(&gj.gj_j, "target", target);
		for (i = 0; i < gj.gj_patlen && i < 64; i++)
			(void) snprintf(pdesc + 2 * i, 3, "%02x", pat[i]);
		json_kv_string(&gj.gj_j, "pattern_hex", pdesc);
		json_kv_string(&gj.gj_j, "space", gj.gj_virtual ? "virtual" :
		    "physical");
		json_kv_string(&gj.gj_j, "space_description", desc);
		json_key(&gj.gj_j, "matches");
		json_array_begin(&gj.gj_j);
	}
	if (gj.gj_virtual) {
		for (i = 0; i < gj.gj_maps.gm_n && !stopped; i++) {
			/* Ranges that follow each other in va scan as one. */
			uint64_t va = gj.gj_maps.gm_v[i].m_va;
			uint64_t len = gj.gj_maps.gm_v[i].m_len;

			while (i + 1 < gj.gj_maps.gm_n &&
			    gj.gj_maps.gm_v[i + 1].m_va == va + len)
				len += gj.gj_maps.gm_v[++i].m_len;
			stopped = grep_range(&gj, va, len) != 0;
		}
	} else {
		n = guest_nframes(gj.gj_g);
		for (gfn = 0; gfn < n && !stopped; gfn = run) {
			bool p = guest_present(gj.gj_g, gfn, &run) != 0;

			if (run <= gfn || run > n)
				run = run <= gfn ? gfn + 1 : n;
			/* Present frames that follow each other scan as one. */
			while (p && run < n) {
				uint64_t next;

				if (guest_present(gj.gj_g, run, &next) == 0)
					break;
				run = next > run && next <= n ? next : run + 1;
			}
			if (p)
				stopped = grep_range(&gj, gfn * GREP_PAGE,
				    (run - gfn) * GREP_PAGE) != 0;
		}
	}
	if (gj.gj_json) {
		json_array_end(&gj.gj_j);
		json_kv_u64(&gj.gj_j, "count", gj.gj_count);
		json_kv_bool(&gj.gj_j, "stopped_at_max", stopped);
		json_kv_u64(&gj.gj_j, "unreadable_pages", gj.gj_unreadable);
		json_object_end(&gj.gj_j);
		json_end(&gj.gj_j);
	}
	if (gj.gj_unreadable > 0)
		cli_warn("%" PRIu64 " page%s of %s could not be read and %s "
		    "not searched", gj.gj_unreadable, gj.gj_unreadable == 1 ?
		    "" : "s", target, gj.gj_unreadable == 1 ? "was" : "were");
	if (gj.gj_count == 0) {
		(void) fflush(stdout);
		(void) cli_error("no match in %s of %s", desc, target);
		goto out;
	}
	rv = EXIT_OK;
out:
	if (gj.gj_g != NULL)
		cli_close(gj.gj_g);
	free(gj.gj_maps.gm_v);
	free(gj.gj_buf);
	return (rv);
}

const struct command cmd_grep = {
	.cmd_name = "grep",
	.cmd_main = grep_main,
	.cmd_summary = "find a string or bytes in guest memory, with their "
	    "physical and virtual addresses",
	.cmd_usage = "porthole grep [--phys | -v VCPU | --cr3 ROOT [--mode "
	    "MODE] | --pid PID]\n"
	    "                     [--hex]"
	    " [-m N] [--json] TARGET PATTERN",
};
