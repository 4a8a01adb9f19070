/* The bounded JSON reader (json.h) and base64 (base64.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base64.h"
#include "json.h"

static const struct json_limits lim = {.depth = 8, .tokens = 64};

/* Parses text; returns 0 or -1 and leaves the error in err. */
static int
parse(struct json *j, const char *text, char *err)
{
	return json_parse(j, text, strlen(text), &lim, err, 160);
}

static void
test_object_members_are_found_by_key(void **state)
{
	struct json j;
	char err[160];
	double d;
	bool b;
	long long n;
	(void)state;
	assert_int_equal(
	    parse(&j, " {\"a\":[1,{\"x\":null}],\"b\":true,\"n\":-12,\"d\":0.25e1} ", err),
	    0);
	assert_int_equal(j.tok[0].type, JSON_OBJECT);
	assert_int_equal(j.tok[0].count, 4);
	long a = json_get(&j, 0, "a");
	assert_int_equal(j.tok[a].type, JSON_ARRAY);
	assert_int_equal(j.tok[json_item(&j, (size_t)a, 1)].type, JSON_OBJECT);
	assert_int_equal(json_item(&j, (size_t)a, 2), -1);
	assert_true(json_bool(&j, json_get(&j, 0, "b"), &b) && b);
	assert_true(json_integer(&j, json_get(&j, 0, "n"), -100, 100, &n));
	assert_int_equal(n, -12);
	assert_false(json_integer(&j, json_get(&j, 0, "n"), 0, 100, &n));
	assert_true(json_number(&j, json_get(&j, 0, "d"), &d));
	assert_true(d == 2.5);
	assert_false(json_integer(&j, json_get(&j, 0, "d"), -100, 100, &n));
	assert_int_equal(json_get(&j, 0, "x"), -1); /* only the object's own keys */
	json_free(&j);
}

static void
test_strings_unescape_to_their_bytes(void **state)
{
	struct json j;
	char err[160], *s;
	size_t n;
	(void)state;
	assert_int_equal(
	    parse(&j,
	          "[\"a\\u0000b\\n\\\"\\\\\\/\",\"\\u00e9\\ud83d\\ude00\",\"\xc3\xa9\"]",
	          err),
	    0);
	s = json_string(&j, json_item(&j, 0, 0), &n);
	assert_int_equal(n, 7);
	assert_memory_equal(s, "a\0b\n\"\\/", 7);
	free(s);
	s = json_string(&j, json_item(&j, 0, 1), &n);
	assert_int_equal(n, 6);
	assert_memory_equal(s, "\xc3\xa9\xf0\x9f\x98\x80", 6);
	free(s);
	assert_true(json_is(&j, json_item(&j, 0, 2), "\xc3\xa9"));
	json_free(&j);
}

static void
test_bad_text_is_refused_with_where(void **state)
{
	static const char *const bad[] = {
	    "",
	    "{",
	    "{\"a\"}",
	    "{\"a\":1,}",
	    "[1 2]",
	    "01",
	    "-",
	    "1.",
	    "1e",
	    "tru",
	    "\"a",
	    "\"\x01\"",
	    "\"\\x\"",
	    "\"\\u12\"",
	    "\"\\ud800\"",
	    "\"\\udc00\"",
	    "\"\xff\"",
	    "\"\xc0\xaf\"",
	    "{1:2}",
	    "[] []",
	    "nul",
	    "\"\xed\xa0\x80\"",
	};
	struct json j;
	char err[160];
	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err[0] = '\0';
		assert_int_equal(parse(&j, bad[i], err), -1);
		assert_non_null(strstr(err, "at byte "));
		assert_int_equal(j.ntok, 0);
		json_free(&j);
	}
}

static void
test_limits_bound_depth_tokens_and_numbers(void **state)
{
	struct json j;
	char err[160], deep[32], many[200], num[80];
	(void)state;
	memset(deep, '[', 9);
	memset(deep + 9, ']', 9);
	deep[18] = '\0';
	assert_int_equal(parse(&j, deep, err), -1);
	assert_non_null(strstr(err, "nested deeper than 8"));
	json_free(&j);
	memset(deep, '[', 8);
	memset(deep + 8, ']', 8);
	deep[16] = '\0';
	assert_int_equal(parse(&j, deep, err), 0); /* 8 levels are fine */
	json_free(&j);
	strcpy(many, "[");
	for (int i = 0; i < 64; i++)
		strcat(many, i ? ",0" : "0");
	strcat(many, "]");
	assert_int_equal(parse(&j, many, err), -1);
	assert_non_null(strstr(err, "more than 64"));
	json_free(&j);
	memset(num, '1', 65);
	num[65] = '\0';
	assert_int_equal(parse(&j, num, err), -1);
	assert_non_null(strstr(err, "longer than 64"));
	json_free(&j);
}

static void
test_a_nul_in_the_text_is_refused(void **state)
{
	struct json j;
	char err[160];
	(void)state;
	assert_int_equal(json_parse(&j, "{\"a\":\"x\0\"}", 10, &lim, err, sizeof err), -1);
	json_free(&j);
	assert_int_equal(json_parse(&j, "[1]\0", 4, &lim, err, sizeof err), -1);
	json_free(&j);
}

/* base64_write into a string. */
static char *
encode(const void *data, size_t len)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);

	base64_write(f, data, len);
	fclose(f);
	return buf;
}

static void
test_base64_round_trips_every_length(void **state)
{
	unsigned char bytes[70];
	(void)state;
	for (size_t i = 0; i < sizeof bytes; i++)
		bytes[i] = (unsigned char)(i * 37 + 200);
	for (size_t len = 0; len <= sizeof bytes; len++) {
		char *text = encode(bytes, len);
		char *same = base64_encode(bytes, len);
		size_t n;
		assert_string_equal(same, text); /* the string and the stream agree */
		free(same);
		assert_int_equal(strlen(text), base64_encoded_len(len));
		unsigned char *back = base64_decode(text, strlen(text), &n);
		assert_non_null(back);
		assert_int_equal(n, len);
		assert_memory_equal(back, bytes, len);
		free(back);
		free(text);
	}
	char *rfc = encode("foobar", 6);
	assert_string_equal(rfc, "Zm9vYmFy");
	free(rfc);
	rfc = encode("fo", 2);
	assert_string_equal(rfc, "Zm8=");
	free(rfc);
}

static void
test_base64_refuses_what_is_not_strict(void **state)
{
	static const char *const bad[] = {"Zm9",   "Zm9v=",      "Zm=v",  "Zm9v YmFy",
	                                  "Zm8==", "Zm9=",       "Zg=\n", "====",
	                                  "Zh==",  "Zm9v\x80mFy"};
	size_t n;
	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_null(base64_decode(bad[i], strlen(bad[i]), &n));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_object_members_are_found_by_key),
	    cmocka_unit_test(test_strings_unescape_to_their_bytes),
	    cmocka_unit_test(test_bad_text_is_refused_with_where),
	    cmocka_unit_test(test_limits_bound_depth_tokens_and_numbers),
	    cmocka_unit_test(test_a_nul_in_the_text_is_refused),
	    cmocka_unit_test(test_base64_round_trips_every_length),
	    cmocka_unit_test(test_base64_refuses_what_is_not_strict),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
