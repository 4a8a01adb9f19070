/* Recordings (output.h's writer) read back by replay.h: every kind of event
 * comes back as it was written, and what is not a recording is refused with
 * its file and line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "compare.h"
#include "output.h"
#include "replay.h"
#include "util.h"

/* A recording being written in memory. */
struct rec {
	char *buf;
	size_t len;
	FILE *f;
};

static void
rec_start(struct rec *r, int nsides, bool redact)
{
	static const char *const names[2] = {"a", "b"};
	static const char *const alone[1] = {NULL};
	struct target a, b;
	char *cause = NULL;
	const struct target *targets[2] = {&a, &b};

	assert_int_equal(target_parse("smtp://127.0.0.1:2525", -1, -1, &a, &cause), 0);
	assert_int_equal(target_parse("smtps://[::1]:4650", -1, -1, &b, &cause), 0);
	r->f = open_memstream(&r->buf, &r->len);
	assert_non_null(r->f);
	output_recording_header(r->f, targets, nsides == 1 ? alone : names, (size_t)nsides,
	                        redact);
}

static void
rec_end(struct rec *r)
{
	fclose(r->f);
}

/* Reads the recording; returns replay_parse's result, the cause kept. */
static int
rec_read(struct rec *r, struct replay *out, char **cause)
{
	*cause = NULL;
	return replay_parse("t.jsonl", r->buf, r->len, out, cause);
}

/* output_json's and output_record's lines of ev, for comparing. */
static char *
lines_of(const struct event *ev, bool redact)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	output_json(f, ev, redact, NULL);
	output_record(f, ev, redact, NULL);
	fclose(f);
	return buf;
}

static struct event
event_of(enum event_kind kind, enum phase phase, enum dir dir, const char *text, size_t len)
{
	struct event ev = {.seq = 1,
	                   .t = 0.123456789,
	                   .wall = 1796337982.4774165,
	                   .phase = phase,
	                   .dir = dir,
	                   .kind = kind};
	ev.text = (unsigned char *)text;
	ev.len = len;
	return ev;
}

/* Writes ev alone into a recording, reads it back and checks that the
 * replayed event writes the same lines, --json's and the recording's. */
static void
round_trip(const struct event *ev, bool redact)
{
	struct rec r;
	struct replay rp;
	char *cause;

	rec_start(&r, 1, redact);
	output_record(r.f, ev, redact, NULL);
	rec_end(&r);
	assert_int_equal(rec_read(&r, &rp, &cause), 0);
	assert_int_equal(rp.n, 1);
	char *want = lines_of(ev, redact), *got = lines_of(&rp.events[0].ev, redact);
	assert_string_equal(got, want);
	free(want);
	free(got);
	replay_free(&rp);
	free(r.buf);
}

static void
test_a_line_that_is_not_utf8_comes_back_byte_for_byte(void **state)
{
	static const char text[] = "220 caf\xe9 \xc2\x85 \x00 \x1b[2J \xe2\x80\xae \\Seen";
	struct event ev = event_of(EV_LINE, PHASE_PLAIN, DIR_SERVER, text, sizeof text - 1);
	struct rec r;
	struct replay rp;
	char *cause;
	(void)state;
	ev.explain = "greeting: the server is ready (RFC 5321 §4.2)";
	ev.line_flags = 0x101;
	round_trip(&ev, false);
	rec_start(&r, 1, false);
	output_record(r.f, &ev, false, NULL);
	rec_end(&r);
	assert_non_null(strstr(r.buf, "\"text_base64\""));
	assert_int_equal(rec_read(&r, &rp, &cause), 0);
	const struct event *back = &rp.events[0].ev;
	assert_int_equal(back->len, sizeof text - 1);
	assert_memory_equal(back->text, text, sizeof text - 1);
	assert_true(back->t == ev.t && back->wall == ev.wall);
	assert_int_equal(back->line_flags, 0x101);
	assert_string_equal(back->explain, ev.explain);
	assert_int_equal(rp.side[0].target.port, 2525);
	replay_free(&rp);
	free(r.buf);
}

