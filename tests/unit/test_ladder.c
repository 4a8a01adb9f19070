/*
 * The ladder diagram as data: the steps kept event by event from transcripts
 * written here by hand the way the session writes them, the rows drawn from
 * them at any width, the window of rows, and the cost of both on a very long
 * session.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <locale.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ladder.h"
#include "proto.h"
#include "styled.h"
#include "transcript.h"
#include "testutil.h"

#define LIFE "\xe2\x94\x82"      /* │ plaintext lifeline */
#define LIFE_TLS "\xe2\x94\x83"  /* ┃ TLS lifeline */
#define SHAFT "\xe2\x94\x80"     /* ─ plaintext shaft */
#define SHAFT_HS "\xe2\x94\x84"  /* ┄ handshake shaft */
#define SHAFT_TLS "\xe2\x94\x81" /* ━ TLS shaft */
#define HEAD_R "\xe2\x96\xb6"    /* ▶ */
#define HEAD_L "\xe2\x97\x80"    /* ◀ */
#define FILL "\xe2\x95\x90"      /* ═ */
#define WARN "\xe2\x9a\xa0"      /* ⚠ */
#define DOT "\xc2\xb7"           /* · */
#define TIMES "\xc3\x97"         /* × */
#define ELLIPSIS "\xe2\x80\xa6"  /* … */

/* Building transcripts */

static void
add_text(struct transcript *t, enum event_kind kind, enum phase phase, enum dir dir,
         const char *text)
{
	struct event ev = {.phase = phase, .dir = dir, .kind = kind};

	ev.text = (unsigned char *)text;
	ev.len = strlen(text);
	transcript_append(t, &ev);
}

static void
add_client(struct transcript *t, enum phase phase, const char *text)
{
	add_text(t, EV_LINE, phase, DIR_CLIENT, text);
}

/* A server line; end marks the line that completes its reply. */
static void
add_server(struct transcript *t, enum phase phase, const char *text, bool end)
{
	struct event ev = {.phase = phase, .dir = DIR_SERVER, .kind = EV_LINE};

	ev.text = (unsigned char *)text;
	ev.len = strlen(text);
	ev.line_flags = end ? PROTO_LINE_END : 0;
	transcript_append(t, &ev);
}

static void
add_record(struct transcript *t, enum phase phase, enum tls_dir dir, unsigned char type,
           unsigned char hs_type)
{
	/* A named message was read; 0: an encrypted one. */
	struct tls_record rec = {.dir = dir,
	                         .type = type,
	                         .version = 0x0303,
	                         .length = 100,
	                         .hs_type = hs_type,
	                         .readable = hs_type != 0,
	                         .head = {hs_type},
	                         .head_len = hs_type != 0};
	struct event ev = {.phase = phase,
	                   .kind = EV_NOTE,
	                   .dir = dir == TLS_DIR_OUT ? DIR_CLIENT : DIR_SERVER};

	ev.text = (unsigned char *)"TLS record";
	ev.len = 10;
	ev.record = &rec;
	transcript_append(t, &ev);
}

/* A TLS 1.3 handshake message startle decrypted. */
static void
add_message(struct transcript *t, enum phase phase, enum tls_dir dir, unsigned char type,
            size_t length)
{
	struct tls_message m = {.dir = dir,
	                        .type = type,
	                        .length = length,
	                        .after_handshake = phase == PHASE_TLS};
	struct event ev = {.phase = phase,
	                   .kind = EV_NOTE,
	                   .dir = dir == TLS_DIR_OUT ? DIR_CLIENT : DIR_SERVER};

	ev.text = (unsigned char *)"TLS message (decrypted)";
	ev.len = strlen((const char *)ev.text);
	ev.message = &m;
	transcript_append(t, &ev);
}

static void
add_finding(struct transcript *t, enum phase phase, enum finding_id f)
{
	struct event ev = {.phase = phase,
	                   .dir = DIR_LOCAL,
	                   .kind = EV_FINDING,
	                   .finding = f,
	                   .severity = finding_severity(f)};

	ev.text = (unsigned char *)finding_summary(f);
	ev.len = strlen(finding_summary(f));
	transcript_append(t, &ev);
}

static void
add_summary(struct transcript *t)
{
	struct tls_summary sum = {.handshake_ms = 12.5};
	struct event ev = {.phase = PHASE_TLS, .dir = DIR_LOCAL, .kind = EV_TLS};

	snprintf(sum.version, sizeof sum.version, "TLSv1.3");
	snprintf(sum.cipher, sizeof sum.cipher, "TLS_AES_128_GCM_SHA256");
	ev.text = (unsigned char *)"TLSv1.3, TLS_AES_128_GCM_SHA256";
	ev.len = strlen((const char *)ev.text);
	ev.tls = &sum;
	transcript_append(t, &ev);
}

static void
add_cert(struct transcript *t, int depth)
{
	struct cert_info c = {.depth = depth,
	                      .subject = (char *)"CN=mail.test",
	                      .issuer = (char *)"CN=startle test CA"};
	struct event ev = {.phase = PHASE_TLS, .dir = DIR_SERVER, .kind = EV_CERT};

	ev.text = (unsigned char *)"certificate";
	ev.len = 11;
	ev.cert = &c;
	transcript_append(t, &ev);
}

static void
add_verdict(struct transcript *t, bool verified, bool name_match)
{
	struct cert_verdict v = {.verified = verified, .name_match = name_match};
	struct event ev = {.phase = PHASE_TLS, .dir = DIR_LOCAL, .kind = EV_TLS};

	snprintf(v.name_checked, sizeof v.name_checked, "mail.test");
	ev.text = (unsigned char *)"certificate verified";
	ev.len = strlen((const char *)ev.text);
	ev.verdict = &v;
	transcript_append(t, &ev);
}

/* A whole SMTP session with STARTTLS and TLS 1.3, as the session writes it.
 * Its steps, in order:
 *   0 connect            7 ClientHello             14 certificate chain note
 *   1 220 greeting       8 ServerHello             15 EHLO me (TLS)
 *   2 EHLO me            9 ChangeCipherSpec (in)   16 250-mail.test +4 lines
 *   3 250-... +11 lines 10 encrypted data ×4 (in)  17 QUIT
 *   4 STARTTLS          11 ChangeCipherSpec (out)  18 221 Bye
 *   5 220 go-ahead      12 encrypted data (out)    19 close
 *   6 handshake band    13 TLS band
 */
