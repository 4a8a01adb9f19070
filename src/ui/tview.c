#include <stdio.h>
#include <string.h>

#include "output.h"
#include "record.h"
#include "tls.h"
#include "tview.h"

/*
 * Gutter: one column left of every row of an event, in the element of its
 * phase. In colour the glyph is the same bar for every phase and the colour
 * tells them apart; without colour the glyph itself carries the phase, in
 * ASCII so that it survives any terminal: '!' plaintext (readable by anyone
 * on the path), '~' handshake, '|' TLS.
 */
static const char *const gutter_glyph[2][3] = {
    [false] =
        {[PHASE_PLAIN] = "\u258c", [PHASE_HANDSHAKE] = "\u258c", [PHASE_TLS] = "\u258c"},
    [true] = {[PHASE_PLAIN] = "!", [PHASE_HANDSHAKE] = "~", [PHASE_TLS] = "|"},
};

static const enum theme_element gutter_elem[] = {
    [PHASE_PLAIN] = TE_GUTTER_PLAIN,
    [PHASE_HANDSHAKE] = TE_GUTTER_HANDSHAKE,
    [PHASE_TLS] = TE_GUTTER_TLS,
};

static const enum theme_element finding_elem[] = {
    [SEV_INFO] = TE_FINDING_INFO,
    [SEV_WARN] = TE_FINDING_WARN,
    [SEV_DANGER] = TE_FINDING_DANGER,
};

/* A trust-boundary rule: a label centred in a full-width run of fill (one
 * column wide), drawn where a phase begins. */
struct rule {
	const char *fill;
	const char *label;
};

static const struct rule rule_handshake = {
    .fill = "\u2500",
    .label = "TLS handshake begins \u00b7 records on the wire from here",
};
static const struct rule rule_tls = {
    .fill = "\u2550",
    .label = "TLS established \u00b7 encrypted from here on",
};

/* Marker and its space: continuation rows of an event start after them. */
#define TVIEW_TEXT_INDENT 3
/* "   # " before an explanation. */
#define TVIEW_EXPLAIN_INDENT 5

static void
append_line(struct sline *dst, const struct sline *src)
{
	size_t off = 0;

	for (size_t i = 0; i < src->nspans; i++) {
		sline_addn(dst, src->spans[i].elem, src->text + off, src->spans[i].len);
		off += src->spans[i].len;
	}
}

/* Wraps content to the pane (less the gutter) and appends its rows, each
 * behind the gutter of phase p. Returns the rows added. */
static int
emit_wrapped(const struct sline *content, int width, int indent, enum phase p,
             const struct tview_opts *o, size_t idx, struct slines *out)
{
	struct slines tmp;
	int rows;

	slines_init(&tmp);
	sline_wrap(content, width - 1, indent, TE_DEFAULT, &tmp);
	rows = (int)tmp.n;
	for (size_t i = 0; i < tmp.n; i++) {
		struct sline *row = slines_push(out);
		sline_add(row, gutter_elem[p], gutter_glyph[o->no_color][p]);
		append_line(row, &tmp.v[i]);
		row->tag = (int)idx;
	}
	slines_free(&tmp);
	return rows;
}

static void
add_repeat(struct sline *l, const char *s, int n)
{
	for (int i = 0; i < n; i++)
		sline_add(l, TE_BOUNDARY, s);
}

/* Appends one full-width rule row (no gutter: the boundary crosses it). */
static int
emit_rule(const struct rule *r, int width, size_t idx, struct slines *out)
{
	struct sline *row = slines_push(out);
	size_t lb = strlen(r->label);
	int room = width - 6; /* two fill columns and a space on each side */

	row->tag = (int)idx;
	if (utf8_width(r->label, lb) > room)
		lb = utf8_fit(r->label, lb, room > 0 ? room : 0);
	if (lb == 0) {
		add_repeat(row, r->fill, width);
		return 1;
	}
	int lw = utf8_width(r->label, lb);
	int left = (width - lw - 2) / 2;
	add_repeat(row, r->fill, left);
	sline_add(row, TE_BOUNDARY, " ");
	sline_addn(row, TE_BOUNDARY, r->label, lb);
	sline_add(row, TE_BOUNDARY, " ");
	add_repeat(row, r->fill, width - lw - 2 - left);
	return 1;
}