static void
test_a_utf8_line_has_no_base64(void **state)
{
	static const char text[] = "250-caf\xc3\xa9 \xe2\x80\xae ok";
	struct event ev = event_of(EV_LINE, PHASE_TLS, DIR_SERVER, text, sizeof text - 1);
	char *lines;
	(void)state;
	lines = lines_of(&ev, false);
	assert_null(strstr(lines, "base64"));
	free(lines);
	round_trip(&ev, false);
}

static void
test_findings_tls_and_verdicts_come_back(void **state)
{
	struct event f = event_of(EV_FINDING, PHASE_PLAIN, DIR_LOCAL, "bytes after", 11);
	struct event t = event_of(EV_TLS, PHASE_TLS, DIR_LOCAL, "TLSv1.3, ...", 12);
	struct event v = event_of(EV_TLS, PHASE_TLS, DIR_LOCAL, "not trusted", 11);
	struct tls_summary s = {.version = "TLSv1.3",
	                        .cipher = "TLS_AES_256_GCM_SHA384",
	                        .handshake_ms = 1.6504999,
	                        .records_in = 5,
	                        .records_out = 2,
	                        .bytes_in = 1500,
	                        .bytes_out = 300,
	                        .sni = "mail.\xff.test",
	                        .note = "no key log"};
	struct cert_verdict vd = {.verified = false,
	                          .verify_error_code = 18,
	                          .verify_error_depth = 0,
	                          .verify_error = "self-signed",
	                          .name_match = true,
	                          .name_checked = "mail.test",
	                          .self_signed = true,
	                          .weak_key = true};
	(void)state;
	f.finding = FINDING_STARTTLS_INJECTION;
	f.severity = SEV_DANGER;
	round_trip(&f, false);
	t.tls = &s;
	round_trip(&t, false);
	v.verdict = &vd;
	round_trip(&v, false);
	s.group[0] = '\0';
	s.sni[0] = '\0';
	vd.verified = true;
	round_trip(&t, false);
	round_trip(&v, false);
}

static void
test_a_certificate_comes_back_with_its_der(void **state)
{
	static const unsigned char der[] = {0x30, 0x82, 0x01, 0x00, 0xff, 0x00, 0x7f};
	struct event ev = event_of(EV_CERT, PHASE_TLS, DIR_SERVER, "certificate 0", 13);
	struct cert_info c = {.depth = 1,
	                      .subject = "CN=caf\xe9",
	                      .issuer = "CN=CA",
	                      .serial = NULL,
	                      .not_before = -86400,
	                      .not_after = 4102444800,
	                      .nsan = 2,
	                      .nsan_total = 70,
	                      .key = "RSA 1024",
	                      .key_bits = 1024,
	                      .sig = "sha1WithRSAEncryption",
	                      .is_ca = true};
	struct rec r;
	struct replay rp;
	char *cause;
	(void)state;
	c.san[0] = "DNS:mail.test";
	c.san[1] = "DNS:\xfe.test";
	memset(c.sha256, 'a', 64);
	memset(c.spki_sha256, 'b', 64);
	c.der = (unsigned char *)der;
	c.der_len = sizeof der;
	ev.cert = &c;
	round_trip(&ev, false);
	rec_start(&r, 1, false);
	output_record(r.f, &ev, false, NULL);
	rec_end(&r);
	assert_int_equal(rec_read(&r, &rp, &cause), 0);
	const struct cert_info *b = rp.events[0].ev.cert;
	assert_int_equal(b->der_len, sizeof der);
	assert_memory_equal(b->der, der, sizeof der);
	assert_string_equal(b->subject, "CN=caf\xe9");
	assert_string_equal(b->san[1], "DNS:\xfe.test");
	assert_null(b->serial);
	assert_int_equal(b->not_before, -86400);
	assert_int_equal(b->nsan_total, 70);
	assert_int_equal(b->key_bits, 1024);
	replay_free(&rp);
	free(r.buf);
}

