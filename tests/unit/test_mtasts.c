/*
 * mtasts: the MTA-STS TXT record, the policy file and its mx patterns (RFC
 * 8461 §3.1, §3.2, §4.1) and the TLS-RPT record (RFC 8460 §3), as a sending
 * server reads them. Pure: no network.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "mtasts.h"

/* Parses a policy given as a C string. */
static void
policy(const char *text, struct mtasts_policy *p)
{
	mtasts_policy_parse((const unsigned char *)text, strlen(text), p);
}

/* Parses TXT records given as C strings. */
static void
txt(struct mtasts_txt *t, size_t n, ...)
{
	const char *recs[8];
	size_t lens[8];
	va_list ap;

	va_start(ap, n);
	for (size_t i = 0; i < n; i++) {
		recs[i] = va_arg(ap, const char *);
		lens[i] = strlen(recs[i]);
	}
	va_end(ap);
	mtasts_txt_parse(recs, lens, n, t);
}

static void
enforce_policy_with_crlf_lines_parses_every_field(void **state)
{
	struct mtasts_policy p;

	(void)state;
	policy("version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\n"
	       "mx: *.example.net\r\nmax_age: 604800\r\n",
	       &p);
	assert_true(p.valid);
	assert_int_equal(p.mode, MTASTS_MODE_ENFORCE);
	assert_int_equal(p.max_age, 604800);
	assert_int_equal(p.nmx, 2);
	assert_string_equal(p.mx[0], "mail.example.com");
	assert_string_equal(p.mx[1], "*.example.net");
	assert_true(p.crlf);
	assert_int_equal(p.lines, 5);
	assert_int_equal(p.nnotes, 0);
}

static void
lf_lines_and_no_final_line_end_are_accepted(void **state)
{
	struct mtasts_policy p;

	(void)state;
	policy("version: STSv1\nmode: testing\nmx: mx.example.org\nmax_age: 86400", &p);
	assert_true(p.valid);
	assert_int_equal(p.mode, MTASTS_MODE_TESTING);
	assert_false(p.crlf);
	assert_int_equal(p.lines, 4);
}

static void
spaces_around_values_and_blank_lines_are_tolerated(void **state)
{
	struct mtasts_policy p;

	(void)state;
	policy("version:STSv1  \n\nmode:\tnone\n   \nmax_age:   10 \n", &p);
	assert_true(p.valid);
	assert_int_equal(p.mode, MTASTS_MODE_NONE);
	assert_int_equal(p.max_age, 10);
}

static void
unknown_keys_are_ignored_with_a_note(void **state)
{
	struct mtasts_policy p;

	(void)state;
	policy("version: STSv1\nmode: enforce\nfoo: a=b;c\nmx: a.example\nmax_age: 1\n", &p);
	assert_true(p.valid);
	assert_int_equal(p.nnotes, 1);
	assert_non_null(strstr(p.notes[0], "unknown key \"foo\""));
}

static void
a_repeated_key_keeps_its_first_value(void **state)
{
	struct mtasts_policy p;

	(void)state;
	policy("version: STSv1\nmode: testing\nmode: enforce\nmx: a.example\n"
	       "max_age: 5\nmax_age: 6\n",
	       &p);
	assert_true(p.valid);
	assert_int_equal(p.mode, MTASTS_MODE_TESTING);
	assert_int_equal(p.max_age, 5);
	assert_int_equal(p.nnotes, 2);
	assert_non_null(strstr(p.notes[0], "mode given again: the first one counts"));
}

static void
a_bad_second_value_of_a_key_is_ignored_too(void **state)
{
	struct mtasts_policy p;

	(void)state;
	policy("version: STSv1\nmode: enforce\nmode: bogus\nmx: a.example\nmax_age: 5\n",
	       &p);
	assert_true(p.valid);
	assert_int_equal(p.mode, MTASTS_MODE_ENFORCE);
}

static void
enforce_without_mx_is_invalid(void **state)
{
	struct mtasts_policy p;

	(void)state;
	policy("version: STSv1\nmode: enforce\nmax_age: 86400\n", &p);
	assert_false(p.valid);
	assert_string_equal(p.why, "mode enforce but no mx line: no MX host could match");
	policy("version: STSv1\nmode: testing\nmax_age: 86400\n", &p);
	assert_false(p.valid);
}

