/*
 * init.c -- /init of the small Linux guests whose memory images porthole's
 * guest/ layer is tested against (tests/images/mkimages.sh boots them
 * under QEMU and dumps them).
 *
 * One static binary plays every role; the role is its argv[0], as each
 * process is started by executing /init again under a new name:
 *
 *	/init (pid 1)	mounts proc, sys and devtmpfs, sets kptr_restrict=0,
 *			keeps pages where they are (no THP, no compaction of
 *			locked pages), loads the modules in /modules, starts
 *			the processes below, waits until each says it is
 *			ready, writes a marker line to the kernel log, has
 *			ph-reporter print the report, then prints READY and
 *			sleeps forever, reaping children
 *	ph-sleeper	only sleeps
 *	ph-marker	three threads; fills MARKER_ANON_PAGES anonymous pages
 *			and one page of .data with a known pattern, locks
 *			them, and says where they are (virtual and physical)
 *	ph-parent	starts ph-child, so that process has a parent that
 *			is neither 0 nor 1
 *	ph-child	only sleeps
 *	ph-user		drops to uid/gid PH_USER_ID, then sleeps
 *	ph-reporter	prints the report (below) and exits; it leaves
 *			itself out of the process list, as it is gone by the
 *			time the host dumps the guest
 *
 * Each role sets its name with prctl(PR_SET_NAME) and has distinct
 * arguments, so comm and the command line are both known.
 *
 * The report goes to the second serial port (/dev/ttyS1), away from the
 * kernel's console on ttyS0, one "key value..." line each, between
 * "PH-REPORT-BEGIN" and "PH-REPORT-END <lines>"; init then prints
 * "READY".  tests/images/mkimage.py turns it into the manifest and
 * README.md documents every key.  Values with spaces or control bytes
 * (comm, command lines) escape them as \xHH.
 *
 * A marker page holds its text TEXT = "PORTHOLE-MARKER-<pid>-<n>" as the
 * unit "TEXT|" repeated over the whole page (the page is a pure function
 * of the text, so the host can rebuild and compare it).
 *
 * Errors: a step that fails prints "PH-ERROR what: why" on the console
 * and the report; init still reaches READY when it can, and the host
 * decides (mkimage.py refuses a report with errors).
 *
 * Non-goals: portability beyond Linux on x86 (32 and 64 bit); the guest
 * is ours and trusted; no libc beyond what a static glibc gives.
 */
#define	_GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define	PH_PAGE			4096u
#define	MARKER_ANON_PAGES	4u
#define	MARKER_THREADS		3	/* the main thread and two more */
#define	PH_USER_ID		1000u
#define	READY_FD		3	/* children write "ready" lines here */
#define	READY_TIMEOUT_MS	120000
#define	REPORT_TTY		"/dev/ttyS1"
#define	MODULE_DIR		"/modules"
#define	MAX_PIDS		4096
#define	LINE_MAX_LEN		4096

#define	PAGEMAP_PRESENT		(1ULL << 63)
#define	PAGEMAP_PFN_MASK	((1ULL << 55) - 1)

/* The roles init starts, in order; each reports "ready ROLE PID" once. */
static const char *const child_roles[] = {
	"ph-sleeper", "ph-marker", "ph-parent", "ph-user"
};
/* ph-parent starts ph-child, which reports too. */
#define	READY_EXPECTED	(sizeof (child_roles) / sizeof (child_roles[0]) + 1)

/* The .data marker page: initialised, so it is file-backed .data. */
static unsigned char marker_data_page[PH_PAGE]
    __attribute__((aligned(PH_PAGE))) = { 1 };

/* ---- small helpers -------------------------------------------------- */

static void
console_error(const char *what, int err)
{
	fprintf(stderr, "PH-ERROR %s: %s\n", what, strerror(err));
}

static void __attribute__((noreturn))
sleep_forever(void)
{
	for (;;)
		pause();
}

/* Name the calling thread (its comm) and, for a leader, the process. */
static void
set_name(const char *name)
{
	(void) prctl(PR_SET_NAME, (unsigned long)name, 0, 0, 0);
}

/* Write a whole string to fd; errno on failure. */
static int
write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return (errno);
		}
		buf += n;
		len -= (size_t)n;
	}
	return (0);
}

/* Tell init something on the ready pipe (one line, atomic: < PIPE_BUF). */
static void
tell_init(const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof (line), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof (line))
		return;
	(void) write_all(READY_FD, line, (size_t)n);
}

