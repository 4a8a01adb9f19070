#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "ui_int.h"
#include "util.h"

const struct rect *
transcriptpane_rect(const struct ui *u, const struct ui_side *d)
{
	return u->lay.compare ? &u->lay.column[d->index] : &u->lay.transcript;
}

/* The rows of one side's transcript in view, the selected event
 * highlighted while that transcript has the focus or its details are
 * shown. */
static void
transcriptpane_draw_side(struct ui *u, struct ui_side *d)
{
	const struct rect *r = transcriptpane_rect(u, d);
	bool show_sel = d == u->cur && d->tv.has_sel &&
	                (u->focus == FOCUS_TRANSCRIPT || u->event_details);

	slines_clear(&d->rows);
	tview_visible(&d->tv, d->t, r->w, r->h, &u->tvo, &d->rows);
	for (int i = 0; i < r->h; i++) {
		if ((size_t)i < d->rows.n) {
			const struct sline *l = &d->rows.v[i];
			draw_sline(&u->dc, r->y + i, r->x, r->w, l,
			           show_sel && (size_t)l->tag == d->tv.sel);
		} else {
			draw_clear(&u->dc, r->y + i, r->x, 1, r->w, TE_DEFAULT);
		}
	}
}

/* The title's words for a phase, in the phase's element. */
static const struct {
	const char *words;
	enum theme_element elem;
} transcriptpane_phases[] = {
    [PHASE_PLAIN] = {" PLAINTEXT ", TE_TITLE_PLAIN},
    [PHASE_HANDSHAKE] = {" HANDSHAKE ", TE_TITLE_HANDSHAKE},
    [PHASE_TLS] = {" ENCRYPTED ", TE_TITLE_TLS},
};

/* The phase of the side's session, or CLOSED with its exit code. */
static void
transcriptpane_add_phase(struct sline *l, const struct ui_side *d)
{
	if (ui_side_closed(d)) {
		int code = ui_side_exit_code(d);
		if (code < 0)
			sline_add(l, TE_TITLE, " CLOSED ");
		else
			sline_addf(l, code == 0 ? TE_TITLE : TE_ERROR, " CLOSED, exit %d ", code);
		return;
	}
	sline_add(l, transcriptpane_phases[ui_side_phase(d)].elem,
	          transcriptpane_phases[ui_side_phase(d)].words);
}

/* What the side is waiting for, and for how long (a slow server shows
 * here while the other side goes on). */
static void
transcriptpane_add_wait(struct sline *l, const struct ui_side *d)
{
	double since = session_busy_since(d->s);

	if (since > 0)
		sline_addf(l, TE_INFO, " %s %.1f s",
		           session_state_name(session_state(d->s)),
		           (util_now_ms() - since) / 1000.0);
	if (session_queued(d->s) > 0)
		sline_addf(l, TE_INFO, " (%zu queued)", session_queued(d->s));
}

/* One form of a column's header: the side, then (full) its target, its
 * TLS mode, its phase and what it waits for, or (compact) the mode and the
 * phase first and the target last, with its scheme or without. */
static void
transcriptpane_head_form(struct sline *l, const struct ui *u, const struct ui_side *d,
                         int form)
{
	const char *target = d->target_text, *sep = strstr(target, "://");

	if (form == 2 && sep != NULL)
		target = sep + 3;
	sline_addf(l, d == u->cur ? TE_TAB_ACTIVE : TE_TAB, " %s ", d->name);
	if (form == 0) {
		sline_add(l, TE_TITLE, " ");
		sline_add_own(l, TE_TITLE, TE_ESCAPED, (const unsigned char *)target,
		              strlen(target));
		sline_addf(l, TE_TITLE, "  %s ", tls_mode_name(d->cmp.mode));
		transcriptpane_add_phase(l, d);
		transcriptpane_add_wait(l, d);
		return;
	}
	sline_addf(l, TE_TITLE, " %s", tls_mode_name(d->cmp.mode));
	transcriptpane_add_phase(l, d);
	sline_add_own(l, TE_TITLE, TE_ESCAPED, (const unsigned char *)target,
	              strlen(target));
	transcriptpane_add_wait(l, d);
}

