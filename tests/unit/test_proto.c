/*
 * What every protocol shares: the proto_info table, protocol names, command
 * words, credential / STARTTLS / capability detection, capability splitting
 * and IMAP automatic tags.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "framer_harness.h"
#include "proto.h"

#define U(s) ((const unsigned char *)(s))

static bool
is_credential(enum proto_id id, const char *line)
{
	return proto_is_credential(id, U(line), strlen(line));
}

static bool
is_starttls(enum proto_id id, const char *line)
{
	return proto_is_starttls(id, U(line), strlen(line));
}

static bool
is_capa(enum proto_id id, const char *line)
{
	return proto_is_capa(id, U(line), strlen(line));
}

static size_t
word_of(enum proto_id id, const char *line, char *out, size_t outsz)
{
	return proto_command_word(id, U(line), strlen(line), out, outsz);
}

static void
typed_imap_credentials_are_seen_with_or_without_their_tag(void **state)
{
	(void)state;
	assert_true(proto_typed_is_credential(PROTO_IMAP, U("LOGIN demo demo"), 15));
	assert_true(proto_typed_is_credential(PROTO_IMAP, U("a1 login demo demo"), 18));
	assert_true(proto_typed_is_credential(PROTO_IMAP, U("AUTHENTICATE PLAIN"), 18));
	assert_false(proto_typed_is_credential(PROTO_IMAP, U("SELECT INBOX"), 12));
	assert_false(proto_typed_is_credential(PROTO_IMAP, U("a SELECT LOGIN"), 14));
	/* Untagged protocols look at the first word only. */
	assert_true(proto_typed_is_credential(PROTO_POP3, U("PASS demo"), 9));
	assert_false(proto_typed_is_credential(PROTO_SMTP, U("x AUTH PLAIN"), 12));
}

/* A server line as framer_next would hand it out. */
static struct proto_line
server_line(const char *text, unsigned flags)
{
	struct proto_line line = {0};

	line.data = U(text);
	line.len = strlen(text);
	line.flags = flags;
	return line;
}

static void
info_rows_describe_each_protocol(void **state)
{
	static const struct proto_info want[PROTO_COUNT] = {
	    {PROTO_SMTP, "smtp", "SMTP", "EHLO", "STARTTLS", "STARTTLS", "QUIT", "RFC 3207",
	     "220"},
	    {PROTO_IMAP, "imap", "IMAP", "CAPABILITY", "STARTTLS", "STARTTLS", "LOGOUT",
	     "RFC 9051 §6.2.1", "tagged OK"},
	    {PROTO_POP3, "pop3", "POP3", "CAPA", "STLS", "STLS", "QUIT", "RFC 2595 §4",
	     "+OK"},
	};

	(void)state;
	for (int i = 0; i < PROTO_COUNT; i++) {
		const struct proto_info *got = proto_info((enum proto_id)i);
		assert_non_null(got);
		assert_int_equal(got->id, want[i].id);
		assert_string_equal(got->name, want[i].name);
		assert_string_equal(got->display, want[i].display);
		assert_string_equal(got->capa_command, want[i].capa_command);
		assert_string_equal(got->starttls_command, want[i].starttls_command);
		assert_string_equal(got->starttls_cap, want[i].starttls_cap);
		assert_string_equal(got->quit_command, want[i].quit_command);
		assert_string_equal(got->starttls_rfc, want[i].starttls_rfc);
		assert_string_equal(got->go_ahead, want[i].go_ahead);
	}
}

static void
info_of_an_unknown_protocol_is_null(void **state)
{
	(void)state;
	assert_null(proto_info((enum proto_id)PROTO_COUNT));
	assert_null(proto_info((enum proto_id) - 1));
}

static void
names_map_to_protocols(void **state)
{
	(void)state;
	assert_int_equal(proto_from_name("smtp"), PROTO_SMTP);
	assert_int_equal(proto_from_name("imap"), PROTO_IMAP);
	assert_int_equal(proto_from_name("pop3"), PROTO_POP3);
	assert_int_equal(proto_from_name("IMAP"), PROTO_IMAP);
	assert_int_equal(proto_from_name("pop"), -1);
	assert_int_equal(proto_from_name("smtps"), -1);
	assert_int_equal(proto_from_name(""), -1);
	assert_int_equal(proto_from_name(NULL), -1);
}

