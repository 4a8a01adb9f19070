#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "finding.h"
#include "ladder.h"
#include "output.h"
#include "proto.h"
#include "record.h"
#include "tls.h"
#include "util.h"

/*
 * Glyphs. Every phase has its own lifeline, arrow shaft and margin mark, so
 * plaintext, handshake and encrypted regions differ even without colour:
 *
 *   phase      lifeline     shaft        mark   a client step
 *   plaintext  │ (U+2502)   ─ (U+2500)   ' '      │ EHLO me ─────▶│
 *   handshake  ┆ (U+2506)   ┄ (U+2504)   ':'    : ┆ ClientHello ┄▶┆ :
 *   TLS        ┃ (U+2503)   ━ (U+2501)   '~'    ~ ┃ EHLO me ━━━━━▶┃ ~
 *
 * The mark is ASCII and sits in the outermost column on both sides, the
 * lifelines two columns in. Arrow heads are ▶ towards the server and ◀
 * towards the client. Bands are a rule of ═ across the whole width with the
 * label in the middle. Findings are centred behind ⚠ (warn, danger) or *
 * (info); notes are centred without a mark. Folded steps carry "+N lines"
 * (replies) or "×N" (records).
 */
struct look {
	const char *life, *shaft, *mark;
	enum theme_element gutter, client, server;
};

static const struct look looks[] = {
    [PHASE_PLAIN] = {"\u2502", "\u2500", " ", TE_GUTTER_PLAIN, TE_CLIENT_PLAIN,
                     TE_SERVER_PLAIN},
    [PHASE_HANDSHAKE] = {"\u2506", "\u2504", ":", TE_GUTTER_HANDSHAKE, TE_GUTTER_HANDSHAKE,
                         TE_GUTTER_HANDSHAKE},
    [PHASE_TLS] = {"\u2503", "\u2501", "~", TE_GUTTER_TLS, TE_CLIENT_TLS, TE_SERVER_TLS},
};

#define HEAD_RIGHT "\u25b6"
#define HEAD_LEFT "\u25c0"
#define BAND_FILL "\u2550"
#define ELLIPSIS "\u2026"

static const struct {
	const char *mark;
	enum theme_element elem;
} severity_look[] = {
    [SEV_INFO] = {"*", TE_FINDING_INFO},
    [SEV_WARN] = {"\u26a0", TE_FINDING_WARN},
    [SEV_DANGER] = {"\u26a0", TE_FINDING_DANGER},
};

/* Notes: info in general, warn for injected bytes, danger for errors. */
static const enum theme_element note_elem[] = {
    [SEV_INFO] = TE_INFO,
    [SEV_WARN] = TE_INJECTED,
    [SEV_DANGER] = TE_ERROR,
};

/* Columns outside the lifelines: the mark and a space on each side. */
#define EDGE 3
/* Below this width rows show only their label, cut to the width. */
#define LADDER_MIN_WIDTH 10
/* Bytes of a line escaped for its label: enough to fill the label (escaping
 * never shrinks text), so a line of any length costs the same. */
#define LABEL_INPUT_MAX 128
#define LABEL_CAP (sizeof((struct ladder_step *)0)->label - 1)
/* Certificate events looked at behind a verdict (bounded: O(1)). */
#define CERT_WALK_MAX CERT_CHAIN_MAX

void
ladder_init(struct ladder *l)
{
	*l = (struct ladder){0};
}

void
ladder_free(struct ladder *l)
{
	free(l->v);
	ladder_init(l);
}

/* Bytes of the display unit at s (n > 0 bytes) of an escaped label: a whole
 * escape (\\, \r, \xHH, \uXXXX; escaped text has no other backslash) or one
 * UTF-8 character. */
static size_t
label_unit(const char *s, size_t n)
{
	unsigned char c = (unsigned char)s[0];
	size_t k;

	if (c == '\\')
		k = n > 1 && s[1] == 'x' ? 4 : n > 1 && s[1] == 'u' ? 6 : 2;
	else
		k = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
	return k < n ? k : n;
}

/* Copies safe text into a step label: whole when it fits (and cut is false),
 * else the whole units that fit before "…". */
