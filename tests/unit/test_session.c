/* The session state machine against scripted servers on loopback. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "lab.h"
#include "labcert.h"
#include "scriptserver.h"
#include "session.h"
#include "util.h"

/* Event cap for the next run_session (0: the default). */
static size_t next_max_events;
/* session_params.no_explain for the next run_session. */
static bool next_no_explain;

struct run {
	struct script_server ss;
	struct transcript *t;
	struct session *s;
	enum session_failure failure;
};

/* Starts a scripted server, connects a session with params p to it, runs the
 * given action and then waits until the session is idle. */
static void
run_session(struct run *r, enum proto_id proto, bool require_tls,
            const struct script_step *steps, size_t n,
            void (*action)(struct session *s, void *arg), void *arg)
{
	struct session_params p = {.timeout_ms = 2000, .require_tls = require_tls};

	assert_int_equal(script_server_start(&r->ss, steps, n), 0);
	p.target.proto = proto;
	p.max_events = next_max_events;
	p.no_explain = next_no_explain;
	p.target.mode = TLS_MODE_EXPLICIT;
	p.target.port = r->ss.port;
	p.target.host_is_ip = true;
	strcpy(p.target.host, "127.0.0.1");
	strcpy(p.target.scheme, proto_info(proto)->name);
	r->t = transcript_new();
	r->s = session_new(&p, r->t);
	if (session_open(r->s) == 0) {
		session_run(r->s);
		if (action != NULL)
			action(r->s, arg);
		session_run(r->s);
	}
	r->failure = session_failure(r->s);
	session_close(r->s, NULL);
	script_server_join(&r->ss);
}

static void
run_free(struct run *r)
{
	session_free(r->s);
	transcript_free(r->t);
}

static int
count_findings(const struct transcript *t, enum finding_id f)
{
	int n = 0;
	for (size_t i = 0; i < transcript_count(t); i++) {
		const struct event *ev = transcript_get(t, i);
		if (ev->kind == EV_FINDING && ev->finding == f)
			n++;
	}
	return n;
}

/* The first event of a kind and direction whose text contains needle. */
static const struct event *
find_event(const struct transcript *t, enum event_kind kind, enum dir dir,
           const char *needle)
{
	for (size_t i = 0; i < transcript_count(t); i++) {
		const struct event *ev = transcript_get(t, i);
		if (ev->kind == kind && ev->dir == dir &&
		    memmem(ev->text, ev->len, needle, strlen(needle)) != NULL)
			return ev;
	}
	return NULL;
}

static void
dance(struct session *s, void *arg)
{
	(void)arg;
	session_queue_starttls(s);
}

static void
send_lines(struct session *s, void *arg)
{
	const char *const *lines = arg;
	for (size_t i = 0; lines[i] != NULL; i++) {
		char *cause = NULL;
		if (session_queue_line(s, lines[i], &cause) != 0)
			free(cause);
		session_run(s);
	}
}

static void
test_smtp_refused_starttls_stays_plaintext(void **state)
{
	static const struct script_step steps[] = {
	    {.send = "220 mail.test ESMTP\r\n"},
	    {.expect = "EHLO ",
	     .send = "250-mail.test\r\n250-STARTTLS\r\n250 SIZE 100\r\n"},
	    {.expect = "STARTTLS",
	     .send = "454 4.7.0 TLS not available due to local problem\r\n"},
	};
	struct run r;
	(void)state;
	run_session(&r, PROTO_SMTP, false, steps, 3, dance, NULL);
	assert_string_equal(r.ss.mismatch, "");
	assert_int_equal(count_findings(r.t, FINDING_STARTTLS_REFUSED), 1);
	assert_int_equal(count_findings(r.t, FINDING_STARTTLS_NOT_OFFERED), 0);
	assert_int_equal(count_findings(r.t, FINDING_DOWNGRADE_SUSPECTED), 0);
	assert_null(find_event(r.t, EV_PHASE, DIR_LOCAL, "handshake"));
	assert_int_equal(session_phase(r.s), PHASE_PLAIN);
	/* Nothing was queued after it: the explorer stays in plaintext. */
	assert_int_equal(r.failure, FAIL_NONE);
	run_free(&r);
}

static void
test_smtp_offered_starttls_answered_as_unknown_is_a_suspected_downgrade(void **state)
{
	static const struct script_step steps[] = {
	    {.send = "220 mail.test ESMTP\r\n"},
	    {.expect = "EHLO ", .send = "250-mail.test\r\n250 STARTTLS\r\n"},
	    {.expect = "STARTTLS", .send = "502 5.5.2 Error: command not recognized\r\n"},
	};
	struct run r;
	(void)state;
	run_session(&r, PROTO_SMTP, false, steps, 3, dance, NULL);
	assert_int_equal(count_findings(r.t, FINDING_STARTTLS_REFUSED), 1);
	assert_int_equal(count_findings(r.t, FINDING_DOWNGRADE_SUSPECTED), 1);
	run_free(&r);
}

static void
test_imap_offered_starttls_answered_bad_is_a_suspected_downgrade(void **state)
{
	static const struct script_step steps[] = {
	    {.send = "* OK [CAPABILITY IMAP4rev1 STARTTLS] ready\r\n"},
	    {.expect = "a CAPABILITY",
	     .send = "* CAPABILITY IMAP4rev1 STARTTLS\r\na OK done\r\n"},
	    {.expect = "b STARTTLS", .send = "b BAD Error in IMAP command\r\n"},
	};
	struct run r;
	(void)state;
	run_session(&r, PROTO_IMAP, false, steps, 3, dance, NULL);
	assert_int_equal(count_findings(r.t, FINDING_STARTTLS_REFUSED), 1);
	assert_int_equal(count_findings(r.t, FINDING_DOWNGRADE_SUSPECTED), 1);
	run_free(&r);
}

