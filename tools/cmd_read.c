/*
 * cmd_read.c -- `porthole read TARGET ADDR LEN`: guest memory, as a
 * hexdump headed by guest addresses (the default), as raw bytes on
 * stdout (--raw, never to a terminal), into a file (--out FILE, complete
 * or absent), or as JSON (--json: the bytes in hex).
 *
 * ADDR is virtual (vCPU 0's kernel space unless --vcpu, --cr3 or --pid
 * says otherwise) or, with --phys, physical.  A read that stops early
 * (a page not mapped, a hole, beyond the guest) prints what it read, then
 * where and why it stopped, and exits 1; --out then holds the bytes read.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <porthole/guest.h>
#include "tools/porthole.h"

#define	READ_CHUNK	((size_t)64 << 10)

enum read_output { READ_HEX, READ_RAW, READ_FILE, READ_JSON };

struct read_job {
	struct guest		*rj_g;
	bool			rj_phys;
	struct guest_space	rj_space;
	uint64_t		rj_addr;
	uint64_t		rj_len;
	uint64_t		rj_done;
	struct guest_fault	rj_fault;
};

/* The next piece, up to n bytes: the bytes read (short: rj_fault). */
static size_t
read_piece(struct read_job *rj, void *buf, size_t n)
{
	uint64_t at = rj->rj_addr + rj->rj_done;
	size_t got;

	if (rj->rj_phys)
		got = guest_pread(rj->rj_g, at, buf, n, &rj->rj_fault);
	else
		got = guest_vread(rj->rj_g, &rj->rj_space, at, buf, n,
		    &rj->rj_fault);
	rj->rj_done += got;
	return (got);
}

