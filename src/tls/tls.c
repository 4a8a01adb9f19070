/*
 * tls: the client side of wolfSSL on a socket that already exists. wolfSSL
 * moves its bytes through our own IO callbacks, so every record that crosses
 * the wire is seen (and reported) as an eavesdropper would see it.
 * Verification runs in observing mode: a verify callback records what went
 * wrong and lets the handshake go on; the name is checked separately.
 *
 * The record scanner (record.h) follows both directions for the observer;
 * the certificates the server sent are read by x509.h into cert.h's model.
 *
 * This build of wolfSSL has no client renegotiation (HAVE_SECURE_RENEGOTIATION
 * is off), so a server's request to renegotiate is never honoured.
 */
#include <wolfssl/options.h>
#include <wolfssl/ssl.h>
#include <wolfssl/error-ssl.h>

#include "tls.h"
#include "tls_int.h"

#include "escape.h"
#include "keylog.h"
#include "record.h"
#include "util.h"
#include "x509.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#define TLS_CAFILE_MAX (4u << 20) /* a CA bundle is a few hundred KiB */
#define TLS_BUNDLE "/etc/ssl/certs/ca-certificates.crt"
#define TLS_WRITE_WAIT_MS 5000
#define TLS_SELF_SIGNED 18 /* X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT */
#define TLS_NO_LOCAL_ISSUER 20

/* One direction of the wire, cut back into records. */
struct tls_stream {
	struct tls_conn *tc;
	enum tls_dir dir;
	struct record_scanner scan;
	int alert_level, alert_desc; /* last plaintext alert, -1 if none */
};

struct tls_conn {
	int fd;
	WOLFSSL_CTX *ctx;
	WOLFSSL *ssl;
	struct tls_observer obs;
	struct tls_stream in, out;
	bool eof, reset;
	int sock_errno;
	bool started, done, failed;
	double t0_ms; /* when the handshake started, util_now_ms */
	double handshake_ms;
	unsigned hs_records_in, hs_records_out; /* counted when the handshake ends */
	size_t hs_bytes_in, hs_bytes_out;
	char sni[256];
	char verify_name[256];
	bool verify_name_is_ip;
	struct keylog *keylog;
	struct tls_view *view;   /* the handshake's messages, TLS 1.3's decrypted */
	char *alpn;              /* the protocols offered by ALPN, or NULL */
	bool resume_offered;     /* a session of an earlier connection was offered */
	struct tls_verify_memo resume_memo; /* what that connection proved */
	int chain_skip;          /* certificates of that connection before this one's */
	bool hello_pending;      /* a TLS 1.2 session offered: its ServerHello to check */
	unsigned long hello_record; /* the ServerHello's record number, to check */
	struct clientcert cc;    /* the client certificate: loaded, asked for */
	char note[TLS_NOTE_MAX]; /* for the summary: a key log not written */
	int first_code, first_depth;
	bool code_seen[TLS_CODES];
	bool code_other; /* an error code beyond the table was seen */
};

/* wolfSSL_Init is once per process, not per session: the one piece of
 * state here that every connection shares. */
static bool tls_initialised;

void
tls_set_cause(char **cause, char *msg)
{
	if (cause != NULL) {
		free(*cause);
		*cause = msg;
	} else {
		free(msg);
	}
}

/* An alert description in words, also for numbers without a name. */
static const char *
tls_alert_text(int desc)
{
	const char *name =
	    desc >= 0 && desc < 256 ? record_alert_name((unsigned char)desc) : NULL;
	return name != NULL ? name : "unknown alert";
}

/* Verification problems in words, by X509_V_ERR number. */
static const char *const tls_verify_words[TLS_CODES] = {
    [2] = "the issuer certificate could not be found",
    [4] = "the certificate signature could not be decrypted",
    [6] = "the issuer's public key could not be decoded",
    [7] = "the certificate signature is invalid",
    [9] = "the certificate is not yet valid",
    [10] = "the certificate has expired",
    [17] = "verification ran out of memory",
    [18] = "the certificate is self-signed and not trusted",
    [19] = "the chain ends in a self-signed certificate that is not trusted",
    [20] = "the issuer is not in the trust store (unable to get local issuer certificate)",
    [21] = "the leaf's signature could not be verified (no issuer found)",
    [22] = "the certificate chain is too long",
    [23] = "the certificate has been revoked",
    [24] = "an issuing certificate is not a valid CA",
    [25] = "the chain is longer than a CA allows (path length exceeded)",
    [26] = "the certificate is not meant for this purpose",
    [27] = "the certificate is not trusted",
    [28] = "the certificate is rejected",
    [29] = "the subject and issuer names do not chain",
    [30] = "the authority and subject key identifiers do not match",
    [32] = "the issuer may not sign certificates (key usage)",
    [34] = "the certificate has an unknown critical extension",
    [39] = "the key may not be used for digital signatures",
    [50] = "the certificate was rejected by the application",
};

