/*
 * labcert: an ephemeral P-256 CA and the lab's leaves, made with wolfCrypt
 * when first asked for. Each kind of leaf is a row in a table (key, names,
 * validity, who signs it); making one is the same steps for every row.
 */
#include <wolfssl/options.h>
#include <wolfssl/ssl.h>
#include <wolfssl/wolfcrypt/asn_public.h>
#include <wolfssl/wolfcrypt/ecc.h>
#include <wolfssl/wolfcrypt/error-crypt.h>
#include <wolfssl/wolfcrypt/random.h>
#include <wolfssl/wolfcrypt/rsa.h>
#include <wolfssl/wolfcrypt/sha256.h>

#include "der.h"
#include "labcert.h"
#include "util.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define LABCERT_DAY 86400L
#define LABCERT_ORG "startle lab"
#define LABCERT_CA_CN "startle lab CA"
#define LABCERT_DER_MAX 4096
#define LABCERT_KEY_DER_MAX 2048
#define LABCERT_SAN_MAX 512

/* One subjectAltName: a DNS name or the bytes of an IP address. */
struct labcert_san {
	unsigned char
	    tag; /* context tag of the GeneralName: 0x82 dNSName, 0x87 iPAddress */
	const void *data;
	size_t len;
};

static const unsigned char labcert_ip4_loopback[4] = {127, 0, 0, 1};
static const unsigned char labcert_ip6_loopback[16] = {[15] = 1};

static const struct labcert_san labcert_host_sans[] = {
    {0x82, LABCERT_HOST, sizeof(LABCERT_HOST) - 1},
    {0x82, "localhost", 9},
    {0x87, labcert_ip4_loopback, sizeof(labcert_ip4_loopback)},
    {0x87, labcert_ip6_loopback, sizeof(labcert_ip6_loopback)},
};

static const struct labcert_san labcert_wrong_sans[] = {
    {0x82, "wrong.example", 13},
};

/* What a certificate is made of. Days count from now; rsa_bits 0 means an
 * EC P-256 key. */
struct labcert_spec {
	const char *cn;
	const struct labcert_san *sans;
	size_t nsans;
	long from_day, to_day;
	bool is_ca;
	bool self_signed;
	int rsa_bits;
	bool must_staple; /* the TLS feature extension with status_request */
	bool client;      /* extendedKeyUsage clientAuth instead of serverAuth */
};

#define LABCERT_HOST_SANS                                                                  \
	labcert_host_sans, sizeof(labcert_host_sans) / sizeof(labcert_host_sans[0])

static const struct labcert_spec labcert_ca_spec = {
    .cn = LABCERT_CA_CN,
    .from_day = -1,
    .to_day = 29,
    .is_ca = true,
    .self_signed = true,
};

static const struct labcert_spec labcert_specs[LABCERT_COUNT] = {
    [LABCERT_GOOD] = {.cn = LABCERT_HOST,
                      .sans = LABCERT_HOST_SANS,
                      .from_day = -1,
                      .to_day = 29},
    [LABCERT_EXPIRED] = {.cn = LABCERT_HOST,
                         .sans = LABCERT_HOST_SANS,
                         .from_day = -40,
                         .to_day = -1},
    [LABCERT_NOT_YET_VALID] = {.cn = LABCERT_HOST,
                               .sans = LABCERT_HOST_SANS,
                               .from_day = 1,
                               .to_day = 31},
    [LABCERT_WRONG_HOST] = {.cn = "wrong.example",
                            .sans = labcert_wrong_sans,
                            .nsans = 1,
                            .from_day = -1,
                            .to_day = 29},
    [LABCERT_SELF_SIGNED] = {.cn = LABCERT_HOST,
                             .sans = LABCERT_HOST_SANS,
                             .from_day = -1,
                             .to_day = 29,
                             .self_signed = true},
    [LABCERT_WEAK_KEY] = {.cn = LABCERT_HOST,
                          .sans = LABCERT_HOST_SANS,
                          .from_day = -1,
                          .to_day = 29,
                          .rsa_bits = 1024},
    [LABCERT_MUST_STAPLE] = {.cn = LABCERT_HOST,
                             .sans = LABCERT_HOST_SANS,
                             .from_day = -1,
                             .to_day = 29,
                             .must_staple = true},
    [LABCERT_CLIENT] = {.cn = LABCERT_CLIENT_CN,
                        .from_day = -1,
                        .to_day = 29,
                        .client = true},
};

