/*
 * json: a bounded reader of one JSON text (RFC 8259), such as a line of a
 * JSON Lines file, with no library. The text is checked whole -- grammar,
 * string escapes, UTF-8 -- and laid out as a flat array of tokens in
 * document order, so reading it needs no further checks and no recursion.
 * Limits keep memory and time bounded whatever the input: the nesting depth
 * and the number of tokens are capped, and a number longer than
 * JSON_NUMBER_MAX characters is refused.
 *
 * A token is a value; an object's children are its keys, each followed by
 * its value. Tokens are addressed by index; the root is 0.
 */
#ifndef STARTLE_JSON_H
#define STARTLE_JSON_H

#include <stdbool.h>
#include <stddef.h>

#define JSON_NUMBER_MAX 64

enum json_type {
	JSON_NULL,
	JSON_FALSE,
	JSON_TRUE,
	JSON_NUMBER,
	JSON_STRING,
	JSON_ARRAY,
	JSON_OBJECT
};

struct json_token {
	enum json_type type;
	size_t start, end; /* the token's text: a string's without its quotes */
	size_t next;       /* the index after this token and everything inside it */
	size_t count;      /* arrays: items; objects: members */
	bool escaped;      /* a string with a backslash escape in it */
};

struct json {
	const char *text;
	size_t len;
	struct json_token *tok;
	size_t ntok, cap;
};

struct json_limits {
	unsigned depth; /* nesting of arrays and objects, at most */
	size_t tokens;  /* values and keys, at most */
};

/* Parses text (len bytes; NULs inside are an error) into j, which keeps a
 * pointer to text. Returns 0, or -1 with a sentence in err ("at byte 12:
 * ..."); j is then empty. Free with json_free either way. */
int json_parse(struct json *j, const char *text, size_t len, const struct json_limits *lim,
               char *err, size_t errsize);
void json_free(struct json *j);

/* The value of key in object obj, or -1 when obj is not an object or has
 * no such key (the first of duplicates wins). */
long json_get(const struct json *j, size_t obj, const char *key);

/* The i-th item of array arr (i < count), or -1. */
long json_item(const struct json *j, size_t arr, size_t i);

/* A string token's bytes, unescaped, into a new buffer (NUL after them;
 * the bytes may hold NULs of their own) with *len; NULL if tok is not a
 * string. Caller frees. */
char *json_string(const struct json *j, long tok, size_t *len);

/* True if tok is a string equal to s. */
bool json_is(const struct json *j, long tok, const char *s);

/* A number token's value; false if tok is not a number. */
bool json_number(const struct json *j, long tok, double *out);

/* A number token that is a whole number from min to max; false otherwise. */
bool json_integer(const struct json *j, long tok, long long min, long long max,
                  long long *out);

/* A true or false token's value; false if tok is neither. */
bool json_bool(const struct json *j, long tok, bool *out);

#endif
