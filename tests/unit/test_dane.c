/*
 * dane: TLSA matching and the DANE verdict (RFC 6698, 7671, 7672) against
 * chains made by the lab's CA in memory: usages, selectors and matching
 * types, the DNSSEC status of the RRset, names and dates for DANE-TA and
 * not for DANE-EE. No network.
 */
#include <wolfssl/options.h>
#include <wolfssl/ssl.h>
#include <wolfssl/wolfcrypt/asn_public.h>
#include <wolfssl/wolfcrypt/sha512.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dane.h"
#include "labcert.h"
#include "tls.h"
#include "x509.h"

#define HOST LABCERT_HOST

static struct labcert *lab, *other_lab;

/* The first certificate of a PEM buffer as a cert_info (with its DER). */
static void
cert_from_pem(const char *pem, size_t len, int depth, struct cert_info *c)
{
	unsigned char der[8192];
	int n = wc_CertPemToDer((const unsigned char *)pem, (int)len, der, sizeof der,
	                        CERT_TYPE);
	assert_true(n > 0);
	assert_true(x509_cert_from_der(der, (size_t)n, depth, c));
	assert_non_null(c->der);
}

/* chain[0] the lab leaf of kind, chain[1] the CA of ca_lab. */
static void
make_chain(enum labcert_kind kind, struct labcert *ca_lab, struct cert_info chain[2])
{
	const struct labcert_pair *pair;
	char *cause = NULL;
	size_t len;

	assert_int_equal(labcert_get(lab, kind, &pair, &cause), 0);
	cert_from_pem(pair->chain_pem, pair->chain_len, 0, &chain[0]);
	const char *ca = labcert_ca_pem(ca_lab, &len);
	cert_from_pem(ca, len, 1, &chain[1]);
}

static void
free_chain(struct cert_info chain[2])
{
	cert_info_free(&chain[0]);
	cert_info_free(&chain[1]);
}

/* Hex (64 digits) to 32 bytes. */
static void
unhex32(const char *hex, unsigned char out[32])
{
	for (size_t i = 0; i < 32; i++)
		assert_int_equal(sscanf(hex + 2 * i, "%2hhx", &out[i]), 1);
}

/* The verdict for one record over the chain, the RRset secure. */
static enum dane_verdict
verdict_of(unsigned usage, unsigned sel, unsigned mt, const unsigned char *data, size_t len,
           const struct cert_info *chain, const char *name, struct dane_result *res)
{
	struct dane_tlsa r = {usage, sel, mt, data, len};
	dane_check(&r, 1, DANE_DNS_SECURE, chain, 2, name, res);
	return res->verdict;
}

static void
ee_3_1_1_matches_the_leaf_key_whatever_the_name(void **state)
{
	struct cert_info chain[2];
	struct dane_result res;
	unsigned char d[32];
	(void)state;
	make_chain(LABCERT_GOOD, lab, chain);
	unhex32(chain[0].spki_sha256, d);
	assert_int_equal(verdict_of(3, 1, 1, d, 32, chain, "other.example", &res),
	                 DANE_AUTHENTICATED);
	assert_int_equal(res.depth, 0);
	assert_int_equal(res.record, 0);
	assert_non_null(strstr(res.words, "DANE-authenticated"));
	free_chain(chain);
}

static void
ee_3_0_1_matches_the_certificate_digest(void **state)
{
	struct cert_info chain[2];
	struct dane_result res;
	unsigned char d[32];
	(void)state;
	make_chain(LABCERT_GOOD, lab, chain);
	unhex32(chain[0].sha256, d);
	assert_int_equal(verdict_of(3, 0, 1, d, 32, chain, HOST, &res), DANE_AUTHENTICATED);
	free_chain(chain);
}

static void
ee_3_0_0_matches_the_full_certificate(void **state)
{
	struct cert_info chain[2];
	struct dane_result res;
	(void)state;
	make_chain(LABCERT_GOOD, lab, chain);
	assert_int_equal(
	    verdict_of(3, 0, 0, chain[0].der, chain[0].der_len, chain, HOST, &res),
	    DANE_AUTHENTICATED);
	free_chain(chain);
}

static void
ee_3_0_2_matches_the_sha512_of_the_certificate(void **state)
{
	struct cert_info chain[2];
	struct dane_result res;
	unsigned char d[WC_SHA512_DIGEST_SIZE];
	(void)state;
	make_chain(LABCERT_GOOD, lab, chain);
	assert_int_equal(wc_Sha512Hash(chain[0].der, (word32)chain[0].der_len, d), 0);
	assert_int_equal(verdict_of(3, 0, 2, d, sizeof d, chain, HOST, &res),
	                 DANE_AUTHENTICATED);
	d[5] ^= 1;
	assert_int_equal(verdict_of(3, 0, 2, d, sizeof d, chain, HOST, &res),
	                 DANE_MISMATCH);
	free_chain(chain);
}

