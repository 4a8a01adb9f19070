/*
 * What a user chooses about TLS (tls.h: --ciphers, --groups, --alpn) and the
 * session a connection leaves to resume (tls_ticket_take), against a wolfSSL
 * server on a socketpair (tlspair.h): names are checked before anything is
 * sent, the choices reach the handshake, a resumed handshake keeps the first
 * connection's verdict, and a session the server does not resume leaves the
 * chain of the new handshake alone.
 */
#include <wolfssl/options.h>
#include <wolfssl/ssl.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "cert.h"
#include "tls.h"
#include "tlspair.h"

static void
expect_cause(char *cause, const char *needle)
{
	assert_non_null(cause);
	if (strstr(cause, needle) == NULL)
		fail_msg("\"%s\" does not mention \"%s\"", cause, needle);
	free(cause);
}

static void
cipher_names_are_checked_in_both_spellings(void **state)
{
	char *cause = NULL;
	(void)state;
	assert_int_equal(tls_check_ciphers("TLS_AES_128_GCM_SHA256", 0, 0, &cause), 0);
	assert_int_equal(tls_check_ciphers("ECDHE-ECDSA-AES128-GCM-SHA256, "
	                                   "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
	                                   0, 12, &cause),
	                 0);
	assert_null(cause);
	assert_int_equal(tls_check_ciphers("TLS_AES_128_GCM_SHA256:BOGUS", 0, 0, &cause),
	                 -1);
	expect_cause(cause, "\"BOGUS\" is not a cipher suite");
	cause = NULL;
	assert_int_equal(tls_check_ciphers(" : ", 0, 0, &cause), -1);
	expect_cause(cause, "the list is empty");
	cause = NULL;
	/* a name longer than any suite's is refused, escaped */
	char long_name[300];
	memset(long_name, 'A', sizeof long_name - 1);
	long_name[sizeof long_name - 1] = '\0';
	long_name[3] = '\x1b';
	assert_int_equal(tls_check_ciphers(long_name, 0, 0, &cause), -1);
	assert_null(strchr(cause, '\x1b'));
	free(cause);
}

static void
group_names_are_checked_case_blind_and_listed_when_wrong(void **state)
{
	char *cause = NULL;
	(void)state;
	assert_int_equal(tls_check_groups("x25519:p-256,SECP384R1 prime256v1", &cause), 0);
	assert_int_equal(tls_check_groups("X25519:P-123", &cause), -1);
	expect_cause(cause, "use X25519");
	cause = NULL;
	assert_int_equal(tls_check_groups("", &cause), -1);
	expect_cause(cause, "the list is empty");
	cause = NULL;
	assert_int_equal(tls_check_groups("P-256:P-256:P-256:P-256:P-256:P-256:P-256:P-256:"
	                                  "P-256:P-256:P-256:P-256:P-256:P-256:P-256:P-256:"
	                                  "P-256:P-256:P-256:P-256:P-256:P-256:P-256:P-256:"
	                                  "P-256:P-256:P-256:P-256:P-256:P-256:P-256:P-256:"
	                                  "P-256:P-256:P-256:P-256:P-256",
	                                  &cause),
	                 -1);
	expect_cause(cause, "at most");
}

static void
alpn_names_are_printable_and_nonempty(void **state)
{
	char *cause = NULL;
	(void)state;
	assert_int_equal(tls_check_alpn("smtp", &cause), 0);
	assert_int_equal(tls_check_alpn("imap,pop3,managesieve", &cause), 0);
	assert_int_equal(tls_check_alpn("imap,,pop3", &cause), -1);
	expect_cause(cause, "separated by commas");
	cause = NULL;
	assert_int_equal(tls_check_alpn("a\tb", &cause), -1);
	free(cause);
}

