#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"

/* Decodes one strict UTF-8 sequence at p (at most n bytes). Returns its
 * length and the code point in *cp, or 0 if the bytes are not valid UTF-8
 * (overlong forms, surrogates and values past U+10FFFF are invalid). */
static size_t
utf8_decode(const unsigned char *p, size_t n, unsigned *cp)
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

/* True for code points that reorder or hide text, or are C1 controls. */
static int
hidden_codepoint(unsigned c)
{
	return (c >= 0x80 && c <= 0x9f) || c == 0x061c || c == 0x200b || c == 0x200c ||
	       c == 0x200d || c == 0x200e || c == 0x200f || (c >= 0x202a && c <= 0x202e) ||
	       c == 0x2060 || (c >= 0x2066 && c <= 0x2069) || c == 0xfeff;
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

/* The visible form of one ASCII control byte in text mode. */
static size_t
text_control(unsigned char c, char out[8])
{
	switch (c) {
	case '\r':
		return (size_t)snprintf(out, 8, "\\r");
	case '\n':
		return (size_t)snprintf(out, 8, "\\n");
	case '\t':
		return (size_t)snprintf(out, 8, "\\t");
	case '\0':
		return (size_t)snprintf(out, 8, "\\0");
	default:
		return (size_t)snprintf(out, 8, "\\x%02x", c);
	}
}

static size_t
json_control(unsigned char c, char out[8])
{
	switch (c) {
	case '\r':
		return (size_t)snprintf(out, 8, "\\r");
	case '\n':
		return (size_t)snprintf(out, 8, "\\n");
	case '\t':
		return (size_t)snprintf(out, 8, "\\t");
	default:
		return (size_t)snprintf(out, 8, "\\u%04x", c);
	}
}

int
escape_append(char **buf, size_t *used, size_t *cap, const unsigned char *data, size_t len,
              enum escape_mode mode)
{
	char tmp[16];
	size_t i = 0;

	if (grow(buf, used, cap, len) != 0)
		return -1;
	(*buf)[*used] = '\0';
	while (i < len) {
		unsigned char c = data[i];
		size_t n;
		if (c >= 0x20 && c < 0x7f) {
			if ((c == '\\' && mode != ESCAPE_OWN) ||
			    (c == '"' && mode == ESCAPE_JSON)) {
				tmp[0] = '\\';
				tmp[1] = (char)c;
				n = 2;
			} else {
				tmp[0] = (char)c;
				n = 1;
			}
			if (put(buf, used, cap, tmp, n) != 0)
				return -1;
			i++;
			continue;
		}
		if (c < 0x80) {
			n = mode == ESCAPE_JSON ? json_control(c, tmp)
			                        : text_control(c, tmp);
			if (put(buf, used, cap, tmp, n) != 0)
				return -1;
			i++;
			continue;
		}
		unsigned cp;
		size_t ulen = utf8_decode(data + i, len - i, &cp);
		if (ulen == 0) {
			n = (size_t)snprintf(tmp, sizeof tmp,
			                     mode == ESCAPE_JSON ? "\\u%04x" : "\\x%02x",
			                     c);
			if (put(buf, used, cap, tmp, n) != 0)
				return -1;
			i++;
			continue;
		}
		if (hidden_codepoint(cp)) {
			n = (size_t)snprintf(tmp, sizeof tmp, "\\u%04x", cp);
			if (put(buf, used, cap, tmp, n) != 0)
				return -1;
		} else if (put(buf, used, cap, (const char *)data + i, ulen) != 0) {
			return -1;
		}
		i += ulen;
	}
	return 0;
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
		unsigned char c = data[i];
		if (c == '\t' || (c >= 0x20 && c < 0x7f)) {
			i++;
			continue;
		}
		if (c < 0x80)
			return true;
		unsigned cp;
		size_t ulen = utf8_decode(data + i, len - i, &cp);
		if (ulen == 0 || hidden_codepoint(cp))
			return true;
		i += ulen;
	}
	return false;
}
