#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "escape.h"
#include "styled.h"
#include "util.h"

/* The text of a line that owns no buffer yet (cap_text == 0); never written. */
static char sline_empty[1];

void
sline_init(struct sline *l)
{
	*l = (struct sline){.text = sline_empty};
}

void
sline_free(struct sline *l)
{
	if (l->cap_text > 0)
		free(l->text);
	free(l->spans);
	sline_init(l);
}

void
sline_clear(struct sline *l)
{
	l->len = 0;
	l->nspans = 0;
	l->tag = 0;
	if (l->cap_text > 0)
		l->text[0] = '\0';
}

/* Makes room for need more bytes of text and its NUL, owning the buffer. */
static void
sline_reserve(struct sline *l, size_t need)
{
	if (l->len + need + 1 <= l->cap_text)
		return;
	size_t cap = l->cap_text ? l->cap_text : 32;
	while (l->len + need + 1 > cap)
		cap *= 2;
	if (l->cap_text == 0) {
		l->text = xmalloc(cap);
		l->text[0] = '\0';
	} else {
		l->text = xrealloc(l->text, cap);
	}
	l->cap_text = cap;
}

/* Covers the last len bytes of text with element e, extending the last span
 * when it already has that element. */
static void
sline_span(struct sline *l, enum theme_element e, size_t len)
{
	if (len == 0)
		return;
	if (l->nspans > 0 && l->spans[l->nspans - 1].elem == e) {
		l->spans[l->nspans - 1].len += len;
		return;
	}
	if (l->nspans == l->cap_spans) {
		l->cap_spans = l->cap_spans ? l->cap_spans * 2 : 4;
		l->spans = xrealloc(l->spans, l->cap_spans * sizeof *l->spans);
	}
	l->spans[l->nspans++] = (struct span){.elem = e, .len = len};
}

void
sline_addn(struct sline *l, enum theme_element e, const char *text, size_t len)
{
	if (len == 0)
		return;
	sline_reserve(l, len);
	memcpy(l->text + l->len, text, len);
	l->len += len;
	l->text[l->len] = '\0';
	sline_span(l, e, len);
}

void
sline_add(struct sline *l, enum theme_element e, const char *text)
{
	sline_addn(l, e, text, strlen(text));
}

void
sline_addf(struct sline *l, enum theme_element e, const char *fmt, ...)
{
	va_list ap, aq;

	va_start(ap, fmt);
	va_copy(aq, ap);
	int n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n > 0) {
		sline_reserve(l, (size_t)n);
		vsnprintf(l->text + l->len, (size_t)n + 1, fmt, ap);
		l->len += (size_t)n;
		sline_span(l, e, (size_t)n);
	}
	va_end(ap);
}

struct escaped_target {
	struct sline *l;
	enum theme_element e, esc;
};

/* escape_visit's callback: text shown as sent in e, escapes in esc. */
static int
add_piece(void *arg, const char *text, size_t len, bool escaped)
{
	struct escaped_target *t = arg;

	sline_addn(t->l, escaped ? t->esc : t->e, text, len);
	return 0;
}

/* Appends data escaped by the one escaping function, each escape marked. */
static void
add_escaped(struct sline *l, enum theme_element e, enum theme_element esc,
            const unsigned char *data, size_t len, enum escape_mode mode)
{
	struct escaped_target t = {l, e, esc};

	(void)escape_visit(data, len, mode, add_piece, &t);
}

void
sline_add_escaped(struct sline *l, enum theme_element e, enum theme_element esc,
                  const unsigned char *data, size_t len)
{
	add_escaped(l, e, esc, data, len, ESCAPE_TEXT);
}

void
sline_add_own(struct sline *l, enum theme_element e, enum theme_element esc,
              const unsigned char *data, size_t len)
{
	add_escaped(l, e, esc, data, len, ESCAPE_OWN);
}

/* The length of the well-formed UTF-8 sequence at s (n > 0 bytes) and its
 * code point, or 0 when the bytes are not one. */
static size_t
utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	static const uint32_t min[] = {0, 0, 0x80, 0x800, 0x10000};
	size_t len = s[0] < 0x80             ? 1
	             : (s[0] & 0xE0) == 0xC0 ? 2
	             : (s[0] & 0xF0) == 0xE0 ? 3
	             : (s[0] & 0xF8) == 0xF0 ? 4
	                                     : 0;
	uint32_t v;

	if (len == 0 || len > n)
		return 0;
	v = len == 1 ? s[0] : s[0] & (0x7F >> len);
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		v = v << 6 | (s[i] & 0x3F);
	}
	if (v < min[len] || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
		return 0;
	*cp = v;
	return len;
}

/* Decodes one character at s (n > 0 bytes) and its column width: invalid or
 * incomplete bytes count as one byte of one column, unprintable characters as
 * one column. The bytes are decoded as UTF-8 whatever the locale; outside a
 * UTF-8 locale (where the screen draws ASCII stand-ins) every character is
 * one column. Returns the bytes consumed (at least 1). */
