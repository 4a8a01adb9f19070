/* The text and JSON Lines forms of transcript events. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "output.h"

static char *
render_as(const struct event *ev, bool json, bool explain, bool redact)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct output_options o = {.explain = explain, .redact = redact};

	assert_non_null(f);
	if (json)
		output_json(f, ev, redact, NULL);
	else
		output_text(f, ev, &o);
	fclose(f);
	return buf;
}

static char *
render(const struct event *ev, bool json, bool explain)
{
	return render_as(ev, json, explain, false);
}

/* The event's JSON line holds want (the line is printed when it does not). */
static void
assert_json_has(const struct event *ev, const char *want)
{
	char *out = render(ev, true, false);
	if (strstr(out, want) == NULL)
		print_error("%s\nlacks %s\n", out, want);
	assert_non_null(strstr(out, want));
	free(out);
}

static struct event
line_event(enum phase phase, enum dir dir, const char *text, size_t len)
{
	struct event ev = {
	    .seq = 3, .t = 0.25, .phase = phase, .dir = dir, .kind = EV_LINE};
	ev.text = (unsigned char *)text;
	ev.len = len;
	return ev;
}

static void
test_markers_show_direction_and_phase(void **state)
{
	struct event ev;
	(void)state;
	ev = line_event(PHASE_PLAIN, DIR_CLIENT, "EHLO me", 7);
	assert_string_equal(output_marker(&ev), "->");
	ev = line_event(PHASE_PLAIN, DIR_SERVER, "250 ok", 6);
	assert_string_equal(output_marker(&ev), "<-");
	ev = line_event(PHASE_TLS, DIR_CLIENT, "EHLO me", 7);
	assert_string_equal(output_marker(&ev), "~>");
	ev = line_event(PHASE_TLS, DIR_SERVER, "250 ok", 6);
	assert_string_equal(output_marker(&ev), "<~");
	ev.kind = EV_FINDING;
	ev.severity = SEV_DANGER;
	assert_string_equal(output_marker(&ev), "!!");
	ev.severity = SEV_WARN;
	assert_string_equal(output_marker(&ev), "! ");
	ev.severity = SEV_INFO;
	assert_string_equal(output_marker(&ev), "i ");
	ev.kind = EV_ERROR;
	assert_string_equal(output_marker(&ev), "**");
	ev.kind = EV_PHASE;
	assert_string_equal(output_marker(&ev), "==");
}

static void
test_text_line_is_escaped_with_explanation_below(void **state)
{
	struct event ev = line_event(PHASE_PLAIN, DIR_SERVER, "220 \x1b[31mhi\r", 12);
	char *out;
	(void)state;
	ev.explain = "greeting: the server is ready (RFC 5321 §4.2)";
	out = render(&ev, false, true);
	assert_string_equal(
	    out,
	    "<- 220 \\x1b[31mhi\\r\n   # greeting: the server is ready (RFC 5321 §4.2)\n");
	free(out);
	out = render(&ev, false, false);
	assert_string_equal(out, "<- 220 \\x1b[31mhi\\r\n");
	free(out);
}

static void
test_text_does_not_escape_the_sessions_quotes_twice(void **state)
{
	const char *msg = "TLS handshake failed: not TLS: \"220 ok\\r\\n\"";
	struct event local = line_event(PHASE_HANDSHAKE, DIR_LOCAL, msg, strlen(msg));
	struct event server = line_event(PHASE_PLAIN, DIR_SERVER, "a\\b\r", 4);
	char *out;
	(void)state;
	local.kind = EV_ERROR;
	out = render(&local, false, false);
	assert_string_equal(out, "** TLS handshake failed: not TLS: \"220 ok\\r\\n\"\n");
	free(out);
	/* Server bytes: a backslash is shown as sent, controls escaped. */
	out = render(&server, false, false);
	assert_string_equal(out, "<- a\\b\\r\n");
	free(out);
}

static void
test_text_finding_carries_its_id(void **state)
{
	struct event ev = line_event(PHASE_PLAIN, DIR_LOCAL, "no STARTTLS", 11);
	char *out;
	(void)state;
	ev.kind = EV_FINDING;
	ev.finding = FINDING_STARTTLS_NOT_OFFERED;
	ev.severity = SEV_DANGER;
	out = render(&ev, false, false);
	assert_string_equal(out, "!! [starttls-not-offered] no STARTTLS\n");
	free(out);
}