static struct transcript *
smtp_session(void)
{
	static const char *const ehlo[] = {"250-mail.test",
	                                   "250-PIPELINING",
	                                   "250-SIZE 10240000",
	                                   "250-VRFY",
	                                   "250-ETRN",
	                                   "250-STARTTLS",
	                                   "250-ENHANCEDSTATUSCODES",
	                                   "250-8BITMIME",
	                                   "250-DSN",
	                                   "250-AUTH PLAIN",
	                                   "250-CHUNKING",
	                                   "250 SMTPUTF8"};
	struct transcript *t = transcript_new();

	add_text(
	    t, EV_CONNECT, PHASE_PLAIN, DIR_LOCAL,
	    "connected to smtp://mail.test:25 (127.0.0.1 port 25) in 0.4 ms, explicit TLS");
	add_server(t, PHASE_PLAIN, "220 mail.test ESMTP", true);
	add_client(t, PHASE_PLAIN, "EHLO me");
	for (size_t i = 0; i < 12; i++)
		add_server(t, PHASE_PLAIN, ehlo[i], i == 11);
	add_client(t, PHASE_PLAIN, "STARTTLS");
	add_server(t, PHASE_PLAIN, "220 2.0.0 Ready to start TLS", true);
	add_text(t, EV_PHASE, PHASE_HANDSHAKE, DIR_LOCAL, "TLS handshake begins");
	add_record(t, PHASE_HANDSHAKE, TLS_DIR_OUT, 22, 1);
	add_record(t, PHASE_HANDSHAKE, TLS_DIR_IN, 22, 2);
	add_record(t, PHASE_HANDSHAKE, TLS_DIR_IN, 20, 0);
	for (int i = 0; i < 4; i++)
		add_record(t, PHASE_HANDSHAKE, TLS_DIR_IN, 23, 0);
	add_record(t, PHASE_HANDSHAKE, TLS_DIR_OUT, 20, 0);
	add_record(t, PHASE_HANDSHAKE, TLS_DIR_OUT, 23, 0);
	add_text(t, EV_PHASE, PHASE_TLS, DIR_LOCAL,
	         "TLS established: encrypted from here on");
	add_summary(t);
	add_cert(t, 0);
	add_cert(t, 1);
	add_verdict(t, true, true);
	add_record(t, PHASE_TLS, TLS_DIR_IN, 23, 0);
	add_client(t, PHASE_TLS, "EHLO me");
	add_server(t, PHASE_TLS, "250-mail.test", false);
	add_server(t, PHASE_TLS, "250-PIPELINING", false);
	add_server(t, PHASE_TLS, "250-SIZE 10240000", false);
	add_server(t, PHASE_TLS, "250-8BITMIME", false);
	add_server(t, PHASE_TLS, "250 SMTPUTF8", true);
	add_record(t, PHASE_TLS, TLS_DIR_OUT, 23, 0);
	add_client(t, PHASE_TLS, "QUIT");
	add_server(t, PHASE_TLS, "221 2.0.0 Bye", true);
	add_text(t, EV_CLOSE, PHASE_TLS, DIR_LOCAL, "connection closed by the server");
	return t;
}

#define SMTP_STEPS 20

/* Feeds every event of t, one at a time, as the TUI does. */
static void
feed(struct ladder *l, const struct transcript *t)
{
	for (size_t i = 0; i < transcript_count(t); i++)
		ladder_update(l, t, i);
}

/* The whole diagram at width, rows in out (cleared first). */
static size_t
render(const struct ladder *l, int width, struct slines *out)
{
	slines_clear(out);
	return ladder_rows(l, width, 0, (int)l->n + 1, out);
}

/* The row of step i (row 0 is the header). */
static const struct sline *
step_row(const struct slines *out, size_t i)
{
	assert_true(i + 1 < out->n);
	return &out->v[i + 1];
}

static bool
contains(const struct sline *l, const char *needle)
{
	return strstr(l->text, needle) != NULL;
}

static bool
ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && strcmp(s + a - b, suffix) == 0;
}

static int
width_of(const struct sline *l)
{
	return utf8_width(l->text, l->len);
}

/* glyph n times, in one of two buffers (slot) that stays valid until the
 * next call with the same slot. */
static const char *
times(int slot, const char *glyph, int n)
{
	static char buf[2][256];

	assert_true(slot < 2 && strlen(glyph) * (size_t)n < sizeof buf[slot]);
	buf[slot][0] = '\0';
	for (int i = 0; i < n; i++)
		strcat(buf[slot], glyph);
	return buf[slot];
}

/* A ladder fed with the SMTP session. */
struct fixture {
	struct transcript *t;
	struct ladder l;
	struct slines out;
};

static int
setup_smtp(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);

	f->t = smtp_session();
	ladder_init(&f->l);
	feed(&f->l, f->t);
	slines_init(&f->out);
	*state = f;
	return 0;
}

static int
teardown_smtp(void **state)
{
	struct fixture *f = *state;

	slines_free(&f->out);
	ladder_free(&f->l);
	transcript_free(f->t);
	free(f);
	return 0;
}

/* Steps */

static void
test_session_becomes_one_step_per_arrow_band_and_note(void **state)
{
	struct fixture *f = *state;
	static const enum ladder_kind kinds[SMTP_STEPS] = {
	    LADDER_NOTE,   LADDER_SERVER, LADDER_CLIENT, LADDER_SERVER, LADDER_CLIENT,
	    LADDER_SERVER, LADDER_BAND,   LADDER_RECORD, LADDER_RECORD, LADDER_RECORD,
	    LADDER_RECORD, LADDER_RECORD, LADDER_RECORD, LADDER_BAND,   LADDER_NOTE,
	    LADDER_CLIENT, LADDER_SERVER, LADDER_CLIENT, LADDER_SERVER, LADDER_NOTE};

	assert_int_equal(f->l.n, SMTP_STEPS);
	for (size_t i = 0; i < SMTP_STEPS; i++)
		assert_int_equal(f->l.v[i].kind, kinds[i]);
}

static void
test_multiline_reply_folds_into_one_step_with_its_first_line(void **state)
{
	struct fixture *f = *state;

	assert_string_equal(f->l.v[3].label, "250-mail.test");
	assert_int_equal(f->l.v[3].lines, 12);
	assert_int_equal(f->l.v[3].event, 3);
	assert_int_equal(f->l.v[16].lines, 5);
	assert_false(f->l.reply_open);
}

static void
test_redact_labels_a_secret_client_line_by_its_marker(void **state)
{
	struct transcript *t = transcript_new();
	struct ladder l, plain;
	struct event ev = {.phase = PHASE_PLAIN, .dir = DIR_CLIENT, .kind = EV_LINE};
	(void)state;

	ev.text = (unsigned char *)"AUTH PLAIN AGRlbW8AZGVtbw==";
	ev.len = 27;
	ev.secret = true;
	transcript_append(t, &ev);
	ladder_init(&l);
	l.redact = true;
	ladder_init(&plain);
	feed(&l, t);
	feed(&plain, t);
	assert_string_equal(l.v[0].label, "[redacted: 27 bytes]");
	assert_non_null(strstr(plain.v[0].label, "AUTH PLAIN"));
	ladder_free(&l);
	ladder_free(&plain);
	transcript_free(t);
}

