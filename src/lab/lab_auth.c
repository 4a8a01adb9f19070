#include <wolfssl/options.h>
#include <wolfssl/wolfcrypt/coding.h>

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lab_int.h"
#include "util.h"

/* Bytes Base64_Decode skips or stops at, which a SASL answer may not hold. */
static const char lab_b64_skipped[] = {' ', '\r', '\n', '\0'};

/* True if text has the shape of base64, padded or not: padding only at the
 * end and only to a whole group, none of the bytes the decoder would skip. */
static bool
lab_b64_shape(const unsigned char *in, size_t len)
{
	size_t pad = 0;

	while (pad < 2 && pad < len && in[len - 1 - pad] == '=')
		pad++;
	if (len % 4 == 1 || (pad > 0 && len % 4 != 0) || memchr(in, '=', len - pad) != NULL)
		return false;
	for (size_t i = 0; i < sizeof lab_b64_skipped; i++) {
		if (memchr(in, lab_b64_skipped[i], len) != NULL)
			return false;
	}
	return true;
}

unsigned char *
lab_b64_decode(const unsigned char *in, size_t len, size_t *outlen)
{
	if (len > UINT32_MAX / 2 || !lab_b64_shape(in, len))
		return NULL;
	/* Unpadded answers are accepted: the decoder gets a padded copy. */
	size_t padded = (len + 3) / 4 * 4;
	unsigned char *text = xmalloc(padded);
	unsigned char *out = xmalloc(padded / 4 * 3 + 1);
	word32 n = (word32)(padded / 4 * 3 + 1);

	memcpy(text, in, len);
	memset(text + len, '=', padded - len);
	int rc = Base64_Decode(text, (word32)padded, out, &n);
	free(text);
	if (rc != 0) {
		free(out);
		return NULL;
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
