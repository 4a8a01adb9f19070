#include <stdbool.h>
#include <stddef.h>

#include <curses.h>

#include "ui_int.h"
#include "util.h"

/* Where a binding holds. The first row whose key and context match wins. */
enum keys_context {
	KEYS_ANY,        /* whatever has the focus */
	KEYS_OVERLAY,    /* while the help overlay is shown */
	KEYS_INPUT,      /* the input line has the focus */
	KEYS_VIEW,       /* the transcript or the details pane has the focus */
	KEYS_TRANSCRIPT, /* the transcript has the focus */
	KEYS_DETAILS     /* the details pane has the focus */
};

/* One binding: a key in a context runs an action with arg. The rows with
 * help text make the keys part of the help screen, in table order; the rows
 * with a hint make the hint bar. */
struct keys_binding {
	int key;
	enum keys_context ctx;
	void (*run)(struct ui *u, int key, int arg);
	int arg;
	const char *keys, *help; /* help screen: "F1, ?" and what it does */
	const char *hint_keys, *hint;
};

#define CTRL(c) ((c)&0x1f)

static void
keys_overlay_close(struct ui *u, int key, int arg)
{
	(void)key;
	(void)arg;
	u->help_overlay = false;
}

static void
keys_overlay_open(struct ui *u, int key, int arg)
{
	(void)key;
	(void)arg;
	u->help_overlay = true;
}

static void
keys_overlay_toggle(struct ui *u, int key, int arg)
{
	(void)key;
	(void)arg;
	u->help_overlay = !u->help_overlay;
}

static void
keys_tab(struct ui *u, int key, int tab)
{
	(void)key;
	detailspane_switch_tab(u, tab);
}

static void
keys_cycle_tab(struct ui *u, int key, int step)
{
	(void)key;
	detailspane_cycle_tab(u, step);
}

/* PgUp and PgDn (arg -1, 1): a page of the details pane when it has the
 * focus, else of the transcript. */
static void
keys_page(struct ui *u, int key, int dir)
{
	(void)key;
	if (u->focus == FOCUS_DETAILS)
		detailspane_scroll(u, dir * (u->lay.details.h - 2));
	else
		transcriptpane_scroll(u, dir * (u->lay.transcript.h - 1));
}

static void
keys_details_scroll(struct ui *u, int key, int delta)
{
	(void)key;
	detailspane_scroll(u, delta);
}

/* Tab and Shift-Tab (arg 1, -1): the focus moves among the panes. */
static void
keys_focus_step(struct ui *u, int key, int step)
{
	(void)key;
	u->focus = (enum ui_focus)((u->focus + FOCUS_COUNT + step) % FOCUS_COUNT);
}

static void
keys_focus_input(struct ui *u, int key, int arg)
{
	(void)key;
	(void)arg;
	u->focus = FOCUS_INPUT;
}

/* Tab on an empty input line moves to the transcript, selecting the last
 * event; on a word it completes (readline's). */
static void
keys_input_tab(struct ui *u, int key, int arg)
{
	(void)arg;
	if (!input_empty(u->in)) {
		inputpane.key(u, key);
		return;
	}
	u->focus = FOCUS_TRANSCRIPT;
	if (!u->tv.has_sel && transcript_count(u->t) > 0) {
		u->tv.has_sel = true;
		u->tv.sel = transcript_count(u->t) - 1;
	}
}

/* Keys readline handles itself (listed for the help screen). */
static void
keys_to_input(struct ui *u, int key, int arg)
{
	(void)arg;
	inputpane.key(u, key);
}

static void
keys_explain(struct ui *u, int key, int arg)
{
	(void)key;
	(void)arg;
	u->tvo.explain = !u->tvo.explain;
}

/* Ctrl-C: clears the line, else drops queued lines, else cancels the wait
 * (the second time within two seconds closes the connection). */
static void
keys_cancel(struct ui *u, int key, int arg)
{
	size_t dropped;

	(void)key;
	(void)arg;
	if (!input_empty(u->in)) {
		input_clear(u->in);
		return;
	}
	if ((dropped = session_cancel_queue(u->s)) > 0) {
		ui_message(u, TE_INFO, "dropped %zu queued line%s", dropped,
		           dropped == 1 ? "" : "s");
		return;
	}
	enum session_state st = session_state(u->s);
	if (st == SS_CLOSED || st == SS_READY)
		return;
	if (st == SS_WAITING && util_now_ms() - u->cancel_at > 2000) {
		u->cancel_at = util_now_ms();
		ui_message(
		    u, TE_INFO,
		    "still waiting for the reply; Ctrl-C again closes the connection");
		return;
	}
	session_close(u->s, "cancelled by the user (Ctrl-C); /reconnect to start again");
	ui_message(u, TE_INFO, "cancelled; /reconnect to start again");
}

static void
keys_redraw(struct ui *u, int key, int arg)
{
	(void)u;
	(void)key;
	(void)arg;
	clearok(curscr, TRUE);
}