static void
label_fit(char *label, const char *text, size_t len, bool cut)
{
	size_t keep = 0;

	if (!cut && len <= LABEL_CAP) {
		memcpy(label, text, len);
		label[len] = '\0';
		return;
	}
	while (keep < len) {
		size_t k = label_unit(text + keep, len - keep);
		if (keep + k > LABEL_CAP - strlen(ELLIPSIS))
			break;
		keep += k;
	}
	memcpy(label, text, keep);
	memcpy(label + keep, ELLIPSIS, strlen(ELLIPSIS) + 1);
}

/* Sets a label from network bytes (or, in mode ESCAPE_OWN, from startle's own
 * words), escaped; only their start is looked at. */
static void
label_escaped(char *label, const unsigned char *data, size_t len, enum escape_mode mode)
{
	size_t n = len < LABEL_INPUT_MAX ? len : LABEL_INPUT_MAX;
	char *esc = escape_bytes(data, n, mode);

	if (esc == NULL)
		fatal("out of memory escaping a ladder label");
	label_fit(label, esc, strlen(esc), n < len);
	free(esc);
}

/* Sets a label from startle's own words. */
static void
label_set(char *label, const char *text)
{
	label_fit(label, text, strlen(text), false);
}

/* Appends a step for the event at idx; it closes any open reply. Past
 * LADDER_STEPS_MAX the last step counts the rest and the new one goes to a
 * spare nobody draws. */
static struct ladder_step *
ladder_push(struct ladder *l, enum ladder_kind kind, const struct event *ev, size_t idx)
{
	if (l->n + 1 >= LADDER_STEPS_MAX) {
		if (l->cap < LADDER_STEPS_MAX) {
			l->cap = LADDER_STEPS_MAX;
			l->v = xrealloc(l->v, l->cap * sizeof *l->v);
		}
		struct ladder_step *last = &l->v[LADDER_STEPS_MAX - 1];
		if (l->n < LADDER_STEPS_MAX) {
			l->n = LADDER_STEPS_MAX;
			*last = (struct ladder_step){.kind = LADDER_NOTE, .phase = ev->phase,
			                             .event = idx, .lines = 1, .dir = DIR_LOCAL};
		}
		l->more++;
		snprintf(last->label, sizeof last->label,
		         "... and %lu more step%s: the transcript has them", l->more,
		         l->more == 1 ? "" : "s");
		l->reply_open = false;
		l->spare = (struct ladder_step){.kind = kind, .phase = ev->phase, .event = idx};
		return &l->spare;
	}
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->v = xrealloc(l->v, l->cap * sizeof *l->v);
	}
	struct ladder_step *s = &l->v[l->n++];
	*s = (struct ladder_step){
	    .kind = kind, .phase = ev->phase, .event = idx, .lines = 1, .dir = ev->dir};
	l->reply_open = false;
	l->record_open = false;
	return s;
}

static struct ladder_step *
ladder_last(struct ladder *l)
{
	return l->n > 0 ? &l->v[l->n - 1] : NULL;
}

static void
note(struct ladder *l, const struct event *ev, size_t idx, enum severity sev)
{
	struct ladder_step *s = ladder_push(l, LADDER_NOTE, ev, idx);

	s->severity = sev;
	label_escaped(s->label, ev->text, ev->len,
	              ev->dir == DIR_LOCAL ? ESCAPE_OWN : ESCAPE_TEXT);
}

/* A client line is one arrow; server lines of one reply fold into one, until
 * the line that completes it. */
static void
on_line(struct ladder *l, const struct transcript *t, const struct event *ev, size_t idx)
{
	struct ladder_step *last = ladder_last(l);

	(void)t;
	if (ev->dir == DIR_CLIENT) {
		char marker[OUTPUT_REDACTED_MAX];
		size_t len;
		const unsigned char *text = output_shown_text(ev, l->redact, marker, &len);
		struct ladder_step *s = ladder_push(l, LADDER_CLIENT, ev, idx);
		if (output_hides(ev, l->redact))
			label_set(s->label, marker);
		else
			label_escaped(s->label, text, len, ESCAPE_TEXT);
		return;
	}
	if (l->reply_open && last != NULL && last->kind == LADDER_SERVER) {
		last->lines++;
	} else {
		label_escaped(ladder_push(l, LADDER_SERVER, ev, idx)->label, ev->text,
		              ev->len, ESCAPE_TEXT);
	}
	l->reply_open = !(ev->line_flags & PROTO_LINE_END);
}