static void
test_reply_ends_at_the_line_that_completes_it(void **state)
{
	struct transcript *t = transcript_new();
	struct ladder l;
	(void)state;

	ladder_init(&l);
	add_server(t, PHASE_PLAIN, "220-mail.test", false);
	add_server(t, PHASE_PLAIN, "220 ready", true);
	add_server(t, PHASE_PLAIN, "421 shutting down", true);
	feed(&l, t);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.v[0].lines, 2);
	assert_string_equal(l.v[1].label, "421 shutting down");
	assert_int_equal(l.v[1].lines, 1);
	ladder_free(&l);
	transcript_free(t);
}

static void
test_client_line_closes_an_unfinished_reply(void **state)
{
	struct transcript *t = transcript_new();
	struct ladder l;
	(void)state;

	ladder_init(&l);
	add_server(t, PHASE_PLAIN, "250-mail.test", false);
	add_client(t, PHASE_PLAIN, "NOOP");
	add_server(t, PHASE_PLAIN, "250 ok", true);
	feed(&l, t);
	assert_int_equal(l.n, 3);
	assert_int_equal(l.v[0].lines, 1);
	assert_int_equal(l.v[2].kind, LADDER_SERVER);
	assert_string_equal(l.v[2].label, "250 ok");
	ladder_free(&l);
	transcript_free(t);
}

static void
test_finding_inside_a_reply_splits_it_where_it_happened(void **state)
{
	struct transcript *t = transcript_new();
	struct ladder l;
	(void)state;

	ladder_init(&l);
	add_server(t, PHASE_PLAIN, "250-mail.test", false);
	add_server(t, PHASE_PLAIN, "250-\x1b[2J", false);
	add_finding(t, PHASE_PLAIN, FINDING_CONTROL_CHARS);
	add_server(t, PHASE_PLAIN, "250-8BITMIME", false);
	add_server(t, PHASE_PLAIN, "250 SMTPUTF8", true);
	feed(&l, t);
	assert_int_equal(l.n, 3);
	assert_int_equal(l.v[0].lines, 2);
	assert_int_equal(l.v[1].kind, LADDER_FINDING);
	assert_string_equal(l.v[2].label, "250-8BITMIME");
	assert_int_equal(l.v[2].lines, 2);
	ladder_free(&l);
	transcript_free(t);
}

static void
test_events_without_steps_do_not_close_a_reply(void **state)
{
	struct transcript *t = transcript_new();
	struct ladder l;
	(void)state;

	ladder_init(&l);
	add_server(t, PHASE_TLS, "250-mail.test", false);
	add_record(t, PHASE_TLS, TLS_DIR_IN, 23, 0);
	add_server(t, PHASE_TLS, "250 SMTPUTF8", true);
	feed(&l, t);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.v[0].lines, 2);
	ladder_free(&l);
	transcript_free(t);
}

static void
test_decrypted_messages_name_their_records_in_rfc_8446_notation(void **state)
{
	struct transcript *t = transcript_new();
	struct ladder l;

	(void)state;
	ladder_init(&l);
	add_text(t, EV_PHASE, PHASE_HANDSHAKE, DIR_LOCAL, "TLS handshake begins");
	add_record(t, PHASE_HANDSHAKE, TLS_DIR_IN, 22, 2);
	add_record(t, PHASE_HANDSHAKE, TLS_DIR_IN, 23, 0);
	add_message(t, PHASE_HANDSHAKE, TLS_DIR_IN, 8, 2);
	add_record(t, PHASE_HANDSHAKE, TLS_DIR_IN, 23, 0);
	add_message(t, PHASE_HANDSHAKE, TLS_DIR_IN, 11, 987);
	add_message(t, PHASE_HANDSHAKE, TLS_DIR_IN, 15, 75);
	add_record(t, PHASE_HANDSHAKE, TLS_DIR_OUT, 23, 0);
	add_message(t, PHASE_HANDSHAKE, TLS_DIR_OUT, 20, 32);
	add_text(t, EV_PHASE, PHASE_TLS, DIR_LOCAL, "TLS established");
	add_record(t, PHASE_TLS, TLS_DIR_IN, 23, 0);
	add_message(t, PHASE_TLS, TLS_DIR_IN, 4, 221);
	feed(&l, t);
	assert_int_equal(l.n, 8);
	assert_string_equal(l.v[1].label, "ServerHello");
	/* the record's arrow now says what it carried */
	assert_string_equal(l.v[2].label, "{EncryptedExtensions} 2 B");
	assert_int_equal(l.v[2].event, 2);
	assert_string_equal(l.v[3].label, "{Certificate} 987 B");
	/* a second message of the same record gets its own arrow */
	assert_string_equal(l.v[4].label, "{CertificateVerify} 75 B");
	assert_int_equal(l.v[4].event, 6);
	assert_string_equal(l.v[5].label, "{Finished} 32 B");
	assert_int_equal(l.v[5].dir, DIR_CLIENT);
	assert_int_equal(l.v[6].kind, LADDER_BAND);
	/* after the handshake: application keys, [brackets], in the TLS look */
	assert_string_equal(l.v[7].label, "[NewSessionTicket] 221 B");
	assert_int_equal(l.v[7].phase, PHASE_TLS);
	assert_int_equal(l.v[7].dir, DIR_SERVER);
	ladder_free(&l);
	transcript_free(t);
}

static void
test_a_decrypted_message_is_not_taken_for_injected_bytes(void **state)
{
	struct transcript *t = transcript_new();
	struct ladder l;

	(void)state;
	ladder_init(&l);
	add_record(t, PHASE_HANDSHAKE, TLS_DIR_IN, 23, 0);
	add_record(t, PHASE_HANDSHAKE, TLS_DIR_IN, 23, 0);
	add_message(t, PHASE_HANDSHAKE, TLS_DIR_IN, 8, 2);
	feed(&l, t);
	/* two records folded: the message is not pinned on either */
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[0].label, "encrypted handshake data");
	assert_int_equal(l.v[0].lines, 2);
	assert_string_equal(l.v[1].label, "{EncryptedExtensions} 2 B");
	assert_null(strstr(l.v[1].label, "injected"));
	ladder_free(&l);
	transcript_free(t);
}

static void
test_same_kind_records_fold_with_a_count_others_do_not(void **state)
{
	struct fixture *f = *state;

	assert_string_equal(f->l.v[7].label, "ClientHello");
	assert_int_equal(f->l.v[7].dir, DIR_CLIENT);
	assert_string_equal(f->l.v[8].label, "ServerHello");
	assert_int_equal(f->l.v[8].dir, DIR_SERVER);
	assert_string_equal(f->l.v[9].label, "ChangeCipherSpec");
	assert_string_equal(f->l.v[10].label, "encrypted handshake data");
	assert_int_equal(f->l.v[10].lines, 4);
	assert_int_equal(f->l.v[10].dir, DIR_SERVER);
	assert_string_equal(f->l.v[11].label, "ChangeCipherSpec");
	assert_int_equal(f->l.v[11].dir, DIR_CLIENT);
	assert_string_equal(f->l.v[12].label, "encrypted handshake data");
	assert_int_equal(f->l.v[12].lines, 1);
	assert_int_equal(f->l.v[12].dir, DIR_CLIENT);
}

