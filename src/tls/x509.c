/*
 * x509: certificates into the plain model of cert.h, read with wolfSSL's
 * X509 layer, or with wolfCrypt's own parser for what that layer cannot hold
 * (this build refuses EdDSA keys there). Names become one line, most
 * specific attribute first; a NUL inside a string becomes the two characters
 * "\0" so that it can neither hide what follows nor make a name match.
 */
#include <wolfssl/options.h>
#include <wolfssl/ssl.h>
#include <wolfssl/wolfcrypt/asn.h>
#include <wolfssl/wolfcrypt/coding.h>
#include <wolfssl/wolfcrypt/sha256.h>
#include <wolfssl/openssl/ec.h>
#include <wolfssl/openssl/evp.h>
#include <wolfssl/openssl/x509v3.h>

#include "x509.h"

#include "util.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

/* Writes bytes as hex into out (size at least 2n + 1), upper or lower case. */
static void
x509_hex(const unsigned char *p, size_t n, char *out, size_t size, bool upper)
{
	word32 len = (word32)size;

	if (Base16_Encode(p, (word32)n, (byte *)out, &len) != 0) {
		out[0] = '\0';
		return;
	}
	out[2 * n] = '\0';
	for (size_t i = 0; !upper && i < 2 * n; i++)
		out[i] = (char)tolower((unsigned char)out[i]);
}

/* Copies an ASN.1 string's bytes into a C string; a NUL byte inside becomes
 * the two characters "\0" so that it can neither hide what follows nor
 * make a name match. */
static char *
x509_asn1_text(const char *prefix, const unsigned char *p, int len)
{
	size_t plen = strlen(prefix);
	size_t n = len > 0 ? (size_t)len : 0;
	char *s = xmalloc(plen + 2 * n + 1);
	size_t o = plen;

	memcpy(s, prefix, plen);
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '\0') {
			s[o++] = '\\';
			s[o++] = '0';
		} else {
			s[o++] = (char)p[i];
		}
	}
	s[o] = '\0';
	return s;
}

/* Growing string for names. */
struct x509_buf {
	char *s;
	size_t len, cap;
};

static void
x509_buf_add(struct x509_buf *b, const char *p, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 64;
		while (cap < b->len + n + 1)
			cap *= 2;
		b->s = xrealloc(b->s, cap);
		b->cap = cap;
	}
	memcpy(b->s + b->len, p, n);
	b->len += n;
	b->s[b->len] = '\0';
}

/* A distinguished name on one line, most specific attribute first:
 * "CN=mail.test, O=startle test". Commas in values are escaped as "\,". */
static char *
x509_name_line(WOLFSSL_X509_NAME *name)
{
	struct x509_buf b = {0};
	int count = name != NULL ? wolfSSL_X509_NAME_entry_count(name) : 0;

	x509_buf_add(&b, "", 0);
	for (int i = count - 1; i >= 0; i--) {
		WOLFSSL_X509_NAME_ENTRY *e = wolfSSL_X509_NAME_get_entry(name, i);
		if (e == NULL)
			continue;
		WOLFSSL_ASN1_OBJECT *obj = wolfSSL_X509_NAME_ENTRY_get_object(e);
		WOLFSSL_ASN1_STRING *val = wolfSSL_X509_NAME_ENTRY_get_data(e);
		char key[80];
		const char *sn =
		    obj != NULL ? wolfSSL_OBJ_nid2sn(wolfSSL_OBJ_obj2nid(obj)) : NULL;
		if (sn != NULL)
			snprintf(key, sizeof(key), "%s", sn);
		else if (obj == NULL || wolfSSL_OBJ_obj2txt(key, sizeof(key), obj, 1) <= 0)
			snprintf(key, sizeof(key), "?");
		if (b.len > 0)
			x509_buf_add(&b, ", ", 2);
		x509_buf_add(&b, key, strlen(key));
		x509_buf_add(&b, "=", 1);
		char *text =
		    x509_asn1_text("", val != NULL ? wolfSSL_ASN1_STRING_data(val) : NULL,
		                   val != NULL ? wolfSSL_ASN1_STRING_length(val) : 0);
		for (const char *p = text; *p != '\0'; p++) {
			if (*p == ',')
				x509_buf_add(&b, "\\", 1);
			x509_buf_add(&b, p, 1);
		}
		free(text);
	}
	return b.s;
}

