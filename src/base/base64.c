#include <stdbool.h>
#include <stdlib.h>

#include "base64.h"
#include "util.h"

static const char base64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t
base64_encoded_len(size_t len)
{
	return (len + 2) / 3 * 4;
}

/* The four characters of the group of three bytes at p[i] (fewer at the
 * end: padded). */
static void
base64_quad(const unsigned char *p, size_t i, size_t len, char quad[4])
{
	unsigned long v = (unsigned long)p[i] << 16;

	if (i + 1 < len)
		v |= (unsigned long)p[i + 1] << 8;
	if (i + 2 < len)
		v |= p[i + 2];
	quad[0] = base64_alphabet[(v >> 18) & 63];
	quad[1] = base64_alphabet[(v >> 12) & 63];
	quad[2] = i + 1 < len ? base64_alphabet[(v >> 6) & 63] : '=';
	quad[3] = i + 2 < len ? base64_alphabet[v & 63] : '=';
}

void
base64_write(FILE *f, const void *data, size_t len)
{
	char quad[4];

	for (size_t i = 0; i < len; i += 3) {
		base64_quad(data, i, len, quad);
		fwrite(quad, 1, 4, f);
	}
}

char *
base64_encode(const void *data, size_t len)
{
	char *out = xmalloc(base64_encoded_len(len) + 1), *q = out;

	for (size_t i = 0; i < len; i += 3, q += 4)
		base64_quad(data, i, len, q);
	*q = '\0';
	return out;
}

/* The value of an alphabet character, or -1. */
static int
base64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

unsigned char *
base64_decode(const char *text, size_t len, size_t *out_len)
{
	if (len % 4 != 0)
		return NULL;
	unsigned char *out = xmalloc(len / 4 * 3 + 1);
	size_t n = 0;

	for (size_t i = 0; i < len; i += 4) {
		bool last = i + 4 == len;
		int pad = last && text[i + 3] == '=' ? (text[i + 2] == '=' ? 2 : 1) : 0;
		unsigned long v = 0;
		for (int k = 0; k < 4; k++) {
			int d = k < 4 - pad ? base64_value((unsigned char)text[i + k]) : 0;
			if (d < 0) {
				free(out);
				return NULL;
			}
			v = v << 6 | (unsigned long)d;
		}
		/* The bits padding leaves over must be zero: one form per input. */
		if ((pad == 1 && (v & 0xff) != 0) || (pad == 2 && (v & 0xffff) != 0)) {
			free(out);
			return NULL;
		}
		out[n++] = (unsigned char)(v >> 16);
		if (pad < 2)
			out[n++] = (unsigned char)(v >> 8);
		if (pad < 1)
			out[n++] = (unsigned char)v;
	}
	out[n] = '\0';
	*out_len = n;
	return out;
}