static enum theme_element
line_elem(const struct event *ev)
{
	bool plain = ev->phase == PHASE_PLAIN;

	if (ev->dir == DIR_CLIENT)
		return plain ? TE_CLIENT_PLAIN : TE_CLIENT_TLS;
	return plain ? TE_SERVER_PLAIN : TE_SERVER_TLS;
}

/* "[TLS handshake ServerHello 90 B]": a record as the wire shows it, its
 * size the length of its body (as JSON's length and the Handshake tab say;
 * the five header bytes are not counted). A handshake type of 0 means it was
 * not readable, so it is not named. */
static void
record_label(struct sline *l, enum theme_element e, const struct tls_record *r)
{
	const char *hs = tls_record_message(r);

	sline_addf(l, e, "[TLS %s%s%s %zu B]", record_type_name(r->type), hs ? " " : "",
	           hs ? hs : "", r->length);
}

/* "[{Certificate} 987 B]": a TLS 1.3 handshake message startle decrypted,
 * in RFC 8446's notation ({} under the handshake keys, [] after), its size
 * the length of its body. */
static void
message_label(struct sline *l, enum theme_element e, const struct tls_message *m)
{
	const char *name = record_handshake_name(m->type);
	char unknown[32];

	if (name == NULL) {
		snprintf(unknown, sizeof unknown, "handshake type %u", m->type);
		name = unknown;
	}
	sline_addf(l, e, "[%c%s%c %zu B]", m->after_handshake ? '[' : '{', name,
	           m->after_handshake ? ']' : '}', m->length);
}

/* The record header an eavesdropper reads, then the first body bytes. */
static void
record_hex(struct sline *l, const struct tls_record *r)
{
	unsigned char head[5 + sizeof r->head];
	size_t n = 0;

	head[n++] = r->type;
	head[n++] = (unsigned char)(r->version >> 8);
	head[n++] = (unsigned char)r->version;
	head[n++] = (unsigned char)(r->length >> 8);
	head[n++] = (unsigned char)r->length;
	for (size_t i = 0; i < r->head_len && i < sizeof r->head; i++)
		head[n++] = r->head[i];
	for (size_t i = 0; i < n; i++)
		sline_addf(l, TE_HEX, " %02x", head[i]);
	if (r->head_len < r->length)
		sline_add(l, TE_HEX, " ...");
}

/* Appends ev's text: startle's own sentence as written, network bytes
 * escaped, or under --redact the marker of a secret line. */
static void
add_event_text(struct sline *c, enum theme_element e, const struct event *ev, bool redact)
{
	char marker[OUTPUT_REDACTED_MAX];
	size_t len;
	const unsigned char *text = output_shown_text(ev, redact, marker, &len);

	if (ev->dir == DIR_LOCAL || output_hides(ev, redact))
		sline_add_own(c, e, TE_ESCAPED, text, len);
	else
		sline_add_escaped(c, e, TE_ESCAPED, text, len);
}

/* The one-line text of an event in the transcript rendering: marker, a
 * space, then what the event says. */
static void
transcript_content(const struct event *ev, struct sline *c, bool redact)
{
	const char *marker = output_marker(ev);
	enum theme_element e = TE_INFO;

	switch (ev->kind) {
	case EV_LINE:
		e = line_elem(ev);
		sline_addf(c, e, "%s ", marker);
		break;
	case EV_FINDING:
		e = finding_elem[ev->severity];
		sline_addf(c, e, "%s [%s] ", marker, finding_name(ev->finding));
		break;
	case EV_ERROR:
		e = TE_ERROR;
		sline_addf(c, e, "%s ", marker);
		break;
	case EV_NOTE:
		if (ev->record != NULL) {
			sline_addf(c, e, "%s ", marker);
			record_label(c, e, ev->record);
			bool sent = ev->record->dir == TLS_DIR_OUT;
			sline_add(c, e, sent ? " sent" : " received");
			return;
		}
		if (ev->message != NULL) {
			sline_addf(c, e, "%s ", marker);
			message_label(c, e, ev->message);
			bool sent = ev->message->dir == TLS_DIR_OUT;
			sline_add(c, e,
			          sent ? " sent, decrypted by startle"
			               : " received, decrypted by startle");
			return;
		}
		if (transcript_is_injected(ev)) {
			e = TE_INJECTED;
			sline_addf(c, e, "%s [injected] ", marker);
			break;
		}
		sline_addf(c, e, "%s ", marker);
		break;
	default:
		sline_addf(c, e, "%s ", marker);
		break;
	}
	add_event_text(c, e, ev, redact);
}

