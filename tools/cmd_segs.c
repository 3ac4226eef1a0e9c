/*
 * cmd_segs.c -- `porthole segs [TARGET]`: print an address space's
 * segtree the way the illumos debugger prints ::walk seg | ::seg -- base,
 * size, resident pages, the driver's ops and its one-line description.
 *
 * With a TARGET, the address space porthole built for that guest: the
 * physical window (seg_kpm, or seg_map slots) over its memory provider.
 *
 * With no TARGET it shows the address space at work on a built-in
 * default: the porthole executable mapped as a file segment, the same
 * file read as a raw physical-memory image through a physical window
 * (seg_kpm on 64-bit hosts, seg_map slots otherwise), one segment of each
 * other portable driver, and a scratch region written through as_write
 * and split by a partial unmap; --file, --raw and --anon build one of
 * your own instead.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <porthole/porthole.h>
#include "tools/porthole.h"

#define	SEGS_MAX_REGIONS	64
#define	SEGS_DEFAULT_SCRATCH	((uint64_t)4 << 20)

enum segs_kind { SEGS_FILE, SEGS_RAW, SEGS_SCRATCH };

struct segs_region {
	enum segs_kind	r_kind;
	const char	*r_path;	/* file or raw image */
	uint64_t	r_size;		/* scratch size */
};

/* Physical windows opened for raw images, closed after printing. */
struct segs_windows {
	struct physwin	*w_pw[SEGS_MAX_REGIONS + 1];
	struct physmem	*w_pm[SEGS_MAX_REGIONS + 1];
	size_t		w_n;
};

/* One row, collected under the walk and printed after it. */
struct segs_row {
	void		*row_base;
	size_t		row_size;
	const char	*row_ops;
	char		row_desc[200];
};

struct segs_table {
	struct segs_row	rows[SEGS_MAX_REGIONS + 2];
	size_t		nrows;
};

static int
segs_collect(struct seg *seg, void *arg)
{
	struct segs_table *t = arg;
	struct segs_row *row;

	if (t->nrows == sizeof (t->rows) / sizeof (t->rows[0]))
		return (ENOSPC);
	row = &t->rows[t->nrows++];
	row->row_base = seg_base(seg);
	row->row_size = seg_size(seg);
	row->row_ops = seg_opsname(seg);
	seg_describe(seg, row->row_desc, sizeof (row->row_desc));
	return (0);
}

static size_t
segs_resident(struct as *as, const struct segs_row *row, size_t pagesize)
{
	size_t npages = row->row_size / pagesize, i, n = 0;
	unsigned char *vec = malloc(npages);

	if (vec == NULL || as_incore(as, row->row_base, row->row_size,
	    vec) != 0) {
		free(vec);
		return (0);
	}
	for (i = 0; i < npages; i++)
		n += vec[i];
	free(vec);
	return (n);
}

static int
segs_print(struct as *as, const char *target, bool json)
{
	size_t pagesize = (size_t)sysconf(_SC_PAGESIZE), i;
	struct segs_table *t;
	struct json j;
	int err;

	t = calloc(1, sizeof (*t));
	if (t == NULL)
		return (cli_error("out of memory"));
	err = as_walk(as, segs_collect, t);
	if (err != 0) {
		free(t);
		return (cli_error("walking the segtree: %s", strerror(err)));
	}
	if (json) {
		json_init(&j, stdout);
		json_object_begin(&j);
		json_key(&j, "target");
		if (target != NULL)
			json_string(&j, target);
		else
			json_null(&j);
		json_kv_hex(&j, "window_base",
		    (uint64_t)(uintptr_t)as_window_base(as));
		json_kv_u64(&j, "window_size", as_window_size(as));
		json_key(&j, "segments");
		json_array_begin(&j);
		for (i = 0; i < t->nrows; i++) {
			const struct segs_row *row = &t->rows[i];

			json_object_begin(&j);
			json_kv_hex(&j, "base",
			    (uint64_t)(uintptr_t)row->row_base);
			json_kv_u64(&j, "size", row->row_size);
			json_kv_u64(&j, "resident_pages",
			    segs_resident(as, row, pagesize));
			json_kv_string(&j, "ops", row->row_ops);
			json_kv_string(&j, "detail", row->row_desc);
			json_object_end(&j);
		}
		json_array_end(&j);
		json_object_end(&j);
		json_end(&j);
		free(t);
		return (EXIT_OK);
	}
	if (target != NULL)
		(void) printf("%s: ", target);
	(void) printf("address space window %p+%zx, %zu segments\n\n",
	    as_window_base(as), as_window_size(as), t->nrows);
	(void) printf("%16s %12s %8s %-11s %s\n", "BASE", "SIZE", "RES",
	    "OPS", "DETAIL");
	for (i = 0; i < t->nrows; i++) {
		const struct segs_row *row = &t->rows[i];

		(void) printf("%16" PRIxPTR " %12zx %8zu %-11s %s\n",
		    (uintptr_t)row->row_base, row->row_size,
		    segs_resident(as, row, pagesize), row->row_ops,
		    row->row_desc);
	}
	free(t);
	return (EXIT_OK);
}

