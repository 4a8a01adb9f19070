/* Lessons: the file format and its errors, the shipped lessons, how each wait
 * is judged from transcript events, progress, the pane, loading and listing,
 * and whole lessons played against event sequences like a real session's. */
#include <dirent.h>
#include <limits.h>
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "finding.h"
#include "lab.h"
#include "lesson.h"
#include "lessonview.h"
#include "proto.h"
#include "styled.h"
#include "transcript.h"
#include "testutil.h"

/* The scenario names startle-lab knows, from its own list. */
static const char *const scenario_names[] = {
#define SCENARIO_NAME(sym, name, text) name,
    LAB_SCENARIOS(SCENARIO_NAME)
#undef SCENARIO_NAME
};
#define NSCENARIOS (sizeof scenario_names / sizeof scenario_names[0])

/* The repository root (where docs/lessons is), found from the working directory. */
static char root[PATH_MAX];

static const char header[] = "title: T\nproto: smtp\n";

/* Helpers: parsing */

static void
parse_ok(const char *text, struct lesson *l)
{
	char *cause = NULL;
	int rc = lesson_parse(text, strlen(text), "t.lesson", l, &cause);

	if (rc != 0)
		fail_msg("lesson_parse failed: %s", cause ? cause : "(no cause)");
	assert_null(cause);
}

/* Parses header + body, which must fail; returns the message. */
static char *
parse_error(const char *text)
{
	struct lesson l;
	char *cause = NULL;

	assert_int_equal(lesson_parse(text, strlen(text), "t.lesson", &l, &cause), -1);
	assert_non_null(cause);
	assert_null(l.steps);
	assert_null(l.title);
	return cause;
}

static void
assert_parse_error(const char *text, const char *expected)
{
	char *cause = parse_error(text);

	assert_string_equal(cause, expected);
	free(cause);
}

/* A lesson of one header and the given steps. */
static void
lesson_of(const char *steps, struct lesson *l)
{
	char text[4096];

	snprintf(text, sizeof text, "%s%s", header, steps);
	parse_ok(text, l);
}

/* A lesson whose only step waits for wait (e.g. "sent EHLO"), for a protocol. */
static void
one_step(const char *proto, const char *wait, struct lesson *l)
{
	char text[512];

	snprintf(text, sizeof text, "title: T\nproto: %s\nstep: S\nwait: %s\nDo it.\n",
	         proto, wait);
	parse_ok(text, l);
}

/* Helpers: events, built the way the session builds them */

static struct tls_summary summary = {.version = "TLSv1.3",
                                     .cipher = "TLS_AES_128_GCM_SHA256"};
static struct cert_verdict verdict_ok = {
    .verified = true, .name_match = true, .name_checked = "mail.startle.test"};
static struct tls_record record = {.type = 22, .length = 512};

/* An event whose text is a copy of exactly len bytes (no NUL after them), so
 * reading past the end shows up under the sanitizers. Free with ev_free. */
static struct event
ev_bytes(enum event_kind kind, enum dir dir, enum phase phase, const void *data, size_t len)
{
	struct event ev = {.kind = kind, .dir = dir, .phase = phase};

	ev.text = malloc(len ? len : 1);
	assert_non_null(ev.text);
	memcpy(ev.text, data, len);
	ev.len = len;
	return ev;
}

static struct event
ev_line(enum dir dir, enum phase phase, const char *text, unsigned flags)
{
	struct event ev = ev_bytes(EV_LINE, dir, phase, text, strlen(text));

	ev.line_flags = flags;
	return ev;
}

static struct event
ev_local(enum event_kind kind, enum phase phase, const char *text)
{
	return ev_bytes(kind, DIR_LOCAL, phase, text, strlen(text));
}

static struct event
ev_finding(enum phase phase, enum finding_id f)
{
	struct event ev = ev_local(EV_FINDING, phase, finding_summary(f));

	ev.finding = f;
	ev.severity = finding_severity(f);
	return ev;
}

static void
ev_free(struct event *ev)
{
	free(ev->text);
	ev->text = NULL;
}

/* Feeds one event built for the occasion and frees it. */
static bool
feed(struct lesson *l, struct event ev)
{
	bool r = lesson_update(l, &ev);

	ev_free(&ev);
	return r;
}

/* A session as startle records it: events, and the points where the user
 * types /next. */
#define SCRIPT_MAX 128

struct script {
	struct event ev[SCRIPT_MAX];
	bool user_next[SCRIPT_MAX]; /* this entry is the user typing /next */
	size_t n;
	unsigned seq;
};

static size_t
sc_push(struct script *sc, struct event ev)
{
	assert_true(sc->n < SCRIPT_MAX);
	ev.seq = ++sc->seq;
	sc->ev[sc->n] = ev;
	sc->user_next[sc->n] = false;
	return sc->n++;
}

static size_t
sc_server(struct script *sc, enum phase p, const char *text, unsigned flags)
{
	return sc_push(sc, ev_line(DIR_SERVER, p, text, flags));
}

static size_t
sc_client(struct script *sc, enum phase p, const char *text)
{
	return sc_push(sc, ev_line(DIR_CLIENT, p, text, 0));
}

static size_t
sc_next(struct script *sc)
{
	assert_true(sc->n < SCRIPT_MAX);
	memset(&sc->ev[sc->n], 0, sizeof sc->ev[sc->n]);
	sc->user_next[sc->n] = true;
	return sc->n++;
}

static void
sc_connect(struct script *sc)
{
	sc_push(sc, ev_local(EV_CONNECT, PHASE_PLAIN, "connected to 127.0.0.1 port 40025"));
}

/* The TLS part startle records after a go-ahead: phase, records, phase,
 * summary, chain, verdict. Returns the index of the "TLS established" phase. */
static size_t
sc_handshake(struct script *sc, bool self_signed)
{
	size_t established;
	struct event ev;

	sc_push(sc, ev_local(EV_PHASE, PHASE_HANDSHAKE, "TLS handshake begins"));
	for (int i = 0; i < 4; i++) {
		ev = ev_bytes(EV_NOTE, i % 2 ? DIR_SERVER : DIR_CLIENT, PHASE_HANDSHAKE,
		              "TLS record", 10);
		ev.record = &record;
		sc_push(sc, ev);
	}
	established = sc_push(
	    sc, ev_local(EV_PHASE, PHASE_TLS, "TLS established: encrypted from here on"));
	ev = ev_local(EV_TLS, PHASE_TLS, "TLSv1.3, TLS_AES_128_GCM_SHA256, group X25519");
	ev.tls = &summary;
	sc_push(sc, ev);
	sc_push(sc, ev_bytes(EV_CERT, DIR_SERVER, PHASE_TLS, "certificate 0", 13));
	if (!self_signed)
		sc_push(sc, ev_bytes(EV_CERT, DIR_SERVER, PHASE_TLS, "certificate 1", 13));
	ev = ev_local(EV_TLS, PHASE_TLS,
	              "certificate verified; name mail.startle.test matches");
	ev.verdict = &verdict_ok;
	sc_push(sc, ev);
	return established;
}

static void
sc_free(struct script *sc)
{
	for (size_t i = 0; i < sc->n; i++)
		ev_free(&sc->ev[i]);
	sc->n = 0;
}

/* Plays the script; at[i] gets the index of the entry that completed step i
 * (SIZE_MAX if none). Fails if an event completes more than one step. */
static void
sc_play(struct script *sc, struct lesson *l, size_t *at)
{
	for (size_t i = 0; i < l->nsteps; i++)
		at[i] = SIZE_MAX;
	for (size_t i = 0; i < sc->n; i++) {
		size_t before = l->current;
		if (sc->user_next[i]) {
			assert_false(lesson_done(l));
			assert_int_equal(l->steps[l->current].wait, LESSON_WAIT_READ);
			lesson_next(l);
		} else if (lesson_update(l, &sc->ev[i])) {
			assert_int_equal(l->current, before + 1);
		}
		assert_true(l->current <= before + 1);
		if (l->current == before + 1)
			at[before] = i;
	}
}

/* Helpers: files and rows */

static void
load_shipped(const char *name, struct lesson *l)
{
	char path[PATH_MAX + 64];
	char *cause = NULL;

	snprintf(path, sizeof path, "%s/docs/lessons/%s.lesson", root, name);
	if (lesson_load(path, l, &cause) != 0)
		fail_msg("%s: %s", path, cause);
}

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* All rows as one text, one row a line. The caller frees it. */
static char *
rows_text(const struct slines *rows)
{
	size_t len = 1;
	char *s;

	for (size_t i = 0; i < rows->n; i++)
		len += rows->v[i].len + 1;
	s = calloc(1, len);
	assert_non_null(s);
	for (size_t i = 0; i < rows->n; i++) {
		strcat(s, rows->v[i].text);
		strcat(s, "\n");
	}
	return s;
}

