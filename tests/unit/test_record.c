/*
 * record: the scanner that follows the TLS record layer of one direction,
 * and the name tables. Streams are fed whole, in two pieces cut at every
 * byte boundary, and byte by byte: the records reported must not depend on
 * how the bytes arrived.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "record.h"

#define SEEN_MAX 16

/* What a scanner reported, in order. */
struct seen {
	struct record rec[SEEN_MAX];
	size_t n;
};

static void
on_record(void *arg, const struct record *rec)
{
	struct seen *s = arg;

	assert_true(s->n < SEEN_MAX);
	s->rec[s->n++] = *rec;
}

/* Appends one record (header and body) to a stream being built. */
static size_t
put_record(unsigned char *out, unsigned char type, unsigned version,
           const unsigned char *body, size_t len)
{
	out[0] = type;
	out[1] = (unsigned char)(version >> 8);
	out[2] = (unsigned char)version;
	out[3] = (unsigned char)(len >> 8);
	out[4] = (unsigned char)len;
	if (len > 0)
		memcpy(out + RECORD_HEADER_LEN, body, len);
	return RECORD_HEADER_LEN + len;
}

/* A TLS 1.2 handshake as the wire shows it: ClientHello, ServerHello,
 * change_cipher_spec, an encrypted Finished, application data, an alert. */
static size_t
tls12_stream(unsigned char *out)
{
	unsigned char hello[40], server[60], ccs[1] = {1}, fin[40], data[30],
	                                     alert[2] = {2, 40};
	size_t n = 0;

	memset(hello, 0xaa, sizeof(hello));
	hello[0] = 1;
	memset(server, 0xbb, sizeof(server));
	server[0] = 2;
	memset(fin, 0xcc, sizeof(fin));
	memset(data, 0xdd, sizeof(data));
	n += put_record(out + n, RECORD_HANDSHAKE, 0x0301, hello, sizeof(hello));
	n += put_record(out + n, RECORD_HANDSHAKE, 0x0303, server, sizeof(server));
	n += put_record(out + n, RECORD_CHANGE_CIPHER_SPEC, 0x0303, ccs, sizeof(ccs));
	n += put_record(out + n, RECORD_HANDSHAKE, 0x0303, fin, sizeof(fin));
	n += put_record(out + n, RECORD_APPLICATION_DATA, 0x0303, data, sizeof(data));
	n += put_record(out + n, RECORD_ALERT, 0x0303, alert, sizeof(alert));
	return n;
}

/* Starts a scanner and feeds p in pieces of at most step bytes (0: whole). */
static void
scan(struct record_scanner *sc, struct seen *seen, const unsigned char *p, size_t n,
     size_t step)
{
	memset(seen, 0, sizeof(*seen));
	record_scan_init(sc, on_record, seen);
	for (size_t at = 0; at < n;) {
		size_t k = step == 0 || n - at < step ? n - at : step;
		record_scan_feed(sc, p + at, k);
		at += k;
	}
}

static void
assert_same_records(const struct seen *a, const struct seen *b)
{
	assert_int_equal(a->n, b->n);
	for (size_t i = 0; i < a->n; i++) {
		assert_int_equal(a->rec[i].type, b->rec[i].type);
		assert_int_equal(a->rec[i].version, b->rec[i].version);
		assert_int_equal(a->rec[i].length, b->rec[i].length);
		assert_int_equal(a->rec[i].head_len, b->rec[i].head_len);
		assert_memory_equal(a->rec[i].head, b->rec[i].head, a->rec[i].head_len);
		assert_int_equal(a->rec[i].readable, b->rec[i].readable);
		assert_int_equal(a->rec[i].hs_type, b->rec[i].hs_type);
	}
}