static void
on_phase(struct ladder *l, const struct transcript *t, const struct event *ev, size_t idx)
{
	static const char *const band_label[] = {
	    [PHASE_HANDSHAKE] = "TLS handshake",
	    [PHASE_TLS] = "TLS established \u00b7 encrypted",
	};

	(void)t;
	if (ev->phase == PHASE_PLAIN)
		return;
	label_set(ladder_push(l, LADDER_BAND, ev, idx)->label, band_label[ev->phase]);
}

/* The name of a handshake-phase record as the diagram shows it. */
static const char *
record_name(const struct tls_record *r)
{
	switch (r->type) {
	case 20:
		return "ChangeCipherSpec";
	case 21:
		return "alert";
	case 22:
		return tls_record_message(r) != NULL ? tls_record_message(r)
		                                     : "encrypted handshake message";
	case 23:
		return "encrypted handshake data";
	default:
		return record_type_name(r->type);
	}
}

/* Handshake records are arrows, a run of the same kind one arrow with a
 * count; records inside TLS are left to the transcript. */
static void
on_record(struct ladder *l, const struct event *ev, size_t idx)
{
	const char *name = record_name(ev->record);
	struct ladder_step *last = ladder_last(l);

	if (ev->phase != PHASE_HANDSHAKE)
		return;
	if (last != NULL && last->kind == LADDER_RECORD && last->dir == ev->dir &&
	    strcmp(last->label, name) == 0) {
		last->lines++;
		l->record_open = false; /* a run of records: whose content is whose? */
		return;
	}
	label_set(ladder_push(l, LADDER_RECORD, ev, idx)->label, name);
	l->record_open = ev->record->type == RECORD_APPLICATION_DATA;
}

/* A handshake message startle decrypted, in RFC 8446's notation: {braces}
 * under the handshake keys, [brackets] under the application keys. The
 * first message of a record names the record's arrow; the others add their
 * own, and so does one after the handshake (a session ticket). */
static void
on_message(struct ladder *l, const struct event *ev, size_t idx)
{
	const struct tls_message *m = ev->message;
	const char *name = record_handshake_name(m->type);
	struct ladder_step *last = ladder_last(l);
	char text[64], unknown[32];

	if (name == NULL) {
		snprintf(unknown, sizeof unknown, "handshake type %u", m->type);
		name = unknown;
	}
	snprintf(text, sizeof text, "%c%s%c %zu B", m->after_handshake ? '[' : '{', name,
	         m->after_handshake ? ']' : '}', m->length);
	if (l->record_open && last != NULL && last->kind == LADDER_RECORD &&
	    last->dir == ev->dir) {
		label_set(last->label, text);
		l->record_open = false;
		return;
	}
	label_set(ladder_push(l, LADDER_RECORD, ev, idx)->label, text);
}

static void
on_note(struct ladder *l, const struct transcript *t, const struct event *ev, size_t idx)
{
	char text[64];

	(void)t;
	if (ev->record != NULL) {
		on_record(l, ev, idx);
		return;
	}
	if (ev->message != NULL) {
		on_message(l, ev, idx);
		return;
	}
	if (ev->dir != DIR_SERVER)
		return;
	snprintf(text, sizeof text, "%zu injected bytes discarded", ev->len);
	struct ladder_step *s = ladder_push(l, LADDER_NOTE, ev, idx);
	s->severity = SEV_WARN;
	label_set(s->label, text);
}

/* The verdict after a chain becomes one note naming the chain's length (the
 * certificate events right before it, at most a chain's worth). */
static void
on_tls(struct ladder *l, const struct transcript *t, const struct event *ev, size_t idx)
{
	const struct cert_verdict *v = ev->verdict;
	size_t certs = 0;
	char text[96];

	if (v == NULL)
		return;
	while (certs < idx && certs < CERT_WALK_MAX &&
	       transcript_get(t, idx - certs - 1)->kind == EV_CERT)
		certs++;
	snprintf(text, sizeof text, "certificate chain: %zu certificate%s, %s%s", certs,
	         certs == 1 ? "" : "s", v->verified ? "verified" : "NOT verified",
	         v->name_match ? "" : ", name mismatch");
	label_set(ladder_push(l, LADDER_NOTE, ev, idx)->label, text);
}

static void
on_finding(struct ladder *l, const struct transcript *t, const struct event *ev, size_t idx)
{
	struct ladder_step *s = ladder_push(l, LADDER_FINDING, ev, idx);

	(void)t;
	s->severity = ev->severity;
	label_set(s->label, finding_name(ev->finding));
}

