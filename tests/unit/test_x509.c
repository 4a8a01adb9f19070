/*
 * x509: the name verdict comes from the TLS library (wolfSSL_X509_check_host,
 * wolfSSL_X509_check_ip_asc) over certificates made here with wolfCrypt;
 * startle's words explain it and flag what RFC 9525 no longer allows.
 */
#include <wolfssl/options.h>
#include <wolfssl/ssl.h>
#include <wolfssl/wolfcrypt/asn_public.h>
#include <wolfssl/wolfcrypt/ecc.h>
#include <wolfssl/wolfcrypt/random.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cert.h"
#include "x509.h"

static WC_RNG rng;
static ecc_key key;

/* One subjectAltName: DNS name bytes (a NUL may be inside) or IP bytes. */
struct san {
	unsigned char tag; /* 0x82 dNSName, 0x87 iPAddress */
	const void *data;
	size_t len;
};

#define DNS(s) {0x82, s, sizeof(s) - 1}

static const unsigned char ip4[] = {127, 0, 0, 1};
static const unsigned char ip6[] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
static const unsigned char ip4_other[] = {10, 0, 0, 1};

/* A DER length. */
static size_t
der_len(unsigned char *out, size_t len)
{
	if (len < 128) {
		out[0] = (unsigned char)len;
		return 1;
	}
	out[0] = 0x81;
	out[1] = (unsigned char)len;
	return 2;
}

/* A self-signed certificate for cn with the given SANs (none: no
 * subjectAltName extension at all), parsed into the model. */
static struct cert_info
make(const char *cn, const struct san *sans, size_t n)
{
	Cert *cert = calloc(1, sizeof(*cert));
	unsigned char der[4096], body[1024];
	size_t b = 0;
	struct cert_info c;

	assert_non_null(cert);
	assert_int_equal(wc_InitCert(cert), 0);
	snprintf(cert->subject.commonName, CTC_NAME_SIZE, "%s", cn);
	snprintf(cert->subject.org, CTC_NAME_SIZE, "startle test");
	cert->sigType = CTC_SHA256wECDSA;
	cert->daysValid = 30;
	for (size_t i = 0; i < n; i++) {
		body[b++] = sans[i].tag;
		b += der_len(body + b, sans[i].len);
		memcpy(body + b, sans[i].data, sans[i].len);
		b += sans[i].len;
	}
	if (n > 0) {
		size_t o = 0;
		cert->altNames[o++] = 0x30;
		o += der_len(cert->altNames + o, b);
		memcpy(cert->altNames + o, body, b);
		cert->altNamesSz = (int)(o + b);
	}
	assert_true(wc_MakeCert_ex(cert, der, sizeof der, ECC_TYPE, &key, &rng) > 0);
	int len = wc_SignCert_ex(cert->bodySz, cert->sigType, der, sizeof der, ECC_TYPE,
	                         &key, &rng);
	assert_true(len > 0);
	free(cert);
	assert_true(x509_cert_from_der(der, (size_t)len, 0, &c));
	return c;
}

static bool
names(const struct cert_info *c, const char *name, bool is_ip)
{
	return x509_names_host(c->der, c->der_len, name, is_ip);
}

/* The verdict's note for a name, into a static buffer. */
static const char *
note(const struct cert_info *c, const char *name, bool is_ip, bool *match, bool *legacy)
{
	static struct cert_verdict v;
	x509_name_verdict(c, name, is_ip, &v);
	*match = v.name_match;
	*legacy = v.name_legacy;
	return v.name_note;
}

static struct cert_info mail;

static const struct san mail_sans[] = {
    DNS("mail.test"),
    DNS("*.wild.test"),
    DNS("xn--bcher-kva.test"),
    DNS("*.xn--mnchen-3ya.test"),
    {0x87, ip4, sizeof ip4},
    {0x87, ip6, sizeof ip6},
};