/* wolfSSL reports date problems with the numbers OpenSSL uses for malformed
 * date fields; callers get the usual meaning. */
static const struct {
	int from, to;
} tls_code_fixes[] = {
    {13, 9},  /* notBefore in the future */
    {14, 10}, /* notAfter in the past */
};

/* Codes that mean no trusted root was reached. */
static const int tls_untrusted_codes[] = {2, 18, 19, 20, 21, 27};

/* A verification error code in words. */
static void
tls_verify_text(int code, char *buf, size_t size)
{
	if (code > 0 && code < TLS_CODES && tls_verify_words[code] != NULL)
		snprintf(buf, size, "%s", tls_verify_words[code]);
	else
		snprintf(buf, size, "certificate verification failed (error %d)", code);
}

/* True when the certificate being verified names itself as its issuer. Builds
 * without OPENSSL_ALL report such a certificate as having no local issuer;
 * OpenSSL and the system's wolfSSL say self-signed (18): so does startle. */
static bool
tls_is_self_signed(WOLFSSL_X509_STORE_CTX *store)
{
	WOLFSSL_X509 *x = wolfSSL_X509_STORE_CTX_get_current_cert(store);
	WOLFSSL_X509_NAME *subject = x != NULL ? wolfSSL_X509_get_subject_name(x) : NULL;
	WOLFSSL_X509_NAME *issuer = x != NULL ? wolfSSL_X509_get_issuer_name(x) : NULL;

	return subject != NULL && issuer != NULL &&
	       wolfSSL_X509_NAME_cmp(subject, issuer) == 0;
}

/* Records the first verification problem and every kind seen; the
 * handshake always goes on. */
static int
tls_verify_cb(int ok, WOLFSSL_X509_STORE_CTX *store)
{
	struct tls_conn *tc = store != NULL ? store->userCtx : NULL;

	if (ok || tc == NULL)
		return 1;
	int code = wolfSSL_X509_STORE_CTX_get_error(store);
	if (code == 0)
		code = 27;
	for (size_t i = 0; i < sizeof(tls_code_fixes) / sizeof(tls_code_fixes[0]); i++) {
		if (tls_code_fixes[i].from == code)
			code = tls_code_fixes[i].to;
	}
	if (code == TLS_NO_LOCAL_ISSUER && tls_is_self_signed(store))
		code = TLS_SELF_SIGNED;
	if (tc->first_code == 0) {
		tc->first_code = code;
		tc->first_depth = wolfSSL_X509_STORE_CTX_get_error_depth(store);
	}
	if (code > 0 && code < TLS_CODES)
		tc->code_seen[code] = true;
	else
		tc->code_other = true;
	return 1;
}

/* Shows one record to the observer, and remembers a plaintext alert for
 * the error sentence. */
static void
tls_on_record(void *arg, const struct record *r)
{
	struct tls_stream *s = arg;
	struct tls_conn *tc = s->tc;
	struct tls_record rec = {.dir = s->dir,
	                         .type = r->type,
	                         .version = r->version,
	                         .length = r->length,
	                         .head_len = r->head_len,
	                         .hs_type = r->hs_type,
	                         .readable = r->readable};

	memcpy(rec.head, r->head, r->head_len);
	if (r->type == RECORD_ALERT && r->readable && r->length == 2 && r->head_len == 2) {
		s->alert_level = r->head[0];
		s->alert_desc = r->head[1];
	}
	if (tc->obs.record != NULL)
		tc->obs.record(tc->obs.arg, &rec);
}

/* Each record's body, as the scanner hands it out: to the view of the
 * handshake (tls_int.h), which reads its messages and decrypts TLS 1.3's. */
static void
tls_on_body(void *arg, const struct record *r, const unsigned char *p, size_t n, bool end)
{
	struct tls_stream *s = arg;
	struct tls_conn *tc = s->tc;

	tls_view_body(tc->view, s->dir, r, p, n, end);
	if (end && s->dir == TLS_DIR_IN && tc->hello_pending && r->hs_type == 2) {
		tc->hello_pending = false; /* checked once this read is scanned */
		tc->hello_record = tc->in.scan.records;
	}
}

/* Feeds bytes seen on the wire in one direction. TLS 1.3 encrypts into
 * application_data records, so a handshake record after its compatibility
 * change_cipher_spec is still plain; in TLS 1.2 it is encrypted. */
static void
tls_stream_feed(struct tls_stream *s, const unsigned char *p, size_t n)
{
	s->scan.plain_after_ccs = wolfSSL_version(s->tc->ssl) == TLS1_3_VERSION;
	record_scan_feed(&s->scan, p, n);
}