/* A column's header, in the first form that fits (the last one is cut).
 * The side that the details and keys follow has its name lit. */
static void
transcriptpane_draw_head(struct ui *u, const struct ui_side *d)
{
	const struct rect *r = &u->lay.head[d->index];
	struct sline l;

	sline_init(&l);
	for (int form = 0; form < 3; form++) {
		sline_clear(&l);
		transcriptpane_head_form(&l, u, d, form);
		if (sline_width(&l) <= r->w)
			break;
	}
	draw_sline(&u->dc, r->y, r->x, r->w, &l, false);
	sline_free(&l);
}

/* The transcript; under --compare each side's column under its header. */
static void
transcriptpane_draw(struct ui *u)
{
	for (int i = 0; i < u->nsides; i++) {
		if (u->lay.compare)
			transcriptpane_draw_head(u, &u->side[i]);
		transcriptpane_draw_side(u, &u->side[i]);
	}
}

/* Typing anything printable (but the selection keys) goes back to the input
 * line with what was typed. */
static void
transcriptpane_key(struct ui *u, int key)
{
	if (key >= 0x20 && key < 0x7f) {
		char b[2] = {(char)key, 0};
		u->focus = FOCUS_INPUT;
		inputpane_feed(u, b);
	}
}

const struct ui_pane transcriptpane = {
    .name = "transcript",
    .draw = transcriptpane_draw,
    .key = transcriptpane_key,
};

void
transcriptpane_scroll_side(struct ui *u, struct ui_side *d, int delta)
{
	const struct rect *r = transcriptpane_rect(u, d);

	tview_scroll(&d->tv, d->t, r->w, r->h, &u->tvo, delta);
	u->dirty = true;
}

void
transcriptpane_scroll(struct ui *u, int delta)
{
	transcriptpane_scroll_side(u, u->cur, delta);
}

void
transcriptpane_select(struct ui *u, int key, int delta)
{
	const struct rect *r = transcriptpane_rect(u, u->cur);

	(void)key;
	tview_select(&u->cur->tv, u->cur->t, r->w, r->h, &u->tvo, delta);
}

void
transcriptpane_home(struct ui *u, int key, int arg)
{
	(void)key;
	(void)arg;
	tview_home(&u->cur->tv);
}

void
transcriptpane_end(struct ui *u, int key, int arg)
{
	(void)key;
	(void)arg;
	tview_end(&u->cur->tv, u->cur->t);
}

/* Enter: the details pane explains the selected event. */
void
transcriptpane_open_event(struct ui *u, int key, int arg)
{
	(void)key;
	(void)arg;
	u->event_details = u->cur->tv.has_sel;
	u->details_scroll = 0;
}

void
transcriptpane_search_ask(struct ui *u, int key, int arg)
{
	(void)key;
	(void)arg;
	input_clear(u->in);
	u->ask = ASK_SEARCH;
	u->focus = FOCUS_INPUT;
	ui_message(u, TE_INFO, "search the transcript: type a pattern, Enter; Esc cancels");
}

void
transcriptpane_search(struct ui *u, const char *pattern, int dir)
{
	const struct rect *r = transcriptpane_rect(u, u->cur);
	bool wrapped;

	if (pattern[0] != '\0')
		snprintf(u->search, sizeof u->search, "%s", pattern);
	if (u->search[0] == '\0') {
		ui_message(u, TE_INFO,
		           "no pattern yet: / then a pattern searches the transcript");
		return;
	}
	if (!tview_search(&u->cur->tv, u->cur->t, r->w, r->h, &u->tvo, u->search, dir,
	                  &wrapped)) {
		ui_message(u, TE_ERROR, "pattern not found: %s", u->search);
		return;
	}
	ui_message(u, TE_INFO, "found /%s%s (n next, N previous)", u->search,
	           wrapped ? ", wrapping around the transcript" : "");
}

void
transcriptpane_search_next(struct ui *u, int key, int dir)
{
	(void)key;
	transcriptpane_search(u, "", dir);
}
