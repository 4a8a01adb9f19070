/*
 * clientcert: the client certificate of mutual TLS (clientcert.h,
 * tls_int.h).
 */
#include <wolfssl/options.h>
#include <wolfssl/ssl.h>
#include <wolfssl/wolfcrypt/asn_public.h>
#include <wolfssl/wolfcrypt/ecc.h>
#include <wolfssl/wolfcrypt/rsa.h>

#include "clientcert.h"
#include "tls_int.h"

#include "escape.h"
#include "util.h"
#include "x509.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A certificate or key file is a few KiB; a chain some more. */
#define CLIENTCERT_FILE_MAX (256u * 1024)

/* Reads a PEM file; its bytes are wiped when freed (clientcert_drop). */
static int
clientcert_read(const char *path, const char *what, char **text, size_t *len,
                char **cause)
{
	char *why = NULL;

	if (util_read_text_file(path, CLIENTCERT_FILE_MAX, "pem", false, text, len, &why) ==
	    0)
		return 0;
	*cause = str_printf("the %s %s", what, why);
	free(why);
	return -1;
}

static void
clientcert_drop(char *text, size_t len)
{
	if (text != NULL)
		explicit_bzero(text, len);
	free(text);
}

/* The sentence for a key the library refused. */
static void
clientcert_bad_key(const char *path, const char *text, bool same_file, char **cause)
{
	if (same_file && strstr(text, "PRIVATE KEY-----") == NULL)
		util_file_error(cause, path, 0,
		                "holds no private key, and no --key was given: give the "
		                "certificate's key with --key FILE");
	else if (strstr(text, "ENCRYPTED") != NULL)
		util_file_error(cause, path, 0,
		                "is encrypted with a passphrase, which startle does not ask "
		                "for: write the key out unencrypted to a private file "
		                "(openssl pkey -in KEY -out PLAIN.key; chmod 600 PLAIN.key) "
		                "and give that to --key");
	else
		util_file_error(cause, path, 0,
		                "holds no private key the TLS library accepts: give --key "
		                "a PEM file with -----BEGIN PRIVATE KEY----- (or an RSA or "
		                "EC key)");
}

/* A DER buffer big enough for a certificate, a private key or an SPKI. */
#define CLIENTCERT_DER_MAX 8192

/* The SubjectPublicKeyInfo of a DER private key (PKCS#8 or traditional, EC
 * or RSA) into spki; its length, or 0 for a key of another kind. */
static size_t
clientcert_key_spki(unsigned char *key, size_t len, unsigned char *spki, size_t size)
{
	word32 idx = 0, off = 0;
	int n = 0, start = wc_GetPkcs8TraditionalOffset(key, &off, (word32)len);
	ecc_key ecc;
	RsaKey rsa;

	off = start >= 0 ? (word32)start : 0;
	idx = off;
	if (wc_ecc_init(&ecc) == 0) {
		if (wc_EccPrivateKeyDecode(key, &idx, &ecc, (word32)len) == 0 &&
		    (ecc.type != ECC_PRIVATEKEY_ONLY || wc_ecc_make_pub(&ecc, NULL) == 0))
			n = wc_EccPublicKeyToDer(&ecc, spki, (word32)size, 1);
		wc_ecc_free(&ecc);
	}
	idx = off;
	if (n <= 0 && wc_InitRsaKey(&rsa, NULL) == 0) {
		if (wc_RsaPrivateKeyDecode(key, &idx, &rsa, (word32)len) == 0)
			n = wc_RsaKeyToPublicDer(&rsa, spki, (word32)size);
		wc_FreeRsaKey(&rsa);
	}
	return n > 0 ? (size_t)n : 0;
}

/* Whether the key belongs to the certificate, by their public keys: 1 yes,
 * 0 no, -1 when startle cannot tell (another kind of key: the library's own
 * check then decides). Older libraries check only the kind of key. */
static int
clientcert_key_matches(const char *cert_text, size_t cert_len, const char *key_text,
                       size_t key_len)
{
	unsigned char cert[CLIENTCERT_DER_MAX], key[CLIENTCERT_DER_MAX],
	    spki[CLIENTCERT_DER_MAX];
	struct x509_parts parts;
	int rc = -1;

	int clen = wc_CertPemToDer((const unsigned char *)cert_text, (int)cert_len, cert,
	                           sizeof cert, CERT_TYPE);
	int klen = wc_KeyPemToDer((const unsigned char *)key_text, (int)key_len, key,
	                          sizeof key, NULL);
	if (clen > 0 && klen > 0 && x509_split(cert, (size_t)clen, &parts)) {
		size_t n = clientcert_key_spki(key, (size_t)klen, spki, sizeof spki);
		if (n > 0)
			rc = n == parts.spki.total && memcmp(spki, parts.spki.start, n) == 0;
	}
	explicit_bzero(key, sizeof key);
	return rc;
}

