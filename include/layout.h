/*
 * layout: where each part of the screen goes, as pure arithmetic over the
 * terminal size. Wide terminals split transcript and details side by side,
 * narrow ones stack them; below the minimum only a message is shown.
 *
 * Under --compare (layout_compute_compare) the two transcripts stand side by
 * side at the top, each under a header row, and below them the details pane;
 * on a screen of LAYOUT_COMPARE_WIDE_COLS x LAYOUT_COMPARE_WIDE_ROWS or more
 * the comparison pane stands beside the details, on a smaller one it is a
 * tab of theirs.
 */
#ifndef STARTLE_LAYOUT_H
#define STARTLE_LAYOUT_H

#include <stdbool.h>

#define LAYOUT_MIN_COLS 50
#define LAYOUT_MIN_ROWS 14
#define LAYOUT_SPLIT_COLS 110        /* at or above: side by side */
#define LAYOUT_COMPARE_WIDE_COLS 140 /* --compare: the comparison gets a pane */
#define LAYOUT_COMPARE_WIDE_ROWS 34

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
	/* --compare: the transcript rect above spans both columns and their
	 * headers, split is the row under them (side_by_side is false). */
	bool compare;
	struct rect head[2];    /* each column's header row */
	struct rect column[2];  /* each column's transcript */
	int col_split;          /* the divider column between the columns */
	struct rect comparison; /* the comparison pane; h 0: it is a tab */
	int cmp_split; /* the divider column left of the details, if it has a pane */
};

/* Computes the layout of a rows x cols screen. details_share is the percentage
 * of the space given to the details pane (clamped to 25..75). */
void layout_compute(int rows, int cols, int details_share, struct layout *out);

/* The --compare form of a rows x cols screen (the same minimum size). */
void layout_compute_compare(int rows, int cols, struct layout *out);

#endif
