/*
 * SMTP framer: replies, greeting, EHLO capabilities, DATA mode, malformed and
 * hostile replies. Every scripted conversation is also replayed byte by byte
 * and cut at every byte boundary, and must frame the same.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "framer_harness.h"
#include "proto.h"

/* A line of n copies of c between prefix and end, on the heap. */
static char *
long_line(const char *prefix, size_t n, char c, const char *end, size_t *len)
{
	size_t pl = strlen(prefix), el = strlen(end);
	char *s = harness_xmalloc(pl + n + el + 1);
	memcpy(s, prefix, pl);
	memset(s + pl, c, n);
	memcpy(s + pl + n, end, el + 1);
	*len = pl + n + el;
	return s;
}

static void
greeting_220_is_ok_and_ends_the_greeting(void **state)
{
	static const struct harness_step s[] = {SRV("220 mx.test ESMTP\r\n")};
	struct harness_run r;

	(void)state;
	harness_script(PROTO_SMTP, s, NSTEPS(s), &r);
	assert_int_equal(r.n, 1);
	LINE(&r, 0, "220 mx.test ESMTP", GREET | END, PROTO_REPLY_OK);
	assert_int_equal(r.v[0].code, 220);
	assert_int_equal(r.v[0].pending, 0);
	harness_no_finding(&r, 0);
	harness_run_free(&r);
}

static void
pending_is_one_before_the_greeting(void **state)
{
	struct framer *fr = framer_new(PROTO_SMTP);

	(void)state;
	assert_int_equal(framer_pending(fr), 1);
	assert_false(framer_in_data(fr));
	framer_free(fr);
}

static void
multi_line_greeting_ends_on_its_final_line(void **state)
{
	static const struct harness_step s[] = {
	    SRV("220-mx.test ESMTP\r\n220-second\r\n220 ready\r\n")};
	struct harness_run r;

	(void)state;
	harness_script(PROTO_SMTP, s, NSTEPS(s), &r);
	assert_int_equal(r.n, 3);
	LINE(&r, 0, "220-mx.test ESMTP", GREET, PROTO_REPLY_NONE);
	LINE(&r, 1, "220-second", GREET, PROTO_REPLY_NONE);
	LINE(&r, 2, "220 ready", GREET | END, PROTO_REPLY_OK);
	assert_int_equal(r.v[1].pending, 1);
	assert_int_equal(r.v[2].pending, 0);
	harness_run_free(&r);
}

static void
pipelined_replies_name_the_command_each_one_answers(void **state)
{
	static const struct harness_step s[] = {
	    SRV("220 ready\r\n"), CLI("EHLO me"), CLI("NOOP"),
	    SRV("250-mx.test\r\n250 SIZE 100\r\n250 ok\r\n")};
	struct harness_run r;

	(void)state;
	harness_script(PROTO_SMTP, s, NSTEPS(s), &r);
	assert_string_equal(r.v[0].command, "");
	assert_string_equal(r.v[1].command, "EHLO");
	assert_false(r.v[1].answer);
	assert_string_equal(r.v[2].command, "EHLO");
	assert_true(r.v[2].answer);
	assert_string_equal(r.v[3].command, "NOOP");
	assert_true(r.v[3].answer);
	harness_run_free(&r);
}

static void
greeting_554_refuses_the_session(void **state)
{
	static const struct harness_step s[] = {SRV("554 go away\r\n")};
	struct harness_run r;

	(void)state;
	harness_script(PROTO_SMTP, s, NSTEPS(s), &r);
	LINE(&r, 0, "554 go away", GREET | END, PROTO_REPLY_FAIL);
	harness_no_finding(&r, 0);
	harness_run_free(&r);
}

static void
greeting_with_another_code_is_a_violation(void **state)
{
	static const struct harness_step s[] = {SRV("250 hello\r\n")};
	struct harness_run r;

	(void)state;
	harness_script(PROTO_SMTP, s, NSTEPS(s), &r);
	LINE(&r, 0, "250 hello", GREET | END, PROTO_REPLY_FAIL);
	harness_finding_is(&r, 0, PV);
	harness_run_free(&r);
}

