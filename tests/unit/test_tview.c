/* The transcript pane as a view: the rows of each kind of event in both
 * renderings, scrolling, following, selection, and the cost of all of it on
 * a very long transcript. */
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tview.h"
#include "testutil.h"

#define BAR "\xe2\x96\x8c" /* the colour gutter, U+258C */

static const struct tview_opts topts = {.mode = TVIEW_TRANSCRIPT};
static const struct tview_opts topts_explain = {.mode = TVIEW_TRANSCRIPT, .explain = true};
static const struct tview_opts topts_mono = {.mode = TVIEW_TRANSCRIPT, .no_color = true};
static const struct tview_opts wopts = {.mode = TVIEW_WIRE};

/* A transcript of a million one-row events, built once for the cost tests. */
static struct transcript *huge;
#define HUGE_EVENTS 1000000

static struct event
mk(enum phase p, enum dir d, enum event_kind k, const char *text)
{
	struct event ev = {.phase = p, .dir = d, .kind = k};
	ev.text = (unsigned char *)text;
	ev.len = strlen(text);
	return ev;
}

static size_t
add(struct transcript *t, enum phase p, enum dir d, enum event_kind k, const char *text)
{
	struct event ev = mk(p, d, k, text);
	transcript_append(t, &ev);
	return transcript_count(t) - 1;
}

/* n server lines in plaintext, "line 0" .. "line n-1", one row each. */
static struct transcript *
lines(size_t n)
{
	struct transcript *t = transcript_new();
	char text[32];

	for (size_t i = 0; i < n; i++) {
		snprintf(text, sizeof text, "line %zu", i);
		add(t, PHASE_PLAIN, DIR_SERVER, EV_LINE, text);
	}
	return t;
}

static int
rows(const struct event *ev, int width, const struct tview_opts *o, struct slines *out)
{
	slines_clear(out);
	return tview_event_rows(ev, 7, width, o, out);
}

/* The view after following (or not) in a fresh tview. */
static void
view(struct tview *v, const struct transcript *t, int w, int h, struct slines *out)
{
	tview_visible(v, t, w, h, &topts, out);
}

static size_t
first_tag(const struct slines *s)
{
	assert_true(s->n > 0);
	return (size_t)s->v[0].tag;
}

static size_t
last_tag(const struct slines *s)
{
	assert_true(s->n > 0);
	return (size_t)s->v[s->n - 1].tag;
}

/* Search */

static void
test_search_selects_the_next_match_ignoring_case(void **state)
{
	struct transcript *t = lines(50);
	struct tview v;
	bool wrapped;
	(void)state;
	tview_init(&v);
	tview_home(&v);
	assert_true(tview_search(&v, t, 80, 10, &topts, "LINE 1", 1, &wrapped));
	assert_true(v.has_sel);
	assert_int_equal(v.sel, 1);
	assert_false(wrapped);
	assert_true(tview_search(&v, t, 80, 10, &topts, "LINE 1", 1, &wrapped));
	assert_int_equal(v.sel, 10);
	assert_true(tview_search(&v, t, 80, 10, &topts, "line 1", -1, &wrapped));
	assert_int_equal(v.sel, 1);
	transcript_free(t);
}

static void
test_search_wraps_around_both_ways_and_says_so(void **state)
{
	struct transcript *t = lines(20);
	struct tview v;
	bool wrapped;
	(void)state;
	tview_init(&v);
	v.has_sel = true;
	v.sel = 15;
	assert_true(tview_search(&v, t, 80, 10, &topts, "line 3", 1, &wrapped));
	assert_int_equal(v.sel, 3);
	assert_true(wrapped);
	v.sel = 1;
	assert_true(tview_search(&v, t, 80, 10, &topts, "line 1", -1, &wrapped));
	assert_int_equal(v.sel, 19);
	assert_true(wrapped);
	transcript_free(t);
}

static void
test_search_not_found_moves_nothing(void **state)
{
	struct transcript *t = lines(20);
	struct tview v;
	bool wrapped;
	(void)state;
	tview_init(&v);
	v.has_sel = true;
	v.sel = 4;
	assert_false(tview_search(&v, t, 80, 10, &topts, "line 99", 1, &wrapped));
	assert_int_equal(v.sel, 4);
	assert_true(v.follow);
	transcript_free(t);
}

/* The text searched is the text shown: escaped bytes match their escapes,
 * never the raw bytes, and the pattern is not a regular expression. */
static void
test_search_matches_the_escaped_text_not_raw_bytes_nor_a_regex(void **state)
{
	struct transcript *t = lines(3);
	struct tview v;
	bool wrapped;
	(void)state;
	add(t, PHASE_PLAIN, DIR_SERVER, EV_LINE, "250 evil\r\n\033[31m");
	tview_init(&v);
	tview_home(&v);
	assert_false(tview_search(&v, t, 80, 10, &topts, "\033", 1, &wrapped));
	assert_false(tview_search(&v, t, 80, 10, &topts, "evil\r", 1, &wrapped));
	assert_false(tview_search(&v, t, 80, 10, &topts, "l.*1", 1, &wrapped));
	assert_true(tview_search(&v, t, 80, 10, &topts, "EVIL\\R\\N", 1, &wrapped));
	assert_int_equal(v.sel, 3);
	transcript_free(t);
}

static void
test_search_finds_words_of_a_hidden_explanation(void **state)
{
	struct transcript *t = lines(5);
	struct event ev = mk(PHASE_PLAIN, DIR_SERVER, EV_LINE, "220 mail.test ESMTP");
	struct tview v;
	bool wrapped;
	(void)state;
	ev.explain = "greeting: the server is ready";
	transcript_append(t, &ev);
	add(t, PHASE_PLAIN, DIR_SERVER, EV_LINE, "250 ok");
	tview_init(&v);
	tview_home(&v);
	assert_true(tview_search(&v, t, 80, 10, &topts, "Server is READY", 1, &wrapped));
	assert_int_equal(v.sel, 5);
	transcript_free(t);
}

static void
test_search_skips_events_before_the_floor(void **state)
{
	struct transcript *t = lines(5);
	struct tview v;
	bool wrapped;
	(void)state;
	tview_init(&v);
	tview_clear(&v, t);
	add(t, PHASE_PLAIN, DIR_SERVER, EV_LINE, "after");
	assert_false(tview_search(&v, t, 80, 10, &topts, "line 2", 1, &wrapped));
	assert_true(tview_search(&v, t, 80, 10, &topts, "after", 1, &wrapped));
	assert_int_equal(v.sel, 5);
	transcript_free(t);
}

/* Rows of an event: transcript rendering */

static void
test_client_plain_line_has_gutter_marker_and_text(void **state)
{
	struct event ev = mk(PHASE_PLAIN, DIR_CLIENT, EV_LINE, "EHLO test");
	struct slines out;
	(void)state;
	slines_init(&out);
	assert_int_equal(rows(&ev, 60, &topts, &out), 1);
	assert_string_equal(out.v[0].text, BAR "-> EHLO test");
	assert_int_equal(testutil_elem_at(&out.v[0], 0), TE_GUTTER_PLAIN);
	assert_int_equal(testutil_elem_at(&out.v[0], testutil_offset_of(&out.v[0], "->")),
	                 TE_CLIENT_PLAIN);
	assert_int_equal(testutil_elem_at(&out.v[0], testutil_offset_of(&out.v[0], "test")),
	                 TE_CLIENT_PLAIN);
	slines_free(&out);
}

static void
test_server_plain_line_uses_server_element(void **state)
{
	struct event ev = mk(PHASE_PLAIN, DIR_SERVER, EV_LINE, "220 mail.test ESMTP");
	struct slines out;
	(void)state;
	slines_init(&out);
	rows(&ev, 60, &topts, &out);
	assert_string_equal(out.v[0].text, BAR "<- 220 mail.test ESMTP");
	assert_int_equal(testutil_elem_at(&out.v[0], testutil_offset_of(&out.v[0], "220")),
	                 TE_SERVER_PLAIN);
	slines_free(&out);
}

