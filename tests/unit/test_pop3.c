/*
 * POP3 framer: greeting, single-line and multi-line responses, dot-stuffing,
 * CAPA capabilities and AUTH continuations. Every scripted conversation is
 * also replayed byte by byte and cut at every byte boundary, and must frame
 * the same.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "framer_harness.h"
#include "proto.h"

#define STUFFED PROTO_LINE_STUFFED
#define LONG PROTO_LINE_LONG

#define GREETING SRV("+OK POP3 ready\r\n")

static void
greeting_ok(void **state)
{
	static const struct harness_step s[] = {GREETING};
	struct harness_run r;
	struct framer *fr = framer_new(PROTO_POP3);

	(void)state;
	assert_int_equal(framer_pending(fr), 1);
	framer_free(fr);
	harness_script(PROTO_POP3, s, NSTEPS(s), &r);
	LINE(&r, 0, "+OK POP3 ready", GREET | END, PROTO_REPLY_OK);
	assert_int_equal(r.v[0].pending, 0);
	harness_no_finding(&r, 0);
	harness_run_free(&r);
}

static void
greeting_err_refuses_the_session(void **state)
{
	static const struct harness_step s[] = {SRV("-ERR busy\r\n")};
	struct harness_run r;

	(void)state;
	harness_script(PROTO_POP3, s, NSTEPS(s), &r);
	LINE(&r, 0, "-ERR busy", GREET | END, PROTO_REPLY_FAIL);
	harness_run_free(&r);
}

static void
greeting_without_a_status_is_a_violation(void **state)
{
	static const struct harness_step s[] = {SRV("hello\r\n+ok lower\r\n+OK ready\r\n")};
	struct harness_run r;

	(void)state;
	harness_script(PROTO_POP3, s, NSTEPS(s), &r);
	LINE(&r, 0, "hello", GREET, PROTO_REPLY_NONE);
	harness_finding_is(&r, 0, PV);
	LINE(&r, 1, "+ok lower", GREET, PROTO_REPLY_NONE);
	harness_finding_is(&r, 1, PV);
	assert_int_equal(r.v[1].pending, 1);
	LINE(&r, 2, "+OK ready", GREET | END, PROTO_REPLY_OK);
	harness_run_free(&r);
}

static void
stat_is_answered_by_one_line(void **state)
{
	static const struct harness_step s[] = {GREETING, CLI("STAT"),
	                                        SRV("+OK 2 320\r\n")};
	struct harness_run r;

	(void)state;
	harness_script(PROTO_POP3, s, NSTEPS(s), &r);
	LINE(&r, 1, "+OK 2 320", END, PROTO_REPLY_OK);
	assert_int_equal(r.v[1].pending, 0);
	harness_run_free(&r);
}

static void
capa_body_carries_capabilities_until_the_lone_dot(void **state)
{
	static const struct harness_step s[] = {
	    GREETING,
	    CLI("CAPA"),
	    SRV("+OK Capability list follows\r\nTOP\r\nSASL PLAIN LOGIN\r\nSTLS\r\n.\r\n"),
	};
	struct harness_run r;
	struct proto_cap caps[2];
	struct proto_line line = {0};

	(void)state;
	harness_script(PROTO_POP3, s, NSTEPS(s), &r);
	assert_int_equal(r.n, 6);
	LINE(&r, 1, "+OK Capability list follows", 0, PROTO_REPLY_NONE);
	assert_int_equal(r.v[1].pending, 1);
	LINE(&r, 2, "TOP", CAPS, PROTO_REPLY_NONE);
	LINE(&r, 3, "SASL PLAIN LOGIN", CAPS, PROTO_REPLY_NONE);
	LINE(&r, 4, "STLS", CAPS, PROTO_REPLY_NONE);
	LINE(&r, 5, ".", END, PROTO_REPLY_OK);
	assert_int_equal(r.v[5].pending, 0);
	line.data = r.v[3].data;
	line.len = r.v[3].len;
	line.flags = r.v[3].flags;
	assert_int_equal(proto_line_caps(PROTO_POP3, &line, caps, 2), 1);
	assert_int_equal(caps[0].len, 16);
	assert_memory_equal(caps[0].data, "SASL PLAIN LOGIN", 16);
	harness_run_free(&r);
}

static void
list_and_uidl_are_multi_line_only_without_argument(void **state)
{
	static const struct harness_step s[] = {
	    GREETING,
	    CLI("LIST"),
	    SRV("+OK 2 messages\r\n1 120\r\n2 200\r\n.\r\n"),
	    CLI("LIST 1"),
	    SRV("+OK 1 120\r\n"),
	    CLI("uidl"),
	    SRV("+OK\r\n1 abc\r\n.\r\n"),
	    CLI("UIDL 1"),
	    SRV("+OK 1 abc\r\n"),
	};
	struct harness_run r;

	(void)state;
	harness_script(PROTO_POP3, s, NSTEPS(s), &r);
	assert_int_equal(r.n, 10);
	LINE(&r, 1, "+OK 2 messages", 0, PROTO_REPLY_NONE);
	LINE(&r, 2, "1 120", 0, PROTO_REPLY_NONE);
	LINE(&r, 4, ".", END, PROTO_REPLY_OK);
	/* Every line of the body belongs to LIST; only the "." completes it. */
	assert_string_equal(r.v[2].command, "LIST");
	assert_false(r.v[2].answer);
	assert_string_equal(r.v[4].command, "LIST");
	assert_true(r.v[4].answer);
	assert_string_equal(r.v[5].command, "LIST");
	assert_true(r.v[5].answer);
	LINE(&r, 5, "+OK 1 120", END, PROTO_REPLY_OK);
	LINE(&r, 6, "+OK", 0, PROTO_REPLY_NONE);
	LINE(&r, 8, ".", END, PROTO_REPLY_OK);
	LINE(&r, 9, "+OK 1 abc", END, PROTO_REPLY_OK);
	assert_int_equal(r.v[9].pending, 0);
	harness_run_free(&r);
}