static void
test_records_and_dns_answers_come_back(void **state)
{
	struct event n = event_of(EV_NOTE, PHASE_HANDSHAKE, DIR_SERVER, "TLS record", 10);
	struct tls_record rec = {.dir = TLS_DIR_IN,
	                         .type = 21,
	                         .version = 0x0303,
	                         .length = 2,
	                         .head = {2, 40},
	                         .head_len = 2,
	                         .readable = true};
	struct event d = event_of(EV_DNS, PHASE_PLAIN, DIR_LOCAL, "MX example.org", 14);
	char *records[] = {"10 mx1.example.org.", "20 mx2.example.org."};
	struct dns_event de = {.name = "example.org",
	                       .type = "MX",
	                       .status = "secure",
	                       .rcode = "NOERROR",
	                       .ms = 12.5,
	                       .n = 2,
	                       .records = records};
	(void)state;
	n.record = &rec;
	round_trip(&n, false);
	rec.type = 22;
	rec.hs_type = 2;
	rec.head_len = 16;
	round_trip(&n, false);
	d.dns = &de;
	round_trip(&d, false);
}

/* Writes ev alone into a recording and reads it back; the caller checks the
 * fields and frees rp. */
static void
read_back(const struct event *ev, struct replay *rp)
{
	struct rec r;
	char *cause;

	rec_start(&r, 1, false);
	output_record(r.f, ev, false, NULL);
	rec_end(&r);
	if (rec_read(&r, rp, &cause) != 0)
		fail_msg("refused: %s", cause);
	assert_int_equal(rp->n, 1);
	free(r.buf);
}

static void
test_the_handshake_facts_and_client_certificate_come_back(void **state)
{
	struct event t = event_of(EV_TLS, PHASE_TLS, DIR_LOCAL, "TLSv1.3, ...", 12);
	struct tls_summary s = {.version = "TLSv1.3",
	                        .cipher = "TLS_AES_128_GCM_SHA256",
	                        .group = "X25519",
	                        .handshake_ms = 2.25,
	                        .encrypted_handshake = TLS_HS_FAILED,
	                        .signature = "ecdsa_secp256r1_sha256",
	                        .hello_retry = true,
	                        .key_share_bytes = 97,
	                        .alpn = "smtp\xff",
	                        .alpn_offered = true,
	                        .resume_offered = true,
	                        .client_cert_requested = true,
	                        .client_cert_sent = true,
	                        .client_cert_subject = "CN=caf\xe9 client"};
	struct replay rp;
	(void)state;
	t.tls = &s;
	round_trip(&t, false);
	read_back(&t, &rp);
	const struct tls_summary *b = rp.events[0].ev.tls;
	assert_int_equal(b->encrypted_handshake, TLS_HS_FAILED);
	assert_string_equal(b->signature, s.signature);
	assert_true(b->hello_retry && b->alpn_offered && b->resume_offered);
	assert_int_equal(b->key_share_bytes, 97);
	assert_string_equal(b->alpn, "smtp\xff");
	assert_true(b->client_cert_requested && b->client_cert_sent);
	assert_string_equal(b->client_cert_subject, "CN=caf\xe9 client");
	replay_free(&rp);
	for (int v = TLS_HS_READABLE; v <= TLS_HS_FAILED; v++) {
		s.encrypted_handshake = (enum tls_hs_view)v;
		round_trip(&t, false);
	}
	memset(&s, 0, sizeof s);
	snprintf(s.version, sizeof s.version, "TLSv1.2");
	round_trip(&t, false);
}

