/*
 * tls: real handshakes in one process. A wolfSSL server runs on one end of a
 * socketpair with certificates made at test time (a CA and leaves signed by
 * it); the client end goes through the tls API. Both ends are non-blocking
 * and driven alternately in one loop, bounded by a deadline.
 */
#include <wolfssl/options.h>
#include <wolfssl/ssl.h>
#include <wolfssl/wolfcrypt/asn_public.h>
#include <wolfssl/wolfcrypt/ecc.h>
#include <wolfssl/wolfcrypt/random.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "record.h"
#include "tls.h"

#define LAB_DEADLINE_MS 20000
#define DAY 86400

/* ---- certificates made at test time ---- */

struct lab_cert {
	ecc_key key;
	unsigned char der[4096];
	int der_len;
	unsigned char key_der[512];
	int key_len;
	time_t not_before, not_after;
	unsigned char serial[8];
};

struct lab_cert_spec {
	const char *cn;
	bool is_ca;
	const unsigned char *san_der; /* GeneralNames, DER */
	size_t san_len;
	time_t not_before, not_after;
	unsigned char serial_last;
};

static WC_RNG lab_rng;
static struct lab_cert lab_ca, lab_leaf, lab_expired, lab_selfsigned, lab_wronghost,
    lab_nulname;
static char lab_dir[64];
static char lab_ca_pem[128];

/* Appends a DER length. */
static size_t
der_len(unsigned char *out, size_t len)
{
	if (len < 128) {
		out[0] = (unsigned char)len;
		return 1;
	}
	if (len < 256) {
		out[0] = 0x81;
		out[1] = (unsigned char)len;
		return 2;
	}
	out[0] = 0x82;
	out[1] = (unsigned char)(len >> 8);
	out[2] = (unsigned char)len;
	return 3;
}

/* Builds GeneralNames from entries "DNS:..." / "IP4:a.b.c.d" (raw bytes
 * for DNS names, with their explicit length so that a NUL can be inside). */
struct san_entry {
	unsigned char tag; /* 0x82 dNSName, 0x87 iPAddress */
	const void *data;
	size_t len;
};

static size_t
make_sans(const struct san_entry *e, size_t n, unsigned char *out)
{
	unsigned char body[1024];
	size_t b = 0;
	for (size_t i = 0; i < n; i++) {
		body[b++] = e[i].tag;
		b += der_len(body + b, e[i].len);
		memcpy(body + b, e[i].data, e[i].len);
		b += e[i].len;
	}
	size_t o = 0;
	out[o++] = 0x30;
	o += der_len(out + o, b);
	memcpy(out + o, body, b);
	return o + b;
}

/* A UTCTime as DER, the form wolfSSL's Cert.beforeDate wants. */
static int
der_time(time_t t, unsigned char *out)
{
	struct tm tm;
	gmtime_r(&t, &tm);
	out[0] = 0x17;
	out[1] = 13;
	char text[64];
	snprintf(text, sizeof(text), "%02d%02d%02d%02d%02d%02dZ", tm.tm_year % 100,
	         tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
	memcpy(out + 2, text, 13);
	return 15;
}

/* Makes a P-256 key and a certificate for it, signed by issuer (or by
 * itself when issuer is NULL). */
static void
lab_make_cert(struct lab_cert *c, const struct lab_cert_spec *spec, struct lab_cert *issuer)
{
	Cert *cert = calloc(1, sizeof(*cert));
	assert_non_null(cert);
	assert_int_equal(wc_ecc_init(&c->key), 0);
	assert_int_equal(wc_ecc_make_key_ex(&lab_rng, 32, &c->key, ECC_SECP256R1), 0);
	assert_int_equal(wc_InitCert(cert), 0);
	snprintf(cert->subject.commonName, CTC_NAME_SIZE, "%s", spec->cn);
	snprintf(cert->subject.org, CTC_NAME_SIZE, "%s", "startle test");
	cert->isCA = spec->is_ca;
	cert->sigType = CTC_SHA256wECDSA;
	memset(c->serial, 0x11, sizeof(c->serial));
	c->serial[0] = 0x4a;
	c->serial[7] = spec->serial_last;
	memcpy(cert->serial, c->serial, sizeof(c->serial));
	cert->serialSz = sizeof(c->serial);
	c->not_before = spec->not_before;
	c->not_after = spec->not_after;
	cert->beforeDateSz = der_time(spec->not_before, cert->beforeDate);
	cert->afterDateSz = der_time(spec->not_after, cert->afterDate);
	if (spec->san_len > 0) {
		memcpy(cert->altNames, spec->san_der, spec->san_len);
		cert->altNamesSz = (int)spec->san_len;
	}
	assert_int_equal(wc_SetSubjectKeyIdFromPublicKey_ex(cert, ECC_TYPE, &c->key), 0);
	if (spec->is_ca) {
		assert_int_equal(
		    wc_SetKeyUsage(cert, "keyCertSign,cRLSign,digitalSignature"), 0);
	} else {
		assert_int_equal(wc_SetKeyUsage(cert, "digitalSignature,keyEncipherment"),
		                 0);
		assert_int_equal(wc_SetExtKeyUsage(cert, "serverAuth"), 0);
	}
	struct lab_cert *signer = issuer != NULL ? issuer : c;
	if (issuer != NULL) {
		assert_int_equal(wc_SetIssuerBuffer(cert, issuer->der, issuer->der_len), 0);
		assert_int_equal(
		    wc_SetAuthKeyIdFromPublicKey_ex(cert, ECC_TYPE, &issuer->key), 0);
	} else {
		memcpy(&cert->issuer, &cert->subject, sizeof(cert->issuer));
		assert_int_equal(wc_SetAuthKeyIdFromPublicKey_ex(cert, ECC_TYPE, &c->key),
		                 0);
	}
	int r = wc_MakeCert_ex(cert, c->der, sizeof(c->der), ECC_TYPE, &c->key, &lab_rng);
	assert_true(r > 0);
	c->der_len = wc_SignCert_ex(cert->bodySz, cert->sigType, c->der, sizeof(c->der),
	                            ECC_TYPE, &signer->key, &lab_rng);
	assert_true(c->der_len > 0);
	c->key_len = wc_EccKeyToDer(&c->key, c->key_der, sizeof(c->key_der));
	assert_true(c->key_len > 0);
	free(cert);
}

/* Writes a certificate as PEM into the lab directory. */
static void
lab_write_pem(const struct lab_cert *c, const char *path)
{
	unsigned char pem[8192];
	int n = wc_DerToPem(c->der, (word32)c->der_len, pem, sizeof(pem), CERT_TYPE);
	assert_true(n > 0);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(pem, 1, (size_t)n, f), (size_t)n);
	fclose(f);
}

/* Makes a self-signed leaf with the openssl command line into
 * DIR/NAME.pem and DIR/NAME.key, for key types wolfCrypt is slow to make. */
static void
lab_openssl_leaf(const char *name, const char *newkey)
{
	char cmd[512];
	snprintf(cmd, sizeof(cmd),
	         "openssl req -x509 -newkey %s -nodes -keyout '%s/%s.key' -out '%s/%s.pem' "
	         "-subj '/O=startle test/CN=%s.test' -days 2 -addext "
	         "'subjectAltName=DNS:%s.test' 2>/dev/null",
	         newkey, lab_dir, name, lab_dir, name, name, name);
	assert_int_equal(system(cmd), 0);
}