static void
test_a_tls12_stream_is_reported_record_by_record(void **state)
{
	unsigned char wire[512];
	size_t n = tls12_stream(wire);
	struct record_scanner sc;
	struct seen s;

	(void)state;
	scan(&sc, &s, wire, n, 0);
	assert_int_equal(s.n, 6);
	assert_int_equal(s.rec[0].type, RECORD_HANDSHAKE);
	assert_int_equal(s.rec[0].version, 0x0301);
	assert_int_equal(s.rec[0].length, 40);
	assert_int_equal(s.rec[0].head_len, RECORD_HEAD_MAX);
	assert_int_equal(s.rec[0].hs_type, 1);
	assert_int_equal(s.rec[1].hs_type, 2);
	assert_int_equal(s.rec[2].type, RECORD_CHANGE_CIPHER_SPEC);
	assert_int_equal(s.rec[2].head_len, 1);
	assert_int_equal(s.rec[5].type, RECORD_ALERT);
	assert_int_equal(s.rec[5].head[1], 40);
	assert_int_equal(sc.records, 6);
	assert_int_equal(sc.bytes, n);
	assert_int_equal(sc.by_type[RECORD_HANDSHAKE - RECORD_TYPE_FIRST], 3);
	assert_int_equal(sc.by_type[RECORD_HEARTBEAT - RECORD_TYPE_FIRST], 0);
	assert_false(sc.broken);
}

static void
test_records_split_at_every_byte_boundary_are_reported_the_same(void **state)
{
	unsigned char wire[512];
	size_t n = tls12_stream(wire);
	struct record_scanner whole, split;
	struct seen want, got;

	(void)state;
	scan(&whole, &want, wire, n, 0);
	for (size_t cut = 1; cut < n; cut++) {
		memset(&got, 0, sizeof(got));
		record_scan_init(&split, on_record, &got);
		record_scan_feed(&split, wire, cut);
		record_scan_feed(&split, wire + cut, n - cut);
		assert_same_records(&want, &got);
		assert_int_equal(split.records, whole.records);
		assert_int_equal(split.bytes, whole.bytes);
	}
}

static void
test_records_fed_byte_by_byte_are_reported_the_same(void **state)
{
	unsigned char wire[512];
	size_t n = tls12_stream(wire);
	struct record_scanner sc;
	struct seen want, got;

	(void)state;
	scan(&sc, &want, wire, n, 0);
	for (size_t step = 1; step <= 7; step++) {
		scan(&sc, &got, wire, n, step);
		assert_same_records(&want, &got);
	}
}

static void
test_a_record_is_reported_once_its_head_is_complete(void **state)
{
	unsigned char body[40], wire[64];
	size_t n;
	struct record_scanner sc;
	struct seen s = {0};

	(void)state;
	memset(body, 7, sizeof(body));
	n = put_record(wire, RECORD_APPLICATION_DATA, 0x0303, body, sizeof(body));
	record_scan_init(&sc, on_record, &s);
	record_scan_feed(&sc, wire, RECORD_HEADER_LEN + RECORD_HEAD_MAX - 1);
	assert_int_equal(s.n, 0);
	record_scan_feed(&sc, wire + RECORD_HEADER_LEN + RECORD_HEAD_MAX - 1, 1);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.rec[0].head_len, RECORD_HEAD_MAX);
	record_scan_feed(&sc, wire + RECORD_HEADER_LEN + RECORD_HEAD_MAX,
	                 n - RECORD_HEADER_LEN - RECORD_HEAD_MAX);
	assert_int_equal(s.n, 1);
}

static void
test_an_empty_record_is_reported_at_its_header(void **state)
{
	unsigned char wire[8];
	size_t n = put_record(wire, RECORD_APPLICATION_DATA, 0x0303, NULL, 0);
	struct record_scanner sc;
	struct seen s;

	(void)state;
	scan(&sc, &s, wire, n, 0);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.rec[0].length, 0);
	assert_int_equal(s.rec[0].head_len, 0);
}