/* Prefixes for subjectAltName entries, by GENERAL_NAME type. */
static const char *const x509_san_prefix[] = {
    [GEN_OTHERNAME] = "othername:",
    [GEN_EMAIL] = "email:",
    [GEN_DNS] = "DNS:",
    [GEN_X400] = "X400:",
    [GEN_DIRNAME] = "DirName:",
    [GEN_EDIPARTY] = "EdiParty:",
    [GEN_URI] = "URI:",
    [GEN_IPADD] = "IP:",
    [GEN_RID] = "RID:",
};

/* One subjectAltName entry as text: "DNS:mail.test", "IP:::1". */
static char *
x509_san_text(WOLFSSL_GENERAL_NAME *gn)
{
	const char *prefix =
	    gn->type >= 0 && gn->type <= GEN_RID ? x509_san_prefix[gn->type] : "?:";
	WOLFSSL_ASN1_STRING *str = NULL;

	switch (gn->type) {
	case GEN_DNS:
		str = gn->d.dNSName;
		break;
	case GEN_EMAIL:
		str = gn->d.rfc822Name;
		break;
	case GEN_URI:
		str = gn->d.uniformResourceIdentifier;
		break;
	case GEN_IPADD: {
		str = gn->d.iPAddress;
		int len = str != NULL ? wolfSSL_ASN1_STRING_length(str) : 0;
		const unsigned char *p = str != NULL ? wolfSSL_ASN1_STRING_data(str) : NULL;
		char text[INET6_ADDRSTRLEN];
		if (p != NULL && (len == 4 || len == 16) &&
		    inet_ntop(len == 4 ? AF_INET : AF_INET6, p, text, sizeof(text)) != NULL)
			return str_printf("IP:%s", text);
		return str_printf("IP:<%d bytes, not an address>", len);
	}
	default:
		return str_printf("%s<unsupported>", prefix);
	}
	return x509_asn1_text(prefix, str != NULL ? wolfSSL_ASN1_STRING_data(str) : NULL,
	                      str != NULL ? wolfSSL_ASN1_STRING_length(str) : 0);
}

/* Collects a certificate's subjectAltNames in the certificate's order: up
 * to max strings into out (caller frees), the full count into *total. */
static size_t
x509_collect_sans(WOLFSSL_X509 *x, char **out, size_t max, size_t *total)
{
	WOLFSSL_GENERAL_NAMES *names =
	    wolfSSL_X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	int num = names != NULL ? wolfSSL_sk_GENERAL_NAME_num(names) : 0;
	size_t n = 0;

	*total = num > 0 ? (size_t)num : 0;
	/* wolfSSL's stack holds them last first. */
	for (int i = num - 1; i >= 0 && n < max; i--) {
		WOLFSSL_GENERAL_NAME *gn = wolfSSL_sk_GENERAL_NAME_value(names, i);
		if (gn != NULL)
			out[n++] = x509_san_text(gn);
	}
	if (names != NULL)
		wolfSSL_GENERAL_NAMES_free(names);
	return n;
}

/* Key algorithms by wolfSSL's key type. */
static const struct {
	int type;
	const char *name;
} x509_key_types[] = {
    {RSAk, "RSA"}, {DSAk, "DSA"}, {ECDSAk, "EC"}, {ED25519k, "Ed25519"}, {ED448k, "Ed448"},
};

