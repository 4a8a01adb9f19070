/*
 * IMAP framer: greeting, untagged data, tagged completions, continuation
 * requests, literals and automatic tags. Every scripted conversation is also
 * replayed byte by byte and cut at every byte boundary, and must frame the same.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "framer_harness.h"
#include "proto.h"

#define UNT PROTO_LINE_UNTAGGED
#define LIT PROTO_LINE_LITERAL

/* Splits line i of a run into capabilities. */
static size_t
caps_of(const struct harness_run *r, size_t i, struct proto_cap *caps, size_t max)
{
	struct proto_line line = {0};

	line.data = r->v[i].data;
	line.len = r->v[i].len;
	line.flags = r->v[i].flags;
	return proto_line_caps(PROTO_IMAP, &line, caps, max);
}

static void
greeting_ok_with_capabilities(void **state)
{
	static const struct harness_step s[] = {
	    SRV("* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] ready\r\n"),
	};
	struct harness_run r;
	struct proto_cap caps[8];

	(void)state;
	harness_script(PROTO_IMAP, s, NSTEPS(s), &r);
	LINE(&r, 0, "* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] ready",
	     UNT | GREET | CAPS | END, PROTO_REPLY_OK);
	assert_int_equal(r.v[0].pending, 0);
	assert_int_equal(caps_of(&r, 0, caps, 8), 3);
	harness_cap_is(&caps[0], "IMAP4rev1");
	harness_cap_is(&caps[1], "STARTTLS");
	harness_cap_is(&caps[2], "LOGINDISABLED");
	harness_no_finding(&r, 0);
	harness_run_free(&r);
}

static void
pending_is_one_before_the_greeting(void **state)
{
	struct framer *fr = framer_new(PROTO_IMAP);

	(void)state;
	assert_int_equal(framer_pending(fr), 1);
	assert_int_equal(framer_outstanding(fr), 0);
	framer_free(fr);
}

static void
greeting_preauth_and_bye_have_their_own_replies(void **state)
{
	static const struct harness_step pre[] = {
	    SRV("* PREAUTH [CAPABILITY IMAP4rev1] welcome\r\n")};
	static const struct harness_step bye[] = {SRV("* BYE too busy\r\n")};
	struct harness_run r;

	(void)state;
	harness_script(PROTO_IMAP, pre, NSTEPS(pre), &r);
	LINE(&r, 0, "* PREAUTH [CAPABILITY IMAP4rev1] welcome", UNT | GREET | CAPS | END,
	     PROTO_REPLY_PREAUTH);
	harness_run_free(&r);
	harness_script(PROTO_IMAP, bye, NSTEPS(bye), &r);
	LINE(&r, 0, "* BYE too busy", UNT | GREET | END, PROTO_REPLY_BYE);
	assert_int_equal(r.v[0].pending, 0);
	harness_run_free(&r);
}

static void
anything_else_before_the_greeting_is_a_violation(void **state)
{
	static const struct harness_step s[] = {
	    SRV("* NO not ready\r\n+ go\r\na OK fake\r\n*\r\n* OK ready\r\n"),
	};
	struct harness_run r;

	(void)state;
	harness_script(PROTO_IMAP, s, NSTEPS(s), &r);
	assert_int_equal(r.n, 5);
	LINE(&r, 0, "* NO not ready", UNT | GREET, PROTO_REPLY_NONE);
	harness_finding_is(&r, 0, PV);
	LINE(&r, 1, "+ go", 0, PROTO_REPLY_NONE);
	harness_finding_is(&r, 1, PV);
	LINE(&r, 2, "a OK fake", 0, PROTO_REPLY_NONE);
	harness_finding_is(&r, 2, PV);
	LINE(&r, 3, "*", UNT | GREET, PROTO_REPLY_NONE);
	harness_finding_is(&r, 3, PV);
	assert_int_equal(r.v[3].pending, 1);
	LINE(&r, 4, "* OK ready", UNT | GREET | END, PROTO_REPLY_OK);
	harness_run_free(&r);
}

static void
tagged_ok_completes_our_tag(void **state)
{
	static const struct harness_step s[] = {
	    SRV("* OK ready\r\n"),
	    CLI("a NOOP"),
	    CLI("b NOOP"),
	    SRV("* 3 EXISTS\r\nb OK done\r\na OK NOOP completed\r\n"),
	};
	struct harness_run r;

	(void)state;
	harness_script(PROTO_IMAP, s, NSTEPS(s), &r);
	assert_int_equal(r.n, 4);
	LINE(&r, 1, "* 3 EXISTS", UNT, PROTO_REPLY_NONE);
	assert_null(r.v[1].tag);
	assert_int_equal(r.v[1].pending, 2);
	LINE(&r, 2, "b OK done", END, PROTO_REPLY_OK);
	assert_string_equal(r.v[2].tag, "b");
	assert_int_equal(r.v[2].pending, 1);
	LINE(&r, 3, "a OK NOOP completed", END, PROTO_REPLY_OK);
	assert_string_equal(r.v[3].tag, "a");
	assert_int_equal(r.v[3].pending, 0);
	for (size_t i = 0; i < r.n; i++)
		harness_no_finding(&r, i);
	harness_run_free(&r);
}