static void
ehlo_reply_lines_after_the_first_carry_capabilities(void **state)
{
	static const struct harness_step s[] = {
	    SRV("220 mx\r\n"),
	    CLI("EHLO me.test"),
	    SRV("250-mx.test\r\n250-SIZE 10240000\r\n250-STARTTLS\r\n250 8BITMIME\r\n"),
	};
	struct harness_run r;
	struct proto_cap caps[2];
	struct proto_line line = {0};

	(void)state;
	harness_script(PROTO_SMTP, s, NSTEPS(s), &r);
	assert_int_equal(r.n, 5);
	LINE(&r, 1, "250-mx.test", 0, PROTO_REPLY_NONE);
	LINE(&r, 2, "250-SIZE 10240000", CAPS, PROTO_REPLY_NONE);
	LINE(&r, 3, "250-STARTTLS", CAPS, PROTO_REPLY_NONE);
	LINE(&r, 4, "250 8BITMIME", CAPS | END, PROTO_REPLY_OK);
	line.data = r.v[2].data;
	line.len = r.v[2].len;
	line.flags = r.v[2].flags;
	assert_int_equal(proto_line_caps(PROTO_SMTP, &line, caps, 2), 1);
	assert_int_equal(caps[0].len, strlen("SIZE 10240000"));
	assert_memory_equal(caps[0].data, "SIZE 10240000", caps[0].len);
	harness_run_free(&r);
}

static void
failed_ehlo_carries_no_capabilities(void **state)
{
	static const struct harness_step s[] = {
	    SRV("220 mx\r\n"),
	    CLI("EHLO me"),
	    SRV("550-no\r\n550 really not\r\n"),
	};
	struct harness_run r;

	(void)state;
	harness_script(PROTO_SMTP, s, NSTEPS(s), &r);
	LINE(&r, 1, "550-no", 0, PROTO_REPLY_NONE);
	LINE(&r, 2, "550 really not", END, PROTO_REPLY_FAIL);
	harness_run_free(&r);
}

static void
reply_to_other_commands_carries_no_capabilities(void **state)
{
	static const struct harness_step s[] = {
	    SRV("220 mx\r\n"),
	    CLI("HELP"),
	    SRV("214-commands\r\n214 EHLO HELO\r\n"),
	};
	struct harness_run r;

	(void)state;
	harness_script(PROTO_SMTP, s, NSTEPS(s), &r);
	LINE(&r, 1, "214-commands", 0, PROTO_REPLY_NONE);
	LINE(&r, 2, "214 EHLO HELO", END, PROTO_REPLY_OK);
	harness_run_free(&r);
}

static void
mixed_codes_in_a_multi_line_reply_are_a_violation(void **state)
{
	static const struct harness_step s[] = {
	    SRV("220 mx\r\n"),
	    CLI("EHLO me"),
	    SRV("250-mx\r\n220-STARTTLS\r\n250 OK\r\n"),
	};
	struct harness_run r;

	(void)state;
	harness_script(PROTO_SMTP, s, NSTEPS(s), &r);
	assert_int_equal(r.n, 4);
	harness_no_finding(&r, 1);
	harness_finding_is(&r, 2, PV);
	assert_int_equal(r.v[2].code, 220);
	assert_true(strstr(r.v[2].violation, "same code") != NULL);
	harness_no_finding(&r, 3);
	LINE(&r, 3, "250 OK", CAPS | END, PROTO_REPLY_OK);
	harness_run_free(&r);
}

static void
code_that_is_not_three_digits_is_a_violation_and_ends_nothing(void **state)
{
	static const struct harness_step s[] = {
	    SRV("220 mx\r\n"),
	    CLI("NOOP"),
	    SRV("25 ok\r\nok\r\n2x0 ok\r\n250 ok\r\n"),
	};
	struct harness_run r;

	(void)state;
	harness_script(PROTO_SMTP, s, NSTEPS(s), &r);
	assert_int_equal(r.n, 5);
	for (size_t i = 1; i <= 3; i++) {
		assert_int_equal(r.v[i].flags, 0);
		assert_int_equal(r.v[i].code, 0);
		assert_int_equal(r.v[i].pending, 1);
		harness_finding_is(&r, i, PV);
	}
	LINE(&r, 4, "250 ok", END, PROTO_REPLY_OK);
	assert_int_equal(r.v[4].pending, 0);
	harness_run_free(&r);
}

