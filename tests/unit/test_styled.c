/* Styled lines: building, escaping network bytes with marked escapes,
 * column widths and wrapping. */
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include <cmocka.h>

#include "escape.h"
#include "styled.h"
#include "testutil.h"

static size_t
span_total(const struct sline *l)
{
	size_t n = 0;

	for (size_t i = 0; i < l->nspans; i++)
		n += l->spans[i].len;
	return n;
}

static void
add_bytes(struct sline *l, const char *data, size_t len)
{
	sline_add_escaped(l, TE_SERVER_PLAIN, TE_ESCAPED, (const unsigned char *)data, len);
}

/* True if every byte of text decodes as UTF-8 in the current locale. */
static bool
valid_utf8(const char *text, size_t len)
{
	mbstate_t st;
	size_t i = 0;

	memset(&st, 0, sizeof st);
	while (i < len) {
		wchar_t wc;
		size_t r = mbrtowc(&wc, text + i, len - i, &st);
		if (r == (size_t)-1 || r == (size_t)-2 || r == 0)
			return false;
		i += r;
	}
	return true;
}

static void
test_add_builds_text_and_one_span(void **state)
{
	struct sline l;
	(void)state;
	sline_init(&l);
	sline_add(&l, TE_INFO, "hello");
	assert_string_equal(l.text, "hello");
	assert_int_equal(l.len, 5);
	assert_int_equal(l.nspans, 1);
	assert_int_equal(l.spans[0].elem, TE_INFO);
	assert_int_equal(l.spans[0].len, 5);
	sline_free(&l);
}

static void
test_new_line_has_empty_text(void **state)
{
	struct sline l;
	(void)state;
	sline_init(&l);
	assert_non_null(l.text);
	assert_string_equal(l.text, "");
	assert_int_equal(sline_width(&l), 0);
	sline_free(&l);
}

static void
test_adjacent_adds_in_one_element_merge(void **state)
{
	struct sline l;
	(void)state;
	sline_init(&l);
	sline_add(&l, TE_INFO, "ab");
	sline_add(&l, TE_INFO, "cd");
	sline_add(&l, TE_HEX, "ef");
	assert_string_equal(l.text, "abcdef");
	assert_int_equal(l.nspans, 2);
	assert_int_equal(l.spans[0].len, 4);
	assert_int_equal(l.spans[1].elem, TE_HEX);
	sline_free(&l);
}

static void
test_addf_formats_in_its_element(void **state)
{
	struct sline l;
	(void)state;
	sline_init(&l);
	sline_add(&l, TE_LABEL, "n=");
	sline_addf(&l, TE_VALUE, "%d/%s", 42, "x");
	assert_string_equal(l.text, "n=42/x");
	assert_int_equal(testutil_elem_at(&l, 2), TE_VALUE);
	assert_int_equal(testutil_elem_at(&l, 5), TE_VALUE);
	assert_int_equal(span_total(&l), l.len);
	sline_free(&l);
}

static void
test_clear_empties_and_keeps_working(void **state)
{
	struct sline l;
	(void)state;
	sline_init(&l);
	sline_add(&l, TE_INFO, "something long enough to allocate");
	sline_clear(&l);
	assert_string_equal(l.text, "");
	assert_int_equal(l.nspans, 0);
	sline_add(&l, TE_HEX, "x");
	assert_string_equal(l.text, "x");
	assert_int_equal(l.spans[0].elem, TE_HEX);
	sline_free(&l);
}

static void
test_escaped_esc_is_shown_and_marked(void **state)
{
	struct sline l;
	(void)state;
	sline_init(&l);
	add_bytes(&l, "250 ok\x1b[2J", 10);
	assert_string_equal(l.text, "250 ok\\x1b[2J");
	assert_int_equal(testutil_elem_at(&l, 0), TE_SERVER_PLAIN);
	for (size_t i = 6; i < 10; i++)
		assert_int_equal(testutil_elem_at(&l, i), TE_ESCAPED);
	assert_int_equal(testutil_elem_at(&l, 10), TE_SERVER_PLAIN);
	sline_free(&l);
}