/* An empty stream for one direction, waiting for a record header. */
static void
tls_stream_init(struct tls_stream *s, struct tls_conn *tc, enum tls_dir dir)
{
	memset(s, 0, sizeof(*s));
	s->tc = tc;
	s->dir = dir;
	s->alert_level = -1;
	s->alert_desc = -1;
	record_scan_init(&s->scan, tls_on_record, s);
	s->scan.on_body = tls_on_body;
}

/* wolfSSL's receive hook: reads the socket and shows what arrived. */
static int
tls_io_recv(WOLFSSL *ssl, char *buf, int sz, void *ctx)
{
	struct tls_conn *tc = ctx;
	(void)ssl;

	ssize_t n = recv(tc->fd, buf, (size_t)sz, 0);
	if (n > 0) {
		if (!tc->done)
			tc->hs_bytes_in += (size_t)n;
		tls_stream_feed(&tc->in, (const unsigned char *)buf, (size_t)n);
		if (tc->hello_record > 0) { /* before the library reads the ServerHello */
			tls_opts_server_hello(tc->ssl, tc->fd, &tc->in.scan,
			                      tc->hello_record);
			tc->hello_record = 0;
		}
		return (int)n;
	}
	if (n == 0) {
		tc->eof = true;
		return WOLFSSL_CBIO_ERR_CONN_CLOSE;
	}
	if (errno == EAGAIN || errno == EWOULDBLOCK)
		return WOLFSSL_CBIO_ERR_WANT_READ;
	if (errno == EINTR)
		return WOLFSSL_CBIO_ERR_ISR;
	if (errno == ECONNRESET) {
		tc->reset = true;
		return WOLFSSL_CBIO_ERR_CONN_RST;
	}
	tc->sock_errno = errno;
	return WOLFSSL_CBIO_ERR_GENERAL;
}

/* wolfSSL's send hook: writes the socket (never raising SIGPIPE) and shows
 * what left. */
static int
tls_io_send(WOLFSSL *ssl, char *buf, int sz, void *ctx)
{
	struct tls_conn *tc = ctx;
	(void)ssl;

	ssize_t n = send(tc->fd, buf, (size_t)sz, MSG_NOSIGNAL);
	if (n >= 0) {
		if (!tc->done)
			tc->hs_bytes_out += (size_t)n;
		tls_stream_feed(&tc->out, (const unsigned char *)buf, (size_t)n);
		return (int)n;
	}
	if (errno == EAGAIN || errno == EWOULDBLOCK)
		return WOLFSSL_CBIO_ERR_WANT_WRITE;
	if (errno == EINTR)
		return WOLFSSL_CBIO_ERR_ISR;
	if (errno == EPIPE) {
		tc->eof = true;
		return WOLFSSL_CBIO_ERR_CONN_CLOSE;
	}
	if (errno == ECONNRESET) {
		tc->reset = true;
		return WOLFSSL_CBIO_ERR_CONN_RST;
	}
	tc->sock_errno = errno;
	return WOLFSSL_CBIO_ERR_GENERAL;
}

int
tls_global_init(char **cause)
{
	if (tls_initialised)
		return 0;
	if (wolfSSL_Init() != WOLFSSL_SUCCESS) {
		tls_set_cause(
		    cause,
		    str_printf("the TLS library (wolfSSL) could not be initialised"));
		return -1;
	}
	tls_initialised = true;
	return 0;
}

/* Loads the certificates to trust: the given PEM file, else the system's. */
static int
tls_load_trust(WOLFSSL_CTX *ctx, const char *cafile, char **cause)
{
	if (cafile != NULL) {
		FILE *f = fopen(cafile, "r");
		if (f == NULL) {
			tls_set_cause(cause, str_printf("cannot read the CA file %s: %s",
			                                cafile, strerror(errno)));
			return -1;
		}
		fclose(f);
		if (wolfSSL_CTX_load_verify_locations(ctx, cafile, NULL) !=
		    WOLFSSL_SUCCESS) {
			tls_set_cause(
			    cause,
			    str_printf("the CA file %s holds no usable PEM certificate",
			               cafile));
			return -1;
		}
		return 0;
	}
	if (wolfSSL_CTX_load_verify_locations(ctx, TLS_BUNDLE, NULL) == WOLFSSL_SUCCESS)
		return 0;
	/* Without any trust anchor every chain is reported as untrusted. */
	(void)wolfSSL_CTX_load_system_CA_certs(ctx);
	return 0;
}