/* The segtree porthole built for a guest. */
static int
segs_target(const char *target, bool json)
{
	struct guest *g;
	char why[256];
	int rv;

	if ((g = cli_open(target, 0)) == NULL)
		return (EXIT_FAIL);
	if (as_verify(guest_as(g), why, sizeof (why)) != 0) {
		rv = cli_error("the address space of %s failed verification: "
		    "%s", target, why);
	} else {
		rv = segs_print(guest_as(g), target, json);
	}
	cli_close(g);
	return (rv);
}

/*
 * Map len bytes with a driver at the lowest free address; on failure say
 * what could not be mapped.  Returns the address or NULL.
 */
static void *
segs_map_at_gap(struct as *as, size_t len, seg_create_fn fn, void *args,
    const char *what)
{
	void *addr;

	if (as_gap(as, len, 0, AS_GAP_LOW, &addr) != 0) {
		cli_error("no room for %s (%zu bytes) in the window: %s;"
		    " try a larger --window", what, len, strerror(errno));
		return (NULL);
	}
	if (as_map(as, addr, len, fn, args) != 0) {
		cli_error("mapping %s at %p: %s", what, addr,
		    strerror(errno));
		return (NULL);
	}
	return (addr);
}

/* Map a file read-only and private at the lowest free address. */
static int
segs_map_file(struct as *as, const char *path, size_t pagesize)
{
	struct segvn_crargs a = { .type = MAP_PRIVATE, .prot = PROT_READ };
	off_t size;
	int fd, rv = -1;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		cli_error("cannot open %s: %s; check the path and its "
		    "permissions", path, strerror(errno));
		return (-1);
	}
	size = lseek(fd, 0, SEEK_END);
	if (size <= 0) {
		cli_error("%s is empty or not seekable; give a regular "
		    "file", path);
		goto out;
	}
	size = (off_t)(((uint64_t)size + pagesize - 1) & ~(pagesize - 1));
	a.fd = fd;
	a.name = path;
	if (segs_map_at_gap(as, (size_t)size, segvn_create, &a, path) ==
	    NULL)
		goto out;
	rv = 0;
out:
	(void) close(fd);
	return (rv);
}

/*
 * Open path as a raw physical-memory image in a physical window and read
 * its first page through it, so the window shows a resident kluster.
 */
static int
segs_map_raw(struct as *as, const char *path, enum physwin_mode mode,
    struct segs_windows *w)
{
	struct physwin_opts o = { .po_size = sizeof (o), .po_mode = mode,
	    .po_holes_zero = 1 };
	unsigned char page[4096];
	struct physmem *pm;
	struct physwin *pw;
	int err;

	if ((pm = physmem_raw_open(path, NULL, 0)) == NULL) {
		cli_error("cannot open %s as a raw image: %s; give a "
		    "non-empty regular file", path, strerror(errno));
		return (-1);
	}
	if ((pw = physwin_open(as, pm, &o)) == NULL) {
		cli_error("no physical window for %s (%" PRIu64
		    " frames): %s; try --phys map or a larger --window", path,
		    physmem_nframes(pm), strerror(errno));
		physmem_rele(pm);
		return (-1);
	}
	w->w_pm[w->w_n] = pm;
	w->w_pw[w->w_n++] = pw;
	if (physwin_read(pw, 0, page, sizeof (page), &err) != sizeof (page) &&
	    err != EINVAL) {
		cli_error("reading %s at physical address 0: %s", path,
		    strerror(err));
		return (-1);
	}
	return (0);
}

static void
segs_windows_close(struct segs_windows *w)
{
	while (w->w_n > 0) {
		w->w_n--;
		physwin_close(w->w_pw[w->w_n]);
		physmem_rele(w->w_pm[w->w_n]);
	}
}

/*
 * The rest of the portable drivers, one segment each, for the built-in
 * default: a hole that reads as zeros (seg_nf), a buffer between red
 * zones (seg_kp), the tool's own arena with a few objects (seg_kmem), a
 * private System V segment (seg_spt) and /dev/zero (seg_dev).  A driver the host cannot serve (no System V IPC, say) is
 * reported and left out.
 */