static void
alpn_offered_reports_what_the_server_chose(void **state)
{
	struct tlspair p;
	struct tls_config c = {.alpn = "imap,smtp"};
	(void)state;
	tlspair_session(&p, &(struct tlspair_options){
	                        .max_version = 13, .client = &c, .server_alpn = "smtp"});
	assert_true(p.sum.alpn_offered);
	assert_string_equal(p.sum.alpn, "smtp");
	tlspair_end(&p);
	/* not offered: nothing to report */
	tlspair_session(
	    &p, &(struct tlspair_options){.max_version = 13, .server_alpn = "smtp"});
	assert_false(p.sum.alpn_offered);
	assert_string_equal(p.sum.alpn, "");
	tlspair_end(&p);
}

static void
groups_choose_the_key_exchange(void **state)
{
	struct tlspair p;
	struct tls_config c = {.groups = "P-384"};
	(void)state;
	tlspair_session(&p, &(struct tlspair_options){.max_version = 13, .client = &c});
	assert_string_equal(p.sum.group, "SECP384R1");
	assert_int_equal(p.sum.key_share_bytes, 97);
	assert_false(p.sum.hello_retry);
	tlspair_end(&p);
}

static void
a_server_without_the_first_group_asks_again(void **state)
{
	struct tlspair p;
	(void)state;
	/* startle's default offers an X25519 key share first */
	tlspair_session(
	    &p, &(struct tlspair_options){.max_version = 13, .server_groups = "P-256"});
	assert_string_equal(p.sum.group, "SECP256R1");
	assert_true(p.sum.hello_retry);
	tlspair_end(&p);
}