static void
tagged_no_and_bad_are_failures(void **state)
{
	static const struct harness_step s[] = {
	    SRV("* OK ready\r\n"),
	    CLI("a LOGIN u p"),
	    CLI("b FROB"),
	    SRV("a no [AUTHENTICATIONFAILED] bad password\r\nb BAD unknown command\r\n"),
	};
	struct harness_run r;

	(void)state;
	harness_script(PROTO_IMAP, s, NSTEPS(s), &r);
	LINE(&r, 1, "a no [AUTHENTICATIONFAILED] bad password", END, PROTO_REPLY_FAIL);
	LINE(&r, 2, "b BAD unknown command", END, PROTO_REPLY_FAIL);
	assert_int_equal(r.v[2].pending, 0);
	harness_run_free(&r);
}

static void
capability_response_carries_capabilities(void **state)
{
	static const struct harness_step s[] = {
	    SRV("* OK ready\r\n"),
	    CLI("a CAPABILITY"),
	    SRV("* CAPABILITY IMAP4rev1  STARTTLS AUTH=PLAIN\r\na OK done\r\n"),
	};
	struct harness_run r;
	struct proto_cap caps[2];

	(void)state;
	harness_script(PROTO_IMAP, s, NSTEPS(s), &r);
	LINE(&r, 1, "* CAPABILITY IMAP4rev1  STARTTLS AUTH=PLAIN", UNT | CAPS,
	     PROTO_REPLY_NONE);
	assert_int_equal(caps_of(&r, 1, caps, 2), 3);
	harness_cap_is(&caps[0], "IMAP4rev1");
	harness_cap_is(&caps[1], "STARTTLS");
	LINE(&r, 2, "a OK done", END, PROTO_REPLY_OK);
	harness_run_free(&r);
}

static void
tagged_ok_with_a_capability_code_carries_capabilities(void **state)
{
	static const struct harness_step s[] = {
	    SRV("* OK ready\r\n"),
	    CLI("a LOGIN user pass"),
	    SRV("a OK [CAPABILITY IMAP4rev1 IDLE] Logged in\r\n"),
	};
	struct harness_run r;
	struct proto_cap caps[4];

	(void)state;
	harness_script(PROTO_IMAP, s, NSTEPS(s), &r);
	LINE(&r, 1, "a OK [CAPABILITY IMAP4rev1 IDLE] Logged in", CAPS | END,
	     PROTO_REPLY_OK);
	assert_int_equal(caps_of(&r, 1, caps, 4), 2);
	harness_cap_is(&caps[0], "IMAP4rev1");
	harness_cap_is(&caps[1], "IDLE");
	harness_run_free(&r);
}

static void
tag_never_sent_is_unsolicited(void **state)
{
	static const struct harness_step s[] = {
	    SRV("* OK ready\r\n"),
	    CLI("a NOOP"),
	    SRV("b OK nope\r\na OK done\r\n"),
	};
	struct harness_run r;

	(void)state;
	harness_script(PROTO_IMAP, s, NSTEPS(s), &r);
	LINE(&r, 1, "b OK nope", 0, PROTO_REPLY_NONE);
	harness_finding_is(&r, 1, "unsolicited-tag");
	assert_string_equal(r.v[1].tag, "b");
	assert_int_equal(r.v[1].pending, 1);
	LINE(&r, 2, "a OK done", END, PROTO_REPLY_OK);
	harness_run_free(&r);
}

static void
tag_already_completed_is_unsolicited(void **state)
{
	static const struct harness_step s[] = {
	    SRV("* OK ready\r\n"),
	    CLI("a STARTTLS"),
	    SRV("a BAD not now\r\na OK Begin TLS\r\n"),
	};
	struct harness_run r;

	(void)state;
	harness_script(PROTO_IMAP, s, NSTEPS(s), &r);
	LINE(&r, 1, "a BAD not now", END, PROTO_REPLY_FAIL);
	LINE(&r, 2, "a OK Begin TLS", 0, PROTO_REPLY_NONE);
	harness_finding_is(&r, 2, "unsolicited-tag");
	harness_run_free(&r);
}