static void
on_connect_close(struct ladder *l, const struct transcript *t, const struct event *ev,
                 size_t idx)
{
	(void)t;
	note(l, ev, idx, SEV_INFO);
}

static void
on_error(struct ladder *l, const struct transcript *t, const struct event *ev, size_t idx)
{
	(void)t;
	note(l, ev, idx, SEV_DANGER);
}

typedef void (*ladder_handler)(struct ladder *l, const struct transcript *t,
                               const struct event *ev, size_t idx);

/* What each kind of event adds; certificates add nothing themselves. */
static const ladder_handler handlers[EV_COUNT] = {
    [EV_CONNECT] = on_connect_close, [EV_LINE] = on_line,
    [EV_PHASE] = on_phase,           [EV_TLS] = on_tls,
    [EV_FINDING] = on_finding,       [EV_NOTE] = on_note,
    [EV_ERROR] = on_error,           [EV_CLOSE] = on_connect_close,
};

size_t
ladder_update(struct ladder *l, const struct transcript *t, size_t idx)
{
	const struct event *ev = idx < transcript_count(t) ? transcript_get(t, idx) : NULL;
	size_t n = l->n;
	unsigned lines = n > 0 ? l->v[n - 1].lines : 0;

	if (ev != NULL && ev->kind < EV_COUNT && handlers[ev->kind] != NULL)
		handlers[ev->kind](l, t, ev, idx);
	/* Steps appended, or the last one folded into (its count of lines grew). */
	return l->n - n + (l->n == n && n > 0 && l->v[n - 1].lines != lines ? 1 : 0);
}

/* Drawing */

static void
add_repeat(struct sline *row, enum theme_element e, const char *glyph, int n)
{
	for (int i = 0; i < n; i++)
		sline_add(row, e, glyph);
}

/* Appends an escaped label in at most cols columns: whole when it fits, else
 * the whole units that fit before "…". Escapes are drawn in TE_ESCAPED.
 * Returns the columns used. */
static int
add_label(struct sline *row, enum theme_element e, const char *text, int cols)
{
	size_t len = strlen(text), i = 0;
	int used = 0;

	if (cols <= 0)
		return 0;
	bool cut = utf8_width(text, len) > cols;
	int room = cut ? cols - 1 : cols;
	while (i < len) {
		size_t k = label_unit(text + i, len - i);
		int w = utf8_width(text + i, k);
		if (used + w > room)
			break;
		sline_addn(row, text[i] == '\\' ? TE_ESCAPED : e, text + i, k);
		used += w;
		i += k;
	}
	if (cut) {
		sline_add(row, e, ELLIPSIS);
		used++;
	}
	return used;
}

/* "+11 lines" or "×3" after a folded step, "" otherwise. */
static void
step_suffix(const struct ladder_step *s, char *buf, size_t size)
{
	buf[0] = '\0';
	if (s->lines <= 1)
		return;
	if (s->kind == LADDER_SERVER)
		snprintf(buf, size, " +%u line%s", s->lines - 1, s->lines == 2 ? "" : "s");
	else
		snprintf(buf, size, " \u00d7%u", s->lines);
}

/* Appends the label and its suffix in at most cols columns; the label
 * shrinks first, the suffix goes only when not even one character of the
 * label would remain beside it. Returns the columns used. */
static int
add_text(struct sline *row, enum theme_element e, const struct ladder_step *s, int cols)
{
	char suffix[32];

	step_suffix(s, suffix, sizeof suffix);
	int sw = utf8_width(suffix, strlen(suffix));
	int lw = utf8_width(s->label, strlen(s->label));
	if (sw == 0 || (lw + sw > cols && cols - sw < 2))
		return add_label(row, e, s->label, cols);
	int used = add_label(row, e, s->label, cols - sw);
	sline_add(row, TE_LABEL, suffix);
	return used + sw;
}

static void
edge_left(struct sline *row, const struct look *k)
{
	sline_add(row, k->gutter, k->mark);
	sline_add(row, TE_DEFAULT, " ");
	sline_add(row, k->gutter, k->life);
}

static void
edge_right(struct sline *row, const struct look *k)
{
	sline_add(row, k->gutter, k->life);
	sline_add(row, TE_DEFAULT, " ");
	sline_add(row, k->gutter, k->mark);
}

