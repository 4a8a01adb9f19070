/* Screen layout: which part of the terminal each pane gets, for every size. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "layout.h"

#define MAX_ROWS 100
#define MAX_COLS 300

static const int shares[] = {0, 25, 40, 50, 60, 75, 100};
#define NSHARES (sizeof shares / sizeof shares[0])

/* The rects of a layout, in a fixed order. */
static void
rects_of(const struct layout *l, struct rect r[6])
{
	r[0] = l->title;
	r[1] = l->transcript;
	r[2] = l->details;
	r[3] = l->status;
	r[4] = l->input;
	r[5] = l->hints;
}

/* The divider as a rect: a column beside, a row between the panes. */
static struct rect
divider_of(const struct layout *l)
{
	if (l->side_by_side)
		return (struct rect){l->transcript.y, l->split, l->transcript.h, 1};
	return (struct rect){l->split, 0, 1, l->transcript.w};
}

static bool
overlap(struct rect a, struct rect b)
{
	return a.y < b.y + b.h && b.y < a.y + a.h && a.x < b.x + b.w && b.x < a.x + a.w;
}

static void
test_too_small_below_the_minimum_columns(void **state)
{
	struct layout l;
	(void)state;
	for (int rows = 1; rows <= MAX_ROWS; rows++) {
		for (int cols = 1; cols < LAYOUT_MIN_COLS; cols++) {
			layout_compute(rows, cols, 50, &l);
			assert_true(l.too_small);
		}
	}
}

static void
test_too_small_below_the_minimum_rows(void **state)
{
	struct layout l;
	(void)state;
	for (int rows = 1; rows < LAYOUT_MIN_ROWS; rows++) {
		for (int cols = 1; cols <= MAX_COLS; cols++) {
			layout_compute(rows, cols, 50, &l);
			assert_true(l.too_small);
		}
	}
}

static void
test_not_too_small_from_the_minimum_up(void **state)
{
	struct layout l;
	(void)state;
	layout_compute(LAYOUT_MIN_ROWS, LAYOUT_MIN_COLS, 50, &l);
	assert_false(l.too_small);
	layout_compute(MAX_ROWS, MAX_COLS, 50, &l);
	assert_false(l.too_small);
}

static void
test_side_by_side_exactly_from_110_columns(void **state)
{
	struct layout l;
	(void)state;
	for (int rows = LAYOUT_MIN_ROWS; rows <= MAX_ROWS; rows++) {
		for (int cols = LAYOUT_MIN_COLS; cols <= MAX_COLS; cols++) {
			layout_compute(rows, cols, 50, &l);
			assert_int_equal(l.side_by_side, cols >= 110);
		}
	}
}

static void
test_every_rect_is_inside_the_screen_and_not_empty(void **state)
{
	struct layout l;
	struct rect r[6];
	(void)state;
	for (int rows = LAYOUT_MIN_ROWS; rows <= MAX_ROWS; rows++) {
		for (int cols = LAYOUT_MIN_COLS; cols <= MAX_COLS; cols++) {
			for (size_t s = 0; s < NSHARES; s++) {
				layout_compute(rows, cols, shares[s], &l);
				rects_of(&l, r);
				for (int i = 0; i < 6; i++) {
					assert_true(r[i].h >= 1 && r[i].w >= 1);
					assert_true(r[i].y >= 0 && r[i].x >= 0);
					assert_true(r[i].y + r[i].h <= rows);
					assert_true(r[i].x + r[i].w <= cols);
				}
			}
		}
	}
}

static void
test_no_two_parts_overlap(void **state)
{
	struct layout l;
	struct rect r[7];
	(void)state;
	for (int rows = LAYOUT_MIN_ROWS; rows <= MAX_ROWS; rows++) {
		for (int cols = LAYOUT_MIN_COLS; cols <= MAX_COLS; cols++) {
			for (size_t s = 0; s < NSHARES; s++) {
				layout_compute(rows, cols, shares[s], &l);
				rects_of(&l, r);
				r[6] = divider_of(&l);
				for (int i = 0; i < 7; i++)
					for (int j = i + 1; j < 7; j++)
						assert_false(overlap(r[i], r[j]));
			}
		}
	}
}

