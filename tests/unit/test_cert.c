/*
 * The certificate model: name matching by RFC 9525 rules, weak keys and
 * signatures, time formatting. Certificates are built by hand here.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cert.h"

/* A leaf with the given subject and SANs (NULL-terminated list). */
static struct cert_info
make_leaf(const char *subject, const char *const *sans)
{
	struct cert_info c;
	memset(&c, 0, sizeof(c));
	c.subject = subject != NULL ? strdup(subject) : NULL;
	for (size_t i = 0; sans != NULL && sans[i] != NULL; i++)
		c.san[c.nsan++] = strdup(sans[i]);
	c.nsan_total = c.nsan;
	return c;
}

static const char *const mail_sans[] = {"DNS:mail.test", "DNS:*.wild.test", "IP:127.0.0.1",
                                        "IP:2001:db8::1", NULL};

static bool
leaf_matches(const char *name, bool is_ip)
{
	struct cert_info c = make_leaf("CN=ignored.test, O=startle test", mail_sans);
	bool r = cert_name_matches(&c, name, is_ip);
	cert_info_free(&c);
	return r;
}

static void
exact_dns_name_matches(void **state)
{
	(void)state;
	assert_true(leaf_matches("mail.test", false));
}

static void
dns_name_matches_ignoring_case(void **state)
{
	(void)state;
	assert_true(leaf_matches("MAIL.Test", false));
}

static void
other_dns_name_does_not_match(void **state)
{
	(void)state;
	assert_false(leaf_matches("evil.test", false));
	assert_false(leaf_matches("mail.test.evil", false));
	assert_false(leaf_matches("xmail.test", false));
}

static void
trailing_dot_of_the_name_is_ignored(void **state)
{
	(void)state;
	assert_true(leaf_matches("mail.test.", false));
}

static void
wildcard_matches_one_left_label(void **state)
{
	(void)state;
	assert_true(leaf_matches("imap.wild.test", false));
	assert_true(leaf_matches("IMAP.WILD.TEST", false));
}

static void
wildcard_does_not_match_two_labels(void **state)
{
	(void)state;
	assert_false(leaf_matches("a.b.wild.test", false));
}

static void
wildcard_does_not_match_the_bare_domain(void **state)
{
	(void)state;
	assert_false(leaf_matches("wild.test", false));
	assert_false(leaf_matches(".wild.test", false));
}

static bool
pattern_matches(const char *san, const char *name)
{
	const char *const sans[] = {san, NULL};
	struct cert_info c = make_leaf("CN=nothing", sans);
	bool r = cert_name_matches(&c, name, false);
	cert_info_free(&c);
	return r;
}

static void
wildcard_outside_the_left_most_label_is_rejected(void **state)
{
	(void)state;
	assert_false(pattern_matches("DNS:mail.*.test", "mail.x.test"));
	assert_false(pattern_matches("DNS:*.*.test", "a.b.test"));
}

static void
partial_label_wildcard_is_rejected(void **state)
{
	(void)state;
	assert_false(pattern_matches("DNS:m*.example.test", "mail.example.test"));
	assert_false(pattern_matches("DNS:*l.example.test", "mail.example.test"));
}

static void
wildcard_over_a_single_label_domain_is_rejected(void **state)
{
	(void)state;
	assert_false(pattern_matches("DNS:*.test", "mail.test"));
	assert_false(pattern_matches("DNS:*", "mail"));
}

static void
name_given_as_wildcard_never_matches(void **state)
{
	(void)state;
	assert_false(pattern_matches("DNS:*.wild.test", "*.wild.test"));
}

static void
empty_labels_never_match(void **state)
{
	(void)state;
	assert_false(leaf_matches("", false));
	assert_false(leaf_matches("mail..test", false));
	assert_false(leaf_matches(".mail.test", false));
	assert_false(pattern_matches("DNS:mail..test", "mail..test"));
	assert_false(pattern_matches("DNS:", ""));
}

static void
name_with_an_escaped_nul_never_matches(void **state)
{
	(void)state;
	/* A NUL inside a certificate name is kept as the text "\0". */
	assert_false(pattern_matches("DNS:mail.test\\0.evil.test", "mail.test"));
	assert_false(
	    pattern_matches("DNS:mail.test\\0.evil.test", "mail.test\\0.evil.test"));
}

static void
ipv4_matches_only_an_ip_san(void **state)
{
	(void)state;
	assert_true(leaf_matches("127.0.0.1", true));
	assert_false(leaf_matches("127.0.0.2", true));
	assert_false(pattern_matches("DNS:127.0.0.1", "127.0.0.1"));
	const char *const sans[] = {"DNS:127.0.0.1", NULL};
	struct cert_info c = make_leaf("CN=127.0.0.1", sans);
	assert_false(cert_name_matches(&c, "127.0.0.1", true));
	cert_info_free(&c);
}

