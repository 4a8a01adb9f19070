/*
 * certfile: certificates leaving startle. A chain is written as PEM (leaf
 * first, as `openssl s_client -showcerts` prints it), and a certificate's
 * public key is named by its pin: the base64 of the SHA-256 of its
 * SubjectPublicKeyInfo, the "pin-sha256" that gnutls-cli prints, HPKP
 * (RFC 7469) sends and curl's --pinnedpubkey sha256// takes.
 */
#ifndef STARTLE_CERTFILE_H
#define STARTLE_CERTFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "cert.h"

/* A pin is 44 base64 characters (32 bytes); with the NUL. */
#define CERTFILE_PIN_SIZE 45

/* The pin of c's public key, from its spki_sha256, into out; false (out
 * empty) when the certificate's key hash is unknown. */
bool certfile_pin_sha256(const struct cert_info *c, char out[CERTFILE_PIN_SIZE]);

/* One certificate (DER, len bytes) as PEM: the BEGIN line, base64 in lines
 * of 64 characters, the END line, each ending in "\n". Caller frees. */
char *certfile_pem(const unsigned char *der, size_t len);

/* Checks, before connecting, that path can take a saved chain: not a
 * symbolic link or a directory, not another user's file, in a directory
 * that exists and can be written. Returns 0, or -1 with *cause (the path
 * escaped) saying what to do. */
int certfile_check(const char *path, char **cause);

/* Writes the n certificates (each with its DER) to path as PEM. A regular
 * file (or none) at path is replaced at once: the PEM goes to a new private
 * file (0600) beside it, which is then renamed over path, so a failed write
 * leaves what was there. A character device or FIFO is written as it is. A
 * symbolic link, a directory or another user's file is refused. *replaced
 * (may be NULL) says whether a file was there before. Returns 0, or -1 with
 * *cause. */
int certfile_write_chain(const char *path, const struct cert_info *const *certs, size_t n,
                         bool *replaced, char **cause);

#endif