static void
test_a_verdict_keeps_its_name_note_and_ocsp_and_a_cert_must_staple(void **state)
{
	struct event v = event_of(EV_TLS, PHASE_TLS, DIR_LOCAL, "revoked", 7);
	struct cert_verdict vd = {.verified = true,
	                          .verify_error_depth = -1,
	                          .name_match = true,
	                          .name_legacy = true,
	                          .name_checked = "mail.test",
	                          .name_note = "named only by CN=m\xe9il.test (legacy)",
	                          .ocsp = {.state = CERT_OCSP_REVOKED,
	                                   .verified = true,
	                                   .problem = "",
	                                   .produced_at = 1796337000,
	                                   .this_update = 1796336000,
	                                   .next_update = 1796940000,
	                                   .revoked_at = 1700000001,
	                                   .reason = "keyCompromise",
	                                   .responder = "CN=r\xe9sponder",
	                                   .signer = "the issuer",
	                                   .len = 1234,
	                                   .must_staple = true}};
	struct event c = event_of(EV_CERT, PHASE_TLS, DIR_SERVER, "certificate 0", 13);
	struct cert_info ci = {.subject = "CN=mail.test", .key = "EC P-256", .must_staple = true};
	struct replay rp;
	(void)state;
	v.verdict = &vd;
	round_trip(&v, false);
	read_back(&v, &rp);
	const struct cert_verdict *b = rp.events[0].ev.verdict;
	assert_string_equal(b->name_note, vd.name_note);
	assert_true(b->name_legacy);
	assert_int_equal(b->ocsp.state, CERT_OCSP_REVOKED);
	assert_true(b->ocsp.verified && b->ocsp.must_staple);
	assert_int_equal(b->ocsp.produced_at, 1796337000);
	assert_int_equal(b->ocsp.this_update, 1796336000);
	assert_int_equal(b->ocsp.next_update, 1796940000);
	assert_int_equal(b->ocsp.revoked_at, 1700000001);
	assert_string_equal(b->ocsp.reason, "keyCompromise");
	assert_string_equal(b->ocsp.responder, "CN=r\xe9sponder");
	assert_string_equal(b->ocsp.signer, "the issuer");
	assert_int_equal(b->ocsp.len, 1234);
	replay_free(&rp);
	vd.ocsp = (struct cert_ocsp){.state = CERT_OCSP_UNREADABLE, .problem = "not DER",
	                             .len = 3};
	round_trip(&v, false);
	read_back(&v, &rp);
	assert_string_equal(rp.events[0].ev.verdict->ocsp.problem, "not DER");
	assert_int_equal(rp.events[0].ev.verdict->ocsp.len, 3);
	replay_free(&rp);
	memset(ci.sha256, 'c', 64);
	memset(ci.spki_sha256, 'd', 64);
	c.cert = &ci;
	round_trip(&c, false);
	read_back(&c, &rp);
	assert_true(rp.events[0].ev.cert->must_staple);
	replay_free(&rp);
}

static void
test_decrypted_messages_and_policies_come_back(void **state)
{
	struct event n = event_of(EV_NOTE, PHASE_TLS, DIR_SERVER, "NewSessionTicket", 16);
	struct tls_message m = {.dir = TLS_DIR_IN,
	                        .type = 4,
	                        .length = 213,
	                        .after_handshake = true,
	                        .head = {0, 0, 0x1c, 0x20, 1, 2, 3, 4},
	                        .head_len = 8};
	char *mx[] = {"mx1.example.org", "*.example.org"};
	char *rua[] = {"mailto:tlsrpt@example.org", "https://r.example.org/v1"};
	struct policy_event sts = {.policy = "mta-sts",
	                           .domain = "example.org",
	                           .status = "enforce",
	                           .id = "20261203",
	                           .url = "https://mta-sts.example.org/.well-known/mta-sts.txt",
	                           .http_status = 200,
	                           .content_type = "text/plain; \xff",
	                           .bytes = 98,
	                           .ms = 12.345678912,
	                           .mode = "enforce",
	                           .max_age = 604800,
	                           .nmx = 2,
	                           .mx = mx,
	                           .why = ""};
	struct policy_event rpt = {.policy = "tls-rpt", .domain = "example.org",
	                           .status = "present", .nrua = 2, .rua = rua};
	struct event p = event_of(EV_POLICY, PHASE_PLAIN, DIR_LOCAL, "MTA-STS", 7);
	struct replay rp;
	(void)state;
	n.message = &m;
	round_trip(&n, false);
	read_back(&n, &rp);
	const struct event *b = &rp.events[0].ev;
	assert_non_null(b->message);
	assert_false(transcript_is_injected(b));
	assert_int_equal(b->message->dir, TLS_DIR_IN);
	assert_int_equal(b->message->type, 4);
	assert_int_equal(b->message->length, 213);
	assert_true(b->message->after_handshake);
	assert_int_equal(b->message->head_len, 8);
	assert_memory_equal(b->message->head, m.head, 8);
	replay_free(&rp);
	p.policy = &sts;
	round_trip(&p, false);
	read_back(&p, &rp);
	const struct policy_event *q = rp.events[0].ev.policy;
	assert_string_equal(q->policy, "mta-sts");
	assert_string_equal(q->id, sts.id);
	assert_string_equal(q->url, sts.url);
	assert_string_equal(q->content_type, sts.content_type);
	assert_string_equal(q->mode, "enforce");
	assert_int_equal(q->http_status, 200);
	assert_int_equal(q->bytes, 98);
	assert_true(q->ms == sts.ms);
	assert_int_equal(q->max_age, 604800);
	assert_int_equal(q->nmx, 2);
	assert_string_equal(q->mx[1], "*.example.org");
	assert_int_equal(q->nrua, 0);
	replay_free(&rp);
	p.policy = &rpt;
	round_trip(&p, false);
	read_back(&p, &rp);
	q = rp.events[0].ev.policy;
	assert_string_equal(q->policy, "tls-rpt");
	assert_int_equal(q->nrua, 2);
	assert_string_equal(q->rua[1], rua[1]);
	assert_int_equal(q->nmx, 0);
	assert_int_equal(q->http_status, 0);
	replay_free(&rp);
}

