/*
 * The details pane and the status bar as data: the index kept event by event,
 * and the lines each tab builds from transcripts written here by hand, the
 * way the session writes them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "details.h"
#include "proto.h"
#include "styled.h"
#include "transcript.h"
#include "testutil.h"

#define NONE ((size_t)-1)
#define DAY 86400

/* Building transcripts */

/* Appends ev and pins its time to at seconds: the transcript stamps events
 * with the clock, tests need timings they can predict. */
static const struct event *
append_at(struct transcript *t, struct event ev, double at)
{
	const struct event *e = transcript_append(t, &ev);
	((struct event *)e)->t = at;
	return e;
}

static void
add_text(struct transcript *t, enum event_kind kind, enum phase phase, enum dir dir,
         const char *text, double at)
{
	struct event ev = {.phase = phase, .dir = dir, .kind = kind};
	ev.text = (unsigned char *)text;
	ev.len = strlen(text);
	append_at(t, ev, at);
}

static void
add_line(struct transcript *t, enum phase phase, enum dir dir, const char *text, double at)
{
	add_text(t, EV_LINE, phase, dir, text, at);
}

static void
add_record(struct transcript *t, enum phase phase, enum tls_dir dir, unsigned char type,
           size_t length, unsigned char hs_type, double at)
{
	struct tls_record rec = {.dir = dir,
	                         .type = type,
	                         .version = 0x0303,
	                         .length = length,
	                         .hs_type = hs_type,
	                         /* a named message was read; 0: an encrypted one */
	                         .readable = hs_type != 0,
	                         .head = {hs_type},
	                         .head_len = hs_type != 0};
	struct event ev = {.phase = phase,
	                   .kind = EV_NOTE,
	                   .dir = dir == TLS_DIR_OUT ? DIR_CLIENT : DIR_SERVER};
	char text[96];

	snprintf(text, sizeof text, "TLS record %s, %zu bytes",
	         dir == TLS_DIR_OUT ? "sent" : "received", length);
	ev.text = (unsigned char *)text;
	ev.len = strlen(text);
	ev.record = &rec;
	append_at(t, ev, at);
}

static void
add_summary(struct transcript *t, const char *version, const char *cipher,
            const char *group, double ms, double at)
{
	struct tls_summary sum = {.handshake_ms = ms,
	                          .records_in = 5,
	                          .records_out = 3,
	                          .bytes_in = 2460,
	                          .bytes_out = 640};
	struct event ev = {.phase = PHASE_TLS, .dir = DIR_LOCAL, .kind = EV_TLS};

	snprintf(sum.version, sizeof sum.version, "%s", version);
	snprintf(sum.cipher, sizeof sum.cipher, "%s", cipher);
	snprintf(sum.group, sizeof sum.group, "%s", group);
	snprintf(sum.sni, sizeof sum.sni, "mail.test");
	ev.text = (unsigned char *)"TLS summary";
	ev.len = 11;
	ev.tls = &sum;
	append_at(t, ev, at);
}

/* A certificate valid from now + from_days to now + to_days. */
static struct cert_info
make_cert(int depth, const char *subject, const char *issuer, long from_days, long to_days)
{
	struct cert_info c;
	time_t now = time(NULL);

	memset(&c, 0, sizeof c);
	c.depth = depth;
	c.subject = (char *)subject;
	c.issuer = (char *)issuer;
	c.serial = (char *)"01AB23CD";
	c.not_before = now + from_days * DAY;
	c.not_after = now + to_days * DAY + 3600;
	snprintf(c.key, sizeof c.key, "EC P-256");
	c.key_bits = 256;
	snprintf(c.sig, sizeof c.sig, "ecdsa-with-SHA256");
	memset(c.sha256, 'a', 64);
	memcpy(c.sha256 + 56, "12345678", 8);
	memset(c.spki_sha256, 'b', 64);
	memcpy(c.spki_sha256 + 56, "87654321", 8);
	return c;
}

static void
add_cert(struct transcript *t, const struct cert_info *c, double at)
{
	struct event ev = {.phase = PHASE_TLS, .dir = DIR_SERVER, .kind = EV_CERT};
	ev.text = (unsigned char *)"certificate";
	ev.len = 11;
	ev.cert = (struct cert_info *)c;
	append_at(t, ev, at);
}

static void
add_verdict(struct transcript *t, bool verified, const char *error, bool name_match,
            const char *name, double at)
{
	struct cert_verdict v = {.verified = verified,
	                         .name_match = name_match,
	                         .verify_error_depth = verified ? -1 : 0,
	                         .untrusted = !verified};
	struct event ev = {.phase = PHASE_TLS, .dir = DIR_LOCAL, .kind = EV_TLS};

	snprintf(v.verify_error, sizeof v.verify_error, "%s", error);
	snprintf(v.name_checked, sizeof v.name_checked, "%s", name);
	ev.text = (unsigned char *)"verdict";
	ev.len = 7;
	ev.verdict = &v;
	append_at(t, ev, at);
}

static void
add_finding(struct transcript *t, enum finding_id f, double at)
{
	struct event ev = {.phase = PHASE_PLAIN,
	                   .dir = DIR_LOCAL,
	                   .kind = EV_FINDING,
	                   .finding = f,
	                   .severity = finding_severity(f)};
	ev.text = (unsigned char *)finding_summary(f);
	ev.len = strlen(finding_summary(f));
	append_at(t, ev, at);
}

/* The plaintext part of an SMTP session up to the go-ahead. */
static void
add_smtp_plaintext(struct transcript *t)
{
	add_text(
	    t, EV_CONNECT, PHASE_PLAIN, DIR_LOCAL,
	    "connected to smtp://mail.test:25 (127.0.0.1 port 25) in 1.5 ms, explicit TLS",
	    0.0015);
	add_line(t, PHASE_PLAIN, DIR_SERVER, "220 mail.test ESMTP", 0.0100);
	add_line(t, PHASE_PLAIN, DIR_CLIENT, "EHLO startle.invalid", 0.0110);
	add_line(t, PHASE_PLAIN, DIR_SERVER, "250-mail.test", 0.0120);
	add_line(t, PHASE_PLAIN, DIR_SERVER, "250 STARTTLS", 0.0121);
	add_line(t, PHASE_PLAIN, DIR_CLIENT, "STARTTLS", 0.0200);
	add_line(t, PHASE_PLAIN, DIR_SERVER, "220 2.0.0 Ready to start TLS", 0.0250);
}

/* The handshake records of TLS 1.3 and the boundary after them. */
static void
add_tls13_handshake(struct transcript *t)
{
	add_text(t, EV_PHASE, PHASE_HANDSHAKE, DIR_LOCAL, "TLS handshake begins", 0.0260);
	add_record(t, PHASE_HANDSHAKE, TLS_DIR_OUT, 22, 517, 1, 0.0270);
	add_record(t, PHASE_HANDSHAKE, TLS_DIR_IN, 22, 122, 2, 0.0400);
	add_record(t, PHASE_HANDSHAKE, TLS_DIR_IN, 20, 1, 0, 0.0401);
	add_record(t, PHASE_HANDSHAKE, TLS_DIR_IN, 23, 2310, 0, 0.0402);
	add_record(t, PHASE_HANDSHAKE, TLS_DIR_OUT, 23, 58, 0, 0.0480);
	add_text(t, EV_PHASE, PHASE_TLS, DIR_LOCAL,
	         "TLS established: encrypted from here on", 0.0500);
	add_summary(t, "TLSv1.3", "TLS_AES_128_GCM_SHA256", "X25519", 23.4, 0.0500);
}

/* Leaf and root, then the verdict. */
static void
add_chain(struct transcript *t, const char *leaf_subject, bool verified, bool name_match)
{
	struct cert_info leaf = make_cert(0, leaf_subject, "CN=startle test CA", -30, 300);
	struct cert_info root =
	    make_cert(1, "CN=startle test CA", "CN=startle test CA", -60, 3000);
	const char *sans[] = {"DNS:mail.test", "DNS:localhost", "IP:127.0.0.1"};

	for (size_t i = 0; i < 3; i++)
		leaf.san[i] = (char *)sans[i];
	leaf.nsan = leaf.nsan_total = 3;
	root.is_ca = root.self_signed = true;
	add_cert(t, &leaf, 0.0501);
	add_cert(t, &root, 0.0502);
	add_verdict(t, verified, verified ? "" : "unable to get local issuer certificate",
	            name_match, "mail.test", 0.0503);
}

/* A whole explicit-TLS SMTP session, TLS 1.3, trusted certificate. */
static struct transcript *
smtp_session(bool verified, bool name_match)
{
	struct transcript *t = transcript_new();

	add_smtp_plaintext(t);
	add_tls13_handshake(t);
	add_chain(t, "CN=mail.test, O=startle test", verified, name_match);
	add_line(t, PHASE_TLS, DIR_CLIENT, "EHLO startle.invalid", 0.0600);
	add_line(t, PHASE_TLS, DIR_SERVER, "250 mail.test", 0.0610);
	return t;
}

static void
index_all(struct dindex *d, const struct transcript *t)
{
	dindex_init(d);
	for (size_t i = 0; i < transcript_count(t); i++)
		dindex_update(d, t, i);
}

/* Looking at the lines */

/* Index of the first line containing needle, or -1. */
static int
find_line(const struct slines *s, const char *needle)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].text != NULL && strstr(s->v[i].text, needle) != NULL)
			return (int)i;
	return -1;
}

static bool
has_line(const struct slines *s, const char *needle)
{
	return find_line(s, needle) >= 0;
}

/* The element of the first occurrence of needle among the lines. */
static enum theme_element
elem_of(const struct slines *s, const char *needle)
{
	int i = find_line(s, needle);
	assert_true(i >= 0);
	return testutil_elem_at(&s->v[i],
	                        (size_t)(strstr(s->v[i].text, needle) - s->v[i].text));
}