static void
mode_none_needs_no_mx(void **state)
{
	struct mtasts_policy p;

	(void)state;
	policy("version: STSv1\nmode: none\nmax_age: 86400\n", &p);
	assert_true(p.valid);
	assert_int_equal(p.nmx, 0);
}

static void
missing_version_mode_or_max_age_is_invalid(void **state)
{
	struct mtasts_policy p;

	(void)state;
	policy("mode: enforce\nmx: a.example\nmax_age: 1\n", &p);
	assert_false(p.valid);
	assert_string_equal(p.why, "no \"version: STSv1\" line");
	policy("version: STSv1\nmx: a.example\nmax_age: 1\n", &p);
	assert_false(p.valid);
	assert_non_null(strstr(p.why, "no mode line"));
	policy("version: STSv1\nmode: enforce\nmx: a.example\n", &p);
	assert_false(p.valid);
	assert_string_equal(p.why, "no max_age line");
	policy("", &p);
	assert_false(p.valid);
}

static void
keys_and_values_are_case_sensitive(void **state)
{
	struct mtasts_policy p;

	(void)state;
	policy("version: STSv1\nMode: enforce\nmx: a.example\nmax_age: 1\n", &p);
	assert_false(p.valid);
	assert_non_null(strstr(p.notes[0], "\"Mode\" is not \"mode\": keys are case-sensitive"));
	policy("version: STSv1\nmode: Enforce\nmx: a.example\nmax_age: 1\n", &p);
	assert_false(p.valid);
	assert_string_equal(p.why, "line 2: the mode must be enforce, testing or none");
	policy("version: stsv1\nmode: enforce\nmx: a.example\nmax_age: 1\n", &p);
	assert_false(p.valid);
	assert_string_equal(p.why, "line 1: the version must be STSv1");
}

static void
bad_values_make_the_policy_invalid(void **state)
{
	struct mtasts_policy p;

	(void)state;
	policy("version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 12345678901\n", &p);
	assert_false(p.valid);
	assert_non_null(strstr(p.why, "1 to 10 digits"));
	policy("version: STSv1\nmode: enforce\nmx: a.example\nmax_age: -1\n", &p);
	assert_false(p.valid);
	policy("version: STSv1\nmode: enforce\nmx: bad_host.example\nmax_age: 1\n", &p);
	assert_false(p.valid);
	assert_non_null(strstr(p.why, "line 3: the mx pattern"));
	policy("version: STSv1\nmode: enforce\nmx: a.*.example\nmax_age: 1\n", &p);
	assert_false(p.valid);
	policy("version: STSv1\nmode: enforce\nmx: *\nmax_age: 1\n", &p);
	assert_false(p.valid);
	policy("version: STSv1\nmode: enforce\nmx: -a.example\nmax_age: 1\n", &p);
	assert_false(p.valid);
}

static void
lines_that_are_not_pairs_or_hold_controls_are_invalid(void **state)
{
	struct mtasts_policy p;
	static const unsigned char nul[] =
	    "version: STSv1\nmode: enforce\0\nmx: a.example\nmax_age: 1\n";

	(void)state;
	policy("version: STSv1\n<html>\nmode: none\nmax_age: 1\n", &p);
	assert_false(p.valid);
	assert_string_equal(p.why, "line 2 is not a \"key: value\" pair");
	mtasts_policy_parse(nul, sizeof nul - 1, &p);
	assert_false(p.valid);
	assert_string_equal(p.why, "line 2 holds a control byte");
}

static void
max_age_over_a_year_is_capped(void **state)
{
	struct mtasts_policy p;

	(void)state;
	policy("version: STSv1\nmode: none\nmax_age: 9999999999\n", &p);
	assert_true(p.valid);
	assert_int_equal(p.max_age, MTASTS_MAX_AGE);
	assert_non_null(strstr(p.notes[0], "more than a year"));
}