static void
ipv6_is_compared_in_binary_form(void **state)
{
	(void)state;
	assert_true(leaf_matches("2001:db8::1", true));
	assert_true(leaf_matches("2001:0db8:0:0:0:0:0:0001", true));
	assert_false(leaf_matches("2001:db8::2", true));
}

static void
ip_target_that_is_not_an_address_never_matches(void **state)
{
	(void)state;
	assert_false(leaf_matches("mail.test", true));
	assert_false(leaf_matches("127.0.0.1.evil", true));
}

static void
address_passed_as_dns_name_still_matches_only_ip_sans(void **state)
{
	(void)state;
	assert_true(leaf_matches("127.0.0.1", false));
	assert_false(pattern_matches("DNS:127.0.0.1", "127.0.0.1"));
}

static void
cn_is_a_legacy_rule_only_without_any_san(void **state)
{
	(void)state;
	/* RFC 9525 drops the CN; the rule is named so that the verdict can say it. */
	struct cert_info bare = make_leaf("CN=Mail.Test", NULL);
	assert_false(cert_name_matches(&bare, "mail.test", false));
	assert_int_equal(cert_name_rule(&bare, "mail.test", false, NULL), CERT_NAME_CN);
	assert_true(cert_name_rule_is_legacy(CERT_NAME_CN));
	assert_int_equal(cert_name_rule(&bare, "other.test", false, NULL), CERT_NAME_NONE);
	cert_info_free(&bare);

	const char *const ip_only[] = {"IP:10.0.0.1", NULL};
	struct cert_info c = make_leaf("CN=mail.test, O=startle test", ip_only);
	assert_int_equal(cert_name_rule(&c, "mail.test", false, NULL), CERT_NAME_NONE);
	cert_info_free(&c);
}

static void
cn_is_ignored_when_a_dns_san_exists(void **state)
{
	(void)state;
	const char *const sans[] = {"DNS:other.test", NULL};
	struct cert_info c = make_leaf("CN=mail.test", sans);
	assert_false(cert_name_matches(&c, "mail.test", false));
	cert_info_free(&c);
}

static void
cn_is_never_used_for_an_ip_target(void **state)
{
	(void)state;
	struct cert_info c = make_leaf("CN=127.0.0.1", NULL);
	assert_int_equal(cert_name_rule(&c, "127.0.0.1", true, NULL), CERT_NAME_NONE);
	cert_info_free(&c);
}

static void
cn_with_an_escaped_comma_does_not_match(void **state)
{
	(void)state;
	struct cert_info c = make_leaf("CN=mail.test\\, O=evil", NULL);
	assert_int_equal(cert_name_rule(&c, "mail.test", false, NULL), CERT_NAME_NONE);
	cert_info_free(&c);
}

static void
missing_leaf_or_name_never_matches(void **state)
{
	(void)state;
	struct cert_info c = make_leaf("CN=mail.test", mail_sans);
	assert_false(cert_name_matches(NULL, "mail.test", false));
	assert_false(cert_name_matches(&c, NULL, false));
	cert_info_free(&c);
}

static struct cert_info
with_key(const char *key, int bits, const char *sig, bool self_signed)
{
	struct cert_info c;
	memset(&c, 0, sizeof(c));
	snprintf(c.key, sizeof(c.key), "%s", key);
	c.key_bits = bits;
	snprintf(c.sig, sizeof(c.sig), "%s", sig);
	c.self_signed = self_signed;
	return c;
}

static void
rsa_under_2048_bits_is_weak(void **state)
{
	(void)state;
	struct cert_info weak =
	    with_key("RSA 1024", 1024, "sha256WithRSAEncryption", false);
	struct cert_info ok = with_key("RSA 2048", 2048, "sha256WithRSAEncryption", false);
	assert_true(cert_key_is_weak(&weak));
	assert_false(cert_key_is_weak(&ok));
}

static void
dsa_under_2048_bits_is_weak(void **state)
{
	(void)state;
	struct cert_info weak = with_key("DSA 1024", 1024, "dsa_with_SHA256", false);
	assert_true(cert_key_is_weak(&weak));
}

static void
ec_under_224_bits_is_weak(void **state)
{
	(void)state;
	struct cert_info weak = with_key("EC P-192", 192, "ecdsa-with-SHA256", false);
	struct cert_info ok = with_key("EC P-256", 256, "ecdsa-with-SHA256", false);
	assert_true(cert_key_is_weak(&weak));
	assert_false(cert_key_is_weak(&ok));
}

static void
ed25519_is_not_weak(void **state)
{
	(void)state;
	struct cert_info c = with_key("Ed25519", 256, "ED25519", false);
	assert_false(cert_key_is_weak(&c));
}