static void
test_every_row_and_column_is_accounted_for(void **state)
{
	struct layout l;
	(void)state;
	for (int rows = LAYOUT_MIN_ROWS; rows <= MAX_ROWS; rows++) {
		for (int cols = LAYOUT_MIN_COLS; cols <= MAX_COLS; cols++) {
			for (size_t s = 0; s < NSHARES; s++) {
				layout_compute(rows, cols, shares[s], &l);
				int mid = rows - 4;
				struct rect tr = l.transcript, de = l.details;
				if (l.side_by_side) {
					assert_int_equal(l.transcript.x, 0);
					assert_int_equal(tr.w + 1 + de.w, cols);
					assert_int_equal(l.details.x, l.split + 1);
					assert_int_equal(l.transcript.h, mid);
					assert_int_equal(l.details.h, mid);
				} else {
					assert_int_equal(l.transcript.w, cols);
					assert_int_equal(l.details.w, cols);
					assert_int_equal(tr.y + tr.h, l.split);
					assert_int_equal(l.details.y, l.split + 1);
					assert_int_equal(tr.h + 1 + de.h, mid);
				}
			}
		}
	}
}

/* On a grid of sizes, paints every part and checks each cell once. */
static void
test_every_cell_belongs_to_exactly_one_part(void **state)
{
	static unsigned char seen[MAX_ROWS][MAX_COLS];
	struct layout l;
	struct rect r[7];
	(void)state;
	for (int rows = LAYOUT_MIN_ROWS; rows <= MAX_ROWS; rows += 7) {
		for (int cols = LAYOUT_MIN_COLS; cols <= MAX_COLS; cols += 13) {
			layout_compute(rows, cols, 33, &l);
			rects_of(&l, r);
			r[6] = divider_of(&l);
			memset(seen, 0, sizeof seen);
			for (int i = 0; i < 7; i++)
				for (int y = r[i].y; y < r[i].y + r[i].h; y++)
					for (int x = r[i].x; x < r[i].x + r[i].w; x++)
						seen[y][x]++;
			for (int y = 0; y < rows; y++)
				for (int x = 0; x < cols; x++)
					assert_int_equal(seen[y][x], 1);
		}
	}
}

static void
test_title_on_top_and_status_input_hints_at_the_bottom(void **state)
{
	struct layout l;
	(void)state;
	layout_compute(40, 120, 50, &l);
	assert_int_equal(l.title.y, 0);
	assert_int_equal(l.title.w, 120);
	assert_int_equal(l.status.y, 37);
	assert_int_equal(l.input.y, 38);
	assert_int_equal(l.hints.y, 39);
	assert_int_equal(l.hints.w, 120);
	assert_int_equal(l.transcript.y, 1);
}

static void
test_side_by_side_puts_transcript_left_of_details(void **state)
{
	struct layout l;
	(void)state;
	layout_compute(40, 120, 50, &l);
	assert_true(l.side_by_side);
	assert_true(l.transcript.x < l.details.x);
	assert_int_equal(l.transcript.y, l.details.y);
	assert_int_equal(l.split, l.transcript.w);
}

static void
test_stacked_puts_transcript_above_details(void **state)
{
	struct layout l;
	(void)state;
	layout_compute(40, 80, 50, &l);
	assert_false(l.side_by_side);
	assert_true(l.transcript.y < l.details.y);
	assert_int_equal(l.split, l.transcript.y + l.transcript.h);
}