static void
test_handshake_records_after_change_cipher_spec_are_encrypted_in_tls12(void **state)
{
	unsigned char wire[512];
	size_t n = tls12_stream(wire);
	struct record_scanner sc;
	struct seen s;

	(void)state;
	scan(&sc, &s, wire, n, 0);
	assert_true(s.rec[1].readable);
	assert_false(s.rec[3].readable);
	assert_int_equal(s.rec[3].hs_type, 0);
	assert_false(s.rec[5].readable);
	assert_true(sc.ccs_seen);
}

static void
test_handshake_records_after_change_cipher_spec_stay_plain_in_tls13(void **state)
{
	unsigned char ccs[1] = {1}, hello[8] = {1, 0, 0, 4, 3, 3, 0, 0}, wire[64];
	size_t n = 0;
	struct record_scanner sc;
	struct seen s = {0};

	(void)state;
	n += put_record(wire + n, RECORD_CHANGE_CIPHER_SPEC, 0x0303, ccs, sizeof(ccs));
	n += put_record(wire + n, RECORD_HANDSHAKE, 0x0303, hello, sizeof(hello));
	record_scan_init(&sc, on_record, &s);
	sc.plain_after_ccs = true;
	record_scan_feed(&sc, wire, n);
	assert_int_equal(s.n, 2);
	assert_true(s.rec[1].readable);
	assert_int_equal(s.rec[1].hs_type, 1);
}

static void
test_bytes_that_are_not_tls_break_the_stream_and_are_kept(void **state)
{
	static const char smtp[] = "220 mail.test ESMTP\r\n";
	struct record_scanner sc;
	struct seen s;

	(void)state;
	scan(&sc, &s, (const unsigned char *)smtp, strlen(smtp), 3);
	assert_true(sc.broken);
	assert_int_equal(s.n, 0);
	assert_int_equal(sc.records, 0);
	assert_int_equal(sc.bad_len, strlen(smtp));
	assert_memory_equal(sc.bad, smtp, strlen(smtp));
	assert_int_equal(sc.bytes, strlen(smtp));
}

static void
test_a_version_other_than_3_breaks_the_stream(void **state)
{
	unsigned char body[2] = {0, 0}, wire[16];
	size_t n = put_record(wire, RECORD_HANDSHAKE, 0x0203, body, sizeof(body));
	struct record_scanner sc;
	struct seen s;

	(void)state;
	scan(&sc, &s, wire, n, 0);
	assert_true(sc.broken);
	assert_int_equal(s.n, 0);
}

static void
test_an_oversized_length_breaks_the_stream_the_largest_legal_does_not(void **state)
{
	static unsigned char body[RECORD_BODY_MAX],
	    wire[RECORD_HEADER_LEN + RECORD_BODY_MAX];
	static const unsigned char over[RECORD_HEADER_LEN] = {RECORD_APPLICATION_DATA, 3, 3,
	                                                      (RECORD_BODY_MAX + 1) >> 8,
	                                                      (RECORD_BODY_MAX + 1) & 0xff};
	struct record_scanner sc;
	struct seen s;

	(void)state;
	memset(body, 0x5a, sizeof(body));
	size_t n = put_record(wire, RECORD_APPLICATION_DATA, 0x0303, body, sizeof(body));
	scan(&sc, &s, wire, n, 1000);
	assert_false(sc.broken);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.rec[0].length, RECORD_BODY_MAX);

	scan(&sc, &s, over, sizeof(over), 0);
	assert_true(sc.broken);
	assert_int_equal(s.n, 0);
	assert_memory_equal(sc.bad, over, sizeof(over));
}

static void
test_the_preview_of_bytes_that_are_not_tls_is_capped(void **state)
{
	unsigned char junk[3 * RECORD_BAD_MAX];
	struct record_scanner sc;
	struct seen s;

	(void)state;
	memset(junk, 'x', sizeof(junk));
	scan(&sc, &s, junk, sizeof(junk), 7);
	assert_int_equal(sc.bad_len, RECORD_BAD_MAX);
	assert_int_equal(sc.bytes, sizeof(junk));
}