static void
code_starting_outside_2_to_5_is_a_violation(void **state)
{
	static const struct harness_step s[] = {
	    SRV("220 mx\r\n"),
	    CLI("NOOP"),
	    SRV("199 low\r\n600 high\r\n099 zero\r\n"),
	};
	struct harness_run r;

	(void)state;
	harness_script(PROTO_SMTP, s, NSTEPS(s), &r);
	assert_int_equal(r.n, 4);
	for (size_t i = 1; i <= 3; i++) {
		assert_int_equal(r.v[i].flags, 0);
		harness_finding_is(&r, i, PV);
	}
	assert_int_equal(r.v[3].pending, 1);
	harness_run_free(&r);
}

static void
code_followed_by_other_than_space_or_hyphen_is_a_violation(void **state)
{
	static const struct harness_step s[] = {
	    SRV("220 mx\r\n"),
	    CLI("NOOP"),
	    SRV("250_ok\r\n2500 ok\r\n"),
	};
	struct harness_run r;

	(void)state;
	harness_script(PROTO_SMTP, s, NSTEPS(s), &r);
	assert_int_equal(r.n, 3);
	harness_finding_is(&r, 1, PV);
	harness_finding_is(&r, 2, PV);
	assert_int_equal(r.v[2].flags, 0);
	assert_int_equal(r.v[2].pending, 1);
	harness_run_free(&r);
}

static void
bare_code_is_a_complete_reply(void **state)
{
	static const struct harness_step s[] = {SRV("220 mx\r\n"), CLI("NOOP"),
	                                        SRV("250\r\n")};
	struct harness_run r;

	(void)state;
	harness_script(PROTO_SMTP, s, NSTEPS(s), &r);
	LINE(&r, 1, "250", END, PROTO_REPLY_OK);
	assert_int_equal(r.v[1].code, 250);
	harness_no_finding(&r, 1);
	harness_run_free(&r);
}

static void
enhanced_status_code_matching_the_reply_is_accepted(void **state)
{
	static const struct harness_step s[] = {
	    SRV("220 mx\r\n"),
	    CLI("MAIL FROM:<a@b.test>"),
	    SRV("250 2.1.0 Ok\r\n"),
	    CLI("RCPT TO:<c@d.test>"),
	    SRV("550-5.1.1 no such user\r\n550 5.1.1 really\r\n"),
	};
	struct harness_run r;

	(void)state;
	harness_script(PROTO_SMTP, s, NSTEPS(s), &r);
	LINE(&r, 1, "250 2.1.0 Ok", END, PROTO_REPLY_OK);
	harness_no_finding(&r, 1);
	harness_no_finding(&r, 2);
	LINE(&r, 3, "550 5.1.1 really", END, PROTO_REPLY_FAIL);
	harness_no_finding(&r, 3);
	harness_run_free(&r);
}

static void
enhanced_status_code_of_another_class_is_a_violation(void **state)
{
	static const struct harness_step s[] = {
	    SRV("220 mx\r\n"),
	    CLI("STARTTLS"),
	    SRV("220 5.7.0 go ahead\r\n"),
	};
	struct harness_run r;

	(void)state;
	harness_script(PROTO_SMTP, s, NSTEPS(s), &r);
	LINE(&r, 1, "220 5.7.0 go ahead", END, PROTO_REPLY_OK);
	harness_finding_is(&r, 1, PV);
	assert_true(strstr(r.v[1].violation, "RFC 3463") != NULL);
	harness_run_free(&r);
}

static void
text_that_only_resembles_an_enhanced_code_is_not_checked(void **state)
{
	static const struct harness_step s[] = {
	    SRV("220 mx\r\n"),
	    CLI("NOOP"),
	    SRV("250 5.5 million messages served\r\n"),
	};
	struct harness_run r;

	(void)state;
	harness_script(PROTO_SMTP, s, NSTEPS(s), &r);
	harness_no_finding(&r, 1);
	harness_run_free(&r);
}

