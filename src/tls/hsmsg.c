/*
 * hsmsg: cuts handshake bytes into messages and reads the few fields of a
 * message body a person debugging a server asks about. Every read is bounded
 * by the bytes at hand: a short or malformed body reads as false.
 */
#include "hsmsg.h"

#include <stdint.h>
#include <string.h>

/* The random of a HelloRetryRequest: SHA-256 of "HelloRetryRequest" (RFC
 * 8446 §4.1.3). */
static const unsigned char hsmsg_hrr_random[32] = {
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c,
    0x02, 0x1e, 0x65, 0xb8, 0x91, 0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb,
    0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c};

#define HSMSG_EXT_SUPPORTED_VERSIONS 43
#define HSMSG_EXT_KEY_SHARE 51
#define HSMSG_ECDHE_NAMED_CURVE 3

void
hsmsg_walker_init(struct hsmsg_walker *w, size_t keep, hsmsg_fn fn, void *arg)
{
	memset(w, 0, sizeof *w);
	w->keep = keep < HSMSG_KEEP_MAX ? keep : HSMSG_KEEP_MAX;
	w->on_message = fn;
	w->arg = arg;
}

bool
hsmsg_walker_inside(const struct hsmsg_walker *w)
{
	return w->hdr_len > 0 || w->left > 0;
}

/* The current message is complete: hands it out. */
static void
hsmsg_done(struct hsmsg_walker *w)
{
	if (w->on_message != NULL)
		w->on_message(w->arg, w->type, w->length, w->body, w->kept);
}

void
hsmsg_walk(struct hsmsg_walker *w, const unsigned char *p, size_t n)
{
	while (n > 0) {
		if (w->left > 0) {
			size_t k = n < w->left ? n : w->left;
			size_t room = w->keep - w->kept;
			size_t copy = k < room ? k : room;
			memcpy(w->body + w->kept, p, copy);
			w->kept += copy;
			w->left -= k;
			p += k;
			n -= k;
			if (w->left == 0)
				hsmsg_done(w);
			continue;
		}
		w->hdr[w->hdr_len++] = *p++;
		n--;
		if (w->hdr_len < HSMSG_HEADER_LEN)
			continue;
		w->hdr_len = 0;
		w->type = w->hdr[0];
		w->length = w->left =
		    (size_t)w->hdr[1] << 16 | (size_t)w->hdr[2] << 8 | w->hdr[3];
		w->kept = 0;
		if (w->length == 0)
			hsmsg_done(w);
	}
}

/* A bounded reader over a body. */
struct hsmsg_in {
	const unsigned char *p;
	size_t n, at;
	bool bad;
};

static unsigned
in_u8(struct hsmsg_in *in)
{
	if (in->bad || in->n - in->at < 1) {
		in->bad = true;
		return 0;
	}
	return in->p[in->at++];
}

static unsigned
in_u16(struct hsmsg_in *in)
{
	unsigned hi = in_u8(in);
	return hi << 8 | in_u8(in);
}

/* Skips len bytes; false (and bad) if they are not all there. */
static bool
in_skip(struct hsmsg_in *in, size_t len)
{
	if (in->bad || in->n - in->at < len) {
		in->bad = true;
		return false;
	}
	in->at += len;
	return true;
}

/* Reads one ServerHello extension into out. */
static void
hello_extension(unsigned type, const unsigned char *p, size_t len, struct hsmsg_hello *out)
{
	struct hsmsg_in x = {.p = p, .n = len};

	if (type == HSMSG_EXT_SUPPORTED_VERSIONS) {
		unsigned v = in_u16(&x);
		if (!x.bad)
			out->version = v;
	} else if (type == HSMSG_EXT_KEY_SHARE) {
		unsigned group = in_u16(&x);
		if (x.bad)
			return;
		out->group = group;
		if (!out->hello_retry) {
			unsigned klen = in_u16(&x);
			if (!x.bad && in_skip(&x, klen))
				out->key_share_len = klen;
		}
	}
}

bool
hsmsg_server_hello(const unsigned char *b, size_t n, struct hsmsg_hello *out)
{
	struct hsmsg_in in = {.p = b, .n = n};

	memset(out, 0, sizeof *out);
	out->version = in_u16(&in);
	if (in.bad || n - in.at < sizeof hsmsg_hrr_random)
		return false;
	out->hello_retry =
	    memcmp(b + in.at, hsmsg_hrr_random, sizeof hsmsg_hrr_random) == 0;
	in.at += sizeof hsmsg_hrr_random;
	if (!in_skip(&in, in_u8(&in)))
		return false;
	out->suite = in_u16(&in);
	(void)in_u8(&in);
	if (in.bad)
		return false;
	if (in.at == n)
		return true; /* no extensions (TLS 1.2 and older may send none) */
	size_t total = in_u16(&in), end = in.at + total;
	if (in.bad || end > n)
		return false;
	while (!in.bad && in.at + 4 <= end) {
		unsigned type = in_u16(&in);
		size_t len = in_u16(&in);
		if (in.at + len > end)
			return false;
		hello_extension(type, b + in.at, len, out);
		in.at += len;
	}
	return in.at == end;
}

/* The size in bits of a big-endian number of len bytes. */
static size_t
number_bits(const unsigned char *p, size_t len)
{
	while (len > 0 && *p == 0) {
		p++;
		len--;
	}
	if (len == 0)
		return 0;
	size_t bits = 8 * len;
	for (unsigned c = *p; !(c & 0x80); c <<= 1)
		bits--;
	return bits;
}

bool
hsmsg_key_exchange(const unsigned char *b, size_t n, bool ecdhe, bool with_scheme,
                   struct hsmsg_kx *out)
{
	struct hsmsg_in in = {.p = b, .n = n};

	memset(out, 0, sizeof *out);
	if (ecdhe) {
		if (in_u8(&in) != HSMSG_ECDHE_NAMED_CURVE)
			return false;
		out->group = in_u16(&in);
		size_t klen = in_u8(&in);
		if (!in_skip(&in, klen))
			return false;
		out->key_share_len = klen;
	} else {
		size_t plen = in_u16(&in);
		size_t pat = in.at;
		if (!in_skip(&in, plen) || !in_skip(&in, in_u16(&in)))
			return false;
		out->dh_bits = number_bits(b + pat, plen);
		size_t ylen = in_u16(&in);
		if (!in_skip(&in, ylen))
			return false;
		out->key_share_len = ylen;
	}
	if (with_scheme) {
		unsigned scheme = in_u16(&in);
		if (in.bad)
			return false;
		out->signature = scheme;
	}
	return true;
}

bool
hsmsg_verify_scheme(const unsigned char *b, size_t n, unsigned *scheme)
{
	if (n < 2)
		return false;
	*scheme = (unsigned)b[0] << 8 | b[1];
	return true;
}

bool
hsmsg_ticket_lifetime(const unsigned char *b, size_t n, unsigned long *seconds)
{
	if (n < 4)
		return false;
	*seconds = (unsigned long)b[0] << 24 | (unsigned long)b[1] << 16 |
	           (unsigned long)b[2] << 8 | b[3];
	return true;
}
