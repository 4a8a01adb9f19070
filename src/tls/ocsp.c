/*
 * ocsp: reading a stapled OCSP response and checking it against the chain
 * (ocsp.h). The reader walks the DER with der.h and keeps pointers into the
 * caller's bytes; the check hashes and verifies with wolfCrypt.
 */
#include <wolfssl/options.h>
#include <wolfssl/ssl.h>
#include <wolfssl/wolfcrypt/asn_public.h>
#include <wolfssl/wolfcrypt/ecc.h>
#include <wolfssl/wolfcrypt/hash.h>
#include <wolfssl/wolfcrypt/rsa.h>
#include <wolfssl/wolfcrypt/signature.h>

#include "ocsp.h"

#include "util.h"
#include "x509.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* A response dated this far in the future still counts (clocks drift). */
#define OCSP_SKEW_SECONDS 300

/* id-pkix-ocsp-basic (1.3.6.1.5.5.7.48.1.1). */
static const unsigned char ocsp_oid_basic[] = {0x2b, 0x06, 0x01, 0x05, 0x05,
                                               0x07, 0x30, 0x01, 0x01};

static const char *const ocsp_status_names[] = {
    [0] = "successful",    [1] = "malformedRequest", [2] = "internalError",
    [3] = "tryLater",      [5] = "sigRequired",      [6] = "unauthorized",
};

static const char *const ocsp_reasons[] = {
    [0] = "unspecified",          [1] = "keyCompromise",
    [2] = "cACompromise",         [3] = "affiliationChanged",
    [4] = "superseded",           [5] = "cessationOfOperation",
    [6] = "certificateHold",      [8] = "removeFromCRL",
    [9] = "privilegeWithdrawn",   [10] = "aACompromise",
};

const char *
ocsp_response_status_name(long status)
{
	size_t n = sizeof ocsp_status_names / sizeof ocsp_status_names[0];
	return status >= 0 && (size_t)status < n && ocsp_status_names[status] != NULL
	           ? ocsp_status_names[status]
	           : "an unknown status";
}

const char *
ocsp_reason_name(long reason)
{
	size_t n = sizeof ocsp_reasons / sizeof ocsp_reasons[0];
	return reason >= 0 && (size_t)reason < n ? ocsp_reasons[reason] : NULL;
}

/* Reads a GeneralizedTime (or, leniently, a UTCTime). */
static bool
ocsp_time(struct der *in, time_t *out)
{
	struct der_tlv t;
	return der_next(in, &t) && der_time(&t, out);
}

/* Reads the content of an EXPLICIT [n] tag holding one time. */
static bool
ocsp_tagged_time(const struct der_tlv *tagged, time_t *out)
{
	struct der in = der_inside(tagged);
	return ocsp_time(&in, out);
}

/* CertID ::= SEQUENCE { hashAlgorithm, issuerNameHash, issuerKeyHash, serialNumber } */
static bool
ocsp_parse_certid(struct der *in, struct ocsp_single *s)
{
	struct der_tlv id, alg;

	if (!der_expect(in, DER_SEQUENCE, &id))
		return false;
	struct der c = der_inside(&id);
	if (!der_expect(&c, DER_SEQUENCE, &alg))
		return false;
	struct der a = der_inside(&alg);
	return der_expect(&a, DER_OID, &s->hash_alg) &&
	       der_expect(&c, DER_OCTET_STRING, &s->name_hash) &&
	       der_expect(&c, DER_OCTET_STRING, &s->key_hash) &&
	       der_expect(&c, DER_INTEGER, &s->serial);
}

/* CertStatus: good [0] NULL, revoked [1] RevokedInfo, unknown [2] NULL. */
static bool
ocsp_parse_status(struct der *in, struct ocsp_single *s)
{
	struct der_tlv st, reason;

	s->reason = -1;
	if (!der_next(in, &st))
		return false;
	if (st.tag == DER_CONTEXT_PRIM(0) && st.len == 0) {
		s->status = OCSP_STATUS_GOOD;
		return true;
	}
	if (st.tag == DER_CONTEXT_PRIM(2) && st.len == 0) {
		s->status = OCSP_STATUS_UNKNOWN;
		return true;
	}
	if (st.tag != DER_CONTEXT(1))
		return false;
	s->status = OCSP_STATUS_REVOKED;
	struct der r = der_inside(&st);
	if (!ocsp_time(&r, &s->revoked_at))
		return false;
	if (der_expect(&r, DER_CONTEXT(0), &reason)) {
		struct der e = der_inside(&reason);
		struct der_tlv value;
		if (!der_expect(&e, DER_ENUMERATED, &value) ||
		    !der_small_int(&value, &s->reason))
			return false;
	}
	return true;
}

