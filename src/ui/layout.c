#include <string.h>

#include "layout.h"

/* Rows taken outside the panes: title at the top; status, input and hints at
 * the bottom. */
#define LAYOUT_TOP_ROWS 1
#define LAYOUT_BOTTOM_ROWS 3
/* The smallest a pane may become along the split (a tab bar and two rows). */
#define LAYOUT_MIN_PANE 3

static int
clamp(int v, int lo, int hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* The part of size (divider already removed) given to the details pane. */
static int
details_size(int size, int share)
{
	int d = (size * share + 50) / 100;
	return clamp(d, LAYOUT_MIN_PANE, size - LAYOUT_MIN_PANE);
}

/* Splits the screen: the panes share the rows between the title and the
 * bottom three rows; a one-cell divider (column or row) at split separates
 * them, so every row and column belongs to exactly one part. */
void
layout_compute(int rows, int cols, int details_share, struct layout *out)
{
	memset(out, 0, sizeof *out);
	if (rows < LAYOUT_MIN_ROWS || cols < LAYOUT_MIN_COLS) {
		out->too_small = true;
		return;
	}
	int share = clamp(details_share, 25, 75);
	int top = LAYOUT_TOP_ROWS;
	int mid = rows - LAYOUT_TOP_ROWS - LAYOUT_BOTTOM_ROWS;

	out->title = (struct rect){0, 0, 1, cols};
	out->status = (struct rect){rows - 3, 0, 1, cols};
	out->input = (struct rect){rows - 2, 0, 1, cols};
	out->hints = (struct rect){rows - 1, 0, 1, cols};
	out->side_by_side = cols >= LAYOUT_SPLIT_COLS;
	if (out->side_by_side) {
		int dw = details_size(cols - 1, share);
		out->split = cols - 1 - dw;
		out->transcript = (struct rect){top, 0, mid, out->split};
		out->details = (struct rect){top, out->split + 1, mid, dw};
	} else {
		int dh = details_size(mid - 1, share);
		int th = mid - 1 - dh;
		out->split = top + th;
		out->transcript = (struct rect){top, 0, th, cols};
		out->details = (struct rect){out->split + 1, 0, dh, cols};
	}
}

/* --compare: the columns take what the bottom part leaves; each is a header
 * row over its transcript, the divider column between them. */
static void
layout_columns(struct layout *out, int top, int height, int cols)
{
	int lw = (cols - 1) / 2;

	out->col_split = lw;
	out->transcript = (struct rect){top, 0, height, cols};
	out->head[0] = (struct rect){top, 0, 1, lw};
	out->head[1] = (struct rect){top, lw + 1, 1, cols - lw - 1};
	out->column[0] = (struct rect){top + 1, 0, height - 1, lw};
	out->column[1] = (struct rect){top + 1, lw + 1, height - 1, cols - lw - 1};
}

void
layout_compute_compare(int rows, int cols, struct layout *out)
{
	layout_compute(rows, cols, 50, out);
	if (out->too_small)
		return;
	int top = LAYOUT_TOP_ROWS;
	int mid = rows - LAYOUT_TOP_ROWS - LAYOUT_BOTTOM_ROWS;
	bool wide = cols >= LAYOUT_COMPARE_WIDE_COLS && rows >= LAYOUT_COMPARE_WIDE_ROWS;
	/* The bottom part: the details (and the comparison) below the columns. */
	int bottom = details_size(mid - 1, wide ? 45 : 40);
	int colh = mid - 1 - bottom;

	out->compare = true;
	out->side_by_side = false;
	out->split = top + colh;
	layout_columns(out, top, colh, cols);
	if (wide) {
		int cw = (cols - 1) * 58 / 100;
		out->cmp_split = cw;
		out->comparison = (struct rect){out->split + 1, 0, bottom, cw};
		out->details = (struct rect){out->split + 1, cw + 1, bottom, cols - cw - 1};
	} else {
		out->details = (struct rect){out->split + 1, 0, bottom, cols};
	}
}