static const char *const labcert_names[LABCERT_COUNT] = {
#define LABCERT_NAME(sym, name, text) [LABCERT_##sym] = name,
    LABCERT_KINDS(LABCERT_NAME)
#undef LABCERT_NAME
};

static const char *const labcert_texts[LABCERT_COUNT] = {
#define LABCERT_TEXT(sym, name, text) [LABCERT_##sym] = text,
    LABCERT_KINDS(LABCERT_TEXT)
#undef LABCERT_TEXT
};

/* A private key of either type, as wolfCrypt wants it passed around. */
struct labcert_key {
	int type; /* ECC_TYPE or RSA_TYPE */
	bool ready;
	ecc_key ecc;
	RsaKey rsa;
};

struct labcert {
	WC_RNG rng;
	struct labcert_key ca_key;
	unsigned char ca_der[LABCERT_DER_MAX];
	int ca_der_len;
	char *ca_pem;
	size_t ca_pem_len;
	struct labcert_pair pairs[LABCERT_COUNT];
};

/* Sets *cause to a sentence about a failed wolfCrypt call. */
static void
labcert_fail(char **cause, const char *what, const char *call, int ret)
{
	if (cause != NULL)
		*cause = str_printf(
		    "could not make the lab's %s certificate: %s failed (%d, %s)", what,
		    call, ret, wc_GetErrorString(ret));
}

/* Writes a DER length (definite form, as short as possible); returns its size. */
static size_t
labcert_der_length(unsigned char *out, size_t len)
{
	unsigned char be[sizeof(size_t)];
	size_t n = 0;
	if (len < 0x80) {
		out[0] = (unsigned char)len;
		return 1;
	}
	for (size_t v = len; v > 0; v >>= 8)
		be[n++] = (unsigned char)(v & 0xff);
	out[0] = (unsigned char)(0x80 | n);
	for (size_t i = 0; i < n; i++)
		out[1 + i] = be[n - 1 - i];
	return 1 + n;
}

/* Encodes GeneralNames (a SEQUENCE of context-tagged names) into out;
 * returns the size, or 0 if it does not fit. */
static size_t
labcert_der_sans(const struct labcert_san *sans, size_t n, unsigned char *out, size_t size)
{
	unsigned char body[LABCERT_SAN_MAX];
	size_t b = 0;
	for (size_t i = 0; i < n; i++) {
		if (b + 1 + 1 + sizeof(size_t) + sans[i].len > sizeof(body))
			return 0;
		body[b++] = sans[i].tag;
		b += labcert_der_length(body + b, sans[i].len);
		memcpy(body + b, sans[i].data, sans[i].len);
		b += sans[i].len;
	}
	if (1 + 1 + sizeof(size_t) + b > size)
		return 0;
	size_t o = 0;
	out[o++] = 0x30;
	o += labcert_der_length(out + o, b);
	memcpy(out + o, body, b);
	return o + b;
}

/* Encodes a time as X.509 wants it: UTCTime up to 2049, GeneralizedTime
 * after. out holds at least 17 bytes; returns the size. */