static void
test_records_inside_tls_add_no_step(void **state)
{
	struct transcript *t = transcript_new();
	struct ladder l;
	(void)state;

	ladder_init(&l);
	add_record(t, PHASE_TLS, TLS_DIR_IN, 23, 0);
	add_record(t, PHASE_TLS, TLS_DIR_OUT, 23, 0);
	feed(&l, t);
	assert_int_equal(l.n, 0);
	ladder_free(&l);
	transcript_free(t);
}

static void
test_verdict_is_one_note_counting_the_chain(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(f->l.v[14].kind, LADDER_NOTE);
	assert_string_equal(f->l.v[14].label,
	                    "certificate chain: 2 certificates, verified");
}

static void
test_failed_verdict_note_says_not_verified_and_name_mismatch(void **state)
{
	struct transcript *t = transcript_new();
	struct ladder l;
	(void)state;

	ladder_init(&l);
	add_summary(t);
	add_cert(t, 0);
	add_verdict(t, false, false);
	feed(&l, t);
	assert_int_equal(l.n, 1);
	assert_string_equal(
	    l.v[0].label, "certificate chain: 1 certificate, NOT verified, name mismatch");
	ladder_free(&l);
	transcript_free(t);
}

static void
test_hostile_label_is_escaped_in_the_step(void **state)
{
	struct transcript *t = transcript_new();
	struct ladder l;
	(void)state;

	ladder_init(&l);
	add_server(t, PHASE_PLAIN,
	           "220 \x1b]0;owned\x07 \xe2\x80\xae"
	           "evil\r",
	           true);
	feed(&l, t);
	assert_string_equal(l.v[0].label, "220 \\x1b]0;owned\\x07 \\u202eevil\\r");
	ladder_free(&l);
	transcript_free(t);
}

static void
test_long_line_label_is_cut_at_a_whole_escape_with_an_ellipsis(void **state)
{
	struct transcript *t = transcript_new();
	struct ladder l;
	char line[20000];
	(void)state;

	for (size_t i = 0; i < sizeof line - 1; i++)
		line[i] = i % 2 ? 'A' : '\x1b';
	line[sizeof line - 1] = '\0';
	ladder_init(&l);
	add_client(t, PHASE_PLAIN, line);
	feed(&l, t);
	const char *label = l.v[0].label;
	assert_true(strlen(label) < sizeof l.v[0].label);
	assert_true(ends_with(label, ELLIPSIS));
	/* "\x1bA" units, each kept whole. */
	size_t body = strlen(label) - strlen(ELLIPSIS);
	for (size_t i = 0; i < body; i += 5)
		assert_memory_equal(label + i, "\\x1bA", body - i < 5 ? body - i : 5);
	assert_true(body % 5 == 0 || body % 5 == 4);
	ladder_free(&l);
	transcript_free(t);
}

/* Rows */

static void
test_header_names_client_left_and_server_right(void **state)
{
	struct fixture *f = *state;

	render(&f->l, 40, &f->out);
	assert_string_equal(f->out.v[0].text, "client                            server");
	assert_int_equal(testutil_elem_at(&f->out.v[0], 0), TE_LABEL);
	assert_int_equal(f->out.v[0].tag, -1);
}

static void
test_client_line_is_an_arrow_to_the_server_with_its_label_first(void **state)
{
	struct fixture *f = *state;
	char want[1024];

	render(&f->l, 40, &f->out);
	snprintf(want, sizeof want, "  " LIFE " EHLO me %s" HEAD_R LIFE "  ",
	         times(0, SHAFT, 24));
	assert_string_equal(step_row(&f->out, 2)->text, want);
}

static void
test_reply_row_is_an_arrow_to_the_client_with_the_label_last(void **state)
{
	struct fixture *f = *state;
	char want[1024];

	render(&f->l, 50, &f->out);
	snprintf(want, sizeof want,
	         "  " LIFE HEAD_L "%s 250-mail.test +11 lines " LIFE "  ",
	         times(0, SHAFT, 18));
	assert_string_equal(step_row(&f->out, 3)->text, want);
	const struct sline *r = step_row(&f->out, 3);
	assert_int_equal(testutil_elem_at(r, testutil_offset_of(r, "250")),
	                 TE_SERVER_PLAIN);
	assert_int_equal(testutil_elem_at(r, testutil_offset_of(r, HEAD_L)),
	                 TE_SERVER_PLAIN);
}

static void
test_single_extra_line_is_counted_in_the_singular(void **state)
{
	struct transcript *t = transcript_new();
	struct ladder l;
	struct slines out;
	(void)state;

	ladder_init(&l);
	slines_init(&out);
	add_server(t, PHASE_PLAIN, "250-mail.test", false);
	add_server(t, PHASE_PLAIN, "250 STARTTLS", true);
	feed(&l, t);
	render(&l, 60, &out);
	assert_true(
	    ends_with(step_row(&out, 0)->text, " 250-mail.test +1 line " LIFE "  "));
	slines_free(&out);
	ladder_free(&l);
	transcript_free(t);
}

static void
test_plaintext_rows_use_plain_elements_and_thin_glyphs(void **state)
{
	struct fixture *f = *state;

	render(&f->l, 60, &f->out);
	const struct sline *r = step_row(&f->out, 2);
	assert_int_equal(testutil_elem_at(r, testutil_offset_of(r, LIFE)), TE_GUTTER_PLAIN);
	assert_int_equal(testutil_elem_at(r, testutil_offset_of(r, "EHLO")),
	                 TE_CLIENT_PLAIN);
	assert_int_equal(testutil_elem_at(r, testutil_offset_of(r, SHAFT)),
	                 TE_CLIENT_PLAIN);
	assert_int_equal(r->text[0], ' ');
	assert_false(contains(r, SHAFT_TLS));
	assert_false(contains(r, "~"));
}

static void
test_tls_rows_use_tls_elements_heavy_glyphs_and_tilde_marks(void **state)
{
	struct fixture *f = *state;

	render(&f->l, 60, &f->out);
	const struct sline *c = step_row(&f->out, 15);
	const struct sline *s = step_row(&f->out, 16);
	assert_int_equal(testutil_elem_at(c, testutil_offset_of(c, "EHLO")), TE_CLIENT_TLS);
	assert_int_equal(testutil_elem_at(c, testutil_offset_of(c, SHAFT_TLS)),
	                 TE_CLIENT_TLS);
	assert_int_equal(testutil_elem_at(c, testutil_offset_of(c, LIFE_TLS)),
	                 TE_GUTTER_TLS);
	assert_int_equal(testutil_elem_at(s, testutil_offset_of(s, "250")), TE_SERVER_TLS);
	assert_int_equal(testutil_elem_at(s, testutil_offset_of(s, HEAD_L)), TE_SERVER_TLS);
	assert_false(contains(c, SHAFT));
	assert_false(contains(c, LIFE));
	assert_int_equal(c->text[0], '~');
	assert_int_equal(c->text[c->len - 1], '~');
	assert_true(contains(s, "250-mail.test +4 lines"));
}