static void
tagged_status_other_than_ok_no_bad_is_a_violation(void **state)
{
	static const struct harness_step s[] = {
	    SRV("* OK ready\r\n"),
	    CLI("a NOOP"),
	    SRV("a PREAUTH sure\r\n"),
	};
	struct harness_run r;

	(void)state;
	harness_script(PROTO_IMAP, s, NSTEPS(s), &r);
	LINE(&r, 1, "a PREAUTH sure", 0, PROTO_REPLY_NONE);
	harness_finding_is(&r, 1, PV);
	assert_int_equal(r.v[1].pending, 1);
	harness_run_free(&r);
}

static void
line_that_is_no_response_is_a_violation(void **state)
{
	static const struct harness_step s[] = {
	    SRV("* OK ready\r\n"),
	    CLI("a NOOP"),
	    SRV("garbage\r\n\r\n(a) OK\r\n*x\r\n"),
	};
	struct harness_run r;

	(void)state;
	harness_script(PROTO_IMAP, s, NSTEPS(s), &r);
	assert_int_equal(r.n, 5);
	for (size_t i = 1; i < 4; i++) {
		assert_int_equal(r.v[i].flags, 0);
		harness_finding_is(&r, i, PV);
	}
	LINE(&r, 4, "*x", UNT, PROTO_REPLY_NONE);
	harness_finding_is(&r, 4, PV);
	assert_int_equal(r.v[4].pending, 1);
	harness_run_free(&r);
}

static void
untagged_bye_during_logout_ends_nothing(void **state)
{
	static const struct harness_step s[] = {
	    SRV("* OK ready\r\n"),
	    CLI("a LOGOUT"),
	    SRV("* BYE logging out\r\na OK LOGOUT completed\r\n"),
	};
	struct harness_run r;

	(void)state;
	harness_script(PROTO_IMAP, s, NSTEPS(s), &r);
	LINE(&r, 1, "* BYE logging out", UNT, PROTO_REPLY_NONE);
	harness_no_finding(&r, 1);
	LINE(&r, 2, "a OK LOGOUT completed", END, PROTO_REPLY_OK);
	harness_run_free(&r);
}

static void
untagged_data_without_a_command_is_legitimate(void **state)
{
	static const struct harness_step s[] = {
	    SRV("* OK ready\r\n* 4 EXISTS\r\n* OK [ALERT] maintenance\r\n"),
	};
	struct harness_run r;

	(void)state;
	harness_script(PROTO_IMAP, s, NSTEPS(s), &r);
	LINE(&r, 1, "* 4 EXISTS", UNT, PROTO_REPLY_NONE);
	LINE(&r, 2, "* OK [ALERT] maintenance", UNT, PROTO_REPLY_NONE);
	harness_no_finding(&r, 1);
	harness_no_finding(&r, 2);
	harness_run_free(&r);
}

static void
preauth_after_the_greeting_is_a_violation(void **state)
{
	static const struct harness_step s[] = {SRV("* OK ready\r\n* PREAUTH now\r\n")};
	struct harness_run r;

	(void)state;
	harness_script(PROTO_IMAP, s, NSTEPS(s), &r);
	LINE(&r, 1, "* PREAUTH now", UNT, PROTO_REPLY_NONE);
	harness_finding_is(&r, 1, PV);
	harness_run_free(&r);
}

static void
continuation_while_our_command_is_pending(void **state)
{
	static const struct harness_step s[] = {
	    SRV("* OK ready\r\n"),
	    CLI("a AUTHENTICATE PLAIN"),
	    SRV("+ \r\n"),
	    CLI("AHVzZXIAcGFzcw=="),
	    SRV("a OK [CAPABILITY IMAP4rev1] done\r\n"),
	};
	struct harness_run r;
	struct framer *fr;

	(void)state;
	harness_script(PROTO_IMAP, s, NSTEPS(s), &r);
	LINE(&r, 1, "+ ", END, PROTO_REPLY_CONTINUE);
	assert_int_equal(r.v[1].pending, 0);
	harness_no_finding(&r, 1);
	LINE(&r, 2, "a OK [CAPABILITY IMAP4rev1] done", CAPS | END, PROTO_REPLY_OK);
	harness_run_free(&r);

	fr = harness_framer_after(PROTO_IMAP, s, 4, &r);
	assert_int_equal(framer_pending(fr), 1);
	framer_free(fr);
	harness_run_free(&r);
}