static int
read_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_SPACE_LONGOPTS,
		{ "raw", no_argument, NULL, 'r' },
		{ "out", required_argument, NULL, 'o' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	enum read_output out = READ_HEX;
	struct read_job rj = { .rj_g = NULL };
	struct cli_outfile of = { .of_fd = -1 };
	struct cli_space cs;
	const char *outpath = NULL, *target;
	char desc[160], why[256];
	unsigned char *buf;
	struct json j;
	int c, rv = EXIT_FAIL;

	cli_space_init(&cs);
	optind = 1;
	while ((c = cli_space_getopt(&cs, argc, argv, "v:o:jh",
	    longopts)) != -1) {
		switch (c) {
		case CLI_SPACE_USAGE:
			return (EXIT_USAGE);
		case 'r':
			if (out != READ_HEX)
				return (cli_usage_error(&cmd_read, "--raw, "
				    "--out and --json go one at a time"));
			out = READ_RAW;
			break;
		case 'o':
			if (out != READ_HEX)
				return (cli_usage_error(&cmd_read, "--raw, "
				    "--out and --json go one at a time"));
			out = READ_FILE;
			outpath = optarg;
			break;
		case 'j':
			if (out != READ_HEX)
				return (cli_usage_error(&cmd_read, "--raw, "
				    "--out and --json go one at a time"));
			out = READ_JSON;
			break;
		case 'h':
			return (cli_help(&cmd_read));
		default:
			return (cli_usage_error(&cmd_read, "bad option"));
		}
	}
	if (cli_space_check(&cs) != 0)
		return (EXIT_USAGE);
	if (cli_operands(&cmd_read, argc, argv, 3,
	    "give TARGET, ADDR and LEN") != 0)
		return (EXIT_USAGE);
	target = argv[optind];
	if (cli_parse_u64(argv[optind + 1], &rj.rj_addr) != 0)
		return (cli_usage_error(&cmd_read, "'%s' is not an address "
		    "(decimal, or hex with 0x)", argv[optind + 1]));
	if (cli_parse_size(argv[optind + 2], &rj.rj_len) != 0 ||
	    rj.rj_len == 0)
		return (cli_usage_error(&cmd_read, "'%s' is not a length "
		    "(such as 64, 0x1000, 4k, 1M)", argv[optind + 2]));
	if (rj.rj_addr + rj.rj_len - 1 < rj.rj_addr)
		return (cli_usage_error(&cmd_read, "0x%" PRIx64 " + %" PRIu64
		    " runs past the end of the address space", rj.rj_addr,
		    rj.rj_len));
	if (out == READ_RAW && isatty(STDOUT_FILENO))
		return (cli_usage_error(&cmd_read, "--raw writes bytes, not "
		    "text: redirect stdout to a file or a pipe, or use --out "
		    "FILE"));
	if ((buf = malloc(READ_CHUNK)) == NULL)
		return (cli_error("out of memory"));
	if ((rj.rj_g = cli_open(target, 0)) == NULL)
		goto out;
	rj.rj_phys = cs.cs_phys;
	if (cli_space_resolve(rj.rj_g, &cs, &rj.rj_space, desc,
	    sizeof (desc)) != 0)
		goto out;
	if (out == READ_FILE && cli_outfile_open(&of, outpath, false) != 0)
		goto out;
	if (out == READ_JSON) {
		json_init(&j, stdout);
		json_object_begin(&j);
		json_kv_string(&j, "target", target);
		json_kv_string(&j, "space", rj.rj_phys ? "physical" :
		    "virtual");
		json_kv_string(&j, "space_description", desc);
		json_kv_hex(&j, "address", rj.rj_addr);
		json_kv_u64(&j, "length", rj.rj_len);
		json_key(&j, "data");
		(void) fputc('"', stdout);
		j.j_first[j.j_depth] = false;
		j.j_after_key = false;
	}
	while (rj.rj_done < rj.rj_len) {
		uint64_t at = rj.rj_addr + rj.rj_done;
		size_t want = rj.rj_len - rj.rj_done < READ_CHUNK ?
		    (size_t)(rj.rj_len - rj.rj_done) : READ_CHUNK;
		size_t got = read_piece(&rj, buf, want), i;

		switch (out) {
		case READ_HEX:
			cli_hexdump(stdout, at, buf, got);
			break;
		case READ_RAW:
			if (fwrite(buf, 1, got, stdout) != got) {
				(void) cli_error("writing to stdout: %s",
				    strerror(errno));
				goto out;
			}
			break;
		case READ_FILE:
			if (cli_write_all(of.of_fd, buf, got, -1) != 0) {
				(void) cli_error("writing %s: %s", outpath,
				    strerror(errno));
				goto out;
			}
			break;
		case READ_JSON:
			for (i = 0; i < got; i++)
				(void) printf("%02x", buf[i]);
			break;
		}
		if (got < want)
			break;
	}
	if (out == READ_JSON) {
		(void) fputc('"', stdout);
		json_kv_u64(&j, "read", rj.rj_done);
		json_fault(&j, "fault", rj.rj_done < rj.rj_len ?
		    &rj.rj_fault : NULL);
		json_object_end(&j);
		json_end(&j);
	}
	if (out == READ_FILE && cli_outfile_commit(&of) != 0)
		goto out;
	if (fflush(stdout) != 0) {
		(void) cli_error("writing to stdout: %s", strerror(errno));
		goto out;
	}
	if (rj.rj_done < rj.rj_len) {
		(void) cli_error("read %" PRIu64 " of %" PRIu64 " bytes of %s "
		    "from %s; stopped %s", rj.rj_done, rj.rj_len, target, desc,
		    cli_fault_text(&rj.rj_fault, !rj.rj_phys, why,
		    sizeof (why)));
		goto out;
	}
	rv = EXIT_OK;
out:
	if (of.of_fd >= 0 || of.of_tmp != NULL)
		cli_outfile_abort(&of);
	if (rj.rj_g != NULL)
		cli_close(rj.rj_g);
	free(buf);
	return (rv);
}

const struct command cmd_read = {
	.cmd_name = "read",
	.cmd_main = read_main,
	.cmd_summary = "read guest memory at a virtual or physical address",
	.cmd_usage = "porthole read [--phys | [-v VCPU] [--cr3 ROOT [--mode "
	    "MODE]] | --pid PID]\n"
	    "                     [--raw | --out FILE | --json] TARGET ADDR "
	    "LEN",
};
