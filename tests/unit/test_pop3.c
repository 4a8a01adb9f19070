/*
 * POP3 framer: greeting, single-line and multi-line responses, dot-stuffing,
 * CAPA capabilities and AUTH continuations. Every scripted conversation is
 * also replayed byte by byte and cut at every byte boundary, and must frame
 * the same.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "proto.h"

/* A scripted conversation: server bytes, client lines, framer resets. */
struct step {
	char who; /* 'S' server bytes, 'C' client line, 'R' framer_reset */
	const char *bytes;
	size_t len;
};
/* clang-format off */
#define SRV(s) {'S', (s), sizeof(s) - 1}
#define CLI(s) {'C', (s), sizeof(s) - 1}
#define RESET {'R', NULL, 0}
/* clang-format on */
#define NSTEPS(a) (sizeof(a) / sizeof((a)[0]))

/* One line as the framer handed it out, with the state right after it. */
struct got {
	unsigned char *data;
	size_t len;
	unsigned flags;
	size_t dropped;
	enum proto_reply reply;
	int code;
	char *tag;
	const char *finding;
	const char *violation;
	unsigned pending;
	bool in_data;
};

struct run {
	struct got *v;
	size_t n, cap;
};

/* Feeds whole server steps. */
#define CUT_NONE 0
/* Feeds every server byte on its own. */
#define CUT_BYTES SIZE_MAX

static void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	assert_non_null(p);
	return p;
}

static void
run_free(struct run *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->v[i].data);
		free(r->v[i].tag);
	}
	free(r->v);
	memset(r, 0, sizeof(*r));
}

