/*
 * theme internals shared with the unit tests: the word parsers of the theme
 * format, the compiled-in default text, and the pure arithmetic that maps a
 * theme colour onto what a terminal has (256, 16, 8, direct colour or none).
 * Nothing here talks to curses.
 */
#ifndef STARTLE_THEME_INT_H
#define STARTLE_THEME_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "theme.h"

/* Largest theme file, in bytes. */
#define THEME_MAX_BYTES (64 * 1024)

/* The compiled-in default theme, in the theme file format. */
const char *theme_default_source(void);

/* Parses a colour word (case-insensitive). Returns 0 and sets *color, or -1. */
int theme_parse_color(const char *word, int *color);

/* Parses an attribute word (case-insensitive) into enum theme_attr_bits;
 * "normal" gives 0. Returns 0 and sets *bits, or -1. */
int theme_parse_attr(const char *word, unsigned *bits);

/* The 0xRRGGBB value of palette index 0..255 (xterm's palette). */
int theme_palette_rgb(int index);

/* The nearest index of the 256-colour cube and grey ramp (16..255) to rgb. */
int theme_rgb_to_256(int rgb);

/* The nearest of the 16 basic colours (0..15) to rgb; a colour with a clear
 * hue (channels spread by 48 or more) maps to a coloured entry, never to
 * black, grey or white. */
int theme_rgb_to_16(int rgb);

/* A theme colour (-1, 0..255, or THEME_RGB_FLAG | rgb) as the colour number
 * for a terminal of ncolors colours: 256 or more keep palette indices and map
 * rgb to the nearest of 16..255; more than 256 (direct colour) passes rgb
 * through; 16 maps to the nearest of 0..15; 8 maps to 0..7 and sets *bright
 * when the nearest was a bright colour (8..15). -1 stays -1. ncolors below 8
 * gives -1. */
int theme_map_color(int color, int ncolors, bool *bright);

/* What one element becomes on a terminal. */
struct theme_term_style {
	int fg, bg;     /* colour numbers for init_pair, -1 for the default */
	unsigned attrs; /* enum theme_attr_bits */
};

/* Maps element e of t for a terminal of ncolors colours (0: none).
 * default_colors says whether -1 may be used (use_default_colors succeeded);
 * if not, the default foreground is 7 and the default background 0. With 8
 * colours a bright foreground adds bold. Without colours fg and bg are -1 and
 * an element whose background differs from the default element's is shown in
 * reverse video, so bars and highlights stay visible. */
void theme_map_element(const struct theme *t, enum theme_element e, int ncolors,
                       bool default_colors, struct theme_term_style *out);

#endif