static void
retr_body_ends_only_at_a_line_that_is_exactly_a_dot(void **state)
{
	static const struct harness_step s[] = {
	    GREETING,
	    CLI("RETR 1"),
	    SRV("+OK 60 octets\r\nSubject: x\r\n\r\n..\r\n.. \r\n..x\r\n. \r\n.\r\n"),
	};
	struct harness_run r;

	(void)state;
	harness_script(PROTO_POP3, s, NSTEPS(s), &r);
	assert_int_equal(r.n, 9);
	LINE(&r, 2, "Subject: x", 0, PROTO_REPLY_NONE);
	LINE(&r, 3, "", 0, PROTO_REPLY_NONE);
	LINE(&r, 4, "..", STUFFED, PROTO_REPLY_NONE);
	LINE(&r, 5, ".. ", STUFFED, PROTO_REPLY_NONE);
	LINE(&r, 6, "..x", STUFFED, PROTO_REPLY_NONE);
	LINE(&r, 7, ". ", STUFFED, PROTO_REPLY_NONE);
	LINE(&r, 8, ".", END, PROTO_REPLY_OK);
	for (size_t i = 2; i < 8; i++)
		assert_int_equal(r.v[i].pending, 1);
	harness_run_free(&r);
}

static void
body_lines_that_look_like_status_lines_are_body(void **state)
{
	static const struct harness_step s[] = {
	    GREETING,
	    CLI("TOP 1 0"),
	    SRV("+OK\r\n-ERR not really\r\n+OK neither\r\n.\r\n"),
	    CLI("NOOP"),
	    SRV("+OK\r\n"),
	};
	struct harness_run r;

	(void)state;
	harness_script(PROTO_POP3, s, NSTEPS(s), &r);
	assert_int_equal(r.n, 6);
	LINE(&r, 2, "-ERR not really", 0, PROTO_REPLY_NONE);
	LINE(&r, 3, "+OK neither", 0, PROTO_REPLY_NONE);
	LINE(&r, 4, ".", END, PROTO_REPLY_OK);
	LINE(&r, 5, "+OK", END, PROTO_REPLY_OK);
	harness_run_free(&r);
}