static void refused(const char *text, size_t len, const char *where, const char *words);

/* Records ev, replaces from with to in its line and checks that the
 * recording is refused at line 2 with words in the cause. */
static void
refused_change(const struct event *ev, const char *from, const char *to, const char *words)
{
	struct rec r;

	rec_start(&r, 1, false);
	output_record(r.f, ev, false, NULL);
	rec_end(&r);
	char *at = strstr(strchr(r.buf, '\n') + 1, from);
	if (at == NULL)
		fail_msg("no %s in %s", from, r.buf);
	char *text = str_printf("%.*s%s%s", (int)(at - r.buf), r.buf, to, at + strlen(from));
	refused(text, strlen(text), "t.jsonl:2: ", words);
	free(text);
	free(r.buf);
}

static void
test_bad_values_of_the_new_fields_are_refused(void **state)
{
	struct event t = event_of(EV_TLS, PHASE_TLS, DIR_LOCAL, "TLSv1.3", 7);
	struct tls_summary s = {.version = "TLSv1.3", .cipher = "X",
	                        .encrypted_handshake = TLS_HS_DECRYPTED, .key_share_bytes = 32};
	struct event v = event_of(EV_TLS, PHASE_TLS, DIR_LOCAL, "verified", 8);
	struct cert_verdict vd = {.verified = true, .ocsp = {.state = CERT_OCSP_GOOD}};
	struct event n = event_of(EV_NOTE, PHASE_TLS, DIR_SERVER, "Finished", 8);
	struct tls_message m = {.type = 20, .length = 32, .head = {1}, .head_len = 1};
	char *mx[] = {"mx.example.org"};
	struct policy_event pe = {.policy = "mta-sts", .domain = "example.org",
	                          .status = "enforce", .mode = "enforce", .nmx = 1, .mx = mx};
	struct event p = event_of(EV_POLICY, PHASE_PLAIN, DIR_LOCAL, "MTA-STS", 7);
	char big[401]; /* one byte more than "why" holds */
	(void)state;
	t.tls = &s;
	v.verdict = &vd;
	n.message = &m;
	p.policy = &pe;
	refused_change(&t, "\"decrypted\"", "\"sideways\"", "\"encrypted_handshake\"");
	refused_change(&t, "\"key_share_bytes\":32", "\"key_share_bytes\":-1",
	               "\"key_share_bytes\" is not a whole number");
	refused_change(&t, "\"client_cert\":{", "\"client_cert\":7,\"x\":{",
	               "\"client_cert\" is not an object");
	refused_change(&v, "\"status\":\"good\"", "\"status\":\"great\"", "\"great\"");
	refused_change(&v, "\"revoked_at\":0", "\"revoked_at\":\"never\"", "\"revoked_at\"");
	refused_change(&v, "\"name_note\":null", "\"name_note\":false", "\"name_note\"");
	refused_change(&n, "\"head\":\"01\"", "\"head\":\"000102030405060708\"",
	               "at most 8 bytes");
	refused_change(&n, "\"number\":20", "\"number\":256", "\"number\"");
	refused_change(&p, "\"policy\":\"mta-sts\"", "\"policy\":\"dmarc\"", "\"dmarc\"");
	refused_change(&p, "\"mx\":[", "\"mx\":[1,", "item 1 of \"mx\"");
	refused_change(&p, "\"http_status\":null", "\"http_status\":1000", "\"http_status\"");
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	char *to = str_printf("\"why\":\"%s\"", big);
	refused_change(&p, "\"why\":null", to, "longer than 399 bytes");
	free(to);
}

