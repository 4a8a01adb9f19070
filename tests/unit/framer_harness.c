#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "framer_harness.h"
#include "proto.h"

/* Feeds whole server steps. */
#define CUT_NONE 0
/* Feeds every server byte on its own. */
#define CUT_BYTES SIZE_MAX

void *
harness_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	assert_non_null(p);
	return p;
}

void
harness_run_free(struct harness_run *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->v[i].data);
		free(r->v[i].tag);
	}
	free(r->v);
	memset(r, 0, sizeof(*r));
}

/* Takes every complete line out of the framer. */
void
harness_run_drain(struct framer *fr, struct harness_run *r)
{
	struct proto_line line;

	while (framer_next(fr, &line)) {
		if (r->n == r->cap) {
			r->cap = r->cap ? r->cap * 2 : 16;
			r->v = realloc(r->v, r->cap * sizeof(*r->v));
			assert_non_null(r->v);
		}
		struct harness_line *g = &r->v[r->n++];
		g->data = harness_xmalloc(line.len);
		memcpy(g->data, line.data, line.len);
		g->len = line.len;
		g->flags = line.flags & ~(unsigned)PROTO_LINE_ANSWER;
		g->answer = (line.flags & PROTO_LINE_ANSWER) != 0;
		snprintf(g->command, sizeof(g->command), "%s",
		         line.command != NULL ? line.command->word : "");
		g->dropped = line.dropped;
		g->reply = line.reply;
		g->code = line.code;
		g->tag = NULL;
		if (line.tag != NULL) {
			g->tag = harness_xmalloc(line.tag_len + 1);
			memcpy(g->tag, line.tag, line.tag_len);
			g->tag[line.tag_len] = '\0';
		}
		g->finding = line.finding;
		g->violation = line.violation;
		g->pending = framer_pending(fr);
		g->in_data = framer_in_data(fr);
	}
}

static void
run_feed(struct framer *fr, struct harness_run *r, const char *p, size_t n)
{
	assert_int_equal(framer_feed(fr, (const unsigned char *)p, n), 0);
	harness_run_drain(fr, r);
}

/* Plays a script; server bytes are cut at the global server offset cut. */
static void
run_script(enum proto_id id, const struct harness_step *s, size_t n, size_t cut,
           struct harness_run *r)
{
	struct framer *fr = framer_new(id);
	size_t off = 0;

	assert_non_null(fr);
	memset(r, 0, sizeof(*r));
	for (size_t i = 0; i < n; i++) {
		if (s[i].who == 'C') {
			framer_sent(fr, (const unsigned char *)s[i].bytes, s[i].len);
		} else if (s[i].who == 'R') {
			framer_reset(fr);
		} else if (cut == CUT_BYTES) {
			for (size_t k = 0; k < s[i].len; k++)
				run_feed(fr, r, s[i].bytes + k, 1);
		} else if (cut > off && cut < off + s[i].len) {
			run_feed(fr, r, s[i].bytes, cut - off);
			run_feed(fr, r, s[i].bytes + (cut - off), s[i].len - (cut - off));
		} else {
			run_feed(fr, r, s[i].bytes, s[i].len);
		}
		if (s[i].who == 'S')
			off += s[i].len;
	}
	framer_free(fr);
}

static bool
str_same(const char *a, const char *b)
{
	return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static bool
run_equal(const struct harness_run *a, const struct harness_run *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++) {
		const struct harness_line *x = &a->v[i], *y = &b->v[i];
		if (x->len != y->len || memcmp(x->data, y->data, x->len) != 0 ||
		    x->flags != y->flags || x->dropped != y->dropped ||
		    x->reply != y->reply || x->code != y->code ||
		    !str_same(x->tag, y->tag) || !str_same(x->finding, y->finding) ||
		    !str_same(x->violation, y->violation) || x->pending != y->pending ||
		    x->in_data != y->in_data || x->answer != y->answer ||
		    strcmp(x->command, y->command) != 0)
			return false;
	}
	return true;
}

