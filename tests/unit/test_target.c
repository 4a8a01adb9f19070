#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "target.h"

static struct target
parse_ok(const char *text)
{
	struct target t;
	char *cause = NULL;
	int rc = target_parse(text, -1, -1, &t, &cause);
	if (rc != 0)
		fail_msg("%s: %s", text, cause);
	return t;
}

static char *
parse_err(const char *text)
{
	struct target t;
	char *cause = NULL;
	assert_int_equal(target_parse(text, -1, -1, &t, &cause), -1);
	assert_non_null(cause);
	return cause;
}

static void
test_scheme_sets_protocol_mode_and_default_port(void **state)
{
	static const struct {
		const char *text;
		enum proto_id proto;
		enum tls_mode mode;
		unsigned port;
	} rows[] = {
	    {"smtp://h", PROTO_SMTP, TLS_MODE_EXPLICIT, 25},
	    {"submission://h", PROTO_SMTP, TLS_MODE_EXPLICIT, 587},
	    {"smtps://h", PROTO_SMTP, TLS_MODE_IMPLICIT, 465},
	    {"imap://h", PROTO_IMAP, TLS_MODE_EXPLICIT, 143},
	    {"imaps://h", PROTO_IMAP, TLS_MODE_IMPLICIT, 993},
	    {"pop3://h", PROTO_POP3, TLS_MODE_EXPLICIT, 110},
	    {"pop3s://h", PROTO_POP3, TLS_MODE_IMPLICIT, 995},
	};
	(void)state;
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		struct target t = parse_ok(rows[i].text);
		assert_int_equal(t.proto, rows[i].proto);
		assert_int_equal(t.mode, rows[i].mode);
		assert_int_equal(t.port, rows[i].port);
		assert_string_equal(t.host, "h");
	}
}

static void
test_port_alone_decides_protocol(void **state)
{
	struct target t;
	(void)state;
	t = parse_ok("mail.example.org:993");
	assert_int_equal(t.proto, PROTO_IMAP);
	assert_int_equal(t.mode, TLS_MODE_IMPLICIT);
	t = parse_ok("mail.example.org:587");
	assert_string_equal(t.scheme, "submission");
	t = parse_ok("mail.example.org:110");
	assert_int_equal(t.proto, PROTO_POP3);
}

static void
test_explicit_port_overrides_default(void **state)
{
	struct target t = parse_ok("imap://127.0.0.1:1143");
	(void)state;
	assert_int_equal(t.port, 1143);
	assert_true(t.host_is_ip);
	assert_string_equal(t.host, "127.0.0.1");
}

static void
test_ipv6_literal_in_brackets(void **state)
{
	struct target t = parse_ok("smtps://[::1]:4465");
	char buf[128];
	(void)state;
	assert_string_equal(t.host, "::1");
	assert_int_equal(t.port, 4465);
	assert_true(t.host_is_ip);
	target_format(&t, buf, sizeof buf);
	assert_string_equal(buf, "smtps://[::1]:4465");
}

static void
test_unbracketed_ipv6_is_refused_with_advice(void **state)
{
	char *cause = parse_err("::1:25");
	(void)state;
	assert_non_null(strstr(cause, "brackets"));
	free(cause);
}

static void
test_unknown_scheme_names_it(void **state)
{
	char *cause = parse_err("http://mail.test");
	(void)state;
	assert_non_null(strstr(cause, "\"http\""));
	free(cause);
}

static void
test_bad_ports_are_refused(void **state)
{
	const char *bad[] = {"smtp://h:0", "smtp://h:65536", "smtp://h:abc",
	                     "smtp://h:", "smtp://h:25x"};
	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char *cause = parse_err(bad[i]);
		assert_non_null(strstr(cause, "port"));
		free(cause);
	}
}

static void
test_missing_host_and_unknown_protocol(void **state)
{
	char *cause;
	(void)state;
	cause = parse_err("smtp://");
	assert_non_null(strstr(cause, "no host"));
	free(cause);
	cause = parse_err("mail.test");
	assert_non_null(strstr(cause, "--proto"));
	free(cause);
	cause = parse_err("mail.test:2525");
	assert_non_null(strstr(cause, "--proto"));
	free(cause);
}

static void
test_overrides_change_protocol_and_mode(void **state)
{
	struct target t;
	char *cause = NULL;
	(void)state;
	assert_int_equal(target_parse("mail.test:2525", PROTO_SMTP, -1, &t, &cause), 0);
	assert_int_equal(t.proto, PROTO_SMTP);
	assert_int_equal(t.port, 2525);
	assert_int_equal(target_parse("smtp://mail.test:2465", -1, 1, &t, &cause), 0);
	assert_int_equal(t.mode, TLS_MODE_IMPLICIT);
	assert_string_equal(t.scheme, "smtps");
}

static void
test_host_with_spaces_is_refused(void **state)
{
	char *cause = parse_err("smtp://mail test");
	(void)state;
	free(cause);
}

static void
test_user_and_password_in_the_target_are_refused_without_echoing_them(void **state)
{
	char *cause = parse_err("smtp://user:pw@mail.example.org:587");
	(void)state;
	assert_non_null(strstr(cause, "--auth"));
	assert_null(strstr(cause, "IPv6"));
	assert_null(strstr(cause, "pw"));
	free(cause);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_scheme_sets_protocol_mode_and_default_port),
	    cmocka_unit_test(test_port_alone_decides_protocol),
	    cmocka_unit_test(test_explicit_port_overrides_default),
	    cmocka_unit_test(test_ipv6_literal_in_brackets),
	    cmocka_unit_test(test_unbracketed_ipv6_is_refused_with_advice),
	    cmocka_unit_test(test_unknown_scheme_names_it),
	    cmocka_unit_test(test_bad_ports_are_refused),
	    cmocka_unit_test(test_missing_host_and_unknown_protocol),
	    cmocka_unit_test(test_overrides_change_protocol_and_mode),
	    cmocka_unit_test(test_host_with_spaces_is_refused),
	    cmocka_unit_test(
	        test_user_and_password_in_the_target_are_refused_without_echoing_them),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
