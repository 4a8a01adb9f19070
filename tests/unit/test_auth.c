/*
 * The SASL exchanges startle builds: the exact lines each protocol gets.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "auth.h"

static void
plain_is_the_command_then_the_base64_message(void **state)
{
	char *lines[AUTH_LINES_MAX];
	size_t n;

	(void)state;
	n = auth_lines(PROTO_SMTP, AUTH_PLAIN, "demo", "demo", lines);
	assert_int_equal(n, 2);
	assert_string_equal(lines[0], "AUTH PLAIN");
	/* base64 of "\0demo\0demo" (RFC 4616) */
	assert_string_equal(lines[1], "AGRlbW8AZGVtbw==");
	auth_lines_free(lines, n);
}

static void
imap_authenticates_and_pop3_auths(void **state)
{
	char *lines[AUTH_LINES_MAX];
	size_t n;

	(void)state;
	n = auth_lines(PROTO_IMAP, AUTH_PLAIN, "test", "secret", lines);
	assert_string_equal(lines[0], "AUTHENTICATE PLAIN");
	assert_string_equal(lines[1], "AHRlc3QAc2VjcmV0");
	auth_lines_free(lines, n);
	n = auth_lines(PROTO_POP3, AUTH_PLAIN, "test", "secret", lines);
	assert_string_equal(lines[0], "AUTH PLAIN");
	auth_lines_free(lines, n);
}

static void
login_answers_user_then_password(void **state)
{
	char *lines[AUTH_LINES_MAX];
	size_t n;

	(void)state;
	n = auth_lines(PROTO_SMTP, AUTH_LOGIN, "demo", "pa ss", lines);
	assert_int_equal(n, 3);
	assert_string_equal(lines[0], "AUTH LOGIN");
	assert_string_equal(lines[1], "ZGVtbw==");
	assert_string_equal(lines[2], "cGEgc3M=");
	auth_lines_free(lines, n);
}

static void
mechanism_names_ignore_case(void **state)
{
	(void)state;
	assert_int_equal(auth_mech_from_name("plain"), AUTH_PLAIN);
	assert_int_equal(auth_mech_from_name("Login"), AUTH_LOGIN);
	assert_int_equal(auth_mech_from_name("CRAM-MD5"), -1);
	assert_int_equal(auth_mech_from_name(NULL), -1);
	assert_string_equal(auth_mech_name(AUTH_LOGIN), "LOGIN");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(plain_is_the_command_then_the_base64_message),
	    cmocka_unit_test(imap_authenticates_and_pop3_auths),
	    cmocka_unit_test(login_answers_user_then_password),
	    cmocka_unit_test(mechanism_names_ignore_case),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
