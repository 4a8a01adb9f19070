/*
 * certfile: PEM for a chain, written atomically, and the pin-sha256 of a
 * public key (certfile.h).
 */
#include <errno.h>
#include <libgen.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/stat.h>

#include "base64.h"
#include "certfile.h"
#include "tls.h"
#include "util.h"

#define PEM_LINE 64

bool
certfile_pin_sha256(const struct cert_info *c, char out[CERTFILE_PIN_SIZE])
{
	unsigned char digest[32];

	out[0] = '\0';
	if (strnlen(c->spki_sha256, sizeof c->spki_sha256) != 2 * sizeof digest)
		return false;
	for (size_t i = 0; i < sizeof digest; i++) {
		int hi = util_hex_digit((unsigned char)c->spki_sha256[2 * i]);
		int lo = util_hex_digit((unsigned char)c->spki_sha256[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return false;
		digest[i] = (unsigned char)(hi << 4 | lo);
	}
	char *b64 = base64_encode(digest, sizeof digest);
	snprintf(out, CERTFILE_PIN_SIZE, "%s", b64);
	free(b64);
	return true;
}

char *
certfile_pem(const unsigned char *der, size_t len)
{
	static const char begin[] = "-----BEGIN CERTIFICATE-----\n";
	static const char end[] = "-----END CERTIFICATE-----\n";
	char *b64 = base64_encode(der, len);
	size_t blen = strlen(b64);
	char *pem = xmalloc(sizeof begin + blen + blen / PEM_LINE + 1 + sizeof end);
	size_t o = 0;

	memcpy(pem, begin, sizeof begin - 1);
	o = sizeof begin - 1;
	for (size_t i = 0; i < blen; i += PEM_LINE) {
		size_t n = blen - i < PEM_LINE ? blen - i : PEM_LINE;
		memcpy(pem + o, b64 + i, n);
		o += n;
		pem[o++] = '\n';
	}
	memcpy(pem + o, end, sizeof end);
	free(b64);
	return pem;
}

/* The directory part of path ("." for a bare name); caller frees. */
static char *
certfile_dir(const char *path)
{
	char *copy = xstrdup(path);
	char *dir = xstrdup(dirname(copy));

	free(copy);
	return dir;
}

int
certfile_check(const char *path, char **cause)
{
	struct stat st;

	if (path[0] == '\0') {
		*cause = str_printf("--save-chain needs a file name");
		return -1;
	}
	if (lstat(path, &st) == 0) {
		if (S_ISLNK(st.st_mode)) {
			util_file_error(
			    cause, path, 0,
			    "is a symbolic link: startle does not write through "
			    "one; give the final path");
			return -1;
		}
		if (S_ISDIR(st.st_mode)) {
			util_file_error(cause, path, 0,
			                "is a directory: name the file the chain goes to");
			return -1;
		}
		if (S_ISREG(st.st_mode) && st.st_uid != geteuid()) {
			util_file_error(
			    cause, path, 0,
			    "belongs to another user: startle does not replace it; "
			    "give another path");
			return -1;
		}
		if (!S_ISREG(st.st_mode))
			return 0; /* a device or FIFO: written as it is */
	}
	/* A new file goes beside the path, then is renamed over it. */
	char *dir = certfile_dir(path);
	int ok = access(dir, W_OK | X_OK);
	int err = errno;
	free(dir);
	if (ok != 0) {
		util_file_error(cause, path, 0,
		                "cannot be created (%s): check the directory and its "
		                "permissions",
		                strerror(err));
		return -1;
	}
	return 0;
}

/* Writes the chain's PEM to f; 0, or -1 if a write failed. */
static int
certfile_put(FILE *f, const struct cert_info *const *certs, size_t n)
{
	int rc = 0;

	for (size_t i = 0; i < n; i++) {
		char *pem = certfile_pem(certs[i]->der, certs[i]->der_len);
		if (fputs(pem, f) == EOF)
			rc = -1;
		free(pem);
	}
	return rc;
}

/* Writes to a device or FIFO in place (util_open_private). */
static int
certfile_write_in_place(const char *path, const struct cert_info *const *certs, size_t n,
                        char **cause)
{
	FILE *f = util_open_private(path, false, cause);

	if (f == NULL)
		return -1;
	int rc = certfile_put(f, certs, n);
	if (fclose(f) != 0 || rc != 0) {
		util_file_error(cause, path, 0, "could not be written (%s)",
		                strerror(errno));
		return -1;
	}
	return 0;
}

/* Writes a new private file beside path, then renames it over path. */
static int
certfile_write_replacing(const char *path, const struct cert_info *const *certs, size_t n,
                         char **cause)
{
	char *tmp = str_printf("%s.XXXXXX", path);
	int fd = mkstemp(tmp); /* 0600, created new (O_EXCL) */
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;

	if (f == NULL) {
		util_file_error(cause, path, 0,
		                "cannot be written (%s): check the directory and its "
		                "permissions",
		                strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(tmp);
		}
		free(tmp);
		return -1;
	}
	int rc = certfile_put(f, certs, n);
	if (fflush(f) != 0 || fsync(fileno(f)) != 0)
		rc = -1;
	int err = errno;
	if (fclose(f) != 0 && rc == 0) {
		rc = -1;
		err = errno;
	}
	if (rc == 0 && rename(tmp, path) != 0) {
		rc = -1;
		err = errno;
	}
	if (rc != 0) {
		unlink(tmp);
		util_file_error(cause, path, 0, "could not be written (%s)", strerror(err));
	}
	free(tmp);
	return rc;
}

int
certfile_write_chain(const char *path, const struct cert_info *const *certs, size_t n,
                     bool *replaced, char **cause)
{
	struct stat st;
	bool exists = lstat(path, &st) == 0;

	if (replaced != NULL)
		*replaced = exists;
	for (size_t i = 0; i < n; i++) {
		if (certs[i]->der == NULL || certs[i]->der_len == 0) {
			*cause = str_printf("certificate %zu of the chain was not kept as "
			                    "sent: nothing was written",
			                    i);
			return -1;
		}
	}
	if (certfile_check(path, cause) != 0)
		return -1;
	if (exists && !S_ISREG(st.st_mode))
		return certfile_write_in_place(path, certs, n, cause);
	return certfile_write_replacing(path, certs, n, cause);
}