/*
 * Read a small file into buf (NUL-terminated); the length read, or -1
 * with errno.
 */
static ssize_t
read_file(const char *path, char *buf, size_t size)
{
	size_t done = 0;
	int fd;

	if (size == 0) {
		errno = EINVAL;
		return (-1);
	}
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return (-1);
	while (done < size - 1) {
		ssize_t n = read(fd, buf + done, size - 1 - done);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			int err = errno;
			(void) close(fd);
			errno = err;
			return (-1);
		}
		if (n == 0)
			break;
		done += (size_t)n;
	}
	buf[done] = '\0';
	(void) close(fd);
	return ((ssize_t)done);
}

static int
write_file(const char *path, const char *text)
{
	int fd, err;

	if ((fd = open(path, O_WRONLY | O_CLOEXEC)) < 0)
		return (errno);
	err = write_all(fd, text, strlen(text));
	(void) close(fd);
	return (err);
}

/* Start /init again as role, with the extra argument arg (may be NULL). */
static pid_t
spawn_role(const char *role, const char *arg)
{
	char *argv[4];
	pid_t pid;

	argv[0] = (char *)role;
	argv[1] = (char *)"--porthole-role";
	argv[2] = (char *)arg;
	argv[3] = NULL;
	if ((pid = fork()) < 0) {
		console_error(role, errno);
		return (-1);
	}
	if (pid == 0) {
		execv("/init", argv);
		console_error("execv /init", errno);
		_exit(127);
	}
	return (pid);
}

/* ---- the roles that only sleep -------------------------------------- */

static int
role_sleeper(const char *role)
{
	set_name(role);
	tell_init("ready %s %d\n", role, (int)getpid());
	sleep_forever();
}

static int
role_parent(void)
{
	set_name("ph-parent");
	if (spawn_role("ph-child", "grandchild-of-init") < 0)
		return (1);
	tell_init("ready ph-parent %d\n", (int)getpid());
	sleep_forever();
}

static int
role_user(void)
{
	set_name("ph-user");
	if (setgid(PH_USER_ID) != 0 || setuid(PH_USER_ID) != 0) {
		console_error("ph-user: setuid", errno);
		return (1);
	}
	tell_init("ready ph-user %d\n", (int)getpid());
	sleep_forever();
}

/* ---- ph-marker ------------------------------------------------------ */

static pthread_barrier_t marker_barrier;

static void *
marker_thread(void *arg)
{
	char name[16];

	(void) snprintf(name, sizeof (name), "ph-marker-t%d",
	    (int)(intptr_t)arg);
	set_name(name);
	(void) pthread_barrier_wait(&marker_barrier);
	sleep_forever();
	return (NULL);
}

static void
fill_page(unsigned char *page, const char *text)
{
	size_t len = strlen(text), off;

	for (off = 0; off < PH_PAGE; off++)
		page[off] = off % (len + 1) == len ? '|' :
		    (unsigned char)text[off % (len + 1)];
}

/* The physical address of the page at va: 0 with *pa, or an errno. */
static int
virt_to_phys(int pagemap, uintptr_t va, uint64_t *pa)
{
	uint64_t entry;
	off_t off = (off_t)(va / PH_PAGE) * (off_t)sizeof (entry);

	if (pread(pagemap, &entry, sizeof (entry), off) !=
	    (ssize_t)sizeof (entry))
		return (errno != 0 ? errno : EIO);
	if ((entry & PAGEMAP_PRESENT) == 0 || (entry & PAGEMAP_PFN_MASK) == 0)
		return (ENXIO);
	*pa = (entry & PAGEMAP_PFN_MASK) * PH_PAGE;
	return (0);
}

/* Fill, lock and report one marker page. */
static int
marker_page(int pagemap, unsigned char *page, unsigned n, const char *kind)
{
	char text[64];
	uint64_t pa;
	int err;

	(void) snprintf(text, sizeof (text), "PORTHOLE-MARKER-%d-%u",
	    (int)getpid(), n);
	fill_page(page, text);
	if (mlock(page, PH_PAGE) != 0) {
		console_error("ph-marker: mlock", errno);
		return (errno);
	}
	if ((err = virt_to_phys(pagemap, (uintptr_t)page, &pa)) != 0) {
		console_error("ph-marker: /proc/self/pagemap", err);
		return (err);
	}
	tell_init("marker %d 0x%llx 0x%llx %s %s\n", (int)getpid(),
	    (unsigned long long)(uintptr_t)page, (unsigned long long)pa,
	    text, kind);
	return (0);
}