static int
lab_setup(void **state)
{
	(void)state;
	time_t now = time(NULL);
	static const unsigned char ip4[] = {127, 0, 0, 1};
	static const char nul_name[] = "mail.test\0.evil.test";
	unsigned char sans[512], wrong[512], nul[512];

	signal(SIGPIPE, SIG_IGN);
	assert_int_equal(wolfSSL_Init(), WOLFSSL_SUCCESS);
	assert_int_equal(wc_InitRng(&lab_rng), 0);
	snprintf(lab_dir, sizeof(lab_dir), "/tmp/startle-tls-XXXXXX");
	assert_non_null(mkdtemp(lab_dir));
	snprintf(lab_ca_pem, sizeof(lab_ca_pem), "%s/ca.pem", lab_dir);

	const struct san_entry good[] = {{0x82, "mail.test", 9}, {0x87, ip4, 4}};
	const struct san_entry other[] = {{0x82, "other.test", 10}};
	const struct san_entry withnul[] = {{0x82, nul_name, sizeof(nul_name) - 1}};
	size_t good_len = make_sans(good, 2, sans);
	size_t wrong_len = make_sans(other, 1, wrong);
	size_t nul_len = make_sans(withnul, 1, nul);

	lab_make_cert(&lab_ca,
	              &(struct lab_cert_spec){.cn = "startle test CA",
	                                      .is_ca = true,
	                                      .not_before = now - DAY,
	                                      .not_after = now + 365 * DAY,
	                                      .serial_last = 1},
	              NULL);
	lab_make_cert(&lab_leaf,
	              &(struct lab_cert_spec){.cn = "mail.test",
	                                      .san_der = sans,
	                                      .san_len = good_len,
	                                      .not_before = now - DAY,
	                                      .not_after = now + 30 * DAY,
	                                      .serial_last = 2},
	              &lab_ca);
	lab_make_cert(&lab_expired,
	              &(struct lab_cert_spec){.cn = "mail.test",
	                                      .san_der = sans,
	                                      .san_len = good_len,
	                                      .not_before = now - 60 * DAY,
	                                      .not_after = now - 30 * DAY,
	                                      .serial_last = 3},
	              &lab_ca);
	lab_make_cert(&lab_selfsigned,
	              &(struct lab_cert_spec){.cn = "mail.test",
	                                      .san_der = sans,
	                                      .san_len = good_len,
	                                      .not_before = now - DAY,
	                                      .not_after = now + 30 * DAY,
	                                      .serial_last = 4},
	              NULL);
	lab_make_cert(&lab_wronghost,
	              &(struct lab_cert_spec){.cn = "other.test",
	                                      .san_der = wrong,
	                                      .san_len = wrong_len,
	                                      .not_before = now - DAY,
	                                      .not_after = now + 30 * DAY,
	                                      .serial_last = 5},
	              &lab_ca);
	lab_make_cert(&lab_nulname,
	              &(struct lab_cert_spec){.cn = "nul.test",
	                                      .san_der = nul,
	                                      .san_len = nul_len,
	                                      .not_before = now - DAY,
	                                      .not_after = now + 30 * DAY,
	                                      .serial_last = 6},
	              &lab_ca);
	lab_write_pem(&lab_ca, lab_ca_pem);
	lab_openssl_leaf("rsa", "rsa:2048");
	lab_openssl_leaf("ed25519", "ed25519");
	return 0;
}

static int
lab_teardown(void **state)
{
	(void)state;
	char cmd[128];
	struct lab_cert *all[] = {&lab_ca,         &lab_leaf,      &lab_expired,
	                          &lab_selfsigned, &lab_wronghost, &lab_nulname};
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		wc_ecc_free(&all[i]->key);
	wc_FreeRng(&lab_rng);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", lab_dir);
	if (system(cmd) != 0)
		return -1;
	wolfSSL_Cleanup();
	return 0;
}

/* ---- the lab server ---- */

enum lab_mode {
	LAB_TLS,         /* an honest TLS server */
	LAB_GARBAGE,     /* answers the ClientHello with a plaintext greeting */
	LAB_CLOSE_EARLY, /* reads the ClientHello and closes */
	LAB_ALERT,       /* answers with a fatal handshake_failure alert */
};

struct lab {
	enum lab_mode mode;
	int cfd, sfd;
	WOLFSSL_CTX *ctx;
	WOLFSSL *ssl;
	bool accepted;
	bool answered;
	unsigned char hello[2048]; /* what the client sent first, as read */
	size_t hello_len;
};

struct lab_options {
	enum lab_mode mode;
	struct lab_cert *leaf;
	bool send_ca;
	int server_min; /* 0, 12 or 13 */
	int server_max;
	const char *pem_name; /* a leaf made by lab_openssl_leaf instead */
	bool dribble;         /* the server writes at most 3 bytes at a time */
};

/* A server send hook that writes at most three bytes per call, so that the
 * client sees records arrive in pieces. */
static int
lab_dribble_send(WOLFSSL *ssl, char *buf, int sz, void *ctx)
{
	(void)ssl;
	ssize_t n = send(*(int *)ctx, buf, sz < 3 ? (size_t)sz : 3, MSG_NOSIGNAL);
	if (n >= 0)
		return (int)n;
	return errno == EAGAIN ? WOLFSSL_CBIO_ERR_WANT_WRITE : WOLFSSL_CBIO_ERR_GENERAL;
}

static void
lab_start(struct lab *lab, const struct lab_options *o)
{
	int sv[2];
	memset(lab, 0, sizeof(*lab));
	lab->mode = o->mode;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	lab->cfd = sv[0];
	lab->sfd = sv[1];
	for (int i = 0; i < 2; i++)
		assert_int_equal(fcntl(sv[i], F_SETFL, fcntl(sv[i], F_GETFL) | O_NONBLOCK),
		                 0);
	if (o->mode != LAB_TLS)
		return;

	struct lab_cert *leaf = o->leaf != NULL ? o->leaf : &lab_leaf;
	unsigned char chain[8192];
	size_t n = (size_t)leaf->der_len;
	memcpy(chain, leaf->der, n);
	if (o->send_ca) {
		memcpy(chain + n, lab_ca.der, (size_t)lab_ca.der_len);
		n += (size_t)lab_ca.der_len;
	}
	lab->ctx = wolfSSL_CTX_new(wolfSSLv23_server_method());
	assert_non_null(lab->ctx);
	if (o->pem_name != NULL) {
		char cert[128], key[128];
		snprintf(cert, sizeof(cert), "%s/%s.pem", lab_dir, o->pem_name);
		snprintf(key, sizeof(key), "%s/%s.key", lab_dir, o->pem_name);
		assert_int_equal(
		    wolfSSL_CTX_use_certificate_file(lab->ctx, cert, WOLFSSL_FILETYPE_PEM),
		    WOLFSSL_SUCCESS);
		assert_int_equal(
		    wolfSSL_CTX_use_PrivateKey_file(lab->ctx, key, WOLFSSL_FILETYPE_PEM),
		    WOLFSSL_SUCCESS);
		lab->ssl = wolfSSL_new(lab->ctx);
		assert_non_null(lab->ssl);
		assert_int_equal(wolfSSL_set_fd(lab->ssl, lab->sfd), WOLFSSL_SUCCESS);
		return;
	}
	if (o->server_min != 0)
		assert_int_equal(
		    wolfSSL_CTX_set_min_proto_version(
		        lab->ctx, o->server_min == 13 ? TLS1_3_VERSION : TLS1_2_VERSION),
		    WOLFSSL_SUCCESS);
	if (o->server_max != 0)
		assert_int_equal(
		    wolfSSL_CTX_set_max_proto_version(
		        lab->ctx, o->server_max == 13 ? TLS1_3_VERSION : TLS1_2_VERSION),
		    WOLFSSL_SUCCESS);
	assert_int_equal(wolfSSL_CTX_use_certificate_chain_buffer_format(
	                     lab->ctx, chain, (long)n, WOLFSSL_FILETYPE_ASN1),
	                 WOLFSSL_SUCCESS);
	assert_int_equal(wolfSSL_CTX_use_PrivateKey_buffer(
	                     lab->ctx, leaf->key_der, leaf->key_len, WOLFSSL_FILETYPE_ASN1),
	                 WOLFSSL_SUCCESS);
	lab->ssl = wolfSSL_new(lab->ctx);
	assert_non_null(lab->ssl);
	assert_int_equal(wolfSSL_set_fd(lab->ssl, lab->sfd), WOLFSSL_SUCCESS);
	if (o->dribble) {
		wolfSSL_SSLSetIOSend(lab->ssl, lab_dribble_send);
		wolfSSL_SetIOWriteCtx(lab->ssl, &lab->sfd);
	}
}