static void
ciphers_of_tls12_only_leave_out_tls13(void **state)
{
	struct tlspair p;
	struct tls_config c = {.ciphers = "ECDHE-ECDSA-AES128-GCM-SHA256"};
	(void)state;
	tlspair_session(&p, &(struct tlspair_options){.max_version = 13, .client = &c});
	assert_string_equal(p.sum.version, "TLSv1.2");
	assert_string_equal(p.sum.cipher, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
	tlspair_end(&p);
	c.ciphers = "TLS_CHACHA20_POLY1305_SHA256";
	tlspair_session(&p, &(struct tlspair_options){.max_version = 13, .client = &c});
	assert_string_equal(p.sum.version, "TLSv1.3");
	assert_string_equal(p.sum.cipher, "TLS_CHACHA20_POLY1305_SHA256");
	tlspair_end(&p);
}

/* A first session with the server context ctx and the client settings c;
 * reads data so that a TLS 1.3 ticket is in, then takes the session. */
static struct tls_ticket *
first_session(WOLFSSL_CTX *ctx, int version, const struct tls_config *c)
{
	struct tlspair p;
	char buf[16];

	tlspair_session(&p, &(struct tlspair_options){
	                        .max_version = version, .client = c, .server_ctx = ctx});
	assert_int_equal(tlspair_echo(&p, "hi", buf, sizeof buf), 2);
	struct tls_ticket *t = tls_ticket_take(p.tc);
	tlspair_end(&p);
	return t;
}

static void
check_resumption(int version)
{
	struct tlspair_options o = {.max_version = version};
	WOLFSSL_CTX *ctx = tlspair_server_ctx(&o);
	struct tls_ticket *t = first_session(ctx, version, NULL);
	struct tls_config c = {.resume = t};
	struct cert_verdict v;
	struct tlspair p;

	assert_non_null(t);
	assert_true(tls_ticket_fits(t, "mail.startle.test"));
	assert_false(tls_ticket_fits(t, "other.test"));
	o.client = &c;
	o.server_ctx = ctx;
	tlspair_session(&p, &o);
	assert_true(p.sum.resume_offered);
	assert_true(p.sum.resumed);
	tls_get_verdict(p.tc, &v);
	assert_true(v.verified);
	assert_true(v.name_match);
	tlspair_end(&p);
	tls_ticket_free(t);
	wolfSSL_CTX_free(ctx);
}

static void
a_tls13_session_is_resumed_with_its_verdict(void **state)
{
	(void)state;
	check_resumption(13);
}

static void
a_tls12_session_is_resumed_with_its_verdict(void **state)
{
	(void)state;
	check_resumption(12);
}

static void
resuming_never_turns_an_untrusted_certificate_trusted(void **state)
{
	struct tlspair_options o = {.max_version = 13};
	WOLFSSL_CTX *ctx = tlspair_server_ctx(&o);
	/* the system's trust store does not hold the lab's CA */
	struct tls_config first = {.cafile = "/etc/ssl/certs/ca-certificates.crt"};
	struct tls_ticket *t = first_session(ctx, 13, &first);
	struct tls_config again = first;
	struct cert_verdict v;
	struct tlspair p;
	(void)state;

	assert_non_null(t);
	again.resume = t;
	o.client = &again;
	o.server_ctx = ctx;
	tlspair_session(&p, &o);
	assert_true(p.sum.resumed);
	tls_get_verdict(p.tc, &v);
	assert_false(v.verified);
	assert_true(v.untrusted);
	tlspair_end(&p);
	tls_ticket_free(t);
	wolfSSL_CTX_free(ctx);
}

static void
a_session_not_resumed_leaves_the_new_chain_alone(void **state)
{
	struct tlspair_options o = {.max_version = 13};
	WOLFSSL_CTX *ctx = tlspair_server_ctx(&o);
	struct tls_ticket *t = first_session(ctx, 13, NULL);
	struct tls_config c = {.resume = t};
	struct cert_info chain[CERT_CHAIN_MAX];
	struct tlspair p;
	size_t certs;
	(void)state;

	/* a new server context: another ticket key, so no resumption */
	o.client = &c;
	tlspair_session(&p, &o);
	assert_true(p.sum.resume_offered);
	assert_false(p.sum.resumed);
	size_t n = tls_get_chain(p.tc, chain, CERT_CHAIN_MAX);
	(void)tlspair_chain_der(&certs);
	assert_int_equal(n, certs);
	for (size_t i = 0; i < n; i++)
		cert_info_free(&chain[i]);
	tlspair_end(&p);
	tls_ticket_free(t);
	wolfSSL_CTX_free(ctx);
}

static void
a_tls12_session_not_resumed_by_another_server_still_connects(void **state)
{
	struct tlspair_options o = {.max_version = 12};
	WOLFSSL_CTX *ctx = tlspair_server_ctx(&o);
	struct tls_ticket *t = first_session(ctx, 12, NULL);
	struct tls_config c = {.resume = t};
	struct tlspair p;
	(void)state;

	assert_non_null(t);
	o.client = &c;
	tlspair_session(&p, &o);
	assert_true(p.sum.resume_offered);
	assert_false(p.sum.resumed);
	tlspair_end(&p);
	tls_ticket_free(t);
	wolfSSL_CTX_free(ctx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(cipher_names_are_checked_in_both_spellings),
	    cmocka_unit_test(group_names_are_checked_case_blind_and_listed_when_wrong),
	    cmocka_unit_test(alpn_names_are_printable_and_nonempty),
	    cmocka_unit_test(alpn_offered_reports_what_the_server_chose),
	    cmocka_unit_test(groups_choose_the_key_exchange),
	    cmocka_unit_test(a_server_without_the_first_group_asks_again),
	    cmocka_unit_test(ciphers_of_tls12_only_leave_out_tls13),
	    cmocka_unit_test(a_tls13_session_is_resumed_with_its_verdict),
	    cmocka_unit_test(a_tls12_session_is_resumed_with_its_verdict),
	    cmocka_unit_test(resuming_never_turns_an_untrusted_certificate_trusted),
	    cmocka_unit_test(a_session_not_resumed_leaves_the_new_chain_alone),
	    cmocka_unit_test(a_tls12_session_not_resumed_by_another_server_still_connects),
	};
	return cmocka_run_group_tests(tests, tlspair_setup, tlspair_teardown);
}