static void
err_to_a_multi_line_command_is_one_line(void **state)
{
	static const struct harness_step s[] = {
	    GREETING,    CLI("RETR 9"),  SRV("-ERR no such message\r\n"),
	    CLI("NOOP"), SRV("+OK\r\n"),
	};
	struct harness_run r;

	(void)state;
	harness_script(PROTO_POP3, s, NSTEPS(s), &r);
	assert_int_equal(r.n, 3);
	LINE(&r, 1, "-ERR no such message", END, PROTO_REPLY_FAIL);
	LINE(&r, 2, "+OK", END, PROTO_REPLY_OK);
	harness_run_free(&r);
}

static void
lone_dot_with_bare_lf_ends_the_body(void **state)
{
	static const struct harness_step s[] = {GREETING, CLI("CAPA"),
	                                        SRV("+OK\nUSER\n.\n")};
	struct harness_run r;

	(void)state;
	harness_script(PROTO_POP3, s, NSTEPS(s), &r);
	LINE(&r, 2, "USER", CAPS | PROTO_LINE_BARE_LF, PROTO_REPLY_NONE);
	LINE(&r, 3, ".", END | PROTO_LINE_BARE_LF, PROTO_REPLY_OK);
	harness_run_free(&r);
}

static void
auth_continuation_is_answered_by_the_next_line(void **state)
{
	static const struct harness_step s[] = {
	    GREETING,
	    CLI("AUTH PLAIN"),
	    SRV("+ \r\n"),
	    CLI("AHVzZXIAcGFzcw=="),
	    SRV("+OK logged in\r\n"),
	};
	struct harness_run r;
	struct framer *fr;

	(void)state;
	harness_script(PROTO_POP3, s, NSTEPS(s), &r);
	LINE(&r, 1, "+ ", END, PROTO_REPLY_CONTINUE);
	assert_int_equal(r.v[1].pending, 0);
	harness_no_finding(&r, 1);
	LINE(&r, 2, "+OK logged in", END, PROTO_REPLY_OK);
	harness_run_free(&r);

	fr = harness_framer_after(PROTO_POP3, s, 4, &r);
	assert_int_equal(framer_pending(fr), 1);
	framer_free(fr);
	harness_run_free(&r);
}

static void
auth_without_argument_lists_mechanisms(void **state)
{
	static const struct harness_step s[] = {GREETING, CLI("AUTH"),
	                                        SRV("+OK\r\nPLAIN\r\n.\r\n")};
	struct harness_run r;

	(void)state;
	harness_script(PROTO_POP3, s, NSTEPS(s), &r);
	LINE(&r, 2, "PLAIN", 0, PROTO_REPLY_NONE);
	LINE(&r, 3, ".", END, PROTO_REPLY_OK);
	harness_run_free(&r);
}

static void
continuation_outside_auth_is_a_violation(void **state)
{
	static const struct harness_step s[] = {GREETING, CLI("STAT"),
	                                        SRV("+ what\r\n+OK 0 0\r\n")};
	struct harness_run r;

	(void)state;
	harness_script(PROTO_POP3, s, NSTEPS(s), &r);
	LINE(&r, 1, "+ what", 0, PROTO_REPLY_NONE);
	harness_finding_is(&r, 1, PV);
	assert_int_equal(r.v[1].pending, 1);
	LINE(&r, 2, "+OK 0 0", END, PROTO_REPLY_OK);
	harness_run_free(&r);
}

