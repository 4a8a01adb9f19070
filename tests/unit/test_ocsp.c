/*
 * ocsp: stapled responses as startle reads and checks them. The lab's CA
 * makes the responses (labocsp.h) for its leaves; openssl reads one back, so
 * the bytes are what any OCSP client expects. Then: status, dates and
 * responder; a response that is stale, about another certificate, tampered
 * with, or whose issuer the server did not send; bytes that are not OCSP at
 * all, cut at every length.
 */
#include <wolfssl/options.h>
#include <wolfssl/ssl.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cert.h"
#include "labcert.h"
#include "labocsp.h"
#include "ocsp.h"
#include "util.h"
#include "x509.h"

#define DAY 86400L

static struct labcert *lab;
static struct cert_info chain[2];  /* the good leaf and the CA */
static time_t now;
static char dir[64];

/* The chain of a lab kind: its leaf, then the CA. */
static void
make_chain(enum labcert_kind kind, struct cert_info out[2])
{
	const struct labcert_pair *pair;
	char *cause = NULL;
	size_t ca_len;
	const unsigned char *ca = labcert_ca_der(lab, &ca_len);

	assert_int_equal(labcert_get(lab, kind, &pair, &cause), 0);
	assert_true(x509_cert_from_der(pair->leaf_der, pair->leaf_der_len, 0, &out[0]));
	assert_true(x509_cert_from_der(ca, ca_len, 1, &out[1]));
}

static int
setup(void **state)
{
	char *cause = NULL;
	(void)state;
	assert_int_equal(wolfSSL_Init(), WOLFSSL_SUCCESS);
	lab = labcert_new(&cause);
	assert_non_null(lab);
	make_chain(LABCERT_GOOD, chain);
	now = time(NULL);
	snprintf(dir, sizeof dir, "/tmp/startle-ocsp-XXXXXX");
	assert_non_null(mkdtemp(dir));
	return 0;
}

static int
teardown(void **state)
{
	char cmd[128];
	(void)state;
	cert_info_free(&chain[0]);
	cert_info_free(&chain[1]);
	labcert_free(lab);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	wolfSSL_Cleanup();
	return 0;
}

/* A response by the lab CA about a kind's leaf. */
static unsigned char *
response(enum labcert_kind kind, enum labocsp_status st, const struct labocsp_times *t,
         size_t *len)
{
	unsigned char *der = NULL;
	char *cause = NULL;
	assert_int_equal(labocsp_response(lab, kind, st, t != NULL ? t : &labocsp_default_times,
	                                  now, &der, len, &cause),
	                 0);
	return der;
}

/* Checks a response against the good chain (n certificates of it). */
static struct cert_ocsp
check(const unsigned char *der, size_t len, size_t n)
{
	struct cert_ocsp o;
	memset(&o, 0, sizeof o);
	ocsp_check(der, len, chain, n, now, &o);
	return o;
}