static void
test_smtp_positive_reply_other_than_220_is_not_a_go_ahead(void **state)
{
	static const struct script_step steps[] = {
	    {.send = "220 mail.test ESMTP\r\n"},
	    {.expect = "EHLO ", .send = "250-mail.test\r\n250 STARTTLS\r\n"},
	    {.expect = "STARTTLS", .send = "250 sure\r\n"},
	};
	struct run r;
	(void)state;
	run_session(&r, PROTO_SMTP, false, steps, 3, dance, NULL);
	assert_int_equal(count_findings(r.t, FINDING_STARTTLS_REFUSED), 1);
	assert_int_equal(session_phase(r.s), PHASE_PLAIN);
	run_free(&r);
}

static void
test_smtp_stripped_capability_is_reported(void **state)
{
	static const struct script_step steps[] = {
	    {.send = "220 mail.test ESMTP\r\n"},
	    {.expect = "EHLO ", .send = "250-mail.test\r\n250 PIPELINING\r\n"},
	    {.expect = "STARTTLS", .send = "502 5.5.1 command not implemented\r\n"},
	};
	struct run r;
	(void)state;
	run_session(&r, PROTO_SMTP, false, steps, 3, dance, NULL);
	assert_int_equal(count_findings(r.t, FINDING_STARTTLS_NOT_OFFERED), 1);
	assert_int_equal(count_findings(r.t, FINDING_STARTTLS_REFUSED), 1);
	/* Not offered, so not recognising it is no sign of tampering. */
	assert_int_equal(count_findings(r.t, FINDING_DOWNGRADE_SUSPECTED), 0);
	run_free(&r);
}

static void
test_require_tls_stops_after_stripped_capabilities(void **state)
{
	static const struct script_step steps[] = {
	    {.send = "220 mail.test ESMTP\r\n"},
	    {.expect = "EHLO ", .send = "250-mail.test\r\n250 PIPELINING\r\n"},
	};
	struct run r;
	(void)state;
	run_session(&r, PROTO_SMTP, true, steps, 2, dance, NULL);
	assert_int_equal(r.failure, FAIL_POLICY);
	assert_int_equal(count_findings(r.t, FINDING_STARTTLS_NOT_OFFERED), 1);
	/* Nothing but EHLO reached the server. */
	assert_non_null(strstr(r.ss.received, "EHLO "));
	assert_null(strstr(r.ss.received, "STARTTLS"));
	assert_null(strstr(r.ss.received, "QUIT"));
	run_free(&r);
}

static void
test_injected_bytes_after_go_ahead_are_discarded_and_reported(void **state)
{
	static const char inj[] =
	    "220 2.0.0 Ready to start TLS\r\n250-INJECTED\r\n250 AUTH PLAIN\r\n";
	static const struct script_step steps[] = {
	    {.send = "220 mail.test ESMTP\r\n"},
	    {.expect = "EHLO ", .send = "250-mail.test\r\n250 STARTTLS\r\n"},
	    {.expect = "STARTTLS", .send = inj, .close_after = 1},
	};
	struct run r;
	const struct event *note;
	(void)state;
	run_session(&r, PROTO_SMTP, false, steps, 3, dance, NULL);
	assert_int_equal(count_findings(r.t, FINDING_STARTTLS_INJECTION), 1);
	note = find_event(r.t, EV_NOTE, DIR_SERVER, "250-INJECTED");
	assert_non_null(note);
	assert_int_equal(note->len, strlen("250-INJECTED\r\n250 AUTH PLAIN\r\n"));
	/* The injected lines never became protocol lines. */
	assert_null(find_event(r.t, EV_LINE, DIR_SERVER, "INJECTED"));
	assert_non_null(find_event(r.t, EV_PHASE, DIR_LOCAL, "handshake"));
	/* The server closed instead of speaking TLS: a TLS failure, no fallback. */
	assert_int_equal(r.failure, FAIL_TLS);
	run_free(&r);
}

static void
test_imap_logindisabled_and_foreign_tag_go_ahead(void **state)
{
	static const struct script_step steps[] = {
	    {.send = "* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] ready\r\n"},
	    {.expect = "a CAPABILITY",
	     .send = "* CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED\r\na OK done\r\n"},
	    {.expect = "b STARTTLS", .send = "zz OK Begin TLS now\r\nb NO not today\r\n"},
	};
	struct run r;
	(void)state;
	run_session(&r, PROTO_IMAP, false, steps, 3, dance, NULL);
	assert_string_equal(r.ss.mismatch, "");
	assert_int_equal(count_findings(r.t, FINDING_LOGINDISABLED), 1);
	assert_int_equal(count_findings(r.t, FINDING_UNSOLICITED_TAG), 1);
	assert_int_equal(count_findings(r.t, FINDING_STARTTLS_REFUSED), 1);
	assert_int_equal(session_phase(r.s), PHASE_PLAIN);
	run_free(&r);
}

static void
test_imap_preauth_on_plaintext_is_reported(void **state)
{
	static const struct script_step steps[] = {
	    {.send = "* PREAUTH [CAPABILITY IMAP4rev1] logged in as you\r\n"},
	};
	struct run r;
	(void)state;
	run_session(&r, PROTO_IMAP, false, steps, 1, NULL, NULL);
	assert_int_equal(count_findings(r.t, FINDING_PREAUTH_PLAINTEXT), 1);
	assert_int_equal(r.failure, FAIL_NONE);
	run_free(&r);
}

static void
test_imap_preauth_fails_require_tls(void **state)
{
	static const struct script_step steps[] = {
	    {.send = "* PREAUTH logged in\r\n"},
	};
	struct run r;
	(void)state;
	run_session(&r, PROTO_IMAP, true, steps, 1, NULL, NULL);
	assert_int_equal(r.failure, FAIL_POLICY);
	run_free(&r);
}

