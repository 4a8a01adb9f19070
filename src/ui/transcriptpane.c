#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "ui_int.h"

/* The transcript rows in view, the selected event highlighted while the
 * transcript has the focus or its details are shown. */
static void
transcriptpane_draw(struct ui *u)
{
	const struct rect *r = &u->lay.transcript;
	bool show_sel = u->tv.has_sel && (u->focus == FOCUS_TRANSCRIPT || u->event_details);

	slines_clear(&u->rows);
	tview_visible(&u->tv, u->t, r->w, r->h, &u->tvo, &u->rows);
	for (int i = 0; i < r->h; i++) {
		if ((size_t)i < u->rows.n) {
			const struct sline *l = &u->rows.v[i];
			draw_sline(&u->dc, r->y + i, r->x, r->w, l,
			           show_sel && (size_t)l->tag == u->tv.sel);
		} else {
			draw_clear(&u->dc, r->y + i, r->x, 1, r->w, TE_DEFAULT);
		}
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
transcriptpane_scroll(struct ui *u, int delta)
{
	tview_scroll(&u->tv, u->t, u->lay.transcript.w, u->lay.transcript.h, &u->tvo,
	             delta);
	u->dirty = true;
}

void
transcriptpane_select(struct ui *u, int key, int delta)
{
	const struct rect *r = &u->lay.transcript;

	(void)key;
	tview_select(&u->tv, u->t, r->w, r->h, &u->tvo, delta);
}

void
transcriptpane_home(struct ui *u, int key, int arg)
{
	(void)key;
	(void)arg;
	tview_home(&u->tv);
}

void
transcriptpane_end(struct ui *u, int key, int arg)
{
	(void)key;
	(void)arg;
	tview_end(&u->tv, u->t);
}

/* Enter: the details pane explains the selected event. */
void
transcriptpane_open_event(struct ui *u, int key, int arg)
{
	(void)key;
	(void)arg;
	u->event_details = u->tv.has_sel;
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
	const struct rect *r = &u->lay.transcript;
	bool wrapped;

	if (pattern[0] != '\0')
		snprintf(u->search, sizeof u->search, "%s", pattern);
	if (u->search[0] == '\0') {
		ui_message(u, TE_INFO,
		           "no pattern yet: / then a pattern searches the transcript");
		return;
	}
	if (!tview_search(&u->tv, u->t, r->w, r->h, &u->tvo, u->search, dir, &wrapped)) {
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
