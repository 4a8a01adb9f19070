/*
 * The shared part of every framer: the byte buffer, the line splitter (CRLF
 * or bare LF, the PROTO_LINE_CAP cut, IMAP literals) and the public framer_*
 * entry points that dispatch to the protocol.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "framer_int.h"
#include "proto.h"
#include "util.h"

static const char lit_overflow[] =
    "the literal length does not fit in 64 bits (RFC 9051 §4.3)";
static const char lit_overcap[] =
    "the literal is larger than startle accepts; the rest is read as lines";
static const char lit_nonsync[] =
    "a server must not send a non-synchronizing literal {n+} (RFC 7888 §4)";

static const struct framer_ops *const framer_ops_table[PROTO_COUNT] = {
    [PROTO_SMTP] = &smtp_framer_ops,
    [PROTO_IMAP] = &imap_framer_ops,
    [PROTO_POP3] = &pop3_framer_ops,
};

void
framer_violation(struct proto_line *line, const char *finding, const char *sentence)
{
	if (line->finding != NULL)
		return;
	line->finding = finding;
	line->violation = sentence;
}

/* Frees what a command owns and empties it. */
static void
fr_command_clear(struct proto_command *c)
{
	free(c->tag);
	memset(c, 0, sizeof(*c));
}

void
framer_command_push(struct framer *fr, unsigned char kind, const unsigned char *line,
                    size_t len)
{
	struct framer_queue *q = &fr->cmds;
	struct proto_command *c;

	if (q->head > 0 && q->n == q->cap) {
		memmove(q->v, q->v + q->head, (q->n - q->head) * sizeof(*q->v));
		q->n -= q->head;
		q->head = 0;
	}
	if (q->n == q->cap) {
		q->cap = q->cap ? q->cap * 2 : 8;
		q->v = xrealloc(q->v, q->cap * sizeof(*q->v));
	}
	c = &q->v[q->n++];
	memset(c, 0, sizeof(*c));
	c->kind = kind;
	proto_command_word(fr->id, line, len, c->word, sizeof(c->word));
	if (fr->id == PROTO_IMAP)
		c->tag = xmemdup(line, framer_word_len(line, len));
	c->capa = proto_is_capa(fr->id, line, len);
	c->starttls = proto_is_starttls(fr->id, line, len);
	c->quit = strcmp(c->word, proto_info(fr->id)->quit_command) == 0;
	fr->pushed = true;
}

void
framer_answer_push(struct framer *fr, unsigned char kind, const char *word)
{
	struct proto_command *c;

	framer_command_push(fr, kind, (const unsigned char *)"", 0);
	c = &fr->cmds.v[fr->cmds.n - 1];
	c->answer = true;
	snprintf(c->word, sizeof(c->word), "%s", word);
}

const struct proto_command *
framer_command_front(const struct framer *fr)
{
	return fr->cmds.head < fr->cmds.n ? &fr->cmds.v[fr->cmds.head] : NULL;
}

long
framer_command_find_tag(const struct framer *fr, const unsigned char *tag, size_t len)
{
	for (size_t i = fr->cmds.head; i < fr->cmds.n; i++) {
		const char *t = fr->cmds.v[i].tag;
		if (t != NULL && strlen(t) == len && memcmp(t, tag, len) == 0)
			return (long)(i - fr->cmds.head);
	}
	return -1;
}

void
framer_command_answer(struct framer *fr, struct proto_line *line, size_t i)
{
	struct framer_queue *q = &fr->cmds;
	size_t at = q->head + i;

	if (at >= q->n)
		return;
	fr_command_clear(&fr->answered);
	fr->answered = q->v[at];
	memmove(&q->v[at], &q->v[at + 1], (q->n - at - 1) * sizeof(*q->v));
	q->n--;
	line->command = &fr->answered;
	line->flags |= PROTO_LINE_ANSWER;
}

/* Forgets every outstanding command. */
static void
fr_commands_clear(struct framer *fr)
{
	for (size_t i = fr->cmds.head; i < fr->cmds.n; i++)
		fr_command_clear(&fr->cmds.v[i]);
	fr->cmds.head = fr->cmds.n = 0;
	fr_command_clear(&fr->answered);
}

size_t
framer_outstanding(const struct framer *fr)
{
	return fr->cmds.n - fr->cmds.head;
}