static void
more_patterns_than_kept_are_counted(void **state)
{
	struct mtasts_policy p;
	char body[8192];
	size_t off = (size_t)snprintf(body, sizeof body,
	                              "version: STSv1\nmode: enforce\nmax_age: 1\n");

	(void)state;
	for (int i = 0; i < MTASTS_MX_MAX + 6; i++)
		off += (size_t)snprintf(body + off, sizeof body - off, "mx: m%d.example\n", i);
	policy(body, &p);
	assert_true(p.valid);
	assert_int_equal(p.nmx, MTASTS_MX_MAX);
	assert_int_equal(p.nmx_total, MTASTS_MX_MAX + 6);
	assert_int_equal(mtasts_policy_match(&p, "m63.example"), 63);
}

static void
wildcard_matches_exactly_one_leftmost_label(void **state)
{
	(void)state;
	assert_true(mtasts_mx_matches("*.example.com", "mx1.example.com"));
	assert_true(mtasts_mx_matches("*.example.com", "MX1.Example.COM."));
	assert_false(mtasts_mx_matches("*.example.com", "example.com"));
	assert_false(mtasts_mx_matches("*.example.com", "a.b.example.com"));
	assert_false(mtasts_mx_matches("*.example.com", ".example.com"));
	assert_false(mtasts_mx_matches("*.example.com", "mx1.example.com.evil"));
	assert_false(mtasts_mx_matches("*.example.com", "mx1xexample.com"));
}

static void
plain_pattern_matches_the_name_ignoring_case_and_final_dot(void **state)
{
	(void)state;
	assert_true(mtasts_mx_matches("mail.example.com", "mail.example.com"));
	assert_true(mtasts_mx_matches("mail.example.com", "MAIL.example.com."));
	assert_false(mtasts_mx_matches("mail.example.com", "mail.example.co"));
	assert_false(mtasts_mx_matches("mail.example.com", "x.mail.example.com"));
	assert_false(mtasts_mx_matches("mail.example.com", ""));
	assert_false(mtasts_mx_matches("", "mail.example.com"));
	/* A star inside a name is no wildcard. */
	assert_false(mtasts_mx_matches("m*.example.com", "mx.example.com"));
}

static void
policy_match_gives_the_first_pattern_that_matches(void **state)
{
	struct mtasts_policy p;

	(void)state;
	policy("version: STSv1\nmode: enforce\nmx: mail.example.com\nmx: *.example.com\n"
	       "max_age: 1\n",
	       &p);
	assert_int_equal(mtasts_policy_match(&p, "mx9.example.com"), 1);
	assert_int_equal(mtasts_policy_match(&p, "mail.example.com"), 0);
	assert_int_equal(mtasts_policy_match(&p, "mail.example.org"), -1);
}

static void
txt_record_gives_the_id(void **state)
{
	struct mtasts_txt t;

	(void)state;
	txt(&t, 1, "v=STSv1; id=20160831085700Z;");
	assert_int_equal(t.status, MTASTS_TXT_OK);
	assert_string_equal(t.id, "20160831085700Z");
	txt(&t, 1, "v=STSv1;id=abc");
	assert_int_equal(t.status, MTASTS_TXT_OK);
	assert_string_equal(t.id, "abc");
	txt(&t, 1, "v=STSv1; id=abc; ext=x:y");
	assert_int_equal(t.status, MTASTS_TXT_OK);
}

static void
txt_records_of_other_kinds_are_discarded(void **state)
{
	struct mtasts_txt t;

	(void)state;
	txt(&t, 2, "v=spf1 -all", "v=STSv1; id=1");
	assert_int_equal(t.status, MTASTS_TXT_OK);
	assert_string_equal(t.id, "1");
	txt(&t, 1, "v=spf1 -all");
	assert_int_equal(t.status, MTASTS_TXT_NONE);
	txt(&t, 0);
	assert_int_equal(t.status, MTASTS_TXT_NONE);
	txt(&t, 1, "v=STSv10; id=1");
	assert_int_equal(t.status, MTASTS_TXT_NONE);
}

static void
two_sts_records_count_as_none(void **state)
{
	struct mtasts_txt t;

	(void)state;
	txt(&t, 2, "v=STSv1; id=1", "v=STSv1; id=2");
	assert_int_equal(t.status, MTASTS_TXT_MANY);
	assert_string_equal(t.id, "");
}