static void
test_details_share_is_clamped_to_25_and_75(void **state)
{
	struct layout lo, lo25, hi, hi75;
	(void)state;
	layout_compute(50, 200, 0, &lo);
	layout_compute(50, 200, 25, &lo25);
	layout_compute(50, 200, 100, &hi);
	layout_compute(50, 200, 75, &hi75);
	assert_memory_equal(&lo, &lo25, sizeof lo);
	assert_memory_equal(&hi, &hi75, sizeof hi);
	layout_compute(60, 80, -5, &lo);
	layout_compute(60, 80, 25, &lo25);
	assert_memory_equal(&lo, &lo25, sizeof lo);
}

static void
test_details_share_sets_the_details_size(void **state)
{
	struct layout l;
	(void)state;
	layout_compute(50, 201, 50, &l);
	assert_int_equal(l.details.w, 100);
	layout_compute(50, 201, 25, &l);
	assert_int_equal(l.details.w, 50);
	layout_compute(50, 201, 75, &l);
	assert_int_equal(l.details.w, 150);
	layout_compute(45, 80, 50, &l);
	assert_int_equal(l.details.h, 20);
}

static void
test_larger_share_never_shrinks_details(void **state)
{
	struct layout a, b;
	(void)state;
	for (int rows = LAYOUT_MIN_ROWS; rows <= MAX_ROWS; rows += 3) {
		for (int cols = LAYOUT_MIN_COLS; cols <= MAX_COLS; cols += 5) {
			for (int share = 25; share < 75; share++) {
				layout_compute(rows, cols, share, &a);
				layout_compute(rows, cols, share + 1, &b);
				int area_a = a.details.w * a.details.h;
				assert_true(b.details.w * b.details.h >= area_a);
			}
		}
	}
}

/* --compare: the parts of the screen, dividers included, in a fixed order;
 * returns how many (the comparison pane and its divider only when there). */
static int
compare_parts(const struct layout *l, int cols, struct rect r[13])
{
	int n = 0;

	r[n++] = l->title;
	r[n++] = l->head[0];
	r[n++] = l->head[1];
	r[n++] = l->column[0];
	r[n++] = l->column[1];
	r[n++] = (struct rect){l->transcript.y, l->col_split, l->transcript.h, 1};
	r[n++] = (struct rect){l->split, 0, 1, cols};
	r[n++] = l->details;
	r[n++] = l->status;
	r[n++] = l->input;
	r[n++] = l->hints;
	if (l->comparison.h > 0) {
		r[n++] = l->comparison;
		r[n++] = (struct rect){l->details.y, l->cmp_split, l->details.h, 1};
	}
	return n;
}

static void
test_compare_is_too_small_below_the_same_minimum(void **state)
{
	struct layout l;
	(void)state;
	layout_compute_compare(LAYOUT_MIN_ROWS - 1, 200, &l);
	assert_true(l.too_small);
	layout_compute_compare(60, LAYOUT_MIN_COLS - 1, &l);
	assert_true(l.too_small);
	layout_compute_compare(LAYOUT_MIN_ROWS, LAYOUT_MIN_COLS, &l);
	assert_false(l.too_small);
	assert_true(l.compare);
}

/* Every cell of every size belongs to exactly one part: nothing overlaps,
 * nothing is left undrawn. */
static void
test_compare_every_cell_belongs_to_exactly_one_part(void **state)
{
	static unsigned char seen[MAX_ROWS][MAX_COLS];
	struct layout l;
	struct rect r[13];
	(void)state;
	for (int rows = LAYOUT_MIN_ROWS; rows <= MAX_ROWS; rows++) {
		for (int cols = LAYOUT_MIN_COLS; cols <= MAX_COLS; cols += 3) {
			layout_compute_compare(rows, cols, &l);
			int n = compare_parts(&l, cols, r);
			memset(seen, 0, sizeof seen);
			for (int i = 0; i < n; i++) {
				assert_true(r[i].h >= 1 && r[i].w >= 1);
				for (int y = r[i].y; y < r[i].y + r[i].h; y++)
					for (int x = r[i].x; x < r[i].x + r[i].w; x++)
						seen[y][x]++;
			}
			for (int y = 0; y < rows; y++)
				for (int x = 0; x < cols; x++)
					assert_int_equal(seen[y][x], 1);
		}
	}
}

