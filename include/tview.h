/*
 * tview: the transcript pane as a view over the transcript: which rows are
 * visible, scrolling, following new output, and a selection cursor over
 * events. The position is an anchor (event index, row inside that event), so
 * drawing and scrolling cost only the rows on screen, whatever the length of
 * the transcript: nothing here walks the whole transcript.
 *
 * Two renderings share the machinery: TVIEW_TRANSCRIPT (every event with its
 * gutter, marker, escaped text and explanation) and TVIEW_WIRE (what an
 * eavesdropper sees: plaintext lines readable, TLS-phase lines hidden, TLS
 * records as type/length with a hex preview).
 */
#ifndef STARTLE_TVIEW_H
#define STARTLE_TVIEW_H

#include <stdbool.h>
#include <stddef.h>

#include "styled.h"
#include "transcript.h"

enum tview_mode { TVIEW_TRANSCRIPT, TVIEW_WIRE };

struct tview_opts {
	enum tview_mode mode;
	bool explain;     /* show explanation rows */
	bool no_color;    /* gutter and markers must carry the phase on their own */
	bool tls_records; /* transcript: also show TLS records after the handshake
	                   * (they are always in the wire view), and the
	                   * handshake messages decrypted after it (a ticket) */
	bool redact;      /* --redact: secret lines as a marker (output.h) */
};

/* Renders event ev (index idx) into its display rows at width columns,
 * appending to out; each row's tag is idx. Events hidden in the mode add
 * nothing. Returns the number of rows added. */
int tview_event_rows(const struct event *ev, size_t idx, int width,
                     const struct tview_opts *o, struct slines *out);

struct tview {
	size_t top;  /* index of the event at the top */
	int top_row; /* first visible row of that event */
	size_t sel;  /* selected event index */
	bool has_sel;
	bool follow;           /* stick to the end as events arrive */
	unsigned long visited; /* events rendered by the last call (for tests) */
	size_t floor;          /* events before this index are not shown (/clear) */
};

void tview_init(struct tview *v);

/* Fills out with exactly the rows visible in a height x width pane (fewer if
 * the transcript is short); with follow set, the last row of the transcript
 * is at the bottom. */
void tview_visible(struct tview *v, const struct transcript *t, int width, int height,
                   const struct tview_opts *o, struct slines *out);

/* Scrolls by delta rows (negative: up). Scrolling up clears follow; reaching
 * the end sets it again. */
void tview_scroll(struct tview *v, const struct transcript *t, int width, int height,
                  const struct tview_opts *o, int delta);

void tview_home(struct tview *v);

/* Starts the pane afresh: only events appended from now on are shown. */
void tview_clear(struct tview *v, const struct transcript *t);
void tview_end(struct tview *v, const struct transcript *t); /* and follow */

/* Moves the selection by delta visible events, scrolling to keep it shown. */
void tview_select(struct tview *v, const struct transcript *t, int width, int height,
                  const struct tview_opts *o, int delta);

/* Finds the next event (dir 1) or the previous one (dir -1) from the
 * selection, or from the top of the view (the end backward) without one,
 * whose text in the transcript rendering, as shown (escaped), or whose
 * explanation (shown or not) contains pattern, ASCII letters in either case;
 * the pattern is plain text, never a regular expression. The search wraps
 * around the transcript once, setting *wrapped when it passed an end. On a
 * match it selects the event, scrolls to show it and returns true; else it
 * returns false and nothing moves. It examines each event at most once
 * (visited counts them) and builds one line per event, never rows. */
bool tview_search(struct tview *v, const struct transcript *t, int width, int height,
                  const struct tview_opts *o, const char *pattern, int dir, bool *wrapped);

#endif