static enum theme_element
status_elem_of(const struct sline *l, const char *needle)
{
	const char *p = strstr(l->text, needle);
	assert_non_null(p);
	return testutil_elem_at(l, (size_t)(p - l->text));
}

/* All the lines joined, runs of spaces (wrap indents) made one: wrapped
 * text reads back as it was written. */
static char *
joined(const struct slines *s)
{
	size_t n = 1, used = 0;
	for (size_t i = 0; i < s->n; i++)
		n += s->v[i].len + 1;
	char *all = calloc(1, n);
	assert_non_null(all);
	for (size_t i = 0; i < s->n; i++) {
		for (size_t k = 0; k < s->v[i].len; k++) {
			char c = s->v[i].text[k];
			if (c == ' ' && used > 0 && all[used - 1] == ' ')
				continue;
			all[used++] = c;
		}
		if (used > 0 && all[used - 1] != ' ')
			all[used++] = ' ';
	}
	return all;
}

static void
assert_fits(const struct slines *s, int width)
{
	for (size_t i = 0; i < s->n; i++) {
		if (sline_width(&s->v[i]) > width)
			fail_msg("width %d: line %zu is %d columns: \"%s\"", width, i,
			         sline_width(&s->v[i]), s->v[i].text);
		assert_null(memchr(s->v[i].text, '\n', s->v[i].len));
	}
}

static void
assert_no_raw_escape(const struct slines *s)
{
	for (size_t i = 0; i < s->n; i++)
		assert_null(memchr(s->v[i].text, 0x1b, s->v[i].len));
}

/* Two sets of lines with the same text and elements. */
static void
assert_same_lines(const struct slines *a, const struct slines *b)
{
	assert_int_equal(a->n, b->n);
	for (size_t i = 0; i < a->n; i++) {
		assert_string_equal(a->v[i].text, b->v[i].text);
		assert_int_equal(a->v[i].nspans, b->v[i].nspans);
		for (size_t k = 0; k < a->v[i].nspans; k++) {
			assert_int_equal(a->v[i].spans[k].elem, b->v[i].spans[k].elem);
			assert_int_equal(a->v[i].spans[k].len, b->v[i].spans[k].len);
		}
	}
}

/* Builds one tab of a session at a width. */
enum which { W_HANDSHAKE, W_CERTS };

static void
build(enum which w, const struct transcript *t, int width, struct slines *out)
{
	struct dindex d;
	index_all(&d, t);
	slines_init(out);
	if (w == W_HANDSHAKE)
		details_handshake(&d, t, width, out);
	else
		details_certs(&d, t, width, out);
}

/* Tab names */

static void
test_tab_names_come_from_the_table(void **state)
{
	(void)state;
	assert_string_equal(details_tab_name(TAB_HANDSHAKE), "Handshake");
	assert_string_equal(details_tab_name(TAB_CERTS), "Certificates");
	assert_string_equal(details_tab_name(TAB_WIRE), "Wire");
	assert_string_equal(details_tab_name(TAB_HELP), "Help");
}

/* The index */

static void
test_index_starts_with_nothing_known(void **state)
{
	struct dindex d;
	(void)state;
	dindex_init(&d);
	assert_true(d.connect == NONE && d.greeting == NONE && d.starttls_sent == NONE);
	assert_true(d.handshake_begin == NONE && d.tls_summary == NONE &&
	            d.verdict == NONE);
	assert_true(d.last_finding == NONE);
	assert_int_equal(d.ncerts, 0);
	assert_int_equal(d.nrecords, 0);
	assert_int_equal(d.plain_lines, 0);
}

static void
test_index_finds_every_landmark_of_a_session(void **state)
{
	struct transcript *t = smtp_session(true, true);
	struct dindex d;
	(void)state;
	index_all(&d, t);
	assert_int_equal(d.connect, 0);
	assert_int_equal(d.greeting, 1);
	assert_int_equal(d.starttls_sent, 5);
	assert_int_equal(d.handshake_begin, 7);
	assert_int_equal(d.nrecords, 5);
	assert_int_equal(d.records[0], 8);
	assert_int_equal(d.tls_summary, 14);
	assert_int_equal(d.ncerts, 2);
	assert_int_equal(d.certs[0], 15);
	assert_int_equal(d.certs[1], 16);
	assert_int_equal(d.verdict, 17);
	transcript_free(t);
}

/* The index of the STARTTLS line in a one-line session of scheme, or NONE. */
static size_t
starttls_index(const char *scheme, const char *line)
{
	struct transcript *t = transcript_new();
	struct dindex d;
	char connect[128];

	if (scheme != NULL) {
		snprintf(connect, sizeof connect,
		         "connected to %s://mail.test:1 (127.0.0.1 port 1) in 1.0 ms, "
		         "explicit TLS",
		         scheme);
		add_text(t, EV_CONNECT, PHASE_PLAIN, DIR_LOCAL, connect, 0.001);
	}
	add_line(t, PHASE_PLAIN, DIR_CLIENT, line, 0.1);
	index_all(&d, t);
	transcript_free(t);
	return d.starttls_sent;
}

static void
test_index_recognises_the_starttls_command_of_the_session_protocol(void **state)
{
	static const struct {
		const char *scheme, *line;
		bool is;
	} cases[] = {
	    {"smtp", "STARTTLS", true},
	    {"submission", "starttls", true},
	    {"smtp", "EHLO starttls", false},
	    {"smtp", "STLS", false},
	    {"smtp", "STARTTLS now", false},
	    {"imap", "a STARTTLS", true},
	    {"imap", "A001 StartTLS", true},
	    {"imap", "STARTTLS", false},
	    {"imap", "a NOOP STARTTLS", false},
	    {"pop3", "STLS", true},
	    {"pop3", "stls", true},
	    {"pop3", "STARTTLS", false},
	};
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		size_t idx = starttls_index(cases[i].scheme, cases[i].line);
		if ((idx == 1) != cases[i].is)
			fail_msg("%s: \"%s\" %s", cases[i].scheme, cases[i].line,
			         cases[i].is ? "was not taken for STARTTLS"
			                     : "was taken for STARTTLS");
	}
}

static void
test_index_without_a_connect_event_accepts_any_protocols_form(void **state)
{
	(void)state;
	assert_int_equal(starttls_index(NULL, "STARTTLS"), 0);
	assert_int_equal(starttls_index(NULL, "a starttls"), 0);
	assert_int_equal(starttls_index(NULL, "STLS"), 0);
	assert_true(starttls_index(NULL, "NOOP") == NONE);
	assert_true(starttls_index(NULL, "MAIL FROM:<starttls@x>") == NONE);
}

static void
test_index_ignores_starttls_from_the_server(void **state)
{
	struct transcript *t = transcript_new();
	struct dindex d;
	(void)state;
	add_line(t, PHASE_PLAIN, DIR_SERVER, "STARTTLS", 0.1);
	index_all(&d, t);
	assert_true(d.starttls_sent == NONE);
	assert_int_equal(d.greeting, 0);
	transcript_free(t);
}

static void
test_index_counts_plaintext_lines_and_bytes_with_crlf(void **state)
{
	struct transcript *t = transcript_new();
	struct dindex d;
	(void)state;
	add_smtp_plaintext(t);
	index_all(&d, t);
	/* 19 + 20 + 13 + 12 + 8 + 28 bytes, and CRLF after each of the 6 lines */
	assert_int_equal(d.plain_lines, 6);
	assert_int_equal(d.plain_bytes, 19 + 20 + 13 + 12 + 8 + 28 + 6 * 2);
	assert_int_equal(d.tls_lines, 0);
	transcript_free(t);
}

static void
test_index_counts_lines_inside_tls_apart(void **state)
{
	struct transcript *t = smtp_session(true, true);
	struct dindex d;
	(void)state;
	index_all(&d, t);
	assert_int_equal(d.plain_lines, 6);
	assert_int_equal(d.tls_lines, 2);
	transcript_free(t);
}

static void
test_index_counts_records_after_the_handshake_without_listing_them(void **state)
{
	struct transcript *t = smtp_session(true, true);
	struct dindex d;
	(void)state;
	add_record(t, PHASE_TLS, TLS_DIR_OUT, 23, 40, 0, 0.07);
	add_record(t, PHASE_TLS, TLS_DIR_IN, 23, 90, 0, 0.08);
	index_all(&d, t);
	assert_int_equal(d.nrecords, 5);
	assert_int_equal(d.records_after, 2);
	transcript_free(t);
}

static void
test_index_keeps_at_most_the_maximum_of_handshake_records(void **state)
{
	struct transcript *t = transcript_new();
	struct dindex d;
	(void)state;
	add_text(t, EV_PHASE, PHASE_HANDSHAKE, DIR_LOCAL, "TLS handshake begins", 0.01);
	for (int i = 0; i < DINDEX_MAX_RECORDS + 10; i++)
		add_record(t, PHASE_HANDSHAKE, TLS_DIR_IN, 22, 10, 2, 0.02);
	index_all(&d, t);
	assert_int_equal(d.nrecords, DINDEX_MAX_RECORDS);
	assert_int_equal(d.records[DINDEX_MAX_RECORDS - 1], DINDEX_MAX_RECORDS);
	assert_int_equal(d.records_after, 10);
	transcript_free(t);
}

static void
test_index_starts_a_new_chain_when_a_new_handshake_begins(void **state)
{
	struct transcript *t = smtp_session(true, true);
	struct dindex d;
	(void)state;
	add_text(t, EV_PHASE, PHASE_HANDSHAKE, DIR_LOCAL, "TLS handshake begins", 0.1);
	index_all(&d, t);
	assert_int_equal(d.handshake_begin, transcript_count(t) - 1);
	assert_int_equal(d.ncerts, 0);
	assert_int_equal(d.nrecords, 0);
	assert_true(d.tls_summary == NONE);
	assert_true(d.verdict == NONE);
	assert_int_equal(d.starttls_sent, 5);
	transcript_free(t);
}

