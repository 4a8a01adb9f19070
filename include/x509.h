/*
 * x509: reads a certificate (DER) into the plain model of cert.h: subject
 * and issuer on one line, serial, validity, subjectAltNames, key and
 * signature algorithm, SHA-256 fingerprints of the certificate and of its
 * public key. The strings are raw bytes of the certificate (escape them when
 * shown), except that a NUL byte is written as the two characters "\0".
 */
#ifndef STARTLE_X509_H
#define STARTLE_X509_H

#include <stdbool.h>
#include <stddef.h>

#include "cert.h"
#include "der.h"

/* Fills *c from one DER certificate at the given depth of its chain (caller
 * frees with cert_info_free). False, with *c empty, if the bytes cannot be
 * parsed as a certificate. */
bool x509_cert_from_der(const unsigned char *der, size_t len, int depth,
                        struct cert_info *c);

/* Every subjectAltName of a DER certificate as text ("DNS:mail.test",
 * "IP:127.0.0.1"), in the certificate's order: up to max strings into out
 * (caller frees each), the full count into *total. Returns how many were
 * stored; 0 also when the X509 layer cannot read the certificate. */
size_t x509_sans(const unsigned char *der, size_t len, char **out, size_t max,
                 size_t *total);

/* The parts of a DER certificate that a check needs and the TLS library
 * does not hand out, each as encoded (der.h). extensions has tag 0 when the
 * certificate has none. */
struct x509_parts {
	struct der_tlv tbs;       /* TBSCertificate, the signed bytes */
	struct der_tlv sig_alg;   /* the OID of the signature algorithm */
	struct der_tlv signature; /* BIT STRING */
	struct der_tlv serial;    /* INTEGER */
	struct der_tlv issuer, subject; /* Name */
	struct der_tlv spki;            /* SubjectPublicKeyInfo */
	struct der_tlv key_alg;         /* the OID of the key's algorithm */
	struct der_tlv key;             /* subjectPublicKey, BIT STRING */
	struct der_tlv extensions;      /* SEQUENCE OF Extension */
};

/* Cuts a DER certificate into its parts; false if it is not one. Pure. */
bool x509_split(const unsigned char *der, size_t len, struct x509_parts *out);

/* The value (the OCTET STRING's body) of the extension with the given OID
 * body; false if the certificate has none. */
bool x509_extension(const struct x509_parts *c, const unsigned char *oid, size_t oid_len,
                    struct der_tlv *value);

/* True if the certificate carries the TLS feature extension with
 * status_request (OCSP Must-Staple, RFC 7633). */
bool x509_must_staple(const unsigned char *der, size_t len);

/* True if the certificate may sign OCSP responses for its issuer
 * (extendedKeyUsage id-kp-OCSPSigning). */
bool x509_ocsp_signer(const unsigned char *der, size_t len);

/* The TLS library's verdict on whether a DER certificate names a host
 * (wolfSSL_X509_check_host: subjectAltNames, wildcards, the CN when there is
 * no subjectAltName) or an address (is_ip: wolfSSL_X509_check_ip_asc). A
 * name with a wildcard, an empty label or a control byte names nothing. */
bool x509_names_host(const unsigned char *der, size_t len, const char *name, bool is_ip);

/* Fills the name part of a verdict for the leaf (which must carry its DER):
 * name_match from the library, name_legacy and name_note from startle's
 * reading of RFC 9525 (cert.h). */
void x509_name_verdict(const struct cert_info *leaf, const char *name, bool is_ip,
                       struct cert_verdict *v);

#endif