/* Describes the public key: "EC P-256", "RSA 2048", "Ed25519". */
static void
x509_describe_key(WOLFSSL_X509 *x, struct cert_info *c)
{
	int type = wolfSSL_X509_get_pubkey_type(x);
	const char *alg = NULL;
	WOLFSSL_EVP_PKEY *pkey = wolfSSL_X509_get_pubkey(x);

	for (size_t i = 0; i < sizeof(x509_key_types) / sizeof(x509_key_types[0]); i++) {
		if (x509_key_types[i].type == type)
			alg = x509_key_types[i].name;
	}
	c->key_bits = pkey != NULL ? wolfSSL_EVP_PKEY_bits(pkey) : 0;
	if (type == ED25519k)
		c->key_bits = 256;
	else if (type == ED448k)
		c->key_bits = 456;
	if (alg == NULL) {
		snprintf(c->key, sizeof(c->key), "unknown");
	} else if (type == ECDSAk) {
		const WOLFSSL_EC_KEY *ec =
		    pkey != NULL ? wolfSSL_EVP_PKEY_get0_EC_KEY(pkey) : NULL;
		const WOLFSSL_EC_GROUP *grp =
		    ec != NULL ? wolfSSL_EC_KEY_get0_group(ec) : NULL;
		const char *curve =
		    grp != NULL
		        ? wolfSSL_EC_curve_nid2nist(wolfSSL_EC_GROUP_get_curve_name(grp))
		        : NULL;
		if (curve != NULL)
			snprintf(c->key, sizeof(c->key), "EC %s", curve);
		else
			snprintf(c->key, sizeof(c->key), "EC %d", c->key_bits);
	} else if (type == RSAk || type == DSAk) {
		snprintf(c->key, sizeof(c->key), "%s %d", alg, c->key_bits);
	} else {
		snprintf(c->key, sizeof(c->key), "%s", alg);
	}
	if (pkey != NULL)
		wolfSSL_EVP_PKEY_free(pkey);
}

/* Fills SHA-256 of the DER and of the SubjectPublicKeyInfo (lower-case hex). */
static void
x509_fingerprints(WOLFSSL_X509 *x, struct cert_info *c)
{
	unsigned char digest[WC_SHA256_DIGEST_SIZE];
	int len = 0;
	const unsigned char *der = wolfSSL_X509_get_der(x, &len);

	if (der != NULL && len > 0 && wc_Sha256Hash(der, (word32)len, digest) == 0)
		x509_hex(digest, sizeof(digest), c->sha256, sizeof(c->sha256), false);

	/* wolfSSL_i2d_PUBKEY gives a bare PKCS#1 key for RSA; this is the
	 * SubjectPublicKeyInfo for every key type. */
	unsigned char spki[4096];
	int slen = sizeof(spki);
	if (wolfSSL_X509_get_pubkey_buffer(x, spki, &slen) == WOLFSSL_SUCCESS && slen > 0 &&
	    wc_Sha256Hash(spki, (word32)slen, digest) == 0)
		x509_hex(digest, sizeof(digest), c->spki_sha256, sizeof(c->spki_sha256),
		         false);
}

/* A certificate time as seconds since the epoch (UTC); 0 if unreadable. */
static time_t
x509_asn1_time(const WOLFSSL_ASN1_TIME *t)
{
	struct tm tm;
	memset(&tm, 0, sizeof(tm));
	if (t == NULL || wolfSSL_ASN1_TIME_to_tm(t, &tm) != WOLFSSL_SUCCESS)
		return 0;
	return timegm(&tm);
}