static void
test_json_line_has_the_contract_fields(void **state)
{
	struct event ev = line_event(PHASE_PLAIN, DIR_SERVER, "220 mail.test \"x\"", 17);
	char *out;
	(void)state;
	ev.explain = "greeting";
	out = render(&ev, true, false);
	assert_string_equal(
	    out, "{\"seq\":3,\"t\":0.2500,\"phase\":\"plain\",\"dir\":\"server\","
	         "\"kind\":\"line\",\"text\":\"220 mail.test \\\"x\\\"\","
	         "\"explain\":\"greeting\"}\n");
	free(out);
}

static void
test_json_keeps_non_utf8_bytes_as_u00xx(void **state)
{
	struct event ev = line_event(PHASE_TLS, DIR_SERVER, "a\xff\0b", 4);
	(void)state;
	assert_json_has(&ev, "\"text\":\"a\\u00ff\\u0000b\"");
}

static void
test_json_finding_has_id_and_severity(void **state)
{
	struct event ev = line_event(PHASE_PLAIN, DIR_LOCAL, "x", 1);
	char *out;
	(void)state;
	ev.kind = EV_FINDING;
	ev.finding = FINDING_STARTTLS_INJECTION;
	ev.severity = SEV_DANGER;
	out = render(&ev, true, false);
	assert_non_null(strstr(out, "\"kind\":\"finding\""));
	assert_non_null(
	    strstr(out, "\"id\":\"starttls-injection\",\"severity\":\"danger\""));
	free(out);
}

static void
test_json_tls_summary_and_verdict(void **state)
{
	struct tls_summary sum = {.version = "TLSv1.3",
	                          .cipher = "TLS_AES_256_GCM_SHA384",
	                          .group = "X25519",
	                          .handshake_ms = 3.5};
	struct cert_verdict v = {.verified = false,
	                         .verify_error = "unable to get local issuer",
	                         .name_match = true,
	                         .name_checked = "mail.test"};
	struct event ev = line_event(PHASE_TLS, DIR_LOCAL, "s", 1);
	char *out;
	(void)state;
	ev.kind = EV_TLS;
	ev.tls = &sum;
	out = render(&ev, true, false);
	assert_non_null(
	    strstr(out, "\"version\":\"TLSv1.3\",\"cipher\":\"TLS_AES_256_GCM_SHA384\","
	                "\"group\":\"X25519\",\"handshake_ms\":3.500,\"resumed\":false"));
	assert_non_null(strstr(
	    out, "\"client_cert\":{\"requested\":false,\"sent\":false,\"subject\":null}"));
	free(out);
	sum.client_cert_requested = sum.client_cert_sent = true;
	snprintf(sum.client_cert_subject, sizeof sum.client_cert_subject, "CN=me");
	assert_json_has(
	    &ev,
	    "\"client_cert\":{\"requested\":true,\"sent\":true,\"subject\":\"CN=me\"}");
	ev.tls = NULL;
	ev.verdict = &v;
	assert_json_has(&ev, "\"verified\":false,\"verify_error\":\"unable to get local "
	                     "issuer\",\"name_match\":true");
	v.verified = true;
	assert_json_has(&ev, "\"verified\":true,\"verify_error\":null");
}

static void
test_json_tls_summary_says_what_the_handshake_showed(void **state)
{
	struct tls_summary sum = {.version = "TLSv1.3",
	                          .cipher = "TLS_AES_128_GCM_SHA256",
	                          .group = "X25519",
	                          .encrypted_handshake = TLS_HS_DECRYPTED,
	                          .signature = "ecdsa_secp256r1_sha256",
	                          .hello_retry = true,
	                          .key_share_bytes = 32,
	                          .alpn = "smtp",
	                          .alpn_offered = true,
	                          .resume_offered = true,
	                          .resumed = true};
	struct event ev = line_event(PHASE_TLS, DIR_LOCAL, "s", 1);
	char *out;
	(void)state;
	ev.kind = EV_TLS;
	ev.tls = &sum;
	out = render(&ev, true, false);
	assert_non_null(strstr(out, "\"encrypted_handshake\":\"decrypted\","
	                            "\"signature\":\"ecdsa_secp256r1_sha256\","
	                            "\"hello_retry\":true,\"key_share_bytes\":32,"
	                            "\"alpn\":\"smtp\",\"alpn_offered\":true,"
	                            "\"resume_offered\":true"));
	assert_non_null(strstr(out, "\"resumed\":true"));
	free(out);
	sum = (struct tls_summary){.version = "TLSv1.3",
	                           .encrypted_handshake = TLS_HS_UNAVAILABLE};
	assert_json_has(&ev, "\"encrypted_handshake\":\"unavailable\","
	                     "\"signature\":null,\"hello_retry\":false,"
	                     "\"key_share_bytes\":null,\"alpn\":null,"
	                     "\"alpn_offered\":false,\"resume_offered\":false");
	sum.encrypted_handshake = TLS_HS_READABLE;
	assert_json_has(&ev, "\"encrypted_handshake\":null");
}

