/*
 * Unit tests for the encrypted handshake view (hsdecrypt.h, through tls.h):
 * real TLS 1.3 sessions with a wolfSSL server must show the messages the
 * server sent inside encrypted records, with the sizes the server's own
 * certificate chain and hash imply (the client's copy of the records arrives
 * as wolfSSL reads it: each header, then each body); a wrong secret shows
 * nothing and says why.
 */
#include <wolfssl/options.h>
#include <wolfssl/ssl.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "hsdecrypt.h"
#include "record.h"
#include "tlsbuild.h"
#include "tlspair.h"

#define EE 8
#define CERTIFICATE 11
#define CERTIFICATE_VERIFY 15
#define FINISHED 20
#define NEW_SESSION_TICKET 4

static size_t
messages(struct tlspair *p, struct hsdecrypt_message *m, const char **problem)
{
	return tls_get_encrypted_messages(p->tc, m, HSDECRYPT_MESSAGES_MAX, problem);
}

/* Runs a TLS 1.3 session with the server's cipher list, then checks the
 * server's four encrypted messages and the client's Finished: Finished as
 * long as the suite's hash. */
static void
check_suite(const char *ciphers, const char *iana, size_t hash_len)
{
	struct tlspair p;
	struct hsdecrypt_message m[HSDECRYPT_MESSAGES_MAX];
	const char *problem = "unset";

	if (!tlsbuild_has_tls13_secrets())
		skip();
	tlspair_session(&p,
	                &(struct tlspair_options){.max_version = 13, .ciphers = ciphers});
	assert_string_equal(p.sum.cipher, iana);
	size_t n = messages(&p, m, &problem);
	assert_null(problem);
	assert_int_equal(n, 5);
	static const unsigned char server_types[] = {EE, CERTIFICATE, CERTIFICATE_VERIFY,
	                                             FINISHED};
	size_t s = 0;
	for (size_t i = 0; i < n; i++) {
		assert_false(m[i].after_handshake);
		if (m[i].from_server) {
			assert_true(s < sizeof server_types);
			assert_int_equal(m[i].type, server_types[s++]);
		} else {
			assert_int_equal(m[i].type, FINISHED);
			assert_int_equal(m[i].length, hash_len);
		}
		if (m[i].type == FINISHED)
			assert_int_equal(m[i].length, hash_len);
	}
	assert_int_equal(s, 4);
	tlspair_end(&p);
}

static void
aes128_gcm_handshake_shows_the_four_server_messages_and_the_client_finished(void **state)
{
	(void)state;
	check_suite("TLS13-AES128-GCM-SHA256", "TLS_AES_128_GCM_SHA256", 32);
}

static void
aes256_gcm_sha384_finished_messages_are_48_bytes(void **state)
{
	(void)state;
	check_suite("TLS13-AES256-GCM-SHA384", "TLS_AES_256_GCM_SHA384", 48);
}

static void
chacha20_poly1305_handshake_is_decrypted_too(void **state)
{
	(void)state;
	check_suite("TLS13-CHACHA20-POLY1305-SHA256", "TLS_CHACHA20_POLY1305_SHA256", 32);
}

static void
certificate_message_holds_the_servers_chain(void **state)
{
	(void)state;
	struct tlspair p;
	struct hsdecrypt_message m[HSDECRYPT_MESSAGES_MAX];
	size_t certs;

	if (!tlsbuild_has_tls13_secrets())
		skip();
	tlspair_session(&p, &(struct tlspair_options){.max_version = 13});
	size_t n = messages(&p, m, NULL);
	size_t der = tlspair_chain_der(&certs);
	assert_int_equal(certs, 2);
	/* RFC 8446 §4.4.2: a request context byte, a 3-byte list length, and for
	 * each certificate a 3-byte length, its DER and 2 bytes of extensions. */
	bool found = false;
	for (size_t i = 0; i < n; i++) {
		if (m[i].from_server && m[i].type == CERTIFICATE) {
			assert_int_equal(m[i].length, 1 + 3 + der + certs * (3 + 2));
			found = true;
		}
	}
	assert_true(found);
	tlspair_end(&p);
}