int
tls_check_cafile(const char *path, char **cause)
{
	char *text = NULL;
	size_t len = 0;
	int rc = -1;

	if (util_read_text_file(path, TLS_CAFILE_MAX, "pem", false, &text, &len, cause) !=
	    0)
		return -1;
	WOLFSSL_CTX *ctx = wolfSSL_CTX_new(wolfSSLv23_client_method());
	if (ctx == NULL) {
		*cause = str_printf("the TLS library could not create a context");
	} else if (wolfSSL_CTX_load_verify_buffer(ctx, (const unsigned char *)text,
	                                          (long)len, WOLFSSL_FILETYPE_PEM) !=
	           WOLFSSL_SUCCESS) {
		util_file_error(cause, path, 0,
		                "holds no usable PEM certificate: give --cafile a file of "
		                "-----BEGIN CERTIFICATE----- blocks");
	} else {
		rc = 0;
	}
	if (ctx != NULL)
		wolfSSL_CTX_free(ctx);
	free(text);
	return rc;
}

/* Bounded copy into a fixed field; NULL becomes "". */
static void
tls_copy(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src != NULL ? src : "");
}

/* A client context with the configured versions, trust and the observing
 * verify callback. */
static int
tls_make_ctx(struct tls_conn *tc, const struct tls_config *cfg, char **cause)
{
	tc->ctx = wolfSSL_CTX_new(wolfSSLv23_client_method());
	if (tc->ctx == NULL) {
		tls_set_cause(
		    cause, str_printf("the TLS library could not create a client context"));
		return -1;
	}
	if (tls_opts_ctx(tc->ctx, cfg, cause) != 0 ||
	    tls_load_trust(tc->ctx, cfg->cafile, cause) != 0)
		return -1;
	wolfSSL_CTX_set_verify(tc->ctx, WOLFSSL_VERIFY_PEER, tls_verify_cb);
	return 0;
}

/* Opens the key log file, if one is configured, for appending. */
static int
tls_open_keylog(struct tls_conn *tc, const char *path, char **cause)
{
	char *why = NULL;

	if (path == NULL)
		return 0;
	tc->keylog = keylog_open(path, &why);
	if (tc->keylog == NULL) {
		tls_set_cause(cause, why);
		return -1;
	}
	return 0;
}

#ifdef HAVE_SECRET_CALLBACK
/* Each TLS 1.3 secret as the library derives it: to the key log and to the
 * decryptor of the encrypted handshake. Never fails the handshake. */
static int
tls_secret_cb(WOLFSSL *ssl, int id, const unsigned char *secret, int size, void *arg)
{
	struct tls_conn *tc = arg;

	if (size <= 0)
		return 0;
	keylog_tls13_secret(tc->keylog, ssl, id, secret, (size_t)size);
	tls_view_secret(tc->view, ssl, id, secret, (size_t)size);
	return 0;
}
#endif

/* Keeps what the summary and a resumed handshake need of the offer: the
 * ALPN list, and what the connection that left the session proved. */
static void
tls_conn_resume_offer(struct tls_conn *tc, const struct tls_config *cfg)
{
	tc->alpn = cfg->alpn != NULL ? xstrdup(cfg->alpn) : NULL;
	tc->resume_offered = cfg->resume != NULL;
	tc->hello_pending = tls_opts_ticket_is_tls12(cfg->resume);
	if (cfg->resume != NULL)
		tc->resume_memo = cfg->resume->memo;
}

/* A resumed handshake sends no certificate: its verdict is the one the
 * first connection reached. */
static void
tls_conn_recall(struct tls_conn *tc)
{
	tc->first_code = tc->resume_memo.first_code;
	tc->first_depth = tc->resume_memo.first_depth;
	memcpy(tc->code_seen, tc->resume_memo.code_seen, sizeof tc->code_seen);
	tc->code_other = tc->resume_memo.code_other;
}

struct tls_ticket *
tls_ticket_take(struct tls_conn *tc)
{
	if (tc == NULL || tc->ssl == NULL || !tc->done || tc->failed)
		return NULL;
	struct tls_verify_memo m = {.first_code = tc->first_code,
	                            .first_depth = tc->first_depth,
	                            .code_other = tc->code_other};
	memcpy(m.code_seen, tc->code_seen, sizeof m.code_seen);
	tls_opts_chain_memo(tc->ssl, tc->chain_skip, &m);
	return tls_opts_ticket(tc->ssl, &m, tc->verify_name);
}

/* The session: the groups, ALPN and session to resume the configuration
 * asks for (tls_opts.c), and our IO hooks in place of the socket. */
