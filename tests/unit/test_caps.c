/*
 * Capability sets: lookup by keyword and by whole text, escaping, the bound,
 * and the comparison across the upgrade that decides caps-changed-after-tls.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "caps.h"

static void
fill(struct capset *c, const char *const *items)
{
	for (size_t i = 0; items[i] != NULL; i++)
		caps_add(c, (const unsigned char *)items[i], strlen(items[i]));
	c->known = true;
}

static void
keyword_lookup_ignores_parameters_and_case(void **state)
{
	struct capset c = {0};
	static const char *const items[] = {"SIZE 10240000", "auth=plain", "STARTTLS",
	                                    NULL};

	(void)state;
	fill(&c, items);
	assert_true(caps_has(&c, "size"));
	assert_true(caps_has(&c, "AUTH"));
	assert_true(caps_has(&c, "StartTLS"));
	assert_false(caps_has(&c, "SIZ"));
	assert_true(caps_has_exact(&c, "size 10240000"));
	assert_false(caps_has_exact(&c, "SIZE"));
	caps_clear(&c);
	assert_int_equal(c.n, 0);
	assert_false(c.known);
}

static void
control_bytes_are_stored_escaped(void **state)
{
	struct capset c = {0};

	(void)state;
	caps_add(&c, (const unsigned char *)"X\x1b[31m", 6);
	assert_string_equal(c.items[0], "X\\x1b[31m");
	caps_clear(&c);
}

static void
the_set_stops_growing_at_its_bound(void **state)
{
	struct capset c = {0};

	(void)state;
	for (int i = 0; i < CAPS_MAX + 10; i++)
		caps_add(&c, (const unsigned char *)"X", 1);
	assert_int_equal(c.n, CAPS_MAX);
	caps_clear(&c);
}

static void
losing_starttls_inside_tls_is_expected(void **state)
{
	struct capset before = {0}, after = {0};
	struct caps_change ch;
	static const char *const b[] = {"PIPELINING", "STARTTLS", NULL};
	static const char *const a[] = {"PIPELINING", NULL};

	(void)state;
	fill(&before, b);
	fill(&after, a);
	caps_compare(&before, &after, &ch);
	assert_string_equal(ch.added, "");
	assert_string_equal(ch.removed, " STARTTLS");
	assert_false(ch.unexpected);
	caps_clear(&before);
	caps_clear(&after);
}

static void
login_offered_only_inside_tls_is_expected(void **state)
{
	struct capset before = {0}, after = {0};
	struct caps_change ch;
	static const char *const b[] = {"PIPELINING", "STLS", "SASL", NULL};
	static const char *const a[] = {"PIPELINING", "USER", "SASL PLAIN LOGIN", NULL};

	(void)state;
	fill(&before, b);
	fill(&after, a);
	caps_compare(&before, &after, &ch);
	/* POP3 inside Dovecot's TLS: each capability stays one item, and login
	 * offered only once encrypted is what a careful server does. */
	assert_string_equal(ch.added, " USER, SASL PLAIN LOGIN");
	assert_string_equal(ch.removed, " STLS, SASL");
	assert_false(ch.unexpected);
	caps_clear(&before);
	caps_clear(&after);
}

static void
other_capabilities_changing_is_unexpected(void **state)
{
	struct capset before = {0}, after = {0};
	struct caps_change ch;
	static const char *const b[] = {"PIPELINING", "STARTTLS", "SIZE 100", NULL};
	static const char *const a[] = {"AUTH PLAIN", "SIZE 100", "SMTPUTF8", NULL};

	(void)state;
	fill(&before, b);
	fill(&after, a);
	caps_compare(&before, &after, &ch);
	assert_string_equal(ch.added, " AUTH PLAIN, SMTPUTF8");
	assert_string_equal(ch.removed, " PIPELINING, STARTTLS");
	assert_true(ch.unexpected);
	caps_clear(&before);
	caps_clear(&after);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(keyword_lookup_ignores_parameters_and_case),
	    cmocka_unit_test(control_bytes_are_stored_escaped),
	    cmocka_unit_test(the_set_stops_growing_at_its_bound),
	    cmocka_unit_test(losing_starttls_inside_tls_is_expected),
	    cmocka_unit_test(login_offered_only_inside_tls_is_expected),
	    cmocka_unit_test(other_capabilities_changing_is_unexpected),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
