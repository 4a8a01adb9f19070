/* The session state machine against scripted servers on loopback. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "scriptserver.h"
#include "session.h"

/* Event cap for the next run_session (0: the default). */
static size_t next_max_events;

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
test_smtp_refused_starttls_stays_plaintext_and_fails_the_policy(void **state)
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
	assert_int_equal(r.failure, FAIL_POLICY);
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(
	        test_smtp_refused_starttls_stays_plaintext_and_fails_the_policy),
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
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