static void
test_json_decrypted_message_carries_its_type_size_and_facts(void **state)
{
	struct tls_message cv = {.dir = TLS_DIR_IN,
	                         .type = 15,
	                         .length = 75,
	                         .head = {0x08, 0x04},
	                         .head_len = 2};
	struct tls_message nst = {.dir = TLS_DIR_IN,
	                          .type = 4,
	                          .length = 221,
	                          .after_handshake = true,
	                          .head = {0, 0, 0x1c, 0x20},
	                          .head_len = 4};
	struct tls_message fin = {.dir = TLS_DIR_OUT, .type = 20, .length = 32};
	struct event ev = line_event(PHASE_HANDSHAKE, DIR_SERVER, "m", 1);
	(void)state;
	ev.kind = EV_NOTE;
	ev.message = &cv;
	assert_json_has(&ev, "\"message\":{\"dir\":\"in\",\"type\":"
	                     "\"CertificateVerify\",\"number\":15,\"length\":75,"
	                     "\"signature\":\"rsa_pss_rsae_sha256\"}");
	ev.message = &nst;
	assert_json_has(&ev, "\"type\":\"NewSessionTicket\",\"number\":4,"
	                     "\"length\":221,\"ticket_lifetime\":7200}");
	ev.message = &fin;
	ev.dir = DIR_CLIENT;
	assert_json_has(&ev, "\"message\":{\"dir\":\"out\",\"type\":"
	                     "\"Finished\",\"number\":20,\"length\":32}");
	/* a decrypted message is TLS information, not injected bytes */
	ev.dir = DIR_SERVER;
	assert_string_equal(output_marker(&ev), "==");
	ev.message = NULL;
	assert_string_equal(output_marker(&ev), "!!");
}

static void
test_json_verdict_carries_the_stapled_ocsp_response(void **state)
{
	struct cert_verdict v = {.verified = true, .name_match = true,
	                         .name_checked = "mail.test",
	                         .name_note = "named by DNS:mail.test"};
	struct event ev = line_event(PHASE_TLS, DIR_LOCAL, "s", 1);
	char *out;
	(void)state;
	v.ocsp = (struct cert_ocsp){.state = CERT_OCSP_REVOKED,
	                            .verified = true,
	                            .produced_at = 1800000000,
	                            .this_update = 1799996400,
	                            .next_update = 1800604800,
	                            .revoked_at = 1799913600,
	                            .reason = "keyCompromise",
	                            .responder = "CN=startle lab CA, O=startle lab",
	                            .signer = "the issuer",
	                            .len = 309};
	ev.kind = EV_TLS;
	ev.verdict = &v;
	out = render(&ev, true, false);
	assert_non_null(strstr(out, "\"name_note\":\"named by DNS:mail.test\""));
	assert_non_null(strstr(
	    out, "\"ocsp\":{\"status\":\"revoked\",\"verified\":true,\"problem\":null,"
	         "\"produced_at\":\"2027-01-15T08:00:00Z\",\"this_update\":\"2027-01-15T07:00:00Z\","
	         "\"next_update\":\"2027-01-22T08:00:00Z\",\"revoked_at\":\"2027-01-14T08:00:00Z\","
	         "\"reason\":\"keyCompromise\",\"responder\":\"CN=startle lab CA, O=startle lab\","
	         "\"signer\":\"the issuer\",\"must_staple\":false,\"bytes\":309}"));
	free(out);
	v.ocsp = (struct cert_ocsp){.state = CERT_OCSP_NONE, .must_staple = true};
	v.name_note[0] = '\0';
	out = render(&ev, true, false);
	assert_non_null(strstr(out, "\"name_note\":null"));
	assert_non_null(strstr(
	    out, "\"ocsp\":{\"status\":\"none\",\"verified\":false,\"problem\":null,"
	         "\"produced_at\":null,\"this_update\":null,\"next_update\":null,"
	         "\"revoked_at\":null,\"reason\":null,\"responder\":null,\"signer\":null,"
	         "\"must_staple\":true,\"bytes\":null}"));
	free(out);
}