static void
command_word_is_the_first_word_upper_cased(void **state)
{
	char out[16];

	(void)state;
	assert_int_equal(word_of(PROTO_SMTP, "ehlo client.test", out, sizeof(out)), 4);
	assert_string_equal(out, "EHLO");
	assert_int_equal(word_of(PROTO_SMTP, "MAIL FROM:<a@b.test>", out, sizeof(out)), 4);
	assert_string_equal(out, "MAIL");
	assert_int_equal(word_of(PROTO_POP3, "capa", out, sizeof(out)), 4);
	assert_string_equal(out, "CAPA");
}

static void
imap_command_word_follows_the_tag(void **state)
{
	char out[16];

	(void)state;
	assert_int_equal(word_of(PROTO_IMAP, "a1 uid fetch 1 (FLAGS)", out, sizeof(out)),
	                 3);
	assert_string_equal(out, "UID");
	assert_int_equal(word_of(PROTO_IMAP, "NOOP", out, sizeof(out)), 0);
	assert_string_equal(out, "");
}

static void
command_word_that_does_not_fit_is_none(void **state)
{
	char out[8];

	(void)state;
	assert_int_equal(word_of(PROTO_SMTP, "STARTTLS", out, sizeof(out)), 0);
	assert_string_equal(out, "");
	assert_int_equal(word_of(PROTO_SMTP, "STARTTL", out, sizeof(out)), 7);
}

static void
empty_line_has_no_command_word(void **state)
{
	char out[8];

	(void)state;
	assert_int_equal(word_of(PROTO_SMTP, "", out, sizeof(out)), 0);
	assert_int_equal(word_of(PROTO_POP3, " USER x", out, sizeof(out)), 0);
	assert_int_equal(proto_command_word(PROTO_SMTP, NULL, 0, out, sizeof(out)), 0);
}

static void
credential_commands_of_each_protocol(void **state)
{
	(void)state;
	assert_true(is_credential(PROTO_SMTP, "AUTH PLAIN AHVAcA=="));
	assert_true(is_credential(PROTO_SMTP, "auth login"));
	assert_false(is_credential(PROTO_SMTP, "MAIL FROM:<a@b.test>"));
	assert_false(is_credential(PROTO_SMTP, "AUTHX"));
	assert_true(is_credential(PROTO_IMAP, "a LOGIN user pass"));
	assert_true(is_credential(PROTO_IMAP, "x9 authenticate PLAIN"));
	assert_false(is_credential(PROTO_IMAP, "LOGIN user pass"));
	assert_false(is_credential(PROTO_IMAP, "a SELECT INBOX"));
	assert_true(is_credential(PROTO_POP3, "USER alice"));
	assert_true(is_credential(PROTO_POP3, "PASS secret"));
	assert_true(is_credential(PROTO_POP3, "APOP alice 0123abcd"));
	assert_true(is_credential(PROTO_POP3, "AUTH PLAIN"));
	assert_false(is_credential(PROTO_POP3, "STAT"));
}

static void
starttls_is_the_bare_command_in_any_case(void **state)
{
	(void)state;
	assert_true(is_starttls(PROTO_SMTP, "STARTTLS"));
	assert_true(is_starttls(PROTO_SMTP, "starttls"));
	assert_false(is_starttls(PROTO_SMTP, "STARTTLS now"));
	assert_false(is_starttls(PROTO_SMTP, "STARTTLS "));
	assert_false(is_starttls(PROTO_SMTP, "STLS"));
	assert_true(is_starttls(PROTO_IMAP, "a StartTLS"));
	assert_false(is_starttls(PROTO_IMAP, "STARTTLS"));
	assert_false(is_starttls(PROTO_IMAP, " STARTTLS"));
	assert_true(is_starttls(PROTO_POP3, "STLS"));
	assert_false(is_starttls(PROTO_POP3, "STARTTLS"));
}

static void
capability_command_of_each_protocol(void **state)
{
	(void)state;
	assert_true(is_capa(PROTO_SMTP, "EHLO client.test"));
	assert_true(is_capa(PROTO_SMTP, "helo client.test"));
	assert_false(is_capa(PROTO_SMTP, "CAPA"));
	assert_true(is_capa(PROTO_IMAP, "a CAPABILITY"));
	assert_false(is_capa(PROTO_IMAP, "CAPABILITY"));
	assert_true(is_capa(PROTO_POP3, "CAPA"));
	assert_false(is_capa(PROTO_POP3, "EHLO x"));
}

