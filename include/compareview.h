/*
 * compareview: the parts of the explorer's --compare that are data, not
 * drawing: where a typed line goes (the aim), the prompt that says so, and
 * the comparison pane as styled lines built from the two sides' figures
 * (compare.h). Pure: no curses, no sessions; the panes draw what this
 * builds.
 */
#ifndef STARTLE_COMPAREVIEW_H
#define STARTLE_COMPAREVIEW_H

#include <stddef.h>

#include "compare.h"
#include "styled.h"

/* Where typed lines go: to both sides (the upgrade only to an explicit
 * side), or to one side only, whatever the line. */
enum compareview_aim { AIM_BOTH, AIM_A, AIM_B, AIM_COUNT };

#define COMPAREVIEW_SIDE_A 1u
#define COMPAREVIEW_SIDE_B 2u

/* The aim after aim, in the order both, a, b, both. */
enum compareview_aim compareview_aim_next(enum compareview_aim aim);

/* The aim's name: "both", "a", "b". */
const char *compareview_aim_name(enum compareview_aim aim);

/* The sides (COMPAREVIEW_SIDE_A, _B bits) a typed line goes to: aimed at one
 * side, that side whatever the line is; aimed at both, every side
 * compare_line_goes_to lets it go to (STARTTLS and STLS only to an explicit
 * side). */
unsigned compareview_sides(enum compareview_aim aim, const struct compare_side *a,
                           const struct compare_side *b, const char *line);

/* The sides /starttls runs on: the aimed side, or aimed at both, the
 * explicit sides. */
unsigned compareview_starttls_sides(enum compareview_aim aim, const struct compare_side *a,
                                    const struct compare_side *b);

/* The input line's prompt under --compare, into buf: "a+b smtp a:plain
 * b:tls> " aimed at both, "a smtp plain> " aimed at a (where_a, where_b:
 * each side's phase or state in a word). */
void compareview_prompt(enum compareview_aim aim, const char *proto, const char *where_a,
                        const char *where_b, char *buf, size_t size);

/* The comparison pane at width columns, appended to out: a header row
 * naming the sides, a row per figure of compare_rows (but the target and
 * the mode, which head the columns) with each side's value in a column of
 * its own, wrapped within it, whether both presented the same chain, then
 * the differences in words (compare_differences), each wrapped; "so far"
 * until both sides have ended. Below 40 columns the figures are listed
 * rather than tabled. Every row fits in width. */
void compareview_rows(const struct compare_side *a, const struct compare_side *b, int width,
                      struct slines *out);

#endif