/* SingleResponse ::= SEQUENCE { certID, certStatus, thisUpdate,
 *     nextUpdate [0] OPTIONAL, singleExtensions [1] OPTIONAL } */
static bool
ocsp_parse_single(const struct der_tlv *t, struct ocsp_single *s)
{
	struct der in = der_inside(t);
	struct der_tlv next;

	memset(s, 0, sizeof *s);
	if (!ocsp_parse_certid(&in, s) || !ocsp_parse_status(&in, s) ||
	    !ocsp_time(&in, &s->this_update))
		return false;
	if (der_expect(&in, DER_CONTEXT(0), &next) &&
	    !ocsp_tagged_time(&next, &s->next_update))
		return false;
	return true;
}

/* ResponseData ::= SEQUENCE { version [0] OPTIONAL, responderID,
 *     producedAt, responses, responseExtensions [1] OPTIONAL } */
static bool
ocsp_parse_data(struct ocsp_response *r, const char **why)
{
	struct der in = der_inside(&r->tbs);
	struct der_tlv t, list;

	(void)der_expect(&in, DER_CONTEXT(0), &t);
	if (!der_next(&in, &t) || (t.tag != DER_CONTEXT(1) && t.tag != DER_CONTEXT(2))) {
		*why = "the response names no responder";
		return false;
	}
	r->by_key = t.tag == DER_CONTEXT(2);
	struct der id = der_inside(&t);
	if (!der_expect(&id, r->by_key ? DER_OCTET_STRING : DER_SEQUENCE, &r->responder) ||
	    !ocsp_time(&in, &r->produced_at) || !der_expect(&in, DER_SEQUENCE, &list)) {
		*why = "the response's data is malformed (responder, producedAt)";
		return false;
	}
	struct der singles = der_inside(&list);
	while (der_next(&singles, &t)) {
		if (r->nsingles == OCSP_SINGLES_MAX)
			continue;
		if (t.tag != DER_SEQUENCE || !ocsp_parse_single(&t, &r->singles[r->nsingles])) {
			*why = "a certificate status in the response is malformed";
			return false;
		}
		r->nsingles++;
	}
	if (r->nsingles == 0) {
		*why = "the response holds no certificate status";
		return false;
	}
	return true;
}

/* BasicOCSPResponse ::= SEQUENCE { tbsResponseData, signatureAlgorithm,
 *     signature, certs [0] OPTIONAL } */
static bool
ocsp_parse_basic(const struct der_tlv *octets, struct ocsp_response *r, const char **why)
{
	struct der in = der_inside(octets), basic, alg;
	struct der_tlv t, certs;

	if (!der_expect(&in, DER_SEQUENCE, &t)) {
		*why = "the basic response is not a SEQUENCE";
		return false;
	}
	basic = der_inside(&t);
	if (!der_expect(&basic, DER_SEQUENCE, &r->tbs) ||
	    !der_expect(&basic, DER_SEQUENCE, &t)) {
		*why = "the basic response is malformed";
		return false;
	}
	alg = der_inside(&t);
	if (!der_expect(&alg, DER_OID, &r->sig_alg) ||
	    !der_expect(&basic, DER_BIT_STRING, &r->signature) || r->signature.len < 2) {
		*why = "the response's signature is malformed";
		return false;
	}
	if (der_expect(&basic, DER_CONTEXT(0), &certs)) {
		struct der c = der_inside(&certs), list;
		if (der_expect(&c, DER_SEQUENCE, &t)) {
			list = der_inside(&t);
			while (r->ncerts < OCSP_CERTS_MAX &&
			       der_expect(&list, DER_SEQUENCE, &r->certs[r->ncerts]))
				r->ncerts++;
		}
	}
	return ocsp_parse_data(r, why);
}