static void
test_handshake_begin_is_a_full_width_band(void **state)
{
	struct fixture *f = *state;
	char want[1024];

	render(&f->l, 40, &f->out);
	snprintf(want, sizeof want, "%s TLS handshake %s", times(0, FILL, 12),
	         times(1, FILL, 13));
	const struct sline *r = step_row(&f->out, 6);
	assert_string_equal(r->text, want);
	assert_int_equal(r->nspans, 1);
	assert_int_equal(r->spans[0].elem, TE_BOUNDARY);
}

static void
test_tls_established_is_a_full_width_band(void **state)
{
	struct fixture *f = *state;

	render(&f->l, 60, &f->out);
	const struct sline *r = step_row(&f->out, 13);
	assert_true(contains(r, FILL " TLS established " DOT " encrypted " FILL));
	assert_true(strncmp(r->text, FILL, strlen(FILL)) == 0);
	assert_true(ends_with(r->text, FILL));
	assert_int_equal(width_of(r), 60);
	assert_int_equal(testutil_elem_at(r, testutil_offset_of(r, "encrypted")),
	                 TE_BOUNDARY);
}

static void
test_handshake_records_are_arrows_in_the_handshake_element(void **state)
{
	struct fixture *f = *state;

	render(&f->l, 60, &f->out);
	const struct sline *hello = step_row(&f->out, 7);
	const struct sline *reply = step_row(&f->out, 8);
	const struct sline *data = step_row(&f->out, 10);
	assert_true(contains(hello, " ClientHello " SHAFT_HS));
	assert_true(ends_with(hello->text, SHAFT_HS HEAD_R "\xe2\x94\x86 :"));
	assert_int_equal(testutil_elem_at(hello, testutil_offset_of(hello, "ClientHello")),
	                 TE_GUTTER_HANDSHAKE);
	assert_int_equal(testutil_elem_at(hello, testutil_offset_of(hello, HEAD_R)),
	                 TE_GUTTER_HANDSHAKE);
	assert_true(contains(reply, HEAD_L SHAFT_HS));
	assert_true(contains(reply, SHAFT_HS " ServerHello "));
	assert_true(contains(data, " encrypted handshake data " TIMES "4 "));
	assert_true(contains(data, HEAD_L));
}

static void
test_finding_row_is_centred_with_its_id_in_the_severity_element(void **state)
{
	struct transcript *t = transcript_new();
	struct ladder l;
	struct slines out;
	char want[1024];
	(void)state;

	ladder_init(&l);
	slines_init(&out);
	add_finding(t, PHASE_PLAIN, FINDING_STARTTLS_INJECTION);
	feed(&l, t);
	render(&l, 40, &out);
	/* 34 inner columns, 20 of text: 7 spaces either side. */
	snprintf(want, sizeof want, "  " LIFE "%s" WARN " starttls-injection%s" LIFE "  ",
	         times(0, " ", 7), times(1, " ", 7));
	const struct sline *r = step_row(&out, 0);
	assert_string_equal(r->text, want);
	assert_int_equal(testutil_elem_at(r, testutil_offset_of(r, WARN)),
	                 TE_FINDING_DANGER);
	assert_int_equal(testutil_elem_at(r, testutil_offset_of(r, "starttls")),
	                 TE_FINDING_DANGER);
	assert_int_equal(l.v[0].severity, SEV_DANGER);
	slines_free(&out);
	ladder_free(&l);
	transcript_free(t);
}

static void
test_info_and_warn_findings_use_their_own_marks_and_elements(void **state)
{
	struct transcript *t = transcript_new();
	struct ladder l;
	struct slines out;
	(void)state;

	ladder_init(&l);
	slines_init(&out);
	add_finding(t, PHASE_TLS, FINDING_CAPS_CHANGED_AFTER_TLS);
	add_finding(t, PHASE_TLS, FINDING_STARTTLS_STILL_OFFERED);
	feed(&l, t);
	render(&l, 60, &out);
	const struct sline *info = step_row(&out, 0), *warn = step_row(&out, 1);
	assert_true(contains(info, "* caps-changed-after-tls"));
	assert_int_equal(testutil_elem_at(info, testutil_offset_of(info, "caps")),
	                 TE_FINDING_INFO);
	assert_true(contains(warn, WARN " starttls-still-offered"));
	assert_int_equal(testutil_elem_at(warn, testutil_offset_of(warn, "starttls")),
	                 TE_FINDING_WARN);
	assert_int_equal(testutil_elem_at(warn, testutil_offset_of(warn, LIFE_TLS)),
	                 TE_GUTTER_TLS);
	slines_free(&out);
	ladder_free(&l);
	transcript_free(t);
}

static void
test_connect_close_and_chain_are_centred_info_notes(void **state)
{
	struct fixture *f = *state;

	render(&f->l, 120, &f->out);
	const struct sline *conn = step_row(&f->out, 0);
	const struct sline *chain = step_row(&f->out, 14);
	const struct sline *close = step_row(&f->out, 19);
	assert_true(contains(conn, "connected to smtp://mail.test:25"));
	assert_int_equal(testutil_elem_at(conn, testutil_offset_of(conn, "connected")),
	                 TE_INFO);
	assert_int_equal(
	    testutil_elem_at(chain, testutil_offset_of(chain, "certificate chain")),
	    TE_INFO);
	assert_int_equal(testutil_elem_at(close, testutil_offset_of(close, "closed")),
	                 TE_INFO);
	size_t left = testutil_offset_of(close, "connection") -
	              testutil_offset_of(close, LIFE_TLS) - strlen(LIFE_TLS);
	size_t right = close->len - testutil_offset_of(close, "server") - strlen("server") -
	               strlen(LIFE_TLS " ~");
	assert_true(left > 10);
	assert_true(right == left || right == left + 1);
}

static void
test_injected_bytes_and_errors_are_notes_in_their_elements(void **state)
{
	struct transcript *t = transcript_new();
	struct ladder l;
	struct slines out;
	(void)state;

	ladder_init(&l);
	slines_init(&out);
	add_text(t, EV_NOTE, PHASE_PLAIN, DIR_SERVER, "250 evil\r\n250 more\r\n");
	add_text(t, EV_NOTE, PHASE_PLAIN, DIR_LOCAL, "the session is already encrypted");
	add_text(t, EV_ERROR, PHASE_HANDSHAKE, DIR_LOCAL, "TLS handshake failed: alert");
	feed(&l, t);
	assert_int_equal(l.n, 2);
	render(&l, 60, &out);
	const struct sline *inj = step_row(&out, 0), *err = step_row(&out, 1);
	assert_true(contains(inj, "20 injected bytes discarded"));
	assert_int_equal(testutil_elem_at(inj, testutil_offset_of(inj, "injected")),
	                 TE_INJECTED);
	assert_true(contains(err, "TLS handshake failed: alert"));
	assert_int_equal(testutil_elem_at(err, testutil_offset_of(err, "failed")),
	                 TE_ERROR);
	slines_free(&out);
	ladder_free(&l);
	transcript_free(t);
}