static void
test_a_summary_recorded_before_the_new_fields_reads_them_as_none(void **state)
{
	struct event t = event_of(EV_TLS, PHASE_TLS, DIR_LOCAL, "TLSv1.3", 7);
	struct tls_summary s = {.version = "TLSv1.3", .cipher = "X",
	                        .encrypted_handshake = TLS_HS_DECRYPTED, .hello_retry = true,
	                        .key_share_bytes = 32, .client_cert_requested = true};
	struct rec r;
	struct replay rp;
	char *cause;
	(void)state;
	t.tls = &s;
	rec_start(&r, 1, false);
	output_record(r.f, &t, false, NULL);
	rec_end(&r);
	/* What a startle from before these fields wrote: none of them. */
	char *from = strstr(r.buf, ",\"encrypted_handshake\"");
	char *to = strstr(r.buf, ",\"replay\"");
	assert_true(from != NULL && to != NULL && from < to);
	memmove(from, to, strlen(to) + 1);
	r.len = strlen(r.buf);
	assert_int_equal(rec_read(&r, &rp, &cause), 0);
	const struct tls_summary *b = rp.events[0].ev.tls;
	assert_int_equal(b->encrypted_handshake, TLS_HS_READABLE);
	assert_false(b->hello_retry || b->client_cert_requested);
	assert_int_equal(b->key_share_bytes, 0);
	assert_string_equal(b->version, "TLSv1.3");
	replay_free(&rp);
	free(r.buf);
}

static void
test_a_redacted_credential_keeps_its_length(void **state)
{
	struct event ev =
	    event_of(EV_LINE, PHASE_PLAIN, DIR_CLIENT, "AUTH PLAIN AGRlbW8AZGVtbw==", 27);
	struct rec r;
	struct replay rp;
	char *cause;
	(void)state;
	ev.secret = true;
	round_trip(&ev, true);
	round_trip(&ev, false);
	rec_start(&r, 1, true);
	output_record(r.f, &ev, true, NULL);
	rec_end(&r);
	assert_null(strstr(r.buf, "AGRlbW8"));
	assert_int_equal(rec_read(&r, &rp, &cause), 0);
	assert_true(rp.redact);
	assert_true(rp.events[0].ev.secret);
	assert_int_equal(rp.events[0].ev.len, 27);
	replay_free(&rp);
	free(r.buf);
}

static void
test_a_comparison_names_its_sides_and_summary(void **state)
{
	struct event a = event_of(EV_LINE, PHASE_PLAIN, DIR_SERVER, "220 a", 5);
	struct event b = event_of(EV_LINE, PHASE_TLS, DIR_SERVER, "220 b", 5);
	struct compare_side ca, cb;
	struct rec r;
	struct replay rp;
	char *cause;
	(void)state;
	rec_start(&r, 2, false);
	compare_side_init(&ca, "a", &(struct target){.proto = PROTO_SMTP});
	compare_side_init(&cb, "b", &(struct target){.proto = PROTO_SMTP});
	compare_set_plain_bytes(&ca, 412);
	compare_close(&ca, 0);
	compare_close(&cb, 5);
	output_record(r.f, &a, false, "a");
	output_record(r.f, &b, false, "b");
	b.seq = 2;
	output_record(r.f, &b, false, "b");
	output_compare_json(r.f, &ca, &cb, NULL, 0);
	rec_end(&r);
	assert_int_equal(rec_read(&r, &rp, &cause), 0);
	assert_int_equal(rp.nsides, 2);
	assert_int_equal(rp.n, 3);
	assert_int_equal(rp.events[1].side, 1);
	assert_int_equal(rp.side[1].nevents, 2);
	assert_true(rp.have_compare);
	assert_int_equal(rp.side[0].plain_bytes, 412);
	assert_int_equal(rp.side[1].exit, 5);
	assert_int_equal(rp.side[1].target.mode, TLS_MODE_IMPLICIT);
	assert_string_equal(rp.side[1].target.host, "::1");
	replay_free(&rp);
	free(r.buf);
}

/* A recording of one event (the header and a line), with one change made
 * by replacing the first from with to (in the line given, 1 or 2). */