static void
test_index_counts_findings_by_severity_and_keeps_the_last(void **state)
{
	struct transcript *t = transcript_new();
	struct dindex d;
	(void)state;
	add_finding(t, FINDING_PLAINTEXT_AUTH, 0.1);
	add_finding(t, FINDING_CERT_UNTRUSTED, 0.2);
	add_finding(t, FINDING_CONTROL_CHARS, 0.3);
	add_finding(t, FINDING_LOGINDISABLED, 0.4);
	index_all(&d, t);
	assert_int_equal(d.findings[SEV_DANGER], 2);
	assert_int_equal(d.findings[SEV_WARN], 1);
	assert_int_equal(d.findings[SEV_INFO], 1);
	assert_int_equal(d.last_finding, 3);
	transcript_free(t);
}

static void
index_listener(void *arg, const struct transcript *t, const struct event *ev)
{
	dindex_update(arg, t, ev->seq - 1);
}

static void
test_index_kept_by_a_listener_equals_one_pass_over_the_transcript(void **state)
{
	struct transcript *t = transcript_new();
	struct dindex live, after;
	(void)state;
	dindex_init(&live);
	assert_int_equal(transcript_listen(t, index_listener, &live), 0);
	add_smtp_plaintext(t);
	add_tls13_handshake(t);
	add_chain(t, "CN=mail.test", true, true);
	add_finding(t, FINDING_CAPS_CHANGED_AFTER_TLS, 0.1);
	index_all(&after, t);
	assert_memory_equal(&live, &after, sizeof live);
	transcript_free(t);
}

/* Handshake tab */

static void
test_handshake_before_tls_explains_how_to_start_it(void **state)
{
	struct transcript *t = transcript_new();
	struct slines out;
	(void)state;
	add_smtp_plaintext(t);
	build(W_HANDSHAKE, t, 80, &out);
	char *all = joined(&out);
	assert_non_null(strstr(all, "No TLS yet"));
	assert_non_null(strstr(all, "STARTTLS"));
	assert_non_null(strstr(all, "/starttls"));
	assert_false(has_line(&out, "Records on the wire"));
	free(all);
	slines_free(&out);
	transcript_free(t);
}

static void
test_handshake_shows_the_negotiated_parameters(void **state)
{
	struct transcript *t = smtp_session(true, true);
	struct slines out;
	(void)state;
	build(W_HANDSHAKE, t, 80, &out);
	assert_true(has_line(&out, "TLSv1.3"));
	assert_true(has_line(&out, "TLS_AES_128_GCM_SHA256"));
	assert_true(has_line(&out, "X25519"));
	assert_true(has_line(&out, "mail.test"));
	int r = find_line(&out, "Resumed");
	assert_true(r >= 0);
	assert_non_null(strstr(out.v[r].text, "no"));
	assert_int_equal(elem_of(&out, "Version"), TE_LABEL);
	assert_int_equal(elem_of(&out, "X25519"), TE_VALUE);
	slines_free(&out);
	transcript_free(t);
}

/* A TLS 1.3 handshake message startle decrypted, as the session writes it. */
static void
add_message(struct transcript *t, enum tls_dir dir, unsigned char type, size_t length,
            const char *explain, double at)
{
	struct tls_message m = {.dir = dir, .type = type, .length = length};
	struct event ev = {.phase = PHASE_HANDSHAKE,
	                   .kind = EV_NOTE,
	                   .dir = dir == TLS_DIR_OUT ? DIR_CLIENT : DIR_SERVER};

	ev.text = (unsigned char *)"TLS message (decrypted)";
	ev.len = strlen((const char *)ev.text);
	ev.explain = (char *)explain;
	ev.message = &m;
	append_at(t, ev, at);
}

/* A TLS 1.3 session whose encrypted handshake was decrypted (view), or not. */
static struct transcript *
decrypted_session(enum tls_hs_view view)
{
	struct transcript *t = transcript_new();
	struct tls_summary sum = {
	    .handshake_ms = 3, .encrypted_handshake = view, .key_share_bytes = 32};
	struct event ev = {.phase = PHASE_TLS, .dir = DIR_LOCAL, .kind = EV_TLS};

	add_smtp_plaintext(t);
	add_text(t, EV_PHASE, PHASE_HANDSHAKE, DIR_LOCAL, "TLS handshake begins", 0.0260);
	add_record(t, PHASE_HANDSHAKE, TLS_DIR_OUT, 22, 517, 1, 0.0270);
	add_record(t, PHASE_HANDSHAKE, TLS_DIR_IN, 22, 122, 2, 0.0400);
	add_record(t, PHASE_HANDSHAKE, TLS_DIR_IN, 23, 1200, 0, 0.0402);
	if (view == TLS_HS_DECRYPTED) {
		add_message(t, TLS_DIR_IN, 8, 2, "answers to the client's extensions",
		            0.0403);
		add_message(t, TLS_DIR_IN, 11, 987, "a copy anyone could send", 0.0403);
		add_message(t, TLS_DIR_IN, 15, 75, "proves the server holds the leaf's key",
		            0.0403);
		add_message(t, TLS_DIR_IN, 20, 32, "nothing was changed", 0.0403);
		snprintf(sum.signature, sizeof sum.signature, "ecdsa_secp256r1_sha256");
	}
	add_text(t, EV_PHASE, PHASE_TLS, DIR_LOCAL, "TLS established", 0.0500);
	snprintf(sum.version, sizeof sum.version, "TLSv1.3");
	snprintf(sum.cipher, sizeof sum.cipher, "TLS_AES_128_GCM_SHA256");
	snprintf(sum.group, sizeof sum.group, "X25519");
	ev.text = (unsigned char *)"TLS summary";
	ev.len = 11;
	ev.tls = &sum;
	append_at(t, ev, 0.0500);
	return t;
}

static void
test_handshake_lists_the_decrypted_messages_with_sizes_and_what_they_prove(void **state)
{
	struct transcript *t = decrypted_session(TLS_HS_DECRYPTED);
	struct slines out;
	(void)state;
	build(W_HANDSHAKE, t, 80, &out);
	int title = find_line(&out, "Encrypted handshake, decrypted by startle");
	int ee = find_line(&out, "<- EncryptedExtensions");
	int cert = find_line(&out, "<- Certificate");
	int cv = find_line(&out, "<- CertificateVerify");
	int fin = find_line(&out, "<- Finished");
	assert_true(title >= 0 && ee > title && cert > ee && cv > cert && fin > cv);
	assert_non_null(strstr(out.v[cert].text, "987 B"));
	assert_non_null(strstr(out.v[cv].text, "75 B"));
	/* what each proves, right below it */
	assert_true(find_line(&out, "proves the server holds the leaf's key") == cv + 1);
	/* a row leads to its event */
	assert_int_equal(out.v[cv].tag, (int)transcript_count(t) - 4);
	int sig = find_line(&out, "Signature");
	assert_true(sig >= 0);
	assert_non_null(strstr(out.v[sig].text, "ecdsa_secp256r1_sha256"));
	assert_true(has_line(&out, "X25519, the server's key share 32 bytes"));
	slines_free(&out);
	transcript_free(t);
}

static void
test_handshake_says_plainly_when_this_build_cannot_decrypt(void **state)
{
	struct transcript *t = decrypted_session(TLS_HS_UNAVAILABLE);
	struct slines out;
	(void)state;
	build(W_HANDSHAKE, t, 80, &out);
	assert_true(has_line(&out, "Encrypted handshake"));
	assert_true(has_line(&out, "This build of startle cannot show them"));
	assert_false(has_line(&out, "<- Certificate"));
	int sig = find_line(&out, "Signature");
	assert_true(sig >= 0);
	assert_non_null(strstr(out.v[sig].text, "inside the encrypted handshake"));
	slines_free(&out);
	transcript_free(t);
}

/* The tab of a session whose summary is sum (TLS 1.3, decrypted). */
static void
build_summary(struct tls_summary sum, struct slines *out)
{
	struct transcript *t = transcript_new();
	struct event ev = {.phase = PHASE_TLS, .dir = DIR_LOCAL, .kind = EV_TLS};

	add_smtp_plaintext(t);
	add_text(t, EV_PHASE, PHASE_HANDSHAKE, DIR_LOCAL, "TLS handshake begins", 0.0260);
	add_text(t, EV_PHASE, PHASE_TLS, DIR_LOCAL, "TLS established", 0.0500);
	snprintf(sum.version, sizeof sum.version, "TLSv1.3");
	ev.text = (unsigned char *)"TLS summary";
	ev.len = 11;
	ev.tls = &sum;
	append_at(t, ev, 0.0500);
	build(W_HANDSHAKE, t, 100, out);
	transcript_free(t);
}

static void
test_handshake_says_whether_alpn_was_offered_and_agreed(void **state)
{
	struct slines out;
	(void)state;
	build_summary((struct tls_summary){.alpn_offered = false}, &out);
	assert_true(has_line(&out, "ALPN         not offered, as by mail clients"));
	slines_free(&out);
	build_summary((struct tls_summary){.alpn_offered = true, .alpn = "smtp"}, &out);
	int r = find_line(&out, "ALPN");
	assert_true(r >= 0);
	assert_non_null(strstr(out.v[r].text, "smtp"));
	slines_free(&out);
	build_summary((struct tls_summary){.alpn_offered = true}, &out);
	assert_true(has_line(&out, "none agreed: the server chose no protocol"));
	slines_free(&out);
}

static void
test_handshake_escapes_the_alpn_and_signature_it_was_given(void **state)
{
	struct slines out;
	(void)state;
	build_summary((struct tls_summary){.alpn_offered = true,
	                                   .alpn = "smtp\x1b[2J",
	                                   .signature = "ecdsa\x9b" "1m"},
	              &out);
	assert_false(has_line(&out, "\x1b"));
	assert_false(has_line(&out, "\x9b"));
	assert_int_equal(elem_of(&out, "smtp"), TE_VALUE);
	assert_int_equal(elem_of(&out, "\\x1b"), TE_ESCAPED);
	assert_int_equal(elem_of(&out, "\\x9b"), TE_ESCAPED);
	slines_free(&out);
}