bool
framer_word_eq(const unsigned char *p, size_t n, const char *w)
{
	size_t wl = strlen(w);

	if (n != wl)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char a = p[i], b = (unsigned char)w[i];
		if (a >= 'a' && a <= 'z')
			a = (unsigned char)(a - 'a' + 'A');
		if (b >= 'a' && b <= 'z')
			b = (unsigned char)(b - 'a' + 'A');
		if (a != b)
			return false;
	}
	return true;
}

size_t
framer_word_len(const unsigned char *p, size_t n)
{
	if (n == 0)
		return 0;
	const unsigned char *sp = memchr(p, ' ', n);
	return sp ? (size_t)(sp - p) : n;
}

/* Advances the "{n}" recogniser by one content byte. */
static void
fr_litscan_step(struct fr_litscan *ls, unsigned char c)
{
	if (c == '\r') {
		ls->before_cr = ls->state;
		ls->state = FR_LIT_NONE;
		return;
	}
	if (c == '{') {
		ls->state = FR_LIT_OPEN;
		ls->value = 0;
		ls->overflow = false;
		ls->nonsync = false;
		return;
	}
	switch (ls->state) {
	case FR_LIT_OPEN:
	case FR_LIT_DIGITS:
		if (c >= '0' && c <= '9') {
			unsigned d = (unsigned)(c - '0');
			if (ls->value > (UINT64_MAX - d) / 10)
				ls->overflow = true;
			else
				ls->value = ls->value * 10 + d;
			ls->state = FR_LIT_DIGITS;
		} else if (ls->state == FR_LIT_DIGITS && c == '+') {
			ls->state = FR_LIT_PLUS;
			ls->nonsync = true;
		} else if (ls->state == FR_LIT_DIGITS && c == '}') {
			ls->state = FR_LIT_CLOSE;
		} else {
			ls->state = FR_LIT_NONE;
		}
		break;
	case FR_LIT_PLUS:
		ls->state = c == '}' ? FR_LIT_CLOSE : FR_LIT_NONE;
		break;
	case FR_LIT_CLOSE:
	case FR_LIT_NONE:
		ls->state = FR_LIT_NONE;
		break;
	}
}

bool
framer_ends_literal(const unsigned char *p, size_t n, uint64_t *value, bool *nonsync)
{
	struct fr_litscan ls = {0};

	for (size_t i = 0; i < n; i++)
		fr_litscan_step(&ls, p[i]);
	if (ls.state != FR_LIT_CLOSE || ls.overflow)
		return false;
	*value = ls.value;
	*nonsync = ls.nonsync;
	return true;
}

/* Makes room for more bytes in the buffer, moving out consumed bytes first;
 * grows to twice the live data so moving stays rare. */
static int
fr_reserve(struct framer *fr, size_t more)
{
	size_t used = fr->tail - fr->base;

	if (used + more <= fr->cap)
		return 0;
	if (fr->head > fr->base) {
		size_t gone = fr->head - fr->base;
		memmove(fr->buf, fr->buf + gone, used - gone);
		fr->base = fr->head;
		used -= gone;
	}
	size_t need = used + more;
	if (need <= fr->cap / 2)
		return 0;
	size_t ncap = fr->cap ? fr->cap : 256;
	while (ncap < need * 2) {
		if (ncap > SIZE_MAX / 4)
			return -1;
		ncap *= 2;
	}
	unsigned char *nb = realloc(fr->buf, ncap);
	if (nb == NULL)
		return -1;
	fr->buf = nb;
	fr->cap = ncap;
	return 0;
}

static int
fr_store(struct framer *fr, unsigned char c)
{
	if (fr_reserve(fr, 1) < 0)
		return -1;
	fr->buf[fr->tail - fr->base] = c;
	fr->tail++;
	return 0;
}

static unsigned char
fr_byte_at(const struct framer *fr, size_t pos)
{
	return fr->buf[pos - fr->base];
}

/* Steps the "{n}" recogniser over the line stored so far, as if each byte
 * had been stepped on arrival. Only the bytes from the last '{' decide the
 * outcome ('{' resets it, and a CR inside them sets before_cr again), so the
 * scan starts there; a byte that can be no part of "{n}", "{n+}" or a CR
 * after the last '{' means no literal, and ends the scan early. */