/* Signature algorithm names as OpenSSL prints them, by NID. */
static const struct {
	int nid;
	const char *name;
} x509_sig_names[] = {
    {NID_md5WithRSAEncryption, "md5WithRSAEncryption"},
    {NID_sha1WithRSAEncryption, "sha1WithRSAEncryption"},
    {NID_sha224WithRSAEncryption, "sha224WithRSAEncryption"},
    {NID_sha256WithRSAEncryption, "sha256WithRSAEncryption"},
    {NID_sha384WithRSAEncryption, "sha384WithRSAEncryption"},
    {NID_sha512WithRSAEncryption, "sha512WithRSAEncryption"},
    {NID_ecdsa_with_SHA1, "ecdsa-with-SHA1"},
    {NID_ecdsa_with_SHA224, "ecdsa-with-SHA224"},
    {NID_ecdsa_with_SHA256, "ecdsa-with-SHA256"},
    {NID_ecdsa_with_SHA384, "ecdsa-with-SHA384"},
    {NID_ecdsa_with_SHA512, "ecdsa-with-SHA512"},
    {NID_dsaWithSHA1, "dsaWithSHA1"},
    {NID_dsa_with_SHA224, "dsa_with_SHA224"},
    {NID_dsa_with_SHA256, "dsa_with_SHA256"},
};

/* Names the signature algorithm the way OpenSSL prints it. */
static void
x509_describe_sig(WOLFSSL_X509 *x, struct cert_info *c)
{
	int nid = wolfSSL_X509_get_signature_nid(x);
	const char *name = NULL;

	for (size_t i = 0; i < sizeof(x509_sig_names) / sizeof(x509_sig_names[0]); i++) {
		if (x509_sig_names[i].nid == nid)
			name = x509_sig_names[i].name;
	}
	if (name == NULL && nid != 0)
		name = wolfSSL_OBJ_nid2ln(nid);
	snprintf(c->sig, sizeof(c->sig), "%s", name != NULL ? name : "unknown");
}

/* Converts one wolfSSL certificate into the plain model. */
static void
x509_from_x509(WOLFSSL_X509 *x, int depth, struct cert_info *c)
{
	unsigned char serial[64];
	int slen = sizeof(serial);

	memset(c, 0, sizeof(*c));
	c->depth = depth;
	WOLFSSL_X509_NAME *subj = wolfSSL_X509_get_subject_name(x);
	WOLFSSL_X509_NAME *iss = wolfSSL_X509_get_issuer_name(x);
	c->subject = x509_name_line(subj);
	c->issuer = x509_name_line(iss);
	if (wolfSSL_X509_get_serial_number(x, serial, &slen) == WOLFSSL_SUCCESS &&
	    slen > 0) {
		c->serial = xmalloc(2 * (size_t)slen + 1);
		x509_hex(serial, (size_t)slen, c->serial, 2 * (size_t)slen + 1, true);
	} else {
		c->serial = str_printf("%s", "");
	}
	c->not_before = x509_asn1_time(wolfSSL_X509_get_notBefore(x));
	c->not_after = x509_asn1_time(wolfSSL_X509_get_notAfter(x));
	c->nsan = x509_collect_sans(x, c->san, CERT_SAN_MAX, &c->nsan_total);
	x509_describe_key(x, c);
	x509_describe_sig(x, c);
	x509_fingerprints(x, c);
	c->is_ca = wolfSSL_X509_get_isCA(x) != 0;
	c->self_signed =
	    subj != NULL && iss != NULL && wolfSSL_X509_NAME_cmp(subj, iss) == 0;
}

/* True if p starts an attribute of wolfCrypt's slash form: "/KEY=". */
static bool
x509_slash_attr(const char *p)
{
	size_t n = 1;
	if (p[0] != '/')
		return false;
	while ((p[n] >= 'A' && p[n] <= 'Z') || (p[n] >= 'a' && p[n] <= 'z'))
		n++;
	return n > 1 && p[n] == '=';
}

/* Turns wolfCrypt's "/O=startle test/CN=mail.test" into the one-line form,
 * most specific attribute first, commas in values escaped as "\,". */
