#include <stdlib.h>
#include <string.h>

#include "lab_int.h"
#include "util.h"

/* The value of a base64 character, or -1. */
static int
lab_b64_value(unsigned char ch)
{
	static const char alphabet[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const char *p = ch ? strchr(alphabet, ch) : NULL;

	return p ? (int)(p - alphabet) : -1;
}

unsigned char *
lab_b64_decode(const unsigned char *in, size_t len, size_t *outlen)
{
	unsigned char *out;
	unsigned long acc = 0;
	size_t n = 0, bits = 0, pad = 0;

	while (pad < 2 && len > 0 && in[len - 1] == '=') {
		len--;
		pad++;
	}
	if ((len + pad) % 4 == 1 || (pad > 0 && (len + pad) % 4 != 0))
		return NULL;
	out = xmalloc(len * 3 / 4 + 1);
	for (size_t i = 0; i < len; i++) {
		int v = lab_b64_value(in[i]);
		if (v < 0) {
			free(out);
			return NULL;
		}
		acc = (acc << 6) | (unsigned long)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[n++] = (unsigned char)(acc >> bits);
		}
	}
	out[n] = '\0';
	*outlen = n;
	return out;
}

bool
lab_login_ok(const char *user, const char *pass)
{
	return user != NULL && pass != NULL && strcmp(user, LAB_USER) == 0 &&
	       strcmp(pass, LAB_PASS) == 0;
}

/* SASL PLAIN (RFC 4616): authzid NUL authcid NUL passwd; the authorization
 * identity may be empty or the user's own. */
bool
lab_plain_ok(const unsigned char *msg, size_t len)
{
	const unsigned char *a = msg, *end = msg + len;
	const unsigned char *nul1 = memchr(a, '\0', len);
	const unsigned char *nul2 =
	    nul1 ? memchr(nul1 + 1, '\0', (size_t)(end - nul1 - 1)) : NULL;
	size_t zlen, ulen, plen;

	if (nul1 == NULL || nul2 == NULL)
		return false;
	zlen = (size_t)(nul1 - a);
	ulen = (size_t)(nul2 - nul1 - 1);
	plen = (size_t)(end - nul2 - 1);
	if (memchr(nul2 + 1, '\0', plen) != NULL)
		return false;
	if (zlen != 0 && (zlen != strlen(LAB_USER) || memcmp(a, LAB_USER, zlen) != 0))
		return false;
	return ulen == strlen(LAB_USER) && memcmp(nul1 + 1, LAB_USER, ulen) == 0 &&
	       plen == strlen(LAB_PASS) && memcmp(nul2 + 1, LAB_PASS, plen) == 0;
}

bool
lab_word_eq(const char *a, const unsigned char *b, size_t len)
{
	if (strlen(a) != len)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char x = (unsigned char)a[i], y = b[i];
		if (x >= 'a' && x <= 'z')
			x = (unsigned char)(x - 32);
		if (y >= 'a' && y <= 'z')
			y = (unsigned char)(y - 32);
		if (x != y)
			return false;
	}
	return true;
}