static int
segs_map_drivers(struct as *as, size_t pagesize)
{
	struct segnf_crargs nf = { .prot = PROT_READ, .name = "hole" };
	struct segkp_crargs kp = { .size = 4 * pagesize,
	    .prot = PROT_READ | PROT_WRITE, .fd = -1 };
	struct segspt_crargs spt = { .key = IPC_PRIVATE, .create = true,
	    .remove_on_last_detach = true, .prot = PROT_READ | PROT_WRITE };
	struct segdev_crargs dev = { .path = "/dev/zero", .fd = -1,
	    .prot = PROT_READ, .type = MAP_SHARED };
	struct segkmem_crargs kmem = { .name = "porthole" };
	static const char msg[] = "guarded";
	struct seg *seg;
	void *addr, *buf;
	int err;

	if (segs_map_at_gap(as, 16 * pagesize, segnf_create, &nf,
	    "a zero-page hole") == NULL)
		return (-1);
	if ((addr = segs_map_at_gap(as, segkp_len(&kp), segkp_create, &kp,
	    "a red-zoned buffer")) == NULL)
		return (-1);
	as_enter(as, AS_READER);
	seg = as_segat(as, addr);
	buf = seg != NULL ? segkp_buffer(seg, NULL) : NULL;
	as_exit(as);
	if (buf == NULL ||
	    as_write(as, buf, msg, sizeof (msg), &err) != sizeof (msg)) {
		cli_error("writing the red-zoned buffer: %s",
		    strerror(buf == NULL ? EINVAL : err));
		return (-1);
	}
	if ((addr = segs_map_at_gap(as, 16 * pagesize, segkmem_create, &kmem,
	    "the tool's arena")) == NULL)
		return (-1);
	/* A few of the small and large objects later layers keep there. */
	as_enter(as, AS_READER);
	seg = as_segat(as, addr);
	if (seg == NULL || segkmem_alloc(seg, 24) == NULL ||
	    segkmem_alloc(seg, 100) == NULL ||
	    segkmem_alloc_aligned(seg, 2 * pagesize, pagesize) == NULL) {
		as_exit(as);
		cli_error("allocating from the arena: %s",
		    strerror(errno));
		return (-1);
	}
	as_exit(as);
	if (segs_map_at_gap(as, 8 * pagesize, segspt_create, &spt,
	    "System V shared memory") == NULL)
		cli_error("(going on without a seg_spt segment)");
	if (segs_map_at_gap(as, 8 * pagesize, segdev_create, &dev,
	    "/dev/zero") == NULL)
		cli_error("(going on without a seg_dev segment)");
	return (0);
}

/*
 * Map anonymous scratch memory, fill it through as_write, and (when it is
 * big enough) unmap one page in the middle to show a split.
 */
static int
segs_map_scratch(struct as *as, uint64_t size, bool split, size_t pagesize)
{
	struct segvn_crargs a = { .fd = -1, .type = MAP_PRIVATE,
	    .prot = PROT_READ | PROT_WRITE, .name = "scratch" };
	static const char fill[] = "porthole scratch ";
	void *addr;
	size_t off, done;
	int err;

	size = (size + pagesize - 1) & ~((uint64_t)pagesize - 1);
	if ((addr = segs_map_at_gap(as, (size_t)size, segvn_create, &a,
	    "scratch")) == NULL)
		return (-1);
	for (off = 0; off + sizeof (fill) - 1 <= size / 2;
	    off += sizeof (fill) - 1) {
		done = as_write(as, (char *)addr + off, fill,
		    sizeof (fill) - 1, &err);
		if (done != sizeof (fill) - 1) {
			cli_error("writing scratch at %p: %s",
			    (void *)((char *)addr + off), strerror(err));
			return (-1);
		}
	}
	if (split && size >= 4 * pagesize &&
	    as_unmap(as, (char *)addr + size / 2, pagesize) != 0) {
		cli_error("unmapping a page of scratch: %s",
		    strerror(errno));
		return (-1);
	}
	return (0);
}

