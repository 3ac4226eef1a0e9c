/*
 * linux_cache.c -- the on-disk cache of derived Linux profiles (see
 * linux_cache.h for the format and the rules).
 *
 * A file is read whole (at most LCACHE_MAX_FILE bytes), its checksum
 * checked before anything in it is believed, then parsed line by line
 * into a fresh profile; any line that does not parse refuses the file.
 *
 * Non-goals: locking between processes (the rename makes every reader
 * see a whole file, old or new; two writers of one key write the same
 * thing), expiry, and sharing across machines (the format is
 * little-endian-neutral text, but nothing tries).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "guest/linux/linux_cache.h"

#define	LCACHE_MAGIC	"porthole-linux-profile"
#define	LCACHE_MAX_LINE	2048u

static void
lcache_errf(char *errbuf, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
lcache_errf(char *errbuf, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (errbuf == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	(void) vsnprintf(errbuf, errlen, fmt, ap);
	va_end(ap);
}

static uint64_t
lcache_fnv(const unsigned char *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return (h);
}

int
lcache_dir(const char *dir, char *buf, size_t len)
{
	const char *env;
	int n;

	if (dir != NULL && dir[0] != '\0')
		n = snprintf(buf, len, "%s", dir);
	else if ((env = getenv("PORTHOLE_CACHE_DIR")) != NULL &&
	    env[0] != '\0')
		n = snprintf(buf, len, "%s", env);
	else if ((env = getenv("XDG_CACHE_HOME")) != NULL && env[0] == '/')
		n = snprintf(buf, len, "%s/porthole", env);
	else if ((env = getenv("HOME")) != NULL && env[0] == '/')
		n = snprintf(buf, len, "%s/.cache/porthole", env);
	else
		return (ENOENT);
	return (n < 0 || (size_t)n >= len ? ENAMETOOLONG : 0);
}

static bool
lcache_key_ok(const char *key)
{
	size_t i, n = strlen(key);

	if (n == 0 || n >= LCACHE_KEY_MAX)
		return (false);
	for (i = 0; i < n; i++) {
		if (!((key[i] >= 'a' && key[i] <= 'z') ||
		    (key[i] >= '0' && key[i] <= '9') || key[i] == '-'))
			return (false);
	}
	return (true);
}

int
lcache_key_build_id(const char *hex, char *key, size_t len)
{
	size_t i, n = strlen(hex);

	if (n == 0 || n > 128)
		return (EINVAL);
	for (i = 0; i < n; i++) {
		if (!((hex[i] >= '0' && hex[i] <= '9') ||
		    (hex[i] >= 'a' && hex[i] <= 'f')))
			return (EINVAL);
	}
	(void) snprintf(key, len, "build-%s", hex);
	return (0);
}

void
lcache_key_banner(const char *banner, char *key, size_t len)
{
	(void) snprintf(key, len, "banner-%016" PRIx64, lcache_fnv(
	    (const unsigned char *)banner, strlen(banner)));
}

/* The file's path: 0 or EINVAL (a key that could leave dir). */
static int
lcache_path(const char *dir, const char *key, char *path, size_t len)
{
	int n;

	if (!lcache_key_ok(key))
		return (EINVAL);
	n = snprintf(path, len, "%s/linux-%s.profile", dir, key);
	return (n < 0 || (size_t)n >= len ? ENAMETOOLONG : 0);
}

/* mkdir -p, 0700 for what it makes. */
static int
lcache_mkdirs(const char *dir)
{
	char path[4096], *p;
	size_t n = strlen(dir);

	if (n == 0 || n >= sizeof (path))
		return (ENAMETOOLONG);
	memcpy(path, dir, n + 1);
	for (p = path + 1; ; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		{
			char c = *p;

			*p = '\0';
			if (mkdir(path, 0700) != 0 && errno != EEXIST)
				return (errno);
			*p = c;
		}
		if (*p == '\0')
			break;
	}
	return (0);
}

/* A growing text buffer. */
struct lcache_buf {
	char		*b_p;
	size_t		b_len;
	size_t		b_cap;
	bool		b_nomem;
};

static void
lcache_put(struct lcache_buf *b, const void *p, size_t n)
{
	char *np;
	size_t cap;

	if (b->b_nomem)
		return;
	if (b->b_len + n > b->b_cap) {
		cap = b->b_cap == 0 ? 65536 : b->b_cap;
		while (cap < b->b_len + n)
			cap *= 2;
		if ((np = realloc(b->b_p, cap)) == NULL) {
			b->b_nomem = true;
			return;
		}
		b->b_p = np;
		b->b_cap = cap;
	}
	memcpy(b->b_p + b->b_len, p, n);
	b->b_len += n;
}