static void
test_handshake_says_what_became_of_an_offered_session(void **state)
{
	struct slines out;
	(void)state;
	build_summary((struct tls_summary){.resume_offered = true, .resumed = true}, &out);
	assert_true(has_line(&out, "yes: the session of the earlier connection"));
	assert_true(has_line(&out, "none: a resumed session signs nothing"));
	slines_free(&out);
	build_summary((struct tls_summary){.resume_offered = true}, &out);
	assert_true(has_line(&out, "the server chose a full handshake"));
	slines_free(&out);
	build_summary((struct tls_summary){.hello_retry = true, .group = "SECP256R1"},
	              &out);
	assert_true(has_line(&out, "after a HelloRetryRequest"));
	slines_free(&out);
}

static void
test_handshake_of_tls12_has_no_encrypted_section(void **state)
{
	struct transcript *t = decrypted_session(TLS_HS_READABLE);
	struct slines out;
	(void)state;
	build(W_HANDSHAKE, t, 80, &out);
	assert_false(has_line(&out, "Encrypted handshake"));
	slines_free(&out);
	transcript_free(t);
}

/* One meaning for a record's size: the body, as JSON's length, with the
 * header counted only where the tab says so. */
static void
test_handshake_record_sizes_are_the_body_and_say_so(void **state)
{
	struct transcript *t = smtp_session(true, true);
	struct slines out;
	(void)state;
	build(W_HANDSHAKE, t, 80, &out);
	char *all = joined(&out);
	assert_true(has_line(&out, "517 B"));
	assert_false(has_line(&out, "522 B"));
	assert_non_null(strstr(all, "on the wire with their headers"));
	assert_non_null(strstr(all, "length of each record's body"));
	assert_non_null(strstr(all, "5-byte header"));
	free(all);
	slines_free(&out);
	transcript_free(t);
}

static void
test_handshake_timings_come_from_the_event_times(void **state)
{
	struct transcript *t = smtp_session(true, true);
	struct slines out;
	int i;
	(void)state;
	build(W_HANDSHAKE, t, 80, &out);
	i = find_line(&out, "Connect");
	assert_true(i >= 0);
	assert_non_null(strstr(out.v[i].text, "1.5 ms"));
	i = find_line(&out, "Greeting");
	assert_true(i >= 0);
	assert_non_null(strstr(out.v[i].text, "8.5 ms"));
	i = find_line(&out, "STARTTLS  ");
	assert_true(i >= 0);
	assert_non_null(strstr(out.v[i].text, "6.0 ms"));
	i = find_line(&out, "Handshake  ");
	assert_true(i >= 0);
	assert_non_null(strstr(out.v[i].text, "23.4 ms"));
	slines_free(&out);
	transcript_free(t);
}

static void
test_handshake_connect_time_falls_back_to_the_event_time(void **state)
{
	struct transcript *t = transcript_new();
	struct slines out;
	int i;
	(void)state;
	add_text(t, EV_CONNECT, PHASE_PLAIN, DIR_LOCAL, "connected to mail.test", 0.0042);
	build(W_HANDSHAKE, t, 80, &out);
	i = find_line(&out, "Connect");
	assert_true(i >= 0);
	assert_non_null(strstr(out.v[i].text, "4.2 ms"));
	slines_free(&out);
	transcript_free(t);
}

static void
test_handshake_lists_records_with_direction_type_size_and_message(void **state)
{
	struct transcript *t = smtp_session(true, true);
	struct slines out;
	int title, hello, shello, app;
	(void)state;
	build(W_HANDSHAKE, t, 80, &out);
	title = find_line(&out, "Records on the wire");
	hello = find_line(&out, "ClientHello");
	shello = find_line(&out, "ServerHello");
	app = find_line(&out, "2310 B");
	assert_true(title >= 0 && hello > title && shello > hello && app > shello);
	assert_non_null(strstr(out.v[hello].text, "->"));
	assert_non_null(strstr(out.v[hello].text, "handshake"));
	assert_non_null(strstr(out.v[hello].text, "517 B"));
	assert_non_null(strstr(out.v[shello].text, "<-"));
	assert_non_null(strstr(out.v[app].text, "application_data"));
	assert_non_null(strstr(out.v[app].text, "encrypted"));
	assert_int_equal(out.v[hello].tag, 8);
	slines_free(&out);
	transcript_free(t);
}

static void
test_handshake_tls13_explains_the_encrypted_handshake(void **state)
{
	struct transcript *t = smtp_session(true, true);
	struct slines out;
	(void)state;
	build(W_HANDSHAKE, t, 80, &out);
	char *all = joined(&out);
	assert_non_null(strstr(all, "After ServerHello the rest of the handshake"));
	assert_non_null(strstr(all, "application_data records"));
	free(all);
	slines_free(&out);
	transcript_free(t);
}

static void
test_handshake_tls12_says_the_certificate_travels_readable(void **state)
{
	struct transcript *t = transcript_new();
	struct slines out;
	(void)state;
	add_smtp_plaintext(t);
	add_text(t, EV_PHASE, PHASE_HANDSHAKE, DIR_LOCAL, "TLS handshake begins", 0.026);
	add_record(t, PHASE_HANDSHAKE, TLS_DIR_OUT, 22, 200, 1, 0.027);
	add_record(t, PHASE_HANDSHAKE, TLS_DIR_IN, 22, 1800, 11, 0.030);
	add_summary(t, "TLSv1.2", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "SECP256R1", 9.0,
	            0.04);
	build(W_HANDSHAKE, t, 80, &out);
	char *all = joined(&out);
	assert_non_null(strstr(all, "certificate included"));
	assert_null(strstr(all, "After ServerHello"));
	assert_true(has_line(&out, "Certificate"));
	free(all);
	slines_free(&out);
	transcript_free(t);
}

static void
test_handshake_mentions_records_after_the_handshake(void **state)
{
	struct transcript *t = smtp_session(true, true);
	struct slines out;
	(void)state;
	add_record(t, PHASE_TLS, TLS_DIR_OUT, 23, 40, 0, 0.07);
	add_record(t, PHASE_TLS, TLS_DIR_IN, 23, 90, 0, 0.08);
	build(W_HANDSHAKE, t, 80, &out);
	assert_true(has_line(&out, "and 2 more records after the handshake"));
	slines_free(&out);
	transcript_free(t);
}

static void
test_handshake_under_way_lists_the_records_so_far(void **state)
{
	struct transcript *t = transcript_new();
	struct slines out;
	(void)state;
	add_smtp_plaintext(t);
	add_text(t, EV_PHASE, PHASE_HANDSHAKE, DIR_LOCAL, "TLS handshake begins", 0.026);
	add_record(t, PHASE_HANDSHAKE, TLS_DIR_OUT, 22, 517, 1, 0.027);
	build(W_HANDSHAKE, t, 80, &out);
	assert_true(has_line(&out, "under way"));
	assert_true(has_line(&out, "ClientHello"));
	assert_false(has_line(&out, "No TLS yet"));
	slines_free(&out);
	transcript_free(t);
}

static void
test_handshake_names_a_readable_alert(void **state)
{
	struct transcript *t = transcript_new();
	struct tls_record rec = {.dir = TLS_DIR_IN,
	                         .type = 21,
	                         .version = 0x0303,
	                         .length = 2,
	                         .head = {2, 48},
	                         .head_len = 2};
	struct event ev = {.phase = PHASE_HANDSHAKE,
	                   .dir = DIR_SERVER,
	                   .kind = EV_NOTE,
	                   .text = (unsigned char *)"alert",
	                   .len = 5,
	                   .record = &rec};
	struct slines out;
	(void)state;
	add_text(t, EV_PHASE, PHASE_HANDSHAKE, DIR_LOCAL, "TLS handshake begins", 0.026);
	append_at(t, ev, 0.03);
	build(W_HANDSHAKE, t, 80, &out);
	assert_true(has_line(&out, "fatal alert unknown_ca"));
	slines_free(&out);
	transcript_free(t);
}

static void
test_handshake_of_implicit_tls_has_no_starttls_step(void **state)
{
	struct transcript *t = transcript_new();
	struct slines out;
	int i;
	(void)state;
	add_text(t, EV_CONNECT, PHASE_PLAIN, DIR_LOCAL,
	         "connected to smtps://mail.test:465 (127.0.0.1 port 465) in 2.0 ms, "
	         "implicit TLS",
	         0.002);
	add_tls13_handshake(t);
	add_line(t, PHASE_TLS, DIR_SERVER, "220 mail.test ESMTP", 0.06);
	build(W_HANDSHAKE, t, 80, &out);
	i = find_line(&out, "STARTTLS");
	assert_true(i >= 0);
	assert_non_null(strstr(out.v[i].text, "implicit TLS"));
	i = find_line(&out, "Greeting");
	assert_true(i >= 0);
	assert_non_null(strstr(out.v[i].text, "58.0 ms"));
	slines_free(&out);
	transcript_free(t);
}

/* Certificates tab */

static void
test_certs_before_tls_say_there_is_no_certificate_yet(void **state)
{
	struct transcript *t = transcript_new();
	struct slines out;
	(void)state;
	add_smtp_plaintext(t);
	build(W_CERTS, t, 80, &out);
	assert_true(has_line(&out, "No certificate yet"));
	assert_false(has_line(&out, "Verdict"));
	slines_free(&out);
	transcript_free(t);
}