static void
continuation_with_nothing_pending_is_a_violation(void **state)
{
	static const struct harness_step s[] = {
	    SRV("* OK ready\r\n+ send me something\r\n+\r\n"),
	};
	struct harness_run r;

	(void)state;
	harness_script(PROTO_IMAP, s, NSTEPS(s), &r);
	LINE(&r, 1, "+ send me something", 0, PROTO_REPLY_NONE);
	harness_finding_is(&r, 1, PV);
	LINE(&r, 2, "+", 0, PROTO_REPLY_NONE);
	harness_finding_is(&r, 2, PV);
	assert_int_equal(r.v[2].pending, 0);
	harness_run_free(&r);
}

static void
idle_done_answers_the_continuation(void **state)
{
	static const struct harness_step s[] = {
	    SRV("* OK ready\r\n"),
	    CLI("a IDLE"),
	    SRV("+ idling\r\n* 5 EXISTS\r\n"),
	    CLI("DONE"),
	    SRV("a OK IDLE terminated\r\n"),
	};
	struct harness_run r;

	(void)state;
	harness_script(PROTO_IMAP, s, NSTEPS(s), &r);
	LINE(&r, 1, "+ idling", END, PROTO_REPLY_CONTINUE);
	LINE(&r, 2, "* 5 EXISTS", UNT, PROTO_REPLY_NONE);
	assert_int_equal(r.v[2].pending, 0);
	LINE(&r, 3, "a OK IDLE terminated", END, PROTO_REPLY_OK);
	harness_no_finding(&r, 3);
	harness_run_free(&r);
}

static void
literal_with_crlf_inside_is_handed_out_as_literal_lines(void **state)
{
	static const struct harness_step s[] = {
	    SRV("* OK ready\r\n"),
	    CLI("a FETCH 1 BODY[]"),
	    SRV("* 1 FETCH (BODY[] {23}\r\nab\r\na OK fake\r\nb NO x\r\n)\r\na OK "
	        "done\r\n"),
	};
	struct harness_run r;

	(void)state;
	harness_script(PROTO_IMAP, s, NSTEPS(s), &r);
	assert_int_equal(r.n, 7);
	LINE(&r, 1, "* 1 FETCH (BODY[] {23}", UNT, PROTO_REPLY_NONE);
	LINE(&r, 2, "ab", UNT | LIT, PROTO_REPLY_NONE);
	LINE(&r, 3, "a OK fake", UNT | LIT, PROTO_REPLY_NONE);
	LINE(&r, 4, "b NO x", UNT | LIT, PROTO_REPLY_NONE);
	LINE(&r, 5, ")", UNT | PROTO_LINE_REST, PROTO_REPLY_NONE);
	LINE(&r, 6, "a OK done", END, PROTO_REPLY_OK);
	for (size_t i = 1; i < r.n; i++)
		harness_no_finding(&r, i);
	assert_int_equal(r.v[5].pending, 1);
	harness_run_free(&r);
}

static void
literal_ends_where_its_length_says_without_lf(void **state)
{
	static const struct harness_step s[] = {
	    SRV("* OK ready\r\n"),
	    SRV("* 1 FETCH (BODY[] {5}\r\nab\ncd FLAGS ())\r\n"),
	};
	struct harness_run r;

	(void)state;
	harness_script(PROTO_IMAP, s, NSTEPS(s), &r);
	assert_int_equal(r.n, 5);
	LINE(&r, 2, "ab", UNT | LIT | PROTO_LINE_BARE_LF, PROTO_REPLY_NONE);
	LINE(&r, 3, "cd", UNT | LIT, PROTO_REPLY_NONE);
	LINE(&r, 4, " FLAGS ())", UNT | PROTO_LINE_REST, PROTO_REPLY_NONE);
	harness_run_free(&r);
}

static void
rest_of_a_line_after_a_literal_may_end_with_another_literal(void **state)
{
	static const struct harness_step s[] = {
	    SRV("* OK ready\r\n"),
	    SRV("* 1 FETCH (BODY[1] {3}\r\nabc BODY[2] {2}\r\nde FLAGS (\\Seen))\r\n"),
	    SRV("* 2 EXISTS\r\n"),
	};
	struct harness_run r;

	(void)state;
	harness_script(PROTO_IMAP, s, NSTEPS(s), &r);
	assert_int_equal(r.n, 7);
	LINE(&r, 1, "* 1 FETCH (BODY[1] {3}", UNT, PROTO_REPLY_NONE);
	LINE(&r, 2, "abc", UNT | LIT, PROTO_REPLY_NONE);
	LINE(&r, 3, " BODY[2] {2}", UNT | PROTO_LINE_REST, PROTO_REPLY_NONE);
	LINE(&r, 4, "de", UNT | LIT, PROTO_REPLY_NONE);
	LINE(&r, 5, " FLAGS (\\Seen))", UNT | PROTO_LINE_REST, PROTO_REPLY_NONE);
	LINE(&r, 6, "* 2 EXISTS", UNT, PROTO_REPLY_NONE);
	harness_run_free(&r);
}

