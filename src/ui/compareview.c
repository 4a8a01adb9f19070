#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "compareview.h"

/* The label column of the table, and the narrowest table there is. */
#define LABEL_COLS 14
#define TABLE_MIN_COLS 40

enum compareview_aim
compareview_aim_next(enum compareview_aim aim)
{
	return (enum compareview_aim)((aim + 1) % AIM_COUNT);
}

const char *
compareview_aim_name(enum compareview_aim aim)
{
	static const char *const names[AIM_COUNT] = {
	    [AIM_BOTH] = "both", [AIM_A] = "a", [AIM_B] = "b"};
	return (unsigned)aim < AIM_COUNT ? names[aim] : "both";
}

unsigned
compareview_sides(enum compareview_aim aim, const struct compare_side *a,
                  const struct compare_side *b, const char *line)
{
	if (aim == AIM_A)
		return COMPAREVIEW_SIDE_A;
	if (aim == AIM_B)
		return COMPAREVIEW_SIDE_B;
	return (compare_line_goes_to(a, line) ? COMPAREVIEW_SIDE_A : 0) |
	       (compare_line_goes_to(b, line) ? COMPAREVIEW_SIDE_B : 0);
}

unsigned
compareview_starttls_sides(enum compareview_aim aim, const struct compare_side *a,
                           const struct compare_side *b)
{
	if (aim == AIM_A)
		return COMPAREVIEW_SIDE_A;
	if (aim == AIM_B)
		return COMPAREVIEW_SIDE_B;
	return (a->mode == TLS_MODE_EXPLICIT ? COMPAREVIEW_SIDE_A : 0) |
	       (b->mode == TLS_MODE_EXPLICIT ? COMPAREVIEW_SIDE_B : 0);
}

void
compareview_prompt(enum compareview_aim aim, const char *proto, const char *where_a,
                   const char *where_b, char *buf, size_t size)
{
	if (aim == AIM_A)
		snprintf(buf, size, "a %s %s> ", proto, where_a);
	else if (aim == AIM_B)
		snprintf(buf, size, "b %s %s> ", proto, where_b);
	else
		snprintf(buf, size, "a+b %s a:%s b:%s> ", proto, where_a, where_b);
}

/* How a value looks: good news, bad news, or neither. */
static enum theme_element
value_elem(const char *label, const char *v)
{
	static const struct {
		const char *label, *good, *bad; /* a prefix of the value */
	} looks[] = {
	    {"plaintext", "0 bytes", ""},
	    {"revealed", "nothing", ""},
	    {"time to TLS", "", "never"},
	    {"time to TLS", "", "handshake"},
	    {"certificate", "verified", "NOT"},
	    {"findings", "none", ""},
	    {"exit", "0 ", ""},
	};

	if (strcmp(v, "running") == 0 || strcmp(v, "not yet") == 0 || strcmp(v, "-") == 0)
		return TE_INFO;
	for (size_t i = 0; i < sizeof looks / sizeof looks[0]; i++) {
		if (strcmp(label, looks[i].label) != 0)
			continue;
		if (looks[i].good[0] != '\0' &&
		    strncmp(v, looks[i].good, strlen(looks[i].good)) == 0)
			return TE_GOOD;
		if (looks[i].bad[0] == '\0' ||
		    strncmp(v, looks[i].bad, strlen(looks[i].bad)) == 0)
			return TE_BAD;
	}
	return TE_VALUE;
}

/* Appends src's text and elements to dst. */
static void
append_sline(struct sline *dst, const struct sline *src)
{
	size_t off = 0;

	for (size_t i = 0; i < src->nspans; i++) {
		sline_addn(dst, src->spans[i].elem, src->text + off, src->spans[i].len);
		off += src->spans[i].len;
	}
}

static void
pad_to(struct sline *l, int col)
{
	for (int w = sline_width(l); w < col; w++)
		sline_add(l, TE_DEFAULT, " ");
}

/* A value wrapped into its column: its rows appended to out. */
static void
cell_rows(const char *label, const char *v, int width, struct slines *out)
{
	struct sline l;

	sline_init(&l);
	sline_add_own(&l, value_elem(label, v), TE_ESCAPED, (const unsigned char *)v,
	              strlen(v));
	sline_wrap(&l, width, 0, TE_DEFAULT, out);
	sline_free(&l);
}

/* One figure as table rows: the label, then each side's value in its
 * column, as many rows as the longer value needs. */