static int
explain_rows(const struct event *ev, size_t idx, int width, const struct tview_opts *o,
             struct slines *out)
{
	struct sline c;

	sline_init(&c);
	sline_add(&c, TE_EXPLAIN, "   # ");
	const char *explain = output_shown_explain(ev, o->redact);
	sline_add_own(&c, TE_EXPLAIN, TE_ESCAPED, (const unsigned char *)explain,
	              strlen(explain));
	int rows = emit_wrapped(&c, width, TVIEW_EXPLAIN_INDENT, ev->phase, o, idx, out);
	sline_free(&c);
	return rows;
}

/* True if the transcript rendering leaves ev out: records inside TLS, and
 * the handshake messages startle decrypted after the handshake (a session
 * ticket), which the Handshake tab and the ladder list. */
static bool
transcript_hides(const struct event *ev, const struct tview_opts *o)
{
	return (ev->record != NULL || ev->message != NULL) && ev->phase == PHASE_TLS &&
	       !o->tls_records;
}

static int
transcript_rows(const struct event *ev, size_t idx, int width, const struct tview_opts *o,
                struct slines *out)
{
	int rows;

	if (transcript_hides(ev, o))
		return 0;
	if (ev->kind == EV_PHASE && ev->phase != PHASE_PLAIN) {
		const struct rule *r = ev->phase == PHASE_TLS ? &rule_tls : &rule_handshake;
		rows = emit_rule(r, width, idx, out);
	} else {
		struct sline c;
		sline_init(&c);
		transcript_content(ev, &c, o->redact);
		rows = emit_wrapped(&c, width, TVIEW_TEXT_INDENT, ev->phase, o, idx, out);
		sline_free(&c);
	}
	if (o->explain && ev->explain != NULL)
		rows += explain_rows(ev, idx, width, o, out);
	return rows;
}

/* What crossed the wire readably: plaintext lines and injected bytes, TLS
 * records as header and hex, and the one rule where encryption starts. */
static int
wire_rows(const struct event *ev, size_t idx, int width, const struct tview_opts *o,
          struct slines *out)
{
	struct sline c;
	int rows;

	if (ev->kind == EV_PHASE && ev->phase == PHASE_TLS)
		return emit_rule(&rule_tls, width, idx, out);
	sline_init(&c);
	if (ev->kind == EV_NOTE && ev->record != NULL) {
		const struct tls_record *r = ev->record;
		bool out_dir = r->dir == TLS_DIR_OUT;
		enum theme_element e = out_dir ? TE_CLIENT_TLS : TE_SERVER_TLS;
		sline_add(&c, e, out_dir ? "-> " : "<- ");
		record_label(&c, e, r);
		record_hex(&c, r);
	} else if (ev->phase == PHASE_PLAIN &&
	           (ev->kind == EV_LINE || transcript_is_injected(ev))) {
		enum theme_element e = ev->kind == EV_LINE ? line_elem(ev) : TE_INJECTED;
		sline_add(&c, e, ev->dir == DIR_CLIENT ? "-> " : "<- ");
		add_event_text(&c, e, ev, o->redact);
	} else {
		sline_free(&c);
		return 0;
	}
	rows = emit_wrapped(&c, width, TVIEW_TEXT_INDENT, ev->phase, o, idx, out);
	sline_free(&c);
	return rows;
}

int
tview_event_rows(const struct event *ev, size_t idx, int width, const struct tview_opts *o,
                 struct slines *out)
{
	static const struct tview_opts defaults = {.mode = TVIEW_TRANSCRIPT};

	if (o == NULL)
		o = &defaults;
	if (width < 2)
		width = 2;
	if (o->mode == TVIEW_WIRE)
		return wire_rows(ev, idx, width, o, out);
	return transcript_rows(ev, idx, width, o, out);
}

void
tview_init(struct tview *v)
{
	*v = (struct tview){.follow = true};
}