static void
test_certs_show_each_certificate_leaf_first(void **state)
{
	struct transcript *t = smtp_session(true, true);
	struct slines out;
	int leaf, root, subj;
	(void)state;
	build(W_CERTS, t, 80, &out);
	leaf = find_line(&out, "Certificate 0: leaf");
	root = find_line(&out, "Certificate 1: root");
	subj = find_line(&out, "CN=mail.test, O=startle test");
	assert_true(leaf >= 0 && subj > leaf && root > subj);
	assert_int_equal(elem_of(&out, "CN=mail.test"), TE_VALUE);
	assert_true(has_line(&out, "CN=startle test CA"));
	assert_true(has_line(&out, "01AB23CD"));
	assert_true(has_line(&out, "EC P-256"));
	assert_true(has_line(&out, "ecdsa-with-SHA256"));
	assert_true(has_line(&out, "DNS:localhost"));
	assert_true(has_line(&out, "yes, self-signed"));
	assert_int_equal(out.v[subj].tag, 15);
	slines_free(&out);
	transcript_free(t);
}

/* A session whose verdict carries a stapled OCSP response. */
static struct transcript *
session_with_ocsp(const struct cert_ocsp *o, const char *note, bool legacy)
{
	struct transcript *t = transcript_new();
	struct cert_info leaf = make_cert(0, "CN=mail.test", "CN=ca", -1, 30);
	struct cert_verdict v = {.verified = true, .name_match = true,
	                         .name_legacy = legacy, .verify_error_depth = -1,
	                         .ocsp = *o};
	struct event ev = {.phase = PHASE_TLS, .dir = DIR_LOCAL, .kind = EV_TLS};

	leaf.must_staple = o->must_staple;
	snprintf(v.name_checked, sizeof v.name_checked, "mail.test");
	snprintf(v.name_note, sizeof v.name_note, "%s", note);
	add_cert(t, &leaf, 0.1);
	ev.text = (unsigned char *)"verdict";
	ev.len = 7;
	ev.verdict = &v;
	append_at(t, ev, 0.2);
	return t;
}

static void
test_certs_show_a_good_staple_with_its_dates_and_responder(void **state)
{
	struct cert_ocsp o = {.state = CERT_OCSP_GOOD,
	                      .verified = true,
	                      .produced_at = 1800000000,
	                      .this_update = 1799996400,
	                      .next_update = 1800604800,
	                      .responder = "CN=startle lab CA\x1b[2J",
	                      .signer = "the issuer"};
	struct transcript *t = session_with_ocsp(&o, "named by DNS:mail.test", false);
	struct slines out;
	(void)state;
	build(W_CERTS, t, 100, &out);
	assert_int_equal(elem_of(&out, "good: the CA says the certificate is not revoked"),
	                 TE_GOOD);
	assert_true(has_line(&out, "2027-01-15T08:00:00Z"));
	assert_true(has_line(&out, "2027-01-15T07:00:00Z"));
	assert_true(has_line(&out, "2027-01-22T08:00:00Z"));
	assert_int_equal(elem_of(&out, "\\x1b"), TE_ESCAPED);
	assert_false(has_line(&out, "\x1b"));
	assert_int_equal(elem_of(&out, "the issuer"), TE_GOOD);
	assert_int_equal(elem_of(&out, "named by DNS:mail.test"), TE_INFO);
	slines_free(&out);
	transcript_free(t);
}

static void
test_certs_show_a_revoked_staple_and_a_missing_one_in_red(void **state)
{
	struct cert_ocsp o = {.state = CERT_OCSP_REVOKED,
	                      .verified = true,
	                      .produced_at = 1800000000,
	                      .this_update = 1799996400,
	                      .revoked_at = 1799913600,
	                      .reason = "keyCompromise",
	                      .signer = "the issuer"};
	struct transcript *t = session_with_ocsp(&o, "named only by the subject CN", true);
	struct slines out;
	(void)state;
	build(W_CERTS, t, 100, &out);
	assert_int_equal(elem_of(&out, "REVOKED since 2027-01-14T08:00:00Z: keyCompromise"),
	                 TE_BAD);
	assert_true(has_line(&out, "none given"));
	assert_int_equal(elem_of(&out, "named only by the subject CN"), TE_FINDING_WARN);
	slines_free(&out);
	transcript_free(t);

	o = (struct cert_ocsp){.state = CERT_OCSP_NONE, .must_staple = true};
	t = session_with_ocsp(&o, "", false);
	build(W_CERTS, t, 100, &out);
	assert_int_equal(elem_of(&out, "MISSING: the certificate demands a stapled"), TE_BAD);
	assert_true(has_line(&out, "status_request: OCSP Must-Staple (RFC 7633)"));
	slines_free(&out);
	transcript_free(t);

	o = (struct cert_ocsp){.state = CERT_OCSP_NONE};
	t = session_with_ocsp(&o, "", false);
	build(W_CERTS, t, 100, &out);
	assert_int_equal(elem_of(&out, "no stapled response: startle asked"), TE_INFO);
	assert_false(has_line(&out, "Produced"));
	slines_free(&out);
	transcript_free(t);
}

/* A recording is read back into these fields as it was written: a control
 * byte in one is shown escaped, in the row's own element around it. */
static void
test_certs_escape_the_ocsp_problem_signer_and_name_note(void **state)
{
	struct cert_ocsp o = {.state = CERT_OCSP_UNREADABLE,
	                      .problem = "not an OCSP response\x1b[2J"};
	struct transcript *t = session_with_ocsp(&o, "named by \x1b]0;hi\a", false);
	struct slines out;
	(void)state;
	build(W_CERTS, t, 100, &out);
	assert_false(has_line(&out, "\x1b"));
	assert_false(has_line(&out, "\a"));
	assert_int_equal(elem_of(&out, "not an OCSP response"), TE_BAD);
	assert_int_equal(elem_of(&out, "named by "), TE_INFO);
	assert_int_equal(elem_of(&out, "\\x07"), TE_ESCAPED);
	slines_free(&out);
	transcript_free(t);

	o = (struct cert_ocsp){.state = CERT_OCSP_GOOD, .verified = true,
	                       .signer = "the issuer\x1b[2J"};
	t = session_with_ocsp(&o, "", false);
	build(W_CERTS, t, 100, &out);
	assert_false(has_line(&out, "\x1b"));
	assert_int_equal(elem_of(&out, "the issuer"), TE_GOOD);
	assert_int_equal(elem_of(&out, "\\x1b[2J"), TE_ESCAPED);
	slines_free(&out);
	transcript_free(t);
}

/* A session's summary with what the server asked of the client. */
static struct transcript *
session_with_client_cert(bool requested, const char *sent)
{
	struct transcript *t = transcript_new();
	struct tls_summary sum = {.client_cert_requested = requested,
	                          .client_cert_sent = requested && sent != NULL};
	struct event ev = {.phase = PHASE_TLS, .dir = DIR_LOCAL, .kind = EV_TLS};

	snprintf(sum.version, sizeof sum.version, "TLSv1.3");
	snprintf(sum.client_cert_subject, sizeof sum.client_cert_subject, "%s",
	         sent != NULL ? sent : "");
	ev.text = (unsigned char *)"TLS summary";
	ev.len = 11;
	ev.tls = &sum;
	append_at(t, ev, 0.1);
	return t;
}

static void
test_certs_say_whether_a_client_certificate_was_asked_for_and_sent(void **state)
{
	struct transcript *t = session_with_client_cert(true, "CN=me\x07");
	struct slines out;
	(void)state;
	build(W_CERTS, t, 100, &out);
	assert_true(has_line(&out, "Client certificate (mutual TLS)"));
	assert_true(has_line(&out, "yes: the server sent a CertificateRequest"));
	assert_int_equal(elem_of(&out, "CN=me"), TE_VALUE);
	assert_int_equal(elem_of(&out, "\\x07"), TE_ESCAPED);
	slines_free(&out);
	transcript_free(t);

	t = session_with_client_cert(true, NULL);
	build(W_CERTS, t, 100, &out);
	assert_int_equal(elem_of(&out, "none: give one with --cert FILE --key FILE"), TE_BAD);
	slines_free(&out);
	transcript_free(t);

	t = session_with_client_cert(false, NULL);
	build(W_CERTS, t, 100, &out);
	assert_int_equal(elem_of(&out, "no: the server did not ask"), TE_INFO);
	assert_false(has_line(&out, "Sent"));
	slines_free(&out);
	transcript_free(t);
}

static void
test_certs_validity_is_judged_against_now(void **state)
{
	struct transcript *t = transcript_new();
	struct cert_info valid = make_cert(0, "CN=valid", "CN=ca", -10, 42);
	struct cert_info expired = make_cert(1, "CN=expired", "CN=ca", -400, -5);
	struct cert_info early = make_cert(2, "CN=early", "CN=ca", 3, 300);
	struct slines out;
	(void)state;
	add_cert(t, &valid, 0.1);
	add_cert(t, &expired, 0.1);
	add_cert(t, &early, 0.1);
	build(W_CERTS, t, 80, &out);
	assert_true(has_line(&out, "valid for 42 more days"));
	assert_int_equal(elem_of(&out, "valid for 42 more days"), TE_GOOD);
	assert_true(has_line(&out, "expired 4 days ago"));
	assert_int_equal(elem_of(&out, "expired 4 days ago"), TE_BAD);
	assert_true(has_line(&out, "not yet valid"));
	assert_int_equal(elem_of(&out, "not yet valid"), TE_BAD);
	slines_free(&out);
	transcript_free(t);
}

static void
test_certs_cap_the_names_with_and_n_more(void **state)
{
	struct transcript *t = transcript_new();
	struct cert_info c = make_cert(0, "CN=many", "CN=ca", -1, 10);
	char names[CERT_SAN_MAX][24];
	struct slines out;
	(void)state;
	for (size_t i = 0; i < CERT_SAN_MAX; i++) {
		snprintf(names[i], sizeof names[i], "DNS:host%zu.test", i);
		c.san[i] = names[i];
	}
	c.nsan = CERT_SAN_MAX;
	c.nsan_total = 100;
	add_cert(t, &c, 0.1);
	build(W_CERTS, t, 80, &out);
	assert_true(has_line(&out, "DNS:host0.test"));
	assert_true(has_line(&out, "DNS:host7.test"));
	assert_false(has_line(&out, "DNS:host8.test"));
	assert_true(has_line(&out, "and 92 more"));
	slines_free(&out);
	transcript_free(t);
}

