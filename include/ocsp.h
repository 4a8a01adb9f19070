/*
 * ocsp: a stapled OCSP response (RFC 6960, stapled through RFC 6066's
 * status_request), read from its DER and checked against the chain the
 * server sent: that it is about the leaf (the CertID: the issuer's name and
 * key hashes and the leaf's serial), that the leaf's issuer signed it (or a
 * responder the issuer delegated, with id-kp-OCSPSigning), and that now lies
 * between thisUpdate and nextUpdate. The parser is pure (fuzzed); the check
 * uses wolfCrypt's digests and signature verification. Nothing here asks the
 * network: a response is only ever what the server stapled.
 */
#ifndef STARTLE_OCSP_H
#define STARTLE_OCSP_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "cert.h"
#include "der.h"

#define OCSP_SINGLES_MAX 8
#define OCSP_CERTS_MAX 4
/* A stapled response larger than this is not read (they are 1-4 KiB). */
#define OCSP_RESPONSE_MAX 65536

enum ocsp_cert_status { OCSP_STATUS_GOOD, OCSP_STATUS_REVOKED, OCSP_STATUS_UNKNOWN };

/* One SingleResponse; the tlv fields point into the parsed bytes. */
struct ocsp_single {
	struct der_tlv hash_alg;  /* OID of the CertID's hash */
	struct der_tlv name_hash; /* OCTET STRING: hash of the issuer's name */
	struct der_tlv key_hash;  /* OCTET STRING: hash of the issuer's key */
	struct der_tlv serial;    /* INTEGER: the certificate's serial */
	enum ocsp_cert_status status;
	time_t revoked_at;
	long reason; /* CRLReason, -1 if none given */
	time_t this_update;
	time_t next_update; /* 0: none given */
};

struct ocsp_response {
	long response_status; /* 0 successful, 1 malformedRequest, 2 internalError,
	                       * 3 tryLater, 5 sigRequired, 6 unauthorized */
	struct der_tlv tbs;   /* ResponseData, the signed bytes */
	bool by_key;          /* responderID byKey (else byName) */
	struct der_tlv responder; /* byName: the Name; byKey: the OCTET STRING */
	time_t produced_at;
	struct ocsp_single singles[OCSP_SINGLES_MAX];
	size_t nsingles;             /* kept, at most OCSP_SINGLES_MAX */
	struct der_tlv sig_alg;      /* OID */
	struct der_tlv signature;    /* BIT STRING */
	struct der_tlv certs[OCSP_CERTS_MAX]; /* certificates sent along */
	size_t ncerts;
};

/* Reads a DER OCSPResponse. Returns 0, or -1 with *why (a sentence that
 * lives as long as the program). A response whose status is not successful
 * reads with only response_status set. */
int ocsp_parse(const unsigned char *der, size_t len, struct ocsp_response *out,
               const char **why);

/* The words for a responseStatus ("tryLater"). */
const char *ocsp_response_status_name(long status);

/* The words for a CRLReason ("keyCompromise"), or NULL. */
const char *ocsp_reason_name(long reason);

/* Reads and checks a stapled response against the chain the server sent
 * (leaf first, with their DER) at time now, into *o: the status, the dates,
 * the responder, whether it verifies and why not. o->len and o->state are
 * always set; o->must_staple is left as it is. */
void ocsp_check(const unsigned char *der, size_t len, const struct cert_info *chain,
                size_t n, time_t now, struct cert_ocsp *o);

#endif