static void
txt_record_without_a_good_id_is_invalid(void **state)
{
	struct mtasts_txt t;

	(void)state;
	txt(&t, 1, "v=STSv1;");
	assert_int_equal(t.status, MTASTS_TXT_INVALID);
	assert_string_equal(t.why, "the record has no id");
	txt(&t, 1, "v=STSv1; id=has-dash");
	assert_int_equal(t.status, MTASTS_TXT_INVALID);
	txt(&t, 1, "v=STSv1; id=123456789012345678901234567890123");
	assert_int_equal(t.status, MTASTS_TXT_INVALID);
	txt(&t, 1, "v=STSv1; junk");
	assert_int_equal(t.status, MTASTS_TXT_INVALID);
}

static void
content_type_text_plain_allows_parameters(void **state)
{
	(void)state;
	assert_true(mtasts_is_text_plain("text/plain"));
	assert_true(mtasts_is_text_plain("Text/Plain; charset=utf-8"));
	assert_false(mtasts_is_text_plain("text/html"));
	assert_false(mtasts_is_text_plain("text/plainx"));
	assert_false(mtasts_is_text_plain(""));
}

static void
tlsrpt_record_gives_the_report_addresses(void **state)
{
	struct mtasts_tlsrpt r;
	const char *one = "v=TLSRPTv1; rua=mailto:tls@example.com, https://r.example/x";
	const char *bad = "v=TLSRPTv1; rua=ftp://x";
	const char *none = "v=TLSRPTv1;";
	size_t len;

	(void)state;
	len = strlen(one);
	mtasts_tlsrpt_parse(&one, &len, 1, &r);
	assert_int_equal(r.status, MTASTS_TXT_OK);
	assert_int_equal(r.nrua, 2);
	assert_string_equal(r.rua[0], "mailto:tls@example.com");
	assert_string_equal(r.rua[1], "https://r.example/x");
	len = strlen(bad);
	mtasts_tlsrpt_parse(&bad, &len, 1, &r);
	assert_int_equal(r.status, MTASTS_TXT_INVALID);
	len = strlen(none);
	mtasts_tlsrpt_parse(&none, &len, 1, &r);
	assert_int_equal(r.status, MTASTS_TXT_INVALID);
	assert_string_equal(r.why, "the record has no rua");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(enforce_policy_with_crlf_lines_parses_every_field),
	    cmocka_unit_test(lf_lines_and_no_final_line_end_are_accepted),
	    cmocka_unit_test(spaces_around_values_and_blank_lines_are_tolerated),
	    cmocka_unit_test(unknown_keys_are_ignored_with_a_note),
	    cmocka_unit_test(a_repeated_key_keeps_its_first_value),
	    cmocka_unit_test(a_bad_second_value_of_a_key_is_ignored_too),
	    cmocka_unit_test(enforce_without_mx_is_invalid),
	    cmocka_unit_test(mode_none_needs_no_mx),
	    cmocka_unit_test(missing_version_mode_or_max_age_is_invalid),
	    cmocka_unit_test(keys_and_values_are_case_sensitive),
	    cmocka_unit_test(bad_values_make_the_policy_invalid),
	    cmocka_unit_test(lines_that_are_not_pairs_or_hold_controls_are_invalid),
	    cmocka_unit_test(max_age_over_a_year_is_capped),
	    cmocka_unit_test(more_patterns_than_kept_are_counted),
	    cmocka_unit_test(wildcard_matches_exactly_one_leftmost_label),
	    cmocka_unit_test(plain_pattern_matches_the_name_ignoring_case_and_final_dot),
	    cmocka_unit_test(policy_match_gives_the_first_pattern_that_matches),
	    cmocka_unit_test(txt_record_gives_the_id),
	    cmocka_unit_test(txt_records_of_other_kinds_are_discarded),
	    cmocka_unit_test(two_sts_records_count_as_none),
	    cmocka_unit_test(txt_record_without_a_good_id_is_invalid),
	    cmocka_unit_test(content_type_text_plain_allows_parameters),
	    cmocka_unit_test(tlsrpt_record_gives_the_report_addresses),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
