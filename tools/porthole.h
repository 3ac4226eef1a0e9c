/*
 * porthole.h -- the command's shared declarations: the subcommand table,
 * the helpers every subcommand uses to talk to the user (messages, JSON,
 * hexdumps, progress), to name a target and an address space, and to
 * write files that are either complete or absent.
 *
 * Exit codes: 0 success, 1 failure, 2 usage error.
 *
 * The command uses the public API only (<porthole/...>): whatever it
 * needs that the library lacks becomes a public call first.
 */
#ifndef PORTHOLE_TOOLS_PORTHOLE_H
#define PORTHOLE_TOOLS_PORTHOLE_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <porthole/guest.h>
#include <porthole/linux.h>

#define	EXIT_OK		0
#define	EXIT_FAIL	1
#define	EXIT_USAGE	2

struct command {
	const char	*cmd_name;
	int		(*cmd_main)(int argc, char **argv);
	const char	*cmd_summary;	/* one line for `porthole --help` */
	const char	*cmd_usage;	/* full text for `porthole help NAME` */
};

extern const struct command cmd_dmesg;
extern const struct command cmd_dump;
extern const struct command cmd_grep;
extern const struct command cmd_help;
extern const struct command cmd_info;
extern const struct command cmd_list;
extern const struct command cmd_lsmod;
extern const struct command cmd_maps;
extern const struct command cmd_ps;
extern const struct command cmd_read;
extern const struct command cmd_regs;
extern const struct command cmd_segs;
extern const struct command cmd_uname;
extern const struct command cmd_v2p;
extern const struct command cmd_version;
extern const struct command cmd_write;

/* The table, NULL-terminated, in the order --help lists it. */
extern const struct command *const commands[];

const struct command *command_find(const char *name);

/* The subcommand running (for message prefixes); NULL before dispatch. */
extern const struct command *cli_command;

/*
 * Messages on stderr, "porthole CMD: " first.  cli_error returns
 * EXIT_FAIL so that a failure path can end with return (cli_error(...)).
 */
int	cli_error(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));
void	cli_warn(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));
/* A usage error: the message, then "see porthole help CMD"; returns 2. */
/*
 * After option parsing: exactly n operands from argv[optind] on.  0, or
 * (with the usage error said: want when too few, the first extra one
 * when too many) EXIT_USAGE.
 */
int	cli_operands(const struct command *cmd, int argc, char **argv, int n,
	    const char *want);