/* The row holding needle, or NULL. */
static const struct sline *
row_with(const struct slines *rows, const char *needle)
{
	for (size_t i = 0; i < rows->n; i++)
		if (strstr(rows->v[i].text, needle) != NULL)
			return &rows->v[i];
	return NULL;
}

/* The element covering the first byte of needle in row l. */
static enum theme_element
elem_of(const struct sline *l, const char *needle)
{
	const char *p = strstr(l->text, needle);
	size_t off, start = 0;

	assert_non_null(p);
	off = (size_t)(p - l->text);
	for (size_t i = 0; i < l->nspans; i++) {
		if (off < start + l->spans[i].len)
			return l->spans[i].elem;
		start += l->spans[i].len;
	}
	fail_msg("\"%s\" is past the spans of \"%s\"", needle, l->text);
	return TE_COUNT;
}

/* Calls fn for each file in docs/lessons ending in .lesson. */
static size_t
each_shipped(void (*fn)(const char *name, struct lesson *l))
{
	char dir[PATH_MAX + 16];
	DIR *d;
	struct dirent *de;
	size_t n = 0;

	snprintf(dir, sizeof dir, "%s/docs/lessons", root);
	d = opendir(dir);
	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);
		char name[256];
		struct lesson l;
		if (len <= 7 || strcmp(de->d_name + len - 7, ".lesson") != 0)
			continue;
		snprintf(name, sizeof name, "%.*s", (int)(len - 7), de->d_name);
		load_shipped(name, &l);
		fn(name, &l);
		lesson_free(&l);
		n++;
	}
	closedir(d);
	return n;
}

/* The shipped lessons */

static bool
is_scenario(const char *name)
{
	for (size_t i = 0; i < NSCENARIOS; i++)
		if (strcmp(scenario_names[i], name) == 0)
			return true;
	return false;
}

static void
check_shipped(const char *name, struct lesson *l)
{
	assert_string_equal(l->name, name);
	assert_true(strlen(l->title) > 0);
	if (proto_from_name(l->proto) < 0)
		fail_msg("%s.lesson: proto \"%s\" is not smtp, imap or pop3", name,
		         l->proto);
	if (!is_scenario(l->scenario))
		fail_msg("%s.lesson: scenario \"%s\" is not a lab scenario", name,
		         l->scenario);
	if (l->nsteps < 5 || l->nsteps > 9)
		fail_msg("%s.lesson: %zu steps; a lesson has 5 to 9", name, l->nsteps);
	if (l->next != NULL) {
		char path[PATH_MAX + 64];
		snprintf(path, sizeof path, "%s/docs/lessons/%s.lesson", root, l->next);
		if (access(path, R_OK) != 0)
			fail_msg("%s.lesson: next lesson \"%s\" does not exist", name,
			         l->next);
	}
	for (size_t i = 0; i < l->nsteps; i++)
		assert_true(strlen(l->steps[i].text) > 0);
}

static void
test_every_shipped_lesson_parses_and_names_a_proto_and_a_lab_scenario(void **state)
{
	(void)state;
	assert_true(each_shipped(check_shipped) >= 5);
}

static void
test_the_lessons_of_the_series_are_shipped(void **state)
{
	static const char *const names[] = {"starttls", "stripping", "policies",
	                                    "injection", "implicit", "certificates"};
	static const char *const scenarios[] = {"honest", "strip", "strip", "inject",
	                                        "honest", "honest"};
	struct lesson l;

	(void)state;
	for (size_t i = 0; i < 6; i++) {
		load_shipped(names[i], &l);
		assert_string_equal(l.scenario, scenarios[i]);
		lesson_free(&l);
	}
}

/* Parsing */

static void
test_parse_reads_header_steps_waits_and_text(void **state)
{
	struct lesson l;

	(void)state;
	parse_ok("# a comment\n"
	         "title: How STARTTLS works\n"
	         "proto: smtp\n"
	         "scenario: strip\n"
	         "next: injection\n"
	         "\n"
	         "step: Read the greeting\n"
	         "wait: greeting\n"
	         "The server spoke first.\n"
	         "\n"
	         "step: Ask what the server offers\n"
	         "wait: sent EHLO\n"
	         "Type:\n"
	         "    EHLO me\n",
	         &l);
	assert_string_equal(l.name, "t");
	assert_string_equal(l.title, "How STARTTLS works");
	assert_string_equal(l.proto, "smtp");
	assert_string_equal(l.scenario, "strip");
	assert_string_equal(l.next, "injection");
	assert_int_equal(l.nsteps, 2);
	assert_int_equal(l.current, 0);
	assert_string_equal(l.steps[0].title, "Read the greeting");
	assert_int_equal(l.steps[0].wait, LESSON_WAIT_GREETING);
	assert_string_equal(l.steps[0].arg, "");
	assert_string_equal(l.steps[0].text, "The server spoke first.");
	assert_int_equal(l.steps[1].wait, LESSON_WAIT_SENT);
	assert_string_equal(l.steps[1].arg, "EHLO");
	assert_string_equal(l.steps[1].text, "Type:\n    EHLO me");
	lesson_free(&l);
}

static void
test_scenario_defaults_to_honest_and_next_to_none(void **state)
{
	struct lesson l;

	(void)state;
	lesson_of("step: S\nwait: read\nText.\n", &l);
	assert_string_equal(l.scenario, "honest");
	assert_null(l.next);
	lesson_free(&l);
}

static void
test_name_is_the_file_name_without_its_directory_and_suffix(void **state)
{
	struct lesson l;
	char *cause = NULL;
	const char *text = "title: T\nproto: imap\nstep: S\nwait: read\nText.\n";

	(void)state;
	assert_int_equal(
	    lesson_parse(text, strlen(text), "/some/dir/mine.lesson", &l, &cause), 0);
	assert_string_equal(l.name, "mine");
	lesson_free(&l);
}

static void
test_proto_and_names_are_kept_in_canonical_case(void **state)
{
	struct lesson l;

	(void)state;
	parse_ok("title: T\nproto: POP3\nscenario: Self-Signed\n"
	         "step: S\nwait: PHASE TLS\nText.\n"
	         "step: F\nwait: Sent capa\nText.\n",
	         &l);
	assert_string_equal(l.proto, "pop3");
	assert_string_equal(l.scenario, "self-signed");
	assert_int_equal(l.steps[0].wait, LESSON_WAIT_PHASE);
	assert_string_equal(l.steps[0].arg, "tls");
	assert_string_equal(l.steps[1].arg, "capa");
	lesson_free(&l);
}

static void
test_text_keeps_lines_and_one_blank_between_paragraphs(void **state)
{
	struct lesson l;

	(void)state;
	lesson_of("step: S\nwait: read\n\n\nFirst line\nsecond line.\n\n\n"
	          "# a comment inside the text\n"
	          "Next paragraph.\n\n\n",
	          &l);
	assert_string_equal(l.steps[0].text, "First line\nsecond line.\n\nNext paragraph.");
	lesson_free(&l);
}

static void
test_key_like_lines_inside_a_step_are_text(void **state)
{
	struct lesson l;

	(void)state;
	lesson_of("step: S\nwait: sent EHLO\nType:  EHLO me\nNote: title: is text here\n",
	          &l);
	assert_int_equal(l.nsteps, 1);
	assert_string_equal(l.steps[0].text, "Type:  EHLO me\nNote: title: is text here");
	lesson_free(&l);
}

static void
test_crlf_line_ends_tabs_and_trailing_blanks_are_tidied(void **state)
{
	struct lesson l;

	(void)state;
	parse_ok("title: T  \r\nproto: smtp\r\nstep: S\r\nwait: received 250 OK \r\n"
	         "Type:\r\n\tQUIT\r\n",
	         &l);
	assert_string_equal(l.title, "T");
	assert_string_equal(l.steps[0].arg, "250 OK");
	assert_string_equal(l.steps[0].text, "Type:\n    QUIT");
	lesson_free(&l);
}

static void
test_error_unknown_key_names_file_and_line(void **state)
{
	(void)state;
	assert_parse_error(
	    "title: T\nauthor: me\nproto: smtp\n",
	    "t.lesson:2: unknown key \"author\": the header has title:, proto:, "
	    "scenario:, next: and compare:, and each step begins with step:");
}

static void
test_error_unknown_key_after_step_line(void **state)
{
	(void)state;
	assert_parse_error("title: T\nproto: smtp\nstep: S\nwiat: greeting\n",
	                   "t.lesson:4: unknown key \"wiat\": after \"step: TITLE\" comes "
	                   "\"wait: KIND [ARG]\" (and in a compare lesson, before it, "
	                   "\"side: a|b\")");
}