static int
tls_make_session(struct tls_conn *tc, const struct tls_config *cfg, char **cause)
{
	tc->ssl = wolfSSL_new(tc->ctx);
	if (tc->ssl == NULL) {
		tls_set_cause(cause,
		              str_printf("the TLS library could not create a session"));
		return -1;
	}
	if (tls_opts_session(tc->ssl, cfg, cause) != 0)
		return -1;
	tls_conn_resume_offer(tc, cfg);
	keylog_attach(tc->keylog, tc->ssl);
#ifdef HAVE_SECRET_CALLBACK
	tc->view = tls_view_new(&tc->obs, true);
	(void)wolfSSL_set_tls13_secret_cb(tc->ssl, tls_secret_cb, tc);
#else
	tc->view = tls_view_new(&tc->obs, false);
#endif
	wolfSSL_SetCertCbCtx(tc->ssl, tc);
	wolfSSL_SSLSetIORecv(tc->ssl, tls_io_recv);
	wolfSSL_SSLSetIOSend(tc->ssl, tls_io_send);
	wolfSSL_SetIOReadCtx(tc->ssl, tc);
	wolfSSL_SetIOWriteCtx(tc->ssl, tc);
	return 0;
}

bool
tls_client_cert_refused(struct tls_conn *tc)
{
	return tc != NULL && tc->cc.requested && !tc->cc.loaded &&
	       (tc->eof || tc->reset || tc->in.alert_level == 2);
}

struct clientcert *
tls_clientcert_of(WOLFSSL *ssl)
{
	struct tls_conn *tc = ssl != NULL ? wolfSSL_GetIOReadCtx(ssl) : NULL;
	return tc != NULL ? &tc->cc : NULL;
}

/* Sends the server name as SNI, unless it is empty or an address (SNI
 * carries host names only). */
static int
tls_set_sni(struct tls_conn *tc, const char *sni, char **cause)
{
	if (sni == NULL || sni[0] == '\0' || util_is_ip_literal(sni))
		return 0;
	size_t len = strlen(sni);
	if (len >= sizeof(tc->sni) ||
	    wolfSSL_UseSNI(tc->ssl, WOLFSSL_SNI_HOST_NAME, sni, (unsigned short)len) !=
	        WOLFSSL_SUCCESS) {
		tls_set_cause(cause,
		              str_printf("the server name %s cannot be sent as SNI", sni));
		return -1;
	}
	tls_copy(tc->sni, sizeof(tc->sni), sni);
	return 0;
}

struct tls_conn *
tls_new(int fd, const struct tls_config *cfg, const struct tls_observer *obs, char **cause)
{
	static const struct tls_config defaults;

	if (tls_global_init(cause) != 0)
		return NULL;
	if (cfg == NULL)
		cfg = &defaults;

	struct tls_conn *tc = xcalloc(1, sizeof(*tc));
	tc->fd = fd;
	tc->first_depth = -1;
	/* Small handshake flights must not wait for Nagle (not a TCP socket: no-op). */
	int one = 1;
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	tls_stream_init(&tc->in, tc, TLS_DIR_IN);
	tls_stream_init(&tc->out, tc, TLS_DIR_OUT);
	if (obs != NULL)
		tc->obs = *obs;
	tls_copy(tc->verify_name, sizeof(tc->verify_name), cfg->verify_name);
	tc->verify_name_is_ip = cfg->verify_name_is_ip;

	if (tls_make_ctx(tc, cfg, cause) != 0 ||
	    clientcert_load(tc->ctx, cfg->client_cert, cfg->client_key, &tc->cc, cause) != 0 ||
	    tls_open_keylog(tc, cfg->keylog, cause) != 0 ||
	    tls_make_session(tc, cfg, cause) != 0 ||
	    tls_set_sni(tc, cfg->sni, cause) != 0 ||
	    staple_request(tc->ctx, tc->ssl, cause) != 0) {
		tls_free(tc); /* the handshake never started: nothing is sent */
		return NULL;
	}
	return tc;
}

/* Reads (without waiting) more of what the server sent after bytes that
 * are not TLS, so that the error can show them. */
static void
tls_read_more_garbage(struct tls_conn *tc)
{
	struct record_scanner *sc = &tc->in.scan;
	unsigned char buf[RECORD_BAD_MAX];

	while (sc->bad_len < RECORD_BAD_MAX) {
		ssize_t n = recv(tc->fd, buf, RECORD_BAD_MAX - sc->bad_len, MSG_DONTWAIT);
		if (n <= 0)
			break;
		record_scan_feed(sc, buf, (size_t)n);
	}
}