static void
fr_litscan_stored(struct framer *fr)
{
	size_t n = fr->tail - fr->line, k = n;

	memset(&fr->ls, 0, sizeof(fr->ls));
	if (n == 0)
		return;
	const unsigned char *p = fr->buf + (fr->line - fr->base);
	while (k > 0) {
		unsigned char c = p[k - 1];
		if (c == '{')
			break;
		if (!(c >= '0' && c <= '9') && c != '+' && c != '}' && c != '\r')
			return;
		k--;
	}
	if (k == 0)
		return;
	for (k--; k < n; k++)
		fr_litscan_step(&fr->ls, p[k]);
}

/* Queues a record for framer_next. */
static int
fr_emit(struct framer *fr, const struct fr_rec *rec)
{
	if (fr->rhead > 0 && fr->rhead == fr->rn) {
		fr->rhead = 0;
		fr->rn = 0;
	}
	if (fr->rn == fr->rcap) {
		if (fr->rhead > 0) {
			memmove(fr->recs, fr->recs + fr->rhead,
			        (fr->rn - fr->rhead) * sizeof(*fr->recs));
			fr->rn -= fr->rhead;
			fr->rhead = 0;
		} else {
			size_t ncap = fr->rcap ? fr->rcap * 2 : 16;
			struct fr_rec *nr = realloc(fr->recs, ncap * sizeof(*nr));
			if (nr == NULL)
				return -1;
			fr->recs = nr;
			fr->rcap = ncap;
		}
	}
	fr->recs[fr->rn++] = *rec;
	return 0;
}

/* Starts a fresh partial line at the tail. */
static void
fr_line_start(struct framer *fr, bool cont)
{
	fr->line = fr->tail;
	fr->trunc = false;
	fr->trunc_cr = false;
	fr->drop = 0;
	fr->cont = cont;
	memset(&fr->ls, 0, sizeof(fr->ls));
}

/* Decides what a line's "{n}" ending means: sets the literal to read, or a
 * violation on the record. Returns true if a literal follows. */
static bool
fr_line_literal(struct framer *fr, enum fr_lit_state end, struct fr_rec *rec)
{
	if (!fr->ops->literals || end != FR_LIT_CLOSE)
		return false;
	if (fr->ls.overflow) {
		rec->violation = lit_overflow;
		return false;
	}
	if (fr->ls.value > PROTO_LITERAL_CAP) {
		rec->violation = lit_overcap;
		return false;
	}
	if (fr->ls.nonsync)
		rec->violation = lit_nonsync;
	fr->lit_left = fr->ls.value;
	return true;
}

/* Ends the partial line at an LF that has just arrived. */
static int
fr_line_end(struct framer *fr)
{
	struct fr_rec rec = {.pos = fr->line, .kind = fr->cont ? FR_REC_CONT : FR_REC_LINE};
	bool cr;

	if (!fr->trunc) {
		size_t stored = fr->tail - fr->line;
		cr = stored > 0 && fr_byte_at(fr, fr->tail - 1) == '\r';
		if (fr->ops->literals)
			fr_litscan_stored(fr);
		if (stored - cr > PROTO_LINE_CAP) {
			/* the held byte past the cap was content after all */
			fr->tail--;
			fr->trunc = true;
			fr->drop = 1;
			cr = false;
		}
	} else {
		cr = fr->trunc_cr;
	}
	if (fr->trunc) {
		rec.len = PROTO_LINE_CAP;
		rec.flags |= PROTO_LINE_TRUNCATED;
		rec.dropped = fr->drop;
		if (cr && fr_store(fr, '\r') < 0)
			return -1;
	} else {
		rec.len = fr->tail - fr->line - cr;
	}
	if (fr_store(fr, '\n') < 0)
		return -1;
	if (!cr)
		rec.flags |= PROTO_LINE_BARE_LF;
	rec.raw = fr->tail - fr->line;

	bool literal = fr_line_literal(fr, cr ? fr->ls.before_cr : fr->ls.state, &rec);
	if (fr_emit(fr, &rec) < 0)
		return -1;
	fr_line_start(fr, literal);
	return 0;
}

/* Queues the first raw bytes of the partial literal piece as a record of len
 * content bytes. */