static void
test_error_unknown_wait_kind(void **state)
{
	(void)state;
	assert_parse_error(
	    "title: T\nproto: smtp\n\nstep: S\nwait: snet EHLO\nText.\n",
	    "t.lesson:5: unknown wait kind \"snet\": use greeting, sent WORD, "
	    "received TEXT, phase NAME, finding ID, verdict, closed or read");
}

static void
test_error_step_without_wait_before_the_next_step(void **state)
{
	(void)state;
	assert_parse_error(
	    "title: T\nproto: smtp\n\nstep: Ask\n\nstep: Two\nwait: read\nText.\n",
	    "t.lesson:4: step \"Ask\" has no wait: line: write \"wait: KIND "
	    "[ARG]\" on the line after \"step:\"");
}

static void
test_error_step_without_wait_when_text_follows(void **state)
{
	(void)state;
	assert_parse_error("title: T\nproto: smtp\nstep: Ask\nType EHLO me.\n",
	                   "t.lesson:3: step \"Ask\" has no wait: line: write \"wait: KIND "
	                   "[ARG]\" on the line after \"step:\"");
}

static void
test_error_step_without_wait_at_end_of_file(void **state)
{
	(void)state;
	assert_parse_error(
	    "title: T\nproto: smtp\nstep: Last",
	    "t.lesson:3: step \"Last\" has no wait: line: write \"wait: KIND "
	    "[ARG]\" on the line after \"step:\"");
}

static void
test_error_no_steps(void **state)
{
	(void)state;
	assert_parse_error(
	    "title: T\nproto: smtp\n# nothing else\n",
	    "t.lesson: has no steps: add one with \"step: TITLE\", \"wait: KIND\" "
	    "and its text");
}

static void
test_error_missing_title(void **state)
{
	(void)state;
	assert_parse_error(
	    "proto: smtp\nstep: S\nwait: read\nText.\n",
	    "t.lesson: missing title: begin the file with \"title: How STARTTLS "
	    "works\"");
}

static void
test_error_missing_proto(void **state)
{
	(void)state;
	assert_parse_error(
	    "title: T\nstep: S\nwait: read\nText.\n",
	    "t.lesson: missing proto: add \"proto: smtp\" (or imap, pop3) to the "
	    "header");
}

static void
test_error_file_larger_than_64_kib(void **state)
{
	size_t len = 64 * 1024 + 1;
	char *big = malloc(len);
	struct lesson l;
	char *cause = NULL;

	(void)state;
	assert_non_null(big);
	memset(big, '#', len);
	assert_int_equal(lesson_parse(big, len, "big.lesson", &l, &cause), -1);
	assert_string_equal(cause,
	                    "big.lesson: is larger than the 64 KiB a lesson file may be: "
	                    "check that this is a lesson file");
	free(cause);
	free(big);
}

static void
test_a_file_of_exactly_64_kib_is_accepted(void **state)
{
	size_t len = 64 * 1024;
	const char *body = "title: T\nproto: smtp\nstep: S\nwait: read\nText.\n";
	char *text = malloc(len);
	struct lesson l;
	char *cause = NULL;

	(void)state;
	assert_non_null(text);
	memset(text, '\n', len);
	memcpy(text, body, strlen(body));
	assert_int_equal(lesson_parse(text, len, "t.lesson", &l, &cause), 0);
	assert_int_equal(l.nsteps, 1);
	lesson_free(&l);
	free(text);
}

static void
test_error_nul_byte_names_its_line(void **state)
{
	static const char text[] = "title: T\nproto: smtp\nstep: S\0\nwait: read\n";
	struct lesson l;
	char *cause = NULL;

	(void)state;
	assert_int_equal(lesson_parse(text, sizeof text - 1, "t.lesson", &l, &cause), -1);
	assert_string_equal(cause,
	                    "t.lesson:3: contains a NUL byte: a lesson is plain text; "
	                    "save it as text");
	free(cause);
}

static void
test_error_control_characters(void **state)
{
	(void)state;
	assert_parse_error(
	    "title: T\nproto: smtp\nstep: S\nwait: read\nRed \x1b[31mtext\n",
	    "t.lesson:5: contains a control character or invalid UTF-8: a lesson "
	    "is plain UTF-8 text");
}

static void
test_error_wait_arguments(void **state)
{
	(void)state;
	assert_parse_error(
	    "title: T\nproto: smtp\nstep: S\nwait: sent\nText.\n",
	    "t.lesson:4: \"wait: sent\" needs a command word, as in \"wait: sent "
	    "EHLO\"");
	assert_parse_error("title: T\nproto: smtp\nstep: S\nwait: greeting now\nText.\n",
	                   "t.lesson:4: \"wait: greeting\" takes nothing after it");
	assert_parse_error(
	    "title: T\nproto: smtp\nstep: S\nwait: sent EHLO me\nText.\n",
	    "t.lesson:4: \"wait: sent\" takes one command word, not \"EHLO me\"");
	assert_parse_error(
	    "title: T\nproto: smtp\nstep: S\nwait: phase encrypted\nText.\n",
	    "t.lesson:4: unknown phase \"encrypted\": use plain, handshake or tls");
	assert_parse_error(
	    "title: T\nproto: smtp\nstep: S\nwait: finding injection\nText.\n",
	    "t.lesson:4: unknown finding id \"injection\": write the id as startle "
	    "reports it, such as starttls-injection");
}

static void
test_error_unknown_proto(void **state)
{
	(void)state;
	assert_parse_error("title: T\nproto: http\n",
	                   "t.lesson:2: unknown protocol \"http\": use smtp, imap or pop3");
}

static void
test_scenario_is_kept_as_a_name_and_checked_against_the_labs(void **state)
{
	struct lesson l;
	char *cause = NULL;

	(void)state;
	parse_ok("title: T\nproto: smtp\nscenario: Evil\nstep: S\nwait: greeting\nHi.\n",
	         &l);
	assert_string_equal(l.scenario, "evil");
	assert_int_equal(lesson_check_scenario(&l, scenario_names, NSCENARIOS, &cause), -1);
	assert_true(strncmp(cause,
	                    "t.lesson:3: unknown scenario \"evil\": use honest, strip, ",
	                    53) == 0);
	assert_non_null(strstr(cause, " or client-cert"));
	free(cause);
	lesson_free(&l);

	parse_ok("title: T\nproto: smtp\nscenario: Strip\nstep: S\nwait: greeting\nHi.\n",
	         &l);
	assert_int_equal(lesson_check_scenario(&l, scenario_names, NSCENARIOS, NULL), 0);
	lesson_free(&l);
}

static void
test_error_key_given_twice(void **state)
{
	(void)state;
	assert_parse_error(
	    "title: T\nproto: smtp\ntitle: U\n",
	    "t.lesson:3: \"title:\" is given twice (first on line 1): keep one");
}

static void
test_error_text_before_the_first_step(void **state)
{
	(void)state;
	assert_parse_error(
	    "title: T\nproto: smtp\nWelcome to the lesson.\n",
	    "t.lesson:3: text before the first step: begin a step with \"step: "
	    "TITLE\" and \"wait: KIND\"");
}

static void
test_error_step_without_text_or_title_or_second_wait(void **state)
{
	(void)state;
	assert_parse_error(
	    "title: T\nproto: smtp\nstep: Empty\nwait: read\n\nstep: Two\n"
	    "wait: read\nText.\n",
	    "t.lesson:3: step \"Empty\" has no text: say what to type or what to "
	    "watch");
	assert_parse_error("title: T\nproto: smtp\nstep:\nwait: read\nText.\n",
	                   "t.lesson:3: the step has no title: write \"step: Ask for the "
	                   "upgrade\"");
	assert_parse_error(
	    "title: T\nproto: smtp\nstep: S\nwait: read\nText.\nwait: closed\n",
	    "t.lesson:6: a second \"wait:\" in this step (the first is on line 4): "
	    "a step waits for one thing");
}

static void
test_error_without_cause_pointer_still_fails(void **state)
{
	struct lesson l;
	const char *text = "title: T\n";

	(void)state;
	assert_int_equal(lesson_parse(text, strlen(text), "t.lesson", &l, NULL), -1);
}

/* Waits */