static void
test_certs_show_both_fingerprints_whole_even_when_wrapped(void **state)
{
	struct transcript *t = smtp_session(true, true);
	struct slines out;
	(void)state;
	build(W_CERTS, t, 40, &out);
	assert_fits(&out, 40);
	char *all = joined(&out);
	char sha[65], spki[65];
	memset(sha, 'a', 56);
	memcpy(sha + 56, "12345678", 9);
	memset(spki, 'b', 56);
	memcpy(spki + 56, "87654321", 9);
	/* wrapped lines continue after an indent: strip spaces before searching */
	char *w = all;
	for (char *r = all; *r != '\0'; r++)
		if (*r != ' ')
			*w++ = *r;
	*w = '\0';
	assert_non_null(strstr(all, sha));
	assert_non_null(strstr(all, spki));
	free(all);
	slines_free(&out);
	transcript_free(t);
}

static void
test_certs_show_the_pin_beside_the_spki_hash_on_one_line(void **state)
{
	struct transcript *t = smtp_session(true, true);
	struct slines out;
	bool found = false;
	(void)state;
	build(W_CERTS, t, 80, &out);
	for (size_t i = 0; i < out.n; i++) {
		const char *text = out.v[i].text;
		if (strstr(text, "pin-sha256") == NULL)
			continue;
		/* base64 of the SPKI hash bb..b87654321, whole on the label's line */
		assert_non_null(strstr(text, "u7u7u7u7u7u7u7u7u7u7u7u7u7u7u7u7u7u7u4dlQyE="));
		assert_non_null(strstr(out.v[i - 1].text, "SPKI SHA-256"));
		found = true;
	}
	assert_true(found);
	slines_free(&out);
	/* Narrower than label and pin: the pin and the hash go whole on lines of
	 * their own under their labels. */
	build(W_CERTS, t, 70, &out);
	for (size_t i = 0; i + 1 < out.n; i++)
		if (strstr(out.v[i].text, "SPKI SHA-256") != NULL)
			assert_non_null(strstr(out.v[i + 1].text, "bbbbbbbb87654321"));
	slines_free(&out);
	build(W_CERTS, t, 50, &out);
	found = false;
	for (size_t i = 0; i + 1 < out.n; i++) {
		if (strstr(out.v[i].text, "pin-sha256") == NULL)
			continue;
		assert_non_null(
		    strstr(out.v[i + 1].text, "u7u7u7u7u7u7u7u7u7u7u7u7u7u7u7u7u7u7u4dlQyE="));
		found = true;
	}
	assert_true(found);
	slines_free(&out);
	transcript_free(t);
}

static void
test_certs_trusted_verdict_is_good(void **state)
{
	struct transcript *t = smtp_session(true, true);
	struct slines out;
	(void)state;
	build(W_CERTS, t, 80, &out);
	assert_true(find_line(&out, "Verdict") < find_line(&out, "Certificate 0"));
	assert_int_equal(elem_of(&out, "trusted"), TE_GOOD);
	assert_int_equal(elem_of(&out, "matches mail.test"), TE_GOOD);
	assert_int_equal(elem_of(&out, "within its validity"), TE_GOOD);
	assert_false(has_line(&out, "NOT TRUSTED"));
	slines_free(&out);
	transcript_free(t);
}

static void
test_certs_untrusted_verdict_is_bad_and_gives_the_error(void **state)
{
	struct transcript *t = smtp_session(false, true);
	struct slines out;
	(void)state;
	build(W_CERTS, t, 80, &out);
	assert_int_equal(elem_of(&out, "NOT TRUSTED"), TE_BAD);
	char *all = joined(&out);
	assert_non_null(strstr(all, "unable to get local issuer certificate"));
	free(all);
	slines_free(&out);
	transcript_free(t);
}

static void
test_certs_name_mismatch_says_which_name_was_checked(void **state)
{
	struct transcript *t = smtp_session(true, false);
	struct slines out;
	(void)state;
	build(W_CERTS, t, 80, &out);
	int i = find_line(&out, "MISMATCH");
	assert_true(i >= 0);
	assert_int_equal(elem_of(&out, "MISMATCH"), TE_BAD);
	char *all = joined(&out);
	assert_non_null(strstr(all, "does not name mail.test"));
	free(all);
	slines_free(&out);
	transcript_free(t);
}

static void
test_hostile_subject_is_shown_escaped_never_raw(void **state)
{
	struct transcript *t = transcript_new();
	struct cert_info c = make_cert(0, "CN=\x1b[2Jevil", "O=\x1b]0;pwned\x07", -1, 10);
	char *sans[] = {"DNS:\x1b[31mred.test"};
	struct slines out;
	(void)state;
	c.san[0] = sans[0];
	c.nsan = c.nsan_total = 1;
	add_cert(t, &c, 0.1);
	for (int width = 20; width <= 120; width += 50) {
		build(W_CERTS, t, width, &out);
		assert_no_raw_escape(&out);
		char *all = joined(&out);
		assert_non_null(strstr(all, "\\x1b"));
		free(all);
		slines_free(&out);
	}
	build(W_CERTS, t, 120, &out);
	assert_true(has_line(&out, "CN=\\x1b[2Jevil"));
	assert_int_equal(elem_of(&out, "\\x1b[2J"), TE_ESCAPED);
	assert_true(has_line(&out, "DNS:\\x1b[31mred.test"));
	slines_free(&out);
	slines_init(&out);
	details_event(transcript_get(t, 0), 80, false, &out);
	assert_no_raw_escape(&out);
	assert_true(has_line(&out, "CN=\\x1b[2Jevil"));
	slines_free(&out);
	transcript_free(t);
}

/* Help tab */

static const struct details_help_row help_rows[] = {
    {"F1, ?", "show this help"},
    {"Tab", "switch the details tab"},
    {"/starttls", "run the upgrade: capabilities, STARTTLS, handshake, capabilities again"},
    {"/quit", "leave"},
};

static void
test_help_puts_keys_and_commands_in_aligned_columns(void **state)
{
	struct slines out;
	(void)state;
	slines_init(&out);
	details_help(help_rows, 4, 100, &out);
	int a = find_line(&out, "F1, ?"), b = find_line(&out, "/quit");
	assert_true(a >= 0 && b >= 0);
	const char *wa = strstr(out.v[a].text, "show this help");
	const char *wb = strstr(out.v[b].text, "leave");
	assert_non_null(wa);
	assert_non_null(wb);
	assert_int_equal(wa - out.v[a].text, wb - out.v[b].text);
	assert_int_equal(elem_of(&out, "/quit"), TE_HINT_KEY);
	slines_free(&out);
}

static void
test_help_wraps_long_descriptions_under_their_column(void **state)
{
	struct slines out;
	(void)state;
	slines_init(&out);
	details_help(help_rows, 4, 40, &out);
	assert_fits(&out, 40);
	int s = find_line(&out, "/starttls");
	assert_true(s >= 0);
	/* the description of /starttls continues on the next lines, indented */
	assert_true(out.v[s + 1].text[0] == ' ');
	char *all = joined(&out);
	assert_non_null(strstr(all, "capabilities"));
	assert_non_null(strstr(all, "again"));
	free(all);
	slines_free(&out);
}

/* One event */

static void
test_event_shows_its_fields_and_explanation(void **state)
{
	struct transcript *t = transcript_new();
	struct event ev = {.phase = PHASE_PLAIN,
	                   .dir = DIR_SERVER,
	                   .kind = EV_LINE,
	                   .text = (unsigned char *)"220 mail.test ESMTP",
	                   .len = 19,
	                   .explain = "greeting: the server is ready (RFC 5321 \xc2\xa7"
	                              "4.2)",
	                   .line_flags = PROTO_LINE_GREETING | PROTO_LINE_END};
	struct slines out;
	(void)state;
	append_at(t, ev, 0.25);
	slines_init(&out);
	details_event(transcript_get(t, 0), 80, false, &out);
	assert_true(has_line(&out, "Event 1"));
	assert_true(has_line(&out, "+0.2500 s"));
	assert_true(has_line(&out, "plain"));
	assert_true(has_line(&out, "server"));
	assert_true(has_line(&out, "greeting, completes the reply"));
	assert_true(has_line(&out, "RFC 5321 \xc2\xa7"
	                           "4.2"));
	assert_true(has_line(&out, "greeting: the server is ready"));
	assert_int_equal(elem_of(&out, "greeting: the server"), TE_EXPLAIN);
	assert_int_equal(elem_of(&out, "220 mail.test ESMTP"), TE_SERVER_PLAIN);
	slines_free(&out);
	transcript_free(t);
}

static void
test_event_line_has_a_hex_dump_of_16_bytes_a_row(void **state)
{
	struct transcript *t = transcript_new();
	struct slines out;
	(void)state;
	add_line(t, PHASE_PLAIN, DIR_SERVER, "220 mail.test ESMTP \x1b[2J", 0.1);
	slines_init(&out);
	details_event(transcript_get(t, 0), 80, false, &out);
	assert_true(has_line(&out, "Bytes (24)"));
	int r0 = find_line(
	    &out,
	    "0000  32 32 30 20 6d 61 69 6c  2e 74 65 73 74 20 45 53 |220 mail.test ES|");
	int r1 = find_line(&out, "0010  4d 54 50 20 1b 5b 32 4a");
	assert_true(r0 >= 0);
	assert_true(r1 == r0 + 1);
	assert_non_null(strstr(out.v[r1].text, "|MTP .[2J|"));
	assert_int_equal(elem_of(&out, "1b 5b"), TE_HEX);
	assert_no_raw_escape(&out);
	slines_free(&out);
	transcript_free(t);
}

