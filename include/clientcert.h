/*
 * clientcert: a client certificate for mutual TLS (--cert FILE --key FILE,
 * as s_client's -cert/-key): checked before connecting, loaded into each
 * session (tls.h), and the server's CertificateRequest watched so that the
 * session can say whether it was asked for one and whether one was sent.
 * The key is a secret: its bytes are only ever handed to the TLS library,
 * wiped after the check and never written anywhere.
 */
#ifndef STARTLE_CLIENTCERT_H
#define STARTLE_CLIENTCERT_H

/* Checks, before connecting, that cert is a readable PEM file whose first
 * certificate (any chain may follow) the TLS library accepts, that key is a
 * readable, unencrypted PEM private key, and that the key belongs to the
 * certificate. key NULL: the key is read from the certificate's file, as
 * s_client does. Returns 0, or -1 with *cause (a sentence naming the file,
 * escaped, and what to do). Needs tls_global_init. */
int clientcert_check(const char *cert, const char *key, char **cause);

#endif