static int
role_marker(void)
{
	pthread_t threads[MARKER_THREADS - 1];
	unsigned char *anon;
	unsigned i;
	int pagemap;

	set_name("ph-marker");
	if (sysconf(_SC_PAGESIZE) != PH_PAGE) {
		console_error("ph-marker: page size", EINVAL);
		return (1);
	}
	anon = mmap(NULL, MARKER_ANON_PAGES * PH_PAGE, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (anon == MAP_FAILED) {
		console_error("ph-marker: mmap", errno);
		return (1);
	}
	/* Small pages that stay where they are (init also turned THP off). */
	(void) madvise(anon, MARKER_ANON_PAGES * PH_PAGE, MADV_NOHUGEPAGE);
	if ((pagemap = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC)) < 0) {
		console_error("ph-marker: /proc/self/pagemap", errno);
		return (1);
	}
	for (i = 0; i < MARKER_ANON_PAGES; i++) {
		if (marker_page(pagemap, anon + i * PH_PAGE, i, "anon") != 0)
			return (1);
	}
	if (marker_page(pagemap, marker_data_page, MARKER_ANON_PAGES,
	    "data") != 0)
		return (1);
	(void) close(pagemap);

	if (pthread_barrier_init(&marker_barrier, NULL, MARKER_THREADS) != 0)
		return (1);
	for (i = 0; i < MARKER_THREADS - 1; i++) {
		int err = pthread_create(&threads[i], NULL, marker_thread,
		    (void *)(intptr_t)(i + 1));

		if (err != 0) {
			console_error("ph-marker: pthread_create", err);
			return (1);
		}
	}
	(void) pthread_barrier_wait(&marker_barrier);
	tell_init("ready ph-marker %d\n", (int)getpid());
	sleep_forever();
}

/* ---- ph-reporter ---------------------------------------------------- */

/* The report is built in memory, then written out with its line count. */
static FILE *report;

static void
put(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	(void) vfprintf(report, fmt, ap);
	va_end(ap);
}

/* Bytes of s as one field: space and anything unprintable as \xHH. */
static void
put_escaped(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c <= ' ' || c >= 0x7f || c == '\\')
			put("\\x%02x", c);
		else
			put("%c", c);
	}
}

static void
report_error(const char *what, int err)
{
	put("error %s: %s\n", what, strerror(err));
}

static void
report_kernel(void)
{
	static char buf[LINE_MAX_LEN];
	struct utsname u;
	char *nl;

	if (uname(&u) == 0) {
		put("release %s\n", u.release);
		put("machine %s\n", u.machine);
	} else {
		report_error("uname", errno);
	}
	if (read_file("/proc/version", buf, sizeof (buf)) > 0) {
		if ((nl = strchr(buf, '\n')) != NULL)
			*nl = '\0';
		put("banner %s\n", buf);
	} else {
		report_error("/proc/version", errno);
	}
	if (read_file("/proc/cmdline", buf, sizeof (buf)) > 0) {
		if ((nl = strchr(buf, '\n')) != NULL)
			*nl = '\0';
		put("kernel_cmdline %s\n", buf);
	}
	put("cpus %ld\n", sysconf(_SC_NPROCESSORS_ONLN));
	put("vmcoreinfo_fw_cfg %s\n",
	    access("/sys/firmware/qemu_fw_cfg/by_name/etc/vmcoreinfo/raw",
	    F_OK) == 0 ? "yes" : "no");
}

/* Does /proc/cpuinfo list flag for the first CPU? */
static bool
cpu_has_flag(const char *flag)
{
	char line[LINE_MAX_LEN];
	bool found = false;
	FILE *f;

	if ((f = fopen("/proc/cpuinfo", "re")) == NULL)
		return (false);
	while (fgets(line, sizeof (line), f) != NULL) {
		char *tok, *save;

		if (strncmp(line, "flags", 5) != 0)
			continue;
		if ((tok = strchr(line, ':')) == NULL)
			break;
		for (tok = strtok_r(tok + 1, " \t\n", &save); tok != NULL;
		    tok = strtok_r(NULL, " \t\n", &save)) {
			if (strcmp(tok, flag) == 0)
				found = true;
		}
		break;
	}
	(void) fclose(f);
	return (found);
}