static void
write_file(const char *name, const void *data, size_t len)
{
	char path[160];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static void
openssl_reads_the_lab_response_as_good_for_its_leaf(void **state)
{
	(void)state;
	size_t len, ca_len;
	unsigned char *der = response(LABCERT_GOOD, LABOCSP_GOOD, NULL, &len);
	const struct labcert_pair *pair;
	char *cause = NULL;
	assert_int_equal(labcert_get(lab, LABCERT_GOOD, &pair, &cause), 0);
	write_file("resp.der", der, len);
	const char *ca_pem = labcert_ca_pem(lab, &ca_len);
	write_file("ca.pem", ca_pem, ca_len);
	write_file("chain.pem", pair->chain_pem, pair->chain_len);
	char cmd[512], out[2048];
	snprintf(cmd, sizeof cmd,
	         "cd '%s' && timeout 10 openssl ocsp -respin resp.der -issuer ca.pem "
	         "-cert chain.pem -CAfile ca.pem -no_nonce 2>&1",
	         dir);
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	size_t n = fread(out, 1, sizeof out - 1, p);
	out[n] = '\0';
	int status = pclose(p);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_non_null(strstr(out, "Response verify OK"));
	assert_non_null(strstr(out, "chain.pem: good"));
	free(der);
}

static void
good_response_verifies_with_its_dates_and_responder(void **state)
{
	(void)state;
	size_t len;
	unsigned char *der = response(LABCERT_GOOD, LABOCSP_GOOD, NULL, &len);
	struct cert_ocsp o = check(der, len, 2);
	assert_int_equal(o.state, CERT_OCSP_GOOD);
	assert_true(o.verified);
	assert_string_equal(o.problem, "");
	assert_int_equal(o.len, len);
	assert_int_equal(o.produced_at, now);
	assert_int_equal(o.this_update, now - 3600);
	assert_int_equal(o.next_update, now + 7 * DAY);
	assert_int_equal(o.revoked_at, 0);
	assert_string_equal(o.responder, "CN=startle lab CA, O=startle lab");
	assert_string_equal(o.signer, "the issuer");
	free(der);
}

static void
revoked_response_gives_the_time_and_reason(void **state)
{
	(void)state;
	size_t len;
	unsigned char *der = response(LABCERT_GOOD, LABOCSP_REVOKED, NULL, &len);
	struct cert_ocsp o = check(der, len, 2);
	assert_int_equal(o.state, CERT_OCSP_REVOKED);
	assert_true(o.verified);
	assert_int_equal(o.revoked_at, now - DAY);
	assert_string_equal(o.reason, "keyCompromise");
	free(der);
}

static void
unknown_response_is_unknown(void **state)
{
	(void)state;
	size_t len;
	unsigned char *der = response(LABCERT_GOOD, LABOCSP_UNKNOWN, NULL, &len);
	struct cert_ocsp o = check(der, len, 2);
	assert_int_equal(o.state, CERT_OCSP_UNKNOWN);
	assert_true(o.verified);
	free(der);
}

static void
response_past_its_next_update_is_out_of_date(void **state)
{
	(void)state;
	size_t len;
	const struct labocsp_times stale = {.this_update = -9 * DAY, .next_update = -2 * DAY};
	unsigned char *der = response(LABCERT_GOOD, LABOCSP_GOOD, &stale, &len);
	struct cert_ocsp o = check(der, len, 2);
	assert_int_equal(o.state, CERT_OCSP_GOOD);
	assert_false(o.verified);
	assert_non_null(strstr(o.problem, "out of date"));
	free(der);
}

static void
response_from_the_future_is_not_valid_yet(void **state)
{
	(void)state;
	size_t len;
	const struct labocsp_times early = {.this_update = DAY, .next_update = 8 * DAY};
	unsigned char *der = response(LABCERT_GOOD, LABOCSP_GOOD, &early, &len);
	struct cert_ocsp o = check(der, len, 2);
	assert_false(o.verified);
	assert_non_null(strstr(o.problem, "not valid yet"));
	free(der);
}

static void
response_about_another_certificate_does_not_count(void **state)
{
	(void)state;
	size_t len;
	unsigned char *der = response(LABCERT_WRONG_HOST, LABOCSP_GOOD, NULL, &len);
	struct cert_ocsp o = check(der, len, 2);
	assert_false(o.verified);
	assert_non_null(strstr(o.problem, "another certificate"));
	free(der);
}

static void
tampered_response_does_not_verify(void **state)
{
	(void)state;
	size_t len;
	unsigned char *der = response(LABCERT_GOOD, LABOCSP_REVOKED, NULL, &len);
	/* The last byte of the producedAt digits, inside the signed data. */
	size_t z = 0;
	while (z < len && der[z] != 'Z')
		z++;
	assert_true(z > 0 && z < len);
	der[z - 1] = der[z - 1] == '0' ? '1' : '0';
	struct cert_ocsp o = check(der, len, 2);
	assert_false(o.verified);
	assert_non_null(strstr(o.problem, "signature does not verify"));
	free(der);
}

static void
without_the_issuer_the_response_cannot_be_checked(void **state)
{
	(void)state;
	size_t len;
	unsigned char *der = response(LABCERT_GOOD, LABOCSP_GOOD, NULL, &len);
	struct cert_ocsp o = check(der, len, 1);
	assert_int_equal(o.state, CERT_OCSP_GOOD);
	assert_false(o.verified);
	assert_non_null(strstr(o.problem, "did not send the certificate that issued"));
	free(der);
}

static void
unsuccessful_response_names_its_status(void **state)
{
	(void)state;
	static const unsigned char try_later[] = {0x30, 0x03, 0x0a, 0x01, 0x03};
	struct cert_ocsp o = check(try_later, sizeof try_later, 2);
	assert_int_equal(o.state, CERT_OCSP_UNREADABLE);
	assert_non_null(strstr(o.problem, "tryLater"));
}

static void
bytes_that_are_not_ocsp_are_unreadable(void **state)
{
	(void)state;
	static const unsigned char text[] = "HTTP/1.1 200 OK";
	struct cert_ocsp o = check(text, sizeof text - 1, 2);
	assert_int_equal(o.state, CERT_OCSP_UNREADABLE);
	assert_non_null(strstr(o.problem, "not an OCSP response"));
}

static void
every_truncation_is_unreadable_and_harmless(void **state)
{
	(void)state;
	size_t len;
	unsigned char *der = response(LABCERT_GOOD, LABOCSP_REVOKED, NULL, &len);
	for (size_t cut = 0; cut < len; cut++) {
		/* A copy of exactly cut bytes, so that a read past it is caught. */
		unsigned char *part = xmemdup(der, cut ? cut : 1);
		struct cert_ocsp o = check(part, cut, 2);
		assert_int_equal(o.state, CERT_OCSP_UNREADABLE);
		assert_false(o.verified);
		assert_true(o.problem[0] != '\0');
		free(part);
	}
	free(der);
}

static void
must_staple_is_read_from_the_leaf(void **state)
{
	(void)state;
	struct cert_info ms[2];
	make_chain(LABCERT_MUST_STAPLE, ms);
	assert_true(ms[0].must_staple);
	assert_false(chain[0].must_staple);
	assert_false(chain[1].must_staple);
	cert_info_free(&ms[0]);
	cert_info_free(&ms[1]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(openssl_reads_the_lab_response_as_good_for_its_leaf),
	    cmocka_unit_test(good_response_verifies_with_its_dates_and_responder),
	    cmocka_unit_test(revoked_response_gives_the_time_and_reason),
	    cmocka_unit_test(unknown_response_is_unknown),
	    cmocka_unit_test(response_past_its_next_update_is_out_of_date),
	    cmocka_unit_test(response_from_the_future_is_not_valid_yet),
	    cmocka_unit_test(response_about_another_certificate_does_not_count),
	    cmocka_unit_test(tampered_response_does_not_verify),
	    cmocka_unit_test(without_the_issuer_the_response_cannot_be_checked),
	    cmocka_unit_test(unsuccessful_response_names_its_status),
	    cmocka_unit_test(bytes_that_are_not_ocsp_are_unreadable),
	    cmocka_unit_test(every_truncation_is_unreadable_and_harmless),
	    cmocka_unit_test(must_staple_is_read_from_the_leaf),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