static void
keys_suspend(struct ui *u, int key, int arg)
{
	(void)key;
	(void)arg;
	ui_suspend(u);
}

/* The wheel scrolls the pane under the pointer. */
static void
keys_mouse(struct ui *u, int key, int arg)
{
	MEVENT me;

	(void)key;
	(void)arg;
	if (getmouse(&me) != OK)
		return;
	int delta = (me.bstate & BUTTON4_PRESSED)   ? -3
	            : (me.bstate & BUTTON5_PRESSED) ? 3
	                                            : 0;
	const struct rect *d = &u->lay.details;
	bool in_details =
	    me.y >= d->y && me.y < d->y + d->h && me.x >= d->x && me.x < d->x + d->w;
	if (delta == 0)
		return;
	if (in_details)
		detailspane_scroll(u, delta);
	else
		transcriptpane_scroll(u, delta);
}

static void
keys_select(struct ui *u, int key, int delta)
{
	transcriptpane_select(u, key, delta);
}

/* Esc alone steps back: the overlay, the event's details, the focus, and on
 * the input line it goes to readline. Alt-1..6 (Esc then a digit) picks a tab;
 * Esc then another key is Meta for readline. */
static void
keys_escape(struct ui *u, int key, int arg)
{
	(void)key;
	(void)arg;
	nodelay(stdscr, TRUE);
	int next = getch();
	if (next >= '1' && next < '1' + TAB_COUNT) {
		detailspane_switch_tab(u, next - '1');
		return;
	}
	if (next == ERR) {
		if (u->help_overlay)
			u->help_overlay = false;
		else if (u->event_details)
			u->event_details = false;
		else if (u->focus != FOCUS_INPUT)
			u->focus = FOCUS_INPUT;
		else
			inputpane_feed(u, "\033");
		return;
	}
	if (u->focus == FOCUS_INPUT) {
		inputpane_feed(u, "\033");
		inputpane.key(u, next);
	}
}

/* clang-format off */
static const struct keys_binding keys_table[] = {
    {'q', KEYS_OVERLAY, keys_overlay_close, 0, NULL, NULL, NULL, NULL},
    {'?', KEYS_OVERLAY, keys_overlay_close, 0, NULL, NULL, NULL, NULL},
    {KEY_F(1), KEYS_ANY, keys_overlay_toggle, 0, "F1, ?", "this help", "F1", "help"},
    {'?', KEYS_VIEW, keys_overlay_open, 0, NULL, NULL, NULL, NULL},
    {KEY_F(2), KEYS_ANY, keys_tab, TAB_HANDSHAKE, "F2-F7, Alt-1..6",
     "Handshake, Certificates, Wire, Help, Ladder (and Lesson) tabs", "F2-F6", "tabs"},
    {KEY_F(3), KEYS_ANY, keys_tab, TAB_CERTS, NULL, NULL, NULL, NULL},
    {KEY_F(4), KEYS_ANY, keys_tab, TAB_WIRE, NULL, NULL, NULL, NULL},
    {KEY_F(5), KEYS_ANY, keys_tab, TAB_HELP, NULL, NULL, NULL, NULL},
    {KEY_F(6), KEYS_ANY, keys_tab, TAB_LADDER, NULL, NULL, NULL, NULL},
    {KEY_F(7), KEYS_ANY, keys_tab, TAB_LESSON, NULL, NULL, NULL, NULL},
    {KEY_LEFT, KEYS_DETAILS, keys_cycle_tab, -1, NULL, NULL, NULL, NULL},
    {KEY_RIGHT, KEYS_DETAILS, keys_cycle_tab, 1, NULL, NULL, NULL, NULL},
    {'\t', KEYS_VIEW, keys_focus_step, 1, "Tab, Shift-Tab",
     "focus: input, transcript, details (Tab on a typed word completes)", "Tab", "focus"},
    {KEY_BTAB, KEYS_ANY, keys_focus_step, -1, NULL, NULL, NULL, NULL},
    {'\t', KEYS_INPUT, keys_input_tab, 0, NULL, NULL, NULL, NULL},
    {KEY_PPAGE, KEYS_ANY, keys_page, -1, "PgUp/PgDn, wheel", "scroll the transcript",
     "PgUp/Dn", "scroll"},
    {KEY_NPAGE, KEYS_ANY, keys_page, 1, NULL, NULL, NULL, NULL},
    {KEY_MOUSE, KEYS_ANY, keys_mouse, 0, NULL, NULL, NULL, NULL},
    {KEY_UP, KEYS_TRANSCRIPT, keys_select, -1, "Up/Down, Home/End",
     "select events (transcript focus)", NULL, NULL},
    {'k', KEYS_TRANSCRIPT, keys_select, -1, NULL, NULL, NULL, NULL},
    {KEY_DOWN, KEYS_TRANSCRIPT, keys_select, 1, NULL, NULL, NULL, NULL},
    {'j', KEYS_TRANSCRIPT, keys_select, 1, NULL, NULL, NULL, NULL},
    {KEY_HOME, KEYS_TRANSCRIPT, transcriptpane_home, 0, NULL, NULL, NULL, NULL},
    {'g', KEYS_TRANSCRIPT, transcriptpane_home, 0, NULL, NULL, NULL, NULL},
    {KEY_END, KEYS_TRANSCRIPT, transcriptpane_end, 0, NULL, NULL, NULL, NULL},
    {'G', KEYS_TRANSCRIPT, transcriptpane_end, 0, NULL, NULL, NULL, NULL},
    {KEY_UP, KEYS_DETAILS, keys_details_scroll, -1, NULL, NULL, NULL, NULL},
    {'k', KEYS_DETAILS, keys_details_scroll, -1, NULL, NULL, NULL, NULL},
    {KEY_DOWN, KEYS_DETAILS, keys_details_scroll, 1, NULL, NULL, NULL, NULL},
    {'j', KEYS_DETAILS, keys_details_scroll, 1, NULL, NULL, NULL, NULL},
    {KEY_HOME, KEYS_DETAILS, detailspane_top, 0, NULL, NULL, NULL, NULL},
    {'\r', KEYS_TRANSCRIPT, transcriptpane_open_event, 0, "Enter",
     "explain the selected event in the details pane", NULL, NULL},
    {'\n', KEYS_TRANSCRIPT, transcriptpane_open_event, 0, NULL, NULL, NULL, NULL},
    {KEY_ENTER, KEYS_TRANSCRIPT, transcriptpane_open_event, 0, NULL, NULL, NULL, NULL},
    {'e', KEYS_VIEW, keys_explain, 0, "e", "show or hide explanations (transcript focus)",
     "e", "explain"},
    {'q', KEYS_VIEW, keys_focus_input, 0, NULL, NULL, NULL, NULL},
    {27, KEYS_ANY, keys_escape, 0, "Esc", "back to the input line", NULL, NULL},
    {CTRL('R'), KEYS_INPUT, keys_to_input, 0, "Ctrl-R", "search the history", NULL, NULL},
    {CTRL('C'), KEYS_ANY, keys_cancel, 0, "Ctrl-C",
     "clear the line, drop queued lines, or cancel the wait", "^C", "cancel"},
    {CTRL('D'), KEYS_INPUT, keys_to_input, 0, "Ctrl-D",
     "leave (asks while a session is open)", "^D", "quit"},
    {CTRL('L'), KEYS_ANY, keys_redraw, 0, "Ctrl-L", "redraw", NULL, NULL},
    {CTRL('Z'), KEYS_ANY, keys_suspend, 0, NULL, NULL, NULL, NULL},
};
/* clang-format on */