int
ocsp_parse(const unsigned char *der, size_t len, struct ocsp_response *out,
           const char **why)
{
	struct der in = der_init(der, len), resp;
	struct der_tlv t, status, bytes, type, octets;

	memset(out, 0, sizeof *out);
	*why = NULL;
	if (!der_expect(&in, DER_SEQUENCE, &t)) {
		*why = "the stapled bytes are not an OCSP response (no DER SEQUENCE)";
		return -1;
	}
	resp = der_inside(&t);
	if (!der_expect(&resp, DER_ENUMERATED, &status) ||
	    !der_small_int(&status, &out->response_status)) {
		*why = "the OCSP response has no responseStatus";
		return -1;
	}
	if (out->response_status != 0)
		return 0;
	if (!der_expect(&resp, DER_CONTEXT(0), &t)) {
		*why = "a successful OCSP response without responseBytes";
		return -1;
	}
	struct der rb = der_inside(&t);
	if (!der_expect(&rb, DER_SEQUENCE, &bytes)) {
		*why = "the OCSP responseBytes are malformed";
		return -1;
	}
	struct der b = der_inside(&bytes);
	if (!der_expect(&b, DER_OID, &type) || !der_expect(&b, DER_OCTET_STRING, &octets)) {
		*why = "the OCSP responseBytes are malformed";
		return -1;
	}
	if (!der_oid_is(&type, ocsp_oid_basic, sizeof ocsp_oid_basic)) {
		*why = "the OCSP response is not of the basic type (id-pkix-ocsp-basic)";
		return -1;
	}
	return ocsp_parse_basic(&octets, out, why) ? 0 : -1;
}

/* Hash algorithms by OID body, for CertIDs. */
static const struct {
	unsigned char oid[9];
	size_t len;
	enum wc_HashType hash;
} ocsp_hashes[] = {
    {{0x2b, 0x0e, 0x03, 0x02, 0x1a}, 5, WC_HASH_TYPE_SHA},
    {{0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01}, 9, WC_HASH_TYPE_SHA256},
    {{0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02}, 9, WC_HASH_TYPE_SHA384},
    {{0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03}, 9, WC_HASH_TYPE_SHA512},
};

/* Signature algorithms startle can check, by OID body. */
static const struct {
	unsigned char oid[9];
	size_t len;
	enum wc_HashType hash;
	enum wc_SignatureType type;
} ocsp_sigs[] = {
    {{0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x01}, 7, WC_HASH_TYPE_SHA, WC_SIGNATURE_TYPE_ECC},
    {{0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02}, 8, WC_HASH_TYPE_SHA256,
     WC_SIGNATURE_TYPE_ECC},
    {{0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x03}, 8, WC_HASH_TYPE_SHA384,
     WC_SIGNATURE_TYPE_ECC},
    {{0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x04}, 8, WC_HASH_TYPE_SHA512,
     WC_SIGNATURE_TYPE_ECC},
    {{0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x05}, 9, WC_HASH_TYPE_SHA,
     WC_SIGNATURE_TYPE_RSA_W_ENC},
    {{0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b}, 9, WC_HASH_TYPE_SHA256,
     WC_SIGNATURE_TYPE_RSA_W_ENC},
    {{0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0c}, 9, WC_HASH_TYPE_SHA384,
     WC_SIGNATURE_TYPE_RSA_W_ENC},
    {{0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0d}, 9, WC_HASH_TYPE_SHA512,
     WC_SIGNATURE_TYPE_RSA_W_ENC},
};

/* id-ecPublicKey and rsaEncryption. */
static const unsigned char ocsp_oid_ec[] = {0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01};
static const unsigned char ocsp_oid_rsa[] = {0x2a, 0x86, 0x48, 0x86, 0xf7,
                                             0x0d, 0x01, 0x01, 0x01};

/* Verifies that signer's key signed the bytes of tbs (signature: a BIT
 * STRING) with the algorithm sig_alg. 0, or -1 with *why. */