static void
test_hostile_label_shows_escapes_in_the_escaped_element(void **state)
{
	struct transcript *t = transcript_new();
	struct ladder l;
	struct slines out;
	(void)state;

	ladder_init(&l);
	slines_init(&out);
	add_server(t, PHASE_PLAIN, "220 \x1b[31mred", true);
	feed(&l, t);
	render(&l, 60, &out);
	const struct sline *r = step_row(&out, 0);
	assert_null(memchr(r->text, 0x1b, r->len));
	assert_true(contains(r, " 220 \\x1b[31mred "));
	assert_int_equal(testutil_elem_at(r, testutil_offset_of(r, "\\x1b")), TE_ESCAPED);
	assert_int_equal(testutil_elem_at(r, testutil_offset_of(r, "\\x1b") + 3),
	                 TE_ESCAPED);
	assert_int_equal(testutil_elem_at(r, testutil_offset_of(r, "[31m")),
	                 TE_SERVER_PLAIN);
	slines_free(&out);
	ladder_free(&l);
	transcript_free(t);
}

static void
test_narrow_width_shrinks_the_label_and_keeps_lifelines_and_arrow(void **state)
{
	struct fixture *f = *state;

	render(&f->l, 20, &f->out);
	const struct sline *r = step_row(&f->out, 5); /* 220 2.0.0 Ready to start TLS */
	assert_int_equal(width_of(r), 20);
	assert_true(
	    strncmp(r->text, "  " LIFE HEAD_L SHAFT, strlen("  " LIFE HEAD_L SHAFT)) == 0);
	assert_true(ends_with(r->text, ELLIPSIS " " LIFE "  "));
	assert_true(contains(r, " 220 2.0"));
}

static void
test_narrow_width_keeps_the_line_count_while_the_label_shrinks(void **state)
{
	struct fixture *f = *state;

	render(&f->l, 26, &f->out);
	const struct sline *r = step_row(&f->out, 3);
	assert_int_equal(width_of(r), 26);
	assert_true(contains(r, " 250-m" ELLIPSIS " +11 lines " LIFE));
}

static void
test_every_row_is_exactly_the_width_from_20_to_300(void **state)
{
	struct fixture *f = *state;

	for (int w = 20; w <= 300; w++) {
		assert_int_equal(render(&f->l, w, &f->out), SMTP_STEPS + 1);
		assert_int_equal(f->out.n, SMTP_STEPS + 1);
		for (size_t i = 0; i < f->out.n; i++) {
			const struct sline *r = &f->out.v[i];
			size_t covered = 0;
			for (size_t k = 0; k < r->nspans; k++)
				covered += r->spans[k].len;
			if (width_of(r) != w)
				fail_msg("row %zu is %d columns at width %d: \"%s\"", i,
				         width_of(r), w, r->text);
			assert_int_equal(covered, r->len);
		}
	}
}

static void
test_rows_never_exceed_widths_below_20(void **state)
{
	struct fixture *f = *state;

	for (int w = 0; w < 20; w++) {
		render(&f->l, w, &f->out);
		assert_int_equal(f->out.n, SMTP_STEPS + 1);
		for (size_t i = 0; i < f->out.n; i++)
			assert_true(width_of(&f->out.v[i]) <= w);
	}
}

static void
test_rows_are_tagged_with_the_first_event_of_their_step(void **state)
{
	struct fixture *f = *state;

	render(&f->l, 60, &f->out);
	assert_int_equal(step_row(&f->out, 2)->tag, 2);   /* EHLO me */
	assert_int_equal(step_row(&f->out, 3)->tag, 3);   /* first 250 line */
	assert_int_equal(step_row(&f->out, 10)->tag, 21); /* first encrypted record */
}

static void
test_window_is_a_slice_of_the_full_render(void **state)
{
	struct fixture *f = *state;
	struct slines win;
	static const struct {
		size_t first;
		int height;
	} cases[] = {{0, 1}, {0, 5}, {1, 3}, {6, 8}, {13, 30}, {20, 4}, {19, 2}};

	slines_init(&win);
	render(&f->l, 70, &f->out);
	for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
		slines_clear(&win);
		size_t total =
		    ladder_rows(&f->l, 70, cases[c].first, cases[c].height, &win);
		size_t want = f->out.n - cases[c].first;
		if (want > (size_t)cases[c].height)
			want = (size_t)cases[c].height;
		assert_int_equal(total, SMTP_STEPS + 1);
		assert_int_equal(win.n, want);
		for (size_t i = 0; i < win.n; i++) {
			const struct sline *a = &win.v[i],
			                   *b = &f->out.v[cases[c].first + i];
			assert_string_equal(a->text, b->text);
			assert_int_equal(a->nspans, b->nspans);
			for (size_t k = 0; k < a->nspans; k++) {
				assert_int_equal(a->spans[k].elem, b->spans[k].elem);
				assert_int_equal(a->spans[k].len, b->spans[k].len);
			}
			assert_int_equal(a->tag, b->tag);
		}
	}
	slines_free(&win);
}

static void
test_window_past_the_end_or_empty_draws_nothing_but_counts_rows(void **state)
{
	struct fixture *f = *state;

	slines_clear(&f->out);
	assert_int_equal(ladder_rows(&f->l, 60, SMTP_STEPS + 1, 10, &f->out),
	                 SMTP_STEPS + 1);
	assert_int_equal(ladder_rows(&f->l, 60, 3, 0, &f->out), SMTP_STEPS + 1);
	assert_int_equal(f->out.n, 0);
}

static void
test_rows_are_appended_after_what_out_holds(void **state)
{
	struct fixture *f = *state;

	slines_clear(&f->out);
	sline_add(slines_push(&f->out), TE_DEFAULT, "above");
	ladder_rows(&f->l, 60, 0, 2, &f->out);
	assert_int_equal(f->out.n, 3);
	assert_string_equal(f->out.v[0].text, "above");
	assert_true(strncmp(f->out.v[1].text, "client", 6) == 0);
}

static void
test_empty_ladder_is_just_the_header(void **state)
{
	struct ladder l;
	struct slines out;
	(void)state;

	ladder_init(&l);
	slines_init(&out);
	assert_int_equal(ladder_rows(&l, 30, 0, 10, &out), 1);
	assert_int_equal(out.n, 1);
	assert_true(ends_with(out.v[0].text, "server"));
	slines_free(&out);
	ladder_free(&l);
}

/* Cost */

/* A ladder fed as events are appended, and the work its updates reported. */
struct fed {
	struct ladder *l;
	size_t work;
};

/* Calls ladder_update for each event as it is appended. */
static void
on_append(void *arg, const struct transcript *t, const struct event *ev)
{
	struct fed *f = arg;

	f->work += ladder_update(f->l, t, ev->seq - 1);
}