static char *
one_event_recording(int line, const char *from, const char *to)
{
	struct event ev = event_of(EV_LINE, PHASE_PLAIN, DIR_SERVER, "220 hi", 6);
	struct rec r;

	rec_start(&r, 1, false);
	output_record(r.f, &ev, false, NULL);
	rec_end(&r);
	char *nl = strchr(r.buf, '\n') + 1;
	char *in = line == 1 ? r.buf : nl;
	char *at = strstr(in, from);
	assert_non_null(at);
	assert_true(line == 2 || at < nl);
	char *out = str_printf("%.*s%s%s", (int)(at - r.buf), r.buf, to, at + strlen(from));
	free(r.buf);
	return out;
}

/* Checks that text is refused with "t.jsonl:LINE: " and words in the cause. */
static void
refused(const char *text, size_t len, const char *where, const char *words)
{
	struct replay rp;
	char *cause = NULL;

	if (replay_parse("t.jsonl", text, len, &rp, &cause) != -1)
		fail_msg("accepted: %.*s", (int)len, text);
	assert_non_null(cause);
	if (strncmp(cause, where, strlen(where)) != 0 || strstr(cause, words) == NULL)
		fail_msg("cause \"%s\" lacks \"%s\" ... \"%s\"", cause, where, words);
	assert_int_equal(rp.n, 0);
	assert_null(rp.events);
	free(cause);
}

static void
test_what_is_not_a_recording_is_refused_with_its_line(void **state)
{
	static const struct {
		int line;
		const char *from, *to, *where, *words;
	} cases[] = {
	    {1, "\"version\":1", "\"version\":2", "t.jsonl:1: ", "newer startle"},
	    {1, "\"kind\":\"recording\"", "\"kind\":\"x\"",
	     "t.jsonl:1: ", "not a startle recording"},
	    {1, "\"redact\":false", "\"redact\":0", "t.jsonl:1: ", "\"redact\""},
	    {1, "smtp://127.0.0.1:2525", "smtp://[::1", "t.jsonl:1: ", "target"},
	    {1, "\"name\":null", "\"name\":\"a\"", "t.jsonl:1: ", "named null"},
	    {2, "\"kind\":\"line\"", "\"kind\":\"lime\"", "t.jsonl:2: ", "\"lime\""},
	    {2, "\"phase\":\"plain\"", "\"phase\":\"clear\"", "t.jsonl:2: ", "\"phase\""},
	    {2, "\"seq\":1", "\"seq\":0", "t.jsonl:2: ", "\"seq\""},
	    {2, "\"seq\":1", "\"session\":\"a\",\"seq\":1",
	     "t.jsonl:2: ", "names a session"},
	    {2, ",\"replay\":{", ",\"x\":{", "t.jsonl:2: ", "--json output"},
	    {2, "\"wall\":", "\"wall\":\"now\",\"w\":", "t.jsonl:2: ", "\"wall\""},
	    {2, "\"wall\":", "\"wall\":1.8e27,\"w\":", "t.jsonl:2: ", "\"wall\" is not from"},
	    {2, "\"replay\":{\"t\":", "\"replay\":{\"t\":-1,\"u\":", "t.jsonl:2: ",
	     "\"t\" is not from"},
	    {2, "\"text\":", "\"redacted\":true,\"text\":", "t.jsonl:2: ", "--redact"},
	    {2, "\"text\":", "\"text_base64\":\"!!\",\"text\":", "t.jsonl:2: ", "base64"},
	    {2, "}}\n", "}}\n\n", "t.jsonl:3: ", "empty line"},
	    {2, "}}\n", "}}\n{\"kind\":\"compare\"}\n", "t.jsonl:3: ", "one session"},
	    {2, "}}\n", "}", "t.jsonl:2: ", "cut short"},
	    {2, "\"seq\":1", "\"seq\":1,\"seq\":[[[[[[[[[1]]]]]]]]]",
	     "t.jsonl:2: ", "deeper"},
	};
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *text = one_event_recording(cases[i].line, cases[i].from, cases[i].to);
		refused(text, strlen(text), cases[i].where, cases[i].words);
		free(text);
	}
}

