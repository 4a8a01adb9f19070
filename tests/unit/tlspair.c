/*
 * The TLS session pair of tlspair.h: a wolfSSL server on one end of a
 * socketpair, startle's client on the other, both non-blocking, stepped in
 * turn until each has finished.
 */
#include "tlspair.h"

#include <wolfssl/wolfcrypt/asn_public.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "labcert.h"
#include "testutil.h"

#define TLSPAIR_DEADLINE_MS 10000
#define TLSPAIR_LOG_MAX 8192

/* Test-only state: the certificates of the program, the key log of the one
 * server running. */
static struct labcert *tlspair_certs;
static const struct labcert_pair *tlspair_good;
static char *tlspair_ca;
static char tlspair_tmp[64];
static char tlspair_log[TLSPAIR_LOG_MAX];

#ifdef HAVE_SECRET_CALLBACK
static void
tlspair_keylog(const WOLFSSL *ssl, const char *line)
{
	(void)ssl;
	size_t used = strlen(tlspair_log);
	snprintf(tlspair_log + used, sizeof tlspair_log - used, "%s\n", line);
	/* wolfSSL writes upper-case hex, startle (like NSS) lower case. */
	for (char *c = strchr(tlspair_log + used, ' '); c != NULL && *c != '\0'; c++)
		*c = (char)tolower((unsigned char)*c);
}
#endif

int
tlspair_setup(void **state)
{
	char *cause = NULL;

	(void)state;
	signal(SIGPIPE, SIG_IGN);
	assert_int_equal(tls_global_init(&cause), 0);
	tlspair_certs = labcert_new(&cause);
	assert_non_null(tlspair_certs);
	assert_int_equal(labcert_get(tlspair_certs, LABCERT_GOOD, &tlspair_good, &cause),
	                 0);
	tlspair_ca = labcert_write_ca(tlspair_certs, &cause);
	assert_non_null(tlspair_ca);
	snprintf(tlspair_tmp, sizeof tlspair_tmp, "/tmp/startle-tlspair-XXXXXX");
	assert_non_null(mkdtemp(tlspair_tmp));
	return 0;
}

int
tlspair_teardown(void **state)
{
	(void)state;
	unlink(tlspair_ca);
	free(tlspair_ca);
	labcert_free(tlspair_certs);
	testutil_remove_tree(tlspair_tmp);
	return 0;
}

const char *
tlspair_dir(void)
{
	return tlspair_tmp;
}

const char *
tlspair_server_log(void)
{
	return tlspair_log;
}

size_t
tlspair_chain_der(size_t *count)
{
	static const char end[] = "-----END CERTIFICATE-----";
	const char *pem = tlspair_good->chain_pem;
	unsigned char der[8192];
	size_t total = 0;

	*count = 0;
	for (const char *b = strstr(pem, "-----BEGIN"); b != NULL;
	     b = strstr(b, "-----BEGIN")) {
		const char *e = strstr(b, end);
		assert_non_null(e);
		e += sizeof end - 1;
		int n = wc_CertPemToDer((const unsigned char *)b, (int)(e - b), der,
		                        (int)sizeof der, CERT_TYPE);
		assert_true(n > 0);
		total += (size_t)n;
		(*count)++;
		b = e;
	}
	return total;
}

static double
tlspair_ms_since(const struct timespec *t0)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) * 1000.0 +
	       (double)(t.tv_nsec - t0->tv_nsec) / 1e6;
}