static int
labcert_der_time(time_t t, unsigned char *out)
{
	struct tm tm;
	char text[32];
	gmtime_r(&t, &tm);
	int year = tm.tm_year + 1900;
	int n;
	if (year >= 1950 && year < 2050) {
		out[0] = 0x17;
		n = snprintf(text, sizeof(text), "%02d%02d%02d%02d%02d%02dZ", year % 100,
		             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
	} else {
		out[0] = 0x18;
		n = snprintf(text, sizeof(text), "%04d%02d%02d%02d%02d%02dZ", year % 10000,
		             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
	}
	out[1] = (unsigned char)n;
	memcpy(out + 2, text, (size_t)n);
	return 2 + n;
}

static void *
labcert_key_ptr(struct labcert_key *k)
{
	return k->type == RSA_TYPE ? (void *)&k->rsa : (void *)&k->ecc;
}

static void
labcert_key_free(struct labcert_key *k)
{
	if (!k->ready)
		return;
	if (k->type == RSA_TYPE)
		wc_FreeRsaKey(&k->rsa);
	else
		wc_ecc_free(&k->ecc);
	k->ready = false;
}

/* Makes a fresh key: RSA of the given size, or EC P-256 when bits is 0. */
static int
labcert_key_make(struct labcert *lc, struct labcert_key *k, int rsa_bits, const char *what,
                 char **cause)
{
	int ret;
	k->type = rsa_bits > 0 ? RSA_TYPE : ECC_TYPE;
	if (k->type == RSA_TYPE) {
		if ((ret = wc_InitRsaKey(&k->rsa, NULL)) != 0) {
			labcert_fail(cause, what, "wc_InitRsaKey", ret);
			return -1;
		}
		k->ready = true;
		if ((ret = wc_MakeRsaKey(&k->rsa, rsa_bits, WC_RSA_EXPONENT, &lc->rng)) !=
		    0) {
			labcert_fail(cause, what, "wc_MakeRsaKey", ret);
			return -1;
		}
		return 0;
	}
	if ((ret = wc_ecc_init(&k->ecc)) != 0) {
		labcert_fail(cause, what, "wc_ecc_init", ret);
		return -1;
	}
	k->ready = true;
	if ((ret = wc_ecc_make_key_ex(&lc->rng, 32, &k->ecc, ECC_SECP256R1)) != 0) {
		labcert_fail(cause, what, "wc_ecc_make_key_ex", ret);
		return -1;
	}
	return 0;
}

/* Converts DER to a newly allocated NUL-terminated PEM of the given type. */
static char *
labcert_pem(const unsigned char *der, int der_len, int type, size_t *len, const char *what,
            char **cause)
{
	size_t size = ((size_t)der_len / 48 + 1) * 65 + 128;
	char *pem = xmalloc(size + 1);
	int n = wc_DerToPem(der, (word32)der_len, (byte *)pem, (word32)size, type);
	if (n <= 0) {
		labcert_fail(cause, what, "wc_DerToPem", n);
		free(pem);
		return NULL;
	}
	pem[n] = '\0';
	*len = (size_t)n;
	return pem;
}

/* Fills in a certificate's subject, validity, names and usages. */
static int
labcert_describe(Cert *cert, const struct labcert_spec *spec, struct labcert_key *key,
                 const char *what, char **cause)
{
	time_t now = time(NULL);
	int ret;
	snprintf(cert->subject.commonName, CTC_NAME_SIZE, "%s", spec->cn);
	snprintf(cert->subject.org, CTC_NAME_SIZE, "%s", LABCERT_ORG);
	cert->isCA = spec->is_ca ? 1 : 0;
	cert->beforeDateSz =
	    labcert_der_time(now + spec->from_day * LABCERT_DAY, cert->beforeDate);
	cert->afterDateSz =
	    labcert_der_time(now + spec->to_day * LABCERT_DAY, cert->afterDate);
	if (spec->nsans > 0) {
		size_t n = labcert_der_sans(spec->sans, spec->nsans, cert->altNames,
		                            sizeof(cert->altNames));
		if (n == 0) {
			labcert_fail(cause, what, "encoding the subjectAltNames", BUFFER_E);
			return -1;
		}
		cert->altNamesSz = (int)n;
	}
	if ((ret = wc_SetSubjectKeyIdFromPublicKey_ex(cert, key->type,
	                                              labcert_key_ptr(key))) != 0) {
		labcert_fail(cause, what, "wc_SetSubjectKeyIdFromPublicKey_ex", ret);
		return -1;
	}
	const char *usage = spec->is_ca             ? "keyCertSign,cRLSign"
	                    : key->type == RSA_TYPE ? "digitalSignature,keyEncipherment"
	                                            : "digitalSignature";
	if ((ret = wc_SetKeyUsage(cert, usage)) != 0) {
		labcert_fail(cause, what, "wc_SetKeyUsage", ret);
		return -1;
	}
	if (!spec->is_ca &&
	    (ret = wc_SetExtKeyUsage(cert, spec->client ? "clientAuth" : "serverAuth")) !=
	        0) {
		labcert_fail(cause, what, "wc_SetExtKeyUsage", ret);
		return -1;
	}
	return 0;
}

/* Adds the TLS feature extension with status_request (RFC 7633: OCSP
 * Must-Staple) to the TBSCertificate wolfCrypt made at the start of der
 * (*body_len bytes), which wolfCrypt cannot write itself. */
static int
labcert_add_must_staple(unsigned char *der, int *body_len, size_t size, char **cause)
{
	static const unsigned char ext[] = {
	    0x30, 0x11, 0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x01, 0x18,
	    0x04, 0x05, 0x30, 0x03, 0x02, 0x01, 0x05}; /* id-pe-tlsfeature: {5} */
	struct der in = der_init(der, (size_t)*body_len), fields;
	struct der_tlv tbs, t, list;
	struct der_out out = {0};
	size_t mark;
	int rc = -1;

	if (!der_expect(&in, DER_SEQUENCE, &tbs))
		goto out;
	fields = der_inside(&tbs);
	mark = der_mark(&out);
	while (der_next(&fields, &t)) {
		struct der exts = der_inside(&t);
		if (t.tag != DER_CONTEXT(3)) {
			der_raw(&out, t.start, t.total);
			continue;
		}
		if (!der_expect(&exts, DER_SEQUENCE, &list))
			goto out;
		size_t outer = der_mark(&out), inner = der_mark(&out);
		der_raw(&out, list.body, list.len);
		der_raw(&out, ext, sizeof ext);
		der_wrap(&out, DER_SEQUENCE, inner);
		der_wrap(&out, DER_CONTEXT(3), outer);
	}
	der_wrap(&out, DER_SEQUENCE, mark);
	if (out.len <= size) {
		memcpy(der, out.p, out.len);
		*body_len = (int)out.len;
		rc = 0;
	}
out:
	if (rc != 0)
		labcert_fail(cause, "must-staple", "adding the TLS feature extension",
		             BUFFER_E);
	der_out_free(&out);
	return rc;
}

/* Makes the DER of a certificate for key, described by spec and signed by
 * the CA (or by key itself when spec says self-signed). */
static int
labcert_make_der(struct labcert *lc, const struct labcert_spec *spec,
                 struct labcert_key *key, unsigned char *der, int *der_len,
                 const char *what, char **cause)
{
	struct labcert_key *signer = spec->self_signed ? key : &lc->ca_key;
	Cert *cert = xmalloc(sizeof(*cert));
	int ret = wc_InitCert(cert);
	if (ret != 0) {
		labcert_fail(cause, what, "wc_InitCert", ret);
		goto fail;
	}
	/* The serial is left empty: wolfCrypt then draws a random one. */
	cert->sigType = signer->type == RSA_TYPE ? CTC_SHA256wRSA : CTC_SHA256wECDSA;
	if (labcert_describe(cert, spec, key, what, cause) != 0)
		goto fail;
	if (!spec->self_signed &&
	    (ret = wc_SetIssuerBuffer(cert, lc->ca_der, lc->ca_der_len)) != 0) {
		labcert_fail(cause, what, "wc_SetIssuerBuffer", ret);
		goto fail;
	}
	if ((ret = wc_SetAuthKeyIdFromPublicKey_ex(cert, signer->type,
	                                           labcert_key_ptr(signer))) != 0) {
		labcert_fail(cause, what, "wc_SetAuthKeyIdFromPublicKey_ex", ret);
		goto fail;
	}
	ret = wc_MakeCert_ex(cert, der, LABCERT_DER_MAX, key->type, labcert_key_ptr(key),
	                     &lc->rng);
	if (ret <= 0) {
		labcert_fail(cause, what, "wc_MakeCert_ex", ret);
		goto fail;
	}
	if (spec->must_staple &&
	    labcert_add_must_staple(der, &cert->bodySz, LABCERT_DER_MAX, cause) != 0)
		goto fail;
	ret = wc_SignCert_ex(cert->bodySz, cert->sigType, der, LABCERT_DER_MAX,
	                     signer->type, labcert_key_ptr(signer), &lc->rng);
	if (ret <= 0) {
		labcert_fail(cause, what, "wc_SignCert_ex", ret);
		goto fail;
	}
	*der_len = ret;
	free(cert);
	return 0;
fail:
	free(cert);
	return -1;
}

/* The private key as PEM: SEC1 for EC, PKCS#1 for RSA. */
static char *
labcert_key_pem(struct labcert_key *key, size_t *len, const char *what, char **cause)
{
	unsigned char der[LABCERT_KEY_DER_MAX];
	int n;
	if (key->type == RSA_TYPE)
		n = wc_RsaKeyToDer(&key->rsa, der, sizeof(der));
	else
		n = wc_EccKeyToDer(&key->ecc, der, sizeof(der));
	if (n <= 0) {
		labcert_fail(cause, what,
		             key->type == RSA_TYPE ? "wc_RsaKeyToDer" : "wc_EccKeyToDer",
		             n);
		return NULL;
	}
	char *pem = labcert_pem(
	    der, n, key->type == RSA_TYPE ? PRIVATEKEY_TYPE : ECC_PRIVATEKEY_TYPE, len,
	    what, cause);
	explicit_bzero(der, sizeof(der));
	return pem;
}

struct labcert *
labcert_new(char **cause)
{
	struct labcert *lc = xcalloc(1, sizeof(*lc));
	int ret = wolfCrypt_Init();
	if (ret != 0) {
		labcert_fail(cause, "CA", "wolfCrypt_Init", ret);
		free(lc);
		return NULL;
	}
	if ((ret = wc_InitRng(&lc->rng)) != 0) {
		labcert_fail(cause, "CA", "wc_InitRng", ret);
		wolfCrypt_Cleanup();
		free(lc);
		return NULL;
	}
	if (labcert_key_make(lc, &lc->ca_key, 0, "CA", cause) != 0 ||
	    labcert_make_der(lc, &labcert_ca_spec, &lc->ca_key, lc->ca_der, &lc->ca_der_len,
	                     "CA", cause) != 0 ||
	    (lc->ca_pem = labcert_pem(lc->ca_der, lc->ca_der_len, CERT_TYPE,
	                              &lc->ca_pem_len, "CA", cause)) == NULL) {
		labcert_free(lc);
		return NULL;
	}
	return lc;
}

void
labcert_free(struct labcert *lc)
{
	if (lc == NULL)
		return;
	for (size_t i = 0; i < LABCERT_COUNT; i++) {
		free(lc->pairs[i].chain_pem);
		free(lc->pairs[i].leaf_der);
		if (lc->pairs[i].key_pem != NULL) {
			explicit_bzero(lc->pairs[i].key_pem, lc->pairs[i].key_len);
			free(lc->pairs[i].key_pem);
		}
	}
	free(lc->ca_pem);
	labcert_key_free(&lc->ca_key);
	wc_FreeRng(&lc->rng);
	wolfCrypt_Cleanup();
	free(lc);
}

const char *
labcert_ca_pem(const struct labcert *lc, size_t *len)
{
	if (len != NULL)
		*len = lc->ca_pem_len;
	return lc->ca_pem;
}

/* Makes the key, certificate and PEM of a spec into pair. */
static int
labcert_make_pair(struct labcert *lc, const struct labcert_spec *spec, const char *what,
                  struct labcert_pair *pair, char **cause)
{
	struct labcert_key key = {0};
	unsigned char der[LABCERT_DER_MAX];
	int der_len = 0;
	size_t leaf_len = 0;
	char *leaf = NULL;
	int rc = -1;

	if (labcert_key_make(lc, &key, spec->rsa_bits, what, cause) != 0 ||
	    labcert_make_der(lc, spec, &key, der, &der_len, what, cause) != 0 ||
	    (leaf = labcert_pem(der, der_len, CERT_TYPE, &leaf_len, what, cause)) == NULL ||
	    (pair->key_pem = labcert_key_pem(&key, &pair->key_len, what, cause)) == NULL)
		goto out;
	pair->leaf_der = xmemdup(der, (size_t)der_len);
	pair->leaf_der_len = (size_t)der_len;
	size_t ca_len = spec->self_signed ? 0 : lc->ca_pem_len;
	pair->chain_pem = xmalloc(leaf_len + ca_len + 1);
	memcpy(pair->chain_pem, leaf, leaf_len);
	if (ca_len > 0)
		memcpy(pair->chain_pem + leaf_len, lc->ca_pem, ca_len);
	pair->chain_pem[leaf_len + ca_len] = '\0';
	pair->chain_len = leaf_len + ca_len;
	rc = 0;
out:
	free(leaf);
	labcert_key_free(&key);
	return rc;
}

int
labcert_get(struct labcert *lc, enum labcert_kind kind, const struct labcert_pair **out,
            char **cause)
{
	if ((unsigned)kind >= LABCERT_COUNT) {
		if (cause != NULL)
			*cause =
			    str_printf("there is no lab certificate of kind %d", (int)kind);
		return -1;
	}
	struct labcert_pair *pair = &lc->pairs[kind];
	if (pair->chain_pem == NULL) {
		struct labcert_pair made = {0};
		if (labcert_make_pair(lc, &labcert_specs[kind], labcert_names[kind], &made,
		                      cause) != 0) {
			free(made.chain_pem);
			free(made.leaf_der);
			free(made.key_pem);
			return -1;
		}
		*pair = made;
	}
	*out = pair;
	return 0;
}

const unsigned char *
labcert_ca_der(const struct labcert *lc, size_t *len)
{
	*len = (size_t)lc->ca_der_len;
	return lc->ca_der;
}

int
labcert_ca_sign(struct labcert *lc, const unsigned char *data, size_t len,
                unsigned char *sig, size_t *sig_len, char **cause)
{
	unsigned char digest[WC_SHA256_DIGEST_SIZE];
	word32 out = (word32)*sig_len;
	int ret = wc_Sha256Hash(data, (word32)len, digest);

	if (ret == 0)
		ret = wc_ecc_sign_hash(digest, sizeof digest, sig, &out, &lc->rng,
		                       &lc->ca_key.ecc);
	if (ret != 0) {
		labcert_fail(cause, "OCSP", "wc_ecc_sign_hash", ret);
		return -1;
	}
	*sig_len = out;
	return 0;
}

int
labcert_named(struct labcert *lc, const char *const *names, size_t n,
              struct labcert_pair *out, char **cause)
{
	struct labcert_san sans[LABCERT_NAMES_MAX + 1];
	size_t total = 0;

	memset(out, 0, sizeof *out);
	if (n == 0 || n > LABCERT_NAMES_MAX) {
		*cause = str_printf("a lab certificate names 1 to %d hosts", LABCERT_NAMES_MAX);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		sans[i] = (struct labcert_san){0x82, names[i], strlen(names[i])};
		total += sans[i].len + 4;
	}
	sans[n] = (struct labcert_san){0x87, labcert_ip4_loopback,
	                               sizeof(labcert_ip4_loopback)};
	if (total > LABCERT_SAN_MAX - 16 || strlen(names[0]) >= CTC_NAME_SIZE) {
		*cause = str_printf("the host names are too long for one lab certificate");
		return -1;
	}
	struct labcert_spec spec = {
	    .cn = names[0], .sans = sans, .nsans = n + 1, .from_day = -1, .to_day = 29};
	if (labcert_make_pair(lc, &spec, names[0], out, cause) != 0) {
		labcert_pair_free(out);
		return -1;
	}
	return 0;
}

void
labcert_pair_free(struct labcert_pair *p)
{
	free(p->chain_pem);
	free(p->leaf_der);
	if (p->key_pem != NULL) {
		explicit_bzero(p->key_pem, p->key_len);
		free(p->key_pem);
	}
	memset(p, 0, sizeof *p);
}

char *
labcert_write_ca(const struct labcert *lc, char **cause)
{
	const char *dir = getenv("TMPDIR");
	if (dir == NULL || dir[0] == '\0')
		dir = "/tmp";
	char *path = str_printf("%s/startle-lab-ca-XXXXXX.pem", dir);
	int fd = mkstemps(path, 4);
	if (fd < 0) {
		if (cause != NULL)
			*cause = str_printf("could not create a file for the lab CA in %s: "
			                    "%s (set TMPDIR to a "
			                    "writable directory)",
			                    dir, strerror(errno));
		free(path);
		return NULL;
	}
	const char *p = lc->ca_pem;
	size_t left = lc->ca_pem_len;
	int err = fchmod(fd, 0600) != 0 ? errno : 0;
	while (err == 0 && left > 0) {
		ssize_t n = write(fd, p, left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			err = n < 0 ? errno : EIO;
			break;
		}
		p += n;
		left -= (size_t)n;
	}
	if (close(fd) != 0 && err == 0)
		err = errno;
	if (err != 0) {
		if (cause != NULL)
			*cause = str_printf("could not write the lab CA to %s: %s", path,
			                    strerror(err));
		unlink(path);
		free(path);
		return NULL;
	}
	return path;
}

const char *
labcert_kind_name(enum labcert_kind kind)
{
	return (unsigned)kind < LABCERT_COUNT ? labcert_names[kind] : "unknown";
}

const char *
labcert_kind_text(enum labcert_kind kind)
{
	return (unsigned)kind < LABCERT_COUNT ? labcert_texts[kind]
	                                      : "not a lab certificate";
}
