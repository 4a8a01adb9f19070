#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "json.h"
#include "util.h"

/* A parse under way: where it is, how deep, and the first error. */
struct json_parser {
	struct json *j;
	const struct json_limits *lim;
	size_t pos;
	unsigned depth;
	char *err;
	size_t errsize;
};

static int
json_fail(struct json_parser *p, const char *what)
{
	snprintf(p->err, p->errsize, "at byte %zu: %s", p->pos + 1, what);
	return -1;
}

static void
json_skip_space(struct json_parser *p)
{
	const char *s = p->j->text;

	while (p->pos < p->j->len && (s[p->pos] == ' ' || s[p->pos] == '\t' ||
	                              s[p->pos] == '\n' || s[p->pos] == '\r'))
		p->pos++;
}

/* A new token of type starting here; -1 past the limit. */
static long
json_new_token(struct json_parser *p, enum json_type type)
{
	struct json *j = p->j;

	if (j->ntok >= p->lim->tokens) {
		char what[80];
		snprintf(what, sizeof what, "more than %zu values and keys",
		         p->lim->tokens);
		return json_fail(p, what);
	}
	if (j->ntok == j->cap) {
		j->cap = j->cap ? j->cap * 2 : 32;
		if (j->cap > p->lim->tokens)
			j->cap = p->lim->tokens;
		j->tok = xrealloc(j->tok, j->cap * sizeof *j->tok);
	}
	j->tok[j->ntok] = (struct json_token){.type = type, .start = p->pos, .end = p->pos};
	return (long)j->ntok++;
}

/* The four hex digits of a \u escape at s; -1 if they are not. */
static long
json_hex4(const char *s, size_t avail)
{
	long v = 0;

	if (avail < 4)
		return -1;
	for (int i = 0; i < 4; i++) {
		int d = util_hex_digit((unsigned char)s[i]);
		if (d < 0)
			return -1;
		v = v * 16 + d;
	}
	return v;
}

/* A backslash escape at p->pos (just after the backslash). */
static int
json_escape(struct json_parser *p)
{
	const char *s = p->j->text;
	size_t avail = p->j->len - p->pos;

	if (avail == 0)
		return json_fail(p, "the text ends inside a string");
	if (strchr("\"\\/bfnrt", s[p->pos]) != NULL && s[p->pos] != '\0') {
		p->pos++;
		return 0;
	}
	if (s[p->pos] != 'u')
		return json_fail(p, "an unknown escape after a backslash");
	long cp = json_hex4(s + p->pos + 1, avail - 1);
	if (cp < 0)
		return json_fail(p, "\\u needs four hex digits");
	p->pos += 5;
	if (cp >= 0xdc00 && cp <= 0xdfff)
		return json_fail(p, "a low surrogate without a high one before it");
	if (cp >= 0xd800 && cp <= 0xdbff) {
		long lo =
		    p->pos + 1 < p->j->len && s[p->pos] == '\\' && s[p->pos + 1] == 'u'
		        ? json_hex4(s + p->pos + 2, p->j->len - p->pos - 2)
		        : -1;
		if (lo < 0xdc00 || lo > 0xdfff)
			return json_fail(p, "a high surrogate without a low one after it");
		p->pos += 6;
	}
	return 0;
}

static int
json_parse_string(struct json_parser *p)
{
	const unsigned char *s = (const unsigned char *)p->j->text;
	long t = json_new_token(p, JSON_STRING);

	if (t < 0)
		return -1;
	p->j->tok[t].start = ++p->pos;
	for (;;) {
		if (p->pos >= p->j->len)
			return json_fail(p, "the text ends inside a string");
		unsigned char c = s[p->pos];
		if (c == '"')
			break;
		if (c < 0x20)
			return json_fail(p,
			                 "a control character inside a string (it must be "
			                 "escaped)");
		if (c == '\\') {
			p->j->tok[t].escaped = true;
			p->pos++;
			if (json_escape(p) != 0)
				return -1;
		} else if (c >= 0x80) {
			unsigned cp;
			size_t n = escape_utf8_decode(s + p->pos, p->j->len - p->pos, &cp);
			if (n == 0)
				return json_fail(
				    p, "bytes that are not UTF-8 inside a string");
			p->pos += n;
		} else {
			p->pos++;
		}
	}
	p->j->tok[t].end = p->pos++;
	p->j->tok[t].next = p->j->ntok;
	return 0;
}

/* Skips a run of digits; false if there is none. */
static bool
json_digits(struct json_parser *p)
{
	size_t start = p->pos;

	while (p->pos < p->j->len && p->j->text[p->pos] >= '0' && p->j->text[p->pos] <= '9')
		p->pos++;
	return p->pos > start;
}