static void
empty_literal_goes_straight_to_the_rest_of_the_line(void **state)
{
	static const struct harness_step s[] = {
	    SRV("* OK ready\r\n"),
	    CLI("a FETCH 1 BODY[]"),
	    SRV("* 1 FETCH (BODY[] {0}\r\n)\r\na OK done\r\n"),
	};
	struct harness_run r;

	(void)state;
	harness_script(PROTO_IMAP, s, NSTEPS(s), &r);
	assert_int_equal(r.n, 4);
	LINE(&r, 2, ")", UNT | PROTO_LINE_REST, PROTO_REPLY_NONE);
	LINE(&r, 3, "a OK done", END, PROTO_REPLY_OK);
	harness_run_free(&r);
}

static void
literal_longer_than_the_line_cap_comes_in_pieces(void **state)
{
	const size_t n = PROTO_LINE_CAP + 10;
	char head[64];
	int hl = snprintf(head, sizeof(head), "* 1 FETCH (BODY[] {%zu}\r\n", n + 2);
	char *body = harness_xmalloc(n + 2 + 3);
	memset(body, 'x', n);
	memcpy(body + n, "\r\n)\r\n", 5);
	struct harness_step s[] = {SRV("* OK ready\r\n"),
	                           {'S', head, (size_t)hl},
	                           {'S', body, n + 5},
	                           SRV("* 2 EXISTS\r\n")};
	struct harness_run r;

	(void)state;
	harness_script(PROTO_IMAP, s, NSTEPS(s), &r);
	assert_int_equal(r.n, 6);
	assert_int_equal(r.v[2].len, PROTO_LINE_CAP);
	assert_int_equal(r.v[2].flags, UNT | LIT);
	assert_int_equal(r.v[3].len, 10);
	assert_int_equal(r.v[3].flags, UNT | LIT);
	assert_int_equal(r.v[2].dropped + r.v[3].dropped, 0);
	LINE(&r, 4, ")", UNT | PROTO_LINE_REST, PROTO_REPLY_NONE);
	LINE(&r, 5, "* 2 EXISTS", UNT, PROTO_REPLY_NONE);
	harness_run_free(&r);
	free(body);
}

static void
literal_length_overflow_is_a_violation_and_lines_resume(void **state)
{
	static const struct harness_step s[] = {
	    SRV("* OK ready\r\n"),
	    CLI("a FETCH 1 BODY[]"),
	    SRV("* 1 FETCH (BODY[] {99999999999999999999}\r\na OK done\r\n"),
	};
	struct harness_run r;

	(void)state;
	harness_script(PROTO_IMAP, s, NSTEPS(s), &r);
	assert_int_equal(r.n, 3);
	LINE(&r, 1, "* 1 FETCH (BODY[] {99999999999999999999}", UNT, PROTO_REPLY_NONE);
	harness_finding_is(&r, 1, PV);
	LINE(&r, 2, "a OK done", END, PROTO_REPLY_OK);
	harness_run_free(&r);
}

static void
literal_over_the_cap_is_a_violation_and_lines_resume(void **state)
{
	static const struct harness_step s[] = {
	    SRV("* OK ready\r\n"),
	    CLI("a FETCH 1 BODY[]"),
	    SRV("* 1 FETCH (BODY[] {67108865}\r\na OK done\r\n"),
	};
	struct harness_run r;

	(void)state;
	harness_script(PROTO_IMAP, s, NSTEPS(s), &r);
	assert_int_equal(r.n, 3);
	harness_finding_is(&r, 1, PV);
	LINE(&r, 2, "a OK done", END, PROTO_REPLY_OK);
	harness_run_free(&r);
}

static void
literal_of_exactly_the_cap_is_read_as_a_literal(void **state)
{
	static const struct harness_step s[] = {
	    SRV("* OK ready\r\n"),
	    CLI("a FETCH 1 BODY[]"),
	    SRV("* 1 FETCH (BODY[] {67108864}\r\na OK done\r\n"),
	};
	struct harness_run r;

	(void)state;
	harness_script(PROTO_IMAP, s, NSTEPS(s), &r);
	assert_int_equal(r.n, 3);
	harness_no_finding(&r, 1);
	LINE(&r, 2, "a OK done", UNT | LIT, PROTO_REPLY_NONE);
	assert_int_equal(r.v[2].pending, 1);
	harness_run_free(&r);
}