static void
lab_stop(struct lab *lab)
{
	if (lab->ssl != NULL)
		wolfSSL_free(lab->ssl);
	if (lab->ctx != NULL)
		wolfSSL_CTX_free(lab->ctx);
	if (lab->sfd >= 0)
		close(lab->sfd);
	close(lab->cfd);
}

/* Reads what the client sent without consuming it, once, for inspection. */
static void
lab_peek_hello(struct lab *lab)
{
	if (lab->hello_len > 0 || lab->sfd < 0)
		return;
	ssize_t n = recv(lab->sfd, lab->hello, sizeof(lab->hello), MSG_PEEK);
	if (n > 0)
		lab->hello_len = (size_t)n;
}

/* Drains everything the client sent (so a close is a clean EOF). */
static size_t
lab_drain(struct lab *lab)
{
	unsigned char buf[4096];
	size_t total = 0;
	ssize_t n;
	while ((n = recv(lab->sfd, buf, sizeof(buf), 0)) > 0)
		total += (size_t)n;
	return total;
}

/* One step of the server side, never blocking. */
static void
lab_step(struct lab *lab)
{
	static const char garbage[] = "220 mail.test\r\n";
	static const unsigned char alert[] = {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28};

	if (lab->sfd < 0)
		return;
	lab_peek_hello(lab);
	switch (lab->mode) {
	case LAB_TLS:
		if (!lab->accepted && wolfSSL_accept(lab->ssl) == WOLFSSL_SUCCESS)
			lab->accepted = true;
		break;
	case LAB_GARBAGE:
	case LAB_ALERT:
		if (!lab->answered && lab_drain(lab) > 0) {
			if (lab->mode == LAB_GARBAGE)
				assert_int_equal(
				    send(lab->sfd, garbage, sizeof(garbage) - 1, 0),
				    sizeof(garbage) - 1);
			else
				assert_int_equal(send(lab->sfd, alert, sizeof(alert), 0),
				                 sizeof(alert));
			lab->answered = true;
		}
		break;
	case LAB_CLOSE_EARLY:
		if (lab_drain(lab) > 0) {
			close(lab->sfd);
			lab->sfd = -1;
		}
		break;
	}
}

static long
lab_ms_since(const struct timespec *t0)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - t0->tv_sec) * 1000 + (now.tv_nsec - t0->tv_nsec) / 1000000;
}

/* Waits a little for either end to have something to do. */
static void
lab_wait(struct lab *lab)
{
	struct pollfd p[2] = {{.fd = lab->cfd, .events = POLLIN},
	                      {.fd = lab->sfd, .events = POLLIN}};
	(void)poll(p, lab->sfd >= 0 ? 2 : 1, 20);
}

/* Runs the client handshake against the lab until it finishes or fails;
 * then lets the server finish its side too. */
static int
lab_handshake(struct lab *lab, struct tls_conn *tc, char **cause)
{
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int r;
	for (;;) {
		r = tls_handshake(tc, cause);
		if (r == TLS_OK || r == TLS_ERROR)
			break;
		assert_true(r == TLS_WANT_READ || r == TLS_WANT_WRITE);
		lab_step(lab);
		assert_true(lab_ms_since(&t0) < LAB_DEADLINE_MS);
		lab_wait(lab);
	}
	while (r == TLS_OK && lab->mode == LAB_TLS && !lab->accepted) {
		lab_step(lab);
		assert_true(lab_ms_since(&t0) < LAB_DEADLINE_MS);
		if (!lab->accepted)
			lab_wait(lab);
	}
	return r;
}

/* Reads from the client side until data, or a final status. */
static ssize_t
lab_read(struct lab *lab, struct tls_conn *tc, void *buf, size_t len, char **cause)
{
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		ssize_t n = tls_read(tc, buf, len, cause);
		if (n != TLS_WANT_READ && n != TLS_WANT_WRITE)
			return n;
		lab_step(lab);
		assert_true(lab_ms_since(&t0) < LAB_DEADLINE_MS);
		lab_wait(lab);
	}
}

/* Writes from the server side (after its handshake). */
static void
lab_server_write(struct lab *lab, const char *text)
{
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int len = (int)strlen(text);
	for (;;) {
		int n = wolfSSL_write(lab->ssl, text, len);
		if (n == len)
			return;
		int err = wolfSSL_get_error(lab->ssl, n);
		assert_true(err == WOLFSSL_ERROR_WANT_READ ||
		            err == WOLFSSL_ERROR_WANT_WRITE);
		assert_true(lab_ms_since(&t0) < LAB_DEADLINE_MS);
		lab_wait(lab);
	}
}

/* ---- what the client observed ---- */

#define OBS_MAX 64

struct seen {
	struct tls_record rec[OBS_MAX];
	size_t n;
};

static void
seen_record(void *arg, const struct tls_record *rec)
{
	struct seen *s = arg;
	if (s->n < OBS_MAX)
		s->rec[s->n++] = *rec;
}

/* A full handshake fixture: lab, client, observer and the result. */
struct run {
	struct lab lab;
	struct tls_conn *tc;
	struct seen seen;
	char *cause;
	int status;
};

static struct tls_config
base_config(void)
{
	return (struct tls_config){
	    .cafile = lab_ca_pem, .sni = "mail.test", .verify_name = "mail.test"};
}

static void
run_start(struct run *r, const struct lab_options *o, const struct tls_config *cfg)
{
	memset(r, 0, sizeof(*r));
	lab_start(&r->lab, o);
	struct tls_observer obs = {.record = seen_record, .arg = &r->seen};
	r->tc = tls_new(r->lab.cfd, cfg, &obs, &r->cause);
	assert_non_null(r->tc);
	r->status = lab_handshake(&r->lab, r->tc, &r->cause);
}

static void
run_end(struct run *r)
{
	tls_free(r->tc);
	lab_stop(&r->lab);
	free(r->cause);
}

/* Runs a full handshake with the good leaf and the CA; asserts success. */
static void
run_ok(struct run *r, const struct lab_options *o, const struct tls_config *cfg)
{
	run_start(r, o, cfg);
	if (r->status != TLS_OK)
		fail_msg("handshake failed: %s", r->cause ? r->cause : "(no cause)");
}

/* Records seen in one direction, in order. */
static size_t
seen_dir(const struct seen *s, enum tls_dir dir, const struct tls_record **out, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < s->n && n < max; i++) {
		if (s->rec[i].dir == dir)
			out[n++] = &s->rec[i];
	}
	return n;
}

static bool
hello_contains(const struct lab *lab, const char *text)
{
	return memmem(lab->hello, lab->hello_len, text, strlen(text)) != NULL;
}

/* Runs a shell pipeline and returns its first line, trimmed. */
static void
shell_line(const char *cmd, char *out, size_t size)
{
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	out[0] = '\0';
	if (fgets(out, (int)size, p) == NULL)
		out[0] = '\0';
	assert_int_equal(pclose(p), 0);
	out[strcspn(out, "\r\n")] = '\0';
}

static void
write_der(const struct lab_cert *c, const char *path)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(c->der, 1, (size_t)c->der_len, f), (size_t)c->der_len);
	fclose(f);
}

/* ---- negotiation and summary ---- */