static void
test_event_hex_dump_stops_at_4_kib_with_a_note(void **state)
{
	struct transcript *t = transcript_new();
	size_t n = 6000;
	char *big = malloc(n + 1);
	struct slines out;
	(void)state;
	memset(big, 'x', n);
	big[n] = '\0';
	add_line(t, PHASE_PLAIN, DIR_SERVER, big, 0.1);
	slines_init(&out);
	details_event(transcript_get(t, 0), 80, false, &out);
	assert_true(has_line(&out, "0ff0  78"));
	assert_false(has_line(&out, "1000  78"));
	assert_true(has_line(&out, "showing the first 4096 of 6000 bytes"));
	free(big);
	slines_free(&out);
	transcript_free(t);
}

static void
test_event_hex_dump_narrows_to_fit_the_width(void **state)
{
	struct transcript *t = transcript_new();
	struct slines out;
	(void)state;
	add_line(t, PHASE_PLAIN, DIR_CLIENT, "EHLO startle.invalid", 0.1);
	slines_init(&out);
	details_event(transcript_get(t, 0), 44, false, &out);
	assert_fits(&out, 44);
	assert_true(has_line(&out, "0000  45 48 4c 4f 20 73 74 61 |EHLO sta|"));
	assert_true(has_line(&out, "0008  72 74 6c 65 2e 69 6e 76 |rtle.inv|"));
	slines_free(&out);
	transcript_free(t);
}

static void
test_event_finding_shows_id_severity_and_summary(void **state)
{
	struct transcript *t = transcript_new();
	struct slines out;
	(void)state;
	add_finding(t, FINDING_STARTTLS_INJECTION, 0.1);
	slines_init(&out);
	details_event(transcript_get(t, 0), 80, false, &out);
	assert_true(has_line(&out, "starttls-injection"));
	assert_int_equal(elem_of(&out, "starttls-injection"), TE_FINDING_DANGER);
	assert_true(has_line(&out, "danger"));
	char *all = joined(&out);
	assert_non_null(strstr(all, finding_summary(FINDING_STARTTLS_INJECTION)));
	free(all);
	slines_free(&out);
	transcript_free(t);
}

static void
test_event_record_shows_type_length_and_message(void **state)
{
	struct transcript *t = smtp_session(true, true);
	struct slines out;
	(void)state;
	slines_init(&out);
	details_event(transcript_get(t, 9), 80, false, &out); /* ServerHello */
	assert_true(has_line(&out, "received from the server"));
	assert_true(has_line(&out, "handshake (22)"));
	assert_true(has_line(&out, "0x0303"));
	int body = find_line(&out, "Body");
	assert_true(body >= 0);
	assert_non_null(strstr(out.v[body].text, "122 bytes"));
	assert_true(has_line(&out, "ServerHello"));
	assert_false(has_line(&out, "Bytes ("));
	slines_free(&out);
	transcript_free(t);
}

static void
test_event_tls_summary_and_verdict_show_their_fields(void **state)
{
	struct transcript *t = smtp_session(false, false);
	struct slines out;
	(void)state;
	slines_init(&out);
	details_event(transcript_get(t, 14), 80, false, &out);
	assert_true(has_line(&out, "TLSv1.3"));
	assert_true(has_line(&out, "X25519"));
	assert_true(has_line(&out, "23.4 ms"));
	slines_clear(&out);
	details_event(transcript_get(t, 17), 80, false, &out);
	assert_int_equal(elem_of(&out, "NOT TRUSTED"), TE_BAD);
	assert_int_equal(elem_of(&out, "MISMATCH"), TE_BAD);
	slines_free(&out);
	transcript_free(t);
}

static void
test_event_injected_bytes_note_gets_a_hex_dump(void **state)
{
	struct transcript *t = transcript_new();
	struct slines out;
	(void)state;
	add_text(t, EV_NOTE, PHASE_PLAIN, DIR_SERVER, "250 injected", 0.1);
	slines_init(&out);
	details_event(transcript_get(t, 0), 80, false, &out);
	assert_true(has_line(&out, "Bytes (12)"));
	assert_true(has_line(&out, "|250 injected|"));
	slines_free(&out);
	transcript_free(t);
}

/* Status bar */

static void
status_of(const struct transcript *t, struct sline *l)
{
	struct dindex d;
	index_all(&d, t);
	sline_init(l);
	details_status_fit(&d, t, 1000, l); /* room for all of it */
}

static void
test_status_before_tls_shows_exposure_and_no_tls(void **state)
{
	struct transcript *t = transcript_new();
	struct sline l;
	(void)state;
	add_smtp_plaintext(t);
	status_of(t, &l);
	assert_string_equal(l.text,
	                    "plaintext: 6 lines, 112 B exposed \xc2\xb7 no TLS yet");
	sline_free(&l);
	transcript_free(t);
}

static void
test_status_after_tls_names_version_cipher_group_and_trust(void **state)
{
	struct transcript *t = smtp_session(true, true);
	struct sline l;
	(void)state;
	status_of(t, &l);
	assert_string_equal(l.text, "plaintext: 6 lines, 112 B exposed \xc2\xb7 TLSv1.3 "
	                            "TLS_AES_128_GCM_SHA256 X25519 \xc2\xb7 cert: trusted");
	assert_int_equal(status_elem_of(&l, "cert: trusted"), TE_GOOD);
	sline_free(&l);
	transcript_free(t);
}

static void
test_a_new_connection_starts_the_status_afresh(void **state)
{
	struct transcript *t = smtp_session(true, true);
	struct sline l;
	(void)state;
	/* /reconnect: the same transcript goes on with a new connection. */
	add_text(t, EV_CLOSE, PHASE_TLS, DIR_LOCAL, "closed for /reconnect", 1.0);
	add_text(
	    t, EV_CONNECT, PHASE_PLAIN, DIR_LOCAL,
	    "connected to smtp://127.0.0.1:25 (127.0.0.1 port 25) in 0.2 ms, explicit TLS",
	    1.1);
	status_of(t, &l);
	assert_string_equal(l.text, "plaintext: nothing exposed \xc2\xb7 no TLS yet");
	sline_free(&l);
	transcript_free(t);
}

static void
test_status_gives_up_cipher_then_wording_to_keep_the_verdict_at_80_columns(void **state)
{
	struct transcript *t = smtp_session(true, true);
	struct dindex d;
	struct sline l;
	(void)state;
	index_all(&d, t);
	sline_init(&l);
	details_status_fit(&d, t, 80, &l);
	assert_true(sline_width(&l) <= 80);
	assert_non_null(strstr(l.text, "cert: trusted"));
	assert_non_null(strstr(l.text, "TLSv1.3"));
	assert_null(strstr(l.text, "TLS_AES_128_GCM_SHA256"));
	details_status_fit(&d, t, 40, &l);
	assert_string_equal(l.text, "plain: 112 B \xc2\xb7 TLSv1.3 \xc2\xb7 cert: trusted");
	details_status_fit(&d, t, 200, &l); /* room enough: all of it */
	assert_non_null(strstr(l.text, "TLS_AES_128_GCM_SHA256 X25519"));
	sline_free(&l);
	transcript_free(t);
}

static void
test_status_says_the_handshake_failed_once_the_connection_ended(void **state)
{
	struct transcript *t = transcript_new();
	struct sline l;
	(void)state;
	add_smtp_plaintext(t);
	add_text(t, EV_PHASE, PHASE_HANDSHAKE, DIR_LOCAL, "TLS handshake begins", 0.5);
	status_of(t, &l);
	assert_non_null(strstr(l.text, "TLS handshake under way"));
	sline_free(&l);
	add_text(t, EV_ERROR, PHASE_HANDSHAKE, DIR_LOCAL, "TLS handshake failed: alert",
	         0.6);
	status_of(t, &l);
	assert_non_null(strstr(l.text, "TLS handshake FAILED"));
	assert_int_equal(status_elem_of(&l, "TLS handshake FAILED"), TE_BAD);
	sline_free(&l);
	transcript_free(t);
}

static void
test_status_marks_an_untrusted_certificate_bad(void **state)
{
	struct transcript *t = smtp_session(false, true);
	struct sline l;
	(void)state;
	status_of(t, &l);
	assert_non_null(strstr(l.text, "cert: NOT TRUSTED"));
	assert_int_equal(status_elem_of(&l, "cert: NOT TRUSTED"), TE_BAD);
	sline_free(&l);
	transcript_free(t);
}

static void
test_status_marks_a_name_mismatch_bad(void **state)
{
	struct transcript *t = smtp_session(true, false);
	struct sline l;
	(void)state;
	status_of(t, &l);
	assert_non_null(strstr(l.text, "cert: name mismatch"));
	assert_null(strstr(l.text, "NOT TRUSTED"));
	assert_int_equal(status_elem_of(&l, "cert: name mismatch"), TE_BAD);
	sline_free(&l);
	transcript_free(t);
}

static void
test_status_counts_findings_by_severity(void **state)
{
	struct transcript *t = smtp_session(true, true);
	struct sline l;
	(void)state;
	add_finding(t, FINDING_PLAINTEXT_AUTH, 0.1);
	add_finding(t, FINDING_CERT_SELF_SIGNED, 0.1);
	add_finding(t, FINDING_CONTROL_CHARS, 0.1);
	status_of(t, &l);
	assert_non_null(strstr(l.text, " \xc2\xb7 findings: 2 danger, 1 warn"));
	assert_null(strstr(l.text, "info"));
	assert_int_equal(status_elem_of(&l, "2 danger"), TE_FINDING_DANGER);
	assert_int_equal(status_elem_of(&l, "1 warn"), TE_FINDING_WARN);
	sline_free(&l);
	transcript_free(t);
}

static void
test_status_of_implicit_tls_exposes_nothing(void **state)
{
	struct transcript *t = transcript_new();
	struct sline l;
	(void)state;
	add_tls13_handshake(t);
	status_of(t, &l);
	assert_non_null(strstr(l.text, "plaintext: nothing exposed"));
	assert_non_null(strstr(l.text, "TLSv1.3"));
	sline_free(&l);
	transcript_free(t);
}

/* Widths and scale */