static void
test_tls_lines_use_tls_markers_elements_and_gutter(void **state)
{
	struct event c = mk(PHASE_TLS, DIR_CLIENT, EV_LINE, "EHLO test");
	struct event s = mk(PHASE_TLS, DIR_SERVER, EV_LINE, "250 ok");
	struct slines out;
	(void)state;
	slines_init(&out);
	rows(&c, 60, &topts, &out);
	assert_string_equal(out.v[0].text, BAR "~> EHLO test");
	assert_int_equal(testutil_elem_at(&out.v[0], 0), TE_GUTTER_TLS);
	assert_int_equal(testutil_elem_at(&out.v[0], testutil_offset_of(&out.v[0], "EHLO")),
	                 TE_CLIENT_TLS);
	rows(&s, 60, &topts, &out);
	assert_string_equal(out.v[0].text, BAR "<~ 250 ok");
	assert_int_equal(testutil_elem_at(&out.v[0], testutil_offset_of(&out.v[0], "250")),
	                 TE_SERVER_TLS);
	slines_free(&out);
}

static void
test_server_escapes_are_shown_in_escaped_element(void **state)
{
	struct event ev = mk(PHASE_PLAIN, DIR_SERVER, EV_LINE, "250 hi\x1b[31m");
	struct slines out;
	(void)state;
	slines_init(&out);
	rows(&ev, 60, &topts, &out);
	assert_string_equal(out.v[0].text, BAR "<- 250 hi\\x1b[31m");
	assert_int_equal(
	    testutil_elem_at(&out.v[0], testutil_offset_of(&out.v[0], "\\x1b")),
	    TE_ESCAPED);
	assert_int_equal(testutil_elem_at(&out.v[0], testutil_offset_of(&out.v[0], "[31m")),
	                 TE_SERVER_PLAIN);
	slines_free(&out);
}

static void
test_imap_flags_are_shown_with_one_backslash_in_the_server_element(void **state)
{
	struct event ev =
	    mk(PHASE_PLAIN, DIR_SERVER, EV_LINE, "* FLAGS (\\Answered \\Seen)");
	struct slines out;
	(void)state;
	slines_init(&out);
	rows(&ev, 60, &topts, &out);
	assert_string_equal(out.v[0].text, BAR "<- * FLAGS (\\Answered \\Seen)");
	assert_int_equal(
	    testutil_elem_at(&out.v[0], testutil_offset_of(&out.v[0], "\\Seen")),
	    TE_SERVER_PLAIN);
	slines_free(&out);
}

static void
test_redact_shows_a_secret_line_and_its_explanation_as_markers(void **state)
{
	const struct tview_opts ro = {
	    .mode = TVIEW_TRANSCRIPT, .explain = true, .redact = true};
	const struct tview_opts wo = {.mode = TVIEW_WIRE, .redact = true};
	struct event ev =
	    mk(PHASE_PLAIN, DIR_CLIENT, EV_LINE, "AUTH PLAIN AGRlbW8AZGVtbw==");
	struct slines out;
	(void)state;
	ev.secret = true;
	ev.explain = "AUTH PLAIN: user demo";
	slines_init(&out);
	assert_int_equal(rows(&ev, 80, &ro, &out), 2);
	assert_string_equal(out.v[0].text, BAR "-> [redacted: 27 bytes]");
	assert_null(strstr(out.v[1].text, "demo"));
	assert_non_null(strstr(out.v[1].text, "hidden by --redact"));
	rows(&ev, 80, &wo, &out);
	assert_string_equal(out.v[0].text, BAR "-> [redacted: 27 bytes]");
	rows(&ev, 80, &topts_explain, &out);
	assert_non_null(strstr(out.v[0].text, "AGRlbW8AZGVtbw=="));
	slines_free(&out);
}

static void
test_no_color_gutter_glyph_tells_the_phase(void **state)
{
	struct event p = mk(PHASE_PLAIN, DIR_SERVER, EV_LINE, "a");
	struct event h = mk(PHASE_HANDSHAKE, DIR_LOCAL, EV_NOTE, "b");
	struct event s = mk(PHASE_TLS, DIR_SERVER, EV_LINE, "c");
	struct slines out;
	(void)state;
	slines_init(&out);
	rows(&p, 60, &topts_mono, &out);
	assert_string_equal(out.v[0].text, "!<- a");
	rows(&h, 60, &topts_mono, &out);
	assert_string_equal(out.v[0].text, "~== b");
	assert_int_equal(testutil_elem_at(&out.v[0], 0), TE_GUTTER_HANDSHAKE);
	rows(&s, 60, &topts_mono, &out);
	assert_string_equal(out.v[0].text, "|<~ c");
	slines_free(&out);
}

static void
test_findings_show_id_in_severity_element(void **state)
{
	static const struct {
		enum finding_id id;
		enum severity sev;
		enum theme_element elem;
	} cases[] = {
	    {FINDING_STARTTLS_INJECTION, SEV_DANGER, TE_FINDING_DANGER},
	    {FINDING_CONTROL_CHARS, SEV_WARN, TE_FINDING_WARN},
	    {FINDING_LOGINDISABLED, SEV_INFO, TE_FINDING_INFO},
	};
	struct slines out;
	char want[128];
	(void)state;
	slines_init(&out);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct event ev = mk(PHASE_PLAIN, DIR_LOCAL, EV_FINDING, "it happened");
		ev.finding = cases[i].id;
		ev.severity = cases[i].sev;
		rows(&ev, 80, &topts, &out);
		const struct sline *r = &out.v[0];
		const char *id = finding_name(cases[i].id);
		const char *mark = cases[i].sev == SEV_DANGER ? "!!"
		                   : cases[i].sev == SEV_WARN ? "! "
		                                              : "i ";
		snprintf(want, sizeof want, BAR "%s [%s] it happened", mark, id);
		assert_string_equal(r->text, want);
		assert_int_equal(testutil_elem_at(r, testutil_offset_of(r, mark)), cases[i].elem);
		assert_int_equal(testutil_elem_at(r, testutil_offset_of(r, "happened")),
		                 cases[i].elem);
	}
	slines_free(&out);
}

static void
test_error_row_is_in_error_element(void **state)
{
	struct event ev = mk(PHASE_PLAIN, DIR_LOCAL, EV_ERROR, "connection reset");
	struct slines out;
	(void)state;
	slines_init(&out);
	rows(&ev, 60, &topts, &out);
	assert_string_equal(out.v[0].text, BAR "** connection reset");
	assert_int_equal(
	    testutil_elem_at(&out.v[0], testutil_offset_of(&out.v[0], "reset")), TE_ERROR);
	slines_free(&out);
}

static void
test_tls_established_is_a_full_width_boundary_rule(void **state)
{
	struct event ev = mk(PHASE_TLS, DIR_LOCAL, EV_PHASE, "TLS established");
	struct slines out;
	(void)state;
	slines_init(&out);
	for (int w = 50; w <= 130; w += 17) {
		assert_int_equal(rows(&ev, w, &topts, &out), 1);
		const struct sline *r = &out.v[0];
		assert_int_equal(utf8_width(r->text, r->len), w);
		assert_memory_equal(r->text, "\xe2\x95\x90", 3);
		assert_non_null(strstr(r->text, "TLS established"));
		assert_non_null(strstr(r->text, "encrypted from here on"));
		for (size_t i = 0; i < r->nspans; i++)
			assert_int_equal(r->spans[i].elem, TE_BOUNDARY);
	}
	slines_free(&out);
}

static void
test_narrow_boundary_rule_still_fills_the_width(void **state)
{
	struct event ev = mk(PHASE_TLS, DIR_LOCAL, EV_PHASE, "TLS established");
	struct slines out;
	(void)state;
	slines_init(&out);
	for (int w = 2; w <= 50; w++) {
		rows(&ev, w, &topts, &out);
		assert_int_equal(utf8_width(out.v[0].text, out.v[0].len), w);
	}
	slines_free(&out);
}

static void
test_handshake_begin_has_its_own_rule(void **state)
{
	struct event ev = mk(PHASE_HANDSHAKE, DIR_LOCAL, EV_PHASE, "TLS handshake begins");
	struct slines out;
	(void)state;
	slines_init(&out);
	rows(&ev, 80, &topts, &out);
	assert_int_equal(utf8_width(out.v[0].text, out.v[0].len), 80);
	assert_memory_equal(out.v[0].text, "\xe2\x94\x80", 3);
	assert_non_null(strstr(out.v[0].text, "handshake begins"));
	assert_null(strstr(out.v[0].text, "\xe2\x95\x90"));
	assert_int_equal(testutil_elem_at(&out.v[0], 0), TE_BOUNDARY);
	slines_free(&out);
}