/* The server, on one end of a socketpair. */
static void
tlspair_server(struct tlspair *p, const struct tlspair_options *o)
{
	int sv[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	for (int i = 0; i < 2; i++)
		assert_int_equal(fcntl(sv[i], F_SETFL, fcntl(sv[i], F_GETFL) | O_NONBLOCK),
		                 0);
	p->cfd = sv[0];
	p->sfd = sv[1];
	tlspair_log[0] = '\0';
	p->own_ctx = o->server_ctx == NULL;
	p->ctx = o->server_ctx != NULL ? o->server_ctx : tlspair_server_ctx(o);
	p->ssl = wolfSSL_new(p->ctx);
	assert_non_null(p->ssl);
	if (o->server_alpn != NULL) {
		char *list = strdup(o->server_alpn);
		assert_int_equal(wolfSSL_UseALPN(p->ssl, list, (unsigned)strlen(list),
		                                 WOLFSSL_ALPN_CONTINUE_ON_MISMATCH),
		                 WOLFSSL_SUCCESS);
		free(list);
	}
	if (o->server_groups != NULL)
		assert_int_equal(wolfSSL_set1_groups_list(p->ssl, (char *)o->server_groups),
		                 WOLFSSL_SUCCESS);
	wolfSSL_KeepArrays(p->ssl); /* the client random, for TLS 1.2's key log */
	assert_int_equal(wolfSSL_set_fd(p->ssl, p->sfd), WOLFSSL_SUCCESS);
}

WOLFSSL_CTX *
tlspair_server_ctx(const struct tlspair_options *o)
{
	WOLFSSL_CTX *ctx = wolfSSL_CTX_new(wolfSSLv23_server_method());
	assert_non_null(ctx);
	assert_int_equal(wolfSSL_CTX_set_max_proto_version(
	                     ctx, o->max_version == 12 ? TLS1_2_VERSION : TLS1_3_VERSION),
	                 WOLFSSL_SUCCESS);
	if (o->ciphers != NULL)
		assert_int_equal(wolfSSL_CTX_set_cipher_list(ctx, o->ciphers),
		                 WOLFSSL_SUCCESS);
	assert_int_equal(wolfSSL_CTX_use_certificate_chain_buffer_format(
	                     ctx, (const unsigned char *)tlspair_good->chain_pem,
	                     (long)tlspair_good->chain_len, WOLFSSL_FILETYPE_PEM),
	                 WOLFSSL_SUCCESS);
	assert_int_equal(wolfSSL_CTX_use_PrivateKey_buffer(
	                     ctx, (const unsigned char *)tlspair_good->key_pem,
	                     (long)tlspair_good->key_len, WOLFSSL_FILETYPE_PEM),
	                 WOLFSSL_SUCCESS);
#ifdef HAVE_SECRET_CALLBACK
	wolfSSL_CTX_set_keylog_callback(ctx, tlspair_keylog);
#endif
	return ctx;
}

static void
tlspair_wait(struct tlspair *p)
{
	struct pollfd pf[2] = {{.fd = p->cfd, .events = POLLIN},
	                       {.fd = p->sfd, .events = POLLIN}};
	(void)poll(pf, 2, 20);
}

void
tlspair_session(struct tlspair *p, const struct tlspair_options *o)
{
	struct tls_config cfg = {.keylog = o->keylog};
	struct timespec t0;
	char *cause = NULL;
	bool accepted = false;
	int r;

	if (o->client != NULL)
		cfg = *o->client;
	if (cfg.cafile == NULL)
		cfg.cafile = tlspair_ca;
	if (cfg.sni == NULL)
		cfg.sni = LABCERT_HOST;
	if (cfg.verify_name == NULL)
		cfg.verify_name = LABCERT_HOST;
	memset(p, 0, sizeof *p);
	tlspair_server(p, o);
	p->tc = tls_new(p->cfd, &cfg, o->obs, &cause);
	assert_non_null(p->tc);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		r = tls_handshake(p->tc, &cause);
		if (!accepted)
			accepted = wolfSSL_accept(p->ssl) == WOLFSSL_SUCCESS;
		if (r == TLS_ERROR)
			fail_msg("the handshake failed: %s", cause != NULL ? cause : "?");
		assert_true(tlspair_ms_since(&t0) < TLSPAIR_DEADLINE_MS);
		if (r != TLS_OK || !accepted)
			tlspair_wait(p);
	} while (r != TLS_OK || !accepted);
	tls_get_summary(p->tc, &p->sum);
	free(cause);
}

ssize_t
tlspair_echo(struct tlspair *p, const char *text, void *buf, size_t len)
{
	struct timespec t0;
	char *cause = NULL;
	ssize_t n;

	assert_int_equal(wolfSSL_write(p->ssl, text, (int)strlen(text)), (int)strlen(text));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while ((n = tls_read(p->tc, buf, len, &cause)) == TLS_WANT_READ) {
		assert_true(tlspair_ms_since(&t0) < TLSPAIR_DEADLINE_MS);
		tlspair_wait(p);
	}
	free(cause);
	return n;
}

void
tlspair_end(struct tlspair *p)
{
	tls_free(p->tc);
	wolfSSL_free(p->ssl);
	if (p->own_ctx)
		wolfSSL_CTX_free(p->ctx);
	close(p->cfd);
	close(p->sfd);
}