static void
md5_and_sha1_signatures_are_weak(void **state)
{
	(void)state;
	const char *weak[] = {"md5WithRSAEncryption", "sha1WithRSAEncryption",
	                      "ecdsa-with-SHA1", "RSA-SHA1", "dsaWithSHA1"};
	for (size_t i = 0; i < sizeof(weak) / sizeof(weak[0]); i++) {
		struct cert_info c = with_key("RSA 2048", 2048, weak[i], false);
		assert_true(cert_sig_is_weak(&c));
	}
}

static void
sha2_signatures_are_not_weak(void **state)
{
	(void)state;
	const char *ok[] = {"sha256WithRSAEncryption", "ecdsa-with-SHA384",
	                    "sha512WithRSAEncryption", "ED25519"};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		struct cert_info c = with_key("RSA 2048", 2048, ok[i], false);
		assert_false(cert_sig_is_weak(&c));
	}
}

static void
sha1_self_signature_of_a_root_is_not_weak(void **state)
{
	(void)state;
	struct cert_info root = with_key("RSA 2048", 2048, "sha1WithRSAEncryption", true);
	assert_false(cert_sig_is_weak(&root));
}

static void
time_is_formatted_as_utc_iso8601(void **state)
{
	(void)state;
	char buf[32];
	cert_format_time((time_t)1795834800, buf, sizeof(buf));
	assert_string_equal(buf, "2026-11-28T03:00:00Z");
	cert_format_time(0, buf, sizeof(buf));
	assert_string_equal(buf, "1970-01-01T00:00:00Z");
}

static void
time_into_a_short_buffer_is_empty_not_overflowing(void **state)
{
	(void)state;
	char buf[8];
	memset(buf, 'x', sizeof(buf));
	cert_format_time((time_t)1795834800, buf, sizeof(buf));
	assert_true(memchr(buf, '\0', sizeof(buf)) != NULL);
}

static void
freeing_releases_and_clears_the_struct(void **state)
{
	(void)state;
	struct cert_info c = make_leaf("CN=mail.test", mail_sans);
	c.issuer = strdup("CN=ca");
	c.serial = strdup("01");
	cert_info_free(&c);
	assert_null(c.subject);
	assert_null(c.issuer);
	assert_int_equal(c.nsan, 0);
	cert_info_free(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(exact_dns_name_matches),
	    cmocka_unit_test(dns_name_matches_ignoring_case),
	    cmocka_unit_test(other_dns_name_does_not_match),
	    cmocka_unit_test(trailing_dot_of_the_name_is_ignored),
	    cmocka_unit_test(wildcard_matches_one_left_label),
	    cmocka_unit_test(wildcard_does_not_match_two_labels),
	    cmocka_unit_test(wildcard_does_not_match_the_bare_domain),
	    cmocka_unit_test(wildcard_outside_the_left_most_label_is_rejected),
	    cmocka_unit_test(partial_label_wildcard_is_rejected),
	    cmocka_unit_test(wildcard_over_a_single_label_domain_is_rejected),
	    cmocka_unit_test(name_given_as_wildcard_never_matches),
	    cmocka_unit_test(empty_labels_never_match),
	    cmocka_unit_test(name_with_an_escaped_nul_never_matches),
	    cmocka_unit_test(ipv4_matches_only_an_ip_san),
	    cmocka_unit_test(ipv6_is_compared_in_binary_form),
	    cmocka_unit_test(ip_target_that_is_not_an_address_never_matches),
	    cmocka_unit_test(address_passed_as_dns_name_still_matches_only_ip_sans),
	    cmocka_unit_test(cn_is_a_legacy_rule_only_without_any_san),
	    cmocka_unit_test(cn_is_ignored_when_a_dns_san_exists),
	    cmocka_unit_test(cn_is_never_used_for_an_ip_target),
	    cmocka_unit_test(cn_with_an_escaped_comma_does_not_match),
	    cmocka_unit_test(missing_leaf_or_name_never_matches),
	    cmocka_unit_test(rsa_under_2048_bits_is_weak),
	    cmocka_unit_test(dsa_under_2048_bits_is_weak),
	    cmocka_unit_test(ec_under_224_bits_is_weak),
	    cmocka_unit_test(ed25519_is_not_weak),
	    cmocka_unit_test(md5_and_sha1_signatures_are_weak),
	    cmocka_unit_test(sha2_signatures_are_not_weak),
	    cmocka_unit_test(sha1_self_signature_of_a_root_is_not_weak),
	    cmocka_unit_test(time_is_formatted_as_utc_iso8601),
	    cmocka_unit_test(time_into_a_short_buffer_is_empty_not_overflowing),
	    cmocka_unit_test(freeing_releases_and_clears_the_struct),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