static void
tls13_is_negotiated_by_default(void **state)
{
	(void)state;
	struct run r;
	struct tls_config cfg = base_config();
	struct tls_summary sum;
	run_ok(&r, &(struct lab_options){.send_ca = true}, &cfg);
	tls_get_summary(r.tc, &sum);
	assert_string_equal(sum.version, "TLSv1.3");
	assert_memory_equal(sum.cipher, "TLS_", 4);
	assert_true(sum.group[0] != '\0');
	assert_true(sum.handshake_ms > 0.0);
	assert_false(sum.resumed);
	run_end(&r);
}

static void
tls12_is_negotiated_when_the_maximum_is_12(void **state)
{
	(void)state;
	struct run r;
	struct tls_config cfg = base_config();
	struct tls_summary sum;
	cfg.max_version = 12;
	run_ok(&r, &(struct lab_options){.send_ca = true}, &cfg);
	tls_get_summary(r.tc, &sum);
	assert_string_equal(sum.version, "TLSv1.2");
	assert_memory_equal(sum.cipher, "TLS_ECDHE_ECDSA_WITH_", 21);
	run_end(&r);
}

static void
tls12_is_negotiated_with_a_server_limited_to_12(void **state)
{
	(void)state;
	struct run r;
	struct tls_config cfg = base_config();
	struct tls_summary sum;
	run_ok(&r, &(struct lab_options){.send_ca = true, .server_max = 12}, &cfg);
	tls_get_summary(r.tc, &sum);
	assert_string_equal(sum.version, "TLSv1.2");
	run_end(&r);
}

static void
minimum_13_against_a_12_only_server_fails_naming_the_version(void **state)
{
	(void)state;
	struct run r;
	struct tls_config cfg = base_config();
	cfg.min_version = 13;
	run_start(&r, &(struct lab_options){.send_ca = true, .server_max = 12}, &cfg);
	assert_int_equal(r.status, TLS_ERROR);
	assert_non_null(r.cause);
	assert_non_null(strstr(r.cause, "version"));
	run_end(&r);
}

static void
summary_counts_match_the_records_on_the_wire(void **state)
{
	(void)state;
	struct run r;
	struct tls_config cfg = base_config();
	struct tls_summary sum;
	run_ok(&r, &(struct lab_options){.send_ca = true}, &cfg);
	tls_get_summary(r.tc, &sum);
	unsigned rin = 0, rout = 0;
	size_t bin = 0, bout = 0;
	for (size_t i = 0; i < r.seen.n; i++) {
		if (r.seen.rec[i].dir == TLS_DIR_IN) {
			rin++;
			bin += 5 + r.seen.rec[i].length;
		} else {
			rout++;
			bout += 5 + r.seen.rec[i].length;
		}
	}
	assert_true(rin > 0 && rout > 0);
	assert_int_equal(sum.records_in, rin);
	assert_int_equal(sum.records_out, rout);
	assert_int_equal(sum.bytes_in, bin);
	assert_int_equal(sum.bytes_out, bout);
	run_end(&r);
}

static void
sni_is_sent_and_reported(void **state)
{
	(void)state;
	struct run r;
	struct tls_config cfg = base_config();
	struct tls_summary sum;
	run_ok(&r, &(struct lab_options){.send_ca = true}, &cfg);
	tls_get_summary(r.tc, &sum);
	assert_string_equal(sum.sni, "mail.test");
	assert_true(hello_contains(&r.lab, "mail.test"));
	run_end(&r);
}

static void
no_sni_is_sent_when_none_is_configured(void **state)
{
	(void)state;
	struct run r;
	struct tls_config cfg = base_config();
	struct tls_summary sum;
	cfg.sni = NULL;
	run_ok(&r, &(struct lab_options){.send_ca = true}, &cfg);
	tls_get_summary(r.tc, &sum);
	assert_string_equal(sum.sni, "");
	assert_true(r.lab.hello_len > 0);
	assert_false(hello_contains(&r.lab, "mail.test"));
	run_end(&r);
}

static void
no_sni_is_sent_for_an_ip_literal(void **state)
{
	(void)state;
	struct run r;
	struct tls_config cfg = base_config();
	struct tls_summary sum;
	cfg.sni = "127.0.0.1";
	run_ok(&r, &(struct lab_options){.send_ca = true}, &cfg);
	tls_get_summary(r.tc, &sum);
	assert_string_equal(sum.sni, "");
	assert_false(hello_contains(&r.lab, "127.0.0.1"));
	run_end(&r);
}

/* ---- records on the wire ---- */

static void
first_outgoing_record_is_a_client_hello(void **state)
{
	(void)state;
	struct run r;
	struct tls_config cfg = base_config();
	const struct tls_record *out[OBS_MAX];
	run_ok(&r, &(struct lab_options){.send_ca = true}, &cfg);
	assert_true(seen_dir(&r.seen, TLS_DIR_OUT, out, OBS_MAX) > 0);
	assert_int_equal(r.seen.rec[0].dir, TLS_DIR_OUT);
	assert_int_equal(out[0]->type, 22);
	assert_int_equal(out[0]->hs_type, 1);
	assert_int_equal(out[0]->version >> 8, 3);
	assert_int_equal(out[0]->head_len, 16);
	assert_int_equal(out[0]->head[0], 1);
	assert_string_equal(record_handshake_name(out[0]->hs_type), "ClientHello");
	run_end(&r);
}

static void
first_incoming_record_is_a_server_hello(void **state)
{
	(void)state;
	struct run r;
	struct tls_config cfg = base_config();
	const struct tls_record *in[OBS_MAX];
	run_ok(&r, &(struct lab_options){.send_ca = true}, &cfg);
	assert_true(seen_dir(&r.seen, TLS_DIR_IN, in, OBS_MAX) > 0);
	assert_int_equal(in[0]->type, 22);
	assert_int_equal(in[0]->hs_type, 2);
	run_end(&r);
}

static void
tls13_hides_the_certificate_in_application_data_records(void **state)
{
	(void)state;
	struct run r;
	struct tls_config cfg = base_config();
	const struct tls_record *in[OBS_MAX];
	run_ok(&r, &(struct lab_options){.send_ca = true}, &cfg);
	size_t n = seen_dir(&r.seen, TLS_DIR_IN, in, OBS_MAX);
	assert_true(n >= 2);
	for (size_t i = 1; i < n; i++) {
		assert_int_equal(in[i]->type, 23);
		assert_int_equal(in[i]->hs_type, 0);
	}
	run_end(&r);
}

static void
tls12_shows_the_certificate_and_change_cipher_spec(void **state)
{
	(void)state;
	struct run r;
	struct tls_config cfg = base_config();
	const struct tls_record *in[OBS_MAX], *out[OBS_MAX];
	bool cert = false, ccs_in = false, ccs_out = false;
	cfg.max_version = 12;
	run_ok(&r, &(struct lab_options){.send_ca = true}, &cfg);
	size_t nin = seen_dir(&r.seen, TLS_DIR_IN, in, OBS_MAX);
	size_t nout = seen_dir(&r.seen, TLS_DIR_OUT, out, OBS_MAX);
	for (size_t i = 0; i < nin; i++) {
		cert = cert || (in[i]->type == 22 && in[i]->hs_type == 11);
		ccs_in = ccs_in || in[i]->type == 20;
	}
	for (size_t i = 0; i < nout; i++)
		ccs_out = ccs_out || out[i]->type == 20;
	assert_true(cert);
	assert_true(ccs_in);
	assert_true(ccs_out);
	/* The Finished after change_cipher_spec is encrypted: no type is claimed. */
	assert_int_equal(out[nout - 1]->type, 22);
	assert_int_equal(out[nout - 1]->hs_type, 0);
	run_end(&r);
}