static void
test_every_builder_fits_widths_from_20_to_200(void **state)
{
	struct transcript *t = smtp_session(false, false);
	struct transcript *plain = transcript_new();
	struct dindex d, dp;
	struct slines out;
	(void)state;
	add_smtp_plaintext(plain);
	add_finding(t, FINDING_CERT_UNTRUSTED, 0.1);
	add_line(t, PHASE_PLAIN, DIR_SERVER,
	         "250-a very long line from the server that goes on and on past any pane "
	         "width at all, \x1b[2J with escapes, and more words after them to wrap",
	         0.2);
	index_all(&d, t);
	index_all(&dp, plain);
	slines_init(&out);
	for (int width = 20; width <= 200; width++) {
		details_handshake(&d, t, width, &out);
		details_handshake(&dp, plain, width, &out);
		details_certs(&d, t, width, &out);
		details_certs(&dp, plain, width, &out);
		details_help(help_rows, 4, width, &out);
		for (size_t i = 0; i < transcript_count(t); i++)
			details_event(transcript_get(t, i), width, false, &out);
		assert_fits(&out, width);
		assert_no_raw_escape(&out);
		slines_clear(&out);
	}
	slines_free(&out);
	transcript_free(plain);
	transcript_free(t);
}

static void
test_100000_events_index_in_one_pass_and_tabs_do_not_depend_on_length(void **state)
{
	struct transcript *small = smtp_session(true, true);
	struct transcript *big = transcript_new();
	struct dindex ds, db;
	struct slines a, b;
	size_t n = 100000;
	(void)state;
	add_smtp_plaintext(big);
	add_tls13_handshake(big);
	add_chain(big, "CN=mail.test, O=startle test", true, true);
	for (size_t i = 0; i < n; i++)
		add_line(big, PHASE_TLS, i % 2 ? DIR_SERVER : DIR_CLIENT, "NOOP", 0.06);
	assert_int_equal(transcript_count(big), 18 + n);
	index_all(&ds, small);
	index_all(&db, big);
	assert_int_equal(db.tls_lines, n);
	assert_int_equal(db.plain_lines, 6);
	assert_int_equal(db.verdict, ds.verdict);

	slines_init(&a);
	slines_init(&b);
	details_handshake(&ds, small, 80, &a);
	details_handshake(&db, big, 80, &b);
	assert_same_lines(&a, &b);
	slines_clear(&a);
	slines_clear(&b);
	details_certs(&ds, small, 80, &a);
	details_certs(&db, big, 80, &b);
	assert_same_lines(&a, &b);
	slines_free(&a);
	slines_free(&b);
	transcript_free(small);
	transcript_free(big);
}

static void
test_redacted_event_shows_marker_and_no_bytes_or_hex(void **state)
{
	struct transcript *t = transcript_new();
	struct event ev = {.phase = PHASE_PLAIN,
	                   .dir = DIR_CLIENT,
	                   .kind = EV_LINE,
	                   .text = (unsigned char *)"AUTH PLAIN AGRlbW8AZGVtbw==",
	                   .len = 27,
	                   .explain = "AUTH PLAIN: user demo, password demo",
	                   .secret = true};
	struct slines out;
	(void)state;
	append_at(t, ev, 0.5);
	slines_init(&out);
	details_event(transcript_get(t, 0), 80, false, &out);
	assert_true(has_line(&out, "AGRlbW8AZGVtbw=="));
	assert_true(has_line(&out, "41 55 54 48"));
	assert_true(has_line(&out, "password demo"));
	slines_clear(&out);
	details_event(transcript_get(t, 0), 80, true, &out);
	assert_true(has_line(&out, "[redacted: 27 bytes]"));
	assert_false(has_line(&out, "AGRl"));
	assert_false(has_line(&out, "41 55 54 48"));
	assert_false(has_line(&out, "demo"));
	slines_free(&out);
	transcript_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_tab_names_come_from_the_table),
	    cmocka_unit_test(test_index_starts_with_nothing_known),
	    cmocka_unit_test(test_index_finds_every_landmark_of_a_session),
	    cmocka_unit_test(
	        test_index_recognises_the_starttls_command_of_the_session_protocol),
	    cmocka_unit_test(test_index_without_a_connect_event_accepts_any_protocols_form),
	    cmocka_unit_test(test_index_ignores_starttls_from_the_server),
	    cmocka_unit_test(test_index_counts_plaintext_lines_and_bytes_with_crlf),
	    cmocka_unit_test(test_index_counts_lines_inside_tls_apart),
	    cmocka_unit_test(
	        test_index_counts_records_after_the_handshake_without_listing_them),
	    cmocka_unit_test(test_index_keeps_at_most_the_maximum_of_handshake_records),
	    cmocka_unit_test(test_index_starts_a_new_chain_when_a_new_handshake_begins),
	    cmocka_unit_test(test_index_counts_findings_by_severity_and_keeps_the_last),
	    cmocka_unit_test(
	        test_index_kept_by_a_listener_equals_one_pass_over_the_transcript),
	    cmocka_unit_test(test_handshake_before_tls_explains_how_to_start_it),
	    cmocka_unit_test(test_handshake_shows_the_negotiated_parameters),
	    cmocka_unit_test(
	        test_handshake_lists_the_decrypted_messages_with_sizes_and_what_they_prove),
	    cmocka_unit_test(test_handshake_says_plainly_when_this_build_cannot_decrypt),
	    cmocka_unit_test(test_handshake_of_tls12_has_no_encrypted_section),
	    cmocka_unit_test(test_handshake_says_whether_alpn_was_offered_and_agreed),
	    cmocka_unit_test(test_handshake_escapes_the_alpn_and_signature_it_was_given),
	    cmocka_unit_test(test_handshake_says_what_became_of_an_offered_session),
	    cmocka_unit_test(test_handshake_record_sizes_are_the_body_and_say_so),
	    cmocka_unit_test(test_handshake_timings_come_from_the_event_times),
	    cmocka_unit_test(test_handshake_connect_time_falls_back_to_the_event_time),
	    cmocka_unit_test(
	        test_handshake_lists_records_with_direction_type_size_and_message),
	    cmocka_unit_test(test_handshake_tls13_explains_the_encrypted_handshake),
	    cmocka_unit_test(test_handshake_tls12_says_the_certificate_travels_readable),
	    cmocka_unit_test(test_handshake_mentions_records_after_the_handshake),
	    cmocka_unit_test(test_handshake_under_way_lists_the_records_so_far),
	    cmocka_unit_test(test_handshake_names_a_readable_alert),
	    cmocka_unit_test(test_handshake_of_implicit_tls_has_no_starttls_step),
	    cmocka_unit_test(test_certs_before_tls_say_there_is_no_certificate_yet),
	    cmocka_unit_test(test_certs_show_each_certificate_leaf_first),
	    cmocka_unit_test(test_certs_show_a_good_staple_with_its_dates_and_responder),
	    cmocka_unit_test(test_certs_show_a_revoked_staple_and_a_missing_one_in_red),
	    cmocka_unit_test(test_certs_escape_the_ocsp_problem_signer_and_name_note),
	    cmocka_unit_test(test_certs_say_whether_a_client_certificate_was_asked_for_and_sent),
	    cmocka_unit_test(test_certs_validity_is_judged_against_now),
	    cmocka_unit_test(test_certs_cap_the_names_with_and_n_more),
	    cmocka_unit_test(test_certs_show_both_fingerprints_whole_even_when_wrapped),
	    cmocka_unit_test(test_certs_show_the_pin_beside_the_spki_hash_on_one_line),
	    cmocka_unit_test(test_certs_trusted_verdict_is_good),
	    cmocka_unit_test(test_certs_untrusted_verdict_is_bad_and_gives_the_error),
	    cmocka_unit_test(test_certs_name_mismatch_says_which_name_was_checked),
	    cmocka_unit_test(test_hostile_subject_is_shown_escaped_never_raw),
	    cmocka_unit_test(test_help_puts_keys_and_commands_in_aligned_columns),
	    cmocka_unit_test(test_help_wraps_long_descriptions_under_their_column),
	    cmocka_unit_test(test_event_shows_its_fields_and_explanation),
	    cmocka_unit_test(test_event_line_has_a_hex_dump_of_16_bytes_a_row),
	    cmocka_unit_test(test_event_hex_dump_stops_at_4_kib_with_a_note),
	    cmocka_unit_test(test_event_hex_dump_narrows_to_fit_the_width),
	    cmocka_unit_test(test_event_finding_shows_id_severity_and_summary),
	    cmocka_unit_test(test_event_record_shows_type_length_and_message),
	    cmocka_unit_test(test_event_tls_summary_and_verdict_show_their_fields),
	    cmocka_unit_test(test_event_injected_bytes_note_gets_a_hex_dump),
	    cmocka_unit_test(test_status_before_tls_shows_exposure_and_no_tls),
	    cmocka_unit_test(test_status_after_tls_names_version_cipher_group_and_trust),
	    cmocka_unit_test(test_a_new_connection_starts_the_status_afresh),
	    cmocka_unit_test(
	        test_status_gives_up_cipher_then_wording_to_keep_the_verdict_at_80_columns),
	    cmocka_unit_test(test_status_marks_an_untrusted_certificate_bad),
	    cmocka_unit_test(
	        test_status_says_the_handshake_failed_once_the_connection_ended),
	    cmocka_unit_test(test_status_marks_a_name_mismatch_bad),
	    cmocka_unit_test(test_status_counts_findings_by_severity),
	    cmocka_unit_test(test_status_of_implicit_tls_exposes_nothing),
	    cmocka_unit_test(test_every_builder_fits_widths_from_20_to_200),
	    cmocka_unit_test(test_redacted_event_shows_marker_and_no_bytes_or_hex),
	    cmocka_unit_test(
	        test_100000_events_index_in_one_pass_and_tabs_do_not_depend_on_length),
	};
	setlocale(LC_ALL, "C.UTF-8");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