static void
lcache_printf(struct lcache_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
lcache_printf(struct lcache_buf *b, const char *fmt, ...)
{
	char line[LCACHE_MAX_LINE + 64];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof (line), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof (line)) {
		b->b_nomem = true;	/* never: names are bounded */
		return;
	}
	lcache_put(b, line, (size_t)n);
}

/* A word for the file: printable, no spaces. */
static bool
lcache_word_ok(const char *s)
{
	if (*s == '\0')
		return (false);
	for (; *s != '\0'; s++) {
		if ((unsigned char)*s <= ' ' || (unsigned char)*s > '~')
			return (false);
	}
	return (true);
}

static int
lcache_entry_cb(void *arg, const struct lprof_entry *e)
{
	struct lcache_buf *b = arg;

	if ((e->le_name[0] != '\0' && !lcache_word_ok(e->le_name)) ||
	    (e->le_type[0] != '\0' && !lcache_word_ok(e->le_type)))
		return (0);
	switch (e->le_kind) {
	case LPROF_SYMBOL:
		lcache_printf(b, "S %" PRIx64 " %s\n", e->le_value, e->le_name);
		break;
	case LPROF_NUMBER:
		lcache_printf(b, "N %" PRIx64 " %s\n", e->le_value, e->le_name);
		break;
	case LPROF_MEMBER:
		lcache_printf(b, "M %" PRIx64 " %" PRIx64 " %s %s\n",
		    e->le_value, e->le_size, e->le_type, e->le_name);
		break;
	case LPROF_SIZE:
		lcache_printf(b, "Z %" PRIx64 " %s\n", e->le_value, e->le_type);
		break;
	}
	return (0);
}

int
lcache_store(const char *dir, const struct lcache *c, char *errbuf,
    size_t errlen)
{
	struct lcache_buf b = { NULL, 0, 0, false };
	char path[4096], tmp[4200];
	const char *banner = c->lc_banner != NULL ? c->lc_banner : "";
	int fd = -1, dfd, err;
	size_t done;
	ssize_t n;

	if ((err = lcache_path(dir, c->lc_key, path, sizeof (path))) != 0) {
		lcache_errf(errbuf, errlen, "no cache file name for key \"%s\"",
		    c->lc_key);
		return (err);
	}
	if (strchr(banner, '\n') != NULL || !lcache_word_ok(c->lc_release) ||
	    (c->lc_btf_len > 0 && c->lc_btf == NULL)) {
		lcache_errf(errbuf, errlen, "the profile for %s has a release "
		    "or banner the cache cannot hold", c->lc_key);
		return (EINVAL);
	}
	lcache_printf(&b, "%s %d\nkey %s\nrelease %s\nbanner %s\nptr_size "
	    "%u\n", LCACHE_MAGIC, LCACHE_VERSION, c->lc_key, c->lc_release,
	    banner, c->lc_ptr_size);
	if (c->lc_has_kallsyms)
		lcache_printf(&b, "kallsyms %" PRIx64 "\n", c->lc_kallsyms);
	if (c->lc_prof != NULL) {
		(void) lprof_walk(c->lc_prof, LPROF_SYMBOL, lcache_entry_cb, &b);
		(void) lprof_walk(c->lc_prof, LPROF_NUMBER, lcache_entry_cb, &b);
		(void) lprof_walk(c->lc_prof, LPROF_MEMBER, lcache_entry_cb, &b);
		(void) lprof_walk(c->lc_prof, LPROF_SIZE, lcache_entry_cb, &b);
	}
	if (c->lc_btf_len > 0) {
		lcache_printf(&b, "btf %zu\n", c->lc_btf_len);
		lcache_put(&b, c->lc_btf, c->lc_btf_len);
		lcache_put(&b, "\n", 1);
	}
	if (!b.b_nomem)
		lcache_printf(&b, "end %016" PRIx64 "\n", lcache_fnv(
		    (const unsigned char *)b.b_p, b.b_len));
	if (b.b_nomem) {
		free(b.b_p);
		return (ENOMEM);
	}
	if ((err = lcache_mkdirs(dir)) != 0) {
		lcache_errf(errbuf, errlen, "cannot make the cache directory "
		    "%s: %s", dir, strerror(err));
		free(b.b_p);
		return (err);
	}
	(void) snprintf(tmp, sizeof (tmp), "%s.XXXXXX", path);
	if ((fd = mkstemp(tmp)) < 0) {
		err = errno;
		lcache_errf(errbuf, errlen, "cannot write a cache file in %s: "
		    "%s", dir, strerror(err));
		free(b.b_p);
		return (err);
	}
	for (done = 0; done < b.b_len; done += (size_t)n) {
		if ((n = write(fd, b.b_p + done, b.b_len - done)) <= 0) {
			err = n < 0 ? errno : EIO;
			break;
		}
	}
	free(b.b_p);
	if (err == 0 && fsync(fd) != 0)
		err = errno;
	if (close(fd) != 0 && err == 0)
		err = errno;
	if (err == 0 && rename(tmp, path) != 0)
		err = errno;
	if (err != 0) {
		(void) unlink(tmp);
		lcache_errf(errbuf, errlen, "cannot write the cache file %s: %s",
		    path, strerror(err));
		return (err);
	}
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		(void) fsync(dfd);
		(void) close(dfd);
	}
	return (0);
}