static void
record_and_handshake_types_have_names(void **state)
{
	(void)state;
	assert_string_equal(record_type_name(20), "change_cipher_spec");
	assert_string_equal(record_type_name(21), "alert");
	assert_string_equal(record_type_name(22), "handshake");
	assert_string_equal(record_type_name(23), "application_data");
	assert_string_equal(record_type_name(99), "unknown");
	assert_string_equal(record_handshake_name(2), "ServerHello");
	assert_string_equal(record_handshake_name(11), "Certificate");
	assert_string_equal(record_handshake_name(20), "Finished");
	assert_null(record_handshake_name(99));
}

/* ---- the chain ---- */

static void
chain_is_the_leaf_then_the_ca(void **state)
{
	(void)state;
	struct run r;
	struct tls_config cfg = base_config();
	struct cert_info c[CERT_CHAIN_MAX];
	run_ok(&r, &(struct lab_options){.send_ca = true}, &cfg);
	assert_int_equal(tls_get_chain(r.tc, c, CERT_CHAIN_MAX), 2);
	assert_int_equal(c[0].depth, 0);
	assert_int_equal(c[1].depth, 1);
	assert_string_equal(c[0].subject, "CN=mail.test, O=startle test");
	assert_string_equal(c[0].issuer, "CN=startle test CA, O=startle test");
	assert_string_equal(c[1].subject, "CN=startle test CA, O=startle test");
	assert_false(c[0].is_ca);
	assert_false(c[0].self_signed);
	assert_true(c[1].is_ca);
	assert_true(c[1].self_signed);
	cert_info_free(&c[0]);
	cert_info_free(&c[1]);
	run_end(&r);
}

static void
chain_fills_no_more_than_asked(void **state)
{
	(void)state;
	struct run r;
	struct tls_config cfg = base_config();
	struct cert_info c[1];
	run_ok(&r, &(struct lab_options){.send_ca = true}, &cfg);
	assert_int_equal(tls_get_chain(r.tc, c, 1), 1);
	assert_int_equal(c[0].depth, 0);
	cert_info_free(&c[0]);
	run_end(&r);
}

static void
leaf_sans_are_listed_in_certificate_order(void **state)
{
	(void)state;
	struct run r;
	struct tls_config cfg = base_config();
	struct cert_info c[CERT_CHAIN_MAX];
	run_ok(&r, &(struct lab_options){0}, &cfg);
	assert_int_equal(tls_get_chain(r.tc, c, CERT_CHAIN_MAX), 1);
	assert_int_equal(c[0].nsan, 2);
	assert_int_equal(c[0].nsan_total, 2);
	assert_string_equal(c[0].san[0], "DNS:mail.test");
	assert_string_equal(c[0].san[1], "IP:127.0.0.1");
	cert_info_free(&c[0]);
	run_end(&r);
}

static void
leaf_key_and_signature_are_named(void **state)
{
	(void)state;
	struct run r;
	struct tls_config cfg = base_config();
	struct cert_info c[CERT_CHAIN_MAX];
	run_ok(&r, &(struct lab_options){0}, &cfg);
	assert_int_equal(tls_get_chain(r.tc, c, CERT_CHAIN_MAX), 1);
	assert_string_equal(c[0].key, "EC P-256");
	assert_int_equal(c[0].key_bits, 256);
	assert_string_equal(c[0].sig, "ecdsa-with-SHA256");
	cert_info_free(&c[0]);
	run_end(&r);
}

static void
leaf_dates_and_serial_are_those_of_the_certificate(void **state)
{
	(void)state;
	struct run r;
	struct tls_config cfg = base_config();
	struct cert_info c[CERT_CHAIN_MAX];
	run_ok(&r, &(struct lab_options){0}, &cfg);
	assert_int_equal(tls_get_chain(r.tc, c, CERT_CHAIN_MAX), 1);
	assert_int_equal(c[0].not_before, lab_leaf.not_before);
	assert_int_equal(c[0].not_after, lab_leaf.not_after);
	assert_string_equal(c[0].serial, "4A11111111111102");
	cert_info_free(&c[0]);
	run_end(&r);
}

/* SHA-256 of a certificate file's DER, as openssl prints it, lower-cased
 * and without colons. */
static void
openssl_fingerprint(const char *path, const char *inform, char want[65])
{
	char cmd[512], line[256];
	size_t w = 0;
	snprintf(cmd, sizeof(cmd),
	         "openssl x509 -inform %s -in '%s' -noout -fingerprint -sha256", inform,
	         path);
	shell_line(cmd, line, sizeof(line));
	const char *p = strchr(line, '=');
	assert_non_null(p);
	for (p++; *p != '\0' && w < 64; p++) {
		if (*p != ':')
			want[w++] = (char)tolower((unsigned char)*p);
	}
	want[w] = '\0';
	assert_int_equal(w, 64);
}

/* SHA-256 of a certificate file's SubjectPublicKeyInfo, by openssl. */
static void
openssl_spki(const char *path, const char *inform, char want[65])
{
	char cmd[512], line[256];
	snprintf(cmd, sizeof(cmd),
	         "openssl x509 -inform %s -in '%s' -noout -pubkey | openssl pkey -pubin "
	         "-outform DER | "
	         "openssl dgst -sha256 -r",
	         inform, path);
	shell_line(cmd, line, sizeof(line));
	line[strcspn(line, " ")] = '\0';
	assert_int_equal(strlen(line), 64);
	memcpy(want, line, 65);
}

static void
leaf_sha256_equals_the_openssl_fingerprint(void **state)
{
	(void)state;
	struct run r;
	struct tls_config cfg = base_config();
	struct cert_info c[CERT_CHAIN_MAX];
	char path[128], want[65];
	snprintf(path, sizeof(path), "%s/leaf.der", lab_dir);
	write_der(&lab_leaf, path);
	openssl_fingerprint(path, "DER", want);
	run_ok(&r, &(struct lab_options){0}, &cfg);
	assert_int_equal(tls_get_chain(r.tc, c, CERT_CHAIN_MAX), 1);
	assert_string_equal(c[0].sha256, want);
	cert_info_free(&c[0]);
	run_end(&r);
}

static void
leaf_spki_sha256_equals_the_openssl_public_key_digest(void **state)
{
	(void)state;
	struct run r;
	struct tls_config cfg = base_config();
	struct cert_info c[CERT_CHAIN_MAX];
	char path[128], want[65];
	snprintf(path, sizeof(path), "%s/leaf-spki.der", lab_dir);
	write_der(&lab_leaf, path);
	openssl_spki(path, "DER", want);
	run_ok(&r, &(struct lab_options){0}, &cfg);
	assert_int_equal(tls_get_chain(r.tc, c, CERT_CHAIN_MAX), 1);
	assert_string_equal(c[0].spki_sha256, want);
	cert_info_free(&c[0]);
	run_end(&r);
}

static void
rsa_leaf_key_and_signature_are_named(void **state)
{
	(void)state;
	struct run r;
	struct tls_config cfg = base_config();
	struct cert_info c[CERT_CHAIN_MAX];
	cfg.verify_name = "rsa.test";
	run_ok(&r, &(struct lab_options){.pem_name = "rsa"}, &cfg);
	assert_int_equal(tls_get_chain(r.tc, c, CERT_CHAIN_MAX), 1);
	assert_string_equal(c[0].key, "RSA 2048");
	assert_int_equal(c[0].key_bits, 2048);
	assert_string_equal(c[0].sig, "sha256WithRSAEncryption");
	assert_string_equal(c[0].subject, "CN=rsa.test, O=startle test");
	assert_true(c[0].self_signed);
	assert_false(cert_key_is_weak(&c[0]));
	char path[128], want[65];
	snprintf(path, sizeof(path), "%s/rsa.pem", lab_dir);
	openssl_spki(path, "PEM", want);
	assert_string_equal(c[0].spki_sha256, want);
	cert_info_free(&c[0]);
	run_end(&r);
}