static void
test_escaped_cr_nul_backslash_are_marked(void **state)
{
	struct sline l;
	(void)state;
	sline_init(&l);
	add_bytes(&l, "a\rb\0c\\\\d", 8);
	assert_string_equal(l.text, "a\\rb\\0c\\\\\\d");
	assert_int_equal(testutil_elem_at(&l, testutil_offset_of(&l, "\\r")), TE_ESCAPED);
	assert_int_equal(testutil_elem_at(&l, testutil_offset_of(&l, "\\0")), TE_ESCAPED);
	assert_int_equal(testutil_elem_at(&l, testutil_offset_of(&l, "\\\\")), TE_ESCAPED);
	assert_int_equal(testutil_elem_at(&l, testutil_offset_of(&l, "b")),
	                 TE_SERVER_PLAIN);
	assert_int_equal(testutil_elem_at(&l, testutil_offset_of(&l, "d")),
	                 TE_SERVER_PLAIN);
	sline_free(&l);
}

static void
test_imap_flag_backslash_is_shown_as_sent(void **state)
{
	struct sline l;
	(void)state;
	sline_init(&l);
	add_bytes(&l, "* FLAGS (\\Answered \\Seen)", 25);
	assert_string_equal(l.text, "* FLAGS (\\Answered \\Seen)");
	assert_int_equal(l.nspans, 1);
	assert_int_equal(l.spans[0].elem, TE_SERVER_PLAIN);
	sline_free(&l);
}

static void
test_escaped_bidi_override_is_marked(void **state)
{
	struct sline l;
	(void)state;
	sline_init(&l);
	add_bytes(&l, "evil\xe2\x80\xaetxt.exe", 14);
	assert_string_equal(l.text, "evil\\u202etxt.exe");
	size_t at = testutil_offset_of(&l, "\\u202e");
	for (size_t i = at; i < at + 6; i++)
		assert_int_equal(testutil_elem_at(&l, i), TE_ESCAPED);
	assert_int_equal(testutil_elem_at(&l, at + 6), TE_SERVER_PLAIN);
	sline_free(&l);
}

static void
test_escaped_invalid_byte_is_marked(void **state)
{
	struct sline l;
	(void)state;
	sline_init(&l);
	add_bytes(&l, "x\xffy", 3);
	assert_string_equal(l.text, "x\\xffy");
	assert_int_equal(testutil_elem_at(&l, 1), TE_ESCAPED);
	assert_int_equal(testutil_elem_at(&l, 4), TE_ESCAPED);
	assert_int_equal(testutil_elem_at(&l, 5), TE_SERVER_PLAIN);
	sline_free(&l);
}

static void
test_escaped_valid_utf8_is_not_marked(void **state)
{
	struct sline l;
	(void)state;
	sline_init(&l);
	add_bytes(&l, "gr\xc3\xbc\xc3\x9f \xe6\x97\xa5", 10);
	assert_string_equal(l.text, "gr\xc3\xbc\xc3\x9f \xe6\x97\xa5");
	assert_int_equal(l.nspans, 1);
	assert_int_equal(l.spans[0].elem, TE_SERVER_PLAIN);
	sline_free(&l);
}

static void
test_escaped_text_equals_escape_bytes_on_random_input(void **state)
{
	static const unsigned char pool[] = {
	    'a',  ' ',  '\\', 0x1b, '\r', 0,    0x7f, 0x80, 0xbf, 0xc0, 0xc3, 0xa9,
	    0xe2, 0x80, 0xae, 0xe6, 0x97, 0xf0, 0x9f, 0x98, 0x80, 0xff, 0xed, 0xa0,
	};
	unsigned char buf[64];
	(void)state;
	srand(7);
	for (int round = 0; round < 3000; round++) {
		size_t n = (size_t)(rand() % (int)sizeof buf);
		for (size_t i = 0; i < n; i++)
			buf[i] = pool[rand() % (int)sizeof pool];
		struct sline l;
		sline_init(&l);
		sline_add_escaped(&l, TE_SERVER_PLAIN, TE_ESCAPED, buf, n);
		char *want = escape_bytes(buf, n, ESCAPE_TEXT);
		assert_string_equal(l.text, want);
		assert_int_equal(span_total(&l), l.len);
		size_t off = 0;
		for (size_t s = 0; s < l.nspans; s++) {
			const char *p = l.text + off;
			if (l.spans[s].elem == TE_ESCAPED)
				assert_int_equal(p[0], '\\');
			else
				assert_non_null(memmem(buf, n, p, l.spans[s].len));
			off += l.spans[s].len;
		}
		free(want);
		sline_free(&l);
	}
}

static void
test_width_of_ascii_is_its_length(void **state)
{
	(void)state;
	assert_int_equal(utf8_width("EHLO test", 9), 9);
}