static void
line_without_a_status_is_a_violation_and_ends_nothing(void **state)
{
	static const struct harness_step s[] = {GREETING, CLI("STAT"),
	                                        SRV("OK 1 2\r\n-ERRx\r\n")};
	struct harness_run r;

	(void)state;
	harness_script(PROTO_POP3, s, NSTEPS(s), &r);
	LINE(&r, 1, "OK 1 2", 0, PROTO_REPLY_NONE);
	harness_finding_is(&r, 1, PV);
	LINE(&r, 2, "-ERRx", 0, PROTO_REPLY_NONE);
	harness_finding_is(&r, 2, PV);
	assert_int_equal(r.v[2].pending, 1);
	harness_run_free(&r);
}

static void
response_without_a_command_is_a_violation(void **state)
{
	static const struct harness_step s[] = {SRV("+OK ready\r\n+OK extra\r\n")};
	struct harness_run r;

	(void)state;
	harness_script(PROTO_POP3, s, NSTEPS(s), &r);
	LINE(&r, 1, "+OK extra", END, PROTO_REPLY_OK);
	harness_finding_is(&r, 1, PV);
	harness_run_free(&r);
}

static void
pipelined_commands_are_answered_in_order(void **state)
{
	static const struct harness_step s[] = {
	    GREETING,
	    CLI("STAT"),
	    CLI("LIST"),
	    CLI("QUIT"),
	    SRV("+OK 1 5\r\n+OK\r\n1 5\r\n.\r\n+OK bye\r\n"),
	};
	struct harness_run r;

	(void)state;
	harness_script(PROTO_POP3, s, NSTEPS(s), &r);
	assert_int_equal(r.n, 6);
	assert_int_equal(r.v[1].pending, 2);
	LINE(&r, 3, "1 5", 0, PROTO_REPLY_NONE);
	LINE(&r, 4, ".", END, PROTO_REPLY_OK);
	assert_int_equal(r.v[4].pending, 1);
	LINE(&r, 5, "+OK bye", END, PROTO_REPLY_OK);
	assert_int_equal(r.v[5].pending, 0);
	harness_run_free(&r);
}

static void
response_line_over_512_octets_is_long(void **state)
{
	char ok[600], big[600];
	memset(ok, 'a', sizeof(ok));
	memset(big, 'b', sizeof(big));
	memcpy(ok, "+OK ", 4);
	memcpy(big, "+OK ", 4);
	memcpy(ok + 510, "\r\n", 2);
	memcpy(big + 511, "\r\n", 2);
	struct harness_step s[] = {
	    GREETING, CLI("NOOP"), {'S', ok, 512}, CLI("NOOP"), {'S', big, 513}};
	struct harness_run r;

	(void)state;
	harness_script(PROTO_POP3, s, NSTEPS(s), &r);
	assert_int_equal(r.v[1].flags, END);
	assert_int_equal(r.v[2].flags, END | LONG);
	harness_run_free(&r);
}

static void
message_lines_may_reach_1000_octets(void **state)
{
	char msg[2048];
	memcpy(msg, "+OK\r\n", 5);
	memset(msg + 5, 'm', 998);
	memcpy(msg + 1003, "\r\n", 2);
	memset(msg + 1005, 'n', 999);
	memcpy(msg + 2004, "\r\n.\r\n", 5);
	struct harness_step s[] = {GREETING, CLI("RETR 1"), {'S', msg, 2009}};
	struct harness_run r;

	(void)state;
	harness_script(PROTO_POP3, s, NSTEPS(s), &r);
	assert_int_equal(r.n, 5);
	assert_int_equal(r.v[2].len, 998);
	assert_int_equal(r.v[2].flags, 0);
	assert_int_equal(r.v[3].len, 999);
	assert_int_equal(r.v[3].flags, LONG);
	LINE(&r, 4, ".", END, PROTO_REPLY_OK);
	harness_run_free(&r);
}

