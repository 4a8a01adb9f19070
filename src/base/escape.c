#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "escape.h"

size_t
escape_utf8_decode(const unsigned char *p, size_t n, unsigned *cp)
{
	static const struct {
		unsigned char mask, value;
		unsigned min;
	} lead[] = {{0xe0, 0xc0, 0x80}, {0xf0, 0xe0, 0x800}, {0xf8, 0xf0, 0x10000}};

	for (size_t k = 0; k < 3; k++) {
		size_t len = k + 2;
		if ((p[0] & lead[k].mask) != lead[k].value)
			continue;
		if (n < len)
			return 0;
		unsigned c = p[0] & (0x7f >> len);
		for (size_t i = 1; i < len; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return 0;
			c = (c << 6) | (p[i] & 0x3f);
		}
		if (c < lead[k].min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
			return 0;
		*cp = c;
		return len;
	}
	return 0;
}

/* True for code points that reorder, hide or break text, or are C1
 * controls (U+2028 and U+2029 end lines in some terminals and viewers). */
static int
hidden_codepoint(unsigned c)
{
	return (c >= 0x80 && c <= 0x9f) || c == 0x061c || c == 0x200b || c == 0x200c ||
	       c == 0x200d || c == 0x200e || c == 0x200f || c == 0x2028 || c == 0x2029 ||
	       (c >= 0x202a && c <= 0x202e) || c == 0x2060 ||
	       (c >= 0x2066 && c <= 0x2069) || c == 0xfeff;
}

/* True for the bytes that are themselves in every mode: printable ASCII but
 * for the backslash and the double quote. */
static inline bool
plain_ascii(unsigned char c)
{
	return (unsigned char)(c - 0x20) < 0x5f && c != '\\' && c != '"';
}

/* Non-zero if any of the eight bytes at p is not plain_ascii: no byte under
 * 0x20, over 0x7e, or equal to a backslash or a quote, tested on the word
 * at once (each test leaves a byte's high bit set where it holds). */
static inline uint64_t
plain_word_bad(const unsigned char *p)
{
	const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
	uint64_t x;

	memcpy(&x, p, 8);
	uint64_t bs = x ^ (ones * '\\'), qt = x ^ (ones * '"');
	return (((x - ones * 0x20) & ~x) | ((x + ones * (127 - 0x7e)) | x) |
	        ((bs - ones) & ~bs) | ((qt - ones) & ~qt)) &
	       highs;
}

/* How many bytes at the start of p (n bytes) are plain_ascii: eight at a
 * time while whole words are (no byte under 0x20, over 0x7e, or equal to a
 * backslash or a quote), then byte by byte. Mail is mostly such runs. */
static size_t
plain_run(const unsigned char *p, size_t n)
{
	size_t i = 0;

#ifdef __SSE2__
	/* sixteen at a time: a signed compare under 0x20 also catches every
	 * byte from 0x80, which is negative as a signed char */
	const __m128i space = _mm_set1_epi8(0x20), del = _mm_set1_epi8(0x7f);
	const __m128i bs = _mm_set1_epi8('\\'), qt = _mm_set1_epi8('"');
	for (; i + 16 <= n; i += 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
		__m128i bad = _mm_or_si128(
		    _mm_or_si128(_mm_cmplt_epi8(v, space), _mm_cmpeq_epi8(v, del)),
		    _mm_or_si128(_mm_cmpeq_epi8(v, bs), _mm_cmpeq_epi8(v, qt)));
		if (_mm_movemask_epi8(bad) != 0)
			break;
	}
#else
	for (; i + 16 <= n; i += 16)
		if (plain_word_bad(p + i) | plain_word_bad(p + i + 8))
			break;
#endif
	for (; i + 8 <= n; i += 8)
		if (plain_word_bad(p + i))
			break;
	while (i < n && plain_ascii(p[i]))
		i++;
	return i;
}

static int
grow(char **buf, size_t *used, size_t *cap, size_t need)
{
	if (*used + need + 1 <= *cap)
		return 0;
	size_t ncap = *cap ? *cap : 64;
	while (*used + need + 1 > ncap)
		ncap *= 2;
	char *nb = realloc(*buf, ncap);
	if (nb == NULL)
		return -1;
	*buf = nb;
	*cap = ncap;
	return 0;
}

static int
put(char **buf, size_t *used, size_t *cap, const char *s, size_t n)
{
	if (grow(buf, used, cap, n) != 0)
		return -1;
	memcpy(*buf + *used, s, n);
	*used += n;
	(*buf)[*used] = '\0';
	return 0;
}

/* The visible form of one ASCII control byte: the short escapes both forms
 * share (and \0 in text), else \xHH in text and \u00HH in JSON. */
static size_t
control_form(unsigned char c, bool json, char out[8])
{
	static const char *const short_forms[] = {
	    ['\r'] = "\\r", ['\n'] = "\\n", ['\t'] = "\\t", ['\0'] = "\\0"};

	if (c < sizeof short_forms / sizeof short_forms[0] && short_forms[c] != NULL &&
	    !(json && c == '\0'))
		return (size_t)snprintf(out, 8, "%s", short_forms[c]);
	return (size_t)snprintf(out, 8, json ? "\\u%04x" : "\\x%02x", c);
}

/* True if the unit at data (n > 0 bytes) is shown escaped in text mode, not
 * counting the backslash, whose form depends on what follows it. */
static bool
unit_is_escaped(const unsigned char *data, size_t n)
{
	unsigned cp;

	if (data[0] < 0x80)
		return data[0] < 0x20 || data[0] == 0x7f;
	size_t ulen = escape_utf8_decode(data, n, &cp);
	return ulen == 0 || hidden_codepoint(cp);
}

/* True if the n bytes at p are all hex digits (and there are at least n). */
static bool
hex_digits(const unsigned char *p, size_t avail, size_t n)
{
	if (avail < n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((p[i] >= '0' && p[i] <= '9') || (p[i] >= 'a' && p[i] <= 'f') ||
		      (p[i] >= 'A' && p[i] <= 'F')))
			return false;
	return true;
}

/* The text rule: a backslash is doubled only where, shown as itself, it would
 * read as an escape this function produces: before another backslash, before
 * r n t 0, before x and two hex digits, before u and four hex digits, and
 * before a byte that is shown escaped. next holds the n bytes after it. */
static bool
backslash_needs_doubling(const unsigned char *next, size_t n)
{
	if (n == 0)
		return false;
	switch (next[0]) {
	case '\\':
	case 'r':
	case 'n':
	case 't':
	case '0':
		return true;
	case 'x':
		return hex_digits(next + 1, n - 1, 2);
	case 'u':
		return hex_digits(next + 1, n - 1, 4);
	default:
		return unit_is_escaped(next, n);
	}
}

/* The escaped form of the unit at data[i] in out (*n bytes), or *n = 0 when
 * the unit is shown as itself. Returns how many bytes the unit takes. */
static size_t
escape_unit(const unsigned char *data, size_t len, size_t i, enum escape_mode mode,
            char out[16], size_t *n)
{
	unsigned char c = data[i];
	unsigned cp;

	*n = 0;
	if (c >= 0x20 && c < 0x7f) {
		bool dbl = (c == '\\' && mode == ESCAPE_JSON) ||
		           (c == '"' && mode == ESCAPE_JSON) ||
		           (c == '\\' && mode == ESCAPE_TEXT &&
		            backslash_needs_doubling(data + i + 1, len - i - 1));
		if (dbl) {
			out[0] = '\\';
			out[1] = (char)c;
			*n = 2;
		}
		return 1;
	}
	if (c < 0x80) {
		*n = control_form(c, mode == ESCAPE_JSON, out);
		return 1;
	}
	size_t ulen = escape_utf8_decode(data + i, len - i, &cp);
	if (ulen == 0) {
		*n = (size_t)snprintf(out, 16, mode == ESCAPE_JSON ? "\\u%04x" : "\\x%02x",
		                      c);
		return 1;
	}
	if (hidden_codepoint(cp))
		*n = (size_t)snprintf(out, 16, "\\u%04x", cp);
	return ulen;
}

int
escape_visit(const unsigned char *data, size_t len, enum escape_mode mode, escape_fn fn,
             void *arg)
{
	char tmp[16];
	size_t i = 0, run = 0;

	while (i < len) {
		/* Printable ASCII but for the backslash and the quote is itself in
		 * every mode: skip such runs without looking closer. */
		i += plain_run(data + i, len - i);
		if (i == len)
			break;
		size_t n, used = escape_unit(data, len, i, mode, tmp, &n);
		if (n == 0) {
			i += used;
			continue;
		}
		if (i > run && fn(arg, (const char *)data + run, i - run, false) != 0)
			return -1;
		if (fn(arg, tmp, n, true) != 0)
			return -1;
		i += used;
		run = i;
	}
	if (i > run && fn(arg, (const char *)data + run, i - run, false) != 0)
		return -1;
	return 0;
}

struct growbuf {
	char **buf;
	size_t *used, *cap;
};

/* escape_visit's callback for escape_append: appends every piece. */
static int
append_piece(void *arg, const char *text, size_t len, bool escaped)
{
	struct growbuf *g = arg;

	(void)escaped;
	return put(g->buf, g->used, g->cap, text, len);
}

int
escape_append(char **buf, size_t *used, size_t *cap, const unsigned char *data, size_t len,
              enum escape_mode mode)
{
	struct growbuf g = {buf, used, cap};

	if (grow(buf, used, cap, len) != 0)
		return -1;
	(*buf)[*used] = '\0';
	return escape_visit(data, len, mode, append_piece, &g);
}

char *
escape_bytes(const unsigned char *data, size_t len, enum escape_mode mode)
{
	char *buf = NULL;
	size_t used = 0, cap = 0;

	if (escape_append(&buf, &used, &cap, data, len, mode) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

bool
escape_needed(const unsigned char *data, size_t len)
{
	size_t i = 0;

	while (i < len) {
		unsigned cp;
		i += plain_run(data + i, len - i);
		if (i == len)
			break;
		if (data[i] == '\t' || data[i] == '\\' || data[i] == '"') {
			i++;
			continue;
		}
		if (unit_is_escaped(data + i, len - i))
			return true;
		size_t ulen = data[i] < 0x80 ? 1 : escape_utf8_decode(data + i, len - i, &cp);
		i += ulen;
	}
	return false;
}

bool
escape_is_plain(const unsigned char *data, size_t len)
{
	return plain_run(data, len) == len;
}

bool
escape_is_utf8(const unsigned char *data, size_t len)
{
	size_t i = 0;

	while (i < len) {
		unsigned cp;
		i += plain_run(data + i, len - i);
		if (i == len)
			break;
		if (data[i] < 0x80) {
			i++;
			continue;
		}
		size_t ulen = escape_utf8_decode(data + i, len - i, &cp);
		if (ulen == 0)
			return false;
		i += ulen;
	}
	return true;
}