static int
ocsp_verify(const struct der_tlv *sig_alg, const struct der_tlv *tbs,
            const struct der_tlv *signature, const struct x509_parts *signer,
            const char **why)
{
	size_t i, n = sizeof ocsp_sigs / sizeof ocsp_sigs[0];
	word32 idx = 0;
	int ret = -1;

	for (i = 0; i < n && !der_oid_is(sig_alg, ocsp_sigs[i].oid, ocsp_sigs[i].len); i++)
		;
	if (i == n) {
		*why = "it is signed with an algorithm startle cannot check (only ECDSA "
		       "and RSA PKCS#1 v1.5)";
		return -1;
	}
	bool ec = ocsp_sigs[i].type == WC_SIGNATURE_TYPE_ECC;
	if (!der_oid_is(&signer->key_alg, ec ? ocsp_oid_ec : ocsp_oid_rsa,
	                ec ? sizeof ocsp_oid_ec : sizeof ocsp_oid_rsa) ||
	    signature->len < 2 || signature->body[0] != 0) {
		*why = "its signature does not fit the signer's key";
		return -1;
	}
	union {
		ecc_key ec;
		RsaKey rsa;
	} key;
	const byte *spki = signer->spki.start;
	word32 spki_len = (word32)signer->spki.total;
	bool ready = ec ? wc_ecc_init(&key.ec) == 0 &&
	                      wc_EccPublicKeyDecode(spki, &idx, &key.ec, spki_len) == 0
	                : wc_InitRsaKey(&key.rsa, NULL) == 0 &&
	                      wc_RsaPublicKeyDecode(spki, &idx, &key.rsa, spki_len) == 0;
	if (ready)
		ret = wc_SignatureVerify(ocsp_sigs[i].hash, ocsp_sigs[i].type, tbs->start,
		                         (word32)tbs->total, signature->body + 1,
		                         (word32)(signature->len - 1), &key,
		                         ec ? sizeof key.ec : sizeof key.rsa);
	if (ec)
		wc_ecc_free(&key.ec);
	else
		wc_FreeRsaKey(&key.rsa);
	if (ret != 0)
		*why = "its signature does not verify";
	return ret == 0 ? 0 : -1;
}

/* True if data hashes (with the CertID's algorithm) to the OCTET STRING want. */
static bool
ocsp_hash_is(enum wc_HashType hash, const unsigned char *data, size_t len,
             const struct der_tlv *want)
{
	unsigned char digest[64];
	int size = wc_HashGetDigestSize(hash);

	return size > 0 && (size_t)size == want->len &&
	       wc_Hash(hash, data, (word32)len, digest, (word32)size) == 0 &&
	       memcmp(digest, want->body, want->len) == 0;
}

/* True if a SingleResponse is about the leaf issued by issuer. */
static bool
ocsp_single_is_for(const struct ocsp_single *s, const struct x509_parts *leaf,
                   const struct x509_parts *issuer)
{
	size_t i, n = sizeof ocsp_hashes / sizeof ocsp_hashes[0];

	for (i = 0; i < n && !der_oid_is(&s->hash_alg, ocsp_hashes[i].oid, ocsp_hashes[i].len);
	     i++)
		;
	return i < n && s->serial.len == leaf->serial.len &&
	       memcmp(s->serial.body, leaf->serial.body, s->serial.len) == 0 &&
	       issuer->key.len > 1 &&
	       ocsp_hash_is(ocsp_hashes[i].hash, leaf->issuer.start, leaf->issuer.total,
	                    &s->name_hash) &&
	       ocsp_hash_is(ocsp_hashes[i].hash, issuer->key.body + 1, issuer->key.len - 1,
	                    &s->key_hash);
}

/* True if two encoded elements are the same bytes. */
static bool
ocsp_same(const struct der_tlv *a, const struct der_tlv *b)
{
	return a->total == b->total && memcmp(a->start, b->start, a->total) == 0;
}

/* Finds the leaf's issuer in the chain (the leaf itself when self-issued). */
static bool
ocsp_find_issuer(const struct cert_info *chain, size_t n, const struct x509_parts *leaf,
                 struct x509_parts *issuer)
{
	if (ocsp_same(&leaf->issuer, &leaf->subject)) {
		*issuer = *leaf;
		return true;
	}
	for (size_t i = 1; i < n; i++) {
		if (x509_split(chain[i].der, chain[i].der_len, issuer) &&
		    ocsp_same(&leaf->issuer, &issuer->subject))
			return true;
	}
	return false;
}