static void
test_injected_bytes_note_is_in_injected_element(void **state)
{
	struct event ev = mk(PHASE_PLAIN, DIR_SERVER, EV_NOTE, "250 evil\r\n");
	struct slines out;
	(void)state;
	slines_init(&out);
	rows(&ev, 80, &topts, &out);
	assert_string_equal(out.v[0].text, BAR "!! [injected] 250 evil\\r\\n");
	assert_int_equal(testutil_elem_at(&out.v[0], testutil_offset_of(&out.v[0], "!!")),
	                 TE_INJECTED);
	assert_int_equal(testutil_elem_at(&out.v[0], testutil_offset_of(&out.v[0], "evil")),
	                 TE_INJECTED);
	assert_int_equal(testutil_elem_at(&out.v[0], testutil_offset_of(&out.v[0], "\\r")),
	                 TE_ESCAPED);
	slines_free(&out);
}

static struct tls_record
server_hello_record(void)
{
	struct tls_record r = {.dir = TLS_DIR_IN,
	                       .type = 22,
	                       .version = 0x0303,
	                       .length = 90,
	                       .head_len = 4,
	                       .hs_type = 2,
	                       .readable = true};
	memcpy(r.head, "\x02\x00\x00\x56", 4);
	return r;
}

/* The transcript and the wire view give a record's size as its body length
 * (JSON's length), not with the five header bytes. */
static void
test_record_size_is_the_body_in_both_views(void **state)
{
	struct tls_record rec = server_hello_record();
	struct event ev = mk(PHASE_HANDSHAKE, DIR_SERVER, EV_NOTE, "record");
	struct tview_opts wire = {.mode = TVIEW_WIRE};
	struct slines out;
	(void)state;
	rec.length = 311;
	ev.record = &rec;
	slines_init(&out);
	rows(&ev, 80, &topts, &out);
	assert_non_null(strstr(out.v[0].text, "ServerHello 311 B]"));
	slines_clear(&out);
	rows(&ev, 120, &wire, &out);
	assert_non_null(strstr(out.v[0].text, "ServerHello 311 B]"));
	assert_null(strstr(out.v[0].text, "316"));
	slines_free(&out);
}

static void
test_record_note_is_compact_info(void **state)
{
	struct tls_record rec = server_hello_record();
	struct event ev = mk(PHASE_HANDSHAKE, DIR_SERVER, EV_NOTE,
	                     "TLS record received: handshake, 90 bytes (ServerHello)");
	struct slines out;
	(void)state;
	ev.record = &rec;
	slines_init(&out);
	rows(&ev, 80, &topts, &out);
	assert_string_equal(out.v[0].text,
	                    BAR "== [TLS handshake ServerHello 90 B] received");
	assert_int_equal(testutil_elem_at(&out.v[0], 0), TE_GUTTER_HANDSHAKE);
	assert_int_equal(testutil_elem_at(&out.v[0], testutil_offset_of(&out.v[0], "[TLS")),
	                 TE_INFO);
	slines_free(&out);
}

static void
test_other_events_are_info_rows(void **state)
{
	struct event ev = mk(PHASE_PLAIN, DIR_LOCAL, EV_CONNECT, "connected to ::1");
	struct slines out;
	(void)state;
	slines_init(&out);
	rows(&ev, 80, &topts, &out);
	assert_string_equal(out.v[0].text, BAR "== connected to ::1");
	assert_int_equal(
	    testutil_elem_at(&out.v[0], testutil_offset_of(&out.v[0], "connected")),
	    TE_INFO);
	slines_free(&out);
}

static void
test_long_line_wraps_aligned_after_the_marker(void **state)
{
	char text[201];
	struct slines out;
	size_t xs = 0;
	(void)state;
	memset(text, 'x', 200);
	text[200] = '\0';
	struct event ev = mk(PHASE_PLAIN, DIR_SERVER, EV_LINE, text);
	slines_init(&out);
	int n = rows(&ev, 40, &topts, &out);
	assert_int_equal(n, 6);
	assert_memory_equal(out.v[0].text, BAR "<- x", 7);
	for (size_t i = 0; i < out.n; i++) {
		const struct sline *r = &out.v[i];
		assert_true(utf8_width(r->text, r->len) <= 40);
		if (i > 0)
			assert_memory_equal(r->text, BAR "   x", 7);
		assert_int_equal(testutil_elem_at(r, 0), TE_GUTTER_PLAIN);
		for (size_t k = 0; k < r->len; k++)
			xs += r->text[k] == 'x';
	}
	assert_int_equal(xs, 200);
	slines_free(&out);
}

static void
test_explanation_rows_follow_when_enabled(void **state)
{
	struct event ev = mk(PHASE_PLAIN, DIR_SERVER, EV_LINE, "250-STARTTLS");
	struct slines out;
	(void)state;
	ev.explain = "the server offers STARTTLS";
	slines_init(&out);
	assert_int_equal(rows(&ev, 80, &topts_explain, &out), 2);
	assert_string_equal(out.v[1].text, BAR "   # the server offers STARTTLS");
	assert_int_equal(testutil_elem_at(&out.v[1], 0), TE_GUTTER_PLAIN);
	assert_int_equal(testutil_elem_at(&out.v[1], testutil_offset_of(&out.v[1], "#")),
	                 TE_EXPLAIN);
	assert_int_equal(
	    testutil_elem_at(&out.v[1], testutil_offset_of(&out.v[1], "offers")),
	    TE_EXPLAIN);
	slines_free(&out);
}

static void
test_explanation_rows_hidden_when_disabled(void **state)
{
	struct event ev = mk(PHASE_PLAIN, DIR_SERVER, EV_LINE, "250-STARTTLS");
	struct slines out;
	(void)state;
	ev.explain = "the server offers STARTTLS";
	slines_init(&out);
	assert_int_equal(rows(&ev, 80, &topts, &out), 1);
	assert_null(strstr(out.v[0].text, "#"));
	slines_free(&out);
}

static void
test_long_explanation_wraps_aligned_after_the_hash(void **state)
{
	struct event ev = mk(PHASE_PLAIN, DIR_SERVER, EV_LINE, "220 ready");
	struct slines out;
	(void)state;
	ev.explain = "greeting: the server is ready and tells its name; an SMTP client "
	             "answers with EHLO to learn what the server can do (RFC 5321)";
	slines_init(&out);
	int n = rows(&ev, 40, &topts_explain, &out);
	assert_true(n >= 4);
	assert_memory_equal(out.v[1].text, BAR "   # greeting", 15);
	for (int i = 2; i < n; i++) {
		assert_memory_equal(out.v[i].text, BAR "     ", 8);
		assert_true(out.v[i].text[8] != ' ');
		assert_true(utf8_width(out.v[i].text, out.v[i].len) <= 40);
	}
	slines_free(&out);
}

static void
test_phase_rule_explanation_follows_the_rule(void **state)
{
	struct event ev = mk(PHASE_TLS, DIR_LOCAL, EV_PHASE, "TLS established");
	struct slines out;
	(void)state;
	ev.explain = "trust boundary";
	slines_init(&out);
	assert_int_equal(rows(&ev, 60, &topts_explain, &out), 2);
	assert_string_equal(out.v[1].text, BAR "   # trust boundary");
	assert_int_equal(testutil_elem_at(&out.v[1], 0), TE_GUTTER_TLS);
	slines_free(&out);
}

static void
test_every_row_is_tagged_with_the_event_index(void **state)
{
	char text[301];
	struct slines out;
	(void)state;
	memset(text, 'y', 300);
	text[300] = '\0';
	struct event ev = mk(PHASE_PLAIN, DIR_CLIENT, EV_LINE, text);
	ev.explain = text;
	slines_init(&out);
	int n = tview_event_rows(&ev, 4242, 50, &topts_explain, &out);
	assert_true(n > 6);
	for (int i = 0; i < n; i++)
		assert_int_equal(out.v[i].tag, 4242);
	slines_free(&out);
}

/* Rows of an event: wire rendering */