static void
test_pop3_stls_refused(void **state)
{
	static const struct script_step steps[] = {
	    {.send = "+OK POP3 ready\r\n"},
	    {.expect = "CAPA", .send = "+OK\r\nUSER\r\nSTLS\r\n.\r\n"},
	    {.expect = "STLS", .send = "-ERR not now\r\n"},
	};
	struct run r;
	(void)state;
	run_session(&r, PROTO_POP3, false, steps, 3, dance, NULL);
	assert_string_equal(r.ss.mismatch, "");
	assert_int_equal(count_findings(r.t, FINDING_STARTTLS_REFUSED), 1);
	assert_int_equal(count_findings(r.t, FINDING_STARTTLS_NOT_OFFERED), 0);
	assert_int_equal(count_findings(r.t, FINDING_DOWNGRADE_SUSPECTED), 0);
	run_free(&r);
}

static void
test_silent_server_times_out_naming_the_greeting(void **state)
{
	static const struct script_step steps[] = {
	    {.send = NULL, .delay_ms = 2600},
	};
	struct run r;
	const struct event *err;
	(void)state;
	run_session(&r, PROTO_SMTP, false, steps, 1, NULL, NULL);
	assert_int_equal(r.failure, FAIL_NETWORK);
	err = find_event(r.t, EV_ERROR, DIR_LOCAL, "greeting");
	assert_non_null(err);
	run_free(&r);
}

static void
test_close_before_greeting_is_a_network_failure(void **state)
{
	static const struct script_step steps[] = {
	    {.send = "220-partial", .close_after = 1},
	};
	struct run r;
	(void)state;
	run_session(&r, PROTO_SMTP, false, steps, 1, NULL, NULL);
	assert_int_equal(r.failure, FAIL_NETWORK);
	assert_non_null(find_event(r.t, EV_CLOSE, DIR_LOCAL, "before its greeting"));
	run_free(&r);
}

static void
test_refusing_greeting_is_a_protocol_failure(void **state)
{
	static const struct script_step steps[] = {
	    {.send = "554 go away\r\n"},
	};
	struct run r;
	(void)state;
	run_session(&r, PROTO_SMTP, false, steps, 1, NULL, NULL);
	assert_int_equal(r.failure, FAIL_PROTOCOL);
	run_free(&r);
}

static void
test_control_characters_are_reported_once(void **state)
{
	static const struct script_step steps[] = {
	    {.send = "220 evil \x1b]0;pwned\x07 ESMTP\r\n"},
	    {.expect = "NOOP", .send = "250 \x1b[2J ok\r\n"},
	};
	static const char *const lines[] = {"NOOP", NULL};
	struct run r;
	(void)state;
	run_session(&r, PROTO_SMTP, false, steps, 2, send_lines, (void *)lines);
	assert_int_equal(count_findings(r.t, FINDING_CONTROL_CHARS), 1);
	/* The raw bytes are kept; escaping happens when shown. */
	assert_non_null(find_event(r.t, EV_LINE, DIR_SERVER, "\x1b]0;pwned"));
	run_free(&r);
}

static void
test_credentials_in_plaintext_are_flagged(void **state)
{
	static const struct script_step steps[] = {
	    {.send = "220 mail.test ESMTP\r\n"},
	    {.expect = "AUTH PLAIN", .send = "235 2.7.0 ok\r\n"},
	};
	static const char *const lines[] = {"AUTH PLAIN AHRlc3QAc2VjcmV0", NULL};
	struct run r;
	(void)state;
	run_session(&r, PROTO_SMTP, false, steps, 2, send_lines, (void *)lines);
	assert_int_equal(count_findings(r.t, FINDING_PLAINTEXT_AUTH), 1);
	run_free(&r);
}

static void
test_require_tls_never_sends_credentials_in_plaintext(void **state)
{
	static const struct script_step steps[] = {
	    {.send = "220 mail.test ESMTP\r\n"},
	};
	static const char *const lines[] = {"AUTH PLAIN AHRlc3QAc2VjcmV0", NULL};
	struct run r;
	(void)state;
	run_session(&r, PROTO_SMTP, true, steps, 1, send_lines, (void *)lines);
	assert_int_equal(r.failure, FAIL_POLICY);
	assert_null(strstr(r.ss.received, "AUTH"));
	assert_int_equal(count_findings(r.t, FINDING_PLAINTEXT_AUTH), 0);
	run_free(&r);
}

static void
test_imap_lines_get_tags_and_replies_complete(void **state)
{
	static const struct script_step steps[] = {
	    {.send = "* OK ready\r\n"},
	    {.expect = "a NOOP", .send = "* 3 EXISTS\r\na OK NOOP completed\r\n"},
	    {.expect = "b LOGOUT",
	     .send = "* BYE bye\r\nb OK LOGOUT completed\r\n",
	     .close_after = 1},
	};
	static const char *const lines[] = {"noop", "LOGOUT", NULL};
	struct run r;
	(void)state;
	run_session(&r, PROTO_IMAP, false, steps, 3, send_lines, (void *)lines);
	assert_string_equal(r.ss.mismatch, "");
	assert_non_null(find_event(r.t, EV_LINE, DIR_CLIENT, "a noop"));
	assert_non_null(find_event(r.t, EV_LINE, DIR_SERVER, "a OK NOOP completed"));
	assert_int_equal(r.failure, FAIL_NONE);
	run_free(&r);
}

static void
test_smtp_data_mode_sends_message_lines_until_the_dot(void **state)
{
	static const struct script_step steps[] = {
	    {.send = "220 mail.test ESMTP\r\n"},
	    {.expect = "DATA", .send = "354 End data with <CR><LF>.<CR><LF>\r\n"},
	    {.expect = "Subject: hi"},
	    {.expect = ""},
	    {.expect = "body"},
	    {.expect = ".", .send = "250 2.0.0 Ok: queued\r\n"},
	    {.expect = "QUIT", .send = "221 bye\r\n", .close_after = 1},
	};
	static const char *const lines[] = {"DATA", "Subject: hi", "",  "body",
	                                    ".",    "QUIT",        NULL};
	struct run r;
	(void)state;
	run_session(&r, PROTO_SMTP, false, steps, 7, send_lines, (void *)lines);
	assert_string_equal(r.ss.mismatch, "");
	assert_memory_equal(strstr(r.ss.received, "DATA"),
	                    "DATA\r\nSubject: hi\r\n\r\nbody\r\n.\r\nQUIT\r\n", 36);
	assert_non_null(find_event(r.t, EV_LINE, DIR_SERVER, "250 2.0.0 Ok: queued"));
	assert_false(session_in_data(r.s));
	assert_int_equal(r.failure, FAIL_NONE);
	run_free(&r);
}

