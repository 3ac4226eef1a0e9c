/*
 * cli_file.c -- output files that are complete or absent.  The bytes go
 * to a temporary file beside the final name (same directory, so the
 * rename cannot cross file systems), created 0600 since guest memory is
 * sensitive; commit fsyncs it, gives it its name (rename, or link when an
 * existing file must not be replaced) and fsyncs the directory.  Until
 * commit the final name is untouched; abort removes the temporary file.
 *
 * Non-goals: pipes and terminals as outputs (a dump seeks; read writes
 * to stdout itself); cleaning up after SIGKILL (nothing can: the
 * temporary name starts with a dot and says what it is, so it is easy to
 * find).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tools/porthole.h"

int
cli_write_all(int fd, const void *buf, size_t len, int64_t off)
{
	const char *p = buf;
	ssize_t n;

	while (len > 0) {
		if (off >= 0)
			n = pwrite(fd, p, len, (off_t)off);
		else
			n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR && cli_interrupted == 0)
				continue;
			return (-1);
		}
		if (n == 0) {
			errno = ENOSPC;
			return (-1);
		}
		p += n;
		len -= (size_t)n;
		if (off >= 0)
			off += n;
	}
	return (0);
}

/* dirname and basename of path, each malloc'ed. */
static int
cli_split(const char *path, char **dirp, char **basep)
{
	char *a = strdup(path), *b = strdup(path);

	*dirp = *basep = NULL;
	if (a == NULL || b == NULL) {
		free(a);
		free(b);
		return (-1);
	}
	*dirp = strdup(dirname(a));
	*basep = strdup(basename(b));
	free(a);
	free(b);
	if (*dirp == NULL || *basep == NULL) {
		free(*dirp);
		free(*basep);
		return (-1);
	}
	return (0);
}

int
cli_outfile_open(struct cli_outfile *of, const char *path, bool noreplace)
{
	char *dir, *base;
	struct stat st;
	size_t n;
	int e;

	memset(of, 0, sizeof (of[0]));
	of->of_fd = -1;
	of->of_noreplace = noreplace;
	if (*path == '\0') {
		(void) cli_error("no output file named");
		return (-1);
	}
	if (stat(path, &st) == 0) {
		if (noreplace) {
			(void) cli_error("%s already exists; give --force to "
			    "replace it, or another name", path);
			return (-1);
		}
		if (!S_ISREG(st.st_mode)) {
			(void) cli_error("%s exists and is not a regular "
			    "file; give a file name", path);
			return (-1);
		}
	}
	if (cli_split(path, &dir, &base) != 0) {
		(void) cli_error("out of memory");
		return (-1);
	}
	n = strlen(dir) + strlen(base) + sizeof ("/..porthole-XXXXXX");
	of->of_path = strdup(path);
	of->of_tmp = malloc(n);
	if (of->of_path == NULL || of->of_tmp == NULL) {
		free(dir);
		free(base);
		cli_outfile_abort(of);
		(void) cli_error("out of memory");
		return (-1);
	}
	(void) snprintf(of->of_tmp, n, "%s/.%s.porthole-XXXXXX", dir, base);
	free(dir);
	free(base);
	if ((of->of_fd = mkostemp(of->of_tmp, O_CLOEXEC)) < 0) {
		e = errno;
		(void) cli_error("cannot create a file beside %s: %s%s", path,
		    strerror(e), e == EACCES || e == EPERM || e == EROFS ?
		    "; pick a directory you may write to" : e == ENOENT ?
		    "; its directory does not exist" : "");
		free(of->of_tmp);
		of->of_tmp = NULL;
		cli_outfile_abort(of);
		errno = e;
		return (-1);
	}
	return (0);
}

int
cli_outfile_commit(struct cli_outfile *of)
{
	char *dir, *base;
	int e, dfd;

	if (fsync(of->of_fd) != 0 || close(of->of_fd) != 0) {
		e = errno;
		of->of_fd = -1;
		(void) cli_error("writing %s: %s", of->of_path, strerror(e));
		cli_outfile_abort(of);
		errno = e;
		return (-1);
	}
	of->of_fd = -1;
	if (of->of_noreplace) {
		/* link() refuses an existing name, which rename would not. */
		if (link(of->of_tmp, of->of_path) != 0) {
			e = errno;
			(void) cli_error("%s: %s", of->of_path, e == EEXIST ?
			    "appeared meanwhile (not replaced); give --force "
			    "to replace it" : strerror(e));
			cli_outfile_abort(of);
			errno = e;
			return (-1);
		}
		(void) unlink(of->of_tmp);
	} else if (rename(of->of_tmp, of->of_path) != 0) {
		e = errno;
		(void) cli_error("naming %s: %s", of->of_path, strerror(e));
		cli_outfile_abort(of);
		errno = e;
		return (-1);
	}
	free(of->of_tmp);
	of->of_tmp = NULL;
	/* The name itself must survive a crash: sync the directory. */
	if (cli_split(of->of_path, &dir, &base) == 0) {
		if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
			(void) fsync(dfd);
			(void) close(dfd);
		}
		free(dir);
		free(base);
	}
	free(of->of_path);
	of->of_path = NULL;
	return (0);
}

void
cli_outfile_abort(struct cli_outfile *of)
{
	int e = errno;

	if (of->of_fd >= 0)
		(void) close(of->of_fd);
	of->of_fd = -1;
	if (of->of_tmp != NULL)
		(void) unlink(of->of_tmp);
	free(of->of_tmp);
	free(of->of_path);
	of->of_tmp = NULL;
	of->of_path = NULL;
	errno = e;
}