static void
test_wire_shows_plaintext_lines_as_sent(void **state)
{
	struct event c = mk(PHASE_PLAIN, DIR_CLIENT, EV_LINE, "AUTH PLAIN AGFsaWNl");
	struct event s = mk(PHASE_PLAIN, DIR_SERVER, EV_LINE, "235 ok\x07");
	struct slines out;
	(void)state;
	slines_init(&out);
	assert_int_equal(rows(&c, 80, &wopts, &out), 1);
	assert_string_equal(out.v[0].text, BAR "-> AUTH PLAIN AGFsaWNl");
	assert_int_equal(testutil_elem_at(&out.v[0], testutil_offset_of(&out.v[0], "AUTH")),
	                 TE_CLIENT_PLAIN);
	rows(&s, 80, &wopts, &out);
	assert_string_equal(out.v[0].text, BAR "<- 235 ok\\x07");
	assert_int_equal(
	    testutil_elem_at(&out.v[0], testutil_offset_of(&out.v[0], "\\x07")),
	    TE_ESCAPED);
	slines_free(&out);
}

static void
test_wire_hides_tls_phase_lines(void **state)
{
	struct event c = mk(PHASE_TLS, DIR_CLIENT, EV_LINE, "AUTH PLAIN secret");
	struct event s = mk(PHASE_TLS, DIR_SERVER, EV_LINE, "235 ok");
	struct slines out;
	(void)state;
	slines_init(&out);
	assert_int_equal(rows(&c, 80, &wopts, &out), 0);
	assert_int_equal(rows(&s, 80, &wopts, &out), 0);
	assert_int_equal(out.n, 0);
	slines_free(&out);
}

static void
test_wire_hides_local_events(void **state)
{
	static const enum event_kind kinds[] = {EV_CONNECT, EV_FINDING, EV_NOTE, EV_TLS,
	                                        EV_CERT,    EV_ERROR,   EV_CLOSE};
	struct slines out;
	(void)state;
	slines_init(&out);
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
		struct event ev = mk(PHASE_PLAIN, DIR_LOCAL, kinds[i], "local words");
		assert_int_equal(rows(&ev, 80, &wopts, &out), 0);
	}
	struct event hs = mk(PHASE_HANDSHAKE, DIR_LOCAL, EV_PHASE, "TLS handshake begins");
	assert_int_equal(rows(&hs, 80, &wopts, &out), 0);
	slines_free(&out);
}

static void
test_wire_shows_records_with_header_and_hex(void **state)
{
	struct tls_record rec = {
	    .dir = TLS_DIR_IN, .type = 23, .version = 0x0303, .length = 48, .head_len = 16};
	struct event ev = mk(PHASE_TLS, DIR_SERVER, EV_NOTE, "TLS record received");
	struct slines out;
	(void)state;
	for (int i = 0; i < 16; i++)
		rec.head[i] = (unsigned char)(0xa1 + i);
	ev.record = &rec;
	slines_init(&out);
	assert_int_equal(rows(&ev, 120, &wopts, &out), 1);
	assert_string_equal(out.v[0].text,
	                    BAR "<- [TLS application_data 48 B] 17 03 03 00 30 "
	                        "a1 a2 a3 a4 a5 a6 a7 a8 a9 aa ab ac ad ae af b0 ...");
	assert_int_equal(testutil_elem_at(&out.v[0], 0), TE_GUTTER_TLS);
	assert_int_equal(
	    testutil_elem_at(&out.v[0], testutil_offset_of(&out.v[0], "17 03")), TE_HEX);
	assert_int_equal(testutil_elem_at(&out.v[0], testutil_offset_of(&out.v[0], "b0")),
	                 TE_HEX);
	assert_int_equal(testutil_elem_at(&out.v[0], testutil_offset_of(&out.v[0], "[TLS")),
	                 TE_SERVER_TLS);
	slines_free(&out);
}

static void
test_transcript_hides_records_after_the_handshake_unless_asked(void **state)
{
	struct tls_record rec = {
	    .dir = TLS_DIR_IN, .type = 23, .version = 0x0303, .length = 48};
	struct event ev = mk(PHASE_TLS, DIR_SERVER, EV_NOTE, "TLS record received");
	struct event hs = mk(PHASE_HANDSHAKE, DIR_SERVER, EV_NOTE, "TLS record received");
	struct tview_opts o = {.mode = TVIEW_TRANSCRIPT};
	struct slines out;
	(void)state;
	ev.record = &rec;
	hs.record = &rec;
	slines_init(&out);
	assert_int_equal(rows(&ev, 120, &o, &out), 0);
	assert_int_equal(rows(&hs, 120, &o, &out), 1);
	o.tls_records = true;
	assert_int_equal(rows(&ev, 120, &o, &out), 1);
	slines_free(&out);
}

static void
test_decrypted_message_is_one_compact_row_named_as_rfc_8446_writes_it(void **state)
{
	struct tls_message m = {.dir = TLS_DIR_IN, .type = 15, .length = 76};
	struct event ev =
	    mk(PHASE_HANDSHAKE, DIR_SERVER, EV_NOTE,
	       "TLS message received (decrypted): CertificateVerify, 76 bytes");
	struct tview_opts wire = {.mode = TVIEW_WIRE};
	struct slines out;
	(void)state;
	ev.message = &m;
	slines_init(&out);
	assert_int_equal(rows(&ev, 80, &topts, &out), 1);
	assert_string_equal(out.v[0].text, BAR
	                    "== [{CertificateVerify} 76 B] received, decrypted by startle");
	/* not injected bytes, and not on the wire view: no eavesdropper reads it */
	assert_null(strstr(out.v[0].text, "injected"));
	slines_clear(&out);
	assert_int_equal(rows(&ev, 120, &wire, &out), 0);
	slines_free(&out);
}

static void
test_transcript_hides_messages_after_the_handshake_unless_asked(void **state)
{
	struct tls_message m = {
	    .dir = TLS_DIR_IN, .type = 4, .length = 221, .after_handshake = true};
	struct event ev = mk(PHASE_TLS, DIR_SERVER, EV_NOTE, "TLS message received");
	struct tview_opts o = {.mode = TVIEW_TRANSCRIPT};
	struct slines out;
	(void)state;
	ev.message = &m;
	slines_init(&out);
	assert_int_equal(rows(&ev, 120, &o, &out), 0);
	o.tls_records = true;
	assert_int_equal(rows(&ev, 120, &o, &out), 1);
	assert_non_null(strstr(out.v[0].text, "[[NewSessionTicket] 221 B] received"));
	slines_free(&out);
}

static void
test_wire_short_record_has_no_ellipsis_and_client_marker(void **state)
{
	struct tls_record rec = {.dir = TLS_DIR_OUT,
	                         .type = 21,
	                         .version = 0x0303,
	                         .length = 2,
	                         .head = {1, 0},
	                         .head_len = 2};
	struct event ev = mk(PHASE_TLS, DIR_CLIENT, EV_NOTE, "TLS record sent: alert");
	struct slines out;
	(void)state;
	ev.record = &rec;
	slines_init(&out);
	rows(&ev, 120, &wopts, &out);
	assert_string_equal(out.v[0].text, BAR "-> [TLS alert 2 B] 15 03 03 00 02 01 00");
	assert_int_equal(testutil_elem_at(&out.v[0], 4), TE_CLIENT_TLS);
	slines_free(&out);
}

static void
test_wire_record_wraps_in_a_narrow_pane(void **state)
{
	struct tls_record rec = {.dir = TLS_DIR_IN,
	                         .type = 23,
	                         .version = 0x0303,
	                         .length = 300,
	                         .head_len = 16};
	struct event ev = mk(PHASE_TLS, DIR_SERVER, EV_NOTE, "record");
	struct slines out;
	(void)state;
	ev.record = &rec;
	slines_init(&out);
	int n = rows(&ev, 50, &wopts, &out);
	assert_true(n >= 2);
	for (int i = 0; i < n; i++)
		assert_true(utf8_width(out.v[i].text, out.v[i].len) <= 50);
	assert_memory_equal(out.v[1].text, BAR "   ", 6);
	slines_free(&out);
}