/* Renders event i, counting it as visited. */
static int
render(struct tview *v, const struct transcript *t, size_t i, int width,
       const struct tview_opts *o, struct slines *out)
{
	size_t first;

	v->visited++;
	if (i < v->floor)
		return 0;
	/* A run the transcript dropped from memory is one marker, drawn once. */
	if (transcript_elided(t, i, &first, NULL) && i != first)
		return 0;
	return tview_event_rows(transcript_get(t, i), i, width, o, out);
}

/* The number of rows of event i (rendered into scratch). */
static int
rows_of(struct tview *v, const struct transcript *t, size_t i, int width,
        const struct tview_opts *o, struct slines *scratch)
{
	slines_clear(scratch);
	return render(v, t, i, width, o, scratch);
}

static void
reverse_lines(struct slines *s, size_t a, size_t b)
{
	while (a + 1 < b) {
		struct sline tmp = s->v[a];
		s->v[a++] = s->v[--b];
		s->v[b] = tmp;
	}
}

/* Removes the first k rows; their buffers stay behind n for reuse. */
static void
drop_front(struct slines *s, size_t k)
{
	if (k == 0)
		return;
	reverse_lines(s, 0, k);
	reverse_lines(s, k, s->n);
	reverse_lines(s, 0, s->n);
	s->n -= k;
}

/* Reverses each run of rows of one event in [a, end), in place. */
static void
reverse_runs(struct slines *s, size_t a, size_t end)
{
	while (a < end) {
		size_t b = a + 1;
		while (b < end && s->v[b].tag == s->v[a].tag)
			b++;
		reverse_lines(s, a, b);
		a = b;
	}
}

/* Puts the rows of the events before index from in front of out, walking
 * backwards only until out holds height rows or the transcript's start. The
 * rows are appended event by event; reversing the whole array brings them to
 * the front, then reversing the rows that were there before and each new
 * event's run restores reading order. */
static void
prepend_before(struct tview *v, const struct transcript *t, size_t from, int width,
               int height, const struct tview_opts *o, struct slines *out)
{
	size_t base = out->n, i = from;

	while (out->n < (size_t)height && i > v->floor)
		render(v, t, --i, width, o, out);
	if (out->n > base) {
		reverse_lines(out, 0, out->n);
		reverse_lines(out, out->n - base, out->n);
		reverse_runs(out, 0, out->n - base);
	}
}

/* Keeps the last height rows of out and anchors the view at the first. */
static void
keep_tail(struct tview *v, int height, struct slines *out)
{
	size_t k = out->n > (size_t)height ? out->n - (size_t)height : 0;
	int row = 0;

	if (out->n == 0)
		return;
	for (size_t j = k; j > 0 && out->v[j - 1].tag == out->v[k].tag; j--)
		row++;
	v->top = (size_t)out->v[k].tag;
	v->top_row = row;
	drop_front(out, k);
}

/* The rows on screen, without resetting visited. Following, the view walks
 * back from the end; otherwise forward from the anchor. A view that would
 * leave rows empty below the transcript's end is pulled down to end there,
 * and that sets follow. */
static void
fill(struct tview *v, const struct transcript *t, int width, int height,
     const struct tview_opts *o, struct slines *out)
{
	size_t n = transcript_count(t);

	slines_clear(out);
	if (n == 0) {
		v->top = 0;
		v->top_row = 0;
		return;
	}
	if (height <= 0)
		return;
	if (v->follow) {
		prepend_before(v, t, n, width, height, o, out);
		keep_tail(v, height, out);
		return;
	}
	size_t start = v->top < n ? v->top : n - 1, first = start, i;
	size_t skipped = 0, h = (size_t)height;
	bool any = false;

	for (i = start; i < n && out->n - skipped < h; i++) {
		int r = render(v, t, i, width, o, out);
		if (r == 0 || any)
			continue;
		any = true;
		first = i;
		int keep = v->top_row < r ? v->top_row : r - 1;
		skipped = keep < 0 ? 0 : (size_t)keep;
	}
	if (out->n - skipped >= h) {
		bool at_end = i == n && out->n - skipped == h;
		drop_front(out, skipped);
		out->n = h;
		v->top = first;
		v->top_row = (int)skipped;
		if (at_end)
			v->follow = true;
		return;
	}
	v->follow = true;
	prepend_before(v, t, first, width, height, o, out);
	keep_tail(v, height, out);
}

void
tview_visible(struct tview *v, const struct transcript *t, int width, int height,
              const struct tview_opts *o, struct slines *out)
{
	v->visited = 0;
	fill(v, t, width, height, o, out);
}