static char *
x509_slash_name(const char *in)
{
	struct x509_buf b = {0};
	size_t starts[64], n = 0, len = strlen(in);

	for (size_t i = 0; i < len && n < sizeof(starts) / sizeof(starts[0]); i++) {
		if (x509_slash_attr(in + i))
			starts[n++] = i;
	}
	x509_buf_add(&b, "", 0);
	for (size_t k = n; k-- > 0;) {
		size_t end = k + 1 < n ? starts[k + 1] : len;
		const char *attr = in + starts[k] + 1;
		const char *eq = strchr(attr, '=');
		if (b.len > 0)
			x509_buf_add(&b, ", ", 2);
		for (const char *p = attr; p < in + end; p++) {
			if (*p == ',' && p > eq)
				x509_buf_add(&b, "\\", 1);
			x509_buf_add(&b, p, 1);
		}
	}
	return b.s;
}

/* Reads a DER UTCTime or GeneralizedTime (with or without its tag). */
static time_t
x509_der_time(const unsigned char *p, int len)
{
	struct tm tm;
	int year;
	size_t ylen;

	if (p == NULL || len < 13)
		return 0;
	if ((p[0] == 0x17 || p[0] == 0x18) && p[1] == len - 2) {
		ylen = p[0] == 0x17 ? 2 : 4;
		p += 2;
		len -= 2;
	} else {
		ylen = len >= 15 ? 4 : 2;
	}
	if ((size_t)len < ylen + 10)
		return 0;
	char digits[16];
	memcpy(digits, p, ylen + 10);
	for (size_t i = 0; i < ylen + 10; i++) {
		if (digits[i] < '0' || digits[i] > '9')
			return 0;
	}
	year = 0;
	for (size_t i = 0; i < ylen; i++)
		year = year * 10 + (digits[i] - '0');
	if (ylen == 2)
		year += year < 50 ? 2000 : 1900;
	const char *q = digits + ylen;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = year - 1900;
	tm.tm_mon = (q[0] - '0') * 10 + (q[1] - '0') - 1;
	tm.tm_mday = (q[2] - '0') * 10 + (q[3] - '0');
	tm.tm_hour = (q[4] - '0') * 10 + (q[5] - '0');
	tm.tm_min = (q[6] - '0') * 10 + (q[7] - '0');
	tm.tm_sec = (q[8] - '0') * 10 + (q[9] - '0');
	return timegm(&tm);
}

/* SubjectPublicKeyInfo prefixes for raw EdDSA keys (RFC 8410). */
static const struct {
	int type;
	const char *key, *sig;
	int bits;
	unsigned char prefix[12];
	size_t raw_len;
} x509_eddsa[] = {
    {ED25519k,
     "Ed25519",
     "ED25519",
     256,
     {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00},
     32},
    {ED448k,
     "Ed448",
     "ED448",
     456,
     {0x30, 0x43, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x71, 0x03, 0x3a, 0x00},
     57},
};

/* Converts a certificate that wolfSSL's X509 layer cannot hold (this build
 * refuses EdDSA keys there) from its DER, with wolfCrypt's parser. */
