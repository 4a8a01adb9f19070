/*
 * tls internals shared by tls.c (the connection) and the files that handle
 * one part of a session on the library's own objects: tls_view.c (what
 * startle sees of a handshake beyond the wire records), tls_opts.c (the
 * choices a user makes: cipher suites, groups, ALPN, resumption), staple.c
 * (the stapled OCSP response) and clientcert.c (the client certificate).
 * Only src/tls/ uses it.
 */
#ifndef STARTLE_TLS_INT_H
#define STARTLE_TLS_INT_H

#include <wolfssl/options.h>
#include <wolfssl/ssl.h>

#include <stdbool.h>
#include <stddef.h>

#include "cert.h"
#include "hsdecrypt.h"
#include "record.h"
#include "tls.h"

/* What startle sees of one connection's handshake besides the records:
 * TLS 1.3's encrypted messages, decrypted from its own copy of the records
 * (when the library hands out the secrets), and the facts read from
 * handshake messages -- the server's key share group, a HelloRetryRequest,
 * the signature scheme of its handshake signature. Messages go to the
 * observer as they are found. */
struct tls_view;

/* decrypt: the library hands out TLS 1.3's traffic secrets. */
struct tls_view *tls_view_new(const struct tls_observer *obs, bool decrypt);
void tls_view_free(struct tls_view *v);

/* A piece of a record's body (record_body_fn), in the direction dir. */
void tls_view_body(struct tls_view *v, enum tls_dir dir, const struct record *r,
                   const unsigned char *p, size_t n, bool end);

/* A TLS 1.3 secret as the library derives it (its id, e.g.
 * SERVER_HANDSHAKE_TRAFFIC_SECRET). */
void tls_view_secret(struct tls_view *v, WOLFSSL *ssl, int id, const unsigned char *secret,
                     size_t len);

/* The handshake finished: a session that is not TLS 1.3 has nothing to
 * decrypt. */
void tls_view_finish(struct tls_view *v, WOLFSSL *ssl);

/* Adds what the view knows to the summary of a finished handshake:
 * encrypted_handshake, signature, hello_retry, the key share, and the group
 * when the library did not name it. */
void tls_view_summary(const struct tls_view *v, WOLFSSL *ssl, struct tls_summary *sum);

/* The decrypted messages so far (tls_get_encrypted_messages). */
size_t tls_view_messages(const struct tls_view *v, struct hsdecrypt_message *out,
                         size_t max, const char **problem);

#define TLS_CODES 64 /* verify error codes remembered as seen */

/* What a handshake's verification found: kept with a session to resume,
 * because a resumed handshake sends no certificate to verify again. */
struct tls_verify_memo {
	int first_code, first_depth;
	bool code_seen[TLS_CODES];
	bool code_other;              /* an error code beyond the table was seen */
	int chain_count;              /* the certificates the server sent */
	unsigned char chain_hash[32]; /* SHA-256 over their DER, in order */
};

/* A session to resume (tls.h): the library's session and what the
 * connection that made it proved. */
struct tls_ticket {
	WOLFSSL_SESSION *session;
	struct tls_verify_memo memo;
	char verify_name[256]; /* the name it was verified for */
	int version;           /* the version it was made with, e.g. TLS1_2_VERSION */
};

/* The context's version range and cipher suites (tls_config). */
int tls_opts_ctx(WOLFSSL_CTX *ctx, const struct tls_config *cfg, char **cause);

/* The session's groups, ALPN offer and session to resume (tls_config). */
int tls_opts_session(WOLFSSL *ssl, const struct tls_config *cfg, char **cause);

/* A TLS 1.2 session ticket was offered and the server's ServerHello (record
 * number hello of the scanner sc) has been read from fd, not yet by the
 * library: when the server's next record begins a full handshake
 * (Certificate, ServerKeyExchange, ...), tells the library the ticket was
 * declined. (wolfSSL takes any answer to a client that offered a TLS 1.2
 * ticket for a resumption, and fails the handshake of a server that declined
 * it: another server of a pool, a new ticket key.) What the scanner does not
 * hold yet of the next record is peeked at, waiting at most
 * TLS_HELLO_PEEK_MS for it. */
#define TLS_HELLO_PEEK_MS 250
void tls_opts_server_hello(WOLFSSL *ssl, int fd, const struct record_scanner *sc,
                           unsigned long hello);

/* True if the ticket is a TLS 1.2 session's (tls_opts_server_hello applies). */
bool tls_opts_ticket_is_tls12(const struct tls_ticket *t);

/* After the handshake: the protocol ALPN settled on, when alpn was offered. */
void tls_opts_summary(WOLFSSL *ssl, const char *alpn, struct tls_summary *sum);

/* The chain the library holds, from certificate skip on: its count and
 * digest, for the memo. */
void tls_opts_chain_memo(WOLFSSL *ssl, int skip, struct tls_verify_memo *m);

/* After a full handshake where a session was offered but not resumed: how
 * many certificates at the start of the library's chain are the earlier
 * connection's (TLS 1.3 in wolfSSL appends the new chain to the one the
 * offered session carried), to be skipped; 0 when none are. */
int tls_opts_chain_skip(WOLFSSL *ssl, const struct tls_verify_memo *m);

/* A session of ssl to resume later, or NULL when it cannot be resumed. */
struct tls_ticket *tls_opts_ticket(WOLFSSL *ssl, const struct tls_verify_memo *memo,
                                   const char *verify_name);
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

/* tls.c: hands a sentence to the caller through cause (replacing any
 * earlier one), or drops it when cause is NULL. */
void tls_set_cause(char **cause, char *msg);

/* tls.c: the client certificate state of the session ssl belongs to. */
struct clientcert *tls_clientcert_of(WOLFSSL *ssl);

/* clientcert.c: what an alert from the server (-1: a close without one)
 * means for the client certificate, as a clause to append to the error
 * (" -- ..."), or "". */
const char *clientcert_hint(const struct clientcert *cc, int alert);

#endif
