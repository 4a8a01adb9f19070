/*
 * The comparison of two sessions: what each side's events add up to, the
 * table, which side a typed line goes to, and the differences in words.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "compare.h"
#include "output.h"

static struct target
target_of(enum proto_id proto, enum tls_mode mode, unsigned port)
{
	struct target t = {.proto = proto, .mode = mode, .port = port, .host_is_ip = true};
	static const char *const schemes[3][2] = {
	    {"smtp", "smtps"}, {"imap", "imaps"}, {"pop3", "pop3s"}};

	snprintf(t.host, sizeof t.host, "127.0.0.1");
	snprintf(t.scheme, sizeof t.scheme, "%s", schemes[proto][mode]);
	return t;
}

static void
feed_line(struct compare_side *c, enum phase ph, enum dir d, const char *text, bool secret)
{
	struct event ev = {.phase = ph, .dir = d, .kind = EV_LINE, .secret = secret};

	ev.text = (unsigned char *)text;
	ev.len = strlen(text);
	compare_observe(c, NULL, &ev);
}

static void
feed_phase(struct compare_side *c, enum phase ph)
{
	struct event ev = {.phase = ph, .dir = DIR_LOCAL, .kind = EV_PHASE};
	compare_observe(c, NULL, &ev);
}

static void
feed_tls(struct compare_side *c, double t, const char *version, bool verified)
{
	struct tls_summary sum = {.handshake_ms = 3};
	struct cert_verdict v = {.verified = verified, .name_match = true};
	struct event ev = {.t = t, .phase = PHASE_TLS, .dir = DIR_LOCAL, .kind = EV_TLS};

	snprintf(sum.version, sizeof sum.version, "%s", version);
	snprintf(sum.cipher, sizeof sum.cipher, "TLS_AES_128_GCM_SHA256");
	snprintf(sum.group, sizeof sum.group, "X25519");
	if (!verified)
		snprintf(v.verify_error, sizeof v.verify_error, "unable to get local issuer");
	feed_phase(c, PHASE_HANDSHAKE);
	ev.tls = &sum;
	compare_observe(c, NULL, &ev);
	ev.tls = NULL;
	ev.verdict = &v;
	compare_observe(c, NULL, &ev);
}

static void
feed_cert(struct compare_side *c, const char *sha)
{
	struct cert_info ci;
	struct event ev = {.phase = PHASE_TLS, .dir = DIR_SERVER, .kind = EV_CERT, .cert = &ci};

	memset(&ci, 0, sizeof ci);
	snprintf(ci.sha256, sizeof ci.sha256, "%s", sha);
	compare_observe(c, NULL, &ev);
}

static void
feed_finding(struct compare_side *c, enum finding_id id)
{
	struct event ev = {.phase = PHASE_PLAIN, .dir = DIR_LOCAL, .kind = EV_FINDING,
	                   .finding = id};
	compare_observe(c, NULL, &ev);
}

/* The honest explicit SMTP side: greeting, EHLO, STARTTLS, then TLS. */
static void
explicit_honest(struct compare_side *c)
{
	struct target t = target_of(PROTO_SMTP, TLS_MODE_EXPLICIT, 587);

	compare_side_init(c, "a", &t);
	feed_line(c, PHASE_PLAIN, DIR_SERVER, "220 mail.test ESMTP", false);
	feed_line(c, PHASE_PLAIN, DIR_CLIENT, "EHLO startle.invalid", false);
	feed_line(c, PHASE_PLAIN, DIR_SERVER, "250 STARTTLS", false);
	feed_line(c, PHASE_PLAIN, DIR_CLIENT, "STARTTLS", false);
	feed_line(c, PHASE_PLAIN, DIR_SERVER, "220 go ahead", false);
	feed_tls(c, 0.020, "TLSv1.3", true);
	feed_cert(c, "aaaa");
	feed_cert(c, "cccc");
	feed_line(c, PHASE_TLS, DIR_CLIENT, "EHLO startle.invalid", false);
}

static void
implicit_honest(struct compare_side *c, const char *leaf)
{
	struct target t = target_of(PROTO_SMTP, TLS_MODE_IMPLICIT, 465);

	compare_side_init(c, "b", &t);
	feed_tls(c, 0.008, "TLSv1.3", true);
	feed_cert(c, leaf);
	feed_cert(c, "cccc");
	feed_line(c, PHASE_TLS, DIR_SERVER, "220 mail.test ESMTP", false);
}

static bool
any_contains(char **d, size_t n, const char *needle)
{
	for (size_t i = 0; i < n; i++)
		if (strstr(d[i], needle) != NULL)
			return true;
	return false;
}