static void
new_session_ticket_after_the_handshake_is_shown_as_such(void **state)
{
	(void)state;
	struct tlspair p;
	struct hsdecrypt_message m[HSDECRYPT_MESSAGES_MAX];
	char buf[64];

	if (!tlsbuild_has_tls13_secrets())
		skip();
	tlspair_session(&p, &(struct tlspair_options){.max_version = 13});
	assert_int_equal(tlspair_echo(&p, "hello", buf, sizeof buf), 5);
	size_t n = messages(&p, m, NULL);
	assert_true(n >= 6);
	assert_true(m[n - 1].from_server);
	assert_int_equal(m[n - 1].type, NEW_SESSION_TICKET);
	assert_true(m[n - 1].after_handshake);
	assert_true(m[n - 1].length > 8);
	tlspair_end(&p);
}

struct observed {
	struct tls_message m[HSDECRYPT_MESSAGES_MAX];
	size_t n;
};

static void
observe(void *arg, const struct tls_message *m)
{
	struct observed *o = arg;
	assert_true(o->n < HSDECRYPT_MESSAGES_MAX);
	o->m[o->n++] = *m;
}

static void
the_observer_gets_each_message_during_the_handshake_in_order(void **state)
{
	(void)state;
	struct tlspair p;
	struct observed seen = {.n = 0};
	struct tls_observer obs = {.message = observe, .arg = &seen};
	static const unsigned char types[] = {EE, CERTIFICATE, CERTIFICATE_VERIFY, FINISHED,
	                                      FINISHED};

	if (!tlsbuild_has_tls13_secrets())
		skip();
	tlspair_session(&p, &(struct tlspair_options){.max_version = 13, .obs = &obs});
	assert_int_equal(seen.n, 5);
	for (size_t i = 0; i < 5; i++) {
		assert_int_equal(seen.m[i].type, types[i]);
		assert_int_equal(seen.m[i].dir, i < 4 ? TLS_DIR_IN : TLS_DIR_OUT);
		assert_false(seen.m[i].after_handshake);
	}
	/* the lab's leaf is an EC P-256 key */
	assert_int_equal(seen.m[2].head_len, HSDECRYPT_HEAD_MAX);
	assert_int_equal(seen.m[2].head[0], 0x04);
	assert_int_equal(seen.m[2].head[1], 0x03);
	assert_int_equal(p.sum.encrypted_handshake, TLS_HS_DECRYPTED);
	assert_string_equal(p.sum.signature, "ecdsa_secp256r1_sha256");
	assert_string_equal(p.sum.group, "X25519");
	assert_int_equal(p.sum.key_share_bytes, 32);
	assert_false(p.sum.hello_retry);
	tlspair_end(&p);
}

static void
tls12_summary_reads_group_and_signature_from_the_key_exchange(void **state)
{
	(void)state;
	struct tlspair p;
	struct observed seen = {.n = 0};
	struct tls_observer obs = {.message = observe, .arg = &seen};

	tlspair_session(&p, &(struct tlspair_options){.max_version = 12, .obs = &obs});
	assert_string_equal(p.sum.version, "TLSv1.2");
	assert_int_equal(seen.n, 0);
	assert_int_equal(p.sum.encrypted_handshake, TLS_HS_READABLE);
	assert_true(strncmp(p.sum.signature, "ecdsa_sha", 9) == 0);
	assert_true(p.sum.key_share_bytes == 32 || p.sum.key_share_bytes == 65);
	tlspair_end(&p);
}

static void
tls12_session_has_no_encrypted_messages(void **state)
{
	(void)state;
	struct tlspair p;
	struct hsdecrypt_message m[HSDECRYPT_MESSAGES_MAX];
	const char *problem = "unset";
	char buf[64];

	tlspair_session(&p, &(struct tlspair_options){.max_version = 12});
	assert_int_equal(tlspair_echo(&p, "hello", buf, sizeof buf), 5);
	assert_int_equal(messages(&p, m, &problem), 0);
	assert_null(problem);
	tlspair_end(&p);
}

static void
system_library_shows_no_encrypted_messages(void **state)
{
	(void)state;
	struct tlspair p;
	struct hsdecrypt_message m[HSDECRYPT_MESSAGES_MAX];

	if (tlsbuild_has_tls13_secrets())
		skip();
	tlspair_session(&p, &(struct tlspair_options){.max_version = 13});
	assert_int_equal(messages(&p, m, NULL), 0);
	assert_int_equal(p.sum.encrypted_handshake, TLS_HS_UNAVAILABLE);
	assert_string_equal(p.sum.signature, "");
	tlspair_end(&p);
}

