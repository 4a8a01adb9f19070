/*
 * dane: TLSA matching and the DANE verdict (RFC 6698, 7671, 7672).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <wolfssl/options.h>
#include <wolfssl/ssl.h>
#include <wolfssl/wolfcrypt/sha256.h>
#include <wolfssl/wolfcrypt/sha512.h>

#include "dane.h"
#include "util.h"
#include "x509.h"

static const char *const verdict_names[] = {
#define DANE_VERDICT_NAME(sym, name) [DANE_##sym] = name,
    DANE_VERDICTS(DANE_VERDICT_NAME)
#undef DANE_VERDICT_NAME
};

const char *
dane_verdict_name(enum dane_verdict v)
{
	return verdict_names[v];
}

const char *
dane_usage_name(unsigned usage)
{
	static const char *const names[] = {"PKIX-TA", "PKIX-EE", "DANE-TA", "DANE-EE"};

	return usage < 4 ? names[usage] : "unknown usage";
}

int
dane_tlsa_parse(const unsigned char *rdata, size_t len, struct dane_tlsa *out)
{
	if (rdata == NULL || len < 4)
		return -1;
	out->usage = rdata[0];
	out->selector = rdata[1];
	out->mtype = rdata[2];
	out->data = rdata + 3;
	out->len = len - 3;
	return 0;
}

/* The SubjectPublicKeyInfo of a certificate, newly allocated. */
static int
dane_spki(const struct cert_info *c, unsigned char **out, size_t *len)
{
	WOLFSSL_X509 *x = wolfSSL_X509_d2i(NULL, c->der, (int)c->der_len);
	unsigned char buf[8192];
	int n = sizeof buf;

	if (x == NULL)
		return -1;
	int ok = wolfSSL_X509_get_pubkey_buffer(x, buf, &n) == WOLFSSL_SUCCESS && n > 0;
	wolfSSL_X509_free(x);
	if (!ok)
		return -1;
	*out = xmemdup(buf, (size_t)n);
	*len = (size_t)n;
	return 0;
}

int
dane_association(const struct cert_info *c, unsigned selector, unsigned mtype,
                 unsigned char **out, size_t *len)
{
	unsigned char *bytes;
	size_t n;

	if (c == NULL || c->der == NULL || c->der_len == 0 || mtype > DANE_MT_SHA512)
		return -1;
	if (selector == DANE_SEL_CERT) {
		bytes = xmemdup(c->der, c->der_len);
		n = c->der_len;
	} else if (selector != DANE_SEL_SPKI || dane_spki(c, &bytes, &n) != 0) {
		return -1;
	}
	if (mtype == DANE_MT_FULL) {
		*out = bytes;
		*len = n;
		return 0;
	}
	size_t dlen =
	    mtype == DANE_MT_SHA256 ? WC_SHA256_DIGEST_SIZE : WC_SHA512_DIGEST_SIZE;
	unsigned char *d = xmalloc(dlen);
	int rc = mtype == DANE_MT_SHA256 ? wc_Sha256Hash(bytes, (word32)n, d)
	                                 : wc_Sha512Hash(bytes, (word32)n, d);
	free(bytes);
	if (rc != 0) {
		free(d);
		return -1;
	}
	*out = d;
	*len = dlen;
	return 0;
}

bool
dane_record_matches(const struct dane_tlsa *r, const struct cert_info *c)
{
	unsigned char *a;
	size_t n;

	if (dane_association(c, r->selector, r->mtype, &a, &n) != 0)
		return false;
	bool same = n == r->len && memcmp(a, r->data, n) == 0;
	free(a);
	return same;
}

/* True if the chain from depth ta down to the leaf verifies, each
 * certificate against the ones above it, starting from the trust anchor at
 * ta alone (signatures and dates, as PKIX would from that anchor). */
static bool
dane_chain_verifies(const struct cert_info *chain, size_t ta)
{
	WOLFSSL_CERT_MANAGER *cm = wolfSSL_CertManagerNew();
	bool ok = cm != NULL;

	if (ok)
		ok = wolfSSL_CertManagerLoadCABuffer(
		         cm, chain[ta].der, (long)chain[ta].der_len,
		         WOLFSSL_FILETYPE_ASN1) == WOLFSSL_SUCCESS;
	for (size_t d = ta; ok && d-- > 0;) {
		ok = wolfSSL_CertManagerVerifyBuffer(
		         cm, chain[d].der, (long)chain[d].der_len, WOLFSSL_FILETYPE_ASN1) ==
		     WOLFSSL_SUCCESS;
		if (ok && d > 0)
			ok = wolfSSL_CertManagerLoadCABuffer(
			         cm, chain[d].der, (long)chain[d].der_len,
			         WOLFSSL_FILETYPE_ASN1) == WOLFSSL_SUCCESS;
	}
	if (cm != NULL)
		wolfSSL_CertManagerFree(cm);
	return ok;
}

/* True if a usable record is known: usage 2 or 3, selector 0/1, type 0-2. */
static bool
dane_usable(const struct dane_tlsa *r)
{
	return (r->usage == DANE_TA || r->usage == DANE_EE) &&
	       r->selector <= DANE_SEL_SPKI && r->mtype <= DANE_MT_SHA512;
}