static void
plaintext_is_counted_until_tls_and_classified(void **state)
{
	struct compare_side c;
	char words[160];

	(void)state;
	explicit_honest(&c);
	assert_int_equal(c.plaintext_lines, 5);
	/* 19 + 20 + 12 + 8 + 12 bytes of text, each line with its CRLF */
	assert_int_equal(compare_plain_bytes(&c), 71 + 10);
	compare_set_plain_bytes(&c, 90);
	assert_int_equal(compare_plain_bytes(&c), 90);
	assert_int_equal(c.typed_lines, 0);
	assert_true(c.reveals & REVEAL_GREETING);
	compare_reveals_words(c.reveals, words, sizeof words);
	assert_string_equal(words, "greeting, capabilities, STARTTLS exchange");
	assert_true(c.tls);
	assert_string_equal(c.tls_version, "TLSv1.3");
	assert_float_equal(c.time_to_tls_ms, 20.0, 1e-9);
	assert_true(c.have_verdict && c.verified && c.name_match);
	assert_int_equal(c.nchain, 2);
	assert_string_equal(c.chain[0], "aaaa");
}

static void
imap_tags_typed_lines_credentials_and_quit(void **state)
{
	struct compare_side c;
	struct target t = target_of(PROTO_IMAP, TLS_MODE_EXPLICIT, 143);
	char words[160];

	(void)state;
	compare_side_init(&c, "a", &t);
	feed_line(&c, PHASE_PLAIN, DIR_SERVER, "* OK ready", false);
	feed_line(&c, PHASE_PLAIN, DIR_CLIENT, "a1 capability", false);
	feed_line(&c, PHASE_PLAIN, DIR_CLIENT, "a2 NOOP", false);
	feed_line(&c, PHASE_PLAIN, DIR_CLIENT, "a3 LOGIN demo demo", true);
	feed_line(&c, PHASE_PLAIN, DIR_CLIENT, "a4 LOGOUT", false);
	assert_int_equal(c.typed_lines, 2); /* NOOP and LOGIN; not LOGOUT */
	compare_reveals_words(c.reveals, words, sizeof words);
	assert_string_equal(words, "greeting, capabilities, typed lines, credentials");
	compare_close(&c, 0);
	compare_reveals_words(c.reveals, words, sizeof words);
	assert_string_equal(words, "everything: never encrypted");
	assert_false(compare_handshake_failed(&c));
}

static void
a_server_line_after_the_client_spoke_is_not_the_greeting(void **state)
{
	struct compare_side c;
	struct target t = target_of(PROTO_POP3, TLS_MODE_EXPLICIT, 110);

	(void)state;
	compare_side_init(&c, "a", &t);
	feed_line(&c, PHASE_PLAIN, DIR_CLIENT, "CAPA", false);
	feed_line(&c, PHASE_PLAIN, DIR_SERVER, "+OK", false);
	assert_false(c.reveals & REVEAL_GREETING);
}

static void
findings_are_kept_once_in_order(void **state)
{
	struct compare_side c;
	struct target t = target_of(PROTO_SMTP, TLS_MODE_EXPLICIT, 25);

	(void)state;
	compare_side_init(&c, "a", &t);
	feed_finding(&c, FINDING_STARTTLS_NOT_OFFERED);
	feed_finding(&c, FINDING_STARTTLS_REFUSED);
	feed_finding(&c, FINDING_STARTTLS_NOT_OFFERED);
	assert_int_equal(c.nfindings, 2);
	assert_int_equal(c.findings[0], FINDING_STARTTLS_NOT_OFFERED);
	assert_int_equal(c.findings[1], FINDING_STARTTLS_REFUSED);
}

static void
a_handshake_that_never_completes_is_told(void **state)
{
	struct compare_side a, b;
	struct target t = target_of(PROTO_SMTP, TLS_MODE_IMPLICIT, 465);
	struct event err = {.phase = PHASE_HANDSHAKE, .dir = DIR_LOCAL, .kind = EV_ERROR};
	char *d[COMPARE_DIFF_MAX];

	(void)state;
	explicit_honest(&a);
	compare_side_init(&b, "b", &t);
	feed_phase(&b, PHASE_HANDSHAKE);
	err.text = (unsigned char *)"the server sent garbage";
	err.len = strlen("the server sent garbage");
	compare_observe(&b, NULL, &err);
	compare_close(&a, 0);
	compare_close(&b, 5);
	assert_true(compare_handshake_failed(&b));
	assert_false(b.reveals & REVEAL_EVERYTHING);
	size_t n = compare_differences(&a, &b, d, COMPARE_DIFF_MAX);
	assert_true(any_contains(d, n, "b (implicit) began a TLS handshake that never "
	                               "completed (the server sent garbage)"));
	assert_true(any_contains(d, n, "b failed in the TLS handshake (exit 5)"));
	compare_free_differences(d, n);
}

