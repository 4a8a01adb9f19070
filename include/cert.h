/*
 * cert: a certificate chain as plain C data, independent of wolfSSL, so that
 * fronts can show it and tests can build it. Strings are owned by the struct
 * and are raw (escape them when shown). Times are UTC.
 */
#ifndef STARTLE_CERT_H
#define STARTLE_CERT_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

/* Caps on what is parsed from one certificate and one chain. */
#define CERT_SAN_MAX 64
#define CERT_CHAIN_MAX 10

struct cert_info {
	int depth;     /* 0 = leaf */
	char *subject; /* one line, e.g. "CN=mail.test, O=startle test" */
	char *issuer;
	char *serial; /* hex, colon-free, upper case */
	time_t not_before;
	time_t not_after;
	char *san[CERT_SAN_MAX]; /* "DNS:mail.test", "IP:127.0.0.1" */
	size_t nsan;
	size_t nsan_total; /* SANs present, even beyond CERT_SAN_MAX */
	char key[32];      /* "EC P-256", "RSA 2048", "Ed25519" */
	int key_bits;
	char sig[48];         /* "ecdsa-with-SHA256", "sha256WithRSAEncryption" */
	char sha256[65];      /* hex of SHA-256 over the DER (lower case, no colons) */
	char spki_sha256[65]; /* the same over SubjectPublicKeyInfo (DANE 3 1 1) */
	bool is_ca;
	bool self_signed;   /* subject equals issuer */
	bool must_staple;   /* TLS feature status_request: OCSP Must-Staple (RFC 7633) */
	unsigned char *der; /* the certificate as presented (DANE matching), or NULL */
	size_t der_len;
};

/* What the server stapled to its certificate (RFC 6066 status_request), as
 * startle read and checked it (ocsp.h). */
#define CERT_OCSP_STATES(X)                                                                \
	X(NOT_REQUESTED, "not-requested") /* this TLS library cannot show one */           \
	X(NONE, "none")                   /* asked for; the server stapled nothing */      \
	X(GOOD, "good")                                                                    \
	X(REVOKED, "revoked")                                                              \
	X(UNKNOWN, "unknown")        /* the responder does not know the certificate */     \
	X(UNREADABLE, "unreadable") /* not an OCSP response, or not a successful one */

enum cert_ocsp_state {
#define CERT_OCSP_ENUM(sym, name) CERT_OCSP_##sym,
	CERT_OCSP_STATES(CERT_OCSP_ENUM)
#undef CERT_OCSP_ENUM
};

struct cert_ocsp {
	enum cert_ocsp_state state;
	bool verified;     /* about this leaf, signed by its issuer (or a responder
	                    * it delegated), within thisUpdate..nextUpdate */
	char problem[200]; /* why it is not verified or unreadable, or "" */
	time_t produced_at, this_update;
	time_t next_update; /* 0: none given */
	time_t revoked_at;  /* 0 unless revoked */
	char reason[32];    /* revocation reason ("keyCompromise"), or "" */
	char responder[256]; /* responderID: a name on one line (raw bytes:
	                      * escape when shown), or "key SHA-1 hex" */
	char signer[64];     /* who signed it, in words, when verified */
	size_t len;          /* bytes of the stapled response */
	bool must_staple;    /* the leaf demands a staple (RFC 7633) */
};

const char *cert_ocsp_state_name(enum cert_ocsp_state s);

/* The outcome of verifying a chain and a name. */
struct cert_verdict {
	bool verified;          /* chain leads to a trusted root, all dates valid */
	int verify_error_code;  /* 0 or the first error code seen (X509_V_ERR_*) */
	int verify_error_depth; /* depth at which it was seen, -1 if none */
	char verify_error[128]; /* words, "" if verified */
	bool name_match;        /* the TLS library says the leaf names the server */
	bool name_legacy;       /* ... only by a rule RFC 9525 dropped (cert_name_rule) */
	char name_checked[256]; /* the name or address that was checked */
	char name_note[256];    /* the verdict in words (cert_name_note), or "" */
	bool expired, not_yet_valid, self_signed, untrusted;
	bool weak_key, weak_signature;
	struct cert_ocsp ocsp; /* the stapled OCSP response */
};

void cert_info_free(struct cert_info *c);

/* Formats a time as "2026-11-29T03:00:00Z" into buf (at least 21 bytes). */
void cert_format_time(time_t t, char *buf, size_t size);

/* True if the key is weak: RSA/DSA under 2048 bits, EC under 224 bits. */
bool cert_key_is_weak(const struct cert_info *c);

/* True if the signature algorithm uses MD5 or SHA-1 (for non-root certs). */
bool cert_sig_is_weak(const struct cert_info *c);

/* How a certificate names a host, as startle reads RFC 9525, and the laxer
 * rules TLS libraries still apply (legacy: a client that follows RFC 9525
 * refuses them). */
enum cert_name_rule {
	CERT_NAME_NONE,
	CERT_NAME_DNS,          /* a DNS subjectAltName equal to the name */
	CERT_NAME_WILDCARD,     /* "*.rest": the whole left-most label */
	CERT_NAME_IP,           /* an IP subjectAltName equal to the address */
	CERT_NAME_CN,           /* legacy: no subjectAltName, the subject CN */
	CERT_NAME_LAX_WILDCARD, /* legacy: a wildcard inside a label ("m*.x.test"),
	                         * beyond the left-most label or over one label */
	CERT_NAME_IP_IN_DNS,    /* legacy: an address written as a DNS name */
};

/* The best rule by which the leaf's SANs (the first CERT_SAN_MAX) or its CN
 * name a host (is_ip: an address, v4 or v6 text, compared in binary). DNS
 * names are compared case-insensitively, without a trailing dot; a name with
 * a NUL (shown as "\0") or an empty label never matches. *which (may be NULL)
 * points at the SAN that matched, or NULL. */
enum cert_name_rule cert_name_rule(const struct cert_info *leaf, const char *name,
                                   bool is_ip, const char **which);

/* True for the rules RFC 9525 no longer allows. */
bool cert_name_rule_is_legacy(enum cert_name_rule r);

/* True if the leaf names the host by RFC 9525: a DNS SAN, a wildcard that is
 * the whole left-most label over at least two more labels, or an IP SAN.
 * The subject CN is never used. */
bool cert_name_matches(const struct cert_info *leaf, const char *name, bool is_ip);

/* startle's words for the TLS library's verdict on a name (library_match):
 * which SAN names it, that it matched only by a legacy rule, or what the
 * certificate names instead. Writes "" when there is no name. */
void cert_name_note(const struct cert_info *leaf, const char *name, bool is_ip,
                    bool library_match, char *note, size_t size);

#endif