static void
test_json_cert_fields(void **state)
{
	struct cert_info c = {.depth = 0,
	                      .subject = "CN=mail.test",
	                      .issuer = "CN=Test CA",
	                      .serial = "01",
	                      .not_before = 0,
	                      .not_after = 86400,
	                      .key = "EC P-256",
	                      .sig = "ecdsa-with-SHA256",
	                      .sha256 = "ab",
	                      .spki_sha256 = "cd"};
	struct event ev = line_event(PHASE_TLS, DIR_SERVER, "c", 1);
	char *out;
	(void)state;
	c.san[0] = "DNS:mail.test";
	c.san[1] = "IP:127.0.0.1";
	c.nsan = 2;
	ev.kind = EV_CERT;
	ev.cert = &c;
	out = render(&ev, true, false);
	assert_non_null(strstr(
	    out, "\"depth\":0,\"subject\":\"CN=mail.test\",\"issuer\":\"CN=Test CA\""));
	assert_non_null(strstr(out, "\"not_before\":\"1970-01-01T00:00:00Z\",\"not_after\":"
	                            "\"1970-01-02T00:00:00Z\""));
	assert_non_null(strstr(out, "\"san\":[\"DNS:mail.test\",\"IP:127.0.0.1\"]"));
	assert_non_null(strstr(out, "\"key\":\"EC "
	                            "P-256\",\"sig\":\"ecdsa-with-SHA256\",\"sha256\":"
	                            "\"ab\",\"spki_sha256\":\"cd\""));
	free(out);
}

static void
test_json_cert_has_the_pin_after_the_spki_hash(void **state)
{
	struct cert_info c = {
	    .spki_sha256 = "375868e3b207689bbee4d4446c47ec9f2edde43b62f4e028a9efa56112d5437a"};
	struct event ev = line_event(PHASE_TLS, DIR_SERVER, "c", 1);
	(void)state;
	ev.kind = EV_CERT;
	ev.cert = &c;
	char *out = render(&ev, true, false);
	assert_non_null(strstr(out, "5437a\",\"pin_sha256\":"
	                            "\"N1ho47IHaJu+5NREbEfsny7d5Dti9OAoqe+lYRLVQ3o=\","));
	free(out);
	/* Without a whole hash there is no pin. */
	snprintf(c.spki_sha256, sizeof c.spki_sha256, "cd");
	out = render(&ev, true, false);
	assert_null(strstr(out, "pin_sha256"));
	free(out);
}

static void
listener(void *arg, const struct transcript *t, const struct event *ev)
{
	int *count = arg;
	(void)t;
	assert_int_equal(ev->seq, (unsigned long)*count + 1);
	(*count)++;
}

static void
test_transcript_numbers_copies_and_notifies(void **state)
{
	struct transcript *t = transcript_new();
	char text[] = "250 ok";
	struct event ev = line_event(PHASE_PLAIN, DIR_SERVER, text, 6);
	int count = 0;
	(void)state;
	assert_int_equal(transcript_listen(t, listener, &count), 0);
	transcript_append(t, &ev);
	text[0] = 'X';
	transcript_append(t, &ev);
	assert_int_equal(count, 2);
	assert_int_equal(transcript_count(t), 2);
	assert_memory_equal(transcript_get(t, 0)->text, "250 ok", 6);
	assert_memory_equal(transcript_get(t, 1)->text, "X50 ok", 6);
	assert_int_equal(transcript_get(t, 1)->seq, 2);
	assert_null(transcript_get(t, 2));
	transcript_free(t);
}

/* A client credential line as the session records it: secret, with an
 * explanation that decodes it. */
static struct event
secret_event(void)
{
	static const char line[] = "AUTH PLAIN AGRlbW8AZGVtbw==";
	struct event ev = line_event(PHASE_PLAIN, DIR_CLIENT, line, strlen(line));
	ev.secret = true;
	ev.explain = "AUTH PLAIN: user \"demo\", password \"demo\" (RFC 4616)";
	return ev;
}

static void
test_redacted_text_shows_the_marker_and_no_credential(void **state)
{
	struct event ev = secret_event();
	(void)state;
	char *out = render_as(&ev, false, true, true);
	assert_string_equal(out, "-> [redacted: 27 bytes]\n"
	                         "   # " OUTPUT_REDACTED_EXPLAIN "\n");
	free(out);
}