/* The file's bytes: 0 or an errno. */
static int
lcache_slurp(const char *path, char **bufp, size_t *lenp)
{
	struct stat st;
	char *buf;
	size_t done;
	ssize_t n;
	int fd, err = 0;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return (errno);
	if (fstat(fd, &st) != 0) {
		err = errno;
		(void) close(fd);
		return (err);
	}
	if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size > LCACHE_MAX_FILE) {
		(void) close(fd);
		return (EINVAL);
	}
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL) {
		(void) close(fd);
		return (ENOMEM);
	}
	for (done = 0; done < (size_t)st.st_size; done += (size_t)n) {
		if ((n = read(fd, buf + done, (size_t)st.st_size - done)) <= 0)
			break;
	}
	(void) close(fd);
	if (done != (size_t)st.st_size) {
		free(buf);
		return (EIO);
	}
	buf[done] = '\0';
	*bufp = buf;
	*lenp = done;
	return (0);
}

static bool
lcache_hex(const char *s, uint64_t *vp)
{
	uint64_t v = 0;
	unsigned n = 0;

	for (; *s != '\0'; s++, n++) {
		int d = *s >= '0' && *s <= '9' ? *s - '0' :
		    *s >= 'a' && *s <= 'f' ? *s - 'a' + 10 : -1;

		if (d < 0 || n == 16)
			return (false);
		v = v << 4 | (uint64_t)d;
	}
	*vp = v;
	return (n > 0);
}

/* Split line (writable) into at most max words; how many. */
static unsigned
lcache_words(char *line, char **w, unsigned max)
{
	unsigned n = 0;
	char *p = line;

	while (*p != '\0' && n < max) {
		w[n++] = p;
		while (*p != '\0' && *p != ' ')
			p++;
		if (*p == ' ')
			*p++ = '\0';
	}
	return (*p == '\0' ? n : max + 1);
}

/* One line of the body: true when it parsed (or is a known header). */
static bool
lcache_line(struct lcache *c, char *line, bool *seen)
{
	char *w[6];
	uint64_t a, b;
	unsigned n;

	if (strncmp(line, "banner ", 7) == 0) {
		free(c->lc_banner);
		c->lc_banner = strdup(line + 7);
		seen[1] = true;
		return (c->lc_banner != NULL);
	}
	n = lcache_words(line, w, 5);
	if (n == 2 && strcmp(w[0], "key") == 0) {
		seen[0] = true;
		return (strcmp(w[1], c->lc_key) == 0);
	}
	if (n == 2 && strcmp(w[0], "release") == 0) {
		if (strlen(w[1]) >= sizeof (c->lc_release))
			return (false);
		(void) strcpy(c->lc_release, w[1]);
		return (true);
	}
	if (n == 2 && strcmp(w[0], "ptr_size") == 0) {
		c->lc_ptr_size = strcmp(w[1], "8") == 0 ? 8 :
		    strcmp(w[1], "4") == 0 ? 4 : 0;
		return (c->lc_ptr_size != 0);
	}
	if (n == 2 && strcmp(w[0], "kallsyms") == 0) {
		c->lc_has_kallsyms = lcache_hex(w[1], &c->lc_kallsyms);
		return (c->lc_has_kallsyms);
	}
	if (n == 3 && strcmp(w[0], "S") == 0 && lcache_hex(w[1], &a))
		return (lprof_set_symbol(c->lc_prof, w[2], a) == 0);
	if (n == 3 && strcmp(w[0], "N") == 0 && lcache_hex(w[1], &a))
		return (lprof_set_number(c->lc_prof, w[2], a) == 0);
	if (n == 3 && strcmp(w[0], "Z") == 0 && lcache_hex(w[1], &a))
		return (lprof_set_size(c->lc_prof, w[2], a) == 0);
	if (n == 5 && strcmp(w[0], "M") == 0 && lcache_hex(w[1], &a) &&
	    lcache_hex(w[2], &b))
		return (lprof_set_member(c->lc_prof, w[3], w[4], a, b) == 0);
	return (false);
}