static int
segs_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "file", required_argument, NULL, 'f' },
		{ "raw", required_argument, NULL, 'r' },
		{ "phys", required_argument, NULL, 'p' },
		{ "anon", required_argument, NULL, 'a' },
		{ "window", required_argument, NULL, 'w' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct segs_region regions[SEGS_MAX_REGIONS];
	struct segs_windows windows = { .w_n = 0 };
	enum physwin_mode mode = PHYSWIN_AUTO;
	size_t nregions = 0, i, pagesize = (size_t)sysconf(_SC_PAGESIZE);
	uint64_t window = 0, size;
	bool json = false, built = false;
	struct as *as;
	char why[256];
	int c, rv = EXIT_FAIL;

	optind = 1;
	while ((c = getopt_long(argc, argv, "f:r:p:a:w:h", longopts, NULL)) !=
	    -1) {
		switch (c) {
		case 'p':
			if (strcmp(optarg, "auto") == 0)
				mode = PHYSWIN_AUTO;
			else if (strcmp(optarg, "kpm") == 0)
				mode = PHYSWIN_KPM;
			else if (strcmp(optarg, "map") == 0)
				mode = PHYSWIN_MAP;
			else
				return (cli_usage_error(&cmd_segs,
				    "--phys takes auto, kpm or map, not '%s'",
				    optarg));
			break;
		case 'f':
		case 'r':
		case 'a':
			if (nregions == SEGS_MAX_REGIONS)
				return (cli_usage_error(&cmd_segs,
				    "at most %d regions", SEGS_MAX_REGIONS));
			regions[nregions].r_kind = c == 'f' ? SEGS_FILE :
			    c == 'r' ? SEGS_RAW : SEGS_SCRATCH;
			regions[nregions].r_path = c != 'a' ? optarg : NULL;
			regions[nregions].r_size = 0;
			if (c == 'a' && (cli_parse_size(optarg, &size) != 0 ||
			    size == 0))
				return (cli_usage_error(&cmd_segs,
				    "'%s' is not a size (try 4096, 64k, 2M)",
				    optarg));
			if (c == 'a')
				regions[nregions].r_size = size;
			nregions++;
			built = true;
			break;
		case 'j':
			json = true;
			break;
		case 'w':
			built = true;
			if (cli_parse_size(optarg, &window) != 0 ||
			    window == 0 || window > SIZE_MAX)
				return (cli_usage_error(&cmd_segs,
				    "'%s' is not a window size (try 1G)",
				    optarg));
			break;
		case 'h':
			return (cli_help(&cmd_segs));
		default:
			return (cli_usage_error(&cmd_segs, "bad option"));
		}
	}
	if (optind < argc && (built || mode != PHYSWIN_AUTO))
		return (cli_usage_error(&cmd_segs, "--file, --raw, --anon, "
		    "--phys and --window build an address space of their own; "
		    "with a TARGET ('%s') the segtree is the guest's",
		    argv[optind]));
	if (optind + 1 < argc)
		return (cli_usage_error(&cmd_segs, "unexpected argument '%s'",
		    argv[optind + 1]));
	if (optind < argc)
		return (segs_target(argv[optind], json));

	as = as_alloc((size_t)window);
	if (as == NULL) {
		cli_error("cannot reserve a %" PRIu64 "-byte window: %s;"
		    " try a smaller --window", window, strerror(errno));
		return (EXIT_FAIL);
	}
	if (nregions == 0) {
		char self[4096];
		ssize_t n = readlink("/proc/self/exe", self, sizeof (self) - 1);

		if (n <= 0) {
			cli_error("cannot find the porthole executable "
			    "(/proc/self/exe): %s; give --file PATH instead",
			    strerror(errno));
			goto out;
		}
		self[n] = '\0';
		if (segs_map_file(as, self, pagesize) != 0 ||
		    segs_map_raw(as, self, mode, &windows) != 0 ||
		    segs_map_drivers(as, pagesize) != 0 ||
		    segs_map_scratch(as, SEGS_DEFAULT_SCRATCH, true,
		    pagesize) != 0)
			goto out;
	}
	for (i = 0; i < nregions; i++) {
		const struct segs_region *r = &regions[i];
		int mapped;

		if (r->r_kind == SEGS_FILE)
			mapped = segs_map_file(as, r->r_path, pagesize);
		else if (r->r_kind == SEGS_RAW)
			mapped = segs_map_raw(as, r->r_path, mode, &windows);
		else
			mapped = segs_map_scratch(as, r->r_size, false,
			    pagesize);
		if (mapped != 0)
			goto out;
	}
	if (as_verify(as, why, sizeof (why)) != 0) {
		cli_error("the address space failed verification: %s",
		    why);
		goto out;
	}
	rv = segs_print(as, NULL, json);
out:
	segs_windows_close(&windows);
	as_free(as);
	return (rv);
}

const struct command cmd_segs = {
	.cmd_name = "segs",
	.cmd_main = segs_main,
	.cmd_summary = "print the segtree of a guest's address space, or of "
	    "one built to show the drivers",
	.cmd_usage = "porthole segs [--json] TARGET\n"
	    "       porthole segs [--json] [--file PATH]... [--raw IMAGE]... "
	    "[--anon SIZE]...\n"
	    "                     [--phys auto|kpm|map] [--window SIZE]",
};