static int
json_parse_number(struct json_parser *p)
{
	const char *s = p->j->text;
	long t = json_new_token(p, JSON_NUMBER);

	if (t < 0)
		return -1;
	if (s[p->pos] == '-')
		p->pos++;
	if (p->pos < p->j->len && s[p->pos] == '0')
		p->pos++;
	else if (!json_digits(p))
		return json_fail(p, "a number needs digits");
	if (p->pos < p->j->len && s[p->pos] == '.') {
		p->pos++;
		if (!json_digits(p))
			return json_fail(p,
			                 "a number needs digits after its decimal point");
	}
	if (p->pos < p->j->len && (s[p->pos] == 'e' || s[p->pos] == 'E')) {
		p->pos++;
		if (p->pos < p->j->len && (s[p->pos] == '+' || s[p->pos] == '-'))
			p->pos++;
		if (!json_digits(p))
			return json_fail(p, "a number needs digits in its exponent");
	}
	p->j->tok[t].end = p->pos;
	p->j->tok[t].next = p->j->ntok;
	if (p->pos - p->j->tok[t].start > JSON_NUMBER_MAX)
		return json_fail(p, "a number longer than 64 characters");
	return 0;
}

/* true, false or null. */
static int
json_parse_word(struct json_parser *p)
{
	static const struct {
		const char *word;
		enum json_type type;
	} words[] = {{"true", JSON_TRUE}, {"false", JSON_FALSE}, {"null", JSON_NULL}};

	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
		size_t n = strlen(words[i].word);
		if (p->j->len - p->pos >= n &&
		    memcmp(p->j->text + p->pos, words[i].word, n) == 0) {
			long t = json_new_token(p, words[i].type);
			if (t < 0)
				return -1;
			p->pos += n;
			p->j->tok[t].end = p->pos;
			p->j->tok[t].next = p->j->ntok;
			return 0;
		}
	}
	return json_fail(p, "not a JSON value");
}

static int json_parse_value(struct json_parser *p);

/* An array or an object at p->pos: items, or key: value members. */
static int
json_parse_container(struct json_parser *p, bool object)
{
	long t = json_new_token(p, object ? JSON_OBJECT : JSON_ARRAY);
	char close = object ? '}' : ']';

	if (t < 0)
		return -1;
	if (++p->depth > p->lim->depth) {
		char what[64];
		snprintf(what, sizeof what, "nested deeper than %u levels", p->lim->depth);
		return json_fail(p, what);
	}
	p->pos++;
	json_skip_space(p);
	if (p->pos < p->j->len && p->j->text[p->pos] == close) {
		p->pos++;
	} else {
		for (;;) {
			json_skip_space(p);
			if (object) {
				if (p->pos >= p->j->len || p->j->text[p->pos] != '"')
					return json_fail(
					    p, "an object's key must be a string");
				if (json_parse_string(p) != 0)
					return -1;
				json_skip_space(p);
				if (p->pos >= p->j->len || p->j->text[p->pos] != ':')
					return json_fail(
					    p, "a ':' must follow an object's key");
				p->pos++;
			}
			if (json_parse_value(p) != 0)
				return -1;
			p->j->tok[t].count++;
			json_skip_space(p);
			if (p->pos < p->j->len && p->j->text[p->pos] == ',') {
				p->pos++;
				continue;
			}
			if (p->pos < p->j->len && p->j->text[p->pos] == close) {
				p->pos++;
				break;
			}
			return json_fail(p, object ? "expected ',' or '}' after a member"
			                           : "expected ',' or ']' after an item");
		}
	}
	p->depth--;
	p->j->tok[t].end = p->pos;
	p->j->tok[t].next = p->j->ntok;
	return 0;
}

static int
json_parse_value(struct json_parser *p)
{
	json_skip_space(p);
	if (p->pos >= p->j->len)
		return json_fail(p, "the text ends where a value should be");
	char c = p->j->text[p->pos];
	if (c == '{' || c == '[')
		return json_parse_container(p, c == '{');
	if (c == '"')
		return json_parse_string(p);
	if (c == '-' || (c >= '0' && c <= '9'))
		return json_parse_number(p);
	return json_parse_word(p);
}

int
json_parse(struct json *j, const char *text, size_t len, const struct json_limits *lim,
           char *err, size_t errsize)
{
	struct json_parser p = {.j = j, .lim = lim, .err = err, .errsize = errsize};

	*j = (struct json){.text = text, .len = len};
	if (json_parse_value(&p) == 0) {
		json_skip_space(&p);
		if (p.pos == len)
			return 0;
		json_fail(&p, "more text after the value");
	}
	json_free(j);
	*j = (struct json){.text = text, .len = len};
	return -1;
}

