#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "escape.h"
#include "util.h"

static void (*fatal_hook)(void);

void
util_set_fatal_hook(void (*hook)(void))
{
	fatal_hook = hook;
}

void
fatal(const char *fmt, ...)
{
	va_list ap;

	if (fatal_hook != NULL) {
		void (*hook)(void) = fatal_hook;
		fatal_hook = NULL;
		hook();
	}
	fputs("startle: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(70);
}

void *
xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);
	if (p == NULL)
		fatal("out of memory (%zu bytes)", size);
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (p == NULL)
		fatal("out of memory (%zu x %zu bytes)", n, size);
	return p;
}

void *
xrealloc(void *p, size_t size)
{
	void *np = realloc(p, size ? size : 1);
	if (np == NULL)
		fatal("out of memory (%zu bytes)", size);
	return np;
}

char *
xstrdup(const char *s)
{
	return xmemdup(s, strlen(s));
}

void *
xmemdup(const void *p, size_t len)
{
	char *d = xmalloc(len + 1);
	if (len)
		memcpy(d, p, len);
	d[len] = '\0';
	return d;
}

char *
str_vprintf(const char *fmt, va_list ap)
{
	char *s;
	if (vasprintf(&s, fmt, ap) < 0)
		fatal("out of memory formatting a message");
	return s;
}

char *
str_printf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = str_vprintf(fmt, ap);
	va_end(ap);
	return s;
}

bool
util_is_ip_literal(const char *text)
{
	unsigned char buf[sizeof(struct in6_addr)];

	return inet_pton(AF_INET, text, buf) == 1 || inet_pton(AF_INET6, text, buf) == 1;
}

double
util_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

const char *
util_beside_exe(const char *suffix)
{
	static struct {
		char *suffix, *path;
	} cache[8];
	char exe[4096];
	ssize_t n;

	for (size_t i = 0; i < sizeof cache / sizeof cache[0]; i++) {
		if (cache[i].suffix != NULL) {
			if (strcmp(cache[i].suffix, suffix) == 0)
				return cache[i].path;
			continue;
		}
		n = readlink("/proc/self/exe", exe, sizeof exe - 1);
		if (n <= 0)
			return NULL;
		exe[n] = '\0';
		/* The executable's directory, then up to three above it (a
		 * build tree keeps test programs in build/san/tests). */
		for (int up = 0; up < 4; up++) {
			char *slash = strrchr(exe, '/');
			struct stat st;
			if (slash == NULL)
				break;
			*slash = '\0';
			char *path = str_printf("%s/%s", exe[0] ? exe : "", suffix);
			if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
				cache[i].suffix = xstrdup(suffix);
				cache[i].path = path;
				return path;
			}
			free(path);
		}
		return NULL;
	}
	return NULL;
}

enum read_result { READ_OK, READ_MISSING, READ_FAILED, READ_NOT_FILE, READ_TOO_LARGE };

/* Reads at most cap bytes of a regular file; *err holds errno on failure. */
static enum read_result
read_file(const char *path, size_t cap, char **text, size_t *len, int *err)
{
	struct stat st;
	size_t got = 0;
	char *buf;
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);

	*err = 0;
	if (fd < 0) {
		*err = errno;
		return errno == ENOENT || errno == ENOTDIR ? READ_MISSING : READ_FAILED;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return READ_NOT_FILE;
	}
	buf = xmalloc(cap + 2);
	for (;;) {
		ssize_t r = read(fd, buf + got, cap + 1 - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			*err = errno;
			explicit_bzero(buf, got); /* the file may hold a private key */
			free(buf);
			close(fd);
			return READ_FAILED;
		}
		got += (size_t)r;
		if (r == 0 || got > cap)
			break;
	}
	close(fd);
	if (got > cap) {
		explicit_bzero(buf, got);
		free(buf);
		return READ_TOO_LARGE;
	}
	buf[got] = '\0';
	*text = buf;
	*len = got;
	return READ_OK;
}

int
util_read_text_file(const char *path, size_t cap, const char *kind, bool missing_ok,
                    char **text, size_t *len, char **cause)
{
	int err;

	switch (read_file(path, cap, text, len, &err)) {
	case READ_OK:
		return 0;
	case READ_MISSING:
		if (missing_ok)
			return 1;
		/* fall through */
	case READ_FAILED:
		util_file_error(cause, path, 0,
		                "cannot be read (%s): check the path and its permissions",
		                strerror(err));
		return -1;
	case READ_NOT_FILE:
		util_file_error(cause, path, 0,
		                "is not a regular file: give the path of a .%s file", kind);
		return -1;
	case READ_TOO_LARGE:
		util_file_error(
		    cause, path, 0,
		    "is larger than the %zu KiB a %s file may be: check that this is a "
		    "%s file",
		    cap / 1024, kind, kind);
		return -1;
	}
	return -1;
}

void
util_file_error(char **cause, const char *file, unsigned line, const char *fmt, ...)
{
	va_list ap;
	char *esc, *msg, *full;

	if (cause == NULL)
		return;
	esc = escape_bytes((const unsigned char *)file, strlen(file), ESCAPE_TEXT);
	if (esc == NULL)
		fatal("out of memory");
	va_start(ap, fmt);
	msg = str_vprintf(fmt, ap);
	va_end(ap);
	if (line > 0)
		full = str_printf("%s:%u: %s", esc, line, msg);
	else
		full = str_printf("%s: %s", esc, msg);
	free(esc);
	free(msg);
	*cause = full;
}

/* Checks what open found at a private file's path and makes it private;
 * returns 0, or -1 with *cause. */
static int
private_check(int fd, const char *path, bool append, char **cause)
{
	struct stat st;

	if (fstat(fd, &st) != 0) {
		util_file_error(cause, path, 0, "cannot be examined (%s)", strerror(errno));
		return -1;
	}
	if (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode))
		return 0;
	if (!S_ISREG(st.st_mode)) {
		util_file_error(cause, path, 0,
		                "is not a regular file: give a file's path");
		return -1;
	}
	if (st.st_uid != geteuid()) {
		util_file_error(cause, path, 0,
		                "belongs to another user: startle only overwrites its "
		                "user's files; choose another path");
		return -1;
	}
	if (((st.st_mode & 077) != 0 && fchmod(fd, 0600) != 0) ||
	    (!append && ftruncate(fd, 0) != 0)) {
		util_file_error(cause, path, 0, "cannot be made private (%s)",
		                strerror(errno));
		return -1;
	}
	return 0;
}

FILE *
util_open_private(const char *path, bool append, char **cause)
{
	int flags = O_WRONLY | O_CREAT | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC | O_NONBLOCK |
	            (append ? O_APPEND : 0);
	int fd = open(path, flags, 0600);
	FILE *f;

	if (fd < 0) {
		if (errno == ELOOP)
			util_file_error(
			    cause, path, 0,
			    "is a symbolic link: startle does not write through "
			    "one; give the final path");
		else
			util_file_error(cause, path, 0,
			                "cannot be written (%s): check the directory and "
			                "its permissions",
			                strerror(errno));
		return NULL;
	}
	if (private_check(fd, path, append, cause) != 0) {
		close(fd);
		return NULL;
	}
	(void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	if ((f = fdopen(fd, append ? "a" : "w")) == NULL) {
		util_file_error(cause, path, 0, "cannot be written (%s)", strerror(errno));
		close(fd);
	}
	return f;
}

bool
util_no_color(void)
{
	const char *v = getenv("NO_COLOR");

	return v != NULL && v[0] != '\0';
}

int
util_hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}
