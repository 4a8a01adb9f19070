/*
 * dns: what the resolver's TXT answers become -- the strings of a record
 * joined as RFC 8461 and 8460 read them, and the record in presentation form,
 * safe to show whatever bytes it holds. Answers are built by hand: no
 * resolver, no network.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "dns.h"
#include "escape.h"

/* An answer of one record of a type with the rdata given. */
static void
answer(struct dns_answer *a, int type, const void *rdata, size_t len)
{
	static unsigned char *data[1];
	static size_t lens[1];

	memset(a, 0, sizeof *a);
	a->type = type;
	a->n = 1;
	data[0] = (unsigned char *)rdata;
	lens[0] = len;
	a->data = data;
	a->len = lens;
}

static void
txt_strings_are_joined_without_separators(void **state)
{
	static const unsigned char rd[] = "\x07v=STSv1\x06; id=1";
	struct dns_answer a;
	char buf[64];

	(void)state;
	answer(&a, DNS_TXT, rd, sizeof rd - 1);
	assert_int_equal(dns_txt(&a, 0, buf, sizeof buf), 13);
	assert_string_equal(buf, "v=STSv1; id=1");
	/* Cut to the buffer, the full length returned. */
	assert_int_equal(dns_txt(&a, 0, buf, 5), 13);
	assert_string_equal(buf, "v=ST");
}

static void
txt_string_longer_than_its_rdata_is_malformed(void **state)
{
	static const unsigned char rd[] = "\x09v=STSv1";
	struct dns_answer a;
	char buf[64];

	(void)state;
	answer(&a, DNS_TXT, rd, sizeof rd - 1);
	assert_int_equal(dns_txt(&a, 0, buf, sizeof buf), -1);
	char *p = dns_txt_presentation(&a, 0);
	assert_string_equal(p, "(unreadable record)");
	free(p);
}

static void
txt_presentation_quotes_each_string_and_escapes_every_odd_byte(void **state)
{
	static const unsigned char rd[] = "\x05\x1b[2J\"\x04\\\x00\xff\x0a";
	struct dns_answer a;

	(void)state;
	answer(&a, DNS_TXT, rd, sizeof rd - 1);
	char *p = dns_txt_presentation(&a, 0);
	assert_string_equal(p, "\"\\027[2J\\\"\" \"\\\\\\000\\255\\010\"");
	/* Nothing in it needs escaping to be shown on a terminal. */
	assert_false(escape_needed((const unsigned char *)p, strlen(p)));
	free(p);
}

static void
txt_functions_refuse_other_types(void **state)
{
	static const unsigned char rd[] = "\x7f\x00\x00\x01";
	struct dns_answer a;
	char buf[8];

	(void)state;
	answer(&a, DNS_A, rd, 4);
	assert_int_equal(dns_txt(&a, 0, buf, sizeof buf), -1);
	assert_int_equal(dns_txt(&a, 1, buf, sizeof buf), -1);
	assert_string_equal(dns_type_name(DNS_TXT), "TXT");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(txt_strings_are_joined_without_separators),
	    cmocka_unit_test(txt_string_longer_than_its_rdata_is_malformed),
	    cmocka_unit_test(txt_presentation_quotes_each_string_and_escapes_every_odd_byte),
	    cmocka_unit_test(txt_functions_refuse_other_types),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