static void
ed25519_leaf_key_is_named(void **state)
{
	(void)state;
	struct run r;
	struct tls_config cfg = base_config();
	struct cert_info c[CERT_CHAIN_MAX];
	cfg.verify_name = "ed25519.test";
	run_ok(&r, &(struct lab_options){.pem_name = "ed25519"}, &cfg);
	assert_int_equal(tls_get_chain(r.tc, c, CERT_CHAIN_MAX), 1);
	assert_string_equal(c[0].key, "Ed25519");
	assert_string_equal(c[0].sig, "ED25519");
	assert_string_equal(c[0].subject, "CN=ed25519.test, O=startle test");
	assert_int_equal(c[0].nsan, 1);
	assert_string_equal(c[0].san[0], "DNS:ed25519.test");
	assert_true(c[0].self_signed);
	assert_true(c[0].not_after > c[0].not_before + DAY);
	assert_true(c[0].not_after <= time(NULL) + 2 * DAY + 60);
	char path[128], want[65];
	snprintf(path, sizeof(path), "%s/ed25519.pem", lab_dir);
	openssl_fingerprint(path, "PEM", want);
	assert_string_equal(c[0].sha256, want);
	openssl_spki(path, "PEM", want);
	assert_string_equal(c[0].spki_sha256, want);
	cert_info_free(&c[0]);
	run_end(&r);
}

static void
records_arriving_in_pieces_are_reassembled(void **state)
{
	(void)state;
	struct run r;
	struct tls_config cfg = base_config();
	struct tls_summary sum;
	const struct tls_record *in[OBS_MAX];
	run_ok(&r, &(struct lab_options){.send_ca = true, .dribble = true}, &cfg);
	tls_get_summary(r.tc, &sum);
	size_t n = seen_dir(&r.seen, TLS_DIR_IN, in, OBS_MAX);
	size_t bytes = 0;
	for (size_t i = 0; i < n; i++)
		bytes += 5 + in[i]->length;
	assert_int_equal(in[0]->type, 22);
	assert_int_equal(in[0]->hs_type, 2);
	assert_int_equal(in[0]->head_len, 16);
	assert_int_equal(sum.records_in, n);
	assert_int_equal(sum.bytes_in, bytes);
	run_end(&r);
}

static void
chain_is_empty_before_the_handshake(void **state)
{
	(void)state;
	struct lab lab;
	struct cert_info c[CERT_CHAIN_MAX];
	struct tls_config cfg = base_config();
	char *cause = NULL;
	lab_start(&lab, &(struct lab_options){0});
	struct tls_conn *tc = tls_new(lab.cfd, &cfg, NULL, &cause);
	assert_non_null(tc);
	assert_int_equal(tls_get_chain(tc, c, CERT_CHAIN_MAX), 0);
	struct cert_verdict v;
	tls_get_verdict(tc, &v);
	assert_false(v.verified);
	tls_free(tc);
	lab_stop(&lab);
}

/* ---- verdicts ---- */

static void
chain_to_the_given_ca_is_verified(void **state)
{
	(void)state;
	struct run r;
	struct tls_config cfg = base_config();
	struct cert_verdict v;
	run_ok(&r, &(struct lab_options){.send_ca = true}, &cfg);
	tls_get_verdict(r.tc, &v);
	assert_true(v.verified);
	assert_int_equal(v.verify_error_code, 0);
	assert_int_equal(v.verify_error_depth, -1);
	assert_string_equal(v.verify_error, "");
	assert_true(v.name_match);
	assert_string_equal(v.name_checked, "mail.test");
	assert_false(v.expired || v.not_yet_valid || v.self_signed || v.untrusted ||
	             v.weak_key || v.weak_signature);
	run_end(&r);
}

static void
chain_without_its_ca_is_untrusted(void **state)
{
	(void)state;
	struct run r;
	struct tls_config cfg = base_config();
	struct cert_verdict v;
	cfg.cafile = NULL;
	run_ok(&r, &(struct lab_options){.send_ca = true}, &cfg);
	tls_get_verdict(r.tc, &v);
	assert_false(v.verified);
	assert_true(v.untrusted);
	assert_int_equal(v.verify_error_code, 20);
	assert_int_equal(v.verify_error_depth, 0);
	assert_true(v.verify_error[0] != '\0');
	assert_true(v.name_match);
	run_end(&r);
}

static void
expired_leaf_is_reported_expired(void **state)
{
	(void)state;
	struct run r;
	struct tls_config cfg = base_config();
	struct cert_verdict v;
	run_ok(&r, &(struct lab_options){.leaf = &lab_expired, .send_ca = true}, &cfg);
	tls_get_verdict(r.tc, &v);
	assert_false(v.verified);
	assert_true(v.expired);
	assert_false(v.not_yet_valid);
	assert_int_equal(v.verify_error_code, 10);
	assert_int_equal(v.verify_error_depth, 0);
	assert_non_null(strstr(v.verify_error, "expired"));
	run_end(&r);
}

static void
self_signed_leaf_is_reported_self_signed_and_untrusted(void **state)
{
	(void)state;
	struct run r;
	struct tls_config cfg = base_config();
	struct cert_verdict v;
	run_ok(&r, &(struct lab_options){.leaf = &lab_selfsigned}, &cfg);
	tls_get_verdict(r.tc, &v);
	assert_false(v.verified);
	assert_true(v.self_signed);
	assert_true(v.untrusted);
	assert_int_equal(v.verify_error_code, 18);
	assert_false(v.expired);
	assert_true(v.name_match);
	run_end(&r);
}

static void
leaf_for_another_host_does_not_match_the_name(void **state)
{
	(void)state;
	struct run r;
	struct tls_config cfg = base_config();
	struct cert_verdict v;
	run_ok(&r, &(struct lab_options){.leaf = &lab_wronghost, .send_ca = true}, &cfg);
	tls_get_verdict(r.tc, &v);
	assert_true(v.verified);
	assert_false(v.name_match);
	assert_string_equal(v.name_checked, "mail.test");
	run_end(&r);
}

static void
wrong_verify_name_does_not_match(void **state)
{
	(void)state;
	struct run r;
	struct tls_config cfg = base_config();
	struct cert_verdict v;
	cfg.verify_name = "evil.test";
	run_ok(&r, &(struct lab_options){.send_ca = true}, &cfg);
	tls_get_verdict(r.tc, &v);
	assert_true(v.verified);
	assert_false(v.name_match);
	assert_string_equal(v.name_checked, "evil.test");
	run_end(&r);
}

static void
ip_verify_name_matches_only_its_ip_san(void **state)
{
	(void)state;
	struct run r;
	struct tls_config cfg = base_config();
	struct cert_verdict v;
	cfg.verify_name = "127.0.0.1";
	cfg.verify_name_is_ip = true;
	run_ok(&r, &(struct lab_options){.send_ca = true}, &cfg);
	tls_get_verdict(r.tc, &v);
	assert_true(v.name_match);
	run_end(&r);

	cfg.verify_name = "127.0.0.2";
	run_ok(&r, &(struct lab_options){.send_ca = true}, &cfg);
	tls_get_verdict(r.tc, &v);
	assert_false(v.name_match);
	run_end(&r);
}

static void
nul_inside_a_san_is_shown_and_never_matches(void **state)
{
	(void)state;
	struct run r;
	struct tls_config cfg = base_config();
	struct cert_verdict v;
	struct cert_info c[CERT_CHAIN_MAX];
	run_ok(&r, &(struct lab_options){.leaf = &lab_nulname, .send_ca = true}, &cfg);
	assert_int_equal(tls_get_chain(r.tc, c, CERT_CHAIN_MAX), 2);
	assert_string_equal(c[0].san[0], "DNS:mail.test\\0.evil.test");
	tls_get_verdict(r.tc, &v);
	assert_false(v.name_match);
	cert_info_free(&c[0]);
	cert_info_free(&c[1]);
	run_end(&r);
}

