/* The explorer's --compare as data: where a typed line goes, the prompt that
 * says so, and the comparison pane's rows at every width. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <locale.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "compareview.h"
#include "styled.h"
#include "target.h"

/* A side of target text, as compare_side_init makes it. */
static void
side_of(struct compare_side *c, const char *name, const char *target)
{
	struct target t;
	char *cause = NULL;

	assert_int_equal(target_parse(target, -1, -1, &t, &cause), 0);
	compare_side_init(c, name, &t);
}

/* The explicit side after an honest STARTTLS, the implicit side encrypted
 * from the first byte; both ended well with the same chain. */
static void
honest_pair(struct compare_side *a, struct compare_side *b)
{
	side_of(a, "a", "smtp://127.0.0.1:2525");
	side_of(b, "b", "smtps://127.0.0.1:2465");
	compare_set_plain_bytes(a, 273);
	a->plaintext_lines = 10;
	a->reveals = REVEAL_GREETING | REVEAL_CAPS | REVEAL_STARTTLS;
	for (int i = 0; i < 2; i++) {
		struct compare_side *c = i == 0 ? a : b;
		c->tls = c->handshake_began = true;
		snprintf(c->tls_version, sizeof c->tls_version, "TLSv1.3");
		snprintf(c->cipher, sizeof c->cipher, "TLS_AES_128_GCM_SHA256");
		snprintf(c->group, sizeof c->group, "X25519");
		c->time_to_tls_ms = i == 0 ? 74.4 : 55.7;
		c->have_verdict = c->verified = c->name_match = true;
		snprintf(c->chain[0], sizeof c->chain[0], "%064d", 1);
		c->nchain = 1;
	}
}

/* The rows as one text, a row a line. */
static char *
rows_text(const struct slines *rows)
{
	size_t len = 1;
	for (size_t i = 0; i < rows->n; i++)
		len += rows->v[i].len + 1;
	char *s = calloc(1, len);
	for (size_t i = 0; i < rows->n; i++) {
		strcat(s, rows->v[i].text);
		strcat(s, "\n");
	}
	return s;
}

static char *
build(const struct compare_side *a, const struct compare_side *b, int width)
{
	struct slines rows;

	slines_init(&rows);
	compareview_rows(a, b, width, &rows);
	char *s = rows_text(&rows);
	slines_free(&rows);
	return s;
}

static void
test_aim_cycles_both_a_b(void **state)
{
	(void)state;
	assert_int_equal(compareview_aim_next(AIM_BOTH), AIM_A);
	assert_int_equal(compareview_aim_next(AIM_A), AIM_B);
	assert_int_equal(compareview_aim_next(AIM_B), AIM_BOTH);
	assert_string_equal(compareview_aim_name(AIM_BOTH), "both");
	assert_string_equal(compareview_aim_name(AIM_B), "b");
}

static void
test_a_line_goes_to_both_sides_but_the_upgrade_to_the_explicit_one(void **state)
{
	struct compare_side a, b;
	const unsigned both = COMPAREVIEW_SIDE_A | COMPAREVIEW_SIDE_B;
	(void)state;
	honest_pair(&a, &b);
	assert_int_equal(compareview_sides(AIM_BOTH, &a, &b, "NOOP"), both);
	assert_int_equal(compareview_sides(AIM_BOTH, &a, &b, "EHLO me"), both);
	assert_int_equal(compareview_sides(AIM_BOTH, &a, &b, "STARTTLS"),
	                 COMPAREVIEW_SIDE_A);
	assert_int_equal(compareview_sides(AIM_BOTH, &a, &b, "starttls"),
	                 COMPAREVIEW_SIDE_A);
	/* The implicit side listed first changes nothing. */
	assert_int_equal(compareview_sides(AIM_BOTH, &b, &a, "STARTTLS"),
	                 COMPAREVIEW_SIDE_B);
}

static void
test_pop3_stls_goes_to_the_explicit_side_only(void **state)
{
	struct compare_side a, b;
	(void)state;
	side_of(&a, "a", "pop3://127.0.0.1:1110");
	side_of(&b, "b", "pop3s://127.0.0.1:1995");
	assert_int_equal(compareview_sides(AIM_BOTH, &a, &b, "STLS"), COMPAREVIEW_SIDE_A);
	assert_int_equal(compareview_sides(AIM_BOTH, &a, &b, "CAPA"),
	                 COMPAREVIEW_SIDE_A | COMPAREVIEW_SIDE_B);
}