static void
non_synchronizing_literal_from_the_server_is_a_violation(void **state)
{
	static const struct harness_step s[] = {
	    SRV("* OK ready\r\n"),
	    SRV("* 1 FETCH (BODY[] {5+}\r\nhello)\r\n"),
	};
	struct harness_run r;

	(void)state;
	harness_script(PROTO_IMAP, s, NSTEPS(s), &r);
	assert_int_equal(r.n, 4);
	harness_finding_is(&r, 1, PV);
	assert_true(strstr(r.v[1].violation, "{n+}") != NULL);
	LINE(&r, 2, "hello", UNT | LIT, PROTO_REPLY_NONE);
	LINE(&r, 3, ")", UNT | PROTO_LINE_REST, PROTO_REPLY_NONE);
	harness_run_free(&r);
}

static void
literal_announced_at_the_end_of_a_truncated_line_is_still_read(void **state)
{
	const size_t n = PROTO_LINE_CAP + 100;
	char *line = harness_xmalloc(n + 32);
	memcpy(line, "* 1 FETCH (", 11);
	memset(line + 11, 'x', n - 11);
	memcpy(line + n, " {3}\r\nabc)\r\n", 12);
	struct harness_step s[] = {SRV("* OK ready\r\n"), {'S', line, n + 12}};
	struct harness_run r;

	(void)state;
	harness_script(PROTO_IMAP, s, NSTEPS(s), &r);
	assert_int_equal(r.n, 4);
	assert_int_equal(r.v[1].flags, UNT | PROTO_LINE_TRUNCATED);
	assert_int_equal(r.v[1].dropped, n + 4 - PROTO_LINE_CAP);
	LINE(&r, 2, "abc", UNT | LIT, PROTO_REPLY_NONE);
	LINE(&r, 3, ")", UNT | PROTO_LINE_REST, PROTO_REPLY_NONE);
	harness_run_free(&r);
	free(line);
}

static void
nul_bytes_and_bare_lf_pass_through(void **state)
{
	static const struct harness_step s[] = {SRV("* OK re\0dy\n* 1 EX\0ISTS\r\n")};
	struct harness_run r;

	(void)state;
	harness_script(PROTO_IMAP, s, NSTEPS(s), &r);
	LINE(&r, 0, "* OK re\0dy", UNT | GREET | END | PROTO_LINE_BARE_LF, PROTO_REPLY_OK);
	LINE(&r, 1, "* 1 EX\0ISTS", UNT, PROTO_REPLY_NONE);
	harness_run_free(&r);
}

static void
bytes_after_the_tagged_go_ahead_stay_visible_in_the_buffer(void **state)
{
	static const struct harness_step s[] = {SRV("* OK ready\r\n"), CLI("a STARTTLS"),
	                                        SRV("a OK Begin TLS\r\n* OK injected\r\n")};
	struct harness_run r;
	struct framer *fr = harness_framer_after(PROTO_IMAP, s, 2, &r);
	const unsigned char *data;
	struct proto_line line;

	(void)state;
	framer_feed(fr, (const unsigned char *)s[2].bytes, s[2].len);
	assert_int_equal(framer_next(fr, &line), 1);
	assert_true(line.flags & PROTO_LINE_END);
	assert_int_equal(line.reply, PROTO_REPLY_OK);
	assert_int_equal(framer_buffered(fr, &data), 15);
	assert_memory_equal(data, "* OK injected\r\n", 15);
	framer_reset(fr);
	assert_int_equal(framer_buffered(fr, &data), 0);
	assert_int_equal(framer_pending(fr), 0);
	framer_free(fr);
	harness_run_free(&r);
}

static void
line_already_tagged_is_sent_as_is_and_its_tag_recorded(void **state)
{
	static const struct harness_step s[] = {SRV("* OK ready\r\n"), CLI("x1 NOOP"),
	                                        SRV("x1 OK done\r\n")};
	struct framer *fr = framer_new(PROTO_IMAP);
	struct harness_run r;
	char out[64];

	(void)state;
	assert_int_equal(harness_autotag(fr, "x1 NOOP", out), 0);
	assert_string_equal(out, "x1 NOOP");
	framer_free(fr);

	fr = harness_framer_after(PROTO_IMAP, s, 2, &r);
	assert_int_equal(framer_pending(fr), 1);
	assert_int_equal(framer_outstanding(fr), 1);
	framer_free(fr);
	harness_run_free(&r);

	fr = framer_new(PROTO_IMAP);
	struct proto_line line;
	const struct proto_command *c;
	framer_feed(fr, (const unsigned char *)"* OK ready\r\n", 12);
	assert_int_equal(framer_next(fr, &line), 1);
	c = framer_sent(fr, (const unsigned char *)"x1 NOOP", 7);
	assert_non_null(c);
	assert_string_equal(c->tag, "x1");
	assert_string_equal(c->word, "NOOP");
	framer_feed(fr, (const unsigned char *)"x1 OK done\r\n", 12);
	assert_int_equal(framer_next(fr, &line), 1);
	assert_true(line.flags & PROTO_LINE_ANSWER);
	assert_string_equal(line.command->tag, "x1");
	assert_int_equal(framer_outstanding(fr), 0);
	framer_free(fr);

	harness_script(PROTO_IMAP, s, NSTEPS(s), &r);
	LINE(&r, 1, "x1 OK done", END, PROTO_REPLY_OK);
	assert_string_equal(r.v[1].tag, "x1");
	harness_run_free(&r);
}