static void
ee_record_with_another_digest_is_a_mismatch(void **state)
{
	struct cert_info chain[2];
	struct dane_result res;
	unsigned char d[32];
	(void)state;
	make_chain(LABCERT_GOOD, lab, chain);
	unhex32(chain[1].spki_sha256, d); /* the CA's key, not the leaf's */
	assert_int_equal(verdict_of(3, 1, 1, d, 32, chain, HOST, &res), DANE_MISMATCH);
	assert_int_equal(res.record, -1);
	assert_non_null(strstr(res.words, "nothing matches"));
	free_chain(chain);
}

static void
ee_ignores_dates_an_expired_leaf_still_matches(void **state)
{
	struct cert_info chain[2];
	struct dane_result res;
	unsigned char d[32];
	(void)state;
	make_chain(LABCERT_EXPIRED, lab, chain);
	unhex32(chain[0].spki_sha256, d);
	assert_int_equal(verdict_of(3, 1, 1, d, 32, chain, HOST, &res), DANE_AUTHENTICATED);
	free_chain(chain);
}

static void
ta_2_1_1_matches_the_issuing_ca_when_the_leaf_names_the_host(void **state)
{
	struct cert_info chain[2];
	struct dane_result res;
	unsigned char d[32];
	(void)state;
	make_chain(LABCERT_GOOD, lab, chain);
	unhex32(chain[1].spki_sha256, d);
	assert_int_equal(verdict_of(2, 1, 1, d, 32, chain, HOST, &res), DANE_AUTHENTICATED);
	assert_int_equal(res.depth, 1);
	free_chain(chain);
}

static void
ta_needs_the_leaf_to_name_the_host(void **state)
{
	struct cert_info chain[2];
	struct dane_result res;
	unsigned char d[32];
	(void)state;
	make_chain(LABCERT_GOOD, lab, chain);
	unhex32(chain[1].spki_sha256, d);
	assert_int_equal(verdict_of(2, 1, 1, d, 32, chain, "mx.elsewhere.example", &res),
	                 DANE_MISMATCH);
	assert_non_null(strstr(res.words, "does not name mx.elsewhere.example"));
	free_chain(chain);
}

static void
ta_checks_dates_an_expired_leaf_fails(void **state)
{
	struct cert_info chain[2];
	struct dane_result res;
	unsigned char d[32];
	(void)state;
	make_chain(LABCERT_EXPIRED, lab, chain);
	unhex32(chain[1].spki_sha256, d);
	assert_int_equal(verdict_of(2, 1, 1, d, 32, chain, HOST, &res), DANE_MISMATCH);
	assert_non_null(strstr(res.words, "does not verify"));
	free_chain(chain);
}

static void
ta_needs_the_leaf_signed_by_the_matched_ca(void **state)
{
	struct cert_info chain[2];
	struct dane_result res;
	unsigned char d[32];
	(void)state;
	/* An attacker appends the real CA to a chain it did not sign. */
	make_chain(LABCERT_GOOD, other_lab, chain);
	unhex32(chain[1].spki_sha256, d);
	assert_int_equal(verdict_of(2, 1, 1, d, 32, chain, HOST, &res), DANE_MISMATCH);
	free_chain(chain);
}

static void
ta_record_for_the_leaf_itself_does_not_match(void **state)
{
	struct cert_info chain[2];
	struct dane_result res;
	unsigned char d[32];
	(void)state;
	make_chain(LABCERT_GOOD, lab, chain);
	unhex32(chain[0].spki_sha256, d);
	assert_int_equal(verdict_of(2, 1, 1, d, 32, chain, HOST, &res), DANE_MISMATCH);
	free_chain(chain);
}

static void
pkix_usages_are_unusable_for_smtp(void **state)
{
	struct cert_info chain[2];
	struct dane_result res;
	unsigned char d[32];
	(void)state;
	make_chain(LABCERT_GOOD, lab, chain);
	unhex32(chain[0].spki_sha256, d);
	assert_int_equal(verdict_of(1, 1, 1, d, 32, chain, HOST, &res), DANE_MISMATCH);
	assert_int_equal(res.usable, 0);
	assert_non_null(strstr(res.words, "only PKIX usages"));
	free_chain(chain);
}