static void
test_imap_starttls_goes_to_the_explicit_side_with_a_tag_or_without(void **state)
{
	struct compare_side a, b;
	(void)state;
	side_of(&a, "a", "imap://127.0.0.1:1143");
	side_of(&b, "b", "imaps://127.0.0.1:1993");
	assert_int_equal(compareview_sides(AIM_BOTH, &a, &b, "a1 STARTTLS"),
	                 COMPAREVIEW_SIDE_A);
	/* Typed as the explorer takes it: the tag is added on sending. */
	assert_int_equal(compareview_sides(AIM_BOTH, &a, &b, "STARTTLS"),
	                 COMPAREVIEW_SIDE_A);
	assert_int_equal(compareview_sides(AIM_BOTH, &a, &b, "CAPABILITY"),
	                 COMPAREVIEW_SIDE_A | COMPAREVIEW_SIDE_B);
}

static void
test_aimed_at_one_side_a_line_goes_there_whatever_it_is(void **state)
{
	struct compare_side a, b;
	(void)state;
	honest_pair(&a, &b);
	assert_int_equal(compareview_sides(AIM_A, &a, &b, "NOOP"), COMPAREVIEW_SIDE_A);
	assert_int_equal(compareview_sides(AIM_B, &a, &b, "NOOP"), COMPAREVIEW_SIDE_B);
	assert_int_equal(compareview_sides(AIM_B, &a, &b, "STARTTLS"), COMPAREVIEW_SIDE_B);
}

static void
test_starttls_command_goes_to_explicit_sides_unless_aimed(void **state)
{
	struct compare_side a, b, c;
	(void)state;
	honest_pair(&a, &b);
	side_of(&c, "a", "smtps://127.0.0.1:3465");
	assert_int_equal(compareview_starttls_sides(AIM_BOTH, &a, &b), COMPAREVIEW_SIDE_A);
	assert_int_equal(compareview_starttls_sides(AIM_BOTH, &c, &b), 0);
	assert_int_equal(compareview_starttls_sides(AIM_B, &a, &b), COMPAREVIEW_SIDE_B);
	assert_int_equal(compareview_starttls_sides(AIM_A, &c, &b), COMPAREVIEW_SIDE_A);
}

static void
test_prompt_says_where_lines_go_and_each_phase(void **state)
{
	char buf[80];
	(void)state;
	compareview_prompt(AIM_BOTH, "smtp", "plain", "tls", buf, sizeof buf);
	assert_string_equal(buf, "a+b smtp a:plain b:tls> ");
	compareview_prompt(AIM_A, "smtp", "plain", "tls", buf, sizeof buf);
	assert_string_equal(buf, "a smtp plain> ");
	compareview_prompt(AIM_B, "imap", "plain", "closed", buf, sizeof buf);
	assert_string_equal(buf, "b imap closed> ");
}

static void
test_rows_show_each_sides_figures_in_its_column(void **state)
{
	struct compare_side a, b;
	(void)state;
	honest_pair(&a, &b);
	char *s = build(&a, &b, 100);
	assert_non_null(strstr(s, "a explicit"));
	assert_non_null(strstr(s, "b implicit"));
	const char *row = strstr(s, " plaintext ");
	assert_non_null(row);
	const char *end = strchr(row, '\n');
	const char *va = strstr(row, "273 bytes, 10 lines"),
	           *vb = strstr(row, "0 bytes, 0 lines");
	assert_true(va != NULL && va < end);
	assert_true(vb != NULL && vb < end && vb > va);
	assert_non_null(strstr(s, "TLSv1.3"));
	assert_non_null(strstr(s, "74.4 ms"));
	assert_non_null(strstr(s, "verified, name matches"));
	assert_non_null(strstr(s, " same chain   yes"));
	/* The target and the mode head the columns: no rows of theirs. */
	assert_null(strstr(s, " target "));
	assert_null(strstr(s, "127.0.0.1"));
	free(s);
}