static void
line_answering_a_continuation_gets_no_tag(void **state)
{
	static const struct harness_step s[] = {
	    SRV("* OK ready\r\n"), CLI("a AUTHENTICATE LOGIN"), SRV("+ VXNlcm5hbWU6\r\n")};
	struct harness_run r;
	struct framer *fr = harness_framer_after(PROTO_IMAP, s, NSTEPS(s), &r);
	char out[64];

	(void)state;
	assert_int_equal(harness_autotag(fr, "LIST", out), 0);
	assert_string_equal(out, "LIST");
	framer_sent(fr, (const unsigned char *)out, strlen(out));
	assert_int_equal(framer_pending(fr), 1);
	assert_int_equal(harness_autotag(fr, "LIST", out), 1);
	framer_free(fr);
	harness_run_free(&r);
}

/* The client side the framer follows after a script. */
static void
client_after(const struct harness_step *s, size_t n, struct proto_client *c)
{
	struct harness_run r = {0};
	struct framer *fr = harness_framer_after(PROTO_IMAP, s, n, &r);

	framer_client(fr, c);
	harness_run_free(&r);
	framer_free(fr);
}

static void
client_sync_literal_waits_for_the_plus_then_counts_bytes(void **state)
{
	static const struct harness_step waiting[] = {
	    SRV("* OK ready\r\n"),
	    CLI("a APPEND INBOX {13}"),
	};
	static const struct harness_step going[] = {
	    SRV("* OK ready\r\n"),
	    CLI("a APPEND INBOX {13}"),
	    SRV("+ Ready\r\n"),
	    CLI("Subject: hi"),
	};
	struct proto_client c;

	(void)state;
	client_after(waiting, NSTEPS(waiting), &c);
	assert_int_equal(c.next, PROTO_NEXT_LITERAL);
	assert_false(c.may_send);
	client_after(going, NSTEPS(going), &c);
	assert_int_equal(c.next, PROTO_NEXT_REST);
	assert_true(c.may_send);
	assert_string_equal(c.word, "APPEND");
}

static void
client_non_sync_literal_needs_no_plus(void **state)
{
	static const struct harness_step s[] = {
	    SRV("* OK ready\r\n"),
	    CLI("a APPEND INBOX {5+}"),
	};
	struct proto_client c;
	struct harness_run r = {0};

	(void)state;
	struct framer *fr = harness_framer_after(PROTO_IMAP, s, NSTEPS(s), &r);
	framer_client(fr, &c);
	assert_int_equal(c.next, PROTO_NEXT_LITERAL);
	assert_true(c.may_send);
	assert_int_equal(c.literal_left, 5);
	assert_int_equal(framer_pending(fr), 0);
	assert_int_equal(framer_literal_fit(fr, 3), 2);  /* "abc" + CRLF */
	assert_int_equal(framer_literal_fit(fr, 5), 0);  /* fills it exactly */
	assert_int_equal(framer_literal_fit(fr, 4), -1); /* neither */
	harness_run_free(&r);
	framer_free(fr);
}

static void
client_authenticate_answers_then_a_new_command(void **state)
{
	static const struct harness_step answering[] = {
	    SRV("* OK ready\r\n"),
	    CLI("a AUTHENTICATE LOGIN"),
	    SRV("+ VXNlcm5hbWU6\r\n"),
	};
	static const struct harness_step done[] = {
	    SRV("* OK ready\r\n"),     CLI("a AUTHENTICATE LOGIN"),
	    SRV("+ VXNlcm5hbWU6\r\n"), CLI("ZGVtbw=="),
	    SRV("+ UGFzc3dvcmQ6\r\n"), CLI("ZGVtbw=="),
	    SRV("a OK logged in\r\n"),
	};
	struct proto_client c;

	(void)state;
	client_after(answering, NSTEPS(answering), &c);
	assert_int_equal(c.next, PROTO_NEXT_ANSWER);
	assert_true(c.auth);
	assert_true(c.may_send);
	client_after(done, NSTEPS(done), &c);
	assert_int_equal(c.next, PROTO_NEXT_COMMAND);
	assert_false(c.auth);
}