static void
test_wire_shows_the_encryption_boundary_once(void **state)
{
	struct transcript *t = transcript_new();
	struct tview v;
	struct slines out;
	size_t rules = 0;
	(void)state;
	add(t, PHASE_PLAIN, DIR_CLIENT, EV_LINE, "STARTTLS");
	add(t, PHASE_PLAIN, DIR_SERVER, EV_LINE, "220 go ahead");
	add(t, PHASE_HANDSHAKE, DIR_LOCAL, EV_PHASE, "TLS handshake begins");
	add(t, PHASE_TLS, DIR_LOCAL, EV_PHASE, "TLS established: encrypted from here on");
	add(t, PHASE_TLS, DIR_LOCAL, EV_TLS, "TLSv1.3");
	add(t, PHASE_TLS, DIR_CLIENT, EV_LINE, "EHLO test");
	tview_init(&v);
	slines_init(&out);
	tview_visible(&v, t, 80, 20, &wopts, &out);
	assert_int_equal(out.n, 3);
	for (size_t i = 0; i < out.n; i++)
		rules += strstr(out.v[i].text, "encrypted from here on") != NULL;
	assert_int_equal(rules, 1);
	assert_int_equal(last_tag(&out), 3);
	slines_free(&out);
	transcript_free(t);
}

static void
test_wire_shows_injected_bytes_as_received(void **state)
{
	struct event ev = mk(PHASE_PLAIN, DIR_SERVER, EV_NOTE, "250 injected\r\n");
	struct slines out;
	(void)state;
	slines_init(&out);
	assert_int_equal(rows(&ev, 80, &wopts, &out), 1);
	assert_string_equal(out.v[0].text, BAR "<- 250 injected\\r\\n");
	assert_int_equal(
	    testutil_elem_at(&out.v[0], testutil_offset_of(&out.v[0], "injected")),
	    TE_INJECTED);
	slines_free(&out);
}

/* Visible rows, scrolling and following */

static void
test_empty_transcript_shows_nothing(void **state)
{
	struct transcript *t = transcript_new();
	struct tview v;
	struct slines out;
	(void)state;
	tview_init(&v);
	slines_init(&out);
	view(&v, t, 60, 10, &out);
	assert_int_equal(out.n, 0);
	tview_scroll(&v, t, 60, 10, &topts, -3);
	tview_select(&v, t, 60, 10, &topts, -1);
	view(&v, t, 60, 10, &out);
	assert_int_equal(out.n, 0);
	slines_free(&out);
	transcript_free(t);
}

static void
test_short_transcript_shows_every_row_in_order(void **state)
{
	struct transcript *t = lines(4);
	struct tview v;
	struct slines out;
	(void)state;
	tview_init(&v);
	slines_init(&out);
	view(&v, t, 60, 10, &out);
	assert_int_equal(out.n, 4);
	for (size_t i = 0; i < 4; i++) {
		char want[32];
		snprintf(want, sizeof want, BAR "<- line %zu", i);
		assert_string_equal(out.v[i].text, want);
		assert_int_equal(out.v[i].tag, (int)i);
	}
	slines_free(&out);
	transcript_free(t);
}

static void
test_follow_puts_the_last_row_at_the_bottom(void **state)
{
	struct transcript *t = lines(100);
	struct tview v;
	struct slines out;
	(void)state;
	tview_init(&v);
	slines_init(&out);
	view(&v, t, 60, 10, &out);
	assert_int_equal(out.n, 10);
	assert_int_equal(first_tag(&out), 90);
	assert_int_equal(last_tag(&out), 99);
	slines_free(&out);
	transcript_free(t);
}

static void
test_follow_keeps_last_row_at_the_bottom_as_events_arrive(void **state)
{
	struct transcript *t = lines(30);
	struct tview v;
	struct slines out;
	char text[300];
	(void)state;
	tview_init(&v);
	slines_init(&out);
	view(&v, t, 60, 10, &out);
	memset(text, 'z', sizeof text - 1);
	text[sizeof text - 1] = '\0';
	for (int i = 0; i < 5; i++) {
		const char *what = i == 2 ? text : "more";
		size_t idx = add(t, PHASE_PLAIN, DIR_SERVER, EV_LINE, what);
		view(&v, t, 60, 10, &out);
		assert_int_equal(out.n, 10);
		assert_int_equal(last_tag(&out), idx);
		assert_true(v.follow);
	}
	slines_free(&out);
	transcript_free(t);
}

static void
test_scroll_up_moves_one_row_and_stops_following(void **state)
{
	struct transcript *t = lines(100);
	struct tview v;
	struct slines out;
	(void)state;
	tview_init(&v);
	slines_init(&out);
	view(&v, t, 60, 10, &out);
	tview_scroll(&v, t, 60, 10, &topts, -1);
	assert_false(v.follow);
	view(&v, t, 60, 10, &out);
	assert_int_equal(first_tag(&out), 89);
	assert_int_equal(last_tag(&out), 98);
	slines_free(&out);
	transcript_free(t);
}

static void
test_scrolled_view_stays_put_when_events_arrive(void **state)
{
	struct transcript *t = lines(100);
	struct tview v;
	struct slines out;
	(void)state;
	tview_init(&v);
	slines_init(&out);
	view(&v, t, 60, 10, &out);
	tview_scroll(&v, t, 60, 10, &topts, -20);
	view(&v, t, 60, 10, &out);
	assert_int_equal(first_tag(&out), 70);
	add(t, PHASE_PLAIN, DIR_SERVER, EV_LINE, "new");
	add(t, PHASE_PLAIN, DIR_SERVER, EV_LINE, "newer");
	view(&v, t, 60, 10, &out);
	assert_int_equal(first_tag(&out), 70);
	assert_false(v.follow);
	slines_free(&out);
	transcript_free(t);
}

static void
test_scrolling_down_to_the_end_follows_again(void **state)
{
	struct transcript *t = lines(100);
	struct tview v;
	struct slines out;
	(void)state;
	tview_init(&v);
	slines_init(&out);
	view(&v, t, 60, 10, &out);
	tview_scroll(&v, t, 60, 10, &topts, -3);
	view(&v, t, 60, 10, &out);
	tview_scroll(&v, t, 60, 10, &topts, 3);
	view(&v, t, 60, 10, &out);
	assert_true(v.follow);
	assert_int_equal(last_tag(&out), 99);
	add(t, PHASE_PLAIN, DIR_SERVER, EV_LINE, "new");
	view(&v, t, 60, 10, &out);
	assert_int_equal(last_tag(&out), 100);
	slines_free(&out);
	transcript_free(t);
}

static void
test_scrolling_down_past_the_end_stops_at_the_last_row(void **state)
{
	struct transcript *t = lines(100);
	struct tview v;
	struct slines out;
	(void)state;
	tview_init(&v);
	slines_init(&out);
	tview_home(&v);
	view(&v, t, 60, 10, &out);
	tview_scroll(&v, t, 60, 10, &topts, 1000);
	assert_true(v.follow);
	view(&v, t, 60, 10, &out);
	assert_int_equal(out.n, 10);
	assert_int_equal(last_tag(&out), 99);
	slines_free(&out);
	transcript_free(t);
}

static void
test_scroll_moves_by_rows_inside_a_tall_event(void **state)
{
	struct transcript *t = transcript_new();
	struct tview v;
	struct slines out, all;
	char text[400];
	(void)state;
	memset(text, 'w', sizeof text - 1);
	text[sizeof text - 1] = '\0';
	for (int i = 0; i < 10; i++)
		add(t, PHASE_PLAIN, DIR_SERVER, EV_LINE, text);
	slines_init(&out);
	slines_init(&all);
	for (size_t i = 0; i < 10; i++)
		tview_event_rows(transcript_get(t, i), i, 40, &topts, &all);
	tview_init(&v);
	tview_home(&v);
	for (int step = 0; step < 30; step++) {
		view(&v, t, 40, 5, &out);
		assert_int_equal(out.n, 5);
		for (int r = 0; r < 5; r++)
			assert_string_equal(out.v[r].text, all.v[step + r].text);
		tview_scroll(&v, t, 40, 5, &topts, 1);
	}
	slines_free(&all);
	slines_free(&out);
	transcript_free(t);
}