static bool
x509_from_decoded(const unsigned char *der, int len, int depth, struct cert_info *c)
{
	struct DecodedCert dc;
	unsigned char digest[WC_SHA256_DIGEST_SIZE];

	memset(c, 0, sizeof(*c));
	if (der == NULL || len <= 0)
		return false;
	wc_InitDecodedCert(&dc, der, (word32)len, NULL);
	if (wc_ParseCert(&dc, CERT_TYPE, NO_VERIFY, NULL) != 0) {
		wc_FreeDecodedCert(&dc);
		return false;
	}
	c->depth = depth;
	c->subject = x509_slash_name(dc.subject);
	c->issuer = x509_slash_name(dc.issuer);
	c->serial = xmalloc(2 * (size_t)dc.serialSz + 1);
	x509_hex(dc.serial, (size_t)dc.serialSz, c->serial, 2 * (size_t)dc.serialSz + 1,
	         true);
	c->not_before = x509_der_time(dc.beforeDate, dc.beforeDateLen);
	c->not_after = x509_der_time(dc.afterDate, dc.afterDateLen);
	for (DNS_entry *e = dc.altNames; e != NULL; e = e->next) {
		c->nsan_total++;
		if (c->nsan >= CERT_SAN_MAX)
			continue;
		if (e->type == ASN_DNS_TYPE)
			c->san[c->nsan++] =
			    x509_asn1_text("DNS:", (const unsigned char *)e->name, e->len);
		else if (e->type == ASN_IP_TYPE && e->ipString != NULL)
			c->san[c->nsan++] = str_printf("IP:%s", e->ipString);
		else if (e->type == ASN_URI_TYPE)
			c->san[c->nsan++] =
			    x509_asn1_text("URI:", (const unsigned char *)e->name, e->len);
		else
			c->san[c->nsan++] = str_printf("othername:<unsupported>");
	}
	snprintf(c->key, sizeof(c->key), "unknown");
	snprintf(c->sig, sizeof(c->sig), "unknown");
	for (size_t i = 0; i < sizeof(x509_eddsa) / sizeof(x509_eddsa[0]); i++) {
		if ((int)dc.keyOID == x509_eddsa[i].type) {
			snprintf(c->key, sizeof(c->key), "%s", x509_eddsa[i].key);
			c->key_bits = x509_eddsa[i].bits;
			if (dc.pubKeySize == x509_eddsa[i].raw_len) {
				unsigned char spki[12 + 57];
				memcpy(spki, x509_eddsa[i].prefix, 12);
				memcpy(spki + 12, dc.publicKey, dc.pubKeySize);
				if (wc_Sha256Hash(spki, 12 + dc.pubKeySize, digest) == 0)
					x509_hex(digest, sizeof(digest), c->spki_sha256,
					         sizeof(c->spki_sha256), false);
			}
		}
		if ((int)dc.signatureOID == x509_eddsa[i].type)
			snprintf(c->sig, sizeof(c->sig), "%s", x509_eddsa[i].sig);
	}
	if (wc_Sha256Hash(der, (word32)len, digest) == 0)
		x509_hex(digest, sizeof(digest), c->sha256, sizeof(c->sha256), false);
	c->is_ca = dc.isCA;
	c->self_signed = strcmp(dc.subject, dc.issuer) == 0;
	wc_FreeDecodedCert(&dc);
	return true;
}

bool
x509_cert_from_der(const unsigned char *der, size_t len, int depth, struct cert_info *c)
{
	memset(c, 0, sizeof(*c));
	if (der == NULL || len == 0 || len > INT32_MAX)
		return false;
	WOLFSSL_X509 *x = wolfSSL_X509_d2i(NULL, der, (int)len);
	if (x == NULL) {
		if (!x509_from_decoded(der, (int)len, depth, c))
			return false;
	} else {
		x509_from_x509(x, depth, c);
		wolfSSL_X509_free(x);
	}
	c->der = xmemdup(der, len);
	c->der_len = len;
	c->must_staple = x509_must_staple(der, len);
	return true;
}

size_t
x509_sans(const unsigned char *der, size_t len, char **out, size_t max, size_t *total)
{
	*total = 0;
	if (der == NULL || len == 0 || len > INT32_MAX)
		return 0;
	WOLFSSL_X509 *x = wolfSSL_X509_d2i(NULL, der, (int)len);
	if (x == NULL)
		return 0;
	size_t n = x509_collect_sans(x, out, max, total);
	wolfSSL_X509_free(x);
	return n;
}

/* Writes an address the way the TLS library prints IP subjectAltNames:
 * dotted IPv4, or IPv6 as eight groups of four upper-case hex digits. */
