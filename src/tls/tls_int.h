/*
 * tls internals shared by tls.c and the files that handle one feature of a
 * session on the library's own objects: the stapled OCSP response
 * (staple.c) and the client certificate (clientcert.c). Only src/tls/ uses it.
 */
#ifndef STARTLE_TLS_INT_H
#define STARTLE_TLS_INT_H

#include <wolfssl/options.h>
#include <wolfssl/ssl.h>

#include <stdbool.h>
#include <stddef.h>

#include "cert.h"

/* staple.c: asks the server for a stapled OCSP response (status_request) on
 * a fresh context and session, where the library hands it to startle
 * whatever it says (tlsbuild_has_stapling); nothing else is ever asked for
 * OCSP. 0, or -1 with *cause. */
int staple_request(WOLFSSL_CTX *ctx, WOLFSSL *ssl, char **cause);

/* staple.c: after the handshake (done), the stapled response read and
 * checked against the chain (ocsp.h) into *o. */
void staple_get(WOLFSSL *ssl, bool done, const struct cert_info *chain, size_t n,
                struct cert_ocsp *o);

/* clientcert.c: a session's client certificate, what the server asked and
 * what was sent. */
struct clientcert {
	bool loaded;    /* --cert and --key are in the context */
	bool requested; /* the server sent a CertificateRequest */
	char subject[256];
};

/* clientcert.c: loads the certificate (PEM, with any chain after it) and
 * its key into a client context, and watches for the server's
 * CertificateRequest (cc must live as long as ctx; without a certificate the
 * watch finds cc with tls_clientcert_of). cert NULL: no certificate, only
 * the watch. 0, or -1 with *cause. */
int clientcert_load(WOLFSSL_CTX *ctx, const char *cert, const char *key,
                    struct clientcert *cc, char **cause);

/* tls.c: the client certificate state of the session ssl belongs to. */
struct clientcert *tls_clientcert_of(WOLFSSL *ssl);

/* clientcert.c: what an alert from the server (-1: a close without one)
 * means for the client certificate, as a clause to append to the error
 * (" -- ..."), or "". */
const char *clientcert_hint(const struct clientcert *cc, int alert);

#endif
