/*
 * tls_view: what startle sees of a handshake besides the wire records. The
 * readable handshake messages from the server (ServerHello, a TLS 1.2
 * ServerKeyExchange) are cut from the records' bodies and read for the key
 * share and the signature; TLS 1.3's encrypted messages are decrypted from
 * startle's own copy of the records (hsdecrypt.h), handed to the observer as
 * they are found, and CertificateVerify gives the signature scheme.
 */
#include "tls_int.h"

#include "hsdecrypt.h"
#include "hsmsg.h"
#include "record.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TLS12_VERSION_NUMBER 0x0303

struct tls_view {
	struct tls_observer obs;
	struct hsdecrypt *hs;      /* NULL: the library hands out no secrets */
	size_t messages_reported;  /* of hs's messages, handed to the observer */
	struct hsmsg_walker plain; /* the server's readable handshake messages */
	struct hsmsg_hello hello;  /* its (last) ServerHello */
	bool have_hello, hello_retry;
	struct hsmsg_kx kx; /* a TLS 1.2 ServerKeyExchange */
	bool have_kx;
	unsigned signature; /* the server's handshake signature scheme */
};

/* A readable handshake message from the server, complete. */
static void
tls_view_plain(void *arg, unsigned char type, size_t length, const unsigned char *body,
               size_t kept)
{
	struct tls_view *v = arg;

	if (kept < length)
		return; /* beyond what is kept: nothing read here is that long */
	if (type == HSMSG_SERVER_HELLO) {
		struct hsmsg_hello h;
		if (!hsmsg_server_hello(body, kept, &h))
			return;
		v->hello = h;
		v->have_hello = true;
		v->hello_retry = v->hello_retry || h.hello_retry;
	} else if (type == HSMSG_SERVER_KEY_EXCHANGE && v->have_hello) {
		const char *name = wolfSSL_get_cipher_name_iana_from_suite(
		    (unsigned char)(v->hello.suite >> 8), (unsigned char)v->hello.suite);
		bool ecdhe = name != NULL && strstr(name, "_ECDHE_") != NULL;
		bool with_scheme = v->hello.version >= TLS12_VERSION_NUMBER;
		v->have_kx = hsmsg_key_exchange(body, kept, ecdhe, with_scheme, &v->kx);
		if (v->have_kx && v->kx.signature != 0)
			v->signature = v->kx.signature;
	}
}

struct tls_view *
tls_view_new(const struct tls_observer *obs, bool decrypt)
{
	struct tls_view *v = xcalloc(1, sizeof *v);

	if (obs != NULL)
		v->obs = *obs;
	if (decrypt)
		v->hs = hsdecrypt_new();
	hsmsg_walker_init(&v->plain, HSMSG_KEEP_MAX, tls_view_plain, v);
	return v;
}

void
tls_view_free(struct tls_view *v)
{
	if (v == NULL)
		return;
	hsdecrypt_free(v->hs);
	free(v);
}

/* Hands the observer the messages the decryptor listed since last time,
 * and reads the server's CertificateVerify. */
static void
tls_view_report(struct tls_view *v)
{
	size_t n = hsdecrypt_count(v->hs);
	struct hsdecrypt_message m[HSDECRYPT_MESSAGES_MAX];

	if (n == v->messages_reported)
		return;
	hsdecrypt_messages(v->hs, m, n);
	for (size_t i = v->messages_reported; i < n; i++) {
		unsigned scheme;
		if (m[i].from_server && m[i].type == HSMSG_CERTIFICATE_VERIFY &&
		    hsmsg_verify_scheme(m[i].head, m[i].head_len, &scheme))
			v->signature = scheme;
		struct tls_message tm = {.dir = m[i].from_server ? TLS_DIR_IN : TLS_DIR_OUT,
		                         .type = m[i].type,
		                         .length = m[i].length,
		                         .after_handshake = m[i].after_handshake,
		                         .head_len = m[i].head_len};
		memcpy(tm.head, m[i].head, m[i].head_len);
		if (v->obs.message != NULL)
			v->obs.message(v->obs.arg, &tm);
	}
	v->messages_reported = n;
}