static void
test_greeting_completes_on_a_flagged_server_line_only(void **state)
{
	struct lesson l;

	(void)state;
	one_step("smtp", "greeting", &l);
	assert_false(feed(&l, ev_local(EV_CONNECT, PHASE_PLAIN, "connected")));
	assert_false(feed(&l, ev_line(DIR_CLIENT, PHASE_PLAIN, "EHLO me", 0)));
	assert_false(
	    feed(&l, ev_line(DIR_SERVER, PHASE_PLAIN, "250 mail", PROTO_LINE_END)));
	assert_int_equal(l.current, 0);
	assert_true(feed(&l, ev_line(DIR_SERVER, PHASE_PLAIN, "220 mail.startle.test ESMTP",
	                             PROTO_LINE_GREETING | PROTO_LINE_END)));
	assert_true(lesson_done(&l));
	lesson_free(&l);
}

static void
test_compare_lessons_name_the_side_of_each_step(void **state)
{
	struct lesson l;

	(void)state;
	parse_ok("title: T\nproto: imap\ncompare: yes\n"
	         "step: A\nwait: greeting\nWatch a.\n"
	         "step: B\nside: b\nwait: phase tls\nWatch b.\n"
	         "step: C\nside: A\nwait: sent NOOP\nType NOOP.\n",
	         &l);
	assert_true(l.compare);
	assert_int_equal(l.steps[0].side, 0);
	assert_int_equal(l.steps[1].side, 1);
	assert_int_equal(l.steps[2].side, 0);
	/* b's greeting does not complete a's step; a's does. */
	struct event g = ev_line(DIR_SERVER, PHASE_TLS, "* OK ready", PROTO_LINE_GREETING);
	assert_false(lesson_update_side(&l, 1, &g));
	assert_true(lesson_update_side(&l, 0, &g));
	ev_free(&g);
	/* a reaching TLS does not complete b's step. */
	struct event tls = ev_local(EV_PHASE, PHASE_TLS, "TLS established");
	assert_false(lesson_update_side(&l, 0, &tls));
	assert_int_equal(l.current, 1);
	assert_true(lesson_update_side(&l, 1, &tls));
	ev_free(&tls);
	struct event noop = ev_line(DIR_CLIENT, PHASE_TLS, "a1 NOOP", 0);
	assert_false(lesson_update_side(&l, 1, &noop));
	assert_true(lesson_update(&l, &noop)); /* lesson_update is side a */
	ev_free(&noop);
	assert_true(lesson_done(&l));
	lesson_free(&l);
	parse_ok("title: T\nproto: imap\nstep: A\nwait: read\nRead.\n", &l);
	assert_false(l.compare);
	lesson_free(&l);
}

static void
test_compare_lesson_errors(void **state)
{
	(void)state;
	assert_parse_error("title: T\nproto: imap\ncompare: maybe\nstep: A\nwait: read\nR.\n",
	                   "t.lesson:3: \"compare:\" takes yes or no");
	assert_parse_error("title: T\nproto: imap\nstep: A\nside: b\nwait: read\nR.\n",
	                   "t.lesson:4: \"side:\" names a session of a compare lesson: add "
	                   "\"compare: yes\" to the header, or drop this line");
	assert_parse_error("title: T\nproto: imap\ncompare: yes\nstep: A\nside: c\nwait: "
	                   "read\nR.\n",
	                   "t.lesson:5: \"side:\" takes a (the explicit session) or b (the "
	                   "implicit one)");
}

static void
test_greeting_without_flags_is_the_first_server_line(void **state)
{
	struct lesson l;

	(void)state;
	one_step("pop3", "greeting", &l);
	assert_true(feed(&l, ev_line(DIR_SERVER, PHASE_PLAIN, "+OK POP3 ready", 0)));
	lesson_free(&l);
}

static void
test_sent_matches_the_command_word_in_any_case(void **state)
{
	struct lesson l;

	(void)state;
	one_step("smtp", "sent EHLO", &l);
	assert_false(feed(&l, ev_line(DIR_SERVER, PHASE_PLAIN, "250 EHLO", 0)));
	assert_false(feed(&l, ev_line(DIR_CLIENT, PHASE_PLAIN, "HELO me", 0)));
	assert_false(feed(&l, ev_line(DIR_CLIENT, PHASE_PLAIN, "EHLOX me", 0)));
	assert_false(feed(&l, ev_line(DIR_CLIENT, PHASE_PLAIN, "MAIL FROM:<EHLO>", 0)));
	assert_false(feed(&l, ev_local(EV_NOTE, PHASE_PLAIN, "EHLO")));
	assert_int_equal(l.current, 0);
	assert_true(feed(&l, ev_line(DIR_CLIENT, PHASE_PLAIN, "ehlo me", 0)));
	lesson_free(&l);
}

static void
test_sent_looks_past_the_imap_tag(void **state)
{
	struct lesson l;

	(void)state;
	one_step("imap", "sent STARTTLS", &l);
	assert_false(feed(&l, ev_line(DIR_CLIENT, PHASE_PLAIN, "STARTTLS", 0)));
	assert_false(feed(&l, ev_line(DIR_CLIENT, PHASE_PLAIN, "a CAPABILITY", 0)));
	assert_true(feed(&l, ev_line(DIR_CLIENT, PHASE_PLAIN, "b starttls", 0)));
	lesson_free(&l);
}

static void
test_received_finds_text_in_server_lines_in_any_case(void **state)
{
	struct lesson l;

	(void)state;
	one_step("smtp", "received ready to start", &l);
	assert_false(feed(&l, ev_line(DIR_CLIENT, PHASE_PLAIN, "NOOP ready to start", 0)));
	assert_false(feed(&l, ev_line(DIR_SERVER, PHASE_PLAIN, "220 Ready to", 0)));
	assert_true(
	    feed(&l, ev_line(DIR_SERVER, PHASE_PLAIN, "220 2.0.0 READY TO START TLS", 0)));
	lesson_free(&l);
}

static void
test_received_treats_lines_as_bytes_not_strings(void **state)
{
	static const char after_nul[] = "220 \0go STARTTLS";
	static const char cut[] = "250-STARTTLS";
	struct lesson l;

	(void)state;
	one_step("smtp", "received starttls", &l);
	/* the match ends exactly at the last byte, with nothing after it */
	assert_false(feed(&l, ev_bytes(EV_LINE, DIR_SERVER, PHASE_PLAIN, cut, 11)));
	assert_true(feed(&l, ev_bytes(EV_LINE, DIR_SERVER, PHASE_PLAIN, after_nul,
	                              sizeof after_nul - 1)));
	lesson_free(&l);
	one_step("smtp", "received starttls", &l);
	assert_true(feed(&l, ev_bytes(EV_LINE, DIR_SERVER, PHASE_PLAIN, cut, 12)));
	lesson_free(&l);
}

static void
test_phase_completes_on_the_phase_change_or_any_later_event_of_it(void **state)
{
	struct lesson l;

	(void)state;
	one_step("smtp", "phase tls", &l);
	assert_false(feed(&l, ev_line(DIR_SERVER, PHASE_PLAIN, "220 go ahead", 0)));
	assert_false(feed(&l, ev_local(EV_PHASE, PHASE_HANDSHAKE, "TLS handshake begins")));
	assert_true(feed(&l, ev_local(EV_PHASE, PHASE_TLS, "TLS established")));
	lesson_free(&l);
	one_step("smtp", "phase tls", &l);
	assert_true(feed(&l, ev_line(DIR_CLIENT, PHASE_TLS, "EHLO me", 0)));
	lesson_free(&l);
	one_step("smtp", "phase handshake", &l);
	assert_true(feed(&l, ev_local(EV_PHASE, PHASE_HANDSHAKE, "TLS handshake begins")));
	lesson_free(&l);
}

static void
test_finding_completes_on_that_id_only(void **state)
{
	struct lesson l;

	(void)state;
	one_step("smtp", "finding starttls-injection", &l);
	assert_false(feed(&l, ev_finding(PHASE_PLAIN, FINDING_STARTTLS_REFUSED)));
	assert_false(feed(&l, ev_line(DIR_SERVER, PHASE_PLAIN, "starttls-injection", 0)));
	assert_true(feed(&l, ev_finding(PHASE_PLAIN, FINDING_STARTTLS_INJECTION)));
	lesson_free(&l);
}

static void
test_verdict_completes_on_the_verdict_not_the_summary(void **state)
{
	struct lesson l;
	struct event ev;

	(void)state;
	one_step("imap", "verdict", &l);
	ev = ev_local(EV_TLS, PHASE_TLS, "TLSv1.3");
	ev.tls = &summary;
	assert_false(feed(&l, ev));
	assert_false(
	    feed(&l, ev_bytes(EV_CERT, DIR_SERVER, PHASE_TLS, "certificate 0", 13)));
	ev = ev_local(EV_TLS, PHASE_TLS, "certificate verified");
	ev.verdict = &verdict_ok;
	assert_true(feed(&l, ev));
	lesson_free(&l);
}