static int
setup(void **state)
{
	(void)state;
	assert_int_equal(wolfSSL_Init(), WOLFSSL_SUCCESS);
	assert_int_equal(wc_InitRng(&rng), 0);
	assert_int_equal(wc_ecc_init(&key), 0);
	assert_int_equal(wc_ecc_make_key_ex(&rng, 32, &key, ECC_SECP256R1), 0);
	mail = make("ignored.test", mail_sans, sizeof mail_sans / sizeof mail_sans[0]);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	cert_info_free(&mail);
	wc_ecc_free(&key);
	wc_FreeRng(&rng);
	wolfSSL_Cleanup();
	return 0;
}

static void
exact_name_matches_ignoring_case_and_a_trailing_dot(void **state)
{
	(void)state;
	assert_true(names(&mail, "mail.test", false));
	assert_true(names(&mail, "MAIL.Test", false));
	assert_true(names(&mail, "mail.test.", false));
	assert_false(names(&mail, "evil.test", false));
	assert_false(names(&mail, "xmail.test", false));
	assert_false(names(&mail, "mail.test.evil", false));
}

static void
wildcard_stands_for_exactly_one_label(void **state)
{
	(void)state;
	assert_true(names(&mail, "imap.wild.test", false));
	assert_false(names(&mail, "a.b.wild.test", false));
	assert_false(names(&mail, "wild.test", false));
	bool match, legacy;
	const char *n = note(&mail, "imap.wild.test", false, &match, &legacy);
	assert_true(match);
	assert_false(legacy);
	assert_non_null(strstr(n, "wildcard DNS:*.wild.test"));
	n = note(&mail, "a.b.wild.test", false, &match, &legacy);
	assert_false(match);
	assert_non_null(strstr(n, "exactly one whole label"));
}

static void
a_name_with_a_wildcard_or_an_empty_label_names_nothing(void **state)
{
	(void)state;
	assert_false(names(&mail, "*.wild.test", false));
	assert_false(names(&mail, "mail..test", false));
	assert_false(names(&mail, ".mail.test", false));
	assert_false(names(&mail, "", false));
}

static void
idna_a_labels_match_as_plain_labels(void **state)
{
	(void)state;
	assert_true(names(&mail, "xn--bcher-kva.test", false));
	assert_true(names(&mail, "XN--BCHER-KVA.test", false));
	assert_false(names(&mail, "xn--bcher-kvb.test", false));
	/* A wildcard over a label under an A-label is an ordinary wildcard. */
	assert_true(names(&mail, "imap.xn--mnchen-3ya.test", false));
	assert_true(names(&mail, "xn--caf-dma.xn--mnchen-3ya.test", false));
}

static void
a_wildcard_inside_a_label_matches_only_as_legacy(void **state)
{
	(void)state;
	const struct san sans[] = {DNS("xn--*.idn.test"), DNS("m*.part.test")};
	struct cert_info c = make("lax.test", sans, 2);
	bool match, legacy;
	const char *n = note(&c, "xn--bcher-kva.idn.test", false, &match, &legacy);
	/* The library accepts it; startle says RFC 9525 does not. */
	assert_true(match);
	assert_true(legacy);
	assert_non_null(strstr(n, "RFC 9525 forbids"));
	assert_true(names(&c, "mail.part.test", false));
	assert_int_equal(cert_name_rule(&c, "xn--bcher-kva.idn.test", false, NULL),
	                 CERT_NAME_LAX_WILDCARD);
	assert_false(cert_name_matches(&c, "mail.part.test", false));
	assert_int_equal(cert_name_rule(&c, "mail.part.test", false, NULL),
	                 CERT_NAME_LAX_WILDCARD);
	cert_info_free(&c);
}

static void
ip_literals_match_ip_sans_in_either_form(void **state)
{
	(void)state;
	assert_true(names(&mail, "127.0.0.1", true));
	assert_false(names(&mail, "127.0.0.2", true));
	assert_true(names(&mail, "2001:db8::1", true));
	assert_true(names(&mail, "2001:0DB8:0:0:0:0:0:1", true));
	assert_false(names(&mail, "2001:db8::2", true));
	assert_false(names(&mail, "mail.test", true));
	bool match, legacy;
	const char *n = note(&mail, "2001:db8::1", true, &match, &legacy);
	assert_true(match);
	assert_false(legacy);
	assert_string_equal(n, "named by IP:2001:db8::1");
}