static bool
x509_library_ip_text(const char *name, char *out, size_t size)
{
	unsigned char bin[16];

	if (inet_pton(AF_INET, name, bin) == 1)
		return inet_ntop(AF_INET, bin, out, (socklen_t)size) != NULL;
	if (inet_pton(AF_INET6, name, bin) != 1 || size < 40)
		return false;
	for (int i = 0; i < 8; i++)
		snprintf(out + 5 * i, size - 5 * (size_t)i, "%02X%02X%s", bin[2 * i],
		         bin[2 * i + 1], i < 7 ? ":" : "");
	return true;
}

/* True for a reference name the library may be asked about: no wildcard, no
 * empty label, no byte outside printable ASCII. */
static bool
x509_host_is_plain(const char *name, size_t len)
{
	if (len == 0 || name[0] == '.')
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)name[i];
		if (ch <= ' ' || ch >= 0x7f || ch == '*' ||
		    (ch == '.' && i + 1 < len && name[i + 1] == '.'))
			return false;
	}
	return true;
}

bool
x509_names_host(const unsigned char *der, size_t len, const char *name, bool is_ip)
{
	char text[256];
	bool match = false;

	if (der == NULL || len == 0 || len > INT32_MAX || name == NULL)
		return false;
	size_t nlen = strlen(name);
	if (!is_ip && nlen > 1 && name[nlen - 1] == '.')
		nlen--; /* the absolute form names the same host */
	if (is_ip ? !x509_library_ip_text(name, text, sizeof text)
	          : nlen >= sizeof text || !x509_host_is_plain(name, nlen))
		return false;
	if (!is_ip) {
		/* Older libraries read the name up to its NUL, whatever its length. */
		memcpy(text, name, nlen);
		text[nlen] = '\0';
	}
	WOLFSSL_X509 *x = wolfSSL_X509_d2i(NULL, der, (int)len);
	if (x == NULL)
		return false;
	if (!is_ip) {
		match = wolfSSL_X509_check_host(x, text, nlen, 0, NULL) == WOLFSSL_SUCCESS;
	} else {
		unsigned char bin[16];
		char plain[INET6_ADDRSTRLEN];
		match = wolfSSL_X509_check_ip_asc(x, text, 0) == WOLFSSL_SUCCESS;
		/* A library that prints IPv6 SANs in the short form. */
		if (!match && inet_pton(AF_INET6, name, bin) == 1 &&
		    inet_ntop(AF_INET6, bin, plain, sizeof plain) != NULL)
			match = wolfSSL_X509_check_ip_asc(x, plain, 0) == WOLFSSL_SUCCESS;
	}
	wolfSSL_X509_free(x);
	return match;
}

void
x509_name_verdict(const struct cert_info *leaf, const char *name, bool is_ip,
                  struct cert_verdict *v)
{
	v->name_match = false;
	v->name_legacy = false;
	v->name_note[0] = '\0';
	if (leaf == NULL || name == NULL || name[0] == '\0')
		return;
	v->name_match = x509_names_host(leaf->der, leaf->der_len, name, is_ip);
	v->name_legacy =
	    v->name_match && cert_name_rule_is_legacy(cert_name_rule(leaf, name, is_ip, NULL));
	cert_name_note(leaf, name, is_ip, v->name_match, v->name_note, sizeof v->name_note);
}