static void
reply_line_over_512_octets_is_long(void **state)
{
	size_t l1, l2;
	char *ok = long_line("250-", 506, 'a', "\r\n", &l1);  /* 512 with CRLF */
	char *big = long_line("250 ", 507, 'b', "\r\n", &l2); /* 513 with CRLF */
	struct harness_step s[] = {
	    SRV("220 mx\r\n"), CLI("EHLO me"), {'S', ok, l1}, {'S', big, l2}};
	struct harness_run r;

	(void)state;
	harness_script(PROTO_SMTP, s, NSTEPS(s), &r);
	assert_int_equal(r.n, 3);
	assert_int_equal(r.v[1].len, 510);
	assert_int_equal(r.v[1].flags, 0);
	assert_int_equal(r.v[2].len, 511);
	assert_int_equal(r.v[2].flags, PROTO_LINE_LONG | CAPS | END);
	harness_run_free(&r);
	free(ok);
	free(big);
}

static void
line_over_the_cap_is_cut_and_the_rest_dropped(void **state)
{
	size_t l1;
	char *big = long_line("250 ", PROTO_LINE_CAP + 996, 'x', "\r\n", &l1);
	struct harness_step s[] = {SRV("220 mx\r\n"),
	                           CLI("NOOP"),
	                           {'S', big, l1},
	                           CLI("NOOP"),
	                           SRV("250 next\r\n")};
	struct harness_run r;

	(void)state;
	harness_script(PROTO_SMTP, s, NSTEPS(s), &r);
	assert_int_equal(r.n, 3);
	assert_int_equal(r.v[1].len, PROTO_LINE_CAP);
	assert_memory_equal(r.v[1].data, big, PROTO_LINE_CAP);
	assert_int_equal(r.v[1].dropped, 1000);
	assert_int_equal(r.v[1].flags, PROTO_LINE_TRUNCATED | PROTO_LINE_LONG | END);
	assert_int_equal(r.v[1].code, 250);
	LINE(&r, 2, "250 next", END, PROTO_REPLY_OK);
	harness_run_free(&r);
	free(big);
}

static void
line_of_exactly_the_cap_is_kept_whole(void **state)
{
	size_t l1, l2;
	char *crlf = long_line("250-", PROTO_LINE_CAP - 4, 'y', "\r\n", &l1);
	char *lf = long_line("250 ", PROTO_LINE_CAP - 4, 'z', "\n", &l2);
	struct harness_step s[] = {
	    SRV("220 mx\r\n"), CLI("NOOP"), {'S', crlf, l1}, {'S', lf, l2}};
	struct harness_run r;

	(void)state;
	harness_script(PROTO_SMTP, s, NSTEPS(s), &r);
	assert_int_equal(r.n, 3);
	assert_int_equal(r.v[1].len, PROTO_LINE_CAP);
	assert_int_equal(r.v[1].flags, PROTO_LINE_LONG);
	assert_int_equal(r.v[1].dropped, 0);
	assert_int_equal(r.v[2].len, PROTO_LINE_CAP);
	assert_int_equal(r.v[2].flags, PROTO_LINE_LONG | PROTO_LINE_BARE_LF | END);
	harness_run_free(&r);
	free(crlf);
	free(lf);
}

static void
one_byte_over_the_cap_drops_one_byte(void **state)
{
	size_t l1, l2, l3;
	char *crlf = long_line("250-", PROTO_LINE_CAP - 3, 'y', "\r\n", &l1);
	char *lf = long_line("250-", PROTO_LINE_CAP - 3, 'z', "\n", &l2);
	char *cr = long_line("250 ", PROTO_LINE_CAP - 4, 'w', "\r\r\n", &l3);
	struct harness_step s[] = {
	    SRV("220 mx\r\n"), CLI("NOOP"), {'S', crlf, l1}, {'S', lf, l2}, {'S', cr, l3}};
	struct harness_run r;

	(void)state;
	harness_script(PROTO_SMTP, s, NSTEPS(s), &r);
	assert_int_equal(r.n, 4);
	for (size_t i = 1; i <= 3; i++) {
		assert_int_equal(r.v[i].len, PROTO_LINE_CAP);
		assert_int_equal(r.v[i].dropped, 1);
	}
	assert_int_equal(r.v[1].flags, PROTO_LINE_TRUNCATED | PROTO_LINE_LONG);
	assert_int_equal(r.v[2].flags,
	                 PROTO_LINE_TRUNCATED | PROTO_LINE_LONG | PROTO_LINE_BARE_LF);
	assert_int_equal(r.v[3].flags, PROTO_LINE_TRUNCATED | PROTO_LINE_LONG | END);
	harness_run_free(&r);
	free(crlf);
	free(lf);
	free(cr);
}