void
json_free(struct json *j)
{
	free(j->tok);
	j->tok = NULL;
	j->ntok = j->cap = 0;
}

/* Appends code point cp as UTF-8 at out; returns the bytes written. */
static size_t
json_put_utf8(unsigned char *out, unsigned long cp)
{
	if (cp < 0x80) {
		out[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (unsigned char)(0xc0 | cp >> 6);
		out[1] = (unsigned char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (unsigned char)(0xe0 | cp >> 12);
		out[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (unsigned char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (unsigned char)(0xf0 | cp >> 18);
	out[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (unsigned char)(0x80 | (cp & 0x3f));
	return 4;
}

/* Unescapes the checked string s[0..n) into out (room for n bytes). */
static size_t
json_unescape(const char *s, size_t n, unsigned char *out)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	size_t o = 0;

	for (size_t i = 0; i < n;) {
		if (s[i] != '\\') {
			out[o++] = (unsigned char)s[i++];
			continue;
		}
		if (s[i + 1] != 'u') {
			out[o++] = (unsigned char)to[strchr(from, s[i + 1]) - from];
			i += 2;
			continue;
		}
		unsigned long cp = (unsigned long)json_hex4(s + i + 2, 4);
		i += 6;
		if (cp >= 0xd800 && cp <= 0xdbff) {
			cp = 0x10000 + ((cp - 0xd800) << 10) +
			     ((unsigned long)json_hex4(s + i + 2, 4) - 0xdc00);
			i += 6;
		}
		o += json_put_utf8(out + o, cp);
	}
	return o;
}

char *
json_string(const struct json *j, long tok, size_t *len)
{
	if (tok < 0 || (size_t)tok >= j->ntok || j->tok[tok].type != JSON_STRING)
		return NULL;
	const struct json_token *t = &j->tok[tok];
	size_t n = t->end - t->start;
	if (!t->escaped) {
		*len = n;
		return xmemdup(j->text + t->start, n);
	}
	unsigned char *out = xmalloc(n + 1);
	*len = json_unescape(j->text + t->start, n, out);
	out[*len] = '\0';
	return (char *)out;
}

bool
json_is(const struct json *j, long tok, const char *s)
{
	size_t n;
	char *v = json_string(j, tok, &n);
	bool same = v != NULL && n == strlen(s) && memcmp(v, s, n) == 0;

	free(v);
	return same;
}

long
json_get(const struct json *j, size_t obj, const char *key)
{
	if (obj >= j->ntok || j->tok[obj].type != JSON_OBJECT)
		return -1;
	size_t k = obj + 1;
	for (size_t m = 0; m < j->tok[obj].count; m++) {
		if (json_is(j, (long)k, key))
			return (long)k + 1;
		k = j->tok[k + 1].next;
	}
	return -1;
}

long
json_item(const struct json *j, size_t arr, size_t i)
{
	if (arr >= j->ntok || j->tok[arr].type != JSON_ARRAY || i >= j->tok[arr].count)
		return -1;
	size_t k = arr + 1;
	while (i-- > 0)
		k = j->tok[k].next;
	return (long)k;
}

/* A number token's text as a C string in buf; false if tok is not one. */
static bool
json_number_text(const struct json *j, long tok, char buf[JSON_NUMBER_MAX + 1])
{
	if (tok < 0 || (size_t)tok >= j->ntok || j->tok[tok].type != JSON_NUMBER)
		return false;
	size_t n = j->tok[tok].end - j->tok[tok].start;
	memcpy(buf, j->text + j->tok[tok].start, n);
	buf[n] = '\0';
	return true;
}

bool
json_number(const struct json *j, long tok, double *out)
{
	char buf[JSON_NUMBER_MAX + 1];

	if (!json_number_text(j, tok, buf))
		return false;
	*out = strtod(buf, NULL);
	return true;
}

bool
json_integer(const struct json *j, long tok, long long min, long long max, long long *out)
{
	char buf[JSON_NUMBER_MAX + 1], *end;

	if (!json_number_text(j, tok, buf) || strpbrk(buf, ".eE") != NULL)
		return false;
	errno = 0;
	long long v = strtoll(buf, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return false;
	*out = v;
	return true;
}

bool
json_bool(const struct json *j, long tok, bool *out)
{
	if (tok < 0 || (size_t)tok >= j->ntok ||
	    (j->tok[tok].type != JSON_TRUE && j->tok[tok].type != JSON_FALSE))
		return false;
	*out = j->tok[tok].type == JSON_TRUE;
	return true;
}