/* Loads the PEM texts into ctx and checks that they belong together. */
static int
clientcert_try(WOLFSSL_CTX *ctx, const char *cert, const char *cert_text, size_t cert_len,
               const char *key, const char *key_text, size_t key_len, char **cause)
{
	if (wolfSSL_CTX_use_certificate_chain_buffer_format(
	        ctx, (const unsigned char *)cert_text, (long)cert_len,
	        WOLFSSL_FILETYPE_PEM) != WOLFSSL_SUCCESS) {
		util_file_error(cause, cert, 0,
		                "holds no certificate the TLS library accepts: give --cert a "
		                "PEM file starting with -----BEGIN CERTIFICATE-----");
		return -1;
	}
	if (wolfSSL_CTX_use_PrivateKey_buffer(ctx, (const unsigned char *)key_text,
	                                      (long)key_len,
	                                      WOLFSSL_FILETYPE_PEM) != WOLFSSL_SUCCESS) {
		clientcert_bad_key(key, key_text, strcmp(key, cert) == 0, cause);
		return -1;
	}
	if (wolfSSL_CTX_check_private_key(ctx) != WOLFSSL_SUCCESS ||
	    clientcert_key_matches(cert_text, cert_len, key_text, key_len) == 0) {
		char *esc = escape_bytes((const unsigned char *)cert, strlen(cert), ESCAPE_TEXT);
		if (esc == NULL)
			fatal("out of memory");
		util_file_error(cause, key, 0,
		                "is not the key of the certificate in %s: give --key the key "
		                "that belongs to --cert",
		                esc);
		free(esc);
		return -1;
	}
	return 0;
}

int
clientcert_check(const char *cert, const char *key, char **cause)
{
	char *cert_text = NULL, *key_text = NULL;
	size_t cert_len = 0, key_len = 0;
	int rc = -1;

	if (key == NULL)
		key = cert;
	if (clientcert_read(cert, "certificate file", &cert_text, &cert_len, cause) != 0 ||
	    clientcert_read(key, "key file", &key_text, &key_len, cause) != 0)
		goto out;
	WOLFSSL_CTX *ctx = wolfSSL_CTX_new(wolfSSLv23_client_method());
	if (ctx == NULL) {
		*cause = str_printf("the TLS library could not create a context");
		goto out;
	}
	rc = clientcert_try(ctx, cert, cert_text, cert_len, key, key_text, key_len, cause);
	wolfSSL_CTX_free(ctx);
out:
	/* Without --key the certificate's file holds the key too. */
	clientcert_drop(cert_text, cert_len);
	clientcert_drop(key_text, key_len);
	return rc;
}

/* The library's call when the server sends a CertificateRequest and a
 * certificate is loaded. */
static int
clientcert_requested(WOLFSSL *ssl, void *arg)
{
	struct clientcert *cc = arg;
	(void)ssl;
	cc->requested = true;
	return 1;
}

/* The library's call when the server asks for a certificate and none is
 * loaded: none is given (the library sends an empty Certificate). The other
 * callback cannot serve here: with it set, the library insists on sending a
 * certificate it does not have. */
static int
clientcert_none(WOLFSSL *ssl, WOLFSSL_X509 **x509, WOLFSSL_EVP_PKEY **pkey)
{
	struct clientcert *cc = tls_clientcert_of(ssl);
	(void)x509;
	(void)pkey;
	if (cc != NULL)
		cc->requested = true;
	return 0;
}

/* The subject of the first certificate of a PEM file, on one line. */
static void
clientcert_subject(const char *path, char *out, size_t size)
{
	WOLFSSL_X509 *x = wolfSSL_X509_load_certificate_file(path, WOLFSSL_FILETYPE_PEM);
	struct cert_info c;
	int len = 0;
	const unsigned char *der = x != NULL ? wolfSSL_X509_get_der(x, &len) : NULL;

	out[0] = '\0';
	if (der != NULL && len > 0 && x509_cert_from_der(der, (size_t)len, 0, &c)) {
		snprintf(out, size, "%s", c.subject != NULL ? c.subject : "");
		cert_info_free(&c);
	}
	if (x != NULL)
		wolfSSL_X509_free(x);
}

int
clientcert_load(WOLFSSL_CTX *ctx, const char *cert, const char *key,
                struct clientcert *cc, char **cause)
{
	memset(cc, 0, sizeof *cc);
	if (cert == NULL) {
		wolfSSL_CTX_set_client_cert_cb(ctx, clientcert_none);
		return 0;
	}
	wolfSSL_CTX_set_cert_cb(ctx, clientcert_requested, cc);
	if (key == NULL)
		key = cert;
	if (wolfSSL_CTX_use_certificate_chain_file(ctx, cert) != WOLFSSL_SUCCESS ||
	    wolfSSL_CTX_use_PrivateKey_file(ctx, key, WOLFSSL_FILETYPE_PEM) !=
	        WOLFSSL_SUCCESS ||
	    wolfSSL_CTX_check_private_key(ctx) != WOLFSSL_SUCCESS) {
		tls_set_cause(cause, str_printf("the client certificate or its key could "
		                                "not be loaded (did the files change since "
		                                "startle started?)"));
		return -1;
	}
	cc->loaded = true;
	clientcert_subject(cert, cc->subject, sizeof cc->subject);
	return 0;
}

/* Alerts a server sends about a client certificate: missing, refused,
 * untrusted. */
static const int clientcert_alerts[] = {40, 42, 43, 44, 45, 46, 48, 49, 116};

const char *
clientcert_hint(const struct clientcert *cc, int alert)
{
	/* A close without a readable alert (TLS 1.3: the server checks the client's
	 * certificate after the client's side of the handshake is done) counts
	 * only when none was sent. */
	bool about = alert < 0 && cc != NULL && !cc->loaded;

	for (size_t i = 0; i < sizeof clientcert_alerts / sizeof clientcert_alerts[0]; i++)
		about = about || clientcert_alerts[i] == alert;
	if (cc == NULL || !cc->requested || !about)
		return "";
	if (!cc->loaded)
		return " -- the server asked for a client certificate (CertificateRequest) "
		       "and startle sent none: give one with --cert FILE --key FILE";
	return " -- the server asked for a client certificate and refused the one "
	       "startle sent (--cert): check that the server trusts its issuer and "
	       "that it is valid now";
}