static void
caps_are_counted_even_beyond_the_room_given(void **state)
{
	struct proto_line line =
	    server_line("* CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN IDLE", PROTO_LINE_CAPS);
	struct proto_cap caps[2];

	(void)state;
	assert_int_equal(proto_line_caps(PROTO_IMAP, &line, caps, 2), 4);
	harness_cap_is(&caps[0], "IMAP4rev1");
	harness_cap_is(&caps[1], "STARTTLS");
	assert_int_equal(proto_line_caps(PROTO_IMAP, &line, NULL, 0), 4);
}

static void
caps_code_ends_at_its_bracket(void **state)
{
	struct proto_line line =
	    server_line("a OK [CAPABILITY IMAP4rev1 SASL-IR] Logged in", PROTO_LINE_CAPS);
	struct proto_cap caps[4];

	(void)state;
	assert_int_equal(proto_line_caps(PROTO_IMAP, &line, caps, 4), 2);
	harness_cap_is(&caps[1], "SASL-IR");
}

static void
caps_of_smtp_and_pop3_lines_keep_their_parameters(void **state)
{
	struct proto_line smtp = server_line("250-AUTH PLAIN LOGIN", PROTO_LINE_CAPS);
	struct proto_line pop3 =
	    server_line("..SASL", PROTO_LINE_CAPS | PROTO_LINE_STUFFED);
	struct proto_cap caps[2];

	(void)state;
	assert_int_equal(proto_line_caps(PROTO_SMTP, &smtp, caps, 2), 1);
	harness_cap_is(&caps[0], "AUTH PLAIN LOGIN");
	assert_int_equal(proto_line_caps(PROTO_POP3, &pop3, caps, 2), 1);
	harness_cap_is(&caps[0], ".SASL");
}

static void
line_without_the_caps_flag_has_no_caps(void **state)
{
	struct proto_line line = server_line("* CAPABILITY IMAP4rev1", 0);
	struct proto_cap caps[2];

	(void)state;
	assert_int_equal(proto_line_caps(PROTO_IMAP, &line, caps, 2), 0);
}

static void
unknown_protocol_gets_no_framer(void **state)
{
	(void)state;
	assert_null(framer_new((enum proto_id)PROTO_COUNT));
}

static void
fresh_framer_holds_nothing(void **state)
{
	struct framer *fr = framer_new(PROTO_POP3);
	const unsigned char *data = NULL;
	struct proto_line line;

	(void)state;
	assert_int_equal(framer_buffered(fr, &data), 0);
	assert_non_null(data);
	assert_int_equal(framer_next(fr, &line), 0);
	framer_free(fr);
	framer_free(NULL);
}

static void
automatic_tags_run_a_to_z_then_aa(void **state)
{
	struct framer *fr = framer_new(PROTO_IMAP);
	char out[64];

	(void)state;
	assert_int_equal(harness_autotag(fr, "NOOP", out), 1);
	assert_string_equal(out, "a NOOP");
	for (int i = 1; i < 26; i++)
		harness_autotag(fr, "NOOP", out);
	assert_string_equal(out, "z NOOP");
	harness_autotag(fr, "NOOP", out);
	assert_string_equal(out, "aa NOOP");
	harness_autotag(fr, "NOOP", out);
	assert_string_equal(out, "ab NOOP");
	framer_free(fr);
}

static void
automatic_tag_ignores_case_and_keeps_arguments(void **state)
{
	struct framer *fr = framer_new(PROTO_IMAP);
	char out[64];

	(void)state;
	assert_int_equal(harness_autotag(fr, "uid fetch 1:* (FLAGS)", out), 1);
	assert_string_equal(out, "a uid fetch 1:* (FLAGS)");
	framer_free(fr);
}

static void
automatic_tag_skips_a_tag_still_outstanding(void **state)
{
	struct framer *fr = framer_new(PROTO_IMAP);
	char out[64];

	(void)state;
	framer_sent(fr, (const unsigned char *)"a NOOP", 6);
	harness_autotag(fr, "NOOP", out);
	assert_string_equal(out, "b NOOP");
	framer_free(fr);
}