static void
test_compare_columns_share_the_width_each_under_its_header(void **state)
{
	struct layout l;
	(void)state;
	for (int rows = LAYOUT_MIN_ROWS; rows <= MAX_ROWS; rows += 5) {
		for (int cols = LAYOUT_MIN_COLS; cols <= MAX_COLS; cols++) {
			layout_compute_compare(rows, cols, &l);
			assert_true(l.column[1].w - l.column[0].w >= 0);
			assert_true(l.column[1].w - l.column[0].w <= 1);
			for (int i = 0; i < 2; i++) {
				assert_int_equal(l.head[i].x, l.column[i].x);
				assert_int_equal(l.head[i].w, l.column[i].w);
				assert_int_equal(l.head[i].y + 1, l.column[i].y);
				assert_true(l.column[i].h >= 3);
			}
			assert_true(l.details.h >= 3);
		}
	}
}

static void
test_compare_pane_of_its_own_exactly_on_wide_screens(void **state)
{
	struct layout l;
	(void)state;
	for (int rows = LAYOUT_MIN_ROWS; rows <= MAX_ROWS; rows++) {
		for (int cols = LAYOUT_MIN_COLS; cols <= MAX_COLS; cols++) {
			layout_compute_compare(rows, cols, &l);
			bool wide = cols >= LAYOUT_COMPARE_WIDE_COLS &&
			            rows >= LAYOUT_COMPARE_WIDE_ROWS;
			assert_int_equal(l.comparison.h > 0, wide);
		}
	}
}

static void
test_compare_at_80x24_and_160x48(void **state)
{
	struct layout l;
	(void)state;
	layout_compute_compare(24, 80, &l);
	assert_int_equal(l.column[0].w, 39);
	assert_int_equal(l.column[1].w, 40);
	assert_int_equal(l.column[0].h, 10);
	assert_int_equal(l.details.w, 80);
	assert_int_equal(l.details.h, 8);
	assert_int_equal(l.comparison.h, 0);
	layout_compute_compare(48, 160, &l);
	assert_int_equal(l.column[0].w, 79);
	assert_int_equal(l.column[0].h, 23);
	assert_int_equal(l.comparison.w, 92);
	assert_int_equal(l.comparison.h, 19);
	assert_int_equal(l.details.w, 67);
	assert_int_equal(l.comparison.y, l.details.y);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_too_small_below_the_minimum_columns),
	    cmocka_unit_test(test_too_small_below_the_minimum_rows),
	    cmocka_unit_test(test_not_too_small_from_the_minimum_up),
	    cmocka_unit_test(test_side_by_side_exactly_from_110_columns),
	    cmocka_unit_test(test_every_rect_is_inside_the_screen_and_not_empty),
	    cmocka_unit_test(test_no_two_parts_overlap),
	    cmocka_unit_test(test_every_row_and_column_is_accounted_for),
	    cmocka_unit_test(test_every_cell_belongs_to_exactly_one_part),
	    cmocka_unit_test(test_title_on_top_and_status_input_hints_at_the_bottom),
	    cmocka_unit_test(test_side_by_side_puts_transcript_left_of_details),
	    cmocka_unit_test(test_stacked_puts_transcript_above_details),
	    cmocka_unit_test(test_details_share_is_clamped_to_25_and_75),
	    cmocka_unit_test(test_details_share_sets_the_details_size),
	    cmocka_unit_test(test_larger_share_never_shrinks_details),
	    cmocka_unit_test(test_compare_is_too_small_below_the_same_minimum),
	    cmocka_unit_test(test_compare_every_cell_belongs_to_exactly_one_part),
	    cmocka_unit_test(test_compare_columns_share_the_width_each_under_its_header),
	    cmocka_unit_test(test_compare_pane_of_its_own_exactly_on_wide_screens),
	    cmocka_unit_test(test_compare_at_80x24_and_160x48),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
