/*
 * draw: puts styled lines on a curses window, clipped to a width in columns,
 * the rest of the row filled. The only place the TUI writes text; every
 * string it draws is already escaped (styled.h).
 */
#ifndef STARTLE_DRAW_H
#define STARTLE_DRAW_H

#include <stdbool.h>

#include <curses.h>

#include "styled.h"
#include "theme.h"

/* Where drawing goes: a window and the attributes the theme gave its screen. */
struct draw_ctx {
	WINDOW *win;
	const struct theme_attrs *attrs;
	/* The terminal's character set is not UTF-8 (LANG=C): every character
	 * outside ASCII is drawn as an ASCII look-alike of the same width (box
	 * lines as - | =, arrows as < >, § as S), anything else as '?'. */
	bool ascii;
};

/* Draws l at (y, x) over width columns; with highlight every span takes the
 * TE_SELECTED look. */
void draw_sline(const struct draw_ctx *d, int y, int x, int width, const struct sline *l,
                bool highlight);

/* Fills a rectangle with spaces in element e. */
void draw_clear(const struct draw_ctx *d, int y, int x, int h, int width,
                enum theme_element e);

/* Sets the window's attribute to element e's. */
void draw_attr(const struct draw_ctx *d, enum theme_element e);

#endif
