#include <ctype.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "escape.h"

static void
check(const char *in, size_t len, enum escape_mode mode, const char *want)
{
	char *got = escape_bytes((const unsigned char *)in, len, mode);
	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void
test_printable_ascii_passes_through(void **state)
{
	(void)state;
	check("220 mail.test ESMTP", 19, ESCAPE_TEXT, "220 mail.test ESMTP");
}

static void
test_escape_sequence_is_shown_not_sent(void **state)
{
	(void)state;
	check("\x1b]52;c;aGk=\x07", 12, ESCAPE_TEXT, "\\x1b]52;c;aGk=\\x07");
}

static void
test_cr_lf_tab_nul_are_named(void **state)
{
	(void)state;
	check("a\rb\nc\td\0e", 9, ESCAPE_TEXT, "a\\rb\\nc\\td\\0e");
}

static void
test_del_and_backslash(void **state)
{
	(void)state;
	check("x\x7fy\\z", 5, ESCAPE_TEXT, "x\\x7fy\\z");
}

static void
test_valid_utf8_passes_through(void **state)
{
	(void)state;
	check("gr\xc3\xbc\xc3\x9f \xe2\x82\xac \xf0\x9f\x94\x92", 15, ESCAPE_TEXT,
	      "gr\xc3\xbc\xc3\x9f \xe2\x82\xac \xf0\x9f\x94\x92");
}

static void
test_invalid_utf8_bytes_become_hex(void **state)
{
	(void)state;
	check("a\xff\xc3(", 4, ESCAPE_TEXT, "a\\xff\\xc3(");
}

static void
test_overlong_and_surrogate_are_invalid(void **state)
{
	(void)state;
	check("\xc0\xaf", 2, ESCAPE_TEXT, "\\xc0\\xaf");
	check("\xed\xa0\x80", 3, ESCAPE_TEXT, "\\xed\\xa0\\x80");
}

static void
test_truncated_utf8_at_end_is_hex(void **state)
{
	(void)state;
	check("ok\xe2\x82", 4, ESCAPE_TEXT, "ok\\xe2\\x82");
}

static void
test_bidi_override_and_zero_width_are_visible(void **state)
{
	(void)state;
	check("a\xe2\x80\xae"
	      "b\xe2\x80\x8b"
	      "c",
	      9, ESCAPE_TEXT, "a\\u202eb\\u200bc");
}

static void
test_line_and_paragraph_separators_are_visible(void **state)
{
	(void)state;
	/* U+2028 and U+2029 break lines in some terminals, like U+202E reorders. */
	check("a\xe2\x80\xa8"
	      "b\xe2\x80\xa9"
	      "c",
	      9, ESCAPE_TEXT, "a\\u2028b\\u2029c");
	assert_true(escape_needed((const unsigned char *)"\xe2\x80\xa8", 3));
}

static void
test_c1_control_is_visible(void **state)
{
	(void)state;
	check("\xc2\x9b"
	      "31m",
	      5, ESCAPE_TEXT, "\\u009b31m");
}

static void
test_json_escapes_quotes_and_controls(void **state)
{
	(void)state;
	check("say \"hi\"\r\n\x01\\", 12, ESCAPE_JSON, "say \\\"hi\\\"\\r\\n\\u0001\\\\");
}

static void
test_json_invalid_byte_is_u00xx(void **state)
{
	(void)state;
	check("\xff", 1, ESCAPE_JSON, "\\u00ff");
}

static void
test_escape_needed_flags_controls_not_tab(void **state)
{
	(void)state;
	assert_false(escape_needed((const unsigned char *)"a\tb", 3));
	assert_true(escape_needed((const unsigned char *)"a\x1b[2J", 5));
	assert_true(escape_needed((const unsigned char *)"a\0b", 3));
	assert_true(escape_needed((const unsigned char *)"\xff", 1));
	assert_true(escape_needed((const unsigned char *)"\xe2\x80\xae", 3));
	assert_false(escape_needed((const unsigned char *)"gr\xc3\xbc\xc3\x9f", 6));
}

static void
test_own_mode_keeps_backslashes_but_escapes_controls(void **state)
{
	(void)state;
	check("not TLS: \"220 ok\\r\\n\"\x1b[2J", 25, ESCAPE_OWN,
	      "not TLS: \"220 ok\\r\\n\"\\x1b[2J");
}

static void
test_imap_flags_keep_their_single_backslash(void **state)
{
	(void)state;
	check("* FLAGS (\\Answered \\Seen \\Recent \\Noselect)", 43, ESCAPE_TEXT,
	      "* FLAGS (\\Answered \\Seen \\Recent \\Noselect)");
}

static void
test_backslash_is_doubled_only_before_what_reads_as_an_escape(void **state)
{
	(void)state;
	check("\\r", 2, ESCAPE_TEXT, "\\\\r");
	check("\\n\\t\\0", 6, ESCAPE_TEXT, "\\\\n\\\\t\\\\0");
	check("\\x1b", 4, ESCAPE_TEXT, "\\\\x1b");
	check("\\xyz", 4, ESCAPE_TEXT, "\\xyz");
	check("\\u200e", 6, ESCAPE_TEXT, "\\\\u200e");
	check("\\u20", 4, ESCAPE_TEXT, "\\u20");
	check("\\\\", 2, ESCAPE_TEXT, "\\\\\\");
	check("\\\x1b", 2, ESCAPE_TEXT, "\\\\\\x1b");
	check("end\\", 4, ESCAPE_TEXT, "end\\");
}

static void
test_json_doubles_every_backslash(void **state)
{
	(void)state;
	check("(\\Seen)", 7, ESCAPE_JSON, "(\\\\Seen)");
}

/* Reads n hex digits at s into *v; false unless all n are hex digits. */
static bool
hex(const char *s, int n, unsigned *v)
{
	*v = 0;
	for (int i = 0; i < n; i++) {
		if (!isxdigit((unsigned char)s[i]))
			return false;
		*v = *v * 16 + (unsigned)(isdigit((unsigned char)s[i])
		                              ? s[i] - '0'
		                              : (s[i] | 0x20) - 'a' + 10);
	}
	return true;
}

/* The reading the text rule promises: \\ is one backslash, \r \n \t \0
 * \xHH \uHHHH are what they name, any other backslash is itself. */
static size_t
unescape(const char *s, unsigned char *out)
{
	size_t n = 0;
	while (*s) {
		unsigned v;
		if (s[0] != '\\') {
			out[n++] = (unsigned char)*s++;
		} else if (s[1] == '\\') {
			out[n++] = '\\';
			s += 2;
		} else if (s[1] && strchr("rnt0", s[1])) {
			out[n++] = s[1] == 'r'   ? '\r'
			           : s[1] == 'n' ? '\n'
			           : s[1] == 't' ? '\t'
			                         : 0;
			s += 2;
		} else if (s[1] == 'x' && hex(s + 2, 2, &v)) {
			out[n++] = (unsigned char)v;
			s += 4;
		} else if (s[1] == 'u' && hex(s + 2, 4, &v)) {
			if (v < 0x800) {
				out[n++] = (unsigned char)(0xc0 | (v >> 6));
			} else {
				out[n++] = (unsigned char)(0xe0 | (v >> 12));
				out[n++] = (unsigned char)(0x80 | ((v >> 6) & 0x3f));
			}
			out[n++] = (unsigned char)(0x80 | (v & 0x3f));
			s += 6;
		} else {
			out[n++] = (unsigned char)*s++;
		}
	}
	return n;
}

static void
test_text_escaping_reads_back_to_the_bytes(void **state)
{
	static const unsigned char pool[] = {'\\', 'x',  'u',  'r',  '0',  '1',
	                                     'f',  'S',  0x1b, '\r', 0,    0x7f,
	                                     0xc3, 0xa9, 0xe2, 0x80, 0x8e, 0xff};
	unsigned char in[40], back[400];
	(void)state;
	srand(11);
	for (int round = 0; round < 20000; round++) {
		size_t n = (size_t)(rand() % (int)sizeof in);
		for (size_t i = 0; i < n; i++)
			in[i] = pool[rand() % (int)sizeof pool];
		char *e = escape_bytes(in, n, ESCAPE_TEXT);
		assert_non_null(e);
		size_t m = unescape(e, back);
		assert_int_equal(m, n);
		assert_memory_equal(back, in, n);
		free(e);
	}
}

static void
test_append_grows_buffer(void **state)
{
	char *buf = NULL;
	size_t used = 0, cap = 0;
	(void)state;
	for (int i = 0; i < 1000; i++)
		assert_int_equal(escape_append(&buf, &used, &cap,
		                               (const unsigned char *)"\x1b", 1,
		                               ESCAPE_TEXT),
		                 0);
	assert_int_equal(used, 4000);
	assert_int_equal(strlen(buf), 4000);
	assert_memory_equal(buf, "\\x1b\\x1b", 8);
	free(buf);
}


/* Runs of plain bytes are skipped a word at a time: any byte at any place
 * in a word must still be seen exactly as when it stands alone. */
static void
every_byte_at_every_place_of_a_word_is_seen(void **state)
{
	static const enum escape_mode modes[] = {ESCAPE_TEXT, ESCAPE_JSON, ESCAPE_OWN};

	(void)state;
	for (size_t m = 0; m < 3; m++) {
		for (unsigned b = 0; b < 256; b++) {
			unsigned char one = (unsigned char)b;
			char *alone = escape_bytes(&one, 1, modes[m]);
			for (size_t k = 0; k < 20; k++) {
				unsigned char buf[20];
				char want[64];
				memset(buf, 'a', sizeof buf);
				buf[k] = one;
				snprintf(want, sizeof want, "%.*s%s%.*s", (int)k,
				         "aaaaaaaaaaaaaaaaaaaa", alone, (int)(19 - k),
				         "aaaaaaaaaaaaaaaaaaaa");
				char *got = escape_bytes(buf, sizeof buf, modes[m]);
				assert_string_equal(got, want);
				free(got);
				assert_int_equal(escape_needed(buf, sizeof buf),
				                 escape_needed(&one, 1));
			}
			free(alone);
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(every_byte_at_every_place_of_a_word_is_seen),
	    cmocka_unit_test(test_printable_ascii_passes_through),
	    cmocka_unit_test(test_escape_sequence_is_shown_not_sent),
	    cmocka_unit_test(test_cr_lf_tab_nul_are_named),
	    cmocka_unit_test(test_del_and_backslash),
	    cmocka_unit_test(test_imap_flags_keep_their_single_backslash),
	    cmocka_unit_test(test_backslash_is_doubled_only_before_what_reads_as_an_escape),
	    cmocka_unit_test(test_json_doubles_every_backslash),
	    cmocka_unit_test(test_text_escaping_reads_back_to_the_bytes),
	    cmocka_unit_test(test_valid_utf8_passes_through),
	    cmocka_unit_test(test_invalid_utf8_bytes_become_hex),
	    cmocka_unit_test(test_overlong_and_surrogate_are_invalid),
	    cmocka_unit_test(test_truncated_utf8_at_end_is_hex),
	    cmocka_unit_test(test_bidi_override_and_zero_width_are_visible),
	    cmocka_unit_test(test_line_and_paragraph_separators_are_visible),
	    cmocka_unit_test(test_c1_control_is_visible),
	    cmocka_unit_test(test_json_escapes_quotes_and_controls),
	    cmocka_unit_test(test_json_invalid_byte_is_u00xx),
	    cmocka_unit_test(test_escape_needed_flags_controls_not_tab),
	    cmocka_unit_test(test_own_mode_keeps_backslashes_but_escapes_controls),
	    cmocka_unit_test(test_append_grows_buffer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