static void
line_after_a_non_synchronizing_literal_gets_no_tag(void **state)
{
	struct framer *fr = framer_new(PROTO_IMAP);
	char out[64];

	(void)state;
	harness_autotag(fr, "APPEND INBOX {4+}", out);
	framer_sent(fr, (const unsigned char *)out, strlen(out));
	assert_int_equal(harness_autotag(fr, "NOOP", out), 0); /* the literal's 4 bytes */
	framer_sent(fr, (const unsigned char *)out, strlen(out));
	assert_int_equal(harness_autotag(fr, "", out), 0); /* the rest of APPEND */
	framer_sent(fr, (const unsigned char *)out, strlen(out));
	assert_int_equal(harness_autotag(fr, "NOOP", out), 1);
	assert_string_equal(out, "b NOOP");
	framer_free(fr);
}

static void
tag_counter_survives_reset(void **state)
{
	struct framer *fr = framer_new(PROTO_IMAP);
	char out[64];

	(void)state;
	harness_autotag(fr, "STARTTLS", out);
	const struct proto_command *c =
	    framer_sent(fr, (const unsigned char *)out, strlen(out));
	assert_string_equal(c->tag, "a");
	assert_true(c->starttls);
	framer_reset(fr);
	assert_int_equal(framer_outstanding(fr), 0);
	harness_autotag(fr, "CAPABILITY", out);
	assert_string_equal(out, "b CAPABILITY");
	framer_free(fr);
}

static void
other_protocols_copy_the_line(void **state)
{
	struct framer *fr = framer_new(PROTO_SMTP);
	char out[64];

	(void)state;
	assert_int_equal(harness_autotag(fr, "NOOP", out), 0);
	assert_string_equal(out, "NOOP");
	assert_int_equal(framer_outstanding(fr), 0);
	framer_free(fr);
}

static void
typed_starttls_is_seen_with_or_without_the_imap_tag(void **state)
{
	(void)state;
#define TYPED(id, l) proto_typed_is_starttls(id, U(l), strlen(l))
	assert_true(TYPED(PROTO_IMAP, "a1 STARTTLS"));
	assert_true(TYPED(PROTO_IMAP, "starttls"));
	assert_false(TYPED(PROTO_IMAP, "STARTTLS now"));
	assert_false(TYPED(PROTO_IMAP, "NOOP"));
	assert_true(TYPED(PROTO_SMTP, "StartTLS"));
	assert_false(TYPED(PROTO_SMTP, "STLS"));
	assert_true(TYPED(PROTO_POP3, "stls"));
	assert_false(TYPED(PROTO_POP3, "a STLS"));
#undef TYPED
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(info_rows_describe_each_protocol),
	    cmocka_unit_test(typed_imap_credentials_are_seen_with_or_without_their_tag),
	    cmocka_unit_test(typed_starttls_is_seen_with_or_without_the_imap_tag),
	    cmocka_unit_test(info_of_an_unknown_protocol_is_null),
	    cmocka_unit_test(names_map_to_protocols),
	    cmocka_unit_test(command_word_is_the_first_word_upper_cased),
	    cmocka_unit_test(imap_command_word_follows_the_tag),
	    cmocka_unit_test(command_word_that_does_not_fit_is_none),
	    cmocka_unit_test(empty_line_has_no_command_word),
	    cmocka_unit_test(credential_commands_of_each_protocol),
	    cmocka_unit_test(starttls_is_the_bare_command_in_any_case),
	    cmocka_unit_test(capability_command_of_each_protocol),
	    cmocka_unit_test(caps_are_counted_even_beyond_the_room_given),
	    cmocka_unit_test(caps_code_ends_at_its_bracket),
	    cmocka_unit_test(caps_of_smtp_and_pop3_lines_keep_their_parameters),
	    cmocka_unit_test(line_without_the_caps_flag_has_no_caps),
	    cmocka_unit_test(unknown_protocol_gets_no_framer),
	    cmocka_unit_test(fresh_framer_holds_nothing),
	    cmocka_unit_test(automatic_tags_run_a_to_z_then_aa),
	    cmocka_unit_test(automatic_tag_ignores_case_and_keeps_arguments),
	    cmocka_unit_test(automatic_tag_skips_a_tag_still_outstanding),
	    cmocka_unit_test(line_after_a_non_synchronizing_literal_gets_no_tag),
	    cmocka_unit_test(tag_counter_survives_reset),
	    cmocka_unit_test(other_protocols_copy_the_line),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