static void
capability_lines_over_512_octets_are_long(void **state)
{
	char capa[600];
	memcpy(capa, "+OK\r\n", 5);
	memset(capa + 5, 'c', 511);
	memcpy(capa + 516, "\r\n.\r\n", 5);
	struct harness_step s[] = {GREETING, CLI("CAPA"), {'S', capa, 521}};
	struct harness_run r;

	(void)state;
	harness_script(PROTO_POP3, s, NSTEPS(s), &r);
	assert_int_equal(r.v[2].len, 511);
	assert_int_equal(r.v[2].flags, CAPS | LONG);
	harness_run_free(&r);
}

static void
bytes_after_the_stls_go_ahead_stay_visible_in_the_buffer(void **state)
{
	static const struct harness_step s[] = {GREETING, CLI("STLS"),
	                                        SRV("+OK begin TLS\r\n+OK")};
	struct harness_run r;
	struct framer *fr = harness_framer_after(PROTO_POP3, s, 2, &r);
	const unsigned char *data;
	struct proto_line line;

	(void)state;
	framer_feed(fr, (const unsigned char *)s[2].bytes, s[2].len);
	assert_int_equal(framer_next(fr, &line), 1);
	assert_int_equal(line.reply, PROTO_REPLY_OK);
	assert_true(line.flags & END);
	assert_int_equal(framer_next(fr, &line), 0);
	assert_int_equal(framer_buffered(fr, &data), 3);
	assert_memory_equal(data, "+OK", 3);
	framer_reset(fr);
	assert_int_equal(framer_buffered(fr, &data), 0);
	assert_int_equal(framer_pending(fr), 0);
	framer_free(fr);
	harness_run_free(&r);
}

static void
reset_leaves_a_multi_line_body(void **state)
{
	static const struct harness_step s[] = {
	    GREETING, CLI("CAPA"), SRV("+OK\r\nSTLS\r\n"),
	    RESET,    CLI("CAPA"), SRV("+OK\r\nUSER\r\n.\r\n"),
	};
	struct harness_run r;

	(void)state;
	harness_script(PROTO_POP3, s, NSTEPS(s), &r);
	assert_int_equal(r.n, 6);
	LINE(&r, 3, "+OK", 0, PROTO_REPLY_NONE);
	harness_no_finding(&r, 3);
	LINE(&r, 5, ".", END, PROTO_REPLY_OK);
	harness_run_free(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(greeting_ok),
	    cmocka_unit_test(greeting_err_refuses_the_session),
	    cmocka_unit_test(greeting_without_a_status_is_a_violation),
	    cmocka_unit_test(stat_is_answered_by_one_line),
	    cmocka_unit_test(capa_body_carries_capabilities_until_the_lone_dot),
	    cmocka_unit_test(list_and_uidl_are_multi_line_only_without_argument),
	    cmocka_unit_test(retr_body_ends_only_at_a_line_that_is_exactly_a_dot),
	    cmocka_unit_test(body_lines_that_look_like_status_lines_are_body),
	    cmocka_unit_test(err_to_a_multi_line_command_is_one_line),
	    cmocka_unit_test(lone_dot_with_bare_lf_ends_the_body),
	    cmocka_unit_test(auth_continuation_is_answered_by_the_next_line),
	    cmocka_unit_test(auth_without_argument_lists_mechanisms),
	    cmocka_unit_test(continuation_outside_auth_is_a_violation),
	    cmocka_unit_test(line_without_a_status_is_a_violation_and_ends_nothing),
	    cmocka_unit_test(response_without_a_command_is_a_violation),
	    cmocka_unit_test(pipelined_commands_are_answered_in_order),
	    cmocka_unit_test(response_line_over_512_octets_is_long),
	    cmocka_unit_test(message_lines_may_reach_1000_octets),
	    cmocka_unit_test(capability_lines_over_512_octets_are_long),
	    cmocka_unit_test(bytes_after_the_stls_go_ahead_stay_visible_in_the_buffer),
	    cmocka_unit_test(reset_leaves_a_multi_line_body),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