static void
endless_line_without_lf_keeps_memory_bounded(void **state)
{
	struct framer *fr = framer_new(PROTO_SMTP);
	unsigned char chunk[4096];
	const unsigned char *data;
	struct proto_line line;

	(void)state;
	memset(chunk, 'q', sizeof(chunk));
	assert_int_equal(framer_feed(fr, (const unsigned char *)"220 ", 4), 0);
	for (int i = 0; i < 256; i++) {
		assert_int_equal(framer_feed(fr, chunk, sizeof(chunk)), 0);
		assert_true(framer_buffered(fr, &data) <= PROTO_LINE_CAP + 1);
		assert_int_equal(framer_next(fr, &line), 0);
	}
	assert_int_equal(framer_feed(fr, (const unsigned char *)"\r\n", 2), 0);
	assert_int_equal(framer_next(fr, &line), 1);
	assert_int_equal(line.len, PROTO_LINE_CAP);
	assert_int_equal(line.dropped, 4 + 256 * sizeof(chunk) - PROTO_LINE_CAP);
	assert_true(line.flags & PROTO_LINE_END);
	framer_free(fr);
}

static void
endless_continuation_lines_never_end_the_reply(void **state)
{
	static const unsigned char more[] = "250-more\r\n";
	struct framer *fr = framer_new(PROTO_SMTP);
	const unsigned char *data;
	struct proto_line line;

	(void)state;
	framer_feed(fr, (const unsigned char *)"220 mx\r\n", 8);
	assert_int_equal(framer_next(fr, &line), 1);
	framer_sent(fr, (const unsigned char *)"EHLO me", 7);
	for (int i = 0; i < 20000; i++) {
		assert_int_equal(framer_feed(fr, more, sizeof(more) - 1), 0);
		assert_int_equal(framer_next(fr, &line), 1);
		assert_false(line.flags & PROTO_LINE_END);
		assert_int_equal(framer_next(fr, &line), 0);
		assert_int_equal(framer_buffered(fr, &data), 0);
		assert_int_equal(framer_pending(fr), 1);
	}
	framer_feed(fr, (const unsigned char *)"250 done\r\n", 10);
	assert_int_equal(framer_next(fr, &line), 1);
	assert_true(line.flags & PROTO_LINE_END);
	assert_int_equal(framer_pending(fr), 0);
	framer_free(fr);
}

static void
data_mode_starts_after_354_and_ends_with_the_lone_dot(void **state)
{
	static const struct harness_step s[] = {
	    SRV("220 mx\r\n"),
	    CLI("DATA"),
	    SRV("354 go on\r\n"),
	    CLI("Subject: hi"),
	    CLI(""),
	    CLI("QUIT"),
	    CLI(".."),
	    CLI(".x"),
	    CLI("."),
	    SRV("250 2.0.0 queued\r\n"),
	};
	struct harness_run r;
	struct framer *fr;

	(void)state;
	harness_script(PROTO_SMTP, s, NSTEPS(s), &r);
	LINE(&r, 1, "354 go on", END, PROTO_REPLY_CONTINUE);
	assert_true(r.v[1].in_data);
	assert_int_equal(r.v[1].pending, 0);
	LINE(&r, 2, "250 2.0.0 queued", END, PROTO_REPLY_OK);
	assert_false(r.v[2].in_data);
	assert_int_equal(r.v[2].pending, 0);
	harness_no_finding(&r, 2);
	harness_run_free(&r);

	fr = harness_framer_after(PROTO_SMTP, s, 8, &r);
	assert_true(framer_in_data(fr));
	assert_int_equal(framer_pending(fr), 0);
	framer_sent(fr, (const unsigned char *)".", 1);
	assert_false(framer_in_data(fr));
	assert_int_equal(framer_pending(fr), 1);
	framer_free(fr);
	harness_run_free(&r);
}

static void
data_refused_does_not_enter_data_mode(void **state)
{
	static const struct harness_step s[] = {
	    SRV("220 mx\r\n"),
	    CLI("DATA"),
	    SRV("554 no valid recipients\r\n"),
	    CLI("QUIT"),
	};
	struct harness_run r;
	struct framer *fr = harness_framer_after(PROTO_SMTP, s, NSTEPS(s), &r);

	(void)state;
	assert_false(framer_in_data(fr));
	assert_int_equal(framer_pending(fr), 1);
	framer_free(fr);
	harness_run_free(&r);
}