#define KEYS_COUNT (sizeof keys_table / sizeof keys_table[0])

/* True if a binding's context holds now. */
static bool
keys_context_holds(const struct ui *u, enum keys_context ctx)
{
	switch (ctx) {
	case KEYS_ANY:
		return true;
	case KEYS_OVERLAY:
		return u->help_overlay;
	case KEYS_INPUT:
		return u->focus == FOCUS_INPUT;
	case KEYS_VIEW:
		return u->focus != FOCUS_INPUT;
	case KEYS_TRANSCRIPT:
		return u->focus == FOCUS_TRANSCRIPT;
	case KEYS_DETAILS:
		return u->focus == FOCUS_DETAILS;
	}
	return false;
}

/* The pane with the focus, which takes the keys no binding took. */
static const struct ui_pane *
keys_focused(const struct ui *u)
{
	static const struct ui_pane *const panes[FOCUS_COUNT] = {
	    [FOCUS_INPUT] = &inputpane,
	    [FOCUS_TRANSCRIPT] = &transcriptpane,
	    [FOCUS_DETAILS] = &detailspane,
	};
	return panes[u->focus];
}

void
keys_handle(struct ui *u, int key)
{
	const struct ui_pane *p;

	if (key == KEY_RESIZE) {
		ui_relayout(u);
		return;
	}
	if (u->confirm != CONFIRM_NONE) {
		inputpane_confirm(u, key);
		return;
	}
	for (size_t i = 0; i < KEYS_COUNT; i++) {
		const struct keys_binding *b = &keys_table[i];
		if (b->key == key && keys_context_holds(u, b->ctx)) {
			b->run(u, key, b->arg);
			u->dirty = true;
			return;
		}
	}
	p = keys_focused(u);
	if (p->key != NULL)
		p->key(u, key);
	u->dirty = true;
}

size_t
keys_help(struct details_help_row *rows, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < KEYS_COUNT && n < max; i++)
		if (keys_table[i].help != NULL)
			rows[n++] = (struct details_help_row){keys_table[i].keys,
			                                      keys_table[i].help};
	return n;
}

void
keys_hints(struct sline *out)
{
	for (size_t i = 0; i < KEYS_COUNT; i++) {
		if (keys_table[i].hint == NULL)
			continue;
		sline_addf(out, TE_HINT_KEY, " %s", keys_table[i].hint_keys);
		sline_addf(out, TE_HINT, " %s ", keys_table[i].hint);
	}
}