/* Moves the anchor up by need rows, rendering only the events passed. */
static void
scroll_up(struct tview *v, const struct transcript *t, int width,
          const struct tview_opts *o, long need, struct slines *scratch)
{
	size_t n = transcript_count(t);
	size_t i = v->top < n ? v->top : n - 1;

	v->follow = false;
	if (v->top_row >= need) {
		v->top_row -= (int)need;
		return;
	}
	need -= v->top_row;
	while (i > v->floor) {
		int r = rows_of(v, t, --i, width, o, scratch);
		if (r == 0)
			continue;
		if (r >= need) {
			v->top = i;
			v->top_row = r - (int)need;
			return;
		}
		need -= r;
	}
	tview_home(v);
}

/* Moves the anchor down by need rows; running past the last row means the
 * end is reached, and the view follows again. */
static void
scroll_down(struct tview *v, const struct transcript *t, int width,
            const struct tview_opts *o, long need, struct slines *scratch)
{
	size_t n = transcript_count(t);
	size_t i = v->top < n ? v->top : n - 1;
	long row = v->top_row < 0 ? 0 : v->top_row;

	if (v->follow)
		return;
	for (; i < n; i++, row = 0) {
		int r = rows_of(v, t, i, width, o, scratch);
		if (r == 0)
			continue;
		if (row >= r)
			row = r - 1;
		if (need < r - row) {
			v->top = i;
			v->top_row = (int)(row + need);
			return;
		}
		need -= r - row;
	}
	v->follow = true;
}

/* Scrolling is relative to the anchor of the last rendered view, so it
 * costs the rows moved over, not the rows on screen; tview_visible then
 * settles the view (and sets follow when the last row comes into sight). */
void
tview_scroll(struct tview *v, const struct transcript *t, int width, int height,
             const struct tview_opts *o, int delta)
{
	struct slines scratch;

	(void)height;
	v->visited = 0;
	if (transcript_count(t) == 0 || delta == 0)
		return;
	slines_init(&scratch);
	if (delta < 0)
		scroll_up(v, t, width, o, -(long)delta, &scratch);
	else
		scroll_down(v, t, width, o, delta, &scratch);
	slines_free(&scratch);
}

void
tview_home(struct tview *v)
{
	v->top = v->floor;
	v->top_row = 0;
	v->follow = false;
}

void
tview_end(struct tview *v, const struct transcript *t)
{
	size_t n = transcript_count(t);

	v->top = n > 0 ? n - 1 : 0;
	v->top_row = 0;
	v->follow = true;
}

/* Scrolls as little as possible to show the selected event whole: to its
 * first row when it is above the view (or taller than the pane), to its
 * last row at the bottom when it is below. */
static void
reveal(struct tview *v, const struct transcript *t, int width, int height,
       const struct tview_opts *o, struct slines *view, struct slines *scratch)
{
	fill(v, t, width, height, o, view);
	if (v->sel < v->top || (v->sel == v->top && v->top_row > 0)) {
		v->top = v->sel;
		v->top_row = 0;
		v->follow = false;
		return;
	}
	size_t shown = 0;
	for (size_t i = 0; i < view->n; i++)
		shown += (size_t)view->v[i].tag == v->sel;
	int r = rows_of(v, t, v->sel, width, o, scratch);
	if (r == 0 || shown == (size_t)r)
		return;
	v->follow = false;
	if (r >= height) {
		v->top = v->sel;
		v->top_row = 0;
		return;
	}
	slines_clear(view);
	render(v, t, v->sel, width, o, view);
	prepend_before(v, t, v->sel, width, height, o, view);
	keep_tail(v, height, view);
}