/* Takes every complete line out of the framer. */
static void
run_drain(struct framer *fr, struct run *r)
{
	struct proto_line line;

	while (framer_next(fr, &line)) {
		if (r->n == r->cap) {
			r->cap = r->cap ? r->cap * 2 : 16;
			r->v = realloc(r->v, r->cap * sizeof(*r->v));
			assert_non_null(r->v);
		}
		struct got *g = &r->v[r->n++];
		g->data = xmalloc(line.len);
		memcpy(g->data, line.data, line.len);
		g->len = line.len;
		g->flags = line.flags;
		g->dropped = line.dropped;
		g->reply = line.reply;
		g->code = line.code;
		g->tag = NULL;
		if (line.tag != NULL) {
			g->tag = xmalloc(line.tag_len + 1);
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
run_feed(struct framer *fr, struct run *r, const char *p, size_t n)
{
	assert_int_equal(framer_feed(fr, (const unsigned char *)p, n), 0);
	run_drain(fr, r);
}

/* Plays a script; server bytes are cut at the global server offset cut. */
static void
run_script(enum proto_id id, const struct step *s, size_t n, size_t cut, struct run *r)
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
run_equal(const struct run *a, const struct run *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++) {
		const struct got *x = &a->v[i], *y = &b->v[i];
		if (x->len != y->len || memcmp(x->data, y->data, x->len) != 0 ||
		    x->flags != y->flags || x->dropped != y->dropped ||
		    x->reply != y->reply || x->code != y->code ||
		    !str_same(x->tag, y->tag) || !str_same(x->finding, y->finding) ||
		    !str_same(x->violation, y->violation) || x->pending != y->pending ||
		    x->in_data != y->in_data)
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
static void
script(enum proto_id id, const struct step *s, size_t n, struct run *out)
{
	size_t total = 0;

	for (size_t i = 0; i < n; i++)
		total += s[i].who == 'S' ? s[i].len : 0;
	char *all = xmalloc(total);
	for (size_t i = 0, off = 0; i < n; i++) {
		if (s[i].who == 'S') {
			memcpy(all + off, s[i].bytes, s[i].len);
			off += s[i].len;
		}
	}
	run_script(id, s, n, CUT_NONE, out);
	struct run other;
	run_script(id, s, n, CUT_BYTES, &other);
	assert_true(run_equal(out, &other));
	run_free(&other);
	for (size_t b = 1, start = 0; b < total; b++) {
		if (all[b - 1] == '\n')
			start = b;
		if (!cut_worth_trying(all, total, start, b))
			continue;
		run_script(id, s, n, b, &other);
		if (!run_equal(out, &other))
			fail_msg("a cut at server byte %zu changes the lines", b);
		run_free(&other);
	}
	free(all);
}

/* Asserts line i's text, its exact flags and its reply. */
static void
line_is(const struct run *r, size_t i, const char *text, size_t len, unsigned flags,
        enum proto_reply reply)
{
	if (i >= r->n)
		fail_msg("line %zu missing: only %zu lines", i, r->n);
	const struct got *g = &r->v[i];
	if (g->len != len || memcmp(g->data, text, len) != 0)
		fail_msg("line %zu is \"%.*s\", expected \"%.*s\"", i, (int)g->len,
		         (const char *)g->data, (int)len, text);
	assert_int_equal(g->flags, flags);
	assert_int_equal(g->reply, reply);
}
#define LINE(r, i, lit, flags, reply)                                                      \
	line_is((r), (i), (lit), sizeof(lit) - 1, (flags), (reply))

static void
no_finding(const struct run *r, size_t i)
{
	assert_true(i < r->n);
	assert_null(r->v[i].finding);
	assert_null(r->v[i].violation);
}

static void
finding_is(const struct run *r, size_t i, const char *id)
{
	assert_true(i < r->n);
	assert_non_null(r->v[i].finding);
	assert_string_equal(r->v[i].finding, id);
	assert_non_null(r->v[i].violation);
	assert_true(strlen(r->v[i].violation) > 10);
}

/* A framer with a script already played, for tests that look at its state. */
static struct framer *
framer_after(enum proto_id id, const struct step *s, size_t n, struct run *r)
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

#define END PROTO_LINE_END
#define GREET PROTO_LINE_GREETING
#define CAPS PROTO_LINE_CAPS
#define STUFFED PROTO_LINE_STUFFED
#define LONG PROTO_LINE_LONG
#define PV "protocol-violation"

#define GREETING SRV("+OK POP3 ready\r\n")

static void
greeting_ok(void **state)
{
	static const struct step s[] = {GREETING};
	struct run r;
	struct framer *fr = framer_new(PROTO_POP3);

	(void)state;
	assert_int_equal(framer_pending(fr), 1);
	framer_free(fr);
	script(PROTO_POP3, s, NSTEPS(s), &r);
	LINE(&r, 0, "+OK POP3 ready", GREET | END, PROTO_REPLY_OK);
	assert_int_equal(r.v[0].pending, 0);
	no_finding(&r, 0);
	run_free(&r);
}

static void
greeting_err_refuses_the_session(void **state)
{
	static const struct step s[] = {SRV("-ERR busy\r\n")};
	struct run r;

	(void)state;
	script(PROTO_POP3, s, NSTEPS(s), &r);
	LINE(&r, 0, "-ERR busy", GREET | END, PROTO_REPLY_FAIL);
	run_free(&r);
}

static void
greeting_without_a_status_is_a_violation(void **state)
{
	static const struct step s[] = {SRV("hello\r\n+ok lower\r\n+OK ready\r\n")};
	struct run r;

	(void)state;
	script(PROTO_POP3, s, NSTEPS(s), &r);
	LINE(&r, 0, "hello", GREET, PROTO_REPLY_NONE);
	finding_is(&r, 0, PV);
	LINE(&r, 1, "+ok lower", GREET, PROTO_REPLY_NONE);
	finding_is(&r, 1, PV);
	assert_int_equal(r.v[1].pending, 1);
	LINE(&r, 2, "+OK ready", GREET | END, PROTO_REPLY_OK);
	run_free(&r);
}

static void
stat_is_answered_by_one_line(void **state)
{
	static const struct step s[] = {GREETING, CLI("STAT"), SRV("+OK 2 320\r\n")};
	struct run r;

	(void)state;
	script(PROTO_POP3, s, NSTEPS(s), &r);
	LINE(&r, 1, "+OK 2 320", END, PROTO_REPLY_OK);
	assert_int_equal(r.v[1].pending, 0);
	run_free(&r);
}

static void
capa_body_carries_capabilities_until_the_lone_dot(void **state)
{
	static const struct step s[] = {
	    GREETING,
	    CLI("CAPA"),
	    SRV("+OK Capability list follows\r\nTOP\r\nSASL PLAIN LOGIN\r\nSTLS\r\n.\r\n"),
	};
	struct run r;
	struct proto_cap caps[2];
	struct proto_line line = {0};

	(void)state;
	script(PROTO_POP3, s, NSTEPS(s), &r);
	assert_int_equal(r.n, 6);
	LINE(&r, 1, "+OK Capability list follows", 0, PROTO_REPLY_NONE);
	assert_int_equal(r.v[1].pending, 1);
	LINE(&r, 2, "TOP", CAPS, PROTO_REPLY_NONE);
	LINE(&r, 3, "SASL PLAIN LOGIN", CAPS, PROTO_REPLY_NONE);
	LINE(&r, 4, "STLS", CAPS, PROTO_REPLY_NONE);
	LINE(&r, 5, ".", END, PROTO_REPLY_OK);
	assert_int_equal(r.v[5].pending, 0);
	line.data = r.v[3].data;
	line.len = r.v[3].len;
	line.flags = r.v[3].flags;
	assert_int_equal(proto_line_caps(PROTO_POP3, &line, caps, 2), 1);
	assert_int_equal(caps[0].len, 16);
	assert_memory_equal(caps[0].data, "SASL PLAIN LOGIN", 16);
	run_free(&r);
}

static void
list_and_uidl_are_multi_line_only_without_argument(void **state)
{
	static const struct step s[] = {
	    GREETING,
	    CLI("LIST"),
	    SRV("+OK 2 messages\r\n1 120\r\n2 200\r\n.\r\n"),
	    CLI("LIST 1"),
	    SRV("+OK 1 120\r\n"),
	    CLI("uidl"),
	    SRV("+OK\r\n1 abc\r\n.\r\n"),
	    CLI("UIDL 1"),
	    SRV("+OK 1 abc\r\n"),
	};
	struct run r;

	(void)state;
	script(PROTO_POP3, s, NSTEPS(s), &r);
	assert_int_equal(r.n, 10);
	LINE(&r, 1, "+OK 2 messages", 0, PROTO_REPLY_NONE);
	LINE(&r, 2, "1 120", 0, PROTO_REPLY_NONE);
	LINE(&r, 4, ".", END, PROTO_REPLY_OK);
	LINE(&r, 5, "+OK 1 120", END, PROTO_REPLY_OK);
	LINE(&r, 6, "+OK", 0, PROTO_REPLY_NONE);
	LINE(&r, 8, ".", END, PROTO_REPLY_OK);
	LINE(&r, 9, "+OK 1 abc", END, PROTO_REPLY_OK);
	assert_int_equal(r.v[9].pending, 0);
	run_free(&r);
}

static void
retr_body_ends_only_at_a_line_that_is_exactly_a_dot(void **state)
{
	static const struct step s[] = {
	    GREETING,
	    CLI("RETR 1"),
	    SRV("+OK 60 octets\r\nSubject: x\r\n\r\n..\r\n.. \r\n..x\r\n. \r\n.\r\n"),
	};
	struct run r;

	(void)state;
	script(PROTO_POP3, s, NSTEPS(s), &r);
	assert_int_equal(r.n, 9);
	LINE(&r, 2, "Subject: x", 0, PROTO_REPLY_NONE);
	LINE(&r, 3, "", 0, PROTO_REPLY_NONE);
	LINE(&r, 4, "..", STUFFED, PROTO_REPLY_NONE);
	LINE(&r, 5, ".. ", STUFFED, PROTO_REPLY_NONE);
	LINE(&r, 6, "..x", STUFFED, PROTO_REPLY_NONE);
	LINE(&r, 7, ". ", STUFFED, PROTO_REPLY_NONE);
	LINE(&r, 8, ".", END, PROTO_REPLY_OK);
	for (size_t i = 2; i < 8; i++)
		assert_int_equal(r.v[i].pending, 1);
	run_free(&r);
}

static void
body_lines_that_look_like_status_lines_are_body(void **state)
{
	static const struct step s[] = {
	    GREETING,
	    CLI("TOP 1 0"),
	    SRV("+OK\r\n-ERR not really\r\n+OK neither\r\n.\r\n"),
	    CLI("NOOP"),
	    SRV("+OK\r\n"),
	};
	struct run r;

	(void)state;
	script(PROTO_POP3, s, NSTEPS(s), &r);
	assert_int_equal(r.n, 6);
	LINE(&r, 2, "-ERR not really", 0, PROTO_REPLY_NONE);
	LINE(&r, 3, "+OK neither", 0, PROTO_REPLY_NONE);
	LINE(&r, 4, ".", END, PROTO_REPLY_OK);
	LINE(&r, 5, "+OK", END, PROTO_REPLY_OK);
	run_free(&r);
}

static void
err_to_a_multi_line_command_is_one_line(void **state)
{
	static const struct step s[] = {
	    GREETING,    CLI("RETR 9"),  SRV("-ERR no such message\r\n"),
	    CLI("NOOP"), SRV("+OK\r\n"),
	};
	struct run r;

	(void)state;
	script(PROTO_POP3, s, NSTEPS(s), &r);
	assert_int_equal(r.n, 3);
	LINE(&r, 1, "-ERR no such message", END, PROTO_REPLY_FAIL);
	LINE(&r, 2, "+OK", END, PROTO_REPLY_OK);
	run_free(&r);
}

static void
lone_dot_with_bare_lf_ends_the_body(void **state)
{
	static const struct step s[] = {GREETING, CLI("CAPA"), SRV("+OK\nUSER\n.\n")};
	struct run r;

	(void)state;
	script(PROTO_POP3, s, NSTEPS(s), &r);
	LINE(&r, 2, "USER", CAPS | PROTO_LINE_BARE_LF, PROTO_REPLY_NONE);
	LINE(&r, 3, ".", END | PROTO_LINE_BARE_LF, PROTO_REPLY_OK);
	run_free(&r);
}

static void
auth_continuation_is_answered_by_the_next_line(void **state)
{
	static const struct step s[] = {
	    GREETING,
	    CLI("AUTH PLAIN"),
	    SRV("+ \r\n"),
	    CLI("AHVzZXIAcGFzcw=="),
	    SRV("+OK logged in\r\n"),
	};
	struct run r;
	struct framer *fr;

	(void)state;
	script(PROTO_POP3, s, NSTEPS(s), &r);
	LINE(&r, 1, "+ ", END, PROTO_REPLY_CONTINUE);
	assert_int_equal(r.v[1].pending, 0);
	no_finding(&r, 1);
	LINE(&r, 2, "+OK logged in", END, PROTO_REPLY_OK);
	run_free(&r);

	fr = framer_after(PROTO_POP3, s, 4, &r);
	assert_int_equal(framer_pending(fr), 1);
	framer_free(fr);
	run_free(&r);
}

static void
auth_without_argument_lists_mechanisms(void **state)
{
	static const struct step s[] = {GREETING, CLI("AUTH"),
	                                SRV("+OK\r\nPLAIN\r\n.\r\n")};
	struct run r;

	(void)state;
	script(PROTO_POP3, s, NSTEPS(s), &r);
	LINE(&r, 2, "PLAIN", 0, PROTO_REPLY_NONE);
	LINE(&r, 3, ".", END, PROTO_REPLY_OK);
	run_free(&r);
}

static void
continuation_outside_auth_is_a_violation(void **state)
{
	static const struct step s[] = {GREETING, CLI("STAT"),
	                                SRV("+ what\r\n+OK 0 0\r\n")};
	struct run r;

	(void)state;
	script(PROTO_POP3, s, NSTEPS(s), &r);
	LINE(&r, 1, "+ what", 0, PROTO_REPLY_NONE);
	finding_is(&r, 1, PV);
	assert_int_equal(r.v[1].pending, 1);
	LINE(&r, 2, "+OK 0 0", END, PROTO_REPLY_OK);
	run_free(&r);
}

static void
line_without_a_status_is_a_violation_and_ends_nothing(void **state)
{
	static const struct step s[] = {GREETING, CLI("STAT"), SRV("OK 1 2\r\n-ERRx\r\n")};
	struct run r;

	(void)state;
	script(PROTO_POP3, s, NSTEPS(s), &r);
	LINE(&r, 1, "OK 1 2", 0, PROTO_REPLY_NONE);
	finding_is(&r, 1, PV);
	LINE(&r, 2, "-ERRx", 0, PROTO_REPLY_NONE);
	finding_is(&r, 2, PV);
	assert_int_equal(r.v[2].pending, 1);
	run_free(&r);
}

static void
response_without_a_command_is_a_violation(void **state)
{
	static const struct step s[] = {SRV("+OK ready\r\n+OK extra\r\n")};
	struct run r;

	(void)state;
	script(PROTO_POP3, s, NSTEPS(s), &r);
	LINE(&r, 1, "+OK extra", END, PROTO_REPLY_OK);
	finding_is(&r, 1, PV);
	run_free(&r);
}

static void
pipelined_commands_are_answered_in_order(void **state)
{
	static const struct step s[] = {
	    GREETING,
	    CLI("STAT"),
	    CLI("LIST"),
	    CLI("QUIT"),
	    SRV("+OK 1 5\r\n+OK\r\n1 5\r\n.\r\n+OK bye\r\n"),
	};
	struct run r;

	(void)state;
	script(PROTO_POP3, s, NSTEPS(s), &r);
	assert_int_equal(r.n, 6);
	assert_int_equal(r.v[1].pending, 2);
	LINE(&r, 3, "1 5", 0, PROTO_REPLY_NONE);
	LINE(&r, 4, ".", END, PROTO_REPLY_OK);
	assert_int_equal(r.v[4].pending, 1);
	LINE(&r, 5, "+OK bye", END, PROTO_REPLY_OK);
	assert_int_equal(r.v[5].pending, 0);
	run_free(&r);
}

static void
response_line_over_512_octets_is_long(void **state)
{
	char ok[600], big[600];
	memset(ok, 'a', sizeof(ok));
	memset(big, 'b', sizeof(big));
	memcpy(ok, "+OK ", 4);
	memcpy(big, "+OK ", 4);
	memcpy(ok + 510, "\r\n", 2);
	memcpy(big + 511, "\r\n", 2);
	struct step s[] = {
	    GREETING, CLI("NOOP"), {'S', ok, 512}, CLI("NOOP"), {'S', big, 513}};
	struct run r;

	(void)state;
	script(PROTO_POP3, s, NSTEPS(s), &r);
	assert_int_equal(r.v[1].flags, END);
	assert_int_equal(r.v[2].flags, END | LONG);
	run_free(&r);
}

static void
message_lines_may_reach_1000_octets(void **state)
{
	char msg[2048];
	memcpy(msg, "+OK\r\n", 5);
	memset(msg + 5, 'm', 998);
	memcpy(msg + 1003, "\r\n", 2);
	memset(msg + 1005, 'n', 999);
	memcpy(msg + 2004, "\r\n.\r\n", 5);
	struct step s[] = {GREETING, CLI("RETR 1"), {'S', msg, 2009}};
	struct run r;

	(void)state;
	script(PROTO_POP3, s, NSTEPS(s), &r);
	assert_int_equal(r.n, 5);
	assert_int_equal(r.v[2].len, 998);
	assert_int_equal(r.v[2].flags, 0);
	assert_int_equal(r.v[3].len, 999);
	assert_int_equal(r.v[3].flags, LONG);
	LINE(&r, 4, ".", END, PROTO_REPLY_OK);
	run_free(&r);
}

static void
capability_lines_over_512_octets_are_long(void **state)
{
	char capa[600];
	memcpy(capa, "+OK\r\n", 5);
	memset(capa + 5, 'c', 511);
	memcpy(capa + 516, "\r\n.\r\n", 5);
	struct step s[] = {GREETING, CLI("CAPA"), {'S', capa, 521}};
	struct run r;

	(void)state;
	script(PROTO_POP3, s, NSTEPS(s), &r);
	assert_int_equal(r.v[2].len, 511);
	assert_int_equal(r.v[2].flags, CAPS | LONG);
	run_free(&r);
}

static void
bytes_after_the_stls_go_ahead_stay_visible_in_the_buffer(void **state)
{
	static const struct step s[] = {GREETING, CLI("STLS"), SRV("+OK begin TLS\r\n+OK")};
	struct run r;
	struct framer *fr = framer_after(PROTO_POP3, s, 2, &r);
	const unsigned char *data;
	struct proto_line line;

	(void)state;
	framer_feed(fr, (const unsigned char *)s[2].bytes, s[2].len);
	assert_int_equal(framer_next(fr, &line), 1);
	assert_int_equal(line.reply, PROTO_REPLY_OK);
	assert_true(line.flags & END);
	assert_int_equal(framer_next(fr, &line), 0);
	assert_int_equal(framer_buffered(fr, &data), 3);
	assert_memory_equal(data, "+OK", 3);
	framer_reset(fr);
	assert_int_equal(framer_buffered(fr, &data), 0);
	assert_int_equal(framer_pending(fr), 0);
	framer_free(fr);
	run_free(&r);
}

static void
reset_leaves_a_multi_line_body(void **state)
{
	static const struct step s[] = {
	    GREETING, CLI("CAPA"), SRV("+OK\r\nSTLS\r\n"),
	    RESET,    CLI("CAPA"), SRV("+OK\r\nUSER\r\n.\r\n"),
	};
	struct run r;

	(void)state;
	script(PROTO_POP3, s, NSTEPS(s), &r);
	assert_int_equal(r.n, 6);
	LINE(&r, 3, "+OK", 0, PROTO_REPLY_NONE);
	no_finding(&r, 3);
	LINE(&r, 5, ".", END, PROTO_REPLY_OK);
	run_free(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(greeting_ok),
	    cmocka_unit_test(greeting_err_refuses_the_session),
	    cmocka_unit_test(greeting_without_a_status_is_a_violation),
	    cmocka_unit_test(stat_is_answered_by_one_line),
	    cmocka_unit_test(capa_body_carries_capabilities_until_the_lone_dot),
	    cmocka_unit_test(list_and_uidl_are_multi_line_only_without_argument),
	    cmocka_unit_test(retr_body_ends_only_at_a_line_that_is_exactly_a_dot),
	    cmocka_unit_test(body_lines_that_look_like_status_lines_are_body),
	    cmocka_unit_test(err_to_a_multi_line_command_is_one_line),
	    cmocka_unit_test(lone_dot_with_bare_lf_ends_the_body),
	    cmocka_unit_test(auth_continuation_is_answered_by_the_next_line),
	    cmocka_unit_test(auth_without_argument_lists_mechanisms),
	    cmocka_unit_test(continuation_outside_auth_is_a_violation),
	    cmocka_unit_test(line_without_a_status_is_a_violation_and_ends_nothing),
	    cmocka_unit_test(response_without_a_command_is_a_violation),
	    cmocka_unit_test(pipelined_commands_are_answered_in_order),
	    cmocka_unit_test(response_line_over_512_octets_is_long),
	    cmocka_unit_test(message_lines_may_reach_1000_octets),
	    cmocka_unit_test(capability_lines_over_512_octets_are_long),
	    cmocka_unit_test(bytes_after_the_stls_go_ahead_stay_visible_in_the_buffer),
	    cmocka_unit_test(reset_leaves_a_multi_line_body),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