static void
second_record_matches_when_the_first_does_not(void **state)
{
	struct cert_info chain[2];
	struct dane_result res;
	unsigned char good[32], bad[32] = {0};
	(void)state;
	make_chain(LABCERT_GOOD, lab, chain);
	unhex32(chain[0].spki_sha256, good);
	struct dane_tlsa r[2] = {{3, 1, 1, bad, 32}, {3, 1, 1, good, 32}};
	dane_check(r, 2, DANE_DNS_SECURE, chain, 2, HOST, &res);
	assert_int_equal(res.verdict, DANE_AUTHENTICATED);
	assert_int_equal(res.record, 1);
	assert_int_equal(res.usable, 2);
	free_chain(chain);
}

static void
dns_status_decides_before_any_match(void **state)
{
	struct cert_info chain[2];
	struct dane_result res;
	unsigned char d[32];
	(void)state;
	make_chain(LABCERT_GOOD, lab, chain);
	unhex32(chain[0].spki_sha256, d);
	struct dane_tlsa r = {3, 1, 1, d, 32};
	dane_check(&r, 1, DANE_DNS_INSECURE, chain, 2, HOST, &res);
	assert_int_equal(res.verdict, DANE_INSECURE);
	dane_check(&r, 1, DANE_DNS_BOGUS, chain, 2, HOST, &res);
	assert_int_equal(res.verdict, DANE_BOGUS);
	assert_non_null(strstr(res.words, "bogus"));
	dane_check(&r, 1, DANE_DNS_FAILED, chain, 2, HOST, &res);
	assert_int_equal(res.verdict, DANE_FAILED);
	dane_check(NULL, 0, DANE_DNS_SECURE, chain, 2, HOST, &res);
	assert_int_equal(res.verdict, DANE_NO_TLSA);
	free_chain(chain);
}

static void
tlsa_rdata_parses_usage_selector_type_and_data(void **state)
{
	static const unsigned char rd[] = {3, 1, 1, 0xab, 0xcd};
	struct dane_tlsa r;
	(void)state;
	assert_int_equal(dane_tlsa_parse(rd, sizeof rd, &r), 0);
	assert_int_equal(r.usage, 3);
	assert_int_equal(r.selector, 1);
	assert_int_equal(r.mtype, 1);
	assert_int_equal(r.len, 2);
	assert_int_equal(r.data[1], 0xcd);
	assert_int_equal(dane_tlsa_parse(rd, 3, &r), -1);
}

static void
publish_gives_3_1_1_and_2_1_1_with_the_spki_digests(void **state)
{
	struct cert_info chain[2];
	char buf[200], want[200];
	(void)state;
	make_chain(LABCERT_GOOD, lab, chain);
	assert_int_equal(dane_publish(&chain[0], 3, buf, sizeof buf), 0);
	snprintf(want, sizeof want, "3 1 1 %s", chain[0].spki_sha256);
	assert_string_equal(buf, want);
	assert_int_equal(dane_publish(&chain[1], 2, buf, sizeof buf), 0);
	snprintf(want, sizeof want, "2 1 1 %s", chain[1].spki_sha256);
	assert_string_equal(buf, want);
	free_chain(chain);
}

static int
setup(void **state)
{
	char *cause = NULL;
	(void)state;
	if (tls_global_init(&cause) != 0)
		return -1;
	lab = labcert_new(&cause);
	other_lab = labcert_new(&cause);
	return lab != NULL && other_lab != NULL ? 0 : -1;
}

static int
teardown(void **state)
{
	(void)state;
	labcert_free(lab);
	labcert_free(other_lab);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(ee_3_1_1_matches_the_leaf_key_whatever_the_name),
	    cmocka_unit_test(ee_3_0_1_matches_the_certificate_digest),
	    cmocka_unit_test(ee_3_0_0_matches_the_full_certificate),
	    cmocka_unit_test(ee_3_0_2_matches_the_sha512_of_the_certificate),
	    cmocka_unit_test(ee_record_with_another_digest_is_a_mismatch),
	    cmocka_unit_test(ee_ignores_dates_an_expired_leaf_still_matches),
	    cmocka_unit_test(ta_2_1_1_matches_the_issuing_ca_when_the_leaf_names_the_host),
	    cmocka_unit_test(ta_needs_the_leaf_to_name_the_host),
	    cmocka_unit_test(ta_checks_dates_an_expired_leaf_fails),
	    cmocka_unit_test(ta_needs_the_leaf_signed_by_the_matched_ca),
	    cmocka_unit_test(ta_record_for_the_leaf_itself_does_not_match),
	    cmocka_unit_test(pkix_usages_are_unusable_for_smtp),
	    cmocka_unit_test(second_record_matches_when_the_first_does_not),
	    cmocka_unit_test(dns_status_decides_before_any_match),
	    cmocka_unit_test(tlsa_rdata_parses_usage_selector_type_and_data),
	    cmocka_unit_test(publish_gives_3_1_1_and_2_1_1_with_the_spki_digests),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