/*
 * The paging mode, from what user space can see.  64-bit: a mapping hint
 * above 2^47 is honoured only under 5-level paging (the kernel gives
 * user space 56 address bits then), and the la57 flag stays in cpuinfo
 * only when the kernel uses it.  32-bit: the 686-pae kernel always runs
 * PAE; cpuinfo's pae flag and the NX line of the log say the CPU does.
 */
static void
report_paging(void)
{
#if defined(__x86_64__)
	void *hint = (void *)(1UL << 52), *p;
	bool high, la57 = cpu_has_flag("la57");

	p = mmap(hint, PH_PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1,
	    0);
	high = p != MAP_FAILED && (uintptr_t)p >= (1UL << 47);
	if (p != MAP_FAILED)
		(void) munmap(p, PH_PAGE);
	put("paging %s\n", high ? "5-level" : "4-level");
	put("paging_evidence cpuinfo-la57=%d user-va-above-2^47=%d\n",
	    la57, high);
#elif defined(__i386__)
	struct utsname u;
	bool pae = cpu_has_flag("pae");
	bool pae_kernel = uname(&u) == 0 && strstr(u.release, "-pae") != NULL;

	put("paging %s\n", pae && pae_kernel ? "PAE" : "32-bit");
	put("paging_evidence cpuinfo-pae=%d kernel-686-pae=%d cpuinfo-nx=%d\n",
	    pae, pae_kernel, cpu_has_flag("nx"));
#else
#error "x86 only"
#endif
}

/* A few kernel symbols from /proc/kallsyms (kptr_restrict is 0). */
static void
report_symbols(void)
{
	static const char *const names[] = {
		"_text", "_stext", "linux_banner", "init_task",
		"swapper_pg_dir", "init_top_pgt", "vmcoreinfo_note",
		"page_offset_base", "vmemmap_base", "_end"
	};
	char line[512];
	FILE *f;
	size_t i;

	if ((f = fopen("/proc/kallsyms", "re")) == NULL) {
		report_error("/proc/kallsyms", errno);
		return;
	}
	while (fgets(line, sizeof (line), f) != NULL) {
		unsigned long long addr;
		char type, name[256];

		if (sscanf(line, "%llx %c %255s", &addr, &type, name) != 3 ||
		    strchr(line, '[') != NULL)
			continue;
		for (i = 0; i < sizeof (names) / sizeof (names[0]); i++) {
			if (strcmp(name, names[i]) != 0)
				continue;
			put("symbol %s 0x%llx\n", name, addr);
			if (strcmp(name, "_text") == 0)
				put("kaslr_text 0x%llx\n", addr);
		}
	}
	(void) fclose(f);
}

/* Top-level "System RAM" ranges of /proc/iomem, end exclusive. */
static void
report_ram(void)
{
	char line[256];
	FILE *f;

	if ((f = fopen("/proc/iomem", "re")) == NULL) {
		report_error("/proc/iomem", errno);
		return;
	}
	while (fgets(line, sizeof (line), f) != NULL) {
		unsigned long long start, end;

		if (line[0] == ' ' || strstr(line, ": System RAM") == NULL)
			continue;
		if (sscanf(line, "%llx-%llx", &start, &end) == 2)
			put("ram 0x%llx 0x%llx\n", start, end + 1);
	}
	(void) fclose(f);
}

static int
compare_pids(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x < y ? -1 : x > y);
}

/* The numeric entries of dir (sorted), at most max; the count. */
static size_t
list_pids(const char *dir, int *pids, size_t max)
{
	struct dirent *de;
	size_t n = 0;
	DIR *d;

	if ((d = opendir(dir)) == NULL)
		return (0);
	while ((de = readdir(d)) != NULL && n < max) {
		char *end;
		long v = strtol(de->d_name, &end, 10);

		if (*end == '\0' && v > 0 && v <= INT32_MAX)
			pids[n++] = (int)v;
	}
	(void) closedir(d);
	qsort(pids, n, sizeof (int), compare_pids);
	return (n);
}

/* A "Name:\tvalue" field of /proc/PID/status as a number (first value). */
static long
status_field(const char *status, const char *key)
{
	const char *p = strstr(status, key);

	if (p == NULL)
		return (-1);
	p += strlen(key);
	while (*p == ' ' || *p == '\t')
		p++;
	return (strtol(p, NULL, 10));
}

/*
 * One process:
 *	process PID PPID UID THREADS STATE COMM CMDLINE
 * and, for user processes with more than one thread, a line per thread:
 *	thread PID TID COMM
 */