static void
auth_334_is_a_continuation_and_the_next_line_expects_a_reply(void **state)
{
	static const struct harness_step s[] = {
	    SRV("220 mx\r\n"),
	    CLI("AUTH LOGIN"),
	    SRV("334 VXNlcm5hbWU6\r\n"),
	    CLI("dXNlcg=="),
	    SRV("334 UGFzc3dvcmQ6\r\n"),
	    CLI("cGFzcw=="),
	    SRV("235 2.7.0 Authentication successful\r\n"),
	};
	struct harness_run r;

	(void)state;
	harness_script(PROTO_SMTP, s, NSTEPS(s), &r);
	assert_int_equal(r.n, 4);
	LINE(&r, 1, "334 VXNlcm5hbWU6", END, PROTO_REPLY_CONTINUE);
	assert_int_equal(r.v[1].pending, 0);
	LINE(&r, 2, "334 UGFzc3dvcmQ6", END, PROTO_REPLY_CONTINUE);
	LINE(&r, 3, "235 2.7.0 Authentication successful", END, PROTO_REPLY_OK);
	for (size_t i = 0; i < r.n; i++)
		harness_no_finding(&r, i);
	harness_run_free(&r);
}

static void
pipelined_replies_complete_commands_in_order(void **state)
{
	static const struct harness_step s[] = {
	    SRV("220 mx\r\n"),
	    CLI("MAIL FROM:<a@b.test>"),
	    CLI("RCPT TO:<c@d.test>"),
	    CLI("DATA"),
	    SRV("250 ok\r\n550 no\r\n354 go\r\n"),
	};
	struct harness_run r;

	(void)state;
	harness_script(PROTO_SMTP, s, NSTEPS(s), &r);
	assert_int_equal(r.n, 4);
	assert_int_equal(r.v[1].pending, 2);
	assert_int_equal(r.v[2].reply, PROTO_REPLY_FAIL);
	assert_int_equal(r.v[2].pending, 1);
	assert_int_equal(r.v[3].pending, 0);
	assert_true(r.v[3].in_data);
	harness_run_free(&r);
}

static void
reply_without_a_command_is_a_violation_except_421(void **state)
{
	static const struct harness_step s[] = {
	    SRV("220 mx\r\n250 unasked\r\n421 4.3.2 shutting down\r\n"),
	};
	struct harness_run r;

	(void)state;
	harness_script(PROTO_SMTP, s, NSTEPS(s), &r);
	assert_int_equal(r.n, 3);
	LINE(&r, 1, "250 unasked", END, PROTO_REPLY_OK);
	harness_finding_is(&r, 1, PV);
	LINE(&r, 2, "421 4.3.2 shutting down", END, PROTO_REPLY_FAIL);
	harness_no_finding(&r, 2);
	harness_run_free(&r);
}

static void
bare_lf_ends_a_line_and_is_flagged(void **state)
{
	static const struct harness_step s[] = {SRV("220-a\n220-b\r\n220 c\n")};
	struct harness_run r;

	(void)state;
	harness_script(PROTO_SMTP, s, NSTEPS(s), &r);
	LINE(&r, 0, "220-a", GREET | PROTO_LINE_BARE_LF, PROTO_REPLY_NONE);
	LINE(&r, 1, "220-b", GREET, PROTO_REPLY_NONE);
	LINE(&r, 2, "220 c", GREET | PROTO_LINE_BARE_LF | END, PROTO_REPLY_OK);
	harness_run_free(&r);
}

static void
nul_and_control_bytes_pass_through_raw(void **state)
{
	static const struct harness_step s[] = {SRV("220 a\0b\x1b[2J\rc\r\n")};
	struct harness_run r;

	(void)state;
	harness_script(PROTO_SMTP, s, NSTEPS(s), &r);
	LINE(&r, 0, "220 a\0b\x1b[2J\rc", GREET | END, PROTO_REPLY_OK);
	harness_run_free(&r);
}