static void
test_a_flood_of_lines_stops_at_the_event_cap(void **state)
{
	static char flood[64 * 1024];
	static const struct script_step steps[] = {
	    {.send = "* OK ready\r\n"},
	    {.expect = "a NOOP", .send = flood},
	};
	static const char *const lines[] = {"NOOP", NULL};
	struct run r;
	(void)state;
	for (size_t i = 0; i + 12 < sizeof flood; i += 12)
		memcpy(flood + i, "* 1 EXISTS\r\n", 12);
	next_max_events = 100;
	run_session(&r, PROTO_IMAP, false, steps, 2, send_lines, (void *)lines);
	next_max_events = 0;
	assert_int_equal(r.failure, FAIL_PROTOCOL);
	assert_true(transcript_count(r.t) <= 110);
	assert_non_null(find_event(r.t, EV_ERROR, DIR_LOCAL, "memory stays bounded"));
	run_free(&r);
}

static void
test_events_are_numbered_and_timed_in_order(void **state)
{
	static const struct script_step steps[] = {
	    {.send = "+OK hello\r\n"},
	    {.expect = "NOOP", .send = "+OK\r\n"},
	};
	static const char *const lines[] = {"NOOP", NULL};
	struct run r;
	(void)state;
	run_session(&r, PROTO_POP3, false, steps, 2, send_lines, (void *)lines);
	assert_true(transcript_count(r.t) >= 4);
	for (size_t i = 0; i < transcript_count(r.t); i++) {
		const struct event *ev = transcript_get(r.t, i);
		assert_int_equal(ev->seq, i + 1);
		if (i > 0)
			assert_true(ev->t >= transcript_get(r.t, i - 1)->t);
	}
	assert_int_equal(transcript_get(r.t, 0)->kind, EV_CONNECT);
	run_free(&r);
}

/* The first client line event whose text is exactly text, or NULL. */
static const struct event *
client_line(const struct transcript *t, const char *text)
{
	for (size_t i = 0; i < transcript_count(t); i++) {
		const struct event *ev = transcript_get(t, i);
		if (ev->kind == EV_LINE && ev->dir == DIR_CLIENT &&
		    ev->len == strlen(text) && memcmp(ev->text, text, ev->len) == 0)
			return ev;
	}
	return NULL;
}

/* Index of an event in the transcript. */
static size_t
event_index(const struct transcript *t, const struct event *ev)
{
	for (size_t i = 0; i < transcript_count(t); i++)
		if (transcript_get(t, i) == ev)
			return i;
	fail_msg("event not in the transcript");
	return 0;
}

/* True if any explanation in the transcript contains needle. */
static bool
explained_anywhere(const struct transcript *t, const char *needle)
{
	for (size_t i = 0; i < transcript_count(t); i++) {
		const struct event *ev = transcript_get(t, i);
		if (ev->explain != NULL && strstr(ev->explain, needle) != NULL)
			return true;
	}
	return false;
}

static void
test_imap_idle_done_then_the_next_command_is_tagged(void **state)
{
	static const struct script_step steps[] = {
	    {.send = "* OK ready\r\n"},
	    {.expect = "a IDLE", .send = "+ idling\r\n"},
	    {.expect = "DONE", .send = "* 1 EXISTS\r\na OK IDLE terminated\r\n"},
	    {.expect = "b NOOP", .send = "b OK done\r\n"},
	};
	static const char *const lines[] = {"IDLE", "DONE", "NOOP", NULL};
	struct run r;
	(void)state;
	run_session(&r, PROTO_IMAP, false, steps, 4, send_lines, (void *)lines);
	assert_string_equal(r.ss.mismatch, "");
	assert_non_null(strstr(r.ss.received, "a IDLE\r\nDONE\r\nb NOOP\r\n"));
	assert_int_equal(r.failure, FAIL_NONE);
	run_free(&r);
}

static void
test_imap_authenticate_rounds_are_secret_and_tagging_resumes(void **state)
{
	static const struct script_step steps[] = {
	    {.send = "* OK ready\r\n"},
	    {.expect = "a AUTHENTICATE LOGIN", .send = "+ VXNlcm5hbWU6\r\n"},
	    {.expect = "ZGVtbw==", .send = "+ UGFzc3dvcmQ6\r\n"},
	    {.expect = "c2VjcmV0", .send = "a OK logged in\r\n"},
	    {.expect = "b SELECT INBOX", .send = "b OK selected\r\n"},
	};
	static const char *const lines[] = {"AUTHENTICATE LOGIN", "ZGVtbw==", "c2VjcmV0",
	                                    "SELECT INBOX", NULL};
	struct run r;
	(void)state;
	run_session(&r, PROTO_IMAP, false, steps, 5, send_lines, (void *)lines);
	assert_string_equal(r.ss.mismatch, "");
	assert_true(client_line(r.t, "a AUTHENTICATE LOGIN")->secret);
	assert_true(client_line(r.t, "ZGVtbw==")->secret);
	assert_true(client_line(r.t, "c2VjcmV0")->secret);
	assert_false(client_line(r.t, "b SELECT INBOX")->secret);
	assert_non_null(strstr(client_line(r.t, "c2VjcmV0")->explain,
	                       "answer to the server's authentication prompt"));
	assert_true(explained_anywhere(r.t, "\"Username:\""));
	assert_true(explained_anywhere(r.t, "\"Password:\""));
	assert_false(explained_anywhere(r.t, "secret"));
	assert_false(explained_anywhere(r.t, "ZGVtbw"));
	assert_false(explained_anywhere(r.t, "ZGVTBW"));
	run_free(&r);
}