/* True if a cut at offset b (in a line that starts at offset start) of the
 * server bytes should be tried: every offset of a short script; near line
 * ends, near the line cap and on a stride for a long one. */
static bool
cut_worth_trying(const char *all, size_t total, size_t start, size_t b)
{
	if (total <= 4096)
		return true;
	if (b % 509 == 0 || b < 8 || b + 8 > total)
		return true;
	for (size_t k = b >= 3 ? b - 3 : 0; k <= b + 3 && k < total; k++) {
		if (all[k] == '\n')
			return true;
	}
	size_t col = (b - start) % PROTO_LINE_CAP;
	return col <= 3 || col >= PROTO_LINE_CAP - 3;
}

/* Plays a script whole, byte by byte and cut at every server byte boundary;
 * asserts that every way yields the same lines, and returns them. */
void
harness_script(enum proto_id id, const struct harness_step *s, size_t n,
               struct harness_run *out)
{
	size_t total = 0;

	for (size_t i = 0; i < n; i++)
		total += s[i].who == 'S' ? s[i].len : 0;
	char *all = harness_xmalloc(total);
	for (size_t i = 0, off = 0; i < n; i++) {
		if (s[i].who == 'S') {
			memcpy(all + off, s[i].bytes, s[i].len);
			off += s[i].len;
		}
	}
	run_script(id, s, n, CUT_NONE, out);
	struct harness_run other;
	run_script(id, s, n, CUT_BYTES, &other);
	assert_true(run_equal(out, &other));
	harness_run_free(&other);
	for (size_t b = 1, start = 0; b < total; b++) {
		if (all[b - 1] == '\n')
			start = b;
		if (!cut_worth_trying(all, total, start, b))
			continue;
		run_script(id, s, n, b, &other);
		if (!run_equal(out, &other))
			fail_msg("a cut at server byte %zu changes the lines", b);
		harness_run_free(&other);
	}
	free(all);
}

/* Asserts line i's text, its exact flags and its reply. */
void
harness_line_is(const struct harness_run *r, size_t i, const char *text, size_t len,
                unsigned flags, enum proto_reply reply)
{
	if (i >= r->n)
		fail_msg("line %zu missing: only %zu lines", i, r->n);
	const struct harness_line *g = &r->v[i];
	if (g->len != len || memcmp(g->data, text, len) != 0)
		fail_msg("line %zu is \"%.*s\", expected \"%.*s\"", i, (int)g->len,
		         (const char *)g->data, (int)len, text);
	assert_int_equal(g->flags, flags);
	assert_int_equal(g->reply, reply);
}

void
harness_no_finding(const struct harness_run *r, size_t i)
{
	assert_true(i < r->n);
	assert_null(r->v[i].finding);
	assert_null(r->v[i].violation);
}

void
harness_finding_is(const struct harness_run *r, size_t i, const char *id)
{
	assert_true(i < r->n);
	assert_non_null(r->v[i].finding);
	assert_string_equal(r->v[i].finding, id);
	assert_non_null(r->v[i].violation);
	assert_true(strlen(r->v[i].violation) > 10);
}

/* A framer with a script already played, for tests that look at its state. */
struct framer *
harness_framer_after(enum proto_id id, const struct harness_step *s, size_t n,
                     struct harness_run *r)
{
	struct framer *fr = framer_new(id);

	assert_non_null(fr);
	memset(r, 0, sizeof(*r));
	for (size_t i = 0; i < n; i++) {
		if (s[i].who == 'C')
			framer_sent(fr, (const unsigned char *)s[i].bytes, s[i].len);
		else if (s[i].who == 'R')
			framer_reset(fr);
		else
			run_feed(fr, r, s[i].bytes, s[i].len);
	}
	return fr;
}

void
harness_cap_is(const struct proto_cap *cap, const char *text)
{
	assert_int_equal(cap->len, strlen(text));
	assert_memory_equal(cap->data, text, cap->len);
}

int
harness_autotag(struct framer *fr, const char *line, char *out)
{
	size_t len = 0;
	int rc = framer_autotag(fr, line, strlen(line), out, &len);
	assert_int_equal(strlen(out), len);
	return rc;
}