/* wolfSSL failures that deserve a sentence of their own. */
static const struct {
	int err;
	const char *text;
} tls_error_words[] = {
    {VERSION_ERROR, "the server answered with a TLS version outside the allowed range"},
    {MATCH_SUITE_ERROR, "the server and this client have no cipher suite in common"},
    {VERIFY_SIGN_ERROR, "the server's handshake signature does not verify"},
    {SIG_VERIFY_E, "the server's handshake signature does not verify"},
    {VERIFY_MAC_ERROR, "a record from the server failed its integrity check"},
    {DECRYPT_ERROR, "a record from the server could not be decrypted"},
    {VERIFY_FINISHED_ERROR, "the server's Finished message does not match the handshake"},
    {ECC_KEY_SIZE_E, "the server's EC key is too small to be accepted"},
    {RSA_KEY_SIZE_E, "the server's RSA key is too small to be accepted"},
    {DH_KEY_SIZE_E, "the server's Diffie-Hellman group is too small to be accepted"},
    {NO_PEER_CERT, "the server sent no certificate"},
    {OUT_OF_ORDER_E, "the server sent handshake messages out of order"},
    {SANITY_MSG_E, "the server sent handshake messages out of order"},
    {DUPLICATE_MSG_E, "the server sent a handshake message twice"},
    {BUFFER_ERROR, "the server sent a malformed handshake message"},
    {SECURE_RENEGOTIATION_E, "the server's renegotiation information is invalid"},
};

/* Says what the server had sent so far, for errors. */
static void
tls_sent_so_far(struct tls_conn *tc, char *buf, size_t size)
{
	if (tc->in.scan.bytes == 0)
		snprintf(buf, size, "before sending anything");
	else
		snprintf(buf, size, "after sending %llu bytes in %lu TLS record%s",
		         (unsigned long long)tc->in.scan.bytes, tc->in.scan.records,
		         tc->in.scan.records == 1 ? "" : "s");
}

/* Turns a failure into a sentence: what the server did, in words. */
static char *
tls_failure_text(struct tls_conn *tc, int err, const char *when)
{
	char sofar[96];
	WOLFSSL_ALERT_HISTORY hist;

	if (tc->in.scan.broken) {
		tls_read_more_garbage(tc);
		unsigned char peek;
		bool more = tc->in.scan.bad_len == RECORD_BAD_MAX &&
		            recv(tc->fd, &peek, 1, MSG_DONTWAIT | MSG_PEEK) == 1;
		char *esc = escape_bytes(tc->in.scan.bad, tc->in.scan.bad_len, ESCAPE_TEXT);
		if (esc == NULL)
			fatal("out of memory");
		char *text =
		    tc->in.scan.records == 0
		        ? str_printf(
		              "the server answered with bytes that are not TLS: \"%s\"%s",
		              esc, more ? "..." : "")
		        : str_printf("the server sent bytes that are not TLS %s: \"%s\"%s",
		                     when, esc, more ? "..." : "");
		free(esc);
		return text;
	}

	int level = tc->in.alert_level, desc = tc->in.alert_desc;
	memset(&hist, 0, sizeof(hist));
	if (wolfSSL_get_alert_history(tc->ssl, &hist) == WOLFSSL_SUCCESS &&
	    hist.last_rx.code > 0) {
		level = hist.last_rx.level;
		desc = hist.last_rx.code;
	}
	if (desc > 0 && level == 2)
		return str_printf("the server sent a fatal alert %s: %s (%d)%s", when,
		                  tls_alert_text(desc), desc, clientcert_hint(&tc->cc, desc));

	tls_sent_so_far(tc, sofar, sizeof(sofar));
	if (tc->reset)
		return str_printf("the server reset the connection %s, %s%s", when, sofar,
		                  clientcert_hint(&tc->cc, -1));
	if (tc->eof)
		return str_printf("the server closed the connection %s, %s%s", when, sofar,
		                  clientcert_hint(&tc->cc, -1));
	if (tc->sock_errno != 0)
		return str_printf("the socket failed %s: %s", when,
		                  strerror(tc->sock_errno));

	const char *lib = wolfSSL_ERR_reason_error_string((unsigned long)err);
	const char *words = NULL;
	if (lib == NULL || lib[0] == '\0')
		lib = "unknown error";
	for (size_t i = 0; i < sizeof(tls_error_words) / sizeof(tls_error_words[0]); i++) {
		if (tls_error_words[i].err == err)
			words = tls_error_words[i].text;
	}
	if (words != NULL)
		return str_printf("TLS failed %s: %s (wolfSSL: %s, %d), %s", when, words,
		                  lib, err, sofar);
	return str_printf("TLS failed %s: %s (wolfSSL error %d), %s", when, lib, err,
	                  sofar);
}

