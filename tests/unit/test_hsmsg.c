/*
 * hsmsg: handshake messages cut from their bytes however they arrive, and
 * the fields read from their bodies: ServerHello (TLS 1.3 and 1.2, a
 * HelloRetryRequest), ServerKeyExchange (ECDHE and DHE), CertificateVerify,
 * NewSessionTicket. Short and malformed bodies read as false.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hsmsg.h"
#include "record.h"

#define SEEN_MAX 8

struct seen {
	unsigned char type[SEEN_MAX];
	size_t length[SEEN_MAX], kept[SEEN_MAX];
	unsigned char first[SEEN_MAX];
	size_t n;
};

static void
on_message(void *arg, unsigned char type, size_t length, const unsigned char *body,
           size_t kept)
{
	struct seen *s = arg;

	assert_true(s->n < SEEN_MAX);
	s->type[s->n] = type;
	s->length[s->n] = length;
	s->kept[s->n] = kept;
	s->first[s->n] = kept > 0 ? body[0] : 0;
	s->n++;
}

/* Appends a message (header and body) to a stream being built. */
static size_t
put_message(unsigned char *out, unsigned char type, const unsigned char *body, size_t len)
{
	out[0] = type;
	out[1] = (unsigned char)(len >> 16);
	out[2] = (unsigned char)(len >> 8);
	out[3] = (unsigned char)len;
	if (len > 0)
		memcpy(out + 4, body, len);
	return 4 + len;
}

static void
test_messages_are_handed_out_whole_however_the_bytes_are_cut(void **state)
{
	unsigned char wire[4096], a[100], b[3000];
	size_t n = 0;

	(void)state;
	memset(a, 0xa1, sizeof a);
	memset(b, 0xb2, sizeof b);
	n += put_message(wire + n, 8, a, sizeof a);
	n += put_message(wire + n, 20, NULL, 0);
	n += put_message(wire + n, 11, b, sizeof b);
	for (size_t step = 1; step <= n; step += step < 16 ? 1 : 97) {
		struct hsmsg_walker w;
		struct seen s = {.n = 0};
		hsmsg_walker_init(&w, 16, on_message, &s);
		for (size_t at = 0; at < n; at += step)
			hsmsg_walk(&w, wire + at, n - at < step ? n - at : step);
		assert_int_equal(s.n, 3);
		assert_int_equal(s.type[0], 8);
		assert_int_equal(s.length[0], 100);
		assert_int_equal(s.kept[0], 16);
		assert_int_equal(s.first[0], 0xa1);
		assert_int_equal(s.type[1], 20);
		assert_int_equal(s.length[1], 0);
		assert_int_equal(s.kept[1], 0);
		assert_int_equal(s.length[2], 3000);
		assert_int_equal(s.kept[2], 16);
		assert_false(hsmsg_walker_inside(&w));
	}
}

static void
test_the_bytes_kept_are_capped_whatever_is_asked(void **state)
{
	unsigned char wire[5000], body[4000];
	struct hsmsg_walker w;
	struct seen s = {.n = 0};

	(void)state;
	memset(body, 7, sizeof body);
	size_t n = put_message(wire, 12, body, sizeof body);
	hsmsg_walker_init(&w, 1u << 20, on_message, &s);
	hsmsg_walk(&w, wire, n - 1);
	assert_int_equal(s.n, 0);
	assert_true(hsmsg_walker_inside(&w));
	hsmsg_walk(&w, wire + n - 1, 1);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.kept[0], HSMSG_KEEP_MAX);
}

/* A ServerHello body: version, random, session id, suite, extensions. */
static size_t
server_hello(unsigned char *b, bool retry, const unsigned char *ext, size_t ext_len)
{
	static const unsigned char hrr[32] = {
	    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c,
	    0x02, 0x1e, 0x65, 0xb8, 0x91, 0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb,
	    0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c};
	size_t n = 0;

	b[n++] = 3;
	b[n++] = 3;
	if (retry)
		memcpy(b + n, hrr, 32);
	else
		memset(b + n, 0x42, 32);
	n += 32;
	b[n++] = 32; /* session id */
	memset(b + n, 0x11, 32);
	n += 32;
	b[n++] = 0x13;
	b[n++] = 0x01;
	b[n++] = 0;
	if (ext == NULL)
		return n;
	b[n++] = (unsigned char)(ext_len >> 8);
	b[n++] = (unsigned char)ext_len;
	memcpy(b + n, ext, ext_len);
	return n + ext_len;
}

static void
test_a_tls13_server_hello_names_version_suite_and_key_share(void **state)
{
	unsigned char ext[64] = {0, 43, 0, 2, 3, 4, 0, 51, 0, 36, 0, 29, 0, 32};
	unsigned char b[256];
	struct hsmsg_hello h;

	(void)state;
	memset(ext + 14, 0x99, 32);
	size_t n = server_hello(b, false, ext, 46);
	assert_true(hsmsg_server_hello(b, n, &h));
	assert_int_equal(h.version, 0x0304);
	assert_int_equal(h.suite, 0x1301);
	assert_false(h.hello_retry);
	assert_int_equal(h.group, 29);
	assert_string_equal(record_group_name(h.group), "X25519");
	assert_int_equal(h.key_share_len, 32);
}