static void
partial_line_waits_in_the_buffer(void **state)
{
	struct framer *fr = framer_new(PROTO_SMTP);
	const unsigned char *data;
	struct proto_line line;

	(void)state;
	framer_feed(fr, (const unsigned char *)"220 mx\r", 7);
	assert_int_equal(framer_next(fr, &line), 0);
	assert_int_equal(framer_buffered(fr, &data), 7);
	assert_memory_equal(data, "220 mx\r", 7);
	framer_feed(fr, (const unsigned char *)"\n", 1);
	assert_int_equal(framer_next(fr, &line), 1);
	assert_int_equal(line.len, 6);
	assert_int_equal(framer_buffered(fr, &data), 0);
	framer_free(fr);
}

static void
bytes_after_the_go_ahead_stay_visible_in_the_buffer(void **state)
{
	static const char wire[] = "220 go ahead\r\n250 injected\r\n";
	const unsigned char *data;
	struct proto_line line;

	(void)state;
	for (size_t cut = 0; cut < sizeof(wire) - 1; cut++) {
		struct framer *fr = framer_new(PROTO_SMTP);
		framer_feed(fr, (const unsigned char *)"220 mx\r\n", 8);
		assert_int_equal(framer_next(fr, &line), 1);
		framer_sent(fr, (const unsigned char *)"STARTTLS", 8);
		framer_feed(fr, (const unsigned char *)wire, cut);
		framer_feed(fr, (const unsigned char *)wire + cut, sizeof(wire) - 1 - cut);
		assert_int_equal(framer_next(fr, &line), 1);
		assert_int_equal(line.code, 220);
		assert_int_equal(line.reply, PROTO_REPLY_OK);
		assert_true(line.flags & PROTO_LINE_END);
		assert_int_equal(framer_buffered(fr, &data), 14);
		assert_memory_equal(data, "250 injected\r\n", 14);
		framer_free(fr);
	}
}

static void
partial_injected_line_stays_visible_in_the_buffer(void **state)
{
	struct framer *fr = framer_new(PROTO_SMTP);
	const unsigned char *data;
	struct proto_line line;

	(void)state;
	framer_feed(fr, (const unsigned char *)"220 mx\r\n", 8);
	framer_next(fr, &line);
	framer_sent(fr, (const unsigned char *)"STARTTLS", 8);
	framer_feed(fr, (const unsigned char *)"220 go\r\n\0evil", 13);
	assert_int_equal(framer_next(fr, &line), 1);
	assert_int_equal(framer_buffered(fr, &data), 5);
	assert_memory_equal(data, "\0evil", 5);
	framer_free(fr);
}

static void
reset_forgets_buffered_bytes_and_reply_state(void **state)
{
	static const struct harness_step s[] = {
	    SRV("220 mx\r\n"),
	    CLI("STARTTLS"),
	    SRV("220 go ahead\r\n250 injected\r\n"),
	};
	struct harness_run r;
	struct framer *fr = framer_new(PROTO_SMTP);
	const unsigned char *data;
	struct proto_line line;

	(void)state;
	memset(&r, 0, sizeof(r));
	framer_feed(fr, (const unsigned char *)s[0].bytes, s[0].len);
	framer_next(fr, &line);
	framer_sent(fr, (const unsigned char *)s[1].bytes, s[1].len);
	framer_feed(fr, (const unsigned char *)s[2].bytes, s[2].len);
	framer_next(fr, &line);
	framer_reset(fr);
	assert_int_equal(framer_buffered(fr, &data), 0);
	assert_int_equal(framer_next(fr, &line), 0);
	assert_int_equal(framer_pending(fr), 0);
	framer_sent(fr, (const unsigned char *)"EHLO me", 7);
	framer_feed(fr, (const unsigned char *)"250-mx\r\n250 AUTH PLAIN\r\n", 24);
	harness_run_drain(fr, &r);
	LINE(&r, 0, "250-mx", 0, PROTO_REPLY_NONE);
	LINE(&r, 1, "250 AUTH PLAIN", CAPS | END, PROTO_REPLY_OK);
	harness_no_finding(&r, 1);
	framer_free(fr);
	harness_run_free(&r);
}