static void
test_imap_authenticate_with_initial_response_and_cancel(void **state)
{
	static const struct script_step steps[] = {
	    {.send = "* OK ready\r\n"},
	    {.expect = "a AUTHENTICATE PLAIN AGRlbW8AZGVtbw==", .send = "a NO bad\r\n"},
	    {.expect = "b AUTHENTICATE PLAIN", .send = "+ \r\n"},
	    {.expect = "*", .send = "b BAD cancelled\r\n"},
	    {.expect = "c NOOP", .send = "c OK\r\n"},
	};
	static const char *const lines[] = {
	    "AUTHENTICATE PLAIN AGRlbW8AZGVtbw==", "AUTHENTICATE PLAIN", "*", "NOOP", NULL};
	struct run r;
	(void)state;
	run_session(&r, PROTO_IMAP, false, steps, 5, send_lines, (void *)lines);
	assert_string_equal(r.ss.mismatch, "");
	assert_true(client_line(r.t, "*")->secret);
	assert_int_equal(r.failure, FAIL_NONE);
	run_free(&r);
}

static void
test_imap_synchronising_literal_waits_for_the_go_ahead(void **state)
{
	static const struct script_step steps[] = {
	    {.send = "* OK ready\r\n"},
	    {.expect = "a APPEND INBOX {13}", .send = "+ Ready\r\n", .delay_ms = 300},
	    {.expect = "Subject: hi"},
	    {.expect = "", .send = "a OK appended\r\n"},
	    {.expect = "b NOOP", .send = "b OK\r\n"},
	};
	static const char *const lines[] = {"APPEND INBOX {13}", "Subject: hi", "", "NOOP",
	                                    NULL};
	struct run r;
	(void)state;
	run_session(&r, PROTO_IMAP, false, steps, 5, send_lines, (void *)lines);
	assert_string_equal(r.ss.mismatch, "");
	assert_non_null(strstr(r.ss.received, "{13}\r\nSubject: hi\r\n\r\nb NOOP\r\n"));
	const struct event *plus = find_event(r.t, EV_LINE, DIR_SERVER, "+ Ready");
	assert_non_null(plus);
	assert_true(event_index(r.t, plus) <
	            event_index(r.t, client_line(r.t, "Subject: hi")));
	assert_false(client_line(r.t, "Subject: hi")->secret);
	assert_int_equal(r.failure, FAIL_NONE);
	run_free(&r);
}

static void
test_imap_non_synchronising_literal_does_not_wait(void **state)
{
	static const struct script_step steps[] = {
	    {.send = "* OK ready\r\n"},
	    {.expect = "a APPEND INBOX {13+}"},
	    {.expect = "Subject: hi"},
	    {.expect = "", .send = "a OK appended\r\n"},
	};
	static const char *const lines[] = {"APPEND INBOX {13+}", "Subject: hi", "", NULL};
	struct run r;
	(void)state;
	run_session(&r, PROTO_IMAP, false, steps, 4, send_lines, (void *)lines);
	assert_string_equal(r.ss.mismatch, "");
	assert_non_null(
	    strstr(r.ss.received, "a APPEND INBOX {13+}\r\nSubject: hi\r\n\r\n"));
	assert_int_equal(r.failure, FAIL_NONE);
	run_free(&r);
}

static void
test_imap_login_literals_are_secret_and_exact(void **state)
{
	static const struct script_step steps[] = {
	    {.send = "* OK ready\r\n"},
	    {.expect = "a LOGIN {4}", .send = "+ Ready\r\n"},
	    {.expect = "demo {6}", .send = "+ Ready\r\n"},
	    {.expect = "secret", .send = "a OK logged in\r\n"},
	};
	static const char *const lines[] = {"LOGIN {4}", "demo", " {6}",
	                                    "secret",    "",     NULL};
	struct run r;
	(void)state;
	run_session(&r, PROTO_IMAP, false, steps, 4, send_lines, (void *)lines);
	assert_string_equal(r.ss.mismatch, "");
	assert_non_null(strstr(r.ss.received, "a LOGIN {4}\r\ndemo {6}\r\nsecret\r\n"));
	assert_true(client_line(r.t, "demo")->secret);
	assert_true(client_line(r.t, " {6}")->secret);
	assert_true(client_line(r.t, "secret")->secret);
	assert_true(client_line(r.t, "")->secret);
	assert_false(explained_anywhere(r.t, "demo"));
	run_free(&r);
}

static void
test_imap_rest_of_a_response_after_a_literal_is_explained_as_its_end(void **state)
{
	static const struct script_step steps[] = {
	    {.send = "* OK ready\r\n"},
	    {.expect = "a FETCH",
	     .send = "* 1 FETCH (BODY[] {3}\r\nabc FLAGS (\\Seen))\r\n"
	             "a OK done\r\n"},
	};
	static const char *const lines[] = {"FETCH 1 BODY[]", NULL};
	struct run r;
	(void)state;
	run_session(&r, PROTO_IMAP, false, steps, 2, send_lines, (void *)lines);
	const struct event *rest = find_event(r.t, EV_LINE, DIR_SERVER, " FLAGS");
	assert_non_null(rest);
	assert_non_null(strstr(rest->explain, "the literal above interrupted"));
	assert_false(explained_anywhere(r.t, "a tag without a status"));
	run_free(&r);
}

/* A front that shows no explanations (batch text with --no-explain) asks
 * for none, and the session then spends nothing on them. */
static void
test_no_explain_leaves_server_lines_unexplained(void **state)
{
	static const struct script_step steps[] = {
	    {.send = "* OK ready\r\n"},
	    {.expect = "a NOOP", .send = "a OK done\r\n"},
	};
	static const char *const lines[] = {"NOOP", NULL};
	struct run r;
	(void)state;
	for (int quiet = 0; quiet < 2; quiet++) {
		next_no_explain = quiet;
		run_session(&r, PROTO_IMAP, false, steps, 2, send_lines, (void *)lines);
		next_no_explain = false;
		const struct event *ok = find_event(r.t, EV_LINE, DIR_SERVER, "a OK done");
		assert_non_null(ok);
		if (quiet)
			assert_null(ok->explain);
		else
			assert_non_null(ok->explain);
		run_free(&r);
	}
}