/* ---- failures in words ---- */

static void
garbage_instead_of_a_server_hello_is_shown_escaped(void **state)
{
	(void)state;
	struct run r;
	struct tls_config cfg = base_config();
	run_start(&r, &(struct lab_options){.mode = LAB_GARBAGE}, &cfg);
	assert_int_equal(r.status, TLS_ERROR);
	assert_non_null(r.cause);
	assert_non_null(strstr(r.cause, "not TLS: \"220 mail.test\\r\\n\""));
	run_end(&r);
}

static void
close_during_the_handshake_is_an_error_in_words(void **state)
{
	(void)state;
	struct run r;
	struct tls_config cfg = base_config();
	run_start(&r, &(struct lab_options){.mode = LAB_CLOSE_EARLY}, &cfg);
	assert_int_equal(r.status, TLS_ERROR);
	assert_non_null(r.cause);
	assert_non_null(strstr(r.cause, "closed the connection"));
	assert_non_null(strstr(r.cause, "before sending anything"));
	run_end(&r);
}

static void
fatal_alert_from_the_server_is_named(void **state)
{
	(void)state;
	struct run r;
	struct tls_config cfg = base_config();
	const struct tls_record *in[OBS_MAX];
	run_start(&r, &(struct lab_options){.mode = LAB_ALERT}, &cfg);
	assert_int_equal(r.status, TLS_ERROR);
	assert_non_null(r.cause);
	assert_non_null(strstr(r.cause, "fatal alert"));
	assert_non_null(strstr(r.cause, "handshake_failure (40)"));
	assert_int_equal(seen_dir(&r.seen, TLS_DIR_IN, in, OBS_MAX), 1);
	assert_int_equal(in[0]->type, 21);
	assert_int_equal(in[0]->length, 2);
	run_end(&r);
}

static void
handshake_after_a_failure_stays_failed(void **state)
{
	(void)state;
	struct run r;
	struct tls_config cfg = base_config();
	run_start(&r, &(struct lab_options){.mode = LAB_GARBAGE}, &cfg);
	assert_int_equal(r.status, TLS_ERROR);
	char *again = NULL;
	assert_int_equal(tls_handshake(r.tc, &again), TLS_ERROR);
	assert_non_null(again);
	free(again);
	run_end(&r);
}

