/*
 * der: a bounded DER reader and a small writer (der.h).
 */
#include "der.h"

#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct der
der_init(const unsigned char *p, size_t len)
{
	struct der d = {.p = p, .len = p != NULL ? len : 0};
	return d;
}

struct der
der_inside(const struct der_tlv *t)
{
	return der_init(t->body, t->len);
}

bool
der_next(struct der *in, struct der_tlv *out)
{
	const unsigned char *p = in->p;
	size_t left = in->len, len;

	if (left < 2 || (p[0] & 0x1f) == 0x1f)
		return false;
	if (p[1] < 0x80) {
		len = p[1];
		p += 2;
		left -= 2;
	} else {
		size_t n = p[1] & 0x7f;
		if (n == 0 || n > 4 || left < 2 + n)
			return false;
		len = 0;
		for (size_t i = 0; i < n; i++)
			len = len << 8 | p[2 + i];
		p += 2 + n;
		left -= 2 + n;
	}
	if (len > left)
		return false;
	out->tag = in->p[0];
	out->body = p;
	out->len = len;
	out->start = in->p;
	out->total = (size_t)(p - in->p) + len;
	in->p = p + len;
	in->len = left - len;
	return true;
}

bool
der_expect(struct der *in, unsigned char tag, struct der_tlv *out)
{
	struct der save = *in;

	if (!der_peek(in, tag) || !der_next(in, out)) {
		*in = save;
		return false;
	}
	return true;
}

bool
der_peek(const struct der *in, unsigned char tag)
{
	return in->len > 0 && in->p[0] == tag;
}

bool
der_oid_is(const struct der_tlv *t, const unsigned char *oid, size_t len)
{
	return t->tag == DER_OID && t->len == len && memcmp(t->body, oid, len) == 0;
}

/* Reads n decimal digits; -1 if any is not a digit. */
static int
der_digits(const unsigned char *p, size_t n)
{
	int v = 0;

	for (size_t i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	return v;
}

bool
der_time(const struct der_tlv *t, time_t *out)
{
	size_t ylen = t->tag == DER_UTC_TIME ? 2 : t->tag == DER_GENERALIZED_TIME ? 4 : 0;
	struct tm tm;

	if (ylen == 0 || t->len < ylen + 11 || t->body[t->len - 1] != 'Z')
		return false;
	const unsigned char *p = t->body;
	int year = der_digits(p, ylen), mon = der_digits(p + ylen, 2),
	    day = der_digits(p + ylen + 2, 2), hour = der_digits(p + ylen + 4, 2),
	    min = der_digits(p + ylen + 6, 2), sec = der_digits(p + ylen + 8, 2);
	if (year < 0 || mon < 1 || mon > 12 || day < 1 || day > 31 || hour < 0 ||
	    hour > 23 || min < 0 || min > 59 || sec < 0 || sec > 60)
		return false;
	/* What follows the seconds: nothing, or a fraction (GeneralizedTime). */
	if (t->len > ylen + 11 && (ylen == 2 || p[ylen + 10] != '.'))
		return false;
	if (ylen == 2)
		year += year < 50 ? 2000 : 1900;
	memset(&tm, 0, sizeof tm);
	tm.tm_year = year - 1900;
	tm.tm_mon = mon - 1;
	tm.tm_mday = day;
	tm.tm_hour = hour;
	tm.tm_min = min;
	tm.tm_sec = sec;
	*out = timegm(&tm);
	return true;
}

bool
der_small_int(const struct der_tlv *t, long *out)
{
	if ((t->tag != DER_INTEGER && t->tag != DER_ENUMERATED) || t->len == 0 ||
	    t->len > 4 || (t->body[0] & 0x80))
		return false;
	long v = 0;
	for (size_t i = 0; i < t->len; i++)
		v = v << 8 | t->body[i];
	*out = v;
	return true;
}

void
der_out_free(struct der_out *o)
{
	free(o->p);
	memset(o, 0, sizeof *o);
}

/* Makes room for n more bytes. */
static void
der_reserve(struct der_out *o, size_t n)
{
	if (o->len + n <= o->cap)
		return;
	size_t cap = o->cap ? o->cap : 256;
	while (cap < o->len + n)
		cap *= 2;
	o->p = xrealloc(o->p, cap);
	o->cap = cap;
}

void
der_raw(struct der_out *o, const void *bytes, size_t len)
{
	der_reserve(o, len);
	if (len > 0)
		memcpy(o->p + o->len, bytes, len);
	o->len += len;
}

/* Encodes a definite length into out (at least 5 bytes); returns its size. */
static size_t
der_length(unsigned char *out, size_t len)
{
	size_t n = 0;

	if (len < 0x80) {
		out[0] = (unsigned char)len;
		return 1;
	}
	for (size_t v = len; v > 0; v >>= 8)
		n++;
	out[0] = (unsigned char)(0x80 | n);
	for (size_t i = 0; i < n; i++)
		out[1 + i] = (unsigned char)(len >> (8 * (n - 1 - i)));
	return 1 + n;
}

void
der_put(struct der_out *o, unsigned char tag, const void *body, size_t len)
{
	unsigned char head[1 + 1 + sizeof(size_t)];

	head[0] = tag;
	size_t h = 1 + der_length(head + 1, len);
	der_raw(o, head, h);
	der_raw(o, body, len);
}

void
der_put_time(struct der_out *o, time_t t)
{
	struct tm tm;
	char text[32];

	gmtime_r(&t, &tm);
	int n = snprintf(text, sizeof text, "%04d%02d%02d%02d%02d%02dZ", tm.tm_year + 1900,
	                 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
	der_put(o, DER_GENERALIZED_TIME, text, (size_t)n);
}

size_t
der_mark(const struct der_out *o)
{
	return o->len;
}

void
der_wrap(struct der_out *o, unsigned char tag, size_t mark)
{
	unsigned char head[1 + 1 + sizeof(size_t)];
	size_t body = o->len - mark;

	head[0] = tag;
	size_t h = 1 + der_length(head + 1, body);
	der_reserve(o, h);
	memmove(o->p + mark + h, o->p + mark, body);
	memcpy(o->p + mark, head, h);
	o->len += h;
}
