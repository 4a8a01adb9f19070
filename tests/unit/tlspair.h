/*
 * A TLS session between startle's client (tls.h) and a wolfSSL server with
 * the lab's certificates, on a socketpair, for the unit tests. The server
 * keeps its own key log (on a library with HAVE_SECRET_CALLBACK), in the
 * lower-case hex startle writes, as evidence of the session's secrets. The
 * assertions fail the running cmocka test. One pair at a time.
 */
#ifndef STARTLE_TEST_TLSPAIR_H
#define STARTLE_TEST_TLSPAIR_H

#include <wolfssl/options.h>
#include <wolfssl/ssl.h>

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "tls.h"

struct tlspair {
	int cfd, sfd;
	WOLFSSL_CTX *ctx;
	bool own_ctx; /* tlspair_end frees ctx */
	WOLFSSL *ssl; /* the server */
	struct tls_conn *tc;
	struct tls_summary sum; /* the client's, after the handshake */
};

struct tlspair_options {
	int max_version;     /* 12 or 13 (the server's limit) */
	const char *keylog;  /* the client's --keylog, or NULL */
	const char *ciphers; /* the server's cipher list, or NULL */
	const struct tls_observer *obs;  /* the client's observer, or NULL */
	const struct tls_config *client; /* the client's settings, or NULL; the
	                                  * trust, SNI and name to verify are
	                                  * the pair's unless set */
	const char *server_alpn;         /* protocols the server accepts (ALPN), or NULL */
	const char *server_groups;       /* the server's groups ("P-256"), or NULL */
	WOLFSSL_CTX *server_ctx;         /* a server context to use again (its ticket key:
	                                  * resumption), kept by tlspair_end; NULL: a new one */
};

/* Makes the lab's CA and leaf and a private directory, and removes them:
 * the group fixtures of cmocka_run_group_tests. */
int tlspair_setup(void **state);
int tlspair_teardown(void **state);

/* The private directory, for files a test writes. */
const char *tlspair_dir(void);

/* Runs a handshake to its end on both sides; fills p->sum. */
void tlspair_session(struct tlspair *p, const struct tlspair_options *o);

/* The server sends text; the client reads until it has len bytes or the
 * server's bytes are all in. Returns what tls_read returned last. */
ssize_t tlspair_echo(struct tlspair *p, const char *text, void *buf, size_t len);

void tlspair_end(struct tlspair *p);

/* A server context of the pair's certificates for options.server_ctx; the
 * caller frees it (wolfSSL_CTX_free). */
WOLFSSL_CTX *tlspair_server_ctx(const struct tlspair_options *o);

/* The total DER length of the certificates the server sends; *count gets
 * how many. */
size_t tlspair_chain_der(size_t *count);

/* The server's key log of the current session ("" without the callback). */
const char *tlspair_server_log(void);

#endif