static void
reset_in_the_middle_of_a_long_line_starts_clean(void **state)
{
	size_t l1;
	char *big = long_line("250 ", PROTO_LINE_CAP + 50, 'x', "", &l1);
	struct harness_step s[] = {SRV("220 mx\r\n"), CLI("NOOP"),
	                           {'S', big, l1},    RESET,
	                           CLI("NOOP"),       SRV("250 ok\r\n")};
	struct harness_run r;

	(void)state;
	harness_script(PROTO_SMTP, s, NSTEPS(s), &r);
	assert_int_equal(r.n, 2);
	LINE(&r, 1, "250 ok", END, PROTO_REPLY_OK);
	harness_no_finding(&r, 1);
	harness_run_free(&r);
	free(big);
}

static void
client_answer_to_334_carries_no_command_word(void **state)
{
	static const struct harness_step s[] = {
	    SRV("220 mail.test ESMTP\r\n"), CLI("AUTH LOGIN"),
	    SRV("334 VXNlcm5hbWU6\r\n"),    CLI("ZGVtbw=="),
	    SRV("334 UGFzc3dvcmQ6\r\n"),
	};
	struct harness_run r;

	(void)state;
	harness_script(PROTO_SMTP, s, NSTEPS(s), &r);
	assert_string_equal(r.v[2].command, "AUTH"); /* not "ZGVTBW==" */
	harness_run_free(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(client_answer_to_334_carries_no_command_word),
	    cmocka_unit_test(greeting_220_is_ok_and_ends_the_greeting),
	    cmocka_unit_test(pending_is_one_before_the_greeting),
	    cmocka_unit_test(multi_line_greeting_ends_on_its_final_line),
	    cmocka_unit_test(greeting_554_refuses_the_session),
	    cmocka_unit_test(pipelined_replies_name_the_command_each_one_answers),
	    cmocka_unit_test(greeting_with_another_code_is_a_violation),
	    cmocka_unit_test(ehlo_reply_lines_after_the_first_carry_capabilities),
	    cmocka_unit_test(failed_ehlo_carries_no_capabilities),
	    cmocka_unit_test(reply_to_other_commands_carries_no_capabilities),
	    cmocka_unit_test(mixed_codes_in_a_multi_line_reply_are_a_violation),
	    cmocka_unit_test(code_that_is_not_three_digits_is_a_violation_and_ends_nothing),
	    cmocka_unit_test(code_starting_outside_2_to_5_is_a_violation),
	    cmocka_unit_test(code_followed_by_other_than_space_or_hyphen_is_a_violation),
	    cmocka_unit_test(bare_code_is_a_complete_reply),
	    cmocka_unit_test(enhanced_status_code_matching_the_reply_is_accepted),
	    cmocka_unit_test(enhanced_status_code_of_another_class_is_a_violation),
	    cmocka_unit_test(text_that_only_resembles_an_enhanced_code_is_not_checked),
	    cmocka_unit_test(reply_line_over_512_octets_is_long),
	    cmocka_unit_test(line_over_the_cap_is_cut_and_the_rest_dropped),
	    cmocka_unit_test(line_of_exactly_the_cap_is_kept_whole),
	    cmocka_unit_test(one_byte_over_the_cap_drops_one_byte),
	    cmocka_unit_test(endless_line_without_lf_keeps_memory_bounded),
	    cmocka_unit_test(endless_continuation_lines_never_end_the_reply),
	    cmocka_unit_test(data_mode_starts_after_354_and_ends_with_the_lone_dot),
	    cmocka_unit_test(data_refused_does_not_enter_data_mode),
	    cmocka_unit_test(auth_334_is_a_continuation_and_the_next_line_expects_a_reply),
	    cmocka_unit_test(pipelined_replies_complete_commands_in_order),
	    cmocka_unit_test(reply_without_a_command_is_a_violation_except_421),
	    cmocka_unit_test(bare_lf_ends_a_line_and_is_flagged),
	    cmocka_unit_test(nul_and_control_bytes_pass_through_raw),
	    cmocka_unit_test(partial_line_waits_in_the_buffer),
	    cmocka_unit_test(bytes_after_the_go_ahead_stay_visible_in_the_buffer),
	    cmocka_unit_test(partial_injected_line_stays_visible_in_the_buffer),
	    cmocka_unit_test(reset_forgets_buffered_bytes_and_reply_state),
	    cmocka_unit_test(reset_in_the_middle_of_a_long_line_starts_clean),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
