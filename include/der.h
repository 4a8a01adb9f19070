/*
 * der: just enough DER (X.690) to read and write OCSP responses and to find
 * fields of a certificate that the TLS library does not hand out. Reading is
 * a cursor over bytes that never goes past its end: every element is a tag
 * of one byte (tag numbers below 31), a definite length of at most four
 * bytes and that many bytes of body. Writing appends to a growing buffer and
 * wraps what was appended since a mark into a constructed element. Pure: no
 * I/O, no library; fuzzed through ocsp.h.
 */
#ifndef STARTLE_DER_H
#define STARTLE_DER_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

/* Tags used by the callers. */
#define DER_BOOLEAN 0x01
#define DER_INTEGER 0x02
#define DER_BIT_STRING 0x03
#define DER_OCTET_STRING 0x04
#define DER_NULL 0x05
#define DER_OID 0x06
#define DER_ENUMERATED 0x0a
#define DER_UTC_TIME 0x17
#define DER_GENERALIZED_TIME 0x18
#define DER_SEQUENCE 0x30
#define DER_SET 0x31
#define DER_CONTEXT(n) (0xa0 | (n))      /* constructed, context-specific */
#define DER_CONTEXT_PRIM(n) (0x80 | (n)) /* primitive, context-specific */

/* Bytes still to read. */
struct der {
	const unsigned char *p;
	size_t len;
};

/* One element: its tag, its body, and the whole element as encoded. */
struct der_tlv {
	unsigned char tag;
	const unsigned char *body;
	size_t len;
	const unsigned char *start;
	size_t total;
};

/* A cursor over len bytes. */
struct der der_init(const unsigned char *p, size_t len);

/* A cursor over an element's body. */
struct der der_inside(const struct der_tlv *t);

/* Reads the next element and moves past it. False, with the cursor
 * unchanged, at the end or on a malformed element. */
bool der_next(struct der *in, struct der_tlv *out);

/* Reads the next element if it has the given tag. */
bool der_expect(struct der *in, unsigned char tag, struct der_tlv *out);

/* True if the next element has the given tag (nothing is read). */
bool der_peek(const struct der *in, unsigned char tag);

/* True if an OID element's body is exactly the given encoded bytes. */
bool der_oid_is(const struct der_tlv *t, const unsigned char *oid, size_t len);

/* A UTCTime or GeneralizedTime ("YYYYMMDDHHMMSSZ", fractions ignored) as
 * seconds since 1970 (UTC). False if it is neither or malformed. */
bool der_time(const struct der_tlv *t, time_t *out);

/* A non-negative INTEGER or ENUMERATED of at most four bytes. */
bool der_small_int(const struct der_tlv *t, long *out);

/* The growing output of a writer. */
struct der_out {
	unsigned char *p;
	size_t len, cap;
};

void der_out_free(struct der_out *o);

/* Appends bytes as they are (an element encoded elsewhere). */
void der_raw(struct der_out *o, const void *bytes, size_t len);

/* Appends one element with the given tag and body. */
void der_put(struct der_out *o, unsigned char tag, const void *body, size_t len);

/* Appends a GeneralizedTime. */
void der_put_time(struct der_out *o, time_t t);

/* Marks where a constructed element begins; der_wrap then turns everything
 * appended since the mark into the body of one element with the tag. */
size_t der_mark(const struct der_out *o);
void der_wrap(struct der_out *o, unsigned char tag, size_t mark);

#endif