static void
append_spans(struct sline *dst, const struct sline *src)
{
	size_t off = 0;

	for (size_t i = 0; i < src->nspans; i++) {
		sline_addn(dst, src->spans[i].elem, src->text + off, src->spans[i].len);
		off += src->spans[i].len;
	}
}

/* An arrow between the lifelines: the label beside the lifeline it leaves
 * (left-aligned towards the server, right-aligned towards the client), the
 * shaft filling the rest up to the head at the other lifeline. */
static void
draw_arrow(const struct ladder_step *s, int width, struct sline *row)
{
	const struct look *k = &looks[s->phase];
	bool right =
	    s->kind == LADDER_CLIENT || (s->kind == LADDER_RECORD && s->dir == DIR_CLIENT);
	enum theme_element e = right ? k->client : k->server;
	int inner = width - 2 * EDGE;
	struct sline text;

	sline_init(&text);
	int shaft = inner - 3 - add_text(&text, e, s, inner - 4);
	edge_left(row, k);
	if (right) {
		sline_add(row, TE_DEFAULT, " ");
		append_spans(row, &text);
		sline_add(row, TE_DEFAULT, " ");
		add_repeat(row, e, k->shaft, shaft);
		sline_add(row, e, HEAD_RIGHT);
	} else {
		sline_add(row, e, HEAD_LEFT);
		add_repeat(row, e, k->shaft, shaft);
		sline_add(row, TE_DEFAULT, " ");
		append_spans(row, &text);
		sline_add(row, TE_DEFAULT, " ");
	}
	edge_right(row, k);
	sline_free(&text);
}

/* Text centred between the lifelines, cut to fit with a space each side. */
static void
draw_centred(const struct ladder_step *s, enum theme_element e, const char *text, int width,
             struct sline *row)
{
	const struct look *k = &looks[s->phase];
	int inner = width - 2 * EDGE;
	int w = utf8_width(text, strlen(text));

	if (w > inner - 2)
		w = inner - 2;
	int left = (inner - w) / 2;
	edge_left(row, k);
	add_repeat(row, TE_DEFAULT, " ", left);
	int used = add_label(row, e, text, inner - 2);
	add_repeat(row, TE_DEFAULT, " ", inner - left - used);
	edge_right(row, k);
}

static void
draw_finding(const struct ladder_step *s, int width, struct sline *row)
{
	enum severity sev = s->severity <= SEV_DANGER ? s->severity : SEV_DANGER;
	char text[sizeof s->label + 8];

	snprintf(text, sizeof text, "%s %s", severity_look[sev].mark, s->label);
	draw_centred(s, severity_look[sev].elem, text, width, row);
}

static void
draw_note(const struct ladder_step *s, int width, struct sline *row)
{
	enum severity sev = s->severity <= SEV_DANGER ? s->severity : SEV_DANGER;

	draw_centred(s, note_elem[sev], s->label, width, row);
}

/* A rule across the whole width with the label in the middle. */
static void
draw_band(const struct ladder_step *s, int width, struct sline *row)
{
	int room = width - 4; /* a fill column and a space on each side */
	int w = utf8_width(s->label, strlen(s->label));

	if (room < 1) {
		add_repeat(row, TE_BOUNDARY, BAND_FILL, width);
		return;
	}
	if (w > room)
		w = room;
	int left = (width - w - 2) / 2;
	add_repeat(row, TE_BOUNDARY, BAND_FILL, left);
	sline_add(row, TE_BOUNDARY, " ");
	w = add_label(row, TE_BOUNDARY, s->label, room);
	sline_add(row, TE_BOUNDARY, " ");
	add_repeat(row, TE_BOUNDARY, BAND_FILL, width - left - w - 2);
}

typedef void (*ladder_drawer)(const struct ladder_step *s, int width, struct sline *row);

static const ladder_drawer drawers[] = {
    [LADDER_CLIENT] = draw_arrow,    [LADDER_SERVER] = draw_arrow,
    [LADDER_BAND] = draw_band,       [LADDER_RECORD] = draw_arrow,
    [LADDER_FINDING] = draw_finding, [LADDER_NOTE] = draw_note,
};

/* "client" over the left lifeline, "server" over the right one. */
static void
draw_header(int width, struct sline *row)
{
	static const char client[] = "client", server[] = "server";
	int gap = width - (int)(sizeof client - 1) - (int)(sizeof server - 1);

	if (gap < 1) {
		add_label(row, TE_LABEL, client, width);
		return;
	}
	sline_add(row, TE_LABEL, client);
	add_repeat(row, TE_DEFAULT, " ", gap);
	sline_add(row, TE_LABEL, server);
}