static void
test_json_output_and_garbage_say_what_they_are(void **state)
{
	static const char json[] =
	    "{\"seq\":1,\"t\":0.0001,\"phase\":\"plain\",\"dir\":\"local\","
	    "\"kind\":\"connect\",\"text\":\"connected\"}\n";
	(void)state;
	refused(json, sizeof json - 1, "t.jsonl:1: ", "--json output");
	refused("\x89PNG\r\n\x1a\n", 8, "t.jsonl:1: ", "not a startle recording");
	refused("", 0, "t.jsonl: ", "empty");
	refused("[1]\n", 4, "t.jsonl:1: ", "JSON object");
}

static void
test_a_line_past_the_cap_is_refused_before_it_is_parsed(void **state)
{
	size_t len = REPLAY_LINE_MAX + 2;
	char *text = xmalloc(len);
	(void)state;
	memset(text, ' ', len);
	text[len - 1] = '\n';
	refused(text, len, "t.jsonl:1: ", "longer than 4 MiB");
	free(text);
}

static void
test_a_comparison_checks_its_sessions(void **state)
{
	struct event a = event_of(EV_LINE, PHASE_PLAIN, DIR_SERVER, "220 a", 5);
	struct rec r;
	(void)state;
	rec_start(&r, 2, false);
	output_record(r.f, &a, false, NULL);
	rec_end(&r);
	refused(r.buf, r.len, "t.jsonl:2: ", "must name its session");
	free(r.buf);
	rec_start(&r, 2, false);
	fputs(
	    "{\"kind\":\"compare\",\"sessions\":{\"a\":{\"plaintext_bytes\":1,\"exit\":0},"
	    "\"b\":{\"plaintext_bytes\":0,\"exit\":0}}}\n",
	    r.f);
	output_record(r.f, &a, false, "a");
	rec_end(&r);
	refused(r.buf, r.len, "t.jsonl:3: ", "after the comparison");
	free(r.buf);
}

static void
test_a_file_is_read_and_a_directory_refused(void **state)
{
	struct event ev = event_of(EV_CLOSE, PHASE_TLS, DIR_LOCAL, "closed", 6);
	char path[] = "/tmp/startle-replay-XXXXXX";
	struct replay rp;
	char *cause = NULL;
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");
	const struct target t = {
	    .proto = PROTO_POP3, .port = 110, .host = "h", .scheme = "pop3"};
	const struct target *ts[1] = {&t};
	(void)state;
	output_recording_header(f, ts, (const char *const[]){NULL}, 1, false);
	output_record(f, &ev, false, NULL);
	fclose(f);
	assert_int_equal(replay_load(path, &rp, &cause), 0);
	assert_int_equal(rp.n, 1);
	assert_int_equal(rp.side[0].target.proto, PROTO_POP3);
	replay_free(&rp);
	unlink(path);
	assert_int_equal(replay_load("/tmp", &rp, &cause), -1);
	assert_non_null(strstr(cause, "is a directory"));
	free(cause);
	assert_int_equal(replay_load(path, &rp, &cause), -1);
	assert_non_null(strstr(cause, "cannot be read"));
	free(cause);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_a_line_that_is_not_utf8_comes_back_byte_for_byte),
	    cmocka_unit_test(test_a_utf8_line_has_no_base64),
	    cmocka_unit_test(test_findings_tls_and_verdicts_come_back),
	    cmocka_unit_test(test_a_certificate_comes_back_with_its_der),
	    cmocka_unit_test(test_records_and_dns_answers_come_back),
	    cmocka_unit_test(test_the_handshake_facts_and_client_certificate_come_back),
	    cmocka_unit_test(test_a_verdict_keeps_its_name_note_and_ocsp_and_a_cert_must_staple),
	    cmocka_unit_test(test_decrypted_messages_and_policies_come_back),
	    cmocka_unit_test(test_bad_values_of_the_new_fields_are_refused),
	    cmocka_unit_test(test_a_summary_recorded_before_the_new_fields_reads_them_as_none),
	    cmocka_unit_test(test_a_redacted_credential_keeps_its_length),
	    cmocka_unit_test(test_a_comparison_names_its_sides_and_summary),
	    cmocka_unit_test(test_what_is_not_a_recording_is_refused_with_its_line),
	    cmocka_unit_test(test_json_output_and_garbage_say_what_they_are),
	    cmocka_unit_test(test_a_line_past_the_cap_is_refused_before_it_is_parsed),
	    cmocka_unit_test(test_a_comparison_checks_its_sessions),
	    cmocka_unit_test(test_a_file_is_read_and_a_directory_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
