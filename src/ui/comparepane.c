/*
 * The comparison pane of --compare on a wide screen: the figures of a and b
 * and their differences in words, refreshed on every draw as the sessions
 * go on (compareview.h builds the rows). Its header row stays; the rest
 * scrolls when the pane has the focus.
 */
#include <stdbool.h>
#include <stddef.h>

#include "compareview.h"
#include "ui_int.h"

/* The pane's rows at its width. */
static void
comparepane_rows(const struct ui *u, struct slines *out)
{
	compareview_rows(&u->side[0].cmp, &u->side[1].cmp, u->lay.comparison.w, out);
}

/* Keeps the scroll within the rows below the header. */
static void
comparepane_clamp(struct ui *u, size_t nrows)
{
	int h = u->lay.comparison.h - 1;
	int max = (int)nrows - 1 - h;

	if (u->compare_scroll > max)
		u->compare_scroll = max;
	if (u->compare_scroll < 0)
		u->compare_scroll = 0;
}

static void
comparepane_draw(struct ui *u)
{
	const struct rect *r = &u->lay.comparison;
	struct slines rows;

	if (r->h <= 0 || u->nsides < 2)
		return;
	slines_init(&rows);
	comparepane_rows(u, &rows);
	comparepane_clamp(u, rows.n);
	for (int i = 0; i < r->h; i++) {
		size_t k = i == 0 ? 0 : (size_t)(u->compare_scroll + i);
		if (k < rows.n)
			draw_sline(&u->dc, r->y + i, r->x, r->w, &rows.v[k],
			           i == 0 && u->focus == FOCUS_COMPARE);
		else
			draw_clear(&u->dc, r->y + i, r->x, 1, r->w, TE_DEFAULT);
	}
	slines_free(&rows);
}

/* Typing anything printable goes back to the input line with what was
 * typed. */
static void
comparepane_key(struct ui *u, int key)
{
	if (key >= 0x20 && key < 0x7f) {
		char b[2] = {(char)key, 0};
		u->focus = FOCUS_INPUT;
		inputpane_feed(u, b);
	}
}

const struct ui_pane comparepane = {
    .name = "comparison",
    .draw = comparepane_draw,
    .key = comparepane_key,
};

void
comparepane_scroll(struct ui *u, int delta)
{
	struct slines rows;

	u->compare_scroll += delta;
	slines_init(&rows);
	comparepane_rows(u, &rows);
	comparepane_clamp(u, rows.n);
	slines_free(&rows);
	u->dirty = true;
}