static void
test_a_truncated_header_reports_nothing(void **state)
{
	unsigned char wire[16];
	size_t n = put_record(wire, RECORD_HANDSHAKE, 0x0303, NULL, 0);
	struct record_scanner sc;
	struct seen s;

	(void)state;
	scan(&sc, &s, wire, n - 1, 1);
	record_scan_finish(&sc);
	assert_int_equal(s.n, 0);
	assert_int_equal(sc.records, 0);
	assert_false(sc.broken);
}

static void
test_finish_reports_a_record_cut_short_once(void **state)
{
	unsigned char body[40], wire[64];
	struct record_scanner sc;
	struct seen s;

	(void)state;
	memset(body, 0, sizeof(body));
	body[0] = 11;
	put_record(wire, RECORD_HANDSHAKE, 0x0303, body, sizeof(body));
	scan(&sc, &s, wire, RECORD_HEADER_LEN + 3, 0);
	assert_int_equal(s.n, 0);
	record_scan_finish(&sc);
	record_scan_finish(&sc);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.rec[0].length, 40);
	assert_int_equal(s.rec[0].head_len, 3);
	assert_int_equal(s.rec[0].hs_type, 11);
}

/* What a body callback was handed: each record's body joined, and how the
 * calls went. */
struct bodies {
	struct seen *seen;        /* on_record's list, to check the order */
	unsigned char body[4][128];
	size_t len[4], ends, n;
	size_t reported_at_end[4]; /* on_record's count when each end came */
};

static void
on_record_counted(void *arg, const struct record *rec)
{
	struct bodies *b = arg;
	on_record(b->seen, rec);
}

static void
on_body(void *arg, const struct record *rec, const unsigned char *p, size_t n, bool end)
{
	struct bodies *b = arg;

	assert_true(b->n < 4);
	assert_true(b->len[b->n] + n <= rec->length);
	memcpy(b->body[b->n] + b->len[b->n], p, n);
	b->len[b->n] += n;
	if (end) {
		assert_int_equal(b->len[b->n], rec->length);
		b->reported_at_end[b->n] = b->seen->n;
		b->ends++;
		b->n++;
	}
}

/* Four records: handshake, an empty one, application data, an alert. */
static size_t
body_stream(unsigned char *out, unsigned char bodies[4][128], size_t lens[4])
{
	static const size_t sizes[4] = {40, 0, 100, 2};
	static const unsigned char types[4] = {RECORD_HANDSHAKE, RECORD_APPLICATION_DATA,
	                                       RECORD_APPLICATION_DATA, RECORD_ALERT};
	size_t n = 0;

	for (int i = 0; i < 4; i++) {
		for (size_t k = 0; k < sizes[i]; k++)
			bodies[i][k] = (unsigned char)(i * 50 + k);
		lens[i] = sizes[i];
		n += put_record(out + n, types[i], 0x0303, bodies[i], sizes[i]);
	}
	return n;
}

static void
test_bodies_are_handed_out_whole_however_the_bytes_are_cut(void **state)
{
	unsigned char wire[512], want[4][128];
	size_t lens[4];
	size_t n = body_stream(wire, want, lens);

	(void)state;
	for (size_t step = 0; step <= n; step++) {
		struct seen seen = {.n = 0};
		struct bodies b = {.seen = &seen};
		struct record_scanner sc;
		record_scan_init(&sc, on_record_counted, &b);
		sc.on_body = on_body;
		for (size_t at = 0; at < n;) {
			size_t k = step == 0 || n - at < step ? n - at : step;
			record_scan_feed(&sc, wire + at, k);
			at += k;
		}
		assert_int_equal(b.ends, 4);
		for (int i = 0; i < 4; i++) {
			assert_int_equal(b.len[i], lens[i]);
			assert_memory_equal(b.body[i], want[i], lens[i]);
			/* the record was reported before its body ended */
			assert_int_equal(b.reported_at_end[i], (size_t)i + 1);
		}
	}
}