void
tview_select(struct tview *v, const struct transcript *t, int width, int height,
             const struct tview_opts *o, int delta)
{
	size_t n = transcript_count(t);
	long steps = delta < 0 ? -(long)delta : delta;
	struct slines view, scratch;

	v->visited = 0;
	if (n == 0 || height <= 0)
		return;
	slines_init(&view);
	slines_init(&scratch);
	if (!v->has_sel || v->sel >= n) {
		fill(v, t, width, height, o, &view);
		if (view.n == 0)
			goto done;
		v->sel = (size_t)(delta < 0 ? view.v[view.n - 1].tag : view.v[0].tag);
		v->has_sel = true;
		if (steps > 0)
			steps--;
	}
	for (size_t i = v->sel; steps > 0; steps--) {
		size_t j = i;
		bool found = false;
		while (!found && (delta < 0 ? j > v->floor : j + 1 < n)) {
			j = delta < 0 ? j - 1 : j + 1;
			found = rows_of(v, t, j, width, o, &scratch) > 0;
		}
		if (!found)
			break;
		v->sel = i = j;
	}
	reveal(v, t, width, height, o, &view, &scratch);
done:
	slines_free(&view);
	slines_free(&scratch);
}

void
tview_clear(struct tview *v, const struct transcript *t)
{
	v->floor = transcript_count(t);
	v->top = v->floor;
	v->top_row = 0;
	v->has_sel = false;
	v->follow = true;
}

static char
ascii_lower(char ch)
{
	return ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch;
}

/* True if the n bytes at hay contain the pattern, ASCII letters matching
 * either case; the pattern is plain text, never a regular expression. */
static bool
contains_nocase(const char *hay, size_t n, const char *pat, size_t plen)
{
	for (size_t i = 0; plen <= n && i <= n - plen; i++) {
		size_t k = 0;
		while (k < plen && ascii_lower(hay[i + k]) == ascii_lower(pat[k]))
			k++;
		if (k == plen)
			return true;
	}
	return false;
}

/* True if event idx of the transcript rendering shows the pattern in its
 * text as drawn (escaped, or its rule's label) or in its explanation, shown
 * or not. Builds one unwrapped line, never rows. */
static bool
event_matches(struct tview *v, const struct transcript *t, size_t idx,
              const struct tview_opts *o, const char *pat, struct sline *c)
{
	const struct event *ev = transcript_get(t, idx);
	size_t plen = strlen(pat);

	v->visited++;
	if (ev == NULL || transcript_hides(ev, o))
		return false;
	sline_clear(c);
	if (ev->kind == EV_PHASE && ev->phase != PHASE_PLAIN)
		sline_add(c, TE_BOUNDARY,
		          (ev->phase == PHASE_TLS ? &rule_tls : &rule_handshake)->label);
	else
		transcript_content(ev, c, o->redact);
	if (contains_nocase(c->text, c->len, pat, plen))
		return true;
	if (ev->explain == NULL)
		return false;
	const char *explain = output_shown_explain(ev, o->redact);
	sline_clear(c);
	sline_add_own(c, TE_EXPLAIN, TE_ESCAPED, (const unsigned char *)explain,
	              strlen(explain));
	return contains_nocase(c->text, c->len, pat, plen);
}

/* Where a search starts, as an offset from the floor that the first
 * candidate follows (forward) or precedes (backward): the selection, else
 * the top of the view forward and the end backward. */
static long long
search_base(const struct tview *v, size_t n, int dir)
{
	if (v->has_sel && v->sel >= v->floor && v->sel < n)
		return (long long)(v->sel - v->floor);
	if (dir < 0)
		return (long long)(n - v->floor);
	return v->top > v->floor && v->top < n ? (long long)(v->top - v->floor) - 1 : -1;
}

bool
tview_search(struct tview *v, const struct transcript *t, int width, int height,
             const struct tview_opts *o, const char *pattern, int dir, bool *wrapped)
{
	size_t n = transcript_count(t);
	struct sline c;
	bool found = false;

	v->visited = 0;
	*wrapped = false;
	if (n <= v->floor || pattern[0] == '\0')
		return false;
	long long count = (long long)(n - v->floor), base = search_base(v, n, dir);
	sline_init(&c);
	for (long long j = 0; j < count && !found; j++) {
		long long pos = dir < 0 ? base - 1 - j : base + 1 + j;
		size_t off = (size_t)(((pos % count) + count) % count);
		if (!event_matches(v, t, v->floor + off, o, pattern, &c))
			continue;
		found = true;
		*wrapped = pos < 0 || pos >= count;
		v->sel = v->floor + off;
		v->has_sel = true;
	}
	sline_free(&c);
	if (found) {
		struct slines view, scratch;
		slines_init(&view);
		slines_init(&scratch);
		reveal(v, t, width, height, o, &view, &scratch);
		slines_free(&view);
		slines_free(&scratch);
	}
	return found;
}