static void
test_differences_are_so_far_until_both_sides_ended(void **state)
{
	struct compare_side a, b;
	(void)state;
	honest_pair(&a, &b);
	char *s = build(&a, &b, 120);
	assert_non_null(strstr(s, " differences so far"));
	assert_non_null(strstr(s, "nothing to read, strip or inject"));
	free(s);
	compare_close(&a, 0);
	compare_close(&b, 0);
	s = build(&a, &b, 120);
	assert_null(strstr(s, "so far"));
	assert_non_null(strstr(s, " differences\n"));
	free(s);
}

static void
test_a_stripped_explicit_side_is_said_in_words(void **state)
{
	struct compare_side a, b;
	(void)state;
	honest_pair(&a, &b);
	a.tls = a.handshake_began = a.have_verdict = false;
	a.nchain = 0;
	a.findings[a.nfindings++] = FINDING_STARTTLS_NOT_OFFERED;
	compare_close(&a, 0);
	compare_close(&b, 0);
	char *s = build(&a, &b, 1000); /* a sentence a row */
	assert_non_null(strstr(s, "starttls-not-offered"));
	assert_non_null(strstr(s, "an attacker who strips it"));
	assert_non_null(strstr(s, "never reached TLS"));
	free(s);
}

/* At every width from 8 columns up, no row is wider than the pane, and from
 * 24 up the figures are there (tabled, or listed when narrow). */
static void
test_every_row_fits_its_width(void **state)
{
	struct compare_side a, b;
	struct slines rows;
	(void)state;
	honest_pair(&a, &b);
	a.findings[a.nfindings++] = FINDING_STARTTLS_INJECTION;
	for (int width = 8; width <= 200; width++) {
		slines_init(&rows);
		compareview_rows(&a, &b, width, &rows);
		assert_true(rows.n > 10);
		for (size_t i = 0; i < rows.n; i++)
			assert_true(sline_width(&rows.v[i]) <= width);
		char *s = rows_text(&rows);
		if (width >= 24) {
			assert_non_null(strstr(s, "plaintext"));
			assert_non_null(strstr(s, "273 bytes"));
		}
		free(s);
		slines_free(&rows);
	}
}

static void
test_narrow_panes_list_the_figures_side_by_side_no_longer(void **state)
{
	struct compare_side a, b;
	(void)state;
	honest_pair(&a, &b);
	char *s = build(&a, &b, 30);
	assert_non_null(
	    strstr(s, " plaintext\n   a 273 bytes, 10 lines\n   b 0 bytes, 0 lines\n"));
	free(s);
}

static void
test_control_bytes_in_an_error_are_shown_escaped(void **state)
{
	struct compare_side a, b;
	(void)state;
	honest_pair(&a, &b);
	a.tls = false;
	snprintf(a.error, sizeof a.error, "bad \x1b[31m greeting");
	compare_close(&a, 4);
	compare_close(&b, 0);
	char *s = build(&a, &b, 120);
	assert_null(strchr(s, '\x1b'));
	free(s);
}

int
main(void)
{
	setlocale(LC_ALL, "C.UTF-8");
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_aim_cycles_both_a_b),
	    cmocka_unit_test(
	        test_a_line_goes_to_both_sides_but_the_upgrade_to_the_explicit_one),
	    cmocka_unit_test(test_pop3_stls_goes_to_the_explicit_side_only),
	    cmocka_unit_test(
	        test_imap_starttls_goes_to_the_explicit_side_with_a_tag_or_without),
	    cmocka_unit_test(test_aimed_at_one_side_a_line_goes_there_whatever_it_is),
	    cmocka_unit_test(test_starttls_command_goes_to_explicit_sides_unless_aimed),
	    cmocka_unit_test(test_prompt_says_where_lines_go_and_each_phase),
	    cmocka_unit_test(test_rows_show_each_sides_figures_in_its_column),
	    cmocka_unit_test(test_differences_are_so_far_until_both_sides_ended),
	    cmocka_unit_test(test_a_stripped_explicit_side_is_said_in_words),
	    cmocka_unit_test(test_every_row_fits_its_width),
	    cmocka_unit_test(test_narrow_panes_list_the_figures_side_by_side_no_longer),
	    cmocka_unit_test(test_control_bytes_in_an_error_are_shown_escaped),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