static void
test_smtp_auth_login_answers_are_secret_and_never_upper_cased(void **state)
{
	static const struct script_step steps[] = {
	    {.send = "220 mail.test ESMTP\r\n"},
	    {.expect = "AUTH LOGIN", .send = "334 VXNlcm5hbWU6\r\n"},
	    {.expect = "ZGVtbw==", .send = "334 UGFzc3dvcmQ6\r\n"},
	    {.expect = "c2VjcmV0", .send = "235 2.7.0 Authentication successful\r\n"},
	};
	static const char *const lines[] = {"AUTH LOGIN", "ZGVtbw==", "c2VjcmV0", NULL};
	struct run r;
	(void)state;
	run_session(&r, PROTO_SMTP, false, steps, 4, send_lines, (void *)lines);
	assert_string_equal(r.ss.mismatch, "");
	assert_true(client_line(r.t, "AUTH LOGIN")->secret);
	assert_true(client_line(r.t, "ZGVtbw==")->secret);
	assert_true(client_line(r.t, "c2VjcmV0")->secret);
	assert_non_null(strstr(client_line(r.t, "ZGVtbw==")->explain,
	                       "answer to the server's authentication prompt"));
	assert_true(explained_anywhere(r.t, "\"Username:\""));
	assert_true(explained_anywhere(r.t, "\"Password:\""));
	assert_false(explained_anywhere(r.t, "ZGVTBW"));
	assert_false(explained_anywhere(r.t, "ZGVtbw"));
	assert_false(explained_anywhere(r.t, "C2VJCMV0"));
	run_free(&r);
}

static void
test_pop3_auth_answer_is_secret(void **state)
{
	static const struct script_step steps[] = {
	    {.send = "+OK ready\r\n"},
	    {.expect = "AUTH PLAIN", .send = "+ \r\n"},
	    {.expect = "AGRlbW8AZGVtbw==", .send = "+OK logged in\r\n"},
	};
	static const char *const lines[] = {"AUTH PLAIN", "AGRlbW8AZGVtbw==", NULL};
	struct run r;
	(void)state;
	run_session(&r, PROTO_POP3, false, steps, 3, send_lines, (void *)lines);
	assert_string_equal(r.ss.mismatch, "");
	assert_true(client_line(r.t, "AGRlbW8AZGVtbw==")->secret);
	assert_false(explained_anywhere(r.t, "AGRLBW8"));
	run_free(&r);
}

static void
test_smtp_blank_lines_are_sent_inside_data(void **state)
{
	static const struct script_step steps[] = {
	    {.send = "220 mail.test ESMTP\r\n"},
	    {.expect = "DATA", .send = "354 go ahead\r\n"},
	    {.expect = "Subject: x"},
	    {.expect = ""},
	    {.expect = "body"},
	    {.expect = ".", .send = "250 2.0.0 queued\r\n"},
	};
	static const char *const lines[] = {"DATA", "Subject: x", "", "body", ".", NULL};
	struct run r;
	(void)state;
	run_session(&r, PROTO_SMTP, false, steps, 6, send_lines, (void *)lines);
	assert_string_equal(r.ss.mismatch, "");
	assert_non_null(strstr(r.ss.received, "Subject: x\r\n\r\nbody\r\n.\r\n"));
	run_free(&r);
}

static void
test_greeting_that_is_http_fails_at_once_as_a_protocol_error(void **state)
{
	static const struct script_step steps[] = {
	    {.send = "HTTP/1.1 400 Bad Request\r\n\r\n", .delay_ms = 0},
	    {.expect = "never", .send = NULL},
	};
	struct run r;
	(void)state;
	double t0 = util_now_ms();
	run_session(&r, PROTO_SMTP, false, steps, 1, NULL, NULL);
	assert_true(util_now_ms() - t0 < 1500);
	assert_int_equal(r.failure, FAIL_PROTOCOL);
	assert_non_null(find_event(r.t, EV_ERROR, DIR_LOCAL, "HTTP"));
	run_free(&r);
}

static void
test_greeting_that_is_a_tls_record_suggests_implicit_tls(void **state)
{
	static const struct script_step steps[] = {
	    {.send = "\x15\x03\x01\x00\x02\x02\x46", .send_len = 7},
	};
	struct run r;
	(void)state;
	run_session(&r, PROTO_IMAP, false, steps, 1, NULL, NULL);
	assert_int_equal(r.failure, FAIL_PROTOCOL);
	assert_non_null(find_event(r.t, EV_ERROR, DIR_LOCAL, "try imaps://"));
	run_free(&r);
}

static void
test_long_line_cut_by_the_close_is_shown_and_flagged(void **state)
{
	static char greeting[40000];
	struct script_step steps[] = {{.send = greeting, .close_after = 1}};
	struct run r;
	(void)state;
	memcpy(greeting, "220 ", 4);
	memset(greeting + 4, 'x', sizeof greeting - 5);
	run_session(&r, PROTO_SMTP, false, steps, 1, NULL, NULL);
	const struct event *ev = find_event(r.t, EV_LINE, DIR_SERVER, "220 xxx");
	assert_non_null(ev);
	assert_int_equal(ev->len, PROTO_LINE_CAP);
	assert_int_equal(count_findings(r.t, FINDING_LINE_TOO_LONG), 1);
	run_free(&r);
}

static void
dance_then_auth(struct session *s, void *arg)
{
	char *cause = NULL;
	(void)arg;
	session_queue_starttls(s);
	if (session_queue_line(s, "AUTH PLAIN AGRlbW8AZGVtbw==", &cause) != 0)
		free(cause);
	session_queue_quit(s);
}