static void
test_width_of_cjk_and_emoji_is_two_columns_each(void **state)
{
	(void)state;
	assert_int_equal(utf8_width("\xe6\x97\xa5\xe6\x9c\xac", 6), 4);
	assert_int_equal(utf8_width("\xf0\x9f\x98\x80", 4), 2);
}

static void
test_width_of_combining_mark_is_zero(void **state)
{
	(void)state;
	assert_int_equal(utf8_width("e\xcc\x81", 3), 1);
}

static void
test_width_of_invalid_byte_is_one(void **state)
{
	(void)state;
	assert_int_equal(utf8_width("a\xff"
	                            "b",
	                            3),
	                 3);
	assert_int_equal(utf8_width("\xe6\x97", 2), 2);
}

static void
test_sline_width_counts_escapes_as_shown(void **state)
{
	struct sline l;
	(void)state;
	sline_init(&l);
	add_bytes(&l, "\x1b\xe6\x97\xa5", 4);
	assert_int_equal(sline_width(&l), 4 + 2);
	sline_free(&l);
}

static void
test_fit_never_splits_a_wide_character(void **state)
{
	const char *s = "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e";
	(void)state;
	assert_int_equal(utf8_fit(s, 9, 3), 3);
	assert_int_equal(utf8_fit(s, 9, 4), 6);
	assert_int_equal(utf8_fit(s, 9, 1), 0);
	assert_int_equal(utf8_fit(s, 9, 100), 9);
}

static void
test_fit_keeps_combining_mark_with_its_base(void **state)
{
	(void)state;
	assert_int_equal(utf8_fit("ae\xcc\x81x", 5, 2), 4);
}

static void
test_wrap_short_line_is_one_row(void **state)
{
	struct sline l;
	struct slines out;
	(void)state;
	sline_init(&l);
	slines_init(&out);
	sline_add(&l, TE_INFO, "short");
	l.tag = 17;
	sline_wrap(&l, 20, 3, TE_DEFAULT, &out);
	assert_int_equal(out.n, 1);
	assert_string_equal(out.v[0].text, "short");
	assert_int_equal(out.v[0].tag, 17);
	slines_free(&out);
	sline_free(&l);
}

static void
test_wrap_empty_line_is_one_empty_row(void **state)
{
	struct sline l;
	struct slines out;
	(void)state;
	sline_init(&l);
	slines_init(&out);
	sline_wrap(&l, 20, 3, TE_DEFAULT, &out);
	assert_int_equal(out.n, 1);
	assert_string_equal(out.v[0].text, "");
	slines_free(&out);
	sline_free(&l);
}

static void
test_wrap_continuation_rows_start_with_indent(void **state)
{
	struct sline l;
	struct slines out;
	(void)state;
	sline_init(&l);
	slines_init(&out);
	sline_add(&l, TE_INFO, "abcdefghijklmnopqrstuvwxyz");
	sline_wrap(&l, 10, 3, TE_HINT, &out);
	assert_int_equal(out.n, 4);
	assert_string_equal(out.v[0].text, "abcdefghij");
	assert_string_equal(out.v[1].text, "   klmnopq");
	assert_string_equal(out.v[2].text, "   rstuvwx");
	assert_string_equal(out.v[3].text, "   yz");
	assert_int_equal(out.v[1].spans[0].elem, TE_HINT);
	assert_int_equal(out.v[1].spans[0].len, 3);
	assert_int_equal(out.v[1].spans[1].elem, TE_INFO);
	slines_free(&out);
	sline_free(&l);
}

static void
test_wrap_appends_to_existing_rows(void **state)
{
	struct sline l;
	struct slines out;
	(void)state;
	sline_init(&l);
	slines_init(&out);
	sline_add(slines_push(&out), TE_INFO, "before");
	sline_add(&l, TE_INFO, "after");
	sline_wrap(&l, 10, 0, TE_DEFAULT, &out);
	assert_int_equal(out.n, 2);
	assert_string_equal(out.v[0].text, "before");
	assert_string_equal(out.v[1].text, "after");
	slines_free(&out);
	sline_free(&l);
}

static void
test_wrap_breaks_after_a_space(void **state)
{
	struct sline l;
	struct slines out;
	(void)state;
	sline_init(&l);
	slines_init(&out);
	sline_add(&l, TE_EXPLAIN, "the server offers STARTTLS");
	sline_wrap(&l, 20, 2, TE_DEFAULT, &out);
	assert_int_equal(out.n, 2);
	assert_string_equal(out.v[0].text, "the server offers ");
	assert_string_equal(out.v[1].text, "  STARTTLS");
	slines_free(&out);
	sline_free(&l);
}

