/*
 * libFuzzer target for the framers. The first byte picks the protocol; the
 * rest is a program of operations: feed a chunk of server bytes, feed a long
 * run of one byte, send a client line (through framer_autotag) or reset.
 * Every program runs twice, once with chunks fed whole and once byte by byte;
 * both runs must hand out the same lines. Each line is checked against the
 * contract of include/proto.h. Build it with clang
 * -fsanitize=fuzzer,address,undefined -Iinclude -D_GNU_SOURCE from this file
 * and every .c file in src/proto.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct hash {
	uint64_t h;
};

static void
hash_bytes(struct hash *h, const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++) {
		h->h ^= b[i];
		h->h *= 1099511628211ull;
	}
}

static void
hash_u64(struct hash *h, uint64_t v)
{
	hash_bytes(h, &v, sizeof(v));
}

static void
hash_str(struct hash *h, const char *s)
{
	if (s == NULL)
		hash_u64(h, 0x5a5a);
	else
		hash_bytes(h, s, strlen(s) + 1);
}

/* Checks one handed-out line against the contract and folds it into the hash. */
static void
check_line(enum proto_id id, const struct proto_line *line, struct hash *h)
{
	if (line->len > PROTO_LINE_CAP)
		abort();
	if ((line->flags & PROTO_LINE_TRUNCATED) &&
	    (line->len != PROTO_LINE_CAP || line->dropped == 0))
		abort();
	if (!(line->flags & PROTO_LINE_TRUNCATED) && line->dropped != 0)
		abort();
	if (line->len > 0 && line->data == NULL)
		abort();
	if (line->tag != NULL &&
	    (line->tag < line->data || line->tag + line->tag_len > line->data + line->len))
		abort();
	if ((line->finding == NULL) != (line->violation == NULL))
		abort();
	if (!(line->flags & PROTO_LINE_END) && line->reply != PROTO_REPLY_NONE)
		abort();
	if (line->flags & PROTO_LINE_CAPS) {
		struct proto_cap caps[4];
		size_t n = proto_line_caps(id, line, caps, 4);
		for (size_t i = 0; i < n && i < 4; i++) {
			if (caps[i].data < line->data ||
			    caps[i].data + caps[i].len > line->data + line->len)
				abort();
		}
	}
	hash_bytes(h, line->data, line->len);
	hash_u64(h, line->len);
	hash_u64(h, line->flags);
	hash_u64(h, line->dropped);
	hash_u64(h, (uint64_t)line->reply);
	hash_u64(h, (uint64_t)line->code);
	hash_bytes(h, line->tag ? line->tag : (const unsigned char *)"", line->tag_len);
	hash_str(h, line->finding);
	hash_str(h, line->violation);
}

static void
drain(struct framer *fr, enum proto_id id, struct hash *h)
{
	struct proto_line line;
	const unsigned char *rest;

	while (framer_next(fr, &line)) {
		check_line(id, &line, h);
		hash_u64(h, framer_pending(fr));
		hash_u64(h, framer_in_data(fr));
	}
	size_t n = framer_buffered(fr, &rest);
	if (n > 0 && rest == NULL)
		abort();
}

static void
feed(struct framer *fr, enum proto_id id, const uint8_t *p, size_t n, int bytewise,
     struct hash *h)
{
	if (!bytewise) {
		if (framer_feed(fr, p, n) < 0)
			abort();
		drain(fr, id, h);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (framer_feed(fr, p + i, 1) < 0)
			abort();
		drain(fr, id, h);
	}
}

/* Plays the program; returns the hash of everything the framer handed out. */
static uint64_t
play(enum proto_id id, const uint8_t *p, size_t n, int bytewise)
{
	struct framer *fr = framer_new(id);
	struct hash h = {1469598103934665603ull};
	static uint8_t run[PROTO_LINE_CAP + 4096];

	if (fr == NULL)
		abort();
	size_t i = 0;
	while (i < n) {
		uint8_t op = p[i++];
		size_t len;
		switch (op >> 6) {
		case 0:
		case 1:
			len = (size_t)(op & 0x7f) + 1;
			if (len > n - i)
				len = n - i;
			feed(fr, id, p + i, len, bytewise, &h);
			i += len;
			break;
		case 2: {
			char line[64 + 8];
			size_t out_len = 0;
			len = op & 0x3f;
			if (len > n - i)
				len = n - i;
			int tagged =
			    framer_autotag(fr, (const char *)p + i, len, line, &out_len);
			if (tagged ? out_len <= len + 1 || out_len > len + 7
			           : out_len != len)
				abort();
			if (memcmp(line + out_len - len, p + i, len) != 0 ||
			    line[out_len] != '\0')
				abort();
			hash_u64(&h, out_len);
			proto_is_credential(id, (const unsigned char *)line, out_len);
			proto_is_starttls(id, (const unsigned char *)line, out_len);
			proto_is_capa(id, (const unsigned char *)line, out_len);
			framer_sent(fr, (const unsigned char *)line, out_len);
			hash_u64(&h, framer_pending(fr));
			i += len;
			break;
		}
		default:
			if (op == 0xff) {
				framer_reset(fr);
				break;
			}
			if (n - i < 2) {
				i = n;
				break;
			}
			/* a run of one byte, long enough to pass PROTO_LINE_CAP */
			len = ((size_t)(op & 0x3f) + 1) * (p[i + 1] + 1u) * 2;
			if (len > sizeof(run))
				len = sizeof(run);
			memset(run, p[i], len);
			feed(fr, id, run, len, 0, &h);
			i += 2;
			break;
		}
	}
	framer_free(fr);
	return h.h;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	enum proto_id id = (enum proto_id)(data[0] % PROTO_COUNT);
	uint64_t whole = play(id, data + 1, size - 1, 0);
	uint64_t bytes = play(id, data + 1, size - 1, 1);
	if (whole != bytes)
		abort();
	return 0;
}
