/*
 * libFuzzer target for the TLS record scanner (record.h). The first byte
 * holds the options: bit 0 sets plain_after_ccs, the other bits a piece size
 * (0: the whole input at once). The rest is the stream. It is scanned twice,
 * whole and in pieces, and both runs must report the same records, in the
 * same order, and end in the same state. Every record reported must keep
 * the contract of include/record.h, and once the stream is finished every
 * record header seen has been reported. Bodies are handed out in pieces that
 * add up to each record's length, reported first, and digested alike.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A running digest of what a scanner reported. */
struct digest {
	uint64_t h;
	size_t n;
	size_t body;   /* body bytes of the current record so far */
	size_t ends;   /* bodies completed */
	uint64_t hb;   /* digest of every body byte */
};

static void
digest_bytes(struct digest *d, const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++) {
		d->h ^= b[i];
		d->h *= 1099511628211ull;
	}
}

/* Checks one record against the contract and folds it into the digest. */
static void
on_record(void *arg, const struct record *r)
{
	struct digest *d = arg;
	size_t head = r->length < RECORD_HEAD_MAX ? r->length : RECORD_HEAD_MAX;

	if (r->type < RECORD_TYPE_FIRST ||
	    r->type >= RECORD_TYPE_FIRST + RECORD_TYPE_COUNT || (r->version >> 8) != 3 ||
	    r->length > RECORD_BODY_MAX || r->head_len > head)
		abort();
	if (r->hs_type != 0 &&
	    (r->type != RECORD_HANDSHAKE || !r->readable || r->hs_type != r->head[0]))
		abort();
	d->n++;
	digest_bytes(d, &r->type, 1);
	digest_bytes(d, &r->version, sizeof(r->version));
	digest_bytes(d, &r->length, sizeof(r->length));
	digest_bytes(d, &r->head_len, sizeof(r->head_len));
	digest_bytes(d, r->head, r->head_len);
	digest_bytes(d, &r->readable, sizeof(r->readable));
	digest_bytes(d, &r->hs_type, 1);
}

/* Checks a piece of a body and folds it into the body digest. */
static void
on_body(void *arg, const struct record *r, const unsigned char *p, size_t n, bool end)
{
	struct digest *d = arg;

	d->body += n;
	if (d->body > r->length || (end && (d->body != r->length || d->n != d->ends + 1)))
		abort();
	for (size_t i = 0; i < n; i++) {
		d->hb ^= p[i];
		d->hb *= 1099511628211ull;
	}
	if (end) {
		d->ends++;
		d->body = 0;
	}
}

/* Scans p in pieces of step bytes (0: whole) and finishes the stream. */
static void
run(struct record_scanner *sc, struct digest *d, bool plain_after_ccs, const uint8_t *p,
    size_t n, size_t step)
{
	memset(d, 0, sizeof(*d));
	record_scan_init(sc, on_record, d);
	sc->on_body = on_body;
	sc->plain_after_ccs = plain_after_ccs;
	for (size_t at = 0; at < n;) {
		size_t k = step == 0 || n - at < step ? n - at : step;
		record_scan_feed(sc, p + at, k);
		at += k;
	}
	record_scan_finish(sc);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct record_scanner whole, pieces;
	struct digest a, b;
	unsigned long sum = 0;

	if (size == 0)
		return 0;
	bool plain = data[0] & 1;
	size_t step = data[0] >> 1;
	run(&whole, &a, plain, data + 1, size - 1, 0);
	run(&pieces, &b, plain, data + 1, size - 1, step);
	if (a.h != b.h || a.n != b.n || a.hb != b.hb || a.ends != b.ends || whole.records != pieces.records ||
	    whole.bytes != size - 1 || pieces.bytes != size - 1 ||
	    whole.broken != pieces.broken || whole.bad_len != pieces.bad_len ||
	    memcmp(whole.bad, pieces.bad, whole.bad_len) != 0 ||
	    whole.bad_len > RECORD_BAD_MAX || a.n != whole.records)
		abort();
	for (size_t t = 0; t < RECORD_TYPE_COUNT; t++)
		sum += whole.by_type[t];
	if (sum != whole.records)
		abort();
	return 0;
}