/* n events of NOOP / three-line reply rounds, fed to f->l as they are appended. */
static struct transcript *
noop_rounds(struct fed *f, size_t n)
{
	struct transcript *t = transcript_new();

	assert_int_equal(transcript_listen(t, on_append, f), 0);
	while (transcript_count(t) + 4 <= n) {
		add_client(t, PHASE_TLS, "NOOP");
		add_server(t, PHASE_TLS, "250-one", false);
		add_server(t, PHASE_TLS, "250-two", false);
		add_server(t, PHASE_TLS, "250 ok", true);
	}
	return t;
}

/* The steps ladder_rows visited: one per row, the header row aside. */
static size_t
steps_drawn(const struct slines *out)
{
	size_t n = 0;

	for (size_t i = 0; i < out->n; i++)
		n += out->v[i].tag != -1;
	return n;
}

static void
test_update_touches_at_most_one_step_per_event(void **state)
{
	struct transcript *t = smtp_session();
	struct ladder l;
	(void)state;

	ladder_init(&l);
	for (size_t i = 0; i < transcript_count(t); i++)
		assert_true(ladder_update(&l, t, i) <= 1);
	ladder_free(&l);
	transcript_free(t);
}

static void
test_window_of_a_120000_event_session_costs_what_a_small_one_does(void **state)
{
	struct ladder big, small;
	struct slines out;
	(void)state;

	ladder_init(&big);
	ladder_init(&small);
	slines_init(&out);
	struct fed fb = {.l = &big}, fs = {.l = &small};
	struct transcript *tb = noop_rounds(&fb, 120000);
	struct transcript *ts = noop_rounds(&fs, 400);

	assert_int_equal(transcript_count(tb), 120000);
	assert_int_equal(big.n, 60000);
	assert_true(fb.work <= transcript_count(tb));
	assert_int_equal(big.v[big.n - 1].lines, 3);

	assert_int_equal(ladder_rows(&small, 80, 50, 40, &out), 201);
	size_t small_work = steps_drawn(&out);

	slines_clear(&out);
	assert_int_equal(ladder_rows(&big, 80, 30000, 40, &out), 60001);
	size_t big_work = steps_drawn(&out);

	assert_int_equal(small_work, 40);
	assert_int_equal(big_work, small_work);
	assert_int_equal(out.n, 40);
	assert_true(contains(&out.v[0], "250-one +2 lines") || contains(&out.v[0], "NOOP"));

	slines_clear(&out);
	ladder_rows(&big, 80, 60001 - 10, 40, &out);
	assert_int_equal(steps_drawn(&out), 10);
	assert_int_equal(out.n, 10);

	slines_free(&out);
	ladder_free(&big);
	ladder_free(&small);
	transcript_free(tb);
	transcript_free(ts);
}

#define SMTP_TEST(fn) cmocka_unit_test_setup_teardown(fn, setup_smtp, teardown_smtp)

/* Two ladders aligned in time (--compare) */

/* Two sessions written in the order their events happen: each append waits
 * a little, so every event has a later wall clock than the one before. */
struct pair {
	struct transcript *t[2];
	struct ladder l[2];
	struct slines out;
};

static void
pair_init(struct pair *p)
{
	for (int i = 0; i < 2; i++) {
		p->t[i] = transcript_new();
		ladder_init(&p->l[i]);
	}
	slines_init(&p->out);
}

static void
pair_free(struct pair *p)
{
	for (int i = 0; i < 2; i++) {
		transcript_free(p->t[i]);
		ladder_free(&p->l[i]);
	}
	slines_free(&p->out);
}

/* A client line (server false) or a complete reply on side i, after ms. */
static void
pair_line(struct pair *p, int i, bool server, enum phase phase, const char *text, int ms)
{
	struct timespec ts = {0, (long)ms * 1000000L};

	nanosleep(&ts, NULL);
	if (server)
		add_server(p->t[i], phase, text, true);
	else
		add_client(p->t[i], phase, text);
	ladder_update(&p->l[i], p->t[i], transcript_count(p->t[i]) - 1);
}

static size_t
pair_render(struct pair *p, int width)
{
	const struct ladder *l[2] = {&p->l[0], &p->l[1]};
	const struct transcript *t[2] = {p->t[0], p->t[1]};

	slines_clear(&p->out);
	return ladder_pair_rows(l, t, width, 0, 100, &p->out);
}

/* True if needle is in the half of a pair row left of the divider (its
 * first occurrence) or right of it (its last). */
static bool
half_contains(const struct sline *row, bool left, const char *needle)
{
	const char *hit = strstr(row->text, needle);

	if (hit == NULL)
		return false;
	if (!left)
		for (const char *n; (n = strstr(hit + 1, needle)) != NULL;)
			hit = n;
	int col = utf8_width(row->text, (size_t)(hit - row->text));
	return left ? col < width_of(row) / 2 : col > width_of(row) / 2;
}

static void
test_pair_puts_steps_that_happened_together_on_one_row(void **state)
{
	struct pair p;
	(void)state;
	pair_init(&p);
	pair_line(&p, 0, false, PHASE_PLAIN, "EHLO me", 2);
	pair_line(&p, 1, false, PHASE_TLS, "EHLO me", 2);
	pair_line(&p, 0, true, PHASE_PLAIN, "250 a.test", 30);
	pair_line(&p, 1, true, PHASE_TLS, "250 b.test", 2);
	assert_int_equal(pair_render(&p, 80), 3);
	assert_int_equal(p.out.n, 3);
	assert_true(contains(&p.out.v[0], "client") && contains(&p.out.v[0], "server"));
	assert_true(half_contains(&p.out.v[1], true, "EHLO me"));
	assert_true(half_contains(&p.out.v[1], false, "EHLO me"));
	assert_true(half_contains(&p.out.v[2], true, "250 a.test"));
	assert_true(half_contains(&p.out.v[2], false, "250 b.test"));
	/* The plaintext side keeps thin glyphs, the encrypted side heavy ones. */
	assert_true(half_contains(&p.out.v[1], true, SHAFT));
	assert_true(half_contains(&p.out.v[1], false, SHAFT_TLS));
	pair_free(&p);
}

static void
test_pair_keeps_the_order_of_time_with_lifelines_where_a_side_is_quiet(void **state)
{
	struct pair p;
	(void)state;
	pair_init(&p);
	pair_line(&p, 1, true, PHASE_TLS, "220 b greets", 2);
	pair_line(&p, 0, false, PHASE_PLAIN, "EHLO me", 40);
	pair_line(&p, 1, false, PHASE_TLS, "EHLO me", 2);
	assert_int_equal(pair_render(&p, 80), 3);
	/* b's greeting came long before the two EHLOs: alone on its row, a's
	 * lifelines beside it. */
	const struct sline *r = &p.out.v[1];
	assert_true(half_contains(r, false, "220 b greets"));
	assert_false(half_contains(r, true, "EHLO"));
	assert_int_equal(strncmp(r->text, "  " LIFE "    ", 3 + strlen(LIFE) + 1), 0);
	assert_true(half_contains(&p.out.v[2], true, "EHLO me"));
	assert_true(half_contains(&p.out.v[2], false, "EHLO me"));
	pair_free(&p);
}