/* Looks for a usable record that authenticates the chain; fills res and
 * returns true on the first. why collects what a near miss lacked. */
static bool
dane_find_match(const struct dane_tlsa *recs, size_t n, const struct cert_info *chain,
                size_t nchain, const char *name, struct dane_result *res, char *why,
                size_t whysize)
{
	for (size_t i = 0; i < n; i++) {
		const struct dane_tlsa *r = &recs[i];
		if (!dane_usable(r))
			continue;
		if (r->usage == DANE_EE) {
			if (nchain > 0 && dane_record_matches(r, &chain[0])) {
				res->record = (int)i;
				res->depth = 0;
				return true;
			}
			continue;
		}
		for (size_t d = 1; d < nchain; d++) {
			if (!dane_record_matches(r, &chain[d]))
				continue;
			if (!dane_chain_verifies(chain, d))
				snprintf(
				    why, whysize,
				    "; record %zu (2 %u %u) names certificate %zu, but the "
				    "chain below it does not verify (signature or dates)",
				    i + 1, r->selector, r->mtype, d);
			else if (!x509_names_host(chain[0].der, chain[0].der_len, name, false))
				snprintf(
				    why, whysize,
				    "; record %zu (2 %u %u) names certificate %zu, but the "
				    "leaf does not name %s (RFC 7672 §3.2.2)",
				    i + 1, r->selector, r->mtype, d, name);
			else {
				res->record = (int)i;
				res->depth = (int)d;
				return true;
			}
		}
	}
	return false;
}

/* The verdict when the DNS gave no secure TLSA RRset to match. */
static bool
dane_dns_verdict(size_t n, enum dane_dns dns, struct dane_result *res)
{
	switch (dns) {
	case DANE_DNS_BOGUS:
		res->verdict = DANE_BOGUS;
		snprintf(
		    res->words, sizeof res->words,
		    "the TLSA answer is bogus (DNSSEC validation failed): it is not "
		    "trusted, and a DANE sender must not deliver to this host (RFC 7672 "
		    "§2.1.1)");
		return true;
	case DANE_DNS_FAILED:
		res->verdict = DANE_FAILED;
		snprintf(res->words, sizeof res->words,
		         "the TLSA lookup failed: a DANE sender defers delivery until it "
		         "gets an answer");
		return true;
	case DANE_DNS_INSECURE:
		res->verdict = DANE_INSECURE;
		snprintf(res->words, sizeof res->words,
		         "%s: DANE needs DNSSEC, so a sender uses opportunistic TLS "
		         "without authentication",
		         n ? "TLSA records exist but are not signed (insecure)"
		           : "the zone is not signed (insecure)");
		return true;
	case DANE_DNS_SECURE:
		break;
	}
	if (n > 0)
		return false;
	res->verdict = DANE_NO_TLSA;
	snprintf(res->words, sizeof res->words,
	         "no TLSA records (securely denied): DANE does not apply; a sender uses "
	         "opportunistic TLS");
	return true;
}

void
dane_check(const struct dane_tlsa *recs, size_t n, enum dane_dns dns,
           const struct cert_info *chain, size_t nchain, const char *name,
           struct dane_result *res)
{
	char why[256] = "";

	*res = (struct dane_result){.record = -1, .depth = -1};
	for (size_t i = 0; i < n; i++)
		res->usable += dane_usable(&recs[i]);
	if (dane_dns_verdict(n, dns, res))
		return;
	if (dane_find_match(recs, n, chain, nchain, name, res, why, sizeof why)) {
		const struct dane_tlsa *r = &recs[res->record];
		res->verdict = DANE_AUTHENTICATED;
		snprintf(res->words, sizeof res->words,
		         "DANE-authenticated: TLSA record %d (%u %u %u, %s) matches "
		         "certificate %d of the chain%s",
		         res->record + 1, r->usage, r->selector, r->mtype,
		         dane_usage_name(r->usage), res->depth,
		         r->usage == DANE_EE ? "; names and dates are not checked for "
		                               "DANE-EE (RFC 7672 §3.1.1)"
		                             : "; the chain verifies from it and the leaf "
		                               "names the host");
		return;
	}
	res->verdict = DANE_MISMATCH;
	snprintf(res->words, sizeof res->words,
	         "TLSA published (%zu record%s, %zu usable) but nothing matches the "
	         "chain presented%s: a DANE sender must not deliver to this host",
	         n, n == 1 ? "" : "s", res->usable,
	         why[0]        ? why
	         : res->usable ? ""
	                       : " (only PKIX usages, unusable for SMTP)");
}

int
dane_publish(const struct cert_info *c, unsigned usage, char *buf, size_t size)
{
	unsigned char *a;
	size_t n;

	if (dane_association(c, DANE_SEL_SPKI, DANE_MT_SHA256, &a, &n) != 0)
		return -1;
	int off = snprintf(buf, size, "%u 1 1 ", usage);
	for (size_t i = 0; i < n && off > 0 && (size_t)off + 2 < size; i++)
		off += snprintf(buf + off, size - (size_t)off, "%02x", a[i]);
	free(a);
	return 0;
}