static void
test_refused_upgrade_stops_everything_queued_after_it(void **state)
{
	static const struct script_step steps[] = {
	    {.send = "220 mail.test ESMTP\r\n"},
	    {.expect = "EHLO ", .send = "250-mail.test\r\n250 PIPELINING\r\n"},
	    {.expect = "STARTTLS", .send = "502 5.5.1 command not implemented\r\n"},
	};
	struct run r;
	(void)state;
	run_session(&r, PROTO_SMTP, false, steps, 3, dance_then_auth, NULL);
	assert_null(strstr(r.ss.received, "AUTH"));
	assert_null(strstr(r.ss.received, "QUIT"));
	assert_int_equal(r.failure, FAIL_POLICY);
	assert_int_equal(session_queued(r.s), 0);
	run_free(&r);
}

static void
test_typed_starttls_refused_stops_the_script(void **state)
{
	static const struct script_step steps[] = {
	    {.send = "+OK ready\r\n"},
	    {.expect = "STLS", .send = "-ERR not now\r\n"},
	};
	static const char *const lines[] = {"STLS", "USER demo", NULL};
	struct run r;
	(void)state;
	run_session(&r, PROTO_POP3, false, steps, 2, send_lines, (void *)lines);
	assert_null(strstr(r.ss.received, "USER"));
	assert_int_equal(r.failure, FAIL_POLICY);
	run_free(&r);
}

static void
test_secret_and_exposure_for_typed_lines(void **state)
{
	static const struct script_step steps[] = {
	    {.send = "* OK ready\r\n"},
	};
	struct run r;
	(void)state;
	run_session(&r, PROTO_IMAP, false, steps, 1, NULL, NULL);
	assert_true(session_line_is_secret(r.s, "LOGIN demo demo"));
	assert_true(session_line_is_secret(r.s, "authenticate plain"));
	assert_false(session_line_is_secret(r.s, "SELECT INBOX"));
	assert_int_equal(session_line_exposure(r.s, "LOGIN demo demo"), EXPOSE_PLAINTEXT);
	assert_int_equal(session_line_exposure(r.s, "NOOP"), EXPOSE_NONE);
	run_free(&r);
}

/* A lab server in a child process, for what needs TLS. */
struct labrun {
	struct lab *lab;
	pid_t pid;
	struct transcript *t;
	struct session *s;
};

static void
lab_session(struct labrun *l, enum proto_id proto, enum lab_scenario sc,
            struct session_params *p)
{
	struct lab_config cfg = {.proto = proto, .scenario = sc};
	char *cause = NULL;

	l->lab = lab_new(&cfg, &cause);
	if (l->lab == NULL)
		fail_msg("lab_new: %s", cause);
	l->pid = lab_spawn(l->lab, &cause);
	if (l->pid < 0)
		fail_msg("lab_spawn: %s", cause);
	p->servername = LABCERT_HOST;
	p->timeout_ms = 5000;
	p->target.proto = proto;
	p->target.mode = TLS_MODE_EXPLICIT;
	p->target.port = lab_port(l->lab);
	p->target.host_is_ip = true;
	snprintf(p->target.host, sizeof p->target.host, "127.0.0.1");
	snprintf(p->target.scheme, sizeof p->target.scheme, "%s", proto_info(proto)->name);
	l->t = transcript_new();
	l->s = session_new(p, l->t);
	assert_int_equal(session_open(l->s), 0);
	session_run(l->s);
}

static void
lab_done(struct labrun *l)
{
	session_free(l->s);
	transcript_free(l->t);
	kill(l->pid, SIGTERM);
	waitpid(l->pid, NULL, 0);
	lab_free(l->lab);
}

/* Into TLS whose certificate failed (no --cafile: the lab's CA is unknown):
 * the credential is held back unless insecure or consented. */
static void
held_back_case(bool insecure, bool consented)
{
	struct session_params p = {.insecure = insecure};
	struct labrun l;
	char *cause = NULL;

	lab_session(&l, PROTO_IMAP, LAB_HONEST, &p);
	session_queue_starttls(l.s);
	session_run(l.s);
	assert_int_equal(session_phase(l.s), PHASE_TLS);
	assert_int_equal(session_line_exposure(l.s, "LOGIN demo demo"), EXPOSE_UNVERIFIED);
	assert_non_null(strstr(session_verdict_words(l.s), "not trusted"));
	if (consented)
		assert_int_equal(
		    session_queue_line_consented(l.s, "LOGIN demo demo", &cause), 0);
	else
		assert_int_equal(session_queue_line(l.s, "LOGIN demo demo", &cause), 0);
	session_run(l.s);
	bool sent = find_event(l.t, EV_LINE, DIR_CLIENT, "LOGIN demo demo") != NULL;
	if (insecure || consented) {
		assert_true(sent);
		assert_int_equal(count_findings(l.t, FINDING_CREDENTIAL_WITHHELD), 0);
		assert_int_equal(session_failure(l.s), FAIL_NONE);
	} else {
		assert_false(sent);
		assert_int_equal(count_findings(l.t, FINDING_CREDENTIAL_WITHHELD), 1);
		assert_int_equal(session_failure(l.s), FAIL_POLICY);
		assert_null(find_event(l.t, EV_ERROR, DIR_LOCAL, "demo"));
	}
	lab_done(&l);
}

static void
test_credential_into_unverified_tls_is_held_back(void **state)
{
	(void)state;
	held_back_case(false, false);
}

static void
test_credential_into_unverified_tls_goes_when_insecure(void **state)
{
	(void)state;
	held_back_case(true, false);
}

static void
test_credential_into_unverified_tls_goes_when_consented(void **state)
{
	(void)state;
	held_back_case(false, true);
}

static void
test_injection_fails_require_tls_after_showing_the_handshake(void **state)
{
	struct session_params p = {.require_tls = true};
	struct labrun l;

	(void)state;
	lab_session(&l, PROTO_SMTP, LAB_INJECT, &p);
	session_queue_starttls(l.s);
	session_run(l.s);
	assert_int_equal(count_findings(l.t, FINDING_STARTTLS_INJECTION), 1);
	assert_non_null(find_event(l.t, EV_PHASE, DIR_LOCAL, "TLS established"));
	assert_int_equal(session_failure(l.s), FAIL_POLICY);
	lab_done(&l);
}

