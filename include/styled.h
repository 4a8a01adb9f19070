/*
 * styled: lines of text with theme elements attached to runs of it, the unit
 * every pane is drawn from. Building them is pure (no curses), so what a pane
 * shows can be tested as data. Network bytes enter only via
 * styled_add_escaped, which escapes them (escape.h) and marks the escapes.
 *
 * Widths are terminal columns of UTF-8 text (wcwidth), never bytes.
 */
#ifndef STARTLE_STYLED_H
#define STARTLE_STYLED_H

#include <stddef.h>

#include "theme.h"

struct span {
	enum theme_element elem;
	size_t len; /* bytes of text covered; spans follow each other */
};

struct sline {
	char *text; /* UTF-8, NUL-terminated, safe to show */
	size_t len;
	struct span *spans;
	size_t nspans, cap_spans, cap_text;
	int tag; /* free for the builder: e.g. the event index the line belongs to */
};

struct slines {
	struct sline *v;
	size_t n, cap;
};

void sline_init(struct sline *l);
void sline_free(struct sline *l);
void sline_clear(struct sline *l);

/* Appends already-safe text (startle's own words) in one element. */
void sline_add(struct sline *l, enum theme_element e, const char *text);
void sline_addn(struct sline *l, enum theme_element e, const char *text, size_t len);
void sline_addf(struct sline *l, enum theme_element e, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Appends network bytes escaped for the terminal: printable text in e, the
 * visible escapes (\x1b, \r, invalid UTF-8, ...) in esc. */
void sline_add_escaped(struct sline *l, enum theme_element e, enum theme_element esc,
                       const unsigned char *data, size_t len);

/* Appends startle's own sentence (an event of the session's, an
 * explanation), which may quote server bytes escaped already: it is escaped
 * again except for backslashes (ESCAPE_OWN), so quotes read as written. */
void sline_add_own(struct sline *l, enum theme_element e, enum theme_element esc,
                   const unsigned char *data, size_t len);

/* Display width in columns. */
int sline_width(const struct sline *l);

/* Splits l into lines of at most width columns; continuation lines start with
 * indent spaces (in element indent_elem). Never splits a UTF-8 character. */
void sline_wrap(const struct sline *l, int width, int indent,
                enum theme_element indent_elem, struct slines *out);

void slines_init(struct slines *s);
/* A new empty line at the end, initialised. */
struct sline *slines_push(struct slines *s);
void slines_clear(struct slines *s);
void slines_free(struct slines *s);

/* Column width of the UTF-8 text of len bytes (invalid bytes count 1). */
int utf8_width(const char *text, size_t len);

/* How many bytes of text fit in cols columns. */
size_t utf8_fit(const char *text, size_t len, int cols);

#endif