static void
report_process(int pid)
{
	static char stat[LINE_MAX_LEN], status[LINE_MAX_LEN];
	static char cmdline[LINE_MAX_LEN];
	char path[64], comm[64], state;
	const char *open_paren, *close_paren;
	ssize_t clen, i;
	long threads, uid;
	int ppid;

	(void) snprintf(path, sizeof (path), "/proc/%d/stat", pid);
	if (read_file(path, stat, sizeof (stat)) <= 0)
		return;			/* gone meanwhile: a kernel worker */
	open_paren = strchr(stat, '(');
	close_paren = strrchr(stat, ')');
	if (open_paren == NULL || close_paren == NULL ||
	    close_paren < open_paren ||
	    (size_t)(close_paren - open_paren - 1) >= sizeof (comm) ||
	    sscanf(close_paren + 1, " %c %d", &state, &ppid) != 2) {
		report_error(path, EINVAL);
		return;
	}
	(void) memcpy(comm, open_paren + 1,
	    (size_t)(close_paren - open_paren - 1));
	comm[close_paren - open_paren - 1] = '\0';

	(void) snprintf(path, sizeof (path), "/proc/%d/status", pid);
	if (read_file(path, status, sizeof (status)) <= 0)
		return;
	threads = status_field(status, "\nThreads:");
	uid = status_field(status, "\nUid:");

	(void) snprintf(path, sizeof (path), "/proc/%d/cmdline", pid);
	clen = read_file(path, cmdline, sizeof (cmdline));
	if (clen < 0)
		clen = 0;
	while (clen > 0 && cmdline[clen - 1] == '\0')
		clen--;

	put("process %d %d %ld %ld %c ", pid, ppid, uid, threads, state);
	put_escaped(comm, strlen(comm));
	put(" ");
	/* Arguments joined by one space; bytes inside them escaped. */
	for (i = 0; i < clen; ) {
		size_t alen = strnlen(cmdline + i, (size_t)(clen - i));

		if (i > 0)
			put(" ");
		put_escaped(cmdline + i, alen);
		i += (ssize_t)alen + 1;
	}
	put("\n");

	if (clen > 0 && threads > 1) {
		int tids[64];
		size_t n, t;

		(void) snprintf(path, sizeof (path), "/proc/%d/task", pid);
		n = list_pids(path, tids, sizeof (tids) / sizeof (tids[0]));
		for (t = 0; t < n; t++) {
			(void) snprintf(path, sizeof (path),
			    "/proc/%d/task/%d/comm", pid, tids[t]);
			if (read_file(path, comm, sizeof (comm)) <= 0)
				continue;
			comm[strcspn(comm, "\n")] = '\0';
			put("thread %d %d ", pid, tids[t]);
			put_escaped(comm, strlen(comm));
			put("\n");
		}
	}
}

static void
report_processes(void)
{
	static int pids[MAX_PIDS];
	size_t n, i;

	n = list_pids("/proc", pids, MAX_PIDS);
	for (i = 0; i < n; i++) {
		if (pids[i] != (int)getpid())
			report_process(pids[i]);
	}
}

/* module NAME SIZE ADDR, from /proc/modules. */
static void
report_modules(void)
{
	char line[512];
	FILE *f;

	if ((f = fopen("/proc/modules", "re")) == NULL) {
		report_error("/proc/modules", errno);
		return;
	}
	while (fgets(line, sizeof (line), f) != NULL) {
		char name[128], refs[128], deps[256], state[32];
		unsigned long long size, addr;

		if (sscanf(line, "%127s %llu %127s %255s %31s %llx", name,
		    &size, refs, deps, state, &addr) == 6)
			put("module %s %llu 0x%llx\n", name, size, addr);
	}
	(void) fclose(f);
}

/* map PID START END PERMS OFFSET PATH, from /proc/PID/maps. */
static void
report_maps(int pid)
{
	char path[64], line[LINE_MAX_LEN];
	FILE *f;

	(void) snprintf(path, sizeof (path), "/proc/%d/maps", pid);
	if ((f = fopen(path, "re")) == NULL) {
		report_error(path, errno);
		return;
	}
	while (fgets(line, sizeof (line), f) != NULL) {
		unsigned long long start, end, off;
		char perms[8], dev[16];
		unsigned long inode;
		int used = 0;
		const char *file;

		if (sscanf(line, "%llx-%llx %7s %llx %15s %lu %n", &start,
		    &end, perms, &off, dev, &inode, &used) < 6)
			continue;
		file = used > 0 ? line + used : "";
		put("map %d 0x%llx 0x%llx %s 0x%llx%s%.*s\n", pid, start, end,
		    perms, off, *file != '\n' && *file != '\0' ? " " : "",
		    (int)strcspn(file, "\n"), file);
	}
	(void) fclose(f);
}

