/*
 * layout: where each part of the screen goes, as pure arithmetic over the
 * terminal size. Wide terminals split transcript and details side by side,
 * narrow ones stack them; below the minimum only a message is shown.
 */
#ifndef STARTLE_LAYOUT_H
#define STARTLE_LAYOUT_H

#include <stdbool.h>

#define LAYOUT_MIN_COLS 50
#define LAYOUT_MIN_ROWS 14
#define LAYOUT_SPLIT_COLS 110 /* at or above: side by side */

struct rect {
	int y, x, h, w;
};

struct layout {
	bool too_small;
	bool side_by_side;
	struct rect title;      /* 1 row */
	struct rect transcript; /* pane contents, borders excluded */
	struct rect details;    /* tab bar row included at its top */
	struct rect status;     /* 1 row */
	struct rect input;      /* 1 row */
	struct rect hints;      /* 1 row, key hints */
	int split;              /* column (side by side) or row (stacked) of the divider */
};

/* Computes the layout of a rows x cols screen. details_share is the percentage
 * of the space given to the details pane (clamped to 25..75). */
void layout_compute(int rows, int cols, int details_share, struct layout *out);

#endif
