#include <string.h>

#include "draw.h"

/* What the explorer itself draws beyond ASCII, and its stand-in. */
static const struct {
	const char *utf8;
	char ascii;
} draw_stand_ins[] = {
    {"\u2502", '|'}, {"\u2503", '|'}, {"\u258c", '|'}, {"\u2500", '-'}, {"\u2501", '='},
    {"\u2550", '='}, {"\u2504", '-'}, {"\u2506", ':'}, {"\u2014", '-'}, {"\u25b6", '>'},
    {"\u25b8", '>'}, {"\u25c0", '<'}, {"\u25c2", '<'}, {"\u25be", 'v'}, {"\u25b4", '^'},
    {"\u00a7", 'S'}, {"\u2026", '.'}, {"\u00b7", '.'}, {"\u00d7", 'x'}, {"\u2713", '+'},
    {"\u26a0", '!'},
};

/* The ASCII stand-in for the UTF-8 character at s (n bytes long), or '?'. */
static char
draw_ascii_for(const char *s, size_t n)
{
	for (size_t i = 0; i < sizeof draw_stand_ins / sizeof draw_stand_ins[0]; i++) {
		size_t l = strlen(draw_stand_ins[i].utf8);
		if (l == n && memcmp(s, draw_stand_ins[i].utf8, n) == 0)
			return draw_stand_ins[i].ascii;
	}
	return '?';
}

/* Adds n bytes of UTF-8 text as ASCII, one stand-in per column (none for a
 * combining mark, two for a wide character). */
static void
draw_ascii(WINDOW *w, const char *p, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned char c = (unsigned char)p[i];
		size_t step = c < 0x80             ? 1
		              : (c & 0xE0) == 0xC0 ? 2
		              : (c & 0xF0) == 0xE0 ? 3
		              : (c & 0xF8) == 0xF0 ? 4
		                                   : 1;
		if (step > n - i)
			step = n - i;
		if (c < 0x80) {
			waddch(w, c);
		} else {
			char a = draw_ascii_for(p + i, step);
			for (int k = utf8_width(p + i, step); k > 0; k--)
				waddch(w, (chtype)(unsigned char)a);
		}
		i += step;
	}
}

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
		if (fit > 0 && d->ascii)
			draw_ascii(w, p, fit);
		else if (fit > 0)
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
