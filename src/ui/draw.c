#include "draw.h"

void
draw_sline(WINDOW *w, int y, int x, int width, const struct sline *l, bool highlight)
{
	const char *p = l->text;
	int col = 0;

	wmove(w, y, x);
	for (size_t i = 0; i < l->nspans && col < width; i++) {
		size_t len = l->spans[i].len;
		size_t fit = utf8_fit(p, len, width - col);
		enum theme_element e = highlight ? TE_SELECTED : l->spans[i].elem;
		wattrset(w, (attr_t)theme_attr(e));
		if (fit > 0)
			waddnstr(w, p, (int)fit);
		col += utf8_width(p, fit);
		p += len;
	}
	wattrset(w, (attr_t)theme_attr(highlight ? TE_SELECTED : TE_DEFAULT));
	for (; col < width; col++)
		waddch(w, ' ');
	wattrset(w, A_NORMAL);
}

void
draw_clear(WINDOW *w, int y, int x, int h, int width, enum theme_element e)
{
	wattrset(w, (attr_t)theme_attr(e));
	for (int r = 0; r < h; r++) {
		wmove(w, y + r, x);
		for (int c = 0; c < width; c++)
			waddch(w, ' ');
	}
	wattrset(w, A_NORMAL);
}