/* Attribute names for the responder's name, by OID body. */
static const struct {
	unsigned char oid[9];
	size_t len;
	const char *name;
} ocsp_attrs[] = {
    {{0x55, 0x04, 0x03}, 3, "CN"},
    {{0x55, 0x04, 0x06}, 3, "C"},
    {{0x55, 0x04, 0x07}, 3, "L"},
    {{0x55, 0x04, 0x08}, 3, "ST"},
    {{0x55, 0x04, 0x0a}, 3, "O"},
    {{0x55, 0x04, 0x0b}, 3, "OU"},
    {{0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x01}, 9, "emailAddress"},
};

/* Appends one "KEY=value" of a Name; a NUL in the value becomes "\0" and a
 * comma "\,", as in the certificates' names (x509.h). */
static void
ocsp_add_attr(const struct der_tlv *oid, const struct der_tlv *value, char *out,
              size_t size, size_t *used)
{
	const char *key = "?";

	for (size_t i = 0; i < sizeof ocsp_attrs / sizeof ocsp_attrs[0]; i++)
		if (der_oid_is(oid, ocsp_attrs[i].oid, ocsp_attrs[i].len))
			key = ocsp_attrs[i].name;
	if (*used < size)
		*used += (size_t)snprintf(out + *used, size - *used, "%s%s=",
		                          *used > 0 ? ", " : "", key);
	for (size_t i = 0; i < value->len && *used + 3 < size; i++) {
		unsigned char ch = value->body[i];
		if (ch == '\0' || ch == ',')
			out[(*used)++] = '\\';
		out[(*used)++] = ch == '\0' ? '0' : (char)ch;
	}
	if (*used >= size)
		*used = size - 1;
	out[*used] = '\0';
}

/* A Name on one line, most specific attribute first: "CN=x, O=y". */
static void
ocsp_name_text(const struct der_tlv *name, char *out, size_t size)
{
	struct der_tlv rdns[16], atv, oid, value;
	struct der in = der_inside(name);
	size_t n = 0, used = 0;

	out[0] = '\0';
	while (n < sizeof rdns / sizeof rdns[0] && der_expect(&in, DER_SET, &rdns[n]))
		n++;
	while (n-- > 0) {
		struct der s = der_inside(&rdns[n]);
		if (!der_expect(&s, DER_SEQUENCE, &atv))
			continue;
		struct der a = der_inside(&atv);
		if (der_expect(&a, DER_OID, &oid) && der_next(&a, &value))
			ocsp_add_attr(&oid, &value, out, size, &used);
	}
}

/* The responderID in words: the name, or the hash of the responder's key. */
static void
ocsp_responder_text(const struct ocsp_response *r, char *out, size_t size)
{
	if (!r->by_key) {
		ocsp_name_text(&r->responder, out, size);
		return;
	}
	size_t used = (size_t)snprintf(out, size, "key ");
	for (size_t i = 0; i < r->responder.len && used + 3 < size; i++)
		used += (size_t)snprintf(out + used, size - used, "%02x", r->responder.body[i]);
}

/* Checks who signed the response: the issuer, or a certificate sent along
 * that the issuer signed for OCSP. 0 with o->signer, or -1 with *why. */
static int
ocsp_check_signer(const struct ocsp_response *r, const struct x509_parts *issuer,
                  struct cert_ocsp *o, const char **why)
{
	struct x509_parts delegate;

	if (ocsp_verify(&r->sig_alg, &r->tbs, &r->signature, issuer, why) == 0) {
		snprintf(o->signer, sizeof o->signer, "the issuer");
		return 0;
	}
	for (size_t i = 0; i < r->ncerts; i++) {
		const char *ignored;
		if (!x509_split(r->certs[i].start, r->certs[i].total, &delegate) ||
		    !ocsp_same(&delegate.issuer, &issuer->subject) ||
		    !x509_ocsp_signer(r->certs[i].start, r->certs[i].total) ||
		    ocsp_verify(&delegate.sig_alg, &delegate.tbs, &delegate.signature, issuer,
		                &ignored) != 0)
			continue;
		if (ocsp_verify(&r->sig_alg, &r->tbs, &r->signature, &delegate, why) == 0) {
			snprintf(o->signer, sizeof o->signer,
			         "a responder the issuer delegated");
			return 0;
		}
	}
	return -1;
}