static void
test_wrap_keeps_elements_across_the_break(void **state)
{
	struct sline l;
	struct slines out;
	(void)state;
	sline_init(&l);
	slines_init(&out);
	sline_add(&l, TE_SERVER_PLAIN, "abcdef");
	sline_add(&l, TE_ESCAPED, "\\x1b");
	sline_add(&l, TE_SERVER_PLAIN, "xyz");
	sline_wrap(&l, 8, 0, TE_DEFAULT, &out);
	assert_int_equal(out.n, 2);
	assert_string_equal(out.v[0].text, "abcdef\\x");
	assert_string_equal(out.v[1].text, "1bxyz");
	assert_int_equal(testutil_elem_at(&out.v[0], 5), TE_SERVER_PLAIN);
	assert_int_equal(testutil_elem_at(&out.v[0], 6), TE_ESCAPED);
	assert_int_equal(testutil_elem_at(&out.v[1], 1), TE_ESCAPED);
	assert_int_equal(testutil_elem_at(&out.v[1], 2), TE_SERVER_PLAIN);
	slines_free(&out);
	sline_free(&l);
}

static void
test_wrap_moves_a_wide_character_that_does_not_fit(void **state)
{
	struct sline l;
	struct slines out;
	(void)state;
	sline_init(&l);
	slines_init(&out);
	sline_add(&l, TE_INFO, "abc\xe6\x97\xa5");
	sline_wrap(&l, 4, 0, TE_DEFAULT, &out);
	assert_int_equal(out.n, 2);
	assert_string_equal(out.v[0].text, "abc");
	assert_string_equal(out.v[1].text, "\xe6\x97\xa5");
	slines_free(&out);
	sline_free(&l);
}

/* Random text of ASCII, spaces, Latin, CJK, emoji, combining marks and
 * escaped control and invalid bytes, in several elements. */
static void
random_line(struct sline *l)
{
	static const char *const pieces[] = {
	    "a",         "Z",    " ",  "\xc3\xa9", "\xe6\x97\xa5", "\xf0\x9f\x98\x80",
	    "e\xcc\x81", "\x1b", "\r", "\xff",     "\\",           "\xe2\x80\xae",
	    "\t",
	};
	static const enum theme_element elems[] = {TE_SERVER_PLAIN, TE_CLIENT_TLS, TE_INFO};
	int n = rand() % 60;

	for (int i = 0; i < n; i++) {
		const char *p = pieces[rand() % (int)(sizeof pieces / sizeof pieces[0])];
		const unsigned char *bytes = (const unsigned char *)p;
		sline_add_escaped(l, elems[rand() % 3], TE_ESCAPED, bytes, strlen(p));
	}
}

static void
test_wrap_respects_width_and_code_points_on_random_text(void **state)
{
	(void)state;
	srand(11);
	for (int round = 0; round < 150; round++) {
		struct sline l;
		sline_init(&l);
		random_line(&l);
		for (int width = 1; width <= 40; width++) {
			for (int indent = 0; indent <= 5; indent += 5) {
				struct slines out;
				slines_init(&out);
				sline_wrap(&l, width, indent, TE_DEFAULT, &out);
				assert_true(out.n >= 1);
				for (size_t r = 0; r < out.n; r++) {
					const struct sline *row = &out.v[r];
					int cols = utf8_width(row->text, row->len);
					assert_true(cols <= width);
					assert_true(valid_utf8(row->text, row->len));
					assert_int_equal(span_total(row), row->len);
				}
				slines_free(&out);
			}
		}
		sline_free(&l);
	}
}

static void
test_wrap_rows_join_back_to_the_line_with_its_elements(void **state)
{
	(void)state;
	srand(13);
	for (int round = 0; round < 150; round++) {
		struct sline l;
		sline_init(&l);
		random_line(&l);
		for (int width = 4; width <= 40; width++) {
			int indent = 3, eff = indent > width / 2 ? width / 2 : indent;
			struct slines out;
			size_t off = 0;
			slines_init(&out);
			sline_wrap(&l, width, indent, TE_HINT, &out);
			for (size_t r = 0; r < out.n; r++) {
				size_t skip = r == 0 ? 0 : (size_t)eff;
				const struct sline *row = &out.v[r];
				for (size_t k = 0; k < skip; k++) {
					assert_int_equal(row->text[k], ' ');
					assert_int_equal(testutil_elem_at(row, k), TE_HINT);
				}
				size_t n = row->len - skip;
				assert_true(off + n <= l.len);
				assert_memory_equal(row->text + skip, l.text + off, n);
				for (size_t k = 0; k < n; k++)
					assert_int_equal(testutil_elem_at(row, skip + k),
					                 testutil_elem_at(&l, off + k));
				off += n;
			}
			assert_int_equal(off, l.len);
			slines_free(&out);
		}
		sline_free(&l);
	}
}