static struct tls_conn *
new_with(const struct tls_config *cfg, char **cause)
{
	int sv[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	struct tls_conn *tc = tls_new(sv[0], cfg, NULL, cause);
	tls_free(tc);
	close(sv[0]);
	close(sv[1]);
	return tc;
}

static void
missing_cafile_is_refused_naming_the_file(void **state)
{
	(void)state;
	struct tls_config cfg = base_config();
	char *cause = NULL;
	cfg.cafile = "/nonexistent/startle-ca.pem";
	assert_null(new_with(&cfg, &cause));
	assert_non_null(cause);
	assert_non_null(strstr(cause, "/nonexistent/startle-ca.pem"));
	free(cause);
}

static void
cafile_without_certificates_is_refused_naming_the_file(void **state)
{
	(void)state;
	struct tls_config cfg = base_config();
	char path[128], *cause = NULL;
	snprintf(path, sizeof(path), "%s/not-a-ca.pem", lab_dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("this is not a certificate\n", f);
	fclose(f);
	cfg.cafile = path;
	assert_null(new_with(&cfg, &cause));
	assert_non_null(cause);
	assert_non_null(strstr(cause, path));
	free(cause);
}

static void
check_cafile_accepts_pem_certificates(void **state)
{
	char *cause = NULL;
	(void)state;
	assert_int_equal(tls_check_cafile(lab_ca_pem, &cause), 0);
	assert_null(cause);
}

static void
check_cafile_refuses_a_file_that_is_not_pem(void **state)
{
	char *cause = NULL;
	(void)state;
	assert_int_equal(tls_check_cafile("/etc/passwd", &cause), -1);
	assert_non_null(strstr(cause, "/etc/passwd: holds no usable PEM certificate"));
	free(cause);
}

static void
check_cafile_refuses_a_missing_file_or_a_directory(void **state)
{
	char *cause = NULL;
	(void)state;
	assert_int_equal(tls_check_cafile("/nonexistent/ca.pem", &cause), -1);
	assert_non_null(strstr(cause, "/nonexistent/ca.pem: cannot be read"));
	free(cause);
	cause = NULL;
	assert_int_equal(tls_check_cafile("/etc", &cause), -1);
	assert_non_null(strstr(cause, "/etc: is not a regular file"));
	free(cause);
}

static void
minimum_above_maximum_is_refused(void **state)
{
	(void)state;
	struct tls_config cfg = base_config();
	char *cause = NULL;
	cfg.min_version = 13;
	cfg.max_version = 12;
	assert_null(new_with(&cfg, &cause));
	assert_non_null(cause);
	free(cause);
}

static void
unknown_version_limit_is_refused(void **state)
{
	(void)state;
	struct tls_config cfg = base_config();
	char *cause = NULL;
	cfg.min_version = 11;
	assert_null(new_with(&cfg, &cause));
	assert_non_null(cause);
	free(cause);
}

static void
unwritable_keylog_is_refused_naming_the_file(void **state)
{
	(void)state;
	struct tls_config cfg = base_config();
	char *cause = NULL;
	cfg.keylog = "/nonexistent/dir/keys.log";
	assert_null(new_with(&cfg, &cause));
	assert_non_null(cause);
	assert_non_null(strstr(cause, "/nonexistent/dir/keys.log"));
	free(cause);
}

static void
global_init_can_be_called_twice(void **state)
{
	(void)state;
	char *cause = NULL;
	assert_int_equal(tls_global_init(&cause), 0);
	assert_int_equal(tls_global_init(&cause), 0);
	assert_null(cause);
}

/* ---- data after the handshake ---- */

static void
data_written_by_the_client_reaches_the_server(void **state)
{
	(void)state;
	struct run r;
	struct tls_config cfg = base_config();
	char *cause = NULL, buf[64];
	run_ok(&r, &(struct lab_options){.send_ca = true}, &cfg);
	assert_int_equal(tls_write(r.tc, "EHLO client\r\n", 13, &cause), 13);
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int n;
	while ((n = wolfSSL_read(r.lab.ssl, buf, sizeof(buf))) <= 0) {
		assert_int_equal(wolfSSL_get_error(r.lab.ssl, n), WOLFSSL_ERROR_WANT_READ);
		assert_true(lab_ms_since(&t0) < LAB_DEADLINE_MS);
		lab_wait(&r.lab);
	}
	assert_int_equal(n, 13);
	assert_memory_equal(buf, "EHLO client\r\n", 13);
	run_end(&r);
}

static void
data_from_the_server_is_read(void **state)
{
	(void)state;
	struct run r;
	struct tls_config cfg = base_config();
	char buf[64];
	run_ok(&r, &(struct lab_options){.send_ca = true}, &cfg);
	lab_server_write(&r.lab, "250 ok\r\n");
	assert_int_equal(lab_read(&r.lab, r.tc, buf, sizeof(buf), &r.cause), 8);
	assert_memory_equal(buf, "250 ok\r\n", 8);
	run_end(&r);
}

static void
pending_is_true_while_decrypted_bytes_wait(void **state)
{
	(void)state;
	struct run r;
	struct tls_config cfg = base_config();
	char buf[4];
	run_ok(&r, &(struct lab_options){.send_ca = true}, &cfg);
	assert_false(tls_pending(r.tc));
	lab_server_write(&r.lab, "250 ok\r\n");
	assert_int_equal(lab_read(&r.lab, r.tc, buf, 3, &r.cause), 3);
	assert_true(tls_pending(r.tc));
	assert_int_equal(lab_read(&r.lab, r.tc, buf, 4, &r.cause), 4);
	assert_int_equal(lab_read(&r.lab, r.tc, buf, 4, &r.cause), 1);
	assert_false(tls_pending(r.tc));
	run_end(&r);
}

static void
close_notify_reads_as_closed(void **state)
{
	(void)state;
	struct run r;
	struct tls_config cfg = base_config();
	char buf[64];
	run_ok(&r, &(struct lab_options){.send_ca = true}, &cfg);
	lab_server_write(&r.lab, "221 bye\r\n");
	(void)wolfSSL_shutdown(r.lab.ssl);
	assert_int_equal(lab_read(&r.lab, r.tc, buf, sizeof(buf), &r.cause), 9);
	assert_int_equal(lab_read(&r.lab, r.tc, buf, sizeof(buf), &r.cause), TLS_CLOSED);
	run_end(&r);
}

static void
plain_close_reads_as_eof(void **state)
{
	(void)state;
	struct run r;
	struct tls_config cfg = base_config();
	char buf[64];
	run_ok(&r, &(struct lab_options){.send_ca = true}, &cfg);
	lab_drain(&r.lab);
	close(r.lab.sfd);
	r.lab.sfd = -1;
	assert_int_equal(lab_read(&r.lab, r.tc, buf, sizeof(buf), &r.cause), TLS_EOF);
	run_end(&r);
}

static void
plain_close_under_tls12_reads_as_eof(void **state)
{
	(void)state;
	struct run r;
	struct tls_config cfg = base_config();
	char buf[64];
	cfg.max_version = 12;
	run_ok(&r, &(struct lab_options){.send_ca = true}, &cfg);
	lab_drain(&r.lab);
	close(r.lab.sfd);
	r.lab.sfd = -1;
	assert_int_equal(lab_read(&r.lab, r.tc, buf, sizeof(buf), &r.cause), TLS_EOF);
	run_end(&r);
}

static void
freeing_sends_close_notify(void **state)
{
	(void)state;
	struct run r;
	struct tls_config cfg = base_config();
	char buf[64];
	run_ok(&r, &(struct lab_options){.send_ca = true}, &cfg);
	tls_free(r.tc);
	r.tc = NULL;
	int n = wolfSSL_read(r.lab.ssl, buf, sizeof(buf));
	assert_true(n <= 0);
	assert_int_equal(wolfSSL_get_error(r.lab.ssl, n), WOLFSSL_ERROR_ZERO_RETURN);
	run_end(&r);
}

static void
an_encrypted_handshake_record_is_not_named(void **state)
{
	struct tls_record clear = {.type = 22, .hs_type = 1, .readable = true, .head_len = 4};
	struct tls_record hello_request = {.type = 22, .hs_type = 0, .readable = true,
	                                   .head_len = 4};
	struct tls_record finished12 = {.type = 22, .hs_type = 0, .readable = false,
	                                .head_len = 16};
	struct tls_record app = {.type = 23, .readable = false, .head_len = 16};

	(void)state;
	assert_string_equal(tls_record_message(&clear), "ClientHello");
	assert_string_equal(tls_record_message(&hello_request), "HelloRequest");
	/* TLS 1.2's Finished after change_cipher_spec: its first byte is ciphertext. */
	assert_null(tls_record_message(&finished12));
	assert_null(tls_record_message(&app));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(an_encrypted_handshake_record_is_not_named),
	    cmocka_unit_test(tls13_is_negotiated_by_default),
	    cmocka_unit_test(tls12_is_negotiated_when_the_maximum_is_12),
	    cmocka_unit_test(tls12_is_negotiated_with_a_server_limited_to_12),
	    cmocka_unit_test(minimum_13_against_a_12_only_server_fails_naming_the_version),
	    cmocka_unit_test(summary_counts_match_the_records_on_the_wire),
	    cmocka_unit_test(sni_is_sent_and_reported),
	    cmocka_unit_test(no_sni_is_sent_when_none_is_configured),
	    cmocka_unit_test(no_sni_is_sent_for_an_ip_literal),
	    cmocka_unit_test(first_outgoing_record_is_a_client_hello),
	    cmocka_unit_test(first_incoming_record_is_a_server_hello),
	    cmocka_unit_test(tls13_hides_the_certificate_in_application_data_records),
	    cmocka_unit_test(tls12_shows_the_certificate_and_change_cipher_spec),
	    cmocka_unit_test(record_and_handshake_types_have_names),
	    cmocka_unit_test(chain_is_the_leaf_then_the_ca),
	    cmocka_unit_test(chain_fills_no_more_than_asked),
	    cmocka_unit_test(leaf_sans_are_listed_in_certificate_order),
	    cmocka_unit_test(leaf_key_and_signature_are_named),
	    cmocka_unit_test(leaf_dates_and_serial_are_those_of_the_certificate),
	    cmocka_unit_test(leaf_sha256_equals_the_openssl_fingerprint),
	    cmocka_unit_test(leaf_spki_sha256_equals_the_openssl_public_key_digest),
	    cmocka_unit_test(rsa_leaf_key_and_signature_are_named),
	    cmocka_unit_test(ed25519_leaf_key_is_named),
	    cmocka_unit_test(records_arriving_in_pieces_are_reassembled),
	    cmocka_unit_test(chain_is_empty_before_the_handshake),
	    cmocka_unit_test(chain_to_the_given_ca_is_verified),
	    cmocka_unit_test(chain_without_its_ca_is_untrusted),
	    cmocka_unit_test(expired_leaf_is_reported_expired),
	    cmocka_unit_test(self_signed_leaf_is_reported_self_signed_and_untrusted),
	    cmocka_unit_test(leaf_for_another_host_does_not_match_the_name),
	    cmocka_unit_test(wrong_verify_name_does_not_match),
	    cmocka_unit_test(ip_verify_name_matches_only_its_ip_san),
	    cmocka_unit_test(nul_inside_a_san_is_shown_and_never_matches),
	    cmocka_unit_test(garbage_instead_of_a_server_hello_is_shown_escaped),
	    cmocka_unit_test(close_during_the_handshake_is_an_error_in_words),
	    cmocka_unit_test(fatal_alert_from_the_server_is_named),
	    cmocka_unit_test(handshake_after_a_failure_stays_failed),
	    cmocka_unit_test(missing_cafile_is_refused_naming_the_file),
	    cmocka_unit_test(cafile_without_certificates_is_refused_naming_the_file),
	    cmocka_unit_test(check_cafile_accepts_pem_certificates),
	    cmocka_unit_test(check_cafile_refuses_a_file_that_is_not_pem),
	    cmocka_unit_test(check_cafile_refuses_a_missing_file_or_a_directory),
	    cmocka_unit_test(minimum_above_maximum_is_refused),
	    cmocka_unit_test(unknown_version_limit_is_refused),
	    cmocka_unit_test(unwritable_keylog_is_refused_naming_the_file),
	    cmocka_unit_test(global_init_can_be_called_twice),
	    cmocka_unit_test(data_written_by_the_client_reaches_the_server),
	    cmocka_unit_test(data_from_the_server_is_read),
	    cmocka_unit_test(pending_is_true_while_decrypted_bytes_wait),
	    cmocka_unit_test(close_notify_reads_as_closed),
	    cmocka_unit_test(plain_close_reads_as_eof),
	    cmocka_unit_test(plain_close_under_tls12_reads_as_eof),
	    cmocka_unit_test(freeing_sends_close_notify),
	};
	return cmocka_run_group_tests(tests, lab_setup, lab_teardown);
}