int
tls_handshake(struct tls_conn *tc, char **cause)
{
	if (tc->done)
		return TLS_OK;
	if (tc->failed) {
		tls_set_cause(cause, str_printf("the TLS handshake has already failed"));
		return TLS_ERROR;
	}
	if (!tc->started) {
		tc->started = true;
		tc->t0_ms = util_now_ms();
	}
	int ret = wolfSSL_connect(tc->ssl);
	if (ret == WOLFSSL_SUCCESS) {
		tc->handshake_ms = util_now_ms() - tc->t0_ms;
		tc->done = true;
		tc->hs_records_in = (unsigned)tc->in.scan.records;
		tc->hs_records_out = (unsigned)tc->out.scan.records;
		tls_view_finish(tc->view, tc->ssl);
		if (tc->resume_offered && wolfSSL_session_reused(tc->ssl) == 1)
			tls_conn_recall(tc);
		else if (tc->resume_offered)
			tc->chain_skip = tls_opts_chain_skip(tc->ssl, &tc->resume_memo);
		char *note = keylog_finish(tc->keylog, tc->ssl);
		tls_copy(tc->note, sizeof(tc->note), note);
		free(note);
		return TLS_OK;
	}
	int err = wolfSSL_get_error(tc->ssl, ret);
	if (err == WOLFSSL_ERROR_WANT_READ)
		return TLS_WANT_READ;
	if (err == WOLFSSL_ERROR_WANT_WRITE)
		return TLS_WANT_WRITE;
	tc->failed = true;
	tls_set_cause(cause, tls_failure_text(tc, err, "during the handshake"));
	return TLS_ERROR;
}

ssize_t
tls_read(struct tls_conn *tc, void *buf, size_t len, char **cause)
{
	if (len == 0)
		return 0;
	int n = wolfSSL_read(tc->ssl, buf, len > INT32_MAX ? INT32_MAX : (int)len);
	if (n > 0)
		return n;
	int err = wolfSSL_get_error(tc->ssl, n);
	if (err == WOLFSSL_ERROR_WANT_READ)
		return TLS_WANT_READ;
	if (err == WOLFSSL_ERROR_WANT_WRITE)
		return TLS_WANT_WRITE;
	if (err == WOLFSSL_ERROR_ZERO_RETURN ||
	    (wolfSSL_get_shutdown(tc->ssl) & WOLFSSL_RECEIVED_SHUTDOWN))
		return TLS_CLOSED;
	if (tc->eof && !tc->in.scan.broken)
		return TLS_EOF;
	tls_set_cause(cause, tls_failure_text(tc, err, "while reading"));
	return TLS_ERROR;
}

ssize_t
tls_write(struct tls_conn *tc, const void *buf, size_t len, char **cause)
{
	if (len == 0)
		return 0;
	if (len > INT32_MAX) {
		tls_set_cause(cause,
		              str_printf("a single write of %zu bytes is too large", len));
		return TLS_ERROR;
	}
	for (;;) {
		int n = wolfSSL_write(tc->ssl, buf, (int)len);
		if (n > 0)
			return n;
		int err = wolfSSL_get_error(tc->ssl, n);
		if (err != WOLFSSL_ERROR_WANT_READ && err != WOLFSSL_ERROR_WANT_WRITE) {
			tls_set_cause(cause, tls_failure_text(tc, err, "while writing"));
			return TLS_ERROR;
		}
		struct pollfd pfd = {.fd = tc->fd,
		                     .events =
		                         err == WOLFSSL_ERROR_WANT_READ ? POLLIN : POLLOUT};
		int r;
		do
			r = poll(&pfd, 1, TLS_WRITE_WAIT_MS);
		while (r < 0 && errno == EINTR);
		if (r == 0) {
			tls_set_cause(
			    cause,
			    str_printf("the connection accepted no data for %d seconds",
			               TLS_WRITE_WAIT_MS / 1000));
			return TLS_ERROR;
		}
		if (r < 0) {
			tls_set_cause(cause, str_printf("waiting for the socket failed: %s",
			                                strerror(errno)));
			return TLS_ERROR;
		}
	}
}

bool
tls_pending(struct tls_conn *tc)
{
	return tc != NULL && tc->ssl != NULL && wolfSSL_pending(tc->ssl) > 0;
}

void
tls_get_summary(struct tls_conn *tc, struct tls_summary *sum)
{
	memset(sum, 0, sizeof(*sum));
	if (tc == NULL || tc->ssl == NULL)
		return;
	tls_copy(sum->sni, sizeof(sum->sni), tc->sni);
	tls_copy(sum->note, sizeof(sum->note), tc->note);
	sum->records_in = tc->done ? tc->hs_records_in : (unsigned)tc->in.scan.records;
	sum->records_out = tc->done ? tc->hs_records_out : (unsigned)tc->out.scan.records;
	sum->bytes_in = tc->hs_bytes_in;
	sum->bytes_out = tc->hs_bytes_out;
	sum->client_cert_requested = tc->cc.requested;
	sum->client_cert_sent = tc->cc.requested && tc->cc.loaded;
	tls_copy(sum->client_cert_subject, sizeof(sum->client_cert_subject),
	         tc->cc.loaded ? tc->cc.subject : "");
	if (!tc->done)
		return;
	sum->handshake_ms = tc->handshake_ms;
	tls_copy(sum->version, sizeof(sum->version), wolfSSL_get_version(tc->ssl));
	int suite = wolfSSL_get_current_cipher_suite(tc->ssl);
	if (suite >= 0)
		tls_copy(sum->cipher, sizeof(sum->cipher),
		         wolfSSL_get_cipher_name_iana_from_suite(
		             (unsigned char)(suite >> 8), (unsigned char)(suite & 0xff)));
	tls_copy(sum->group, sizeof(sum->group), wolfSSL_get_curve_name(tc->ssl));
	sum->resumed = wolfSSL_session_reused(tc->ssl) == 1;
	tls_view_summary(tc->view, tc->ssl, sum);
	tls_opts_summary(tc->ssl, tc->alpn, sum);
	sum->resume_offered = tc->resume_offered;
}