static void
table_row(const char *label, const char *va, const char *vb, int vw, struct slines *out)
{
	struct slines ca, cb;

	slines_init(&ca);
	slines_init(&cb);
	cell_rows(label, va, vw, &ca);
	cell_rows(label, vb, vw, &cb);
	for (size_t k = 0; k < ca.n || k < cb.n; k++) {
		struct sline *l = slines_push(out);
		sline_addf(l, TE_LABEL, " %-*s", LABEL_COLS - 1, k == 0 ? label : "");
		if (k < ca.n)
			append_sline(l, &ca.v[k]);
		pad_to(l, LABEL_COLS + vw + 1);
		if (k < cb.n)
			append_sline(l, &cb.v[k]);
	}
	slines_free(&ca);
	slines_free(&cb);
}

/* Startle's own words in one element, wrapped to width (indented by one). */
static void
words_rows(enum theme_element e, const char *words, int width, struct slines *out)
{
	struct sline l;

	sline_init(&l);
	sline_addf(&l, e, " %s", words);
	sline_wrap(&l, width, 1, TE_DEFAULT, out);
	sline_free(&l);
}

/* One figure as a list: the label, then a row for each side (narrow panes). */
static void
list_row(const char *label, const char *va, const char *vb, int width, struct slines *out)
{
	const char *v[2] = {va, vb};

	words_rows(TE_LABEL, label, width, out);
	for (int i = 0; i < 2; i++) {
		struct sline l;
		sline_init(&l);
		sline_addf(&l, TE_LABEL, "   %c ", "ab"[i]);
		sline_add_own(&l, value_elem(label, v[i]), TE_ESCAPED,
		              (const unsigned char *)v[i], strlen(v[i]));
		sline_wrap(&l, width, 5, TE_DEFAULT, out);
		sline_free(&l);
	}
}

/* The header and the figures. */
static void
figure_rows(const struct compare_side *a, const struct compare_side *b, int width,
            struct slines *out)
{
	struct compare_row rows[COMPARE_ROWS];
	size_t n = compare_rows(a, b, rows);
	bool table = width >= TABLE_MIN_COLS;
	int vw = (width - LABEL_COLS - 1) / 2;

	if (table) {
		struct sline *h = slines_push(out);
		sline_add(h, TE_LABEL, " comparison");
		pad_to(h, LABEL_COLS);
		sline_addf(h, TE_LABEL, "a %s", tls_mode_name(a->mode));
		pad_to(h, LABEL_COLS + vw + 1);
		sline_addf(h, TE_LABEL, "b %s", tls_mode_name(b->mode));
	} else {
		char words[64];
		snprintf(words, sizeof words, "comparison: a %s, b %s",
		         tls_mode_name(a->mode), tls_mode_name(b->mode));
		words_rows(TE_LABEL, words, width, out);
	}
	for (size_t i = 0; i < n; i++) {
		if (strcmp(rows[i].label, "target") == 0 ||
		    strcmp(rows[i].label, "mode") == 0)
			continue;
		if (table)
			table_row(rows[i].label, rows[i].a, rows[i].b, vw, out);
		else
			list_row(rows[i].label, rows[i].a, rows[i].b, width, out);
	}
	const char *same = a->nchain == 0 || b->nchain == 0 ? "-"
	                   : compare_same_chain(a, b)       ? "yes"
	                                                    : "no";
	if (table)
		table_row("same chain", same, "", vw, out);
	else
		list_row("same chain", same, same, width, out);
}

void
compareview_rows(const struct compare_side *a, const struct compare_side *b, int width,
                 struct slines *out)
{
	char *diffs[COMPARE_DIFF_MAX];
	size_t nd;

	if (width < 8)
		return;
	figure_rows(a, b, width, out);
	slines_push(out);
	words_rows(TE_LABEL, a->closed && b->closed ? "differences" : "differences so far",
	           width, out);
	nd = compare_differences(a, b, diffs, COMPARE_DIFF_MAX);
	for (size_t i = 0; i < nd; i++) {
		struct sline l;
		sline_init(&l);
		sline_add(&l, TE_DEFAULT, " - ");
		sline_add_own(&l, TE_VALUE, TE_ESCAPED, (const unsigned char *)diffs[i],
		              strlen(diffs[i]));
		sline_wrap(&l, width, 3, TE_DEFAULT, out);
		sline_free(&l);
	}
	compare_free_differences(diffs, nd);
}