static void
chains_compare_certificate_by_certificate(void **state)
{
	struct compare_side a, b;

	(void)state;
	explicit_honest(&a);
	implicit_honest(&b, "aaaa");
	assert_true(compare_same_chain(&a, &b));
	implicit_honest(&b, "bbbb");
	assert_false(compare_same_chain(&a, &b));
	struct target t = target_of(PROTO_SMTP, TLS_MODE_IMPLICIT, 465);
	struct compare_side none1, none2;
	compare_side_init(&none1, "a", &t);
	compare_side_init(&none2, "b", &t);
	assert_false(compare_same_chain(&none1, &none2));
}

static void
the_honest_pair_differs_in_plaintext_exposure_only(void **state)
{
	struct compare_side a, b;
	char *d[COMPARE_DIFF_MAX];

	(void)state;
	explicit_honest(&a);
	implicit_honest(&b, "aaaa");
	compare_close(&a, 0);
	compare_close(&b, 0);
	size_t n = compare_differences(&a, &b, d, COMPARE_DIFF_MAX);
	assert_true(any_contains(d, n, "On a (explicit) 81 bytes in 5 lines crossed in "
	                               "plaintext before TLS (greeting, capabilities, "
	                               "STARTTLS exchange)"));
	assert_true(any_contains(d, n, "nothing to read, strip or inject"));
	assert_true(any_contains(d, n, "TLS began 20.0 ms after connecting on a (explicit) "
	                               "and 8.0 ms on b (implicit): the plaintext round "
	                               "trips"));
	assert_false(any_contains(d, n, "different certificate chains"));
	assert_false(any_contains(d, n, "Only "));
	assert_false(any_contains(d, n, "exit"));
	compare_free_differences(d, n);
}

static void
stripping_and_verification_are_told_in_words(void **state)
{
	struct compare_side a, b;
	struct target t = target_of(PROTO_SMTP, TLS_MODE_EXPLICIT, 587);
	char *d[COMPARE_DIFF_MAX];

	(void)state;
	compare_side_init(&a, "a", &t);
	feed_line(&a, PHASE_PLAIN, DIR_SERVER, "220 mail.test ESMTP", false);
	feed_line(&a, PHASE_PLAIN, DIR_CLIENT, "EHLO x", false);
	feed_finding(&a, FINDING_STARTTLS_NOT_OFFERED);
	compare_close(&a, 1);
	struct target tb = target_of(PROTO_SMTP, TLS_MODE_IMPLICIT, 465);
	compare_side_init(&b, "b", &tb);
	feed_tls(&b, 0.01, "TLSv1.2", false);
	compare_close(&b, 0);
	size_t n = compare_differences(&a, &b, d, COMPARE_DIFF_MAX);
	assert_true(any_contains(d, n, "a (explicit) never reached TLS "
	                               "(starttls-not-offered)"));
	assert_true(any_contains(d, n, "exactly what an attacker who strips it produces"));
	assert_true(any_contains(d, n, "Only a reported: starttls-not-offered"));
	assert_true(any_contains(d, n, "a failed a policy (exit 1); b ended well (exit 0)"));
	compare_free_differences(d, n);

	/* Both in TLS, one unverified and on another version. */
	explicit_honest(&a);
	compare_close(&a, 0);
	n = compare_differences(&a, &b, d, COMPARE_DIFF_MAX);
	assert_true(any_contains(d, n, "The TLS differs: a negotiated TLSv1.3"));
	assert_true(any_contains(d, n, "The certificate of b did not verify (unable to get "
	                               "local issuer)"));
	compare_free_differences(d, n);
}

static void
identical_sides_have_no_difference(void **state)
{
	struct compare_side a, b;
	char *d[COMPARE_DIFF_MAX];

	(void)state;
	implicit_honest(&a, "aaaa");
	implicit_honest(&b, "aaaa");
	a.name = "a";
	compare_close(&a, 0);
	compare_close(&b, 0);
	size_t n = compare_differences(&a, &b, d, COMPARE_DIFF_MAX);
	assert_int_equal(n, 1);
	assert_string_equal(d[0], "No difference that matters to someone on the path.");
	compare_free_differences(d, n);
}