static void
test_wrap_too_narrow_for_wide_character_shows_placeholder(void **state)
{
	struct sline l;
	struct slines out;
	(void)state;
	sline_init(&l);
	slines_init(&out);
	sline_add(&l, TE_INFO, "\xe6\x97\xa5");
	sline_wrap(&l, 1, 0, TE_DEFAULT, &out);
	assert_int_equal(out.n, 1);
	assert_string_equal(out.v[0].text, "?");
	assert_int_equal(out.v[0].spans[0].elem, TE_INFO);
	slines_free(&out);
	sline_free(&l);
}

static void
test_slines_push_gives_empty_lines_after_clear(void **state)
{
	struct slines s;
	(void)state;
	slines_init(&s);
	for (int i = 0; i < 20; i++)
		sline_addf(slines_push(&s), TE_INFO, "line %d", i);
	assert_int_equal(s.n, 20);
	assert_string_equal(s.v[19].text, "line 19");
	slines_clear(&s);
	assert_int_equal(s.n, 0);
	struct sline *l = slines_push(&s);
	assert_string_equal(l->text, "");
	assert_int_equal(l->nspans, 0);
	assert_int_equal(l->tag, 0);
	slines_free(&s);
	assert_int_equal(s.n, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_add_builds_text_and_one_span),
	    cmocka_unit_test(test_new_line_has_empty_text),
	    cmocka_unit_test(test_adjacent_adds_in_one_element_merge),
	    cmocka_unit_test(test_addf_formats_in_its_element),
	    cmocka_unit_test(test_clear_empties_and_keeps_working),
	    cmocka_unit_test(test_escaped_esc_is_shown_and_marked),
	    cmocka_unit_test(test_escaped_cr_nul_backslash_are_marked),
	    cmocka_unit_test(test_imap_flag_backslash_is_shown_as_sent),
	    cmocka_unit_test(test_escaped_bidi_override_is_marked),
	    cmocka_unit_test(test_escaped_invalid_byte_is_marked),
	    cmocka_unit_test(test_escaped_valid_utf8_is_not_marked),
	    cmocka_unit_test(test_escaped_text_equals_escape_bytes_on_random_input),
	    cmocka_unit_test(test_width_of_ascii_is_its_length),
	    cmocka_unit_test(test_width_of_cjk_and_emoji_is_two_columns_each),
	    cmocka_unit_test(test_width_of_combining_mark_is_zero),
	    cmocka_unit_test(test_width_of_invalid_byte_is_one),
	    cmocka_unit_test(test_sline_width_counts_escapes_as_shown),
	    cmocka_unit_test(test_fit_never_splits_a_wide_character),
	    cmocka_unit_test(test_fit_keeps_combining_mark_with_its_base),
	    cmocka_unit_test(test_wrap_short_line_is_one_row),
	    cmocka_unit_test(test_wrap_empty_line_is_one_empty_row),
	    cmocka_unit_test(test_wrap_continuation_rows_start_with_indent),
	    cmocka_unit_test(test_wrap_appends_to_existing_rows),
	    cmocka_unit_test(test_wrap_breaks_after_a_space),
	    cmocka_unit_test(test_wrap_keeps_elements_across_the_break),
	    cmocka_unit_test(test_wrap_moves_a_wide_character_that_does_not_fit),
	    cmocka_unit_test(test_wrap_respects_width_and_code_points_on_random_text),
	    cmocka_unit_test(test_wrap_rows_join_back_to_the_line_with_its_elements),
	    cmocka_unit_test(test_wrap_too_narrow_for_wide_character_shows_placeholder),
	    cmocka_unit_test(test_slines_push_gives_empty_lines_after_clear),
	};
	if (setlocale(LC_ALL, "C.UTF-8") == NULL)
		fail_msg("the C.UTF-8 locale is needed for column widths");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