static void
test_home_shows_the_first_row_and_end_the_last(void **state)
{
	struct transcript *t = lines(100);
	struct tview v;
	struct slines out;
	(void)state;
	tview_init(&v);
	slines_init(&out);
	tview_home(&v);
	assert_false(v.follow);
	view(&v, t, 60, 10, &out);
	assert_int_equal(first_tag(&out), 0);
	assert_int_equal(last_tag(&out), 9);
	tview_end(&v, t);
	assert_true(v.follow);
	view(&v, t, 60, 10, &out);
	assert_int_equal(last_tag(&out), 99);
	slines_free(&out);
	transcript_free(t);
}

static void
test_scrolling_up_past_the_top_stops_at_the_first_row(void **state)
{
	struct transcript *t = lines(100);
	struct tview v;
	struct slines out;
	(void)state;
	tview_init(&v);
	slines_init(&out);
	view(&v, t, 60, 10, &out);
	tview_scroll(&v, t, 60, 10, &topts, -5000);
	view(&v, t, 60, 10, &out);
	assert_int_equal(out.n, 10);
	assert_int_equal(first_tag(&out), 0);
	assert_int_equal(v.top_row, 0);
	slines_free(&out);
	transcript_free(t);
}

static void
test_page_down_then_page_up_returns_to_the_same_rows(void **state)
{
	struct transcript *t = transcript_new();
	struct tview v;
	struct slines a, b;
	char text[200];
	(void)state;
	for (int i = 0; i < 200; i++) {
		memset(text, 'a' + i % 26, sizeof text);
		text[(size_t)(i * 37) % (sizeof text - 1)] = '\0';
		add(t, PHASE_PLAIN, i % 2 ? DIR_SERVER : DIR_CLIENT, EV_LINE, text);
	}
	slines_init(&a);
	slines_init(&b);
	tview_init(&v);
	tview_home(&v);
	tview_scroll(&v, t, 50, 12, &topts, 40);
	view(&v, t, 50, 12, &a);
	tview_scroll(&v, t, 50, 12, &topts, 12);
	view(&v, t, 50, 12, &b);
	assert_string_not_equal(a.v[0].text, b.v[0].text);
	tview_scroll(&v, t, 50, 12, &topts, -12);
	view(&v, t, 50, 12, &b);
	assert_int_equal(a.n, b.n);
	for (size_t i = 0; i < a.n; i++) {
		assert_string_equal(a.v[i].text, b.v[i].text);
		assert_int_equal(a.v[i].tag, b.v[i].tag);
	}
	slines_free(&a);
	slines_free(&b);
	transcript_free(t);
}

static void
test_widening_never_leaves_empty_rows_below_the_end(void **state)
{
	struct transcript *t = transcript_new();
	struct tview v;
	struct slines out;
	char text[120];
	(void)state;
	memset(text, 'q', sizeof text - 1);
	text[sizeof text - 1] = '\0';
	for (int i = 0; i < 30; i++)
		add(t, PHASE_PLAIN, DIR_SERVER, EV_LINE, text);
	tview_init(&v);
	slines_init(&out);
	view(&v, t, 30, 10, &out);
	tview_scroll(&v, t, 30, 10, &topts, -4);
	view(&v, t, 30, 10, &out);
	assert_false(v.follow);
	view(&v, t, 200, 10, &out);
	assert_int_equal(out.n, 10);
	assert_int_equal(last_tag(&out), 29);
	assert_int_equal(first_tag(&out), 20);
	slines_free(&out);
	transcript_free(t);
}

static void
test_view_skips_events_the_mode_hides(void **state)
{
	struct transcript *t = transcript_new();
	struct tview v;
	struct slines out;
	(void)state;
	add(t, PHASE_PLAIN, DIR_SERVER, EV_LINE, "220 hi");
	add(t, PHASE_TLS, DIR_CLIENT, EV_LINE, "hidden 1");
	add(t, PHASE_TLS, DIR_SERVER, EV_LINE, "hidden 2");
	add(t, PHASE_PLAIN, DIR_SERVER, EV_LINE, "shown");
	for (int i = 0; i < 20; i++)
		add(t, PHASE_PLAIN, DIR_SERVER, EV_LINE, "filler");
	tview_init(&v);
	tview_home(&v);
	v.top = 1;
	slines_init(&out);
	tview_visible(&v, t, 60, 5, &wopts, &out);
	assert_int_equal(out.n, 5);
	assert_int_equal(first_tag(&out), 3);
	assert_string_equal(out.v[0].text, BAR "<- shown");
	slines_free(&out);
	transcript_free(t);
}

/* All rows of t in order, as the pane would show them with infinite height. */
static void
all_rows(const struct transcript *t, int width, const struct tview_opts *o,
         struct slines *all)
{
	slines_clear(all);
	for (size_t i = 0; i < transcript_count(t); i++)
		tview_event_rows(transcript_get(t, i), i, width, o, all);
}

/* Index in all of the first row of the view anchored at v. */
static size_t
window_start(const struct tview *v, const struct slines *all)
{
	for (size_t i = 0; i < all->n; i++)
		if ((size_t)all->v[i].tag == v->top)
			return i + (size_t)v->top_row;
	fail_msg("anchor event %zu has no rows", v->top);
	return 0;
}

static void
add_random_event(struct transcript *t)
{
	static const enum phase phases[] = {PHASE_PLAIN, PHASE_HANDSHAKE, PHASE_TLS};
	static const enum event_kind kinds[] = {EV_LINE,  EV_LINE, EV_LINE,
	                                        EV_PHASE, EV_NOTE, EV_FINDING};
	char text[200];
	size_t n = (size_t)(rand() % 150);

	for (size_t i = 0; i < n; i++)
		text[i] = i % 7 == 6 ? ' ' : (char)('a' + rand() % 26);
	text[n] = '\0';
	struct event ev =
	    mk(phases[rand() % 3], (enum dir)(rand() % 3), kinds[rand() % 6], text);
	if (rand() % 3 == 0)
		ev.explain = "an explanation long enough to wrap in a narrow pane";
	transcript_append(t, &ev);
}

static void
test_view_is_always_a_window_of_all_rows(void **state)
{
	static const struct tview_opts *const modes[] = {&topts, &topts_explain, &wopts};
	struct transcript *t = transcript_new();
	struct slines out, all;
	struct tview v;
	(void)state;
	srand(5);
	slines_init(&out);
	slines_init(&all);
	tview_init(&v);
	for (int i = 0; i < 40; i++)
		add_random_event(t);
	int width = 40, height = 9;
	const struct tview_opts *o = &topts;
	tview_visible(&v, t, width, height, o, &out);
	for (int step = 0; step < 1500; step++) {
		int op = rand() % 10, delta = 0;
		bool fresh = true;
		all_rows(t, width, o, &all);
		size_t before = all.n > 0 ? window_start(&v, &all) : 0;
		bool followed = v.follow;
		switch (op) {
		case 0:
			add_random_event(t);
			fresh = false;
			break;
		case 1:
			width = 20 + rand() % 80;
			height = 1 + rand() % 20;
			o = modes[rand() % 3];
			fresh = false;
			break;
		case 2:
			tview_home(&v);
			break;
		case 3:
			tview_end(&v, t);
			break;
		case 4:
			tview_select(&v, t, width, height, o, rand() % 11 - 5);
			fresh = false;
			break;
		default:
			delta = rand() % 41 - 20;
			tview_scroll(&v, t, width, height, o, delta);
			break;
		}
		tview_visible(&v, t, width, height, o, &out);
		all_rows(t, width, o, &all);
		size_t want_n = all.n < (size_t)height ? all.n : (size_t)height;
		assert_int_equal(out.n, want_n);
		if (out.n == 0)
			continue;
		size_t start = window_start(&v, &all);
		assert_true(start + out.n <= all.n);
		for (size_t r = 0; r < out.n; r++) {
			assert_string_equal(out.v[r].text, all.v[start + r].text);
			assert_int_equal(out.v[r].tag, all.v[start + r].tag);
		}
		if (v.follow)
			assert_int_equal(start + out.n, all.n);
		size_t last = all.n - out.n;
		if (op == 2)
			assert_int_equal(start, 0);
		if (op == 3)
			assert_int_equal(start, last);
		if (fresh && delta != 0 && !(followed && delta > 0)) {
			long want = (long)before + delta;
			want = want < 0 ? 0 : want > (long)last ? (long)last : want;
			assert_int_equal(start, (size_t)want);
		}
	}
	slines_free(&out);
	slines_free(&all);
	transcript_free(t);
}