static void
test_redacted_json_has_marker_and_flag(void **state)
{
	struct event ev = secret_event();
	(void)state;
	char *out = render_as(&ev, true, true, true);
	assert_non_null(strstr(out, "\"text\":\"[redacted: 27 bytes]\",\"redacted\":true"));
	assert_null(strstr(out, "AGRlbW8AZGVtbw"));
	assert_null(strstr(out, "demo"));
	assert_non_null(strstr(out, "\"explain\":\"" OUTPUT_REDACTED_EXPLAIN "\""));
	free(out);
}

static void
test_without_redact_secret_lines_are_written_as_sent(void **state)
{
	struct event ev = secret_event();
	(void)state;
	char *out = render_as(&ev, true, false, false);
	assert_non_null(strstr(out, "AGRlbW8AZGVtbw=="));
	assert_null(strstr(out, "redacted"));
	free(out);
	out = render_as(&ev, false, false, false);
	assert_string_equal(out, "-> AUTH PLAIN AGRlbW8AZGVtbw==\n");
	free(out);
}

static void
test_redact_leaves_lines_that_are_not_secret(void **state)
{
	struct event ev = line_event(PHASE_PLAIN, DIR_CLIENT, "EHLO a", 6);
	(void)state;
	char *out = render_as(&ev, true, false, true);
	assert_non_null(strstr(out, "\"text\":\"EHLO a\""));
	assert_null(strstr(out, "redacted"));
	free(out);
}

static void
test_colour_text_shows_escapes_in_reverse_video_and_backslashes_plain(void **state)
{
	struct event ev = line_event(PHASE_PLAIN, DIR_SERVER, "* (\\Seen)\x1b", 10);
	struct output_options o = {.color = true};
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	(void)state;
	assert_non_null(f);
	output_text(f, &ev, &o);
	fclose(f);
	assert_non_null(strstr(buf, "* (\\Seen)\033[7m\\x1b\033[27m\n"));
	free(buf);
}

static void
test_connect_event_carries_the_wall_clock_in_text_and_json(void **state)
{
	const char *text = "connected to smtp://h:25 (127.0.0.1 port 25) in 1.0 ms, explicit TLS";
	struct event ev = {.seq = 1, .phase = PHASE_PLAIN, .dir = DIR_LOCAL, .kind = EV_CONNECT};
	char *out;

	(void)state;
	ev.text = (unsigned char *)text;
	ev.len = strlen(text);
	ev.wall = 1796313901.25; /* 2026-12-03 16:05:01.25 UTC */
	out = render(&ev, false, false);
	assert_string_equal(out, "== connected to smtp://h:25 (127.0.0.1 port 25) in 1.0 ms, "
	                         "explicit TLS, at 2026-12-03T16:05:01.250Z\n");
	free(out);
	assert_json_has(&ev, ",\"time\":\"2026-12-03T16:05:01.250Z\"");
	/* Only the connect event says when. */
	ev.kind = EV_NOTE;
	out = render(&ev, true, false);
	assert_null(strstr(out, "\"time\""));
	free(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_connect_event_carries_the_wall_clock_in_text_and_json),
	    cmocka_unit_test(test_markers_show_direction_and_phase),
	    cmocka_unit_test(test_text_line_is_escaped_with_explanation_below),
	    cmocka_unit_test(test_text_does_not_escape_the_sessions_quotes_twice),
	    cmocka_unit_test(test_text_finding_carries_its_id),
	    cmocka_unit_test(test_json_line_has_the_contract_fields),
	    cmocka_unit_test(test_json_keeps_non_utf8_bytes_as_u00xx),
	    cmocka_unit_test(test_json_finding_has_id_and_severity),
	    cmocka_unit_test(test_json_tls_summary_and_verdict),
	    cmocka_unit_test(test_json_tls_summary_says_what_the_handshake_showed),
	    cmocka_unit_test(test_json_decrypted_message_carries_its_type_size_and_facts),
	    cmocka_unit_test(test_json_verdict_carries_the_stapled_ocsp_response),
	    cmocka_unit_test(test_json_cert_fields),
	    cmocka_unit_test(test_json_cert_has_the_pin_after_the_spki_hash),
	    cmocka_unit_test(test_redacted_text_shows_the_marker_and_no_credential),
	    cmocka_unit_test(test_redacted_json_has_marker_and_flag),
	    cmocka_unit_test(test_without_redact_secret_lines_are_written_as_sent),
	    cmocka_unit_test(test_redact_leaves_lines_that_are_not_secret),
	    cmocka_unit_test(
	        test_colour_text_shows_escapes_in_reverse_video_and_backslashes_plain),
	    cmocka_unit_test(test_transcript_numbers_copies_and_notifies),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