static size_t
utf8_step(const char *s, size_t n, int *cols)
{
	uint32_t cp;
	size_t r = utf8_decode((const unsigned char *)s, n, &cp);

	*cols = 1;
	if (r <= 1)
		return 1;
	int w = wcwidth((wchar_t)cp);
	if (w >= 0)
		*cols = w;
	return r;
}

int
utf8_width(const char *text, size_t len)
{
	size_t i = 0;
	int cols = 0;

	while (i < len) {
		int w;
		i += utf8_step(text + i, len - i, &w);
		cols += w;
	}
	return cols;
}

/* Zero-width characters after the last one that fits still belong to it, so
 * they are included. */
size_t
utf8_fit(const char *text, size_t len, int cols)
{
	size_t i = 0;
	int used = 0;

	while (i < len) {
		int w;
		size_t step = utf8_step(text + i, len - i, &w);
		if (used + w > cols)
			break;
		used += w;
		i += step;
	}
	return i;
}

int
sline_width(const struct sline *l)
{
	return utf8_width(l->text, l->len);
}

/* Where copying the text of a line has got to in its spans. */
struct span_cursor {
	size_t si;    /* current span */
	size_t start; /* byte offset where that span begins */
};

/* The element of the byte at offset off (off ahead of the cursor). */
static enum theme_element
span_at(const struct sline *l, struct span_cursor *c, size_t off)
{
	while (c->si < l->nspans && c->start + l->spans[c->si].len <= off)
		c->start += l->spans[c->si++].len;
	return c->si < l->nspans ? l->spans[c->si].elem : TE_DEFAULT;
}

/* Appends bytes [a, b) of l to dst with their elements. */
static void
copy_range(const struct sline *l, struct span_cursor *c, size_t a, size_t b,
           struct sline *dst)
{
	while (a < b) {
		enum theme_element e = span_at(l, c, a);
		size_t end = c->si < l->nspans ? c->start + l->spans[c->si].len : b;
		if (end > b)
			end = b;
		sline_addn(dst, e, l->text + a, end - a);
		a = end;
	}
}

/* Breaks after the last space of a row when that space lies in the row's
 * second half, so words stay whole but long tokens still fill their rows.
 * The space stays at the end of its row: joining the rows gives the text
 * back. A character wider than a whole row (only possible when width is
 * below 4) is shown as '?' so that no row is ever wider than width. The
 * indent is limited to half the width. Rows are appended to out. */
void
sline_wrap(const struct sline *l, int width, int indent, enum theme_element indent_elem,
           struct slines *out)
{
	static const char spaces[] = "                                ";
	enum { SPACES = sizeof spaces - 1 };
	struct span_cursor cur = {0, 0};
	size_t pos = 0;
	bool first = true;

	if (width < 1)
		width = 1;
	if (indent < 0)
		indent = 0;
	if (indent > width / 2)
		indent = width / 2;
	if (l->len == 0) {
		slines_push(out)->tag = l->tag;
		return;
	}
	while (pos < l->len) {
		int cap = first ? width : width - indent;
		int cols = 0, space_cols = 0, w = 0;
		size_t end = pos, space_end = 0, step = 0;

		while (end < l->len) {
			step = utf8_step(l->text + end, l->len - end, &w);
			if (cols + w > cap)
				break;
			cols += w;
			end += step;
			if (l->text[end - step] == ' ') {
				space_end = end;
				space_cols = cols;
			}
		}
		struct sline *row = slines_push(out);
		row->tag = l->tag;
		for (int k = first ? 0 : indent; k > 0; k -= SPACES) {
			size_t chunk = k < SPACES ? (size_t)k : SPACES;
			sline_addn(row, indent_elem, spaces, chunk);
		}
		if (end == pos) {
			sline_addn(row, span_at(l, &cur, pos), "?", 1);
			end = pos + step;
		} else {
			if (end < l->len && space_end > pos && space_cols * 2 >= cap)
				end = space_end;
			copy_range(l, &cur, pos, end, row);
		}
		pos = end;
		first = false;
	}
}

void
slines_init(struct slines *s)
{
	*s = (struct slines){0};
}

/* Lines past n stay allocated and initialised for reuse. */
struct sline *
slines_push(struct slines *s)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 8;
		s->v = xrealloc(s->v, cap * sizeof *s->v);
		for (size_t i = s->cap; i < cap; i++)
			sline_init(&s->v[i]);
		s->cap = cap;
	}
	struct sline *l = &s->v[s->n++];
	sline_clear(l);
	return l;
}

void
slines_clear(struct slines *s)
{
	s->n = 0;
}

void
slines_free(struct slines *s)
{
	for (size_t i = 0; i < s->cap; i++)
		sline_free(&s->v[i]);
	free(s->v);
	slines_init(s);
}