/* Copies one SingleResponse's status and dates into o. */
static void
ocsp_take_single(const struct ocsp_single *s, struct cert_ocsp *o)
{
	static const enum cert_ocsp_state states[] = {
	    [OCSP_STATUS_GOOD] = CERT_OCSP_GOOD,
	    [OCSP_STATUS_REVOKED] = CERT_OCSP_REVOKED,
	    [OCSP_STATUS_UNKNOWN] = CERT_OCSP_UNKNOWN,
	};
	const char *reason = ocsp_reason_name(s->reason);

	o->state = states[s->status];
	o->this_update = s->this_update;
	o->next_update = s->next_update;
	o->revoked_at = s->status == OCSP_STATUS_REVOKED ? s->revoked_at : 0;
	snprintf(o->reason, sizeof o->reason, "%s", reason != NULL ? reason : "");
}

/* Sets the first problem found. */
static void
ocsp_problem(struct cert_ocsp *o, const char *why)
{
	if (o->problem[0] == '\0' && why != NULL)
		snprintf(o->problem, sizeof o->problem, "%s", why);
}

/* The checks once the response reads: which status is the leaf's, who
 * signed it, whether now is within its dates. */
static void
ocsp_check_parsed(const struct ocsp_response *r, const struct cert_info *chain, size_t n,
                  time_t now, struct cert_ocsp *o)
{
	struct x509_parts leaf, issuer;
	const char *why = NULL;
	size_t pick = 0;
	bool have_issuer = false, for_leaf = false;

	if (n > 0 && x509_split(chain[0].der, chain[0].der_len, &leaf))
		have_issuer = ocsp_find_issuer(chain, n, &leaf, &issuer);
	for (size_t i = 0; have_issuer && !for_leaf && i < r->nsingles; i++) {
		if (ocsp_single_is_for(&r->singles[i], &leaf, &issuer)) {
			pick = i;
			for_leaf = true;
		}
	}
	ocsp_take_single(&r->singles[pick], o);
	if (!have_issuer) {
		ocsp_problem(o, "the server did not send the certificate that issued its "
		                "own, so the response cannot be checked");
		return;
	}
	if (!for_leaf)
		ocsp_problem(o, "it is about another certificate (its CertID names another "
		                "serial or issuer)");
	if (ocsp_check_signer(r, &issuer, o, &why) != 0)
		ocsp_problem(o, why != NULL ? why : "the issuer did not sign it");
	const struct ocsp_single *s = &r->singles[pick];
	if (s->this_update > now + OCSP_SKEW_SECONDS)
		ocsp_problem(o, "it is not valid yet: its thisUpdate is in the future");
	else if (s->next_update != 0 && s->next_update < now)
		ocsp_problem(o, "it is out of date: its nextUpdate has passed");
	o->verified = o->problem[0] == '\0';
}

void
ocsp_check(const unsigned char *der, size_t len, const struct cert_info *chain, size_t n,
           time_t now, struct cert_ocsp *o)
{
	struct ocsp_response r;
	const char *why = NULL;

	o->len = len;
	o->state = CERT_OCSP_UNREADABLE;
	o->verified = false;
	o->problem[0] = o->responder[0] = o->signer[0] = o->reason[0] = '\0';
	o->produced_at = o->this_update = o->next_update = o->revoked_at = 0;
	if (len > OCSP_RESPONSE_MAX) {
		snprintf(o->problem, sizeof o->problem,
		         "the stapled response is larger than %d bytes: not read",
		         OCSP_RESPONSE_MAX);
		return;
	}
	if (ocsp_parse(der, len, &r, &why) != 0) {
		ocsp_problem(o, why);
		return;
	}
	if (r.response_status != 0) {
		snprintf(o->problem, sizeof o->problem,
		         "the responder answered \"%s\" (%ld), not a certificate status",
		         ocsp_response_status_name(r.response_status), r.response_status);
		return;
	}
	o->produced_at = r.produced_at;
	ocsp_responder_text(&r, o->responder, sizeof o->responder);
	ocsp_check_parsed(&r, chain, n, now, o);
}