int	cli_usage_error(const struct command *cmd, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* `CMD --help`: the usage and summary on stdout; returns 0. */
int	cli_help(const struct command *cmd);

/*
 * Numbers the user types: decimal, or hex with 0x (no octal: 010 is
 * ten).  cli_parse_u64 takes a plain number (an address); cli_parse_size
 * also a k, M, G or T suffix (KiB, MiB, ...: 64k, 2M, 1GiB).  0, or -1
 * when the text is not such a number or overflows.
 */
int	cli_parse_u64(const char *text, uint64_t *vp);
int	cli_parse_size(const char *text, uint64_t *sizep);
/* A vCPU number or pid: decimal up to max.  0 or -1. */
int	cli_parse_uint(const char *text, unsigned max, unsigned *vp);
/* "12.3 MiB", "4.0 KiB", "512 B" into buf; returns buf. */
const char *cli_bytes(uint64_t n, char *buf, size_t len);

/*
 * Targets.  TARGET is a live domain or a memory image:
 *	xen:NAME|ID|UUID	a live domain, always
 *	an existing path	an image (its format from its contents)
 *	anything with a '/'	an image (that does not exist: said so)
 *	anything else		a live domain NAME|ID|UUID
 * cli_open prints the reason and what to try when it fails (NULL).
 */
struct guest *cli_open(const char *target, unsigned flags);
/*
 * The command is done with g (may be NULL) and is about to exit.  An
 * image's handle is closed.  A live guest's pause, if it holds one, is
 * released now (the guest runs before the command ends); the rest of
 * its handle is left to the process's exit: a PV dom0 removes the
 * foreign mappings of the window then with the page tables unpinned,
 * where guest_close's munmaps update pinned ones through the hypervisor
 * (0.15-0.8 s for a 128 MiB guest mapped whole, in the test bed).
 */
void	cli_close(struct guest *g);
/* Whether target names a live domain by the rule above. */
bool	cli_target_is_live(const char *target);

/*
 * The Linux kernel in a target, for the Linux subcommands (ps, lsmod,
 * maps, dmesg, uname) and --pid: the options they share
 *	--system-map FILE	the kernel's System.map (symbols)
 *	--vmlinux FILE		the kernel's vmlinux (symbols and BTF)
 *	--no-cache		neither read nor write the profile cache
 */
struct cli_linux {
	const char	*cl_system_map;
	const char	*cl_vmlinux;
	bool		cl_no_cache;
};

#define	CLI_LINUX_OPT_SYSTEM_MAP	0x110
#define	CLI_LINUX_OPT_VMLINUX		0x111
#define	CLI_LINUX_OPT_NO_CACHE		0x112
#define	CLI_LINUX_LONGOPTS						\
	{ "system-map", required_argument, NULL, CLI_LINUX_OPT_SYSTEM_MAP }, \
	{ "vmlinux", required_argument, NULL, CLI_LINUX_OPT_VMLINUX },	\
	{ "no-cache", no_argument, NULL, CLI_LINUX_OPT_NO_CACHE }

void	cli_linux_init(struct cli_linux *cl);
/* Take option c if it is one of the above: 1 taken, 0 not ours. */
int	cli_linux_option(struct cli_linux *cl, int c, const char *arg);
/*
 * The Linux kernel in g (target names it in messages): NULL when there
 * is none or it cannot be read (said, with what to try).
 */
struct linux_kernel *cli_linux_open(struct guest *g, const char *target,
	    const struct cli_linux *cl);
/* cli_open and cli_linux_open in one: NULL (said) or both. */
struct guest *cli_linux_target(const char *target,
	    const struct cli_linux *cl, struct linux_kernel **lkp);
void	cli_linux_close(struct guest *g, struct linux_kernel *lk);
/*
 * A Linux view failed with errno e while doing what ("listing the
 * processes"): the sentence, with what to try; returns EXIT_FAIL.
 */
int	cli_linux_error(const char *target, const char *what, int e);
/*
 * The list subcommands' --json: cli_linux_json_begin opens
 * {"target": T, "release": R, "KEY": [ ; cli_linux_list_end ends a list
 * a view walked (failed: its errno, 0 when it ended well): closes the
 * JSON (j not NULL) and, on failure, says what failed, "(stopped after
 * those printed)" when printed > 0.  EXIT_OK or EXIT_FAIL.
 */
struct json;
void	cli_linux_json_begin(struct json *j, const char *target,
	    const struct linux_kernel *lk, const char *key);
int	cli_linux_list_end(struct json *j, const char *target,
	    const char *what, unsigned long printed, int failed);
/*
 * Text from the guest made safe for a terminal: bytes outside printable
 * ASCII, and backslashes, as \xHH (truncated to len); returns buf.
 */
const char *cli_safe_text(const char *s, char *buf, size_t len);

/*
 * The address space an address is in, from the options every
 * address-taking subcommand shares:
 *	--phys		physical addresses
 *	(default)	virtual: vCPU 0's kernel space (its CR3, or the
 *			kernel half of a page-table-isolation pair)
 *	-v, --vcpu N	that vCPU's space instead of vCPU 0's
 *	--cr3 ROOT	the page tables at ROOT, in the paging mode of the
 *			vCPU (or --mode's)
 *	--mode MODE	32, pae, 4level or 5level (with --cr3)
 *	--pid PID	the address space of Linux process PID (with the
 *			Linux options above to find the kernel)
 */
struct cli_space {
	bool		cs_phys;
	bool		cs_have_cr3;
	uint64_t	cs_cr3;
	int		cs_mode;	/* enum guest_paging, -1: unset */
	unsigned	cs_vcpu;
	bool		cs_have_vcpu;
	bool		cs_have_pid;
	unsigned	cs_pid;
	struct cli_linux cs_linux;	/* to find the kernel for --pid */
};

/* The long options above, for a subcommand's getopt_long table. */
#define	CLI_SPACE_OPT_PHYS	0x100
#define	CLI_SPACE_OPT_CR3	0x101
#define	CLI_SPACE_OPT_MODE	0x102
#define	CLI_SPACE_OPT_VCPU	'v'
#define	CLI_SPACE_OPT_PID	0x103
#define	CLI_SPACE_LONGOPTS						\
	{ "phys", no_argument, NULL, CLI_SPACE_OPT_PHYS },		\
	{ "cr3", required_argument, NULL, CLI_SPACE_OPT_CR3 },		\
	{ "mode", required_argument, NULL, CLI_SPACE_OPT_MODE },	\
	{ "vcpu", required_argument, NULL, CLI_SPACE_OPT_VCPU },	\
	{ "pid", required_argument, NULL, CLI_SPACE_OPT_PID },		\
	CLI_LINUX_LONGOPTS

void	cli_space_init(struct cli_space *cs);
/*
 * getopt_long that takes the options above itself: the next option that
 * is not one of them, -1 at the end, or CLI_SPACE_USAGE after a usage
 * error in one of them (said; return EXIT_USAGE).
 */
#define	CLI_SPACE_USAGE	(-2)
struct option;
int	cli_space_getopt(struct cli_space *cs, int argc, char **argv,
	    const char *optstring, const struct option *longopts);
/* Options that do not go together: -1 (said) or 0. */
int	cli_space_check(const struct cli_space *cs);
/*
 * The space the options name, for g: 0 with *sp (unused with --phys)
 * and a phrase for messages in desc ("the kernel space of vCPU 0
 * (4-level, cr3 0x1000)"); -1 when there is none (said, with what to
 * try).
 */
int	cli_space_resolve(struct guest *g, const struct cli_space *cs,
	    struct guest_space *sp, char *desc, size_t desclen);
/* "PML5", "PML4", "PDPT", "PD", "PT" for levels 5 .. 1. */
const char *cli_level_name(unsigned level);
/*
 * The sentence for where a read, write or translation stopped: "at
 * virtual address 0x...: not present (PT entry, level 1)".
 */
const char *cli_fault_text(const struct guest_fault *f, bool virt,
	    char *buf, size_t len);
/* Entry bits as words: "P W U A D NX". */
const char *cli_entry_flags(uint64_t entry, unsigned level, char *buf,
	    size_t len);

/*
 * JSON on stdout, one document per run: objects and arrays nest, commas
 * come by themselves.  64-bit addresses and register values go out as
 * strings "0x..." (JSON numbers lose precision past 2^53); counts and
 * sizes as numbers.  Strings from the guest are escaped byte by byte
 * (controls and bytes >= 0x7f as \u00XX), so the output is always valid.
 */
struct json {
	FILE		*j_f;
	unsigned	j_depth;
	bool		j_first[32];
	bool		j_after_key;
};
void	json_init(struct json *j, FILE *f);
void	json_object_begin(struct json *j);
void	json_object_end(struct json *j);
void	json_array_begin(struct json *j);
void	json_array_end(struct json *j);
void	json_key(struct json *j, const char *key);
void	json_string(struct json *j, const char *s);
void	json_string_n(struct json *j, const void *s, size_t n);
void	json_u64(struct json *j, uint64_t v);
void	json_int(struct json *j, long long v);
void	json_hex(struct json *j, uint64_t v);
void	json_bool(struct json *j, bool v);
void	json_null(struct json *j);
/* key and value in one call. */
void	json_kv_string(struct json *j, const char *key, const char *s);
void	json_kv_u64(struct json *j, const char *key, uint64_t v);
void	json_kv_int(struct json *j, const char *key, long long v);
void	json_kv_hex(struct json *j, const char *key, uint64_t v);
void	json_kv_bool(struct json *j, const char *key, bool v);
/* Close the document: a newline. */
void	json_end(struct json *j);
/*
 * End a document whose last member is an open list that may have broken
 * off: the list closed, "complete" (failed == 0), "error" (strerror of
 * failed) when it broke, the object and the document closed.
 */
void	json_list_end(struct json *j, int failed);
/* A fault as {"address", "physical", "errno", "error", "level", "what"}. */
void	json_fault(struct json *j, const char *key,
	    const struct guest_fault *f);

/*
 * A hexdump, 16 bytes a line, each line headed by its address:
 * "ffffffff81000000  48 89 e5 ...  |H..|".
 */
void	cli_hexdump(FILE *f, uint64_t addr, const unsigned char *p,
	    size_t n);

/*
 * Output files that are complete or absent: written under a temporary
 * name in the same directory (mode 0600: guest memory is sensitive),
 * then fsynced, renamed over the name and the directory fsynced.  An
 * abort (or a signal, through the caller) removes the temporary file.
 */
struct cli_outfile {
	char		*of_path;
	char		*of_tmp;
	int		of_fd;
	bool		of_noreplace;
};
/* 0, or -1 (said).  noreplace: refuse an existing path. */
int	cli_outfile_open(struct cli_outfile *of, const char *path,
	    bool noreplace);
/* Make it durable and give it its name: 0, or -1 (said, file removed). */
int	cli_outfile_commit(struct cli_outfile *of);
/* Remove the temporary file (errno kept). */
void	cli_outfile_abort(struct cli_outfile *of);
/* Write all of buf at off (or at the current offset when off < 0). */
int	cli_write_all(int fd, const void *buf, size_t len, int64_t off);

/*
 * SIGINT, SIGTERM and SIGHUP set cli_interrupted (the signal number)
 * instead of killing the command, for the subcommands that must clean
 * up (dump removes its partial file and resumes the guest).
 */
extern volatile sig_atomic_t cli_interrupted;
void	cli_catch_signals(void);

/*
 * A progress line on stderr when it is a terminal (nothing otherwise):
 * percentage, bytes, rate and time left, redrawn at most 5 times a
 * second; cli_progress_done ends the line.
 */
struct cli_progress {
	bool		p_tty;
	uint64_t	p_total;
	double		p_start;
	double		p_last;
	const char	*p_what;
};
void	cli_progress_start(struct cli_progress *p, const char *what,
	    uint64_t total);
void	cli_progress_update(struct cli_progress *p, uint64_t done);
void	cli_progress_done(struct cli_progress *p);
/* A monotonic clock in seconds. */
double	cli_now(void);

#endif /* PORTHOLE_TOOLS_PORTHOLE_H */