void
tls_view_body(struct tls_view *v, enum tls_dir dir, const struct record *r,
              const unsigned char *p, size_t n, bool end)
{
	if (v == NULL)
		return;
	if (dir == TLS_DIR_IN && r->type == RECORD_HANDSHAKE && r->readable)
		hsmsg_walk(&v->plain, p, n);
	hsdecrypt_body(v->hs, dir == TLS_DIR_IN, r, p, n, end);
	if (end)
		tls_view_report(v);
}

#ifdef HAVE_SECRET_CALLBACK
/* wolfSSL's TLS 1.3 traffic secrets, as the decryptor names them. */
static const struct {
	int id;
	enum hsdecrypt_secret which;
} tls_traffic_secrets[] = {
    {CLIENT_HANDSHAKE_TRAFFIC_SECRET, HSDECRYPT_CLIENT_HANDSHAKE},
    {SERVER_HANDSHAKE_TRAFFIC_SECRET, HSDECRYPT_SERVER_HANDSHAKE},
    {CLIENT_TRAFFIC_SECRET, HSDECRYPT_CLIENT_APPLICATION},
    {SERVER_TRAFFIC_SECRET, HSDECRYPT_SERVER_APPLICATION},
};
#endif

void
tls_view_secret(struct tls_view *v, WOLFSSL *ssl, int id, const unsigned char *secret,
                size_t len)
{
#ifdef HAVE_SECRET_CALLBACK
	int suite = wolfSSL_get_current_cipher_suite(ssl);

	if (v == NULL || suite < 0)
		return;
	for (size_t i = 0; i < sizeof tls_traffic_secrets / sizeof tls_traffic_secrets[0];
	     i++)
		if (tls_traffic_secrets[i].id == id)
			hsdecrypt_secret(v->hs, (unsigned)suite,
			                 tls_traffic_secrets[i].which, secret, len);
	tls_view_report(v);
#else
	(void)v;
	(void)ssl;
	(void)id;
	(void)secret;
	(void)len;
#endif
}

void
tls_view_finish(struct tls_view *v, WOLFSSL *ssl)
{
	if (v != NULL && wolfSSL_version(ssl) != TLS1_3_VERSION)
		hsdecrypt_stop(v->hs);
}

/* What can be shown of the encrypted handshake of a finished handshake. */
static enum tls_hs_view
tls_view_kind(const struct tls_view *v, WOLFSSL *ssl)
{
	if (wolfSSL_version(ssl) != TLS1_3_VERSION)
		return TLS_HS_READABLE;
	if (v->hs == NULL)
		return TLS_HS_UNAVAILABLE;
	return hsdecrypt_problem(v->hs) != NULL ? TLS_HS_FAILED : TLS_HS_DECRYPTED;
}

void
tls_view_summary(const struct tls_view *v, WOLFSSL *ssl, struct tls_summary *sum)
{
	if (v == NULL)
		return;
	sum->encrypted_handshake = tls_view_kind(v, ssl);
	sum->hello_retry = v->hello_retry;
	if (v->signature != 0) {
		const char *name = record_signature_scheme_name(
		    v->signature, wolfSSL_version(ssl) == TLS1_3_VERSION);
		if (name != NULL)
			snprintf(sum->signature, sizeof sum->signature, "%s", name);
		else
			snprintf(sum->signature, sizeof sum->signature, "0x%04x",
			         v->signature);
	}
	unsigned group = 0;
	if (v->have_kx) {
		sum->key_share_bytes = v->kx.key_share_len;
		group = v->kx.group;
	} else if (v->have_hello && !v->hello.hello_retry) {
		sum->key_share_bytes = v->hello.key_share_len;
		group = v->hello.group;
	}
	if (sum->group[0] != '\0')
		return;
	if (group != 0 && record_group_name(group) != NULL)
		snprintf(sum->group, sizeof sum->group, "%s", record_group_name(group));
	else if (v->have_kx && v->kx.dh_bits > 0)
		snprintf(sum->group, sizeof sum->group, "DH %zu bits", v->kx.dh_bits);
}

size_t
tls_view_messages(const struct tls_view *v, struct hsdecrypt_message *out, size_t max,
                  const char **problem)
{
	if (problem != NULL)
		*problem = v != NULL ? hsdecrypt_problem(v->hs) : NULL;
	return v != NULL ? hsdecrypt_messages(v->hs, out, max) : 0;
}