static int
fr_lit_piece(struct framer *fr, size_t len, size_t raw, unsigned flags)
{
	struct fr_rec rec = {
	    .pos = fr->line,
	    .len = len,
	    .raw = raw,
	    .flags = PROTO_LINE_LITERAL | flags,
	    .kind = FR_REC_LITERAL,
	};

	if (fr_emit(fr, &rec) < 0)
		return -1;
	fr->line += raw;
	return 0;
}

/* The literal is complete: queues what is left of it in pieces of at most
 * the line cap, and starts the rest of the command line. */
static int
fr_lit_end(struct framer *fr)
{
	while (fr->tail - fr->line > 0) {
		size_t n = fr->tail - fr->line;
		if (n > PROTO_LINE_CAP)
			n = PROTO_LINE_CAP;
		if (fr_lit_piece(fr, n, n, 0) < 0)
			return -1;
	}
	fr_line_start(fr, true);
	return 0;
}

/* Takes one byte of an IMAP literal: pieces end at LF, at PROTO_LINE_CAP bytes
 * and where the literal ends. */
static int
fr_lit_byte(struct framer *fr, unsigned char c)
{
	if (fr_store(fr, c) < 0)
		return -1;
	fr->lit_left--;
	size_t stored = fr->tail - fr->line;
	if (c == '\n') {
		bool cr = stored >= 2 && fr_byte_at(fr, fr->tail - 2) == '\r';
		if (fr_lit_piece(fr, stored - 1 - cr, stored, cr ? 0 : PROTO_LINE_BARE_LF) <
		    0)
			return -1;
	} else if (stored > PROTO_LINE_CAP &&
	           !(stored == PROTO_LINE_CAP + 1 && c == '\r')) {
		if (fr_lit_piece(fr, PROTO_LINE_CAP, PROTO_LINE_CAP, 0) < 0)
			return -1;
	}
	if (fr->lit_left > 0)
		return 0;
	return fr_lit_end(fr);
}

/* Takes up to n bytes of a literal (n <= lit_left) a run at a time: what
 * fr_lit_byte does byte by byte, but runs that hold no LF and stay under the
 * line cap are copied whole. Returns the bytes taken, or -1. */
static ssize_t
fr_lit_run(struct framer *fr, const unsigned char *p, size_t n)
{
	size_t stored = fr->tail - fr->line;
	size_t take = stored < PROTO_LINE_CAP ? PROTO_LINE_CAP - stored : 0;

	if (take > n)
		take = n;
	if (take > 0) {
		const unsigned char *lf = memchr(p, '\n', take);
		if (lf != NULL)
			take = (size_t)(lf - p);
	}
	if (take == 0)
		return fr_lit_byte(fr, p[0]) < 0 ? -1 : 1;
	if (fr_reserve(fr, take) < 0)
		return -1;
	memcpy(fr->buf + (fr->tail - fr->base), p, take);
	fr->tail += take;
	fr->lit_left -= take;
	if (fr->lit_left == 0 && fr_lit_end(fr) < 0)
		return -1;
	return (ssize_t)take;
}

/* Takes a run of line bytes without LF at once. Up to PROTO_LINE_CAP + 1
 * bytes are stored (one byte past the cap is held back because it may be the
 * CR of the terminator); the rest of a longer line is counted as dropped.
 * Where the protocol has literals, a stored line is scanned for "{n}" at its
 * end (fr_line_end), and a truncated one steps the recogniser over each
 * dropped byte, since those bytes are not kept. */
static int
fr_line_run(struct framer *fr, const unsigned char *p, size_t n)
{
	if (!fr->trunc) {
		size_t room = PROTO_LINE_CAP + 1 - (fr->tail - fr->line);
		size_t take = n < room ? n : room;
		if (fr_reserve(fr, take) < 0)
			return -1;
		memcpy(fr->buf + (fr->tail - fr->base), p, take);
		fr->tail += take;
		p += take;
		n -= take;
		if (n == 0)
			return 0;
		if (fr->ops->literals)
			fr_litscan_stored(fr);
		fr->tail--;
		fr->trunc = true;
		fr->trunc_cr = false;
		fr->drop = 1;
	}
	if (fr->ops->literals)
		for (size_t i = 0; i < n; i++)
			fr_litscan_step(&fr->ls, p[i]);
	if (fr->trunc_cr)
		fr->drop++;
	fr->trunc_cr = p[n - 1] == '\r';
	fr->drop += n - fr->trunc_cr;
	return 0;
}