static void
starttls_lines_go_only_to_explicit_sides(void **state)
{
	struct compare_side ex, im, imap, pop3;
	struct target te = target_of(PROTO_SMTP, TLS_MODE_EXPLICIT, 587);
	struct target ti = target_of(PROTO_SMTP, TLS_MODE_IMPLICIT, 465);
	struct target tm = target_of(PROTO_IMAP, TLS_MODE_IMPLICIT, 993);
	struct target tp = target_of(PROTO_POP3, TLS_MODE_IMPLICIT, 995);

	(void)state;
	compare_side_init(&ex, "a", &te);
	compare_side_init(&im, "b", &ti);
	compare_side_init(&imap, "b", &tm);
	compare_side_init(&pop3, "b", &tp);
	assert_true(compare_line_goes_to(&ex, "STARTTLS"));
	assert_false(compare_line_goes_to(&im, "STARTTLS"));
	assert_false(compare_line_goes_to(&im, "starttls"));
	/* each protocol's own upgrade command: STLS is POP3's, not SMTP's */
	assert_false(compare_line_goes_to(&pop3, "STLS"));
	assert_true(compare_line_goes_to(&pop3, "STARTTLS"));
	assert_true(compare_line_goes_to(&im, "STLS"));
	assert_true(compare_line_goes_to(&im, "NOOP"));
	assert_true(compare_line_goes_to(&im, "STARTTLSX"));
	assert_false(compare_line_goes_to(&imap, "a1 STARTTLS"));
	assert_false(compare_line_goes_to(&imap, "starttls")); /* typed without a tag */
	assert_true(compare_line_goes_to(&imap, "a1 NOOP"));
}

static void
the_table_has_a_row_per_figure(void **state)
{
	struct compare_side a, b;
	struct compare_row rows[COMPARE_ROWS];

	(void)state;
	explicit_honest(&a);
	implicit_honest(&b, "aaaa");
	compare_close(&a, 0);
	size_t n = compare_rows(&a, &b, rows);
	assert_int_equal(n, COMPARE_ROWS);
	assert_string_equal(rows[0].label, "target");
	assert_string_equal(rows[0].a, "smtp://127.0.0.1:587");
	assert_string_equal(rows[0].b, "smtps://127.0.0.1:465");
	assert_string_equal(rows[2].a, "81 bytes, 5 lines");
	assert_string_equal(rows[2].b, "0 bytes, 0 lines");
	assert_string_equal(rows[3].b, "nothing");
	assert_string_equal(rows[4].a, "20.0 ms");
	assert_string_equal(rows[8].a, "verified, name matches");
	assert_string_equal(rows[9].a, "aaaa...");
	assert_string_equal(rows[10].a, "none");
	assert_string_equal(rows[11].a, "0 (ended well)");
	assert_string_equal(rows[11].b, "running");
}

static void
the_compare_event_is_one_json_line(void **state)
{
	struct compare_side a, b;
	char *d[COMPARE_DIFF_MAX], *buf = NULL;
	size_t len = 0;

	(void)state;
	explicit_honest(&a);
	implicit_honest(&b, "aaaa");
	compare_close(&a, 0);
	compare_close(&b, 0);
	size_t n = compare_differences(&a, &b, d, COMPARE_DIFF_MAX);
	FILE *f = open_memstream(&buf, &len);
	output_compare_json(f, &a, &b, d, n);
	fclose(f);
	compare_free_differences(d, n);
	assert_non_null(strstr(buf, "{\"kind\":\"compare\",\"sessions\":{\"a\":{\"target\":"
	                            "\"smtp://127.0.0.1:587\",\"mode\":\"explicit\","
	                            "\"plaintext_bytes\":81,\"plaintext_lines\":5,"));
	assert_non_null(strstr(buf, "\"b\":{\"target\":\"smtps://127.0.0.1:465\",\"mode\":"
	                            "\"implicit\",\"plaintext_bytes\":0,"));
	assert_non_null(strstr(buf, "\"same_chain\":true,\"differences\":[\"On a"));
	assert_non_null(strstr(buf, "\"revealed\":[\"greeting\",\"capabilities\",\"starttls\"]"));
	assert_ptr_equal(strchr(buf, '\n'), buf + len - 1);
	free(buf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(plaintext_is_counted_until_tls_and_classified),
	    cmocka_unit_test(imap_tags_typed_lines_credentials_and_quit),
	    cmocka_unit_test(a_server_line_after_the_client_spoke_is_not_the_greeting),
	    cmocka_unit_test(findings_are_kept_once_in_order),
	    cmocka_unit_test(a_handshake_that_never_completes_is_told),
	    cmocka_unit_test(chains_compare_certificate_by_certificate),
	    cmocka_unit_test(the_honest_pair_differs_in_plaintext_exposure_only),
	    cmocka_unit_test(stripping_and_verification_are_told_in_words),
	    cmocka_unit_test(identical_sides_have_no_difference),
	    cmocka_unit_test(starttls_lines_go_only_to_explicit_sides),
	    cmocka_unit_test(the_table_has_a_row_per_figure),
	    cmocka_unit_test(the_compare_event_is_one_json_line),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