/* Selection */

static void
test_first_selection_up_takes_the_bottom_event(void **state)
{
	struct transcript *t = lines(50);
	struct tview v;
	struct slines out;
	(void)state;
	tview_init(&v);
	slines_init(&out);
	view(&v, t, 60, 10, &out);
	tview_select(&v, t, 60, 10, &topts, -1);
	assert_true(v.has_sel);
	assert_int_equal(v.sel, 49);
	tview_select(&v, t, 60, 10, &topts, -3);
	assert_int_equal(v.sel, 46);
	slines_free(&out);
	transcript_free(t);
}

static void
test_selection_skips_events_the_mode_hides(void **state)
{
	struct transcript *t = transcript_new();
	struct tview v;
	(void)state;
	add(t, PHASE_PLAIN, DIR_SERVER, EV_LINE, "a");
	add(t, PHASE_PLAIN, DIR_LOCAL, EV_NOTE, "local");
	add(t, PHASE_TLS, DIR_SERVER, EV_LINE, "secret");
	add(t, PHASE_PLAIN, DIR_SERVER, EV_LINE, "b");
	tview_init(&v);
	v.has_sel = true;
	v.sel = 3;
	tview_select(&v, t, 60, 10, &wopts, -1);
	assert_int_equal(v.sel, 0);
	tview_select(&v, t, 60, 10, &topts, 1);
	assert_int_equal(v.sel, 1);
	transcript_free(t);
}

static void
test_selection_stops_at_the_first_and_last_event(void **state)
{
	struct transcript *t = lines(30);
	struct tview v;
	(void)state;
	tview_init(&v);
	tview_select(&v, t, 60, 10, &topts, -1000);
	assert_int_equal(v.sel, 0);
	tview_select(&v, t, 60, 10, &topts, 1000);
	assert_int_equal(v.sel, 29);
	transcript_free(t);
}

static void
test_selecting_above_the_view_scrolls_it_to_the_top(void **state)
{
	struct transcript *t = lines(100);
	struct tview v;
	struct slines out;
	(void)state;
	tview_init(&v);
	slines_init(&out);
	view(&v, t, 60, 10, &out);
	tview_select(&v, t, 60, 10, &topts, -1);
	tview_select(&v, t, 60, 10, &topts, -15);
	assert_int_equal(v.sel, 84);
	assert_false(v.follow);
	view(&v, t, 60, 10, &out);
	assert_int_equal(first_tag(&out), 84);
	slines_free(&out);
	transcript_free(t);
}

static void
test_selecting_below_the_view_puts_it_at_the_bottom(void **state)
{
	struct transcript *t = transcript_new();
	struct tview v;
	struct slines out;
	char text[100];
	(void)state;
	memset(text, 'm', sizeof text - 1);
	text[sizeof text - 1] = '\0';
	for (int i = 0; i < 40; i++)
		add(t, PHASE_PLAIN, DIR_SERVER, EV_LINE, i % 3 ? "short" : text);
	tview_init(&v);
	tview_home(&v);
	slines_init(&out);
	view(&v, t, 40, 8, &out);
	tview_select(&v, t, 40, 8, &topts, 1);
	assert_int_equal(v.sel, 0);
	tview_select(&v, t, 40, 8, &topts, 12);
	assert_int_equal(v.sel, 12);
	view(&v, t, 40, 8, &out);
	assert_int_equal(out.n, 8);
	assert_int_equal(last_tag(&out), 12);
	assert_true(first_tag(&out) > 0);
	slines_free(&out);
	transcript_free(t);
}

static void
test_selection_already_visible_does_not_scroll(void **state)
{
	struct transcript *t = lines(100);
	struct tview v;
	struct slines out;
	(void)state;
	tview_init(&v);
	tview_home(&v);
	tview_scroll(&v, t, 60, 10, &topts, 30);
	slines_init(&out);
	view(&v, t, 60, 10, &out);
	tview_select(&v, t, 60, 10, &topts, 1);
	tview_select(&v, t, 60, 10, &topts, 4);
	assert_int_equal(v.sel, 34);
	view(&v, t, 60, 10, &out);
	assert_int_equal(first_tag(&out), 30);
	slines_free(&out);
	transcript_free(t);
}

/* Cost on a million events */

static void
test_follow_view_of_a_million_events_visits_only_the_pane(void **state)
{
	struct tview v;
	struct slines out;
	(void)state;
	tview_init(&v);
	slines_init(&out);
	tview_visible(&v, huge, 120, 40, &topts, &out);
	assert_int_equal(out.n, 40);
	assert_int_equal(last_tag(&out), HUGE_EVENTS - 1);
	assert_true(v.visited <= 40 + 2);
	slines_free(&out);
}

static void
test_view_at_home_and_middle_visits_only_the_pane(void **state)
{
	struct tview v;
	struct slines out;
	(void)state;
	tview_init(&v);
	slines_init(&out);
	tview_home(&v);
	tview_visible(&v, huge, 120, 40, &topts, &out);
	assert_int_equal(first_tag(&out), 0);
	assert_true(v.visited <= 40 + 2);
	v.top = HUGE_EVENTS / 2;
	tview_visible(&v, huge, 120, 40, &topts, &out);
	assert_int_equal(first_tag(&out), HUGE_EVENTS / 2);
	assert_true(v.visited <= 40 + 2);
	slines_free(&out);
}

static void
test_page_scrolls_in_a_million_events_visit_only_a_page(void **state)
{
	struct tview v;
	struct slines out;
	(void)state;
	tview_init(&v);
	slines_init(&out);
	tview_visible(&v, huge, 120, 40, &topts, &out);
	for (int i = 0; i < 5; i++) {
		tview_scroll(&v, huge, 120, 40, &topts, -40);
		assert_true(v.visited <= 40 + 2);
		tview_visible(&v, huge, 120, 40, &topts, &out);
		assert_true(v.visited <= 40 + 2);
	}
	assert_int_equal(last_tag(&out), HUGE_EVENTS - 1 - 5 * 40);
	tview_home(&v);
	for (int i = 0; i < 5; i++) {
		tview_scroll(&v, huge, 120, 40, &topts, 40);
		assert_true(v.visited <= 40 + 2);
		tview_visible(&v, huge, 120, 40, &topts, &out);
		assert_true(v.visited <= 40 + 2);
	}
	assert_int_equal(first_tag(&out), 5 * 40);
	tview_end(&v, huge);
	tview_visible(&v, huge, 120, 40, &topts, &out);
	assert_true(v.visited <= 40 + 2);
	slines_free(&out);
}

static void
test_selection_in_a_million_events_visits_near_the_view(void **state)
{
	struct tview v;
	(void)state;
	tview_init(&v);
	tview_select(&v, huge, 120, 40, &topts, -1);
	assert_true(v.visited <= 3 * 40 + 8);
	tview_select(&v, huge, 120, 40, &topts, -100);
	assert_int_equal(v.sel, HUGE_EVENTS - 101);
	assert_true(v.visited <= 3 * 40 + 100 + 8);
}

static void
test_search_in_a_million_events_visits_events_and_draws_only_the_pane(void **state)
{
	struct tview v;
	struct slines out;
	bool wrapped;
	(void)state;
	tview_init(&v);
	slines_init(&out);
	tview_home(&v);
	assert_true(tview_search(&v, huge, 120, 40, &topts, "line 999998", 1, &wrapped));
	assert_int_equal(v.sel, HUGE_EVENTS - 2);
	assert_true(v.visited >= HUGE_EVENTS - 2);
	assert_true(v.visited <= HUGE_EVENTS + 2 * 40 + 4);
	tview_visible(&v, huge, 120, 40, &topts, &out);
	assert_true(v.visited <= 40 + 2);
	assert_true(first_tag(&out) <= v.sel && v.sel <= last_tag(&out));
	assert_false(tview_search(&v, huge, 120, 40, &topts, "no such line", 1, &wrapped));
	assert_int_equal(v.visited, HUGE_EVENTS);
	slines_free(&out);
}