static void
test_closed_completes_on_close_or_error(void **state)
{
	struct lesson l;

	(void)state;
	one_step("smtp", "closed", &l);
	assert_false(feed(&l, ev_line(DIR_SERVER, PHASE_PLAIN, "221 closing", 0)));
	assert_false(feed(&l, ev_local(EV_NOTE, PHASE_PLAIN, "note")));
	assert_true(
	    feed(&l, ev_local(EV_CLOSE, PHASE_PLAIN, "the server closed the connection")));
	lesson_free(&l);
	one_step("smtp", "closed", &l);
	assert_true(feed(&l, ev_local(EV_ERROR, PHASE_PLAIN, "--require-tls: closing")));
	lesson_free(&l);
}

static void
test_read_ignores_every_event_and_completes_with_next(void **state)
{
	struct lesson l;

	(void)state;
	one_step("smtp", "read", &l);
	assert_false(
	    feed(&l, ev_line(DIR_SERVER, PHASE_PLAIN, "220 hi", PROTO_LINE_GREETING)));
	assert_false(feed(&l, ev_local(EV_CLOSE, PHASE_PLAIN, "closed")));
	assert_false(lesson_done(&l));
	lesson_next(&l);
	assert_true(lesson_done(&l));
	lesson_free(&l);
}

/* Progress */

static void
test_one_event_completes_at_most_one_step(void **state)
{
	struct lesson l;

	(void)state;
	lesson_of(
	    "step: A\nwait: received 250\nText.\nstep: B\nwait: received 250\nText.\n", &l);
	assert_true(feed(&l, ev_line(DIR_SERVER, PHASE_PLAIN, "250 ok", 0)));
	assert_int_equal(l.current, 1);
	assert_true(feed(&l, ev_line(DIR_SERVER, PHASE_PLAIN, "250 ok", 0)));
	assert_int_equal(l.current, 2);
	lesson_free(&l);
}

static void
test_steps_are_judged_in_order(void **state)
{
	struct lesson l;

	(void)state;
	lesson_of("step: A\nwait: sent EHLO\nText.\nstep: B\nwait: sent STARTTLS\nText.\n",
	          &l);
	assert_false(feed(&l, ev_line(DIR_CLIENT, PHASE_PLAIN, "STARTTLS", 0)));
	assert_int_equal(l.current, 0);
	assert_true(feed(&l, ev_line(DIR_CLIENT, PHASE_PLAIN, "EHLO me", 0)));
	assert_true(feed(&l, ev_line(DIR_CLIENT, PHASE_PLAIN, "STARTTLS", 0)));
	assert_true(lesson_done(&l));
	lesson_free(&l);
}

static void
test_next_skips_any_step_and_stops_at_the_end(void **state)
{
	struct lesson l;

	(void)state;
	lesson_of("step: A\nwait: closed\nText.\nstep: B\nwait: greeting\nText.\n", &l);
	lesson_next(&l);
	assert_int_equal(l.current, 1);
	lesson_next(&l);
	assert_true(lesson_done(&l));
	lesson_next(&l);
	assert_int_equal(l.current, 2);
	lesson_free(&l);
}

static void
test_events_after_the_end_change_nothing(void **state)
{
	struct lesson l;

	(void)state;
	one_step("smtp", "closed", &l);
	assert_true(feed(&l, ev_local(EV_CLOSE, PHASE_PLAIN, "closed")));
	assert_false(feed(&l, ev_local(EV_CLOSE, PHASE_PLAIN, "closed")));
	assert_false(lesson_update(&l, NULL));
	assert_int_equal(l.current, 1);
	lesson_free(&l);
}

/* The pane */

static const char pane_lesson[] =
    "title: How STARTTLS works\nproto: smtp\nnext: stripping\n"
    "step: Read the greeting\nwait: greeting\nThe server spoke "
    "first.\n"
    "step: Ask what the server offers\nwait: sent EHLO\n"
    "The greeting came in plaintext.\nAsk for more. Type:\n"
    "    EHLO me\n\nThen read the list.\n"
    "step: Upgrade\nwait: phase tls\nType STARTTLS.\n";

static void
test_rows_show_title_progress_current_text_and_wait(void **state)
{
	struct lesson l;
	struct slines rows;
	char *all;

	(void)state;
	parse_ok(pane_lesson, &l);
	lesson_next(&l);
	slines_init(&rows);
	lessonview_rows(&l, 80, &rows);
	all = rows_text(&rows);
	assert_string_equal(rows.v[0].text, "How STARTTLS works");
	assert_int_equal(elem_of(&rows.v[0], "How"), TE_TITLE);
	assert_non_null(strstr(rows.v[1].text, "step 2 of 3"));
	assert_non_null(strstr(all, "▸ Ask what the server offers\n"));
	assert_non_null(
	    strstr(all, "\nThe greeting came in plaintext. Ask for more. Type:\n"));
	assert_non_null(strstr(all, "\n    EHLO me\n\nThen read the list.\n"));
	assert_int_equal(elem_of(row_with(&rows, "The greeting came"), "The"), TE_DEFAULT);
	assert_string_equal(rows.v[rows.n - 1].text, "waiting for: you to send EHLO");
	assert_int_equal(elem_of(&rows.v[rows.n - 1], "waiting"), TE_HINT);
	free(all);
	slines_free(&rows);
	lesson_free(&l);
}

static void
test_rows_tick_finished_steps_and_hide_later_ones(void **state)
{
	struct lesson l;
	struct slines rows;
	const struct sline *tick;
	char *all;

	(void)state;
	parse_ok(pane_lesson, &l);
	lesson_next(&l);
	slines_init(&rows);
	lessonview_rows(&l, 80, &rows);
	all = rows_text(&rows);
	tick = row_with(&rows, "Read the greeting");
	assert_non_null(tick);
	assert_string_equal(tick->text, "✓ Read the greeting");
	assert_int_equal(elem_of(tick, "✓"), TE_GOOD);
	assert_null(strstr(all, "The server spoke first"));
	assert_null(strstr(all, "Upgrade"));
	assert_null(strstr(all, "Type STARTTLS"));
	free(all);
	slines_free(&rows);
	lesson_free(&l);
}

static void
test_rows_say_what_each_wait_is_waiting_for(void **state)
{
	static const struct {
		const char *wait, *words;
	} cases[] = {
	    {"greeting", "waiting for: the server's greeting"},
	    {"received 250-STARTTLS",
	     "waiting for: a server line containing \"250-STARTTLS\""},
	    {"phase tls", "waiting for: the session to reach phase tls"},
	    {"finding starttls-injection", "waiting for: the finding starttls-injection"},
	    {"verdict", "waiting for: the certificate verdict"},
	    {"closed", "waiting for: the connection to end"},
	    {"read", "waiting for: /next, once you have read this"},
	};
	struct lesson l;
	struct slines rows;

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		one_step("smtp", cases[i].wait, &l);
		slines_init(&rows);
		lessonview_rows(&l, 120, &rows);
		assert_string_equal(rows.v[rows.n - 1].text, cases[i].words);
		slines_free(&rows);
		lesson_free(&l);
	}
}

static void
test_rows_when_done_say_complete_and_suggest_the_next_lesson(void **state)
{
	struct lesson l;
	struct slines rows;
	char *all;

	(void)state;
	parse_ok(pane_lesson, &l);
	for (int i = 0; i < 3; i++)
		lesson_next(&l);
	slines_init(&rows);
	lessonview_rows(&l, 80, &rows);
	all = rows_text(&rows);
	assert_non_null(strstr(all, "all 3 steps done"));
	assert_non_null(
	    strstr(all, "✓ Read the greeting\n✓ Ask what the server offers\n✓ Upgrade\n"));
	assert_non_null(strstr(all, "Lesson complete"));
	assert_int_equal(elem_of(row_with(&rows, "Lesson complete"), "Lesson"), TE_GOOD);
	assert_non_null(strstr(all, "Suggested next lesson: stripping"));
	assert_null(strstr(all, "waiting for"));
	free(all);
	slines_free(&rows);
	lesson_free(&l);
}

static void
check_widths(const char *name, struct lesson *l)
{
	struct slines rows;

	slines_init(&rows);
	for (size_t step = 0; step <= l->nsteps; step++) {
		l->current = step;
		for (int width = 20; width <= 200; width++) {
			slines_clear(&rows);
			lessonview_rows(l, width, &rows);
			assert_true(rows.n > 3);
			for (size_t i = 0; i < rows.n; i++)
				if (sline_width(&rows.v[i]) > width)
					fail_msg(
					    "%s step %zu width %d: row \"%s\" is %d wide",
					    name, step, width, rows.v[i].text,
					    sline_width(&rows.v[i]));
		}
	}
	slines_free(&rows);
}