/* A TLS 1.3 record of the given bytes: header, then body. */
static size_t
record(unsigned char *out, unsigned char type, const unsigned char *body, size_t len)
{
	out[0] = type;
	out[1] = 3;
	out[2] = 3;
	out[3] = (unsigned char)(len >> 8);
	out[4] = (unsigned char)len;
	memcpy(out + 5, body, len);
	return 5 + len;
}

struct feed {
	struct hsdecrypt *h;
	bool from_server;
};

static void
feed_body(void *arg, const struct record *rec, const unsigned char *p, size_t n, bool end)
{
	struct feed *f = arg;
	hsdecrypt_body(f->h, f->from_server, rec, p, n, end);
}

/* Hands wire bytes to the decryptor as tls.c does: through a record scanner
 * (record.h), here a byte at a time. */
static void
feed(struct hsdecrypt *h, bool from_server, const unsigned char *wire, size_t n)
{
	struct feed f = {h, from_server};
	struct record_scanner sc;

	record_scan_init(&sc, NULL, &f);
	sc.on_body = feed_body;
	for (size_t i = 0; i < n; i++)
		record_scan_feed(&sc, wire + i, 1);
}

static void
a_wrong_secret_shows_nothing_and_says_why(void **state)
{
	(void)state;
	struct hsdecrypt *h = hsdecrypt_new();
	struct hsdecrypt_message m[4];
	unsigned char wire[64], body[40], secret[32];

	memset(body, 0x5a, sizeof body);
	memset(secret, 1, sizeof secret);
	size_t n = record(wire, 23, body, sizeof body);
	feed(h, true, wire, n);
	hsdecrypt_secret(h, 0x1301, HSDECRYPT_SERVER_HANDSHAKE, secret, sizeof secret);
	assert_int_equal(hsdecrypt_messages(h, m, 4), 0);
	assert_non_null(strstr(hsdecrypt_problem(h), "did not decrypt"));
	hsdecrypt_free(h);
}

static void
unknown_suite_is_said_and_records_are_not_kept(void **state)
{
	(void)state;
	struct hsdecrypt *h = hsdecrypt_new();
	unsigned char secret[32] = {0};

	hsdecrypt_secret(h, 0x1304, HSDECRYPT_SERVER_HANDSHAKE, secret, sizeof secret);
	assert_non_null(strstr(hsdecrypt_problem(h), "cipher suite"));
	hsdecrypt_free(h);
}

static void
records_waiting_for_a_key_are_bounded(void **state)
{
	(void)state;
	struct hsdecrypt *h = hsdecrypt_new();
	unsigned char wire[64], body[16] = {0};
	size_t n = record(wire, 23, body, sizeof body);

	for (int i = 0; i < 100; i++)
		feed(h, false, wire, n);
	assert_non_null(strstr(hsdecrypt_problem(h), "too many"));
	hsdecrypt_free(h);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(
	        aes128_gcm_handshake_shows_the_four_server_messages_and_the_client_finished),
	    cmocka_unit_test(aes256_gcm_sha384_finished_messages_are_48_bytes),
	    cmocka_unit_test(chacha20_poly1305_handshake_is_decrypted_too),
	    cmocka_unit_test(certificate_message_holds_the_servers_chain),
	    cmocka_unit_test(new_session_ticket_after_the_handshake_is_shown_as_such),
	    cmocka_unit_test(the_observer_gets_each_message_during_the_handshake_in_order),
	    cmocka_unit_test(tls12_summary_reads_group_and_signature_from_the_key_exchange),
	    cmocka_unit_test(tls12_session_has_no_encrypted_messages),
	    cmocka_unit_test(system_library_shows_no_encrypted_messages),
	    cmocka_unit_test(a_wrong_secret_shows_nothing_and_says_why),
	    cmocka_unit_test(unknown_suite_is_said_and_records_are_not_kept),
	    cmocka_unit_test(records_waiting_for_a_key_are_bounded),
	};
	return cmocka_run_group_tests(tests, tlspair_setup, tlspair_teardown);
}
