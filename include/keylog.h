/*
 * keylog: a client session's secrets in the NSS key log format that
 * SSLKEYLOGFILE readers (Wireshark, tshark) take, so that a capture of the
 * session can be decrypted. TLS 1.3 gives five lines a session,
 *   CLIENT_HANDSHAKE_TRAFFIC_SECRET, SERVER_HANDSHAKE_TRAFFIC_SECRET,
 *   CLIENT_TRAFFIC_SECRET_0, SERVER_TRAFFIC_SECRET_0, EXPORTER_SECRET,
 * written as the library derives them (only a wolfSSL built with
 * HAVE_SECRET_CALLBACK hands them out: see tlsbuild.h); TLS 1.2 gives one,
 * CLIENT_RANDOM, written when the handshake is done. Each line is
 * "LABEL <client random> <secret>" in lower-case hex.
 */
#ifndef STARTLE_KEYLOG_H
#define STARTLE_KEYLOG_H

#include <stddef.h>

struct keylog;
struct WOLFSSL;

/* Opens path for appending, created 0600 and never through a symbolic link.
 * NULL with *cause (caller frees) when it cannot be written. */
struct keylog *keylog_open(const char *path, char **cause);

/* Prepares a session for its key log (call before the handshake; NULL kl is
 * fine). */
void keylog_attach(struct keylog *kl, struct WOLFSSL *ssl);

/* Writes one TLS 1.3 secret, as wolfSSL's secret callback hands it over (id
 * is wolfSSL's enum Tls13Secret); NULL kl is fine. A build without
 * HAVE_SECRET_CALLBACK never calls this. */
void keylog_tls13_secret(struct keylog *kl, struct WOLFSSL *ssl, int id,
                         const unsigned char *secret, size_t size);

/* After a finished handshake: writes TLS 1.2's CLIENT_RANDOM line. Returns
 * NULL when the session's secrets are in the file, else a sentence that says
 * why not and what to do (caller frees). */
char *keylog_finish(struct keylog *kl, struct WOLFSSL *ssl);

/* Closes the file; NULL is fine. */
void keylog_close(struct keylog *kl);

#endif