static void
test_rows_of_every_shipped_lesson_fit_widths_20_to_200(void **state)
{
	(void)state;
	assert_true(each_shipped(check_widths) >= 5);
}

static void
test_rows_wrap_long_paragraphs_into_whole_words(void **state)
{
	struct lesson l;
	struct slines rows;
	char *all;

	(void)state;
	lesson_of("step: S\nwait: read\nalpha beta gamma delta epsilon zeta eta theta\n",
	          &l);
	slines_init(&rows);
	lessonview_rows(&l, 20, &rows);
	all = rows_text(&rows);
	assert_non_null(
	    strstr(all, "\nalpha beta gamma \ndelta epsilon zeta \neta theta\n"));
	free(all);
	slines_free(&rows);
	lesson_free(&l);
}

/* Loading and listing */

struct tmpdirs {
	char base[64];
	char cwd[PATH_MAX];
	char *saved_env;
};

static int
setup_tmp(void **state)
{
	struct tmpdirs *t = calloc(1, sizeof *t);
	const char *env = getenv("STARTLE_LESSONS");

	assert_non_null(t);
	snprintf(t->base, sizeof t->base, "/tmp/startle-lesson-XXXXXX");
	assert_non_null(mkdtemp(t->base));
	assert_non_null(getcwd(t->cwd, sizeof t->cwd));
	t->saved_env = env ? strdup(env) : NULL;
	*state = t;
	return 0;
}

static int
teardown_tmp(void **state)
{
	struct tmpdirs *t = *state;

	assert_int_equal(chdir(t->cwd), 0);
	if (t->saved_env != NULL)
		setenv("STARTLE_LESSONS", t->saved_env, 1);
	else
		unsetenv("STARTLE_LESSONS");
	free(t->saved_env);
	testutil_remove_tree(t->base);
	free(t);
	return 0;
}

/* Makes base/sub and returns its path in buf. */
static const char *
make_dir(const struct tmpdirs *t, const char *sub, char *buf, size_t size)
{
	snprintf(buf, size, "%s/%s", t->base, sub);
	assert_int_equal(mkdir(buf, 0700), 0);
	return buf;
}

static void
write_lesson(const char *dir, const char *name, const char *title)
{
	char path[PATH_MAX], text[256];

	snprintf(path, sizeof path, "%s/%s.lesson", dir, name);
	snprintf(text, sizeof text, "title: %s\nproto: smtp\nstep: S\nwait: read\nText.\n",
	         title);
	write_file(path, text);
}

static void
test_load_finds_a_name_in_startle_lessons_first(void **state)
{
	struct tmpdirs *t = *state;
	char dir[PATH_MAX];
	struct lesson l;
	char *cause = NULL;

	make_dir(t, "mine", dir, sizeof dir);
	write_lesson(dir, "starttls", "My own STARTTLS");
	setenv("STARTLE_LESSONS", dir, 1);
	assert_int_equal(chdir(root), 0);
	assert_int_equal(lesson_load("starttls", &l, &cause), 0);
	assert_string_equal(l.title, "My own STARTTLS");
	assert_string_equal(l.name, "starttls");
	lesson_free(&l);
	assert_int_equal(lesson_load("starttls.lesson", &l, &cause), 0);
	assert_string_equal(l.title, "My own STARTTLS");
	lesson_free(&l);
}

static void
test_load_falls_back_to_docs_lessons_of_the_working_directory(void **state)
{
	struct tmpdirs *t = *state;
	char dir[PATH_MAX];
	struct lesson l;
	char *cause = NULL;

	make_dir(t, "empty", dir, sizeof dir);
	setenv("STARTLE_LESSONS", dir, 1);
	assert_int_equal(chdir(root), 0);
	assert_int_equal(lesson_load("injection", &l, &cause), 0);
	assert_string_equal(l.scenario, "inject");
	lesson_free(&l);
}

static void
test_load_reads_a_path_and_reports_its_errors(void **state)
{
	struct tmpdirs *t = *state;
	char path[PATH_MAX];
	struct lesson l;
	char *cause = NULL;

	snprintf(path, sizeof path, "%s/broken.lesson", t->base);
	write_file(path, "title: T\nproto: smtp\nstep: S\nwait: sooner\nText.\n");
	assert_int_equal(lesson_load(path, &l, &cause), -1);
	assert_non_null(strstr(cause, "broken.lesson:4: unknown wait kind \"sooner\""));
	free(cause);
	snprintf(path, sizeof path, "%s/none.lesson", t->base);
	assert_int_equal(lesson_load(path, &l, &cause), -1);
	assert_non_null(strstr(cause, "none.lesson: cannot be read ("));
	free(cause);
}

static void
test_load_of_an_unknown_name_lists_the_lessons_there_are(void **state)
{
	struct tmpdirs *t = *state;
	char dir[PATH_MAX];
	struct lesson l;
	char *cause = NULL;

	make_dir(t, "mine", dir, sizeof dir);
	write_lesson(dir, "alpha", "A");
	write_lesson(dir, "beta", "B");
	setenv("STARTLE_LESSONS", dir, 1);
	assert_int_equal(chdir(t->base), 0);
	assert_int_equal(lesson_load("gamma", &l, &cause), -1);
	assert_non_null(
	    strstr(cause, "no lesson named \"gamma\": the lessons available are "));
	assert_non_null(strstr(cause, "alpha"));
	assert_non_null(strstr(cause, "beta"));
	free(cause);
	assert_int_equal(lesson_load("", &l, &cause), -1);
	assert_non_null(strstr(cause, "no lesson name given"));
	free(cause);
}

struct listing {
	char names[32][64];
	char titles[32][64];
	size_t n;
};

static void
collect(void *arg, const char *name, const char *title)
{
	struct listing *li = arg;

	assert_true(li->n < 32);
	snprintf(li->names[li->n], sizeof li->names[0], "%s", name);
	snprintf(li->titles[li->n], sizeof li->titles[0], "%s", title);
	li->n++;
}

static const char *
title_of(const struct listing *li, const char *name)
{
	for (size_t i = 0; i < li->n; i++)
		if (strcmp(li->names[i], name) == 0)
			return li->titles[i];
	return NULL;
}

static void
test_list_is_sorted_unique_and_the_first_directory_wins(void **state)
{
	struct tmpdirs *t = *state;
	char env_dir[PATH_MAX], cwd_dir[PATH_MAX], path[PATH_MAX + 16];
	struct listing li = {.n = 0};

	make_dir(t, "env", env_dir, sizeof env_dir);
	make_dir(t, "docs", cwd_dir, sizeof cwd_dir);
	make_dir(t, "docs/lessons", cwd_dir, sizeof cwd_dir);
	write_lesson(env_dir, "zulu", "Zulu from env");
	write_lesson(env_dir, "mike", "Mike from env");
	write_lesson(cwd_dir, "mike", "Mike from docs");
	write_lesson(cwd_dir, "alpha", "Alpha from docs");
	snprintf(path, sizeof path, "%s/broken.lesson", cwd_dir);
	write_file(path, "title: no proto\n");
	snprintf(path, sizeof path, "%s/notes.txt", cwd_dir);
	write_file(path, "x\n");
	setenv("STARTLE_LESSONS", env_dir, 1);
	assert_int_equal(chdir(t->base), 0);
	lesson_list(collect, &li);
	for (size_t i = 1; i < li.n; i++)
		assert_true(strcmp(li.names[i - 1], li.names[i]) < 0);
	assert_string_equal(title_of(&li, "zulu"), "Zulu from env");
	assert_string_equal(title_of(&li, "mike"), "Mike from env");
	assert_string_equal(title_of(&li, "alpha"), "Alpha from docs");
	assert_null(title_of(&li, "broken"));
	assert_null(title_of(&li, "notes"));
}

/* Whole lessons against sessions */

/* The SMTP greeting and EHLO exchange of the lab; caps says whether
 * STARTTLS is offered. Returns the index of the client's EHLO. */
static size_t
sc_smtp_opening(struct script *sc, bool starttls)
{
	size_t ehlo;

	sc_connect(sc);
	sc_server(
	    sc, PHASE_PLAIN,
	    "220 mail.startle.test ESMTP startle-lab (teaching server; account demo/demo)",
	    PROTO_LINE_GREETING | PROTO_LINE_END);
	ehlo = sc_client(sc, PHASE_PLAIN, "EHLO me");
	sc_server(sc, PHASE_PLAIN, "250-mail.startle.test Hello me", 0);
	sc_server(sc, PHASE_PLAIN, "250-PIPELINING", PROTO_LINE_CAPS);
	if (starttls)
		sc_server(sc, PHASE_PLAIN, "250-STARTTLS", PROTO_LINE_CAPS);
	sc_server(sc, PHASE_PLAIN, "250 8BITMIME", PROTO_LINE_CAPS | PROTO_LINE_END);
	if (!starttls)
		sc_push(sc, ev_finding(PHASE_PLAIN, FINDING_STARTTLS_NOT_OFFERED));
	return ehlo;
}

