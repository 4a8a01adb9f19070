/*
 * dane: TLSA records (RFC 6698) matched against the chain a server
 * presented, by the rules of RFC 7671 and, for SMTP, RFC 7672: only usages
 * DANE-TA(2) and DANE-EE(3) are usable; DANE-EE ignores names and dates;
 * DANE-TA needs the chain from the matched trust anchor down to the leaf to
 * verify (signatures and dates) and the leaf to name the server. PKIX usages
 * 0 and 1 are unusable for SMTP and never match. Pure but for the digests
 * and the signature checks (wolfCrypt): no I/O.
 */
#ifndef STARTLE_DANE_H
#define STARTLE_DANE_H

#include <stdbool.h>
#include <stddef.h>

#include "cert.h"

enum dane_usage { DANE_PKIX_TA = 0, DANE_PKIX_EE = 1, DANE_TA = 2, DANE_EE = 3 };
enum dane_selector { DANE_SEL_CERT = 0, DANE_SEL_SPKI = 1 };
enum dane_mtype { DANE_MT_FULL = 0, DANE_MT_SHA256 = 1, DANE_MT_SHA512 = 2 };

/* One TLSA record; data points into the rdata it was parsed from. */
struct dane_tlsa {
	unsigned usage, selector, mtype;
	const unsigned char *data;
	size_t len;
};

/* What the DNS said about the TLSA RRset, as the verdict needs it. */
enum dane_dns { DANE_DNS_SECURE, DANE_DNS_INSECURE, DANE_DNS_BOGUS, DANE_DNS_FAILED };

#define DANE_VERDICTS(X)                                                                   \
	X(AUTHENTICATED, "authenticated")                                                  \
	X(MISMATCH, "mismatch")                                                            \
	X(NO_TLSA, "no-tlsa")                                                              \
	X(INSECURE, "insecure")                                                            \
	X(BOGUS, "bogus")                                                                  \
	X(FAILED, "failed")

enum dane_verdict {
#define DANE_VERDICT_ENUM(sym, name) DANE_##sym,
	DANE_VERDICTS(DANE_VERDICT_ENUM)
#undef DANE_VERDICT_ENUM
};

struct dane_result {
	enum dane_verdict verdict;
	int record;      /* index of the record that matched, or -1 */
	int depth;       /* depth of the certificate it matched, or -1 */
	size_t usable;   /* records of usage 2 or 3 with known selector and type */
	char words[512]; /* the verdict in a sentence or two */
};

/* Parses TLSA rdata (usage, selector, matching type, data). Returns 0, or -1
 * when it is shorter than four bytes. */
int dane_tlsa_parse(const unsigned char *rdata, size_t len, struct dane_tlsa *out);

/* The association data of c for a selector and matching type (the full
 * certificate or SubjectPublicKeyInfo, or its SHA-256 or SHA-512), newly
 * allocated into *out. Returns 0, or -1 when c has no DER, the key cannot be
 * read or selector/type are unknown. */
int dane_association(const struct cert_info *c, unsigned selector, unsigned mtype,
                     unsigned char **out, size_t *len);

/* True if r's data equals c's association data for r's selector and type. */
bool dane_record_matches(const struct dane_tlsa *r, const struct cert_info *c);

/* The verdict for the chain (leaf first) against the TLSA RRset of n records
 * whose DNSSEC status is dns, for the server name (the MX host). DANE-TA
 * checks dates against the clock. */
void dane_check(const struct dane_tlsa *recs, size_t n, enum dane_dns dns,
                const struct cert_info *chain, size_t nchain, const char *name,
                struct dane_result *res);

/* "3 1 1 <hex>": the record to publish for c (usage, selector 1, SHA-256),
 * into buf. Returns 0, or -1 when c's key cannot be read. */
int dane_publish(const struct cert_info *c, unsigned usage, char *buf, size_t size);

const char *dane_verdict_name(enum dane_verdict v);
const char *dane_usage_name(unsigned usage);

#endif
