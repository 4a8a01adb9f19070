/*
 * Scripts: the text form of the lines a session is given (--script FILE,
 * standard input), read line by line with /starttls and // as in the TUI.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "script.h"

static int
parse(struct script *sc, const char *text, char **cause)
{
	return script_parse(sc, text, strlen(text), "t.script", cause);
}

static void
lines_come_in_order_without_their_line_ends(void **state)
{
	struct script sc = {0};
	char *cause = NULL;

	(void)state;
	assert_int_equal(parse(&sc, "EHLO me\r\n/starttls\nEHLO me\nQUIT", &cause), 0);
	assert_int_equal(sc.n, 4);
	assert_int_equal(sc.nlines, 3);
	assert_int_equal(sc.steps[0].kind, SCRIPT_LINE);
	assert_string_equal(sc.steps[0].line, "EHLO me");
	assert_int_equal(sc.steps[1].kind, SCRIPT_STARTTLS);
	assert_null(sc.steps[1].line);
	assert_string_equal(sc.steps[3].line, "QUIT"); /* no final line end */
	script_free(&sc);
}

static void
blank_lines_are_lines_to_send(void **state)
{
	struct script sc = {0};
	char *cause = NULL;

	(void)state;
	assert_int_equal(parse(&sc, "DATA\nSubject: x\n\nbody\n.\n", &cause), 0);
	assert_int_equal(sc.nlines, 5);
	assert_string_equal(sc.steps[2].line, "");
	assert_string_equal(sc.steps[4].line, ".");
	script_free(&sc);
}

static void
double_slash_sends_a_line_that_starts_with_a_slash(void **state)
{
	struct script sc = {0};
	char *cause = NULL;

	(void)state;
	assert_int_equal(parse(&sc, "//starttls\n", &cause), 0);
	assert_int_equal(sc.steps[0].kind, SCRIPT_LINE);
	assert_string_equal(sc.steps[0].line, "/starttls");
	script_free(&sc);
}

static void
other_slash_commands_are_refused_with_their_line(void **state)
{
	struct script sc = {0};
	char *cause = NULL;

	(void)state;
	assert_int_equal(parse(&sc, "EHLO me\n/quit\n", &cause), -1);
	assert_non_null(strstr(cause, "t.script:2:"));
	assert_non_null(strstr(cause, "/quit"));
	free(cause);
	script_free(&sc);
}

static void
control_bytes_in_a_refused_line_are_escaped_in_the_message(void **state)
{
	struct script sc = {0};
	char *cause = NULL;

	(void)state;
	assert_int_equal(parse(&sc, "/\x1b]0;x\x07\n", &cause), -1);
	assert_null(strchr(cause, '\x1b'));
	assert_non_null(strstr(cause, "\\x1b"));
	free(cause);
	script_free(&sc);
}

static void
nul_bytes_and_oversized_scripts_are_refused(void **state)
{
	struct script sc = {0};
	char *cause = NULL;
	static const char with_nul[] = "EHLO me\nQU\0IT\n";
	size_t big = SCRIPT_MAX_BYTES + 1;
	char *text = malloc(big);

	(void)state;
	assert_int_equal(script_parse(&sc, with_nul, sizeof with_nul - 1, "t", &cause), -1);
	assert_non_null(strstr(cause, "t:2: a NUL byte"));
	free(cause);
	memset(text, 'a', big);
	assert_int_equal(script_parse(&sc, text, big, "t", &cause), -1);
	assert_non_null(strstr(cause, "more than a script may hold"));
	free(cause);
	free(text);
	script_free(&sc);
}

static void
a_cr_inside_a_line_is_refused(void **state)
{
	struct script sc = {0};
	char *cause = NULL;

	(void)state;
	assert_int_equal(parse(&sc, "EHLO me\r\nNO\rOP\r\n", &cause), -1);
	assert_non_null(strstr(cause, "t.script:2: a CR inside a line"));
	free(cause);
	script_free(&sc);
}

static void
two_texts_append_to_one_script(void **state)
{
	struct script sc = {0};
	char *cause = NULL;

	(void)state;
	script_add(&sc, SCRIPT_LINE, "EHLO me");
	assert_int_equal(parse(&sc, "NOOP\n", &cause), 0);
	assert_int_equal(parse(&sc, "QUIT\n", &cause), 0);
	assert_int_equal(sc.n, 3);
	assert_string_equal(sc.steps[2].line, "QUIT");
	script_free(&sc);
	assert_int_equal(sc.n, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(lines_come_in_order_without_their_line_ends),
	    cmocka_unit_test(blank_lines_are_lines_to_send),
	    cmocka_unit_test(double_slash_sends_a_line_that_starts_with_a_slash),
	    cmocka_unit_test(other_slash_commands_are_refused_with_their_line),
	    cmocka_unit_test(control_bytes_in_a_refused_line_are_escaped_in_the_message),
	    cmocka_unit_test(nul_bytes_and_oversized_scripts_are_refused),
	    cmocka_unit_test(a_cr_inside_a_line_is_refused),
	    cmocka_unit_test(two_texts_append_to_one_script),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