/* Parse buf[0 .. len) (checksum already checked): 0 or EINVAL. */
static int
lcache_parse(struct lcache *c, char *buf, size_t len, char *why,
    size_t whylen)
{
	char magic[64], *nl, *line;
	size_t pos = 0, btf_len;
	bool seen[2] = { false, false };
	unsigned long lineno = 0;

	(void) snprintf(magic, sizeof (magic), "%s %d", LCACHE_MAGIC,
	    LCACHE_VERSION);
	while (pos < len) {
		line = buf + pos;
		if ((nl = memchr(line, '\n', len - pos)) == NULL ||
		    (size_t)(nl - line) > LCACHE_MAX_LINE) {
			(void) snprintf(why, whylen, "line %lu is unterminated "
			    "or too long", lineno + 1);
			return (EINVAL);
		}
		*nl = '\0';
		pos = (size_t)(nl - buf) + 1;
		if (lineno++ == 0) {
			if (strcmp(line, magic) != 0) {
				(void) snprintf(why, whylen, "not a version %d "
				    "profile", LCACHE_VERSION);
				return (EINVAL);
			}
			continue;
		}
		if (strncmp(line, "btf ", 4) == 0) {
			char *end;

			btf_len = strtoul(line + 4, &end, 10);
			if (*end != '\0' || btf_len == 0 ||
			    btf_len >= len - pos ||
			    buf[pos + btf_len] != '\n' ||
			    (c->lc_btf = malloc(btf_len)) == NULL) {
				(void) snprintf(why, whylen, "a bad BTF "
				    "section at line %lu", lineno);
				return (EINVAL);
			}
			memcpy(c->lc_btf, buf + pos, btf_len);
			c->lc_btf_len = btf_len;
			pos += btf_len + 1;
			continue;
		}
		if (!lcache_line(c, line, seen)) {
			(void) snprintf(why, whylen, "line %lu does not parse "
			    "(or names another key)", lineno);
			return (EINVAL);
		}
	}
	if (!seen[0] || !seen[1] || c->lc_release[0] == '\0' ||
	    c->lc_ptr_size == 0) {
		(void) snprintf(why, whylen, "key, release, banner or pointer "
		    "size missing");
		return (EINVAL);
	}
	return (0);
}

int
lcache_load(const char *dir, const char *key, struct lcache *c,
    char *errbuf, size_t errlen)
{
	char path[4096], why[256] = "", *buf = NULL, *end;
	uint64_t sum;
	size_t len = 0, body;
	int err;

	memset(c, 0, sizeof (*c));
	if ((err = lcache_path(dir, key, path, sizeof (path))) != 0) {
		lcache_errf(errbuf, errlen, "no cache file name for key \"%s\"",
		    key);
		return (err);
	}
	(void) snprintf(c->lc_key, sizeof (c->lc_key), "%s", key);
	if ((err = lcache_slurp(path, &buf, &len)) != 0) {
		if (err != ENOENT)
			lcache_errf(errbuf, errlen, "cannot read the cache file "
			    "%s: %s", path, strerror(err));
		return (err);
	}
	/* The last line: "end HEX\n" (16 digits), over all before it. */
	if (len < 21 || buf[len - 1] != '\n' ||
	    (end = buf + len - 21, strncmp(end, "end ", 4) != 0) ||
	    (end != buf && end[-1] != '\n')) {
		(void) snprintf(why, sizeof (why), "no checksum line");
		err = EINVAL;
		goto out;
	}
	body = (size_t)(end - buf);
	buf[len - 1] = '\0';
	if (!lcache_hex(end + 4, &sum) || sum != lcache_fnv(
	    (const unsigned char *)buf, body)) {
		(void) snprintf(why, sizeof (why), "the checksum does not match");
		err = EINVAL;
		goto out;
	}
	if ((c->lc_prof = lprof_new()) == NULL) {
		err = ENOMEM;
		goto out;
	}
	err = lcache_parse(c, buf, body, why, sizeof (why));
out:
	free(buf);
	if (err != 0) {
		lcache_errf(errbuf, errlen, "the cache file %s is refused: %s",
		    path, why);
		lcache_fini(c);
		(void) snprintf(c->lc_key, sizeof (c->lc_key), "%s", key);
	}
	return (err);
}

void
lcache_fini(struct lcache *c)
{
	free(c->lc_banner);
	free(c->lc_btf);
	lprof_free(c->lc_prof);
	memset(c, 0, sizeof (*c));
}