bool
x509_split(const unsigned char *der, size_t len, struct x509_parts *out)
{
	struct der in = der_init(der, len), cert, tbs, alg, spki;
	struct der_tlv t, skip;

	memset(out, 0, sizeof *out);
	if (!der_expect(&in, DER_SEQUENCE, &t))
		return false;
	cert = der_inside(&t);
	if (!der_expect(&cert, DER_SEQUENCE, &out->tbs) ||
	    !der_expect(&cert, DER_SEQUENCE, &t))
		return false;
	alg = der_inside(&t);
	if (!der_expect(&alg, DER_OID, &out->sig_alg) ||
	    !der_expect(&cert, DER_BIT_STRING, &out->signature))
		return false;
	tbs = der_inside(&out->tbs);
	(void)der_expect(&tbs, DER_CONTEXT(0), &skip); /* version */
	if (!der_expect(&tbs, DER_INTEGER, &out->serial) ||
	    !der_expect(&tbs, DER_SEQUENCE, &skip) ||
	    !der_expect(&tbs, DER_SEQUENCE, &out->issuer) ||
	    !der_expect(&tbs, DER_SEQUENCE, &skip) ||
	    !der_expect(&tbs, DER_SEQUENCE, &out->subject) ||
	    !der_expect(&tbs, DER_SEQUENCE, &out->spki))
		return false;
	spki = der_inside(&out->spki);
	if (!der_expect(&spki, DER_SEQUENCE, &t) ||
	    !der_expect(&spki, DER_BIT_STRING, &out->key))
		return false;
	alg = der_inside(&t);
	if (!der_expect(&alg, DER_OID, &out->key_alg))
		return false;
	while (der_next(&tbs, &t)) {
		struct der ext = der_inside(&t);
		if (t.tag == DER_CONTEXT(3) && !der_expect(&ext, DER_SEQUENCE, &out->extensions))
			return false;
	}
	return true;
}

bool
x509_extension(const struct x509_parts *c, const unsigned char *oid, size_t oid_len,
               struct der_tlv *value)
{
	struct der all = der_inside(&c->extensions);
	struct der_tlv ext, id, flag;

	if (c->extensions.tag != DER_SEQUENCE)
		return false;
	while (der_expect(&all, DER_SEQUENCE, &ext)) {
		struct der e = der_inside(&ext);
		if (!der_expect(&e, DER_OID, &id))
			return false;
		(void)der_expect(&e, DER_BOOLEAN, &flag);
		if (der_oid_is(&id, oid, oid_len))
			return der_expect(&e, DER_OCTET_STRING, value);
	}
	return false;
}

/* id-pe-tlsfeature (1.3.6.1.5.5.7.1.24) and extKeyUsage (2.5.29.37). */
static const unsigned char x509_oid_tls_feature[] = {0x2b, 0x06, 0x01, 0x05, 0x05,
                                                     0x07, 0x01, 0x18};
static const unsigned char x509_oid_eku[] = {0x55, 0x1d, 0x25};
/* id-kp-OCSPSigning (1.3.6.1.5.5.7.3.9). */
static const unsigned char x509_oid_ocsp_signing[] = {0x2b, 0x06, 0x01, 0x05, 0x05,
                                                      0x07, 0x03, 0x09};

bool
x509_must_staple(const unsigned char *der, size_t len)
{
	struct x509_parts c;
	struct der_tlv value, list, feature;
	long n;

	if (!x509_split(der, len, &c) ||
	    !x509_extension(&c, x509_oid_tls_feature, sizeof x509_oid_tls_feature, &value))
		return false;
	struct der v = der_inside(&value);
	if (!der_expect(&v, DER_SEQUENCE, &list))
		return false;
	struct der items = der_inside(&list);
	while (der_expect(&items, DER_INTEGER, &feature)) {
		if (der_small_int(&feature, &n) && n == 5) /* status_request */
			return true;
	}
	return false;
}

bool
x509_ocsp_signer(const unsigned char *der, size_t len)
{
	struct x509_parts c;
	struct der_tlv value, list, purpose;

	if (!x509_split(der, len, &c) ||
	    !x509_extension(&c, x509_oid_eku, sizeof x509_oid_eku, &value))
		return false;
	struct der v = der_inside(&value);
	if (!der_expect(&v, DER_SEQUENCE, &list))
		return false;
	struct der items = der_inside(&list);
	while (der_expect(&items, DER_OID, &purpose)) {
		if (der_oid_is(&purpose, x509_oid_ocsp_signing, sizeof x509_oid_ocsp_signing))
			return true;
	}
	return false;
}
