/* The table of the explorer's own slash commands. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "commands.h"

static void
test_plain_line_is_sent_as_is(void **state)
{
	struct command_parse p;
	(void)state;
	command_parse("EHLO me", &p);
	assert_int_equal(p.result, COMMAND_SEND);
	assert_string_equal(p.send, "EHLO me");
}

static void
test_double_slash_sends_one_slash(void **state)
{
	struct command_parse p;
	(void)state;
	command_parse("//NOOP", &p);
	assert_int_equal(p.result, COMMAND_SEND);
	assert_string_equal(p.send, "/NOOP");
}

static void
test_full_and_shortened_names_run(void **state)
{
	struct command_parse p;
	(void)state;
	command_parse("/starttls", &p);
	assert_int_equal(p.result, COMMAND_RUN);
	assert_string_equal(p.cmd->name, "starttls");
	command_parse("/st", &p);
	assert_int_equal(p.result, COMMAND_RUN);
	assert_string_equal(p.cmd->name, "starttls");
	command_parse("/q", &p);
	assert_string_equal(p.cmd->name, "quit");
}

static void
test_ambiguous_prefix_is_an_error(void **state)
{
	struct command_parse p;
	(void)state;
	command_parse("/re", &p); /* reconnect, record */
	assert_int_equal(p.result, COMMAND_ERROR);
	assert_non_null(strstr(p.error, "ambiguous"));
}

static void
test_unknown_command_suggests_help_and_double_slash(void **state)
{
	struct command_parse p;
	(void)state;
	command_parse("/frobnicate now", &p);
	assert_int_equal(p.result, COMMAND_ERROR);
	assert_non_null(strstr(p.error, "/frobnicate"));
	assert_non_null(strstr(p.error, "/help"));
	assert_non_null(strstr(p.error, "//"));
}

static void
test_arguments_are_checked(void **state)
{
	struct command_parse p;
	(void)state;
	command_parse("/log", &p);
	assert_int_equal(p.result, COMMAND_ERROR);
	assert_non_null(strstr(p.error, "FILE"));
	command_parse("/log  /tmp/x.log", &p);
	assert_int_equal(p.result, COMMAND_RUN);
	assert_string_equal(p.arg, "/tmp/x.log");
	command_parse("/quit now", &p);
	assert_int_equal(p.result, COMMAND_ERROR);
	assert_non_null(strstr(p.error, "no argument"));
	command_parse("/theme", &p); /* lists the themes */
	assert_int_equal(p.result, COMMAND_RUN);
	assert_string_equal(p.arg, "");
	command_parse("/lesson", &p); /* lists the lessons */
	assert_int_equal(p.result, COMMAND_RUN);
	assert_string_equal(p.cmd->name, "lesson");
	command_parse("/next now", &p);
	assert_int_equal(p.result, COMMAND_ERROR);
}

static void
test_lone_slash_is_an_error(void **state)
{
	struct command_parse p;
	(void)state;
	command_parse("/", &p);
	assert_int_equal(p.result, COMMAND_ERROR);
}

static void
collect(void *arg, const char *name)
{
	char *buf = arg;
	strcat(buf, name);
	strcat(buf, ",");
}

static void
test_completion_lists_matching_names_in_table_order(void **state)
{
	char buf[256] = "";
	(void)state;
	assert_int_equal(command_complete("re", collect, buf), 2);
	assert_string_equal(buf, "record,reconnect,");
	buf[0] = '\0';
	assert_int_equal(command_complete("", collect, buf), command_count());
}

static void
test_every_command_has_help_a_handler_and_a_unique_name(void **state)
{
	(void)state;
	assert_true(command_count() > 0);
	assert_null(command_at(command_count()));
	for (size_t i = 0; i < command_count(); i++) {
		const struct command *a = command_at(i);
		assert_non_null(a->exec);
		assert_true(strlen(a->help) > 10);
		for (size_t j = i + 1; j < command_count(); j++)
			assert_string_not_equal(a->name, command_at(j)->name);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_plain_line_is_sent_as_is),
	    cmocka_unit_test(test_double_slash_sends_one_slash),
	    cmocka_unit_test(test_full_and_shortened_names_run),
	    cmocka_unit_test(test_ambiguous_prefix_is_an_error),
	    cmocka_unit_test(test_unknown_command_suggests_help_and_double_slash),
	    cmocka_unit_test(test_arguments_are_checked),
	    cmocka_unit_test(test_lone_slash_is_an_error),
	    cmocka_unit_test(test_completion_lists_matching_names_in_table_order),
	    cmocka_unit_test(test_every_command_has_help_a_handler_and_a_unique_name),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