static void
test_eof_without_close_notify_after_an_unanswered_quit_is_reported(void **state)
{
	static const char *const lines[] = {"EHLO x", "STARTTLS", "QUIT", NULL};
	struct session_params p = {0};
	struct labrun l;

	(void)state;
	lab_session(&l, PROTO_SMTP, LAB_NO_CLOSE_NOTIFY, &p);
	send_lines(l.s, (void *)lines);
	assert_int_equal(session_phase(l.s), PHASE_TLS);
	assert_non_null(find_event(l.t, EV_LINE, DIR_CLIENT, "QUIT"));
	assert_int_equal(count_findings(l.t, FINDING_EOF_WITHOUT_CLOSE_NOTIFY), 1);
	lab_done(&l);
}

static void
stls_then_consented_capa(struct session *s, void *arg)
{
	char *cause = NULL;
	(void)arg;
	assert_int_equal(session_queue_line(s, "STLS", &cause), 0);
	session_run(s);
	assert_non_null(strstr(session_upgrade_failure(s), "refused"));
	assert_int_equal(session_queue_line_consented(s, "CAPA", &cause), 0);
	session_run(s);
}

static void
test_after_a_failed_upgrade_a_consented_line_still_goes(void **state)
{
	static const struct script_step steps[] = {
	    {.send = "+OK ready\r\n"},
	    {.expect = "STLS", .send = "-ERR not now\r\n"},
	    {.expect = "CAPA", .send = "+OK\r\nUSER\r\n.\r\n"},
	};
	struct run r;
	(void)state;
	run_session(&r, PROTO_POP3, false, steps, 3, stls_then_consented_capa, NULL);
	assert_string_equal(r.ss.mismatch, "");
	assert_non_null(strstr(r.ss.received, "STLS\r\nCAPA\r\n"));
	assert_int_equal(r.failure, FAIL_NONE);
	run_free(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_smtp_refused_starttls_stays_plaintext),
	    cmocka_unit_test(
	        test_smtp_offered_starttls_answered_as_unknown_is_a_suspected_downgrade),
	    cmocka_unit_test(
	        test_imap_offered_starttls_answered_bad_is_a_suspected_downgrade),
	    cmocka_unit_test(test_smtp_positive_reply_other_than_220_is_not_a_go_ahead),
	    cmocka_unit_test(test_smtp_stripped_capability_is_reported),
	    cmocka_unit_test(test_require_tls_stops_after_stripped_capabilities),
	    cmocka_unit_test(test_injected_bytes_after_go_ahead_are_discarded_and_reported),
	    cmocka_unit_test(test_imap_logindisabled_and_foreign_tag_go_ahead),
	    cmocka_unit_test(test_imap_preauth_on_plaintext_is_reported),
	    cmocka_unit_test(test_imap_preauth_fails_require_tls),
	    cmocka_unit_test(test_pop3_stls_refused),
	    cmocka_unit_test(test_silent_server_times_out_naming_the_greeting),
	    cmocka_unit_test(test_close_before_greeting_is_a_network_failure),
	    cmocka_unit_test(test_refusing_greeting_is_a_protocol_failure),
	    cmocka_unit_test(test_control_characters_are_reported_once),
	    cmocka_unit_test(test_credentials_in_plaintext_are_flagged),
	    cmocka_unit_test(test_require_tls_never_sends_credentials_in_plaintext),
	    cmocka_unit_test(test_imap_lines_get_tags_and_replies_complete),
	    cmocka_unit_test(test_smtp_data_mode_sends_message_lines_until_the_dot),
	    cmocka_unit_test(test_a_flood_of_lines_stops_at_the_event_cap),
	    cmocka_unit_test(test_events_are_numbered_and_timed_in_order),
	    cmocka_unit_test(test_imap_idle_done_then_the_next_command_is_tagged),
	    cmocka_unit_test(test_imap_authenticate_rounds_are_secret_and_tagging_resumes),
	    cmocka_unit_test(test_imap_authenticate_with_initial_response_and_cancel),
	    cmocka_unit_test(test_imap_synchronising_literal_waits_for_the_go_ahead),
	    cmocka_unit_test(test_imap_non_synchronising_literal_does_not_wait),
	    cmocka_unit_test(test_imap_login_literals_are_secret_and_exact),
	    cmocka_unit_test(
	        test_imap_rest_of_a_response_after_a_literal_is_explained_as_its_end),
	    cmocka_unit_test(test_no_explain_leaves_server_lines_unexplained),
	    cmocka_unit_test(test_smtp_auth_login_answers_are_secret_and_never_upper_cased),
	    cmocka_unit_test(test_pop3_auth_answer_is_secret),
	    cmocka_unit_test(test_smtp_blank_lines_are_sent_inside_data),
	    cmocka_unit_test(test_greeting_that_is_http_fails_at_once_as_a_protocol_error),
	    cmocka_unit_test(test_greeting_that_is_a_tls_record_suggests_implicit_tls),
	    cmocka_unit_test(test_long_line_cut_by_the_close_is_shown_and_flagged),
	    cmocka_unit_test(test_refused_upgrade_stops_everything_queued_after_it),
	    cmocka_unit_test(test_typed_starttls_refused_stops_the_script),
	    cmocka_unit_test(test_after_a_failed_upgrade_a_consented_line_still_goes),
	    cmocka_unit_test(test_secret_and_exposure_for_typed_lines),
	    cmocka_unit_test(test_credential_into_unverified_tls_is_held_back),
	    cmocka_unit_test(test_credential_into_unverified_tls_goes_when_insecure),
	    cmocka_unit_test(test_credential_into_unverified_tls_goes_when_consented),
	    cmocka_unit_test(test_injection_fails_require_tls_after_showing_the_handshake),
	    cmocka_unit_test(
	        test_eof_without_close_notify_after_an_unanswered_quit_is_reported),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