static void
test_pair_rows_are_exactly_the_width_and_windows_slice_them(void **state)
{
	struct pair p;
	struct slines win;
	const struct ladder *l[2];
	const struct transcript *t[2];
	(void)state;
	pair_init(&p);
	for (int k = 0; k < 4; k++) {
		pair_line(&p, k % 2, false, PHASE_PLAIN, "NOOP", 1);
		pair_line(&p, k % 2, true, PHASE_PLAIN, "250 2.0.0 Ok", 1);
	}
	l[0] = &p.l[0], l[1] = &p.l[1], t[0] = p.t[0], t[1] = p.t[1];
	for (int width = 21; width <= 200; width++) {
		size_t total = pair_render(&p, width);
		assert_int_equal(total, p.out.n);
		for (size_t i = 0; i < p.out.n; i++)
			assert_int_equal(width_of(&p.out.v[i]), width);
	}
	size_t total = pair_render(&p, 90);
	slines_init(&win);
	assert_int_equal(ladder_pair_rows(l, t, 90, 2, 3, &win), total);
	assert_int_equal(win.n, 3);
	for (size_t i = 0; i < 3; i++)
		assert_string_equal(win.v[i].text, p.out.v[2 + i].text);
	slines_clear(&win);
	assert_int_equal(ladder_pair_rows(l, t, 90, 0, 0, &win), total);
	assert_int_equal(win.n, 0);
	slines_free(&win);
	pair_free(&p);
}

/* A server that answers reply after reply (a flood of complete lines)
 * must not grow the diagram without end: past LADDER_STEPS_MAX the last
 * step counts the rest, and the steps before it stay as they were. */
static void
test_a_flood_of_replies_stops_at_the_step_limit_and_counts_the_rest(void **state)
{
	struct transcript *t = transcript_new();
	struct ladder l;
	size_t extra = 1000;

	(void)state;
	ladder_init(&l);
	add_client(t, PHASE_PLAIN, "NOOP");
	ladder_update(&l, t, 0);
	for (size_t i = 1; i < LADDER_STEPS_MAX + extra; i++) {
		add_server(t, PHASE_PLAIN, "250 flood", true);
		ladder_update(&l, t, i);
	}
	assert_int_equal(l.n, LADDER_STEPS_MAX);
	assert_int_equal(l.v[0].kind, LADDER_CLIENT);
	assert_int_equal(l.v[LADDER_STEPS_MAX - 2].kind, LADDER_SERVER);
	assert_int_equal(l.v[LADDER_STEPS_MAX - 1].kind, LADDER_NOTE);
	char want[96];
	snprintf(want, sizeof want, "... and %zu more steps: the transcript has them",
	         extra + 1);
	assert_string_equal(l.v[LADDER_STEPS_MAX - 1].label, want);
	ladder_free(&l);
	transcript_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(
	        test_a_flood_of_replies_stops_at_the_step_limit_and_counts_the_rest),
	    SMTP_TEST(test_session_becomes_one_step_per_arrow_band_and_note),
	    SMTP_TEST(test_multiline_reply_folds_into_one_step_with_its_first_line),
	    cmocka_unit_test(test_reply_ends_at_the_line_that_completes_it),
	    cmocka_unit_test(test_redact_labels_a_secret_client_line_by_its_marker),
	    cmocka_unit_test(test_client_line_closes_an_unfinished_reply),
	    cmocka_unit_test(test_finding_inside_a_reply_splits_it_where_it_happened),
	    cmocka_unit_test(test_events_without_steps_do_not_close_a_reply),
	    SMTP_TEST(test_same_kind_records_fold_with_a_count_others_do_not),
	    cmocka_unit_test(
	        test_decrypted_messages_name_their_records_in_rfc_8446_notation),
	    cmocka_unit_test(test_a_decrypted_message_is_not_taken_for_injected_bytes),
	    cmocka_unit_test(test_records_inside_tls_add_no_step),
	    SMTP_TEST(test_verdict_is_one_note_counting_the_chain),
	    cmocka_unit_test(test_failed_verdict_note_says_not_verified_and_name_mismatch),
	    cmocka_unit_test(test_hostile_label_is_escaped_in_the_step),
	    cmocka_unit_test(
	        test_long_line_label_is_cut_at_a_whole_escape_with_an_ellipsis),
	    SMTP_TEST(test_header_names_client_left_and_server_right),
	    SMTP_TEST(test_client_line_is_an_arrow_to_the_server_with_its_label_first),
	    SMTP_TEST(test_reply_row_is_an_arrow_to_the_client_with_the_label_last),
	    cmocka_unit_test(test_single_extra_line_is_counted_in_the_singular),
	    SMTP_TEST(test_plaintext_rows_use_plain_elements_and_thin_glyphs),
	    SMTP_TEST(test_tls_rows_use_tls_elements_heavy_glyphs_and_tilde_marks),
	    SMTP_TEST(test_handshake_begin_is_a_full_width_band),
	    SMTP_TEST(test_tls_established_is_a_full_width_band),
	    SMTP_TEST(test_handshake_records_are_arrows_in_the_handshake_element),
	    cmocka_unit_test(
	        test_finding_row_is_centred_with_its_id_in_the_severity_element),
	    cmocka_unit_test(test_info_and_warn_findings_use_their_own_marks_and_elements),
	    SMTP_TEST(test_connect_close_and_chain_are_centred_info_notes),
	    cmocka_unit_test(test_injected_bytes_and_errors_are_notes_in_their_elements),
	    cmocka_unit_test(test_hostile_label_shows_escapes_in_the_escaped_element),
	    SMTP_TEST(test_narrow_width_shrinks_the_label_and_keeps_lifelines_and_arrow),
	    SMTP_TEST(test_narrow_width_keeps_the_line_count_while_the_label_shrinks),
	    SMTP_TEST(test_every_row_is_exactly_the_width_from_20_to_300),
	    SMTP_TEST(test_rows_never_exceed_widths_below_20),
	    SMTP_TEST(test_rows_are_tagged_with_the_first_event_of_their_step),
	    SMTP_TEST(test_window_is_a_slice_of_the_full_render),
	    SMTP_TEST(test_window_past_the_end_or_empty_draws_nothing_but_counts_rows),
	    SMTP_TEST(test_rows_are_appended_after_what_out_holds),
	    cmocka_unit_test(test_empty_ladder_is_just_the_header),
	    cmocka_unit_test(test_update_touches_at_most_one_step_per_event),
	    cmocka_unit_test(
	        test_window_of_a_120000_event_session_costs_what_a_small_one_does),
	    cmocka_unit_test(test_pair_puts_steps_that_happened_together_on_one_row),
	    cmocka_unit_test(
	        test_pair_keeps_the_order_of_time_with_lifelines_where_a_side_is_quiet),
	    cmocka_unit_test(test_pair_rows_are_exactly_the_width_and_windows_slice_them),
	};
	if (setlocale(LC_ALL, "C.UTF-8") == NULL)
		fail_msg("the C.UTF-8 locale is needed for column widths");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