static size_t
sc_smtp_quit(struct script *sc, enum phase p)
{
	sc_client(sc, p, "QUIT");
	sc_server(sc, p, "221 2.0.0 Bye", PROTO_LINE_END);
	return sc_push(sc, ev_local(EV_CLOSE, p, "the server closed the connection"));
}

static void
test_starttls_lesson_completes_against_an_honest_smtp_session(void **state)
{
	struct script sc = {.n = 0};
	struct lesson l;
	size_t at[16], ehlo, tls, ehlo2, close;

	(void)state;
	load_shipped("starttls", &l);
	assert_int_equal(l.nsteps, 8);
	ehlo = sc_smtp_opening(&sc, true);
	sc_client(&sc, PHASE_PLAIN, "STARTTLS");
	sc_server(&sc, PHASE_PLAIN, "220 2.0.0 Ready to start TLS", PROTO_LINE_END);
	tls = sc_handshake(&sc, false);
	sc_next(&sc);
	sc_next(&sc);
	ehlo2 = sc_client(&sc, PHASE_TLS, "EHLO me");
	sc_server(&sc, PHASE_TLS, "250-mail.startle.test", 0);
	sc_server(&sc, PHASE_TLS, "250 AUTH PLAIN LOGIN", PROTO_LINE_CAPS | PROTO_LINE_END);
	sc_push(&sc, ev_finding(PHASE_TLS, FINDING_CAPS_CHANGED_AFTER_TLS));
	sc_next(&sc);
	close = sc_smtp_quit(&sc, PHASE_TLS);
	sc_play(&sc, &l, at);
	assert_true(lesson_done(&l));
	assert_int_equal(at[0], 1);
	assert_int_equal(at[1], ehlo);
	assert_int_equal(at[2], tls);
	assert_int_equal(at[5], ehlo2);
	assert_int_equal(at[7], close);
	sc_free(&sc);
	lesson_free(&l);
}

static void
test_injection_lesson_completes_against_an_injecting_smtp_session(void **state)
{
	static const char injected[] = "250-INJECTED\r\n250 AUTH PLAIN\r\n";
	struct script sc = {.n = 0};
	struct lesson l;
	struct event note;
	size_t at[16], ehlo, finding, ehlo2, close;

	(void)state;
	load_shipped("injection", &l);
	ehlo = sc_smtp_opening(&sc, true);
	sc_client(&sc, PHASE_PLAIN, "STARTTLS");
	sc_server(&sc, PHASE_PLAIN, "220 2.0.0 Ready", PROTO_LINE_END);
	note = ev_bytes(EV_NOTE, DIR_SERVER, PHASE_PLAIN, injected, sizeof injected - 1);
	sc_push(&sc, note);
	finding = sc_push(&sc, ev_finding(PHASE_PLAIN, FINDING_STARTTLS_INJECTION));
	sc_handshake(&sc, false);
	sc_next(&sc);
	sc_next(&sc);
	ehlo2 = sc_client(&sc, PHASE_TLS, "EHLO me");
	sc_server(&sc, PHASE_TLS, "250 mail.startle.test", PROTO_LINE_END);
	close = sc_smtp_quit(&sc, PHASE_TLS);
	sc_play(&sc, &l, at);
	assert_true(lesson_done(&l));
	assert_int_equal(at[0], ehlo);
	assert_int_equal(at[1], finding);
	assert_int_equal(at[l.nsteps - 2], ehlo2);
	assert_int_equal(at[l.nsteps - 1], close);
	sc_free(&sc);
	lesson_free(&l);
}

static void
test_stripping_lesson_completes_against_a_stripped_smtp_session(void **state)
{
	struct script sc = {.n = 0};
	struct lesson l;
	size_t at[16], refused, close;

	(void)state;
	load_shipped("stripping", &l);
	sc_smtp_opening(&sc, false);
	sc_client(&sc, PHASE_PLAIN, "STARTTLS");
	sc_server(&sc, PHASE_PLAIN, "502 5.5.1 Error: command not implemented",
	          PROTO_LINE_END);
	refused = sc_push(&sc, ev_finding(PHASE_PLAIN, FINDING_STARTTLS_REFUSED));
	for (size_t i = 0; i < 3; i++)
		sc_next(&sc);
	close = sc_smtp_quit(&sc, PHASE_PLAIN);
	sc_play(&sc, &l, at);
	assert_true(lesson_done(&l));
	assert_int_equal(at[1], refused);
	assert_int_equal(at[l.nsteps - 1], close);
	sc_free(&sc);
	lesson_free(&l);
}

/* IMAP greeting, CAPABILITY, STARTTLS and the handshake, as the lab answers
 * them. Returns the index of "TLS established". */
static size_t
sc_imap_upgrade(struct script *sc, size_t *greeting, size_t *capa)
{
	sc_connect(sc);
	*greeting = sc_server(sc, PHASE_PLAIN,
	                      "* OK [CAPABILITY IMAP4rev1 STARTTLS "
	                      "LOGINDISABLED] mail.startle.test ready",
	                      PROTO_LINE_GREETING | PROTO_LINE_UNTAGGED | PROTO_LINE_CAPS |
	                          PROTO_LINE_END);
	*capa = sc_client(sc, PHASE_PLAIN, "a CAPABILITY");
	sc_server(sc, PHASE_PLAIN, "* CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED",
	          PROTO_LINE_UNTAGGED | PROTO_LINE_CAPS);
	sc_server(sc, PHASE_PLAIN, "a OK CAPABILITY completed", PROTO_LINE_END);
	sc_client(sc, PHASE_PLAIN, "b STARTTLS");
	sc_server(sc, PHASE_PLAIN, "b OK Begin TLS negotiation now", PROTO_LINE_END);
	return sc_handshake(sc, false);
}

static size_t
sc_imap_logout(struct script *sc, const char *tag)
{
	char line[32];

	snprintf(line, sizeof line, "%s LOGOUT", tag);
	sc_client(sc, PHASE_TLS, line);
	sc_server(sc, PHASE_TLS, "* BYE logging out", PROTO_LINE_UNTAGGED);
	snprintf(line, sizeof line, "%s OK LOGOUT completed", tag);
	sc_server(sc, PHASE_TLS, line, PROTO_LINE_END);
	return sc_push(
	    sc, ev_local(
	            EV_CLOSE, PHASE_TLS,
	            "the server closed the TLS session (close_notify) and the connection"));
}

static void
test_implicit_lesson_completes_against_an_honest_imap_session(void **state)
{
	struct script sc = {.n = 0};
	struct lesson l;
	size_t at[16], greeting, capa, tls, login, close;

	(void)state;
	load_shipped("implicit", &l);
	assert_true(l.compare); /* explicit and implicit side by side */
	tls = sc_imap_upgrade(&sc, &greeting, &capa);
	sc_next(&sc);
	sc_client(&sc, PHASE_TLS, "c CAPABILITY");
	sc_server(&sc, PHASE_TLS, "* CAPABILITY IMAP4rev1 AUTH=PLAIN", PROTO_LINE_UNTAGGED);
	sc_server(&sc, PHASE_TLS, "c OK CAPABILITY completed", PROTO_LINE_END);
	login = sc_client(&sc, PHASE_TLS, "d LOGIN demo demo");
	sc_server(&sc, PHASE_TLS, "d OK LOGIN completed", PROTO_LINE_END);
	close = sc_imap_logout(&sc, "e");
	sc_play(&sc, &l, at);
	assert_true(lesson_done(&l));
	assert_int_equal(at[0], greeting);
	assert_int_equal(at[1], capa);
	assert_int_equal(at[2], tls);
	assert_int_equal(at[l.nsteps - 2], login);
	assert_int_equal(at[l.nsteps - 1], close);
	sc_free(&sc);
	lesson_free(&l);
}

static void
test_certificates_lesson_completes_against_an_honest_imap_session(void **state)
{
	struct script sc = {.n = 0};
	struct lesson l;
	size_t at[16], greeting, capa, tls, close;

	(void)state;
	load_shipped("certificates", &l);
	tls = sc_imap_upgrade(&sc, &greeting, &capa);
	sc_client(&sc, PHASE_TLS, "c CAPABILITY");
	sc_server(&sc, PHASE_TLS, "* CAPABILITY IMAP4rev1 AUTH=PLAIN", PROTO_LINE_UNTAGGED);
	sc_server(&sc, PHASE_TLS, "c OK CAPABILITY completed", PROTO_LINE_END);
	for (size_t i = 1; i + 1 < l.nsteps; i++)
		sc_next(&sc);
	close = sc_imap_logout(&sc, "d");
	sc_play(&sc, &l, at);
	assert_true(lesson_done(&l));
	assert_int_equal(at[0], tls);
	assert_int_equal(at[l.nsteps - 1], close);
	sc_free(&sc);
	lesson_free(&l);
}