/*
 * Lines of the kernel log that show how the kernel runs: NX, page-table
 * isolation, 5-level paging, KASLR.  "kmsg TEXT" each; pti enabled|off.
 */
static void
report_kernel_log(void)
{
	static const char *const wanted[] = {
		"NX (Execute Disable)", "page tables isolation",
		"5-level", "la57", "KASLR", "porthole-dmesg-marker-"
	};
	char *buf, *line, *save;
	bool pti = false;
	int size, n;
	size_t i;

	size = klogctl(10, NULL, 0);	/* SYSLOG_ACTION_SIZE_BUFFER */
	if (size <= 0 || (buf = malloc((size_t)size + 1)) == NULL) {
		report_error("klogctl", errno);
		return;
	}
	n = klogctl(3, buf, size);	/* SYSLOG_ACTION_READ_ALL */
	if (n < 0) {
		report_error("klogctl", errno);
		free(buf);
		return;
	}
	buf[n] = '\0';
	for (line = strtok_r(buf, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		for (i = 0; i < sizeof (wanted) / sizeof (wanted[0]); i++) {
			if (strstr(line, wanted[i]) == NULL)
				continue;
			put("kmsg %s\n", line);
			if (strstr(line, "page tables isolation: enabled"))
				pti = true;
			break;
		}
	}
	put("pti %s\n", pti ? "enabled" : "off");
	free(buf);
}

/*
 * ph-reporter: the report, from the marker lines and the state init
 * passes in the environment, then exit.  Init waits for it.
 */
static int
role_reporter(void)
{
	const char *markers = getenv("PH_MARKERS");
	const char *dmesg = getenv("PH_DMESG_MARKER");
	const char *loads = getenv("PH_MODULE_LOADS");
	const char *marker_pid = getenv("PH_MARKER_PID");
	const char *errors = getenv("PH_ERRORS");
	struct termios tio;
	char *text = NULL, tail[48];
	size_t len = 0, i;
	unsigned lines = 0;
	int fd, err;

	set_name("ph-reporter");
	if ((report = open_memstream(&text, &len)) == NULL) {
		console_error("open_memstream", errno);
		return (1);
	}
	report_kernel();
	report_paging();
	report_symbols();
	report_ram();
	report_processes();
	report_modules();
	if (loads != NULL && *loads != '\0')
		put("%s", loads);
	if (marker_pid != NULL)
		report_maps(atoi(marker_pid));
	if (markers != NULL)
		put("%s", markers);
	if (dmesg != NULL)
		put("dmesg %s\n", dmesg);
	report_kernel_log();
	if (errors != NULL && *errors != '\0')
		put("%s", errors);
	if (fclose(report) != 0) {
		console_error("report", errno);
		return (1);
	}
	for (i = 0; i < len; i++)
		lines += text[i] == '\n';

	if ((fd = open(REPORT_TTY, O_WRONLY | O_NOCTTY | O_CLOEXEC)) < 0) {
		console_error(REPORT_TTY, errno);
		return (1);
	}
	if (tcgetattr(fd, &tio) == 0) {
		cfmakeraw(&tio);
		(void) tcsetattr(fd, TCSANOW, &tio);
	}
	(void) snprintf(tail, sizeof (tail), "PH-REPORT-END %u\n", lines);
	if ((err = write_all(fd, "PH-REPORT-BEGIN\n", 16)) != 0 ||
	    (err = write_all(fd, text, len)) != 0 ||
	    (err = write_all(fd, tail, strlen(tail))) != 0)
		console_error(REPORT_TTY, err);
	free(text);
	(void) close(fd);
	return (err == 0 ? 0 : 1);
}

/* ---- init ----------------------------------------------------------- */

/* Text init collects for the reporter; each piece is whole lines. */
struct collect {
	char	c_buf[8192];
	size_t	c_len;
};

static void
collect_add(struct collect *c, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(c->c_buf + c->c_len, sizeof (c->c_buf) - c->c_len, fmt,
	    ap);
	va_end(ap);
	if (n > 0 && (size_t)n < sizeof (c->c_buf) - c->c_len)
		c->c_len += (size_t)n;
}

static struct collect init_errors;

static void
init_error(const char *what, int err)
{
	console_error(what, err);
	collect_add(&init_errors, "error %s: %s\n", what, strerror(err));
}

static void
init_mounts(void)
{
	int fd;

	(void) mkdir("/dev", 0755);
	(void) mkdir("/proc", 0555);
	(void) mkdir("/sys", 0555);
	if (mount("devtmpfs", "/dev", "devtmpfs", 0, NULL) != 0 &&
	    errno != EBUSY)
		init_error("mount /dev", errno);
	if ((fd = open("/dev/console", O_RDWR | O_NOCTTY)) >= 0) {
		(void) dup2(fd, 0);
		(void) dup2(fd, 1);
		(void) dup2(fd, 2);
		if (fd > 2)
			(void) close(fd);
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (mount("proc", "/proc", "proc", 0, NULL) != 0)
		init_error("mount /proc", errno);
	if (mount("sysfs", "/sys", "sysfs", 0, NULL) != 0)
		init_error("mount /sys", errno);
}

/*
 * Settings that make the report true at dump time: kernel pointers
 * visible, marker pages neither merged, collapsed into huge pages nor
 * moved by compaction.
 */
static void
init_settings(void)
{
	static const struct {
		const char	*path;
		const char	*value;
		bool		required;
	} settings[] = {
		{ "/proc/sys/kernel/kptr_restrict", "0", true },
		{ "/proc/sys/kernel/dmesg_restrict", "0", false },
		{ "/proc/sys/vm/compact_unevictable_allowed", "0", false },
		{ "/sys/kernel/mm/transparent_hugepage/enabled", "never",
		    false },
		{ "/sys/kernel/mm/transparent_hugepage/defrag", "never",
		    false },
	};
	size_t i;

	for (i = 0; i < sizeof (settings) / sizeof (settings[0]); i++) {
		int err = write_file(settings[i].path, settings[i].value);

		if (err != 0 && settings[i].required)
			init_error(settings[i].path, err);
	}
}

/* Load every module in MODULE_DIR (none of them has dependencies). */
static void
init_modules(struct collect *loads)
{
	struct dirent *de;
	DIR *d;

	if ((d = opendir(MODULE_DIR)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		char path[512];
		size_t len = strlen(de->d_name);
		int fd, rc, err = 0;

		if (len < 4 || strcmp(de->d_name + len - 3, ".ko") != 0)
			continue;
		(void) snprintf(path, sizeof (path), "%s/%s", MODULE_DIR,
		    de->d_name);
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
			init_error(path, errno);
			continue;
		}
		rc = (int)syscall(SYS_finit_module, fd, "", 0);
		if (rc != 0)
			err = errno;
		(void) close(fd);
		if (err != 0)
			init_error(path, err);
		collect_add(loads, "module_load %.*s %s\n", (int)(len - 3),
		    de->d_name, err == 0 ? "ok" : strerror(err));
	}
	(void) closedir(d);
}

/*
 * Read "ready" and "marker" lines from the pipe until every role is
 * ready; marker lines go to markers.  The pid of ph-marker, or -1.
 */
static int
init_wait_ready(int rfd, struct collect *markers)
{
	char buf[4096], *line, *nl;
	size_t have = 0, ready = 0;
	int marker_pid = -1;
	struct pollfd pfd = { .fd = rfd, .events = POLLIN };

	while (ready < READY_EXPECTED) {
		ssize_t n;

		if (poll(&pfd, 1, READY_TIMEOUT_MS) <= 0) {
			init_error("waiting for the roles to be ready",
			    ETIMEDOUT);
			return (marker_pid);
		}
		n = read(rfd, buf + have, sizeof (buf) - 1 - have);
		if (n <= 0) {
			init_error("ready pipe", n == 0 ? EPIPE : errno);
			return (marker_pid);
		}
		have += (size_t)n;
		buf[have] = '\0';
		line = buf;
		while ((nl = strchr(line, '\n')) != NULL) {
			char role[32];
			int pid;

			*nl = '\0';
			if (strncmp(line, "marker ", 7) == 0) {
				collect_add(markers, "%s\n", line);
			} else if (sscanf(line, "ready %31s %d", role,
			    &pid) == 2) {
				ready++;
				if (strcmp(role, "ph-marker") == 0)
					marker_pid = pid;
			}
			line = nl + 1;
		}
		have = strlen(line);
		(void) memmove(buf, line, have + 1);
	}
	return (marker_pid);
}

/* porthole-dmesg-marker-<16 hex digits> to the kernel log. */
static void
init_dmesg_marker(char *text, size_t len)
{
	unsigned char raw[8];
	char line[96];
	size_t i, off;
	int err;

	if (getrandom(raw, sizeof (raw), GRND_INSECURE) !=
	    (ssize_t)sizeof (raw)) {
		uint64_t v = (uint64_t)time(NULL) * 2654435761u;

		for (i = 0; i < sizeof (raw); i++)
			raw[i] = (unsigned char)(v >> (8 * i));
	}
	off = (size_t)snprintf(text, len, "porthole-dmesg-marker-");
	for (i = 0; i < sizeof (raw) && off + 2 < len; i++, off += 2)
		(void) snprintf(text + off, len - off, "%02x", raw[i]);
	(void) snprintf(line, sizeof (line), "%s\n", text);
	if ((err = write_file("/dev/kmsg", line)) != 0)
		init_error("/dev/kmsg", err);
}

static void
init_run_reporter(const struct collect *markers, const char *dmesg,
    const struct collect *loads, int marker_pid)
{
	char pidbuf[16];
	pid_t pid;
	int status;

	(void) snprintf(pidbuf, sizeof (pidbuf), "%d", marker_pid);
	(void) setenv("PH_MARKERS", markers->c_buf, 1);
	(void) setenv("PH_DMESG_MARKER", dmesg, 1);
	(void) setenv("PH_MODULE_LOADS", loads->c_buf, 1);
	(void) setenv("PH_MARKER_PID", pidbuf, 1);
	(void) setenv("PH_ERRORS", init_errors.c_buf, 1);
	if ((pid = spawn_role("ph-reporter", "report")) < 0)
		return;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
}

static int
role_init(void)
{
	static struct collect markers, loads;
	char dmesg[64];
	int pipefd[2], rfd, marker_pid, fd;
	size_t i;

	set_name("init");
	init_mounts();
	printf("PH-INIT starting\n");
	init_settings();
	init_modules(&loads);

	/*
	 * The ready pipe's write end becomes fd READY_FD in every child;
	 * init reads the other end from above it, out of the way.
	 */
	if (pipe2(pipefd, O_CLOEXEC) != 0 ||
	    (rfd = fcntl(pipefd[0], F_DUPFD_CLOEXEC, READY_FD + 1)) < 0 ||
	    dup2(pipefd[1], READY_FD) < 0 ||
	    fcntl(READY_FD, F_SETFD, 0) != 0) {
		init_error("pipe", errno);
		sleep_forever();
	}
	if (pipefd[0] != READY_FD)
		(void) close(pipefd[0]);
	if (pipefd[1] != READY_FD)
		(void) close(pipefd[1]);
	for (i = 0; i < sizeof (child_roles) / sizeof (child_roles[0]); i++)
		(void) spawn_role(child_roles[i], "sleep-forever");
	marker_pid = init_wait_ready(rfd, &markers);
	(void) close(rfd);

	init_dmesg_marker(dmesg, sizeof (dmesg));
	init_run_reporter(&markers, dmesg, &loads, marker_pid);
	(void) close(READY_FD);

	/* The host dumps the guest from here on; nothing changes. */
	if ((fd = open(REPORT_TTY, O_WRONLY | O_NOCTTY)) >= 0) {
		(void) write_all(fd, "READY\n", 6);
		(void) close(fd);
	}
	printf("PH-INIT READY\n");
	for (;;) {
		if (waitpid(-1, NULL, 0) < 0 && errno == ECHILD)
			pause();
	}
}

int
main(int argc, char **argv)
{
	const char *role = argc > 0 ? strrchr(argv[0], '/') : NULL;

	role = role != NULL ? role + 1 : (argc > 0 ? argv[0] : "");
	if (getpid() == 1)
		return (role_init());
	if (strcmp(role, "ph-sleeper") == 0 || strcmp(role, "ph-child") == 0)
		return (role_sleeper(role));
	if (strcmp(role, "ph-marker") == 0)
		return (role_marker());
	if (strcmp(role, "ph-parent") == 0)
		return (role_parent());
	if (strcmp(role, "ph-user") == 0)
		return (role_user());
	if (strcmp(role, "ph-reporter") == 0)
		return (role_reporter());
	fprintf(stderr, "init: unknown role '%s'\n", role);
	return (2);
}