static void
test_a_body_cut_off_by_the_end_of_the_stream_never_ends(void **state)
{
	unsigned char wire[512], want[4][128];
	size_t lens[4];
	size_t n = body_stream(wire, want, lens);
	struct seen seen = {.n = 0};
	struct bodies b = {.seen = &seen};
	struct record_scanner sc;

	(void)state;
	(void)n;
	record_scan_init(&sc, on_record_counted, &b);
	sc.on_body = on_body;
	record_scan_feed(&sc, wire, RECORD_HEADER_LEN + 10);
	record_scan_finish(&sc);
	assert_int_equal(b.ends, 0);
	assert_int_equal(b.len[0], 10);
	assert_int_equal(seen.n, 1);
}

static void
test_record_types_have_names(void **state)
{
	(void)state;
	assert_string_equal(record_type_name(20), "change_cipher_spec");
	assert_string_equal(record_type_name(21), "alert");
	assert_string_equal(record_type_name(22), "handshake");
	assert_string_equal(record_type_name(23), "application_data");
	assert_string_equal(record_type_name(24), "heartbeat");
	assert_string_equal(record_type_name(99), "unknown");
}

static void
test_handshake_types_have_names_unknown_ones_none(void **state)
{
	(void)state;
	assert_string_equal(record_handshake_name(1), "ClientHello");
	assert_string_equal(record_handshake_name(2), "ServerHello");
	assert_string_equal(record_handshake_name(8), "EncryptedExtensions");
	assert_string_equal(record_handshake_name(11), "Certificate");
	assert_string_equal(record_handshake_name(20), "Finished");
	assert_null(record_handshake_name(99));
}

static void
test_alerts_have_names_unknown_ones_none(void **state)
{
	(void)state;
	assert_string_equal(record_alert_name(0), "close_notify");
	assert_string_equal(record_alert_name(40), "handshake_failure");
	assert_string_equal(record_alert_name(48), "unknown_ca");
	assert_string_equal(record_alert_name(112), "unrecognized_name");
	assert_string_equal(record_alert_name(116), "certificate_required");
	assert_null(record_alert_name(1));
	assert_null(record_alert_name(255));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_a_tls12_stream_is_reported_record_by_record),
	    cmocka_unit_test(
	        test_records_split_at_every_byte_boundary_are_reported_the_same),
	    cmocka_unit_test(test_records_fed_byte_by_byte_are_reported_the_same),
	    cmocka_unit_test(test_a_record_is_reported_once_its_head_is_complete),
	    cmocka_unit_test(test_an_empty_record_is_reported_at_its_header),
	    cmocka_unit_test(
	        test_handshake_records_after_change_cipher_spec_are_encrypted_in_tls12),
	    cmocka_unit_test(
	        test_handshake_records_after_change_cipher_spec_stay_plain_in_tls13),
	    cmocka_unit_test(test_bytes_that_are_not_tls_break_the_stream_and_are_kept),
	    cmocka_unit_test(test_a_version_other_than_3_breaks_the_stream),
	    cmocka_unit_test(
	        test_an_oversized_length_breaks_the_stream_the_largest_legal_does_not),
	    cmocka_unit_test(test_the_preview_of_bytes_that_are_not_tls_is_capped),
	    cmocka_unit_test(test_a_truncated_header_reports_nothing),
	    cmocka_unit_test(test_finish_reports_a_record_cut_short_once),
	    cmocka_unit_test(test_bodies_are_handed_out_whole_however_the_bytes_are_cut),
	    cmocka_unit_test(test_a_body_cut_off_by_the_end_of_the_stream_never_ends),
	    cmocka_unit_test(test_record_types_have_names),
	    cmocka_unit_test(test_handshake_types_have_names_unknown_ones_none),
	    cmocka_unit_test(test_alerts_have_names_unknown_ones_none),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