/* One step as one row; too narrow for lifelines, only its label. */
static void
draw_step(const struct ladder_step *s, int width, struct sline *row)
{
	if (width < LADDER_MIN_WIDTH) {
		add_label(row, s->kind == LADDER_BAND ? TE_BOUNDARY : TE_DEFAULT, s->label,
		          width);
		return;
	}
	drawers[s->kind](s, width, row);
}

size_t
ladder_rows(const struct ladder *l, int width, size_t first, int height, struct slines *out)
{
	size_t total = l->n + 1;

	if (height <= 0 || first >= total)
		return total;
	size_t end = total - first > (size_t)height ? first + (size_t)height : total;
	for (size_t r = first; r < end; r++) {
		struct sline *row = slines_push(out);
		if (r == 0) {
			row->tag = -1;
			draw_header(width, row);
			continue;
		}
		const struct ladder_step *s = &l->v[r - 1];
		row->tag = (int)s->event;
		draw_step(s, width, row);
	}
	return total;
}

/* A row where a side has no step: its lifelines alone, in the look of the
 * phase it is in. */
static void
draw_lifelines(enum phase phase, int width, struct sline *row)
{
	const struct look *k = &looks[phase];

	if (width < LADDER_MIN_WIDTH) {
		add_repeat(row, TE_DEFAULT, " ", width);
		return;
	}
	edge_left(row, k);
	add_repeat(row, TE_DEFAULT, " ", width - 2 * EDGE);
	edge_right(row, k);
}

/* When step i happened (wall clock); past the last step, never. */
static double
step_time(const struct ladder *l, const struct transcript *t, size_t i)
{
	const struct event *ev = i < l->n ? transcript_get(t, l->v[i].event) : NULL;

	return ev != NULL ? ev->wall : HUGE_VAL;
}

/* One row of the pair: each side's step, or its lifelines, side by side
 * across the divider. */
static void
pair_row(const struct ladder *const l[2], const size_t at[2], const bool has[2],
         const enum phase phase[2], const int w[2], struct sline *row)
{
	for (int s = 0; s < 2; s++) {
		struct sline half;
		sline_init(&half);
		if (at == NULL)
			draw_header(w[s], &half);
		else if (has[s])
			draw_step(&l[s]->v[at[s]], w[s], &half);
		else
			draw_lifelines(phase[s], w[s], &half);
		append_spans(row, &half);
		for (int c = sline_width(&half); c < w[s]; c++)
			sline_add(row, TE_DEFAULT, " ");
		if (s == 0)
			sline_add(row, TE_BORDER, "\u2502");
		sline_free(&half);
	}
}

size_t
ladder_pair_rows(const struct ladder *const l[2], const struct transcript *const t[2],
                 int width, size_t first, int height, struct slines *out)
{
	const int w[2] = {(width - 1) / 2, width - 1 - (width - 1) / 2};
	size_t at[2] = {0, 0}, row = 1;
	enum phase phase[2] = {PHASE_PLAIN, PHASE_PLAIN};
	size_t end = height > 0 ? first + (size_t)height : first;

	if (first == 0 && height > 0)
		pair_row(l, NULL, NULL, phase, w, slines_push(out));
	while (at[0] < l[0]->n || at[1] < l[1]->n) {
		int x = step_time(l[1], t[1], at[1]) < step_time(l[0], t[0], at[0]) ? 1 : 0;
		int y = 1 - x;
		/* The other side's next step shares the row when it came before
		 * this side's following one (rows stay in the order of time) and
		 * nearer to this step than to that one (EHLO beside EHLO). */
		double tx = step_time(l[x], t[x], at[x]), ty = step_time(l[y], t[y], at[y]);
		double tnext = step_time(l[x], t[x], at[x] + 1);
		bool has[2];
		has[x] = true;
		has[y] = ty < tnext && (tnext == HUGE_VAL || ty - tx <= tnext - ty);
		if (row >= first && row < end) {
			struct sline *r = slines_push(out);
			r->tag = -1;
			pair_row(l, at, has, phase, w, r);
		}
		for (int s = 0; s < 2; s++)
			if (has[s])
				phase[s] = l[s]->v[at[s]++].phase;
		row++;
	}
	return row;
}