static void
an_address_written_as_a_dns_name_matches_only_as_legacy(void **state)
{
	(void)state;
	const struct san sans[] = {DNS("127.0.0.2")};
	struct cert_info c = make("addr.test", sans, 1);
	bool match, legacy;
	const char *n = note(&c, "127.0.0.2", true, &match, &legacy);
	assert_false(cert_name_matches(&c, "127.0.0.2", true));
	/* The library accepts it; startle says RFC 9525 does not. */
	assert_true(match);
	assert_true(legacy);
	assert_non_null(strstr(n, "written as a DNS name"));
	cert_info_free(&c);
}

static void
a_nul_inside_a_san_never_matches(void **state)
{
	(void)state;
	static const char with_nul[] = "mail.test\0.evil.test";
	const struct san sans[] = {{0x82, with_nul, sizeof with_nul - 1}};
	struct cert_info c = make("nul.test", sans, 1);
	bool match, legacy;
	assert_false(names(&c, "mail.test", false));
	assert_false(names(&c, "evil.test", false));
	assert_false(names(&c, ".evil.test", false));
	const char *n = note(&c, "mail.test", false, &match, &legacy);
	assert_false(match);
	/* The note shows the NUL, escaped, as the Certificates tab does. */
	assert_non_null(strstr(n, "DNS:mail.test\\\\0.evil.test"));
	cert_info_free(&c);
}

static void
a_cn_only_certificate_matches_by_the_legacy_fallback(void **state)
{
	(void)state;
	struct cert_info c = make("mail.test", NULL, 0);
	bool match, legacy;
	const char *n = note(&c, "mail.test", false, &match, &legacy);
	assert_true(match);
	assert_true(legacy);
	assert_int_equal(cert_name_rule(&c, "mail.test", false, NULL), CERT_NAME_CN);
	assert_false(cert_name_matches(&c, "mail.test", false));
	assert_non_null(strstr(n, "RFC 9525"));
	n = note(&c, "other.test", false, &match, &legacy);
	assert_false(match);
	assert_non_null(strstr(n, "only the CN mail.test"));
	cert_info_free(&c);
}

static void
the_cn_is_not_consulted_when_any_san_exists(void **state)
{
	(void)state;
	const struct san sans[] = {{0x87, ip4_other, sizeof ip4_other}};
	struct cert_info c = make("mail.test", sans, 1);
	bool match, legacy;
	const char *n = note(&c, "mail.test", false, &match, &legacy);
	assert_false(match);
	assert_non_null(strstr(n, "IP:10.0.0.1"));
	cert_info_free(&c);
}

static void
a_mismatch_lists_what_the_certificate_names(void **state)
{
	(void)state;
	bool match, legacy;
	const char *n = note(&mail, "other.test", false, &match, &legacy);
	assert_false(match);
	assert_false(legacy);
	assert_non_null(strstr(n, "DNS:mail.test, DNS:*.wild.test"));
	assert_non_null(strstr(n, "and 2 more"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(exact_name_matches_ignoring_case_and_a_trailing_dot),
	    cmocka_unit_test(wildcard_stands_for_exactly_one_label),
	    cmocka_unit_test(a_name_with_a_wildcard_or_an_empty_label_names_nothing),
	    cmocka_unit_test(idna_a_labels_match_as_plain_labels),
	    cmocka_unit_test(a_wildcard_inside_a_label_matches_only_as_legacy),
	    cmocka_unit_test(ip_literals_match_ip_sans_in_either_form),
	    cmocka_unit_test(an_address_written_as_a_dns_name_matches_only_as_legacy),
	    cmocka_unit_test(a_nul_inside_a_san_never_matches),
	    cmocka_unit_test(a_cn_only_certificate_matches_by_the_legacy_fallback),
	    cmocka_unit_test(the_cn_is_not_consulted_when_any_san_exists),
	    cmocka_unit_test(a_mismatch_lists_what_the_certificate_names),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