static void
client_idle_done_is_an_answer_and_tags_resume(void **state)
{
	static const struct harness_step s[] = {
	    SRV("* OK ready\r\n"),
	    CLI("a IDLE"),
	    SRV("+ idling\r\n"),
	    CLI("DONE"),
	    SRV("* 2 EXISTS\r\na OK IDLE done\r\n"),
	};
	struct harness_run r = {0};
	char out[64];

	(void)state;
	struct framer *fr = harness_framer_after(PROTO_IMAP, s, NSTEPS(s), &r);
	assert_int_equal(framer_autotag(fr, "NOOP", 4, out, &(size_t){0}), 1);
	assert_string_equal(out, "a NOOP"); /* "a" is complete: free again */
	harness_run_free(&r);
	framer_free(fr);
}

static void
response_rest_after_a_literal_is_flagged_rest(void **state)
{
	static const struct harness_step s[] = {
	    SRV("* OK ready\r\n"),
	    SRV("* 1 FETCH (BODY[] {2}\r\nab)\r\n"),
	};
	struct harness_run r;

	(void)state;
	harness_script(PROTO_IMAP, s, NSTEPS(s), &r);
	assert_true(r.v[3].flags & PROTO_LINE_REST);
	assert_false(r.v[1].flags & PROTO_LINE_REST);
	harness_run_free(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(client_sync_literal_waits_for_the_plus_then_counts_bytes),
	    cmocka_unit_test(client_non_sync_literal_needs_no_plus),
	    cmocka_unit_test(client_authenticate_answers_then_a_new_command),
	    cmocka_unit_test(client_idle_done_is_an_answer_and_tags_resume),
	    cmocka_unit_test(response_rest_after_a_literal_is_flagged_rest),
	    cmocka_unit_test(greeting_ok_with_capabilities),
	    cmocka_unit_test(pending_is_one_before_the_greeting),
	    cmocka_unit_test(greeting_preauth_and_bye_have_their_own_replies),
	    cmocka_unit_test(anything_else_before_the_greeting_is_a_violation),
	    cmocka_unit_test(tagged_ok_completes_our_tag),
	    cmocka_unit_test(tagged_no_and_bad_are_failures),
	    cmocka_unit_test(capability_response_carries_capabilities),
	    cmocka_unit_test(tagged_ok_with_a_capability_code_carries_capabilities),
	    cmocka_unit_test(tag_never_sent_is_unsolicited),
	    cmocka_unit_test(tag_already_completed_is_unsolicited),
	    cmocka_unit_test(tagged_status_other_than_ok_no_bad_is_a_violation),
	    cmocka_unit_test(line_that_is_no_response_is_a_violation),
	    cmocka_unit_test(untagged_bye_during_logout_ends_nothing),
	    cmocka_unit_test(untagged_data_without_a_command_is_legitimate),
	    cmocka_unit_test(preauth_after_the_greeting_is_a_violation),
	    cmocka_unit_test(continuation_while_our_command_is_pending),
	    cmocka_unit_test(continuation_with_nothing_pending_is_a_violation),
	    cmocka_unit_test(idle_done_answers_the_continuation),
	    cmocka_unit_test(literal_with_crlf_inside_is_handed_out_as_literal_lines),
	    cmocka_unit_test(literal_ends_where_its_length_says_without_lf),
	    cmocka_unit_test(rest_of_a_line_after_a_literal_may_end_with_another_literal),
	    cmocka_unit_test(empty_literal_goes_straight_to_the_rest_of_the_line),
	    cmocka_unit_test(literal_longer_than_the_line_cap_comes_in_pieces),
	    cmocka_unit_test(literal_length_overflow_is_a_violation_and_lines_resume),
	    cmocka_unit_test(literal_over_the_cap_is_a_violation_and_lines_resume),
	    cmocka_unit_test(literal_of_exactly_the_cap_is_read_as_a_literal),
	    cmocka_unit_test(non_synchronizing_literal_from_the_server_is_a_violation),
	    cmocka_unit_test(
	        literal_announced_at_the_end_of_a_truncated_line_is_still_read),
	    cmocka_unit_test(nul_bytes_and_bare_lf_pass_through),
	    cmocka_unit_test(bytes_after_the_tagged_go_ahead_stay_visible_in_the_buffer),
	    cmocka_unit_test(line_already_tagged_is_sent_as_is_and_its_tag_recorded),
	    cmocka_unit_test(line_answering_a_continuation_gets_no_tag),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