int
framer_feed(struct framer *fr, const unsigned char *data, size_t len)
{
	size_t i = 0;

	while (i < len) {
		int rc;
		if (fr->lit_left > 0) {
			size_t n = len - i < fr->lit_left ? len - i : fr->lit_left;
			ssize_t took = fr_lit_run(fr, data + i, n);
			rc = took < 0 ? -1 : 0;
			i += took > 0 ? (size_t)took : 0;
		} else if (data[i] != '\n') {
			const unsigned char *lf = memchr(data + i, '\n', len - i);
			size_t end = lf ? (size_t)(lf - data) : len;
			rc = fr_line_run(fr, data + i, end - i);
			i = end;
		} else {
			rc = fr_line_end(fr);
			i++;
		}
		if (rc < 0)
			return -1;
	}
	return 0;
}

int
framer_next(struct framer *fr, struct proto_line *line)
{
	if (fr->rhead == fr->rn)
		return 0;
	const struct fr_rec *rec = &fr->recs[fr->rhead++];

	memset(line, 0, sizeof(*line));
	line->data = fr->buf + (rec->pos - fr->base);
	line->len = rec->len;
	line->flags = rec->flags;
	line->dropped = rec->dropped;
	fr->head = rec->pos + rec->raw;
	fr->ops->line(fr, line, rec);
	if (line->command == NULL && !(line->flags & PROTO_LINE_GREETING))
		line->command = framer_command_front(fr);
	if (rec->violation != NULL)
		framer_violation(line, "protocol-violation", rec->violation);
	return 1;
}

int
framer_finish(struct framer *fr)
{
	if (fr->lit_left > 0 || (fr->tail == fr->line && !fr->trunc))
		return 0;
	if (fr_line_end(fr) < 0)
		return -1;
	struct fr_rec *rec = &fr->recs[fr->rn - 1];
	rec->flags = (rec->flags & ~(unsigned)PROTO_LINE_BARE_LF) | PROTO_LINE_EOF;
	return 1;
}

size_t
framer_buffered(const struct framer *fr, const unsigned char **data)
{
	static const unsigned char empty[1];

	if (fr->buf == NULL) {
		*data = empty;
		return 0;
	}
	*data = fr->buf + (fr->head - fr->base);
	return fr->tail - fr->head;
}

/* Forgets every byte and record, keeping the allocations. */
static void
fr_clear_stream(struct framer *fr)
{
	fr->base = fr->head = fr->tail = 0;
	fr->rhead = fr->rn = 0;
	fr->lit_left = 0;
	fr_line_start(fr, false);
}

struct framer *
framer_new(enum proto_id id)
{
	if ((unsigned)id >= PROTO_COUNT)
		return NULL;
	struct framer *fr = calloc(1, sizeof(*fr));
	if (fr == NULL)
		return NULL;
	fr->id = id;
	fr->ops = framer_ops_table[id];
	fr_clear_stream(fr);
	fr->ops->reset(fr, true);
	return fr;
}

void
framer_free(struct framer *fr)
{
	if (fr == NULL)
		return;
	fr_commands_clear(fr);
	free(fr->cmds.v);
	free(fr->buf);
	free(fr->recs);
	free(fr);
}

void
framer_reset(struct framer *fr)
{
	fr_clear_stream(fr);
	fr_commands_clear(fr);
	fr->ops->reset(fr, false);
}

const struct proto_command *
framer_sent(struct framer *fr, const unsigned char *line, size_t len)
{
	fr->pushed = false;
	fr->ops->sent(fr, line, len);
	return fr->pushed ? &fr->cmds.v[fr->cmds.n - 1] : NULL;
}

unsigned
framer_pending(const struct framer *fr)
{
	return fr->ops->pending(fr);
}

void
framer_client(const struct framer *fr, struct proto_client *out)
{
	memset(out, 0, sizeof(*out));
	fr->ops->client(fr, out);
}

int
framer_literal_fit(const struct framer *fr, size_t len)
{
	struct proto_client c;

	framer_client(fr, &c);
	if (c.next != PROTO_NEXT_LITERAL || !c.may_send)
		return -1;
	if ((uint64_t)len + 2 <= c.literal_left)
		return 2;
	return (uint64_t)len == c.literal_left ? 0 : -1;
}

bool
framer_in_data(const struct framer *fr)
{
	return fr->id == PROTO_SMTP && fr->st.smtp.data_mode;
}
