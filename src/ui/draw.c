#include "draw.h"

void
draw_attr(const struct draw_ctx *d, enum theme_element e)
{
	wattrset(d->win, (attr_t)theme_attr(d->attrs, e));
}

void
draw_sline(const struct draw_ctx *d, int y, int x, int width, const struct sline *l,
           bool highlight)
{
	WINDOW *w = d->win;
	const char *p = l->text;
	int col = 0;

	wmove(w, y, x);
	for (size_t i = 0; i < l->nspans && col < width; i++) {
		size_t len = l->spans[i].len;
		size_t fit = utf8_fit(p, len, width - col);
		draw_attr(d, highlight ? TE_SELECTED : l->spans[i].elem);
		if (fit > 0)
			waddnstr(w, p, (int)fit);
		col += utf8_width(p, fit);
		p += len;
	}
	draw_attr(d, highlight ? TE_SELECTED : TE_DEFAULT);
	for (; col < width; col++)
		waddch(w, ' ');
	wattrset(w, A_NORMAL);
}

void
draw_clear(const struct draw_ctx *d, int y, int x, int h, int width, enum theme_element e)
{
	draw_attr(d, e);
	for (int r = 0; r < h; r++) {
		wmove(d->win, y + r, x);
		for (int c = 0; c < width; c++)
			waddch(d->win, ' ');
	}
	wattrset(d->win, A_NORMAL);
}