static void
test_starttls_lesson_stalls_when_the_upgrade_is_refused(void **state)
{
	struct script sc = {.n = 0};
	struct lesson l;
	size_t at[16];

	(void)state;
	load_shipped("starttls", &l);
	sc_smtp_opening(&sc, true);
	sc_client(&sc, PHASE_PLAIN, "STARTTLS");
	sc_server(&sc, PHASE_PLAIN, "454 4.7.0 TLS not available", PROTO_LINE_END);
	sc_push(&sc, ev_finding(PHASE_PLAIN, FINDING_STARTTLS_REFUSED));
	sc_client(&sc, PHASE_PLAIN, "EHLO me");
	sc_play(&sc, &l, at);
	assert_int_equal(l.current, 2);
	assert_int_equal(l.steps[l.current].wait, LESSON_WAIT_PHASE);
	sc_free(&sc);
	lesson_free(&l);
}

/* Finds the directory holding docs/lessons/starttls.lesson, from the working
 * directory upwards. */
static int
find_root(void)
{
	char here[PATH_MAX];

	if (getcwd(here, sizeof here) == NULL)
		return -1;
	for (int up = 0; up < 4; up++) {
		char probe[PATH_MAX + 48];
		snprintf(probe, sizeof probe, "%s/docs/lessons/starttls.lesson", here);
		if (access(probe, R_OK) == 0) {
			snprintf(root, sizeof root, "%s", here);
			return 0;
		}
		char *slash = strrchr(here, '/');
		if (slash == NULL || slash == here)
			break;
		*slash = '\0';
	}
	return -1;
}

/* The parser reads (text, len): a buffer without a NUL after it, holding a
 * line of blanks only, must not be read past its end (found by fuzzing; the
 * sanitizer run catches a regression). */
static void
test_blank_line_at_the_end_of_an_unterminated_buffer(void **state)
{
	struct lesson l;
	char *cause = NULL;
	char *buf = malloc(2);
	(void)state;
	assert_non_null(buf);
	memcpy(buf, " \t", 2);
	assert_int_equal(lesson_parse(buf, 2, "blank.lesson", &l, &cause), -1);
	assert_non_null(cause);
	free(cause);
	free(buf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_blank_line_at_the_end_of_an_unterminated_buffer),
	    cmocka_unit_test(
	        test_every_shipped_lesson_parses_and_names_a_proto_and_a_lab_scenario),
	    cmocka_unit_test(test_the_lessons_of_the_series_are_shipped),
	    cmocka_unit_test(test_parse_reads_header_steps_waits_and_text),
	    cmocka_unit_test(test_scenario_defaults_to_honest_and_next_to_none),
	    cmocka_unit_test(test_name_is_the_file_name_without_its_directory_and_suffix),
	    cmocka_unit_test(test_proto_and_names_are_kept_in_canonical_case),
	    cmocka_unit_test(test_text_keeps_lines_and_one_blank_between_paragraphs),
	    cmocka_unit_test(test_key_like_lines_inside_a_step_are_text),
	    cmocka_unit_test(test_crlf_line_ends_tabs_and_trailing_blanks_are_tidied),
	    cmocka_unit_test(test_error_unknown_key_names_file_and_line),
	    cmocka_unit_test(test_error_unknown_key_after_step_line),
	    cmocka_unit_test(test_error_unknown_wait_kind),
	    cmocka_unit_test(test_error_step_without_wait_before_the_next_step),
	    cmocka_unit_test(test_error_step_without_wait_when_text_follows),
	    cmocka_unit_test(test_error_step_without_wait_at_end_of_file),
	    cmocka_unit_test(test_error_no_steps),
	    cmocka_unit_test(test_error_missing_title),
	    cmocka_unit_test(test_error_missing_proto),
	    cmocka_unit_test(test_error_file_larger_than_64_kib),
	    cmocka_unit_test(test_a_file_of_exactly_64_kib_is_accepted),
	    cmocka_unit_test(test_error_nul_byte_names_its_line),
	    cmocka_unit_test(test_error_control_characters),
	    cmocka_unit_test(test_error_wait_arguments),
	    cmocka_unit_test(test_error_unknown_proto),
	    cmocka_unit_test(test_scenario_is_kept_as_a_name_and_checked_against_the_labs),
	    cmocka_unit_test(test_error_key_given_twice),
	    cmocka_unit_test(test_error_text_before_the_first_step),
	    cmocka_unit_test(test_error_step_without_text_or_title_or_second_wait),
	    cmocka_unit_test(test_error_without_cause_pointer_still_fails),
	    cmocka_unit_test(test_greeting_completes_on_a_flagged_server_line_only),
	    cmocka_unit_test(test_compare_lessons_name_the_side_of_each_step),
	    cmocka_unit_test(test_compare_lesson_errors),
	    cmocka_unit_test(test_greeting_without_flags_is_the_first_server_line),
	    cmocka_unit_test(test_sent_matches_the_command_word_in_any_case),
	    cmocka_unit_test(test_sent_looks_past_the_imap_tag),
	    cmocka_unit_test(test_received_finds_text_in_server_lines_in_any_case),
	    cmocka_unit_test(test_received_treats_lines_as_bytes_not_strings),
	    cmocka_unit_test(
	        test_phase_completes_on_the_phase_change_or_any_later_event_of_it),
	    cmocka_unit_test(test_finding_completes_on_that_id_only),
	    cmocka_unit_test(test_verdict_completes_on_the_verdict_not_the_summary),
	    cmocka_unit_test(test_closed_completes_on_close_or_error),
	    cmocka_unit_test(test_read_ignores_every_event_and_completes_with_next),
	    cmocka_unit_test(test_one_event_completes_at_most_one_step),
	    cmocka_unit_test(test_steps_are_judged_in_order),
	    cmocka_unit_test(test_next_skips_any_step_and_stops_at_the_end),
	    cmocka_unit_test(test_events_after_the_end_change_nothing),
	    cmocka_unit_test(test_rows_show_title_progress_current_text_and_wait),
	    cmocka_unit_test(test_rows_tick_finished_steps_and_hide_later_ones),
	    cmocka_unit_test(test_rows_say_what_each_wait_is_waiting_for),
	    cmocka_unit_test(test_rows_when_done_say_complete_and_suggest_the_next_lesson),
	    cmocka_unit_test(test_rows_of_every_shipped_lesson_fit_widths_20_to_200),
	    cmocka_unit_test(test_rows_wrap_long_paragraphs_into_whole_words),
	    cmocka_unit_test_setup_teardown(test_load_finds_a_name_in_startle_lessons_first,
	                                    setup_tmp, teardown_tmp),
	    cmocka_unit_test_setup_teardown(
	        test_load_falls_back_to_docs_lessons_of_the_working_directory, setup_tmp,
	        teardown_tmp),
	    cmocka_unit_test_setup_teardown(test_load_reads_a_path_and_reports_its_errors,
	                                    setup_tmp, teardown_tmp),
	    cmocka_unit_test_setup_teardown(
	        test_load_of_an_unknown_name_lists_the_lessons_there_are, setup_tmp,
	        teardown_tmp),
	    cmocka_unit_test_setup_teardown(
	        test_list_is_sorted_unique_and_the_first_directory_wins, setup_tmp,
	        teardown_tmp),
	    cmocka_unit_test(test_starttls_lesson_completes_against_an_honest_smtp_session),
	    cmocka_unit_test(
	        test_injection_lesson_completes_against_an_injecting_smtp_session),
	    cmocka_unit_test(
	        test_stripping_lesson_completes_against_a_stripped_smtp_session),
	    cmocka_unit_test(test_implicit_lesson_completes_against_an_honest_imap_session),
	    cmocka_unit_test(
	        test_certificates_lesson_completes_against_an_honest_imap_session),
	    cmocka_unit_test(test_starttls_lesson_stalls_when_the_upgrade_is_refused),
	};

	if (setlocale(LC_ALL, "C.UTF-8") == NULL)
		fail_msg("the C.UTF-8 locale is needed for column widths");
	if (find_root() < 0) {
		fprintf(stderr, "test_lesson: run me from the repository (no "
		                "docs/lessons/starttls.lesson found from here upwards)\n");
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