size_t
tls_get_chain(struct tls_conn *tc, struct cert_info *certs, size_t max)
{
	if (tc == NULL || tc->ssl == NULL || !tc->done)
		return 0;
	WOLFSSL_X509_CHAIN *chain = wolfSSL_get_peer_chain(tc->ssl);
	int count = chain != NULL ? wolfSSL_get_chain_count(chain) : 0;
	size_t n = 0;

	for (int i = tc->chain_skip; i < count && n < max && n < CERT_CHAIN_MAX; i++) {
		int len = wolfSSL_get_chain_length(chain, i);
		if (x509_cert_from_der(wolfSSL_get_chain_cert(chain, i),
		                       len > 0 ? (size_t)len : 0, (int)n, &certs[n]))
			n++;
	}
	return n;
}

void
tls_get_verdict(struct tls_conn *tc, struct cert_verdict *v)
{
	struct cert_info chain[CERT_CHAIN_MAX];

	memset(v, 0, sizeof(*v));
	v->verify_error_depth = -1;
	if (tc == NULL)
		return;
	tls_copy(v->name_checked, sizeof(v->name_checked), tc->verify_name);
	size_t n = tls_get_chain(tc, chain, CERT_CHAIN_MAX);
	bool any_error = tc->first_code != 0;

	v->verified = tc->done && n > 0 && !any_error;
	if (any_error) {
		v->verify_error_code = tc->first_code;
		v->verify_error_depth = tc->first_depth;
		tls_verify_text(tc->first_code, v->verify_error, sizeof(v->verify_error));
	} else if (!v->verified) {
		snprintf(v->verify_error, sizeof(v->verify_error), "%s",
		         tc->done ? "the server presented no certificate"
		                  : "the handshake has not finished");
	}

	time_t now = time(NULL);
	v->expired = tc->code_seen[10];
	v->not_yet_valid = tc->code_seen[9];
	v->self_signed = tc->code_seen[18] || (n > 0 && chain[0].self_signed);
	for (size_t i = 0; i < sizeof(tls_untrusted_codes) / sizeof(tls_untrusted_codes[0]);
	     i++)
		v->untrusted = v->untrusted || tc->code_seen[tls_untrusted_codes[i]];
	for (size_t i = 0; i < n; i++) {
		v->expired = v->expired || chain[i].not_after < now;
		v->not_yet_valid = v->not_yet_valid || chain[i].not_before > now;
		v->weak_key = v->weak_key || cert_key_is_weak(&chain[i]);
		v->weak_signature = v->weak_signature || cert_sig_is_weak(&chain[i]);
	}
	if (n > 0 && tc->verify_name[0] != '\0')
		x509_name_verdict(&chain[0], tc->verify_name, tc->verify_name_is_ip, v);
	staple_get(tc->ssl, tc->done, chain, n, &v->ocsp);
	for (size_t i = 0; i < n; i++)
		cert_info_free(&chain[i]);
}

void
tls_free(struct tls_conn *tc)
{
	if (tc == NULL)
		return;
	if (tc->ssl != NULL) {
		if (tc->done && !tc->failed && !tc->eof && !tc->reset)
			(void)wolfSSL_shutdown(tc->ssl);
		wolfSSL_free(tc->ssl);
	}
	if (tc->ctx != NULL)
		wolfSSL_CTX_free(tc->ctx);
	keylog_close(tc->keylog);
	tls_view_free(tc->view);
	free(tc->alpn);
	free(tc);
}

const char *
tls_record_message(const struct tls_record *r)
{
	if (r->type != RECORD_HANDSHAKE || !r->readable || r->head_len == 0)
		return NULL;
	return record_handshake_name(r->hs_type);
}

size_t
tls_get_encrypted_messages(struct tls_conn *tc, struct hsdecrypt_message *out, size_t max,
                           const char **problem)
{
	return tls_view_messages(tc != NULL ? tc->view : NULL, out, max, problem);
}