static void
test_a_hello_retry_request_names_the_group_it_asks_for(void **state)
{
	unsigned char ext[] = {0, 43, 0, 2, 3, 4, 0, 51, 0, 2, 0, 23};
	unsigned char b[256];
	struct hsmsg_hello h;

	(void)state;
	size_t n = server_hello(b, true, ext, sizeof ext);
	assert_true(hsmsg_server_hello(b, n, &h));
	assert_true(h.hello_retry);
	assert_int_equal(h.group, 23);
	assert_int_equal(h.key_share_len, 0);
}

static void
test_a_tls12_server_hello_without_extensions_reads(void **state)
{
	unsigned char b[256];
	struct hsmsg_hello h;

	(void)state;
	size_t n = server_hello(b, false, NULL, 0);
	assert_true(hsmsg_server_hello(b, n, &h));
	assert_int_equal(h.version, 0x0303);
	assert_int_equal(h.group, 0);
}

static void
test_a_server_hello_cut_short_or_overlong_reads_false(void **state)
{
	unsigned char ext[] = {0, 43, 0, 2, 3, 4};
	unsigned char b[256];
	struct hsmsg_hello h;

	(void)state;
	size_t n = server_hello(b, false, ext, sizeof ext);
	for (size_t cut = 0; cut < n; cut++)
		if (cut != n - sizeof ext - 2) /* that cut is a hello without extensions */
			assert_false(hsmsg_server_hello(b, cut, &h));
	b[n - sizeof ext - 1] = 60; /* the extensions claim more than there is */
	assert_false(hsmsg_server_hello(b, n, &h));
}

static void
test_an_ecdhe_key_exchange_names_curve_share_and_signature(void **state)
{
	unsigned char b[128] = {3, 0, 23, 65};
	struct hsmsg_kx kx;

	(void)state;
	memset(b + 4, 4, 65);
	b[69] = 0x04;
	b[70] = 0x03;
	assert_true(hsmsg_key_exchange(b, 71, true, true, &kx));
	assert_int_equal(kx.group, 23);
	assert_int_equal(kx.key_share_len, 65);
	assert_string_equal(record_signature_scheme_name(kx.signature, false),
	                    "ecdsa_sha256");
	assert_string_equal(record_signature_scheme_name(kx.signature, true),
	                    "ecdsa_secp256r1_sha256");
	assert_false(hsmsg_key_exchange(b, 70, true, true, &kx));
	assert_true(hsmsg_key_exchange(b, 69, true, false, &kx));
	assert_int_equal(kx.signature, 0);
}

static void
test_a_dhe_key_exchange_gives_the_size_of_the_prime(void **state)
{
	unsigned char b[1024];
	size_t n = 0;
	struct hsmsg_kx kx;

	(void)state;
	b[n++] = 1; /* p: 256 bytes, top bit set: 2048 bits */
	b[n++] = 0;
	memset(b + n, 0xff, 256);
	n += 256;
	b[n++] = 0;
	b[n++] = 1;
	b[n++] = 2; /* g */
	b[n++] = 1;
	b[n++] = 0;
	memset(b + n, 0x33, 256);
	n += 256;
	b[n++] = 0x08;
	b[n++] = 0x04;
	assert_true(hsmsg_key_exchange(b, n, false, true, &kx));
	assert_int_equal(kx.dh_bits, 2048);
	assert_int_equal(kx.key_share_len, 256);
	assert_string_equal(record_signature_scheme_name(kx.signature, false),
	                    "rsa_pss_rsae_sha256");
}

static void
test_certificate_verify_and_ticket_fields_need_their_bytes(void **state)
{
	unsigned char cv[] = {0x08, 0x07};
	unsigned char nst[] = {0, 0, 0x1c, 0x20};
	unsigned scheme = 0;
	unsigned long life = 0;

	(void)state;
	assert_true(hsmsg_verify_scheme(cv, 2, &scheme));
	assert_string_equal(record_signature_scheme_name(scheme, true), "ed25519");
	assert_false(hsmsg_verify_scheme(cv, 1, &scheme));
	assert_true(hsmsg_ticket_lifetime(nst, 4, &life));
	assert_int_equal(life, 7200);
	assert_false(hsmsg_ticket_lifetime(nst, 3, &life));
	assert_null(record_signature_scheme_name(0x9999, true));
	assert_null(record_group_name(0x9999));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_messages_are_handed_out_whole_however_the_bytes_are_cut),
	    cmocka_unit_test(test_the_bytes_kept_are_capped_whatever_is_asked),
	    cmocka_unit_test(test_a_tls13_server_hello_names_version_suite_and_key_share),
	    cmocka_unit_test(test_a_hello_retry_request_names_the_group_it_asks_for),
	    cmocka_unit_test(test_a_tls12_server_hello_without_extensions_reads),
	    cmocka_unit_test(test_a_server_hello_cut_short_or_overlong_reads_false),
	    cmocka_unit_test(test_an_ecdhe_key_exchange_names_curve_share_and_signature),
	    cmocka_unit_test(test_a_dhe_key_exchange_gives_the_size_of_the_prime),
	    cmocka_unit_test(test_certificate_verify_and_ticket_fields_need_their_bytes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