static int
build_huge(void **state)
{
	(void)state;
	huge = lines(HUGE_EVENTS);
	return 0;
}

static int
free_huge(void **state)
{
	(void)state;
	transcript_free(huge);
	return 0;
}


/* Bulk the transcript dropped from memory is one marker, drawn once, and
 * the view pages over it in both directions. */
static void
test_a_dropped_run_is_one_marker_row_and_paging_crosses_it(void **state)
{
	struct transcript *t = transcript_new();
	struct slines out;
	struct tview v;
	char text[600];
	(void)state;
	transcript_set_budget(t, 20000, NULL);
	add(t, PHASE_PLAIN, DIR_SERVER, EV_LINE, "220 greeting");
	add(t, PHASE_TLS, DIR_LOCAL, EV_PHASE, "TLS established");
	for (int i = 0; i < 500; i++) {
		snprintf(text, sizeof text, "tls line %d %0500d", i, 0);
		add(t, PHASE_TLS, DIR_SERVER, EV_LINE, text);
	}
	size_t first, last;
	assert_true(transcript_elided(t, 2, &first, &last));
	slines_init(&out);
	tview_init(&v);
	tview_home(&v);
	bool seen[502] = {false}, marker_seen = false;
	size_t tls_rows = 0;
	for (int page = 0; page < 400 && !v.follow; page++) {
		view(&v, t, 5000, 10, &out);
		for (size_t i = 0; i < out.n; i++) {
			size_t idx = (size_t)out.v[i].tag;
			if (strstr(out.v[i].text, "not kept in memory") != NULL) {
				assert_int_equal(idx, first); /* drawn at the run's start only */
				marker_seen = true;
			}
			if (strstr(out.v[i].text, "tls line") != NULL && !seen[idx]) {
				seen[idx] = true;
				tls_rows++;
			}
		}
		tview_scroll(&v, t, 5000, 10, &topts, 10);
	}
	assert_true(marker_seen);
	assert_int_equal(tls_rows, 500 - (last - first + 1));
	/* back to the top from the end crosses the run the other way */
	tview_scroll(&v, t, 5000, 10, &topts, -1000);
	view(&v, t, 5000, 10, &out);
	assert_non_null(strstr(out.v[0].text, "220 greeting"));
	assert_non_null(strstr(out.v[2].text, "not kept in memory"));
	assert_int_equal(transcript_next(t, first), last + 1);
	slines_free(&out);
	transcript_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_a_dropped_run_is_one_marker_row_and_paging_crosses_it),
	    cmocka_unit_test(test_client_plain_line_has_gutter_marker_and_text),
	    cmocka_unit_test(test_server_plain_line_uses_server_element),
	    cmocka_unit_test(test_tls_lines_use_tls_markers_elements_and_gutter),
	    cmocka_unit_test(test_server_escapes_are_shown_in_escaped_element),
	    cmocka_unit_test(
	        test_imap_flags_are_shown_with_one_backslash_in_the_server_element),
	    cmocka_unit_test(
	        test_redact_shows_a_secret_line_and_its_explanation_as_markers),
	    cmocka_unit_test(test_no_color_gutter_glyph_tells_the_phase),
	    cmocka_unit_test(test_findings_show_id_in_severity_element),
	    cmocka_unit_test(test_error_row_is_in_error_element),
	    cmocka_unit_test(test_tls_established_is_a_full_width_boundary_rule),
	    cmocka_unit_test(test_narrow_boundary_rule_still_fills_the_width),
	    cmocka_unit_test(test_handshake_begin_has_its_own_rule),
	    cmocka_unit_test(test_injected_bytes_note_is_in_injected_element),
	    cmocka_unit_test(test_record_note_is_compact_info),
	    cmocka_unit_test(test_record_size_is_the_body_in_both_views),
	    cmocka_unit_test(test_other_events_are_info_rows),
	    cmocka_unit_test(test_long_line_wraps_aligned_after_the_marker),
	    cmocka_unit_test(test_explanation_rows_follow_when_enabled),
	    cmocka_unit_test(test_explanation_rows_hidden_when_disabled),
	    cmocka_unit_test(test_long_explanation_wraps_aligned_after_the_hash),
	    cmocka_unit_test(test_phase_rule_explanation_follows_the_rule),
	    cmocka_unit_test(test_every_row_is_tagged_with_the_event_index),
	    cmocka_unit_test(test_wire_shows_plaintext_lines_as_sent),
	    cmocka_unit_test(test_wire_hides_tls_phase_lines),
	    cmocka_unit_test(test_wire_hides_local_events),
	    cmocka_unit_test(test_wire_shows_records_with_header_and_hex),
	    cmocka_unit_test(test_wire_short_record_has_no_ellipsis_and_client_marker),
	    cmocka_unit_test(
	        test_transcript_hides_records_after_the_handshake_unless_asked),
	    cmocka_unit_test(
	        test_decrypted_message_is_one_compact_row_named_as_rfc_8446_writes_it),
	    cmocka_unit_test(
	        test_transcript_hides_messages_after_the_handshake_unless_asked),
	    cmocka_unit_test(test_wire_record_wraps_in_a_narrow_pane),
	    cmocka_unit_test(test_wire_shows_the_encryption_boundary_once),
	    cmocka_unit_test(test_wire_shows_injected_bytes_as_received),
	    cmocka_unit_test(test_empty_transcript_shows_nothing),
	    cmocka_unit_test(test_short_transcript_shows_every_row_in_order),
	    cmocka_unit_test(test_follow_puts_the_last_row_at_the_bottom),
	    cmocka_unit_test(test_follow_keeps_last_row_at_the_bottom_as_events_arrive),
	    cmocka_unit_test(test_scroll_up_moves_one_row_and_stops_following),
	    cmocka_unit_test(test_scrolled_view_stays_put_when_events_arrive),
	    cmocka_unit_test(test_scrolling_down_to_the_end_follows_again),
	    cmocka_unit_test(test_scrolling_down_past_the_end_stops_at_the_last_row),
	    cmocka_unit_test(test_scroll_moves_by_rows_inside_a_tall_event),
	    cmocka_unit_test(test_home_shows_the_first_row_and_end_the_last),
	    cmocka_unit_test(test_scrolling_up_past_the_top_stops_at_the_first_row),
	    cmocka_unit_test(test_page_down_then_page_up_returns_to_the_same_rows),
	    cmocka_unit_test(test_widening_never_leaves_empty_rows_below_the_end),
	    cmocka_unit_test(test_view_skips_events_the_mode_hides),
	    cmocka_unit_test(test_view_is_always_a_window_of_all_rows),
	    cmocka_unit_test(test_first_selection_up_takes_the_bottom_event),
	    cmocka_unit_test(test_selection_skips_events_the_mode_hides),
	    cmocka_unit_test(test_selection_stops_at_the_first_and_last_event),
	    cmocka_unit_test(test_selecting_above_the_view_scrolls_it_to_the_top),
	    cmocka_unit_test(test_selecting_below_the_view_puts_it_at_the_bottom),
	    cmocka_unit_test(test_selection_already_visible_does_not_scroll),
	    cmocka_unit_test(test_follow_view_of_a_million_events_visits_only_the_pane),
	    cmocka_unit_test(test_view_at_home_and_middle_visits_only_the_pane),
	    cmocka_unit_test(test_page_scrolls_in_a_million_events_visit_only_a_page),
	    cmocka_unit_test(test_selection_in_a_million_events_visits_near_the_view),
	    cmocka_unit_test(test_search_selects_the_next_match_ignoring_case),
	    cmocka_unit_test(test_search_wraps_around_both_ways_and_says_so),
	    cmocka_unit_test(test_search_not_found_moves_nothing),
	    cmocka_unit_test(
	        test_search_matches_the_escaped_text_not_raw_bytes_nor_a_regex),
	    cmocka_unit_test(test_search_finds_words_of_a_hidden_explanation),
	    cmocka_unit_test(test_search_skips_events_before_the_floor),
	    cmocka_unit_test(
	        test_search_in_a_million_events_visits_events_and_draws_only_the_pane),
	};
	if (setlocale(LC_ALL, "C.UTF-8") == NULL)
		fail_msg("the C.UTF-8 locale is needed for column widths");
	return cmocka_run_group_tests(tests, build_huge, free_huge);
}
